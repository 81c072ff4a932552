/* strata-layers-merge.c: merge layers (Keras 1 Merge included), attention layers
 * and the Keras 3 operation nodes of masks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

enum {
  MERGE_ELEMENTWISE,
  MERGE_CONCATENATE,
  MERGE_DOT,
  MERGE_KERAS1,
  MERGE_REDUCE,      /* Keras 3 ops.any and the like: axis (null: all), keepdims */
};

static void
set_shapes_error (GError    **error,
                  StrataLayer *self,
                  GPtrArray   *input_shapes,
                  const char  *why)
{
  g_autofree char *found = strata_shapes_to_string (input_shapes);
  strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                            /* Translators: the first %s is a description of the value found, the
                             * second %s the reason. */
                            _("incompatible input shapes %s: %s"), found, why);
}

/* Add, Subtract, Multiply, Average, Maximum, Minimum: numpy broadcasting of
 * the non-batch axes (ranks may differ). */
static GPtrArray *
elementwise_shapes (StrataLayer *self,
                    GPtrArray   *input_shapes,
                    GError     **error)
{
  gint64 dims[STRATA_MAX_RANK];
  guint out_rank = 0, i, a;

  if (strata_builtin_input (self, input_shapes, 0, 1, 0, 1, error) == NULL)
    return NULL;
  for (i = 0; i < input_shapes->len; i++)
    out_rank = MAX (out_rank, strata_shape_get_rank (g_ptr_array_index (input_shapes, i)));
  for (a = 0; a < out_rank; a++)
    dims[a] = 1;
  dims[0] = STRATA_DIM_UNKNOWN;

  for (i = 0; i < input_shapes->len; i++)
    {
      StrataShape *s = g_ptr_array_index (input_shapes, i);
      guint rank = strata_shape_get_rank (s);

      if (rank == 0)
        {
          set_shapes_error (error, self, input_shapes, _("an input has no batch axis"));
          return NULL;
        }
      if (strata_shape_get_dim (s, 0) != STRATA_DIM_UNKNOWN)
        dims[0] = strata_shape_get_dim (s, 0);
      /* align from the end, skipping each input's batch axis */
      for (a = 1; a < rank; a++)
        {
          guint o = out_rank - rank + a;
          gint64 d = strata_shape_get_dim (s, a);

          /* Keras: unknown wins, then 1 broadcasts, else sizes must agree. */
          if (dims[o] == STRATA_DIM_UNKNOWN || d == STRATA_DIM_UNKNOWN)
            dims[o] = STRATA_DIM_UNKNOWN;
          else if (dims[o] == 1)
            dims[o] = d;
          else if (d != 1 && d != dims[o])
            {
              set_shapes_error (error, self, input_shapes, _("the sizes cannot be broadcast"));
              return NULL;
            }
        }
    }
  return strata_shapes_one (strata_builtin_shape (self, error, out_rank, dims));
}

/* A reduction over "axis" (an int, a list, or null for every axis). */
static GPtrArray *
reduce_shapes (StrataLayer *self,
               GPtrArray   *input_shapes,
               GError     **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 0, error);
  JsonNode *axis = strata_cfg_node (self, "axis", NULL);
  JsonArray *list = axis != NULL ? strata_json_node_get_list (axis) : NULL;
  gboolean keepdims = FALSE, reduced[STRATA_MAX_RANK] = { FALSE };
  gint64 dims[STRATA_MAX_RANK];
  guint rank, out_rank = 0;

  if (input == NULL || !strata_cfg_bool (self, FALSE, &keepdims, error, "keepdims", NULL))
    return NULL;
  rank = strata_shape_get_rank (input);
  for (guint a = 0; a < rank; a++)
    reduced[a] = axis == NULL;
  for (guint i = 0; axis != NULL && i < (list != NULL ? json_array_get_length (list) : 1); i++)
    {
      gint64 a;

      if (!strata_json_node_get_int (list != NULL ? json_array_get_element (list, i) : axis, &a))
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: a config key, here axis */
                                    _("config key “%s” must be an integer, a list of integers or null"),
                                    "axis");
          return NULL;
        }
      if (a < 0)
        a += rank;
      if (a < 0 || a >= (gint64) rank)
        {
          set_shapes_error (error, self, input_shapes, _("the reduction axis is outside the input"));
          return NULL;
        }
      reduced[a] = TRUE;
    }
  for (guint a = 0; a < rank; a++)
    if (!reduced[a] || keepdims)
      dims[out_rank++] = reduced[a] ? 1 : strata_shape_get_dim (input, a);
  return strata_shapes_one (strata_builtin_shape (self, error, out_rank, dims));
}

