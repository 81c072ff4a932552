/* tsm-bundle.h: TensorFlow TensorBundle (checkpoint) reading and writing,
 * plain C + GLib, no GObject
 *
 * A bundle is `PREFIX.index` (an SSTable mapping tensor names to
 * BundleEntryProto, with the BundleHeaderProto under the empty key) and
 * `PREFIX.data-NNNNN-of-MMMMM` shards holding the tensor bytes. For a
 * SavedModel the prefix is `DIR/variables/variables`; for
 * `model.save_weights("ckpt")` it is `ckpt`.
 *
 * Every error is STRATA_FORMAT_ERROR_* and names the file and, where there
 * is one, the key. Nothing is allocated beyond what the files can hold.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "strata.h"

G_BEGIN_DECLS

#define TSM_MAX_RANK 32

/* TensorFlow's DataType enum values (types.proto) that Strata handles. */
typedef enum {
  TSM_DT_INVALID  = 0,
  TSM_DT_FLOAT    = 1,
  TSM_DT_DOUBLE   = 2,
  TSM_DT_INT32    = 3,
  TSM_DT_UINT8    = 4,
  TSM_DT_INT16    = 5,
  TSM_DT_INT8     = 6,
  TSM_DT_STRING   = 7,
  TSM_DT_INT64    = 9,
  TSM_DT_BOOL     = 10,
  TSM_DT_BFLOAT16 = 14,
  TSM_DT_UINT16   = 17,
  TSM_DT_HALF     = 19,
  TSM_DT_UINT32   = 22,
  TSM_DT_UINT64   = 23,
} TsmDataType;

/* StrataDType <-> TF DataType; STRATA_DTYPE_INVALID / TSM_DT_INVALID when
 * there is no counterpart (strings have no StrataDType). */
StrataDType  tsm_dtype_to_strata   (int          tf_dtype);
int          tsm_dtype_from_strata (StrataDType  dtype);
const char  *tsm_dtype_name        (int          tf_dtype);  /* "DT_FLOAT", or "DT_<n>" */

/* One entry of the index, decoded and validated (shape dims >= 0, size
 * consistent with dtype and shape, shard id below num_shards). */
typedef struct {
  char    *key;
  int      dtype;        /* TsmDataType value as stored */
  guint    rank;
  gint64   dims[TSM_MAX_RANK];
  int      shard_id;
  guint64  offset;
  guint64  size;
  guint32  masked_crc;   /* as stored */
  guint    n_slices;     /* > 0: a partitioned variable, whose slices are
                          * stored under other keys; reading it is
                          * STRATA_FORMAT_ERROR_UNSUPPORTED */
} TsmEntry;

typedef struct _TsmBundle TsmBundle;

/* Opens PREFIX.index, checks the footer, every block's CRC (and decodes
 * Snappy blocks), the header entry (num_shards, endianness, version) and
 * every entry; maps the shards lazily. A missing or unreadable index is a
 * G_FILE_ERROR (G_FILE_ERROR_NOENT when it does not exist). Keys holding a
 * NUL byte (the slices of partitioned variables) are not listed. */
TsmBundle      *tsm_bundle_open          (const char      *prefix,
                                          GError         **error);
void            tsm_bundle_free          (TsmBundle       *bundle);
const char     *tsm_bundle_get_prefix    (TsmBundle       *bundle);
int             tsm_bundle_get_num_shards(TsmBundle       *bundle);
gboolean        tsm_bundle_is_big_endian (TsmBundle       *bundle);

/* Entries in key order (the header entry excluded). */
guint           tsm_bundle_get_n_entries (TsmBundle       *bundle);
const TsmEntry *tsm_bundle_get_entry     (TsmBundle       *bundle,
                                          guint            index);
/* Lookup by key (binary search); NULL with STRATA_FORMAT_ERROR_CORRUPT
 * "not found" naming the key when absent. */
const TsmEntry *tsm_bundle_lookup        (TsmBundle       *bundle,
                                          const char      *key,
                                          GError         **error);

/* The bytes of a numeric or bool tensor, little-endian, C order, CRC
 * checked. A slice of the shard's mapping when the data is aligned for its
 * element type and needs no byte swap, else a new buffer. */
GBytes         *tsm_bundle_read_tensor   (TsmBundle       *bundle,
                                          const TsmEntry  *entry,
                                          GError         **error);
/* From now on tsm_bundle_read_tensor() hands out tensors before their
 * CRC is compared: worker threads compute the CRCs meanwhile. Until tsm_bundle_finish_checks() returns TRUE, none of
 * those tensors may be trusted. */
void            tsm_bundle_defer_checks  (TsmBundle       *bundle);
/* Compares the CRCs of the tensors read since tsm_bundle_defer_checks(),
 * computing those still left, and reads with immediate checks again. The
 * error names the first tensor read whose CRC does not match. */
gboolean        tsm_bundle_finish_checks (TsmBundle       *bundle,
                                          GError         **error);
/* The elements of a DT_STRING tensor, CRC checked. */
GPtrArray      *tsm_bundle_read_strings  (TsmBundle       *bundle,
                                          const TsmEntry  *entry,
                                          GError         **error);  /* (element-type GBytes) */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmBundle, tsm_bundle_free)

/* Writing: one shard, TF's exact byte layout (tf-savedmodel spec §3.8). The
 * caller makes the save atomic and flushes it to disk; the writer only
 * writes the two files. Tensors are streamed to the data file in the order
 * they are added; the index is written by finish. */
typedef struct _TsmBundleWriter TsmBundleWriter;

TsmBundleWriter *tsm_bundle_writer_new         (const char      *prefix,
                                                GError         **error);
/* The same, writing the data shard and the index to the given paths (an
 * atomic save's temporaries); the files must exist or be creatable, and
 * are neither flushed to disk nor removed on failure. */
TsmBundleWriter *tsm_bundle_writer_new_for_files (const char    *data_path,
                                                  const char    *index_path,
                                                  GError       **error);
/* A numeric or bool tensor: @data is little-endian, C order, and @size is
 * product(@dims) times the element size. */
gboolean         tsm_bundle_writer_add_tensor  (TsmBundleWriter *writer,
                                                const char      *key,
                                                int              tf_dtype,
                                                guint            rank,
                                                const gint64    *dims,
                                                const void      *data,
                                                gsize            size,
                                                GError         **error);
gboolean         tsm_bundle_writer_add_string  (TsmBundleWriter *writer,
                                                const char      *key,
                                                const void      *data,
                                                gsize            size,
                                                GError         **error);  /* a DT_STRING scalar */
/* A DT_STRING tensor of any shape: @elements holds product(@dims) strings
 * in C order. */
gboolean         tsm_bundle_writer_add_strings (TsmBundleWriter *writer,
                                                const char      *key,
                                                guint            rank,
                                                const gint64    *dims,
                                                GBytes * const  *elements,
                                                GError         **error);
gboolean         tsm_bundle_writer_finish      (TsmBundleWriter *writer,
                                                GError         **error);
void             tsm_bundle_writer_free        (TsmBundleWriter *writer);

/* Creates or truncates @path (which may be /proc/self/fd/N) and writes
 * @data to it, without flushing it to disk; a G_IO_ERROR names @path. */
gboolean         tsm_write_file                (const char      *path,
                                                const void      *data,
                                                gsize            size,
                                                GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmBundleWriter, tsm_bundle_writer_free)

G_END_DECLS
