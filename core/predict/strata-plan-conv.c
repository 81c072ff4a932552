/* strata-plan-conv.c: convolution and pooling kernels (2 or 3 spatial axes)
 *
 * Channels-last values: x [B, (D,) H, W, C]. A 2-D op is run as a 3-D one
 * with D = 1. Convolutions go through im2col and the GEMM; grouped ones
 * (TF's Conv2D/Conv3D with an input depth that is a multiple of the
 * filter's) run one GEMM per group, the transposed ones one GEMM and a
 * scatter (col2im) per batch item.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-plan-kernels.h"

/* The geometry of one op, spatial axes padded to 3 in front. */
typedef struct {
  gint64 n[3], o[3], k[3];   /* input, output, kernel lengths */
  int    s[3], d[3], before[3];
  gsize  ci, co, cig, groups;   /* channels; cig = input channels per group */
  gsize  n_pix, o_pix, k_vol;
} Geometry;

static guint
n_spatial (const StrataKernelArgs *a)
{
  return a->in_rank[a->op->type == STRATA_OP_CONV2D_BACKPROP_INPUT ||
                    a->op->type == STRATA_OP_CONV3D_BACKPROP_INPUT ? 1 : 0] - 2;
}

static void
geometry (const StrataKernelArgs *a, Geometry *g)
{
  const StrataPlanOp *op = a->op;
  gboolean pool = op->type == STRATA_OP_MAX_POOL || op->type == STRATA_OP_AVG_POOL ||
                  op->type == STRATA_OP_MAX_POOL3D || op->type == STRATA_OP_AVG_POOL3D;
  gboolean transposed = op->type == STRATA_OP_CONV2D_BACKPROP_INPUT ||
                        op->type == STRATA_OP_CONV3D_BACKPROP_INPUT;
  const gint64 *xd = a->in_dims[transposed ? 1 : 0], *fd = a->in_dims[transposed ? 0 : 1];
  guint nsp = n_spatial (a), off = 3 - nsp;

  for (guint i = 0; i < 3; i++)
    {
      g->n[i] = g->o[i] = g->k[i] = 1;
      g->s[i] = g->d[i] = 1;
      g->before[i] = 0;
    }
  for (guint i = 0; i < nsp; i++)
    {
      int unused;
      g->n[off + i] = xd[1 + i];
      g->o[off + i] = a->out_dims[1 + i];
      g->k[off + i] = pool ? op->attr.pool.ksize[i] : fd[i];
      g->s[off + i] = pool ? op->attr.pool.strides[i] : op->attr.conv.strides[i];
      g->d[off + i] = pool ? 1 : op->attr.conv.dilations[i];
      /* The transposed conv places its input as the forward conv of its
       * output would read it (spec 3.3). */
      strata_plan_window (pool ? op->attr.pool.padding : op->attr.conv.padding,
                          transposed ? g->o[off + i] : g->n[off + i], (int) g->k[off + i],
                          g->s[off + i], g->d[off + i], pool ? 0 : op->attr.conv.pads[2 * i],
                          pool ? 0 : op->attr.conv.pads[2 * i + 1], &g->before[off + i], &unused);
    }
  g->ci = (gsize) xd[nsp + 1];
  g->co = (gsize) a->out_dims[nsp + 1];
  g->cig = pool ? g->ci : (gsize) fd[transposed ? nsp + 1 : nsp];
  g->groups = !pool && !transposed && g->cig > 0 ? g->ci / g->cig : 1;
  g->n_pix = (gsize) (g->n[0] * g->n[1] * g->n[2]);
  g->o_pix = (gsize) (g->o[0] * g->o[1] * g->o[2]);
  g->k_vol = (gsize) (g->k[0] * g->k[1] * g->k[2]);
}

