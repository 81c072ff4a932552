/* h5-check.c: checks of raw HDF5 structures that libhdf5 1.10 trusts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-check.h"

#include <inttypes.h>
#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"

static guint64
read_le (const guchar *p, guint n)
{
  guint64 v = 0;

  for (guint i = n; i > 0; i--)
    v = (v << 8) | p[i - 1];
  return v;
}

/* memmem() for the short needles below: metadata is mostly zero bytes,
 * where glibc's memmem verifies many false candidates ("HEAP\0\0\0\0");
 * the needles' first byte is rare there, and memchr() skips fast. */
static const guchar *
find_bytes (const guchar *hay, gsize length, const guchar *needle, gsize n)
{
  const guchar *end = hay + length;
  const guchar *p = hay;

  if (n == 0 || length < n)
    return n == 0 ? hay : NULL;
  while ((p = memchr (p, needle[0], (end - p) - (n - 1))) != NULL)
    {
      if (memcmp (p + 1, needle + 1, n - 1) == 0)
        return p;
      if (++p > end - n)
        break;
    }
  return NULL;
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
      hit = stop - from >= n ? find_bytes (data + from, stop - from, needle, n) : NULL;
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
#define H5K_NO_OBJECT G_MAXUINT64

/* What the checks share: the file, and the global heap collections found
 * (file offset -> sizes of their objects by index). */
typedef struct {
  const guchar *data;
  guint64       size;
  guint64       base;
  GArray       *ranges;
  GHashTable   *collections;
  const char   *path;
} H5kCheck;

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
check_vlen_attribute (H5kCheck *ck, guint64 name_at, const char *name, GError **error)
{
  const guchar *data = ck->data;
  guint64 size = ck->size;
  const char *path = ck->path;
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
                   /* Translators: the first %s is a file name, the second %s an attribute name, the
                    * first %<PRIu64> a byte offset, the second %<PRIu64> a size. */
                   _("“%s” is damaged: the attribute “%s” at offset %" PRIu64
                     " has a variable-length type of %" PRIu64 "-byte elements"),
                   path, name, dt, base_size);
      return FALSE;
    }
  start = dt + pad8 (read_le (data + body + 4, 2)) + pad8 (read_le (data + body + 6, 2));
  for (guint64 e = start; e + 16 <= end; e += 16)
    {
      guint64 length = read_le (data + e, 4) * base_size;
      guint64 address = ck->base + read_le (data + e + 4, 8);
      guint64 index = read_le (data + e + 12, 4);
      GArray *objects;

      if (length == 0)
        continue;
      if (length > size)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: a file name, an attribute name, a byte offset, then a length
                        * in bytes */
                       _("“%s” is damaged: the attribute “%s” at offset %" PRIu64
                         " declares a string of %" PRIu64 " bytes"),
                       path, name, e, length);
          return FALSE;
        }
      /* libhdf5 reads the object without checking that it exists. */
      objects = g_hash_table_lookup (ck->collections, &address);
      if (objects == NULL || index == 0 || index >= objects->len ||
          g_array_index (objects, guint64, index) == H5K_NO_OBJECT ||
          g_array_index (objects, guint64, index) < length)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the first %s is a file name, the second %s an attribute name,
                        * %<PRIu64> a byte offset. */
                       _("“%s” is damaged: the attribute “%s” at offset %" PRIu64
                         " refers to a missing or smaller heap object"), path, name, e);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_vlen_attributes (H5kCheck *ck, GError **error)
{
  const guchar *data = ck->data;
  guint64 size = ck->size;
  GArray *ranges = ck->ranges;

  for (guint i = 0; i < G_N_ELEMENTS (vlen_attributes); i++)
    {
      const char *name = vlen_attributes[i];
      gsize n = strlen (name);
      guint cursor = 0;

      for (guint64 q = find_outside (data, 0, size, (const guchar *) name, n, ranges, &cursor); q < size;
           q = find_outside (data, q + 1, size, (const guchar *) name, n, ranges, &cursor))
        if (!check_vlen_attribute (ck, q, name, error))
          return FALSE;
    }
  return TRUE;
}

