/* h5-reader.c: the Keras HDF5 layout read into plain structs (no GObject)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-reader.h"
#include "h5-attrs.h"
#include "h5-common.h"
#include "h5-types.h"

#include <string.h>

#include "strata-i18n-private.h"

struct _H5kFile {
  char        *path;
  hid_t        fid;
  GMappedFile *mapped;
  GBytes      *bytes;     /* owns a reference to the mapping */
  guint64      size;
};

static const char hdf5_signature[8] = { '\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n' };

/* The superblock sits at 0, 512, 1024, 2048, ... (after a user block);
 * addresses in the file are relative to it. */
static gboolean
find_superblock (const char *data, guint64 size, guint64 *base)
{
  for (guint64 offset = 0; offset + sizeof hdf5_signature <= size;
       offset = offset == 0 ? 512 : offset * 2)
    if (memcmp (data + offset, hdf5_signature, sizeof hdf5_signature) == 0)
      {
        *base = offset;
        return TRUE;
      }
  return FALSE;
}

static guint64
read_le (const guchar *p, guint n)
{
  guint64 v = 0;

  for (guint i = n; i > 0; i--)
    v = (v << 8) | p[i - 1];
  return v;
}

/* Where contiguous dataset data lies: the heap check skips it, so that a
 * load (especially a metadata-only one) does not read the weights. */
typedef struct {
  guint64 start;
  guint64 end;
} H5kRange;

static herr_t
collect_extent (hid_t obj, const char *name, const H5O_info_t *info, void *user_data)
{
  GArray *ranges = user_data;
  hid_t ds;

  if (info->type != H5O_TYPE_DATASET)
    return 0;
  ds = H5Dopen2 (obj, name, H5P_DEFAULT);
  if (ds >= 0)
    {
      haddr_t offset = H5Dget_offset (ds);
      hsize_t storage = H5Dget_storage_size (ds);

      if (offset != HADDR_UNDEF && storage > 0 && offset + storage > offset)
        {
          H5kRange range = { offset, offset + storage };
          g_array_append_val (ranges, range);
        }
      H5Dclose (ds);
    }
  H5Eclear2 (H5E_DEFAULT);
  return 0;
}

