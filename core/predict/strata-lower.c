/* strata-lower.c: from a model's graph to a plan
 *
 * The model's config is written in the tf-keras dialect, whose node
 * entries are [layer, node_index, tensor_index, kwargs]; node_index counts
 * the layer's nodes inside that model. Nested models are lowered inline
 * (their layers' ops join the plan), shared layers once per call.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-lower-private.h"
#include "strata-plan-kernels.h"
#include "strata-predict-private.h"
#include "strata-model-cudnn-private.h"
#include "strata-model-private.h"

/* A value id standing for the output of a layer that cannot run: the
 * layers downstream are skipped so every unsupported layer is named. */
#define POISON (G_MAXUINT - 1)

typedef struct {
  StrataPlan *plan;
  GPtrArray  *unsupported;   /* "name (Class): why" */
  GHashTable *masks;         /* value id + 1 -> its Keras mask's id + 1 */
  int         depth;
} Lower;

static guint
mask_of (Lower *lower, guint value)
{
  gpointer mask = g_hash_table_lookup (lower->masks, GUINT_TO_POINTER (value + 1));

  return mask != NULL ? GPOINTER_TO_UINT (mask) - 1 : G_MAXUINT;
}

/* The output masks of a lowered call (spec 6.4): the function's own, else
 * the first input's for layers that pass it on. FALSE when a layer that
 * would use the mask does not implement it. */
static gboolean
set_masks (Lower *lower, StrataLowerCall *call, GError **error)
{
  gboolean masked = FALSE;

  for (guint i = 0; i < call->n_inputs; i++)
    masked |= call->masks[i] != G_MAXUINT;
  if (!call->masks_set)
    {
      if (masked && !strata_lower_passes_mask (call->class_name))
        return strata_lower_unsupported (call, error, "an input with a mask (from Embedding mask_zero "
                                         "or Masking); this layer does not implement masks yet");
      for (guint i = 0; i < call->n_outputs; i++)
        call->out_masks[i] = call->masks[0];
    }
  for (guint i = 0; i < call->n_outputs; i++)
    if (call->out_masks[i] != G_MAXUINT)
      g_hash_table_replace (lower->masks, GUINT_TO_POINTER (call->outputs[i] + 1),
                            GUINT_TO_POINTER (call->out_masks[i] + 1));
  return TRUE;
}

static gboolean lower_model (Lower *lower, StrataModel *model, JsonObject *entry,
                             guint n_inputs, const guint *inputs, GArray *outputs, GError **error);

static void
add_unsupported (Lower *lower, const char *name, const char *class_name, const char *why)
{
  g_ptr_array_add (lower->unsupported,
                   why != NULL ? g_strdup_printf ("“%s” (%s: %s)", name, class_name, why)
                               : g_strdup_printf ("“%s” (%s)", name, class_name));
}

