/* strata-npy.c: NumPy .npy arrays in and .npz archives out, for `strata predict`
 *
 * An .npy file is the magic "\x93NUMPY", a version (1.0: a u16le header
 * length; 2.0 and 3.0: u32le), a header that is a Python dict literal
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }) padded
 * with spaces and a newline, then the elements. An .npz file is a zip
 * archive of .npy members. Facts from NumPy's format documentation
 * (numpy.lib.format).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-npy.h"

#include <string.h>
#if HAVE_LIBZIP
#include <zip.h>
#endif

#include "strata-i18n-private.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define MAX_RANK 32
/* The header of NumPy's own files is at most a few hundred bytes. */
#define MAX_HEADER (1 << 16)

static const struct {
  char        kind;
  guint       size;
  StrataDType dtype;
} element_types[] = {
  { 'f', 2, STRATA_DTYPE_FLOAT16 }, { 'f', 4, STRATA_DTYPE_FLOAT32 }, { 'f', 8, STRATA_DTYPE_FLOAT64 },
  { 'i', 1, STRATA_DTYPE_INT8 },    { 'i', 2, STRATA_DTYPE_INT16 },   { 'i', 4, STRATA_DTYPE_INT32 },
  { 'i', 8, STRATA_DTYPE_INT64 },   { 'u', 1, STRATA_DTYPE_UINT8 },   { 'u', 2, STRATA_DTYPE_UINT16 },
  { 'u', 4, STRATA_DTYPE_UINT32 },  { 'u', 8, STRATA_DTYPE_UINT64 },  { 'b', 1, STRATA_DTYPE_BOOL },
};

typedef struct {
  const char *p, *end;
  const char *name;
} Header;

typedef struct {
  StrataDType dtype;
  gboolean    big_endian;
  gboolean    fortran_order;
  gboolean    seen[3];      /* descr, fortran_order, shape */
  guint       rank;
  gint64      dims[MAX_RANK];
} ArrayInfo;

static gboolean
corrupt (GError **error, const char *name, const char *what)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: a file name, then what is wrong with its NumPy header */
               _("“%s” is not a valid .npy file: %s"), name, what);
  return FALSE;
}

static void
skip_spaces (Header *h)
{
  while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n'))
    h->p++;
}

static gboolean
accept (Header *h, char c)
{
  skip_spaces (h);
  if (h->p < h->end && *h->p == c)
    {
      h->p++;
      return TRUE;
    }
  return FALSE;
}

/* A quoted string without escapes (NumPy writes none); NULL on error. */
static char *
read_string (Header *h)
{
  const char *start;
  char quote;

  skip_spaces (h);
  if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
    return NULL;
  quote = *h->p++;
  start = h->p;
  while (h->p < h->end && *h->p != quote && *h->p != '\\')
    h->p++;
  if (h->p >= h->end || *h->p != quote)
    return NULL;
  return g_strndup (start, h->p++ - start);
}

static gboolean
read_word (Header *h, const char *word)
{
  gsize n = strlen (word);

  skip_spaces (h);
  if ((gsize) (h->end - h->p) < n || memcmp (h->p, word, n) != 0)
    return FALSE;
  h->p += n;
  return TRUE;
}

static gboolean
read_descr (Header *h, ArrayInfo *info)
{
  g_autofree char *descr = read_string (h);
  char order, kind;
  guint64 size;
  char *end;

  if (descr == NULL || strlen (descr) < 3)
    return FALSE;
  order = descr[0];
  kind = descr[1];
  size = g_ascii_strtoull (descr + 2, &end, 10);
  if (*end != '\0' || (order != '<' && order != '>' && order != '|' && order != '='))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (element_types); i++)
    if (element_types[i].kind == kind && element_types[i].size == size)
      {
        info->dtype = element_types[i].dtype;
        info->big_endian = order == '>' && size > 1;
        return TRUE;
      }
  return FALSE;
}

