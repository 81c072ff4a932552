/* fuzz-bundle.c: libFuzzer target for the TensorBundle reader
 *
 * An input is a flag byte, then a packed bundle: u32le index length, the
 * index, then any number of (u32le length, bytes) data shards. With bit 0
 * of the flag set, stored checksums are not compared (the target is
 * built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION), so that mutations
 * reach the parsers behind them. The index is written to a
 * temporary folder as B.index and opened; shard i (up to 8) is then
 * written as B.data-i-of-N with the N its header declares, and every
 * tensor is read (CRC checked, strings decoded). The index is also read as
 * a bare table and every key looked up by binary search. Any outcome but a
 * crash, a sanitizer report or a leak is fine.
 *
 * Seeds: with STRATA_FUZZ_BUNDLE_SEEDS=DIR set, the target writes packed
 * copies of the real bundles under STRATA_REAL_FIXTURES and of bundles made
 * by the writer (one in blocks of 128 bytes, plain and Snappy) into DIR,
 * and exits. tests/tf-savedmodel/fuzz-bundle-corpus
 * holds the writer's (the real ones stay out of the repository):
 *
 *   STRATA_FUZZ_BUNDLE_SEEDS=/work/build-fuzz/seeds STRATA_REAL_FIXTURES=../shared/fixtures/real \
 *     /work/build-fuzz/tests/tf-savedmodel/fuzz-bundle
 *   /work/build-fuzz/tests/tf-savedmodel/fuzz-bundle -max_total_time=600 /work/build-fuzz/corpus \
 *     /work/build-fuzz/seeds tests/tf-savedmodel/fuzz-bundle-corpus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"
#include "tsm-sstable.h"

#define MAX_SHARDS 8

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static char *prefix;

/* Writes @path anew (no rename or sync: this runs per input; ext4 would
 * flush a file truncated and rewritten in place). */
