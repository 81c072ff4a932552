/* strata-initializers.c: Keras weight initializers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Values follow the Keras definitions (distribution, fan computation,
 * truncation at two standard deviations); the random stream is GLib's, so
 * the numbers differ from Keras for the same seed, as they do between
 * Keras backends.
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "strata-initializers-private.h"
#include "strata-json-private.h"
#include "strata-error.h"
#include "strata-i18n-private.h"

/* Refuse to allocate more than this many elements for one weight (16 GiB of
 * float32): a config alone must not make the library exhaust memory. */
#define MAX_INIT_ELEMENTS (G_GUINT64_CONSTANT (1) << 32)

/* Largest Gram-Schmidt (tall × wide²) run for Orthogonal: an LSTM of
 * 4096 units ((4096, 16384) recurrent kernel) is 2.7e11. */
#define MAX_ORTHOGONAL_WORK 3e11

/* Stddev of a standard normal truncated to [-2, 2]; Keras divides by it so
 * that truncated_normal keeps the requested variance. */
#define TRUNCATED_STDDEV 0.87962566103423978

typedef enum {
  INIT_ZEROS,
  INIT_ONES,
  INIT_CONSTANT,
  INIT_RANDOM_UNIFORM,
  INIT_RANDOM_NORMAL,
  INIT_TRUNCATED_NORMAL,
  INIT_VARIANCE_SCALING,
  INIT_ORTHOGONAL,
  INIT_IDENTITY,
} InitKind;

typedef struct {
  const char *name;          /* lower case, no underscores */
  InitKind    kind;
  double      scale;         /* VarianceScaling presets */
  const char *mode;
  const char *distribution;
} InitName;

static const InitName init_names[] = {
  { "zeros", INIT_ZEROS, 0, NULL, NULL },
  { "zero", INIT_ZEROS, 0, NULL, NULL },
  { "ones", INIT_ONES, 0, NULL, NULL },
  { "one", INIT_ONES, 0, NULL, NULL },
  { "constant", INIT_CONSTANT, 0, NULL, NULL },
  { "randomuniform", INIT_RANDOM_UNIFORM, 0, NULL, NULL },
  { "uniform", INIT_RANDOM_UNIFORM, 0, NULL, NULL },
  { "randomnormal", INIT_RANDOM_NORMAL, 0, NULL, NULL },
  { "normal", INIT_RANDOM_NORMAL, 0, NULL, NULL },
  { "truncatednormal", INIT_TRUNCATED_NORMAL, 0, NULL, NULL },
  { "variancescaling", INIT_VARIANCE_SCALING, 1.0, "fan_in", "truncated_normal" },
  { "glorotuniform", INIT_VARIANCE_SCALING, 1.0, "fan_avg", "uniform" },
  { "glorotnormal", INIT_VARIANCE_SCALING, 1.0, "fan_avg", "truncated_normal" },
  { "heuniform", INIT_VARIANCE_SCALING, 2.0, "fan_in", "uniform" },
  { "henormal", INIT_VARIANCE_SCALING, 2.0, "fan_in", "truncated_normal" },
  { "lecununiform", INIT_VARIANCE_SCALING, 1.0, "fan_in", "uniform" },
  { "lecunnormal", INIT_VARIANCE_SCALING, 1.0, "fan_in", "truncated_normal" },
  { "orthogonal", INIT_ORTHOGONAL, 0, NULL, NULL },
  { "orthogonalinitializer", INIT_ORTHOGONAL, 0, NULL, NULL },   /* Keras 3 */
  { "identity", INIT_IDENTITY, 0, NULL, NULL },
  { "identityinitializer", INIT_IDENTITY, 0, NULL, NULL },       /* Keras 3 */
};

typedef struct {
  GRand  *rand;
  double *values;
  guint64 n;
} InitState;

