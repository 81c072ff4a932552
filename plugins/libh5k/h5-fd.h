/* h5-fd.h: writing HDF5 files through a file descriptor
 *
 * libhdf5 wants a path; Strata's saves write into unnamed temporaries and
 * scratch files, and must survive a full disk. A small virtual file driver
 * writes through a descriptor the caller owns and keeps the errno of the
 * first failed write for the writer, without telling libhdf5: libhdf5
 * 1.10 cannot close a file after a failed write (it keeps the file's id,
 * pointing at freed memory, and crashes at exit).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>
#include "h5-export.h"

G_BEGIN_DECLS

typedef gboolean (*H5kWriteFunc) (hid_t      fid,
                                  gpointer   user_data,
                                  GError   **error);

/* Truncates @fd (or, when @fd is -1, opens the file @name, creating it),
 * creates an HDF5 file in it named @name (for messages) and calls @write
 * to fill it, then flushes and closes it, under the
 * HDF5 lock. Every HDF5 id is closed whatever fails. A failed write gives
 * a G_IO_ERROR for its errno, and messages of h5k_set_error() meanwhile
 * end with the system's reason ("No space left on device"). */
H5K_EXPORT
gboolean h5k_write_fd (int            fd,
                       const char    *name,
                       H5kWriteFunc   write,
                       gpointer       user_data,
                       GError       **error);

/* Told, in HDF5 addresses, of each piece of the file just before it is
 * written (@raw: a dataset's raw data, which libhdf5 writes once, where
 * metadata may be written again), and of each truncation (@data %NULL,
 * @size 0, @addr the new end). Called under the HDF5 lock. */
typedef void (*H5kWriteWatch) (guint64      addr,
                               const void  *data,
                               gsize        size,
                               gboolean     raw,
                               gpointer     user_data);

/* Where h5k_write_fd_at() writes: an HDF5 file that starts @base bytes
 * into the file open at @fd (what comes before is kept, HDF5 addresses
 * count from there, the file is truncated to @base first; the .keras
 * archive stores its weights file so, written in place), watched by
 * @watch (nullable). */
typedef struct _H5kFdTarget H5kFdTarget;
struct _H5kFdTarget {
  int            fd;
  goffset        base;
  H5kWriteWatch  watch;
  gpointer       watch_data;
};

/* h5k_write_fd() into @target. */
H5K_EXPORT
gboolean h5k_write_fd_at (const H5kFdTarget  *target,
                          const char         *name,
                          H5kWriteFunc        write,
                          gpointer            user_data,
                          GError            **error);

/* The errno of the first failed write of the file h5k_write_fd() is
 * writing, or 0: writers check it after each dataset, since libhdf5
 * does not see the failure. Locked. */
H5K_EXPORT
int      h5k_fd_current_errno (void);

G_END_DECLS
