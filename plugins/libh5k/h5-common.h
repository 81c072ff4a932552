/* h5-common.h: the process-wide HDF5 lock and HDF5 error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>
#include "h5-export.h"

G_BEGIN_DECLS

/* Largest attribute HDF5's default object header takes; Keras splits
 * string lists above it (HDF5_OBJECT_HEADER_LIMIT). */
#define H5K_OBJECT_HEADER_LIMIT 64512

H5K_EXPORT
void h5k_lock   (void);
H5K_EXPORT
void h5k_unlock (void);

/* Sets @error to STRATA_FORMAT_ERROR/@code with the formatted message,
 * followed by the innermost messages of HDF5's error stack (then clears
 * the stack). */
H5K_EXPORT
void h5k_set_error (GError     **error,
                    int          code,
                    const char  *format,
                    ...) G_GNUC_PRINTF (3, 4);

/* Closes an HDF5 identifier of any kind when it is valid. */
H5K_EXPORT
void h5k_close_id  (hid_t        id);

static inline void
h5k_close_id_ptr (hid_t *id)
{
  if (*id >= 0)
    h5k_close_id (*id);
  *id = H5I_INVALID_HID;
}

/* `H5K_AUTO_ID hid_t x = ...;` closes x at the end of the scope. */
#define H5K_AUTO_ID __attribute__ ((cleanup (h5k_close_id_ptr)))

/* `H5K_LOCKED;` holds the lock until the end of the scope. */
typedef struct { int unused; } H5kLockGuard;
static inline H5kLockGuard
h5k_lock_guard_new (void)
{
  h5k_lock ();
  return (H5kLockGuard) { 0 };
}
static inline void
h5k_lock_guard_free (H5kLockGuard *guard)
{
  h5k_unlock ();
}
#define H5K_LOCKED \
  H5kLockGuard _h5k_guard __attribute__ ((cleanup (h5k_lock_guard_free), unused)) = h5k_lock_guard_new ()

/* TRUE when @path's every component is a hard link from @loc; soft and
 * external links are refused with a precise error. */
gboolean h5k_check_hard_path (hid_t        loc,
                              const char  *loc_name,
                              const char  *path,
                              GError     **error);

G_END_DECLS
