/* strata-json.c: JSON helpers shared by the config reader, writer and plugins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-i18n-private.h"

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

/* Python writes NaN, Infinity and -Infinity as bare tokens, which
 * json-glib rejects. A pre-scan finds them in value positions, outside
 * strings, and swaps each for a one-character string holding a control
 * character that no one-character string of the input holds, padded with
 * spaces to the token's length so that json-glib's line:column stay
 * right. After parsing, those strings become doubles again. The same scan
 * bounds the nesting depth before json-glib recurses. */

enum {
  SPECIAL_NAN,
  SPECIAL_POS_INF,
  SPECIAL_NEG_INF,
  N_SPECIALS
};

static const struct {
  const char *token;
  gsize       len;
} specials[N_SPECIALS] = {
  [SPECIAL_NAN]     = { "NaN", 3 },
  [SPECIAL_POS_INF] = { "Infinity", 8 },
  [SPECIAL_NEG_INF] = { "-Infinity", 9 },
};

typedef struct {
  gsize offset;
  int   kind;
} Special;

typedef struct {
  GArray  *specials;         /* of Special */
  guint32  used_controls;    /* bit c: some one-character string is U+000c */
} ScanResult;

static void
set_error_at (GError     **error,
              int          code,
              guint        line,
              guint        column,
              const char  *what)
{
  g_set_error (error, STRATA_CONFIG_ERROR, code,
               _("Invalid JSON at line %u, column %u: %s"), line, column, what);
}

static gboolean
is_delimiter (char c)
{
  return c == '\0' || c == ',' || c == ']' || c == '}' ||
         c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Scans the string starting at data[*i] == '"'; leaves *i on the closing
 * quote (or at @len: json-glib reports the unterminated string). Refuses
 * what Python's json module refuses and json-glib lets through: unknown
 * escapes and raw control characters. Records the code of a string that
 * is exactly one (escaped) control character. */
static gboolean
scan_string (const char  *data,
             gsize        len,
             gsize       *i,
             guint        line,
             guint       *column,
             guint32     *used_controls,
             GError     **error)
{
  gsize j = *i + 1;
  int n_chars = 0;
  int last_code = -1;
  gboolean non_ascii = FALSE;

  while (j < len && data[j] != '"')
    {
      guchar c = (guchar) data[j];
      int code = -1;

      if (c == '\\')
        {
          char e = j + 1 < len ? data[j + 1] : '\0';

          switch (e)
            {
            case '"': case '\\': case '/': break;
            case 'b': code = '\b'; break;
            case 'f': code = '\f'; break;
            case 'n': code = '\n'; break;
            case 'r': code = '\r'; break;
            case 't': code = '\t'; break;
            case 'u':
              {
                int value = 0;

                for (gsize k = 2; k < 6; k++)
                  {
                    int h = j + k < len ? hex_value (data[j + k]) : -1;
                    if (h < 0)
                      {
                        set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line,
                                      *column + (guint) (j - *i),
                                      _("invalid \\u escape in a string"));
                        return FALSE;
                      }
                    value = value * 16 + h;
                  }
                if (value < 0x20)
                  code = value;
                j += 4;   /* the four hex digits */
              }
              break;
            default:
              set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, *column + (guint) (j - *i),
                            _("invalid escape in a string"));
              return FALSE;
            }
          j += 2;
        }
      else if (c < 0x20)
        {
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, *column + (guint) (j - *i),
                        _("control character in a string (it must be escaped)"));
          return FALSE;
        }
      else
        {
          non_ascii |= c >= 0x80;
          j++;
        }

      n_chars++;
      last_code = code;
    }

  /* Outside strings the scan takes ASCII only, so checking the strings
   * that have other bytes checks the whole text (strata_json_parse() then
   * finds where it goes wrong). */
  if (non_ascii && !g_utf8_validate_len (data + *i + 1, j - *i - 1, NULL))
    {
      g_set_error_literal (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                           _("the text is not valid UTF-8"));
      return FALSE;
    }

  if (n_chars == 1 && last_code > 0 && last_code < 0x20)
    *used_controls |= 1u << last_code;

  *column += (guint) (j - *i);
  *i = j;
  return TRUE;
}

/* json-glib reads numbers that JSON (and Python) refuse: leading zeros
 * as octal, 0x as hex, "+1", ".5", "1." and integers beyond 64 bits
 * (silently wrapped). Checks the token at @p against the JSON grammar
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? and the 64-bit range, and
 * sets *@token_len to its length. */
static gboolean
check_number (const char  *p,
              gsize        len,
              gsize       *token_len,
              guint        line,
              guint        column,
              GError     **error)
{
  g_autofree char *token = NULL;
  gboolean is_integer = TRUE;
  gsize l = 0;
  gsize k = 0;

  while (l < len && (g_ascii_isalnum (p[l]) || p[l] == '-' || p[l] == '+' || p[l] == '.'))
    l++;
  *token_len = MAX (l, 1);
  token = g_strndup (p, l);

  if (token[k] == '-')
    k++;
  if (token[k] == '0')
    k++;
  else if (token[k] >= '1' && token[k] <= '9')
    while (g_ascii_isdigit (token[k]))
      k++;
  else
    goto invalid;
  if (token[k] == '.')
    {
      is_integer = FALSE;
      k++;
      if (!g_ascii_isdigit (token[k]))
        goto invalid;
      while (g_ascii_isdigit (token[k]))
        k++;
    }
  if (token[k] == 'e' || token[k] == 'E')
    {
      is_integer = FALSE;
      k++;
      if (token[k] == '+' || token[k] == '-')
        k++;
      if (!g_ascii_isdigit (token[k]))
        goto invalid;
      while (g_ascii_isdigit (token[k]))
        k++;
    }
  if (token[k] != '\0')
    goto invalid;

  if (is_integer && !g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, NULL, NULL))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   _("Invalid JSON at line %u, column %u: the integer %s does not fit in 64 bits"),
                   line, column, token);
      return FALSE;
    }
  return TRUE;

