/* test-bundle-sstable.c: CRC-32C and the SSTable under a TensorBundle index
 *
 * tf-savedmodel spec §9 cases 1, 2 and 10: the CRC test vectors, the
 * layout of the smallest TF-written index, multi-block tables and their
 * separators; Snappy blocks, from real TF files and from the writer,
 * checked against libsnappy and against the uncompressed table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <snappy-c.h>

#include "strata.h"
#include "test-utils.h"
#include "test-bundle-utils.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"
#include "tsm-sstable.h"

/* ---- CRC (case 1) ---- */

static void
test_crc32c_vectors (void)
{
  guint32 crc = tsm_crc32c ("123456789", 9);
  guint8 zeros[32] = { 0 };

  g_assert_cmphex (crc, ==, 0xe3069283);
  g_assert_cmphex (tsm_crc32c_mask (crc), ==, 0xc78ab0e5);
  g_assert_cmphex (tsm_crc32c_mask (0), ==, 0xa282ead8);
  g_assert_cmphex (tsm_crc32c ("", 0), ==, 0);
  /* RFC 3720 B.4: 32 bytes of zeros. */
  g_assert_cmphex (tsm_crc32c (zeros, sizeof zeros), ==, 0x8a9136aa);
  /* Extending is the CRC of the concatenation. */
  g_assert_cmphex (tsm_crc32c_extend (tsm_crc32c ("1234", 4), "56789", 5), ==, crc);
  for (int i = 0; i < 1000; i++)
    {
      guint32 x = g_test_rand_int ();

      g_assert_cmphex (tsm_crc32c_unmask (tsm_crc32c_mask (x)), ==, x);
    }
}

/* ---- reading ---- */

typedef struct {
  GPtrArray *keys;     /* GBytes */
  GPtrArray *values;   /* GBytes */
  GArray    *blocks;   /* guint */
} Collected;

static void
collected_init (Collected *c)
{
  c->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->blocks = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
collected_clear (Collected *c)
{
  g_ptr_array_unref (c->keys);
  g_ptr_array_unref (c->values);
  g_array_unref (c->blocks);
}

static gboolean
collect (const TsmSSTableEntry  *entry,
         gpointer                user_data,
         GError                **error)
{
  Collected *c = user_data;

  g_ptr_array_add (c->keys, g_bytes_new (entry->key, entry->key_len));
  g_ptr_array_add (c->values, g_bytes_new (entry->value, entry->value_len));
  g_array_append_val (c->blocks, entry->block);
  return TRUE;
}

static TsmSSTable *
open_table (GBytes *file)
{
  g_autoptr(GError) error = NULL;
  TsmSSTable *table = tsm_sstable_new (file, "table", &error);

  g_assert_no_error (error);
  return table;
}

static TsmSSTable *
open_real (const char *relative,
           GBytes    **file)
{
  g_autofree char *prefix = tsm_test_real_prefix (relative);
  g_autofree char *path = NULL;

  if (prefix == NULL)
    return NULL;
  path = g_strconcat (prefix, ".index", NULL);
  *file = tsm_test_read_file (path);
  return open_table (*file);
}

static void
collect_all (TsmSSTable *table,
             Collected  *c)
{
  g_autoptr(GError) error = NULL;

  collected_init (c);
  tsm_sstable_foreach (table, collect, c, &error);
  g_assert_no_error (error);
}

/* Every key is found by lookup with its value, in O(log n) block reads. */
static void
assert_lookups (TsmSSTable *table,
                Collected  *c)
{
  for (guint i = 0; i < c->keys->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) value = NULL;
      gsize len;
      const guint8 *key = g_bytes_get_data (c->keys->pdata[i], &len);

      g_assert_true (tsm_sstable_lookup (table, key, len, &value, &error));
      g_assert_no_error (error);
      g_assert_nonnull (value);
      g_assert_true (g_bytes_equal (value, c->values->pdata[i]));
    }
}

