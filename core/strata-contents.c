/* strata-contents.c: what a file holds, described without loading a model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"
#include "strata-i18n-private.h"

/**
 * StrataTensorSpec:
 *
 * A tensor described by its name, dtype and shape, and for stored values
 * the SHA-256 digest of their bytes: a signature's input or output, or a
 * variable of a file (see [class@Strata.Contents]).
 *
 * The dtype is a string, because files hold tensors that no Keras weight
 * has: the [enum@Strata.DType] names (`float32`, `int64`...) for those that
 * exist, the file format's own name otherwise (`DT_STRING`).
 */
struct _StrataTensorSpec
{
  GObject      parent_instance;
  char        *name;
  char        *dtype;
  StrataShape *shape;
  char        *sha256;
};

G_DEFINE_FINAL_TYPE (StrataTensorSpec, strata_tensor_spec, G_TYPE_OBJECT)

static void
strata_tensor_spec_finalize (GObject *object)
{
  StrataTensorSpec *self = STRATA_TENSOR_SPEC (object);

  g_free (self->name);
  g_free (self->dtype);
  g_clear_pointer (&self->shape, strata_shape_unref);
  g_free (self->sha256);
  G_OBJECT_CLASS (strata_tensor_spec_parent_class)->finalize (object);
}

static void
strata_tensor_spec_class_init (StrataTensorSpecClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_tensor_spec_finalize;
}

static void
strata_tensor_spec_init (StrataTensorSpec *self)
{
}

/**
 * strata_tensor_spec_new:
 * @name: the tensor's name in its file (`serving_default_x:0`, a
 *   checkpoint key)
 * @dtype: its dtype (`float32`, `DT_STRING`)
 * @shape: (nullable): its shape, or %NULL when even the rank is unknown
 *
 * Creates a tensor description.
 *
 * Returns: (transfer full): a new [class@Strata.TensorSpec]
 */
StrataTensorSpec *
strata_tensor_spec_new (const char  *name,
                        const char  *dtype,
                        StrataShape *shape)
{
  StrataTensorSpec *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (dtype != NULL, NULL);

  self = g_object_new (STRATA_TYPE_TENSOR_SPEC, NULL);
  self->name = g_strdup (name);
  self->dtype = g_strdup (dtype);
  self->shape = shape != NULL ? strata_shape_ref (shape) : NULL;
  return self;
}

/**
 * strata_tensor_spec_get_name:
 * @self: a tensor description
 *
 * Gets the name of the tensor description.
 *
 * Returns: the tensor's name
 */
const char *
strata_tensor_spec_get_name (StrataTensorSpec *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR_SPEC (self), NULL);
  return self->name;
}

/**
 * strata_tensor_spec_get_dtype:
 * @self: a tensor description
 *
 * Gets the dtype of the tensor description.
 *
 * Returns: the tensor's dtype: a [enum@Strata.DType] name when there is one,
 *   the file format's own name otherwise
 */
const char *
strata_tensor_spec_get_dtype (StrataTensorSpec *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR_SPEC (self), NULL);
  return self->dtype;
}

/**
 * strata_tensor_spec_get_shape:
 * @self: a tensor description
 *
 * Gets the shape of the tensor description.
 *
 * Returns: (transfer none) (nullable): the shape (unknown sizes are
 *   %STRATA_DIM_UNKNOWN), or %NULL when the rank is unknown
 */
StrataShape *
strata_tensor_spec_get_shape (StrataTensorSpec *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR_SPEC (self), NULL);
  return self->shape;
}

/**
 * strata_tensor_spec_get_sha256:
 * @self: a tensor description
 *
 * Gets the sha256 of the tensor description.
 *
 * Returns: (nullable): the SHA-256 digest of the stored value's bytes, in
 *   hexadecimal, or %NULL when the tensor has no stored value
 */
const char *
strata_tensor_spec_get_sha256 (StrataTensorSpec *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR_SPEC (self), NULL);
  return self->sha256;
}

