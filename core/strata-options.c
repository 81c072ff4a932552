/* strata-options.c: what the load and save options share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-options-private.h"

void
strata_progress_clear (StrataProgress *progress)
{
  GDestroyNotify destroy = progress->destroy;
  gpointer user_data = progress->user_data;

  progress->func = NULL;
  progress->user_data = NULL;
  progress->destroy = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

void
strata_progress_set (StrataProgress     *progress,
                     StrataProgressFunc  func,
                     gpointer            user_data,
                     GDestroyNotify      destroy)
{
  strata_progress_clear (progress);
  progress->func = func;
  progress->user_data = user_data;
  progress->destroy = destroy;
}

void
strata_progress_report (StrataProgress *progress,
                        double          fraction,
                        const char     *stage)
{
  if (progress->func != NULL)
    progress->func (CLAMP (fraction, 0.0, 1.0), stage, progress->user_data);
}

gboolean
strata_options_set_string (char       **field,
                           const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

