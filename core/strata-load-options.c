/* strata-load-options.c: options for loading a model or weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"
#include "strata-options-private.h"

/**
 * StrataLoadOptions:
 *
 * How to load a model or weights (the arguments of Keras `load_model`
 * and `load_weights`): the registry of custom classes, whether to compile,
 * load flags, an explicit format, by-name and skip-mismatch matching of
 * weights, the backend to assume for files that record none, and a
 * progress callback.
 */
struct _StrataLoadOptions
{
  GObject          parent_instance;

  StrataRegistry  *registry;
  gboolean         compile;
  StrataLoadFlags  flags;
  char            *format;
  gboolean         by_name;
  gboolean         skip_mismatch;
  char            *assume_backend;
  StrataProgress   progress;
};

G_DEFINE_FINAL_TYPE (StrataLoadOptions, strata_load_options, G_TYPE_OBJECT)

enum {
  LOAD_PROP_0,
  LOAD_PROP_REGISTRY,
  LOAD_PROP_COMPILE,
  LOAD_PROP_FLAGS,
  LOAD_PROP_FORMAT,
  LOAD_PROP_BY_NAME,
  LOAD_PROP_SKIP_MISMATCH,
  LOAD_PROP_ASSUME_BACKEND,
  LOAD_N_PROPS
};

static GParamSpec *load_properties[LOAD_N_PROPS];

static void
strata_load_options_finalize (GObject *object)
{
  StrataLoadOptions *self = STRATA_LOAD_OPTIONS (object);

  g_clear_object (&self->registry);
  g_clear_pointer (&self->format, g_free);
  g_clear_pointer (&self->assume_backend, g_free);
  strata_progress_clear (&self->progress);

  G_OBJECT_CLASS (strata_load_options_parent_class)->finalize (object);
}

