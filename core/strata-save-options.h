/* strata-save-options.h: options for saving a model or weights
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
guint64            strata_save_options_get_max_shard_size    (StrataSaveOptions *self);
STRATA_AVAILABLE_IN_ALL
void               strata_save_options_set_max_shard_size    (StrataSaveOptions *self,
                                                              guint64            max_shard_size);
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

G_END_DECLS
