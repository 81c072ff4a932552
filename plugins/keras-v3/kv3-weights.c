/* kv3-weights.c: reads and writes the Keras 3 weights HDF5 layout
 *
 * libhdf5 is only used under the h5 plugin's process-wide lock, and only
 * on files h5k_file_open() has validated first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "strata-mapped-private.h"
#include "h5-common.h"
#include "h5-fd.h"
#include "h5-reader.h"
#include "h5-types.h"
#include "h5-attrs.h"
#include "kv3-plan.h"
#include "kv3-weights.h"

/* Validates @path with the h5 plugin's checks, then opens it (locked).
 * The checked file, which maps @path, is kept in @mapped if not NULL. */
static hid_t
open_checked (const char *path, H5kFile **mapped, GError **error)
{
  g_autoptr(H5kFile) checked = h5k_file_open (path, error);
  H5K_AUTO_ID hid_t fapl = H5I_INVALID_HID;
  hid_t fid;

  if (checked == NULL)
    return H5I_INVALID_HID;
  h5k_lock ();
  fapl = H5Pcreate (H5P_FILE_ACCESS);
  H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);
  fid = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  if (fid < 0)
    /* Translators: %s is a file name. */
    h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot open the HDF5 file “%s”"), path);
  h5k_close_id_ptr (&fapl);
  h5k_unlock ();
  if (fid >= 0 && mapped != NULL)
    *mapped = g_steal_pointer (&checked);
  return fid;
}

static gboolean
exists (hid_t fid, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  GString *at = g_string_new (NULL);
  gboolean ok = TRUE;

  for (guint i = 0; ok && parts[i] != NULL; i++)
    {
      if (at->len > 0)
        g_string_append_c (at, '/');
      g_string_append (at, parts[i]);
      ok = H5Lexists (fid, at->str, H5P_DEFAULT) > 0;
    }
  g_string_free (at, TRUE);
  H5Eclear2 (H5E_DEFAULT);
  return ok;
}

/* @vars_path with one attribute made private ("_query_dense" for
 * "query_dense"), when that group exists: tf-keras keeps sub-layers that
 * Keras 3 exposes as properties (MultiHeadAttention's projections) in
 * private attributes only. NULL when no such group exists. Locked. */
