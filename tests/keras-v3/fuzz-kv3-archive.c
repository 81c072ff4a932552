/* fuzz-kv3-archive.c: libFuzzer target for the Keras 3 archive reader
 *
 * An input that starts like a zip file ("PK") is written to a temporary
 * .keras file: the zip directory and members are fuzzed. Any other input
 * is config.json, metadata.json and model.weights.h5 separated by NUL
 * bytes, written as the unzipped form of an archive (a directory): the
 * members' contents are fuzzed past the zip CRCs that would refuse almost
 * every mutation of a zipped member. Both are loaded through the keras-v3
 * format with unknown classes allowed, so that the weights are read for as
 * many layers as possible. Any outcome but a crash, a sanitizer report, a
 * leak or a critical is fine.
 *
 * Build with -Dfuzzing=true and clang (see tests/fuzz/meson.build); seed
 * with tests/keras-v3/fuzz-corpus and the .keras fixtures. Every build
 * replays tests/keras-v3/fuzz-regressions (what the fuzzer found, each
 * fixed) and the seed corpus tests/keras-v3/fuzz-corpus through the same
 * code without libFuzzer (test fuzz-replay-kv3-archive).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "fuzz/fuzz-log.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Loads the format modules (and the h5 module they use) before fuzzing
 * starts, so that libFuzzer sees their coverage counters from the start. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GListModel) formats = NULL;
  gboolean found = FALSE;

  g_log_set_default_handler (fuzz_quiet_log, NULL);
  formats = strata_formats_list ();
  for (guint i = 0; i < g_list_model_get_n_items (formats); i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (formats, i);

      if (strata_format_info_get_format (info, NULL) != NULL &&
          g_str_equal (strata_format_info_get_name (info), "keras-v3"))
        found = TRUE;
    }
  /* Without the module every input would fail alike and nothing be fuzzed. */
  if (!found)
    {
      g_printerr ("fuzz-kv3-archive: the keras-v3 format module is not found (STRATA_FORMAT_PATH)\n");
      abort ();
    }
  return 0;
}

static StrataModel *
load (GFile           *file,
      StrataLoadFlags  flags,
      GError         **error)
{
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();

  strata_load_options_set_format (options, "keras-v3");
  strata_load_options_set_flags (options, flags);
  return strata_load_model (file, options, NULL, error);
}

/* Splits @data at its first two NUL bytes into the three members. */
static gboolean
write_members (const char    *dir,
               const uint8_t *data,
               size_t         size)
{
  static const char *const names[] = { "config.json", "metadata.json", "model.weights.h5" };
  const uint8_t *p = data, *end = data + size;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const uint8_t *nul = i + 1 < G_N_ELEMENTS (names) ? memchr (p, 0, end - p) : NULL;
      const uint8_t *stop = nul != NULL ? nul : end;
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
      /* A member left out is missing from the directory. */
      if ((p < end || i == 0) &&
          !g_file_set_contents_full (path, (const char *) p, stop - p,
                                     G_FILE_SET_CONTENTS_NONE, 0600, NULL))
        return FALSE;
      p = nul != NULL ? nul + 1 : end;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static char *path = NULL, *dir = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    {
      path = g_strdup_printf ("%s/fuzz-kv3-%d.keras", g_get_tmp_dir (), (int) getpid ());
      dir = g_strdup_printf ("%s/fuzz-kv3-%d", g_get_tmp_dir (), (int) getpid ());
      if (g_mkdir_with_parents (dir, 0700) != 0)
        abort ();
    }

  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    {
      /* No fsync: the file only has to be read back by this process. */
      if (!g_file_set_contents_full (path, (const char *) data, size,
                                     G_FILE_SET_CONTENTS_NONE, 0600, NULL))
        return 0;
      file = g_file_new_for_path (path);
    }
  else
    {
      if (!write_members (dir, data, size))
        return 0;
      file = g_file_new_for_path (dir);
    }

  model = load (file, STRATA_LOAD_ALLOW_UNKNOWN, &error);
  if (model == NULL && error == NULL)
    abort ();   /* a failure must say why */
  return 0;
}
