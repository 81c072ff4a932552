/* test-save-faults.c: saves that fail on a full or failing disk
 *
 * Each save (a model and its weights, to .h5, .keras and .weights.h5, a
 * SavedModel folder and a TF checkpoint) is run once to count its writes,
 * then once for every n up to that count with the n-th write failing
 * (ENOSPC, then EIO), through the real format modules, libhdf5, libzip and
 * GIO (fault-injection.c). Every failed save must return a GError naming
 * the target and the system's reason, leave the test folder as it was
 * (every file byte-identical, nothing added), and leave no HDF5 identifier
 * or file descriptor open. Both ways of writing the temporary are tried:
 * unnamed (O_TMPFILE) and named.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <hdf5.h>

#include "fault-injection.h"
#include "test-utils.h"

typedef struct {
  const char *name;
  const char *target;    /* file name in the test folder */
  gboolean    weights;
  gboolean    file;      /* the target is one file (which stand-in bytes can be) */
  /* What a save leaves in the folder: the target, or (a TF checkpoint)
   * these files; NULL-terminated. */
  const char *files[4];
} SaveCase;

static const SaveCase cases[] = {
  { "h5-model", "model.h5", FALSE, TRUE, { "model.h5" } },
  { "h5-weights", "model-weights.h5", TRUE, TRUE, { "model-weights.h5" } },
  { "keras-model", "model.keras", FALSE, TRUE, { "model.keras" } },
  { "keras-weights", "model.weights.h5", TRUE, TRUE, { "model.weights.h5" } },
#ifdef HAVE_TF_SAVEDMODEL
  /* No extension: a SavedModel folder, and a TF checkpoint named by a prefix. */
  { "savedmodel-model", "model", FALSE, FALSE, { "model" } },
  { "tf-checkpoint", "ckpt", TRUE, FALSE, { "checkpoint", "ckpt.data-00000-of-00001", "ckpt.index" } },
#endif
};

typedef struct {
  ssize_t h5_objects;   /* files, groups, datasets, named types, attributes */
  guint   fds;
} OpenCounts;

static void
count_open (OpenCounts *counts)
{
  g_auto(GStrv) fds = strata_test_list_dir ("/proc/self/fd");

  counts->h5_objects = H5Fget_obj_count (H5F_OBJ_ALL, H5F_OBJ_ALL);
  g_assert_cmpint (counts->h5_objects, >=, 0);
  counts->fds = g_strv_length (fds);
}

static void
assert_nothing_left_open (const OpenCounts *before, const char *what)
{
  OpenCounts after;

  count_open (&after);
  /* H5Fget_obj_count (H5F_OBJ_ALL): no file, group, dataset, type or
   * attribute of any file is still open. */
  if (after.h5_objects != 0 || after.fds != before->fds)
    g_error ("%s: %zd HDF5 objects and %u descriptors open, %zd and %u before",
             what, after.h5_objects, after.fds, before->h5_objects, before->fds);
}

