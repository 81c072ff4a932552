/* strata-builtin-layer.c: one GType per row of the built-in layer table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

static GQuark row_quark;
static StrataLayerClass *builtin_parent_class;
static GHashTable *types_by_name;   /* Keras name or alias -> GType */

const StrataLayerRow *
strata_builtin_layer_get_row (StrataLayer *self)
{
  GType type;

  g_return_val_if_fail (STRATA_IS_LAYER (self), NULL);

  if (row_quark == 0)
    return NULL;
  for (type = G_OBJECT_TYPE (self); type != 0 && type != STRATA_TYPE_LAYER;
       type = g_type_parent (type))
    {
      const StrataLayerRow *row = g_type_get_qdata (type, row_quark);
      if (row != NULL)
        return row;
    }
  return NULL;
}

static const StrataLayerRow *
row_for_pspec (GParamSpec *pspec)
{
  return g_type_get_qdata (pspec->owner_type, row_quark);
}

/* Converts a JSON member to the property's GValue with Python's coercions
 * (strata-json-private.h); FALSE when the member has the wrong type for
 * @kind. A null is a string's or a JSON value's null, a boolean's false
 * (`if None:`), and otherwise no value (the default applies). */
static gboolean
node_to_value (JsonNode *node, StrataPropKind kind, GValue *value)
{
  gint64 i;
  double d;

  if (kind == STRATA_PROP_BOOL)
    {
      g_value_set_boolean (value, strata_json_node_is_truthy (node));
      return node != NULL;
    }
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return kind == STRATA_PROP_STRING || kind == STRATA_PROP_JSON;

  switch (kind)
    {
    case STRATA_PROP_JSON:
      g_value_set_boxed (value, node);
      return TRUE;
    case STRATA_PROP_STRING:
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return FALSE;
      g_value_set_string (value, json_node_get_string (node));
      return TRUE;
    case STRATA_PROP_INT:
      if (!strata_json_node_get_int (node, &i))
        return FALSE;
      g_value_set_int64 (value, i);
      return TRUE;
    case STRATA_PROP_DOUBLE:
      if (!strata_json_node_get_double (node, &d))
        return FALSE;
      g_value_set_double (value, d);
      return TRUE;
    case STRATA_PROP_BOOL:
    default:
      g_assert_not_reached ();
    }
}

static GType
kind_value_type (StrataPropKind kind)
{
  switch (kind)
    {
    case STRATA_PROP_INT:
      return G_TYPE_INT64;
    case STRATA_PROP_DOUBLE:
      return G_TYPE_DOUBLE;
    case STRATA_PROP_BOOL:
      return G_TYPE_BOOLEAN;
    case STRATA_PROP_STRING:
      return G_TYPE_STRING;
    case STRATA_PROP_JSON:
    default:
      return JSON_TYPE_NODE;
    }
}

static const char *
kind_describe (StrataPropKind kind)
{
  switch (kind)
    {
    case STRATA_PROP_INT:
      return _("an integer");
    case STRATA_PROP_DOUBLE:
      return _("a number");
    case STRATA_PROP_BOOL:
      return _("a boolean");
    case STRATA_PROP_STRING:
      return _("a string or null");
    case STRATA_PROP_JSON:
    default:
      return _("a JSON value");
    }
}

/* The member a spec reads: @key, else the Keras 1 @fallback. */
static JsonNode *
spec_member (JsonObject *config, const StrataPropSpec *spec, const char **found_key)
{
  JsonNode *node;

  if (config == NULL)
    return NULL;
  /* A member is never a NULL node: one lookup tells presence and value. */
  if ((node = json_object_get_member (config, spec->key)) != NULL)
    {
      if (found_key)
        *found_key = spec->key;
      return node;
    }
  if (spec->fallback != NULL && (node = json_object_get_member (config, spec->fallback)) != NULL)
    {
      if (found_key)
        *found_key = spec->fallback;
      return node;
    }
  if (found_key)
    *found_key = spec->key;
  return NULL;
}

static void
builtin_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  const StrataLayerRow *row = row_for_pspec (pspec);
  const StrataPropSpec *spec;
  JsonNode *node;

  g_return_if_fail (row != NULL && prop_id >= 1 && prop_id <= STRATA_ROW_MAX_PROPS);

  spec = &row->props[prop_id - 1];
  /* A JSON value is handed out sharing its containers with the config, so
   * it must be the layer's own config, not a shared one. */
  node = spec_member (spec->kind == STRATA_PROP_JSON ?
                        strata_layer_peek_config (STRATA_LAYER (object)) :
                        strata_layer_peek_config_for_reading (STRATA_LAYER (object)),
                      spec, NULL);
  if (node != NULL && node_to_value (node, spec->kind, value))
    return;

  /* Missing (or mistyped, which set_config already refused): the Keras default. */
  if (spec->def != NULL)
    {
      g_autoptr(JsonNode) def = json_from_string (spec->def, NULL);
      if (def != NULL)
        node_to_value (def, spec->kind, value);
    }
}

