/* strata-config-reader.c: Keras model configs (JSON) to models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reads the configs of Keras 1 (list Sequential, 3-element node entries),
 * Keras 2 / tf.keras (dict Sequential, 4-element entries with kwargs) and
 * Keras 3 (module/registered_name objects, {"args", "kwargs"} nodes with
 * __keras_tensor__ references). Every error names its JSON path.
 */
#include "config.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "strata-model-private.h"

typedef struct {
  StrataRegistry     *registry;
  StrataLoadFlags     flags;
  StrataKerasDialect  dialect;
  const char         *dim_ordering;   /* Keras 1 model-wide image ordering, or NULL */
  const char         *keras_version;  /* the config's keras_version, or NULL */
  gboolean            owned;          /* the tree is the reader's (parsed from
                                         text): layers may share sealed parts */
} Reader;

static StrataLayer *read_entry (Reader *reader, JsonObject *entry, const char *path,
                                guint depth, GError **error);
static StrataModel *model_from_config (JsonObject *object, gboolean owned,
                                       StrataRegistry *registry, StrataLoadFlags flags,
                                       GError **error);

/* Sets "PATH: message"; the suffix (".config", "[2]") names a member of @path. */
static void
set_error_va (GError     **error,
              gint         code,
              const char  *path,
              const char  *suffix,
              const char  *format,
              va_list      args) G_GNUC_PRINTF (5, 0);

static void
set_error_va (GError     **error,
              gint         code,
              const char  *path,
              const char  *suffix,
              const char  *format,
              va_list      args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_set_error (error, STRATA_CONFIG_ERROR, code, "%s%s: %s", path, suffix, message);
}

static void
set_error_at (GError     **error,
              gint         code,
              const char  *path,
              const char  *format,
              ...) G_GNUC_PRINTF (4, 5);

static void
set_error_at (GError     **error,
              gint         code,
              const char  *path,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  set_error_va (error, code, path, "", format, args);
  va_end (args);
}

/* Like set_error_at() for the member @suffix (".config", "[2]") of @path. */
static void
set_error_below (GError     **error,
                 gint         code,
                 const char  *path,
                 const char  *suffix,
                 const char  *format,
                 ...) G_GNUC_PRINTF (5, 6);

static void
set_error_below (GError     **error,
                 gint         code,
                 const char  *path,
                 const char  *suffix,
                 const char  *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  set_error_va (error, code, path, suffix, format, args);
  va_end (args);
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static const char *
member_string (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node_is_string (node) ? json_node_get_string (node) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The name of a layer entry: the entry's "name", else its config's. */
static const char *
entry_name (JsonObject *entry)
{
  JsonObject *config = member_object (entry, "config");
  const char *name = member_string (entry, "name");

  if (name == NULL && config != NULL)
    name = member_string (config, "name");
  return name != NULL ? name : "?";
}

/* The layer entries of a model config: a list (Keras 1 / early Keras 2
 * Sequential) or config.layers. */
static JsonArray *
model_layers (JsonObject *entry)
{
  JsonNode *config = json_object_get_member (entry, "config");

  if (config == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (config))
    return json_node_get_array (config);
  if (JSON_NODE_HOLDS_OBJECT (config))
    return member_array (json_node_get_object (config), "layers");
  return NULL;
}

/* ---- unknown classes ------------------------------------------------------ */

typedef struct {
  GPtrArray  *classes;       /* class names, first-seen order */
  GHashTable *layers;        /* class -> GPtrArray of layer names */
  char       *first_path;
} Unknown;

/* A JSON path built only when a message needs it: @parent's path, then
 * @member (".config.layers"), then "[@index]" when @index >= 0. */
typedef struct _LazyPath LazyPath;
struct _LazyPath {
  const LazyPath *parent;
  const char     *member;
  gint64          index;
};

static void
lazy_path_append (GString        *out,
                  const LazyPath *path)
{
  if (path->parent != NULL)
    lazy_path_append (out, path->parent);
  g_string_append (out, path->member);
  if (path->index >= 0)
    g_string_append_printf (out, "[%" G_GINT64_FORMAT "]", path->index);
}

static char *
lazy_path_dup (const LazyPath *path)
{
  GString *out = g_string_new (NULL);

  lazy_path_append (out, path);
  return g_string_free (out, FALSE);
}

static GType
lookup (Reader     *reader,
        JsonObject *entry)
{
  return strata_registry_lookup_object (reader->registry, entry);
}

static void collect_layer (Reader *reader, JsonObject *entry, const LazyPath *path,
                           guint depth, Unknown *unknown);

static void
collect_model (Reader         *reader,
               JsonObject     *entry,
               const LazyPath *path,
               guint           depth,
               Unknown        *unknown)
{
  JsonArray *layers = model_layers (entry);
  JsonNode *config = json_object_get_member (entry, "config");
  gboolean list_form = config != NULL && JSON_NODE_HOLDS_ARRAY (config);

  if (layers == NULL || depth > STRATA_MODEL_MAX_NESTING)
    return;
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      LazyPath child = { path, list_form ? ".config" : ".config.layers", i };

      if (JSON_NODE_HOLDS_OBJECT (node))
        collect_layer (reader, json_node_get_object (node), &child, depth, unknown);
    }
}

static void
collect_layer (Reader         *reader,
               JsonObject     *entry,
               const LazyPath *path,
               guint           depth,
               Unknown        *unknown)
{
  const char *class_name = member_string (entry, "class_name");
  JsonObject *config;
  GType type;

  if (class_name == NULL || depth > STRATA_MODEL_MAX_NESTING)
    return;

  type = lookup (reader, entry);
  if (type == G_TYPE_INVALID)
    {
      GPtrArray *names = g_hash_table_lookup (unknown->layers, class_name);

      if (names == NULL)
        {
          names = g_ptr_array_new ();
          g_ptr_array_add (unknown->classes, (gpointer) class_name);
          g_hash_table_insert (unknown->layers, (gpointer) class_name, names);
        }
      g_ptr_array_add (names, (gpointer) entry_name (entry));
      if (unknown->first_path == NULL)
        unknown->first_path = lazy_path_dup (path);
      return;
    }
  if (g_type_is_a (type, STRATA_TYPE_MODEL))
    {
      collect_model (reader, entry, path, depth + 1, unknown);
      return;
    }

  /* Wrappers (Bidirectional, TimeDistributed) and Keras 1 Merge hold layers. */
  config = member_object (entry, "config");
  if (config != NULL)
    {
      static const char * const wrapped[] = { "layer", "backward_layer", NULL };
      static const char * const wrapped_paths[] = { ".config.layer", ".config.backward_layer", NULL };
      JsonArray *inner;

      for (guint i = 0; wrapped[i] != NULL; i++)
        {
          JsonObject *object = member_object (config, wrapped[i]);
          LazyPath child = { path, wrapped_paths[i], -1 };

          if (object != NULL)
            collect_layer (reader, object, &child, depth + 1, unknown);
        }
      inner = member_array (config, "layers");
      for (guint i = 0; inner != NULL && i < json_array_get_length (inner); i++)
        {
          JsonNode *node = json_array_get_element (inner, i);
          LazyPath child = { path, ".config.layers", i };

          if (JSON_NODE_HOLDS_OBJECT (node))
            collect_layer (reader, json_node_get_object (node), &child, depth + 1, unknown);
        }
    }
}

static gboolean
check_unknown_classes (Reader      *reader,
                       JsonObject  *root,
                       GError     **error)
{
  Unknown unknown = { g_ptr_array_new (),
                      g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) g_ptr_array_unref),
                      NULL };
  g_autoptr(GString) list = g_string_new (NULL);
  LazyPath path = { NULL, "$", -1 };
  gboolean ok = TRUE;

  collect_model (reader, root, &path, 0, &unknown);

  if (unknown.classes->len > 0 && !(reader->flags & STRATA_LOAD_ALLOW_UNKNOWN))
    {
      for (guint i = 0; i < unknown.classes->len; i++)
        {
          const char *class_name = g_ptr_array_index (unknown.classes, i);
          GPtrArray *names = g_hash_table_lookup (unknown.layers, class_name);

          if (i > 0)
            g_string_append (list, ", ");
          g_string_append_printf (list, "“%s” (%s ", class_name,
                                  names->len == 1 ? _("layer") : _("layers"));
          for (guint j = 0; j < names->len; j++)
            g_string_append_printf (list, "%s“%s”", j > 0 ? ", " : "",
                                    (const char *) g_ptr_array_index (names, j));
          g_string_append_c (list, ')');
        }
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS,
                   g_dngettext (GETTEXT_PACKAGE,
                                /* Translators: the first %s is a JSON path such as $.config.layers[1],
                                 * %u the number of classes, the second %s the list of classes with
                                 * their layers, such as “MyLayer” (layers “a”, “b”). */
                                "%s: %u class is not registered: %s; pass it in a StrataRegistry "
                                "or allow unknown classes",
                                "%s: %u classes are not registered: %s; pass them in a StrataRegistry "
                                "or allow unknown classes",
                                unknown.classes->len),
                   unknown.first_path, unknown.classes->len, list->str);
      ok = FALSE;
    }

  g_ptr_array_unref (unknown.classes);
  g_hash_table_unref (unknown.layers);
  g_free (unknown.first_path);
  return ok;
}

