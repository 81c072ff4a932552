/* strata-lower-attention.c: Attention, AdditiveAttention, MultiHeadAttention
 *
 * Semantics: ../shared/specs/keras-inference-semantics.md section 5. Masks
 * are 0/1 floats; the masked softmax of each path is built from the plan's
 * elementwise ops so it rounds as Keras's does (5.3).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-lower-private.h"

static const gint64 *
dims_of (StrataLowerCall *call, guint x)
{
  return strata_lower_value (call, x)->dims;
}

static guint
scalar (StrataLowerCall *call, float value)
{
  return strata_plan_add_scalar (call->plan, call->name, value);
}

static gboolean
kwarg_true (StrataLowerCall *call, const char *key)
{
  JsonNode *node = call->kwargs != NULL ? json_object_get_member (call->kwargs, key) : NULL;

  return node != NULL && strata_json_node_is_truthy (node);
}

/* AND of two optional 0/1 masks (G_MAXUINT: none). */
static guint
and_masks (StrataLowerCall *call, guint a, guint b, GError **error)
{
  if (a == G_MAXUINT)
    return b;
  if (b == G_MAXUINT)
    return a;
  return strata_lower_binary (call, STRATA_OP_MUL, a, b, error);
}

/* A [B, T] mask reshaped to broadcast as [B, T, 1] (@last FALSE) or [B, 1, T]. */
static guint
expand_mask (StrataLowerCall *call, guint mask, gboolean last, GError **error)
{
  gint64 dims[2] = { 1, 1 };

  if (mask == G_MAXUINT)
    return mask;
  dims[last ? 0 : 1] = dims_of (call, mask)[1];
  return strata_lower_reshape (call, mask, 2, dims, error);
}

/* The lower-triangular [Tq, Tv] causal mask (j <= i) as a constant. */
static guint
causal_mask (StrataLowerCall *call, gint64 tq, gint64 tv, GError **error)
{
  gint64 dims[2] = { tq, tv };
  g_autofree float *ones = NULL;

  if (tq < 0 || tv < 0)
    {
      strata_lower_unsupported (call, error, "use_causal_mask with sequences of unknown length");
      return G_MAXUINT;
    }
  if (tq * tv > (1 << 24))
    {
      strata_lower_unsupported (call, error, "use_causal_mask with %" G_GINT64_FORMAT " × %"
                                G_GINT64_FORMAT " steps", tq, tv);
      return G_MAXUINT;
    }
  ones = g_new0 (float, MAX (tq * tv, 1));
  for (gint64 i = 0; i < tq; i++)
    for (gint64 j = 0; j <= i && j < tv; j++)
      ones[i * tv + j] = 1.0f;
  return strata_plan_add_floats (call->plan, call->name, 2, dims, ones);
}

/* scores − 1e9·(1 − keep): the additive mask of tf-keras's Softmax layer
 * and of both dense attention layers (written there as a subtraction). */
static guint
subtract_masked (StrataLowerCall *call, guint scores, guint keep, GError **error)
{
  guint padding = strata_lower_binary (call, STRATA_OP_SUB, scalar (call, 1.0f), keep, error);

  return strata_lower_binary (call, STRATA_OP_SUB, scores,
                              strata_lower_binary (call, STRATA_OP_MUL, padding, scalar (call, 1e9f), error),
                              error);
}

/* Sets the output @y and its mask (the query's). */
static gboolean
finish (StrataLowerCall *call, guint y, guint out_mask)
{
  if (!strata_lower_done (call, y))
    return FALSE;
  call->out_masks[0] = out_mask;
  call->masks_set = TRUE;
  return TRUE;
}

