/* h5-load.c: Keras HDF5 files into models (load_model, load_weights)
 *
 * The file is read by h5-reader.c into plain structs; this file matches
 * its weight groups to the model's layers as Keras does, converts Keras 1 /
 * Theano / cuDNN weights (h5-keras1.c) and assigns them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"
#include "h5-keras1.h"
#include "h5-reader.h"

#include <string.h>

#include "strata-i18n-private.h"

typedef struct {
  H5kFile           *file;
  H5kKerasFile      *kf;
  StrataLoadOptions *options;
  GCancellable      *cancellable;
  gboolean           metadata_only;
  H5Convert          convert;   /* the file's weights keras_version and backend */
} H5Load;

static void
h5_load_clear (H5Load *ld)
{
  g_clear_pointer (&ld->kf, h5k_keras_file_free);
  g_clear_pointer (&ld->file, h5k_file_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (H5Load, h5_load_clear)

/* Opens the file and reads its root attributes (configs, versions). */
static gboolean
h5_load_begin (H5Load *ld, GFile *file, StrataLoadOptions *options, GCancellable *cancellable,
               GError **error)
{
  g_autofree char *path = g_file_get_path (file);

  memset (ld, 0, sizeof *ld);
  ld->options = options;
  ld->cancellable = cancellable;
  ld->metadata_only = (strata_load_options_get_flags (options) & STRATA_LOAD_METADATA_ONLY) != 0;
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   /* Translators: %s is a file name. */
                   _("“%s” is not a local file; HDF5 files must be local"), uri);
      return FALSE;
    }
  ld->file = h5k_file_open (path, error);
  if (ld->file == NULL)
    return FALSE;
  ld->kf = h5k_file_read_root (ld->file, error);
  return ld->kf != NULL;
}

/* Reads the weight groups (no weight data yet). */
static gboolean
h5_load_groups (H5Load *ld, gboolean with_optimizer, GError **error)
{
  if (!h5k_file_read_groups (ld->file, ld->kf, with_optimizer, error))
    return FALSE;
  ld->convert.version = ld->kf->weights_keras_version != NULL ? ld->kf->weights_keras_version : "1";
  /* A file that records no backend (Keras 1) is taken as TensorFlow's, as
   * Keras does, unless the caller knows better. */
  ld->convert.backend = ld->kf->weights_backend != NULL ? ld->kf->weights_backend
                                                        : strata_load_options_get_assume_backend (ld->options);
  return TRUE;
}

static gboolean
h5_load_open (H5Load *ld, GFile *file, StrataLoadOptions *options, gboolean with_optimizer,
              GCancellable *cancellable, GError **error)
{
  return h5_load_begin (ld, file, options, cancellable, error) &&
         h5_load_groups (ld, with_optimizer, error);
}

char *
h5_weight_short_name (const char *name)
{
  const char *slash = strrchr (name, '/');
  const char *start = slash != NULL ? slash + 1 : name;
  const char *colon = strrchr (start, ':');

  /* "kernel:0" -> "kernel"; a colon not followed by digits stays. */
  if (colon != NULL && colon[1] != '\0' && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    return g_strndup (start, colon - start);
  return g_strdup (start);
}

/* Reads a group's weights (data unless metadata only). */
static GPtrArray *
read_arrays (H5Load *ld, H5kGroup *group, GError **error)
{
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);

  for (guint i = 0; i < group->weights->len; i++)
    {
      H5kWeight *w = g_ptr_array_index (group->weights, i);
      g_autoptr(GBytes) data = NULL;

      if (!ld->metadata_only)
        {
          data = h5k_file_read_weight (ld->file, w, error);
          if (data == NULL)
            return NULL;
        }
      g_ptr_array_add (arrays, h5k_array_new (w->name, w->dtype, w->rank, w->dims, data));
    }
  return g_steal_pointer (&arrays);
}

static StrataShape *
array_shape (const H5kArray *a)
{
  return strata_shape_new (a->rank, a->dims);
}

static StrataTensor *
array_to_tensor (const H5kArray *a, StrataDType dtype, GError **error)
{
  g_autoptr(StrataShape) shape = array_shape (a);
  StrataTensor *tensor;

  if (a->data == NULL)
    tensor = strata_tensor_new_metadata (dtype != STRATA_DTYPE_INVALID ? dtype : a->dtype, shape);
  else
    tensor = strata_tensor_new (a->dtype, shape, a->data, error);
  if (tensor != NULL)
    strata_tensor_set_name (tensor, a->name);
  return tensor;
}

/* ---- assignment ---- */

