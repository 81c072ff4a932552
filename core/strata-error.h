/* strata-error.h: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib.h>
#include "strata-version.h"

G_BEGIN_DECLS

/**
 * STRATA_CONFIG_ERROR:
 *
 * Error domain for model and layer configs (JSON). Errors in this domain
 * are from the [error@Strata.ConfigError] enumeration.
 */
#define STRATA_CONFIG_ERROR (strata_config_error_quark ())

/**
 * StrataConfigError:
 * @STRATA_CONFIG_ERROR_INVALID: the config is malformed, or a value has the wrong type
 * @STRATA_CONFIG_ERROR_UNKNOWN_CLASS: one or more classes are not registered
 * @STRATA_CONFIG_ERROR_GRAPH: the functional graph is inconsistent (cycle, missing layer or node)
 * @STRATA_CONFIG_ERROR_UNSAFE: the config holds code (a Lambda layer) and safe mode is on
 * @STRATA_CONFIG_ERROR_UNSUPPORTED: a valid config that Strata cannot represent
 * @STRATA_CONFIG_ERROR_LIMIT: a declared size or depth is beyond Strata's limits
 * @STRATA_CONFIG_ERROR_NO_EQUIVALENT: the config cannot be written in the Keras
 *   dialect asked for without changing what the model computes (a layer class,
 *   argument value or activation the target Keras lacks or computes differently)
 *
 * Config errors. May be extended.
 */
typedef enum {
  STRATA_CONFIG_ERROR_INVALID,
  STRATA_CONFIG_ERROR_UNKNOWN_CLASS,
  STRATA_CONFIG_ERROR_GRAPH,
  STRATA_CONFIG_ERROR_UNSAFE,
  STRATA_CONFIG_ERROR_UNSUPPORTED,
  STRATA_CONFIG_ERROR_LIMIT,
  STRATA_CONFIG_ERROR_NO_EQUIVALENT,
} StrataConfigError;

/**
 * STRATA_WEIGHTS_ERROR:
 *
 * Error domain for weights that do not fit a model. Errors in this domain
 * are from the [error@Strata.WeightsError] enumeration.
 */
#define STRATA_WEIGHTS_ERROR (strata_weights_error_quark ())

/**
 * StrataWeightsError:
 * @STRATA_WEIGHTS_ERROR_COUNT: the number of layers or weights differs
 * @STRATA_WEIGHTS_ERROR_SHAPE: a weight has another shape
 * @STRATA_WEIGHTS_ERROR_DTYPE: a weight has a dtype that cannot be used
 * @STRATA_WEIGHTS_ERROR_NOT_BUILT: the layer has no weights yet
 *
 * Weight errors. May be extended.
 */
typedef enum {
  STRATA_WEIGHTS_ERROR_COUNT,
  STRATA_WEIGHTS_ERROR_SHAPE,
  STRATA_WEIGHTS_ERROR_DTYPE,
  STRATA_WEIGHTS_ERROR_NOT_BUILT,
} StrataWeightsError;

/**
 * STRATA_FORMAT_ERROR:
 *
 * Error domain for files and format plugins. Errors in this domain are
 * from the [enum@Strata.FormatError] enumeration.
 */
#define STRATA_FORMAT_ERROR (strata_format_error_quark ())

/**
 * StrataFormatError:
 * @STRATA_FORMAT_ERROR_UNKNOWN_FORMAT: no format recognises the file, or the named format does not exist
 * @STRATA_FORMAT_ERROR_CORRUPT: the file is damaged or is not what it claims to be
 * @STRATA_FORMAT_ERROR_UNSUPPORTED: the format cannot do this (for example save weights)
 * @STRATA_FORMAT_ERROR_PLUGIN: a format module could not be loaded
 * @STRATA_FORMAT_ERROR_LIMIT: the file declares sizes beyond what it can hold
 *
 * Format errors. May be extended.
 */
typedef enum {
  STRATA_FORMAT_ERROR_UNKNOWN_FORMAT,
  STRATA_FORMAT_ERROR_CORRUPT,
  STRATA_FORMAT_ERROR_UNSUPPORTED,
  STRATA_FORMAT_ERROR_PLUGIN,
  STRATA_FORMAT_ERROR_LIMIT,
} StrataFormatError;

/**
 * STRATA_REGISTRY_ERROR:
 *
 * Error domain for the class registry. Errors in this domain are from the
 * [enum@Strata.RegistryError] enumeration.
 */
#define STRATA_REGISTRY_ERROR (strata_registry_error_quark ())

/**
 * StrataRegistryError:
 * @STRATA_REGISTRY_ERROR_INVALID_TYPE: the type is not a [class@Strata.Layer]
 * @STRATA_REGISTRY_ERROR_INVALID_NAME: the name is empty or malformed
 *
 * Registry errors. May be extended.
 */
typedef enum {
  STRATA_REGISTRY_ERROR_INVALID_TYPE,
  STRATA_REGISTRY_ERROR_INVALID_NAME,
} StrataRegistryError;

STRATA_AVAILABLE_IN_ALL
GQuark strata_config_error_quark   (void);
STRATA_AVAILABLE_IN_ALL
GQuark strata_weights_error_quark  (void);
STRATA_AVAILABLE_IN_ALL
GQuark strata_format_error_quark   (void);
STRATA_AVAILABLE_IN_ALL
GQuark strata_registry_error_quark (void);

G_END_DECLS