invalid:
  {
    g_autofree char *what = g_strdup_printf (_("invalid number “%s”"), token);
    set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column, what);
  }
  return FALSE;
}

static gboolean
prescan (const char  *data,
         gsize        len,
         ScanResult  *result,
         GError     **error)
{
  /* For each open container: TRUE for an array, FALSE for an object. */
  gboolean is_array[STRATA_JSON_MAX_DEPTH + 1];
  guint depth = 0;
  guint line = 1;
  guint column = 1;
  gboolean value_position = TRUE;
  gboolean done = FALSE;

  for (gsize i = 0; i < len; i++, column++)
    {
      char c = data[i];

      if (done && !(c == ' ' || c == '\t' || c == '\r' || c == '\n'))
        {
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column,
                        _("extra data after the JSON value"));
          return FALSE;
        }

      switch (c)
        {
        case '\n':
          line++;
          column = 0;
          break;
        case ' ':
        case '\t':
        case '\r':
          break;
        case '\0':
          set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column,
                        _("unexpected NUL byte"));
          return FALSE;
        case '"':
          if (!scan_string (data, len, &i, line, &column, &result->used_controls, error))
            return FALSE;
          value_position = FALSE;
          break;
        case '[':
        case '{':
          if (depth == STRATA_JSON_MAX_DEPTH)
            {
              g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                           _("JSON nesting deeper than %d levels at line %u, column %u"),
                           STRATA_JSON_MAX_DEPTH, line, column);
              return FALSE;
            }
          is_array[depth++] = (c == '[');
          value_position = (c == '[');
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          value_position = FALSE;
          if (depth == 0)
            done = TRUE;
          break;
        case ':':
          value_position = TRUE;
          break;
        case ',':
          value_position = depth > 0 && is_array[depth - 1];
          break;
        default:
          if (!g_ascii_isalnum (c) && c != '-' && c != '+' && c != '.')
            {
              /* Comments, single quotes and the like: json-glib takes some. */
              g_autofree char *what = g_ascii_isprint (c) ?
                g_strdup_printf (_("unexpected character “%c”"), c) :
                g_strdup_printf (_("unexpected byte 0x%02x"), (guchar) c);
              set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column, what);
              return FALSE;
            }
          if (value_position)
            {
              gboolean special = FALSE;

              /* NaN, Infinity, -Infinity: most tokens start otherwise */
              for (int k = 0; k < N_SPECIALS && !special && (c == 'N' || c == 'I' || c == '-'); k++)
                {
                  gsize l = specials[k].len;
                  if (len - i >= l && memcmp (data + i, specials[k].token, l) == 0 &&
                      (i + l == len || is_delimiter (data[i + l])))
                    {
                      Special s = { i, k };
                      g_array_append_val (result->specials, s);
                      i += l - 1;
                      column += (guint) l - 1;
                      special = TRUE;
                    }
                }
              if (!special && (c == '-' || c == '+' || c == '.' || g_ascii_isdigit (c)))
                {
                  gsize l = 0;

                  if (!check_number (data + i, len - i, &l, line, column, error))
                    return FALSE;
                  i += l - 1;
                  column += (guint) l - 1;
                }
            }
          value_position = FALSE;
          break;
        }
    }

  return TRUE;
}

/* Turns the marker strings back into doubles. */
static void
restore_specials (JsonNode   *node,
                  const char  markers[N_SPECIALS][2])
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          restore_specials (member, markers);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        for (guint i = 0; i < n; i++)
          restore_specials (json_array_get_element (array, i), markers);
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);
          static const double values[N_SPECIALS] = { NAN, INFINITY, -INFINITY };

          for (int k = 0; k < N_SPECIALS; k++)
            if (s != NULL && strcmp (s, markers[k]) == 0)
              {
                json_node_set_double (node, values[k]);
                break;
              }
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

/* Fails on invalid UTF-8 naming the line and column (in bytes) of the
 * first byte that is not. */
static gboolean
check_utf8 (const char  *data,
            gsize        len,
            GError     **error)
{
  const char *end = NULL;
  guint line = 1;
  guint column = 1;

  if (g_utf8_validate_len (data, len, &end))
    return TRUE;
  for (const char *p = data; p < end; p++, column++)
    if (*p == '\n')
      {
        line++;
        column = 0;
      }
  set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column, _("the text is not valid UTF-8"));
  return FALSE;
}

/* json-glib says "<data>:3:15: Parse error: unexpected ..."; keep the
 * position and the reason, in our own words. */
static void
set_parse_error (GError     **error,
                 const char  *message)
{
  guint line = 0;
  guint column = 0;
  int consumed = 0;

  if (g_str_has_prefix (message, "<data>:") &&
      sscanf (message, "<data>:%u:%u: %n", &line, &column, &consumed) == 2 && consumed > 0)
    {
      const char *reason = message + consumed;
      if (g_str_has_prefix (reason, "Parse error: "))
        reason += strlen ("Parse error: ");
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, line, column, reason);
    }
  else
    g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                 _("Invalid JSON: %s"), message);
}

