/* tsm-bundle-entry.c: data types, the header entry and the tensor entries
 * of a TensorBundle index (tf-savedmodel spec §3.4, §3.5)
 *
 * Entries are checked as TensorFlow's BundleReader does, and more strictly
 * where TF would only fail later: the shape must be a valid TensorShape,
 * the size must match the shape exactly (strings: at least one byte per
 * element), the shard must exist in the header, and no number may
 * overflow. Encoding omits proto3 defaults, which gives TF's exact bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-bundle-private.h"
#include "tsm-sstable.h"
#include "tensor_bundle.pb-c.h"

#include <inttypes.h>

#include "strata-i18n-private.h"

/* Supported by Strata's bundle reader: the StrataDType counterparts. */
static const struct {
  int         tf;
  StrataDType strata;
} dtype_map[] = {
  { TSM_DT_FLOAT,    STRATA_DTYPE_FLOAT32 },
  { TSM_DT_DOUBLE,   STRATA_DTYPE_FLOAT64 },
  { TSM_DT_HALF,     STRATA_DTYPE_FLOAT16 },
  { TSM_DT_BFLOAT16, STRATA_DTYPE_BFLOAT16 },
  { TSM_DT_INT8,     STRATA_DTYPE_INT8 },
  { TSM_DT_INT16,    STRATA_DTYPE_INT16 },
  { TSM_DT_INT32,    STRATA_DTYPE_INT32 },
  { TSM_DT_INT64,    STRATA_DTYPE_INT64 },
  { TSM_DT_UINT8,    STRATA_DTYPE_UINT8 },
  { TSM_DT_UINT16,   STRATA_DTYPE_UINT16 },
  { TSM_DT_UINT32,   STRATA_DTYPE_UINT32 },
  { TSM_DT_UINT64,   STRATA_DTYPE_UINT64 },
  { TSM_DT_BOOL,     STRATA_DTYPE_BOOL },
};

/* Every DataType of TF 2.21 (types.proto), with its element size. */
static const struct {
  const char *name;
  int         size;
} dtypes[TSM_DT_LAST_KNOWN + 1] = {
  { "DT_INVALID", -1 },           { "DT_FLOAT", 4 },             { "DT_DOUBLE", 8 },
  { "DT_INT32", 4 },              { "DT_UINT8", 1 },             { "DT_INT16", 2 },
  { "DT_INT8", 1 },               { "DT_STRING", 0 },            { "DT_COMPLEX64", 8 },
  { "DT_INT64", 8 },              { "DT_BOOL", 1 },              { "DT_QINT8", 1 },
  { "DT_QUINT8", 1 },             { "DT_QINT32", 4 },            { "DT_BFLOAT16", 2 },
  { "DT_QINT16", 2 },             { "DT_QUINT16", 2 },           { "DT_UINT16", 2 },
  { "DT_COMPLEX128", 16 },        { "DT_HALF", 2 },              { "DT_RESOURCE", 0 },
  { "DT_VARIANT", 0 },            { "DT_UINT32", 4 },            { "DT_UINT64", 8 },
  { "DT_FLOAT8_E5M2", 1 },        { "DT_FLOAT8_E4M3FN", 1 },     { "DT_FLOAT8_E4M3FNUZ", 1 },
  { "DT_FLOAT8_E4M3B11FNUZ", 1 }, { "DT_FLOAT8_E5M2FNUZ", 1 },   { "DT_INT4", 1 },
  { "DT_UINT4", 1 },              { "DT_INT2", 1 },              { "DT_UINT2", 1 },
  { "DT_FLOAT4_E2M1FN", 1 },
};

StrataDType
tsm_dtype_to_strata (int tf_dtype)
{
  for (gsize i = 0; i < G_N_ELEMENTS (dtype_map); i++)
    if (dtype_map[i].tf == tf_dtype)
      return dtype_map[i].strata;
  return STRATA_DTYPE_INVALID;
}

int
tsm_dtype_from_strata (StrataDType dtype)
{
  for (gsize i = 0; i < G_N_ELEMENTS (dtype_map); i++)
    if (dtype_map[i].strata == dtype)
      return dtype_map[i].tf;
  return TSM_DT_INVALID;
}

