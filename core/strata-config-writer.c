/* strata-config-writer.c: models to Keras model configs (JSON)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Writes a model in one Keras dialect. Keys read from a file come back in
 * their order, and node lists read in the dialect being written are reused
 * as they were, so a loaded model re-written in its own dialect is a fixed
 * point of to_json -> model_from_json -> to_json.
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-model-private.h"
#include "strata-builtin-private.h"


static gboolean
is_model_class_name (const char *name)
{
  return g_strcmp0 (name, "Model") == 0 || g_strcmp0 (name, "Functional") == 0;
}

/* The class_name a model is written with. */
static const char *
model_class_name (StrataModel        *model,
                  StrataKerasDialect  dialect)
{
  const char *name = strata_layer_get_class_name (STRATA_LAYER (model));

  if (STRATA_IS_SEQUENTIAL (model))
    return "Sequential";
  if (!is_model_class_name (name))
    return name;          /* a registered Model subclass */
  if (dialect == STRATA_KERAS_DIALECT_KERAS1)
    return "Model";
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    return "Functional";
  return name;
}

/* The node index Keras writes for call @node_index of @layer inside
 * @model: only the calls that belong to the model count. */
static gint64
model_node_index (StrataModel        *model,
                  StrataLayer        *layer,
                  guint               node_index,
                  StrataKerasDialect  dialect,
                  gboolean            endpoint)
{
  GPtrArray *nodes = strata_layer_peek_nodes (layer);
  gint64 index = 0;

  for (guint i = 0; i < node_index && i < nodes->len; i++)
    if (model == NULL || strata_model_has_node (model, g_ptr_array_index (nodes, i)))
      index++;
  return index + (endpoint ? strata_layer_endpoint_node_offset (layer, dialect)
                           : strata_layer_node_offset (layer, dialect));
}

static JsonNode *
history_triple (StrataModel        *model,
                StrataKerasTensor  *tensor,
                StrataKerasDialect  dialect,
                gboolean            endpoint)
{
  StrataLayer *layer = strata_keras_tensor_get_layer (tensor);
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_array_add_string_element (array, strata_layer_get_name (layer));
  json_array_add_int_element (array, model_node_index (model, layer,
                                                       strata_keras_tensor_get_node_index (tensor),
                                                       dialect, endpoint));
  json_array_add_int_element (array, strata_keras_tensor_get_tensor_index (tensor));
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
keras3_tensor (StrataModel       *model,
               StrataKerasTensor *tensor)
{
  JsonObject *object = json_object_new ();
  JsonObject *config = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  StrataShape *shape = strata_keras_tensor_get_shape (tensor);

  if (shape != NULL)
    json_object_set_member (config, "shape", strata_json_from_shape (shape));
  else
    json_object_set_null_member (config, "shape");
  json_object_set_string_member (config, "dtype", strata_keras_tensor_get_dtype (tensor));
  json_object_set_member (config, "keras_history",
                          history_triple (model, tensor, STRATA_KERAS_DIALECT_KERAS3, FALSE));
  json_object_set_string_member (object, "class_name", "__keras_tensor__");
  json_object_set_object_member (object, "config", config);
  json_node_take_object (node, object);
  return node;
}

typedef struct {
  StrataModel        *model;
  StrataNode         *node;
  StrataKerasDialect  dialect;
  GPtrArray          *references;  /* the keyword tensors of node->kwargs, in input order */
} KeywordWrite;

static gboolean
collect_reference (JsonNode    *reference,
                   const char  *keyword,
                   const char  *path,
                   gpointer     user_data,
                   GError     **error)
{
  g_ptr_array_add (user_data, reference);
  return TRUE;
}

/* A copy of @value (in a call's keyword arguments) in which each keyword
 * tensor is the one @dialect reads for the input it stands for (tf-keras
 * [name, node, tensor], Keras 3 a __keras_tensor__ object), with the node
 * index of that dialect. */
static JsonNode *
write_keyword_tensors (KeywordWrite *write,
                       JsonNode     *value,
                       guint         depth)
{
  JsonNode *result;

  if (depth > STRATA_JSON_MAX_DEPTH)
    return strata_json_node_copy (value);
  if (strata_kwargs_is_tensor (value, write->node->raw_dialect))
    {
      StrataKerasTensor *tensor;
      guint index;

      if (!g_ptr_array_find (write->references, value, &index) ||
          strata_node_n_positional (write->node) + index >= write->node->inputs->len)
        return strata_json_node_copy (value);
      tensor = g_ptr_array_index (write->node->inputs, strata_node_n_positional (write->node) + index);
      if (write->dialect == STRATA_KERAS_DIALECT_KERAS3)
        return keras3_tensor (write->model, tensor);
      return history_triple (write->model, tensor, write->dialect, FALSE);
    }
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, write_keyword_tensors (write, json_array_get_element (array, i),
                                                             depth + 1));
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, copy);
      return result;
    }
  if (JSON_NODE_HOLDS_OBJECT (value))
    {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (value));
      while (json_object_iter_next_ordered (&iter, &key, &member))
        json_object_set_member (copy, key, write_keyword_tensors (write, member, depth + 1));
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, copy);
      return result;
    }
  return strata_json_node_copy (value);
}

/* A copy of the call's keyword arguments for @dialect. */
static JsonNode *
kwargs_node (StrataModel        *model,
             StrataNode         *node,
             StrataKerasDialect  dialect)
{
  JsonNode *result;

  if (node->kwargs != NULL && node->keywords != NULL && node->raw != NULL &&
      node->raw_dialect != STRATA_KERAS_DIALECT_KERAS1)
    {
      g_autoptr(GPtrArray) references = g_ptr_array_new ();
      KeywordWrite write = { model, node, dialect, references };
      g_autoptr(JsonNode) kwargs = json_node_init_object (json_node_alloc (), node->kwargs);

      strata_kwargs_foreach_tensor (node->kwargs, node->raw_dialect, NULL, collect_reference, references, NULL);
      return write_keyword_tensors (&write, kwargs, 0);
    }
  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, node->kwargs != NULL ? strata_json_object_copy (node->kwargs)
                                                      : json_object_new ());
  return result;
}

