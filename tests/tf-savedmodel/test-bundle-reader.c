/* test-bundle-reader.c: reading real TensorBundles and writing TF's bytes
 *
 * tf-savedmodel spec §9 cases 3 to 8, 11 and 21: every tensor of every real
 * bundle (tf-keras testdata, TF Serving exports from TF 1.0 to 2.14)
 * against what TensorFlow reads (tf-bundle-digests.tsv), the TF 2.2 values
 * and object graph, byte-exact rewrites of TF's indexes and object-graph
 * shard, string and empty tensors, big-endian bundles, key order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "test-utils.h"
#include "test-bundle-utils.h"
#include "test_bundle_tog.pb-c.h"
#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"
#include "tsm-sstable.h"

static TsmBundle *
open_bundle (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  TsmBundle *bundle = tsm_bundle_open (prefix, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bundle);
  return bundle;
}

static const TsmEntry *
lookup (TsmBundle  *bundle,
        const char *key)
{
  g_autoptr(GError) error = NULL;
  const TsmEntry *entry = tsm_bundle_lookup (bundle, key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entry);
  return entry;
}

static GBytes *
read_tensor (TsmBundle      *bundle,
             const TsmEntry *entry)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = tsm_bundle_read_tensor (bundle, entry, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static GPtrArray *
read_strings (TsmBundle      *bundle,
              const TsmEntry *entry)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *strings = tsm_bundle_read_strings (bundle, entry, &error);

  g_assert_no_error (error);
  g_assert_nonnull (strings);
  return strings;
}

/* ---- every real tensor against TensorFlow ---- */

static char *
digest_entry (TsmBundle      *bundle,
              const TsmEntry *entry)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  if (entry->dtype == TSM_DT_STRING)
    {
      g_autoptr(GPtrArray) strings = read_strings (bundle, entry);

      for (guint i = 0; i < strings->len; i++)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (strings->pdata[i], &len);
          guint64 le = GUINT64_TO_LE (len);

          g_checksum_update (sum, (const guint8 *) &le, sizeof le);
          g_checksum_update (sum, data, (gssize) len);
        }
    }
  else
    {
      g_autoptr(GBytes) bytes = read_tensor (bundle, entry);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      g_checksum_update (sum, data, (gssize) len);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static void
test_real_all_tensors (void)
{
  g_autofree char *tsv_path = strata_test_src_path ("tf-savedmodel/tf-bundle-digests.tsv");
  g_autoptr(GBytes) tsv = tsm_test_read_file (tsv_path);
  g_auto(GStrv) lines = g_strsplit (g_bytes_get_data (tsv, NULL), "\n", -1);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autofree char *rel = NULL;
  guint n_bundles = 0, n_tensors = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (f[0] == NULL)
        continue;
      if (g_str_equal (f[0], "B"))
        {
          g_autofree char *prefix = tsm_test_real_prefix (f[1]);

          if (prefix == NULL)
            return;
          g_clear_pointer (&bundle, tsm_bundle_free);
          bundle = open_bundle (prefix);
          g_assert_cmpuint (tsm_bundle_get_n_entries (bundle), ==, g_ascii_strtoull (f[2], NULL, 10));
          g_free (rel);
          rel = g_strdup (f[1]);
          n_bundles++;
        }
      else if (g_str_equal (f[0], "T"))
        {
          const TsmEntry *entry = lookup (bundle, f[2]);
          g_autofree char *dims = tsm_dims_to_string (entry->rank, entry->dims);
          g_autofree char *digest = NULL;

          g_assert_cmpstr (f[1], ==, rel);
          g_assert_cmpint (entry->dtype, ==, atoi (f[3]));
          g_assert_cmpstr (dims, ==, f[4]);
          digest = digest_entry (bundle, entry);
          g_assert_cmpstr (digest, ==, f[5]);
          n_tensors++;
        }
    }
  g_assert_cmpuint (n_bundles, ==, 6);
  g_assert_cmpuint (n_tensors, ==, 37);
}

