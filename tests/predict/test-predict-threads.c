/* test-predict-threads.c: eight threads predicting with one model at once
 *
 * Each model of tests/fixtures/predict is loaded once and shared by
 * eight threads, which start together (so they also race to make the
 * plan) and call strata_model_predict with batch sizes that change from
 * call to call (so prepared executors are taken, replaced and made
 * anew while others run). Every output must equal, bit for bit, what
 * one thread computes with its own copy of the model. Run under
 * ThreadSanitizer by tests/run-all.sh, as the threads test is.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"

#define N_THREADS 8
#define ROUNDS 100

/* A convolution, a bidirectional LSTM, attention, an Embedding (integer
 * input), batch normalization and a float64 model: the BLAS, the
 * recurrent executor, the element-wise and the float64 kernels. */
static const char *const models[] = {
  "fixtures/predict/conv2d_same_s2-k3.keras",
  "fixtures/predict/bidirectional_concat-tk.h5",
  "fixtures/predict/mha-k3.keras",
  "fixtures/predict/embedding-tk.h5",
  "fixtures/predict/batchnorm4d-k3.keras",
  "fixtures/predict/dtype_float64_conv-tk.h5",
};

static const guint batch_sizes[] = { 1, 3, 5 };

typedef struct {
  StrataModel *shared;
  GPtrArray   *inputs[G_N_ELEMENTS (batch_sizes)];     /* of GPtrArray of StrataTensor */
  GPtrArray   *expected[G_N_ELEMENTS (batch_sizes)];
  gint         next;       /* the next thread's number */
  gint         started;    /* threads waiting for the others to start */
  gint         failures;
  GMutex       lock;
  GString     *errors;
} Shared;

/* Inputs of @model for a batch of @batch: integers below 10 for integer
 * inputs, floats otherwise; open axes get 7 steps. */
static GPtrArray *
make_inputs (StrataModel *model, guint batch, GRand *rand)
{
  g_autoptr(GPtrArray) specs = strata_model_get_inputs (model);
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < specs->len; i++)
    {
      StrataKerasTensor *spec = g_ptr_array_index (specs, i);
      StrataShape *spec_shape = strata_keras_tensor_get_shape (spec);
      gboolean integer = g_str_has_prefix (strata_keras_tensor_get_dtype (spec), "int");
      guint rank;
      const gint64 *spec_dims = strata_shape_get_dims (spec_shape, &rank);
      gint64 dims[8];
      gsize n = 1;
      g_autoptr(StrataShape) shape = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gpointer data;

      g_assert_cmpuint (rank, <=, G_N_ELEMENTS (dims));
      for (guint d = 0; d < rank; d++)
        n *= (gsize) (dims[d] = d == 0 ? batch : spec_dims[d] < 0 ? 7 : spec_dims[d]);
      data = g_malloc (n * 4);
      for (gsize j = 0; j < n; j++)
        if (integer)
          ((gint32 *) data)[j] = g_rand_int_range (rand, 0, 10);
        else
          ((float *) data)[j] = (float) g_rand_double_range (rand, -2.0, 2.0);
      shape = strata_shape_new (rank, dims);
      bytes = g_bytes_new_take (data, n * 4);
      g_ptr_array_add (inputs, strata_tensor_new (integer ? STRATA_DTYPE_INT32 : STRATA_DTYPE_FLOAT32,
                                                  shape, bytes, NULL));
    }
  return inputs;
}

static gboolean
same_outputs (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      gsize na, nb;
      gconstpointer da = g_bytes_get_data (strata_tensor_get_data (g_ptr_array_index (a, i)), &na);
      gconstpointer db = g_bytes_get_data (strata_tensor_get_data (g_ptr_array_index (b, i)), &nb);
      if (na != nb || memcmp (da, db, na) != 0)
        return FALSE;
    }
  return TRUE;
}

static gpointer
predict_thread (gpointer user_data)
{
  Shared *shared = user_data;
  guint number = (guint) g_atomic_int_add (&shared->next, 1);

  /* All start at once, to overlap as much as they can. */
  g_atomic_int_inc (&shared->started);
  while (g_atomic_int_get (&shared->started) < N_THREADS)
    g_thread_yield ();

  for (guint round = 0; round < ROUNDS; round++)
    {
      guint b = (number + round) % G_N_ELEMENTS (batch_sizes);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) outputs = strata_model_predict (shared->shared, shared->inputs[b], NULL, &error);

      if (outputs == NULL || !same_outputs (outputs, shared->expected[b]))
        {
          g_atomic_int_inc (&shared->failures);
          g_mutex_lock (&shared->lock);
          g_string_append_printf (shared->errors, "thread %u, round %u, batch %u: %s\n", number, round,
                                  batch_sizes[b], error != NULL ? error->message : "other outputs");
          g_mutex_unlock (&shared->lock);
        }
    }
  return NULL;
}

static void
test_model (gconstpointer data)
{
  const char *relative = data;
  g_autofree char *path = strata_test_src_path (relative);
  g_autoptr(StrataModel) reference = strata_test_load_model (path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_str_hash (relative));
  GThread *threads[N_THREADS];
  Shared shared = { 0 };

  shared.shared = strata_test_load_model (path);
  shared.errors = g_string_new (NULL);
  g_mutex_init (&shared.lock);
  /* What one thread computes, with a model of its own. */
  for (guint b = 0; b < G_N_ELEMENTS (batch_sizes); b++)
    {
      g_autoptr(GError) error = NULL;
      shared.inputs[b] = make_inputs (reference, batch_sizes[b], rand);
      shared.expected[b] = strata_model_predict (reference, shared.inputs[b], NULL, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("predict", predict_thread, &shared);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  if (shared.failures > 0)
    g_test_fail_printf ("%s: %d of %u calls differ from one thread's:\n%s", relative, shared.failures,
                        N_THREADS * ROUNDS, shared.errors->str);
  for (guint b = 0; b < G_N_ELEMENTS (batch_sizes); b++)
    {
      g_ptr_array_unref (shared.inputs[b]);
      g_ptr_array_unref (shared.expected[b]);
    }
  g_string_free (shared.errors, TRUE);
  g_mutex_clear (&shared.lock);
  g_object_unref (shared.shared);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *name = g_path_get_basename (models[i]);
      g_autofree char *test_path = g_strdup_printf ("/predict/threads/%s", name);
      g_test_add_data_func (test_path, models[i], test_model);
    }
  return g_test_run ();
}
