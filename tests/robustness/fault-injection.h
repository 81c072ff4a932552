/* fault-injection.h: failing the n-th write of a process
 *
 * A test program that links fault-injection.c (and exports its symbols:
 * meson's export_dynamic) replaces write(), pwrite(), ftruncate(),
 * fsync(), fdatasync(), rename(), renameat2() and linkat() for the whole
 * process, libhdf5, libzip, GIO and the format modules included. While
 * armed, each call on a regular file of the watched file system (or, for
 * the calls that take paths, any call) is counted, and the n-th one fails
 * with the chosen errno, as a full disk or a failing one would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Counts the calls on files of the file system holding @dir from now on;
 * the @fail_at-th one (1-based; 0: none) fails with @error_number. */
void  fault_arm     (const char *dir,
                     guint       fail_at,
                     int         error_number);
/* Stops counting; returns how many calls were counted. */
guint fault_disarm  (void);
/* Whether the armed failure happened. */
gboolean fault_fired (void);

G_END_DECLS
