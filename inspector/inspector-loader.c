/* inspector-loader.c: loads a model in a worker thread, telling its format
 * and its progress
 *
 * The window loads twice: the metadata first, so that the layers show at
 * once whatever the model's size, then the whole model for the weights.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-loader.h"

InspectorProgress *
inspector_progress_new (void)
{
  InspectorProgress *progress = g_new0 (InspectorProgress, 1);

  g_atomic_ref_count_init (&progress->ref_count);
  return progress;
}

InspectorProgress *
inspector_progress_ref (InspectorProgress *progress)
{
  g_atomic_ref_count_inc (&progress->ref_count);
  return progress;
}

void
inspector_progress_unref (InspectorProgress *progress)
{
  if (g_atomic_ref_count_dec (&progress->ref_count))
    g_free (progress);
}

double
inspector_progress_get (InspectorProgress *progress)
{
  return g_atomic_int_get (&progress->permille) / 1000.;
}

void
inspector_progress_report (double      fraction,
                           const char *stage,
                           gpointer    user_data)
{
  InspectorProgress *progress = user_data;

  g_atomic_int_set (&progress->permille, (int) (CLAMP (fraction, 0., 1.) * 1000.));
}

typedef struct
{
  GFile             *file;
  gboolean           metadata_only;
  InspectorProgress *progress;
  char              *format_name;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->file);
  inspector_progress_unref (data->progress);
  g_free (data->format_name);
  g_free (data);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  StrataFormat *format;
  StrataModel *model;
  GError *error = NULL;

  format = strata_formats_find_for_file (data->file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, cancellable, &error);
  if (format == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->format_name = g_strdup (strata_format_get_name (format));
  strata_load_options_set_format (options, data->format_name);
  if (data->metadata_only)
    strata_load_options_set_flags (options, strata_load_options_get_flags (options) | STRATA_LOAD_METADATA_ONLY);
  strata_load_options_set_progress_func (options, inspector_progress_report, inspector_progress_ref (data->progress),
                                         (GDestroyNotify) inspector_progress_unref);
  model = strata_load_model (data->file, options, cancellable, &error);
  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
inspector_load_async (GFile               *file,
                      gboolean             metadata_only,
                      InspectorProgress   *progress,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoadData *data = g_new0 (LoadData, 1);

  data->file = g_object_ref (file);
  data->metadata_only = metadata_only;
  data->progress = inspector_progress_ref (progress);
  g_task_set_source_tag (task, inspector_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

StrataModel *
inspector_load_finish (GAsyncResult *result,
                       char        **format_name,
                       GError      **error)
{
  LoadData *data = g_task_get_task_data (G_TASK (result));
  StrataModel *model = g_task_propagate_pointer (G_TASK (result), error);

  if (model != NULL && format_name != NULL)
    *format_name = g_strdup (data->format_name);
  return model;
}
