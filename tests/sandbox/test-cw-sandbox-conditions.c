/* test-cw-sandbox-conditions.c: the ConnectWise conditions grammar of the sandbox
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-sandbox-cw-conditions.h"
#include "lsn-sandbox-cw-query.h"
#include "lsn-test-util.h"

static const char records_json[] =
  "["
  "{\"id\":1,\"name\":\"Acme Ltd\",\"identifier\":\"Acme\",\"annualRevenue\":1500.5,\"leadFlag\":false,"
  " \"status\":{\"id\":1,\"name\":\"Active\"},\"_info\":{\"lastUpdated\":\"2025-01-10T10:00:00Z\"},"
  " \"communicationItems\":[{\"value\":\"info@acme.example\",\"communicationType\":\"Email\"}]},"
  "{\"id\":2,\"name\":\"Beta & Sons\",\"identifier\":\"Beta\",\"annualRevenue\":20,\"leadFlag\":true,"
  " \"status\":{\"id\":2,\"name\":\"Inactive\"},\"_info\":{\"lastUpdated\":\"2025-03-01T00:00:00Z\"},"
  " \"communicationItems\":[{\"value\":\"555-0100\",\"communicationType\":\"Phone\"}]},"
  "{\"id\":3,\"name\":\"Gamma \\\"Quoted\\\" Co\",\"identifier\":\"Gamma\",\"leadFlag\":false,"
  " \"status\":{\"id\":1,\"name\":\"Active\"},\"_info\":{\"lastUpdated\":\"2025-06-30T23:59:59Z\"}},"
  "{\"id\":4,\"name\":\"acme holdings\",\"identifier\":\"AcmeH\",\"annualRevenue\":0,\"leadFlag\":false,"
  " \"_info\":{\"lastUpdated\":\"2024-12-31T23:00:00Z\"}}"
  "]";

static LsnCwFieldType
resolve (const char  *path,
         char       **canonical,
         gpointer     user_data)
{
  static const struct { const char *path; LsnCwFieldType type; } fields[] = {
    { "id", LSN_CW_FIELD_INT }, { "name", LSN_CW_FIELD_STRING }, { "identifier", LSN_CW_FIELD_STRING },
    { "annualRevenue", LSN_CW_FIELD_NUMBER }, { "leadFlag", LSN_CW_FIELD_BOOL },
    { "status", LSN_CW_FIELD_OBJECT }, { "status/id", LSN_CW_FIELD_INT }, { "status/name", LSN_CW_FIELD_STRING },
    { "_info/lastUpdated", LSN_CW_FIELD_DATETIME }, { "communicationItems", LSN_CW_FIELD_ARRAY },
  };

  if (g_str_equal (path, "lastUpdated"))
    {
      *canonical = g_strdup ("_info/lastUpdated");
      return LSN_CW_FIELD_DATETIME;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (path, fields[i].path))
      return fields[i].type;
  return LSN_CW_FIELD_UNKNOWN;
}

static LsnCwFieldType
resolve_item (const char  *path,
              char       **canonical,
              gpointer     user_data)
{
  return g_str_equal (path, "value") || g_str_equal (path, "communicationType")
         ? LSN_CW_FIELD_STRING : LSN_CW_FIELD_UNKNOWN;
}

static JsonArray *
load_records (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, records_json, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static char *
select_ids (JsonArray  *records,
            const char *text)
{
  g_autoptr(LsnCwCondition) condition = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) ids = g_string_new (NULL);

  condition = lsn_cw_condition_parse (text, &error);
  g_assert_no_error (error);
  lsn_cw_condition_bind (condition, resolve, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (lsn_cw_condition_matches (condition, record))
        g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, ids->len ? "," : "",
                                json_object_get_int_member (record, "id"));
    }

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
test_table (void)
{
  static const struct { const char *conditions; const char *ids; } table[] = {
    { "id = 2", "2" },
    { "id != 2", "1,3,4" },
    { "id < 3", "1,2" },
    { "id <= 3", "1,2,3" },
    { "id > 1 and id < 4", "2,3" },
    { "id >= 3", "3,4" },
    { "name = \"acme ltd\"", "1" },                 /* case-insensitive, as SQL Server */
    { "name contains \"acme\"", "1,4" },
    { "name like \"Acme*\"", "1,4" },
    { "name like \"%Sons\"", "2" },
    { "name like \"acme\"", "" },                    /* like without a wildcard is equality */
    { "name not like \"Acme*\"", "2,3" },
    { "name not contains \"acme\"", "2,3" },
    { "id in (1, 3, 4)", "1,3,4" },
    { "id not in (1,3)", "2,4" },
    { "identifier in (\"Beta\", 'Gamma')", "2,3" },  /* single quotes are accepted */
    { "name = \"Gamma \\\"Quoted\\\" Co\"", "3" },  /* backslash escapes a quote */
    { "status/name = \"Active\"", "1,3" },
    { "status/id = 2 or id = 4", "2,4" },
    { "status/name != \"Active\"", "2" },            /* a null field matches nothing but != null */
    { "status/name = null", "4" },
    { "status/name != null", "1,2,3" },
    { "leadFlag = True", "2" },
    { "leadFlag = false", "1,3,4" },
    { "annualRevenue > 100", "1" },
    { "annualRevenue >= 0 and annualRevenue < 1000.25", "2,4" },
    { "annualRevenue = null", "3" },
    { "lastUpdated > [2025-01-10T10:00:00Z]", "2,3" },
    { "lastUpdated >= [2025-01-10T10:00:00Z]", "1,2,3" },
    { "_info/lastUpdated = [2025-01-01T00:00:00+01:00]", "4" },   /* offsets are honoured */
    { "_info/lastUpdated < [2025-01-01T00:00:00+01:00]", "" },
    { "lastUpdated > [2025-03-01T00:00:00]", "3" },  /* naive is UTC */
    { "id = 1 or id = 2 and leadFlag = false", "1" },     /* and binds tighter than or */
    { "(id = 1 or id = 2) and leadFlag = false", "1" },
    { "(id = 1 or id = 2) AND leadFlag = true", "2" },
    { "not (id = 1 or id = 2)", "3,4" },
    { "((id = 3))", "3" },
    { "id=3 OR id=4", "3,4" },
    { "id = -1", "" },
  };
  g_autoptr(JsonArray) records = load_records ();

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *ids = select_ids (records, table[i].conditions);

      g_test_message ("%s -> %s", table[i].conditions, ids);
      g_assert_cmpstr (ids, ==, table[i].ids);
    }
}