static gboolean
read_shape (Header *h, ArrayInfo *info)
{
  if (!accept (h, '('))
    return FALSE;
  info->rank = 0;
  while (!accept (h, ')'))
    {
      char *end;
      guint64 dim;

      skip_spaces (h);
      if (info->rank == MAX_RANK || h->p >= h->end || !g_ascii_isdigit (*h->p))
        return FALSE;
      dim = g_ascii_strtoull (h->p, &end, 10);
      if (end > h->end || dim > G_MAXINT64)
        return FALSE;
      h->p = end;
      if (h->p < h->end && *h->p == 'L')   /* Python 2's long */
        h->p++;
      info->dims[info->rank++] = (gint64) dim;
      if (!accept (h, ',') && !(skip_spaces (h), h->p < h->end && *h->p == ')'))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_header (Header *h, ArrayInfo *info, GError **error)
{
  if (!accept (h, '{'))
    return corrupt (error, h->name, _("its header is not a Python dict"));
  while (!accept (h, '}'))
    {
      g_autofree char *key = read_string (h);
      gboolean ok;
      int which;

      if (key == NULL || !accept (h, ':'))
        return corrupt (error, h->name, _("its header is not a Python dict"));
      if (g_str_equal (key, "descr"))
        which = 0, ok = read_descr (h, info);
      else if (g_str_equal (key, "fortran_order"))
        which = 1, ok = (info->fortran_order = read_word (h, "True")) || read_word (h, "False");
      else if (g_str_equal (key, "shape"))
        which = 2, ok = read_shape (h, info);
      else
        return corrupt (error, h->name, _("its header has a key other than descr, fortran_order and shape"));
      if (!ok)
        {
          /* Translators: a key of a NumPy header: descr, fortran_order or shape */
          g_autofree char *what = g_strdup_printf (_("the value of “%s” is not one Strata reads "
                                                     "(numbers of 1 to 8 bytes, C or Fortran order, "
                                                     "a tuple of sizes)"), key);
          return corrupt (error, h->name, what);
        }
      info->seen[which] = TRUE;
      if (!accept (h, ',') && !(skip_spaces (h), h->p < h->end && *h->p == '}'))
        return corrupt (error, h->name, _("its header is not a Python dict"));
    }
  if (!info->seen[0] || !info->seen[1] || !info->seen[2])
    return corrupt (error, h->name, _("its header lacks descr, fortran_order or shape"));
  return TRUE;
}

/* Reverses the bytes of each element of @data in place. */
static void
swap_elements (guint8 *data, gsize n, gsize size)
{
  for (gsize i = 0; i < n; i++, data += size)
    for (gsize a = 0, b = size - 1; a < b; a++, b--)
      {
        guint8 t = data[a];
        data[a] = data[b];
        data[b] = t;
      }
}

StrataTensor *
strata_npy_parse (GBytes *bytes, const char *name, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  ArrayInfo info = { 0 };
  Header h;
  gsize header_len, offset, n = 1, element;
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(GBytes) payload = NULL;

  if (size < MAGIC_LEN + 4 || memcmp (data, MAGIC, MAGIC_LEN) != 0)
    return corrupt (error, name, _("it does not start with the NumPy magic")), NULL;
  if (data[6] == 1)
    header_len = data[8] | (gsize) data[9] << 8, offset = 10;
  else if ((data[6] == 2 || data[6] == 3) && size >= 12)
    header_len = data[8] | (gsize) data[9] << 8 | (gsize) data[10] << 16 | (gsize) data[11] << 24, offset = 12;
  else
    {
      /* Translators: the major and minor version of an .npy file */
      g_autofree char *what = g_strdup_printf (_("its format version %u.%u is not 1.0, 2.0 or 3.0"),
                                               data[6], data[7]);
      return corrupt (error, name, what), NULL;
    }
  if (header_len > MAX_HEADER || header_len > size - offset)
    return corrupt (error, name, _("its header is longer than the file")), NULL;
  h = (Header) { (const char *) data + offset, (const char *) data + offset + header_len, name };
  if (!parse_header (&h, &info, error))
    return NULL;
  skip_spaces (&h);
  if (h.p != h.end)
    return corrupt (error, name, _("its header has text after the dict")), NULL;
  if (info.fortran_order && info.rank > 1)
    return corrupt (error, name, _("its array is in Fortran order; save it in C order "
                                   "(numpy.ascontiguousarray)")), NULL;
  offset += header_len;
  element = strata_dtype_get_size (info.dtype);
  for (guint i = 0; i < info.rank; i++)
    if (info.dims[i] != 0 && n > (G_MAXSIZE / element) / (gsize) info.dims[i])
      return corrupt (error, name, _("its shape holds more elements than memory can")), NULL;
    else
      n *= (gsize) info.dims[i];
  if (size - offset != n * element)
    {
      g_autofree char *need = g_strdup_printf ("%" G_GSIZE_FORMAT, n * element);
      g_autofree char *held = g_strdup_printf ("%" G_GSIZE_FORMAT, size - offset);
      /* Translators: a number of bytes the shape needs, then the number the file holds */
      g_autofree char *what = g_strdup_printf (_("its shape needs %s bytes of data, the file holds %s"),
                                               need, held);
      return corrupt (error, name, what), NULL;
    }
  if (info.big_endian)
    {
      guint8 *copy = g_memdup2 (data + offset, MAX (n * element, 1));

      swap_elements (copy, n, element);
      payload = g_bytes_new_take (copy, n * element);
    }
  else
    payload = g_bytes_new_from_bytes (bytes, offset, n * element);
  shape = strata_shape_new (info.rank, info.dims);
  return strata_tensor_new (info.dtype, shape, payload, error);
}

StrataTensor *
strata_npy_read (const char *path, GError **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  return strata_npy_parse (bytes, path, error);
}

GBytes *
strata_npy_encode (StrataTensor *tensor, GError **error)
{
  StrataDType dtype = strata_tensor_get_dtype (tensor);
  GBytes *data = strata_tensor_get_data (tensor);
  guint rank = 0;
  const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (tensor), &rank);
  g_autoptr(GString) header = g_string_new ("{'descr': '");
  GByteArray *out;
  const char *descr = NULL;
  gsize prefix, size = 0;
  gconstpointer values;

  for (gsize i = 0; i < G_N_ELEMENTS (element_types); i++)
    if (element_types[i].dtype == dtype)
      descr = &element_types[i].kind;
  if (descr == NULL || data == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a tensor name, then its dtype */
                   _("The tensor “%s” of dtype %s cannot be written as a NumPy array"),
                   strata_tensor_get_name (tensor), strata_dtype_to_string (dtype));
      return NULL;
    }
  g_string_append_printf (header, "%c%c%u', 'fortran_order': False, 'shape': (",
                          strata_dtype_get_size (dtype) == 1 ? '|' : '<', *descr,
                          (guint) strata_dtype_get_size (dtype));
  for (guint i = 0; i < rank; i++)
    g_string_append_printf (header, "%" G_GINT64_FORMAT "%s", dims[i], rank == 1 || i + 1 < rank ? ", " : "");
  if (rank == 1)
    g_string_truncate (header, header->len - 1);
  g_string_append (header, "), }");
  /* Version 1.0 while the header fits a u16; the data starts 64-aligned. */
  prefix = header->len + 1 + 10 <= 65535 ? 10 : 12;
  while ((prefix + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');
  values = g_bytes_get_data (data, &size);
  out = g_byte_array_sized_new (prefix + header->len + size);
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  g_byte_array_append (out, (const guint8 []) { prefix == 10 ? 1 : 2, 0 }, 2);
  for (guint i = 0; i < prefix - 8; i++)
    g_byte_array_append (out, (const guint8 []) { (guint8) (header->len >> (8 * i)) }, 1);
  g_byte_array_append (out, (const guint8 *) header->str, header->len);
  g_byte_array_append (out, values, size);
  return g_byte_array_free_to_bytes (out);
}

#if HAVE_LIBZIP
static gboolean
zip_failed (zip_t *zip, const char *path, GError **error)
{
  /* Translators: a file name, then libzip's reason */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: %s"), path,
               zip_strerror (zip));
  zip_discard (zip);
  return FALSE;
}

gboolean
strata_npz_write (const char *path, const char **names, GPtrArray *tensors, GError **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  int code = 0;
  zip_t *zip;

  for (guint i = 0; i < tensors->len; i++)
    {
      GBytes *bytes = strata_npy_encode (g_ptr_array_index (tensors, i), error);

      if (bytes == NULL)
        return FALSE;
      g_ptr_array_add (members, bytes);
    }
  /* libzip writes a temporary beside @path and renames it at zip_close(). */
  zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (zip == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, code);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: %s"), path,
                   zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }
  for (guint i = 0; i < members->len; i++)
    {
      gsize size = 0;
      gconstpointer data = g_bytes_get_data (g_ptr_array_index (members, i), &size);
      g_autofree char *member = g_strconcat (names[i], ".npy", NULL);
      zip_source_t *source = zip_source_buffer (zip, data, size, 0);

      if (source == NULL)
        return zip_failed (zip, path, error);
      if (zip_file_add (zip, member, source, ZIP_FL_ENC_UTF_8) < 0)
        {
          zip_source_free (source);
          return zip_failed (zip, path, error);
        }
    }
  if (zip_close (zip) < 0)
    return zip_failed (zip, path, error);
  return TRUE;
}
#else
gboolean
strata_npz_write (const char *path, const char **names, GPtrArray *tensors, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               /* Translators: a file name */
               _("Cannot write “%s”: Strata was built without libzip"), path);
  return FALSE;
}
#endif