static int
compare_ranges (gconstpointer a, gconstpointer b)
{
  const H5kRange *ra = a, *rb = b;

  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Finds @needle in the bytes of [from, to) that no dataset range covers;
 * returns the offset or @to. */
static guint64
find_outside (const guchar *data, guint64 from, guint64 to, const guchar *needle, gsize n,
              GArray *ranges, guint *cursor)
{
  while (from < to)
    {
      guint64 stop = to;
      const guchar *hit;

      /* Skip ranges that end before @from; jump over the one holding it. */
      while (*cursor < ranges->len && g_array_index (ranges, H5kRange, *cursor).end <= from)
        (*cursor)++;
      if (*cursor < ranges->len)
        {
          const H5kRange *r = &g_array_index (ranges, H5kRange, *cursor);
          if (r->start <= from)
            {
              from = r->end;
              continue;
            }
          stop = MIN (to, r->start + n - 1);   /* a match may end inside the next range */
        }
      hit = stop - from >= n ? memmem (data + from, stop - from, needle, n) : NULL;
      if (hit != NULL)
        return hit - data;
      from = stop >= to ? to : MAX (from + 1, stop - (n - 1));
      if (*cursor < ranges->len && from >= g_array_index (ranges, H5kRange, *cursor).start)
        from = g_array_index (ranges, H5kRange, *cursor).end;
    }
  return to;
}

/* libhdf5 1.10 trusts the sizes in heap headers: a global heap whose
 * free-space object is empty makes it loop for ever, and sizes beyond the
 * file make it allocate them. Every heap outside dataset data is checked
 * against the file before HDF5 reads one (8-byte lengths and addresses, as
 * h5py and every Keras writer use). A file crafted so that a dataset's
 * declared storage covers a bad heap still reaches libhdf5's own checks. */
/* A variable-length value on disk is {u32 length, u64 heap address, u32
 * index}, and libhdf5 allocates (and clears) the length it reads before
 * it looks at the heap. The attributes Keras keeps as variable-length
 * strings are found by name in the version 1 object headers every Keras
 * writer produces, and no length may exceed the file. */
static const char * const vlen_attributes[] = {
  "keras_version", "backend", "model_config", "training_config", "layer_names", "weight_names",
};

static guint64
pad8 (guint64 n)
{
  return (n + 7) & ~(guint64) 7;
}

static gboolean
check_vlen_attribute (const guchar *data, guint64 size, guint64 name_at, const char *name,
                      const char *path, GError **error)
{
  gsize name_len = strlen (name);
  guint64 body, digits = 0, name_size, dt, start, end, base_size;

  /* Chunked lists: "layer_names0", "layer_names1", ... */
  while (name_at + name_len + digits < size && g_ascii_isdigit (data[name_at + name_len + digits]))
    digits++;
  if (name_at < 16 || name_at + name_len + digits >= size || data[name_at + name_len + digits] != '\0')
    return TRUE;
  body = name_at - 8;
  name_size = read_le (data + body + 2, 2);
  /* Message header {type 0x000C, size, flags, reserved}; body version 1. */
  if (read_le (data + body - 8, 2) != 0x000C || data[body] != 1 || data[body + 1] != 0 ||
      name_size != name_len + digits + 1)
    return TRUE;
  dt = name_at + pad8 (name_size);
  end = body + read_le (data + body - 6, 2);
  if (end > size || dt >= end || (data[dt] & 0x0f) != 9 /* H5T_VLEN */)
    return TRUE;
  /* The base type (one byte for strings) follows the 8-byte vlen header. */
  if (dt + 16 > end)
    return TRUE;
  base_size = read_le (data + dt + 12, 4);
  if (base_size == 0 || base_size > 64)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   _("“%s” is damaged: the attribute “%s” at offset %" G_GUINT64_FORMAT
                     " has a variable-length type of %" G_GUINT64_FORMAT "-byte elements"),
                   path, name, dt, base_size);
      return FALSE;
    }
  start = dt + pad8 (read_le (data + body + 4, 2)) + pad8 (read_le (data + body + 6, 2));
  for (guint64 e = start; e + 16 <= end; e += 16)
    {
      guint64 length = read_le (data + e, 4) * base_size;

      if (length > size)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       _("“%s” is damaged: the attribute “%s” at offset %" G_GUINT64_FORMAT
                         " declares a string of %" G_GUINT64_FORMAT " bytes"),
                       path, name, e, length);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_vlen_attributes (const guchar *data, guint64 size, GArray *ranges, const char *path,
                       GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (vlen_attributes); i++)
    {
      const char *name = vlen_attributes[i];
      gsize n = strlen (name);
      guint cursor = 0;

      for (guint64 q = find_outside (data, 0, size, (const guchar *) name, n, ranges, &cursor); q < size;
           q = find_outside (data, q + 1, size, (const guchar *) name, n, ranges, &cursor))
        if (!check_vlen_attribute (data, size, q, name, path, error))
          return FALSE;
    }
  return TRUE;
}

static gboolean
check_heaps (const guchar *data, guint64 size, GArray *ranges, const char *path, GError **error)
{
  static const guchar gcol[] = { 'G', 'C', 'O', 'L', 1, 0, 0, 0 };
  static const guchar heap[] = { 'H', 'E', 'A', 'P', 0, 0, 0, 0 };
  guint64 offset;
  guint cursor = 0;

  for (offset = find_outside (data, 0, size, gcol, 8, ranges, &cursor); offset < size;
       offset = find_outside (data, offset + 1, size, gcol, 8, ranges, &cursor))
    {
      const guchar *p = data + offset;
      guint64 length, pos;

      if (size - offset < 16)
        break;
      length = read_le (p + 8, 8);
      if (length < 16 || length > size - offset)
        goto bad_gcol;
      /* Walk the objects as HDF5 will: each must move forward. */
      for (pos = 16; pos + 16 <= length; )
        {
          guint index = read_le (p + pos, 2);
          guint64 object = read_le (p + pos + 8, 8);
          guint64 need = index > 0 ? 16 + ((object + 7) & ~(guint64) 7) : object;

          if (object > length || need == 0 || need > length - pos)
            goto bad_gcol;
          pos += need;
        }
      continue;

    bad_gcol:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   _("“%s” is damaged: the global heap at offset %" G_GUINT64_FORMAT " is inconsistent"),
                   path, offset);
      return FALSE;
    }

  cursor = 0;
  for (offset = find_outside (data, 0, size, heap, 8, ranges, &cursor); offset < size;
       offset = find_outside (data, offset + 1, size, heap, 8, ranges, &cursor))
    {
      const guchar *p = data + offset;
      guint64 length, address;

      if (size - offset < 32)
        break;
      length = read_le (p + 8, 8);
      address = read_le (p + 24, 8);
      if (length > size || (address != G_MAXUINT64 && (address > size || length > size - address)))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       _("“%s” is damaged: the local heap at offset %" G_GUINT64_FORMAT " declares "
                         "%" G_GUINT64_FORMAT " bytes"), path, offset, length);
          return FALSE;
        }
    }
  return TRUE;
}

