/* strata-plugin.h: what a format module exports
 *
 * This header is not included by strata.h; a format plugin includes both.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gmodule.h>
#include "strata.h"

G_BEGIN_DECLS

/**
 * STRATA_FORMAT_ABI_VERSION:
 *
 * The version of `StrataFormatDescriptor` and of the [class@Strata.Format] class
 * layout. A module built for another version is refused.
 */
#define STRATA_FORMAT_ABI_VERSION 1

/**
 * STRATA_FORMAT_ENTRY_POINT:
 *
 * The name of the function every format module exports. Its type is
 * `StrataFormatQueryFunc`.
 */
#define STRATA_FORMAT_ENTRY_POINT "strata_format_module_query_v1"

/**
 * StrataMagic:
 * @offset: where the bytes start in the file
 * @bytes: the bytes to match
 * @length: how many bytes @bytes holds
 *
 * A byte pattern that marks a format's files.
 */
typedef struct {
  gsize       offset;
  const char *bytes;
  gsize       length;
} StrataMagic;

/**
 * StrataFormatDescriptor:
 * @abi_version: %STRATA_FORMAT_ABI_VERSION
 * @name: the format's name, as users pass it (`h5`, `json-config`)
 * @description: a translated one-line description
 * @extensions: (array zero-terminated=1): file name extensions, without the dot
 * @mime_types: (array zero-terminated=1) (nullable): MIME types
 * @magic: (array length=n_magic) (nullable): byte patterns that mark the
 *   format's regular files: a cheap hint that decides whether sniffing asks
 *   the format's probe, which has the final word (see [struct@Strata.FormatClass]);
 *   for a format without a probe, a match is the score
 * @n_magic: length of @magic
 * @marker_files: (array zero-terminated=1) (nullable): for formats that
 *   read directories (%STRATA_FORMAT_IS_DIRECTORY,
 *   %STRATA_FORMAT_FILE_OR_DIRECTORY), files inside the directory that
 *   mark it; a hint like @magic
 * @capabilities: what the format can do
 * @register_type: registers the [class@Strata.Format] subclass in @module and returns its type
 *
 * The constant description a format module returns. Fields may only be
 * added at the end, with a new ABI version.
 */
typedef struct {
  guint32                  abi_version;
  const char              *name;
  const char              *description;
  const char * const      *extensions;
  const char * const      *mime_types;
  const StrataMagic       *magic;
  gsize                    n_magic;
  const char * const      *marker_files;
  StrataFormatCapabilities capabilities;
  GType                  (*register_type) (GTypeModule *module);
  /*< private >*/
  gpointer                 reserved[8];
} StrataFormatDescriptor;

typedef const StrataFormatDescriptor *(*StrataFormatQueryFunc) (void);

/**
 * STRATA_FORMAT_DEFINE_MODULE:
 * @descriptor: the name of a static `StrataFormatDescriptor`
 *
 * Defines the module's entry point.
 */
#define STRATA_FORMAT_DEFINE_MODULE(descriptor) \
  G_MODULE_EXPORT const StrataFormatDescriptor *strata_format_module_query_v1 (void); \
  G_MODULE_EXPORT const StrataFormatDescriptor *strata_format_module_query_v1 (void) \
  { return &(descriptor); }

G_END_DECLS
