/* tsm-crc-queue.c: CRC-32C of many buffers on worker threads
 *
 * Buffers are taken in the order they were pushed, by whichever thread
 * is free; a worker sleeps when the queue is empty and ends when it is
 * closed. A buffer is never split (CRCs do not simply add up), so one
 * huge tensor still takes one thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-crc-queue.h"
#include "tsm-crc32c.h"

typedef struct {
  const void    *data;
  gsize          size;
  gconstpointer  tag;
  guint32        crc;
} Job;

struct _TsmCrcQueue {
  GMutex     lock;
  GCond      more;      /* a job was pushed, or the queue closed */
  GArray    *jobs;      /* Job, in push order */
  guint      next;      /* the first job nobody has taken */
  gboolean   closed;
  GPtrArray *workers;   /* GThread */
  guint      max_workers;
};

/* Takes and computes jobs until none is left and, unless @return_when_idle,
 * the queue is closed. Called with the lock held; returns with it held. */
static void
work (TsmCrcQueue *queue,
      gboolean     return_when_idle)
{
  for (;;)
    {
      Job job;
      guint i;
      guint32 crc;

      while (queue->next == queue->jobs->len && !queue->closed && !return_when_idle)
        g_cond_wait (&queue->more, &queue->lock);
      if (queue->next == queue->jobs->len)
        return;
      i = queue->next++;
      job = g_array_index (queue->jobs, Job, i);
      g_mutex_unlock (&queue->lock);
      crc = tsm_crc32c (job.data, job.size);
      g_mutex_lock (&queue->lock);
      /* by index: the array may have moved meanwhile */
      g_array_index (queue->jobs, Job, i).crc = crc;
    }
}

static gpointer
worker_main (gpointer data)
{
  TsmCrcQueue *queue = data;

  g_mutex_lock (&queue->lock);
  work (queue, FALSE);
  g_mutex_unlock (&queue->lock);
  return NULL;
}

TsmCrcQueue *
tsm_crc_queue_new (guint max_workers)
{
  TsmCrcQueue *queue = g_new0 (TsmCrcQueue, 1);

  g_mutex_init (&queue->lock);
  g_cond_init (&queue->more);
  queue->jobs = g_array_new (FALSE, FALSE, sizeof (Job));
  queue->workers = g_ptr_array_new ();
  queue->max_workers = max_workers;
  return queue;
}

/* Closes the queue and joins the workers (they finish what is queued). */
static void
join_workers (TsmCrcQueue *queue)
{
  g_mutex_lock (&queue->lock);
  queue->closed = TRUE;
  g_cond_broadcast (&queue->more);
  g_mutex_unlock (&queue->lock);
  for (guint i = 0; i < queue->workers->len; i++)
    g_thread_join (g_ptr_array_index (queue->workers, i));
  g_ptr_array_set_size (queue->workers, 0);
}

void
tsm_crc_queue_free (TsmCrcQueue *queue)
{
  if (queue == NULL)
    return;
  join_workers (queue);
  g_ptr_array_unref (queue->workers);
  g_array_unref (queue->jobs);
  g_cond_clear (&queue->more);
  g_mutex_clear (&queue->lock);
  g_free (queue);
}

void
tsm_crc_queue_push (TsmCrcQueue   *queue,
                    const void    *data,
                    gsize          size,
                    gconstpointer  tag)
{
  Job job = { data, size, tag, 0 };
  gboolean start;

  g_return_if_fail (!queue->closed);
  g_mutex_lock (&queue->lock);
  g_array_append_val (queue->jobs, job);
  /* another thread only when the ones running have a backlog */
  start = queue->workers->len < queue->max_workers &&
          queue->jobs->len - queue->next > queue->workers->len;
  g_cond_signal (&queue->more);
  g_mutex_unlock (&queue->lock);
  if (start)
    {
      /* without a thread the work is done in finish */
      GThread *thread = g_thread_try_new ("strata-crc", worker_main, queue, NULL);

      if (thread != NULL)
        g_ptr_array_add (queue->workers, thread);
    }
}

gboolean
tsm_crc_queue_finish (TsmCrcQueue  *queue,
                      TsmCrcCheck   check,
                      gpointer      user_data,
                      GError      **error)
{
  g_mutex_lock (&queue->lock);
  work (queue, TRUE);
  g_mutex_unlock (&queue->lock);
  join_workers (queue);
  for (guint i = 0; i < queue->jobs->len; i++)
    {
      Job *job = &g_array_index (queue->jobs, Job, i);

      if (!check (job->tag, job->crc, user_data, error))
        return FALSE;
    }
  return TRUE;
}
