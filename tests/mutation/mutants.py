# mutants.py: the table of deliberate bugs run-mutants.py applies, one at a
# time.  Each replaces one exact text (it must occur exactly once in its
# file) and names the tests that must then fail: a mutant is killed only
# when one of them fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# Tests by what they cover (meson test names).
LEGACY = ["test-h5-legacy"]                     # conversions vs real Keras 1.2.2 / 2.2.4
LEGACY_PREDICT = ["interop-legacy-predictions"]  # ... and their predictions in tf-keras / Keras 3
READ = ["test-h5-reader", "fixtures-read", "test-h5-corpus"]
WRITE = ["test-h5-roundtrip", "test-h5-legacy"]
KV3 = ["test-keras-v3"]
JSON_CONFIG = ["test-json-config"]

K1 = "plugins/libh5k/h5-keras1.c"
RNN = "core/strata-rnn-weights.c"
PRE = "plugins/h5/h5-preprocess.c"


def m(name, path, what, old, new, tests, legacy_cases=None):
    """legacy_cases: the cases interop-legacy-predictions checks (all by default)."""
    return {"name": name, "file": path, "what": what, "old": old, "new": new, "tests": tests,
            "legacy_cases": legacy_cases or []}


MERGE_AXIS = ("""          if (!strata_cfg_int (self, -1, &axis, error, "concat_axis", NULL))
            return NULL;
          return concatenate_shapes""", """          axis = -1;
          return concatenate_shapes""")

