/* tsm-sstable.c: reading TensorFlow's LevelDB-style tables from memory
 *
 * Nothing here trusts a length or offset of the file: every handle is
 * checked against the part of the file before the footer, every entry
 * against the entries of its block, and Snappy's declared length against
 * TSM_SSTABLE_MAX_BLOCK and what Snappy can encode before anything is
 * allocated for it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-sstable.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"

#include <inttypes.h>
#include <string.h>
#include <snappy-c.h>

#include "strata.h"
#include "strata-i18n-private.h"

/* Snappy's densest element is a 3-byte copy of 64 bytes. */
#define SNAPPY_MAX_RATIO 22

typedef struct {
  gsize          sep_offset;   /* in separators */
  gsize          sep_len;
  TsmBlockHandle handle;
} IndexEntry;

struct _TsmSSTable {
  GBytes         *contents;
  const guint8   *data;
  gsize           size;
  char           *filename;
  TsmBlockHandle  metaindex;
  TsmBlockHandle  index;
  GArray         *blocks;      /* IndexEntry, in key order */
  GByteArray     *separators;
  GMutex          cache_lock;
  guint           cached;      /* data block in cache, if any */
  GBytes         *cache;       /* its checked, decompressed contents */
};

/* A block's contents split into entries and restart array. */
typedef struct {
  GBytes       *bytes;
  const guint8 *data;
  gsize         entries_end;
  guint32       n_restarts;
  const guint8 *restarts;
  guint64       offset;        /* in the file, for messages */
} Block;

/* Walks the entries of a block from a restart point. */
typedef struct {
  const Block  *block;
  gsize         pos;
  guint32       next_restart;
  GByteArray   *key;
  const guint8 *value;
  gsize         value_len;
} BlockIter;

static int
compare_keys (const guint8 *a,
              gsize         a_len,
              const guint8 *b,
              gsize         b_len)
{
  int r = a_len && b_len ? memcmp (a, b, MIN (a_len, b_len)) : 0;

  if (r != 0)
    return r;
  return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

char *
tsm_sstable_printable_key (const guint8 *key,
                           gsize         len)
{
  const gsize max = 160;
  gsize n = MIN (len, max);
  const char *valid_end = NULL;
  gboolean utf8;
  GString *s;

  if (len == 0)
    return g_strdup ("");
  utf8 = g_utf8_validate ((const char *) key, (gssize) n, &valid_end);
  s = g_string_sized_new (n + 8);

  /* A character cut by the length bound is dropped, not escaped. */
  if (!utf8 && len > max && (const guint8 *) valid_end + 4 > key + n)
    {
      n = (gsize) ((const guint8 *) valid_end - key);
      utf8 = TRUE;
    }
  for (gsize i = 0; i < n; i++)
    {
      if (key[i] < 0x20 || key[i] == 0x7f || key[i] == '\\' || (!utf8 && key[i] >= 0x80))
        g_string_append_printf (s, "\\x%02x", key[i]);
      else
        g_string_append_c (s, (char) key[i]);
    }
  if (n < len)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

static void
set_block_error (TsmSSTable  *table,
                 guint64      offset,
                 const char  *detail,
                 GError     **error)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the first placeholder is a file name, the
                * second a byte offset in it, the third what is wrong */
               _("“%s”: the table block at offset %" PRIu64 " is damaged: %s"),
               table->filename, offset, detail);
}

static gboolean
get_handle (const guint8   **p,
            const guint8    *end,
            TsmBlockHandle  *handle)
{
  return tsm_get_varint64 (p, end, &handle->offset) &&
         tsm_get_varint64 (p, end, &handle->size);
}

/* The contents of the block at @handle: within the file, CRC checked,
 * decompressed. */