/**
 * strata_json_parse:
 * @data: (array length=length) (element-type guint8): JSON text in UTF-8
 * @length: the length of @data in bytes, or -1 if it is nul-terminated
 * @error: return location for a #GError
 *
 * Parses JSON the way Python's json module writes it, as Keras stores
 * configs: the bare tokens `NaN`, `Infinity` and `-Infinity` are accepted
 * outside strings, while what Python refuses (comments, single quotes,
 * leading zeros, integers beyond 64 bits, trailing text, invalid UTF-8) is
 * refused. Nesting deeper than 512 levels fails with
 * %STRATA_CONFIG_ERROR_LIMIT before any recursion; other errors are
 * %STRATA_CONFIG_ERROR_INVALID with the line and column.
 *
 * Returns: (transfer full): the parsed document, or %NULL with @error set
 */
JsonNode *
strata_json_parse (const char  *data,
                   gssize       length,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *patched = NULL;
  ScanResult scan = { 0 };
  char markers[N_SPECIALS][2] = { { 0 } };
  JsonNode *root;
  gsize len;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;

  /* The pre-scan checks UTF-8 on the way (see scan_string()); when it
   * fails, invalid UTF-8 anywhere in the text is the error to report, as
   * it comes before anything else one can say about the text. */
  scan.specials = g_array_new (FALSE, FALSE, sizeof (Special));
  ok = prescan (data, len, &scan, &local_error);
  if (!ok)
    {
      g_array_unref (scan.specials);
      if (check_utf8 (data, len, error))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (scan.specials->len > 0)
    {
      int k = 0;

      /* Pick three control characters that no one-character string uses. */
      for (int c = 1; c < 0x20 && k < N_SPECIALS; c++)
        if ((scan.used_controls & (1u << c)) == 0)
          markers[k++][0] = (char) c;
      if (k < N_SPECIALS)
        {
          g_array_unref (scan.specials);
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                       _("Invalid JSON: too many distinct control-character strings next to NaN or Infinity values"));
          return NULL;
        }

      patched = g_memdup2 (data, len);
      for (guint i = 0; i < scan.specials->len; i++)
        {
          const Special *s = &g_array_index (scan.specials, Special, i);
          char *p = patched + s->offset;

          memset (p, ' ', specials[s->kind].len);
          p[0] = '"';
          p[1] = markers[s->kind][0];
          p[2] = '"';
        }
      data = patched;
    }

  parser = json_parser_new ();
  ok = json_parser_load_from_data (parser, data, (gssize) len, &local_error);
  if (!ok)
    {
      g_array_unref (scan.specials);
      set_parse_error (error, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_array_unref (scan.specials);
      g_set_error_literal (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                           _("Invalid JSON: the document is empty"));
      return NULL;
    }

  if (scan.specials->len > 0)
    restore_specials (root, (const char (*)[2]) markers);
  g_array_unref (scan.specials);

  return json_node_ref (root);
}

/* ------------------------------------------------------------------ */
/* Writing, byte for byte as Python's json.dumps                       */
/* ------------------------------------------------------------------ */

static void
write_string (GString    *out,
              const char *s)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  while (*s != '\0')
    {
      gunichar c = g_utf8_get_char_validated (s, -1);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: write U+FFFD for the byte, as Python's "replace". */
          c = 0xfffd;
          next = s + 1;
        }
      else
        next = g_utf8_next_char (s);

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c >= 0x20 && c < 0x7f)
            g_string_append_c (out, (char) c);
          else
            {
              gunichar units[2];
              int n_units = 1;

              if (c >= 0x10000)
                {
                  units[0] = 0xd800 + ((c - 0x10000) >> 10);
                  units[1] = 0xdc00 + ((c - 0x10000) & 0x3ff);
                  n_units = 2;
                }
              else
                units[0] = c;

              for (int u = 0; u < n_units; u++)
                {
                  g_string_append (out, "\\u");
                  g_string_append_c (out, hex[(units[u] >> 12) & 0xf]);
                  g_string_append_c (out, hex[(units[u] >> 8) & 0xf]);
                  g_string_append_c (out, hex[(units[u] >> 4) & 0xf]);
                  g_string_append_c (out, hex[units[u] & 0xf]);
                }
            }
          break;
        }
      s = next;
    }
  g_string_append_c (out, '"');
}

/* Python's repr() of a float: the shortest digits that read back as the
 * same double, in fixed notation when the decimal exponent is in
 * [-4, 16), else as d.ddde+XX. */
