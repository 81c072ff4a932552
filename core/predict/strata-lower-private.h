/* strata-lower-private.h: lowering Keras layers to plan ops
 *
 * The graph walker (strata-lower.c) reads the model's config in the
 * tf-keras dialect (strata_model_to_config_object: every Keras version's
 * layer keys are normalised to tf-keras names there), follows its nodes,
 * and calls one lowering function per layer call. A lowering function
 * appends ops for the call's input values and sets its output values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-error.h"
#include "strata-json.h"
#include "strata-keras-tensor.h"
#include "strata-layer.h"
#include "strata-model.h"
#include "strata-plan.h"
#include "strata-predict.h"

G_BEGIN_DECLS

#define STRATA_LOWER_MAX_OUTPUTS 8

/* Whether a value id is one (op builders return G_MAXUINT on error). */
#define STRATA_LOWER_OK(x) ((x) != G_MAXUINT)

typedef struct {
  StrataPlan  *plan;
  StrataLayer *layer;        /* the layer object: its weights */
  const char  *name;
  const char  *class_name;
  JsonObject  *config;       /* the layer's config (tf-keras keys) */
  JsonObject  *kwargs;       /* the call's keyword arguments, or NULL */
  JsonArray   *args;         /* a Keras 3 node's positional arguments as written
                                (constants included), or NULL */
  guint        n_inputs;
  const guint *inputs;       /* value ids */
  const guint *masks;        /* per input: the id of its Keras mask ([B, T], 0/1), or G_MAXUINT;
                                the call's mask keyword, when given, else the input's */
  guint        attention_mask; /* the tensor of an attention_mask keyword, or G_MAXUINT */
  guint        n_outputs;
  guint        outputs[STRATA_LOWER_MAX_OUTPUTS];
  /* The output masks, when the function sets masks_set. Otherwise the
   * walker passes the first input's mask on for the layers that do so in
   * Keras (strata_lower_passes_mask) and refuses other layers that
   * receive one. */
  guint        out_masks[STRATA_LOWER_MAX_OUTPUTS];
  gboolean     masks_set;
  /* Weights the function reads: [weights_first, weights_first + n_weights)
   * of the layer's (a wrapper's inner layer uses a part). */
  guint        weights_first;
  guint        n_weights;    /* G_MAXUINT: to the end */
} StrataLowerCall;

/* Returns FALSE with @error set; STRATA_PREDICT_ERROR_UNSUPPORTED marks an
 * option that is not implemented (collected with the unknown layers). */
typedef gboolean (*StrataLowerFunc) (StrataLowerCall *call, GError **error);

/* The lowering function of a Keras class, NULL when it cannot run. */
StrataLowerFunc strata_lower_lookup (const char *class_name);
/* Whether Keras passes a layer's input mask on unchanged. */
gboolean        strata_lower_passes_mask (const char *class_name);

/* Helpers for lowering functions (strata-lower-util.c). */
gboolean    strata_lower_unsupported (StrataLowerCall *call, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
const char *strata_lower_get_string  (StrataLowerCall *call, const char *key, const char *fallback);
double      strata_lower_get_double  (StrataLowerCall *call, const char *key, double fallback);
gint64      strata_lower_get_int     (StrataLowerCall *call, const char *key, gint64 fallback);
gboolean    strata_lower_get_bool    (StrataLowerCall *call, const char *key, gboolean fallback);
/* An int or list of ints into @out (an int is repeated @n times). */
gboolean    strata_lower_get_ints    (StrataLowerCall *call, const char *key, guint n, gint64 *out,
                                      gint64 fallback);
/* The layer's weights in Keras order as plan constants (used in place;
 * float32 only for now). @n_weights receives how many there are. */
gboolean    strata_lower_weights     (StrataLowerCall *call, guint *ids, guint max, guint *n_weights,
                                      GError **error);
StrataPlanValue *strata_lower_value  (StrataLowerCall *call, guint id);
/* Appends an op of @type on @inputs (attributes zero) and returns its output. */
guint       strata_lower_op          (StrataLowerCall *call, StrataOpType type, guint n_inputs,
                                      const guint *inputs, GError **error);
guint       strata_lower_op_full     (StrataLowerCall *call, StrataPlanOp *op, GError **error);
guint       strata_lower_unary       (StrataLowerCall *call, StrataOpType type, guint x, GError **error);
guint       strata_lower_binary      (StrataLowerCall *call, StrataOpType type, guint a, guint b,
                                      GError **error);
guint       strata_lower_reshape     (StrataLowerCall *call, guint x, guint rank, const gint64 *dims,
                                      GError **error);
guint       strata_lower_transpose   (StrataLowerCall *call, guint x, const guint *perm, GError **error);
/* Normalises a possibly negative @axis for @rank; -1 when out of range. */
int         strata_lower_axis        (int axis, guint rank);

/* Activations by config name or serialized object (strata-lower-activations.c). */
const char *strata_lower_activation_name (JsonNode *activation);
guint       strata_lower_activation  (StrataLowerCall *call, JsonNode *activation, guint x,
                                      GError **error);
/* The ReLU of tf-keras backend.relu / Keras 3 ReLU (spec 2.2). */
guint       strata_lower_relu        (StrataLowerCall *call, guint x, double negative_slope,
                                      gboolean has_max, double max_value, double threshold,
                                      GError **error);
/* Softmax over @axes (bit mask) of @x. */
guint       strata_lower_softmax     (StrataLowerCall *call, guint x, guint axes, gboolean log,
                                      GError **error);

/* Per-family lowering functions. */
gboolean strata_lower_core        (StrataLowerCall *call, GError **error);
gboolean strata_lower_activations (StrataLowerCall *call, GError **error);
gboolean strata_lower_merge       (StrataLowerCall *call, GError **error);
gboolean strata_lower_reshaping   (StrataLowerCall *call, GError **error);
gboolean strata_lower_conv        (StrataLowerCall *call, GError **error);
gboolean strata_lower_pooling     (StrataLowerCall *call, GError **error);
gboolean strata_lower_norm        (StrataLowerCall *call, GError **error);
gboolean strata_lower_rnn         (StrataLowerCall *call, GError **error);  /* and Masking, wrappers */
gboolean strata_lower_ops         (StrataLowerCall *call, GError **error);  /* Keras 3 operation nodes */
gboolean strata_lower_attention   (StrataLowerCall *call, GError **error);

/* A weight constant viewed with other dims (as many elements). */
guint       strata_lower_const_view (StrataLowerCall *call, guint weight, guint rank, const gint64 *dims);

/* Members of a given type, NULL when absent or of another type. */
JsonObject *strata_lower_object_member (JsonObject *object, const char *key);
JsonArray  *strata_lower_array_member  (JsonObject *object, const char *key);
const char *strata_lower_string_member (JsonObject *object, const char *key);
const char *strata_lower_string_or_empty (JsonObject *object, const char *key);
const char *strata_lower_class_name (JsonObject *entry);
/* Ends a lowering with one output @y; FALSE when @y is no value. */
gboolean    strata_lower_done (StrataLowerCall *call, guint y);

/* Whether the plan computes as Keras 3 (else tf-keras / Keras 2). */
static inline gboolean
strata_lower_keras3 (StrataLowerCall *call)
{
  return call->plan->keras3;
}

G_END_DECLS