const char *
tsm_dtype_name (int tf_dtype)
{
  g_autofree char *name = NULL;

  if (tf_dtype >= 0 && tf_dtype <= TSM_DT_LAST_KNOWN)
    return dtypes[tf_dtype].name;
  /* TF 1 graphs type variable outputs as references: DT_FLOAT + 100 */
  if (tf_dtype > 100 && tf_dtype <= 100 + TSM_DT_LAST_KNOWN)
    name = g_strconcat (dtypes[tf_dtype - 100].name, "_REF", NULL);
  else
    name = g_strdup_printf ("DT_%d", tf_dtype);
  return g_intern_string (name);
}

int
tsm_dtype_element_size (int tf_dtype)
{
  if (tf_dtype > 0 && tf_dtype <= TSM_DT_LAST_KNOWN)
    return dtypes[tf_dtype].size;
  return -1;
}

char *
tsm_bundle_index_path (const char *prefix)
{
  return g_strconcat (prefix, ".index", NULL);
}

char *
tsm_bundle_shard_path (const char *prefix,
                       int         shard_id,
                       int         num_shards)
{
  return g_strdup_printf ("%s.data-%05d-of-%05d", prefix, shard_id, num_shards);
}

char *
tsm_dims_to_string (guint         rank,
                    const gint64 *dims)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%" PRId64, i ? ", " : "", dims[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gboolean
tsm_header_decode (const guint8     *value,
                   gsize             size,
                   const char       *filename,
                   TsmBundleHeader  *header,
                   GError          **error)
{
  Tsm__Bundle__BundleHeaderProto *proto =
    tsm__bundle__bundle_header_proto__unpack (NULL, size, value);
  gboolean ok = FALSE;

  if (proto == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name */
                   _("“%s”: the bundle header cannot be parsed"), filename);
      return FALSE;
    }
  header->num_shards = proto->num_shards;
  header->big_endian = proto->endianness == 1;
  header->producer = proto->version ? proto->version->producer : 0;
  header->min_consumer = proto->version ? proto->version->min_consumer : 0;

  if (proto->num_shards < 0)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                 /* Translators: a file name, then a number */
                 _("“%s”: the bundle header gives %d shards"), filename, proto->num_shards);
  else if (proto->endianness != 0 && proto->endianness != 1)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                 /* Translators: a file name, then a number */
                 _("“%s”: the bundle header gives the unknown byte order %d"),
                 filename, proto->endianness);
  else if (header->producer < 0)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                 /* Translators: a file name, then a version number */
                 _("“%s”: the checkpoint producer version %d is below the minimum 0"),
                 filename, header->producer);
  else if (header->min_consumer > 1)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                 /* Translators: a file name, then a version number */
                 _("“%s” needs a checkpoint reader of version %d or later; Strata reads "
                   "version 1"),
                 filename, header->min_consumer);
  else
    {
      ok = TRUE;
      for (gsize i = 0; proto->version != NULL && i < proto->version->n_bad_consumers; i++)
        if (proto->version->bad_consumers[i] == 1)
          {
            g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                         /* Translators: a file name */
                         _("“%s” excludes checkpoint readers of version 1, which Strata is"),
                         filename);
            ok = FALSE;
            break;
          }
    }
  tsm__bundle__bundle_header_proto__free_unpacked (proto, NULL);
  return ok;
}

/* Product of @dims into *@n; FALSE when it overflows 63 bits. */
static gboolean
count_elements (guint         rank,
                const gint64 *dims,
                guint64      *n)
{
  guint64 product = 1;

  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] != 0 && product > (guint64) G_MAXINT64 / (guint64) dims[i])
        return FALSE;
      product *= (guint64) dims[i];
    }
  *n = product;
  return TRUE;
}

