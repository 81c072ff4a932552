/* test-utils.h: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* The folder of real Keras files (../shared/fixtures/real), or NULL when it
 * is missing; in that case the test is skipped with a loud message. */
const char *strata_test_real_fixtures (void);
/* g_test_skip()s loudly and returns NULL when the real fixtures are missing. */
char       *strata_test_real_fixture_path (const char *relative);
/* A path under tests/ (G_TEST_SRCDIR). */
char       *strata_test_src_path (const char *relative);
/* Calls g_test_init with isolated dirs and the C locale. */
void        strata_test_init (int *argc, char ***argv);
/* The layer a {"class_name", "config"} JSON object describes, made by the
 * default registry; asserts that it parses and is made. (transfer full) */
StrataLayer *strata_test_layer_from_json (const char *json);

/* The names in @dir, sorted. (transfer full) */
char       **strata_test_list_dir (const char *dir);
/* Whether saves into @dir write unnamed temporaries (O_TMPFILE): the file
 * system can, and STRATA_NO_O_TMPFILE does not forbid it. */
gboolean     strata_test_dir_has_unnamed_files (const char *dir);

G_END_DECLS
