/* strata-layer.c: the base class of every Keras layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-i18n-private.h"
#include "strata-layer-private.h"
#include "strata-json-private.h"
#include "strata-initializers-private.h"
#include "strata-opaque-layer.h"

/**
 * StrataLayer:
 *
 * The base class of Keras layers. A layer has a name, a trainable flag, a
 * dtype, a config (its hyper-parameters: every key read from a file is
 * kept, so a round trip loses nothing), weights in Keras order and the
 * calls ("nodes") that connect it to other layers in a model.
 *
 * Subclasses implement [struct@Strata.LayerClass].build and
 * [struct@Strata.LayerClass].compute_output_shapes. A subclass written in Python or
 * Vala gets its config for free: its readable GObject properties are written
 * to the config (property `pool-size` is key `pool_size`) and matching keys
 * are set back on load.
 */

typedef struct {
  char         *name;     /* short name: "kernel" */
  StrataTensor *tensor;
  gboolean      trainable;
  char         *scoped[2];     /* tf-keras, Keras 3 names (see StrataWeightNaming), nullable */
  char         *zeroed_for;    /* the unknown initializer it was zero-filled for, nullable */
} WeightSlot;

typedef struct {
  char            *name;
  char            *class_name;
  gboolean         trainable;
  char            *dtype;
  JsonObject      *config;      /* stored config */
  gboolean         config_shared;  /* @config is a sealed object shared with its
                                      source: copied before any change */
  JsonObject      *config_read;    /* the shared config once copied, nullable: kept
                                      so that nodes read from it stay valid */
  JsonObject      *extras;
  GPtrArray       *weights;     /* (element-type WeightSlot) */
  GPtrArray       *nodes;       /* (element-type StrataNode) */
  gboolean         built;
  gboolean         from_config;
  StrataLoadFlags  flags;
  StrataLoadContext context;    /* registry owned, dim_ordering interned */
} StrataLayerPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (StrataLayer, strata_layer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TRAINABLE,
  PROP_DTYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark keras_name_quark;
static GQuark config_backed_quark;
static GQuark properties_not_config_quark;

/* Bumped when a named layer is renamed: name indexes start again. */
static gint rename_serial;

/* Keys every layer understands, whatever its class. */
static const char * const common_keys[] = {
  "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape",
  "input_dim", "batch_size", "input_dtype", NULL
};

static void
weight_slot_free (gpointer data)
{
  WeightSlot *slot = data;

  g_free (slot->name);
  g_free (slot->scoped[0]);
  g_free (slot->scoped[1]);
  g_free (slot->zeroed_for);
  g_clear_object (&slot->tensor);
  g_free (slot);
}

static void
node_free (gpointer data)
{
  StrataNode *node = data;

  g_clear_pointer (&node->inputs, g_ptr_array_unref);
  g_clear_pointer (&node->outputs, g_ptr_array_unref);
  g_clear_pointer (&node->kwargs, json_object_unref);
  g_clear_pointer (&node->raw, json_node_unref);
  g_strfreev (node->keywords);
  g_free (node);
}

guint
strata_node_n_positional (StrataNode *node)
{
  guint n_keywords = node->keywords != NULL ? g_strv_length (node->keywords) : 0;

  return node->inputs->len > n_keywords ? node->inputs->len - n_keywords : 0;
}

/* Keras' generic_utils.to_snake_case: "Conv2D" -> "conv2d", "ReLU" -> "re_lu". */
static char *
to_snake_case (const char *name)
{
  GString *pass1 = g_string_new (NULL);
  GString *pass2 = g_string_new (NULL);
  gsize len = strlen (name);

  /* (.)([A-Z][a-z]+) -> \1_\2 */
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && g_ascii_isupper (name[i]) && i + 1 < len && g_ascii_islower (name[i + 1]))
        g_string_append_c (pass1, '_');
      g_string_append_c (pass1, name[i]);
    }
  /* ([a-z])([A-Z]) -> \1_\2 */
  for (gsize i = 0; i < pass1->len; i++)
    {
      if (i > 0 && g_ascii_isupper (pass1->str[i]) && g_ascii_islower (pass1->str[i - 1]))
        g_string_append_c (pass2, '_');
      g_string_append_c (pass2, g_ascii_tolower (pass1->str[i]));
    }
  g_string_free (pass1, TRUE);
  /* "__a" style double underscores collapse as in Keras. */
  return g_string_free (pass2, FALSE);
}

char *
strata_layer_class_unique_name (StrataLayerClass *klass)
{
  static GMutex lock;
  static GHashTable *counters = NULL;
  g_autofree char *base = to_snake_case (strata_layer_class_get_keras_name (klass));
  gpointer count;
  char *name;

  g_mutex_lock (&lock);
  if (counters == NULL)
    counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  count = g_hash_table_lookup (counters, base);
  if (count == NULL)
    name = g_strdup (base);
  else
    name = g_strdup_printf ("%s_%u", base, GPOINTER_TO_UINT (count));
  g_hash_table_insert (counters, g_strdup (base), GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
  g_mutex_unlock (&lock);
  return name;
}

static gboolean
is_common_key (const char *key)
{
  return g_strv_contains (common_keys, key);
}

/* Whether @type or a parent of it set the class flag @quark. */
static gboolean
type_flag_inherited (GType  type,
                     GQuark quark)
{
  for (; type != 0; type = g_type_parent (type))
    if (g_type_get_qdata (type, quark) != NULL)
      return TRUE;
  return FALSE;
}

/* A property declared by a subclass (not by StrataLayer, nor by a class
 * whose properties are not config keys, such as StrataModel). */
static gboolean
is_subclass_property (GParamSpec *pspec)
{
  return pspec->owner_type != STRATA_TYPE_LAYER &&
         !type_flag_inherited (pspec->owner_type, properties_not_config_quark);
}

/* The dtype a config value stands for: a string, null, or a Keras 2
 * "Policy" / Keras 3 "DTypePolicy" object. */
static gboolean
dtype_from_node (JsonNode    *node,
                 const char **out,
                 GError     **error)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *config = json_object_get_member (object, "config");
      JsonNode *name;

      if (config != NULL && JSON_NODE_HOLDS_OBJECT (config) &&
          (name = json_object_get_member (json_node_get_object (config), "name")) != NULL &&
          JSON_NODE_HOLDS_VALUE (name) && json_node_get_value_type (name) == G_TYPE_STRING)
        {
          *out = json_node_get_string (name);
          return TRUE;
        }
    }
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
               /* Translators: %s is what was found instead, such as “a string” or “null”. */
               _("dtype: expected a string or a dtype policy, found %s"),
               strata_json_describe_node (node));
  return FALSE;
}

static void
strata_layer_finalize (GObject *object)
{
  StrataLayer *self = STRATA_LAYER (object);
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  g_free (priv->name);
  g_free (priv->class_name);
  g_free (priv->dtype);
  g_clear_pointer (&priv->config, json_object_unref);
  g_clear_pointer (&priv->config_read, json_object_unref);
  g_clear_pointer (&priv->extras, json_object_unref);
  g_clear_pointer (&priv->weights, g_ptr_array_unref);
  g_clear_pointer (&priv->nodes, g_ptr_array_unref);
  g_clear_object (&priv->context.registry);

  G_OBJECT_CLASS (strata_layer_parent_class)->finalize (object);
}

