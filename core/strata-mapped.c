/* strata-mapped.c: registered read-only file mappings (see
 * strata-mapped-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "strata-mapped-private.h"

typedef struct {
  guintptr     start;
  guintptr     end;
  GMappedFile *file;
} Mapping;

/* A GRWLock (pthread_rwlock_t), which ThreadSanitizer sees, unlike GMutex. */
static GRWLock lock;
static GArray *mappings;   /* of Mapping; few at a time (one per open file) */

static void
unregister (gpointer data)
{
  GMappedFile *file = data;

  g_rw_lock_writer_lock (&lock);
  for (guint i = 0; i < mappings->len; i++)
    if (g_array_index (mappings, Mapping, i).file == file)
      {
        g_array_remove_index_fast (mappings, i);
        break;
      }
  g_rw_lock_writer_unlock (&lock);
  g_mapped_file_unref (file);
}

GBytes *
strata_mapped_bytes_new (GMappedFile *file)
{
  const char *contents = g_mapped_file_get_contents (file);
  gsize length = g_mapped_file_get_length (file);
  Mapping m = { (guintptr) contents, (guintptr) contents + length, g_mapped_file_ref (file) };

  /* An empty file has no mapping (GLib gives NULL contents). */
  if (length > 0)
    {
      g_rw_lock_writer_lock (&lock);
      if (mappings == NULL)
        mappings = g_array_new (FALSE, FALSE, sizeof (Mapping));
      g_array_append_val (mappings, m);
      g_rw_lock_writer_unlock (&lock);
    }
  else
    {
      g_mapped_file_unref (file);
      return g_bytes_new (NULL, 0);
    }
  return g_bytes_new_with_free_func (contents, length, unregister, file);
}

static gboolean
is_registered (guintptr start, guintptr end)
{
  gboolean found = FALSE;

  g_rw_lock_reader_lock (&lock);
  for (guint i = 0; mappings != NULL && i < mappings->len && !found; i++)
    {
      const Mapping *m = &g_array_index (mappings, Mapping, i);

      found = start >= m->start && end <= m->end;
    }
  g_rw_lock_reader_unlock (&lock);
  return found;
}

void
strata_mapped_release (gconstpointer data,
                       gsize         size)
{
  static gsize page;
  guintptr start = (guintptr) data, end = start + size;
  guintptr first, last;

  if (g_once_init_enter (&page))
    g_once_init_leave (&page, (gsize) sysconf (_SC_PAGESIZE));
  /* Only the pages wholly inside: a neighbour's data may share the edges. */
  first = (start + page - 1) & ~(guintptr) (page - 1);
  last = end & ~(guintptr) (page - 1);
  if (data == NULL || last <= first || !is_registered (start, end))
    return;
  /* A private read-only mapping: dropped pages are read from the file
   * again if used, so this can only cost time, never change data. */
  (void) madvise ((void *) first, last - first, MADV_DONTNEED);
}

void
strata_tensor_release_pages (StrataTensor *tensor)
{
  GBytes *data;
  gsize size;
  gconstpointer p;

  g_return_if_fail (STRATA_IS_TENSOR (tensor));
  data = strata_tensor_get_data (tensor);
  if (data == NULL)
    return;
  p = g_bytes_get_data (data, &size);
  strata_mapped_release (p, size);
}
