/* strata-format-keras-v3.c: the keras-v3 format module (Keras 3 .keras
 * archives and *.weights.h5 files)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <zip.h>

#include "strata.h"
#include "strata-plugin.h"
#include "strata-i18n-private.h"
#include "strata-atomic-private.h"
#include "kv3-archive.h"
#include "kv3-sharded.h"
#include "kv3-weights.h"
#include "strata-model-cudnn-private.h"

#define STRATA_TYPE_FORMAT_KERAS_V3 (strata_format_keras_v3_get_type ())
G_DECLARE_FINAL_TYPE (StrataFormatKerasV3, strata_format_keras_v3, STRATA, FORMAT_KERAS_V3, StrataFormat)

struct _StrataFormatKerasV3
{
  StrataFormat parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (StrataFormatKerasV3, strata_format_keras_v3, STRATA_TYPE_FORMAT)

/* The compile_config a .keras file came with, re-saved unchanged. */
#define COMPILE_CONFIG_KEY "strata-keras-v3-compile-config"
#define DEFAULT_KERAS_VERSION "3.15.1"
#define DEFAULT_TF_KERAS_VERSION "2.15.0"

static const char zip_signature[] = "PK\x03\x04";
static const char hdf5_signature[] = "\x89HDF\r\n\x1a\n";

static char *
local_path (GFile *file, GError **error)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("“%s” is not a local file"), uri);
    }
  return path;
}

/* TRUE when the regular file at @path starts with @signature. */
static gboolean
starts_with (const char *path, const char *signature, gsize length)
{
  char head[16] = { 0 };
  FILE *f;
  gboolean match;

  g_assert (length <= sizeof head);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return FALSE;
  f = g_fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  match = fread (head, 1, length, f) == length && memcmp (head, signature, length) == 0;
  fclose (f);
  return match;
}

static gboolean
is_weights_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);

  return basename != NULL && g_str_has_suffix (basename, ".weights.h5");
}

/* The members that make a zip (or a directory) a Keras 3 archive. */
static const char *const keras_members[] = {
  "config.json", "metadata.json", "model.weights.h5", "model.weights.npz", NULL
};

static gboolean
has_keras_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *lower = basename != NULL ? g_ascii_strdown (basename, -1) : NULL;

  return lower != NULL && g_str_has_suffix (lower, ".keras");
}

/* Where the probe looks for members: a zip's central directory, the local
 * header names in the head of a zip libzip cannot open, or a directory. */
typedef struct {
  zip_t        *za;
  const guint8 *head;
  gsize         head_length;
  const char   *dir;
} MemberSource;

static gboolean
has_member (const MemberSource *source, const char *name)
{
  if (source->za != NULL)
    return zip_name_locate (source->za, name, 0) >= 0;
  if (source->dir != NULL)
    {
      g_autofree char *path = g_build_filename (source->dir, name, NULL);
      return g_file_test (path, G_FILE_TEST_IS_REGULAR);
    }
  return memmem (source->head, source->head_length, name, strlen (name)) != NULL;
}

/* How sure we are, from which Keras members are there: config.json and
 * one more is a Keras archive. A file named .keras with only some of them
 * is a damaged one, which load reports precisely; any other zip or
 * directory is not ours, whatever its name. */
static int
score_members (GFile *file, const MemberSource *source)
{
  gboolean has_config = has_member (source, keras_members[0]);
  gboolean has_other = FALSE;

  for (guint i = 1; keras_members[i] != NULL; i++)
    has_other |= has_member (source, keras_members[i]);
  if (has_config && has_other)
    return 95;
  if ((has_config || has_other) && has_keras_name (file))
    return 50;
  return 0;
}

/* Reads the zip's central directory (at its end, so members past the head
 * count too). */
static int
probe_zip (GFile *file, const char *path, const guint8 *data, gsize length)
{
  MemberSource source = { NULL, data, length, NULL };
  int zerr = 0;
  int score;

  if (path != NULL)
    source.za = zip_open (path, ZIP_RDONLY, &zerr);
  score = score_members (file, &source);
  if (source.za != NULL)
    zip_discard (source.za);
  else if (score == 0 && has_keras_name (file))
    score = 50; /* unreadable and named .keras: let load say what is wrong */
  return score;
}

