/* strata.c: the command-line tool
 *
 * strata info FILE, strata convert IN OUT, strata formats,
 * strata dump --json FILE, strata predict MODEL INPUT.npy… -o OUT.npz,
 * strata diff [--json] A B.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "strata-json-private.h"
#include "strata-mapped-private.h"
#include "strata-format-metadata-private.h"
#include "strata-tool-diff.h"
#include "strata-tool-predict.h"
#include "strata-tool-progress.h"

#define EXIT_ERROR 1
/* `strata diff` exits as diff does: 0 same, 1 different, 2 trouble. */
#define EXIT_DIFF_DIFFERENT 1
#define EXIT_DIFF_ERROR 2

typedef struct
{
  gboolean  allow_unknown;
  gboolean  no_compile;
  char     *format;        /* output format (convert) */
  char     *keras;         /* Keras major version the output is for (convert) */
  char     *max_shard_size; /* largest shard of sharded weights (convert) */
  char     *input_format;  /* input format */
  char     *assume_backend; /* backend of files that record none */
  gboolean  json;
  gboolean  show_progress;
  gboolean  check;
  char     *describe;
  char     *output;        /* predict */
  gint64    batch_size;    /* predict */
} ToolOptions;

static void
tool_options_clear (ToolOptions *opts)
{
  g_clear_pointer (&opts->describe, g_free);
  g_clear_pointer (&opts->output, g_free);
  g_clear_pointer (&opts->format, g_free);
  g_clear_pointer (&opts->keras, g_free);
  g_clear_pointer (&opts->max_shard_size, g_free);
  g_clear_pointer (&opts->input_format, g_free);
  g_clear_pointer (&opts->assume_backend, g_free);
}

/* ---- helpers ------------------------------------------------------------- */

static int
fail (GError *error)
{
  g_printerr ("strata: %s\n", error->message);
  g_error_free (error);
  return EXIT_ERROR;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("strata: %s\n\n%s", message, help);
  return EXIT_ERROR;
}

static StrataLoadOptions *
make_load_options (ToolOptions *opts,
                   const char  *format)
{
  StrataLoadOptions *options = strata_load_options_new ();
  StrataLoadFlags flags = strata_load_options_get_flags (options);

  if (opts->allow_unknown)
    flags |= STRATA_LOAD_ALLOW_UNKNOWN;
  strata_load_options_set_flags (options, flags);
  strata_load_options_set_compile (options, !opts->no_compile);
  if (format != NULL)
    strata_load_options_set_format (options, format);
  strata_load_options_set_assume_backend (options, opts->assume_backend);
  if (opts->show_progress)
    strata_load_options_set_progress_func (options, strata_tool_progress_report, (gpointer) _("Loading"), NULL);
  return options;
}

/* Loads @path and tells which format read it. */
static StrataModel *
load (ToolOptions  *opts,
      const char   *path,
      const char  **format_name,
      GError      **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(StrataLoadOptions) options = NULL;
  StrataFormat *format;

  format = strata_formats_find_for_file (file, opts->input_format, STRATA_FORMAT_CAN_LOAD_MODEL,
                                         NULL, error);
  if (format == NULL)
    return NULL;
  *format_name = strata_format_get_name (format);
  options = make_load_options (opts, *format_name);
  return strata_load_model (file, options, NULL, error);
}