/* The layer name a [name, node, tensor] list starts with, or NULL. */
static const char *
ref_name (JsonArray *ref)
{
  return ref != NULL && json_array_get_length (ref) > 0 && JSON_NODE_HOLDS_VALUE (json_array_get_element (ref, 0)) ?
         json_array_get_string_element (ref, 0) : NULL;
}

/* The config.keras_history list of a Keras 3 __keras_tensor__, or NULL. */
static JsonArray *
keras3_history (JsonObject *tensor)
{
  JsonNode *config = json_object_get_member (tensor, "config");
  JsonNode *history;

  if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    return NULL;
  history = json_object_get_member (json_node_get_object (config), "keras_history");
  return history != NULL && JSON_NODE_HOLDS_ARRAY (history) ? json_node_get_array (history) : NULL;
}

/* Appends the layer names a raw node refers to, in order: Keras 1/2
 * entries [name, node, tensor, ...] (not _CONSTANT_VALUE), Keras 3
 * __keras_tensor__ histories in "args". */
static void
raw_names (JsonNode  *node,
           gboolean   keras3,
           GPtrArray *names,
           guint      depth)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    return;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!keras3 && JSON_NODE_HOLDS_ARRAY (element))
            {
              const char *name = ref_name (json_node_get_array (element));

              if (g_strcmp0 (name, "_CONSTANT_VALUE") != 0)
                g_ptr_array_add (names, (gpointer) name);
            }
          else if (keras3)
            raw_names (element, keras3, names, depth + 1);
        }
    }
  else if (keras3 && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonArray *history;

      if (json_object_has_member (object, "args"))
        {
          raw_names (json_object_get_member (object, "args"), keras3, names, depth + 1);
          return;
        }
      history = keras3_history (object);
      if (history != NULL && json_array_get_length (history) > 0)
        g_ptr_array_add (names, (gpointer) json_array_get_string_element (history, 0));
    }
}

/* The keyword arguments of a raw node (the ones the reader took: Keras 3
 * "kwargs", the last Keras 1/2 entry that has them), or NULL. */
static JsonObject *
raw_kwargs (StrataNode *node)
{
  JsonObject *kwargs = NULL;

  if (JSON_NODE_HOLDS_OBJECT (node->raw))
    {
      JsonNode *member = json_object_get_member (json_node_get_object (node->raw), "kwargs");

      return member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (node->raw))
    {
      JsonArray *entries = json_node_get_array (node->raw);

      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonNode *entry = json_array_get_element (entries, i);

          if (JSON_NODE_HOLDS_ARRAY (entry) && json_array_get_length (json_node_get_array (entry)) >= 4 &&
              JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (entry), 3)))
            kwargs = json_array_get_object_element (json_node_get_array (entry), 3);
        }
    }
  return kwargs;
}

static gboolean
keyword_tensor_name (JsonNode    *reference,
                     const char  *keyword,
                     const char  *path,
                     gpointer     user_data,
                     GError     **error)
{
  GPtrArray *names = user_data;
  JsonArray *history = NULL;

  /* Keras 3: a __keras_tensor__; tf-keras: the [name, node, tensor] list itself. */
  if (JSON_NODE_HOLDS_OBJECT (reference))
    history = keras3_history (json_node_get_object (reference));
  else if (JSON_NODE_HOLDS_ARRAY (reference))
    history = json_node_get_array (reference);
  g_ptr_array_add (names, (gpointer) ref_name (history));
  return TRUE;
}

/* A node read from a file is written back as it was, unless a layer it
 * refers to (keyword tensors too) has been renamed since. */
static gboolean
raw_still_valid (StrataNode *node)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  raw_names (node->raw, node->raw_dialect == STRATA_KERAS_DIALECT_KERAS3, names, 0);
  if (node->keywords != NULL)
    strata_kwargs_foreach_tensor (raw_kwargs (node), node->raw_dialect, NULL,
                                  keyword_tensor_name, names, NULL);
  if (names->len != node->inputs->len)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i),
                   strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (node->inputs, i)))) != 0)
      return FALSE;
  return TRUE;
}

/* How a call with several input tensors is written (Keras 1/2 list every
 * tensor as one entry of the node). */
typedef enum {
  CALL_LIST,            /* layer([a, b]): Keras 3 args [[a, b]] */
  CALL_ARGUMENTS,       /* MultiHeadAttention(query, value, key): Keras 3 args [q, v, k];
                           tf-keras [[q, 0, 0, {"value": v, "key": k}]] */
  CALL_INITIAL_STATE,   /* rnn(x, initial_state=[s...]): Keras 3 args [x, s or [s...]]
                           (initial_state is call()'s second parameter; a
                           keyword tensor stays a keyword, see kwargs_node()) */
} CallStyle;

static const char *const attention_arguments[] = { "query", "value", "key", NULL };

static CallStyle
call_style (StrataNode *node)
{
  const char *class_name = strata_layer_get_class_name (node->layer);

  if (strata_node_n_positional (node) < 2 || class_name == NULL)
    return CALL_LIST;
  if (g_str_equal (class_name, "MultiHeadAttention") &&
      strata_node_n_positional (node) < G_N_ELEMENTS (attention_arguments))
    return CALL_ARGUMENTS;
  if (strata_config_class_listed (STRATA_RNN_CLASSES " Bidirectional", class_name))
    return CALL_INITIAL_STATE;
  return CALL_LIST;
}

