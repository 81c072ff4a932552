/* strata-sequential.c: a linear stack of layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-model-private.h"

/**
 * StrataSequential:
 *
 * A linear stack of layers, like `keras.Sequential`. The input layer is
 * not one of the model's layers (as in Keras); it is created from the first
 * layer's `batch_input_shape`, `input_shape` or `input_dim` when the first
 * layer carries one. Layers added before an input shape is known stay
 * unbuilt until it is.
 */
struct _StrataSequential
{
  StrataModel  parent_instance;

  StrataLayer *input_layer;     /* nullable */
  gboolean     input_explicit;  /* the input layer is an entry of the config */
  gboolean     list_form;       /* read from a Keras 1 / 2.0-2.2.2 list config */
  GPtrArray   *stack;           /* (element-type StrataLayer) the layers */
  GPtrArray   *tensors;         /* (element-type StrataKerasTensor) output of each
                                   layer of @stack, once the stack is built */
  StrataLayerNameIndex *names;  /* of @stack: reset when it loses layers */
};

G_DEFINE_FINAL_TYPE (StrataSequential, strata_sequential, STRATA_TYPE_MODEL)

static void
strata_sequential_finalize (GObject *object)
{
  StrataSequential *self = STRATA_SEQUENTIAL (object);

  g_clear_object (&self->input_layer);
  g_clear_pointer (&self->stack, g_ptr_array_unref);
  g_clear_pointer (&self->tensors, g_ptr_array_unref);
  g_clear_pointer (&self->names, strata_layer_name_index_free);

  G_OBJECT_CLASS (strata_sequential_parent_class)->finalize (object);
}

static gboolean strata_sequential_real_build (StrataLayer *layer, GPtrArray *input_shapes, GError **error);

static void
strata_sequential_class_init (StrataSequentialClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_sequential_finalize;
  STRATA_LAYER_CLASS (klass)->build = strata_sequential_real_build;
  strata_layer_class_set_keras_name (STRATA_LAYER_CLASS (klass), "Sequential");
}

static void
strata_sequential_init (StrataSequential *self)
{
  self->stack = g_ptr_array_new_with_free_func (g_object_unref);
  self->tensors = g_ptr_array_new_with_free_func (g_object_unref);
  self->names = strata_layer_name_index_new ();
}

/* Takes back the layer strata_sequential_add() just pushed. */
static void
unpush (StrataSequential *self)
{
  g_ptr_array_set_size (self->stack, self->stack->len - 1);
  strata_layer_name_index_reset (self->names);
}

/**
 * strata_sequential_new:
 * @name: (nullable): the model's name, or %NULL for a default one
 *
 * Creates an empty Sequential model.
 *
 * Returns: (transfer full): the new model
 */
StrataSequential *
strata_sequential_new (const char *name)
{
  StrataSequential *self;

  self = g_object_new (STRATA_TYPE_SEQUENTIAL, NULL);
  if (name != NULL)
    strata_layer_set_name (STRATA_LAYER (self), name);
  return self;
}

StrataLayer *
strata_sequential_peek_input_layer (StrataSequential *self)
{
  return self->input_layer;
}

gboolean
strata_sequential_input_is_explicit (StrataSequential *self)
{
  return self->input_layer != NULL && self->input_explicit;
}

void
strata_sequential_set_input_explicit (StrataSequential *self,
                                      gboolean          is_explicit)
{
  self->input_explicit = is_explicit;
}

gboolean
strata_sequential_get_list_form (StrataSequential *self)
{
  return self->list_form;
}

void
strata_sequential_set_list_form (StrataSequential *self,
                                 gboolean          list_form)
{
  self->list_form = list_form;
}

static StrataKerasTensor *
input_tensor (StrataSequential *self)
{
  GPtrArray *nodes = strata_layer_peek_nodes (self->input_layer);
  StrataNode *node;

  if (nodes->len == 0)
    {
      g_autoptr(GPtrArray) shapes = g_ptr_array_new ();

      g_ptr_array_add (shapes, strata_input_layer_get_batch_shape (STRATA_INPUT_LAYER (self->input_layer)));
      strata_layer_add_node (self->input_layer, NULL, shapes, NULL);
    }
  node = g_ptr_array_index (nodes, 0);
  return node->outputs->len > 0 ? g_ptr_array_index (node->outputs, 0) : NULL;
}

