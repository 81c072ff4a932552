/* kv3-archive.c: reads the .keras zip archive with libzip, and writes it
 *
 * Nothing is trusted: member names, declared sizes and the entry count are
 * checked before any byte is read, and reads stop at the declared size.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "kv3-archive.h"
#include "kv3-zip-writer.h"
#include "h5-fd.h"

#define CONFIG_NAME   "config.json"
#define METADATA_NAME "metadata.json"
#define WEIGHTS_NAME  "model.weights.h5"
#define NPZ_NAME      "model.weights.npz"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)

void
kv3_archive_clear (Kv3Archive *archive)
{
  if (archive->tmp_dir != NULL)
    {
      if (archive->weights_path != NULL)
        g_unlink (archive->weights_path);
      g_rmdir (archive->tmp_dir);
    }
  g_clear_pointer (&archive->config, g_free);
  g_clear_pointer (&archive->metadata, g_free);
  g_clear_pointer (&archive->weights_path, g_free);
  g_clear_pointer (&archive->tmp_dir, g_free);
  archive->config_len = 0;
}

/* Reads a small member of the unzipped form, refusing oversized files. */
static gboolean
read_dir_member (const char *dir, const char *name, gboolean required,
                 char **contents, gsize *length, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      if (!required)
        return TRUE;
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a folder name, then a file name such as config.json */
                   _("The Keras directory “%s” has no %s"), dir, name);
      return FALSE;
    }
  if ((guint64) st.st_size > KV3_MAX_CONFIG_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %s is a file name, the first %<PRIu64> a size, the second
                    * %<PRIu64> a limit. */
                   _("“%s” is %" PRIu64 " bytes, more than the limit of %" PRIu64 " bytes"),
                   path, (guint64) st.st_size, (guint64) KV3_MAX_CONFIG_SIZE);
      return FALSE;
    }
  return g_file_get_contents (path, contents, length, error);
}

static gboolean
open_directory (const char *dir, Kv3Archive *archive, GError **error)
{
  g_autofree char *weights = g_build_filename (dir, WEIGHTS_NAME, NULL);

  if (!read_dir_member (dir, CONFIG_NAME, TRUE, &archive->config, &archive->config_len, error) ||
      !read_dir_member (dir, METADATA_NAME, FALSE, &archive->metadata, NULL, error))
    return FALSE;
  if (!g_file_test (weights, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a folder name, then a file name such as model.weights.h5 */
                   _("The Keras directory “%s” has no %s"), dir, WEIGHTS_NAME);
      return FALSE;
    }
  archive->weights_path = g_steal_pointer (&weights);
  return TRUE;
}

/* A member name that could escape a directory when extracted. */
static gboolean
unsafe_name (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name[0] == '/' || name[0] == '\\' || (g_ascii_isalpha (name[0]) && name[1] == ':'))
    return TRUE;
  parts = g_regex_split_simple ("[/\\\\]", name, 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], "..") == 0)
      return TRUE;
  return FALSE;
}

static void
set_zip_error (GError **error, zip_error_t *zerr, const char *path, const char *what)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the first %s is a file name, the second %s the reason, the third %s
                * the system's error message. */
               _("Cannot read “%s” as a .keras zip archive (%s): %s"),
               path, what, zip_error_strerror (zerr));
}

