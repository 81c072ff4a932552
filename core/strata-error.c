/* strata-error.c: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-error.h"

/**
 * strata_config_error_quark:
 *
 * Gets the error domain of config errors, %STRATA_CONFIG_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (strata-config-error-quark, strata_config_error)
/**
 * strata_weights_error_quark:
 *
 * Gets the error domain of weight errors, %STRATA_WEIGHTS_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (strata-weights-error-quark, strata_weights_error)
/**
 * strata_format_error_quark:
 *
 * Gets the error domain of file and format plugin errors, %STRATA_FORMAT_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (strata-format-error-quark, strata_format_error)
/**
 * strata_registry_error_quark:
 *
 * Gets the error domain of class registry errors, %STRATA_REGISTRY_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (strata-registry-error-quark, strata_registry_error)
