/* h5-writer.h: writes the tf-keras 2.x legacy HDF5 layout from plain structs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "strata.h"
#include "h5-reader.h"
#include "h5-export.h"

G_BEGIN_DECLS

typedef struct {
  const char  *name;          /* weight_names entry and dataset path ("dense/kernel:0") */
  StrataDType  dtype;
  guint        rank;
  gint64       dims[H5K_MAX_RANK];
  GBytes      *data;          /* little-endian, C order */
} H5kOutWeight;

typedef struct {
  const char *name;
  GPtrArray  *weights;        /* (element-type H5kOutWeight) */
} H5kOutGroup;

typedef struct {
  const char *keras_version;
  const char *backend;
  const char *model_config;   /* NULL: a weights-only file */
  const char *training_config;/* nullable */
  GPtrArray  *layers;         /* (element-type H5kOutGroup) in Keras layer order */
  gboolean    top_level;      /* write an empty top_level_model_weights group */
  H5kOutGroup *optimizer;     /* nullable */
  GCancellable *cancellable;  /* nullable: checked before each group is written */
} H5kOutFile;

/* Writes @spec into the file open at @fd (truncating it; -1: the file
 * @name, created or truncated), named @name in messages: root attributes as h5py writes them for tf-keras, the weights
 * under model_weights (or the root for weights-only files), and
 * optimizer_weights. Fails with G_IO_ERROR_CANCELLED when @spec's
 * cancellable is cancelled meanwhile (the file is then incomplete), and
 * with the G_IO_ERROR of the system's errno when a write fails. */
gboolean h5k_write_to_fd (int               fd,
                          const char       *name,
                          const H5kOutFile *spec,
                          GError          **error);

/* h5k_write_to_fd() into @path, created or truncated. */
H5K_EXPORT
gboolean h5k_write_file  (const char       *path,
                          const H5kOutFile *spec,
                          GError          **error);

G_END_DECLS
