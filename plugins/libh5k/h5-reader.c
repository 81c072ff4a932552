/* h5-reader.c: the Keras HDF5 layout read into plain structs (no GObject)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-reader.h"
#include "h5-attrs.h"
#include "h5-check.h"
#include "h5-common.h"
#include "h5-types.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata-i18n-private.h"
#include "strata-mapped-private.h"

struct _H5kFile {
  char        *path;
  hid_t        fid;
  GMappedFile *mapped;
  GBytes      *bytes;     /* owns a reference to the mapping */
  const guchar *data;     /* the mapping: libhdf5 reads the metadata from it */
  guint64      size;
  guint64      base;      /* where the superblock is; addresses start there */
  gboolean     no_mmap;   /* STRATA_H5_NO_MMAP: never hand out slices of the mapping */
  int          fd;        /* with no_mmap: raw weights are read from it, -1 otherwise */
  GHashTable  *objects;   /* "/path" -> header address (guint64 *): every object the
                             open walk reached through hard links */
  GHashTable  *infos;     /* header address -> H5kObjectInfo: the headers checked */
  GPtrArray   *plain_types; /* (element-type PlainType) made on first use */
};

/* A type Strata maps as stored, as libhdf5 encodes it in a datatype
 * message. */
typedef struct {
  StrataDType  dtype;
  GBytes      *message;
} PlainType;

static void
plain_type_free (PlainType *t)
{
  g_bytes_unref (t->message);
  g_free (t);
}

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

static int
compare_ranges (gconstpointer a, gconstpointer b)
{
  const H5kRange *ra = a, *rb = b;

  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* libhdf5 reads the metadata from the mapping itself (the core driver
 * over a file image that is never copied, written or freed): a load makes
 * thousands of small reads, and each would otherwise be a pread(). */
static void *
image_malloc (size_t size, H5FD_file_image_op_t op, void *udata)
{
  H5kFile *file = udata;

  return size == file->size ? (void *) file->data : NULL;
}

static void *
image_memcpy (void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *udata)
{
  return dest == src ? dest : NULL;
}

static void *
image_realloc (void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
  return NULL;
}

static herr_t
image_free (void *ptr, H5FD_file_image_op_t op, void *udata)
{
  return 0;
}

static void *
image_udata_copy (void *udata)
{
  return udata;
}

static herr_t
image_udata_free (void *udata)
{
  return 0;
}

static hid_t
open_image (H5kFile *file)
{
  H5K_AUTO_ID hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  H5FD_file_image_callbacks_t callbacks = {
    image_malloc, image_memcpy, image_realloc, image_free,
    image_udata_copy, image_udata_free, file,
  };
  g_autofree char *name = NULL;

  /* Close every object with the file: nothing may outlive a failed load. */
  if (fapl < 0 || H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG) < 0 ||
      H5Pset_fapl_core (fapl, 64 * 1024, FALSE) < 0 ||
      H5Pset_file_image_callbacks (fapl, &callbacks) < 0 ||
      H5Pset_file_image (fapl, (void *) file->data, file->size) < 0)
    return H5I_INVALID_HID;
  /* The core driver refuses a name that exists as a file; a name below
   * the (regular) file itself never does. */
  name = g_build_filename (file->path, "strata-image", NULL);
  return H5Fopen (name, H5F_ACC_RDONLY, fapl);
}

static char *
join_path (const char *base, const char *name)
{
  if (g_str_equal (base, "/"))
    return g_strconcat ("/", name, NULL);
  return g_strconcat (base, "/", name, NULL);
}

/* The open walk: every object the file reaches through hard links, by
 * path. Each header is checked before libhdf5 reads it (libhdf5 allocates
 * the sizes it finds there), and says whether the object is a group to
 * walk into and where a dataset's data lie, so no dataset is opened. */
#define H5K_MAX_DEPTH 64

typedef struct {
  H5kFile    *file;
  GArray     *ranges;     /* (element-type H5kRange) contiguous dataset data */
  GError    **error;
  gboolean    failed;
} H5kWalk;

typedef struct {
  H5kWalk    *walk;
  const char *path;
  guint       depth;
} H5kWalkFrame;

static gboolean walk_group (H5kWalk *w, hid_t group, const char *path, guint depth);