static void
strata_layer_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  StrataLayer *self = STRATA_LAYER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, strata_layer_get_name (self));
      break;
    case PROP_TRAINABLE:
      g_value_set_boolean (value, strata_layer_get_trainable (self));
      break;
    case PROP_DTYPE:
      g_value_set_string (value, strata_layer_get_dtype (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_layer_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  StrataLayer *self = STRATA_LAYER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      if (g_value_get_string (value) != NULL)
        strata_layer_set_name (self, g_value_get_string (value));
      break;
    case PROP_TRAINABLE:
      strata_layer_set_trainable (self, g_value_get_boolean (value));
      break;
    case PROP_DTYPE:
      if (g_value_get_string (value) != NULL)
        strata_layer_set_dtype (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
strata_layer_real_build (StrataLayer  *self,
                         GPtrArray    *input_shapes,
                         GError      **error)
{
  return TRUE;
}

static GPtrArray *
strata_layer_real_compute_output_shapes (StrataLayer  *self,
                                         GPtrArray    *input_shapes,
                                         GError      **error)
{
  GPtrArray *shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);

  for (guint i = 0; i < input_shapes->len; i++)
    {
      StrataShape *shape = g_ptr_array_index (input_shapes, i);
      g_ptr_array_add (shapes, shape != NULL ? strata_shape_ref (shape) : NULL);
    }
  return shapes;
}

/* Writes @key unless the layer came from a config that did not have it and
 * the value is the default (Keras 1 configs have no "dtype", for example). */
static gboolean
should_write_key (StrataLayerPrivate *priv,
                  JsonObject         *config,
                  const char         *key,
                  gboolean            is_default)
{
  if (!priv->from_config)
    return TRUE;
  return json_object_has_member (config, key) || !is_default;
}

static void
strata_layer_real_get_config (StrataLayer *self,
                              JsonObject  *config)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  JsonNode *dtype_node;
  const char *stored_dtype = NULL;

  if (should_write_key (priv, config, "name", FALSE))
    json_object_set_string_member (config, "name", strata_layer_get_name (self));
  if (should_write_key (priv, config, "trainable", priv->trainable))
    json_object_set_boolean_member (config, "trainable", priv->trainable);

  /* Keep a stored dtype (string, null or policy object) that still means
   * the layer's dtype. */
  dtype_node = json_object_get_member (config, "dtype");
  if (dtype_node == NULL || !dtype_from_node (dtype_node, &stored_dtype, NULL) ||
      g_strcmp0 (stored_dtype != NULL ? stored_dtype : "float32", priv->dtype) != 0)
    {
      if (should_write_key (priv, config, "dtype", g_strcmp0 (priv->dtype, "float32") == 0))
        json_object_set_string_member (config, "dtype", priv->dtype);
    }

  if (!strata_layer_class_is_config_backed (STRATA_LAYER_GET_CLASS (self)))
    {
      g_autofree GParamSpec **pspecs = NULL;
      guint n_pspecs;

      pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
      for (guint i = 0; i < n_pspecs; i++)
        {
          g_auto(GValue) value = G_VALUE_INIT;
          g_autofree char *key = NULL;
          JsonNode *node;

          if (!(pspecs[i]->flags & G_PARAM_READABLE) || !is_subclass_property (pspecs[i]))
            continue;
          g_value_init (&value, pspecs[i]->value_type);
          g_object_get_property (G_OBJECT (self), pspecs[i]->name, &value);
          node = strata_json_from_value (&value);
          if (node == NULL)
            continue;
          key = strata_json_property_to_key (pspecs[i]->name);
          json_object_set_member (config, key, node);
        }
    }
}

static void
set_range_error (StrataLayer *self,
                 GParamSpec  *pspec,
                 const char  *key,
                 JsonNode    *node,
                 GError     **error)
{
  g_autofree char *found = strata_json_to_string (node, FALSE);
  g_autofree char *range = NULL;

  /* Numeric properties: say which range; else the value just does not fit. */
  if (G_IS_PARAM_SPEC_INT (pspec))
    range = g_strdup_printf ("%d…%d", G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_UINT (pspec))
    range = g_strdup_printf ("%u…%u", G_PARAM_SPEC_UINT (pspec)->minimum, G_PARAM_SPEC_UINT (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_INT64 (pspec))
    range = g_strdup_printf ("%" G_GINT64_FORMAT "…%" G_GINT64_FORMAT,
                             G_PARAM_SPEC_INT64 (pspec)->minimum, G_PARAM_SPEC_INT64 (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_UINT64 (pspec))
    range = g_strdup_printf ("%" G_GUINT64_FORMAT "…%" G_GUINT64_FORMAT,
                             G_PARAM_SPEC_UINT64 (pspec)->minimum, G_PARAM_SPEC_UINT64 (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_LONG (pspec))
    range = g_strdup_printf ("%ld…%ld", G_PARAM_SPEC_LONG (pspec)->minimum, G_PARAM_SPEC_LONG (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_ULONG (pspec))
    range = g_strdup_printf ("%lu…%lu", G_PARAM_SPEC_ULONG (pspec)->minimum, G_PARAM_SPEC_ULONG (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    range = g_strdup_printf ("%g…%g", G_PARAM_SPEC_DOUBLE (pspec)->minimum, G_PARAM_SPEC_DOUBLE (pspec)->maximum);
  else if (G_IS_PARAM_SPEC_FLOAT (pspec))
    range = g_strdup_printf ("%g…%g", (double) G_PARAM_SPEC_FLOAT (pspec)->minimum,
                             (double) G_PARAM_SPEC_FLOAT (pspec)->maximum);

  if (range != NULL)
    g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                 /* Translators: the first %s is a layer name, the second %s a class name, the third
                  * %s a config key, the fourth %s the range, the fifth %s a description of the
                  * value found. */
                 _("Layer “%s” (%s): config key “%s” must be in the range %s, found %s"),
                 strata_layer_get_name (self), strata_layer_get_class_name (self), key, range, found);
  else
    g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                 /* Translators: the first %s is a layer name, the second %s a class name, the third
                  * %s a config key, the fourth %s a description of the value found. */
                 _("Layer “%s” (%s): config key “%s” does not accept %s"),
                 strata_layer_get_name (self), strata_layer_get_class_name (self), key, found);
}

/* A float property: a double outside its range must be refused before
 * strata_json_to_value() narrows it (an out-of-range conversion is
 * undefined behaviour). */
static gboolean
check_float_range (StrataLayer *self,
                   GParamSpec  *pspec,
                   const char  *key,
                   JsonNode    *node,
                   GError     **error)
{
  GParamSpecFloat *fspec;
  double d;

  if (!G_IS_PARAM_SPEC_FLOAT (pspec) || !strata_json_node_get_double (node, &d))
    return TRUE;
  fspec = G_PARAM_SPEC_FLOAT (pspec);
  if (isnan (d) || (d >= fspec->minimum && d <= fspec->maximum))
    return TRUE;
  set_range_error (self, pspec, key, node, error);
  return FALSE;
}

static gboolean
strata_layer_real_set_config (StrataLayer      *self,
                              JsonObject       *config,
                              StrataLoadFlags   flags,
                              GError          **error)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;
  gboolean trainable;
  const char *name;

  if (!strata_json_get_string (config, "name", "config", NULL, &name, error))
    return FALSE;
  if (name != NULL)
    strata_layer_set_name (self, name);
  if (!strata_json_get_boolean (config, "trainable", "config", TRUE, &trainable, error))
    return FALSE;
  priv->trainable = trainable;
  node = json_object_get_member (config, "dtype");
  if (node != NULL)
    {
      const char *dtype;

      if (!dtype_from_node (node, &dtype, error))
        return FALSE;
      g_free (priv->dtype);
      priv->dtype = g_strdup (dtype != NULL ? dtype : "float32");
    }

  if (strata_layer_class_is_config_backed (STRATA_LAYER_GET_CLASS (self)))
    return TRUE;

  json_object_iter_init (&iter, config);
  while (json_object_iter_next (&iter, &key, &node))
    {
      g_autofree char *property = NULL;
      g_autofree char *path = NULL;
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) local_error = NULL;
      GParamSpec *pspec;

      if (is_common_key (key))
        continue;
      property = strata_json_key_to_property (key);
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), property);
      if (pspec == NULL || !is_subclass_property (pspec) ||
          !(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
        {
          if (flags & STRATA_LOAD_STRICT)
            {
              g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                           /* Translators: the first %s is a layer name, the second %s a class name,
                            * the third %s a config key. */
                           _("Layer “%s” (%s) does not know the config key “%s”"),
                           strata_layer_get_name (self), strata_layer_get_class_name (self), key);
              return FALSE;
            }
          continue;
        }
      path = g_strdup_printf ("config.%s", key);
      g_value_init (&value, pspec->value_type);
      if (!check_float_range (self, pspec, key, node, error))
        return FALSE;
      if (!strata_json_to_value (node, &value, path, &local_error))
        {
          /* name the layer and, for scalars, the value ("NaN", "1e+300") */
          g_autofree char *found = JSON_NODE_HOLDS_VALUE (node) ? strata_json_to_string (node, FALSE) : NULL;
          g_set_error (error, local_error->domain, local_error->code,
                       found != NULL
                       /* Translators: the first %s is a layer name, the second %s its class name,
                        * the third %s the reason, the fourth %s the value found, such as “NaN”. */
                       ? _("Layer “%s” (%s): %s (%s)")
                       /* Translators: the first %s is a layer name, the second %s its class name,
                        * the third %s the reason; the fourth %s is empty. */
                       : _("Layer “%s” (%s): %s%s"),
                       strata_layer_get_name (self), strata_layer_get_class_name (self),
                       local_error->message, found != NULL ? found : "");
          return FALSE;
        }
      /* strata_json_to_value() knows the type, not the property's limits:
       * an out-of-range value would only give a g_warning. */
      if (g_param_value_validate (pspec, &value))
        {
          set_range_error (self, pspec, key, node, error);
          return FALSE;
        }
      g_object_set_property (G_OBJECT (self), property, &value);
    }
  return TRUE;
}

static GPtrArray *
strata_layer_real_call (StrataLayer  *self,
                        GPtrArray    *inputs,
                        GError      **error)
{
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
               /* Translators: the first %s is a layer name, the second %s a class name. */
               _("Layer “%s” (%s) cannot compute outputs"),
               strata_layer_get_name (self), strata_layer_get_class_name (self));
  return NULL;
}

GArray *
strata_layer_weight_order (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), priv->weights->len);

  /* Keras: layer.weights = trainable_weights + non_trainable_weights, each
   * in creation order (also when the layer is frozen). */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < priv->weights->len; i++)
      {
        WeightSlot *slot = g_ptr_array_index (priv->weights, i);
        if ((pass == 0) == (slot->trainable != FALSE))
          g_array_append_val (order, i);
      }
  return order;
}