static StrataModel *
load_fixture (const char *name)
{
  g_autofree char *path = strata_test_src_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_load_model (file, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static gboolean
save (StrataModel *model, const SaveCase *c, GFile *file, GError **error)
{
  return c->weights ? strata_model_save_weights (model, file, NULL, NULL, error)
                    : strata_model_save (model, file, NULL, NULL, error);
}

static void
assert_only (const char *dir, const char *const *files)
{
  g_auto(GStrv) names = strata_test_list_dir (dir);
  g_autofree char *listing = g_strjoinv (", ", names);
  g_autofree char *expected = g_strjoinv (", ", (char **) files);

  if (!g_strv_equal ((const char *const *) names, files))
    g_error ("%s holds %s; only %s expected", dir, listing, expected);
}

/* Every path below @dir with its contents ("" for a folder), one per line. */
static void
snapshot_into (GString *out, const char *dir, const char *relative)
{
  g_auto(GStrv) names = strata_test_list_dir (dir);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *rel = relative != NULL ? g_build_filename (relative, names[i], NULL)
                                              : g_strdup (names[i]);
      g_autofree char *contents = NULL;
      g_autofree char *digest = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_string_append_printf (out, "%s/\n", rel);
          snapshot_into (out, path, rel);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_string_append_printf (out, "%s %" G_GSIZE_FORMAT " %s\n", rel, length, digest);
    }
}

static char *
snapshot (const char *dir)
{
  GString *out = g_string_new (NULL);

  snapshot_into (out, dir, NULL);
  return g_string_free (out, FALSE);
}

/* Whether @message names one of the files the save replaces. */
static gboolean
names_target (const char *message, const char *dir, const SaveCase *c)
{
  for (guint i = 0; c->files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[i], NULL);

      if (strstr (message, path) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* What the failing saves must leave: stand-in bytes over a file, else
 * @other saved (a folder or a checkpoint cannot be stand-in bytes). */
static void
restore_old (StrataModel *other, const SaveCase *c, GFile *file, const char *target,
             const char *old_bytes)
{
  if (c->file)
    g_assert_true (g_file_set_contents (target, old_bytes, -1, NULL));
  else
    g_assert_true (save (other, c, file, NULL));
}

/* Saves @model with the n-th write failing for every n, over what
 * restore_old() leaves; returns the count. */
static guint
run_case (StrataModel *model, StrataModel *other, const SaveCase *c, const char *dir,
          int error_number)
{
  g_autofree char *target = g_build_filename (dir, c->target, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (target);
  g_autoptr(GError) error = NULL;
  static const char old_bytes[] = "the previous model, which must survive\n";
  g_autofree char *before_save = NULL;
  OpenCounts before;
  guint n_writes;

  /* A first save counts the writes, and must succeed. It replaces what
   * the failing saves replace: stand-in bytes of a file, or a folder or
   * checkpoint saved before. */
  if (c->file)
    g_assert_true (g_file_set_contents (target, old_bytes, -1, NULL));
  else
    g_assert_true (save (other, c, file, NULL));
  count_open (&before);
  fault_arm (dir, 0, 0);
  g_assert_true (save (model, c, file, &error) || error != NULL);
  n_writes = fault_disarm ();
  g_assert_no_error (error);
  g_assert_cmpuint (n_writes, >, 2);
  assert_only (dir, c->files);
  assert_nothing_left_open (&before, c->name);

  /* The old contents again, unlike what the failing saves write. */
  restore_old (other, c, file, target, old_bytes);
  before_save = snapshot (dir);
  for (guint n = 1; n <= n_writes; n++)
    {
      g_autofree char *what = g_strdup_printf ("%s, write %u of %u failing with %s", c->name, n,
                                               n_writes, g_strerror (error_number));
      g_autofree char *after = NULL;

      fault_arm (dir, n, error_number);
      if (save (model, c, file, &error))
        {
          fault_disarm ();
          /* Replacing a folder recovers when the file system cannot
           * exchange two names: it then moves the old one aside. */
          if (c->file)
            g_error ("%s: the save succeeded", what);
          g_test_message ("%s: the save recovered", what);
          assert_only (dir, c->files);
          restore_old (other, c, file, target, old_bytes);
          g_free (before_save);
          before_save = snapshot (dir);
          continue;
        }
      fault_disarm ();
      g_assert_true (fault_fired ());

      /* One sentence naming the target and the system's reason. */
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_IO_ERROR);
      g_assert_cmpint (error->code, ==, g_io_error_from_errno (error_number));
      if (!names_target (error->message, dir, c) ||
          strstr (error->message, g_strerror (error_number)) == NULL ||
          strstr (error->message, "/proc/") != NULL || strstr (error->message, "HDF5:") != NULL ||
          strstr (error->message, "errno") != NULL)
        g_error ("%s: the message is “%s”", what, error->message);
      g_clear_error (&error);

      /* The folder as it was: the old files, nothing else. */
      after = snapshot (dir);
      if (!g_str_equal (after, before_save))
        g_error ("%s: the folder changed from\n%sto\n%s", what, before_save, after);
      assert_nothing_left_open (&before, what);
    }
  for (guint i = 0; c->files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[i], NULL);

      strata_test_remove_tree (path);
    }
  return n_writes;
}

static void
test_faults (gconstpointer data)
{
  const SaveCase *c = data;
  g_autoptr(StrataModel) model = load_fixture ("fixtures/generated/tf_keras/compiled_adam.h5");
  g_autoptr(StrataModel) other = load_fixture ("fixtures/generated/tf_keras/long_layer_names.h5");
  g_autofree char *dir = g_dir_make_tmp ("strata-faults-XXXXXX", NULL);
  gboolean unnamed = strata_test_dir_has_unnamed_files (dir);

  /* The optimizer's state is written too. */
  g_assert_nonnull (strata_model_get_optimizer (model));

  for (guint named = 0; named < 2; named++)
    {
      if (named)
        g_setenv ("STRATA_NO_O_TMPFILE", "1", TRUE);
      for (guint e = 0; e < 2; e++)
        {
          int error_number = e == 0 ? ENOSPC : EIO;
          guint n = run_case (model, other, c, dir, error_number);

          g_test_message ("%s, %s temporary, %s: %u writes, each failed once",
                          c->name, named || !unnamed ? "named" : "unnamed",
                          g_strerror (error_number), n);
        }
      g_unsetenv ("STRATA_NO_O_TMPFILE");
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/save-faults/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_faults);
    }
  return g_test_run ();
}