/* "GlorotUniform", "glorot_uniform", "keras.initializers>GlorotUniform"... */
static const InitName *
find_init (const char *name)
{
  g_autoptr(GString) key = g_string_new (NULL);
  const char *start = strrchr (name, '>');
  const char *p;
  guint i;

  for (p = start != NULL ? start + 1 : name; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (key, g_ascii_tolower (*p));
  for (i = 0; i < G_N_ELEMENTS (init_names); i++)
    if (g_str_equal (key->str, init_names[i].name))
      return &init_names[i];
  return NULL;
}

static double
rand_normal (GRand *rand)
{
  /* Box-Muller; 1 - u keeps the logarithm finite. */
  double u1 = 1.0 - g_rand_double (rand);
  double u2 = g_rand_double (rand);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static double
rand_truncated (GRand *rand)
{
  for (;;)
    {
      double x = rand_normal (rand);
      if (fabs (x) <= 2.0)
        return x;
    }
}

/* fan_in / fan_out as Keras computes them for kernel layouts
 * (*receptive_field, in, out). */
static void
compute_fans (StrataShape *shape,
              double      *fan_in,
              double      *fan_out)
{
  guint rank = strata_shape_get_rank (shape);
  double receptive = 1.0;
  guint i;

  if (rank == 0)
    {
      *fan_in = *fan_out = 1.0;
      return;
    }
  if (rank == 1)
    {
      *fan_in = *fan_out = (double) strata_shape_get_dim (shape, 0);
      return;
    }
  for (i = 0; i + 2 < rank; i++)
    receptive *= (double) strata_shape_get_dim (shape, i);
  *fan_in = (double) strata_shape_get_dim (shape, rank - 2) * receptive;
  *fan_out = (double) strata_shape_get_dim (shape, rank - 1) * receptive;
}

static gboolean
get_param (JsonObject *config, const char *key, double fallback, double *out, GError **error)
{
  if (config == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  return strata_json_get_double (config, key, "initializer.config", fallback, out, error);
}

static gboolean
run_variance_scaling (InitState      *state,
                      const InitName *preset,
                      JsonObject     *config,
                      StrataShape    *shape,
                      GError        **error)
{
  const char *mode = preset->mode;
  const char *distribution = preset->distribution;
  double scale = preset->scale;
  double fan_in, fan_out, n;
  guint64 i;

  if (preset->kind == INIT_VARIANCE_SCALING && g_str_equal (preset->name, "variancescaling"))
    {
      if (!get_param (config, "scale", 1.0, &scale, error) ||
          (config != NULL &&
           (!strata_json_get_string (config, "mode", "initializer.config", "fan_in", &mode, error) ||
            !strata_json_get_string (config, "distribution", "initializer.config",
                                     "truncated_normal", &distribution, error))))
        return FALSE;
    }
  if (mode == NULL)
    mode = "fan_in";
  if (distribution == NULL)
    distribution = "truncated_normal";

  compute_fans (shape, &fan_in, &fan_out);
  if (g_str_equal (mode, "fan_in"))
    n = fan_in;
  else if (g_str_equal (mode, "fan_out"))
    n = fan_out;
  else if (g_str_equal (mode, "fan_avg"))
    n = (fan_in + fan_out) / 2.0;
  else
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is the value found. */
                   _("VarianceScaling mode must be “fan_in”, “fan_out” or “fan_avg”, found “%s”"),
                   mode);
      return FALSE;
    }
  scale /= MAX (1.0, n);

  if (g_str_equal (distribution, "uniform"))
    {
      double limit = sqrt (3.0 * scale);
      for (i = 0; i < state->n; i++)
        state->values[i] = g_rand_double_range (state->rand, -limit, limit);
    }
  else if (g_str_equal (distribution, "truncated_normal") || g_str_equal (distribution, "normal"))
    {
      /* Keras 2.0-2.2 "normal" was already a truncated normal. */
      double stddev = sqrt (scale) / TRUNCATED_STDDEV;
      for (i = 0; i < state->n; i++)
        state->values[i] = rand_truncated (state->rand) * stddev;
    }
  else if (g_str_equal (distribution, "untruncated_normal"))
    {
      double stddev = sqrt (scale);
      for (i = 0; i < state->n; i++)
        state->values[i] = rand_normal (state->rand) * stddev;
    }
  else
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is the value found. */
                   _("VarianceScaling distribution must be “uniform”, “truncated_normal” or “untruncated_normal”, found “%s”"),
                   distribution);
      return FALSE;
    }
  return TRUE;
}