static GPtrArray *
concatenate_shapes (StrataLayer *self,
                    GPtrArray   *input_shapes,
                    gint64       axis,
                    GError     **error)
{
  StrataShape *first = strata_builtin_input (self, input_shapes, 0, 1, 0, 1, error);
  gint64 dims[STRATA_MAX_RANK];
  guint rank, i, a, ax;

  if (first == NULL)
    return NULL;
  rank = strata_shape_get_rank (first);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= (gint64) rank)
    {
      set_shapes_error (error, self, input_shapes, _("the concatenation axis is outside the inputs"));
      return NULL;
    }
  ax = (guint) axis;
  memcpy (dims, strata_shape_get_dims (first, NULL), rank * sizeof (gint64));
  for (i = 1; i < input_shapes->len; i++)
    {
      StrataShape *s = g_ptr_array_index (input_shapes, i);

      if (strata_shape_get_rank (s) != rank)
        {
          set_shapes_error (error, self, input_shapes, _("the inputs have different ranks"));
          return NULL;
        }
      for (a = 0; a < rank; a++)
        {
          gint64 d = strata_shape_get_dim (s, a);
          if (a == ax)
            dims[a] = strata_dim_add (dims[a], d);
          else if (dims[a] == STRATA_DIM_UNKNOWN)
            dims[a] = d;
          else if (d != STRATA_DIM_UNKNOWN && d != dims[a])
            {
              set_shapes_error (error, self, input_shapes,
                                _("the sizes differ outside the concatenation axis"));
              return NULL;
            }
        }
    }
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

/* Dot of two inputs over axes (a0, a1): the remaining axes of both. */
static GPtrArray *
dot_shapes (StrataLayer *self,
            GPtrArray   *input_shapes,
            gint64       a0,
            gint64       a1,
            GError     **error)
{
  StrataShape *x = strata_builtin_input (self, input_shapes, 0, 2, 2, 2, error);
  StrataShape *y = x != NULL ? strata_builtin_input (self, input_shapes, 1, 2, 2, 2, error) : NULL;
  gint64 dims[2 * STRATA_MAX_RANK];
  guint rx, ry, n = 0, i;

  if (y == NULL)
    return NULL;
  rx = strata_shape_get_rank (x);
  ry = strata_shape_get_rank (y);
  if (a0 < 0)
    a0 += rx;
  if (a1 < 0)
    a1 += ry;
  if (a0 <= 0 || a0 >= (gint64) rx || a1 <= 0 || a1 >= (gint64) ry)
    {
      set_shapes_error (error, self, input_shapes, _("the dot axes are outside the inputs"));
      return NULL;
    }
  if (strata_shape_get_dim (x, a0) != STRATA_DIM_UNKNOWN &&
      strata_shape_get_dim (y, a1) != STRATA_DIM_UNKNOWN &&
      strata_shape_get_dim (x, a0) != strata_shape_get_dim (y, a1))
    {
      set_shapes_error (error, self, input_shapes, _("the dot axes have different sizes"));
      return NULL;
    }
  for (i = 0; i < rx; i++)
    if (i != a0)
      dims[n++] = strata_shape_get_dim (x, i);
  for (i = 1; i < ry; i++)
    if (i != a1)
      dims[n++] = strata_shape_get_dim (y, i);
  if (n == 1)
    dims[n++] = 1;
  if (n > STRATA_MAX_RANK)
    {
      set_shapes_error (error, self, input_shapes, _("the result has too many axes"));
      return NULL;
    }
  return strata_shapes_one (strata_builtin_shape (self, error, n, dims));
}

/* Dot axes: an int, a pair of ints, or Keras 1's pair of one-element lists. */
/* An int, or a list (or tuple) of one int. */
static gboolean
one_int (JsonNode *node,
         gint64   *out)
{
  JsonArray *list = strata_json_node_get_list (node);

  if (list != NULL && json_array_get_length (list) == 1)
    node = json_array_get_element (list, 0);
  return strata_json_node_get_int (node, out);
}

static gboolean
read_dot_axes (StrataLayer *self,
               const char  *key,
               gint64      *axes,
               GError     **error)
{
  static const gint64 last[2] = { -1, -1 };
  JsonNode *node = strata_cfg_node (self, key, NULL);

  JsonArray *pair = strata_json_node_get_list (node);

  if (pair != NULL && json_array_get_length (pair) == 2)
    {
      guint i;

      for (i = 0; i < 2; i++)
        if (!one_int (json_array_get_element (pair, i), &axes[i]))
          break;
      if (i == 2)
        return TRUE;
    }
  return strata_cfg_tuple (self, 2, last, axes, error, key, NULL);
}