static void
strata_load_options_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  StrataLoadOptions *self = STRATA_LOAD_OPTIONS (object);

  switch (prop_id)
    {
    case LOAD_PROP_REGISTRY:
      g_value_set_object (value, strata_load_options_get_registry (self));
      break;
    case LOAD_PROP_COMPILE:
      g_value_set_boolean (value, self->compile);
      break;
    case LOAD_PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case LOAD_PROP_FORMAT:
      g_value_set_string (value, self->format);
      break;
    case LOAD_PROP_BY_NAME:
      g_value_set_boolean (value, self->by_name);
      break;
    case LOAD_PROP_SKIP_MISMATCH:
      g_value_set_boolean (value, self->skip_mismatch);
      break;
    case LOAD_PROP_ASSUME_BACKEND:
      g_value_set_string (value, self->assume_backend);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_load_options_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  StrataLoadOptions *self = STRATA_LOAD_OPTIONS (object);

  switch (prop_id)
    {
    case LOAD_PROP_REGISTRY:
      strata_load_options_set_registry (self, g_value_get_object (value));
      break;
    case LOAD_PROP_COMPILE:
      strata_load_options_set_compile (self, g_value_get_boolean (value));
      break;
    case LOAD_PROP_FLAGS:
      strata_load_options_set_flags (self, g_value_get_flags (value));
      break;
    case LOAD_PROP_FORMAT:
      strata_load_options_set_format (self, g_value_get_string (value));
      break;
    case LOAD_PROP_BY_NAME:
      strata_load_options_set_by_name (self, g_value_get_boolean (value));
      break;
    case LOAD_PROP_SKIP_MISMATCH:
      strata_load_options_set_skip_mismatch (self, g_value_get_boolean (value));
      break;
    case LOAD_PROP_ASSUME_BACKEND:
      strata_load_options_set_assume_backend (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_load_options_class_init (StrataLoadOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_load_options_finalize;
  object_class->get_property = strata_load_options_get_property;
  object_class->set_property = strata_load_options_set_property;

  /**
   * StrataLoadOptions:registry:
   *
   * The registry that resolves class names (Keras `custom_objects`).
   * Reading it gives the default registry when none was set.
   */
  load_properties[LOAD_PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         STRATA_TYPE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:compile:
   *
   * Whether to restore the training config and optimizer (Keras `compile`).
   */
  load_properties[LOAD_PROP_COMPILE] =
    g_param_spec_boolean ("compile", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:flags:
   *
   * Flags such as %STRATA_LOAD_ALLOW_UNKNOWN.
   */
  load_properties[LOAD_PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        STRATA_TYPE_LOAD_FLAGS, STRATA_LOAD_NONE,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:format:
   *
   * The name of the format to use, or %NULL to detect it.
   */
  load_properties[LOAD_PROP_FORMAT] =
    g_param_spec_string ("format", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:by-name:
   *
   * Whether weights are matched to layers by name rather than by position.
   */
  load_properties[LOAD_PROP_BY_NAME] =
    g_param_spec_boolean ("by-name", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:skip-mismatch:
   *
   * Whether layers whose weights do not fit are skipped (and reported)
   * instead of failing the load.
   */
  load_properties[LOAD_PROP_SKIP_MISMATCH] =
    g_param_spec_boolean ("skip-mismatch", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataLoadOptions:assume-backend:
   *
   * The Keras backend ("theano", "tensorflow"…) that wrote the weights of a
   * file that does not record one, or %NULL to take the file as it is.
   * Keras 1 files never record it, and Keras, like Strata by default,
   * reads their convolution kernels as TensorFlow's: a Keras 1 file written
   * with Theano then predicts wrongly unless "theano" is set here, which
   * flips its kernels as Keras 2 does for Theano files that say so.
   */
  load_properties[LOAD_PROP_ASSUME_BACKEND] =
    g_param_spec_string ("assume-backend", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, LOAD_N_PROPS, load_properties);
}

static void
strata_load_options_init (StrataLoadOptions *self)
{
  self->compile = TRUE;
  self->flags = STRATA_LOAD_NONE;
}

/**
 * strata_load_options_new:
 *
 * Creates load options with Keras' defaults: the default registry,
 * `compile=True`, safe mode, format detected from the file.
 *
 * Returns: (transfer full): new options
 */
StrataLoadOptions *
strata_load_options_new (void)
{
  return g_object_new (STRATA_TYPE_LOAD_OPTIONS, NULL);
}

/**
 * strata_load_options_get_registry:
 * @self: load options
 *
 * Gets the registry, or the default registry if none was set.
 *
 * Returns: (transfer none): the registry, or the default registry if
 *   none was set
 */
StrataRegistry *
strata_load_options_get_registry (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), NULL);

  return self->registry != NULL ? self->registry : strata_registry_get_default ();
}

/**
 * strata_load_options_set_registry:
 * @self: load options
 * @registry: (nullable): a registry, usually made with [ctor@Strata.Registry.new]
 *   on top of the default one; %NULL for the default registry
 *
 * Sets the registry that resolves class names.
 */
void
strata_load_options_set_registry (StrataLoadOptions *self,
                                  StrataRegistry    *registry)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));
  g_return_if_fail (registry == NULL || STRATA_IS_REGISTRY (registry));

  if (g_set_object (&self->registry, registry))
    g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_REGISTRY]);
}

/**
 * strata_load_options_get_compile:
 * @self: load options
 *
 * Gets whether the training config and optimizer are restored.
 *
 * Returns: whether the training config and optimizer are restored
 */
gboolean
strata_load_options_get_compile (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), TRUE);

  return self->compile;
}

/**
 * strata_load_options_set_compile:
 * @self: load options
 * @compile: whether to restore the training config and optimizer
 *
 * Sets Keras' `compile` argument.
 */
void
strata_load_options_set_compile (StrataLoadOptions *self,
                                 gboolean           compile)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  compile = !!compile;
  if (self->compile == compile)
    return;
  self->compile = compile;
  g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_COMPILE]);
}

/**
 * strata_load_options_get_flags:
 * @self: load options
 *
 * Gets the load flags.
 *
 * Returns: the load flags
 */
StrataLoadFlags
strata_load_options_get_flags (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), STRATA_LOAD_NONE);

  return self->flags;
}

/**
 * strata_load_options_set_flags:
 * @self: load options
 * @flags: load flags
 *
 * Sets the load flags.
 */
void
strata_load_options_set_flags (StrataLoadOptions *self,
                               StrataLoadFlags    flags)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  if (self->flags == flags)
    return;
  self->flags = flags;
  g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_FLAGS]);
}