static JsonNode *
write_node (StrataModel        *model,
            StrataNode         *node,
            StrataKerasDialect  dialect)
{
  CallStyle style = call_style (node);
  guint n_positional = strata_node_n_positional (node);
  JsonNode *result;

  if (node->raw != NULL && node->raw_dialect == dialect && raw_still_valid (node))
    return strata_json_node_copy (node->raw);

  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      JsonObject *call = json_object_new ();
      JsonArray *args = json_array_new ();
      JsonNode *kwargs = kwargs_node (model, node, dialect);

      if (style == CALL_INITIAL_STATE)
        {
          JsonArray *states = json_array_new ();

          json_array_add_element (args, keras3_tensor (model, g_ptr_array_index (node->inputs, 0)));
          for (guint i = 1; i < n_positional; i++)
            json_array_add_element (states, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
          if (json_array_get_length (states) == 1)
            {
              json_array_add_element (args, json_node_copy (json_array_get_element (states, 0)));
              json_array_unref (states);
            }
          else
            json_array_add_array_element (args, states);
        }
      else if (n_positional == 1 || style == CALL_ARGUMENTS)
        for (guint i = 0; i < n_positional; i++)
          json_array_add_element (args, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
      else
        {
          JsonArray *list = json_array_new ();

          for (guint i = 0; i < n_positional; i++)
            json_array_add_element (list, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
          json_array_add_array_element (args, list);
        }
      json_object_set_array_member (call, "args", args);
      json_object_set_member (call, "kwargs", kwargs);
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, call);
      return result;
    }

  {
    JsonArray *entries = json_array_new ();
    StrataKerasDialect source = node->raw != NULL ? node->raw_dialect : strata_model_get_dialect (model);
    guint n_entries = style == CALL_ARGUMENTS && dialect == STRATA_KERAS_DIALECT_KERAS2 ? 1 : n_positional;

    for (guint i = 0; i < n_entries; i++)
      {
        JsonNode *entry = history_triple (model, g_ptr_array_index (node->inputs, i), dialect, FALSE);

        if (dialect == STRATA_KERAS_DIALECT_KERAS2)
          {
            JsonNode *kwargs = kwargs_node (model, node, dialect);
            JsonObject *object = json_node_get_object (kwargs);

            /* Keras 3 records the default `training` of the call (true for
             * RandomFlip) and lets the model's training flag override it;
             * tf-keras obeys it, so a random layer would run at inference. */
            if (source == STRATA_KERAS_DIALECT_KERAS3 && json_object_has_member (object, "training"))
              json_object_remove_member (object, "training");
            for (guint k = 1; style == CALL_ARGUMENTS && k < n_positional; k++)
              json_object_set_member (object, attention_arguments[k],
                                      history_triple (model, g_ptr_array_index (node->inputs, k), dialect, FALSE));
            json_array_add_element (json_node_get_array (entry), kwargs);
          }
        json_array_add_element (entries, entry);
      }
    result = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (result, entries);
  }
  return result;
}

/* What a model is written as: the Keras dialect and style asked for, the
 * dialect the model was read in, and the first layer the target cannot
 * build to compute the same (a save fails with it). */
typedef struct {
  StrataKerasDialect dialect;
  StrataKerasDialect source;
  StrataConfigStyle  style;
  GError            *refusal;
  gboolean           for_predict;
} Writer;

/* The entry keys of serialize_keras_object (Keras 3, and tf-keras's own
 * .keras archives): legacy configs (to_json and HDF5 model_config of Keras
 * 1/2) have none of them. */
static const char *const saving_lib_keys[] = {
  "module", "registered_name", "build_config", "compile_config", "shared_object_id",
};

static gboolean
is_saving_lib_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (saving_lib_keys); i++)
    if (g_str_equal (key, saving_lib_keys[i]))
      return TRUE;
  return FALSE;
}

/* Whether @writer writes serialize_keras_object objects. */
static gboolean
writes_saving_lib (const Writer *writer)
{
  return writer->dialect == STRATA_KERAS_DIALECT_KERAS3 ||
         (writer->dialect == STRATA_KERAS_DIALECT_KERAS2 && writer->style == STRATA_CONFIG_STYLE_ARCHIVE);
}

/* The module serialize_keras_object names for @layer in @dialect. */
static const char *
default_module (StrataLayer        *layer,
                StrataKerasDialect  dialect)
{
  if (STRATA_IS_SEQUENTIAL (layer))
    return "keras";
  if (STRATA_IS_MODEL (layer))
    return dialect == STRATA_KERAS_DIALECT_KERAS3 ? "keras.src.models.functional"
                                                  : "tf_keras.src.engine.functional";
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    return strata_config_keras3_module (strata_layer_get_class_name (layer));
  return "keras.layers";
}

/* tf-keras builds a layer called on several tensors from the list of
 * their shapes ({"input_shape": [[...], [...]]}); Keras 3 builds the
 * layers that take them as separate arguments from {"shapes_dict":
 * {argument: shape}} (see CallStyle). A MultiHeadAttention given its
 * value (and key) by keyword has only the query's shape there; tf-keras
 * keeps the others in the layer's config (@config). */