static GPtrArray *
strata_layer_real_get_weights (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_autoptr(GArray) order = strata_layer_weight_order (self);
  GPtrArray *weights = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < order->len; i++)
    {
      WeightSlot *slot = g_ptr_array_index (priv->weights, g_array_index (order, guint, i));
      g_ptr_array_add (weights, g_object_ref (slot->tensor));
    }
  return weights;
}

static gboolean
strata_layer_real_set_weights (StrataLayer  *self,
                               GPtrArray    *weights,
                               GError      **error)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_autoptr(GArray) order = strata_layer_weight_order (self);

  if (weights->len != order->len)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: a layer name, the number of weights given, then the number
                    * expected */
                   _("You called set_weights on layer “%s” with a list of %u weights, "
                     "but the layer expects %u"),
                   strata_layer_get_name (self), weights->len, order->len);
      return FALSE;
    }

  /* Check everything before changing anything. */
  for (guint i = 0; i < order->len; i++)
    {
      WeightSlot *slot = g_ptr_array_index (priv->weights, g_array_index (order, guint, i));
      StrataTensor *tensor = g_ptr_array_index (weights, i);
      StrataShape *expected = strata_tensor_get_shape (slot->tensor);
      StrataShape *found;

      if (!STRATA_IS_TENSOR (tensor))
        {
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_DTYPE,
                       /* Translators: the first %s is a layer name, %u an index, the second %s a
                        * weight name. */
                       _("Layer “%s” weight %u (%s): not a tensor"),
                       strata_layer_get_name (self), i, slot->name);
          return FALSE;
        }
      found = strata_tensor_get_shape (tensor);
      if (!strata_shape_equal (expected, found))
        {
          g_autofree char *e = strata_shape_to_string (expected);
          g_autofree char *f = strata_shape_to_string (found);

          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: the first %s is a layer name, %u an index, the second %s a
                        * weight name, the third %s a shape such as (None, 3), the fourth %s a shape
                        * such as (None, 3). */
                       _("Layer “%s” weight %u (%s): expected shape %s, found %s"),
                       strata_layer_get_name (self), i, slot->name, e, f);
          return FALSE;
        }
    }

  for (guint i = 0; i < order->len; i++)
    if (!strata_layer_replace_weight (self, g_array_index (order, guint, i),
                                      g_ptr_array_index (weights, i), error))
      return FALSE;
  return TRUE;
}

static void strata_layer_real_get_weight_context (StrataLayer         *self,
                                                  StrataKerasDialect  *dialect,
                                                  const char         **keras_version);

static void
strata_layer_class_init (StrataLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_layer_finalize;
  object_class->get_property = strata_layer_get_property;
  object_class->set_property = strata_layer_set_property;

  klass->build = strata_layer_real_build;
  klass->compute_output_shapes = strata_layer_real_compute_output_shapes;
  klass->get_config = strata_layer_real_get_config;
  klass->set_config = strata_layer_real_set_config;
  klass->call = strata_layer_real_call;
  klass->get_weights = strata_layer_real_get_weights;
  klass->set_weights = strata_layer_real_set_weights;
  klass->get_weight_context = strata_layer_real_get_weight_context;

  /**
   * StrataLayer:name:
   *
   * The layer's name, unique inside a model ("dense_1").
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * StrataLayer:trainable:
   *
   * Whether the layer's weights are updated by training.
   */
  properties[PROP_TRAINABLE] =
    g_param_spec_boolean ("trainable", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * StrataLayer:dtype:
   *
   * The dtype (or dtype policy name) of the layer, "float32" by default.
   */
  properties[PROP_DTYPE] =
    g_param_spec_string ("dtype", NULL, NULL, "float32",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  keras_name_quark = g_quark_from_static_string ("strata-layer-keras-name");
  config_backed_quark = g_quark_from_static_string ("strata-layer-config-backed");
  properties_not_config_quark = g_quark_from_static_string ("strata-layer-properties-not-config");
}

static void
strata_layer_init (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  priv->trainable = TRUE;
  priv->dtype = g_strdup ("float32");
  priv->config = json_object_new ();
  priv->extras = json_object_new ();
  priv->weights = g_ptr_array_new_with_free_func (weight_slot_free);
  priv->nodes = g_ptr_array_new_with_free_func (node_free);
}

/**
 * strata_layer_class_set_keras_name:
 * @layer_class: a layer class
 * @keras_name: the Keras class name, for example "Dense"
 *
 * Sets the name Keras uses for the class, written as `class_name` in
 * configs. Call it from the class_init function.
 */
void
strata_layer_class_set_keras_name (StrataLayerClass *layer_class,
                                   const char       *keras_name)
{
  g_return_if_fail (STRATA_IS_LAYER_CLASS (layer_class));
  g_return_if_fail (keras_name != NULL);

  g_type_set_qdata (G_TYPE_FROM_CLASS (layer_class), keras_name_quark,
                    (gpointer) g_intern_string (keras_name));
}

/**
 * strata_layer_class_get_keras_name:
 * @layer_class: a layer class
 *
 * Returns the Keras class name. A class that did not set one gets its
 * GType name without a "Strata" prefix.
 *
 * Returns: the Keras class name
 */
const char *
strata_layer_class_get_keras_name (StrataLayerClass *layer_class)
{
  GType type;
  const char *name;

  g_return_val_if_fail (STRATA_IS_LAYER_CLASS (layer_class), NULL);

  type = G_TYPE_FROM_CLASS (layer_class);
  name = g_type_get_qdata (type, keras_name_quark);
  if (name != NULL)
    return name;
  name = g_type_name (type);
  if (g_str_has_prefix (name, "Strata") && name[6] != '\0')
    return name + 6;
  return name;
}

gboolean
strata_layer_class_is_config_backed (StrataLayerClass *klass)
{
  /* Inherited: a subclass of a built-in class keeps its stored config. */
  return type_flag_inherited (G_TYPE_FROM_CLASS (klass), config_backed_quark);
}

void
strata_layer_class_set_config_backed (StrataLayerClass *klass,
                                      gboolean          backed)
{
  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), config_backed_quark,
                    backed ? GINT_TO_POINTER (1) : NULL);
}