/* ---- dialect ---------------------------------------------------------------- */

static StrataKerasDialect
detect_dialect (JsonObject *root)
{
  const char *version = member_string (root, "keras_version");
  JsonArray *layers = model_layers (root);
  /* Keys only Keras 1 layers have (Embedding's output_dim is Keras 2 too). */
  static const char * const keras1_keys[] = {
    "init", "input_dtype", "W_regularizer", "b_regularizer", "nb_filter", "border_mode", NULL
  };
  JsonNode *config = json_object_get_member (root, "config");
  /* Keras 1 wrote Sequential configs as lists only. */
  gboolean dict_sequential = config != NULL && JSON_NODE_HOLDS_OBJECT (config) &&
                             g_strcmp0 (member_string (root, "class_name"), "Sequential") == 0;
  gboolean saving_lib = FALSE;

  if (version != NULL)
    {
      if (g_str_has_prefix (version, "1."))
        return STRATA_KERAS_DIALECT_KERAS1;
      if (g_str_has_prefix (version, "3."))
        return STRATA_KERAS_DIALECT_KERAS3;
      return STRATA_KERAS_DIALECT_KERAS2;
    }
  /* The object encoding of serialize_keras_object (module, registered_name)
   * is Keras 3's, and also that of tf-keras's own .keras archives (tf-keras
   * >= 2.13), whose layers are Keras 2 layers with Keras 2 nodes. */
  if (json_object_has_member (root, "module") || json_object_has_member (root, "registered_name"))
    {
      const char *module = member_string (root, "module");

      if (module != NULL && (g_str_has_prefix (module, "tf_keras.") || g_str_has_prefix (module, "keras.src.engine.") ||
                             g_str_has_prefix (module, "keras.engine.")))
        return STRATA_KERAS_DIALECT_KERAS2;
      saving_lib = TRUE;
    }

  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      JsonObject *entry, *layer_config;
      JsonArray *inbound;
      JsonNode *dtype;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = json_node_get_object (node);
      layer_config = member_object (entry, "config");
      inbound = member_array (entry, "inbound_nodes");
      if (inbound != NULL && json_array_get_length (inbound) > 0)
        {
          JsonNode *first = json_array_get_element (inbound, 0);

          if (JSON_NODE_HOLDS_OBJECT (first) && json_object_has_member (json_node_get_object (first), "args"))
            return STRATA_KERAS_DIALECT_KERAS3;
          if (JSON_NODE_HOLDS_ARRAY (first) && json_array_get_length (json_node_get_array (first)) > 0)
            {
              JsonNode *ref = json_array_get_element (json_node_get_array (first), 0);
              if (JSON_NODE_HOLDS_ARRAY (ref) && json_array_get_length (json_node_get_array (ref)) == 3)
                return STRATA_KERAS_DIALECT_KERAS1;
              if (saving_lib)
                return STRATA_KERAS_DIALECT_KERAS2;    /* a tf-keras node list */
            }
        }
      if (layer_config == NULL)
        continue;
      if (json_object_has_member (layer_config, "batch_shape"))
        return STRATA_KERAS_DIALECT_KERAS3;
      dtype = json_object_get_member (layer_config, "dtype");
      if (dtype != NULL && JSON_NODE_HOLDS_OBJECT (dtype) &&
          g_strcmp0 (member_string (json_node_get_object (dtype), "class_name"), "DTypePolicy") == 0)
        return STRATA_KERAS_DIALECT_KERAS3;
      for (guint k = 0; keras1_keys[k] != NULL && !dict_sequential && !saving_lib; k++)
        if (json_object_has_member (layer_config, keras1_keys[k]))
          return STRATA_KERAS_DIALECT_KERAS1;
    }
  /* No calls to tell (a tf-keras Sequential): Keras 3's InputLayer takes
   * batch_shape only. */
  for (guint i = 0; saving_lib && layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      JsonObject *layer_config;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      layer_config = member_object (json_node_get_object (node), "config");
      if (layer_config != NULL && json_object_has_member (layer_config, "batch_input_shape") &&
          g_strcmp0 (member_string (json_node_get_object (node), "class_name"), "InputLayer") == 0)
        return STRATA_KERAS_DIALECT_KERAS2;
    }
  return saving_lib ? STRATA_KERAS_DIALECT_KERAS3 : STRATA_KERAS_DIALECT_KERAS2;
}

/* ---- Keras 1 image ordering ---------------------------------------------------- */

static void count_entry_orderings (JsonObject *entry, guint depth, guint *th, guint *tf);

