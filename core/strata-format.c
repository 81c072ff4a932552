/* strata-format.c: the contract a format plugin implements
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-format.h"
#include "strata-formats.h"
#include "strata-error.h"
#include "strata-formats-private.h"
#include "strata-i18n-private.h"

/**
 * StrataFormat:
 *
 * A file format: the abstract class a format module subclasses.
 *
 * Format modules (`libstrata-format-NAME.so`) register one subclass and
 * describe it with a `StrataFormatDescriptor`; applications get instances
 * from [func@Strata.formats_lookup] or [func@Strata.formats_find_for_file] and
 * normally use them through [func@Strata.load_model] and [method@Strata.Model.save].
 *
 * The wrappers check the format's capabilities first, so a format that
 * cannot (for example) save weights fails with
 * %STRATA_FORMAT_ERROR_UNSUPPORTED instead of calling a missing function.
 */

typedef struct
{
  StrataFormatInfo *info; /* unowned: infos live as long as the process */
} StrataFormatPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (StrataFormat, strata_format, G_TYPE_OBJECT)

static void
strata_format_class_init (StrataFormatClass *klass)
{
}

static void
strata_format_init (StrataFormat *self)
{
}

void
strata_format_set_info (StrataFormat     *self,
                        StrataFormatInfo *info)
{
  StrataFormatPrivate *priv = strata_format_get_instance_private (self);

  priv->info = info;
}

/**
 * strata_format_get_info:
 * @self: a [class@Strata.Format]
 *
 * Gets the module information of @self.
 *
 * Returns: (transfer none) (nullable): the [class@Strata.FormatInfo] of the module
 *   that provides @self, or %NULL for a format that was not loaded from a
 *   module
 */
StrataFormatInfo *
strata_format_get_info (StrataFormat *self)
{
  StrataFormatPrivate *priv;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), NULL);

  priv = strata_format_get_instance_private (self);
  return priv->info;
}

/**
 * strata_format_get_name:
 * @self: a [class@Strata.Format]
 *
 * Gets the name users pass to select @self, such as `h5` or `json-config`.
 * A format that does not come from a module is named after its type.
 *
 * Returns: (transfer none): the name of the format
 */
const char *
strata_format_get_name (StrataFormat *self)
{
  StrataFormatPrivate *priv;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), NULL);

  priv = strata_format_get_instance_private (self);
  if (priv->info != NULL)
    return strata_format_info_get_name (priv->info);
  return G_OBJECT_TYPE_NAME (self);
}

/**
 * strata_format_get_capabilities:
 * @self: a [class@Strata.Format]
 *
 * Gets what @self can do. For a format loaded from a module these are the
 * capabilities of its descriptor; otherwise they follow from the virtual
 * functions the class implements.
 *
 * Returns: the capabilities of the format
 */
StrataFormatCapabilities
strata_format_get_capabilities (StrataFormat *self)
{
  StrataFormatPrivate *priv;
  StrataFormatClass *klass;
  StrataFormatCapabilities caps = STRATA_FORMAT_CAN_NONE;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), STRATA_FORMAT_CAN_NONE);

  priv = strata_format_get_instance_private (self);
  if (priv->info != NULL)
    return strata_format_info_get_capabilities (priv->info);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (klass->load_model != NULL)
    caps |= STRATA_FORMAT_CAN_LOAD_MODEL;
  if (klass->save_model != NULL)
    caps |= STRATA_FORMAT_CAN_SAVE_MODEL;
  if (klass->load_weights != NULL)
    caps |= STRATA_FORMAT_CAN_LOAD_WEIGHTS;
  if (klass->save_weights != NULL)
    caps |= STRATA_FORMAT_CAN_SAVE_WEIGHTS;
  return caps;
}

/* Both the flag and the function must be there: a descriptor that claims
 * more than its class implements must not crash the caller. */
