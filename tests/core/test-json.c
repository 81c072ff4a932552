/* test-json.c: the JSON reader and writer, paths, typed getters, GValues
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"

#define PYTHON "/usr/bin/python3"

static JsonNode *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = strata_json_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
assert_parse_fails (const char *text,
                    int         code,
                    const char *message_part)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = strata_json_parse (text, -1, &error);

  g_assert_null (node);
  g_assert_error (error, STRATA_CONFIG_ERROR, code);
  g_test_message ("%s", error->message);
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));
}

/* Python's output for @file (or -c @code when @file is NULL), or NULL
 * when /usr/bin/python3 is missing. */
static char *
run_python (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  char *out = NULL;
  int status;

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;

  g_ptr_array_add (argv, (gpointer) PYTHON);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_parse_special_doubles (void)
{
  g_autoptr(JsonNode) root = parse_ok ("{\"a\": NaN, \"b\": [Infinity, -Infinity, 1.5, NaN],"
                                       " \"c\": \"NaN\", \"d\": \"\\u0001\", \"e\": \"\\u0002\","
                                       " \"f\": \"\\u0003\", \"g\": \"Infinity\"}");
  JsonObject *object = json_node_get_object (root);
  JsonArray *b = json_object_get_array_member (object, "b");

  g_assert_true (isnan (json_object_get_double_member (object, "a")));
  g_assert_cmpuint (json_array_get_length (b), ==, 4);
  g_assert_true (isinf (json_array_get_double_element (b, 0)) && json_array_get_double_element (b, 0) > 0);
  g_assert_true (isinf (json_array_get_double_element (b, 1)) && json_array_get_double_element (b, 1) < 0);
  g_assert_cmpfloat (json_array_get_double_element (b, 2), ==, 1.5);
  g_assert_true (isnan (json_array_get_double_element (b, 3)));
  /* Strings are untouched, including one-character control strings that
   * the parser must not mistake for its own markers. */
  g_assert_cmpstr (json_object_get_string_member (object, "c"), ==, "NaN");
  g_assert_cmpstr (json_object_get_string_member (object, "d"), ==, "\x01");
  g_assert_cmpstr (json_object_get_string_member (object, "e"), ==, "\x02");
  g_assert_cmpstr (json_object_get_string_member (object, "f"), ==, "\x03");
  g_assert_cmpstr (json_object_get_string_member (object, "g"), ==, "Infinity");

  {
    g_autoptr(JsonNode) top = parse_ok ("-Infinity");
    g_assert_true (isinf (json_node_get_double (top)));
  }
}

static void
test_parse_errors (void)
{
  /* Bare tokens are values only, never keys or parts of words. */
  assert_parse_fails ("{NaN: 1}", STRATA_CONFIG_ERROR_INVALID, "line 1");
  assert_parse_fails ("{\"a\": 1, NaN: 2}", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_parse_fails ("[NaNa]", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_parse_fails ("[1, 2,\n  x]", STRATA_CONFIG_ERROR_INVALID, "line 2, column 3");
  assert_parse_fails ("", STRATA_CONFIG_ERROR_INVALID, "empty");
  assert_parse_fails ("  \n ", STRATA_CONFIG_ERROR_INVALID, "empty");
  assert_parse_fails ("[1] [2]", STRATA_CONFIG_ERROR_INVALID, "line 1, column 5");
  assert_parse_fails ("{\"a\": \xff}", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_parse_fails ("{\"a\":\n \"\xc3\x28\"}", STRATA_CONFIG_ERROR_INVALID, "line 2, column 3: the text is not valid UTF-8");
  assert_parse_fails ("{\"a\": [1, 2}", STRATA_CONFIG_ERROR_INVALID, NULL);
  /* json-glib takes these; Python's json module, and so Strata, does not. */
  assert_parse_fails ("['a']", STRATA_CONFIG_ERROR_INVALID, "line 1, column 2");
  assert_parse_fails ("[1 /* comment */]", STRATA_CONFIG_ERROR_INVALID, "column 4");
  assert_parse_fails ("[\"\\q\"]", STRATA_CONFIG_ERROR_INVALID, "escape");
  assert_parse_fails ("[\"\\u12\"]", STRATA_CONFIG_ERROR_INVALID, "escape");
  assert_parse_fails ("[\"a\tb\"]", STRATA_CONFIG_ERROR_INVALID, "control character");
  assert_parse_fails ("[.5]", STRATA_CONFIG_ERROR_INVALID, "invalid number");
  assert_parse_fails ("[1.]", STRATA_CONFIG_ERROR_INVALID, "invalid number");
  assert_parse_fails ("[+1]", STRATA_CONFIG_ERROR_INVALID, "invalid number");
  /* json-glib would read these as octal, hex or a wrapped integer. */
  assert_parse_fails ("[0123]", STRATA_CONFIG_ERROR_INVALID, "line 1, column 2");
  assert_parse_fails ("{\"seed\": 0x1F}", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_parse_fails ("[-012]", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_parse_fails ("[9223372036854775808]", STRATA_CONFIG_ERROR_LIMIT, "9223372036854775808");
  assert_parse_fails ("{\"id\": -123456789012345678901}", STRATA_CONFIG_ERROR_LIMIT, NULL);
  {
    g_autoptr(JsonNode) limits = parse_ok ("[9223372036854775807, -9223372036854775808, 0, -0, 0.5, 1e400]");
    JsonArray *array = json_node_get_array (limits);
    g_assert_cmpint (json_array_get_int_element (array, 0), ==, G_MAXINT64);
    g_assert_cmpint (json_array_get_int_element (array, 1), ==, G_MININT64);
    g_assert_cmpint (json_array_get_int_element (array, 3), ==, 0);
    g_assert_true (isinf (json_array_get_double_element (array, 5)));   /* as Python reads it */
  }

  {
    g_autoptr(GError) error = NULL;
    JsonNode *node = strata_json_parse ("[1, \0 2]", 8, &error);
    g_assert_null (node);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  }
}

static void
test_parse_depth_limit (void)
{
  g_autofree char *opening = g_strnfill (STRATA_JSON_MAX_DEPTH, '[');
  g_autofree char *closing = g_strnfill (STRATA_JSON_MAX_DEPTH, ']');
  g_autofree char *ok = g_strconcat (opening, closing, NULL);
  g_autofree char *too_deep = g_strdup_printf ("{\"a\": %s1%s}", opening, closing);
  g_autofree char *bomb = g_strnfill (10000, '[');
  g_autoptr(JsonNode) node = NULL;
  gint64 start;

  /* Exactly the limit parses; one more level (the object) does not. */
  node = parse_ok (ok);
  assert_parse_fails (too_deep, STRATA_CONFIG_ERROR_LIMIT, "512");

  start = g_get_monotonic_time ();
  assert_parse_fails (bomb, STRATA_CONFIG_ERROR_LIMIT, "line 1, column 513");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* Brackets inside strings do not count. */
  {
    g_autofree char *brackets = g_strnfill (2000, '[');
    g_autofree char *in_string = g_strdup_printf ("[\"%s\"]", brackets);
    g_autoptr(JsonNode) string_node = parse_ok (in_string);
  }
}

static void
assert_writes (JsonNode   *node,
               const char *expected)
{
  g_autofree char *out = strata_json_to_string (node, FALSE);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_write_doubles (void)
{
  /* repr() of these floats in Python 3. */
  static const struct { double value; const char *repr; } cases[] = {
    { 0.1, "0.1" },
    { 1.0, "1.0" },
    { -3.0, "-3.0" },
    { 0.0, "0.0" },
    { -0.0, "-0.0" },
    { 1e-05, "1e-05" },
    { 2.5e-05, "2.5e-05" },
    { 0.0001, "0.0001" },
    { 1e16, "1e+16" },
    { 1e15, "1000000000000000.0" },
    { 123456789.123, "123456789.123" },
    { 0.0010000000474974513, "0.0010000000474974513" },
    { 5e-324, "5e-324" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" },
    { 1.5e300, "1.5e+300" },
    { 0.3, "0.3" },
    { 2.0 / 3.0, "0.6666666666666666" },
    { 1e22, "1e+22" },
    { 1e23, "1e+23" },
    { 9007199254740993.0, "9007199254740992.0" },
    { 123e-20, "1.23e-18" },
    { INFINITY, "Infinity" },
    { -INFINITY, "-Infinity" },
    { NAN, "NaN" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), cases[i].value);
      assert_writes (node, cases[i].repr);
    }

  {
    g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), G_MININT64);
    assert_writes (node, "-9223372036854775808");
  }
}

static void
test_write_strings (void)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (),
                                                    "a\"b\\c\n\t\r\b\f\x01\x7f é € 😀 /");

  assert_writes (node, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u007f \\u00e9 \\u20ac \\ud83d\\ude00 /\"");
}

static void
test_write_structure (void)
{
  g_autoptr(JsonNode) root = parse_ok ("{\"b\":[1,2.5,{}],\"a\":{\"x\":null,\"y\":[]},\"c\":true}");
  g_autofree char *compact = strata_json_to_string (root, FALSE);
  g_autofree char *pretty = strata_json_to_string (root, TRUE);

  /* Member order is kept; separators are Python's. */
  g_assert_cmpstr (compact, ==, "{\"b\": [1, 2.5, {}], \"a\": {\"x\": null, \"y\": []}, \"c\": true}");
  g_assert_cmpstr (pretty, ==,
                   "{\n"
                   "  \"b\": [\n"
                   "    1,\n"
                   "    2.5,\n"
                   "    {}\n"
                   "  ],\n"
                   "  \"a\": {\n"
                   "    \"x\": null,\n"
                   "    \"y\": []\n"
                   "  },\n"
                   "  \"c\": true\n"
                   "}");
}

/* A document with every kind of value Python writes, compared with what
 * Python itself writes for it. */
static void
test_write_matches_python (void)
{
  const char *doc = "{\"f\": [0.1, 1e-07, 3.0, 1e+300, 12345678901234567.0, NaN, -Infinity],"
                    " \"s\": \"\\u00e9\\ud83d\\ude00\\u0001\\\"\", \"i\": [-1, 0, 9007199254740993],"
                    " \"n\": null, \"t\": [true, false], \"o\": {\"z\": {}, \"a\": []}}";
  g_autoptr(JsonNode) root = parse_ok (doc);
  g_autofree char *compact = strata_json_to_string (root, FALSE);
  g_autofree char *pretty = strata_json_to_string (root, TRUE);
  g_autofree char *py_compact = NULL;
  g_autofree char *py_pretty = NULL;
  const char *args_compact[] = { "-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.argv[1])))", doc, NULL };
  const char *args_pretty[] = { "-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.argv[1]), indent=2))", doc, NULL };

  py_compact = run_python (args_compact);
  if (py_compact == NULL)
    {
      strata_test_skip ("%s is missing", PYTHON);
      return;
    }
  py_pretty = run_python (args_pretty);
  g_assert_cmpstr (compact, ==, py_compact);
  g_assert_cmpstr (pretty, ==, py_pretty);
}

/* Every JSON file of the real fixtures, parsed and written, gives exactly
 * what Python's json.dumps gives for it, compact and with indent=2 (one
 * Python run for all files). */
static void
test_real_fixtures_round_trip (void)
{
  g_autofree char *root = strata_test_real_fixture_path (".");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *python_out = NULL;
  g_auto(GStrv) expected = NULL;

  if (root == NULL)
    return;

  strata_test_collect_files (root, (const char *[]) { ".json", NULL }, files);
  g_assert_cmpuint (files->len, >, 10);

  g_ptr_array_add (args, (gpointer) "-c");
  g_ptr_array_add (args, (gpointer) "import json,sys\n"
                                    "for f in sys.argv[1:]:\n"
                                    "    v = json.load(open(f, encoding='utf-8'))\n"
                                    "    sys.stdout.write(json.dumps(v) + '\\x1e' + json.dumps(v, indent=2) + '\\x1e')\n");
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (args, files->pdata[i]);
  g_ptr_array_add (args, NULL);
  python_out = run_python ((const char * const *) args->pdata);
  if (python_out != NULL)
    {
      expected = g_strsplit (python_out, "\x1e", -1);
      g_assert_cmpuint (g_strv_length (expected), ==, 2 * files->len + 1);
    }
  else
    g_test_message (PYTHON " is missing: checking that writing is a fixed point instead");

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *contents = NULL;
      g_autofree char *written = NULL;
      g_autofree char *rewritten = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) reparsed = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      node = strata_json_parse (contents, (gssize) length, &error);
      g_assert_no_error (error);
      written = strata_json_to_string (node, FALSE);

      if (expected != NULL)
        {
          g_autofree char *pretty = strata_json_to_string (node, TRUE);

          if (g_strcmp0 (written, expected[2 * i]) != 0 || g_strcmp0 (pretty, expected[2 * i + 1]) != 0)
            g_test_message ("mismatch in %s", path);
          g_assert_cmpstr (written, ==, expected[2 * i]);
          g_assert_cmpstr (pretty, ==, expected[2 * i + 1]);
        }

      reparsed = strata_json_parse (written, -1, &error);
      g_assert_no_error (error);
      g_assert_true (strata_json_equal (node, reparsed));
      rewritten = strata_json_to_string (reparsed, FALSE);
      g_assert_cmpstr (written, ==, rewritten);
    }
  g_test_message ("%u real JSON files round-tripped", files->len);
}

/* Damaged input (truncated, bytes flipped, tokens spliced in) gives a
 * document or a clean error, never a crash; checked under ASan in CI. */
static void
test_parse_mutations (void)
{
  static const char * const splices[] = { "NaN", "-Infinity", "[", "{", "\"", "\\u00", ":", ",", "\x01", "]]]]" };
  const char *base = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": "
                     "[{\"class_name\": \"Dense\", \"config\": {\"units\": 4, \"rate\": NaN, "
                     "\"shape\": [null, 3], \"s\": \"\\u00e9\\\"x\"}}]}, \"v\": -Infinity}";
  gsize len = strlen (base);
  GRand *rand = g_rand_new_with_seed (20261128);

  {
    g_autoptr(JsonNode) intact = parse_ok (base);
  }

  for (guint round = 0; round < 3000; round++)
    {
      GString *text = g_string_new (base);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      guint pos = g_rand_int_range (rand, 0, (gint32) len);

      switch (round % 3)
        {
        case 0:
          g_string_truncate (text, pos);
          break;
        case 1:
          text->str[pos] = (char) g_rand_int_range (rand, 1, 256);
          break;
        default:
          g_string_insert (text, pos, splices[g_rand_int_range (rand, 0, G_N_ELEMENTS (splices))]);
          break;
        }

      node = strata_json_parse (text->str, (gssize) text->len, &error);
      if (node == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == STRATA_CONFIG_ERROR);
          g_assert_true (error->code == STRATA_CONFIG_ERROR_INVALID || error->code == STRATA_CONFIG_ERROR_LIMIT);
        }
      else
        {
          g_autofree char *written = strata_json_to_string (node, round % 2);
          g_autoptr(JsonNode) again = strata_json_parse (written, -1, &error);
          g_assert_no_error (error);
          g_assert_true (strata_json_equal (node, again));
        }
      g_string_free (text, TRUE);
    }

  g_rand_free (rand);
}

