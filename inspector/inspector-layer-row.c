/* inspector-layer-row.c: a row of the layer list, one light widget
 *
 * GTK 4.8's GtkListView makes a row for up to 200 items as soon as its model
 * fills, whether they show or not, so each row's cost counts many times over
 * when a model opens. A row of boxes and labels is five widgets with CSS nodes
 * and accessibility contexts; this is one widget that lays out and draws the
 * layer's name (bold), its class (smaller, dimmed) and its parameter count
 * (dimmed, at the end) with Pango, only when it is measured or shown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-layer-row.h"

#include <inttypes.h>
#include <stdarg.h>

#include "inspector-i18n.h"

#define LINE_SPACING 2     /* between the name and the class */
#define COLUMN_SPACING 12  /* before the parameter count */
#define DIM_ALPHA 0.55f    /* as libadwaita's .dim-label */

struct _InspectorLayerRow
{
  GtkWidget    parent_instance;

  char        *name;
  char        *class_name;
  char        *params;          /* "" for a layer without parameters */
  PangoLayout *name_layout;     /* NULL until measured or drawn */
  PangoLayout *class_layout;
  PangoLayout *params_layout;
};

G_DEFINE_FINAL_TYPE (InspectorLayerRow, inspector_layer_row, GTK_TYPE_WIDGET)

static void
clear_layouts (InspectorLayerRow *self)
{
  g_clear_object (&self->name_layout);
  g_clear_object (&self->class_layout);
  g_clear_object (&self->params_layout);
}

/* Takes @first and the attributes after it, up to NULL. */
static PangoLayout *
new_layout (InspectorLayerRow *self,
            const char        *text,
            PangoAttribute    *first,
            ...)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attributes = pango_attr_list_new ();
  va_list args;

  va_start (args, first);
  for (PangoAttribute *a = first; a != NULL; a = va_arg (args, PangoAttribute *))
    pango_attr_list_insert (attributes, a);
  va_end (args);
  pango_layout_set_attributes (layout, attributes);
  pango_attr_list_unref (attributes);
  return layout;
}

/* The sizes and weights of libadwaita's .heading, .caption and .numeric. */
static void
ensure_layouts (InspectorLayerRow *self)
{
  if (self->name_layout != NULL)
    return;
  self->name_layout = new_layout (self, self->name, pango_attr_weight_new (PANGO_WEIGHT_BOLD),
                                  pango_attr_size_new (11 * PANGO_SCALE), NULL);
  pango_layout_set_ellipsize (self->name_layout, PANGO_ELLIPSIZE_MIDDLE);
  self->class_layout = new_layout (self, self->class_name, pango_attr_size_new (9 * PANGO_SCALE), NULL);
  pango_layout_set_ellipsize (self->class_layout, PANGO_ELLIPSIZE_END);
  self->params_layout = new_layout (self, self->params, pango_attr_font_features_new ("tnum=1"), NULL);
}

static int
params_width (InspectorLayerRow *self)
{
  int width = 0;

  if (self->params[0] == '\0')
    return 0;
  pango_layout_get_pixel_size (self->params_layout, &width, NULL);
  return width + COLUMN_SPACING;
}

static void
inspector_layer_row_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  InspectorLayerRow *self = INSPECTOR_LAYER_ROW (widget);
  int name_width, name_height, class_width, class_height;

  ensure_layouts (self);
  pango_layout_set_width (self->name_layout, -1);
  pango_layout_set_width (self->class_layout, -1);
  pango_layout_get_pixel_size (self->name_layout, &name_width, &name_height);
  pango_layout_get_pixel_size (self->class_layout, &class_width, &class_height);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The name and the class shorten with an ellipsis. */
      *minimum = params_width (self);
      *natural = MAX (name_width, class_width) + params_width (self);
    }
  else
    *minimum = *natural = name_height + LINE_SPACING + class_height;
}

