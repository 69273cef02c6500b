/* test-cw-query.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure query side of the ConnectWise connector: conditions literals, query strings, Link
 * headers, ids and error bodies.
 */

#include "config.h"

#include <string.h>

#include "connectwise/lsn-connectwise-query.h"
#include "lsn-test-util.h"

static void
test_quote_string (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "Acme", "\"Acme\"" },
    { "", "\"\"" },
    { "O\"Brien", "\"O\\\"Brien\"" },
    { "back\\slash", "\"back\\\\slash\"" },
    { "\\\"", "\"\\\\\\\"\"" },
    { "end\\", "\"end\\\\\"" },
    { "it's & 100% *+", "\"it's & 100% *+\"" },
    { "Zürich “quoted”", "\"Zürich “quoted”\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quoted = lsn_connectwise_quote_string (cases[i].in);
      g_assert_cmpstr (quoted, ==, cases[i].out);
    }

  {
    g_autofree char *quoted = lsn_connectwise_quote_string (NULL);
    g_assert_cmpstr (quoted, ==, "\"\"");
  }
}

static void
test_datetime (void)
{
  g_autofree char *epoch = lsn_connectwise_format_datetime (0);
  g_autofree char *some = lsn_connectwise_format_datetime (G_GINT64_CONSTANT (1700000000123456));
  g_autofree char *before = lsn_connectwise_format_datetime (-1);
  gint64 usec = 0;

  g_assert_cmpstr (epoch, ==, "[1970-01-01T00:00:00Z]");
  /* rounded down to the second, never up (an incremental pull must not skip a second) */
  g_assert_cmpstr (some, ==, "[2023-11-14T22:13:20Z]");
  g_assert_cmpstr (before, ==, "[1969-12-31T23:59:59Z]");

  g_assert_true (lsn_connectwise_parse_datetime ("2018-05-17T00:00:00Z", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1526515200) * G_USEC_PER_SEC);
  g_assert_true (lsn_connectwise_parse_datetime ("2018-05-17T02:00:00+02:00", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1526515200) * G_USEC_PER_SEC);
  g_assert_true (lsn_connectwise_parse_datetime ("2018-05-17T00:00:00.25Z", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1526515200) * G_USEC_PER_SEC + 250000);
  /* naive: taken as UTC */
  g_assert_true (lsn_connectwise_parse_datetime ("2018-05-17T00:00:00", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1526515200) * G_USEC_PER_SEC);
  g_assert_true (lsn_connectwise_parse_datetime ("2018-05-17", &usec));
  g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1526515200) * G_USEC_PER_SEC);

  g_assert_false (lsn_connectwise_parse_datetime (NULL, &usec));
  g_assert_false (lsn_connectwise_parse_datetime ("", &usec));
  g_assert_false (lsn_connectwise_parse_datetime ("yesterday", &usec));
  g_assert_false (lsn_connectwise_parse_datetime ("2018-13-45T00:00:00Z", &usec));
  g_assert_false (lsn_connectwise_parse_datetime ("[2018-05-17T00:00:00Z]", &usec));
}

static void
test_field_path (void)
{
  static const char * const good[] = { "name", "company/id", "_info/lastUpdated", "userDefinedField10", NULL };
  static const char * const bad[] = { "", "1abc", "name)", "a b", "a//b", "a/", "/a", "name=1", "na\"me",
                                      "id or 1", NULL };

  for (guint i = 0; good[i]; i++)
    g_assert_true (lsn_connectwise_is_field_path (good[i]));
  for (guint i = 0; bad[i]; i++)
    g_assert_false (lsn_connectwise_is_field_path (bad[i]));
  g_assert_false (lsn_connectwise_is_field_path (NULL));
}