static int
strata_format_keras_v3_probe (StrataFormat *format, GFile *file, GBytes *head)
{
  g_autofree char *path = g_file_get_path (file);
  const guint8 *data;
  gsize length;

  if (head == NULL)
    {
      MemberSource source = { NULL, NULL, 0, path };

      return path != NULL ? score_members (file, &source) : 0;
    }
  data = g_bytes_get_data (head, &length);
  if (kv3_sharded_is_index_name (path))
    return kv3_sharded_probe (data, length);
  if (length >= 4 && memcmp (data, zip_signature, 4) == 0)
    return probe_zip (file, path, data, length);
  if (length >= 8 && memcmp (data, hdf5_signature, 8) == 0 && path != NULL)
    {
      g_autofree char *basename = g_file_get_basename (file);

      /* Keras 3 reads *.weights.h5 as its own layout; Strata hands a
       * legacy file of that name (spec §9.10) to the h5 format (40). Other
       * .h5/.hdf5 names are legacy files and are not opened here. */
      if (is_weights_name (file))
        return kv3_weights_is_keras3 (path) ? 95 : 20;
      if (g_str_has_suffix (basename, ".h5") || g_str_has_suffix (basename, ".hdf5"))
        return 0;
      return kv3_weights_is_keras3 (path) ? 95 : 0;
    }
  return 0;
}

static JsonObject *
parse_object (const char *text, gssize length, const char *what, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (text, length, &local);

  if (node == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: what is parsed, such as config.json, a file name, then the
                    * parser's error message */
                   _("The %s of “%s” is not valid JSON: %s"), what, path, local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: what is parsed, such as config.json, then a file name */
                   _("The %s of “%s” is not a JSON object"), what, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

static void
copy_member (JsonObject *to, const char *to_name, JsonObject *from, const char *from_name)
{
  JsonNode *node = json_object_get_member (from, from_name);

  if (node != NULL)
    json_object_set_member (to, to_name, json_node_copy (node));
  else
    json_object_set_null_member (to, to_name);
}

/* A copy of a compile_config loss or metrics value with the functions
 * tf-keras serializes as {"class_name": "function", "config": NAME} by
 * their NAME, as training_config holds them (tf-keras's HDF5 loader knows
 * no "function" class). Depth is bounded by the JSON parser's limit. */
static JsonNode *
function_names (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *config = json_object_get_member (object, "config");
      JsonObject *copy;
      g_autoptr(GList) members = NULL;

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "class_name", ""), "function") == 0 &&
          config != NULL && JSON_NODE_HOLDS_VALUE (config) && json_node_get_value_type (config) == G_TYPE_STRING)
        return json_node_copy (config);
      copy = json_object_new ();
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (copy, l->data, function_names (json_object_get_member (object, l->data)));
      config = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (config, copy);
      return config;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));
      JsonNode *result = json_node_alloc ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, function_names (json_array_get_element (array, i)));
      json_node_init_array (result, copy);
      json_array_unref (copy);
      return result;
    }
  return json_node_copy (node);
}

/* Keras 3 compile_config -> the Keras 2 training_config shape the core
 * compiles from. Keras 3.15 leaves the optimizer out of compile_config
 * (compiling with the default RMSprop); its state in the weights file
 * still names the optimizer, so Strata keeps it under that class. */
static gboolean
compile_from (StrataModel *model, JsonObject *compile_config, const char *path,
              const char *weights_path, GError **error)
{
  g_autoptr(JsonObject) tc = json_object_new ();
  JsonNode *optimizer = json_object_get_member (compile_config, "optimizer");

  if (optimizer == NULL || JSON_NODE_HOLDS_NULL (optimizer))
    {
      g_autofree char *name = kv3_weights_optimizer_name (weights_path);
      JsonObject *o = json_object_new ();
      JsonObject *oc = json_object_new ();

      if (name != NULL)
        json_object_set_string_member (oc, "name", name);
      json_object_set_string_member (o, "class_name", name != NULL ? kv3_optimizer_class_for (name) : "RMSprop");
      json_object_set_object_member (o, "config", oc);
      json_object_set_object_member (tc, "optimizer_config", o);
    }
  else if (JSON_NODE_HOLDS_VALUE (optimizer) && JSON_NODE_HOLDS_VALUE (optimizer) &&
      json_node_get_value_type (optimizer) == G_TYPE_STRING)
    {
      /* compile(optimizer="adam") keeps the string. */
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "class_name", json_node_get_string (optimizer));
      json_object_set_object_member (o, "config", json_object_new ());
      json_object_set_object_member (tc, "optimizer_config", o);
    }
  else
    copy_member (tc, "optimizer_config", compile_config, "optimizer");
  copy_member (tc, "loss_weights", compile_config, "loss_weights");
  for (guint i = 0; i < 3; i++)
    {
      const char *key = (const char *[]) { "loss", "metrics", "weighted_metrics" }[i];
      JsonNode *value = json_object_get_member (compile_config, key);

      json_object_set_member (tc, key, value != NULL ? function_names (value) : json_node_new (JSON_NODE_NULL));
    }
  if (!strata_model_compile (model, tc, error))
    {
      /* Translators: %s is a file name. */
      g_prefix_error (error, _("Cannot compile the model of “%s” from its compile_config: "), path);
      return FALSE;
    }
  g_object_set_data_full (G_OBJECT (model), COMPILE_CONFIG_KEY,
                          json_object_ref (compile_config), (GDestroyNotify) json_object_unref);
  return TRUE;
}