/* Attention (Luong) and AdditiveAttention (Bahdanau), spec 5.1. */
static gboolean
lower_dense_attention (StrataLowerCall *call, gboolean additive, GError **error)
{
  guint q = call->inputs[0], v, k, w[2], n_weights, scores, keep, weights, y;
  gboolean use_scale = strata_lower_get_bool (call, "use_scale", additive);
  const char *mode = additive ? "concat" : strata_lower_get_string (call, "score_mode", "dot");
  guint scale = G_MAXUINT, concat_weight = G_MAXUINT;
  guint q_mask = call->n_inputs > 0 ? call->masks[0] : G_MAXUINT;
  guint v_mask = call->n_inputs > 1 ? call->masks[1] : G_MAXUINT;

  if (call->n_inputs < 2 || call->n_inputs > 3)
    return strata_lower_unsupported (call, error, "%u inputs (query, value and an optional key expected)",
                                     call->n_inputs);
  v = call->inputs[1];
  k = call->n_inputs == 3 ? call->inputs[2] : v;
  if (strata_lower_value (call, q)->rank != 3 || strata_lower_value (call, v)->rank != 3 ||
      strata_lower_value (call, k)->rank != 3)
    return strata_lower_unsupported (call, error, "inputs not of rank 3");
  if (!g_str_equal (mode, "dot") && !g_str_equal (mode, "concat"))
    return strata_lower_unsupported (call, error, "score_mode “%s”", mode);
  if (!strata_lower_weights (call, w, 2, &n_weights, error))
    return FALSE;
  /* Weights in Keras order: scale if use_scale, then concat_score_weight
   * (Attention with score_mode "concat"). */
  if (n_weights != (use_scale ? 1u : 0u) + (!additive && g_str_equal (mode, "concat") ? 1u : 0u))
    return strata_lower_unsupported (call, error, "%u weights for use_scale=%s, score_mode “%s”",
                                     n_weights, use_scale ? "True" : "False", mode);
  if (use_scale)
    scale = w[0];
  if (!additive && g_str_equal (mode, "concat"))
    concat_weight = w[n_weights - 1];

  if (g_str_equal (mode, "dot"))
    {
      StrataPlanOp mm = { .type = STRATA_OP_BATCH_MATMUL, .n_inputs = 2, .inputs = { q, k } };
      mm.attr.batch_matmul.adj_y = TRUE;
      scores = strata_lower_op_full (call, &mm, error);
      if (scale != G_MAXUINT)
        scores = strata_lower_binary (call, STRATA_OP_MUL, scores, scale, error);
    }
  else
    {
      /* Σ_d over tanh(q[:, :, None] + k[:, None]): [B, Tq, Tv, D] */
      gint64 qd[3] = { dims_of (call, q)[1], 1, dims_of (call, q)[2] };
      gint64 kd[3] = { 1, dims_of (call, k)[1], dims_of (call, k)[2] };
      StrataPlanOp sum = { .type = STRATA_OP_SUM, .n_inputs = 1 };
      guint t = strata_lower_binary (call, STRATA_OP_ADD, strata_lower_reshape (call, q, 3, qd, error),
                                     strata_lower_reshape (call, k, 3, kd, error), error);
      if (!additive && scale != G_MAXUINT)
        t = strata_lower_binary (call, STRATA_OP_MUL, scale, t, error);
      t = strata_lower_unary (call, STRATA_OP_TANH, t, error);
      if (additive && scale != G_MAXUINT)
        t = strata_lower_binary (call, STRATA_OP_MUL, scale, t, error);
      if (!STRATA_LOWER_OK (t))
        return FALSE;
      sum.inputs[0] = t;
      sum.attr.reduce.axes = 1u << 3;
      scores = strata_lower_op_full (call, &sum, error);
      if (concat_weight != G_MAXUINT)
        scores = strata_lower_binary (call, STRATA_OP_MUL, concat_weight, scores, error);
    }
  if (!STRATA_LOWER_OK (scores))
    return FALSE;

  keep = expand_mask (call, v_mask, FALSE, error);
  /* tf-keras also honours the deprecated constructor argument causal. */
  if (kwarg_true (call, "use_causal_mask") || strata_lower_get_bool (call, "causal", FALSE))
    keep = and_masks (call, keep, causal_mask (call, dims_of (call, q)[1], dims_of (call, v)[1], error),
                      error);
  if (keep != G_MAXUINT)
    scores = subtract_masked (call, scores, keep, error);
  weights = strata_lower_unary (call, STRATA_OP_SOFTMAX, scores, error);
  y = strata_lower_binary (call, STRATA_OP_BATCH_MATMUL, weights, v, error);
  if (q_mask != G_MAXUINT)
    y = strata_lower_binary (call, STRATA_OP_MUL, y, expand_mask (call, q_mask, TRUE, error), error);
  if (!STRATA_LOWER_OK (y))
    return FALSE;
  return finish (call, y, q_mask);
}

/* x · W + b for a kernel [D, N, H] and bias [N, H] (EinsumDense
 * abc,cde->abde), as [B, T, N, H]. */
static guint
project (StrataLowerCall *call, guint x, guint kernel, guint bias, GError **error)
{
  const gint64 *wd = dims_of (call, kernel);
  gint64 flat[2] = { wd[0], wd[1] * wd[2] }, split[3] = { -1, wd[1], wd[2] };
  guint y;

  if (strata_lower_value (call, kernel)->rank != 3 ||
      (bias != G_MAXUINT && strata_lower_value (call, bias)->rank != 2))
    {
      strata_lower_unsupported (call, error, "a projection kernel not of rank 3");
      return G_MAXUINT;
    }
  y = strata_lower_binary (call, STRATA_OP_MATMUL, x, strata_lower_const_view (call, kernel, 2, flat), error);
  if (bias != G_MAXUINT)
    y = strata_lower_binary (call, STRATA_OP_BIAS_ADD, y, strata_lower_const_view (call, bias, 1, flat + 1),
                             error);
  return strata_lower_reshape (call, y, 3, split, error);
}

