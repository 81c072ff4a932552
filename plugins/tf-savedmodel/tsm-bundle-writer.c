/* tsm-bundle-writer.c: writing a one-shard TensorBundle as TensorFlow's
 * BundleWriter does (tf-savedmodel spec §3.6, §3.8)
 *
 * Tensor bytes go to PREFIX.data-00000-of-00001 as they are added, with no
 * padding; only the entries stay in memory until finish writes
 * PREFIX.index. An empty tensor still stores the masked CRC of nothing
 * (proto3 would otherwise drop the field, and TF would see a mismatch).
 *
 * Large tensors are written straight from the caller's memory in chunks,
 * each checksummed just before it is written, so the bytes are read from
 * memory once for both. Where the system can, the disk writes of each
 * chunk are started at once, so that the caller's final flush (an atomic
 * save syncs) finds little left to write.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata-i18n-private.h"

/* Bytes checksummed and written at a time: small enough to stay in the
 * cache between the two, large enough to keep system calls few. */
#define CHUNK_SIZE ((gsize) 1 << 20)
/* Small writes are gathered into a buffer of this size. */
#define BUFFER_SIZE ((gsize) 64 << 10)

struct _TsmBundleWriter {
  char       *data_path;
  char       *index_path;
  int         fd;           /* the data file, -1 once closed */
  guint8     *buffer;       /* BUFFER_SIZE bytes not yet written */
  gsize       buffered;
  guint64     offset;       /* bytes added to the data file */
  guint64     flushed;      /* bytes whose disk writes were started */
  GArray     *entries;      /* TsmEntry, in the order added */
  GHashTable *keys;         /* borrowed from entries */
  gboolean    created;      /* the data file is ours to remove on failure */
  gboolean    failed;
  gboolean    finished;
};

static void
entry_clear (gpointer data)
{
  TsmEntry *entry = data;

  g_clear_pointer (&entry->key, g_free);
}

static gboolean
set_errno_error (const char  *path,
                 int          saved_errno,
                 GError     **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: a file name, then the system's error message */
               _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static void
set_write_error (TsmBundleWriter  *writer,
                 int               saved_errno,
                 GError          **error)
{
  writer->failed = TRUE;
  set_errno_error (writer->data_path, saved_errno, error);
}

/* Writes all of @size bytes to @fd. */
static gboolean
write_fd (int            fd,
          const guint8  *data,
          gsize          size,
          int           *saved_errno)
{
  while (size > 0)
    {
      ssize_t n = write (fd, data, MIN (size, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          *saved_errno = n < 0 ? errno : ENOSPC;
          return FALSE;
        }
      data += n;
      size -= (gsize) n;
    }
  return TRUE;
}

gboolean
tsm_write_file (const char  *path,
                const void  *data,
                gsize        size,
                GError     **error)
{
  int saved_errno = 0;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  gboolean ok;

  if (fd < 0)
    return set_errno_error (path, errno, error);
  ok = write_fd (fd, data, size, &saved_errno);
  if (close (fd) != 0 && ok && errno != EINTR)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  return ok || set_errno_error (path, saved_errno, error);
}

static TsmBundleWriter *
writer_new (char        *data_path,
            char        *index_path,
            gboolean     created,
            GError     **error)
{
  g_autoptr(TsmBundleWriter) writer = g_new0 (TsmBundleWriter, 1);

  writer->data_path = data_path;
  writer->index_path = index_path;
  writer->fd = -1;
  writer->entries = g_array_new (FALSE, TRUE, sizeof (TsmEntry));
  g_array_set_clear_func (writer->entries, entry_clear);
  writer->keys = g_hash_table_new (g_str_hash, g_str_equal);
  writer->buffer = g_malloc (BUFFER_SIZE);
  writer->fd = g_open (data_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (writer->fd < 0)
    {
      set_write_error (writer, errno, error);
      return NULL;
    }
  writer->created = created;
  return g_steal_pointer (&writer);
}

TsmBundleWriter *
tsm_bundle_writer_new (const char  *prefix,
                       GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (prefix);
  int saved_errno;

  /* TF creates the prefix's folder too. */
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   /* Translators: a folder name, then the system's error message */
                   _("Cannot create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  return writer_new (tsm_bundle_shard_path (prefix, 0, 1), tsm_bundle_index_path (prefix), TRUE,
                     error);
}

TsmBundleWriter *
tsm_bundle_writer_new_for_files (const char  *data_path,
                                 const char  *index_path,
                                 GError     **error)
{
  return writer_new (g_strdup (data_path), g_strdup (index_path), FALSE, error);
}

/* Checks @key can be added and records its entry with the current offset. */
static TsmEntry *
begin_entry (TsmBundleWriter  *writer,
             const char       *key,
             int               dtype,
             guint             rank,
             const gint64     *dims,
             GError          **error)
{
  TsmEntry entry = { 0 };

  g_return_val_if_fail (!writer->finished, NULL);
  if (writer->failed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: a file name */
                   _("Cannot write “%s”: an earlier write failed"), writer->data_path);
      return NULL;
    }
  if (*key == '\0' || g_hash_table_contains (writer->keys, key))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a file name, then a tensor name */
                   _("“%s”: a checkpoint cannot hold two tensors named “%s” or one with an "
                     "empty name"),
                   writer->data_path, key);
      return NULL;
    }
  if (rank > TSM_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a tensor name, then two numbers */
                   _("The tensor “%s” has %u dimensions; Strata writes at most %d"),
                   key, rank, TSM_MAX_RANK);
      return NULL;
    }
  entry.key = g_strdup (key);
  entry.dtype = dtype;
  entry.rank = rank;
  for (guint i = 0; i < rank; i++)
    entry.dims[i] = dims[i];
  entry.offset = writer->offset;
  g_array_append_val (writer->entries, entry);
  return &g_array_index (writer->entries, TsmEntry, writer->entries->len - 1);
}

