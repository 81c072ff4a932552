/* strata-builtin-util.c: config, shape and weight helpers of the built-in layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

void
strata_builtin_set_error (GError     **error,
                          StrataLayer *self,
                          int          code,
                          const char  *format,
                          ...)
{
  g_autofree char *message = NULL;
  const char *name = strata_layer_get_name (self);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: a layer name, its class name, then what is wrong */
  g_set_error (error, STRATA_CONFIG_ERROR, code, _("Layer “%s” (%s): %s"),
               name != NULL ? name : "?", strata_layer_get_class_name (self), message);
}

gboolean
strata_builtin_double_to_int (double  d,
                              gint64 *out)
{
  /* The range check comes first: converting NaN, an infinity or a double
   * beyond the int64 range is undefined behaviour. 2^63 is exact. */
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != trunc (d))
    return FALSE;
  *out = (gint64) d;
  return TRUE;
}

char *
strata_builtin_describe_value (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup (strata_json_describe_node (node));
  /* Python's spelling (NaN, Infinity, 1e+300), cut short for long strings. */
  text = strata_json_to_string (node, FALSE);
  if (g_utf8_strlen (text, -1) > 80)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, 77);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&text);
}

/* The first key of the NULL-terminated list that the stored config has. */
static const char *
first_present_key (JsonObject *config,
                   const char *key,
                   va_list     args)
{
  const char *k;

  for (k = key; k != NULL; k = va_arg (args, const char *))
    if (config != NULL && json_object_has_member (config, k))
      return k;
  return NULL;
}

/* The path used in messages: the layer's name, so that errors read
 * "dense_1.units". */
static const char *
config_path (StrataLayer *self)
{
  const char *name = strata_layer_get_name (self);
  return name != NULL ? name : "config";
}

/* The member a strata_cfg_*() getter reads, NULL when none of the keys is
 * present or the value is null (the fallback applies). */
static JsonNode *
cfg_member (StrataLayer  *self,
            const char  **found,
            const char   *key,
            va_list       args)
{
  JsonObject *config = strata_layer_peek_config_for_reading (self);
  JsonNode *node;

  *found = first_present_key (config, key, args);
  if (*found == NULL)
    return NULL;
  node = json_object_get_member (config, *found);
  return JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

static gboolean
cfg_type_error (StrataLayer  *self,
                GError      **error,
                const char   *key,
                const char   *expected,
                JsonNode     *node)
{
  g_autofree char *text = strata_builtin_describe_value (node);

  strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                            /* Translators: a config key, what it must be (“an integer”), then a
                             * description of the value found */
                            _("config key “%s” must be %s, found %s"), key, expected, text);
  return FALSE;
}

gboolean
strata_cfg_int (StrataLayer *self,
                gint64       fallback,
                gint64      *out,
                GError     **error,
                const char  *key,
                ...)
{
  const char *found;
  JsonNode *node;
  va_list args;

  va_start (args, key);
  node = cfg_member (self, &found, key, args);
  va_end (args);

  *out = fallback;
  if (node == NULL || strata_json_node_get_int (node, out))
    return TRUE;
  *out = fallback;
  return cfg_type_error (self, error, found, _("an integer"), node);
}

gboolean
strata_cfg_double (StrataLayer *self,
                   double       fallback,
                   double      *out,
                   GError     **error,
                   const char  *key,
                   ...)
{
  const char *found;
  JsonNode *node;
  va_list args;

  va_start (args, key);
  node = cfg_member (self, &found, key, args);
  va_end (args);

  *out = fallback;
  if (node == NULL || strata_json_node_get_double (node, out))
    return TRUE;
  *out = fallback;
  return cfg_type_error (self, error, found, _("a number"), node);
}

