/* strata-io.c: loading and saving models and weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "strata-atomic-private.h"
#include "strata-formats-private.h"
#include "strata-i18n-private.h"

/* ---- files ------------------------------------------------------------ */

/* Writes through @format into a temporary beside @file (see
 * strata-atomic-private.h), flushes it and moves it over @file; a failure
 * or cancellation removes the temporary and leaves @file as it was. Weights
 * of a %STRATA_FORMAT_WEIGHTS_PREFIX format are several files: the format
 * replaces each one itself. */
static gboolean
save_atomically (StrataFormat      *format,
                 StrataModel       *model,
                 GFile             *file,
                 StrataSaveOptions *options,
                 gboolean           weights,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(StrataSaveTarget) target = NULL;
  gboolean is_dir_format = (strata_format_get_capabilities (format) & STRATA_FORMAT_IS_DIRECTORY) != 0;
  gboolean exists, target_is_dir = FALSE;
  GStatBuf st;
  gboolean ok;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   /* Translators: %s is a file name. */
                   _("Cannot save to “%s”: only local files can be written atomically"), uri);
      return FALSE;
    }

  /* A checkpoint is several files named after a prefix: the format
   * replaces each of them atomically. */
  if (weights && (strata_format_get_capabilities (format) & STRATA_FORMAT_WEIGHTS_PREFIX))
    return strata_format_save_weights (format, model, file, options, cancellable, error) &&
           !g_cancellable_set_error_if_cancelled (cancellable, error);

  exists = g_stat (path, &st) == 0;
  if (exists)
    {
      target_is_dir = S_ISDIR (st.st_mode);
      if (!strata_save_options_get_overwrite (options))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("“%s” already exists and overwriting is off"), path);
          return FALSE;
        }
      if (target_is_dir && !is_dir_format)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                       /* Translators: the first %s is a format name, the second %s a file name. */
                       _("Cannot save a “%s” file over the directory “%s”"),
                       strata_format_get_name (format), path);
          return FALSE;
        }
      if (!target_is_dir && is_dir_format)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                       /* Translators: the first %s is a format name, the second %s a file name. */
                       _("Cannot save a “%s” directory over the file “%s”"),
                       strata_format_get_name (format), path);
          return FALSE;
        }
    }

  target = strata_save_target_new (path, is_dir_format, exists ? &st : NULL, error);
  if (target == NULL)
    return FALSE;
  if (weights)
    ok = strata_format_save_weights (format, model, strata_save_target_get_file (target),
                                     options, cancellable, error);
  else
    ok = strata_format_save_model (format, model, strata_save_target_get_file (target),
                                   options, cancellable, error);
  if (!ok)
    {
      /* Messages name the target, not the temporary. */
      strata_save_target_name_target_in (target, error != NULL ? *error : NULL);
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         strata_save_target_commit (target, target_is_dir, error);
}

/* ---- sync entry points ---------------------------------------------------- */

/* With `compile` off the optimizer and training config are dropped; with
 * it on, a training config that cannot be applied leaves the model
 * uncompiled, as Keras does with a warning. */
static void
apply_compile_option (StrataModel       *model,
                      GFile             *file,
                      StrataLoadOptions *options)
{
  if (!strata_load_options_get_compile (options))
    {
      strata_model_set_optimizer (model, NULL);
      strata_model_set_training_config (model, NULL);
    }
  else if (strata_model_get_training_config (model) != NULL && !strata_model_is_compiled (model))
    {
      /* Hold a reference: compiling may replace the stored config. */
      g_autoptr(JsonObject) training_config = json_object_ref (strata_model_get_training_config (model));
      g_autoptr(GError) local = NULL;

      if (!strata_model_compile (model, training_config, &local))
        g_debug ("%s: the training config could not be applied, the model is not compiled: %s",
                 g_file_peek_path (file), local->message);
    }
}

/* The body of strata_load_model() (@weights FALSE: returns the model) and
 * strata_model_load_weights() (@weights TRUE: loads into @model, returns
 * the report). The arguments have been checked. */
static gpointer
load (StrataModel        *model,
      GFile              *file,
      StrataLoadOptions  *options,
      gboolean            weights,
      GCancellable       *cancellable,
      GError            **error)
{
  g_autoptr(StrataLoadOptions) defaults = NULL;
  g_autoptr(GObject) result = NULL;
  StrataFormat *format;

  if (options == NULL)
    options = defaults = strata_load_options_new ();

  format = strata_formats_find_for_file (file, strata_load_options_get_format (options),
                                         weights ? STRATA_FORMAT_CAN_LOAD_WEIGHTS : STRATA_FORMAT_CAN_LOAD_MODEL,
                                         cancellable, error);
  if (format == NULL)
    return NULL;
  if (weights)
    result = G_OBJECT (strata_format_load_weights (format, model, file, options, cancellable, error));
  else
    result = G_OBJECT (strata_format_load_model (format, file, options, cancellable, error));
  if (result == NULL)
    return NULL;

  if (!weights)
    {
      apply_compile_option (STRATA_MODEL (result), file, options);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }
  strata_load_options_report_progress (options, 1.0, NULL);
  return g_steal_pointer (&result);
}