/* The smallest TF-written index (spec §3.7). */
static void
test_real_layout (void)
{
  g_autoptr(GBytes) file = NULL;
  g_autoptr(TsmSSTable) table = open_real (LSO_SAVEDMODEL, &file);
  TsmBlockHandle meta, index, data;
  Collected c;
  const guint8 *bytes;

  if (table == NULL)
    return;
  g_assert_cmpuint (g_bytes_get_size (file), ==, 959);
  meta = tsm_sstable_get_metaindex_handle (table);
  index = tsm_sstable_get_index_handle (table);
  g_assert_cmpuint (meta.offset, ==, 878);
  g_assert_cmpuint (meta.size, ==, 8);
  g_assert_cmpuint (index.offset, ==, 891);
  g_assert_cmpuint (index.size, ==, 15);
  g_assert_cmpuint (tsm_sstable_get_n_blocks (table), ==, 1);
  data = tsm_sstable_get_block_handle (table, 0);
  g_assert_cmpuint (data.offset, ==, 0);
  g_assert_cmpuint (data.size, ==, 873);

  collect_all (table, &c);
  g_assert_cmpuint (c.keys->len, ==, 14);
  g_assert_cmpuint (g_bytes_get_size (c.keys->pdata[0]), ==, 0);
  bytes = g_bytes_get_data (c.values->pdata[0], NULL);
  g_assert_cmpmem (bytes, g_bytes_get_size (c.values->pdata[0]), "\x08\x02\x1a\x02\x08\x01", 6);
  assert_lookups (table, &c);
  collected_clear (&c);
}

/* TF Serving's TF 1.14 and TF 2.14 exports store Snappy data blocks. */
static void
test_real_snappy (void)
{
  const char *bundles[] = {
    "tensorflow-serving/saved_model_half_plus_two_cpu/00000123/variables/variables",
    "tensorflow-serving/saved_model_half_plus_two_tf2_cpu/00000123/variables/variables",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bundles); i++)
    {
      g_autoptr(GBytes) file = NULL;
      g_autoptr(TsmSSTable) table = open_real (bundles[i], &file);
      const guint8 *data;
      TsmBlockHandle block;
      size_t length = 0;
      Collected c;

      if (table == NULL)
        return;
      data = g_bytes_get_data (file, NULL);
      block = tsm_sstable_get_block_handle (table, 0);
      g_assert_cmpuint (data[block.offset + block.size], ==, TSM_SSTABLE_SNAPPY_COMPRESSION);
      g_assert_cmpint (snappy_uncompressed_length ((const char *) data + block.offset, block.size,
                                                   &length), ==, SNAPPY_OK);
      g_assert_cmpuint (length, >, block.size);

      collect_all (table, &c);
      g_assert_cmpuint (c.keys->len, >, 1);
      assert_lookups (table, &c);
      collected_clear (&c);
    }
}

/* ---- writing ---- */

static char *
numbered_key (guint i)
{
  /* Varied prefixes and lengths; "" first as in a bundle. */
  static const char *stems[] = { "layer_with_weights-", "Layer/", "0", "_CHECKPOINTABLE/", "\xc3\xa9/" };

  return g_strdup_printf ("%s%u/kernel/.ATTRIBUTES/VARIABLE_VALUE", stems[i % G_N_ELEMENTS (stems)],
                          i * 7919u % 100003u);
}

static int
compare_bytes (gconstpointer a,
               gconstpointer b)
{
  GBytes *x = *(GBytes **) a, *y = *(GBytes **) b;

  return g_bytes_compare (x, y);
}

/* The keys of @n entries, sorted (memcmp), "" first. */
static GPtrArray *
make_keys (guint n)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (keys, g_bytes_new ("", 0));
  for (guint i = 1; i < n; i++)
    {
      char *key = numbered_key (i);

      g_ptr_array_add (keys, g_bytes_new_take (key, strlen (key)));
    }
  g_ptr_array_sort (keys, compare_bytes);
  return keys;
}

