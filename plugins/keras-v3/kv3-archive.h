/* kv3-archive.h: the .keras zip archive (or its unzipped directory)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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

/* Writes a STORED zip like Python's zipfile into @out (a GSeekable stream,
 * named @name in messages): metadata.json, config.json, then the contents
 * of the file open at @weights_fd as model.weights.h5. A failed write of
 * @out gives its error (G_IO_ERROR_NO_SPACE...). */
gboolean kv3_archive_write (GOutputStream *out,
                            const char    *name,
                            const char    *metadata,
                            const char    *config,
                            int            weights_fd,
                            GError       **error);

G_END_DECLS

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Kv3Archive, kv3_archive_clear)