static GBytes *
read_block (TsmSSTable      *table,
            TsmBlockHandle   handle,
            GError         **error)
{
  gsize limit = table->size - TSM_SSTABLE_FOOTER_SIZE;
  const guint8 *contents;
  guint32 stored, actual;
  guint8 type;

  if (handle.offset > limit || handle.size > limit - handle.offset ||
      TSM_SSTABLE_TRAILER_SIZE > limit - handle.offset - handle.size)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then a byte offset and a size
                    * in bytes, then the size of the file without its footer */
                   _("“%s”: the table block at offset %" PRIu64 " (%" PRIu64 " bytes) "
                     "does not lie within the %" PRIu64 " bytes before the footer"),
                   table->filename, handle.offset, handle.size, (guint64) limit);
      return NULL;
    }
  contents = table->data + handle.offset;
  type = contents[handle.size];
  stored = tsm_read_le32 (contents + handle.size + 1);
  actual = tsm_crc32c (contents, handle.size + 1);
  if (!tsm_crc32c_matches (stored, actual))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then a byte offset */
                   _("“%s”: block checksum mismatch in the table block at offset %" PRIu64),
                   table->filename, handle.offset);
      return NULL;
    }

  if (type == TSM_SSTABLE_NO_COMPRESSION)
    return g_bytes_new_from_bytes (table->contents, handle.offset, handle.size);

  if (type == TSM_SSTABLE_SNAPPY_COMPRESSION)
    {
      size_t length = 0, written;
      g_autofree char *out = NULL;

      if (snappy_uncompressed_length ((const char *) contents, handle.size, &length) != SNAPPY_OK)
        {
          set_block_error (table, handle.offset, _("its Snappy header is damaged"), error);
          return NULL;
        }
      if (length > TSM_SSTABLE_MAX_BLOCK)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: a file name, a byte offset, then two sizes in bytes */
                       _("“%s”: the Snappy table block at offset %" PRIu64 " declares "
                         "%" PRIu64 " bytes uncompressed; Strata accepts at most %u"),
                       table->filename, handle.offset, (guint64) length, TSM_SSTABLE_MAX_BLOCK);
          return NULL;
        }
      if (length / SNAPPY_MAX_RATIO > handle.size)
        {
          set_block_error (table, handle.offset,
                           _("it declares more uncompressed bytes than Snappy can encode in it"),
                           error);
          return NULL;
        }
      out = g_malloc (MAX (length, 1));
      written = length;
      if (snappy_uncompress ((const char *) contents, handle.size, out, &written) != SNAPPY_OK ||
          written != length)
        {
          set_block_error (table, handle.offset, _("its Snappy data is damaged"), error);
          return NULL;
        }
      return g_bytes_new_take (g_steal_pointer (&out), length);
    }

  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: a file name, a byte offset, then a number */
               _("“%s”: the table block at offset %" PRIu64 " has the unknown compression "
                 "type %u (bad block type)"),
               table->filename, handle.offset, (guint) type);
  return NULL;
}

static gboolean
block_init (TsmSSTable  *table,
            Block       *block,
            GBytes      *bytes,
            guint64      offset,
            GError     **error)
{
  gsize size = g_bytes_get_size (bytes);
  guint32 prev = 0;

  block->bytes = bytes;
  block->data = g_bytes_get_data (bytes, NULL);
  block->offset = offset;
  if (size < 4)
    {
      set_block_error (table, offset, _("it is too small to hold its restart array"), error);
      return FALSE;
    }
  block->n_restarts = tsm_read_le32 (block->data + size - 4);
  if (block->n_restarts == 0 || block->n_restarts > (size - 4) / 4)
    {
      set_block_error (table, offset, _("its number of restart points is impossible"), error);
      return FALSE;
    }
  block->entries_end = size - 4 * ((gsize) block->n_restarts + 1);
  block->restarts = block->data + block->entries_end;
  for (guint32 i = 0; i < block->n_restarts; i++)
    {
      guint32 r = tsm_read_le32 (block->restarts + 4 * (gsize) i);

      if ((i == 0 && r != 0) || (i > 0 && r <= prev) ||
          (block->entries_end > 0 && r >= block->entries_end))
        {
          set_block_error (table, offset, _("its restart points are out of order or out of range"),
                           error);
          return FALSE;
        }
      prev = r;
    }
  if (block->entries_end == 0 && block->n_restarts != 1)
    {
      set_block_error (table, offset, _("its restart points are out of order or out of range"),
                       error);
      return FALSE;
    }
  return TRUE;
}

