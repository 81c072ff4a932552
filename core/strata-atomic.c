/* strata-atomic.c: atomic saves that leave nothing behind
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strata.h"
#include "strata-atomic-private.h"
#include "strata-env-private.h"
#include "strata-i18n-private.h"

#define SAVE_DIRECTORY_KEY "strata-save-directory"
#define NAME_MARKER ".strata-"
#define UNKNOWN_ID "00000000"

static gboolean set_errno_error (GError     **error,
                                 int          saved_errno,
                                 const char  *format,
                                 ...) G_GNUC_PRINTF (3, 4);

/* Sets a G_IO_ERROR for @saved_errno and returns %FALSE; @format takes the
 * path and then the errno description. */
static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                                format, args));
  va_end (args);
  return FALSE;
}

/* ---- who wrote a temporary ----------------------------------------------- */

typedef struct {
  char host[9];
  char boot[9];
} MachineIds;

static void
digest8 (const char *text,
         char        out[9])
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  memcpy (out, sum, 8);
  out[8] = '\0';
}

/* The machine (with its PID namespace: containers share a machine id but
 * not their processes) and the boot. A temporary of another machine is
 * never judged; one of an earlier boot is stale. */
static const MachineIds *
machine_ids (void)
{
  static MachineIds ids;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_autofree char *machine = NULL;
      g_autofree char *boot = NULL;
      g_autoptr(GString) key = g_string_new (NULL);
      GStatBuf st;

      if (g_file_get_contents ("/etc/machine-id", &machine, NULL, NULL))
        g_string_append (key, g_strstrip (machine));
      else
        g_string_append (key, g_get_host_name ());
      if (g_stat ("/proc/self/ns/pid", &st) == 0)
        g_string_append_printf (key, ":%" G_GUINT64_FORMAT, (guint64) st.st_ino);
      digest8 (key->str, ids.host);
      if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
        digest8 (g_strstrip (boot), ids.boot);
      else
        strcpy (ids.boot, UNKNOWN_ID);
      g_once_init_leave (&once, 1);
    }
  return &ids;
}

/* Reads the state and start time of process @pid from /proc; FALSE with
 * errno set when there is no such entry. */
static gboolean
process_stat (gint64   pid,
              char    *state,
              guint64 *start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* The command name, in parentheses, may hold spaces and parentheses. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL || after_name[1] != ' ')
    {
      errno = EINVAL;
      return FALSE;
    }
  fields = g_strsplit (after_name + 2, " ", 21);
  /* Fields 3 (state) to 22 (starttime) of proc(5). */
  if (g_strv_length (fields) < 20 ||
      !g_ascii_string_to_unsigned (fields[19], 10, 0, G_MAXUINT64, start, NULL))
    {
      errno = EINVAL;
      return FALSE;
    }
  *state = fields[0][0];
  return TRUE;
}

static guint64
own_start_time (void)
{
  guint64 start = 0;
  char state;

  if (!process_stat (getpid (), &state, &start))
    return 0;
  return start;
}

char *
strata_atomic_temp_template (const char *base,
                             const char *kind)
{
  const MachineIds *ids = machine_ids ();
  g_autofree char *suffix = g_strdup_printf (NAME_MARKER "%s-%s-%s-%d-%" G_GUINT64_FORMAT "-XXXXXX",
                                             kind, ids->host, ids->boot, (int) getpid (),
                                             own_start_time ());
  gsize max_base = NAME_MAX - 1 - strlen (suffix);
  gsize length = strlen (base);

  if (length > max_base)
    {
      /* A replaced folder is put back under its name: it must be whole. */
      if (g_str_equal (kind, "old"))
        return NULL;
      length = max_base;
      /* Do not cut a UTF-8 sequence. */
      while (length > 0 && ((guchar) base[length] & 0xC0) == 0x80)
        length--;
    }
  return g_strdup_printf (".%.*s%s", (int) length, base, suffix);
}

/* Moves *@p past @n hexadecimal digits and a dash, copying the digits. */
static gboolean
take_hex8 (const char **p,
           char         out[9])
{
  for (guint i = 0; i < 8; i++)
    if (!g_ascii_isxdigit ((*p)[i]))
      return FALSE;
  if ((*p)[8] != '-')
    return FALSE;
  memcpy (out, *p, 8);
  out[8] = '\0';
  *p += 9;
  return TRUE;
}

