/* test-kv3-plan.c: the Keras 3 weights layout planned for layers that own
 * sub-layers. The expected paths are what Keras 3.15.1 wrote for the same
 * models (listed with h5py from model.save_weights()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "kv3-plan.h"

typedef struct {
  const char *path;    /* "layers/x/vars" */
  const char *name;    /* its "name" attribute */
} Group;

/* Every weight of @plan, in the model's order, is at @slots[i]
 * ("group/index"), and the vars groups are exactly @groups. */
static void
assert_plan (Kv3Plan *plan, const char *const *slots, guint n_slots, const Group *groups,
             guint n_groups)
{
  guint k = 0;

  for (guint l = 0; l < plan->layers->len; l++)
    {
      Kv3LayerPlan *lp = g_ptr_array_index (plan->layers, l);

      g_assert_cmpuint (lp->groups->len, ==, lp->weights->len);
      for (guint i = 0; i < lp->groups->len; i++, k++)
        {
          g_autofree char *slot = g_strdup_printf ("%s/%u", (char *) g_ptr_array_index (lp->groups, i),
                                                   g_array_index (lp->indices, guint, i));

          g_assert_cmpuint (k, <, n_slots);
          g_assert_cmpstr (slot, ==, slots[k]);
        }
    }
  g_assert_cmpuint (k, ==, n_slots);
  g_assert_cmpuint (plan->vars_paths->len, ==, n_groups);
  for (guint g = 0; g < n_groups; g++)
    {
      guint index;

      if (!g_ptr_array_find_with_equal_func (plan->vars_paths, groups[g].path, g_str_equal, &index))
        g_error ("%s is not planned", groups[g].path);
      g_assert_cmpstr (g_ptr_array_index (plan->vars_names, index), ==, groups[g].name);
    }
}

static StrataModel *
model_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  return model;
}

/* The attention_keywords fixture's config, MultiHeadAttention's use_bias
 * set as given. */
static StrataModel *
attention_model (gboolean use_bias)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "generated", "keras",
                                                 "attention_keywords.config.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *layers;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  root = strata_json_parse (text, -1, &error);
  g_assert_no_error (error);
  layers = json_object_get_array_member (json_object_get_object_member (json_node_get_object (root), "config"),
                                         "layers");
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);

      if (g_str_equal (json_object_get_string_member (layer, "class_name"), "MultiHeadAttention"))
        json_object_set_boolean_member (json_object_get_object_member (layer, "config"), "use_bias", use_bias);
    }
  json = json_to_string (root, FALSE);
  return model_from_json (json);
}

static const Group attention_groups[] = {
  { "vars", "attention_keywords" },
  { "layers/input_layer/vars", "query" },
  { "layers/input_layer_1/vars", "keys" },
  { "layers/input_layer_2/vars", "values" },
  { "layers/multi_head_attention/vars", "attention" },
  { "layers/multi_head_attention/key_dense/vars", "key" },
  { "layers/multi_head_attention/output_dense/vars", "attention_output" },
  { "layers/multi_head_attention/query_dense/vars", "query" },
  { "layers/multi_head_attention/value_dense/vars", "value" },
  { "layers/multi_head_attention/_dropout_layer/vars", "dropout" },
  { "layers/multi_head_attention/_softmax/vars", "softmax" },
  { "layers/dense/vars", "head" },
};

static void
assert_model_plan (StrataModel *model, const char *const *slots, guint n_slots, const Group *groups,
                   guint n_groups)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Kv3Plan) plan = kv3_plan_new (model, STRATA_KERAS_DIALECT_KERAS3, &error);

  g_assert_no_error (error);
  assert_plan (plan, slots, n_slots, groups, n_groups);
}

/* MultiHeadAttention's four projections hold a kernel (vars/0) and, with
 * use_bias, a bias (vars/1); the head Dense keeps both. The groups are the
 * same either way. */
static void
assert_attention_plan (gboolean use_bias)
{
  static const char *const projections[] = { "query_dense", "key_dense", "value_dense", "output_dense" };
  g_autoptr(StrataModel) model = attention_model (use_bias);
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (projections); i++)
    {
      g_ptr_array_add (slots, g_strdup_printf ("layers/multi_head_attention/%s/vars/0", projections[i]));
      if (use_bias)
        g_ptr_array_add (slots, g_strdup_printf ("layers/multi_head_attention/%s/vars/1", projections[i]));
    }
  g_ptr_array_add (slots, g_strdup ("layers/dense/vars/0"));
  g_ptr_array_add (slots, g_strdup ("layers/dense/vars/1"));
  assert_model_plan (model, (const char *const *) slots->pdata, slots->len, attention_groups,
                     G_N_ELEMENTS (attention_groups));
}

static void
test_attention (void)
{
  assert_attention_plan (TRUE);
}

static void
test_attention_no_bias (void)
{
  assert_attention_plan (FALSE);
}

