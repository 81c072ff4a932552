/* strata-diff.c: what differs between two models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-diff.h"
#include "strata-error.h"
#include "strata-i18n-private.h"
#include "strata-shape.h"
#include "strata-tensor.h"

/**
 * StrataWeightDiff:
 *
 * How one weight of a layer compares: its status, whether dtype and shape
 * agree, and the largest absolute difference of its values.
 *
 * Since: 0.1
 */
struct _StrataWeightDiff
{
  GObject           parent_instance;

  char             *name;
  StrataDiffStatus  status;
  gboolean          same_shape;
  double            max_abs_diff;
  char             *shape_a;   /* "float32 (3, 4)", NULL when absent from a */
  char             *shape_b;
};

G_DEFINE_FINAL_TYPE (StrataWeightDiff, strata_weight_diff, G_TYPE_OBJECT)

static void
strata_weight_diff_finalize (GObject *object)
{
  StrataWeightDiff *self = STRATA_WEIGHT_DIFF (object);

  g_free (self->name);
  g_free (self->shape_a);
  g_free (self->shape_b);
  G_OBJECT_CLASS (strata_weight_diff_parent_class)->finalize (object);
}

static void
strata_weight_diff_class_init (StrataWeightDiffClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_weight_diff_finalize;
}

static void
strata_weight_diff_init (StrataWeightDiff *self)
{
  self->max_abs_diff = NAN;
}

/**
 * strata_weight_diff_get_name:
 * @self: a weight diff
 *
 * The weight's name.
 *
 * Returns: the weight's name, as the first model has it (the second's when
 *   the weight was added)
 *
 * Since: 0.1
 */
const char *
strata_weight_diff_get_name (StrataWeightDiff *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHT_DIFF (self), NULL);
  return self->name;
}

/**
 * strata_weight_diff_get_status:
 * @self: a weight diff
 *
 * How the weight compares.
 *
 * Returns: whether the weight is identical, added, removed or changed
 *
 * Since: 0.1
 */
StrataDiffStatus
strata_weight_diff_get_status (StrataWeightDiff *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHT_DIFF (self), STRATA_DIFF_IDENTICAL);
  return self->status;
}

/**
 * strata_weight_diff_get_same_shape:
 * @self: a weight diff
 *
 * Whether the two weights could be compared value by value.
 *
 * Returns: %TRUE when the weight is in both models with the same dtype and
 *   shape, so that its values could be compared
 *
 * Since: 0.1
 */
gboolean
strata_weight_diff_get_same_shape (StrataWeightDiff *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHT_DIFF (self), FALSE);
  return self->same_shape;
}

/**
 * strata_weight_diff_get_max_abs_diff:
 * @self: a weight diff
 *
 * The largest absolute difference of two values at the same position,
 * computed in single precision: 0 for identical weights, infinity where
 * only one of the two values is NaN (or they are infinities of opposite
 * signs), NaN when the values could not be compared (added, removed, or of
 * a different dtype or shape).
 *
 * Returns: the largest absolute difference
 *
 * Since: 0.1
 */
double
strata_weight_diff_get_max_abs_diff (StrataWeightDiff *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHT_DIFF (self), NAN);
  return self->max_abs_diff;
}

/**
 * strata_weight_diff_describe_shapes:
 * @self: a weight diff
 *
 * Describes the weight's dtype and shape in each model.
 *
 * Returns: (transfer full): the dtypes and shapes of the two weights, as
 *   "float32 (3, 4) → float32 (4, 4)", or of the one that exists, or the
 *   one they share
 *
 * Since: 0.1
 */
char *
strata_weight_diff_describe_shapes (StrataWeightDiff *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHT_DIFF (self), NULL);
  if (self->shape_a == NULL || self->shape_b == NULL || strcmp (self->shape_a, self->shape_b) == 0)
    return g_strdup (self->shape_a != NULL ? self->shape_a : self->shape_b);
  return g_strdup_printf ("%s → %s", self->shape_a, self->shape_b);
}

/**
 * StrataLayerDiff:
 *
 * How one layer compares, matched by name: its status, the config keys
 * whose values differ, and a [class@Strata.WeightDiff] per weight.
 *
 * Since: 0.1
 */
struct _StrataLayerDiff
{
  GObject           parent_instance;

  char             *name;
  char             *class_name;
  StrataDiffStatus  status;
  GPtrArray        *changed_keys;  /* NULL-terminated */
  GPtrArray        *weights;       /* of StrataWeightDiff */
};

