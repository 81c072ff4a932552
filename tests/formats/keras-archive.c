/* keras-archive.c: .keras archives for the tests of sniffing and loading
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib/gstdio.h>
#if HAVE_LIBZIP
#include <zip.h>
#endif

#include "keras-archive.h"
#include "test-utils.h"

char *
keras_archive_save (const char   *dir,
                    const char   *basename,
                    StrataModel **model)
{
  g_autofree char *config = strata_test_src_path ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autofree char *path = g_build_filename (dir, basename, NULL);
  g_autoptr(GFile) config_file = g_file_new_for_path (config);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataModel) saved = NULL;
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GError) error = NULL;

  if (!HAVE_LIBZIP || strata_formats_lookup ("keras-v3") == NULL)
    {
      strata_test_skip ("the keras-v3 format module (or libzip) is missing");
      return NULL;
    }
  saved = strata_load_model (config_file, NULL, NULL, &error);
  g_assert_no_error (error);
  strata_save_options_set_format (options, "keras-v3");
  g_assert_true (strata_model_save (saved, file, options, NULL, &error));
  g_assert_no_error (error);
  if (model != NULL)
    *model = g_steal_pointer (&saved);
  return g_steal_pointer (&path);
}

void
keras_archive_unzip (const char *archive,
                     const char *dir)
{
#if HAVE_LIBZIP
  int zerr = 0;
  zip_t *za = zip_open (archive, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);

  g_assert_nonnull (za);
  g_assert_no_errno (g_mkdir (dir, 0700));
  for (zip_int64_t i = 0; i < zip_get_num_entries (za, 0); i++)
    {
      zip_stat_t st;
      zip_file_t *zf;
      g_autofree char *buffer = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (zip_stat_index (za, i, 0, &st), ==, 0);
      g_assert_null (strchr (st.name, '/'));
      buffer = g_malloc (st.size + 1);
      zf = zip_fopen_index (za, i, 0);
      g_assert_nonnull (zf);
      g_assert_cmpint (zip_fread (zf, buffer, st.size), ==, (zip_int64_t) st.size);
      zip_fclose (zf);
      path = g_build_filename (dir, st.name, NULL);
      g_file_set_contents (path, buffer, st.size, &error);
      g_assert_no_error (error);
    }
  zip_discard (za);
#else
  g_assert_not_reached ();
#endif
}

void
keras_archive_write_zip (const char        *path,
                         const char *const *pairs)
{
#if HAVE_LIBZIP
  int zerr = 0;
  zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

  g_assert_nonnull (za);
  for (guint i = 0; pairs[i] != NULL; i += 2)
    {
      zip_source_t *src = zip_source_buffer (za, pairs[i + 1], strlen (pairs[i + 1]), 0);

      g_assert_nonnull (src);
      g_assert_cmpint (zip_file_add (za, pairs[i], src, 0), >=, 0);
    }
  g_assert_cmpint (zip_close (za), ==, 0);
#else
  g_assert_not_reached ();
#endif
}

void
keras_archive_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
keras_archive_assert_same_weights (StrataModel *a,
                                   StrataModel *b)
{
  g_autoptr(GPtrArray) wa = strata_layer_get_weights (STRATA_LAYER (a));
  g_autoptr(GPtrArray) wb = strata_layer_get_weights (STRATA_LAYER (b));

  g_assert_cmpuint (wa->len, >, 0);
  g_assert_cmpuint (wa->len, ==, wb->len);
  for (guint i = 0; i < wa->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (wa, i), g_ptr_array_index (wb, i)));
}

StrataModel *
keras_archive_save_and_load (StrataModel *model,
                             const char  *dir,
                             const char  *basename)
{
  g_autofree char *out = g_build_filename (dir, basename, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (out);
  g_autoptr(GError) error = NULL;
  StrataModel *again;

  if (g_str_has_suffix (basename, ".keras") && strata_formats_lookup ("keras-v3") == NULL)
    return NULL;
  g_assert_true (strata_model_save (model, file, NULL, NULL, &error));
  g_assert_no_error (error);
  again = strata_load_model (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  keras_archive_assert_same_weights (model, again);
  g_unlink (out);
  return again;
}
