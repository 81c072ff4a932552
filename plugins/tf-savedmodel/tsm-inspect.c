/* tsm-inspect.c: describing SavedModels and TF checkpoints without Keras
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-inspect.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "tsm-metadata.h"
#include "tsm-savedmodel.h"

#define FORMAT_NAME "tf-savedmodel"

/* A StrataDType name when the dtype has one, TensorFlow's name otherwise. */
static const char *
dtype_name (int tf_dtype)
{
  StrataDType dtype = tsm_dtype_to_strata (tf_dtype);

  return dtype != STRATA_DTYPE_INVALID ? strata_dtype_to_string (dtype) : tsm_dtype_name (tf_dtype);
}

static StrataTensorSpec *
tensor_info_spec (const char *key, Tsm__TensorInfo *info)
{
  g_autoptr(StrataShape) shape = NULL;
  Tsm__TensorShapeProto *proto = info->tensor_shape;

  if (proto != NULL && !proto->unknown_rank && proto->n_dim <= STRATA_MAX_RANK)
    {
      gint64 dims[STRATA_MAX_RANK];

      for (gsize i = 0; i < proto->n_dim; i++)
        dims[i] = proto->dim[i]->size < 0 ? STRATA_DIM_UNKNOWN : proto->dim[i]->size;
      shape = strata_shape_new ((guint) proto->n_dim, dims);
    }
  return strata_tensor_spec_new (key, dtype_name (info->dtype), shape);
}

static void
add_signatures (StrataContents *contents, Tsm__MetaGraphDef *mg)
{
  for (gsize i = 0; i < mg->n_signature_def; i++)
    {
      Tsm__MetaGraphDef__SignatureDefEntry *entry = mg->signature_def[i];
      Tsm__SignatureDef *def = entry->value;
      g_autoptr(StrataSignature) signature = NULL;

      /* TensorFlow's own init op, not a function for users. */
      if (def == NULL || g_str_equal (entry->key, "__saved_model_init_op"))
        continue;
      signature = strata_signature_new (entry->key, def->method_name[0] != '\0' ? def->method_name : NULL);
      for (gsize j = 0; j < def->n_inputs; j++)
        if (def->inputs[j]->value != NULL)
          {
            g_autoptr(StrataTensorSpec) spec = tensor_info_spec (def->inputs[j]->key, def->inputs[j]->value);
            strata_signature_add_input (signature, spec);
          }
      for (gsize j = 0; j < def->n_outputs; j++)
        if (def->outputs[j]->value != NULL)
          {
            g_autoptr(StrataTensorSpec) spec = tensor_info_spec (def->outputs[j]->key, def->outputs[j]->value);
            strata_signature_add_output (signature, spec);
          }
      strata_contents_add_signature (contents, signature);
    }
}

