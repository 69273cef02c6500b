/* test-cw-mapping.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Normalization of ConnectWise records into canonical records, and the bodies of create (POST)
 * and update (PATCH), without a server.
 */

#include "config.h"

#include <string.h>

#include "lsn-connector.h"
#include "lsn-error.h"
#include "connectwise/lsn-connectwise-mapping.h"
#include "connectwise/lsn-connectwise-query.h"
#include "lsn-test-util.h"

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

static char *
to_json_array (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

static char *
to_json_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

/* Compares JSON texts by value, not by member order. */
static void
assert_json_equal (const char *actual,
                   const char *expected)
{
  g_autoptr(JsonParser) a = json_parser_new ();
  g_autoptr(JsonParser) b = json_parser_new ();

  g_assert_true (json_parser_load_from_data (a, actual, -1, NULL));
  g_assert_true (json_parser_load_from_data (b, expected, -1, NULL));
  if (!json_node_equal (json_parser_get_root (a), json_parser_get_root (b)))
    g_error ("JSON differs:\n  actual:   %s\n  expected: %s", actual, expected);
}

static const char *
field_string (LsnRecord  *record,
              const char *name)
{
  return lsn_record_get_string (record, name);
}

static gboolean
field_bool (LsnRecord  *record,
            const char *name)
{
  JsonObject *fields = lsn_record_get_fields (record);

  g_assert_true (json_object_has_member (fields, name));
  return json_object_get_boolean_member (fields, name);
}

/* ---- Normalization -------------------------------------------------------------------------- */

static const char company_json[] =
  "{\"id\": 250, \"identifier\": \"AcmeCorp\", \"name\": \"Acme Corp\","
  " \"status\": {\"id\": 2, \"name\": \"Active\", \"_info\": {\"status_href\": \"https://h/x\"}},"
  " \"types\": [{\"id\": 5, \"name\": \"Client\"}],"
  " \"addressLine1\": \"1 Main St\", \"addressLine2\": \"\", \"city\": \"Tampa\", \"state\": \"FL\","
  " \"zip\": \"33602\", \"country\": {\"id\": 1, \"identifier\": \"US\", \"name\": \"United States\"},"
  " \"phoneNumber\": \"555-0100\", \"website\": \"acme.example\", \"accountNumber\": \"HALO-17\","
  " \"deletedFlag\": false, \"taxCode\": {\"id\": 9, \"name\": \"FL\"},"
  " \"customFields\": [{\"id\": 4, \"caption\": \"Account Tier\", \"type\": \"Text\", \"value\": \"Gold\"},"
  "                    {\"id\": 7, \"caption\": \"Halo Id\", \"type\": \"Number\", \"value\": 17},"
  "                    {\"id\": 8, \"caption\": \"Unset\", \"type\": \"Text\", \"value\": null}],"
  " \"_info\": {\"lastUpdated\": \"2024-03-01T10:20:30Z\", \"updatedBy\": \"api\"}}";

static void
test_normalize_client (void)
{
  g_autoptr(JsonObject) raw = parse_object (company_json);
  g_autoptr(GHashTable) inactive = g_hash_table_new (g_direct_hash, g_direct_equal);
  LsnConnectwiseReadContext ctx = { .reference_field = NULL, .inactive_status_ids = inactive };
  g_autoptr(LsnRecord) record = NULL;
  g_autoptr(LsnRecord) custom_ref = NULL;
  g_autoptr(LsnRecord) caption_ref = NULL;
  g_autoptr(LsnRecord) off = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *fields;
  gint64 expected_modified;

  record = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, &ctx, &error);
  g_assert_no_error (error);
  fields = lsn_record_get_fields (record);

  g_assert_cmpstr (lsn_record_get_kind (record), ==, "client");
  g_assert_cmpstr (lsn_record_get_remote_id (record), ==, "250");
  g_assert_cmpstr (lsn_record_get_name (record), ==, "Acme Corp");
  g_assert_null (lsn_record_get_parent_id (record));
  g_assert_true (lsn_record_get_raw (record) == raw);
  g_assert_cmpstr (field_string (record, "name"), ==, "Acme Corp");
  g_assert_cmpstr (field_string (record, "identifier"), ==, "AcmeCorp");
  g_assert_cmpstr (field_string (record, "phone"), ==, "555-0100");
  g_assert_cmpstr (field_string (record, "website"), ==, "acme.example");
  g_assert_cmpstr (field_string (record, "address1"), ==, "1 Main St");
  g_assert_false (json_object_has_member (fields, "address2")); /* empty is not set */
  g_assert_cmpstr (field_string (record, "city"), ==, "Tampa");
  g_assert_cmpstr (field_string (record, "state"), ==, "FL");
  g_assert_cmpstr (field_string (record, "postcode"), ==, "33602");
  g_assert_cmpstr (field_string (record, "country"), ==, "United States");
  g_assert_cmpstr (field_string (record, "status"), ==, "Active");
  g_assert_cmpstr (field_string (record, "status_id"), ==, "2");
  g_assert_cmpstr (field_string (record, "type"), ==, "Client");
  g_assert_cmpstr (field_string (record, "type_id"), ==, "5");
  g_assert_cmpstr (field_string (record, "tax_code_id"), ==, "9");
  g_assert_cmpstr (field_string (record, "reference"), ==, "HALO-17");
  g_assert_true (field_bool (record, "toplevel"));
  g_assert_false (field_bool (record, "inactive"));
  g_assert_false (lsn_record_get_inactive (record));
  g_assert_cmpstr (field_string (record, "customField:4"), ==, "Gold");
  g_assert_cmpint (json_object_get_int_member (fields, "customField:7"), ==, 17);
  g_assert_false (json_object_has_member (fields, "customField:8"));
  g_assert_true (lsn_connectwise_parse_datetime ("2024-03-01T10:20:30Z", &expected_modified));
  g_assert_cmpint (lsn_record_get_modified (record), ==, expected_modified);

  /* The reference in a custom field, by id (a number field reads as text) and by caption */
  ctx.reference_field = "customField:7";
  custom_ref = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, &ctx, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (field_string (custom_ref, "reference"), ==, "17");
  ctx.reference_field = "customField:Account Tier";
  caption_ref = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, &ctx, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (field_string (caption_ref, "reference"), ==, "Gold");

  /* Inactive through the status' inactiveFlag */
  g_hash_table_add (inactive, GINT_TO_POINTER (2));
  off = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, &ctx, &error);
  g_assert_no_error (error);
  g_assert_true (lsn_record_get_inactive (off));
  g_assert_true (field_bool (off, "inactive"));
  /* the hash covers what changed */
  g_assert_cmpstr (lsn_record_get_hash (off), !=, lsn_record_get_hash (caption_ref));
}