static StrataModel *
inspect_weights (GFile *file, const char *path, GError **error)
{
  g_autofree char *basename = g_file_get_basename (file);

  if (g_str_has_suffix (basename, ".weights.h5"))
    basename[strlen (basename) - strlen (".weights.h5")] = '\0';
  if (kv3_sharded_is_index_name (basename))
    {
      g_autoptr(Kv3Files) files = kv3_sharded_open (path, error);

      basename[strlen (basename) - strlen (".weights.json")] = '\0';
      return files != NULL ? kv3_weights_inspect_files (files, basename, error) : NULL;
    }
  return kv3_weights_inspect (path, basename, error);
}

/* Every weight of @model (and of the models inside) holds data from the
 * file; setting the weights once more (the same tensors, no copy) ends the
 * metadata-only build, so what the model builds later is initialised. */
static gboolean
finish_model (StrataModel *model, const char *path, GError **error)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);

      if (STRATA_IS_MODEL (layer) && !finish_model (STRATA_MODEL (layer), path, error))
        return FALSE;
    }
  for (guint i = 0; i < weights->len; i++)
    if (!strata_tensor_has_data (g_ptr_array_index (weights, i)))
      {
        g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                     /* Translators: the first %s is a file name, the second %s a weight name, the
                      * third %s a model name. */
                     _("“%s” holds no data for weight “%s” of model “%s”"),
                     path, strata_tensor_get_name (g_ptr_array_index (weights, i)),
                     strata_layer_get_name (STRATA_LAYER (model)));
        return FALSE;
      }
  return strata_layer_set_weights (STRATA_LAYER (model), weights, error);
}

