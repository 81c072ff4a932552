/* strata-format-json-config.c: the json-config format module
 *
 * Keras model configs as written by `model.to_json()` and read by
 * `model_from_json()`: the architecture only, no weights.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"
#include "strata-plugin.h"
#include "strata-i18n-private.h"
#include "json-config-io.h"
#include "strata-model-cudnn-private.h"

#define STRATA_TYPE_FORMAT_JSON_CONFIG (strata_format_json_config_get_type ())
G_DECLARE_FINAL_TYPE (StrataFormatJsonConfig, strata_format_json_config,
                      STRATA, FORMAT_JSON_CONFIG, StrataFormat)

struct _StrataFormatJsonConfig
{
  StrataFormat parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (StrataFormatJsonConfig, strata_format_json_config, STRATA_TYPE_FORMAT)

static char *
local_path (GFile   *file,
            GError **error)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is not a local file"), uri);
    }
  return path;
}

static int
strata_format_json_config_probe (StrataFormat *format,
                                 GFile        *file,
                                 GBytes       *head)
{
  gsize length;
  const guint8 *data;

  if (head == NULL)
    return 0;
  data = g_bytes_get_data (head, &length);
  return json_config_probe (data, length);
}

static StrataModel *
strata_format_json_config_load_model (StrataFormat       *format,
                                      GFile              *file,
                                      StrataLoadOptions  *options,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  g_autofree char *path = local_path (file, error);
  g_autofree char *contents = NULL;
  gsize length;
  StrataModel *model;

  if (path == NULL)
    return NULL;
  strata_load_options_report_progress (options, 0.0, _("Reading the model config"));
  if (!json_config_read_file (path, &contents, &length, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  strata_load_options_report_progress (options, 0.5, _("Building the model"));
  model = strata_model_from_json (contents, length, strata_load_options_get_registry (options),
                                  strata_load_options_get_flags (options), error);
  if (model == NULL)
    {
      g_prefix_error (error, _("In “%s”: "), path);
      return NULL;
    }
  return model;
}

static gboolean
strata_format_json_config_save_model (StrataFormat       *format,
                                      StrataModel        *model,
                                      GFile              *file,
                                      StrataSaveOptions  *options,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  g_autofree char *path = local_path (file, error);
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(StrataModel) native = NULL;
  /* A to_json() file is read by model_from_json() of the Keras that wrote
   * it: the model's own dialect unless another is asked for. */
  StrataKerasDialect dialect = strata_save_options_resolve_dialect (options, strata_model_get_dialect (model));

  if (path == NULL)
    return FALSE;

  /* Neither tf-keras nor Keras 3 has cuDNN layers. */
  native = strata_model_without_cudnn (model, error);
  if (native == NULL)
    return FALSE;
  strata_save_options_report_progress (options, 0.0, _("Writing the model config"));
  config = strata_model_to_config_object_full (native, dialect, STRATA_CONFIG_STYLE_MODEL_JSON, error);
  if (config == NULL)
    return FALSE;
  root = json_node_init_object (json_node_alloc (), config);
  text = strata_json_to_string (root, FALSE);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return json_config_write_file (path, text, error);
}

static void
strata_format_json_config_class_init (StrataFormatJsonConfigClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = strata_format_json_config_probe;
  format_class->load_model = strata_format_json_config_load_model;
  format_class->save_model = strata_format_json_config_save_model;
}

static void
strata_format_json_config_class_finalize (StrataFormatJsonConfigClass *klass)
{
}

static void
strata_format_json_config_init (StrataFormatJsonConfig *self)
{
}

static GType
json_config_register_type (GTypeModule *module)
{
  strata_format_json_config_register_type (module);
  return STRATA_TYPE_FORMAT_JSON_CONFIG;
}

static const char * const json_config_extensions[] = { "json", NULL };
static const char * const json_config_mime_types[] = { "application/json", NULL };

static const StrataFormatDescriptor json_config_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "json-config",
  .description = N_("Keras model config in JSON (to_json), architecture only"),
  .extensions = json_config_extensions,
  .mime_types = json_config_mime_types,
  .magic = NULL,
  .n_magic = 0,
  .marker_files = NULL,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL,
  .register_type = json_config_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (json_config_descriptor)