static gboolean
can_take_file_weights (StrataLayer *layer)
{
  return !STRATA_IS_MODEL (layer) &&
         (STRATA_IS_OPAQUE_LAYER (layer) || !strata_layer_is_built (layer)) &&
         strata_layer_get_n_weights (layer) == 0;
}

/* A layer Strata cannot build (unknown class, unknown shapes) takes the
 * file's weights as they are, with their short names. */
static gboolean
adopt_weights (H5Load *ld, StrataLayer *layer, GPtrArray *arrays, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean trainable = strata_layer_get_trainable (layer);

  for (guint i = 0; i < arrays->len; i++)
    {
      H5kArray *a = g_ptr_array_index (arrays, i);
      g_autofree char *short_name = h5_weight_short_name (a->name);
      g_autoptr(StrataShape) shape = array_shape (a);
      StrataTensor *tensor = array_to_tensor (a, a->dtype, error);

      if (tensor == NULL)
        return FALSE;
      g_ptr_array_add (tensors, tensor);
      if (strata_layer_add_weight (layer, short_name, shape, a->dtype, NULL, trainable, error) == NULL)
        return FALSE;
    }
  return strata_layer_set_weights (layer, tensors, error);
}

/* Assigns @arrays (already converted, legacy order) to @layer, whose
 * weights in legacy order are @legacy (at @positions in its own order).
 * @k is the index in the file's layer_names, @file_name the file's group
 * name. */
static gboolean
assign_layer (H5Load *ld, StrataLayer *layer, guint k, const char *file_name, GPtrArray *arrays,
              GPtrArray *legacy, GArray *positions, gboolean by_name, gboolean skip_mismatch,
              StrataWeightsReport *report, GError **error)
{
  const char *name = strata_layer_get_name (layer);
  g_autoptr(GPtrArray) current = strata_layer_get_weights (layer);
  gboolean changed = FALSE;

  if (legacy->len == 0 && arrays->len > 0 && can_take_file_weights (layer))
    {
      if (!adopt_weights (ld, layer, arrays, error))
        return FALSE;
      if (report != NULL)
        strata_weights_report_add_matched (report, name);
      return TRUE;
    }

  if (legacy->len != arrays->len)
    {
      if (skip_mismatch && by_name)
        {
          g_autofree char *reason = g_strdup_printf (
              /* Translators: a layer index, a layer name, the number of weights expected, then the
               * number saved */
              _("Skipping loading of weights for layer #%u (named %s) due to mismatch in number "
                "of weights. Layer expects %u weight(s). Received %u saved weight(s)"),
              k, name, legacy->len, arrays->len);
          strata_weights_report_add_skipped (report, name, reason);
          return TRUE;
        }
      if (by_name)
        g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                     /* Translators: a layer index, a layer name, the number of weights expected,
                      * then the number saved */
                     _("Weight count mismatch for layer #%u (named %s). Layer expects %u weight(s). "
                       "Received %u saved weight(s)"), k, name, legacy->len, arrays->len);
      else
        g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                     /* Translators: a layer index, the layer's name in the model, its name in the
                      * file, the number of weights expected, then the number saved */
                     _("Weight count mismatch for layer #%u (named %s in the current model, %s in "
                       "the save file). Layer expects %u weight(s). Received %u saved weight(s)"),
                     k, name, file_name, legacy->len, arrays->len);
      return FALSE;
    }

  for (guint i = 0; i < legacy->len; i++)
    {
      StrataTensor *expected = g_ptr_array_index (legacy, i);
      H5kArray *a = g_ptr_array_index (arrays, i);
      g_autoptr(StrataShape) shape = array_shape (a);
      StrataTensor *tensor;

      if (!strata_shape_equal (strata_tensor_get_shape (expected), shape))
        {
          guint rank;
          const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (expected), &rank);
          g_autofree char *e = h5k_dims_to_string (rank, dims);
          g_autofree char *r = h5k_dims_to_string (a->rank, a->dims);
          if (skip_mismatch)
            {
              g_autofree char *reason = g_strdup_printf (
                  /* Translators: a layer index, a layer name, a weight name, the expected shape,
                   * then the saved shape; shapes look like (None, 3) */
                  _("Shape mismatch in layer #%u (named %s) for weight %s. Weight expects shape %s. "
                    "Received saved weight with shape %s"), k, name, a->name, e, r);
              strata_weights_report_add_skipped (report, name, reason);
              continue;
            }
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: a layer index, a layer name, a weight name, the expected
                        * shape, the saved shape, then a file name; shapes look like (None, 3) */
                       _("Shape mismatch in layer #%u (named %s) for weight %s. Weight expects shape "
                         "%s. Received saved weight with shape %s (in “%s”)"),
                       k, name, a->name, e, r, h5k_file_get_path (ld->file));
          return FALSE;
        }
      tensor = array_to_tensor (a, strata_tensor_get_dtype (expected), error);
      if (tensor == NULL)
        return FALSE;
      {
        guint pos = g_array_index (positions, guint, i);
        StrataTensor *old = g_ptr_array_index (current, pos);

        g_ptr_array_index (current, pos) = tensor;
        g_object_unref (old);
      }
      changed = TRUE;
    }

  if (changed && !strata_layer_set_weights (layer, current, error))
    {
      /* Translators: a layer index, then a layer name */
      g_prefix_error (error, _("Layer #%u (named %s): "), k, name);
      return FALSE;
    }
  if (report != NULL)
    strata_weights_report_add_matched (report, name);
  return TRUE;
}

