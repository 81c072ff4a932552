/* strata-options.c: options for loading and saving, and the weights report
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"

/* A progress callback with its data, shared by both option types. */
typedef struct {
  StrataProgressFunc func;
  gpointer           user_data;
  GDestroyNotify     destroy;
} Progress;

static void
progress_clear (Progress *progress)
{
  GDestroyNotify destroy = progress->destroy;
  gpointer user_data = progress->user_data;

  progress->func = NULL;
  progress->user_data = NULL;
  progress->destroy = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

static void
progress_set (Progress           *progress,
              StrataProgressFunc  func,
              gpointer            user_data,
              GDestroyNotify      destroy)
{
  progress_clear (progress);
  progress->func = func;
  progress->user_data = user_data;
  progress->destroy = destroy;
}

static void
progress_report (Progress   *progress,
                 double      fraction,
                 const char *stage)
{
  if (progress->func != NULL)
    progress->func (CLAMP (fraction, 0.0, 1.0), stage, progress->user_data);
}

/* Replaces *@field with a copy of @value; returns whether it changed. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* StrataLoadOptions                                                   */
/* ------------------------------------------------------------------ */

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
  Progress         progress;
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
  progress_clear (&self->progress);

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
 * @registry: (nullable): a registry, usually made with strata_registry_new()
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

  if (set_string (&self->format, format))
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

  if (set_string (&self->assume_backend, backend))
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

  progress_set (&self->progress, func, user_data, destroy);
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

  progress_report (&self->progress, fraction, stage);
}

/* ------------------------------------------------------------------ */
/* StrataSaveOptions                                                   */
/* ------------------------------------------------------------------ */

/**
 * StrataSaveOptions:
 *
 * How to save a model or weights (the arguments of Keras `save`):
 * whether to overwrite, whether to include the optimizer, the format,
 * the Keras dialect of the config, and a progress callback.
 */
struct _StrataSaveOptions
{
  GObject            parent_instance;

  gboolean           overwrite;
  gboolean           include_optimizer;
  char              *format;
  StrataKerasDialect dialect;
  Progress           progress;
};

G_DEFINE_FINAL_TYPE (StrataSaveOptions, strata_save_options, G_TYPE_OBJECT)

enum {
  SAVE_PROP_0,
  SAVE_PROP_OVERWRITE,
  SAVE_PROP_INCLUDE_OPTIMIZER,
  SAVE_PROP_FORMAT,
  SAVE_PROP_DIALECT,
  SAVE_N_PROPS
};

static GParamSpec *save_properties[SAVE_N_PROPS];

static void
strata_save_options_finalize (GObject *object)
{
  StrataSaveOptions *self = STRATA_SAVE_OPTIONS (object);

  g_clear_pointer (&self->format, g_free);
  progress_clear (&self->progress);

  G_OBJECT_CLASS (strata_save_options_parent_class)->finalize (object);
}