static JsonObject *
object_at (JsonArray *array, guint i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
is_model_class (const char *class_name)
{
  return g_strcmp0 (class_name, "Sequential") == 0 || g_strcmp0 (class_name, "Functional") == 0 ||
         g_strcmp0 (class_name, "Model") == 0;
}

/* The call's inputs, keyword arguments, the masks its `mask` keyword
 * passes (NULL, or one per input, G_MAXUINT where none) and the Keras 3
 * node's positional arguments as written (constants included), or NULL. */
typedef struct {
  JsonObject  *kwargs;
  guint        n_inputs;
  const guint *inputs;
  const guint *explicit_masks;
  JsonArray   *args;
  guint        attention_mask;
} Call;

/* Lowers one call of the layer @entry ({class_name, config, ...}). */
static gboolean
lower_call (Lower *lower, StrataModel *model, JsonObject *entry, const Call *c,
            GArray *outputs, GError **error)
{
  guint n_inputs = c->n_inputs;
  const guint *inputs = c->inputs;
  const char *class_name = strata_lower_class_name (entry);
  JsonObject *config = strata_lower_object_member (entry, "config");
  const char *name = strata_lower_string_or_empty (config, "name");
  StrataLayer *layer = strata_model_get_layer (model, name);
  StrataLowerCall call = { 0 };
  StrataLowerFunc func;
  g_autoptr(GError) local = NULL;
  g_autofree guint *masks = NULL;

  /* A plan computes in one float type: float64 when every layer is (see
   * computes_in_f64), else float32, where a float64 layer would lose the
   * precision Keras keeps. Checked before the inputs, to name every such
   * layer. (float16 and bfloat16 weights are converted.) */
  if (layer != NULL && !is_model_class (class_name) && lower->plan->compute == STRATA_PLAN_F32 &&
      g_strcmp0 (strata_layer_get_dtype (layer), "float64") == 0)
    {
      add_unsupported (lower, name, class_name,
                       "dtype policy “float64” in a model whose other layers are not float64");
      goto poison;
    }
  for (guint i = 0; i < n_inputs; i++)
    if (inputs[i] == POISON)
      goto poison;
  if (c->attention_mask == POISON)
    goto poison;
  if (layer == NULL || config == NULL)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "Layer “%s” of the config is not in the model", name);
      return FALSE;
    }
  if (is_model_class (class_name) && STRATA_IS_MODEL (layer))
    return lower_model (lower, STRATA_MODEL (layer), entry, n_inputs, inputs, outputs, error);

  func = strata_lower_lookup (class_name);
  if (func == NULL)
    {
      add_unsupported (lower, name, class_name, NULL);
      goto poison;
    }
  call.plan = lower->plan;
  call.layer = layer;
  call.name = name;
  call.class_name = class_name;
  call.config = config;
  call.kwargs = c->kwargs;
  call.args = c->args;
  call.attention_mask = c->attention_mask;
  call.n_inputs = n_inputs;
  call.inputs = inputs;
  masks = g_new (guint, MAX (n_inputs, 1));
  masks[0] = G_MAXUINT;
  for (guint i = 0; i < n_inputs; i++)
    {
      masks[i] = mask_of (lower, inputs[i]);
      /* An explicit mask replaces the one the input carries (Keras 3
       * passes every mask so). */
      if (c->explicit_masks != NULL)
        masks[i] = c->explicit_masks[i];
    }
  for (guint i = 0; c->explicit_masks != NULL && i < n_inputs; i++)
    if (masks[i] == POISON)
      goto poison;
  call.masks = masks;
  call.n_weights = G_MAXUINT;
  for (guint i = 0; i < STRATA_LOWER_MAX_OUTPUTS; i++)
    call.out_masks[i] = G_MAXUINT;
  if (!func (&call, &local) || !set_masks (lower, &call, &local))
    {
      if (g_error_matches (local, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED))
        {
          add_unsupported (lower, name, class_name, local->message);
          goto poison;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_array_append_vals (outputs, call.outputs, call.n_outputs);
  return TRUE;

poison:
  for (guint i = 0; i < STRATA_LOWER_MAX_OUTPUTS; i++)
    {
      guint p = POISON;
      g_array_append_val (outputs, p);
    }
  return TRUE;
}

/* A [name, node, tensor, ...] reference. */
static gboolean
parse_ref (JsonNode *node, const char **name, gint64 *node_index, gint64 *tensor_index)
{
  JsonArray *ref;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  ref = json_node_get_array (node);
  if (json_array_get_length (ref) < 3 ||
      json_node_get_value_type (json_array_get_element (ref, 0)) != G_TYPE_STRING)
    return FALSE;
  *name = json_array_get_string_element (ref, 0);
  *node_index = json_array_get_int_element (ref, 1);
  *tensor_index = json_array_get_int_element (ref, 2);
  return TRUE;
}

static char *
node_key (const char *name, gint64 node_index)
{
  return g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT, name, node_index);
}

static GArray *
new_values (void)
{
  return g_array_new (FALSE, FALSE, sizeof (guint));
}