/* Keeps the model's graph (inputs, outputs, node set) in step with the stack. */
static gboolean
update_graph (StrataSequential  *self,
              StrataKerasTensor *output,
              GError           **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();

  g_ptr_array_add (inputs, input_tensor (self));
  g_ptr_array_add (outputs, output);
  if (!strata_model_init_graph (STRATA_MODEL (self), inputs, outputs, error))
    return FALSE;
  /* Keras leaves the input layer out of Sequential.layers. */
  strata_model_set_layers (STRATA_MODEL (self), self->stack);
  return TRUE;
}

/* update_graph() after one more layer, without walking the whole graph
 * again (that made loading a long stack quadratic): when the graph is the
 * stack up to the previous layer, the new call just extends it. */
static gboolean
extend_graph (StrataSequential  *self,
              StrataKerasTensor *output,
              GError           **error)
{
  GPtrArray *outputs = strata_model_peek_outputs (STRATA_MODEL (self));
  StrataNode *node = strata_keras_tensor_get_node (output);
  StrataKerasTensor *previous;

  if (self->tensors->len < 2 || outputs->len != 1 || node == NULL || node->inputs->len != 1)
    return update_graph (self, output, error);
  previous = g_ptr_array_index (self->tensors, self->tensors->len - 2);
  if (strata_keras_tensor_get_node (g_ptr_array_index (outputs, 0)) != strata_keras_tensor_get_node (previous) ||
      strata_keras_tensor_get_node (g_ptr_array_index (node->inputs, 0)) != strata_keras_tensor_get_node (previous))
    return update_graph (self, output, error);
  if (!strata_model_append_node (STRATA_MODEL (self), node, output, error))
    return FALSE;
  strata_model_set_layers (STRATA_MODEL (self), self->stack);
  return TRUE;
}

/* Calls @layer on @input; a Sequential layer must have one output. */
static StrataKerasTensor *
call_in_stack (StrataSequential  *self,
               StrataLayer       *layer,
               StrataKerasTensor *input,
               GError           **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = NULL;

  g_ptr_array_add (inputs, input);
  outputs = strata_layer_call (layer, inputs, NULL, error);
  if (outputs == NULL)
    return NULL;
  if (outputs->len != 1)
    {
      strata_layer_remove_last_node (layer);
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                   /* Translators: a layer name, then its number of output tensors */
                   _("All layers in a Sequential model should have a single output tensor; "
                     "layer “%s” has %u"),
                   strata_layer_get_name (layer), outputs->len);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (outputs, 0));
}

/* The current output of the stack, or NULL while it has no input. */
static StrataKerasTensor *
current_output (StrataSequential *self)
{
  if (self->input_layer == NULL || self->tensors->len != self->stack->len)
    return NULL;
  if (self->tensors->len == 0)
    return input_tensor (self);
  return g_ptr_array_index (self->tensors, self->tensors->len - 1);
}

/* The input shape a first layer declares (Keras batch_input_shape,
 * batch_shape, input_shape or input_dim; a nested model's own input), or
 * NULL. */