gsize
strata_kernel_conv_scratch_size (const StrataKernelArgs *a)
{
  Geometry g;

  geometry (a, &g);
  if (a->op->type == STRATA_OP_CONV2D_BACKPROP_INPUT || a->op->type == STRATA_OP_CONV3D_BACKPROP_INPUT)
    return g.n_pix * g.k_vol * g.co * sizeof (float);
  return g.o_pix * g.k_vol * g.cig * strata_plan_dtype_size (a->dtype);
}

/* C = A·B, row-major, in the op's float type. */
static void
gemm (StrataPlanDType dtype, gsize m, gsize n, gsize k, const void *a, gsize lda, const void *b,
      gsize ldb, void *c, gsize ldc)
{
  if (dtype == STRATA_PLAN_F64)
    strata_dgemm (m, n, k, a, lda, b, ldb, c, ldc);
  else
    strata_sgemm (FALSE, FALSE, m, n, k, a, lda, b, ldb, FALSE, c, ldc);
}

/* Conv2D / Conv3D: y[o, c] = Σ_j x[o·s − before + j·d, group(c)] · K[j, :, c]
 * (float32, or float64 in a float64 plan: im2col only moves elements) */
void
strata_kernel_conv (const StrataKernelArgs *a)
{
  Geometry g;
  guint8 *col = a->scratch;
  gsize e = strata_plan_dtype_size (a->dtype);

  geometry (a, &g);
  for (gint64 b = 0; b < a->in_dims[0][0]; b++)
    {
      const guint8 *x = (const guint8 *) a->in[0] + b * g.n_pix * g.ci * e;
      guint8 *y = (guint8 *) a->out + b * g.o_pix * g.co * e;
      gsize cog = g.co / g.groups, kk = g.k_vol * g.cig;

      if (g.groups == 1 && g.k_vol == 1 && g.n_pix == g.o_pix &&
          g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && g.before[0] == 0 && g.before[1] == 0 && g.before[2] == 0)
        {
          gemm (a->dtype, g.o_pix, g.co, g.ci, x, g.ci, a->in[1], g.co, y, g.co);
          continue;
        }
      for (gsize grp = 0; grp < g.groups; grp++)
        {
          /* im2col: one row per output pixel, [kd, kh, kw, cig] like the filter */
          guint8 *row = col;
          for (gint64 oz = 0; oz < g.o[0]; oz++)
            for (gint64 oy = 0; oy < g.o[1]; oy++)
              for (gint64 ox = 0; ox < g.o[2]; ox++)
                for (gint64 kz = 0; kz < g.k[0]; kz++)
                  for (gint64 ky = 0; ky < g.k[1]; ky++)
                    for (gint64 kx = 0; kx < g.k[2]; kx++, row += g.cig * e)
                      {
                        gint64 iz = oz * g.s[0] - g.before[0] + kz * g.d[0];
                        gint64 iy = oy * g.s[1] - g.before[1] + ky * g.d[1];
                        gint64 ix = ox * g.s[2] - g.before[2] + kx * g.d[2];
                        if (iz < 0 || iz >= g.n[0] || iy < 0 || iy >= g.n[1] || ix < 0 || ix >= g.n[2])
                          memset (row, 0, g.cig * e);
                        else
                          memcpy (row, x + (((iz * g.n[1] + iy) * g.n[2] + ix) * g.ci + grp * g.cig) * e,
                                  g.cig * e);
                      }
          gemm (a->dtype, g.o_pix, cog, kk, col, kk, (const guint8 *) a->in[1] + grp * cog * e, g.co,
                y + grp * cog * e, g.co);
        }
    }
}

/* Conv{2,3}DBackpropInput: every input pixel's x·Kᵀ, [k..., co], is added
 * to the output at o = i·s − before + j·d (what falls outside is dropped). */
