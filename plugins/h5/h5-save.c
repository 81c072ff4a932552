/* h5-save.c: models into Keras HDF5 files (model.save, save_weights)
 *
 * Writes the tf-keras 2.x legacy layout (spec profile H5-K2) through
 * h5-writer.c: both tf-keras 2.x and Keras 3 load it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"
#include "h5-writer.h"
#include "strata-model-cudnn-private.h"

#include <string.h>

#include "strata-i18n-private.h"

static void
out_group_free (H5kOutGroup *group)
{
  g_free ((char *) group->name);
  g_ptr_array_unref (group->weights);
  g_free (group);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (H5kOutGroup, out_group_free)

static void
out_weight_free (H5kOutWeight *weight)
{
  g_free ((char *) weight->name);
  g_clear_pointer (&weight->data, g_bytes_unref);
  g_free (weight);
}

static H5kOutWeight *
out_weight_new (const char *name, StrataTensor *tensor, const char *where, GError **error)
{
  H5kOutWeight *w;
  guint rank;
  const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (tensor), &rank);

  if (!strata_tensor_has_data (tensor))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a weight name, then a layer name */
                   _("The weight “%s” of “%s” has no data (the model was loaded with metadata "
                     "only); it cannot be saved"), name, where);
      return NULL;
    }
  if (rank > H5K_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a weight name, then a layer name */
                   _("The weight “%s” of “%s” has too many dimensions"), name, where);
      return NULL;
    }
  w = g_new0 (H5kOutWeight, 1);
  w->name = g_strdup (name);
  w->dtype = strata_tensor_get_dtype (tensor);
  w->rank = rank;
  if (rank > 0)
    memcpy (w->dims, dims, rank * sizeof (gint64));
  w->data = strata_tensor_get_data (tensor);
  if (w->data != NULL)
    g_bytes_ref (w->data);
  return w;
}

/* Keras 3 weight paths carry no ":0" suffix. */
static char *
dialect_weight_name (const char *name, StrataKerasDialect dialect)
{
  if (dialect == STRATA_KERAS_DIALECT_KERAS3 && g_str_has_suffix (name, ":0"))
    return g_strndup (name, strlen (name) - 2);
  return g_strdup (name);
}

/* One layer's group: weights in Keras's legacy order (trainable, then
 * non-trainable), named as Keras names them, unique inside the group. */
static H5kOutGroup *
layer_group (StrataLayer *layer, StrataKerasDialect dialect, GError **error)
{
  const char *layer_name = strata_layer_get_name (layer);
  g_autoptr(GPtrArray) all = strata_layer_get_weights (layer);
  g_autoptr(GPtrArray) trainable = strata_layer_get_trainable_weights (layer);
  g_autoptr(GPtrArray) frozen = strata_layer_get_non_trainable_weights (layer);
  g_auto(GStrv) names = strata_layer_get_weight_names (layer);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  H5kOutGroup *group;

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *part = pass == 0 ? trainable : frozen;
      for (guint i = 0; i < part->len; i++)
        g_ptr_array_add (order, g_ptr_array_index (part, i));
    }
  if (order->len != all->len)
    {
      g_ptr_array_set_size (order, 0);
      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (order, g_ptr_array_index (all, i));
    }

  group = g_new0 (H5kOutGroup, 1);
  group->name = g_strdup (layer_name);
  group->weights = g_ptr_array_new_with_free_func ((GDestroyNotify) out_weight_free);
  for (guint i = 0; i < order->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (order, i);
      guint index = 0;
      g_autofree char *base = NULL;
      g_autofree char *name = NULL;
      H5kOutWeight *w;

      g_ptr_array_find (all, tensor, &index);
      if (names != NULL && index < g_strv_length (names))
        base = dialect_weight_name (names[index], dialect);
      else
        base = g_strdup_printf ("%s/param_%u", layer_name, i);
      name = g_strdup (base);
      /* Keras 2.2.4 de-duplicates repeated names with _1, _2, ... */
      for (guint n = 1; g_hash_table_contains (used, name); n++)
        {
          g_free (name);
          name = g_strdup_printf ("%s_%u", base, n);
        }
      g_hash_table_add (used, g_strdup (name));
      w = out_weight_new (name, tensor, layer_name, error);
      if (w == NULL)
        {
          out_group_free (group);
          return NULL;
        }
      g_ptr_array_add (group->weights, w);
    }
  return group;
}

static H5kOutGroup *
optimizer_group (StrataOptimizer *optimizer, GError **error)
{
  GPtrArray *weights = strata_optimizer_get_weights (optimizer);
  H5kOutGroup *group = g_new0 (H5kOutGroup, 1);

  group->name = g_strdup ("optimizer_weights");
  group->weights = g_ptr_array_new_with_free_func ((GDestroyNotify) out_weight_free);
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, i);
      const char *name = strata_tensor_get_name (tensor);
      g_autofree char *fallback = g_strdup_printf ("%s/variable_%u:0",
                                                   strata_optimizer_get_class_name (optimizer), i);
      H5kOutWeight *w = out_weight_new (name != NULL && *name != '\0' ? name : fallback, tensor,
                                        "optimizer_weights", error);
      if (w == NULL)
        {
          out_group_free (group);
          return NULL;
        }
      g_ptr_array_add (group->weights, w);
    }
  return group;
}

