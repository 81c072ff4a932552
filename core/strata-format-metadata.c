/* strata-format-metadata.c: a format module's side-car metadata file
 *
 * A module's name, description, extensions, MIME types, magic, marker
 * files, capabilities and ABI version are read from a key file beside it
 * (as libpeas reads .plugin files), so listing and sniffing need not load
 * the module. The build writes the file from the module's descriptor
 * (`strata formats --describe`); the loader checks it against the
 * descriptor when it loads the module.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-format-metadata-private.h"
#include "strata-i18n-private.h"

#define KEY_ABI          "AbiVersion"
#define KEY_NAME         "Name"
#define KEY_DESCRIPTION  "Description"
#define KEY_EXTENSIONS   "Extensions"
#define KEY_MIME_TYPES   "MimeTypes"
#define KEY_MAGIC        "Magic"
#define KEY_MARKERS      "MarkerFiles"
#define KEY_CAPABILITIES "Capabilities"

/* Generous bounds: a side-car is a few hundred bytes. */
#define MAX_MAGIC_OFFSET (1u << 20)
#define MAX_MAGIC_LENGTH 256

static StrataFormatMetadata *
metadata_new (void)
{
  StrataFormatMetadata *self = g_new0 (StrataFormatMetadata, 1);

  self->magic = g_array_new (FALSE, TRUE, sizeof (StrataMagic));
  self->magic_bytes = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
strata_format_metadata_free (StrataFormatMetadata *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->description);
  g_strfreev (self->extensions);
  g_strfreev (self->mime_types);
  g_strfreev (self->marker_files);
  g_array_unref (self->magic);
  g_ptr_array_unref (self->magic_bytes);
  g_free (self);
}

/* Points the embedded descriptor at the struct's own storage. */
static void
metadata_link (StrataFormatMetadata *self)
{
  self->descriptor.name = self->name;
  self->descriptor.description = self->description;
  self->descriptor.extensions = (const char * const *) self->extensions;
  self->descriptor.mime_types = (const char * const *) self->mime_types;
  self->descriptor.marker_files = (const char * const *) self->marker_files;
  self->descriptor.magic = self->magic->len > 0 ? (const StrataMagic *) self->magic->data : NULL;
  self->descriptor.n_magic = self->magic->len;
  self->descriptor.register_type = NULL;
}

static void
add_magic (StrataFormatMetadata *self,
           gsize                 offset,
           const char           *bytes,
           gsize                 length)
{
  char *copy = g_memdup2 (bytes, length);
  StrataMagic magic = { offset, copy, length };

  g_ptr_array_add (self->magic_bytes, copy);
  g_array_append_val (self->magic, magic);
}

/* An empty list reads as NULL, as descriptors write "none". */
static GStrv
copy_list (const char * const *list)
{
  return list != NULL && list[0] != NULL ? g_strdupv ((char **) list) : NULL;
}

StrataFormatMetadata *
strata_format_metadata_new_from_descriptor (const StrataFormatDescriptor *descriptor)
{
  StrataFormatMetadata *self = metadata_new ();

  self->descriptor.abi_version = descriptor->abi_version;
  self->descriptor.capabilities = descriptor->capabilities;
  self->name = g_strdup (descriptor->name);
  self->description = g_strdup (descriptor->description);
  /* The loader refuses a descriptor without an extension list; an empty
   * list is kept apart from none. */
  self->extensions = descriptor->extensions != NULL ? g_strdupv ((char **) descriptor->extensions) : NULL;
  self->mime_types = copy_list (descriptor->mime_types);
  self->marker_files = copy_list (descriptor->marker_files);
  for (gsize i = 0; descriptor->magic != NULL && i < descriptor->n_magic; i++)
    if (descriptor->magic[i].bytes != NULL && descriptor->magic[i].length > 0)
      add_magic (self, descriptor->magic[i].offset, descriptor->magic[i].bytes,
                 descriptor->magic[i].length);
  metadata_link (self);
  return self;
}

static char *
capabilities_to_string (StrataFormatCapabilities capabilities)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (STRATA_TYPE_FORMAT_CAPABILITIES);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 && (capabilities & klass->values[i].value) == klass->values[i].value)
      g_string_append_printf (text, "%s;", klass->values[i].value_nick);
  return g_string_free (text, FALSE);
}

