/* test-json-python.c: strata_json_parse() against Python's json module
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each text, with what Python's json.loads() makes of it, written by
 * json-python-cases.py (which prints this table) in render()'s notation:
 * i:INT, f:FLOAT as "%.17g", s:UTF-8 bytes (others than printable ASCII as
 * \xNN), None, True, False, [..], {key: value, ..} in the dict's order.
 * Errors give Python's line and column where Strata names the same place.
 * Where Strata differs on purpose (strings cut at \u0000, 64-bit integers,
 * lone surrogates) the script says so and how.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"

typedef enum {
  VALUE,                 /* Python's value */
  ERROR_AT,              /* INVALID, at Python's line and column */
  ERROR,                 /* INVALID, Strata names another place (see the script) */
  NOT_UTF8,              /* INVALID: not UTF-8 */
  REFUSED_LIMIT,         /* Python takes it; Strata: LIMIT (64-bit integers) */
  REFUSED_UNSUPPORTED,   /* Python takes it; Strata: UNSUPPORTED (lone surrogates) */
} Kind;

static const struct {
  const char *text;
  Kind        kind;
  const char *value;
  guint       line;
  guint       column;
} cases[] = {
  /* Python 3.11.7, json module */
  { "[0, -0, 1, -1, 9223372036854775807, -9223372036854775808]", VALUE, "[i:0, i:0, i:1, i:-1, i:9223372036854775807, i:-9223372036854775808]", 0, 0 },
  { "[0.0, -0.0, 1.0, 1e0, 10e-1, 1e5, 1E+2, 1e-2, 2.5E-3, -0.0e0]", VALUE, "[f:0, f:-0, f:1, f:1, f:1, f:100000, f:100, f:0.01, f:0.0025000000000000001, f:-0]", 0, 0 },
  { "[1e400, -1e400, 1e-400, 5e-324, 2.4703282292062328e-324, 2.4703282292062327e-324]", VALUE, "[f:inf, f:-inf, f:0, f:4.9406564584124654e-324, f:4.9406564584124654e-324, f:0]", 0, 0 },
  { "[1.7976931348623157e308, 1.7976931348623158e308, 0.1, 0.30000000000000004, 9007199254740993.0]", VALUE, "[f:1.7976931348623157e+308, f:1.7976931348623157e+308, f:0.10000000000000001, f:0.30000000000000004, f:9007199254740992]", 0, 0 },
  { "[1.00000000000000011102230246251565404236316680908203125, 1.00000000000000011102230246251565404236316680908203126]", VALUE, "[f:1, f:1.0000000000000002]", 0, 0 },
  { "[1.000000000000000111022302462515654042363166809082031250000000000000000000000001, 1.000000000000000111022302462515654042363166809082031250000000000000000000000000]", VALUE, "[f:1.0000000000000002, f:1]", 0, 0 },
  { "[123456789012345678901234567890.5, 0.000000000000000000000000000000000000000000001]", VALUE, "[f:1.2345678901234568e+29, f:9.9999999999999998e-46]", 0, 0 },
  { "[NaN, Infinity, -Infinity]", VALUE, "[f:nan, f:inf, f:-inf]", 0, 0 },
  { "[null, true, false, \"\", {}, []]", VALUE, "[None, True, False, s:, {}, []]", 0, 0 },
  { "\"x\"", VALUE, "s:x", 0, 0 },
  { "1", VALUE, "i:1", 0, 0 },
  { "-1.5", VALUE, "f:-1.5", 0, 0 },
  { "null", VALUE, "None", 0, 0 },
  { "true", VALUE, "True", 0, 0 },
  { "NaN", VALUE, "f:nan", 0, 0 },
  { "-Infinity", VALUE, "f:-inf", 0, 0 },
  { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\\uD83D\\uDE00\", \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", VALUE, "[s:\"\\x5c/\\x08\\x0c\\x0a\\x0d\\x09, s:\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\\xf0\\x9f\\x98\\x80, s:\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80]", 0, 0 },
  { "[\"\\u007f\x7f\", \"a\\u0001b\", \"\\u0020\"]", VALUE, "[s:\\x7f\\x7f, s:a\\x01b, s: ]", 0, 0 },
  { "{\"b\": 1, \"a\": 2, \"b\": 3}", VALUE, "{s:b: i:3, s:a: i:2}", 0, 0 },
  { "{\"a\": {\"x\": 1}, \"c\": null, \"a\": [2]}", VALUE, "{s:a: [i:2], s:c: None}", 0, 0 },
  { "{\"\": [], \"x\": {}, \"\\u00e9\": \"\xc3\xa9\"}", VALUE, "{s:: [], s:x: {}, s:\\xc3\\xa9: s:\\xc3\\xa9}", 0, 0 },
  { " \t\r\n[ \t\r\n1 \t\r\n, {\"a\" \t\r\n: 2} ] \t\r\n", VALUE, "[i:1, {s:a: i:2}]", 0, 0 },
  { "", ERROR, NULL, 1, 1 },   /* Expecting value */
  { "  \n ", ERROR, NULL, 2, 2 },   /* Expecting value */
  { "[1,]", ERROR_AT, NULL, 1, 4 },   /* Expecting value */
  { "{\"a\":1,}", ERROR_AT, NULL, 1, 8 },   /* Expecting property name enclosed in double quotes */
  { "[1 2]", ERROR_AT, NULL, 1, 4 },   /* Expecting ',' delimiter */
  { "{\"a\" 1}", ERROR_AT, NULL, 1, 6 },   /* Expecting ':' delimiter */
  { "[1] [2]", ERROR_AT, NULL, 1, 5 },   /* Extra data */
  { "[1,\n  x]", ERROR_AT, NULL, 2, 3 },   /* Expecting value */
  { "{\n  \"a\": [1,\n        2 3]}", ERROR_AT, NULL, 3, 11 },   /* Expecting ',' delimiter */
  { "[\"\xc3\xa9\", x]", ERROR_AT, NULL, 1, 7 },   /* Expecting value */
  { "[\"a\tb\"]", ERROR_AT, NULL, 1, 4 },   /* Invalid control character at */
  { "[\"\\q\"]", ERROR_AT, NULL, 1, 3 },   /* Invalid \escape */
  { "\"abc", ERROR_AT, NULL, 1, 1 },   /* Unterminated string starting at */
  { "{\"a\": 1", ERROR_AT, NULL, 1, 8 },   /* Expecting ',' delimiter */
  { "[", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "{", ERROR_AT, NULL, 1, 2 },   /* Expecting property name enclosed in double quotes */
  { "[\"\\u12\"]", ERROR, NULL, 1, 4 },   /* Invalid \uXXXX escape */
  { "[01]", ERROR, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "[-01]", ERROR, NULL, 1, 4 },   /* Expecting ',' delimiter */
  { "[.5]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[1.]", ERROR, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "[+1]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[-]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[0x1]", ERROR, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "[1e]", ERROR, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "[1e+]", ERROR, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "[-NaN]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[nan]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[infinity]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[+Infinity]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[tru]", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[truex]", ERROR, NULL, 1, 6 },   /* Expecting ',' delimiter */
  { "['a']", ERROR_AT, NULL, 1, 2 },   /* Expecting value */
  { "[1 /* c */]", ERROR_AT, NULL, 1, 4 },   /* Expecting ',' delimiter */
  { "{NaN: 1}", ERROR_AT, NULL, 1, 2 },   /* Expecting property name enclosed in double quotes */
  { "{\"a\": 1, NaN: 2}", ERROR_AT, NULL, 1, 10 },   /* Expecting property name enclosed in double quotes */
  { "\xef\xbb\xbf[1]", ERROR_AT, NULL, 1, 1 },   /* Unexpected UTF-8 BOM (decode using utf-8-sig) */
  { "1{\"a\": 2}", ERROR_AT, NULL, 1, 2 },   /* Extra data */
  { "null[1]", ERROR_AT, NULL, 1, 5 },   /* Extra data */
  { "\"x\" {}", ERROR_AT, NULL, 1, 5 },   /* Extra data */
  { "1 2", ERROR_AT, NULL, 1, 3 },   /* Extra data */
  { "[1, \x0b""2]", ERROR_AT, NULL, 1, 5 },   /* Expecting value */
  { "[1, \xc2\xa0""2]", ERROR_AT, NULL, 1, 5 },   /* Expecting value */
  { "[\"\xc3(\"]", NOT_UTF8, NULL, 0, 0 },   /* invalid continuation byte */
  { "[\xff]", NOT_UTF8, NULL, 0, 0 },   /* invalid start byte */
  { "{1: 2}", ERROR_AT, NULL, 1, 2 },   /* Expecting property name enclosed in double quotes */
  { "[1:2]", ERROR_AT, NULL, 1, 3 },   /* Expecting ',' delimiter */
  { "{\"a\"}", ERROR_AT, NULL, 1, 5 },   /* Expecting ':' delimiter */
  { "[\"\\u0000\", \"a\\u0000b\", \"\\u0000\\u00e9\"]", VALUE, "[s:, s:a, s:]", 0, 0 },
  { "{\"a\\u0000b\": 1, \"a\\u0000c\": 2, \"a\": 3}", VALUE, "{s:a: i:3}", 0, 0 },
  { "[9223372036854775808]", REFUSED_LIMIT, NULL, 0, 0 },   /* Python: [i:9223372036854775808] */
  { "[-9223372036854775809]", REFUSED_LIMIT, NULL, 0, 0 },   /* Python: [i:-9223372036854775809] */
  { "[18446744073709551616]", REFUSED_LIMIT, NULL, 0, 0 },   /* Python: [i:18446744073709551616] */
  { "[\"\\ud800\"]", REFUSED_UNSUPPORTED, NULL, 0, 0 },   /* Python: [s:\xed\xa0\x80] */
  { "[\"\\udc00x\"]", REFUSED_UNSUPPORTED, NULL, 0, 0 },   /* Python: [s:\xed\xb0\x80x] */
  { "[\"\\ud800\\u0041\"]", REFUSED_UNSUPPORTED, NULL, 0, 0 },   /* Python: [s:\xed\xa0\x80A] */
};

static void
render (JsonNode *node,
        GString  *out)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "None");
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append (out, ", ");
            render (json_array_get_element (array, i), out);
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) names = json_object_get_members (object);

        g_string_append_c (out, '{');
        for (GList *l = names; l != NULL; l = l->next)
          {
            g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), l->data);

            if (l != names)
              g_string_append (out, ", ");
            render (name, out);
            g_string_append (out, ": ");
            render (json_object_get_member (object, l->data), out);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_VALUE:
    default:
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        g_string_append_printf (out, "i:%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        g_string_append_printf (out, "f:%.17g", json_node_get_double (node));
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        g_string_append (out, json_node_get_boolean (node) ? "True" : "False");
      else
        {
          g_string_append (out, "s:");
          for (const guchar *s = (const guchar *) json_node_get_string (node); *s != 0; s++)
            if (*s >= 32 && *s < 127 && *s != '\\')
              g_string_append_c (out, (char) *s);
            else
              g_string_append_printf (out, "\\x%02x", *s);
        }
      break;
    }
}

