/* kv3-plan.c: Keras 3 weight paths computed from the model's Keras 3 config
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "kv3-plan.h"
#include "kv3-weights.h"

static void
layer_plan_free (gpointer data)
{
  Kv3LayerPlan *lp = data;

  g_free (lp->path);
  g_ptr_array_unref (lp->groups);
  g_ptr_array_unref (lp->weights);
  g_array_unref (lp->indices);
  g_free (lp);
}

void
kv3_plan_free (Kv3Plan *plan)
{
  g_ptr_array_unref (plan->layers);
  g_ptr_array_unref (plan->vars_paths);
  g_ptr_array_unref (plan->vars_names);
  g_free (plan);
}

char *
kv3_snake_case (const char *class_name)
{
  static GRegex *patterns[3];
  static gsize initialized = 0;
  static const char *const replacements[3] = { "", "\\1_\\2", "\\1_\\2" };
  g_autofree char *name = g_strdup (class_name);

  if (g_once_init_enter (&initialized))
    {
      patterns[0] = g_regex_new ("\\W+", G_REGEX_OPTIMIZE, 0, NULL);
      patterns[1] = g_regex_new ("(.)([A-Z][a-z]+)", G_REGEX_OPTIMIZE, 0, NULL);
      patterns[2] = g_regex_new ("([a-z])([A-Z])", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&initialized, 1);
    }
  for (guint i = 0; i < 3; i++)
    {
      char *next = g_regex_replace (patterns[i], name, -1, 0, replacements[i], 0, NULL);

      if (next == NULL)
        break;
      g_free (name);
      name = next;
    }
  return g_ascii_strdown (name, -1);
}

static void
add_vars (Kv3Plan *plan, GHashTable *seen, const char *path, const char *name)
{
  if (g_hash_table_contains (seen, path))
    return;
  g_hash_table_add (seen, g_strdup (path));
  g_ptr_array_add (plan->vars_paths, g_strdup (path));
  g_ptr_array_add (plan->vars_names, g_strdup (name));
}

/* Layers holding their weights in a cell (`<path>/cell/vars`). */
static gboolean
holds_cell (const char *class_name)
{
  static const char *const classes[] = {
    "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (g_strcmp0 (class_name, classes[i]) == 0)
      return TRUE;
  return FALSE;
}

/* What plan_object() needs of one layer: its weights' names split at "/"
 * (without the layer's name and ":0"), and where each slot goes. */
typedef struct {
  Kv3Plan      *plan;
  gboolean      tf_keras;  /* tf-keras's attribute names */
  GHashTable   *seen;
  Kv3LayerPlan *lp;
  GPtrArray    *parts;    /* (element-type GStrv) per slot */
  GHashTable   *counts;   /* vars group -> datasets planned in it */
} LayerCtx;

static JsonObject *
entry_config (JsonObject *entry)
{
  JsonNode *config = entry != NULL ? json_object_get_member (entry, "config") : NULL;

  return config != NULL && JSON_NODE_HOLDS_OBJECT (config) ? json_node_get_object (config) : NULL;
}

static JsonObject *
member_object (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* @member of @object when it is a string, else "". */
static const char *
string_member (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : "";
}

static const char *
entry_class (JsonObject *entry)
{
  return string_member (entry, "class_name");
}

static const char *
entry_name (JsonObject *entry)
{
  return string_member (entry_config (entry), "name");
}

/* Slot @slot holds the variable @variable ("kernel"). */
static gboolean
slot_is (LayerCtx *ctx, guint slot, const char *variable)
{
  GStrv parts = g_ptr_array_index (ctx->parts, slot);
  guint n = g_strv_length (parts);

  return n > 0 && g_str_equal (parts[n - 1], variable);
}

static void
group_add (LayerCtx *ctx, const char *base, const char *name)
{
  g_autofree char *vars = g_strconcat (base, "/vars", NULL);

  add_vars (ctx->plan, ctx->seen, vars, name);
}

static char *
child_path (const char *base, const char *attribute)
{
  return g_strconcat (base, "/", attribute, NULL);
}

static void
assign_slot (LayerCtx *ctx, guint slot, const char *vars)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (ctx->counts, vars));

  g_hash_table_insert (ctx->counts, g_strdup (vars), GUINT_TO_POINTER (index + 1));
  g_free (g_ptr_array_index (ctx->lp->groups, slot));
  g_ptr_array_index (ctx->lp->groups, slot) = g_strdup (vars);
  g_array_index (ctx->lp->indices, guint, slot) = index;
}

