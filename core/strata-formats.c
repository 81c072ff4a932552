/* strata-formats.c: finding and loading format modules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strata-formats.h"
#include "strata-format.h"
#include "strata-error.h"
#include "strata-env-private.h"
#include "strata-formats-private.h"
#include "strata-i18n-private.h"

#define MODULE_PREFIX "libstrata-format-"
#define MODULE_SUFFIX "." G_MODULE_SUFFIX

/* ---- the GTypeModule that owns a format's types ------------------------- */

/* Registers the plugin's types. It is used once and never unused, and the
 * GModule is made resident: GObject types cannot be unregistered. */
#define STRATA_TYPE_FORMAT_MODULE (strata_format_module_get_type ())
G_DECLARE_FINAL_TYPE (StrataFormatModule, strata_format_module, STRATA, FORMAT_MODULE, GTypeModule)

struct _StrataFormatModule
{
  GTypeModule parent_instance;

  char                         *path;
  char                         *expected_name;
  const StrataFormatMetadata   *metadata;      /* the side-car's, owned by the info */
  const char                   *metadata_path;
  GModule                      *gmodule;
  const StrataFormatDescriptor *descriptor;
  GType                         format_type;
  gboolean                      resident;
  GError                       *error;
};

G_DEFINE_FINAL_TYPE (StrataFormatModule, strata_format_module, G_TYPE_TYPE_MODULE)

static gboolean
format_module_fail (StrataFormatModule *self,
                    char               *message)
{
  g_set_error (&self->error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
               /* Translators: the first %s is a file name, the second %s the reason. */
               _("Could not load the format module “%s”: %s"), self->path, message);
  g_free (message);
  /* A module that may have registered types is resident and stays open. */
  if (self->gmodule != NULL && !self->resident)
    g_clear_pointer (&self->gmodule, g_module_close);
  self->descriptor = NULL;
  return FALSE;
}

static gboolean
strata_format_module_load (GTypeModule *type_module)
{
  StrataFormatModule *self = STRATA_FORMAT_MODULE (type_module);
  g_autoptr(GError) local = NULL;
  g_autofree char *real_path = NULL;
  gpointer symbol = NULL;
  const StrataFormatDescriptor *descriptor;
  GType type;

  /* A module reached through a link (as in the build tree's format folder)
   * is opened at its real path, so that the $ORIGIN of its run path is
   * where it was built or installed. */
  real_path = realpath (self->path, NULL);
  self->gmodule = g_module_open_full (real_path != NULL ? real_path : self->path,
                                      G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY, &local);
  if (self->gmodule == NULL)
    return format_module_fail (self, g_strdup (local->message));

  if (!g_module_symbol (self->gmodule, STRATA_FORMAT_ENTRY_POINT, &symbol) || symbol == NULL)
    /* Translators: the name of a C function */
    return format_module_fail (self, g_strdup_printf (_("it does not export the entry point %s"),
                                                      STRATA_FORMAT_ENTRY_POINT));

  descriptor = ((StrataFormatQueryFunc) symbol) ();
  if (descriptor == NULL)
    return format_module_fail (self, g_strdup (_("its entry point returned no descriptor")));
  if (descriptor->abi_version != STRATA_FORMAT_ABI_VERSION)
    /* Translators: the format ABI version the module was built for, then the one of this Strata */
    return format_module_fail (self, g_strdup_printf (_("it was built for format ABI version %u, "
                                                        "but this Strata uses version %u"),
                                                      (guint) descriptor->abi_version,
                                                      (guint) STRATA_FORMAT_ABI_VERSION));
  if (descriptor->name == NULL || g_strcmp0 (descriptor->name, self->expected_name) != 0)
    /* Translators: the format name in the module's descriptor, then the one its file name gives */
    return format_module_fail (self, g_strdup_printf (_("its descriptor names the format “%s”, "
                                                        "but its file name says “%s”"),
                                                      descriptor->name ? descriptor->name : "(null)",
                                                      self->expected_name));
  if (descriptor->register_type == NULL)
    return format_module_fail (self, g_strdup (_("its descriptor has no register_type function")));
  if (descriptor->extensions == NULL)
    return format_module_fail (self, g_strdup (_("its descriptor has no extension list")));
  {
    g_autoptr(StrataFormatMetadata) declared = strata_format_metadata_new_from_descriptor (descriptor);
    const char *key = strata_format_metadata_differs (self->metadata, declared);

    if (key != NULL)
      /* TRANSLATORS: the first %s is the path of a module's metadata file,
       * the second a key of that file (such as Extensions) */
      /* Translators: the first %s is a file name, the second %s a config key. */
      return format_module_fail (self, g_strdup_printf (_("its metadata file “%s” does not match "
                                                          "the module: the module declares another %s"),
                                                        self->metadata_path, key));
  }

  /* From here on the module may have registered types: it must stay. */
  g_module_make_resident (self->gmodule);
  self->resident = TRUE;
  type = descriptor->register_type (type_module);
  if (type == G_TYPE_INVALID || !g_type_is_a (type, STRATA_TYPE_FORMAT) || G_TYPE_IS_ABSTRACT (type))
    /* Translators: %s is a GType name. */
    return format_module_fail (self, g_strdup_printf (_("it registered “%s”, which is not a "
                                                        "concrete subclass of StrataFormat"),
                                                      type != G_TYPE_INVALID ? g_type_name (type) : "(invalid)"));
  self->descriptor = descriptor;
  self->format_type = type;
  return TRUE;
}

