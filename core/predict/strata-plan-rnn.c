/* strata-plan-rnn.c: the kernel of STRATA_OP_RNN
 *
 * The time loop of Keras's backend.rnn around a SimpleRNN, LSTM or GRU
 * cell (spec ../shared/specs/keras-inference-semantics.md 4.1 and 4.2).
 * Each step multiplies the whole batch's state by the recurrent kernel at
 * once (one sgemm), then applies the gates per sample. All state lives in
 * the op's scratch memory, planned with the arena.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-plan-kernels.h"

typedef struct {
  gsize b, t, u, g;      /* batch, steps, units, gate blocks */
  guint n_states;
} Dims;

static Dims
dims_of (const StrataKernelArgs *a)
{
  const StrataPlanRnn *rnn = &a->op->attr.rnn;
  Dims d;

  d.b = (gsize) a->in_dims[0][0];
  d.t = (gsize) a->in_dims[0][1];
  d.u = (gsize) a->in_dims[1][0];
  d.g = d.u ? (gsize) a->in_dims[1][1] / d.u : 1;
  d.n_states = rnn->cell == STRATA_PLAN_CELL_LSTM ? 2 : 1;
  return d;
}

/* h, c, the new h and c, h·U, and r⊙h (GRU reset_after=False). */
gsize
strata_kernel_rnn_scratch_size (const StrataKernelArgs *a)
{
  Dims d = dims_of (a);

  return d.b * d.u * (5 + d.g) * sizeof (float);
}

/* One cell step for sample rows: @xw [G·u] and @hu [G·u] (h·U, or its
 * first two blocks for GRU reset_after=False, whose third block is
 * (r⊙h)·U_h and is computed by the caller in between). */