static void
strata_save_options_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  StrataSaveOptions *self = STRATA_SAVE_OPTIONS (object);

  switch (prop_id)
    {
    case SAVE_PROP_OVERWRITE:
      g_value_set_boolean (value, self->overwrite);
      break;
    case SAVE_PROP_INCLUDE_OPTIMIZER:
      g_value_set_boolean (value, self->include_optimizer);
      break;
    case SAVE_PROP_FORMAT:
      g_value_set_string (value, self->format);
      break;
    case SAVE_PROP_DIALECT:
      g_value_set_enum (value, self->dialect);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_save_options_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  StrataSaveOptions *self = STRATA_SAVE_OPTIONS (object);

  switch (prop_id)
    {
    case SAVE_PROP_OVERWRITE:
      strata_save_options_set_overwrite (self, g_value_get_boolean (value));
      break;
    case SAVE_PROP_INCLUDE_OPTIMIZER:
      strata_save_options_set_include_optimizer (self, g_value_get_boolean (value));
      break;
    case SAVE_PROP_FORMAT:
      strata_save_options_set_format (self, g_value_get_string (value));
      break;
    case SAVE_PROP_DIALECT:
      strata_save_options_set_dialect (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_save_options_class_init (StrataSaveOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_save_options_finalize;
  object_class->get_property = strata_save_options_get_property;
  object_class->set_property = strata_save_options_set_property;

  /**
   * StrataSaveOptions:overwrite:
   *
   * Whether an existing file may be replaced.
   */
  save_properties[SAVE_PROP_OVERWRITE] =
    g_param_spec_boolean ("overwrite", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataSaveOptions:include-optimizer:
   *
   * Whether the optimizer state is saved with the model.
   */
  save_properties[SAVE_PROP_INCLUDE_OPTIMIZER] =
    g_param_spec_boolean ("include-optimizer", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataSaveOptions:format:
   *
   * The name of the format to write, or %NULL to choose from the file name.
   */
  save_properties[SAVE_PROP_FORMAT] =
    g_param_spec_string ("format", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StrataSaveOptions:dialect:
   *
   * The Keras dialect of the written config, which is the Keras the file is
   * for: %STRATA_KERAS_DIALECT_KERAS2 writes what tf-keras (Keras 2) loads,
   * %STRATA_KERAS_DIALECT_KERAS3 what Keras 3 loads, whatever the model was
   * read from (`strata convert --keras 2|3`). The default,
   * %STRATA_KERAS_DIALECT_AUTO, is each format's own Keras: Keras 3 for
   * `.keras` archives and `.weights.h5` files, tf-keras for HDF5 files
   * (`.h5` models and weights, which Keras 3 reads too) and SavedModels,
   * and for JSON configs the dialect the model was read in (Keras 2 for a
   * model made in code). A model that the chosen Keras cannot build to
   * compute the same is not saved (%STRATA_CONFIG_ERROR_NO_EQUIVALENT).
   */
  save_properties[SAVE_PROP_DIALECT] =
    g_param_spec_enum ("dialect", NULL, NULL,
                       STRATA_TYPE_KERAS_DIALECT, STRATA_KERAS_DIALECT_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, SAVE_N_PROPS, save_properties);
}

static void
strata_save_options_init (StrataSaveOptions *self)
{
  self->overwrite = TRUE;
  self->include_optimizer = TRUE;
  self->dialect = STRATA_KERAS_DIALECT_AUTO;
}

/**
 * strata_save_options_new:
 *
 * Creates save options with Keras' defaults: overwrite, include the
 * optimizer, format from the file name, each format's own Keras dialect.
 *
 * Returns: (transfer full): new options
 */
StrataSaveOptions *
strata_save_options_new (void)
{
  return g_object_new (STRATA_TYPE_SAVE_OPTIONS, NULL);
}

/**
 * strata_save_options_get_overwrite:
 * @self: save options
 *
 * Gets whether an existing file may be replaced.
 *
 * Returns: whether an existing file may be replaced
 */
gboolean
strata_save_options_get_overwrite (StrataSaveOptions *self)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), TRUE);

  return self->overwrite;
}

/**
 * strata_save_options_set_overwrite:
 * @self: save options
 * @overwrite: whether an existing file may be replaced
 *
 * Sets Keras' `overwrite` argument.
 */
void
strata_save_options_set_overwrite (StrataSaveOptions *self,
                                   gboolean           overwrite)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  overwrite = !!overwrite;
  if (self->overwrite == overwrite)
    return;
  self->overwrite = overwrite;
  g_object_notify_by_pspec (G_OBJECT (self), save_properties[SAVE_PROP_OVERWRITE]);
}

/**
 * strata_save_options_get_include_optimizer:
 * @self: save options
 *
 * Gets whether the optimizer state is saved.
 *
 * Returns: whether the optimizer state is saved
 */
gboolean
strata_save_options_get_include_optimizer (StrataSaveOptions *self)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), TRUE);

  return self->include_optimizer;
}

/**
 * strata_save_options_set_include_optimizer:
 * @self: save options
 * @include_optimizer: whether to save the optimizer state
 *
 * Sets Keras' `include_optimizer` argument.
 */
void
strata_save_options_set_include_optimizer (StrataSaveOptions *self,
                                           gboolean           include_optimizer)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  include_optimizer = !!include_optimizer;
  if (self->include_optimizer == include_optimizer)
    return;
  self->include_optimizer = include_optimizer;
  g_object_notify_by_pspec (G_OBJECT (self), save_properties[SAVE_PROP_INCLUDE_OPTIMIZER]);
}

/**
 * strata_save_options_get_format:
 * @self: save options
 *
 * Gets the name of the format to write, or %NULL.
 *
 * Returns: (nullable): the name of the format to write, or %NULL
 */
const char *
strata_save_options_get_format (StrataSaveOptions *self)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), NULL);

  return self->format;
}

/**
 * strata_save_options_set_format:
 * @self: save options
 * @format: (nullable): a format name such as "h5", or %NULL to choose
 *   from the file name
 *
 * Sets Keras' `save_format` argument.
 */
