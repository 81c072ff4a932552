/* strata-formats.h: finding and loading format plugins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_FORMAT_INFO (strata_format_info_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataFormatInfo, strata_format_info, STRATA, FORMAT_INFO, GObject)

STRATA_AVAILABLE_IN_ALL
const char              *strata_format_info_get_name         (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
const char              *strata_format_info_get_description  (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
const char * const      *strata_format_info_get_extensions   (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
const char * const      *strata_format_info_get_mime_types   (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
StrataFormatCapabilities strata_format_info_get_capabilities (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
const char              *strata_format_info_get_module_path  (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
gboolean                 strata_format_info_has_details      (StrataFormatInfo *self,
                                                              GError          **error);
STRATA_AVAILABLE_IN_ALL
gboolean                 strata_format_info_is_loaded        (StrataFormatInfo *self);
STRATA_AVAILABLE_IN_ALL
gboolean                 strata_format_info_is_available     (StrataFormatInfo *self,
                                                              GError          **error);
STRATA_AVAILABLE_IN_ALL
StrataFormat            *strata_format_info_get_format       (StrataFormatInfo *self,
                                                              GError          **error);

STRATA_AVAILABLE_IN_ALL
void                     strata_formats_add_search_path      (const char       *path);
STRATA_AVAILABLE_IN_ALL
GListModel              *strata_formats_list                 (void);
STRATA_AVAILABLE_IN_ALL
StrataFormatInfo        *strata_formats_lookup               (const char       *name);
STRATA_AVAILABLE_IN_ALL
StrataFormat            *strata_formats_find_for_file        (GFile            *file,
                                                              const char       *name,
                                                              StrataFormatCapabilities needed,
                                                              GCancellable     *cancellable,
                                                              GError          **error);
STRATA_AVAILABLE_IN_ALL
StrataFormat            *strata_formats_find_for_save        (GFile            *file,
                                                              const char       *name,
                                                              StrataFormatCapabilities needed,
                                                              GError          **error);

G_END_DECLS
