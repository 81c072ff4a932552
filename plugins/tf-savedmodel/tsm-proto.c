/* tsm-proto.c: unpacking protocol buffers from files safely
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-proto.h"

#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "strata-i18n-private.h"

/* protobuf-c allocates per message its struct, per repeated field an array,
 * per string a copy, per unknown field a record and a copy. A real file
 * needs about 4 bytes per input byte; the budget leaves room for that and
 * refuses inputs made of many empty messages. */
#define ALLOC_BUDGET_FACTOR 16
#define ALLOC_BUDGET_BASE   (1 << 20)

typedef struct {
  const char *file;
  const char *what;
  guint64     allocated;
  guint64     budget;
  guint64     n_fields;
} Scan;

static gboolean
read_varint (const guint8 *data, gsize length, gsize *pos, guint64 *out)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 b;

      if (*pos >= length)
        return FALSE;
      b = data[(*pos)++];
      value |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *out = value;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
corrupt (Scan *scan, gsize offset, GError **error)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: what is read, such as saved_model.pb, a file name, then a byte offset */
               _("The %s “%s” is not a valid protocol buffer (bad field at byte %llu)"),
               scan->what, scan->file, (unsigned long long) offset);
  return FALSE;
}

static gboolean
charge (Scan *scan, guint64 bytes, GError **error)
{
  scan->allocated += bytes;
  if (scan->allocated <= scan->budget)
    return TRUE;
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
               /* Translators: what is read, such as saved_model.pb, then a file name */
               _("The %s “%s” holds more structure than its size allows (too many empty records)"),
               scan->what, scan->file);
  return FALSE;
}

static gboolean
scan_message (Scan *scan, const ProtobufCMessageDescriptor *desc, const guint8 *data,
              gsize length, gsize base, guint depth, GError **error)
{
  gsize pos = 0;

  if (depth > TSM_PROTO_MAX_DEPTH)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: what is read, such as saved_model.pb, a file name, then the
                    * nesting limit */
                   _("The %s “%s” nests messages more than %u levels deep"),
                   scan->what, scan->file, (guint) TSM_PROTO_MAX_DEPTH);
      return FALSE;
    }
  if (!charge (scan, desc->sizeof_message, error))
    return FALSE;
  while (pos < length)
    {
      gsize start = pos;
      guint64 tag, value, field_length = 0;
      const ProtobufCFieldDescriptor *field;

      if (!read_varint (data, length, &pos, &tag) || (tag >> 3) == 0 || (tag >> 3) > G_MAXUINT32)
        return corrupt (scan, base + start, error);
      switch (tag & 7)
        {
        case 0:
          if (!read_varint (data, length, &pos, &value))
            return corrupt (scan, base + start, error);
          break;
        case 1:
          if (length - pos < 8)
            return corrupt (scan, base + start, error);
          pos += 8;
          break;
        case 5:
          if (length - pos < 4)
            return corrupt (scan, base + start, error);
          pos += 4;
          break;
        case 2:
          if (!read_varint (data, length, &pos, &field_length) || field_length > length - pos)
            return corrupt (scan, base + start, error);
          break;
        default:
          /* Groups (3, 4) are not used by any TensorFlow message. */
          return corrupt (scan, base + start, error);
        }
      scan->n_fields++;
      field = protobuf_c_message_descriptor_get_field (desc, (unsigned) (tag >> 3));
      if (field == NULL)
        {
          /* protobuf-c keeps unknown fields: a record and a copy. */
          if (!charge (scan, sizeof (ProtobufCMessageUnknownField) + (pos - start) + field_length, error))
            return FALSE;
        }
      else
        {
          /* A repeated field's array slot, a string's copy. */
          if (!charge (scan, sizeof (gpointer) + 8 + ((tag & 7) == 2 ? field_length + 1 : 0), error))
            return FALSE;
          if ((tag & 7) == 2 && field->type == PROTOBUF_C_TYPE_MESSAGE &&
              !scan_message (scan, field->descriptor, data + pos, field_length, base + pos,
                             depth + 1, error))
            return FALSE;
        }
      pos += field_length;
    }
  return TRUE;
}