/* Completes the entry added last, or drops it if @ok is FALSE. */
static gboolean
end_entry (TsmBundleWriter *writer,
           gboolean         ok,
           guint64          size,
           guint32          crc)
{
  TsmEntry *entry = &g_array_index (writer->entries, TsmEntry, writer->entries->len - 1);

  if (!ok)
    {
      g_array_set_size (writer->entries, writer->entries->len - 1);
      return FALSE;
    }
  entry->size = size;
  entry->masked_crc = tsm_crc32c_mask (crc);
  g_hash_table_add (writer->keys, entry->key);
  return TRUE;
}

/* Writes all of @data to the data file. */
static gboolean
write_all (TsmBundleWriter  *writer,
           const guint8     *data,
           gsize             size,
           GError          **error)
{
  int saved_errno;

  if (write_fd (writer->fd, data, size, &saved_errno))
    return TRUE;
  set_write_error (writer, saved_errno, error);
  return FALSE;
}

static gboolean
flush_buffer (TsmBundleWriter  *writer,
              GError          **error)
{
  gsize n = writer->buffered;

  writer->buffered = 0;
  return write_all (writer, writer->buffer, n, error);
}

/* Starts the disk writes of what was written since the last call, once
 * there is a chunk's worth; a hint only, so failures are ignored (the
 * final flush reports them). */
static void
start_writeback (TsmBundleWriter *writer)
{
#ifdef SYNC_FILE_RANGE_WRITE
  guint64 written = writer->offset - writer->buffered;

  if (written - writer->flushed < CHUNK_SIZE)
    return;
  sync_file_range (writer->fd, (off_t) writer->flushed, (off_t) (written - writer->flushed),
                   SYNC_FILE_RANGE_WRITE);
  writer->flushed = written;
#endif
}

/* Appends @data to the data file and, if @crc is given, to its CRC. */
static gboolean
write_bytes (TsmBundleWriter  *writer,
             const void       *data,
             gsize             size,
             guint32          *crc,
             GError          **error)
{
  const guint8 *p = data;

  if (size <= BUFFER_SIZE - writer->buffered)
    {
      if (size > 0)
        memcpy (writer->buffer + writer->buffered, p, size);
      writer->buffered += size;
      writer->offset += size;
      if (crc != NULL)
        *crc = tsm_crc32c_extend (*crc, p, size);
      return TRUE;
    }
  if (!flush_buffer (writer, error))
    return FALSE;
  while (size > 0)
    {
      gsize n = MIN (size, CHUNK_SIZE);

      if (crc != NULL)
        *crc = tsm_crc32c_extend (*crc, p, n);
      if (!write_all (writer, p, n, error))
        return FALSE;
      writer->offset += n;
      start_writeback (writer);
      p += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
count_elements (const char    *key,
                guint          rank,
                const gint64  *dims,
                guint64       *n,
                GError       **error)
{
  *n = 1;
  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] < 0 || (dims[i] > 0 && *n > (guint64) G_MAXINT64 / (guint64) dims[i]))
        {
          g_autofree char *shape = tsm_dims_to_string (rank, dims);

          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: a tensor name, then a shape such as [2, 3] */
                       _("The tensor “%s” has the invalid shape %s"), key, shape);
          return FALSE;
        }
      *n *= (guint64) dims[i];
    }
  return TRUE;
}