static void
test_normalize_client_deleted (void)
{
  g_autoptr(JsonObject) raw = parse_object ("{\"id\": 3, \"name\": \"Gone\", \"deletedFlag\": true,"
                                            " \"parentCompany\": {\"id\": 1, \"name\": \"Parent\"}}");
  g_autoptr(LsnRecord) record = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, NULL, NULL);

  g_assert_nonnull (record);
  g_assert_true (lsn_record_get_inactive (record));
  g_assert_false (field_bool (record, "toplevel"));
  g_assert_cmpstr (field_string (record, "parent_client_id"), ==, "1");
  g_assert_cmpint (lsn_record_get_modified (record), ==, 0);
}

static void
test_normalize_site (void)
{
  g_autoptr(JsonObject) raw = parse_object (
    "{\"id\": 77, \"name\": \"Main\", \"addressLine1\": \"1 Main St\", \"city\": \"Tampa\","
    " \"stateReference\": {\"id\": 12, \"identifier\": \"FL\", \"name\": \"Florida\"},"
    " \"zip\": \"33602\", \"country\": {\"id\": 1, \"name\": \"United States\"}, \"phoneNumber\": \"555\","
    " \"inactiveFlag\": true, \"primaryAddressFlag\": true, \"company\": {\"id\": 250, \"name\": \"Acme\"}}");
  g_autoptr(JsonObject) bare = parse_object ("{\"id\": 78, \"name\": \"Branch\"}");
  LsnConnectwiseReadContext ctx = { .parent_id = "250" };
  g_autoptr(LsnRecord) record = lsn_connectwise_normalize (LSN_KIND_SITE, raw, NULL, NULL);
  g_autoptr(LsnRecord) from_path = lsn_connectwise_normalize (LSN_KIND_SITE, bare, &ctx, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnRecord) orphan = lsn_connectwise_normalize (LSN_KIND_SITE, bare, NULL, &error);

  g_assert_cmpstr (lsn_record_get_remote_id (record), ==, "250/77");
  g_assert_cmpstr (lsn_record_get_parent_id (record), ==, "250");
  g_assert_cmpstr (field_string (record, "client_id"), ==, "250");
  g_assert_cmpstr (field_string (record, "state"), ==, "FL");
  g_assert_cmpstr (field_string (record, "country"), ==, "United States");
  g_assert_cmpstr (field_string (record, "phone"), ==, "555");
  g_assert_true (lsn_record_get_inactive (record));
  g_assert_true (field_bool (record, "primary"));

  g_assert_cmpstr (lsn_record_get_remote_id (from_path), ==, "250/78");
  g_assert_false (lsn_record_get_inactive (from_path));

  /* without a company it cannot be addressed */
  g_assert_null (orphan);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_MALFORMED);
}

