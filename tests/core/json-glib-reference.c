/* json-glib-reference.c: the JSON parser Strata had before its own, kept
 * as the reference of the differential tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib's JsonParser, behind a pre-scan that refuses what Python's
 * json module refuses and swaps NaN, Infinity and -Infinity for marker
 * strings (turned back into doubles after parsing). Test code only.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strata-json-private.h"
#include "json-glib-reference.h"

#define _(text) (text)

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

/* The old strata_json_parse(), word for word. */
JsonNode *
json_glib_reference_parse (const char  *data,
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
/* Comparison                                                          */
/* ------------------------------------------------------------------ */

static gboolean
doubles_identical (double a,
                   double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) && isnan (b);
  return memcmp (&a, &b, sizeof a) == 0;
}

static gboolean
values_identical (JsonNode *a,
                  JsonNode *b)
{
  GType type = json_node_get_value_type (a);

  if (type != json_node_get_value_type (b))
    return FALSE;
  if (type == G_TYPE_INT64)
    return json_node_get_int (a) == json_node_get_int (b);
  if (type == G_TYPE_DOUBLE)
    return doubles_identical (json_node_get_double (a), json_node_get_double (b));
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (a) == json_node_get_boolean (b);
  if (type == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
  return FALSE;
}

static gboolean
identical (JsonNode *a,
           JsonNode *b,
           GString  *path)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) ma = json_object_get_members (oa);
        g_autoptr(GList) mb = json_object_get_members (ob);
        gsize len = path->len;

        if (g_list_length (ma) != g_list_length (mb) || json_object_get_size (oa) != g_list_length (ma))
          return FALSE;
        for (GList *la = ma, *lb = mb; la != NULL; la = la->next, lb = lb->next)
          {
            JsonNode *ca = json_object_get_member (oa, la->data);
            JsonNode *cb = json_object_get_member (ob, lb->data);

            g_string_append_printf (path, "[\"%s\"]", (const char *) la->data);
            if (strcmp (la->data, lb->data) != 0 ||
                json_node_get_parent (ca) != a || json_node_get_parent (cb) != b ||
                !identical (ca, cb, path))
              return FALSE;
            g_string_truncate (path, len);
          }
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);
        gsize len = path->len;

        if (n != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < n; i++)
          {
            JsonNode *ca = json_array_get_element (aa, i);
            JsonNode *cb = json_array_get_element (ab, i);

            g_string_append_printf (path, "[%u]", i);
            if (json_node_get_parent (ca) != a || json_node_get_parent (cb) != b ||
                !identical (ca, cb, path))
              return FALSE;
            g_string_truncate (path, len);
          }
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return values_identical (a, b);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

gboolean
json_glib_reference_identical (JsonNode  *a,
                               JsonNode  *b,
                               char     **where)
{
  g_autoptr(GString) path = g_string_new ("$");

  if (json_node_get_parent (a) == NULL && json_node_get_parent (b) == NULL && identical (a, b, path))
    return TRUE;
  if (where != NULL)
    *where = g_strdup (path->str);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The differential check                                              */
/* ------------------------------------------------------------------ */

gboolean
json_glib_reference_check (const char  *data,
                           gssize       length,
                           JsonNode   **parsed,
                           char       **problem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reference_error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (data, length, &error);
  g_autoptr(JsonNode) reference = json_glib_reference_parse (data, length, &reference_error);
  g_autofree char *where = NULL;

  *problem = NULL;
  /* Deliberate differences: Strata refuses lone surrogates (json-glib
   * refuses or garbles them), and no longer needs marker strings for NaN
   * and Infinity (which ran out when one-character strings used all
   * control characters). And a fix: json-glib ignores a container after a
   * value that is not one ("1{}", "null[2]"), which Python and Strata
   * refuse as extra data. */
  if (error != NULL)
    {
      if (error->code == STRATA_CONFIG_ERROR_UNSUPPORTED)
        return TRUE;
      if (reference != NULL && strstr (error->message, "extra data") != NULL &&
          !JSON_NODE_HOLDS_OBJECT (reference) && !JSON_NODE_HOLDS_ARRAY (reference))
        return TRUE;
      if (reference != NULL)
        *problem = g_strdup_printf ("strata_json_parse() refuses what json-glib takes (%s)",
                                    error->message);
    }
  else if (reference_error != NULL)
    {
      if (strstr (reference_error->message, "too many distinct") == NULL)
        *problem = g_strdup_printf ("strata_json_parse() takes what json-glib refuses (%s)",
                                    reference_error->message);
    }
  else if (!json_glib_reference_identical (node, reference, &where))
    *problem = g_strdup_printf ("the trees differ at %s", where);
  /* Both refusing is agreement: the pre-scan and json-glib find errors in
   * another order than one pass does. */
  if (*problem != NULL)
    return FALSE;
  if (parsed != NULL)
    *parsed = g_steal_pointer (&node);
  return TRUE;
}