/* Never fails: any value has a truth value (strata_json_node_is_truthy()). */
gboolean
strata_cfg_bool (StrataLayer *self,
                 gboolean     fallback,
                 gboolean    *out,
                 GError     **error,
                 const char  *key,
                 ...)
{
  JsonObject *config = strata_layer_peek_config_for_reading (self);
  const char *found;
  va_list args;

  va_start (args, key);
  found = first_present_key (config, key, args);
  va_end (args);

  *out = found == NULL ? fallback : strata_json_node_is_truthy (json_object_get_member (config, found));
  return TRUE;
}

gboolean
strata_cfg_string (StrataLayer *self,
                   const char  *fallback,
                   const char **out,
                   GError     **error,
                   const char  *key,
                   ...)
{
  JsonObject *config = strata_layer_peek_config_for_reading (self);
  const char *found;
  va_list args;

  va_start (args, key);
  found = first_present_key (config, key, args);
  va_end (args);

  *out = fallback;
  if (found == NULL || JSON_NODE_HOLDS_NULL (json_object_get_member (config, found)))
    return TRUE;
  return strata_json_get_string (config, found, config_path (self), fallback, out, error);
}

gboolean
strata_cfg_tuple (StrataLayer  *self,
                  guint         n,
                  const gint64 *fallback,
                  gint64       *out,
                  GError      **error,
                  const char   *key,
                  ...)
{
  JsonObject *config = strata_layer_peek_config_for_reading (self);
  const char *found;
  va_list args;

  va_start (args, key);
  found = first_present_key (config, key, args);
  va_end (args);

  if (found == NULL || JSON_NODE_HOLDS_NULL (json_object_get_member (config, found)))
    {
      memcpy (out, fallback, n * sizeof (gint64));
      return TRUE;
    }
  return strata_json_get_int_tuple (config, found, config_path (self), n, FALSE, out, error);
}

JsonNode *
strata_cfg_node (StrataLayer *self,
                 const char  *key,
                 ...)
{
  JsonObject *config = strata_layer_peek_config_for_reading (self);
  const char *found;
  JsonNode *node;
  va_list args;

  va_start (args, key);
  found = first_present_key (config, key, args);
  va_end (args);

  if (found == NULL)
    return NULL;
  node = json_object_get_member (config, found);
  return JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

JsonNode *
strata_cfg_initializer (StrataLayer *self,
                        const char  *key,
                        const char  *keras1_key,
                        const char  *fallback)
{
  JsonNode *node = strata_cfg_node (self, key, keras1_key, NULL);

  if (node != NULL)
    return json_node_copy (node);
  return json_node_init_string (json_node_alloc (), fallback);
}

gboolean
strata_cfg_channels_first (StrataLayer *self,
                           gboolean    *out,
                           GError     **error)
{
  const char *format = NULL;
  const char *ordering = NULL;

  if (!strata_cfg_string (self, NULL, &format, error, "data_format", NULL) ||
      !strata_cfg_string (self, NULL, &ordering, error, "dim_ordering", NULL))
    return FALSE;

  *out = FALSE;
  if (format != NULL)
    {
      if (g_str_equal (format, "channels_first"))
        *out = TRUE;
      else if (!g_str_equal (format, "channels_last"))
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %s is the value found. */
                                    _("data_format must be “channels_last” or “channels_first”, found “%s”"),
                                    format);
          return FALSE;
        }
    }
  else
    {
      /* Keras 1: "th" (Theano) is channels first; "tf" and "default" last.
       * Without the key, the ordering the model's other layers declare
       * (see strata_config_keras1_dim_ordering()), else "tf". */
      if (ordering == NULL)
        ordering = strata_layer_get_load_context (self)->dim_ordering;
      *out = g_strcmp0 (ordering, "th") == 0;
    }
  return TRUE;
}

gboolean
strata_cfg_padding (StrataLayer *self,
                    const char **out,
                    GError     **error)
{
  const char *padding = NULL;
  static const char *const known[] = { "valid", "same", "causal", "full" };
  guint i;

  if (!strata_cfg_string (self, "valid", &padding, error, "padding", "border_mode", NULL))
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if (padding != NULL && g_ascii_strcasecmp (padding, known[i]) == 0)
      {
        *out = known[i];
        return TRUE;
      }
  strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                            /* Translators: %s is the value found. */
                            _("padding must be “valid”, “same” or “causal”, found “%s”"),
                            padding != NULL ? padding : "null");
  return FALSE;
}

