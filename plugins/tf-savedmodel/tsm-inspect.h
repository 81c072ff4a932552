/* tsm-inspect.h: describing SavedModels and TF checkpoints without Keras
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"

G_BEGIN_DECLS

/* Tags, signatures and variables (with digests) of the SavedModel folder
 * or checkpoint at @path. */
StrataContents *tsm_inspect (const char    *path,
                             GCancellable  *cancellable,
                             GError       **error);

G_END_DECLS