/* A dataset whose header the checks do not read: libhdf5 says where its
 * data lie. */
static void
libhdf5_range (hid_t ds, GArray *ranges)
{
  haddr_t offset = H5Dget_offset (ds);
  hsize_t storage = H5Dget_storage_size (ds);

  if (offset != HADDR_UNDEF && storage > 0 && offset + storage > offset)
    g_array_append_val (ranges, ((H5kRange) { offset, offset + storage }));
}

/* The checked header at @address: checked now unless it was before. */
static const H5kObjectInfo *
object_info (H5kFile *file, guint64 address, GError **error)
{
  H5kObjectInfo *info = g_hash_table_lookup (file->infos, &address);

  if (info == NULL)
    {
      info = g_new (H5kObjectInfo, 1);
      if (!h5k_check_object_header (file->data, file->size, file->base, address, info, file->path,
                                    error))
        {
          g_free (info);
          return NULL;
        }
      g_hash_table_insert (file->infos, g_memdup2 (&address, sizeof address), info);
    }
  return info;
}

static herr_t
walk_link (hid_t parent, const char *name, const H5L_info_t *link, void *data)
{
  H5kWalkFrame *frame = data;
  H5kWalk *w = frame->walk;
  g_autofree char *path = NULL;
  const H5kObjectInfo *info;
  guint64 address;

  if (link->type != H5L_TYPE_HARD)
    return 0;
  address = link->u.address;
  path = join_path (frame->path, name);
  g_hash_table_insert (w->file->objects, g_strdup (path), g_memdup2 (&address, sizeof address));
  if (g_hash_table_contains (w->file->infos, &address))
    return 0;
  info = object_info (w->file, address, w->error);
  if (info == NULL)
    {
      w->failed = TRUE;
      return -1;
    }
  if (info->kind == H5K_OBJECT_DATASET && info->range_known)
    {
      if (info->has_range)
        g_array_append_val (w->ranges, info->range);
    }
  else if (info->kind == H5K_OBJECT_GROUP || info->kind == H5K_OBJECT_UNKNOWN)
    {
      H5K_AUTO_ID hid_t obj = H5Oopen_by_addr (w->file->fid, address);
      H5I_type_t type = obj >= 0 ? H5Iget_type (obj) : H5I_BADID;

      if (type == H5I_GROUP && !walk_group (w, obj, path, frame->depth + 1))
        return -1;
      if (type == H5I_DATASET && info->datatype_ok)
        libhdf5_range (obj, w->ranges);
    }
  return 0;
}

static gboolean
walk_group (H5kWalk *w, hid_t group, const char *path, guint depth)
{
  H5kWalkFrame frame = { w, path, depth };

  if (depth > H5K_MAX_DEPTH)
    {
      g_set_error (w->error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: a file name, the nesting limit, then an HDF5 group path */
                   _("“%s” nests groups deeper than %d levels (at “%s”)"), w->file->path,
                   H5K_MAX_DEPTH, path);
      w->failed = TRUE;
      return FALSE;
    }
  /* Iteration errors (a damaged group) leave the walk short; reading what
   * it did not reach fails later with its own error. */
  H5Literate (group, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, walk_link, &frame);
  H5Eclear2 (H5E_DEFAULT);
  return !w->failed;
}

static gboolean
walk_and_check (H5kFile *file, GError **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (H5kRange));
  H5kWalk w = { file, ranges, error, FALSE };
  H5O_info_t root;

  file->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  file->infos = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  if (H5Oget_info2 (file->fid, &root, H5O_INFO_BASIC) >= 0)
    {
      guint64 address = root.addr;

      g_hash_table_insert (file->objects, g_strdup ("/"), g_memdup2 (&address, sizeof address));
      if (object_info (file, address, error) == NULL)
        return FALSE;
    }
  H5Eclear2 (H5E_DEFAULT);
  if (!walk_group (&w, file->fid, "/", 0))
    return FALSE;
  g_array_sort (ranges, compare_ranges);
  return h5k_check_heaps (file->data, file->size, file->base, ranges, file->path, error);
}

