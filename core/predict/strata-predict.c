/* strata-predict.c: strata_model_predict()
 *
 * The plan of a model is made on the first call and kept on the model;
 * one prepared executor (arena sized for the last input shapes) is kept
 * with it and taken by one call at a time, so repeated calls with the
 * same shapes allocate nothing but their outputs. Concurrent calls on one
 * model each prepare their own executor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-predict.h"
#include "strata-predict-private.h"

/**
 * strata_predict_error_quark:
 *
 * Gets the error domain of [method@Strata.Model.predict], %STRATA_PREDICT_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (strata-predict-error-quark, strata_predict_error)

typedef struct {
  StrataPlan     *plan;
  GPtrArray      *weights;    /* the weight tensors the plan reads, to notice replaced weights */
  GRecMutex       lock;       /* see plan_cache_lock */
  StrataPlanExec *idle;       /* a prepared executor nobody is using */
} PlanCache;

#define CACHE_KEY "strata-predict-plan"

/* Under the cache's lock, which every call using the cache took last:
 * the last reference may be dropped by another thread, and GLib's atomic
 * reference count is not seen by ThreadSanitizer (not instrumented). */
static void
plan_cache_clear (PlanCache *cache)
{
  g_rec_mutex_lock (&cache->lock);
  strata_plan_exec_free (cache->idle);
  strata_plan_free (cache->plan);
  g_clear_pointer (&cache->weights, g_ptr_array_unref);
  g_rec_mutex_unlock (&cache->lock);
  g_rec_mutex_clear (&cache->lock);
}

static void
plan_cache_release (PlanCache *cache)
{
  g_atomic_rc_box_release_full (cache, (GDestroyNotify) plan_cache_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanCache, plan_cache_release)

/* Every weight tensor of every layer, nested ones included. */
static void
collect_weights (StrataModel *model, GPtrArray *out)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  for (guint i = 0; weights != NULL && i < weights->len; i++)
    g_ptr_array_add (out, g_object_ref (g_ptr_array_index (weights, i)));
}

static gboolean
same_weights (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (g_ptr_array_index (a, i) != g_ptr_array_index (b, i))
      return FALSE;
  return TRUE;
}

/* Guards the model's plan cache. GRecMutex rather than GMutex (nothing
 * locks twice): it is a pthread mutex, which ThreadSanitizer sees, where
 * GMutex is a futex it cannot see (tests/run-all.sh runs predict-threads
 * under it). A static GRecMutex needs no initialisation. */
static GRecMutex plan_cache_lock;

static PlanCache *
get_plan (StrataModel *model, GError **error)
{
  g_autoptr(GPtrArray) weights = g_ptr_array_new_with_free_func (g_object_unref);
  PlanCache *cache;

  collect_weights (model, weights);
  g_rec_mutex_lock (&plan_cache_lock);
  cache = g_object_get_data (G_OBJECT (model), CACHE_KEY);
  if (cache != NULL && same_weights (cache->weights, weights))
    {
      g_atomic_rc_box_acquire (cache);
      g_rec_mutex_unlock (&plan_cache_lock);
      return cache;
    }
  g_rec_mutex_unlock (&plan_cache_lock);

  cache = g_atomic_rc_box_new0 (PlanCache);
  g_rec_mutex_init (&cache->lock);
  cache->plan = strata_plan_lower (model, error);
  if (cache->plan == NULL)
    {
      plan_cache_release (cache);
      return NULL;
    }
  cache->weights = g_steal_pointer (&weights);
  /* The model holds one reference, this call another: a call still running
   * on a replaced plan keeps it alive. */
  g_rec_mutex_lock (&plan_cache_lock);
  g_object_set_data_full (G_OBJECT (model), CACHE_KEY, g_atomic_rc_box_acquire (cache),
                          (GDestroyNotify) plan_cache_release);
  g_rec_mutex_unlock (&plan_cache_lock);
  return cache;
}

/* Input data as float64, for a float64 plan. */
static gboolean
input_doubles (StrataTensor *t, guint index, const void **data, void **owned, GError **error)
{
  g_autoptr(StrataTensor) converted = NULL;
  gsize n;

  if (strata_tensor_get_dtype (t) == STRATA_DTYPE_FLOAT64)
    {
      *data = g_bytes_get_data (strata_tensor_get_data (t), NULL);
      return TRUE;
    }
  converted = strata_tensor_cast (t, STRATA_DTYPE_FLOAT64, error);
  if (converted == NULL)
    {
      g_prefix_error (error, "Input %u: ", index);
      return FALSE;
    }
  *owned = g_bytes_unref_to_data (g_bytes_ref (strata_tensor_get_data (converted)), &n);
  *data = *owned;
  return TRUE;
}