static GBytes *
write_table (GPtrArray             *keys,
             TsmSSTableCompression  compression,
             gsize                  block_size)
{
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (compression, block_size);

  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *value = g_strdup_printf ("value-%u-%0*u", i, (int) (i % 23), i);
      gsize len;
      const guint8 *key = g_bytes_get_data (keys->pdata[i], &len);

      tsm_sstable_writer_add (writer, key, len, (const guint8 *) value, strlen (value));
    }
  return tsm_sstable_writer_finish (writer);
}

static int
compare_mem (GBytes       *a,
             const guint8 *b,
             gsize         b_len)
{
  gsize a_len;
  const guint8 *a_data = g_bytes_get_data (a, &a_len);
  int r = a_len && b_len ? memcmp (a_data, b, MIN (a_len, b_len)) : 0;

  return r != 0 ? r : a_len < b_len ? -1 : a_len > b_len;
}

/* Case 10: >= 20000 keys make several blocks; separators lie between
 * blocks; lookup and iteration find every key in memcmp order. */
static void
test_multi_block (void)
{
  g_autoptr(GPtrArray) keys = make_keys (24000);
  g_autoptr(GBytes) file = write_table (keys, TSM_SSTABLE_NO_COMPRESSION, TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(TsmSSTable) table = open_table (file);
  guint n_blocks = tsm_sstable_get_n_blocks (table);
  Collected c;

  g_assert_cmpuint (n_blocks, >=, 3);
  collect_all (table, &c);
  g_assert_cmpuint (c.keys->len, ==, keys->len);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *value = g_strdup_printf ("value-%u-%0*u", i, (int) (i % 23), i);

      g_assert_true (g_bytes_equal (c.keys->pdata[i], keys->pdata[i]));
      g_assert_cmpmem (g_bytes_get_data (c.values->pdata[i], NULL),
                       g_bytes_get_size (c.values->pdata[i]), value, strlen (value));
    }

  /* last_key(block i) <= sep_i < first_key(block i + 1), and each block
   * holds a run of keys; blocks of TF's size except the last. */
  for (guint i = 0; i + 1 < c.keys->len; i++)
    {
      guint b = g_array_index (c.blocks, guint, i);
      guint next = g_array_index (c.blocks, guint, i + 1);
      gsize sep_len;
      const guint8 *sep = tsm_sstable_get_separator (table, b, &sep_len);

      g_assert_true (next == b || next == b + 1);
      g_assert_cmpint (compare_mem (c.keys->pdata[i], sep, sep_len), <=, 0);
      if (next == b + 1)
        {
          TsmBlockHandle h = tsm_sstable_get_block_handle (table, b);

          g_assert_cmpint (compare_mem (c.keys->pdata[i + 1], sep, sep_len), >, 0);
          g_assert_cmpuint (h.size, >=, TSM_SSTABLE_BLOCK_SIZE);
          g_assert_cmpuint (h.size, <, TSM_SSTABLE_BLOCK_SIZE + 512);
        }
    }
  g_assert_cmpuint (g_array_index (c.blocks, guint, c.keys->len - 1), ==, n_blocks - 1);

  assert_lookups (table, &c);
  /* Keys between and beyond the stored ones are absent. */
  for (guint i = 0; i < c.keys->len; i += 97)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) value = NULL;
      gsize len;
      const char *key = g_bytes_get_data (c.keys->pdata[i], &len);
      g_autofree char *longer = len > 0 ? g_strndup (key, len) : g_strdup ("");
      char *absent = g_strconcat (longer, "\x01", NULL);

      g_assert_true (tsm_sstable_lookup (table, (const guint8 *) absent, strlen (absent), &value,
                                         &error));
      g_assert_no_error (error);
      g_assert_null (value);
      g_free (absent);
    }
  {
    g_autoptr(GBytes) value = NULL;

    g_assert_true (tsm_sstable_lookup (table, (const guint8 *) "\xff\xff", 2, &value, NULL));
    g_assert_null (value);
  }
  collected_clear (&c);
}