static JsonNode *
value_to_node (const GValue *value, StrataPropKind kind)
{
  JsonNode *node;

  switch (kind)
    {
    case STRATA_PROP_INT:
      node = json_node_init_int (json_node_alloc (), g_value_get_int64 (value));
      break;
    case STRATA_PROP_DOUBLE:
      node = json_node_init_double (json_node_alloc (), g_value_get_double (value));
      break;
    case STRATA_PROP_BOOL:
      node = json_node_init_boolean (json_node_alloc (), g_value_get_boolean (value));
      break;
    case STRATA_PROP_STRING:
      if (g_value_get_string (value) != NULL)
        node = json_node_init_string (json_node_alloc (), g_value_get_string (value));
      else
        node = json_node_init_null (json_node_alloc ());
      break;
    case STRATA_PROP_JSON:
    default:
      if (g_value_get_boxed (value) != NULL)
        node = json_node_copy (g_value_get_boxed (value));
      else
        node = json_node_init_null (json_node_alloc ());
      break;
    }
  return node;
}

static void
builtin_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  const StrataLayerRow *row = row_for_pspec (pspec);
  const StrataPropSpec *spec;
  JsonObject *config;
  JsonNode *old;
  const char *key = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (row != NULL && prop_id >= 1 && prop_id <= STRATA_ROW_MAX_PROPS);

  spec = &row->props[prop_id - 1];
  config = strata_layer_peek_config (STRATA_LAYER (object));
  g_return_if_fail (config != NULL);

  /* Write where the value was read from, so a Keras 1 config stays Keras 1. */
  old = spec_member (config, spec, &key);
  node = value_to_node (value, spec->kind);
  if (old != NULL && json_node_equal (old, node))
    return;
  json_object_set_member (config, key, g_steal_pointer (&node));
  /* Sublayers made from the old config (wrapped layers, cells) are stale. */
  if (g_str_equal (spec->key, "layer") || g_str_equal (spec->key, "backward_layer") ||
      g_str_equal (spec->key, "cell"))
    strata_builtin_drop_sublayers (STRATA_LAYER (object));
  g_object_notify_by_pspec (object, pspec);
}

/* The (interned) property name of a spec: '-' for '_'. */
static const char *
property_name (const StrataPropSpec *spec)
{
  g_autofree char *prop = strata_json_key_to_property (spec->key);
  return g_intern_string (prop);
}

static GParamSpec *
spec_to_pspec (const StrataPropSpec *spec)
{
  const char *name = property_name (spec);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  switch (spec->kind)
    {
    case STRATA_PROP_INT:
      return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
    case STRATA_PROP_DOUBLE:
      /* Python's json writes Infinity and NaN; Keras accepts them. */
      return g_param_spec_double (name, NULL, NULL, -INFINITY, INFINITY, 0.0, flags);
    case STRATA_PROP_BOOL:
      return g_param_spec_boolean (name, NULL, NULL, FALSE, flags);
    case STRATA_PROP_STRING:
      return g_param_spec_string (name, NULL, NULL, NULL, flags);
    case STRATA_PROP_JSON:
    default:
      return g_param_spec_boxed (name, NULL, NULL, JSON_TYPE_NODE, flags);
    }
}

static gboolean
builtin_set_config (StrataLayer     *self,
                    JsonObject      *config,
                    StrataLoadFlags  flags,
                    GError         **error)
{
  const StrataLayerRow *row = strata_builtin_layer_get_row (self);
  GParamSpec *pspec;
  guint i;

  if (builtin_parent_class->set_config != NULL &&
      !builtin_parent_class->set_config (self, config, flags, error))
    return FALSE;

  /* Refuse hyper-parameters of the wrong type now rather than at build. */
  for (i = 0; row != NULL && row->props[i].key != NULL; i++)
    {
      const StrataPropSpec *spec = &row->props[i];
      const char *key = NULL;
      JsonNode *node = spec_member (config, spec, &key);
      g_auto(GValue) value = G_VALUE_INIT;

      /* JSON members take anything; null stands for "default" (or false
       * for a boolean, which takes anything too). */
      if (node == NULL || spec->kind == STRATA_PROP_JSON || JSON_NODE_HOLDS_NULL (node))
        continue;
      g_value_init (&value, kind_value_type (spec->kind));
      if (!node_to_value (node, spec->kind, &value))
        {
          g_autofree char *found = strata_builtin_describe_value (node);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: a config key, what it must be (“an integer”),
                                     * then a description of the value found */
                                    _("config key “%s” must be %s, found %s"),
                                    key, kind_describe (spec->kind), found);
          return FALSE;
        }
      /* The property's declared limits (a subclass may narrow them). */
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), property_name (spec));
      if (pspec != NULL && g_param_value_validate (pspec, &value))
        {
          g_autofree char *found = strata_builtin_describe_value (node);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: the first %s is a config key, the second %s a
                                     * description of the value found. */
                                    _("config key “%s” is out of the property’s range, found %s"),
                                    key, found);
          return FALSE;
        }
    }

  return TRUE;
}

