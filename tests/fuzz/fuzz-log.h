/* fuzz-log.h: the log handler of the libFuzzer targets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdlib.h>
#include <glib.h>

/* Drops messages, but criticals are bugs: they abort, so that the fuzzer
 * reports them. Install with g_log_set_default_handler(). */
static inline void
fuzz_quiet_log (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    abort ();
}