static char *
private_attribute_group (hid_t fid, const char *vars_path)
{
  g_auto(GStrv) parts = g_strsplit (vars_path, "/", -1);
  guint n = g_strv_length (parts);

  for (guint i = 1; i + 1 < n; i++)
    {
      g_autofree char *saved = parts[i];
      g_autofree char *candidate = NULL;

      if (saved[0] == '_' || g_str_equal (saved, "layers"))
        {
          parts[i] = g_steal_pointer (&saved);
          continue;
        }
      parts[i] = g_strconcat ("_", saved, NULL);
      candidate = g_strjoinv ("/", parts);
      g_free (parts[i]);
      parts[i] = g_steal_pointer (&saved);
      if (exists (fid, candidate))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

/* The group a vars path names in this file: as is; with the
 * `_layer_checkpoint_dependencies` of TF-Keras 2.13; or with the
 * backslashes TF-Keras wrote on Windows ("layers\dense/vars"); or with
 * a private attribute of tf-keras (see private_attribute_group()).
 * NULL when absent. Locked. */
static char *
resolve_group (hid_t fid, const char *vars_path)
{
  g_autofree char *inner = NULL;
  g_autofree char *alt = NULL;

  if (exists (fid, vars_path))
    return g_strdup (vars_path);
  if (g_str_has_prefix (vars_path, "layers/"))
    {
      alt = g_strconcat ("_layer_checkpoint_dependencies", vars_path + strlen ("layers"), NULL);
      if (exists (fid, alt))
        return g_steal_pointer (&alt);
    }
  if (g_str_has_suffix (vars_path, "/vars"))
    {
      inner = g_strndup (vars_path, strlen (vars_path) - strlen ("/vars"));
      g_strdelimit (inner, "/", '\\');
      g_clear_pointer (&alt, g_free);
      alt = g_strconcat (inner, "/vars", NULL);
      if (H5Lexists (fid, inner, H5P_DEFAULT) > 0 && exists (fid, alt))
        {
          H5Eclear2 (H5E_DEFAULT);
          return g_steal_pointer (&alt);
        }
      H5Eclear2 (H5E_DEFAULT);
    }
  return private_attribute_group (fid, vars_path);
}

/* Number of links in a group. Locked. */
static guint
count_members (hid_t fid, const char *group)
{
  H5K_AUTO_ID hid_t gid = H5Gopen2 (fid, group, H5P_DEFAULT);
  H5G_info_t info;

  if (gid < 0 || H5Gget_info (gid, &info) < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return 0;
    }
  return (guint) MIN (info.nlinks, G_MAXUINT);
}

/* The file offset of @did's data if they can be used in place: stored
 * contiguously, unfiltered, as the bytes of @dtype. */
static gboolean
dataset_offset (hid_t did, hid_t ftype, StrataDType dtype, guint64 n_bytes, guint64 *offset)
{
  haddr_t addr = H5Dget_offset (did);

  H5Eclear2 (H5E_DEFAULT);  /* H5Dget_offset fails on chunked data; that is expected */
  if (addr == HADDR_UNDEF || n_bytes == 0 || H5Dget_storage_size (did) != n_bytes ||
      !h5k_type_is_stored_as (ftype, dtype))
    return FALSE;
  *offset = addr;
  return TRUE;
}

/* Reads dataset @name of @group as a tensor: a slice of @mapped (the same
 * file, mapped) where the data allow it, as the h5 module does, else
 * copied. Locked. */
static StrataTensor *
read_dataset (hid_t fid, H5kFile *mapped, const char *file_path, const char *group, const char *name,
              GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%s", group, name);
  H5K_AUTO_ID hid_t did = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t ftype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t mtype = H5I_INVALID_HID;
  g_autofree char *where = g_strdup_printf ("%s:/%s", file_path, path);
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(GBytes) bytes = NULL;
  hsize_t dims[H5K_MAX_RANK];
  gint64 sdims[H5K_MAX_RANK];
  guint64 n_bytes;
  StrataDType dtype;
  int rank;
  gpointer buffer;
  guint64 offset;

  if (H5Lexists (fid, path, H5P_DEFAULT) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then an HDF5 dataset path such as /layers/dense/vars/0 */
                   _("“%s” has no weight dataset %s"), file_path, path);
      return NULL;
    }
  did = H5Dopen2 (fid, path, H5P_DEFAULT);
  if (did < 0)
    {
      /* Translators: a file name and an HDF5 dataset path, such as model.weights.h5:/layers/dense/vars/0 */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot open the dataset %s"), where);
      return NULL;
    }
  ftype = H5Dget_type (did);
  space = H5Dget_space (did);
  dtype = h5k_dtype_from_h5 (ftype, where, error);
  if (dtype == STRATA_DTYPE_INVALID)
    return NULL;
  {
    g_autofree char *declared = h5k_attr_read_string (did, where, "dtype", NULL);

    if (g_strcmp0 (declared, "bfloat16") == 0)
      dtype = STRATA_DTYPE_BFLOAT16;
  }
  rank = H5Sget_simple_extent_ndims (space);
  if (rank < 0 || rank > H5K_MAX_RANK || H5Sget_simple_extent_dims (space, dims, NULL) < 0)
    {
      /* Translators: a file name and an HDF5 dataset path, such as model.weights.h5:/layers/dense/vars/0 */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("The dataset %s has an invalid shape"), where);
      return NULL;
    }
  n_bytes = strata_dtype_get_size (dtype);
  for (int d = 0; d < rank; d++)
    {
      if (dims[d] > G_MAXINT64 || (dims[d] != 0 && n_bytes > G_MAXUINT64 / dims[d]))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: a file name and an HDF5 dataset path, such as model.weights.h5:/layers/dense/vars/0 */
                       _("The dataset %s is too large"), where);
          return NULL;
        }
      n_bytes *= dims[d];
      sdims[d] = dims[d];
    }
  {
    hsize_t file_size = 0;

    H5Fget_filesize (fid, &file_size);
    if (n_bytes > file_size)
      {
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                     /* Translators: a file name and an HDF5 dataset path, such as model.weights.h5:/layers/dense/vars/0, then a size in bytes */
                     _("The dataset %s declares %" PRIu64 " bytes, more than the file holds"),
                     where, n_bytes);
        return NULL;
      }
  }
  shape = rank == 0 ? strata_shape_new_scalar () : strata_shape_new (rank, sdims);
  if (mapped != NULL && dataset_offset (did, ftype, dtype, n_bytes, &offset))
    {
      H5kWeight in_place = { .name = (char *) name, .path = where, .dtype = dtype, .rank = rank,
                             .n_bytes = n_bytes, .mappable = TRUE, .offset = offset };

      bytes = h5k_file_read_weight (mapped, &in_place, error);
      return bytes != NULL ? strata_tensor_new (dtype, shape, bytes, error) : NULL;
    }
  mtype = h5k_mem_type_new (dtype, ftype);
  buffer = g_malloc (MAX (n_bytes, 1));
  if (n_bytes > 0 && H5Dread (did, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
    {
      g_free (buffer);
      /* Translators: a file name and an HDF5 dataset path, such as model.weights.h5:/layers/dense/vars/0 */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot read the dataset %s"), where);
      return NULL;
    }
  bytes = g_bytes_new_take (buffer, n_bytes);
  return strata_tensor_new (dtype, shape, bytes, error);
}

/* The open files of a Kv3Files. */
typedef struct {
  const Kv3Files *files;
  hid_t          *fids;
  H5kFile       **mapped;   /* the same files, mapped: weights are slices of them */
} Source;

static void
source_close (Source *src)
{
  h5k_lock ();
  for (guint i = 0; src->fids != NULL && i < src->files->paths->len; i++)
    if (src->fids[i] >= 0)
      H5Fclose (src->fids[i]);
  h5k_unlock ();
  for (guint i = 0; src->mapped != NULL && i < src->files->paths->len; i++)
    h5k_file_free (src->mapped[i]);
  g_clear_pointer (&src->fids, g_free);
  g_clear_pointer (&src->mapped, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Source, source_close)

static gboolean
source_open (Source *src, const Kv3Files *files, GError **error)
{
  src->files = files;
  src->fids = g_new (hid_t, files->paths->len);
  src->mapped = g_new0 (H5kFile *, files->paths->len);
  for (guint i = 0; i < files->paths->len; i++)
    src->fids[i] = H5I_INVALID_HID;
  for (guint i = 0; i < files->paths->len; i++)
    {
      src->fids[i] = open_checked (g_ptr_array_index (files->paths, i), &src->mapped[i], error);
      if (src->fids[i] < 0)
        return FALSE;
    }
  return TRUE;
}

static const char *
source_path (Source *src, guint i)
{
  return g_ptr_array_index (src->files->paths, i);
}

/* Whether file @i may hold variables of @group: the index of sharded
 * weights lists the shards of each group it maps. */
static gboolean
source_may_hold (Source *src, const char *group, guint i)
{
  GArray *list = src->files->groups != NULL ? g_hash_table_lookup (src->files->groups, group) : NULL;

  if (list == NULL)
    return TRUE;
  for (guint k = 0; k < list->len; k++)
    if (g_array_index (list, guint, k) == i)
      return TRUE;
  return FALSE;
}

/* Number of variables of the vars group @group over the files. Locked. */
static guint
source_count (Source *src, const char *group)
{
  guint n = 0;

  for (guint i = 0; i < src->files->paths->len; i++)
    if (source_may_hold (src, group, i))
      {
        g_autofree char *found = resolve_group (src->fids[i], group);

        if (found != NULL)
          n += count_members (src->fids[i], found);
      }
  return n;
}

/* Reads variable @name of the vars group @group from the file that holds
 * it. Locked. */
static StrataTensor *
source_read (Source *src, const char *group, const char *name, GError **error)
{
  for (guint i = 0; i < src->files->paths->len; i++)
    if (source_may_hold (src, group, i))
      {
        g_autofree char *found = resolve_group (src->fids[i], group);
        g_autofree char *path = found != NULL ? g_strdup_printf ("%s/%s", found, name) : NULL;
        gboolean here = path != NULL && H5Lexists (src->fids[i], path, H5P_DEFAULT) > 0;

        H5Eclear2 (H5E_DEFAULT);
        if (here)
          return read_dataset (src->fids[i], src->mapped[i], source_path (src, i), found, name, error);
      }
  /* Not in any file: read_dataset() says so, naming the index. */
  return read_dataset (src->fids[0], NULL, src->files->name, group, name, error);
}

/* What checking the shards of sharded weights found so far. */
typedef struct {
  Source     *src;
  guint       file;
  GHashTable *where;    /* variable path -> its file + 1 */
  double      bits;     /* the variables' size, in bits as Keras counts it */
  GError    **error;
} CheckVisit;

/* A dataset's size in bits as Keras counts it (a bool is one bit). Locked. */
static double
dataset_bits (hid_t fid, const char *name, const char *where)
{
  H5K_AUTO_ID hid_t did = H5Dopen2 (fid, name, H5P_DEFAULT);
  H5K_AUTO_ID hid_t ftype = did >= 0 ? H5Dget_type (did) : H5I_INVALID_HID;
  H5K_AUTO_ID hid_t space = did >= 0 ? H5Dget_space (did) : H5I_INVALID_HID;
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints (space) : 0;
  StrataDType dtype = ftype >= 0 ? h5k_dtype_from_h5 (ftype, where, NULL) : STRATA_DTYPE_INVALID;

  H5Eclear2 (H5E_DEFAULT);
  if (n <= 0)
    return 0;
  if (dtype == STRATA_DTYPE_BOOL)
    return (double) n;
  return (double) n * 8.0 * (dtype != STRATA_DTYPE_INVALID ? strata_dtype_get_size (dtype) : H5Tget_size (ftype));
}

static herr_t
check_dataset (hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
  CheckVisit *visit = data;
  const Kv3Files *files = visit->src->files;
  const char *path = g_ptr_array_index (files->paths, visit->file);
  const char *slash = strrchr (name, '/');
  g_autofree char *group = slash != NULL ? g_strndup (name, slash - name) : g_strdup ("");
  GArray *list = g_hash_table_lookup (files->groups, group);
  guint other = GPOINTER_TO_UINT (g_hash_table_lookup (visit->where, name));
  g_autofree char *where = g_strdup_printf ("%s:/%s", path, name);

  if (info->type != H5O_TYPE_DATASET)
    return 0;
  if (list == NULL || !source_may_hold (visit->src, group, visit->file))
    {
      g_set_error (visit->error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a shard file, an HDF5 dataset path, the index file, an HDF5 group */
                   _("The shard “%s” holds the variable /%s, but its index “%s” does not list that shard for /%s"),
                   path, name, files->name, group);
      return -1;
    }
  if (other != 0)
    {
      g_set_error (visit->error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: an HDF5 dataset path, then two shard files */
                   _("The variable /%s is in two shards, “%s” and “%s”"),
                   name, (const char *) g_ptr_array_index (files->paths, other - 1), path);
      return -1;
    }
  g_hash_table_insert (visit->where, g_strdup (name), GUINT_TO_POINTER (visit->file + 1));
  visit->bits += dataset_bits (obj, name, where);
  return 0;
}

gboolean
kv3_weights_check_shards (const Kv3Files *files, double total_size, GError **error)
{
  g_autoptr(GHashTable) where = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(Source) src = { 0 };
  CheckVisit visit = { &src, 0, where, 0, error };

  g_return_val_if_fail (files->groups != NULL, FALSE);
  if (!source_open (&src, files, error))
    return FALSE;
  for (visit.file = 0; visit.file < files->paths->len; visit.file++)
    {
      herr_t status;

      h5k_lock ();
      status = H5Ovisit2 (src.fids[visit.file], H5_INDEX_NAME, H5_ITER_INC, check_dataset, &visit,
                          H5O_INFO_BASIC);
      H5Eclear2 (H5E_DEFAULT);
      h5k_unlock ();
      if (status < 0)
        {
          if (error != NULL && *error == NULL)
            /* Translators: a shard file */
            h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot read the groups of “%s”"),
                           (const char *) g_ptr_array_index (files->paths, visit.file));
          return FALSE;
        }
    }
  if (visit.bits / 8 != total_size)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the index file, then two sizes in bytes */
                   _("The index “%s” gives the weights a total size of %.0f bytes, but its shards hold %.0f bytes"),
                   files->name, total_size, visit.bits / 8);
      return FALSE;
    }
  return TRUE;
}

