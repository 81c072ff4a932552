/* strata-json-parse.c: Python-compatible JSON parsing (NaN, Infinity, depth limit)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-i18n-private.h"

/* One pass of recursive descent that builds json-glib's tree directly, the
 * tree json-glib's JsonParser would build (same node and value types, the
 * same parent pointers, members in their first order with the last value
 * of a repeated name, as json_object_set_member() and Python's dict do),
 * for the language of Python's json module. Positions are byte offsets
 * until an error needs a line and a column. */

typedef enum {
  FAIL_SYNTAX,        /* INVALID: "Invalid JSON at line, column: what" */
  FAIL_UNSUPPORTED,   /* UNSUPPORTED: valid JSON that a C string cannot hold */
  FAIL_INTEGER,       /* LIMIT: what is the integer */
  FAIL_DEPTH,         /* LIMIT */
} FailKind;

typedef struct {
  const char *data;
  const char *p;
  const char *end;
  /* Decoded strings, stacked: an object's member name stays below the
   * strings of its value until the member is added. */
  GString    *scratch;
  guint       depth;

  gboolean    failed;
  FailKind    fail_kind;
  const char *fail_at;
  char       *fail_what;
} Reader;

static void
fail (Reader     *reader,
      FailKind    kind,
      const char *at,
      char       *what)   /* (transfer full) */
{
  reader->failed = TRUE;
  reader->fail_kind = kind;
  reader->fail_at = at;
  reader->fail_what = what;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '+' || c == '.';
}

/* The length of the word at @p: a number or a bare token, and whatever
 * letters, digits and signs stick to it. */
static gsize
word_length (const Reader *reader,
             const char   *p)
{
  const char *q = p;

  while (q < reader->end && is_word_char (*q))
    q++;
  return (gsize) (q - p);
}

/* What stands at @p, for "unexpected ...". */
static char *
describe_at (const Reader *reader,
             const char   *p)
{
  gsize word = p < reader->end ? word_length (reader, p) : 0;

  if (p == reader->end)
    return g_strdup (_("end of the text"));
  if (word > 0)
    return g_strdup_printf ("“%.*s%s”", (int) MIN (word, 40), p, word > 40 ? "…" : "");
  if (*p == '\0')
    return g_strdup (_("NUL byte"));
  if (g_ascii_isprint (*p))
    return g_strdup_printf ("“%c”", *p);
  /* Translators: a byte value in hexadecimal, describing what was found */
  return g_strdup_printf (_("byte 0x%02x"), (guchar) *p);
}

/* Fails at reader->p with @format, a literal with one %s for what is
 * there (describe_at()). */
#define fail_unexpected(reader, format) \
  G_STMT_START { \
    g_autofree char *found_ = describe_at ((reader), (reader)->p); \
    fail ((reader), FAIL_SYNTAX, (reader)->p, g_strdup_printf ((format), found_)); \
  } G_STMT_END

