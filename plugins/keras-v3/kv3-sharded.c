/* kv3-sharded.c: Keras 3 sharded weights
 *
 * model.save_weights("x.weights.json", max_shard_size=GB) writes the
 * variables in the order of a .weights.h5 file, into shards
 * x_00000.weights.h5, x_00001.weights.h5, … beside the index: a new shard
 * starts when the next variable would make the current one larger than
 * the limit (a variable is never split; one larger than the limit is
 * refused), so a vars group may span shards. The index holds
 * metadata.total_size (the variables' bytes, a bool counting one bit) and
 * weight_map: each vars group holding variables ("/layers/dense/vars") ->
 * the shards holding them, by file name in the index's folder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "strata-atomic-private.h"
#include "strata-i18n-private.h"
#include "kv3-sharded.h"

#define INDEX_SUFFIX ".weights.json"
#define SHARD_SUFFIX ".weights.h5"
/* Keras's default max_shard_size, 5 GB of 1024³ bytes. */
#define DEFAULT_MAX_SHARD_SIZE (G_GUINT64_CONSTANT (5) << 30)
/* An index names each vars group once: a few MiB for the largest models. */
#define MAX_INDEX_SIZE (256 * 1024 * 1024)

gboolean
kv3_sharded_is_index_name (const char *path)
{
  return path != NULL && g_str_has_suffix (path, INDEX_SUFFIX);
}

int
kv3_sharded_probe (const guint8 *head, gsize length)
{
  gsize i = 0;

  while (i < length && g_ascii_isspace (head[i]))
    i++;
  if (i >= length || head[i] != '{' || memchr (head, '\0', length) != NULL)
    return 0;
  /* Keras writes metadata first, then weight_map. */
  return memmem (head, length, "\"weight_map\"", strlen ("\"weight_map\"")) != NULL ? 95 : 50;
}

/* The shards' stem for the index @basename, as Keras names it: the stem
 * of the name without any ".weights" ("x.weights.json" -> "x"). */
static char *
shard_stem (const char *basename)
{
  const char *dot = strrchr (basename, '.');
  g_autofree char *stem = dot != NULL ? g_strndup (basename, dot - basename) : g_strdup (basename);
  g_auto(GStrv) parts = g_strsplit (stem, ".weights", -1);

  return g_strjoinv ("", parts);
}

static char *
shard_name (const char *stem, guint i)
{
  return g_strdup_printf ("%s_%05u" SHARD_SUFFIX, stem, i);
}

/* The stem of a shard name ("x_00012.weights.h5" -> "x"), or NULL when
 * the name is not one. */
static char *
stem_of_shard (const char *name)
{
  gsize length = strlen (name);
  const char *end, *digits;

  if (!g_str_has_suffix (name, SHARD_SUFFIX))
    return NULL;
  end = name + length - strlen (SHARD_SUFFIX);
  for (digits = end; digits > name && g_ascii_isdigit (digits[-1]); digits--)
    ;
  if (end - digits < 5 || digits == name || digits[-1] != '_')
    return NULL;
  return g_strndup (name, digits - 1 - name);
}

/* The files in @dir named as shards of one of @stems, except those in
 * @named. */
static GPtrArray *
other_shards (const char *dir, GHashTable *stems, GHashTable *named)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *stem = stem_of_shard (entry);

      if (stem != NULL && g_hash_table_contains (stems, stem) && !g_hash_table_contains (named, entry))
        g_ptr_array_add (found, g_build_filename (dir, entry, NULL));
    }
  g_ptr_array_sort (found, (GCompareFunc) g_strcmp0);
  return found;
}

void
kv3_files_free (Kv3Files *files)
{
  if (files == NULL)
    return;
  g_free ((char *) files->name);
  g_clear_pointer (&files->paths, g_ptr_array_unref);
  g_clear_pointer (&files->groups, g_hash_table_unref);
  g_free (files);
}