H5kFile *
h5k_file_open (const char *path, GError **error)
{
  H5K_LOCKED;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(H5kFile) file = NULL;
  guint64 base = 0;

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  if (!find_superblock (g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped), &base))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name. */
                   _("“%s” is not an HDF5 file (no HDF5 signature)"), path);
      return NULL;
    }

  file = g_new0 (H5kFile, 1);
  file->path = g_strdup (path);
  file->fid = H5I_INVALID_HID;
  file->fd = -1;
  file->data = (const guchar *) g_mapped_file_get_contents (mapped);
  file->size = g_mapped_file_get_length (mapped);
  file->base = base;
  file->bytes = strata_mapped_bytes_new (mapped);
  file->mapped = g_steal_pointer (&mapped);
  file->no_mmap = g_strcmp0 (g_getenv ("STRATA_H5_NO_MMAP"), "1") == 0;

  if (!h5k_check_root_header (file->data, file->size, file->base, path, error))
    return NULL;
  file->fid = open_image (file);
  if (file->fid < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: %s is a file name. */
                     _("Cannot open the HDF5 file “%s”; it is damaged or truncated"), path);
      return NULL;
    }
  if (!walk_and_check (file, error))
    return NULL;

  if (file->no_mmap)
    {
      file->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
      if (file->fd < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       /* Translators: the first %s is a file name, the second %s the system's error
                        * message. */
                       _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
          return NULL;
        }
    }
  return g_steal_pointer (&file);
}

void
h5k_file_free (H5kFile *file)
{
  if (file == NULL)
    return;
  {
    H5K_LOCKED;
    g_clear_pointer (&file->objects, g_hash_table_unref);
    g_clear_pointer (&file->infos, g_hash_table_unref);
    g_clear_pointer (&file->plain_types, g_ptr_array_unref);
    if (file->fid >= 0)
      H5Fclose (file->fid);
  }
  if (file->fd >= 0)
    g_close (file->fd, NULL);
  g_clear_pointer (&file->bytes, g_bytes_unref);
  g_clear_pointer (&file->mapped, g_mapped_file_unref);
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

/* Whether libhdf5 may open an object of @type with header @info: groups
 * have their attributes read, datasets their type. */
static gboolean
usable (H5kFile *file, const H5kObjectInfo *info, const char *path, H5I_type_t type,
        GError **error)
{
  if (type == H5I_DATASET && !info->datatype_ok)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the first %s is an HDF5 object path, the second %s a file name. */
                   _("The weight dataset “%s” in “%s” has an HDF5 type that Strata does not read "
                     "(the file is damaged or was not written by Keras)"), path, file->path);
      return FALSE;
    }
  if (type != H5I_DATASET && !info->attributes_ok)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: an HDF5 object path, then a file name */
                   _("“%s” in “%s” has an attribute of an HDF5 type that Strata does not read "
                     "(the file is damaged or was not written by Keras)"), path, file->path);
      return FALSE;
    }
  return TRUE;
}

/* Opens the object at @path (@name in @parent) into *@obj when it is of
 * @type, else sets it to H5I_INVALID_HID (the caller says what it
 * expected). Its header is checked before libhdf5 reads it: the open walk
 * did for the objects of its table; others are reached through checked
 * hard links. A failed check returns FALSE with @error set. */
static gboolean
open_object (H5kFile *file, hid_t parent, const char *parent_path, const char *name,
             const char *path, H5I_type_t type, hid_t *obj, GError **error)
{
  guint64 *known = g_hash_table_lookup (file->objects, path);
  const H5kObjectInfo *info;
  guint64 address;

  *obj = H5I_INVALID_HID;
  if (known != NULL)
    address = *known;
  else
    {
      H5L_info_t link;

      if (!h5k_check_hard_path (parent, parent_path, name, error))
        return FALSE;
      if (H5Lget_info (parent, name, &link, H5P_DEFAULT) < 0 || link.type != H5L_TYPE_HARD)
        {
          H5Eclear2 (H5E_DEFAULT);
          return TRUE;
        }
      address = link.u.address;
    }
  info = object_info (file, address, error);
  if (info == NULL || !usable (file, info, path, type, error))
    return FALSE;
  *obj = H5Oopen_by_addr (file->fid, address);
  H5Eclear2 (H5E_DEFAULT);
  if (*obj >= 0 && H5Iget_type (*obj) != type)
    {
      H5Oclose (*obj);
      *obj = H5I_INVALID_HID;
    }
  return TRUE;
}

/* Opens the object at the absolute @path, checked as open_object() does;
 * a missing object is an error naming it. */
