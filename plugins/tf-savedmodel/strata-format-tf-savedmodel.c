/* strata-format-tf-savedmodel.c: the tf-savedmodel format module
 * (TensorFlow SavedModel folders and TF checkpoints written by tf.keras)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata.h"
#include "strata-plugin.h"
#include "strata-i18n-private.h"
#include "strata-model-cudnn-private.h"
#include "tsm-inspect.h"
#include "tsm-load.h"
#include "tsm-save.h"
#include "tsm-savedmodel.h"

#define STRATA_TYPE_FORMAT_TF_SAVEDMODEL (strata_format_tf_savedmodel_get_type ())
G_DECLARE_FINAL_TYPE (StrataFormatTfSavedmodel, strata_format_tf_savedmodel, STRATA,
                      FORMAT_TF_SAVEDMODEL, StrataFormat)

struct _StrataFormatTfSavedmodel
{
  StrataFormat parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (StrataFormatTfSavedmodel, strata_format_tf_savedmodel, STRATA_TYPE_FORMAT)

static char *
local_path (GFile *file, GError **error)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      /* Translators: the placeholder is a URI. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("“%s” is not a local file"), uri);
    }
  return path;
}

/* A folder with saved_model.pb, a checkpoint prefix (PREFIX.index), a
 * `checkpoint` file or a folder holding one. */
static int
strata_format_tf_savedmodel_probe (StrataFormat *format, GFile *file, GBytes *head)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *prefix = NULL;

  if (path == NULL)
    return 0;
  if (head == NULL)
    {
      g_autofree char *pb = g_build_filename (path, "saved_model.pb", NULL);
      g_autofree char *pbtxt = g_build_filename (path, "saved_model.pbtxt", NULL);

      if (g_file_test (pb, G_FILE_TEST_IS_REGULAR))
        return 95;
      if (g_file_test (pbtxt, G_FILE_TEST_IS_REGULAR))
        return 60;   /* load says that text SavedModels are not read */
    }
  prefix = tsm_checkpoint_resolve_prefix (path);
  return prefix != NULL ? 90 : 0;
}

static StrataModel *
strata_format_tf_savedmodel_load_model (StrataFormat *format, GFile *file, StrataLoadOptions *options,
                                        GCancellable *cancellable, GError **error)
{
  g_autofree char *path = local_path (file, error);

  if (path == NULL)
    return NULL;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the placeholder is a path. */
                   _("“%s” is a TensorFlow checkpoint, which holds weights but no model: load a "
                     "model and use load_weights"), path);
      return NULL;
    }
  return tsm_load_model (path, options, cancellable, error);
}

static StrataWeightsReport *
strata_format_tf_savedmodel_load_weights (StrataFormat *format, StrataModel *model, GFile *file,
                                          StrataLoadOptions *options, GCancellable *cancellable,
                                          GError **error)
{
  g_autofree char *path = local_path (file, error);

  return path != NULL ? tsm_load_weights (model, path, options, cancellable, error) : NULL;
}

static gboolean
strata_format_tf_savedmodel_save_model (StrataFormat *format, StrataModel *model, GFile *file,
                                        StrataSaveOptions *options, GCancellable *cancellable,
                                        GError **error)
{
  g_autofree char *path = local_path (file, error);
  /* tf-keras has no cuDNN layers. */
  g_autoptr(StrataModel) native = path != NULL ? strata_model_without_cudnn (model, error) : NULL;

  return native != NULL && tsm_save_model (native, path, options, cancellable, error);
}

static gboolean
strata_format_tf_savedmodel_save_weights (StrataFormat *format, StrataModel *model, GFile *file,
                                          StrataSaveOptions *options, GCancellable *cancellable,
                                          GError **error)
{
  g_autofree char *path = local_path (file, error);
  g_autoptr(StrataModel) native = path != NULL ? strata_model_without_cudnn (model, error) : NULL;

  return native != NULL && tsm_save_weights (native, path, options, cancellable, error);
}

static StrataContents *
strata_format_tf_savedmodel_inspect (StrataFormat *format, GFile *file, GCancellable *cancellable,
                                     GError **error)
{
  g_autofree char *path = local_path (file, error);

  return path != NULL ? tsm_inspect (path, cancellable, error) : NULL;
}

static void
strata_format_tf_savedmodel_class_init (StrataFormatTfSavedmodelClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = strata_format_tf_savedmodel_probe;
  format_class->load_model = strata_format_tf_savedmodel_load_model;
  format_class->load_weights = strata_format_tf_savedmodel_load_weights;
  format_class->save_model = strata_format_tf_savedmodel_save_model;
  format_class->save_weights = strata_format_tf_savedmodel_save_weights;
  format_class->inspect = strata_format_tf_savedmodel_inspect;
}

static void
strata_format_tf_savedmodel_class_finalize (StrataFormatTfSavedmodelClass *klass)
{
}

static void
strata_format_tf_savedmodel_init (StrataFormatTfSavedmodel *self)
{
}

static GType
tf_savedmodel_register_type (GTypeModule *module)
{
  strata_format_tf_savedmodel_register_type (module);
  return STRATA_TYPE_FORMAT_TF_SAVEDMODEL;
}

/* No extension: a SavedModel is a folder, a checkpoint a prefix; a save
 * to a name without a known extension uses this format, as tf-keras does. */
static const char * const tf_savedmodel_extensions[] = { NULL };
static const char * const tf_savedmodel_markers[] = { "saved_model.pb", "saved_model.pbtxt", "checkpoint", NULL };

static const StrataFormatDescriptor tf_savedmodel_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "tf-savedmodel",
  .description = N_("TensorFlow SavedModel folders and TF checkpoints (tf.keras, tf-keras)"),
  .extensions = tf_savedmodel_extensions,
  .mime_types = NULL,
  .magic = NULL,
  .n_magic = 0,
  .marker_files = tf_savedmodel_markers,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL |
                  STRATA_FORMAT_CAN_LOAD_WEIGHTS | STRATA_FORMAT_CAN_SAVE_WEIGHTS |
                  STRATA_FORMAT_HOLDS_WEIGHTS | STRATA_FORMAT_HOLDS_OPTIMIZER |
                  STRATA_FORMAT_IS_DIRECTORY | STRATA_FORMAT_WEIGHTS_PREFIX,
  .register_type = tf_savedmodel_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (tf_savedmodel_descriptor)
