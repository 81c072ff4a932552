/* strata-lower-rnn.c: recurrent layers, their wrappers and Masking
 *
 * Semantics: ../shared/specs/keras-inference-semantics.md sections 1.3,
 * 4 and 6.3 (Masking). A recurrent layer lowers to MatMul + BiasAdd over
 * all steps at once (the input projection), one STRATA_OP_RNN (the time
 * loop), and Slices of its packed output.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-lower-private.h"

/* One recurrent layer call: the layer's config in call->config. */
typedef struct {
  guint        x, mask;          /* mask: G_MAXUINT when none */
  guint        n_init;
  const guint *init;             /* initial states [h] or [h, c] */
  gboolean     flip_backwards;   /* Bidirectional's backward copy of the forward config */
  gboolean     zero_output_for_mask;
} Rnn;

static guint
rank_of (StrataLowerCall *call, guint x)
{
  return strata_lower_value (call, x)->rank;
}

/* The recurrent cell's activations as fused-op functions (spec 2.1). */
static gboolean
activation (StrataLowerCall *call, const char *key, const char *fallback, StrataPlanActivation *act,
            GError **error)
{
  JsonNode *node = json_object_get_member (call->config, key);
  const char *name = node != NULL ? strata_lower_activation_name (node) : fallback;
  static const struct { const char *name; StrataOpType type; } simple[] = {
    { "linear", STRATA_OP_IDENTITY }, { "tanh", STRATA_OP_TANH }, { "sigmoid", STRATA_OP_SIGMOID },
    { "relu", STRATA_OP_RELU }, { "relu6", STRATA_OP_RELU6 }, { "elu", STRATA_OP_ELU },
    { "selu", STRATA_OP_SELU }, { "softplus", STRATA_OP_SOFTPLUS }, { "softsign", STRATA_OP_SOFTSIGN },
    { "exponential", STRATA_OP_EXP },
  };

  *act = (StrataPlanActivation) { STRATA_OP_IDENTITY, 1.0f, 0.0f, 0.0f, 1.0f };
  if (name == NULL)
    return strata_lower_unsupported (call, error, "%s that is not a name", key);
  for (gsize i = 0; i < G_N_ELEMENTS (simple); i++)
    if (g_str_equal (name, simple[i].name))
      {
        act->type = simple[i].type;
        return TRUE;
      }
  if (g_str_equal (name, "hard_sigmoid"))
    {
      /* Keras 3: relu6(x + 3) / 6; tf-keras: clip(0.2 x + 0.5, 0, 1) */
      act->type = STRATA_OP_CLIP;
      act->scale = strata_lower_keras3 (call) ? 1.0f / 6.0f : 0.2f;
      act->shift = 0.5f;
      return TRUE;
    }
  if (g_str_equal (name, "hard_tanh") && strata_lower_keras3 (call))
    {
      act->type = STRATA_OP_CLIP;
      act->lo = -1.0f;
      return TRUE;
    }
  if (g_str_equal (name, "leaky_relu"))
    {
      act->type = STRATA_OP_LEAKY_RELU;
      act->lo = 0.2f;
      return TRUE;
    }
  return strata_lower_unsupported (call, error, "%s “%s” in a recurrent cell", key, name);
}

/* A view of @count elements of the constant @id from element @offset on. */
static guint
const_view (StrataLowerCall *call, guint id, gsize offset, gint64 count)
{
  StrataPlanValue *v = strata_lower_value (call, id);

  return strata_plan_add_const (call->plan, call->name, v->dtype, 1, &count,
                                (const guint8 *) v->data + offset * strata_plan_dtype_size (v->dtype),
                                v->owner);
}

/* Slice rows [begin, begin + size) of the packed output on axis 1 (size
 * -1: to the end); one row is returned as [B, u]. */
static guint
rows (StrataLowerCall *call, guint y, gint64 begin, gint64 size, GError **error)
{
  StrataPlanOp op = { .type = STRATA_OP_SLICE, .n_inputs = 1, .inputs = { y } };
  gint64 u = strata_lower_value (call, y)->dims[2];
  guint s;

  op.attr.slice.size[0] = op.attr.slice.size[2] = -1;
  op.attr.slice.begin[1] = begin;
  op.attr.slice.size[1] = size;
  s = strata_lower_op_full (call, &op, error);
  if (size != 1 || !STRATA_LOWER_OK (s))
    return s;
  return strata_lower_reshape (call, s, 1, &u, error);
}

