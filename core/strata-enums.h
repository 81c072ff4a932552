/* strata-enums.h: public enumerations and flags
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * StrataDType:
 * @STRATA_DTYPE_INVALID: not a data type
 * @STRATA_DTYPE_FLOAT16: IEEE 754 half precision
 * @STRATA_DTYPE_BFLOAT16: brain floating point, 16 bits
 * @STRATA_DTYPE_FLOAT32: IEEE 754 single precision
 * @STRATA_DTYPE_FLOAT64: IEEE 754 double precision
 * @STRATA_DTYPE_INT8: signed 8-bit integer
 * @STRATA_DTYPE_INT16: signed 16-bit integer
 * @STRATA_DTYPE_INT32: signed 32-bit integer
 * @STRATA_DTYPE_INT64: signed 64-bit integer
 * @STRATA_DTYPE_UINT8: unsigned 8-bit integer
 * @STRATA_DTYPE_UINT16: unsigned 16-bit integer
 * @STRATA_DTYPE_UINT32: unsigned 32-bit integer
 * @STRATA_DTYPE_UINT64: unsigned 64-bit integer
 * @STRATA_DTYPE_BOOL: boolean, one byte per element
 *
 * The element type of a [class@Strata.Tensor]. Tensor data is always stored
 * little-endian in C (row-major) order.
 */
typedef enum {
  STRATA_DTYPE_INVALID = 0,
  STRATA_DTYPE_FLOAT16,
  STRATA_DTYPE_BFLOAT16,
  STRATA_DTYPE_FLOAT32,
  STRATA_DTYPE_FLOAT64,
  STRATA_DTYPE_INT8,
  STRATA_DTYPE_INT16,
  STRATA_DTYPE_INT32,
  STRATA_DTYPE_INT64,
  STRATA_DTYPE_UINT8,
  STRATA_DTYPE_UINT16,
  STRATA_DTYPE_UINT32,
  STRATA_DTYPE_UINT64,
  STRATA_DTYPE_BOOL,
} StrataDType;

/**
 * StrataKerasDialect:
 * @STRATA_KERAS_DIALECT_AUTO: keep the dialect the model was read in, Keras 2 for new models
 * @STRATA_KERAS_DIALECT_KERAS1: Keras 1.x configs (list Sequential, 3-element node entries)
 * @STRATA_KERAS_DIALECT_KERAS2: Keras 2.x and tf.keras configs (node lists with kwargs)
 * @STRATA_KERAS_DIALECT_KERAS3: Keras 3 configs (`module`/`registered_name`, `__keras_tensor__` nodes)
 *
 * The serialization style of a model config.
 */
typedef enum {
  STRATA_KERAS_DIALECT_AUTO = 0,
  STRATA_KERAS_DIALECT_KERAS1,
  STRATA_KERAS_DIALECT_KERAS2,
  STRATA_KERAS_DIALECT_KERAS3,
} StrataKerasDialect;

/**
 * StrataConfigStyle:
 * @STRATA_CONFIG_STYLE_MODEL_JSON: the config of `model.to_json()`, of the
 *   `model_config` of HDF5 files and of the Keras metadata of SavedModels
 * @STRATA_CONFIG_STYLE_ARCHIVE: the `config.json` of a `.keras` archive
 *   (`serialize_keras_object`: every object with `module` and
 *   `registered_name`, layers with their `build_config`), as Keras 3 and
 *   tf-keras (2.13 and later) write it
 *
 * The serialization a model config is written for. Keras 3 writes both the
 * same way; tf-keras writes Keras 2 configs in either.
 */
typedef enum {
  STRATA_CONFIG_STYLE_MODEL_JSON = 0,
  STRATA_CONFIG_STYLE_ARCHIVE,
} StrataConfigStyle;

/**
 * StrataLoadFlags:
 * @STRATA_LOAD_NONE: no flags: safe mode, unknown classes refused, weights read
 * @STRATA_LOAD_ALLOW_UNKNOWN: load classes that are not registered (and Lambda
 *   layers) as [class@Strata.OpaqueLayer] objects that keep their config and weights
 * @STRATA_LOAD_METADATA_ONLY: read the architecture and the weights' names,
 *   dtypes and shapes, but no weight data
 * @STRATA_LOAD_STRICT: refuse config keys that a layer class does not know
 *
 * Flags that change how a model is loaded.
 */
