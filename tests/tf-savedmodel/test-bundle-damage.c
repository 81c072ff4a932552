/* test-bundle-damage.c: damaged TensorBundles fail with precise errors
 *
 * tf-savedmodel spec §9 case 9 and issue 8 item 10 (bundle part): copies of
 * the real TF 2.2 bundle and of writer output, damaged in a temporary
 * folder, and tables built block by block. Every case must end in a
 * STRATA_FORMAT_ERROR naming the file and, where there is one, the key.
 * Outside sanitizers and valgrind the address space is capped at 2 GiB,
 * so that allocating a size read from a file aborts the test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <snappy-c.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
/* gcc defines __SANITIZE_ADDRESS__, clang has __has_feature. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

#include "strata.h"
#include "test-utils.h"
#include "test-bundle-utils.h"
#include "tsm-bundle-private.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"
#include "tsm-sstable.h"

typedef TsmTestDir Damage;

/* Copies the TF 2.2 SavedModel bundle to DIR/variables; returns its
 * index's bytes, or NULL when the test is skipped. */
static guint8 *
copy_real (Damage *d,
           gsize  *size)
{
  g_autofree char *real = tsm_test_real_prefix (LSO_SAVEDMODEL);
  g_autofree char *copy = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (real == NULL)
    return NULL;
  copy = tsm_test_copy_bundle (real, d->dir, "variables");
  bytes = tsm_test_read_file (d->index_path);
  return g_bytes_unref_to_data (g_steal_pointer (&bytes), size);
}

static gboolean
copy_real_bundle (Damage *d)
{
  gsize size;
  g_autofree guint8 *index = copy_real (d, &size);

  return index != NULL;
}

/* Opening fails with @code and a message holding the NULL-terminated
 * strings (and the index file's name). */
static void
assert_open_fails (Damage *d,
                   int     code,
                   ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmBundle) bundle = tsm_bundle_open (d->prefix, &error);
  va_list args;
  const char *part;

  g_assert_null (bundle);
  tsm_test_assert_error (error, code, "variables.index", NULL);
  va_start (args, code);
  while ((part = va_arg (args, const char *)) != NULL)
    tsm_test_assert_error (error, code, part, NULL);
  va_end (args);
}

static TsmBundle *
open_ok (Damage *d)
{
  g_autoptr(GError) error = NULL;
  TsmBundle *bundle = tsm_bundle_open (d->prefix, &error);

  g_assert_no_error (error);
  return bundle;
}

/* Reading @key fails with @code, naming the key and @file. */
static void
assert_read_fails (TsmBundle  *bundle,
                   const char *key,
                   int         code,
                   const char *file,
                   const char *detail)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = g_strdup_printf ("“%s”", key);
  const TsmEntry *entry = tsm_bundle_lookup (bundle, key, &error);

  g_assert_no_error (error);
  if (entry->dtype == TSM_DT_STRING)
    g_assert_null (tsm_bundle_read_strings (bundle, entry, &error));
  else
    g_assert_null (tsm_bundle_read_tensor (bundle, entry, &error));
  tsm_test_assert_error (error, code, quoted, file, detail, NULL);
}

/* Writes an index of @entries (header from @header) over the copy. */
static void
write_index (Damage                *d,
             const TsmBundleHeader *header,
             const TsmEntry        *entries,
             guint                  n)
{
  g_autoptr(GBytes) index = tsm_bundle_build_index (header, entries, n);

  tsm_test_write_bytes (d->index_path, index);
}

/* A one-tensor bundle: "w", float32 [2, 2] in shard 0, written by the
 * writer; returns its entry for damaging. */
static TsmEntry
write_small (Damage *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmBundleWriter) writer = tsm_bundle_writer_new (d->prefix, &error);
  g_autoptr(TsmBundle) bundle = NULL;
  const float values[4] = { 1, 2, 3, 4 };
  gint64 dims[2] = { 2, 2 };
  TsmEntry entry;

  g_assert_no_error (error);
  tsm_bundle_writer_add_tensor (writer, "w", TSM_DT_FLOAT, 2, dims, values, sizeof values, &error);
  g_assert_no_error (error);
  tsm_bundle_writer_finish (writer, &error);
  g_assert_no_error (error);
  bundle = open_ok (d);
  entry = *tsm_bundle_lookup (bundle, "w", &error);
  entry.key = (char *) "w";
  return entry;
}