static void
test_path (void)
{
  g_autoptr(StrataJsonPath) path = strata_json_path_new ();

  g_assert_cmpstr (strata_json_path_get (path), ==, "$");
  strata_json_path_push_member (path, "config");
  strata_json_path_push_member (path, "layers");
  strata_json_path_push_index (path, 3);
  strata_json_path_push_member (path, "config");
  g_assert_cmpstr (strata_json_path_get (path), ==, "$.config.layers[3].config");
  strata_json_path_pop (path);
  strata_json_path_pop (path);
  strata_json_path_push_index (path, 12);
  strata_json_path_push_member (path, "odd key");
  g_assert_cmpstr (strata_json_path_get (path), ==, "$.config.layers[12][\"odd key\"]");
  strata_json_path_pop (path);
  strata_json_path_pop (path);
  strata_json_path_pop (path);
  strata_json_path_pop (path);
  g_assert_cmpstr (strata_json_path_get (path), ==, "$");
}

static void
test_typed_getters (void)
{
  g_autoptr(JsonNode) root = parse_ok ("{\"units\": \"64\", \"rate\": 1, \"n\": 3, \"f\": 2.0,"
                                       " \"half\": 2.5, \"b\": true, \"s\": \"relu\", \"z\": null}");
  JsonObject *object = json_node_get_object (root);
  g_autoptr(GError) error = NULL;
  const char *s = NULL;
  gint64 i = 0;
  double d = 0;
  gboolean b = FALSE;

  g_assert_false (strata_json_get_int (object, "units", "$.config.layers[3].config", 0, &i, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.config.layers[3].config.units: expected an integer, found a string");
  g_clear_error (&error);

  g_assert_true (strata_json_get_int (object, "n", NULL, 0, &i, &error));
  g_assert_cmpint (i, ==, 3);
  g_assert_true (strata_json_get_int (object, "f", NULL, 0, &i, &error));
  g_assert_cmpint (i, ==, 2);
  g_assert_false (strata_json_get_int (object, "half", NULL, 0, &i, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.half: expected an integer, found a number");
  g_clear_error (&error);
  g_assert_true (strata_json_get_int (object, "missing", NULL, 42, &i, &error));
  g_assert_cmpint (i, ==, 42);
  g_assert_true (strata_json_get_int (object, "z", NULL, 7, &i, &error));
  g_assert_cmpint (i, ==, 7);

  g_assert_true (strata_json_get_double (object, "rate", NULL, 0, &d, &error));
  g_assert_cmpfloat (d, ==, 1.0);
  g_assert_false (strata_json_get_double (object, "s", "$", 0, &d, &error));
  g_assert_cmpstr (error->message, ==, "$.s: expected a number, found a string");
  g_clear_error (&error);

  g_assert_true (strata_json_get_boolean (object, "b", NULL, FALSE, &b, &error));
  g_assert_true (b);
  /* Python's truth values: Keras tests options with `if self.scale:`. */
  g_assert_true (strata_json_get_boolean (object, "n", NULL, FALSE, &b, &error));
  g_assert_true (b);
  g_assert_true (strata_json_get_boolean (object, "z", NULL, TRUE, &b, &error));
  g_assert_false (b);
  g_assert_true (strata_json_get_boolean (object, "missing", NULL, TRUE, &b, &error));
  g_assert_true (b);

  g_assert_true (strata_json_get_string (object, "s", NULL, NULL, &s, &error));
  g_assert_cmpstr (s, ==, "relu");
  g_assert_true (strata_json_get_string (object, "z", NULL, "default", &s, &error));
  g_assert_null (s);
  g_assert_true (strata_json_get_string (object, "missing", NULL, "default", &s, &error));
  g_assert_cmpstr (s, ==, "default");
  g_assert_false (strata_json_get_string (object, "b", "$.config", NULL, &s, &error));
  g_assert_cmpstr (error->message, ==, "$.config.b: expected a string, found a boolean");
  g_clear_error (&error);

  g_assert_cmpstr (strata_json_describe_node (json_object_get_member (object, "z")), ==, "null");
}

/* Python's coercions as Keras applies them (strata_json_node_get_int() and
 * siblings): each JSON value, what it reads as, and whether it reads. */
static void
test_python_coercions (void)
{
  static const struct {
    const char *json;
    gboolean    is_int;
    gint64      int_value;
    gboolean    is_number;
    double      number;
    gboolean    truthy;
  } cases[] = {
    { "1",          TRUE, 1,  TRUE, 1.0,  TRUE },
    { "0",          TRUE, 0,  TRUE, 0.0,  FALSE },
    { "2",          TRUE, 2,  TRUE, 2.0,  TRUE },     /* `if 2:` is true */
    { "-3",         TRUE, -3, TRUE, -3.0, TRUE },
    { "true",       TRUE, 1,  TRUE, 1.0,  TRUE },     /* a bool is an int */
    { "false",      TRUE, 0,  TRUE, 0.0,  FALSE },
    { "3.0",        TRUE, 3,  TRUE, 3.0,  TRUE },     /* int(3.0) */
    { "0.0",        TRUE, 0,  TRUE, 0.0,  FALSE },
    { "2.5",        FALSE, 0, TRUE, 2.5,  TRUE },     /* not a size */
    { "1e300",      FALSE, 0, TRUE, 1e300, TRUE },    /* beyond int64 */
    { "NaN",        FALSE, 0, FALSE, 0.0, TRUE },     /* bool(nan) is True */
    { "null",       FALSE, 0, FALSE, 0.0, FALSE },    /* `if None:` */
    { "\"\"",     FALSE, 0, FALSE, 0.0, FALSE },
    { "\"false\"", FALSE, 0, FALSE, 0.0, TRUE },    /* bool("false") */
    { "[]",         FALSE, 0, FALSE, 0.0, FALSE },
    { "[0]",        FALSE, 0, FALSE, 0.0, TRUE },
    { "{}",         FALSE, 0, FALSE, 0.0, FALSE },
    { "{\"class_name\": \"__tuple__\", \"items\": []}", FALSE, 0, FALSE, 0.0, FALSE },
    { "{\"class_name\": \"__tuple__\", \"items\": [1]}", FALSE, 0, FALSE, 0.0, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse_ok (cases[i].json);
      gint64 n = -77;
      double d = -77.0;

      g_test_message ("%s", cases[i].json);
      g_assert_cmpint (strata_json_node_get_int (node, &n), ==, cases[i].is_int);
      g_assert_cmpint (n, ==, cases[i].is_int ? cases[i].int_value : -77);
      if (g_str_equal (cases[i].json, "NaN"))
        g_assert_true (strata_json_node_get_double (node, &d) && isnan (d));
      else
        {
          g_assert_cmpint (strata_json_node_get_double (node, &d), ==, cases[i].is_number);
          g_assert_cmpfloat (d, ==, cases[i].is_number ? cases[i].number : -77.0);
        }
      g_assert_cmpint (strata_json_node_is_truthy (node), ==, cases[i].truthy);
    }
  g_assert_false (strata_json_node_is_truthy (NULL));
}

static void
test_int_tuple (void)
{
  g_autoptr(JsonNode) root = parse_ok ("{\"k\": 3, \"s\": [2, 1], \"bad\": [1, 2, 3], \"mixed\": [1, \"x\"],"
                                       " \"nul\": null, \"dims\": [null, 4], \"tup\": {\"class_name\": \"__tuple__\", \"items\": [5, 6]},"
                                       " \"floats\": [3.0, true], \"half\": [1, 2.5]}");
  JsonObject *object = json_node_get_object (root);
  g_autoptr(GError) error = NULL;
  gint64 out[2] = { -7, -7 };

  g_assert_true (strata_json_get_int_tuple (object, "k", "$", 2, FALSE, out, &error));
  g_assert_cmpint (out[0], ==, 3);
  g_assert_cmpint (out[1], ==, 3);
  g_assert_true (strata_json_get_int_tuple (object, "s", "$", 2, FALSE, out, &error));
  g_assert_cmpint (out[0], ==, 2);
  g_assert_cmpint (out[1], ==, 1);
  g_assert_true (strata_json_get_int_tuple (object, "tup", "$", 2, FALSE, out, &error));
  g_assert_cmpint (out[0], ==, 5);
  g_assert_cmpint (out[1], ==, 6);
  /* normalize_tuple() takes any int()-able elements. */
  g_assert_true (strata_json_get_int_tuple (object, "floats", "$", 2, FALSE, out, &error));
  g_assert_cmpint (out[0], ==, 3);
  g_assert_cmpint (out[1], ==, 1);
  g_assert_false (strata_json_get_int_tuple (object, "half", "$", 2, FALSE, out, &error));
  g_assert_cmpstr (error->message, ==, "$.half[1]: expected an integer, found a number");
  g_clear_error (&error);

  g_assert_false (strata_json_get_int_tuple (object, "bad", "$.config", 2, FALSE, out, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.config.bad: expected a list of 2 integers, found 3 elements");
  g_clear_error (&error);
  g_assert_false (strata_json_get_int_tuple (object, "mixed", "$", 2, FALSE, out, &error));
  g_assert_cmpstr (error->message, ==, "$.mixed[1]: expected an integer, found a string");
  g_clear_error (&error);
  g_assert_false (strata_json_get_int_tuple (object, "dims", "$", 2, FALSE, out, &error));
  g_clear_error (&error);

  g_assert_true (strata_json_get_int_tuple (object, "dims", "$", 2, TRUE, out, &error));
  g_assert_cmpint (out[0], ==, STRATA_DIM_UNKNOWN);
  g_assert_cmpint (out[1], ==, 4);

  out[0] = out[1] = 9;
  g_assert_true (strata_json_get_int_tuple (object, "missing", "$", 2, FALSE, out, &error));
  g_assert_true (strata_json_get_int_tuple (object, "nul", "$", 2, FALSE, out, &error));
  g_assert_cmpint (out[0], ==, 9);
  g_assert_true (strata_json_get_int_tuple (object, "nul", "$", 2, TRUE, out, &error));
  g_assert_cmpint (out[0], ==, STRATA_DIM_UNKNOWN);
  g_assert_cmpint (out[1], ==, STRATA_DIM_UNKNOWN);
}

static void
assert_shape_fails (const char *text,
                    int         code,
                    const char *message)
{
  g_autoptr(JsonNode) node = parse_ok (text);
  g_autoptr(GError) error = NULL;
  StrataShape *shape = strata_json_to_shape (node, "$.config.batch_input_shape", &error);

  g_assert_null (shape);
  g_assert_error (error, STRATA_CONFIG_ERROR, code);
  g_test_message ("%s", error->message);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

static void
test_shapes (void)
{
  g_autoptr(JsonNode) node = parse_ok ("[null, 28, 28, 1]");
  g_autoptr(JsonNode) empty = parse_ok ("[]");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataShape) shape = strata_json_to_shape (node, "$", &error);
  g_autoptr(StrataShape) scalar = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *str = NULL;
  g_autofree char *rank33 = NULL;
  GString *big = g_string_new ("[");

  g_assert_no_error (error);
  str = strata_shape_to_string (shape);
  g_assert_cmpstr (str, ==, "(None, 28, 28, 1)");
  back = strata_json_from_shape (shape);
  g_assert_true (strata_json_equal (back, node));

  scalar = strata_json_to_shape (empty, "$", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_shape_get_rank (scalar), ==, 0);

  assert_shape_fails ("[null, -1]", STRATA_CONFIG_ERROR_INVALID,
                      "$.config.batch_input_shape[1]: a dimension cannot be negative (-1)");
  assert_shape_fails ("[1.5]", STRATA_CONFIG_ERROR_INVALID,
                      "$.config.batch_input_shape[0]: expected an integer or null, found a number");
  assert_shape_fails ("[\"3\"]", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_shape_fails ("{\"a\": 1}", STRATA_CONFIG_ERROR_INVALID, NULL);
  assert_shape_fails ("[1099511627776, null, 1099511627776]", STRATA_CONFIG_ERROR_LIMIT, NULL);
  for (int i = 0; i <= STRATA_MAX_RANK; i++)
    g_string_append (big, i == 0 ? "1" : ", 1");
  g_string_append (big, "]");
  rank33 = g_string_free (big, FALSE);
  assert_shape_fails (rank33, STRATA_CONFIG_ERROR_LIMIT, NULL);

  {
    g_autoptr(GError) e = NULL;
    g_assert_null (strata_json_to_shape (NULL, "$.shape", &e));
    g_assert_error (e, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  }
}

static void
test_copy_and_equal (void)
{
  g_autoptr(JsonNode) root = parse_ok ("{\"a\": [1, {\"b\": 2.0}], \"c\": NaN, \"d\": \"x\"}");
  g_autoptr(JsonNode) reordered = parse_ok ("{\"d\": \"x\", \"c\": NaN, \"a\": [1, {\"b\": 2.0}]}");
  g_autoptr(JsonNode) int_vs_double = parse_ok ("{\"a\": [1, {\"b\": 2}], \"c\": NaN, \"d\": \"x\"}");
  g_autoptr(JsonNode) zero = parse_ok ("0.0");
  g_autoptr(JsonNode) negative_zero = parse_ok ("-0.0");
  g_autoptr(JsonNode) copy_node = NULL;
  JsonObject *copy;
  JsonObject *inner;

  g_assert_true (strata_json_equal (root, reordered));
  g_assert_false (strata_json_equal (root, int_vs_double));
  g_assert_false (strata_json_equal (zero, negative_zero));
  g_assert_true (strata_json_equal (NULL, NULL));
  g_assert_false (strata_json_equal (root, NULL));

  copy = strata_json_object_copy (json_node_get_object (root));
  copy_node = json_node_init_object (json_node_alloc (), copy);
  g_assert_true (strata_json_equal (root, copy_node));

  /* Changing the copy, deep inside, leaves the original alone. */
  inner = json_array_get_object_element (json_object_get_array_member (copy, "a"), 1);
  json_object_set_int_member (inner, "b", 3);
  g_assert_false (strata_json_equal (root, copy_node));
  g_assert_cmpfloat (json_object_get_double_member (
                       json_array_get_object_element (
                         json_object_get_array_member (json_node_get_object (root), "a"), 1), "b"), ==, 2.0);
  json_object_unref (copy);
}

static void
assert_value_round_trip (GValue     *value,
                         const char *expected_json)
{
  g_autoptr(JsonNode) node = strata_json_from_value (value);
  g_autofree char *text = NULL;
  g_auto(GValue) back = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node2 = NULL;

  g_assert_nonnull (node);
  text = strata_json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==, expected_json);

  g_value_init (&back, G_VALUE_TYPE (value));
  g_assert_true (strata_json_to_value (node, &back, "$", &error));
  g_assert_no_error (error);
  node2 = strata_json_from_value (&back);
  g_assert_true (strata_json_equal (node, node2));
}

static void
test_values (void)
{
  const char *strv[] = { "a", "b", NULL };
  const gint64 dims[] = { STRATA_DIM_UNKNOWN, 3 };
  g_autoptr(StrataShape) shape = strata_shape_new (2, dims);
  g_autoptr(JsonNode) object_node = parse_ok ("{\"k\": [1, null]}");

  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_BOOLEAN);
    g_value_set_boolean (&v, TRUE);
    assert_value_round_trip (&v, "true");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_INT);
    g_value_set_int (&v, -5);
    assert_value_round_trip (&v, "-5");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT64);
    g_value_set_uint64 (&v, 1234567890123);
    assert_value_round_trip (&v, "1234567890123");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_FLOAT);
    g_value_set_float (&v, 0.001f);
    /* A float32 widened to double, as Keras writes it. */
    assert_value_round_trip (&v, "0.0010000000474974513");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, 0.5);
    assert_value_round_trip (&v, "0.5");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, "same");
    assert_value_round_trip (&v, "\"same\"");
    g_value_set_string (&v, NULL);
    assert_value_round_trip (&v, "null");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRV);
    g_value_set_boxed (&v, strv);
    assert_value_round_trip (&v, "[\"a\", \"b\"]");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, STRATA_TYPE_KERAS_DIALECT);
    g_value_set_enum (&v, STRATA_KERAS_DIALECT_KERAS3);
    assert_value_round_trip (&v, "\"keras3\"");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, STRATA_TYPE_LOAD_FLAGS);
    g_value_set_flags (&v, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_STRICT);
    assert_value_round_trip (&v, "[\"allow-unknown\", \"strict\"]");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, STRATA_TYPE_SHAPE);
    g_value_set_boxed (&v, shape);
    assert_value_round_trip (&v, "[null, 3]");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, JSON_TYPE_OBJECT);
    g_value_set_boxed (&v, json_node_get_object (object_node));
    assert_value_round_trip (&v, "{\"k\": [1, null]}");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, JSON_TYPE_ARRAY);
    g_value_set_boxed (&v, json_object_get_array_member (json_node_get_object (object_node), "k"));
    assert_value_round_trip (&v, "[1, null]");
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, JSON_TYPE_NODE);
    g_value_set_boxed (&v, object_node);
    assert_value_round_trip (&v, "{\"k\": [1, null]}");
  }
}

