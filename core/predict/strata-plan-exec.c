/* strata-plan-exec.c: running a plan
 *
 * Preparing a plan for concrete input shapes infers every value's shape
 * and lays the computed values out in one arena: a value lives from the op
 * that writes it to the last op that reads it, and a freed block is reused
 * by later values (first fit). Reshape and Identity alias their input.
 * Inputs and constants are read where they are (the caller's tensors, the
 * model's weights). Running then allocates nothing per op.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-plan.h"
#include "strata-plan-kernels.h"
#include "strata-predict.h"

#define ALIGN 64

typedef struct {
  guint  rank;
  gint64 dims[STRATA_PLAN_MAX_RANK];
  StrataPlanDType dtype;
  guint  root;       /* the value whose storage this one uses */
  gsize  offset;     /* in the arena, for computed roots */
  gsize  bytes;
} ValueInfo;

struct _StrataPlanExec {
  StrataPlan *plan;
  ValueInfo  *info;
  gsize      *scratch_offset;   /* per op */
  gsize      *scratch_bytes;
  gsize       arena_size;
  guint8     *arena;
};

typedef struct { gsize offset, size; } Block;

/* First-fit allocation among @live blocks (sorted by offset). */
static gsize
arena_alloc (GArray *live, gsize size, gsize *high)
{
  gsize at = 0;
  guint i;
  Block b;

  size = (size + ALIGN - 1) / ALIGN * ALIGN;
  if (size == 0)
    size = ALIGN;
  for (i = 0; i < live->len; i++)
    {
      Block *l = &g_array_index (live, Block, i);
      if (l->offset >= at + size)
        break;
      at = MAX (at, l->offset + l->size);
    }
  b.offset = at;
  b.size = size;
  g_array_insert_val (live, i, b);
  *high = MAX (*high, at + size);
  return at;
}

static void
arena_free (GArray *live, gsize offset)
{
  for (guint i = 0; i < live->len; i++)
    if (g_array_index (live, Block, i).offset == offset)
      {
        g_array_remove_index (live, i);
        return;
      }
}

static void
fill_args (StrataPlanExec *exec, const StrataPlanOp *op, StrataKernelArgs *args)
{
  memset (args, 0, sizeof *args);
  args->op = op;
  args->n_inputs = op->n_inputs;
  for (guint j = 0; j < op->n_inputs; j++)
    {
      args->in_rank[j] = exec->info[op->inputs[j]].rank;
      args->in_dims[j] = exec->info[op->inputs[j]].dims;
    }
  args->out_rank = exec->info[op->output].rank;
  args->out_dims = exec->info[op->output].dims;
  args->dtype = exec->info[op->output].dtype;
}

void
strata_plan_exec_free (StrataPlanExec *exec)
{
  if (exec == NULL)
    return;
  g_free (exec->info);
  g_free (exec->scratch_offset);
  g_free (exec->scratch_bytes);
  g_free (exec->arena);
  g_free (exec);
}

gsize
strata_plan_exec_get_arena_size (StrataPlanExec *exec)
{
  return exec->arena_size;
}