static gboolean
check_shape (const Tsm__Bundle__TensorShapeProto  *shape,
             const char                           *filename,
             const char                           *key,
             TsmEntry                             *entry,
             GError                              **error)
{
  if (shape == NULL)
    return TRUE;   /* a scalar with the shape omitted */
  if (shape->unknown_rank)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then a tensor name */
                   _("“%s”: the tensor “%s” has a shape of unknown rank"), filename, key);
      return FALSE;
    }
  if (shape->n_dim > TSM_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a file name, a tensor name, then two numbers */
                   _("“%s”: the tensor “%s” has %" PRIu64 " dimensions; Strata reads "
                     "at most %d"),
                   filename, key, (guint64) shape->n_dim, TSM_MAX_RANK);
      return FALSE;
    }
  entry->rank = (guint) shape->n_dim;
  for (guint i = 0; i < entry->rank; i++)
    {
      entry->dims[i] = shape->dim[i]->size;
      if (entry->dims[i] < 0)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a file name, a tensor name, then a number */
                       _("“%s”: the tensor “%s” has the negative dimension %" PRId64
                         " in its shape (invalid tensor shape)"),
                       filename, key, entry->dims[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Size, offset and shard of an entry that is not sliced. */
static gboolean
check_extent (const Tsm__Bundle__BundleEntryProto  *proto,
              const char                           *filename,
              const char                           *key,
              const TsmBundleHeader                *header,
              TsmEntry                             *entry,
              GError                              **error)
{
  int element_size = tsm_dtype_element_size (entry->dtype);
  guint64 n_elements;
  g_autofree char *dims = NULL;

  if (proto->shard_id < 0 || proto->shard_id >= header->num_shards)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a tensor name, then two numbers */
                   _("“%s”: the tensor “%s” is in shard %d, but the bundle has %d shards"),
                   filename, key, proto->shard_id, header->num_shards);
      return FALSE;
    }
  if (proto->offset < 0 || proto->size < 0 || proto->size > G_MAXINT64 - proto->offset)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a tensor name, then two numbers */
                   _("“%s”: the tensor “%s” has the impossible extent offset %" PRId64
                     ", size %" PRId64),
                   filename, key, proto->offset, proto->size);
      return FALSE;
    }
  if (!count_elements (entry->rank, entry->dims, &n_elements) ||
      (element_size > 0 && n_elements > (guint64) G_MAXINT64 / (guint64) element_size))
    {
      dims = tsm_dims_to_string (entry->rank, entry->dims);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a file name, a tensor name, then a shape such as [2, 3] */
                   _("“%s”: the tensor “%s” has the shape %s, too large for any file"),
                   filename, key, dims);
      return FALSE;
    }
  if (element_size > 0 && (guint64) proto->size != n_elements * (guint64) element_size)
    {
      dims = tsm_dims_to_string (entry->rank, entry->dims);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a tensor name, a number of bytes, a
                    * data type, a shape such as [2, 3], then a number of bytes */
                   _("“%s”: the tensor “%s” holds %" PRId64 " bytes, but %s %s takes %" PRIu64
                     " (invalid size in bundle entry)"),
                   filename, key, proto->size, tsm_dtype_name (entry->dtype), dims,
                   n_elements * (guint64) element_size);
      return FALSE;
    }
  if (entry->dtype == TSM_DT_STRING && (guint64) proto->size < n_elements)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a tensor name, then two numbers */
                   _("“%s”: the string tensor “%s” holds %" PRId64 " bytes, fewer than its "
                     "%" PRIu64 " elements need (invalid size in bundle entry)"),
                   filename, key, proto->size, n_elements);
      return FALSE;
    }
  entry->shard_id = proto->shard_id;
  entry->offset = (guint64) proto->offset;
  entry->size = (guint64) proto->size;
  return TRUE;
}

