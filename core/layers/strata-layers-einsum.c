/* strata-layers-einsum.c: EinsumDense
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The kernel and bias shapes follow Keras' analysis of the equation:
 * "ab,bc->ac" (no ellipsis), "...b,bc->...c" (left elided) or
 * "ab...,bc->ac..." (right elided). Each kernel axis takes its size from
 * the input axis of the same letter, else from the output axis; the bias
 * covers the output from the first bias axis on, 1 on other axes.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

#define MAX_SPEC 26

typedef struct {
  char    input[MAX_SPEC + 1];
  char    weight[MAX_SPEC + 1];
  char    output[MAX_SPEC + 1];
  int     elided;           /* 0: none, 1: left ("...ab"), 2: right ("ab...") */
  gint64  out_dims[STRATA_MAX_RANK];
  guint   out_rank;
  guint   n_elided;
} Einsum;

/* Copies letters of @s up to @stop into @out; FALSE on anything else. */
static gboolean
take_letters (const char **s, char *out, const char *stops)
{
  guint n = 0;

  while (**s != '\0' && strchr (stops, **s) == NULL)
    {
      if (!g_ascii_isalpha (**s) || n >= MAX_SPEC)
        return FALSE;
      out[n++] = *(*s)++;
    }
  out[n] = '\0';
  return n > 0;
}

static gboolean
parse_equation (const char *equation, Einsum *e)
{
  const char *s = equation;
  gboolean right = FALSE;

  e->elided = 0;
  if (g_str_has_prefix (s, "..."))
    {
      e->elided = 1;
      s += 3;
    }
  if (!take_letters (&s, e->input, ".,"))
    return FALSE;
  if (g_str_has_prefix (s, "..."))
    {
      if (e->elided != 0)
        return FALSE;
      right = TRUE;
      s += 3;
    }
  if (*s++ != ',' || !take_letters (&s, e->weight, "-"))
    return FALSE;
  if (!g_str_has_prefix (s, "->"))
    return FALSE;
  s += 2;
  if (e->elided == 1)
    {
      if (!g_str_has_prefix (s, "..."))
        return FALSE;
      s += 3;
    }
  if (!take_letters (&s, e->output, "."))
    return FALSE;
  if (right)
    {
      if (!g_str_equal (s, "...") || strlen (e->input) < 2 || strlen (e->output) < 2)
        return FALSE;
      e->elided = 2;
    }
  else if (*s != '\0')
    return FALSE;
  return TRUE;
}

/* Index of @c in the input (or output) as Keras maps it: from the start,
 * or from the end when the left side is elided. */
static int
axis_of (const char *spec, char c, guint rank, gboolean left_elided)
{
  const char *p = strchr (spec, c);
  int i;

  if (p == NULL)
    return -1;
  i = (int) (p - spec);
  if (left_elided)
    return (int) rank - (int) strlen (spec) + i;
  return i;
}

