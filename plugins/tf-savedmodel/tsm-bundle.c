/* tsm-bundle.c: reading a TensorBundle (tf-savedmodel spec §3)
 *
 * The index is mapped and decoded whole at open, so that every block CRC
 * and every entry is checked once. Shards are mapped on first use and kept
 * in a table keyed by shard id: a header may declare millions of shards
 * without costing anything until a tensor names one. Tensors are slices of
 * the mapping when they need neither alignment nor byte order fixed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc-queue.h"
#include "tsm-crc32c.h"
#include "tsm-sstable.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "strata-i18n-private.h"
#include "strata-mapped-private.h"

struct _TsmBundle {
  char            *prefix;
  char            *index_path;
  TsmBundleHeader  header;
  GArray          *entries;   /* TsmEntry in key order */
  GMutex           lock;      /* guards shards */
  GHashTable      *shards;    /* shard id -> GBytes of the mapped file */
  TsmCrcQueue     *checks;    /* tensor CRCs not yet compared, or NULL */
};

typedef struct {
  TsmBundle *bundle;
  gboolean   have_header;
} OpenState;

static void
entry_clear (gpointer data)
{
  TsmEntry *entry = data;

  g_clear_pointer (&entry->key, g_free);
}

static gboolean
open_entry (const TsmSSTableEntry  *item,
            gpointer                user_data,
            GError                **error)
{
  OpenState *state = user_data;
  TsmBundle *bundle = state->bundle;
  TsmEntry entry = { 0 };

  if (!state->have_header)
    {
      if (item->key_len != 0)
        {
          g_autofree char *key = tsm_sstable_printable_key (item->key, item->key_len);

          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a file name, then a key */
                       _("“%s” has no bundle header: its first key is “%s”, not the empty key"),
                       bundle->index_path, key);
          return FALSE;
        }
      state->have_header = TRUE;
      return tsm_header_decode (item->value, item->value_len, bundle->index_path,
                                &bundle->header, error);
    }

  /* The slices of partitioned variables: reached only through the
   * entry of their variable. */
  if (memchr (item->key, 0, item->key_len) != NULL)
    return TRUE;

  entry.key = g_strndup ((const char *) item->key, item->key_len);
  if (!tsm_entry_decode (item->value, item->value_len, bundle->index_path, entry.key,
                         &bundle->header, &entry, error))
    {
      entry_clear (&entry);
      return FALSE;
    }
  g_array_append_val (bundle->entries, entry);
  return TRUE;
}

TsmBundle *
tsm_bundle_open (const char  *prefix,
                 GError     **error)
{
  g_autoptr(TsmBundle) bundle = g_new0 (TsmBundle, 1);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  OpenState state = { bundle, FALSE };

  bundle->prefix = g_strdup (prefix);
  bundle->index_path = tsm_bundle_index_path (prefix);
  bundle->entries = g_array_new (FALSE, TRUE, sizeof (TsmEntry));
  g_array_set_clear_func (bundle->entries, entry_clear);
  g_mutex_init (&bundle->lock);
  bundle->shards = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);

  mapped = g_mapped_file_new (bundle->index_path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  contents = g_mapped_file_get_bytes (mapped);
  table = tsm_sstable_new (contents, bundle->index_path, error);
  if (table == NULL || !tsm_sstable_foreach (table, open_entry, &state, error))
    return NULL;
  if (!state.have_header)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name */
                   _("“%s” has no bundle header: the table is empty"), bundle->index_path);
      return NULL;
    }
  return g_steal_pointer (&bundle);
}

void
tsm_bundle_free (TsmBundle *bundle)
{
  if (bundle == NULL)
    return;
  /* first: its workers read the shards */
  g_clear_pointer (&bundle->checks, tsm_crc_queue_free);
  g_free (bundle->prefix);
  g_free (bundle->index_path);
  g_clear_pointer (&bundle->entries, g_array_unref);
  g_clear_pointer (&bundle->shards, g_hash_table_unref);
  g_mutex_clear (&bundle->lock);
  g_free (bundle);
}

