/* strata-contents.h: what a file holds, described without loading a model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-types.h"
#include "strata-shape.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_TENSOR_SPEC (strata_tensor_spec_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataTensorSpec, strata_tensor_spec, STRATA, TENSOR_SPEC, GObject)

STRATA_AVAILABLE_IN_ALL
StrataTensorSpec *strata_tensor_spec_new        (const char       *name,
                                                 const char       *dtype,
                                                 StrataShape      *shape);
STRATA_AVAILABLE_IN_ALL
const char       *strata_tensor_spec_get_name   (StrataTensorSpec *self);
STRATA_AVAILABLE_IN_ALL
const char       *strata_tensor_spec_get_dtype  (StrataTensorSpec *self);
STRATA_AVAILABLE_IN_ALL
StrataShape      *strata_tensor_spec_get_shape  (StrataTensorSpec *self);
STRATA_AVAILABLE_IN_ALL
const char       *strata_tensor_spec_get_sha256 (StrataTensorSpec *self);
STRATA_AVAILABLE_IN_ALL
void              strata_tensor_spec_set_sha256 (StrataTensorSpec *self,
                                                 const char       *sha256);

#define STRATA_TYPE_SIGNATURE (strata_signature_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataSignature, strata_signature, STRATA, SIGNATURE, GObject)

STRATA_AVAILABLE_IN_ALL
StrataSignature *strata_signature_new         (const char       *name,
                                               const char       *method);
STRATA_AVAILABLE_IN_ALL
const char      *strata_signature_get_name    (StrataSignature  *self);
STRATA_AVAILABLE_IN_ALL
const char      *strata_signature_get_method  (StrataSignature  *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray       *strata_signature_get_inputs  (StrataSignature  *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray       *strata_signature_get_outputs (StrataSignature  *self);
STRATA_AVAILABLE_IN_ALL
void             strata_signature_add_input   (StrataSignature  *self,
                                               StrataTensorSpec *spec);
STRATA_AVAILABLE_IN_ALL
void             strata_signature_add_output  (StrataSignature  *self,
                                               StrataTensorSpec *spec);

#define STRATA_TYPE_CONTENTS (strata_contents_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataContents, strata_contents, STRATA, CONTENTS, GObject)

STRATA_AVAILABLE_IN_ALL
StrataContents     *strata_contents_new               (const char       *format_name);
STRATA_AVAILABLE_IN_ALL
const char         *strata_contents_get_format_name   (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
const char         *strata_contents_get_producer      (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_set_producer      (StrataContents   *self,
                                                       const char       *producer);
STRATA_AVAILABLE_IN_ALL
const char         *strata_contents_get_kind          (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_set_kind          (StrataContents   *self,
                                                       const char       *kind);
STRATA_AVAILABLE_IN_ALL
gboolean            strata_contents_get_has_keras_model (StrataContents *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_set_has_keras_model (StrataContents *self,
                                                         gboolean        has_keras_model);
STRATA_AVAILABLE_IN_ALL
const char * const *strata_contents_get_tags          (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_add_tag           (StrataContents   *self,
                                                       const char       *tag);
STRATA_AVAILABLE_IN_ALL
GPtrArray          *strata_contents_get_signatures    (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_add_signature     (StrataContents   *self,
                                                       StrataSignature  *signature);
STRATA_AVAILABLE_IN_ALL
GPtrArray          *strata_contents_get_variables     (StrataContents   *self);
STRATA_AVAILABLE_IN_ALL
void                strata_contents_add_variable      (StrataContents   *self,
                                                       StrataTensorSpec *variable);

STRATA_AVAILABLE_IN_ALL
StrataContents     *strata_inspect_file               (GFile            *file,
                                                       const char       *format_name,
                                                       GCancellable     *cancellable,
                                                       GError          **error);

G_END_DECLS