/* The tensors of one layer's slots; NULL with @error, or NULL without
 * error when @skip_mismatch and the layer was reported skipped. Locked. */
static GPtrArray *
read_layer (Source *src, Kv3LayerPlan *lp, gboolean skip_mismatch,
            StrataWeightsReport *report, GError **error)
{
  const char *file_path = src->files->name;
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) checked = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name = strata_layer_get_name (lp->layer);
  g_autoptr(GError) local = NULL;

  for (guint i = 0; i < lp->groups->len; i++)
    {
      const char *group = g_ptr_array_index (lp->groups, i);
      guint index = g_array_index (lp->indices, guint, i);
      g_autofree char *dataset = g_strdup_printf ("%u", index);
      StrataTensor *target = g_ptr_array_index (lp->weights, i);
      g_autoptr(StrataTensor) tensor = NULL;

      if (!g_hash_table_contains (checked, group))
        {
          guint expected = 0, received = source_count (src, group);

          for (guint k = 0; k < lp->groups->len; k++)
            expected += g_str_equal (g_ptr_array_index (lp->groups, k), group);
          g_hash_table_add (checked, (gpointer) group);
          if (received != expected)
            {
              g_set_error (&local, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                           /* Translators: the first %s is a layer name, the first %u a number, the second %s an HDF5 object path, the second %u a number, the third %s a file name. */
                           _("Layer “%s” expected %u variables in %s, but received %u variables "
                             "during loading from “%s”"),
                           name, expected, group, received, file_path);
              break;
            }
        }
      tensor = source_read (src, group, dataset, &local);
      if (tensor == NULL)
        break;
      if (!strata_shape_equal (strata_tensor_get_shape (tensor), strata_tensor_get_shape (target)))
        {
          g_autofree char *have = strata_shape_to_string (strata_tensor_get_shape (tensor));
          g_autofree char *want = strata_shape_to_string (strata_tensor_get_shape (target));

          g_set_error (&local, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: an HDF5 group path, a dataset name, a layer name, a file name, then two shapes such as (None, 3) */
                       _("Weight %s/%s of layer “%s” in “%s” has shape %s; the layer expects %s"),
                       group, dataset, name, file_path, have, want);
          break;
        }
      if (strata_tensor_get_dtype (tensor) != strata_tensor_get_dtype (target))
        {
          StrataTensor *cast = strata_tensor_cast (tensor, strata_tensor_get_dtype (target), &local);

          if (cast == NULL)
            break;
          g_object_unref (tensor);
          tensor = cast;
        }
      strata_tensor_set_name (tensor, strata_tensor_get_name (target));
      g_ptr_array_add (tensors, g_steal_pointer (&tensor));
    }
  if (local != NULL)
    {
      if (!skip_mismatch)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      strata_weights_report_add_skipped (report, name, local->message);
      return NULL;
    }
  return g_steal_pointer (&tensors);
}