StrataDType
strata_builtin_weight_dtype (StrataLayer *self)
{
  const char *dtype = strata_layer_get_dtype (self);
  StrataDType type;

  /* Mixed precision policies ("mixed_float16") keep float32 variables. */
  if (dtype == NULL || g_str_has_prefix (dtype, "mixed_"))
    return STRATA_DTYPE_FLOAT32;
  type = strata_dtype_from_string (dtype);
  switch (type)
    {
    case STRATA_DTYPE_FLOAT16:
    case STRATA_DTYPE_BFLOAT16:
    case STRATA_DTYPE_FLOAT64:
      return type;
    default:
      return STRATA_DTYPE_FLOAT32;
    }
}

gboolean
strata_builtin_add_weight (StrataLayer *self,
                           const char  *name,
                           StrataShape *shape,
                           JsonNode    *initializer,
                           gboolean     trainable,
                           GError     **error)
{
  g_autoptr(StrataShape) owned_shape = shape;
  g_autoptr(JsonNode) owned_init = initializer;
  StrataTensor *tensor;

  if (shape == NULL)
    return FALSE;

  tensor = strata_layer_add_weight (self, name, owned_shape, strata_builtin_weight_dtype (self),
                                    owned_init, trainable, error);
  return tensor != NULL;
}

gboolean
strata_builtin_add_bias (StrataLayer *self,
                         StrataShape *shape,
                         GError     **error)
{
  gboolean use_bias = TRUE;

  if (shape == NULL)
    return FALSE;
  if (!strata_cfg_bool (self, TRUE, &use_bias, error, "use_bias", "bias", NULL))
    {
      strata_shape_unref (shape);
      return FALSE;
    }
  if (!use_bias)
    {
      strata_shape_unref (shape);
      return TRUE;
    }
  return strata_builtin_add_weight (self, "bias", shape,
                                    strata_cfg_initializer (self, "bias_initializer", NULL, "zeros"),
                                    TRUE, error);
}

gboolean
strata_builtin_any_unknown (GPtrArray *input_shapes)
{
  guint i;

  for (i = 0; i < input_shapes->len; i++)
    if (g_ptr_array_index (input_shapes, i) == NULL)
      return TRUE;
  return FALSE;
}

char *
strata_shapes_to_string (GPtrArray *shapes)
{
  GString *s = g_string_new ("[");
  guint i;

  for (i = 0; shapes != NULL && i < shapes->len; i++)
    {
      StrataShape *shape = g_ptr_array_index (shapes, i);
      g_autofree char *one = shape != NULL ? strata_shape_to_string (shape) : g_strdup ("?");
      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", one);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

StrataShape *
strata_builtin_input (StrataLayer *self,
                      GPtrArray   *input_shapes,
                      guint        index,
                      guint        min_inputs,
                      guint        max_inputs,
                      guint        min_rank,
                      GError     **error)
{
  StrataShape *shape;

  if (input_shapes->len < min_inputs || (max_inputs > 0 && input_shapes->len > max_inputs))
    {
      g_autofree char *found = strata_shapes_to_string (input_shapes);
      if (max_inputs == min_inputs)
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                  /* Translators: the first %u is a count, the second %u the value
                                   * found, %s a description of the value found. */
                                  g_dngettext (GETTEXT_PACKAGE, "expected %u input, found %u: %s",
                                               "expected %u inputs, found %u: %s", min_inputs),
                                  min_inputs, input_shapes->len, found);
      else
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                  /* Translators: the first %u is a count, the second %u the value
                                   * found, %s a description of the value found. */
                                  _("expected at least %u inputs, found %u: %s"),
                                  min_inputs, input_shapes->len, found);
      return NULL;
    }
  if (index >= input_shapes->len)
    return NULL;
  shape = g_ptr_array_index (input_shapes, index);
  if (shape == NULL || strata_shape_get_rank (shape) < min_rank)
    {
      g_autofree char *found = shape != NULL ? strata_shape_to_string (shape) : g_strdup ("?");
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: a rank, then a description of the input found */
                                _("expected an input of rank %u or more (batch axis included), found %s"),
                                min_rank, found);
      return NULL;
    }
  return shape;
}