static void
assert_opens (Damage *d)
{
  g_autoptr(TsmBundle) bundle = open_ok (d);

  g_assert_nonnull (bundle);
}

static const TsmBundleHeader one_shard = { .num_shards = 1, .producer = 1 };

/* ---- the table ---- */

static void
test_too_short (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;

  if ((index = copy_real (d, &size)) == NULL)
    return;
  tsm_test_write_file (d->index_path, index, 47);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "too short", NULL);
  tsm_test_write_file (d->index_path, "", 0);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "too short", NULL);
}

static void
test_bad_magic (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;

  if ((index = copy_real (d, &size)) == NULL)
    return;
  index[size - 1] ^= 0x01;
  tsm_test_write_file (d->index_path, index, size);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "bad magic number", NULL);
}

/* Every prefix of the index fails; so does the index with bytes cut out
 * of its middle (the footer then points past the blocks). */
static void
test_truncated (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;

  if ((index = copy_real (d, &size)) == NULL)
    return;
  for (gsize n = 0; n < size; n++)
    {
      tsm_test_write_file (d->index_path, index, n);
      assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, NULL);
    }
  for (gsize cut = 1; cut < 64; cut += 7)
    {
      g_autoptr(GByteArray) shorter = g_byte_array_new ();

      g_byte_array_append (shorter, index, 400);
      g_byte_array_append (shorter, index + 400 + cut, (guint) (size - 400 - cut));
      tsm_test_write_file (d->index_path, shorter->data, shorter->len);
      assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "offset", NULL);
    }
}

/* Every byte of every block is under a CRC: flipping any fails; the
 * footer's padding is not read. */
static void
test_flipped_block_bytes (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;

  if ((index = copy_real (d, &size)) == NULL)
    return;
  g_assert_cmpuint (size, ==, 959);
  for (gsize i = 0; i < size; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsmBundle) bundle = NULL;

      index[i] ^= 0x20;
      tsm_test_write_file (d->index_path, index, size);
      bundle = tsm_bundle_open (d->prefix, &error);
      index[i] ^= 0x20;
      if (i < 911 || i >= size - 8)
        {
          g_assert_null (bundle);
          tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "variables.index", NULL);
        }
      if (i == 100 || i == 880 || i == 900)
        tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "block checksum mismatch",
                               i == 100 ? "offset 0" : i == 880 ? "offset 878" : "offset 891",
                               NULL);
    }
}

/* Type byte 2 with a correct CRC: "bad block type". */
static void
test_bad_block_type (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;

  if ((index = copy_real (d, &size)) == NULL)
    return;
  index[873] = 2;
  tsm_test_fix_block_crc (index, (TsmBlockHandle) { 0, 873 });
  tsm_test_write_file (d->index_path, index, size);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "bad block type", "offset 0", NULL);
}

/* A data block that claims to be Snappy but is not, and Snappy lengths
 * beyond what Strata or Snappy allows: refused before allocating. */
static void
test_bad_snappy (Damage *d, gconstpointer data)
{
  gsize size;
  g_autofree guint8 *index = NULL;
  guint8 huge[] = { 0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x01, 0x02 };   /* 2^31 */
  guint8 dense[] = { 0x80, 0x80, 0x04, 0x00 };                           /* 64 KiB from 4 bytes */
  struct { const guint8 *block; gsize len; int code; const char *detail; } cases[] = {
    { huge, sizeof huge, STRATA_FORMAT_ERROR_LIMIT, "declares" },
    { dense, sizeof dense, STRATA_FORMAT_ERROR_CORRUPT, "more uncompressed bytes" },
  };

  if ((index = copy_real (d, &size)) == NULL)
    return;
  index[873] = 1;
  tsm_test_fix_block_crc (index, (TsmBlockHandle) { 0, 873 });
  tsm_test_write_file (d->index_path, index, size);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "Snappy", "offset 0", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) table = tsm_test_make_table (cases[i].block, cases[i].len, "z");
      gsize n;
      g_autofree guint8 *bytes = g_bytes_unref_to_data (g_steal_pointer (&table), &n);

      bytes[cases[i].len] = 1;   /* the data block is first */
      tsm_test_fix_block_crc (bytes, (TsmBlockHandle) { 0, cases[i].len });
      tsm_test_write_file (d->index_path, bytes, n);
      assert_open_fails (d, cases[i].code, cases[i].detail, NULL);
    }
}