static gboolean
lower_sequential (Lower *lower, StrataModel *model, JsonArray *layers, guint input, GArray *outputs,
                  GError **error)
{
  guint x = input;

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = object_at (layers, i);
      g_autoptr(GArray) out = new_values ();

      if (entry == NULL)
        continue;
      if (g_strcmp0 (strata_lower_class_name (entry),
                     "InputLayer") == 0)
        continue;
      Call c = { NULL, 1, &x, NULL, NULL, G_MAXUINT };

      if (!lower_call (lower, model, entry, &c, out, error))
        return FALSE;
      if (out->len == 0)
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       "A layer of the Sequential model “%s” has no output",
                       strata_layer_get_name (STRATA_LAYER (model)));
          return FALSE;
        }
      x = g_array_index (out, guint, 0);
    }
  g_array_append_val (outputs, x);
  return TRUE;
}

/* Appends the value @ref refers to; FALSE when it is not computed yet. */
static gboolean
resolve_ref (GHashTable *done, JsonNode *ref, GArray *values)
{
  const char *name;
  gint64 node_index, tensor_index;
  g_autofree char *key = NULL;
  GArray *out;

  if (!parse_ref (ref, &name, &node_index, &tensor_index))
    return TRUE;
  key = node_key (name, node_index);
  out = g_hash_table_lookup (done, key);
  if (out == NULL || tensor_index < 0 || (guint) tensor_index >= out->len)
    return FALSE;
  g_array_append_val (values, g_array_index (out, guint, tensor_index));
  return TRUE;
}

/* Whether @node is a [name, node, tensor, ...] reference. */
static gboolean
is_ref (JsonNode *node)
{
  const char *name;
  gint64 node_index, tensor_index;

  return parse_ref (node, &name, &node_index, &tensor_index);
}

/* The inputs of one inbound node, or FALSE when one is not computed yet.
 * The tensors of an initial_state keyword (Keras 3) follow the inputs,
 * where tf-keras puts them, and so do MultiHeadAttention's value and key
 * keywords; an attention_mask keyword's goes to @attention_mask. The
 * tensors of a mask keyword (a reference, or a list of references and
 * nulls, one per input) go to @masks. */
static gboolean
resolve_node (GHashTable *done, JsonArray *node, GArray *values, GArray *masks, JsonObject **kwargs,
              guint *attention_mask)
{
  const char *const keywords[] = { "value", "key" };
  JsonArray *states;
  JsonNode *mask;

  *kwargs = NULL;
  for (guint j = 0; j < json_array_get_length (node); j++)
    {
      JsonNode *ref = json_array_get_element (node, j);
      JsonArray *arr;

      if (!resolve_ref (done, ref, values))
        return FALSE;
      arr = JSON_NODE_HOLDS_ARRAY (ref) ? json_node_get_array (ref) : NULL;
      if (arr != NULL && json_array_get_length (arr) > 3 && *kwargs == NULL)
        *kwargs = object_at (arr, 3);
    }
  for (guint j = 0; *kwargs != NULL && j < G_N_ELEMENTS (keywords); j++)
    {
      JsonNode *ref = json_object_get_member (*kwargs, keywords[j]);
      if (ref != NULL && is_ref (ref) && !resolve_ref (done, ref, values))
        return FALSE;
    }
  mask = *kwargs != NULL ? json_object_get_member (*kwargs, "attention_mask") : NULL;
  *attention_mask = G_MAXUINT;
  if (mask != NULL && is_ref (mask))
    {
      g_autoptr(GArray) found = new_values ();
      if (!resolve_ref (done, mask, found))
        return FALSE;
      *attention_mask = g_array_index (found, guint, 0);
    }
  states = strata_lower_array_member (*kwargs, "initial_state");
  for (guint j = 0; states != NULL && j < json_array_get_length (states); j++)
    if (!resolve_ref (done, json_array_get_element (states, j), values))
      return FALSE;
  mask = *kwargs != NULL ? json_object_get_member (*kwargs, "mask") : NULL;
  if (mask != NULL && is_ref (mask))
    return resolve_ref (done, mask, masks);
  for (guint j = 0; mask != NULL && JSON_NODE_HOLDS_ARRAY (mask) && j < json_array_get_length (json_node_get_array (mask)); j++)
    {
      JsonNode *m = json_array_get_element (json_node_get_array (mask), j);
      guint none = G_MAXUINT;

      if (!is_ref (m))
        g_array_append_val (masks, none);
      else if (!resolve_ref (done, m, masks))
        return FALSE;
    }
  return TRUE;
}

