/* test-json-config.c: the json-config format: probing, loading real
 * to_json files, round trips through files, errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "test-utils.h"
#include "json-config-io.h"

static char *tmp_dir;

/* to_json files written by real Keras: generated in-tree by Keras 3.15 and
 * tf-keras 2.21, and collected from Keras 1.x and 2.x users. */
static const char * const generated_configs[] = {
  "keras/sequential_dense.config.json",
  "keras/functional_multi_output.config.json",
  "keras/conv_batchnorm_nested.config.json",
  "keras/embedding.config.json",
  "keras/recurrent.config.json",
  "keras/non_ascii_names.config.json",
  "tf_keras/sequential_dense.config.json",
  "tf_keras/functional_multi_output.config.json",
  "tf_keras/conv_batchnorm_nested.config.json",
  "tf_keras/embedding.config.json",
  "tf_keras/recurrent.config.json",
  "tf_keras/long_layer_names.config.json",
};

static const char * const real_configs[] = {
  "dl4j-test-resources/keras/configs/keras1/mnist_mlp_tf_config.json",
  "dl4j-test-resources/keras/configs/keras1/mlp_fapi_config.json",
  "dl4j-test-resources/keras/configs/keras2/keras2_mnist_cnn_tf_config.json",
  "dl4j-test-resources/keras/configs/keras2/keras2_mlp_fapi_config.json",
  "dl4j-test-resources/keras/configs/keras2/simple_add_tf_keras_2.json",
};

static void
test_probe (void)
{
  const char config[] = "{\"class_name\": \"Sequential\", \"config\": {}}";
  const char bom[] = "\xef\xbb\xbf \n\t{\"class_name\": \"Model\", \"config\": {}}";
  const char no_config[] = "{\"class_name\": \"Sequential\"";
  const char other_json[] = "{\"name\": \"x\", \"config\": {}}";
  const char array[] = "[{\"class_name\": \"Dense\", \"config\": {}}]";
  const char binary[] = "{\"class_name\": \"config\"\0\x01";
  const char zip[] = "PK\x03\x04{\"class_name\": \"config\"}";

  g_assert_cmpint (json_config_probe ((const guint8 *) config, strlen (config)), ==, 60);
  g_assert_cmpint (json_config_probe ((const guint8 *) bom, strlen (bom)), ==, 60);
  g_assert_cmpint (json_config_probe ((const guint8 *) no_config, strlen (no_config)), ==, 40);
  g_assert_cmpint (json_config_probe ((const guint8 *) other_json, strlen (other_json)), ==, 0);
  g_assert_cmpint (json_config_probe ((const guint8 *) array, strlen (array)), ==, 0);
  g_assert_cmpint (json_config_probe ((const guint8 *) binary, sizeof binary - 1), ==, 0);
  g_assert_cmpint (json_config_probe ((const guint8 *) zip, sizeof zip - 1), ==, 0);
  g_assert_cmpint (json_config_probe ((const guint8 *) "", 0), ==, 0);
  g_assert_cmpint (json_config_probe ((const guint8 *) "   ", 3), ==, 0);
}

static void
assert_same_structure (StrataModel *a,
                       StrataModel *b)
{
  guint n = strata_model_get_n_layers (a);

  g_assert_cmpstr (strata_layer_get_class_name (STRATA_LAYER (a)), ==,
                   strata_layer_get_class_name (STRATA_LAYER (b)));
  g_assert_cmpuint (strata_model_get_n_layers (b), ==, n);
  for (guint i = 0; i < n; i++)
    {
      StrataLayer *la = strata_model_get_layer_at (a, i);
      StrataLayer *lb = strata_model_get_layer_at (b, i);
      g_autoptr(GPtrArray) wa = strata_layer_get_weights (la);
      g_autoptr(GPtrArray) wb = strata_layer_get_weights (lb);

      g_assert_cmpstr (strata_layer_get_name (la), ==, strata_layer_get_name (lb));
      g_assert_cmpstr (strata_layer_get_class_name (la), ==, strata_layer_get_class_name (lb));
      g_assert_cmpuint (wa->len, ==, wb->len);
      for (guint w = 0; w < wa->len; w++)
        {
          g_autofree char *sa = strata_shape_to_string (strata_tensor_get_shape (g_ptr_array_index (wa, w)));
          g_autofree char *sb = strata_shape_to_string (strata_tensor_get_shape (g_ptr_array_index (wb, w)));
          g_assert_cmpstr (sa, ==, sb);
          /* Weights are initialised, so they hold data. */
          g_assert_true (strata_tensor_has_data (g_ptr_array_index (wb, w)));
        }
    }
}

