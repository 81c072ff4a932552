/* strata-layers-rnn.c: recurrent layers and the Bidirectional / TimeDistributed wrappers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Keras 1 LSTM/GRU configs get the Keras 2 fused layout (kernel,
 * recurrent_kernel, bias with the gates side by side); the h5 reader
 * concatenates Keras 1's per-gate W_*, U_*, b_* arrays into it.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

enum {
  RNN_SIMPLE,
  RNN_LSTM,
  RNN_GRU,
  RNN_CUDNN_LSTM,
  RNN_CUDNN_GRU,
};

static const guint n_gates[] = { 1, 4, 3, 4, 3 };
static const guint n_states[] = { 1, 2, 1, 2, 1 };
/* The cell a tf-keras / Keras 3 layer builds its weights in (none for cuDNN). */
static const char *const cell_names[] = { "simple_rnn_cell", "lstm_cell", "gru_cell", NULL, NULL };

/* Names the weights from @first on as built inside a cell called @cell:
 * @tf_keras in tf-keras 2.3+ and Keras 3 (RNN layers), else Keras 3 only
 * (ConvLSTM: tf-keras builds its cell without a name scope). */
static void
scope_weights (StrataLayer *self,
               guint        first,
               const char  *cell,
               gboolean     tf_keras)
{
  guint i, n = strata_layer_get_n_weights (self);

  for (i = first; cell != NULL && i < n; i++)
    {
      g_autofree char *scoped = g_strconcat (cell, "/", strata_layer_get_weight_short_name (self, i), NULL);
      strata_layer_set_weight_scoped_names (self, i, tf_keras ? scoped : NULL, scoped);
    }
}

static gboolean
get_units (StrataLayer *self, const char *key, gint64 *units, GError **error)
{
  if (!strata_cfg_int (self, -1, units, error, key, "output_dim", NULL))
    return FALSE;
  if (*units <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is a config key, %<PRId64> the value found. */
                                _("“%s” must be a positive integer, found %" PRId64),
                                key, *units);
      return FALSE;
    }
  return TRUE;
}

/* Adds the bias; with unit_forget_bias the forget gate's slice (the second
 * block of @units) starts at one, as Keras does. */
static gboolean
add_recurrent_bias (StrataLayer *self,
                    StrataShape *shape,
                    gint64       units,
                    gboolean     forget_gate,
                    GError     **error)
{
  gboolean use_bias, unit_forget_bias;
  StrataTensor *bias;
  g_autofree float *values = NULL;
  g_autoptr(StrataTensor) patched = NULL;
  g_autoptr(JsonNode) initializer = NULL;
  gsize n = 0, i;
  guint index;

  if (shape == NULL)
    return FALSE;
  if (!strata_cfg_bool (self, TRUE, &use_bias, error, "use_bias", NULL) ||
      !strata_cfg_bool (self, TRUE, &unit_forget_bias, error, "unit_forget_bias", NULL))
    {
      strata_shape_unref (shape);
      return FALSE;
    }
  if (!use_bias)
    {
      strata_shape_unref (shape);
      return TRUE;
    }
  index = strata_layer_get_n_weights (self);
  initializer = strata_cfg_initializer (self, "bias_initializer", NULL, "zeros");
  bias = strata_layer_add_weight (self, "bias", shape, strata_builtin_weight_dtype (self),
                                  initializer, TRUE, error);
  strata_shape_unref (shape);
  if (bias == NULL)
    return FALSE;
  if (!forget_gate || !unit_forget_bias || !strata_tensor_has_data (bias))
    return TRUE;

  values = strata_tensor_to_floats (bias, &n, error);
  if (values == NULL)
    return FALSE;
  for (i = (gsize) units; i < (gsize) (2 * units) && i < n; i++)
    values[i] = 1.0f;
  patched = strata_tensor_new_from_floats (strata_tensor_get_shape (bias), values, n, error);
  if (patched != NULL && strata_tensor_get_dtype (bias) != STRATA_DTYPE_FLOAT32)
    {
      StrataTensor *cast = strata_tensor_cast (patched, strata_tensor_get_dtype (bias), error);
      g_clear_object (&patched);
      patched = cast;
    }
  return patched != NULL && strata_layer_replace_weight (self, index, patched, error);
}

