/* test-mapped.c: pages of registered mappings are given back, and nothing
 * else is touched
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "strata.h"
#include "strata-mapped-private.h"
#include "test-utils.h"

#define FILE_SIZE ((gsize) 32 << 20)

/* The file-backed part of this process's resident memory, in KiB. */
static guint64
rss_file_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "RssFile:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("RssFile:"), NULL, 10);
}

static guint64
sum_bytes (const guint8 *data, gsize size)
{
  guint64 sum = 0;

  for (gsize i = 0; i < size; i++)
    sum += data[i];
  return sum;
}

/* A file of FILE_SIZE bytes (i % 251) and the sum of its bytes. */
static char *
make_file (guint64 *sum)
{
  g_autofree guint8 *contents = g_malloc (FILE_SIZE);
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("strata-mapped-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_close (fd, NULL);
  for (gsize i = 0; i < FILE_SIZE; i++)
    contents[i] = i % 251;
  *sum = sum_bytes (contents, FILE_SIZE);
  g_assert_true (g_file_set_contents (path, (const char *) contents, FILE_SIZE, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_release_mapped (void)
{
  guint64 expected;
  g_autofree char *path = make_file (&expected);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GBytes) slice = NULL;
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { FILE_SIZE - 200 });
  g_autoptr(StrataTensor) tensor = NULL;
  gsize size;
  const guint8 *data;
  guint64 before, touched, released;

  g_assert_no_error (error);
  whole = strata_mapped_bytes_new (file);
  /* Not page-aligned at either end, as weights in a file are not. */
  slice = g_bytes_new_from_bytes (whole, 100, FILE_SIZE - 200);
  tensor = strata_tensor_new (STRATA_DTYPE_UINT8, shape, slice, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (slice, &size);

  before = rss_file_kib ();
  g_assert_cmpuint (sum_bytes (data, size) + sum_bytes (g_bytes_get_data (whole, NULL), 100) +
                    sum_bytes ((const guint8 *) g_bytes_get_data (whole, NULL) + FILE_SIZE - 100, 100),
                    ==, expected);
  touched = rss_file_kib ();
  g_assert_cmpuint (touched, >=, before + (FILE_SIZE >> 10) * 9 / 10);

  strata_tensor_release_pages (tensor);
  released = rss_file_kib ();
  g_test_message ("RssFile: %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " touched, %"
                  G_GUINT64_FORMAT " released", before, touched, released);
  g_assert_cmpuint (released, <=, touched - (FILE_SIZE >> 10) * 9 / 10);

  /* The data reads the same again, from the file. */
  g_assert_cmpuint (sum_bytes (data, size) + sum_bytes (g_bytes_get_data (whole, NULL), 100) +
                    sum_bytes ((const guint8 *) g_bytes_get_data (whole, NULL) + FILE_SIZE - 100, 100),
                    ==, expected);
  g_unlink (path);
}

/* Memory that is not a registered mapping keeps its pages and its data:
 * a heap tensor, and a mapping that is no longer registered. */
static void
test_release_other (void)
{
  guint64 expected;
  g_autofree char *path = make_file (&expected);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *heap = NULL;
  gsize size;
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(StrataTensor) tensor = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) whole = NULL;

  g_assert_true (g_file_get_contents (path, (char **) &heap, &size, &error));
  g_assert_no_error (error);
  shape = strata_shape_new (1, (gint64[]) { size });
  bytes = g_bytes_new_static (heap, size);
  tensor = strata_tensor_new (STRATA_DTYPE_UINT8, shape, bytes, &error);
  g_assert_no_error (error);
  strata_tensor_release_pages (tensor);
  /* MADV_DONTNEED on anonymous memory would have zeroed it. */
  g_assert_cmpuint (sum_bytes (heap, size), ==, expected);

  /* An unregistered mapping of the same file: its pages stay. */
  file = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  whole = g_mapped_file_get_bytes (file);
  g_assert_cmpuint (sum_bytes (g_bytes_get_data (whole, NULL), size), ==, expected);
  {
    guint64 touched = rss_file_kib ();

    strata_mapped_release (g_bytes_get_data (whole, NULL), size);
    g_assert_cmpuint (rss_file_kib (), >=, touched - 64);
  }
  g_unlink (path);
}

/* Freeing the bytes unregisters the range. */
static void
test_unregister (void)
{
  guint64 expected;
  g_autofree char *path = make_file (&expected);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
  GBytes *whole;
  const guint8 *data;
  guint64 touched;

  g_assert_no_error (error);
  whole = strata_mapped_bytes_new (file);
  data = g_bytes_get_data (whole, NULL);
  g_bytes_unref (whole);
  /* @file still maps the same range, which is no longer registered. */
  g_assert_cmpuint (sum_bytes (data, FILE_SIZE), ==, expected);
  touched = rss_file_kib ();
  strata_mapped_release (data, FILE_SIZE);
  g_assert_cmpuint (rss_file_kib (), >=, touched - 64);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/mapped/release", test_release_mapped);
  g_test_add_func ("/mapped/other-memory", test_release_other);
  g_test_add_func ("/mapped/unregister", test_unregister);
  return g_test_run ();
}
