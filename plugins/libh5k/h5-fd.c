/* h5-fd.c: writing HDF5 files through a file descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-fd.h"
#include "h5-common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "strata.h"
#include "strata-i18n-private.h"

#if H5_VERSION_GE (1, 13, 0)
/* Since 1.13 a driver's class is declared there. */
#include <H5FDdevelop.h>
#endif

/* What a file written through the driver shares with its writer. */
typedef struct {
  int            fd;          /* owned by the writer */
  off_t          base;        /* where the HDF5 file starts in it */
  H5kWriteWatch  watch;       /* nullable */
  gpointer       watch_data;
  int            saved_errno; /* of the first failed read, write or truncate */
} Sink;

/* A write is made in pieces of this size, each shown to the watcher (or
 * faulted in) just before it is written, while it is in the CPU's cache. */
#define WATCH_PIECE ((size_t) 256 << 10)

/* Metadata libhdf5 wrote after the disk failed, for it to read back. */
typedef struct {
  haddr_t  addr;
  GBytes  *bytes;
} Extent;

/* The driver's part of a file access property list. */
typedef struct {
  Sink *sink;
} DriverInfo;

typedef struct {
  H5FD_t   pub;         /* first: libhdf5 casts */
  Sink    *sink;
  haddr_t  eoa;
  haddr_t  eof;
  dev_t    device;
  ino_t    inode;
  GArray  *kept;        /* (element-type Extent) in the order written */
} FdFile;

/* Where libhdf5 addresses stop: the largest off_t (less the file's
 * offset in its descriptor, checked by in_range()). */
#define MAX_ADDR ((haddr_t) G_MAXINT64)

/* The file being written by h5k_write_fd(); guarded by the HDF5 lock. */
static Sink *current_sink;

int
h5k_fd_current_errno (void)
{
  return current_sink != NULL ? current_sink->saved_errno : 0;
}

/* Records the first failure and reports it to libhdf5 (only for opening
 * and reading: see fd_write()). */
static herr_t
fail (FdFile *file, int saved_errno, hid_t minor, const char *what)
{
  if (file->sink->saved_errno == 0)
    file->sink->saved_errno = saved_errno;
  H5Epush2 (H5E_DEFAULT, __FILE__, G_STRFUNC, __LINE__, H5E_ERR_CLS, H5E_VFL, minor,
            "%s: %s", what, g_strerror (saved_errno));
  return -1;
}

static void
extent_clear (Extent *extent)
{
  g_bytes_unref (extent->bytes);
}

static void *
fd_fapl_copy (const void *info)
{
  return g_memdup2 (info, sizeof (DriverInfo));
}

static herr_t
fd_fapl_free (void *info)
{
  g_free (info);
  return 0;
}

static void *
fd_fapl_get (H5FD_t *_file)
{
  FdFile *file = (FdFile *) _file;
  DriverInfo info = { file->sink };

  return fd_fapl_copy (&info);
}

static H5FD_t *
fd_open (const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
  const DriverInfo *info = H5Pget_driver_info (fapl);
  FdFile *file;
  struct stat st;

  if (info == NULL || info->sink == NULL)
    {
      H5Epush2 (H5E_DEFAULT, __FILE__, G_STRFUNC, __LINE__, H5E_ERR_CLS, H5E_VFL, H5E_BADVALUE,
                "no file descriptor for %s", name);
      return NULL;
    }
  file = g_new0 (FdFile, 1);
  file->sink = info->sink;
  if (((flags & H5F_ACC_TRUNC) && ftruncate (file->sink->fd, file->sink->base) != 0) ||
      fstat (file->sink->fd, &st) != 0)
    {
      fail (file, errno, H5E_CANTOPENFILE, name);
      g_free (file);
      return NULL;
    }
  file->eof = st.st_size > file->sink->base ? st.st_size - file->sink->base : 0;
  file->kept = g_array_new (FALSE, FALSE, sizeof (Extent));
  g_array_set_clear_func (file->kept, (GDestroyNotify) extent_clear);
  file->device = st.st_dev;
  file->inode = st.st_ino;
  return &file->pub;
}

static herr_t
fd_close (H5FD_t *_file)
{
  FdFile *file = (FdFile *) _file;

  /* The descriptor belongs to the writer. */
  g_clear_pointer (&file->kept, g_array_unref);
  g_free (file);
  return 0;
}

static int
fd_cmp (const H5FD_t *_a, const H5FD_t *_b)
{
  const FdFile *a = (const FdFile *) _a;
  const FdFile *b = (const FdFile *) _b;

  if (a->device != b->device)
    return a->device < b->device ? -1 : 1;
  if (a->inode != b->inode)
    return a->inode < b->inode ? -1 : 1;
  return 0;
}

