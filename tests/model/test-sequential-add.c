/* test-sequential-add.c: Sequential.add, its name checks and its signal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sequential.add checks a new layer's name against an index of the
 * stack's names; Keras refuses a duplicate name even when the clash comes
 * from a layer renamed after it was added.
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"

static StrataLayer *
dense (const char *name)
{
  g_autofree char *json = g_strdup_printf ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"%s\", \"units\": 3}}",
                                           name);

  return strata_test_layer_from_json (json);
}

/* A stack "features" -> a -> b, the layers each test starts from. */
typedef struct {
  StrataLayer *a;
  StrataLayer *b;
  StrataSequential *seq;
} Stack;

static void
stack_set_up (Stack *f, gconstpointer data)
{
  g_autoptr(StrataShape) batch = strata_shape_new (2, (gint64[]) { STRATA_DIM_UNKNOWN, 4 });
  g_autoptr(StrataInputLayer) input = strata_input_layer_new (batch, NULL, "features");
  g_autoptr(GError) error = NULL;

  f->a = dense ("a");
  f->b = dense ("b");
  f->seq = strata_sequential_new ("stack");
  g_assert_true (strata_sequential_add (f->seq, STRATA_LAYER (input), &error));
  g_assert_true (strata_sequential_add (f->seq, f->a, &error));
  g_assert_true (strata_sequential_add (f->seq, f->b, &error));
  g_assert_no_error (error);
}

static void
stack_tear_down (Stack *f, gconstpointer data)
{
  g_clear_object (&f->seq);
  g_clear_object (&f->b);
  g_clear_object (&f->a);
}

static void
test_renamed_then_duplicate (Stack *f, gconstpointer data)
{
  g_autoptr(StrataLayer) twin = dense ("renamed");
  g_autoptr(StrataLayer) old_name = dense ("a");
  g_autoptr(GError) error = NULL;

  /* Renamed after it was added: its new name is taken, its old one free. */
  strata_layer_set_name (f->a, "renamed");
  g_assert_false (strata_sequential_add (f->seq, twin, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_assert_nonnull (strstr (error->message, "renamed"));
  g_clear_error (&error);
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (f->seq)), ==, 2);

  g_assert_true (strata_sequential_add (f->seq, old_name, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (f->seq)), ==, 3);
}

typedef struct {
  guint calls;
  guint position;
  guint removed;
  guint added;
  guint n_items;    /* the model's length when the signal came */
} ItemsChanged;

static void
on_items_changed (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  ItemsChanged *seen = user_data;

  seen->calls++;
  seen->position = position;
  seen->removed = removed;
  seen->added = added;
  seen->n_items = g_list_model_get_n_items (list);
}

static void
test_items_changed (Stack *f, gconstpointer data)
{
  g_autoptr(StrataLayer) c = dense ("c");
  g_autoptr(StrataLayer) twin = dense ("c");
  g_autoptr(GError) error = NULL;
  ItemsChanged seen = { 0 };
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->seq));

  g_assert_cmpuint (n, ==, 2);
  g_signal_connect (f->seq, "items-changed", G_CALLBACK (on_items_changed), &seen);
  g_assert_true (strata_sequential_add (f->seq, c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpuint (seen.position, ==, n);
  g_assert_cmpuint (seen.removed, ==, 0);
  g_assert_cmpuint (seen.added, ==, 1);
  g_assert_cmpuint (seen.n_items, ==, n + 1);

  /* A refused layer changes nothing. */
  g_assert_false (strata_sequential_add (f->seq, twin, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->seq)), ==, n + 1);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add ("/model/sequential-add/renamed-then-duplicate", Stack, NULL, stack_set_up,
              test_renamed_then_duplicate, stack_tear_down);
  g_test_add ("/model/sequential-add/items-changed", Stack, NULL, stack_set_up, test_items_changed,
              stack_tear_down);
  return g_test_run ();
}
