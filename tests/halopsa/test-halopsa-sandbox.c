/* test-halopsa-sandbox.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "lsn-error.h"
#include "lsn-test-util.h"
#include "halopsa/lsn-halopsa-connector.h"
#include "halopsa-test-common.h"

/* The HaloPSA connector against the sandbox's Halo, over real HTTP on 127.0.0.1. Every request
 * the connector sends in this program is recorded; the last case checks each one against Halo's
 * OpenAPI document. */

static GPtrArray *sent;

static LsnSandbox *
start_sandbox (gint         clients,
               guint        limit,
               guint        window,
               guint        token_lifetime,
               guint        latency_ms)
{
  LsnSandboxOptions options;

  lsn_sandbox_options_init (&options);
  options.seed = 42;
  options.halo_clients = clients;
  options.cw_clients = 0;
  options.halo_limit = limit;
  options.halo_window = window;
  options.token_lifetime = token_lifetime;
  options.latency_ms = latency_ms;
  options.stall_ms = 3000;
  return lsn_test_start_sandbox (&options);
}

static LsnConnector *
connect_to (LsnSandbox *sandbox,
            const char *extra_json)
{
  LsnConnector *connector = halopsa_test_connector (sandbox, extra_json);

  halopsa_test_record_requests (connector, sent);
  return connector;
}

static guint64
count_records (LsnConnector          *connector,
               const char            *kind,
               const LsnListOptions  *options,
               GError               **error)
{
  LsnListOptions all = { 0 };
  g_autoptr(GPtrArray) records = NULL;

  /* Without options: every record, inactive ones too. */
  all.include_inactive = TRUE;
  records = lsn_connector_list_all (connector, kind, options ? options : &all, NULL, error);
  return records ? records->len : 0;
}