H5kFile *
h5k_file_open (const char *path, GError **error)
{
  H5K_LOCKED;
  g_autoptr(GMappedFile) mapped = NULL;
  H5K_AUTO_ID hid_t fapl = H5I_INVALID_HID;
  g_autoptr(GArray) ranges = NULL;
  H5kFile *file;
  guint64 base = 0;
  hid_t fid;

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  if (!find_superblock (g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped), &base))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   _("“%s” is not an HDF5 file (no HDF5 signature)"), path);
      return NULL;
    }

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  /* Close every object with the file: nothing may outlive a failed load. */
  H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);
  fid = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  if (fid < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("Cannot open the HDF5 file “%s”; it is damaged or truncated"), path);
      return NULL;
    }

  /* Objects are visited without reading any attribute (no global heap). */
  ranges = g_array_new (FALSE, FALSE, sizeof (H5kRange));
  H5Ovisit2 (fid, H5_INDEX_NAME, H5_ITER_NATIVE, collect_extent, ranges, H5O_INFO_BASIC);
  H5Eclear2 (H5E_DEFAULT);
  g_array_sort (ranges, compare_ranges);
  if (!check_heaps ((const guchar *) g_mapped_file_get_contents (mapped),
                    g_mapped_file_get_length (mapped), ranges, path, error) ||
      !check_vlen_attributes ((const guchar *) g_mapped_file_get_contents (mapped),
                              g_mapped_file_get_length (mapped), ranges, path, error))
    {
      H5Fclose (fid);
      return NULL;
    }

  file = g_new0 (H5kFile, 1);
  file->path = g_strdup (path);
  file->fid = fid;
  file->size = g_mapped_file_get_length (mapped);
  file->bytes = g_mapped_file_get_bytes (mapped);
  file->mapped = g_steal_pointer (&mapped);
  return file;
}

void
h5k_file_free (H5kFile *file)
{
  if (file == NULL)
    return;
  {
    H5K_LOCKED;
    H5Fclose (file->fid);
  }
  g_bytes_unref (file->bytes);
  g_mapped_file_unref (file->mapped);
  g_free (file->path);
  g_free (file);
}

const char *
h5k_file_get_path (H5kFile *file)
{
  return file->path;
}

guint64
h5k_file_get_size (H5kFile *file)
{
  return file->size;
}

static void
h5k_weight_free (H5kWeight *weight)
{
  g_free (weight->name);
  g_free (weight->path);
  g_free (weight);
}

static void
h5k_group_free (H5kGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->name);
  g_ptr_array_unref (group->weights);
  g_free (group);
}

void
h5k_keras_file_free (H5kKerasFile *kf)
{
  if (kf == NULL)
    return;
  g_free (kf->keras_version);
  g_free (kf->backend);
  g_free (kf->model_config);
  g_free (kf->training_config);
  g_free (kf->weights_keras_version);
  g_free (kf->weights_backend);
  g_free (kf->weights_root);
  g_clear_pointer (&kf->layers, g_ptr_array_unref);
  h5k_group_free (kf->top_level);
  h5k_group_free (kf->optimizer);
  g_free (kf);
}

