/* strata.h: umbrella header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __STRATA_H_INSIDE__

#include "strata-version.h"
#include "strata-enums.h"
#include "strata-enum-types.h"
#include "strata-error.h"
#include "strata-types.h"
#include "strata-shape.h"
#include "strata-tensor.h"
#include "strata-layer.h"
#include "strata-keras-tensor.h"
#include "strata-model.h"
#include "strata-diff.h"
#include "strata-sequential.h"
#include "strata-input-layer.h"
#include "strata-opaque-layer.h"
#include "strata-registry.h"
#include "strata-optimizer.h"
#include "strata-load-options.h"
#include "strata-save-options.h"
#include "strata-weights-report.h"
#include "strata-contents.h"
#include "strata-format.h"
#include "strata-formats.h"
#include "strata-io.h"
#include "strata-json.h"
#include "strata-predict.h"

#undef __STRATA_H_INSIDE__