static gboolean
skip_entry (const TsmSSTableEntry  *entry,
            gpointer                user_data,
            GError                **error)
{
  return TRUE;
}

/* Data blocks built by hand, each starting with a valid header entry
 * (H): entries and restart arrays that lie. */
#define H "\x00\x00\x02\x08\x01"
#define R "\0\0\0\0\1\0\0\0"
#define BLOCK(s) s, sizeof (s) - 1
static void
test_bad_blocks (Damage *d, gconstpointer data)
{
  static const struct {
    const char *name;
    const char *block;
    gsize       len;
    const char *detail;
  } cases[] = {
    { "bad varint", BLOCK (H "\xff\xff\xff\xff\xff\xff\x00\x00" R), "bad varint" },
    { "varint32 over 32 bits", BLOCK (H "\x80\x80\x80\x80\x10\x00\x00" R), "bad varint" },
    { "varint cut by the restarts", BLOCK (H "\x00\x80" R), "bad varint" },
    { "key past the end", BLOCK (H "\x00\x10\x00" "ab" R), "runs past the end" },
    { "value past the end", BLOCK (H "\x00\x01\x7f" "a" R), "runs past the end" },
    { "shared beyond the previous key", BLOCK (H "\x00\x01\x00" "a" "\x05\x01\x00" "b" R),
      "shares more bytes" },
    { "keys out of order", BLOCK (H "\x00\x01\x00" "b" "\x00\x01\x00" "a" R), "does not sort after" },
    { "duplicate key", BLOCK (H "\x00\x01\x00" "a" "\x01\x00\x00" R), "does not sort after" },
    { "too many restarts", BLOCK (H "\x00\x01\x00" "a" "\0\0\0\0\xff\xff\xff\x00"), "restart points" },
    { "no restarts", BLOCK (H "\x00\x01\x00" "a" "\0\0\0\0"), "restart points" },
    { "restart out of range", BLOCK (H "\x00\x01\x00" "a" "\0\0\0\0\x0e\0\0\0\2\0\0\0"),
      "restart points" },
    { "restart inside an entry",
      BLOCK (H "\x00\x01\x00" "a" "\x00\x01\x00" "b" "\0\0\0\0\x07\0\0\0\2\0\0\0"),
      "restart point is not at the start" },
    { "restart inside the last entry",
      BLOCK (H "\x00\x01\x00" "a" "\0\0\0\0\x06\0\0\0\2\0\0\0"), "restart point is not at the start" },
    { "restart with a shared prefix",
      BLOCK (H "\x00\x02\x00" "ab" "\x01\x01\x00" "c" "\0\0\0\0\x0a\0\0\0\2\0\0\0"),
      "shares a prefix" },
    { "block without a restart array", BLOCK ("\x01\x00"), "too small" },
    { "key beyond its separator", BLOCK (H "\x00\x01\x00" "z" R), "outside the range" },
  };

  /* Iterated without decoding values: entries with invalid values must
   * not stop the walk before the damage. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) table = tsm_test_make_table ((const guint8 *) cases[i].block, cases[i].len,
                                                     "y");
      g_autoptr(TsmSSTable) t = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].name);
      t = tsm_sstable_new (table, "variables.index", &error);
      g_assert_no_error (error);
      g_assert_false (tsm_sstable_foreach (t, skip_entry, NULL, &error));
      tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "variables.index", cases[i].detail,
                             NULL);
    }
  /* The same block with its restarts intact is read. */
  {
    g_autoptr(GBytes) table = tsm_test_make_table ((const guint8 *) H "\x00\x01\x00" "a" R,
                                                   sizeof (H "\x00\x01\x00" "a" R) - 1, "y");
    g_autoptr(GError) error = NULL;
    g_autoptr(TsmSSTable) t = tsm_sstable_new (table, "variables.index", &error);

    g_assert_no_error (error);
    g_assert_true (tsm_sstable_foreach (t, skip_entry, NULL, &error));
    g_assert_no_error (error);
  }
}
#undef BLOCK
#undef R
#undef H