static void
count_orderings (JsonArray *layers,
                 guint      depth,
                 guint     *th,
                 guint     *tf)
{
  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        count_entry_orderings (json_node_get_object (node), depth, th, tf);
    }
}

static void
count_entry_orderings (JsonObject *entry,
                       guint       depth,
                       guint      *th,
                       guint      *tf)
{
  JsonObject *config = member_object (entry, "config");
  const char *ordering = config != NULL ? member_string (config, "dim_ordering") : NULL;
  JsonObject *wrapped = config != NULL ? member_object (config, "layer") : NULL;

  if (g_strcmp0 (ordering, "th") == 0)
    (*th)++;
  else if (g_strcmp0 (ordering, "tf") == 0)
    (*tf)++;
  if (depth >= STRATA_MODEL_MAX_NESTING)
    return;
  /* nested models and wrapped layers (TimeDistributed) */
  count_orderings (model_layers (entry), depth + 1, th, tf);
  if (wrapped != NULL)
    count_entry_orderings (wrapped, depth + 1, th, tf);
}

/* Keras 1.0.x wrote no "dim_ordering" for some 2D/3D layers (UpSampling2D,
 * ZeroPadding2D...): loading took the user's keras.json image_dim_ordering,
 * "th" by default until Keras 1.2 made it "tf". A model's other layers say
 * which one the writer used, so a Keras 1 config that lacks the key
 * inherits the ordering every layer that declares one agrees on; when none
 * declares one, or they disagree, it means "tf" (Keras >= 1.2).
 * "dim_ordering" is a Keras 1 key (Keras 2 writes data_format on every such
 * layer), so this is not limited to the Keras 1 dialect: a Keras 1 model
 * re-written as Keras 2/3 keeps its layer configs and must read the same. */
const char *
strata_config_keras1_dim_ordering (JsonArray *layers)
{
  guint th = 0, tf = 0;

  count_orderings (layers, 0, &th, &tf);
  if (th > 0 && tf == 0)
    return "th";
  if (tf > 0 && th == 0)
    return "tf";
  return NULL;
}

/* ---- layers ------------------------------------------------------------------- */

static void
copy_extras (StrataLayer *layer,
             JsonObject  *entry)
{
  JsonObject *extras = strata_layer_peek_extras (layer);
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, entry);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      if (g_str_equal (key, "class_name") || g_str_equal (key, "config") ||
          g_str_equal (key, "name") || g_str_equal (key, "inbound_nodes") ||
          g_str_equal (key, "keras_version") || g_str_equal (key, "backend"))
        continue;
      json_object_set_member (extras, key, strata_json_node_copy (member));
    }
}

/* The stored config of a model: its keys in file order, "layers" left as a
 * placeholder that the writer fills. */
static void
store_model_config (StrataModel *model,
                    JsonObject  *config)
{
  g_autoptr(JsonObject) stored = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  if (config != NULL)
    {
      json_object_iter_init_ordered (&iter, config);
      while (json_object_iter_next_ordered (&iter, &key, &member))
        {
          if (g_str_equal (key, "layers"))
            json_object_set_null_member (stored, key);
          else
            json_object_set_member (stored, key, strata_json_node_copy (member));
        }
    }
  strata_layer_set_stored_config (STRATA_LAYER (model), stored);
}

static gboolean
read_model_header (StrataModel  *model,
                   JsonObject   *config,
                   const char   *path,
                   GError      **error)
{
  g_autofree char *config_path = g_strdup_printf ("%s.config", path);
  const char *name;
  gboolean trainable;

  if (config == NULL)
    return TRUE;
  if (!strata_json_get_string (config, "name", config_path, NULL, &name, error) ||
      !strata_json_get_boolean (config, "trainable", config_path, TRUE, &trainable, error))
    return FALSE;
  if (name != NULL)
    strata_layer_set_name (STRATA_LAYER (model), name);
  strata_layer_set_trainable (STRATA_LAYER (model), trainable);
  return TRUE;
}

static StrataModel *
read_sequential (Reader      *reader,
                 GType        type,
                 JsonObject  *entry,
                 const char  *path,
                 guint        depth,
                 GError     **error)
{
  g_autoptr(StrataSequential) model = NULL;
  JsonNode *config_node = json_object_get_member (entry, "config");
  JsonObject *config = NULL;
  JsonArray *layers;
  JsonNode *build_shape;
  gboolean list_form;

  list_form = JSON_NODE_HOLDS_ARRAY (config_node);
  if (list_form)
    layers = json_node_get_array (config_node);
  else
    {
      JsonNode *layers_node;

      config = json_node_get_object (config_node);
      layers_node = json_object_get_member (config, "layers");
      if (layers_node == NULL || !JSON_NODE_HOLDS_ARRAY (layers_node))
        {
          set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".config.layers",
                           /* Translators: %s is what was found instead, such as “a string” or
                            * “null”. */
                           _("expected a list of layers, found %s"),
                        layers_node != NULL ? strata_json_describe_node (layers_node) : _("nothing"));
          return NULL;
        }
      layers = json_node_get_array (layers_node);
    }

  model = g_object_new (type, NULL);
  strata_sequential_set_list_form (model, list_form);
  store_model_config (STRATA_MODEL (model), config);
  if (!read_model_header (STRATA_MODEL (model), config, path, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      g_autofree char *child = g_strdup_printf (list_form ? "%s.config[%u]" : "%s.config.layers[%u]", path, i);
      g_autoptr(StrataLayer) layer = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, child,
                        /* Translators: %s is what was found instead, such as “a string” or “null”. */
                        _("expected a layer object, found %s"), strata_json_describe_node (node));
          return NULL;
        }
      layer = read_entry (reader, json_node_get_object (node), child, depth, error);
      if (layer == NULL)
        return NULL;
      if (!strata_sequential_add (model, layer, error))
        {
          g_prefix_error (error, "%s: ", child);
          return NULL;
        }
    }

  build_shape = config != NULL ? json_object_get_member (config, "build_input_shape") : NULL;
  if (build_shape != NULL && !JSON_NODE_HOLDS_NULL (build_shape) &&
      strata_sequential_peek_input_layer (model) == NULL)
    {
      g_autofree char *shape_path = g_strdup_printf ("%s.config.build_input_shape", path);
      g_autoptr(StrataShape) shape = strata_json_to_shape (build_shape, shape_path, error);

      if (shape == NULL)
        return NULL;
      if (!strata_sequential_build_for_shape (model, shape, error))
        {
          g_prefix_error (error, "%s: ", shape_path);
          return NULL;
        }
    }
  return STRATA_MODEL (g_steal_pointer (&model));
}

/* ---- functional graphs --------------------------------------------------------- */

typedef struct {
  Reader     *reader;
  GHashTable *by_name;       /* name -> StrataLayer (unowned) */
} Graph;

typedef enum {
  REF_READY,
  REF_WAIT,
  REF_ERROR,
} RefStatus;

typedef struct {
  const char *name;
  gint64      node_index;
  gint64      tensor_index;
} Ref;