MUTANTS = [
    # ---- weight conversions (h5-keras1.c, h5-preprocess.c) ----
    m("cudnn-gather-deleted", K1,
      "cuDNN re-layout: both gather() calls of convert_kernels() deleted (audit)",
      """  replace_at (arrays, 0, gather (k, 2, k->dims, gate_map, &m));
  m = (GateMap) { rk->dims[0], rk->dims[1] / n_gates, STRATA_RNN_GATES_TRANSPOSE };
  if (m.rows != m.units)
    return FALSE;
  replace_at (arrays, 1, gather (rk, 2, rk->dims, gate_map, &m));""",
      """  m = (GateMap) { rk->dims[0], rk->dims[1] / n_gates, STRATA_RNN_GATES_TRANSPOSE };
  if (m.rows != m.units)
    return FALSE;""", LEGACY),
    m("keras1-gru-gates-swapped", K1, "Keras 1 GRU gates regrouped r, z, h instead of z, r, h (audit)",
      "static const guint order[] = { 0, 1, 2 };", "static const guint order[] = { 1, 0, 2 };", LEGACY),
    m("theano-conv1d-flip-dropped", K1, "Theano kernel flip skipped for Conv1D (audit)",
      """if (g_strcmp0 (backend, "theano") == 0)
        {""", """if (g_strcmp0 (backend, "theano") == 0 && !g_str_equal (cls, "Conv1D"))
        {""", LEGACY),
    m("keras1-lstm-gates-unordered", K1, "Keras 1 LSTM gates kept i, c, f, o",
      "static const guint order[] = { 0, 2, 1, 3 };", "static const guint order[] = { 0, 1, 2, 3 };", LEGACY),
    m("theano-convlstm2d-recurrent-flip-dropped", K1, "Theano flip of ConvLSTM2D's recurrent kernel skipped",
      """gboolean two = g_str_equal (cls, "ConvLSTM2D") && arrays->len > 1;""",
      """gboolean two = FALSE;""", LEGACY),
    m("theano-flip-axis", K1, "Theano flip also reverses the input-channel axis (flipped axis)",
      "in_index[i] = i + 2 < a->rank ?", "in_index[i] = i + 1 < a->rank ?", LEGACY),
    m("keras1-conv2d-th-perm", K1, "Keras 1 channels_first Conv2D kernel transposed (3, 2, 1, 0)",
      "static const guint perm_2310[] = { 2, 3, 1, 0 };", "static const guint perm_2310[] = { 3, 2, 1, 0 };",
      LEGACY),
    m("keras1-deconv2d-th-perm", K1, "Keras 1 channels_first Deconvolution2D kernel transposed (2, 3, 1, 0)",
      "static const guint perm_2301[] = { 2, 3, 0, 1 };", "static const guint perm_2301[] = { 2, 3, 1, 0 };",
      LEGACY),
    m("keras1-conv3d-th-perm", K1, "Keras 1 channels_first Conv3D kernel transposed (2, 3, 4, 0, 1)",
      "static const guint perm_23410[] = { 2, 3, 4, 1, 0 };",
      "static const guint perm_23410[] = { 2, 3, 4, 0, 1 };", LEGACY),
    m("keras1-conv1d-filters-reversed", K1, "Keras 1 Conv1D kernel: its filters taken in reverse order",
      "gint64 in_index[H5K_MAX_RANK] = { out_index[0], 0, out_index[1], out_index[2] };",
      "gint64 in_index[H5K_MAX_RANK] = { out_index[0], 0, out_index[1], a->dims[3] - 1 - out_index[2] };",
      LEGACY),
    m("keras1-conv1d-layout-check", K1, "Keras 1 Conv1D: the Keras 1.1 layout check off by one",
      "legacy = w->dims[0] != layer->kernel_size || w->dims[1] != 1 ||",
      "legacy = w->dims[0] != layer->kernel_size || w->dims[1] != 0 ||", LEGACY),
    m("cudnn-lstm-bias-not-summed", RNN, "cuDNN LSTM bias: only the input half kept, not the sum",
      "((float *) dst)[i] = from_cudnn ? s[i] + s[i + n_out] : 0.5f * s[i % n_in];",
      "((float *) dst)[i] = from_cudnn ? s[i] : 0.5f * s[i % n_in];", LEGACY),
    m("lstm-to-cudnn-bias-not-halved", RNN, "native -> cuDNN LSTM bias: copied twice instead of halved",
      "((float *) dst)[i] = from_cudnn ? s[i] + s[i + n_out] : 0.5f * s[i % n_in];",
      "((float *) dst)[i] = from_cudnn ? s[i] + s[i + n_out] : s[i % n_in];", LEGACY),
    m("cudnn-direction-swapped", K1, "cuDNN input-kernel layouts of the two directions swapped",
      "from_cudnn ? STRATA_RNN_GATES_FROM_CUDNN : STRATA_RNN_GATES_TO_CUDNN };",
      "from_cudnn ? STRATA_RNN_GATES_TO_CUDNN : STRATA_RNN_GATES_FROM_CUDNN };", LEGACY),
    m("cudnn-save-kernel-layout", "core/strata-model-cudnn.c",
      "cuDNN model saved for Keras: input kernels laid out towards cuDNN instead of from it",
      "convert_kernel (w[0], STRATA_RNN_GATES_FROM_CUDNN,", "convert_kernel (w[0], STRATA_RNN_GATES_TO_CUDNN,",
      LEGACY),
    m("gru-reset-after-ignored", PRE, "GRU reset_after not read from the config",
      "info.gru_reset_after = strata_json_node_is_truthy (reset_after);",
      "info.gru_reset_after = FALSE && strata_json_node_is_truthy (reset_after);",
      LEGACY),
    m("bidirectional-halves-swapped", PRE, "Bidirectional: forward and backward halves swapped",
      "move_range (halves[h], arrays, h * half, half);", "move_range (halves[h], arrays, (1 - h) * half, half);",
      LEGACY),
    m("timedistributed-not-unwrapped", PRE, "TimeDistributed: the wrapped layer's conversion skipped",
      """  if (g_strcmp0 (class_name, "TimeDistributed") == 0 &&""",
      """  if (FALSE && g_strcmp0 (class_name, "TimeDistributed") == 0 &&""", LEGACY),
    m("nested-model-order", PRE, "nested models: non-trainable weights matched before trainable ones",
      "g_autoptr(GPtrArray) part = pass == 0 ? strata_layer_get_trainable_weights (sub)",
      "g_autoptr(GPtrArray) part = pass == 1 ? strata_layer_get_trainable_weights (sub)", LEGACY),
    m("keras1-version-default", "plugins/h5/h5-load.c", "a file without keras_version taken as Keras 2",
      """ld->convert.version = ld->kf->weights_keras_version != NULL ? ld->kf->weights_keras_version : "1";""",
      """ld->convert.version = ld->kf->weights_keras_version != NULL ? ld->kf->weights_keras_version : "2";""",
      LEGACY),
    m("assume-backend-ignored", "plugins/h5/h5-load.c", "assume-backend ignored: Keras 1 Theano kernels not flipped",
      """: strata_load_options_get_assume_backend (ld->options);""", """: NULL;""",
      LEGACY + LEGACY_PREDICT, ["k1th_conv1d"]),

    # ---- configs (core/layers, config reader and writer) ----
    m("keras1-merge-axis", "core/layers/strata-layers-merge.c", "Keras 1 Merge: concat_axis ignored (audit)",
      *MERGE_AXIS, LEGACY),
    # The same bug, against the JSON corpus alone (the audit's 95% threshold let it through).
    m("keras1-merge-axis-json-corpus", "core/layers/strata-layers-merge.c",
      "Keras 1 Merge: concat_axis ignored, JSON corpus only", *MERGE_AXIS, ["json-corpus"]),
    m("keras1-dim-ordering", "core/layers/strata-builtin-util.c", "Keras 1 dim_ordering th read as channels_last",
      """*out = g_strcmp0 (ordering, "th") == 0;""", """*out = g_strcmp0 (ordering, "tf") == 0;""", LEGACY),
    m("gru-reset-after-default", "core/layers/strata-layers-rnn.c", "GRU reset_after defaults to true (wrong default)",
      """!strata_cfg_bool (self, FALSE, &reset_after, error, "reset_after", NULL))""",
      """!strata_cfg_bool (self, TRUE, &reset_after, error, "reset_after", NULL))""", LEGACY),
    m("keras1-output-dim-alias", "core/layers/strata-layers-core.c", "Dense: Keras 1 output_dim not read",
      """if (!strata_cfg_int (self, -1, units, error, "units", "output_dim", NULL))""",
      """if (!strata_cfg_int (self, -1, units, error, "units", NULL))""", LEGACY),
    m("batchnorm-epsilon-default", "core/layers/strata-layers-norm.c",
      "BatchNormalization epsilon defaults to 1e-5 (wrong epsilon)",
      """STRATA_P_DOUBLE ("epsilon", "0.001"),""", """STRATA_P_DOUBLE ("epsilon", "0.00001"),""",
      ["layers"]),
    m("keras3-batch-input-shape-kept", "core/strata-config-convert.c",
      "Keras 3 configs keep batch_input_shape in every layer (a key not dropped)",
      """      if (json_object_has_member (config, "batch_input_shape"))
        json_object_remove_member (config, "batch_input_shape");""", "",
      LEGACY_PREDICT + ["interop-matrix-tf_keras-to-keras"], ["k2th_conv1d"]),
    m("keras3-module-dropped", "core/strata-config-convert.c", "Keras 3 configs: a wrapped layer's module not written",
      """      json_object_set_string_member (object, "module", strata_config_keras3_module (class_name));""", "", LEGACY_PREDICT,
      ["k2th_timedistributed_conv2d"]),

    # ---- reading (h5-reader.c, h5-attrs.c, h5-types.c) ----
    m("read-byte-swap-dropped", "plugins/libh5k/h5-reader.c", "big-endian weights read without the byte swap",
      "mtype = h5k_mem_type_new (weight->dtype, ftype);", "mtype = H5Tcopy (ftype);", READ),
    m("read-split-attribute-first-chunk", "plugins/libh5k/h5-attrs.c",
      "split attributes (layer_names0, layer_names1...): only the first chunk read",
      "  for (guint i = 0; ; i++)\n    {\n      g_autofree char *chunk_name",
      "  for (guint i = 0; i < 1; i++)\n    {\n      g_autofree char *chunk_name", READ),
    m("read-mmap-offset", "plugins/libh5k/h5-reader.c", "memory-mapped weights read one byte late (off by one)",
      "return g_bytes_new_from_bytes (file->bytes, weight->offset, weight->n_bytes);",
      "return g_bytes_new_from_bytes (file->bytes, weight->offset + 1, weight->n_bytes - 1);", READ),
    m("read-shape-reversed", "plugins/libh5k/h5-reader.c", "dataset dims read in reverse order",
      "    weight->dims[i] = dims[i];", "    weight->dims[i] = dims[rank - 1 - i];", READ),

    # ---- writing (h5-writer.c, h5-save.c, keras-v3) ----
    m("write-weights-keras-version-dropped", "plugins/libh5k/h5-writer.c",
      "model_weights written without its keras_version attribute (a dropped key)",
      """      !h5k_attr_write_string (root, "backend", spec->backend, H5T_CSET_ASCII, error) ||
      !h5k_attr_write_string (root, "keras_version", spec->keras_version, H5T_CSET_ASCII, error))""",
      """      !h5k_attr_write_string (root, "backend", spec->backend, H5T_CSET_ASCII, error))""", WRITE),
    m("write-theano-backend-kept", "plugins/h5/h5-save.c",
      "a Theano model's backend written as theano after its kernels were flipped",
      """  if (dialect != STRATA_KERAS_DIALECT_KERAS3 || backend == NULL || g_str_equal (backend, "theano") ||
      g_str_equal (backend, "cntk"))
    backend = "tensorflow";""", """  if (backend == NULL)
    backend = "tensorflow";""", WRITE),
    m("write-weight-names-short", "plugins/libh5k/h5-writer.c", "weight_names written one short (off by one)",
      """h5k_attr_write_string_list (group, name, "weight_names", names, n, error)""",
      """h5k_attr_write_string_list (group, name, "weight_names", names, n > 0 ? n - 1 : 0, error)""", WRITE),
    m("kv3-crc-error-ignored", "plugins/keras-v3/kv3-archive.c",
      ".keras members: a read error of libzip (a failed CRC) ends the member instead of failing (skipped checksum)",
      """      if (n < 0)
        {
          set_zip_error (error, zip_file_get_error (zf), path, name);""",
      """      if (n < 0)
        break;
      if (FALSE)
        {
          set_zip_error (error, zip_file_get_error (zf), path, name);""", KV3),

    # ---- the JSON config format ----
    m("json-config-dialect-not-kept", "plugins/json-config/strata-format-json-config.c",
      "model.json written in the Keras 2 dialect whatever the model was read in",
      "strata_save_options_resolve_dialect (options, strata_model_get_dialect (model));",
      "strata_save_options_resolve_dialect (options, STRATA_KERAS_DIALECT_KERAS2);",
      JSON_CONFIG),
    m("json-config-bom-off-by-one", "plugins/json-config/json-config-io.c",
      "a UTF-8 byte order mark skipped one byte short (off by one)",
      """  if (length >= 3 && memcmp (head, "\\xef\\xbb\\xbf", 3) == 0)
    i = 3;""", """  if (length >= 3 && memcmp (head, "\\xef\\xbb\\xbf", 3) == 0)
    i = 2;""", JSON_CONFIG),
    m("kv3-metadata-version-dropped", "plugins/keras-v3/strata-format-keras-v3.c",
      ".keras metadata.json written without keras_version (a dropped key)",
      """  json_object_set_string_member (object, "keras_version", version);\n""", "", KV3 + LEGACY_PREDICT,
      ["k2th_conv1d"]),
]
