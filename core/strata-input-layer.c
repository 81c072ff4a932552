/* strata-input-layer.c: the Keras InputLayer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-input-layer.h"
#include "strata-layer-private.h"
#include "strata-json-private.h"
#include "strata-shape-private.h"
#include "strata-i18n-private.h"

/**
 * StrataInputLayer:
 *
 * The Keras `InputLayer`: the entry of a model's graph. Its config holds
 * the batch shape (`batch_input_shape` in Keras 1/2, `batch_shape` in
 * Keras 3), the dtype and the `sparse`/`ragged` flags. It has no weights.
 */
struct _StrataInputLayer
{
  StrataLayer parent_instance;

  StrataShape *batch_shape;   /* NULL when the config has none */
};

enum {
  PROP_0,
  PROP_BATCH_SHAPE,
  PROP_SPARSE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (StrataInputLayer, strata_input_layer, STRATA_TYPE_LAYER)

static void
strata_input_layer_finalize (GObject *object)
{
  StrataInputLayer *self = STRATA_INPUT_LAYER (object);

  g_clear_pointer (&self->batch_shape, strata_shape_unref);
  G_OBJECT_CLASS (strata_input_layer_parent_class)->finalize (object);
}

static void
strata_input_layer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  StrataInputLayer *self = STRATA_INPUT_LAYER (object);
  JsonObject *config = strata_layer_peek_config (STRATA_LAYER (self));
  JsonNode *sparse;

  switch (prop_id)
    {
    case PROP_BATCH_SHAPE:
      g_value_set_boxed (value, self->batch_shape);
      break;
    case PROP_SPARSE:
      sparse = json_object_get_member (config, "sparse");
      g_value_set_boolean (value, strata_json_node_is_truthy (sparse));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The config key that holds the batch shape: the one present, else the
 * Keras 2 spelling. */
static const char *
batch_shape_key (JsonObject *config)
{
  return json_object_has_member (config, "batch_shape") ? "batch_shape" : "batch_input_shape";
}

static void
set_batch_shape (StrataInputLayer *self,
                 StrataShape      *shape)
{
  JsonObject *config = strata_layer_peek_config (STRATA_LAYER (self));

  if (shape == self->batch_shape)
    return;
  g_clear_pointer (&self->batch_shape, strata_shape_unref);
  if (shape != NULL)
    {
      self->batch_shape = strata_shape_ref (shape);
      json_object_set_member (config, batch_shape_key (config), strata_json_from_shape (shape));
    }
  else
    json_object_remove_member (config, batch_shape_key (config));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_SHAPE]);
}

