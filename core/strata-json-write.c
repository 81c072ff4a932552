/* strata-json-write.c: JSON written byte for byte as Python's json.dumps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-json-write-private.h"
#include "strata-i18n-private.h"

/* ------------------------------------------------------------------ */
/* Writing, byte for byte as Python's json.dumps                       */
/* ------------------------------------------------------------------ */

void
strata_json_write_string (GString    *out,
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
            strata_json_write_string (out, name);
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
              strata_json_write_string (out, s);
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