static void
write_double (GString *out,
              double   d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  int n_digits = 0;
  int exponent;
  int decpt;
  char *p;

  if (isnan (d))
    {
      g_string_append (out, "NaN");
      return;
    }
  if (isinf (d))
    {
      g_string_append (out, d > 0 ? "Infinity" : "-Infinity");
      return;
    }
  if (d == 0.0)
    {
      g_string_append (out, signbit (d) ? "-0.0" : "0.0");
      return;
    }

  for (int precision = 0; precision < 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%de", precision);
      g_ascii_formatd (buf, sizeof buf, format, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }

  /* buf is "[-]d[.ddd]e[+-]XX". */
  p = buf;
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p != 'e'; p++)
    if (*p != '.')
      digits[n_digits++] = *p;
  exponent = atoi (p + 1);
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';

  /* Value = 0.d1d2... * 10^decpt */
  decpt = exponent + 1;

  if (decpt > -4 && decpt <= 16)
    {
      if (decpt <= 0)
        {
          g_string_append (out, "0.");
          for (int i = 0; i < -decpt; i++)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
      else if (decpt < n_digits)
        {
          g_string_append_len (out, digits, decpt);
          g_string_append_c (out, '.');
          g_string_append (out, digits + decpt);
        }
      else
        {
          g_string_append (out, digits);
          for (int i = n_digits; i < decpt; i++)
            g_string_append_c (out, '0');
          g_string_append (out, ".0");
        }
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
}

static void
write_indent (GString *out,
              guint    level)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

static void
write_node (GString  *out,
            JsonNode *node,
            gboolean  pretty,
            guint     level)
{
  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        if (json_object_get_size (object) == 0)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            if (pretty)
              write_indent (out, level + 1);
            else if (!first)
              g_string_append_c (out, ' ');
            first = FALSE;
            write_string (out, name);
            g_string_append (out, ": ");
            write_node (out, member, pretty, level + 1);
          }
        if (pretty)
          write_indent (out, level);
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            if (pretty)
              write_indent (out, level + 1);
            else if (i > 0)
              g_string_append_c (out, ' ');
            write_node (out, json_array_get_element (array, i), pretty, level + 1);
          }
        if (pretty)
          write_indent (out, level);
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          write_double (out, json_node_get_double (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_STRING)
          {
            const char *s = json_node_get_string (node);
            if (s != NULL)
              write_string (out, s);
            else
              g_string_append (out, "null");
          }
        else
          g_string_append (out, "null");
      }
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * strata_json_to_string:
 * @node: a JSON node
 * @pretty: whether to indent by two spaces, as `json.dumps(indent=2)`
 *
 * Writes @node byte for byte as Python's `json.dumps` does: `", "` and
 * `": "` separators, floats in their shortest round-trip form with `.0` on
 * integral values, `NaN`/`Infinity` tokens, and non-ASCII characters as
 * `\uXXXX` escapes. Member order is kept.
 *
 * Returns: (transfer full): the JSON text
 */
char *
strata_json_to_string (JsonNode *node,
                       gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, pretty, 0);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

struct _StrataJsonPath
{
  GString *str;
  GArray  *lengths;   /* of gsize: the length before each push */
};

StrataJsonPath *
strata_json_path_new (void)
{
  StrataJsonPath *path = g_new0 (StrataJsonPath, 1);

  path->str = g_string_new ("$");
  path->lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  return path;
}

void
strata_json_path_free (StrataJsonPath *path)
{
  if (path == NULL)
    return;
  g_string_free (path->str, TRUE);
  g_array_unref (path->lengths);
  g_free (path);
}

static gboolean
is_identifier (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

/* ".member" for identifiers, else ["member"] with JSON escapes. */
static void
append_member (GString    *str,
               const char *member)
{
  if (is_identifier (member))
    {
      g_string_append_c (str, '.');
      g_string_append (str, member);
    }
  else
    {
      g_string_append_c (str, '[');
      write_string (str, member);
      g_string_append_c (str, ']');
    }
}

void
strata_json_path_push_member (StrataJsonPath *path,
                              const char     *member)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (member != NULL);

  g_array_append_val (path->lengths, path->str->len);
  append_member (path->str, member);
}

void
strata_json_path_push_index (StrataJsonPath *path,
                             guint           index)
{
  g_return_if_fail (path != NULL);

  g_array_append_val (path->lengths, path->str->len);
  g_string_append_printf (path->str, "[%u]", index);
}

void
strata_json_path_pop (StrataJsonPath *path)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (path->lengths->len > 0);

  g_string_truncate (path->str, g_array_index (path->lengths, gsize, path->lengths->len - 1));
  g_array_set_size (path->lengths, path->lengths->len - 1);
}

const char *
strata_json_path_get (StrataJsonPath *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return path->str->str;
}

/* "@path.@member", with "$" for a NULL @path. */
static char *
member_path (const char *path,
             const char *member)
{
  GString *str = g_string_new (path != NULL ? path : "$");

  append_member (str, member);
  return g_string_free (str, FALSE);
}

/* ------------------------------------------------------------------ */
/* Typed access                                                        */
/* ------------------------------------------------------------------ */

const char *
strata_json_describe_node (JsonNode *node)
{
  GType type;

  if (node == NULL)
    return _("nothing");

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
    default:
      type = json_node_get_value_type (node);
      if (type == G_TYPE_INT64)
        return _("an integer");
      if (type == G_TYPE_DOUBLE)
        return _("a number");
      if (type == G_TYPE_BOOLEAN)
        return _("a boolean");
      if (type == G_TYPE_STRING)
        return _("a string");
      return _("a value");
    }
}

static gboolean
set_type_error (GError     **error,
                const char  *path,
                const char  *expected,
                JsonNode    *found)
{
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
               _("%s: expected %s, found %s"), path, expected, strata_json_describe_node (found));
  return FALSE;
}

static gboolean
node_is_value_of (JsonNode *node,
                  GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Python's coercions, as Keras applies them to config values. Keras
 * configs are Python values and Keras uses them as Python does: `if
 * self.scale:` takes any truthy value, normalize_tuple() takes an int or
 * any sequence of int()-able values, and a bool is an int (True == 1). */

/**
 * strata_json_node_get_int:
 * @node: (nullable): a JSON node of a Keras config
 * @out: (out): return location for the integer
 *
 * Reads an integer as Keras uses one: a JSON integer, a boolean (a Python
 * bool is an int: `true` is 1) or an integral number such as `3.0`. A
 * non-integral number, a string, a list, an object or null is not an
 * integer; @out is then left unchanged.
 *
 * Returns: %TRUE if @node holds an integer
 */
gboolean
strata_json_node_get_int (JsonNode *node,
                          gint64   *out)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_BOOLEAN)
    *out = json_node_get_boolean (node) ? 1 : 0;
  else if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* An integral float only: Keras uses the value as a size or an axis,
       * where 2.5 fails later in Python. The range check comes first:
       * converting NaN or a double beyond int64 is undefined; 2^63 is exact. */
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != trunc (d))
        return FALSE;
      *out = (gint64) d;
    }
  else
    return FALSE;
  return TRUE;
}

