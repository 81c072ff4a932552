/* fuzz-replay.c: a fuzz target's seed corpus, replayed as a regular test
 *
 * Linked with the sources of one libFuzzer target (tests/fuzz/meson.build),
 * with any compiler and sanitizer:
 *
 *   fuzz-replay-NAME [--tap] SUFFIXES DIR...
 *
 * calls LLVMFuzzerTestOneInput() once on every file under each DIR whose
 * name ends with one of the comma-separated SUFFIXES, one test case per
 * DIR. A crash, an abort() of the target or a sanitizer report fails; a DIR
 * that is missing (../shared/fixtures/real) skips, and fails under CI=true.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "test-utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Optional in a target, as in libFuzzer. */
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

typedef struct {
  char  *dir;
  GStrv  suffixes;
} SeedDir;

static void
seed_dir_free (SeedDir *sd)
{
  g_free (sd->dir);
  g_strfreev (sd->suffixes);
  g_free (sd);
}

static void
test_replay (gconstpointer data)
{
  const SeedDir *sd = data;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_test (sd->dir, G_FILE_TEST_IS_DIR))
    {
      strata_test_skip ("the seed folder %s is missing", sd->dir);
      return;
    }
  strata_test_collect_files (sd->dir, (const char * const *) sd->suffixes, files);
  if (files->len == 0)
    {
      g_autofree char *wanted = g_strjoinv (" ", sd->suffixes);

      g_test_fail_printf ("no seed files (%s) under %s", wanted, sd->dir);
      return;
    }
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(GMappedFile) mapped = NULL;
      g_autoptr(GError) error = NULL;

      /* Named first, so that a crash's log ends with its seed. */
      g_test_message ("seed %s", path);
      mapped = g_mapped_file_new (path, FALSE, &error);
      g_assert_no_error (error);
      /* libFuzzer never passes NULL, even for an empty input. */
      LLVMFuzzerTestOneInput (g_mapped_file_get_length (mapped) > 0
                                ? (const uint8_t *) g_mapped_file_get_contents (mapped)
                                : (const uint8_t *) "",
                              g_mapped_file_get_length (mapped));
    }
  g_test_message ("%u seeds from %s replayed", files->len, sd->dir);
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func ((GDestroyNotify) seed_dir_free);

  strata_test_init (&argc, &argv);
  if (argc < 3)
    {
      g_printerr ("usage: %s [--tap] SUFFIXES DIR...\n", argv[0]);
      return 2;
    }
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 2; i < argc; i++)
    {
      SeedDir *sd = g_new0 (SeedDir, 1);
      g_autofree char *base = g_path_get_basename (argv[i]);
      g_autofree char *test = g_strdup_printf ("/fuzz/replay/%s", base);

      sd->dir = g_strdup (argv[i]);
      sd->suffixes = g_strsplit (argv[1], ",", -1);
      g_ptr_array_add (dirs, sd);
      g_test_add_data_func (test, sd, test_replay);
    }
  return g_test_run ();
}
