/* strata-config-convert.c: layer configs from one Keras dialect to another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real Keras refuses keyword arguments its layer constructors do not take
 * and reads a missing key as its own default, so a layer config read in
 * one dialect and written in another must be rewritten for the target:
 * Keras 1 names become Keras 2 ones (what Keras 2.0's legacy interfaces
 * did when they built Keras 1 layers), keys one side refuses go when their
 * value is the only one the other side can mean, defaults that changed are
 * written out, and a layer the target cannot build to compute the same is
 * refused with an error that names it. The Keras 2 <-> 3 rules come from
 * the constructors of Keras 3.15 and tf-keras 2.21 (every built-in class
 * was saved by one and loaded by the other).
 */
#include "config.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "strata-model-private.h"
#include "strata-builtin-private.h"

#define RANDOM_CLASSES "RandomCrop RandomFlip RandomRotation RandomZoom RandomTranslation " \
                       "RandomContrast RandomBrightness"

typedef enum {
  RULE_DROP,        /* no effect on what the layer computes: drop any value */
  RULE_DROP_IF,     /* drop when the value is @value; any other has no equivalent */
  RULE_RENAME,      /* keep the value under the key @value */
  RULE_DEFAULT,     /* absent: write @value, what the source meant by leaving it out */
} RuleAction;

typedef struct {
  const char *classes;   /* space-separated Keras class names */
  const char *key;
  RuleAction  action;
  const char *value;     /* JSON text (RULE_DROP_IF, RULE_DEFAULT) or a key (RULE_RENAME) */
} KeyRule;

/* Written by tf-keras, refused by Keras 3. */
static const KeyRule keras2_only_keys[] = {
  /* Keras 3 RNNs are batch-major only. */
  { STRATA_RNN_CLASSES, "time_major", RULE_DROP_IF, "false" },
  /* Keras 3 has groups only on Conv1D/2D/3D. */
  { "Conv1DTranspose Conv2DTranspose Conv3DTranspose DepthwiseConv1D DepthwiseConv2D "
    "SeparableConv1D SeparableConv2D", "groups", RULE_DROP_IF, "1" },
  /* tf-keras separable convolutions inherit the unused Conv kernel_* arguments. */
  { "SeparableConv1D SeparableConv2D", "kernel_initializer", RULE_DROP, NULL },
  { "SeparableConv1D SeparableConv2D", "kernel_regularizer", RULE_DROP, NULL },
  { "SeparableConv1D SeparableConv2D", "kernel_constraint", RULE_DROP, NULL },
  /* Keras 3 SpatialDropout*D(rate, [data_format,] seed, name, dtype). */
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "trainable", RULE_DROP, NULL },
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "noise_shape", RULE_DROP_IF, "null" },
  /* The tf.random generator kind: no Keras 3 equivalent, no effect on inference. */
  { RANDOM_CLASSES, "rng_type", RULE_DROP, NULL },
  /* Build shapes: Keras 3 builds from the call. */
  { "MultiHeadAttention", "query_shape", RULE_DROP, NULL },
  { "MultiHeadAttention", "key_shape", RULE_DROP, NULL },
  { "MultiHeadAttention", "value_shape", RULE_DROP, NULL },
  { "MultiHeadAttention", "softmax_robust_masking", RULE_DROP_IF, "false" },
  /* Keras 3 ignores it (with a warning); the input layer has the shape. */
  { "Embedding", "input_length", RULE_DROP, NULL },
  { "BatchNormalization", "virtual_batch_size", RULE_DROP_IF, "null" },
  { "InputLayer", "batch_input_shape", RULE_RENAME, "batch_shape" },
};

/* Written by Keras 3, refused by tf-keras. */
static const KeyRule keras3_only_keys[] = {
  { "Dense EinsumDense Embedding", "quantization_config", RULE_DROP_IF, "null" },
  { "Dense EinsumDense Embedding", "lora_rank", RULE_DROP_IF, "null" },
  { "Dense EinsumDense Embedding", "lora_alpha", RULE_DROP_IF, "null" },
  { "LeakyReLU", "negative_slope", RULE_RENAME, "alpha" },
  { "Resizing CenterCrop " RANDOM_CLASSES, "data_format", RULE_DROP_IF, "\"channels_last\"" },
  { "Resizing", "pad_to_aspect_ratio", RULE_DROP_IF, "false" },
  { "Resizing", "fill_mode", RULE_DROP, NULL },       /* only read with pad_to_aspect_ratio */
  { "Resizing", "fill_value", RULE_DROP, NULL },
  { "Resizing", "antialias", RULE_DROP_IF, "false" },
  { "RandomContrast", "value_range", RULE_DROP_IF, "[0,255]" },
  { "LayerNormalization", "rms_scaling", RULE_DROP_IF, "false" },
  { "ConvLSTM1D ConvLSTM2D ConvLSTM3D MultiHeadAttention", "seed", RULE_DROP, NULL },   /* dropout RNG */
  { "MultiHeadAttention", "use_gate", RULE_DROP_IF, "false" },
  { "MultiHeadAttention", "sliding_window", RULE_DROP_IF, "null" },
  { "InputLayer", "batch_shape", RULE_RENAME, "batch_input_shape" },
};

/* Written whatever the source: defaults that changed between versions. */
static const KeyRule target_defaults[] = {
  /* Keras <= 2.2 (and Keras 1) GRUs had reset_after=False and wrote no
   * such key; tf-keras and Keras 3 default to True, which needs other
   * weight shapes. */
  { "GRU GRUCell", "reset_after", RULE_DEFAULT, "false" },
};