void
strata_save_options_set_format (StrataSaveOptions *self,
                                const char        *format)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  if (set_string (&self->format, format))
    g_object_notify_by_pspec (G_OBJECT (self), save_properties[SAVE_PROP_FORMAT]);
}

/**
 * strata_save_options_get_dialect:
 * @self: save options
 *
 * Gets the Keras dialect of the written config.
 *
 * Returns: the Keras dialect of the written config
 */
StrataKerasDialect
strata_save_options_get_dialect (StrataSaveOptions *self)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), STRATA_KERAS_DIALECT_AUTO);

  return self->dialect;
}

/**
 * strata_save_options_set_dialect:
 * @self: save options
 * @dialect: the Keras dialect to write
 *
 * Chooses the Keras dialect of the written config.
 */
void
strata_save_options_set_dialect (StrataSaveOptions  *self,
                                 StrataKerasDialect  dialect)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  if (self->dialect == dialect)
    return;
  self->dialect = dialect;
  g_object_notify_by_pspec (G_OBJECT (self), save_properties[SAVE_PROP_DIALECT]);
}

/**
 * strata_save_options_resolve_dialect:
 * @self: save options
 * @native: the dialect the format writes when none is asked for (see
 *   #StrataSaveOptions:dialect)
 *
 * Gives the dialect a format writes with these options: the one set, else
 * @native. Used by formats.
 *
 * Returns: the Keras dialect to write, never %STRATA_KERAS_DIALECT_AUTO
 *   unless @native is
 */
StrataKerasDialect
strata_save_options_resolve_dialect (StrataSaveOptions  *self,
                                     StrataKerasDialect  native)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), native);

  return self->dialect != STRATA_KERAS_DIALECT_AUTO ? self->dialect : native;
}

/**
 * strata_save_options_set_progress_func:
 * @self: save options
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the function to call as the save progresses
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the options are finalized
 *
 * Sets the progress callback; it is called in the thread that saves.
 */
void
strata_save_options_set_progress_func (StrataSaveOptions  *self,
                                       StrataProgressFunc  func,
                                       gpointer            user_data,
                                       GDestroyNotify      destroy)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  progress_set (&self->progress, func, user_data, destroy);
}

/**
 * strata_save_options_report_progress:
 * @self: save options
 * @fraction: the fraction done, clamped to [0, 1]
 * @stage: (nullable): a short translated description of the stage
 *
 * Calls the progress callback, if one is set. Used by formats.
 */
void
strata_save_options_report_progress (StrataSaveOptions *self,
                                     double             fraction,
                                     const char        *stage)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  progress_report (&self->progress, fraction, stage);
}

/* ------------------------------------------------------------------ */
/* StrataWeightsReport                                                 */
/* ------------------------------------------------------------------ */

/**
 * StrataWeightsReport:
 *
 * What a weights load did, layer by layer: the layers whose weights were
 * set, the layers skipped (with the reason, for `skip_mismatch`), and the
 * layers of the model the file had nothing for.
 */
struct _StrataWeightsReport
{
  GObject    parent_instance;

  GPtrArray *matched;       /* NULL-terminated */
  GPtrArray *skipped;
  GPtrArray *skip_reasons;
  GPtrArray *missing;
};

G_DEFINE_FINAL_TYPE (StrataWeightsReport, strata_weights_report, G_TYPE_OBJECT)

enum {
  REPORT_PROP_0,
  REPORT_PROP_MATCHED,
  REPORT_PROP_SKIPPED,
  REPORT_PROP_SKIP_REASONS,
  REPORT_PROP_MISSING,
  REPORT_N_PROPS
};

static GParamSpec *report_properties[REPORT_N_PROPS];

/* An empty null-terminated GPtrArray may have no pdata at all. */
static const char * const *
as_strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  return array->pdata != NULL ? (const char * const *) array->pdata : empty;
}

