/* strata-tool-progress.c: the command-line tool's progress bar
 *
 * Short work stays silent: a bar appears once the command has run for a
 * second, and then redraws in place on standard error, so piped output and
 * logs never see one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-tool-progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gint64 start_us;
static gint64 delay_us = G_USEC_PER_SEC;
static gboolean drawn;      /* a bar line is open on the terminal */
static gpointer finished;   /* the label of the last bar completed */

void
strata_tool_progress_start (void)
{
  const char *delay = g_getenv ("STRATA_PROGRESS_DELAY");

  start_us = g_get_monotonic_time ();
  if (delay != NULL)
    delay_us = (gint64) (g_ascii_strtod (delay, NULL) * G_USEC_PER_SEC);
}

gboolean
strata_tool_progress_enabled (void)
{
  return isatty (STDERR_FILENO);
}

void
strata_tool_progress_report (double      fraction,
                             const char *stage,
                             gpointer    user_data)
{
  const int width = 30;
  double f = CLAMP (fraction, 0.0, 1.0);
  int filled = (int) (f * width + 0.5);
  char bar[64];

  if (!drawn && (g_get_monotonic_time () - start_us < delay_us || (f >= 1.0 && finished == user_data)))
    return;
  memset (bar, '#', filled);
  memset (bar + filled, ' ', width - filled);
  bar[width] = '\0';
  g_printerr ("\r%s [%s] %3d%% %-30.30s", (const char *) user_data, bar, (int) (f * 100 + 0.5),
              stage != NULL ? stage : "");
  drawn = f < 1.0;
  finished = drawn ? NULL : user_data;
  if (!drawn)
    g_printerr ("\n");
}
