/* strata-env.c: reading the environment safely
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <unistd.h>

#include "strata-env-private.h"

const char *
strata_safe_getenv (const char *variable)
{
  if (getuid () != geteuid () || getgid () != getegid ())
    return NULL;
  return g_getenv (variable);
}