static void
block_iter_init (BlockIter   *it,
                 const Block *block,
                 guint32      restart)
{
  it->block = block;
  it->pos = tsm_read_le32 (block->restarts + 4 * (gsize) restart);
  it->next_restart = restart;
  it->key = g_byte_array_new ();
  it->value = NULL;
  it->value_len = 0;
}

static void
block_iter_clear (BlockIter *it)
{
  g_clear_pointer (&it->key, g_byte_array_unref);
}

static gboolean
block_iter_done (const BlockIter *it)
{
  return it->pos >= it->block->entries_end;
}

/* Decodes the entry at it->pos into it->key and it->value. */
static gboolean
block_iter_next (TsmSSTable  *table,
                 BlockIter   *it,
                 GError     **error)
{
  const Block *block = it->block;
  const guint8 *p = block->data + it->pos;
  const guint8 *end = block->data + block->entries_end;
  guint32 shared = 0, non_shared = 0, value_len = 0;
  g_autofree char *after = NULL;
  const char *detail = NULL;

  if (!tsm_get_varint32 (&p, end, &shared) ||
      !tsm_get_varint32 (&p, end, &non_shared) ||
      !tsm_get_varint32 (&p, end, &value_len))
    detail = _("bad varint in an entry header");
  else if (shared > it->key->len)
    detail = _("an entry shares more bytes than the previous key has");
  else if (non_shared > (gsize) (end - p) || value_len > (gsize) (end - p) - non_shared)
    detail = _("an entry runs past the end of the block's entries");
  else if (it->next_restart < block->n_restarts &&
           tsm_read_le32 (block->restarts + 4 * (gsize) it->next_restart) < it->pos)
    detail = _("a restart point is not at the start of an entry");
  else if (it->next_restart < block->n_restarts &&
           tsm_read_le32 (block->restarts + 4 * (gsize) it->next_restart) == it->pos &&
           shared != 0)
    detail = _("the entry at a restart point shares a prefix");

  if (detail != NULL)
    {
      if (it->key->len == 0)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a file name, a byte offset, an offset within
                        * the block, then what is wrong */
                       _("“%s”: the table block at offset %" PRIu64 " is damaged at byte "
                         "%" PRIu64 ": %s"),
                       table->filename, block->offset, (guint64) it->pos, detail);
          return FALSE;
        }
      after = tsm_sstable_printable_key (it->key->data, it->key->len);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a byte offset, an offset within the
                    * block, a key, then what is wrong */
                   _("“%s”: the table block at offset %" PRIu64 " is damaged at byte "
                     "%" PRIu64 " (after key “%s”): %s"),
                   table->filename, block->offset, (guint64) it->pos, after, detail);
      return FALSE;
    }

  if (it->next_restart < block->n_restarts &&
      tsm_read_le32 (block->restarts + 4 * (gsize) it->next_restart) == it->pos)
    it->next_restart++;
  g_byte_array_set_size (it->key, shared);
  g_byte_array_append (it->key, p, non_shared);
  it->value = p + non_shared;
  it->value_len = value_len;
  it->pos = (gsize) (p + non_shared + value_len - block->data);
  return TRUE;
}

/* Decodes every entry of @block in order and calls @func on each; then
 * checks every restart point was the start of an entry. */
typedef gboolean (*EntryFunc) (TsmSSTable       *table,
                               const BlockIter  *it,
                               gpointer          user_data,
                               GError          **error);