static void
cell_gates (const StrataPlanRnn *rnn, gsize u, const float *xw, const float *hu, const float *rbias,
            const float *h, const float *c, float *h_new, float *c_new)
{
  const StrataPlanActivation *act = &rnn->activation, *ract = &rnn->recurrent_activation;

  switch (rnn->cell)
    {
    case STRATA_PLAN_CELL_SIMPLE:
      for (gsize j = 0; j < u; j++)
        h_new[j] = strata_kernel_activation (act, xw[j] + hu[j]);
      break;
    case STRATA_PLAN_CELL_LSTM:
      for (gsize j = 0; j < u; j++)
        {
          float i = strata_kernel_activation (ract, xw[j] + hu[j]);
          float f = strata_kernel_activation (ract, xw[u + j] + hu[u + j]);
          float g = strata_kernel_activation (act, xw[2 * u + j] + hu[2 * u + j]);
          float o = strata_kernel_activation (ract, xw[3 * u + j] + hu[3 * u + j]);
          c_new[j] = f * c[j] + i * g;
          h_new[j] = o * strata_kernel_activation (act, c_new[j]);
        }
      break;
    case STRATA_PLAN_CELL_GRU:
    case STRATA_PLAN_CELL_GRU_RESET_AFTER:
      for (gsize j = 0; j < u; j++)
        {
          float rz = hu[j], rr = hu[u + j], rh = hu[2 * u + j];
          float z, r, hh;
          if (rbias != NULL)
            {
              rz += rbias[j];
              rr += rbias[u + j];
              rh += rbias[2 * u + j];
            }
          z = strata_kernel_activation (ract, xw[j] + rz);
          r = strata_kernel_activation (ract, xw[u + j] + rr);
          /* reset_after: r scales h·U_h + its bias; else the caller
           * already multiplied (r⊙h) by U_h into this block */
          hh = strata_kernel_activation (act, xw[2 * u + j] +
                                         (rnn->cell == STRATA_PLAN_CELL_GRU_RESET_AFTER ? r * rh : rh));
          h_new[j] = z * h[j] + (1.0f - z) * hh;
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The reset gate r of GRU reset_after=False, then (r⊙h)·U_h into the third
 * block of @hu for the whole batch. */
static void
gru_reset_before (const StrataPlanRnn *rnn, Dims d, const float *xw_step, gsize xw_stride,
                  const float *U, const float *h, float *rh, float *hu)
{
  gsize gu = d.g * d.u;

  for (gsize b = 0; b < d.b; b++)
    for (gsize j = 0; j < d.u; j++)
      {
        float r = strata_kernel_activation (&rnn->recurrent_activation,
                                            xw_step[b * xw_stride + d.u + j] + hu[b * gu + d.u + j]);
        rh[b * d.u + j] = r * h[b * d.u + j];
      }
  strata_sgemm (FALSE, FALSE, d.b, d.u, d.u, rh, d.u, U + 2 * d.u, gu, FALSE, hu + 2 * d.u, gu);
}

void
strata_kernel_rnn (const StrataKernelArgs *a)
{
  const StrataPlanRnn *rnn = &a->op->attr.rnn;
  Dims d = dims_of (a);
  gsize gu = d.g * d.u, rows = 1 + d.n_states + d.t;
  const float *xw = a->in[0], *U = a->in[1];
  const float *rbias = rnn->rbias > 0 ? a->in[rnn->rbias] : NULL;
  const float *mask = rnn->mask > 0 ? a->in[rnn->mask] : NULL;
  float *h = a->scratch, *c = h + d.b * d.u, *h_new = c + d.b * d.u, *c_new = h_new + d.b * d.u;
  float *rh = c_new + d.b * d.u, *hu = rh + d.b * d.u;
  float *out = a->out;
  gboolean reset_before = rnn->cell == STRATA_PLAN_CELL_GRU;

  if (rnn->h0 > 0)
    memcpy (h, a->in[rnn->h0], d.b * d.u * sizeof (float));
  else
    memset (h, 0, d.b * d.u * sizeof (float));
  if (rnn->c0 > 0)
    memcpy (c, a->in[rnn->c0], d.b * d.u * sizeof (float));
  else
    memset (c, 0, d.b * d.u * sizeof (float));
  /* Row 0 holds the previous output while the loop runs (0 at first). */
  for (gsize b = 0; b < d.b; b++)
    memset (out + b * rows * d.u, 0, d.u * sizeof (float));

  for (gsize k = 0; k < d.t; k++)
    {
      gsize t = rnn->go_backwards ? d.t - 1 - k : k;
      const float *xw_step = xw + t * gu;

      /* h·U for the batch (only the z and r blocks for reset_before) */
      strata_sgemm (FALSE, FALSE, d.b, reset_before ? 2 * d.u : gu, d.u, h, d.u, U, gu, FALSE, hu, gu);
      if (reset_before)
        gru_reset_before (rnn, d, xw_step, d.t * gu, U, h, rh, hu);
      for (gsize b = 0; b < d.b; b++)
        {
          float *hb = h + b * d.u, *cb = c + b * d.u;
          float *row = out + b * rows * d.u;
          float *y = row + (1 + d.n_states + k) * d.u;
          gboolean valid = mask == NULL || mask[b * d.t + t] != 0.0f;

          if (!valid)
            {
              /* state kept; output the previous one, or 0 */
              if (rnn->zero_output_for_mask)
                memset (row, 0, d.u * sizeof (float));
              memcpy (y, row, d.u * sizeof (float));
              continue;
            }
          cell_gates (rnn, d.u, xw_step + b * d.t * gu, hu + b * gu, rbias, hb, cb,
                      h_new + b * d.u, c_new + b * d.u);
          memcpy (hb, h_new + b * d.u, d.u * sizeof (float));
          if (rnn->cell == STRATA_PLAN_CELL_LSTM)
            memcpy (cb, c_new + b * d.u, d.u * sizeof (float));
          memcpy (y, hb, d.u * sizeof (float));
          memcpy (row, hb, d.u * sizeof (float));
        }
    }
  /* Row 0 now holds the last output; then the final states. */
  for (gsize b = 0; b < d.b; b++)
    {
      float *row = out + b * rows * d.u;
      memcpy (row + d.u, h + b * d.u, d.u * sizeof (float));
      if (d.n_states == 2)
        memcpy (row + 2 * d.u, c + b * d.u, d.u * sizeof (float));
    }
}
