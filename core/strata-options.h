/* strata-options.h: options for loading and saving, and the weights report
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

#define STRATA_TYPE_SAVE_OPTIONS (strata_save_options_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataSaveOptions, strata_save_options, STRATA, SAVE_OPTIONS, GObject)

STRATA_AVAILABLE_IN_ALL
StrataSaveOptions *strata_save_options_new                   (void);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_save_options_get_overwrite         (StrataSaveOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_overwrite         (StrataSaveOptions *self,
                                                              gboolean           overwrite);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_save_options_get_include_optimizer (StrataSaveOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_include_optimizer (StrataSaveOptions *self,
                                                              gboolean           include_optimizer);
STRATA_AVAILABLE_IN_ALL
const char        *strata_save_options_get_format            (StrataSaveOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_format            (StrataSaveOptions *self,
                                                              const char        *format);
STRATA_AVAILABLE_IN_ALL
StrataKerasDialect strata_save_options_get_dialect           (StrataSaveOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_dialect           (StrataSaveOptions *self,
                                                              StrataKerasDialect dialect);
STRATA_AVAILABLE_IN_ALL
StrataKerasDialect strata_save_options_resolve_dialect       (StrataSaveOptions *self,
                                                              StrataKerasDialect native);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_progress_func     (StrataSaveOptions *self,
                                                              StrataProgressFunc func,
                                                              gpointer           user_data,
                                                              GDestroyNotify     destroy);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_report_progress       (StrataSaveOptions *self,
                                                              double             fraction,
                                                              const char        *stage);

#define STRATA_TYPE_WEIGHTS_REPORT (strata_weights_report_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataWeightsReport, strata_weights_report, STRATA, WEIGHTS_REPORT, GObject)

STRATA_AVAILABLE_IN_ALL
StrataWeightsReport *strata_weights_report_new            (void);
STRATA_AVAILABLE_IN_ALL
void                 strata_weights_report_add_matched    (StrataWeightsReport *self,
                                                           const char          *layer_name);
STRATA_AVAILABLE_IN_ALL
void                 strata_weights_report_add_skipped    (StrataWeightsReport *self,
                                                           const char          *layer_name,
                                                           const char          *reason);
STRATA_AVAILABLE_IN_ALL
void                 strata_weights_report_add_missing    (StrataWeightsReport *self,
                                                           const char          *layer_name);
STRATA_AVAILABLE_IN_ALL
const char * const  *strata_weights_report_get_matched    (StrataWeightsReport *self);
STRATA_AVAILABLE_IN_ALL
const char * const  *strata_weights_report_get_skipped    (StrataWeightsReport *self);
STRATA_AVAILABLE_IN_ALL
const char * const  *strata_weights_report_get_skip_reasons (StrataWeightsReport *self);
STRATA_AVAILABLE_IN_ALL
const char * const  *strata_weights_report_get_missing    (StrataWeightsReport *self);

G_END_DECLS