gboolean
strata_plan_exec_matches (StrataPlanExec *exec, GPtrArray *input_shapes)
{
  for (guint i = 0; i < exec->plan->inputs->len; i++)
    {
      ValueInfo *vi = &exec->info[g_array_index (exec->plan->inputs, guint, i)];
      guint rank;
      const gint64 *dims = strata_shape_get_dims (g_ptr_array_index (input_shapes, i), &rank);
      if (rank != vi->rank || memcmp (dims, vi->dims, rank * sizeof (gint64)) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_input (StrataPlan *plan, guint i, StrataShape *shape, ValueInfo *vi, GError **error)
{
  StrataPlanValue *v = strata_plan_value (plan, g_array_index (plan->inputs, guint, i));
  guint rank;
  const gint64 *dims = strata_shape_get_dims (shape, &rank);
  gboolean ok = rank == v->rank;

  for (guint d = 1; ok && d < rank; d++)
    ok = v->dims[d] < 0 || v->dims[d] == dims[d];
  for (guint d = 0; ok && d < rank; d++)
    ok = dims[d] >= 0;
  if (!ok)
    {
      GString *want = g_string_new ("(None");
      g_autofree char *got = strata_shape_to_string (shape);
      for (guint d = 1; d < v->rank; d++)
        {
          if (v->dims[d] < 0)
            g_string_append (want, ", None");
          else
            g_string_append_printf (want, ", %" G_GINT64_FORMAT, v->dims[d]);
        }
      g_string_append (want, v->rank == 1 ? ",)" : ")");
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   "Input %u has the shape %s; the model expects %s", i, got, want->str);
      g_string_free (want, TRUE);
      return FALSE;
    }
  vi->rank = rank;
  memcpy (vi->dims, dims, rank * sizeof (gint64));
  return TRUE;
}

StrataPlanExec *
strata_plan_exec_new (StrataPlan *plan, GPtrArray *input_shapes, GError **error)
{
  g_autoptr(GArray) live = g_array_new (FALSE, FALSE, sizeof (Block));
  g_autofree guint *last_use = NULL;
  StrataPlanExec *exec = g_new0 (StrataPlanExec, 1);
  guint n_ops = plan->ops->len;
  gsize high = 0;

  exec->plan = plan;
  exec->info = g_new0 (ValueInfo, plan->values->len);
  exec->scratch_offset = g_new0 (gsize, n_ops);
  exec->scratch_bytes = g_new0 (gsize, n_ops);
  last_use = g_new0 (guint, plan->values->len);

  for (guint i = 0; i < plan->values->len; i++)
    {
      StrataPlanValue *v = strata_plan_value (plan, i);
      exec->info[i].root = i;
      exec->info[i].dtype = v->dtype;
      if (v->kind == STRATA_PLAN_VALUE_CONST)
        {
          exec->info[i].rank = v->rank;
          memcpy (exec->info[i].dims, v->dims, sizeof v->dims);
        }
    }
  for (guint i = 0; i < plan->inputs->len; i++)
    if (!check_input (plan, i, g_ptr_array_index (input_shapes, i),
                      &exec->info[g_array_index (plan->inputs, guint, i)], error))
      goto fail;

  /* Shapes, aliases and lifetimes. */
  for (guint k = 0; k < n_ops; k++)
    {
      StrataPlanOp *op = &g_array_index (plan->ops, StrataPlanOp, k);
      ValueInfo *out = &exec->info[op->output];
      guint in_rank[STRATA_PLAN_MAX_INPUTS];
      gint64 in_dims[STRATA_PLAN_MAX_INPUTS][STRATA_PLAN_MAX_RANK];
      gsize n = 1;

      for (guint j = 0; j < op->n_inputs; j++)
        {
          ValueInfo *in = &exec->info[op->inputs[j]];
          in_rank[j] = in->rank;
          memcpy (in_dims[j], in->dims, sizeof in->dims);
          last_use[in->root] = k;
        }
      if (!strata_plan_infer_shape (op, (StrataPlanValue *) (void *) plan->values->data,
                                    in_rank, in_dims, &out->dtype, &out->rank, out->dims, error))
        goto fail;
      for (guint d = 0; d < out->rank; d++)
        {
          if (out->dims[d] < 0 || (out->dims[d] > 0 && n > G_MAXSIZE / 16 / (gsize) out->dims[d]))
            {
              g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                           "Layer “%s”: the output shape cannot be computed for these inputs",
                           op->layer);
              goto fail;
            }
          n *= (gsize) out->dims[d];
        }
      out->bytes = n * strata_plan_dtype_size (out->dtype);
      if (op->type == STRATA_OP_RESHAPE || op->type == STRATA_OP_IDENTITY)
        out->root = exec->info[op->inputs[0]].root;
      last_use[out->root] = MAX (last_use[out->root], k);
    }
  for (guint i = 0; i < plan->outputs->len; i++)
    last_use[exec->info[g_array_index (plan->outputs, guint, i)].root] = n_ops;

  /* Arena layout. */
  for (guint k = 0; k < n_ops; k++)
    {
      StrataPlanOp *op = &g_array_index (plan->ops, StrataPlanOp, k);
      ValueInfo *out = &exec->info[op->output];
      StrataKernelArgs args;

      if (out->root == op->output)
        out->offset = arena_alloc (live, out->bytes, &high);
      fill_args (exec, op, &args);
      exec->scratch_bytes[k] = strata_kernel_scratch_size (&args);
      if (exec->scratch_bytes[k] > 0)
        {
          exec->scratch_offset[k] = arena_alloc (live, exec->scratch_bytes[k], &high);
          arena_free (live, exec->scratch_offset[k]);
        }
      for (guint j = 0; j < op->n_inputs; j++)
        {
          guint root = exec->info[op->inputs[j]].root;
          if (last_use[root] == k && strata_plan_value (plan, root)->kind == STRATA_PLAN_VALUE_COMPUTED)
            {
              arena_free (live, exec->info[root].offset);
              last_use[root] = G_MAXUINT;   /* freed once */
            }
        }
      if (last_use[out->root] == k && out->root == op->output)
        arena_free (live, out->offset);
    }
  exec->arena_size = high;
  exec->arena = g_try_malloc (MAX (high, 1));
  if (exec->arena == NULL)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   "Cannot allocate %" G_GSIZE_FORMAT " bytes of activations", high);
      goto fail;
    }
  return exec;

