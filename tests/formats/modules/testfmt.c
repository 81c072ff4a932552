/* testfmt.c: a format module for the tests of the loader, sniffing and
 * atomic saving.
 *
 * A model file is three lines: "STRATA-TEST", the model's to_json text, and
 * the training config (JSON or "null"). A weights file is the line
 * "STRATA-TEST-WEIGHTS" and the number of weights.
 *
 * Tests steer a save through object data on the options:
 * "strata-test-mode" = "fail" (write half, then fail), "block" (write half,
 * then wait for cancellation), "slow" (report progress in steps).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "test-module.h"

#define MODEL_MAGIC "STRATA-TEST\n"
#define WEIGHTS_MAGIC "STRATA-TEST-WEIGHTS\n"

TEST_MODULE_DEFINE_TYPE (TestFormat, test_format, TEST, FORMAT, StrataFormat, STRATA_TYPE_FORMAT)

static gboolean
write_file (GFile         *file,
            const char    *text,
            gpointer       options,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;
  const char *mode = test_module_mode (options);
  gsize length = strlen (text);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (g_strcmp0 (mode, "fail") == 0 || g_strcmp0 (mode, "block") == 0)
    {
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, length / 2, NULL,
                                      cancellable, error) ||
          !g_output_stream_flush (G_OUTPUT_STREAM (stream), cancellable, error))
        return FALSE;
      if (g_strcmp0 (mode, "fail") == 0)
        return test_module_fail_halfway (error);
      /* Signal the test that the temporary exists, then wait. */
      g_object_set_data (G_OBJECT (options), "strata-test-halfway", GINT_TO_POINTER (1));
      for (int i = 0; i < 10000 && !g_cancellable_is_cancelled (cancellable); i++)
        g_usleep (1000);
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "never cancelled");
      return FALSE;
    }

  if (g_strcmp0 (mode, "slow") == 0)
    for (int step = 1; step < 5; step++)
      {
        STRATA_IS_SAVE_OPTIONS (options)
          ? strata_save_options_report_progress (options, step / 5.0, "writing")
          : strata_load_options_report_progress (options, step / 5.0, "reading");
        g_usleep (2000);
      }
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, length, NULL, cancellable, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

static int
test_format_probe (StrataFormat *format,
                   GFile        *file,
                   GBytes       *head)
{
  gsize size;
  const char *data;

  if (head == NULL)
    return 0;
  data = g_bytes_get_data (head, &size);
  if ((size >= strlen (MODEL_MAGIC) && memcmp (data, MODEL_MAGIC, strlen (MODEL_MAGIC)) == 0) ||
      (size >= strlen (WEIGHTS_MAGIC) && memcmp (data, WEIGHTS_MAGIC, strlen (WEIGHTS_MAGIC)) == 0))
    return 90;
  return 0;
}

static StrataModel *
test_format_load_model (StrataFormat       *format,
                        GFile              *file,
                        StrataLoadOptions  *options,
                        GCancellable       *cancellable,
                        GError            **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(JsonNode) training = NULL;
  gsize length;

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, error))
    return NULL;
  if (!g_str_has_prefix (contents, MODEL_MAGIC))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   "“%s” is not a test model file", g_file_peek_path (file));
      return NULL;
    }
  lines = g_strsplit (contents, "\n", 4);
  if (g_strv_length (lines) < 3)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   "“%s” is truncated", g_file_peek_path (file));
      return NULL;
    }
  strata_load_options_report_progress (options, 0.5, "parsing");
  model = strata_model_from_json (lines[1], -1, strata_load_options_get_registry (options),
                                  strata_load_options_get_flags (options), error);
  if (model == NULL)
    return NULL;
  training = json_from_string (lines[2], error);
  if (training == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (training))
    strata_model_set_training_config (model, json_node_get_object (training));
  return g_steal_pointer (&model);
}

static gboolean
test_format_save_model (StrataFormat       *format,
                        StrataModel        *model,
                        GFile              *file,
                        StrataSaveOptions  *options,
                        GCancellable       *cancellable,
                        GError            **error)
{
  g_autofree char *json = strata_model_to_json (model, strata_save_options_get_dialect (options), FALSE);
  g_autofree char *training = NULL;
  g_autofree char *text = NULL;
  JsonObject *config = strata_model_get_training_config (model);

  if (config != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, config);
      training = json_to_string (node, FALSE);
    }
  text = g_strconcat (MODEL_MAGIC, json, "\n", training ? training : "null", "\n", NULL);
  return write_file (file, text, options, cancellable, error);
}

static StrataWeightsReport *
test_format_load_weights (StrataFormat       *format,
                          StrataModel        *model,
                          GFile              *file,
                          StrataLoadOptions  *options,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  guint64 count;

  if (!g_file_load_contents (file, cancellable, &contents, NULL, NULL, error))
    return NULL;
  if (!g_str_has_prefix (contents, WEIGHTS_MAGIC) ||
      !g_ascii_string_to_unsigned (g_strstrip (contents + strlen (WEIGHTS_MAGIC)), 10, 0,
                                   G_MAXUINT, &count, NULL))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   "“%s” is not a test weights file", g_file_peek_path (file));
      return NULL;
    }
  if (count != strata_layer_get_n_weights (STRATA_LAYER (model)))
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   "“%s” holds %" G_GUINT64_FORMAT " weights, the model has %u",
                   g_file_peek_path (file), count, strata_layer_get_n_weights (STRATA_LAYER (model)));
      return NULL;
    }
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    strata_weights_report_add_matched (report,
                                       strata_layer_get_name (strata_model_get_layer_at (model, i)));
  return g_steal_pointer (&report);
}

static gboolean
test_format_save_weights (StrataFormat       *format,
                          StrataModel        *model,
                          GFile              *file,
                          StrataSaveOptions  *options,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autofree char *text = g_strdup_printf ("%s%u\n", WEIGHTS_MAGIC,
                                           strata_layer_get_n_weights (STRATA_LAYER (model)));

  return write_file (file, text, options, cancellable, error);
}

static void
test_format_class_init (TestFormatClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = test_format_probe;
  format_class->load_model = test_format_load_model;
  format_class->save_model = test_format_save_model;
  format_class->load_weights = test_format_load_weights;
  format_class->save_weights = test_format_save_weights;
}

static const char * const testfmt_extensions[] = { "stt", NULL };
static const StrataMagic testfmt_magic[] = {
  { 0, MODEL_MAGIC, sizeof MODEL_MAGIC - 1 },
  { 0, WEIGHTS_MAGIC, sizeof WEIGHTS_MAGIC - 1 },
};

static const StrataFormatDescriptor testfmt_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "testfmt",
  .description = "Test format",
  .extensions = testfmt_extensions,
  .magic = testfmt_magic,
  .n_magic = G_N_ELEMENTS (testfmt_magic),
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL |
                  STRATA_FORMAT_CAN_LOAD_WEIGHTS | STRATA_FORMAT_CAN_SAVE_WEIGHTS |
                  STRATA_FORMAT_HOLDS_WEIGHTS,
  .register_type = test_format_register,
};

STRATA_FORMAT_DEFINE_MODULE (testfmt_descriptor)