/* Moves *@p past decimal digits and a dash, parsing them. */
static gboolean
take_number (const char **p,
             guint64     *value)
{
  const char *dash = strchr (*p, '-');
  g_autofree char *digits = NULL;

  if (dash == NULL || dash == *p)
    return FALSE;
  digits = g_strndup (*p, dash - *p);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, value, NULL))
    return FALSE;
  *p = dash + 1;
  return TRUE;
}

gboolean
strata_atomic_parse_name (const char      *name,
                          StrataTempOwner *owner)
{
  const char *marker = NULL;
  const char *p;
  guint64 pid;

  memset (owner, 0, sizeof *owner);
  if (name[0] != '.')
    return FALSE;
  for (p = strstr (name + 1, NAME_MARKER); p != NULL; p = strstr (p + 1, NAME_MARKER))
    marker = p;
  if (marker == NULL || marker == name + 1)
    return FALSE;
  p = marker + strlen (NAME_MARKER);
  if (!g_str_has_prefix (p, "tmp-") && !g_str_has_prefix (p, "old-"))
    return FALSE;
  memcpy (owner->kind, p, 3);
  p += 4;
  if (!take_hex8 (&p, owner->host) || !take_hex8 (&p, owner->boot) ||
      !take_number (&p, &pid) || !take_number (&p, &owner->start) ||
      pid == 0 || pid > G_MAXINT || strlen (p) != 6)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    if (!g_ascii_isalnum (p[i]))
      return FALSE;
  owner->pid = pid;
  owner->base = g_strndup (name + 1, marker - name - 1);
  return TRUE;
}

gboolean
strata_atomic_owner_is_gone (const StrataTempOwner *owner)
{
  const MachineIds *ids = machine_ids ();
  guint64 start;
  char state;

  if (strcmp (owner->host, ids->host) != 0)
    return FALSE;
  if (strcmp (owner->boot, ids->boot) != 0 &&
      strcmp (owner->boot, UNKNOWN_ID) != 0 && strcmp (ids->boot, UNKNOWN_ID) != 0)
    return TRUE;
  if (process_stat (owner->pid, &state, &start))
    /* A zombie has finished; a new start time is another process. */
    return state == 'Z' || state == 'X' || start != owner->start;
  if (errno == ENOENT && g_file_test ("/proc/self/stat", G_FILE_TEST_EXISTS))
    return TRUE;
  /* No /proc: only the PID can be checked. */
  return kill ((pid_t) owner->pid, 0) != 0 && errno == ESRCH;
}

/* ---- trees ---------------------------------------------------------------- */

/* Removes a file or a directory tree; symbolic links are removed, never
 * followed. Best effort: used to clean up temporaries. */
static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *entry;

      while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, entry, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Flushes a file, or a directory tree and its entries, to disk. */
static gboolean
sync_tree (const char  *path,
           GError     **error)
{
  GStatBuf st;
  int fd;

  if (g_lstat (path, &st) != 0)
    /* Translators: a path, then the system's reason */
    return set_errno_error (error, errno, _("Could not read “%s”: %s"), path, g_strerror (errno));
  if (S_ISLNK (st.st_mode))
    return TRUE;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *entry;

      if (dir == NULL)
        return FALSE;
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, entry, NULL);
          if (!sync_tree (child, error))
            return FALSE;
        }
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    /* Translators: a path, then the system's reason */
    return set_errno_error (error, errno, _("Could not open “%s” to flush it: %s"), path, g_strerror (errno));
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved_errno = errno;
      close (fd);
      /* Translators: a path, then the system's reason */
      return set_errno_error (error, saved_errno, _("Could not flush “%s” to disk: %s"), path, g_strerror (saved_errno));
    }
  close (fd);
  return TRUE;
}