/* The training config as Keras writes it (json.dumps): an unchanged
 * config loaded from a file comes out as the file's own text. */
static char *
training_config_text (JsonObject *config)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), config);

  return strata_json_to_string (node, FALSE);
}

static const char *
keras_version_for (StrataModel *model, StrataKerasDialect dialect)
{
  const char *version = strata_model_get_keras_version (model);
  const char *major = dialect == STRATA_KERAS_DIALECT_KERAS3 ? "3." : "2.";

  /* Any version but "1" stops Keras from applying Keras 1 conversions. */
  if (version != NULL && g_str_has_prefix (version, major))
    return version;
  return dialect == STRATA_KERAS_DIALECT_KERAS3 ? "3.15.1" : "2.15.0";
}

static gboolean
save_model (StrataModel *model, GFile *file, StrataSaveOptions *options, gboolean weights_only,
            GCancellable *cancellable, GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *model_config = NULL;
  g_autofree char *training_config = NULL;
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func ((GDestroyNotify) out_group_free);
  g_autoptr(H5kOutGroup) optimizer = NULL;
  StrataKerasDialect dialect;
  const char *backend = strata_model_get_backend (model);
  guint n_layers = strata_model_get_n_layers (model);
  H5kOutFile spec = { 0 };

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   /* Translators: %s is a file name. */
                   _("“%s” is not a local file; HDF5 files must be local"), uri);
      return FALSE;
    }
  /* HDF5 is tf-keras's format (Keras 3 reads tf-keras's files too): Keras 2
   * unless Keras 3 is asked for. */
  dialect = strata_save_options_resolve_dialect (options, STRATA_KERAS_DIALECT_KERAS2);
  if (dialect != STRATA_KERAS_DIALECT_KERAS3)
    dialect = STRATA_KERAS_DIALECT_KERAS2;

  strata_save_options_report_progress (options, 0.0, _("Collecting weights"));
  for (guint i = 0; i < n_layers; i++)
    {
      H5kOutGroup *group;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      group = layer_group (strata_model_get_layer_at (model, i), dialect, error);
      if (group == NULL)
        return FALSE;
      g_ptr_array_add (layers, group);
    }

  if (!weights_only)
    {
      g_autoptr(JsonObject) config = strata_model_to_config_object_full (model, dialect,
                                                                          STRATA_CONFIG_STYLE_MODEL_JSON,
                                                                          error);
      g_autoptr(JsonNode) root = NULL;

      if (config == NULL)
        return FALSE;
      /* The model_config attribute has no keras_version and backend of its
       * own (the file's attributes say them). */
      if (json_object_has_member (config, "keras_version"))
        json_object_remove_member (config, "keras_version");
      if (json_object_has_member (config, "backend"))
        json_object_remove_member (config, "backend");
      root = json_node_init_object (json_node_alloc (), config);
      model_config = strata_json_to_string (root, FALSE);
      if (strata_save_options_get_include_optimizer (options) && strata_model_is_compiled (model))
        {
          g_autoptr(JsonObject) tc = strata_model_dup_training_config (model, dialect);
          StrataOptimizer *opt = strata_model_get_optimizer (model);

          if (tc != NULL)
            training_config = training_config_text (tc);
          if (opt != NULL)
            {
              GPtrArray *state = strata_optimizer_get_weights (opt);

              if (state->len > 0)
                {
                  optimizer = optimizer_group (opt, error);
                  if (optimizer == NULL)
                    return FALSE;
                }
            }
        }
    }

  /* Weights are stored in TensorFlow's orientation whatever the source
   * backend was (they were converted on load). */
  if (dialect != STRATA_KERAS_DIALECT_KERAS3 || backend == NULL || g_str_equal (backend, "theano") ||
      g_str_equal (backend, "cntk"))
    backend = "tensorflow";

  spec.keras_version = keras_version_for (model, dialect);
  spec.backend = backend;
  spec.model_config = model_config;
  spec.training_config = training_config;
  spec.layers = layers;
  spec.top_level = TRUE;
  spec.optimizer = optimizer;
  spec.cancellable = cancellable;

  strata_save_options_report_progress (options, 0.3, _("Writing the HDF5 file"));
  /* A save cancelled during the write must not look finished. */
  if (!h5k_write_file (path, &spec, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  strata_save_options_report_progress (options, 1.0, NULL);
  return TRUE;
}

gboolean
h5_save (StrataModel *model, GFile *file, StrataSaveOptions *options, gboolean weights_only,
         GCancellable *cancellable, GError **error)
{
  /* No Keras that reads what we write has cuDNN layers. */
  g_autoptr(StrataModel) native = strata_model_without_cudnn (model, error);

  return native != NULL && save_model (native, file, options, weights_only, cancellable, error);
}
