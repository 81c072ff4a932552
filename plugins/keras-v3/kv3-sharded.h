/* kv3-sharded.h: Keras 3 sharded weights (x.weights.json and its shards
 * x_00000.weights.h5, x_00001.weights.h5, …)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"
#include "kv3-weights.h"

G_BEGIN_DECLS

/* TRUE when @path names a sharded weights index (it ends in .weights.json,
 * as Keras requires). */
gboolean  kv3_sharded_is_index_name (const char     *path);

/* How sure we are that @head, the start of a file named like an index, is
 * one. */
int       kv3_sharded_probe         (const guint8   *head,
                                     gsize           length);

/* Reads and checks the index at @path and its shards: the files to read
 * the weights from, or NULL with @error when the index is not valid, names
 * a shard outside its folder, or a shard is missing, extra, damaged or
 * disagrees with the index. */
Kv3Files *kv3_sharded_open          (const char     *path,
                                     GError        **error);
void      kv3_files_free            (Kv3Files       *files);

/* Writes @model's weights (optimizer included, as Keras's save_weights) as
 * sharded weights: @file is the index, or its temporary (whose target
 * path is under STRATA_SAVE_TARGET_PATH_KEY). The shards and the index
 * replace the old set as a whole. */
gboolean  kv3_sharded_save          (StrataModel        *model,
                                     GFile              *file,
                                     StrataKerasDialect  dialect,
                                     StrataSaveOptions  *options,
                                     GCancellable       *cancellable,
                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Kv3Files, kv3_files_free)

G_END_DECLS