static void
convert_build_config (const char *class_name,
                      JsonObject *config,
                      JsonNode   *build_config)
{
  JsonObject *object, *shapes;
  JsonNode *input_shape;
  JsonArray *list;
  guint n;

  if (class_name == NULL || !JSON_NODE_HOLDS_OBJECT (build_config))
    return;
  object = json_node_get_object (build_config);
  input_shape = json_object_get_member (object, "input_shape");
  if (input_shape == NULL || !JSON_NODE_HOLDS_ARRAY (input_shape))
    return;
  list = json_node_get_array (input_shape);
  n = json_array_get_length (list);
  if (g_str_equal (class_name, "MultiHeadAttention") && config != NULL &&
      (n == 0 || !JSON_NODE_HOLDS_ARRAY (json_array_get_element (list, 0))))
    {
      JsonNode *value_shape = json_object_get_member (config, "value_shape");
      JsonNode *key_shape = json_object_get_member (config, "key_shape");

      if (value_shape == NULL || !JSON_NODE_HOLDS_ARRAY (value_shape))
        return;
      shapes = json_object_new ();
      json_object_set_member (shapes, "query_shape", strata_json_node_copy (input_shape));
      json_object_set_member (shapes, "value_shape", strata_json_node_copy (value_shape));
      /* Keras 3 records a key only when the call had one of its own. */
      if (key_shape != NULL && JSON_NODE_HOLDS_ARRAY (key_shape) && !strata_json_equal (key_shape, value_shape))
        json_object_set_member (shapes, "key_shape", strata_json_node_copy (key_shape));
      json_object_remove_member (object, "input_shape");
      json_object_set_object_member (object, "shapes_dict", shapes);
      return;
    }
  if (n < 2 || !JSON_NODE_HOLDS_ARRAY (json_array_get_element (list, 0)))
    return;    /* one tensor's shape */

  shapes = json_object_new ();
  if (g_str_equal (class_name, "MultiHeadAttention") && n < G_N_ELEMENTS (attention_arguments))
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *key = g_strconcat (attention_arguments[i], "_shape", NULL);

        json_object_set_member (shapes, key, strata_json_node_copy (json_array_get_element (list, i)));
      }
  else if (strata_config_class_listed (STRATA_RNN_CLASSES " Bidirectional", class_name))
    {
      json_object_set_member (shapes, "sequences_shape",
                              strata_json_node_copy (json_array_get_element (list, 0)));
      if (n == 2)
        json_object_set_member (shapes, "initial_state_shape",
                                strata_json_node_copy (json_array_get_element (list, 1)));
      else
        {
          JsonArray *states = json_array_new ();

          for (guint i = 1; i < n; i++)
            json_array_add_element (states, strata_json_node_copy (json_array_get_element (list, i)));
          json_object_set_array_member (shapes, "initial_state_shape", states);
        }
    }
  else
    {
      json_object_unref (shapes);
      return;    /* a layer taking one list */
    }
  json_object_remove_member (object, "input_shape");
  json_object_set_object_member (object, "shapes_dict", shapes);
}

/* The build_config of @layer as @writer writes it, or NULL for none:
 * Keras 3's shapes_dict is converted for Keras 3, and left out for
 * tf-keras, which builds only from {"input_shape"} (layers of a graph
 * are built by their calls anyway). */
static JsonNode *
write_build_config (Writer      *writer,
                    StrataLayer *layer,
                    JsonNode    *build_config)
{
  JsonNode *copy;

  if (build_config == NULL || !(writes_saving_lib (writer) || writer->source == writer->dialect))
    return NULL;
  if (writer->dialect != STRATA_KERAS_DIALECT_KERAS3 && JSON_NODE_HOLDS_OBJECT (build_config) &&
      !json_object_has_member (json_node_get_object (build_config), "input_shape"))
    return NULL;
  copy = strata_json_node_copy (build_config);
  if (writer->dialect == STRATA_KERAS_DIALECT_KERAS3 && writer->source != STRATA_KERAS_DIALECT_KERAS3)
    convert_build_config (strata_layer_get_class_name (layer),
                          strata_layer_peek_config_for_reading (layer), copy);
  return copy;
}

static JsonNode *write_model_config_node (Writer *writer, StrataModel *model);

/* A model inside a wrapper's config (TimeDistributed(Sequential(...)),
 * Bidirectional of a model): read it in its own dialect and write it in
 * @writer's, nodes and all. Layers are left as they are when it cannot
 * be read (its wrapper could not have been built either). */
static void
convert_wrapped_models (Writer      *writer,
                        StrataLayer *layer,
                        JsonObject  *config)
{
  static const char *const keys[] = { "layer", "backward_layer" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      JsonNode *member = json_object_get_member (config, keys[k]);
      StrataRegistry *registry = strata_layer_get_load_registry (layer);
      g_autoptr(StrataModel) model = NULL;
      JsonObject *object;
      GType type;

      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      object = json_node_get_object (member);
      type = strata_registry_lookup_object (registry, object);
      if (type == G_TYPE_INVALID || !g_type_is_a (type, STRATA_TYPE_MODEL))
        continue;
      model = strata_model_from_config (object, registry, strata_layer_get_load_flags (layer), NULL);
      if (model == NULL)
        continue;
      {
        Writer inner = { writer->dialect, strata_model_get_dialect (model), writer->style, NULL };
        JsonObject *written = json_object_new ();

        if (writes_saving_lib (&inner))
          json_object_set_string_member (written, "module", default_module (STRATA_LAYER (model), inner.dialect));
        json_object_set_string_member (written, "class_name", model_class_name (model, inner.dialect));
        json_object_set_member (written, "config", write_model_config_node (&inner, model));
        if (writes_saving_lib (&inner))
          {
            if (STRATA_IS_SEQUENTIAL (model))
              json_object_set_null_member (written, "registered_name");
            else
              json_object_set_string_member (written, "registered_name", "Functional");
          }
        if (inner.refusal != NULL && writer->refusal == NULL)
          writer->refusal = g_steal_pointer (&inner.refusal);
        g_clear_error (&inner.refusal);
        json_object_set_object_member (config, keys[k], written);
      }
    }
}

/* The config of a layer (not a model) in @writer's dialect; the class
 * name to write in @class_name. */