static gboolean
capabilities_from_list (char                    **nicks,
                        StrataFormatCapabilities *capabilities,
                        GError                  **error)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (STRATA_TYPE_FORMAT_CAPABILITIES);

  *capabilities = STRATA_FORMAT_CAN_NONE;
  for (guint i = 0; nicks != NULL && nicks[i] != NULL; i++)
    {
      GFlagsValue *value = g_flags_get_value_by_nick (klass, nicks[i]);

      if (value == NULL)
        {
          /* TRANSLATORS: %s is a capability name read from a module's
           * metadata file, such as can-load-model */
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                       /* Translators: %s is a capability name. */
                       _("its metadata names the unknown capability “%s”"), nicks[i]);
          return FALSE;
        }
      *capabilities |= value->value;
    }
  return TRUE;
}

char *
strata_format_metadata_to_data (const StrataFormatMetadata *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *capabilities = capabilities_to_string (self->descriptor.capabilities);
  g_autoptr(GPtrArray) magic = g_ptr_array_new_with_free_func (g_free);
  const char * const none[] = { NULL };

  for (guint i = 0; i < self->magic->len; i++)
    {
      const StrataMagic *m = &g_array_index (self->magic, StrataMagic, i);
      GString *text = g_string_new (NULL);

      g_string_append_printf (text, "%" G_GSIZE_FORMAT ":", m->offset);
      for (gsize j = 0; j < m->length; j++)
        g_string_append_printf (text, "%02x", (guint8) m->bytes[j]);
      g_ptr_array_add (magic, g_string_free (text, FALSE));
    }

  g_key_file_set_uint64 (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_ABI, self->descriptor.abi_version);
  g_key_file_set_string (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_NAME, self->name ? self->name : "");
  if (self->description != NULL)
    g_key_file_set_string (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_DESCRIPTION, self->description);
  if (self->extensions != NULL)
    g_key_file_set_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_EXTENSIONS,
                                (const char * const *) self->extensions, g_strv_length (self->extensions));
  g_key_file_set_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_MIME_TYPES,
                              self->mime_types ? (const char * const *) self->mime_types : none,
                              self->mime_types ? g_strv_length (self->mime_types) : 0);
  g_key_file_set_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_MAGIC,
                              (const char * const *) magic->pdata, magic->len);
  g_key_file_set_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_MARKERS,
                              self->marker_files ? (const char * const *) self->marker_files : none,
                              self->marker_files ? g_strv_length (self->marker_files) : 0);
  g_key_file_set_value (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_CAPABILITIES, capabilities);
  return g_key_file_to_data (keyfile, NULL, NULL);
}

/* OFFSET:HEX, as to_data writes it. */
static gboolean
parse_magic (StrataFormatMetadata  *self,
             const char            *text,
             GError               **error)
{
  const char *colon = strchr (text, ':');
  g_autofree char *offset_text = colon ? g_strndup (text, colon - text) : NULL;
  g_autofree char *bytes = NULL;
  guint64 offset;
  gsize hex_length;

  if (colon == NULL ||
      !g_ascii_string_to_unsigned (offset_text, 10, 0, MAX_MAGIC_OFFSET, &offset, NULL))
    goto bad;
  hex_length = strlen (colon + 1);
  if (hex_length == 0 || hex_length % 2 != 0 || hex_length / 2 > MAX_MAGIC_LENGTH)
    goto bad;
  bytes = g_malloc (hex_length / 2);
  for (gsize i = 0; i < hex_length / 2; i++)
    {
      int high = g_ascii_xdigit_value (colon[1 + 2 * i]);
      int low = g_ascii_xdigit_value (colon[2 + 2 * i]);

      if (high < 0 || low < 0)
        goto bad;
      bytes[i] = (char) (high * 16 + low);
    }
  add_magic (self, offset, bytes, hex_length / 2);
  return TRUE;

bad:
  /* TRANSLATORS: %s is a magic pattern read from a module's metadata
   * file; OFFSET:HEX must stay as it is */
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
               /* Translators: the magic pattern as written in the metadata file */
               _("its metadata has the magic pattern “%s”, which is not OFFSET:HEX"), text);
  return FALSE;
}

/* A list key, NULL when it is missing or empty. */
static GStrv
get_list (GKeyFile   *keyfile,
          const char *key)
{
  GStrv list = g_key_file_get_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, key, NULL, NULL);

  if (list != NULL && list[0] == NULL)
    g_clear_pointer (&list, g_strfreev);
  return list;
}

