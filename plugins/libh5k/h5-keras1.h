/* h5-keras1.h: Keras's preprocess_weights_for_loading on plain arrays
 *
 * Keras 2 converts weights written by Keras 1 (per-gate RNN weights,
 * Theano/channels_first kernels), by the Theano backend (flipped kernels)
 * and by cuDNN layers when it loads them; Strata does the same so that
 * predictions match Keras 2 for the same file. Theano convolves where
 * TensorFlow correlates: multi-backend Keras 2 flipped the kernels of a
 * Theano file's conv layers (conv_utils.convert_kernel) so that the model
 * computes what it computed under Theano. tf-keras dropped that step and
 * loads them unflipped; Strata keeps Keras 2's conversion. Wrappers and
 * nested models are walked by the caller, which passes one leaf layer at
 * a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "strata.h"
#include "h5-reader.h"
#include "h5-export.h"

G_BEGIN_DECLS

/* A weight on its way from the file to a layer. @data is NULL when only
 * the metadata is loaded; shapes are still converted. */
typedef struct {
  char        *name;
  StrataDType  dtype;
  guint        rank;
  gint64       dims[H5K_MAX_RANK];
  GBytes      *data;
} H5kArray;

H5K_EXPORT
H5kArray *h5k_array_new       (const char *name, StrataDType dtype, guint rank,
                               const gint64 *dims, GBytes *data);
H5K_EXPORT
void      h5k_array_free      (H5kArray *array);
guint64   h5k_array_n_elements (const H5kArray *array);
/* "(3, 4)" as numpy prints shapes. */
H5K_EXPORT
char     *h5k_dims_to_string  (guint rank, const gint64 *dims);

/* numpy.transpose(a, perm). */
H5kArray *h5k_array_transpose (const H5kArray *a, const guint *perm);
/* Reverses every axis but the last two (conv_utils.convert_kernel). */
H5kArray *h5k_array_flip_spatial (const H5kArray *a);

/* What the conversions need to know about the target layer. */
typedef struct {
  const char *name;           /* the layer's name, for messages */
  const char *class_name;     /* the Keras class, Keras 1 aliases accepted */
  gboolean    channels_first; /* data_format channels_first / dim_ordering th */
  gboolean    gru_reset_after;
  gint64      kernel_size;    /* Conv1D kernel length, -1 when unknown */
  gint64      filters;        /* Conv1D filters, -1 when unknown */
  guint       kernel_rank;    /* shape of the layer's first weight, 0 when unknown */
  gint64      kernel_dims[H5K_MAX_RANK];
} H5kLayerInfo;

/* Converts @arrays (element-type H5kArray, file order) in place for
 * @layer. @keras_version is the file's weights keras_version ("1" when it
 * has none), @backend its backend (nullable). */
H5K_EXPORT
gboolean  h5k_preprocess_weights (const H5kLayerInfo *layer,
                                  GPtrArray          *arrays,
                                  const char         *keras_version,
                                  const char         *backend,
                                  GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (H5kArray, h5k_array_free)

G_END_DECLS