static void
inspector_layer_row_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  InspectorLayerRow *self = INSPECTOR_LAYER_ROW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int text_width, name_height, params_w, params_height = 0;
  GdkRGBA color, dim;

  ensure_layouts (self);
  params_w = params_width (self);
  text_width = MAX (width - params_w, 0);
  pango_layout_set_width (self->name_layout, text_width * PANGO_SCALE);
  pango_layout_set_width (self->class_layout, text_width * PANGO_SCALE);
  pango_layout_get_pixel_size (self->name_layout, NULL, &name_height);
  pango_layout_get_pixel_size (self->params_layout, NULL, &params_height);
  pango_layout_set_alignment (self->name_layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_alignment (self->class_layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  /* gtk_widget_get_color() is GTK 4.10; Debian 12 has 4.8. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  dim = color;
  dim.alpha *= DIM_ALPHA;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? params_w : 0, 0));
  gtk_snapshot_append_layout (snapshot, self->name_layout, &color);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, name_height + LINE_SPACING));
  gtk_snapshot_append_layout (snapshot, self->class_layout, &dim);
  gtk_snapshot_restore (snapshot);
  if (params_w > 0)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (rtl ? 0 : width - params_w + COLUMN_SPACING,
                                                    (height - params_height) / 2));
      gtk_snapshot_append_layout (snapshot, self->params_layout, &dim);
      gtk_snapshot_restore (snapshot);
    }
}

/* The count's tooltip, asked for only when the pointer rests on it: a
 * tooltip text set on each row would query the pointer as the row is made. */
static gboolean
inspector_layer_row_query_tooltip (GtkWidget  *widget,
                                   int         x,
                                   int         y,
                                   gboolean    keyboard_tooltip,
                                   GtkTooltip *tooltip)
{
  InspectorLayerRow *self = INSPECTOR_LAYER_ROW (widget);
  int params_w = params_width (self);
  int width = gtk_widget_get_width (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;

  if (params_w == 0 || (!keyboard_tooltip && (rtl ? x > params_w : x < width - params_w)))
    return FALSE;
  gtk_tooltip_set_text (tooltip, _("Parameters"));
  return TRUE;
}

/* A font or a scale change: laid out again. */
static void
inspector_layer_row_system_setting_changed (GtkWidget        *widget,
                                            GtkSystemSetting  setting)
{
  clear_layouts (INSPECTOR_LAYER_ROW (widget));
  gtk_widget_queue_resize (widget);
  GTK_WIDGET_CLASS (inspector_layer_row_parent_class)->system_setting_changed (widget, setting);
}

static void
inspector_layer_row_direction_changed (GtkWidget        *widget,
                                       GtkTextDirection  previous)
{
  clear_layouts (INSPECTOR_LAYER_ROW (widget));
  GTK_WIDGET_CLASS (inspector_layer_row_parent_class)->direction_changed (widget, previous);
}

static void
inspector_layer_row_finalize (GObject *object)
{
  InspectorLayerRow *self = INSPECTOR_LAYER_ROW (object);

  clear_layouts (self);
  g_free (self->name);
  g_free (self->class_name);
  g_free (self->params);
  G_OBJECT_CLASS (inspector_layer_row_parent_class)->finalize (object);
}

static void
inspector_layer_row_class_init (InspectorLayerRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = inspector_layer_row_finalize;
  widget_class->measure = inspector_layer_row_measure;
  widget_class->snapshot = inspector_layer_row_snapshot;
  widget_class->query_tooltip = inspector_layer_row_query_tooltip;
  widget_class->system_setting_changed = inspector_layer_row_system_setting_changed;
  widget_class->direction_changed = inspector_layer_row_direction_changed;
  gtk_widget_class_set_css_name (widget_class, "layerrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
inspector_layer_row_init (InspectorLayerRow *self)
{
  self->name = g_strdup ("");
  self->class_name = g_strdup ("");
  self->params = g_strdup ("");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
inspector_layer_row_new (void)
{
  return g_object_new (INSPECTOR_TYPE_LAYER_ROW, NULL);
}

void
inspector_layer_row_set (InspectorLayerRow *self,
                         const char        *name,
                         const char        *class_name,
                         guint64            n_params)
{
  g_autofree char *label = NULL;

  g_return_if_fail (INSPECTOR_IS_LAYER_ROW (self));
  g_free (self->name);
  self->name = g_strdup (name);
  g_free (self->class_name);
  self->class_name = g_strdup (class_name);
  g_free (self->params);
  self->params = n_params > 0 ? g_strdup_printf ("%'" PRIu64, n_params) : g_strdup ("");
  clear_layouts (self);
  /* What the labels of a row of labels would tell a screen reader. */
  label = n_params > 0 ? g_strdup_printf ("%s, %s, %s", name, class_name, self->params)
                       : g_strdup_printf ("%s, %s", name, class_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const char *
inspector_layer_row_get_name (InspectorLayerRow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_ROW (self), NULL);
  return self->name;
}

/* The parameter count as shown, "" when the layer has none. */
const char *
inspector_layer_row_get_params (InspectorLayerRow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_ROW (self), NULL);
  return self->params;
}