static void
sync_directory (const char *dirname)
{
  int fd = g_open (dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

void
strata_atomic_clean_stale (const char *dirname)
{
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  /* Collect first: the directory changes while we clean it. */
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (entry[0] == '.' && strstr (entry, NAME_MARKER) != NULL)
      g_ptr_array_add (names, g_strdup (entry));

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = NULL;
      StrataTempOwner owner;
      GStatBuf st;

      if (!strata_atomic_parse_name (name, &owner))
        continue;
      path = g_build_filename (dirname, name, NULL);
      /* Only this user's own: in a shared folder (/tmp), a name alone must
       * not make Strata remove another user's files. */
      if (g_lstat (path, &st) == 0 && st.st_uid == geteuid () &&
          strata_atomic_owner_is_gone (&owner))
        {
          if (g_str_equal (owner.kind, "old"))
            {
              g_autofree char *target = g_build_filename (dirname, owner.base, NULL);

              /* Killed between moving the old folder aside and the new one in. */
              if (g_lstat (target, &st) != 0 && errno == ENOENT && g_rename (path, target) == 0)
                {
                  g_debug ("Put back “%s”, left aside by process %" G_GINT64_FORMAT, target, owner.pid);
                  g_free (owner.base);
                  continue;
                }
            }
          g_debug ("Removing “%s”, a temporary of process %" G_GINT64_FORMAT ", which is gone",
                   path, owner.pid);
          remove_tree (path);
        }
      g_free (owner.base);
    }
}

/* ---- the save target -------------------------------------------------------- */

struct _StrataSaveTarget
{
  char     *path;
  char     *dirname;
  char     *basename;
  char     *tmp_path;   /* the named temporary, or /proc/self/fd/N */
  int       fd;         /* the unnamed file, or -1 */
  gboolean  committed;
  GFile    *file;
};

static gboolean
unnamed_files_allowed (void)
{
  return g_strcmp0 (strata_safe_getenv ("STRATA_NO_O_TMPFILE"), "1") != 0;
}

/* An unnamed file in the target's directory, reachable through /proc so
 * that every library can open it by name; FALSE when the file system or
 * the system cannot do it. */
static gboolean
open_unnamed (StrataSaveTarget *self,
              const GStatBuf   *existing)
{
#ifdef O_TMPFILE
  g_autofree char *proc_path = NULL;
  int fd;

  if (!unnamed_files_allowed ())
    return FALSE;
  fd = g_open (self->dirname, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      g_debug ("No unnamed temporary file in “%s” (%s); using a named one",
               self->dirname, g_strerror (errno));
      return FALSE;
    }
  proc_path = g_strdup_printf ("/proc/self/fd/%d", fd);
  if (access (proc_path, W_OK) != 0)
    {
      close (fd);
      return FALSE;
    }
  /* Replacing a file keeps its permissions. */
  if (existing != NULL)
    fchmod (fd, existing->st_mode & 07777);
  self->fd = fd;
  self->tmp_path = g_steal_pointer (&proc_path);
  return TRUE;
#else
  return FALSE;
#endif
}

static char *
temp_path (const char *dirname,
           const char *base,
           const char *kind)
{
  g_autofree char *name = strata_atomic_temp_template (base, kind);

  return name != NULL ? g_build_filename (dirname, name, NULL) : NULL;
}

StrataSaveTarget *
strata_save_target_new (const char      *path,
                        gboolean         directory,
                        const GStatBuf  *existing,
                        GError         **error)
{
  g_autoptr(StrataSaveTarget) self = g_new0 (StrataSaveTarget, 1);

  self->fd = -1;
  self->path = g_strdup (path);
  self->dirname = g_path_get_dirname (path);
  self->basename = g_path_get_basename (path);
  strata_atomic_clean_stale (self->dirname);

  if (directory)
    {
      self->tmp_path = temp_path (self->dirname, self->basename, "tmp");
      if (g_mkdtemp_full (self->tmp_path, 0777) == NULL)
        {
          /* Translators: the folder being saved, then the system's reason */
          set_errno_error (error, errno, _("Could not create a temporary directory for “%s”: %s"),
                           path, g_strerror (errno));
          g_clear_pointer (&self->tmp_path, g_free);
          return NULL;
        }
    }
  else if (!open_unnamed (self, existing))
    {
      int fd;

      self->tmp_path = temp_path (self->dirname, self->basename, "tmp");
      fd = g_mkstemp_full (self->tmp_path, O_RDWR | O_CLOEXEC, 0666);
      if (fd < 0)
        {
          /* Translators: the file being saved, then the system's reason */
          set_errno_error (error, errno, _("Could not create a temporary file for “%s”: %s"),
                           path, g_strerror (errno));
          g_clear_pointer (&self->tmp_path, g_free);
          return NULL;
        }
      if (existing != NULL)
        fchmod (fd, existing->st_mode & 07777);
      close (fd);
    }
  self->file = g_file_new_for_path (self->tmp_path);
  g_object_set_data_full (G_OBJECT (self->file), SAVE_DIRECTORY_KEY, g_strdup (self->dirname), g_free);
  g_object_set_data_full (G_OBJECT (self->file), STRATA_SAVE_TARGET_PATH_KEY, g_strdup (path), g_free);
  return g_steal_pointer (&self);
}

GFile *
strata_save_target_get_file (StrataSaveTarget *self)
{
  return self->file;
}

/* Gives the unnamed file a temporary name beside the target. */
static char *
link_unnamed (StrataSaveTarget  *self,
              GError           **error)
{
  int saved_errno = EEXIST;

  for (guint attempt = 0; attempt < 100 && saved_errno == EEXIST; attempt++)
    {
      g_autofree char *link_path = temp_path (self->dirname, self->basename, "tmp");
      char *x = link_path + strlen (link_path) - 6;

      for (guint i = 0; i < 6; i++)
        x[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[g_random_int_range (0, 62)];
      if (linkat (AT_FDCWD, self->tmp_path, AT_FDCWD, link_path, AT_SYMLINK_FOLLOW) == 0)
        return g_steal_pointer (&link_path);
      saved_errno = errno;
      /* /proc gone since the file was opened: privileged processes can
       * still link the descriptor itself. */
      if (saved_errno == ENOENT && linkat (self->fd, "", AT_FDCWD, link_path, AT_EMPTY_PATH) == 0)
        return g_steal_pointer (&link_path);
    }
  /* Translators: the file being saved, then the system's reason */
  set_errno_error (error, saved_errno, _("Could not move the saved file to “%s”: %s"),
                   self->path, g_strerror (saved_errno));
  return NULL;
}

/* Moves the named temporary @tmp over @target. A directory cannot be
 * renamed over a non-empty one, so the two are exchanged atomically and
 * the old tree removed. */
static gboolean
replace_target (const char  *tmp,
                const char  *target,
                gboolean     replace_directory,
                GError     **error)
{
  g_autofree char *dirname = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *aside = NULL;

  if (!replace_directory)
    {
      if (g_rename (tmp, target) != 0)
        /* Translators: the file being saved, then the system's reason */
        return set_errno_error (error, errno, _("Could not move the saved file to “%s”: %s"), target, g_strerror (errno));
      return TRUE;
    }

  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) == 0)
    {
      /* The old tree now sits at @tmp, under a name that a later save
       * removes if this process dies first. */
      remove_tree (tmp);
      return TRUE;
    }

  /* No exchange on this file system: move the old tree aside first, under
   * a name that puts it back if this process dies before the new tree is
   * in place. */
  dirname = g_path_get_dirname (target);
  basename = g_path_get_basename (target);
  aside = temp_path (dirname, basename, "old");
  /* Translators: the folder being saved, then the system's reason */
  if (aside == NULL)
    return set_errno_error (error, ENAMETOOLONG, _("Could not replace “%s”: %s"), target, g_strerror (ENAMETOOLONG));
  if (g_mkdtemp (aside) == NULL)
    return set_errno_error (error, errno, _("Could not replace “%s”: %s"), target, g_strerror (errno));
  if (g_rename (target, aside) != 0)
    {
      int saved_errno = errno;
      g_rmdir (aside);
      return set_errno_error (error, saved_errno, _("Could not replace “%s”: %s"), target, g_strerror (saved_errno));
    }
  if (g_rename (tmp, target) != 0)
    {
      int saved_errno = errno;
      g_rename (aside, target);
      return set_errno_error (error, saved_errno, _("Could not replace “%s”: %s"), target, g_strerror (saved_errno));
    }
  remove_tree (aside);
  return TRUE;
}

