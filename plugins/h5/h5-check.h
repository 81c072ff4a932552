/* h5-check.h: checks of raw HDF5 structures that libhdf5 1.10 trusts
 *
 * libhdf5 reads sizes from the file and uses them unchecked in places: a
 * global heap with an empty free-space object loops for ever, attribute
 * messages smaller than their declared data are over-read, and declared
 * lengths are allocated. These checks run on the mapped file before
 * libhdf5 reads attributes; they cover what h5py and every Keras writer
 * produce (version 1 object headers, 8-byte addresses and lengths).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A byte range of the file that holds dataset data, not metadata. */
typedef struct {
  guint64 start;
  guint64 end;
} H5kRange;

/* Object headers at @addresses (element-type guint64, relative to @base,
 * where the superblock is): every message, attribute and continuation must
 * fit where it is declared. When @data_ranges is given, the file ranges of
 * contiguous dataset data that the headers declare are appended to it (not
 * sorted), and the addresses of headers whose layout this does not read
 * (version 2 headers, old layout messages) to @unread. */
gboolean h5k_check_object_headers (const guchar *data,
                                   guint64       size,
                                   guint64       base,
                                   GArray       *addresses,
                                   GArray       *data_ranges,
                                   GArray       *unread,
                                   const char   *path,
                                   GError      **error);
/* Global and local heaps and Keras's variable-length attributes outside
 * @ranges (element-type H5kRange, sorted by start): every string must
 * name an existing heap object large enough for it. */
gboolean h5k_check_heaps          (const guchar *data,
                                   guint64       size,
                                   guint64       base,
                                   GArray       *ranges,
                                   const char   *path,
                                   GError      **error);

G_END_DECLS