const char *
tsm_bundle_get_prefix (TsmBundle *bundle)
{
  return bundle->prefix;
}

int
tsm_bundle_get_num_shards (TsmBundle *bundle)
{
  return bundle->header.num_shards;
}

gboolean
tsm_bundle_is_big_endian (TsmBundle *bundle)
{
  return bundle->header.big_endian;
}

const TsmBundleHeader *
tsm_bundle_get_header (TsmBundle *bundle)
{
  return &bundle->header;
}

guint
tsm_bundle_get_n_entries (TsmBundle *bundle)
{
  return bundle->entries->len;
}

const TsmEntry *
tsm_bundle_get_entry (TsmBundle *bundle,
                      guint      index)
{
  g_return_val_if_fail (index < bundle->entries->len, NULL);
  return &g_array_index (bundle->entries, TsmEntry, index);
}

static int
compare_key_entry (const void *key,
                   const void *entry)
{
  return strcmp (key, ((const TsmEntry *) entry)->key);
}

const TsmEntry *
tsm_bundle_lookup (TsmBundle   *bundle,
                   const char  *key,
                   GError     **error)
{
  const TsmEntry *entry = bsearch (key, bundle->entries->data, bundle->entries->len,
                                   sizeof (TsmEntry), compare_key_entry);

  if (entry == NULL)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                 /* Translators: a file name, then a tensor name */
                 _("“%s”: the tensor “%s” is not found in the checkpoint"),
                 bundle->index_path, key);
  return entry;
}

/* The mapped shard of @entry, mapped now if needed (reference owned by
 * the caller). */
static GBytes *
get_shard (TsmBundle       *bundle,
           const TsmEntry  *entry,
           GError         **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&bundle->lock);
  GBytes *shard = g_hash_table_lookup (bundle->shards, GINT_TO_POINTER (entry->shard_id));
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local = NULL;

  if (shard != NULL)
    return g_bytes_ref (shard);

  path = tsm_bundle_shard_path (bundle->prefix, entry->shard_id, bundle->header.num_shards);
  mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: a file name, then a tensor name */
                     _("The data file “%s” of the checkpoint is missing (needed by the tensor "
                       "“%s”)"),
                     path, entry->key);
      else
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: a tensor name, then an error message that names the file */
                     _("Cannot read the data file of the tensor “%s”: %s"),
                     entry->key, local->message);
      return NULL;
    }
  shard = strata_mapped_bytes_new (mapped);
  g_hash_table_insert (bundle->shards, GINT_TO_POINTER (entry->shard_id), shard);
  return g_bytes_ref (shard);
}

/* The shard of @entry and its bytes, checked to lie within the file. */
static GBytes *
get_extent (TsmBundle       *bundle,
            const TsmEntry  *entry,
            const guint8   **data,
            GError         **error)
{
  g_autoptr(GBytes) shard = get_shard (bundle, entry, error);
  gsize length;
  const guint8 *base;

  if (shard == NULL)
    return NULL;
  base = g_bytes_get_data (shard, &length);
  if (entry->offset > length || entry->size > length - entry->offset)
    {
      g_autofree char *path = tsm_bundle_shard_path (bundle->prefix, entry->shard_id,
                                                     bundle->header.num_shards);

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a tensor name, a file name, two byte offsets, then the
                    * size of the file in bytes */
                   _("The tensor “%s” lies beyond the end of “%s” (bytes %" PRIu64 " to "
                     "%" PRIu64 " of %" PRIu64 ")"),
                   entry->key, path, entry->offset, entry->offset + entry->size, (guint64) length);
      return NULL;
    }
  *data = entry->size > 0 ? base + entry->offset : NULL;
  return g_steal_pointer (&shard);
}