/* Rows with rank 1 are cells (LSTMCell...): one step, input (batch, in). */
static gboolean
rnn_build (StrataLayer          *self,
           const StrataLayerRow *row,
           GPtrArray            *input_shapes,
           GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 0,
                                             row->rank == 1 ? 2 : 3, error);
  gint64 in, units, gates = n_gates[row->variant];
  gboolean reset_after = FALSE;
  StrataShape *bias_shape;

  if (input == NULL || !strata_builtin_known_dim (self, input, -1, &in, error) ||
      !get_units (self, "units", &units, error) ||
      !strata_cfg_bool (self, FALSE, &reset_after, error, "reset_after", NULL))
    return FALSE;

  if (!strata_builtin_add_weight (self, "kernel", strata_builtin_shape_2d (self, error, in, strata_dim_mul (gates, units)),
                                  strata_cfg_initializer (self, "kernel_initializer", "init",
                                                          "glorot_uniform"),
                                  TRUE, error) ||
      !strata_builtin_add_weight (self, "recurrent_kernel", strata_builtin_shape_2d (self, error, units, strata_dim_mul (gates, units)),
                                  strata_cfg_initializer (self, "recurrent_initializer", "inner_init",
                                                          "orthogonal"),
                                  TRUE, error))
    return FALSE;

  switch (row->variant)
    {
    case RNN_GRU:
      bias_shape = reset_after ? strata_builtin_shape_2d (self, error, 2, strata_dim_mul (3, units))
                               : strata_builtin_shape_1d (self, error, strata_dim_mul (3, units));
      break;
    case RNN_CUDNN_LSTM:
    case RNN_CUDNN_GRU:
      /* cuDNN keeps separate input and recurrent biases. */
      bias_shape = strata_builtin_shape_1d (self, error, strata_dim_mul (2 * gates, units));
      break;
    default:
      bias_shape = strata_builtin_shape_1d (self, error, strata_dim_mul (gates, units));
      break;
    }
  if (!add_recurrent_bias (self, bias_shape, units,
                           row->variant == RNN_LSTM || row->variant == RNN_CUDNN_LSTM, error))
    return FALSE;
  /* LSTM, GRU, SimpleRNN hold a cell; the cells themselves (rank 1) do not */
  if (row->rank == 0)
    scope_weights (self, 0, cell_names[row->variant], TRUE);
  return TRUE;
}

/* Outputs of a recurrent layer whose per-step output is @step (batch axis
 * first): the sequence or the last step, then the states. */
static GPtrArray *
recurrent_outputs (StrataLayer *self,
                   StrataShape *input,
                   StrataShape *step,
                   guint        states,
                   GError     **error)
{
  g_autoptr(GPtrArray) shapes = strata_shapes_new ();
  gboolean return_sequences, return_state;
  guint step_rank = strata_shape_get_rank (step);
  guint i;

  if (!strata_cfg_bool (self, FALSE, &return_sequences, error, "return_sequences", NULL) ||
      !strata_cfg_bool (self, FALSE, &return_state, error, "return_state", NULL))
    return NULL;

  if (return_sequences)
    {
      gint64 dims[STRATA_MAX_RANK];
      dims[0] = strata_shape_get_dim (input, 0);
      dims[1] = strata_shape_get_dim (input, 1);
      memcpy (dims + 2, strata_shape_get_dims (step, NULL) + 1, (step_rank - 1) * sizeof (gint64));
      g_ptr_array_add (shapes, strata_builtin_shape (self, error, step_rank + 1, dims));
    }
  else
    g_ptr_array_add (shapes, strata_shape_ref (step));
  for (i = 0; return_state && i < states; i++)
    g_ptr_array_add (shapes, strata_shape_ref (step));
  return g_steal_pointer (&shapes);
}

static GPtrArray *
rnn_shapes (StrataLayer          *self,
            const StrataLayerRow *row,
            GPtrArray            *input_shapes,
            GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 0,
                                             row->rank == 1 ? 2 : 3, error);
  g_autoptr(StrataShape) step = NULL;
  gint64 units;

  if (input == NULL || !get_units (self, "units", &units, error))
    return NULL;
  step = strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), units);
  if (row->rank == 1)
    {
      /* a cell: the output, then its states */
      GPtrArray *shapes = strata_shapes_new ();
      for (guint i = 0; i <= n_states[row->variant]; i++)
        g_ptr_array_add (shapes, strata_shape_ref (step));
      return shapes;
    }
  return recurrent_outputs (self, input, step, n_states[row->variant], error);
}

/* ---- ConvLSTM ---------------------------------------------------------- */

typedef struct {
  gint64      filters;
  gint64      kernel[3];
  gint64      strides[3];
  gint64      dilation[3];
  const char *padding;
  gboolean    channels_first;
} ConvLstmParams;