/* A local heap (group member names): libhdf5 allocates the data size it
 * declares before reading it. */
static gboolean
check_local_heap (const guchar *data, guint64 size, guint64 base, guint64 offset, const char *path,
                  GError **error)
{
  const guchar *p;
  guint64 length, address;

  if (offset > size || size - offset < 32 || memcmp (data + offset, "HEAP", 4) != 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name, %<PRIu64> a byte offset. */
                   _("“%s” is damaged: a group names a local heap at offset %" PRIu64
                     " where there is none"), path, offset);
      return FALSE;
    }
  p = data + offset;
  length = read_le (p + 8, 8);
  address = read_le (p + 24, 8);
  /* libhdf5 always allocates the data segment; it reads an undefined
   * address as if it were one (a crash in its metadata accumulator). */
  if (length > size || address == G_MAXUINT64 || address > size || length > size - address)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a file name, a byte offset, then a size in bytes */
                   _("“%s” is damaged: the local heap at offset %" PRIu64 " declares "
                     "%" PRIu64 " bytes"), path, offset, length);
      return FALSE;
    }
  /* Names are NUL-terminated strings that libhdf5 compares with strcmp;
   * a segment whose last byte is 0 keeps every one of them inside it (a
   * free block at its end ends with the high byte of its size). */
  if (length > 0 && base <= size - address - length &&
      data[base + address + length - 1] != 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name, %<PRIu64> a byte offset. */
                   _("“%s” is damaged: the names of the local heap at offset %" PRIu64
                     " do not end within it"), path, offset);
      return FALSE;
    }
  return TRUE;
}

static gboolean
header_error (GError **error, const char *path, guint64 offset, const char *what)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the first %s is a file name, %<PRIu64> a byte offset, the second %s
                * the reason. */
               _("“%s” is damaged: the object header at offset %" PRIu64 " has %s"),
               path, offset, what);
  return FALSE;
}

/* A group's B-tree (version 1, "TREE" nodes of type 0): libhdf5 follows
 * its child addresses to further nodes and to symbol table nodes ("SNOD")
 * without checking that they lie in the file, and a fuzzed child address
 * made it copy into a buffer it never allocated. Every node and every
 * child is checked before libhdf5 iterates the group. */
#define H5K_MAX_BTREE_NODES 65536

static gboolean
check_group_btree (const guchar *data, guint64 size, guint64 base, guint64 header, guint64 root,
                   const char *path, GError **error)
{
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_array_append_val (pending, root);
  for (guint i = 0; i < pending->len; i++)
    {
      guint64 node = base + g_array_index (pending, guint64, i);
      guint64 used, level;

      if (i >= H5K_MAX_BTREE_NODES)
        return header_error (error, path, header, _("a group B-tree with too many nodes"));
      if (node < base || node > size || size - node < 24 || memcmp (data + node, "TREE", 4) != 0 ||
          data[node + 4] != 0)
        return header_error (error, path, header, _("a group B-tree node where there is none"));
      level = data[node + 5];
      used = read_le (data + node + 6, 2);
      /* {signature, type, level, used, left, right}, then keys and children
       * alternating: key 0, child 0, ..., child used - 1, key used. */
      if ((size - node - 24) / 16 < used + 1)
        return header_error (error, path, header, _("a group B-tree node beyond the end of the file"));
      for (guint64 c = 0; c < used; c++)
        {
          guint64 child = read_le (data + node + 24 + 8 + 16 * c, 8);
          guint64 at = base + child;

          if (at < base || at > size || size - at < 8 ||
              memcmp (data + at, level > 0 ? "TREE" : "SNOD", 4) != 0)
            return header_error (error, path, header,
                                 _("a group B-tree node whose child lies outside the file"));
          if (level > 0 && g_hash_table_add (seen, g_memdup2 (&child, sizeof child)))
            g_array_append_val (pending, child);
        }
    }
  return TRUE;
}