/* Lookup of a table with a broken restart key fails cleanly too. */
static void
test_bad_lookup (Damage *d, gconstpointer data)
{
  static const char block[] = "\x00\x01\x00" "a" "\x00\x01\x00" "b" "\x00\x81\x00" "c"
                              "\0\0\0\0\4\0\0\0\x08\0\0\0\3\0\0\0";
  g_autoptr(GBytes) table = tsm_test_make_table ((const guint8 *) block, sizeof block - 1, "d");
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmSSTable) t = tsm_sstable_new (table, "table.index", &error);
  g_autoptr(GBytes) value = NULL;

  g_assert_no_error (error);
  g_assert_false (tsm_sstable_lookup (t, (const guint8 *) "c", 1, &value, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "table.index", "restart point", NULL);
  g_assert_null (value);
}

/* ---- the header ---- */

static void
write_raw_index (Damage     *d,
                 const char *header,
                 gsize       header_len,
                 const char *key,
                 const char *entry,
                 gsize       entry_len)
{
  g_autoptr(TsmSSTableWriter) writer = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION,
                                                               TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(GBytes) table = NULL;

  if (header != NULL)
    tsm_sstable_writer_add (writer, (const guint8 *) "", 0, (const guint8 *) header, header_len);
  if (key != NULL)
    tsm_sstable_writer_add (writer, (const guint8 *) key, strlen (key), (const guint8 *) entry,
                            entry_len);
  table = tsm_sstable_writer_finish (writer);
  tsm_test_write_bytes (d->index_path, table);
}

static void
test_bad_header (Damage *d, gconstpointer data)
{
  static const struct {
    const char *header;
    gsize       len;
    int         code;
    const char *detail;
  } cases[] = {
    { "\x08\x01\x1a\x04\x08\x01\x10\x02", 8, STRATA_FORMAT_ERROR_UNSUPPORTED, "version 2" },
    { "\x08\x01\x1a\x04\x08\x01\x18\x01", 8, STRATA_FORMAT_ERROR_UNSUPPORTED, "excludes" },
    { "\x08\x01\x1a\x0b\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 15, STRATA_FORMAT_ERROR_CORRUPT,
      "producer version -1" },
    { "\x08\x01\x10\x05", 4, STRATA_FORMAT_ERROR_CORRUPT, "byte order 5" },
    { "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, STRATA_FORMAT_ERROR_CORRUPT, "-1 shards" },
    { "\x08", 1, STRATA_FORMAT_ERROR_CORRUPT, "cannot be parsed" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      write_raw_index (d, cases[i].header, cases[i].len, NULL, NULL, 0);
      assert_open_fails (d, cases[i].code, cases[i].detail, NULL);
    }
  /* No header: an empty table, or a first key that is not "". */
  write_raw_index (d, NULL, 0, NULL, NULL, 0);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "no bundle header", NULL);
  write_raw_index (d, NULL, 0, "a", "\x08\x01", 2);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "no bundle header", "“a”", NULL);
  /* A later version TF still accepts: producer 7, min_consumer 1. */
  write_raw_index (d, "\x08\x01\x1a\x04\x08\x07\x10\x01", 8, NULL, NULL, 0);
  assert_opens (d);
}

/* ---- entries ---- */