static void
put_file (const char   *path,
          const guint8 *data,
          gsize         size)
{
  FILE *f;

  unlink (path);
  f = fopen (path, "wb");

  if (f == NULL || (size > 0 && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    abort ();
}

static gboolean
take_chunk (const guint8 **p,
            const guint8  *end,
            const guint8 **chunk,
            gsize         *len)
{
  guint32 n;

  if (end - *p < 4)
    return FALSE;
  n = tsm_read_le32 (*p);
  *p += 4;
  *len = MIN ((gsize) n, (gsize) (end - *p));
  *chunk = *p;
  *p += *len;
  return TRUE;
}

static void
read_everything (TsmBundle *bundle)
{
  for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
    {
      const TsmEntry *entry = tsm_bundle_get_entry (bundle, i);

      if (tsm_bundle_lookup (bundle, entry->key, NULL) != entry)
        abort ();
      if (entry->dtype == TSM_DT_STRING)
        {
          GPtrArray *strings = tsm_bundle_read_strings (bundle, entry, NULL);

          g_clear_pointer (&strings, g_ptr_array_unref);
        }
      else
        {
          GBytes *bytes = tsm_bundle_read_tensor (bundle, entry, NULL);

          g_clear_pointer (&bytes, g_bytes_unref);
        }
    }
}

static gboolean
collect_key (const TsmSSTableEntry  *entry,
             gpointer                user_data,
             GError                **error)
{
  GPtrArray *keys = user_data;

  if (keys->len < 256)
    g_ptr_array_add (keys, g_bytes_new (entry->key, entry->key_len));
  return TRUE;
}

/* Every key the table lists is found by lookup; so are keys just past it. */
static void
lookup_table (const guint8 *index,
              gsize         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (index, size);
  g_autoptr(TsmSSTable) table = tsm_sstable_new (bytes, "fuzz.index", NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gboolean complete;

  if (table == NULL)
    return;
  complete = tsm_sstable_foreach (table, collect_key, keys, NULL);
  for (guint i = 0; i < keys->len; i++)
    {
      gsize len;
      const guint8 *key = g_bytes_get_data (keys->pdata[i], &len);
      g_autofree guint8 *after = g_malloc (len + 1);
      GBytes *value = NULL;

      if (tsm_sstable_lookup (table, key, len, &value, NULL) && complete && value == NULL)
        abort ();   /* iteration and lookup disagree on a checked table */
      g_clear_pointer (&value, g_bytes_unref);
      if (len > 0)
        memcpy (after, key, len);
      after[len] = 0;
      tsm_sstable_lookup (table, after, len + 1, &value, NULL);
      g_clear_pointer (&value, g_bytes_unref);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const guint8 *p = data, *end = data + size, *index, *shards[MAX_SHARDS];
  gsize index_len, shard_len[MAX_SHARDS];
  guint n_shards = 0;
  g_autofree char *index_path = NULL;
  g_autoptr(TsmBundle) bundle = NULL;
  char *written[MAX_SHARDS] = { NULL };

  if (prefix == NULL)
    {
      char *dir = g_dir_make_tmp ("fuzz-bundle-XXXXXX", NULL);

      if (dir == NULL)
        abort ();
      prefix = g_build_filename (dir, "b", NULL);
      g_free (dir);
    }
  if (size < 1)
    return 0;
  tsm_crc32c_fuzzing_accept_all = (*p++ & 1) != 0;
  if (!take_chunk (&p, end, &index, &index_len))
    return 0;
  while (n_shards < MAX_SHARDS && take_chunk (&p, end, &shards[n_shards], &shard_len[n_shards]))
    n_shards++;

  lookup_table (index, index_len);

  index_path = tsm_bundle_index_path (prefix);
  put_file (index_path, index, index_len);
  bundle = tsm_bundle_open (prefix, NULL);
  if (bundle == NULL)
    return 0;
  for (guint i = 0; i < n_shards && (int) i < tsm_bundle_get_num_shards (bundle); i++)
    {
      written[i] = tsm_bundle_shard_path (prefix, (int) i, tsm_bundle_get_num_shards (bundle));
      put_file (written[i], shards[i], shard_len[i]);
    }
  read_everything (bundle);
  g_clear_pointer (&bundle, tsm_bundle_free);
  for (guint i = 0; i < MAX_SHARDS; i++)
    if (written[i] != NULL)
      {
        g_unlink (written[i]);
        g_free (written[i]);
      }
  return 0;
}

/* ---- seeds ---- */

static void
append_file (GByteArray *out,
             const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, NULL);
  tsm_put_le32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) contents, (guint) len);
}

/* Packs the bundle at @bundle_prefix (index and its first shards), with
 * checksums compared. */
static void
write_seed (const char *dir,
            const char *name,
            const char *bundle_prefix)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *index = tsm_bundle_index_path (bundle_prefix);
  g_autoptr(TsmBundle) bundle = tsm_bundle_open (bundle_prefix, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_byte_array_append (out, (const guint8 *) "\0", 1);
  append_file (out, index);
  for (int i = 0; bundle != NULL && i < MIN (tsm_bundle_get_num_shards (bundle), MAX_SHARDS); i++)
    {
      g_autofree char *shard = tsm_bundle_shard_path (bundle_prefix, i,
                                                      tsm_bundle_get_num_shards (bundle));

      append_file (out, shard);
    }
  g_file_set_contents (path, (const char *) out->data, out->len, NULL);
}

static void
seed_real (const char *dir,
           const char *root,
           const char *folder)
{
  g_autofree char *path = g_build_filename (root, folder, NULL);
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (folder, name, NULL);
      g_autofree char *full = g_build_filename (root, child, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        seed_real (dir, root, child);
      else if (g_str_has_suffix (name, ".index"))
        {
          g_autofree char *bundle_prefix = g_strndup (full, strlen (full) - strlen (".index"));
          g_autofree char *seed = g_strdelimit (g_strdup (child), "/", '_');

          write_seed (dir, seed, bundle_prefix);
        }
    }
}

static gboolean
add_to_writer (const TsmSSTableEntry  *entry,
               gpointer                user_data,
               GError                **error)
{
  tsm_sstable_writer_add (user_data, entry->key, entry->key_len, entry->value, entry->value_len);
  return TRUE;
}

/* Rewrites the table at @path with blocks of 128 bytes. */
static void
rewrite_index (const char            *path,
               TsmSSTableCompression  compression)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GBytes) bytes = NULL, rewritten = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (compression, 128);
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  table = tsm_sstable_new (bytes, path, &error);
  if (table == NULL || !tsm_sstable_foreach (table, add_to_writer, writer, &error))
    g_error ("%s", error->message);
  rewritten = tsm_sstable_writer_finish (writer);
  if (!g_file_set_contents (path, g_bytes_get_data (rewritten, NULL),
                            (gssize) g_bytes_get_size (rewritten), &error))
    g_error ("%s", error->message);
}

