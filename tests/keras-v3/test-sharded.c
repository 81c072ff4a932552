/* test-sharded.c: Keras 3 sharded weights (x.weights.json and its shards)
 *
 * The fixtures of tests/fixtures/generated/sharded (sharded-fixtures.py)
 * were written by Keras 3.15 from one model: sharded, and unsharded as
 * M.weights.h5, the reference every variable is compared with, bytewise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "test-utils.h"

static const char *const models[] = { "sequential_dense", "conv_batchnorm_nested", "compiled_adam" };

static char *
fixture (const char *name)
{
  g_autofree char *relative = g_build_filename ("fixtures", "generated", "sharded", name, NULL);

  return strata_test_src_path (relative);
}

/* The GFile of a sharded fixture. */
static GFile *
fixture_file (const char *name)
{
  g_autofree char *path = fixture (name);

  return g_file_new_for_path (path);
}

static GFile *
file_in (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_new_for_path (path);
}

static void
assert_same_tensors (GPtrArray *got, GPtrArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      StrataTensor *a = g_ptr_array_index (got, i);
      StrataTensor *b = g_ptr_array_index (want, i);

      g_assert_cmpint (strata_tensor_get_dtype (a), ==, strata_tensor_get_dtype (b));
      g_assert_true (strata_shape_equal (strata_tensor_get_shape (a), strata_tensor_get_shape (b)));
      g_assert_true (g_bytes_equal (strata_tensor_get_data (a), strata_tensor_get_data (b)));
    }
}

/* Every vars group, variable and optimizer variable of the shards is the
 * unsharded file's. */
static void
assert_same_contents (StrataModel *got, StrataModel *want)
{
  g_assert_cmpuint (strata_model_get_n_layers (got), ==, strata_model_get_n_layers (want));
  for (guint i = 0; i < strata_model_get_n_layers (got); i++)
    {
      StrataLayer *a = strata_model_get_layer_at (got, i);
      StrataLayer *b = strata_model_get_layer_at (want, i);
      g_autoptr(GPtrArray) wa = strata_layer_get_weights (a);
      g_autoptr(GPtrArray) wb = strata_layer_get_weights (b);

      g_assert_cmpstr (strata_layer_get_name (a), ==, strata_layer_get_name (b));
      assert_same_tensors (wa, wb);
    }
  g_assert_cmpint (strata_model_get_optimizer (got) != NULL, ==, strata_model_get_optimizer (want) != NULL);
  if (strata_model_get_optimizer (got) != NULL)
    assert_same_tensors (strata_optimizer_get_weights (strata_model_get_optimizer (got)),
                         strata_optimizer_get_weights (strata_model_get_optimizer (want)));
}

static void
test_inspect (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      g_autofree char *index_name = g_strconcat (models[m], ".weights.json", NULL);
      g_autofree char *plain_name = g_strconcat (models[m], ".weights.h5", NULL);
      g_autofree char *index = fixture (index_name);
      g_autofree char *plain = fixture (plain_name);
      g_autoptr(StrataModel) sharded = strata_test_load_model (index);
      g_autoptr(StrataModel) whole = strata_test_load_model (plain);

      g_test_message ("%s", index);
      g_assert_cmpuint (strata_model_get_n_layers (sharded), >, 1);
      assert_same_contents (sharded, whole);
    }
}

/* load_weights into the model of the same config. */
static void
test_load_weights (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      g_autofree char *config_name = g_strconcat ("fixtures/generated/keras/", models[m], ".config.json", NULL);
      g_autofree char *config = strata_test_src_path (config_name);
      g_autofree char *index_name = g_strconcat (models[m], ".weights.json", NULL);
      g_autofree char *plain_name = g_strconcat (models[m], ".weights.h5", NULL);
      g_autoptr(GFile) index = fixture_file (index_name);
      g_autoptr(GFile) plain = fixture_file (plain_name);
      g_autoptr(StrataModel) a = strata_test_load_model (config);
      g_autoptr(StrataModel) b = strata_test_load_model (config);
      g_autoptr(StrataWeightsReport) ra = NULL;
      g_autoptr(StrataWeightsReport) rb = NULL;
      g_autoptr(GPtrArray) wa = NULL;
      g_autoptr(GPtrArray) wb = NULL;
      g_autoptr(GError) error = NULL;

      ra = strata_model_load_weights (a, index, NULL, NULL, &error);
      g_assert_no_error (error);
      rb = strata_model_load_weights (b, plain, NULL, NULL, &error);
      g_assert_no_error (error);
      wa = strata_layer_get_weights (STRATA_LAYER (a));
      wb = strata_layer_get_weights (STRATA_LAYER (b));
      g_assert_cmpuint (wa->len, >, 0);
      assert_same_tensors (wa, wb);
    }
}