/* TF's separator and successor rules, on blocks of 64 bytes. */
static void
test_separators (void)
{
  const char *keys[] = { "abcdefghijklmnopqrstuvwxyz-0123456789-a", "abzz", "abzzb", "o-last" };
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION, 64);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  gsize len;
  const guint8 *sep;
  guint8 value[60] = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    tsm_sstable_writer_add (writer, (const guint8 *) keys[i], strlen (keys[i]), value,
                            sizeof value);
  file = tsm_sstable_writer_finish (writer);
  table = open_table (file);
  g_assert_cmpuint (tsm_sstable_get_n_blocks (table), ==, 4);
  /* "abc…" < "abd" < "abzz": the first differing byte incremented. */
  sep = tsm_sstable_get_separator (table, 0, &len);
  g_assert_cmpmem (sep, len, "abd", 3);
  /* "abzz" is a prefix of "abzzb": kept whole. */
  sep = tsm_sstable_get_separator (table, 1, &len);
  g_assert_cmpmem (sep, len, "abzz", 4);
  /* "abzzb" / "o-last": 'a' + 1 = 'b' < 'o'. */
  sep = tsm_sstable_get_separator (table, 2, &len);
  g_assert_cmpmem (sep, len, "b", 1);
  /* After the last key: its first byte incremented (spec §3.2: "p"). */
  sep = tsm_sstable_get_separator (table, 3, &len);
  g_assert_cmpmem (sep, len, "p", 1);
}

/* An entry of twice the block size starts a block of its own. */
static void
test_large_entry (void)
{
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION, 1024);
  g_autofree guint8 *big = g_malloc0 (2048);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  Collected c;

  tsm_sstable_writer_add (writer, (const guint8 *) "a", 1, (const guint8 *) "x", 1);
  tsm_sstable_writer_add (writer, (const guint8 *) "b", 1, big, 2047);
  tsm_sstable_writer_add (writer, (const guint8 *) "c", 1, (const guint8 *) "y", 1);
  file = tsm_sstable_writer_finish (writer);
  table = open_table (file);
  collect_all (table, &c);
  g_assert_cmpuint (c.keys->len, ==, 3);
  g_assert_cmpuint (g_array_index (c.blocks, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (c.blocks, guint, 1), ==, 1);
  g_assert_cmpuint (g_array_index (c.blocks, guint, 2), ==, 2);
  collected_clear (&c);
}

/* The empty metaindex block TF writes, byte for byte (spec §3.2). */
static void
test_empty_table (void)
{
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION,
                                                               TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(GBytes) file = tsm_sstable_writer_finish (writer);
  static const guint8 expected[] = {
    0, 0, 0, 0, 1, 0, 0, 0, 0x00, 0xc0, 0xf2, 0xa1, 0xb0,   /* metaindex */
    0, 0, 0, 0, 1, 0, 0, 0, 0x00, 0xc0, 0xf2, 0xa1, 0xb0,   /* index */
  };
  g_autoptr(TsmSSTable) table = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (file, &size);
  Collected c;

  g_assert_cmpuint (size, ==, sizeof expected + 48);
  g_assert_cmpmem (data, sizeof expected, expected, sizeof expected);
  g_assert_cmpmem (data + size - 8, 8, "\x57\xfb\x80\x8b\x24\x75\x47\xdb", 8);
  table = open_table (file);
  collect_all (table, &c);
  g_assert_cmpuint (c.keys->len, ==, 0);
  collected_clear (&c);
}

/* Snappy: the writer's compressed blocks are what libsnappy makes of the
 * uncompressed table's blocks, and read back to the same entries. */