/* The positional arguments of @layer's call @index in @model as a Keras 3
 * file wrote them (constants included), or NULL. */
static JsonArray *
keras3_args (StrataModel *model, StrataLayer *layer, guint index)
{
  GPtrArray *nodes = layer != NULL ? strata_layer_peek_nodes (layer) : NULL;

  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      StrataNode *node = g_ptr_array_index (nodes, i);

      if (!strata_model_has_node (model, node))
        continue;
      if (index-- > 0)
        continue;
      if (node->raw == NULL || node->raw_dialect != STRATA_KERAS_DIALECT_KERAS3 ||
          !JSON_NODE_HOLDS_OBJECT (node->raw))
        return NULL;
      return strata_lower_array_member (json_node_get_object (node->raw), "args");
    }
  return NULL;
}

static gboolean
lower_functional (Lower *lower, StrataModel *model, JsonObject *config, guint n_inputs,
                  const guint *inputs, GArray *outputs, GError **error)
{
  g_autoptr(GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_array_unref);
  JsonArray *layers = strata_lower_array_member (config, "layers");
  JsonArray *input_layers = strata_lower_array_member (config, "input_layers");
  JsonArray *output_layers = strata_lower_array_member (config, "output_layers");
  guint n_layers = layers != NULL ? json_array_get_length (layers) : 0;
  g_autofree guint *next_node = g_new0 (guint, n_layers);
  gboolean progress = TRUE;

  if (input_layers == NULL || output_layers == NULL)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "The config of model “%s” has no input or output layers",
                   strata_layer_get_name (STRATA_LAYER (model)));
      return FALSE;
    }
  if (json_array_get_length (input_layers) != n_inputs)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "Model “%s” takes %u inputs but is called on %u",
                   strata_layer_get_name (STRATA_LAYER (model)),
                   json_array_get_length (input_layers), n_inputs);
      return FALSE;
    }
  for (guint i = 0; i < n_inputs; i++)
    {
      const char *name;
      gint64 node_index, tensor_index;
      GArray *v = new_values ();

      if (!parse_ref (json_array_get_element (input_layers, i), &name, &node_index, &tensor_index))
        {
          g_array_unref (v);
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       "Input %u of model “%s” is not a layer reference", i,
                       strata_layer_get_name (STRATA_LAYER (model)));
          return FALSE;
        }
      g_array_append_val (v, inputs[i]);
      g_hash_table_replace (done, node_key (name, node_index), v);
    }

  /* Layers in config order, each node once its inputs are known; repeat
   * while something moves (configs are mostly but not always sorted). */
  while (progress)
    {
      progress = FALSE;
      for (guint i = 0; i < n_layers; i++)
        {
          JsonObject *entry = object_at (layers, i);
          JsonArray *nodes = entry != NULL ? strata_lower_array_member (entry, "inbound_nodes") : NULL;
          const char *name = entry != NULL ? strata_lower_string_member (entry, "name") : NULL;

          if (name == NULL && entry != NULL && strata_lower_object_member (entry, "config") != NULL)
            name = strata_lower_string_member (strata_lower_object_member (entry, "config"), "name");
          while (nodes != NULL && name != NULL && next_node[i] < json_array_get_length (nodes))
            {
              JsonNode *item = json_array_get_element (nodes, next_node[i]);
              JsonArray *node = JSON_NODE_HOLDS_ARRAY (item) ? json_node_get_array (item) : NULL;
              g_autoptr(GArray) in = new_values ();
              g_autoptr(GArray) out = new_values ();
              g_autoptr(GArray) masks = new_values ();
              Call c = { 0 };

              if (node == NULL || !resolve_node (done, node, in, masks, &c.kwargs, &c.attention_mask))
                break;
              /* Masks for the first inputs; none for the others. */
              for (guint none = G_MAXUINT; masks->len > 0 && masks->len < in->len;)
                g_array_append_val (masks, none);
              c.n_inputs = in->len;
              c.inputs = (const guint *) (void *) in->data;
              c.explicit_masks = masks->len > 0 ? (const guint *) (void *) masks->data : NULL;
              c.args = keras3_args (model, strata_model_get_layer (model, name), next_node[i]);
              if (!lower_call (lower, model, entry, &c, out, error))
                return FALSE;
              /* Nodes of a nested model are numbered from 1: its node 0 is
               * the one that built it (tf-keras get_network_config). */
              g_hash_table_replace (done, node_key (name, next_node[i] + (is_model_class (
                                      strata_lower_string_member (entry, "class_name")) ? 1 : 0)),
                                    g_steal_pointer (&out));
              next_node[i]++;
              progress = TRUE;
            }
        }
    }

  for (guint i = 0; i < json_array_get_length (output_layers); i++)
    {
      const char *name;
      gint64 node_index, tensor_index;
      g_autofree char *key = NULL;
      GArray *out;

      if (!parse_ref (json_array_get_element (output_layers, i), &name, &node_index, &tensor_index) ||
          (key = node_key (name, node_index),
           out = g_hash_table_lookup (done, key)) == NULL ||
          tensor_index < 0 || (guint) tensor_index >= out->len)
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       "Output %u of model “%s” cannot be reached from its inputs", i,
                       strata_layer_get_name (STRATA_LAYER (model)));
          return FALSE;
        }
      g_array_append_val (outputs, g_array_index (out, guint, tensor_index));
    }
  return TRUE;
}

