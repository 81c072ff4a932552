/* kv3-zip-writer.c: a STORED zip archive written straight into a file
 *
 * Layout as in PKWARE's APPNOTE (4.3.7 local header, 4.3.12 central
 * directory, 4.3.14-16 end records, 4.5.3 Zip64 extra field).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>
#include <libdeflate.h>
#include <zlib.h>

#include "strata-i18n-private.h"
#include "kv3-zip-writer.h"

#define LOCAL_SIG        0x04034b50u
#define CENTRAL_SIG      0x02014b50u
#define END_SIG          0x06054b50u
#define ZIP64_END_SIG    0x06064b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP64_EXTRA_ID   0x0001
/* Android's alignment field: padding that every reader skips. */
#define PADDING_EXTRA_ID 0xd935
#define MAX32            G_GUINT64_CONSTANT (0xffffffff)
#define MAX16            0xffff
#define LOCAL_HEADER_LEN 30
/* A streamed member's local header keeps room for a Zip64 extra field:
 * its id, its length and both sizes. */
#define ZIP64_LOCAL_EXTRA_LEN 20
#define VERSION_20       20
#define VERSION_ZIP64    45
#define MADE_BY_UNIX     (3 << 8)
#define CRC_CHUNK        (1 << 20)

typedef struct {
  char    *name;
  guint32  crc;
  guint64  size;
  guint64  offset;   /* of its local header */
  guint16  time, date;
} Member;

/* A piece of the open member whose checksum is known: its bytes as they
 * were written and not overwritten since. */
typedef struct {
  guint64  addr;     /* from the member's start */
  guint64  size;
  guint32  crc;
} Piece;

struct _Kv3ZipWriter {
  int      fd;
  char    *name;
  guint64  end;      /* where the next local header goes */
  GArray  *members;  /* (element-type Member) */
  gboolean open;     /* the last member was begun, not ended */
  GArray  *pieces;   /* (element-type Piece) of the open member, by address,
                      * disjoint */
};

static void
member_clear (Member *m)
{
  g_free (m->name);
}

Kv3ZipWriter *
kv3_zip_writer_new (int fd, const char *name)
{
  Kv3ZipWriter *self = g_new0 (Kv3ZipWriter, 1);

  self->fd = fd;
  self->name = g_strdup (name);
  self->members = g_array_new (FALSE, TRUE, sizeof (Member));
  self->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  g_array_set_clear_func (self->members, (GDestroyNotify) member_clear);
  return self;
}

void
kv3_zip_writer_free (Kv3ZipWriter *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->members);
  g_array_unref (self->pieces);
  g_free (self->name);
  g_free (self);
}

static gboolean
fail (Kv3ZipWriter *self, int saved_errno, GError **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: the first %s is a file name, the second %s the system's error
                * message. */
               _("Cannot write the .keras archive “%s”: %s"), self->name, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_at (Kv3ZipWriter *self, const void *data, gsize length, guint64 offset, GError **error)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = pwrite (self->fd, p, length, (off_t) offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return fail (self, n < 0 ? errno : ENOSPC, error);
      p += n;
      offset += n;
      length -= n;
    }
  return TRUE;
}