void
strata_layer_class_set_properties_not_config (StrataLayerClass *klass)
{
  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), properties_not_config_quark, GINT_TO_POINTER (1));
}

/**
 * strata_layer_get_name:
 * @self: a layer
 *
 * Returns the layer's name. A layer created without one gets a Keras-style
 * default ("dense", "dense_1", ...).
 *
 * Returns: the name
 */
const char *
strata_layer_get_name (StrataLayer *self)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  priv = strata_layer_get_instance_private (self);
  if (priv->name == NULL)
    priv->name = strata_layer_class_unique_name (STRATA_LAYER_GET_CLASS (self));
  return priv->name;
}

/**
 * strata_layer_set_name:
 * @self: a layer
 * @name: the new name
 *
 * Renames the layer.
 */
void
strata_layer_set_name (StrataLayer *self,
                       const char  *name)
{
  StrataLayerPrivate *priv;

  g_return_if_fail (STRATA_IS_LAYER (self));
  g_return_if_fail (name != NULL);
  priv = strata_layer_get_instance_private (self);
  if (g_strcmp0 (priv->name, name) == 0)
    return;
  /* A first name (NULL before) cannot be in any name cache yet. */
  if (priv->name != NULL)
    g_atomic_int_inc (&rename_serial);
  g_free (priv->name);
  priv->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

struct _StrataLayerNameIndex {
  GHashTable *names;      /* name (owned) -> layer (unowned) */
  GPtrArray  *layers;     /* the list indexed (unowned) */
  guint       n_indexed;  /* layers[0..n_indexed) are in @names */
  gint        serial;     /* rename_serial when @names was started */
};

StrataLayerNameIndex *
strata_layer_name_index_new (void)
{
  StrataLayerNameIndex *index = g_new0 (StrataLayerNameIndex, 1);

  index->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return index;
}

void
strata_layer_name_index_free (StrataLayerNameIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->names);
  g_free (index);
}

void
strata_layer_name_index_reset (StrataLayerNameIndex *index)
{
  g_hash_table_remove_all (index->names);
  index->layers = NULL;
  index->n_indexed = 0;
}

gboolean
strata_layer_name_index_contains (StrataLayerNameIndex *index,
                                  GPtrArray            *layers,
                                  const char           *name)
{
  gint serial = g_atomic_int_get (&rename_serial);

  if (index->layers != layers || index->serial != serial || index->n_indexed > layers->len)
    {
      strata_layer_name_index_reset (index);
      index->layers = layers;
      index->serial = serial;
    }
  /* Layers appended since the last call. */
  for (; index->n_indexed < layers->len; index->n_indexed++)
    {
      StrataLayer *layer = g_ptr_array_index (layers, index->n_indexed);
      g_hash_table_insert (index->names, g_strdup (strata_layer_get_name (layer)), layer);
    }
  return g_hash_table_contains (index->names, name);
}

/**
 * strata_layer_get_class_name:
 * @self: a layer
 *
 * Returns the Keras class name of the layer as its file spelled it (for
 * example "Convolution2D" for a Keras 1 file), else the class's Keras name.
 *
 * Returns: the class name
 */
const char *
strata_layer_get_class_name (StrataLayer *self)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  priv = strata_layer_get_instance_private (self);
  if (priv->class_name != NULL)
    return priv->class_name;
  return strata_layer_class_get_keras_name (STRATA_LAYER_GET_CLASS (self));
}

void
strata_layer_set_class_name (StrataLayer *self,
                             const char  *class_name)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  g_free (priv->class_name);
  priv->class_name = g_strdup (class_name);
}

/**
 * strata_layer_get_trainable:
 * @self: a layer
 *
 * Returns whether the layer is trainable (Keras `layer.trainable`).
 *
 * Returns: whether the layer is trainable
 */
gboolean
strata_layer_get_trainable (StrataLayer *self)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), FALSE);
  priv = strata_layer_get_instance_private (self);
  return priv->trainable;
}

/**
 * strata_layer_set_trainable:
 * @self: a layer
 * @trainable: whether the layer is trainable
 *
 * Freezes or unfreezes the layer. A frozen layer's weights all count as
 * non-trainable.
 */
void
strata_layer_set_trainable (StrataLayer *self,
                            gboolean     trainable)
{
  StrataLayerPrivate *priv;

  g_return_if_fail (STRATA_IS_LAYER (self));
  priv = strata_layer_get_instance_private (self);
  trainable = !!trainable;
  if (priv->trainable == trainable)
    return;
  priv->trainable = trainable;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINABLE]);
}

/**
 * strata_layer_get_dtype:
 * @self: a layer
 *
 * Returns the layer's dtype (Keras `layer.dtype_policy.name`).
 *
 * Returns: the layer's dtype or dtype policy name ("float32", "mixed_float16")
 */
const char *
strata_layer_get_dtype (StrataLayer *self)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  priv = strata_layer_get_instance_private (self);
  return priv->dtype;
}

/**
 * strata_layer_set_dtype:
 * @self: a layer
 * @dtype: a dtype or dtype policy name
 *
 * Sets the layer's dtype.
 */
void
strata_layer_set_dtype (StrataLayer *self,
                        const char  *dtype)
{
  StrataLayerPrivate *priv;

  g_return_if_fail (STRATA_IS_LAYER (self));
  g_return_if_fail (dtype != NULL);
  priv = strata_layer_get_instance_private (self);
  if (g_strcmp0 (priv->dtype, dtype) == 0)
    return;
  g_free (priv->dtype);
  priv->dtype = g_strdup (dtype);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DTYPE]);
}

JsonObject *
strata_layer_peek_config (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  /* The caller may change it: a shared config becomes the layer's own. */
  if (priv->config_shared)
    {
      g_clear_pointer (&priv->config_read, json_object_unref);
      priv->config_read = g_steal_pointer (&priv->config);
      priv->config = strata_json_object_copy (priv->config_read);
      priv->config_shared = FALSE;
    }
  return priv->config;
}

JsonObject *
strata_layer_peek_config_for_reading (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  return priv->config;
}

JsonObject *
strata_layer_peek_extras (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  return priv->extras;
}

void
strata_layer_set_stored_config (StrataLayer *self,
                                JsonObject  *config)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  g_clear_pointer (&priv->config, json_object_unref);
  /* A sealed config cannot change under the layer (the config reader seals
   * the trees it parsed itself): keep a reference and copy it only when the
   * layer changes it (strata_layer_peek_config()). */
  priv->config_shared = config != NULL && json_object_is_immutable (config);
  if (priv->config_shared)
    priv->config = json_object_ref (config);
  else
    priv->config = config != NULL ? strata_json_object_copy (config) : json_object_new ();
  priv->from_config = config != NULL;
}

void
strata_layer_set_load_flags (StrataLayer     *self,
                             StrataLoadFlags  flags)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  priv->flags = flags;
}

StrataLoadFlags
strata_layer_get_load_flags (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  return priv->flags;
}

void
strata_layer_set_load_context (StrataLayer             *self,
                               const StrataLoadContext *context)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  g_set_object (&priv->context.registry, context->registry);
  priv->context.dialect = context->dialect;
  priv->context.dim_ordering = g_intern_string (context->dim_ordering);
  priv->context.keras_version = g_intern_string (context->keras_version);
}

const StrataLoadContext *
strata_layer_get_load_context (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  return &priv->context;
}

GPtrArray *
strata_layer_peek_sublayers (StrataLayer *self)
{
  StrataLayerClass *klass = STRATA_LAYER_GET_CLASS (self);

  return klass->peek_sublayers != NULL ? klass->peek_sublayers (self) : NULL;
}

