/* strata-error.c: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"

G_DEFINE_QUARK (strata-config-error-quark, strata_config_error)
G_DEFINE_QUARK (strata-weights-error-quark, strata_weights_error)
G_DEFINE_QUARK (strata-format-error-quark, strata_format_error)
G_DEFINE_QUARK (strata-registry-error-quark, strata_registry_error)