static void plan_object (LayerCtx *ctx, JsonObject *entry, const char *base,
                         const char *name, GArray *slots);

/* MultiHeadAttention tracks its EinsumDense projections as query_dense,
 * key_dense, value_dense and output_dense (Strata: query/, key/, value/,
 * attention_output/, in that order, each kernel then bias), plus a
 * Softmax and a Dropout without variables. Keras visits public
 * attributes in sorted order, then private ones (saving_lib._name_key). */
static void
plan_attention (LayerCtx *ctx, const char *base, GArray *slots)
{
  static const struct { const char *attribute, *name; guint order; } children[] = {
    { "key_dense", "key", 1 },
    { "output_dense", "attention_output", 3 },
    { "query_dense", "query", 0 },
    { "value_dense", "value", 2 },
    { "_dropout_layer", "dropout", G_MAXUINT },
    { "_softmax", "softmax", G_MAXUINT },
  };
  guint per = slots->len / 4;

  for (guint c = 0; c < G_N_ELEMENTS (children); c++)
    {
      /* tf-keras has no public properties for them. */
      g_autofree char *attribute = ctx->tf_keras && children[c].attribute[0] != '_'
                                   ? g_strconcat ("_", children[c].attribute, NULL)
                                   : g_strdup (children[c].attribute);
      g_autofree char *path = child_path (base, attribute);
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (guint));

      /* use_bias=False leaves one weight per projection */
      if (children[c].order != G_MAXUINT && slots->len % 4 == 0)
        g_array_append_vals (mine, &g_array_index (slots, guint, children[c].order * per), per);
      plan_object (ctx, NULL, path, children[c].name, mine);
    }
}

/* Bidirectional tracks forward_layer and backward_layer (sorted: backward
 * first). Strata holds the forward layer's weights, then the backward's,
 * each named under its layer ("forward_lstm/..."). */
static void
plan_bidirectional (LayerCtx *ctx, JsonObject *config, const char *base, GArray *slots)
{
  JsonObject *inner = member_object (config, "layer");
  JsonObject *own_backward = member_object (config, "backward_layer");
  const char *inner_name = entry_name (inner);
  g_autofree char *fname = NULL, *bname = NULL;
  g_autofree char *fpath = child_path (base, "forward_layer");
  g_autofree char *bpath = child_path (base, "backward_layer");
  g_autoptr(GArray) forward = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) backward = g_array_new (FALSE, FALSE, sizeof (guint));
  GStrv first = slots->len > 0 ? g_ptr_array_index (ctx->parts, g_array_index (slots, guint, 0)) : NULL;
  gboolean named = first != NULL && g_strv_length (first) > 1;

  /* Keras names the copies "forward_<layer>" / "backward_<layer>"; Keras 3
   * configs already hold the forward copy ("forward_lstm"). */
  if (g_str_has_prefix (inner_name, "forward_"))
    inner_name += strlen ("forward_");
  fname = g_strconcat ("forward_", inner_name, NULL);
  bname = g_strconcat ("backward_", inner_name, NULL);

  for (guint i = 0; i < slots->len; i++)
    {
      guint slot = g_array_index (slots, guint, i);
      gboolean is_forward = named ? g_str_equal (((GStrv) g_ptr_array_index (ctx->parts, slot))[0], first[0])
                                  : i < slots->len / 2;

      g_array_append_val (is_forward ? forward : backward, slot);
    }
  plan_object (ctx, own_backward != NULL ? own_backward : inner, bpath,
               own_backward != NULL ? entry_name (own_backward) : bname, backward);
  plan_object (ctx, inner, fpath, fname, forward);
}

