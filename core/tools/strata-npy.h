/* strata-npy.h: NumPy .npy arrays in and .npz archives out, for `strata predict`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* The array of an .npy file (format 1.0, 2.0 or 3.0; C order; bool,
 * integer or floating-point elements of either byte order). Little-endian
 * data is used in place from the mapped file. */
StrataTensor *strata_npy_read      (const char    *path,
                                    GError       **error);

/* The same from the bytes of an .npy file; @name names them in errors. */
StrataTensor *strata_npy_parse     (GBytes        *bytes,
                                    const char    *name,
                                    GError       **error);

/* The .npy file (format 1.0, or 2.0 when the header needs it) of @tensor. */
GBytes       *strata_npy_encode    (StrataTensor  *tensor,
                                    GError       **error);

/* Writes @tensors as the members NAME.npy of the .npz (zip) archive @path,
 * replacing it only when the whole archive is written. */
gboolean      strata_npz_write     (const char    *path,
                                    const char   **names,
                                    GPtrArray     *tensors,
                                    GError       **error);

G_END_DECLS
