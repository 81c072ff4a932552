/* fuzz-h5-reader.c: libFuzzer target for the plain-C Keras HDF5 reader
 *
 * Every input is written to a temporary file (libhdf5 reads files) and
 * read completely: root attributes, weight groups and every weight. Any
 * outcome but a crash, a sanitizer report or a leak is fine.
 *
 * Declared in tests/h5/meson.build (fuzz_targets): replayed on the .h5
 * fixtures in every build, fuzzed with -Dfuzzing=true (tests/fuzz).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <unistd.h>
#include <glib/gstdio.h>

#include "h5-reader.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static char *path = NULL;
  g_autoptr(H5kFile) file = NULL;
  g_autoptr(H5kKerasFile) kf = NULL;

  if (path == NULL)
    path = g_strdup_printf ("%s/fuzz-h5-%d.h5", g_get_tmp_dir (), (int) getpid ());
  if (!g_file_set_contents (path, (const char *) data, size, NULL))
    return 0;

  file = h5k_file_open (path, NULL);
  if (file != NULL)
    kf = h5k_file_read_keras (file, TRUE, NULL);
  for (guint i = 0; kf != NULL && i < kf->layers->len; i++)
    {
      H5kGroup *group = g_ptr_array_index (kf->layers, i);

      for (guint j = 0; j < group->weights->len; j++)
        {
          GBytes *bytes = h5k_file_read_weight (file, g_ptr_array_index (group->weights, j), NULL);
          g_clear_pointer (&bytes, g_bytes_unref);
        }
    }
  /* No litter in the temporary folder (the replay test runs every build). */
  g_clear_pointer (&kf, h5k_keras_file_free);
  g_clear_pointer (&file, h5k_file_free);
  g_unlink (path);
  return 0;
}
