/* strata-predict-private.h: what strata-predict.c needs from the planner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-plan.h"

G_BEGIN_DECLS

/* The plan of @model: its layers lowered to ops. Fails with
 * STRATA_PREDICT_ERROR_UNSUPPORTED naming every layer that cannot run. */
StrataPlan *strata_plan_lower (StrataModel *model, GError **error);

G_END_DECLS