static hid_t
open_path (H5kFile *file, const char *path, H5I_type_t type, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  H5K_AUTO_ID hid_t loc = H5I_INVALID_HID;
  hid_t obj;

  if (g_str_equal (path, "/"))
    {
      if (!open_object (file, file->fid, "/", ".", "/", type, &obj, error))
        return H5I_INVALID_HID;
    }
  else
    {
      loc = open_path (file, parent, H5I_GROUP, error);
      if (loc < 0 || !open_object (file, loc, parent, name, path, type, &obj, error))
        return H5I_INVALID_HID;
    }
  if (obj < 0)
    /* Translators: a file name, then an HDF5 object path */
    h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT, _("“%s” has no object “%s”"),
                   file->path, path);
  return obj;
}

/* Where the dataset's data are and how they are stored. Contiguous data
 * (the common case) have an address: they cannot be filtered, external or
 * virtual, so the creation property list is only read for the others. */
typedef struct {
  H5D_layout_t layout;
  int          n_filters;
  haddr_t      offset;
  hsize_t      storage;
} H5kStorage;

static gboolean
dataset_storage (hid_t ds, const char *path, H5kStorage *st, GError **error)
{
  H5K_AUTO_ID hid_t dcpl = H5I_INVALID_HID;

  st->offset = H5Dget_offset (ds);
  st->storage = H5Dget_storage_size (ds);
  H5Eclear2 (H5E_DEFAULT);  /* H5Dget_offset fails on chunked data; that is expected */
  st->layout = H5D_CONTIGUOUS;
  st->n_filters = 0;
  if (st->offset != HADDR_UNDEF)
    return TRUE;

  dcpl = H5Dget_create_plist (ds);
  if (H5Pget_external_count (dcpl) > 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is an HDF5 object path. */
                   _("The weight dataset “%s” keeps its data in external files; Strata refuses "
                     "external storage"), path);
      return FALSE;
    }
  st->layout = H5Pget_layout (dcpl);
  if (st->layout == H5D_VIRTUAL || st->layout < 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is an HDF5 object path. */
                   _("The weight dataset “%s” is a virtual dataset; Strata refuses them"), path);
      return FALSE;
    }
  st->n_filters = H5Pget_nfilters (dcpl);
  return TRUE;
}

/* The datatype messages of the types Strata maps as stored: libhdf5's
 * own encoding (H5Tencode(): a 2-byte header, then the message). Locked. */
static GPtrArray *
plain_types (H5kFile *file)
{
  if (file->plain_types != NULL)
    return file->plain_types;
  file->plain_types = g_ptr_array_new_with_free_func ((GDestroyNotify) plain_type_free);
  for (StrataDType d = STRATA_DTYPE_INVALID + 1; d <= STRATA_DTYPE_BOOL; d++)
    {
      H5K_AUTO_ID hid_t type = h5k_file_type_new (d);
      g_autofree guchar *buffer = NULL;
      size_t n = 0;
      PlainType *t;

      if (type < 0 || !h5k_type_is_stored_as (type, d) || H5Tencode (type, NULL, &n) < 0 || n <= 2)
        continue;
      buffer = g_malloc (n);
      if (H5Tencode (type, buffer, &n) < 0 || buffer[0] != 0x03)
        continue;
      t = g_new (PlainType, 1);
      t->dtype = d;
      t->message = g_bytes_new (buffer + 2, n - 2);
      g_ptr_array_add (file->plain_types, t);
    }
  H5Eclear2 (H5E_DEFAULT);
  return file->plain_types;
}

/* The dimensions of a simple dataspace message body (version 1 or 2,
 * 8-byte lengths, no permutation), or FALSE. */
static gboolean
plain_space (const guchar *p, guint64 n, guint *rank, hsize_t dims[H5K_MAX_RANK])
{
  guint64 at;

  if (n < 4 || (p[0] != 1 && p[0] != 2) || p[1] > H5K_MAX_RANK || (p[2] & 0x02))
    return FALSE;
  /* Version 2 says its kind: 0 scalar, 1 simple, 2 null. */
  if (p[0] == 2 && (p[3] > 1 || (p[3] == 0) != (p[1] == 0)))
    return FALSE;
  at = p[0] == 1 ? 8 : 4;
  *rank = p[1];
  if (n < at + (guint64) *rank * 8)
    return FALSE;
  for (guint i = 0; i < *rank; i++)
    {
      dims[i] = 0;
      for (guint b = 0; b < 8; b++)
        dims[i] |= (hsize_t) p[at + i * 8 + b] << (8 * b);
    }
  return TRUE;
}