gboolean
tsm_entry_decode (const guint8           *value,
                  gsize                   size,
                  const char             *filename,
                  const char             *key,
                  const TsmBundleHeader  *header,
                  TsmEntry               *entry,
                  GError                **error)
{
  Tsm__Bundle__BundleEntryProto *proto =
    tsm__bundle__bundle_entry_proto__unpack (NULL, size, value);
  gboolean ok = FALSE;

  if (proto == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, then a tensor name */
                   _("“%s”: the entry of the tensor “%s” cannot be parsed"), filename, key);
      return FALSE;
    }
  entry->dtype = proto->dtype;
  entry->rank = 0;
  entry->shard_id = 0;
  entry->offset = 0;
  entry->size = 0;
  entry->masked_crc = proto->crc32c;
  entry->n_slices = (guint) MIN (proto->n_slices, G_MAXUINT);

  if (proto->dtype <= 0)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                 /* Translators: a file name, a tensor name, then a number */
                 _("“%s”: the tensor “%s” has the invalid dtype %d"), filename, key,
                 proto->dtype);
  else if (proto->dtype > TSM_DT_LAST_KNOWN)
    g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                 /* Translators: a file name, a tensor name, then a number */
                 _("“%s”: the tensor “%s” has the dtype %d, which Strata does not know"),
                 filename, key, proto->dtype);
  else if (check_shape (proto->shape, filename, key, entry, error))
    ok = entry->n_slices > 0 || check_extent (proto, filename, key, header, entry, error);

  tsm__bundle__bundle_entry_proto__free_unpacked (proto, NULL);
  return ok;
}

static void
append_packed (GByteArray               *out,
               const ProtobufCMessage   *message)
{
  gsize size = protobuf_c_message_get_packed_size (message);
  guint old = out->len;

  g_byte_array_set_size (out, old + (guint) size);
  protobuf_c_message_pack (message, out->data + old);
}

static void
add_header (TsmSSTableWriter      *writer,
            const TsmBundleHeader *header)
{
  Tsm__Bundle__BundleHeaderProto proto = TSM__BUNDLE__BUNDLE_HEADER_PROTO__INIT;
  Tsm__Bundle__VersionDef version = TSM__BUNDLE__VERSION_DEF__INIT;
  g_autoptr(GByteArray) value = g_byte_array_new ();

  proto.num_shards = header->num_shards;
  proto.endianness = header->big_endian ? 1 : 0;
  version.producer = header->producer;
  version.min_consumer = header->min_consumer;
  proto.version = &version;
  append_packed (value, &proto.base);
  tsm_sstable_writer_add (writer, (const guint8 *) "", 0, value->data, value->len);
}

static void
add_entry (TsmSSTableWriter *writer,
           const TsmEntry   *entry)
{
  Tsm__Bundle__BundleEntryProto proto = TSM__BUNDLE__BUNDLE_ENTRY_PROTO__INIT;
  Tsm__Bundle__TensorShapeProto shape = TSM__BUNDLE__TENSOR_SHAPE_PROTO__INIT;
  Tsm__Bundle__TensorShapeProto__Dim dims[TSM_MAX_RANK];
  Tsm__Bundle__TensorShapeProto__Dim *dim_ptrs[TSM_MAX_RANK];
  g_autoptr(GByteArray) value = g_byte_array_new ();

  for (guint i = 0; i < entry->rank; i++)
    {
      tsm__bundle__tensor_shape_proto__dim__init (&dims[i]);
      dims[i].size = entry->dims[i];
      dim_ptrs[i] = &dims[i];
    }
  shape.n_dim = entry->rank;
  shape.dim = dim_ptrs;
  proto.dtype = entry->dtype;
  proto.shape = &shape;
  proto.shard_id = entry->shard_id;
  proto.offset = (gint64) entry->offset;
  proto.size = (gint64) entry->size;
  proto.crc32c = entry->masked_crc;
  append_packed (value, &proto.base);
  tsm_sstable_writer_add (writer, (const guint8 *) entry->key, strlen (entry->key),
                          value->data, value->len);
}

GBytes *
tsm_bundle_build_index (const TsmBundleHeader *header,
                        const TsmEntry        *entries,
                        guint                  n_entries)
{
  g_autoptr(TsmSSTableWriter) writer =
    tsm_sstable_writer_new (TSM_SSTABLE_NO_COMPRESSION, TSM_SSTABLE_BLOCK_SIZE);

  add_header (writer, header);
  for (guint i = 0; i < n_entries; i++)
    add_entry (writer, &entries[i]);
  return tsm_sstable_writer_finish (writer);
}
