/* h5-common.c: the process-wide HDF5 lock and HDF5 error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-common.h"
#include "h5-fd.h"

#include <string.h>
#include <gio/gio.h>

#include "strata.h"
#include "strata-i18n-private.h"

/* One lock for the whole process: the h5 and keras-v3 modules both link
 * this one library. A static GRecMutex needs no initialisation. */
static GRecMutex h5k_mutex;

/* Every call into libhdf5 holds this lock. Debian builds libhdf5 thread-safe
 * (H5_HAVE_THREADSAFE: one lock inside), other builds are not; and a
 * sequence of calls (create, write, walk the error stack) must not
 * interleave with another thread's, nor the fd driver's state (h5-fd.c). */
void
h5k_lock (void)
{
  /* A thread-safe libhdf5 keeps the error stack and its printing per
   * thread. */
  static _Thread_local gboolean quiet;

  g_rec_mutex_lock (&h5k_mutex);
  if (!quiet)
    {
      H5open ();
      /* Errors become GErrors; HDF5 must not print them on stderr. */
      H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
      quiet = TRUE;
    }
}

void
h5k_unlock (void)
{
  g_rec_mutex_unlock (&h5k_mutex);
}

typedef struct {
  GString *stack;       /* for debug output */
  int      saved_errno; /* the first "errno = N" of a system error, or 0 */
  hid_t    minor;       /* the innermost error's minor number */
} ErrorWalk;

static herr_t
collect_error (unsigned n, const H5E_error2_t *err, void *user_data)
{
  ErrorWalk *walk = user_data;
  char major[128] = "", minor[128] = "";
  const char *number;

  H5Eget_msg (err->maj_num, NULL, major, sizeof major);
  H5Eget_msg (err->min_num, NULL, minor, sizeof minor);
  g_string_append_printf (walk->stack, "\n  #%u %s() %s:%u: %s: %s: %s", n,
                          err->func_name != NULL ? err->func_name : "?",
                          err->file_name != NULL ? err->file_name : "?", err->line,
                          major, minor, err->desc != NULL ? err->desc : "");
  if (n == 0)
    walk->minor = err->min_num;
  /* libhdf5's own drivers report system errors as "..., errno = N, ...". */
  number = err->desc != NULL ? strstr (err->desc, "errno = ") : NULL;
  if (walk->saved_errno == 0 && number != NULL)
    walk->saved_errno = (int) g_ascii_strtoll (number + strlen ("errno = "), NULL, 10);
  return 0;
}

/* What the innermost HDF5 error means for a user, or NULL. */
static const char *
reason_for (hid_t minor)
{
  if (minor == H5E_NOSPACE || minor == H5E_CANTALLOC)
    return _("out of memory");
  if (minor == H5E_TRUNCATED)
    return _("the file is truncated");
  if (minor == H5E_NOTHDF5 || minor == H5E_BADFILE)
    return _("it is not an HDF5 file");
  if (minor == H5E_EXISTS || minor == H5E_ALREADYEXISTS)
    return _("the name is already in use");
  if (minor == H5E_VERSION || minor == H5E_UNSUPPORTED)
    return _("it uses an HDF5 feature that this libhdf5 does not support");
  if (minor == H5E_BADMESG || minor == H5E_CANTDECODE || minor == H5E_BADVALUE ||
      minor == H5E_BADRANGE || minor == H5E_CANTLOAD || minor == H5E_OVERFLOW ||
      minor == H5E_BADTYPE || minor == H5E_NOTFOUND)
    return _("the file is damaged");
  return NULL;
}

void
h5k_set_error (GError **error, int code, const char *format, ...)
{
  ErrorWalk walk = { g_string_new (NULL), 0, H5I_INVALID_HID };
  g_autofree char *message = NULL;
  const char *reason;
  va_list args;
  int saved_errno;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* The raw stack is for debugging; users get one sentence. */
  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &walk);
  H5Eclear2 (H5E_DEFAULT);
  if (walk.stack->len > 0)
    g_debug ("%s; libhdf5's error stack:%s", message, walk.stack->str);
  g_string_free (walk.stack, TRUE);

  saved_errno = h5k_fd_current_errno ();
  if (saved_errno == 0)
    saved_errno = walk.saved_errno;
  if (saved_errno > 0)
    {
      /* Translators: an error message, then the reason the system gave
       * ("No space left on device") */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("%s: %s"),
                   message, g_strerror (saved_errno));
      return;
    }
  reason = reason_for (walk.minor);
  if (reason != NULL)
    /* Translators: an error message, then why libhdf5 failed ("the file is damaged") */
    g_set_error (error, STRATA_FORMAT_ERROR, code, _("%s: %s"), message, reason);
  else
    g_set_error_literal (error, STRATA_FORMAT_ERROR, code, message);
}

void
h5k_close_id (hid_t id)
{
  hid_t stack = H5I_INVALID_HID;

  if (id < 0)
    return;
  /* Every libhdf5 call clears the thread's error stack: the stack of a
   * failure must survive the closing of what the failed code had open
   * (H5K_AUTO_ID) until h5k_set_error() reports it. */
  if (H5Eget_num (H5E_DEFAULT) > 0)
    stack = H5Eget_current_stack ();
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
  if (stack >= 0)
    H5Eset_current_stack (stack);
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
                         /* Translators: an HDF5 object path, then the name of the missing member */
                         _("“%s” has no member “%s”"), loc_name, prefix->str);
          return FALSE;
        }
      if (H5Lget_info (loc, prefix->str, &info, H5P_DEFAULT) < 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         /* Translators: an HDF5 link path, then the object path it is in */
                         _("Cannot read the link “%s” in “%s”"), prefix->str, loc_name);
          return FALSE;
        }
      if (info.type != H5L_TYPE_HARD)
        {
          if (info.type == H5L_TYPE_EXTERNAL)
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         /* Translators: an HDF5 link path, then the object path it is in */
                         _("“%s” in “%s” is an external link to another file; Strata only "
                           "follows hard links"), prefix->str, loc_name);
          else if (info.type == H5L_TYPE_SOFT)
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         /* Translators: an HDF5 link path, then the object path it is in */
                         _("“%s” in “%s” is a soft link; Strata only follows hard links"),
                         prefix->str, loc_name);
          else
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         /* Translators: an HDF5 link path, then the object path it is in */
                         _("“%s” in “%s” is a user-defined link; Strata only follows hard links"),
                         prefix->str, loc_name);
          return FALSE;
        }
    }
  return TRUE;
}