static gboolean
analyze (StrataLayer *self,
         StrataShape *input,
         Einsum      *e,
         GError     **error)
{
  const char *equation = NULL;
  JsonNode *output_shape;
  JsonArray *list;
  guint rank = strata_shape_get_rank (input);
  guint n_out = 0, i;
  gint64 given[STRATA_MAX_RANK];

  if (!strata_cfg_string (self, NULL, &equation, error, "equation", NULL))
    return FALSE;
  if (equation == NULL || !parse_equation (equation, e))
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is the value found. */
                                _("“equation” must look like “ab,bc->ac”, “...b,bc->...c” or “ab...,bc->ac...”, found “%s”"),
                                equation != NULL ? equation : "null");
      return FALSE;
    }
  if (strlen (e->input) > rank)
    {
      g_autofree char *s = strata_shape_to_string (input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: the first %s is an einsum equation, the second %s a
                                 * shape such as (None, 3). */
                                _("the equation “%s” does not fit the input %s"), equation, s);
      return FALSE;
    }
  e->n_elided = rank - (guint) strlen (e->input);
  if (e->n_elided > 0 && e->elided == 0)
    {
      g_autofree char *s = strata_shape_to_string (input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: the first %s is an einsum equation, the second %s a
                                 * shape such as (None, 3). */
                                _("the equation “%s” does not fit the input %s"), equation, s);
      return FALSE;
    }

  /* output_shape (without the batch axis): an int or a list with nulls */
  output_shape = strata_cfg_node (self, "output_shape", NULL);
  list = strata_json_node_get_list (output_shape);
  if (strata_json_node_get_int (output_shape, &given[0]) && given[0] >= 0)
    {
      n_out++;
    }
  else if (list != NULL && json_array_get_length (list) < STRATA_MAX_RANK - 1)
    {
      for (i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *d = json_array_get_element (list, i);
          if (JSON_NODE_HOLDS_NULL (d))
            given[n_out++] = STRATA_DIM_UNKNOWN;
          else if (strata_json_node_get_int (d, &given[n_out]) && given[n_out] >= 0)
            n_out++;
          else
            goto bad_output;
        }
    }
  else
    goto bad_output;

  /* batch, (left elided axes), given sizes, (right elided axes) */
  if (1 + n_out + e->n_elided > STRATA_MAX_RANK)
    goto bad_output;
  e->out_rank = 0;
  e->out_dims[e->out_rank++] = strata_shape_get_dim (input, 0);
  if (e->elided == 1)
    for (i = 1; i < e->n_elided; i++)
      e->out_dims[e->out_rank++] = strata_shape_get_dim (input, i);
  memcpy (e->out_dims + e->out_rank, given, n_out * sizeof (gint64));
  e->out_rank += n_out;
  if (e->elided == 2)
    for (i = rank - e->n_elided; i < rank; i++)
      e->out_dims[e->out_rank++] = strata_shape_get_dim (input, i);
  if (strlen (e->output) > e->out_rank)
    goto bad_output;

  /* An output axis named like an input axis has its size (Keras fills
   * the None of output_shape this way); a different size is an error. */
  for (i = 0; e->output[i] != '\0'; i++)
    {
      int in_axis = axis_of (e->input, e->output[i], rank, e->elided == 1);
      int out_axis = axis_of (e->output, e->output[i], e->out_rank, e->elided == 1);
      gint64 d;

      if (in_axis < 0)
        continue;
      d = strata_shape_get_dim (input, in_axis);
      if (e->out_dims[out_axis] == STRATA_DIM_UNKNOWN || out_axis == 0)
        e->out_dims[out_axis] = d;
      else if (d != STRATA_DIM_UNKNOWN && d != e->out_dims[out_axis])
        {
          g_autofree char *s = strata_shape_to_string (input);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %c is an axis letter of the equation, the first
                                     * %<PRId64> an axis, the second %<PRId64> a number, %s a shape
                                     * such as (None, 3). */
                                    _("the output axis “%c” has size %" PRId64 " in “output_shape” but %" PRId64 " in the input %s"),
                                    e->output[i], e->out_dims[out_axis], d, s);
          return FALSE;
        }
    }
  return TRUE;

bad_output:
  strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                            /* Translators: %s is what was found instead, such as “a string” or
                             * “null”. */
                            _("“output_shape” must be a size or a list of sizes that fits the equation, found %s"),
                            strata_json_describe_node (output_shape));
  return FALSE;
}

