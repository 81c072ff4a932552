/* test-utils.c: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-utils.h"

#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata-json-private.h"

const char *
strata_test_real_fixtures (void)
{
  static char *dir = NULL;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("STRATA_REAL_FIXTURES");
      if (env != NULL && g_file_test (env, G_FILE_TEST_IS_DIR))
        dir = g_canonicalize_filename (env, NULL);
      g_once_init_leave (&once, 1);
    }
  return dir;
}

gboolean
strata_test_in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

void
strata_test_skip (const char *format,
                  ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  if (strata_test_in_ci ())
    {
      g_printerr ("\n*** FAILED (CI=true, where nothing may be skipped): %s ***\n", reason);
      g_test_fail_printf ("CI=true: %s", reason);
      return;
    }
  g_printerr ("\n*** SKIPPED: %s ***\n", reason);
  g_test_skip (reason);
}

char *
strata_test_real_fixture_path (const char *relative)
{
  const char *dir = strata_test_real_fixtures ();

  if (dir == NULL)
    {
      strata_test_skip ("the real Keras fixtures (../shared/fixtures/real) are missing; "
                        "set STRATA_REAL_FIXTURES");
      return NULL;
    }
  return g_build_filename (dir, relative, NULL);
}

char *
strata_test_src_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, relative, NULL);
}

void
strata_test_init (int *argc, char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

gboolean
strata_test_outcome_is (const StrataTestOutcome *outcomes,
                        gsize                    n,
                        const char              *file,
                        int                      outcome)
{
  for (gsize i = 0; i < n; i++)
    if (outcomes[i].outcome == outcome && g_str_equal (outcomes[i].file, file))
      return TRUE;
  return FALSE;
}

static void
collect_files (const char         *dir,
               const char * const *suffixes,
               GPtrArray          *files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, suffixes, files);
      else
        for (guint i = 0; suffixes[i] != NULL; i++)
          if (g_str_equal (suffixes[i], "*") || g_str_has_suffix (name, suffixes[i]))
            {
              g_ptr_array_add (files, g_steal_pointer (&path));
              break;
            }
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
strata_test_collect_files (const char         *dir,
                           const char * const *suffixes,
                           GPtrArray          *files)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_files (dir, suffixes, found);
  g_ptr_array_sort (found, compare_paths);
  g_ptr_array_extend_and_steal (files, g_steal_pointer (&found));
}

gboolean
strata_test_weight_name_matches (const char *strata_name,
                                 const char *keras_name)
{
  g_autofree char *want = g_str_has_suffix (keras_name, ":0") ? g_strdup (keras_name)
                                                              : g_strconcat (keras_name, ":0", NULL);
  g_autofree char *layer = g_strndup (strata_name, strcspn (strata_name, "/"));
  g_auto(GStrv) parts = g_strsplit (want, "/", -1);
  const char *found_last = strrchr (strata_name, '/');
  const char *want_last = strrchr (want, '/');

  if (found_last == NULL || want_last == NULL || !g_str_equal (found_last, want_last))
    return FALSE;
  /* Keras names the weights of a model inside a wrapper (TimeDistributed)
   * by the model's layers only ("step_dense/kernel:0"). */
  if (g_str_equal (strata_name + strlen (layer) + 1, want))
    return TRUE;
  return g_strv_contains ((const char * const *) parts, layer);
}

StrataLayer *
strata_test_layer_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (json, -1, &error);
  StrataLayer *layer;

  g_assert_no_error (error);
  layer = strata_registry_create_layer (strata_registry_get_default (), json_node_get_object (node),
                                        STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  return layer;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char **
strata_test_list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

gboolean
strata_test_dir_has_unnamed_files (const char *dir)
{
  int fd;

  if (g_strcmp0 (g_getenv ("STRATA_NO_O_TMPFILE"), "1") == 0)
    return FALSE;
  fd = g_open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

void
strata_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_auto(GStrv) names = strata_test_list_dir (path);

      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autofree char *child = g_build_filename (path, names[i], NULL);
          strata_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

StrataModel *
strata_test_load_model (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_load_model (file, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}
