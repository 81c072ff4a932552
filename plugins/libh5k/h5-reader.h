/* h5-reader.h: the Keras HDF5 layout read into plain structs (no GObject)
 *
 * Every function here takes the process-wide HDF5 lock itself, so callers
 * never touch libhdf5 unlocked (Debian's build is not thread-safe).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "strata.h"
#include "h5-export.h"

G_BEGIN_DECLS

#define H5K_MAX_RANK 32

/* One weight dataset, as located through a weight_names entry. */
typedef struct {
  char        *name;          /* the weight_names entry ("dense/kernel:0") */
  char        *path;          /* absolute HDF5 path of the dataset */
  StrataDType  dtype;         /* element type, stored little-endian */
  guint        rank;
  gint64       dims[H5K_MAX_RANK];
  guint64      n_bytes;       /* declared size: elements * dtype size */
  gboolean     mappable;      /* contiguous, unfiltered, allocated, same byte layout */
  guint64      offset;        /* file offset of the data when mappable */
} H5kWeight;

/* A group listing weights through weight_names (a layer, the top-level
 * model weights or the optimizer). */
typedef struct {
  char      *name;
  GPtrArray *weights;         /* (element-type H5kWeight) */
} H5kGroup;

/* What a Keras HDF5 file (full model or weights-only) holds. */
typedef struct {
  char      *keras_version;    /* root keras_version, nullable */
  char      *backend;          /* root backend, nullable */
  char      *model_config;     /* nullable: absent in weights-only files */
  char      *training_config;  /* nullable */
  char      *weights_keras_version; /* of the weights group; NULL means Keras 1 */
  char      *weights_backend;  /* of the weights group, nullable */
  char      *weights_root;     /* "/model_weights" or "/" */
  GPtrArray *layers;           /* (element-type H5kGroup) in layer_names order */
  H5kGroup  *top_level;        /* nullable: top_level_model_weights */
  H5kGroup  *optimizer;        /* nullable: optimizer_weights */
} H5kKerasFile;

typedef struct _H5kFile H5kFile;

/* Opens @path read-only and maps it. Fails with STRATA_FORMAT_ERROR_CORRUPT
 * for files that are not HDF5 or are damaged. */
H5K_EXPORT
H5kFile      *h5k_file_open           (const char    *path,
                                       GError       **error);
H5K_EXPORT
void          h5k_file_free           (H5kFile       *file);
H5K_EXPORT
const char   *h5k_file_get_path       (H5kFile       *file);
guint64       h5k_file_get_size       (H5kFile       *file);

/* Reads the root attributes and the weight groups (no weight data). The
 * optimizer group is read when @with_optimizer. */
H5K_EXPORT
H5kKerasFile *h5k_file_read_keras     (H5kFile       *file,
                                       gboolean       with_optimizer,
                                       GError       **error);
/* The two steps of h5k_file_read_keras(): the root attributes (versions,
 * configs) and where the weights are; then the weight groups into @kf. */
H5K_EXPORT
H5kKerasFile *h5k_file_read_root      (H5kFile       *file,
                                       GError       **error);
H5K_EXPORT
gboolean      h5k_file_read_groups    (H5kFile       *file,
                                       H5kKerasFile  *kf,
                                       gboolean       with_optimizer,
                                       GError       **error);
H5K_EXPORT
void          h5k_keras_file_free     (H5kKerasFile  *kf);

/* Reads one weight's bytes (little-endian, C order). Mappable datasets are
 * handed out as a slice of the file's mapping (unless the environment has
 * STRATA_H5_NO_MMAP=1); others are read straight into a new buffer. Sizes
 * are checked against what the file can hold. */
H5K_EXPORT
GBytes       *h5k_file_read_weight    (H5kFile       *file,
                                       const H5kWeight *weight,
                                       GError       **error);

/* "float32 [3, 4]" for messages. */
char         *h5k_weight_describe     (const H5kWeight *weight);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (H5kFile, h5k_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (H5kKerasFile, h5k_keras_file_free)

G_END_DECLS
