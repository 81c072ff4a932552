/* test-h5-reader.c: the plain-C Keras HDF5 reader, writer and conversions
 *
 * Files are made with libhdf5 directly (every string encoding Keras and
 * h5py ever produced, links, external storage, lying shapes) or with the
 * writer, then read back; real files are truncated at many offsets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"
#include "h5-attrs.h"
#include "h5-common.h"
#include "h5-keras1.h"
#include "h5-reader.h"
#include "h5-writer.h"

static char *
tmp_path (const char *name)
{
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* ---- attributes ---- */

static void
write_vlen (hid_t obj, const char *name, const char *value, H5T_cset_t cset, gboolean array)
{
  hid_t type = H5Tcopy (H5T_C_S1);
  hsize_t one = 1;
  hid_t space = array ? H5Screate_simple (1, &one, NULL) : H5Screate (H5S_SCALAR);
  hid_t attr;

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, cset);
  attr = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, type, &value), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Tclose (type);
}

static void
write_fixed (hid_t obj, const char *name, const char *data, gsize size, guint n, H5T_str_t pad,
             gboolean scalar)
{
  hid_t type = H5Tcopy (H5T_C_S1);
  hsize_t dims = n;
  hid_t space = scalar ? H5Screate (H5S_SCALAR) : H5Screate_simple (1, &dims, NULL);
  hid_t attr;

  H5Tset_size (type, size);
  H5Tset_strpad (type, pad);
  attr = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, type, data), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Tclose (type);
}

static void
write_vlen_list (hid_t obj, const char *name, const char **values, guint n)
{
  hid_t type = H5Tcopy (H5T_C_S1);
  hsize_t dims = n;
  hid_t space = H5Screate_simple (1, &dims, NULL);
  hid_t attr;

  H5Tset_size (type, H5T_VARIABLE);
  attr = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, type, values), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Tclose (type);
}

static void
write_empty_float (hid_t obj, const char *name)
{
  hsize_t zero = 0;
  hid_t space = H5Screate_simple (1, &zero, NULL);
  hid_t attr = H5Acreate2 (obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);

  H5Aclose (attr);
  H5Sclose (space);
}

static void
assert_strv (char **got, const char * const *expected)
{
  g_assert_nonnull (got);
  g_assert_cmpstrv (got, expected);
}

