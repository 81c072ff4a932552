/* strata-atomic-private.h: atomic saves that leave nothing behind
 *
 * A save writes a temporary beside its target and moves it into place at
 * the end. A regular file is, where the system allows it, an unnamed file
 * (Linux O_TMPFILE) that a crash takes with it; otherwise, and for
 * directories, the temporary's name says which process on which machine
 * and boot wrote it, and later saves into the same directory remove the
 * temporaries of processes that are gone.
 *
 * The core saves every model and weights file this way (strata-io.c). A
 * format that writes several files itself (a TF checkpoint's index and
 * data shard) replaces each of them with a StrataSaveTarget:
 *
 *   g_autoptr(StrataSaveTarget) t = strata_save_target_new (path, FALSE, NULL, error);
 *   if (t == NULL || !write_into (strata_save_target_get_file (t), error) ||
 *       !strata_save_target_commit (t, FALSE, error))
 *     return FALSE;   // freeing @t removes the temporary; @path is untouched
 *
 * Format modules link the shared libstrata, so the StrataSaveTarget calls
 * are exported (STRATA_PRIVATE_API); they are no public API: the header is
 * neither installed nor introspected. Not thread-safe per target; distinct
 * targets may be used from any threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "strata-version.h"

G_BEGIN_DECLS

/* Exported for Strata's own format modules only. */
#define STRATA_PRIVATE_API _STRATA_EXTERN

/* ---- for formats ---------------------------------------------------------- */

typedef struct _StrataSaveTarget StrataSaveTarget;

/* Removes the stale temporaries beside @path, then creates the temporary
 * for it: an empty directory when @directory, else an empty file. When
 * @existing is given (the target's stat), a file keeps its permissions. */
STRATA_PRIVATE_API
StrataSaveTarget *strata_save_target_new      (const char        *path,
                                               gboolean           directory,
                                               const GStatBuf    *existing,
                                               GError           **error);
/* What the format writes: a path to the temporary (for an unnamed file,
 * /proc/self/fd/N). */
STRATA_PRIVATE_API
GFile            *strata_save_target_get_file (StrataSaveTarget  *self);
/* Flushes the temporary to disk and moves it over the target; a directory
 * replaces an existing one (@replace_directory) atomically where the file
 * system can exchange two names. */
STRATA_PRIVATE_API
gboolean          strata_save_target_commit   (StrataSaveTarget  *self,
                                               gboolean           replace_directory,
                                               GError           **error);
/* Puts the target's path where @error names the temporary. */
STRATA_PRIVATE_API
void              strata_save_target_name_target_in (StrataSaveTarget *self,
                                                     GError           *error);
/* The object data key, on the GFile of strata_save_target_get_file(),
 * that holds the target's path: a format that writes files beside its
 * target (the shards of Keras 3 sharded weights) names them after it. */
#define STRATA_SAVE_TARGET_PATH_KEY "strata-save-target-path"

/* Keeps second names, in a temporary folder beside @near, for those of
 * @paths that exist, so that a failure between replacing some of them
 * and the others can put the old files back
 * (strata_save_target_put_back()). Freeing the result removes the folder
 * (after a kill, the next save beside it does). */
STRATA_PRIVATE_API
StrataSaveTarget *strata_save_target_keep_old (const char         *near,
                                               const char *const  *paths,
                                               guint               n,
                                               GError            **error);
/* Puts back the first @n of @paths as strata_save_target_keep_old() kept
 * them; one that did not exist is removed again. Best effort. */
STRATA_PRIVATE_API
void              strata_save_target_put_back (StrataSaveTarget   *aside,
                                               const char *const  *paths,
                                               guint               n);
/* Removes the temporary unless it was committed. */
STRATA_PRIVATE_API
void              strata_save_target_free     (StrataSaveTarget  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataSaveTarget, strata_save_target_free)

/* ---- the core's own (and white-box tests') -------------------------------- */

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