/* Reads, converts and assigns one file group to one model layer. */
static gboolean
load_group_into (H5Load *ld, H5kGroup *group, guint k, StrataLayer *layer, gboolean by_name,
                 gboolean skip_mismatch, StrataWeightsReport *report, GError **error)
{
  g_autoptr(GPtrArray) arrays = read_arrays (ld, group, error);
  g_autoptr(GArray) positions = NULL;
  g_autoptr(GPtrArray) legacy = NULL;

  if (arrays == NULL)
    return FALSE;
  legacy = h5_legacy_weights (layer, &positions);
  if (!h5_preprocess (&ld->convert, layer, strata_layer_get_name (layer),
                      strata_layer_get_class_name (layer), NULL, legacy, arrays, error))
    return FALSE;
  return assign_layer (ld, layer, k, group->name, arrays, legacy, positions, by_name,
                       skip_mismatch, report, error);
}

static gboolean
check_cancel (H5Load *ld, double fraction, GError **error)
{
  if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
    return FALSE;
  strata_load_options_report_progress (ld->options, fraction, _("Reading weights"));
  return TRUE;
}

static gboolean
load_top_level (H5Load *ld, StrataModel *model, GError **error)
{
  if (ld->kf->top_level != NULL && ld->kf->top_level->weights->len > 0)
    {
      /* Strata models own no variables of their own (Keras model.add_weight). */
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: the number of top-level weights saved */
                   _("Weight count mismatch for top-level weights when loading weights from file. "
                     "Model expects 0 top-level weight(s). Received %u saved top-level weight(s)"),
                   ld->kf->top_level->weights->len);
      return FALSE;
    }
  return TRUE;
}

/* Topological: the i-th file layer with weights goes to the i-th model
 * layer with weights, whatever their names. */
static gboolean
load_topological (H5Load *ld, StrataModel *model, gboolean skip_mismatch,
                  StrataWeightsReport *report, GError **error)
{
  g_autoptr(GPtrArray) layers = g_ptr_array_new ();
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  g_autoptr(GArray) group_index = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = strata_model_get_n_layers (model);

  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

      if (weights->len > 0)
        g_ptr_array_add (layers, layer);
    }
  for (guint i = 0; i < ld->kf->layers->len; i++)
    {
      H5kGroup *group = g_ptr_array_index (ld->kf->layers, i);

      if (group->weights->len > 0)
        {
          g_ptr_array_add (groups, group);
          g_array_append_val (group_index, i);
        }
    }
  if (layers->len != groups->len)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: the number of layers in the file, the number in the model, a file
                    * name, then these two numbers again (as Keras words it) */
                   _("You are trying to load a weight file containing %u layers into a model with "
                     "%u layers. Layer count mismatch when loading weights from “%s”: model "
                     "expected %u layers, found %u saved layers."),
                   groups->len, layers->len, h5k_file_get_path (ld->file), layers->len, groups->len);
      return FALSE;
    }
  for (guint k = 0; k < layers->len; k++)
    {
      if (!check_cancel (ld, (double) k / MAX (layers->len, 1), error) ||
          !load_group_into (ld, g_ptr_array_index (groups, k), k, g_ptr_array_index (layers, k),
                            FALSE, skip_mismatch, report, error))
        return FALSE;
    }
  return load_top_level (ld, model, error);
}

