/* tsm-crc-queue.h: CRC-32C of many buffers on worker threads
 *
 * A load hands out mapped tensors as it finds them and queues their
 * checksums here; worker threads compute them meanwhile (which also
 * faults the mapping in), and the caller, when it has nothing else to
 * do, computes the rest alongside them and waits. Plain C + GLib.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsmCrcQueue TsmCrcQueue;

/* A queue with up to @max_workers threads, started as work arrives. */
TsmCrcQueue *tsm_crc_queue_new    (guint          max_workers);
/* Frees @queue, waiting for the buffers being checksummed. */
void         tsm_crc_queue_free   (TsmCrcQueue   *queue);

/* Queues the CRC-32C of @size bytes at @data, which must stay readable
 * until tsm_crc_queue_finish() returns; @tag identifies it there. */
void         tsm_crc_queue_push   (TsmCrcQueue   *queue,
                                   const void    *data,
                                   gsize          size,
                                   gconstpointer  tag);

/* Computes what is left, waits for the workers, then calls @check with
 * each buffer's tag and CRC in the order they were pushed, until it
 * returns FALSE. TRUE when every @check did. */
typedef gboolean (*TsmCrcCheck) (gconstpointer   tag,
                                 guint32         crc,
                                 gpointer        user_data,
                                 GError        **error);
gboolean     tsm_crc_queue_finish (TsmCrcQueue   *queue,
                                   TsmCrcCheck    check,
                                   gpointer       user_data,
                                   GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmCrcQueue, tsm_crc_queue_free)

G_END_DECLS