/* Wrappers and cells: TimeDistributed(Bidirectional(LSTM)), a Bidirectional
 * with its own backward layer of another class, an RNN of stacked cells. */
static const char recurrent_json[] =
  "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", \"layers\": ["
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3, 5, 4], \"name\": \"in\"}},"
  " {\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\":"
  "   {\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"inner_bidi\","
  "     \"layer\": {\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 2}}}}}},"
  " {\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bidi\","
  "   \"layer\": {\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 2,"
  "     \"return_sequences\": true}},"
  "   \"backward_layer\": {\"class_name\": \"SimpleRNN\", \"config\": {\"name\": \"simple_rnn\","
  "     \"units\": 2, \"return_sequences\": true, \"go_backwards\": true}}}},"
  " {\"class_name\": \"RNN\", \"config\": {\"name\": \"stack\", \"return_sequences\": true, \"cell\": ["
  "   {\"class_name\": \"LSTMCell\", \"config\": {\"name\": \"lstm_cell\", \"units\": 3}},"
  "   {\"class_name\": \"GRUCell\", \"config\": {\"name\": \"gru_cell\", \"units\": 2}},"
  "   {\"class_name\": \"GRUCell\", \"config\": {\"name\": \"gru_cell_1\", \"units\": 2,"
  "     \"use_bias\": false}}]}},"
  " {\"class_name\": \"Dense\", \"config\": {\"name\": \"head\", \"units\": 1}}"
  "]}}";

static void
test_recurrent_wrappers (void)
{
  static const char *const slots[] = {
    "layers/time_distributed/layer/forward_layer/cell/vars/0",
    "layers/time_distributed/layer/forward_layer/cell/vars/1",
    "layers/time_distributed/layer/forward_layer/cell/vars/2",
    "layers/time_distributed/layer/backward_layer/cell/vars/0",
    "layers/time_distributed/layer/backward_layer/cell/vars/1",
    "layers/time_distributed/layer/backward_layer/cell/vars/2",
    "layers/bidirectional/forward_layer/cell/vars/0",
    "layers/bidirectional/forward_layer/cell/vars/1",
    "layers/bidirectional/forward_layer/cell/vars/2",
    "layers/bidirectional/backward_layer/cell/vars/0",
    "layers/bidirectional/backward_layer/cell/vars/1",
    "layers/bidirectional/backward_layer/cell/vars/2",
    "layers/rnn/cell/cells/lstm_cell/vars/0",
    "layers/rnn/cell/cells/lstm_cell/vars/1",
    "layers/rnn/cell/cells/lstm_cell/vars/2",
    "layers/rnn/cell/cells/gru_cell/vars/0",
    "layers/rnn/cell/cells/gru_cell/vars/1",
    "layers/rnn/cell/cells/gru_cell/vars/2",
    "layers/rnn/cell/cells/gru_cell_1/vars/0",
    "layers/rnn/cell/cells/gru_cell_1/vars/1",
    "layers/dense/vars/0",
    "layers/dense/vars/1",
  };
  static const Group groups[] = {
    { "vars", "seq" },
    { "layers/time_distributed/vars", "td" },
    { "layers/time_distributed/layer/vars", "inner_bidi" },
    { "layers/time_distributed/layer/forward_layer/vars", "forward_lstm" },
    { "layers/time_distributed/layer/forward_layer/cell/vars", "lstm_cell" },
    { "layers/time_distributed/layer/backward_layer/vars", "backward_lstm" },
    { "layers/time_distributed/layer/backward_layer/cell/vars", "lstm_cell" },
    { "layers/bidirectional/vars", "bidi" },
    { "layers/bidirectional/forward_layer/vars", "forward_gru" },
    { "layers/bidirectional/forward_layer/cell/vars", "gru_cell" },
    { "layers/bidirectional/backward_layer/vars", "simple_rnn" },
    { "layers/bidirectional/backward_layer/cell/vars", "simple_rnn_cell" },
    { "layers/rnn/vars", "stack" },
    { "layers/rnn/cell/vars", "stacked_rnn_cells" },
    { "layers/rnn/cell/cells/lstm_cell/vars", "lstm_cell" },
    { "layers/rnn/cell/cells/gru_cell/vars", "gru_cell" },
    { "layers/rnn/cell/cells/gru_cell_1/vars", "gru_cell_1" },
    { "layers/dense/vars", "head" },
  };
  g_autoptr(StrataModel) model = model_from_json (recurrent_json);

  assert_model_plan (model, slots, G_N_ELEMENTS (slots), groups, G_N_ELEMENTS (groups));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/keras-v3/plan/multi-head-attention", test_attention);
  g_test_add_func ("/keras-v3/plan/multi-head-attention-no-bias", test_attention_no_bias);
  g_test_add_func ("/keras-v3/plan/recurrent-wrappers", test_recurrent_wrappers);
  return g_test_run ();
}