/* Lowers the recurrent layer of call->config on @rnn into call->outputs
 * ([output, *states] with return_state). */
static gboolean
lower_recurrent (StrataLowerCall *call, const Rnn *rnn, GError **error)
{
  const char *cls = call->class_name;
  gboolean lstm = g_str_equal (cls, "LSTM") || g_str_equal (cls, "CuDNNLSTM");
  gboolean gru = g_str_equal (cls, "GRU") || g_str_equal (cls, "CuDNNGRU");
  gboolean cudnn = g_str_has_prefix (cls, "CuDNN");
  guint gates = lstm ? 4 : gru ? 3 : 1, n_states = lstm ? 2 : 1;
  StrataPlanOp op = { .type = STRATA_OP_RNN, .n_inputs = 2 };
  StrataPlanRnn *attr = &op.attr.rnn;
  guint w[3], n, xw, y;
  gint64 u;
  StrataPlanValue *kernel, *bias;

  if (!strata_lower_weights (call, w, 3, &n, error))
    return FALSE;
  if (n < 2)
    return strata_lower_unsupported (call, error, "%u weights", n);
  kernel = strata_lower_value (call, w[1]);
  u = kernel->dims[0];
  if (kernel->rank != 2 || kernel->dims[1] != gates * u || strata_lower_value (call, w[0])->rank != 2)
    return strata_lower_unsupported (call, error, "a recurrent kernel that is not [units, %u·units]", gates);
  if (rank_of (call, rnn->x) != 3)
    return strata_lower_unsupported (call, error, "an input of rank %u", rank_of (call, rnn->x));
  /* stateful=True is computed as the first call of a freshly loaded (or
   * reset) Keras model: from zeros or the initial_state given. Strata
   * keeps no state between calls, so every call is such a first call. */
  if (strata_lower_get_bool (call, "time_major", FALSE))
    return strata_lower_unsupported (call, error, "time_major");
  if (rnn->n_init != 0 && rnn->n_init != n_states)
    return strata_lower_unsupported (call, error, "%u initial states", rnn->n_init);

  attr->cell = lstm ? STRATA_PLAN_CELL_LSTM : gru ? STRATA_PLAN_CELL_GRU : STRATA_PLAN_CELL_SIMPLE;
  attr->rbias = attr->mask = attr->h0 = attr->c0 = -1;
  /* CuDNN layers: tanh and sigmoid, fixed (their configs name neither) */
  if (!activation (call, cudnn ? "" : "activation", "tanh", &attr->activation, error) ||
      !activation (call, cudnn ? "" : "recurrent_activation", "sigmoid", &attr->recurrent_activation, error))
    return FALSE;
  attr->go_backwards = strata_lower_get_bool (call, "go_backwards", FALSE) != rnn->flip_backwards;
  attr->zero_output_for_mask = rnn->zero_output_for_mask ||
                               strata_lower_get_bool (call, "zero_output_for_mask", FALSE);

  /* xw = x·W + input bias, for every step at once */
  xw = strata_lower_binary (call, STRATA_OP_MATMUL, rnn->x, w[0], error);
  if (!STRATA_LOWER_OK (xw))
    return FALSE;
  op.inputs[1] = w[1];
  bias = n == 3 ? strata_lower_value (call, w[2]) : NULL;
  if (bias != NULL && bias->rank == 1 && bias->dims[0] == gates * u)
    xw = strata_lower_binary (call, STRATA_OP_BIAS_ADD, xw, w[2], error);
  else if (bias != NULL && (bias->rank == 2 ? bias->dims[0] == 2 && bias->dims[1] == gates * u
                                            : bias->rank == 1 && bias->dims[0] == 2 * gates * u))
    {
      /* An input and a recurrent bias: GRU reset_after ([2, 3u]) and the
       * CuDNN layers ([2·G·u]). LSTM adds both to the projection. */
      guint input_bias = const_view (call, w[2], 0, gates * u);
      guint recurrent_bias = const_view (call, w[2], gates * u, gates * u);
      xw = strata_lower_binary (call, STRATA_OP_BIAS_ADD, xw, input_bias, error);
      if (lstm)
        xw = strata_lower_binary (call, STRATA_OP_BIAS_ADD, xw, recurrent_bias, error);
      else if (gru)
        {
          attr->cell = STRATA_PLAN_CELL_GRU_RESET_AFTER;
          attr->rbias = (gint8) op.n_inputs;
          op.inputs[op.n_inputs++] = recurrent_bias;
        }
      else
        return strata_lower_unsupported (call, error, "a bias of two rows");
    }
  else if (bias != NULL)
    return strata_lower_unsupported (call, error, "a bias that does not match the kernel");
  else if (gru && strata_lower_get_bool (call, "reset_after", TRUE))
    attr->cell = STRATA_PLAN_CELL_GRU_RESET_AFTER;
  if (!STRATA_LOWER_OK (xw))
    return FALSE;
  op.inputs[0] = xw;
  if (rnn->mask != G_MAXUINT)
    {
      if (rank_of (call, rnn->mask) != 2)
        return strata_lower_unsupported (call, error, "a mask of rank %u", rank_of (call, rnn->mask));
      attr->mask = (gint8) op.n_inputs;
      op.inputs[op.n_inputs++] = rnn->mask;
    }
  for (guint i = 0; i < rnn->n_init; i++)
    {
      *(i == 0 ? &attr->h0 : &attr->c0) = (gint8) op.n_inputs;
      op.inputs[op.n_inputs++] = rnn->init[i];
    }
  y = strata_lower_op_full (call, &op, error);
  if (!STRATA_LOWER_OK (y))
    return FALSE;

  call->outputs[0] = strata_lower_get_bool (call, "return_sequences", FALSE)
                     ? rows (call, y, 1 + n_states, -1, error) : rows (call, y, 0, 1, error);
  call->n_outputs = 1;
  if (strata_lower_get_bool (call, "return_state", FALSE))
    for (guint i = 0; i < n_states; i++)
      call->outputs[call->n_outputs++] = rows (call, y, 1 + i, 1, error);
  for (guint i = 0; i < call->n_outputs; i++)
    if (!STRATA_LOWER_OK (call->outputs[i]))
      return FALSE;
  return TRUE;
}

