/* strata-atomic-private.h: atomic saves that leave nothing behind
 *
 * A save writes a temporary beside its target and moves it into place at
 * the end. A regular file is, where the system allows it, an unnamed file
 * (Linux O_TMPFILE) that a crash takes with it; otherwise, and for
 * directories, the temporary's name says which process on which machine
 * and boot wrote it, and later saves into the same directory remove the
 * temporaries of processes that are gone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>

G_BEGIN_DECLS

typedef struct _StrataSaveTarget StrataSaveTarget;

/* Removes the stale temporaries beside @path, then creates the temporary
 * for it: an empty directory when @directory, else an empty file. When
 * @existing is given (the target's stat), a file keeps its permissions. */
StrataSaveTarget *strata_save_target_new      (const char        *path,
                                               gboolean           directory,
                                               const GStatBuf    *existing,
                                               GError           **error);
/* What the format writes: a path to the temporary (for an unnamed file,
 * /proc/self/fd/N). */
GFile            *strata_save_target_get_file (StrataSaveTarget  *self);
/* Flushes the temporary to disk and moves it over the target; a directory
 * replaces an existing one (@replace_directory) atomically where the file
 * system can exchange two names. */
gboolean          strata_save_target_commit   (StrataSaveTarget  *self,
                                               gboolean           replace_directory,
                                               GError           **error);
/* Puts the target's path where @error names the temporary. */
void              strata_save_target_name_target_in (StrataSaveTarget *self,
                                                     GError           *error);
/* Removes the temporary unless it was committed. */
void              strata_save_target_free     (StrataSaveTarget  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataSaveTarget, strata_save_target_free)

/* Who wrote a temporary, as its name records it. */
typedef struct {
  char    kind[4];   /* "tmp" (removable) or "old" (a replaced folder, put back if its target is gone) */
  char    host[9];   /* machine and PID namespace */
  char    boot[9];
  gint64  pid;
  guint64 start;     /* the process's start time, in clock ticks since boot */
  char   *base;      /* the target's name */
} StrataTempOwner;

/* A temporary's name for @base written by this process, with a trailing
 * XXXXXX for g_mkstemp(); NULL when @base is too long for the name to hold
 * it whole and @kind is "old". */
char    *strata_atomic_temp_template (const char      *base,
                                      const char      *kind);
/* Parses a temporary's name; @owner->base must be freed. */
gboolean strata_atomic_parse_name    (const char      *name,
                                      StrataTempOwner *owner);
/* Whether the process that wrote a temporary is gone. */
gboolean strata_atomic_owner_is_gone (const StrataTempOwner *owner);
/* Removes (or, for a replaced folder whose target is missing, puts back)
 * the temporaries in @dirname whose writers are gone. Best effort. */
void     strata_atomic_clean_stale   (const char      *dirname);

G_END_DECLS
