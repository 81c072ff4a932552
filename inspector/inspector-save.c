/* inspector-save.c: the Save As dialog, with the format and Keras choices
 *
 * The formats offered are those that can save a model; "auto" leaves the
 * choice to the file name's extension, as `strata convert` does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-save.h"

#include "inspector-i18n.h"

#define AUTO "auto"

static void
add_format_choice (GtkFileChooser *chooser)
{
  g_autoptr(GListModel) formats = strata_formats_list ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (ids, g_strdup (AUTO));
  g_ptr_array_add (labels, g_strdup (_("From the file name")));
  for (guint i = 0; i < g_list_model_get_n_items (formats); i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (formats, i);

      if (!(strata_format_info_get_capabilities (info) & STRATA_FORMAT_CAN_SAVE_MODEL))
        continue;
      g_ptr_array_add (ids, g_strdup (strata_format_info_get_name (info)));
      g_ptr_array_add (labels, g_strdup (strata_format_info_get_description (info)));
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  gtk_file_chooser_add_choice (chooser, "format", _("Format"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (chooser, "format", AUTO);
}

GtkFileChooserNative *
inspector_save_chooser_new (GtkWindow  *parent,
                            const char *basename)
{
  const char *keras_ids[] = { AUTO, "2", "3", NULL };
  const char *keras_labels[] = { _("As the format prefers"), _("Keras 2 (tf.keras)"), _("Keras 3"), NULL };
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the Model As"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), basename);
  add_format_choice (GTK_FILE_CHOOSER (chooser));
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "keras", _("Keras"), keras_ids, keras_labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "keras", AUTO);
  return chooser;
}

/* @format_name and @keras as the choices name them ("auto", or NULL). */
StrataSaveOptions *
inspector_save_options_new (const char *format_name,
                            const char *keras)
{
  StrataSaveOptions *options = strata_save_options_new ();

  /* The file chooser has asked before replacing a file. */
  strata_save_options_set_overwrite (options, TRUE);
  if (format_name != NULL && g_strcmp0 (format_name, AUTO) != 0)
    strata_save_options_set_format (options, format_name);
  if (g_strcmp0 (keras, "2") == 0)
    strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS2);
  else if (g_strcmp0 (keras, "3") == 0)
    strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS3);
  return options;
}

StrataSaveOptions *
inspector_save_chooser_options (GtkFileChooser *chooser)
{
  return inspector_save_options_new (gtk_file_chooser_get_choice (chooser, "format"),
                                     gtk_file_chooser_get_choice (chooser, "keras"));
}