void
strata_kernel_conv_transpose (const StrataKernelArgs *a)
{
  Geometry g;
  float *col = a->scratch;

  geometry (a, &g);
  for (gint64 b = 0; b < a->in_dims[1][0]; b++)
    {
      const float *x = (const float *) a->in[1] + b * g.n_pix * g.ci;
      float *y = (float *) a->out + b * g.o_pix * g.co;
      const float *c = col;

      /* the filter [k..., co, ci] is a [k_vol·co, ci] matrix */
      strata_sgemm (FALSE, TRUE, g.n_pix, g.k_vol * g.co, g.ci, x, g.ci, a->in[0], g.ci, FALSE,
                    col, g.k_vol * g.co);
      memset (y, 0, g.o_pix * g.co * sizeof (float));
      for (gint64 iz = 0; iz < g.n[0]; iz++)
        for (gint64 iy = 0; iy < g.n[1]; iy++)
          for (gint64 ix = 0; ix < g.n[2]; ix++)
            for (gint64 kz = 0; kz < g.k[0]; kz++)
              for (gint64 ky = 0; ky < g.k[1]; ky++)
                for (gint64 kx = 0; kx < g.k[2]; kx++, c += g.co)
                  {
                    gint64 oz = iz * g.s[0] - g.before[0] + kz * g.d[0];
                    gint64 oy = iy * g.s[1] - g.before[1] + ky * g.d[1];
                    gint64 ox = ix * g.s[2] - g.before[2] + kx * g.d[2];
                    float *dst;
                    if (oz < 0 || oz >= g.o[0] || oy < 0 || oy >= g.o[1] || ox < 0 || ox >= g.o[2])
                      continue;
                    dst = y + ((oz * g.o[1] + oy) * g.o[2] + ox) * g.co;
                    for (gsize ch = 0; ch < g.co; ch++)
                      dst[ch] += c[ch];
                  }
    }
}

/* MaxPool / AvgPool (2-D and 3-D): padded cells never count (spec 3.2).
 * Inlined once per float type, so the element type is a constant. */
G_ALWAYS_INLINE static inline void
pool (const StrataKernelArgs *a, gboolean f64)
{
  Geometry g;
  gboolean is_max = a->op->type == STRATA_OP_MAX_POOL || a->op->type == STRATA_OP_MAX_POOL3D;
  gint64 lo[3], hi[3];

  geometry (a, &g);
  for (gint64 b = 0; b < a->in_dims[0][0]; b++)
    for (gint64 oz = 0; oz < g.o[0]; oz++)
      for (gint64 oy = 0; oy < g.o[1]; oy++)
        for (gint64 ox = 0; ox < g.o[2]; ox++)
          {
            const gint64 o[3] = { oz, oy, ox };
            gsize x0 = b * g.n_pix * g.ci;
            gsize y0 = (((b * g.o[0] + oz) * g.o[1] + oy) * g.o[2] + ox) * g.ci;
            for (guint i = 0; i < 3; i++)
              {
                lo[i] = MAX (o[i] * g.s[i] - g.before[i], 0);
                hi[i] = MIN (o[i] * g.s[i] - g.before[i] + g.k[i], g.n[i]);
              }
            for (gsize ch = 0; ch < g.ci; ch++)
              {
                double acc = is_max ? -INFINITY : 0.0;
                for (gint64 iz = lo[0]; iz < hi[0]; iz++)
                  for (gint64 iy = lo[1]; iy < hi[1]; iy++)
                    for (gint64 ix = lo[2]; ix < hi[2]; ix++)
                      {
                        double v = strata_kernel_load (a->in[0], x0 + ((iz * g.n[1] + iy) * g.n[2] + ix) * g.ci + ch, f64);
                        if (is_max)
                          acc = (v > acc || isnan (v)) ? v : acc;
                        else
                          acc += v;
                      }
                strata_kernel_store (a->out, y0 + ch, f64,
                                     is_max ? acc
                                     : acc / (double) ((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2])));
              }
          }
}

void
strata_kernel_pool (const StrataKernelArgs *a)
{
  if (a->dtype == STRATA_PLAN_F64)
    pool (a, TRUE);
  else
    pool (a, FALSE);
}