char *
h5k_weight_describe (const H5kWeight *weight)
{
  g_autoptr(GString) s = g_string_new (strata_dtype_to_string (weight->dtype));

  g_string_append (s, " (");
  for (guint i = 0; i < weight->rank; i++)
    g_string_append_printf (s, i == 0 ? "%" G_GINT64_FORMAT : ", %" G_GINT64_FORMAT, weight->dims[i]);
  if (weight->rank == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
join_path (const char *base, const char *name)
{
  if (g_str_equal (base, "/"))
    return g_strconcat ("/", name, NULL);
  return g_strconcat (base, "/", name, NULL);
}

/* Reads the dataset's type, shape and storage; checks what it declares
 * against what the file can hold, so that no read allocates more. */
static H5kWeight *
describe_dataset (H5kFile *file, hid_t group, const char *group_path, const char *wname,
                  GError **error)
{
  g_autofree char *path = join_path (group_path, wname);
  H5K_AUTO_ID hid_t ds = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t ftype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t mtype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t dcpl = H5I_INVALID_HID;
  hsize_t dims[H5K_MAX_RANK];
  H5D_layout_t layout;
  H5kWeight *weight;
  guint64 n_elements = 1, limit, file_bytes;
  haddr_t offset;
  hsize_t storage;
  int rank, n_filters;
  StrataDType dtype;

  if (!h5k_check_hard_path (group, group_path, wname, error))
    return NULL;
  ds = H5Dopen2 (group, wname, H5P_DEFAULT);
  if (ds < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("Cannot open the weight dataset “%s” in “%s”"), path, file->path);
      return NULL;
    }

  ftype = H5Dget_type (ds);
  dtype = h5k_dtype_from_h5 (ftype, path, error);
  if (dtype == STRATA_DTYPE_INVALID)
    return NULL;

  space = H5Dget_space (ds);
  rank = H5Sget_simple_extent_ndims (space);
  if (rank < 0 || H5Sget_simple_extent_type (space) == H5S_NULL)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("The weight dataset “%s” has no usable shape"), path);
      return NULL;
    }
  if (rank > H5K_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   _("The weight dataset “%s” has %d dimensions; at most %d are supported"),
                   path, rank, H5K_MAX_RANK);
      return NULL;
    }
  H5Sget_simple_extent_dims (space, dims, NULL);
  for (int i = 0; i < rank; i++)
    {
      if (dims[i] != 0 && n_elements > G_MAXINT64 / 16 / dims[i])
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       _("The weight dataset “%s” declares too many elements"), path);
          return NULL;
        }
      n_elements *= dims[i];
    }

  dcpl = H5Dget_create_plist (ds);
  if (H5Pget_external_count (dcpl) > 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   _("The weight dataset “%s” keeps its data in external files; Strata refuses "
                     "external storage"), path);
      return NULL;
    }
  layout = H5Pget_layout (dcpl);
  if (layout == H5D_VIRTUAL || layout < 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   _("The weight dataset “%s” is a virtual dataset; Strata refuses them"), path);
      return NULL;
    }
  n_filters = H5Pget_nfilters (dcpl);
  offset = H5Dget_offset (ds);
  storage = H5Dget_storage_size (ds);
  H5Eclear2 (H5E_DEFAULT);  /* H5Dget_offset fails on chunked data; that is expected */

  weight = g_new0 (H5kWeight, 1);
  weight->name = g_strdup (wname);
  weight->path = g_steal_pointer (&path);
  weight->dtype = dtype;
  weight->rank = rank;
  for (int i = 0; i < rank; i++)
    weight->dims[i] = dims[i];
  weight->n_bytes = n_elements * strata_dtype_get_size (dtype);
  file_bytes = n_elements * H5Tget_size (ftype);

  /* Deflate cannot shrink data more than about 1032:1; anything declaring
   * more is a lie. Unfiltered data must fit in the file itself. */
  limit = n_filters > 0 ? (guint64) storage * 1032 + 4096 : file->size;
  if (weight->n_bytes > limit ||
      (layout == H5D_CONTIGUOUS && storage != 0 && storage < file_bytes) ||
      (offset != HADDR_UNDEF && (offset > file->size || storage > file->size - offset)))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   _("The weight dataset “%s” declares %" G_GUINT64_FORMAT " bytes but the file "
                     "“%s” stores only %" G_GUINT64_FORMAT " bytes for it (file size %"
                     G_GUINT64_FORMAT ")"),
                   weight->path, weight->n_bytes, file->path, (guint64) storage, file->size);
      h5k_weight_free (weight);
      return NULL;
    }

  mtype = h5k_mem_type_new (dtype, ftype);
  if (layout == H5D_CONTIGUOUS && n_filters == 0 && offset != HADDR_UNDEF &&
      storage == weight->n_bytes && H5Tequal (ftype, mtype) > 0)
    {
      weight->mappable = TRUE;
      weight->offset = offset;
    }
  return weight;
}

