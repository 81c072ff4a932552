/* main.c: strata-inspector [FILE…]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>

#include "inspector-application.h"
#include "inspector-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(InspectorApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = inspector_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