/* Streams member @index (declared @size bytes) to @out or into memory. */
static gboolean
read_member (zip_t *za, zip_uint64_t index, const char *path, const char *name,
             guint64 size, FILE *out, char **contents, GError **error)
{
  zip_file_t *zf = zip_fopen_index (za, index, 0);
  g_autofree char *buffer = NULL;
  guint64 done = 0;
  char chunk[65536];

  if (zf == NULL)
    {
      set_zip_error (error, zip_get_error (za), path, name);
      return FALSE;
    }
  if (contents != NULL)
    buffer = g_malloc (size + 1);
  for (;;)
    {
      zip_int64_t n = zip_fread (zf, chunk, sizeof chunk);

      if (n < 0)
        {
          set_zip_error (error, zip_file_get_error (zf), path, name);
          zip_fclose (zf);
          return FALSE;
        }
      if (n == 0)
        break;
      if ((guint64) n > size - done)
        {
          zip_fclose (zf);
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a member (file) name in the archive, an archive file name,
                        * then a size in bytes */
                       _("The member %s of “%s” holds more than the %" PRIu64 " bytes it declares"),
                       name, path, size);
          return FALSE;
        }
      if (buffer != NULL)
        memcpy (buffer + done, chunk, n);
      else if (fwrite (chunk, 1, n, out) != (size_t) n)
        {
          zip_fclose (zf);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       /* Translators: a member (file) name in the archive, an archive file name,
                        * then the system's error message */
                       _("Cannot extract %s of “%s”: %s"), name, path, g_strerror (errno));
          return FALSE;
        }
      done += n;
    }
  zip_fclose (zf);
  if (done != size)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a member (file) name in the archive, an archive file name, the
                    * bytes read, then the bytes declared */
                   _("The member %s of “%s” is truncated: %" PRIu64 " of %" PRIu64 " bytes"),
                   name, path, done, size);
      return FALSE;
    }
  if (buffer != NULL)
    {
      buffer[size] = '\0';
      *contents = g_steal_pointer (&buffer);
    }
  return TRUE;
}

static gboolean
extract_weights (zip_t *za, zip_uint64_t index, const char *path, guint64 size,
                 Kv3Archive *archive, GError **error)
{
  g_autofree char *target = NULL;
  gboolean ok;
  FILE *out;

  archive->tmp_dir = g_dir_make_tmp ("strata-keras-XXXXXX", error);
  if (archive->tmp_dir == NULL)
    return FALSE;
  target = g_build_filename (archive->tmp_dir, WEIGHTS_NAME, NULL);
  out = g_fopen (target, "wb");
  if (out == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   /* Translators: a file name, then the system's error message */
                   _("Cannot create “%s”: %s"), target, g_strerror (errno));
      return FALSE;
    }
  archive->weights_path = g_strdup (target);
  ok = read_member (za, index, path, WEIGHTS_NAME, size, out, NULL, error);
  if (fclose (out) != 0 && ok)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("Cannot write “%s”: %s"), target, g_strerror (errno));
      return FALSE;
    }
  return ok;
}