static void
strata_weights_report_finalize (GObject *object)
{
  StrataWeightsReport *self = STRATA_WEIGHTS_REPORT (object);

  g_clear_pointer (&self->matched, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_clear_pointer (&self->skip_reasons, g_ptr_array_unref);
  g_clear_pointer (&self->missing, g_ptr_array_unref);

  G_OBJECT_CLASS (strata_weights_report_parent_class)->finalize (object);
}

static void
strata_weights_report_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StrataWeightsReport *self = STRATA_WEIGHTS_REPORT (object);

  switch (prop_id)
    {
    case REPORT_PROP_MATCHED:
      g_value_set_boxed (value, as_strv (self->matched));
      break;
    case REPORT_PROP_SKIPPED:
      g_value_set_boxed (value, as_strv (self->skipped));
      break;
    case REPORT_PROP_SKIP_REASONS:
      g_value_set_boxed (value, as_strv (self->skip_reasons));
      break;
    case REPORT_PROP_MISSING:
      g_value_set_boxed (value, as_strv (self->missing));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_weights_report_class_init (StrataWeightsReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_weights_report_finalize;
  object_class->get_property = strata_weights_report_get_property;

  /**
   * StrataWeightsReport:matched:
   *
   * The layers whose weights were loaded.
   */
  report_properties[REPORT_PROP_MATCHED] =
    g_param_spec_boxed ("matched", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:skipped:
   *
   * The layers that were skipped.
   */
  report_properties[REPORT_PROP_SKIPPED] =
    g_param_spec_boxed ("skipped", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:skip-reasons:
   *
   * Why each layer of #StrataWeightsReport:skipped was skipped, in the
   * same order.
   */
  report_properties[REPORT_PROP_SKIP_REASONS] =
    g_param_spec_boxed ("skip-reasons", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:missing:
   *
   * The layers with weights that the file had nothing for.
   */
  report_properties[REPORT_PROP_MISSING] =
    g_param_spec_boxed ("missing", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, REPORT_N_PROPS, report_properties);
}

static void
strata_weights_report_init (StrataWeightsReport *self)
{
  self->matched = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->skipped = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->skip_reasons = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->missing = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/**
 * strata_weights_report_new:
 *
 * Creates an empty report.
 *
 * Returns: (transfer full): a new report
 */
StrataWeightsReport *
strata_weights_report_new (void)
{
  return g_object_new (STRATA_TYPE_WEIGHTS_REPORT, NULL);
}

/**
 * strata_weights_report_add_matched:
 * @self: a report
 * @layer_name: the layer whose weights were loaded
 *
 * Records a loaded layer.
 */
void
strata_weights_report_add_matched (StrataWeightsReport *self,
                                   const char          *layer_name)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);

  g_ptr_array_add (self->matched, g_strdup (layer_name));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_MATCHED]);
}

/**
 * strata_weights_report_add_skipped:
 * @self: a report
 * @layer_name: the layer that was skipped
 * @reason: why, translated (for example the shapes that differ)
 *
 * Records a skipped layer.
 */
void
strata_weights_report_add_skipped (StrataWeightsReport *self,
                                   const char          *layer_name,
                                   const char          *reason)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);
  g_return_if_fail (reason != NULL);

  g_ptr_array_add (self->skipped, g_strdup (layer_name));
  g_ptr_array_add (self->skip_reasons, g_strdup (reason));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_SKIPPED]);
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_SKIP_REASONS]);
}

/**
 * strata_weights_report_add_missing:
 * @self: a report
 * @layer_name: a layer of the model the file had no weights for
 *
 * Records a missing layer.
 */
void
strata_weights_report_add_missing (StrataWeightsReport *self,
                                   const char          *layer_name)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);

  g_ptr_array_add (self->missing, g_strdup (layer_name));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_MISSING]);
}

/**
 * strata_weights_report_get_matched:
 * @self: a report
 *
 * Gets the loaded layers.
 *
 * Returns: (transfer none) (array zero-terminated=1): the loaded layers
 */
const char * const *
strata_weights_report_get_matched (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->matched);
}

/**
 * strata_weights_report_get_skipped:
 * @self: a report
 *
 * Gets the skipped layers.
 *
 * Returns: (transfer none) (array zero-terminated=1): the skipped layers
 */
const char * const *
strata_weights_report_get_skipped (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->skipped);
}

/**
 * strata_weights_report_get_skip_reasons:
 * @self: a report
 *
 * Gets why each skipped layer was skipped, in the order of
 * strata_weights_report_get_skipped().
 *
 * Returns: (transfer none) (array zero-terminated=1): why each skipped
 *   layer was skipped, in the order of strata_weights_report_get_skipped()
 */
const char * const *
strata_weights_report_get_skip_reasons (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->skip_reasons);
}

/**
 * strata_weights_report_get_missing:
 * @self: a report
 *
 * Gets the layers the file had no weights for.
 *
 * Returns: (transfer none) (array zero-terminated=1): the layers the file
 *   had no weights for
 */
const char * const *
strata_weights_report_get_missing (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->missing);
}