/* The body of strata_model_save() and strata_model_save_weights(). The
 * arguments have been checked. */
static gboolean
save (StrataModel        *model,
      GFile              *file,
      StrataSaveOptions  *options,
      gboolean            weights,
      GCancellable       *cancellable,
      GError            **error)
{
  g_autoptr(StrataSaveOptions) defaults = NULL;
  StrataFormat *format;

  if (options == NULL)
    options = defaults = strata_save_options_new ();

  format = strata_formats_find_for_save (file, strata_save_options_get_format (options),
                                         weights ? STRATA_FORMAT_CAN_SAVE_WEIGHTS : STRATA_FORMAT_CAN_SAVE_MODEL,
                                         error);
  if (format == NULL)
    return FALSE;
  if (!save_atomically (format, model, file, options, weights, cancellable, error))
    return FALSE;
  strata_save_options_report_progress (options, 1.0, NULL);
  return TRUE;
}

/**
 * strata_load_model:
 * @file: the file or directory to read
 * @options: (nullable): load options, or %NULL for the defaults (safe
 *   mode, compile, format chosen from the content)
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Loads a model, as Keras' `load_model()`. The format is the one named in
 * @options, else the one that recognises the content, else the one of the
 * extension.
 *
 * With `compile` off the optimizer and training config are dropped; with
 * it on, a model saved with a training config comes back compiled (when
 * the training config cannot be applied the model is returned uncompiled,
 * as Keras does with a warning).
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_load_model (GFile              *file,
                   StrataLoadOptions  *options,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load (NULL, file, options, FALSE, cancellable, error);
}

/**
 * strata_model_save:
 * @model: the model to save
 * @file: where to save it
 * @options: (nullable): save options, or %NULL for the defaults
 *   (overwrite, include the optimizer, format from the extension)
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Saves @model, as Keras' `model.save()`. The format is the one named in
 * @options, else the one of the extension of @file.
 *
 * Saving is atomic: the format writes a temporary next to @file, which is
 * flushed to disk and moved over @file. On failure or cancellation the
 * temporary is removed and an existing @file is left untouched. A file is
 * written, where the system allows it, as an unnamed file (Linux
 * `O_TMPFILE`) that a crash takes with it; a directory, or a file on
 * other systems, is written as `.NAME.strata-tmp-…`, a name that records
 * the process, and later saves into the same folder remove the
 * temporaries of processes that have died. With `overwrite` off an
 * existing @file gives %G_IO_ERROR_EXISTS before anything is written.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_model_save (StrataModel        *model,
                   GFile              *file,
                   StrataSaveOptions  *options,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_return_val_if_fail (STRATA_IS_MODEL (model), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return save (model, file, options, FALSE, cancellable, error);
}

/**
 * strata_model_load_weights:
 * @model: the model whose weights are replaced
 * @file: the weights file to read
 * @options: (nullable): load options (`by_name`, `skip_mismatch`, format),
 *   or %NULL for the defaults
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Loads weights into @model, as Keras' `model.load_weights()`. The format
 * is chosen as for [func@Strata.load_model].
 *
 * Returns: (transfer full): what was matched, skipped and missing, or
 *   %NULL with @error set
 */
