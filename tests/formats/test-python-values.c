/* test-python-values.c: real Keras files whose configs hold Python values of
 * another type than documented (tests/fixtures/generate.py python_values:
 * "scale": 1, "center": 0, "use_bias": 0/1, "epsilon": 1, "rate": 0), as
 * tf-keras 2.21 and Keras 3.15 write them and load them. Strata reads them
 * as Keras does and writes the values back as the file had them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"
#include "keras-archive.h"

/* The member @key of layer @layer's config, which must be the JSON
 * integer @value (not a boolean or a float). */
static void
assert_int_member (StrataModel *model,
                   const char  *layer,
                   const char  *key,
                   gint64       value)
{
  StrataLayer *l = strata_model_get_layer (model, layer);
  g_autoptr(JsonObject) config = NULL;
  JsonNode *node;

  g_assert_nonnull (l);
  config = strata_layer_get_config (l);
  node = json_object_get_member (config, key);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (g_type_name (json_node_get_value_type (node)), ==, "gint64");
  g_assert_cmpint (json_node_get_int (node), ==, value);
}

/* Reads the values as Keras uses them, and finds the weights that makes. */
static void
assert_python_values (StrataModel *model)
{
  StrataLayer *bn = strata_model_get_layer (model, "bn");
  StrataLayer *dense = strata_model_get_layer (model, "dense");
  StrataLayer *conv = strata_model_get_layer (model, "conv");
  gboolean scale = FALSE, center = TRUE, use_bias = TRUE, conv_bias = FALSE;
  double epsilon = 0;

  g_assert_nonnull (bn);
  g_object_get (bn, "scale", &scale, "center", &center, "epsilon", &epsilon, NULL);
  g_assert_true (scale);
  g_assert_false (center);
  g_assert_cmpfloat (epsilon, ==, 1.0);
  /* `if self.scale:` makes gamma, `if self.center:` no beta. */
  g_assert_nonnull (strata_layer_get_weight (bn, "gamma"));
  g_assert_null (strata_layer_get_weight (bn, "beta"));
  g_assert_cmpuint (strata_layer_get_n_weights (bn), ==, 3);

  g_object_get (dense, "use-bias", &use_bias, NULL);
  g_assert_false (use_bias);
  g_assert_cmpuint (strata_layer_get_n_weights (dense), ==, 1);
  g_object_get (conv, "use-bias", &conv_bias, NULL);
  g_assert_true (conv_bias);
  g_assert_cmpuint (strata_layer_get_n_weights (conv), ==, 2);

  assert_int_member (model, "bn", "scale", 1);
  assert_int_member (model, "bn", "center", 0);
  assert_int_member (model, "dense", "use_bias", 0);
  assert_int_member (model, "conv", "use_bias", 1);
  assert_int_member (model, "drop", "rate", 0);
}

static void
test_fixture (gconstpointer data)
{
  const char *relative = data;
  g_autofree char *path = strata_test_src_path (relative);
  g_autofree char *dir = NULL;
  g_autoptr(StrataModel) model = NULL;
  const char *const targets[] = { "saved.h5", "saved.keras" };

  if (g_str_has_suffix (path, ".keras") && strata_formats_lookup ("keras-v3") == NULL)
    {
      g_test_skip ("the keras-v3 format module is not built");
      return;
    }
  model = strata_test_load_model (path);
  assert_python_values (model);

  /* Written back as the file had them: Strata reads its output the same,
   * and the config holds 1 and 0, not true and false. */
  dir = g_dir_make_tmp ("strata-python-values-XXXXXX", NULL);
  g_assert_nonnull (dir);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(StrataModel) again = keras_archive_save_and_load (model, dir, targets[i]);

      if (again != NULL)
        assert_python_values (again);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  static const char *const fixtures[] = {
    "fixtures/generated/tf_keras/python_values.h5",
    "fixtures/generated/keras/python_values.h5",
    "fixtures/generated/keras/python_values.keras",
  };

  strata_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *name = g_strdup_printf ("/python-values/%s", fixtures[i] + strlen ("fixtures/generated/"));
      g_test_add_data_func (name, fixtures[i], test_fixture);
    }
  return g_test_run ();
}