/* optimizer/vars/0..n-1 in numeric order. Locked. */
static GPtrArray *
read_optimizer (Source *src, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = source_count (src, "optimizer/vars");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *dataset = g_strdup_printf ("%u", i);
      StrataTensor *t = source_read (src, "optimizer/vars", dataset, error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (tensors, t);
    }
  return g_steal_pointer (&tensors);
}

StrataWeightsReport *
kv3_weights_load_files (StrataModel *model, const Kv3Files *files, StrataLoadOptions *options,
                        gboolean with_optimizer, GCancellable *cancellable, GError **error)
{
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  /* tf-keras files differ in names the lookup tries (resolve_group()). */
  g_autoptr(Kv3Plan) plan = kv3_plan_new (model, STRATA_KERAS_DIALECT_KERAS3, error);
  gboolean skip_mismatch = options != NULL && strata_load_options_get_skip_mismatch (options);
  g_auto(Source) src = { 0 };
  gboolean ok = TRUE;

  if (plan == NULL || !source_open (&src, files, error))
    return NULL;
  for (guint k = 0; ok && k < plan->layers->len; k++)
    {
      Kv3LayerPlan *lp = g_ptr_array_index (plan->layers, k);
      g_autoptr(GPtrArray) tensors = NULL;
      GError *local = NULL;

      if (lp->groups->len == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (options != NULL)
        strata_load_options_report_progress (options, (double) k / plan->layers->len,
                                             _("Reading weights"));
      h5k_lock ();
      tensors = read_layer (&src, lp, skip_mismatch, report, &local);
      h5k_unlock ();
      if (local != NULL)
        {
          g_propagate_error (error, local);
          ok = FALSE;
        }
      else if (tensors != NULL)
        {
          if (strata_layer_set_weights (lp->layer, tensors, error))
            strata_weights_report_add_matched (report, strata_layer_get_name (lp->layer));
          else
            ok = FALSE;
        }
    }
  if (ok && with_optimizer && strata_model_get_optimizer (model) != NULL)
    {
      StrataOptimizer *optimizer = strata_model_get_optimizer (model);
      g_autoptr(GPtrArray) tensors = NULL;

      h5k_lock ();
      tensors = read_optimizer (&src, error);
      h5k_unlock ();
      if (tensors == NULL)
        ok = FALSE;
      else if (tensors->len > 0)
        {
          strata_optimizer_clear_weights (optimizer);
          for (guint i = 0; i < tensors->len; i++)
            strata_optimizer_add_weight (optimizer, g_ptr_array_index (tensors, i));
        }
    }
  return ok ? g_steal_pointer (&report) : NULL;
}

StrataWeightsReport *
kv3_weights_load (StrataModel *model, const char *path, StrataLoadOptions *options,
                  gboolean with_optimizer, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  const Kv3Files files = { path, paths, NULL };

  g_ptr_array_add (paths, (gpointer) path);
  return kv3_weights_load_files (model, &files, options, with_optimizer, cancellable, error);
}

/* Creates @path and its missing parents. Locked. */
static hid_t
create_group (hid_t fid, const char *path)
{
  H5K_AUTO_ID hid_t lcpl = H5Pcreate (H5P_LINK_CREATE);

  if (H5Lexists (fid, path, H5P_DEFAULT) > 0)
    return H5Gopen2 (fid, path, H5P_DEFAULT);
  H5Eclear2 (H5E_DEFAULT);
  H5Pset_create_intermediate_group (lcpl, 1);
  H5Pset_char_encoding (lcpl, H5T_CSET_UTF8);
  return H5Gcreate2 (fid, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
}

/* Writes @tensor as dataset @name of @gid like h5py (contiguous). Locked. */
static gboolean
write_dataset (hid_t gid, const char *file, const char *where, const char *name, StrataTensor *tensor,
               GError **error)
{
  StrataShape *shape = strata_tensor_get_shape (tensor);
  StrataDType dtype = strata_tensor_get_dtype (tensor);
  guint rank = strata_shape_get_rank (shape);
  hsize_t dims[H5K_MAX_RANK];
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t ftype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t mtype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t did = H5I_INVALID_HID;
  GBytes *data = strata_tensor_get_data (tensor);

  if (data == NULL || rank > H5K_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: an HDF5 group path such as layers/dense/vars, then a dataset name such as 0 */
                   _("The weight %s/%s has no data to save"), where, name);
      return FALSE;
    }
  for (guint d = 0; d < rank; d++)
    dims[d] = strata_shape_get_dim (shape, d);
  space = rank == 0 ? H5Screate (H5S_SCALAR) : H5Screate_simple (rank, dims, NULL);
  ftype = h5k_file_type_new (dtype);
  mtype = h5k_mem_type_new (dtype, ftype);
  did = H5Dcreate2 (gid, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (did < 0 || (g_bytes_get_size (data) > 0 &&
                  H5Dwrite (did, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, g_bytes_get_data (data, NULL)) < 0) ||
      h5k_fd_current_errno () != 0)
    {
      /* Translators: a dataset's HDF5 path (layers/dense/vars/0), the file */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot write the weight %s/%s to “%s”"),
                     where, name, file);
      return FALSE;
    }
  /* Each weight is read once: a model larger than memory streams. */
  strata_tensor_release_pages (tensor);
  if (dtype == STRATA_DTYPE_BFLOAT16 &&
      !h5k_attr_write_string (did, "dtype", "bfloat16", H5T_CSET_UTF8, error))
    return FALSE;
  return TRUE;
}

/* Whether @stem starts with the slot name of a tf-keras 2.11+ optimizer
 * ("m/dense/kernel"): its state is already kept per variable. */
static gboolean
is_new_style_slot (const char *stem)
{
  static const char *const slots[] = {
    "m", "v", "vhat", "u", "momentum", "velocity", "average_gradient", "accumulator",
    "linear", "accumulated_grad", "accumulated_delta_var",
  };
  const char *slash = strchr (stem, '/');

  for (guint i = 0; slash != NULL && i < G_N_ELEMENTS (slots); i++)
    if ((gsize) (slash - stem) == strlen (slots[i]) && strncmp (stem, slots[i], slash - stem) == 0)
      return TRUE;
  return FALSE;
}

/* The slot name of a legacy (tf-keras OptimizerV2) state tensor,
 * "Adam/dense/kernel/m:0" -> "m", with its variable's path in *@variable;
 * NULL for other names. */
static char *
legacy_slot (StrataTensor *tensor, char **variable)
{
  const char *name = strata_tensor_get_name (tensor);
  g_autofree char *stem = NULL;
  char *slash;

  if (name == NULL || !g_str_has_suffix (name, ":0"))
    return NULL;
  stem = g_strndup (name, strlen (name) - 2);
  slash = strrchr (stem, '/');
  /* new-style names put the slot first: "Adam/m/dense/kernel:0", or
   * "m/dense/kernel:0" as the tf-savedmodel reader names them */
  if (slash == NULL || strchr (stem, '/') == slash ||
      g_str_has_prefix (strchr (stem, '/') + 1, "m/") || g_str_has_prefix (strchr (stem, '/') + 1, "v/") ||
      is_new_style_slot (stem))
    return NULL;
  *variable = g_strndup (stem, slash - stem);
  return g_strdup (slash + 1);
}

/* Legacy optimizers create one slot name at a time for all variables
 * ([iter, m0, m1, ..., v0, v1, ...]); Keras 3 and tf-keras 2.11+ keep the
 * slots of each variable together ([iter, m0, v0, m1, v1, ...]). Returns
 * the state in the second order (a new array), or NULL when it is not
 * legacy state. */
static GPtrArray *
interleave_legacy_slots (GPtrArray *weights)
{
  g_autoptr(GPtrArray) variables = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_ptr_array_unref);
  GPtrArray *out;
  guint legacy = 0;

  if (weights->len < 3)
    return NULL;
  for (guint i = 1; i < weights->len; i++)
    {
      g_autofree char *variable = NULL;
      g_autofree char *slot = legacy_slot (g_ptr_array_index (weights, i), &variable);
      GPtrArray *of;

      if (slot == NULL)
        return NULL;
      of = g_hash_table_lookup (slots, variable);
      if (of == NULL)
        {
          of = g_ptr_array_new ();
          g_hash_table_insert (slots, g_strdup (variable), of);
          g_ptr_array_add (variables, g_strdup (variable));
        }
      g_ptr_array_add (of, g_ptr_array_index (weights, i));
      legacy++;
    }
  out = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (out, g_object_ref (g_ptr_array_index (weights, 0)));
  for (guint v = 0; v < variables->len; v++)
    {
      GPtrArray *of = g_hash_table_lookup (slots, g_ptr_array_index (variables, v));

      for (guint i = 0; i < of->len; i++)
        g_ptr_array_add (out, g_object_ref (g_ptr_array_index (of, i)));
    }
  return out;
}