G_DEFINE_FINAL_TYPE (StrataLayerDiff, strata_layer_diff, G_TYPE_OBJECT)

static void
strata_layer_diff_finalize (GObject *object)
{
  StrataLayerDiff *self = STRATA_LAYER_DIFF (object);

  g_free (self->name);
  g_free (self->class_name);
  g_ptr_array_unref (self->changed_keys);
  g_ptr_array_unref (self->weights);
  G_OBJECT_CLASS (strata_layer_diff_parent_class)->finalize (object);
}

static void
strata_layer_diff_class_init (StrataLayerDiffClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_layer_diff_finalize;
}

static void
strata_layer_diff_init (StrataLayerDiff *self)
{
  self->changed_keys = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->weights = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * strata_layer_diff_get_name:
 * @self: a layer diff
 *
 * The layer's name, by which the layers of the two models are matched.
 *
 * Returns: the layer's name
 *
 * Since: 0.1
 */
const char *
strata_layer_diff_get_name (StrataLayerDiff *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER_DIFF (self), NULL);
  return self->name;
}

/**
 * strata_layer_diff_get_class_name:
 * @self: a layer diff
 *
 * The layer's Keras class name.
 *
 * Returns: the layer's Keras class name in the second model (in the first
 *   when it was removed)
 *
 * Since: 0.1
 */
const char *
strata_layer_diff_get_class_name (StrataLayerDiff *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER_DIFF (self), NULL);
  return self->class_name;
}

/**
 * strata_layer_diff_get_status:
 * @self: a layer diff
 *
 * How the layer compares.
 *
 * Returns: %STRATA_DIFF_CHANGED when the layer's config or any of its
 *   weights differ, or whether it was added or removed
 *
 * Since: 0.1
 */
StrataDiffStatus
strata_layer_diff_get_status (StrataLayerDiff *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER_DIFF (self), STRATA_DIFF_IDENTICAL);
  return self->status;
}

/**
 * strata_layer_diff_get_changed_keys:
 * @self: a layer diff
 *
 * The config keys whose values differ.
 *
 * Returns: (transfer none) (array zero-terminated=1): the top-level keys of
 *   the layer's config that differ (or are in one config only), sorted;
 *   empty when the configs are the same
 *
 * Since: 0.1
 */
const char * const *
strata_layer_diff_get_changed_keys (StrataLayerDiff *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (STRATA_IS_LAYER_DIFF (self), NULL);
  /* GLib 2.74 leaves pdata NULL in an empty NULL-terminated array. */
  if (self->changed_keys->len == 0)
    return none;
  return (const char * const *) self->changed_keys->pdata;
}

/**
 * strata_layer_diff_get_weights:
 * @self: a layer diff
 *
 * How each of the layer's weights compares.
 *
 * Returns: (transfer none) (element-type StrataWeightDiff): the weights,
 *   matched by position in Keras order; empty for added and removed layers
 *
 * Since: 0.1
 */
GPtrArray *
strata_layer_diff_get_weights (StrataLayerDiff *self)
{
  g_return_val_if_fail (STRATA_IS_LAYER_DIFF (self), NULL);
  return self->weights;
}

/**
 * StrataModelDiff:
 *
 * What differs between two models: the layers (matched by name) added,
 * removed or changed in config, and for each weight whether it is
 * identical or its largest absolute difference. `strata diff` prints it.
 *
 * Since: 0.1
 */
struct _StrataModelDiff
{
  GObject    parent_instance;

  GPtrArray *layers;   /* of StrataLayerDiff */
};

G_DEFINE_FINAL_TYPE (StrataModelDiff, strata_model_diff, G_TYPE_OBJECT)

static void
strata_model_diff_finalize (GObject *object)
{
  g_ptr_array_unref (STRATA_MODEL_DIFF (object)->layers);
  G_OBJECT_CLASS (strata_model_diff_parent_class)->finalize (object);
}

static void
strata_model_diff_class_init (StrataModelDiffClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_model_diff_finalize;
}

static void
strata_model_diff_init (StrataModelDiff *self)
{
  self->layers = g_ptr_array_new_with_free_func (g_object_unref);
}

static char *
describe_tensor (StrataTensor *tensor)
{
  g_autofree char *shape = strata_shape_to_string (strata_tensor_get_shape (tensor));

  return g_strdup_printf ("%s %s", strata_dtype_to_string (strata_tensor_get_dtype (tensor)), shape);
}