static GPtrArray *
merge_shapes (StrataLayer          *self,
              const StrataLayerRow *row,
              GPtrArray            *input_shapes,
              GError              **error)
{
  gint64 axis, axes[2];
  const char *mode = NULL;

  switch (row->variant)
    {
    case MERGE_ELEMENTWISE:
      if (g_str_equal (row->keras_name, "Subtract") &&
          strata_builtin_input (self, input_shapes, 0, 2, 2, 1, error) == NULL)
        return NULL;
      return elementwise_shapes (self, input_shapes, error);
    case MERGE_CONCATENATE:
      if (!strata_cfg_int (self, -1, &axis, error, "axis", NULL))
        return NULL;
      return concatenate_shapes (self, input_shapes, axis, error);
    case MERGE_DOT:
      if (!read_dot_axes (self, "axes", axes, error))
        return NULL;
      return dot_shapes (self, input_shapes, axes[0], axes[1], error);
    case MERGE_REDUCE:
      return reduce_shapes (self, input_shapes, error);
    case MERGE_KERAS1:
      /* Keras 1 Merge: mode names the operation. */
      {
        JsonNode *node = strata_cfg_node (self, "mode", NULL);
        /* A Python function as the mode: never evaluated, shape unknown. */
        if (node != NULL && json_node_get_value_type (node) != G_TYPE_STRING)
          return strata_shapes_unknown ();
      }
      if (!strata_cfg_string (self, "sum", &mode, error, "mode", NULL))
        return NULL;
      if (g_str_equal (mode, "concat"))
        {
          if (!strata_cfg_int (self, -1, &axis, error, "concat_axis", NULL))
            return NULL;
          return concatenate_shapes (self, input_shapes, axis, error);
        }
      if (g_str_equal (mode, "dot") || g_str_equal (mode, "cos"))
        {
          g_autoptr(GPtrArray) shapes = NULL;
          if (!read_dot_axes (self, "dot_axes", axes, error))
            return NULL;
          shapes = dot_shapes (self, input_shapes, axes[0], axes[1], error);
          if (shapes == NULL)
            return NULL;
          return g_steal_pointer (&shapes);
        }
      if (g_str_equal (mode, "sum") || g_str_equal (mode, "mul") || g_str_equal (mode, "ave") ||
          g_str_equal (mode, "max"))
        return elementwise_shapes (self, input_shapes, error);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_UNSUPPORTED,
                                /* Translators: the “mode” of a Keras 1 Merge layer, as found */
                                _("unknown Merge mode “%s”"), mode);
      return NULL;
    default:
      g_assert_not_reached ();
    }
}

/* ---- Attention ---------------------------------------------------------- */

/* [query, value(, key)]: the output has the query's shape with the value's
 * last axis. */