static StrataModel *
strata_format_keras_v3_load_model (StrataFormat *format, GFile *file, StrataLoadOptions *options,
                                   GCancellable *cancellable, GError **error)
{
  g_autofree char *path = local_path (file, error);
  g_auto(Kv3Archive) archive = { 0 };
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  StrataRegistry *registry = options != NULL ? strata_load_options_get_registry (options) : NULL;
  StrataLoadFlags flags = options != NULL ? strata_load_options_get_flags (options) : STRATA_LOAD_NONE;
  gboolean compile = options == NULL || strata_load_options_get_compile (options);
  JsonNode *compile_config;

  if (path == NULL)
    return NULL;
  /* A weights file alone: its groups, for inspection. */
  if (starts_with (path, hdf5_signature, 8) || kv3_sharded_is_index_name (path))
    return inspect_weights (file, path, error);
  if (!kv3_archive_open (file, &archive, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  config = parse_object (archive.config, archive.config_len, "config.json", path, error);
  if (config == NULL)
    return NULL;
  /* Built without data, as the h5 format does: no initializer runs for
   * weights the file replaces, so one Strata does not know (a custom
   * function) is no obstacle; finish_model() then checks every weight got
   * data and ends the metadata-only build. */
  model = strata_model_from_config (config, registry, flags | STRATA_LOAD_METADATA_ONLY, error);
  if (model == NULL)
    {
      /* Translators: %s is a file name. */
      g_prefix_error (error, _("config.json of “%s”: "), path);
      return NULL;
    }
  if (archive.metadata != NULL)
    {
      g_autoptr(JsonObject) metadata = parse_object (archive.metadata, -1, "metadata.json", path, error);
      const char *version;

      if (metadata == NULL)
        return NULL;
      version = json_object_get_string_member_with_default (metadata, "keras_version", NULL);
      if (version != NULL)
        strata_model_set_keras_version (model, version);
    }
  compile_config = json_object_get_member (config, "compile_config");
  if (compile && compile_config != NULL && JSON_NODE_HOLDS_OBJECT (compile_config) &&
      !compile_from (model, json_node_get_object (compile_config), path,
                    archive.weights_path, error))
    return NULL;
  report = kv3_weights_load (model, archive.weights_path, options, TRUE, cancellable, error);
  if (report == NULL ||
      ((flags & STRATA_LOAD_METADATA_ONLY) == 0 && !finish_model (model, path, error)))
    return NULL;
  return g_steal_pointer (&model);
}

static StrataWeightsReport *
strata_format_keras_v3_load_weights (StrataFormat *format, StrataModel *model, GFile *file,
                                     StrataLoadOptions *options, GCancellable *cancellable,
                                     GError **error)
{
  g_autofree char *path = local_path (file, error);

  if (path == NULL)
    return NULL;
  if (kv3_sharded_is_index_name (path))
    {
      g_autoptr(Kv3Files) files = kv3_sharded_open (path, error);

      return files != NULL ? kv3_weights_load_files (model, files, options, TRUE, cancellable, error) : NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) && !starts_with (path, zip_signature, 4))
    return kv3_weights_load (model, path, options, TRUE, cancellable, error);
  {
    g_auto(Kv3Archive) archive = { 0 };

    if (!kv3_archive_open (file, &archive, error))
      return NULL;
    return kv3_weights_load (model, archive.weights_path, options, TRUE, cancellable, error);
  }
}

/* A tf-keras / Keras 2 optimizer config as Keras 3 accepts it: Keras 3
 * refuses unknown arguments, and names the learning rate learning_rate. */
static JsonObject *
keras3_optimizer_config (JsonObject *config)
{
  static const char *const dropped[] = { "is_legacy_optimizer", "jit_compile", "lr" };
  JsonObject *out = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (config);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      gboolean drop = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
        drop |= g_str_equal (key, dropped[i]);
      if (!drop)
        json_object_set_member (out, key, json_node_copy (json_object_get_member (config, key)));
    }
  if (!json_object_has_member (out, "learning_rate") && json_object_has_member (config, "lr"))
    json_object_set_member (out, "learning_rate", json_node_copy (json_object_get_member (config, "lr")));
  return out;
}

/* tf-keras SavedModels (and tf-keras 2.x h5 files) keep compiled metrics
 * as {"class_name": "MeanMetricWrapper", "config": {"fn": ...}}, a class
 * Keras 3 does not have and tf-keras's archives cannot deserialize: both
 * take the function's name instead, as compile() was given it. */
static JsonNode *
archive_metrics (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_new ();
      JsonNode *list = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, archive_metrics (json_array_get_element (in, i)));
      json_node_take_array (list, out);
      return list;
    }
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *config = json_object_get_member (object, "config");
      const char *class_name = json_object_get_string_member_with_default (object, "class_name", "");
      const char *fn = config != NULL && JSON_NODE_HOLDS_OBJECT (config) ?
                       json_object_get_string_member_with_default (json_node_get_object (config), "fn", NULL) : NULL;

      if (g_str_equal (class_name, "MeanMetricWrapper") && fn != NULL)
        return json_node_init_string (json_node_alloc (), fn);
    }
  return node != NULL ? json_node_copy (node) : json_node_new (JSON_NODE_NULL);
}

static JsonObject *archive_optimizer (JsonObject *src, StrataKerasDialect dialect);

/* A tf.keras mixed-precision LossScaleOptimizer config as Keras 3 takes
 * it: TF 2.2/2.3 wrote {"optimizer", "loss_scale": {"class_name":
 * "DynamicLossScale", "config": {"initial_loss_scale", "increment_period"}}},
 * later versions {"inner_optimizer", "dynamic", "initial_scale",
 * "dynamic_growth_steps"}; Keras 3 has the later names. */