static JsonObject *
write_layer_config (Writer       *writer,
                    StrataLayer  *layer,
                    const char  **class_name)
{
  JsonObject *config = strata_layer_get_config (layer);
  StrataConversion conversion = {
    writer->source, writer->dialect, strata_layer_get_load_context (layer)->dim_ordering,
    &writer->refusal, writer->for_predict,
  };

  *class_name = strata_layer_get_class_name (layer);
  if (writer->source != writer->dialect)
    convert_wrapped_models (writer, layer, config);
  *class_name = strata_config_convert_layer (&conversion, *class_name, config);
  return config;
}

/* The shape of argument @position of the layer's first call, or of the
 * keyword argument @keyword; NULL when the call had neither. */
static StrataShape *
call_argument_shape (StrataLayer *layer,
                     guint        position,
                     const char  *keyword)
{
  GPtrArray *nodes = strata_layer_peek_nodes (layer);
  StrataNode *node;
  guint n_positional;

  if (nodes == NULL || nodes->len == 0)
    return NULL;
  node = g_ptr_array_index (nodes, 0);
  n_positional = strata_node_n_positional (node);
  if (position < n_positional)
    return strata_keras_tensor_get_shape (g_ptr_array_index (node->inputs, position));
  for (guint k = 0; node->keywords != NULL && node->keywords[k] != NULL; k++)
    if (g_str_equal (node->keywords[k], keyword) && n_positional + k < node->inputs->len)
      return strata_keras_tensor_get_shape (g_ptr_array_index (node->inputs, n_positional + k));
  return NULL;
}

/* Keras 3 keeps a MultiHeadAttention's build shapes in its build_config
 * (shapes_dict); tf-keras builds the layer in from_config only from
 * query_shape, key_shape and value_shape (the key's defaulting to the
 * value's), and restores no weights into an unbuilt one. */
static void
attention_shapes_from_build_config (StrataLayer *layer,
                                    JsonObject  *config,
                                    JsonNode    *build_config)
{
  JsonNode *shapes = build_config != NULL && JSON_NODE_HOLDS_OBJECT (build_config) ?
                     json_object_get_member (json_node_get_object (build_config), "shapes_dict") : NULL;
  JsonObject *dict;
  JsonNode *query, *value, *key;

  if (shapes == NULL || !JSON_NODE_HOLDS_OBJECT (shapes))
    {
      /* no build_config (a file Strata wrote from tf-keras): the shapes
       * of the first call's query, value and key (the value's if none) */
      StrataShape *q = call_argument_shape (layer, 0, "query");
      StrataShape *v = call_argument_shape (layer, 1, "value");
      StrataShape *k = call_argument_shape (layer, 2, "key");

      if (q == NULL || v == NULL)
        return;
      json_object_set_member (config, "query_shape", strata_json_from_shape (q));
      json_object_set_member (config, "value_shape", strata_json_from_shape (v));
      json_object_set_member (config, "key_shape", strata_json_from_shape (k != NULL ? k : v));
      return;
    }
  dict = json_node_get_object (shapes);
  query = json_object_get_member (dict, "query_shape");
  value = json_object_get_member (dict, "value_shape");
  key = json_object_get_member (dict, "key_shape");
  if (query == NULL || !JSON_NODE_HOLDS_ARRAY (query) || value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    return;
  if (key == NULL || !JSON_NODE_HOLDS_ARRAY (key))
    key = value;
  json_object_set_member (config, "query_shape", strata_json_node_copy (query));
  json_object_set_member (config, "value_shape", strata_json_node_copy (value));
  json_object_set_member (config, "key_shape", strata_json_node_copy (key));
}

/* One entry of a model's "layers": class_name, config and the entry-level
 * keys (Keras 3 module, registered_name, build_config), plus name and
 * inbound_nodes inside a functional model (@owner). */
static JsonNode *
write_layer_entry (Writer      *writer,
                   StrataModel *owner,
                   StrataLayer *layer)
{
  JsonObject *entry = json_object_new ();
  JsonObject *extras = strata_layer_peek_extras (layer);
  StrataKerasDialect dialect = writer->dialect;
  /* Keys from the source's own serialization: kept when it is the target's. */
  gboolean same = writer->source == dialect;
  gboolean saving_lib = writes_saving_lib (writer);
  JsonNode *result;

  if (STRATA_IS_OPAQUE_LAYER (layer))
    {
      /* Re-save exactly what was read. */
      JsonObject *object = strata_opaque_layer_get_object (STRATA_OPAQUE_LAYER (layer));
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &key, &member))
        if (!g_str_equal (key, "name") && !g_str_equal (key, "inbound_nodes"))
          json_object_set_member (entry, key, strata_json_node_copy (member));
    }
  else
    {
      JsonNode *module = same ? json_object_get_member (extras, "module") : NULL;
      JsonNode *registered = same ? json_object_get_member (extras, "registered_name") : NULL;
      JsonNode *build_config = write_build_config (writer, layer, json_object_get_member (extras, "build_config"));
      const char *class_name = NULL;
      JsonNode *config;
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      if (STRATA_IS_MODEL (layer))
        {
          class_name = model_class_name (STRATA_MODEL (layer), dialect);
          config = write_model_config_node (writer, STRATA_MODEL (layer));
        }
      else
        {
          JsonObject *object = write_layer_config (writer, layer, &class_name);

          if (dialect != STRATA_KERAS_DIALECT_KERAS3 && writer->source == STRATA_KERAS_DIALECT_KERAS3 &&
              g_str_equal (class_name, "MultiHeadAttention"))
            attention_shapes_from_build_config (layer, object, json_object_get_member (extras, "build_config"));
          config = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (config, object);
        }

      /* A module names the class as written: none when it changed. */
      if (module != NULL && g_str_equal (class_name, strata_layer_get_class_name (layer)))
        json_object_set_member (entry, "module", strata_json_node_copy (module));
      else if (saving_lib)
        json_object_set_string_member (entry, "module", default_module (layer, dialect));
      json_object_set_string_member (entry, "class_name", class_name);
      json_object_set_member (entry, "config", config);
      if (registered != NULL)
        json_object_set_member (entry, "registered_name", strata_json_node_copy (registered));
      else if (saving_lib && STRATA_IS_MODEL (layer) && !STRATA_IS_SEQUENTIAL (layer))
        json_object_set_string_member (entry, "registered_name", "Functional");
      else if (saving_lib)
        json_object_set_null_member (entry, "registered_name");
      if (build_config != NULL)
        json_object_set_member (entry, "build_config", build_config);

      /* Other keys beside class_name and config, unless they are Keras 3's. */
      if (dialect == STRATA_KERAS_DIALECT_KERAS3 || writer->source != STRATA_KERAS_DIALECT_KERAS3)
        {
          json_object_iter_init_ordered (&iter, extras);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            if (!json_object_has_member (entry, key) && !g_str_equal (key, "module") &&
                !g_str_equal (key, "registered_name") && !g_str_equal (key, "build_config"))
              json_object_set_member (entry, key, strata_json_node_copy (member));
        }
    }

  if (owner != NULL)
    {
      GPtrArray *nodes = strata_layer_peek_nodes (layer);
      JsonArray *inbound = json_array_new ();

      json_object_set_string_member (entry, "name", strata_layer_get_name (layer));
      for (guint i = 0; i < nodes->len; i++)
        {
          StrataNode *node = g_ptr_array_index (nodes, i);

          if (!strata_model_has_node (owner, node))
            continue;
          if (node->inputs->len == 0 && node->raw == NULL)
            continue;    /* an input layer's own call */
          json_array_add_element (inbound, write_node (owner, node, dialect));
        }
      json_object_set_array_member (entry, "inbound_nodes", inbound);
    }

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, entry);
  return result;
}

