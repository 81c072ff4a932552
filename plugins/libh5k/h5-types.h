/* h5-types.h: HDF5 datatypes <-> StrataDType (callers hold the HDF5 lock)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>
#include "strata.h"
#include "h5-export.h"

G_BEGIN_DECLS

/* The dtype a weight dataset of HDF5 type @ftype becomes; fails with
 * STRATA_FORMAT_ERROR_UNSUPPORTED naming @where for types Keras never
 * writes (strings, compounds, wide floats, ...). */
H5K_EXPORT
StrataDType h5k_dtype_from_h5  (hid_t        ftype,
                                const char  *where,
                                GError     **error);
/* The in-memory (little-endian) type to read @dtype with; @ftype is the
 * file's type, copied for enum (bool) and opaque (bfloat16) data. */
H5K_EXPORT
hid_t       h5k_mem_type_new   (StrataDType  dtype,
                                hid_t        ftype);
/* TRUE when data of file type @ftype are already the bytes of @dtype
 * (little-endian, same layout), so they can be used without conversion. */
H5K_EXPORT
gboolean    h5k_type_is_stored_as (hid_t     ftype,
                                   StrataDType dtype);
/* The type to write @dtype with, as h5py creates it. */
H5K_EXPORT
hid_t       h5k_file_type_new  (StrataDType  dtype);

G_END_DECLS