static herr_t
fd_query (const H5FD_t *file, unsigned long *flags)
{
  /* As sec2: gather small metadata and raw data into fewer writes. */
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
           H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA;
  return 0;
}

static haddr_t
fd_get_eoa (const H5FD_t *file, H5FD_mem_t type)
{
  return ((const FdFile *) file)->eoa;
}

static herr_t
fd_set_eoa (H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
  ((FdFile *) file)->eoa = addr;
  return 0;
}

static haddr_t
fd_get_eof (const H5FD_t *file, H5FD_mem_t type)
{
  return ((const FdFile *) file)->eof;
}

static herr_t
fd_get_handle (H5FD_t *file, hid_t fapl, void **handle)
{
  *handle = &((FdFile *) file)->sink->fd;
  return 0;
}

static gboolean
in_range (const FdFile *file, haddr_t addr, size_t size)
{
  haddr_t max = MAX_ADDR - (haddr_t) file->sink->base;

  return addr != HADDR_UNDEF && addr <= max && size <= max - addr;
}

static herr_t
fd_read (H5FD_t *_file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, void *buffer)
{
  FdFile *file = (FdFile *) _file;
  guint8 *out = buffer;
  haddr_t at = addr;
  size_t left = size;

  if (!in_range (file, addr, size))
    return fail (file, EINVAL, H5E_OVERFLOW, "read");
  while (left > 0)
    {
      ssize_t n = pread (file->sink->fd, out, left, file->sink->base + (off_t) at);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail (file, errno, H5E_READERROR, "read");
      if (n == 0)
        {
          /* Past the end of the file reads as zeros. */
          memset (out, 0, left);
          break;
        }
      out += n;
      at += n;
      left -= n;
    }
  /* What could not be written, newest last. */
  for (guint i = 0; i < file->kept->len; i++)
    {
      const Extent *e = &g_array_index (file->kept, Extent, i);
      gsize length;
      const guint8 *data = g_bytes_get_data (e->bytes, &length);
      haddr_t from = MAX (e->addr, addr);
      haddr_t to = MIN (e->addr + length, addr + size);

      if (from < to)
        memcpy ((guint8 *) buffer + (from - addr), data + (from - e->addr), to - from);
    }
  return 0;
}

/* Reads a byte of each page of @data: the system's write copies from
 * a page that is not resident (a mapped weight) by failing, faulting it
 * in and trying again; a fault taken here first (which also maps its
 * neighbours) costs less. */
static void
fault_in (const guint8 *data, size_t size)
{
  volatile guint8 sink = 0;

  for (size_t i = 0; i < size; i += 4096)
    sink ^= data[i];
  (void) sink;
}

/* libhdf5 1.10 cannot close a file after a failed write (it frees the
 * file but keeps its id, which crashes the process at exit), so it is
 * never told: once the disk fails, the driver keeps the errno for the
 * writer, keeps later metadata in memory for libhdf5 to read back, and
 * drops raw data. The writer stops at its next check. */
static herr_t
fd_write (H5FD_t *_file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, const void *buffer)
{
  FdFile *file = (FdFile *) _file;
  const guint8 *in = buffer;
  haddr_t end;

  if (!in_range (file, addr, size))
    return fail (file, EFBIG, H5E_OVERFLOW, "write");
  end = addr + size;
  while (size > 0 && file->sink->saved_errno == 0)
    {
      size_t piece = MIN (size, WATCH_PIECE);
      ssize_t n;

      if (file->sink->watch != NULL)
        file->sink->watch (addr, in, piece, type == H5FD_MEM_DRAW, file->sink->watch_data);
      else
        fault_in (in, piece);
      n = pwrite (file->sink->fd, in, piece, file->sink->base + (off_t) addr);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        file->sink->saved_errno = n < 0 ? errno : ENOSPC;
      else
        {
          in += n;
          addr += n;
          size -= n;
        }
    }
  if (size > 0 && type != H5FD_MEM_DRAW)
    {
      Extent extent = { addr, g_bytes_new (in, size) };

      g_array_append_val (file->kept, extent);
    }
  if (end > file->eof)
    file->eof = end;
  return 0;
}

