/* strata-rnn-weights-private.h: LSTM / GRU weights between cuDNN's layout and Keras's
 *
 * Keras 2.2.4's _convert_rnn_weights, in two steps that the h5 module
 * (loading by class) and the core (saving a cuDNN model for a Keras
 * without cuDNN layers) share. Exported for Strata's own format modules
 * only (STRATA_PRIVATE_API); the header is neither installed nor
 * introspected.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "strata-version.h"

G_BEGIN_DECLS

#ifndef STRATA_PRIVATE_API
#define STRATA_PRIVATE_API _STRATA_EXTERN
#endif

typedef enum {
  STRATA_RNN_GATES_TRANSPOSE,   /* a square recurrent kernel: each gate block transposed */
  STRATA_RNN_GATES_FROM_CUDNN,  /* an input kernel from cuDNN's layout */
  STRATA_RNN_GATES_TO_CUDNN,    /* an input kernel to cuDNN's layout */
} StrataRnnGates;

/* The row-major position in the source (@rows x @units * n_gates) kernel
 * of element (@row, @col) of the re-laid-out one. */
STRATA_PRIVATE_API
guint64 strata_rnn_gates_source_index (StrataRnnGates gates,
                                       gint64         rows,
                                       gint64         units,
                                       gint64         n_cols,
                                       gint64         row,
                                       gint64         col);

/* Writes the @n_out biases of the other layout into @dst: cuDNN's two bias
 * vectors (@from_cudnn, @n_out * 2 values) summed, or Keras's split in
 * halves (@n_out / 2 values). @element_size is 4 (float) or 8 (double). */
STRATA_PRIVATE_API
void strata_rnn_bias_convert (gsize         element_size,
                              const void   *src,
                              gint64        n_out,
                              gboolean      from_cudnn,
                              void         *dst);

G_END_DECLS