/* By name: every file layer goes to every model layer of that name. */
static gboolean
load_by_name (H5Load *ld, StrataModel *model, gboolean skip_mismatch, gboolean adopt_unknown,
              StrataWeightsReport *report, GError **error)
{
  guint n = strata_model_get_n_layers (model);
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  /* name -> the model's layers of that name, in order (a lookup per group,
   * not a scan of the model: long models load in linear time) */
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      const char *name = strata_layer_get_name (layer);
      GPtrArray *same;

      if (name == NULL)
        continue;
      same = g_hash_table_lookup (by_name, name);
      if (same == NULL)
        {
          same = g_ptr_array_new ();
          g_hash_table_insert (by_name, (gpointer) name, same);
        }
      g_ptr_array_add (same, layer);
    }

  for (guint k = 0; k < ld->kf->layers->len; k++)
    {
      H5kGroup *group = g_ptr_array_index (ld->kf->layers, k);
      GPtrArray *same = group->name != NULL ? g_hash_table_lookup (by_name, group->name) : NULL;
      gboolean found = FALSE;

      if (!check_cancel (ld, (double) k / MAX (ld->kf->layers->len, 1), error))
        return FALSE;
      for (guint i = 0; same != NULL && i < same->len; i++)
        {
          StrataLayer *layer = g_ptr_array_index (same, i);

          found = TRUE;
          g_hash_table_add (done, layer);
          if (group->weights->len == 0 && strata_layer_get_n_weights (layer) == 0 &&
              !STRATA_IS_MODEL (layer))
            continue;
          if (!load_group_into (ld, group, k, layer, TRUE, skip_mismatch, report, error))
            return FALSE;
        }
      if (!found && !adopt_unknown && group->weights->len > 0 && report == NULL)
        {
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                       /* Translators: a file name, then a layer name */
                       _("“%s” holds weights for a layer named “%s”, which the model does not have"),
                       h5k_file_get_path (ld->file), group->name);
          return FALSE;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

      if (weights->len == 0 || g_hash_table_contains (done, layer))
        continue;
      if (report != NULL)
        strata_weights_report_add_missing (report, strata_layer_get_name (layer));
      else
        {
          /* load_model: the file must hold every weight its config implies. */
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                       /* Translators: the first %s is a file name, the second %s a layer name, %u a
                        * count. */
                       _("“%s” has no weights for layer “%s”, which has %u weight(s)"),
                       h5k_file_get_path (ld->file), strata_layer_get_name (layer), weights->len);
          return FALSE;
        }
    }
  return load_top_level (ld, model, error);
}

/* ---- entry points ---- */

/* h5_load_model() builds the model with STRATA_LOAD_METADATA_ONLY (no
 * initializer runs, nothing is allocated for weights the file replaces
 * anyway), then assigns the file's weights. Setting each model's weights
 * once more (the same tensors, no copy) checks that every weight got data
 * and ends the metadata-only build, so what the model builds later
 * (Sequential.add, a rebuilt layer, a clone) is initialised. */
static gboolean
finish_model (H5Load *ld, StrataModel *model, GError **error)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));
  guint n = strata_model_get_n_layers (model);

  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);

      if (STRATA_IS_MODEL (layer) && !finish_model (ld, STRATA_MODEL (layer), error))
        return FALSE;
    }
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, i);

      /* Keras counts guarantee data for every weight; refuse, as Keras
       * would refuse a count mismatch, rather than return a model without. */
      if (!strata_tensor_has_data (tensor))
        {
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                       /* Translators: the first %s is a file name, the second %s a weight name, the
                        * third %s a model name. */
                       _("“%s” holds no data for weight “%s” of model “%s”"),
                       h5k_file_get_path (ld->file), strata_tensor_get_name (tensor),
                       strata_layer_get_name (STRATA_LAYER (model)));
          return FALSE;
        }
    }
  return strata_layer_set_weights (STRATA_LAYER (model), weights, error);
}

static StrataModel *
opaque_model (H5Load *ld, GFile *file, GError **error)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autoptr(StrataSequential) model = NULL;
  char *dot;

  /* A weights-only file: one opaque layer per group, holding its weights. */
  dot = strrchr (basename, '.');
  if (dot != NULL && dot != basename)
    *dot = '\0';
  model = strata_sequential_new (basename);
  for (guint k = 0; k < ld->kf->layers->len; k++)
    {
      H5kGroup *group = g_ptr_array_index (ld->kf->layers, k);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonObject) config = json_object_new ();
      g_autoptr(StrataOpaqueLayer) layer = NULL;
      g_autoptr(GPtrArray) arrays = NULL;

      if (!check_cancel (ld, (double) k / MAX (ld->kf->layers->len, 1), error))
        return NULL;
      json_object_set_string_member (config, "name", group->name);
      json_object_set_null_member (object, "class_name");
      json_object_set_object_member (object, "config", json_object_ref (config));
      layer = strata_opaque_layer_new (object);
      strata_layer_set_name (STRATA_LAYER (layer), group->name);
      arrays = read_arrays (ld, group, error);
      if (arrays == NULL || !adopt_weights (ld, STRATA_LAYER (layer), arrays, error) ||
          !strata_sequential_add (model, STRATA_LAYER (layer), error))
        return NULL;
    }
  return STRATA_MODEL (g_steal_pointer (&model));
}

