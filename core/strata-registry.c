/* strata-registry.c: Keras class names to GTypes (custom objects)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-registry-private.h"
#include "strata-opaque-layer.h"
#include "strata-error.h"
#include "strata-i18n-private.h"
#include "strata-json-private.h"

/**
 * StrataRegistry:
 *
 * Maps Keras class names ("Dense", "Custom>MyLayer") to [class@Strata.Layer]
 * types. The default registry holds the built-in layers; a registry made
 * with [ctor@Strata.Registry.new] is a scope on top of a parent, the
 * counterpart of Keras `custom_objects`: lookups try it first, then its
 * parents.
 *
 * A file never names a GType: classes come only from registries, so a
 * config can only instantiate types that were registered on purpose.
 * Registries are thread-safe.
 */
struct _StrataRegistry
{
  GObject         parent_instance;

  StrataRegistry *parent;
  GMutex          mutex;
  GHashTable     *types;   /* name (owned by @names) -> GType */
  GPtrArray      *names;   /* registration order, owns the names */
};

G_DEFINE_FINAL_TYPE (StrataRegistry, strata_registry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PARENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "Lambda" holds Python code; it can only ever load as an opaque layer. */
#define LAMBDA_CLASS_NAME "Lambda"

static void
strata_registry_finalize (GObject *object)
{
  StrataRegistry *self = STRATA_REGISTRY (object);

  g_clear_object (&self->parent);
  g_clear_pointer (&self->types, g_hash_table_unref);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (strata_registry_parent_class)->finalize (object);
}

static void
strata_registry_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StrataRegistry *self = STRATA_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_PARENT:
      g_value_set_object (value, self->parent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_registry_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  StrataRegistry *self = STRATA_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_PARENT:
      self->parent = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_registry_class_init (StrataRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_registry_finalize;
  object_class->get_property = strata_registry_get_property;
  object_class->set_property = strata_registry_set_property;

  /**
   * StrataRegistry:parent:
   *
   * The registry consulted when a name is not found in this one, or %NULL.
   */
  properties[PROP_PARENT] =
    g_param_spec_object ("parent", NULL, NULL,
                         STRATA_TYPE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_registry_init (StrataRegistry *self)
{
  g_mutex_init (&self->mutex);
  self->types = g_hash_table_new (g_str_hash, g_str_equal);
  self->names = g_ptr_array_new_with_free_func (g_free);
}

/**
 * strata_registry_get_default:
 *
 * Gets the process-wide registry of the built-in Keras layers
 * (including "Sequential", "Functional" and "Model"). Classes registered
 * here are visible to every load; prefer a scoped registry made with
 * [ctor@Strata.Registry.new] for custom classes.
 *
 * Returns: (transfer none): the default registry
 */
StrataRegistry *
strata_registry_get_default (void)
{
  static StrataRegistry *default_registry = NULL;

  if (g_once_init_enter (&default_registry))
    {
      /* Filled with the built-in classes when the library is loaded
       * (strata-init.c), not by itself: the registry knows no classes. */
      StrataRegistry *registry = g_object_new (STRATA_TYPE_REGISTRY, NULL);

      g_once_init_leave (&default_registry, registry);
    }

  return default_registry;
}

StrataRegistry *
strata_layer_get_load_registry (StrataLayer *self)
{
  StrataRegistry *registry = strata_layer_get_load_context (self)->registry;

  return registry != NULL ? registry : strata_registry_get_default ();
}

/**
 * strata_registry_new: (constructor)
 * @parent: (nullable): the registry to fall back on, usually
 *   [func@Strata.Registry.get_default]
 *
 * Creates a registry for custom classes (Keras `custom_objects`). Names
 * registered in it hide the same names in @parent.
 *
 * Returns: (transfer full): a new registry
 */
StrataRegistry *
strata_registry_new (StrataRegistry *parent)
{
  g_return_val_if_fail (parent == NULL || STRATA_IS_REGISTRY (parent), NULL);

  return g_object_new (STRATA_TYPE_REGISTRY, "parent", parent, NULL);
}

/**
 * strata_registry_get_parent:
 * @self: a registry
 *
 * Gets the parent registry.
 *
 * Returns: (transfer none) (nullable): the parent registry
 */
StrataRegistry *
strata_registry_get_parent (StrataRegistry *self)
{
  g_return_val_if_fail (STRATA_IS_REGISTRY (self), NULL);

  return self->parent;
}

/**
 * strata_registry_register:
 * @self: a registry
 * @name: the Keras class name, plain ("Dense") or "package>Name"
 * @type: a [class@Strata.Layer] type (models included)
 * @error: return location for a [struct@GLib.Error]
 *
 * Registers @type under @name. Registering a name again replaces its
 * type. A type may be registered under several names (aliases such as
 * "Convolution2D" and "Conv2D"); the first one is its canonical name,
 * see [method@Strata.Registry.get_name_for_type].
 *
 * "Lambda" cannot be registered: Lambda layers hold Python code and only
 * ever load as opaque layers.
 *
 * Returns: %TRUE on success; %FALSE with %STRATA_REGISTRY_ERROR_INVALID_TYPE
 *   or %STRATA_REGISTRY_ERROR_INVALID_NAME
 */
gboolean
strata_registry_register (StrataRegistry  *self,
                          const char      *name,
                          GType            type,
                          GError         **error)
{
  char *key;

  g_return_val_if_fail (STRATA_IS_REGISTRY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME,
                           _("A class name must be a non-empty UTF-8 string"));
      return FALSE;
    }
  if (name[0] == '>' || g_str_has_suffix (name, ">"))
    {
      g_set_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME,
                   /* Translators: the class name given */
                   _("Invalid class name “%s”: expected “Name” or “package>Name”"), name);
      return FALSE;
    }
  if (g_str_equal (name, LAMBDA_CLASS_NAME))
    {
      g_set_error_literal (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME,
                           _("“Lambda” cannot be registered: Lambda layers hold Python code "
                             "and load only as opaque layers"));
      return FALSE;
    }
  if (type == G_TYPE_INVALID || !g_type_is_a (type, STRATA_TYPE_LAYER))
    {
      g_set_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_TYPE,
                   /* Translators: a class name, then a GType name */
                   _("Cannot register “%s”: type %s is not a StrataLayer"),
                   name, type == G_TYPE_INVALID ? "(invalid)" : g_type_name (type));
      return FALSE;
    }
  if (G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_TYPE,
                   /* Translators: a class name, then a GType name */
                   _("Cannot register “%s”: type %s is abstract"), name, g_type_name (type));
      return FALSE;
    }

  g_mutex_lock (&self->mutex);
  key = g_hash_table_lookup (self->types, name) != NULL ? NULL : g_strdup (name);
  if (key != NULL)
    {
      g_ptr_array_add (self->names, key);
      g_hash_table_insert (self->types, key, GSIZE_TO_POINTER (type));
    }
  else
    {
      /* Keep the existing key: its string is referenced by @names. */
      gpointer orig_key;
      g_hash_table_lookup_extended (self->types, name, &orig_key, NULL);
      g_hash_table_insert (self->types, orig_key, GSIZE_TO_POINTER (type));
    }
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

static GType
lookup_local (StrataRegistry *self,
              const char     *name)
{
  GType type;

  g_mutex_lock (&self->mutex);
  type = GPOINTER_TO_SIZE (g_hash_table_lookup (self->types, name));
  g_mutex_unlock (&self->mutex);

  return type;
}

/**
 * strata_registry_lookup:
 * @self: a registry
 * @name: a Keras class name
 *
 * Looks @name up in @self, then in its parents.
 *
 * Returns: the type, or %G_TYPE_INVALID
 */
GType
strata_registry_lookup (StrataRegistry *self,
                        const char     *name)
{
  g_return_val_if_fail (STRATA_IS_REGISTRY (self), G_TYPE_INVALID);

  if (name == NULL || *name == '\0')
    return G_TYPE_INVALID;

  for (StrataRegistry *r = self; r != NULL; r = r->parent)
    {
      GType type = lookup_local (r, name);
      if (type != G_TYPE_INVALID)
        return type;
    }

  return G_TYPE_INVALID;
}

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * strata_registry_lookup_object:
 * @self: a registry
 * @object: a serialized object: `{"class_name": ..., "config": ...}`, with
 *   Keras 3 `module` and `registered_name` when present
 *
 * Finds the class of a serialized layer as Keras 3 does: the
 * `registered_name` first (custom classes are stored as "package>Name"
 * there), then `class_name` (which Keras 2 spells "package>Name" for
 * custom classes and built-ins leave plain).
 *
 * Returns: the type, or %G_TYPE_INVALID
 */
GType
strata_registry_lookup_object (StrataRegistry *self,
                               JsonObject     *object)
{
  const char *registered_name;
  const char *class_name;
  GType type;

  g_return_val_if_fail (STRATA_IS_REGISTRY (self), G_TYPE_INVALID);
  g_return_val_if_fail (object != NULL, G_TYPE_INVALID);

  class_name = object_get_string (object, "class_name");
  if (g_strcmp0 (class_name, LAMBDA_CLASS_NAME) == 0)
    return G_TYPE_INVALID;

  registered_name = object_get_string (object, "registered_name");
  if (registered_name != NULL)
    {
      type = strata_registry_lookup (self, registered_name);
      if (type != G_TYPE_INVALID)
        return type;
    }

  return strata_registry_lookup (self, class_name);
}

static const char *
get_name_local (StrataRegistry *self,
                GType           type)
{
  const char *name = NULL;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->names->len && name == NULL; i++)
    {
      const char *candidate = g_ptr_array_index (self->names, i);
      if (GPOINTER_TO_SIZE (g_hash_table_lookup (self->types, candidate)) == type)
        name = candidate;
    }
  g_mutex_unlock (&self->mutex);

  return name;
}