/* The initial states of a call: the node's extra inputs (tf-keras
 * appends them; the walker appends Keras 3's initial_state keyword). */
static gboolean
initial_states (StrataLowerCall *call, guint *n_init, const guint **init, GError **error)
{
  *n_init = call->n_inputs - 1;
  *init = call->inputs + 1;
  if (*n_init > STRATA_LOWER_MAX_OUTPUTS)
    return strata_lower_unsupported (call, error, "%u initial states", *n_init);
  return TRUE;
}

/* The sub-call of a wrapper's inner layer {class_name, config}. */
static gboolean
inner_call (StrataLowerCall *call, JsonObject *entry, StrataLowerCall *inner, GError **error)
{
  JsonObject *config = strata_lower_object_member (entry, "config");

  if (config == NULL)
    return strata_lower_unsupported (call, error, "a wrapped layer without config");
  *inner = *call;
  inner->class_name = strata_lower_class_name (entry);
  inner->config = config;
  inner->kwargs = NULL;
  inner->args = NULL;
  inner->n_outputs = 0;
  return TRUE;
}

static guint
merge (StrataLowerCall *call, const char *mode, guint f, guint b, GError **error)
{
  if (g_str_equal (mode, "sum"))
    return strata_lower_binary (call, STRATA_OP_ADD, f, b, error);
  if (g_str_equal (mode, "mul"))
    return strata_lower_binary (call, STRATA_OP_MUL, f, b, error);
  if (g_str_equal (mode, "ave"))
    return strata_lower_binary (call, STRATA_OP_DIV, strata_lower_binary (call, STRATA_OP_ADD, f, b, error),
                                strata_plan_add_scalar (call->plan, call->name, 2.0f), error);
  else
    {
      StrataPlanOp op = { .type = STRATA_OP_CONCAT, .n_inputs = 2, .inputs = { f, b } };
      op.attr.axis.axis = (int) rank_of (call, f) - 1;
      return strata_lower_op_full (call, &op, error);
    }
}

/* Spec 4.4: forward weights first; the backward output is flipped back
 * along time when it is a sequence. */
