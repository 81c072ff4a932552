/* test-h5k-shared.c: the h5 and keras-v3 modules share one libstrata-h5k,
 * and so one libhdf5 lock
 *
 * Each module, once loaded by Strata, resolves h5k_lock() to the same
 * function of the same libstrata-h5k-1.0.so (a module with its own copy
 * of the reader hides it, and dlsym() finds nothing). Then, with that
 * lock held, a load of an .h5 file and one of a .keras file each wait
 * until it is released. The test does not link the library itself: each
 * module must find it on its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "test-utils.h"

#define H5K_LIBRARY "libstrata-h5k-1.0.so"

typedef void (*LockFunc) (void);

/* The address @symbol has in the scope of the loaded module of @format,
 * and the file that defines it. */
static gpointer
module_symbol (const char *format, const char *symbol, char **file)
{
  StrataFormatInfo *info = strata_formats_lookup (format);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  void *handle;
  gpointer address;
  Dl_info where;

  g_assert_nonnull (info);
  g_assert_nonnull (strata_format_info_get_format (info, &error));
  g_assert_no_error (error);
  /* Strata opens a module at its real path. */
  path = realpath (strata_format_info_get_module_path (info), NULL);
  g_assert_nonnull (path);
  handle = dlopen (path, RTLD_NOW | RTLD_NOLOAD);
  g_assert_nonnull (handle);
  address = dlsym (handle, symbol);
  if (address == NULL)
    g_test_message ("%s: %s is not in the scope of %s", format, symbol, path);
  g_assert_nonnull (address);
  g_assert_cmpint (dladdr (address, &where), !=, 0);
  *file = g_path_get_basename (where.dli_fname);
  dlclose (handle);
  return address;
}

static void
test_one_library (void)
{
  const char *symbols[] = { "h5k_lock", "h5k_unlock", "h5k_file_open" };

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      g_autofree char *h5_file = NULL, *kv3_file = NULL;
      gpointer h5 = module_symbol ("h5", symbols[i], &h5_file);
      gpointer kv3 = module_symbol ("keras-v3", symbols[i], &kv3_file);

      g_assert_cmpstr (h5_file, ==, H5K_LIBRARY);
      g_assert_cmpstr (kv3_file, ==, H5K_LIBRARY);
      g_assert_true (h5 == kv3);
    }
}

typedef struct {
  char        *path;
  gint         done;
  StrataModel *model;
  GError      *error;
} Load;

static gpointer
load_thread (gpointer user_data)
{
  Load *load = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (load->path);

  load->model = strata_load_model (file, NULL, NULL, &load->error);
  g_atomic_int_set (&load->done, 1);
  return NULL;
}

static void
test_one_lock (void)
{
  const char *files[] = {
    "fixtures/generated/tf_keras/sequential_dense.h5",
    "fixtures/generated/keras/sequential_dense.keras",
  };
  g_autofree char *lock_file = NULL, *unlock_file = NULL;
  LockFunc lock = module_symbol ("h5", "h5k_lock", &lock_file);
  LockFunc unlock = module_symbol ("h5", "h5k_unlock", &unlock_file);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      Load load = { strata_test_src_path (files[i]), 0, NULL, NULL };
      GThread *thread;

      lock ();
      thread = g_thread_new ("load", load_thread, &load);
      /* Long enough to load the file many times over without the lock. */
      g_usleep (300 * G_TIME_SPAN_MILLISECOND);
      if (g_atomic_int_get (&load.done))
        g_test_message ("%s loaded while the lock was held", load.path);
      g_assert_false (g_atomic_int_get (&load.done));
      unlock ();
      g_thread_join (thread);
      g_assert_no_error (load.error);
      g_assert_nonnull (load.model);
      g_object_unref (load.model);
      g_free (load.path);
    }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/h5k/one-library", test_one_library);
  g_test_add_func ("/h5k/one-lock", test_one_lock);
  return g_test_run ();
}
