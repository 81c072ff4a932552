/* test-stale-temps.c: the names of Strata's temporaries, and which ones a
 * save removes
 *
 * A temporary's name records the machine, the boot, the process and its
 * start time. A save removes those of processes that are gone (exited,
 * zombies, an earlier boot, a reused PID) and keeps those of live
 * processes and of other machines; a folder moved aside by a process that
 * died before the new one was in place is put back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata-atomic-private.h"
#include "test-utils.h"

/* This process's owner fields, from a name it makes. */
static StrataTempOwner
own_owner (void)
{
  g_autofree char *name = strata_atomic_temp_template ("m.h5", "tmp");
  StrataTempOwner owner;

  g_assert_true (strata_atomic_parse_name (name, &owner));
  g_free (owner.base);
  owner.base = NULL;
  return owner;
}

static char *
make_name (const char *base, const char *kind, const char *host, const char *boot,
           gint64 pid, guint64 start)
{
  return g_strdup_printf (".%s.strata-%s-%s-%s-%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT "-Ab12Z9",
                          base, kind, host, boot, pid, start);
}

static void
test_names (void)
{
  StrataTempOwner me = own_owner ();
  g_autofree char *long_base = g_strnfill (300, 'x');
  g_autofree char *utf8_base = NULL;
  g_autofree char *name = NULL;
  StrataTempOwner owner;
  static const char *const not_ours[] = {
    "model.h5.strata-tmp-00000000-00000000-12-34-Ab12Z9",   /* no leading dot */
    ".model.h5.strata-new-00000000-00000000-12-34-Ab12Z9",  /* unknown kind */
    ".model.h5.strata-tmp-0000000g-00000000-12-34-Ab12Z9",  /* not hexadecimal */
    ".model.h5.strata-tmp-00000000-00000000-12-34-Ab12Z",   /* short random part */
    ".model.h5.strata-tmp-00000000-00000000-12-34-Ab12Z9~", /* trailing junk */
    ".model.h5.strata-tmp-00000000-00000000-0-34-Ab12Z9",   /* PID 0 */
    ".model.h5.strata-tmp-00000000-00000000--34-Ab12Z9",    /* no PID */
    ".strata-tmp-00000000-00000000-12-34-Ab12Z9",           /* no target name */
    ".model.h5.XXXXXX",
  };

  g_assert_cmpint (me.pid, ==, getpid ());
  g_assert_cmpuint (me.start, >, 0);
  g_assert_cmpstr (me.kind, ==, "tmp");

  name = strata_atomic_temp_template ("model.h5", "old");
  g_assert_true (g_str_has_prefix (name, ".model.h5.strata-old-"));
  g_assert_true (g_str_has_suffix (name, "-XXXXXX"));
  g_assert_true (strata_atomic_parse_name (name, &owner));
  g_assert_cmpstr (owner.base, ==, "model.h5");
  g_assert_cmpstr (owner.kind, ==, "old");
  g_assert_cmpstr (owner.host, ==, me.host);
  g_assert_cmpstr (owner.boot, ==, me.boot);
  g_assert_false (strata_atomic_owner_is_gone (&owner));
  g_free (owner.base);
  g_clear_pointer (&name, g_free);

  /* A long target name is cut to fit NAME_MAX, on a character boundary;
   * a folder set aside needs its whole name. */
  name = strata_atomic_temp_template (long_base, "tmp");
  g_assert_cmpuint (strlen (name), <=, NAME_MAX);
  g_assert_true (strata_atomic_parse_name (name, &owner));
  g_free (owner.base);
  g_clear_pointer (&name, g_free);
  g_assert_null (strata_atomic_temp_template (long_base, "old"));
  /* Cut inside "é"s, at every byte offset. */
  for (guint shift = 0; shift < 4; shift++)
    {
      g_autofree char *xs = g_strnfill (180 + shift, 'x');

      utf8_base = g_strconcat (xs, "éééééééééééééééééééé", NULL);
      name = strata_atomic_temp_template (utf8_base, "tmp");
      g_assert_cmpuint (strlen (name), <, strlen (utf8_base) + 60);
      g_assert_true (g_utf8_validate (name, -1, NULL));
      g_clear_pointer (&name, g_free);
      g_clear_pointer (&utf8_base, g_free);
    }

  for (guint i = 0; i < G_N_ELEMENTS (not_ours); i++)
    {
      g_test_message ("%s", not_ours[i]);
      g_assert_false (strata_atomic_parse_name (not_ours[i], &owner));
      g_assert_null (owner.base);
    }
}

/* A child that exits at once; returns its PID, reaped or left a zombie. */
static pid_t
dead_child (gboolean reap, guint64 *start)
{
  int pipe_fds[2];
  pid_t pid;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Its own start time, as its temporaries' names record it. */
      g_autofree char *name = strata_atomic_temp_template ("m", "tmp");
      StrataTempOwner owner;

      strata_atomic_parse_name (name, &owner);
      if (write (pipe_fds[1], &owner.start, sizeof owner.start) != sizeof owner.start)
        _exit (1);
      _exit (0);
    }
  close (pipe_fds[1]);
  g_assert_cmpint (read (pipe_fds[0], start, sizeof *start), ==, sizeof *start);
  close (pipe_fds[0]);
  if (reap)
    g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  else
    {
      /* Wait until it is a zombie. */
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);

      for (guint i = 0; i < 1000; i++)
        {
          g_autofree char *contents = NULL;

          if (g_file_get_contents (stat_path, &contents, NULL, NULL) && strstr (contents, ") Z ") != NULL)
            break;
          g_usleep (1000);
        }
    }
  return pid;
}

