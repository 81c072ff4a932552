/* test-json-utf8.c: where invalid UTF-8 is reported next to other errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Python decodes a config before it parses it (json.load of a file opened
 * as UTF-8), so invalid UTF-8 is the error, wherever it lies; Strata's
 * pre-scan validates UTF-8 on the way and must still say so, at the first
 * invalid byte, when it stopped earlier for another reason.
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"

static void
assert_error (const char *text,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (text, -1, &error);

  g_assert_null (node);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_after_syntax_error (void)
{
  /* A syntax error on line 1, invalid UTF-8 on line 3 (in a string, then
   * outside one): the UTF-8 error, at the first invalid byte. */
  assert_error ("[1 2,\n 3,\n \"ab\xc3\x28\", \xff]", "line 3, column 5: the text is not valid UTF-8");
  assert_error ("{\"a\" 1,\n \"b\": \xfe}", "line 2, column 7: the text is not valid UTF-8");
  /* Without invalid UTF-8 the syntax error is the one reported, on its line. */
  assert_error ("[1 2,\n 3,\n \"ab\xc3\xa9\"]", "line 1, column ");
  assert_error ("[1 2,\n 3,\n \"ab\xc3\xa9\"]", "expected “,”");
}

static void
test_outside_string (void)
{
  assert_error ("[1,\n  \xc3\x28]", "line 2, column 3: the text is not valid UTF-8");
  assert_error ("{\"a\": \xff}", "line 1, column 7: the text is not valid UTF-8");
  assert_error ("[\x80]", "line 1, column 2: the text is not valid UTF-8");
  /* Valid UTF-8 outside a string is a syntax error, not a UTF-8 one. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = strata_json_parse ("[1,\n  \xc3\xa9]", -1, &error);

    g_assert_null (node);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
    g_assert_null (strstr (error->message, "UTF-8"));
    g_assert_nonnull (strstr (error->message, "line 2, column 3"));
  }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/json/utf8/after-syntax-error", test_after_syntax_error);
  g_test_add_func ("/json/utf8/outside-string", test_outside_string);
  return g_test_run ();
}
