/* fuzz-metadata.c: libFuzzer target for the Keras metadata decoder
 * (tsm-metadata.c)
 *
 * An input is a keras_metadata.pb (bit 0 of the first byte clear) or one
 * metadata JSON text (bit 0 set), after that byte. A keras_metadata.pb is
 * read against a small fixed object graph (so node paths resolve or not),
 * its nodes' JSON read as bits 1-2 choose (TsmMetadataMode); a JSON text is
 * decoded alone. Any outcome but
 * a crash, a sanitizer report or a leak is fine.
 *
 *   /work/build-fuzz/tests/tf-savedmodel/fuzz-metadata -max_total_time=600 \
 *     /work/build-fuzz/corpus-metadata tests/tf-savedmodel/fuzz-metadata-corpus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "tsm-metadata.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* root -layer_with_weights-0-> layer -cell-> cell -kernel-> variable */
static void
small_graph (Tsm__SavedObjectGraph *sog, Tsm__SavedObject **nodes, Tsm__SavedObject *storage,
             Tsm__ObjectReference *refs, Tsm__ObjectReference **children)
{
  static const char *const names[] = { "layer_with_weights-0", "cell", "kernel" };

  tsm__saved_object_graph__init (sog);
  for (guint i = 0; i < 4; i++)
    {
      tsm__saved_object__init (&storage[i]);
      nodes[i] = &storage[i];
    }
  for (guint i = 0; i < 3; i++)
    {
      tsm__object_reference__init (&refs[i]);
      refs[i].node_id = (int) i + 1;
      refs[i].local_name = (char *) names[i];
      children[i] = &refs[i];
      storage[i].n_children = 1;
      storage[i].children = &children[i];
    }
  sog->n_nodes = 4;
  sog->nodes = nodes;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static char *path = NULL;

  if (size < 1)
    return 0;
  if (data[0] & 1)
    {
      JsonObject *object = tsm_metadata_decode ((const char *) data + 1, size - 1, "root", "fuzz", NULL);

      g_clear_pointer (&object, json_object_unref);
      return 0;
    }
  if (path == NULL)
    path = g_strdup_printf ("%s/fuzz-metadata-%d.pb", g_get_tmp_dir (), (int) getpid ());
  /* a plain write: g_file_set_contents() syncs, ~70 inputs a second */
  {
    FILE *f = fopen (path, "wb");
    gboolean written = f != NULL && (size == 1 || fwrite (data + 1, 1, size - 1, f) == size - 1);

    if (f == NULL || fclose (f) != 0 || !written)
      return 0;
  }
  {
    Tsm__SavedObjectGraph sog;
    Tsm__SavedObject *nodes[4], storage[4];
    Tsm__ObjectReference refs[3], *children[3];
    TsmGraph graph;
    TsmMetadataSource source;
    g_autoptr(GPtrArray) read = NULL;

    small_graph (&sog, nodes, storage, refs, children);
    tsm_graph_init_saved (&graph, &sog, "fuzz");
    /* Bits 1 and 2: how much of the JSON is read. */
    read = tsm_metadata_read (path, &sog, &graph, (TsmMetadataMode) ((data[0] >> 1) % 3), &source,
                              NULL);
    tsm_graph_clear (&graph);
  }
  return 0;
}
