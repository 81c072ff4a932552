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

char *
strata_test_real_fixture_path (const char *relative)
{
  const char *dir = strata_test_real_fixtures ();

  if (dir == NULL)
    {
      g_printerr ("\n*** SKIPPED: the real Keras fixtures (../shared/fixtures/real) are missing; "
                  "set STRATA_REAL_FIXTURES ***\n");
      g_test_skip ("real Keras fixtures (../shared/fixtures/real) are missing");
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
