/* strata-weights-report.h: what loading weights matched, skipped and missed
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