gboolean
strata_builtin_known_dim (StrataLayer *self,
                          StrataShape *shape,
                          int          axis,
                          gint64      *out,
                          GError     **error)
{
  int rank = (int) strata_shape_get_rank (shape);
  int a = axis < 0 ? rank + axis : axis;

  if (a < 0 || a >= rank || strata_shape_get_dim (shape, a) == STRATA_DIM_UNKNOWN)
    {
      g_autofree char *found = strata_shape_to_string (shape);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is a shape such as (None, 3), %d an axis. */
                                _("the input shape %s has no known size on axis %d"),
                                found, axis);
      return FALSE;
    }
  *out = strata_shape_get_dim (shape, a);
  return TRUE;
}

GPtrArray *
strata_shapes_same (StrataLayer          *self,
                    const StrataLayerRow *row,
                    GPtrArray            *input_shapes,
                    GError              **error)
{
  StrataShape *shape = strata_builtin_input (self, input_shapes, 0, 1, 1, 0, error);

  if (shape == NULL)
    return NULL;
  return strata_shapes_one (strata_shape_ref (shape));
}

gint64
strata_dim_add (gint64 a,
                gint64 b)
{
  if (a == STRATA_DIM_OVERFLOW || b == STRATA_DIM_OVERFLOW)
    return STRATA_DIM_OVERFLOW;
  if (a == STRATA_DIM_UNKNOWN || b == STRATA_DIM_UNKNOWN)
    return STRATA_DIM_UNKNOWN;
  if ((b > 0 && a > G_MAXINT64 - b) || (b < 0 && a < G_MININT64 + 1 - b))
    return STRATA_DIM_OVERFLOW;
  return a + b;
}

gint64
strata_dim_mul (gint64 a,
                gint64 b)
{
  if (a == STRATA_DIM_OVERFLOW || b == STRATA_DIM_OVERFLOW || a < -1 || b < -1)
    return STRATA_DIM_OVERFLOW;
  if (a == STRATA_DIM_UNKNOWN || b == STRATA_DIM_UNKNOWN)
    return STRATA_DIM_UNKNOWN;
  if (a != 0 && b > G_MAXINT64 / a)
    return STRATA_DIM_OVERFLOW;
  return a * b;
}

/* a - b for sizes a (maybe unknown) and b >= 0; may go below zero. */
static gint64
dim_sub (gint64 a,
         gint64 b)
{
  if (a == STRATA_DIM_OVERFLOW || b == STRATA_DIM_OVERFLOW || b < 0)
    return STRATA_DIM_OVERFLOW;
  if (a == STRATA_DIM_UNKNOWN)
    return STRATA_DIM_UNKNOWN;
  return a - b;
}

StrataShape *
strata_builtin_shape (StrataLayer  *self,
                      GError      **error,
                      guint         rank,
                      const gint64 *dims)
{
  guint i;

  if (rank > STRATA_MAX_RANK)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_LIMIT,
                                /* Translators: %d is a limit. */
                                _("the shape would have more than %d axes"), STRATA_MAX_RANK);
      return NULL;
    }
  for (i = 0; i < rank; i++)
    if (dims[i] < STRATA_DIM_UNKNOWN)
      {
        if (dims[i] == STRATA_DIM_OVERFLOW)
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_LIMIT,
                                    /* Translators: %u is an axis. */
                                    _("a size on axis %u is too large"), i);
        else
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %u is an axis. */
                                    _("the config gives a negative size on axis %u"), i);
        return NULL;
      }
  return strata_shape_new (rank, dims);
}