static inline void
skip_space (Reader *reader)
{
  const char *p = reader->p;

  while (p < reader->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  reader->p = p;
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

/* The four hex digits after "\u" at @p, or -1. */
static int
read_hex4 (const Reader *reader,
           const char   *p)
{
  int value = 0;

  if (reader->end - p < 6)
    return -1;
  for (int k = 2; k < 6; k++)
    {
      int h = hex_value (p[k]);
      if (h < 0)
        return -1;
      value = value * 16 + h;
    }
  return value;
}

/* Decodes the escape at reader->p (a backslash) onto the scratch.
 * json-glib's strings end at a NUL, so a string ends at \u0000, as it did
 * when json-glib parsed (Lambda layers of old h5 files hold marshalled
 * code with NULs). Python also takes lone surrogates, which json-glib
 * refuses or garbles; they are refused here. */
static gboolean
read_escape (Reader *reader)
{
  const char *p = reader->p;
  char e = p + 1 < reader->end ? p[1] : '\0';
  int code;

  switch (e)
    {
    case '"': case '\\': case '/':
      g_string_append_c (reader->scratch, e);
      reader->p = p + 2;
      return TRUE;
    case 'b': g_string_append_c (reader->scratch, '\b'); reader->p = p + 2; return TRUE;
    case 'f': g_string_append_c (reader->scratch, '\f'); reader->p = p + 2; return TRUE;
    case 'n': g_string_append_c (reader->scratch, '\n'); reader->p = p + 2; return TRUE;
    case 'r': g_string_append_c (reader->scratch, '\r'); reader->p = p + 2; return TRUE;
    case 't': g_string_append_c (reader->scratch, '\t'); reader->p = p + 2; return TRUE;
    case 'u':
      break;
    default:
      fail (reader, FAIL_SYNTAX, p, g_strdup (_("invalid escape in a string")));
      return FALSE;
    }

  code = read_hex4 (reader, p);
  if (code < 0)
    {
      fail (reader, FAIL_SYNTAX, p, g_strdup (_("invalid \\u escape in a string")));
      return FALSE;
    }
  reader->p = p + 6;
  if (code >= 0xd800 && code < 0xdc00 && reader->end - reader->p >= 6 &&
      reader->p[0] == '\\' && reader->p[1] == 'u')
    {
      int low = read_hex4 (reader, reader->p);
      if (low >= 0xdc00 && low < 0xe000)
        {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          reader->p += 6;
        }
    }
  if (code >= 0xd800 && code < 0xe000)
    {
      fail (reader, FAIL_UNSUPPORTED, p,
            /* Translators: a hexadecimal UTF-16 code unit */
            g_strdup_printf (_("the lone UTF-16 surrogate \\u%04x in a string"), (guint) code));
      return FALSE;
    }
  {
    char utf8[6];
    g_string_append_len (reader->scratch, utf8, g_unichar_to_utf8 ((gunichar) code, utf8));
  }
  return TRUE;
}

/* Reads the string at reader->p (a quote) and appends it, NUL-terminated,
 * to the scratch; returns its offset there, or -1. */
static gssize
read_string (Reader *reader)
{
  const char *open = reader->p;
  const char *p = open + 1;
  gssize start = (gssize) reader->scratch->len;

  for (;;)
    {
      const char *run = p;
      guchar high = 0;

      /* Plain characters up to a quote, a backslash or a control one. */
      while (p < reader->end && (guchar) *p >= 0x20 && *p != '"' && *p != '\\')
        high |= (guchar) *p++;
      /* Runs end at ASCII, so checking each run checks all the string. */
      if ((high & 0x80) != 0 && !g_utf8_validate_len (run, (gsize) (p - run), NULL))
        {
          /* strata_json_parse() finds the byte */
          fail (reader, FAIL_SYNTAX, run, g_strdup (_("the text is not valid UTF-8")));
          return -1;
        }
      g_string_append_len (reader->scratch, run, p - run);

      if (p == reader->end)
        {
          fail (reader, FAIL_SYNTAX, open, g_strdup (_("unterminated string")));
          return -1;
        }
      if (*p == '"')
        break;
      if (*p != '\\')
        {
          fail (reader, FAIL_SYNTAX, p, g_strdup (_("control character in a string (it must be escaped)")));
          return -1;
        }
      reader->p = p;
      if (!read_escape (reader))
        return -1;
      p = reader->p;
    }

  reader->p = p + 1;
  g_string_append_c (reader->scratch, '\0');
  return start;
}

/* A number, to the grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * that Python and JSON share: json-glib would also take leading zeros
 * (as octal), 0x, "+1", ".5" and "1.", and wrap integers beyond 64 bits.
 * Integers become gint64 nodes ("-0" is 0), the others doubles rounded
 * as g_ascii_strtod() (and Python's float()) round them. */
static JsonNode *
read_number (Reader *reader)
{
  const char *start = reader->p;
  const char *p = start;
  const char *end = reader->end;
  gboolean negative = FALSE;
  gboolean is_integer = TRUE;
  guint64 magnitude = 0;
  gboolean overflow = FALSE;
  gsize len;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && g_ascii_isdigit (*p))
      {
        guint digit = (guint) (*p++ - '0');
        overflow |= magnitude > (G_MAXUINT64 - digit) / 10;
        magnitude = magnitude * 10 + digit;
      }
  else
    goto invalid;
  if (p < end && *p == '.')
    {
      is_integer = FALSE;
      p++;
      if (p == end || !g_ascii_isdigit (*p))
        goto invalid;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      is_integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !g_ascii_isdigit (*p))
        goto invalid;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && is_word_char (*p))
    goto invalid;

  reader->p = p;
  len = (gsize) (p - start);
  if (is_integer)
    {
      if (overflow || magnitude > (guint64) G_MAXINT64 + negative)
        {
          fail (reader, FAIL_INTEGER, start, g_strndup (start, len));
          return NULL;
        }
      /* -(2^63) without signed overflow */
      return json_node_init_int (json_node_alloc (),
                                 negative ? (gint64) (0 - magnitude) : (gint64) magnitude);
    }
  else
    {
      /* g_ascii_strtod() wants a terminated string; the text need not be. */
      char buffer[64];
      g_autofree char *long_token = NULL;
      const char *token = buffer;

      if (len < sizeof buffer)
        {
          memcpy (buffer, start, len);
          buffer[len] = '\0';
        }
      else
        token = long_token = g_strndup (start, len);
      return json_node_init_double (json_node_alloc (), g_ascii_strtod (token, NULL));
    }

invalid:
  {
    g_autofree char *word = g_strndup (start, MAX (word_length (reader, start), 1));
    /* Translators: the text that does not parse as a number */
    fail (reader, FAIL_SYNTAX, start, g_strdup_printf (_("invalid number “%s”"), word));
  }
  return NULL;
}

