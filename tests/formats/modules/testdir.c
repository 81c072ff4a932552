/* testdir.c: a directory format module for the tests (like SavedModel).
 *
 * A model is a directory holding "testdir.marker" and "model.json" (the
 * model's to_json text). Tests steer a save through object data on the
 * options: "strata-test-mode" = "fail" writes the marker, then fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "test-module.h"

#define MARKER "testdir.marker"

TEST_MODULE_DEFINE_TYPE (TestDirFormat, test_dir_format, TEST, DIR_FORMAT, StrataFormat, STRATA_TYPE_FORMAT)

static StrataModel *
test_dir_format_load_model (StrataFormat       *format,
                            GFile              *file,
                            StrataLoadOptions  *options,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GFile) child = g_file_get_child (file, "model.json");
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_load_contents (child, cancellable, &contents, &length, NULL, error))
    return NULL;
  return strata_model_from_json (contents, length, strata_load_options_get_registry (options),
                                 strata_load_options_get_flags (options), error);
}

static gboolean
test_dir_format_save_model (StrataFormat       *format,
                            StrataModel        *model,
                            GFile              *file,
                            StrataSaveOptions  *options,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GFile) marker = g_file_get_child (file, MARKER);
  g_autoptr(GFile) child = g_file_get_child (file, "model.json");
  g_autofree char *json = strata_model_to_json (model, strata_save_options_get_dialect (options), FALSE);

  /* The core created the (temporary) directory. */
  if (!g_file_replace_contents (marker, "", 0, NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable, error))
    return FALSE;
  if (g_strcmp0 (test_module_mode (options), "fail") == 0)
    return test_module_fail_halfway (error);
  return g_file_replace_contents (child, json, strlen (json), NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, cancellable, error);
}

static void
test_dir_format_class_init (TestDirFormatClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->load_model = test_dir_format_load_model;
  format_class->save_model = test_dir_format_save_model;
}

static const char * const testdir_extensions[] = { "tdir", NULL };
static const char * const testdir_markers[] = { MARKER, NULL };

static const StrataFormatDescriptor testdir_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "testdir",
  .description = "Test directory format",
  .extensions = testdir_extensions,
  .marker_files = testdir_markers,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL | STRATA_FORMAT_IS_DIRECTORY,
  .register_type = test_dir_format_register,
};

STRATA_FORMAT_DEFINE_MODULE (testdir_descriptor)