static gboolean
walk_block (TsmSSTable  *table,
            const Block *block,
            EntryFunc    func,
            gpointer     user_data,
            GError     **error)
{
  BlockIter it;
  gboolean ok = TRUE;

  block_iter_init (&it, block, 0);
  while (ok && !block_iter_done (&it))
    ok = block_iter_next (table, &it, error) && func (table, &it, user_data, error);
  if (ok && block->entries_end > 0 && it.next_restart != block->n_restarts)
    {
      set_block_error (table, block->offset,
                       _("a restart point is not at the start of an entry"), error);
      ok = FALSE;
    }
  block_iter_clear (&it);
  return ok;
}

static gboolean
check_order (TsmSSTable    *table,
             const guint8  *prev,
             gsize          prev_len,
             const guint8  *key,
             gsize          key_len,
             GError       **error)
{
  g_autofree char *a = NULL, *b = NULL;

  if (compare_keys (prev, prev_len, key, key_len) < 0)
    return TRUE;
  a = tsm_sstable_printable_key (key, key_len);
  b = tsm_sstable_printable_key (prev, prev_len);
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: a file name, then two keys */
               _("“%s”: the key “%s” does not sort after “%s” (keys must increase strictly)"),
               table->filename, a, b);
  return FALSE;
}

static const guint8 *
separator (TsmSSTable *table,
           guint       i,
           gsize      *len)
{
  const IndexEntry *e = &g_array_index (table->blocks, IndexEntry, i);

  *len = e->sep_len;
  return table->separators->data + e->sep_offset;
}

/* One entry of the index block: a separator above the last one and the
 * handle of its data block. */
static gboolean
add_index_entry (TsmSSTable       *table,
                 const BlockIter  *it,
                 gpointer          user_data,
                 GError          **error)
{
  IndexEntry e;
  const guint8 *p = it->value;

  if (table->blocks->len > 0)
    {
      gsize prev_len;
      const guint8 *prev = separator (table, table->blocks->len - 1, &prev_len);

      if (!check_order (table, prev, prev_len, it->key->data, it->key->len, error))
        return FALSE;
    }
  if (!get_handle (&p, it->value + it->value_len, &e.handle))
    {
      g_autofree char *key = tsm_sstable_printable_key (it->key->data, it->key->len);

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then a key */
                   _("“%s”: the index entry “%s” holds no valid block handle"),
                   table->filename, key);
      return FALSE;
    }
  e.sep_offset = table->separators->len;
  e.sep_len = it->key->len;
  g_byte_array_append (table->separators, it->key->data, it->key->len);
  g_array_append_val (table->blocks, e);
  return TRUE;
}

static gboolean
read_index (TsmSSTable  *table,
            GError     **error)
{
  g_autoptr(GBytes) bytes = read_block (table, table->index, error);
  Block block;

  return bytes != NULL && block_init (table, &block, bytes, table->index.offset, error) &&
         walk_block (table, &block, add_index_entry, NULL, error);
}

TsmSSTable *
tsm_sstable_new (GBytes      *contents,
                 const char  *filename,
                 GError     **error)
{
  g_autoptr(TsmSSTable) table = g_new0 (TsmSSTable, 1);
  g_autoptr(GBytes) meta = NULL;
  const guint8 *footer, *p;
  Block meta_block;

  table->contents = g_bytes_ref (contents);
  table->data = g_bytes_get_data (contents, &table->size);
  table->filename = g_strdup (filename);
  table->blocks = g_array_new (FALSE, FALSE, sizeof (IndexEntry));
  table->separators = g_byte_array_new ();
  g_mutex_init (&table->cache_lock);

  if (table->size < TSM_SSTABLE_FOOTER_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then its size in bytes */
                   _("“%s” is too short to be a TensorFlow table (%" PRIu64
                     " bytes; the footer alone takes 48)"),
                   filename, (guint64) table->size);
      return NULL;
    }
  footer = table->data + table->size - TSM_SSTABLE_FOOTER_SIZE;
  if (tsm_read_le64 (footer + 40) != TSM_SSTABLE_MAGIC)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name */
                   _("“%s” is not a TensorFlow table (bad magic number)"), filename);
      return NULL;
    }
  p = footer;
  if (!get_handle (&p, footer + 40, &table->metaindex) ||
      !get_handle (&p, footer + 40, &table->index))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name */
                   _("“%s”: the table footer holds no valid block handles"), filename);
      return NULL;
    }

  meta = read_block (table, table->metaindex, error);
  if (meta == NULL || !block_init (table, &meta_block, meta, table->metaindex.offset, error))
    return NULL;
  if (!read_index (table, error))
    return NULL;
  return g_steal_pointer (&table);
}