/* Parses [name, node_index, tensor_index, ...]. */
static gboolean
parse_ref (JsonNode    *node,
           const char  *path,
           Ref         *ref,
           GError     **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) < 3)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, path,
                    /* Translators: %s is what was found instead, such as “a string” or “null”. */
                    _("expected a [layer name, node index, tensor index] list, found %s"),
                    strata_json_describe_node (node));
      return FALSE;
    }
  array = json_node_get_array (node);
  if (!node_is_string (json_array_get_element (array, 0)))
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, "[0]",
                       /* Translators: %s is what was found instead, such as “a string” or “null”. */
                       _("expected a layer name, found %s"),
                    strata_json_describe_node (json_array_get_element (array, 0)));
      return FALSE;
    }
  ref->name = json_node_get_string (json_array_get_element (array, 0));
  if (g_strcmp0 (ref->name, "_CONSTANT_VALUE") == 0)
    {
      ref->node_index = -1;
      ref->tensor_index = -1;
      return TRUE;
    }
  for (guint k = 1; k <= 2; k++)
    {
      JsonNode *index = json_array_get_element (array, k);

      if (!node_is_int (index) || json_node_get_int (index) < 0 || json_node_get_int (index) > G_MAXINT32)
        {
          g_autofree char *suffix = g_strdup_printf ("[%u]", k);

          set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, suffix,
                           /* Translators: %s is what was found instead, such as “a string” or
                            * “null”. */
                           _("expected an index, found %s"), strata_json_describe_node (index));
          return FALSE;
        }
    }
  ref->node_index = json_node_get_int (json_array_get_element (array, 1));
  ref->tensor_index = json_node_get_int (json_array_get_element (array, 2));
  return TRUE;
}

/* Finds the tensor @ref names. REF_WAIT when the producing call has not been
 * made yet (its layer comes later in the config). */
static RefStatus
resolve_ref (Graph              *graph,
             const Ref          *ref,
             gboolean            endpoint,
             const char         *path,
             StrataKerasTensor **out,
             char              **wait_reason,
             GError            **error)
{
  StrataLayer *layer = g_hash_table_lookup (graph->by_name, ref->name);
  GPtrArray *nodes;
  StrataNode *node;
  guint offset;
  gint64 index;

  if (layer == NULL)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_GRAPH, path,
                    /* Translators: %s is a layer name. */
                    _("refers to layer “%s”, which is not in the model"), ref->name);
      return REF_ERROR;
    }
  offset = endpoint ? strata_layer_endpoint_node_offset (layer, graph->reader->dialect)
                   : strata_layer_node_offset (layer, graph->reader->dialect);
  index = ref->node_index >= offset ? ref->node_index - offset : ref->node_index;
  nodes = strata_layer_peek_nodes (layer);
  if (index >= nodes->len)
    {
      if (wait_reason != NULL)
        {
          g_free (*wait_reason);
          /* Translators: %lld is an index, %s a layer name. */
          *wait_reason = g_strdup_printf (_("call %lld of layer “%s”"),
                                          (long long) ref->node_index, ref->name);
        }
      return REF_WAIT;
    }
  node = g_ptr_array_index (nodes, index);
  if (ref->tensor_index >= node->outputs->len)
    {
      if (STRATA_IS_OPAQUE_LAYER (layer) && ref->tensor_index < 1024)
        {
          /* An opaque layer's outputs are only known from their uses. */
          while (node->outputs->len <= ref->tensor_index)
            g_ptr_array_add (node->outputs,
                             strata_keras_tensor_new_unowned (layer, index, node->outputs->len,
                                                              NULL, strata_layer_get_dtype (layer)));
        }
      else
        {
          set_error_at (error, STRATA_CONFIG_ERROR_GRAPH, path,
                        /* Translators: %lld is an index, %s a layer name, %u a node number. */
                        _("tensor %lld of layer “%s” does not exist (the call has %u outputs)"),
                        (long long) ref->tensor_index, ref->name, node->outputs->len);
          return REF_ERROR;
        }
    }
  *out = g_ptr_array_index (node->outputs, ref->tensor_index);
  return REF_READY;
}

/* Adds the reference of the Keras 3 __keras_tensor__ @tensor (at @path),
 * its config.keras_history, to @refs and that path to @paths. */
static gboolean
add_keras3_ref (JsonObject  *tensor,
                const char  *path,
                GPtrArray   *refs,
                GPtrArray   *paths,
                GError     **error)
{
  JsonObject *config = member_object (tensor, "config");
  JsonNode *history = config != NULL ? json_object_get_member (config, "keras_history") : NULL;

  if (history == NULL)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, path,
                    _("a __keras_tensor__ without config.keras_history"));
      return FALSE;
    }
  g_ptr_array_add (refs, history);
  g_ptr_array_add (paths, g_strdup_printf ("%s.config.keras_history", path));
  return TRUE;
}

/* Collects the __keras_tensor__ references of a Keras 3 call argument. */
static gboolean
collect_keras3_refs (JsonNode    *node,
                     const char  *path,
                     GPtrArray   *refs,
                     GPtrArray   *paths,
                     guint        depth,
                     GError     **error)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_LIMIT, path, _("nested too deeply"));
      return FALSE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);
          if (!collect_keras3_refs (json_array_get_element (array, i), child, refs, paths, depth + 1, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      if (g_strcmp0 (member_string (object, "class_name"), "__keras_tensor__") == 0)
        {
          if (!add_keras3_ref (object, path, refs, paths, error))
            return FALSE;
        }
      else
        {
          JsonObjectIter iter;
          const char *key;
          JsonNode *member;

          json_object_iter_init_ordered (&iter, object);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            {
              g_autofree char *child = g_strdup_printf ("%s.%s", path, key);
              if (!collect_keras3_refs (member, child, refs, paths, depth + 1, error))
                return FALSE;
            }
        }
    }
  return TRUE;
}

/* A container of the config that the model keeps (a call as read): a copy,
 * or, from the reader's own tree, the container itself, sealed (no one
 * changes it) in a node of its own. Its members' parent pointers lead to
 * nodes freed with the tree; nothing follows them (json-glib only sets them). */
static JsonNode *
keep_node (Reader   *reader,
           JsonNode *node)
{
  JsonNode *kept;

  if (!reader->owned || !(JSON_NODE_HOLDS_ARRAY (node) || JSON_NODE_HOLDS_OBJECT (node)))
    return strata_json_node_copy (node);
  json_node_seal (node);
  kept = json_node_alloc ();
  if (JSON_NODE_HOLDS_ARRAY (node))
    json_node_init_array (kept, json_node_get_array (node));
  else
    json_node_init_object (kept, json_node_get_object (node));
  json_node_seal (kept);
  return kept;
}

/* Parses and resolves @refs ([name, node, tensor] nodes, at @paths) in
 * turn, appending their tensors to @inputs; stops at the first that is not
 * REF_READY. */
