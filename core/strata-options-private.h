/* strata-options-private.h: what the load and save options share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-types.h"

G_BEGIN_DECLS

/* A progress callback with its data. */
typedef struct {
  StrataProgressFunc func;
  gpointer           user_data;
  GDestroyNotify     destroy;
} StrataProgress;

void     strata_progress_clear  (StrataProgress *progress);
void     strata_progress_set    (StrataProgress *progress, StrataProgressFunc func,
                                 gpointer user_data, GDestroyNotify destroy);
void     strata_progress_report (StrataProgress *progress, double fraction, const char *stage);
/* Replaces *@field with a copy of @value; returns whether it changed. */
gboolean strata_options_set_string (char **field, const char *value);

G_END_DECLS
