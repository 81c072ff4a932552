/* tsm-coding.h: varints and little-endian integers of the LevelDB/TF
 * formats, every read bounded by an end pointer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

#define TSM_MAX_VARINT64_LEN 10

/* Reads a varint of at most @max_bits bits at *@p (< @end) and advances
 * *@p. FALSE when it runs past @end, is longer than its type allows or
 * carries bits beyond @max_bits. */
static inline gboolean
tsm_get_varint (const guint8 **p,
                const guint8  *end,
                guint          max_bits,
                guint64       *value)
{
  const guint8 *q = *p;
  guint64 result = 0;

  for (guint shift = 0; shift < max_bits && q < end; shift += 7)
    {
      guint64 byte = *q++;
      guint64 bits = byte & 0x7f;

      if (max_bits - shift < 7 && (bits >> (max_bits - shift)) != 0)
        return FALSE;
      result |= bits << shift;
      if ((byte & 0x80) == 0)
        {
          *p = q;
          *value = result;
          return TRUE;
        }
    }
  return FALSE;
}

static inline gboolean
tsm_get_varint32 (const guint8 **p,
                  const guint8  *end,
                  guint32       *value)
{
  guint64 v;

  if (!tsm_get_varint (p, end, 32, &v))
    return FALSE;
  *value = (guint32) v;
  return TRUE;
}

static inline gboolean
tsm_get_varint64 (const guint8 **p,
                  const guint8  *end,
                  guint64       *value)
{
  return tsm_get_varint (p, end, 64, value);
}

/* Writes @value as a varint into @buf; returns its length. */
static inline gsize
tsm_encode_varint64 (guint8  buf[TSM_MAX_VARINT64_LEN],
                     guint64 value)
{
  gsize n = 0;

  while (value >= 0x80)
    {
      buf[n++] = (guint8) (value | 0x80);
      value >>= 7;
    }
  buf[n++] = (guint8) value;
  return n;
}

static inline void
tsm_put_varint64 (GByteArray *out,
                  guint64     value)
{
  guint8 buf[TSM_MAX_VARINT64_LEN];

  g_byte_array_append (out, buf, (guint) tsm_encode_varint64 (buf, value));
}

static inline guint32
tsm_read_le32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static inline guint64
tsm_read_le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static inline void
tsm_write_le32 (guint8  *p,
                guint32  value)
{
  value = GUINT32_TO_LE (value);
  memcpy (p, &value, sizeof value);
}

static inline void
tsm_put_le32 (GByteArray *out,
              guint32     value)
{
  guint8 buf[4];

  tsm_write_le32 (buf, value);
  g_byte_array_append (out, buf, sizeof buf);
}

G_END_DECLS