static float
value_distance (float x,
                float y)
{
  if (isnan (x) || isnan (y))
    return isnan (x) && isnan (y) ? 0.f : INFINITY;
  if (x == y)   /* equal infinities too */
    return 0.f;
  return fabsf (x - y);
}

static gboolean
check_has_data (StrataTensor *tensor,
                const char   *layer_name,
                int           which,
                GError      **error)
{
  if (strata_tensor_has_data (tensor))
    return TRUE;
  g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_NOT_BUILT,
               /* Translators: a weight name, a layer name, then 1 or 2 (which of the two models) */
               _("Cannot compare weight “%s” of layer “%s”: model %d holds no values for it (was it loaded without its weights?)"),
               strata_tensor_get_name (tensor), layer_name, which);
  return FALSE;
}

/* @a or @b is NULL when the weight is in one model only. */
static StrataWeightDiff *
compare_weights (StrataTensor *a,
                 StrataTensor *b,
                 const char   *layer_name,
                 GError      **error)
{
  g_autoptr(StrataWeightDiff) diff = g_object_new (STRATA_TYPE_WEIGHT_DIFF, NULL);
  g_autofree float *values_a = NULL;
  g_autofree float *values_b = NULL;
  gsize n_a = 0, n_b = 0;
  float max = 0.f;

  diff->name = g_strdup (strata_tensor_get_name (a != NULL ? a : b));
  diff->shape_a = a != NULL ? describe_tensor (a) : NULL;
  diff->shape_b = b != NULL ? describe_tensor (b) : NULL;
  if (a == NULL || b == NULL)
    {
      diff->status = a == NULL ? STRATA_DIFF_ADDED : STRATA_DIFF_REMOVED;
      return g_steal_pointer (&diff);
    }
  diff->status = STRATA_DIFF_CHANGED;
  diff->same_shape = strata_tensor_get_dtype (a) == strata_tensor_get_dtype (b) &&
                     strata_shape_equal (strata_tensor_get_shape (a), strata_tensor_get_shape (b));
  if (!diff->same_shape)
    return g_steal_pointer (&diff);
  if (!check_has_data (a, layer_name, 1, error) ||
      !check_has_data (b, layer_name, 2, error))
    return NULL;
  if (strata_tensor_equal (a, b))
    {
      diff->status = STRATA_DIFF_IDENTICAL;
      diff->max_abs_diff = 0.;
      return g_steal_pointer (&diff);
    }
  values_a = strata_tensor_to_floats (a, &n_a, error);
  if (values_a == NULL)
    return NULL;
  values_b = strata_tensor_to_floats (b, &n_b, error);
  if (values_b == NULL)
    return NULL;
  g_assert (n_a == n_b);
  for (gsize i = 0; i < n_a; i++)
    max = MAX (max, value_distance (values_a[i], values_b[i]));
  diff->max_abs_diff = max;
  return g_steal_pointer (&diff);
}

static gboolean
object_has_equal_member (JsonObject *object,
                         JsonObject *other,
                         const char *key)
{
  JsonNode *node = json_object_get_member (object, key);
  JsonNode *other_node = other != NULL ? json_object_get_member (other, key) : NULL;

  return other_node != NULL && json_node_equal (node, other_node);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
collect_changed_keys (StrataLayerDiff *diff,
                      JsonObject      *a,
                      JsonObject      *b)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  json_object_iter_init (&iter, a);
  while (json_object_iter_next (&iter, &key, &node))
    if (!object_has_equal_member (a, b, key))
      g_ptr_array_add (diff->changed_keys, g_strdup (key));
  json_object_iter_init (&iter, b);
  while (json_object_iter_next (&iter, &key, &node))
    if (!json_object_has_member (a, key))
      g_ptr_array_add (diff->changed_keys, g_strdup (key));
  g_ptr_array_sort (diff->changed_keys, compare_strings);
}

