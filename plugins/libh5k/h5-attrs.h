/* h5-attrs.h: Keras string and string-list attributes (split or not)
 *
 * Callers hold the HDF5 lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <hdf5.h>
#include "h5-export.h"

G_BEGIN_DECLS

/* A string attribute: vlen or fixed-length (any padding), ASCII or UTF-8,
 * scalar or 1-element. Returns %NULL without setting @error when absent.
 * @where names the object in messages. */
H5K_EXPORT
char   *h5k_attr_read_string      (hid_t        obj,
                                   const char  *where,
                                   const char  *name,
                                   GError     **error);
/* A string-list attribute: 1-D vlen or fixed-length strings, an empty
 * numeric array, or absent (both empty); name0, name1, ... chunks are
 * joined in order up to the first gap when @name itself is absent. */
H5K_EXPORT
char  **h5k_attr_read_string_list (hid_t        obj,
                                   const char  *where,
                                   const char  *name,
                                   GError     **error);

/* Writes a scalar variable-length string with the given character set. */
H5K_EXPORT
gboolean h5k_attr_write_string    (hid_t        obj,
                                   const char  *name,
                                   const char  *value,
                                   H5T_cset_t   cset,
                                   GError     **error);
/* Writes a list as a fixed-length NULLPAD ASCII array like h5py 2, split
 * into name0..k chunks with Keras's np.array_split sizing when it is larger
 * than H5K_OBJECT_HEADER_LIMIT; an empty list is a float64 array of shape
 * (0,) as Keras writes it. */
H5K_EXPORT
gboolean h5k_attr_write_string_list (hid_t         obj,
                                     const char   *where,
                                     const char   *name,
                                     const char * const *values,
                                     guint         n_values,
                                     GError      **error);

/* How many chunks Keras uses for @n_values items of @max_len bytes
 * (1 when no split is needed). */
H5K_EXPORT
guint    h5k_attr_n_chunks        (guint         n_values,
                                   gsize         max_len);

G_END_DECLS