static void
test_malformed (void)
{
  static const struct { const char *conditions; GQuark domain; int code; const char *needle; } table[] = {
    { "", 0, LSN_CW_QUERY_ERROR_SYNTAX, "empty" },
    { "name =", 0, LSN_CW_QUERY_ERROR_SYNTAX, "position 7" },
    { "name = \"open", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Unterminated string" },
    { "name == \"x\"", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Expected a value" },
    { "name = Acme", 0, LSN_CW_QUERY_ERROR_SYNTAX, "double quotes" },
    { "(id = 1", 0, LSN_CW_QUERY_ERROR_SYNTAX, "')'" },
    { "id = 1)", 0, LSN_CW_QUERY_ERROR_SYNTAX, "end of the conditions" },
    { "id = 1 id = 2", 0, LSN_CW_QUERY_ERROR_SYNTAX, "'and', 'or'" },
    { "id in 1, 2", 0, LSN_CW_QUERY_ERROR_SYNTAX, "'(' after 'in'" },
    { "id in (1, 2", 0, LSN_CW_QUERY_ERROR_SYNTAX, "',' or ')'" },
    { "lastUpdated > [2025-13-45T00:00:00Z]", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Invalid date" },
    { "lastUpdated > [2025-01-01", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Unterminated date" },
    { "lastUpdated > [2025-01-01]", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Invalid date" },
    { "id ! 1", 0, LSN_CW_QUERY_ERROR_SYNTAX, "'!'" },
    { "name not = \"x\"", 0, LSN_CW_QUERY_ERROR_SYNTAX, "after 'not'" },
    { "company/ = 1", 0, LSN_CW_QUERY_ERROR_SYNTAX, "after '/'" },
    { "id = 1.", 0, LSN_CW_QUERY_ERROR_SYNTAX, "Malformed number" },
    { "and = 1", 0, LSN_CW_QUERY_ERROR_SYNTAX, "field name" },
    { "nosuch = 1", 1, LSN_CW_QUERY_ERROR_FIELD, "Unknown field 'nosuch'" },
    { "Name = \"x\"", 1, LSN_CW_QUERY_ERROR_FIELD, "Unknown field" },   /* field names are case-sensitive */
    { "id = \"1\"", 1, LSN_CW_QUERY_ERROR_TYPE, "integer" },
    { "name = 1", 1, LSN_CW_QUERY_ERROR_TYPE, "double quotes" },
    { "lastUpdated > \"2025-01-01\"", 1, LSN_CW_QUERY_ERROR_TYPE, "[2024-01-31T00:00:00Z]" },
    { "id contains \"1\"", 1, LSN_CW_QUERY_ERROR_TYPE, "contains" },
    { "leadFlag > true", 1, LSN_CW_QUERY_ERROR_TYPE, "boolean" },
    { "name > null", 1, LSN_CW_QUERY_ERROR_TYPE, "null" },
    { "status = 1", 1, LSN_CW_QUERY_ERROR_TYPE, "status/id" },
    { "communicationItems/value = \"x\"", 1, LSN_CW_QUERY_ERROR_FIELD, "Unknown field" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(LsnCwCondition) condition = NULL;
      g_autoptr(GError) error = NULL;

      condition = lsn_cw_condition_parse (table[i].conditions, &error);
      if (table[i].domain == 0)
        g_assert_null (condition);
      else
        {
          g_assert_no_error (error);
          g_assert_false (lsn_cw_condition_bind (condition, resolve, NULL, &error));
        }
      g_test_message ("%s -> %s", table[i].conditions, error ? error->message : "(no error)");
      g_assert_error (error, LSN_CW_QUERY_ERROR, table[i].code);
      g_assert_nonnull (strstr (error->message, table[i].needle));
    }
}

static void
test_child_conditions (void)
{
  g_autoptr(JsonArray) records = load_records ();
  g_autoptr(LsnCwCondition) condition = NULL;
  g_autoptr(LsnCwCondition) two_lists = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *other = NULL;
  guint matched = 0;

  condition = lsn_cw_condition_parse ("communicationItems/value like \"*@ACME.example\" AND "
                                      "communicationItems/communicationType=\"Email\"", &error);
  g_assert_no_error (error);
  g_assert_true (lsn_cw_condition_strip_prefix (condition, &prefix, &error));
  g_assert_cmpstr (prefix, ==, "communicationItems");
  g_assert_true (lsn_cw_condition_bind (condition, resolve_item, NULL, &error));

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonArray *items;

      if (!json_object_has_member (record, "communicationItems"))
        continue;
      items = json_object_get_array_member (record, "communicationItems");
      for (guint j = 0; j < json_array_get_length (items); j++)
        if (lsn_cw_condition_matches (condition, json_array_get_object_element (items, j)))
          {
            g_assert_cmpint (json_object_get_int_member (record, "id"), ==, 1);
            matched++;
          }
    }
  g_assert_cmpuint (matched, ==, 1);

  two_lists = lsn_cw_condition_parse ("communicationItems/value = \"x\" and types/id = 1", &error);
  g_assert_no_error (error);
  g_assert_false (lsn_cw_condition_strip_prefix (two_lists, &other, &error));
  g_assert_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD);
}

static void
test_order_fields_patch (void)
{
  g_autoptr(JsonArray) records = load_records ();
  g_autoptr(LsnCwOrder) order = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(JsonObject) projected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *a = json_array_get_object_element (records, 0);
  JsonObject *b = json_array_get_object_element (records, 3);
  g_autofree char *json = NULL;

  order = lsn_cw_order_parse ("name desc, id", resolve, NULL, &error);
  g_assert_no_error (error);
  /* "acme ltd" sorts after "acme holdings" ignoring case: descending puts it first */
  g_assert_cmpint (lsn_cw_order_compare (order, a, b), <, 0);
  g_assert_cmpint (lsn_cw_order_compare (NULL, a, b), <, 0);
  g_assert_null (lsn_cw_order_parse ("name sideways", resolve, NULL, &error));
  g_assert_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (lsn_cw_order_parse ("status", resolve, NULL, &error));
  g_assert_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE);
  g_clear_error (&error);

  fields = lsn_cw_fields_parse ("id, status/name,lastUpdated", resolve, NULL, &error);
  g_assert_no_error (error);
  projected = lsn_cw_fields_project (a, fields);
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

    json_node_set_object (node, projected);
    json = json_to_string (node, FALSE);
  }
  g_assert_cmpstr (json, ==, "{\"id\":1,\"status\":{\"name\":\"Active\"},\"_info\":{\"lastUpdated\":\"2025-01-10T10:00:00Z\"}}");

  /* JSON Patch: replace, add, remove; paths with and without a leading slash. */
  json_parser_load_from_data (parser,
                              "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"Acme Limited\"},"
                              " {\"op\":\"add\",\"path\":\"/website\",\"value\":\"https://acme.example\"},"
                              " {\"op\":\"remove\",\"path\":\"annualRevenue\"}]", -1, &error);
  g_assert_no_error (error);
  g_assert_true (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (a, "name"), ==, "Acme Limited");
  g_assert_cmpstr (json_object_get_string_member (a, "website"), ==, "https://acme.example");
  g_assert_false (json_object_has_member (a, "annualRevenue"));

  /* A refused operation changes nothing, even after a good one. */
  json_parser_load_from_data (parser,
                              "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"X\"},"
                              " {\"op\":\"move\",\"path\":\"name\"}]", -1, &error);
  g_assert_false (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
  g_assert_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_cmpstr (json_object_get_string_member (a, "name"), ==, "Acme Limited");

  json_parser_load_from_data (parser, "[{\"op\":\"replace\",\"path\":\"status/name\",\"value\":\"x\"}]", -1, NULL);
  g_assert_false (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
  g_clear_error (&error);
  json_parser_load_from_data (parser, "[{\"op\":\"replace\",\"path\":\"id\",\"value\":9}]", -1, NULL);
  g_assert_false (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
  g_clear_error (&error);
  json_parser_load_from_data (parser, "{\"op\":\"replace\"}", -1, NULL);
  g_assert_false (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
  g_clear_error (&error);
  json_parser_load_from_data (parser, "[{\"op\":\"replace\",\"path\":\"name\"}]", -1, NULL);
  g_assert_false (lsn_cw_patch_apply (a, json_parser_get_root (parser), &error));
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/cw-sandbox/conditions/table", test_table);
  g_test_add_func ("/cw-sandbox/conditions/malformed", test_malformed);
  g_test_add_func ("/cw-sandbox/conditions/child", test_child_conditions);
  g_test_add_func ("/cw-sandbox/query/order-fields-patch", test_order_fields_patch);

  return g_test_run ();
}
