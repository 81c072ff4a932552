/* h5-cudnn.h: cuDNN RNN layers saved as the LSTM / GRU every Keras has
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"
#include "h5-export.h"

G_BEGIN_DECLS

/* @model itself (a new reference) when it holds no CuDNNLSTM / CuDNNGRU
 * layer (nested models and wrappers included), else a copy in which they
 * are LSTM / GRU(reset_after=True) with their weights re-laid out, the
 * training config kept and the optimizer without its state. */
H5K_EXPORT
StrataModel *h5k_model_without_cudnn (StrataModel *model, GError **error);

G_END_DECLS