/* ---- Keras 1 -------------------------------------------------------------- */

/* Keras 1 class names and the Keras 2 class that builds the same layer. */
static const struct { const char *keras1, *keras2; } keras1_classes[] = {
  { "Convolution1D", "Conv1D" },
  { "AtrousConvolution1D", "Conv1D" },
  { "Convolution2D", "Conv2D" },
  { "AtrousConvolution2D", "Conv2D" },
  { "Convolution3D", "Conv3D" },
  { "Deconvolution2D", "Conv2DTranspose" },
  { "Deconvolution3D", "Conv3DTranspose" },
  { "Convolution1DTranspose", "Conv1DTranspose" },
  { "Convolution2DTranspose", "Conv2DTranspose" },
  { "Convolution3DTranspose", "Conv3DTranspose" },
  { "SeparableConvolution1D", "SeparableConv1D" },
  { "SeparableConvolution2D", "SeparableConv2D" },
};

#define K1_CONV_ND "Conv2D Conv3D Conv2DTranspose Conv3DTranspose SeparableConv2D"
#define K1_CONV K1_CONV_ND " Conv1D Conv1DTranspose SeparableConv1D"
#define K1_POOL_ND "MaxPooling2D MaxPooling3D AveragePooling2D AveragePooling3D"
#define K1_GLOBAL_ND "GlobalMaxPooling2D GlobalMaxPooling3D GlobalAveragePooling2D GlobalAveragePooling3D"
#define K1_RESIZE_ND "UpSampling2D UpSampling3D ZeroPadding2D ZeroPadding3D Cropping2D Cropping3D"
#define K1_RNN "SimpleRNN LSTM GRU"
/* Layers whose Keras 1 config has dim_ordering ("th"/"tf"/"default"). */
#define K1_ORDERED K1_CONV_ND " " K1_POOL_ND " " K1_GLOBAL_ND " " K1_RESIZE_ND \
                   " SpatialDropout2D SpatialDropout3D ConvLSTM2D"

/* The keys Keras 2.0's legacy interfaces renamed (keras/legacy/interfaces.py). */
static const KeyRule keras1_keys[] = {
  { "Dense " K1_RNN, "output_dim", RULE_RENAME, "units" },
  { "Dense " K1_CONV " ConvLSTM2D " K1_RNN, "init", RULE_RENAME, "kernel_initializer" },
  { "Dense " K1_CONV " ConvLSTM2D " K1_RNN, "W_regularizer", RULE_RENAME, "kernel_regularizer" },
  { "Dense " K1_CONV " ConvLSTM2D " K1_RNN, "b_regularizer", RULE_RENAME, "bias_regularizer" },
  { "Dense " K1_CONV, "W_constraint", RULE_RENAME, "kernel_constraint" },
  { "Dense " K1_CONV, "b_constraint", RULE_RENAME, "bias_constraint" },
  { "Dense " K1_CONV " ConvLSTM2D", "bias", RULE_RENAME, "use_bias" },
  { K1_RNN " ConvLSTM2D", "inner_init", RULE_RENAME, "recurrent_initializer" },
  { K1_RNN " ConvLSTM2D", "inner_activation", RULE_RENAME, "recurrent_activation" },
  { K1_RNN " ConvLSTM2D", "U_regularizer", RULE_RENAME, "recurrent_regularizer" },
  { K1_RNN " ConvLSTM2D", "dropout_W", RULE_RENAME, "dropout" },
  { K1_RNN " ConvLSTM2D", "dropout_U", RULE_RENAME, "recurrent_dropout" },
  { K1_CONV " ConvLSTM2D", "nb_filter", RULE_RENAME, "filters" },
  { K1_CONV_ND " ConvLSTM2D", "subsample", RULE_RENAME, "strides" },
  { K1_CONV " ConvLSTM2D MaxPooling1D AveragePooling1D " K1_POOL_ND, "border_mode", RULE_RENAME, "padding" },
  { "Conv1D", "filter_length", RULE_RENAME, "kernel_size" },
  { "Conv1D", "subsample_length", RULE_RENAME, "strides" },
  { "Conv1D Conv2D", "atrous_rate", RULE_RENAME, "dilation_rate" },
  /* Keras 1 deconvolutions stored the full output shape, which Keras 2 computes. */
  { "Conv2DTranspose Conv3DTranspose", "output_shape", RULE_DROP, NULL },
  { "Embedding", "init", RULE_RENAME, "embeddings_initializer" },
  { "Embedding", "W_regularizer", RULE_RENAME, "embeddings_regularizer" },
  { "Embedding", "W_constraint", RULE_RENAME, "embeddings_constraint" },
  /* Training only; Keras 2 dropped it with a warning. */
  { "Embedding", "dropout", RULE_DROP, NULL },
  { "MaxPooling1D AveragePooling1D", "pool_length", RULE_RENAME, "pool_size" },
  { "MaxPooling1D AveragePooling1D", "stride", RULE_RENAME, "strides" },
  { "UpSampling1D", "length", RULE_RENAME, "size" },
  { "Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianDropout", "p", RULE_RENAME, "rate" },
  { "GaussianNoise", "sigma", RULE_RENAME, "stddev" },
  { "PReLU", "init", RULE_RENAME, "alpha_initializer" },
  { "BatchNormalization", "beta_init", RULE_RENAME, "beta_initializer" },
  { "BatchNormalization", "gamma_init", RULE_RENAME, "gamma_initializer" },
  { "BatchNormalization", "mode", RULE_DROP_IF, "0" },
};

