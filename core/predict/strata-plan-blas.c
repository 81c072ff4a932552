/* strata-plan-blas.c: single- and double-precision matrix products
 *
 * OpenBLAS when the build found it (threads follow OPENBLAS_NUM_THREADS),
 * else a plain C loop that accumulates in double.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-plan-kernels.h"

#ifdef STRATA_HAVE_CBLAS
#include <cblas.h>
#endif

void
strata_sgemm (gboolean trans_a, gboolean trans_b, gsize m, gsize n, gsize k,
              const float *a, gsize lda, const float *b, gsize ldb,
              gboolean accumulate, float *c, gsize ldc)
{
  if (m == 0 || n == 0)
    return;
#ifdef STRATA_HAVE_CBLAS
  if (k > 0)
    {
      cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                   trans_b ? CblasTrans : CblasNoTrans, (int) m, (int) n, (int) k,
                   1.0f, a, (int) lda, b, (int) ldb, accumulate ? 1.0f : 0.0f, c, (int) ldc);
      return;
    }
#endif
  for (gsize i = 0; i < m; i++)
    for (gsize j = 0; j < n; j++)
      {
        double sum = accumulate ? c[i * ldc + j] : 0.0;
        for (gsize p = 0; p < k; p++)
          sum += (double) (trans_a ? a[p * lda + i] : a[i * lda + p]) *
                 (double) (trans_b ? b[j * ldb + p] : b[p * ldb + j]);
        c[i * ldc + j] = (float) sum;
      }
}

/* C = A·B, row-major [m, k]·[k, n] with leading dimensions. */
void
strata_dgemm (gsize m, gsize n, gsize k, const double *a, gsize lda, const double *b, gsize ldb,
              double *c, gsize ldc)
{
  if (m == 0 || n == 0)
    return;
#ifdef STRATA_HAVE_CBLAS
  if (k > 0)
    {
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) n, (int) k,
                   1.0, a, (int) lda, b, (int) ldb, 0.0, c, (int) ldc);
      return;
    }
#endif
  for (gsize i = 0; i < m; i++)
    for (gsize j = 0; j < n; j++)
      {
        double sum = 0.0;
        for (gsize p = 0; p < k; p++)
          sum += a[i * lda + p] * b[p * ldb + j];
        c[i * ldc + j] = sum;
      }
}