static void
test_conditions (void)
{
  g_autoptr(GString) c = g_string_new (NULL);

  lsn_connectwise_conditions_add_datetime (c, "lastUpdated", ">=", G_GINT64_CONSTANT (1526515200500000));
  lsn_connectwise_conditions_add_bool (c, "deletedFlag", FALSE);
  lsn_connectwise_conditions_add_string (c, "name", "contains", "A \"b\" \\ c");
  lsn_connectwise_conditions_add_int (c, "company/id", "=", 42);
  lsn_connectwise_conditions_add_group (c, "firstName = \"x\" or lastName = \"x\"");
  lsn_connectwise_conditions_add_bool (c, "inactiveFlag", TRUE);

  g_assert_cmpstr (c->str, ==,
                   "lastUpdated >= [2018-05-17T00:00:00Z] and deletedFlag = False"
                   " and name contains \"A \\\"b\\\" \\\\ c\" and company/id = 42"
                   " and (firstName = \"x\" or lastName = \"x\") and inactiveFlag = True");
}

static void
test_build_path (void)
{
  LsnConnectwiseQuery q = {
    .conditions = "name = \"A&B's 100% *+\" and id > 1",
    .order_by = "id asc",
    .fields = "id,name",
    .page = 3,
    .page_size = 1000,
  };
  LsnConnectwiseQuery forward = { .page_size = 50, .page_id = 1234 };
  g_autofree char *path = lsn_connectwise_build_path ("/v4_6_release/apis/3.0/company/companies", &q);
  g_autofree char *path2 = lsn_connectwise_build_path ("/x", &forward);
  g_autofree char *path3 = lsn_connectwise_build_path ("/x", NULL);
  g_autofree char *decoded = NULL;

  g_assert_cmpstr (path, ==,
                   "/v4_6_release/apis/3.0/company/companies"
                   "?conditions=name%20%3D%20%22A%26B%27s%20100%25%20%2A%2B%22%20and%20id%20%3E%201"
                   "&orderBy=id%20asc&fields=id%2Cname&page=3&pageSize=1000");
  g_assert_cmpstr (path2, ==, "/x?pageSize=50&pageId=1234");
  g_assert_cmpstr (path3, ==, "/x");

  /* what the server decodes is what was written */
  decoded = lsn_connectwise_url_get_param (path, "conditions");
  g_assert_cmpstr (decoded, ==, q.conditions);
}

static void
test_link (void)
{
  const char *header =
    "<https://h/v2017_3/apis/3.0/company/companies?pageSize=50&page=1>; rel=\"first\", "
    "<https://h/v2017_3/apis/3.0/company/companies?pageSize=50&page=2>; rel=\"next\", "
    "<https://h/v2017_3/apis/3.0/company/companies?pageSize=50&page=4>; rel=\"last\"";
  g_autofree char *next = lsn_connectwise_link_find (header, "next");
  g_autofree char *last = lsn_connectwise_link_find (header, "LAST");
  g_autofree char *prev = lsn_connectwise_link_find (header, "prev");
  g_autofree char *page = lsn_connectwise_url_get_param (next, "page");
  g_autofree char *unquoted = lsn_connectwise_link_find ("<a?pageId=9>;rel=next", "next");
  g_autofree char *multi = lsn_connectwise_link_find ("<u1>; rel=\"prev next\"", "next");
  g_autofree char *comma = lsn_connectwise_link_find ("<x?conditions=id in (1,2)&pageId=7>; rel=\"next\"", "next");
  g_autofree char *page_id = lsn_connectwise_url_get_param (comma, "PAGEID");
  g_autofree char *param_first = lsn_connectwise_link_find ("<u>; title=\"a, b\"; rel=next", "next");

  g_assert_cmpstr (next, ==, "https://h/v2017_3/apis/3.0/company/companies?pageSize=50&page=2");
  g_assert_cmpstr (last, ==, "https://h/v2017_3/apis/3.0/company/companies?pageSize=50&page=4");
  g_assert_null (prev);
  g_assert_cmpstr (page, ==, "2");
  g_assert_cmpstr (unquoted, ==, "a?pageId=9");
  g_assert_cmpstr (multi, ==, "u1");
  g_assert_cmpstr (comma, ==, "x?conditions=id in (1,2)&pageId=7");
  g_assert_cmpstr (page_id, ==, "7");
  g_assert_cmpstr (param_first, ==, "u");

  /* the empty Link of the last forward-only page, and broken ones */
  g_assert_null (lsn_connectwise_link_find ("", "next"));
  g_assert_null (lsn_connectwise_link_find (NULL, "next"));
  g_assert_null (lsn_connectwise_link_find ("garbage", "next"));
  g_assert_null (lsn_connectwise_link_find ("<unterminated; rel=\"next\"", "next"));
  g_assert_null (lsn_connectwise_url_get_param ("https://h/x", "page"));
  g_assert_null (lsn_connectwise_url_get_param (NULL, "page"));
}

