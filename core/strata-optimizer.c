/* strata-optimizer.c: optimizer config and state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-optimizer.h"
#include "strata-tensor.h"
#include "strata-error.h"
#include "strata-json-private.h"

/**
 * StrataOptimizer:
 *
 * The optimizer of a compiled model as a file stores it: the class name as
 * written ("Adam", or "Custom>Adam" for tf.keras 2.11+), its config, and
 * its state (slot variables and the iteration count) as an ordered list
 * of named tensors, such as "Adam/iter:0" or "adam/m/dense_kernel".
 * A LossScaleOptimizer's own variables (its loss scale and step count)
 * are kept apart, as wrapper weights: formats that store only the wrapped
 * optimizer's state ignore them.
 * Strata does not train, so it keeps the state only to write it back.
 */
struct _StrataOptimizer
{
  GObject     parent_instance;

  char       *class_name;
  JsonObject *config;
  GPtrArray  *weights;
  GPtrArray  *wrapper_weights;
};

G_DEFINE_FINAL_TYPE (StrataOptimizer, strata_optimizer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLASS_NAME,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
strata_optimizer_finalize (GObject *object)
{
  StrataOptimizer *self = STRATA_OPTIMIZER (object);

  g_clear_pointer (&self->class_name, g_free);
  g_clear_pointer (&self->config, json_object_unref);
  g_clear_pointer (&self->weights, g_ptr_array_unref);
  g_clear_pointer (&self->wrapper_weights, g_ptr_array_unref);

  G_OBJECT_CLASS (strata_optimizer_parent_class)->finalize (object);
}

static void
strata_optimizer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StrataOptimizer *self = STRATA_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_CLASS_NAME:
      g_value_set_string (value, self->class_name);
      break;
    case PROP_CONFIG:
      g_value_set_boxed (value, self->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_optimizer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  StrataOptimizer *self = STRATA_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_CLASS_NAME:
      g_free (self->class_name);
      self->class_name = g_value_dup_string (value);
      break;
    case PROP_CONFIG:
      {
        JsonObject *config = g_value_get_boxed (value);
        g_clear_pointer (&self->config, json_object_unref);
        /* Own a copy: the caller's object may be part of a larger tree. */
        self->config = config != NULL ? strata_json_object_copy (config) : json_object_new ();
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_optimizer_class_init (StrataOptimizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_optimizer_finalize;
  object_class->get_property = strata_optimizer_get_property;
  object_class->set_property = strata_optimizer_set_property;

  /**
   * StrataOptimizer:class-name:
   *
   * The class name as stored, such as "Adam" or "Custom>Adam".
   */
  properties[PROP_CLASS_NAME] =
    g_param_spec_string ("class-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataOptimizer:config:
   *
   * The optimizer's config (learning rate and so on).
   */
  properties[PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_optimizer_init (StrataOptimizer *self)
{
  self->weights = g_ptr_array_new_with_free_func (g_object_unref);
  self->wrapper_weights = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * strata_optimizer_new:
 * @class_name: the class name as stored, such as "Adam" or "Custom>Adam"
 * @config: (nullable): the optimizer's config; it is copied
 *
 * Creates an optimizer description with no state.
 *
 * Returns: (transfer full): a new optimizer
 */
StrataOptimizer *
strata_optimizer_new (const char *class_name,
                      JsonObject *config)
{
  g_return_val_if_fail (class_name != NULL, NULL);

  return g_object_new (STRATA_TYPE_OPTIMIZER,
                       "class-name", class_name,
                       "config", config,
                       NULL);
}

/**
 * strata_optimizer_get_class_name:
 * @self: an optimizer
 *
 * Gets the class name as stored.
 *
 * Returns: the class name as stored
 */
const char *
strata_optimizer_get_class_name (StrataOptimizer *self)
{
  g_return_val_if_fail (STRATA_IS_OPTIMIZER (self), NULL);

  return self->class_name;
}

/**
 * strata_optimizer_get_config:
 * @self: an optimizer
 *
 * Gets the config, owned by @self.
 *
 * Returns: (transfer none): the config, owned by @self
 */
JsonObject *
strata_optimizer_get_config (StrataOptimizer *self)
{
  g_return_val_if_fail (STRATA_IS_OPTIMIZER (self), NULL);

  return self->config;
}

/**
 * strata_optimizer_get_weights:
 * @self: an optimizer
 *
 * Gets the state tensors in the order they are stored, owned by @self.
 *
 * Returns: (transfer none) (element-type StrataTensor): the state
 *   tensors in the order they are stored, owned by @self
 */
GPtrArray *
strata_optimizer_get_weights (StrataOptimizer *self)
{
  g_return_val_if_fail (STRATA_IS_OPTIMIZER (self), NULL);

  return self->weights;
}

/**
 * strata_optimizer_add_weight:
 * @self: an optimizer
 * @weight: a state tensor, named as the file names it
 *
 * Appends @weight to the state.
 */
void
strata_optimizer_add_weight (StrataOptimizer *self,
                             StrataTensor    *weight)
{
  g_return_if_fail (STRATA_IS_OPTIMIZER (self));
  g_return_if_fail (STRATA_IS_TENSOR (weight));

  g_ptr_array_add (self->weights, g_object_ref (weight));
}

/**
 * strata_optimizer_clear_weights:
 * @self: an optimizer
 *
 * Removes all the state tensors, the wrapper weights included.
 */
void
strata_optimizer_clear_weights (StrataOptimizer *self)
{
  g_return_if_fail (STRATA_IS_OPTIMIZER (self));

  g_ptr_array_set_size (self->weights, 0);
  g_ptr_array_set_size (self->wrapper_weights, 0);
}

/**
 * strata_optimizer_get_wrapper_weights:
 * @self: an optimizer
 *
 * Gets the state of a wrapping optimizer itself, apart from that of the
 * optimizer it wraps ([method@Strata.Optimizer.get_weights]): a
 * LossScaleOptimizer's loss scale and count of good steps, named as the
 * file names them ("current_loss_scale:0", "good_steps:0").
 *
 * Returns: (transfer none) (element-type StrataTensor): the wrapper's own
 *   state tensors in the order they are stored, owned by @self
 */
GPtrArray *
strata_optimizer_get_wrapper_weights (StrataOptimizer *self)
{
  g_return_val_if_fail (STRATA_IS_OPTIMIZER (self), NULL);

  return self->wrapper_weights;
}

/**
 * strata_optimizer_add_wrapper_weight:
 * @self: an optimizer
 * @weight: a state tensor of the wrapping optimizer, named as the file
 *   names it
 *
 * Appends @weight to the wrapper's own state.
 */
void
strata_optimizer_add_wrapper_weight (StrataOptimizer *self,
                                     StrataTensor    *weight)
{
  g_return_if_fail (STRATA_IS_OPTIMIZER (self));
  g_return_if_fail (STRATA_IS_TENSOR (weight));

  g_ptr_array_add (self->wrapper_weights, g_object_ref (weight));
}