static gboolean
load_training_config (H5Load *ld, StrataModel *model, GError **error)
{
  const char *path = h5k_file_get_path (ld->file);
  g_autoptr(JsonObject) training_config = NULL;
  StrataOptimizer *optimizer;
  g_autoptr(GPtrArray) arrays = NULL;

  training_config = h5_parse_json_object (ld->kf->training_config, "training_config", path, error);
  if (training_config == NULL || !strata_model_compile (model, training_config, error))
    {
      /* Translators: %s is a file name. */
      g_prefix_error (error, _("Cannot compile the model from the training config of “%s”: "), path);
      return FALSE;
    }
  optimizer = strata_model_get_optimizer (model);
  if (optimizer == NULL || ld->kf->optimizer == NULL)
    return TRUE;

  /* Keras matches optimizer state by position; Strata keeps it to write back. */
  arrays = read_arrays (ld, ld->kf->optimizer, error);
  if (arrays == NULL)
    return FALSE;
  strata_optimizer_clear_weights (optimizer);
  for (guint i = 0; i < arrays->len; i++)
    {
      g_autoptr(StrataTensor) tensor = array_to_tensor (g_ptr_array_index (arrays, i),
                                                        STRATA_DTYPE_INVALID, error);
      if (tensor == NULL)
        return FALSE;
      strata_optimizer_add_weight (optimizer, tensor);
    }
  return TRUE;
}

StrataModel *
h5_load_model (GFile *file, StrataLoadOptions *options, GCancellable *cancellable, GError **error)
{
  gboolean compile = strata_load_options_get_compile (options);
  g_auto(H5Load) ld = { 0 };
  g_autoptr(StrataModel) model = NULL;

  if (!h5_load_begin (&ld, file, options, cancellable, error))
    return NULL;
  strata_load_options_report_progress (options, 0.0, _("Reading the model config"));

  if (ld.kf->model_config == NULL)
    {
      if (h5_load_groups (&ld, compile, error))
        model = opaque_model (&ld, file, error);
    }
  else
    {
      /* Weights are assigned to a model built without data, by name. */
      H5ConfigBuild *build = h5_config_build_start (ld.kf->model_config,
                                                    strata_load_options_get_registry (options),
                                                    strata_load_options_get_flags (options) |
                                                    STRATA_LOAD_METADATA_ONLY);
      g_autoptr(GError) config_error = NULL;
      gboolean ok = h5_load_groups (&ld, compile, error);

      model = h5_config_build_finish (build, &config_error);
      if (!ok)
        return NULL;
      if (model == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&config_error),
                                      /* Translators: %s is a file name. */
                                      _("In the model config of “%s”: "), h5k_file_get_path (ld.file));
          return NULL;
        }
      /* The config comes from the same file, so names correspond exactly. */
      if (!load_by_name (&ld, model, FALSE, FALSE, NULL, error) ||
          (!ld.metadata_only && !finish_model (&ld, model, error)))
        return NULL;
    }
  if (model == NULL)
    return NULL;

  if (ld.kf->keras_version != NULL)
    strata_model_set_keras_version (model, ld.kf->keras_version);
  if (ld.kf->backend != NULL)
    strata_model_set_backend (model, ld.kf->backend);

  if (compile && ld.kf->training_config != NULL && !load_training_config (&ld, model, error))
    return NULL;
  strata_load_options_report_progress (options, 1.0, NULL);
  return g_steal_pointer (&model);
}

StrataWeightsReport *
h5_load_weights (StrataModel *model, GFile *file, StrataLoadOptions *options,
                 GCancellable *cancellable, GError **error)
{
  g_auto(H5Load) ld = { 0 };
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  gboolean by_name = strata_load_options_get_by_name (options);
  gboolean skip_mismatch = strata_load_options_get_skip_mismatch (options);
  gboolean ok;

  if (!h5_load_open (&ld, file, options, FALSE, cancellable, error))
    return NULL;
  if (by_name)
    ok = load_by_name (&ld, model, skip_mismatch, TRUE, report, error);
  else
    ok = load_topological (&ld, model, skip_mismatch, report, error);
  if (!ok)
    return NULL;
  strata_load_options_report_progress (options, 1.0, NULL);
  return g_steal_pointer (&report);
}
