/* strata-summary.c: model.summary()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "strata-model-private.h"

/* Keras' print_row: each field is cut or padded to end at its column. */
static void
print_row (GString     *out,
           const char **fields,
           const guint *positions,
           guint        n_fields)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < n_fields; i++)
    {
      if (i > 0 && line->len > 0)
        line->str[line->len - 1] = ' ';
      g_string_append (line, fields[i]);
      if (line->len > positions[i])
        g_string_truncate (line, positions[i]);
      while (line->len < positions[i])
        g_string_append_c (line, ' ');
    }
  g_string_append (out, line->str);
  g_string_append_c (out, '\n');
  g_string_free (line, TRUE);
}

static void
rule (GString *out,
      char     c,
      guint    width)
{
  for (guint i = 0; i < width; i++)
    g_string_append_c (out, c);
  g_string_append_c (out, '\n');
}

/* 1234567 -> "1,234,567", as Python's "{:,}". */
static char *
with_separators (guint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* A shape as Python prints a tuple: (None, 8), (None,). */
static void
append_shape (GString     *out,
              StrataShape *shape)
{
  guint rank;
  const gint64 *dims = strata_shape_get_dims (shape, &rank);

  g_string_append_c (out, '(');
  for (guint i = 0; i < rank; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      if (dims[i] == STRATA_DIM_UNKNOWN)
        g_string_append (out, "None");
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT, dims[i]);
    }
  if (rank == 1)
    g_string_append_c (out, ',');
  g_string_append_c (out, ')');
}

static void
append_outputs (GString    *out,
                StrataNode *node,
                gboolean    as_list)
{
  if (node->outputs->len != 1)
    as_list = TRUE;
  if (as_list)
    g_string_append_c (out, '[');
  for (guint i = 0; i < node->outputs->len; i++)
    {
      StrataShape *shape = strata_keras_tensor_get_shape (g_ptr_array_index (node->outputs, i));

      if (i > 0)
        g_string_append (out, ", ");
      if (shape != NULL)
        append_shape (out, shape);
      else
        g_string_append_c (out, '?');
    }
  if (as_list)
    g_string_append_c (out, ']');
}

/* The output shape column: the shape of the layer's calls in this model,
 * "multiple" when they differ (as Keras prints). */
static char *
output_shape_text (StrataModel *model,
                   StrataLayer *layer)
{
  GPtrArray *nodes = strata_layer_peek_nodes (layer);
  g_autofree char *first = NULL;
  gboolean functional = !STRATA_IS_SEQUENTIAL (model);

  for (guint i = 0; i < nodes->len; i++)
    {
      StrataNode *node = g_ptr_array_index (nodes, i);
      GString *text;

      if (!strata_model_has_node (model, node))
        continue;
      text = g_string_new (NULL);
      append_outputs (text, node, functional && STRATA_IS_INPUT_LAYER (layer));
      if (first == NULL)
        first = g_string_free (text, FALSE);
      else
        {
          gboolean same = g_str_equal (first, text->str);

          g_string_free (text, TRUE);
          if (!same)
            return g_strdup ("multiple");
        }
    }
  return first != NULL ? g_steal_pointer (&first) : g_strdup ("?");
}

/**
 * strata_model_summary:
 * @self: a model
 *
 * Formats the model's summary as Keras `model.summary()` prints it: one
 * row per layer with its output shape and parameter count ("Connected to"
 * for functional models), then the total, trainable and non-trainable
 * parameter counts.
 *
 * Returns: (transfer full): the summary text
 */
char *
strata_model_summary (StrataModel *self)
{
  static const guint seq_positions[] = { 29, 55, 65 };
  static const guint fn_positions[] = { 32, 53, 65, 98 };
  GPtrArray *layers;
  GString *out;
  gboolean functional;
  const guint *positions;
  guint n_fields, width;
  guint64 total, trainable, non_trainable;
  g_autofree char *total_str = NULL, *trainable_str = NULL, *non_trainable_str = NULL;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);

  functional = !STRATA_IS_SEQUENTIAL (self);
  positions = functional ? fn_positions : seq_positions;
  n_fields = functional ? 4 : 3;
  width = positions[n_fields - 1];
  layers = strata_model_peek_layers (self);
  out = g_string_new (NULL);

  g_string_append_printf (out, "Model: \"%s\"\n", strata_layer_get_name (STRATA_LAYER (self)));
  rule (out, '_', width);
  {
    const char *header[] = { "Layer (type)", "Output Shape", "Param #", "Connected to" };
    print_row (out, header, positions, n_fields);
  }
  rule (out, '=', width);

  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayer *layer = g_ptr_array_index (layers, i);
      g_autofree char *name = g_strdup_printf ("%s (%s)", strata_layer_get_name (layer),
                                               strata_layer_get_class_name (layer));
      g_autofree char *shape = output_shape_text (self, layer);
      g_autofree char *params = g_strdup_printf ("%" G_GUINT64_FORMAT, strata_layer_count_params (layer));
      g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_free);

      if (functional)
        {
          GPtrArray *nodes = strata_layer_peek_nodes (layer);

          for (guint n = 0; n < nodes->len; n++)
            {
              StrataNode *node = g_ptr_array_index (nodes, n);

              if (!strata_model_has_node (self, node))
                continue;
              for (guint k = 0; k < node->inputs->len; k++)
                {
                  StrataKerasTensor *input = g_ptr_array_index (node->inputs, k);
                  StrataLayer *source = strata_keras_tensor_get_layer (input);

                  /* Keras numbers a nested model's calls after its own node. */
                  g_ptr_array_add (connections,
                                   g_strdup_printf ("%s[%u][%u]", strata_layer_get_name (source),
                                                    strata_keras_tensor_get_node_index (input) +
                                                    strata_layer_node_offset (source, STRATA_KERAS_DIALECT_KERAS2),
                                                    strata_keras_tensor_get_tensor_index (input)));
                }
            }
        }

      {
        const char *fields[] = { name, shape, params,
                                 connections->len > 0 ? g_ptr_array_index (connections, 0) : "" };
        print_row (out, fields, positions, n_fields);
      }
      for (guint k = 1; k < connections->len; k++)
        {
          const char *fields[] = { "", "", "", g_ptr_array_index (connections, k) };
          print_row (out, fields, positions, n_fields);
        }
      rule (out, i + 1 == layers->len ? '=' : '_', width);
    }
  if (layers->len == 0)
    rule (out, '=', width);

  total = strata_model_count_params (self, &trainable, &non_trainable);
  total_str = with_separators (total);
  trainable_str = with_separators (trainable);
  non_trainable_str = with_separators (non_trainable);
  g_string_append_printf (out, "Total params: %s\n", total_str);
  g_string_append_printf (out, "Trainable params: %s\n", trainable_str);
  g_string_append_printf (out, "Non-trainable params: %s\n", non_trainable_str);
  rule (out, '_', width);
  return g_string_free (out, FALSE);
}
