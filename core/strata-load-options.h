/* strata-load-options.h: options for loading a model or weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib-object.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_LOAD_OPTIONS (strata_load_options_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataLoadOptions, strata_load_options, STRATA, LOAD_OPTIONS, GObject)

STRATA_AVAILABLE_IN_ALL
StrataLoadOptions *strata_load_options_new               (void);
STRATA_AVAILABLE_IN_ALL
StrataRegistry    *strata_load_options_get_registry      (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_registry      (StrataLoadOptions *self,
                                                          StrataRegistry    *registry);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_load_options_get_compile       (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_compile       (StrataLoadOptions *self,
                                                          gboolean           compile);
STRATA_AVAILABLE_IN_ALL
StrataLoadFlags    strata_load_options_get_flags         (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_flags         (StrataLoadOptions *self,
                                                          StrataLoadFlags    flags);
STRATA_AVAILABLE_IN_ALL
const char        *strata_load_options_get_format        (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_format        (StrataLoadOptions *self,
                                                          const char        *format);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_load_options_get_by_name       (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_by_name       (StrataLoadOptions *self,
                                                          gboolean           by_name);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_load_options_get_skip_mismatch (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_skip_mismatch (StrataLoadOptions *self,
                                                          gboolean           skip_mismatch);
STRATA_AVAILABLE_IN_ALL
const char        *strata_load_options_get_assume_backend (StrataLoadOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_assume_backend (StrataLoadOptions *self,
                                                           const char        *backend);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_set_progress_func (StrataLoadOptions *self,
                                                          StrataProgressFunc func,
                                                          gpointer           user_data,
                                                          GDestroyNotify     destroy);
STRATA_AVAILABLE_IN_ALL
void               strata_load_options_report_progress   (StrataLoadOptions *self,
                                                          double             fraction,
                                                          const char        *stage);

G_END_DECLS
