/* test-cli.c: the strata tool, spawned as users run it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "keras-archive.h"
#include "test-utils.h"

static char *tmp_dir;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs @argv with the test modules in the tool's search path. */
static void
run_tool_argv (Run         *run,
               const char **argv)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = g_strconcat (TEST_MODULES_DIR, ":", g_environ_getenv (envp, "STRATA_FORMAT_PATH"), NULL);
  envp = g_environ_setenv (envp, "STRATA_FORMAT_PATH", path, TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", "C", TRUE);

  memset (run, 0, sizeof *run);
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", run->out, run->err);
}

/* Runs the tool with the given arguments (NULL-terminated). */
static void
run_tool (Run *run,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) STRATA_TOOL_PATH);
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_tool_argv (run, (const char **) argv->pdata);
}

static int
exit_status (Run *run)
{
  g_assert_true (WIFEXITED (run->status));
  return WEXITSTATUS (run->status);
}

static char *
fixture (const char *name)
{
  g_autofree char *relative = g_build_filename ("fixtures", "generated", name, NULL);
  return strata_test_src_path (relative);
}

static void
test_formats (void)
{
  g_auto(Run) run;
  g_auto(Run) checked;
  g_auto(Run) described;
  g_autofree char *module = g_build_filename (TEST_MODULES_DIR, "libstrata-format-testfmt." G_MODULE_SUFFIX, NULL);
  g_autofree char *sidecar = g_build_filename (TEST_MODULES_DIR, "libstrata-format-testfmt.format", NULL);
  g_autofree char *expected = NULL;

  run_tool (&run, "formats", NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  /* The working modules with their details... */
  g_assert_nonnull (strstr (run.out, "json-config — "));
  g_assert_nonnull (strstr (run.out, ".json"));
  g_assert_nonnull (strstr (run.out, "load model, save model"));
  g_assert_nonnull (strstr (run.out, "testfmt — Test format"));
  /* ...the ones whose metadata file is broken with their errors... */
  g_assert_nonnull (strstr (run.out, "badabi\n"));
  g_assert_nonnull (strstr (run.out, "ABI version 99"));
  /* ...and, since listing loads nothing, a module without its entry point
   * with the details of its metadata file. */
  g_assert_nonnull (strstr (run.out, "noentry — "));
  g_assert_null (strstr (run.out, "strata_format_module_query_v1"));
  g_assert_cmpstr (run.err, ==, "");

  /* --check loads every module. */
  run_tool (&checked, "formats", "--check", NULL);
  g_assert_cmpint (exit_status (&checked), ==, 0);
  g_assert_nonnull (strstr (checked.out, "noentry\n"));
  g_assert_nonnull (strstr (checked.out, "strata_format_module_query_v1"));
  g_assert_nonnull (strstr (checked.out, "testfmt — Test format"));

  /* --describe writes what the build installs beside a module. */
  run_tool (&described, "formats", "--describe", module, NULL);
  g_assert_cmpint (exit_status (&described), ==, 0);
  g_assert_true (g_file_get_contents (sidecar, &expected, NULL, NULL));
  g_assert_cmpstr (described.out, ==, expected);
}

static void
test_info (void)
{
  g_autofree char *path = fixture ("tf_keras/sequential_dense.config.json");
  g_auto(Run) run;

  run_tool (&run, "info", path, NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  g_assert_nonnull (strstr (run.out, "Format: json-config\n"));
  g_assert_nonnull (strstr (run.out, "Keras version: 2.21.0\n"));
  g_assert_nonnull (strstr (run.out, "Optimizer: none\n"));
  /* The summary names the layers. */
  g_assert_nonnull (strstr (run.out, "hidden"));
}

/* An unzipped .keras folder and a renamed archive, without --input-format;
 * a zip that is not one fails with a message naming it. */
static void
test_info_keras (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "keras-info", NULL);
  g_autofree char *unzipped = g_build_filename (dir, "unzipped", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.zip", NULL);
  g_autofree char *archive = NULL;
  g_autofree char *renamed = NULL;
  g_autoptr(StrataModel) saved = NULL;
  static const char *const plain_members[] = { "readme.txt", "hello", NULL };
  g_auto(Run) from_dir;
  g_auto(Run) from_renamed;
  g_auto(Run) from_plain;

  g_assert_no_errno (g_mkdir (dir, 0700));
  archive = keras_archive_save (dir, "model.keras", &saved);
  if (archive == NULL)
    {
      g_rmdir (dir);
      return;
    }
  keras_archive_unzip (archive, unzipped);
  renamed = g_build_filename (dir, "model.data", NULL);
  g_assert_no_errno (g_rename (archive, renamed));
  keras_archive_write_zip (plain, plain_members);

  run_tool (&from_dir, "info", unzipped, NULL);
  g_assert_cmpint (exit_status (&from_dir), ==, 0);
  g_assert_nonnull (strstr (from_dir.out, "Format: keras-v3\n"));
  g_assert_nonnull (strstr (from_dir.out, strata_layer_get_name (STRATA_LAYER (saved))));

  run_tool (&from_renamed, "info", renamed, NULL);
  g_assert_cmpint (exit_status (&from_renamed), ==, 0);
  g_assert_nonnull (strstr (from_renamed.out, "Format: keras-v3\n"));

  run_tool (&from_plain, "info", plain, NULL);
  g_assert_cmpint (exit_status (&from_plain), ==, 1);
  g_assert_nonnull (strstr (from_plain.err, plain));
  g_assert_nonnull (strstr (from_plain.err, "“keras-v3”"));

  keras_archive_remove_dir (unzipped);
  keras_archive_remove_dir (dir);
}

static void
check_weight (JsonNode *node)
{
  JsonObject *weight = json_node_get_object (node);
  const char *sha = json_object_get_string_member (weight, "sha256");

  g_assert_nonnull (json_object_get_string_member (weight, "name"));
  g_assert_nonnull (json_object_get_string_member (weight, "dtype"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (weight, "shape")));
  g_assert_cmpuint (strlen (sha), ==, 64);
}

static void
test_dump (void)
{
  g_autofree char *path = fixture ("tf_keras/sequential_dense.config.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataModel) model = NULL;
  g_auto(Run) run;
  JsonObject *root;
  JsonArray *layers;
  guint n_weights = 0;

  run_tool (&run, "dump", "--json", path, NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  /* Exactly one JSON object, on one line. */
  g_assert_true (g_str_has_suffix (run.out, "}\n"));
  g_assert_true (strchr (run.out, '\n') == run.out + strlen (run.out) - 1);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "json-config");
  g_assert_cmpstr (json_object_get_string_member (root, "model_class"), ==, "Sequential");
  g_assert_cmpstr (json_object_get_string_member (root, "keras_version"), ==, "2.21.0");
  g_assert_true (json_object_get_null_member (root, "optimizer"));
  g_assert_true (json_object_get_null_member (root, "training_config"));

  /* Layers in Keras order, as the library gives them. */
  model = strata_load_model (file, NULL, NULL, &error);
  g_assert_no_error (error);
  layers = json_object_get_array_member (root, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, strata_model_get_n_layers (model));
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      StrataLayer *expected = strata_model_get_layer_at (model, i);
      JsonArray *weights = json_object_get_array_member (layer, "weights");

      g_assert_cmpstr (json_object_get_string_member (layer, "name"), ==, strata_layer_get_name (expected));
      g_assert_cmpstr (json_object_get_string_member (layer, "class_name"), ==,
                       strata_layer_get_class_name (expected));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (layer, "config")));
      g_assert_cmpuint (json_array_get_length (weights), ==, strata_layer_get_n_weights (expected));
      for (guint w = 0; w < json_array_get_length (weights); w++)
        check_weight (json_array_get_element (weights, w));
      n_weights += json_array_get_length (weights);
    }
  /* hidden (kernel, bias) and the output layer (kernel, bias). */
  g_assert_cmpuint (n_weights, >=, 4);
}

