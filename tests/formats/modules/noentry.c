/* noentry.c: a shared module named like a format module that exports no
 * entry point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gmodule.h>

G_MODULE_EXPORT int strata_noentry_something (void);

G_MODULE_EXPORT int
strata_noentry_something (void)
{
  return 42;
}
