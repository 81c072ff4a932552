/* test-json-differential.c: strata_json_parse() against json-glib's parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Strata reads JSON with its own parser but keeps json-glib's tree: every
 * JSON file of the fixtures must give exactly the tree that json-glib's
 * JsonParser (behind Strata's former pre-scan) gives, down to the value
 * types, the bits of each double, the member order and the parents.
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"
#include "json-glib-reference.h"

static guint
check_files (const char *dir)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint parsed = 0;

  strata_test_collect_files (dir, (const char *[]) { ".json", NULL }, files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *contents = NULL;
      g_autofree char *problem = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      if (!json_glib_reference_check (contents, (gssize) length, &node, &problem))
        g_error ("%s: %s", path, problem);
      parsed += node != NULL;
    }
  g_test_message ("%s: %u JSON files, %u parsed", dir, files->len, parsed);
  g_assert_cmpuint (files->len, >, 10);
  return parsed;
}

static void
test_repo_fixtures (void)
{
  g_autofree char *dir = strata_test_src_path ("fixtures");

  g_assert_cmpuint (check_files (dir), >, 10);
}

static void
test_real_fixtures (void)
{
  g_autofree char *dir = strata_test_real_fixture_path (".");

  if (dir != NULL)
    g_assert_cmpuint (check_files (dir), >, 10);
}

/* Texts written for the cases where the parsers could part: both must
 * give the same tree, or both refuse the text. */
static void
test_edge_texts (void)
{
  static const char * const texts[] = {
    "{\"a\": 1, \"b\": 2, \"a\": 3}", "{\"a\": {\"x\": 1}, \"a\": [2]}", "{\"\": 0}",
    "[0, -0, 1, -1, 9223372036854775807, -9223372036854775808]",
    "[9223372036854775808]", "[-9223372036854775809]", "[18446744073709551616]",
    "[0.0, -0.0, 1e400, -1e400, 1e-400, 5e-324, 2.4703282292062328e-324, 1.7976931348623157e308,"
    " 0.1, 0.30000000000000004, 123456789012345678901234567890.5, 1E+2, 1e-2, 2.5E-3]",
    "[NaN, Infinity, -Infinity]", "{\"a\": \"\\u0001\", \"b\": NaN}",
    "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20ac\\ud83d\\ude00\", \"\\uD83D\\uDE00\", \"é€😀\"]",
    "[\"\\u0000\", \"a\\u0000b\", {\"a\\u0000b\": 1, \"a\\u0000c\": 2}]", "[\"\\ud800\"]", "[\"\\udc00x\"]", "[\"\\ud800\\u0041\"]",
    " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n2 \t\r\n} \t\r\n] \t\r\n",
    "", " ", "[1] [2]", "[1,]", "{\"a\":1,}", "[01]", "[.5]", "[1.]", "[+1]", "[0x1]", "[1e]",
    "['a']", "[1 /* c */]", "[\"a\tb\"]", "[\"\\x\"]", "[\"\\u12\"]", "[tru]", "[NaNa]", "{NaN: 1}",
    "[\"\xc3\x28\"]", "[\xff]", "\xef\xbb\xbf[1]", "[\"a\"", "{\"a\"}", "{\"a\" 1}", "[1 2]",
    "1{\"a\": 2}", "null[1]", "\"x\"{}", "1 2",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *problem = NULL;

      if (!json_glib_reference_check (texts[i], -1, NULL, &problem))
        g_error ("%s: %s", texts[i], problem);
    }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/json/differential/repo-fixtures", test_repo_fixtures);
  g_test_add_func ("/json/differential/real-fixtures", test_real_fixtures);
  g_test_add_func ("/json/differential/edge-texts", test_edge_texts);
  return g_test_run ();
}