static RefStatus
resolve_refs (Graph       *graph,
              GPtrArray   *refs,
              GPtrArray   *paths,
              GPtrArray   *inputs,
              char       **wait_reason,
              GError     **error)
{
  for (guint i = 0; i < refs->len; i++)
    {
      StrataKerasTensor *tensor = NULL;
      RefStatus status;
      Ref ref;

      if (!parse_ref (g_ptr_array_index (refs, i), g_ptr_array_index (paths, i), &ref, error))
        return REF_ERROR;
      status = resolve_ref (graph, &ref, FALSE, g_ptr_array_index (paths, i), &tensor, wait_reason, error);
      if (status != REF_READY)
        return status;
      g_ptr_array_add (inputs, tensor);
    }
  return REF_READY;
}

/* The keyword tensors of a call: where each names its tensor and the
 * top-level keyword it was passed under (MultiHeadAttention's value, an
 * RNN's initial_state, an attention_mask). */
typedef struct {
  StrataKerasDialect dialect;
  GPtrArray         *refs;      /* JsonNode*, unowned: [name, node, tensor] */
  GPtrArray         *paths;     /* char* */
  GPtrArray         *keywords;  /* const char*, unowned, NULL-terminated */
} KeywordRefs;

static gboolean
collect_keyword_ref (JsonNode    *reference,
                     const char  *keyword,
                     const char  *path,
                     gpointer     user_data,
                     GError     **error)
{
  KeywordRefs *refs = user_data;

  if (refs->dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      if (!add_keras3_ref (json_node_get_object (reference), path, refs->refs, refs->paths, error))
        return FALSE;
    }
  else
    {
      g_ptr_array_add (refs->refs, reference);
      g_ptr_array_add (refs->paths, g_strdup (path));
    }
  g_ptr_array_insert (refs->keywords, refs->keywords->len - 1, (gpointer) keyword);
  return TRUE;
}

/* Resolves the keyword tensors of @kwargs (a call's keyword arguments at
 * @path) and appends them to @inputs, their keywords to @keywords: Keras
 * makes them inputs of the call too (tf-keras _deserialize_keras_tensors,
 * Keras 3 deserialize_node), so they are edges of the graph. */
static RefStatus
resolve_keyword_tensors (Graph       *graph,
                         JsonObject  *kwargs,
                         const char  *path,
                         GPtrArray   *inputs,
                         GPtrArray   *keywords,
                         char       **wait_reason,
                         GError     **error)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  KeywordRefs collected = { graph->reader->dialect, refs, paths, keywords };

  if (!strata_kwargs_foreach_tensor (kwargs, graph->reader->dialect, path,
                                     collect_keyword_ref, &collected, error))
    return REF_ERROR;
  return resolve_refs (graph, refs, paths, inputs, wait_reason, error);
}

/* The [name, node, tensor(, kwargs)] entries of a Keras 1/2 node, in the
 * order tf.nest flattens it (lists in order, dict keys sorted): a list
 * that starts with a string is one entry, other lists and dicts hold
 * entries. */
static gboolean
collect_keras2_entries (JsonNode    *node,
                        const char  *path,
                        GPtrArray   *entries,
                        GPtrArray   *paths,
                        guint        depth,
                        GError     **error)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_LIMIT, path, _("nested too deeply"));
      return FALSE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node) && depth > 0 &&
      (json_array_get_length (json_node_get_array (node)) == 0 ||
       node_is_string (json_array_get_element (json_node_get_array (node), 0))))
    {
      g_ptr_array_add (entries, node);
      g_ptr_array_add (paths, g_strdup (path));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);

          if (!collect_keras2_entries (json_array_get_element (array, i), child, entries, paths,
                                       depth + 1, error))
            return FALSE;
        }
      return TRUE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) keys = g_list_sort (json_object_get_members (object), (GCompareFunc) strcmp);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", path, (const char *) l->data);

          if (!collect_keras2_entries (json_object_get_member (object, l->data), child, entries, paths,
                                       depth + 1, error))
            return FALSE;
        }
      return TRUE;
    }
  /* parse_ref() says what is wrong with it. */
  g_ptr_array_add (entries, node);
  g_ptr_array_add (paths, g_strdup (path));
  return TRUE;
}

/* Tries to make one call of @layer. Returns REF_WAIT while an input is
 * produced by a call that does not exist yet. */
static RefStatus
process_node (Graph        *graph,
              StrataLayer  *layer,
              JsonNode     *data,
              const char   *path,
              char        **wait_reason,
              GError      **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(JsonObject) kwargs = NULL;
  g_autoptr(GPtrArray) keywords = g_ptr_array_new ();
  StrataNode *node;

  g_ptr_array_add (keywords, NULL);
  if (JSON_NODE_HOLDS_OBJECT (data) && graph->reader->dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      /* Keras 3: {"args": [...], "kwargs": {...}} */
      JsonObject *call = json_node_get_object (data);
      JsonNode *args = json_object_get_member (call, "args");
      JsonNode *kwargs_node = json_object_get_member (call, "kwargs");
      g_autoptr(GPtrArray) refs = g_ptr_array_new ();
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *args_path = g_strdup_printf ("%s.args", path);
      RefStatus status;

      if (args != NULL && !JSON_NODE_HOLDS_ARRAY (args))
        {
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, args_path,
                        /* Translators: %s is what was found instead, such as “a string” or “null”. */
                        _("expected a list, found %s"), strata_json_describe_node (args));
          return REF_ERROR;
        }
      if (kwargs_node != NULL && !JSON_NODE_HOLDS_OBJECT (kwargs_node))
        {
          g_autofree char *kwargs_path = g_strdup_printf ("%s.kwargs", path);

          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, kwargs_path,
                        /* Translators: %s is what was found instead, such as “a string” or “null”. */
                        _("expected an object, found %s"), strata_json_describe_node (kwargs_node));
          return REF_ERROR;
        }
      if (args != NULL && !collect_keras3_refs (args, args_path, refs, paths, 0, error))
        return REF_ERROR;

      status = resolve_refs (graph, refs, paths, inputs, wait_reason, error);
      if (status != REF_READY)
        return status;
      if (kwargs_node != NULL)
        {
          g_autofree char *kwargs_path = g_strdup_printf ("%s.kwargs", path);

          status = resolve_keyword_tensors (graph, json_node_get_object (kwargs_node), kwargs_path,
                                            inputs, keywords, wait_reason, error);
          if (status != REF_READY)
            return status;
        }
      if (kwargs_node != NULL)
        kwargs = strata_json_object_copy (json_node_get_object (kwargs_node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (data) || JSON_NODE_HOLDS_OBJECT (data))
    {
      /* Keras 1/2: [[name, node, tensor(, kwargs)], ...]; tf-keras gives
       * every entry the same kwargs. The entries of a layer that keeps the
       * structure of its first argument may nest in lists and dicts. */
      g_autoptr(GPtrArray) entries = g_ptr_array_new ();
      g_autoptr(GPtrArray) entry_paths = g_ptr_array_new_with_free_func (g_free);
      JsonObject *kw_object = NULL;
      g_autofree char *kw_path = NULL;
      RefStatus status;

      if (!collect_keras2_entries (data, path, entries, entry_paths, 0, error))
        return REF_ERROR;
      for (guint i = 0; i < entries->len; i++)
        {
          JsonNode *entry = g_ptr_array_index (entries, i);
          const char *entry_path = g_ptr_array_index (entry_paths, i);
          StrataKerasTensor *tensor = NULL;
          Ref ref;

          if (!parse_ref (entry, entry_path, &ref, error))
            return REF_ERROR;
          if (json_array_get_length (json_node_get_array (entry)) >= 4)
            {
              JsonNode *kw = json_array_get_element (json_node_get_array (entry), 3);

              if (!JSON_NODE_HOLDS_OBJECT (kw))
                {
                  set_error_below (error, STRATA_CONFIG_ERROR_INVALID, entry_path, "[3]",
                                   /* Translators: %s is what was found instead, such as “a string”
                                    * or “null”. */
                                   _("expected the call's keyword arguments (an object), found %s"),
                                strata_json_describe_node (kw));
                  return REF_ERROR;
                }
              kw_object = json_node_get_object (kw);
              g_free (kw_path);
              kw_path = g_strdup_printf ("%s[3]", entry_path);
            }
          if (ref.node_index < 0)
            continue;    /* _CONSTANT_VALUE: not a tensor */
          status = resolve_ref (graph, &ref, FALSE, entry_path, &tensor, wait_reason, error);
          if (status != REF_READY)
            return status;
          g_ptr_array_add (inputs, tensor);
        }
      if (kw_object != NULL)
        {
          status = resolve_keyword_tensors (graph, kw_object, kw_path, inputs, keywords, wait_reason, error);
          if (status != REF_READY)
            return status;
          kwargs = strata_json_object_copy (kw_object);
        }
    }
  else
    {
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, path,
                    /* Translators: %s is what was found instead, such as “a string” or “null”. */
                    _("expected a call (a list of inputs or an {“args”, “kwargs”} object), found %s"),
                    strata_json_describe_node (data));
      return REF_ERROR;
    }

  outputs = strata_layer_call_keywords (layer, inputs, (const char *const *) keywords->pdata, kwargs, error);
  if (outputs == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return REF_ERROR;
    }
  node = g_ptr_array_index (strata_layer_peek_nodes (layer), strata_layer_peek_nodes (layer)->len - 1);
  node->raw = keep_node (graph->reader, data);
  node->raw_dialect = graph->reader->dialect;
  return REF_READY;
}

