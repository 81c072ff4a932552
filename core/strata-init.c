/* strata-init.c: one-time library setup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <unistd.h>

#include "strata-env-private.h"
#include "strata-i18n-private.h"

const char *
strata_safe_getenv (const char *variable)
{
  if (getuid () != geteuid () || getgid () != getegid ())
    return NULL;
  return g_getenv (variable);
}

void
strata_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
#ifdef ENABLE_NLS
      const char *dir = strata_safe_getenv ("STRATA_LOCALEDIR");

      /* STRATA_LOCALEDIR lets tests use the catalogs of the build tree. */
      bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
      g_once_init_leave (&once, 1);
    }
}