static StrataShape *
declared_input_shape (StrataLayer  *layer,
                      GError      **error)
{
  JsonObject *config = strata_layer_peek_config_for_reading (layer);
  JsonNode *node;

  /* Keras 3 writes no input shape in the outer Sequential's config when its
   * first layer is a model: that model's input is the Sequential's. */
  if (STRATA_IS_MODEL (layer))
    {
      GPtrArray *inputs = strata_model_peek_inputs (STRATA_MODEL (layer));

      if (inputs != NULL && inputs->len == 1)
        return strata_shape_ref (strata_keras_tensor_get_shape (g_ptr_array_index (inputs, 0)));
    }
  if ((node = json_object_get_member (config, "batch_input_shape")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    return strata_json_to_shape (node, "config.batch_input_shape", error);
  if ((node = json_object_get_member (config, "batch_shape")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    return strata_json_to_shape (node, "config.batch_shape", error);
  if ((node = json_object_get_member (config, "input_shape")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autoptr(StrataShape) sample = strata_json_to_shape (node, "config.input_shape", error);
      gint64 dims[STRATA_MAX_RANK + 1];
      const gint64 *sample_dims;
      guint rank;

      if (sample == NULL)
        return NULL;
      sample_dims = strata_shape_get_dims (sample, &rank);
      if (rank >= STRATA_MAX_RANK)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                       /* Translators: the first %u is a rank, the second %u a limit. */
                       _("config.input_shape: rank %u is above the limit of %u"), rank + 1, STRATA_MAX_RANK);
          return NULL;
        }
      dims[0] = STRATA_DIM_UNKNOWN;
      for (guint i = 0; i < rank; i++)
        dims[i + 1] = sample_dims[i];
      return strata_shape_new (rank + 1, dims);
    }
  if ((node = json_object_get_member (config, "input_dim")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      gint64 input_dim;

      if (!strata_json_get_int (config, "input_dim", "config", 0, &input_dim, error))
        return NULL;
      if (input_dim < 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       /* Translators: %lld is the value found. */
                       _("config.input_dim: expected a size, found %lld"), (long long) input_dim);
          return NULL;
        }
      return strata_shape_new (2, (gint64[]) { STRATA_DIM_UNKNOWN, input_dim });
    }
  return NULL;
}

static void
set_input_layer (StrataSequential *self,
                 StrataLayer      *input_layer)
{
  g_set_object (&self->input_layer, input_layer);
  input_tensor (self);
}

/* The output of the last layer called so far (rebuild() in progress). */
static StrataKerasTensor *
current_output_partial (StrataSequential *self)
{
  if (self->tensors->len == 0)
    return input_tensor (self);
  return g_ptr_array_index (self->tensors, self->tensors->len - 1);
}

/* Calls every layer of the stack on the input, in order (Keras builds a
 * deferred Sequential once its input shape is known). */
static gboolean
rebuild (StrataSequential  *self,
         GError           **error)
{
  g_ptr_array_set_size (self->tensors, 0);
  for (guint i = 0; i < self->stack->len; i++)
    {
      StrataKerasTensor *next = call_in_stack (self, g_ptr_array_index (self->stack, i),
                                               current_output_partial (self), error);
      if (next == NULL)
        return FALSE;
      g_ptr_array_add (self->tensors, next);
    }
  return update_graph (self, current_output (self), error);
}

gboolean
strata_sequential_build_for_shape (StrataSequential  *self,
                                   StrataShape       *batch_shape,
                                   GError           **error)
{
  g_autoptr(StrataInputLayer) input = NULL;
  g_autofree char *name = NULL;
  const char *dtype = NULL;

  if (self->input_layer != NULL)
    return TRUE;
  if (self->stack->len > 0)
    {
      StrataLayer *first = g_ptr_array_index (self->stack, 0);

      /* Keras 2 names the input "<first layer>_input" and gives it the
       * first layer's dtype (not a mixed-precision policy name). */
      name = g_strdup_printf ("%s_input", strata_layer_get_name (first));
      if (strata_dtype_from_string (strata_layer_get_dtype (first)) != STRATA_DTYPE_INVALID)
        dtype = strata_layer_get_dtype (first);
    }
  input = strata_input_layer_new (batch_shape, dtype, name);
  if (input == NULL)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is a model name. */
                   _("Sequential model “%s”: cannot create an input layer"),
                   strata_layer_get_name (STRATA_LAYER (self)));
      return FALSE;
    }
  self->input_explicit = FALSE;
  set_input_layer (self, STRATA_LAYER (input));
  if (!rebuild (self, error))
    {
      /* Leave the stack as it was: unbuilt, without an input. */
      for (guint i = 0; i < self->tensors->len; i++)
        strata_layer_remove_last_node (g_ptr_array_index (self->stack, i));
      g_ptr_array_set_size (self->tensors, 0);
      g_clear_object (&self->input_layer);
      return FALSE;
    }
  return TRUE;
}

/* A deferred Sequential called inside another model builds itself for the
 * caller's input shape, as Keras does. */
static gboolean
strata_sequential_real_build (StrataLayer  *layer,
                              GPtrArray    *input_shapes,
                              GError      **error)
{
  StrataSequential *self = STRATA_SEQUENTIAL (layer);

  if (self->input_layer != NULL || input_shapes->len != 1 || g_ptr_array_index (input_shapes, 0) == NULL)
    return TRUE;
  return strata_sequential_build_for_shape (self, g_ptr_array_index (input_shapes, 0), error);
}

/**
 * strata_sequential_add:
 * @self: a Sequential model
 * @layer: the layer to add on top
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds a layer on top of the stack, like `Sequential.add()`. The first
 * layer may be an input layer, or carry `batch_input_shape`, `input_shape`
 * or `input_dim` in its config (the input layer is then created as Keras
 * does). A layer that cannot take the current output fails and is not
 * added.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_sequential_add (StrataSequential  *self,
                       StrataLayer       *layer,
                       GError           **error)
{
  g_autoptr(StrataShape) declared = NULL;
  g_autoptr(StrataKerasTensor) output = NULL;
  StrataKerasTensor *current;

  g_return_val_if_fail (STRATA_IS_SEQUENTIAL (self), FALSE);
  g_return_val_if_fail (STRATA_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (STRATA_LAYER (self) == layer)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                   /* Translators: %s is a model name. */
                   _("Sequential model “%s” cannot contain itself"), strata_layer_get_name (layer));
      return FALSE;
    }
  if (strata_layer_name_index_contains (self->names, self->stack, strata_layer_get_name (layer)))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                   /* Translators: the first %s is a layer name, the second %s a model name. */
                   _("All layers added to a Sequential model should have unique names; "
                     "“%s” is already used in model “%s”"),
                   strata_layer_get_name (layer), strata_layer_get_name (STRATA_LAYER (self)));
      return FALSE;
    }

  if (STRATA_IS_INPUT_LAYER (layer))
    {
      if (self->input_layer != NULL || self->stack->len > 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                       /* Translators: %s is a model name. */
                       _("An input layer can only be the first layer of Sequential model “%s”"),
                       strata_layer_get_name (STRATA_LAYER (self)));
          return FALSE;
        }
      self->input_explicit = TRUE;
      set_input_layer (self, layer);
      return TRUE;
    }

  if (self->input_layer == NULL && self->stack->len == 0)
    {
      declared = declared_input_shape (layer, error);
      if (declared == NULL && error != NULL && *error != NULL)
        {
          /* Translators: %s is a layer name. */
          g_prefix_error (error, _("Layer “%s”: "), strata_layer_get_name (layer));
          return FALSE;
        }
    }

  g_ptr_array_add (self->stack, g_object_ref (layer));
  if (declared != NULL)
    {
      if (!strata_sequential_build_for_shape (self, declared, error))
        {
          unpush (self);
          return FALSE;
        }
      return TRUE;
    }

  current = self->input_layer != NULL && self->tensors->len == self->stack->len - 1 ?
            current_output_partial (self) : NULL;
  if (current == NULL)
    {
      /* Deferred: no input shape yet. */
      strata_model_set_layers (STRATA_MODEL (self), self->stack);
      return TRUE;
    }

  output = call_in_stack (self, layer, current, error);
  if (output == NULL)
    {
      unpush (self);
      return FALSE;
    }
  g_ptr_array_add (self->tensors, g_object_ref (output));
  if (!extend_graph (self, output, error))
    {
      strata_layer_remove_last_node (layer);
      g_ptr_array_set_size (self->tensors, self->tensors->len - 1);
      unpush (self);
      return FALSE;
    }
  return TRUE;
}

/**
 * strata_sequential_pop:
 * @self: a Sequential model
 *
 * Removes the top layer, like `Sequential.pop()`.
 *
 * Returns: (transfer full) (nullable): the removed layer, or %NULL when the
 *   model has no layers
 */
StrataLayer *
strata_sequential_pop (StrataSequential *self)
{
  g_autoptr(StrataLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (STRATA_IS_SEQUENTIAL (self), NULL);

  if (self->stack->len == 0)
    return NULL;
  layer = g_object_ref (g_ptr_array_index (self->stack, self->stack->len - 1));
  unpush (self);
  if (self->tensors->len > self->stack->len)
    {
      g_ptr_array_set_size (self->tensors, self->stack->len);
      strata_layer_remove_last_node (layer);
      if (!update_graph (self, current_output (self), &error))
        g_critical ("Sequential.pop: %s", error->message);
    }
  else
    strata_model_set_layers (STRATA_MODEL (self), self->stack);
  return g_steal_pointer (&layer);
}
