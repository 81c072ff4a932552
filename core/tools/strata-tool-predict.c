/* strata-tool-predict.c: `strata predict MODEL INPUT.npy… -o OUTPUT.npz`
 *
 * Inputs are read in the model's input order; outputs are written as
 * output_0, output_1, … in the model's output order. With a batch size,
 * the inputs are cut along their first axis (views into the mapped files,
 * no copies) and each part's outputs are copied into the full ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-tool-predict.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "strata-npy.h"
#include "strata-tool-progress.h"

static char *
shape_text (guint rank, const gint64 *dims)
{
  g_autoptr(StrataShape) shape = strata_shape_new (rank, dims);

  return strata_shape_to_string (shape);
}

/* Checks @t (read from @path) against the model input @spec: a clear
 * error names the file, the input and the shape the model expects. */
static gboolean
check_input (StrataTensor *t, const char *path, StrataKerasTensor *spec, GError **error)
{
  StrataDType dtype = strata_tensor_get_dtype (t);
  StrataShape *want = strata_keras_tensor_get_shape (spec);
  guint rank = 0, want_rank = 0;
  const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (t), &rank);
  const gint64 *want_dims = want != NULL ? strata_shape_get_dims (want, &want_rank) : NULL;
  const char *input = strata_layer_get_name (strata_keras_tensor_get_layer (spec));
  gboolean fits = want == NULL || rank == want_rank;

  if (dtype != STRATA_DTYPE_FLOAT32 && dtype != STRATA_DTYPE_FLOAT64 &&
      dtype != STRATA_DTYPE_INT32 && dtype != STRATA_DTYPE_INT64)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   /* Translators: a file name, its dtype, then the name of a model input */
                   _("“%s” holds %s values; the model input “%s” takes float32, float64, int32 or int64"),
                   path, strata_dtype_to_string (dtype), input);
      return FALSE;
    }
  for (guint i = 1; fits && want != NULL && i < rank; i++)
    fits = want_dims[i] < 0 || want_dims[i] == dims[i];
  if (!fits)
    {
      g_autofree char *got = shape_text (rank, dims);
      g_autofree char *expected = strata_shape_to_string (want);

      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   /* Translators: a file name, its array's shape, a model input's name, then the shape it takes */
                   _("“%s” has the shape %s; the model input “%s” expects %s"),
                   path, got, input, expected);
      return FALSE;
    }
  if (rank == 0)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   /* Translators: a file name */
                   _("“%s” holds a scalar; inputs need a batch axis"), path);
      return FALSE;
    }
  return TRUE;
}

/* Rows [@start, @start + @count) of @t, sharing its data. */
static StrataTensor *
rows (StrataTensor *t, gint64 start, gint64 count)
{
  guint rank = 0;
  const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (t), &rank);
  gint64 part[32];
  gsize row_bytes = strata_dtype_get_size (strata_tensor_get_dtype (t));
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(GBytes) data = NULL;

  for (guint i = 1; i < rank; i++)
    row_bytes *= (gsize) dims[i];
  memcpy (part, dims, rank * sizeof (gint64));
  part[0] = count;
  shape = strata_shape_new (rank, part);
  data = g_bytes_new_from_bytes (strata_tensor_get_data (t), start * row_bytes, count * row_bytes);
  return strata_tensor_new (strata_tensor_get_dtype (t), shape, data, NULL);
}

/* The outputs of all rows, filled part by part. */
typedef struct {
  StrataDType dtype;
  guint       rank;
  gint64      dims[32];
  guint8     *data;
  gsize       size;
} Output;

static void
output_free (Output *out)
{
  g_free (out->data);
  g_free (out);
}

