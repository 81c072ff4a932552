/* strata-tool-diff.c: how `strata diff A B` prints a StrataModelDiff
 *
 * Text reads like diff: "-" for a layer or weight only in the first model,
 * "+" only in the second, "~" changed; nothing is printed for the
 * identical ones. JSON lists every layer and weight with its status.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-tool-diff.h"
#include "strata-i18n-private.h"

static const char *
status_name (StrataDiffStatus status)
{
  switch (status)
    {
    case STRATA_DIFF_IDENTICAL: return "identical";
    case STRATA_DIFF_ADDED: return "added";
    case STRATA_DIFF_REMOVED: return "removed";
    case STRATA_DIFF_CHANGED: return "changed";
    default: g_assert_not_reached ();
    }
}

static char
status_mark (StrataDiffStatus status)
{
  return status == STRATA_DIFF_ADDED ? '+' : status == STRATA_DIFF_REMOVED ? '-' : '~';
}

static void
print_weight (StrataLayerDiff  *layer,
              StrataWeightDiff *weight)
{
  StrataDiffStatus status = strata_weight_diff_get_status (weight);
  g_autofree char *shapes = strata_weight_diff_describe_shapes (weight);
  const char *name = strata_weight_diff_get_name (weight);

  if (status == STRATA_DIFF_IDENTICAL)
    return;
  if (status != STRATA_DIFF_CHANGED)
    /* Translators: a layer name, a weight name, its dtype and shape */
    g_print (_("%c %s: weight “%s” (%s)\n"), status_mark (status),
             strata_layer_diff_get_name (layer), name, shapes);
  else if (!strata_weight_diff_get_same_shape (weight))
    /* Translators: a layer name, a weight name, its dtypes and shapes in the two models */
    g_print (_("~ %s: weight “%s” changed dtype or shape: %s\n"),
             strata_layer_diff_get_name (layer), name, shapes);
  else
    /* Translators: a layer name, a weight name, then a number */
    g_print (_("~ %s: weight “%s” differs by at most %g\n"),
             strata_layer_diff_get_name (layer), name, strata_weight_diff_get_max_abs_diff (weight));
}

static void
print_text (StrataModelDiff *diff)
{
  GPtrArray *layers = strata_model_diff_get_layers (diff);

  if (strata_model_diff_is_identical (diff))
    {
      /* Translators: the number of layers compared */
      g_print (ngettext ("The models are identical (%u layer).\n",
                         "The models are identical (%u layers).\n", layers->len), layers->len);
      return;
    }
  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayerDiff *layer = layers->pdata[i];
      StrataDiffStatus status = strata_layer_diff_get_status (layer);
      const char * const *keys = strata_layer_diff_get_changed_keys (layer);
      GPtrArray *weights = strata_layer_diff_get_weights (layer);

      if (status == STRATA_DIFF_ADDED || status == STRATA_DIFF_REMOVED)
        g_print ("%c %s (%s)\n", status_mark (status), strata_layer_diff_get_name (layer),
                 strata_layer_diff_get_class_name (layer));
      if (keys[0] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) keys);

          /* Translators: a layer name, then the config keys whose values differ, separated by commas */
          g_print (_("~ %s: config differs in %s\n"), strata_layer_diff_get_name (layer), list);
        }
      for (guint j = 0; j < weights->len; j++)
        print_weight (layer, weights->pdata[j]);
    }
}

static JsonObject *
weight_to_json (StrataWeightDiff *weight)
{
  JsonObject *object = json_object_new ();
  double max = strata_weight_diff_get_max_abs_diff (weight);
  g_autofree char *shapes = strata_weight_diff_describe_shapes (weight);

  json_object_set_string_member (object, "name", strata_weight_diff_get_name (weight));
  json_object_set_string_member (object, "status", status_name (strata_weight_diff_get_status (weight)));
  json_object_set_string_member (object, "shapes", shapes);
  /* JSON has no NaN or infinity: null when not comparable, a string for infinity. */
  if (isnan (max))
    json_object_set_null_member (object, "max_abs_diff");
  else if (isinf (max))
    json_object_set_string_member (object, "max_abs_diff", "inf");
  else
    json_object_set_double_member (object, "max_abs_diff", max);
  return object;
}

static JsonObject *
layer_to_json (StrataLayerDiff *layer)
{
  JsonObject *object = json_object_new ();
  JsonArray *keys = json_array_new ();
  JsonArray *weights = json_array_new ();
  GPtrArray *weight_diffs = strata_layer_diff_get_weights (layer);

  json_object_set_string_member (object, "name", strata_layer_diff_get_name (layer));
  json_object_set_string_member (object, "class_name", strata_layer_diff_get_class_name (layer));
  json_object_set_string_member (object, "status", status_name (strata_layer_diff_get_status (layer)));
  for (const char * const *key = strata_layer_diff_get_changed_keys (layer); *key != NULL; key++)
    json_array_add_string_element (keys, *key);
  json_object_set_array_member (object, "changed_config_keys", keys);
  for (guint i = 0; i < weight_diffs->len; i++)
    json_array_add_object_element (weights, weight_to_json (weight_diffs->pdata[i]));
  json_object_set_array_member (object, "weights", weights);
  return object;
}

static void
print_json (StrataModelDiff *diff)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *layers = json_array_new ();
  GPtrArray *layer_diffs = strata_model_diff_get_layers (diff);
  g_autofree char *text = NULL;

  json_object_set_boolean_member (object, "identical", strata_model_diff_is_identical (diff));
  for (guint i = 0; i < layer_diffs->len; i++)
    json_array_add_object_element (layers, layer_to_json (layer_diffs->pdata[i]));
  json_object_set_array_member (object, "layers", layers);
  json_node_take_object (root, object);
  text = strata_json_to_string (root, FALSE);
  g_print ("%s\n", text);
}

void
strata_tool_diff_print (StrataModelDiff *diff,
                        gboolean         json)
{
  if (json)
    print_json (diff);
  else
    print_text (diff);
}
