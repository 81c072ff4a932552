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

/* What a checked object header says the object is. */
typedef enum {
  H5K_OBJECT_UNKNOWN,  /* a version 2 header: libhdf5 verifies and reads it */
  H5K_OBJECT_GROUP,
  H5K_OBJECT_DATASET,
  H5K_OBJECT_OTHER,
} H5kObjectKind;

typedef struct {
  H5kObjectKind kind;
  gboolean      range_known;  /* datasets: the layout message was read */
  gboolean      has_range;    /* contiguous data at an address */
  H5kRange      range;        /* file offsets of that data */
  gboolean      attributes_ok;/* libhdf5 can decode every attribute's type */
  gboolean      datatype_ok;  /* libhdf5 can decode a dataset's type */
  /* Datasets: where the bodies of the datatype and dataspace messages are
   * in the file (0: none, shared, or more than one), and whether a filter
   * pipeline or an external file list applies to the data. */
  guint64       type_at, type_len;
  guint64       space_at, space_len;
  gboolean      filtered;
} H5kObjectInfo;

/* The object header at @address (relative to @base, where the superblock
 * is): every message, attribute and continuation must fit where it is
 * declared, and the local heap of a group must fit in the file. @info
 * (nullable) gets what the header says the object is, and whether libhdf5
 * can decode its datatypes (version 1 headers; version 2 headers are
 * checksummed and left to libhdf5). */
gboolean h5k_check_object_header  (const guchar  *data,
                                   guint64        size,
                                   guint64        base,
                                   guint64        address,
                                   H5kObjectInfo *info,
                                   const char    *path,
                                   GError       **error);
/* The root group's header, which libhdf5 reads when it opens the file. */
gboolean h5k_check_root_header    (const guchar  *data,
                                   guint64        size,
                                   guint64        base,
                                   const char    *path,
                                   GError       **error);
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