static void
test_string_attributes (void)
{
  g_autofree char *path = tmp_path ("attrs.h5");
  g_autoptr(GError) error = NULL;
  const char *vlen[] = { "dense", "dense_1" };
  const char fixed[] = "dense\0\0dense_1";     /* STRSIZE 7, NULLPAD */
  const char spaced[] = "ab  ";
  const char * const two[] = { "dense", "dense_1", NULL };
  const char * const none[] = { NULL };
  char *s;
  char **list;
  hid_t fid;

  h5k_lock ();
  fid = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_vlen (fid, "vlen_ascii", "{\"a\": 1}", H5T_CSET_ASCII, FALSE);
  write_vlen (fid, "vlen_utf8", "caf\xc3\xa9", H5T_CSET_UTF8, FALSE);
  write_vlen (fid, "vlen_one", "2.1.3", H5T_CSET_ASCII, TRUE);
  write_fixed (fid, "fixed_scalar", "tensorflow\0\0", 12, 1, H5T_STR_NULLPAD, TRUE);
  write_fixed (fid, "fixed_term", "theano\0", 7, 1, H5T_STR_NULLTERM, TRUE);
  write_fixed (fid, "fixed_space", spaced, 4, 1, H5T_STR_SPACEPAD, TRUE);
  write_fixed (fid, "fixed_list", fixed, 7, 2, H5T_STR_NULLPAD, FALSE);
  write_vlen_list (fid, "vlen_list", vlen, 2);
  write_empty_float (fid, "empty");
  write_fixed (fid, "bad_utf8", "\xff\xfe", 2, 1, H5T_STR_NULLPAD, TRUE);
  write_vlen_list (fid, "two_strings", vlen, 2);
  {
    hid_t space = H5Screate (H5S_SCALAR);
    hid_t attr = H5Acreate2 (fid, "number", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
    int v = 3;
    H5Awrite (attr, H5T_NATIVE_INT, &v);
    H5Aclose (attr);
    H5Sclose (space);
  }

  s = h5k_attr_read_string (fid, "/", "vlen_ascii", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "{\"a\": 1}");
  g_free (s);
  s = h5k_attr_read_string (fid, "/", "vlen_utf8", &error);
  g_assert_cmpstr (s, ==, "caf\xc3\xa9");
  g_free (s);
  s = h5k_attr_read_string (fid, "/", "vlen_one", &error);
  g_assert_cmpstr (s, ==, "2.1.3");
  g_free (s);
  s = h5k_attr_read_string (fid, "/", "fixed_scalar", &error);
  g_assert_cmpstr (s, ==, "tensorflow");
  g_free (s);
  s = h5k_attr_read_string (fid, "/", "fixed_term", &error);
  g_assert_cmpstr (s, ==, "theano");
  g_free (s);
  s = h5k_attr_read_string (fid, "/", "fixed_space", &error);
  g_assert_cmpstr (s, ==, "ab");
  g_free (s);
  g_assert_no_error (error);

  /* Absent: NULL without an error. */
  g_assert_null (h5k_attr_read_string (fid, "/", "missing", &error));
  g_assert_no_error (error);

  /* h5py 2 (fixed-length NULLPAD) and h5py 3 (vlen) lists read the same. */
  list = h5k_attr_read_string_list (fid, "/", "fixed_list", &error);
  assert_strv (list, two);
  g_strfreev (list);
  list = h5k_attr_read_string_list (fid, "/", "vlen_list", &error);
  assert_strv (list, two);
  g_strfreev (list);
  list = h5k_attr_read_string_list (fid, "/", "empty", &error);
  assert_strv (list, none);
  g_strfreev (list);
  list = h5k_attr_read_string_list (fid, "/", "missing", &error);
  assert_strv (list, none);
  g_strfreev (list);
  g_assert_no_error (error);

  g_assert_null (h5k_attr_read_string (fid, "/", "bad_utf8", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);
  g_assert_null (h5k_attr_read_string (fid, "/", "two_strings", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_null (h5k_attr_read_string_list (fid, "/", "number", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "number"));
  g_clear_error (&error);

  H5Fclose (fid);
  h5k_unlock ();
  g_unlink (path);
}

static void
test_split_attributes (void)
{
  g_autofree char *path = tmp_path ("split.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char * const chunk0[] = { "a", "b", NULL };
  const char * const whole[] = { "whole", NULL };
  char **list;
  hid_t fid, attr, type;
  guint n = 1500;

  /* 1500 names of 51 bytes = 76500 bytes > 64512: two chunks of 750. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, g_strdup_printf ("layer_%04u_%s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
  g_ptr_array_add (names, NULL);
  g_assert_cmpuint (h5k_attr_n_chunks (n, 51), ==, 2);
  g_assert_cmpuint (h5k_attr_n_chunks (3, 50), ==, 1);
  /* np.array_split sizing: 1501 items of 100 bytes need ceil(1501 / k) * 100 <= 64512. */
  g_assert_cmpuint (h5k_attr_n_chunks (1501, 100), ==, 3);

  h5k_lock ();
  fid = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_true (h5k_attr_write_string_list (fid, "/", "layer_names",
                                             (const char * const *) names->pdata, n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (H5Aexists (fid, "layer_names"), ==, 0);
  g_assert_cmpint (H5Aexists (fid, "layer_names0"), >, 0);
  g_assert_cmpint (H5Aexists (fid, "layer_names1"), >, 0);
  g_assert_cmpint (H5Aexists (fid, "layer_names2"), ==, 0);
  /* Every chunk keeps the global STRSIZE (np.asarray of the whole list). */
  attr = H5Aopen (fid, "layer_names1", H5P_DEFAULT);
  type = H5Aget_type (attr);
  g_assert_cmpuint (H5Tget_size (type), ==, 51);
  g_assert_cmpint (H5Tis_variable_str (type), ==, 0);
  H5Tclose (type);
  H5Aclose (attr);

  list = h5k_attr_read_string_list (fid, "/", "layer_names", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (list, (const char * const *) names->pdata);
  g_strfreev (list);

  /* An entry above the limit cannot be saved, as in Keras. */
  {
    g_autofree char *huge = g_strnfill (70000, 'x');
    const char *one[] = { huge };
    g_assert_false (h5k_attr_write_string_list (fid, "/", "huge", one, 1, &error));
    g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT);
    g_clear_error (&error);
  }

  /* Chunks stop at the first gap; the unsplit name wins. */
  write_fixed (fid, "gap0", "a\0b\0", 2, 2, H5T_STR_NULLPAD, FALSE);
  write_fixed (fid, "gap2", "c\0", 2, 1, H5T_STR_NULLPAD, FALSE);
  list = h5k_attr_read_string_list (fid, "/", "gap", &error);
  assert_strv (list, chunk0);
  g_strfreev (list);
  write_fixed (fid, "both", "whole", 5, 1, H5T_STR_NULLPAD, FALSE);
  write_fixed (fid, "both0", "a\0b\0", 2, 2, H5T_STR_NULLPAD, FALSE);
  list = h5k_attr_read_string_list (fid, "/", "both", &error);
  assert_strv (list, whole);
  g_strfreev (list);
  g_assert_no_error (error);

  H5Fclose (fid);
  h5k_unlock ();
  g_unlink (path);
}

/* ---- writer + reader ---- */

static H5kOutWeight *
out_weight (const char *name, StrataDType dtype, guint rank, const gint64 *dims, gconstpointer data,
            gsize size)
{
  H5kOutWeight *w = g_new0 (H5kOutWeight, 1);

  w->name = name;
  w->dtype = dtype;
  w->rank = rank;
  if (rank > 0)
    memcpy (w->dims, dims, rank * sizeof (gint64));
  w->data = g_bytes_new (data, size);
  return w;
}

static void
out_weight_free (H5kOutWeight *w)
{
  g_bytes_unref (w->data);
  g_free (w);
}

static H5kOutGroup *
out_group (const char *name)
{
  H5kOutGroup *g = g_new0 (H5kOutGroup, 1);

  g->name = name;
  g->weights = g_ptr_array_new_with_free_func ((GDestroyNotify) out_weight_free);
  return g;
}

static void
out_group_free (H5kOutGroup *g)
{
  g_ptr_array_unref (g->weights);
  g_free (g);
}

static void
assert_weight_bytes (H5kFile *file, H5kWeight *w, gconstpointer data, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = h5k_file_read_weight (file, w, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, size);
}

/* Every dtype Keras writes, 0-d datasets, non-ASCII names, nested paths. */
static void
test_write_read (void)
{
  g_autofree char *path = tmp_path ("written.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func ((GDestroyNotify) out_group_free);
  H5kOutGroup *dense = out_group ("d\xc3\xa9nse_\xe2\x82\xac");
  H5kOutGroup *misc = out_group ("misc");
  H5kOutGroup *empty = out_group ("dropout");
  H5kOutGroup *opt = out_group ("optimizer_weights");
  const float kernel[6] = { 1, 2, 3, 4, 5, 6.5f };
  const double f64[2] = { 0.1, -2.5 };
  const guint16 f16[3] = { 0x3c00, 0xc000, 0x7bff };   /* 1, -2, 65504 */
  const gint8 i8[2] = { -7, 100 };
  const guint8 b[3] = { 1, 0, 1 };
  const gint64 iter = 1234567890123;
  const gint64 d23[2] = { 2, 3 }, d2[1] = { 2 }, d3[1] = { 3 };
  g_autoptr(H5kFile) file = NULL;
  g_autoptr(H5kKerasFile) kf = NULL;
  H5kOutFile spec = { 0 };
  H5kGroup *g;

  g_ptr_array_add (dense->weights, out_weight ("d\xc3\xa9nse_\xe2\x82\xac/kernel:0", STRATA_DTYPE_FLOAT32,
                                               2, d23, kernel, sizeof kernel));
  g_ptr_array_add (misc->weights, out_weight ("misc/f64:0", STRATA_DTYPE_FLOAT64, 1, d2, f64, sizeof f64));
  g_ptr_array_add (misc->weights, out_weight ("f16", STRATA_DTYPE_FLOAT16, 1, d3, f16, sizeof f16));
  g_ptr_array_add (misc->weights, out_weight ("misc/deep/i8:0", STRATA_DTYPE_INT8, 1, d2, i8, sizeof i8));
  g_ptr_array_add (misc->weights, out_weight ("misc/b:0", STRATA_DTYPE_BOOL, 1, d3, b, sizeof b));
  g_ptr_array_add (opt->weights, out_weight ("Adam/iter:0", STRATA_DTYPE_INT64, 0, NULL, &iter, sizeof iter));
  g_ptr_array_add (layers, dense);
  g_ptr_array_add (layers, empty);
  g_ptr_array_add (layers, misc);

  spec.keras_version = "2.15.0";
  spec.backend = "tensorflow";
  spec.model_config = "{\"class_name\": \"Model\", \"config\": {}}";
  spec.training_config = "{\"loss\": \"mse\"}";
  spec.layers = layers;
  spec.top_level = TRUE;
  spec.optimizer = opt;
  g_assert_true (h5k_write_file (path, &spec, &error));
  g_assert_no_error (error);

  file = h5k_file_open (path, &error);
  g_assert_no_error (error);
  kf = h5k_file_read_keras (file, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf->keras_version, ==, "2.15.0");
  g_assert_cmpstr (kf->backend, ==, "tensorflow");
  g_assert_cmpstr (kf->model_config, ==, spec.model_config);
  g_assert_cmpstr (kf->training_config, ==, spec.training_config);
  g_assert_cmpstr (kf->weights_keras_version, ==, "2.15.0");
  g_assert_cmpstr (kf->weights_root, ==, "/model_weights");
  g_assert_cmpuint (kf->layers->len, ==, 3);
  g_assert_nonnull (kf->top_level);
  g_assert_cmpuint (kf->top_level->weights->len, ==, 0);

  g = g_ptr_array_index (kf->layers, 0);
  g_assert_cmpstr (g->name, ==, "d\xc3\xa9nse_\xe2\x82\xac");
  g_assert_cmpuint (g->weights->len, ==, 1);
  {
    H5kWeight *w = g_ptr_array_index (g->weights, 0);
    g_assert_cmpstr (w->path, ==, "/model_weights/d\xc3\xa9nse_\xe2\x82\xac/d\xc3\xa9nse_\xe2\x82\xac/kernel:0");
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_FLOAT32);
    g_assert_cmpuint (w->rank, ==, 2);
    g_assert_true (w->mappable);     /* contiguous float32: served from the mapping */
    assert_weight_bytes (file, w, kernel, sizeof kernel);
  }
  g = g_ptr_array_index (kf->layers, 1);
  g_assert_cmpstr (g->name, ==, "dropout");
  g_assert_cmpuint (g->weights->len, ==, 0);
  g = g_ptr_array_index (kf->layers, 2);
  g_assert_cmpuint (g->weights->len, ==, 4);
  {
    H5kWeight *w = g_ptr_array_index (g->weights, 0);
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_FLOAT64);
    assert_weight_bytes (file, w, f64, sizeof f64);
    w = g_ptr_array_index (g->weights, 1);
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_FLOAT16);
    g_assert_cmpstr (w->path, ==, "/model_weights/misc/f16");
    assert_weight_bytes (file, w, f16, sizeof f16);
    w = g_ptr_array_index (g->weights, 2);
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_INT8);
    assert_weight_bytes (file, w, i8, sizeof i8);
    w = g_ptr_array_index (g->weights, 3);
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_BOOL);
    assert_weight_bytes (file, w, b, sizeof b);
  }
  g_assert_nonnull (kf->optimizer);
  {
    H5kWeight *w = g_ptr_array_index (kf->optimizer->weights, 0);
    g_assert_cmpuint (w->rank, ==, 0);
    g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_INT64);
    assert_weight_bytes (file, w, &iter, sizeof iter);
  }

  /* What h5py would see: vlen root strings, fixed-length lists, an empty
   * weight_names as float64 (0,). */
  g_clear_pointer (&kf, h5k_keras_file_free);
  g_clear_pointer (&file, h5k_file_free);
  {
    H5K_LOCKED;
    hid_t fid = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t attr = H5Aopen (fid, "model_config", H5P_DEFAULT);
    hid_t type = H5Aget_type (attr);
    g_assert_cmpint (H5Tis_variable_str (type), >, 0);
    g_assert_cmpint (H5Tget_cset (type), ==, H5T_CSET_ASCII);
    H5Tclose (type);
    H5Aclose (attr);
    attr = H5Aopen_by_name (fid, "model_weights", "layer_names", H5P_DEFAULT, H5P_DEFAULT);
    type = H5Aget_type (attr);
    g_assert_cmpint (H5Tis_variable_str (type), ==, 0);
    g_assert_cmpint (H5Tget_strpad (type), ==, H5T_STR_NULLPAD);
    g_assert_cmpuint (H5Tget_size (type), ==, strlen ("d\xc3\xa9nse_\xe2\x82\xac"));
    H5Tclose (type);
    H5Aclose (attr);
    attr = H5Aopen_by_name (fid, "model_weights/dropout", "weight_names", H5P_DEFAULT, H5P_DEFAULT);
    type = H5Aget_type (attr);
    g_assert_cmpint (H5Tget_class (type), ==, H5T_FLOAT);
    H5Tclose (type);
    H5Aclose (attr);
    H5Fclose (fid);
  }

  g_ptr_array_set_size (layers, 0);
  out_group_free (opt);
  g_unlink (path);
}

/* Data HDF5 converts (big-endian) or decompresses is read with H5Dread. */
static void
test_converted_and_chunked (void)
{
  g_autofree char *path = tmp_path ("chunked.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(H5kFile) file = NULL;
  g_autoptr(H5kKerasFile) kf = NULL;
  const float values[4] = { 1.5f, -2, 3, 4 };
  const char names[] = "be\0\0gz\0\0";
  hsize_t dims[1] = { 4 }, chunk[1] = { 2 };
  H5kGroup *g;

  {
    H5K_LOCKED;
    hid_t fid = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t group, space, ds, dcpl;
    const char layer[] = "layer";

    write_fixed (fid, "layer_names", layer, 5, 1, H5T_STR_NULLPAD, FALSE);
    group = H5Gcreate2 (fid, "layer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_fixed (group, "weight_names", names, 4, 2, H5T_STR_NULLPAD, FALSE);
    space = H5Screate_simple (1, dims, NULL);
    ds = H5Dcreate2 (group, "be", H5T_IEEE_F32BE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose (ds);
    dcpl = H5Pcreate (H5P_DATASET_CREATE);
    H5Pset_chunk (dcpl, 1, chunk);
    H5Pset_deflate (dcpl, 6);
    ds = H5Dcreate2 (group, "gz", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose (ds);
    H5Pclose (dcpl);
    H5Sclose (space);
    H5Gclose (group);
    H5Fclose (fid);
  }

  file = h5k_file_open (path, &error);
  g_assert_no_error (error);
  kf = h5k_file_read_keras (file, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (kf->model_config);
  g_assert_null (kf->weights_keras_version);   /* Keras 1 style weights file */
  g_assert_cmpstr (kf->weights_root, ==, "/");
  g = g_ptr_array_index (kf->layers, 0);
  for (guint i = 0; i < 2; i++)
    {
      H5kWeight *w = g_ptr_array_index (g->weights, i);
      g_assert_false (w->mappable);
      g_assert_cmpint (w->dtype, ==, STRATA_DTYPE_FLOAT32);
      assert_weight_bytes (file, w, values, sizeof values);
    }
  g_unlink (path);
}

/* ---- robustness ---- */

typedef enum {
  BAD_EXTERNAL_LINK,
  BAD_SOFT_LINK,
  BAD_SOFT_LINK_INSIDE,
  BAD_EXTERNAL_STORAGE,
  BAD_HUGE_CHUNKED,
  BAD_HUGE_CONTIGUOUS,
  BAD_STRING_DATASET,
  BAD_MISSING_DATASET,
  BAD_NOT_KERAS,
} BadKind;

static char *
make_bad_file (BadKind kind)
{
  char *path = tmp_path ("bad.h5");
  g_autofree char *raw = tmp_path ("bad.raw");
  H5K_LOCKED;
  hid_t fid = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t group, space, ds, dcpl;
  hsize_t small[1] = { 4 }, huge[2] = { 1 << 20, 1 << 20 }, chunk[2] = { 16, 16 };
  const char layer[] = "layer";
  const char w[] = "w";

  if (kind == BAD_NOT_KERAS)
    {
      space = H5Screate_simple (1, small, NULL);
      ds = H5Dcreate2 (fid, "data", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dclose (ds);
      H5Sclose (space);
      H5Fclose (fid);
      return path;
    }

  write_fixed (fid, "layer_names", layer, 5, 1, H5T_STR_NULLPAD, FALSE);
  if (kind == BAD_EXTERNAL_LINK)
    {
      H5Lcreate_external ("/etc/other.h5", "/layer", fid, "layer", H5P_DEFAULT, H5P_DEFAULT);
      H5Fclose (fid);
      return path;
    }
  group = H5Gcreate2 (fid, "layer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  write_fixed (group, "weight_names", w, 1, 1, H5T_STR_NULLPAD, FALSE);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  switch (kind)
    {
    case BAD_SOFT_LINK:
      H5Lcreate_soft ("/etc/passwd", group, "w", H5P_DEFAULT, H5P_DEFAULT);
      break;
    case BAD_SOFT_LINK_INSIDE:
      /* to a real dataset of the file: the open walk finds it elsewhere */
      space = H5Screate_simple (1, small, NULL);
      ds = H5Dcreate2 (fid, "real", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dclose (ds);
      H5Sclose (space);
      H5Lcreate_soft ("/real", group, "w", H5P_DEFAULT, H5P_DEFAULT);
      break;
    case BAD_EXTERNAL_STORAGE:
      H5Pset_external (dcpl, raw, 0, 16);
      space = H5Screate_simple (1, small, NULL);
      ds = H5Dcreate2 (group, "w", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      H5Dclose (ds);
      H5Sclose (space);
      break;
    case BAD_HUGE_CHUNKED:
      H5Pset_chunk (dcpl, 2, chunk);
      space = H5Screate_simple (2, huge, NULL);
      ds = H5Dcreate2 (group, "w", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      H5Dclose (ds);
      H5Sclose (space);
      break;
    case BAD_HUGE_CONTIGUOUS:
      space = H5Screate_simple (2, huge, NULL);
      H5Pset_alloc_time (dcpl, H5D_ALLOC_TIME_LATE);
      ds = H5Dcreate2 (group, "w", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      H5Dclose (ds);
      H5Sclose (space);
      break;
    case BAD_STRING_DATASET:
      {
        hid_t type = H5Tcopy (H5T_C_S1);
        H5Tset_size (type, 8);
        space = H5Screate_simple (1, small, NULL);
        ds = H5Dcreate2 (group, "w", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose (ds);
        H5Sclose (space);
        H5Tclose (type);
      }
      break;
    default:
      break;
    }
  H5Pclose (dcpl);
  H5Gclose (group);
  H5Fclose (fid);
  return path;
}

static void
assert_bad (BadKind kind, int code, const char *fragment)
{
  g_autofree char *path = make_bad_file (kind);
  g_autoptr(GError) error = NULL;
  g_autoptr(H5kFile) file = h5k_file_open (path, &error);
  g_autoptr(H5kKerasFile) kf = NULL;

  g_assert_no_error (error);
  kf = h5k_file_read_keras (file, FALSE, &error);
  g_assert_null (kf);
  g_assert_error (error, STRATA_FORMAT_ERROR, code);
  if (g_test_verbose ())
    g_printerr ("%s\n", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
  g_unlink (path);
}

static void
test_bad_files (void)
{
  g_autofree char *text = tmp_path ("not-hdf5.h5");
  g_autoptr(GError) error = NULL;

  assert_bad (BAD_EXTERNAL_LINK, STRATA_FORMAT_ERROR_UNSUPPORTED, "external");
  assert_bad (BAD_SOFT_LINK, STRATA_FORMAT_ERROR_UNSUPPORTED, "soft");
  assert_bad (BAD_SOFT_LINK_INSIDE, STRATA_FORMAT_ERROR_UNSUPPORTED, "soft");
  assert_bad (BAD_EXTERNAL_STORAGE, STRATA_FORMAT_ERROR_UNSUPPORTED, "external");
  assert_bad (BAD_HUGE_CHUNKED, STRATA_FORMAT_ERROR_LIMIT, "declares");
  assert_bad (BAD_HUGE_CONTIGUOUS, STRATA_FORMAT_ERROR_LIMIT, "declares");
  assert_bad (BAD_STRING_DATASET, STRATA_FORMAT_ERROR_UNSUPPORTED, "type");
  assert_bad (BAD_MISSING_DATASET, STRATA_FORMAT_ERROR_CORRUPT, "no member");
  assert_bad (BAD_NOT_KERAS, STRATA_FORMAT_ERROR_CORRUPT, "not a Keras file");

  g_assert_true (g_file_set_contents (text, "{\"class_name\": \"Sequential\"}", -1, NULL));
  g_assert_null (h5k_file_open (text, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not an HDF5 file"));
  g_unlink (text);
}

static gboolean read_all (const char *path, GError **error);

/* Writes a small Keras file to @path (an empty Sequential config and, when
 * @with_dense, a layer group "dense" with a 2-element float32 kernel) and
 * returns its bytes, for tests that damage them. */
static char *
write_small_file (const char *path, gboolean with_dense, gsize *length)
{
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func ((GDestroyNotify) out_group_free);
  const float kernel[2] = { 1, 2 };
  const gint64 d2[1] = { 2 };
  H5kOutFile spec = { 0 };
  char *contents = NULL;

  if (with_dense)
    {
      H5kOutGroup *dense = out_group ("dense");

      g_ptr_array_add (dense->weights, out_weight ("dense/kernel:0", STRATA_DTYPE_FLOAT32, 1, d2,
                                                   kernel, sizeof kernel));
      g_ptr_array_add (layers, dense);
    }
  spec.keras_version = "2.15.0";
  spec.backend = "tensorflow";
  spec.model_config = "{\"class_name\": \"Sequential\", \"config\": {}}";
  spec.layers = layers;
  g_assert_true (h5k_write_file (path, &spec, NULL));
  g_assert_true (read_all (path, NULL));
  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return contents;
}

/* A global heap whose free-space object claims 0 bytes makes libhdf5 1.10
 * loop for ever; the reader refuses the file before HDF5 sees it. */
static void
test_bad_global_heap (void)
{
  g_autofree char *path = tmp_path ("heap.h5");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  char *gcol;
  guint64 pos = 16, collection;
  gboolean patched = FALSE;

  contents = write_small_file (path, FALSE, &length);
  gcol = memmem (contents, length, "GCOL\x01", 5);
  g_assert_nonnull (gcol);
  memcpy (&collection, gcol + 8, 8);
  while (pos + 16 <= collection)
    {
      guint16 index;
      guint64 size;

      memcpy (&index, gcol + pos, 2);
      memcpy (&size, gcol + pos + 8, 8);
      if (index == 0)
        {
          memset (gcol + pos + 8, 0, 8);
          patched = TRUE;
          break;
        }
      pos += 16 + ((size + 7) & ~(guint64) 7);
    }
  g_assert_true (patched);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  g_assert_false (read_all (path, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "global heap"));
  g_unlink (path);
}

/* libhdf5 allocates the sizes it reads in a group's local heap and in an
 * object header's continuation message before it checks them against the
 * file, even while it only lists a group. Each local heap and each
 * continuation of a written file, patched in turn to declare about 7 EB,
 * and each group B-tree, patched to point outside the file, is refused
 * with a precise error before libhdf5 reads it. */
static void
test_huge_metadata_sizes (void)
{
  g_autofree char *path = tmp_path ("huge-sizes.h5");
  const guint64 huge = G_GUINT64_CONSTANT (0x616e5f726579616c);
  g_autofree char *original = NULL;
  gsize length;
  guint n_heaps = 0, n_continuations = 0, n_trees = 0;

  original = write_small_file (path, TRUE, &length);

  for (gsize at = 0; at + 40 <= length; at++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      const char *expected;
      /* A local heap: "HEAP", version 0, then its data size. A version 1
       * continuation message: type 0x0010, size 16, then {offset, length}. */
      gboolean heap = memcmp (original + at, "HEAP\0\0\0\0", 8) == 0;
      gboolean continuation = memcmp (original + at, "\x10\0\x10\0\0\0\0\0", 8) == 0;

      if (!heap && !continuation)
        continue;
      contents = g_memdup2 (original, length);
      memcpy (contents + at + (heap ? 8 : 16), &huge, 8);
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      g_assert_false (read_all (path, &error));
      g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
      expected = heap ? "local heap" : "continuation block beyond the end of the file";
      if (strstr (error->message, expected) == NULL)
        g_error ("patch at %" G_GSIZE_FORMAT ": expected “%s” in: %s", at, expected, error->message);
      heap ? n_heaps++ : n_continuations++;
    }
  /* The root, model_weights and the layer group each have a local heap. */
  g_assert_cmpuint (n_heaps, >=, 3);

  /* A group B-tree whose child lies outside the file made libhdf5 copy
   * into a buffer it never allocated (found by fuzzing). */
  for (gsize at = 0; at + 40 <= length; at++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      const guint64 outside = G_GUINT64_CONSTANT (0xffffffffffffff00);

      if (memcmp (original + at, "TREE\0", 5) != 0)
        continue;
      contents = g_memdup2 (original, length);
      memcpy (contents + at + 32, &outside, 8);   /* child 0, after key 0 */
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      g_assert_false (read_all (path, &error));
      g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "B-tree"));
      n_trees++;
    }
  g_assert_cmpuint (n_trees, >=, 3);
  if (g_test_verbose ())
    g_printerr ("%u local heaps, %u continuation messages patched\n", n_heaps, n_continuations);
  g_unlink (path);
}

/* What libhdf5 reads while it opens a file, before Strata can look at the
 * objects: the superblock's driver information block (libhdf5 allocates
 * the size it declares: a 100 KB fuzzed file asked for 2.6 GB) and the
 * size of addresses, which the checks need to be 8 bytes. */
static void
test_bad_superblock (void)
{
  g_autofree char *path = tmp_path ("bad-superblock.h5");

  for (guint patch = 0; patch < 2; patch++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;
      const guint64 driver_info = 96;
      const guint32 huge = 0xf0000000;

      contents = write_small_file (path, FALSE, &length);
      g_assert_cmpuint (contents[8], ==, 0);   /* superblock version 0 */
      if (patch == 0)
        {
          /* The driver information address (after base, free space and
           * end of file) points at a block declaring 3.75 GiB. */
          memcpy (contents + 48, &driver_info, 8);
          memcpy (contents + driver_info + 4, &huge, 4);
        }
      else
        contents[13] = 4;   /* 4-byte addresses */
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      g_assert_false (read_all (path, &error));
      if (patch == 0)
        {
          g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
          g_assert_nonnull (strstr (error->message, "driver information block"));
        }
      else
        {
          g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
          g_assert_nonnull (strstr (error->message, "4-byte addresses"));
        }
    }
  g_unlink (path);
}

/* libhdf5 1.10 over-reads a damaged datatype description (an enumeration
 * whose counts do not match its size, found by fuzzing) as soon as it
 * decodes it: attribute types are checked before any attribute of their
 * object is read, dataset types before the dataset is opened. */
static void
test_bad_datatypes (void)
{
  g_autofree char *path = tmp_path ("bad-types.h5");
  static const char float32_type[] = "\x11\x20\x1f\x00\x04\x00\x00\x00";

  for (guint patch = 0; patch < 2; patch++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;
      char *at;

      contents = write_small_file (path, TRUE, &length);
      if (patch == 0)
        {
          /* model_config's type (version 1 attribute: name padded to 16
           * bytes): variable-length (0x19) becomes an enumeration. */
          at = memmem (contents, length, "model_config", 13);
          g_assert_nonnull (at);
          g_assert_cmphex ((guchar) at[16], ==, 0x19);
          at[16] = 0x18;
        }
      else
        {
          /* The kernel's float32 type becomes a compound. */
          at = memmem (contents, length, float32_type, 8);
          g_assert_nonnull (at);
          at[0] = 0x16;
        }
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      g_assert_false (read_all (path, &error));
      g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, "HDF5 type that Strata does not read"));
      g_assert_nonnull (strstr (error->message, patch == 0 ? "“/” in" : "“/model_weights/dense/dense/kernel:0”"));
    }
  g_unlink (path);
}

/* libhdf5 allocates and clears the length a variable-length string
 * declares before reading it, and copies as much attribute data as the
 * type and dataspace declare; lengths, element sizes and data beyond the
 * file or the message are refused first. */
static void
test_bad_vlen_length (void)
{
  g_autofree char *path = tmp_path ("vlen.h5");

  for (guint patch = 0; patch < 5; patch++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;
      char *name;
      guint32 huge = 0xfffffff0;

      contents = write_small_file (path, FALSE, &length);
      /* Attribute message (version 1): name at body + 8, padded to 8; the
       * vlen type follows (base type size at +12); then dataspace, data. */
      name = memmem (contents, length, "model_config", 13);
      g_assert_nonnull (name);
      if (patch == 0)
        memcpy (name + 16 + 12, &huge, 4);
      else if (patch == 2)
        memcpy (name + 16 + 4, &huge, 4);   /* the type's size: data beyond the message */
      else if (patch == 3)
        {
          guint32 ten = 10;                  /* a vlen type claiming 10 bytes on disk */
          memcpy (name + 16 + 4, &ten, 4);
        }
      else
        {
          guint16 dt_size, ds_size;
          guint32 index = 99;                /* no such object in the heap */
          char *element;

          memcpy (&dt_size, name - 4, 2);
          memcpy (&ds_size, name - 2, 2);
          element = name + 16 + ((dt_size + 7) & ~7) + ((ds_size + 7) & ~7);
          if (patch == 1)
            memcpy (element, &huge, 4);
          else
            memcpy (element + 12, &index, 4);
        }
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      g_assert_false (read_all (path, &error));
      g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
      if (patch == 2 || patch == 3)
        g_assert_nonnull (strstr (error->message, "does not fit"));
      else if (patch == 4)
        g_assert_nonnull (strstr (error->message, "missing or smaller heap object"));
      else
        {
          g_assert_nonnull (strstr (error->message, "model_config"));
          g_assert_nonnull (strstr (error->message, patch == 0 ? "-byte elements" : "declares a string of"));
        }
    }
  g_unlink (path);
}

/* Reads everything a file holds; returns FALSE with @error on failure. */
static gboolean
read_all (const char *path, GError **error)
{
  g_autoptr(H5kFile) file = h5k_file_open (path, error);
  g_autoptr(H5kKerasFile) kf = NULL;

  if (file == NULL)
    return FALSE;
  kf = h5k_file_read_keras (file, TRUE, error);
  if (kf == NULL)
    return FALSE;
  for (guint i = 0; i < kf->layers->len; i++)
    {
      H5kGroup *g = g_ptr_array_index (kf->layers, i);
      for (guint j = 0; j < g->weights->len; j++)
        {
          g_autoptr(GBytes) data = h5k_file_read_weight (file, g_ptr_array_index (g->weights, j), error);
          if (data == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

/* A real file cut at many offsets fails cleanly (or, past the data, may
 * still read); never a crash, never an error from another domain. */
static void
test_truncated (void)
{
  g_autofree char *real = strata_test_real_fixture_path ("dl4j-test-resources/keras/weights/conv2d_tensorflow_2.h5");
  g_autofree char *cut = tmp_path ("cut.h5");
  g_autofree char *contents = NULL;
  gsize length;
  guint n_failed = 0, n_cuts = 0;

  if (real == NULL)
    return;
  g_assert_true (g_file_get_contents (real, &contents, &length, NULL));
  g_assert_true (read_all (real, NULL));
  for (gsize offset = 0; offset < length; offset += offset < 4096 ? 97 : length / 61 + 1)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (cut, contents, offset, NULL));
      n_cuts++;
      if (!read_all (cut, &error))
        {
          g_assert_true (error->domain == STRATA_FORMAT_ERROR);
          n_failed++;
        }
    }
  /* Every cut loses the end of the file, which HDF5's superblock records. */
  g_assert_cmpuint (n_failed, ==, n_cuts);
  g_unlink (cut);
}

/* ---- Keras 1 / Theano / cuDNN conversions ---- */

static H5kArray *
array_f32 (guint rank, const gint64 *dims, const float *values)
{
  guint64 n = 1;
  g_autoptr(GBytes) data = NULL;

  for (guint i = 0; i < rank; i++)
    n *= dims[i];
  data = g_bytes_new (values, n * sizeof (float));
  return h5k_array_new ("w", STRATA_DTYPE_FLOAT32, rank, dims, data);
}

static const float *
floats (H5kArray *a)
{
  return g_bytes_get_data (a->data, NULL);
}

static void
test_keras1_lstm (void)
{
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
  g_autoptr(GError) error = NULL;
  H5kLayerInfo info = { .name = "lstm_1", .class_name = "LSTM", .kernel_size = -1, .filters = -1 };
  const gint64 d11[2] = { 1, 1 }, d1[1] = { 1 };
  const float kernel[] = { 0, 6, 3, 9 }, recurrent[] = { 1, 7, 4, 10 }, bias[] = { 2, 8, 5, 11 };

  /* Keras 1: W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o. */
  for (guint i = 0; i < 12; i++)
    {
      float v = i;
      g_ptr_array_add (arrays, array_f32 (i % 3 == 2 ? 1 : 2, i % 3 == 2 ? d1 : d11, &v));
    }
  g_assert_true (h5k_preprocess_weights (&info, arrays, "1", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (arrays->len, ==, 3);
  g_assert_cmpmem (floats (arrays->pdata[0]), 16, kernel, 16);
  g_assert_cmpmem (floats (arrays->pdata[1]), 16, recurrent, 16);
  g_assert_cmpmem (floats (arrays->pdata[2]), 16, bias, 16);
  g_assert_cmpint (((H5kArray *) arrays->pdata[0])->dims[1], ==, 4);
}

static void
test_keras1_conv (void)
{
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
  g_autoptr(GError) error = NULL;
  H5kLayerInfo info = { .name = "conv", .class_name = "Convolution2D", .channels_first = TRUE,
                        .kernel_size = -1, .filters = -1 };
  /* (filters=2, in=1, kh=1, kw=2) -> (kh, kw, in, filters) = (1, 2, 1, 2) */
  const gint64 dims[4] = { 2, 1, 1, 2 };
  const float values[4] = { 10, 11, 20, 21 };
  const float expected[4] = { 10, 20, 11, 21 };
  const float flipped[4] = { 11, 21, 10, 20 };
  H5kArray *k;

  g_ptr_array_add (arrays, array_f32 (4, dims, values));
  g_assert_true (h5k_preprocess_weights (&info, arrays, "1", NULL, &error));
  k = arrays->pdata[0];
  g_assert_cmpint (k->dims[0], ==, 1);
  g_assert_cmpint (k->dims[1], ==, 2);
  g_assert_cmpint (k->dims[2], ==, 1);
  g_assert_cmpint (k->dims[3], ==, 2);
  g_assert_cmpmem (floats (k), 16, expected, 16);

  /* A Theano-backend Keras 2 file: kernels flipped on the spatial axes. */
  info.class_name = "Conv2D";
  info.channels_first = FALSE;
  g_assert_true (h5k_preprocess_weights (&info, arrays, "2.1.3", "theano", &error));
  g_assert_cmpmem (floats (arrays->pdata[0]), 16, flipped, 16);
  g_assert_no_error (error);
}

static void
test_cudnn_lstm (void)
{
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
  g_autoptr(GError) error = NULL;
  H5kLayerInfo info = { .name = "lstm", .class_name = "LSTM", .kernel_size = -1, .filters = -1 };
  /* units 1, input 2: kernel (2, 4), recurrent (1, 4), cuDNN bias (8,) */
  const gint64 dk[2] = { 2, 4 }, dr[2] = { 1, 4 }, db[1] = { 8 };
  const float k[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, r[4] = { 1, 2, 3, 4 };
  const float b[8] = { 1, 2, 3, 4, 10, 20, 30, 40 };
  const float bias[4] = { 11, 22, 33, 44 };
  /* Per gate g the (2, 1) block k[:, g] = (g, 4 + g) becomes k.T reshaped in
   * Fortran order, which for one unit is the same column. */
  H5kArray *out;

  g_ptr_array_add (arrays, array_f32 (2, dk, k));
  g_ptr_array_add (arrays, array_f32 (2, dr, r));
  g_ptr_array_add (arrays, array_f32 (1, db, b));
  g_assert_true (h5k_preprocess_weights (&info, arrays, "2.1.3", "tensorflow", &error));
  g_assert_no_error (error);
  out = arrays->pdata[2];
  g_assert_cmpint (out->dims[0], ==, 4);
  g_assert_cmpmem (floats (out), 16, bias, 16);
  g_assert_cmpmem (floats (arrays->pdata[0]), 32, k, 32);

  /* A bias that fits neither layout is refused with the layer named. */
  info.class_name = "GRU";
  g_assert_false (h5k_preprocess_weights (&info, arrays, "2.1.3", "tensorflow", &error));
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "lstm"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/h5/reader/string-attributes", test_string_attributes);
  g_test_add_func ("/h5/reader/split-attributes", test_split_attributes);
  g_test_add_func ("/h5/reader/write-read", test_write_read);
  g_test_add_func ("/h5/reader/converted-and-chunked", test_converted_and_chunked);
  g_test_add_func ("/h5/reader/bad-files", test_bad_files);
  g_test_add_func ("/h5/reader/truncated", test_truncated);
  g_test_add_func ("/h5/reader/bad-global-heap", test_bad_global_heap);
  g_test_add_func ("/h5/reader/bad-vlen-length", test_bad_vlen_length);
  g_test_add_func ("/h5/reader/huge-metadata-sizes", test_huge_metadata_sizes);
  g_test_add_func ("/h5/reader/bad-datatypes", test_bad_datatypes);
  g_test_add_func ("/h5/reader/bad-superblock", test_bad_superblock);
  g_test_add_func ("/h5/keras1/lstm", test_keras1_lstm);
  g_test_add_func ("/h5/keras1/conv", test_keras1_conv);
  g_test_add_func ("/h5/keras1/cudnn-lstm", test_cudnn_lstm);
  return g_test_run ();
}