static JsonObject *
keras3_loss_scale_config (JsonObject *config)
{
  JsonObject *out = json_object_new ();
  JsonNode *inner = json_object_get_member (config, "inner_optimizer");
  JsonNode *loss_scale = json_object_get_member (config, "loss_scale");
  JsonObject *scale = NULL;

  if (inner == NULL)
    inner = json_object_get_member (config, "optimizer");
  if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
    json_object_set_object_member (out, "inner_optimizer", archive_optimizer (json_node_get_object (inner), STRATA_KERAS_DIALECT_KERAS3));
  if (loss_scale != NULL && JSON_NODE_HOLDS_OBJECT (loss_scale) &&
      json_object_has_member (json_node_get_object (loss_scale), "config") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (loss_scale), "config")))
    scale = json_object_get_object_member (json_node_get_object (loss_scale), "config");
  if (scale != NULL)
    {
      copy_member (out, "initial_scale", scale, "initial_loss_scale");
      copy_member (out, "dynamic_growth_steps", scale, "increment_period");
    }
  else
    {
      copy_member (out, "initial_scale", config, "initial_scale");
      copy_member (out, "dynamic_growth_steps", config, "dynamic_growth_steps");
    }
  /* members left null take Keras 3's defaults */
  if (json_object_has_member (out, "initial_scale") &&
      json_node_is_null (json_object_get_member (out, "initial_scale")))
    json_object_remove_member (out, "initial_scale");
  if (json_object_has_member (out, "dynamic_growth_steps") &&
      json_node_is_null (json_object_get_member (out, "dynamic_growth_steps")))
    json_object_remove_member (out, "dynamic_growth_steps");
  return out;
}

/* A Keras 2 optimizer ({"class_name", "config"}) as the archive of the
 * Keras of @dialect holds it: its config already has that Keras's
 * arguments (strata_model_dup_training_config()), except for what only
 * Keras 3 renames. */
static JsonObject *
archive_optimizer (JsonObject         *src,
                   StrataKerasDialect  dialect)
{
  JsonObject *o = json_object_new ();
  const char *class_name = json_object_get_string_member_with_default (src, "class_name", "");
  JsonNode *config = json_object_get_member (src, "config");
  gboolean has_config = config != NULL && JSON_NODE_HOLDS_OBJECT (config);

  /* tf-keras 2.11+ registers its optimizers as "Custom>Adam". */
  if (g_str_has_prefix (class_name, "Custom>"))
    class_name += strlen ("Custom>");
  json_object_set_string_member (o, "module", "keras.optimizers");
  json_object_set_string_member (o, "class_name", class_name);
  if (has_config && dialect != STRATA_KERAS_DIALECT_KERAS3)
    json_object_set_object_member (o, "config", json_object_ref (json_node_get_object (config)));
  else if (has_config && g_str_equal (class_name, "LossScaleOptimizer"))
    json_object_set_object_member (o, "config", keras3_loss_scale_config (json_node_get_object (config)));
  else if (has_config)
    json_object_set_object_member (o, "config", keras3_optimizer_config (json_node_get_object (config)));
  else
    json_object_set_object_member (o, "config", json_object_new ());
  json_object_set_null_member (o, "registered_name");
  return o;
}

/* compile_config for the Keras of @dialect, for a model compiled from @tc,
 * a Keras 2 training_config for that Keras (strata_model_dup_training_config();
 * another dialect's compile_config was turned into one by the load). */
static JsonObject *
compile_config_from (JsonObject *tc, StrataKerasDialect dialect)
{
  JsonObject *cc = json_object_new ();
  JsonNode *opt = json_object_get_member (tc, "optimizer_config");

  if (opt != NULL && JSON_NODE_HOLDS_OBJECT (opt))
    json_object_set_object_member (cc, "optimizer", archive_optimizer (json_node_get_object (opt), dialect));
  else
    json_object_set_null_member (cc, "optimizer");
  copy_member (cc, "loss", tc, "loss");
  copy_member (cc, "loss_weights", tc, "loss_weights");
  json_object_set_member (cc, "metrics", archive_metrics (json_object_get_member (tc, "metrics")));
  json_object_set_member (cc, "weighted_metrics", archive_metrics (json_object_get_member (tc, "weighted_metrics")));
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      json_object_set_boolean_member (cc, "run_eagerly", FALSE);
      json_object_set_int_member (cc, "steps_per_execution", 1);
      json_object_set_boolean_member (cc, "jit_compile", FALSE);
    }
  else
    {
      /* tf-keras writes the compile() arguments left to their defaults. */
      json_object_set_null_member (cc, "run_eagerly");
      json_object_set_null_member (cc, "steps_per_execution");
      json_object_set_null_member (cc, "jit_compile");
    }
  return cc;
}