static JsonNode *
write_endpoints (StrataModel        *model,
                 GPtrArray          *tensors,
                 StrataKerasDialect  dialect)
{
  JsonArray *list;
  JsonNode *node;

  if (dialect == STRATA_KERAS_DIALECT_KERAS3 && tensors->len == 1)
    return history_triple (model, g_ptr_array_index (tensors, 0), dialect, TRUE);

  list = json_array_new ();
  for (guint i = 0; i < tensors->len; i++)
    json_array_add_element (list, history_triple (model, g_ptr_array_index (tensors, i), dialect, TRUE));
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, list);
  return node;
}

/* Whether the stored input_layers/output_layers still name the model's
 * endpoints (a layer may have been renamed). */
static gboolean
endpoints_still_valid (JsonNode  *stored,
                       GPtrArray *tensors)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(JsonNode) wrapper = NULL;

  /* A flat Keras 3 triple is one endpoint; lists hold one per endpoint. */
  if (JSON_NODE_HOLDS_ARRAY (stored) && json_array_get_length (json_node_get_array (stored)) > 0 &&
      JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (stored), 0)))
    {
      JsonArray *list = json_array_new ();

      json_array_add_element (list, json_node_copy (stored));
      wrapper = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (wrapper, list);
      stored = wrapper;
    }
  if (!JSON_NODE_HOLDS_ARRAY (stored))
    return FALSE;   /* dict structures: keep them only when nothing can be checked */
  raw_names (stored, FALSE, names, 0);
  if (names->len != tensors->len)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i),
                   strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (tensors, i)))) != 0)
      return FALSE;
  return TRUE;
}

/* Copies the stored config's keys in order, replacing those @generated has;
 * then appends the generated keys the stored config did not have. */
static JsonObject *
merge_stored (StrataModel *model,
              JsonObject  *generated,
              gboolean     reuse_endpoints)
{
  JsonObject *stored = strata_layer_peek_config (STRATA_LAYER (model));
  JsonObject *config = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, stored);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      gboolean inputs = g_str_equal (key, "input_layers");
      gboolean endpoint = inputs || g_str_equal (key, "output_layers");
      JsonNode *fresh = json_object_get_member (generated, key);
      gboolean reuse = endpoint && reuse_endpoints && !JSON_NODE_HOLDS_NULL (member) &&
                       (JSON_NODE_HOLDS_OBJECT (member) ||
                        endpoints_still_valid (member, inputs ? strata_model_peek_inputs (model)
                                                              : strata_model_peek_outputs (model)));

      if (fresh != NULL && !reuse)
        json_object_set_member (config, key, strata_json_node_copy (fresh));
      else
        json_object_set_member (config, key, strata_json_node_copy (member));
    }
  json_object_iter_init_ordered (&iter, generated);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    if (!json_object_has_member (config, key))
      json_object_set_member (config, key, strata_json_node_copy (member));
  return config;
}

/* A model's own dtype policy for Keras 1/2, which take the policy name
 * where Keras 3 keeps a DTypePolicy object (its layers are converted with
 * the rest of their config). Goes into @generated, which replaces the
 * stored key. */
static void
write_model_dtype (Writer      *writer,
                   StrataModel *model,
                   JsonObject  *generated)
{
  JsonNode *dtype = json_object_get_member (strata_layer_peek_config (STRATA_LAYER (model)), "dtype");
  JsonObject *policy, *policy_config;
  const char *class_name, *name;

  if (writer->dialect == STRATA_KERAS_DIALECT_KERAS3 || dtype == NULL || !JSON_NODE_HOLDS_OBJECT (dtype))
    return;
  policy = json_node_get_object (dtype);
  class_name = json_object_get_string_member_with_default (policy, "class_name", NULL);
  policy_config = json_object_has_member (policy, "config") &&
                  JSON_NODE_HOLDS_OBJECT (json_object_get_member (policy, "config"))
                  ? json_object_get_object_member (policy, "config") : NULL;
  name = policy_config != NULL ? json_object_get_string_member_with_default (policy_config, "name", NULL) : NULL;
  if (class_name != NULL && name != NULL && g_str_has_suffix (class_name, "DTypePolicy"))
    json_object_set_string_member (generated, "dtype", name);
}