/* The weight at @path described from its checked header alone, when it is
 * plain: contiguous and allocated, unfiltered, its data inside the file
 * and of a type Strata maps as stored. Else %NULL: libhdf5 opens it, and
 * says what is wrong if anything is. Saves opening every dataset of a
 * large model through libhdf5. Locked. */
static H5kWeight *
describe_plain (H5kFile *file, const char *path, const char *wname)
{
  const guint64 *address = g_hash_table_lookup (file->objects, path);
  const H5kObjectInfo *info = address != NULL ? g_hash_table_lookup (file->infos, address) : NULL;
  GPtrArray *types;
  hsize_t dims[H5K_MAX_RANK];
  guint64 n_elements = 1;
  guint rank;
  H5kWeight *weight;

  if (info == NULL || info->kind != H5K_OBJECT_DATASET || !info->datatype_ok ||
      !info->has_range || info->filtered || info->type_at == 0 || info->space_at == 0 ||
      info->range.end > file->size ||
      !plain_space (file->data + info->space_at, info->space_len, &rank, dims))
    return NULL;
  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] != 0 && n_elements > G_MAXINT64 / 16 / dims[i])
        return NULL;
      n_elements *= dims[i];
    }
  types = plain_types (file);
  for (guint i = 0; i < types->len; i++)
    {
      const PlainType *t = g_ptr_array_index (types, i);
      gsize n;
      const guchar *message = g_bytes_get_data (t->message, &n);

      /* The message is self-delimiting; what follows it is padding. */
      if (info->type_len < n || memcmp (file->data + info->type_at, message, n) != 0)
        continue;
      if (n_elements * strata_dtype_get_size (t->dtype) != info->range.end - info->range.start)
        return NULL;
      weight = g_new0 (H5kWeight, 1);
      weight->name = g_strdup (wname);
      weight->path = g_strdup (path);
      weight->dtype = t->dtype;
      weight->rank = rank;
      for (guint d = 0; d < rank; d++)
        weight->dims[d] = dims[d];
      weight->n_bytes = n_elements * strata_dtype_get_size (t->dtype);
      weight->mappable = TRUE;
      weight->offset = info->range.start;
      return weight;
    }
  return NULL;
}

/* Reads the dataset's type and shape; checks what it declares against what
 * the file can hold, so that no read allocates more. */
