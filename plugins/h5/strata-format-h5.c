/* strata-format-h5.c: the h5 format module (Keras legacy HDF5)
 *
 * Reads full-model and weights-only .h5 files written by Keras 1.x, 2.x,
 * tf.keras, tf-keras and Keras 3 (legacy .h5), and writes the tf-keras 2.x
 * layout, which tf-keras 2.x and Keras 3 load. The byte-level work is in
 * h5-reader.c / h5-writer.c (plain C); this file only wires it in.
 *
 * A weights-only file (no model_config) loads as a Sequential model of
 * StrataOpaqueLayer objects, one per layer group (class_name null),
 * holding the file's weights in order, so that `strata info` and
 * `strata dump` can show it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata.h"
#include "strata-plugin.h"
#include "strata-i18n-private.h"
#include "h5-plugin.h"

#define STRATA_TYPE_FORMAT_H5 (strata_format_h5_get_type ())
G_DECLARE_FINAL_TYPE (StrataFormatH5, strata_format_h5, STRATA, FORMAT_H5, StrataFormat)

struct _StrataFormatH5
{
  StrataFormat parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (StrataFormatH5, strata_format_h5, STRATA_TYPE_FORMAT)

static const char hdf5_signature[] = "\x89HDF\r\n\x1a\n";

static int
strata_format_h5_probe (StrataFormat *format, GFile *file, GBytes *head)
{
  static const gsize offsets[] = { 0, 512, 1024, 2048 };
  g_autofree char *basename = NULL;
  const guint8 *data;
  gsize length;

  if (head == NULL)
    return 0;
  data = g_bytes_get_data (head, &length);
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    if (offsets[i] + 8 <= length && memcmp (data + offsets[i], hdf5_signature, 8) == 0)
      {
        /* Keras 3 weights files are HDF5 too; leave them to keras-v3. */
        basename = g_file_get_basename (file);
        if (basename != NULL && g_str_has_suffix (basename, ".weights.h5"))
          return 40;
        return 90;
      }
  return 0;
}

static StrataModel *
strata_format_h5_load_model (StrataFormat *format, GFile *file, StrataLoadOptions *options,
                             GCancellable *cancellable, GError **error)
{
  return h5_load_model (file, options, cancellable, error);
}

static StrataWeightsReport *
strata_format_h5_load_weights (StrataFormat *format, StrataModel *model, GFile *file,
                               StrataLoadOptions *options, GCancellable *cancellable, GError **error)
{
  return h5_load_weights (model, file, options, cancellable, error);
}

static gboolean
strata_format_h5_save_model (StrataFormat *format, StrataModel *model, GFile *file,
                             StrataSaveOptions *options, GCancellable *cancellable, GError **error)
{
  return h5_save (model, file, options, FALSE, cancellable, error);
}

static gboolean
strata_format_h5_save_weights (StrataFormat *format, StrataModel *model, GFile *file,
                               StrataSaveOptions *options, GCancellable *cancellable, GError **error)
{
  return h5_save (model, file, options, TRUE, cancellable, error);
}

static void
strata_format_h5_class_init (StrataFormatH5Class *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = strata_format_h5_probe;
  format_class->load_model = strata_format_h5_load_model;
  format_class->load_weights = strata_format_h5_load_weights;
  format_class->save_model = strata_format_h5_save_model;
  format_class->save_weights = strata_format_h5_save_weights;
}

static void
strata_format_h5_class_finalize (StrataFormatH5Class *klass)
{
}

static void
strata_format_h5_init (StrataFormatH5 *self)
{
}

static GType
h5_register_type (GTypeModule *module)
{
  strata_format_h5_register_type (module);
  return STRATA_TYPE_FORMAT_H5;
}

static const char * const h5_extensions[] = { "h5", "hdf5", NULL };
static const char * const h5_mime_types[] = { "application/x-hdf5", "application/x-hdf", NULL };
static const StrataMagic h5_magic[] = {
  { 0, hdf5_signature, 8 },
  { 512, hdf5_signature, 8 },
  { 1024, hdf5_signature, 8 },
  { 2048, hdf5_signature, 8 },
};

static const StrataFormatDescriptor h5_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "h5",
  .description = N_("Keras HDF5 (.h5): legacy full models and weights of Keras 1, 2 and 3"),
  .extensions = h5_extensions,
  .mime_types = h5_mime_types,
  .magic = h5_magic,
  .n_magic = G_N_ELEMENTS (h5_magic),
  .marker_files = NULL,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL |
                  STRATA_FORMAT_CAN_LOAD_WEIGHTS | STRATA_FORMAT_CAN_SAVE_WEIGHTS |
                  STRATA_FORMAT_HOLDS_WEIGHTS | STRATA_FORMAT_HOLDS_OPTIMIZER,
  .register_type = h5_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (h5_descriptor)
