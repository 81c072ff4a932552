/* strata-builtin-private.h: the table that describes the built-in layer classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every built-in Keras layer class is one StrataLayerRow: its Keras name and
 * aliases, the hyper-parameters it exposes as GObject properties, and two
 * functions (build, output shapes). strata-builtin-layer.c registers one
 * GType per row with the row as class data, so no class needs boilerplate.
 * Hyper-parameters live in the layer's stored config (config-backed class):
 * properties read and write it directly and keys no row models stay intact.
 *
 * Adding a class: append a row to the family table (strata-layers-*.c)
 * with its Keras name, "Strata<Name>" type name, Keras 1 aliases, the keys
 * it exposes (STRATA_P_* with the Keras default and the Keras 1 key), a
 * build function that adds the weights in Keras order with
 * strata_builtin_add_weight() and an output-shape function; then add a
 * case to tests/layers (and regenerate real-shapes.json when real files
 * use it).
 */
#pragma once

#include "strata-layer.h"
#include "strata-shape.h"
#include "strata-tensor.h"
#include "strata-registry.h"
#include "strata-input-layer.h"
#include "strata-opaque-layer.h"
#include "strata-error.h"
#include "strata-layer-private.h"
#include "strata-registry-private.h"
#include "strata-shape-private.h"
#include "strata-json-private.h"
#include "strata-layers-private.h"

G_BEGIN_DECLS

typedef enum {
  STRATA_PROP_INT,
  STRATA_PROP_DOUBLE,
  STRATA_PROP_BOOL,
  STRATA_PROP_STRING,
  STRATA_PROP_JSON,          /* any JSON value: tuples, objects, lists */
} StrataPropKind;

typedef struct {
  const char    *key;        /* Keras key; the property name uses '-' for '_' */
  StrataPropKind kind;
  const char    *def;        /* Keras default as JSON text, or NULL (no default) */
  const char    *fallback;   /* older key read when @key is absent (Keras 1), or NULL */
} StrataPropSpec;

/* Row shorthands: key, default (JSON text) and optional Keras 1 key. */
#define STRATA_P_INT(k, d)        { k, STRATA_PROP_INT, d, NULL }
#define STRATA_P_DOUBLE(k, d)     { k, STRATA_PROP_DOUBLE, d, NULL }
#define STRATA_P_BOOL(k, d)       { k, STRATA_PROP_BOOL, d, NULL }
#define STRATA_P_STRING(k, d)     { k, STRATA_PROP_STRING, d, NULL }
#define STRATA_P_JSON(k, d)       { k, STRATA_PROP_JSON, d, NULL }
#define STRATA_P_INT1(k, d, o)    { k, STRATA_PROP_INT, d, o }
#define STRATA_P_DOUBLE1(k, d, o) { k, STRATA_PROP_DOUBLE, d, o }
#define STRATA_P_BOOL1(k, d, o)   { k, STRATA_PROP_BOOL, d, o }
#define STRATA_P_STRING1(k, d, o) { k, STRATA_PROP_STRING, d, o }
#define STRATA_P_JSON1(k, d, o)   { k, STRATA_PROP_JSON, d, o }

typedef struct _StrataLayerRow StrataLayerRow;

typedef gboolean   (*StrataRowBuildFunc) (StrataLayer          *self,
                                          const StrataLayerRow *row,
                                          GPtrArray            *input_shapes,
                                          GError              **error);
typedef GPtrArray *(*StrataRowShapeFunc) (StrataLayer          *self,
                                          const StrataLayerRow *row,
                                          GPtrArray            *input_shapes,
                                          GError              **error);

#define STRATA_ROW_MAX_ALIASES 6
#define STRATA_ROW_MAX_PROPS   24

struct _StrataLayerRow {
  const char        *keras_name;
  const char        *type_name;
  const char        *aliases[STRATA_ROW_MAX_ALIASES];   /* NULL-terminated */
  StrataRowBuildFunc build;                            /* NULL: no weights */
  StrataRowShapeFunc shapes;
  guint              rank;      /* spatial rank of conv/pool/padding classes */
  int                variant;   /* family-specific switch (max/avg, merge op...) */
  StrataPropSpec     props[STRATA_ROW_MAX_PROPS];       /* terminated by key == NULL */
};