static void
test_bad_entries (Damage *d, gconstpointer data)
{
  TsmEntry good = write_small (d);
  struct {
    const char *name;
    int         code;
    const char *detail;
    TsmEntry    entry;
  } cases[] = {
    { "unknown dtype", STRATA_FORMAT_ERROR_UNSUPPORTED, "dtype 99", good },
    { "invalid dtype", STRATA_FORMAT_ERROR_CORRUPT, "invalid dtype 0", good },
    { "size not matching the shape", STRATA_FORMAT_ERROR_CORRUPT, "invalid size", good },
    { "negative dimension", STRATA_FORMAT_ERROR_CORRUPT, "negative dimension -2", good },
    { "shard out of range", STRATA_FORMAT_ERROR_CORRUPT, "shard 1", good },
    { "too many dimensions", STRATA_FORMAT_ERROR_LIMIT, "33 dimensions", good },
    { "element count overflow", STRATA_FORMAT_ERROR_LIMIT, "too large", good },
    { "byte count overflow", STRATA_FORMAT_ERROR_LIMIT, "too large", good },
    { "extent overflow", STRATA_FORMAT_ERROR_CORRUPT, "impossible extent", good },
    { "string smaller than its elements", STRATA_FORMAT_ERROR_CORRUPT, "fewer than", good },
  };

  cases[0].entry.dtype = 99;
  cases[1].entry.dtype = 0;
  cases[2].entry.size = 12;
  cases[3].entry.dims[1] = -2;
  cases[4].entry.shard_id = 1;
  cases[5].entry.rank = TSM_MAX_RANK;   /* one more dim is added below */
  cases[6].entry.dims[0] = G_GINT64_CONSTANT (1) << 40;
  cases[6].entry.dims[1] = G_GINT64_CONSTANT (1) << 40;
  cases[7].entry.dims[0] = G_GINT64_CONSTANT (1) << 31;
  cases[7].entry.dims[1] = G_GINT64_CONSTANT (1) << 31;
  cases[8].entry.offset = G_GUINT64_CONSTANT (1) << 62;
  cases[8].entry.dims[0] = G_GINT64_CONSTANT (1) << 30;
  cases[8].entry.dims[1] = G_GINT64_CONSTANT (1) << 30;
  cases[8].entry.size = G_GUINT64_CONSTANT (1) << 62;
  cases[9].entry.dtype = TSM_DT_STRING;
  cases[9].entry.dims[0] = 100;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].name);
      if (i == 5)
        {
          /* build_index writes at most TSM_MAX_RANK dims: add one by hand. */
          g_autoptr(GBytes) index = NULL;
          g_autoptr(GByteArray) entry = g_byte_array_new ();
          g_autoptr(TsmSSTableWriter) w = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION,
                                                                  TSM_SSTABLE_BLOCK_SIZE);

          g_byte_array_append (entry, (const guint8 *) "\x08\x01\x12\x42", 4);
          for (int j = 0; j < 33; j++)
            g_byte_array_append (entry, (const guint8 *) "\x12\x00", 2);
          tsm_sstable_writer_add (w, (const guint8 *) "", 0, (const guint8 *) "\x08\x01", 2);
          tsm_sstable_writer_add (w, (const guint8 *) "w", 1, entry->data, entry->len);
          index = tsm_sstable_writer_finish (w);
          tsm_test_write_bytes (d->index_path, index);
        }
      else
        write_index (d, &one_shard, &cases[i].entry, 1);
      assert_open_fails (d, cases[i].code, "“w”", cases[i].detail, NULL);
    }

  /* An entry that is not a BundleEntryProto. */
  write_raw_index (d, "\x08\x01", 2, "w", "\xff", 1);
  assert_open_fails (d, STRATA_FORMAT_ERROR_CORRUPT, "“w”", "cannot be parsed", NULL);
  /* Unknown fields are skipped. */
  write_raw_index (d, "\x08\x01\xa0\x06\x01", 5, "w", "\x08\x01\x12\x00\x28\x04\x35\x00\x00\x00\x00"
                   "\xa2\x06\x01x", 15);
  assert_opens (d);
}

/* A partitioned variable is listed, its slice keys (with NUL bytes) are
 * not, and reading it is refused explicitly. */
static void
test_slices (Damage *d, gconstpointer data)
{
  g_autoptr(TsmSSTableWriter) w = tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION,
                                                          TSM_SSTABLE_BLOCK_SIZE);
  g_autoptr(GBytes) index = NULL;
  g_autoptr(TsmBundle) bundle = NULL;

  tsm_sstable_writer_add (w, (const guint8 *) "", 0, (const guint8 *) "\x08\x01", 2);
  tsm_sstable_writer_add (w, (const guint8 *) "\x00slice", 6,
                          (const guint8 *) "\x08\x01\x12\x04\x12\x02\x08\x02\x28\x08", 10);
  tsm_sstable_writer_add (w, (const guint8 *) "part", 4,
                          (const guint8 *) "\x08\x01\x12\x04\x12\x02\x08\x04"
                          "\x3a\x06\x0a\x04\x08\x00\x10\x02", 16);
  index = tsm_sstable_writer_finish (w);
  tsm_test_write_bytes (d->index_path, index);

  bundle = open_ok (d);
  g_assert_cmpuint (tsm_bundle_get_n_entries (bundle), ==, 1);
  g_assert_cmpuint (tsm_bundle_get_entry (bundle, 0)->n_slices, ==, 1);
  assert_read_fails (bundle, "part", STRATA_FORMAT_ERROR_UNSUPPORTED, "variables.index",
                     "partitioned");
}