static void
add_common_load_entries (GOptionContext *context,
                         ToolOptions    *opts)
{
  const GOptionEntry entries[] = {
    { "allow-unknown", 0, 0, G_OPTION_ARG_NONE, &opts->allow_unknown,
      N_("Load unregistered classes and Lambda layers as opaque layers"), NULL },
    { "no-compile", 0, 0, G_OPTION_ARG_NONE, &opts->no_compile,
      N_("Drop the optimizer and training config"), NULL },
    { "input-format", 0, 0, G_OPTION_ARG_STRING, &opts->input_format,
      N_("Read the input with this format instead of guessing it"), N_("NAME") },
    { "assume-backend", 0, 0, G_OPTION_ARG_STRING, &opts->assume_backend,
      N_("Take a file that records no Keras backend (Keras 1) as written by this one, such as theano"),
      N_("NAME") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* ---- files without a Keras model -------------------------------------------- */

/* What @path holds when it holds no Keras model (a tf.Module SavedModel, a
 * TensorFlow 1 export, a TF checkpoint), or NULL. */
static StrataContents *
inspect_without_model (ToolOptions *opts,
                       const char  *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(StrataContents) contents = strata_inspect_file (file, opts->input_format, NULL, NULL);

  if (contents == NULL || strata_contents_get_has_keras_model (contents))
    return NULL;
  return g_steal_pointer (&contents);
}

static char *
spec_shape_string (StrataTensorSpec *spec)
{
  StrataShape *shape = strata_tensor_spec_get_shape (spec);

  return shape != NULL ? strata_shape_to_string (shape) : g_strdup (_("unknown rank"));
}

static void
print_specs (const char *label,
             GPtrArray  *specs)
{
  for (guint i = 0; i < specs->len; i++)
    {
      StrataTensorSpec *spec = g_ptr_array_index (specs, i);
      g_autofree char *shape = spec_shape_string (spec);

      g_print ("    %s %s: %s %s\n", label, strata_tensor_spec_get_name (spec),
               strata_tensor_spec_get_dtype (spec), shape);
    }
}

static void
print_contents (StrataContents *contents)
{
  const char * const *tags = strata_contents_get_tags (contents);
  GPtrArray *signatures = strata_contents_get_signatures (contents);
  GPtrArray *variables = strata_contents_get_variables (contents);

  /* Translators: %s is a format name. */
  g_print (_("Format: %s\n"), strata_contents_get_format_name (contents));
  if (strata_contents_get_kind (contents) != NULL)
    /* Translators: %s is a description of the value found. */
    g_print (_("Contents: %s (no Keras model)\n"), strata_contents_get_kind (contents));
  if (strata_contents_get_producer (contents) != NULL)
    /* Translators: the program that wrote the file, such as “Keras 3.15.0” */
    g_print (_("Written by: %s\n"), strata_contents_get_producer (contents));
  if (tags[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) tags);
      /* Translators: a list of SavedModel tags such as “serve” */
      g_print (_("Tags: %s\n"), joined);
    }
  /* Translators: a number of signatures */
  g_print (_("Signatures: %u\n"), signatures->len);
  for (guint i = 0; i < signatures->len; i++)
    {
      StrataSignature *signature = g_ptr_array_index (signatures, i);
      const char *method = strata_signature_get_method (signature);

      g_print ("  %s%s%s%s\n", strata_signature_get_name (signature), method != NULL ? " (" : "",
               method != NULL ? method : "", method != NULL ? ")" : "");
      print_specs (_("input"), strata_signature_get_inputs (signature));
      print_specs (_("output"), strata_signature_get_outputs (signature));
    }
  /* Translators: a number of variables */
  g_print (_("Variables: %u\n"), variables->len);
  for (guint i = 0; i < variables->len; i++)
    {
      StrataTensorSpec *spec = g_ptr_array_index (variables, i);
      g_autofree char *shape = spec_shape_string (spec);
      const char *sha = strata_tensor_spec_get_sha256 (spec);

      g_print ("  %s: %s %s sha256:%s\n", strata_tensor_spec_get_name (spec),
               strata_tensor_spec_get_dtype (spec), shape, sha != NULL ? sha : "-");
    }
}

static JsonNode *
specs_to_json (GPtrArray *specs)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < specs->len; i++)
    {
      StrataTensorSpec *spec = g_ptr_array_index (specs, i);
      StrataShape *shape = strata_tensor_spec_get_shape (spec);
      const char *sha = strata_tensor_spec_get_sha256 (spec);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "name", strata_tensor_spec_get_name (spec));
      json_object_set_string_member (object, "dtype", strata_tensor_spec_get_dtype (spec));
      if (shape != NULL)
        {
          JsonArray *dims = json_array_new ();

          for (guint d = 0; d < strata_shape_get_rank (shape); d++)
            json_array_add_int_element (dims, strata_shape_get_dim (shape, d));
          json_object_set_array_member (object, "shape", dims);
        }
      else
        json_object_set_null_member (object, "shape");
      if (sha != NULL)
        json_object_set_string_member (object, "sha256", sha);
      json_array_add_object_element (array, object);
    }
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
contents_to_json (StrataContents *contents)
{
  JsonObject *object = json_object_new ();
  JsonArray *tags = json_array_new ();
  JsonArray *signatures = json_array_new ();
  GPtrArray *sigs = strata_contents_get_signatures (contents);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  const char * const *t = strata_contents_get_tags (contents);

  json_object_set_string_member (object, "format", strata_contents_get_format_name (contents));
  json_object_set_string_member (object, "kind", strata_contents_get_kind (contents));
  json_object_set_string_member (object, "producer", strata_contents_get_producer (contents));
  json_object_set_boolean_member (object, "keras_model", strata_contents_get_has_keras_model (contents));
  for (guint i = 0; t[i] != NULL; i++)
    json_array_add_string_element (tags, t[i]);
  json_object_set_array_member (object, "tags", tags);
  for (guint i = 0; i < sigs->len; i++)
    {
      StrataSignature *signature = g_ptr_array_index (sigs, i);
      JsonObject *s = json_object_new ();

      json_object_set_string_member (s, "name", strata_signature_get_name (signature));
      json_object_set_string_member (s, "method", strata_signature_get_method (signature));
      json_object_set_member (s, "inputs", specs_to_json (strata_signature_get_inputs (signature)));
      json_object_set_member (s, "outputs", specs_to_json (strata_signature_get_outputs (signature)));
      json_array_add_object_element (signatures, s);
    }
  json_object_set_array_member (object, "signatures", signatures);
  json_object_set_member (object, "variables", specs_to_json (strata_contents_get_variables (contents)));
  json_node_take_object (node, object);
  return node;
}

