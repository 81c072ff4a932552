/* strata-init.c: library initialisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-env-private.h"
#include "strata-i18n-private.h"
#include "strata-model.h"
#include "strata-sequential.h"
#include "strata-layers-private.h"

/* Runs once when the library is loaded, as gst_init() registers
 * GStreamer's core elements: the layers below (registry, layer classes)
 * know nothing of what fills the default registry. */
__attribute__((constructor)) static void
strata_init (void)
{
  StrataRegistry *registry = strata_registry_get_default ();
#ifdef ENABLE_NLS
  const char *dir = strata_safe_getenv ("STRATA_LOCALEDIR");

  /* STRATA_LOCALEDIR lets tests use the catalogs of the build tree. */
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif

  /* Once per process: a white-box test links the library statically and
   * loads it again with a format module; the public symbols then resolve
   * to the test's copy, whose registry is filled already. */
  if (strata_registry_lookup (registry, "Sequential") != G_TYPE_INVALID)
    return;

  /* First registration wins for get_name_for_type(): a model of
   * type StrataModel is written as "Functional". */
  strata_registry_register (registry, "Sequential", STRATA_TYPE_SEQUENTIAL, NULL);
  strata_registry_register (registry, "Functional", STRATA_TYPE_MODEL, NULL);
  strata_registry_register (registry, "Model", STRATA_TYPE_MODEL, NULL);
  strata_builtin_layers_register (registry);
}