gboolean
strata_save_target_commit (StrataSaveTarget  *self,
                           gboolean           replace_directory,
                           GError           **error)
{
  if (self->fd >= 0)
    {
      g_autofree char *link_path = NULL;

      if (fsync (self->fd) != 0 && errno != EINVAL)
        /* Translators: the file being saved, then the system's reason */
        return set_errno_error (error, errno, _("Could not flush “%s” to disk: %s"), self->path, g_strerror (errno));
      link_path = link_unnamed (self, error);
      if (link_path == NULL)
        return FALSE;
      if (!replace_target (link_path, self->path, FALSE, error))
        {
          g_unlink (link_path);
          return FALSE;
        }
    }
  else if (!sync_tree (self->tmp_path, error) ||
           !replace_target (self->tmp_path, self->path, replace_directory, error))
    {
      strata_save_target_name_target_in (self, error != NULL ? *error : NULL);
      return FALSE;
    }
  self->committed = TRUE;
  sync_directory (self->dirname);
  return TRUE;
}

void
strata_save_target_name_target_in (StrataSaveTarget *self,
                                   GError           *error)
{
  g_autoptr(GString) message = NULL;
  gsize tmp_length = strlen (self->tmp_path);
  const char *p;

  if (error == NULL || strstr (error->message, self->tmp_path) == NULL)
    return;
  message = g_string_new (NULL);
  for (p = error->message; *p != '\0'; )
    {
      /* "/proc/self/fd/1" must not match inside "/proc/self/fd/12". */
      if (strncmp (p, self->tmp_path, tmp_length) == 0 && !g_ascii_isdigit (p[tmp_length]))
        {
          g_string_append (message, self->path);
          p += tmp_length;
        }
      else
        g_string_append_c (message, *p++);
    }
  g_free (error->message);
  error->message = g_string_free (g_steal_pointer (&message), FALSE);
}

