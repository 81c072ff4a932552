/* h5-attrs.c: Keras string and string-list attributes (split or not)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-attrs.h"
#include "h5-common.h"

#include <inttypes.h>
#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"

/* Reads every element of a string attribute; *n_out gets the count. */
static char **
read_strings (hid_t attr, const char *where, const char *name, GError **error)
{
  H5K_AUTO_ID hid_t type = H5Aget_type (attr);
  H5K_AUTO_ID hid_t space = H5Aget_space (attr);
  H5K_AUTO_ID hid_t mem = H5I_INVALID_HID;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  hssize_t n;
  hsize_t storage;
  int rank;

  if (type < 0 || space < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                      * path. */
                     _("Cannot read the attribute “%s” of “%s”"), name, where);
      return NULL;
    }

  n = H5Sget_simple_extent_npoints (space);
  rank = H5Sget_simple_extent_ndims (space);
  storage = H5Aget_storage_size (attr);
  if (n < 0 || rank < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                      * path. */
                     _("The attribute “%s” of “%s” has a damaged dataspace"), name, where);
      return NULL;
    }

  if (H5Tget_class (type) != H5T_STRING)
    {
      /* Keras writes an empty list as a float64 array of shape (0,). */
      if (n == 0)
        {
          g_ptr_array_add (out, NULL);
          return (char **) g_ptr_array_steal (out, NULL);
        }
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first %s is an attribute name, the second %s an HDF5 object path, %<PRId64> a count. */
                   _("The attribute “%s” of “%s” should hold strings but holds %"
                     PRId64 " non-string values"), name, where, (gint64) n);
      return NULL;
    }
  if (rank > 1)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first %s is an attribute name, the second %s an HDF5 object path, %d a rank. */
                   _("The attribute “%s” of “%s” has %d dimensions; expected a list"),
                   name, where, rank);
      return NULL;
    }

  if (H5Tis_variable_str (type) > 0)
    {
      g_autofree char **buf = NULL;

      /* Every element takes at least a heap reference in the header. */
      if ((hsize_t) n > storage)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: an attribute name, an HDF5 object path, a number of strings,
                        * then a size in bytes */
                       _("The attribute “%s” of “%s” declares %" PRId64
                         " strings in %" PRIu64 " bytes"),
                       name, where, (gint64) n, (guint64) storage);
          return NULL;
        }
      mem = H5Tcopy (H5T_C_S1);
      H5Tset_size (mem, H5T_VARIABLE);
      H5Tset_cset (mem, H5Tget_cset (type));
      buf = g_new0 (char *, MAX (n, 1));
      if (H5Aread (attr, mem, buf) < 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         /* Translators: the first %s is an attribute name, the second %s an HDF5 object path. */
                         _("Cannot read the strings of the attribute “%s” of “%s”"), name, where);
          return NULL;
        }
      for (hssize_t i = 0; i < n; i++)
        g_ptr_array_add (out, g_strdup (buf[i] != NULL ? buf[i] : ""));
      H5Dvlen_reclaim (mem, space, H5P_DEFAULT, buf);
    }
  else
    {
      size_t size = H5Tget_size (type);
      H5T_str_t pad = H5Tget_strpad (type);
      g_autofree char *buf = NULL;

      if (size == 0 || (guint64) n > G_MAXSIZE / size || (hsize_t) n * size > storage)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                        * path. */
                       _("The attribute “%s” of “%s” declares more string data than it stores"),
                       name, where);
          return NULL;
        }
      mem = H5Tcopy (type);
      buf = g_malloc0 (n * size + 1);
      if (H5Aread (attr, mem, buf) < 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         /* Translators: the first %s is an attribute name, the second %s an HDF5 object path. */
                         _("Cannot read the strings of the attribute “%s” of “%s”"), name, where);
          return NULL;
        }
      for (hssize_t i = 0; i < n; i++)
        {
          const char *s = buf + i * size;
          gsize len = strnlen (s, size);

          if (pad == H5T_STR_SPACEPAD)
            while (len > 0 && s[len - 1] == ' ')
              len--;
          g_ptr_array_add (out, g_strndup (s, len));
        }
    }

  for (guint i = 0; i < out->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (out, i), -1, NULL))
      {
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: %u is an index, the first %s an attribute name, the second %s an HDF5 object path. */
                     _("Element %u of the attribute “%s” of “%s” is not valid UTF-8"),
                     i, name, where);
        return NULL;
      }

  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_steal (out, NULL);
}

static char **
read_named_list (hid_t obj, const char *where, const char *name, gboolean *found, GError **error)
{
  H5K_AUTO_ID hid_t attr = H5I_INVALID_HID;
  htri_t exists = H5Aexists (obj, name);

  *found = FALSE;
  if (exists < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                      * path. */
                     _("Cannot look up the attribute “%s” of “%s”"), name, where);
      return NULL;
    }
  if (exists == 0)
    return NULL;
  *found = TRUE;
  attr = H5Aopen (obj, name, H5P_DEFAULT);
  if (attr < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                      * path. */
                     _("Cannot open the attribute “%s” of “%s”"), name, where);
      return NULL;
    }
  return read_strings (attr, where, name, error);
}