/**
 * strata_load_options_get_format:
 * @self: load options
 *
 * Gets the name of the format to use, or %NULL to detect it.
 *
 * Returns: (nullable): the name of the format to use, or %NULL to detect it
 */
const char *
strata_load_options_get_format (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), NULL);

  return self->format;
}

/**
 * strata_load_options_set_format:
 * @self: load options
 * @format: (nullable): a format name such as "h5", or %NULL to detect it
 *
 * Forces a format.
 */
void
strata_load_options_set_format (StrataLoadOptions *self,
                                const char        *format)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  if (strata_options_set_string (&self->format, format))
    g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_FORMAT]);
}

/**
 * strata_load_options_get_by_name:
 * @self: load options
 *
 * Gets whether weights are matched to layers by name.
 *
 * Returns: whether weights are matched to layers by name
 */
gboolean
strata_load_options_get_by_name (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), FALSE);

  return self->by_name;
}

/**
 * strata_load_options_set_by_name:
 * @self: load options
 * @by_name: whether to match weights to layers by name
 *
 * Sets Keras' `by_name` argument of `load_weights`.
 */
void
strata_load_options_set_by_name (StrataLoadOptions *self,
                                 gboolean           by_name)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  by_name = !!by_name;
  if (self->by_name == by_name)
    return;
  self->by_name = by_name;
  g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_BY_NAME]);
}

/**
 * strata_load_options_get_skip_mismatch:
 * @self: load options
 *
 * Gets whether layers whose weights do not fit are skipped.
 *
 * Returns: whether layers whose weights do not fit are skipped
 */
gboolean
strata_load_options_get_skip_mismatch (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), FALSE);

  return self->skip_mismatch;
}

/**
 * strata_load_options_set_skip_mismatch:
 * @self: load options
 * @skip_mismatch: whether to skip layers whose weights do not fit
 *
 * Sets Keras' `skip_mismatch` argument of `load_weights`.
 */
void
strata_load_options_set_skip_mismatch (StrataLoadOptions *self,
                                       gboolean           skip_mismatch)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  skip_mismatch = !!skip_mismatch;
  if (self->skip_mismatch == skip_mismatch)
    return;
  self->skip_mismatch = skip_mismatch;
  g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_SKIP_MISMATCH]);
}

/**
 * strata_load_options_get_assume_backend:
 * @self: load options
 *
 * Gets the backend assumed for files that record none.
 *
 * Returns: (nullable): the backend assumed for files that record none, or
 *   %NULL
 */
const char *
strata_load_options_get_assume_backend (StrataLoadOptions *self)
{
  g_return_val_if_fail (STRATA_IS_LOAD_OPTIONS (self), NULL);

  return self->assume_backend;
}

/**
 * strata_load_options_set_assume_backend:
 * @self: load options
 * @backend: (nullable): a Keras backend name such as "theano", or %NULL
 *
 * Sets the backend assumed to have written a file that records none
 * (Keras 1 files); see [property@Strata.LoadOptions:assume-backend].
 */
void
strata_load_options_set_assume_backend (StrataLoadOptions *self,
                                        const char        *backend)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  if (strata_options_set_string (&self->assume_backend, backend))
    g_object_notify_by_pspec (G_OBJECT (self), load_properties[LOAD_PROP_ASSUME_BACKEND]);
}

/**
 * strata_load_options_set_progress_func:
 * @self: load options
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the function to call as the load progresses
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the options are finalized
 *
 * Sets the progress callback; it is called in the thread that loads.
 */
void
strata_load_options_set_progress_func (StrataLoadOptions  *self,
                                       StrataProgressFunc  func,
                                       gpointer            user_data,
                                       GDestroyNotify      destroy)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  strata_progress_set (&self->progress, func, user_data, destroy);
}

/**
 * strata_load_options_report_progress:
 * @self: load options
 * @fraction: the fraction done, clamped to [0, 1]
 * @stage: (nullable): a short translated description of the stage
 *
 * Calls the progress callback, if one is set. Used by formats.
 */
void
strata_load_options_report_progress (StrataLoadOptions *self,
                                     double             fraction,
                                     const char        *stage)
{
  g_return_if_fail (STRATA_IS_LOAD_OPTIONS (self));

  strata_progress_report (&self->progress, fraction, stage);
}

