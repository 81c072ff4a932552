/* inspector-graph.c: a model's functional graph, as boxes and arrows
 *
 * The edges come from the model's config (its layers' inbound nodes), as
 * Keras records them in every dialect: a reference to an earlier layer is
 * an array [name, node index, tensor index, …] (Keras 1 and 2) or a
 * keras_history of the same three (Keras 3). A Sequential model has none;
 * its layers are a chain. Each layer sits one row below the deepest layer
 * it takes an input from, so the inputs are at the top. A layer called
 * more than once (shared) says how often; a nested model is drawn with a
 * double border. Zoom with Ctrl and the scroll wheel, pan by dragging;
 * a click on a box emits ::layer-activated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-graph.h"

#include <math.h>

#include "inspector-i18n.h"

#define BOX_WIDTH 190.
#define BOX_HEIGHT 50.
#define H_GAP 36.
#define V_GAP 56.
#define MARGIN 24.

typedef struct
{
  char    *name;
  char    *class_name;
  guint    row;
  double   x, y;        /* top left, before zoom */
  guint    n_calls;     /* inbound nodes: more than one when shared */
  gboolean nested;
  guint    n_sublayers;
} Node;

typedef struct
{
  guint from, to;
} Edge;

struct _InspectorGraph
{
  GtkWidget   parent_instance;

  GArray     *nodes;    /* of Node */
  GArray     *edges;    /* of Edge, no duplicates */
  GHashTable *index;    /* name → position + 1 */
  double      width, height;
  double      zoom;
  char       *selected;
  double      drag_h, drag_v;   /* scroll position when a drag began */
};

G_DEFINE_FINAL_TYPE (InspectorGraph, inspector_graph, GTK_TYPE_WIDGET)

enum { LAYER_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
node_clear (Node *node)
{
  g_free (node->name);
  g_free (node->class_name);
}

/* ---- the graph ------------------------------------------------------------------- */

static guint
lookup (InspectorGraph *self,
        const char     *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->index, name));
}

static void
add_edge (InspectorGraph *self,
          guint           from,
          guint           to)
{
  Edge edge = { from, to };

  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = &g_array_index (self->edges, Edge, i);

      if (e->from == from && e->to == to)
        return;
    }
  g_array_append_val (self->edges, edge);
}

/* Finds the references to earlier layers anywhere inside @node. */
static void
collect_edges (InspectorGraph *self,
               JsonNode       *node,
               guint           to)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      if (n >= 3 && JSON_NODE_HOLDS_VALUE (json_array_get_element (array, 0)) &&
          json_node_get_value_type (json_array_get_element (array, 0)) == G_TYPE_STRING &&
          JSON_NODE_HOLDS_VALUE (json_array_get_element (array, 1)) &&
          json_node_get_value_type (json_array_get_element (array, 1)) == G_TYPE_INT64)
        {
          guint from = lookup (self, json_array_get_string_element (array, 0));

          if (from != 0 && from - 1 != to)
            add_edge (self, from - 1, to);
          return;
        }
      for (guint i = 0; i < n; i++)
        collect_edges (self, json_array_get_element (array, i), to);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &key, &member))
        collect_edges (self, member, to);
    }
}

static JsonArray *
config_layers (JsonObject *config)
{
  JsonNode *inner = json_object_get_member (config, "config");

  if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
    config = json_node_get_object (inner);
  return json_object_has_member (config, "layers") ? json_object_get_array_member (config, "layers") : NULL;
}