/* ---- tensors ---- */

#define FIRST_KERNEL "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"

/* Flips a bit of the first kernel's bytes in the copy of the real bundle. */
static void
flip_first_kernel (Damage *d)
{
  g_autofree char *shard1 = g_strconcat (d->prefix, ".data-00001-of-00002", NULL);
  g_autoptr(TsmBundle) bundle = open_ok (d);
  const TsmEntry *kernel = tsm_bundle_lookup (bundle, FIRST_KERNEL, NULL);
  g_autoptr(GBytes) file = tsm_test_read_file (shard1);
  gsize size;
  g_autofree guint8 *bytes = g_bytes_unref_to_data (g_steal_pointer (&file), &size);

  bytes[kernel->offset + 5] ^= 0x01;
  tsm_test_write_file (shard1, bytes, size);
}

/* Reads every numeric tensor of @bundle with deferred checks; returns
 * what tsm_bundle_finish_checks() says. */
static gboolean
read_all_deferred (TsmBundle *bundle, GError **error)
{
  tsm_bundle_defer_checks (bundle);
  for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
    {
      const TsmEntry *entry = tsm_bundle_get_entry (bundle, i);
      g_autoptr(GBytes) bytes = NULL;

      if (entry->dtype == TSM_DT_STRING)
        continue;
      bytes = tsm_bundle_read_tensor (bundle, entry, error);
      g_assert_no_error (*error);
      g_assert_nonnull (bytes);
    }
  return tsm_bundle_finish_checks (bundle, error);
}