/* Copies the outputs of rows [@start, …) into @full, made at the first part. */
static gboolean
gather_outputs (GPtrArray *full, GPtrArray *part, gint64 start, gint64 total, GError **error)
{
  for (guint o = 0; o < part->len; o++)
    {
      StrataTensor *t = g_ptr_array_index (part, o);
      guint rank = 0;
      const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (t), &rank);
      gsize size = 0;
      const guint8 *src = g_bytes_get_data (strata_tensor_get_data (t), &size);
      Output *out;

      if (rank == 0 || rank > G_N_ELEMENTS (out->dims))
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       /* Translators: the number of a model output */
                       _("Output %u has no batch axis, so the inputs cannot be split into batches"), o);
          return FALSE;
        }
      if (full->len <= o)
        {
          out = g_new0 (Output, 1);
          out->dtype = strata_tensor_get_dtype (t);
          out->rank = rank;
          memcpy (out->dims, dims, rank * sizeof (gint64));
          out->dims[0] = total;
          out->size = dims[0] > 0 ? size / (gsize) dims[0] * (gsize) total : 0;
          out->data = g_malloc0 (MAX (out->size, 1));
          g_ptr_array_add (full, out);
        }
      out = g_ptr_array_index (full, o);
      if (dims[0] > 0)
        memcpy (out->data + start * (size / (gsize) dims[0]), src, size);
    }
  return TRUE;
}

/* @full's outputs as tensors. */
static GPtrArray *
output_tensors (GPtrArray *full)
{
  GPtrArray *tensors = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint o = 0; o < full->len; o++)
    {
      Output *out = g_ptr_array_index (full, o);
      g_autoptr(StrataShape) shape = strata_shape_new (out->rank, out->dims);
      g_autoptr(GBytes) data = g_bytes_new_take (g_steal_pointer (&out->data), out->size);

      g_ptr_array_add (tensors, strata_tensor_new (out->dtype, shape, data, NULL));
    }
  return tensors;
}

gboolean
strata_tool_predict (StrataModel  *model,
                     char        **input_paths,
                     guint         n_inputs,
                     const char   *output,
                     gint64        batch_size,
                     gboolean      show_progress,
                     GError      **error)
{
  g_autoptr(GPtrArray) specs = strata_model_get_inputs (model);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 total = -1;

  if (n_inputs != specs->len)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   /* Translators: a model name, how many inputs it takes, how many files were given */
                   g_dngettext (GETTEXT_PACKAGE, "The model “%s” takes %u input, %u .npy files were given",
                                "The model “%s” takes %u inputs, %u .npy files were given", specs->len),
                   strata_layer_get_name (STRATA_LAYER (model)), specs->len, n_inputs);
      return FALSE;
    }
  for (guint i = 0; i < n_inputs; i++)
    {
      StrataTensor *t = strata_npy_read (input_paths[i], error);
      gint64 n;

      if (t == NULL)
        return FALSE;
      g_ptr_array_add (inputs, t);
      if (!check_input (t, input_paths[i], g_ptr_array_index (specs, i), error))
        return FALSE;
      n = strata_shape_get_dims (strata_tensor_get_shape (t), NULL)[0];
      if (total >= 0 && n != total)
        {
          g_autofree char *got = g_strdup_printf ("%" G_GINT64_FORMAT, n);
          g_autofree char *first = g_strdup_printf ("%" G_GINT64_FORMAT, total);

          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                       /* Translators: a file name, its number of rows, the first file's name, then its number */
                       _("“%s” has %s rows, but “%s” has %s"), input_paths[i], got, input_paths[0], first);
          return FALSE;
        }
      total = n;
    }
  if (batch_size <= 0 || batch_size >= total)
    {
      outputs = strata_model_predict (model, inputs, NULL, error);
      if (outputs == NULL)
        return FALSE;
    }
  else
    {
      g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);

      for (gint64 start = 0; start < total; start += batch_size)
        {
          gint64 count = MIN (batch_size, total - start);
          g_autoptr(GPtrArray) part = g_ptr_array_new_with_free_func (g_object_unref);
          g_autoptr(GPtrArray) result = NULL;

          for (guint i = 0; i < inputs->len; i++)
            g_ptr_array_add (part, rows (g_ptr_array_index (inputs, i), start, count));
          result = strata_model_predict (model, part, NULL, error);
          if (result == NULL || !gather_outputs (full, result, start, total, error))
            return FALSE;
          if (show_progress)
            strata_tool_progress_report ((double) (start + count) / (double) total, NULL, (gpointer) _("Predicting"));
        }
      outputs = output_tensors (full);
    }
  for (guint o = 0; o < outputs->len; o++)
    g_ptr_array_add (names, g_strdup_printf ("output_%u", o));
  g_ptr_array_add (names, NULL);
  return strata_npz_write (output, (const char **) names->pdata, outputs, error);
}
