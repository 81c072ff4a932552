/* strata-i18n-private.h: gettext for the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "config.h"
#include <glib/gi18n-lib.h>

/* The text domain is bound when the library is loaded (strata-init.c). */
