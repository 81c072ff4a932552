/* strata-sniff.c: choosing the format of a file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-formats.h"
#include "strata-format.h"
#include "strata-error.h"
#include "strata-formats-private.h"
#include "strata-i18n-private.h"

/* The score of a format without a probe whose magic bytes or marker file
 * match. A format with a probe gets what its probe says. */
#define MAGIC_SCORE 50

/* What tf-keras writes a path without .h5/.keras as. */
#define STRATA_DEFAULT_SAVE_FORMAT "tf-savedmodel"

gboolean
strata_sniff_read_head (GFile         *file,
                        GBytes       **head,
                        gboolean      *is_dir,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree guint8 *buffer = NULL;
  gsize n_read = 0;

  *head = NULL;
  *is_dir = FALSE;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      *is_dir = TRUE;
      return TRUE;
    }

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;
  buffer = g_malloc (STRATA_SNIFF_HEAD_SIZE);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, STRATA_SNIFF_HEAD_SIZE,
                                &n_read, cancellable, error))
    return FALSE;
  *head = g_bytes_new_take (g_steal_pointer (&buffer), n_read);
  return TRUE;
}

gboolean
strata_sniff_descriptor_matches (const StrataFormatDescriptor *descriptor,
                                 GFile                        *file,
                                 GBytes                       *head)
{
  if (head == NULL)
    {
      if (descriptor->marker_files == NULL)
        return FALSE;
      for (guint i = 0; descriptor->marker_files[i] != NULL; i++)
        {
          g_autoptr(GFile) marker = g_file_get_child (file, descriptor->marker_files[i]);
          if (g_file_query_exists (marker, NULL))
            return TRUE;
        }
      return FALSE;
    }

  if (descriptor->magic != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);

      for (gsize i = 0; i < descriptor->n_magic; i++)
        {
          const StrataMagic *magic = &descriptor->magic[i];

          if (magic->bytes == NULL || magic->length == 0 || magic->offset > size ||
              magic->length > size - magic->offset)
            continue;
          if (memcmp (data + magic->offset, magic->bytes, magic->length) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

gsize
strata_sniff_extension_match (const char * const *extensions,
                              const char         *basename)
{
  g_autofree char *lower = NULL;
  gsize len, best = 0;

  if (extensions == NULL || basename == NULL)
    return 0;
  lower = g_utf8_strdown (basename, -1);
  len = strlen (lower);
  for (guint i = 0; extensions[i] != NULL; i++)
    {
      g_autofree char *ext = g_utf8_strdown (extensions[i], -1);
      gsize ext_len = strlen (ext);

      /* "NAME.ext": a file called just ".ext" has no extension. */
      if (ext_len == 0 || len < ext_len + 2 || lower[len - ext_len - 1] != '.')
        continue;
      if (strcmp (lower + len - ext_len, ext) == 0)
        best = MAX (best, ext_len);
    }
  return best;
}

static void
append_name (GString    *names,
             const char *name)
{
  if (names->len > 0)
    g_string_append (names, ", ");
  g_string_append (names, name);
}

/* The list of format names for error messages. */
static char *
describe_formats (GListModel *infos)
{
  GString *names = g_string_new (NULL);
  guint n = g_list_model_get_n_items (infos);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (infos, i);
      append_name (names, strata_format_info_get_name (info));
    }
  if (names->len == 0)
    g_string_append (names, _("none installed"));
  return g_string_free (names, FALSE);
}

static const char *
describe_capability (StrataFormatCapabilities needed)
{
  if (needed & STRATA_FORMAT_CAN_LOAD_MODEL)
    return _("load models");
  if (needed & STRATA_FORMAT_CAN_SAVE_MODEL)
    return _("save models");
  if (needed & STRATA_FORMAT_CAN_LOAD_WEIGHTS)
    return _("load weights");
  if (needed & STRATA_FORMAT_CAN_SAVE_WEIGHTS)
    return _("save weights");
  return _("do this");
}

static gboolean
check_capabilities (StrataFormat              *format,
                    StrataFormatCapabilities   needed,
                    GFile                     *file,
                    GError                   **error)
{
  if ((strata_format_get_capabilities (format) & needed) == needed)
    return TRUE;
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
               /* Translators: the first %s is a format name, the second %s a file name, the third
                * %s an action such as “load models”. */
               _("The “%s” format, chosen for “%s”, cannot %s"),
               strata_format_get_name (format), g_file_peek_path (file),
               describe_capability (needed));
  return FALSE;
}

static StrataFormat *
find_by_name (const char                *name,
              GFile                     *file,
              StrataFormatCapabilities   needed,
              GError                   **error)
{
  StrataFormatInfo *info = strata_formats_lookup (name);
  StrataFormat *format;

  if (info == NULL)
    {
      g_autoptr(GListModel) infos = strata_formats_list ();
      g_autofree char *names = describe_formats (infos);

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT,
                   /* Translators: the format name given, then a list of format names */
                   _("There is no format named “%s” (formats found: %s)"), name, names);
      return NULL;
    }
  format = strata_format_info_get_format (info, error);
  if (format == NULL)
    return NULL;
  if (!check_capabilities (format, needed, file, error))
    return NULL;
  return format;
}