static gboolean
read_conv_lstm (StrataLayer          *self,
                const StrataLayerRow *row,
                GPtrArray            *input_shapes,
                StrataShape         **input,
                ConvLstmParams       *p,
                GError              **error)
{
  static const gint64 ones[3] = { 1, 1, 1 };
  guint i;

  *input = strata_builtin_input (self, input_shapes, 0, 1, 0, row->rank + 3, error);
  if (*input == NULL)
    return FALSE;
  if (strata_shape_get_rank (*input) != (guint) row->rank + 3)
    {
      g_autofree char *s = strata_shape_to_string (*input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %u is a rank, %s a shape such as (None, 3). */
                                _("expected an input of rank %u, found %s"), row->rank + 3, s);
      return FALSE;
    }
  if (!strata_cfg_int (self, -1, &p->filters, error, "filters", "nb_filter", NULL) ||
      !strata_cfg_tuple (self, row->rank, ones, p->kernel, error, "kernel_size", NULL) ||
      !strata_cfg_tuple (self, row->rank, ones, p->strides, error, "strides", "subsample", NULL) ||
      !strata_cfg_tuple (self, row->rank, ones, p->dilation, error, "dilation_rate", NULL) ||
      !strata_cfg_padding (self, &p->padding, error) ||
      !strata_cfg_channels_first (self, &p->channels_first, error))
    return FALSE;
  /* Keras 1 ConvLSTM2D spelled the kernel as nb_row / nb_col. */
  if (strata_cfg_node (self, "kernel_size", NULL) == NULL && row->rank == 2 &&
      (!strata_cfg_int (self, 1, &p->kernel[0], error, "nb_row", NULL) ||
       !strata_cfg_int (self, 1, &p->kernel[1], error, "nb_col", NULL)))
    return FALSE;
  if (p->filters <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %<PRId64> is the value found. */
                                _("“filters” must be a positive integer, found %" PRId64),
                                p->filters);
      return FALSE;
    }
  for (i = 0; i < (guint) row->rank; i++)
    if (p->kernel[i] <= 0 || p->strides[i] <= 0 || p->dilation[i] <= 0)
      {
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                  _("kernel size, strides and dilation rate must be positive"));
        return FALSE;
      }
  return TRUE;
}

static gboolean
conv_lstm_build (StrataLayer          *self,
                 const StrataLayerRow *row,
                 GPtrArray            *input_shapes,
                 GError              **error)
{
  StrataShape *input;
  ConvLstmParams p;
  gint64 dims[5], in;
  guint n = row->rank;

  if (!read_conv_lstm (self, row, input_shapes, &input, &p, error) ||
      !strata_builtin_known_dim (self, input, p.channels_first ? 2 : -1, &in, error))
    return FALSE;
  memcpy (dims, p.kernel, n * sizeof (gint64));
  dims[n] = in;
  dims[n + 1] = strata_dim_mul (4, p.filters);
  if (!strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, n + 2, dims),
                                  strata_cfg_initializer (self, "kernel_initializer", "init",
                                                          "glorot_uniform"),
                                  TRUE, error))
    return FALSE;
  dims[n] = p.filters;
  if (!strata_builtin_add_weight (self, "recurrent_kernel", strata_builtin_shape (self, error, n + 2, dims),
                                  strata_cfg_initializer (self, "recurrent_initializer", "inner_init",
                                                          "orthogonal"),
                                  TRUE, error))
    return FALSE;
  if (!add_recurrent_bias (self, strata_builtin_shape_1d (self, error, strata_dim_mul (4, p.filters)),
                           p.filters, TRUE, error))
    return FALSE;
  scope_weights (self, 0, "conv_lstm_cell", FALSE);
  return TRUE;
}

static GPtrArray *
conv_lstm_shapes (StrataLayer          *self,
                  const StrataLayerRow *row,
                  GPtrArray            *input_shapes,
                  GError              **error)
{
  StrataShape *input;
  g_autoptr(StrataShape) step = NULL;
  ConvLstmParams p;
  gint64 dims[5];
  guint n = row->rank, i;

  if (!read_conv_lstm (self, row, input_shapes, &input, &p, error))
    return NULL;
  dims[0] = strata_shape_get_dim (input, 0);
  for (i = 0; i < n; i++)
    {
      gint64 in = strata_shape_get_dim (input, (p.channels_first ? 3 : 2) + i);
      dims[(p.channels_first ? 2 : 1) + i] =
        strata_conv_output_length (in, p.kernel[i], p.padding, p.strides[i], p.dilation[i]);
    }
  dims[p.channels_first ? 1 : n + 1] = p.filters;
  step = strata_builtin_shape (self, error, n + 2, dims);
  return recurrent_outputs (self, input, step, 2, error);
}

/* ---- Wrappers ---------------------------------------------------------- */

static StrataLayer *
wrapped_layer (StrataLayer *self,
               const char  *slot,
               const char  *key,
               const char  *prefix,
               gboolean     flip,
               GError     **error)
{
  StrataLayer *inner = g_object_get_data (G_OBJECT (self), slot);

  if (inner != NULL)
    return inner;
  inner = strata_builtin_create_inner (self, key, prefix, flip, error);
  if (inner == NULL)
    return NULL;
  g_object_set_data_full (G_OBJECT (self), slot, inner, g_object_unref);
  return inner;
}

static gboolean
bidirectional_layers (StrataLayer  *self,
                      StrataLayer **forward,
                      StrataLayer **backward,
                      GError      **error)
{
  gboolean own_backward = strata_cfg_node (self, "backward_layer", NULL) != NULL;

  *forward = wrapped_layer (self, "strata-forward-layer", "layer", "forward_", FALSE, error);
  if (*forward == NULL)
    return FALSE;
  *backward = wrapped_layer (self, "strata-backward-layer",
                             own_backward ? "backward_layer" : "layer", "backward_",
                             !own_backward, error);
  return *backward != NULL;
}

