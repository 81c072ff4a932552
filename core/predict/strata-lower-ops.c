/* strata-lower-ops.c: Keras 3 operation nodes
 *
 * Keras 3 writes the masks it computes as operation nodes of the graph
 * (Embedding: not_equal(ids, 0); Masking: any(not_equal(x, v), axis=-1))
 * and passes them to the layers that use them as the `mask` keyword. The
 * constant operands of an operation are in the node's args, beside the
 * tensors. Booleans are 0/1 floats in the plan.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-lower-private.h"

/* The number among the node's args (the operand that is no tensor). */
static gboolean
constant_operand (StrataLowerCall *call, double *value)
{
  for (guint i = 0; call->args != NULL && i < json_array_get_length (call->args); i++)
    if (strata_json_node_get_double (json_array_get_element (call->args, i), value))
      return TRUE;
  return FALSE;
}

static gboolean
lower_not_equal (StrataLowerCall *call, GError **error)
{
  guint b;
  double value;

  if (call->n_inputs == 2)
    b = call->inputs[1];
  else if (call->n_inputs == 1 && constant_operand (call, &value))
    b = strata_plan_add_scalar (call->plan, call->name, value);
  else
    return strata_lower_unsupported (call, error, "operands other than two tensors or a tensor and a number");
  return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_NOT_EQUAL, call->inputs[0], b, error));
}

/* any(x, axis) = max(x != 0, axis), over non-batch axes. */
static gboolean
lower_any (StrataLowerCall *call, GError **error)
{
  guint x = call->inputs[0], rank = strata_lower_value (call, x)->rank;
  JsonNode *axis = json_object_get_member (call->config, "axis");
  JsonArray *list = axis != NULL ? strata_json_node_get_list (axis) : NULL;
  guint n = list != NULL ? json_array_get_length (list) : 1;
  gint64 axes[STRATA_PLAN_MAX_RANK];
  StrataPlanOp op = { .type = STRATA_OP_MAX, .n_inputs = 1 };

  if (axis == NULL || JSON_NODE_HOLDS_NULL (axis) || n == 0 || n > rank ||
      !strata_lower_get_ints (call, "axis", n, axes, 0))
    return strata_lower_unsupported (call, error, "an axis that is not a list of non-batch axes");
  for (guint i = 0; i < n; i++)
    {
      int a = strata_lower_axis ((int) axes[i], rank);
      if (a <= 0)
        return strata_lower_unsupported (call, error, "axis %" G_GINT64_FORMAT, axes[i]);
      op.attr.reduce.axes |= 1u << a;
    }
  op.attr.reduce.keep_dims = strata_lower_get_bool (call, "keepdims", FALSE);
  op.inputs[0] = strata_lower_binary (call, STRATA_OP_NOT_EQUAL, x,
                                      strata_plan_add_scalar (call->plan, call->name, 0.0f), error);
  if (!STRATA_LOWER_OK (op.inputs[0]))
    return FALSE;
  return strata_lower_done (call, strata_lower_op_full (call, &op, error));
}

gboolean
strata_lower_ops (StrataLowerCall *call, GError **error)
{
  gboolean ok;

  if (call->n_inputs < 1)
    return strata_lower_unsupported (call, error, "no tensor operand");
  ok = g_str_equal (call->class_name, "NotEqual") ? lower_not_equal (call, error) : lower_any (call, error);
  /* Operations take no masks and give none. */
  call->masks_set = TRUE;
  return ok;
}
