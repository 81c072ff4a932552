/* strata-env-private.h: reading the environment safely
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Like g_getenv(), but NULL in setuid/setgid programs, where the
 * environment belongs to another user. */
const char *strata_safe_getenv (const char *variable);
