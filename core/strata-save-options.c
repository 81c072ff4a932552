/* strata-save-options.c: options for saving a model or weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"
#include "strata-options-private.h"

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
  guint64            max_shard_size;
  StrataProgress           progress;
};

G_DEFINE_FINAL_TYPE (StrataSaveOptions, strata_save_options, G_TYPE_OBJECT)

enum {
  SAVE_PROP_0,
  SAVE_PROP_OVERWRITE,
  SAVE_PROP_INCLUDE_OPTIMIZER,
  SAVE_PROP_FORMAT,
  SAVE_PROP_DIALECT,
  SAVE_PROP_MAX_SHARD_SIZE,
  SAVE_N_PROPS
};

static GParamSpec *save_properties[SAVE_N_PROPS];

static void
strata_save_options_finalize (GObject *object)
{
  StrataSaveOptions *self = STRATA_SAVE_OPTIONS (object);

  g_clear_pointer (&self->format, g_free);
  strata_progress_clear (&self->progress);

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
    case SAVE_PROP_MAX_SHARD_SIZE:
      g_value_set_uint64 (value, self->max_shard_size);
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
    case SAVE_PROP_MAX_SHARD_SIZE:
      strata_save_options_set_max_shard_size (self, g_value_get_uint64 (value));
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

  /**
   * StrataSaveOptions:max-shard-size:
   *
   * The largest size, in bytes of weight data, of one shard of Keras 3
   * sharded weights (`model.save_weights("x.weights.json",
   * max_shard_size=…)`, where Keras takes gigabytes): saving weights to a
   * name ending in `.weights.json` writes that index and the shards
   * `x_00000.weights.h5`, `x_00001.weights.h5`, … beside it, starting a
   * new shard when the next variable would make the current one larger.
   * 0, the default, means Keras's default of 5 GiB for `.weights.json`
   * files. Other files are never sharded, and a size other than 0 for
   * them is an error.
   */
  save_properties[SAVE_PROP_MAX_SHARD_SIZE] =
    g_param_spec_uint64 ("max-shard-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
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
 * strata_save_options_get_max_shard_size:
 * @self: save options
 *
 * Gets the largest size of one shard of Keras 3 sharded weights
 * ([property@Strata.SaveOptions:max-shard-size]).
 *
 * Returns: the size in bytes, or 0 for the default
 */
guint64
strata_save_options_get_max_shard_size (StrataSaveOptions *self)
{
  g_return_val_if_fail (STRATA_IS_SAVE_OPTIONS (self), 0);

  return self->max_shard_size;
}

/**
 * strata_save_options_set_max_shard_size:
 * @self: save options
 * @max_shard_size: the size in bytes of weight data, or 0 for the default
 *
 * Sets Keras' `max_shard_size` argument of `save_weights()`, in bytes
 * (Keras takes gigabytes; see [property@Strata.SaveOptions:max-shard-size]).
 */
void
strata_save_options_set_max_shard_size (StrataSaveOptions *self,
                                        guint64            max_shard_size)
{
  g_return_if_fail (STRATA_IS_SAVE_OPTIONS (self));

  if (self->max_shard_size == max_shard_size)
    return;
  self->max_shard_size = max_shard_size;
  g_object_notify_by_pspec (G_OBJECT (self), save_properties[SAVE_PROP_MAX_SHARD_SIZE]);
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

  if (strata_options_set_string (&self->format, format))
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
 *   [property@Strata.SaveOptions:dialect])
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

  strata_progress_set (&self->progress, func, user_data, destroy);
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

  strata_progress_report (&self->progress, fraction, stage);
}