static gboolean
corrupt (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
corrupt (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* A shard name must be a plain file name: Keras opens it beside the index. */
static gboolean
is_plain_name (const char *name)
{
  return name[0] != '\0' && strchr (name, '/') == NULL && strchr (name, '\\') == NULL &&
         !g_str_equal (name, ".") && !g_str_equal (name, "..");
}

/* Adds the shard @name (for @key) to @files, once; its number in *@index. */
static gboolean
add_shard (Kv3Files *files, GHashTable *numbers, const char *dir, const char *index_path,
           const char *key, const char *name, guint *index, GError **error)
{
  gpointer value;
  g_autofree char *path = NULL;
  GStatBuf st;

  if (!is_plain_name (name))
    /* Translators: the index file, a shard name from it, an HDF5 group */
    return corrupt (error, _("The index “%s” names the shard “%s” for %s, which is not a file in the index’s folder"),
                    index_path, name, key);
  if (g_hash_table_lookup_extended (numbers, name, NULL, &value))
    {
      *index = GPOINTER_TO_UINT (value);
      return TRUE;
    }
  path = g_build_filename (dir, name, NULL);
  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a shard file, the index file, an HDF5 group, then the system's reason */
                   _("The shard “%s” that the index “%s” names for %s cannot be read: %s"),
                   path, index_path, key, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    /* Translators: a shard file, the index file, an HDF5 group */
    return corrupt (error, _("The shard “%s” that the index “%s” names for %s is not a regular file"),
                    path, index_path, key);
  *index = files->paths->len;
  g_hash_table_insert (numbers, g_strdup (name), GUINT_TO_POINTER (*index));
  g_ptr_array_add (files->paths, g_steal_pointer (&path));
  return TRUE;
}

/* Reads weight_map into @files: the shards in order of first mention. */
static gboolean
read_weight_map (Kv3Files *files, JsonObject *map, GHashTable *numbers, const char *dir,
                 const char *index_path, GError **error)
{
  g_autoptr(GList) keys = json_object_get_members (map);

  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (map, key);
      g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(JsonArray) names = NULL;

      if (key[0] != '/' || key[1] == '\0')
        /* Translators: a key of the index's weight_map, then the index file */
        return corrupt (error, _("The weight_map key “%s” of “%s” is not the path of an HDF5 group"),
                        key, index_path);
      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        {
          names = json_array_new ();
          json_array_add_string_element (names, json_node_get_string (value));
        }
      else if (JSON_NODE_HOLDS_ARRAY (value) && json_array_get_length (json_node_get_array (value)) > 0)
        names = json_array_ref (json_node_get_array (value));
      for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
        {
          JsonNode *element = json_array_get_element (names, i);
          guint index;

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            g_clear_pointer (&names, json_array_unref);
          else if (!add_shard (files, numbers, dir, index_path, key, json_node_get_string (element),
                               &index, error))
            return FALSE;
          else
            g_array_append_val (list, index);
        }
      if (names == NULL)
        /* Translators: a key of the index's weight_map, then the index file */
        return corrupt (error, _("The weight_map entry “%s” of “%s” is not a shard name or a list of them"),
                        key, index_path);
      g_hash_table_insert (files->groups, g_strdup (key + 1), g_steal_pointer (&list));
    }
  return TRUE;
}

/* Files beside the index named as its shards that it does not name: left
 * from another save, they make the set ambiguous. */
static gboolean
check_no_other_shards (const char *dir, const char *index_path, GHashTable *numbers, GError **error)
{
  g_autoptr(GHashTable) stems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *basename = g_path_get_basename (index_path);
  g_autoptr(GPtrArray) others = NULL;
  GHashTableIter iter;
  gpointer name;

  g_hash_table_add (stems, shard_stem (basename));
  g_hash_table_iter_init (&iter, numbers);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      char *stem = stem_of_shard (name);

      if (stem != NULL)
        g_hash_table_add (stems, stem);
    }
  others = other_shards (dir, stems, numbers);
  if (others->len > 0)
    /* Translators: a file, then the index file */
    return corrupt (error, _("“%s” is named as a shard of “%s”, but the index does not list it (left from another save?)"),
                    (const char *) g_ptr_array_index (others, 0), index_path);
  return TRUE;
}