gboolean
tsm_bundle_writer_add_tensor (TsmBundleWriter *writer,
                              const char      *key,
                              int              tf_dtype,
                              guint            rank,
                              const gint64    *dims,
                              const void      *data,
                              gsize            size,
                              GError         **error)
{
  int element_size = tsm_dtype_element_size (tf_dtype);
  guint64 n;
  guint32 crc = 0;
  gboolean ok;

  if (element_size <= 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a tensor name, then a data type such as DT_STRING */
                   _("The tensor “%s” has the dtype %s, which is not written this way"),
                   key, tsm_dtype_name (tf_dtype));
      return FALSE;
    }
  if (!count_elements (key, rank, dims, &n, error))
    return FALSE;
  if (n > G_MAXUINT64 / (guint64) element_size || n * (guint64) element_size != size)
    {
      g_autofree char *shape = tsm_dims_to_string (rank, dims);

      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: a tensor name, a number of bytes, a data type, then a
                    * shape such as [2, 3] */
                   _("The tensor “%s” has %" PRIu64 " bytes, which do not fit %s %s"),
                   key, (guint64) size, tsm_dtype_name (tf_dtype), shape);
      return FALSE;
    }
  if (begin_entry (writer, key, tf_dtype, rank, dims, error) == NULL)
    return FALSE;
  ok = write_bytes (writer, data, size, &crc, error);
  return end_entry (writer, ok, size, crc);
}

gboolean
tsm_bundle_writer_add_strings (TsmBundleWriter *writer,
                               const char      *key,
                               guint            rank,
                               const gint64    *dims,
                               GBytes * const  *elements,
                               GError         **error)
{
  g_autoptr(GByteArray) lengths = g_byte_array_new ();
  guint64 n, size;
  guint32 crc = 0, length_crc = 0;
  guint8 masked[4];
  gboolean ok;

  if (!count_elements (key, rank, dims, &n, error) ||
      begin_entry (writer, key, TSM_DT_STRING, rank, dims, error) == NULL)
    return FALSE;

  /* The CRC covers each length as a fixed-width integer, not as a varint. */
  for (guint64 i = 0; i < n; i++)
    {
      guint64 length = g_bytes_get_size (elements[i]);

      tsm_put_varint64 (lengths, length);
      if (length <= G_MAXUINT32)
        {
          guint32 v = GUINT32_TO_LE ((guint32) length);

          length_crc = tsm_crc32c_extend (length_crc, &v, sizeof v);
        }
      else
        {
          guint64 v = GUINT64_TO_LE (length);

          length_crc = tsm_crc32c_extend (length_crc, &v, sizeof v);
        }
    }
  tsm_write_le32 (masked, tsm_crc32c_mask (length_crc));
  crc = length_crc;
  ok = write_bytes (writer, lengths->data, lengths->len, NULL, error) &&
       write_bytes (writer, masked, sizeof masked, &crc, error);
  size = lengths->len + sizeof masked;
  for (guint64 i = 0; ok && i < n; i++)
    {
      gsize length;
      const void *bytes = g_bytes_get_data (elements[i], &length);

      ok = write_bytes (writer, bytes, length, &crc, error);
      size += length;
    }
  return end_entry (writer, ok, size, crc);
}

gboolean
tsm_bundle_writer_add_string (TsmBundleWriter *writer,
                              const char      *key,
                              const void      *data,
                              gsize            size,
                              GError         **error)
{
  g_autoptr(GBytes) element = g_bytes_new_static (data, size);

  return tsm_bundle_writer_add_strings (writer, key, 0, NULL, &element, error);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (((const TsmEntry *) a)->key, ((const TsmEntry *) b)->key);
}

/* Writes the whole index file. */
static gboolean
write_index (TsmBundleWriter  *writer,
             GBytes           *index,
             GError          **error)
{
  gsize length;
  const void *contents = g_bytes_get_data (index, &length);

  if (tsm_write_file (writer->index_path, contents, length, error))
    return TRUE;
  writer->failed = TRUE;
  return FALSE;
}

gboolean
tsm_bundle_writer_finish (TsmBundleWriter  *writer,
                          GError          **error)
{
  TsmBundleHeader header = { .num_shards = 1, .producer = 1 };
  g_autoptr(GBytes) index = NULL;
  int fd;

  g_return_val_if_fail (!writer->finished, FALSE);
  writer->finished = TRUE;
  if (writer->failed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: a file name */
                   _("Cannot write “%s”: an earlier write failed"), writer->data_path);
      return FALSE;
    }
  if (!flush_buffer (writer, error))
    return FALSE;
  fd = writer->fd;
  writer->fd = -1;
  if (close (fd) != 0 && errno != EINTR)
    {
      set_write_error (writer, errno, error);
      return FALSE;
    }

  g_array_sort (writer->entries, compare_entries);
  index = tsm_bundle_build_index (&header, (const TsmEntry *) (gconstpointer) writer->entries->data,
                                  writer->entries->len);
  return write_index (writer, index, error);
}

void
tsm_bundle_writer_free (TsmBundleWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->fd >= 0)
    close (writer->fd);
  /* An unfinished or failed bundle leaves no data file behind. */
  if (writer->created && (!writer->finished || writer->failed))
    g_unlink (writer->data_path);
  g_free (writer->data_path);
  g_free (writer->index_path);
  g_free (writer->buffer);
  g_clear_pointer (&writer->keys, g_hash_table_unref);
  g_clear_pointer (&writer->entries, g_array_unref);
  g_free (writer);
}