static void
test_connection_ok (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (-1, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, NULL);
  const char *kinds[] = { "client", "site", "contact", "opportunity", "quote", "product", "tax",
                          "licence", "recurringinvoice", NULL };
  g_autoptr(GPtrArray) checks = lsn_connector_test_connection (connector, kinds, NULL);

  g_assert_cmpuint (checks->len, ==, 2 + g_strv_length ((char **) kinds));
  for (guint i = 0; i < checks->len; i++)
    {
      LsnCheck *check = g_ptr_array_index (checks, i);

      if (!check->ok)
        g_test_message ("%s: %s", check->name, check->message);
      g_assert_true (check->ok);
    }
  g_assert_cmpstr (((LsnCheck *) g_ptr_array_index (checks, 0))->name, ==, "Reachable");
  g_assert_cmpstr (((LsnCheck *) g_ptr_array_index (checks, 2))->name, ==, "Read clients");

  /* Without the authorisation server URL, it is read from GET /api/AuthInfo. */
  {
    g_autoptr(LsnConnector) discovering = connect_to (sandbox, "{\"auth_url\": \"\"}");
    g_autoptr(GError) error = NULL;
    LsnListOptions one = { .page_size = 1 };
    g_autoptr(GPtrArray) records = lsn_connector_list_all (discovering, "tax", &one, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (records->len, >, 0);
  }
}

static void
test_list_every_kind (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (120, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, "{\"page_size\": 50}");
  const char * const *kinds = lsn_connector_get_kinds (connector);
  const char *refs[] = { "status", "tickettype", "assetgroup", "assettype", "tax", NULL };
  g_autoptr(GError) error = NULL;
  LsnListOptions options = { 0 };
  LsnHttpStats stats;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  options.include_inactive = TRUE;
  clients = lsn_connector_list_all (connector, "client", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clients->len, ==, 120);
  for (guint i = 0; i < clients->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (clients, i);

      g_assert_cmpstr (lsn_record_get_kind (r), ==, "client");
      g_assert_nonnull (lsn_record_get_name (r));
      g_assert_cmpuint (strlen (lsn_record_get_hash (r)), ==, 64);
      g_assert_true (g_hash_table_add (ids, (gpointer) lsn_record_get_remote_id (r)));
    }
  lsn_http_client_get_stats (lsn_connector_get_http (connector), &stats);
  /* AuthInfo + token + 3 pages of 50. */
  g_assert_cmpuint (stats.requests, <=, 2 + 3);

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) records = lsn_connector_list_all (connector, kinds[i], &options, NULL, &error);

      g_assert_no_error (error);
      g_test_message ("%s: %u records", kinds[i], records->len);
      g_assert_cmpuint (records->len, >, 0);
      for (guint j = 0; j < records->len; j++)
        g_assert_cmpstr (lsn_record_get_kind (g_ptr_array_index (records, j)), ==, kinds[i]);
    }

  for (guint i = 0; refs[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) records = lsn_connector_list_reference (connector, refs[i], NULL, &error);

      g_assert_no_error (error);
      g_test_message ("%s: %u records", refs[i], records->len);
      g_assert_cmpuint (records->len, >, 0);
      g_assert_nonnull (lsn_record_get_name (g_ptr_array_index (records, 0)));
    }

  /* Children of one client. */
  {
    LsnRecord *first = g_ptr_array_index (clients, 0);
    g_autoptr(GPtrArray) sites = NULL;

    options.parent_id = lsn_record_get_remote_id (first);
    sites = lsn_connector_list_all (connector, "site", &options, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sites->len, >, 0);
    for (guint j = 0; j < sites->len; j++)
      g_assert_cmpstr (lsn_record_get_parent_id (g_ptr_array_index (sites, j)), ==,
                       lsn_record_get_remote_id (first));
  }

  /* Reading one record gives what the list gave. */
  {
    LsnRecord *first = g_ptr_array_index (clients, 0);
    g_autoptr(LsnRecord) one = lsn_connector_get (connector, "client", lsn_record_get_remote_id (first),
                                                  NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (lsn_record_get_name (one), ==, lsn_record_get_name (first));
  }

  /* Incremental: Halo has no modified-since filter, so the full list is read and filtered. */
  {
    LsnListOptions since = { .include_inactive = TRUE };
    gint64 newest = 0;

    for (guint j = 0; j < clients->len; j++)
      newest = MAX (newest, lsn_record_get_modified (g_ptr_array_index (clients, j)));
    g_assert_cmpint (newest, >, 0);
    since.since_usec = newest;
    g_assert_cmpuint (count_records (connector, "client", &since, &error), >=, 1);
    g_assert_cmpuint (count_records (connector, "client", &since, &error), <, 120);
    since.since_usec = newest + 1;
    g_assert_cmpuint (count_records (connector, "client", &since, &error), ==, 0);
    g_assert_no_error (error);
  }

  g_assert_cmpuint (count_records (connector, "nonsense", NULL, &error), ==, 0);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_list_fields (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (-1, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, NULL);
  const char * const *kinds = lsn_connector_get_kinds (connector);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) fields = lsn_connector_list_fields (connector, kinds[i], NULL, &error);
      guint custom = 0;

      g_assert_no_error (error);
      g_assert_cmpuint (fields->len, >, 2);
      for (guint j = 0; j < fields->len; j++)
        {
          LsnFieldInfo *info = g_ptr_array_index (fields, j);
          g_assert_cmpstr (info->kind, ==, kinds[i]);
          g_assert_nonnull (info->label);
          custom += info->custom;
        }
      g_test_message ("%s: %u fields, %u custom", kinds[i], fields->len, custom);
    }
}

typedef struct
{
  const char *kind;
  const char *create;
  const char *update;
  const char *field;   /* changed by update */
} Crud;