/**
 * strata_json_node_get_double:
 * @node: (nullable): a JSON node of a Keras config
 * @out: (out): return location for the number
 *
 * Reads a number as Keras uses one: a JSON number (including `NaN` and
 * `Infinity`), an integer or a boolean. @out is left unchanged otherwise.
 *
 * Returns: %TRUE if @node holds a number
 */
gboolean
strata_json_node_get_double (JsonNode *node,
                             double   *out)
{
  gint64 i;

  if (node_is_value_of (node, G_TYPE_DOUBLE))
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  if (!strata_json_node_get_int (node, &i))
    return FALSE;
  *out = (double) i;
  return TRUE;
}

/**
 * strata_json_node_is_truthy:
 * @node: (nullable): a JSON node of a Keras config
 *
 * Python's truth value of @node, which is what Keras layers use for their
 * boolean options (`if self.scale:`): `false`, `0`, `0.0`, `""`, `[]`,
 * `{}`, an empty tf-keras tuple and `null` are false, every other value is
 * true (a string too, whatever it says, as `bool("false")` is true in
 * Python). A missing member (%NULL) is false as well; apply the option's
 * default before calling this.
 *
 * Returns: whether Python takes @node as true
 */
gboolean
strata_json_node_is_truthy (JsonNode *node)
{
  JsonArray *list;
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if ((list = strata_json_node_get_list (node)) != NULL)
    return json_array_get_length (list) > 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) > 0;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node) != 0.0;   /* NaN is true, as in Python */
  if (type == G_TYPE_STRING)
    return json_node_get_string (node)[0] != '\0';
  return TRUE;
}

/**
 * strata_json_node_get_list:
 * @node: (nullable): a JSON node of a Keras config
 *
 * Reads a Python list or tuple: a JSON array, or the encoding tf-keras
 * uses for tuples in its `.keras` configs and SavedModel metadata,
 * `{"class_name": "__tuple__", "items": [...]}`.
 *
 * Returns: (transfer none) (nullable): the items, owned by @node, or %NULL
 *   if @node is not a list
 */
JsonArray *
strata_json_node_get_list (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *class_name = json_object_get_member (object, "class_name");
      JsonNode *items = json_object_get_member (object, "items");

      if (class_name != NULL && node_is_value_of (class_name, G_TYPE_STRING) &&
          g_strcmp0 (json_node_get_string (class_name), "__tuple__") == 0 &&
          items != NULL && JSON_NODE_HOLDS_ARRAY (items))
        return json_node_get_array (items);
    }
  return NULL;
}

/* JSON null, like a missing member, gives the default of the int,
 * double and boolean getters: Keras writes null for unset options. */
gboolean
strata_json_get_int (JsonObject  *object,
                     const char  *member,
                     const char  *path,
                     gint64       default_value,
                     gint64      *out,
                     GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = default_value;
      return TRUE;
    }
  if (!strata_json_node_get_int (node, out))
    {
      g_autofree char *full = member_path (path, member);
      return set_type_error (error, full, _("an integer"), node);
    }
  return TRUE;
}

gboolean
strata_json_get_double (JsonObject  *object,
                        const char  *member,
                        const char  *path,
                        double       default_value,
                        double      *out,
                        GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = default_value;
      return TRUE;
    }
  if (!strata_json_node_get_double (node, out))
    {
      g_autofree char *full = member_path (path, member);
      return set_type_error (error, full, _("a number"), node);
    }
  return TRUE;
}

gboolean
strata_json_get_boolean (JsonObject  *object,
                         const char  *member,
                         const char  *path,
                         gboolean     default_value,
                         gboolean    *out,
                         GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  /* Python's truth value: an explicit null is false (`if None:`), only a
   * missing member takes the default. */
  node = json_object_get_member (object, member);
  *out = node == NULL ? default_value : strata_json_node_is_truthy (node);
  return TRUE;
}

gboolean
strata_json_get_string (JsonObject  *object,
                        const char  *member,
                        const char  *path,
                        const char  *default_value,
                        const char **out,
                        GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL)
    {
      *out = default_value;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!node_is_value_of (node, G_TYPE_STRING))
    {
      g_autofree char *full = member_path (path, member);
      return set_type_error (error, full, _("a string"), node);
    }
  *out = json_node_get_string (node);
  return TRUE;
}

/* A missing member (or null without @allow_null) leaves @out untouched,
 * so callers fill it with their defaults first. */
gboolean
strata_json_get_int_tuple (JsonObject  *object,
                           const char  *member,
                           const char  *path,
                           guint        n_out,
                           gboolean     allow_null,
                           gint64      *out,
                           GError     **error)
{
  g_autofree char *full = NULL;
  JsonNode *node;
  JsonArray *array;
  gint64 value;

  g_return_val_if_fail (object != NULL && member != NULL, FALSE);
  g_return_val_if_fail (n_out == 0 || out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL)
    return TRUE;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (allow_null)
        for (guint i = 0; i < n_out; i++)
          out[i] = STRATA_DIM_UNKNOWN;
      return TRUE;
    }

  full = member_path (path, member);

  if (strata_json_node_get_int (node, &value))
    {
      for (guint i = 0; i < n_out; i++)
        out[i] = value;
      return TRUE;
    }

  array = strata_json_node_get_list (node);
  if (array == NULL)
    {
      g_autofree char *expected = g_strdup_printf (_("an integer or a list of %u integers"), n_out);
      return set_type_error (error, full, expected, node);
    }

  if (json_array_get_length (array) != n_out)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   _("%s: expected a list of %u integers, found %u elements"),
                   full, n_out, json_array_get_length (array));
      return FALSE;
    }

  for (guint i = 0; i < n_out; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (allow_null && JSON_NODE_HOLDS_NULL (element))
        out[i] = STRATA_DIM_UNKNOWN;
      else if (!strata_json_node_get_int (element, &out[i]))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", full, i);
          return set_type_error (error, element_path,
                                 allow_null ? _("an integer or null") : _("an integer"),
                                 element);
        }
    }

  return TRUE;
}

