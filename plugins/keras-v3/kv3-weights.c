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
#include "h5-common.h"
#include "h5-fd.h"
#include "h5-reader.h"
#include "h5-types.h"
#include "h5-attrs.h"
#include "kv3-plan.h"
#include "kv3-weights.h"

/* Validates @path with the h5 plugin's checks, then opens it (locked). */
static hid_t
open_checked (const char *path, GError **error)
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

/* Reads dataset @name of @group as a tensor. Locked. */
static StrataTensor *
read_dataset (hid_t fid, const char *file_path, const char *group, const char *name, GError **error)
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

  if (H5Lexists (fid, path, H5P_DEFAULT) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then an HDF5 dataset path such as
                    * /layers/dense/vars/0 */
                   _("“%s” has no weight dataset %s"), file_path, path);
      return NULL;
    }
  did = H5Dopen2 (fid, path, H5P_DEFAULT);
  if (did < 0)
    {
      /* Translators: a file name and an HDF5 dataset path, such as
       * model.weights.h5:/layers/dense/vars/0 */
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
      /* Translators: a file name and an HDF5 dataset path, such as
       * model.weights.h5:/layers/dense/vars/0 */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("The dataset %s has an invalid shape"), where);
      return NULL;
    }
  n_bytes = strata_dtype_get_size (dtype);
  for (int d = 0; d < rank; d++)
    {
      if (dims[d] > G_MAXINT64 || (dims[d] != 0 && n_bytes > G_MAXUINT64 / dims[d]))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: a file name and an HDF5 dataset path, such as
                        * model.weights.h5:/layers/dense/vars/0 */
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
                     /* Translators: a file name and an HDF5 dataset path, such as
                      * model.weights.h5:/layers/dense/vars/0, then a size in bytes */
                     _("The dataset %s declares %" PRIu64 " bytes, more than the file holds"),
                     where, n_bytes);
        return NULL;
      }
  }
  mtype = h5k_mem_type_new (dtype, ftype);
  buffer = g_malloc (MAX (n_bytes, 1));
  if (n_bytes > 0 && H5Dread (did, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
    {
      g_free (buffer);
      /* Translators: a file name and an HDF5 dataset path, such as
       * model.weights.h5:/layers/dense/vars/0 */
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot read the dataset %s"), where);
      return NULL;
    }
  bytes = g_bytes_new_take (buffer, n_bytes);
  shape = rank == 0 ? strata_shape_new_scalar () : strata_shape_new (rank, sdims);
  return strata_tensor_new (dtype, shape, bytes, error);
}

/* The tensors of one layer's slots; NULL with @error, or NULL without
 * error when @skip_mismatch and the layer was reported skipped. Locked. */
static GPtrArray *
read_layer (hid_t fid, const char *file_path, Kv3LayerPlan *lp, gboolean skip_mismatch,
            StrataWeightsReport *report, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) checked = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name = strata_layer_get_name (lp->layer);
  g_autoptr(GError) local = NULL;

  for (guint i = 0; i < lp->groups->len; i++)
    {
      const char *group = g_ptr_array_index (lp->groups, i);
      g_autofree char *found = resolve_group (fid, group);
      guint index = g_array_index (lp->indices, guint, i);
      g_autofree char *dataset = g_strdup_printf ("%u", index);
      StrataTensor *target = g_ptr_array_index (lp->weights, i);
      g_autoptr(StrataTensor) tensor = NULL;

      if (!g_hash_table_contains (checked, group))
        {
          guint expected = 0, received = found != NULL ? count_members (fid, found) : 0;

          for (guint k = 0; k < lp->groups->len; k++)
            expected += g_str_equal (g_ptr_array_index (lp->groups, k), group);
          g_hash_table_add (checked, (gpointer) group);
          if (received != expected)
            {
              g_set_error (&local, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                           /* Translators: the first %s is a layer name, the first %u a number, the
                            * second %s an HDF5 object path, the second %u a number, the third %s a
                            * file name. */
                           _("Layer “%s” expected %u variables in %s, but received %u variables "
                             "during loading from “%s”"),
                           name, expected, group, received, file_path);
              break;
            }
        }
      tensor = read_dataset (fid, file_path, found, dataset, &local);
      if (tensor == NULL)
        break;
      if (!strata_shape_equal (strata_tensor_get_shape (tensor), strata_tensor_get_shape (target)))
        {
          g_autofree char *have = strata_shape_to_string (strata_tensor_get_shape (tensor));
          g_autofree char *want = strata_shape_to_string (strata_tensor_get_shape (target));

          g_set_error (&local, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the first %s is an index, the second %s an HDF5 object path,
                        * the third %s a layer name, the fourth %s a file name, the fifth %s a shape
                        * such as (None, 3), the sixth %s a shape such as (None, 3). */
                       _("Weight %s/%s of layer “%s” in “%s” has shape %s; the layer expects %s"),
                       found, dataset, name, file_path, have, want);
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
read_optimizer (hid_t fid, const char *file_path, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = count_members (fid, "optimizer/vars");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *dataset = g_strdup_printf ("%u", i);
      StrataTensor *t = read_dataset (fid, file_path, "optimizer/vars", dataset, error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (tensors, t);
    }
  return g_steal_pointer (&tensors);
}

StrataWeightsReport *
kv3_weights_load (StrataModel *model, const char *path, StrataLoadOptions *options,
                  gboolean with_optimizer, GCancellable *cancellable, GError **error)
{
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  /* tf-keras files differ in names the lookup tries (resolve_group()). */
  g_autoptr(Kv3Plan) plan = kv3_plan_new (model, STRATA_KERAS_DIALECT_KERAS3, error);
  gboolean skip_mismatch = options != NULL && strata_load_options_get_skip_mismatch (options);
  hid_t fid;
  gboolean ok = TRUE;

  if (plan == NULL)
    return NULL;
  fid = open_checked (path, error);
  if (fid < 0)
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
      tensors = read_layer (fid, path, lp, skip_mismatch, report, &local);
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
      if (exists (fid, "optimizer/vars"))
        tensors = read_optimizer (fid, path, error);
      else
        tensors = g_ptr_array_new_with_free_func (g_object_unref);
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
  h5k_lock ();
  H5Fclose (fid);
  h5k_unlock ();
  return ok ? g_steal_pointer (&report) : NULL;
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
                   /* Translators: an HDF5 group path such as layers/dense/vars, then a dataset name
                    * such as 0 */
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

/* The group @vars ("optimizer/vars") holding @weights as "0", "1"...,
 * named after the optimizer class @class_name as Keras names it. */
static gboolean
write_optimizer_vars (hid_t fid, const char *path, const char *vars, const char *class_name,
                      GPtrArray *weights, GError **error)
{
  H5K_AUTO_ID hid_t gid = create_group (fid, vars);
  g_autofree char *oname = NULL;

  if (g_str_has_prefix (class_name, "Custom>"))
    class_name += strlen ("Custom>");
  oname = kv3_snake_case (class_name);
  if (gid < 0 || !h5k_attr_write_string (gid, "name", oname, H5T_CSET_UTF8, error))
    {
      if (gid < 0)
        /* Translators: the first %s is an HDF5 group path, the second %s a file name. */
        h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot create the group %s in “%s”"),
                       vars, path);
      return FALSE;
    }
  for (guint i = 0; i < weights->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);

      if (!write_dataset (gid, path, vars, name, g_ptr_array_index (weights, i), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_all (hid_t fid, const char *path, Kv3Plan *plan, StrataModel *model, gboolean with_optimizer,
           StrataSaveOptions *options, GCancellable *cancellable, GError **error)
{
  StrataOptimizer *optimizer = strata_model_get_optimizer (model);

  for (guint i = 0; i < plan->vars_paths->len; i++)
    {
      const char *vars = g_ptr_array_index (plan->vars_paths, i);
      H5K_AUTO_ID hid_t gid = create_group (fid, vars);

      if (gid < 0)
        {
          /* Translators: the first %s is an HDF5 group path, the second %s a file name. */
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot create the group %s in “%s”"),
                         vars, path);
          return FALSE;
        }
      if (!plan->tf_keras &&
          !h5k_attr_write_string (gid, "name", g_ptr_array_index (plan->vars_names, i),
                                  H5T_CSET_UTF8, error))
        return FALSE;
    }
  for (guint k = 0; k < plan->layers->len; k++)
    {
      Kv3LayerPlan *lp = g_ptr_array_index (plan->layers, k);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (options != NULL)
        strata_save_options_report_progress (options, 0.9 * k / plan->layers->len,
                                             _("Writing weights"));
      for (guint i = 0; i < lp->groups->len; i++)
        {
          const char *group = g_ptr_array_index (lp->groups, i);
          H5K_AUTO_ID hid_t gid = H5Gopen2 (fid, group, H5P_DEFAULT);
          g_autofree char *name = g_strdup_printf ("%u", g_array_index (lp->indices, guint, i));

          if (gid < 0 ||
              !write_dataset (gid, path, group, name, g_ptr_array_index (lp->weights, i), error))
            {
              if (gid < 0)
                /* Translators: an HDF5 group (layers/dense/vars), the file */
                h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("Cannot open the group %s in “%s”"),
                               group, path);
              return FALSE;
            }
        }
    }
  if (with_optimizer && optimizer != NULL && strata_optimizer_get_weights (optimizer)->len > 0)
    {
      const char *class_name = strata_optimizer_get_class_name (optimizer);
      g_autoptr(GPtrArray) outer = NULL;
      g_autoptr(GPtrArray) inner = NULL;
      const char *inner_class = NULL;

      if (!plan->tf_keras && loss_scale_state (optimizer, &outer, &inner, &inner_class))
        return write_optimizer_vars (fid, path, "optimizer/vars", class_name, outer, error) &&
               write_optimizer_vars (fid, path, "optimizer/inner_optimizer/vars", inner_class, inner, error);
      outer = plan->tf_keras ? tf_keras_optimizer_state (optimizer)
                             : keras3_optimizer_state (strata_optimizer_get_weights (optimizer),
                                                       strata_optimizer_get_config (optimizer));
      return write_optimizer_vars (fid, path, "optimizer/vars", class_name, outer, error);
    }
  return TRUE;
}

typedef struct {
  const char        *name;
  Kv3Plan           *plan;
  StrataModel       *model;
  gboolean           with_optimizer;
  StrataSaveOptions *options;
  GCancellable      *cancellable;
} SaveData;

static gboolean
write_contents (hid_t fid, gpointer user_data, GError **error)
{
  SaveData *data = user_data;

  return write_all (fid, data->name, data->plan, data->model, data->with_optimizer, data->options,
                    data->cancellable, error);
}

gboolean
kv3_weights_save (StrataModel *model, int fd, const char *name, StrataKerasDialect dialect,
                  gboolean with_optimizer, StrataSaveOptions *options, GCancellable *cancellable,
                  GError **error)
{
  g_autoptr(Kv3Plan) plan = kv3_plan_new (model, dialect, error);
  SaveData data = { name, plan, model, with_optimizer, options, cancellable };

  return plan != NULL && h5k_write_fd (fd, name, write_contents, &data, error);
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
  GPtrArray *groups;   /* vars groups holding datasets, visit order */
} InspectVisit;

static herr_t
collect_vars (hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
  InspectVisit *visit = data;

  if (info->type == H5O_TYPE_GROUP &&
      (g_str_equal (name, "vars") || g_str_has_suffix (name, "/vars")) &&
      !g_str_has_prefix (name, "optimizer/") && count_members (obj, name) > 0)
    g_ptr_array_add (visit->groups, g_strdup (name));
  return 0;
}

/* The optimizer state of a weights file, under the class its name gives. */
static gboolean
inspect_optimizer (hid_t fid, const char *path, StrataModel *model, GError **error)
{
  g_autoptr(GPtrArray) tensors = NULL;
  g_autoptr(StrataOptimizer) optimizer = NULL;
  g_autoptr(JsonObject) config = json_object_new ();
  g_autofree char *name = NULL;
  H5K_LOCKED;

  if (!exists (fid, "optimizer/vars"))
    return TRUE;
  {
    H5K_AUTO_ID hid_t gid = H5Gopen2 (fid, "optimizer/vars", H5P_DEFAULT);

    if (gid >= 0)
      name = h5k_attr_read_string (gid, "optimizer/vars", "name", NULL);
    H5Eclear2 (H5E_DEFAULT);
  }
  tensors = read_optimizer (fid, path, error);
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

StrataModel *
kv3_weights_inspect (const char *path, const char *model_name, GError **error)
{
  g_autoptr(StrataSequential) model = strata_sequential_new (model_name);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  InspectVisit visit = { groups };
  hid_t fid = open_checked (path, error);

  if (fid < 0)
    return NULL;
  h5k_lock ();
  H5Ovisit2 (fid, H5_INDEX_NAME, H5_ITER_INC, collect_vars, &visit, H5O_INFO_BASIC);
  H5Eclear2 (H5E_DEFAULT);
  h5k_unlock ();
  for (guint k = 0; k < groups->len; k++)
    {
      const char *group = g_ptr_array_index (groups, k);
      g_autofree char *name = g_str_equal (group, "vars") ? g_strdup (model_name)
                              : g_strndup (group, strlen (group) - strlen ("/vars"));
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonObject) config = json_object_new ();
      g_autoptr(StrataOpaqueLayer) layer = NULL;
      g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);
      guint n;
      gboolean ok = TRUE;

      json_object_set_string_member (config, "name", name);
      json_object_set_null_member (object, "class_name");
      json_object_set_object_member (object, "config", json_object_ref (config));
      layer = strata_opaque_layer_new (object);
      strata_layer_set_name (STRATA_LAYER (layer), name);
      h5k_lock ();
      n = count_members (fid, group);
      for (guint i = 0; ok && i < n; i++)
        {
          g_autofree char *dataset = g_strdup_printf ("%u", i);
          g_autoptr(StrataTensor) t = read_dataset (fid, path, group, dataset, error);

          if (t == NULL)
            ok = FALSE;
          else
            {
              if (strata_layer_add_weight (STRATA_LAYER (layer), dataset, strata_tensor_get_shape (t),
                                           strata_tensor_get_dtype (t), NULL, TRUE, error) == NULL)
                ok = FALSE;
              else
                g_ptr_array_add (tensors, g_steal_pointer (&t));
            }
        }
      h5k_unlock ();
      if (!ok || !strata_layer_set_weights (STRATA_LAYER (layer), tensors, error) || !strata_sequential_add (model, STRATA_LAYER (layer), error))
        {
          h5k_lock ();
          H5Fclose (fid);
          h5k_unlock ();
          return NULL;
        }
    }
  if (!inspect_optimizer (fid, path, STRATA_MODEL (model), error))
    g_clear_object (&model);
  h5k_lock ();
  H5Fclose (fid);
  h5k_unlock ();
  return model != NULL ? STRATA_MODEL (g_steal_pointer (&model)) : NULL;
}

gboolean
kv3_weights_is_keras3 (const char *path)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t fid = open_checked (path, NULL);
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
  H5K_AUTO_ID hid_t fid = open_checked (path, NULL);
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
