/* test-plugins.c: discovering, loading and choosing format modules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "keras-archive.h"
#include "test-utils.h"

static char *tmp_dir;

static char *
write_temp (const char *basename,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (tmp_dir, basename, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static StrataFormatInfo *
find_info (GListModel *list,
           const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (list, i);
      if (g_strcmp0 (strata_format_info_get_name (info), name) == 0)
        return info;
    }
  return NULL;
}

static void
test_discovery_is_lazy (void)
{
  /* Runs first: nothing has asked for testfmt yet. */
  g_autoptr(GListModel) list = strata_formats_list ();
  StrataFormatInfo *info = find_info (list, "testfmt");
  g_autofree char *expected_suffix = g_strdup ("libstrata-format-testfmt." G_MODULE_SUFFIX);

  g_assert_nonnull (info);
  g_assert_true (g_str_has_suffix (strata_format_info_get_module_path (info), expected_suffix));
  g_assert_false (strata_format_info_is_loaded (info));
  g_assert_nonnull (find_info (list, "json-config"));
  g_assert_nonnull (find_info (list, "badabi"));
  g_assert_nonnull (find_info (list, "noentry"));
  g_assert_nonnull (find_info (list, "misnamed"));
  /* STRATA_FORMAT_SYSTEM_PATH is empty in the tests: nothing comes from the
   * install directory. */
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(StrataFormatInfo) item = g_list_model_get_item (list, i);
      g_assert_false (g_str_has_prefix (strata_format_info_get_module_path (item), STRATA_FORMATDIR_FOR_TESTS));
    }
  g_assert_true (strata_formats_lookup ("testfmt") == info);
  g_assert_false (strata_format_info_is_loaded (info));

  /* Details come from the metadata file: they do not load it. */
  g_assert_true (strata_format_info_has_details (info, NULL));
  g_assert_cmpstr (strata_format_info_get_description (info), ==, "Test format");
  g_assert_cmpstr (strata_format_info_get_extensions (info)[0], ==, "stt");
  g_assert_null (strata_format_info_get_extensions (info)[1]);
  g_assert_cmpint (strata_format_info_get_capabilities (info) & STRATA_FORMAT_CAN_SAVE_WEIGHTS, !=, 0);
  g_assert_false (strata_format_info_is_loaded (info));
  /* Using it does, and the module agrees with its metadata file. */
  g_assert_true (strata_format_info_is_available (info, NULL));
  g_assert_true (strata_format_info_is_loaded (info));
}

/* How many format modules this process has loaded. */
static guint
count_loaded (void)
{
  g_autoptr(GListModel) list = strata_formats_list ();
  guint loaded = 0;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (list, i);
      loaded += strata_format_info_is_loaded (info);
    }
  return loaded;
}

/* Runs in a fresh process: listing every format with its details loads no
 * module. */
