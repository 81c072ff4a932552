/* strata-registry.h: Keras class names to GTypes (custom objects)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_REGISTRY (strata_registry_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataRegistry, strata_registry, STRATA, REGISTRY, GObject)

STRATA_AVAILABLE_IN_ALL
StrataRegistry *strata_registry_get_default    (void);
STRATA_AVAILABLE_IN_ALL
StrataRegistry *strata_registry_new            (StrataRegistry  *parent);
STRATA_AVAILABLE_IN_ALL
StrataRegistry *strata_registry_get_parent     (StrataRegistry  *self);
STRATA_AVAILABLE_IN_ALL
gboolean        strata_registry_register       (StrataRegistry  *self,
                                                const char      *name,
                                                GType            type,
                                                GError         **error);
STRATA_AVAILABLE_IN_ALL
GType           strata_registry_lookup         (StrataRegistry  *self,
                                                const char      *name);
STRATA_AVAILABLE_IN_ALL
GType           strata_registry_lookup_object  (StrataRegistry  *self,
                                                JsonObject      *object);
STRATA_AVAILABLE_IN_ALL
const char     *strata_registry_get_name_for_type (StrataRegistry *self,
                                                   GType           type);
STRATA_AVAILABLE_IN_ALL
char          **strata_registry_list_names     (StrataRegistry  *self);
STRATA_AVAILABLE_IN_ALL
StrataLayer    *strata_registry_create_layer   (StrataRegistry  *self,
                                                JsonObject      *object,
                                                StrataLoadFlags  flags,
                                                GError         **error);

G_END_DECLS