static gboolean
lower_bidirectional (StrataLowerCall *call, GError **error)
{
  JsonObject *fwd_entry = strata_lower_object_member (call->config, "layer");
  JsonObject *bwd_entry = strata_lower_object_member (call->config, "backward_layer");
  JsonNode *mode_node = json_object_get_member (call->config, "merge_mode");
  const char *mode = mode_node == NULL ? "concat"
                     : JSON_NODE_HOLDS_NULL (mode_node) ? NULL : json_node_get_string (mode_node);
  g_autoptr(GPtrArray) all = strata_layer_get_weights (call->layer);
  StrataLowerCall fwd, bwd;
  Rnn rnn = { .x = call->inputs[0], .mask = call->masks[0] };
  guint n_init, half;
  const guint *init;
  gboolean sequences;

  if (!initial_states (call, &n_init, &init, error) ||
      !inner_call (call, fwd_entry, &fwd, error) ||
      !inner_call (call, bwd_entry != NULL ? bwd_entry : fwd_entry, &bwd, error))
    return FALSE;
  if (n_init % 2 != 0)
    return strata_lower_unsupported (call, error, "%u initial states", n_init);
  if (mode != NULL && !g_str_equal (mode, "concat") && !g_str_equal (mode, "sum") &&
      !g_str_equal (mode, "mul") && !g_str_equal (mode, "ave"))
    return strata_lower_unsupported (call, error, "merge_mode “%s”", mode);
  half = (all != NULL ? all->len : 0) / 2;
  fwd.n_weights = half;
  bwd.weights_first = half;
  sequences = strata_lower_get_bool (&fwd, "return_sequences", FALSE);
  rnn.zero_output_for_mask = sequences;
  rnn.n_init = n_init / 2;
  rnn.init = init;
  if (!lower_recurrent (&fwd, &rnn, error))
    return FALSE;
  rnn.init = init + n_init / 2;
  rnn.flip_backwards = bwd_entry == NULL;
  if (!lower_recurrent (&bwd, &rnn, error))
    return FALSE;
  if (sequences)
    {
      StrataPlanOp rev = { .type = STRATA_OP_REVERSE, .n_inputs = 1, .inputs = { bwd.outputs[0] } };
      rev.attr.reduce.axes = 1u << 1;
      if (!STRATA_LOWER_OK (bwd.outputs[0] = strata_lower_op_full (call, &rev, error)))
        return FALSE;
    }
  call->n_outputs = 0;
  if (mode == NULL)
    {
      call->outputs[call->n_outputs++] = fwd.outputs[0];
      call->outputs[call->n_outputs++] = bwd.outputs[0];
    }
  else if (!STRATA_LOWER_OK (call->outputs[call->n_outputs++] = merge (call, mode, fwd.outputs[0],
                                                                        bwd.outputs[0], error)))
    return FALSE;
  if (call->n_outputs + fwd.n_outputs - 1 + bwd.n_outputs - 1 > STRATA_LOWER_MAX_OUTPUTS)
    return strata_lower_unsupported (call, error, "too many outputs");
  for (guint i = 1; i < fwd.n_outputs; i++)
    call->outputs[call->n_outputs++] = fwd.outputs[i];
  for (guint i = 1; i < bwd.n_outputs; i++)
    call->outputs[call->n_outputs++] = bwd.outputs[i];
  /* The output mask: the input mask for sequences, else none. */
  call->masks_set = TRUE;
  for (guint i = 0; sequences && i < (mode == NULL ? 2u : 1u); i++)
    call->out_masks[i] = call->masks[0];
  return TRUE;
}

/* y[:, t] = layer(x[:, t]): Dense runs on [B, T, F] as it is (MatMul
 * takes leading axes); other layers run on the steps merged into the
 * batch axis and split off again. */
