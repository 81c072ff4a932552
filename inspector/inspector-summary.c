/* inspector-summary.c: a model's summary page: what it is, where it comes
 * from, its parameters and how it was compiled
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-summary.h"

#include <inttypes.h>

#include "inspector-i18n.h"
#include "inspector-json-rows.h"

static void
add_row (GtkWidget  *group,
         const char *title,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL ? value : _("Unknown"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

static void
add_count_row (GtkWidget  *group,
               const char *title,
               guint64     count)
{
  g_autofree char *value = g_strdup_printf ("%'" PRIu64, count);

  add_row (group, title, value);
}

static GtkWidget *
new_group (GtkWidget  *box,
           const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (box), group);
  return group;
}

static const char *
dialect_name (StrataKerasDialect dialect)
{
  switch (dialect)
    {
    case STRATA_KERAS_DIALECT_KERAS1: return _("Keras 1");
    case STRATA_KERAS_DIALECT_KERAS2: return _("Keras 2 (tf.keras)");
    case STRATA_KERAS_DIALECT_KERAS3: return _("Keras 3");
    default: return NULL;
    }
}

static void
add_training (GtkWidget   *box,
              StrataModel *model)
{
  GtkWidget *group = new_group (box, _("Training"));
  StrataOptimizer *optimizer = strata_model_get_optimizer (model);
  JsonObject *training_config = strata_model_get_training_config (model);
  guint n_rows = 0;

  if (optimizer == NULL && training_config == NULL)
    {
      add_row (group, _("Compiled"), _("No: the file holds no optimizer or training config"));
      return;
    }
  if (optimizer != NULL)
    {
      JsonObject *config = strata_optimizer_get_config (optimizer);
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), config);
      GtkWidget *row = inspector_json_row_new (_("Optimizer"), node, &n_rows);

      if (ADW_IS_EXPANDER_ROW (row))
        adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), strata_optimizer_get_class_name (optimizer));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  if (training_config != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), training_config);

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 inspector_json_row_new (_("Training config"), node, &n_rows));
    }
}

GtkWidget *
inspector_summary_new (StrataModel *model,
                       const char  *format_name)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *group;
  guint64 trainable = 0, non_trainable = 0, total;

  group = new_group (box, _("Model"));
  add_row (group, _("Name"), strata_layer_get_name (STRATA_LAYER (model)));
  add_row (group, _("Class"), strata_layer_get_class_name (STRATA_LAYER (model)));
  add_row (group, _("Format"), format_name);
  add_row (group, _("Keras version"), strata_model_get_keras_version (model));
  add_row (group, _("Keras dialect"), dialect_name (strata_model_get_dialect (model)));
  add_row (group, _("Backend"), strata_model_get_backend (model));
  add_count_row (group, _("Layers"), strata_model_get_n_layers (model));

  group = new_group (box, _("Parameters"));
  total = strata_model_count_params (model, &trainable, &non_trainable);
  add_count_row (group, _("Total"), total);
  add_count_row (group, _("Trainable"), trainable);
  add_count_row (group, _("Non-trainable"), non_trainable);

  add_training (box, model);

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  return scrolled;
}
