/* h5-writer.c: writes the tf-keras 2.x legacy HDF5 layout from plain structs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-writer.h"
#include "h5-attrs.h"
#include "h5-common.h"
#include "h5-fd.h"
#include "h5-types.h"

#include <inttypes.h>

#include "strata-i18n-private.h"
#include "strata-mapped-private.h"

static gboolean
is_ascii (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* h5py creates missing intermediate groups and marks non-ASCII link names
 * as UTF-8. */
static hid_t
link_plist_new (const char *name)
{
  hid_t lcpl = H5Pcreate (H5P_LINK_CREATE);

  H5Pset_create_intermediate_group (lcpl, 1);
  if (!is_ascii (name))
    H5Pset_char_encoding (lcpl, H5T_CSET_UTF8);
  return lcpl;
}

static gboolean
write_dataset (hid_t group, const char *file, const char *where, const H5kOutWeight *w, GError **error)
{
  H5K_AUTO_ID hid_t lcpl = link_plist_new (w->name);
  H5K_AUTO_ID hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5K_AUTO_ID hid_t type = h5k_file_type_new (w->dtype);
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t ds = H5I_INVALID_HID;
  hsize_t dims[H5K_MAX_RANK];
  guint64 n = 1;
  gsize size = 0;
  gconstpointer data = w->data != NULL ? g_bytes_get_data (w->data, &size) : NULL;

  for (guint i = 0; i < w->rank; i++)
    {
      dims[i] = w->dims[i];
      n *= w->dims[i];
    }
  if (data == NULL || size != n * strata_dtype_get_size (w->dtype))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a weight name, a layer name, a size in bytes, then a number of
                    * elements */
                   _("The weight “%s” of “%s” has no data or the wrong amount of data "
                     "(%zu bytes for %" PRIu64 " elements)"),
                   w->name, where, size, n);
      return FALSE;
    }
  /* Contiguous, unfiltered, no timestamps: what Keras writes, and stable output. */
  H5Pset_obj_track_times (dcpl, 0);
  space = w->rank == 0 ? H5Screate (H5S_SCALAR) : H5Screate_simple (w->rank, dims, NULL);
  ds = H5Dcreate2 (group, w->name, type, space, lcpl, dcpl, H5P_DEFAULT);
  if (ds < 0 || (n > 0 && H5Dwrite (ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) ||
      h5k_fd_current_errno () != 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: a weight, its layer (or group), the file */
                     _("Cannot write the weight “%s” of “%s” to “%s”"), w->name, where, file);
      return FALSE;
    }
  /* Each weight is read once: a model larger than memory streams. */
  strata_mapped_release (data, size);
  return TRUE;
}

static gboolean
write_group (hid_t parent, const char *file, const char *name, GPtrArray *weights, GError **error)
{
  H5K_AUTO_ID hid_t lcpl = link_plist_new (name);
  H5K_AUTO_ID hid_t group = H5I_INVALID_HID;
  g_autofree const char **names = NULL;
  guint n = weights != NULL ? weights->len : 0;

  group = H5Gcreate2 (parent, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: a layer's (or group's) name, the file */
                     _("Cannot create the group “%s” in “%s”"), name, file);
      return FALSE;
    }
  names = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    names[i] = ((H5kOutWeight *) g_ptr_array_index (weights, i))->name;
  if (!h5k_attr_write_string_list (group, name, "weight_names", names, n, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!write_dataset (group, file, name, g_ptr_array_index (weights, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
write_weights (hid_t root, const char *file, const H5kOutFile *spec, GError **error)
{
  g_autofree const char **names = g_new0 (const char *, spec->layers->len + 1);

  for (guint i = 0; i < spec->layers->len; i++)
    names[i] = ((H5kOutGroup *) g_ptr_array_index (spec->layers, i))->name;
  if (!h5k_attr_write_string_list (root, "model_weights", "layer_names", names,
                                   spec->layers->len, error) ||
      !h5k_attr_write_string (root, "backend", spec->backend, H5T_CSET_ASCII, error) ||
      !h5k_attr_write_string (root, "keras_version", spec->keras_version, H5T_CSET_ASCII, error))
    return FALSE;
  for (guint i = 0; i < spec->layers->len; i++)
    {
      H5kOutGroup *g = g_ptr_array_index (spec->layers, i);
      if (g_cancellable_set_error_if_cancelled (spec->cancellable, error) ||
          !write_group (root, file, g->name, g->weights, error))
        return FALSE;
    }
  if (spec->top_level && !write_group (root, file, "top_level_model_weights", NULL, error))
    return FALSE;
  return TRUE;
}

typedef struct {
  const char       *name;
  const H5kOutFile *spec;
} WriteData;

static gboolean
write_contents (hid_t fid, gpointer user_data, GError **error)
{
  const WriteData *data = user_data;
  const H5kOutFile *spec = data->spec;
  H5K_AUTO_ID hid_t weights = H5I_INVALID_HID;

  if (spec->model_config == NULL)
    {
      weights = H5Gopen2 (fid, "/", H5P_DEFAULT);
    }
  else
    {
      /* Root attributes in Keras's order; bytes values are vlen ASCII,
       * str values vlen UTF-8 (h5py). */
      if (!h5k_attr_write_string (fid, "keras_version", spec->keras_version, H5T_CSET_UTF8, error) ||
          !h5k_attr_write_string (fid, "backend", spec->backend, H5T_CSET_UTF8, error) ||
          !h5k_attr_write_string (fid, "model_config", spec->model_config, H5T_CSET_ASCII, error))
        return FALSE;
      if (spec->training_config != NULL &&
          !h5k_attr_write_string (fid, "training_config", spec->training_config, H5T_CSET_ASCII, error))
        return FALSE;
      weights = H5Gcreate2 (fid, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    }
  if (weights < 0)
    {
      /* Translators: %s is a file name. */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot create the weights group in “%s”"), data->name);
      return FALSE;
    }
  if (!write_weights (weights, data->name, spec, error))
    return FALSE;

  if (spec->model_config != NULL && spec->optimizer != NULL &&
      (g_cancellable_set_error_if_cancelled (spec->cancellable, error) ||
       !write_group (fid, data->name, "optimizer_weights", spec->optimizer->weights, error)))
    return FALSE;

  return !g_cancellable_set_error_if_cancelled (spec->cancellable, error);
}

gboolean
h5k_write_to_fd (int fd, const char *name, const H5kOutFile *spec, GError **error)
{
  WriteData data = { name, spec };

  return h5k_write_fd (fd, name, write_contents, &data, error);
}

gboolean
h5k_write_file (const char *path, const H5kOutFile *spec, GError **error)
{
  return h5k_write_to_fd (-1, path, spec, error);
}