/* Keras 3 keeps the learning rate as optimizer variable 1; tf-keras 2.11+
 * saves the iteration and then the slots (same interleaving). The missing
 * variable is put back from @config (the config of the optimizer that
 * owns @state) so Keras 3 finds the count it expects instead of dropping
 * the state. */
static GPtrArray *
keras3_optimizer_state (GPtrArray *state, JsonObject *config)
{
  g_autoptr(GPtrArray) interleaved = interleave_legacy_slots (state);
  GPtrArray *weights = interleaved != NULL ? interleaved : state;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  JsonNode *lr = config != NULL ? json_object_get_member (config, "learning_rate") : NULL;
  double lr_value = 0.0;
  StrataTensor *first = weights->len > 1 ? g_ptr_array_index (weights, 0) : NULL;
  StrataTensor *second = weights->len > 1 ? g_ptr_array_index (weights, 1) : NULL;
  gboolean insert = first != NULL &&
                    strata_shape_get_rank (strata_tensor_get_shape (first)) == 0 &&
                    strata_tensor_get_dtype (first) == STRATA_DTYPE_INT64 &&
                    strata_shape_get_rank (strata_tensor_get_shape (second)) > 0 &&
                    lr != NULL && strata_json_node_get_double (lr, &lr_value);

  for (guint i = 0; i < weights->len; i++)
    {
      g_ptr_array_add (out, g_object_ref (g_ptr_array_index (weights, i)));
      if (i == 0 && insert)
        {
          g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
          float value = (float) lr_value;
          StrataTensor *rate = strata_tensor_new_from_floats (scalar, &value, 1, NULL);

          if (rate != NULL)
            g_ptr_array_add (out, rate);
        }
    }
  return out;
}

/* tf-keras 2.11+ saves the iteration and then the slots, without the
 * learning rate Keras 3 keeps as variable 1 (see keras3_optimizer_state()). */
static GPtrArray *
tf_keras_optimizer_state (StrataOptimizer *optimizer)
{
  GPtrArray *weights = strata_optimizer_get_weights (optimizer);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  StrataTensor *first = weights->len > 2 ? g_ptr_array_index (weights, 0) : NULL;
  StrataTensor *second = weights->len > 2 ? g_ptr_array_index (weights, 1) : NULL;
  gboolean drop = first != NULL &&
                  strata_shape_get_rank (strata_tensor_get_shape (first)) == 0 &&
                  strata_tensor_get_dtype (first) == STRATA_DTYPE_INT64 &&
                  strata_shape_get_rank (strata_tensor_get_shape (second)) == 0 &&
                  strata_tensor_get_dtype (second) == STRATA_DTYPE_FLOAT32;

  for (guint i = 0; i < weights->len; i++)
    if (!(drop && i == 1))
      g_ptr_array_add (out, g_object_ref (g_ptr_array_index (weights, i)));
  return out;
}