/* Appends the weights of @inner to @self, each naming under @prefix
 * ("forward_lstm/", nullable) as @inner names it. @scope (nullable) is
 * where tf-keras 2.3+ and Keras 3 build @inner ("stacked_rnn_cells/"
 * "lstm_cell_1/" for a cell of a generic RNN), absent in the legacy names. */
static void adopt_weights (StrataLayer *self, StrataLayer *inner, const char *prefix, const char *scope);

/* A model wrapped whole (TimeDistributed(Sequential([...]))): the weights
 * of its layers, each under its layer's name ("step_dense/kernel", as
 * tf-keras names them), Keras 3 naming them under the model too
 * ("step_model/step_dense/kernel"). */
static void
adopt_model_weights (StrataLayer *self,
                     StrataLayer *model,
                     GPtrArray   *layers,
                     const char  *prefix)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autofree char *k3_prefix = g_strconcat (strata_layer_get_name (model), "/", NULL);

  for (guint l = 0; l < layers->len; l++)
    {
      StrataLayer *layer = g_ptr_array_index (layers, l);
      g_autofree char *layer_prefix = NULL;
      guint first = strata_layer_get_n_weights (self);

      if (!g_hash_table_add (seen, layer))
        continue;    /* a layer called twice */
      layer_prefix = g_strconcat (prefix, strata_layer_get_name (layer), "/", NULL);
      adopt_weights (self, layer, layer_prefix, NULL);
      for (guint i = first; i < strata_layer_get_n_weights (self); i++)
        {
          const char *tf = strata_layer_get_weight_name_as (self, i, STRATA_WEIGHT_NAMING_TF_KERAS);
          g_autofree char *tf_name = g_strdup (tf);
          g_autofree char *k3_name = g_strconcat (k3_prefix, strata_layer_get_weight_name_as (self, i, STRATA_WEIGHT_NAMING_KERAS3), NULL);

          strata_layer_set_weight_scoped_names (self, i,
                                                g_str_equal (tf_name, strata_layer_get_weight_name_as (self, i, STRATA_WEIGHT_NAMING_LEGACY)) ? NULL : tf_name,
                                                k3_name);
        }
    }
}

static void
adopt_weights (StrataLayer *self,
               StrataLayer *inner,
               const char  *prefix,
               const char  *scope)
{
  GPtrArray *sublayers = strata_layer_peek_sublayers (inner);
  guint i, n;

  if (prefix == NULL)
    prefix = "";
  if (sublayers != NULL)
    {
      adopt_model_weights (self, inner, sublayers, prefix);
      return;
    }
  n = strata_layer_get_n_weights (inner);
  for (i = 0; i < n; i++)
    {
      guint index = strata_layer_get_n_weights (self);
      const char *legacy = strata_layer_get_weight_name_as (inner, i, STRATA_WEIGHT_NAMING_LEGACY);
      const char *tf = strata_layer_get_weight_name_as (inner, i, STRATA_WEIGHT_NAMING_TF_KERAS);
      const char *k3 = strata_layer_get_weight_name_as (inner, i, STRATA_WEIGHT_NAMING_KERAS3);
      g_autofree char *name = g_strconcat (prefix, legacy, NULL);
      g_autofree char *tf_name = g_strconcat (prefix, scope != NULL ? scope : "", tf, NULL);
      g_autofree char *k3_name = g_strconcat (prefix, scope != NULL ? scope : "", k3, NULL);

      strata_layer_append_weight (self, name, strata_layer_get_weight_at (inner, i),
                                  strata_layer_weight_is_trainable (inner, i));
      strata_layer_set_weight_scoped_names (self, index,
                                            g_str_equal (tf_name, name) ? NULL : tf_name,
                                            g_str_equal (k3_name, tf_name) ? NULL : k3_name);
    }
}

static gboolean
bidirectional_build (StrataLayer          *self,
                     const StrataLayerRow *row,
                     GPtrArray            *input_shapes,
                     GError              **error)
{
  StrataLayer *forward, *backward;
  g_autoptr(GPtrArray) first = g_ptr_array_new ();

  if (strata_builtin_input (self, input_shapes, 0, 1, 0, 3, error) == NULL ||
      !bidirectional_layers (self, &forward, &backward, error))
    return FALSE;
  /* Only the sequence is built on; initial states are extra inputs. */
  g_ptr_array_add (first, g_ptr_array_index (input_shapes, 0));
  if (!strata_layer_build (forward, first, error) || !strata_layer_build (backward, first, error))
    return FALSE;
  {
    g_autofree char *fp = g_strconcat (strata_layer_get_name (forward), "/", NULL);
    g_autofree char *bp = g_strconcat (strata_layer_get_name (backward), "/", NULL);
    adopt_weights (self, forward, fp, NULL);
    adopt_weights (self, backward, bp, NULL);
  }
  return TRUE;
}