static JsonNode *
write_sequential (Writer           *writer,
                  StrataSequential *model,
                  gboolean          allow_list)
{
  GPtrArray *layers = strata_model_peek_layers (STRATA_MODEL (model));
  StrataLayer *input = strata_sequential_peek_input_layer (model);
  StrataKerasDialect dialect = writer->dialect, source = writer->source;
  g_autoptr(JsonObject) generated = json_object_new ();
  JsonArray *entries = json_array_new ();
  gboolean list_form;
  JsonNode *result;

  /* Keras 3 always writes the input layer (its layers take no batch_input_shape). */
  if (input != NULL && (strata_sequential_input_is_explicit (model) ||
                        (dialect == STRATA_KERAS_DIALECT_KERAS3 && source != STRATA_KERAS_DIALECT_KERAS3)))
    json_array_add_element (entries, write_layer_entry (writer, NULL, input));
  for (guint i = 0; i < layers->len; i++)
    json_array_add_element (entries, write_layer_entry (writer, NULL, g_ptr_array_index (layers, i)));

  list_form = allow_list && (dialect == STRATA_KERAS_DIALECT_KERAS1 ||
                             (strata_sequential_get_list_form (model) && dialect == source));
  if (list_form)
    {
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, entries);
      return result;
    }

  json_object_set_string_member (generated, "name", strata_layer_get_name (STRATA_LAYER (model)));
  if (json_object_has_member (strata_layer_peek_config (STRATA_LAYER (model)), "trainable"))
    json_object_set_boolean_member (generated, "trainable", strata_layer_get_trainable (STRATA_LAYER (model)));
  json_object_set_array_member (generated, "layers", entries);
  write_model_dtype (writer, STRATA_MODEL (model), generated);

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, merge_stored (STRATA_MODEL (model), generated, FALSE));
  return result;
}

static JsonNode *
write_functional (Writer      *writer,
                  StrataModel *model)
{
  GPtrArray *layers = strata_model_peek_layers (model);
  StrataKerasDialect dialect = writer->dialect;
  g_autoptr(JsonObject) generated = json_object_new ();
  JsonArray *entries = json_array_new ();
  JsonNode *result;

  json_object_set_string_member (generated, "name", strata_layer_get_name (STRATA_LAYER (model)));
  if (dialect == STRATA_KERAS_DIALECT_KERAS3 ||
      json_object_has_member (strata_layer_peek_config (STRATA_LAYER (model)), "trainable"))
    json_object_set_boolean_member (generated, "trainable", strata_layer_get_trainable (STRATA_LAYER (model)));
  for (guint i = 0; i < layers->len; i++)
    json_array_add_element (entries, write_layer_entry (writer, model, g_ptr_array_index (layers, i)));
  json_object_set_array_member (generated, "layers", entries);
  json_object_set_member (generated, "input_layers",
                          write_endpoints (model, strata_model_peek_inputs (model), dialect));
  json_object_set_member (generated, "output_layers",
                          write_endpoints (model, strata_model_peek_outputs (model), dialect));
  write_model_dtype (writer, model, generated);

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, merge_stored (model, generated, dialect == writer->source));
  return result;
}

static JsonNode *
write_model_config_node (Writer      *writer,
                         StrataModel *model)
{
  if (STRATA_IS_SEQUENTIAL (model))
    return write_sequential (writer, STRATA_SEQUENTIAL (model), TRUE);
  return write_functional (writer, model);
}

JsonObject *
strata_config_write_model_config (StrataModel        *self,
                                  StrataKerasDialect  dialect)
{
  Writer writer = { dialect, strata_model_get_dialect (self), STRATA_CONFIG_STYLE_MODEL_JSON, NULL };
  g_autoptr(JsonNode) node = NULL;

  if (STRATA_IS_SEQUENTIAL (self))
    node = write_sequential (&writer, STRATA_SEQUENTIAL (self), FALSE);
  else
    node = write_functional (&writer, self);
  g_clear_error (&writer.refusal);
  return json_object_ref (json_node_get_object (node));
}

/* The keras_version written: the model's when it belongs to @dialect. */
static const char *
version_for (StrataModel        *self,
             StrataKerasDialect  dialect)
{
  const char *version = strata_model_get_keras_version (self);
  const char *prefix = dialect == STRATA_KERAS_DIALECT_KERAS1 ? "1." : "2.";

  if (version != NULL && g_str_has_prefix (version, prefix))
    return version;
  return dialect == STRATA_KERAS_DIALECT_KERAS1 ? "1.2.2" : "2.15.0";
}

/* The top-level object of the model: serialize_keras_object's for Keras 3
 * and .keras archives, else to_json()'s. */
