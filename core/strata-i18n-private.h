/* strata-i18n-private.h: gettext for the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "config.h"
#include <glib/gi18n-lib.h>

/* Binds the text domain once; every public entry point that can produce a
 * user-visible message calls it (cheap after the first call). */
void strata_init (void);