StrataShape *
strata_builtin_shape_1d (StrataLayer *self,
                         GError     **error,
                         gint64       d0)
{
  return strata_builtin_shape (self, error, 1, &d0);
}

StrataShape *
strata_builtin_shape_2d (StrataLayer *self,
                         GError     **error,
                         gint64       d0,
                         gint64       d1)
{
  gint64 dims[2] = { d0, d1 };
  return strata_builtin_shape (self, error, 2, dims);
}

gint64
strata_conv_output_length (gint64      input,
                           gint64      kernel,
                           const char *padding,
                           gint64      stride,
                           gint64      dilation)
{
  gint64 k = strata_dim_add (strata_dim_mul (kernel - 1, dilation), 1);
  gint64 length;

  if (input == STRATA_DIM_UNKNOWN || stride <= 0)
    return input == STRATA_DIM_UNKNOWN ? STRATA_DIM_UNKNOWN : STRATA_DIM_OVERFLOW;
  if (k == STRATA_DIM_OVERFLOW)
    return STRATA_DIM_OVERFLOW;
  if (g_str_equal (padding, "same") || g_str_equal (padding, "causal"))
    length = input;
  else if (g_str_equal (padding, "full"))
    length = strata_dim_add (input, k - 1);
  else
    length = input - k + 1;
  if (length == STRATA_DIM_OVERFLOW)
    return length;
  if (length <= 0)
    return 0;
  return (length - 1) / stride + 1;
}

gint64
strata_deconv_output_length (gint64      input,
                             gint64      kernel,
                             const char *padding,
                             gint64      output_padding,
                             gint64      stride,
                             gint64      dilation)
{
  gint64 k = strata_dim_add (strata_dim_mul (kernel - 1, dilation), 1);
  gint64 pad, length;

  if (input == STRATA_DIM_UNKNOWN)
    return STRATA_DIM_UNKNOWN;
  if (k == STRATA_DIM_OVERFLOW)
    return STRATA_DIM_OVERFLOW;
  if (output_padding < 0)
    {
      length = strata_dim_mul (input, stride);
      if (g_str_equal (padding, "valid"))
        length = strata_dim_add (length, MAX (k - stride, 0));
      else if (g_str_equal (padding, "full"))
        length = dim_sub (length, stride + k - 2);
    }
  else
    {
      if (g_str_equal (padding, "same"))
        pad = k / 2;
      else if (g_str_equal (padding, "full"))
        pad = k - 1;
      else
        pad = 0;
      length = strata_dim_add (strata_dim_add (strata_dim_mul (input - 1, stride), k),
                               output_padding);
      length = dim_sub (dim_sub (length, pad), pad);
    }
  if (length != STRATA_DIM_OVERFLOW && length != STRATA_DIM_UNKNOWN && length < 0)
    return 0;
  return length;
}

/* Sublayers (wrapped layers, cells) one top-level layer may hold. */
#define MAX_SUBLAYERS 4096