static void
test_normalize_contact (void)
{
  g_autoptr(JsonObject) raw = parse_object (
    "{\"id\": 9, \"firstName\": \"Ada\", \"lastName\": \"Lovelace\", \"title\": \"CTO\","
    " \"company\": {\"id\": 250}, \"site\": {\"id\": 77}, \"inactiveFlag\": false,"
    " \"communicationItems\": ["
    "   {\"id\": 1, \"type\": {\"id\": 1, \"name\": \"Email\"}, \"value\": \"old@x\", \"defaultFlag\": false, \"communicationType\": \"Email\"},"
    "   {\"id\": 2, \"type\": {\"id\": 1, \"name\": \"Email\"}, \"value\": \"ada@x\", \"defaultFlag\": true, \"communicationType\": \"Email\"},"
    "   {\"id\": 3, \"type\": {\"id\": 4, \"name\": \"Mobile\"}, \"value\": \"07700\", \"defaultFlag\": true, \"communicationType\": \"Phone\"},"
    "   {\"id\": 4, \"type\": {\"id\": 2, \"name\": \"Direct\"}, \"value\": \"555-1\", \"defaultFlag\": false, \"communicationType\": \"Phone\"},"
    "   {\"id\": 5, \"type\": {\"id\": 3, \"name\": \"Fax\"}, \"value\": \"555-9\", \"communicationType\": \"Fax\"},"
    "   \"junk\", 5, null],"
    " \"_info\": {\"lastUpdated\": \"2024-01-01T00:00:00Z\"}}");
  g_autoptr(JsonObject) no_items = parse_object (
    "{\"id\": 10, \"firstName\": \"Solo\", \"defaultPhoneNbr\": \"555-2\", \"inactiveFlag\": true}");
  g_autoptr(LsnRecord) record = lsn_connectwise_normalize (LSN_KIND_CONTACT, raw, NULL, NULL);
  g_autoptr(LsnRecord) solo = lsn_connectwise_normalize (LSN_KIND_CONTACT, no_items, NULL, NULL);

  g_assert_cmpstr (lsn_record_get_name (record), ==, "Ada Lovelace");
  g_assert_cmpstr (field_string (record, "firstname"), ==, "Ada");
  g_assert_cmpstr (field_string (record, "lastname"), ==, "Lovelace");
  g_assert_cmpstr (field_string (record, "jobtitle"), ==, "CTO");
  g_assert_cmpstr (field_string (record, "email"), ==, "ada@x");   /* the default one */
  g_assert_cmpstr (field_string (record, "mobile"), ==, "07700");
  g_assert_cmpstr (field_string (record, "phone"), ==, "555-1");   /* a phone that is not the mobile */
  g_assert_cmpstr (field_string (record, "client_id"), ==, "250");
  g_assert_cmpstr (field_string (record, "site_id"), ==, "250/77");
  g_assert_cmpstr (lsn_record_get_parent_id (record), ==, "250");
  g_assert_false (lsn_record_get_inactive (record));

  g_assert_cmpstr (lsn_record_get_name (solo), ==, "Solo");
  g_assert_cmpstr (field_string (solo, "phone"), ==, "555-2");
  g_assert_null (field_string (solo, "email"));
  g_assert_true (lsn_record_get_inactive (solo));
}

static void
test_normalize_sales (void)
{
  g_autoptr(JsonObject) opp_raw = parse_object (
    "{\"id\": 31, \"name\": \"Firewall refresh\", \"notes\": \"n\", \"company\": {\"id\": 250},"
    " \"contact\": {\"id\": 9}, \"site\": {\"id\": 77}, \"primarySalesRep\": {\"id\": 3, \"identifier\": \"jd\"},"
    " \"stage\": {\"id\": 4, \"name\": \"Proposal\"}, \"status\": {\"id\": 1, \"name\": \"Open\"},"
    " \"expectedCloseDate\": \"2024-05-01T00:00:00Z\", \"customerPO\": \"PO-1\","
    " \"currency\": {\"id\": 1, \"currencyCode\": \"USD\", \"name\": \"US Dollars\"}}");
  g_autoptr(JsonObject) product_raw = parse_object (
    "{\"id\": 12, \"identifier\": \"FW-100\", \"description\": \"Firewall\", \"customerDescription\": \"A firewall\","
    " \"price\": 1200.5, \"cost\": 800, \"taxableFlag\": true, \"inactiveFlag\": false,"
    " \"type\": {\"id\": 2, \"name\": \"Hardware\"}, \"subcategory\": {\"id\": 6, \"name\": \"Network\"},"
    " \"category\": {\"id\": 1, \"name\": \"Hardware\"}, \"productClass\": \"Inventory\"}");
  g_autoptr(JsonObject) addition_raw = parse_object (
    "{\"id\": 5, \"product\": {\"id\": 12, \"identifier\": \"FW-100\"}, \"quantity\": 3, \"unitPrice\": 10.0,"
    " \"billCustomer\": \"Billable\", \"agreementId\": 40, \"cancelledDate\": \"2020-01-01T00:00:00Z\"}");
  g_autoptr(JsonObject) future_raw = parse_object (
    "{\"id\": 6, \"product\": {\"id\": 12, \"identifier\": \"FW-100\"}, \"agreementId\": 40,"
    " \"cancelledDate\": \"2999-01-01T00:00:00Z\"}");
  g_autoptr(JsonObject) status_raw = parse_object (
    "{\"id\": 3, \"name\": \"Won\", \"wonFlag\": true, \"lostFlag\": false, \"closedFlag\": true,"
    " \"inactiveFlag\": false, \"_info\": {\"lastUpdated\": \"2024-01-01T00:00:00Z\"}}");
  g_autoptr(LsnRecord) opp = lsn_connectwise_normalize (LSN_KIND_OPPORTUNITY, opp_raw, NULL, NULL);
  g_autoptr(LsnRecord) product = lsn_connectwise_normalize (LSN_KIND_PRODUCT, product_raw, NULL, NULL);
  g_autoptr(LsnRecord) addition = lsn_connectwise_normalize (LSN_KIND_ADDITION, addition_raw, NULL, NULL);
  g_autoptr(LsnRecord) future = lsn_connectwise_normalize (LSN_KIND_ADDITION, future_raw, NULL, NULL);
  g_autoptr(LsnRecord) status = lsn_connectwise_normalize ("opportunity_status", status_raw, NULL, NULL);
  JsonObject *f;

  g_assert_cmpstr (field_string (opp, "title"), ==, "Firewall refresh");
  g_assert_cmpstr (field_string (opp, "owner_id"), ==, "3");
  g_assert_cmpstr (field_string (opp, "stage"), ==, "Proposal");
  g_assert_cmpstr (field_string (opp, "stage_id"), ==, "4");
  g_assert_cmpstr (field_string (opp, "status_id"), ==, "1");
  g_assert_cmpstr (field_string (opp, "site_id"), ==, "250/77");
  g_assert_cmpstr (field_string (opp, "expected_close"), ==, "2024-05-01T00:00:00Z");
  g_assert_cmpstr (field_string (opp, "currency"), ==, "USD");

  f = lsn_record_get_fields (product);
  g_assert_cmpstr (lsn_record_get_name (product), ==, "Firewall");
  g_assert_cmpstr (field_string (product, "code"), ==, "FW-100");
  g_assert_cmpstr (field_string (product, "description"), ==, "A firewall");
  g_assert_cmpfloat (json_object_get_double_member (f, "price"), ==, 1200.5);
  g_assert_cmpint (json_object_get_int_member (f, "cost"), ==, 800);
  g_assert_true (field_bool (product, "taxable"));
  g_assert_cmpstr (field_string (product, "type"), ==, "Hardware");
  g_assert_cmpstr (field_string (product, "subcategory_id"), ==, "6");

  g_assert_cmpstr (lsn_record_get_remote_id (addition), ==, "40/5");
  g_assert_cmpstr (lsn_record_get_name (addition), ==, "FW-100");
  g_assert_cmpstr (field_string (addition, "agreement_id"), ==, "40");
  g_assert_cmpstr (field_string (addition, "product_id"), ==, "12");
  g_assert_cmpstr (field_string (addition, "product_code"), ==, "FW-100");
  g_assert_true (lsn_record_get_inactive (addition));   /* cancelled in the past */
  g_assert_false (lsn_record_get_inactive (future));    /* cancelled later */

  g_assert_cmpstr (lsn_record_get_name (status), ==, "Won");
  g_assert_true (field_bool (status, "wonFlag"));
  g_assert_true (field_bool (status, "closedFlag"));
  g_assert_false (lsn_record_get_inactive (status));
}