/* ---- info ----------------------------------------------------------------- */

static int
cmd_info (ToolOptions *opts,
          int          argc,
          char       **argv)
{
  g_autoptr(StrataModel) model = NULL;
  g_autofree char *summary = NULL;
  const char *format_name = NULL;
  StrataOptimizer *optimizer;
  GError *error = NULL;

  model = load (opts, argv[0], &format_name, &error);
  if (model == NULL)
    {
      g_autoptr(StrataContents) contents = inspect_without_model (opts, argv[0]);

      if (contents == NULL)
        return fail (error);
      g_clear_error (&error);
      print_contents (contents);
      return 0;
    }

  summary = strata_model_summary (model);
  g_print ("%s", summary);
  if (summary[0] != '\0' && !g_str_has_suffix (summary, "\n"))
    g_print ("\n");
  /* Translators: %s is a format name. */
  g_print (_("Format: %s\n"), format_name);
  /* Translators: a Keras version such as 2.21.0, or “unknown” */
  g_print (_("Keras version: %s\n"),
           strata_model_get_keras_version (model) ? strata_model_get_keras_version (model) : _("unknown"));
  optimizer = strata_model_get_optimizer (model);
  if (optimizer != NULL)
    {
      GPtrArray *weights = strata_optimizer_get_weights (optimizer);
      /* Translators: an optimizer class name such as Adam, then a number of tensors */
      g_print (_("Optimizer: %s (%u state tensors)\n"),
               strata_optimizer_get_class_name (optimizer), weights != NULL ? weights->len : 0);
    }
  else
    g_print (_("Optimizer: none\n"));
  /* Translators: “yes” or “no” */
  g_print (_("Compiled: %s\n"), strata_model_is_compiled (model) ? _("yes") : _("no"));
  return 0;
}

/* ---- convert -------------------------------------------------------------- */