char *
h5k_attr_read_string (hid_t obj, const char *where, const char *name, GError **error)
{
  g_auto(GStrv) values = NULL;
  gboolean found;

  values = read_named_list (obj, where, name, &found, error);
  if (values == NULL)
    return NULL;
  if (g_strv_length (values) != 1)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first %s is an attribute name, the second %s an HDF5 object path, %u a count. */
                   _("The attribute “%s” of “%s” should hold one string but holds %u"),
                   name, where, g_strv_length (values));
      return NULL;
    }
  return g_strdup (values[0]);
}

char **
h5k_attr_read_string_list (hid_t obj, const char *where, const char *name, GError **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  char **values;
  gboolean found;

  values = read_named_list (obj, where, name, &found, error);
  if (values != NULL || found)
    return values;

  /* Keras splits long lists into name0, name1, ... (stop at the first gap). */
  builder = g_strv_builder_new ();
  for (guint i = 0; ; i++)
    {
      g_autofree char *chunk_name = g_strdup_printf ("%s%u", name, i);
      g_auto(GStrv) chunk = read_named_list (obj, where, chunk_name, &found, error);

      if (chunk == NULL)
        {
          if (found)
            return NULL;
          break;
        }
      g_strv_builder_addv (builder, (const char **) chunk);
    }
  return g_strv_builder_end (builder);
}

gboolean
h5k_attr_write_string (hid_t obj, const char *name, const char *value, H5T_cset_t cset,
                       GError **error)
{
  H5K_AUTO_ID hid_t type = H5Tcopy (H5T_C_S1);
  H5K_AUTO_ID hid_t space = H5Screate (H5S_SCALAR);
  H5K_AUTO_ID hid_t attr = H5I_INVALID_HID;

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, cset);
  attr = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite (attr, type, &value) < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: %s is an attribute name. */
                     _("Cannot write the attribute “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

guint
h5k_attr_n_chunks (guint n_values, gsize max_len)
{
  guint k = 1;

  /* np.array_split(n, k): the largest piece has ceil(n / k) items. */
  while (k < n_values && (gsize) ((n_values + k - 1) / k) * max_len > H5K_OBJECT_HEADER_LIMIT)
    k++;
  return k;
}

static gboolean
write_fixed_chunk (hid_t obj, const char *name, const char * const *values, guint n,
                   gsize max_len, GError **error)
{
  H5K_AUTO_ID hid_t type = H5Tcopy (H5T_C_S1);
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t attr = H5I_INVALID_HID;
  hsize_t dims[1] = { n };
  g_autofree char *buf = g_malloc0 (n * max_len);

  for (guint i = 0; i < n; i++)
    memcpy (buf + i * max_len, values[i], strlen (values[i]));

  H5Tset_size (type, max_len);
  H5Tset_strpad (type, H5T_STR_NULLPAD);
  space = H5Screate_simple (1, dims, NULL);
  attr = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite (attr, type, buf) < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: %s is an attribute name. */
                     _("Cannot write the attribute “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
h5k_attr_write_string_list (hid_t obj, const char *where, const char *name,
                            const char * const *values, guint n_values, GError **error)
{
  gsize max_len = 1;
  guint k, start;

  if (n_values == 0)
    {
      /* What h5py makes of an empty list, and what every Keras reads. */
      H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
      H5K_AUTO_ID hid_t attr = H5I_INVALID_HID;
      hsize_t dims[1] = { 0 };

      space = H5Screate_simple (1, dims, NULL);
      attr = H5Acreate2 (obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
      if (attr < 0)
        {
          h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                         /* Translators: the first %s is an attribute name, the second %s an HDF5 object path. */
                         _("Cannot write the attribute “%s” of “%s”"), name, where);
          return FALSE;
        }
      return TRUE;
    }

  for (guint i = 0; i < n_values; i++)
    {
      gsize len = strlen (values[i]);

      if (len > H5K_OBJECT_HEADER_LIMIT)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                       /* Translators: the first %s is an attribute name, the second %s an HDF5 object
                        * path, %.40s the start of the entry, %d a size limit in bytes. */
                       _("The attribute “%s” of “%s” cannot be saved to HDF5: its entry “%.40s…” "
                         "is larger than %d bytes"),
                       name, where, values[i], H5K_OBJECT_HEADER_LIMIT);
          return FALSE;
        }
      max_len = MAX (max_len, len);
    }

  k = h5k_attr_n_chunks (n_values, max_len);
  if (k == 1)
    return write_fixed_chunk (obj, name, values, n_values, max_len, error);

  start = 0;
  for (guint i = 0; i < k; i++)
    {
      guint n = n_values / k + (i < n_values % k ? 1 : 0);
      g_autofree char *chunk_name = g_strdup_printf ("%s%u", name, i);

      if (!write_fixed_chunk (obj, chunk_name, values + start, n, max_len, error))
        return FALSE;
      start += n;
    }
  return TRUE;
}