/* A generic RNN tracks its cell; a list of cells is a StackedRNNCells that
 * tracks them in a list, "cells/<snake_case(class)>[_n]". */
static void
plan_rnn (LayerCtx *ctx, JsonObject *config, const char *base, GArray *slots)
{
  JsonNode *cell = config != NULL ? json_object_get_member (config, "cell") : NULL;
  JsonObject *cell_object = cell != NULL && JSON_NODE_HOLDS_OBJECT (cell) ? json_node_get_object (cell) : NULL;
  JsonArray *cells = NULL;
  g_autofree char *cell_path = child_path (base, "cell");
  g_autoptr(GHashTable) counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint next = 0;

  if (cell != NULL && JSON_NODE_HOLDS_ARRAY (cell))
    cells = json_node_get_array (cell);
  else if (g_strcmp0 (entry_class (cell_object), "StackedRNNCells") == 0)
    {
      JsonObject *stacked = entry_config (cell_object);
      JsonNode *list = stacked != NULL ? json_object_get_member (stacked, "cells") : NULL;

      cells = list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
    }
  if (cells == NULL)
    {
      plan_object (ctx, cell_object, cell_path, entry_name (cell_object), slots);
      return;
    }
  group_add (ctx, cell_path, cell_object != NULL && entry_name (cell_object)[0] ? entry_name (cell_object)
                                                                                : "stacked_rnn_cells");
  for (guint c = 0; c < json_array_get_length (cells); c++)
    {
      JsonNode *node = json_array_get_element (cells, c);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autofree char *snake = kv3_snake_case (entry_class (entry));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counters, snake));
      g_autofree char *path = count == 0
                              ? g_strdup_printf ("%s/cells/%s", cell_path, snake)
                              : g_strdup_printf ("%s/cells/%s_%u", cell_path, snake, count);
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (guint));
      gboolean last = c + 1 == json_array_get_length (cells);

      g_hash_table_insert (counters, g_strdup (snake), GUINT_TO_POINTER (count + 1));
      /* The cells' weights come in cell order, each built-in cell's first
       * being its "kernel" (whatever the naming scheme scopes it under);
       * the last cell takes whatever is left. */
      while (next < slots->len &&
             (last || mine->len == 0 || !slot_is (ctx, g_array_index (slots, guint, next), "kernel")))
        g_array_append_val (mine, g_array_index (slots, guint, next++));
      plan_object (ctx, entry, path, entry_name (entry), mine);
    }
}

/* A model wrapped whole (TimeDistributed(Sequential(...))): Keras tracks
 * its layers as a nested model does, "layers/<snake_case(class)>[_n]";
 * each takes the slots named under it ("step_dense/kernel", or under the
 * model too in Keras 3's naming, "step_model/step_dense/kernel"). */
static void
plan_wrapped_model (LayerCtx *ctx, JsonObject *entry, const char *base, GArray *slots)
{
  JsonNode *node = json_object_get_member (entry_config (entry), "layers");
  JsonArray *layers = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  gboolean sequential = g_strcmp0 (entry_class (entry), "Sequential") == 0;
  g_autoptr(GHashTable) counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonNode *element = json_array_get_element (layers, i);
      JsonObject *le = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *name = entry_name (le);
      g_autofree char *snake = kv3_snake_case (entry_class (le));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counters, snake));
      g_autofree char *path = NULL;
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (guint));

      if (sequential && g_strcmp0 (entry_class (le), "InputLayer") == 0)
        continue;
      g_hash_table_insert (counters, g_strdup (snake), GUINT_TO_POINTER (count + 1));
      path = count == 0 ? g_strdup_printf ("%s/layers/%s", base, snake)
                        : g_strdup_printf ("%s/layers/%s_%u", base, snake, count);
      for (guint k = 0; k < slots->len; k++)
        {
          GStrv parts = g_ptr_array_index (ctx->parts, g_array_index (slots, guint, k));
          guint n = g_strv_length (parts);

          if ((n > 1 && g_str_equal (parts[0], name)) ||
              (n > 2 && g_str_equal (parts[0], entry_name (entry)) && g_str_equal (parts[1], name)))
            g_array_append_val (mine, g_array_index (slots, guint, k));
        }
      plan_object (ctx, le, path, name, mine);
    }
}

