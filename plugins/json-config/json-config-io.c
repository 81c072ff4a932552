/* json-config-io.c: reading and writing Keras to_json files, without GObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "json-config-io.h"
#include "strata.h"
#include "strata-i18n-private.h"

static gboolean
contains (const guint8 *data,
          gsize         length,
          const char   *needle)
{
  return g_strstr_len ((const char *) data, length, needle) != NULL;
}

int
json_config_probe (const guint8 *head,
                   gsize         length)
{
  gsize i = 0;

  /* A UTF-8 byte order mark, then JSON whitespace. */
  if (length >= 3 && memcmp (head, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
    i++;
  if (i >= length || head[i] != '{')
    return 0;
  /* A NUL byte means binary data that happens to start with '{'. */
  if (memchr (head, '\0', length) != NULL)
    return 0;
  if (!contains (head + i, length - i, "\"class_name\""))
    return 0;
  return contains (head + i, length - i, "\"config\"") ? 60 : 40;
}

gboolean
json_config_read_file (const char  *path,
                       char       **contents,
                       gsize       *length,
                       GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if ((guint64) st.st_size > JSON_CONFIG_MAX_FILE_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %s is a file name, %<PRIu64> a size, %u a limit. */
                   _("“%s” is %" PRIu64 " bytes long; a model config may be at most %u bytes"),
                   path, (uint64_t) st.st_size, JSON_CONFIG_MAX_FILE_SIZE);
      return FALSE;
    }
  return g_file_get_contents (path, contents, length, error);
}

gboolean
json_config_write_file (const char  *path,
                        const char  *text,
                        GError     **error)
{
  gsize length = strlen (text);
  gsize done = 0;
  int saved_errno;
  int fd;

  /* In place: @path may be an unnamed file (/proc/self/fd/N), beside which
   * nothing can be created. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    goto failed;
  while (done < length)
    {
      gssize n = write (fd, text + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          close (fd);
          errno = saved_errno;
          goto failed;
        }
      done += n;
    }
  if (close (fd) == 0)
    return TRUE;

failed:
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: the file being written, then the system's reason */
               _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}