static void
test_python_cases (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = strata_json_parse (cases[i].text, -1, &error);
      g_autofree char *position = NULL;

      g_test_message ("%s", cases[i].text);
      switch (cases[i].kind)
        {
        case VALUE:
          {
            g_autoptr(GString) out = g_string_new (NULL);

            g_assert_no_error (error);
            render (node, out);
            g_assert_cmpstr (out->str, ==, cases[i].value);
          }
          break;
        case ERROR_AT:
          position = g_strdup_printf ("line %u, column %u: ", cases[i].line, cases[i].column);
          G_GNUC_FALLTHROUGH;
        case ERROR:
          g_assert_null (node);
          g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
          g_test_message ("  %s", error->message);
          if (position != NULL)
            g_assert_nonnull (strstr (error->message, position));
          break;
        case NOT_UTF8:
          g_assert_null (node);
          g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "not valid UTF-8"));
          break;
        case REFUSED_LIMIT:
        case REFUSED_UNSUPPORTED:
          g_assert_null (node);
          g_assert_error (error, STRATA_CONFIG_ERROR, (int) (cases[i].kind == REFUSED_LIMIT ?
                                                             STRATA_CONFIG_ERROR_LIMIT :
                                                             STRATA_CONFIG_ERROR_UNSUPPORTED));
          g_test_message ("  %s", error->message);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* A text given with its length need not end with NUL (a mapped file): a
 * number at the very end is read to its last byte, no further. */
static void
test_unterminated_input (void)
{
  static const char * const texts[] = { "12", "-0.5e-3", "1.5", "true", "\"a\"", "NaN", "[1]" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gsize len = strlen (texts[i]);
      g_autofree char *exact = g_memdup2 (texts[i], len);   /* no NUL after it */
      g_autofree char *followed = g_strconcat (texts[i], "7", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) a = strata_json_parse (exact, (gssize) len, &error);
      g_autoptr(JsonNode) b = NULL;

      g_assert_no_error (error);
      b = strata_json_parse (followed, (gssize) len, &error);
      g_assert_no_error (error);
      g_assert_true (strata_json_equal (a, b));
    }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/json/python/cases", test_python_cases);
  g_test_add_func ("/json/python/unterminated-input", test_unterminated_input);
  return g_test_run ();
}