static JsonObject *
write_top (Writer      *writer,
           StrataModel *self)
{
  JsonObject *extras = strata_layer_peek_extras (STRATA_LAYER (self));
  JsonObject *top = json_object_new ();
  gboolean same = writer->source == writer->dialect;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  if (writes_saving_lib (writer))
    {
      JsonNode *module = same ? json_object_get_member (extras, "module") : NULL;
      JsonNode *registered = same ? json_object_get_member (extras, "registered_name") : NULL;
      JsonNode *build_config = write_build_config (writer, STRATA_LAYER (self),
                                                   json_object_get_member (extras, "build_config"));

      if (module != NULL)
        json_object_set_member (top, "module", strata_json_node_copy (module));
      else
        json_object_set_string_member (top, "module", default_module (STRATA_LAYER (self), writer->dialect));
      json_object_set_string_member (top, "class_name", model_class_name (self, writer->dialect));
      json_object_set_member (top, "config", write_model_config_node (writer, self));
      if (registered != NULL)
        json_object_set_member (top, "registered_name", strata_json_node_copy (registered));
      else if (STRATA_IS_SEQUENTIAL (self))
        json_object_set_null_member (top, "registered_name");
      else
        json_object_set_string_member (top, "registered_name", "Functional");
      if (build_config != NULL)
        json_object_set_member (top, "build_config", build_config);
      if (same)
        {
          json_object_iter_init_ordered (&iter, extras);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            if (!json_object_has_member (top, key))
              json_object_set_member (top, key, strata_json_node_copy (member));
        }
      return top;
    }

  json_object_set_string_member (top, "class_name", model_class_name (self, writer->dialect));
  json_object_set_member (top, "config", write_model_config_node (writer, self));
  json_object_set_string_member (top, "keras_version", version_for (self, writer->dialect));
  if (writer->dialect == STRATA_KERAS_DIALECT_KERAS2 || strata_model_get_backend (self) != NULL)
    json_object_set_string_member (top, "backend",
                                   strata_model_get_backend (self) != NULL ?
                                   strata_model_get_backend (self) : "tensorflow");
  if (writer->source != STRATA_KERAS_DIALECT_KERAS3)
    {
      json_object_iter_init_ordered (&iter, extras);
      while (json_object_iter_next_ordered (&iter, &key, &member))
        if (!json_object_has_member (top, key) && !is_saving_lib_key (key))
          json_object_set_member (top, key, strata_json_node_copy (member));
    }
  return top;
}

/* write_top(), or NULL with the first refusal. */
static JsonObject *
write_checked (Writer *writer, StrataModel *self, GError **error)
{
  JsonObject *top = write_top (writer, self);

  if (writer->refusal != NULL)
    {
      g_propagate_error (error, writer->refusal);
      json_object_unref (top);
      return NULL;
    }
  return top;
}

/**
 * strata_model_to_config_object_full:
 * @self: a model
 * @dialect: the Keras dialect to write; %STRATA_KERAS_DIALECT_AUTO keeps the
 *   one the model was read in (Keras 2 for a model made in code)
 * @style: the serialization the config is for: `to_json()`, HDF5 and
 *   SavedModel files, or the `config.json` of a `.keras` archive
 * @error: return location for a [struct@GLib.Error]
 *
 * Serializes the model for the Keras of @dialect, as that Keras writes it
 * in @style. This is the one entry point format writers use: the dialect
 * written follows the target, never the source. A model read in another
 * dialect is converted layer by layer: renamed keys and classes (Keras 1
 * names become Keras 2's), keys the target refuses dropped when their
 * value is the one the target means without them, defaults that changed
 * written out (a GRU's `reset_after`), call nodes rewritten. A layer the
 * target Keras cannot build to compute the same (a class, argument value
 * or activation it lacks or computes differently) fails with
 * %STRATA_CONFIG_ERROR_NO_EQUIVALENT naming the layer.
 *
 * Keras 1 is written only for models read from Keras 1 configs.
 *
 * Returns: (transfer full) (nullable): the serialized model, or %NULL
 *   with @error set
 */
JsonObject *
strata_model_to_config_object_full (StrataModel        *self,
                                    StrataKerasDialect  dialect,
                                    StrataConfigStyle   style,
                                    GError            **error)
{
  Writer writer;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  writer = (Writer) { strata_model_resolve_dialect (self, dialect), strata_model_get_dialect (self), style,
                      NULL, FALSE };
  return write_checked (&writer, self, error);
}

JsonObject *
strata_model_to_predict_config (StrataModel *self, GError **error)
{
  Writer writer = { STRATA_KERAS_DIALECT_KERAS2, strata_model_get_dialect (self),
                    STRATA_CONFIG_STYLE_MODEL_JSON, NULL, TRUE };

  return write_checked (&writer, self, error);
}

/**
 * strata_model_to_config_object:
 * @self: a model
 * @dialect: the Keras dialect to write; %STRATA_KERAS_DIALECT_AUTO keeps the
 *   one the model was read in (Keras 2 for a model made in code)
 *
 * Serializes the model as Keras does: `{"class_name", "config",
 * "keras_version", "backend"}` for Keras 1/2 `to_json()`, the
 * `{"module", "class_name", "config", "registered_name", ...}` object for
 * Keras 3. Keys read from a file are kept in their order.
 *
 * A layer that has no exact equivalent in @dialect is written as well as
 * it can be (the target Keras may refuse it or build another layer);
 * [method@Strata.Model.to_config_object_full] refuses such models instead.
 *
 * Returns: (transfer full): the serialized model
 */
JsonObject *
strata_model_to_config_object (StrataModel        *self,
                               StrataKerasDialect  dialect)
{
  Writer writer;
  JsonObject *top;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);

  writer.source = strata_model_get_dialect (self);
  writer.dialect = strata_model_resolve_dialect (self, dialect);
  writer.style = STRATA_CONFIG_STYLE_MODEL_JSON;
  writer.refusal = NULL;
  top = write_top (&writer, self);
  g_clear_error (&writer.refusal);
  return top;
}

/**
 * strata_model_to_json:
 * @self: a model
 * @dialect: the Keras dialect to write (see [method@Strata.Model.to_config_object])
 * @pretty: whether to indent the output
 *
 * Serializes the model to JSON as Keras `model.to_json()` does (Python
 * `json.dumps` style).
 *
 * Returns: (transfer full): the JSON text
 */
char *
strata_model_to_json (StrataModel        *self,
                      StrataKerasDialect  dialect,
                      gboolean            pretty)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, strata_model_to_config_object (self, dialect));
  return strata_json_to_string (root, pretty);
}