/* @a or @b is NULL when the layer is in one model only. */
static StrataLayerDiff *
compare_layers (StrataLayer *a,
                StrataLayer *b,
                GError     **error)
{
  g_autoptr(StrataLayerDiff) diff = g_object_new (STRATA_TYPE_LAYER_DIFF, NULL);
  g_autoptr(JsonObject) config_a = NULL;
  g_autoptr(JsonObject) config_b = NULL;
  g_autoptr(GPtrArray) weights_a = NULL;
  g_autoptr(GPtrArray) weights_b = NULL;

  diff->name = g_strdup (strata_layer_get_name (a != NULL ? a : b));
  diff->class_name = g_strdup (strata_layer_get_class_name (b != NULL ? b : a));
  if (a == NULL || b == NULL)
    {
      diff->status = a == NULL ? STRATA_DIFF_ADDED : STRATA_DIFF_REMOVED;
      return g_steal_pointer (&diff);
    }
  config_a = strata_layer_get_config (a);
  config_b = strata_layer_get_config (b);
  collect_changed_keys (diff, config_a, config_b);
  /* A different class is a changed config, whatever the keys say. */
  if (g_strcmp0 (strata_layer_get_class_name (a), strata_layer_get_class_name (b)) != 0)
    g_ptr_array_insert (diff->changed_keys, 0, g_strdup ("class_name"));
  diff->status = diff->changed_keys->len > 0 ? STRATA_DIFF_CHANGED : STRATA_DIFF_IDENTICAL;

  weights_a = strata_layer_get_weights (a);
  weights_b = strata_layer_get_weights (b);
  for (guint i = 0; i < MAX (weights_a->len, weights_b->len); i++)
    {
      StrataWeightDiff *weight = compare_weights (i < weights_a->len ? weights_a->pdata[i] : NULL,
                                                  i < weights_b->len ? weights_b->pdata[i] : NULL,
                                                  diff->name, error);
      if (weight == NULL)
        return NULL;
      if (weight->status != STRATA_DIFF_IDENTICAL)
        diff->status = STRATA_DIFF_CHANGED;
      g_ptr_array_add (diff->weights, weight);
    }
  return g_steal_pointer (&diff);
}

static gboolean
add_layer_diff (StrataModelDiff *self,
                StrataLayer     *a,
                StrataLayer     *b,
                GCancellable    *cancellable,
                GError         **error)
{
  StrataLayerDiff *diff;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  diff = compare_layers (a, b, error);
  if (diff == NULL)
    return FALSE;
  g_ptr_array_add (self->layers, diff);
  return TRUE;
}

/**
 * strata_model_diff_new:
 * @a: the first model
 * @b: the second model
 * @cancellable: (nullable): a [class@Gio.Cancellable], checked between layers
 * @error: return location for a [struct@GLib.Error]
 *
 * Compares the top-level layers of two models, matched by name: first the
 * layers of @a in order (removed, identical or changed), then the layers
 * only @b has (added). Weights are matched by position within a layer and
 * must hold values (models loaded with their weights).
 *
 * Returns: (transfer full): the differences, or %NULL with @error set
 *
 * Since: 0.1
 */
StrataModelDiff *
strata_model_diff_new (StrataModel  *a,
                       StrataModel  *b,
                       GCancellable *cancellable,
                       GError      **error)
{
  g_autoptr(StrataModelDiff) self = NULL;
  guint n_a, n_b;

  g_return_val_if_fail (STRATA_IS_MODEL (a), NULL);
  g_return_val_if_fail (STRATA_IS_MODEL (b), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (STRATA_TYPE_MODEL_DIFF, NULL);
  n_a = strata_model_get_n_layers (a);
  n_b = strata_model_get_n_layers (b);
  for (guint i = 0; i < n_a; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (a, i);

      if (!add_layer_diff (self, layer, strata_model_get_layer (b, strata_layer_get_name (layer)),
                           cancellable, error))
        return NULL;
    }
  for (guint i = 0; i < n_b; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (b, i);

      if (strata_model_get_layer (a, strata_layer_get_name (layer)) == NULL &&
          !add_layer_diff (self, NULL, layer, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * strata_model_diff_is_identical:
 * @self: a model diff
 *
 * Whether the two models are the same: every layer identical.
 *
 * Returns: %TRUE when every layer is identical
 *
 * Since: 0.1
 */
gboolean
strata_model_diff_is_identical (StrataModelDiff *self)
{
  g_return_val_if_fail (STRATA_IS_MODEL_DIFF (self), FALSE);
  for (guint i = 0; i < self->layers->len; i++)
    if (strata_layer_diff_get_status (self->layers->pdata[i]) != STRATA_DIFF_IDENTICAL)
      return FALSE;
  return TRUE;
}

/**
 * strata_model_diff_get_layers:
 * @self: a model diff
 *
 * How each layer compares.
 *
 * Returns: (transfer none) (element-type StrataLayerDiff): a diff per layer
 *
 * Since: 0.1
 */
GPtrArray *
strata_model_diff_get_layers (StrataModelDiff *self)
{
  g_return_val_if_fail (STRATA_IS_MODEL_DIFF (self), NULL);
  return self->layers;
}