/* ---- arenas ---- */

/* protobuf-c's own scratch memory: per message with more than 16 fields,
 * slabs of 32-byte records of them, at most twice the fields in all. */
#define SCANNED_MEMBER_BYTES 64
#define ARENA_ALIGN          16
#define ARENA_MIN_CHUNK      (64 << 10)

struct _TsmProtoArena {
  GPtrArray *chunks;
  guint8    *next;
  gsize      left;
  guint64    used;
  guint64    limit;     /* no allocation beyond what the scan allows */
};

static void *
arena_alloc (void *data, size_t size)
{
  TsmProtoArena *arena = data;
  gsize need = (size + ARENA_ALIGN - 1) & ~(gsize) (ARENA_ALIGN - 1);
  void *p;

  if (need < size)
    return NULL;
  if (need > arena->left)
    {
      /* Chunks grow with the arena: few of them, little slack. */
      gsize chunk = MAX (need, MAX (ARENA_MIN_CHUNK, arena->used));
      guint8 *block;

      if (chunk > arena->limit - MIN (arena->used, arena->limit))
        chunk = need;
      if (arena->used + chunk > arena->limit || (block = g_try_malloc (chunk)) == NULL)
        return NULL;
      g_ptr_array_add (arena->chunks, block);
      arena->used += chunk;
      arena->next = block;
      arena->left = chunk;
    }
  p = arena->next;
  arena->next += need;
  arena->left -= need;
  return p;
}

/* Everything is freed with the arena. */
static void
arena_free (void *data, void *pointer)
{
}

void
tsm_proto_arena_free (TsmProtoArena *arena)
{
  if (arena == NULL)
    return;
  g_ptr_array_unref (arena->chunks);
  g_free (arena);
}

/* ---- unpacking ---- */

static ProtobufCMessage *
unpack (const ProtobufCMessageDescriptor *descriptor, const guint8 *data, gsize length,
        const char *file, const char *what, TsmProtoArena **arena, GError **error)
{
  Scan scan = { file, what, 0, (guint64) length * ALLOC_BUDGET_FACTOR + ALLOC_BUDGET_BASE, 0 };
  g_autoptr(TsmProtoArena) owned = NULL;
  ProtobufCAllocator allocator = { arena_alloc, arena_free, NULL };
  ProtobufCMessage *message;

  if (!scan_message (&scan, descriptor, data, length, 0, 0, error))
    return NULL;
  if (arena != NULL)
    {
      owned = g_new0 (TsmProtoArena, 1);
      owned->chunks = g_ptr_array_new_with_free_func (g_free);
      /* The scan's estimate is close, not exact (packed arrays, alignment). */
      owned->limit = 2 * scan.budget + scan.n_fields * SCANNED_MEMBER_BYTES;
      allocator.allocator_data = owned;
    }
  message = protobuf_c_message_unpack (descriptor, arena != NULL ? &allocator : NULL, length, data);
  if (message == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: what the file is (saved_model.pb), then its path */
                   _("The %s “%s” is not a valid protocol buffer"), what, file);
      return NULL;
    }
  if (arena != NULL)
    *arena = g_steal_pointer (&owned);
  return message;
}

ProtobufCMessage *
tsm_proto_unpack (const ProtobufCMessageDescriptor *descriptor,
                  const guint8                     *data,
                  gsize                             length,
                  const char                       *file,
                  const char                       *what,
                  GError                          **error)
{
  return unpack (descriptor, data, length, file, what, NULL, error);
}

ProtobufCMessage *
tsm_proto_unpack_in_arena (const ProtobufCMessageDescriptor *descriptor,
                           const guint8                     *data,
                           gsize                             length,
                           const char                       *file,
                           const char                       *what,
                           TsmProtoArena                   **arena,
                           GError                          **error)
{
  g_return_val_if_fail (arena != NULL, NULL);
  *arena = NULL;
  return unpack (descriptor, data, length, file, what, arena, error);
}