static void
strata_input_layer_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  StrataInputLayer *self = STRATA_INPUT_LAYER (object);
  JsonObject *config = strata_layer_peek_config (STRATA_LAYER (self));

  switch (prop_id)
    {
    case PROP_BATCH_SHAPE:
      set_batch_shape (self, g_value_get_boxed (value));
      break;
    case PROP_SPARSE:
      json_object_set_boolean_member (config, "sparse", g_value_get_boolean (value));
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
strata_input_layer_set_config (StrataLayer     *layer,
                               JsonObject      *config,
                               StrataLoadFlags  flags,
                               GError         **error)
{
  StrataInputLayer *self = STRATA_INPUT_LAYER (layer);
  JsonNode *node;
  const char *dtype = NULL;

  if (!STRATA_LAYER_CLASS (strata_input_layer_parent_class)->set_config (layer, config, flags, error))
    return FALSE;

  /* Keras 1 wrote the dtype as "input_dtype". */
  if (!json_object_has_member (config, "dtype"))
    {
      if (!strata_json_get_string (config, "input_dtype", "config", NULL, &dtype, error))
        return FALSE;
      if (dtype != NULL)
        strata_layer_set_dtype (layer, dtype);
    }

  node = json_object_get_member (config, batch_shape_key (config));
  g_clear_pointer (&self->batch_shape, strata_shape_unref);
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autofree char *path = g_strdup_printf ("config.%s", batch_shape_key (config));
      self->batch_shape = strata_json_to_shape (node, path, error);
      if (self->batch_shape == NULL)
        {
          /* Translators: %s is a layer name. */
          g_prefix_error (error, _("Input layer “%s”: "), strata_layer_get_name (layer));
          return FALSE;
        }
      if (strata_shape_get_rank (self->batch_shape) == 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       /* Translators: %s is a layer name. */
                       _("Input layer “%s”: the batch shape needs a batch axis, found []"),
                       strata_layer_get_name (layer));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
strata_input_layer_build (StrataLayer *layer,
                          GPtrArray   *input_shapes,
                          GError     **error)
{
  return TRUE;
}

static GPtrArray *
strata_input_layer_compute_output_shapes (StrataLayer *layer,
                                          GPtrArray   *input_shapes,
                                          GError     **error)
{
  StrataInputLayer *self = STRATA_INPUT_LAYER (layer);

  if (self->batch_shape == NULL)
    return strata_shapes_unknown ();
  return strata_shapes_one (strata_shape_ref (self->batch_shape));
}

static void
strata_input_layer_get_config (StrataLayer *layer,
                               JsonObject  *config)
{
  gboolean keras1 = json_object_has_member (config, "input_dtype") &&
                    !json_object_has_member (config, "dtype");

  STRATA_LAYER_CLASS (strata_input_layer_parent_class)->get_config (layer, config);
  /* A Keras 1 config spells the dtype "input_dtype": keep it that way. */
  if (keras1)
    {
      json_object_remove_member (config, "dtype");
      json_object_set_string_member (config, "input_dtype", strata_layer_get_dtype (layer));
    }
}

static void
strata_input_layer_class_init (StrataInputLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StrataLayerClass *layer_class = STRATA_LAYER_CLASS (klass);

  object_class->finalize = strata_input_layer_finalize;
  object_class->get_property = strata_input_layer_get_property;
  object_class->set_property = strata_input_layer_set_property;
  layer_class->build = strata_input_layer_build;
  layer_class->compute_output_shapes = strata_input_layer_compute_output_shapes;
  layer_class->set_config = strata_input_layer_set_config;
  layer_class->get_config = strata_input_layer_get_config;

  strata_layer_class_set_keras_name (layer_class, "InputLayer");
  strata_layer_class_set_config_backed (layer_class, TRUE);

  /**
   * StrataInputLayer:batch-shape:
   *
   * The shape of the model's input, batch axis included (unknown sizes are
   * %STRATA_DIM_UNKNOWN); %NULL when the config has none.
   */
  properties[PROP_BATCH_SHAPE] =
    g_param_spec_boxed ("batch-shape", NULL, NULL, STRATA_TYPE_SHAPE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * StrataInputLayer:sparse:
   *
   * Whether the input is a sparse tensor.
   */
  properties[PROP_SPARSE] =
    g_param_spec_boolean ("sparse", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_input_layer_init (StrataInputLayer *self)
{
}

/**
 * strata_input_layer_new:
 * @batch_shape: the input's shape, batch axis included
 * @dtype: (nullable): the input's dtype, "float32" when %NULL
 * @name: (nullable): the layer's name, or %NULL for a unique "input_N"
 *
 * Creates an input layer, like Keras `Input(batch_shape=...)`. Its config
 * uses the Keras 2 keys (`batch_input_shape`, `dtype`, `sparse`, `name`).
 *
 * Returns: (transfer full): the new input layer
 */
StrataInputLayer *
strata_input_layer_new (StrataShape *batch_shape,
                        const char  *dtype,
                        const char  *name)
{
  StrataInputLayer *self;
  JsonObject *config;

  g_return_val_if_fail (batch_shape != NULL, NULL);

  self = g_object_new (STRATA_TYPE_INPUT_LAYER, NULL);
  config = strata_layer_peek_config (STRATA_LAYER (self));
  json_object_set_member (config, "batch_input_shape", strata_json_from_shape (batch_shape));
  json_object_set_string_member (config, "dtype", dtype != NULL ? dtype : "float32");
  json_object_set_boolean_member (config, "sparse", FALSE);
  self->batch_shape = strata_shape_ref (batch_shape);
  strata_layer_set_dtype (STRATA_LAYER (self), dtype != NULL ? dtype : "float32");
  if (name != NULL)
    strata_layer_set_name (STRATA_LAYER (self), name);
  if (name != NULL)
    json_object_set_string_member (config, "name", name);
  return self;
}

/**
 * strata_input_layer_get_batch_shape:
 * @self: an input layer
 *
 * Gets the shape of the model input this layer stands for, like Keras
 * `InputLayer.batch_shape` (`batch_input_shape` in Keras 1/2 configs).
 *
 * Returns: (transfer none) (nullable): the input's shape, batch axis
 *   included, or %NULL when the config has none
 */
StrataShape *
strata_input_layer_get_batch_shape (StrataInputLayer *self)
{
  g_return_val_if_fail (STRATA_IS_INPUT_LAYER (self), NULL);
  return self->batch_shape;
}