static GPtrArray *
bidirectional_shapes (StrataLayer          *self,
                      const StrataLayerRow *row,
                      GPtrArray            *input_shapes,
                      GError              **error)
{
  StrataLayer *forward, *backward;
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) fw = NULL;
  g_autoptr(GPtrArray) bw = NULL;
  g_autoptr(GPtrArray) shapes = strata_shapes_new ();
  const char *merge_mode = NULL;
  StrataShape *f, *b;
  guint i;

  if (strata_builtin_input (self, input_shapes, 0, 1, 0, 3, error) == NULL ||
      !bidirectional_layers (self, &forward, &backward, error) ||
      !strata_cfg_string (self, "concat", &merge_mode, error, "merge_mode", NULL))
    return NULL;
  /* merge_mode: null (Python None) means two separate outputs. */
  if (json_object_has_member (strata_layer_peek_config_for_reading (self), "merge_mode") &&
      strata_cfg_node (self, "merge_mode", NULL) == NULL)
    merge_mode = NULL;
  g_ptr_array_add (first, g_ptr_array_index (input_shapes, 0));
  fw = strata_layer_compute_output_shapes (forward, first, error);
  if (fw == NULL)
    return NULL;
  bw = strata_layer_compute_output_shapes (backward, first, error);
  if (bw == NULL)
    return NULL;
  f = g_ptr_array_index (fw, 0);
  b = g_ptr_array_index (bw, 0);
  if (f == NULL || b == NULL)
    return strata_shapes_unknown ();

  if (merge_mode == NULL)
    {
      g_ptr_array_add (shapes, strata_shape_ref (f));
      g_ptr_array_add (shapes, strata_shape_ref (b));
    }
  else if (g_str_equal (merge_mode, "concat"))
    {
      gint64 dims[STRATA_MAX_RANK];
      guint rank = strata_shape_get_rank (f);
      gint64 fl = strata_shape_get_dim (f, rank - 1), bl = strata_shape_get_dim (b, rank - 1);

      memcpy (dims, strata_shape_get_dims (f, NULL), rank * sizeof (gint64));
      dims[rank - 1] = strata_dim_add (fl, bl);
      g_ptr_array_add (shapes, strata_builtin_shape (self, error, rank, dims));
    }
  else if (g_str_equal (merge_mode, "sum") || g_str_equal (merge_mode, "mul") ||
           g_str_equal (merge_mode, "ave"))
    g_ptr_array_add (shapes, strata_shape_ref (f));
  else
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is the value found. */
                                _("“merge_mode” must be “concat”, “sum”, “mul”, “ave” or null, found “%s”"),
                                merge_mode);
      return NULL;
    }
  /* return_state: the forward states, then the backward states. */
  for (i = 1; i < fw->len; i++)
    g_ptr_array_add (shapes, g_ptr_array_index (fw, i) != NULL
                               ? strata_shape_ref (g_ptr_array_index (fw, i)) : NULL);
  for (i = 1; i < bw->len; i++)
    g_ptr_array_add (shapes, g_ptr_array_index (bw, i) != NULL
                               ? strata_shape_ref (g_ptr_array_index (bw, i)) : NULL);
  return g_steal_pointer (&shapes);
}

/* The per-step input of TimeDistributed: the time axis removed. */
static GPtrArray *
time_step_input (StrataLayer *self,
                 GPtrArray   *input_shapes,
                 GError     **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 3, error);
  gint64 dims[STRATA_MAX_RANK];
  guint rank;

  if (input == NULL)
    return NULL;
  rank = strata_shape_get_rank (input);
  dims[0] = strata_shape_get_dim (input, 0);
  memcpy (dims + 1, strata_shape_get_dims (input, NULL) + 2, (rank - 2) * sizeof (gint64));
  return strata_shapes_one (strata_builtin_shape (self, error, rank - 1, dims));
}

static gboolean
time_distributed_build (StrataLayer          *self,
                        const StrataLayerRow *row,
                        GPtrArray            *input_shapes,
                        GError              **error)
{
  StrataLayer *inner = wrapped_layer (self, "strata-wrapped-layer", "layer", NULL, FALSE, error);
  g_autoptr(GPtrArray) step = NULL;

  if (inner == NULL)
    return FALSE;
  step = time_step_input (self, input_shapes, error);
  if (step == NULL || !strata_layer_build (inner, step, error))
    return FALSE;
  adopt_weights (self, inner, NULL, NULL);
  return TRUE;
}