static void
touch (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, name, -1, NULL));
}

static gboolean
exists (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

static void
test_clean (void)
{
  StrataTempOwner me = own_owner ();
  g_autofree char *dir = g_dir_make_tmp ("strata-stale-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("strata-outside-XXXXXX", NULL);
  g_autofree char *outside_file = g_build_filename (outside, "precious", NULL);
  guint64 dead_start, zombie_start;
  pid_t dead = dead_child (TRUE, &dead_start);
  pid_t zombie = dead_child (FALSE, &zombie_start);
  g_autofree char *mine = make_name ("a.h5", "tmp", me.host, me.boot, me.pid, me.start);
  g_autofree char *of_dead = make_name ("b.h5", "tmp", me.host, me.boot, dead, dead_start);
  g_autofree char *of_zombie = make_name ("c.h5", "tmp", me.host, me.boot, zombie, zombie_start);
  g_autofree char *other_host = make_name ("d.h5", "tmp", "0123abcd", me.boot, dead, dead_start);
  g_autofree char *other_boot = make_name ("e.h5", "tmp", me.host, "0123abcd", me.pid, me.start);
  g_autofree char *reused_pid = make_name ("f.h5", "tmp", me.host, me.boot, me.pid, me.start + 1);
  g_autofree char *dead_tree = make_name ("g.tdir", "tmp", me.host, me.boot, dead, dead_start);
  g_autofree char *aside_lost = make_name ("h.tdir", "old", me.host, me.boot, dead, dead_start);
  g_autofree char *aside_kept = make_name ("i.tdir", "old", me.host, me.boot, dead, dead_start);
  g_autofree char *dead_link = make_name ("j.h5", "tmp", me.host, me.boot, dead, dead_start);
  g_autofree char *path = NULL;

  touch (dir, mine);
  touch (dir, of_dead);
  touch (dir, of_zombie);
  touch (dir, other_host);
  touch (dir, other_boot);
  touch (dir, reused_pid);
  touch (dir, ".model.h5.XXXXXX");
  touch (dir, "i.tdir");
  path = g_build_filename (dir, dead_tree, "variables", NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  touch (path, "data");
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, aside_lost, NULL);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  touch (path, "saved_model.pb");
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, aside_kept, NULL);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_clear_pointer (&path, g_free);
  /* A link is removed, not followed. */
  g_assert_true (g_file_set_contents (outside_file, "x", -1, NULL));
  path = g_build_filename (dir, dead_link, NULL);
  g_assert_cmpint (symlink (outside, path), ==, 0);
  g_clear_pointer (&path, g_free);

  strata_atomic_clean_stale (dir);

  g_assert_true (exists (dir, mine));
  g_assert_false (exists (dir, of_dead));
  g_assert_false (exists (dir, of_zombie));
  g_assert_true (exists (dir, other_host));
  g_assert_false (exists (dir, other_boot));
  g_assert_false (exists (dir, reused_pid));
  g_assert_true (exists (dir, ".model.h5.XXXXXX"));
  g_assert_false (exists (dir, dead_tree));
  g_assert_false (exists (dir, aside_lost));
  g_assert_true (exists (dir, "h.tdir/saved_model.pb"));
  g_assert_false (exists (dir, aside_kept));
  g_assert_true (exists (dir, "i.tdir"));
  g_assert_false (exists (dir, dead_link));
  g_assert_true (g_file_test (outside_file, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (waitpid (zombie, NULL, 0), ==, zombie);
  {
    g_auto(GStrv) names = strata_test_list_dir (dir);

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *child = g_build_filename (dir, names[i], NULL);
        g_autofree char *grandchild = g_build_filename (child, "saved_model.pb", NULL);

        g_unlink (grandchild);
        if (g_unlink (child) != 0)
          g_assert_cmpint (g_rmdir (child), ==, 0);
      }
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_unlink (outside_file);
  g_assert_cmpint (g_rmdir (outside), ==, 0);
}

/* A format's scratch file during a save is named after the save's target,
 * not after the save's own temporary (whose name it would nest), so that
 * a kill leaves litter a later save recognises. */
static void
test_scratch_name (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-scratch-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (dir, "m.keras", NULL);
  g_autoptr(StrataSaveTarget) save = NULL;
  g_autofree char *proc = NULL;
  g_autofree char *link = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  StrataTempOwner owner;
  int fd;

  g_setenv ("STRATA_NO_O_TMPFILE", "1", TRUE);
  save = strata_save_target_new (target, FALSE, NULL, &error);
  g_assert_no_error (error);
  fd = strata_format_open_scratch_file (strata_save_target_get_file (save), &error);
  g_unsetenv ("STRATA_NO_O_TMPFILE");
  g_assert_no_error (error);
  /* Unlinked at once: /proc still shows the name it had. */
  proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  link = g_file_read_link (proc, NULL);
  g_assert_nonnull (link);
  if (g_str_has_suffix (link, " (deleted)"))
    link[strlen (link) - strlen (" (deleted)")] = '\0';
  name = g_path_get_basename (link);
  g_assert_true (g_str_has_prefix (name, ".m.keras.strata-tmp-"));
  g_assert_true (strata_atomic_parse_name (name, &owner));
  g_assert_cmpstr (owner.base, ==, "m.keras");
  g_free (owner.base);
  close (fd);
  g_clear_pointer (&save, strata_save_target_free);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/stale-temps/names", test_names);
  g_test_add_func ("/stale-temps/clean", test_clean);
  g_test_add_func ("/stale-temps/scratch-name", test_scratch_name);
  return g_test_run ();
}