/* Orthogonal: QR of a Gaussian matrix by modified Gram-Schmidt, which
 * yields R with a positive diagonal (the sign correction Keras applies). */
static gboolean
run_orthogonal (InitState   *state,
                JsonObject  *config,
                StrataShape *shape,
                GError     **error)
{
  guint rank = strata_shape_get_rank (shape);
  guint64 rows = 1, cols, tall, wide, i, j, k;
  double gain;
  g_autofree double *q = NULL;

  if (rank < 2)
    {
      g_autofree char *s = strata_shape_to_string (shape);
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is a shape such as (None, 3). */
                   _("The Orthogonal initializer needs a shape of rank 2 or more, found %s"), s);
      return FALSE;
    }
  if (!get_param (config, "gain", 1.0, &gain, error))
    return FALSE;

  for (i = 0; i + 1 < rank; i++)
    rows *= (guint64) strata_shape_get_dim (shape, i);
  cols = (guint64) strata_shape_get_dim (shape, rank - 1);
  tall = MAX (rows, cols);
  wide = MIN (rows, cols);
  if (state->n == 0)
    return TRUE;
  /* Gram-Schmidt costs tall × wide² operations: refuse what would run for
   * minutes rather than hang on a hostile config. */
  if ((double) tall * (double) wide * (double) wide > MAX_ORTHOGONAL_WORK)
    {
      g_autofree char *s = strata_shape_to_string (shape);
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: %s is a shape such as (None, 3). */
                   _("The Orthogonal initializer for shape %s is too large"), s);
      return FALSE;
    }

  /* q is tall x wide, column-major so each column is contiguous. */
  q = g_try_new (double, state->n);
  if (q == NULL)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: the number of elements of the weight */
                   _("Not enough memory to initialize a weight of %" PRIu64 " elements"),
                   state->n);
      return FALSE;
    }
  for (j = 0; j < wide; j++)
    {
      double *col = q + j * tall;
      double norm = 0.0;

      do
        {
          for (i = 0; i < tall; i++)
            col[i] = rand_normal (state->rand);
          for (k = 0; k < j; k++)
            {
              const double *prev = q + k * tall;
              double dot = 0.0;
              for (i = 0; i < tall; i++)
                dot += prev[i] * col[i];
              for (i = 0; i < tall; i++)
                col[i] -= dot * prev[i];
            }
          norm = 0.0;
          for (i = 0; i < tall; i++)
            norm += col[i] * col[i];
          norm = sqrt (norm);
        }
      while (norm < 1e-6);   /* a degenerate draw: draw again */
      for (i = 0; i < tall; i++)
        col[i] /= norm;
    }

  /* values is rows x cols, row-major. */
  for (i = 0; i < rows; i++)
    for (j = 0; j < cols; j++)
      state->values[i * cols + j] = gain * (rows >= cols ? q[j * tall + i] : q[i * tall + j]);
  return TRUE;
}

static gboolean
run_identity (InitState   *state,
              JsonObject  *config,
              StrataShape *shape,
              GError     **error)
{
  double gain;
  gint64 rows, cols, i;

  if (strata_shape_get_rank (shape) != 2)
    {
      g_autofree char *s = strata_shape_to_string (shape);
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is a shape such as (None, 3). */
                   _("The Identity initializer needs a shape of rank 2, found %s"), s);
      return FALSE;
    }
  if (!get_param (config, "gain", 1.0, &gain, error))
    return FALSE;
  rows = strata_shape_get_dim (shape, 0);
  cols = strata_shape_get_dim (shape, 1);
  for (i = 0; i < MIN (rows, cols); i++)
    state->values[i * cols + i] = gain;
  return TRUE;
}

