/* test-halopsa-unit.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "halopsa/lsn-halopsa-connector.h"
#include "halopsa/lsn-halopsa-error.h"
#include "halopsa/lsn-halopsa-kinds.h"
#include "lsn-test-util.h"

/* The parts of the HaloPSA connector that need no server: error bodies, normalization, settings. */

static char *
message_for (const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return lsn_halopsa_error_message (400, bytes, NULL);
}

static void
test_error_bodies (void)
{
  g_autofree char *a = message_for ("\"Record not found\"");
  g_autofree char *b = message_for ("{\"ClassName\":\"System.Exception\",\"Message\":\"Password is mandatory\","
                                    "\"Data\":null,\"InnerException\":null,\"HResult\":-2146233088}");
  g_autofree char *c = message_for ("{\"id\":[\"The value 'probe' is not valid.\"]}");
  g_autofree char *d = message_for ("{\"error\":\"invalid_client\"}");
  g_autofree char *e = message_for ("Rate Limit Reached - 300 Requests per rolling 5 minute window");
  g_autofree char *f = message_for ("<html><body>Bad gateway</body></html>");
  g_autofree char *g = message_for ("{\"error\":\"invalid_request\",\"error_description\":\"Unknown tenant\"}");
  g_autofree char *h = message_for ("{\"resultCode\":1,\"errorMessage\":\"No access\"}");
  g_autofree char *i = message_for ("   ");
  g_autofree char *j = message_for ("{\"[0].outcome_id\":[\"Could not convert\"],\"x\":[\"y\",\"z\"]}");

  g_assert_cmpstr (a, ==, "Record not found");
  g_assert_cmpstr (b, ==, "Password is mandatory");
  g_assert_cmpstr (c, ==, "id: The value 'probe' is not valid.");
  g_assert_cmpstr (d, ==, "invalid_client");
  g_assert_cmpstr (e, ==, "Rate Limit Reached - 300 Requests per rolling 5 minute window");
  g_assert_null (f);
  g_assert_cmpstr (g, ==, "invalid_request: Unknown tenant");
  g_assert_cmpstr (h, ==, "No access");
  g_assert_null (i);
  g_assert_nonnull (strstr (j, "[0].outcome_id: Could not convert"));
  g_assert_nonnull (strstr (j, "x: y; x: z"));
  g_assert_null (lsn_halopsa_error_message (401, NULL, NULL));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_normalize_site (void)
{
  g_autoptr(JsonObject) raw = parse_object (
    "{\"id\":7,\"name\":\"Head office\",\"client_id\":21.0,\"inactive\":false,"
    "\"phonenumber\":\"0123\",\"delivery_address\":{\"line1\":\"1 High St\",\"postcode\":\"AB1 2CD\"},"
    "\"slastupdate\":\"2026-10-05T12:09:48.23\",\"ref\":\"CW-55\","
    "\"customfields\":[{\"id\":3,\"name\":\"CFAccount\",\"value\":\"A-1\"},{\"name\":\"CFEmpty\",\"value\":null,\"display\":\"\"}]}");
  const LsnHalopsaKind *kind = lsn_halopsa_kind_lookup (LSN_KIND_SITE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnRecord) record = lsn_halopsa_normalize (kind, raw, &error);
  g_autoptr(GDateTime) dt = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_kind (record), ==, "site");
  g_assert_cmpstr (lsn_record_get_remote_id (record), ==, "7");
  g_assert_cmpstr (lsn_record_get_name (record), ==, "Head office");
  g_assert_cmpstr (lsn_record_get_parent_id (record), ==, "21");
  g_assert_cmpstr (lsn_record_get_string (record, "client_id"), ==, "21");
  g_assert_cmpstr (lsn_record_get_string (record, "address1"), ==, "1 High St");
  g_assert_cmpstr (lsn_record_get_string (record, "postcode"), ==, "AB1 2CD");
  g_assert_cmpstr (lsn_record_get_string (record, "phone"), ==, "0123");
  g_assert_cmpstr (lsn_record_get_string (record, "reference"), ==, "CW-55");
  g_assert_cmpstr (lsn_record_get_string (record, "custom:CFAccount"), ==, "A-1");
  g_assert_false (lsn_record_get_inactive (record));
  g_assert_nonnull (lsn_record_get_hash (record));

  dt = g_date_time_new_from_unix_utc (lsn_record_get_modified (record) / G_USEC_PER_SEC);
  g_assert_cmpint (g_date_time_get_year (dt), ==, 2026);
  g_assert_cmpint (g_date_time_get_hour (dt), ==, 12);
  g_assert_cmpint (lsn_record_get_modified (record) % G_USEC_PER_SEC, ==, 230000);
}