/* ---- leaving fields out ---- */

/* The next field of @data at *@pos: its number, and for a length-delimited
 * one its payload; FALSE at the end or on a field that does not parse. */
static gboolean
next_field (const guint8 *data, gsize length, gsize *pos, guint64 *number,
            const guint8 **payload, gsize *payload_length)
{
  guint64 tag, value;

  if (*pos >= length || !read_varint (data, length, pos, &tag))
    return FALSE;
  *number = tag >> 3;
  *payload = NULL;
  switch (tag & 7)
    {
    case 0:
      return read_varint (data, length, pos, &value);
    case 1:
    case 5:
      value = (tag & 7) == 1 ? 8 : 4;
      break;
    case 2:
      if (!read_varint (data, length, pos, &value) || value > length - *pos)
        return FALSE;
      *payload = data + *pos;
      *payload_length = (gsize) value;
      break;
    default:
      return FALSE;
    }
  if (value > length - *pos)
    return FALSE;
  *pos += (gsize) value;
  return TRUE;
}

static void
append_varint (GByteArray *out, guint64 value)
{
  guint8 b;

  do
    {
      b = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
      g_byte_array_append (out, &b, 1);
      value >>= 7;
    }
  while (value != 0);
}

GBytes *
tsm_proto_drop_nested (const guint8 *data, gsize length, guint outer_field, guint inner_field)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (length);
  g_autoptr(GByteArray) inner = g_byte_array_new ();
  gsize pos = 0, start = 0;
  gboolean dropped = FALSE;

  while (pos < length)
    {
      const guint8 *payload;
      gsize payload_length = 0, ipos = 0, istart = 0;
      guint64 number;

      start = pos;
      if (!next_field (data, length, &pos, &number, &payload, &payload_length))
        return NULL;
      if (number != outer_field || payload == NULL)
        {
          g_byte_array_append (out, data + start, (guint) (pos - start));
          continue;
        }
      g_byte_array_set_size (inner, 0);
      while (ipos < payload_length)
        {
          const guint8 *ipayload;
          gsize ilength;
          guint64 inumber;

          istart = ipos;
          if (!next_field (payload, payload_length, &ipos, &inumber, &ipayload, &ilength))
            return NULL;
          if (inumber == inner_field && ipayload != NULL)
            dropped = TRUE;
          else
            g_byte_array_append (inner, payload + istart, (guint) (ipos - istart));
        }
      append_varint (out, (guint64) outer_field << 3 | 2);
      append_varint (out, inner->len);
      g_byte_array_append (out, inner->data, inner->len);
    }
  if (!dropped)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GMappedFile *
tsm_proto_map_file (const char *path, const char *what, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (guint64) st.st_size > TSM_PROTO_MAX_FILE_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: what the file is (saved_model.pb), then its path */
                   _("The %s “%s” is larger than 2 GiB, the limit of protocol buffers"), what, path);
      return NULL;
    }
  return g_mapped_file_new (path, FALSE, error);
}

ProtobufCMessage *
tsm_proto_read_file (const ProtobufCMessageDescriptor *descriptor,
                     const char                       *path,
                     const char                       *what,
                     GError                          **error)
{
  g_autoptr(GMappedFile) mapped = tsm_proto_map_file (path, what, error);

  if (mapped == NULL)
    return NULL;
  return tsm_proto_unpack (descriptor, (const guint8 *) g_mapped_file_get_contents (mapped),
                           g_mapped_file_get_length (mapped), path, what, error);
}

GBytes *
tsm_proto_pack (const ProtobufCMessage *message)
{
  gsize size = protobuf_c_message_get_packed_size (message);
  guint8 *buffer = g_malloc (MAX (size, 1));

  protobuf_c_message_pack (message, buffer);
  return g_bytes_new_take (buffer, size);
}
