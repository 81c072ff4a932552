/* test-io.c: the load/save entry points: atomic saving, overwrite,
 * cancellation, async calls with progress, compile on load
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "keras-archive.h"
#include "test-utils.h"

static char *tmp_dir;

/* A Keras 2 training config as tf.keras writes it. */
static const char training_config_json[] =
  "{\"loss\": \"mse\", \"metrics\": [\"mae\"], \"weighted_metrics\": null, "
  "\"loss_weights\": null, \"optimizer_config\": {\"class_name\": \"Adam\", \"config\": "
  "{\"name\": \"Adam\", \"learning_rate\": 0.001, \"beta_1\": 0.9, \"beta_2\": 0.999, "
  "\"epsilon\": 1e-07, \"amsgrad\": false}}}";

typedef struct
{
  char  *dir;
  char  *target;
  GFile *file;
} Fixture;

static StrataModel *
load_test_model (void)
{
  g_autofree char *path = strata_test_src_path ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_load_model (file, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_build_filename (tmp_dir, "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fixture->dir));
  fixture->target = g_build_filename (fixture->dir, "model.stt", NULL);
  fixture->file = g_file_new_for_path (fixture->target);
}

static void
assert_dir_holds (const char *dir,
                  const char *only)
{
  g_auto(GStrv) names = strata_test_list_dir (dir);

  if (only == NULL)
    g_assert_cmpuint (g_strv_length (names), ==, 0);
  else
    {
      g_assert_cmpuint (g_strv_length (names), ==, 1);
      g_assert_cmpstr (names[0], ==, only);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  strata_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->target);
  g_object_unref (fixture->file);
}

static char *
read_file (const char *path)
{
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *contents = NULL;

  g_assert_true (strata_model_save (model, fixture->file, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_dir_holds (fixture->dir, "model.stt");
  contents = read_file (fixture->target);
  g_assert_true (g_str_has_prefix (contents, "STRATA-TEST\n"));

  loaded = strata_load_model (fixture->file, NULL, NULL, &error);
  g_assert_no_error (error);
  before = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  after = strata_model_to_json (loaded, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (before, ==, after);
}

static void
test_atomic_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  const char old[] = "the old file\n";

  g_object_set_data (G_OBJECT (options), "strata-test-mode", (gpointer) "fail");

  /* Nothing there: nothing afterwards. */
  g_assert_false (strata_model_save (model, fixture->file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "halfway"));
  g_clear_error (&error);
  assert_dir_holds (fixture->dir, NULL);

  /* An existing file stays byte-identical. */
  g_assert_true (g_file_set_contents (fixture->target, old, -1, NULL));
  strata_save_options_set_overwrite (options, TRUE);
  g_assert_false (strata_model_save (model, fixture->file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  after = read_file (fixture->target);
  g_assert_cmpstr (after, ==, old);
  assert_dir_holds (fixture->dir, "model.stt");

  /* Same for weights. */
  g_clear_error (&error);
  g_assert_false (strata_model_save_weights (model, fixture->file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_free (after);
  after = read_file (fixture->target);
  g_assert_cmpstr (after, ==, old);
  assert_dir_holds (fixture->dir, "model.stt");
}

static void
test_overwrite_false (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  strata_save_options_set_overwrite (options, FALSE);
  g_assert_true (strata_model_save (model, fixture->file, options, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (fixture->target, "keep me", -1, NULL));
  /* The check comes before any writing: even a format that would fail
   * halfway is not reached. */
  g_object_set_data (G_OBJECT (options), "strata-test-mode", (gpointer) "fail");
  g_assert_false (strata_model_save (model, fixture->file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, fixture->target));
  g_clear_error (&error);
  g_assert_false (strata_model_save_weights (model, fixture->file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  after = read_file (fixture->target);
  g_assert_cmpstr (after, ==, "keep me");
  assert_dir_holds (fixture->dir, "model.stt");
}

static void
test_keeps_permissions (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (g_file_set_contents (fixture->target, "old", -1, NULL));
  g_assert_no_errno (g_chmod (fixture->target, 0640));
  g_assert_true (strata_model_save (model, fixture->file, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_stat (fixture->target, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
}

static void
test_save_over_directory (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir (fixture->target, 0700));
  g_assert_false (strata_model_save (model, fixture->file, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_true (g_file_test (fixture->target, G_FILE_TEST_IS_DIR));
  g_rmdir (fixture->target);
  assert_dir_holds (fixture->dir, NULL);
}

static void
test_cancelled_before (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (strata_model_save (model, fixture->file, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_dir_holds (fixture->dir, NULL);
}

/* ---- directory formats ------------------------------------------------------ */

static void
test_directory_save (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autofree char *target = g_build_filename (fixture->dir, "model.tdir", NULL);
  g_autofree char *old_file = g_build_filename (target, "old.txt", NULL);
  g_autofree char *marker = g_build_filename (target, "testdir.marker", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (target);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) inside = NULL;

  /* A new directory. */
  g_assert_true (strata_model_save (model, file, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_dir_holds (fixture->dir, "model.tdir");
  loaded = strata_load_model (file, NULL, NULL, &error);
  g_assert_no_error (error);
  before = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  after = strata_model_to_json (loaded, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (before, ==, after);

  /* A failure leaves the old directory as it was. */
  strata_test_remove_tree (target);
  g_assert_no_errno (g_mkdir (target, 0700));
  g_assert_true (g_file_set_contents (old_file, "old", -1, NULL));
  g_object_set_data (G_OBJECT (options), "strata-test-mode", (gpointer) "fail");
  g_assert_false (strata_model_save (model, file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  assert_dir_holds (fixture->dir, "model.tdir");
  assert_dir_holds (target, "old.txt");

  /* overwrite=FALSE refuses an existing directory. */
  g_object_set_data (G_OBJECT (options), "strata-test-mode", NULL);
  strata_save_options_set_overwrite (options, FALSE);
  g_assert_false (strata_model_save (model, file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  assert_dir_holds (target, "old.txt");

  /* Success replaces the whole directory: nothing of the old one stays. */
  strata_save_options_set_overwrite (options, TRUE);
  g_assert_true (strata_model_save (model, file, options, NULL, &error));
  g_assert_no_error (error);
  assert_dir_holds (fixture->dir, "model.tdir");
  inside = strata_test_list_dir (target);
  g_assert_cmpuint (g_strv_length (inside), ==, 2);
  g_assert_cmpstr (inside[0], ==, "model.json");
  g_assert_cmpstr (inside[1], ==, "testdir.marker");
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));

  /* A directory format cannot replace a file. */
  strata_test_remove_tree (target);
  g_assert_true (g_file_set_contents (target, "a file", -1, NULL));
  g_assert_false (strata_model_save (model, file, options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  assert_dir_holds (fixture->dir, "model.tdir");
}

/* ---- async ---------------------------------------------------------------- */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GMutex        lock;
  GArray       *fractions;
  GThread      *main_thread;
  gboolean      progress_in_worker;
  StrataSaveOptions *save_options;
  GCancellable *cancellable;
  const char   *dir;
  gboolean      saw_temporary;
} AsyncData;

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->main_thread);
  data->result = g_object_ref (result);
  g_main_loop_quit (data->loop);
}

static void
record_progress (double      fraction,
                 const char *stage,
                 gpointer    user_data)
{
  AsyncData *data = user_data;

  g_mutex_lock (&data->lock);
  g_array_append_val (data->fractions, fraction);
  if (g_thread_self () != data->main_thread)
    data->progress_in_worker = TRUE;
  g_mutex_unlock (&data->lock);
}

static void
async_data_init (AsyncData *data)
{
  memset (data, 0, sizeof *data);
  data->loop = g_main_loop_new (NULL, FALSE);
  g_mutex_init (&data->lock);
  data->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  data->main_thread = g_thread_self ();
}

static void
async_data_reset (AsyncData *data)
{
  g_clear_object (&data->result);
  g_array_set_size (data->fractions, 0);
  data->progress_in_worker = FALSE;
}

static void
async_data_clear (AsyncData *data)
{
  g_clear_object (&data->result);
  g_main_loop_unref (data->loop);
  g_mutex_clear (&data->lock);
  g_array_unref (data->fractions);
}

static void
assert_progress (AsyncData *data,
                 guint      at_least)
{
  g_assert_cmpuint (data->fractions->len, >=, at_least);
  g_assert_true (data->progress_in_worker);
  for (guint i = 1; i < data->fractions->len; i++)
    g_assert_cmpfloat (g_array_index (data->fractions, double, i), >=,
                       g_array_index (data->fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (data->fractions, double, data->fractions->len - 1), ==, 1.0);
}

static void
test_async_progress (Fixture       *fixture,
                     gconstpointer  test_data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataSaveOptions) save_options = strata_save_options_new ();
  g_autoptr(StrataLoadOptions) load_options = strata_load_options_new ();
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *weights_path = g_build_filename (fixture->dir, "w.stt", NULL);
  g_autoptr(GFile) weights_file = g_file_new_for_path (weights_path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AsyncData data;

  async_data_init (&data);
  g_object_set_data (G_OBJECT (save_options), "strata-test-mode", (gpointer) "slow");
  strata_save_options_set_progress_func (save_options, record_progress, &data, NULL);
  strata_load_options_set_progress_func (load_options, record_progress, &data, NULL);

  strata_model_save_async (model, fixture->file, save_options, G_PRIORITY_DEFAULT, NULL,
                           async_done, &data);
  g_main_loop_run (data.loop);
  g_assert_true (strata_model_save_finish (model, data.result, &error));
  g_assert_no_error (error);
  assert_progress (&data, 5);
  assert_dir_holds (fixture->dir, "model.stt");

  async_data_reset (&data);
  strata_load_model_async (fixture->file, load_options, G_PRIORITY_DEFAULT, NULL, async_done, &data);
  g_main_loop_run (data.loop);
  loaded = strata_load_model_finish (data.result, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_MODEL (loaded));
  assert_progress (&data, 2);
  before = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  after = strata_model_to_json (loaded, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (before, ==, after);

  async_data_reset (&data);
  strata_model_save_weights_async (model, weights_file, save_options, G_PRIORITY_DEFAULT, NULL,
                                   async_done, &data);
  g_main_loop_run (data.loop);
  g_assert_true (strata_model_save_weights_finish (model, data.result, &error));
  g_assert_no_error (error);
  assert_progress (&data, 5);

  async_data_reset (&data);
  strata_model_load_weights_async (loaded, weights_file, load_options, G_PRIORITY_DEFAULT, NULL,
                                   async_done, &data);
  g_main_loop_run (data.loop);
  report = strata_model_load_weights_finish (loaded, data.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (g_strv_length ((char **) strata_weights_report_get_matched (report)), ==,
                    strata_model_get_n_layers (loaded));
  g_unlink (weights_path);

  /* An async error arrives through finish. */
  async_data_reset (&data);
  {
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/model.stt");
    g_autoptr(StrataModel) none = NULL;

    strata_load_model_async (missing, NULL, G_PRIORITY_DEFAULT, NULL, async_done, &data);
    g_main_loop_run (data.loop);
    none = strata_load_model_finish (data.result, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
  async_data_clear (&data);
}

static gboolean
cancel_when_halfway (gpointer user_data)
{
  AsyncData *data = user_data;
  g_auto(GStrv) names = NULL;

  if (g_object_get_data (G_OBJECT (data->save_options), "strata-test-halfway") == NULL)
    return G_SOURCE_CONTINUE;
  /* The half-written temporary has no name where the file system allows
   * it (nothing to leave behind if the process died now), else a name
   * that records this process. */
  names = strata_test_list_dir (data->dir);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], ".model.stt.strata-tmp-"))
      data->saw_temporary = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_async_cancel (Fixture       *fixture,
                   gconstpointer  test_data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  AsyncData data;

  async_data_init (&data);
  data.save_options = options;
  data.cancellable = cancellable;
  data.dir = fixture->dir;
  g_assert_true (g_file_set_contents (fixture->target, "old bytes", -1, NULL));
  g_object_set_data (G_OBJECT (options), "strata-test-mode", (gpointer) "block");

  g_timeout_add (5, cancel_when_halfway, &data);
  strata_model_save_async (model, fixture->file, options, G_PRIORITY_DEFAULT, cancellable,
                           async_done, &data);
  g_main_loop_run (data.loop);
  g_assert_false (strata_model_save_finish (model, data.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (data.saw_temporary, !=, strata_test_dir_has_unnamed_files (fixture->dir));

  after = read_file (fixture->target);
  g_assert_cmpstr (after, ==, "old bytes");
  assert_dir_holds (fixture->dir, "model.stt");
  async_data_clear (&data);
}

/* ---- compile -------------------------------------------------------------- */

static void
test_compile (Fixture       *fixture,
              gconstpointer  test_data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(JsonNode) training = json_from_string (training_config_json, NULL);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(StrataModel) compiled = NULL;
  g_autoptr(StrataModel) plain = NULL;
  g_autoptr(GError) error = NULL;

  strata_model_set_training_config (model, json_node_get_object (training));
  g_assert_true (strata_model_save (model, fixture->file, NULL, NULL, &error));
  g_assert_no_error (error);

  /* compile=TRUE (the default): the model comes back compiled. */
  compiled = strata_load_model (fixture->file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strata_model_get_training_config (compiled));
  g_assert_true (strata_model_is_compiled (compiled));

  /* compile=FALSE drops the training config and the optimizer. */
  strata_load_options_set_compile (options, FALSE);
  plain = strata_load_model (fixture->file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strata_model_get_training_config (plain));
  g_assert_null (strata_model_get_optimizer (plain));
  g_assert_false (strata_model_is_compiled (plain));
}

/* ---- capabilities ----------------------------------------------------------- */

static void
test_unsupported (Fixture       *fixture,
                  gconstpointer  test_data)
{
  g_autoptr(StrataModel) model = load_test_model ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = g_build_filename (fixture->dir, "model.json", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  StrataFormat *json_config = strata_format_info_get_format (strata_formats_lookup ("json-config"), NULL);
  g_autoptr(StrataWeightsReport) report = NULL;

  g_assert_nonnull (json_config);
  g_assert_false (strata_format_save_weights (json_config, model, json_file, NULL, NULL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
  g_clear_error (&error);
  assert_dir_holds (fixture->dir, NULL);

  g_assert_false (strata_model_save_weights (model, json_file, NULL, NULL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
  g_clear_error (&error);
  assert_dir_holds (fixture->dir, NULL);

  /* A real json-config file cannot give weights. */
  g_assert_true (strata_model_save (model, json_file, NULL, NULL, &error));
  g_assert_no_error (error);
  report = strata_model_load_weights (model, json_file, NULL, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
  g_clear_error (&error);
  report = strata_format_load_weights (json_config, model, json_file, NULL, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
}

/* strata_load_model() finds the keras-v3 format by content alone, for a
 * renamed archive and for the archive unzipped into a folder. */
static void
test_keras_without_format_name (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(StrataModel) saved = NULL;
  g_autofree char *archive = keras_archive_save (fixture->dir, "model.keras", &saved);
  g_autofree char *renamed = g_build_filename (fixture->dir, "model.bin", NULL);
  g_autofree char *unzipped = g_build_filename (fixture->dir, "unzipped", NULL);
  g_autoptr(GFile) renamed_file = g_file_new_for_path (renamed);
  g_autoptr(GFile) unzipped_file = g_file_new_for_path (unzipped);
  g_autoptr(StrataModel) from_renamed = NULL;
  g_autoptr(StrataModel) from_dir = NULL;
  g_autoptr(StrataModel) fresh = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;

  if (archive == NULL)
    return;
  g_assert_no_errno (g_rename (archive, renamed));
  from_renamed = strata_load_model (renamed_file, NULL, NULL, &error);
  g_assert_no_error (error);
  keras_archive_assert_same_weights (saved, from_renamed);

  keras_archive_unzip (renamed, unzipped);
  from_dir = strata_load_model (unzipped_file, NULL, NULL, &error);
  g_assert_no_error (error);
  keras_archive_assert_same_weights (saved, from_dir);
  g_assert_cmpstr (strata_layer_get_name (STRATA_LAYER (from_dir)), ==,
                   strata_layer_get_name (STRATA_LAYER (saved)));

  /* Its weights, into a model freshly built (other initial weights). */
  fresh = load_test_model ();
  report = strata_model_load_weights (fresh, unzipped_file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  keras_archive_assert_same_weights (saved, fresh);
}

int
main (int argc, char **argv)
{
  int status;

  strata_test_init (&argc, &argv);
  strata_formats_add_search_path (TEST_MODULES_DIR);
  tmp_dir = g_dir_make_tmp ("strata-io-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/io/round-trip", test_round_trip);
  ADD ("/io/atomic/failure", test_atomic_failure);
  ADD ("/io/atomic/cancelled-before", test_cancelled_before);
  ADD ("/io/atomic/async-cancel", test_async_cancel);
  ADD ("/io/atomic/keeps-permissions", test_keeps_permissions);
  ADD ("/io/atomic/over-directory", test_save_over_directory);
  ADD ("/io/overwrite-false", test_overwrite_false);
  ADD ("/io/atomic/directory", test_directory_save);
  ADD ("/io/async-progress", test_async_progress);
  ADD ("/io/compile", test_compile);
  ADD ("/io/unsupported", test_unsupported);
  ADD ("/io/keras-without-format-name", test_keras_without_format_name);
#undef ADD

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