static gboolean
open_zip (const char *path, Kv3Archive *archive, GError **error)
{
  g_autoptr(zip_t) za = NULL;
  zip_int64_t n_entries, found[3] = { -1, -1, -1 };
  guint64 sizes[3] = { 0, 0, 0 };
  static const char *const wanted[3] = { CONFIG_NAME, METADATA_NAME, WEIGHTS_NAME };
  gboolean has_npz = FALSE;
  guint64 archive_size, total = 0;
  GStatBuf st;
  int zerr = 0;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   /* Translators: the first %s is a file name, the second %s the system's error
                    * message. */
                   _("Cannot open “%s”: %s"), path, g_strerror (errno));
      return FALSE;
    }
  archive_size = st.st_size;
  za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  if (za == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, zerr);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first %s is a file name, the second %s the system's error
                    * message. */
                   _("“%s” is not a valid .keras zip archive: %s"), path, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }
  n_entries = zip_get_num_entries (za, 0);
  if (n_entries < 0 || n_entries > KV3_MAX_ENTRIES)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %s is a file name, %<PRId64> a count, %d a limit. */
                   _("“%s” has %" PRId64 " members, more than the limit of %d"),
                   path, (gint64) n_entries, KV3_MAX_ENTRIES);
      return FALSE;
    }
  for (zip_int64_t i = 0; i < n_entries; i++)
    {
      zip_stat_t zs;

      if (zip_stat_index (za, i, 0, &zs) != 0)
        {
          set_zip_error (error, zip_get_error (za), path, "stat");
          return FALSE;
        }
      if (!(zs.valid & ZIP_STAT_NAME) || !(zs.valid & ZIP_STAT_SIZE))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: %<PRId64> is an index, %s a file name. */
                       _("Member %" PRId64 " of “%s” has no name or size"), (gint64) i, path);
          return FALSE;
        }
      if (unsafe_name (zs.name))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: an archive file name, then a member (file) name in it */
                       _("“%s” has a member named “%s”, which points outside the archive"),
                       path, zs.name);
          return FALSE;
        }
      /* Zip bombs: a member may not declare more than the hard limit, nor
       * (beyond 1 MiB) more than KV3_MAX_RATIO times the whole archive. */
      if (zs.size > KV3_MAX_MEMBER_SIZE ||
          (zs.size > (1 << 20) && zs.size / KV3_MAX_RATIO > archive_size))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: a member (file) name in the archive, an archive file name,
                        * the size it declares, then the size of the archive, in bytes */
                       _("The member “%s” of “%s” declares %" PRIu64 " bytes, too many for an "
                         "archive of %" PRIu64 " bytes (zip bomb?)"),
                       zs.name, path, (guint64) zs.size, archive_size);
          return FALSE;
        }
      total += zs.size;
      if (total > KV3_MAX_MEMBER_SIZE)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: %s is a file name, %<PRIu64> a limit. */
                       _("The members of “%s” declare more than %" PRIu64 " bytes in all"),
                       path, (guint64) KV3_MAX_MEMBER_SIZE);
          return FALSE;
        }
      if (strcmp (zs.name, NPZ_NAME) == 0)
        has_npz = TRUE;
      for (guint k = 0; k < 3; k++)
        if (found[k] < 0 && strcmp (zs.name, wanted[k]) == 0)
          {
            found[k] = i;
            sizes[k] = zs.size;
          }
    }
  if (found[0] < 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name. */
                   _("The .keras archive “%s” has no config.json"), path);
      return FALSE;
    }
  if (found[2] < 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR,
                   has_npz ? STRATA_FORMAT_ERROR_UNSUPPORTED : STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name. */
                   has_npz ? _("The .keras archive “%s” keeps its weights in model.weights.npz "
                               "(pickled NumPy), which Strata cannot read")
                           /* Translators: %s is a file name. */
                           : _("The .keras archive “%s” has no model.weights.h5"), path);
      return FALSE;
    }
  if (sizes[0] > KV3_MAX_CONFIG_SIZE || sizes[1] > KV3_MAX_CONFIG_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %s is a file name, %<PRIu64> a limit. */
                   _("The JSON members of “%s” are larger than the limit of %" PRIu64 " bytes"),
                   path, (guint64) KV3_MAX_CONFIG_SIZE);
      return FALSE;
    }
  if (!read_member (za, found[0], path, CONFIG_NAME, sizes[0], NULL, &archive->config, error))
    return FALSE;
  archive->config_len = sizes[0];
  if (found[1] >= 0 &&
      !read_member (za, found[1], path, METADATA_NAME, sizes[1], NULL, &archive->metadata, error))
    return FALSE;
  return extract_weights (za, found[2], path, sizes[2], archive, error);
}

gboolean
kv3_archive_open (GFile *file, Kv3Archive *archive, GError **error)
{
  g_autofree char *path = g_file_get_path (file);

  memset (archive, 0, sizeof *archive);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is not a local file"), uri);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR) ? !open_directory (path, archive, error)
                                             : !open_zip (path, archive, error))
    {
      kv3_archive_clear (archive);
      return FALSE;
    }
  return TRUE;
}

gboolean
kv3_archive_write (int fd, const char *name, const char *metadata, const char *config,
                   Kv3WeightsWriter write_weights, gpointer user_data, GError **error)
{
  g_autoptr(Kv3ZipWriter) zip = kv3_zip_writer_new (fd, name);
  H5kFdTarget target;
  goffset base;

  /* Python's zipfile, as Keras uses it: entries written through open()
   * are dated 1980-01-01; the weights are added from a file. */
  if (!kv3_zip_writer_add (zip, METADATA_NAME, metadata, strlen (metadata), TRUE, error) ||
      !kv3_zip_writer_add (zip, CONFIG_NAME, config, strlen (config), TRUE, error))
    return FALSE;
  base = kv3_zip_writer_begin (zip, WEIGHTS_NAME, error);
  if (base < 0)
    return FALSE;
  /* The writer checksums the weights as libhdf5 writes them. */
  target = (H5kFdTarget) { fd, base, kv3_zip_writer_watch, zip };
  return write_weights (&target, user_data, error) &&
         kv3_zip_writer_end (zip, error) && kv3_zip_writer_finish (zip, error);
}