static void
strata_layer_real_get_weight_context (StrataLayer         *self,
                                      StrataKerasDialect  *dialect,
                                      const char         **keras_version)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  *dialect = priv->context.dialect;
  *keras_version = priv->context.keras_version;
}

/**
 * strata_layer_get_config:
 * @self: a layer
 *
 * Returns the layer's config as Keras `get_config()` does: every key read
 * from the file, with the current values of the layer's hyper-parameters.
 *
 * Returns: (transfer full): a new config object
 */
JsonObject *
strata_layer_get_config (StrataLayer *self)
{
  StrataLayerPrivate *priv;
  JsonObject *config;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  priv = strata_layer_get_instance_private (self);
  config = strata_json_object_copy (priv->config);
  STRATA_LAYER_GET_CLASS (self)->get_config (self, config);
  return config;
}

/**
 * strata_layer_new_from_config:
 * @layer_type: a [class@Strata.Layer] subtype
 * @config: the layer's config (the "config" member of its entry)
 * @flags: load flags; %STRATA_LOAD_STRICT refuses keys the class does not know
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a layer from its config, like Keras `Layer.from_config()`. The
 * whole config is kept, so [method@Strata.Layer.get_config] gives it back.
 *
 * Returns: (transfer full): the new layer, or %NULL with @error set
 */
StrataLayer *
strata_layer_new_from_config (GType             layer_type,
                              JsonObject       *config,
                              StrataLoadFlags   flags,
                              GError          **error)
{
  g_autoptr(StrataLayer) layer = NULL;
  StrataLayerClass *klass;
  StrataLayer *(*new_from_config) (GType, JsonObject *, StrataLoadFlags, GError **);

  g_return_val_if_fail (g_type_is_a (layer_type, STRATA_TYPE_LAYER), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (G_TYPE_IS_ABSTRACT (layer_type))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
                   /* Translators: %s is a GType name. */
                   _("Layer type “%s” is abstract"), g_type_name (layer_type));
      return NULL;
    }
  /* A class may build itself from its config (a model's is a graph). */
  klass = g_type_class_ref (layer_type);
  new_from_config = klass->new_from_config;
  g_type_class_unref (klass);
  if (new_from_config != NULL)
    return new_from_config (layer_type, config, flags, error);

  layer = g_object_new (layer_type, NULL);
  strata_layer_set_stored_config (layer, config);
  strata_layer_set_load_flags (layer, flags);
  if (!STRATA_LAYER_GET_CLASS (layer)->set_config (layer, config, flags, error))
    return NULL;
  return g_steal_pointer (&layer);
}

/**
 * strata_layer_build:
 * @self: a layer
 * @input_shapes: (element-type StrataShape): the shapes of the inputs,
 *   batch dimension included
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates the layer's weights for inputs of the given shapes, once.
 *
 * Returns: %TRUE on success (also when the layer was built already)
 */
gboolean
strata_layer_build (StrataLayer  *self,
                    GPtrArray    *input_shapes,
                    GError      **error)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), FALSE);
  g_return_val_if_fail (input_shapes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = strata_layer_get_instance_private (self);
  if (priv->built)
    return TRUE;
  if (!STRATA_LAYER_GET_CLASS (self)->build (self, input_shapes, error))
    {
      /* Leave no half-built layer behind. */
      g_ptr_array_set_size (priv->weights, 0);
      return FALSE;
    }
  priv->built = TRUE;
  return TRUE;
}

/**
 * strata_layer_get_build_input_shapes:
 * @self: a layer
 *
 * Returns the shapes of the tensors the layer was first called on, one
 * per positional input: what Keras records as the layer's
 * `_build_input_shape` and saves in SavedModel metadata. Keyword tensors
 * (masks, a MultiHeadAttention's `value`) are not included.
 *
 * Returns: (transfer container) (element-type StrataShape) (nullable): the
 *   shapes, or %NULL when the layer has not been called
 */
GPtrArray *
strata_layer_get_build_input_shapes (StrataLayer *self)
{
  StrataLayerPrivate *priv;
  StrataNode *node;
  GPtrArray *shapes;
  guint n;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  priv = strata_layer_get_instance_private (self);
  if (priv->nodes == NULL || priv->nodes->len == 0)
    return NULL;
  node = g_ptr_array_index (priv->nodes, 0);
  n = strata_node_n_positional (node);
  if (n == 0)
    return NULL;
  shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (shapes, strata_shape_ref (strata_keras_tensor_get_shape (g_ptr_array_index (node->inputs, i))));
  return shapes;
}

/**
 * strata_layer_is_built:
 * @self: a layer
 *
 * Returns whether the layer has been built (its weights exist).
 *
 * Returns: whether the layer's weights exist
 */
gboolean
strata_layer_is_built (StrataLayer *self)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), FALSE);
  priv = strata_layer_get_instance_private (self);
  return priv->built;
}

void
strata_layer_set_built (StrataLayer *self,
                        gboolean     built)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  priv->built = built;
}

/**
 * strata_layer_compute_output_shapes:
 * @self: a layer
 * @input_shapes: (element-type StrataShape): the shapes of the inputs
 * @error: return location for a [struct@GLib.Error]
 *
 * Computes the shapes of the layer's outputs for inputs of the given shapes, without building the layer.
 *
 * Returns: (transfer container) (element-type StrataShape): the shapes of the
 *   outputs, or %NULL with @error set
 */
GPtrArray *
strata_layer_compute_output_shapes (StrataLayer  *self,
                                    GPtrArray    *input_shapes,
                                    GError      **error)
{
  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  g_return_val_if_fail (input_shapes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STRATA_LAYER_GET_CLASS (self)->compute_output_shapes (self, input_shapes, error);
}

/**
 * strata_layer_add_weight:
 * @self: a layer
 * @name: the short name of the weight ("kernel")
 * @shape: the shape, fully defined
 * @dtype: the element type
 * @initializer: (nullable): a Keras initializer (string or object), or
 *   %NULL for zeros
 * @trainable: whether training updates the weight
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a weight, like Keras `add_weight()`, and appends it to the
 * layer's weights. Called from [struct@Strata.LayerClass].build. A weight larger
 * than 4 GiB fails with %STRATA_CONFIG_ERROR_LIMIT.
 *
 * Returns: (transfer none): the new weight, or %NULL with @error set
 */
StrataTensor *
strata_layer_add_weight (StrataLayer  *self,
                         const char   *name,
                         StrataShape  *shape,
                         StrataDType   dtype,
                         JsonNode     *initializer,
                         gboolean      trainable,
                         GError      **error)
{
  StrataLayerPrivate *priv;
  g_autoptr(StrataTensor) tensor = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *zeroed_for = NULL;
  guint64 n_elements;
  gsize item_size;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (shape != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = strata_layer_get_instance_private (self);
  if (!strata_shape_is_fully_defined (shape))
    {
      g_autofree char *shape_str = strata_shape_to_string (shape);

      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: the first %s is a layer name, the second %s a weight name, the
                    * third %s a shape such as (None, 3). */
                   _("Layer “%s” weight “%s”: shape %s is not fully defined"),
                   strata_layer_get_name (self), name, shape_str);
      return NULL;
    }
  item_size = strata_dtype_get_size (dtype);
  if (item_size == 0)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: the first %s is a layer name, the second %s a weight name. */
                   _("Layer “%s” weight “%s”: invalid dtype"),
                   strata_layer_get_name (self), name);
      return NULL;
    }
  if (!strata_shape_get_n_elements (shape, &n_elements) ||
      n_elements > STRATA_WEIGHT_MAX_BYTES / item_size)
    {
      g_autofree char *shape_str = strata_shape_to_string (shape);

      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: the first %s is a layer name, the second %s a weight name, the
                    * third %s a shape such as (None, 3), %llu a limit. */
                   _("Layer “%s” weight “%s”: shape %s is larger than the limit of %llu bytes"),
                   strata_layer_get_name (self), name, shape_str, (unsigned long long) STRATA_WEIGHT_MAX_BYTES);
      return NULL;
    }

  if (priv->flags & STRATA_LOAD_METADATA_ONLY)
    tensor = strata_tensor_new_metadata (dtype, shape);
  else if (initializer == NULL)
    tensor = strata_tensor_new_zeros (dtype, shape, error);
  else
    tensor = strata_initializer_run (initializer, shape, dtype, &local_error);
  /* An initializer Strata cannot run (a custom function or class): with
   * STRATA_LOAD_ALLOW_UNKNOWN the weight is zeros, and says so, as an
   * unknown layer class loads as an opaque layer. */
  if (tensor == NULL && (priv->flags & STRATA_LOAD_ALLOW_UNKNOWN) &&
      g_error_matches (local_error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS))
    {
      zeroed_for = strata_initializer_get_name (initializer);
      /* Translators: the first %s is a layer name, the second a weight name
       * ("kernel"), the third the name of a custom initializer. */
      g_warning (_("Layer “%s”: weight “%s” is zeros: its initializer “%s” is custom code "
                   "that only Keras with the custom objects can run"),
                 strata_layer_get_name (self), name, zeroed_for);
      g_clear_error (&local_error);
      tensor = strata_tensor_new_zeros (dtype, shape, error);
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  if (tensor == NULL)
    {
      /* Translators: the first %s is a layer name, the second %s a weight name. */
      g_prefix_error (error, _("Layer “%s” weight “%s”: "), strata_layer_get_name (self), name);
      return NULL;
    }
  strata_layer_append_weight (self, name, tensor, trainable);
  ((WeightSlot *) g_ptr_array_index (priv->weights, priv->weights->len - 1))->zeroed_for =
    g_steal_pointer (&zeroed_for);
  return tensor;
}