/* Resolves input_layers / output_layers: a flat triple, a list of triples or
 * a dict of them (nested structures too). */
static gboolean
collect_endpoints (Graph       *graph,
                   JsonNode    *node,
                   const char  *path,
                   GPtrArray   *tensors,
                   guint        depth,
                   GError     **error)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_LIMIT, path, _("nested too deeply"));
      return FALSE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 3 && node_is_string (json_array_get_element (array, 0)))
        {
          StrataKerasTensor *tensor = NULL;
          g_autofree char *reason = NULL;
          Ref ref;
          RefStatus status;

          if (!parse_ref (node, path, &ref, error))
            return FALSE;
          status = resolve_ref (graph, &ref, TRUE, path, &tensor, &reason, error);
          if (status == REF_ERROR)
            return FALSE;
          if (status == REF_WAIT)
            {
              set_error_at (error, STRATA_CONFIG_ERROR_GRAPH, path,
                            /* Translators: %s is the reason. */
                            _("refers to %s, which does not exist"), reason);
              return FALSE;
            }
          g_ptr_array_add (tensors, tensor);
          return TRUE;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);
          if (!collect_endpoints (graph, json_array_get_element (array, i), child, tensors, depth + 1, error))
            return FALSE;
        }
      return TRUE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &key, &member))
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", path, key);
          if (!collect_endpoints (graph, member, child, tensors, depth + 1, error))
            return FALSE;
        }
      return TRUE;
    }
  set_error_at (error, STRATA_CONFIG_ERROR_INVALID, path,
                /* Translators: %s is what was found instead, such as “a string” or “null”. */
                _("expected [layer name, node index, tensor index] lists, found %s"),
                strata_json_describe_node (node));
  return FALSE;
}

typedef struct {
  StrataLayer *layer;
  GPtrArray   *data;     /* JsonNode*, unowned: the calls still to make */
  GPtrArray   *paths;    /* char* */
} Pending;

static void
pending_clear (gpointer data)
{
  Pending *pending = data;

  g_clear_pointer (&pending->data, g_ptr_array_unref);
  g_clear_pointer (&pending->paths, g_ptr_array_unref);
}