static H5kGroup *
read_group (H5kFile *file, hid_t parent, const char *parent_path, const char *name,
            GError **error)
{
  g_autofree char *path = join_path (parent_path, name);
  g_auto(GStrv) names = NULL;
  H5K_AUTO_ID hid_t group = H5I_INVALID_HID;
  H5kGroup *result;

  if (!h5k_check_hard_path (parent, parent_path, name, error))
    return NULL;
  group = H5Gopen2 (parent, name, H5P_DEFAULT);
  if (group < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("“%s” in “%s” is not a group"), path, file->path);
      return NULL;
    }
  names = h5k_attr_read_string_list (group, path, "weight_names", error);
  if (names == NULL)
    return NULL;

  result = g_new0 (H5kGroup, 1);
  result->name = g_strdup (name);
  result->weights = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_weight_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      H5kWeight *weight = describe_dataset (file, group, path, names[i], error);

      if (weight == NULL)
        {
          h5k_group_free (result);
          return NULL;
        }
      g_ptr_array_add (result->weights, weight);
    }
  return result;
}

static gboolean
link_exists (hid_t loc, const char *name)
{
  return H5Lexists (loc, name, H5P_DEFAULT) > 0;
}

static gboolean
attr_or_chunk_exists (hid_t loc, const char *name)
{
  g_autofree char *chunk = g_strconcat (name, "0", NULL);

  return H5Aexists (loc, name) > 0 || H5Aexists (loc, chunk) > 0;
}

H5kKerasFile *
h5k_file_read_keras (H5kFile *file, gboolean with_optimizer, GError **error)
{
  H5K_LOCKED;
  g_autoptr(H5kKerasFile) kf = g_new0 (H5kKerasFile, 1);
  H5K_AUTO_ID hid_t root = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t weights = H5I_INVALID_HID;
  g_auto(GStrv) layer_names = NULL;
  GError *local_error = NULL;

  root = H5Gopen2 (file->fid, "/", H5P_DEFAULT);
  if (root < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("Cannot open the root group of “%s”"), file->path);
      return NULL;
    }

#define READ_ROOT_STRING(field, attr) \
  kf->field = h5k_attr_read_string (root, file->path, attr, &local_error); \
  if (local_error != NULL) \
    { \
      g_propagate_error (error, local_error); \
      return NULL; \
    }
  READ_ROOT_STRING (keras_version, "keras_version");
  READ_ROOT_STRING (backend, "backend");
  READ_ROOT_STRING (model_config, "model_config");
  READ_ROOT_STRING (training_config, "training_config");

  /* Keras: use the root when it lists layers, else model_weights. */
  if (kf->model_config == NULL && attr_or_chunk_exists (root, "layer_names"))
    kf->weights_root = g_strdup ("/");
  else if (link_exists (root, "model_weights"))
    kf->weights_root = g_strdup ("/model_weights");
  else if (link_exists (root, "layers") || link_exists (root, "vars") ||
           link_exists (root, "_layer_checkpoint_dependencies"))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   _("“%s” is a Keras 3 weights file (.weights.h5 layout), not a legacy Keras "
                     "HDF5 file; it is read by the keras-v3 format"), file->path);
      return NULL;
    }
  else if (H5Aexists (root, "nb_layers") > 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   _("“%s” uses the Keras 0.x weights layout, which Strata does not read"),
                   file->path);
      return NULL;
    }
  else
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   _("“%s” is an HDF5 file but not a Keras file: it has neither a “layer_names” "
                     "attribute nor a “model_weights” group"), file->path);
      return NULL;
    }

  if (!h5k_check_hard_path (root, file->path, kf->weights_root, error))
    return NULL;
  weights = H5Gopen2 (file->fid, kf->weights_root, H5P_DEFAULT);
  if (weights < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     _("“%s” in “%s” is not a group"), kf->weights_root, file->path);
      return NULL;
    }
  kf->weights_keras_version = h5k_attr_read_string (weights, kf->weights_root, "keras_version",
                                                    &local_error);
  if (local_error == NULL)
    kf->weights_backend = h5k_attr_read_string (weights, kf->weights_root, "backend", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  layer_names = h5k_attr_read_string_list (weights, kf->weights_root, "layer_names", error);
  if (layer_names == NULL)
    return NULL;

  kf->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_group_free);
  for (guint i = 0; layer_names[i] != NULL; i++)
    {
      H5kGroup *group = read_group (file, weights, kf->weights_root, layer_names[i], error);

      if (group == NULL)
        return NULL;
      g_ptr_array_add (kf->layers, group);
    }

  if (link_exists (weights, "top_level_model_weights") &&
      !g_strv_contains ((const char * const *) layer_names, "top_level_model_weights"))
    {
      kf->top_level = read_group (file, weights, kf->weights_root, "top_level_model_weights", error);
      if (kf->top_level == NULL)
        return NULL;
    }

  if (with_optimizer && kf->model_config != NULL && link_exists (root, "optimizer_weights"))
    {
      kf->optimizer = read_group (file, root, "/", "optimizer_weights", error);
      if (kf->optimizer == NULL)
        return NULL;
    }

  return g_steal_pointer (&kf);
}

