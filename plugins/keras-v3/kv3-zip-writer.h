/* kv3-zip-writer.h: a STORED zip archive written straight into a file
 *
 * The .keras archive stores its members uncompressed, so a member's bytes
 * can be written by whoever makes them (libhdf5, for the weights) at their
 * final place in the archive: the writer reserves the member's local header,
 * the caller fills the file from the offset it returns, and the writer then
 * checksums what was written (libdeflate's CRC-32, as it is written where
 * the caller lets it watch) and completes the headers. Zip64 records are written where sizes or offsets need them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _Kv3ZipWriter Kv3ZipWriter;

/* Writes an archive into the file open at @fd (owned by the caller), from
 * its start; @name names it in messages. */
Kv3ZipWriter *kv3_zip_writer_new    (int            fd,
                                     const char    *name);
void          kv3_zip_writer_free   (Kv3ZipWriter  *self);

/* Adds @member with the @length bytes at @data; @fixed_time dates it
 * 1980-01-01 (as Python's ZipFile.open() does), else now. */
gboolean      kv3_zip_writer_add    (Kv3ZipWriter  *self,
                                     const char    *member,
                                     const void    *data,
                                     gsize          length,
                                     gboolean       fixed_time,
                                     GError       **error);

/* Starts @member, dated now: returns the offset where the caller writes
 * its bytes (the member is then everything from there to the end of the
 * file when kv3_zip_writer_end() is called), or -1. */
goffset       kv3_zip_writer_begin  (Kv3ZipWriter  *self,
                                     const char    *member,
                                     GError       **error);
gboolean      kv3_zip_writer_end    (Kv3ZipWriter  *self,
                                     GError       **error);

/* An H5kWriteWatch (h5-fd.h) for libhdf5 writing the member begun last,
 * @user_data the writer: it checksums raw data as it is written, so that
 * kv3_zip_writer_end() reads back only the rest. */
void          kv3_zip_writer_watch  (guint64        addr,
                                     const void    *data,
                                     gsize          size,
                                     gboolean       raw,
                                     gpointer       user_data);

/* Writes the central directory; the archive is then complete. */
gboolean      kv3_zip_writer_finish (Kv3ZipWriter  *self,
                                     GError       **error);

G_END_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Kv3ZipWriter, kv3_zip_writer_free)
