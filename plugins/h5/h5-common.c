/* h5-common.c: the process-wide HDF5 lock and HDF5 error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-common.h"

#include "strata.h"
#include "strata-i18n-private.h"

#define H5K_LOCK_KEY "strata-hdf5-lock"

/* One lock for the whole process, also when several modules (h5,
 * keras-v3) each link a copy of this file: the first copy to get there
 * publishes its mutex on the process-wide default registry with an atomic
 * compare-and-swap, and every copy uses that one. It lives as long as the
 * process. */
static GRecMutex *
h5k_mutex (void)
{
  static GRecMutex *mutex = NULL;

  if (g_once_init_enter (&mutex))
    {
      GObject *anchor = G_OBJECT (strata_registry_get_default ());
      GRecMutex *candidate = g_new0 (GRecMutex, 1);
      GRecMutex *shared;

      g_rec_mutex_init (candidate);
      if (!g_object_replace_data (anchor, H5K_LOCK_KEY, NULL, candidate, NULL, NULL))
        {
          g_rec_mutex_clear (candidate);
          g_free (candidate);
        }
      shared = g_object_get_data (anchor, H5K_LOCK_KEY);
      g_once_init_leave (&mutex, shared);
    }
  return mutex;
}

void
h5k_lock (void)
{
  static gsize once = 0;

  g_rec_mutex_lock (h5k_mutex ());
  if (g_once_init_enter (&once))
    {
      H5open ();
      /* Errors become GErrors; HDF5 must not print them on stderr. */
      H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
}

void
h5k_unlock (void)
{
  g_rec_mutex_unlock (h5k_mutex ());
}

static herr_t
collect_error (unsigned n, const H5E_error2_t *err, void *user_data)
{
  GPtrArray *messages = user_data;

  if (err->desc != NULL && *err->desc != '\0')
    g_ptr_array_add (messages, g_strdup (err->desc));
  return 0;
}

void
h5k_set_error (GError **error, int code, const char *format, ...)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, messages);
  H5Eclear2 (H5E_DEFAULT);

  if (messages->len > 0)
    {
      g_autoptr(GString) details = g_string_new (NULL);

      /* The innermost messages say what went wrong; outer ones repeat the call. */
      for (guint i = 0; i < messages->len && i < 3; i++)
        {
          const char *m = g_ptr_array_index (messages, messages->len - 1 - i);
          if (i > 0)
            g_string_append (details, "; ");
          g_string_append (details, m);
        }
      g_set_error (error, STRATA_FORMAT_ERROR, code, "%s (HDF5: %s)", message, details->str);
    }
  else
    g_set_error_literal (error, STRATA_FORMAT_ERROR, code, message);
}

void
h5k_close_id (hid_t id)
{
  if (id < 0)
    return;
  switch (H5Iget_type (id))
    {
    case H5I_FILE: H5Fclose (id); break;
    case H5I_GROUP: H5Gclose (id); break;
    case H5I_DATATYPE: H5Tclose (id); break;
    case H5I_DATASPACE: H5Sclose (id); break;
    case H5I_DATASET: H5Dclose (id); break;
    case H5I_ATTR: H5Aclose (id); break;
    case H5I_GENPROP_LST: H5Pclose (id); break;
    default: break;
    }
}

gboolean
h5k_check_hard_path (hid_t loc, const char *loc_name, const char *path, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) prefix = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      H5L_info_t info;

      if (*parts[i] == '\0')
        continue;
      if (prefix->len > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);

      if (H5Lexists (loc, prefix->str, H5P_DEFAULT) <= 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         _("“%s” has no member “%s”"), loc_name, prefix->str);
          return FALSE;
        }
      if (H5Lget_info (loc, prefix->str, &info, H5P_DEFAULT) < 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         _("Cannot read the link “%s” in “%s”"), prefix->str, loc_name);
          return FALSE;
        }
      if (info.type != H5L_TYPE_HARD)
        {
          if (info.type == H5L_TYPE_EXTERNAL)
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         _("“%s” in “%s” is an external link to another file; Strata only "
                           "follows hard links"), prefix->str, loc_name);
          else if (info.type == H5L_TYPE_SOFT)
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         _("“%s” in “%s” is a soft link; Strata only follows hard links"),
                         prefix->str, loc_name);
          else
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         _("“%s” in “%s” is a user-defined link; Strata only follows hard links"),
                         prefix->str, loc_name);
          return FALSE;
        }
    }
  return TRUE;
}
