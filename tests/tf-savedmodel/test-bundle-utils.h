/* test-bundle-utils.h: helpers of the TensorBundle tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "tsm-sstable.h"

G_BEGIN_DECLS

/* The TF 2.2 SavedModel and checkpoint of tf-keras's testdata. */
#define LSO_SAVEDMODEL "tf-keras-testdata/lso_savedmodel_tf2.2/variables/variables"
#define LSO_CKPT       "tf-keras-testdata/lso_ckpt_tf2.2/ckpt"

/* The absolute prefix of a real bundle, or NULL (the test is then skipped,
 * or failed under CI=true) when the real fixtures are missing. */
char    *tsm_test_real_prefix   (const char   *relative);

/* A temporary folder for one test and a bundle prefix in it: g_test_add
 * with the prefix's base name as test data. */
typedef struct {
  char *dir;
  char *prefix;       /* DIR/NAME */
  char *index_path;   /* DIR/NAME.index */
} TsmTestDir;

void     tsm_test_dir_setup     (TsmTestDir    *t,
                                 gconstpointer  name);
void     tsm_test_dir_teardown  (TsmTestDir    *t,
                                 gconstpointer  name);

/* A new empty folder, removed with everything in it by tsm_test_rmtree. */
char    *tsm_test_make_tmpdir   (void);
void     tsm_test_rmtree        (const char   *dir);

GBytes  *tsm_test_read_file     (const char   *path);
void     tsm_test_write_file    (const char   *path,
                                 const void   *data,
                                 gsize         size);
void     tsm_test_write_bytes   (const char   *path,
                                 GBytes       *bytes);
/* Copies PREFIX.index and every PREFIX.data-* to DIR/NAME.*; returns
 * DIR/NAME. */
char    *tsm_test_copy_bundle   (const char   *prefix,
                                 const char   *dir,
                                 const char   *name);

/* Rewrites the trailer CRC of the block at @handle in @file. */
void     tsm_test_fix_block_crc (guint8         *file,
                                 TsmBlockHandle  handle);

/* A table whose only data block has the raw @contents (entries and
 * restart array, as given) and whose index maps @separator to it. */
GBytes  *tsm_test_make_table    (const guint8  *contents,
                                 gsize          size,
                                 const char    *separator);

/* Asserts @error is STRATA_FORMAT_ERROR/@code and its message holds each
 * of the NULL-terminated strings. */
void     tsm_test_assert_error  (const GError  *error,
                                 int            code,
                                 ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
