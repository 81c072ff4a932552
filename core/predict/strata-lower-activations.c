/* strata-lower-activations.c: Keras activations and activation layers
 *
 * Formulas: ../shared/specs/keras-inference-semantics.md section 2. Where
 * tf-keras and Keras 3 differ (hard_sigmoid), the plan follows the Keras
 * that wrote the model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-lower-private.h"

static guint
scalar (StrataLowerCall *call, float v)
{
  return strata_plan_add_scalar (call->plan, call->name, v);
}

static guint
leaky (StrataLowerCall *call, guint x, float alpha, GError **error)
{
  StrataPlanOp op = { .type = STRATA_OP_LEAKY_RELU, .n_inputs = 1, .inputs = { x } };

  op.attr.leaky.alpha = alpha;
  return strata_lower_op_full (call, &op, error);
}

static guint
clip (StrataLowerCall *call, guint x, float lo, float hi, GError **error)
{
  StrataPlanOp op = { .type = STRATA_OP_CLIP, .n_inputs = 1, .inputs = { x } };

  if (!STRATA_LOWER_OK (x))
    return x;
  op.attr.clip.lo = lo;
  op.attr.clip.hi = hi;
  return strata_lower_op_full (call, &op, error);
}

static guint
softplus_of (StrataLowerCall *call, guint x, GError **error)
{
  return strata_lower_unary (call, STRATA_OP_SOFTPLUS, x, error);
}

guint
strata_lower_softmax (StrataLowerCall *call, guint x, guint axes, gboolean log, GError **error)
{
  guint rank = strata_lower_value (call, x)->rank;
  guint last = 1u << (rank - 1);

  if (axes == last)
    return strata_lower_unary (call, log ? STRATA_OP_LOG_SOFTMAX : STRATA_OP_SOFTMAX, x, error);
  if ((axes & (axes - 1)) == 0)
    {
      /* One other axis: moved last and back, as TensorFlow's softmax does. */
      guint perm[STRATA_PLAN_MAX_RANK], axis = (guint) g_bit_nth_lsf (axes, -1);
      for (guint i = 0; i < rank; i++)
        perm[i] = i;
      perm[axis] = rank - 1;
      perm[rank - 1] = axis;
      x = strata_lower_transpose (call, x, perm, error);
      x = strata_lower_unary (call, log ? STRATA_OP_LOG_SOFTMAX : STRATA_OP_SOFTMAX, x, error);
      return strata_lower_transpose (call, x, perm, error);
    }
  else
    {
      /* Several axes: exp(x - max) / sum over all of them. */
      StrataPlanOp max = { .type = STRATA_OP_MAX, .n_inputs = 1, .inputs = { x } };
      StrataPlanOp sum = { .type = STRATA_OP_SUM, .n_inputs = 1 };
      guint m, e, s;

      if (log)
        {
          strata_lower_unsupported (call, error, "log_softmax over several axes");
          return G_MAXUINT;
        }
      max.attr.reduce.axes = axes;
      max.attr.reduce.keep_dims = TRUE;
      m = strata_lower_op_full (call, &max, error);
      e = strata_lower_unary (call, STRATA_OP_EXP, strata_lower_binary (call, STRATA_OP_SUB, x, m, error), error);
      if (!STRATA_LOWER_OK (e))
        return e;
      sum.inputs[0] = e;
      sum.attr.reduce = max.attr.reduce;
      s = strata_lower_op_full (call, &sum, error);
      return strata_lower_binary (call, STRATA_OP_DIV, e, s, error);
    }
}

guint
strata_lower_relu (StrataLowerCall *call, guint x, double s, gboolean has_max, double m, double t,
                   GError **error)
{
  guint neg = G_MAXUINT, a;

  /* Spec 2.2, in the order both Kerases evaluate it. */
  if (s != 0.0 && !has_max && t == 0.0)
    return leaky (call, x, (float) s, error);
  if (s != 0.0)
    neg = strata_lower_unary (call, STRATA_OP_RELU,
                              strata_lower_binary (call, STRATA_OP_SUB, scalar (call, (float) t), x, error),
                              error);
  if (t != 0.0)
    a = strata_lower_binary (call, STRATA_OP_MUL, x,
                             strata_lower_binary (call, STRATA_OP_GREATER, x, scalar (call, (float) t), error),
                             error);
  else if (has_max && m == 6.0)
    {
      a = strata_lower_unary (call, STRATA_OP_RELU6, x, error);
      has_max = FALSE;
    }
  else
    a = strata_lower_unary (call, STRATA_OP_RELU, x, error);
  if (has_max)
    a = clip (call, a, 0.0f, (float) m, error);
  if (s != 0.0)
    a = strata_lower_binary (call, STRATA_OP_SUB, a,
                             strata_lower_binary (call, STRATA_OP_MUL, scalar (call, (float) s), neg, error),
                             error);
  return a;
}