static GPtrArray *
time_distributed_shapes (StrataLayer          *self,
                         const StrataLayerRow *row,
                         GPtrArray            *input_shapes,
                         GError              **error)
{
  StrataLayer *inner = wrapped_layer (self, "strata-wrapped-layer", "layer", NULL, FALSE, error);
  g_autoptr(GPtrArray) step = NULL;
  g_autoptr(GPtrArray) inner_out = NULL;
  g_autoptr(GPtrArray) shapes = strata_shapes_new ();
  StrataShape *input;
  guint i;

  if (inner == NULL)
    return NULL;
  step = time_step_input (self, input_shapes, error);
  if (step == NULL)
    return NULL;
  inner_out = strata_layer_compute_output_shapes (inner, step, error);
  if (inner_out == NULL)
    return NULL;
  input = g_ptr_array_index (input_shapes, 0);
  for (i = 0; i < inner_out->len; i++)
    {
      StrataShape *o = g_ptr_array_index (inner_out, i);
      gint64 dims[STRATA_MAX_RANK];
      guint rank;

      if (o == NULL || strata_shape_get_rank (o) + 1 > STRATA_MAX_RANK ||
          strata_shape_get_rank (o) == 0)
        {
          g_ptr_array_add (shapes, NULL);
          continue;
        }
      rank = strata_shape_get_rank (o);
      dims[0] = strata_shape_get_dim (input, 0);
      dims[1] = strata_shape_get_dim (input, 1);
      memcpy (dims + 2, strata_shape_get_dims (o, NULL) + 1, (rank - 1) * sizeof (gint64));
      g_ptr_array_add (shapes, strata_builtin_shape (self, error, rank + 1, dims));
    }
  return g_steal_pointer (&shapes);
}

/* ---- RNN(cell) ---------------------------------------------------------- */

/* The cells of a generic RNN layer: "cell" is one cell, a list of cells or
 * a StackedRNNCells object. (transfer none) (element-type StrataLayer) */
static GPtrArray *
rnn_cells (StrataLayer *self,
           GError     **error)
{
  GPtrArray *cells = g_object_get_data (G_OBJECT (self), "strata-rnn-cells");
  g_autoptr(GPtrArray) made = NULL;
  JsonNode *node = strata_cfg_node (self, "cell", NULL);
  JsonArray *list = NULL;
  guint i, n = 1;

  if (cells != NULL)
    return cells;
  /* A list or tuple of cells, a StackedRNNCells or one cell. */
  list = strata_json_node_get_list (node);
  if (list == NULL && node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
           g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                  "class_name", ""),
                      "StackedRNNCells") == 0)
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *config = json_object_get_member (object, "config");
      JsonNode *inner = config != NULL && JSON_NODE_HOLDS_OBJECT (config)
                          ? json_object_get_member (json_node_get_object (config), "cells") : NULL;
      if (inner == NULL || !JSON_NODE_HOLDS_ARRAY (inner))
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    _("StackedRNNCells needs a list of “cells”"));
          return NULL;
        }
      list = json_node_get_array (inner);
    }
  if (list != NULL)
    n = json_array_get_length (list);
  if (n == 0 || n > 1024)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                _("“cell” must hold between 1 and 1024 cells"));
      return NULL;
    }

  made = g_ptr_array_new_with_free_func (g_object_unref);
  for (i = 0; i < n; i++)
    {
      JsonNode *cell = list != NULL ? json_array_get_element (list, i) : node;
      StrataLayer *layer;

      if (cell == NULL || !JSON_NODE_HOLDS_OBJECT (cell))
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %s is what was found instead, such as “a string”
                                     * or “null”. */
                                    _("a cell must be a layer object, found %s"),
                                    strata_json_describe_node (cell));
          return NULL;
        }
      layer = strata_builtin_create_sublayer (self, json_node_get_object (cell), error);
      if (layer == NULL)
        return NULL;
      g_ptr_array_add (made, layer);
    }
  cells = g_steal_pointer (&made);
  g_object_set_data_full (G_OBJECT (self), "strata-rnn-cells", cells,
                          (GDestroyNotify) g_ptr_array_unref);
  return cells;
}

/* The name of the StackedRNNCells holding the cells ("stacked_rnn_cells"
 * for a plain list), NULL for a single cell. */
static const char *
stacked_cells_name (StrataLayer *self)
{
  JsonNode *node = strata_cfg_node (self, "cell", NULL);
  JsonNode *config, *name;

  if (node == NULL || strata_json_node_get_list (node) != NULL)
    return node != NULL ? "stacked_rnn_cells" : NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "class_name", ""),
                 "StackedRNNCells") != 0)
    return NULL;
  config = json_object_get_member (json_node_get_object (node), "config");
  name = config != NULL && JSON_NODE_HOLDS_OBJECT (config)
           ? json_object_get_member (json_node_get_object (config), "name") : NULL;
  if (name != NULL && JSON_NODE_HOLDS_VALUE (name) && json_node_get_value_type (name) == G_TYPE_STRING)
    return json_node_get_string (name);
  return "stacked_rnn_cells";
}

/* The units of cell @index. */
static gboolean
cells_units (StrataLayer *self,
             GPtrArray   *cells,
             guint        index,
             gint64      *units,
             GError     **error)
{
  StrataLayer *cell = g_ptr_array_index (cells, index);
  return get_units (cell, "units", units, error);
}