static gboolean
lower_time_distributed (StrataLowerCall *call, GError **error)
{
  StrataLowerCall inner;
  StrataLowerFunc func;
  StrataPlanValue *x = strata_lower_value (call, call->inputs[0]);
  StrataPlanOp merge_op = { .type = STRATA_OP_RESHAPE, .n_inputs = 1, .inputs = { call->inputs[0] } };
  StrataPlanOp split = { .type = STRATA_OP_RESHAPE, .n_inputs = 1 };
  StrataPlanValue *y;
  gint64 steps;
  guint merged;

  if (!inner_call (call, strata_lower_object_member (call->config, "layer"), &inner, error))
    return FALSE;
  func = strata_lower_lookup (inner.class_name);
  if (func == NULL || g_str_equal (inner.class_name, "TimeDistributed"))
    return strata_lower_unsupported (call, error, "a wrapped %s", inner.class_name);
  if (g_str_equal (inner.class_name, "Dense"))
    {
      if (!func (&inner, error))
        return FALSE;
      return strata_lower_done (call, inner.outputs[0]);
    }
  if (x->rank < 3 || x->dims[1] < 0)
    return strata_lower_unsupported (call, error, "an input whose steps are not known");
  /* Adding ops moves the plan's values: nothing may point into them after. */
  steps = x->dims[1];
  merge_op.attr.reshape.with_batch = TRUE;
  merge_op.attr.reshape.rank = x->rank - 1;
  merge_op.attr.reshape.shape[0] = -1;
  memcpy (merge_op.attr.reshape.shape + 1, x->dims + 2, (x->rank - 2) * sizeof (gint64));
  merged = strata_lower_op_full (call, &merge_op, error);
  if (!STRATA_LOWER_OK (merged))
    return FALSE;
  inner.inputs = &merged;
  inner.n_inputs = 1;
  if (!func (&inner, error))
    return FALSE;
  if (inner.n_outputs != 1)
    return strata_lower_unsupported (call, error, "a wrapped layer with %u outputs", inner.n_outputs);
  y = strata_lower_value (call, inner.outputs[0]);
  if (y->rank + 1 > STRATA_PLAN_MAX_RANK)
    return strata_lower_unsupported (call, error, "an output of rank %u", y->rank + 1);
  split.inputs[0] = inner.outputs[0];
  split.attr.reshape.with_batch = TRUE;
  split.attr.reshape.rank = y->rank + 1;
  split.attr.reshape.shape[0] = -1;
  split.attr.reshape.shape[1] = steps;
  memcpy (split.attr.reshape.shape + 2, y->dims + 1, (y->rank - 1) * sizeof (gint64));
  return strata_lower_done (call, strata_lower_op_full (call, &split, error));
}

/* keep = any(x != mask_value, axis=-1); y = x·keep; the mask is keep. */
static gboolean
lower_masking (StrataLowerCall *call, GError **error)
{
  guint x = call->inputs[0], r = rank_of (call, x);
  StrataPlanOp any = { .type = STRATA_OP_MAX, .n_inputs = 1 };
  float value = (float) strata_lower_get_double (call, "mask_value", 0.0);
  StrataPlanValue *keep;
  gint64 dims[STRATA_PLAN_MAX_RANK];

  if (r < 3)
    return strata_lower_unsupported (call, error, "an input of rank %u", r);
  any.inputs[0] = strata_lower_binary (call, STRATA_OP_NOT_EQUAL, x,
                                       strata_plan_add_scalar (call->plan, call->name, value), error);
  if (!STRATA_LOWER_OK (any.inputs[0]))
    return FALSE;
  any.attr.reduce.axes = 1u << (r - 1);
  any.attr.reduce.keep_dims = TRUE;
  any.inputs[0] = strata_lower_op_full (call, &any, error);
  if (!STRATA_LOWER_OK (any.inputs[0]))
    return FALSE;
  keep = strata_lower_value (call, any.inputs[0]);
  memcpy (dims, keep->dims + 1, (r - 2) * sizeof (gint64));
  call->out_masks[0] = strata_lower_reshape (call, any.inputs[0], r - 2, dims, error);
  call->masks_set = TRUE;
  if (!STRATA_LOWER_OK (call->out_masks[0]))
    return FALSE;
  return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_MUL, x, any.inputs[0], error));
}

gboolean
strata_lower_rnn (StrataLowerCall *call, GError **error)
{
  Rnn rnn = { .x = call->inputs[0], .mask = call->masks[0] };

  if (g_str_equal (call->class_name, "Bidirectional"))
    return lower_bidirectional (call, error);
  if (g_str_equal (call->class_name, "TimeDistributed"))
    return lower_time_distributed (call, error);
  if (g_str_equal (call->class_name, "Masking"))
    return lower_masking (call, error);
  if (!initial_states (call, &rnn.n_init, &rnn.init, error) || !lower_recurrent (call, &rnn, error))
    return FALSE;
  /* The output mask: the input mask for sequences, else none. */
  call->masks_set = TRUE;
  if (strata_lower_get_bool (call, "return_sequences", FALSE))
    call->out_masks[0] = call->masks[0];
  return TRUE;
}