static void
test_value_errors (void)
{
  g_autoptr(JsonNode) big = parse_ok ("4294967296");
  g_autoptr(JsonNode) word = parse_ok ("\"keras9\"");
  g_autoptr(JsonNode) number = parse_ok ("1.5");
  g_autoptr(GError) error = NULL;

  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT);
    g_assert_false (strata_json_to_value (big, &v, "$.units", &error));
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==, "$.units: expected an integer from 0 to 4294967295, found 4294967296");
    g_clear_error (&error);
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, STRATA_TYPE_KERAS_DIALECT);
    g_assert_false (strata_json_to_value (word, &v, "$.dialect", &error));
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "keras9"));
    g_assert_nonnull (strstr (error->message, "keras2"));
    g_clear_error (&error);
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_BOOLEAN);
    /* Any value is a boolean in Python: its truth value. */
    g_assert_true (strata_json_to_value (number, &v, "$.use_bias", &error));
    g_assert_no_error (error);
    g_assert_true (g_value_get_boolean (&v));
  }
  {
    g_auto(GValue) v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_POINTER);
    g_assert_false (strata_json_to_value (number, &v, "$.p", &error));
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED);
    g_assert_null (strata_json_from_value (&v));
  }
}

static void
test_names (void)
{
  g_autofree char *property = strata_json_key_to_property ("pool_size");
  g_autofree char *key = strata_json_property_to_key ("kernel-initializer");

  g_assert_cmpstr (property, ==, "pool-size");
  g_assert_cmpstr (key, ==, "kernel_initializer");
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/json/parse/special-doubles", test_parse_special_doubles);
  g_test_add_func ("/json/parse/errors", test_parse_errors);
  g_test_add_func ("/json/parse/depth-limit", test_parse_depth_limit);
  g_test_add_func ("/json/parse/mutations", test_parse_mutations);
  g_test_add_func ("/json/write/doubles", test_write_doubles);
  g_test_add_func ("/json/write/strings", test_write_strings);
  g_test_add_func ("/json/write/structure", test_write_structure);
  g_test_add_func ("/json/write/matches-python", test_write_matches_python);
  g_test_add_func ("/json/real-fixtures-round-trip", test_real_fixtures_round_trip);
  g_test_add_func ("/json/path", test_path);
  g_test_add_func ("/json/typed-getters", test_typed_getters);
  g_test_add_func ("/json/python-coercions", test_python_coercions);
  g_test_add_func ("/json/int-tuple", test_int_tuple);
  g_test_add_func ("/json/shapes", test_shapes);
  g_test_add_func ("/json/copy-and-equal", test_copy_and_equal);
  g_test_add_func ("/json/values", test_values);
  g_test_add_func ("/json/value-errors", test_value_errors);
  g_test_add_func ("/json/names", test_names);

  return g_test_run ();
}