static void
read_edges (InspectorGraph *self,
            StrataModel    *model)
{
  g_autoptr(JsonObject) config = strata_model_to_config_object (model, STRATA_KERAS_DIALECT_AUTO);
  JsonArray *layers = config != NULL ? config_layers (config) : NULL;
  gboolean any = FALSE;

  for (guint i = 0; layers != NULL && i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      const char *name = json_object_get_string_member_with_default (layer, "name", NULL);
      JsonNode *inbound = json_object_get_member (layer, "inbound_nodes");
      JsonNode *inner = json_object_get_member (layer, "config");
      guint to;

      if (name == NULL && inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
        name = json_object_get_string_member_with_default (json_node_get_object (inner), "name", NULL);
      to = name != NULL ? lookup (self, name) : 0;
      if (to == 0 || inbound == NULL || !JSON_NODE_HOLDS_ARRAY (inbound))
        continue;
      g_array_index (self->nodes, Node, to - 1).n_calls = json_array_get_length (json_node_get_array (inbound));
      collect_edges (self, inbound, to - 1);
      any = TRUE;
    }
  /* Sequential: a chain. */
  if (!any)
    for (guint i = 1; i < self->nodes->len; i++)
      add_edge (self, i - 1, i);
}

/* Rows by longest path from the inputs, then each row centred. */
static void
lay_out (InspectorGraph *self)
{
  g_autofree guint *row_sizes = NULL;
  g_autofree guint *row_fill = NULL;
  guint n_rows = 0, widest = 0;
  gboolean changed = TRUE;

  for (guint pass = 0; changed && pass <= self->nodes->len; pass++)
    {
      changed = FALSE;
      for (guint i = 0; i < self->edges->len; i++)
        {
          Edge *e = &g_array_index (self->edges, Edge, i);
          Node *from = &g_array_index (self->nodes, Node, e->from);
          Node *to = &g_array_index (self->nodes, Node, e->to);

          if (to->row < from->row + 1 && from->row + 1 <= self->nodes->len)
            {
              to->row = from->row + 1;
              changed = TRUE;
            }
        }
    }
  for (guint i = 0; i < self->nodes->len; i++)
    n_rows = MAX (n_rows, g_array_index (self->nodes, Node, i).row + 1);
  row_sizes = g_new0 (guint, n_rows + 1);
  row_fill = g_new0 (guint, n_rows + 1);
  for (guint i = 0; i < self->nodes->len; i++)
    row_sizes[g_array_index (self->nodes, Node, i).row]++;
  for (guint r = 0; r < n_rows; r++)
    widest = MAX (widest, row_sizes[r]);
  self->width = 2 * MARGIN + widest * BOX_WIDTH + (widest > 0 ? widest - 1 : 0) * H_GAP;
  self->height = 2 * MARGIN + n_rows * BOX_HEIGHT + (n_rows > 0 ? n_rows - 1 : 0) * V_GAP;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = &g_array_index (self->nodes, Node, i);
      double row_width = row_sizes[node->row] * BOX_WIDTH + (row_sizes[node->row] - 1) * H_GAP;

      node->x = (self->width - row_width) / 2 + row_fill[node->row]++ * (BOX_WIDTH + H_GAP);
      node->y = MARGIN + node->row * (BOX_HEIGHT + V_GAP);
    }
}