fail:
  strata_plan_exec_free (exec);
  return NULL;
}

static const void *
value_ptr (StrataPlanExec *exec, guint id, const void * const *inputs)
{
  guint root = exec->info[id].root;
  StrataPlanValue *v = strata_plan_value (exec->plan, root);

  switch (v->kind)
    {
    case STRATA_PLAN_VALUE_CONST:
      return v->data;
    case STRATA_PLAN_VALUE_INPUT:
      for (guint i = 0; i < exec->plan->inputs->len; i++)
        if (g_array_index (exec->plan->inputs, guint, i) == root)
          return inputs[i];
      g_assert_not_reached ();
    case STRATA_PLAN_VALUE_COMPUTED:
    default:
      return exec->arena + exec->info[root].offset;
    }
}

GPtrArray *
strata_plan_exec_run (StrataPlanExec *exec, const void * const *inputs,
                      GCancellable *cancellable, GError **error)
{
  StrataPlan *plan = exec->plan;
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint k = 0; k < plan->ops->len; k++)
    {
      StrataPlanOp *op = &g_array_index (plan->ops, StrataPlanOp, k);
      StrataKernelArgs args;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      fill_args (exec, op, &args);
      for (guint j = 0; j < op->n_inputs; j++)
        args.in[j] = value_ptr (exec, op->inputs[j], inputs);
      args.out = (void *) value_ptr (exec, op->output, inputs);
      args.scratch = exec->arena + exec->scratch_offset[k];
      /* An alias of a read-only value has nothing to compute. */
      if ((op->type == STRATA_OP_RESHAPE || op->type == STRATA_OP_IDENTITY))
        continue;
      strata_kernel_run (&args);
    }
  for (guint i = 0; i < plan->outputs->len; i++)
    {
      guint id = g_array_index (plan->outputs, guint, i);
      ValueInfo *vi = &exec->info[id];
      g_autoptr(StrataShape) shape = strata_shape_new (vi->rank, vi->dims);
      g_autoptr(GBytes) bytes = g_bytes_new (value_ptr (exec, id, inputs), vi->bytes);
      StrataDType dtype = vi->dtype == STRATA_PLAN_I32 ? STRATA_DTYPE_INT32
                          : vi->dtype == STRATA_PLAN_F64 ? STRATA_DTYPE_FLOAT64 : STRATA_DTYPE_FLOAT32;
      StrataTensor *t = strata_tensor_new (dtype, shape, bytes, error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (outputs, t);
    }
  return g_steal_pointer (&outputs);
}