static char *
weight_full_name (StrataLayer *self,
                  const char  *short_name)
{
  /* "%s/%s:0", without printf's parsing (every weight of a load has one) */
  return g_strconcat (strata_layer_get_name (self), "/", short_name, ":0", NULL);
}

/* The slot of weight @name, short ("kernel") or full ("dense/kernel:0"). */
static WeightSlot *
find_weight_slot (StrataLayer *self,
                  const char  *name)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  for (guint i = 0; i < priv->weights->len; i++)
    {
      WeightSlot *slot = g_ptr_array_index (priv->weights, i);
      g_autofree char *full = weight_full_name (self, slot->name);

      if (g_str_equal (slot->name, name) || g_str_equal (full, name))
        return slot;
    }
  return NULL;
}

/**
 * strata_layer_get_uninitialized_weights:
 * @self: a layer
 *
 * The weights that hold zeros because Strata cannot run their initializer:
 * a custom function or class, which only Keras with the custom objects
 * can run. Such a weight is only made when weights are created from the
 * config (a model built from a config alone, a clone with new weights) and
 * the load allowed it with %STRATA_LOAD_ALLOW_UNKNOWN, which then logs a
 * warning naming the layer, the weight and the initializer; without the
 * flag the load fails naming the initializer and the layer. Weights a file
 * supplies never need their initializer. Setting the weights clears the
 * list.
 *
 * Returns: (transfer full) (array zero-terminated=1): the short names of
 *   those weights ("kernel"), empty when there are none
 */
char **
strata_layer_get_uninitialized_weights (StrataLayer *self)
{
  StrataLayerPrivate *priv;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);

  priv = strata_layer_get_instance_private (self);
  for (guint i = 0; i < priv->weights->len; i++)
    {
      WeightSlot *slot = g_ptr_array_index (priv->weights, i);

      if (slot->zeroed_for != NULL)
        g_strv_builder_add (builder, slot->name);
    }
  return g_strv_builder_end (builder);
}

/**
 * strata_layer_get_unknown_initializer:
 * @self: a layer
 * @name: the short name of a weight ("kernel")
 *
 * The initializer that @name could not be initialised with (see
 * [method@Strata.Layer.get_uninitialized_weights]): a custom function's name or
 * a custom class name.
 *
 * Returns: (nullable): the initializer's name, or %NULL when @name holds
 *   initialised (or loaded) values or is no weight of @self
 */
const char *
strata_layer_get_unknown_initializer (StrataLayer *self,
                                      const char  *name)
{
  WeightSlot *slot;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  slot = find_weight_slot (self, name);
  return slot != NULL ? slot->zeroed_for : NULL;
}

void
strata_layer_append_weight (StrataLayer  *self,
                            const char   *name,
                            StrataTensor *tensor,
                            gboolean      trainable)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  WeightSlot *slot = g_new0 (WeightSlot, 1);

  slot->name = g_strdup (name);
  slot->tensor = g_object_ref (tensor);
  slot->trainable = trainable;
  if (strata_tensor_get_name (tensor) == NULL)
    {
      g_autofree char *full = weight_full_name (self, name);
      strata_tensor_set_name (tensor, full);
    }
  g_ptr_array_add (priv->weights, slot);
}

void
strata_layer_clear_weights (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_ptr_array_set_size (priv->weights, 0);
}

gboolean
strata_layer_weight_is_trainable (StrataLayer *self,
                                  guint        index)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_return_val_if_fail (index < priv->weights->len, FALSE);
  return ((WeightSlot *) g_ptr_array_index (priv->weights, index))->trainable;
}

const char *
strata_layer_get_weight_short_name (StrataLayer *self,
                                    guint        index)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_return_val_if_fail (index < priv->weights->len, NULL);
  return ((WeightSlot *) g_ptr_array_index (priv->weights, index))->name;
}

StrataTensor *
strata_layer_get_weight_at (StrataLayer *self,
                            guint        index)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_return_val_if_fail (index < priv->weights->len, NULL);
  return ((WeightSlot *) g_ptr_array_index (priv->weights, index))->tensor;
}

gboolean
strata_layer_replace_weight (StrataLayer   *self,
                             guint          index,
                             StrataTensor  *tensor,
                             GError       **error)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_autoptr(StrataTensor) cast = NULL;
  g_autoptr(StrataTensor) replacement = NULL;
  g_autofree char *full = NULL;
  WeightSlot *slot;
  StrataDType dtype;

  g_return_val_if_fail (index < priv->weights->len, FALSE);
  slot = g_ptr_array_index (priv->weights, index);

  if (!strata_shape_equal (strata_tensor_get_shape (slot->tensor), strata_tensor_get_shape (tensor)))
    {
      g_autofree char *e = strata_shape_to_string (strata_tensor_get_shape (slot->tensor));
      g_autofree char *f = strata_shape_to_string (strata_tensor_get_shape (tensor));

      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: the first %s is a layer name, %u an index, the second %s a weight
                    * name, the third %s a shape such as (None, 3), the fourth %s a shape such as
                    * (None, 3). */
                   _("Layer “%s” weight %u (%s): expected shape %s, found %s"),
                   strata_layer_get_name (self), index, slot->name, e, f);
      return FALSE;
    }

  dtype = strata_tensor_get_dtype (slot->tensor);
  if (strata_tensor_get_dtype (tensor) != dtype && strata_tensor_has_data (tensor))
    {
      cast = strata_tensor_cast (tensor, dtype, error);
      if (cast == NULL)
        {
          /* Translators: the first %s is a layer name, %u an index, the second %s a weight name. */
          g_prefix_error (error, _("Layer “%s” weight %u (%s): "),
                          strata_layer_get_name (self), index, slot->name);
          return FALSE;
        }
      tensor = cast;
    }

  /* Share the caller's bytes (no copy) under the layer's weight name. */
  if (strata_tensor_has_data (tensor))
    {
      replacement = strata_tensor_new (dtype, strata_tensor_get_shape (tensor),
                                       strata_tensor_get_data (tensor), error);
      if (replacement == NULL)
        return FALSE;
    }
  else
    replacement = strata_tensor_new_metadata (dtype, strata_tensor_get_shape (tensor));
  full = weight_full_name (self, slot->name);
  strata_tensor_set_name (replacement, full);
  g_set_object (&slot->tensor, replacement);
  return TRUE;
}

/**
 * strata_layer_get_n_weights:
 * @self: a layer
 *
 * Returns the number of weights of the layer, as `len(layer.weights)`.
 *
 * Returns: the number of weights (for a model, of all its layers)
 */