void
inspector_graph_set_model (InspectorGraph *self,
                           StrataModel    *model)
{
  guint n;

  g_return_if_fail (INSPECTOR_IS_GRAPH (self));
  g_return_if_fail (STRATA_IS_MODEL (model));

  g_array_set_size (self->nodes, 0);
  g_array_set_size (self->edges, 0);
  g_hash_table_remove_all (self->index);
  g_clear_pointer (&self->selected, g_free);
  n = strata_model_get_n_layers (model);
  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      Node node = {
        .name = g_strdup (strata_layer_get_name (layer)),
        .class_name = g_strdup (strata_layer_get_class_name (layer)),
        .n_calls = 1,
        .nested = STRATA_IS_MODEL (layer),
        .n_sublayers = STRATA_IS_MODEL (layer) ? strata_model_get_n_layers (STRATA_MODEL (layer)) : 0,
      };

      g_array_append_val (self->nodes, node);
      g_hash_table_insert (self->index, g_array_index (self->nodes, Node, i).name, GUINT_TO_POINTER (i + 1));
    }
  read_edges (self, model);
  lay_out (self);

  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* ---- drawing ------------------------------------------------------------------------ */

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static void
rounded_box (cairo_t *cr,
             double   x,
             double   y,
             double   width,
             double   height,
             double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
draw_edge (cairo_t    *cr,
           const Node *from,
           const Node *to)
{
  double x0 = from->x + BOX_WIDTH / 2, y0 = from->y + BOX_HEIGHT;
  double x1 = to->x + BOX_WIDTH / 2, y1 = to->y;

  cairo_move_to (cr, x0, y0);
  cairo_curve_to (cr, x0, y0 + V_GAP / 2, x1, y1 - V_GAP / 2, x1, y1 - 2);
  cairo_stroke (cr);
  /* The curve ends going straight down, and so does the arrowhead. */
  cairo_move_to (cr, x1, y1);
  cairo_line_to (cr, x1 - 4.5, y1 - 8);
  cairo_line_to (cr, x1 + 4.5, y1 - 8);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
draw_text (InspectorGraph *self,
           cairo_t        *cr,
           const char     *text,
           gboolean        bold,
           double          x,
           double          y)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autofree char *markup = bold ? g_markup_printf_escaped ("<b>%s</b>", text)
                                 : g_markup_printf_escaped ("<small>%s</small>", text);
  pango_layout_set_markup (layout, markup, -1);
  pango_layout_set_width (layout, (int) ((BOX_WIDTH - 16) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  cairo_move_to (cr, x + 8, y);
  pango_cairo_show_layout (cr, layout);
}

static char *
node_caption (const Node *node)
{
  if (node->nested)
    /* Translators: a model class name such as “Functional”, then its number of layers */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · nested, %u layer",
                                         "%s · nested, %u layers", node->n_sublayers),
                            node->class_name, node->n_sublayers);
  if (node->n_calls > 1)
    /* Translators: a layer class name, then how many times the layer is called */
    return g_strdup_printf (_("%s · shared, %u calls"), node->class_name, node->n_calls);
  return g_strdup (node->class_name);
}

static void
inspector_graph_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  InspectorGraph *self = INSPECTOR_GRAPH (widget);
  GdkRGBA fg;
  const GdkRGBA accent = { 0.21f, 0.52f, 0.89f, 1.f };   /* GNOME blue 3 */
  const GdkRGBA input = { 0.2f, 0.82f, 0.48f, 1.f };     /* GNOME green 3 */
  cairo_t *cr;

  if (self->nodes->len == 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width * self->zoom,
                                                                 self->height * self->zoom));
  cairo_scale (cr, self->zoom, self->zoom);
  cairo_set_line_width (cr, 1.5);
  set_color (cr, &fg, 0.55);
  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = &g_array_index (self->edges, Edge, i);

      draw_edge (cr, &g_array_index (self->nodes, Node, e->from), &g_array_index (self->nodes, Node, e->to));
    }
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = &g_array_index (self->nodes, Node, i);
      gboolean selected = g_strcmp0 (node->name, self->selected) == 0;
      gboolean is_input = g_strcmp0 (node->class_name, "InputLayer") == 0;
      g_autofree char *caption = node_caption (node);

      rounded_box (cr, node->x, node->y, BOX_WIDTH, BOX_HEIGHT, 8);
      if (selected)
        set_color (cr, &accent, 1.);
      else
        set_color (cr, is_input ? &input : &fg, is_input ? 0.3 : 0.08);
      cairo_fill_preserve (cr);
      set_color (cr, selected ? &accent : &fg, selected ? 1. : 0.4);
      cairo_set_line_width (cr, node->n_calls > 1 ? 2.5 : 1.);
      cairo_stroke (cr);
      if (node->nested)
        {
          rounded_box (cr, node->x + 3, node->y + 3, BOX_WIDTH - 6, BOX_HEIGHT - 6, 6);
          cairo_set_line_width (cr, 1.);
          cairo_stroke (cr);
        }
      if (selected)
        cairo_set_source_rgb (cr, 1., 1., 1.);
      else
        set_color (cr, &fg, 1.);
      draw_text (self, cr, node->name, TRUE, node->x, node->y + 7);
      draw_text (self, cr, caption, FALSE, node->x, node->y + 27);
      cairo_set_line_width (cr, 1.5);
      set_color (cr, &fg, 0.55);
    }
  cairo_destroy (cr);
}

static void
inspector_graph_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  InspectorGraph *self = INSPECTOR_GRAPH (widget);

  *minimum = *natural = (int) ceil ((orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height) *
                                    self->zoom);
}

/* ---- interaction ------------------------------------------------------------------------ */

const char *
inspector_graph_node_at (InspectorGraph *self,
                         double          x,
                         double          y)
{
  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), NULL);
  x /= self->zoom;
  y /= self->zoom;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *node = &g_array_index (self->nodes, Node, i);

      if (x >= node->x && x <= node->x + BOX_WIDTH && y >= node->y && y <= node->y + BOX_HEIGHT)
        return node->name;
    }
  return NULL;
}

void
inspector_graph_activate_at (InspectorGraph *self,
                             double          x,
                             double          y)
{
  const char *name = inspector_graph_node_at (self, x, y);

  if (name == NULL)
    return;
  inspector_graph_set_selected (self, name);
  g_signal_emit (self, signals[LAYER_ACTIVATED], 0, name);
}

