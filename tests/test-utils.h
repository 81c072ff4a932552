/* test-utils.h: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* Whether the tests run under CI=true, where every fixture, tool, module
 * and the Keras venv exists: a test that cannot run there has failed. */
gboolean    strata_test_in_ci (void);
/* The one way a C test skips: g_test_skip() with the reason (printed
 * loudly), or, under CI=true, g_test_fail() with the same reason. */
void        strata_test_skip (const char *format,
                              ...) G_GNUC_PRINTF (1, 2);
/* The folder of real Keras files (../shared/fixtures/real), or NULL when it
 * is missing (nothing reported: see strata_test_real_fixture_path). */
const char *strata_test_real_fixtures (void);
/* The path of a real fixture; strata_test_skip()s and returns NULL when the
 * real fixtures are missing. */
char       *strata_test_real_fixture_path (const char *relative);
/* A path under tests/ (G_TEST_SRCDIR). */
char       *strata_test_src_path (const char *relative);
/* Calls g_test_init with isolated dirs and the C locale. */
void        strata_test_init (int *argc, char ***argv);
/* One entry of a corpus test's expected_outcomes: a file of the corpus
 * (relative path) that does not simply pass, the outcome it has instead
 * (a value of the test's own enum) and why. */
typedef struct {
  const char *file;
  int         outcome;
  const char *reason;
} StrataTestOutcome;

/* Whether @file is in @outcomes (@n entries) with @outcome. */
gboolean    strata_test_outcome_is (const StrataTestOutcome *outcomes,
                                    gsize                    n,
                                    const char              *file,
                                    int                      outcome);
/* Appends to @files the paths of the files under @dir (recursively) whose
 * names end with one of @suffixes, sorted. */
void        strata_test_collect_files (const char         *dir,
                                       const char * const *suffixes,
                                       GPtrArray          *files);
/* Whether Strata's name of a weight ("layer/weight:0", as tf-keras names
 * it) names the weight Keras called @keras_name (tf-keras:
 * "layer/weight:0"; Keras 3: "outer/layer/weight"): the same weight (last
 * part) of the same layer (first part, a part of Keras's name). */
gboolean    strata_test_weight_name_matches (const char *strata_name,
                                             const char *keras_name);
/* The layer a {"class_name", "config"} JSON object describes, made by the
 * default registry; asserts that it parses and is made. (transfer full) */
StrataLayer *strata_test_layer_from_json (const char *json);

/* The names in @dir, sorted. (transfer full) */
char       **strata_test_list_dir (const char *dir);
/* The model in the file @path; a load error fails the test. (transfer full) */
StrataModel *strata_test_load_model (const char *path);
/* Removes @path, and a directory's contents first; symbolic links are
 * removed, never followed. Best effort. */
void         strata_test_remove_tree (const char *path);
/* Whether saves into @dir write unnamed temporaries (O_TMPFILE): the file
 * system can, and STRATA_NO_O_TMPFILE does not forbid it. */
gboolean     strata_test_dir_has_unnamed_files (const char *dir);

G_END_DECLS