static gboolean
run_kind (InitState      *state,
          const InitName *init,
          JsonObject     *config,
          StrataShape    *shape,
          GError        **error)
{
  double a, b;
  guint64 i;

  switch (init->kind)
    {
    case INIT_ZEROS:
      return TRUE;
    case INIT_ONES:
      for (i = 0; i < state->n; i++)
        state->values[i] = 1.0;
      return TRUE;
    case INIT_CONSTANT:
      if (config != NULL && json_object_has_member (config, "value") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (config, "value")))
        {
          /* A flat list of exactly one value per element (numpy's C order). */
          JsonArray *values = json_object_get_array_member (config, "value");
          if (json_array_get_length (values) != state->n)
            {
              g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
                           /* Translators: the number of values in the list, then the number of
                            * elements of the weight */
                           _("The Constant initializer's list of %u values does not fill %" PRIu64 " elements"),
                           json_array_get_length (values), state->n);
              return FALSE;
            }
          for (i = 0; i < state->n; i++)
            {
              JsonNode *v = json_array_get_element (values, (guint) i);
              if (!strata_json_node_get_double (v, &state->values[i]))
                {
                  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
                               _("The Constant initializer's values must be numbers"));
                  return FALSE;
                }
            }
          return TRUE;
        }
      if (!get_param (config, "value", 0.0, &a, error))
        return FALSE;
      for (i = 0; i < state->n; i++)
        state->values[i] = a;
      return TRUE;
    case INIT_RANDOM_UNIFORM:
      if (!get_param (config, "minval", -0.05, &a, error) ||
          !get_param (config, "maxval", 0.05, &b, error))
        return FALSE;
      for (i = 0; i < state->n; i++)
        state->values[i] = a + (b - a) * g_rand_double (state->rand);
      return TRUE;
    case INIT_RANDOM_NORMAL:
    case INIT_TRUNCATED_NORMAL:
      if (!get_param (config, "mean", 0.0, &a, error) ||
          !get_param (config, "stddev", 0.05, &b, error))
        return FALSE;
      for (i = 0; i < state->n; i++)
        state->values[i] = a + b * (init->kind == INIT_RANDOM_NORMAL
                                      ? rand_normal (state->rand)
                                      : rand_truncated (state->rand));
      return TRUE;
    case INIT_VARIANCE_SCALING:
      return run_variance_scaling (state, init, config, shape, error);
    case INIT_ORTHOGONAL:
      return run_orthogonal (state, config, shape, error);
    case INIT_IDENTITY:
      return run_identity (state, config, shape, error);
    default:
      g_assert_not_reached ();
    }
}

/* Splits the three encodings into a class name and an optional config. */
static gboolean
parse_initializer (JsonNode    *initializer,
                   const char **name,
                   JsonObject **config,
                   GError     **error)
{
  JsonObject *object;
  JsonNode *member;

  *config = NULL;
  if (initializer != NULL && json_node_get_value_type (initializer) == G_TYPE_STRING)
    {
      *name = json_node_get_string (initializer);
      return TRUE;
    }
  if (initializer == NULL || !JSON_NODE_HOLDS_OBJECT (initializer))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is what was found instead, such as “a string” or “null”. */
                   _("An initializer must be a name or an object with “class_name”, found %s"),
                   strata_json_describe_node (initializer));
      return FALSE;
    }
  object = json_node_get_object (initializer);
  member = json_object_get_member (object, "class_name");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is what was found instead, such as “a string” or “null”. */
                   _("An initializer object needs a string “class_name”, found %s"),
                   strata_json_describe_node (member));
      return FALSE;
    }
  *name = json_node_get_string (member);
  member = json_object_get_member (object, "config");
  /* A custom function, as Keras writes it: {"class_name": "function",
   * "config": "its_name"}. Named by its own name; never known. */
  if (g_str_equal (*name, "function") && member != NULL &&
      json_node_get_value_type (member) == G_TYPE_STRING)
    {
      *name = json_node_get_string (member);
      return TRUE;
    }
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    *config = json_node_get_object (member);
  else if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: the first %s is an initializer name, the second %s what was found
                    * instead, such as “a string” or “null”. */
                   _("The config of initializer “%s” must be an object, found %s"),
                   *name, strata_json_describe_node (member));
      return FALSE;
    }
  return TRUE;
}