static void
test_flipped_tensor (Damage *d, gconstpointer data)
{
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GBytes) bias = NULL;
  g_autoptr(GError) error = NULL;

  if (!copy_real_bundle (d))
    return;
  flip_first_kernel (d);
  bundle = open_ok (d);
  assert_read_fails (bundle, FIRST_KERNEL,
                     STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00001-of-00002", "Checksum mismatch");
  /* The other tensors of the shard are intact. */
  bias = tsm_bundle_read_tensor (bundle,
                                 tsm_bundle_lookup (bundle, "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE",
                                                    NULL),
                                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (bias);
}

/* Checks deferred to worker threads find the same damage, once every
 * tensor is read, and the reads after them check at once again. */
static void
test_flipped_tensor_deferred (Damage *d, gconstpointer data)
{
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;

  if (!copy_real_bundle (d))
    return;
  bundle = open_ok (d);
  g_assert_true (read_all_deferred (bundle, &error));
  g_assert_no_error (error);
  g_clear_pointer (&bundle, tsm_bundle_free);

  flip_first_kernel (d);
  bundle = open_ok (d);
  g_assert_false (read_all_deferred (bundle, &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_CORRUPT, "“" FIRST_KERNEL "”",
                         "variables.data-00001-of-00002", "Checksum mismatch", NULL);
  assert_read_fails (bundle, FIRST_KERNEL, STRATA_FORMAT_ERROR_CORRUPT,
                     "variables.data-00001-of-00002", "Checksum mismatch");

  /* a bundle freed with checks still queued waits for them */
  g_clear_pointer (&bundle, tsm_bundle_free);
  bundle = open_ok (d);
  tsm_bundle_defer_checks (bundle);
  for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
    if (tsm_bundle_get_entry (bundle, i)->dtype != TSM_DT_STRING)
      g_bytes_unref (tsm_bundle_read_tensor (bundle, tsm_bundle_get_entry (bundle, i), NULL));
}

/* The object graph string with damaged lengths or bytes. */
static void
test_flipped_string (Damage *d, gconstpointer data)
{
  static const struct { gsize at; guint8 value; const char *detail; } cases[] = {
    { 0, 0xff, NULL },          /* first length byte */
    { 1, 0x7f, NULL },          /* length's last byte: another length */
    { 2, 0x00, "checksum of the string lengths" },
    { 100, 0x00, "Checksum mismatch" },
  };
  g_autofree char *shard0 = NULL;
  g_autoptr(GBytes) original = NULL;

  if (!copy_real_bundle (d))
    return;
  shard0 = g_strconcat (d->prefix, ".data-00000-of-00002", NULL);
  original = tsm_test_read_file (shard0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize size = g_bytes_get_size (original);
      g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (original, NULL), size);
      g_autoptr(TsmBundle) bundle = NULL;

      bytes[cases[i].at] = bytes[cases[i].at] == cases[i].value ? cases[i].value ^ 1 : cases[i].value;
      tsm_test_write_file (shard0, bytes, size);
      bundle = open_ok (d);
      assert_read_fails (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH", STRATA_FORMAT_ERROR_CORRUPT,
                         "variables.data-00000-of-00002", cases[i].detail);
    }
}

/* A string tensor whose size leaves bytes after its last string. */
static void
test_string_trailing_bytes (Damage *d, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmBundleWriter) writer = tsm_bundle_writer_new (d->prefix, &error);
  g_autoptr(TsmBundle) bundle = NULL;
  g_autofree char *shard = g_strconcat (d->prefix, ".data-00000-of-00001", NULL);
  TsmEntry entry;

  g_assert_no_error (error);
  tsm_bundle_writer_add_string (writer, "s", "abc", 3, &error);
  g_assert_no_error (error);
  tsm_bundle_writer_finish (writer, &error);
  g_assert_no_error (error);
  bundle = open_ok (d);
  entry = *tsm_bundle_lookup (bundle, "s", NULL);
  entry.key = (char *) "s";
  entry.size += 1;
  g_clear_pointer (&bundle, tsm_bundle_free);
  write_index (d, &one_shard, &entry, 1);
  {
    g_autoptr(GBytes) bytes = tsm_test_read_file (shard);
    g_autoptr(GByteArray) longer = g_bytes_unref_to_array (g_steal_pointer (&bytes));

    g_byte_array_append (longer, (const guint8 *) "X", 1);
    tsm_test_write_file (shard, longer->data, longer->len);
  }

  bundle = open_ok (d);
  assert_read_fails (bundle, "s", STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00000-of-00001",
                     "do not add up");
}

static void
test_missing_shard (Damage *d, gconstpointer data)
{
  g_autofree char *shard1 = NULL;
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GPtrArray) graph = NULL;
  g_autoptr(GError) error = NULL;

  if (!copy_real_bundle (d))
    return;
  shard1 = g_strconcat (d->prefix, ".data-00001-of-00002", NULL);
  g_assert_cmpint (g_unlink (shard1), ==, 0);
  bundle = open_ok (d);
  assert_read_fails (bundle, "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                     STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00001-of-00002", "missing");
  graph = tsm_bundle_read_strings (bundle, tsm_bundle_lookup (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH",
                                                              NULL),
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph->len, ==, 1);
}

/* Millions of declared shards cost nothing until one is read, and then
 * name the file that is not there. */
