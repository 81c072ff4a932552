/* tsm-crc32c.c: CRC-32C through ISA-L
 *
 * ISA-L's crc32_iscsi() neither inverts its seed nor its result, so the
 * standard CRC is crc32_iscsi (data, n, ~0) ^ ~0 and continuing a standard
 * CRC means seeding with its inverse. Its length is an int: longer data
 * goes through in chunks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-crc32c.h"

#include <isa-l/crc.h>

#define CHUNK ((gsize) 1 << 30)

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
gboolean tsm_crc32c_fuzzing_accept_all;
#endif

guint32
tsm_crc32c_extend (guint32      crc,
                   const void  *data,
                   gsize        size)
{
  const guint8 *p = data;
  guint32 state = ~crc;

  while (size > 0)
    {
      gsize n = MIN (size, CHUNK);

      state = crc32_iscsi ((unsigned char *) p, (int) n, state);
      p += n;
      size -= n;
    }
  return ~state;
}