StrataSaveTarget *
strata_save_target_keep_old (const char         *near,
                             const char *const  *paths,
                             guint               n,
                             GError            **error)
{
  g_autoptr(StrataSaveTarget) aside = strata_save_target_new (near, TRUE, NULL, error);

  for (guint i = 0; aside != NULL && i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      g_autofree char *link_path = g_build_filename (aside->tmp_path, name, NULL);

      if (link (paths[i], link_path) != 0 && errno != ENOENT)
        {
          /* Translators: the file being saved, then the system's reason */
          set_errno_error (error, errno, _("Could not replace “%s”: %s"), paths[i], g_strerror (errno));
          return NULL;
        }
    }
  return g_steal_pointer (&aside);
}

void
strata_save_target_put_back (StrataSaveTarget   *aside,
                             const char *const  *paths,
                             guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      g_autofree char *link_path = g_build_filename (aside->tmp_path, name, NULL);

      if (g_rename (link_path, paths[i]) != 0 && errno == ENOENT)
        g_unlink (paths[i]);
    }
}

void
strata_save_target_free (StrataSaveTarget *self)
{
  if (self == NULL)
    return;
  if (!self->committed && self->fd < 0 && self->tmp_path != NULL)
    remove_tree (self->tmp_path);
  if (self->fd >= 0)
    close (self->fd);
  g_clear_object (&self->file);
  g_free (self->path);
  g_free (self->dirname);
  g_free (self->basename);
  g_free (self->tmp_path);
  g_free (self);
}

/* ---- scratch files -------------------------------------------------------- */

/**
 * strata_format_open_scratch_file:
 * @file: the file a format was given to save into (the @file argument of
 *   the `save_model` and `save_weights` virtual functions of
 *   [struct@Strata.FormatClass]), or any file in the folder where scratch data
 *   should go
 * @error: return location for a [struct@GLib.Error]
 *
 * Opens a new temporary file for a format's intermediate data (a `.keras`
 * archive's weights before they are zipped, say), on the same file system
 * as the target of the save, so that it takes no room elsewhere.
 *
 * The file has no name where the system allows it (Linux `O_TMPFILE`);
 * elsewhere it is created under Strata's temporary naming and removed at
 * once. Either way it disappears when the descriptor is closed or the
 * process dies, and never needs cleaning up.
 *
 * Returns: a file descriptor open for reading and writing, which the
 *   caller closes, or -1 with @error set
 */
int
strata_format_open_scratch_file (GFile   *file,
                                 GError **error)
{
  const char *save_directory;
  g_autofree char *dirname = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  int fd;

  g_return_val_if_fail (G_IS_FILE (file), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  save_directory = g_object_get_data (G_OBJECT (file), SAVE_DIRECTORY_KEY);
  if (save_directory != NULL)
    dirname = g_strdup (save_directory);
  else
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);

      dirname = parent != NULL ? g_file_get_path (parent) : NULL;
      if (dirname == NULL)
        dirname = g_strdup (g_get_tmp_dir ());
    }

#ifdef O_TMPFILE
  if (unnamed_files_allowed ())
    {
      fd = g_open (dirname, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (fd >= 0)
        return fd;
    }
#endif
  /* Named after the target, so that a kill in the instant before the
   * unlink leaves litter that says whose it is (and that the next save
   * removes, like any temporary of a dead process). */
  if (g_object_get_data (G_OBJECT (file), STRATA_SAVE_TARGET_PATH_KEY) != NULL)
    /* @file is the save's own temporary: name it after the real target. */
    base = g_path_get_basename (g_object_get_data (G_OBJECT (file), STRATA_SAVE_TARGET_PATH_KEY));
  else
    base = g_file_get_basename (file);
  path = temp_path (dirname, base != NULL ? base : "scratch", "tmp");
  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      /* Translators: a folder, then the system's reason */
      set_errno_error (error, errno, _("Could not create a temporary file in “%s”: %s"),
                       dirname, g_strerror (errno));
      return -1;
    }
  g_unlink (path);
  return fd;
}