static H5kWeight *
describe_dataset (H5kFile *file, hid_t group, const char *group_path, const char *wname,
                  GError **error)
{
  g_autofree char *path = join_path (group_path, wname);
  H5K_AUTO_ID hid_t ds = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t ftype = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t space = H5I_INVALID_HID;
  hsize_t dims[H5K_MAX_RANK];
  H5kWeight *weight;
  guint64 n_elements = 1, limit, file_bytes;
  H5kStorage st;
  int rank;
  StrataDType dtype;

  weight = describe_plain (file, path, wname);
  if (weight != NULL)
    return weight;
  if (!open_object (file, group, group_path, wname, path, H5I_DATASET, &ds, error))
    return NULL;
  if (ds < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the first %s is an HDF5 object path, the second %s a file name. */
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
                     /* Translators: %s is an HDF5 object path. */
                     _("The weight dataset “%s” has no usable shape"), path);
      return NULL;
    }
  if (rank > H5K_MAX_RANK)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %s is an HDF5 object path, the first %d a rank, the second %d a
                    * limit. */
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
                       /* Translators: %s is an HDF5 object path. */
                       _("The weight dataset “%s” declares too many elements"), path);
          return NULL;
        }
      n_elements *= dims[i];
    }
  if (!dataset_storage (ds, path, &st, error))
    return NULL;

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
  limit = st.n_filters > 0 ? (guint64) st.storage * 1032 + 4096 : file->size;
  if (weight->n_bytes > limit ||
      (st.layout == H5D_CONTIGUOUS && st.storage != 0 && st.storage < file_bytes) ||
      (st.layout == H5D_COMPACT && st.storage < file_bytes) ||
      (st.offset != HADDR_UNDEF && (st.offset > file->size || st.storage > file->size - st.offset)))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: the first %s is an HDF5 object path, the first %<PRIu64> a size,
                    * the second %s a file name, the second %<PRIu64> a number, the third %<PRIu64>
                    * a size. */
                   _("The weight dataset “%s” declares %" PRIu64 " bytes but the file "
                     "“%s” stores only %" PRIu64 " bytes for it (file size %"
                     PRIu64 ")"),
                   weight->path, weight->n_bytes, file->path, (guint64) st.storage, file->size);
      h5k_weight_free (weight);
      return NULL;
    }

  if (st.offset != HADDR_UNDEF && st.storage == weight->n_bytes &&
      h5k_type_is_stored_as (ftype, dtype))
    {
      weight->mappable = TRUE;
      weight->offset = st.offset;
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

  if (!open_object (file, parent, parent_path, name, path, H5I_GROUP, &group, error))
    return NULL;
  if (group < 0)
    {
      h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: an HDF5 object path, then a file name */
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

static hid_t
open_root (H5kFile *file, GError **error)
{
  return open_path (file, "/", H5I_GROUP, error);
}

H5kKerasFile *
h5k_file_read_root (H5kFile *file, GError **error)
{
  H5K_LOCKED;
  g_autoptr(H5kKerasFile) kf = g_new0 (H5kKerasFile, 1);
  H5K_AUTO_ID hid_t root = H5I_INVALID_HID;
  GError *local_error = NULL;

  root = open_root (file, error);
  if (root < 0)
    return NULL;

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
                   /* Translators: %s is a file name. */
                   _("“%s” is a Keras 3 weights file (.weights.h5 layout), not a legacy Keras "
                     "HDF5 file; it is read by the keras-v3 format"), file->path);
      return NULL;
    }
  else if (H5Aexists (root, "nb_layers") > 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: %s is a file name. */
                   _("“%s” uses the Keras 0.x weights layout, which Strata does not read"),
                   file->path);
      return NULL;
    }
  else
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: %s is a file name. */
                   _("“%s” is an HDF5 file but not a Keras file: it has neither a “layer_names” "
                     "attribute nor a “model_weights” group"), file->path);
      return NULL;
    }

  return g_steal_pointer (&kf);
}

gboolean
h5k_file_read_groups (H5kFile *file, H5kKerasFile *kf, gboolean with_optimizer, GError **error)
{
  H5K_LOCKED;
  H5K_AUTO_ID hid_t root = H5I_INVALID_HID;
  H5K_AUTO_ID hid_t weights = H5I_INVALID_HID;
  g_auto(GStrv) layer_names = NULL;
  GError *local_error = NULL;

  root = open_root (file, error);
  if (root < 0)
    return FALSE;
  weights = open_path (file, kf->weights_root, H5I_GROUP, error);
  if (weights < 0)
    return FALSE;
  kf->weights_keras_version = h5k_attr_read_string (weights, kf->weights_root, "keras_version",
                                                    &local_error);
  if (local_error == NULL)
    kf->weights_backend = h5k_attr_read_string (weights, kf->weights_root, "backend", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  layer_names = h5k_attr_read_string_list (weights, kf->weights_root, "layer_names", error);
  if (layer_names == NULL)
    return FALSE;

  kf->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_group_free);
  for (guint i = 0; layer_names[i] != NULL; i++)
    {
      H5kGroup *group = read_group (file, weights, kf->weights_root, layer_names[i], error);

      if (group == NULL)
        return FALSE;
      g_ptr_array_add (kf->layers, group);
    }

  if (link_exists (weights, "top_level_model_weights") &&
      !g_strv_contains ((const char * const *) layer_names, "top_level_model_weights"))
    {
      kf->top_level = read_group (file, weights, kf->weights_root, "top_level_model_weights", error);
      if (kf->top_level == NULL)
        return FALSE;
    }

  if (with_optimizer && kf->model_config != NULL && link_exists (root, "optimizer_weights"))
    {
      kf->optimizer = read_group (file, root, "/", "optimizer_weights", error);
      if (kf->optimizer == NULL)
        return FALSE;
    }

  return TRUE;
}