/* A .weights.json goes to keras-v3, not to json-config. */
static void
test_sniff (void)
{
  g_autoptr(GFile) index = fixture_file ("compiled_adam.weights.json");
  g_autoptr(GFile) out = g_file_new_for_path ("/nonexistent/x.weights.json");
  g_autoptr(GError) error = NULL;
  StrataFormat *format;

  format = strata_formats_find_for_file (index, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "keras-v3");
  format = strata_formats_find_for_save (out, NULL, STRATA_FORMAT_CAN_SAVE_WEIGHTS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "keras-v3");
}

/* A copy of the sequential_dense set (shard 0: layers/dense/vars/0; shard
 * 1: the rest) in a new folder; returns the folder. */
static char *
copy_set (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-sharded-XXXXXX", NULL);
  static const char *const names[] = {
    "sequential_dense.weights.json", "sequential_dense_00000.weights.h5", "sequential_dense_00001.weights.h5",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = fixture (names[i]);
      g_autofree char *to = g_build_filename (dir, names[i], NULL);
      g_autofree char *data = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (from, &data, &length, NULL));
      g_assert_true (g_file_set_contents (to, data, length, NULL));
    }
  return g_steal_pointer (&dir);
}

static void
replace_in (const char *path, const char *from, const char *to)
{
  g_autofree char *data = NULL;
  g_autofree char *changed = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  parts = g_strsplit (data, from, 2);
  g_assert_nonnull (parts[1]);
  changed = g_strjoinv (to, parts);
  g_assert_true (g_file_set_contents (path, changed, -1, NULL));
}

typedef void (*Damage) (const char *dir);

static void
damage_missing (const char *dir)
{
  g_autofree char *shard = g_build_filename (dir, "sequential_dense_00001.weights.h5", NULL);

  g_assert_cmpint (g_unlink (shard), ==, 0);
}

static void
damage_extra (const char *dir)
{
  g_autofree char *from = g_build_filename (dir, "sequential_dense_00001.weights.h5", NULL);
  g_autofree char *to = g_build_filename (dir, "sequential_dense_00002.weights.h5", NULL);

  g_assert_cmpint (link (from, to), ==, 0);
}

static void
damage_truncated (const char *dir)
{
  g_autofree char *shard = g_build_filename (dir, "sequential_dense_00001.weights.h5", NULL);

  g_assert_cmpint (truncate (shard, 3000), ==, 0);
}

static void
damage_parent (const char *dir)
{
  g_autofree char *index = g_build_filename (dir, "sequential_dense.weights.json", NULL);

  replace_in (index, "\"sequential_dense_00001.weights.h5\"", "\"../sequential_dense_00001.weights.h5\"");
}

static void
damage_absolute (const char *dir)
{
  g_autofree char *index = g_build_filename (dir, "sequential_dense.weights.json", NULL);
  g_autofree char *absolute = g_strdup_printf ("\"%s/sequential_dense_00001.weights.h5\"", dir);

  replace_in (index, "\"sequential_dense_00001.weights.h5\"", absolute);
}

static void
damage_total_size (const char *dir)
{
  g_autofree char *index = g_build_filename (dir, "sequential_dense.weights.json", NULL);

  replace_in (index, "\"total_size\": ", "\"total_size\": 1");
}

/* Shard 1 becomes a copy of shard 0: layers/dense/vars/0 in both (the
 * index lists both for that group). */
static void
damage_twice (const char *dir)
{
  g_autofree char *from = g_build_filename (dir, "sequential_dense_00000.weights.h5", NULL);
  g_autofree char *to = g_build_filename (dir, "sequential_dense_00001.weights.h5", NULL);
  g_autofree char *data = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &data, &length, NULL));
  g_assert_true (g_file_set_contents (to, data, length, NULL));
}

static void
damage_not_json (const char *dir)
{
  g_autofree char *index = g_build_filename (dir, "sequential_dense.weights.json", NULL);

  replace_in (index, "\"weight_map\"", "weight_map");
}

typedef struct {
  const char *name;
  Damage      damage;
  const char *message;   /* a part of the error message */
} DamageCase;

static const DamageCase damages[] = {
  { "missing", damage_missing, "sequential_dense_00001.weights.h5” that the index" },
  { "extra", damage_extra, "sequential_dense_00002.weights.h5” is named as a shard" },
  { "truncated", damage_truncated, "sequential_dense_00001.weights.h5" },
  { "parent", damage_parent, "“../sequential_dense_00001.weights.h5” for /layers/dense/vars, which is not a file in the index’s folder" },
  { "absolute", damage_absolute, "which is not a file in the index’s folder" },
  { "total-size", damage_total_size, "gives the weights a total size of 1848 bytes, but its shards hold 848 bytes" },
  { "twice", damage_twice, "The variable /layers/dense/vars/0 is in two shards" },
  { "not-json", damage_not_json, "is not valid JSON" },
};