StrataLayer *
strata_builtin_create_sublayer (StrataLayer *self,
                                JsonObject  *object,
                                GError     **error)
{
  StrataLayer *inner;
  GObject *root;
  guint depth, count;

  /* Layers inside layers: as deep as models may nest, no deeper; and
   * Bidirectional inside Bidirectional doubles at each level, so the
   * layers under one top-level layer are counted too. */
  depth = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self), "strata-wrapper-depth")) + 1;
  root = g_object_get_data (G_OBJECT (self), "strata-wrapper-root");
  if (root == NULL)
    root = G_OBJECT (self);
  count = GPOINTER_TO_UINT (g_object_get_data (root, "strata-sublayer-count")) + 1;
  if (depth > STRATA_MODEL_MAX_NESTING || count > MAX_SUBLAYERS)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_LIMIT,
                                /* Translators: the nesting limit, then the limit on the number of
                                 * wrapped layers */
                                _("wrapped layers nest deeper than %d levels or number more than %d"),
                                STRATA_MODEL_MAX_NESTING, MAX_SUBLAYERS);
      return NULL;
    }
  /* The registry the wrapper was loaded with: custom classes of a scoped
   * registry (custom_objects) work inside wrappers too. */
  inner = strata_registry_create_layer (strata_layer_get_load_registry (self), object,
                                        strata_layer_get_load_flags (self), error);
  if (inner == NULL)
    return NULL;
  strata_layer_set_load_flags (inner, strata_layer_get_load_flags (self));
  strata_layer_set_load_context (inner, strata_layer_get_load_context (self));
  g_object_set_data (root, "strata-sublayer-count", GUINT_TO_POINTER (count));
  /* the root owns its sublayers (through the wrappers), so it outlives them */
  g_object_set_data (G_OBJECT (inner), "strata-wrapper-root", root);
  g_object_set_data (G_OBJECT (inner), "strata-wrapper-depth", GUINT_TO_POINTER (depth));
  return inner;
}

void
strata_builtin_drop_sublayers (StrataLayer *self)
{
  static const char *const slots[] = {
    "strata-forward-layer", "strata-backward-layer", "strata-wrapped-layer", "strata-rnn-cells",
  };

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    g_object_set_data (G_OBJECT (self), slots[i], NULL);
  if (g_object_get_data (G_OBJECT (self), "strata-wrapper-root") == NULL)
    g_object_set_data (G_OBJECT (self), "strata-sublayer-count", NULL);
}

/* Keras 3 saves the wrapped layers under their final names ("forward_lstm")
 * and adds the prefix only when missing; tf-keras saves the original layer
 * and always adds it. */
static gboolean
is_keras3_entry (StrataLayer *self,
                 JsonObject  *entry)
{
  StrataKerasDialect dialect = strata_layer_get_load_context (self)->dialect;

  if (dialect != STRATA_KERAS_DIALECT_AUTO)
    return dialect == STRATA_KERAS_DIALECT_KERAS3;
  return json_object_has_member (entry, "module") || json_object_has_member (entry, "registered_name");
}

StrataLayer *
strata_builtin_create_inner (StrataLayer *self,
                             const char  *key,
                             const char  *name_prefix,
                             gboolean     flip_backwards,
                             GError     **error)
{
  JsonNode *node = strata_cfg_node (self, key, NULL);
  g_autoptr(JsonObject) object = NULL;
  JsonObject *inner_config;
  StrataLayer *inner;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), "class_name"))
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: the first %s is a config key, the second %s what was
                                 * found instead, such as “a string” or “null”. */
                                _("config key “%s” must be a layer object with “class_name” and “config”, found %s"),
                                key, strata_json_describe_node (node));
      return NULL;
    }

  object = strata_json_object_copy (json_node_get_object (node));
  if (json_object_has_member (object, "config") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "config")))
    {
      inner_config = json_object_get_object_member (object, "config");
      if (name_prefix != NULL && json_object_has_member (inner_config, "name") &&
          json_node_get_value_type (json_object_get_member (inner_config, "name")) == G_TYPE_STRING &&
          !(is_keras3_entry (self, object) &&
            g_str_has_prefix (json_object_get_string_member (inner_config, "name"), name_prefix)))
        {
          g_autofree char *name = g_strconcat (name_prefix,
                                               json_object_get_string_member (inner_config, "name"),
                                               NULL);
          json_object_set_string_member (inner_config, "name", name);
        }
      if (flip_backwards)
        {
          gboolean backwards =
            strata_json_node_is_truthy (json_object_get_member (inner_config, "go_backwards"));
          json_object_set_boolean_member (inner_config, "go_backwards", !backwards);
        }
    }

  inner = strata_builtin_create_sublayer (self, object, error);
  if (inner == NULL)
    /* Translators: %s is a layer name. */
    g_prefix_error (error, _("Layer “%s”, wrapped layer: "), strata_layer_get_name (self));
  return inner;
}