/* A scalar of @dtype named @leaf (with any scope and ":0") among @weights. */
static StrataTensor *
find_scalar (GPtrArray *weights, const char *leaf, StrataDType dtype)
{
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, i);
      const char *name = strata_tensor_get_name (tensor);
      const char *slash = name != NULL ? strrchr (name, '/') : NULL;
      const char *base = slash != NULL ? slash + 1 : name;

      if (base != NULL && g_str_has_prefix (base, leaf) &&
          (base[strlen (leaf)] == '\0' || g_str_equal (base + strlen (leaf), ":0")) &&
          strata_tensor_get_dtype (tensor) == dtype &&
          strata_shape_get_rank (strata_tensor_get_shape (tensor)) == 0)
        return tensor;
    }
  return NULL;
}

static StrataTensor *
scalar_tensor (StrataDType dtype, double value)
{
  g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
  float f = (float) value;

  if (dtype == STRATA_DTYPE_FLOAT32)
    return strata_tensor_new_from_floats (scalar, &f, 1, NULL);
  return strata_tensor_new_zeros (dtype, scalar, NULL);
}

/* The state of a LossScaleOptimizer as Keras 3 saves it: its own
 * variables (iteration and learning rate, which it never updates, 0 and
 * 0.0, then step_counter and dynamic_scale) followed by the inner
 * optimizer's, in *@outer; the inner optimizer's alone in *@inner, with
 * its class in *@inner_class. tf-keras's good_steps and current_loss_scale
 * are Keras 3's step_counter and dynamic_scale. FALSE when @optimizer is
 * not a LossScaleOptimizer with that state. */
static gboolean
loss_scale_state (StrataOptimizer *optimizer, GPtrArray **outer, GPtrArray **inner,
                  const char **inner_class)
{
  GPtrArray *wrapper = strata_optimizer_get_wrapper_weights (optimizer);
  JsonObject *config = strata_optimizer_get_config (optimizer);
  /* "inner_optimizer" since TF 2.4, "optimizer" in TF 2.2 and 2.3 */
  JsonNode *node = config == NULL ? NULL :
                   json_object_has_member (config, "inner_optimizer") ?
                   json_object_get_member (config, "inner_optimizer") :
                   json_object_get_member (config, "optimizer");
  JsonObject *wrapped = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *wrapped_config = wrapped != NULL ? json_object_get_member (wrapped, "config") : NULL;
  StrataTensor *steps = find_scalar (wrapper, "good_steps", STRATA_DTYPE_INT64);
  StrataTensor *scale = find_scalar (wrapper, "current_loss_scale", STRATA_DTYPE_FLOAT32);
  const char *class_name = strata_optimizer_get_class_name (optimizer);

  if (!g_str_has_suffix (class_name, "LossScaleOptimizer") || steps == NULL || scale == NULL ||
      wrapped_config == NULL || !JSON_NODE_HOLDS_OBJECT (wrapped_config) ||
      !json_object_has_member (wrapped, "class_name"))
    return FALSE;
  *inner_class = json_object_get_string_member (wrapped, "class_name");
  *inner = keras3_optimizer_state (strata_optimizer_get_weights (optimizer),
                                   json_node_get_object (wrapped_config));
  *outer = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (*outer, scalar_tensor (STRATA_DTYPE_INT64, 0));
  g_ptr_array_add (*outer, scalar_tensor (STRATA_DTYPE_FLOAT32, 0.0));
  g_ptr_array_add (*outer, g_object_ref (steps));
  g_ptr_array_add (*outer, g_object_ref (scale));
  for (guint i = 0; i < (*inner)->len; i++)
    g_ptr_array_add (*outer, g_object_ref (g_ptr_array_index (*inner, i)));
  return TRUE;
}

static void
kv3_step_free (Kv3Step *step)
{
  g_free (step->group);
  g_free (step->variable);
  g_free (step->attr);
  g_clear_object (&step->tensor);
  g_free (step);
}

static Kv3Step *
add_step (GPtrArray *steps, const char *group, guint index, const char *attr, StrataTensor *tensor)
{
  Kv3Step *step = g_new0 (Kv3Step, 1);

  step->group = g_strdup (group);
  step->index = index;
  step->variable = tensor != NULL ? g_strdup_printf ("%u", index) : NULL;
  step->attr = g_strdup (attr);
  step->tensor = tensor != NULL ? g_object_ref (tensor) : NULL;
  g_ptr_array_add (steps, step);
  return step;
}

/* The group @vars ("optimizer/vars") holding @weights as "0", "1"...,
 * named after the optimizer class @class_name as Keras names it. */
static void
add_optimizer_steps (GPtrArray *steps, const char *vars, const char *class_name, GPtrArray *weights)
{
  g_autofree char *oname = NULL;

  if (g_str_has_prefix (class_name, "Custom>"))
    class_name += strlen ("Custom>");
  oname = kv3_snake_case (class_name);
  add_step (steps, vars, 0, oname, NULL);
  for (guint i = 0; i < weights->len; i++)
    add_step (steps, vars, i, NULL, g_ptr_array_index (weights, i));
}