static void
clicked (GtkGestureClick *gesture,
         int              n_press,
         double           x,
         double           y,
         gpointer         user_data)
{
  inspector_graph_activate_at (user_data, x, y);
}

static GtkScrolledWindow *
scrolled_window (InspectorGraph *self)
{
  return GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW));
}

static void
drag_begin (GtkGestureDrag *gesture,
            double          x,
            double          y,
            gpointer        user_data)
{
  InspectorGraph *self = user_data;
  GtkScrolledWindow *scrolled = scrolled_window (self);

  if (scrolled == NULL)
    return;
  self->drag_h = gtk_adjustment_get_value (gtk_scrolled_window_get_hadjustment (scrolled));
  self->drag_v = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scrolled));
}

static void
drag_update (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             gpointer        user_data)
{
  InspectorGraph *self = user_data;
  GtkScrolledWindow *scrolled = scrolled_window (self);

  if (scrolled == NULL)
    return;
  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (scrolled), self->drag_h - dx);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), self->drag_v - dy);
}

static gboolean
scrolled (GtkEventControllerScroll *controller,
          double                    dx,
          double                    dy,
          gpointer                  user_data)
{
  InspectorGraph *self = user_data;
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (!(state & GDK_CONTROL_MASK))
    return FALSE;
  inspector_graph_set_zoom (self, self->zoom * pow (1.1, -dy));
  return TRUE;
}

/* ---- the widget ------------------------------------------------------------------------ */

void
inspector_graph_set_selected (InspectorGraph *self,
                              const char     *layer_name)
{
  g_return_if_fail (INSPECTOR_IS_GRAPH (self));
  g_free (self->selected);
  self->selected = g_strdup (layer_name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
inspector_graph_get_selected (InspectorGraph *self)
{
  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), NULL);
  return self->selected;
}

double
inspector_graph_get_zoom (InspectorGraph *self)
{
  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), 1.);
  return self->zoom;
}

void
inspector_graph_set_zoom (InspectorGraph *self,
                          double          zoom)
{
  g_return_if_fail (INSPECTOR_IS_GRAPH (self));
  self->zoom = CLAMP (zoom, 0.2, 4.);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
inspector_graph_get_n_nodes (InspectorGraph *self)
{
  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), 0);
  return self->nodes->len;
}

guint
inspector_graph_get_n_edges (InspectorGraph *self)
{
  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), 0);
  return self->edges->len;
}

/* Where @layer_name's box is, in widget coordinates at the current zoom. */
gboolean
inspector_graph_get_node (InspectorGraph *self,
                          const char     *layer_name,
                          guint          *row,
                          double         *center_x,
                          double         *center_y,
                          guint          *n_calls)
{
  guint i;
  Node *node;

  g_return_val_if_fail (INSPECTOR_IS_GRAPH (self), FALSE);
  i = lookup (self, layer_name);
  if (i == 0)
    return FALSE;
  node = &g_array_index (self->nodes, Node, i - 1);
  if (row != NULL)
    *row = node->row;
  if (center_x != NULL)
    *center_x = (node->x + BOX_WIDTH / 2) * self->zoom;
  if (center_y != NULL)
    *center_y = (node->y + BOX_HEIGHT / 2) * self->zoom;
  if (n_calls != NULL)
    *n_calls = node->n_calls;
  return TRUE;
}

static void
inspector_graph_finalize (GObject *object)
{
  InspectorGraph *self = INSPECTOR_GRAPH (object);

  g_hash_table_unref (self->index);
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self->selected);
  G_OBJECT_CLASS (inspector_graph_parent_class)->finalize (object);
}

static void
inspector_graph_class_init (InspectorGraphClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = inspector_graph_finalize;
  widget_class->snapshot = inspector_graph_snapshot;
  widget_class->measure = inspector_graph_measure;
  gtk_widget_class_set_css_name (widget_class, "graph");
  signals[LAYER_ACTIVATED] = g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
inspector_graph_init (InspectorGraph *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  self->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_array_set_clear_func (self->nodes, (GDestroyNotify) node_clear);
  self->edges = g_array_new (FALSE, TRUE, sizeof (Edge));
  self->index = g_hash_table_new (g_str_hash, g_str_equal);
  self->zoom = 1.;
  g_signal_connect (click, "pressed", G_CALLBACK (clicked), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (scrolled), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

GtkWidget *
inspector_graph_new (void)
{
  return g_object_new (INSPECTOR_TYPE_GRAPH, NULL);
}