static JsonNode *read_value (Reader *reader);

/* Nesting beyond the limit fails before recursing further. */
static gboolean
enter (Reader *reader)
{
  if (reader->depth == STRATA_JSON_MAX_DEPTH)
    {
      fail (reader, FAIL_DEPTH, reader->p, NULL);
      return FALSE;
    }
  reader->depth++;
  reader->p++;
  skip_space (reader);
  return TRUE;
}

typedef enum { ITEM_MORE, ITEM_CLOSED, ITEM_OTHER } ItemEnd;

/* What follows an element or a member: a comma (skipped, with the space
 * after it), the container's @close (left for the caller), or else. */
static ItemEnd
after_item (Reader *reader, char close)
{
  skip_space (reader);
  if (reader->p < reader->end && *reader->p == ',')
    {
      reader->p++;
      skip_space (reader);
      return ITEM_MORE;
    }
  return reader->p < reader->end && *reader->p == close ? ITEM_CLOSED : ITEM_OTHER;
}

static JsonNode *
read_array (Reader *reader)
{
  JsonArray *array;
  JsonNode *node;

  if (!enter (reader))
    return NULL;
  array = json_array_new ();
  node = json_node_init (json_node_alloc (), JSON_NODE_ARRAY);
  json_node_take_array (node, array);

  if (reader->p < reader->end && *reader->p == ']')
    goto done;
  for (;;)
    {
      JsonNode *element = read_value (reader);

      if (element == NULL)
        goto error;
      json_node_set_parent (element, node);
      json_array_add_element (array, element);

      switch (after_item (reader, ']'))
        {
        case ITEM_MORE:
          continue;
        case ITEM_CLOSED:
          goto done;
        default:
          /* Translators: what was found, e.g. “2” or “the end of the text” */
          fail_unexpected (reader, _("unexpected %s, expected “,” or “]”"));
          goto error;
        }
    }

done:
  reader->p++;
  reader->depth--;
  return node;

error:
  json_node_unref (node);
  return NULL;
}

