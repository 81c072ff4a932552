/* strata-model-cudnn-private.h: cuDNN RNN layers as the LSTM / GRU every Keras has
 *
 * Exported for Strata's own format modules only (STRATA_PRIVATE_API); the
 * header is neither installed nor introspected.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-model.h"

G_BEGIN_DECLS

#ifndef STRATA_PRIVATE_API
#define STRATA_PRIVATE_API _STRATA_EXTERN
#endif

/* @model itself (a new reference) when it holds no CuDNNLSTM / CuDNNGRU
 * layer (nested models and wrappers included), else a copy in which they
 * are LSTM / GRU(reset_after=True) with their weights re-laid out, the
 * training config kept and the optimizer without its state. Every format
 * that writes for a Keras without cuDNN layers (tf-keras 2.x, Keras 3)
 * saves this copy. */
STRATA_PRIVATE_API
StrataModel *strata_model_without_cudnn (StrataModel  *model,
                                         GError      **error);

G_END_DECLS