static int
by_index (gconstpointer a, gconstpointer b)
{
  const Kv3Step *x = *(Kv3Step * const *) a;
  const Kv3Step *y = *(Kv3Step * const *) b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* Appends the variables of @group (from @variables, a group -> GPtrArray
 * of steps table, emptied of it) in their numeric order. */
static void
take_variables (GPtrArray *steps, GHashTable *variables, const char *group)
{
  GPtrArray *of = g_hash_table_lookup (variables, group);

  if (of == NULL)
    return;
  g_ptr_array_sort (of, by_index);
  for (guint i = 0; i < of->len; i++)
    g_ptr_array_add (steps, g_ptr_array_index (of, i));
  g_ptr_array_set_free_func (of, NULL);
  g_hash_table_remove (variables, group);
}

GPtrArray *
kv3_weights_steps (StrataModel *model, StrataKerasDialect dialect, gboolean with_optimizer,
                   GError **error)
{
  g_autoptr(Kv3Plan) plan = kv3_plan_new (model, dialect, error);
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func ((GDestroyNotify) kv3_step_free);
  g_autoptr(GHashTable) variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) loose = g_ptr_array_new ();  /* variables' groups, first-seen order */
  StrataOptimizer *optimizer = strata_model_get_optimizer (model);

  if (plan == NULL)
    return NULL;
  /* Keras visits each object in turn: its vars group, then its variables. */
  for (guint k = 0; k < plan->layers->len; k++)
    {
      Kv3LayerPlan *lp = g_ptr_array_index (plan->layers, k);

      for (guint i = 0; i < lp->groups->len; i++)
        {
          const char *group = g_ptr_array_index (lp->groups, i);
          GPtrArray *of = g_hash_table_lookup (variables, group);
          g_autoptr(GPtrArray) scratch = g_ptr_array_new ();

          if (of == NULL)
            {
              of = g_ptr_array_new_with_free_func ((GDestroyNotify) kv3_step_free);
              g_hash_table_insert (variables, g_strdup (group), of);
              g_ptr_array_add (loose, (gpointer) group);
            }
          add_step (scratch, group, g_array_index (lp->indices, guint, i), NULL,
                    g_ptr_array_index (lp->weights, i));
          g_ptr_array_add (of, g_ptr_array_index (scratch, 0));
        }
    }
  for (guint i = 0; i < plan->vars_paths->len; i++)
    {
      const char *group = g_ptr_array_index (plan->vars_paths, i);

      add_step (steps, group, 0, plan->tf_keras ? NULL : g_ptr_array_index (plan->vars_names, i), NULL);
      take_variables (steps, variables, group);
    }
  /* Variables of groups the plan does not list, in the plan's order. */
  for (guint i = 0; i < loose->len; i++)
    if (g_hash_table_contains (variables, g_ptr_array_index (loose, i)))
      {
        g_autofree char *group = g_strdup (g_ptr_array_index (loose, i));

        add_step (steps, group, 0, NULL, NULL);
        take_variables (steps, variables, group);
      }
  if (with_optimizer && optimizer != NULL && strata_optimizer_get_weights (optimizer)->len > 0)
    {
      const char *class_name = strata_optimizer_get_class_name (optimizer);
      g_autoptr(GPtrArray) outer = NULL;
      g_autoptr(GPtrArray) inner = NULL;
      const char *inner_class = NULL;

      if (!plan->tf_keras && loss_scale_state (optimizer, &outer, &inner, &inner_class))
        {
          add_optimizer_steps (steps, "optimizer/vars", class_name, outer);
          add_optimizer_steps (steps, "optimizer/inner_optimizer/vars", inner_class, inner);
        }
      else
        {
          outer = plan->tf_keras ? tf_keras_optimizer_state (optimizer)
                                 : keras3_optimizer_state (strata_optimizer_get_weights (optimizer),
                                                           strata_optimizer_get_config (optimizer));
          add_optimizer_steps (steps, "optimizer/vars", class_name, outer);
        }
    }
  return g_steal_pointer (&steps);
}

double
kv3_step_bits (const Kv3Step *step)
{
  StrataDType dtype;
  guint64 n = 0;

  if (step->tensor == NULL ||
      !strata_shape_get_n_elements (strata_tensor_get_shape (step->tensor), &n))
    return 0;
  dtype = strata_tensor_get_dtype (step->tensor);
  return (double) n * (dtype == STRATA_DTYPE_BOOL ? 1 : 8 * strata_dtype_get_size (dtype));
}

/* Creates the step's group (with its "name" attribute), or writes its
 * variable, creating the group without attribute when it is not there
 * (a group split over shards). Locked. */
static gboolean
write_step (hid_t fid, const char *path, const Kv3Step *step, GError **error)
{
  H5K_AUTO_ID hid_t gid = create_group (fid, step->group);

  if (gid < 0)
    {
      /* Translators: the first %s is an HDF5 group path, the second %s a file name. */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot create the group %s in “%s”"),
                     step->group, path);
      return FALSE;
    }
  if (step->tensor == NULL)
    return step->attr == NULL || h5k_attr_write_string (gid, "name", step->attr, H5T_CSET_UTF8, error);
  return write_dataset (gid, path, step->group, step->variable, step->tensor, error);
}

typedef struct {
  GPtrArray         *steps;
  guint              from, to;
  const char        *name;
  StrataSaveOptions *options;
  GCancellable      *cancellable;
} WriteData;