static GPtrArray *
builtin_compute_output_shapes (StrataLayer *self,
                               GPtrArray   *input_shapes,
                               GError     **error)
{
  const StrataLayerRow *row = strata_builtin_layer_get_row (self);

  g_return_val_if_fail (row != NULL, NULL);

  /* Unknown in, unknown out: lets a graph after a Lambda keep loading. */
  if (input_shapes == NULL || strata_builtin_any_unknown (input_shapes))
    return strata_shapes_unknown ();
  if (row->shapes == NULL)
    return strata_shapes_unknown ();
  return row->shapes (self, row, input_shapes, error);
}

static gboolean
builtin_build (StrataLayer *self,
               GPtrArray   *input_shapes,
               GError     **error)
{
  const StrataLayerRow *row = strata_builtin_layer_get_row (self);

  g_return_val_if_fail (row != NULL, FALSE);

  if (row->build == NULL)
    return TRUE;
  if (input_shapes == NULL || input_shapes->len == 0 ||
      strata_builtin_any_unknown (input_shapes))
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                _("cannot create the weights: the input shape is unknown"));
      return FALSE;
    }
  return row->build (self, row, input_shapes, error);
}

static void
builtin_class_init (gpointer g_class,
                    gpointer class_data)
{
  const StrataLayerRow *row = class_data;
  GObjectClass *object_class = G_OBJECT_CLASS (g_class);
  StrataLayerClass *layer_class = STRATA_LAYER_CLASS (g_class);
  guint i;

  builtin_parent_class = g_type_class_peek_parent (g_class);

  object_class->get_property = builtin_get_property;
  object_class->set_property = builtin_set_property;
  layer_class->build = builtin_build;
  layer_class->compute_output_shapes = builtin_compute_output_shapes;
  layer_class->set_config = builtin_set_config;

  strata_layer_class_set_keras_name (layer_class, row->keras_name);
  strata_layer_class_set_config_backed (layer_class, TRUE);

  for (i = 0; row->props[i].key != NULL; i++)
    g_object_class_install_property (object_class, i + 1, spec_to_pspec (&row->props[i]));
}

static void
add_rows (const StrataLayerRow *rows,
          guint                 n_rows)
{
  guint i;

  for (i = 0; i < n_rows; i++)
    {
      const StrataLayerRow *row = &rows[i];
      GTypeQuery query;
      GTypeInfo info = { 0, };
      GType type;
      guint a;

      g_type_query (STRATA_TYPE_LAYER, &query);
      info.class_size = query.class_size;
      info.instance_size = query.instance_size;
      info.class_init = builtin_class_init;
      info.class_data = row;

      type = g_type_register_static (STRATA_TYPE_LAYER, row->type_name, &info, 0);
      g_type_set_qdata (type, row_quark, (gpointer) row);
      g_hash_table_insert (types_by_name, (gpointer) row->keras_name, GSIZE_TO_POINTER (type));
      for (a = 0; a < STRATA_ROW_MAX_ALIASES && row->aliases[a] != NULL; a++)
        g_hash_table_insert (types_by_name, (gpointer) row->aliases[a], GSIZE_TO_POINTER (type));
    }
}

static void
ensure_types (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const StrataLayerRow *(*families[]) (guint *) = {
        strata_layers_core_rows,
        strata_layers_conv_rows,
        strata_layers_norm_rows,
        strata_layers_rnn_rows,
        strata_layers_merge_rows,
        strata_layers_einsum_rows,
      };
      guint f;

      row_quark = g_quark_from_static_string ("strata-builtin-layer-row");
      types_by_name = g_hash_table_new (g_str_hash, g_str_equal);
      for (f = 0; f < G_N_ELEMENTS (families); f++)
        {
          guint n = 0;
          const StrataLayerRow *rows = families[f] (&n);
          add_rows (rows, n);
        }
      g_once_init_leave (&once, 1);
    }
}

GType
strata_builtin_layer_lookup (const char *keras_name)
{
  g_return_val_if_fail (keras_name != NULL, G_TYPE_INVALID);

  ensure_types ();
  return GPOINTER_TO_SIZE (g_hash_table_lookup (types_by_name, keras_name));
}

static void
register_name (StrataRegistry *registry,
               const char     *name,
               GType           type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qualified = g_strconcat ("keras.layers>", name, NULL);

  if (!strata_registry_register (registry, name, type, &error))
    g_warning ("Cannot register the built-in layer class %s: %s", name, error->message);
  g_clear_error (&error);
  /* Keras 3 spelling of built-in names; a registry that refuses such names
   * still resolves them through "module" + "class_name". */
  if (!strata_registry_register (registry, qualified, type, &error))
    g_debug ("Not registering %s: %s", qualified, error->message);
}

/**
 * strata_builtin_layers_register:
 * @registry: the registry to fill
 *
 * Registers every built-in Keras layer class, its aliases (Keras 1 names)
 * and "InputLayer" in @registry.
 */
void
strata_builtin_layers_register (StrataRegistry *registry)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (STRATA_IS_REGISTRY (registry));

  ensure_types ();
  g_hash_table_iter_init (&iter, types_by_name);
  while (g_hash_table_iter_next (&iter, &key, &value))
    register_name (registry, key, GPOINTER_TO_SIZE (value));
  register_name (registry, "InputLayer", STRATA_TYPE_INPUT_LAYER);
}