/* Keras 1 regularizer and constraint objects ({"name": ..., args}) and the
 * Keras 2 class and arguments they are. */
static const struct { const char *name, *class_name, *args; } keras1_objects[] = {
  { "WeightRegularizer", "L1L2", "l1 l2" },
  { "ActivityRegularizer", "L1L2", "l1 l2" },
  { "L1L2Regularizer", "L1L2", "l1 l2" },
  { "MaxNorm", "MaxNorm", "m=max_value axis" },
  { "NonNeg", "NonNeg", "" },
  { "UnitNorm", "UnitNorm", "axis" },
  { "MinMaxNorm", "MinMaxNorm", "low=min_value high=max_value min_value max_value rate axis" },
};

/* Keras 1 Merge modes and the Keras 2 merge layers (same inputs, same output). */
static const struct { const char *mode, *class_name; } keras1_merges[] = {
  { "sum", "Add" }, { "mul", "Multiply" }, { "ave", "Average" }, { "max", "Maximum" },
  { "concat", "Concatenate" }, { "dot", "Dot" },
};

/* Activations that compute differently in tf-keras and Keras 3, or exist
 * in one only (checked by applying both to the same inputs). */
static const char *const keras2_hard_sigmoid = "hard_sigmoid";  /* 0.2x+0.5 vs x/6+0.5 */
static const char keras3_only_activations[] =
  "celu glu hard_shrink hard_silu hard_swish hard_tanh log_sigmoid soft_shrink sparse_plus "
  "sparse_sigmoid sparsemax squareplus tanh_shrink threshold";

/* Classes one side has and the other lacks, and how the other side builds
 * the same layer: a module that holds it, or nothing (refused). */
static const struct { const char *classes; StrataKerasDialect missing_in; const char *module; } missing_classes[] = {
  /* Keras 3 keeps tf-keras's layer, unchanged, as keras._legacy.layers. */
  { "ThresholdedReLU", STRATA_KERAS_DIALECT_KERAS3, "keras._legacy.layers" },
  { "LocallyConnected1D LocallyConnected2D CuDNNLSTM CuDNNGRU", STRATA_KERAS_DIALECT_KERAS3, NULL },
  { "CuDNNLSTM CuDNNGRU", STRATA_KERAS_DIALECT_KERAS2, NULL },
  /* Keras 3 operation nodes (masks); predict reads them in the tf-keras form. */
  { "NotEqual Any", STRATA_KERAS_DIALECT_KERAS2, NULL },
};

typedef struct {
  const StrataConversion *conversion;
  const char             *layer_name;
  const char             *class_name;
} Ctx;