StrataWeightsReport *
strata_model_load_weights (StrataModel        *model,
                           GFile              *file,
                           StrataLoadOptions  *options,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_return_val_if_fail (STRATA_IS_MODEL (model), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load (model, file, options, TRUE, cancellable, error);
}

/**
 * strata_model_save_weights:
 * @model: the model whose weights are saved
 * @file: where to save them
 * @options: (nullable): save options, or %NULL for the defaults
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Saves the weights of @model, as Keras' `model.save_weights()`. The
 * format is chosen as for [method@Strata.Model.save], and saving is atomic in the
 * same way.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_model_save_weights (StrataModel        *model,
                           GFile              *file,
                           StrataSaveOptions  *options,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_return_val_if_fail (STRATA_IS_MODEL (model), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return save (model, file, options, TRUE, cancellable, error);
}

/* ---- async entry points --------------------------------------------------- */

/* One GTask shape for all four calls: the thread runs load() or save(). */
typedef struct
{
  StrataModel *model;   /* NULL when loading a model */
  GFile       *file;
  GObject     *options; /* StrataLoadOptions or StrataSaveOptions, or NULL */
  gboolean     saving;
  gboolean     weights;
} IoData;

static void
io_data_free (IoData *data)
{
  g_clear_object (&data->model);
  g_clear_object (&data->file);
  g_clear_object (&data->options);
  g_free (data);
}

static void
io_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  IoData *data = task_data;
  GError *error = NULL;

  if (data->saving)
    {
      if (save (data->model, data->file, (StrataSaveOptions *) data->options, data->weights,
                cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
    }
  else
    {
      gpointer result = load (data->model, data->file, (StrataLoadOptions *) data->options,
                              data->weights, cancellable, &error);

      if (result == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, g_object_unref);
    }
}

/* Runs load() or save() in a worker thread; @model is also the source
 * object of the task. The arguments have been checked. */
static void
io_run_async (gpointer             source_tag,
              StrataModel         *model,
              GFile               *file,
              gpointer             options,
              gboolean             saving,
              gboolean             weights,
              int                  io_priority,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IoData *data = g_new0 (IoData, 1);

  task = g_task_new (model, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  data->model = model != NULL ? g_object_ref (model) : NULL;
  data->file = g_object_ref (file);
  data->options = options != NULL ? g_object_ref (options) : NULL;
  data->saving = saving;
  data->weights = weights;
  g_task_set_task_data (task, data, (GDestroyNotify) io_data_free);
  g_task_run_in_thread (task, io_thread);
}

/**
 * strata_load_model_async:
 * @file: the file or directory to read
 * @options: (nullable): load options
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the model is loaded
 * @user_data: data for @callback
 *
 * Loads a model in a worker thread; see [func@Strata.load_model]. The progress
 * function of @options is called in that thread. Do not change @options
 * until @callback runs.
 */
void
strata_load_model_async (GFile               *file,
                         StrataLoadOptions   *options,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io_run_async (strata_load_model_async, NULL, file, options, FALSE, FALSE,
                io_priority, cancellable, callback, user_data);
}

/**
 * strata_load_model_finish:
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [func@Strata.load_model_async].
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_load_model_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == strata_load_model_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * strata_model_save_async:
 * @model: the model to save
 * @file: where to save it
 * @options: (nullable): save options
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the model is saved
 * @user_data: data for @callback
 *
 * Saves @model in a worker thread; see [method@Strata.Model.save].
 *
 * The worker reads @model while it runs: do not change @model (its layers,
 * weights, optimizer or config) or @options until @callback runs, or the
 * file may mix old and new state.
 */
void
strata_model_save_async (StrataModel         *model,
                         GFile               *file,
                         StrataSaveOptions   *options,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (STRATA_IS_MODEL (model));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io_run_async (strata_model_save_async, model, file, options, TRUE, FALSE,
                io_priority, cancellable, callback, user_data);
}

/**
 * strata_model_save_finish:
 * @model: the model that was saved
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Strata.Model.save_async]. From now on @model may be changed.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_model_save_finish (StrataModel   *model,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == strata_model_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * strata_model_load_weights_async:
 * @model: the model whose weights are replaced
 * @file: the weights file to read
 * @options: (nullable): load options
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the weights are loaded
 * @user_data: data for @callback
 *
 * Loads weights into @model in a worker thread; see
 * [method@Strata.Model.load_weights]. Do not use or change @model until
 * @callback runs.
 */
void
strata_model_load_weights_async (StrataModel         *model,
                                 GFile               *file,
                                 StrataLoadOptions   *options,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (STRATA_IS_MODEL (model));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io_run_async (strata_model_load_weights_async, model, file, options, FALSE, TRUE,
                io_priority, cancellable, callback, user_data);
}

/**
 * strata_model_load_weights_finish:
 * @model: the model
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Strata.Model.load_weights_async].
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 */
StrataWeightsReport *
strata_model_load_weights_finish (StrataModel   *model,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == strata_model_load_weights_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * strata_model_save_weights_async:
 * @model: the model whose weights are saved
 * @file: where to save them
 * @options: (nullable): save options
 * @io_priority: the I/O priority of the request
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the weights are saved
 * @user_data: data for @callback
 *
 * Saves the weights of @model in a worker thread; see
 * [method@Strata.Model.save_weights]. Do not change @model or @options until
 * @callback runs.
 */
void
strata_model_save_weights_async (StrataModel         *model,
                                 GFile               *file,
                                 StrataSaveOptions   *options,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (STRATA_IS_MODEL (model));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io_run_async (strata_model_save_weights_async, model, file, options, TRUE, TRUE,
                io_priority, cancellable, callback, user_data);
}

/**
 * strata_model_save_weights_finish:
 * @model: the model
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Strata.Model.save_weights_async].
 *
 * Returns: %TRUE on success
 */
gboolean
strata_model_save_weights_finish (StrataModel   *model,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == strata_model_save_weights_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
