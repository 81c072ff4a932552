/* strata-tensor.h: weights and other n-dimensional arrays
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib-object.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_TENSOR (strata_tensor_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataTensor, strata_tensor, STRATA, TENSOR, GObject)

STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_new             (StrataDType        dtype,
                                             StrataShape       *shape,
                                             GBytes            *data,
                                             GError           **error);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_new_zeros       (StrataDType        dtype,
                                             StrataShape       *shape,
                                             GError           **error);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_new_from_floats (StrataShape       *shape,
                                             const float       *values,
                                             gsize              n_values,
                                             GError           **error);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_new_metadata    (StrataDType        dtype,
                                             StrataShape       *shape);
STRATA_AVAILABLE_IN_ALL
StrataDType   strata_tensor_get_dtype       (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
StrataShape  *strata_tensor_get_shape       (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
guint64       strata_tensor_get_n_elements  (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
gsize         strata_tensor_get_n_bytes     (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
GBytes       *strata_tensor_get_data        (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
gboolean      strata_tensor_has_data        (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
const char   *strata_tensor_get_name        (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
void          strata_tensor_set_name        (StrataTensor      *self,
                                             const char        *name);
STRATA_AVAILABLE_IN_ALL
gboolean      strata_tensor_equal           (StrataTensor      *a,
                                             StrataTensor      *b);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_copy            (StrataTensor      *self);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_tensor_cast            (StrataTensor      *self,
                                             StrataDType        dtype,
                                             GError           **error);
STRATA_AVAILABLE_IN_ALL
float        *strata_tensor_to_floats       (StrataTensor      *self,
                                             gsize             *n_values,
                                             GError           **error);
STRATA_AVAILABLE_IN_ALL
char         *strata_tensor_get_sha256      (StrataTensor      *self);

STRATA_AVAILABLE_IN_ALL
gsize         strata_dtype_get_size         (StrataDType        dtype);
STRATA_AVAILABLE_IN_ALL
const char   *strata_dtype_to_string        (StrataDType        dtype);
STRATA_AVAILABLE_IN_ALL
StrataDType   strata_dtype_from_string      (const char        *name);

G_END_DECLS
