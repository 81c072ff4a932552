/* strata-plan.h: the op-level inference plan
 *
 * A plan is a list of primitive ops in execution order over numbered
 * values. Layers are lowered to these ops (strata-lower*.c); the executor
 * (strata-plan-exec.c) runs them. The ops are TensorFlow ops with
 * TensorFlow's semantics and names, so a plan can be written out as a
 * TensorFlow GraphDef later: every op below names the TF op it is, and its
 * attributes are that op's attributes.
 *
 * Conventions
 * - Every value carries a leading batch axis (dims[0] == -1 in the plan,
 *   the batch size once shapes are known), except constants. A Reshape
 *   with_batch may merge axes into it (TimeDistributed runs its layer on
 *   [B·T, ...]) and split them off again.
 * - Layouts are TensorFlow's defaults: NHWC for images, NWC (a 2-D op on
 *   height 1) for sequences. channels_first layers are lowered as
 *   Transpose, NHWC op, Transpose, as Keras does on TensorFlow.
 * - Constants are weights of the loaded model used in place (their GBytes
 *   is referenced, never copied) or small derived arrays the plan owns
 *   (folded batch-norm factors, scalars).
 * - Binary elementwise ops broadcast like NumPy/TensorFlow.
 * - Dims of a value that the model leaves open (None) are -1 in the plan;
 *   they are resolved when the executor is prepared for input shapes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "strata-shape.h"
#include "strata-tensor.h"

G_BEGIN_DECLS

#define STRATA_PLAN_MAX_RANK   8
#define STRATA_PLAN_MAX_INPUTS 8

typedef enum {
  STRATA_PLAN_F32,
  STRATA_PLAN_I32,
  STRATA_PLAN_F64,   /* a float64 model's values (see StrataPlan.compute) */
} StrataPlanDType;

typedef enum {
  STRATA_PLAN_VALUE_INPUT,    /* a model input (read-only, the caller's data) */
  STRATA_PLAN_VALUE_CONST,    /* a constant: in-place weight or plan-owned array */
  STRATA_PLAN_VALUE_COMPUTED, /* the output of an op */
} StrataPlanValueKind;

/* The ops. The comment gives the TF op and the attributes used (fields of
 * StrataPlanOp.attr); inputs are listed in TF's order. */