static void
test_crud (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (20, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clients = lsn_connector_list_all (connector, "client", NULL, NULL, &error);
  const char *client_id;
  g_autofree char *site_id = NULL;

  g_assert_no_error (error);
  client_id = lsn_record_get_remote_id (g_ptr_array_index (clients, 0));

  {
    g_autofree char *c_site = g_strdup_printf ("{\"name\":\"Liaison test site\",\"client_id\":\"%s\","
                                               "\"address1\":\"1 Test Road\",\"postcode\":\"T1 1ST\"}", client_id);
    g_autofree char *c_contact = NULL;
    g_autofree char *c_licence = g_strdup_printf ("{\"name\":\"Liaison test licence\",\"client_id\":\"%s\","
                                                  "\"quantity\":5,\"price\":3.5}", client_id);
    g_autofree char *c_opportunity = g_strdup_printf ("{\"title\":\"Liaison deal\",\"client_id\":\"%s\","
                                                      "\"value\":1000}", client_id);
    g_autofree char *c_quote = g_strdup_printf ("{\"title\":\"Liaison quote\",\"client_id\":\"%s\","
                                                "\"lines\":[{\"name\":\"Widget\",\"quantity\":2,\"price\":10}]}",
                                                client_id);
    g_autoptr(LsnRecord) site = NULL;
    Crud cases[] = {
      { "client", "{\"name\":\"Liaison test client\",\"reference\":\"CW-1\",\"website\":\"https://x.example\"}",
        "{\"name\":\"Liaison test client 2\"}", "name" },
      { "site", c_site, "{\"phone\":\"01234 567890\"}", "phone" },
      { "contact", NULL, "{\"email\":\"ada2@example.com\"}", "email" },
      { "product", "{\"name\":\"Liaison widget\",\"price\":12.5,\"cost\":7,\"reference\":\"SKU-1\"}",
        "{\"price\":13.0}", "price" },
      { "licence", c_licence, "{\"quantity\":7}", "quantity" },
      { "opportunity", c_opportunity, "{\"value\":2500}", "value" },
      { "quote", c_quote, "{\"title\":\"Liaison quote v2\"}", "title" },
    };

    /* A site for the contact. */
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      json_parser_load_from_data (p, c_site, -1, NULL);
      site = lsn_connector_create (connector, "site", json_node_get_object (json_parser_get_root (p)), NULL, &error);
      g_assert_no_error (error);
      site_id = g_strdup (lsn_record_get_remote_id (site));
    }
    c_contact = g_strdup_printf ("{\"firstname\":\"Ada\",\"lastname\":\"Lovelace\",\"email\":\"ada@example.com\","
                                 "\"client_id\":\"%s\",\"site_id\":\"%s\"}", client_id, site_id);
    cases[2].create = c_contact;

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JsonParser) p1 = json_parser_new ();
        g_autoptr(JsonParser) p2 = json_parser_new ();
        g_autoptr(LsnRecord) created = NULL;
        g_autoptr(LsnRecord) read = NULL;
        g_autoptr(LsnRecord) updated = NULL;
        g_autoptr(LsnRecord) reread = NULL;
        g_autoptr(LsnRecord) gone = NULL;
        JsonObject *create, *update;
        g_autofree char *id = NULL;
        g_autofree char *want = NULL;
        g_autofree char *got = NULL;

        g_test_message ("CRUD %s", cases[i].kind);
        json_parser_load_from_data (p1, cases[i].create, -1, NULL);
        json_parser_load_from_data (p2, cases[i].update, -1, NULL);
        create = json_node_get_object (json_parser_get_root (p1));
        update = json_node_get_object (json_parser_get_root (p2));

        created = lsn_connector_create (connector, cases[i].kind, create, NULL, &error);
        g_assert_no_error (error);
        id = g_strdup (lsn_record_get_remote_id (created));
        g_assert_cmpint (g_ascii_strtoll (id, NULL, 10), >, 0);

        read = lsn_connector_get (connector, cases[i].kind, id, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (lsn_record_get_hash (read), !=, "");
        if (g_str_equal (cases[i].kind, "quote"))
          {
            JsonNode *lines = json_object_get_member (lsn_record_get_fields (read), "lines");
            JsonObject *line;

            g_assert_nonnull (lines);
            g_assert_cmpuint (json_array_get_length (json_node_get_array (lines)), ==, 1);
            line = json_array_get_object_element (json_node_get_array (lines), 0);
            g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "Widget");
            g_assert_cmpfloat (json_node_get_double (json_object_get_member (line, "quantity")), ==, 2);
            g_assert_cmpfloat (json_node_get_double (json_object_get_member (line, "price")), ==, 10);
          }

        updated = lsn_connector_update (connector, cases[i].kind, id, update, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (lsn_record_get_remote_id (updated), ==, id);

        reread = lsn_connector_get (connector, cases[i].kind, id, NULL, &error);
        g_assert_no_error (error);
        want = json_to_string (json_object_get_member (update, cases[i].field), FALSE);
        got = json_to_string (json_object_get_member (lsn_record_get_fields (reread), cases[i].field), FALSE);
        if (strchr (want, '.') || strchr (got, '.'))
          g_assert_cmpfloat (g_ascii_strtod (want, NULL), ==, g_ascii_strtod (got, NULL));
        else
          g_assert_cmpstr (want, ==, got);

        /* Unchanged fields stay: an update sends only what changed. */
        if (g_str_equal (cases[i].kind, "client"))
          g_assert_cmpstr (lsn_record_get_string (reread, "reference"), ==, "CW-1");

        if (!g_str_equal (cases[i].kind, "site") || TRUE)
          {
            g_assert_true (lsn_connector_delete (connector, cases[i].kind, id, NULL, &error));
            g_assert_no_error (error);
            gone = lsn_connector_get (connector, cases[i].kind, id, NULL, &error);
            g_assert_null (gone);
            g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
            g_clear_error (&error);
          }
      }
  }

  /* An update of a record that does not exist never creates one. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) none = NULL;
    guint64 before, after;

    before = count_records (connector, "client", NULL, &error);
    json_object_set_string_member (fields, "name", "Ghost");
    none = lsn_connector_update (connector, "client", "987654", fields, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "POST /api/Client"));
    g_clear_error (&error);
    after = count_records (connector, "client", NULL, &error);
    g_assert_cmpuint (before, ==, after);
  }

  /* Kinds Liaison does not write. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) none = lsn_connector_create (connector, "tax", fields, NULL, &error);

    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_token_expiry_mid_list (void)
{
  /* Tokens live 1 s; the list takes longer than that. */
  g_autoptr(LsnSandbox) sandbox = start_sandbox (150, 0, 0, 1, 120);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, "{\"page_size\": 10}");
  g_autoptr(GError) error = NULL;
  guint64 n = count_records (connector, "client", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 150);
  g_test_message ("tokens fetched: %u", lsn_halopsa_connector_get_token_count (LSN_HALOPSA_CONNECTOR (connector)));
  g_assert_cmpuint (lsn_halopsa_connector_get_token_count (LSN_HALOPSA_CONNECTOR (connector)), >=, 2);
}

