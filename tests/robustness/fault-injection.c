/* fault-injection.c: failing the n-th write of a process
 *
 * The replacements are defined under the libc symbol names (with asm
 * labels, since _FILE_OFFSET_BITS=64 renames the C declarations) and reach
 * the real functions through dlsym (RTLD_NEXT).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fault-injection.h"

static gint armed;
static gint fired;
static gint counted;
static guint fail_at;
static int fail_errno;
static dev_t watched_device;

void
fault_arm (const char *dir, guint at, int error_number)
{
  struct stat st;

  g_assert_cmpint (stat (dir, &st), ==, 0);
  watched_device = st.st_dev;
  fail_at = at;
  fail_errno = error_number;
  g_atomic_int_set (&counted, 0);
  g_atomic_int_set (&fired, 0);
  g_atomic_int_set (&armed, 1);
}

guint
fault_disarm (void)
{
  g_atomic_int_set (&armed, 0);
  return g_atomic_int_get (&counted);
}

gboolean
fault_fired (void)
{
  return g_atomic_int_get (&fired);
}

/* Counts a call; TRUE (with errno set) when it must fail. @fd < 0: a call
 * on paths, always counted while armed. */
static gboolean
must_fail (int fd)
{
  struct stat st;
  int n;

  if (!g_atomic_int_get (&armed))
    return FALSE;
  if (fd >= 0 && (fd <= 2 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) ||
                  st.st_dev != watched_device))
    return FALSE;
  n = g_atomic_int_add (&counted, 1) + 1;
  if ((guint) n != fail_at)
    return FALSE;
  g_atomic_int_set (&fired, 1);
  errno = fail_errno;
  return TRUE;
}

/* `real` is the libc function that @self replaces. */
#define REAL(name, self) \
  static __typeof__ (&self) real; \
  if (real == NULL) \
    real = (__typeof__ (&self)) dlsym (RTLD_NEXT, name)

ssize_t fault_write (int fd, const void *buf, size_t n) __asm__ ("write");
ssize_t fault_pwrite (int fd, const void *buf, size_t n, off_t offset) __asm__ ("pwrite");
ssize_t fault_pwrite64 (int fd, const void *buf, size_t n, off_t offset) __asm__ ("pwrite64");
int fault_ftruncate (int fd, off_t length) __asm__ ("ftruncate");
int fault_ftruncate64 (int fd, off_t length) __asm__ ("ftruncate64");
int fault_fsync (int fd) __asm__ ("fsync");
int fault_fdatasync (int fd) __asm__ ("fdatasync");
int fault_rename (const char *from, const char *to) __asm__ ("rename");
int fault_renameat2 (int from_dir, const char *from, int to_dir, const char *to,
                     unsigned int flags) __asm__ ("renameat2");
int fault_linkat (int from_dir, const char *from, int to_dir, const char *to,
                  int flags) __asm__ ("linkat");

ssize_t
fault_write (int fd, const void *buf, size_t n)
{
  REAL ("write", fault_write);
  return must_fail (fd) ? -1 : real (fd, buf, n);
}

ssize_t
fault_pwrite (int fd, const void *buf, size_t n, off_t offset)
{
  REAL ("pwrite", fault_pwrite);
  return must_fail (fd) ? -1 : real (fd, buf, n, offset);
}

ssize_t
fault_pwrite64 (int fd, const void *buf, size_t n, off_t offset)
{
  REAL ("pwrite64", fault_pwrite64);
  return must_fail (fd) ? -1 : real (fd, buf, n, offset);
}

int
fault_ftruncate (int fd, off_t length)
{
  REAL ("ftruncate", fault_ftruncate);
  return must_fail (fd) ? -1 : real (fd, length);
}

int
fault_ftruncate64 (int fd, off_t length)
{
  REAL ("ftruncate64", fault_ftruncate64);
  return must_fail (fd) ? -1 : real (fd, length);
}

int
fault_fsync (int fd)
{
  REAL ("fsync", fault_fsync);
  return must_fail (fd) ? -1 : real (fd);
}

int
fault_fdatasync (int fd)
{
  REAL ("fdatasync", fault_fdatasync);
  return must_fail (fd) ? -1 : real (fd);
}

int
fault_rename (const char *from, const char *to)
{
  REAL ("rename", fault_rename);
  return must_fail (-1) ? -1 : real (from, to);
}

int
fault_renameat2 (int from_dir, const char *from, int to_dir, const char *to, unsigned int flags)
{
  REAL ("renameat2", fault_renameat2);
  return must_fail (-1) ? -1 : real (from_dir, from, to_dir, to, flags);
}

int
fault_linkat (int from_dir, const char *from, int to_dir, const char *to, int flags)
{
  REAL ("linkat", fault_linkat);
  return must_fail (-1) ? -1 : real (from_dir, from, to_dir, to, flags);
}
