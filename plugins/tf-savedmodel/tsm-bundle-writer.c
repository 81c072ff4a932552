/* tsm-bundle-writer.c: writing a one-shard TensorBundle as TensorFlow's
 * BundleWriter does (tf-savedmodel spec §3.6, §3.8)
 *
 * Tensor bytes go to PREFIX.data-00000-of-00001 as they are added, with no
 * padding; only the entries stay in memory until finish writes
 * PREFIX.index. An empty tensor still stores the masked CRC of nothing
 * (proto3 would otherwise drop the field, and TF would see a mismatch).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "strata-i18n-private.h"

struct _TsmBundleWriter {
  char       *prefix;
  char       *data_path;
  FILE       *data;
  guint64     offset;
  GArray     *entries;      /* TsmEntry, in the order added */
  GHashTable *keys;         /* borrowed from entries */
  gboolean    created;      /* the data file is ours to remove */
  gboolean    failed;
  gboolean    finished;
};

static void
entry_clear (gpointer data)
{
  TsmEntry *entry = data;

  g_clear_pointer (&entry->key, g_free);
}

static void
set_write_error (TsmBundleWriter  *writer,
                 int               saved_errno,
                 GError          **error)
{
  writer->failed = TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               /* Translators: a file name, then the system's error message */
               _("Cannot write “%s”: %s"), writer->data_path, g_strerror (saved_errno));
}

TsmBundleWriter *
tsm_bundle_writer_new (const char  *prefix,
                       GError     **error)
{
  g_autoptr(TsmBundleWriter) writer = g_new0 (TsmBundleWriter, 1);
  g_autofree char *dir = g_path_get_dirname (prefix);
  int saved_errno;

  writer->prefix = g_strdup (prefix);
  writer->data_path = tsm_bundle_shard_path (prefix, 0, 1);
  writer->entries = g_array_new (FALSE, TRUE, sizeof (TsmEntry));
  g_array_set_clear_func (writer->entries, entry_clear);
  writer->keys = g_hash_table_new (g_str_hash, g_str_equal);

  /* TF creates the prefix's folder too. */
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   /* Translators: a folder name, then the system's error message */
                   _("Cannot create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  writer->data = g_fopen (writer->data_path, "wb");
  if (writer->data == NULL)
    {
      set_write_error (writer, errno, error);
      return NULL;
    }
  writer->created = TRUE;
  return g_steal_pointer (&writer);
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
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
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
  writer->offset += size;
  g_hash_table_add (writer->keys, entry->key);
  return TRUE;
}

/* Appends @data to the data file and, if @crc is given, to its CRC. */
static gboolean
write_bytes (TsmBundleWriter  *writer,
             const void       *data,
             gsize             size,
             guint32          *crc,
             GError          **error)
{
  if (size > 0 && fwrite (data, 1, size, writer->data) != size)
    {
      set_write_error (writer, errno, error);
      return FALSE;
    }
  if (crc != NULL)
    *crc = tsm_crc32c_extend (*crc, data, size);
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

gboolean
tsm_bundle_writer_finish (TsmBundleWriter  *writer,
                          GError          **error)
{
  TsmBundleHeader header = { .num_shards = 1, .producer = 1 };
  g_autoptr(GBytes) index = NULL;
  g_autofree char *index_path = NULL;
  FILE *data = g_steal_pointer (&writer->data);
  gconstpointer contents;
  gsize length;

  g_return_val_if_fail (!writer->finished, FALSE);
  writer->finished = TRUE;
  if (writer->failed)
    {
      fclose (data);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   /* Translators: a file name */
                   _("Cannot write “%s”: an earlier write failed"), writer->data_path);
      return FALSE;
    }
  if (fflush (data) != 0 || ferror (data))
    {
      set_write_error (writer, errno, error);
      fclose (data);
      return FALSE;
    }
  if (fclose (data) != 0)
    {
      set_write_error (writer, errno, error);
      return FALSE;
    }

  g_array_sort (writer->entries, compare_entries);
  index = tsm_bundle_build_index (&header, (const TsmEntry *) (gconstpointer) writer->entries->data,
                                  writer->entries->len);
  contents = g_bytes_get_data (index, &length);
  index_path = tsm_bundle_index_path (writer->prefix);
  if (!g_file_set_contents_full (index_path, contents, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0666, error))
    {
      writer->failed = TRUE;
      return FALSE;
    }
  return TRUE;
}

void
tsm_bundle_writer_free (TsmBundleWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->data != NULL)
    fclose (writer->data);
  /* An unfinished or failed bundle leaves no data file behind. */
  if (writer->created && (!writer->finished || writer->failed))
    g_unlink (writer->data_path);
  g_free (writer->prefix);
  g_free (writer->data_path);
  g_clear_pointer (&writer->keys, g_hash_table_unref);
  g_clear_pointer (&writer->entries, g_array_unref);
  g_free (writer);
}