gboolean
strata_config_class_listed (const char *classes,
                            const char *class_name)
{
  gsize len = strlen (class_name);

  for (const char *p = strstr (classes, class_name); p != NULL; p = strstr (p + 1, class_name))
    if ((p == classes || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
      return TRUE;
  return FALSE;
}

static gboolean
value_is (JsonNode   *node,
          const char *json_text)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return g_strcmp0 (text, json_text) == 0;
}

static const char *
string_member (JsonObject *object,
               const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static const char *
dialect_name (StrataKerasDialect dialect)
{
  switch (dialect)
    {
    case STRATA_KERAS_DIALECT_KERAS1:
      return "Keras 1";
    case STRATA_KERAS_DIALECT_KERAS3:
      return "Keras 3";
    case STRATA_KERAS_DIALECT_AUTO:
    case STRATA_KERAS_DIALECT_KERAS2:
    default:
      return "tf-keras (Keras 2)";
    }
}

/* Records that the layer has no exact equivalent in the target (the first
 * such layer only: that is the error the save fails with). */
static void
refuse (Ctx        *ctx,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
refuse (Ctx        *ctx,
        const char *format,
        ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  if (ctx->conversion->refusal == NULL || *ctx->conversion->refusal != NULL)
    return;
  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ctx->conversion->refusal, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_NO_EQUIVALENT,
               /* Translators: the first %s is a layer name, the second its Keras
                * class, the third "Keras 3" or "tf-keras (Keras 2)", the last the reason. */
               _("Layer “%s” (%s) cannot be written for %s without changing what it computes: %s"),
               ctx->layer_name, ctx->class_name, dialect_name (ctx->conversion->to), reason);
}

static void
apply_rules (Ctx           *ctx,
             JsonObject    *config,
             const KeyRule *rules,
             guint          n_rules)
{
  for (guint i = 0; i < n_rules; i++)
    {
      JsonNode *value;

      if (!strata_config_class_listed (rules[i].classes, ctx->class_name))
        continue;
      value = json_object_get_member (config, rules[i].key);
      if (rules[i].action == RULE_DEFAULT)
        {
          if (value == NULL)
            json_object_set_member (config, rules[i].key, json_from_string (rules[i].value, NULL));
          continue;
        }
      if (value == NULL)
        continue;
      if (rules[i].action == RULE_DROP_IF && !value_is (value, rules[i].value))
        {
          g_autofree char *text = strata_builtin_describe_value (value);

          /* Translators: the first %s is a config key, the second its value. */
          refuse (ctx, _("its “%s” is %s, which has no equivalent there"), rules[i].key, text);
          continue;
        }
      if (rules[i].action == RULE_RENAME && !json_object_has_member (config, rules[i].value))
        json_object_set_member (config, rules[i].value, strata_json_node_copy (value));
      json_object_remove_member (config, rules[i].key);
    }
}

/* Keras 3 keeps a dtype policy object where tf-keras takes the policy
 * name ("float32", "mixed_float16"); tf-keras 2.4-2.12 wrote a Policy
 * object that Keras 3 has no class for. Quantized Keras 3 policies have
 * no tf-keras equivalent. */
static void
convert_dtype_policy (Ctx        *ctx,
                      JsonObject *config)
{
  JsonNode *dtype = json_object_get_member (config, "dtype");
  JsonObject *policy;
  const char *class_name, *name;

  if (dtype == NULL || !JSON_NODE_HOLDS_OBJECT (dtype))
    return;
  policy = json_node_get_object (dtype);
  class_name = string_member (policy, "class_name");
  name = string_member (json_object_has_member (policy, "config") &&
                        JSON_NODE_HOLDS_OBJECT (json_object_get_member (policy, "config"))
                        ? json_object_get_object_member (policy, "config") : NULL, "name");
  if (name == NULL || class_name == NULL)
    return;
  if (ctx->conversion->to == STRATA_KERAS_DIALECT_KERAS3 && !g_str_equal (class_name, "Policy"))
    return;
  if (ctx->conversion->to != STRATA_KERAS_DIALECT_KERAS3 && !g_str_has_suffix (class_name, "DTypePolicy"))
    return;
  if (ctx->conversion->to != STRATA_KERAS_DIALECT_KERAS3 && strstr (name, "_from_") != NULL)
    {
      /* Translators: %s is a dtype policy name such as "int8_from_float32". */
      refuse (ctx, _("its quantized dtype policy “%s” does not exist there"), name);
      return;
    }
  json_object_set_string_member (config, "dtype", name);
}

/* Activations: tf-keras's hard_sigmoid (0.2x + 0.5, also Keras 1's) is
 * not Keras 3's (x/6 + 0.5), and Keras 3 has activations tf-keras lacks. */
static void
check_activations (Ctx        *ctx,
                   JsonObject *config)
{
  static const char *const keys[] = { "activation", "recurrent_activation", "inner_activation" };

  if ((ctx->conversion->from == STRATA_KERAS_DIALECT_KERAS3) == (ctx->conversion->to == STRATA_KERAS_DIALECT_KERAS3) ||
      ctx->conversion->for_predict)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *name = string_member (config, keys[i]);

      if (name == NULL)
        continue;
      if (g_str_equal (name, keras2_hard_sigmoid))
        /* Translators: the first %s is a config key, the second an activation name. */
        refuse (ctx, _("its “%s” “%s” computes a different function there"), keys[i], name);
      else if (ctx->conversion->to != STRATA_KERAS_DIALECT_KERAS3 && strata_config_class_listed (keras3_only_activations, name))
        /* Translators: the first %s is a config key, the second an activation name. */
        refuse (ctx, _("its “%s” “%s” does not exist there"), keys[i], name);
    }
}

/* A Keras 1 regularizer or constraint object as Keras 2's {class_name, config}. */
static void
convert_keras1_object (JsonObject *config,
                       const char *key)
{
  JsonNode *member = json_object_get_member (config, key);
  JsonObject *old, *converted, *args;
  const char *name;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  old = json_node_get_object (member);
  name = string_member (old, "name");
  if (name == NULL || json_object_has_member (old, "class_name"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (keras1_objects); i++)
    {
      g_auto(GStrv) specs = NULL;

      if (!g_str_equal (name, keras1_objects[i].name))
        continue;
      specs = g_strsplit (keras1_objects[i].args, " ", -1);
      converted = json_object_new ();
      args = json_object_new ();
      for (guint k = 0; specs[k] != NULL; k++)
        {
          g_auto(GStrv) pair = g_strsplit (specs[k], "=", 2);
          const char *to = pair[1] != NULL ? pair[1] : pair[0];
          JsonNode *value = pair[0][0] != '\0' ? json_object_get_member (old, pair[0]) : NULL;

          if (value != NULL && !json_object_has_member (args, to))
            json_object_set_member (args, to, strata_json_node_copy (value));
        }
      json_object_set_string_member (converted, "class_name", keras1_objects[i].class_name);
      json_object_set_object_member (converted, "config", args);
      json_object_set_object_member (config, key, converted);
      return;
    }
}

static const char *
keras1_data_format (const char *ordering)
{
  if (g_strcmp0 (ordering, "th") == 0)
    return "channels_first";
  return "channels_last";
}

/* A pair of Keras 1 keys (nb_row, nb_col...) as one Keras 2 list. */
static void
join_keys (JsonObject *config,
           const char *const *keys,
           const char *to)
{
  JsonArray *list;

  for (guint i = 0; keys[i] != NULL; i++)
    if (!json_object_has_member (config, keys[i]))
      return;
  list = json_array_new ();
  for (guint i = 0; keys[i] != NULL; i++)
    {
      json_array_add_element (list, strata_json_node_copy (json_object_get_member (config, keys[i])));
      json_object_remove_member (config, keys[i]);
    }
  if (!json_object_has_member (config, to))
    json_object_set_array_member (config, to, list);
  else
    json_array_unref (list);
}

/* The keys of a Keras 1 Merge that its Keras 2 layer does not take. */
static const char *const keras1_merge_keys[] = {
  "mode", "mode_type", "concat_axis", "dot_axes", "output_shape", "output_shape_type",
  "output_mask", "output_mask_type", "arguments",
};

/* Keras 1 dot_axes as Keras 2 Dot axes: [[1], [1]] is [1, 1]. */
static JsonNode *
keras1_dot_axes (JsonNode *axes)
{
  JsonArray *pair, *flat;
  JsonNode *node;

  if (!JSON_NODE_HOLDS_ARRAY (axes))
    return strata_json_node_copy (axes);
  pair = json_node_get_array (axes);
  flat = json_array_new ();
  for (guint k = 0; k < json_array_get_length (pair); k++)
    {
      JsonNode *e = json_array_get_element (pair, k);

      if (JSON_NODE_HOLDS_ARRAY (e) && json_array_get_length (json_node_get_array (e)) == 1)
        e = json_array_get_element (json_node_get_array (e), 0);
      json_array_add_element (flat, strata_json_node_copy (e));
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, flat);
  return node;
}

/* Keras 1 Merge: the Keras 2 merge layer of its mode. */
static const char *
convert_merge (Ctx        *ctx,
               JsonObject *config)
{
  const char *mode = string_member (config, "mode");
  JsonNode *axes;

  if (json_object_has_member (config, "layers"))
    {
      refuse (ctx, _("a Merge of models has no Keras 2 layer"));
      return NULL;
    }
  if (mode == NULL && !json_object_has_member (config, "mode"))
    mode = "sum";
  for (guint i = 0; mode != NULL && i < G_N_ELEMENTS (keras1_merges); i++)
    {
      if (!g_str_equal (mode, keras1_merges[i].mode))
        continue;
      if (g_str_equal (mode, "concat"))
        {
          JsonNode *axis = json_object_get_member (config, "concat_axis");

          json_object_set_member (config, "axis", axis != NULL ? strata_json_node_copy (axis)
                                                               : json_node_init_int (json_node_alloc (), -1));
        }
      axes = json_object_get_member (config, "dot_axes");
      if (g_str_equal (mode, "dot") && axes != NULL)
        json_object_set_member (config, "axes", keras1_dot_axes (axes));
      for (guint k = 0; k < G_N_ELEMENTS (keras1_merge_keys); k++)
        if (json_object_has_member (config, keras1_merge_keys[k]))
          json_object_remove_member (config, keras1_merge_keys[k]);
      return keras1_merges[i].class_name;
    }
  /* Translators: %s is a Keras 1 Merge mode such as "cos". */
  refuse (ctx, _("Merge mode “%s” has no Keras 2 layer"), mode != NULL ? mode : "lambda");
  return NULL;
}

/* Keras 1 input_dim / input_length (first recurrent or Conv1D layer of a
 * Sequential) next to the batch_input_shape Keras 1 also wrote: the shape
 * says it all, and Keras 2 takes neither key on these layers. */
static void
drop_keras1_input_keys (JsonObject *config)
{
  static const char *const keys[] = { "input_dim", "input_length" };

  if (!json_object_has_member (config, "batch_input_shape"))
    {
      JsonNode *dim = json_object_get_member (config, "input_dim");
      JsonNode *length = json_object_get_member (config, "input_length");
      JsonArray *shape;

      if (dim == NULL)
        return;
      shape = json_array_new ();
      json_array_add_null_element (shape);
      json_array_add_element (shape, length != NULL ? strata_json_node_copy (length)
                                                    : json_node_init_null (json_node_alloc ()));
      json_array_add_element (shape, strata_json_node_copy (dim));
      json_object_set_array_member (config, "batch_input_shape", shape);
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (json_object_has_member (config, keys[i]))
      json_object_remove_member (config, keys[i]);
}

/* Keras 1 ZeroPadding2D (top, bottom, left, right) as ((top, bottom), (left, right)). */
static void
convert_keras1_padding (JsonObject *config)
{
  JsonNode *padding = json_object_get_member (config, "padding");
  JsonArray *flat, *nested;
  JsonNode *node;

  if (padding == NULL || !JSON_NODE_HOLDS_ARRAY (padding) ||
      json_array_get_length (json_node_get_array (padding)) != 4)
    return;
  flat = json_node_get_array (padding);
  nested = json_array_new ();
  for (guint i = 0; i < 4; i += 2)
    {
      JsonArray *pair = json_array_new ();

      json_array_add_element (pair, strata_json_node_copy (json_array_get_element (flat, i)));
      json_array_add_element (pair, strata_json_node_copy (json_array_get_element (flat, i + 1)));
      json_array_add_array_element (nested, pair);
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, nested);
  json_object_set_member (config, "padding", node);
}

/* A Keras 1 layer as Keras 2 builds it. Returns the Keras 2 class name. */
static const char *
keras1_to_keras2 (Ctx        *ctx,
                  JsonObject *config)
{
  static const char *const rows_cols[] = { "nb_row", "nb_col", NULL };
  static const char *const dims[] = { "kernel_dim1", "kernel_dim2", "kernel_dim3", NULL };
  static const char *const k1_objects[] = {
    "W_regularizer", "b_regularizer", "U_regularizer", "activity_regularizer",
    "gamma_regularizer", "beta_regularizer", "depthwise_regularizer", "pointwise_regularizer",
    "W_constraint", "b_constraint", "depthwise_constraint", "pointwise_constraint",
  };
  const char *class_name = ctx->class_name;
  JsonNode *ordering, *node;

  for (guint i = 0; i < G_N_ELEMENTS (keras1_classes); i++)
    if (g_str_equal (class_name, keras1_classes[i].keras1))
      class_name = keras1_classes[i].keras2;
  if (g_str_equal (class_name, "Merge"))
    {
      class_name = convert_merge (ctx, config);
      return class_name != NULL ? class_name : ctx->class_name;
    }
  if (strata_config_class_listed ("Highway MaxoutDense TimeDistributedDense", class_name))
    {
      /* Translators: %s is a Keras 1 class name such as "Highway". */
      refuse (ctx, _("Keras 2 has no %s layer"), class_name);
      return class_name;
    }
  ctx->class_name = class_name;

  for (guint i = 0; i < G_N_ELEMENTS (k1_objects); i++)
    convert_keras1_object (config, k1_objects[i]);
  if (strata_config_class_listed ("SeparableConv1D SeparableConv2D", class_name) &&
      (node = json_object_get_member (config, "init")) != NULL)
    {
      if (!json_object_has_member (config, "depthwise_initializer"))
        json_object_set_member (config, "depthwise_initializer", strata_json_node_copy (node));
      if (!json_object_has_member (config, "pointwise_initializer"))
        json_object_set_member (config, "pointwise_initializer", strata_json_node_copy (node));
      json_object_remove_member (config, "init");
    }
  if (strata_config_class_listed (K1_RNN " ConvLSTM2D", class_name) &&
      (node = json_object_get_member (config, "forget_bias_init")) != NULL)
    {
      /* Keras 2 has unit_forget_bias for "one"; other initial forget biases
       * only mattered when the weights were made. */
      if (value_is (node, "\"one\"") && !json_object_has_member (config, "unit_forget_bias"))
        json_object_set_boolean_member (config, "unit_forget_bias", TRUE);
      json_object_remove_member (config, "forget_bias_init");
    }
  if (strata_config_class_listed (K1_RNN, class_name) && (node = json_object_get_member (config, "consume_less")) != NULL)
    {
      static const char *const modes[] = { "\"cpu\"", "\"mem\"", "\"gpu\"" };

      /* As Keras 2's own conversion: SimpleRNN has no implementation (Keras
       * 2 warns and drops it, Keras 3 refuses it). */
      for (guint i = 0; i < G_N_ELEMENTS (modes) && !g_str_equal (class_name, "SimpleRNN"); i++)
        if (value_is (node, modes[i]) && !json_object_has_member (config, "implementation"))
          json_object_set_int_member (config, "implementation", i);
      json_object_remove_member (config, "consume_less");
    }
  if (strata_config_class_listed (K1_RNN " Conv1D", class_name))
    drop_keras1_input_keys (config);
  if (strata_config_class_listed (K1_CONV_ND " ConvLSTM2D", class_name))
    join_keys (config, rows_cols, "kernel_size");
  if (strata_config_class_listed ("Conv3D Conv3DTranspose", class_name))
    join_keys (config, dims, "kernel_size");
  if (g_str_equal (class_name, "ZeroPadding2D"))
    convert_keras1_padding (config);

  /* dim_ordering: "th" is channels_first; "tf" and "default" (the user's
   * setting, which the model's other layers tell) channels_last unless the
   * model is Theano-ordered; layers without it follow the model. */
  ordering = json_object_get_member (config, "dim_ordering");
  if (strata_config_class_listed (K1_ORDERED, class_name) && !json_object_has_member (config, "data_format"))
    {
      const char *value = ordering != NULL ? string_member (config, "dim_ordering") : NULL;

      if (value == NULL || g_str_equal (value, "default"))
        value = ctx->conversion->dim_ordering;
      json_object_set_string_member (config, "data_format", keras1_data_format (value));
    }
  if (ordering != NULL)
    json_object_remove_member (config, "dim_ordering");

  /* Keras 2's Layer took input_dtype as dtype. */
  node = json_object_get_member (config, "input_dtype");
  if (node != NULL)
    {
      if (!json_object_has_member (config, "dtype"))
        json_object_set_member (config, "dtype", strata_json_node_copy (node));
      json_object_remove_member (config, "input_dtype");
    }
  apply_rules (ctx, config, keras1_keys, G_N_ELEMENTS (keras1_keys));
  return class_name;
}

/* tf-keras makes the backward layer of a Bidirectional with the opposite
 * go_backwards of the wrapped layer, Keras 3 with go_backwards true (and
 * refuses two layers going the same way): a wrapped layer that goes
 * backwards needs its backward twin written out. */
static void
add_backward_layer (JsonObject *config)
{
  JsonNode *layer = json_object_get_member (config, "layer");
  JsonObject *backward, *backward_config;
  JsonNode *go_backwards;
  const char *name;

  if (layer == NULL || !JSON_NODE_HOLDS_OBJECT (layer) ||
      json_object_has_member (config, "backward_layer"))
    return;
  backward = strata_json_object_copy (json_node_get_object (layer));
  if (!json_object_has_member (backward, "config") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (backward, "config")))
    {
      json_object_unref (backward);
      return;
    }
  backward_config = json_object_get_object_member (backward, "config");
  go_backwards = json_object_get_member (backward_config, "go_backwards");
  if (go_backwards == NULL || !value_is (go_backwards, "true"))
    {
      json_object_unref (backward);
      return;
    }
  json_object_set_boolean_member (backward_config, "go_backwards", FALSE);
  name = string_member (backward_config, "name");
  if (name != NULL)
    {
      g_autofree char *backward_name = g_strconcat ("backward_", name, NULL);

      json_object_set_string_member (backward_config, "name", backward_name);
    }
  json_object_set_object_member (config, "backward_layer", backward);
}

/* Keras 3 writes a Bidirectional's layers under their final names
 * ("forward_lstm", "backward_lstm") and strips the prefix again when it
 * reads them; tf-keras writes the wrapped layer's own name and prefixes it
 * when it reads, so the prefixes must go for tf-keras. */
static void
strip_bidirectional_prefixes (JsonObject *config)
{
  static const char *const keys[][2] = { { "layer", "forward_" }, { "backward_layer", "backward_" } };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *layer = json_object_get_member (config, keys[i][0]);
      JsonNode *inner;
      const char *name;

      if (layer == NULL || !JSON_NODE_HOLDS_OBJECT (layer))
        continue;
      inner = json_object_get_member (json_node_get_object (layer), "config");
      if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
        continue;
      name = string_member (json_node_get_object (inner), "name");
      if (name != NULL && g_str_has_prefix (name, keys[i][1]) && name[strlen (keys[i][1])] != '\0')
        {
          g_autofree char *stripped = g_strdup (name + strlen (keys[i][1]));

          json_object_set_string_member (json_node_get_object (inner), "name", stripped);
        }
    }
}

/* Initializer configs hold keys the other side's initializers refuse:
 * tf.keras 2.2-2.3 wrote the "dtype" of the values (weights are loaded, so
 * it means nothing once saved), Keras 3.15 VarianceScaling writes
 * input_axes/output_axes (null unless set). */
static void
clean_initializers (JsonObject *config,
                    gboolean    to_keras3)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init (&iter, config);
  while (json_object_iter_next (&iter, &key, &member))
    {
      JsonObject *init_config;

      if (!g_str_has_suffix (key, "_initializer") || !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      member = json_object_get_member (json_node_get_object (member), "config");
      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      init_config = json_node_get_object (member);
      if (to_keras3)
        {
          if (json_object_has_member (init_config, "dtype"))
            json_object_remove_member (init_config, "dtype");
          continue;
        }
      for (guint i = 0; i < 2; i++)
        {
          const char *axes = i == 0 ? "input_axes" : "output_axes";
          JsonNode *value = json_object_get_member (init_config, axes);

          if (value != NULL && JSON_NODE_HOLDS_NULL (value))
            json_object_remove_member (init_config, axes);
        }
    }
}

/* Keras 2 <-> Keras 3 for one layer config. */
static void
keras2_keras3 (Ctx        *ctx,
               JsonObject *config)
{
  gboolean to_keras3 = ctx->conversion->to == STRATA_KERAS_DIALECT_KERAS3;

  if (to_keras3)
    {
      JsonNode *axis = json_object_get_member (config, "axis");

      apply_rules (ctx, config, keras2_only_keys, G_N_ELEMENTS (keras2_only_keys));
      /* Any Keras 2 layer may carry its model's batch_input_shape; Keras 3
       * layers refuse it. The shape is the model's input layer's, which a
       * Keras 3 config always writes (see write_sequential()). Keras 3
       * takes input_dim as a deprecated argument it ignores likewise. */
      if (json_object_has_member (config, "batch_input_shape"))
        json_object_remove_member (config, "batch_input_shape");
      if (json_object_has_member (config, "input_dim") && !g_str_equal (ctx->class_name, "Embedding"))
        json_object_remove_member (config, "input_dim");
      if (g_str_equal (ctx->class_name, "Bidirectional"))
        add_backward_layer (config);
      /* tf-keras stores the built axis as a list; Keras 3 takes one int. */
      if (axis != NULL && g_str_equal (ctx->class_name, "BatchNormalization") &&
          JSON_NODE_HOLDS_ARRAY (axis) && json_array_get_length (json_node_get_array (axis)) == 1)
        json_object_set_member (config, "axis",
                                strata_json_node_copy (json_array_get_element (json_node_get_array (axis), 0)));
    }
  else
    {
      apply_rules (ctx, config, keras3_only_keys, G_N_ELEMENTS (keras3_only_keys));
      if (g_str_equal (ctx->class_name, "Bidirectional"))
        strip_bidirectional_prefixes (config);
      /* tf-keras MultiHeadAttention.from_config pops the build shapes. */
      if (g_str_equal (ctx->class_name, "MultiHeadAttention"))
        for (guint i = 0; i < 3; i++)
          {
            const char *key = (const char *[]) { "query_shape", "key_shape", "value_shape" }[i];

            if (!json_object_has_member (config, key))
              json_object_set_null_member (config, key);
          }
    }
  clean_initializers (config, to_keras3);
}

static void convert_object (const StrataConversion *conversion, JsonObject *object);

/* Wrapped layers and RNN cells are {class_name, config} objects inside the
 * config (Bidirectional.layer/backward_layer, TimeDistributed.layer,
 * RNN.cell, StackedRNNCells.cells): they follow their own class's rules. */
static void
convert_sublayers (const StrataConversion *conversion,
                   JsonObject             *config)
{
  static const char *const keys[] = { "layer", "backward_layer", "cell", "cells" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      JsonNode *member = json_object_get_member (config, keys[k]);

      if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
        convert_object (conversion, json_node_get_object (member));
      else if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
        {
          JsonArray *array = json_node_get_array (member);

          for (guint i = 0; i < json_array_get_length (array); i++)
            if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
              convert_object (conversion, json_array_get_object_element (array, i));
        }
    }
}

/* The Keras 3 module of a layer class a tf-keras config names. */
const char *
strata_config_keras3_module (const char *class_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (missing_classes); i++)
    if (missing_classes[i].missing_in == STRATA_KERAS_DIALECT_KERAS3 && missing_classes[i].module != NULL &&
        strata_config_class_listed (missing_classes[i].classes, class_name))
      return missing_classes[i].module;
  return "keras.layers";
}