static gboolean
einsum_build (StrataLayer          *self,
              const StrataLayerRow *row,
              GPtrArray            *input_shapes,
              GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  gint64 kernel[MAX_SPEC], bias[MAX_SPEC + STRATA_MAX_RANK];
  const char *bias_axes = NULL;
  guint rank, n_bias = 0, i;
  gboolean left;
  Einsum e;

  if (input == NULL || !analyze (self, input, &e, error) ||
      !strata_cfg_string (self, NULL, &bias_axes, error, "bias_axes", NULL))
    return FALSE;
  rank = strata_shape_get_rank (input);
  left = e.elided == 1;

  for (i = 0; e.weight[i] != '\0'; i++)
    {
      int in_axis = axis_of (e.input, e.weight[i], rank, left);
      int out_axis = axis_of (e.output, e.weight[i], e.out_rank, left);
      gint64 d = in_axis >= 0 ? strata_shape_get_dim (input, in_axis)
                 : out_axis >= 0 ? e.out_dims[out_axis] : STRATA_DIM_OVERFLOW;

      if (d == STRATA_DIM_OVERFLOW)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %c is an axis letter of the equation. */
                                    _("the weight axis “%c” is neither an input nor an output axis"),
                                    e.weight[i]);
          return FALSE;
        }
      if (d == STRATA_DIM_UNKNOWN)
        {
          g_autofree char *s = strata_shape_to_string (input);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %c is an axis letter of the equation, %s a shape
                                     * such as (None, 3). */
                                    _("the weight axis “%c” has no known size for the input %s"),
                                    e.weight[i], s);
          return FALSE;
        }
      kernel[i] = d;
    }
  if (!strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, i, kernel),
                                  strata_cfg_initializer (self, "kernel_initializer", NULL,
                                                          "glorot_uniform"),
                                  TRUE, error))
    return FALSE;
  if (bias_axes == NULL || bias_axes[0] == '\0')
    return TRUE;

  {
    /* from the first bias axis of the output to its end; 1 elsewhere */
    guint first = (guint) strlen (e.output);

    for (i = 0; bias_axes[i] != '\0'; i++)
      {
        const char *p = strchr (e.output, bias_axes[i]);
        if (p == NULL)
          {
            strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                      /* Translators: %c is an axis letter of the equation. */
                                      _("the bias axis “%c” is not an output axis"), bias_axes[i]);
            return FALSE;
          }
        first = MIN (first, (guint) (p - e.output));
      }
    for (i = first; e.output[i] != '\0'; i++)
      {
        int out_axis = axis_of (e.output, e.output[i], e.out_rank, left);
        bias[n_bias++] = strchr (bias_axes, e.output[i]) != NULL ? e.out_dims[out_axis] : 1;
      }
    if (e.elided != 1)
      for (i = 0; i < e.n_elided; i++)
        bias[n_bias++] = 1;
    return strata_builtin_add_weight (self, "bias", strata_builtin_shape (self, error, n_bias, bias),
                                      strata_cfg_initializer (self, "bias_initializer", NULL, "zeros"),
                                      TRUE, error);
  }
}

static GPtrArray *
einsum_shapes (StrataLayer          *self,
               const StrataLayerRow *row,
               GPtrArray            *input_shapes,
               GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  Einsum e;

  if (input == NULL || !analyze (self, input, &e, error))
    return NULL;
  return strata_shapes_one (strata_builtin_shape (self, error, e.out_rank, e.out_dims));
}

static const StrataLayerRow einsum_rows[] = {
  { "EinsumDense", "StrataEinsumDense", { NULL }, einsum_build, einsum_shapes, 0, 0,
    { STRATA_P_STRING ("equation", NULL), STRATA_P_JSON ("output_shape", NULL),
      STRATA_P_STRING ("bias_axes", "null"), STRATA_P_JSON ("activation", "\"linear\""),
      STRATA_P_JSON ("kernel_initializer", "\"glorot_uniform\""),
      STRATA_P_JSON ("bias_initializer", "\"zeros\""),
      STRATA_P_JSON ("kernel_regularizer", "null"), STRATA_P_JSON ("bias_regularizer", "null"),
      STRATA_P_JSON ("activity_regularizer", "null"), STRATA_P_JSON ("kernel_constraint", "null"),
      STRATA_P_JSON ("bias_constraint", "null") } },
};

const StrataLayerRow *
strata_layers_einsum_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (einsum_rows);
  return einsum_rows;
}
