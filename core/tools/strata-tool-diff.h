/* strata-tool-diff.h: how `strata diff A B` prints a StrataModelDiff
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* Prints @diff to standard output as text, one line per difference, or
 * as one JSON object when @json. */
void strata_tool_diff_print (StrataModelDiff *diff,
                             gboolean         json);

G_END_DECLS