char *
strata_initializer_get_name (JsonNode *initializer)
{
  const char *name = NULL;
  JsonObject *config;

  if (initializer == NULL || !parse_initializer (initializer, &name, &config, NULL))
    return g_strdup ("?");
  return g_strdup (name);
}

StrataTensor *
strata_initializer_run (JsonNode     *initializer,
                        StrataShape  *shape,
                        StrataDType   dtype,
                        GError      **error)
{
  const char *name = NULL;
  JsonObject *config = NULL;
  const InitName *init;
  InitState state = { NULL, NULL, 0 };
  g_autofree float *floats = NULL;
  g_autoptr(StrataTensor) tensor = NULL;
  gint64 seed;
  guint64 i;

  g_return_val_if_fail (shape != NULL, NULL);

  if (!parse_initializer (initializer, &name, &config, error))
    return NULL;
  init = g_str_equal (name, "function") ? NULL : find_init (name);
  if (init == NULL)
    {
      /* A custom initializer (function or class): only Keras with the
       * custom objects can run it. */
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS,
                   /* Translators: %s is an initializer name. */
                   _("Unknown initializer “%s”"), name);
      return NULL;
    }
  if (!strata_shape_is_fully_defined (shape) || !strata_shape_get_n_elements (shape, &state.n) ||
      state.n > MAX_INIT_ELEMENTS)
    {
      g_autofree char *s = strata_shape_to_string (shape);
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: %s is a shape such as (None, 3). */
                   _("Cannot initialize a weight of shape %s"), s);
      return NULL;
    }

  if (init->kind == INIT_ZEROS || dtype == STRATA_DTYPE_BOOL)
    return strata_tensor_new_zeros (dtype, shape, error);

  /* An integer seed makes the values reproducible; anything else (null,
   * a Keras 3 SeedGenerator) means a fresh random stream. */
  if (config == NULL ||
      !strata_json_node_get_int (json_object_get_member (config, "seed"), &seed))
    seed = -1;
  state.rand = seed >= 0 ? g_rand_new_with_seed ((guint32) seed) : g_rand_new ();
  state.values = g_try_new0 (double, MAX (state.n, 1));
  floats = g_try_new (float, MAX (state.n, 1));
  if (state.values == NULL || floats == NULL)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: the number of elements of the weight */
                   _("Not enough memory to initialize a weight of %" PRIu64 " elements"),
                   state.n);
      g_rand_free (state.rand);
      g_free (state.values);
      return NULL;
    }

  if (!run_kind (&state, init, config, shape, error))
    {
      /* Translators: %s is an initializer name. */
      g_prefix_error (error, _("Initializer “%s”: "), name);
      g_rand_free (state.rand);
      g_free (state.values);
      return NULL;
    }
  for (i = 0; i < state.n; i++)
    floats[i] = (float) state.values[i];
  g_rand_free (state.rand);
  g_free (state.values);

  tensor = strata_tensor_new_from_floats (shape, floats, state.n, error);
  if (tensor == NULL)
    return NULL;
  if (dtype == STRATA_DTYPE_FLOAT32)
    return g_steal_pointer (&tensor);
  return strata_tensor_cast (tensor, dtype, error);
}
