/* strata-types.h: forward declarations of the public types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _StrataShape         StrataShape;
typedef struct _StrataTensor        StrataTensor;
typedef struct _StrataLayer         StrataLayer;
typedef struct _StrataKerasTensor   StrataKerasTensor;
typedef struct _StrataModel         StrataModel;
typedef struct _StrataSequential    StrataSequential;
typedef struct _StrataInputLayer    StrataInputLayer;
typedef struct _StrataOpaqueLayer   StrataOpaqueLayer;
typedef struct _StrataRegistry      StrataRegistry;
typedef struct _StrataOptimizer     StrataOptimizer;
typedef struct _StrataLoadOptions   StrataLoadOptions;
typedef struct _StrataSaveOptions   StrataSaveOptions;
typedef struct _StrataWeightsReport StrataWeightsReport;
typedef struct _StrataFormat        StrataFormat;
typedef struct _StrataFormatInfo    StrataFormatInfo;
typedef struct _StrataContents      StrataContents;
typedef struct _StrataSignature     StrataSignature;
typedef struct _StrataTensorSpec    StrataTensorSpec;

/**
 * StrataProgressFunc:
 * @fraction: the fraction of the work done, from 0.0 to 1.0
 * @stage: (nullable): a short, translated description of the current stage
 * @user_data: data passed by the caller
 *
 * Called while a long operation (load, save, convert) runs. It is called
 * in the thread doing the work.
 */
typedef void (*StrataProgressFunc) (double      fraction,
                                    const char *stage,
                                    gpointer    user_data);

G_END_DECLS