typedef enum {
  /* Shape and data movement */
  STRATA_OP_IDENTITY,      /* Identity(x) */
  STRATA_OP_RESHAPE,       /* Reshape(x), shape: non-batch dims, one -1 inferred; batch kept */
  STRATA_OP_TRANSPOSE,     /* Transpose(x), perm (perm[0] == 0: batch stays first) */
  STRATA_OP_PAD,           /* Pad(x), paddings (before/after per axis, zeros) */
  STRATA_OP_SLICE,         /* Slice(x), begin, size (-1: to the end) */
  STRATA_OP_CONCAT,        /* ConcatV2(x0..xn, axis) */
  STRATA_OP_TILE,          /* Tile(x), multiples */
  STRATA_OP_GATHER,        /* GatherV2(params, indices, axis=0): params is a constant */
  STRATA_OP_CAST,          /* Cast(x), DstT = the output dtype (float to int truncates) */
  STRATA_OP_UPSAMPLE,      /* ResizeNearestNeighbor(x, size) with integer factors (repeat); attr.ints = factors per axis */
  STRATA_OP_REVERSE,       /* ReverseV2(x, axis), attr.reduce.axes: bit i set reverses axis i */
  /* Linear algebra */
  STRATA_OP_MATMUL,        /* MatMul(a, b): b is a 2-D [K, N] constant; a's leading axes are
                              flattened as tensordot does ([.., K] -> [.., N]) */
  STRATA_OP_BATCH_MATMUL,  /* BatchMatMulV2(a, b), adj_x, adj_y: the last two axes are the
                              matrices; a and b have the same rank (>= 3) and the same leading
                              axes (no broadcasting) */
  STRATA_OP_BIAS_ADD,      /* BiasAdd(x, bias), data_format NHWC (last axis) */
  STRATA_OP_CONV2D,        /* Conv2D(x NHWC, filter HWIO), strides, dilations, padding (SAME/VALID/EXPLICIT);
                              grouped when C is a multiple of the filter's I (groups = C / I) */
  STRATA_OP_CONV3D,        /* Conv3D(x NDHWC, filter DHWIO), as Conv2D (no EXPLICIT padding in TF) */
  STRATA_OP_CONV2D_BACKPROP_INPUT,  /* Conv2DBackpropInput(filter HWOI, x NHWI): the transposed conv;
                                       strides, dilations, padding SAME/VALID. TF's input_sizes is not
                                       an input: the output lengths follow from x's as Keras computes
                                       them (spec 3.3) with attr.conv.output_padding (-1: None) */
  STRATA_OP_CONV3D_BACKPROP_INPUT,  /* Conv3DBackpropInputV2(filter DHWOI, x NDHWI), as above */
  STRATA_OP_MAX_POOL,      /* MaxPool(x NHWC), ksize, strides, padding SAME/VALID */
  STRATA_OP_AVG_POOL,      /* AvgPool(x NHWC), ksize, strides, padding SAME/VALID (padding not counted) */
  STRATA_OP_MAX_POOL3D,    /* MaxPool3D(x NDHWC), as MaxPool */
  STRATA_OP_AVG_POOL3D,    /* AvgPool3D(x NDHWC), as AvgPool */
  /* Reductions (attr.axes, keep_dims) */
  STRATA_OP_MEAN,          /* Mean(x, axes) */
  STRATA_OP_MAX,           /* Max(x, axes) */
  STRATA_OP_SUM,           /* Sum(x, axes) */
  /* Binary elementwise, broadcasting */
  STRATA_OP_ADD,           /* AddV2 */
  STRATA_OP_SUB,           /* Sub */
  STRATA_OP_MUL,           /* Mul */
  STRATA_OP_DIV,           /* RealDiv */
  STRATA_OP_MAXIMUM,       /* Maximum */
  STRATA_OP_MINIMUM,       /* Minimum */
  STRATA_OP_SQUARED_DIFF,  /* SquaredDifference */
  STRATA_OP_GREATER,       /* Greater, as 0/1 in the output dtype (F32) */
  STRATA_OP_NOT_EQUAL,     /* NotEqual, as 0/1 in the output dtype (F32) */
  /* Unary elementwise */
  STRATA_OP_RELU,          /* Relu */
  STRATA_OP_RELU6,         /* Relu6 */
  STRATA_OP_LEAKY_RELU,    /* LeakyRelu, alpha */
  STRATA_OP_ELU,           /* Elu (alpha 1; other alphas lower to Select as Keras does) */
  STRATA_OP_SELU,          /* Selu */
  STRATA_OP_SIGMOID,       /* Sigmoid */
  STRATA_OP_TANH,          /* Tanh */
  STRATA_OP_SOFTPLUS,      /* Softplus */
  STRATA_OP_SOFTSIGN,      /* Softsign */
  STRATA_OP_EXP,           /* Exp */
  STRATA_OP_LOG,           /* Log */
  STRATA_OP_ABS,           /* Abs */
  STRATA_OP_SQRT,          /* Sqrt */
  STRATA_OP_RSQRT,         /* Rsqrt */
  STRATA_OP_ERFC,          /* Erfc */
  STRATA_OP_NEG,           /* Neg */
  STRATA_OP_CLIP,          /* ClipByValue(x, lo, hi), attr.lo/hi */
  STRATA_OP_GELU,          /* Gelu, approximate (TF 2.x op name "Gelu", activations.gelu) */
  STRATA_OP_SOFTMAX,       /* Softmax (last axis) */
  STRATA_OP_LOG_SOFTMAX,   /* LogSoftmax (last axis) */
  STRATA_OP_SELECT_POS,    /* SelectV2(x > 0, a, b): inputs x, a, b (Elu with alpha, relu threshold;
                              where(mask, a, b) on a 0/1 mask) */
  /* Fused */
  STRATA_OP_RNN,           /* a Keras recurrent layer's time loop, attr.rnn (see StrataPlanRnn below) */
  STRATA_OP_N_TYPES
} StrataOpType;

/* An elementwise function inside a fused op: f(scale·x + shift), where f
 * is one of the unary ops above (STRATA_OP_CLIP clips to [lo, hi],
 * STRATA_OP_LEAKY_RELU takes alpha from lo). Keras 2's hard_sigmoid is
 * CLIP [0, 1] of 0.2·x + 0.5, Keras 3's of x/6 + 0.5. */
typedef struct {
  StrataOpType type;
  float        scale, shift, lo, hi;
} StrataPlanActivation;

/* The cell of STRATA_OP_RNN (spec section 4.1). Gate blocks, each u wide,
 * are in Keras's order: LSTM i, f, c, o; GRU z, r, h. */
