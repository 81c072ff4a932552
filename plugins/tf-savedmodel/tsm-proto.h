/* tsm-proto.h: unpacking protocol buffers from files safely, plain C
 *
 * protobuf-c unpacks a whole message at once and allocates as it goes.
 * Before it runs, the wire bytes are walked once against the message's
 * schema: every length fits its container, nesting stays within
 * TSM_PROTO_MAX_DEPTH, and the memory the unpacked message needs stays
 * within a small multiple of the input's size.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>

G_BEGIN_DECLS

/* Deepest nesting of messages accepted. */
#define TSM_PROTO_MAX_DEPTH 100
/* Largest protocol buffer file read (protobuf's own 2 GiB limit). */
#define TSM_PROTO_MAX_FILE_SIZE (G_GUINT64_CONSTANT (2) << 30)

/* Checks @data against @descriptor as described above, then unpacks it.
 * @file and @what name the input in errors ("saved_model.pb" of
 * "/x/saved_model.pb"). Errors are STRATA_FORMAT_ERROR_CORRUPT or _LIMIT. */
ProtobufCMessage *tsm_proto_unpack (const ProtobufCMessageDescriptor *descriptor,
                                    const guint8                     *data,
                                    gsize                             length,
                                    const char                       *file,
                                    const char                       *what,
                                    GError                          **error);

/* Memory that one unpacked message and all its parts live in, freed at
 * once: protobuf-c allocates per field, and a SavedModel's object graphs
 * have tens of thousands of them, whose malloc() and free() cost more than
 * the unpacking itself. A message unpacked into an arena must not be given
 * to protobuf_c_message_free_unpacked(). */
typedef struct _TsmProtoArena TsmProtoArena;

void              tsm_proto_arena_free (TsmProtoArena *arena);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmProtoArena, tsm_proto_arena_free)

/* tsm_proto_unpack() into a new arena, returned in @arena with the
 * message (NULL with it on error). */
ProtobufCMessage *tsm_proto_unpack_in_arena (const ProtobufCMessageDescriptor *descriptor,
                                             const guint8                     *data,
                                             gsize                             length,
                                             const char                       *file,
                                             const char                       *what,
                                             TsmProtoArena                   **arena,
                                             GError                          **error);

/* A copy of the message @data with the length-delimited fields
 * @inner_field of its fields @outer_field left out, each @outer_field
 * shortened to match; NULL when there are none or when @data does not
 * parse so far (unpacking it reports that). For fields that are large and
 * not needed, which protobuf-c would otherwise copy as unknown fields. */
GBytes           *tsm_proto_drop_nested (const guint8 *data,
                                         gsize         length,
                                         guint         outer_field,
                                         guint         inner_field);

/* Maps @path, at most TSM_PROTO_MAX_FILE_SIZE bytes. */
GMappedFile      *tsm_proto_map_file  (const char                       *path,
                                       const char                       *what,
                                       GError                          **error);

/* Maps @path and unpacks it. */
ProtobufCMessage *tsm_proto_read_file (const ProtobufCMessageDescriptor *descriptor,
                                       const char                       *path,
                                       const char                       *what,
                                       GError                          **error);

/* Packs @message into a new GBytes. */
GBytes           *tsm_proto_pack      (const ProtobufCMessage *message);

G_END_DECLS