/* Input data as float32, converted when needed. */
static gboolean
input_singles (StrataTensor *t, guint index, const void **data, void **owned, GError **error)
{
  StrataDType dtype = strata_tensor_get_dtype (t);
  float *values;
  gsize n;

  if (dtype == STRATA_DTYPE_FLOAT32)
    {
      *data = g_bytes_get_data (strata_tensor_get_data (t), NULL);
      return TRUE;
    }
  if (dtype == STRATA_DTYPE_INT32 || dtype == STRATA_DTYPE_INT64 || dtype == STRATA_DTYPE_UINT8 ||
      dtype == STRATA_DTYPE_INT8 || dtype == STRATA_DTYPE_INT16 || dtype == STRATA_DTYPE_UINT16)
    {
      g_autoptr(StrataTensor) f = strata_tensor_cast (t, STRATA_DTYPE_FLOAT64, error);
      const double *d;
      if (f == NULL)
        return FALSE;
      d = g_bytes_get_data (strata_tensor_get_data (f), &n);
      n /= sizeof (double);
      values = g_new (float, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        values[i] = (float) d[i];
    }
  else if ((values = strata_tensor_to_floats (t, &n, error)) == NULL)
    {
      g_prefix_error (error, "Input %u: ", index);
      return FALSE;
    }
  *owned = values;
  *data = values;
  return TRUE;
}

/* Input data in the plan's input type (float32, or float64 for a float64
 * plan); *@owned gets a converted copy, if one was made. */
static gboolean
input_data (StrataTensor *t, guint index, StrataPlanDType plan_dtype, const void **data,
            void **owned, GError **error)
{
  *owned = NULL;
  if (strata_tensor_get_data (t) == NULL)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   "Input %u has no values", index);
      return FALSE;
    }
  if (plan_dtype == STRATA_PLAN_F64)
    return input_doubles (t, index, data, owned, error);
  return input_singles (t, index, data, owned, error);
}

/**
 * strata_model_predict:
 * @model: a model
 * @inputs: (element-type StrataTensor): one tensor per model input, in the
 *   model's input order, with the batch as the first axis
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Runs @model on @inputs with training off, as Keras's `model.predict(x)`
 * does, and computes as the Keras that wrote the model (tf-keras or
 * Keras 3) where the two differ. Weights are read in place. A model with
 * layers that cannot run fails with %STRATA_PREDICT_ERROR_UNSUPPORTED,
 * naming every such layer, before anything is computed. Several threads
 * may call this on one model at once. No state is kept between calls: a
 * stateful recurrent layer computes each call as the first call of a
 * freshly loaded Keras model does (from zeros or the given initial state).
 *
 * Returns: (transfer container) (element-type StrataTensor): one float32
 *   tensor per model output (float64 for a model whose layers all have the
 *   float64 dtype policy), in the model's output order, or %NULL with
 *   @error set
 */
GPtrArray *
strata_model_predict (StrataModel   *model,
                      GPtrArray     *inputs,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) shapes = g_ptr_array_new ();
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autofree const void **data = NULL;
  StrataPlanExec *exec = NULL;
  g_autoptr(PlanCache) cache = NULL;
  GPtrArray *outputs;

  g_return_val_if_fail (STRATA_IS_MODEL (model), NULL);
  g_return_val_if_fail (inputs != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  cache = get_plan (model, error);
  if (cache == NULL)
    return NULL;
  if (inputs->len != cache->plan->inputs->len)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                   "Model “%s” takes %u input%s, not %u",
                   strata_layer_get_name (STRATA_LAYER (model)), cache->plan->inputs->len,
                   cache->plan->inputs->len == 1 ? "" : "s", inputs->len);
      return NULL;
    }
  data = g_new0 (const void *, inputs->len);
  for (guint i = 0; i < inputs->len; i++)
    {
      StrataTensor *t = g_ptr_array_index (inputs, i);
      void *copy;

      if (!STRATA_IS_TENSOR (t))
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INPUT,
                       "Input %u is not a tensor", i);
          return NULL;
        }
      g_ptr_array_add (shapes, strata_tensor_get_shape (t));
      if (!input_data (t, i, cache->plan->compute, &data[i], &copy, error))
        return NULL;
      if (copy != NULL)
        g_ptr_array_add (owned, copy);
    }

  g_rec_mutex_lock (&cache->lock);
  if (cache->idle != NULL && strata_plan_exec_matches (cache->idle, shapes))
    exec = g_steal_pointer (&cache->idle);
  g_rec_mutex_unlock (&cache->lock);
  if (exec == NULL)
    {
      exec = strata_plan_exec_new (cache->plan, shapes, error);
      if (exec == NULL)
        return NULL;
    }
  outputs = strata_plan_exec_run (exec, data, cancellable, error);
  g_rec_mutex_lock (&cache->lock);
  if (cache->idle == NULL)
    cache->idle = g_steal_pointer (&exec);
  g_rec_mutex_unlock (&cache->lock);
  strata_plan_exec_free (exec);
  return outputs;
}

static void
predict_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *outputs = strata_model_predict (source_object, task_data, cancellable, &error);

  if (outputs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, outputs, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * strata_model_predict_async:
 * @model: a model
 * @inputs: (element-type StrataTensor): one tensor per model input
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the outputs are ready
 * @user_data: data for @callback
 *
 * Runs [method@Strata.Model.predict] in a worker thread.
 */
void
strata_model_predict_async (StrataModel         *model,
                            GPtrArray           *inputs,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *copy;

  g_return_if_fail (STRATA_IS_MODEL (model));
  g_return_if_fail (inputs != NULL);

  copy = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < inputs->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (inputs, i)));
  task = g_task_new (model, cancellable, callback, user_data);
  g_task_set_source_tag (task, strata_model_predict_async);
  g_task_set_task_data (task, copy, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, predict_thread);
}

/**
 * strata_model_predict_finish:
 * @model: a model
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Strata.Model.predict_async].
 *
 * Returns: (transfer container) (element-type StrataTensor): one tensor per
 *   model output, or %NULL with @error set
 */
GPtrArray *
strata_model_predict_finish (StrataModel   *model,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