static gboolean
generic_rnn_build (StrataLayer          *self,
                   const StrataLayerRow *row,
                   GPtrArray            *input_shapes,
                   GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 0, 3, error);
  GPtrArray *cells = input != NULL ? rnn_cells (self, error) : NULL;
  const char *stacked = stacked_cells_name (self);
  gint64 in;
  guint i;

  if (cells == NULL || !strata_builtin_known_dim (self, input, -1, &in, error))
    return FALSE;
  for (i = 0; i < cells->len; i++)
    {
      StrataLayer *cell = g_ptr_array_index (cells, i);
      g_autoptr(GPtrArray) step = strata_shapes_one (strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), in));
      /* tf-keras 2.3+ / Keras 3 build the cell under its name, a stack of
       * cells under the StackedRNNCells' name first */
      g_autofree char *scope = g_strconcat (stacked != NULL ? stacked : "", stacked != NULL ? "/" : "",
                                            strata_layer_get_name (cell), "/", NULL);

      if (!strata_layer_build (cell, step, error) || !cells_units (self, cells, i, &in, error))
        return FALSE;
      adopt_weights (self, cell, NULL, scope);
    }
  return TRUE;
}

static GPtrArray *
generic_rnn_shapes (StrataLayer          *self,
                    const StrataLayerRow *row,
                    GPtrArray            *input_shapes,
                    GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 0, 3, error);
  GPtrArray *cells = input != NULL ? rnn_cells (self, error) : NULL;
  g_autoptr(StrataShape) step = NULL;
  g_autoptr(GPtrArray) shapes = NULL;
  gboolean return_state;
  gint64 units;
  guint i, states = 0;

  if (cells == NULL || !cells_units (self, cells, cells->len - 1, &units, error) ||
      !strata_cfg_bool (self, FALSE, &return_state, error, "return_state", NULL))
    return NULL;
  step = strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), units);
  shapes = recurrent_outputs (self, input, step, 0, error);
  if (shapes == NULL || !return_state)
    return g_steal_pointer (&shapes);
  /* the states of every cell, each of its own size */
  for (i = 0; i < cells->len; i++)
    {
      StrataLayer *cell = g_ptr_array_index (cells, i);
      const StrataLayerRow *cell_row = strata_builtin_layer_get_row (cell);
      gint64 u;

      if (cell_row == NULL || !cells_units (self, cells, i, &u, error))
        {
          if (cell_row == NULL)
            strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_UNSUPPORTED,
                                      /* Translators: %s is a class name. */
                                      _("the cell class “%s” is not a built-in cell"),
                                      strata_layer_get_class_name (cell));
          return NULL;
        }
      states = n_states[cell_row->variant];
      while (states-- > 0)
        g_ptr_array_add (shapes, strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), u));
    }
  return g_steal_pointer (&shapes);
}

/* ---- The table -------------------------------------------------------- */

#define RNN_COMMON_PROPS \
  STRATA_P_INT1 ("units", NULL, "output_dim"), \
  STRATA_P_JSON ("activation", "\"tanh\""), \
  STRATA_P_BOOL ("use_bias", "true"), \
  STRATA_P_JSON1 ("kernel_initializer", "\"glorot_uniform\"", "init"), \
  STRATA_P_JSON1 ("recurrent_initializer", "\"orthogonal\"", "inner_init"), \
  STRATA_P_JSON ("bias_initializer", "\"zeros\""), \
  STRATA_P_JSON1 ("kernel_regularizer", "null", "W_regularizer"), \
  STRATA_P_JSON1 ("recurrent_regularizer", "null", "U_regularizer"), \
  STRATA_P_JSON1 ("bias_regularizer", "null", "b_regularizer"), \
  STRATA_P_JSON ("activity_regularizer", "null"), \
  STRATA_P_JSON ("kernel_constraint", "null"), \
  STRATA_P_JSON ("recurrent_constraint", "null"), \
  STRATA_P_JSON ("bias_constraint", "null"), \
  STRATA_P_DOUBLE1 ("dropout", "0.0", "dropout_W"), \
  STRATA_P_DOUBLE1 ("recurrent_dropout", "0.0", "dropout_U"), \
  STRATA_P_BOOL ("return_sequences", "false"), \
  STRATA_P_BOOL ("return_state", "false"), \
  STRATA_P_BOOL ("go_backwards", "false"), \
  STRATA_P_BOOL ("stateful", "false"), \
  STRATA_P_BOOL ("unroll", "false")

#define GATED_PROPS \
  RNN_COMMON_PROPS, \
  STRATA_P_JSON1 ("recurrent_activation", "\"sigmoid\"", "inner_activation"), \
  STRATA_P_INT ("implementation", "1")

#define CUDNN_PROPS \
  STRATA_P_INT ("units", NULL), \
  STRATA_P_JSON ("kernel_initializer", "\"glorot_uniform\""), \
  STRATA_P_JSON ("recurrent_initializer", "\"orthogonal\""), \
  STRATA_P_JSON ("bias_initializer", "\"zeros\""), \
  STRATA_P_BOOL ("return_sequences", "false"), \
  STRATA_P_BOOL ("return_state", "false"), \
  STRATA_P_BOOL ("go_backwards", "false"), \
  STRATA_P_BOOL ("stateful", "false")