static guint
hard_sigmoid (StrataLowerCall *call, guint x, GError **error)
{
  if (strata_lower_keras3 (call))
    /* relu6(x + 3) / 6 */
    return strata_lower_binary (call, STRATA_OP_DIV,
                                strata_lower_unary (call, STRATA_OP_RELU6,
                                                    strata_lower_binary (call, STRATA_OP_ADD, x,
                                                                         scalar (call, 3.0f), error),
                                                    error),
                                scalar (call, 6.0f), error);
  /* clip(0.2 x + 0.5, 0, 1) */
  return clip (call, strata_lower_binary (call, STRATA_OP_ADD,
                                          strata_lower_binary (call, STRATA_OP_MUL, x,
                                                               scalar (call, 0.2f), error),
                                          scalar (call, 0.5f), error),
               0.0f, 1.0f, error);
}

static guint
times (StrataLowerCall *call, guint x, guint y, GError **error)
{
  return strata_lower_binary (call, STRATA_OP_MUL, x, y, error);
}

/* A name, or a serialized function ({"class_name": "function", "config": name}). */
const char *
strata_lower_activation_name (JsonNode *activation)
{
  if (activation == NULL || JSON_NODE_HOLDS_NULL (activation))
    return "linear";
  if (json_node_get_value_type (activation) == G_TYPE_STRING)
    return json_node_get_string (activation);
  if (JSON_NODE_HOLDS_OBJECT (activation))
    {
      JsonObject *object = json_node_get_object (activation);
      const char *name = strata_lower_string_member (object, "class_name");
      if (g_strcmp0 (name, "function") == 0 && strata_lower_object_member (object, "config") == NULL)
        name = strata_lower_string_member (object, "config");
      return name;
    }
  return NULL;
}

guint
strata_lower_activation (StrataLowerCall *call, JsonNode *activation, guint x, GError **error)
{
  const char *name;
  guint rank = strata_lower_value (call, x)->rank;

  if (activation == NULL || JSON_NODE_HOLDS_NULL (activation))
    return x;
  name = strata_lower_activation_name (activation);
  if (name == NULL)
    {
      strata_lower_unsupported (call, error, "activation that is not a name");
      return G_MAXUINT;
    }

  if (g_str_equal (name, "linear"))
    return x;
  if (g_str_equal (name, "relu"))
    return strata_lower_unary (call, STRATA_OP_RELU, x, error);
  if (g_str_equal (name, "relu6"))
    return strata_lower_unary (call, STRATA_OP_RELU6, x, error);
  if (g_str_equal (name, "leaky_relu"))
    return leaky (call, x, 0.2f, error);
  if (g_str_equal (name, "elu"))
    return strata_lower_unary (call, STRATA_OP_ELU, x, error);
  if (g_str_equal (name, "selu"))
    return strata_lower_unary (call, STRATA_OP_SELU, x, error);
  if (g_str_equal (name, "sigmoid"))
    return strata_lower_unary (call, STRATA_OP_SIGMOID, x, error);
  if (g_str_equal (name, "tanh"))
    return strata_lower_unary (call, STRATA_OP_TANH, x, error);
  if (g_str_equal (name, "softplus"))
    return softplus_of (call, x, error);
  if (g_str_equal (name, "softsign"))
    return strata_lower_unary (call, STRATA_OP_SOFTSIGN, x, error);
  if (g_str_equal (name, "exponential"))
    return strata_lower_unary (call, STRATA_OP_EXP, x, error);
  if (g_str_equal (name, "gelu"))
    {
      StrataPlanOp op = { .type = STRATA_OP_GELU, .n_inputs = 1, .inputs = { x } };
      op.attr.gelu.approximate = FALSE;
      return strata_lower_op_full (call, &op, error);
    }
  if (g_str_equal (name, "swish") || g_str_equal (name, "silu"))
    return times (call, x, strata_lower_unary (call, STRATA_OP_SIGMOID, x, error), error);
  if (g_str_equal (name, "hard_sigmoid"))
    return hard_sigmoid (call, x, error);
  if (g_str_equal (name, "mish"))
    return times (call, x, strata_lower_unary (call, STRATA_OP_TANH, softplus_of (call, x, error), error),
                  error);
  if (g_str_equal (name, "softmax") || g_str_equal (name, "log_softmax"))
    return strata_lower_softmax (call, x, 1u << (rank - 1), name[0] == 'l', error);

  /* Keras 3 only; a tf-keras file cannot name them. */
  if (g_str_equal (name, "hard_silu") || g_str_equal (name, "hard_swish"))
    return times (call, x,
                  strata_lower_binary (call, STRATA_OP_DIV,
                                       strata_lower_unary (call, STRATA_OP_RELU6,
                                                           strata_lower_binary (call, STRATA_OP_ADD, x,
                                                                                scalar (call, 3.0f), error),
                                                           error),
                                       scalar (call, 6.0f), error),
                  error);
  if (g_str_equal (name, "hard_tanh"))
    return clip (call, x, -1.0f, 1.0f, error);
  if (g_str_equal (name, "tanh_shrink"))
    return strata_lower_binary (call, STRATA_OP_SUB, x, strata_lower_unary (call, STRATA_OP_TANH, x, error),
                                error);
  if (g_str_equal (name, "log_sigmoid"))
    return strata_lower_unary (call, STRATA_OP_NEG,
                               softplus_of (call, strata_lower_unary (call, STRATA_OP_NEG, x, error), error),
                               error);
  if (g_str_equal (name, "celu"))
    /* max(x, 0) + expm1(min(x, 0)) with alpha 1: elu */
    return strata_lower_unary (call, STRATA_OP_ELU, x, error);
  if (g_str_equal (name, "squareplus"))
    /* (x + sqrt(x² + 4)) / 2 */
    return strata_lower_binary (call, STRATA_OP_DIV,
                                strata_lower_binary (call, STRATA_OP_ADD, x,
                                                     strata_lower_unary (call, STRATA_OP_SQRT,
                                                                         strata_lower_binary (call, STRATA_OP_ADD,
                                                                                              times (call, x, x, error),
                                                                                              scalar (call, 4.0f), error),
                                                                         error),
                                                     error),
                                scalar (call, 2.0f), error);
  if (g_str_equal (name, "sparse_sigmoid"))
    /* 0.5 (x + 1) clipped to [0, 1] */
    return clip (call, times (call, strata_lower_binary (call, STRATA_OP_ADD, x, scalar (call, 1.0f), error),
                              scalar (call, 0.5f), error),
                 0.0f, 1.0f, error);

  strata_lower_unsupported (call, error, "activation “%s”", name);
  return G_MAXUINT;
}