static StrataModel *
read_functional (Reader      *reader,
                 GType        type,
                 JsonObject  *entry,
                 const char  *path,
                 guint        depth,
                 GError     **error)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();
  JsonNode *config_node = json_object_get_member (entry, "config");
  JsonObject *config;
  JsonNode *layers_node, *endpoints;
  JsonArray *layers;
  Graph graph = { reader, by_name };
  guint remaining = 0;

  g_array_set_clear_func (pending, pending_clear);

  if (!JSON_NODE_HOLDS_OBJECT (config_node))
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".config",
                       /* Translators: %s is what was found instead, such as “a string” or “null”. */
                       _("expected an object, found %s"), strata_json_describe_node (config_node));
      return NULL;
    }
  config = json_node_get_object (config_node);
  layers_node = json_object_get_member (config, "layers");
  if (layers_node == NULL || !JSON_NODE_HOLDS_ARRAY (layers_node))
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".config.layers",
                       /* Translators: %s is what was found instead, such as “a string” or “null”. */
                       _("expected a list of layers, found %s"),
                    layers_node != NULL ? strata_json_describe_node (layers_node) : _("nothing"));
      return NULL;
    }
  layers = json_node_get_array (layers_node);

  /* Create every layer first; calls are made once their inputs exist. */
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      g_autofree char *child = g_strdup_printf ("%s.config.layers[%u]", path, i);
      g_autoptr(StrataLayer) layer = NULL;
      JsonObject *layer_entry;
      JsonNode *name_node, *inbound;
      const char *name;
      Pending p = { NULL, NULL, NULL };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, child,
                        /* Translators: %s is what was found instead, such as “a string” or “null”. */
                        _("expected a layer object, found %s"), strata_json_describe_node (node));
          return NULL;
        }
      layer_entry = json_node_get_object (node);
      name_node = json_object_get_member (layer_entry, "name");
      if (name_node != NULL && !node_is_string (name_node))
        {
          set_error_below (error, STRATA_CONFIG_ERROR_INVALID, child, ".name",
                           /* Translators: %s is what was found instead, such as “a string” or
                            * “null”. */
                           _("expected a string, found %s"), strata_json_describe_node (name_node));
          return NULL;
        }
      inbound = json_object_get_member (layer_entry, "inbound_nodes");
      if (inbound != NULL && !JSON_NODE_HOLDS_ARRAY (inbound) && !JSON_NODE_HOLDS_NULL (inbound))
        {
          set_error_below (error, STRATA_CONFIG_ERROR_INVALID, child, ".inbound_nodes",
                           /* Translators: %s is what was found instead, such as “a string” or
                            * “null”. */
                           _("expected a list, found %s"), strata_json_describe_node (inbound));
          return NULL;
        }

      layer = read_entry (reader, layer_entry, child, depth, error);
      if (layer == NULL)
        return NULL;
      name = name_node != NULL ? json_node_get_string (name_node) : strata_layer_get_name (layer);
      /* Some classes rename their layer (TensorFlowOpLayer prefixes
       * "tf_op_layer_" to its config's name); the entry's name is the one
       * the graph uses, so it is the layer's name. */
      if (g_strcmp0 (name, strata_layer_get_name (layer)) != 0)
        strata_layer_set_name (layer, name);
      if (g_hash_table_contains (by_name, name))
        {
          set_error_at (error, STRATA_CONFIG_ERROR_GRAPH, child,
                        /* Translators: %s is a layer name. */
                        _("the name “%s” is used by more than one layer; layer names must be unique"),
                        name);
          return NULL;
        }

      if (STRATA_IS_INPUT_LAYER (layer) && strata_layer_peek_nodes (layer)->len == 0)
        {
          g_autoptr(GPtrArray) shapes = g_ptr_array_new ();

          g_ptr_array_add (shapes, strata_input_layer_get_batch_shape (STRATA_INPUT_LAYER (layer)));
          strata_layer_add_node (layer, NULL, shapes, NULL);
        }

      g_ptr_array_add (created, g_object_ref (layer));
      g_hash_table_insert (by_name, (gpointer) name, layer);

      p.layer = layer;
      p.data = g_ptr_array_new ();
      p.paths = g_ptr_array_new_with_free_func (g_free);
      if (inbound != NULL && JSON_NODE_HOLDS_ARRAY (inbound))
        for (guint j = 0; j < json_array_get_length (json_node_get_array (inbound)); j++)
          {
            g_ptr_array_add (p.data, json_array_get_element (json_node_get_array (inbound), j));
            g_ptr_array_add (p.paths, g_strdup_printf ("%s.inbound_nodes[%u]", child, j));
            remaining++;
          }
      g_array_append_val (pending, p);
    }

  /* Keras' from_config loop: make the calls whose inputs exist, in config
   * order, until none is left or a pass makes no progress. */
  while (remaining > 0)
    {
      gboolean progress = FALSE;
      g_autofree char *reason = NULL;
      const char *stuck_path = NULL;
      StrataLayer *stuck_layer = NULL;

      for (guint i = 0; i < pending->len; i++)
        {
          Pending *p = &g_array_index (pending, Pending, i);

          while (p->data->len > 0)
            {
              RefStatus status = process_node (&graph, p->layer, g_ptr_array_index (p->data, 0),
                                               g_ptr_array_index (p->paths, 0), &reason, error);
              if (status == REF_ERROR)
                return NULL;
              if (status == REF_WAIT)
                {
                  if (stuck_path == NULL)
                    {
                      stuck_path = g_ptr_array_index (p->paths, 0);
                      stuck_layer = p->layer;
                    }
                  break;
                }
              g_ptr_array_remove_index (p->data, 0);
              g_ptr_array_remove_index (p->paths, 0);
              remaining--;
              progress = TRUE;
            }
        }
      if (!progress && remaining > 0)
        {
          /* Recompute the reason for the first stuck call. */
          for (guint i = 0; i < pending->len; i++)
            {
              Pending *p = &g_array_index (pending, Pending, i);

              if (p->data->len > 0)
                {
                  g_clear_pointer (&reason, g_free);
                  process_node (&graph, p->layer, g_ptr_array_index (p->data, 0),
                                g_ptr_array_index (p->paths, 0), &reason, NULL);
                  stuck_path = g_ptr_array_index (p->paths, 0);
                  stuck_layer = p->layer;
                  break;
                }
            }
          set_error_at (error, STRATA_CONFIG_ERROR_GRAPH, stuck_path,
                        /* Translators: the first %s is a layer name, the second %s an error
                         * message. */
                        _("layer “%s” needs %s, which is never made (a missing call or a cycle)"),
                        strata_layer_get_name (stuck_layer), reason != NULL ? reason : "?");
          return NULL;
        }
    }

  model = g_object_new (type, NULL);
  store_model_config (model, config);
  if (!read_model_header (model, config, path, error))
    return NULL;

  endpoints = json_object_get_member (config, "input_layers");
  if (endpoints != NULL)
    {
      g_autofree char *child = g_strdup_printf ("%s.config.input_layers", path);
      if (!collect_endpoints (&graph, endpoints, child, inputs, 0, error))
        return NULL;
    }
  endpoints = json_object_get_member (config, "output_layers");
  if (endpoints == NULL)
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".config.output_layers", _("missing"));
      return NULL;
    }
  {
    g_autofree char *child = g_strdup_printf ("%s.config.output_layers", path);
    if (!collect_endpoints (&graph, endpoints, child, outputs, 0, error))
      return NULL;
  }

  if (!strata_model_init_graph (model, inputs, outputs, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&model);
}

static StrataModel *
read_model (Reader      *reader,
            GType        type,
            JsonObject  *entry,
            const char  *path,
            guint        depth,
            GError     **error)
{
  JsonNode *config = json_object_get_member (entry, "config");
  StrataModel *model;

  if (depth > STRATA_MODEL_MAX_NESTING)
    {
      set_error_at (error, STRATA_CONFIG_ERROR_LIMIT, path,
                    /* Translators: the nesting limit */
                    _("models are nested more than %u levels deep"), STRATA_MODEL_MAX_NESTING);
      return NULL;
    }
  if (config == NULL || !(JSON_NODE_HOLDS_OBJECT (config) ||
                          (JSON_NODE_HOLDS_ARRAY (config) && g_type_is_a (type, STRATA_TYPE_SEQUENTIAL))))
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".config",
                       /* Translators: %s is what was found instead, such as “a string” or “null”. */
                       _("expected an object, found %s"),
                       config != NULL ? strata_json_describe_node (config) : _("nothing"));
      return NULL;
    }

  if (g_type_is_a (type, STRATA_TYPE_SEQUENTIAL))
    model = read_sequential (reader, type, entry, path, depth, error);
  else
    model = read_functional (reader, type, entry, path, depth, error);
  if (model == NULL)
    return NULL;

  strata_layer_set_class_name (STRATA_LAYER (model), member_string (entry, "class_name"));
  copy_extras (STRATA_LAYER (model), entry);
  strata_model_set_dialect (model, reader->dialect);
  return model;
}

