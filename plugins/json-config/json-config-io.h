/* json-config-io.h: reading and writing Keras to_json files, without GObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Files larger than this are refused before they are read. */
#define JSON_CONFIG_MAX_FILE_SIZE (256u * 1024 * 1024)

/* How sure we are that @head (the start of a file) is a to_json file:
 * 60 for a JSON object naming "class_name" and "config", 40 for one that
 * names only "class_name", else 0. */
int      json_config_probe      (const guint8 *head,
                                 gsize         length);

/* Reads the whole file at @path (at most JSON_CONFIG_MAX_FILE_SIZE bytes). */
gboolean json_config_read_file  (const char   *path,
                                 char        **contents,
                                 gsize        *length,
                                 GError      **error);

/* Writes @text to @path in place (the caller makes the save atomic). */
gboolean json_config_write_file (const char   *path,
                                 const char   *text,
                                 GError      **error);

G_END_DECLS