guint
strata_layer_get_n_weights (StrataLayer *self)
{
  g_autoptr(GPtrArray) weights = NULL;

  g_return_val_if_fail (STRATA_IS_LAYER (self), 0);
  weights = strata_layer_get_weights (self);
  return weights->len;
}

/**
 * strata_layer_get_weight:
 * @self: a layer
 * @name: a short weight name ("kernel") or a full one ("dense/kernel:0")
 *
 * Returns a weight by name, like `layer.kernel` in Keras.
 *
 * Returns: (transfer none) (nullable): the weight, or %NULL
 */
StrataTensor *
strata_layer_get_weight (StrataLayer *self,
                         const char  *name)
{
  WeightSlot *slot;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  slot = find_weight_slot (self, name);
  return slot != NULL ? slot->tensor : NULL;
}

/**
 * strata_layer_get_weights:
 * @self: a layer
 *
 * Returns the weights in Keras order (trainable weights first, each group
 * in creation order; for a model, the weights of each layer in layer order).
 *
 * Returns: (transfer container) (element-type StrataTensor): the weights
 */
GPtrArray *
strata_layer_get_weights (StrataLayer *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  return STRATA_LAYER_GET_CLASS (self)->get_weights (self);
}

static GPtrArray *
filter_weights (StrataLayer *self,
                gboolean     want_trainable)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *layers = strata_layer_peek_sublayers (self);

  if (layers != NULL)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < layers->len; i++)
        {
          StrataLayer *layer = g_ptr_array_index (layers, i);
          g_autoptr(GPtrArray) part = NULL;

          if (!g_hash_table_add (seen, layer))
            continue;
          if (strata_layer_get_trainable (self))
            part = filter_weights (layer, want_trainable);
          else if (!want_trainable)
            part = strata_layer_get_weights (layer);   /* frozen: all non-trainable */
          else
            continue;
          for (guint j = 0; j < part->len; j++)
            g_ptr_array_add (result, g_object_ref (g_ptr_array_index (part, j)));
        }
      return result;
    }

  {
    StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
    g_autoptr(GArray) order = strata_layer_weight_order (self);

    for (guint i = 0; i < order->len; i++)
      {
        WeightSlot *slot = g_ptr_array_index (priv->weights, g_array_index (order, guint, i));
        gboolean trainable = slot->trainable && priv->trainable;

        if (trainable == want_trainable)
          g_ptr_array_add (result, g_object_ref (slot->tensor));
      }
  }
  return result;
}

/**
 * strata_layer_get_trainable_weights:
 * @self: a layer
 *
 * Returns the weights training updates, like `layer.trainable_weights`.
 *
 * Returns: (transfer container) (element-type StrataTensor): the weights that
 *   training updates (none when the layer is frozen)
 */
GPtrArray *
strata_layer_get_trainable_weights (StrataLayer *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  return filter_weights (self, TRUE);
}

/**
 * strata_layer_get_non_trainable_weights:
 * @self: a layer
 *
 * Returns the weights training leaves alone, like `layer.non_trainable_weights`.
 *
 * Returns: (transfer container) (element-type StrataTensor): the weights that
 *   training does not update
 */
GPtrArray *
strata_layer_get_non_trainable_weights (StrataLayer *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  return filter_weights (self, FALSE);
}

/**
 * strata_layer_set_weights:
 * @self: a layer
 * @weights: (element-type StrataTensor): the new weights, in the order of
 *   [method@Strata.Layer.get_weights]
 * @error: return location for a [struct@GLib.Error]
 *
 * Replaces the weights, like Keras `set_weights()`. The count and every
 * shape are checked before anything changes; a mismatch fails naming the
 * layer, the weight and both shapes. Values of another dtype are cast.
 * A layer loaded with %STRATA_LOAD_METADATA_ONLY that holds data for every
 * weight afterwards is no longer metadata-only: weights it creates later
 * are initialised.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_layer_set_weights (StrataLayer  *self,
                          GPtrArray    *weights,
                          GError      **error)
{
  StrataLayerPrivate *priv;

  g_return_val_if_fail (STRATA_IS_LAYER (self), FALSE);
  g_return_val_if_fail (weights != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!STRATA_LAYER_GET_CLASS (self)->set_weights (self, weights, error))
    return FALSE;
  priv = strata_layer_get_instance_private (self);
  for (guint i = 0; i < priv->weights->len; i++)
    g_clear_pointer (&((WeightSlot *) g_ptr_array_index (priv->weights, i))->zeroed_for, g_free);
  /* A layer built without data (STRATA_LOAD_METADATA_ONLY, as formats
   * build the model they fill from a file) that now holds data for every
   * weight is a normal layer: what it builds later is initialised. */
  if (priv->flags & STRATA_LOAD_METADATA_ONLY)
    {
      gboolean complete = TRUE;

      for (guint i = 0; i < priv->weights->len && complete; i++)
        complete = strata_tensor_has_data (((WeightSlot *) g_ptr_array_index (priv->weights, i))->tensor);
      if (complete)
        priv->flags &= ~STRATA_LOAD_METADATA_ONLY;
    }
  return TRUE;
}

StrataWeightNaming
strata_weight_naming_for (StrataKerasDialect  dialect,
                          const char         *keras_version)
{
  guint64 major = 0, minor = 0;
  char *end = NULL;

  switch (dialect)
    {
    case STRATA_KERAS_DIALECT_KERAS1:
      return STRATA_WEIGHT_NAMING_LEGACY;
    case STRATA_KERAS_DIALECT_KERAS3:
      return STRATA_WEIGHT_NAMING_KERAS3;
    case STRATA_KERAS_DIALECT_AUTO:
    case STRATA_KERAS_DIALECT_KERAS2:
    default:
      break;
    }
  /* "2.2.4", "2.2.4-tf" (TF 1.x/2.0), "2.3.0-tf", "2.4.0", "2.21.0" */
  if (keras_version == NULL)
    return STRATA_WEIGHT_NAMING_TF_KERAS;
  major = g_ascii_strtoull (keras_version, &end, 10);
  if (end != NULL && *end == '.')
    minor = g_ascii_strtoull (end + 1, NULL, 10);
  if (major == 1)
    return STRATA_WEIGHT_NAMING_LEGACY;
  if (major >= 3)
    return STRATA_WEIGHT_NAMING_KERAS3;
  if (major == 2 && minor < 3)
    return STRATA_WEIGHT_NAMING_LEGACY;
  return STRATA_WEIGHT_NAMING_TF_KERAS;
}

void
strata_layer_set_weight_scoped_names (StrataLayer *self,
                                      guint        index,
                                      const char  *tf_keras_name,
                                      const char  *keras3_name)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  WeightSlot *slot;

  g_return_if_fail (index < priv->weights->len);
  slot = g_ptr_array_index (priv->weights, index);
  g_free (slot->scoped[0]);
  g_free (slot->scoped[1]);
  slot->scoped[0] = g_strdup (tf_keras_name);
  slot->scoped[1] = g_strdup (keras3_name);
}

const char *
strata_layer_get_weight_name_as (StrataLayer        *self,
                                 guint               index,
                                 StrataWeightNaming  naming)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  WeightSlot *slot;

  g_return_val_if_fail (index < priv->weights->len, NULL);
  slot = g_ptr_array_index (priv->weights, index);
  if (naming == STRATA_WEIGHT_NAMING_KERAS3 && slot->scoped[1] != NULL)
    return slot->scoped[1];
  if (naming != STRATA_WEIGHT_NAMING_LEGACY && slot->scoped[0] != NULL)
    return slot->scoped[0];
  return slot->name;
}