static void
test_parse_id (void)
{
  static const char * const bad[] = { "", "0", "-1", "+1", " 1", "1 ", "1a", "0x10", "2147483648",
                                      "99999999999", "1.0", "1/2", NULL };
  gint64 id = 0;

  g_assert_true (lsn_connectwise_parse_id ("1", &id));
  g_assert_cmpint (id, ==, 1);
  g_assert_true (lsn_connectwise_parse_id ("2147483647", &id));
  g_assert_cmpint (id, ==, G_MAXINT32);
  g_assert_true (lsn_connectwise_parse_id ("007", &id));
  g_assert_cmpint (id, ==, 7);

  for (guint i = 0; bad[i]; i++)
    g_assert_false (lsn_connectwise_parse_id (bad[i], &id));
  g_assert_false (lsn_connectwise_parse_id (NULL, &id));
}

static char *
error_message (const char *body)
{
  return lsn_connectwise_error_message (body, body ? strlen (body) : 0);
}

static void
test_error_message (void)
{
  g_autofree char *invalid = error_message (
    "{\r\n  \"code\": \"InvalidObject\",\r\n  \"message\": \"callbackEntry object is invalid\",\r\n"
    "  \"errors\": [{\"code\": \"ObjectExists\", \"message\": \"A matching callback entry already exists\","
    " \"resource\": \"callbackEntry\", \"field\": \"objectId\"}]}");
  g_autofree char *throttled = error_message (
    "{\"error\":\"ConnectWiseAPI\",\"message\":\"Too many requests. Please try again in 30 seconds.\"}");
  g_autofree char *null_errors = error_message ("{\"code\":\"Security\",\"message\":\"SSL is required.\",\"errors\":null}");
  g_autofree char *text = error_message ("Cannot route. Codebase/company is invalid\n");
  g_autofree char *odd = error_message ("{\"errors\": [5, {\"field\": \"name\"}, {\"message\": \"x\"}]}");
  g_autofree char *long_text = NULL;
  g_autofree char *many = g_strnfill (1000, 'a');

  g_assert_cmpstr (invalid, ==,
                   "callbackEntry object is invalid (InvalidObject); field objectId: "
                   "A matching callback entry already exists (ObjectExists)");
  g_assert_cmpstr (throttled, ==, "Too many requests. Please try again in 30 seconds. (ConnectWiseAPI)");
  g_assert_cmpstr (null_errors, ==, "SSL is required. (Security)");
  g_assert_cmpstr (text, ==, "Cannot route. Codebase/company is invalid");
  g_assert_cmpstr (odd, ==, "field name: ; x");

  long_text = error_message (many);
  g_assert_cmpint (g_utf8_strlen (long_text, -1), ==, 301);
  g_assert_true (g_str_has_suffix (long_text, "…"));

  g_assert_null (error_message (NULL));
  g_assert_null (error_message (""));
  g_assert_null (error_message ("  \n"));
  g_assert_null (error_message ("{}"));
  g_assert_null (error_message ("{\"message\": 5}"));

  /* a body that is not valid UTF-8 is still quoted, made valid */
  {
    g_autofree char *bad = lsn_connectwise_error_message ("bad \xff byte", 10);
    g_assert_true (g_utf8_validate (bad, -1, NULL));
    g_assert_true (g_str_has_prefix (bad, "bad "));
  }
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/connectwise/query/quote-string", test_quote_string);
  g_test_add_func ("/connectwise/query/datetime", test_datetime);
  g_test_add_func ("/connectwise/query/field-path", test_field_path);
  g_test_add_func ("/connectwise/query/conditions", test_conditions);
  g_test_add_func ("/connectwise/query/build-path", test_build_path);
  g_test_add_func ("/connectwise/query/link", test_link);
  g_test_add_func ("/connectwise/query/parse-id", test_parse_id);
  g_test_add_func ("/connectwise/query/error-message", test_error_message);

  return g_test_run ();
}