/* Small bundles of the writer: every dtype, strings, an empty tensor. */
static void
seed_writer (const char *dir)
{
  g_autofree char *tmp = g_dir_make_tmp ("fuzz-bundle-seed-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (tmp, "w", NULL);
  TsmBundleWriter *writer = tsm_bundle_writer_new (out, NULL);
  const char *names[] = { "ab", "", "xyz" };
  GBytes *strings[3];
  gint64 dims[2] = { 2, 3 }, zero = 0, three = 3;
  guint8 payload[48];
  g_autofree char *index = tsm_bundle_index_path (out);
  g_autofree char *shard = tsm_bundle_shard_path (out, 0, 1);

  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i * 37);
  for (int t = 1; t <= 23; t++)
    {
      int size = tsm_dtype_element_size (t);
      g_autofree char *key = g_strdup_printf ("layer_with_weights-%d/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                                              t);

      if (size > 0 && tsm_dtype_to_strata (t) != STRATA_DTYPE_INVALID)
        tsm_bundle_writer_add_tensor (writer, key, t, 2, dims, payload, 6 * (gsize) size, NULL);
    }
  for (int i = 0; i < 3; i++)
    strings[i] = g_bytes_new_static (names[i], strlen (names[i]));
  tsm_bundle_writer_add_strings (writer, "strings", 1, &three, strings, NULL);
  tsm_bundle_writer_add_string (writer, "_CHECKPOINTABLE_OBJECT_GRAPH", "\x0a\x00", 2, NULL);
  tsm_bundle_writer_add_tensor (writer, "empty", TSM_DT_FLOAT, 1, &zero, "", 0, NULL);
  tsm_bundle_writer_finish (writer, NULL);
  tsm_bundle_writer_free (writer);
  for (int i = 0; i < 3; i++)
    g_bytes_unref (strings[i]);
  write_seed (dir, "writer-dtypes", out);
  g_unlink (index);
  g_unlink (shard);

  /* Many keys: prefix compression over several restarts. */
  writer = tsm_bundle_writer_new (out, NULL);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *key = g_strdup_printf ("model/layer-%02d/%s/.ATTRIBUTES/VARIABLE_VALUE", i / 2,
                                              i % 2 ? "bias" : "kernel");
      gint32 v = i;

      tsm_bundle_writer_add_tensor (writer, key, TSM_DT_INT32, 0, NULL, &v, 4, NULL);
    }
  tsm_bundle_writer_finish (writer, NULL);
  tsm_bundle_writer_free (writer);
  write_seed (dir, "writer-restarts", out);

  /* The same index in blocks of 128 bytes, plain and Snappy. */
  rewrite_index (index, TSM_SSTABLE_NO_COMPRESSION);
  write_seed (dir, "writer-blocks", out);
  rewrite_index (index, TSM_SSTABLE_SNAPPY_COMPRESSION);
  write_seed (dir, "writer-snappy", out);
  g_unlink (index);
  g_unlink (shard);
  g_rmdir (tmp);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *dir = g_getenv ("STRATA_FUZZ_BUNDLE_SEEDS");
  const char *real = g_getenv ("STRATA_REAL_FIXTURES");

  if (dir == NULL)
    return 0;
  g_mkdir_with_parents (dir, 0755);
  if (real != NULL)
    seed_real (dir, real, ".");
  seed_writer (dir);
  exit (0);
}