static herr_t
fd_truncate (H5FD_t *_file, hid_t dxpl, hbool_t closing)
{
  FdFile *file = (FdFile *) _file;

  if (file->eoa == file->eof)
    return 0;
  /* As for writes, a failure is kept for the writer only. */
  if (file->sink->saved_errno == 0 && ftruncate (file->sink->fd, file->sink->base + (off_t) file->eoa) != 0)
    file->sink->saved_errno = errno;
  if (file->sink->watch != NULL)
    file->sink->watch (file->eoa, NULL, 0, FALSE, file->sink->watch_data);
  file->eof = file->eoa;
  return 0;
}

static const H5FD_class_t fd_class = {
#if H5_VERSION_GE (1, 13, 2)
  /* libhdf5 1.14 refuses a driver without its class version, and wants a
   * value outside its own and registered drivers' (0-511). */
  .version = H5FD_CLASS_VERSION,
  .value = (H5FD_class_value_t) 600,
#endif
  .name = "strata-fd",
  .maxaddr = MAX_ADDR,
  .fc_degree = H5F_CLOSE_STRONG,
  .fapl_size = sizeof (DriverInfo),
  .fapl_get = fd_fapl_get,
  .fapl_copy = fd_fapl_copy,
  .fapl_free = fd_fapl_free,
  .open = fd_open,
  .close = fd_close,
  .cmp = fd_cmp,
  .query = fd_query,
  .get_eoa = fd_get_eoa,
  .set_eoa = fd_set_eoa,
  .get_eof = fd_get_eof,
  .get_handle = fd_get_handle,
  .read = fd_read,
  .write = fd_write,
  .truncate = fd_truncate,
  .fl_map = H5FD_FLMAP_DICHOTOMY,
};

/* The driver's id, registered once per module. Locked. */
static hid_t
fd_driver (void)
{
  static hid_t driver = H5I_INVALID_HID;

  if (driver < 0)
    driver = H5FDregister (&fd_class);
  return driver;
}

static gboolean
write_locked (const H5kFdTarget *target, const char *name, H5kWriteFunc write, gpointer user_data,
              GError **error)
{
  H5K_LOCKED;
  Sink sink = { target->fd, target->base, target->watch, target->watch_data, 0 };
  DriverInfo info = { &sink };
  H5K_AUTO_ID hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  hid_t fid;
  gboolean ok;

  /* Strong: closing the file closes whatever a writer left open in it. */
  if (fapl < 0 || fd_driver () < 0 || H5Pset_driver (fapl, fd_driver (), &info) < 0 ||
      H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG) < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_UNSUPPORTED,
                     /* Translators: the file being written */
                     _("Cannot set up libhdf5 to write “%s”"), name);
      return FALSE;
    }
  current_sink = &sink;
  fid = H5Fcreate (name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (fid < 0)
    {
      /* Translators: the file being written */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot create the HDF5 file “%s”"), name);
      current_sink = NULL;
      return FALSE;
    }
  ok = write (fid, user_data, error);
  if (ok && H5Fflush (fid, H5F_SCOPE_GLOBAL) < 0)
    {
      /* Translators: the file being written */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot write the HDF5 file “%s”"), name);
      ok = FALSE;
    }
  if (H5Fclose (fid) < 0 && ok)
    {
      /* Translators: the file being written */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot close the HDF5 file “%s”"), name);
      ok = FALSE;
    }
  if (ok && sink.saved_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (sink.saved_errno),
                   /* Translators: the file being written, then the system's reason */
                   _("Cannot write the HDF5 file “%s”: %s"), name, g_strerror (sink.saved_errno));
      ok = FALSE;
    }
  H5Eclear2 (H5E_DEFAULT);
  current_sink = NULL;
  return ok;
}

gboolean
h5k_write_fd_at (const H5kFdTarget *target, const char *name, H5kWriteFunc write,
                 gpointer user_data, GError **error)
{
  g_return_val_if_fail (target->fd >= 0 && target->base >= 0, FALSE);
  return write_locked (target, name, write, user_data, error);
}

gboolean
h5k_write_fd (int fd, const char *name, H5kWriteFunc write, gpointer user_data, GError **error)
{
  gboolean ok;

  if (fd >= 0)
    return write_locked (&(H5kFdTarget) { fd, 0, NULL, NULL }, name, write, user_data, error);

  fd = g_open (name, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: the file being written, then the system's reason */
                   _("Cannot open “%s” for writing: %s"), name, g_strerror (saved_errno));
      return FALSE;
    }
  ok = write_locked (&(H5kFdTarget) { fd, 0, NULL, NULL }, name, write, user_data, error);
  if (close (fd) != 0 && ok)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: the file being written, then the system's reason */
                   _("Cannot write the HDF5 file “%s”: %s"), name, g_strerror (saved_errno));
      ok = FALSE;
    }
  return ok;
}