static StrataLayer *
read_entry (Reader      *reader,
            JsonObject  *entry,
            const char  *path,
            guint        depth,
            GError     **error)
{
  JsonNode *class_node = json_object_get_member (entry, "class_name");
  StrataLoadContext context;
  StrataLayer *layer;
  JsonNode *config;
  GType type;

  if (!node_is_string (class_node))
    {
      set_error_below (error, STRATA_CONFIG_ERROR_INVALID, path, ".class_name",
                       /* Translators: %s is what was found instead, such as “a string” or “null”. */
                       _("expected a string, found %s"),
                    class_node != NULL ? strata_json_describe_node (class_node) : _("nothing"));
      return NULL;
    }

  type = lookup (reader, entry);
  if (type != G_TYPE_INVALID && g_type_is_a (type, STRATA_TYPE_MODEL))
    return STRATA_LAYER (read_model (reader, type, entry, path, depth + 1, error));

  /* Nothing else holds the parsed tree: a sealed config is one the layer
   * can keep by reference instead of copying it (see
   * strata_layer_set_stored_config()). */
  config = json_object_get_member (entry, "config");
  if (reader->owned && config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    json_node_seal (config);

  layer = strata_registry_create_layer (reader->registry, entry, reader->flags, error);
  if (layer == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  strata_layer_set_load_flags (layer, reader->flags);
  context.registry = reader->registry;
  context.dialect = reader->dialect;
  context.dim_ordering = reader->dim_ordering;
  context.keras_version = reader->keras_version;
  strata_layer_set_load_context (layer, &context);
  return layer;
}

StrataModel *
strata_config_read_model_config (GType             type,
                                 JsonObject       *config,
                                 StrataRegistry   *registry,
                                 StrataLoadFlags   flags,
                                 GError          **error)
{
  g_autoptr(JsonObject) entry = json_object_new ();
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  Reader reader;

  json_object_set_string_member (entry, "class_name",
                                 strata_layer_class_get_keras_name (STRATA_LAYER_CLASS (klass)));
  json_object_set_object_member (entry, "config", json_object_ref (config));
  reader.registry = registry != NULL ? registry : strata_registry_get_default ();
  reader.flags = flags;
  reader.dialect = detect_dialect (entry);
  reader.dim_ordering = strata_config_keras1_dim_ordering (model_layers (entry));
  reader.keras_version = NULL;
  reader.owned = FALSE;
  if (!check_unknown_classes (&reader, entry, error))
    return NULL;
  return read_model (&reader, type, entry, "$", 0, error);
}

/**
 * strata_model_from_config:
 * @object: a serialized model: `{"class_name", "config"}`, plus
 *   `keras_version`/`backend` (Keras 1/2 `to_json`) or
 *   `module`/`registered_name` (Keras 3)
 * @registry: (nullable): the classes to use (custom objects), or %NULL for
 *   the default registry
 * @flags: load flags
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a model from its config, like Keras `model_from_config()`. All
 * Keras dialects are read (Keras 1, 2 and 3). Before anything is built,
 * every class of the config (nested models and wrapped layers included)
 * is looked up; unknown classes fail with one
 * %STRATA_CONFIG_ERROR_UNKNOWN_CLASS error naming all of them, unless
 * @flags has %STRATA_LOAD_ALLOW_UNKNOWN. Every error names its JSON path.
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_model_from_config (JsonObject       *object,
                          StrataRegistry   *registry,
                          StrataLoadFlags   flags,
                          GError          **error)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (registry == NULL || STRATA_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return model_from_config (object, FALSE, registry, flags, error);
}

/* strata_model_from_config(); @owned: nobody else holds @object (it was
 * just parsed), so the layers may share parts of it. */
static StrataModel *
model_from_config (JsonObject       *object,
                   gboolean          owned,
                   StrataRegistry   *registry,
                   StrataLoadFlags   flags,
                   GError          **error)
{
  Reader reader;
  JsonNode *class_node;
  g_autoptr(StrataModel) model = NULL;
  const char *version, *backend;
  GType type;

  reader.registry = registry != NULL ? registry : strata_registry_get_default ();
  reader.flags = flags;
  reader.owned = owned;
  reader.dialect = detect_dialect (object);
  reader.dim_ordering = strata_config_keras1_dim_ordering (model_layers (object));

  class_node = json_object_get_member (object, "class_name");
  if (!node_is_string (class_node))
    {
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, "$.class_name",
                    /* Translators: %s is what was found instead, such as “a string” or “null”. */
                    _("expected a string, found %s"),
                    class_node != NULL ? strata_json_describe_node (class_node) : _("nothing"));
      return NULL;
    }
  if (!strata_json_get_string (object, "keras_version", "$", NULL, &version, error) ||
      !strata_json_get_string (object, "backend", "$", NULL, &backend, error))
    return NULL;
  reader.keras_version = version;

  type = lookup (&reader, object);
  if (type == G_TYPE_INVALID || !g_type_is_a (type, STRATA_TYPE_MODEL))
    {
      if (type == G_TYPE_INVALID && !(flags & STRATA_LOAD_ALLOW_UNKNOWN))
        set_error_at (error, STRATA_CONFIG_ERROR_UNKNOWN_CLASS, "$.class_name",
                      /* Translators: %s is a class name. */
                      _("1 class is not registered: “%s” (model); pass it in a StrataRegistry"),
                      json_node_get_string (class_node));
      else
        set_error_at (error, STRATA_CONFIG_ERROR_INVALID, "$.class_name",
                      /* Translators: a class name */
                      _("“%s” is not a model class"), json_node_get_string (class_node));
      return NULL;
    }

  if (!check_unknown_classes (&reader, object, error))
    return NULL;

  model = read_model (&reader, type, object, "$", 0, error);
  if (model == NULL)
    return NULL;
  strata_model_set_keras_version (model, version);
  strata_model_set_backend (model, backend);
  return g_steal_pointer (&model);
}

/**
 * strata_model_from_json:
 * @json: the JSON text (Keras `model.to_json()`)
 * @length: the length of @json, or -1 when it is nul-terminated
 * @registry: (nullable): the classes to use, or %NULL for the default registry
 * @flags: load flags
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a model from JSON, like Keras `model_from_json()`. Python's
 * `NaN`/`Infinity` tokens are accepted. See [func@Strata.Model.from_config].
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_model_from_json (const char       *json,
                        gssize            length,
                        StrataRegistry   *registry,
                        StrataLoadFlags   flags,
                        GError          **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (json != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = strata_json_parse (json != NULL ? json : "", length, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, "$",
                    /* Translators: %s is what was found instead, such as “a string” or “null”. */
                    _("expected a model object, found %s"), strata_json_describe_node (root));
      return NULL;
    }
  if (registry != NULL && !STRATA_IS_REGISTRY (registry))   /* its g_return_val_if_fail() */
    return strata_model_from_config (json_node_get_object (root), registry, flags, error);
  return model_from_config (json_node_get_object (root), TRUE, registry, flags, error);
}