StrataShape *
strata_json_to_shape (JsonNode    *node,
                      const char  *path,
                      GError     **error)
{
  gint64 dims[STRATA_MAX_RANK];
  JsonArray *array;
  guint rank;
  guint64 product = 1;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = "$";

  array = node != NULL ? strata_json_node_get_list (node) : NULL;
  if (array == NULL)
    {
      set_type_error (error, path, _("a shape (a list of integers and nulls)"), node);
      return NULL;
    }

  rank = json_array_get_length (array);
  if (rank > STRATA_MAX_RANK)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   _("%s: a shape of rank %u is above the limit of %d"),
                   path, rank, STRATA_MAX_RANK);
      return NULL;
    }

  for (guint i = 0; i < rank; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_NULL (element))
        {
          dims[i] = STRATA_DIM_UNKNOWN;
          continue;
        }
      if (!strata_json_node_get_int (element, &dims[i]))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
          set_type_error (error, element_path, _("an integer or null"), element);
          return NULL;
        }
      if (dims[i] < 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       _("%s[%u]: a dimension cannot be negative (%" PRId64 ")"),
                       path, i, dims[i]);
          return NULL;
        }
    }

  /* Known dimensions must multiply to something a tensor could hold, so
   * that no later size computation overflows. */
  for (guint i = 0; i < rank; i++)
    if (dims[i] > 0 &&
        (!g_uint64_checked_mul (&product, product, (guint64) dims[i]) || product > G_MAXINT64))
      {
        g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                     _("%s: the dimensions of the shape multiply to more than 2^63"), path);
        return NULL;
      }

  return strata_shape_new (rank, dims);
}

JsonNode *
strata_json_from_shape (StrataShape *shape)
{
  JsonNode *node;
  JsonArray *array;
  guint rank;
  const gint64 *dims;

  g_return_val_if_fail (shape != NULL, NULL);

  node = json_node_alloc ();
  dims = strata_shape_get_dims (shape, &rank);
  array = json_array_sized_new (rank);
  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] == STRATA_DIM_UNKNOWN)
        json_array_add_null_element (array);
      else
        json_array_add_int_element (array, dims[i]);
    }
  json_node_init (node, JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

/* ------------------------------------------------------------------ */
/* Copies and comparison                                               */
/* ------------------------------------------------------------------ */

static JsonNode *node_copy_deep (JsonNode *node);

static JsonArray *
array_copy_deep (JsonArray *array)
{
  guint n = json_array_get_length (array);
  JsonArray *copy = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    json_array_add_element (copy, node_copy_deep (json_array_get_element (array, i)));
  return copy;
}

JsonObject *
strata_json_object_copy (JsonObject *object)
{
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (object == NULL)
    return NULL;

  copy = json_object_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (copy, name, node_copy_deep (member));
  return copy;
}

/* json_node_copy() shares containers; this copies them. */
static JsonNode *
node_copy_deep (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      copy = json_node_alloc ();
      json_node_take_object (json_node_init (copy, JSON_NODE_OBJECT),
                             strata_json_object_copy (json_node_get_object (node)));
      return copy;
    case JSON_NODE_ARRAY:
      copy = json_node_alloc ();
      json_node_take_array (json_node_init (copy, JSON_NODE_ARRAY),
                            array_copy_deep (json_node_get_array (node)));
      return copy;
    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      copy = json_node_copy (node);
      /* A copy of an immutable node is immutable; callers edit copies. */
      if (json_node_is_immutable (copy))
        {
          JsonNode *mutable_copy = json_node_alloc ();
          if (JSON_NODE_HOLDS_NULL (node))
            json_node_init_null (mutable_copy);
          else
            {
              GValue value = G_VALUE_INIT;
              json_node_get_value (node, &value);
              json_node_init (mutable_copy, JSON_NODE_VALUE);
              json_node_set_value (mutable_copy, &value);
              g_value_unset (&value);
            }
          json_node_unref (copy);
          copy = mutable_copy;
        }
      return copy;
    }
}

JsonNode *
strata_json_node_copy (JsonNode *node)
{
  return node != NULL ? node_copy_deep (node) : NULL;
}

