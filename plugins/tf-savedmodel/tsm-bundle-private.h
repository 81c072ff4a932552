/* tsm-bundle-private.h: what the bundle reader, writer and tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "tsm-bundle.h"

G_BEGIN_DECLS

/* TensorFlow's largest DataType value (TF 2.21: DT_FLOAT4_E2M1FN). */
#define TSM_DT_LAST_KNOWN 33

typedef struct {
  int      num_shards;
  gboolean big_endian;
  int      producer;
  int      min_consumer;
} TsmBundleHeader;

/* Bytes per element of a fixed-size dtype; 0 for DT_STRING, DT_VARIANT
 * and DT_RESOURCE, whose size is not a product; -1 for values TensorFlow
 * does not define. */
int       tsm_dtype_element_size (int                     tf_dtype);

char     *tsm_bundle_index_path  (const char             *prefix);
char     *tsm_bundle_shard_path  (const char             *prefix,
                                  int                     shard_id,
                                  int                     num_shards);

/* The header entry (key ""): decoded and checked as TensorFlow does
 * (num_shards >= 1, endianness, CheckVersions for consumer 1). */
gboolean  tsm_header_decode      (const guint8           *value,
                                  gsize                   size,
                                  const char             *filename,
                                  TsmBundleHeader        *header,
                                  GError                **error);

/* A tensor entry, decoded and validated against @header (the key is the
 * caller's and is only used in messages). */
gboolean  tsm_entry_decode       (const guint8           *value,
                                  gsize                   size,
                                  const char             *filename,
                                  const char             *key,
                                  const TsmBundleHeader  *header,
                                  TsmEntry               *entry,
                                  GError                **error);

/* The index file of @entries (sorted by key, unique, none empty) with
 * TF's exact bytes. Nothing is validated: tests build damaged indexes
 * with it. */
GBytes   *tsm_bundle_build_index (const TsmBundleHeader  *header,
                                  const TsmEntry         *entries,
                                  guint                   n_entries);

const TsmBundleHeader *tsm_bundle_get_header (TsmBundle *bundle);

/* Numeric dims as "[2, 3]" for messages. */
char     *tsm_dims_to_string     (guint                   rank,
                                  const gint64           *dims);

G_END_DECLS
