/* test-zip-writer.c: the .keras zip writer (white box: compiled in)
 *
 * A streamed member is written as libhdf5 writes a file: raw data pieces
 * the writer checksums as they go by, metadata that overwrites some of
 * them, truncations. libzip (with its consistency check and the CRC
 * check of a whole read) must then read back exactly what is in the file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <zip.h>
#include <zlib.h>

#include "kv3-zip-writer.h"

typedef struct {
  int           fd;
  goffset       base;
  Kv3ZipWriter *zip;
  GByteArray   *expected;  /* the streamed member's bytes */
} Member;

/* Writes @size bytes of @fill at @addr of the member, shown to the
 * writer first as libh5k's driver does. */
static void
put (Member *m, guint64 addr, gsize size, guint8 fill, gboolean raw)
{
  g_autofree guint8 *bytes = g_malloc (size);

  memset (bytes, fill, size);
  for (gsize i = 0; i < size; i++)
    bytes[i] ^= (guint8) (i * 7);
  kv3_zip_writer_watch (addr, bytes, size, raw, m->zip);
  g_assert_cmpint (pwrite (m->fd, bytes, size, m->base + addr), ==, (gssize) size);
  if (m->expected->len < addr + size)
    {
      guint old = m->expected->len;

      /* A hole reads as zeros. */
      g_byte_array_set_size (m->expected, addr + size);
      memset (m->expected->data + old, 0, addr + size - old);
    }
  memcpy (m->expected->data + addr, bytes, size);
}

static void
cut (Member *m, guint64 addr)
{
  kv3_zip_writer_watch (addr, NULL, 0, FALSE, m->zip);
  g_assert_cmpint (ftruncate (m->fd, m->base + addr), ==, 0);
  g_byte_array_set_size (m->expected, addr);
}

static void
assert_member (zip_t *za, const char *name, const guint8 *data, gsize size)
{
  zip_stat_t st;
  zip_file_t *zf;
  g_autofree guint8 *buffer = g_malloc (size + 1);

  g_assert_cmpint (zip_stat (za, name, 0, &st), ==, 0);
  g_assert_cmpuint (st.size, ==, size);
  g_assert_cmpuint (st.comp_method, ==, ZIP_CM_STORE);
  g_assert_cmpuint (st.crc, ==, crc32 (0, data, size));
  zf = zip_fopen (za, name, 0);
  g_assert_nonnull (zf);
  /* libzip checks the CRC at the end of the member. */
  g_assert_cmpint (zip_fread (zf, buffer, size + 1), ==, (zip_int64_t) size);
  g_assert_cmpint (zip_fclose (zf), ==, 0);
  g_assert_cmpmem (buffer, size, data, size);
}

static void
test_pieces (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-zip-writer-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "a.keras", NULL);
  const char *config = "{\"class_name\": \"Sequential\"}";
  Member m = { -1, 0, NULL, g_byte_array_new () };
  int zerr = 0;
  zip_t *za;

  g_assert_no_error (error);
  m.fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (m.fd, >=, 0);
  m.zip = kv3_zip_writer_new (m.fd, path);
  g_assert_true (kv3_zip_writer_add (m.zip, "config.json", config, strlen (config), TRUE, &error));
  g_assert_no_error (error);
  m.base = kv3_zip_writer_begin (m.zip, "model.weights.h5", &error);
  g_assert_no_error (error);
  g_assert_cmpint (m.base, >, 0);

  put (&m, 0, 96, 'h', FALSE);            /* a superblock */
  put (&m, 4096, 300000, 'a', TRUE);      /* raw data, checksummed on the way */
  put (&m, 304096, 1000, 'b', TRUE);
  put (&m, 1000, 2000, 'm', FALSE);       /* metadata between them */
  put (&m, 300000, 20, 'o', FALSE);       /* metadata over a raw piece */
  put (&m, 310000, 5000, 'c', TRUE);
  cut (&m, 312000);                       /* cuts the last piece short */
  put (&m, 320000, 100, 'd', TRUE);       /* beyond a hole */
  put (&m, 0, 96, 'H', FALSE);            /* the superblock again */

  g_assert_true (kv3_zip_writer_end (m.zip, &error));
  g_assert_no_error (error);
  g_assert_true (kv3_zip_writer_finish (m.zip, &error));
  g_assert_no_error (error);
  kv3_zip_writer_free (m.zip);
  g_assert_cmpint (close (m.fd), ==, 0);

  za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  g_assert_nonnull (za);
  g_assert_cmpint (zip_get_num_entries (za, 0), ==, 2);
  assert_member (za, "config.json", (const guint8 *) config, strlen (config));
  assert_member (za, "model.weights.h5", m.expected->data, m.expected->len);
  zip_discard (za);

  g_byte_array_unref (m.expected);
  g_unlink (path);
  g_rmdir (dir);
}

/* A member of 4 GiB and more needs Zip64 records: 4 GiB of zeros and a
 * tail. */
static void
test_zip64 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-zip-writer-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "big.keras", NULL);
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  const guint64 hole = G_GUINT64_CONSTANT (4) << 30;
  Member m = { -1, 0, NULL, g_byte_array_new () };
  uLong zeros_crc = crc32 (0, zeros, 1 << 20);
  uLong crc = 0;
  int zerr = 0;
  zip_t *za;
  zip_stat_t st;

  g_assert_no_error (error);
  m.fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (m.fd, >=, 0);
  m.zip = kv3_zip_writer_new (m.fd, path);
  g_assert_true (kv3_zip_writer_add (m.zip, "config.json", "{}", 2, TRUE, &error));
  m.base = kv3_zip_writer_begin (m.zip, "model.weights.h5", &error);
  g_assert_no_error (error);
  /* Raw zeros in 1 MiB pieces, shown to the writer but left as a hole
   * in the file (reading 4 GiB back would take long). */
  for (guint64 at = 0; at < hole; at += 1 << 20)
    kv3_zip_writer_watch (at, zeros, 1 << 20, TRUE, m.zip);
  g_assert_cmpint (ftruncate (m.fd, m.base + hole), ==, 0);
  kv3_zip_writer_watch (hole, "tail", 4, TRUE, m.zip);
  g_assert_cmpint (pwrite (m.fd, "tail", 4, m.base + hole), ==, 4);
  g_assert_true (kv3_zip_writer_end (m.zip, &error));
  g_assert_no_error (error);
  g_assert_true (kv3_zip_writer_finish (m.zip, &error));
  g_assert_no_error (error);
  kv3_zip_writer_free (m.zip);
  g_assert_cmpint (close (m.fd), ==, 0);

  for (guint64 i = 0; i < hole >> 20; i++)
    crc = crc32_combine (crc, zeros_crc, 1 << 20);
  crc = crc32_combine (crc, crc32 (0, (const Bytef *) "tail", 4), 4);
  za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  g_assert_nonnull (za);
  g_assert_cmpint (zip_get_num_entries (za, 0), ==, 2);
  g_assert_cmpint (zip_stat (za, "model.weights.h5", 0, &st), ==, 0);
  g_assert_cmpuint (st.size, ==, hole + 4);
  g_assert_cmpuint (st.comp_size, ==, hole + 4);
  g_assert_cmpuint (st.crc, ==, crc);
  assert_member (za, "config.json", (const guint8 *) "{}", 2);
  zip_discard (za);

  g_byte_array_unref (m.expected);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/zip-writer/pieces", test_pieces);
  g_test_add_func ("/zip-writer/zip64", test_zip64);
  return g_test_run ();
}