/**
 * strata_tensor_spec_set_sha256:
 * @self: a tensor description
 * @sha256: (nullable): a SHA-256 digest in hexadecimal
 *
 * Sets the digest of the stored value's bytes.
 */
void
strata_tensor_spec_set_sha256 (StrataTensorSpec *self,
                               const char       *sha256)
{
  g_return_if_fail (STRATA_IS_TENSOR_SPEC (self));
  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
}

/**
 * StrataSignature:
 *
 * A function a file offers to its users, such as a SavedModel's
 * `serving_default`: its name, method and named inputs and outputs.
 */
struct _StrataSignature
{
  GObject    parent_instance;
  char      *name;
  char      *method;
  GPtrArray *inputs;
  GPtrArray *outputs;
};

G_DEFINE_FINAL_TYPE (StrataSignature, strata_signature, G_TYPE_OBJECT)

static void
strata_signature_finalize (GObject *object)
{
  StrataSignature *self = STRATA_SIGNATURE (object);

  g_free (self->name);
  g_free (self->method);
  g_ptr_array_unref (self->inputs);
  g_ptr_array_unref (self->outputs);
  G_OBJECT_CLASS (strata_signature_parent_class)->finalize (object);
}

static void
strata_signature_class_init (StrataSignatureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_signature_finalize;
}