/* Family tables (one file each). */
const StrataLayerRow *strata_layers_core_rows  (guint *n_rows);
const StrataLayerRow *strata_layers_conv_rows  (guint *n_rows);
const StrataLayerRow *strata_layers_norm_rows  (guint *n_rows);
const StrataLayerRow *strata_layers_rnn_rows   (guint *n_rows);
const StrataLayerRow *strata_layers_merge_rows (guint *n_rows);
const StrataLayerRow *strata_layers_einsum_rows (guint *n_rows);

/* The row of a built-in layer (also for subclasses of built-in types), or NULL. */
const StrataLayerRow *strata_builtin_layer_get_row (StrataLayer *self);
/* The GType of the row named @keras_name (registering the types if needed). */
GType                 strata_builtin_layer_lookup  (const char *keras_name);

/* Config access with Keras 1 fallbacks: each getter takes a NULL-terminated
 * list of keys, the first one present in the stored config wins. A member
 * of the wrong type fails with STRATA_CONFIG_ERROR_INVALID naming the layer
 * and the key. */
gboolean  strata_cfg_int      (StrataLayer *self, gint64 fallback, gint64 *out,
                               GError **error, const char *key, ...) G_GNUC_NULL_TERMINATED;
gboolean  strata_cfg_double   (StrataLayer *self, double fallback, double *out,
                               GError **error, const char *key, ...) G_GNUC_NULL_TERMINATED;
gboolean  strata_cfg_bool     (StrataLayer *self, gboolean fallback, gboolean *out,
                               GError **error, const char *key, ...) G_GNUC_NULL_TERMINATED;
/* @out points into the config (or is @fallback); NULL for a JSON null. */
gboolean  strata_cfg_string   (StrataLayer *self, const char *fallback, const char **out,
                               GError **error, const char *key, ...) G_GNUC_NULL_TERMINATED;
/* An int or a list of @n ints (a single int is repeated). */
gboolean  strata_cfg_tuple    (StrataLayer *self, guint n, const gint64 *fallback, gint64 *out,
                               GError **error, const char *key, ...) G_GNUC_NULL_TERMINATED;
/* The member (not null) under the first present key, or NULL. (transfer none) */
JsonNode *strata_cfg_node     (StrataLayer *self, const char *key, ...) G_GNUC_NULL_TERMINATED;
/* The initializer under @key, else @keras1_key, else the string @fallback. (transfer full) */
JsonNode *strata_cfg_initializer (StrataLayer *self, const char *key,
                                  const char *keras1_key, const char *fallback);

/* channels_first from data_format, or Keras 1 dim_ordering ("th"); without
 * either, the model-wide Keras 1 ordering of the load context (see
 * strata_config_keras1_dim_ordering()), else channels last. */
gboolean  strata_cfg_channels_first (StrataLayer *self, gboolean *out, GError **error);
/* padding / border_mode, lower-cased: "valid", "same", "causal", "full". */
gboolean  strata_cfg_padding  (StrataLayer *self, const char **out, GError **error);

/* The dtype of the layer's variables: its dtype, float32 for mixed
 * precision policies and non-float dtypes. */
StrataDType strata_builtin_weight_dtype (StrataLayer *self);
/* Adds a weight of the layer's variable dtype (takes ownership of @shape
 * and @initializer; a NULL @shape means its constructor set @error). */
gboolean  strata_builtin_add_weight (StrataLayer *self, const char *name, StrataShape *shape,
                                     JsonNode *initializer, gboolean trainable, GError **error);
/* Adds "bias" of @shape when use_bias (Keras 1 "bias") is true. */
gboolean  strata_builtin_add_bias (StrataLayer *self, StrataShape *shape, GError **error);

/* An integral double in the int64 range to @out; FALSE for NaN, infinities,
 * fractions and doubles out of range (never converts those). */