static char *
metadata_json (StrataModel *model, StrataKerasDialect dialect)
{
  const char *version = strata_model_get_keras_version (model);
  char date[64] = "";
  time_t now = time (NULL);
  struct tm local;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  gboolean keras3 = dialect == STRATA_KERAS_DIALECT_KERAS3;

  /* The version of the Keras the archive is for: the model's when it is
   * one, else ours (tf-keras writes .keras archives since 2.13). */
  if (version == NULL || !g_str_has_prefix (version, keras3 ? "3." : "2.") ||
      (!keras3 && g_ascii_strtoull (version + 2, NULL, 10) < 13))
    version = keras3 ? DEFAULT_KERAS_VERSION : DEFAULT_TF_KERAS_VERSION;
  json_object_set_string_member (object, "keras_version", version);
  /* Local time, as Keras writes it. libc rather than GDateTime: GLib's
   * time-zone cache is guarded by a lock ThreadSanitizer cannot see, and
   * saves run in many threads at once. */
  if (localtime_r (&now, &local) != NULL)
    strftime (date, sizeof date, "%Y-%m-%d@%H:%M:%S", &local);
  json_object_set_string_member (object, "date_saved", date);
  json_node_take_object (node, object);
  return strata_json_to_string (node, FALSE);
}

/* The Keras an archive or weights file is written for: Keras 3 unless
 * tf-keras (Keras 2, which writes .keras files of its own) is asked for. */
static StrataKerasDialect
target_dialect (StrataSaveOptions *options)
{
  StrataKerasDialect dialect = strata_save_options_resolve_dialect (options, STRATA_KERAS_DIALECT_KERAS3);

  return dialect == STRATA_KERAS_DIALECT_KERAS3 ? dialect : STRATA_KERAS_DIALECT_KERAS2;
}

typedef struct {
  StrataModel        *model;
  const char         *path;
  StrataKerasDialect  dialect;
  gboolean            include_optimizer;
  StrataSaveOptions  *options;
  GCancellable       *cancellable;
} ArchiveWeights;

static gboolean
write_archive_weights (const H5kFdTarget *target, gpointer user_data, GError **error)
{
  const ArchiveWeights *w = user_data;

  return kv3_weights_save (w->model, target, w->path, w->dialect, w->include_optimizer,
                           w->options, w->cancellable, error) &&
         !g_cancellable_set_error_if_cancelled (w->cancellable, error);
}

static gboolean
save_model (StrataModel *model, GFile *file, StrataSaveOptions *options, GCancellable *cancellable,
            GError **error)
{
  g_autofree char *path = local_path (file, error);
  g_autofree char *config_text = NULL;
  g_autofree char *metadata = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *config;
  gboolean include_optimizer = options == NULL || strata_save_options_get_include_optimizer (options);
  StrataKerasDialect dialect = target_dialect (options);
  ArchiveWeights weights = { model, path, dialect, include_optimizer, options, cancellable };
  gboolean ok;
  int fd;

  if (path == NULL)
    return FALSE;
  config = strata_model_to_config_object_full (model, dialect, STRATA_CONFIG_STYLE_ARCHIVE, error);
  if (config == NULL)
    return FALSE;
  if (strata_model_is_compiled (model))
    {
      JsonObject *cc = g_object_get_data (G_OBJECT (model), COMPILE_CONFIG_KEY);

      /* The archive's own compile_config goes back to the Keras it came from. */
      if (cc != NULL && strata_model_get_dialect (model) == dialect)
        json_object_set_object_member (config, "compile_config", json_object_ref (cc));
      else
        {
          g_autoptr(JsonObject) tc = strata_model_dup_training_config (model, dialect);

          json_object_set_object_member (config, "compile_config", compile_config_from (tc, dialect));
        }
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, config);
  config_text = strata_json_to_string (node, FALSE);
  metadata = metadata_json (model, dialect);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: the first %s is a file name, the second %s the system's error
                    * message. */
                   _("Cannot write the .keras archive “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  /* The weights file is written once, in place inside the archive. */
  ok = kv3_archive_write (fd, path, metadata, config_text, write_archive_weights, &weights, error);
  if (close (fd) != 0 && ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: the first %s is a file name, the second %s the system's error
                    * message. */
                   _("Cannot write the .keras archive “%s”: %s"), path, g_strerror (saved_errno));
      ok = FALSE;
    }
  return ok;
}