/* A size such as "500MB", "1.5GB" or "4096" (bytes). K, M, G and T are
 * powers of 1024, as the gigabytes of Keras's max_shard_size are; KB and
 * KiB say the same. */
static gboolean
parse_size (const char *text,
            guint64    *size)
{
  static const char *const units[] = { "", "K", "M", "G", "T" };
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);
  g_autofree char *unit = NULL;

  if (end == text || !isfinite (value) || value <= 0)
    return FALSE;
  unit = g_ascii_strup (end, -1);
  if (g_str_has_suffix (unit, "IB"))
    unit[strlen (unit) - 2] = '\0';
  else if (g_str_has_suffix (unit, "B"))
    unit[strlen (unit) - 1] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (unit, units[i]) && (i > 0 || end[0] == '\0' || g_ascii_strcasecmp (end, "B") == 0))
      {
        value = floor (value * pow (1024, i));
        if (value < 1 || value >= 18446744073709551616.0)
          return FALSE;
        *size = (guint64) value;
        return TRUE;
      }
  return FALSE;
}

static int
cmd_convert (ToolOptions *opts,
             int          argc,
             char       **argv)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GFile) out = g_file_new_for_commandline_arg (argv[1]);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  const char *format_name = NULL;
  GError *error = NULL;

  if (opts->keras != NULL)
    {
      if (g_strcmp0 (opts->keras, "2") != 0 && g_strcmp0 (opts->keras, "3") != 0)
        {
          /* Translators: %s is what the user gave to --keras. */
          g_printerr (_("strata: --keras takes 2 (tf-keras) or 3 (Keras 3), not “%s”\n"), opts->keras);
          return EXIT_ERROR;
        }
      strata_save_options_set_dialect (options, opts->keras[0] == '3' ? STRATA_KERAS_DIALECT_KERAS3
                                                                      : STRATA_KERAS_DIALECT_KERAS2);
    }
  if (opts->max_shard_size != NULL)
    {
      guint64 size = 0;

      if (!parse_size (opts->max_shard_size, &size))
        {
          /* Translators: %s is what the user gave to --max-shard-size. */
          g_printerr (_("strata: --max-shard-size takes a size such as 500MB, 2GB or a number of bytes, not “%s”\n"),
                      opts->max_shard_size);
          return EXIT_ERROR;
        }
      if (!g_str_has_suffix (argv[1], ".weights.json"))
        {
          /* Translators: %s is the output file the user gave. */
          g_printerr (_("strata: --max-shard-size writes sharded weights, to a name ending in .weights.json, not “%s”\n"),
                      argv[1]);
          return EXIT_ERROR;
        }
      strata_save_options_set_max_shard_size (options, size);
    }
  model = load (opts, argv[0], &format_name, &error);
  if (model == NULL)
    return fail (error);

  strata_save_options_set_overwrite (options, TRUE);
  if (opts->format != NULL)
    strata_save_options_set_format (options, opts->format);
  if (opts->show_progress)
    strata_save_options_set_progress_func (options, strata_tool_progress_report, (gpointer) _("Saving"), NULL);
  if (!strata_model_save (model, out, options, NULL, &error))
    return fail (error);
  return 0;
}

/* ---- predict -------------------------------------------------------------- */

static int
cmd_predict (ToolOptions *opts,
             int          argc,
             char       **argv)
{
  g_autoptr(StrataModel) model = NULL;
  const char *format_name = NULL;
  GError *error = NULL;

  if (opts->output == NULL)
    {
      g_printerr ("%s\n", _("strata: predict needs an output file: -o OUTPUT.npz"));
      return EXIT_ERROR;
    }
  model = load (opts, argv[0], &format_name, &error);
  if (model == NULL || !strata_tool_predict (model, argv + 1, argc - 1, opts->output, opts->batch_size,
                                             opts->show_progress, &error))
    return fail (error);
  return 0;
}

/* ---- diff ----------------------------------------------------------------- */