/* Plans the Keras object described by @entry (class_name + config; NULL
 * for a plain layer) at @base, which holds the weight @slots of the layer
 * being planned. */
static void
plan_object (LayerCtx *ctx, JsonObject *entry, const char *base, const char *name, GArray *slots)
{
  const char *class_name = entry_class (entry);
  JsonObject *config = entry_config (entry);
  g_autofree char *vars = g_strconcat (base, "/vars", NULL);

  group_add (ctx, base, name);
  if (g_strcmp0 (class_name, "MultiHeadAttention") == 0)
    plan_attention (ctx, base, slots);
  else if (g_strcmp0 (class_name, "Bidirectional") == 0)
    plan_bidirectional (ctx, config, base, slots);
  else if (g_strcmp0 (class_name, "TimeDistributed") == 0)
    {
      JsonObject *inner = member_object (config, "layer");
      g_autofree char *path = child_path (base, "layer");

      plan_object (ctx, inner, path, entry_name (inner), slots);
    }
  else if (g_strcmp0 (class_name, "RNN") == 0)
    plan_rnn (ctx, config, base, slots);
  else if (config != NULL && json_object_has_member (config, "layers"))
    plan_wrapped_model (ctx, entry, base, slots);
  else if (holds_cell (class_name))
    {
      /* Keras names the cell after its class: LSTMCell "lstm_cell",
       * ConvLSTMCell "conv_lstm_cell". */
      g_autofree char *snake = kv3_snake_case (g_str_has_prefix (class_name, "ConvLSTM") ? "ConvLSTM"
                                                                                      : class_name);
      g_autofree char *cell_name = g_strconcat (snake, "_cell", NULL);
      g_autofree char *path = child_path (base, "cell");

      plan_object (ctx, NULL, path, cell_name, slots);
    }
  else
    for (guint i = 0; i < slots->len; i++)
      assign_slot (ctx, g_array_index (slots, guint, i), vars);
}

/* The weights' names of @layer without "<layer>/" and ":0", split at "/". */
static GPtrArray *
split_weight_names (StrataLayer *layer)
{
  g_auto(GStrv) names = strata_layer_get_weight_names (layer);
  g_autofree char *prefix = g_strconcat (strata_layer_get_name (layer), "/", NULL);
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      const char *name = g_str_has_prefix (names[i], prefix) ? names[i] + strlen (prefix) : names[i];
      g_autofree char *bare = g_strdup (name);
      char *colon = strrchr (bare, ':');

      if (colon != NULL && strchr (colon, '/') == NULL)
        *colon = '\0';
      g_ptr_array_add (parts, g_strsplit (bare, "/", -1));
    }
  return parts;
}

static void
plan_layer (Kv3Plan *plan, GHashTable *seen, StrataLayer *layer, JsonObject *entry,
            const char *path)
{
  Kv3LayerPlan *lp = g_new0 (Kv3LayerPlan, 1);
  g_autoptr(GPtrArray) parts = split_weight_names (layer);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *own = g_strconcat (path, "/vars", NULL);
  LayerCtx ctx = { plan, plan->tf_keras, seen, lp, parts, counts };
  guint n;

  lp->layer = layer;
  lp->path = g_strdup (path);
  lp->weights = strata_layer_get_weights (layer);
  n = lp->weights->len;
  lp->groups = g_ptr_array_new_full (n, g_free);
  g_ptr_array_set_size (lp->groups, n);
  lp->indices = g_array_sized_new (FALSE, TRUE, sizeof (guint), n);
  g_array_set_size (lp->indices, n);
  while (parts->len < n)
    g_ptr_array_add (parts, g_strsplit ("", "/", -1));
  for (guint i = 0; i < n; i++)
    g_array_append_val (slots, i);
  plan_object (&ctx, entry, path, strata_layer_get_name (layer), slots);
  /* Weights of a structure not foreseen (MultiHeadAttention without four
   * projections) stay in the layer's own group. */
  for (guint i = 0; i < n; i++)
    if (g_ptr_array_index (lp->groups, i) == NULL)
      assign_slot (&ctx, i, own);
  g_ptr_array_add (plan->layers, lp);
}