static JsonNode *
read_object (Reader *reader)
{
  JsonObject *object;
  JsonNode *node;

  if (!enter (reader))
    return NULL;
  object = json_object_new ();
  node = json_node_init (json_node_alloc (), JSON_NODE_OBJECT);
  json_node_take_object (node, object);

  if (reader->p < reader->end && *reader->p == '}')
    goto done;
  for (;;)
    {
      JsonNode *member;
      gssize name;

      if (reader->p == reader->end || *reader->p != '"')
        {
          /* Translators: what was found, e.g. “2” or “the end of the text” */
          fail_unexpected (reader, _("unexpected %s, expected a member name in double quotes"));
          goto error;
        }
      name = read_string (reader);
      if (name < 0)
        goto error;

      skip_space (reader);
      if (reader->p == reader->end || *reader->p != ':')
        {
          /* Translators: what was found, e.g. “2” or “the end of the text” */
          fail_unexpected (reader, _("unexpected %s, expected “:”"));
          goto error;
        }
      reader->p++;
      skip_space (reader);

      member = read_value (reader);
      if (member == NULL)
        goto error;
      json_node_set_parent (member, node);
      /* json_object_set_member() copies the name. */
      json_object_set_member (object, reader->scratch->str + name, member);
      g_string_truncate (reader->scratch, (gsize) name);

      switch (after_item (reader, '}'))
        {
        case ITEM_MORE:
          continue;
        case ITEM_CLOSED:
          goto done;
        default:
          /* Translators: what was found, e.g. “2” or “the end of the text” */
          fail_unexpected (reader, _("unexpected %s, expected “,” or “}”"));
          goto error;
        }
    }

done:
  reader->p++;
  reader->depth--;
  return node;

error:
  json_node_unref (node);
  return NULL;
}

/* The word at reader->p is exactly @token. */
static gboolean
word_is (Reader     *reader,
         const char *token,
         gsize       len)
{
  if ((gsize) (reader->end - reader->p) < len || memcmp (reader->p, token, len) != 0 ||
      (reader->p + len < reader->end && is_word_char (reader->p[len])))
    return FALSE;
  reader->p += len;
  return TRUE;
}

/* A value at reader->p (after white space). */
static JsonNode *
read_value (Reader *reader)
{
  char c = reader->p < reader->end ? *reader->p : '\0';

  switch (c)
    {
    case '{':
      return read_object (reader);
    case '[':
      return read_array (reader);
    case '"':
      {
        gssize at = read_string (reader);
        JsonNode *node;

        if (at < 0)
          return NULL;
        node = json_node_init_string (json_node_alloc (), reader->scratch->str + at);
        g_string_truncate (reader->scratch, (gsize) at);
        return node;
      }
    case 't':
      if (word_is (reader, "true", 4))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      break;
    case 'f':
      if (word_is (reader, "false", 5))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      break;
    case 'n':
      if (word_is (reader, "null", 4))
        return json_node_init_null (json_node_alloc ());
      break;
    /* Python writes these bare tokens for non-finite floats. */
    case 'N':
      if (word_is (reader, "NaN", 3))
        return json_node_init_double (json_node_alloc (), NAN);
      break;
    case 'I':
      if (word_is (reader, "Infinity", 8))
        return json_node_init_double (json_node_alloc (), INFINITY);
      break;
    case '-':
      if (word_is (reader, "-Infinity", 9))
        return json_node_init_double (json_node_alloc (), -INFINITY);
      return read_number (reader);
    case '+':
    case '.':
      return read_number (reader);
    default:
      if (g_ascii_isdigit (c))
        return read_number (reader);
      break;
    }

  /* Translators: what was found, e.g. “2” or “the end of the text” */
  fail_unexpected (reader, _("unexpected %s, expected a value"));
  return NULL;
}

/* Line and column (in characters, 1-based) of @at, in valid UTF-8. */
static void
locate (const char *data,
        const char *at,
        guint      *line,
        guint      *column)
{
  const char *line_start = data;

  *line = 1;
  for (const char *p = data; p < at; p++)
    if (*p == '\n')
      {
        (*line)++;
        line_start = p + 1;
      }
  *column = 1;
  for (const char *p = line_start; p < at; p++)
    if (((guchar) *p & 0xc0) != 0x80)
      (*column)++;
}

/* The first byte of @data that is not UTF-8, or NULL; NUL is a character
 * like any other here (g_utf8_validate_len() refuses it). */
static const char *
find_invalid_utf8 (const char *data,
                   gsize       len)
{
  const char *end = data + len;
  const char *stop = NULL;

  while (!g_utf8_validate_len (data, (gsize) (end - data), &stop))
    {
      if (*stop != '\0')
        return stop;
      data = stop + 1;
    }
  return NULL;
}

