/* strata-rnn-weights.c: LSTM / GRU weights between cuDNN's layout and Keras's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-rnn-weights-private.h"

guint64
strata_rnn_gates_source_index (StrataRnnGates gates,
                               gint64         rows,
                               gint64         units,
                               gint64         n_cols,
                               gint64         row,
                               gint64         col)
{
  gint64 gate = col / units, j = col % units;
  gint64 r, c, p;

  switch (gates)
    {
    case STRATA_RNN_GATES_TRANSPOSE:
      r = j;
      c = row;
      break;
    case STRATA_RNN_GATES_FROM_CUDNN:
      /* cuDNN keeps each gate block column-major. */
      p = row + j * rows;
      r = p / units;
      c = p % units;
      break;
    default:
      p = row * units + j;
      r = p % rows;
      c = p / rows;
      break;
    }
  return (guint64) r * n_cols + gate * units + c;
}

void
strata_rnn_bias_convert (gsize       element_size,
                         const void *src,
                         gint64      n_out,
                         gboolean    from_cudnn,
                         void       *dst)
{
  gint64 n_in = from_cudnn ? n_out * 2 : n_out / 2;

  for (gint64 i = 0; i < n_out; i++)
    {
      if (element_size == sizeof (float))
        {
          const float *s = src;
          ((float *) dst)[i] = from_cudnn ? s[i] + s[i + n_out] : 0.5f * s[i % n_in];
        }
      else
        {
          const double *s = src;
          ((double *) dst)[i] = from_cudnn ? s[i] + s[i + n_out] : 0.5 * s[i % n_in];
        }
    }
}