static void
test_normalize_malformed (void)
{
  static const char * const bodies[] = {
    "{}", "{\"id\": \"12\"}", "{\"id\": 1.5}", "{\"id\": null}", "{\"id\": [1]}",
  };
  g_autoptr(JsonObject) wrong_types = parse_object (
    "{\"id\": 4, \"name\": 5, \"phoneNumber\": {\"x\": 1}, \"status\": \"Active\", \"types\": \"x\","
    " \"customFields\": {\"a\": 1}, \"deletedFlag\": \"yes\", \"country\": [1],"
    " \"_info\": {\"lastUpdated\": 12}}");
  g_autoptr(JsonObject) contact = parse_object (
    "{\"id\": 4, \"communicationItems\": {\"value\": \"x\"}, \"company\": {\"id\": \"1\"}}");
  g_autoptr(LsnRecord) record = NULL;
  g_autoptr(LsnRecord) contact_record = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonObject) raw = parse_object (bodies[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LsnRecord) r = lsn_connectwise_normalize (LSN_KIND_CLIENT, raw, NULL, &error);

      g_assert_null (r);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_MALFORMED);
    }

  /* Members of the wrong type are left out, never trusted */
  record = lsn_connectwise_normalize (LSN_KIND_CLIENT, wrong_types, NULL, NULL);
  g_assert_nonnull (record);
  g_assert_null (lsn_record_get_name (record));
  g_assert_null (field_string (record, "name"));
  g_assert_null (field_string (record, "phone"));
  g_assert_null (field_string (record, "status"));
  g_assert_null (field_string (record, "country"));
  g_assert_false (field_bool (record, "inactive"));
  g_assert_cmpint (lsn_record_get_modified (record), ==, 0);

  contact_record = lsn_connectwise_normalize (LSN_KIND_CONTACT, contact, NULL, NULL);
  g_assert_nonnull (contact_record);
  g_assert_null (field_string (contact_record, "email"));
  g_assert_null (field_string (contact_record, "client_id"));

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) raw = parse_object ("{\"id\": 1}");
    g_assert_null (lsn_connectwise_normalize ("ticket", raw, NULL, &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_child_ids (void)
{
  g_autofree char *id = lsn_connectwise_make_child_id (250, 77);
  gint64 parent = 0, child = 0;

  g_assert_cmpstr (id, ==, "250/77");
  g_assert_true (lsn_connectwise_split_child_id (id, &parent, &child));
  g_assert_cmpint (parent, ==, 250);
  g_assert_cmpint (child, ==, 77);
  g_assert_false (lsn_connectwise_split_child_id ("250", &parent, &child));
  g_assert_false (lsn_connectwise_split_child_id ("250/", &parent, &child));
  g_assert_false (lsn_connectwise_split_child_id ("/77", &parent, &child));
  g_assert_false (lsn_connectwise_split_child_id ("250/77/1", &parent, &child));
  g_assert_false (lsn_connectwise_split_child_id ("a/77", &parent, &child));
  g_assert_false (lsn_connectwise_split_child_id (NULL, &parent, &child));
}

/* ---- Writing ---------------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *calls;   /* "what=value" */
} FakeResolver;

static JsonNode *
fake_resolve (const char  *what,
              const char  *value,
              gpointer     user_data,
              GError     **error)
{
  FakeResolver *fake = user_data;
  g_autoptr(JsonObject) ref = json_object_new ();
  JsonNode *node;

  g_ptr_array_add (fake->calls, g_strdup_printf ("%s=%s", what, value));

  if (g_str_equal (value, "Atlantis"))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION, "ConnectWise has no %s “%s”", what, value);
      return NULL;
    }

  /* deterministic ids: 100 + length of the value */
  json_object_set_int_member (ref, "id", 100 + (gint64) strlen (value));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, ref);
  return node;
}