static void
test_normalize_rules (void)
{
  const LsnHalopsaKind *licence = lsn_halopsa_kind_lookup (LSN_KIND_LICENCE);
  const LsnHalopsaKind *client = lsn_halopsa_kind_lookup (LSN_KIND_CLIENT);
  const LsnHalopsaKind *quote = lsn_halopsa_kind_lookup (LSN_KIND_QUOTE);
  g_autoptr(JsonObject) a = parse_object ("{\"id\":1,\"name\":\"M365\",\"is_active\":false,\"count\":5}");
  g_autoptr(JsonObject) b = parse_object ("{\"id\":2,\"name\":\"M365\",\"is_active\":true,\"deleted\":false}");
  g_autoptr(JsonObject) c = parse_object ("{\"id\":3,\"name\":\"Acme\",\"toplevel_id\":-1,\"inactive\":true,"
                                          "\"alastupdate\":\"1900-01-01T00:00:00\"}");
  g_autoptr(JsonObject) d = parse_object ("{\"name\":\"no id\"}");
  g_autoptr(JsonObject) e = parse_object ("{\"id\":9,\"title\":\"Q\",\"ticket_id\":4,\"lines\":"
                                          "[{\"id\":1,\"item_id\":8,\"quantity\":2,\"baseprice\":9.5},3]}");
  g_autoptr(LsnRecord) ra = lsn_halopsa_normalize (licence, a, NULL);
  g_autoptr(LsnRecord) rb = lsn_halopsa_normalize (licence, b, NULL);
  g_autoptr(LsnRecord) rc = lsn_halopsa_normalize (client, c, NULL);
  g_autoptr(LsnRecord) re = lsn_halopsa_normalize (quote, e, NULL);
  g_autoptr(LsnRecord) rd = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *lines;

  g_assert_true (lsn_record_get_inactive (ra));
  g_assert_false (lsn_record_get_inactive (rb));
  g_assert_cmpint (json_object_get_int_member (lsn_record_get_fields (ra), "quantity"), ==, 5);

  g_assert_true (lsn_record_get_inactive (rc));
  g_assert_false (json_object_has_member (lsn_record_get_fields (rc), "toplevel"));
  g_assert_cmpint (lsn_record_get_modified (rc), ==, 0);

  rd = lsn_halopsa_normalize (client, d, &error);
  g_assert_null (rd);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_MALFORMED);

  g_assert_cmpstr (lsn_record_get_string (re, "opportunity_id"), ==, "4");
  lines = json_object_get_array_member (lsn_record_get_fields (re), "lines");
  g_assert_cmpuint (json_array_get_length (lines), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (lines, 0), "product_id"), ==, "8");
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (lines, 0), "price"), ==, 9.5);
}

