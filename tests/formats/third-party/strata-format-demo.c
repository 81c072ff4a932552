/* strata-format-demo.c: a format module written outside Strata's tree,
 * against the installed headers only (pkg-config strata-1.0).
 *
 * A demo file is one JSON object: {"demo_format": 1, "model": CONFIG},
 * where CONFIG is the model's Keras config. It keeps the architecture only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <strata/strata.h>
#include <strata/strata-plugin.h>

#define DEMO_MAGIC "{\"demo_format\": 1"

#define DEMO_TYPE_FORMAT (demo_format_get_type ())
G_DECLARE_FINAL_TYPE (DemoFormat, demo_format, DEMO, FORMAT, StrataFormat)

struct _DemoFormat
{
  StrataFormat parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (DemoFormat, demo_format, STRATA_TYPE_FORMAT)

static int
demo_format_probe (StrataFormat *format,
                   GFile        *file,
                   GBytes       *head)
{
  gsize size;
  const char *data;

  if (head == NULL)
    return 0;
  data = g_bytes_get_data (head, &size);
  return size >= strlen (DEMO_MAGIC) && memcmp (data, DEMO_MAGIC, strlen (DEMO_MAGIC)) == 0 ? 95 : 0;
}

static StrataModel *
demo_format_load_model (StrataFormat       *format,
                        GFile              *file,
                        StrataLoadOptions  *options,
                        GCancellable       *cancellable,
                        GError            **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gsize length;

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, error))
    return NULL;
  root = json_from_string (contents, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member ((object = json_node_get_object (root)), "model") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "model")))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   "“%s” has no \"model\" object", g_file_peek_path (file));
      return NULL;
    }
  return strata_model_from_config (json_object_get_object_member (object, "model"),
                                   strata_load_options_get_registry (options),
                                   strata_load_options_get_flags (options), error);
}

static gboolean
demo_format_save_model (StrataFormat       *format,
                        StrataModel        *model,
                        GFile              *file,
                        StrataSaveOptions  *options,
                        GCancellable       *cancellable,
                        GError            **error)
{
  JsonObject *config = strata_model_to_config_object (model, strata_save_options_get_dialect (options));
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_object_set_int_member (object, "demo_format", 1);
  json_object_set_object_member (object, "model", config);
  json_node_take_object (root, object);
  /* json-glib writes {"demo_format":1,...}: put the magic in Keras' spacing. */
  text = json_to_string (root, FALSE);
  if (!g_str_has_prefix (text, "{\"demo_format\":1"))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   "unexpected JSON output");
      return FALSE;
    }
  {
    g_autofree char *spaced = g_strconcat (DEMO_MAGIC, text + strlen ("{\"demo_format\":1"), NULL);
    return g_file_replace_contents (file, spaced, strlen (spaced), NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, cancellable, error);
  }
}

static void
demo_format_class_init (DemoFormatClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = demo_format_probe;
  format_class->load_model = demo_format_load_model;
  format_class->save_model = demo_format_save_model;
}

static void
demo_format_class_finalize (DemoFormatClass *klass)
{
}

static void
demo_format_init (DemoFormat *self)
{
}

static GType
demo_register_type (GTypeModule *module)
{
  demo_format_register_type (module);
  return DEMO_TYPE_FORMAT;
}

static const char * const demo_extensions[] = { "demo", NULL };
static const StrataMagic demo_magic[] = {
  { 0, DEMO_MAGIC, sizeof DEMO_MAGIC - 1 },
};

static const StrataFormatDescriptor demo_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "demo",
  .description = "Demo format from a third-party module",
  .extensions = demo_extensions,
  .magic = demo_magic,
  .n_magic = G_N_ELEMENTS (demo_magic),
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL,
  .register_type = demo_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (demo_descriptor)