H5kKerasFile *
h5k_file_read_keras (H5kFile *file, gboolean with_optimizer, GError **error)
{
  g_autoptr(H5kKerasFile) kf = h5k_file_read_root (file, error);

  if (kf == NULL || !h5k_file_read_groups (file, kf, with_optimizer, error))
    return NULL;
  return g_steal_pointer (&kf);
}

/* A buffer for @n_bytes of weight data, or NULL; g_free() frees it (GLib
 * uses the system malloc).
 * Large ones sit on transparent huge pages where the system allows it
 * (madvise mode, as NumPy does): filling 1 GiB then takes 512 page faults
 * instead of 262144, which otherwise cost more than the copy itself. */
#define HUGE_PAGE_SIZE (2u << 20)

static guint8 *
weight_buffer_new (guint64 n_bytes)
{
  void *buffer = NULL;

  if (n_bytes > G_MAXSIZE / 2)
    return NULL;
#ifdef MADV_HUGEPAGE
  if (n_bytes >= 2 * HUGE_PAGE_SIZE)
    {
      if (posix_memalign (&buffer, HUGE_PAGE_SIZE, n_bytes) != 0)
        return NULL;
      madvise (buffer, n_bytes, MADV_HUGEPAGE);  /* only advice: failure is harmless */
      return buffer;
    }
#endif
  return malloc (MAX (n_bytes, 1));
}

/* The contiguous raw data of @weight, read with pread() into a new buffer. */
static GBytes *
read_raw (H5kFile *file, const H5kWeight *weight, GError **error)
{
  g_autofree guint8 *buffer = weight_buffer_new (weight->n_bytes);
  guint64 done = 0;

  if (buffer == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: %<PRIu64> is a size, %s a file name. */
                   _("Not enough memory for the %" PRIu64 " bytes of “%s”"),
                   (guint64) weight->n_bytes, weight->path);
      return NULL;
    }
  while (done < weight->n_bytes)
    {
      gssize n = pread (file->fd, buffer + done, MIN (weight->n_bytes - done, G_MAXINT32),
                        (off_t) (weight->offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = errno;
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: an HDF5 dataset path, a file name, then the system's error
                        * message */
                       _("Cannot read the data of “%s” in “%s”: %s"), weight->path, file->path,
                       n < 0 ? g_strerror (saved_errno) : _("the file is shorter than it was"));
          return NULL;
        }
      done += n;
    }
  return g_bytes_new_take (g_steal_pointer (&buffer), weight->n_bytes);
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
                       /* Translators: an HDF5 dataset path, then a file name */
                       _("The data of “%s” lie beyond the end of “%s”"), weight->path, file->path);
          return NULL;
        }
      /* STRATA_H5_NO_MMAP=1 reads every weight into its own buffer (for
       * comparisons, and files that may change while in use); the raw
       * bytes are read directly, libhdf5 1.10's H5Dread is slower. */
      if (file->no_mmap)
        return read_raw (file, weight, error);
      /* Zero copy: the slice keeps the mapping alive. */
      return g_bytes_new_from_bytes (file->bytes, weight->offset, weight->n_bytes);
    }

  if (weight->n_bytes > file->size && weight->n_bytes > 1032 * (guint64) file->size)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: the first %s is an HDF5 object path, the second %s a file name. */
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
                       /* Translators: the first %s is an HDF5 object path, the second %s a file
                        * name. */
                       _("Cannot open the weight dataset “%s” in “%s”"), weight->path, file->path);
        return NULL;
      }
    ftype = H5Dget_type (ds);
    mtype = h5k_mem_type_new (weight->dtype, ftype);
    buffer = weight_buffer_new (weight->n_bytes);
    if (buffer == NULL)
      {
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                     /* Translators: %<PRIu64> is a size, %s a file name. */
                     _("Not enough memory for the %" PRIu64 " bytes of “%s”"),
                     weight->n_bytes, weight->path);
        return NULL;
      }
    if (weight->n_bytes > 0 && H5Dread (ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
      {
        h5k_set_error (error, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the first %s is an HDF5 object path, the second %s a file
                        * name. */
                       _("Cannot read the weight dataset “%s” in “%s”"), weight->path, file->path);
        return NULL;
      }
  }
  return g_bytes_new_take (g_steal_pointer (&buffer), weight->n_bytes);
}