static gboolean
check_crc (TsmBundle       *bundle,
           const TsmEntry  *entry,
           guint32          actual,
           GError         **error)
{
  g_autofree char *path = NULL;

  if (tsm_crc32c_matches (entry->masked_crc, actual))
    return TRUE;
  path = tsm_bundle_shard_path (bundle->prefix, entry->shard_id, bundle->header.num_shards);
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: a tensor name, a file name, then two hexadecimal checksums */
               _("Checksum mismatch in the tensor “%s” of “%s” (stored %08x, computed %08x)"),
               entry->key, path, tsm_crc32c_unmask (entry->masked_crc), actual);
  return FALSE;
}

void
tsm_bundle_defer_checks (TsmBundle *bundle)
{
  g_return_if_fail (bundle->checks == NULL);
  /* the caller's thread computes its share in tsm_bundle_finish_checks() */
  bundle->checks = tsm_crc_queue_new (CLAMP (g_get_num_processors (), 2, 4) - 1);
}

static gboolean
check_queued (gconstpointer   tag,
              guint32         crc,
              gpointer        user_data,
              GError        **error)
{
  return check_crc (user_data, tag, crc, error);
}

gboolean
tsm_bundle_finish_checks (TsmBundle  *bundle,
                          GError    **error)
{
  g_autoptr(TsmCrcQueue) checks = g_steal_pointer (&bundle->checks);

  return checks == NULL || tsm_crc_queue_finish (checks, check_queued, bundle, error);
}

static gboolean
check_readable (TsmBundle       *bundle,
                const TsmEntry  *entry,
                gboolean         strings,
                GError         **error)
{
  if (entry->n_slices > 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a file name, a tensor name, then a number */
                   _("“%s”: the tensor “%s” is a partitioned variable stored in %u slices, "
                     "which Strata does not read"),
                   bundle->index_path, entry->key, entry->n_slices);
      return FALSE;
    }
  if (strings ? entry->dtype != TSM_DT_STRING
              : tsm_dtype_to_strata (entry->dtype) == STRATA_DTYPE_INVALID)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a file name, a tensor name, then a data type such as DT_FLOAT */
                   _("“%s”: the tensor “%s” has the dtype %s, which is not read this way"),
                   bundle->index_path, entry->key, tsm_dtype_name (entry->dtype));
      return FALSE;
    }
  return TRUE;
}

static void
swap_elements (guint8 *data,
               gsize   size,
               int     element_size)
{
  for (gsize i = 0; i + (gsize) element_size <= size; i += (gsize) element_size)
    for (int a = 0, b = element_size - 1; a < b; a++, b--)
      {
        guint8 t = data[i + a];

        data[i + a] = data[i + b];
        data[i + b] = t;
      }
}

GBytes *
tsm_bundle_read_tensor (TsmBundle       *bundle,
                        const TsmEntry  *entry,
                        GError         **error)
{
  g_autoptr(GBytes) shard = NULL;
  const guint8 *data = NULL;
  int element_size = tsm_dtype_element_size (entry->dtype);
  guint8 *copy;

  if (!check_readable (bundle, entry, FALSE, error))
    return NULL;
  shard = get_extent (bundle, entry, &data, error);
  if (shard == NULL)
    return NULL;
  /* the mapping lives as long as the bundle, which waits for the queue */
  if (bundle->checks != NULL)
    tsm_crc_queue_push (bundle->checks, data, entry->size, entry);
  else if (!check_crc (bundle, entry, tsm_crc32c (data, entry->size), error))
    return NULL;

  if ((!bundle->header.big_endian || element_size == 1) &&
      (uintptr_t) data % (uintptr_t) element_size == 0)
    return g_bytes_new_from_bytes (shard, entry->offset, entry->size);

  copy = g_memdup2 (data, entry->size);
  if (bundle->header.big_endian)
    swap_elements (copy, entry->size, element_size);
  return g_bytes_new_take (copy, entry->size);
}

/* One string length into the CRC, as TF checksums it: as a 32-bit value
 * when it fits, else 64-bit, in the bundle's byte order. */
