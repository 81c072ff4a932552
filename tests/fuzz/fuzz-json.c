/* fuzz-json.c: libFuzzer target, Strata's JSON parser against json-glib's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parses arbitrary bytes with strata_json_parse() and with json-glib's
 * JsonParser behind Strata's former pre-scan (tests/core/json-glib-
 * reference.c): both take the text and build identical trees, or both
 * refuse it, but for the deliberate differences
 * json_glib_reference_check() lists. A parsed tree also survives being
 * written and read again. Declared in tests/fuzz/meson.build.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "strata-json-private.h"
#include "json-glib-reference.h"
#include "fuzz-log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autofree char *problem = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!initialized)
    {
      g_log_set_default_handler (fuzz_quiet_log, NULL);
      initialized = TRUE;
    }

  /* The length is given: the bytes need not end with NUL (ASan sees any
   * read past them). */
  if (!json_glib_reference_check ((const char *) data, (gssize) size, &node, &problem))
    {
      fprintf (stderr, "fuzz-json: %s\n", problem);
      abort ();
    }
  if (node != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *written = strata_json_to_string (node, size % 2);
      g_autoptr(JsonNode) again = strata_json_parse (written, -1, &error);

      if (again == NULL || !json_glib_reference_identical (node, again, NULL))
        {
          fprintf (stderr, "fuzz-json: what Strata writes does not read back the same: %s\n",
                   error != NULL ? error->message : written);
          abort ();
        }
    }
  return 0;
}
