/* strata-shape.h: immutable tensor shapes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

/**
 * STRATA_DIM_UNKNOWN:
 *
 * The value of a dimension that is not known (Keras `None`).
 */
#define STRATA_DIM_UNKNOWN ((gint64) -1)

/**
 * STRATA_MAX_RANK:
 *
 * The largest rank Strata accepts.
 */
#define STRATA_MAX_RANK 32

#define STRATA_TYPE_SHAPE (strata_shape_get_type ())

STRATA_AVAILABLE_IN_ALL
GType        strata_shape_get_type    (void) G_GNUC_CONST;
STRATA_AVAILABLE_IN_ALL
StrataShape *strata_shape_new         (guint         rank,
                                       const gint64 *dims);
STRATA_AVAILABLE_IN_ALL
StrataShape *strata_shape_new_scalar  (void);
STRATA_AVAILABLE_IN_ALL
StrataShape *strata_shape_ref         (StrataShape  *shape);
STRATA_AVAILABLE_IN_ALL
void         strata_shape_unref       (StrataShape  *shape);
STRATA_AVAILABLE_IN_ALL
guint        strata_shape_get_rank    (const StrataShape *shape);
STRATA_AVAILABLE_IN_ALL
gint64       strata_shape_get_dim     (const StrataShape *shape,
                                       int                axis);
STRATA_AVAILABLE_IN_ALL
const gint64 *strata_shape_get_dims   (const StrataShape *shape,
                                       guint             *rank);
STRATA_AVAILABLE_IN_ALL
gboolean     strata_shape_is_fully_defined (const StrataShape *shape);
STRATA_AVAILABLE_IN_ALL
gboolean     strata_shape_get_n_elements (const StrataShape *shape,
                                          guint64           *n_elements);
STRATA_AVAILABLE_IN_ALL
gboolean     strata_shape_equal       (const StrataShape *a,
                                       const StrataShape *b);
STRATA_AVAILABLE_IN_ALL
gboolean     strata_shape_compatible  (const StrataShape *a,
                                       const StrataShape *b);
STRATA_AVAILABLE_IN_ALL
char        *strata_shape_to_string   (const StrataShape *shape);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataShape, strata_shape_unref)

G_END_DECLS