static char *
digest_of (TsmBundle *bundle, const TsmEntry *entry, GError **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  if (entry->dtype == TSM_DT_STRING)
    {
      g_autoptr(GPtrArray) strings = tsm_bundle_read_strings (bundle, entry, error);

      if (strings == NULL)
        return NULL;
      for (guint i = 0; i < strings->len; i++)
        {
          gsize length;
          const guint8 *data = g_bytes_get_data (g_ptr_array_index (strings, i), &length);

          g_checksum_update (checksum, data, (gssize) length);
        }
    }
  else
    {
      g_autoptr(GBytes) bytes = tsm_bundle_read_tensor (bundle, entry, error);
      gsize length;
      const guint8 *data;

      if (bytes == NULL)
        return NULL;
      data = g_bytes_get_data (bytes, &length);
      g_checksum_update (checksum, data, (gssize) length);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
add_variables (StrataContents *contents, const char *prefix, GCancellable *cancellable,
               GError **error)
{
  g_autoptr(TsmCheckpoint) ckpt = tsm_checkpoint_open (prefix, FALSE, error);
  guint n;

  if (ckpt == NULL)
    return FALSE;
  n = tsm_bundle_get_n_entries (ckpt->bundle);
  for (guint i = 0; i < n; i++)
    {
      const TsmEntry *entry = tsm_bundle_get_entry (ckpt->bundle, i);
      g_autoptr(StrataShape) shape = NULL;
      g_autoptr(StrataTensorSpec) spec = NULL;
      g_autofree char *digest = NULL;

      if (g_str_equal (entry->key, TSM_OBJECT_GRAPH_KEY))
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      shape = strata_shape_new (entry->rank, entry->dims);
      spec = strata_tensor_spec_new (entry->key, dtype_name (entry->dtype), shape);
      digest = digest_of (ckpt->bundle, entry, error);
      if (digest == NULL)
        return FALSE;
      strata_tensor_spec_set_sha256 (spec, digest);
      strata_contents_add_variable (contents, spec);
    }
  return TRUE;
}

/* What a SavedModel's root object is, and whether it is a Keras model. */
static void
describe_root (StrataContents *contents, TsmSavedModel *sm)
{
  g_autofree char *metadata_path = g_build_filename (sm->dir, "keras_metadata.pb", NULL);
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) local = NULL;
  TsmMetadataSource source = TSM_METADATA_NONE;
  Tsm__SavedObject *root;

  if (sm->sog == NULL)
    {
      strata_contents_set_kind (contents, _("TensorFlow 1 graph"));
      return;
    }
  nodes = tsm_metadata_read (metadata_path, sm->sog, &sm->graph, TSM_METADATA_ROOT_ONLY, &source,
                            &local);
  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      TsmKerasNode *node = g_ptr_array_index (nodes, i);
      const char *class_name;

      if (node->node_id != 0)
        continue;
      class_name = json_object_get_string_member_with_default (node->metadata, "class_name", "?");
      {
        /* Translators: the placeholder is a Keras class name such as “Sequential”. */
        g_autofree char *kind = g_strdup_printf (_("Keras %s model"), class_name);

        strata_contents_set_kind (contents, kind);
      }
      strata_contents_set_has_keras_model (contents, TRUE);
      return;
    }
  root = sm->sog->nodes[0];
  {
    /* Translators: the placeholder is a TensorFlow object type such as
     * “_generic_user_object”. */
    g_autofree char *kind = g_strdup_printf (_("tf.Module (root object “%s”)"),
                                             root->kind_case == TSM__SAVED_OBJECT__KIND_USER_OBJECT ?
                                             root->user_object->identifier : "?");
    strata_contents_set_kind (contents, kind);
  }
}

/* A folder without saved_model.pb, a `checkpoint` file or a prefix. */
static StrataContents *
inspect_checkpoint (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(StrataContents) contents = strata_contents_new (FORMAT_NAME);
  g_autofree char *prefix = tsm_checkpoint_resolve_prefix (path);

  if (prefix == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the placeholder is a path. */
                   _("“%s” is neither a SavedModel folder nor a TensorFlow checkpoint"), path);
      return NULL;
    }
  strata_contents_set_kind (contents, _("TensorFlow checkpoint"));
  if (!add_variables (contents, prefix, cancellable, error))
    return NULL;
  return g_steal_pointer (&contents);
}

StrataContents *
tsm_inspect (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(StrataContents) contents = NULL;
  g_autoptr(TsmSavedModel) sm = NULL;
  g_autofree char *pb = g_build_filename (path, "saved_model.pb", NULL);
  g_autofree char *prefix = NULL;
  g_autofree char *index = NULL;
  Tsm__MetaInfoDef *info;

  if (!g_file_test (pb, G_FILE_TEST_IS_REGULAR))
    return inspect_checkpoint (path, cancellable, error);
  sm = tsm_saved_model_open (path, error);
  if (sm == NULL)
    return NULL;
  contents = strata_contents_new (FORMAT_NAME);
  info = sm->meta_graph->meta_info_def;
  if (info != NULL && info->tensorflow_version[0] != '\0')
    {
      g_autofree char *producer = g_strconcat ("TensorFlow ", info->tensorflow_version, NULL);

      strata_contents_set_producer (contents, producer);
    }
  for (gsize i = 0; info != NULL && i < info->n_tags; i++)
    strata_contents_add_tag (contents, info->tags[i]);
  describe_root (contents, sm);
  add_signatures (contents, sm->meta_graph);
  prefix = tsm_saved_model_variables_prefix (sm);
  index = g_strconcat (prefix, ".index", NULL);
  /* A SavedModel without variables has no index (TensorFlow accepts that). */
  if (g_file_test (index, G_FILE_TEST_EXISTS) && !add_variables (contents, prefix, cancellable, error))
    return NULL;
  return g_steal_pointer (&contents);
}
