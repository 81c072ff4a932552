/* test-save-kill.c: kill -9 during a save
 *
 * A child process saves model B over a target holding model A, again and
 * again, until the test kills it with SIGKILL after a random delay. After
 * each kill the target must be A or B, whole (it loads, and its config
 * and weights are A's or B's), and anything else in the folder must be a
 * temporary of the dead child, named so that the next save removes it:
 * which the test's next save must do. Files (.h5, .keras) and folders
 * (the tests' directory format, SavedModel), with unnamed temporaries
 * (O_TMPFILE) and with named ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-utils.h"

#define KILLS 25

typedef struct {
  const char *name;
  const char *target;
  gboolean    weights;   /* the format holds weights (else they are random) */
  gboolean    folder;
} KillCase;

static const KillCase cases[] = {
  { "h5", "model.h5", TRUE, FALSE },
  { "keras", "model.keras", TRUE, FALSE },
  { "folder", "model.tdir", FALSE, TRUE },
#ifdef HAVE_TF_SAVEDMODEL
  { "savedmodel", "model", TRUE, TRUE },   /* no extension: a SavedModel folder */
#endif
};

static const KillCase *current;

static StrataModel *
load_fixture (const char *name)
{
  g_autofree char *path = strata_test_src_path (name);

  return strata_test_load_model (path);
}

/* The model's config and (when the format holds them) weights, as one
 * digest. */
static char *
digest (StrataModel *model)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *json = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  g_checksum_update (sum, (const guchar *) json, -1);
  for (guint i = 0; current->weights && i < weights->len; i++)
    {
      GBytes *data = strata_tensor_get_data (g_ptr_array_index (weights, i));
      gsize size = 0;
      gconstpointer bytes = data != NULL ? g_bytes_get_data (data, &size) : NULL;

      if (size > 0)
        g_checksum_update (sum, bytes, size);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static void
save (StrataModel *model, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (strata_model_save (model, file, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The digest of @model as saved to and loaded from @path. */
static char *
saved_digest (StrataModel *model, const char *path)
{
  g_autoptr(StrataModel) loaded = NULL;

  save (model, path);
  loaded = strata_test_load_model (path);
  strata_test_remove_tree (path);
  return digest (loaded);
}

typedef struct {
  guint old;      /* the target still held A */
  guint new;      /* the target held B */
  guint litter;   /* kills that left a named temporary */
} KillCounts;

/* Kills a child that saves @b over @target in a loop, after @delay µs. */
static void
kill_once (StrataModel *b, const char *dir, const char *target, const char *base, gulong delay,
           const char *digest_a, const char *digest_b, KillCounts *counts)
{
  g_autoptr(StrataModel) after = NULL;
  g_autofree char *after_digest = NULL;
  g_autofree char *litter_prefix = NULL;
  g_auto(GStrv) names = NULL;
  gboolean littered = FALSE;
  int status;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (target);

      for (;;)
        if (!strata_model_save (b, file, NULL, NULL, NULL))
          _exit (3);
    }
  g_usleep (delay);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  /* The target is whole: A or B. */
  after = strata_test_load_model (target);
  after_digest = digest (after);
  if (g_str_equal (after_digest, digest_a))
    counts->old++;
  else if (g_str_equal (after_digest, digest_b))
    counts->new++;
  else
    g_error ("after a kill, %s is neither the old model nor the new one", target);

  /* Anything else is a temporary of the dead child. */
  litter_prefix = g_strdup_printf (".%s.strata-tmp-", base);
  names = strata_test_list_dir (dir);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *owner = g_strdup_printf ("-%d-", (int) pid);

      if (g_str_equal (names[i], base))
        continue;
      if (!g_str_has_prefix (names[i], litter_prefix) || strstr (names[i], owner) == NULL)
        g_error ("after a kill, %s holds “%s”", dir, names[i]);
      littered = TRUE;
    }
  counts->litter += littered;
}

static void
assert_only (const char *dir, const char *name)
{
  g_auto(GStrv) names = strata_test_list_dir (dir);
  g_autofree char *listing = g_strjoinv (", ", names);

  if (g_strv_length (names) != 1 || !g_str_equal (names[0], name))
    g_error ("%s holds %s; only %s expected", dir, listing, name);
}

static void
test_kill (gconstpointer data)
{
  const KillCase *c = current = data;
  g_autoptr(StrataModel) a = load_fixture ("fixtures/generated/tf_keras/compiled_adam.h5");
  g_autoptr(StrataModel) b = load_fixture ("fixtures/generated/tf_keras/long_layer_names.h5");
  g_autofree char *dir = g_dir_make_tmp ("strata-kill-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (dir, c->target, NULL);
  const char *extension = strchr (c->target, '.');
  g_autofree char *reference = g_strdup_printf ("%s/reference%s", dir, extension != NULL ? extension : "");
  g_autofree char *digest_a = saved_digest (a, reference);
  g_autofree char *digest_b = saved_digest (b, reference);
  gint64 start;
  gulong save_time;

  g_assert_cmpstr (digest_a, !=, digest_b);
  /* How long a save takes: the kills land anywhere in about three. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 3; i++)
    save (b, target);
  save_time = MAX ((g_get_monotonic_time () - start) / 3, 1000);

  /* A folder always has a named temporary. */
  for (guint named = c->folder; named < 2; named++)
    {
      KillCounts counts = { 0 };

      if (named)
        g_setenv ("STRATA_NO_O_TMPFILE", "1", TRUE);
      gulong span = 3 * save_time;
      guint kills = 0;

      /* KILLS kills, and more while one outcome has not been seen: on a
       * busy machine a save can take far longer than it was timed, so the
       * kills then reach further into it. */
      while (kills < KILLS || ((counts.old == 0 || counts.new == 0) && kills < 8 * KILLS))
        {
          /* The old model, and no temporary left from the last kill. */
          save (a, target);
          assert_only (dir, c->target);
          kill_once (b, dir, target, c->target, g_test_rand_int_range (0, (gint32) MIN (span, G_MAXINT32)),
                     digest_a, digest_b, &counts);
          if (++kills % KILLS == 0 && counts.new == 0)
            span *= 2;
        }
      save (a, target);
      assert_only (dir, c->target);
      g_unsetenv ("STRATA_NO_O_TMPFILE");

      g_test_message ("%s, %s temporaries: %u kills during saves of %lu µs: target old %u times, "
                      "new %u times; %u kills left a temporary, removed by the next save",
                      c->name, named || !strata_test_dir_has_unnamed_files (dir) ? "named" : "unnamed",
                      kills, save_time, counts.old, counts.new, counts.litter);
      /* Both outcomes must have been seen, or the kills missed the saves. */
      g_assert_cmpuint (counts.old, >, 0);
      g_assert_cmpuint (counts.new, >, 0);
      /* Unnamed, only a kill between linking the file and renaming it
       * leaves a name behind. */
      if (!named && strata_test_dir_has_unnamed_files (dir))
        g_assert_cmpuint (counts.litter, <=, kills / 5);
    }
  strata_test_remove_tree (target);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  strata_formats_add_search_path (TEST_MODULES_DIR);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/save-kill/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_kill);
    }
  return g_test_run ();
}