static gboolean
write_contents (hid_t fid, gpointer user_data, GError **error)
{
  WriteData *data = user_data;

  for (guint i = data->from; i < data->to; i++)
    {
      const Kv3Step *step = g_ptr_array_index (data->steps, i);

      if (step->tensor == NULL)
        {
          if (g_cancellable_set_error_if_cancelled (data->cancellable, error))
            return FALSE;
          if (data->options != NULL)
            strata_save_options_report_progress (data->options, 0.9 * i / data->steps->len,
                                                 _("Writing weights"));
        }
      if (!write_step (fid, data->name, step, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
kv3_weights_write_steps (GPtrArray *steps, guint from, guint to, const H5kFdTarget *target,
                         const char *name, StrataSaveOptions *options, GCancellable *cancellable,
                         GError **error)
{
  WriteData data = { steps, from, to, name, options, cancellable };

  if (target != NULL)
    return h5k_write_fd_at (target, name, write_contents, &data, error);
  return h5k_write_fd (-1, name, write_contents, &data, error);
}

gboolean
kv3_weights_save (StrataModel *model, const H5kFdTarget *target, const char *name,
                  StrataKerasDialect dialect, gboolean with_optimizer, StrataSaveOptions *options,
                  GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) steps = kv3_weights_steps (model, dialect, with_optimizer, error);

  return steps != NULL &&
         kv3_weights_write_steps (steps, 0, steps->len, target, name, options, cancellable, error);
}

/* Keras's class for an optimizer's default name ("adam" -> "Adam"). */
const char *
kv3_optimizer_class_for (const char *name)
{
  static const char *const classes[] = {
    "Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl",
    "Lion", "Lamb", "Adafactor", "Muon", "LossScaleOptimizer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autofree char *snake = kv3_snake_case (classes[i]);
      g_autofree char *lower = g_ascii_strdown (classes[i], -1);

      if (g_strcmp0 (name, snake) == 0 || g_strcmp0 (name, lower) == 0)
        return classes[i];
    }
  return name;
}

typedef struct {
  GPtrArray  *groups;   /* vars groups holding datasets, visit order */
  GHashTable *seen;
} InspectVisit;

static herr_t
collect_vars (hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
  InspectVisit *visit = data;

  if (info->type == H5O_TYPE_GROUP &&
      (g_str_equal (name, "vars") || g_str_has_suffix (name, "/vars")) &&
      !g_str_has_prefix (name, "optimizer/") && count_members (obj, name) > 0 &&
      !g_hash_table_contains (visit->seen, name))
    {
      g_ptr_array_add (visit->groups, g_strdup (name));
      g_hash_table_add (visit->seen, g_ptr_array_index (visit->groups, visit->groups->len - 1));
    }
  return 0;
}

/* The optimizer state of the files, under the class its name gives. */
static gboolean
inspect_optimizer (Source *src, StrataModel *model, GError **error)
{
  g_autoptr(GPtrArray) tensors = NULL;
  g_autoptr(StrataOptimizer) optimizer = NULL;
  g_autoptr(JsonObject) config = json_object_new ();
  g_autofree char *name = NULL;
  H5K_LOCKED;

  for (guint i = 0; name == NULL && i < src->files->paths->len; i++)
    if (exists (src->fids[i], "optimizer/vars"))
      {
        H5K_AUTO_ID hid_t gid = H5Gopen2 (src->fids[i], "optimizer/vars", H5P_DEFAULT);

        if (gid >= 0)
          name = h5k_attr_read_string (gid, "optimizer/vars", "name", NULL);
        H5Eclear2 (H5E_DEFAULT);
      }
  if (source_count (src, "optimizer/vars") == 0)
    return TRUE;
  tensors = read_optimizer (src, error);
  if (tensors == NULL)
    return FALSE;
  if (name != NULL)
    json_object_set_string_member (config, "name", name);
  optimizer = strata_optimizer_new (name != NULL ? kv3_optimizer_class_for (name) : "Optimizer", config);
  for (guint i = 0; i < tensors->len; i++)
    strata_optimizer_add_weight (optimizer, g_ptr_array_index (tensors, i));
  strata_model_set_optimizer (model, optimizer);
  return TRUE;
}

/* An opaque layer named after @group holding its variables. Locked. */
static StrataLayer *
inspect_group (Source *src, const char *group, const char *model_name, GError **error)
{
  g_autofree char *name = g_str_equal (group, "vars") ? g_strdup (model_name)
                          : g_strndup (group, strlen (group) - strlen ("/vars"));
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonObject) config = json_object_new ();
  g_autoptr(StrataOpaqueLayer) layer = NULL;
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = source_count (src, group);

  json_object_set_string_member (config, "name", name);
  json_object_set_null_member (object, "class_name");
  json_object_set_object_member (object, "config", json_object_ref (config));
  layer = strata_opaque_layer_new (object);
  strata_layer_set_name (STRATA_LAYER (layer), name);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *dataset = g_strdup_printf ("%u", i);
      g_autoptr(StrataTensor) t = source_read (src, group, dataset, error);

      if (t == NULL ||
          strata_layer_add_weight (STRATA_LAYER (layer), dataset, strata_tensor_get_shape (t),
                                   strata_tensor_get_dtype (t), NULL, TRUE, error) == NULL)
        return NULL;
      g_ptr_array_add (tensors, g_steal_pointer (&t));
    }
  if (!strata_layer_set_weights (STRATA_LAYER (layer), tensors, error))
    return NULL;
  return STRATA_LAYER (g_steal_pointer (&layer));
}

/* HDF5's visiting order by name, a group before its members, for the
 * groups of several files. */
static int
by_visit_order (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char * const *) a;
  const char *y = *(const char * const *) b;

  while (*x != '\0' && *y != '\0')
    {
      gsize nx = strcspn (x, "/"), ny = strcspn (y, "/");
      int c = strncmp (x, y, MIN (nx, ny));

      if (c != 0 || nx != ny)
        return c != 0 ? c : (nx < ny ? -1 : 1);
      x += nx + (x[nx] == '/');
      y += ny + (y[ny] == '/');
    }
  return (*x != '\0') - (*y != '\0');
}

StrataModel *
kv3_weights_inspect_files (const Kv3Files *files, const char *model_name, GError **error)
{
  g_autoptr(StrataSequential) model = strata_sequential_new (model_name);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  InspectVisit visit = { groups, seen };
  g_auto(Source) src = { 0 };

  if (!source_open (&src, files, error))
    return NULL;
  h5k_lock ();
  for (guint i = 0; i < files->paths->len; i++)
    H5Ovisit2 (src.fids[i], H5_INDEX_NAME, H5_ITER_INC, collect_vars, &visit, H5O_INFO_BASIC);
  H5Eclear2 (H5E_DEFAULT);
  h5k_unlock ();
  g_ptr_array_sort (groups, by_visit_order);
  for (guint k = 0; k < groups->len; k++)
    {
      g_autoptr(StrataLayer) layer = NULL;

      h5k_lock ();
      layer = inspect_group (&src, g_ptr_array_index (groups, k), model_name, error);
      h5k_unlock ();
      if (layer == NULL || !strata_sequential_add (model, layer, error))
        return NULL;
    }
  if (!inspect_optimizer (&src, STRATA_MODEL (model), error))
    return NULL;
  return STRATA_MODEL (g_steal_pointer (&model));
}

StrataModel *
kv3_weights_inspect (const char *path, const char *model_name, GError **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  const Kv3Files files = { path, paths, NULL };

  g_ptr_array_add (paths, (gpointer) path);
  return kv3_weights_inspect_files (&files, model_name, error);
}

gboolean
kv3_weights_is_keras3 (const char *path)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t fid = open_checked (path, NULL, NULL);
  gboolean result;

  if (fid < 0)
    return FALSE;
  result = (H5Lexists (fid, "layers", H5P_DEFAULT) > 0 || H5Lexists (fid, "vars", H5P_DEFAULT) > 0) &&
           H5Aexists (fid, "layer_names") <= 0 && H5Lexists (fid, "model_weights", H5P_DEFAULT) <= 0;
  H5Eclear2 (H5E_DEFAULT);
  return result;
}

char *
kv3_weights_optimizer_name (const char *path)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t fid = open_checked (path, NULL, NULL);
  H5K_AUTO_ID hid_t gid = H5I_INVALID_HID;
  char *name = NULL;

  if (fid < 0 || !exists (fid, "optimizer/vars"))
    return NULL;
  gid = H5Gopen2 (fid, "optimizer/vars", H5P_DEFAULT);
  if (gid >= 0)
    name = h5k_attr_read_string (gid, "optimizer/vars", "name", NULL);
  H5Eclear2 (H5E_DEFAULT);
  return name;
}