static void
test_create_client (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) fields = parse_object (
    "{\"name\": \"Acme & Sons, Ltd.\", \"phone\": \"555\", \"address1\": \"1 Main\", \"postcode\": \"33602\","
    " \"country\": \"United States\", \"inactive\": false, \"reference\": \"HALO-17\", \"type\": \"Client\","
    " \"toplevel\": true, \"website\": null, \"customField:4\": \"Gold\"}");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gint64 parent = -1;

  body = lsn_connectwise_build_create (LSN_KIND_CLIENT, fields, &ctx, &parent, &error);
  g_assert_no_error (error);
  json = to_json_object (body);
  assert_json_equal (json,
                     "{\"name\": \"Acme & Sons, Ltd.\", \"identifier\": \"AcmeSonsLtd\", \"phoneNumber\": \"555\","
                     " \"addressLine1\": \"1 Main\", \"zip\": \"33602\", \"country\": {\"id\": 113},"
                     " \"accountNumber\": \"HALO-17\", \"types\": [{\"id\": 106}],"
                     " \"customFields\": [{\"id\": 4, \"value\": \"Gold\"}]}");
  g_assert_cmpint (parent, ==, 0);
  /* an active new company keeps the default status: no lookup */
  g_assert_cmpuint (fake.calls->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fake.calls, 0), ==, "country=United States");
  g_assert_cmpstr (g_ptr_array_index (fake.calls, 1), ==, "company_type=Client");

  g_ptr_array_unref (fake.calls);
}

static void
test_create_client_inactive_custom_reference (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { "customField:7", fake_resolve, &fake };
  g_autoptr(JsonObject) fields = parse_object (
    "{\"name\": \"Old Co\", \"identifier\": \"OLD1\", \"inactive\": true, \"reference\": \"17\", \"type_id\": \"5\"}");
  g_autoptr(JsonObject) body = lsn_connectwise_build_create (LSN_KIND_CLIENT, fields, &ctx, NULL, NULL);
  g_autofree char *json = to_json_object (body);

  assert_json_equal (json,
                     "{\"name\": \"Old Co\", \"identifier\": \"OLD1\", \"status\": {\"id\": 108},"
                     " \"types\": [{\"id\": 5}], \"customFields\": [{\"id\": 7, \"value\": \"17\"}]}");
  g_assert_cmpstr (g_ptr_array_index (fake.calls, 0), ==, "company_status=inactive");
  g_ptr_array_unref (fake.calls);
}

static void
test_create_contact (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) fields = parse_object (
    "{\"firstname\": \"Ada\", \"lastname\": \"Lovelace\", \"email\": \"ada@x\", \"phone\": \"555-1\","
    " \"mobile\": \"07700\", \"client_id\": \"250\", \"site_id\": \"250/77\", \"jobtitle\": \"CTO\","
    " \"inactive\": false}");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  body = lsn_connectwise_build_create (LSN_KIND_CONTACT, fields, &ctx, NULL, &error);
  g_assert_no_error (error);
  json = to_json_object (body);
  assert_json_equal (json,
                     "{\"firstName\": \"Ada\", \"lastName\": \"Lovelace\", \"title\": \"CTO\","
                     " \"company\": {\"id\": 250}, \"site\": {\"id\": 77}, \"inactiveFlag\": false,"
                     " \"communicationItems\": ["
                     "  {\"type\": {\"id\": 105}, \"value\": \"ada@x\", \"communicationType\": \"Email\", \"defaultFlag\": true},"
                     "  {\"type\": {\"id\": 105}, \"value\": \"555-1\", \"communicationType\": \"Phone\", \"defaultFlag\": true},"
                     "  {\"type\": {\"id\": 106}, \"value\": \"07700\", \"communicationType\": \"Phone\", \"defaultFlag\": false}]}");
  g_ptr_array_unref (fake.calls);
}

