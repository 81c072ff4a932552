/* strata-sequential.h: a linear stack of layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include "strata-model.h"

G_BEGIN_DECLS

#define STRATA_TYPE_SEQUENTIAL (strata_sequential_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataSequential, strata_sequential, STRATA, SEQUENTIAL, StrataModel)

STRATA_AVAILABLE_IN_ALL
StrataSequential *strata_sequential_new (const char       *name);
STRATA_AVAILABLE_IN_ALL
gboolean          strata_sequential_add (StrataSequential *self,
                                         StrataLayer      *layer,
                                         GError          **error);
STRATA_AVAILABLE_IN_ALL
StrataLayer      *strata_sequential_pop (StrataSequential *self);

G_END_DECLS