void
tsm_sstable_free (TsmSSTable *table)
{
  if (table == NULL)
    return;
  g_bytes_unref (table->contents);
  g_free (table->filename);
  g_array_unref (table->blocks);
  g_byte_array_unref (table->separators);
  g_clear_pointer (&table->cache, g_bytes_unref);
  g_mutex_clear (&table->cache_lock);
  g_free (table);
}

typedef struct {
  guint           block;
  GByteArray     *prev_key;   /* the last key of the table seen */
  gboolean        have_prev;
  TsmSSTableFunc  func;
  gpointer        user_data;
} ForeachState;

/* One entry of data block state->block: above the previous key and within
 * (separator block - 1, separator block]. */
static gboolean
foreach_entry (TsmSSTable       *table,
               const BlockIter  *it,
               gpointer          user_data,
               GError          **error)
{
  ForeachState *state = user_data;
  const IndexEntry *e = &g_array_index (table->blocks, IndexEntry, state->block);
  gsize sep_len, low_len = 0;
  const guint8 *sep = separator (table, state->block, &sep_len);
  const guint8 *low = state->block > 0 ? separator (table, state->block - 1, &low_len) : NULL;
  TsmSSTableEntry entry;

  if (state->have_prev && !check_order (table, state->prev_key->data, state->prev_key->len,
                                        it->key->data, it->key->len, error))
    return FALSE;
  if ((low != NULL && compare_keys (it->key->data, it->key->len, low, low_len) <= 0) ||
      compare_keys (it->key->data, it->key->len, sep, sep_len) > 0)
    {
      g_autofree char *key = tsm_sstable_printable_key (it->key->data, it->key->len);

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a key, then a byte offset */
                   _("“%s”: the key “%s” of the table block at offset %" PRIu64
                     " lies outside the range the index gives that block"),
                   table->filename, key, e->handle.offset);
      return FALSE;
    }
  g_byte_array_set_size (state->prev_key, 0);
  g_byte_array_append (state->prev_key, it->key->data, it->key->len);
  state->have_prev = TRUE;

  entry.key = it->key->data;
  entry.key_len = it->key->len;
  entry.value = it->value;
  entry.value_len = it->value_len;
  entry.block = state->block;
  return state->func (&entry, state->user_data, error);
}

gboolean
tsm_sstable_foreach (TsmSSTable      *table,
                     TsmSSTableFunc   func,
                     gpointer         user_data,
                     GError         **error)
{
  g_autoptr(GByteArray) prev_key = g_byte_array_new ();
  ForeachState state = { 0, prev_key, FALSE, func, user_data };

  for (state.block = 0; state.block < table->blocks->len; state.block++)
    {
      const IndexEntry *e = &g_array_index (table->blocks, IndexEntry, state.block);
      g_autoptr(GBytes) bytes = read_block (table, e->handle, error);
      Block block;

      if (bytes == NULL || !block_init (table, &block, bytes, e->handle.offset, error) ||
          !walk_block (table, &block, foreach_entry, &state, error))
        return FALSE;
    }
  return TRUE;
}