static void
round_trip (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *out_path = g_build_filename (tmp_dir, "round-trip.json", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *written = NULL;
  StrataFormat *format;

  g_test_message ("round trip of %s", path);
  format = strata_formats_find_for_file (file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "json-config");

  model = strata_load_model (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_MODEL (model));
  g_assert_cmpuint (strata_model_get_n_layers (model), >, 0);
  /* An architecture-only file gives no optimizer and no training config. */
  g_assert_null (strata_model_get_optimizer (model));
  g_assert_false (strata_model_is_compiled (model));

  g_assert_true (strata_model_save (model, out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  first = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  /* The file is what to_json gives, as Keras writes it. */
  g_assert_cmpstr (written, ==, first);

  again = strata_load_model (out, NULL, NULL, &error);
  g_assert_no_error (error);
  second = strata_model_to_json (again, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (first, ==, second);
  assert_same_structure (model, again);
  g_unlink (out_path);
}

static void
test_round_trip_generated (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (generated_configs); i++)
    {
      g_autofree char *relative = g_build_filename ("fixtures", "generated", generated_configs[i], NULL);
      g_autofree char *path = strata_test_src_path (relative);
      round_trip (path);
    }
}

static void
test_round_trip_real (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (real_configs); i++)
    {
      g_autofree char *path = strata_test_real_fixture_path (real_configs[i]);
      if (path == NULL)
        return;
      round_trip (path);
    }
}

static void
test_dialect_option (void)
{
  g_autofree char *path = strata_test_src_path ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *out_path = g_build_filename (tmp_dir, "keras3.json", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;

  model = strata_load_model (file, NULL, NULL, &error);
  g_assert_no_error (error);
  strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS3);
  g_assert_true (strata_model_save (model, out, options, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  expected = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  g_assert_cmpstr (written, ==, expected);
  g_unlink (out_path);
}

static char *
write_temp (const char *basename,
            const char *contents)
{
  char *path = g_build_filename (tmp_dir, basename, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_errors (void)
{
  g_autofree char *bad = write_temp ("bad.json", "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [}");
  g_autofree char *unknown = write_temp ("unknown.json",
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
    "{\"class_name\": \"NoSuchLayerAnywhere\", \"config\": {\"name\": \"mystery\", "
    "\"batch_input_shape\": [null, 3]}}]}, \"keras_version\": \"2.13.1\", \"backend\": \"tensorflow\"}");
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GFile) unknown_file = g_file_new_for_path (unknown);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;

  g_assert_null (strata_load_model (bad_file, NULL, NULL, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  g_assert_null (strata_load_model (unknown_file, NULL, NULL, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_assert_nonnull (strstr (error->message, unknown));
  g_assert_nonnull (strstr (error->message, "NoSuchLayerAnywhere"));
  g_clear_error (&error);

  /* The load options' flags reach the config reader. */
  strata_load_options_set_flags (options, STRATA_LOAD_ALLOW_UNKNOWN);
  model = strata_load_model (unknown_file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strata_model_get_layer (model, "mystery"));

  g_unlink (bad);
  g_unlink (unknown);
}

/* A file over the limit is refused before it is read, and the message
 * gives its size (a sparse file: nothing is written to disk). */
static void
test_size_limit (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "huge.json", NULL);
  g_autofree char *size = g_strdup_printf ("%u", JSON_CONFIG_MAX_FILE_SIZE + 1);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, (off_t) JSON_CONFIG_MAX_FILE_SIZE + 1));
  close (fd);

  g_assert_false (json_config_read_file (path, &contents, &length, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT);
  g_assert_null (contents);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, size));
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  int status;

  strata_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("strata-json-config-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/json-config/probe", test_probe);
  g_test_add_func ("/json-config/round-trip/generated", test_round_trip_generated);
  g_test_add_func ("/json-config/round-trip/real", test_round_trip_real);
  g_test_add_func ("/json-config/dialect-option", test_dialect_option);
  g_test_add_func ("/json-config/errors", test_errors);
  g_test_add_func ("/json-config/size-limit", test_size_limit);

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