static void
test_millions_of_shards (Damage *d, gconstpointer data)
{
  TsmEntry entry = write_small (d);
  TsmBundleHeader header = one_shard;
  g_autoptr(TsmBundle) bundle = NULL;
  gint64 start = g_get_monotonic_time ();

  header.num_shards = 5000000;
  write_index (d, &header, &entry, 1);
  bundle = open_ok (d);
  g_assert_cmpint (tsm_bundle_get_num_shards (bundle), ==, 5000000);
  assert_read_fails (bundle, "w", STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00000-of-5000000",
                     "missing");
  g_clear_pointer (&bundle, tsm_bundle_free);

  header.num_shards = G_MAXINT32;
  entry.shard_id = G_MAXINT32 - 1;
  write_index (d, &header, &entry, 1);
  bundle = open_ok (d);
  assert_read_fails (bundle, "w", STRATA_FORMAT_ERROR_CORRUPT,
                     "variables.data-2147483646-of-2147483647", "missing");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* Sizes far beyond the shard fail when read, without allocating them. */
static void
test_huge_sizes (Damage *d, gconstpointer data)
{
  TsmEntry good = write_small (d);
  TsmEntry floats = good, strings = good, offset = good;
  g_autoptr(TsmBundle) bundle = NULL;

  floats.key = (char *) "floats";
  floats.dims[0] = G_GINT64_CONSTANT (1) << 30;
  floats.dims[1] = G_GINT64_CONSTANT (1) << 30;
  floats.size = G_GUINT64_CONSTANT (1) << 62;
  offset.key = (char *) "offset";
  offset.offset = G_GUINT64_CONSTANT (1) << 40;
  strings.key = (char *) "strings";
  strings.dtype = TSM_DT_STRING;
  strings.rank = 1;
  strings.dims[0] = G_GINT64_CONSTANT (1) << 40;
  strings.size = G_GUINT64_CONSTANT (1) << 41;
  {
    TsmEntry entries[] = { floats, offset, strings, good };

    write_index (d, &one_shard, entries, G_N_ELEMENTS (entries));
  }
  bundle = open_ok (d);
  assert_read_fails (bundle, "floats", STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00000-of-00001",
                     "beyond the end");
  assert_read_fails (bundle, "offset", STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00000-of-00001",
                     "beyond the end");
  assert_read_fails (bundle, "strings", STRATA_FORMAT_ERROR_CORRUPT, "variables.data-00000-of-00001",
                     "beyond the end");
  /* The bundle's real tensor still reads. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) w = tsm_bundle_read_tensor (bundle, tsm_bundle_lookup (bundle, "w", NULL),
                                                  &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (w), ==, 16);
  }
}

/* Reading a tensor with a reader of the wrong kind is refused. */
static void
test_wrong_reader (Damage *d, gconstpointer data)
{
  TsmEntry good = write_small (d);
  g_autoptr(TsmBundle) bundle = open_ok (d);
  g_autoptr(GError) error = NULL;

  g_assert_null (tsm_bundle_read_strings (bundle, tsm_bundle_lookup (bundle, good.key, NULL), &error));
  tsm_test_assert_error (error, STRATA_FORMAT_ERROR_UNSUPPORTED, "“w”", "DT_FLOAT", NULL);
}

static void
limit_memory (void)
{
#ifndef __SANITIZE_ADDRESS__
  struct rlimit limit = { (rlim_t) 2 << 30, (rlim_t) 2 << 30 };

  if (!RUNNING_ON_VALGRIND)
    g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
#endif
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  limit_memory ();

#define ADD(path, func) \
  g_test_add (path, Damage, "variables", tsm_test_dir_setup, func, tsm_test_dir_teardown)
  ADD ("/tsm/damage/too-short", test_too_short);
  ADD ("/tsm/damage/bad-magic", test_bad_magic);
  ADD ("/tsm/damage/truncated", test_truncated);
  ADD ("/tsm/damage/flipped-block-bytes", test_flipped_block_bytes);
  ADD ("/tsm/damage/bad-block-type", test_bad_block_type);
  ADD ("/tsm/damage/bad-snappy", test_bad_snappy);
  ADD ("/tsm/damage/bad-blocks", test_bad_blocks);
  ADD ("/tsm/damage/bad-lookup", test_bad_lookup);
  ADD ("/tsm/damage/bad-header", test_bad_header);
  ADD ("/tsm/damage/bad-entries", test_bad_entries);
  ADD ("/tsm/damage/slices", test_slices);
  ADD ("/tsm/damage/flipped-tensor", test_flipped_tensor);
  ADD ("/tsm/damage/flipped-tensor-deferred", test_flipped_tensor_deferred);
  ADD ("/tsm/damage/flipped-string", test_flipped_string);
  ADD ("/tsm/damage/string-trailing-bytes", test_string_trailing_bytes);
  ADD ("/tsm/damage/missing-shard", test_missing_shard);
  ADD ("/tsm/damage/millions-of-shards", test_millions_of_shards);
  ADD ("/tsm/damage/huge-sizes", test_huge_sizes);
  ADD ("/tsm/damage/wrong-reader", test_wrong_reader);
#undef ADD
  return g_test_run ();
}