static void
test_snappy_table (void)
{
  g_autoptr(GPtrArray) keys = make_keys (20000);
  g_autoptr(GBytes) plain = write_table (keys, TSM_SSTABLE_NO_COMPRESSION, TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(GBytes) packed = write_table (keys, TSM_SSTABLE_SNAPPY_COMPRESSION,
                                          TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(TsmSSTable) plain_table = open_table (plain);
  g_autoptr(TsmSSTable) packed_table = open_table (packed);
  const guint8 *plain_data = g_bytes_get_data (plain, NULL);
  const guint8 *packed_data = g_bytes_get_data (packed, NULL);
  guint n = tsm_sstable_get_n_blocks (plain_table);
  Collected a, b;

  g_assert_cmpuint (g_bytes_get_size (packed), <, g_bytes_get_size (plain) / 2);
  g_assert_cmpuint (tsm_sstable_get_n_blocks (packed_table), ==, n);
  g_assert_cmpuint (n, >=, 2);
  for (guint i = 0; i < n; i++)
    {
      TsmBlockHandle hp = tsm_sstable_get_block_handle (plain_table, i);
      TsmBlockHandle hc = tsm_sstable_get_block_handle (packed_table, i);
      g_autofree char *out = g_malloc (hp.size);
      size_t out_len = hp.size;

      g_assert_cmpuint (packed_data[hc.offset + hc.size], ==, TSM_SSTABLE_SNAPPY_COMPRESSION);
      g_assert_cmpuint (plain_data[hp.offset + hp.size], ==, TSM_SSTABLE_NO_COMPRESSION);
      g_assert_cmpint (snappy_uncompress ((const char *) packed_data + hc.offset, hc.size, out,
                                          &out_len), ==, SNAPPY_OK);
      g_assert_cmpmem (out, out_len, plain_data + hp.offset, hp.size);
    }

  collect_all (plain_table, &a);
  collect_all (packed_table, &b);
  g_assert_cmpuint (a.keys->len, ==, b.keys->len);
  for (guint i = 0; i < a.keys->len; i++)
    {
      g_assert_true (g_bytes_equal (a.keys->pdata[i], b.keys->pdata[i]));
      g_assert_true (g_bytes_equal (a.values->pdata[i], b.values->pdata[i]));
    }
  assert_lookups (packed_table, &b);
  collected_clear (&a);
  collected_clear (&b);
}

/* A block that Snappy does not shrink by an eighth is stored plain. */
static void
test_snappy_incompressible (void)
{
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (TSM_SSTABLE_SNAPPY_COMPRESSION,
                                                               TSM_SSTABLE_BLOCK_SIZE);
  guint8 noise[200];
  g_autoptr(GBytes) file = NULL;
  g_autoptr(TsmSSTable) table = NULL;
  TsmBlockHandle h;

  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_test_rand_int ();
  tsm_sstable_writer_add (writer, (const guint8 *) "k", 1, noise, sizeof noise);
  file = tsm_sstable_writer_finish (writer);
  table = open_table (file);
  h = tsm_sstable_get_block_handle (table, 0);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (file, NULL))[h.offset + h.size], ==,
                    TSM_SSTABLE_NO_COMPRESSION);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/tsm/crc32c/vectors", test_crc32c_vectors);
  g_test_add_func ("/tsm/sstable/real-layout", test_real_layout);
  g_test_add_func ("/tsm/sstable/real-snappy", test_real_snappy);
  g_test_add_func ("/tsm/sstable/multi-block", test_multi_block);
  g_test_add_func ("/tsm/sstable/separators", test_separators);
  g_test_add_func ("/tsm/sstable/large-entry", test_large_entry);
  g_test_add_func ("/tsm/sstable/empty-table", test_empty_table);
  g_test_add_func ("/tsm/sstable/snappy-table", test_snappy_table);
  g_test_add_func ("/tsm/sstable/snappy-incompressible", test_snappy_incompressible);
  return g_test_run ();
}
