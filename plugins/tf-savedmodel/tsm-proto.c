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
  /* Translators: the first placeholder is what the file is ("saved_model.pb"),
   * the second its path, the third a byte offset. */
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
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
  /* Translators: the first placeholder is what the file is, the second its path. */
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
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
      /* Translators: the first placeholder is what the file is, the second
       * its path, the third a number. */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
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

ProtobufCMessage *
tsm_proto_unpack (const ProtobufCMessageDescriptor *descriptor,
                  const guint8                     *data,
                  gsize                             length,
                  const char                       *file,
                  const char                       *what,
                  GError                          **error)
{
  Scan scan = { file, what, 0, (guint64) length * ALLOC_BUDGET_FACTOR + ALLOC_BUDGET_BASE };
  ProtobufCMessage *message;

  if (!scan_message (&scan, descriptor, data, length, 0, 0, error))
    return NULL;
  message = protobuf_c_message_unpack (descriptor, NULL, length, data);
  if (message == NULL)
    {
      /* Translators: the first placeholder is what the file is, the second its path. */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   _("The %s “%s” is not a valid protocol buffer"), what, file);
      return NULL;
    }
  return message;
}

ProtobufCMessage *
tsm_proto_read_file (const ProtobufCMessageDescriptor *descriptor,
                     const char                       *path,
                     const char                       *what,
                     GError                          **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (guint64) st.st_size > TSM_PROTO_MAX_FILE_SIZE)
    {
      /* Translators: the first placeholder is what the file is, the second its path. */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   _("The %s “%s” is larger than 2 GiB, the limit of protocol buffers"), what, path);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, error);
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