static void
test_listing_loads_none (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GListModel) list = strata_formats_list ();

      g_assert_cmpuint (g_list_model_get_n_items (list), >, 4);
      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr(StrataFormatInfo) info = g_list_model_get_item (list, i);

          strata_format_info_has_details (info, NULL);
          strata_format_info_get_description (info);
          strata_format_info_get_extensions (info);
          strata_format_info_get_mime_types (info);
          strata_format_info_get_capabilities (info);
        }
      g_assert_cmpuint (count_loaded (), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Runs in a fresh process: loading an .h5 file without naming its format
 * loads the h5 module and no other, though keras-v3 shares its magic and
 * json-config and tf-savedmodel declare none. */
static void
test_h5_loads_one (void)
{
  g_autofree char *path = strata_test_src_path ("fixtures/generated/keras/compiled_adam.h5");

  if (path == NULL)
    return;
  if (strata_formats_lookup ("h5") == NULL)
    {
      strata_test_skip ("the h5 format module is not built");
      return;
    }
  if (g_test_subprocess ())
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = strata_load_model (file, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (model);
      g_assert_true (strata_format_info_is_loaded (strata_formats_lookup ("h5")));
      g_assert_cmpuint (count_loaded (), ==, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
check_broken (const char *name,
              const char *message_part)
{
  StrataFormatInfo *info = strata_formats_lookup (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(GError) by_name = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/model.json");

  g_assert_nonnull (info);
  g_assert_false (strata_format_info_is_available (info, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_nonnull (strstr (error->message, strata_format_info_get_module_path (info)));
  g_assert_false (strata_format_info_is_loaded (info));

  /* The error is kept, not retried. */
  g_assert_null (strata_format_info_get_format (info, &again));
  g_assert_error (again, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN);
  g_assert_cmpstr (again->message, ==, error->message);

  /* Details of a broken module are empty, not a crash. */
  g_assert_null (strata_format_info_get_description (info));
  g_assert_null (strata_format_info_get_extensions (info)[0]);
  g_assert_cmpint (strata_format_info_get_capabilities (info), ==, STRATA_FORMAT_CAN_NONE);

  /* Selecting it by name gives the same error. */
  g_assert_null (strata_formats_find_for_file (file, name, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &by_name));
  g_assert_error (by_name, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN);
  g_assert_cmpstr (by_name->message, ==, error->message);
}

static void
test_wrong_abi (void)
{
  check_broken ("badabi", "ABI version 99");
}

static void
test_no_entry_point (void)
{
  check_broken ("noentry", "strata_format_module_query_v1");
}

static void
test_misnamed (void)
{
  check_broken ("misnamed", "“json-config”");
  /* The real json-config is unaffected. */
  g_assert_true (strata_format_info_is_available (strata_formats_lookup ("json-config"), NULL));
}

static void
test_metadata_mismatch (void)
{
  check_broken ("mismatch", "does not match the module: the module declares another Extensions");
}

static void
test_no_metadata (void)
{
  StrataFormatInfo *info = strata_formats_lookup ("nometa");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (info);
  g_assert_false (strata_format_info_has_details (info, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, "libstrata-format-nometa.format"));
  check_broken ("nometa", "cannot be read");
}

static void
test_wrong_type (void)
{
  check_broken ("wrongtype", "“WrongThing”, which is not a concrete subclass of StrataFormat");
}

static void
test_unknown_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("whatever.stt");

  g_assert_null (strata_formats_lookup ("no-such-format"));
  g_assert_null (strata_formats_find_for_save (file, "no-such-format", STRATA_FORMAT_CAN_SAVE_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_assert_nonnull (strstr (error->message, "no-such-format"));
  g_assert_nonnull (strstr (error->message, "testfmt"));
}

static void
test_capabilities (void)
{
  StrataFormatInfo *info = strata_formats_lookup ("json-config");
  StrataFormat *format = strata_format_info_get_format (info, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("weights.json");
  StrataFormat *found;

  g_assert_nonnull (format);
  g_assert_cmpstr (strata_format_get_name (format), ==, "json-config");
  g_assert_true (strata_format_get_info (format) == info);
  g_assert_cmpint (strata_format_get_capabilities (format), ==,
                   STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL);
  g_assert_cmpstr (strata_format_info_get_mime_types (info)[0], ==, "application/json");

  /* Saving weights to .json: the extension selects json-config, which cannot. */
  found = strata_formats_find_for_save (file, NULL, STRATA_FORMAT_CAN_SAVE_WEIGHTS, &error);
  g_assert_null (found);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
  g_clear_error (&error);

  found = strata_formats_find_for_save (file, "json-config", STRATA_FORMAT_CAN_LOAD_WEIGHTS, &error);
  g_assert_null (found);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
}

static void
test_save_by_extension (void)
{
  g_autoptr(GFile) upper = g_file_new_for_path ("/tmp/MODEL.STT");
  g_autoptr(GFile) json = g_file_new_for_path ("/tmp/model.json");
  g_autoptr(GFile) none = g_file_new_for_path ("/tmp/model");
  g_autoptr(GFile) dot = g_file_new_for_path ("/tmp/.stt");
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (strata_format_get_name (strata_formats_find_for_save (upper, NULL, STRATA_FORMAT_CAN_SAVE_MODEL, NULL)), ==, "testfmt");
  g_assert_cmpstr (strata_format_get_name (strata_formats_find_for_save (json, NULL, STRATA_FORMAT_CAN_SAVE_MODEL, NULL)), ==, "json-config");
  /* no known extension: a SavedModel, as tf-keras decides */
  g_assert_cmpstr (strata_format_get_name (strata_formats_find_for_save (none, NULL, STRATA_FORMAT_CAN_SAVE_MODEL, &error)), ==, "tf-savedmodel");
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (strata_formats_find_for_save (dot, NULL, STRATA_FORMAT_CAN_SAVE_MODEL, &error)), ==, "tf-savedmodel");
  g_assert_no_error (error);
}

static const char *
sniff (const char               *basename,
       const char               *contents,
       gssize                    length,
       StrataFormatCapabilities  needed,
       GError                  **error)
{
  g_autofree char *path = write_temp (basename, contents, length);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  StrataFormat *format = strata_formats_find_for_file (file, NULL, needed, NULL, error);

  g_unlink (path);
  return format != NULL ? strata_format_get_name (format) : NULL;
}

static void
test_sniff_content_wins (void)
{
  const char *config = "  \n{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": []}}";

  /* JSON content behind a misleading extension. */
  g_assert_cmpstr (sniff ("model.stt", config, -1, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "json-config");
  /* testfmt content behind a .json extension. */
  g_assert_cmpstr (sniff ("model.json", "STRATA-TEST\n{}\nnull\n", -1, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testfmt");
  /* The weights magic: the probe, asked because the magic matches, claims it. */
  g_assert_cmpstr (sniff ("weights.bin", "STRATA-TEST-WEIGHTS\n3\n", -1, STRATA_FORMAT_CAN_LOAD_WEIGHTS, NULL), ==, "testfmt");
}

static void
test_sniff_extension_fallback (void)
{
  g_autoptr(GError) error = NULL;

  /* Content nobody recognises: the extension decides. */
  g_assert_cmpstr (sniff ("broken.stt", "\x01\x02garbage", -1, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testfmt");
  g_assert_cmpstr (sniff ("empty.json", "", 0, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "json-config");
  /* A JSON array is not a model config. */
  g_assert_cmpstr (sniff ("list.json", "[1, 2]", -1, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "json-config");

  /* Neither content nor extension. */
  g_assert_null (sniff ("mystery.bin", "\x01\x02garbage", -1, STRATA_FORMAT_CAN_LOAD_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_assert_nonnull (strstr (error->message, "mystery.bin"));
  g_assert_nonnull (strstr (error->message, "json-config"));
  g_assert_nonnull (strstr (error->message, "testfmt"));
  g_assert_nonnull (strstr (error->message, "badabi (cannot be loaded)"));
  g_clear_error (&error);

  /* A zip is not JSON, whatever its name. */
  g_assert_null (sniff ("model.bin", "PK\x03\x04{\"class_name\": \"config\"}", sizeof "PK\x03\x04{\"class_name\": \"config\"}" - 1,
                        STRATA_FORMAT_CAN_LOAD_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
}

static void
test_sniff_capability (void)
{
  g_autoptr(GError) error = NULL;
  const char *config = "{\"class_name\": \"Sequential\", \"config\": {}}";

  /* Recognised as json-config, which cannot hold weights. */
  g_assert_null (sniff ("model.json", config, -1, STRATA_FORMAT_CAN_LOAD_WEIGHTS, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "json-config"));
}

static void
test_sniff_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/dir/model.json");

  g_assert_null (strata_formats_find_for_file (file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_sniff_directory (void)
{
  g_autofree char *plain = g_build_filename (tmp_dir, "model.json", NULL);
  g_autofree char *marked = g_build_filename (tmp_dir, "saved", NULL);
  g_autofree char *marker = g_build_filename (marked, "testdir.marker", NULL);
  g_autofree char *named = g_build_filename (tmp_dir, "unmarked.tdir", NULL);
  g_autoptr(GFile) plain_file = g_file_new_for_path (plain);
  g_autoptr(GFile) marked_file = g_file_new_for_path (marked);
  g_autoptr(GFile) named_file = g_file_new_for_path (named);
  g_autoptr(GError) error = NULL;
  StrataFormat *format;

  /* A directory named like a file format is not taken for one. */
  g_assert_no_errno (g_mkdir (plain, 0700));
  g_assert_null (strata_formats_find_for_file (plain_file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_assert_nonnull (strstr (error->message, "testdir"));

  /* A marker file inside decides, whatever the name. */
  g_assert_no_errno (g_mkdir (marked, 0700));
  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
  format = strata_formats_find_for_file (marked_file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, NULL);
  g_assert_nonnull (format);
  g_assert_cmpstr (strata_format_get_name (format), ==, "testdir");

  /* Without a marker, the extension of a directory format. */
  g_assert_no_errno (g_mkdir (named, 0700));
  format = strata_formats_find_for_file (named_file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, NULL);
  g_assert_nonnull (format);
  g_assert_cmpstr (strata_format_get_name (format), ==, "testdir");

  g_unlink (marker);
  g_rmdir (marked);
  g_rmdir (named);
  g_rmdir (plain);
}

/* A file of the shared magic of testnoprobe and testveto. */
static const char *
sniff_shared (const char               *basename,
              const char               *second_line,
              StrataFormatCapabilities  needed,
              GError                  **error)
{
  g_autofree char *contents = g_strconcat ("STRATA-SHARED\n", second_line,
                                           "\n{\"class_name\": \"Sequential\", \"config\": {\"layers\": []}}\n",
                                           NULL);

  return sniff (basename, contents, -1, needed, error);
}

static void
test_sniff_probe_final_word (void)
{
  /* Both magics match; the probe is surer than the magic alone. */
  g_assert_cmpstr (sniff_shared ("claimed.bin", "veto-mine", STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testveto");
  /* testveto's magic and extension match, but its probe says 0: it loses
   * to the format without a probe, whose magic alone counts. */
  g_assert_cmpstr (sniff_shared ("refused.tvt", "someone-else", STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testnoprobe");
}

static void
test_sniff_no_probe_magic (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (sniff_shared ("plain.bin", "anything", STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testnoprobe");
  /* Without the magic, only its extension chooses it. */
  g_assert_cmpstr (sniff ("named.tnp", "STRATA-SHARE", -1, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testnoprobe");
  g_assert_null (sniff ("named.bin", "STRATA-SHARE", -1, STRATA_FORMAT_CAN_LOAD_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_clear_error (&error);
  /* Recognised by its magic, but it cannot load weights. */
  g_assert_null (sniff_shared ("plain.bin", "anything", STRATA_FORMAT_CAN_LOAD_WEIGHTS, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "testnoprobe"));
}

static const char *
sniff_path (const char                *path,
            StrataFormatCapabilities   needed,
            GError                   **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  StrataFormat *format = strata_formats_find_for_file (file, NULL, needed, NULL, error);

  return format != NULL ? strata_format_get_name (format) : NULL;
}

/* A .keras archive is found by its content, whatever its name. */
static void
test_sniff_keras_renamed (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "keras-renamed", NULL);
  g_autofree char *archive = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir (dir, 0700));
  archive = keras_archive_save (dir, "model.keras", NULL);
  if (archive == NULL)
    {
      g_rmdir (dir);
      return;
    }
  g_assert_true (g_file_get_contents (archive, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sniff_path (archive, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "keras-v3");
  g_assert_cmpstr (sniff ("model.bin", contents, length, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "keras-v3");
  /* Content beats the extension of another format. */
  g_assert_cmpstr (sniff ("model.json", contents, length, STRATA_FORMAT_CAN_LOAD_WEIGHTS, NULL), ==, "keras-v3");
  keras_archive_remove_dir (dir);
}

static void
assert_zip_refused (const char        *basename,
                    const char *const *pairs)
{
  g_autofree char *path = g_build_filename (tmp_dir, basename, NULL);
  g_autoptr(GError) error = NULL;

  keras_archive_write_zip (path, pairs);
  g_assert_null (sniff_path (path, STRATA_FORMAT_CAN_LOAD_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_test_message ("%s", error->message);
  /* The message names the file and the format whose signature it has. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "“keras-v3”"));
  g_assert_nonnull (strstr (error->message, ".keras archives"));
  g_unlink (path);
}

/* Other zips are not .keras archives: neither by the zip signature, nor by
 * a config.json alone, nor by the name. */
static void
test_sniff_plain_zip (void)
{
  static const char *const plain[] = { "readme.txt", "hello", "data.csv", "1,2\n", NULL };
  static const char *const hub[] = { "config.json", "{\"model_type\": \"bert\"}", "model.safetensors", "x", NULL };
  static const char *const partial[] = { "config.json", "{\"class_name\": \"Sequential\"}", NULL };
  g_autofree char *damaged = g_build_filename (tmp_dir, "damaged.keras", NULL);
  g_autoptr(GFile) damaged_file = g_file_new_for_path (damaged);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;

  if (!HAVE_LIBZIP || strata_formats_lookup ("keras-v3") == NULL)
    {
      strata_test_skip ("the keras-v3 format module (or libzip) is missing");
      return;
    }
  assert_zip_refused ("archive.zip", plain);
  assert_zip_refused ("hub.zip", hub);
  assert_zip_refused ("random.keras", plain);

  /* Named .keras with some of the members: a damaged archive, which the
   * format itself reports. */
  keras_archive_write_zip (damaged, partial);
  g_assert_cmpstr (sniff_path (damaged, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "keras-v3");
  model = strata_load_model (damaged_file, NULL, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "model.weights.h5"));
  g_unlink (damaged);
}

/* An unzipped .keras folder is found by its members, whatever its name;
 * directory formats keep their directories. */
static void
test_sniff_keras_directory (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "keras-dir", NULL);
  g_autofree char *unzipped = g_build_filename (dir, "unzipped", NULL);
  g_autofree char *config_only = g_build_filename (dir, "config-only", NULL);
  g_autofree char *config = g_build_filename (config_only, "config.json", NULL);
  g_autofree char *marked = g_build_filename (dir, "saved", NULL);
  g_autofree char *marker = g_build_filename (marked, "testdir.marker", NULL);
  g_autofree char *archive = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir (dir, 0700));
  archive = keras_archive_save (dir, "model.keras", NULL);
  if (archive == NULL)
    {
      g_rmdir (dir);
      return;
    }
  keras_archive_unzip (archive, unzipped);
  g_assert_cmpstr (sniff_path (unzipped, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "keras-v3");
  g_assert_cmpstr (sniff_path (unzipped, STRATA_FORMAT_CAN_LOAD_WEIGHTS, NULL), ==, "keras-v3");

  /* A folder with a config.json alone is not one. */
  g_assert_no_errno (g_mkdir (config_only, 0700));
  g_assert_true (g_file_set_contents (config, "{}", -1, NULL));
  g_assert_null (sniff_path (config_only, STRATA_FORMAT_CAN_LOAD_MODEL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_assert_nonnull (strstr (error->message, config_only));

  /* A directory-only format still gets its directories. */
  g_assert_no_errno (g_mkdir (marked, 0700));
  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
  g_assert_cmpstr (sniff_path (marked, STRATA_FORMAT_CAN_LOAD_MODEL, NULL), ==, "testdir");

  keras_archive_remove_dir (unzipped);
  keras_archive_remove_dir (config_only);
  keras_archive_remove_dir (marked);
  keras_archive_remove_dir (dir);
}

static gpointer
lookup_thread (gpointer data)
{
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(GListModel) list = strata_formats_list ();
      StrataFormatInfo *info = strata_formats_lookup (i % 2 ? "json-config" : "testfmt");

      g_assert_nonnull (strata_format_info_get_format (info, NULL));
      g_assert_false (strata_format_info_is_available (strata_formats_lookup ("badabi"), NULL));
      g_assert_cmpuint (g_list_model_get_n_items (list), >=, 5);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[8];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", lookup_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_search_path_order (void)
{
  /* A folder added by the application comes before STRATA_FORMAT_PATH, but
   * a module that is already loaded keeps its name. */
  g_autofree char *dir = g_build_filename (tmp_dir, "extra-formats", NULL);
  g_autofree char *copy = g_build_filename (dir, "libstrata-format-testfmt." G_MODULE_SUFFIX, NULL);
  g_autofree char *other = g_build_filename (dir, "libstrata-format-zzz." G_MODULE_SUFFIX, NULL);
  g_autofree char *shadow = g_build_filename (dir, "libstrata-format-noentry." G_MODULE_SUFFIX, NULL);
  StrataFormatInfo *before = strata_formats_lookup ("testfmt");
  StrataFormatInfo *zzz;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (strata_format_info_get_format (before, NULL));
  g_assert_no_errno (g_mkdir (dir, 0700));
  g_assert_true (g_file_set_contents (copy, "not a module", -1, NULL));
  g_assert_true (g_file_set_contents (other, "not a module either", -1, NULL));
  g_assert_true (g_file_set_contents (shadow, "comes too late", -1, NULL));
  strata_formats_add_search_path (dir);

  g_assert_true (strata_formats_lookup ("testfmt") == before);
  /* The first folder wins for a name not loaded yet: noentry stays the
   * module of TEST_MODULES_DIR, which was added first. */
  g_assert_true (g_str_has_prefix (strata_format_info_get_module_path (strata_formats_lookup ("noentry")),
                                   TEST_MODULES_DIR));
  zzz = strata_formats_lookup ("zzz");
  g_assert_nonnull (zzz);
  g_assert_cmpstr (strata_format_info_get_module_path (zzz), ==, other);
  g_assert_false (strata_format_info_is_available (zzz, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, other));
  g_unlink (copy);
  g_unlink (other);
  g_unlink (shadow);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  int status;

  strata_test_init (&argc, &argv);
  strata_formats_add_search_path (TEST_MODULES_DIR);
  tmp_dir = g_dir_make_tmp ("strata-plugins-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/formats/discovery-is-lazy", test_discovery_is_lazy);
  g_test_add_func ("/formats/wrong-abi", test_wrong_abi);
  g_test_add_func ("/formats/no-entry-point", test_no_entry_point);
  g_test_add_func ("/formats/misnamed", test_misnamed);
  g_test_add_func ("/formats/wrong-type", test_wrong_type);
  g_test_add_func ("/formats/metadata-mismatch", test_metadata_mismatch);
  g_test_add_func ("/formats/no-metadata", test_no_metadata);
  g_test_add_func ("/formats/listing-loads-none", test_listing_loads_none);
  g_test_add_func ("/formats/h5-loads-one", test_h5_loads_one);
  g_test_add_func ("/formats/unknown-name", test_unknown_name);
  g_test_add_func ("/formats/capabilities", test_capabilities);
  g_test_add_func ("/formats/save-by-extension", test_save_by_extension);
  g_test_add_func ("/formats/sniff/content-wins", test_sniff_content_wins);
  g_test_add_func ("/formats/sniff/extension-fallback", test_sniff_extension_fallback);
  g_test_add_func ("/formats/sniff/capability", test_sniff_capability);
  g_test_add_func ("/formats/sniff/missing-file", test_sniff_missing_file);
  g_test_add_func ("/formats/sniff/directory", test_sniff_directory);
  g_test_add_func ("/formats/sniff/probe-final-word", test_sniff_probe_final_word);
  g_test_add_func ("/formats/sniff/no-probe-magic", test_sniff_no_probe_magic);
  g_test_add_func ("/formats/sniff/keras-renamed", test_sniff_keras_renamed);
  g_test_add_func ("/formats/sniff/plain-zip", test_sniff_plain_zip);
  g_test_add_func ("/formats/sniff/keras-directory", test_sniff_keras_directory);
  g_test_add_func ("/formats/threads", test_threads);
  g_test_add_func ("/formats/search-path-order", test_search_path_order);
  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