static void
strata_format_module_unload (GTypeModule *type_module)
{
  /* Never reached: the module is used once and never unused. */
  g_assert_not_reached ();
}

static void
strata_format_module_class_init (StrataFormatModuleClass *klass)
{
  GTypeModuleClass *module_class = G_TYPE_MODULE_CLASS (klass);

  module_class->load = strata_format_module_load;
  module_class->unload = strata_format_module_unload;
}

static void
strata_format_module_init (StrataFormatModule *self)
{
}

/* ---- global state --------------------------------------------------------- */

static GRecMutex formats_lock;
static GPtrArray *added_paths;    /* (element-type utf8) */
static GPtrArray *current_infos;  /* (element-type StrataFormatInfo) in search order */
static GHashTable *all_infos;     /* path -> StrataFormatInfo, owned: infos never die */
static gboolean discovered;

static void
append_path_list (GPtrArray  *dirs,
                  const char *list)
{
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return;
  parts = g_strsplit (list, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (dirs, g_strdup (parts[i]));
}

static GPtrArray *
search_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *system_path;

  if (added_paths != NULL)
    for (guint i = 0; i < added_paths->len; i++)
      g_ptr_array_add (dirs, g_strdup (g_ptr_array_index (added_paths, i)));
  append_path_list (dirs, strata_safe_getenv ("STRATA_FORMAT_PATH"));

  system_path = strata_safe_getenv ("STRATA_FORMAT_SYSTEM_PATH");
  if (system_path != NULL)
    append_path_list (dirs, system_path);
  else
    g_ptr_array_add (dirs, g_strdup (STRATA_FORMATDIR));
  return dirs;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The file names of the modules in @dir, sorted so the order is stable. */
static GPtrArray *
list_module_files (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return names;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      gsize len = strlen (entry);

      if (g_str_has_prefix (entry, MODULE_PREFIX) && g_str_has_suffix (entry, MODULE_SUFFIX) &&
          len > strlen (MODULE_PREFIX) + strlen (MODULE_SUFFIX))
        g_ptr_array_add (names, g_strdup (entry));
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* A new info, with its side-car read: a module whose side-car fails keeps
 * that error and is never opened. */
static StrataFormatInfo *
format_info_new (const char *dir,
                 const char *file,
                 const char *name,
                 const char *path)
{
  StrataFormatInfo *info = g_object_new (STRATA_TYPE_FORMAT_INFO, NULL);
  g_autofree char *stem = g_strndup (file, strlen (file) - strlen (MODULE_SUFFIX));
  g_autofree char *sidecar = g_strconcat (stem, STRATA_FORMAT_METADATA_SUFFIX, NULL);
  g_autoptr(GError) local = NULL;

  info->name = g_strdup (name);
  info->path = g_strdup (path);
  info->metadata_path = g_build_filename (dir, sidecar, NULL);
  info->metadata = strata_format_metadata_load (info->metadata_path, name, &local);
  if (info->metadata == NULL)
    {
      info->tried = TRUE;
      info->error = g_error_new (STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                                 /* Translators: the first %s is a file name, the second %s the
                                  * reason. */
                                 _("Could not load the format module “%s”: %s"), path, local->message);
    }
  return info;
}

static StrataFormatInfo *
find_loaded (GPtrArray  *infos,
             const char *name)
{
  if (infos == NULL)
    return NULL;
  for (guint i = 0; i < infos->len; i++)
    {
      StrataFormatInfo *info = g_ptr_array_index (infos, i);
      if (info->format != NULL && strcmp (info->name, name) == 0)
        return info;
    }
  return NULL;
}

/* Lists module files without opening them. The first module found for a
 * name wins, except that a module already loaded keeps its name. */
static void
discover_locked (void)
{
  g_autoptr(GPtrArray) dirs = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GPtrArray *infos;

  if (discovered)
    return;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  infos = g_ptr_array_new_with_free_func (g_object_unref);

  if (all_infos == NULL)
    all_infos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  dirs = search_dirs ();
  for (guint d = 0; d < dirs->len; d++)
    {
      const char *dir = g_ptr_array_index (dirs, d);
      g_autoptr(GPtrArray) files = list_module_files (dir);

      for (guint f = 0; f < files->len; f++)
        {
          const char *file = g_ptr_array_index (files, f);
          g_autofree char *name = g_strndup (file + strlen (MODULE_PREFIX),
                                             strlen (file) - strlen (MODULE_PREFIX) - strlen (MODULE_SUFFIX));
          g_autofree char *path = NULL;
          StrataFormatInfo *info;

          if (g_hash_table_contains (seen, name))
            continue;

          info = find_loaded (current_infos, name);
          if (info == NULL)
            {
              path = g_build_filename (dir, file, NULL);
              info = g_hash_table_lookup (all_infos, path);
              if (info == NULL)
                {
                  info = format_info_new (dir, file, name, path);
                  g_hash_table_insert (all_infos, g_strdup (path), info);
                }
            }
          g_hash_table_add (seen, info->name);
          g_ptr_array_add (infos, g_object_ref (info));
        }
    }

  g_clear_pointer (&current_infos, g_ptr_array_unref);
  current_infos = infos;
  discovered = TRUE;
}

gboolean
strata_formats_ensure_loaded_locked (StrataFormatInfo *self)
{
  StrataFormatModule *module;

  if (self->tried)
    return self->format != NULL;
  self->tried = TRUE;

  module = g_object_new (STRATA_TYPE_FORMAT_MODULE, NULL);
  module->path = g_strdup (self->path);
  module->expected_name = g_strdup (self->name);
  module->metadata = self->metadata;
  module->metadata_path = self->metadata_path;
  g_type_module_set_name (G_TYPE_MODULE (module), self->path);
  self->module = module;

  /* Used once, never unused: the types stay registered. */
  if (!g_type_module_use (G_TYPE_MODULE (module)))
    {
      self->error = g_steal_pointer (&module->error);
      if (self->error == NULL)
        self->error = g_error_new (STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                                   /* Translators: %s is a file name. */
                                   _("Could not load the format module “%s”"), self->path);
      return FALSE;
    }

  self->format = g_object_new (module->format_type, NULL);
  strata_format_set_info (self->format, self);
  return TRUE;
}

void
strata_formats_lock (void)
{
  g_rec_mutex_lock (&formats_lock);
}

void
strata_formats_unlock (void)
{
  g_rec_mutex_unlock (&formats_lock);
}

const StrataFormatDescriptor *
strata_format_info_peek_metadata (StrataFormatInfo *self)
{
  const StrataFormatDescriptor *descriptor = NULL;

  g_rec_mutex_lock (&formats_lock);
  if (self->metadata != NULL && self->error == NULL)
    descriptor = &self->metadata->descriptor;
  g_rec_mutex_unlock (&formats_lock);
  return descriptor;
}

/* ---- strata_formats_* ----------------------------------------------------- */

/**
 * strata_formats_add_search_path:
 * @path: (type filename): a folder holding format modules
 *
 * Adds a folder to search for format modules. Folders added by the
 * application are searched first, in the order they were added, then the
 * folders of `STRATA_FORMAT_PATH`, then the install directory (or the
 * folders of `STRATA_FORMAT_SYSTEM_PATH` when it is set; empty means
 * none). Environment variables are ignored in setuid programs.
 */
void
strata_formats_add_search_path (const char *path)
{
  g_return_if_fail (path != NULL);

  g_rec_mutex_lock (&formats_lock);
  if (added_paths == NULL)
    added_paths = g_ptr_array_new_with_free_func (g_free);
  if (!g_ptr_array_find_with_equal_func (added_paths, path, g_str_equal, NULL))
    {
      g_ptr_array_add (added_paths, g_strdup (path));
      discovered = FALSE;
    }
  g_rec_mutex_unlock (&formats_lock);
}

/**
 * strata_formats_list:
 *
 * Lists the format modules found in the search path, in search order, one
 * per name. Listing loads no module: what the getters of [class@Strata.FormatInfo]
 * return comes from each module's metadata file
 * (`libstrata-format-NAME.format`, beside the module).
 *
 * Returns: (transfer full): a new [iface@Gio.ListModel] of [class@Strata.FormatInfo], a
 *   snapshot that does not change
 */
GListModel *
strata_formats_list (void)
{
  GListStore *store = g_list_store_new (STRATA_TYPE_FORMAT_INFO);

  g_rec_mutex_lock (&formats_lock);
  discover_locked ();
  for (guint i = 0; i < current_infos->len; i++)
    g_list_store_append (store, g_ptr_array_index (current_infos, i));
  g_rec_mutex_unlock (&formats_lock);
  return G_LIST_MODEL (store);
}

/**
 * strata_formats_lookup:
 * @name: a format name such as `h5` or `json-config`
 *
 * Finds the module for @name without loading it.
 *
 * Returns: (transfer none) (nullable): the info of the module, which lives
 *   as long as the process, or %NULL if no module has that name
 */
StrataFormatInfo *
strata_formats_lookup (const char *name)
{
  StrataFormatInfo *found = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  g_rec_mutex_lock (&formats_lock);
  discover_locked ();
  for (guint i = 0; i < current_infos->len && found == NULL; i++)
    {
      StrataFormatInfo *info = g_ptr_array_index (current_infos, i);
      if (strcmp (info->name, name) == 0)
        found = info;
    }
  g_rec_mutex_unlock (&formats_lock);
  return found;
}