static GPtrArray *
attention_shapes (StrataLayer          *self,
                  const StrataLayerRow *row,
                  GPtrArray            *input_shapes,
                  GError              **error)
{
  StrataShape *query = strata_builtin_input (self, input_shapes, 0, 2, 3, 2, error);
  StrataShape *value = query != NULL ? strata_builtin_input (self, input_shapes, 1, 2, 3, 2, error) : NULL;
  gint64 dims[STRATA_MAX_RANK];
  guint rank;

  if (value == NULL)
    return NULL;
  rank = strata_shape_get_rank (query);
  memcpy (dims, strata_shape_get_dims (query, NULL), rank * sizeof (gint64));
  dims[rank - 1] = strata_shape_get_dim (value, -1 + (int) strata_shape_get_rank (value));
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

static gboolean
attention_build (StrataLayer          *self,
                 const StrataLayerRow *row,
                 GPtrArray            *input_shapes,
                 GError              **error)
{
  StrataShape *query = strata_builtin_input (self, input_shapes, 0, 2, 3, 2, error);
  gboolean use_scale;
  const char *score_mode = NULL;
  gint64 dim;

  if (query == NULL || !strata_cfg_bool (self, FALSE, &use_scale, error, "use_scale", NULL) ||
      !strata_cfg_string (self, "dot", &score_mode, error, "score_mode", NULL))
    return FALSE;

  if (row->variant == 1)
    {
      /* AdditiveAttention: scale of the query's last axis. */
      if (!strata_cfg_bool (self, TRUE, &use_scale, error, "use_scale", NULL))
        return FALSE;
      if (!use_scale)
        return TRUE;
      if (!strata_builtin_known_dim (self, query, -1, &dim, error))
        return FALSE;
      return strata_builtin_add_weight (self, "scale", strata_builtin_shape_1d (self, error, dim),
                                        json_node_init_string (json_node_alloc (), "glorot_uniform"),
                                        TRUE, error);
    }
  if (use_scale &&
      !strata_builtin_add_weight (self, "scale", strata_shape_new_scalar (),
                                  json_node_init_string (json_node_alloc (), "ones"), TRUE, error))
    return FALSE;
  if (score_mode != NULL && g_str_equal (score_mode, "concat") &&
      !strata_builtin_add_weight (self, "concat_score_weight", strata_shape_new_scalar (),
                                  json_node_init_string (json_node_alloc (), "ones"), TRUE, error))
    return FALSE;
  return TRUE;
}

/* MultiHeadAttention: EinsumDense projections query/key/value
 * (dim, heads, key_dim) + (heads, key_dim) and attention_output
 * (heads, value_dim, out) + (out,). Inputs: query, value(, key). */
typedef struct {
  gint64 heads, key_dim, value_dim, out_dim;
  gboolean use_bias;
} MhaParams;

static gboolean
read_mha (StrataLayer *self, StrataShape *query, MhaParams *p, GError **error)
{
  JsonNode *output_shape;

  if (!strata_cfg_int (self, -1, &p->heads, error, "num_heads", NULL) ||
      !strata_cfg_int (self, -1, &p->key_dim, error, "key_dim", NULL) ||
      !strata_cfg_int (self, p->key_dim, &p->value_dim, error, "value_dim", NULL) ||
      !strata_cfg_bool (self, TRUE, &p->use_bias, error, "use_bias", NULL))
    return FALSE;
  if (p->heads <= 0 || p->key_dim <= 0 || p->value_dim <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                _("“num_heads”, “key_dim” and “value_dim” must be positive"));
      return FALSE;
    }
  p->out_dim = strata_shape_get_dim (query, -1 + (int) strata_shape_get_rank (query));
  output_shape = strata_cfg_node (self, "output_shape", NULL);
  if (output_shape != NULL)
    {
      if (!one_int (output_shape, &p->out_dim))
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_UNSUPPORTED,
                                    /* Translators: %s is what was found instead, such as “a string”
                                     * or “null”. */
                                    _("“output_shape” must be one size, found %s"),
                                    strata_json_describe_node (output_shape));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
mha_projection (StrataLayer *self,
                const char  *name,
                gint64       d0,
                gint64       d1,
                gint64       d2,
                const MhaParams *p,
                gboolean     output,
                GError     **error)
{
  g_autofree char *kernel = g_strconcat (name, "/kernel", NULL);
  g_autofree char *bias = g_strconcat (name, "/bias", NULL);
  gint64 k[3] = { d0, d1, d2 };

  if (!strata_builtin_add_weight (self, kernel, strata_builtin_shape (self, error, 3, k),
                                  strata_cfg_initializer (self, "kernel_initializer", NULL,
                                                          "glorot_uniform"),
                                  TRUE, error))
    return FALSE;
  if (!p->use_bias)
    return TRUE;
  return strata_builtin_add_weight (self, bias,
                                    output ? strata_builtin_shape_1d (self, error, d2) : strata_builtin_shape_2d (self, error, d1, d2),
                                    strata_cfg_initializer (self, "bias_initializer", NULL, "zeros"),
                                    TRUE, error);
}

static gboolean
mha_build (StrataLayer          *self,
           const StrataLayerRow *row,
           GPtrArray            *input_shapes,
           GError              **error)
{
  StrataShape *query = strata_builtin_input (self, input_shapes, 0, 2, 3, 3, error);
  StrataShape *value = query != NULL ? strata_builtin_input (self, input_shapes, 1, 2, 3, 3, error) : NULL;
  StrataShape *key = value;
  gint64 dq, dk, dv;
  MhaParams p;

  if (value == NULL || !read_mha (self, query, &p, error))
    return FALSE;
  if (input_shapes->len > 2 && (key = strata_builtin_input (self, input_shapes, 2, 2, 3, 3, error)) == NULL)
    return FALSE;
  if (!strata_builtin_known_dim (self, query, -1, &dq, error) ||
      !strata_builtin_known_dim (self, key, -1, &dk, error) ||
      !strata_builtin_known_dim (self, value, -1, &dv, error))
    return FALSE;
  return mha_projection (self, "query", dq, p.heads, p.key_dim, &p, FALSE, error) &&
         mha_projection (self, "key", dk, p.heads, p.key_dim, &p, FALSE, error) &&
         mha_projection (self, "value", dv, p.heads, p.value_dim, &p, FALSE, error) &&
         mha_projection (self, "attention_output", p.heads, p.value_dim, p.out_dim, &p, TRUE, error);
}

static GPtrArray *
mha_shapes (StrataLayer          *self,
            const StrataLayerRow *row,
            GPtrArray            *input_shapes,
            GError              **error)
{
  StrataShape *query = strata_builtin_input (self, input_shapes, 0, 2, 3, 3, error);
  gint64 dims[STRATA_MAX_RANK];
  MhaParams p;
  guint rank;

  if (query == NULL || strata_builtin_input (self, input_shapes, 1, 2, 3, 3, error) == NULL ||
      !read_mha (self, query, &p, error))
    return NULL;
  rank = strata_shape_get_rank (query);
  memcpy (dims, strata_shape_get_dims (query, NULL), rank * sizeof (gint64));
  dims[rank - 1] = p.out_dim;
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

/* ---- The table -------------------------------------------------------- */

#define ELEMENTWISE_ROW(name, type) \
  { name, type, { NULL }, NULL, merge_shapes, 0, MERGE_ELEMENTWISE, { { NULL } } }

static const StrataLayerRow merge_rows[] = {
  ELEMENTWISE_ROW ("Add", "StrataAdd"),
  ELEMENTWISE_ROW ("Subtract", "StrataSubtract"),
  ELEMENTWISE_ROW ("Multiply", "StrataMultiply"),
  ELEMENTWISE_ROW ("Average", "StrataAverage"),
  ELEMENTWISE_ROW ("Maximum", "StrataMaximum"),
  ELEMENTWISE_ROW ("Minimum", "StrataMinimum"),
  /* Keras 3 writes the masks it computes as operation nodes of the graph
   * (Embedding: not_equal(x, 0); Masking: any(not_equal(x, v), axis=-1))
   * and passes them on as a call's `mask` keyword: module
   * "keras.src.ops.numpy", the constant operands in the node's args. */
  ELEMENTWISE_ROW ("NotEqual", "StrataNotEqual"),
  { "Any", "StrataAny", { NULL }, NULL, merge_shapes, 0, MERGE_REDUCE,
    { STRATA_P_JSON ("axis", "null"), STRATA_P_BOOL ("keepdims", "false") } },
  { "Concatenate", "StrataConcatenate", { NULL }, NULL, merge_shapes, 0, MERGE_CONCATENATE,
    { STRATA_P_INT ("axis", "-1") } },
  { "Dot", "StrataDot", { NULL }, NULL, merge_shapes, 0, MERGE_DOT,
    { STRATA_P_JSON ("axes", NULL), STRATA_P_BOOL ("normalize", "false") } },
  { "Merge", "StrataMerge", { NULL }, NULL, merge_shapes, 0, MERGE_KERAS1,
    { STRATA_P_JSON ("mode", "\"sum\""), STRATA_P_INT ("concat_axis", "-1"),
      STRATA_P_JSON ("dot_axes", "-1"), STRATA_P_JSON ("output_shape", "null") } },
  { "Attention", "StrataAttention", { NULL }, attention_build, attention_shapes, 0, 0,
    { STRATA_P_BOOL ("use_scale", "false"), STRATA_P_STRING ("score_mode", "\"dot\""),
      STRATA_P_BOOL ("causal", "false"), STRATA_P_DOUBLE ("dropout", "0.0") } },
  { "AdditiveAttention", "StrataAdditiveAttention", { NULL }, attention_build, attention_shapes, 0, 1,
    { STRATA_P_BOOL ("use_scale", "true"), STRATA_P_BOOL ("causal", "false"),
      STRATA_P_DOUBLE ("dropout", "0.0") } },
  { "MultiHeadAttention", "StrataMultiHeadAttention", { NULL }, mha_build, mha_shapes, 0, 0,
    { STRATA_P_INT ("num_heads", NULL), STRATA_P_INT ("key_dim", NULL),
      STRATA_P_JSON ("value_dim", "null"), STRATA_P_DOUBLE ("dropout", "0.0"),
      STRATA_P_BOOL ("use_bias", "true"), STRATA_P_JSON ("output_shape", "null"),
      STRATA_P_JSON ("attention_axes", "null"),
      STRATA_P_JSON ("kernel_initializer", "\"glorot_uniform\""),
      STRATA_P_JSON ("bias_initializer", "\"zeros\"") } },
};

const StrataLayerRow *
strata_layers_merge_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (merge_rows);
  return merge_rows;
}