gboolean
strata_json_equal (JsonNode *a,
                   JsonNode *b)
{
  GType type;

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;
        json_object_iter_init (&iter, oa);
        while (json_object_iter_next (&iter, &name, &member))
          if (!strata_json_equal (member, json_object_get_member (ob, name)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);

        if (json_array_get_length (ab) != n)
          return FALSE;
        for (guint i = 0; i < n; i++)
          if (!strata_json_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
    default:
      type = json_node_get_value_type (a);
      if (type != json_node_get_value_type (b))
        return FALSE;
      if (type == G_TYPE_INT64)
        return json_node_get_int (a) == json_node_get_int (b);
      if (type == G_TYPE_BOOLEAN)
        return !json_node_get_boolean (a) == !json_node_get_boolean (b);
      if (type == G_TYPE_STRING)
        return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      if (type == G_TYPE_DOUBLE)
        {
          double da = json_node_get_double (a);
          double db = json_node_get_double (b);
          if (isnan (da) && isnan (db))
            return TRUE;
          return memcmp (&da, &db, sizeof (double)) == 0;
        }
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* GValue <-> JSON                                                     */
/* ------------------------------------------------------------------ */

static JsonNode *
node_take_array (JsonNode  *node,
                 JsonArray *array)
{
  json_node_init (node, JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
node_take_object (JsonNode   *node,
                  JsonObject *object)
{
  json_node_init (node, JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* Returns NULL for a GValue type that has no JSON form. */
JsonNode *
strata_json_from_value (const GValue *value)
{
  GType type;
  JsonNode *node;

  g_return_val_if_fail (G_IS_VALUE (value), NULL);

  type = G_VALUE_TYPE (value);
  node = json_node_alloc ();

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return json_node_init_boolean (node, g_value_get_boolean (value));
    case G_TYPE_CHAR:
      return json_node_init_int (node, g_value_get_schar (value));
    case G_TYPE_UCHAR:
      return json_node_init_int (node, g_value_get_uchar (value));
    case G_TYPE_INT:
      return json_node_init_int (node, g_value_get_int (value));
    case G_TYPE_UINT:
      return json_node_init_int (node, g_value_get_uint (value));
    case G_TYPE_LONG:
      return json_node_init_int (node, g_value_get_long (value));
    case G_TYPE_ULONG:
      if ((guint64) g_value_get_ulong (value) > G_MAXINT64)
        return json_node_init_double (node, (double) g_value_get_ulong (value));
      return json_node_init_int (node, (gint64) g_value_get_ulong (value));
    case G_TYPE_INT64:
      return json_node_init_int (node, g_value_get_int64 (value));
    case G_TYPE_UINT64:
      /* JSON integers here are 64-bit signed; larger ones become doubles. */
      if (g_value_get_uint64 (value) > G_MAXINT64)
        return json_node_init_double (node, (double) g_value_get_uint64 (value));
      return json_node_init_int (node, (gint64) g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return json_node_init_double (node, g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return json_node_init_double (node, g_value_get_double (value));
    case G_TYPE_STRING:
      if (g_value_get_string (value) == NULL)
        return json_node_init_null (node);
      return json_node_init_string (node, g_value_get_string (value));
    case G_TYPE_ENUM:
      {
        g_autoptr(GEnumClass) klass = g_type_class_ref (type);
        GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (value));
        if (ev == NULL)
          return json_node_init_int (node, g_value_get_enum (value));
        return json_node_init_string (node, ev->value_nick);
      }
    case G_TYPE_FLAGS:
      {
        g_autoptr(GFlagsClass) klass = g_type_class_ref (type);
        guint flags = g_value_get_flags (value);
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < klass->n_values; i++)
          if (klass->values[i].value != 0 &&
              (flags & klass->values[i].value) == klass->values[i].value)
            {
              json_array_add_string_element (array, klass->values[i].value_nick);
              flags &= ~klass->values[i].value;
            }
        return node_take_array (node, array);
      }
    case G_TYPE_BOXED:
      {
        gpointer boxed = g_value_get_boxed (value);

        if (boxed == NULL)
          return json_node_init_null (node);
        if (type == G_TYPE_STRV)
          {
            JsonArray *array = json_array_new ();
            for (char **s = boxed; *s != NULL; s++)
              json_array_add_string_element (array, *s);
            return node_take_array (node, array);
          }
        if (type == JSON_TYPE_NODE)
          {
            json_node_unref (node);
            return node_copy_deep (boxed);
          }
        if (type == JSON_TYPE_OBJECT)
          return node_take_object (node, strata_json_object_copy (boxed));
        if (type == JSON_TYPE_ARRAY)
          return node_take_array (node, array_copy_deep (boxed));
        if (type == STRATA_TYPE_SHAPE)
          {
            json_node_unref (node);
            return strata_json_from_shape (boxed);
          }
      }
      break;
    default:
      break;
    }

  json_node_unref (node);
  return NULL;
}

static gboolean
check_int_range (JsonNode    *node,
                 const char  *path,
                 gint64       min,
                 gint64       max,
                 gint64      *out,
                 GError     **error)
{
  if (!strata_json_node_get_int (node, out))
    return set_type_error (error, path, _("an integer"), node);
  if (*out < min || *out > max)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   _("%s: expected an integer from %" PRId64 " to %" PRId64
                     ", found %" PRId64),
                   path, min, max, *out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
enum_from_nick (GType        type,
                JsonNode    *node,
                const char  *path,
                int         *out,
                GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  g_autoptr(GString) choices = NULL;
  const char *nick;
  GEnumValue *ev;

  if (!node_is_value_of (node, G_TYPE_STRING))
    return set_type_error (error, path, _("a string"), node);

  nick = json_node_get_string (node);
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev != NULL)
    {
      *out = ev->value;
      return TRUE;
    }

  choices = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (choices, "%s“%s”", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
               _("%s: expected one of %s, found “%s”"), path, choices->str, nick);
  return FALSE;
}

static gboolean
flags_from_nicks (GType        type,
                  JsonNode    *node,
                  const char  *path,
                  guint       *out,
                  GError     **error)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (type);
  JsonArray *array;
  guint n;

  *out = 0;
  if (node_is_value_of (node, G_TYPE_STRING))
    {
      GFlagsValue *fv = g_flags_get_value_by_nick (klass, json_node_get_string (node));
      if (fv == NULL)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       _("%s: unknown flag “%s”"), path, json_node_get_string (node));
          return FALSE;
        }
      *out = fv->value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_type_error (error, path, _("a list of strings"), node);

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
      GFlagsValue *fv;

      if (!node_is_value_of (element, G_TYPE_STRING))
        return set_type_error (error, element_path, _("a string"), element);
      fv = g_flags_get_value_by_nick (klass, json_node_get_string (element));
      if (fv == NULL)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       _("%s: unknown flag “%s”"), element_path, json_node_get_string (element));
          return FALSE;
        }
      *out |= fv->value;
    }
  return TRUE;
}

/* @value must be initialised to the target type. */
gboolean
strata_json_to_value (JsonNode     *node,
                      GValue       *value,
                      const char   *path,
                      GError      **error)
{
  GType type;
  gint64 i;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    path = "$";
  type = G_VALUE_TYPE (value);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, strata_json_node_is_truthy (node));
      return TRUE;
    case G_TYPE_CHAR:
      if (!check_int_range (node, path, G_MININT8, G_MAXINT8, &i, error))
        return FALSE;
      g_value_set_schar (value, (gint8) i);
      return TRUE;
    case G_TYPE_UCHAR:
      if (!check_int_range (node, path, 0, G_MAXUINT8, &i, error))
        return FALSE;
      g_value_set_uchar (value, (guchar) i);
      return TRUE;
    case G_TYPE_INT:
      if (!check_int_range (node, path, G_MININT, G_MAXINT, &i, error))
        return FALSE;
      g_value_set_int (value, (int) i);
      return TRUE;
    case G_TYPE_UINT:
      if (!check_int_range (node, path, 0, G_MAXUINT, &i, error))
        return FALSE;
      g_value_set_uint (value, (guint) i);
      return TRUE;
    case G_TYPE_LONG:
      if (!check_int_range (node, path, G_MINLONG, G_MAXLONG, &i, error))
        return FALSE;
      g_value_set_long (value, (glong) i);
      return TRUE;
    case G_TYPE_ULONG:
      if (!check_int_range (node, path, 0, (gint64) MIN ((guint64) G_MAXULONG, (guint64) G_MAXINT64), &i, error))
        return FALSE;
      g_value_set_ulong (value, (gulong) i);
      return TRUE;
    case G_TYPE_INT64:
      if (!check_int_range (node, path, G_MININT64, G_MAXINT64, &i, error))
        return FALSE;
      g_value_set_int64 (value, i);
      return TRUE;
    case G_TYPE_UINT64:
      if (!check_int_range (node, path, 0, G_MAXINT64, &i, error))
        return FALSE;
      g_value_set_uint64 (value, (guint64) i);
      return TRUE;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      {
        double d;
        if (!strata_json_node_get_double (node, &d))
          return set_type_error (error, path, _("a number"), node);
        if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_FLOAT)
          g_value_set_float (value, (float) d);
        else
          g_value_set_double (value, d);
        return TRUE;
      }
    case G_TYPE_STRING:
      if (JSON_NODE_HOLDS_NULL (node))
        g_value_set_string (value, NULL);
      else if (node_is_value_of (node, G_TYPE_STRING))
        g_value_set_string (value, json_node_get_string (node));
      else
        return set_type_error (error, path, _("a string"), node);
      return TRUE;
    case G_TYPE_ENUM:
      {
        int v;
        if (!enum_from_nick (type, node, path, &v, error))
          return FALSE;
        g_value_set_enum (value, v);
        return TRUE;
      }
    case G_TYPE_FLAGS:
      {
        guint v;
        if (!flags_from_nicks (type, node, path, &v, error))
          return FALSE;
        g_value_set_flags (value, v);
        return TRUE;
      }
    case G_TYPE_BOXED:
      if (type == JSON_TYPE_NODE)
        {
          g_value_take_boxed (value, node_copy_deep (node));
          return TRUE;
        }
      if (JSON_NODE_HOLDS_NULL (node))
        {
          g_value_set_boxed (value, NULL);
          return TRUE;
        }
      if (type == G_TYPE_STRV)
        {
          JsonArray *array;
          g_autoptr(GStrvBuilder) builder = NULL;
          guint n;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return set_type_error (error, path, _("a list of strings"), node);
          array = json_node_get_array (node);
          n = json_array_get_length (array);
          builder = g_strv_builder_new ();
          for (guint k = 0; k < n; k++)
            {
              JsonNode *element = json_array_get_element (array, k);
              if (!node_is_value_of (element, G_TYPE_STRING))
                {
                  g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, k);
                  return set_type_error (error, element_path, _("a string"), element);
                }
              g_strv_builder_add (builder, json_node_get_string (element));
            }
          g_value_take_boxed (value, g_strv_builder_end (builder));
          return TRUE;
        }
      if (type == JSON_TYPE_OBJECT)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return set_type_error (error, path, _("an object"), node);
          g_value_take_boxed (value, strata_json_object_copy (json_node_get_object (node)));
          return TRUE;
        }
      if (type == JSON_TYPE_ARRAY)
        {
          if (!JSON_NODE_HOLDS_ARRAY (node))
            return set_type_error (error, path, _("an array"), node);
          g_value_take_boxed (value, array_copy_deep (json_node_get_array (node)));
          return TRUE;
        }
      if (type == STRATA_TYPE_SHAPE)
        {
          StrataShape *shape = strata_json_to_shape (node, path, error);
          if (shape == NULL)
            return FALSE;
          g_value_take_boxed (value, shape);
          return TRUE;
        }
      break;
    default:
      break;
    }

  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
               _("%s: values of type %s cannot be read from JSON"), path, g_type_name (type));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

char *
strata_json_key_to_property (const char *key)
{
  char *property;

  g_return_val_if_fail (key != NULL, NULL);

  property = g_strdup (key);
  g_strdelimit (property, "_", '-');
  return property;
}

char *
strata_json_property_to_key (const char *property)
{
  char *key;

  g_return_val_if_fail (property != NULL, NULL);

  key = g_strdup (property);
  g_strdelimit (key, "-", '_');
  return key;
}