static void
test_dump_optimizer (void)
{
  g_autofree char *path = fixture ("keras/compiled_adam.h5");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  StrataFormatInfo *h5 = strata_formats_lookup ("h5");
  g_auto(Run) run;
  g_auto(Run) no_compile;
  JsonObject *root, *optimizer, *training;
  JsonArray *weights;

  if (h5 == NULL || !strata_format_info_is_available (h5, NULL))
    {
      strata_test_skip ("the h5 format module is not built");
      return;
    }

  run_tool (&run, "dump", "--json", path, NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "h5");

  optimizer = json_object_get_object_member (root, "optimizer");
  g_assert_nonnull (optimizer);
  g_assert_cmpstr (json_object_get_string_member (optimizer, "class_name"), ==, "Adam");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (optimizer, "config")));
  weights = json_object_get_array_member (optimizer, "weights");
  g_assert_cmpuint (json_array_get_length (weights), >, 0);
  for (guint i = 0; i < json_array_get_length (weights); i++)
    check_weight (json_array_get_element (weights, i));

  training = json_object_get_object_member (root, "training_config");
  g_assert_nonnull (training);
  g_assert_true (json_object_has_member (training, "loss"));

  /* --no-compile drops both. */
  run_tool (&no_compile, "dump", "--json", "--no-compile", path, NULL);
  g_assert_cmpint (exit_status (&no_compile), ==, 0);
  g_assert_nonnull (strstr (no_compile.out, "\"optimizer\": null, \"training_config\": null}"));
}