static gboolean
check_capability (StrataFormat             *self,
                  StrataFormatCapabilities  needed,
                  gpointer                  vfunc,
                  GError                  **error)
{
  const char *name = strata_format_get_name (self);

  if ((strata_format_get_capabilities (self) & needed) == needed && vfunc != NULL)
    return TRUE;

  switch (needed)
    {
    case STRATA_FORMAT_CAN_LOAD_MODEL:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format cannot load models"), name);
      break;
    case STRATA_FORMAT_CAN_SAVE_MODEL:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format cannot save models"), name);
      break;
    case STRATA_FORMAT_CAN_LOAD_WEIGHTS:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format cannot load weights"), name);
      break;
    case STRATA_FORMAT_CAN_SAVE_WEIGHTS:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format cannot save weights"), name);
      break;
    default:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format does not support this operation"), name);
      break;
    }
  return FALSE;
}

/* What every wrapper does before calling the vfunc: make sure the library
 * is initialised, check the capability, and stop early when cancelled. */
static gboolean
prepare_call (StrataFormat              *self,
              StrataFormatCapabilities   needed,
              gpointer                   vfunc,
              GCancellable              *cancellable,
              GError                   **error)
{
  if (!check_capability (self, needed, vfunc, error))
    return FALSE;
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* What every wrapper does after the vfunc returned: on success drop a
 * stray error; on failure pass the vfunc's error on. A format that fails
 * must say why: a silent failure would leave the caller with an unset
 * GError, so it gets one that names the format. */
static gboolean
finish_call (StrataFormat  *self,
             GFile         *file,
             gboolean       succeeded,
             GError        *local,
             GError       **error)
{
  if (succeeded)
    {
      g_clear_error (&local);
      return TRUE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  g_warning ("%s failed on %s without setting an error",
             G_OBJECT_TYPE_NAME (self), g_file_peek_path (file));
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
               /* Translators: the first %s is a format name, the second %s a file name. */
               _("The “%s” format failed on “%s” without saying why"),
               strata_format_get_name (self), g_file_peek_path (file));
  return FALSE;
}

/**
 * strata_format_probe:
 * @self: a [class@Strata.Format]
 * @file: the file or directory to look at
 * @head: (nullable): the first bytes of @file, or %NULL for a directory
 *
 * Asks @self how sure it is that @file is one of its files. Unlike
 * sniffing ([func@Strata.formats_find_for_file]), this always calls the probe,
 * whatever the format's magic bytes say.
 *
 * Returns: a score from 0 (not at all) to 100 (certain); 0 for a format
 *   without a probe
 */
int
strata_format_probe (StrataFormat *self,
                     GFile        *file,
                     GBytes       *head)
{
  StrataFormatClass *klass;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), 0);
  g_return_val_if_fail (G_IS_FILE (file), 0);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (klass->probe == NULL)
    return 0;
  return CLAMP (klass->probe (self, file, head), 0, 100);
}

/**
 * strata_format_load_model:
 * @self: a [class@Strata.Format]
 * @file: the file to read
 * @options: (nullable): load options
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a model with @self. Most callers want [func@Strata.load_model], which
 * also chooses the format and applies the `compile` option.
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_format_load_model (StrataFormat      *self,
                          GFile             *file,
                          StrataLoadOptions *options,
                          GCancellable      *cancellable,
                          GError           **error)
{
  StrataFormatClass *klass;
  g_autoptr(StrataLoadOptions) defaults = NULL;
  GError *local = NULL;
  StrataModel *model;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (!prepare_call (self, STRATA_FORMAT_CAN_LOAD_MODEL, klass->load_model, cancellable, error))
    return NULL;
  if (options == NULL)
    options = defaults = strata_load_options_new ();

  model = klass->load_model (self, file, options, cancellable, &local);
  finish_call (self, file, model != NULL, local, error);
  return model;
}

/**
 * strata_format_save_model:
 * @self: a [class@Strata.Format]
 * @model: the model to write
 * @file: where to write it
 * @options: (nullable): save options
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Writes @model with @self, straight to @file. Unlike [method@Strata.Model.save]
 * this is not atomic and does not check the `overwrite` option.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_format_save_model (StrataFormat      *self,
                          StrataModel       *model,
                          GFile             *file,
                          StrataSaveOptions *options,
                          GCancellable      *cancellable,
                          GError           **error)
{
  StrataFormatClass *klass;
  g_autoptr(StrataSaveOptions) defaults = NULL;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), FALSE);
  g_return_val_if_fail (STRATA_IS_MODEL (model), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (!prepare_call (self, STRATA_FORMAT_CAN_SAVE_MODEL, klass->save_model, cancellable, error))
    return FALSE;
  if (options == NULL)
    options = defaults = strata_save_options_new ();

  ok = klass->save_model (self, model, file, options, cancellable, &local);
  return finish_call (self, file, ok, local, error);
}

/**
 * strata_format_load_weights:
 * @self: a [class@Strata.Format]
 * @model: the model whose weights are replaced
 * @file: the file to read
 * @options: (nullable): load options (`by_name`, `skip_mismatch`)
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads weights with @self into @model.
 *
 * Returns: (transfer full): what was matched, skipped and missing, or
 *   %NULL with @error set
 */