static void
test_damaged (gconstpointer data)
{
  const DamageCase *c = data;
  g_autofree char *dir = copy_set ();
  g_autofree char *config = strata_test_src_path ("fixtures/generated/keras/sequential_dense.config.json");
  g_autoptr(GFile) index = file_in (dir, "sequential_dense.weights.json");
  g_autoptr(StrataModel) model = strata_test_load_model (config);
  g_autoptr(GPtrArray) before = strata_layer_get_weights (STRATA_LAYER (model));
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) inspected = NULL;

  c->damage (dir);
  report = strata_model_load_weights (model, index, NULL, NULL, &error);
  g_assert_null (report);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, c->message) != NULL);
  /* Nothing else: the model keeps its weights. */
  after = strata_layer_get_weights (STRATA_LAYER (model));
  assert_same_tensors (after, before);
  g_clear_error (&error);
  inspected = strata_load_model (index, NULL, NULL, &error);
  g_assert_null (inspected);
  g_assert_nonnull (error);
  strata_test_remove_tree (dir);
}

static char **
shards_in (const char *dir)
{
  return strata_test_list_dir (dir);
}

/* The shards at @index_path hold what Strata writes unsharded for @model. */
static void
assert_same_contents_as_whole (StrataModel *model, const char *index_path, const char *dir)
{
  g_autofree char *whole_dir = g_build_filename (dir, "whole", NULL);
  g_autofree char *whole_path = g_build_filename (whole_dir, "m.weights.h5", NULL);
  g_autoptr(GFile) whole = g_file_new_for_path (whole_path);
  g_autoptr(StrataModel) sharded = strata_test_load_model (index_path);
  g_autoptr(StrataModel) unsharded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (whole_dir, 0755), ==, 0);
  g_assert_true (strata_model_save_weights (model, whole, NULL, NULL, &error));
  g_assert_no_error (error);
  unsharded = strata_test_load_model (whole_path);
  assert_same_contents (sharded, unsharded);
  g_assert_cmpuint (strata_model_get_n_layers (sharded), ==, 2);
  g_assert_cmpuint (strata_optimizer_get_weights (strata_model_get_optimizer (sharded))->len, >, 2);
  strata_test_remove_tree (whole_dir);
}

/* Strata's shards read back as the model's weights; a second save with
 * fewer shards leaves no old shard behind; a save that fails leaves the
 * old set as it was. */
static void
test_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-sharded-XXXXXX", NULL);
  g_autofree char *archive = strata_test_src_path ("fixtures/generated/keras/compiled_adam.keras");
  g_autoptr(StrataModel) model = strata_test_load_model (archive);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autofree char *index_path = g_build_filename (dir, "m.weights.json", NULL);
  g_autoptr(GFile) index = g_file_new_for_path (index_path);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *blocker = g_build_filename (dir, "m_00001.weights.h5", NULL);
  g_autofree char *old_index = NULL;
  g_autofree char *kept_index = NULL;

  strata_save_options_set_max_shard_size (options, 200);
  g_assert_true (strata_model_save_weights (model, index, options, NULL, &error));
  g_assert_no_error (error);
  names = shards_in (dir);
  g_assert_cmpuint (g_strv_length (names), ==, 5);
  g_assert_cmpstr (names[4], ==, "m_00003.weights.h5");
  assert_same_contents_as_whole (model, index_path, dir);

  /* Fewer shards: the old ones go. */
  strata_save_options_set_max_shard_size (options, 0);
  g_assert_true (strata_model_save_weights (model, index, options, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&names, g_strfreev);
  names = shards_in (dir);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "m.weights.json");
  g_assert_cmpstr (names[1], ==, "m_00000.weights.h5");

  /* A shard that cannot be replaced (a folder in its place): the save
   * fails and the old set stays whole. */
  g_assert_true (g_file_get_contents (index_path, &old_index, NULL, NULL));
  g_assert_cmpint (g_mkdir (blocker, 0755), ==, 0);
  strata_save_options_set_max_shard_size (options, 200);
  g_assert_false (strata_model_save_weights (model, index, options, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (g_rmdir (blocker), ==, 0);
  g_assert_true (g_file_get_contents (index_path, &kept_index, NULL, NULL));
  g_assert_cmpstr (kept_index, ==, old_index);
  g_clear_pointer (&names, g_strfreev);
  names = shards_in (dir);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  assert_same_contents_as_whole (model, index_path, dir);

  /* A size for a file that is not sharded is refused. */
  {
    g_autofree char *h5 = g_build_filename (dir, "m.weights.h5", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (h5);

    g_assert_false (strata_model_save_weights (model, file, options, NULL, &error));
    g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
    g_assert_false (g_file_test (h5, G_FILE_TEST_EXISTS));
  }
  strata_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/sharded/inspect", test_inspect);
  g_test_add_func ("/sharded/load-weights", test_load_weights);
  g_test_add_func ("/sharded/sniff", test_sniff);
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sharded/damaged/%s", damages[i].name);

      g_test_add_data_func (path, &damages[i], test_damaged);
    }
  g_test_add_func ("/sharded/save", test_save);
  return g_test_run ();
}