#define CONV_LSTM_PROPS \
  STRATA_P_INT1 ("filters", NULL, "nb_filter"), \
  STRATA_P_JSON ("kernel_size", NULL), \
  STRATA_P_JSON1 ("strides", "1", "subsample"), \
  STRATA_P_STRING1 ("padding", "\"valid\"", "border_mode"), \
  STRATA_P_STRING ("data_format", "\"channels_last\""), \
  STRATA_P_JSON ("dilation_rate", "1"), \
  STRATA_P_JSON ("activation", "\"tanh\""), \
  STRATA_P_JSON1 ("recurrent_activation", "\"hard_sigmoid\"", "inner_activation"), \
  STRATA_P_BOOL ("use_bias", "true"), \
  STRATA_P_JSON1 ("kernel_initializer", "\"glorot_uniform\"", "init"), \
  STRATA_P_JSON1 ("recurrent_initializer", "\"orthogonal\"", "inner_init"), \
  STRATA_P_JSON ("bias_initializer", "\"zeros\""), \
  STRATA_P_BOOL ("unit_forget_bias", "true"), \
  STRATA_P_BOOL ("return_sequences", "false"), \
  STRATA_P_BOOL ("return_state", "false"), \
  STRATA_P_BOOL ("go_backwards", "false"), \
  STRATA_P_BOOL ("stateful", "false"), \
  STRATA_P_DOUBLE ("dropout", "0.0"), \
  STRATA_P_DOUBLE ("recurrent_dropout", "0.0")

static const StrataLayerRow rnn_rows[] = {
  { "SimpleRNN", "StrataSimpleRNN", { NULL }, rnn_build, rnn_shapes, 0, RNN_SIMPLE,
    { RNN_COMMON_PROPS } },
  { "LSTM", "StrataLSTM", { NULL }, rnn_build, rnn_shapes, 0, RNN_LSTM,
    { GATED_PROPS, STRATA_P_BOOL ("unit_forget_bias", "true") } },
  { "GRU", "StrataGRU", { NULL }, rnn_build, rnn_shapes, 0, RNN_GRU,
    { GATED_PROPS, STRATA_P_BOOL ("reset_after", "false") } },
  { "SimpleRNNCell", "StrataSimpleRNNCell", { NULL }, rnn_build, rnn_shapes, 1, RNN_SIMPLE,
    { RNN_COMMON_PROPS } },
  { "LSTMCell", "StrataLSTMCell", { NULL }, rnn_build, rnn_shapes, 1, RNN_LSTM,
    { GATED_PROPS, STRATA_P_BOOL ("unit_forget_bias", "true") } },
  { "GRUCell", "StrataGRUCell", { NULL }, rnn_build, rnn_shapes, 1, RNN_GRU,
    { GATED_PROPS, STRATA_P_BOOL ("reset_after", "false") } },
  { "RNN", "StrataRNN", { NULL }, generic_rnn_build, generic_rnn_shapes, 0, 0,
    { STRATA_P_JSON ("cell", NULL), STRATA_P_BOOL ("return_sequences", "false"),
      STRATA_P_BOOL ("return_state", "false"), STRATA_P_BOOL ("go_backwards", "false"),
      STRATA_P_BOOL ("stateful", "false"), STRATA_P_BOOL ("unroll", "false") } },
  { "CuDNNLSTM", "StrataCuDNNLSTM", { NULL }, rnn_build, rnn_shapes, 0, RNN_CUDNN_LSTM,
    { CUDNN_PROPS, STRATA_P_BOOL ("unit_forget_bias", "true") } },
  { "CuDNNGRU", "StrataCuDNNGRU", { NULL }, rnn_build, rnn_shapes, 0, RNN_CUDNN_GRU,
    { CUDNN_PROPS } },
  { "ConvLSTM1D", "StrataConvLSTM1D", { NULL }, conv_lstm_build, conv_lstm_shapes, 1, 0,
    { CONV_LSTM_PROPS } },
  { "ConvLSTM2D", "StrataConvLSTM2D", { NULL }, conv_lstm_build, conv_lstm_shapes, 2, 0,
    { CONV_LSTM_PROPS } },
  { "ConvLSTM3D", "StrataConvLSTM3D", { NULL }, conv_lstm_build, conv_lstm_shapes, 3, 0,
    { CONV_LSTM_PROPS } },
  { "Bidirectional", "StrataBidirectional", { NULL }, bidirectional_build, bidirectional_shapes, 0, 0,
    { STRATA_P_JSON ("layer", NULL), STRATA_P_JSON ("backward_layer", "null"),
      STRATA_P_STRING ("merge_mode", "\"concat\"") } },
  { "TimeDistributed", "StrataTimeDistributed", { NULL }, time_distributed_build,
    time_distributed_shapes, 0, 0, { STRATA_P_JSON ("layer", NULL) } },
};

const StrataLayerRow *
strata_layers_rnn_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (rnn_rows);
  return rnn_rows;
}
