/* test-module.h: what the test format modules share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"
#include "strata-plugin.h"

G_BEGIN_DECLS

/* Declares and defines TypeName, a final dynamic subclass of Parent with no
 * instance data, and `static GType type_name##_register (GTypeModule *)`
 * for the descriptor's register_type. The module still writes
 * type_name##_class_init. */
#define TEST_MODULE_DEFINE_TYPE(TypeName, type_name, MODULE, OBJ_NAME, Parent, PARENT_TYPE) \
  G_DECLARE_FINAL_TYPE (TypeName, type_name, MODULE, OBJ_NAME, Parent)                       \
  struct _##TypeName                                                                         \
  {                                                                                          \
    Parent parent_instance;                                                                  \
  };                                                                                         \
  G_DEFINE_DYNAMIC_TYPE (TypeName, type_name, PARENT_TYPE)                                   \
  static void                                                                                \
  type_name##_class_finalize (TypeName##Class *klass)                                        \
  {                                                                                          \
  }                                                                                          \
  static void                                                                                \
  type_name##_init (TypeName *self)                                                          \
  {                                                                                          \
  }                                                                                          \
  static GType                                                                               \
  type_name##_register (GTypeModule *module)                                                 \
  {                                                                                          \
    type_name##_register_type (module);                                                      \
    return type_name##_get_type ();                                                          \
  }

/* How a test steers a save: the "strata-test-mode" object data on the
 * options, or NULL. */
static inline const char *
test_module_mode (gpointer options)
{
  return g_object_get_data (G_OBJECT (options), "strata-test-mode");
}

/* The error of the "fail" mode, which the tests look for. */
static inline gboolean
test_module_fail_halfway (GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "simulated failure halfway through");
  return FALSE;
}

/* The first line of the shared-magic test files (testnoprobe, testveto). */
#define TEST_MODULE_SHARED_MAGIC "STRATA-SHARED\n"

/* Loads a shared-magic test file: the magic line, one line the modules
 * use to tell their files apart, then the model's to_json text. */
static inline StrataModel *
test_module_load_shared (GFile              *file,
                         StrataLoadOptions  *options,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_load_contents (file, cancellable, &contents, NULL, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", 3);
  if (g_strv_length (lines) < 3)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   "“%s” is truncated", g_file_peek_path (file));
      return NULL;
    }
  return strata_model_from_json (lines[2], -1, strata_load_options_get_registry (options),
                                 strata_load_options_get_flags (options), error);
}

G_END_DECLS