static void
set_error_at (GError     **error,
              int          code,
              const char  *data,
              const char  *at,
              const char  *what)
{
  guint line, column;

  locate (data, at, &line, &column);
  g_set_error (error, STRATA_CONFIG_ERROR, code,
               /* Translators: a line number, a column number, then what is wrong there */
               _("Invalid JSON at line %u, column %u: %s"), line, column, what);
}

static void
set_fail_error (const Reader  *reader,
                GError       **error)
{
  guint line, column;

  locate (reader->data, reader->fail_at, &line, &column);
  switch (reader->fail_kind)
    {
    case FAIL_UNSUPPORTED:
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
                   /* Translators: a line number, a column number, then what is not supported there */
                   _("Unsupported JSON at line %u, column %u: %s"), line, column, reader->fail_what);
      break;
    case FAIL_INTEGER:
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: a line number, a column number, then the integer as written */
                   _("Invalid JSON at line %u, column %u: the integer %s does not fit in 64 bits"),
                   line, column, reader->fail_what);
      break;
    case FAIL_DEPTH:
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: the nesting limit, then a line number and a column number */
                   _("JSON nesting deeper than %d levels at line %u, column %u"),
                   STRATA_JSON_MAX_DEPTH, line, column);
      break;
    case FAIL_SYNTAX:
    default:
      set_error_at (error, STRATA_CONFIG_ERROR_INVALID, reader->data, reader->fail_at, reader->fail_what);
      break;
    }
}

/**
 * strata_json_parse:
 * @data: (array length=length) (element-type guint8): JSON text in UTF-8
 * @length: the length of @data in bytes, or -1 if it is nul-terminated
 * @error: return location for a [struct@GLib.Error]
 *
 * Parses JSON the way Python's json module writes it, as Keras stores
 * configs: the bare tokens `NaN`, `Infinity` and `-Infinity` are accepted
 * outside strings, while what Python refuses (comments, single quotes,
 * leading zeros, trailing text, invalid UTF-8) is refused. Integers are
 * 64-bit: larger ones, which Python takes, fail with
 * %STRATA_CONFIG_ERROR_LIMIT, as does nesting deeper than 512 levels. A
 * string ends at `\u0000` (the rest of it is checked, then dropped). A lone
 * UTF-16 surrogate, which Python takes, fails with
 * %STRATA_CONFIG_ERROR_UNSUPPORTED. Other errors are
 * %STRATA_CONFIG_ERROR_INVALID. Every message gives the line and the column
 * (in characters) where the text goes wrong; invalid UTF-8 anywhere is the
 * error reported, as Python decodes the text before it parses it.
 *
 * Returns: (transfer full): the parsed document, or %NULL with @error set
 */
JsonNode *
strata_json_parse (const char  *data,
                   gssize       length,
                   GError     **error)
{
  Reader reader = { 0 };
  const char *invalid = NULL;
  JsonNode *root = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (data == NULL)
    data = "";
  reader.data = reader.p = data;
  reader.end = data + len;

  skip_space (&reader);
  if (reader.p == reader.end)
    {
      g_set_error_literal (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                           _("Invalid JSON: the document is empty"));
      return NULL;
    }

  reader.scratch = g_string_sized_new (256);
  root = read_value (&reader);
  if (root != NULL)
    {
      skip_space (&reader);
      if (reader.p != reader.end)
        {
          fail (&reader, FAIL_SYNTAX, reader.p, g_strdup (_("extra data after the JSON value")));
          g_clear_pointer (&root, json_node_unref);
        }
    }
  g_string_free (reader.scratch, TRUE);

  if (root != NULL)
    return root;

  /* Outside strings only ASCII is read, and strings are checked: when the
   * text is not UTF-8, the reader failed, and that is the error to give. */
  invalid = find_invalid_utf8 (data, len);
  if (invalid != NULL)
    set_error_at (error, STRATA_CONFIG_ERROR_INVALID, data, invalid, _("the text is not valid UTF-8"));
  else
    set_fail_error (&reader, error);
  g_free (reader.fail_what);
  return NULL;
}