static void
put16 (GByteArray *b, guint v)
{
  guint8 le[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (b, le, sizeof le);
}

static void
put32 (GByteArray *b, guint32 v)
{
  put16 (b, v & 0xffff);
  put16 (b, v >> 16);
}

static void
put64 (GByteArray *b, guint64 v)
{
  put32 (b, v & MAX32);
  put32 (b, v >> 32);
}

/* DOS date and time, local (as zip tools store them). */
static void
stamp (Member *m, gboolean fixed_time)
{
  time_t now = time (NULL);
  struct tm tm;

  if (fixed_time || localtime_r (&now, &tm) == NULL || tm.tm_year < 80)
    {
      m->time = 0;
      m->date = (1 << 5) | 1;
      return;
    }
  m->time = (tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2);
  m->date = ((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday;
}

/* The local header of @m; @extra_len bytes of extra field follow it
 * (written by the caller). */
static void
put_local_header (GByteArray *b, const Member *m, gboolean zip64, guint extra_len)
{
  put32 (b, LOCAL_SIG);
  put16 (b, zip64 ? VERSION_ZIP64 : VERSION_20);
  put16 (b, 0);                              /* flags */
  put16 (b, 0);                              /* STORED */
  put16 (b, m->time);
  put16 (b, m->date);
  put32 (b, m->crc);
  put32 (b, zip64 ? MAX32 : m->size);        /* compressed size */
  put32 (b, zip64 ? MAX32 : m->size);
  put16 (b, strlen (m->name));
  put16 (b, extra_len);
  g_byte_array_append (b, (const guint8 *) m->name, strlen (m->name));
}

static gboolean
add_member (Kv3ZipWriter *self, const char *member, gboolean fixed_time, Member **out, GError **error)
{
  Member m = { g_strdup (member), 0, 0, self->end, 0, 0 };

  g_return_val_if_fail (!self->open, FALSE);
  if (strlen (member) > MAX16)
    return fail (self, ENAMETOOLONG, error);
  stamp (&m, fixed_time);
  g_array_append_val (self->members, m);
  *out = &g_array_index (self->members, Member, self->members->len - 1);
  return TRUE;
}

gboolean
kv3_zip_writer_add (Kv3ZipWriter *self, const char *member, const void *data, gsize length,
                    gboolean fixed_time, GError **error)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();
  Member *m;

  if (length >= MAX32)
    return fail (self, EFBIG, error);
  if (!add_member (self, member, fixed_time, &m, error))
    return FALSE;
  m->size = length;
  m->crc = libdeflate_crc32 (0, data, length);
  put_local_header (header, m, FALSE, 0);
  if (!write_at (self, header->data, header->len, m->offset, error) ||
      !write_at (self, data, length, m->offset + header->len, error))
    return FALSE;
  self->end = m->offset + header->len + length;
  return TRUE;
}

static guint
local_header_len (const Member *m)
{
  return LOCAL_HEADER_LEN + strlen (m->name) + ZIP64_LOCAL_EXTRA_LEN;
}

goffset
kv3_zip_writer_begin (Kv3ZipWriter *self, const char *member, GError **error)
{
  Member *m;

  if (!add_member (self, member, FALSE, &m, error))
    return -1;
  /* The header itself is written by kv3_zip_writer_end(), once the
   * member's size and checksum are known. */
  self->open = TRUE;
  return m->offset + local_header_len (m);
}

/* The first piece that ends after @addr (pieces are disjoint and sorted,
 * so their ends are too). */
static guint
first_ending_after (GArray *pieces, guint64 addr)
{
  guint lo = 0, hi = pieces->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Piece *p = &g_array_index (pieces, Piece, mid);

      if (p->addr + p->size > addr)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

void
kv3_zip_writer_watch (guint64 addr, const void *data, gsize size, gboolean raw, gpointer user_data)
{
  Kv3ZipWriter *self = user_data;
  guint first = first_ending_after (self->pieces, addr);
  guint last = first;

  if (data == NULL)
    {
      /* Truncated at @addr: what lay beyond is gone. */
      g_array_set_size (self->pieces, first);
      return;
    }
  /* What this write covers is no longer known; raw data, written once,
   * is checksummed now, while it is in the cache. */
  while (last < self->pieces->len && g_array_index (self->pieces, Piece, last).addr < addr + size)
    last++;
  g_array_remove_range (self->pieces, first, last - first);
  if (raw && size > 0)
    {
      Piece piece = { addr, size, libdeflate_crc32 (0, data, size) };

      g_array_insert_val (self->pieces, first, piece);
    }
}

/* Continues @crc over the @size bytes of the file at @offset, read back in
 * chunks: they are in the page cache, just written. */
static gboolean
checksum_file (Kv3ZipWriter *self, guint64 offset, guint64 size, guint32 *crc, GError **error)
{
  g_autofree guint8 *buffer = NULL;

  if (size > 0)
    buffer = g_malloc (MIN (size, CRC_CHUNK));
  while (size > 0)
    {
      ssize_t n = pread (self->fd, buffer, MIN (size, CRC_CHUNK), (off_t) offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return fail (self, n < 0 ? errno : EIO, error);
      *crc = libdeflate_crc32 (*crc, buffer, n);
      offset += n;
      size -= n;
    }
  return TRUE;
}

/* The CRC-32 of the @size bytes of the open member at @data: the pieces
 * checksummed as they were written, joined (zlib's crc32_combine) with
 * the rest, read back. */
static gboolean
checksum (Kv3ZipWriter *self, guint64 data, guint64 size, guint32 *crc, GError **error)
{
  guint64 at = 0;

  *crc = 0;
  for (guint i = 0; i < self->pieces->len; i++)
    {
      const Piece *p = &g_array_index (self->pieces, Piece, i);

      if (p->addr + p->size > size)
        break;
      if (!checksum_file (self, data + at, p->addr - at, crc, error))
        return FALSE;
      *crc = crc32_combine64 (*crc, p->crc, p->size);
      at = p->addr + p->size;
    }
  g_array_set_size (self->pieces, 0);
  return checksum_file (self, data + at, size - at, crc, error);
}

gboolean
kv3_zip_writer_end (Kv3ZipWriter *self, GError **error)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();
  Member *m = &g_array_index (self->members, Member, self->members->len - 1);
  guint64 data = m->offset + local_header_len (m);
  struct stat st;
  gboolean zip64;

  g_return_val_if_fail (self->open, FALSE);
  self->open = FALSE;
  if (fstat (self->fd, &st) != 0)
    return fail (self, errno, error);
  if ((guint64) st.st_size < data)
    return fail (self, EIO, error);
  m->size = st.st_size - data;
  if (!checksum (self, data, m->size, &m->crc, error))
    return FALSE;
  zip64 = m->size >= MAX32;
  put_local_header (header, m, zip64, ZIP64_LOCAL_EXTRA_LEN);
  put16 (header, zip64 ? ZIP64_EXTRA_ID : PADDING_EXTRA_ID);
  put16 (header, ZIP64_LOCAL_EXTRA_LEN - 4);
  put64 (header, zip64 ? m->size : 0);
  put64 (header, zip64 ? m->size : 0);
  if (!write_at (self, header->data, header->len, m->offset, error))
    return FALSE;
  self->end = data + m->size;
  return TRUE;
}

static void
put_central_header (GByteArray *b, const Member *m)
{
  gboolean big_size = m->size >= MAX32;
  gboolean big_offset = m->offset >= MAX32;
  guint extra = (big_size ? 16 : 0) + (big_offset ? 8 : 0);
  guint version = extra > 0 ? VERSION_ZIP64 : VERSION_20;

  put32 (b, CENTRAL_SIG);
  put16 (b, MADE_BY_UNIX | version);
  put16 (b, version);
  put16 (b, 0);                              /* flags */
  put16 (b, 0);                              /* STORED */
  put16 (b, m->time);
  put16 (b, m->date);
  put32 (b, m->crc);
  put32 (b, big_size ? MAX32 : m->size);
  put32 (b, big_size ? MAX32 : m->size);
  put16 (b, strlen (m->name));
  put16 (b, extra > 0 ? extra + 4 : 0);
  put16 (b, 0);                              /* comment */
  put16 (b, 0);                              /* disk */
  put16 (b, 0);                              /* internal attributes */
  put32 (b, (guint32) (S_IFREG | 0644) << 16);
  put32 (b, big_offset ? MAX32 : m->offset);
  g_byte_array_append (b, (const guint8 *) m->name, strlen (m->name));
  if (extra > 0)
    {
      put16 (b, ZIP64_EXTRA_ID);
      put16 (b, extra);
      if (big_size)
        {
          put64 (b, m->size);
          put64 (b, m->size);
        }
      if (big_offset)
        put64 (b, m->offset);
    }
}

gboolean
kv3_zip_writer_finish (Kv3ZipWriter *self, GError **error)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  guint64 cd_offset = self->end, cd_size;
  guint64 n = self->members->len;
  gboolean zip64;

  g_return_val_if_fail (!self->open, FALSE);
  for (guint i = 0; i < self->members->len; i++)
    put_central_header (b, &g_array_index (self->members, Member, i));
  cd_size = b->len;
  zip64 = cd_offset >= MAX32 || cd_size >= MAX32 || n >= MAX16;
  if (zip64)
    {
      guint64 record = cd_offset + cd_size;

      put32 (b, ZIP64_END_SIG);
      put64 (b, 44);                         /* the record's size after this field */
      put16 (b, MADE_BY_UNIX | VERSION_ZIP64);
      put16 (b, VERSION_ZIP64);
      put32 (b, 0);                          /* this disk */
      put32 (b, 0);                          /* the central directory's disk */
      put64 (b, n);
      put64 (b, n);
      put64 (b, cd_size);
      put64 (b, cd_offset);
      put32 (b, ZIP64_LOCATOR_SIG);
      put32 (b, 0);
      put64 (b, record);
      put32 (b, 1);                          /* disks */
    }
  put32 (b, END_SIG);
  put16 (b, 0);
  put16 (b, 0);
  put16 (b, MIN (n, MAX16));
  put16 (b, MIN (n, MAX16));
  put32 (b, MIN (cd_size, MAX32));
  put32 (b, MIN (cd_offset, MAX32));
  put16 (b, 0);                              /* comment */
  if (!write_at (self, b->data, b->len, cd_offset, error))
    return FALSE;
  if (ftruncate (self->fd, (off_t) (cd_offset + b->len)) != 0)
    return fail (self, errno, error);
  return TRUE;
}