static int
cmd_diff (ToolOptions *opts,
          int          argc,
          char       **argv)
{
  g_autoptr(StrataModel) a = NULL;
  g_autoptr(StrataModel) b = NULL;
  g_autoptr(StrataModelDiff) diff = NULL;
  const char *format_name = NULL;
  GError *error = NULL;

  a = load (opts, argv[0], &format_name, &error);
  if (a != NULL)
    b = load (opts, argv[1], &format_name, &error);
  if (b != NULL)
    diff = strata_model_diff_new (a, b, NULL, &error);
  if (diff == NULL)
    {
      fail (error);
      return EXIT_DIFF_ERROR;
    }
  strata_tool_diff_print (diff, opts->json);
  return strata_model_diff_is_identical (diff) ? 0 : EXIT_DIFF_DIFFERENT;
}

/* ---- formats -------------------------------------------------------------- */

static void
print_capabilities (StrataFormatCapabilities caps)
{
  static const struct { StrataFormatCapabilities flag; const char *label; } labels[] = {
    { STRATA_FORMAT_CAN_LOAD_MODEL, N_("load model") },
    { STRATA_FORMAT_CAN_SAVE_MODEL, N_("save model") },
    { STRATA_FORMAT_CAN_LOAD_WEIGHTS, N_("load weights") },
    { STRATA_FORMAT_CAN_SAVE_WEIGHTS, N_("save weights") },
    { STRATA_FORMAT_IS_DIRECTORY, N_("directory") },
    { STRATA_FORMAT_FILE_OR_DIRECTORY, N_("file or directory") },
    { STRATA_FORMAT_WEIGHTS_PREFIX, N_("weights as a checkpoint prefix") },
    { STRATA_FORMAT_HOLDS_WEIGHTS, N_("holds weights") },
    { STRATA_FORMAT_HOLDS_OPTIMIZER, N_("holds optimizer") },
  };
  gboolean first = TRUE;

  g_print ("  %s ", _("Capabilities:"));
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (caps & labels[i].flag)
      {
        g_print ("%s%s", first ? "" : ", ", _(labels[i].label));
        first = FALSE;
      }
  g_print ("%s\n", first ? _("none") : "");
}

/* Prints the metadata file of the module at @path, read from the
 * module's descriptor: what the build installs beside the module. */
static int
describe_module (const char *path)
{
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
  gpointer symbol = NULL;
  const StrataFormatDescriptor *descriptor;
  g_autoptr(StrataFormatMetadata) metadata = NULL;
  g_autofree char *data = NULL;

  if (module == NULL)
    return fail (g_error_new (STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN, "%s", g_module_error ()));
  if (!g_module_symbol (module, STRATA_FORMAT_ENTRY_POINT, &symbol) || symbol == NULL ||
      (descriptor = ((StrataFormatQueryFunc) symbol) ()) == NULL)
    {
      g_module_close (module);
      /* TRANSLATORS: the first %s is a module's path, the second the name of a C function */
      return fail (g_error_new (STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                                /* Translators: a file name, then the name of a C function */
                                _("The module “%s” does not give a descriptor through %s"),
                                path, STRATA_FORMAT_ENTRY_POINT));
    }
  metadata = strata_format_metadata_new_from_descriptor (descriptor);
  data = strata_format_metadata_to_data (metadata);
  g_print ("%s", data);
  g_module_close (module);
  return 0;
}

