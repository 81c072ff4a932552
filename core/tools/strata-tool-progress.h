/* strata-tool-progress.h: the command-line tool's progress bar
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* Starts the clock: a bar shows only once the command has run for
 * STRATA_PROGRESS_DELAY seconds (default 1), and only on a terminal. */
void     strata_tool_progress_start   (void);
/* Whether bars are drawn at all (standard error is a terminal). */
gboolean strata_tool_progress_enabled (void);
/* A StrataProgressFunc; @user_data is the bar's label ("Saving"). */
void     strata_tool_progress_report  (double      fraction,
                                       const char *stage,
                                       gpointer    user_data);

G_END_DECLS
