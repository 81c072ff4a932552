/* test-bundle-utils.c: helpers of the TensorBundle tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-bundle-utils.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "test-utils.h"
#include "tsm-coding.h"
#include "tsm-crc32c.h"

char *
tsm_test_real_prefix (const char *relative)
{
  if (strata_test_real_fixtures () == NULL && g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      g_test_fail_printf ("the real fixtures (../shared/fixtures/real) are missing under CI=true");
      return NULL;
    }
  return strata_test_real_fixture_path (relative);
}

char *
tsm_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("strata-bundle-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
tsm_test_dir_setup (TsmTestDir    *t,
                    gconstpointer  name)
{
  t->dir = tsm_test_make_tmpdir ();
  t->prefix = g_build_filename (t->dir, name, NULL);
  t->index_path = g_strconcat (t->prefix, ".index", NULL);
}

void
tsm_test_dir_teardown (TsmTestDir    *t,
                       gconstpointer  name)
{
  tsm_test_rmtree (t->dir);
  g_free (t->dir);
  g_free (t->prefix);
  g_free (t->index_path);
}

void
tsm_test_rmtree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        tsm_test_rmtree (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

GBytes *
tsm_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  g_file_get_contents (path, &data, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

void
tsm_test_write_file (const char *path,
                     const void *data,
                     gsize       size)
{
  FILE *f;

  /* A new file, not synced: the damage tests write thousands of copies
   * (and ext4 flushes a file truncated and rewritten in place). */
  g_unlink (path);
  f = g_fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, size, f), ==, size);
  g_assert_cmpint (fclose (f), ==, 0);
}

void
tsm_test_write_bytes (const char *path,
                      GBytes     *bytes)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  tsm_test_write_file (path, data, size);
}

char *
tsm_test_copy_bundle (const char *prefix,
                      const char *dir,
                      const char *name)
{
  g_autofree char *src_dir = g_path_get_dirname (prefix);
  g_autofree char *base = g_path_get_basename (prefix);
  g_autoptr(GDir) d = g_dir_open (src_dir, 0, NULL);
  const char *file;

  g_assert_nonnull (d);
  while ((file = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_prefix (file, base) &&
          (g_str_equal (file + strlen (base), ".index") ||
           g_str_has_prefix (file + strlen (base), ".data-")))
        {
          g_autofree char *from = g_build_filename (src_dir, file, NULL);
          g_autofree char *to_name = g_strconcat (name, file + strlen (base), NULL);
          g_autofree char *to = g_build_filename (dir, to_name, NULL);
          g_autoptr(GBytes) bytes = tsm_test_read_file (from);

          tsm_test_write_bytes (to, bytes);
        }
    }
  return g_build_filename (dir, name, NULL);
}

void
tsm_test_fix_block_crc (guint8         *file,
                        TsmBlockHandle  handle)
{
  guint32 crc = tsm_crc32c (file + handle.offset, handle.size + 1);

  tsm_write_le32 (file + handle.offset + handle.size + 1, tsm_crc32c_mask (crc));
}

/* Appends a block with its trailer; returns its handle. */
static TsmBlockHandle
append_block (GByteArray   *out,
              const guint8 *contents,
              gsize         size)
{
  TsmBlockHandle handle = { out->len, size };
  guint8 trailer[5] = { 0 };

  g_byte_array_append (out, contents, (guint) size);
  g_byte_array_append (out, trailer, sizeof trailer);
  tsm_test_fix_block_crc (out->data, handle);
  return handle;
}

GBytes *
tsm_test_make_table (const guint8 *contents,
                     gsize         size,
                     const char   *separator)
{
  static const guint8 empty_block[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) index = g_byte_array_new ();
  g_autoptr(GByteArray) handle_bytes = g_byte_array_new ();
  TsmBlockHandle data, meta, idx;
  guint8 footer[48] = { 0 };
  gsize n = 0;
  guint64 magic = GUINT64_TO_LE (TSM_SSTABLE_MAGIC);

  data = append_block (out, contents, size);
  meta = append_block (out, empty_block, sizeof empty_block);

  tsm_put_varint64 (handle_bytes, data.offset);
  tsm_put_varint64 (handle_bytes, data.size);
  tsm_put_varint64 (index, 0);
  tsm_put_varint64 (index, strlen (separator));
  tsm_put_varint64 (index, handle_bytes->len);
  g_byte_array_append (index, (const guint8 *) separator, (guint) strlen (separator));
  g_byte_array_append (index, handle_bytes->data, handle_bytes->len);
  tsm_put_le32 (index, 0);
  tsm_put_le32 (index, 1);
  idx = append_block (out, index->data, index->len);

  n += tsm_encode_varint64 (footer + n, meta.offset);
  n += tsm_encode_varint64 (footer + n, meta.size);
  n += tsm_encode_varint64 (footer + n, idx.offset);
  tsm_encode_varint64 (footer + n, idx.size);
  memcpy (footer + 40, &magic, sizeof magic);
  g_byte_array_append (out, footer, sizeof footer);
  return g_byte_array_free_to_bytes (out);
}

void
tsm_test_assert_error (const GError *error,
                       int           code,
                       ...)
{
  va_list args;
  const char *part;

  g_assert_error (error, STRATA_FORMAT_ERROR, code);
  va_start (args, code);
  while ((part = va_arg (args, const char *)) != NULL)
    {
      if (strstr (error->message, part) == NULL)
        g_error ("the message “%s” does not contain “%s”", error->message, part);
    }
  va_end (args);
}
