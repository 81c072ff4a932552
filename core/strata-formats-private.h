/* strata-formats-private.h: internals shared by the format loader, sniffing and I/O
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"
#include "strata-plugin.h"
#include "strata-format-metadata-private.h"

G_BEGIN_DECLS

/* How many bytes of a regular file sniffing reads. */
#define STRATA_SNIFF_HEAD_SIZE 4096

/* Called by the loader once it has created a module's format instance. */
void                          strata_format_set_info        (StrataFormat     *self,
                                                             StrataFormatInfo *info);

/* One format module as the loader keeps it; strata-format-info.c is its
 * type, strata-formats.c fills it and loads the module. */
struct _StrataFormatInfo
{
  GObject parent_instance;

  char               *name;
  char               *path;
  char               *metadata_path;
  StrataFormatMetadata *metadata;       /* the side-car's, NULL when it failed */
  gboolean            tried;
  struct _StrataFormatModule *module;   /* owned, never finalized once used */
  StrataFormat       *format;
  GError             *error;
};

/* The lock of the loader's state, and loading @info's module (once; held lock). */
void     strata_formats_lock                 (void);
void     strata_formats_unlock               (void);
gboolean strata_formats_ensure_loaded_locked (StrataFormatInfo *info);

/* What the module's side-car declares (register_type is NULL), without
 * loading it; NULL when the side-car or the module failed. */
const StrataFormatDescriptor *strata_format_info_peek_metadata (StrataFormatInfo *self);

/* Reads up to STRATA_SNIFF_HEAD_SIZE bytes of @file; a directory gives
 * %TRUE with *@head = NULL and *@is_dir = TRUE. */
gboolean strata_sniff_read_head        (GFile        *file,
                                        GBytes      **head,
                                        gboolean     *is_dir,
                                        GCancellable *cancellable,
                                        GError      **error);
/* Whether the descriptor's magic patterns match @head, or (for a directory)
 * one of its marker files exists inside @file. */
gboolean strata_sniff_descriptor_matches (const StrataFormatDescriptor *descriptor,
                                          GFile                        *file,
                                          GBytes                       *head);
/* The length of the longest of @extensions that ends @basename after a dot
 * (case-insensitive), or 0. */
gsize    strata_sniff_extension_match  (const char * const *extensions,
                                        const char         *basename);

G_END_DECLS
