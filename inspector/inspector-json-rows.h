/* inspector-json-rows.h: JSON values (configs, training configs) as list rows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A row for @key holding @node; adds the number of rows made, nested ones
 * included, to *@n_rows. */
GtkWidget *inspector_json_row_new (const char *key,
                                   JsonNode   *node,
                                   guint      *n_rows);

/* A row per member of @object, in the order of the keys. */
void       inspector_json_rows_add_to_group (AdwPreferencesGroup *group,
                                             JsonObject          *object,
                                             guint               *n_rows);

G_END_DECLS