StrataFormatMetadata *
strata_format_metadata_load (const char  *path,
                             const char  *expected_name,
                             GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(StrataFormatMetadata) self = metadata_new ();
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) magic = NULL;
  g_auto(GStrv) capabilities = NULL;
  guint64 abi;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local))
    {
      /* TRANSLATORS: the first %s is the path of a module's metadata
       * file, the second why it could not be read */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                   /* Translators: the first %s is a file name, the second %s the reason. */
                   _("its metadata file “%s” cannot be read: %s"), path, local->message);
      return NULL;
    }

  abi = g_key_file_get_uint64 (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_ABI, &local);
  if (local != NULL)
    {
      /* TRANSLATORS: %s is the path of a module's metadata file; AbiVersion is a key name */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                   /* Translators: %s is a file name. */
                   _("its metadata file “%s” has no valid AbiVersion"), path);
      return NULL;
    }
  if (abi != STRATA_FORMAT_ABI_VERSION)
    {
      /* TRANSLATORS: both %u are format ABI version numbers */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                   /* Translators: the format ABI version the module was built for, then the one of
                    * this Strata */
                   _("it was built for format ABI version %u, but this Strata uses version %u"),
                   (guint) MIN (abi, G_MAXUINT), (guint) STRATA_FORMAT_ABI_VERSION);
      return NULL;
    }
  self->descriptor.abi_version = (guint32) abi;

  self->name = g_key_file_get_string (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_NAME, NULL);
  if (g_strcmp0 (self->name, expected_name) != 0)
    {
      /* TRANSLATORS: the first %s is the format name a module's metadata
       * file declares, the second the one its file name gives */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                   /* Translators: the format name in the metadata file, then the one its file name
                    * gives */
                   _("its metadata names the format “%s”, but its file name says “%s”"),
                   self->name ? self->name : "(null)", expected_name);
      return NULL;
    }
  self->description = g_key_file_get_string (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_DESCRIPTION, NULL);
  self->extensions = g_key_file_get_string_list (keyfile, STRATA_FORMAT_METADATA_GROUP, KEY_EXTENSIONS,
                                                 NULL, NULL);
  if (self->extensions == NULL)
    {
      /* TRANSLATORS: %s is the path of a module's metadata file; Extensions is a key name */
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_PLUGIN,
                   /* Translators: %s is a file name. */
                   _("its metadata file “%s” has no Extensions key"), path);
      return NULL;
    }
  self->mime_types = get_list (keyfile, KEY_MIME_TYPES);
  self->marker_files = get_list (keyfile, KEY_MARKERS);
  magic = get_list (keyfile, KEY_MAGIC);
  for (guint i = 0; magic != NULL && magic[i] != NULL; i++)
    if (!parse_magic (self, magic[i], error))
      return NULL;
  capabilities = get_list (keyfile, KEY_CAPABILITIES);
  if (!capabilities_from_list (capabilities, &self->descriptor.capabilities, error))
    return NULL;
  metadata_link (self);
  return g_steal_pointer (&self);
}

static gboolean
lists_equal (char **a,
             char **b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

const char *
strata_format_metadata_differs (const StrataFormatMetadata *a,
                                const StrataFormatMetadata *b)
{
  if (a->descriptor.abi_version != b->descriptor.abi_version)
    return KEY_ABI;
  if (g_strcmp0 (a->name, b->name) != 0)
    return KEY_NAME;
  if (g_strcmp0 (a->description, b->description) != 0)
    return KEY_DESCRIPTION;
  if (!lists_equal (a->extensions, b->extensions))
    return KEY_EXTENSIONS;
  if (!lists_equal (a->mime_types, b->mime_types))
    return KEY_MIME_TYPES;
  if (a->magic->len != b->magic->len)
    return KEY_MAGIC;
  for (guint i = 0; i < a->magic->len; i++)
    {
      const StrataMagic *x = &g_array_index (a->magic, StrataMagic, i);
      const StrataMagic *y = &g_array_index (b->magic, StrataMagic, i);

      if (x->offset != y->offset || x->length != y->length || memcmp (x->bytes, y->bytes, x->length) != 0)
        return KEY_MAGIC;
    }
  if (!lists_equal (a->marker_files, b->marker_files))
    return KEY_MARKERS;
  if (a->descriptor.capabilities != b->descriptor.capabilities)
    return KEY_CAPABILITIES;
  return NULL;
}