/* The path @file is saved to: Strata hands formats a temporary beside it. */
static const char *
target_path (GFile *file)
{
  const char *target = g_object_get_data (G_OBJECT (file), STRATA_SAVE_TARGET_PATH_KEY);

  return target != NULL ? target : g_file_peek_path (file);
}

static gboolean
strata_format_keras_v3_save_weights (StrataFormat *format, StrataModel *model, GFile *file,
                                     StrataSaveOptions *options, GCancellable *cancellable,
                                     GError **error)
{
  g_autofree char *path = local_path (file, error);
  g_autoptr(StrataModel) native = NULL;
  StrataKerasDialect dialect = target_dialect (options);

  if (path == NULL)
    return FALSE;
  if (!kv3_sharded_is_index_name (target_path (file)) &&
      options != NULL && strata_save_options_get_max_shard_size (options) != 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a file name */
                   _("Cannot save “%s” in shards: sharded weights are saved to a name ending in .weights.json"),
                   target_path (file));
      return FALSE;
    }
  native = strata_model_without_cudnn (model, error);
  if (native == NULL)
    return FALSE;
  /* Keras's save_weights walks the whole model, optimizer included. */
  if (kv3_sharded_is_index_name (target_path (file)))
    return kv3_sharded_save (native, file, dialect, options, cancellable, error);
  return kv3_weights_save (native, NULL, path, dialect, TRUE, options, cancellable, error);
}

/* Neither Keras that reads .keras files has cuDNN layers. A model saved
 * to a sharded weights index is saved as its weights. */
static gboolean
strata_format_keras_v3_save_model (StrataFormat *format, StrataModel *model, GFile *file,
                                   StrataSaveOptions *options, GCancellable *cancellable,
                                   GError **error)
{
  g_autoptr(StrataModel) native = NULL;

  if (g_file_peek_path (file) != NULL && kv3_sharded_is_index_name (target_path (file)))
    return strata_format_keras_v3_save_weights (format, model, file, options, cancellable, error);
  native = strata_model_without_cudnn (model, error);
  return native != NULL && save_model (native, file, options, cancellable, error);
}

static void
strata_format_keras_v3_class_init (StrataFormatKerasV3Class *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = strata_format_keras_v3_probe;
  format_class->load_model = strata_format_keras_v3_load_model;
  format_class->load_weights = strata_format_keras_v3_load_weights;
  format_class->save_model = strata_format_keras_v3_save_model;
  format_class->save_weights = strata_format_keras_v3_save_weights;
}

static void
strata_format_keras_v3_class_finalize (StrataFormatKerasV3Class *klass)
{
}

static void
strata_format_keras_v3_init (StrataFormatKerasV3 *self)
{
}

static GType
keras_v3_register_type (GTypeModule *module)
{
  strata_format_keras_v3_register_type (module);
  return STRATA_TYPE_FORMAT_KERAS_V3;
}

static const char * const keras_v3_extensions[] = { "keras", "weights.h5", "weights.json", NULL };
static const char * const keras_v3_mime_types[] = { "application/x-keras", NULL };
static const char * const keras_v3_markers[] = { "config.json", "model.weights.h5", NULL };
/* Hints only: the probe decides which zips are .keras archives and which
 * HDF5 files are Keras 3 weights. */
static const StrataMagic keras_v3_magic[] = {
  { 0, zip_signature, 4 },
  { 0, hdf5_signature, 8 },
};

static const StrataFormatDescriptor keras_v3_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "keras-v3",
  .description = N_("Keras 3 native format (.keras archives, .weights.h5 files and sharded .weights.json weights)"),
  .extensions = keras_v3_extensions,
  .mime_types = keras_v3_mime_types,
  .magic = keras_v3_magic,
  .n_magic = G_N_ELEMENTS (keras_v3_magic),
  .marker_files = keras_v3_markers,
  /* A .keras archive, or the same archive unzipped. */
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL |
                  STRATA_FORMAT_CAN_LOAD_WEIGHTS | STRATA_FORMAT_CAN_SAVE_WEIGHTS |
                  STRATA_FORMAT_HOLDS_WEIGHTS | STRATA_FORMAT_HOLDS_OPTIMIZER |
                  STRATA_FORMAT_FILE_OR_DIRECTORY,
  .register_type = keras_v3_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (keras_v3_descriptor)
