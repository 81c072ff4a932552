/* strata-format-metadata-private.h: a format module's side-car metadata file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"
#include "strata-plugin.h"

G_BEGIN_DECLS

/* The side-car of libstrata-format-NAME.so is libstrata-format-NAME.format,
 * in the same folder: a key file with one group. */
#define STRATA_FORMAT_METADATA_SUFFIX ".format"
#define STRATA_FORMAT_METADATA_GROUP  "Strata Format"

/* What a format declares, read from its side-car or copied from its
 * module's descriptor. @descriptor points into the struct's own storage,
 * so sniffing reads both the same way; its register_type is NULL. */
typedef struct
{
  StrataFormatDescriptor descriptor;
  char                  *name;
  char                  *description;
  GStrv                  extensions;
  GStrv                  mime_types;
  GStrv                  marker_files;
  GArray                *magic;        /* (element-type StrataMagic) */
  GPtrArray             *magic_bytes;  /* owns the bytes of @magic */
} StrataFormatMetadata;

void                  strata_format_metadata_free            (StrataFormatMetadata *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataFormatMetadata, strata_format_metadata_free)

/* Reads the side-car @path of the module named @expected_name; the ABI
 * version and name must be this Strata's and the file name's. The error
 * message says what is wrong, without the file's name. */
StrataFormatMetadata *strata_format_metadata_load            (const char  *path,
                                                              const char  *expected_name,
                                                              GError     **error);
/* A copy of what a module's descriptor declares. */
StrataFormatMetadata *strata_format_metadata_new_from_descriptor (const StrataFormatDescriptor *descriptor);
/* The side-car text for @self. */
char                 *strata_format_metadata_to_data         (const StrataFormatMetadata *self);
/* The key of the first field that differs, or NULL when they agree. */
const char           *strata_format_metadata_differs         (const StrataFormatMetadata *a,
                                                              const StrataFormatMetadata *b);

G_END_DECLS
