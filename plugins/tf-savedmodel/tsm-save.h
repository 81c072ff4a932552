/* tsm-save.h: Strata models into SavedModel folders and TF checkpoints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"

G_BEGIN_DECLS

/* The TensorFlow and Keras versions a written SavedModel claims. */
#define TSM_WRITER_TF_VERSION    "2.15.0"
#define TSM_WRITER_KERAS_VERSION "2.15.0"
#define TSM_WRITER_GRAPH_PRODUCER 1645

/* tf-keras model.save(dir, save_traces=False): the Tier A SavedModel of
 * the tf-savedmodel spec (§5.3) in the empty folder @dir. */
gboolean tsm_save_model   (StrataModel        *model,
                           const char         *dir,
                           StrataSaveOptions  *options,
                           GCancellable       *cancellable,
                           GError            **error);

/* tf-keras model.save_weights(prefix): PREFIX.index,
 * PREFIX.data-00000-of-00001 and the `checkpoint` file next to them, each
 * replaced atomically (the index after the data, the state file last). */
gboolean tsm_save_weights (StrataModel        *model,
                           const char         *prefix,
                           StrataSaveOptions  *options,
                           GCancellable       *cancellable,
                           GError            **error);

G_END_DECLS