static int
cmd_formats (ToolOptions *opts,
             int          argc,
             char       **argv)
{
  g_autoptr(GListModel) infos = NULL;
  guint n;

  if (opts->describe != NULL)
    return describe_module (opts->describe);

  infos = strata_formats_list ();
  n = g_list_model_get_n_items (infos);
  if (n == 0)
    {
      g_print (_("No format modules found.\n"));
      return 0;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (infos, i);
      g_autoptr(GError) error = NULL;

      if (i > 0)
        g_print ("\n");
      /* The details come from the metadata files; only --check loads. */
      if (!strata_format_info_has_details (info, &error) ||
          (opts->check && !strata_format_info_is_available (info, &error)))
        {
          g_print ("%s\n", strata_format_info_get_name (info));
          g_print ("  %s %s\n", _("Module:"), strata_format_info_get_module_path (info));
          g_print ("  %s %s\n", _("Error:"), error->message);
          continue;
        }
      g_print ("%s — %s\n", strata_format_info_get_name (info),
               strata_format_info_get_description (info) ? strata_format_info_get_description (info) : "");
      {
        const char * const *exts = strata_format_info_get_extensions (info);
        g_print ("  %s", _("Extensions:"));
        for (guint e = 0; exts[e] != NULL; e++)
          g_print (" .%s", exts[e]);
        g_print ("\n");
      }
      print_capabilities (strata_format_info_get_capabilities (info));
      g_print ("  %s %s\n", _("Module:"), strata_format_info_get_module_path (info));
    }
  return 0;
}

/* ---- dump ------------------------------------------------------------------ */

static JsonNode *
tensor_to_json (StrataTensor *tensor,
                const char   *name)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  StrataShape *shape = strata_tensor_get_shape (tensor);
  g_autofree char *sha = strata_tensor_get_sha256 (tensor);
  guint rank = strata_shape_get_rank (shape);

  /* Each weight is read once: a model larger than memory streams. */
  strata_tensor_release_pages (tensor);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "dtype");
  json_builder_add_string_value (builder, strata_dtype_to_string (strata_tensor_get_dtype (tensor)));
  json_builder_set_member_name (builder, "shape");
  json_builder_begin_array (builder);
  for (guint d = 0; d < rank; d++)
    json_builder_add_int_value (builder, strata_shape_get_dim (shape, d));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "sha256");
  if (sha != NULL)
    json_builder_add_string_value (builder, sha);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
object_or_null (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_NULL);

  if (object != NULL)
    json_node_init_object (node, object);
  return node;
}

static JsonNode *
layer_to_json (StrataLayer *layer)
{
  JsonObject *object = json_object_new ();
  JsonArray *weights = json_array_new ();
  g_autoptr(GPtrArray) tensors = strata_layer_get_weights (layer);
  g_auto(GStrv) names = strata_layer_get_weight_names (layer);
  g_autoptr(JsonObject) config = strata_layer_get_config (layer);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  guint n_names = names != NULL ? g_strv_length (names) : 0;

  json_object_set_string_member (object, "name", strata_layer_get_name (layer));
  json_object_set_string_member (object, "class_name", strata_layer_get_class_name (layer));
  json_object_set_member (object, "config", object_or_null (config));
  for (guint i = 0; tensors != NULL && i < tensors->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (tensors, i);
      const char *name = i < n_names ? names[i] : strata_tensor_get_name (tensor);

      json_array_add_element (weights, tensor_to_json (tensor, name != NULL ? name : ""));
    }
  json_object_set_array_member (object, "weights", weights);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
optimizer_to_json (StrataOptimizer *optimizer)
{
  JsonObject *object;
  JsonArray *weights;
  GPtrArray *tensors;
  JsonNode *node;

  if (optimizer == NULL)
    return json_node_new (JSON_NODE_NULL);

  object = json_object_new ();
  weights = json_array_new ();
  tensors = strata_optimizer_get_weights (optimizer);
  json_object_set_string_member (object, "class_name", strata_optimizer_get_class_name (optimizer));
  json_object_set_member (object, "config", object_or_null (strata_optimizer_get_config (optimizer)));
  for (guint i = 0; tensors != NULL && i < tensors->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (tensors, i);
      const char *name = strata_tensor_get_name (tensor);

      json_array_add_element (weights, tensor_to_json (tensor, name != NULL ? name : ""));
    }
  json_object_set_array_member (object, "weights", weights);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static int
cmd_dump (ToolOptions *opts,
          int          argc,
          char       **argv)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *format_name = NULL;
  const char *keras_version;
  JsonObject *object;
  JsonArray *layers;
  guint n;
  GError *error = NULL;

  model = load (opts, argv[0], &format_name, &error);
  if (model == NULL)
    {
      g_autoptr(StrataContents) contents = inspect_without_model (opts, argv[0]);

      if (contents == NULL)
        return fail (error);
      g_clear_error (&error);
      root = contents_to_json (contents);
      text = strata_json_to_string (root, FALSE);
      g_print ("%s\n", text);
      return 0;
    }

  object = json_object_new ();
  json_object_set_string_member (object, "format", format_name);
  json_object_set_string_member (object, "model_class", strata_layer_get_class_name (STRATA_LAYER (model)));
  keras_version = strata_model_get_keras_version (model);
  if (keras_version != NULL)
    json_object_set_string_member (object, "keras_version", keras_version);
  else
    json_object_set_null_member (object, "keras_version");

  layers = json_array_new ();
  n = strata_model_get_n_layers (model);
  for (guint i = 0; i < n; i++)
    {
      /* Hashing reads every weight byte: the long part on big models. */
      json_array_add_element (layers, layer_to_json (strata_model_get_layer_at (model, i)));
      if (opts->show_progress)
        strata_tool_progress_report ((double) (i + 1) / n, NULL, (gpointer) _("Hashing weights"));
    }
  json_object_set_array_member (object, "layers", layers);
  json_object_set_member (object, "optimizer", optimizer_to_json (strata_model_get_optimizer (model)));
  json_object_set_member (object, "training_config",
                          object_or_null (strata_model_get_training_config (model)));

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, object);
  text = strata_json_to_string (root, FALSE);
  g_print ("%s\n", text);
  return 0;
}

