/* strata-shape-private.h: lists of shapes, as layers compute them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-shape.h"

G_BEGIN_DECLS

/* GPtrArrays of nullable shapes (NULL: unknown) that own them. */
GPtrArray *strata_shapes_new       (void);
GPtrArray *strata_shapes_one       (StrataShape *shape);   /* takes ownership; NULL in, NULL out */
GPtrArray *strata_shapes_unknown   (void);                 /* one NULL shape */

G_END_DECLS
