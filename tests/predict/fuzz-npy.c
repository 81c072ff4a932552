/* fuzz-npy.c: libFuzzer target for the .npy reader of `strata predict`
 *
 * Feeds arbitrary bytes to strata_npy_parse(). An array it accepts is
 * written back with strata_npy_encode() and read again, which must give
 * the same dtype, shape and bytes: what Strata writes, Strata (and NumPy)
 * reads. Declared in tests/predict/meson.build (fuzz_targets).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "strata.h"
#include "strata-npy.h"
#include "fuzz-log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataTensor) t = strata_npy_parse (bytes, "input", &error);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(StrataTensor) again = NULL;

  if (!initialized)
    {
      g_log_set_default_handler (fuzz_quiet_log, NULL);
      initialized = TRUE;
    }
  if (t == NULL)
    {
      if (error == NULL)
        abort ();   /* a failure must say why */
      return 0;
    }
  encoded = strata_npy_encode (t, &error);
  if (encoded == NULL)
    abort ();
  again = strata_npy_parse (encoded, "encoded", &error);
  if (again == NULL || strata_tensor_get_dtype (again) != strata_tensor_get_dtype (t) ||
      !strata_shape_equal (strata_tensor_get_shape (again), strata_tensor_get_shape (t)) ||
      !g_bytes_equal (strata_tensor_get_data (again), strata_tensor_get_data (t)))
    abort ();
  return 0;
}