static void
collect_weight_names (StrataLayer        *self,
                      StrataWeightNaming  naming,
                      GPtrArray          *names,
                      GHashTable         *seen)
{
  g_autoptr(GArray) order = NULL;
  GPtrArray *layers = strata_layer_peek_sublayers (self);

  if (layers != NULL)
    {
      for (guint i = 0; i < layers->len; i++)
        if (g_hash_table_add (seen, g_ptr_array_index (layers, i)))
          collect_weight_names (g_ptr_array_index (layers, i), naming, names, seen);
      return;
    }

  order = strata_layer_weight_order (self);
  for (guint i = 0; i < order->len; i++)
    {
      const char *name = strata_layer_get_weight_name_as (self, g_array_index (order, guint, i), naming);
      g_ptr_array_add (names, weight_full_name (self, name));
    }
}

char **
strata_layer_get_weight_names_as (StrataLayer        *self,
                                  StrataKerasDialect  dialect,
                                  const char         *keras_version)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  collect_weight_names (self, strata_weight_naming_for (dialect, keras_version), names, seen);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * strata_layer_get_weight_names:
 * @self: a layer
 *
 * Returns the weight names as Keras shows them ("dense_1/kernel:0"), in the
 * order of [method@Strata.Layer.get_weights]. They follow the Keras version the
 * model was read from ([method@Strata.Model.get_dialect],
 * [method@Strata.Model.get_keras_version]): tf-keras 2.3+ and Keras 3 name RNN
 * weights through the cell ("lstm/lstm_cell/kernel:0"), older Keras does
 * not ("lstm_1/kernel:0"). A layer outside a model uses what its config
 * said.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
strata_layer_get_weight_names (StrataLayer *self)
{
  StrataKerasDialect dialect;
  const char *keras_version;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  STRATA_LAYER_GET_CLASS (self)->get_weight_context (self, &dialect, &keras_version);
  return strata_layer_get_weight_names_as (self, dialect, keras_version);
}

/**
 * strata_layer_count_params:
 * @self: a layer
 *
 * Counts the scalars in the layer's weights, as Keras `count_params()`.
 *
 * Returns: the number of scalars in the layer's weights (0 when unbuilt)
 */
guint64
strata_layer_count_params (StrataLayer *self)
{
  g_autoptr(GPtrArray) weights = NULL;
  guint64 total = 0;

  g_return_val_if_fail (STRATA_IS_LAYER (self), 0);
  weights = strata_layer_get_weights (self);
  for (guint i = 0; i < weights->len; i++)
    total += strata_tensor_get_n_elements (g_ptr_array_index (weights, i));
  return total;
}

GPtrArray *
strata_layer_peek_nodes (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  return priv->nodes;
}

StrataNode *
strata_layer_add_node (StrataLayer *self,
                       GPtrArray   *inputs,
                       GPtrArray   *output_shapes,
                       JsonObject  *kwargs)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  StrataNode *node = g_new0 (StrataNode, 1);
  guint index = priv->nodes->len;

  node->layer = self;
  node->inputs = g_ptr_array_new_with_free_func (g_object_unref);
  node->outputs = g_ptr_array_new_with_free_func (g_object_unref);
  if (inputs != NULL)
    for (guint i = 0; i < inputs->len; i++)
      {
        StrataKerasTensor *input = g_ptr_array_index (inputs, i);

        /* A layer called on its own output (a shared layer applied twice in
         * a row) must not own itself. */
        if (strata_keras_tensor_get_layer (input) == self)
          g_ptr_array_add (node->inputs,
                           strata_keras_tensor_new_unowned (self, strata_keras_tensor_get_node_index (input),
                                                            strata_keras_tensor_get_tensor_index (input),
                                                            strata_keras_tensor_get_shape (input),
                                                            strata_keras_tensor_get_dtype (input)));
        else
          g_ptr_array_add (node->inputs, strata_keras_tensor_dup (input));
      }
  if (output_shapes != NULL)
    for (guint i = 0; i < output_shapes->len; i++)
      g_ptr_array_add (node->outputs,
                       strata_keras_tensor_new_unowned (self, index, i,
                                                        g_ptr_array_index (output_shapes, i),
                                                        priv->dtype));
  node->kwargs = kwargs != NULL ? json_object_ref (kwargs) : NULL;
  g_ptr_array_add (priv->nodes, node);
  return node;
}

void
strata_layer_clear_nodes (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);
  g_ptr_array_set_size (priv->nodes, 0);
}

void
strata_layer_remove_last_node (StrataLayer *self)
{
  StrataLayerPrivate *priv = strata_layer_get_instance_private (self);

  if (priv->nodes->len > 0)
    g_ptr_array_set_size (priv->nodes, priv->nodes->len - 1);
}

/**
 * strata_layer_call:
 * @self: a layer
 * @inputs: (element-type StrataKerasTensor): the input tensors
 * @kwargs: (nullable): call arguments other than tensors (Keras kwargs)
 * @error: return location for a [struct@GLib.Error]
 *
 * Calls the layer on symbolic tensors, as calling a Keras layer does while
 * building a functional model: builds the layer from the input shapes if
 * needed, computes the output shapes and records the call. When an input
 * shape is unknown (for example after an opaque layer), the layer stays
 * unbuilt and its output shape is unknown too.
 *
 * Returns: (transfer container) (element-type StrataKerasTensor): the outputs,
 *   or %NULL with @error set
 */
GPtrArray *
strata_layer_call (StrataLayer  *self,
                   GPtrArray    *inputs,
                   JsonObject   *kwargs,
                   GError      **error)
{
  return strata_layer_call_keywords (self, inputs, NULL, kwargs, error);
}

/* Keyword tensors that are tensor arguments of a call (their shapes build
 * the layer), in the order of the call's parameters: MultiHeadAttention
 * call(query, value, key), RNN call(sequences, initial_state). Other
 * keyword tensors (attention_mask, mask) do not shape the output. */
static const char *const shape_keywords[] = { "query", "value", "key", "initial_state", NULL };

GPtrArray *
strata_layer_call_keywords (StrataLayer        *self,
                            GPtrArray          *inputs,
                            const char *const  *keywords,
                            JsonObject         *kwargs,
                            GError            **error)
{
  StrataLayerPrivate *priv;
  g_autoptr(GPtrArray) shapes = NULL;
  g_autoptr(GPtrArray) output_shapes = NULL;
  guint n_keywords = keywords != NULL ? g_strv_length ((char **) keywords) : 0;
  guint n_positional;
  gboolean known = TRUE;
  StrataNode *node;
  GPtrArray *outputs;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);
  g_return_val_if_fail (inputs != NULL, NULL);
  g_return_val_if_fail (n_keywords <= inputs->len, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = strata_layer_get_instance_private (self);
  n_positional = inputs->len - n_keywords;

  shapes = g_ptr_array_new ();
  for (guint i = 0; i < inputs->len; i++)
    {
      StrataKerasTensor *input = g_ptr_array_index (inputs, i);

      g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (input), NULL);
      if (i < n_positional)
        g_ptr_array_add (shapes, strata_keras_tensor_get_shape (input));
    }
  for (guint k = 0; shape_keywords[k] != NULL; k++)
    for (guint i = 0; i < n_keywords; i++)
      if (g_str_equal (keywords[i], shape_keywords[k]))
        g_ptr_array_add (shapes, strata_keras_tensor_get_shape (g_ptr_array_index (inputs, n_positional + i)));
  for (guint i = 0; i < shapes->len; i++)
    if (g_ptr_array_index (shapes, i) == NULL)
      known = FALSE;

  if (known && !STRATA_IS_OPAQUE_LAYER (self))
    {
      if (!priv->built && !strata_layer_build (self, shapes, error))
        return NULL;
      output_shapes = strata_layer_compute_output_shapes (self, shapes, error);
      if (output_shapes == NULL)
        return NULL;
    }
  else
    {
      output_shapes = g_ptr_array_new ();
      g_ptr_array_add (output_shapes, NULL);
    }

  node = strata_layer_add_node (self, inputs, output_shapes, kwargs);
  if (n_keywords > 0)
    node->keywords = g_strdupv ((char **) keywords);
  outputs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < node->outputs->len; i++)
    g_ptr_array_add (outputs, strata_keras_tensor_dup (g_ptr_array_index (node->outputs, i)));
  return outputs;
}
