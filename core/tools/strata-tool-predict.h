/* strata-tool-predict.h: `strata predict MODEL INPUT.npy… -o OUTPUT.npz`
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* Predicts on the arrays of the .npy files @input_paths (one per model
 * input, in order), @batch_size rows at a time (all at once when <= 0),
 * and writes the outputs to the .npz archive @output, with a progress
 * bar over the batches when @show_progress. */
gboolean strata_tool_predict (StrataModel  *model,
                              char        **input_paths,
                              guint         n_inputs,
                              const char   *output,
                              gint64        batch_size,
                              gboolean      show_progress,
                              GError      **error);

G_END_DECLS
