/* strata-format-info.c: what Strata knows about one format module
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-formats.h"
#include "strata-format.h"
#include "strata-formats-private.h"

/**
 * StrataFormatInfo:
 *
 * What Strata knows about one format module: its name (from the file
 * name), its path, what its metadata file declares and, once the module
 * is loaded, its [class@Strata.Format] instance, or the error that stopped it from
 * loading.
 *
 * Infos are created by discovery ([func@Strata.formats_list]) and live as long
 * as the process. The getters of the format's details read the metadata
 * file `libstrata-format-NAME.format` beside the module and load nothing;
 * the module is loaded when its format is used, and is checked then
 * against its metadata file.
 */

G_DEFINE_FINAL_TYPE (StrataFormatInfo, strata_format_info, G_TYPE_OBJECT)

static void
strata_format_info_finalize (GObject *object)
{
  StrataFormatInfo *self = STRATA_FORMAT_INFO (object);

  /* Infos are kept in the global table forever; this only runs for infos
   * that never loaded their module. */
  g_free (self->name);
  g_free (self->path);
  g_free (self->metadata_path);
  g_clear_pointer (&self->metadata, strata_format_metadata_free);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (strata_format_info_parent_class)->finalize (object);
}

static void
strata_format_info_class_init (StrataFormatInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_format_info_finalize;
}

static void
strata_format_info_init (StrataFormatInfo *self)
{
}

/**
 * strata_format_info_get_name:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets the format's name, taken from the module's file name
 * (`libstrata-format-NAME.so`). It does not load the module.
 *
 * Returns: (transfer none): the name
 */
const char *
strata_format_info_get_name (StrataFormatInfo *self)
{
  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), NULL);
  return self->name;
}

/**
 * strata_format_info_get_description:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets the one-line description of the format from its metadata file,
 * without loading the module.
 *
 * Returns: (transfer none) (nullable): the translated description, or
 *   %NULL when the module has none or cannot be loaded
 */
const char *
strata_format_info_get_description (StrataFormatInfo *self)
{
  const StrataFormatDescriptor *descriptor;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), NULL);
  descriptor = strata_format_info_peek_metadata (self);
  if (descriptor == NULL || descriptor->description == NULL)
    return NULL;
  /* Strata's own modules mark their descriptions with N_(); other modules'
   * descriptions are not in the catalog and come back unchanged. */
  return g_dgettext (GETTEXT_PACKAGE, descriptor->description);
}

static const char * const no_strings[] = { NULL };

/**
 * strata_format_info_get_extensions:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets the file name extensions of the format (without the dot) from its
 * metadata file, without loading the module.
 *
 * Returns: (transfer none) (array zero-terminated=1): the extensions; empty
 *   when the module cannot be loaded
 */
const char * const *
strata_format_info_get_extensions (StrataFormatInfo *self)
{
  const StrataFormatDescriptor *descriptor;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), no_strings);
  descriptor = strata_format_info_peek_metadata (self);
  return descriptor != NULL && descriptor->extensions != NULL ? descriptor->extensions : no_strings;
}

/**
 * strata_format_info_get_mime_types:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets the MIME types of the format from its metadata file, without
 * loading the module.
 *
 * Returns: (transfer none) (array zero-terminated=1): the MIME types;
 *   empty when there are none or the module cannot be loaded
 */
const char * const *
strata_format_info_get_mime_types (StrataFormatInfo *self)
{
  const StrataFormatDescriptor *descriptor;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), no_strings);
  descriptor = strata_format_info_peek_metadata (self);
  return descriptor != NULL && descriptor->mime_types != NULL ? descriptor->mime_types : no_strings;
}

/**
 * strata_format_info_get_capabilities:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets what the format can do from its metadata file, without loading the
 * module.
 *
 * Returns: the capabilities, or %STRATA_FORMAT_CAN_NONE when the module
 *   cannot be loaded
 */
StrataFormatCapabilities
strata_format_info_get_capabilities (StrataFormatInfo *self)
{
  const StrataFormatDescriptor *descriptor;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), STRATA_FORMAT_CAN_NONE);
  descriptor = strata_format_info_peek_metadata (self);
  return descriptor != NULL ? descriptor->capabilities : STRATA_FORMAT_CAN_NONE;
}

/**
 * strata_format_info_get_module_path:
 * @self: a [class@Strata.FormatInfo]
 *
 * Gets the path of the module file.
 *
 * Returns: (transfer none) (type filename): the path
 */
const char *
strata_format_info_get_module_path (StrataFormatInfo *self)
{
  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), NULL);
  return self->path;
}

/**
 * strata_format_info_has_details:
 * @self: a [class@Strata.FormatInfo]
 * @error: return location for the error that makes the details unknown
 *
 * Checks, without loading the module, whether the format's details are
 * known: they are not when its metadata file is missing or invalid, or
 * when loading the module already failed (for example because the module
 * does not match its metadata file). The error has the domain
 * %STRATA_FORMAT_ERROR and the code %STRATA_FORMAT_ERROR_PLUGIN.
 *
 * Returns: %TRUE if the getters of the details return the module's
 */
gboolean
strata_format_info_has_details (StrataFormatInfo  *self,
                                GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  strata_formats_lock ();
  ok = self->error == NULL;
  if (!ok && error != NULL)
    *error = g_error_copy (self->error);
  strata_formats_unlock ();
  return ok;
}

/**
 * strata_format_info_is_loaded:
 * @self: a [class@Strata.FormatInfo]
 *
 * Checks whether the module has been loaded successfully. It does not try
 * to load it.
 *
 * Returns: %TRUE if the module is loaded
 */
gboolean
strata_format_info_is_loaded (StrataFormatInfo *self)
{
  gboolean loaded;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), FALSE);

  strata_formats_lock ();
  loaded = self->format != NULL;
  strata_formats_unlock ();
  return loaded;
}

/**
 * strata_format_info_is_available:
 * @self: a [class@Strata.FormatInfo]
 * @error: return location for the error that stopped the module from loading
 *
 * Loads the module if needed and reports whether that worked. A module
 * that failed keeps its error (domain %STRATA_FORMAT_ERROR, code
 * %STRATA_FORMAT_ERROR_PLUGIN) and is not tried again.
 *
 * Returns: %TRUE if the format can be used
 */
gboolean
strata_format_info_is_available (StrataFormatInfo  *self,
                                 GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  strata_formats_lock ();
  ok = strata_formats_ensure_loaded_locked (self);
  if (!ok && error != NULL)
    *error = g_error_copy (self->error);
  strata_formats_unlock ();
  return ok;
}

/**
 * strata_format_info_get_format:
 * @self: a [class@Strata.FormatInfo]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the format of the module, loading it if needed. Each module has one
 * [class@Strata.Format] instance that lives as long as the process.
 *
 * Returns: (transfer none): the format, or %NULL with @error set (domain
 *   %STRATA_FORMAT_ERROR, code %STRATA_FORMAT_ERROR_PLUGIN) when the
 *   module cannot be loaded
 */
StrataFormat *
strata_format_info_get_format (StrataFormatInfo  *self,
                               GError           **error)
{
  StrataFormat *format = NULL;

  g_return_val_if_fail (STRATA_IS_FORMAT_INFO (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  strata_formats_lock ();
  if (strata_formats_ensure_loaded_locked (self))
    format = self->format;
  else if (error != NULL)
    *error = g_error_copy (self->error);
  strata_formats_unlock ();
  return format;
}