GBytes *
h5k_file_read_weight (H5kFile *file, const H5kWeight *weight, GError **error)
{
  g_autofree guint8 *buffer = NULL;

  if (weight->mappable)
    {
      if (weight->offset > file->size || weight->n_bytes > file->size - weight->offset)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       _("The data of “%s” lie beyond the end of “%s”"), weight->path, file->path);
          return NULL;
        }
      /* Zero copy: the slice keeps the mapping alive. */
      return g_bytes_new_from_bytes (file->bytes, weight->offset, weight->n_bytes);
    }

  if (weight->n_bytes > file->size && weight->n_bytes > 1032 * (guint64) file->size)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   _("The weight dataset “%s” declares more data than “%s” can hold"),
                   weight->path, file->path);
      return NULL;
    }

  {
    H5K_LOCKED;
    H5K_AUTO_ID hid_t ds = H5I_INVALID_HID;
    H5K_AUTO_ID hid_t ftype = H5I_INVALID_HID;
    H5K_AUTO_ID hid_t mtype = H5I_INVALID_HID;

    ds = H5Dopen2 (file->fid, weight->path, H5P_DEFAULT);
    if (ds < 0)
      {
        h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                       _("Cannot open the weight dataset “%s” in “%s”"), weight->path, file->path);
        return NULL;
      }
    ftype = H5Dget_type (ds);
    mtype = h5k_mem_type_new (weight->dtype, ftype);
    buffer = g_try_malloc (MAX (weight->n_bytes, 1));
    if (buffer == NULL)
      {
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                     _("Not enough memory for the %" G_GUINT64_FORMAT " bytes of “%s”"),
                     weight->n_bytes, weight->path);
        return NULL;
      }
    if (weight->n_bytes > 0 && H5Dread (ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
      {
        h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                       _("Cannot read the weight dataset “%s” in “%s”"), weight->path, file->path);
        return NULL;
      }
  }
  return g_bytes_new_take (g_steal_pointer (&buffer), weight->n_bytes);
}

char *
h5k_file_read_string_attr (H5kFile *file, const char *path, const char *name, GError **error)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t obj = H5I_INVALID_HID;

  obj = H5Oopen (file->fid, path, H5P_DEFAULT);
  if (obj < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("“%s” has no object “%s”"),
                     file->path, path);
      return NULL;
    }
  return h5k_attr_read_string (obj, path, name, error);
}

char **
h5k_file_read_string_list (H5kFile *file, const char *path, const char *name, GError **error)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t obj = H5I_INVALID_HID;

  obj = H5Oopen (file->fid, path, H5P_DEFAULT);
  if (obj < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("“%s” has no object “%s”"),
                     file->path, path);
      return NULL;
    }
  return h5k_attr_read_string_list (obj, path, name, error);
}