static gboolean
check_heap_headers (H5kCheck *ck, GError **error)
{
  const guchar *data = ck->data;
  guint64 size = ck->size;
  GArray *ranges = ck->ranges;
  const char *path = ck->path;
  static const guchar gcol[] = { 'G', 'C', 'O', 'L', 1, 0, 0, 0 };
  static const guchar heap[] = { 'H', 'E', 'A', 'P', 0, 0, 0, 0 };
  guint64 offset;
  guint cursor = 0;

  for (offset = find_outside (data, 0, size, gcol, 8, ranges, &cursor); offset < size;
       offset = find_outside (data, offset + 1, size, gcol, 8, ranges, &cursor))
    {
      const guchar *p = data + offset;
      guint64 length, pos;
      GArray *objects;

      if (size - offset < 16)
        break;
      length = read_le (p + 8, 8);
      if (length < 16 || length > size - offset)
        goto bad_gcol;
      /* Walk the objects as HDF5 will: each must move forward. */
      objects = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_hash_table_insert (ck->collections, g_memdup2 (&offset, sizeof offset), objects);
      for (pos = 16; pos + 16 <= length; )
        {
          guint index = read_le (p + pos, 2);
          guint64 object = read_le (p + pos + 8, 8);
          guint64 need = index > 0 ? 16 + ((object + 7) & ~(guint64) 7) : object;

          if (object > length || need == 0 || need > length - pos)
            goto bad_gcol;
          if (index > 0)
            {
              guint64 none = H5K_NO_OBJECT;

              while (objects->len <= index)
                g_array_append_val (objects, none);
              g_array_index (objects, guint64, index) = object;
            }
          pos += need;
        }
      continue;

    bad_gcol:
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name, %<PRIu64> a byte offset. */
                   _("“%s” is damaged: the global heap at offset %" PRIu64 " is inconsistent"),
                   path, offset);
      return FALSE;
    }

  cursor = 0;
  for (offset = find_outside (data, 0, size, heap, 8, ranges, &cursor); offset < size;
       offset = find_outside (data, offset + 1, size, heap, 8, ranges, &cursor))
    {
      if (size - offset < 32)
        break;
      if (!check_local_heap (data, size, ck->base, offset, path, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
h5k_check_heaps (const guchar *data, guint64 size, guint64 base, GArray *ranges, const char *path,
                 GError **error)
{
  g_autoptr(GHashTable) collections =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  H5kCheck ck = { data, size, base, ranges, collections, path };

  return check_heap_headers (&ck, error) && check_vlen_attributes (&ck, error);
}

/* ---- object headers ---- */


/* The number of elements a dataspace message describes, or FALSE. */
static gboolean
dataspace_points (const guchar *p, guint64 n, guint64 *points)
{
  guint version, rank, flags;
  guint64 dims, count = 1;

  if (n < 4)
    return FALSE;
  version = p[0];
  rank = p[1];
  flags = p[2];
  if (version == 1)
    dims = 8;
  else if (version == 2)
    {
      dims = 4;
      if (p[3] == 2)    /* H5S_NULL */
        {
          *points = 0;
          return TRUE;
        }
    }
  else
    return FALSE;
  if (rank > 32 || dims + (guint64) rank * 8 > n)
    return FALSE;
  for (guint i = 0; i < rank; i++)
    {
      guint64 d = read_le (p + dims + 8 * i, 8);

      if (d != 0 && count > G_MAXUINT64 / d)
        return FALSE;
      count *= d;
    }
  (void) flags;
  *points = count;
  return TRUE;
}

/* The length of the datatype description at @t (at most @n bytes) when
 * libhdf5 can decode it without reading past it, else 0. Only the classes
 * Keras and h5py write are described: fixed-point, floating point, string,
 * opaque (bfloat16), enumeration (bool) and variable-length (strings);
 * libhdf5 1.10 over-reads damaged descriptions of the others, and of
 * these, when sizes and counts disagree. */
static guint64
datatype_length (const guchar *t, guint64 n, guint depth)
{
  guint cls, version;
  guint64 size, members, base, pos;

  if (n < 8 || depth > 2)
    return 0;
  cls = t[0] & 0x0f;
  version = t[0] >> 4;
  size = read_le (t + 4, 4);
  if (version < 1 || version > 3 || size == 0)
    return 0;
  switch (cls)
    {
    case 0:   /* fixed-point: {bit offset, precision} */
      return n >= 12 && size <= 16 ? 12 : 0;
    case 1:   /* floating point: bit fields and exponent bias */
      return n >= 20 && size <= 16 ? 20 : 0;
    case 3:   /* string */
      return 8;
    case 5:   /* opaque: a NUL-padded tag of the length in the class bits */
      pos = 8 + (t[1] & 0xff);
      return pos <= n && (pos == 8 || t[pos - 1] == '\0') ? pos : 0;
    case 8:   /* enumeration: integer base type, names, values */
      members = read_le (t + 1, 2);
      if ((t[8] & 0x0f) != 0 || (base = datatype_length (t + 8, n - 8, depth + 1)) == 0)
        return 0;
      pos = 8 + base;
      for (guint64 i = 0; i < members; i++)
        {
          const guchar *end = pos < n ? memchr (t + pos, '\0', n - pos) : NULL;

          if (end == NULL)
            return 0;
          pos = (guint64) (end - t) + 1;
          if (version < 3)
            pos = 8 + base + pad8 (pos - 8 - base);
          if (pos > n)
            return 0;
        }
      size = read_le (t + 12, 4);  /* each value has the base type's size */
      if (size > 0 && members > (n - pos) / size)
        return 0;
      return pos + members * size;
    case 9:   /* variable-length: its base type follows */
      base = datatype_length (t + 8, n - 8, depth + 1);
      return base != 0 ? 8 + base : 0;
    default:  /* time, bitfield, compound, reference, array */
      return 0;
    }
}

/* An attribute message: name, type and dataspace, and the data they
 * declare, must fit in the @n bytes of the message. */
static gboolean
attribute_fits (const guchar *p, guint64 n, gboolean *type_ok)
{
  guint version;
  guint64 name_size, dt_size, ds_size, dt, ds, start, points, type_size;

  if (n < 8)
    return FALSE;
  version = p[0];
  name_size = read_le (p + 2, 2);
  dt_size = read_le (p + 4, 2);
  ds_size = read_le (p + 6, 2);
  if (version == 1)
    {
      dt = 8 + pad8 (name_size);
      ds = dt + pad8 (dt_size);
      start = ds + pad8 (ds_size);
    }
  else if (version == 2 || version == 3)
    {
      dt = (version == 3 ? 9 : 8) + name_size;
      ds = dt + dt_size;
      start = ds + ds_size;
    }
  else
    return FALSE;
  if (name_size == 0 || dt_size < 8 || start > n)
    return FALSE;
  /* libhdf5 strdup()s the name. */
  if (memchr (p + (version == 3 ? 9 : 8), '\0', name_size) == NULL)
    return FALSE;
  /* Shared (committed) types or dataspaces hold a reference to another
   * header, not the description; h5py never writes them for attributes. */
  if ((version >= 2 && (p[1] & 3) != 0) || (p[dt] >> 4) == 0)
    {
      *type_ok = FALSE;
      return TRUE;
    }
  if (datatype_length (p + dt, dt_size, 0) == 0)
    *type_ok = FALSE;
  type_size = read_le (p + dt + 4, 4);
  /* A variable-length value is {length, heap address, index} on disk
   * whatever its type message says; libhdf5 copies that many bytes. */
  if ((p[dt] & 0x0f) == 9 && type_size != 16)
    return FALSE;
  if (!dataspace_points (p + ds, ds_size, &points))
    return FALSE;
  return points == 0 || (type_size <= (n - start) / points);
}

/* A data layout message: a version 3 contiguous layout with a defined
 * address has a range in the file. FALSE when the message is of a version
 * this does not read. */
static gboolean
layout_range (const guchar *p, guint64 n, guint64 base, gboolean *has_range, H5kRange *range)
{
  guint64 address, length;

  *has_range = FALSE;
  if (n < 2 || p[0] != 3)
    return FALSE;
  if (p[1] != 1)
    return TRUE;
  if (n < 18)
    return FALSE;
  address = read_le (p + 2, 8);
  length = read_le (p + 10, 8);
  if (address != G_MAXUINT64 && length > 0 && base + address >= base &&
      base + address + length > base + address)
    {
      *has_range = TRUE;
      *range = (H5kRange) { base + address, base + address + length };
    }
  return TRUE;
}

/* Keeps where a message's body is, unless it is shared (flags bit 1: the
 * body points elsewhere) or came before: then no place is kept. */
static void
note_message (guint64 *at, guint64 *len, guint flags, guint64 body, guint64 n)
{
  gboolean again = *at != 0 || *len != 0;

  *at = (flags & 0x02) || again ? 0 : body;
  *len = (flags & 0x02) || again ? G_MAXUINT64 : n;
}

gboolean
h5k_check_object_header (const guchar *data, guint64 size, guint64 base, guint64 address,
                         H5kObjectInfo *info, const char *path, GError **error)
{
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (H5kRange));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint64 header = base + address;
  guint64 length;
  H5kObjectInfo scratch;

  if (info == NULL)
    info = &scratch;
  *info = (H5kObjectInfo) { .kind = H5K_OBJECT_UNKNOWN, .attributes_ok = TRUE, .datatype_ok = TRUE };
  if (header < base || header > size || size - header < 16)
    return header_error (error, path, header, _("an address beyond the end of the file"));
  /* Version 2 headers ("OHDR") are checksummed; libhdf5 verifies them. */
  if (data[header] != 1)
    return TRUE;
  length = read_le (data + header + 8, 4);
  if (length > size - header - 16)
    return header_error (error, path, header, _("a size beyond the end of the file"));
  info->kind = H5K_OBJECT_OTHER;
  g_array_append_val (chunks, ((H5kRange) { header + 16, header + 16 + length }));

  for (guint c = 0; c < chunks->len; c++)
    {
      H5kRange chunk = g_array_index (chunks, H5kRange, c);
      guint64 p = chunk.start;

      if (c > 4096)
        return header_error (error, path, header, _("too many continuation blocks"));
      while (p + 8 <= chunk.end)
        {
          guint type = read_le (data + p, 2);
          guint64 n = read_le (data + p + 2, 2);
          guint64 body = p + 8;

          if (n > chunk.end - body)
            return header_error (error, path, header, _("a message larger than its block"));
          switch (type)
            {
            case 0x0010:   /* continuation: {offset, length} */
              {
                guint64 offset, more;

                if (n < 16)
                  return header_error (error, path, header, _("a short continuation message"));
                offset = base + read_le (data + body, 8);
                more = read_le (data + body + 8, 8);
                if (offset < base || offset > size || more > size - offset)
                  return header_error (error, path, header,
                                       _("a continuation block beyond the end of the file"));
                if (g_hash_table_add (seen, g_memdup2 (&offset, sizeof offset)))
                  g_array_append_val (chunks, ((H5kRange) { offset, offset + more }));
              }
              break;
            case 0x0003:   /* datatype (of a dataset) */
              if (datatype_length (data + body, n, 0) == 0)
                info->datatype_ok = FALSE;
              note_message (&info->type_at, &info->type_len, data[p + 4], body, n);
              break;
            case 0x0001:   /* dataspace */
              note_message (&info->space_at, &info->space_len, data[p + 4], body, n);
              break;
            case 0x0007:   /* external data files */
            case 0x000B:   /* filter pipeline */
              info->filtered = TRUE;
              break;
            case 0x000C:   /* attribute */
              if (!attribute_fits (data + body, n, &info->attributes_ok))
                return header_error (error, path, header,
                                     _("an attribute whose declared data does not fit in it"));
              break;
            case 0x0008:   /* data layout */
              info->kind = H5K_OBJECT_DATASET;
              info->range_known = layout_range (data + body, n, base, &info->has_range, &info->range);
              break;
            case 0x0011:   /* symbol table: {B-tree, local heap} */
              if (n < 16)
                return header_error (error, path, header, _("a short symbol table message"));
              if (!check_local_heap (data, size, base, base + read_le (data + body + 8, 8), path, error) ||
                  !check_group_btree (data, size, base, header, read_le (data + body, 8), path, error))
                return FALSE;
              info->kind = H5K_OBJECT_GROUP;
              break;
            case 0x0002:   /* link info */
            case 0x0006:   /* link */
              if (info->kind != H5K_OBJECT_DATASET)
                info->kind = H5K_OBJECT_GROUP;
              break;
            default:
              break;
            }
          p = body + n;
        }
    }
  return TRUE;
}

static gboolean
superblock_error (GError **error, const char *path, guint64 offset, const char *what)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the first %s is a file name, %<PRIu64> a byte offset, the second %s
                * the reason. */
               _("“%s” is damaged: its superblock at offset %" PRIu64 " has %s"),
               path, offset, what);
  return FALSE;
}