/* Whether sniffing offers @file (a directory when @is_dir) to a format. */
static gboolean
offers (StrataFormatCapabilities caps,
        gboolean                 is_dir)
{
  if (caps & STRATA_FORMAT_FILE_OR_DIRECTORY)
    return TRUE;
  /* A checkpoint's `checkpoint` file and PREFIX.index are regular files. */
  if ((caps & STRATA_FORMAT_WEIGHTS_PREFIX) && !is_dir)
    return TRUE;
  return ((caps & STRATA_FORMAT_IS_DIRECTORY) != 0) == is_dir;
}

/* Whether the descriptor gives hints for this kind of input: magic bytes
 * for a regular file, marker files for a directory. */
static gboolean
has_hints (const StrataFormatDescriptor *descriptor,
           gboolean                      is_dir)
{
  if (is_dir)
    return descriptor->marker_files != NULL && descriptor->marker_files[0] != NULL;
  return descriptor->magic != NULL && descriptor->n_magic > 0;
}

/* How one format judged the file. */
typedef struct
{
  int      score;
  gboolean rejected;  /* its hints matched, and then its probe said 0 */
} Verdict;

/* The round in which sniffing asks a format, from its metadata alone:
 * first the formats whose hints (magic bytes for a regular file, marker
 * files for a directory) and extension both match, then those whose hints
 * or extension match, last those that declare no hints for this kind of
 * input. 0: not asked, since its hints exist and do not match and the
 * extension is not its own. */
static int
round_of (const StrataFormatDescriptor *descriptor,
          gboolean                      hinted,
          gboolean                      is_dir,
          gsize                         ext)
{
  if (hinted && ext > 0)
    return 1;
  if (hinted || ext > 0)
    return 2;
  return has_hints (descriptor, is_dir) ? 0 : 3;
}

/* When a format has a probe, the probe's score is final, even against
 * matching hints. A format without a probe scores MAGIC_SCORE when its
 * hints match. */
static Verdict
judge (StrataFormat *format,
       GFile        *file,
       GBytes       *head,
       gboolean      hinted)
{
  Verdict verdict = { 0, FALSE };

  if (STRATA_FORMAT_GET_CLASS (format)->probe == NULL)
    {
      verdict.score = hinted ? MAGIC_SCORE : 0;
      return verdict;
    }
  verdict.score = strata_format_probe (format, file, head);
  verdict.rejected = hinted && verdict.score == 0;
  return verdict;
}

/* The formats for error messages, those whose module is broken marked. */
static char *
describe_tried (GListModel *infos)
{
  GString *names = g_string_new (NULL);
  guint n = g_list_model_get_n_items (infos);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StrataFormatInfo) info = g_list_model_get_item (infos, i);

      if (strata_format_info_has_details (info, NULL))
        append_name (names, strata_format_info_get_name (info));
      else
        {
          /* Translators: a format name, in a list of formats */
          g_autofree char *label = g_strdup_printf (_("%s (cannot be loaded)"),
                                                    strata_format_info_get_name (info));
          append_name (names, label);
        }
    }
  return g_string_free (names, FALSE);
}

