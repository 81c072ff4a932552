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
    "LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (g_strcmp0 (class_name, classes[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The vars group of an object of @class_name at @base: its own, or its
 * cell's (the RNN's own vars group is kept, empty). */
static char *
object_group (Kv3Plan *plan, GHashTable *seen, const char *base, const char *class_name,
              const char *name)
{
  g_autofree char *own = g_strconcat (base, "/vars", NULL);
  g_autofree char *snake = NULL, *cell_name = NULL;

  add_vars (plan, seen, own, name);
  if (!holds_cell (class_name))
    return g_steal_pointer (&own);
  snake = kv3_snake_case (class_name);
  cell_name = g_strconcat (snake, "_cell", NULL);
  g_free (own);
  own = g_strconcat (base, "/cell/vars", NULL);
  add_vars (plan, seen, own, cell_name);
  return g_steal_pointer (&own);
}

/* The wrapped layer's entry of a Bidirectional / TimeDistributed config. */
static void
inner_entry (JsonObject *entry, const char **class_name, const char **name)
{
  JsonObject *config = json_object_get_object_member (entry, "config");
  JsonNode *layer = config != NULL ? json_object_get_member (config, "layer") : NULL;
  JsonObject *lo = layer != NULL && JSON_NODE_HOLDS_OBJECT (layer) ? json_node_get_object (layer) : NULL;
  JsonNode *lc = lo != NULL ? json_object_get_member (lo, "config") : NULL;

  *class_name = lo != NULL ? json_object_get_string_member_with_default (lo, "class_name", "") : "";
  *name = lc != NULL && JSON_NODE_HOLDS_OBJECT (lc)
          ? json_object_get_string_member_with_default (json_node_get_object (lc), "name", "") : "";
}

static void
plan_layer (Kv3Plan *plan, GHashTable *seen, StrataLayer *layer, JsonObject *entry,
            const char *path)
{
  const char *class_name = json_object_get_string_member_with_default (entry, "class_name", "");
  Kv3LayerPlan *lp = g_new0 (Kv3LayerPlan, 1);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *own = g_strconcat (path, "/vars", NULL);
  g_autofree char *first = NULL, *second = NULL;
  const char *inner_class, *inner_name;
  guint n;

  lp->layer = layer;
  lp->path = g_strdup (path);
  lp->weights = strata_layer_get_weights (layer);
  lp->groups = g_ptr_array_new_with_free_func (g_free);
  lp->indices = g_array_new (FALSE, FALSE, sizeof (guint));
  n = lp->weights->len;
  add_vars (plan, seen, own, strata_layer_get_name (layer));
  inner_entry (entry, &inner_class, &inner_name);
  if (g_strcmp0 (class_name, "Bidirectional") == 0)
    {
      /* Both directions wrap the same architecture: half the weights each. */
      g_autofree char *fbase = g_strconcat (path, "/forward_layer", NULL);
      g_autofree char *bbase = g_strconcat (path, "/backward_layer", NULL);
      g_autofree char *fname = g_strconcat ("forward_", inner_name, NULL);
      g_autofree char *bname = g_strconcat ("backward_", inner_name, NULL);

      first = object_group (plan, seen, fbase, inner_class, fname);
      second = object_group (plan, seen, bbase, inner_class, bname);
    }
  else if (g_strcmp0 (class_name, "TimeDistributed") == 0)
    {
      g_autofree char *base = g_strconcat (path, "/layer", NULL);

      first = object_group (plan, seen, base, inner_class, inner_name);
    }
  else
    first = object_group (plan, seen, path, class_name, strata_layer_get_name (layer));
  for (guint i = 0; i < n; i++)
    {
      const char *group = second != NULL && i >= n / 2 ? second : first;
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (counts, group));

      g_hash_table_insert (counts, g_strdup (group), GUINT_TO_POINTER (index + 1));
      g_ptr_array_add (lp->groups, g_strdup (group));
      g_array_append_val (lp->indices, index);
    }
  g_ptr_array_add (plan->layers, lp);
}

static gboolean
plan_model (Kv3Plan *plan, GHashTable *seen, StrataModel *model, JsonObject *entry,
            const char *base, GError **error)
{
  const char *class_name = json_object_get_string_member_with_default (entry, "class_name", "");
  JsonObject *config = json_object_get_object_member (entry, "config");
  JsonArray *layers = config != NULL && json_object_has_member (config, "layers")
                      ? json_object_get_array_member (config, "layers") : NULL;
  gboolean sequential = g_strcmp0 (class_name, "Sequential") == 0;
  g_autoptr(GHashTable) counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *vars = base[0] ? g_strconcat (base, "/vars", NULL) : g_strdup ("vars");

  add_vars (plan, seen, vars, strata_layer_get_name (STRATA_LAYER (model)));
  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonObject *le = json_array_get_object_element (layers, i);
      const char *lclass = le != NULL ? json_object_get_string_member_with_default (le, "class_name", "") : "";
      JsonObject *lconfig = le != NULL ? json_object_get_object_member (le, "config") : NULL;
      const char *name = lconfig != NULL ? json_object_get_string_member_with_default (lconfig, "name", NULL) : NULL;
      g_autofree char *snake = NULL, *container = NULL, *path = NULL;
      StrataLayer *layer;
      guint count;

      if (sequential && g_strcmp0 (lclass, "InputLayer") == 0)
        continue;
      layer = name != NULL ? strata_model_get_layer (model, name) : NULL;
      if (layer == NULL)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
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
kv3_plan_new (StrataModel *model, GError **error)
{
  g_autoptr(Kv3Plan) plan = g_new0 (Kv3Plan, 1);
  g_autoptr(JsonObject) entry = strata_model_to_config_object (model, STRATA_KERAS_DIALECT_KERAS3);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  plan->layers = g_ptr_array_new_with_free_func (layer_plan_free);
  plan->vars_paths = g_ptr_array_new_with_free_func (g_free);
  plan->vars_names = g_ptr_array_new_with_free_func (g_free);
  if (!plan_model (plan, seen, model, entry, "", error))
    return NULL;
  return g_steal_pointer (&plan);
}