gboolean  strata_builtin_double_to_int (double d, gint64 *out);
/* A JSON value for messages: scalars as Python writes them ("NaN", "1.5",
 * "\"same\""), containers described ("an array"). (transfer full) */
char     *strata_builtin_describe_value (JsonNode *node);

/* Errors that name the layer: "Layer “dense_1” (Dense): <message>". */
void      strata_builtin_set_error (GError **error, StrataLayer *self, int code,
                                    const char *format, ...) G_GNUC_PRINTF (4, 5);

/* The input shape at @index; fails when there are fewer inputs than @min or
 * more than @max (0: no limit) or the rank is below @min_rank. */
StrataShape *strata_builtin_input (StrataLayer *self, GPtrArray *input_shapes, guint index,
                                   guint min_inputs, guint max_inputs, guint min_rank,
                                   GError **error);
/* The size of @axis (negative counts from the end) which must be known. */
gboolean  strata_builtin_known_dim (StrataLayer *self, StrataShape *shape, int axis,
                                    gint64 *out, GError **error);
/* TRUE when some input shape is NULL (unknown, e.g. after a Lambda). */
gboolean  strata_builtin_any_unknown (GPtrArray *input_shapes);

/* Output-shape arrays: (element-type StrataShape) with strata_shape_unref. */
GPtrArray *strata_shapes_same      (StrataLayer *self, const StrataLayerRow *row,
                                    GPtrArray *input_shapes, GError **error);
/* Shapes computed from configs: a size below -1 (a negative config value
 * or an overflow, see strata_dim_add) fails with STRATA_CONFIG_ERROR_INVALID
 * naming the layer instead of reaching strata_shape_new(). */
StrataShape *strata_builtin_shape    (StrataLayer *self, GError **error, guint rank,
                                      const gint64 *dims);
StrataShape *strata_builtin_shape_1d (StrataLayer *self, GError **error, gint64 d0);
StrataShape *strata_builtin_shape_2d (StrataLayer *self, GError **error, gint64 d0, gint64 d1);
/* Size arithmetic: unknown (-1) stays unknown, overflow gives
 * STRATA_DIM_OVERFLOW, which strata_builtin_shape() refuses. */
#define STRATA_DIM_OVERFLOW G_MININT64
gint64    strata_dim_add (gint64 a, gint64 b);
gint64    strata_dim_mul (gint64 a, gint64 b);
char      *strata_shapes_to_string (GPtrArray *shapes);

/* Conv arithmetic (UNKNOWN in, UNKNOWN out). */
gint64    strata_conv_output_length  (gint64 input, gint64 kernel, const char *padding,
                                      gint64 stride, gint64 dilation);
gint64    strata_deconv_output_length (gint64 input, gint64 kernel, const char *padding,
                                       gint64 output_padding, gint64 stride, gint64 dilation);

/* A layer inside @self (wrapped layer, RNN cell) from its entry, with the
 * registry, load context and load flags @self was loaded with; nesting deeper than
 * STRATA_MODEL_MAX_NESTING fails with STRATA_CONFIG_ERROR_LIMIT. */
StrataLayer *strata_builtin_create_sublayer (StrataLayer *self, JsonObject *object,
                                             GError **error);
/* Forgets the sublayers made so far (their config changed). The slots are
 * object data "strata-forward-layer", "strata-backward-layer",
 * "strata-wrapped-layer" and "strata-rnn-cells". */
void         strata_builtin_drop_sublayers (StrataLayer *self);
/* Wrappers (Bidirectional, TimeDistributed): creates the wrapped layer from
 * the config member @key (see strata_builtin_create_sublayer()); the
 * name gets @name_prefix in front, unless it already starts with it in a
 * Keras 3 config (Keras 3 saves "forward_lstm", tf-keras "lstm"). (transfer full) */
StrataLayer *strata_builtin_create_inner (StrataLayer *self, const char *key,
                                          const char *name_prefix, gboolean flip_backwards,
                                          GError **error);

G_END_DECLS
