/* tsm-sstable-writer.c: TensorFlow's TableBuilder and BlockBuilder, so that
 * a bundle index Strata writes is the file TensorFlow would write
 *
 * Data blocks restart prefix compression every 16 keys, the index block at
 * every key. A data block is cut once its size estimate reaches the block
 * size, and before an entry of at least twice the block size. Index keys
 * are the shortest separator between two blocks (the short successor after
 * the last one).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-sstable.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"

#include <string.h>
#include <snappy-c.h>

#define DATA_RESTART_INTERVAL  16
#define INDEX_RESTART_INTERVAL 1

typedef struct {
  GByteArray *buffer;
  GArray     *restarts;   /* guint32 */
  guint       counter;
  guint       interval;
  GByteArray *last_key;
} BlockBuilder;

struct _TsmSSTableWriter {
  TsmSSTableCompression compression;
  gsize                 block_size;
  GByteArray           *out;
  BlockBuilder          data;
  BlockBuilder          index;
  GByteArray           *last_key;
  guint64               n_entries;
  gboolean              pending_index_entry;
  TsmBlockHandle        pending_handle;
  gboolean              finished;
};

static void
block_reset (BlockBuilder *b)
{
  guint32 zero = 0;

  g_byte_array_set_size (b->buffer, 0);
  g_array_set_size (b->restarts, 0);
  g_array_append_val (b->restarts, zero);
  g_byte_array_set_size (b->last_key, 0);
  b->counter = 0;
}

static void
block_init (BlockBuilder *b,
            guint         interval)
{
  b->buffer = g_byte_array_new ();
  b->restarts = g_array_new (FALSE, FALSE, sizeof (guint32));
  b->last_key = g_byte_array_new ();
  b->interval = interval;
  block_reset (b);
}

static void
block_clear (BlockBuilder *b)
{
  g_clear_pointer (&b->buffer, g_byte_array_unref);
  g_clear_pointer (&b->restarts, g_array_unref);
  g_clear_pointer (&b->last_key, g_byte_array_unref);
}

static gsize
common_prefix (const guint8 *a,
               gsize         a_len,
               const guint8 *b,
               gsize         b_len)
{
  gsize n = 0, min = MIN (a_len, b_len);

  while (n < min && a[n] == b[n])
    n++;
  return n;
}

static void
block_add (BlockBuilder *b,
           const guint8 *key,
           gsize         key_len,
           const guint8 *value,
           gsize         value_len)
{
  gsize shared = 0;

  if (b->counter < b->interval)
    shared = common_prefix (b->last_key->data, b->last_key->len, key, key_len);
  else
    {
      guint32 offset = b->buffer->len;

      g_array_append_val (b->restarts, offset);
      b->counter = 0;
    }
  tsm_put_varint64 (b->buffer, shared);
  tsm_put_varint64 (b->buffer, key_len - shared);
  tsm_put_varint64 (b->buffer, value_len);
  /* empty keys and values may come as NULL: no pointer arithmetic on them */
  if (key_len > shared)
    g_byte_array_append (b->buffer, key + shared, (guint) (key_len - shared));
  if (value_len > 0)
    g_byte_array_append (b->buffer, value, (guint) value_len);
  g_byte_array_set_size (b->last_key, 0);
  if (key_len > 0)
    g_byte_array_append (b->last_key, key, (guint) key_len);
  b->counter++;
}

static gsize
block_size_estimate (const BlockBuilder *b)
{
  return b->buffer->len + 4 * (gsize) b->restarts->len + 4;
}

/* Appends the restart array; the contents are then in b->buffer. */
static void
block_finish (BlockBuilder *b)
{
  for (guint i = 0; i < b->restarts->len; i++)
    tsm_put_le32 (b->buffer, g_array_index (b->restarts, guint32, i));
  tsm_put_le32 (b->buffer, b->restarts->len);
}

static void
write_raw_block (TsmSSTableWriter *w,
                 const guint8     *contents,
                 gsize             size,
                 guint8            type,
                 TsmBlockHandle   *handle)
{
  guint8 trailer[TSM_SSTABLE_TRAILER_SIZE];
  guint32 crc;

  handle->offset = w->out->len;
  handle->size = size;
  g_byte_array_append (w->out, contents, (guint) size);
  trailer[0] = type;
  crc = tsm_crc32c_extend (tsm_crc32c (contents, size), trailer, 1);
  tsm_write_le32 (trailer + 1, tsm_crc32c_mask (crc));
  g_byte_array_append (w->out, trailer, sizeof trailer);
}

static void
write_block (TsmSSTableWriter *w,
             BlockBuilder     *b,
             TsmBlockHandle   *handle)
{
  const guint8 *raw;
  gsize raw_len;

  block_finish (b);
  raw = b->buffer->data;
  raw_len = b->buffer->len;

  if (w->compression == TSM_SSTABLE_SNAPPY_COMPRESSION)
    {
      size_t len = snappy_max_compressed_length (raw_len);
      g_autofree char *compressed = g_malloc (len);

      /* Kept only when it saves at least an eighth, as TF does. */
      if (snappy_compress ((const char *) raw, raw_len, compressed, &len) == SNAPPY_OK &&
          len < raw_len - raw_len / 8)
        {
          write_raw_block (w, (const guint8 *) compressed, len,
                           TSM_SSTABLE_SNAPPY_COMPRESSION, handle);
          block_reset (b);
          return;
        }
    }
  write_raw_block (w, raw, raw_len, TSM_SSTABLE_NO_COMPRESSION, handle);
  block_reset (b);
}

