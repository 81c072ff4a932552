/* test-threads.c: loading and saving from eight threads at once
 *
 * Eight threads load the same .h5 and .keras files, save what they loaded
 * to files of their own in every format (model and weights), load those
 * back and compare them with what the main thread loaded; all of them
 * also save one shared model, which they only read. Run under
 * ThreadSanitizer by tests/run-all.sh (with G_SLICE=always-malloc and
 * tests/tsan.supp): libhdf5 is not instrumented, and not thread-safe in
 * every build, so every call into it is serialized by Strata's lock.
 * Also, no thread's libhdf5 prints on stderr (HDF5-DIAG).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"

#define N_THREADS 8
#define ROUNDS 1

static const char *const sources[] = {
  "fixtures/generated/tf_keras/compiled_adam.h5",
  "fixtures/generated/keras/functional_multi_output.keras",
  "fixtures/generated/tf_keras/conv_batchnorm_nested.h5",
  "fixtures/generated/keras/recurrent.keras",
};

/* Where each thread saves: a model or its weights, and the format. */
static const struct {
  const char *name;
  gboolean    weights;
} targets[] = {
  { "model.h5", FALSE },
  { "weights.h5", TRUE },
  { "model.keras", FALSE },
  { "model.weights.h5", TRUE },
};

typedef struct {
  char        *dir;
  char        *paths[G_N_ELEMENTS (sources)];
  char        *digests[G_N_ELEMENTS (sources)];
  StrataModel *shared;          /* read by every thread */
  char        *shared_digest;
  gint         failures;
  gint         next;            /* the next thread's number */
} ThreadData;

static char *
weights_digest (StrataModel *model)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, i);
      GBytes *data = strata_tensor_get_data (tensor);
      gsize size = 0;
      gconstpointer bytes = data != NULL ? g_bytes_get_data (data, &size) : NULL;

      g_checksum_update (sum, (const guchar *) strata_tensor_get_name (tensor), -1);
      if (size > 0)
        g_checksum_update (sum, bytes, size);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static StrataModel *
load (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return strata_load_model (file, NULL, NULL, error);
}

/* Saves @model to @path (as a model or its weights) and reads it back
 * into a model of the same shape; returns the digest read back. */
static char *
round_trip (StrataModel *model, const char *path, gboolean weights, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;

  if (!weights)
    {
      if (!strata_model_save (model, file, NULL, NULL, error))
        return NULL;
      back = strata_load_model (file, NULL, NULL, error);
    }
  else
    {
      if (!strata_model_save_weights (model, file, NULL, NULL, error))
        return NULL;
      back = strata_model_clone (model, NULL, NULL, error);
      if (back != NULL)
        report = strata_model_load_weights (back, file, NULL, NULL, error);
      if (report == NULL)
        g_clear_object (&back);
    }
  return back != NULL ? weights_digest (back) : NULL;
}

static void
fail (ThreadData *data, const char *what, GError *error)
{
  g_printerr ("%s: %s\n", what, error != NULL ? error->message : "wrong weights");
  g_atomic_int_inc (&data->failures);
}

static gpointer
thread_func (gpointer user_data)
{
  ThreadData *data = user_data;
  int self = g_atomic_int_add (&data->next, 1);

  for (guint round = 0; round < ROUNDS; round++)
    for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
      {
        guint which = (i + self) % G_N_ELEMENTS (sources);
        g_autoptr(GError) error = NULL;
        g_autoptr(StrataModel) model = load (data->paths[which], &error);
        g_autofree char *loaded = NULL;

        if (model == NULL)
          {
            fail (data, data->paths[which], error);
            continue;
          }
        loaded = weights_digest (model);
        if (!g_str_equal (loaded, data->digests[which]))
          fail (data, data->paths[which], NULL);

        for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
          {
            /* Every target gets a thread's own model and the shared one, in
             * alternate threads. */
            StrataModel *what = (t + self + round) % 2 == 0 ? model : data->shared;
            const char *expected = what == model ? data->digests[which] : data->shared_digest;
            g_autofree char *path = g_strdup_printf ("%s/%d-%s", data->dir, self, targets[t].name);
            g_autofree char *back = round_trip (what, path, targets[t].weights, &error);

            if (back == NULL)
              fail (data, path, error);
            else if (!g_str_equal (back, expected))
              fail (data, path, NULL);
            g_clear_error (&error);
            g_unlink (path);
          }
      }
  return NULL;
}

static void
test_threads (void)
{
  ThreadData data = { 0 };
  GThread *threads[N_THREADS];
  g_autoptr(GError) error = NULL;
  char *printed = NULL;
  size_t printed_length = 0;
  FILE *real_stderr;

  data.dir = g_dir_make_tmp ("strata-threads-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(StrataModel) model = NULL;

      data.paths[i] = strata_test_src_path (sources[i]);
      model = load (data.paths[i], &error);
      g_assert_no_error (error);
      data.digests[i] = weights_digest (model);
    }
  data.shared = load (data.paths[0], &error);
  g_assert_no_error (error);
  data.shared_digest = weights_digest (data.shared);

  /* What the threads print through stderr (libhdf5's HDF5-DIAG would) is
   * kept to be looked at; ThreadSanitizer's reports still reach the
   * descriptor. */
  fflush (stderr);
  real_stderr = stderr;
  stderr = open_memstream (&printed, &printed_length);
  g_assert_nonnull (stderr);
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("strata-io", thread_func, &data);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  g_assert_cmpint (fclose (stderr), ==, 0);
  stderr = real_stderr;
  g_printerr ("%s", printed);
  g_assert_cmpint (data.failures, ==, 0);
  g_assert_null (strstr (printed, "HDF5-DIAG"));
  free (printed);

  {
    g_auto(GStrv) left = strata_test_list_dir (data.dir);

    g_assert_cmpuint (g_strv_length (left), ==, 0);
  }
  g_assert_cmpint (g_rmdir (data.dir), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_free (data.paths[i]);
      g_free (data.digests[i]);
    }
  g_object_unref (data.shared);
  g_free (data.shared_digest);
  g_free (data.dir);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/threads/load-and-save", test_threads);
  return g_test_run ();
}