typedef struct
{
  LsnSandbox        *sandbox;
  LsnSandboxOptions  options;
  guint              seen;
} Restart;

static gboolean
restart_mid_list (LsnRecord *record,
                  gpointer   user_data)
{
  Restart *r = user_data;

  /* In the middle of page 2: a new server on the same port, which knows none of the old
   * tokens. The next page is answered 401 until the connector fetches a new token. */
  if (++r->seen == 15)
    {
      lsn_sandbox_stop (r->sandbox);
      g_object_unref (r->sandbox);
      r->sandbox = lsn_test_start_sandbox (&r->options);
    }
  return TRUE;
}

static void
test_token_rejected_mid_list (void)
{
  Restart r = { 0 };
  g_autoptr(LsnConnector) connector = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  LsnListOptions options = { .include_inactive = TRUE };
  LsnHttpStats stats;

  r.sandbox = start_sandbox (40, 0, 0, 0, 0);
  uri = g_uri_parse (lsn_sandbox_get_halo_url (r.sandbox), G_URI_FLAGS_NONE, NULL);
  lsn_sandbox_options_init (&r.options);
  r.options.seed = 42;
  r.options.halo_clients = 40;
  r.options.cw_clients = 0;
  r.options.halo_port = g_uri_get_port (uri);

  connector = connect_to (r.sandbox, "{\"page_size\": 10}");
  g_assert_true (lsn_connector_list (connector, "client", &options, restart_mid_list, &r, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.seen, ==, 40);
  g_assert_cmpuint (lsn_halopsa_connector_get_token_count (LSN_HALOPSA_CONNECTOR (connector)), ==, 2);
  lsn_http_client_get_stats (lsn_connector_get_http (connector), &stats);
  g_assert_cmpuint (stats.retries, >=, 1);

  g_object_unref (r.sandbox);
}

static void
test_429_storm (void)
{
  /* The server allows 4 requests per 2 s; the connector thinks it may send 100. */
  g_autoptr(LsnSandbox) sandbox = start_sandbox (60, 4, 2, 0, 0);
  g_autoptr(LsnConnector) storm = connect_to (sandbox, "{\"page_size\": 5, \"budget\": {\"requests\": 100, \"seconds\": 2}}");
  g_autoptr(LsnConnector) paced = NULL;
  g_autoptr(GError) error = NULL;
  LsnHttpStats stats;
  guint64 n;

  /* Waits long enough to matter against a 2 s window. */
  lsn_http_client_set_backoff (lsn_connector_get_http (storm), 200, 2000);
  n = count_records (storm, "client", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 60);
  lsn_http_client_get_stats (lsn_connector_get_http (storm), &stats);
  g_test_message ("storm: %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT " throttled",
                  stats.requests, stats.throttled);
  g_assert_cmpuint (stats.throttled, >, 0);

  /* With the budget set to the server's limit, it paces itself and is never throttled. */
  halopsa_test_configure (sandbox, "{\"reset_limit\": true}");
  paced = connect_to (sandbox, "{\"page_size\": 5, \"budget\": {\"requests\": 4, \"seconds\": 2}}");
  g_assert_cmpuint (count_records (paced, "client", NULL, &error), ==, 60);
  g_assert_no_error (error);
  lsn_http_client_get_stats (lsn_connector_get_http (paced), &stats);
  g_test_message ("paced: %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT " throttled, waited %"
                  G_GUINT64_FORMAT " ms", stats.requests, stats.throttled, stats.waited_usec / 1000);
  g_assert_cmpuint (stats.throttled, ==, 0);
  g_assert_cmpuint (stats.waited_usec, >, 0);
}

static void
test_faults (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (30, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, "{\"page_size\": 10}");
  const char *kinds[] = { "500", "drop", "truncate", "429", "stall" };
  g_autoptr(GError) error = NULL;
  LsnHttpStats stats;

  lsn_http_client_set_timeout (lsn_connector_get_http (connector), 1);

  /* Every fault once on a list page: the list still completes. */
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"fail_next\": {\"count\": 1, \"kind\": \"%s\", "
                                               "\"route\": \"GET /api/Client\"}}", kinds[i]);

      g_test_message ("fault %s", kinds[i]);
      halopsa_test_configure (sandbox, json);
      g_assert_cmpuint (count_records (connector, "client", NULL, &error), ==, 30);
      g_assert_no_error (error);
    }
  /* 500, 429 and stall are resent by our client; a drop on a reused connection is resent by
   * libsoup itself, and a body cut short is read again by the connector. */
  lsn_http_client_get_stats (lsn_connector_get_http (connector), &stats);
  g_assert_cmpuint (stats.retries, >=, 3);
  g_assert_cmpuint (stats.throttled, ==, 1);

  /* A 500 on every attempt (the first and 3 retries): a server error after the bounded retries,
   * marked retryable. */
  halopsa_test_configure (sandbox, "{\"fail_next\": {\"count\": 4, \"kind\": \"500\", \"route\": \"GET /api/Client\"}}");
  count_records (connector, "client", NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_SERVER);
  g_assert_true (lsn_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "GET /api/Client"));
  g_clear_error (&error);

  /* A create whose connection dropped: not resent, reported as unknown. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) none = NULL;
    guint64 before = count_records (connector, "client", NULL, &error);
    guint64 after;

    g_assert_no_error (error);
    json_object_set_string_member (fields, "name", "Dropped create");
    halopsa_test_configure (sandbox, "{\"fail_next\": {\"count\": 1, \"kind\": \"drop\", \"route\": \"POST /api/Client\"}}");
    none = lsn_connector_create (connector, "client", fields, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
    g_assert_nonnull (strstr (error->message, "POST /api/Client"));
    g_clear_error (&error);
    after = count_records (connector, "client", NULL, &error);
    g_assert_cmpuint (after, <=, before + 1);
  }
}

static void
test_400_styles (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (5, 0, 0, 0, 0);
  g_autoptr(LsnConnector) connector = connect_to (sandbox, NULL);
  g_autoptr(GError) error = NULL;

  /* Model binding: a non-numeric id in the path. */
  {
    g_autoptr(LsnHttpResponse) r = lsn_http_client_send (lsn_connector_get_http (connector), "GET",
                                                         "/api/Client/probe", NULL, NULL, NULL, NULL, &error);
    g_assert_null (r);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "is not valid"));
    g_assert_null (strstr (error->message, "{"));
    g_clear_error (&error);
  }

  /* A bare string: a site without a client. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) none = NULL;

    json_object_set_string_member (fields, "name", "Orphan site");
    none = lsn_connector_create (connector, "site", fields, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "POST /api/Site"));
    g_assert_null (strstr (error->message, "\"“"));
    g_clear_error (&error);
  }

  /* A .NET exception: a database error, a site of a client that does not exist. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) none = NULL;

    json_object_set_string_member (fields, "name", "Site of nobody");
    json_object_set_string_member (fields, "client_id", "999999");
    none = lsn_connector_create (connector, "site", fields, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "POST /api/Site"));
    g_assert_nonnull (strstr (error->message, "A database error occurred"));
    g_assert_null (strstr (error->message, "ClassName"));
    g_clear_error (&error);
  }
}

static void
test_bad_credentials (void)
{
  g_autoptr(LsnSandbox) sandbox = start_sandbox (5, 0, 0, 0, 0);
  g_autoptr(GError) error = NULL;
  const char *kinds[] = { "client", NULL };

  {
    g_autoptr(LsnConnector) c = connect_to (sandbox, "{\"client_secret\": \"wrong\"}");
    g_autoptr(GPtrArray) checks = lsn_connector_test_connection (c, kinds, NULL);
    LsnCheck *auth = g_ptr_array_index (checks, 1);

    g_assert_true (((LsnCheck *) g_ptr_array_index (checks, 0))->ok);
    g_assert_false (auth->ok);
    g_test_message ("wrong secret: %s", auth->message);
    g_assert_nonnull (strstr (auth->message, "Client secret"));
    g_assert_null (strstr (auth->message, "wrong"));
    g_assert_false (((LsnCheck *) g_ptr_array_index (checks, 2))->ok);

    count_records (c, "client", NULL, &error);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_AUTH);
    g_clear_error (&error);
  }

  {
    g_autoptr(LsnConnector) c = connect_to (sandbox, "{\"tenant\": \"nosuchtenant\"}");
    g_autoptr(GPtrArray) checks = lsn_connector_test_connection (c, kinds, NULL);
    LsnCheck *auth = g_ptr_array_index (checks, 1);

    g_assert_false (auth->ok);
    g_test_message ("wrong tenant: %s", auth->message);
    g_assert_nonnull (strstr (auth->message, "Tenant"));
  }
}

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(LsnConnector) c = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autofree char *url = NULL;
  const char *kinds[] = { "client", NULL };

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  any = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  json_object_set_string_member (settings, "connector", "halopsa");
  json_object_set_string_member (settings, "url", url);
  json_object_set_string_member (settings, "client_id", "x");
  c = lsn_connector_new_from_settings (settings, "y", &error);
  g_assert_no_error (error);
  lsn_http_client_set_backoff (lsn_connector_get_http (c), 10, 20);

  checks = lsn_connector_test_connection (c, kinds, NULL);
  g_assert_false (((LsnCheck *) g_ptr_array_index (checks, 0))->ok);
  g_test_message ("unreachable: %s", ((LsnCheck *) g_ptr_array_index (checks, 0))->message);
  g_assert_nonnull (strstr (((LsnCheck *) g_ptr_array_index (checks, 0))->message, "refused"));
  g_assert_false (((LsnCheck *) g_ptr_array_index (checks, 1))->ok);
  g_assert_false (((LsnCheck *) g_ptr_array_index (checks, 2))->ok);

  count_records (c, "client", NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
}

/* The contract: every method, path and query parameter sent above exists in Halo's OpenAPI. */
static gboolean
path_matches (const char *spec_path,
              const char *path)
{
  g_auto(GStrv) a = g_strsplit (spec_path, "/", -1);
  g_auto(GStrv) b = g_strsplit (path, "/", -1);

  if (g_strv_length (a) != g_strv_length (b))
    return FALSE;
  for (guint i = 0; a[i] != NULL; i++)
    {
      if (a[i][0] == '{')
        continue;
      if (strcmp (a[i], b[i]) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_contract (void)
{
  g_autofree char *spec_path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *paths;
  guint checked = 0;

  spec_path = g_build_filename (g_getenv ("LIAISON_SHARED_DIR") ? g_getenv ("LIAISON_SHARED_DIR")
                                : SOURCE_DIR "/../shared", "specs", "halopsa-openapi.json", NULL);
  json_parser_load_from_file (parser, spec_path, &error);
  g_assert_no_error (error);
  paths = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "paths");

  g_assert_cmpuint (sent->len, >, 0);
  for (guint i = 0; i < sent->len; i++)
    {
      const char *line = g_ptr_array_index (sent, i);
      g_auto(GStrv) mp = g_strsplit (line, " ", 2);
      g_auto(GStrv) pq = g_strsplit (mp[1], "?", 2);
      g_autofree char *method = g_ascii_strdown (mp[0], -1);
      const char *path = pq[0];
      JsonObject *operation = NULL;
      g_autoptr(GList) members = NULL;

      if (!g_hash_table_add (seen, (gpointer) line))
        continue;

      /* The token request goes to the authorisation server, which the document does not describe. */
      if (!g_str_has_prefix (path, "/api/"))
        {
          g_assert_true (g_str_has_suffix (path, "/token"));
          continue;
        }
      path += strlen ("/api");

      members = json_object_get_members (paths);
      for (GList *l = members; l != NULL && operation == NULL; l = l->next)
        {
          JsonObject *item;

          if (!path_matches (l->data, path))
            continue;
          item = json_object_get_object_member (paths, l->data);
          if (json_object_has_member (item, method))
            operation = json_object_get_object_member (item, method);
        }
      if (operation == NULL)
        g_error ("Halo's OpenAPI has no %s %s (sent: %s)", mp[0], path, line);

      if (pq[1] != NULL)
        {
          g_auto(GStrv) names = g_strsplit (pq[1], "&", -1);
          JsonArray *params = json_object_has_member (operation, "parameters")
                              ? json_object_get_array_member (operation, "parameters") : NULL;

          for (guint n = 0; names[n] != NULL; n++)
            {
              gboolean found = FALSE;

              for (guint p = 0; params != NULL && p < json_array_get_length (params) && !found; p++)
                {
                  JsonObject *param = json_array_get_object_element (params, p);
                  found = g_strcmp0 (json_object_get_string_member_with_default (param, "in", ""), "query") == 0
                          && g_strcmp0 (json_object_get_string_member_with_default (param, "name", ""), names[n]) == 0;
                }
              if (!found)
                g_error ("Halo's OpenAPI has no query parameter “%s” on %s %s", names[n], mp[0], path);
            }
        }
      checked++;
    }

  g_test_message ("%u distinct requests checked against the OpenAPI document", checked);
  g_assert_cmpuint (checked, >, 10);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  lsn_test_init (&argc, &argv);
  sent = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/halopsa/test-connection", test_connection_ok);
  g_test_add_func ("/halopsa/list-every-kind", test_list_every_kind);
  g_test_add_func ("/halopsa/list-fields", test_list_fields);
  g_test_add_func ("/halopsa/crud", test_crud);
  g_test_add_func ("/halopsa/token-expiry-mid-list", test_token_expiry_mid_list);
  g_test_add_func ("/halopsa/token-rejected-mid-list", test_token_rejected_mid_list);
  g_test_add_func ("/halopsa/429-storm", test_429_storm);
  g_test_add_func ("/halopsa/faults", test_faults);
  g_test_add_func ("/halopsa/400-styles", test_400_styles);
  g_test_add_func ("/halopsa/bad-credentials", test_bad_credentials);
  g_test_add_func ("/halopsa/unreachable", test_unreachable);
  /* Last: it checks what every case above sent. */
  g_test_add_func ("/halopsa/contract", test_contract);

  ret = g_test_run ();
  g_ptr_array_unref (sent);
  return ret;
}