/* Case 3 and 21: two shards; the values tf-keras's testdata holds. */
static void
test_real_lso_values (void)
{
  g_autofree char *prefix = tsm_test_real_prefix (LSO_SAVEDMODEL);
  g_autoptr(TsmBundle) bundle = NULL;
  const TsmEntry *kernel, *iter, *scale, *graph;
  g_autoptr(GBytes) k = NULL, it = NULL, s = NULL;
  const float expected[] = { 9.229685f, 10.901115f, 10.370763f, 9.757362f };
  const float *kv;
  gint64 iv;
  float sv;

  if (prefix == NULL)
    return;
  bundle = open_bundle (prefix);
  g_assert_cmpint (tsm_bundle_get_num_shards (bundle), ==, 2);
  g_assert_false (tsm_bundle_is_big_endian (bundle));
  g_assert_cmpuint (tsm_bundle_get_n_entries (bundle), ==, 13);

  kernel = lookup (bundle, "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  g_assert_cmpint (kernel->dtype, ==, TSM_DT_FLOAT);
  g_assert_cmpuint (kernel->rank, ==, 2);
  g_assert_cmpint (kernel->dims[0], ==, 2);
  g_assert_cmpint (kernel->dims[1], ==, 2);
  g_assert_cmpint (kernel->shard_id, ==, 1);
  k = read_tensor (bundle, kernel);
  g_assert_cmpuint (g_bytes_get_size (k), ==, sizeof expected);
  kv = g_bytes_get_data (k, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (isfinite (kv[i]));
      g_assert_cmpfloat_with_epsilon (kv[i], expected[i], 1e-5);
    }

  iter = lookup (bundle, "optimizer/base_optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE");
  g_assert_cmpint (iter->dtype, ==, TSM_DT_INT64);
  g_assert_cmpuint (iter->rank, ==, 0);
  it = read_tensor (bundle, iter);
  g_assert_cmpuint (g_bytes_get_size (it), ==, 8);
  memcpy (&iv, g_bytes_get_data (it, NULL), 8);
  g_assert_cmpint (GINT64_FROM_LE (iv), ==, 1);

  scale = lookup (bundle, "optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE");
  s = read_tensor (bundle, scale);
  memcpy (&sv, g_bytes_get_data (s, NULL), 4);
  g_assert_cmpfloat (sv, ==, 32768.0f);

  graph = lookup (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH");
  g_assert_cmpint (graph->dtype, ==, TSM_DT_STRING);
  g_assert_cmpint (graph->shard_id, ==, 0);
  g_assert_cmpuint (graph->offset, ==, 0);
  g_assert_cmpuint (graph->size, ==, 2246);
  g_assert_cmphex (graph->masked_crc, ==, 0xf06a0a75);
}

/* Case 4: the object graph string decodes to TF's TrackableObjectGraph. */
static void
test_real_object_graph (void)
{
  g_autofree char *prefix = tsm_test_real_prefix (LSO_SAVEDMODEL);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  Tsmtest__TrackableObjectGraph *tog;
  Tsmtest__TrackableObjectGraph__TrackableObject *node;
  gsize len;
  const guint8 *data;

  if (prefix == NULL)
    return;
  bundle = open_bundle (prefix);
  strings = read_strings (bundle, lookup (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH"));
  g_assert_cmpuint (strings->len, ==, 1);
  data = g_bytes_get_data (strings->pdata[0], &len);
  g_assert_cmpuint (len, ==, 2240);

  tog = tsmtest__trackable_object_graph__unpack (NULL, len, data);
  g_assert_nonnull (tog);
  g_assert_cmpuint (tog->n_nodes, ==, 39);
  node = tog->nodes[8];
  g_assert_cmpuint (node->n_attributes, ==, 1);
  g_assert_cmpstr (node->attributes[0]->checkpoint_key, ==,
                   "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  node = tog->nodes[14];
  g_assert_cmpuint (node->n_slot_variables, ==, 2);
  g_assert_cmpint (node->slot_variables[0]->original_variable_node_id, ==, 8);
  g_assert_cmpstr (node->slot_variables[0]->slot_name, ==, "momentum");
  g_assert_cmpint (node->slot_variables[0]->slot_variable_node_id, ==, 37);
  g_assert_cmpint (node->slot_variables[1]->original_variable_node_id, ==, 9);
  g_assert_cmpstr (node->slot_variables[1]->slot_name, ==, "momentum");
  g_assert_cmpint (node->slot_variables[1]->slot_variable_node_id, ==, 38);
  tsmtest__trackable_object_graph__free_unpacked (tog, NULL);
}

/* Case 5: the parsed entries, written again, are TF's index byte for byte. */
static void
test_real_rewrite_index (void)
{
  const char *bundles[] = { LSO_SAVEDMODEL, LSO_CKPT };

  for (gsize b = 0; b < G_N_ELEMENTS (bundles); b++)
    {
      g_autofree char *prefix = tsm_test_real_prefix (bundles[b]);
      g_autofree char *index_path = NULL;
      g_autoptr(TsmBundle) bundle = NULL;
      g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (TsmEntry));
      g_autoptr(GBytes) original = NULL, rewritten = NULL;

      if (prefix == NULL)
        return;
      bundle = open_bundle (prefix);
      for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
        g_array_append_val (entries, *tsm_bundle_get_entry (bundle, i));
      rewritten = tsm_bundle_build_index (tsm_bundle_get_header (bundle),
                                          (const TsmEntry *) (gconstpointer) entries->data,
                                          entries->len);
      index_path = g_strconcat (prefix, ".index", NULL);
      original = tsm_test_read_file (index_path);
      g_assert_cmpmem (g_bytes_get_data (rewritten, NULL), g_bytes_get_size (rewritten),
                       g_bytes_get_data (original, NULL), g_bytes_get_size (original));
    }
}

/* Case 6: the object graph written as a string scalar is TF's shard 0. */
static void
test_real_rewrite_object_graph (void)
{
  g_autofree char *prefix = tsm_test_real_prefix (LSO_SAVEDMODEL);
  g_autofree char *dir = NULL, *out = NULL, *shard0 = NULL, *data_path = NULL;
  g_autoptr(TsmBundle) bundle = NULL, written = NULL;
  g_autoptr(TsmBundleWriter) writer = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  g_autoptr(GBytes) original = NULL, copy = NULL;
  g_autoptr(GError) error = NULL;
  const TsmEntry *entry;
  gsize len;
  const guint8 *data;

  if (prefix == NULL)
    return;
  bundle = open_bundle (prefix);
  strings = read_strings (bundle, lookup (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH"));
  data = g_bytes_get_data (strings->pdata[0], &len);

  dir = tsm_test_make_tmpdir ();
  out = g_build_filename (dir, "variables", NULL);
  writer = tsm_bundle_writer_new (out, &error);
  g_assert_no_error (error);
  tsm_bundle_writer_add_string (writer, "_CHECKPOINTABLE_OBJECT_GRAPH", data, len, &error);
  g_assert_no_error (error);
  tsm_bundle_writer_finish (writer, &error);
  g_assert_no_error (error);

  shard0 = g_strconcat (prefix, ".data-00000-of-00002", NULL);
  original = tsm_test_read_file (shard0);
  data_path = g_strconcat (out, ".data-00000-of-00001", NULL);
  copy = tsm_test_read_file (data_path);
  g_assert_cmpuint (g_bytes_get_size (original), ==, 2246);
  g_assert_true (g_bytes_equal (original, copy));

  written = open_bundle (out);
  entry = lookup (written, "_CHECKPOINTABLE_OBJECT_GRAPH");
  g_assert_cmphex (entry->masked_crc, ==, 0xf06a0a75);
  g_assert_cmpuint (entry->size, ==, 2246);
  tsm_test_rmtree (dir);
}

/* ---- writing ---- */

static TsmBundleWriter *
new_writer (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  TsmBundleWriter *writer = tsm_bundle_writer_new (prefix, &error);

  g_assert_no_error (error);
  return writer;
}

static void
finish (TsmBundleWriter *writer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tsm_bundle_writer_finish (writer, &error));
  g_assert_no_error (error);
}

static void
add_strings (TsmBundleWriter *writer,
             const char      *key,
             guint            rank,
             const gint64    *dims,
             const char     **values,
             guint            n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) elements = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (elements, g_bytes_new_static (values[i], strlen (values[i])));
  g_assert_true (tsm_bundle_writer_add_strings (writer, key, rank, dims,
                                                (GBytes * const *) elements->pdata, &error));
  g_assert_no_error (error);
}

static void
assert_strings (TsmBundle   *bundle,
                const char  *key,
                const char **values,
                guint        n)
{
  g_autoptr(GPtrArray) strings = read_strings (bundle, lookup (bundle, key));

  g_assert_cmpuint (strings->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpmem (g_bytes_get_data (strings->pdata[i], NULL),
                     g_bytes_get_size (strings->pdata[i]), values[i], strlen (values[i]));
}

/* Case 7: string tensors have TF's bytes and CRCs, and read back. */
static void
test_strings (TsmTestDir *t, gconstpointer data)
{
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autofree char *data_path = g_strconcat (t->prefix, ".data-00000-of-00001", NULL);
  g_autoptr(GBytes) file = NULL;
  const guint8 *bytes;
  const char *ab[] = { "ab" }, *xyz[] = { "", "xyz" }, *none[] = { NULL };
  gint64 one = 1, two = 2, zero = 0;
  const TsmEntry *e;

  add_strings (writer, "s1", 1, &one, ab, 1);
  add_strings (writer, "s2", 1, &two, xyz, 2);
  add_strings (writer, "s0", 1, &zero, none, 0);
  finish (writer);

  file = tsm_test_read_file (data_path);
  bytes = g_bytes_get_data (file, NULL);
  g_assert_cmpmem (bytes, g_bytes_get_size (file),
                   "\x02\xd8\xd8\x10\x73" "ab" "\x00\x03\xec\xc6\xea\x19" "xyz" "\xd8\xea\x82\xa2", 20);

  bundle = open_bundle (t->prefix);
  e = lookup (bundle, "s1");
  g_assert_cmphex (e->masked_crc, ==, 0x35a61926);
  g_assert_cmpuint (e->size, ==, 7);
  e = lookup (bundle, "s2");
  g_assert_cmphex (e->masked_crc, ==, 0xdf5865c4);
  g_assert_cmpuint (e->offset, ==, 7);
  g_assert_cmpuint (e->size, ==, 9);
  e = lookup (bundle, "s0");
  g_assert_cmpuint (e->size, ==, 4);
  g_assert_cmphex (e->masked_crc, ==, tsm_crc32c_mask (tsm_crc32c ("\xd8\xea\x82\xa2", 4)));
  assert_strings (bundle, "s1", ab, 1);
  assert_strings (bundle, "s2", xyz, 2);
  assert_strings (bundle, "s0", none, 0);
}

/* Case 8: an empty tensor stores size 0 and crc mask(0) on the wire; with
 * the crc field dropped it is a checksum mismatch. */
static void
test_empty_tensor (TsmTestDir *t, gconstpointer data)
{
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL, broken = NULL;
  const char *index_path = t->index_path;
  g_autoptr(GBytes) index = NULL, read = NULL, rebuilt = NULL;
  g_autoptr(GError) error = NULL;
  gint64 dims[2] = { 3, 0 };
  TsmEntry copy;
  const TsmEntry *e;

  g_assert_true (tsm_bundle_writer_add_tensor (writer, "empty", TSM_DT_FLOAT, 2, dims, "", 0,
                                               &error));
  g_assert_no_error (error);
  finish (writer);

  index = tsm_test_read_file (index_path);
  /* Entry: dtype 1, shape {dim {size 3} dim {}}, crc32c (field 6) = mask(0). */
  g_assert_nonnull (memmem (g_bytes_get_data (index, NULL), g_bytes_get_size (index),
                            "\x08\x01\x12\x06\x12\x02\x08\x03\x12\x00\x35\xd8\xea\x82\xa2", 15));
  bundle = open_bundle (t->prefix);
  e = lookup (bundle, "empty");
  g_assert_cmpuint (e->size, ==, 0);
  g_assert_cmphex (e->masked_crc, ==, 0xa282ead8);
  read = read_tensor (bundle, e);
  g_assert_cmpuint (g_bytes_get_size (read), ==, 0);

  copy = *e;
  copy.masked_crc = 0;
  rebuilt = tsm_bundle_build_index (tsm_bundle_get_header (bundle), &copy, 1);
  tsm_test_write_bytes (index_path, rebuilt);
  broken = open_bundle (t->prefix);
  g_assert_null (tsm_bundle_read_tensor (broken, lookup (broken, "empty"), &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "Checksum mismatch", "“empty”",
                         "ckpt.data-00000-of-00001", NULL);
}

/* Case 21 and 11: one shard named -00000-of-00001, TF's header bytes, and
 * keys in memcmp order whatever order they were added in. */
static void
test_writer_layout (TsmTestDir *t, gconstpointer data)
{
  const char *keys[] = { "layer/kernel", "_CHECKPOINTABLE_OBJECT_GRAPH", "Zeta", "9lives",
                         "\xc3\xa9t\xc3\xa9", "a", "layer" };
  const char *sorted[] = { "9lives", "Zeta", "_CHECKPOINTABLE_OBJECT_GRAPH", "a", "layer",
                           "layer/kernel", "\xc3\xa9t\xc3\xa9" };
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  const char *index_path = t->index_path;
  g_autoptr(GBytes) index = NULL, header = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  guint n_files = 0;
  gint32 value = 42;

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_assert_true (tsm_bundle_writer_add_tensor (writer, keys[i], TSM_DT_INT32, 0, NULL, &value,
                                                   sizeof value, &error));
      g_assert_no_error (error);
    }
  finish (writer);

  dir = g_dir_open (t->dir, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 2);
  g_assert_true (g_file_test (index_path, G_FILE_TEST_IS_REGULAR));

  index = tsm_test_read_file (index_path);
  table = tsm_sstable_new (index, index_path, &error);
  g_assert_no_error (error);
  g_assert_true (tsm_sstable_lookup (table, (const guint8 *) "", 0, &header, &error));
  g_assert_cmpmem (g_bytes_get_data (header, NULL), g_bytes_get_size (header),
                   "\x08\x01\x1a\x02\x08\x01", 6);

  bundle = open_bundle (t->prefix);
  g_assert_cmpint (tsm_bundle_get_num_shards (bundle), ==, 1);
  g_assert_cmpuint (tsm_bundle_get_n_entries (bundle), ==, G_N_ELEMENTS (sorted));
  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    {
      const TsmEntry *e = tsm_bundle_get_entry (bundle, i);

      g_assert_cmpstr (e->key, ==, sorted[i]);
      /* Data in the order added, 4 bytes each. */
      for (gsize j = 0; j < G_N_ELEMENTS (keys); j++)
        if (g_str_equal (keys[j], e->key))
          g_assert_cmpuint (e->offset, ==, 4 * j);
    }
}

/* Every dtype Strata maps, through the writer and back. */
static void
test_writer_dtypes (TsmTestDir *t, gconstpointer data)
{
  static const StrataDType types[] = {
    STRATA_DTYPE_FLOAT16, STRATA_DTYPE_BFLOAT16, STRATA_DTYPE_FLOAT32, STRATA_DTYPE_FLOAT64,
    STRATA_DTYPE_INT8, STRATA_DTYPE_INT16, STRATA_DTYPE_INT32, STRATA_DTYPE_INT64,
    STRATA_DTYPE_UINT8, STRATA_DTYPE_UINT16, STRATA_DTYPE_UINT32, STRATA_DTYPE_UINT64,
    STRATA_DTYPE_BOOL,
  };
  /* TensorFlow's DataType values (types.proto) of the same types. */
  static const int tf_values[] = { 19, 14, 1, 2, 6, 5, 3, 9, 4, 17, 22, 23, 10 };
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 dims[3] = { 2, 3, 5 };

  g_assert_cmpint (tsm_dtype_from_strata (STRATA_DTYPE_INVALID), ==, TSM_DT_INVALID);
  g_assert_cmpint (tsm_dtype_to_strata (TSM_DT_STRING), ==, STRATA_DTYPE_INVALID);
  g_assert_cmpstr (tsm_dtype_name (TSM_DT_FLOAT), ==, "DT_FLOAT");
  g_assert_cmpstr (tsm_dtype_name (21), ==, "DT_VARIANT");
  g_assert_cmpstr (tsm_dtype_name (250), ==, "DT_250");
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GError) error = NULL;
      int tf = tsm_dtype_from_strata (types[i]);
      gsize size = 30 * strata_dtype_get_size (types[i]);
      guint8 *bytes = g_malloc (size);
      g_autofree char *key = g_strdup_printf ("t%02" G_GSIZE_FORMAT, i);

      g_assert_cmpint (tf, ==, tf_values[i]);
      g_assert_cmpint (tsm_dtype_to_strata (tf), ==, types[i]);
      g_assert_cmpint (tsm_dtype_element_size (tf), ==, (int) strata_dtype_get_size (types[i]));
      for (gsize j = 0; j < size; j++)
        bytes[j] = types[i] == STRATA_DTYPE_BOOL ? (j & 1) : (guint8) g_test_rand_int ();
      g_assert_true (tsm_bundle_writer_add_tensor (writer, key, tf, 3, dims, bytes, size, &error));
      g_assert_no_error (error);
      g_ptr_array_add (payloads, g_bytes_new_take (bytes, size));
    }
  finish (writer);

  bundle = open_bundle (t->prefix);
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *key = g_strdup_printf ("t%02" G_GSIZE_FORMAT, i);
      const TsmEntry *e = lookup (bundle, key);
      g_autoptr(GBytes) read = read_tensor (bundle, e);

      g_assert_cmpint (e->dtype, ==, tsm_dtype_from_strata (types[i]));
      g_assert_cmpuint (e->rank, ==, 3);
      g_assert_cmpint (e->dims[2], ==, 5);
      g_assert_true (g_bytes_equal (read, payloads->pdata[i]));
    }
}

/* Aligned tensors are slices of the shard's mapping; misaligned ones are
 * copied to aligned memory. */
static void
test_zero_copy (TsmTestDir *t, gconstpointer data)
{
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GBytes) a1 = NULL, a2 = NULL, m1 = NULL, m2 = NULL;
  g_autoptr(GError) error = NULL;
  const float values[4] = { 1.5f, -2.0f, 3.25f, 1e-3f };
  gint64 one = 1, three = 3, four = 4;
  const float *p1, *p2;

  g_assert_true (tsm_bundle_writer_add_tensor (writer, "byte", TSM_DT_INT8, 1, &one, "x", 1, &error));
  g_assert_true (tsm_bundle_writer_add_tensor (writer, "misaligned", TSM_DT_FLOAT, 1, &four, values,
                                               sizeof values, &error));
  g_assert_true (tsm_bundle_writer_add_tensor (writer, "pad", TSM_DT_UINT8, 1, &four, "abc", 3,
                                               &error) == FALSE);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_true (tsm_bundle_writer_add_tensor (writer, "pad", TSM_DT_UINT8, 1, &three, "abc", 3,
                                               &error));
  g_assert_true (tsm_bundle_writer_add_tensor (writer, "aligned", TSM_DT_FLOAT, 1, &four, values,
                                               sizeof values, &error));
  g_assert_no_error (error);
  finish (writer);

  bundle = open_bundle (t->prefix);
  g_assert_cmpuint (lookup (bundle, "misaligned")->offset, ==, 1);
  g_assert_cmpuint (lookup (bundle, "aligned")->offset, ==, 20);

  a1 = read_tensor (bundle, lookup (bundle, "aligned"));
  a2 = read_tensor (bundle, lookup (bundle, "aligned"));
  p1 = g_bytes_get_data (a1, NULL);
  p2 = g_bytes_get_data (a2, NULL);
  g_assert_true (p1 == p2);   /* the same mapping */
  g_assert_cmpmem (p1, 16, values, 16);

  m1 = read_tensor (bundle, lookup (bundle, "misaligned"));
  m2 = read_tensor (bundle, lookup (bundle, "misaligned"));
  p1 = g_bytes_get_data (m1, NULL);
  p2 = g_bytes_get_data (m2, NULL);
  g_assert_true (p1 != p2);
  g_assert_cmpuint ((uintptr_t) p1 % sizeof (float), ==, 0);
  g_assert_cmpmem (p1, 16, values, 16);
}

/* A big-endian bundle (as TF writes on s390x): numbers are swapped after
 * the CRC check over the file's bytes; string length CRCs are big-endian. */
static void
test_big_endian (TsmTestDir *t, gconstpointer data)
{
  static const guint8 floats_be[8] = { 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0 };
  static const guint8 int16_be[6] = { 0x01, 0x02, 0xff, 0xfe, 0, 7 };
  static const guint8 int64_be[8] = { 0, 0, 0, 0, 0, 0, 0x01, 0x00 };
  g_autoptr(GByteArray) shard = g_byte_array_new ();
  TsmBundleHeader header = { .num_shards = 1, .big_endian = TRUE, .producer = 1 };
  TsmEntry entries[4] = { { 0 } };
  g_autofree char *data_path = g_strconcat (t->prefix, ".data-00000-of-00001", NULL);
  const char *index_path = t->index_path;
  g_autoptr(GBytes) index = NULL, f = NULL, s = NULL, l = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  g_autoptr(TsmBundle) bundle = NULL;
  guint8 lengths_be[8] = { 0, 0, 0, 2, 0, 0, 0, 1 };
  guint32 crc, masked_be;
  const float expected_f[2] = { 1.0f, 2.0f };
  const gint16 expected_s[3] = { 0x0102, -2, 7 };
  gint64 expected_l = 256;

  entries[0] = (TsmEntry) { "f", TSM_DT_FLOAT, 1, { 2 }, 0, 0, 8,
                            tsm_crc32c_mask (tsm_crc32c (floats_be, 8)) };
  g_byte_array_append (shard, floats_be, 8);
  entries[1] = (TsmEntry) { "l", TSM_DT_INT64, 0, { 0 }, 0, 8, 8,
                            tsm_crc32c_mask (tsm_crc32c (int64_be, 8)) };
  g_byte_array_append (shard, int64_be, 8);
  entries[2] = (TsmEntry) { "s", TSM_DT_INT16, 1, { 3 }, 0, 16, 6,
                            tsm_crc32c_mask (tsm_crc32c (int16_be, 6)) };
  g_byte_array_append (shard, int16_be, 6);
  /* ["ab", "c"]: varint lengths, BE masked CRC of BE u32 lengths, bytes. */
  crc = tsm_crc32c (lengths_be, 8);
  masked_be = GUINT32_TO_BE (tsm_crc32c_mask (crc));
  g_byte_array_append (shard, (const guint8 *) "\x02\x01", 2);
  g_byte_array_append (shard, (const guint8 *) &masked_be, 4);
  g_byte_array_append (shard, (const guint8 *) "abc", 3);
  crc = tsm_crc32c_extend (tsm_crc32c_extend (crc, &masked_be, 4), "abc", 3);
  entries[3] = (TsmEntry) { "t", TSM_DT_STRING, 1, { 2 }, 0, 22, 9, tsm_crc32c_mask (crc) };

  tsm_test_write_file (data_path, shard->data, shard->len);
  index = tsm_bundle_build_index (&header, entries, G_N_ELEMENTS (entries));
  tsm_test_write_bytes (index_path, index);

  bundle = open_bundle (t->prefix);
  g_assert_true (tsm_bundle_is_big_endian (bundle));
  f = read_tensor (bundle, lookup (bundle, "f"));
  g_assert_cmpmem (g_bytes_get_data (f, NULL), g_bytes_get_size (f), expected_f, sizeof expected_f);
  l = read_tensor (bundle, lookup (bundle, "l"));
  g_assert_cmpmem (g_bytes_get_data (l, NULL), g_bytes_get_size (l), &expected_l, sizeof expected_l);
  s = read_tensor (bundle, lookup (bundle, "s"));
  g_assert_cmpmem (g_bytes_get_data (s, NULL), g_bytes_get_size (s), expected_s, sizeof expected_s);
  strings = read_strings (bundle, lookup (bundle, "t"));
  g_assert_cmpuint (strings->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (strings->pdata[0], NULL), 2, "ab", 2);
  g_assert_cmpmem (g_bytes_get_data (strings->pdata[1], NULL), 1, "c", 1);
}

/* What the writer refuses, and that a failed writer leaves no data file. */
static void
test_writer_errors (TsmTestDir *t, gconstpointer data)
{
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autofree char *data_path = g_strconcat (t->prefix, ".data-00000-of-00001", NULL);
  g_autofree char *blocked = g_build_filename (t->dir, "file", NULL);
  g_autofree char *inside = g_build_filename (blocked, "sub", "ckpt", NULL);
  g_autoptr(GError) error = NULL;
  gint64 dims[TSM_MAX_RANK + 1] = { 0 };
  gint64 minus = -1;
  gint32 v = 1;

  g_assert_true (tsm_bundle_writer_add_tensor (writer, "x", TSM_DT_INT32, 0, NULL, &v, 4, &error));
  g_assert_false (tsm_bundle_writer_add_tensor (writer, "x", TSM_DT_INT32, 0, NULL, &v, 4, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_UNSUPPORTED, "“x”", NULL);
  g_clear_error (&error);
  g_assert_false (tsm_bundle_writer_add_tensor (writer, "", TSM_DT_INT32, 0, NULL, &v, 4, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_UNSUPPORTED, NULL);
  g_clear_error (&error);
  g_assert_false (tsm_bundle_writer_add_tensor (writer, "s", TSM_DT_STRING, 0, NULL, &v, 4, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_UNSUPPORTED, "DT_STRING", NULL);
  g_clear_error (&error);
  g_assert_false (tsm_bundle_writer_add_tensor (writer, "r", TSM_DT_INT32, TSM_MAX_RANK + 1, dims,
                                                &v, 0, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_LIMIT, "“r”", NULL);
  g_clear_error (&error);
  g_assert_false (tsm_bundle_writer_add_tensor (writer, "n", TSM_DT_INT32, 1, &minus, &v, 4, &error));
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_true (g_file_test (data_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&writer, tsm_bundle_writer_free);
  g_assert_false (g_file_test (data_path, G_FILE_TEST_EXISTS));

  /* A prefix below a regular file cannot be written. */
  tsm_test_write_file (blocked, "x", 1);
  g_assert_null (tsm_bundle_writer_new (inside, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_true (g_file_test (blocked, G_FILE_TEST_IS_REGULAR));
}

/* What tf-bundle-read.py reads with TensorFlow: every dtype Strata maps
 * (bytes (j * 37 + dtype) mod 256, bools j mod 2, shape [2, 3, 5]), a
 * string vector, a string scalar and an empty tensor. The bundle goes to
 * $STRATA_BUNDLE_OUT/ckpt when that is set, and is read back here. */
static void
test_writer_for_tensorflow (TsmTestDir *t, gconstpointer data)
{
  const char *out = g_getenv ("STRATA_BUNDLE_OUT");
  g_autofree char *prefix = out != NULL ? g_build_filename (out, "ckpt", NULL) : g_strdup (t->prefix);
  g_autoptr(TsmBundleWriter) writer = new_writer (prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  const char *strings[] = { "ab", "", "xyz" };
  gint64 dims[3] = { 2, 3, 5 }, three = 3, empty[2] = { 3, 0 };

  for (int tf = 1; tf <= TSM_DT_LAST_KNOWN; tf++)
    {
      int size = tsm_dtype_element_size (tf);
      g_autofree char *key = g_strdup_printf ("t%d", tf);
      g_autofree guint8 *bytes = NULL;

      if (tsm_dtype_to_strata (tf) == STRATA_DTYPE_INVALID)
        continue;
      bytes = g_malloc (30 * (gsize) size);
      for (int j = 0; j < 30 * size; j++)
        bytes[j] = tf == TSM_DT_BOOL ? (j & 1) : (guint8) ((j * 37 + tf) & 0xff);
      g_assert_true (tsm_bundle_writer_add_tensor (writer, key, tf, 3, dims, bytes, 30 * (gsize) size,
                                                   &error));
      g_assert_no_error (error);
    }
  add_strings (writer, "strings", 1, &three, strings, 3);
  g_assert_true (tsm_bundle_writer_add_string (writer, "scalar", "\x0a\x00", 2, &error));
  g_assert_true (tsm_bundle_writer_add_tensor (writer, "empty", TSM_DT_FLOAT, 2, empty, "", 0, &error));
  g_assert_no_error (error);
  finish (writer);

  bundle = open_bundle (prefix);
  g_assert_cmpuint (tsm_bundle_get_n_entries (bundle), ==, 16);
  assert_strings (bundle, "strings", strings, 3);
  for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
    {
      const TsmEntry *e = tsm_bundle_get_entry (bundle, i);
      g_autoptr(GBytes) bytes = e->dtype == TSM_DT_STRING ? NULL : read_tensor (bundle, e);
    }
}

static void
test_lookup_missing (TsmTestDir *t, gconstpointer data)
{
  g_autoptr(TsmBundleWriter) writer = new_writer (t->prefix);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  gint32 v = 1;

  g_assert_true (tsm_bundle_writer_add_tensor (writer, "b", TSM_DT_INT32, 0, NULL, &v, 4, &error));
  finish (writer);
  bundle = open_bundle (t->prefix);
  g_assert_null (tsm_bundle_lookup (bundle, "a", &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "“a”", "not found", "ckpt.index", NULL);
  g_clear_error (&error);
  g_assert_null (tsm_bundle_lookup (bundle, "c", &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "“c”", NULL);
  g_clear_error (&error);
  g_assert_nonnull (tsm_bundle_lookup (bundle, "b", &error));
  g_assert_no_error (error);
  /* A missing index is a file error. */
  g_assert_null (tsm_bundle_open (t->dir, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/tsm/bundle/real/all-tensors", test_real_all_tensors);
  g_test_add_func ("/tsm/bundle/real/lso-values", test_real_lso_values);
  g_test_add_func ("/tsm/bundle/real/object-graph", test_real_object_graph);
  g_test_add_func ("/tsm/bundle/real/rewrite-index", test_real_rewrite_index);
  g_test_add_func ("/tsm/bundle/real/rewrite-object-graph", test_real_rewrite_object_graph);
  g_test_add ("/tsm/bundle/strings", TsmTestDir, "ckpt", tsm_test_dir_setup, test_strings, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/empty-tensor", TsmTestDir, "ckpt", tsm_test_dir_setup, test_empty_tensor, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/writer-layout", TsmTestDir, "ckpt", tsm_test_dir_setup, test_writer_layout, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/writer-dtypes", TsmTestDir, "ckpt", tsm_test_dir_setup, test_writer_dtypes, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/zero-copy", TsmTestDir, "ckpt", tsm_test_dir_setup, test_zero_copy, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/big-endian", TsmTestDir, "ckpt", tsm_test_dir_setup, test_big_endian, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/writer-errors", TsmTestDir, "ckpt", tsm_test_dir_setup, test_writer_errors, tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/writer-for-tensorflow", TsmTestDir, "ckpt", tsm_test_dir_setup, test_writer_for_tensorflow,
              tsm_test_dir_teardown);
  g_test_add ("/tsm/bundle/lookup-missing", TsmTestDir, "ckpt", tsm_test_dir_setup, test_lookup_missing, tsm_test_dir_teardown);
  return g_test_run ();
}