static guint32
extend_length (guint32  crc,
               guint64  length,
               gboolean big_endian)
{
  if (length <= G_MAXUINT32)
    {
      guint32 v = big_endian ? GUINT32_TO_BE ((guint32) length) : GUINT32_TO_LE ((guint32) length);

      return tsm_crc32c_extend (crc, &v, sizeof v);
    }
  else
    {
      guint64 v = big_endian ? GUINT64_TO_BE (length) : GUINT64_TO_LE (length);

      return tsm_crc32c_extend (crc, &v, sizeof v);
    }
}

static void
set_string_error (TsmBundle       *bundle,
                  const TsmEntry  *entry,
                  const char      *detail,
                  GError         **error)
{
  g_autofree char *path = tsm_bundle_shard_path (bundle->prefix, entry->shard_id,
                                                 bundle->header.num_shards);

  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: a tensor name, a file name, then what is wrong */
               _("The string tensor “%s” in “%s” is damaged: %s"), entry->key, path, detail);
}

GPtrArray *
tsm_bundle_read_strings (TsmBundle       *bundle,
                         const TsmEntry  *entry,
                         GError         **error)
{
  g_autoptr(GBytes) shard = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  const guint8 *data = NULL, *p, *end, *bytes;
  guint64 n = 1, total = 0;
  guint32 crc = 0, stored;

  if (!check_readable (bundle, entry, TRUE, error))
    return NULL;
  shard = get_extent (bundle, entry, &data, error);
  if (shard == NULL)
    return NULL;
  for (guint i = 0; i < entry->rank; i++)
    n *= (guint64) entry->dims[i];   /* checked at open: <= size */
  if (n > G_MAXUINT)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a file name, a tensor name, then a number */
                   _("“%s”: the string tensor “%s” has %" PRIu64 " elements, more than Strata "
                     "holds in one list"),
                   bundle->index_path, entry->key, n);
      return NULL;
    }
  strings = g_ptr_array_new_full ((guint) n, (GDestroyNotify) g_bytes_unref);
  if (entry->size == 0)
    return check_crc (bundle, entry, 0, error) ? g_steal_pointer (&strings) : NULL;

  /* varint64 lengths, then the masked CRC of the lengths, then the bytes. */
  p = data;
  end = data + entry->size;
  for (guint64 i = 0; i < n; i++)
    {
      guint64 length;

      if (!tsm_get_varint64 (&p, end, &length))
        {
          set_string_error (bundle, entry, _("a string length is not a valid varint"), error);
          return NULL;
        }
      if (length > entry->size - total)
        {
          set_string_error (bundle, entry, _("the string lengths exceed its size"), error);
          return NULL;
        }
      total += length;
      crc = extend_length (crc, length, bundle->header.big_endian);
    }
  if (end - p < 4)
    {
      set_string_error (bundle, entry, _("the checksum of the string lengths is cut off"), error);
      return NULL;
    }
  stored = tsm_read_le32 (p);
  if (bundle->header.big_endian)
    stored = GUINT32_SWAP_LE_BE (stored);
  if (!tsm_crc32c_matches (stored, crc))
    {
      set_string_error (bundle, entry, _("the checksum of the string lengths does not match"),
                        error);
      return NULL;
    }
  crc = tsm_crc32c_extend (crc, p, 4);
  bytes = p + 4;
  if ((guint64) (end - bytes) != total)
    {
      set_string_error (bundle, entry, _("the string lengths do not add up to its size"), error);
      return NULL;
    }
  if (!check_crc (bundle, entry, tsm_crc32c_extend (crc, bytes, total), error))
    return NULL;

  /* Lengths again (known good), the strings as slices of the mapping. */
  p = data;
  for (guint64 i = 0; i < n; i++)
    {
      guint64 length = 0;

      tsm_get_varint64 (&p, end, &length);
      g_ptr_array_add (strings, g_bytes_new_from_bytes (shard, (gsize) (bytes - data) + entry->offset,
                                                        length));
      bytes += length;
    }
  return g_steal_pointer (&strings);
}