/* ---- main ------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *parameters;
  const char *summary;
  int         n_args;
  gboolean    load_entries;
  int       (*run) (ToolOptions *opts, int argc, char **argv);
} Command;

static const Command commands[] = {
  { "info", N_("FILE"), N_("Show a model's summary, format, Keras version and optimizer"), 1, TRUE, cmd_info },
  { "convert", N_("INPUT OUTPUT"), N_("Convert a model from one file format to another"), 2, TRUE, cmd_convert },
  { "formats", "", N_("List the format modules and their capabilities"), 0, FALSE, cmd_formats },
  { "dump", N_("FILE"), N_("Print a model's layers, configs and weight digests as one JSON object"), 1, TRUE, cmd_dump },
  /* n_args -2: at least two. */
  { "predict", N_("MODEL INPUT.npy…"), N_("Run a model on NumPy arrays and write its outputs as an .npz archive"),
    -2, TRUE, cmd_predict },
  { "diff", N_("A B"), N_("Compare two models: layers added, removed or changed, and how much each weight differs"),
    2, TRUE, cmd_diff },
};

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append_printf (text, "\n%s", _("Run “strata COMMAND --help” for the options of a command."));
  return g_string_free (text, FALSE);
}

static int
run_command (const Command *command,
             int            argc,
             char         **argv)
{
  ToolOptions opts = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *prgname = g_strdup_printf ("strata %s", command->name);
  GError *error = NULL;
  int usage_status = EXIT_ERROR;
  int status;

  /* Usage reads "strata COMMAND [OPTION…] ARGUMENTS". */
  g_set_prgname (prgname);
  context = g_option_context_new (command->parameters[0] ? _(command->parameters) : NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
  if (command->load_entries)
    add_common_load_entries (context, &opts);
  if (command->run == cmd_convert)
    {
      const GOptionEntry entries[] = {
        { "format", 'f', 0, G_OPTION_ARG_STRING, &opts.format,
          N_("Write the output in this format instead of the one its extension names"), N_("NAME") },
        { "keras", 0, 0, G_OPTION_ARG_STRING, &opts.keras,
          N_("Write the model for this Keras: 2 (tf-keras) or 3 (Keras 3); by default, .keras and "
             ".weights.h5 files are for Keras 3, HDF5 files for tf-keras, JSON configs for the Keras "
             "the model came from"), N_("2|3") },
        { "max-shard-size", 0, 0, G_OPTION_ARG_STRING, &opts.max_shard_size,
          N_("Write Keras 3 sharded weights (OUTPUT.weights.json and its shards), each shard at most "
             "SIZE: 500MB, 2GB (powers of 1024, as Keras's max_shard_size) or bytes"), N_("SIZE") },
        { NULL }
      };
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    }
  if (command->run == cmd_formats)
    {
      const GOptionEntry entries[] = {
        { "check", 0, 0, G_OPTION_ARG_NONE, &opts.check,
          N_("Load each module and report the ones that fail (listing alone loads none)"), NULL },
        { "describe", 0, 0, G_OPTION_ARG_FILENAME, &opts.describe,
          N_("Print the metadata file of the format module MODULE, read from the module itself"),
          N_("MODULE") },
        { NULL }
      };
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    }
  if (command->run == cmd_predict)
    {
      const GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opts.output,
          N_("Write the outputs to this .npz archive, as output_0, output_1, … in the model's output order"),
          N_("OUTPUT.npz") },
        { "batch-size", 0, 0, G_OPTION_ARG_INT64, &opts.batch_size,
          N_("Run the inputs N rows at a time (default: all at once)"), N_("N") },
        { NULL }
      };
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    }
  if (command->run == cmd_dump)
    {
      const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, N_("Print JSON (the only output format)"), NULL },
        { NULL }
      };
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    }
  if (command->run == cmd_diff)
    {
      const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, N_("Print the differences as one JSON object"), NULL },
        { NULL }
      };
      g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
      usage_status = EXIT_DIFF_ERROR;
    }

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      usage_error (context, error->message);
      g_error_free (error);
      tool_options_clear (&opts);
      return usage_status;
    }
  /* argv[0] is the command name. */
  if (command->n_args < 0 ? argc - 1 < -command->n_args : argc - 1 != command->n_args)
    {
      int n = ABS (command->n_args);
      g_autofree char *message = NULL;

      if (command->n_args < 0)
        /* Translators: a command name such as “convert”, the least number of arguments it
         * takes, then the number given */
        message = g_strdup_printf (ngettext ("“%s” takes at least %d argument, %d given",
                                             "“%s” takes at least %d arguments, %d given", n),
                                   command->name, n, argc - 1);
      else
        /* Translators: a command name such as “convert”, the number of arguments it takes,
         * then the number given */
        message = g_strdup_printf (ngettext ("“%s” takes %d argument, %d given",
                                             "“%s” takes %d arguments, %d given", n),
                                   command->name, n, argc - 1);
      tool_options_clear (&opts);
      usage_error (context, message);
      return usage_status;
    }
  opts.show_progress = strata_tool_progress_enabled () &&
                       (command->run == cmd_convert || command->run == cmd_dump || command->run == cmd_predict ||
                        command->run == cmd_diff);
  status = command->run (&opts, argc - 1, argv + 1);
  tool_options_clear (&opts);
  return status;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *description = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  GError *error = NULL;

  setlocale (LC_ALL, "");
  g_set_prgname ("strata");
  strata_tool_progress_start ();
  textdomain (GETTEXT_PACKAGE);

  /* The command is the first argument; everything after it belongs to it. */
  if (argc >= 2 && argv[1][0] != '-')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
        if (strcmp (argv[1], commands[i].name) == 0)
          return run_command (&commands[i], argc - 1, argv + 1);
    }

  context = g_option_context_new (_("COMMAND [OPTION…] [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Inspect and convert Keras model files."));
  description = commands_description ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Stop at the first non-option so "strata bogus" is reported below. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int status = usage_error (context, error->message);
      g_error_free (error);
      return status;
    }
  if (version)
    {
      g_print ("strata %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc < 2)
    return usage_error (context, _("No command given"));
  {
    /* Translators: the command name given */
    g_autofree char *message = g_strdup_printf (_("Unknown command “%s”"), argv[1]);
    return usage_error (context, message);
  }
}