Kv3Files *
kv3_sharded_open (const char *path, GError **error)
{
  g_autoptr(Kv3Files) files = g_new0 (Kv3Files, 1);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;
  JsonNode *map, *metadata, *total;
  double total_size = -1;
  gsize length;
  GStatBuf st;

  files->name = g_strdup (path);
  files->paths = g_ptr_array_new_with_free_func (g_free);
  files->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  if (g_stat (path, &st) == 0 && st.st_size > MAX_INDEX_SIZE)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: the index file, then its size in bytes */
                   _("The sharded weights index “%s” is %" PRId64 " bytes, too large for an index"),
                   path, (int64_t) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  root = strata_json_parse (text, length, &local);
  if (root == NULL)
    {
      /* Translators: the index file, then the parser's message */
      corrupt (error, _("The sharded weights index “%s” is not valid JSON: %s"), path, local->message);
      return NULL;
    }
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  map = object != NULL ? json_object_get_member (object, "weight_map") : NULL;
  metadata = object != NULL ? json_object_get_member (object, "metadata") : NULL;
  total = metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata) ?
          json_object_get_member (json_node_get_object (metadata), "total_size") : NULL;
  if (map == NULL || !JSON_NODE_HOLDS_OBJECT (map) || total == NULL ||
      !strata_json_node_get_double (total, &total_size) || !(total_size >= 0))
    {
      /* Translators: the index file; weight_map and metadata.total_size are JSON keys */
      corrupt (error, _("The sharded weights index “%s” lacks a weight_map object or a number metadata.total_size"),
               path);
      return NULL;
    }
  if (!read_weight_map (files, json_node_get_object (map), numbers, dir, path, error))
    return NULL;
  if (files->paths->len == 0)
    {
      /* Keras reads the first shard whatever the map says: a model
       * without variables has that one only. */
      g_autofree char *basename = g_path_get_basename (path);
      g_autofree char *stem = shard_stem (basename);
      g_autofree char *first = shard_name (stem, 0);
      g_autofree char *first_path = g_build_filename (dir, first, NULL);

      if (g_file_test (first_path, G_FILE_TEST_IS_REGULAR))
        {
          g_ptr_array_add (files->paths, g_steal_pointer (&first_path));
          g_hash_table_add (numbers, g_steal_pointer (&first));
        }
    }
  if (!check_no_other_shards (dir, path, numbers, error))
    return NULL;
  if (files->paths->len == 0)
    {
      /* Translators: the index file */
      corrupt (error, _("The sharded weights index “%s” names no shard"), path);
      return NULL;
    }
  if (!kv3_weights_check_shards (files, total_size, error))
    return NULL;
  return g_steal_pointer (&files);
}

/* ---- saving ---------------------------------------------------------------- */

/* Which shard each step goes to, as Keras fills them. */
typedef struct {
  GArray     *starts;   /* (element-type guint) each shard's first step */
  JsonObject *map;      /* the weight_map */
  double      bits;     /* the variables' size, for total_size */
} Layout;

static void
layout_clear (Layout *layout)
{
  g_clear_pointer (&layout->starts, g_array_unref);
  g_clear_pointer (&layout->map, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Layout, layout_clear)

/* The absolute name HDF5 gives the group @path (which collapses "//"),
 * as the index keys it. */
static char *
hdf5_name (const char *path)
{
  GString *name = g_string_new ("/");

  for (const char *p = path; *p != '\0'; p++)
    if (*p != '/' || name->str[name->len - 1] != '/')
      g_string_append_c (name, *p);
  return g_string_free (name, FALSE);
}

static gboolean
plan_layout (GPtrArray *steps, guint64 max_size, const char *stem, Layout *layout, GError **error)
{
  double max_bits = (double) max_size * 8, bits = 0;
  guint shard = 0;

  layout->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  layout->map = json_object_new ();
  g_array_append_val (layout->starts, shard);  /* shard 0 starts at step 0 */
  for (guint i = 0; i < steps->len; i++)
    {
      const Kv3Step *step = g_ptr_array_index (steps, i);
      double size = kv3_step_bits (step);
      g_autofree char *key = NULL;
      g_autofree char *name = NULL;
      JsonArray *list;

      if (step->tensor == NULL)
        continue;
      if (size > max_bits)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: an HDF5 group, a variable's number in it, then two sizes in bytes */
                       _("The variable %s/%s is %.0f bytes, more than the largest shard size, %" PRIu64 " bytes"),
                       step->group, step->variable, size / 8, (uint64_t) max_size);
          return FALSE;
        }
      layout->bits += size;
      bits += size;
      if (bits > max_bits)
        {
          shard++;
          g_array_append_val (layout->starts, i);
          bits = size;
        }
      key = hdf5_name (step->group);
      name = shard_name (stem, shard);
      if (!json_object_has_member (layout->map, key))
        json_object_set_array_member (layout->map, key, json_array_new ());
      list = json_object_get_array_member (layout->map, key);
      if (json_array_get_length (list) == 0 ||
          !g_str_equal (json_array_get_string_element (list, json_array_get_length (list) - 1), name))
        json_array_add_string_element (list, name);
    }
  return TRUE;
}

static char *
index_text (Layout *layout)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonObject *metadata = json_object_new ();

  json_object_set_double_member (metadata, "total_size", layout->bits / 8);
  json_object_set_object_member (object, "metadata", metadata);
  json_object_set_object_member (object, "weight_map", json_object_ref (layout->map));
  json_node_take_object (node, object);
  return strata_json_to_string (node, TRUE);
}