gboolean
h5k_check_root_header (const guchar *data, guint64 size, guint64 base, const char *path,
                       GError **error)
{
  const guchar *sb = data + base;
  guint offsets, lengths;
  guint64 root_at, extra_at, extra;

  if (size - base < 16)
    return superblock_error (error, path, base, _("too few bytes"));
  /* What libhdf5 reads when it opens the file, before anything else: the
   * superblock, then (0 and 1) a driver information block, or (2 and 3,
   * checksummed) an extension object header, then the root group's
   * header, which 0 and 1 keep in a symbol table entry {name offset,
   * header address, ...} and 2 and 3 after {base, extension, end}. */
  switch (sb[8])
    {
    case 0: offsets = sb[13]; lengths = sb[14]; extra_at = 48; root_at = 64; break;
    case 1: offsets = sb[13]; lengths = sb[14]; extra_at = 52; root_at = 68; break;
    case 2:
    case 3: offsets = sb[9]; lengths = sb[10]; extra_at = 20; root_at = 36; break;
    default: return TRUE;   /* libhdf5 refuses versions it does not know */
    }
  if (offsets != 8 || lengths != 8)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a file name, the first %u a byte offset, the second %u a
                    * count. */
                   _("“%s” uses %u-byte addresses and %u-byte lengths; Strata reads HDF5 files "
                     "with 8-byte ones, as h5py and every Keras version write"),
                   path, offsets, lengths);
      return FALSE;
    }
  if (size - base < root_at + 8)
    return superblock_error (error, path, base, _("too few bytes"));
  extra = read_le (sb + extra_at, 8);
  if (extra != G_MAXUINT64)
    {
      if (sb[8] >= 2)
        {
          if (!h5k_check_object_header (data, size, base, extra, NULL, path, error))
            return FALSE;
        }
      else
        {
          /* Driver information: {version, reserved, size, driver id, ...};
           * libhdf5 allocates the size it declares. */
          guint64 at = base + extra;

          if (at < base || at > size || size - at < 16 || read_le (data + at + 4, 4) > size - at - 16)
            return superblock_error (error, path, base, _("a driver information block beyond "
                                                          "the end of the file"));
        }
    }
  return h5k_check_object_header (data, size, base, read_le (sb + root_at, 8), NULL, path, error);
}