StrataWeightsReport *
strata_format_load_weights (StrataFormat      *self,
                            StrataModel       *model,
                            GFile             *file,
                            StrataLoadOptions *options,
                            GCancellable      *cancellable,
                            GError           **error)
{
  StrataFormatClass *klass;
  g_autoptr(StrataLoadOptions) defaults = NULL;
  GError *local = NULL;
  StrataWeightsReport *report;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), NULL);
  g_return_val_if_fail (STRATA_IS_MODEL (model), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options == NULL || STRATA_IS_LOAD_OPTIONS (options), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (!prepare_call (self, STRATA_FORMAT_CAN_LOAD_WEIGHTS, klass->load_weights, cancellable, error))
    return NULL;
  if (options == NULL)
    options = defaults = strata_load_options_new ();

  report = klass->load_weights (self, model, file, options, cancellable, &local);
  finish_call (self, file, report != NULL, local, error);
  return report;
}

/**
 * strata_format_save_weights:
 * @self: a [class@Strata.Format]
 * @model: the model whose weights are written
 * @file: where to write them
 * @options: (nullable): save options
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Writes the weights of @model with @self, straight to @file (not
 * atomically; see [method@Strata.Model.save_weights]).
 *
 * Returns: %TRUE on success
 */
gboolean
strata_format_save_weights (StrataFormat      *self,
                            StrataModel       *model,
                            GFile             *file,
                            StrataSaveOptions *options,
                            GCancellable      *cancellable,
                            GError           **error)
{
  StrataFormatClass *klass;
  g_autoptr(StrataSaveOptions) defaults = NULL;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), FALSE);
  g_return_val_if_fail (STRATA_IS_MODEL (model), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (options == NULL || STRATA_IS_SAVE_OPTIONS (options), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (!prepare_call (self, STRATA_FORMAT_CAN_SAVE_WEIGHTS, klass->save_weights, cancellable, error))
    return FALSE;
  if (options == NULL)
    options = defaults = strata_save_options_new ();

  ok = klass->save_weights (self, model, file, options, cancellable, &local);
  return finish_call (self, file, ok, local, error);
}

/**
 * strata_format_inspect:
 * @self: a [class@Strata.Format]
 * @file: the file or folder to describe
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Describes what @file holds with @self, without building a model (see
 * [func@Strata.inspect_file]). Fails with %STRATA_FORMAT_ERROR_UNSUPPORTED when
 * the format does not implement the `inspect` virtual function.
 *
 * Returns: (transfer full): the description, or %NULL with @error set
 */
StrataContents *
strata_format_inspect (StrataFormat  *self,
                       GFile         *file,
                       GCancellable  *cancellable,
                       GError       **error)
{
  StrataFormatClass *klass;
  GError *local = NULL;
  StrataContents *contents;

  g_return_val_if_fail (STRATA_IS_FORMAT (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = STRATA_FORMAT_GET_CLASS (self);
  if (klass->inspect == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a format name. */
                   _("The “%s” format cannot describe its files without loading a model"),
                   strata_format_get_name (self));
      return NULL;
    }
  if (!prepare_call (self, STRATA_FORMAT_CAN_NONE, klass->inspect, cancellable, error))
    return NULL;
  contents = klass->inspect (self, file, cancellable, &local);
  finish_call (self, file, contents != NULL, local, error);
  return contents;
}