static void
strata_signature_init (StrataSignature *self)
{
  self->inputs = g_ptr_array_new_with_free_func (g_object_unref);
  self->outputs = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * strata_signature_new:
 * @name: the signature's name (`serving_default`)
 * @method: (nullable): its method (`tensorflow/serving/predict`)
 *
 * Creates a signature without inputs or outputs.
 *
 * Returns: (transfer full): a new [class@Strata.Signature]
 */
StrataSignature *
strata_signature_new (const char *name,
                      const char *method)
{
  StrataSignature *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (STRATA_TYPE_SIGNATURE, NULL);
  self->name = g_strdup (name);
  self->method = g_strdup (method);
  return self;
}

/**
 * strata_signature_get_name:
 * @self: a signature
 *
 * Gets the name of the signature.
 *
 * Returns: the signature's name
 */
const char *
strata_signature_get_name (StrataSignature *self)
{
  g_return_val_if_fail (STRATA_IS_SIGNATURE (self), NULL);
  return self->name;
}

/**
 * strata_signature_get_method:
 * @self: a signature
 *
 * Gets the method of the signature.
 *
 * Returns: (nullable): the signature's method
 */
const char *
strata_signature_get_method (StrataSignature *self)
{
  g_return_val_if_fail (STRATA_IS_SIGNATURE (self), NULL);
  return self->method;
}

/**
 * strata_signature_get_inputs:
 * @self: a signature
 *
 * Gets the inputs of the signature.
 *
 * Returns: (transfer none) (element-type StrataTensorSpec): the inputs,
 *   each named by its key in the signature
 */
GPtrArray *
strata_signature_get_inputs (StrataSignature *self)
{
  g_return_val_if_fail (STRATA_IS_SIGNATURE (self), NULL);
  return self->inputs;
}

/**
 * strata_signature_get_outputs:
 * @self: a signature
 *
 * Gets the outputs of the signature.
 *
 * Returns: (transfer none) (element-type StrataTensorSpec): the outputs,
 *   each named by its key in the signature
 */
GPtrArray *
strata_signature_get_outputs (StrataSignature *self)
{
  g_return_val_if_fail (STRATA_IS_SIGNATURE (self), NULL);
  return self->outputs;
}

/**
 * strata_signature_add_input:
 * @self: a signature
 * @spec: an input
 *
 * Appends an input.
 */
void
strata_signature_add_input (StrataSignature  *self,
                            StrataTensorSpec *spec)
{
  g_return_if_fail (STRATA_IS_SIGNATURE (self));
  g_return_if_fail (STRATA_IS_TENSOR_SPEC (spec));
  g_ptr_array_add (self->inputs, g_object_ref (spec));
}

/**
 * strata_signature_add_output:
 * @self: a signature
 * @spec: an output
 *
 * Appends an output.
 */
void
strata_signature_add_output (StrataSignature  *self,
                             StrataTensorSpec *spec)
{
  g_return_if_fail (STRATA_IS_SIGNATURE (self));
  g_return_if_fail (STRATA_IS_TENSOR_SPEC (spec));
  g_ptr_array_add (self->outputs, g_object_ref (spec));
}

/**
 * StrataContents:
 *
 * What a file holds, read without building a model: its format and
 * producer, what kind of object it stores, and for files that are more
 * than a Keras model (a TensorFlow SavedModel of a `tf.Module`, an
 * Estimator or TensorFlow 1 export) their tags, signatures and variables.
 * [func@Strata.inspect_file] makes one; formats fill it in their `inspect`
 * virtual function (see [struct@Strata.FormatClass]).
 */
struct _StrataContents
{
  GObject    parent_instance;
  char      *format_name;
  char      *producer;
  char      *kind;
  gboolean   has_keras_model;
  GPtrArray *tags;          /* NULL-terminated */
  GPtrArray *signatures;
  GPtrArray *variables;
};

G_DEFINE_FINAL_TYPE (StrataContents, strata_contents, G_TYPE_OBJECT)

static void
strata_contents_finalize (GObject *object)
{
  StrataContents *self = STRATA_CONTENTS (object);

  g_free (self->format_name);
  g_free (self->producer);
  g_free (self->kind);
  g_ptr_array_unref (self->tags);
  g_ptr_array_unref (self->signatures);
  g_ptr_array_unref (self->variables);
  G_OBJECT_CLASS (strata_contents_parent_class)->finalize (object);
}

static void
strata_contents_class_init (StrataContentsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_contents_finalize;
}

static void
strata_contents_init (StrataContents *self)
{
  self->tags = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->tags, NULL);
  self->signatures = g_ptr_array_new_with_free_func (g_object_unref);
  self->variables = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * strata_contents_new:
 * @format_name: the name of the format that read the file
 *
 * Creates an empty description, for formats to fill.
 *
 * Returns: (transfer full): a new [class@Strata.Contents]
 */
StrataContents *
strata_contents_new (const char *format_name)
{
  StrataContents *self;

  g_return_val_if_fail (format_name != NULL, NULL);

  self = g_object_new (STRATA_TYPE_CONTENTS, NULL);
  self->format_name = g_strdup (format_name);
  return self;
}

/**
 * strata_contents_get_format_name:
 * @self: a description
 *
 * Gets the format name of the file description.
 *
 * Returns: the name of the format that read the file
 */
const char *
strata_contents_get_format_name (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return self->format_name;
}

/**
 * strata_contents_get_producer:
 * @self: a description
 *
 * Gets the producer of the file description.
 *
 * Returns: (nullable): what wrote the file, as the file says
 *   (`TensorFlow 2.14.0`)
 */
const char *
strata_contents_get_producer (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return self->producer;
}

/**
 * strata_contents_set_producer:
 * @self: a description
 * @producer: (nullable): what wrote the file
 *
 * Sets what wrote the file.
 */
void
strata_contents_set_producer (StrataContents *self,
                              const char     *producer)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  g_free (self->producer);
  self->producer = g_strdup (producer);
}

/**
 * strata_contents_get_kind:
 * @self: a description
 *
 * Gets the kind of the file description.
 *
 * Returns: (nullable): a short, translated description of the object the
 *   file stores (“Keras Sequential model”, “TensorFlow 1 graph”,
 *   “tf.Module”, “TensorFlow checkpoint”)
 */
const char *
strata_contents_get_kind (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return self->kind;
}

/**
 * strata_contents_set_kind:
 * @self: a description
 * @kind: (nullable): what the file stores
 *
 * Sets what the file stores.
 */