/* The archive's config is untrusted: json-glib's typed getters are
 * criticals on a missing member or one of another type. */
static JsonObject *
object_of (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_of (JsonObject *object, const char *member, const char *default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return default_value;
  return json_node_get_string (node);
}

static gboolean
plan_model (Kv3Plan *plan, GHashTable *seen, StrataModel *model, JsonObject *entry,
            const char *base, GError **error)
{
  const char *class_name = string_of (entry, "class_name", "");
  JsonObject *config = object_of (json_object_get_member (entry, "config"));
  JsonNode *layers_node = config != NULL ? json_object_get_member (config, "layers") : NULL;
  JsonArray *layers = layers_node != NULL && JSON_NODE_HOLDS_ARRAY (layers_node)
                      ? json_node_get_array (layers_node) : NULL;
  gboolean sequential = g_strcmp0 (class_name, "Sequential") == 0;
  g_autoptr(GHashTable) counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *vars = base[0] ? g_strconcat (base, "/vars", NULL) : g_strdup ("vars");

  add_vars (plan, seen, vars, strata_layer_get_name (STRATA_LAYER (model)));
  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonObject *le = object_of (json_array_get_element (layers, i));
      const char *lclass = string_of (le, "class_name", "");
      JsonObject *lconfig = le != NULL ? object_of (json_object_get_member (le, "config")) : NULL;
      const char *name = string_of (lconfig, "name", NULL);
      g_autofree char *snake = NULL, *container = NULL, *path = NULL;
      StrataLayer *layer;
      guint count;

      if (sequential && g_strcmp0 (lclass, "InputLayer") == 0)
        continue;
      layer = name != NULL ? strata_model_get_layer (model, name) : NULL;
      if (layer == NULL)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a layer index, a layer name, then a model name */
                       _("Layer %u (%s) of model “%s” is not in the model"),
                       i, name != NULL ? name : "?", strata_layer_get_name (STRATA_LAYER (model)));
          return FALSE;
        }
      snake = kv3_snake_case (lclass);
      count = GPOINTER_TO_UINT (g_hash_table_lookup (counters, snake));
      g_hash_table_insert (counters, g_strdup (snake), GUINT_TO_POINTER (count + 1));
      container = count == 0 ? g_strdup (snake) : g_strdup_printf ("%s_%u", snake, count);
      path = base[0] ? g_strdup_printf ("%s/layers/%s", base, container)
                     : g_strdup_printf ("layers/%s", container);
      if (STRATA_IS_MODEL (layer) && lconfig != NULL && json_object_has_member (lconfig, "layers"))
        {
          if (!plan_model (plan, seen, STRATA_MODEL (layer), le, path, error))
            return FALSE;
        }
      else
        plan_layer (plan, seen, layer, le, path);
    }
  return TRUE;
}

Kv3Plan *
kv3_plan_new (StrataModel *model, StrataKerasDialect dialect, GError **error)
{
  g_autoptr(Kv3Plan) plan = g_new0 (Kv3Plan, 1);
  /* The classes and order the target Keras rebuilds the model with. */
  g_autoptr(JsonObject) entry = strata_model_to_config_object (model, dialect);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  plan->tf_keras = dialect != STRATA_KERAS_DIALECT_KERAS3;
  plan->layers = g_ptr_array_new_with_free_func (layer_plan_free);
  plan->vars_paths = g_ptr_array_new_with_free_func (g_free);
  plan->vars_names = g_ptr_array_new_with_free_func (g_free);
  if (!plan_model (plan, seen, model, entry, "", error))
    return NULL;
  return g_steal_pointer (&plan);
}