typedef enum /*< flags >*/ {
  STRATA_LOAD_NONE          = 0,
  STRATA_LOAD_ALLOW_UNKNOWN = 1 << 0,
  STRATA_LOAD_METADATA_ONLY = 1 << 1,
  STRATA_LOAD_STRICT        = 1 << 2,
} StrataLoadFlags;

/**
 * StrataFormatCapabilities:
 * @STRATA_FORMAT_CAN_NONE: nothing
 * @STRATA_FORMAT_CAN_LOAD_MODEL: the format reads models
 * @STRATA_FORMAT_CAN_SAVE_MODEL: the format writes models
 * @STRATA_FORMAT_CAN_LOAD_WEIGHTS: the format reads weights into an existing model
 * @STRATA_FORMAT_CAN_SAVE_WEIGHTS: the format writes weights-only files
 * @STRATA_FORMAT_IS_DIRECTORY: the format's files are directories (as a
 *   TensorFlow SavedModel): saving writes a directory, and sniffing offers
 *   the format directories only
 * @STRATA_FORMAT_HOLDS_WEIGHTS: a saved model keeps its weights
 * @STRATA_FORMAT_HOLDS_OPTIMIZER: a saved model keeps its optimizer state
 * @STRATA_FORMAT_FILE_OR_DIRECTORY: the format reads both regular files and
 *   directories (as a `.keras` archive and the same archive unzipped), so
 *   sniffing offers it both. What saving writes still follows
 *   %STRATA_FORMAT_IS_DIRECTORY: a regular file when that flag is not set
 * @STRATA_FORMAT_WEIGHTS_PREFIX: the format's weights are files named after
 *   a prefix (a TensorFlow checkpoint: `PREFIX.index`,
 *   `PREFIX.data-00000-of-00001`, and a `checkpoint` file beside them).
 *   Loading weights offers the format paths that do not exist (a prefix)
 *   and regular files; saving weights hands it the target path itself, and
 *   the format replaces each of its files atomically (Since: 0.1)
 *
 * What a format can do.
 *
 * Sniffing ([func@Strata.formats_find_for_file]) offers a directory to the
 * formats with %STRATA_FORMAT_IS_DIRECTORY or
 * %STRATA_FORMAT_FILE_OR_DIRECTORY, and a regular file to the formats
 * without %STRATA_FORMAT_IS_DIRECTORY or with
 * %STRATA_FORMAT_FILE_OR_DIRECTORY.
 */
typedef enum /*< flags >*/ {
  STRATA_FORMAT_CAN_NONE         = 0,
  STRATA_FORMAT_CAN_LOAD_MODEL   = 1 << 0,
  STRATA_FORMAT_CAN_SAVE_MODEL   = 1 << 1,
  STRATA_FORMAT_CAN_LOAD_WEIGHTS = 1 << 2,
  STRATA_FORMAT_CAN_SAVE_WEIGHTS = 1 << 3,
  STRATA_FORMAT_IS_DIRECTORY     = 1 << 4,
  STRATA_FORMAT_HOLDS_WEIGHTS    = 1 << 5,
  STRATA_FORMAT_HOLDS_OPTIMIZER  = 1 << 6,
  STRATA_FORMAT_FILE_OR_DIRECTORY = 1 << 7,
  STRATA_FORMAT_WEIGHTS_PREFIX   = 1 << 8,
} StrataFormatCapabilities;

/**
 * StrataDiffStatus:
 * @STRATA_DIFF_IDENTICAL: the same in both models
 * @STRATA_DIFF_ADDED: only in the second model
 * @STRATA_DIFF_REMOVED: only in the first model
 * @STRATA_DIFF_CHANGED: in both models, but different
 *
 * How a layer or a weight of one model compares with the other model's
 * (see [class@Strata.ModelDiff]).
 *
 * Since: 0.1
 */
typedef enum {
  STRATA_DIFF_IDENTICAL = 0,
  STRATA_DIFF_ADDED,
  STRATA_DIFF_REMOVED,
  STRATA_DIFF_CHANGED,
} StrataDiffStatus;

G_END_DECLS