static void
test_create_children (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) site = parse_object ("{\"name\": \"Branch\", \"client_id\": \"250\", \"state\": \"FL\"}");
  g_autoptr(JsonObject) orphan = parse_object ("{\"name\": \"Branch\"}");
  g_autoptr(JsonObject) addition = parse_object ("{\"agreement_id\": 40, \"product_code\": \"FW-100\", \"quantity\": \"3\"}");
  g_autoptr(JsonObject) product = parse_object ("{\"code\": \"FW-1\", \"name\": \"Firewall\", \"type_id\": \"2\","
                                                " \"type\": \"ignored: the id wins\", \"subcategory_id\": 6,"
                                                " \"price\": 10, \"taxable\": \"true\"}");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  g_autofree char *json3 = NULL;
  gint64 parent = 0;

  body = lsn_connectwise_build_create (LSN_KIND_SITE, site, &ctx, &parent, &error);
  g_assert_no_error (error);
  json = to_json_object (body);
  assert_json_equal (json, "{\"name\": \"Branch\", \"stateReference\": {\"id\": 102}}");
  g_assert_cmpint (parent, ==, 250);
  g_clear_pointer (&body, json_object_unref);

  body = lsn_connectwise_build_create (LSN_KIND_SITE, orphan, &ctx, &parent, &error);
  g_assert_null (body);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "client_id"));
  g_clear_error (&error);

  body = lsn_connectwise_build_create (LSN_KIND_ADDITION, addition, &ctx, &parent, &error);
  g_assert_no_error (error);
  json2 = to_json_object (body);
  assert_json_equal (json2, "{\"product\": {\"identifier\": \"FW-100\"}, \"quantity\": 3.0, \"billCustomer\": \"Billable\"}");
  g_assert_cmpint (parent, ==, 40);
  g_clear_pointer (&body, json_object_unref);

  body = lsn_connectwise_build_create (LSN_KIND_PRODUCT, product, &ctx, &parent, &error);
  g_assert_no_error (error);
  json3 = to_json_object (body);
  assert_json_equal (json3, "{\"identifier\": \"FW-1\", \"description\": \"Firewall\", \"customerDescription\": \"Firewall\","
                            " \"type\": {\"id\": 2}, \"subcategory\": {\"id\": 6}, \"price\": 10, \"taxableFlag\": true}");

  g_ptr_array_unref (fake.calls);
}

static void
test_create_refused (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  static const struct { const char *kind; const char *fields; LsnError code; const char *needle; } cases[] = {
    { "client", "{\"name\": \"A\", \"shoe_size\": 9}", LSN_ERROR_INVALID_ARGUMENT, "shoe_size" },
    { "client", "{\"name\": true}", LSN_ERROR_INVALID_ARGUMENT, "name" },
    { "client", "{\"name\": \"A\", \"country\": \"Atlantis\"}", LSN_ERROR_VALIDATION, "Atlantis" },
    { "client", "{\"name\": \"A\", \"inactive\": \"maybe\"}", LSN_ERROR_INVALID_ARGUMENT, "inactive" },
    { "contact", "{\"firstname\": \"A\", \"client_id\": \"abc\"}", LSN_ERROR_INVALID_ARGUMENT, "client_id" },
    { "contact", "{\"firstname\": \"A\", \"site_id\": \"250/x\"}", LSN_ERROR_INVALID_ARGUMENT, "site_id" },
    { "product", "{\"code\": \"A\", \"price\": \"cheap\"}", LSN_ERROR_INVALID_ARGUMENT, "price" },
    { "addition", "{\"agreement_id\": 1, \"effective_date\": \"soon\"}", LSN_ERROR_INVALID_ARGUMENT, "effective_date" },
    { "opportunity", "{\"title\": \"A\"}", LSN_ERROR_INVALID_ARGUMENT, "opportunit" },
    { "stage", "{\"name\": \"A\"}", LSN_ERROR_INVALID_ARGUMENT, "stage" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) fields = parse_object (cases[i].fields);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) body = lsn_connectwise_build_create (cases[i].kind, fields, &ctx, NULL, &error);

      g_assert_null (body);
      g_assert_error (error, LSN_ERROR, (gint) cases[i].code);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("case %u: “%s” does not name “%s”", i, error->message, cases[i].needle);
    }
  g_ptr_array_unref (fake.calls);
}

static void
test_patch_plain (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) changed = parse_object (
    "{\"phone\": \"555-0199\", \"website\": null, \"country\": \"Canada\", \"inactive\": true,"
    " \"status_id\": \"3\", \"reference\": \"HALO-18\", \"toplevel\": false, \"type\": \"Prospect\","
    " \"parent_client_id\": \"12\"}");
  g_autoptr(JsonArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  g_assert_false (lsn_connectwise_patch_needs_current (LSN_KIND_CLIENT, changed, &ctx));
  ops = lsn_connectwise_build_patch (LSN_KIND_CLIENT, changed, NULL, &ctx, &error);
  g_assert_no_error (error);
  json = to_json_array (ops);
  /* Only the changed members, sorted; status_id wins over inactive; read-only and create-only
   * fields are left out; a null clears with remove. */
  g_assert_cmpstr (json, ==,
                   "[{\"op\":\"replace\",\"path\":\"accountNumber\",\"value\":\"HALO-18\"},"
                   "{\"op\":\"replace\",\"path\":\"country\",\"value\":{\"id\":106}},"
                   "{\"op\":\"replace\",\"path\":\"parentCompany\",\"value\":{\"id\":12}},"
                   "{\"op\":\"replace\",\"path\":\"phoneNumber\",\"value\":\"555-0199\"},"
                   "{\"op\":\"replace\",\"path\":\"status\",\"value\":{\"id\":3}},"
                   "{\"op\":\"remove\",\"path\":\"website\"}]");

  g_ptr_array_unref (fake.calls);
}

static void
test_patch_empty_and_inactive (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) nothing = json_object_new ();
  g_autoptr(JsonObject) off = parse_object ("{\"inactive\": false}");
  g_autoptr(JsonArray) ops = lsn_connectwise_build_patch (LSN_KIND_CLIENT, nothing, NULL, &ctx, NULL);
  g_autoptr(JsonArray) ops2 = lsn_connectwise_build_patch (LSN_KIND_CLIENT, off, NULL, &ctx, NULL);
  g_autofree char *json2 = to_json_array (ops2);

  g_assert_cmpuint (json_array_get_length (ops), ==, 0);
  /* reactivating picks the active status */
  g_assert_cmpstr (json2, ==, "[{\"op\":\"replace\",\"path\":\"status\",\"value\":{\"id\":106}}]");
  g_assert_cmpstr (g_ptr_array_index (fake.calls, 0), ==, "company_status=active");
  g_ptr_array_unref (fake.calls);
}