/* The key at restart point @r, which must not share a prefix. */
static gboolean
restart_key (TsmSSTable    *table,
             const Block   *block,
             guint32        r,
             const guint8 **key,
             gsize         *key_len,
             GError       **error)
{
  gsize pos = tsm_read_le32 (block->restarts + 4 * (gsize) r);
  const guint8 *p = block->data + pos;
  const guint8 *end = block->data + block->entries_end;
  guint32 shared = 0, non_shared = 0, value_len = 0;

  if (!tsm_get_varint32 (&p, end, &shared) ||
      !tsm_get_varint32 (&p, end, &non_shared) ||
      !tsm_get_varint32 (&p, end, &value_len) ||
      shared != 0 || non_shared > (gsize) (end - p) ||
      value_len > (gsize) (end - p) - non_shared)
    {
      set_block_error (table, block->offset, _("the entry at a restart point is damaged"), error);
      return FALSE;
    }
  *key = p;
  *key_len = non_shared;
  return TRUE;
}

/* Data block @i for lookups: the last one read is kept, since lookups in
 * key order mostly hit the same block. */
static GBytes *
read_data_block (TsmSSTable  *table,
                 guint        i,
                 GError     **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&table->cache_lock);
  GBytes *bytes;

  if (table->cache != NULL && table->cached == i)
    return g_bytes_ref (table->cache);
  bytes = read_block (table, g_array_index (table->blocks, IndexEntry, i).handle, error);
  if (bytes != NULL)
    {
      g_clear_pointer (&table->cache, g_bytes_unref);
      table->cache = g_bytes_ref (bytes);
      table->cached = i;
    }
  return bytes;
}

gboolean
tsm_sstable_lookup (TsmSSTable    *table,
                    const guint8  *key,
                    gsize          key_len,
                    GBytes       **value,
                    GError       **error)
{
  guint lo = 0, hi = table->blocks->len;
  const IndexEntry *e;
  g_autoptr(GBytes) bytes = NULL;
  Block block;
  BlockIter it;
  guint32 left, right;
  gboolean ok = TRUE;

  *value = NULL;
  /* First block whose separator is >= key. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gsize sep_len;
      const guint8 *sep = separator (table, mid, &sep_len);

      if (compare_keys (sep, sep_len, key, key_len) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == table->blocks->len)
    return TRUE;

  e = &g_array_index (table->blocks, IndexEntry, lo);
  bytes = read_data_block (table, lo, error);
  if (bytes == NULL || !block_init (table, &block, bytes, e->handle.offset, error))
    return FALSE;
  if (block.entries_end == 0)
    return TRUE;

  /* Last restart point whose key is < key (or the first one). */
  left = 0;
  right = block.n_restarts - 1;
  while (left < right)
    {
      guint32 mid = left + (right - left + 1) / 2;
      const guint8 *mid_key;
      gsize mid_len;

      if (!restart_key (table, &block, mid, &mid_key, &mid_len, error))
        return FALSE;
      if (compare_keys (mid_key, mid_len, key, key_len) < 0)
        left = mid;
      else
        right = mid - 1;
    }

  block_iter_init (&it, &block, left);
  while (!block_iter_done (&it))
    {
      int c;

      if (!block_iter_next (table, &it, error))
        {
          ok = FALSE;
          break;
        }
      c = compare_keys (it.key->data, it.key->len, key, key_len);
      if (c == 0)
        *value = g_bytes_new_from_bytes (bytes, (gsize) (it.value - block.data), it.value_len);
      if (c >= 0)
        break;
    }
  block_iter_clear (&it);
  return ok;
}

TsmBlockHandle
tsm_sstable_get_metaindex_handle (TsmSSTable *table)
{
  return table->metaindex;
}

TsmBlockHandle
tsm_sstable_get_index_handle (TsmSSTable *table)
{
  return table->index;
}

guint
tsm_sstable_get_n_blocks (TsmSSTable *table)
{
  return table->blocks->len;
}

TsmBlockHandle
tsm_sstable_get_block_handle (TsmSSTable *table,
                              guint       block)
{
  g_return_val_if_fail (block < table->blocks->len, (TsmBlockHandle) { 0 });
  return g_array_index (table->blocks, IndexEntry, block).handle;
}

const guint8 *
tsm_sstable_get_separator (TsmSSTable *table,
                           guint       block,
                           gsize      *len)
{
  g_return_val_if_fail (block < table->blocks->len, NULL);
  return separator (table, block, len);
}
