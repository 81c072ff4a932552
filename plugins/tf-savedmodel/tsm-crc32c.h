/* tsm-crc32c.h: CRC-32C (Castagnoli) as TensorFlow and LevelDB use it
 *
 * Standard CRC-32C (init and final XOR 0xffffffff): crc32c("123456789") is
 * 0xe3069283. Stored checksums are masked (tsm_crc32c_mask) so that a CRC
 * of data that holds CRCs is not degenerate.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSM_CRC32C_MASK_DELTA 0xa282ead8u

/* The CRC of @crc's data followed by @data (crc32c of the concatenation);
 * tsm_crc32c_extend (0, data, n) is the CRC of @data alone. */
guint32 tsm_crc32c_extend (guint32      crc,
                           const void  *data,
                           gsize        size);

static inline guint32
tsm_crc32c (const void *data,
            gsize       size)
{
  return tsm_crc32c_extend (0, data, size);
}

static inline guint32
tsm_crc32c_mask (guint32 crc)
{
  return ((crc >> 15) | (crc << 17)) + TSM_CRC32C_MASK_DELTA;
}

static inline guint32
tsm_crc32c_unmask (guint32 masked)
{
  guint32 rot = masked - TSM_CRC32C_MASK_DELTA;

  return (rot >> 17) | (rot << 15);
}

/* Fuzzing builds may be told to accept any stored checksum, so that
 * mutated inputs reach the code behind the checks (libFuzzer's
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION convention). */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
extern gboolean tsm_crc32c_fuzzing_accept_all;
#endif

/* TRUE when the stored @masked checksum is that of data whose CRC is
 * @actual. */
static inline gboolean
tsm_crc32c_matches (guint32 masked,
                    guint32 actual)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  if (tsm_crc32c_fuzzing_accept_all)
    return TRUE;
#endif
  return tsm_crc32c_unmask (masked) == actual;
}

G_END_DECLS