static gboolean
write_text (const char *path, const char *target, const char *text, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
  gsize length = strlen (text), done = 0;
  int saved_errno = 0;

  if (fd < 0)
    saved_errno = errno;
  while (fd >= 0 && saved_errno == 0 && done < length)
    {
      gssize n = write (fd, text + done, length - done);

      if (n < 0 && errno != EINTR)
        saved_errno = errno;
      else if (n > 0)
        done += n;
    }
  if (fd >= 0 && close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: the file being saved, then the system's reason */
                   _("Could not write “%s”: %s"), target, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static StrataSaveTarget *
file_target (const char *path, GError **error)
{
  GStatBuf st;

  return strata_save_target_new (path, FALSE, g_stat (path, &st) == 0 ? &st : NULL, error);
}

/* Moves the written shards, then the index, over the old set (@paths:
 * the shards, the old shards the new index no longer names, the index),
 * removing the old shards; a failure puts every old file back. */
static gboolean
replace_set (const char *index_path, GPtrArray *targets, GPtrArray *paths, GError **error)
{
  g_autoptr(StrataSaveTarget) aside =
    strata_save_target_keep_old (index_path, (const char *const *) paths->pdata, paths->len, error);
  guint n_shards = targets->len - 1;
  guint done = 0;
  gboolean ok = aside != NULL;

  for (; ok && done < n_shards; done++)
    ok = strata_save_target_commit (g_ptr_array_index (targets, done), FALSE, error);
  for (; ok && done < paths->len - 1; done++)
    if (g_unlink (g_ptr_array_index (paths, done)) != 0 && errno != ENOENT)
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     /* Translators: a file, then the system's reason */
                     _("Could not remove the old shard “%s”: %s"),
                     (const char *) g_ptr_array_index (paths, done), g_strerror (saved_errno));
        ok = FALSE;
      }
  if (ok)
    ok = strata_save_target_commit (g_ptr_array_index (targets, n_shards), FALSE, error);
  if (!ok && aside != NULL)
    strata_save_target_put_back (aside, (const char *const *) paths->pdata, paths->len);
  return ok;
}

gboolean
kv3_sharded_save (StrataModel *model, GFile *file, StrataKerasDialect dialect,
                  StrataSaveOptions *options, GCancellable *cancellable, GError **error)
{
  const char *given = g_object_get_data (G_OBJECT (file), STRATA_SAVE_TARGET_PATH_KEY);
  g_autofree char *index_path = given != NULL ? g_strdup (given) : g_file_get_path (file);
  g_autofree char *dir = g_path_get_dirname (index_path);
  g_autofree char *basename = g_path_get_basename (index_path);
  g_autofree char *stem = shard_stem (basename);
  guint64 max_size = options != NULL ? strata_save_options_get_max_shard_size (options) : 0;
  g_autoptr(GPtrArray) steps = kv3_weights_steps (model, dialect, TRUE, error);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_save_target_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) stems = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) old = NULL;
  g_autofree char *text = NULL;
  g_auto(Layout) layout = { 0 };
  StrataSaveTarget *index_target;

  if (steps == NULL || !plan_layout (steps, max_size != 0 ? max_size : DEFAULT_MAX_SHARD_SIZE, stem,
                                     &layout, error))
    return FALSE;
  for (guint s = 0; s < layout.starts->len; s++)
    {
      guint from = g_array_index (layout.starts, guint, s);
      guint to = s + 1 < layout.starts->len ? g_array_index (layout.starts, guint, s + 1) : steps->len;
      g_autofree char *name = shard_name (stem, s);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      StrataSaveTarget *target;

      if (options != NULL && !strata_save_options_get_overwrite (options) && g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       /* Translators: the placeholder is a file. */
                       _("“%s” already exists and overwriting is off"), path);
          return FALSE;
        }
      target = file_target (path, error);
      if (target == NULL)
        return FALSE;
      g_ptr_array_add (targets, target);
      if (!kv3_weights_write_steps (steps, from, to, NULL, g_file_peek_path (strata_save_target_get_file (target)),
                                    options, cancellable, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          strata_save_target_name_target_in (target, error != NULL ? *error : NULL);
          return FALSE;
        }
      g_hash_table_add (named, g_steal_pointer (&name));
      g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  /* The old shards the new index does not name go with the old set. */
  g_hash_table_add (stems, stem);
  old = other_shards (dir, stems, named);
  for (guint i = 0; i < old->len; i++)
    g_ptr_array_add (paths, g_strdup (g_ptr_array_index (old, i)));
  g_ptr_array_add (paths, g_strdup (index_path));
  text = index_text (&layout);
  index_target = file_target (index_path, error);
  if (index_target == NULL)
    return FALSE;
  g_ptr_array_add (targets, index_target);
  if (!write_text (g_file_peek_path (strata_save_target_get_file (index_target)), index_path, text, error) ||
      !replace_set (index_path, targets, paths, error))
    return FALSE;
  /* Strata's save then moves its own temporary of the index, the same
   * text, over the index: the set is whole whether or not that succeeds. */
  return given == NULL || write_text (g_file_peek_path (file), index_path, text, error);
}
