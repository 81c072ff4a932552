/* compat/strata/strata.h: lets the in-tree build include <strata/strata.h>
 * as the installed headers are laid out; the build points here instead of
 * at $includedir/strata-1.0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <strata.h>