const char *
strata_config_convert_layer (const StrataConversion *conversion,
                             const char             *class_name,
                             JsonObject             *config)
{
  Ctx ctx = { conversion, string_member (config, "name"), class_name };
  StrataKerasDialect from = conversion->from;

  if (ctx.layer_name == NULL)
    ctx.layer_name = "?";
  if (conversion->to == STRATA_KERAS_DIALECT_KERAS1 || from == STRATA_KERAS_DIALECT_AUTO)
    return class_name;    /* Keras 1 is written only as it was read */
  if (from == STRATA_KERAS_DIALECT_KERAS1)
    {
      ctx.class_name = keras1_to_keras2 (&ctx, config);
      from = STRATA_KERAS_DIALECT_KERAS2;
    }
  for (guint i = 0; i < G_N_ELEMENTS (missing_classes); i++)
    if (missing_classes[i].missing_in == conversion->to && missing_classes[i].module == NULL &&
        strata_config_class_listed (missing_classes[i].classes, ctx.class_name) &&
        !(conversion->for_predict && from == STRATA_KERAS_DIALECT_KERAS3))
      /* Translators: the first %s is "Keras 3" or "tf-keras (Keras 2)", the second a class name. */
      refuse (&ctx, _("%s has no %s layer"), dialect_name (conversion->to), ctx.class_name);
  if ((from == STRATA_KERAS_DIALECT_KERAS3) != (conversion->to == STRATA_KERAS_DIALECT_KERAS3))
    keras2_keras3 (&ctx, config);
  convert_dtype_policy (&ctx, config);
  check_activations (&ctx, config);
  apply_rules (&ctx, config, target_defaults, G_N_ELEMENTS (target_defaults));
  convert_sublayers (conversion, config);
  return ctx.class_name;
}

