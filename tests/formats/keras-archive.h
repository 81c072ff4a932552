/* keras-archive.h: .keras archives for the tests of sniffing and loading
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* Saves a small Sequential (the generated sequential_dense config with its
 * initial weights) as @dir/@basename with the keras-v3 format, and returns
 * the path; *@model (if not NULL) gets the model saved. Returns NULL after
 * g_test_skip() when the keras-v3 module or libzip is missing. */
char *keras_archive_save       (const char   *dir,
                                const char   *basename,
                                StrataModel **model);
/* Extracts the (flat) zip @archive into the new directory @dir, as
 * Keras's zipped=False and Hugging Face uploads lay it out. */
void  keras_archive_unzip      (const char   *archive,
                                const char   *dir);
/* Writes a zip at @path of (name, contents) pairs, NULL-terminated. */
void  keras_archive_write_zip  (const char   *path,
                                const char   *const *pairs);
/* Removes @dir and the files directly in it. */
void  keras_archive_remove_dir (const char   *dir);
/* Asserts that @a and @b hold equal weights, in order. */
void  keras_archive_assert_same_weights (StrataModel *a,
                                         StrataModel *b);
/* Saves @model as @dir/@basename (the format from the extension), loads it
 * back, asserts the weights are the same, removes the file and returns
 * what was loaded; NULL when the keras-v3 module for a .keras is missing. */
StrataModel *keras_archive_save_and_load (StrataModel *model,
                                          const char  *dir,
                                          const char  *basename);

G_END_DECLS
