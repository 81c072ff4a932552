/* fuzz-config.c: libFuzzer target for the Keras model config reader
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds arbitrary bytes to strata_model_from_json() with the default flags
 * and with unknown classes allowed (metadata only, so the fuzzer spends its
 * time in the reader rather than in weight initializers). A loaded model is
 * written back and re-read, which must succeed: what Strata writes, Strata
 * reads. Declared in tests/fuzz/meson.build (fuzz_targets).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "strata.h"
#include "fuzz-log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
load_once (const uint8_t   *data,
           size_t           size,
           StrataLoadFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) again = NULL;
  g_autofree char *json = NULL;

  model = strata_model_from_json ((const char *) data, size, NULL, flags, &error);
  if (model == NULL)
    {
      if (error == NULL)
        abort ();   /* a failure must say why */
      return;
    }
  json = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  again = strata_model_from_json (json, -1, NULL, flags, &error);
  if (again == NULL)
    abort ();
  g_clear_pointer (&json, g_free);
  json = strata_model_summary (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;

  if (!initialized)
    {
      g_log_set_default_handler (fuzz_quiet_log, NULL);
      initialized = TRUE;
    }
  load_once (data, size, STRATA_LOAD_METADATA_ONLY);
  load_once (data, size, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY);
  return 0;
}