gboolean
strata_lower_activations (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;
  guint x = call->inputs[0];
  guint rank = strata_lower_value (call, x)->rank;

  if (call->kwargs != NULL && json_object_has_member (call->kwargs, "mask"))
    return strata_lower_unsupported (call, error, "call with a mask");
  if (g_str_equal (cls, "Activation"))
    return strata_lower_done (call, strata_lower_activation (call, json_object_get_member (call->config, "activation"),
                                                x, error));
  if (g_str_equal (cls, "ReLU"))
    {
      JsonNode *max = json_object_get_member (call->config, "max_value");
      double m = 0.0;
      gboolean has_max = max != NULL && strata_json_node_get_double (max, &m);
      return strata_lower_done (call, strata_lower_relu (call, x, strata_lower_get_double (call, "negative_slope", 0.0),
                                            has_max, m, strata_lower_get_double (call, "threshold", 0.0),
                                            error));
    }
  if (g_str_equal (cls, "LeakyReLU"))
    {
      double alpha = strata_lower_get_double (call, "alpha",
                                              strata_lower_get_double (call, "negative_slope", 0.3));
      return strata_lower_done (call, leaky (call, x, (float) alpha, error));
    }
  if (g_str_equal (cls, "ELU"))
    {
      double alpha = strata_lower_get_double (call, "alpha", 1.0);
      guint e = strata_lower_unary (call, STRATA_OP_ELU, x, error);
      guint in[3];
      if (alpha == 1.0 || !STRATA_LOWER_OK (e))
        return strata_lower_done (call, e);
      /* where(x > 0, elu(x), alpha elu(x)), as tf-keras's backend.elu */
      in[0] = x;
      in[1] = e;
      in[2] = times (call, e, scalar (call, (float) alpha), error);
      return STRATA_LOWER_OK (in[2]) && strata_lower_done (call, strata_lower_op (call, STRATA_OP_SELECT_POS, 3, in, error));
    }
  if (g_str_equal (cls, "ThresholdedReLU"))
    {
      float theta = (float) strata_lower_get_double (call, "theta", 1.0);
      return strata_lower_done (call, times (call, x,
                                strata_lower_binary (call, STRATA_OP_GREATER, x, scalar (call, theta), error),
                                error));
    }
  if (g_str_equal (cls, "Softmax"))
    {
      gint64 axes[STRATA_PLAN_MAX_RANK];
      JsonNode *node = json_object_get_member (call->config, "axis");
      JsonArray *list = node != NULL ? strata_json_node_get_list (node) : NULL;
      guint n = list != NULL ? json_array_get_length (list) : 1, mask = 0;

      if (n == 0 || n > rank || !strata_lower_get_ints (call, "axis", n, axes, -1))
        return strata_lower_unsupported (call, error, "axis");
      for (guint i = 0; i < n; i++)
        {
          int a = strata_lower_axis ((int) axes[i], rank);
          if (a <= 0)
            return strata_lower_unsupported (call, error, "axis %" G_GINT64_FORMAT, axes[i]);
          mask |= 1u << a;
        }
      return strata_lower_done (call, strata_lower_softmax (call, x, mask, FALSE, error));
    }
  if (g_str_equal (cls, "PReLU"))
    {
      guint w[1], n;
      if (!strata_lower_weights (call, w, 1, &n, error))
        return FALSE;
      if (n != 1)
        return strata_lower_unsupported (call, error, "no alpha weight");
      /* relu(x) - alpha relu(-x) */
      return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_SUB,
                                              strata_lower_unary (call, STRATA_OP_RELU, x, error),
                                              times (call, w[0],
                                                     strata_lower_unary (call, STRATA_OP_RELU,
                                                                         strata_lower_unary (call, STRATA_OP_NEG, x, error),
                                                                         error),
                                                     error),
                                              error));
    }
  g_assert_not_reached ();
}
