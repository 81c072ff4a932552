/* kv3-archive.h: the .keras zip archive (or its unzipped directory)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* h5-fd.h (libh5k) */
typedef struct _H5kFdTarget H5kFdTarget;

/* Limits against zip bombs: no member may declare more than this, nor more
 * than KV3_MAX_RATIO times the archive's size (stored members are 1:1). */
#define KV3_MAX_MEMBER_SIZE   (G_GUINT64_CONSTANT (16) << 30)
#define KV3_MAX_CONFIG_SIZE   (G_GUINT64_CONSTANT (256) << 20)
#define KV3_MAX_RATIO         100
#define KV3_MAX_ENTRIES       10000

/* What load needs from an archive. */
typedef struct {
  char   *config;        /* config.json, NUL-terminated */
  gsize   config_len;
  char   *metadata;      /* metadata.json, nullable */
  char   *weights_path;  /* model.weights.h5 on disk (extracted or in the directory) */
  char   *tmp_dir;       /* nullable: where it was extracted; removed by clear */
} Kv3Archive;

gboolean kv3_archive_open  (GFile       *file,
                            Kv3Archive  *archive,
                            GError     **error);
void     kv3_archive_clear (Kv3Archive  *archive);

/* Writes the weights file into @target, to the end of its file. */
typedef gboolean (*Kv3WeightsWriter) (const H5kFdTarget  *target,
                                      gpointer            user_data,
                                      GError            **error);

/* Writes a STORED zip like Python's zipfile into the file open at @fd
 * (named @name in messages): metadata.json, config.json, then
 * model.weights.h5, which @write_weights writes in place. A failed write
 * gives its G_IO_ERROR (G_IO_ERROR_NO_SPACE...). */
gboolean kv3_archive_write (int               fd,
                            const char       *name,
                            const char       *metadata,
                            const char       *config,
                            Kv3WeightsWriter  write_weights,
                            gpointer          user_data,
                            GError          **error);

G_END_DECLS

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Kv3Archive, kv3_archive_clear)