/**
 * strata_formats_find_for_file:
 * @file: an existing file or directory
 * @name: (nullable): the name of the format to use, or %NULL to choose one
 * @needed: the capabilities the format must have
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Chooses the format to read @file with. A @name wins; otherwise the
 * content decides. A regular file is offered to the file formats, a
 * directory to the formats with %STRATA_FORMAT_IS_DIRECTORY or
 * %STRATA_FORMAT_FILE_OR_DIRECTORY. Each format's magic bytes (matched
 * against the first 4 KiB of a file), marker files (looked up inside a
 * directory) and extensions are hints that decide whether its probe is
 * asked; the probe then has the final word, so a format whose magic
 * matches but whose probe answers 0 is not chosen. A format without a
 * probe is chosen on its magic bytes or marker files. The surest format
 * wins, and the extension breaks ties. When no format recognises the
 * content, the extension decides, among the formats that did not reject
 * it.
 *
 * A path that does not exist may be a checkpoint prefix (`ckpt` for
 * `ckpt.index`): it is offered to the formats with
 * %STRATA_FORMAT_WEIGHTS_PREFIX, whose probe gets an empty @head.
 *
 * Hints and extensions come from the modules' metadata files, so a module
 * is loaded only when sniffing asks it. Formats are asked in rounds: first
 * those whose hints and extension both match, then those whose hints or
 * extension match, last those that declare no hints for this kind of
 * input (a JSON config has no magic bytes); the first round that finds a
 * format that can do @needed decides. A module that fails to load is
 * skipped ([method@Strata.FormatInfo.is_available] tells why).
 *
 * Returns: (transfer none): the format, which lives as long as the
 *   process, or %NULL with @error set: %STRATA_FORMAT_ERROR_UNKNOWN_FORMAT
 *   when nothing matches (the message names the file and the formats
 *   tried, or the format whose signature the file has but whose probe
 *   rejected it), %STRATA_FORMAT_ERROR_UNSUPPORTED when the format found
 *   lacks @needed, %STRATA_FORMAT_ERROR_PLUGIN when the named module
 *   cannot be loaded, or a [error@Gio.IOErrorEnum] when @file cannot be read
 */
StrataFormat *
strata_formats_find_for_file (GFile                     *file,
                              const char                *name,
                              StrataFormatCapabilities   needed,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GListModel) infos = NULL;
  g_autofree char *tried = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GError) missing = NULL;
  gboolean is_dir;
  StrataFormat *best = NULL, *best_incapable = NULL, *by_extension = NULL, *rejecting = NULL;
  int best_score = 0, best_incapable_score = 0;
  gsize best_ext = 0, by_extension_len = 0;
  guint n;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name != NULL)
    return find_by_name (name, file, needed, error);

  if (!strata_sniff_read_head (file, &head, &is_dir, cancellable, &missing))
    {
      if (!g_error_matches (missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&missing));
          return NULL;
        }
      /* Perhaps a checkpoint prefix: only prefix formats are asked. */
      head = g_bytes_new (NULL, 0);
    }

  basename = g_file_get_basename (file);
  infos = strata_formats_list ();
  n = g_list_model_get_n_items (infos);
  for (int round = 1; round <= 3; round++)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(StrataFormatInfo) info = g_list_model_get_item (infos, i);
          const StrataFormatDescriptor *descriptor = strata_format_info_peek_metadata (info);
          StrataFormat *format;
          Verdict verdict;
          gsize ext;
          gboolean capable, hinted;

          if (descriptor == NULL || !offers (descriptor->capabilities, is_dir) ||
              (missing != NULL && !(descriptor->capabilities & STRATA_FORMAT_WEIGHTS_PREFIX)))
            continue;
          ext = strata_sniff_extension_match (descriptor->extensions, basename);
          hinted = strata_sniff_descriptor_matches (descriptor, file, head);
          if (round_of (descriptor, hinted, is_dir, ext) != round)
            continue;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          format = strata_format_info_get_format (info, NULL);
          if (format == NULL)
            continue;

          capable = (descriptor->capabilities & needed) == needed;
          verdict = judge (format, file, head, hinted);
          if (verdict.rejected)
            {
              if (rejecting == NULL)
                rejecting = format;
              continue;
            }

          if (!capable)
            {
              if (verdict.score > best_incapable_score)
                {
                  best_incapable = format;
                  best_incapable_score = verdict.score;
                }
              continue;
            }
          if (verdict.score > best_score ||
              (verdict.score > 0 && verdict.score == best_score && ext > best_ext))
            {
              best = format;
              best_score = verdict.score;
              best_ext = ext;
            }
          if (ext > by_extension_len)
            {
              by_extension = format;
              by_extension_len = ext;
            }
        }
      if (best != NULL && best_score >= best_incapable_score)
        return best;
    }

  if (missing != NULL && (best_incapable == NULL || best_incapable_score == 0))
    {
      g_propagate_error (error, g_steal_pointer (&missing));
      return NULL;
    }
  if (best_incapable != NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the first %s is a file name, the second %s a format name, the
                    * third %s an action such as “load models”. */
                   _("“%s” is a “%s” file, and that format cannot %s"),
                   g_file_peek_path (file), strata_format_get_name (best_incapable),
                   describe_capability (needed));
      return NULL;
    }
  if (by_extension != NULL)
    return by_extension;

  tried = describe_tried (infos);
  if (rejecting != NULL)
    {
      StrataFormatInfo *info = strata_format_get_info (rejecting);
      const char *description = info != NULL ? strata_format_info_get_description (info) : NULL;

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT,
                   /* Translators: the first %s is a file name, the second %s a format name, the
                    * third %s a format name, the fourth %s an action such as “load models”, the
                    * fifth %s a list of format names. */
                   _("Could not tell the format of “%s”: it has the signature of the “%s” "
                     "format (%s), but that format does not recognise its content, and no "
                     "other format that can %s does (formats tried: %s)"),
                   g_file_peek_path (file), strata_format_get_name (rejecting),
                   description != NULL ? description : strata_format_get_name (rejecting),
                   describe_capability (needed), tried);
      return NULL;
    }
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT,
               /* Translators: a file name, an action such as “load models”, then a list of format
                * names (or “none installed”) */
               _("Could not tell the format of “%s”: no format that can %s recognises its "
                 "content or its extension (formats tried: %s)"),
               g_file_peek_path (file), describe_capability (needed),
               tried[0] != '\0' ? tried : _("none installed"));
  return NULL;
}