void
strata_contents_set_kind (StrataContents *self,
                          const char     *kind)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  g_free (self->kind);
  self->kind = g_strdup (kind);
}

/**
 * strata_contents_get_has_keras_model:
 * @self: a description
 *
 * Gets the has keras model of the file description.
 *
 * Returns: whether [func@Strata.load_model] can read a Keras model from the file
 */
gboolean
strata_contents_get_has_keras_model (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), FALSE);
  return self->has_keras_model;
}

/**
 * strata_contents_set_has_keras_model:
 * @self: a description
 * @has_keras_model: whether the file holds a Keras model
 *
 * Sets whether the file holds a Keras model.
 */
void
strata_contents_set_has_keras_model (StrataContents *self,
                                     gboolean        has_keras_model)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  self->has_keras_model = has_keras_model;
}

/**
 * strata_contents_get_tags:
 * @self: a description
 *
 * Gets the tags of the file description.
 *
 * Returns: (transfer none) (array zero-terminated=1): the file's tags (a
 *   SavedModel's tag set, such as `serve`); empty when it has none
 */
const char * const *
strata_contents_get_tags (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return (const char * const *) self->tags->pdata;
}

/**
 * strata_contents_add_tag:
 * @self: a description
 * @tag: a tag
 *
 * Appends a tag.
 */
void
strata_contents_add_tag (StrataContents *self,
                         const char     *tag)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  g_return_if_fail (tag != NULL);
  g_ptr_array_insert (self->tags, (int) self->tags->len - 1, g_strdup (tag));
}

/**
 * strata_contents_get_signatures:
 * @self: a description
 *
 * Gets the signatures of the file description.
 *
 * Returns: (transfer none) (element-type StrataSignature): the signatures
 */
GPtrArray *
strata_contents_get_signatures (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return self->signatures;
}

/**
 * strata_contents_add_signature:
 * @self: a description
 * @signature: a signature
 *
 * Appends a signature.
 */
void
strata_contents_add_signature (StrataContents  *self,
                               StrataSignature *signature)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  g_return_if_fail (STRATA_IS_SIGNATURE (signature));
  g_ptr_array_add (self->signatures, g_object_ref (signature));
}

/**
 * strata_contents_get_variables:
 * @self: a description
 *
 * Gets the variables of the file description.
 *
 * Returns: (transfer none) (element-type StrataTensorSpec): the stored
 *   variables, each with the digest of its value
 */
GPtrArray *
strata_contents_get_variables (StrataContents *self)
{
  g_return_val_if_fail (STRATA_IS_CONTENTS (self), NULL);
  return self->variables;
}

/**
 * strata_contents_add_variable:
 * @self: a description
 * @variable: a stored variable
 *
 * Appends a variable.
 */
void
strata_contents_add_variable (StrataContents   *self,
                              StrataTensorSpec *variable)
{
  g_return_if_fail (STRATA_IS_CONTENTS (self));
  g_return_if_fail (STRATA_IS_TENSOR_SPEC (variable));
  g_ptr_array_add (self->variables, g_object_ref (variable));
}

/**
 * strata_inspect_file:
 * @file: a file or folder
 * @format_name: (nullable): the format to read it with, or %NULL to
 *   choose by its content
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Describes what @file holds without building a model: also files that
 * hold no Keras model, such as a TensorFlow SavedModel of a `tf.Module`
 * or a TensorFlow 1 export. Fails with %STRATA_FORMAT_ERROR_UNSUPPORTED
 * when the file's format cannot describe its files.
 *
 * Returns: (transfer full): the description, or %NULL with @error set
 */
StrataContents *
strata_inspect_file (GFile         *file,
                     const char    *format_name,
                     GCancellable  *cancellable,
                     GError       **error)
{
  StrataFormat *format;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  format = strata_formats_find_for_file (file, format_name, STRATA_FORMAT_CAN_NONE, cancellable, error);
  if (format == NULL)
    return NULL;
  return strata_format_inspect (format, file, cancellable, error);
}