/**
 * strata_registry_get_name_for_type:
 * @self: a registry
 * @type: a layer type
 *
 * Finds the name @type was first registered under, in @self or its
 * parents. Writers use it for `class_name`.
 *
 * Returns: (nullable): the name, or %NULL if @type is not registered
 */
const char *
strata_registry_get_name_for_type (StrataRegistry *self,
                                   GType           type)
{
  g_return_val_if_fail (STRATA_IS_REGISTRY (self), NULL);

  for (StrataRegistry *r = self; r != NULL; r = r->parent)
    {
      const char *name = get_name_local (r, type);
      if (name != NULL)
        return name;
    }

  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * strata_registry_list_names:
 * @self: a registry
 *
 * Lists the names registered in @self and its parents, sorted, each once.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
strata_registry_list_names (StrataRegistry *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *result = g_ptr_array_new ();

  g_return_val_if_fail (STRATA_IS_REGISTRY (self), NULL);

  for (StrataRegistry *r = self; r != NULL; r = r->parent)
    {
      g_mutex_lock (&r->mutex);
      for (guint i = 0; i < r->names->len; i++)
        {
          const char *name = g_ptr_array_index (r->names, i);
          if (g_hash_table_add (seen, (gpointer) name))
            g_ptr_array_add (result, g_strdup (name));
        }
      g_mutex_unlock (&r->mutex);
    }

  g_ptr_array_sort (result, compare_strings);
  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (result, FALSE);
}

static const char *
entry_layer_name (JsonObject *object)
{
  const char *name = object_get_string (object, "name");
  JsonNode *config;

  if (name != NULL)
    return name;
  config = json_object_get_member (object, "config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    name = object_get_string (json_node_get_object (config), "name");
  return name != NULL ? name : "";
}

/**
 * strata_registry_create_layer:
 * @self: a registry
 * @object: a serialized layer: `{"class_name": ..., "config": {...}}` plus
 *   any other keys of its entry (Keras 3 `module`, `registered_name`,
 *   `build_config`...)
 * @flags: load flags
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a layer from its serialized form (Keras `deserialize`). The
 * class comes from [method@Strata.Registry.lookup_object]; the extra keys of the
 * entry are kept on the layer for a lossless round trip.
 *
 * Lambda layers and unregistered classes fail with
 * %STRATA_CONFIG_ERROR_UNSAFE or %STRATA_CONFIG_ERROR_UNKNOWN_CLASS
 * unless @flags has %STRATA_LOAD_ALLOW_UNKNOWN; then they load as
 * [class@Strata.OpaqueLayer] objects. No Python code is ever run.
 *
 * Returns: (transfer full) (nullable): the new layer, or %NULL with @error set
 */
StrataLayer *
strata_registry_create_layer (StrataRegistry   *self,
                              JsonObject       *object,
                              StrataLoadFlags   flags,
                              GError          **error)
{
  g_autoptr(StrataLayer) layer = NULL;
  const char *class_name;
  JsonNode *config;
  JsonObject *extras;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;
  GType type;

  g_return_val_if_fail (STRATA_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  class_name = object_get_string (object, "class_name");
  if (class_name == NULL)
    {
      JsonNode *node = json_object_get_member (object, "class_name");
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: the first %s is a layer name, the second %s what was found
                    * instead, such as “a string” or “null”. */
                   _("Layer “%s”: expected “class_name” to be a string, found %s"),
                   entry_layer_name (object), strata_json_describe_node (node));
      return NULL;
    }

  if (g_str_equal (class_name, LAMBDA_CLASS_NAME))
    {
      if ((flags & STRATA_LOAD_ALLOW_UNKNOWN) == 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSAFE,
                       /* Translators: %s is a layer name. */
                       _("Lambda layer “%s” holds Python code, which Strata never runs; "
                         "load with STRATA_LOAD_ALLOW_UNKNOWN to keep it as an opaque layer"),
                       entry_layer_name (object));
          return NULL;
        }
      return STRATA_LAYER (strata_opaque_layer_new (object));
    }

  type = strata_registry_lookup_object (self, object);
  if (type == G_TYPE_INVALID)
    {
      if ((flags & STRATA_LOAD_ALLOW_UNKNOWN) != 0)
        return STRATA_LAYER (strata_opaque_layer_new (object));

      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS,
                   /* Translators: the first %s is a class name, the second %s a layer name. */
                   _("Unknown layer class “%s” (layer “%s”): register it in the StrataRegistry "
                     "passed as custom objects"),
                   class_name, entry_layer_name (object));
      return NULL;
    }

  config = json_object_get_member (object, "config");
  if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: the first %s is a layer name, the second %s a class name, the
                    * third %s what was found instead, such as “a string” or “null”. */
                   _("Layer “%s” of class “%s”: expected “config” to be an object, found %s"),
                   entry_layer_name (object), class_name, strata_json_describe_node (config));
      return NULL;
    }

  layer = strata_layer_new_from_config (type, json_node_get_object (config), flags, error);
  if (layer == NULL)
    return NULL;

  strata_layer_set_class_name (layer, class_name);

  /* Keys beside class_name/config (Keras 3 module, registered_name,
   * build_config...) are kept for writing back; name and inbound_nodes
   * belong to the model's graph, not to the layer. */
  extras = strata_layer_peek_extras (layer);
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      if (g_str_equal (key, "class_name") || g_str_equal (key, "config") ||
          g_str_equal (key, "name") || g_str_equal (key, "inbound_nodes"))
        continue;
      json_object_set_member (extras, key, strata_json_node_copy (member));
    }

  return g_steal_pointer (&layer);
}