static void
flush (TsmSSTableWriter *w)
{
  if (w->data.buffer->len == 0)
    return;
  write_block (w, &w->data, &w->pending_handle);
  w->pending_index_entry = TRUE;
}

/* Shortens @start to a key k with start <= k < limit where possible. */
static void
shortest_separator (GByteArray   *start,
                    const guint8 *limit,
                    gsize         limit_len)
{
  gsize diff = common_prefix (start->data, start->len, limit, limit_len);

  if (diff >= MIN (start->len, limit_len))
    return;   /* one is a prefix of the other */
  if (start->data[diff] < 0xff && start->data[diff] + 1 < limit[diff])
    {
      start->data[diff]++;
      g_byte_array_set_size (start, (guint) diff + 1);
    }
}

/* Shortens @key to a key k >= key: the first byte below 0xff incremented. */
static void
short_successor (GByteArray *key)
{
  for (guint i = 0; i < key->len; i++)
    if (key->data[i] != 0xff)
      {
        key->data[i]++;
        g_byte_array_set_size (key, i + 1);
        return;
      }
}

static void
add_pending_index_entry (TsmSSTableWriter *w)
{
  g_autoptr(GByteArray) handle = g_byte_array_new ();

  tsm_put_varint64 (handle, w->pending_handle.offset);
  tsm_put_varint64 (handle, w->pending_handle.size);
  block_add (&w->index, w->last_key->data, w->last_key->len, handle->data, handle->len);
  w->pending_index_entry = FALSE;
}

TsmSSTableWriter *
tsm_sstable_writer_new (TsmSSTableCompression compression,
                        gsize                 block_size)
{
  TsmSSTableWriter *w = g_new0 (TsmSSTableWriter, 1);

  w->compression = compression;
  w->block_size = block_size;
  w->out = g_byte_array_new ();
  block_init (&w->data, DATA_RESTART_INTERVAL);
  block_init (&w->index, INDEX_RESTART_INTERVAL);
  w->last_key = g_byte_array_new ();
  return w;
}

void
tsm_sstable_writer_add (TsmSSTableWriter *w,
                        const guint8     *key,
                        gsize             key_len,
                        const guint8     *value,
                        gsize             value_len)
{
  g_return_if_fail (!w->finished);

  if (w->n_entries > 0)
    {
      gsize n = MIN (key_len, w->last_key->len);
      int c = n > 0 ? memcmp (w->last_key->data, key, n) : 0;

      g_return_if_fail (c < 0 || (c == 0 && w->last_key->len < key_len));
      if (key_len + value_len >= 2 * w->block_size)
        flush (w);
    }
  if (w->pending_index_entry)
    {
      shortest_separator (w->last_key, key, key_len);
      add_pending_index_entry (w);
    }
  g_byte_array_set_size (w->last_key, 0);
  g_byte_array_append (w->last_key, key, (guint) key_len);
  w->n_entries++;
  block_add (&w->data, key, key_len, value, value_len);
  if (block_size_estimate (&w->data) >= w->block_size)
    flush (w);
}

GBytes *
tsm_sstable_writer_finish (TsmSSTableWriter *w)
{
  BlockBuilder meta;
  TsmBlockHandle meta_handle, index_handle;
  guint8 footer[TSM_SSTABLE_FOOTER_SIZE] = { 0 };
  gsize n = 0;
  guint64 magic = GUINT64_TO_LE (TSM_SSTABLE_MAGIC);

  g_return_val_if_fail (!w->finished, NULL);
  w->finished = TRUE;

  flush (w);
  block_init (&meta, DATA_RESTART_INTERVAL);
  write_block (w, &meta, &meta_handle);
  block_clear (&meta);
  if (w->pending_index_entry)
    {
      short_successor (w->last_key);
      add_pending_index_entry (w);
    }
  write_block (w, &w->index, &index_handle);

  n += tsm_encode_varint64 (footer + n, meta_handle.offset);
  n += tsm_encode_varint64 (footer + n, meta_handle.size);
  n += tsm_encode_varint64 (footer + n, index_handle.offset);
  n += tsm_encode_varint64 (footer + n, index_handle.size);
  memcpy (footer + 40, &magic, sizeof magic);
  g_byte_array_append (w->out, footer, sizeof footer);
  return g_byte_array_free_to_bytes (g_steal_pointer (&w->out));
}

void
tsm_sstable_writer_free (TsmSSTableWriter *w)
{
  if (w == NULL)
    return;
  g_clear_pointer (&w->out, g_byte_array_unref);
  block_clear (&w->data);
  block_clear (&w->index);
  g_clear_pointer (&w->last_key, g_byte_array_unref);
  g_free (w);
}