static const char contact_now[] =
  "{\"id\": 9, \"firstName\": \"Ada\", \"communicationItems\": ["
  " {\"id\": 1, \"type\": {\"id\": 1, \"name\": \"Email\"}, \"value\": \"ada@x\", \"defaultFlag\": true, \"communicationType\": \"Email\"},"
  " {\"id\": 3, \"type\": {\"id\": 4, \"name\": \"Mobile\"}, \"value\": \"07700\", \"defaultFlag\": false, \"communicationType\": \"Phone\"},"
  " {\"id\": 5, \"type\": {\"id\": 3, \"name\": \"Fax\"}, \"value\": \"555-9\", \"communicationType\": \"Fax\"}],"
  " \"customFields\": [{\"id\": 4, \"caption\": \"Tier\", \"value\": \"Gold\"}, {\"id\": 5, \"caption\": \"Code\", \"value\": null}]}";

static void
test_patch_contact_items (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) current = parse_object (contact_now);
  g_autoptr(JsonObject) changed = parse_object ("{\"email\": \"ada@new\", \"mobile\": null, \"phone\": \"555-1\","
                                                " \"lastname\": \"King\"}");
  g_autoptr(JsonArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  g_assert_true (lsn_connectwise_patch_needs_current (LSN_KIND_CONTACT, changed, &ctx));

  /* without the current record it cannot be done */
  g_assert_null (lsn_connectwise_build_patch (LSN_KIND_CONTACT, changed, NULL, &ctx, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  ops = lsn_connectwise_build_patch (LSN_KIND_CONTACT, changed, current, &ctx, &error);
  g_assert_no_error (error);
  json = to_json_array (ops);
  /* the email item keeps its id and type, the mobile goes, the fax stays, a phone is added */
  assert_json_equal (json,
                     "[{\"op\": \"replace\", \"path\": \"lastName\", \"value\": \"King\"},"
                     " {\"op\": \"replace\", \"path\": \"communicationItems\", \"value\": ["
                     "  {\"id\": 1, \"type\": {\"id\": 1, \"name\": \"Email\"}, \"value\": \"ada@new\", \"defaultFlag\": true, \"communicationType\": \"Email\"},"
                     "  {\"id\": 5, \"type\": {\"id\": 3, \"name\": \"Fax\"}, \"value\": \"555-9\", \"communicationType\": \"Fax\"},"
                     "  {\"type\": {\"id\": 105}, \"value\": \"555-1\", \"communicationType\": \"Phone\", \"defaultFlag\": true}]}]");
  g_assert_cmpuint (fake.calls->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake.calls, 0), ==, "communication_type=phone");

  /* the record it started from is left as it was */
  {
    g_autoptr(JsonObject) pristine = parse_object (contact_now);
    g_autofree char *a = to_json_object (current);
    g_autofree char *b = to_json_object (pristine);
    assert_json_equal (a, b);
  }
  g_ptr_array_unref (fake.calls);
}

static void
test_patch_custom_fields (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { "customField:Code", fake_resolve, &fake };
  g_autoptr(JsonObject) current = parse_object (contact_now);
  g_autoptr(JsonObject) changed = parse_object ("{\"customField:4\": \"Silver\", \"customField:11\": 3}");
  g_autoptr(JsonObject) reference = parse_object ("{\"reference\": \"HALO-1\"}");
  g_autoptr(JsonArray) ops = NULL;
  g_autoptr(JsonArray) ops2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;

  ops = lsn_connectwise_build_patch (LSN_KIND_CONTACT, changed, current, &ctx, &error);
  g_assert_no_error (error);
  json = to_json_array (ops);
  /* the whole array, with only the changed values different */
  assert_json_equal (json,
                     "[{\"op\": \"replace\", \"path\": \"customFields\", \"value\": ["
                     "  {\"id\": 4, \"caption\": \"Tier\", \"value\": \"Silver\"},"
                     "  {\"id\": 5, \"caption\": \"Code\", \"value\": null},"
                     "  {\"id\": 11, \"value\": 3}]}]");

  /* a client's reference held in a custom field named by its caption */
  g_assert_true (lsn_connectwise_patch_needs_current (LSN_KIND_CLIENT, reference, &ctx));
  ops2 = lsn_connectwise_build_patch (LSN_KIND_CLIENT, reference, current, &ctx, &error);
  g_assert_no_error (error);
  json2 = to_json_array (ops2);
  assert_json_equal (json2,
                     "[{\"op\": \"replace\", \"path\": \"customFields\", \"value\": ["
                     "  {\"id\": 4, \"caption\": \"Tier\", \"value\": \"Gold\"},"
                     "  {\"id\": 5, \"caption\": \"Code\", \"value\": \"HALO-1\"}]}]");
  g_ptr_array_unref (fake.calls);
}

static void
test_patch_refused (void)
{
  FakeResolver fake = { g_ptr_array_new_with_free_func (g_free) };
  LsnConnectwiseWriteContext ctx = { NULL, fake_resolve, &fake };
  g_autoptr(JsonObject) move = parse_object ("{\"client_id\": \"12\"}");
  g_autoptr(JsonObject) unknown = parse_object ("{\"colour\": \"red\"}");
  g_autoptr(GError) error = NULL;

  g_assert_null (lsn_connectwise_build_patch (LSN_KIND_SITE, move, NULL, &ctx, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lsn_connectwise_build_patch (LSN_KIND_SITE, unknown, NULL, &ctx, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "colour"));
  g_ptr_array_unref (fake.calls);
}

static void
test_fields (void)
{
  g_autoptr(GPtrArray) client = lsn_connectwise_static_fields (LSN_KIND_CLIENT);
  g_autoptr(GPtrArray) contact = lsn_connectwise_static_fields (LSN_KIND_CONTACT);
  g_autoptr(JsonObject) sample = parse_object (company_json);
  g_autoptr(GPtrArray) custom = lsn_connectwise_custom_fields (LSN_KIND_CLIENT, sample);
  g_autoptr(GPtrArray) none = lsn_connectwise_custom_fields (LSN_KIND_CLIENT, NULL);
  gboolean saw_country = FALSE, saw_email = FALSE;

  g_assert_null (lsn_connectwise_static_fields ("stage"));

  for (guint i = 0; i < client->len; i++)
    {
      LsnFieldInfo *info = g_ptr_array_index (client, i);
      g_assert_cmpstr (info->kind, ==, "client");
      g_assert_false (info->custom);
      if (g_strcmp0 (info->canonical, "country") == 0)
        {
          g_assert_cmpstr (info->name, ==, "country/name");
          saw_country = TRUE;
        }
    }
  for (guint i = 0; i < contact->len; i++)
    {
      LsnFieldInfo *info = g_ptr_array_index (contact, i);
      if (g_strcmp0 (info->canonical, "email") == 0)
        {
          g_assert_cmpstr (info->name, ==, "communicationItems/email");
          saw_email = TRUE;
        }
      if (g_strcmp0 (info->canonical, "client_id") == 0)
        g_assert_cmpstr (info->type, ==, "reference");
      if (g_strcmp0 (info->canonical, "inactive") == 0)
        g_assert_cmpstr (info->type, ==, "boolean");
    }
  g_assert_true (saw_country);
  g_assert_true (saw_email);

  g_assert_cmpuint (custom->len, ==, 3);
  {
    LsnFieldInfo *tier = g_ptr_array_index (custom, 0);
    LsnFieldInfo *halo = g_ptr_array_index (custom, 1);
    g_assert_cmpstr (tier->name, ==, "customField:4");
    g_assert_cmpstr (tier->label, ==, "Account Tier");
    g_assert_cmpstr (tier->type, ==, "string");
    g_assert_cmpstr (tier->canonical, ==, "customField:4");
    g_assert_true (tier->custom);
    g_assert_cmpstr (halo->type, ==, "number");
  }
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_company_identifier (void)
{
  g_autofree char *a = lsn_connectwise_company_identifier ("Acme & Sons, Ltd.");
  g_autofree char *b = lsn_connectwise_company_identifier ("The Very Long Company Name Of Greater Metropolis");
  g_autofree char *c = lsn_connectwise_company_identifier ("Ærø ÅB");
  g_autofree char *d = lsn_connectwise_company_identifier (NULL);

  g_assert_cmpstr (a, ==, "AcmeSonsLtd");
  g_assert_cmpstr (b, ==, "TheVeryLongCompanyNameOfG");
  g_assert_cmpuint (strlen (b), ==, 25);
  g_assert_cmpstr (c, ==, "rB");
  g_assert_cmpstr (d, ==, "Company");
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/connectwise/mapping/normalize-client", test_normalize_client);
  g_test_add_func ("/connectwise/mapping/normalize-client-deleted", test_normalize_client_deleted);
  g_test_add_func ("/connectwise/mapping/normalize-site", test_normalize_site);
  g_test_add_func ("/connectwise/mapping/normalize-contact", test_normalize_contact);
  g_test_add_func ("/connectwise/mapping/normalize-sales", test_normalize_sales);
  g_test_add_func ("/connectwise/mapping/normalize-malformed", test_normalize_malformed);
  g_test_add_func ("/connectwise/mapping/child-ids", test_child_ids);
  g_test_add_func ("/connectwise/mapping/create-client", test_create_client);
  g_test_add_func ("/connectwise/mapping/create-client-inactive", test_create_client_inactive_custom_reference);
  g_test_add_func ("/connectwise/mapping/create-contact", test_create_contact);
  g_test_add_func ("/connectwise/mapping/create-children", test_create_children);
  g_test_add_func ("/connectwise/mapping/create-refused", test_create_refused);
  g_test_add_func ("/connectwise/mapping/patch-plain", test_patch_plain);
  g_test_add_func ("/connectwise/mapping/patch-empty", test_patch_empty_and_inactive);
  g_test_add_func ("/connectwise/mapping/patch-contact-items", test_patch_contact_items);
  g_test_add_func ("/connectwise/mapping/patch-custom-fields", test_patch_custom_fields);
  g_test_add_func ("/connectwise/mapping/patch-refused", test_patch_refused);
  g_test_add_func ("/connectwise/mapping/fields", test_fields);
  g_test_add_func ("/connectwise/mapping/company-identifier", test_company_identifier);

  return g_test_run ();
}
