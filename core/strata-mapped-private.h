/* strata-mapped-private.h: weights in read-only file mappings, and giving
 * their pages back once they have been used
 *
 * A format module maps a file and hands out slices of it as tensor data.
 * A pass that reads each weight once (a conversion, a digest) would keep
 * every page it touched resident in the process, so a model larger than
 * memory would need as much memory as its file. Such a pass calls
 * strata_tensor_release_pages() after each weight: the pages of a weight
 * that lies in a registered mapping are unmapped from the process (they
 * stay in the page cache, and a later read maps them again).
 *
 * Only mappings made with strata_mapped_bytes_new() are registered, so
 * memory of any other origin is never touched. Exported for Strata's own
 * format modules only (STRATA_PRIVATE_API); the header is neither installed
 * nor introspected. Thread-safe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "strata-tensor.h"
#include "strata-version.h"

G_BEGIN_DECLS

#ifndef STRATA_PRIVATE_API
#define STRATA_PRIVATE_API _STRATA_EXTERN
#endif

/* The contents of a read-only @file (g_mapped_file_new (path, FALSE, …))
 * as bytes whose pages may be released; the range is registered until the
 * bytes and every slice of them are freed. Takes a reference to @file. */
STRATA_PRIVATE_API
GBytes *strata_mapped_bytes_new (GMappedFile *file);

/* Gives back the whole pages of @data[0..@size) if they lie in a
 * registered mapping; does nothing otherwise. */
STRATA_PRIVATE_API
void strata_mapped_release (gconstpointer data,
                            gsize         size);

/* strata_mapped_release() of @tensor's data, if it has any. */
STRATA_PRIVATE_API
void strata_tensor_release_pages (StrataTensor *tensor);

G_END_DECLS