/* A {class_name, config} object inside a layer's config (a wrapped layer,
 * a cell). Keras 3 finds it by its module (tf.keras before 2.13 wrote
 * none): without one only registered custom classes match. */
static void
convert_object (const StrataConversion *conversion,
                JsonObject             *object)
{
  JsonNode *config = json_object_get_member (object, "config");
  const char *class_name = string_member (object, "class_name");
  const char *converted;

  if (class_name == NULL || config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    return;
  converted = strata_config_convert_layer (conversion, class_name, json_node_get_object (config));
  if (converted != class_name)
    json_object_set_string_member (object, "class_name", converted);
  class_name = string_member (object, "class_name");
  if (conversion->from == conversion->to || strata_builtin_layer_lookup (class_name) == G_TYPE_INVALID)
    return;
  if (conversion->to == STRATA_KERAS_DIALECT_KERAS3)
    {
      json_object_set_string_member (object, "module", strata_config_keras3_module (class_name));
      if (!json_object_has_member (object, "registered_name"))
        json_object_set_null_member (object, "registered_name");
    }
  else if (json_object_has_member (object, "module"))
    json_object_set_string_member (object, "module", "keras.layers");
}

/* Optimizer arguments one Keras takes and the other refuses: tf-keras's
 * is_legacy_optimizer and jit_compile, Keras 3's loss_scale_factor and
 * gradient_accumulation_steps. */
static const char *const keras2_only_optimizer_keys[] = { "is_legacy_optimizer", "jit_compile", NULL };
static const char *const keras3_only_optimizer_keys[] = { "loss_scale_factor", "gradient_accumulation_steps", NULL };
/* Arguments only the optimizers of tf-keras 2.11+ and Keras 3 take. */
static const char *const new_optimizer_keys[] = { "weight_decay", "use_ema", "ema_momentum" };

void
strata_config_convert_optimizer (JsonObject         *config,
                                 StrataKerasDialect  to)
{
  gboolean keras3 = to == STRATA_KERAS_DIALECT_KERAS3;
  const char *const *dropped = keras3 ? keras2_only_optimizer_keys : keras3_only_optimizer_keys;
  JsonNode *lr = json_object_get_member (config, "lr");
  gboolean new_style = FALSE;

  for (guint i = 0; dropped[i] != NULL; i++)
    if (json_object_has_member (config, dropped[i]))
      json_object_remove_member (config, dropped[i]);
  for (guint i = 0; i < G_N_ELEMENTS (new_optimizer_keys); i++)
    new_style |= json_object_has_member (config, new_optimizer_keys[i]);
  /* Keras 3 refuses lr (Keras <= 2.2's name), tf-keras's new optimizers too. */
  if (lr != NULL && (keras3 || new_style))
    {
      if (!json_object_has_member (config, "learning_rate"))
        json_object_set_member (config, "learning_rate", strata_json_node_copy (lr));
      json_object_remove_member (config, "lr");
    }
  /* tf-keras builds a legacy optimizer (which refuses weight_decay, use_ema...)
   * from a config that does not say otherwise. */
  if (!keras3 && new_style)
    json_object_set_boolean_member (config, "is_legacy_optimizer", FALSE);
}