static char *
strip_random_digests (const char *dump)
{
  g_autoptr(GRegex) regex = g_regex_new ("(/kernel:0\", \"dtype\": \"float32\", \"shape\": \\[[0-9, ]+\\], "
                                         "\"sha256\": )\"[0-9a-f]{64}\"", 0, 0, NULL);

  g_assert_nonnull (regex);
  return g_regex_replace (regex, dump, -1, 0, "\\1\"RANDOM\"", 0, NULL);
}

static void
test_convert (void)
{
  g_autofree char *path = fixture ("tf_keras/functional_multi_output.config.json");
  g_autofree char *stt = g_build_filename (tmp_dir, "converted.stt", NULL);
  g_autofree char *back = g_build_filename (tmp_dir, "back.json", NULL);
  g_autofree char *forced = g_build_filename (tmp_dir, "forced.out", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *original_dump = NULL;
  g_auto(Run) run;
  g_auto(Run) run2;
  g_auto(Run) run3;
  g_auto(Run) dump1;
  g_auto(Run) dump2;

  run_tool (&run, "convert", path, stt, NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  g_assert_true (g_file_get_contents (stt, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "STRATA-TEST\n"));
  /* No progress bar when stderr is not a terminal. */
  g_assert_cmpstr (run.err, ==, "");

  run_tool (&run2, "convert", stt, back, NULL);
  g_assert_cmpint (exit_status (&run2), ==, 0);

  /* --format wins over the extension. */
  run_tool (&run3, "convert", "--format", "json-config", back, forced, NULL);
  g_assert_cmpint (exit_status (&run3), ==, 0);

  run_tool (&dump1, "dump", "--json", path, NULL);
  run_tool (&dump2, "dump", "--json", forced, NULL);
  g_assert_cmpint (exit_status (&dump1), ==, 0);
  g_assert_cmpint (exit_status (&dump2), ==, 0);
  /* A config holds no weights: kernels are freshly initialised at random
   * on each load, so only their digests may differ. */
  {
    g_autofree char *a = strip_random_digests (dump1.out);
    g_autofree char *b = strip_random_digests (dump2.out);
    g_assert_cmpstr (a, ==, b);
  }

  g_unlink (stt);
  g_unlink (back);
  g_unlink (forced);
}

static void
test_progress_bar (void)
{
  g_autofree char *script = g_find_program_in_path ("script");
  g_autofree char *path = fixture ("tf_keras/sequential_dense.config.json");
  g_autofree char *out = g_build_filename (tmp_dir, "progress.json", NULL);
  g_autofree char *q_tool = g_shell_quote (STRATA_TOOL_PATH);
  g_autofree char *q_in = g_shell_quote (path);
  g_autofree char *q_out = g_shell_quote (out);
  g_autofree char *command = NULL;
  g_auto(Run) run;

  if (script == NULL)
    {
      strata_test_skip ("script(1) is needed to give the tool a terminal");
      return;
    }
  /* script(1) runs the tool on a pseudo-terminal and copies what it shows;
   * the bars are drawn at once, not after the usual second. */
  command = g_strdup_printf ("STRATA_PROGRESS_DELAY=0 %s convert %s %s", q_tool, q_in, q_out);
  run_tool_argv (&run, (const char *[]) { script, "-q", "-e", "-c", command, "/dev/null", NULL });
  g_assert_cmpint (exit_status (&run), ==, 0);
  g_assert_nonnull (strstr (run.out, "Loading ["));
  g_assert_nonnull (strstr (run.out, "Saving ["));
  g_assert_nonnull (strstr (run.out, "] 100%"));
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  g_unlink (out);
}

static void
assert_fails (Run        *run,
              const char *stderr_part)
{
  g_assert_cmpint (exit_status (run), ==, 1);
  g_assert_nonnull (strstr (run->err, stderr_part));
  g_assert_cmpstr (run->out, ==, "");
}

static void
test_errors (void)
{
  g_autofree char *garbage = g_build_filename (tmp_dir, "garbage.bin", NULL);
  g_autofree char *good = fixture ("tf_keras/sequential_dense.config.json");
  g_autofree char *nowhere = g_build_filename (tmp_dir, "out.nothing", NULL);
  g_auto(Run) missing;
  g_auto(Run) unknown_format;
  g_auto(Run) unknown_command;
  g_auto(Run) no_command;
  g_auto(Run) arg_count;
  g_auto(Run) bad_option;
  g_auto(Run) bad_name;
  g_auto(Run) no_extension;
  g_auto(Run) broken_plugin;

  g_assert_true (g_file_set_contents (garbage, "\x01\x02\x03", 3, NULL));

  run_tool (&missing, "info", "/nonexistent/model.h5", NULL);
  assert_fails (&missing, "/nonexistent/model.h5");

  run_tool (&unknown_format, "dump", "--json", garbage, NULL);
  assert_fails (&unknown_format, "garbage.bin");

  run_tool (&unknown_command, "frobnicate", NULL);
  assert_fails (&unknown_command, "frobnicate");

  run_tool (&no_command, NULL);
  assert_fails (&no_command, "No command");

  run_tool (&arg_count, "convert", good, NULL);
  assert_fails (&arg_count, "convert");

  run_tool (&bad_option, "info", "--no-such-option", good, NULL);
  assert_fails (&bad_option, "--no-such-option");

  run_tool (&bad_name, "convert", "--format", "no-such-format", good, nowhere, NULL);
  assert_fails (&bad_name, "no-such-format");
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));

  /* tf-keras saves a name without .h5 or .keras as a SavedModel */
  run_tool (&no_extension, "convert", good, nowhere, NULL);
  g_assert_cmpint (exit_status (&no_extension), ==, 0);
  {
    g_autofree char *pb = g_build_filename (nowhere, "saved_model.pb", NULL);
    g_autofree char *command = g_strdup_printf ("rm -r %s", nowhere);

    g_assert_true (g_file_test (pb, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
    g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
  }

  run_tool (&broken_plugin, "info", "--input-format", "badabi", good, NULL);
  assert_fails (&broken_plugin, "ABI version 99");

  g_unlink (garbage);
}

static void
test_help (void)
{
  g_auto(Run) run;
  g_auto(Run) sub;

  run_tool (&run, "--help", NULL);
  g_assert_cmpint (exit_status (&run), ==, 0);
  g_assert_nonnull (strstr (run.out, "convert"));
  g_assert_nonnull (strstr (run.out, "formats"));

  run_tool (&sub, "dump", "--help", NULL);
  g_assert_cmpint (exit_status (&sub), ==, 0);
  g_assert_nonnull (strstr (sub.out, "--json"));
  g_assert_nonnull (strstr (sub.out, "--allow-unknown"));
  g_assert_nonnull (strstr (sub.out, "--no-compile"));
}

int
main (int argc, char **argv)
{
  int status;

  strata_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("strata-cli-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/cli/formats", test_formats);
  g_test_add_func ("/cli/info", test_info);
  g_test_add_func ("/cli/info-keras", test_info_keras);
  g_test_add_func ("/cli/dump", test_dump);
  g_test_add_func ("/cli/dump-optimizer", test_dump_optimizer);
  g_test_add_func ("/cli/convert", test_convert);
  g_test_add_func ("/cli/progress-bar", test_progress_bar);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/help", test_help);

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