typedef enum {
  STRATA_PLAN_CELL_SIMPLE,           /* h = act(xw + h·U) */
  STRATA_PLAN_CELL_LSTM,             /* state [h, c] */
  STRATA_PLAN_CELL_GRU,              /* reset_after=False: ĥ = act(xw_h + (r⊙h)·U_h) */
  STRATA_PLAN_CELL_GRU_RESET_AFTER,  /* ĥ = act(xw_h + r⊙(h·U_h + rbias_h)) */
} StrataPlanCell;

/* STRATA_OP_RNN: the time loop of Keras's backend.rnn (spec 4.2) around
 * one cell, like TF's CudnnRNNV3 but with Keras's cells, activations and
 * mask rules. The input projection is not part of it: the lowering
 * computes xw = x·W + bias for all steps at once with MatMul/BiasAdd.
 *
 * Inputs: 0 xw [B, T, G·u] (G gate blocks), 1 the recurrent kernel
 * U [u, G·u], then the optional inputs at the slots the attributes give
 * (-1 when absent): the recurrent bias [G·u] (GRU reset_after), the mask
 * [B, T] (0: the step is masked), the initial h [B, u] and c [B, u]
 * (zeros when absent).
 *
 * Steps run in the order t = 0..T-1, or T-1..0 with go_backwards. A
 * masked step keeps the state, and its output is the previous step's
 * output (0 before the first step), or 0 with zero_output_for_mask.
 *
 * Output [B, 1 + S + T, u], S = 2 for LSTM, else 1: row 0 the last output,
 * rows 1..S the final states (h, then c), then the T outputs in
 * processing order (not re-reversed with go_backwards). The lowering
 * slices what the layer returns. */
typedef struct {
  StrataPlanCell       cell;
  StrataPlanActivation activation, recurrent_activation;
  gboolean             go_backwards, zero_output_for_mask;
  gint8                rbias, mask, h0, c0;   /* input slots, -1 when absent */
} StrataPlanRnn;

/* TF's padding attribute of Conv2D and pooling. */
typedef enum {
  STRATA_PLAN_PADDING_VALID,
  STRATA_PLAN_PADDING_SAME,      /* before = floor(P/2), the extra one after */
  STRATA_PLAN_PADDING_EXPLICIT,  /* explicit_paddings (attr pads) */
} StrataPlanPadding;

typedef struct {
  StrataPlanValueKind kind;
  StrataPlanDType     dtype;
  guint               rank;
  gint64              dims[STRATA_PLAN_MAX_RANK];  /* -1: batch or unknown */
  /* Constants */
  const void         *data;
  GBytes             *owner;       /* keeps @data alive (a weight's GBytes or a plan array) */
  /* Where it came from, for errors and graph export */
  const char         *layer;       /* interned layer name, NULL for inputs */
} StrataPlanValue;

typedef struct {
  StrataOpType  type;
  guint         n_inputs;
  guint         inputs[STRATA_PLAN_MAX_INPUTS];
  guint         output;
  const char   *layer;                 /* interned name of the Keras layer lowered to it */
  union {
    /* non-batch dims; with_batch: @shape includes the batch axis (TF's
     * full shape, one -1), so leading axes merge into or split off it */
    struct { gint64 shape[STRATA_PLAN_MAX_RANK]; guint rank; gboolean with_batch; } reshape;
    struct { guint perm[STRATA_PLAN_MAX_RANK]; } transpose;
    struct { gint64 before[STRATA_PLAN_MAX_RANK], after[STRATA_PLAN_MAX_RANK]; } pad;
    struct { gint64 begin[STRATA_PLAN_MAX_RANK], size[STRATA_PLAN_MAX_RANK]; } slice;
    struct { gint64 multiples[STRATA_PLAN_MAX_RANK]; } tile;
    struct { int axis; } axis;            /* ConcatV2 */
    struct { guint axes; gboolean keep_dims; } reduce;  /* bit i set: reduce axis i */
    /* per spatial axis, in order (2 or 3); pads: before and after of each axis (EXPLICIT) */
    struct { int strides[3], dilations[3], pads[6], output_padding[3]; StrataPlanPadding padding; } conv;
    struct { int ksize[3], strides[3]; StrataPlanPadding padding; } pool;  /* VALID or SAME */
    struct { gboolean adj_x, adj_y; } batch_matmul;
    struct { float alpha; } leaky;
    struct { float lo, hi; } clip;
    struct { gboolean approximate; } gelu;
    struct { int factors[STRATA_PLAN_MAX_RANK]; } upsample;
    StrataPlanRnn rnn;
  } attr;
} StrataPlanOp;