static gboolean
lower_model (Lower *lower, StrataModel *model, JsonObject *entry, guint n_inputs,
             const guint *inputs, GArray *outputs, GError **error)
{
  JsonObject *config = strata_lower_object_member (entry, "config");
  JsonArray *layers = strata_lower_array_member (config, "layers");
  gboolean ok;

  /* Keras 2.0-2.1 wrote a Sequential's config as the list of its layers. */
  if (layers == NULL)
    layers = strata_lower_array_member (entry, "config");
  if (layers == NULL)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "The config of model “%s” has no layers", strata_layer_get_name (STRATA_LAYER (model)));
      return FALSE;
    }
  if (++lower->depth > 64)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "Models are nested too deeply");
      return FALSE;
    }
  for (guint i = 0; i < n_inputs; i++)
    if (inputs[i] == POISON)
      {
        for (guint j = 0; j < STRATA_LOWER_MAX_OUTPUTS; j++)
          {
            guint p = POISON;
            g_array_append_val (outputs, p);
          }
        lower->depth--;
        return TRUE;
      }
  if (g_strcmp0 (strata_lower_class_name (entry), "Sequential") == 0)
    {
      if (n_inputs != 1)
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       "Sequential model “%s” is called on %u inputs",
                       strata_layer_get_name (STRATA_LAYER (model)), n_inputs);
          return FALSE;
        }
      ok = lower_sequential (lower, model, layers, inputs[0], outputs, error);
    }
  else
    ok = lower_functional (lower, model, config, n_inputs, inputs, outputs, error);
  lower->depth--;
  return ok;
}

/* Whether every layer of @model (nested ones included; input layers and
 * models aside) has the float64 dtype policy, and there is one. */
static gboolean
computes_in_f64 (StrataModel *model, guint *n_layers)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);

      if (STRATA_IS_MODEL (layer))
        {
          if (!computes_in_f64 (STRATA_MODEL (layer), n_layers))
            return FALSE;
        }
      else if (!STRATA_IS_INPUT_LAYER (layer))
        {
          if (g_strcmp0 (strata_layer_get_dtype (layer), "float64") != 0)
            return FALSE;
          (*n_layers)++;
        }
    }
  return TRUE;
}