/* [B, T, N, H] <-> [B, N, T, H] */
static guint
swap_heads (StrataLowerCall *call, guint x, GError **error)
{
  const guint perm[4] = { 0, 2, 1, 3 };

  return strata_lower_transpose (call, x, perm, error);
}

/* MultiHeadAttention on rank-3 inputs, spec 5.2 and 5.3. */
static gboolean
lower_mha (StrataLowerCall *call, GError **error)
{
  guint w[8], n_weights, q, k, v, scores, mask, probs, o, y;
  gboolean bias = strata_lower_get_bool (call, "use_bias", TRUE);
  gint64 key_dim = strata_lower_get_int (call, "key_dim", 0), out_dim;
  JsonArray *axes = strata_json_node_get_list (json_object_get_member (call->config, "attention_axes"));
  float inv_sqrt = (float) (1.0 / sqrt ((double) key_dim));
  /* Keras 3 uses ops.dot_product_attention unless dropout is configured
   * (or the scores are returned, which is refused below); tf-keras always
   * the einsum path. */
  gboolean fused = strata_lower_keras3 (call) && !(strata_lower_get_double (call, "dropout", 0.0) > 0.0);
  StrataPlanOp mm = { .type = STRATA_OP_BATCH_MATMUL, .n_inputs = 2 };
  gint64 flat[2];

  if (call->n_inputs < 2 || call->n_inputs > 3)
    return strata_lower_unsupported (call, error, "%u inputs (query, value and an optional key expected)",
                                     call->n_inputs);
  for (guint i = 0; i < call->n_inputs; i++)
    if (strata_lower_value (call, call->inputs[i])->rank != 3)
      return strata_lower_unsupported (call, error, "inputs not of rank 3");
  if (axes != NULL && !(json_array_get_length (axes) == 1 &&
                        (json_array_get_int_element (axes, 0) == 1 || json_array_get_int_element (axes, 0) == -2)))
    return strata_lower_unsupported (call, error, "attention_axes other than the sequence axis");
  if (strata_lower_get_bool (call, "softmax_robust_masking", FALSE))
    return strata_lower_unsupported (call, error, "softmax_robust_masking");
  if (strata_lower_get_bool (call, "use_gate", FALSE))
    return strata_lower_unsupported (call, error, "use_gate");
  if (key_dim < 1)
    return strata_lower_unsupported (call, error, "key_dim");
  if (!strata_lower_weights (call, w, 8, &n_weights, error))
    return FALSE;
  if (n_weights != (bias ? 8u : 4u))
    return strata_lower_unsupported (call, error, "%u weights with use_bias=%s", n_weights,
                                     bias ? "True" : "False");
#define WEIGHT(i) (bias ? w[2 * (i)] : w[i])
#define BIAS(i) (bias ? w[2 * (i) + 1] : G_MAXUINT)
  q = project (call, call->inputs[0], WEIGHT (0), BIAS (0), error);
  k = project (call, call->inputs[call->n_inputs == 3 ? 2 : 1], WEIGHT (1), BIAS (1), error);
  v = project (call, call->inputs[1], WEIGHT (2), BIAS (2), error);
  if (!fused)
    q = strata_lower_binary (call, STRATA_OP_MUL, q, scalar (call, inv_sqrt), error);
  mm.inputs[0] = swap_heads (call, q, error);
  mm.inputs[1] = swap_heads (call, k, error);
  if (!STRATA_LOWER_OK (mm.inputs[0]) || !STRATA_LOWER_OK (mm.inputs[1]) || !STRATA_LOWER_OK (v))
    return FALSE;
  mm.attr.batch_matmul.adj_y = TRUE;
  scores = strata_lower_op_full (call, &mm, error);   /* [B, N, T, S] */
  if (fused)
    scores = strata_lower_binary (call, STRATA_OP_MUL, scores, scalar (call, inv_sqrt), error);

  /* The [B, T, S] mask: attention_mask AND query, value, key masks AND causal. */
  mask = G_MAXUINT;
  if (call->attention_mask != G_MAXUINT)
    mask = strata_lower_binary (call, STRATA_OP_NOT_EQUAL, call->attention_mask, scalar (call, 0.0f), error);
  mask = and_masks (call, mask, expand_mask (call, call->masks[0], TRUE, error), error);
  mask = and_masks (call, mask, expand_mask (call, call->masks[1], FALSE, error), error);
  if (call->n_inputs == 3)
    mask = and_masks (call, mask, expand_mask (call, call->masks[2], FALSE, error), error);
  if (kwarg_true (call, "use_causal_mask"))
    mask = and_masks (call, mask, causal_mask (call, dims_of (call, call->inputs[0])[1],
                                               dims_of (call, call->inputs[1])[1], error), error);
  if (mask != G_MAXUINT && strata_lower_value (call, mask)->rank == 3)
    {
      /* over the heads: [B, 1, T, S] */
      gint64 d[3] = { 1, dims_of (call, mask)[1], dims_of (call, mask)[2] };
      mask = strata_lower_reshape (call, mask, 3, d, error);
    }
  if (mask == G_MAXUINT)
    probs = strata_lower_unary (call, STRATA_OP_SOFTMAX, scores, error);
  else if (fused)
    {
      /* where(mask, logits, −0.7·float32 max): fully masked rows are uniform */
      guint in[3] = { mask, scores, scalar (call, (float) (-0.7 * 3.38953e38)) };
      probs = strata_lower_unary (call, STRATA_OP_SOFTMAX,
                                  strata_lower_op (call, STRATA_OP_SELECT_POS, 3, in, error), error);
    }
  else if (strata_lower_keras3 (call))
    {
      /* Keras 3's Softmax layer: where(mask, x, −1e9), masked probabilities 0 */
      guint in[3] = { mask, scores, scalar (call, -1e9f) };
      probs = strata_lower_unary (call, STRATA_OP_SOFTMAX,
                                  strata_lower_op (call, STRATA_OP_SELECT_POS, 3, in, error), error);
      probs = strata_lower_binary (call, STRATA_OP_MUL, probs, mask, error);
    }
  else
    {
      /* tf-keras's Softmax layer: x + (1 − mask)·(−1e9) */
      guint padding = strata_lower_binary (call, STRATA_OP_SUB, scalar (call, 1.0f), mask, error);
      probs = strata_lower_unary (call, STRATA_OP_SOFTMAX,
                                  strata_lower_binary (call, STRATA_OP_ADD, scores,
                                                       strata_lower_binary (call, STRATA_OP_MUL, padding,
                                                                            scalar (call, -1e9f), error),
                                                       error),
                                  error);
    }
  mm.inputs[0] = probs;
  mm.inputs[1] = swap_heads (call, v, error);
  if (!STRATA_LOWER_OK (mm.inputs[0]) || !STRATA_LOWER_OK (mm.inputs[1]))
    return FALSE;
  mm.attr.batch_matmul.adj_y = FALSE;
  o = swap_heads (call, strata_lower_op_full (call, &mm, error), error);   /* [B, T, N, Hv] */

  /* Output projection abcd,cde->abe: kernel [N, Hv, Dout] */
  if (strata_lower_value (call, WEIGHT (3))->rank != 3)
    return strata_lower_unsupported (call, error, "an output kernel not of rank 3");
  out_dim = dims_of (call, WEIGHT (3))[2];
  flat[0] = dims_of (call, WEIGHT (3))[0] * dims_of (call, WEIGHT (3))[1];
  flat[1] = out_dim;
  {
    gint64 merged[2] = { -1, flat[0] };
    y = strata_lower_binary (call, STRATA_OP_MATMUL, strata_lower_reshape (call, o, 2, merged, error),
                             strata_lower_const_view (call, WEIGHT (3), 2, flat), error);
  }
  if (bias)
    y = strata_lower_binary (call, STRATA_OP_BIAS_ADD, y, BIAS (3), error);
#undef WEIGHT
#undef BIAS
  if (!STRATA_LOWER_OK (y))
    return FALSE;
  return finish (call, y, call->masks[0]);
}

gboolean
strata_lower_attention (StrataLowerCall *call, GError **error)
{
  if (kwarg_true (call, "return_attention_scores"))
    return strata_lower_unsupported (call, error, "return_attention_scores");
  /* Keras 3's explicit mask keywords of MultiHeadAttention (the masks the
   * tensors carry are used) */
  if (kwarg_true (call, "value_mask") || kwarg_true (call, "key_mask"))
    return strata_lower_unsupported (call, error, "an explicit value_mask or key_mask");
  if (g_str_equal (call->class_name, "MultiHeadAttention"))
    return lower_mha (call, error);
  return lower_dense_attention (call, g_str_equal (call->class_name, "AdditiveAttention"), error);
}