/**
 * strata_formats_find_for_save:
 * @file: the file or directory to write
 * @name: (nullable): the name of the format to use, or %NULL to choose by
 *   the extension of @file
 * @needed: the capabilities the format must have
 * @error: return location for a [struct@GLib.Error]
 *
 * Chooses the format to write @file with: @name if given, otherwise the
 * format whose extension ends the file name (the longest match wins). A
 * name that no format's extension ends is written as tf-keras writes it:
 * as a TensorFlow SavedModel folder (a model) or a TF checkpoint prefix
 * (weights), when the `tf-savedmodel` format is installed.
 *
 * Returns: (transfer none): the format, which lives as long as the
 *   process, or %NULL with @error set
 */
StrataFormat *
strata_formats_find_for_save (GFile                     *file,
                              const char                *name,
                              StrataFormatCapabilities   needed,
                              GError                   **error)
{
  g_autoptr(GListModel) infos = NULL;
  g_autoptr(GString) tried = g_string_new (NULL);
  g_autofree char *basename = NULL;
  StrataFormatInfo *best, *best_incapable, *chosen;
  gsize best_len, best_incapable_len;
  guint n;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name != NULL)
    return find_by_name (name, file, needed, error);

  basename = g_file_get_basename (file);
  infos = strata_formats_list ();
  n = g_list_model_get_n_items (infos);
  /* Chosen from the metadata files; only the chosen module is loaded, and
   * one that fails is passed over for the next best. */
  do
    {
      best = best_incapable = NULL;
      best_len = best_incapable_len = 0;
      g_string_truncate (tried, 0);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(StrataFormatInfo) info = g_list_model_get_item (infos, i);
          const StrataFormatDescriptor *descriptor = strata_format_info_peek_metadata (info);
          gsize ext;

          if (descriptor == NULL)
            continue;
          ext = strata_sniff_extension_match (descriptor->extensions, basename);
          if ((descriptor->capabilities & needed) != needed)
            {
              if (ext > best_incapable_len)
                {
                  best_incapable = info;
                  best_incapable_len = ext;
                }
              continue;
            }
          append_name (tried, strata_format_info_get_name (info));
          if (ext > best_len)
            {
              best = info;
              best_len = ext;
            }
        }
      chosen = best != NULL && best_len >= best_incapable_len ? best : best_incapable;
    }
  while (chosen != NULL && strata_format_info_get_format (chosen, NULL) == NULL);

  if (best != NULL && best_len >= best_incapable_len)
    return strata_format_info_get_format (best, NULL);
  if (best == NULL && best_incapable == NULL)
    {
      /* tf-keras: a name without .h5 or .keras is a SavedModel (model.save)
       * or a TF checkpoint prefix (save_weights). */
      StrataFormatInfo *info = strata_formats_lookup (STRATA_DEFAULT_SAVE_FORMAT);
      StrataFormat *format = info != NULL ? strata_format_info_get_format (info, NULL) : NULL;

      if (format != NULL && (strata_format_info_get_capabilities (info) & needed) == needed)
        return format;
    }
  if (best_incapable != NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the first %s is a file name, the second %s a format name, the
                    * third %s an action such as “load models”. */
                   _("The extension of “%s” selects the “%s” format, which cannot %s"),
                   g_file_peek_path (file), strata_format_info_get_name (best_incapable),
                   describe_capability (needed));
      return NULL;
    }
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNKNOWN_FORMAT,
               /* Translators: the first %s is a file name, the second %s an action such as “load
                * models”, the third %s a list of format names. */
               _("Cannot tell which format to write “%s” in from its extension; pass a format "
                 "name (formats that can %s: %s)"),
               g_file_peek_path (file), describe_capability (needed),
               tried->len > 0 ? tried->str : _("none installed"));
  return NULL;
}