/* In a F64 plan, names each layer lowered to an op without a float64
 * kernel, then makes the plan's float32 constants float64. */
static void
finish_f64 (Lower *lower)
{
  StrataPlan *plan = lower->plan;
  const char *last = NULL;

  for (guint k = 0; k < plan->ops->len; k++)
    {
      StrataPlanOp *op = &g_array_index (plan->ops, StrataPlanOp, k);
      if (strata_kernel_has_f64 (op->type) || op->layer == last)
        continue;
      last = op->layer;
      g_ptr_array_add (lower->unsupported,
                       g_strdup_printf ("“%s” (float64 %s is not implemented)", op->layer,
                                        strata_op_type_name (op->type)));
    }
  if (lower->unsupported->len == 0)
    strata_plan_constants_to_f64 (plan);
}

StrataPlan *
strata_plan_lower (StrataModel *model, GError **error)
{
  g_autoptr(JsonObject) entry = NULL;
  /* cuDNN layers compute as LSTM / GRU(reset_after=True); the plan keeps
   * references to the re-laid-out weights, not to this copy. */
  g_autoptr(StrataModel) native = strata_model_without_cudnn (model, error);
  g_autoptr(GArray) outputs = new_values ();
  g_autoptr(GPtrArray) unsupported = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) masks = g_hash_table_new (NULL, NULL);
  GPtrArray *model_inputs = NULL;
  g_autofree guint *inputs = NULL;
  Lower lower = { 0 };
  StrataPlan *plan;

  if (native == NULL)
    return NULL;
  model = native;
  model_inputs = strata_model_get_inputs (model);
  entry = strata_model_to_predict_config (model, error);
  if (entry == NULL)
    return NULL;
  if (model_inputs == NULL || model_inputs->len == 0)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "Model “%s” has no inputs (it was never built)",
                   strata_layer_get_name (STRATA_LAYER (model)));
      return NULL;
    }
  plan = strata_plan_new ();
  plan->keras3 = strata_model_get_dialect (model) == STRATA_KERAS_DIALECT_KERAS3;
  {
    guint n_layers = 0;
    plan->compute = computes_in_f64 (model, &n_layers) && n_layers > 0 ? STRATA_PLAN_F64 : STRATA_PLAN_F32;
  }
  lower.plan = plan;
  lower.unsupported = unsupported;
  lower.masks = masks;
  inputs = g_new0 (guint, model_inputs->len);
  for (guint i = 0; i < model_inputs->len; i++)
    {
      StrataShape *shape = strata_keras_tensor_get_shape (g_ptr_array_index (model_inputs, i));
      guint rank;
      const gint64 *dims = strata_shape_get_dims (shape, &rank);

      if (rank == 0 || rank > STRATA_PLAN_MAX_RANK)
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED,
                       "Input %u of model “%s” has rank %u", i,
                       strata_layer_get_name (STRATA_LAYER (model)), rank);
          strata_plan_free (plan);
          return NULL;
        }
      inputs[i] = strata_plan_add_input (plan, plan->compute, rank, dims);
    }
  if (!lower_model (&lower, model, entry, model_inputs->len, inputs, outputs, error))
    {
      strata_plan_free (plan);
      return NULL;
    }
  if (plan->compute == STRATA_PLAN_F64)
    finish_f64 (&lower);
  if (unsupported->len > 0)
    {
      g_autofree char *list = NULL;
      g_ptr_array_add (unsupported, NULL);
      list = g_strjoinv (", ", (char **) unsupported->pdata);
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED,
                   "Model “%s” cannot run: %u layer%s cannot: %s",
                   strata_layer_get_name (STRATA_LAYER (model)), unsupported->len - 1,
                   unsupported->len - 1 == 1 ? "" : "s", list);
      strata_plan_free (plan);
      return NULL;
    }
  for (guint i = 0; i < outputs->len; i++)
    {
      guint id = g_array_index (outputs, guint, i);
      g_array_append_val (plan->outputs, id);
    }
  return plan;
}
