/* tsm-sstable.h: the LevelDB-style table TensorFlow stores a bundle index
 * in (tf-savedmodel spec §3.2), read from memory and written to memory
 *
 *   file   := data_block* metaindex_block index_block footer(48 bytes)
 *   block  := contents type:u8 masked_crc32c:u32le
 *
 * Block types 0 (none) and 1 (Snappy) are read. The reader checks every
 * block's CRC, every bound of the prefix-compressed entries and restart
 * arrays, that keys increase strictly (memcmp order) across the whole
 * table and that each data block lies between its index separators, so
 * that lookup and full iteration agree.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSM_SSTABLE_FOOTER_SIZE   48
#define TSM_SSTABLE_TRAILER_SIZE  5
#define TSM_SSTABLE_MAGIC         G_GUINT64_CONSTANT (0xdb4775248b80fb57)
/* TF's table::Options::block_size (LevelDB's is 4096). */
#define TSM_SSTABLE_BLOCK_SIZE    262144
/* The largest block the reader decompresses (LIMIT error above it). */
#define TSM_SSTABLE_MAX_BLOCK     (64u << 20)

typedef enum {
  TSM_SSTABLE_NO_COMPRESSION     = 0,
  TSM_SSTABLE_SNAPPY_COMPRESSION = 1,
} TsmSSTableCompression;

typedef struct {
  guint64 offset;
  guint64 size;      /* without the 5-byte trailer */
} TsmBlockHandle;

typedef struct {
  const guint8 *key;
  gsize         key_len;
  const guint8 *value;
  gsize         value_len;
  guint         block;    /* index of the data block holding the entry */
} TsmSSTableEntry;

/* Return FALSE (and set @error) to stop the iteration with that error. */
typedef gboolean (*TsmSSTableFunc) (const TsmSSTableEntry  *entry,
                                    gpointer                user_data,
                                    GError                **error);

typedef struct _TsmSSTable TsmSSTable;

/* Reads the footer and the index block of @contents (the whole file, kept
 * referenced); @filename names the file in errors. The metaindex block's
 * CRC and framing are checked too (its contents are ignored, as TF does). */
TsmSSTable  *tsm_sstable_new          (GBytes          *contents,
                                       const char      *filename,
                                       GError         **error);
void         tsm_sstable_free         (TsmSSTable      *table);

/* Every entry in key order. */
gboolean     tsm_sstable_foreach      (TsmSSTable      *table,
                                       TsmSSTableFunc   func,
                                       gpointer         user_data,
                                       GError         **error);

/* Binary search in the index, then over the data block's restart points.
 * TRUE with *@value NULL when the table has no @key; FALSE on damage. */
gboolean     tsm_sstable_lookup       (TsmSSTable      *table,
                                       const guint8    *key,
                                       gsize            key_len,
                                       GBytes         **value,
                                       GError         **error);

/* The layout, for inspection and tests. */
TsmBlockHandle tsm_sstable_get_metaindex_handle (TsmSSTable *table);
TsmBlockHandle tsm_sstable_get_index_handle     (TsmSSTable *table);
guint          tsm_sstable_get_n_blocks         (TsmSSTable *table);
TsmBlockHandle tsm_sstable_get_block_handle     (TsmSSTable *table,
                                                 guint       block);
/* The index key of data block @block: >= its keys, < the next block's. */
const guint8  *tsm_sstable_get_separator        (TsmSSTable *table,
                                                 guint       block,
                                                 gsize      *len);

/* A printable, length-bounded form of a key for messages. */
char        *tsm_sstable_printable_key (const guint8   *key,
                                        gsize           len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmSSTable, tsm_sstable_free)

/* Writer: TF's TableBuilder, byte for byte (tf-savedmodel spec §3.8).
 * Keys must be added in strictly increasing memcmp order. With Snappy a
 * block is stored compressed only when that saves at least 1/8, as TF
 * does. */
typedef struct _TsmSSTableWriter TsmSSTableWriter;

TsmSSTableWriter *tsm_sstable_writer_new    (TsmSSTableCompression  compression,
                                             gsize                  block_size);
void              tsm_sstable_writer_add    (TsmSSTableWriter      *writer,
                                             const guint8          *key,
                                             gsize                  key_len,
                                             const guint8          *value,
                                             gsize                  value_len);
/* The whole file; the writer can then only be freed. */
GBytes           *tsm_sstable_writer_finish (TsmSSTableWriter      *writer);
void              tsm_sstable_writer_free   (TsmSSTableWriter      *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmSSTableWriter, tsm_sstable_writer_free)

G_END_DECLS