typedef struct _StrataPlan StrataPlan;

struct _StrataPlan {
  GArray   *values;    /* StrataPlanValue */
  GArray   *ops;       /* StrataPlanOp, in execution order */
  GArray   *inputs;    /* guint value ids, the model's inputs in Keras order */
  GArray   *outputs;   /* guint value ids, the model's outputs in Keras order */
  gboolean  keras3;    /* computes as Keras 3 (else tf-keras / Keras 2) */
  /* The float type of every float value: F32, or F64 for a model whose
   * layers all have the float64 dtype policy. A F64 plan holds only ops
   * that strata_kernel_has_f64() accepts. */
  StrataPlanDType compute;
};

StrataPlan            *strata_plan_new        (void);
void                   strata_plan_free       (StrataPlan *plan);
const char            *strata_op_type_name    (StrataOpType type);  /* the TF op name */

static inline StrataPlanValue *
strata_plan_value (StrataPlan *plan, guint id)
{
  return &g_array_index (plan->values, StrataPlanValue, id);
}

/* Building. Values get the next id. */
guint  strata_plan_add_input  (StrataPlan *plan, StrataPlanDType dtype, guint rank, const gint64 *dims);
/* A constant of @dtype viewing @data inside @owner (referenced; nothing is copied). */
guint  strata_plan_add_const  (StrataPlan *plan, const char *layer, StrataPlanDType dtype, guint rank,
                               const gint64 *dims, const void *data, GBytes *owner);
/* A float constant the plan owns, copied from @values. */
guint  strata_plan_add_floats (StrataPlan *plan, const char *layer, guint rank, const gint64 *dims,
                               const float *values);
/* A scalar constant of the plan's float type (StrataPlan.compute). */
guint  strata_plan_add_scalar (StrataPlan *plan, const char *layer, double value);
/* A float64 constant the plan owns, copied from @values. */
guint  strata_plan_add_doubles (StrataPlan *plan, const char *layer, guint rank, const gint64 *dims,
                                const double *values);
/* For a F64 plan: every F32 constant (those the lowering made from
 * float32 numbers) replaced by its float64 copy. */
void   strata_plan_constants_to_f64 (StrataPlan *plan);
/* The bytes of one element of @dtype. */
gsize  strata_plan_dtype_size (StrataPlanDType dtype);
/* Appends @op (type, inputs, attributes set by the caller), infers the
 * output's static shape (open dims stay -1) and returns the output id, or
 * G_MAXUINT with @error set when the shapes do not fit. */
guint  strata_plan_add_op     (StrataPlan *plan, StrataPlanOp *op, GError **error);

/* Shape inference shared by building (open dims -1) and preparing
 * (concrete dims): the output shape of @op from @in_dims. */
gboolean strata_plan_infer_shape (const StrataPlanOp *op, const StrataPlanValue *values,
                                  const guint *in_rank, gint64 (*in_dims)[STRATA_PLAN_MAX_RANK],
                                  StrataPlanDType *out_dtype, guint *out_rank, gint64 *out_dims,
                                  GError **error);

/* The padding before and after one spatial axis of length @n (SAME,
 * VALID or EXPLICIT with @explicit_before/@explicit_after), and the output length. */
gint64 strata_plan_window (StrataPlanPadding padding, gint64 n, int k, int stride, int dilation,
                           int explicit_before, int explicit_after, int *before, int *after);

/* A human-readable listing of the plan, one op a line (for debugging and tests). */
char  *strata_plan_to_string  (StrataPlan *plan);

/* Executor: a plan prepared for concrete input shapes. */
typedef struct _StrataPlanExec StrataPlanExec;

StrataPlanExec *strata_plan_exec_new  (StrataPlan *plan, GPtrArray *input_shapes, GError **error);
void            strata_plan_exec_free (StrataPlanExec *exec);
/* Whether @exec was prepared for these input shapes (StrataShape). */
gboolean        strata_plan_exec_matches (StrataPlanExec *exec, GPtrArray *input_shapes);
/* Runs the plan on @inputs (host pointers, one per plan input, in the
 * plan's input dtypes) and returns one new StrataTensor per output. */
GPtrArray      *strata_plan_exec_run  (StrataPlanExec *exec, const void * const *inputs,
                                       GCancellable *cancellable, GError **error);
gsize           strata_plan_exec_get_arena_size (StrataPlanExec *exec);

G_END_DECLS