static void
test_denormalize (void)
{
  const LsnHalopsaKind *site = lsn_halopsa_kind_lookup (LSN_KIND_SITE);
  const LsnHalopsaKind *contact = lsn_halopsa_kind_lookup (LSN_KIND_CONTACT);
  const LsnHalopsaKind *licence = lsn_halopsa_kind_lookup (LSN_KIND_LICENCE);
  g_autoptr(JsonObject) f1 = parse_object ("{\"name\":\"S\",\"client_id\":\"21\",\"address1\":\"1 High St\","
                                           "\"postcode\":\"X\",\"inactive\":true,\"custom:CFA\":\"v\",\"id\":5}");
  g_autoptr(JsonObject) f2 = parse_object ("{\"firstname\":\"Ada\",\"lastname\":\"Lovelace\",\"site_id\":3.0}");
  g_autoptr(JsonObject) f3 = parse_object ("{\"client_id\":\"not a number\"}");
  g_autoptr(JsonObject) f4 = parse_object ("{\"inactive\":true,\"start_date\":\"2026-01-02T03:04:05Z\"}");
  g_autoptr(JsonObject) o1 = NULL, o2 = NULL, o3 = NULL, o4 = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *address;

  o1 = lsn_halopsa_denormalize (site, f1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (o1, "client_id"), ==, 21);
  g_assert_true (json_node_get_value_type (json_object_get_member (o1, "client_id")) == G_TYPE_INT64);
  address = json_object_get_object_member (o1, "delivery_address");
  g_assert_cmpstr (json_object_get_string_member (address, "line1"), ==, "1 High St");
  g_assert_cmpstr (json_object_get_string_member (address, "postcode"), ==, "X");
  g_assert_true (json_object_get_boolean_member (o1, "inactive"));
  g_assert_false (json_object_has_member (o1, "id"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o1, "customfields")), ==, 1);

  o2 = lsn_halopsa_denormalize (contact, f2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (o2, "surname"), ==, "Lovelace");
  g_assert_cmpstr (json_object_get_string_member (o2, "name"), ==, "Ada Lovelace");
  g_assert_cmpint (json_object_get_int_member (o2, "site_id"), ==, 3);

  o3 = lsn_halopsa_denormalize (site, f3, &error);
  g_assert_null (o3);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  o4 = lsn_halopsa_denormalize (licence, f4, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (o4, "is_active"));
  g_assert_cmpstr (json_object_get_string_member (o4, "start_date"), ==, "2026-01-02T03:04:05Z");
}

static LsnConnector *
connector_from (const char  *json,
                GError     **error)
{
  g_autoptr(JsonObject) settings = parse_object (json);

  return lsn_connector_new_from_settings (settings, "s3cret", error);
}

static void
test_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnConnector) c = NULL;
  LsnHttpStats stats;

  c = connector_from ("{\"connector\":\"halopsa\",\"url\":\"http://halo.example.com\",\"client_id\":\"x\"}", &error);
  g_assert_null (c);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Resource server URL"));
  g_clear_error (&error);

  c = connector_from ("{\"connector\":\"halopsa\",\"url\":\"https://halo.example.com\"}", &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Client ID"));
  g_clear_error (&error);

  c = connector_from ("{\"connector\":\"halopsa\",\"url\":\"https://halo.example.com\",\"client_id\":\"x\","
                      "\"auth_url\":\"http://auth.example.com/auth\"}", &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Authorisation server URL"));
  g_clear_error (&error);

  c = connector_from ("{\"connector\":\"halopsa\",\"url\":\"https://halo.example.com/api/\",\"client_id\":\"x\","
                      "\"budget\":{\"requests\":50,\"seconds\":60},\"page_size\":250}", &error);
  g_assert_no_error (error);
  g_assert_true (LSN_IS_HALOPSA_CONNECTOR (c));
  g_assert_cmpstr (lsn_http_client_get_base_url (lsn_connector_get_http (c)), ==, "https://halo.example.com");
  lsn_http_client_get_stats (lsn_connector_get_http (c), &stats);
  g_assert_cmpuint (stats.budget_requests, ==, 50);
  g_assert_cmpuint (stats.budget_seconds, ==, 60);
  g_assert_cmpuint (lsn_halopsa_connector_get_page_size (LSN_HALOPSA_CONNECTOR (c)), ==, 250);
  g_assert_true (g_strv_contains (lsn_connector_get_kinds (c), "licence"));
  g_clear_object (&c);

  c = connector_from ("{\"connector\":\"halopsa\",\"url\":\"https://halo.example.com\",\"client_id\":\"x\"}", &error);
  lsn_http_client_get_stats (lsn_connector_get_http (c), &stats);
  g_assert_cmpuint (stats.budget_requests, ==, 300);
  g_assert_cmpuint (stats.budget_seconds, ==, 300);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/halopsa/error-bodies", test_error_bodies);
  g_test_add_func ("/halopsa/normalize-site", test_normalize_site);
  g_test_add_func ("/halopsa/normalize-rules", test_normalize_rules);
  g_test_add_func ("/halopsa/denormalize", test_denormalize);
  g_test_add_func ("/halopsa/settings", test_settings);

  return g_test_run ();
}
