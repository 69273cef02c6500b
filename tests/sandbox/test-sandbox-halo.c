/* test-sandbox-halo.c: the simulated HaloPSA over real HTTP
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "lsn-test-util.h"

typedef struct
{
  LsnSandbox  *sandbox;
  SoupSession *session;
  char        *url;
  char        *auth_url;
  char        *client_id;
  char        *client_secret;
  char        *token;
} Fixture;

typedef struct
{
  guint     status;
  char     *body;
  gsize     len;
  JsonNode *json;     /* nullable */
  GError   *error;    /* transport error */
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->body);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *content_type,
         const char *body,
         gboolean    with_token)
{
  g_autofree char *uri = g_str_has_prefix (path, "http") ? g_strdup (path) : g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) bytes = NULL;
  Reply *r = g_new0 (Reply, 1);

  g_assert_nonnull (msg);
  if (body)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, b);
    }
  if (with_token && f->token)
    {
      g_autofree char *h = g_strconcat ("Bearer ", f->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", h);
    }

  bytes = soup_session_send_and_read (f->session, msg, NULL, &r->error);
  if (bytes == NULL)
    return r;

  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  r->len = g_bytes_get_size (bytes);
  if (r->len > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, r->body, r->len, NULL))
        r->json = json_node_ref (json_parser_get_root (parser));
    }
  return r;
}

static Reply *
api_get (Fixture    *f,
         const char *path)
{
  return request (f, "GET", path, NULL, NULL, TRUE);
}

static Reply *
api_post (Fixture    *f,
          const char *path,
          const char *json)
{
  return request (f, "POST", path, "application/json", json, TRUE);
}

static char *
fetch_token (Fixture *f)
{
  g_autofree char *form = soup_form_encode ("grant_type", "client_credentials", "client_id", f->client_id,
                                            "client_secret", f->client_secret, "scope", "all", NULL);
  g_autofree char *uri = g_strconcat (f->auth_url, "/token?tenant=sandbox", NULL);
  g_autoptr(Reply) r = request (f, "POST", uri, "application/x-www-form-urlencoded", form, FALSE);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (r->json);
  return g_strdup (json_object_get_string_member (json_node_get_object (r->json), "access_token"));
}

static void
configure (Fixture    *f,
           const char *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (f->sandbox, "halopsa", json, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  LsnSandboxOptions options;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *halo;

  lsn_sandbox_options_init (&options);
  options.halo_clients = GPOINTER_TO_INT (data) ? GPOINTER_TO_INT (data) : 120;
  options.cw_clients = 5;
  f->sandbox = lsn_test_start_sandbox (&options);
  {
    /* Direct connections: the default resolver would read proxy settings from GSettings. */
    g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

    f->session = soup_session_new_with_options ("timeout", 10, "proxy-resolver", direct, NULL);
  }

  line = lsn_sandbox_ready_line (f->sandbox);
  g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
  halo = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "halopsa");
  g_assert_nonnull (halo);
  f->url = g_strdup (json_object_get_string_member (halo, "url"));
  f->auth_url = g_strdup (json_object_get_string_member (halo, "auth_url"));
  f->client_id = g_strdup (json_object_get_string_member (halo, "client_id"));
  f->client_secret = g_strdup (json_object_get_string_member (halo, "client_secret"));
  g_assert_cmpstr (json_object_get_string_member (halo, "tenant"), ==, "sandbox");
  g_assert_true (g_str_has_prefix (f->url, "http://127.0.0.1:"));
  f->token = fetch_token (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  lsn_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  g_free (f->url);
  g_free (f->auth_url);
  g_free (f->client_id);
  g_free (f->client_secret);
  g_free (f->token);
}

static JsonObject *
obj (Reply *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

/* ---- Auth ---- */

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Reply) info = request (f, "GET", "/api/authinfo", NULL, NULL, FALSE);
  g_autoptr(Reply) bad = NULL;
  g_autoptr(Reply) none = NULL;
  g_autoptr(Reply) wrong_tenant = NULL;
  g_autoptr(Reply) unsupported = NULL;
  g_autoptr(Reply) tok = NULL;
  g_autoptr(Reply) refreshed = NULL;
  g_autoptr(Reply) reused = NULL;
  g_autoptr(Reply) with_new = NULL;
  g_autofree char *auth_url = g_strconcat (f->auth_url, "/token", NULL);
  g_autofree char *bad_form = soup_form_encode ("grant_type", "client_credentials", "client_id", f->client_id,
                                                "client_secret", "wrong", NULL);
  g_autofree char *good_form = soup_form_encode ("grant_type", "client_credentials", "client_id", f->client_id,
                                                 "client_secret", f->client_secret, NULL);
  g_autofree char *wrong_tenant_uri = g_strconcat (auth_url, "?tenant=other", NULL);
  g_autofree char *refresh_form = NULL;
  g_autofree char *old_token = NULL;
  const char *refresh_token;

  g_assert_cmpuint (info->status, ==, 200);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (obj (info), "auth_url"), "/auth"));

  bad = request (f, "POST", auth_url, "application/x-www-form-urlencoded", bad_form, FALSE);
  g_assert_cmpuint (bad->status, ==, 401);
  g_assert_cmpstr (bad->body, ==, "{\"error\":\"invalid_client\"}");

  wrong_tenant = request (f, "POST", wrong_tenant_uri, "application/x-www-form-urlencoded", good_form, FALSE);
  g_assert_cmpuint (wrong_tenant->status, ==, 401);

  unsupported = request (f, "POST", auth_url, "application/x-www-form-urlencoded", "grant_type=password", FALSE);
  g_assert_cmpuint (unsupported->status, ==, 400);

  /* no tenant parameter is fine */
  tok = request (f, "POST", auth_url, "application/x-www-form-urlencoded", good_form, FALSE);
  g_assert_cmpuint (tok->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (tok), "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (obj (tok), "expires_in"), ==, 3600);

  none = request (f, "GET", "/api/Client", NULL, NULL, FALSE);
  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpuint (none->len, ==, 0);

  /* refresh_token grant: a new pair; the old refresh token is spent */
  refresh_token = json_object_get_string_member (obj (tok), "refresh_token");
  refresh_form = soup_form_encode ("grant_type", "refresh_token", "client_id", f->client_id,
                                   "refresh_token", refresh_token, NULL);
  refreshed = request (f, "POST", auth_url, "application/x-www-form-urlencoded", refresh_form, FALSE);
  g_assert_cmpuint (refreshed->status, ==, 200);
  reused = request (f, "POST", auth_url, "application/x-www-form-urlencoded", refresh_form, FALSE);
  g_assert_cmpuint (reused->status, ==, 400);
  g_assert_nonnull (strstr (reused->body, "invalid_grant"));

  old_token = g_steal_pointer (&f->token);
  f->token = g_strdup (json_object_get_string_member (obj (refreshed), "access_token"));
  with_new = api_get (f, "/api/Tax");
  g_assert_cmpuint (with_new->status, ==, 200);
}

static void
test_token_expiry (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Reply) before = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(Reply) renewed = NULL;

  configure (f, "{\"token_lifetime\":1}");
  g_free (f->token);
  f->token = fetch_token (f);

  before = api_get (f, "/api/Tax");
  g_assert_cmpuint (before->status, ==, 200);
  g_usleep (1100 * 1000);
  after = api_get (f, "/api/Tax");
  g_assert_cmpuint (after->status, ==, 401);
  g_assert_cmpuint (after->len, ==, 0);

  g_free (f->token);
  f->token = g_strdup ("not-a-token");
  renewed = api_get (f, "/api/Tax");
  g_assert_cmpuint (renewed->status, ==, 401);
}

/* ---- Lists ---- */

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  gint64 total = -1;
  guint pages = 0;
  g_autoptr(Reply) all = NULL;
  g_autoptr(Reply) counted = NULL;
  g_autoptr(Reply) beyond = NULL;
  g_autoptr(Reply) with_inactive = NULL;

  for (guint page = 1; page <= 10; page++)
    {
      g_autofree char *path = g_strdup_printf ("/api/Client?pageinate=true&page_size=50&page_no=%u&nonsense=1", page);
      g_autoptr(Reply) r = api_get (f, path);
      JsonArray *rows;

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpint (json_object_get_int_member (obj (r), "page_no"), ==, page);
      g_assert_cmpint (json_object_get_int_member (obj (r), "page_size"), ==, 50);
      total = json_object_get_int_member (obj (r), "record_count");
      rows = json_object_get_array_member (obj (r), "clients");
      if (json_array_get_length (rows) == 0)
        break;
      pages++;
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *c = json_array_get_object_element (rows, i);

          g_assert_false (json_object_get_boolean_member (c, "inactive"));
          g_hash_table_add (ids, GINT_TO_POINTER ((gint) json_object_get_int_member (c, "id")));
        }
    }
  /* 120 clients, a few inactive ones left out by default */
  g_assert_cmpint (total, >, 100);
  g_assert_cmpint (total, <, 120);
  g_assert_cmpuint (g_hash_table_size (ids), ==, total);
  g_assert_cmpuint (pages, ==, (total + 49) / 50);

  beyond = api_get (f, "/api/Client?pageinate=true&page_size=50&page_no=9");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (beyond), "clients")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj (beyond), "record_count"), ==, total);

  /* count without paging: record_count is what came back */
  counted = api_get (f, "/api/client?count=3");
  g_assert_cmpint (json_object_get_int_member (obj (counted), "record_count"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (counted), "clients")), ==, 3);
  g_assert_false (json_object_has_member (obj (counted), "page_no"));

  all = api_get (f, "/API/CLIENT");
  g_assert_cmpint (json_object_get_int_member (obj (all), "record_count"), ==, total);

  with_inactive = api_get (f, "/api/Client?includeinactive=true");
  g_assert_cmpint (json_object_get_int_member (obj (with_inactive), "record_count"), ==, 120);
}

static void
test_envelopes_and_filters (Fixture       *f,
                            gconstpointer  data)
{
  static const struct { const char *path; const char *key; } envelopes[] = {
    { "/api/Site", "sites" }, { "/api/Users", "users" }, { "/api/Opportunities", "tickets" },
    { "/api/Quotation", "quotes" }, { "/api/Item", "items" }, { "/api/SoftwareLicence", "licences" },
    { "/api/RecurringInvoice", "invoices" },
  };
  static const char *bare[] = { "/api/Tax", "/api/AssetGroup", "/api/AssetType", "/api/Status", "/api/TicketType" };
  g_autoptr(Reply) sites = NULL;
  g_autoptr(Reply) users = NULL;
  g_autoptr(Reply) search = NULL;
  g_autoptr(Reply) adv = NULL;
  g_autoptr(Reply) adv_bad = NULL;
  g_autoptr(Reply) quote_list = NULL;
  g_autoptr(Reply) quote = NULL;
  g_autoptr(Reply) bad_param = NULL;
  g_autoptr(Reply) unknown = NULL;
  g_autofree char *path = NULL;
  g_autofree char *encoded = NULL;
  JsonObject *user;
  gint64 client_id, quote_id;

  for (guint i = 0; i < G_N_ELEMENTS (envelopes); i++)
    {
      g_autoptr(Reply) r = api_get (f, envelopes[i].path);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_true (json_object_has_member (obj (r), envelopes[i].key));
      g_assert_cmpint (json_object_get_int_member (obj (r), "record_count"), >, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bare); i++)
    {
      g_autoptr(Reply) r = api_get (f, bare[i]);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (r->json));
      g_assert_cmpuint (json_array_get_length (json_node_get_array (r->json)), >, 0);
    }

  /* Users: site_id is a float, dates have no offset */
  users = api_get (f, "/api/Users?count=1");
  g_assert_nonnull (strstr (users->body, "\"site_id\":"));
  g_assert_nonnull (strstr (users->body, ".0,"));
  user = json_array_get_object_element (json_object_get_array_member (obj (users), "users"), 0);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (user, "site_id")), ==, G_TYPE_DOUBLE);
  g_assert_cmpuint (strlen (json_object_get_string_member (user, "datecreated")), ==, 19);
  g_assert_cmpint (json_object_get_int_member (user, "linked_agent_id"), ==, -1);
  client_id = json_object_get_int_member (user, "client_id");

  path = g_strdup_printf ("/api/Site?client_id=%" G_GINT64_FORMAT, client_id);
  sites = api_get (f, path);
  {
    JsonArray *rows = json_object_get_array_member (obj (sites), "sites");

    g_assert_cmpuint (json_array_get_length (rows), >=, 1);
    for (guint i = 0; i < json_array_get_length (rows); i++)
      {
        JsonNode *cid = json_object_get_member (json_array_get_object_element (rows, i), "client_id");

        g_assert_cmpint (json_node_get_value_type (cid), ==, G_TYPE_DOUBLE);
        g_assert_cmpfloat (json_node_get_double (cid), ==, (double) client_id);
      }
  }

  /* search, case-insensitive, on the e-mail address too */
  g_free (path);
  encoded = g_uri_escape_string (json_object_get_string_member (user, "emailaddress"), NULL, FALSE);
  path = g_strdup_printf ("/api/Users?search=%s", encoded);
  search = api_get (f, path);
  g_assert_cmpint (json_object_get_int_member (obj (search), "record_count"), >=, 1);

  /* advanced_search, filter_type 2 */
  g_free (path);
  g_free (encoded);
  {
    g_autofree char *adv_json = g_strdup_printf ("[{\"filter_name\":\"emailaddress\",\"filter_type\":2,\"filter_value\":\"%s\"}]",
                                                 json_object_get_string_member (user, "emailaddress"));

    encoded = g_uri_escape_string (adv_json, NULL, FALSE);
  }
  path = g_strdup_printf ("/api/Users?advanced_search=%s", encoded);
  adv = api_get (f, path);
  g_assert_cmpint (json_object_get_int_member (obj (adv), "record_count"), ==, 1);

  g_free (path);
  g_free (encoded);
  encoded = g_uri_escape_string ("[{\"filter_name\":\"nosuchfield\",\"filter_type\":2,\"filter_value\":\"x\"}]", NULL, FALSE);
  path = g_strdup_printf ("/api/Users?advanced_search=%s", encoded);
  adv_bad = api_get (f, path);
  g_assert_cmpuint (adv_bad->status, ==, 400);
  g_assert_cmpstr (adv_bad->body, ==, "\"Invalid advanced search parameter\"");

  /* quote lines and total only on the detail record */
  quote_list = api_get (f, "/api/Quotation?count=1");
  {
    JsonObject *q = json_array_get_object_element (json_object_get_array_member (obj (quote_list), "quotes"), 0);

    g_assert_false (json_object_has_member (q, "lines"));
    g_assert_false (json_object_has_member (q, "total"));
    quote_id = json_object_get_int_member (q, "id");
  }
  g_free (path);
  path = g_strdup_printf ("/api/Quotation/%" G_GINT64_FORMAT, quote_id);
  quote = api_get (f, path);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (quote), "lines")), >=, 1);
  g_assert_true (json_object_has_member (obj (quote), "total"));

  bad_param = api_get (f, "/api/Site?client_id=abc");
  g_assert_cmpuint (bad_param->status, ==, 400);
  g_assert_cmpstr (bad_param->body, ==, "{\"client_id\":[\"The value 'abc' is not valid.\"]}");

  unknown = api_get (f, "/api/Opportunity");
  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpuint (unknown->len, ==, 0);
}

/* ---- Writes ---- */

static void
test_writes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Reply) created = api_post (f, "/api/Client", "[{\"name\":\"Zebra Crossing Ltd\",\"website\":\"https://zebra.example\",\"_isimport\":true}]");
  g_autoptr(Reply) updated = NULL;
  g_autoptr(Reply) fetched = NULL;
  g_autoptr(Reply) not_found = NULL;
  g_autoptr(Reply) no_name = NULL;
  g_autoptr(Reply) no_site = NULL;
  g_autoptr(Reply) site = NULL;
  g_autoptr(Reply) bad_client = NULL;
  g_autoptr(Reply) float_id = NULL;
  g_autoptr(Reply) user = NULL;
  g_autoptr(Reply) not_array = NULL;
  g_autoptr(Reply) deleted = NULL;
  g_autoptr(Reply) gone = NULL;
  g_autoptr(Reply) bad_path_id = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  gint64 id, site_id, user_id;

  g_assert_cmpuint (created->status, ==, 201);
  id = json_object_get_int_member (obj (created), "id");
  g_assert_cmpint (id, >, 0);
  g_assert_false (json_object_has_member (obj (created), "_isimport"));
  g_assert_cmpstr (json_object_get_string_member (obj (created), "website"), ==, "https://zebra.example");

  /* an update changes only what is sent */
  body = g_strdup_printf ("[{\"id\":%" G_GINT64_FORMAT ",\"name\":\"Zebra Crossing Limited\"}]", id);
  updated = api_post (f, "/api/Client", body);
  g_assert_cmpuint (updated->status, ==, 200);
  path = g_strdup_printf ("/api/Client/%" G_GINT64_FORMAT, id);
  fetched = api_get (f, path);
  g_assert_cmpstr (json_object_get_string_member (obj (fetched), "name"), ==, "Zebra Crossing Limited");
  g_assert_cmpstr (json_object_get_string_member (obj (fetched), "website"), ==, "https://zebra.example");

  not_found = api_post (f, "/api/Client", "[{\"id\":999999,\"name\":\"Ghost\"}]");
  g_assert_cmpuint (not_found->status, ==, 400);
  g_assert_cmpstr (not_found->body, ==, "\"Record not found\"");

  /* the three 400 styles, one error at a time */
  no_name = api_post (f, "/api/Users", "[{\"emailaddress\":\"x@example.com\"}]");
  g_assert_cmpuint (no_name->status, ==, 400);
  g_assert_cmpstr (no_name->body, ==, "\"Username must be entered\"");
  no_site = api_post (f, "/api/Users", "[{\"name\":\"Ann Other\"}]");
  g_assert_cmpstr (no_site->body, ==, "\"A Site must be selected\"");

  bad_client = api_post (f, "/api/Site", "[{\"name\":\"Annex\",\"client_id\":987654}]");
  g_assert_cmpuint (bad_client->status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (obj (bad_client), "ClassName"), ==, "System.Exception");
  g_assert_nonnull (strstr (json_object_get_string_member (obj (bad_client), "Message"), "FOREIGN KEY"));
  g_assert_cmpint (json_object_get_int_member (obj (bad_client), "HResult"), ==, -2146233088);

  g_free (body);
  body = g_strdup_printf ("[{\"name\":\"Annex\",\"client_id\":%" G_GINT64_FORMAT ".0}]", id);
  float_id = api_post (f, "/api/Site", body);
  g_assert_cmpuint (float_id->status, ==, 400);
  g_assert_true (json_object_has_member (obj (float_id), "[0].client_id"));

  not_array = api_post (f, "/api/Site", "{\"name\":\"Annex\"}");
  g_assert_cmpuint (not_array->status, ==, 400);

  g_free (body);
  body = g_strdup_printf ("[{\"name\":\"Annex\",\"client_id\":\"%" G_GINT64_FORMAT "\"}]", id);
  site = api_post (f, "/api/Site", body);
  g_assert_cmpuint (site->status, ==, 201);
  site_id = json_object_get_int_member (obj (site), "id");
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (obj (site), "client_id")), ==, G_TYPE_DOUBLE);
  g_assert_cmpstr (json_object_get_string_member (obj (site), "client_name"), ==, "Zebra Crossing Limited");

  g_free (body);
  body = g_strdup_printf ("[{\"firstname\":\"Zoë\",\"surname\":\"Núñez\",\"emailaddress\":\"zoe@zebra.example\","
                          "\"site_id\":%" G_GINT64_FORMAT ",\"datecreated\":\"2026-10-05T12:09:48Z\"}]", site_id);
  user = api_post (f, "/api/Users", body);
  g_assert_cmpuint (user->status, ==, 201);
  user_id = json_object_get_int_member (obj (user), "id");
  g_assert_cmpstr (json_object_get_string_member (obj (user), "name"), ==, "Zoë Núñez");
  g_assert_cmpint (json_object_get_int_member (obj (user), "client_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (obj (user), "datecreated"), !=, "2026-10-05T12:09:48Z");
  g_assert_cmpuint (strlen (json_object_get_string_member (obj (user), "ulastupdate")), ==, 19);

  g_free (path);
  path = g_strdup_printf ("/api/Users/%" G_GINT64_FORMAT, user_id);
  deleted = request (f, "DELETE", path, NULL, NULL, TRUE);
  g_assert_cmpuint (deleted->status, ==, 200);
  gone = api_get (f, path);
  g_assert_cmpuint (gone->status, ==, 404);
  g_assert_cmpuint (gone->len, ==, 0);

  bad_path_id = api_get (f, "/api/Client/probe");
  g_assert_cmpuint (bad_path_id->status, ==, 400);
  g_assert_cmpstr (bad_path_id->body, ==, "{\"id\":[\"The value 'probe' is not valid.\"]}");
}

/* ---- Limit, faults, stats, latency ---- */

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Reply) stats = NULL;
  guint ok = 0, limited = 0;

  configure (f, "{\"limit\":\"5/60\",\"reset_limit\":true,\"reset_stats\":true}");
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(Reply) r = api_get (f, "/api/Tax");

      if (r->status == 200)
        ok++;
      else
        {
          g_assert_cmpuint (r->status, ==, 429);
          g_assert_cmpstr (r->body, ==, "Rate Limit Reached - 5 Requests per rolling 1 minute window");
          limited++;
        }
    }
  g_assert_cmpuint (ok, ==, 5);
  g_assert_cmpuint (limited, ==, 3);

  /* the stats and control endpoints are outside the limit */
  stats = request (f, "GET", "/_sandbox/stats", NULL, NULL, FALSE);
  g_assert_cmpuint (stats->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj (stats), "requests"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (obj (stats), "throttled"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (stats), "by_route"), "GET /api/Tax"), ==, 8);
}

/* The connection timeout is fixed when a connection is made: a new session for a new timeout. */
static Reply *
get_with_new_session (Fixture    *f,
                      const char *path,
                      guint       timeout)
{
  SoupSession *old = f->session;
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  Reply *r;

  f->session = soup_session_new_with_options ("timeout", timeout, "proxy-resolver", direct, NULL);
  r = api_get (f, path);
  g_object_unref (f->session);
  f->session = old;
  return r;
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Reply) r500 = NULL;
  g_autoptr(Reply) r429 = NULL;
  g_autoptr(Reply) trunc = NULL;
  g_autoptr(Reply) drop = NULL;
  g_autoptr(Reply) stall = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(Reply) other_route = NULL;
  g_autofree char *stats = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 t0;

  configure (f, "{\"reset_stats\":true,\"stall_ms\":3000,\"fail_next\":["
                "{\"kind\":\"500\",\"route\":\"GET /api/Client\"},{\"kind\":\"429\"},{\"kind\":\"truncate\"},"
                "{\"kind\":\"drop\"},{\"kind\":\"stall\"}]}");

  /* The route-specific entry waits for its route; the others take the next requests in order. */
  r429 = api_get (f, "/api/Tax");
  g_assert_cmpuint (r429->status, ==, 429);
  r500 = api_get (f, "/api/Client?count=1");
  g_assert_cmpuint (r500->status, ==, 500);
  g_assert_cmpuint (r500->len, ==, 0);

  trunc = api_get (f, "/api/Client?count=5");
  g_assert_cmpuint (trunc->status, ==, 200);
  g_assert_cmpuint (trunc->len, >, 0);
  g_assert_null (trunc->json);

  /* On a new connection: libsoup resends a request once when a reused keep-alive connection closes. */
  drop = get_with_new_session (f, "/api/Tax", 10);
  g_assert_nonnull (drop->error);

  /* A stall outlasts the client's timeout without blocking the server. */
  t0 = g_get_monotonic_time ();
  stall = get_with_new_session (f, "/api/Tax", 1);
  g_assert_error (stall->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2900 * 1000);
  t0 = g_get_monotonic_time ();
  after = api_get (f, "/api/Tax");
  g_assert_no_error (after->error);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1000 * 1000);

  other_route = api_get (f, "/api/Tax");
  g_assert_cmpuint (other_route->status, ==, 200);

  stats = lsn_sandbox_get_stats (f->sandbox, "halopsa");
  g_assert_true (json_parser_load_from_data (parser, stats, -1, NULL));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "faults"), ==, 5);

  /* random faults: with rate 1 and only 500 enabled, every request fails */
  configure (f, "{\"fault_rate\":1.0,\"fault_kinds\":[\"500\"]}");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Reply) r = api_get (f, "/api/Status");

      g_assert_cmpuint (r->status, ==, 500);
    }
  configure (f, "{\"fault_rate\":0}");
  {
    g_autoptr(Reply) r = api_get (f, "/api/Status");

    g_assert_cmpuint (r->status, ==, 200);
  }
}

static void
test_control_endpoints (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Reply) bad = request (f, "POST", "/_sandbox/config", "application/json", "{\"fault_rate\":\"lots\"}", FALSE);
  g_autoptr(Reply) good = request (f, "POST", "/_sandbox/config", "application/json", "{\"latency_ms\":150}", FALSE);
  g_autoptr(Reply) slow = NULL;
  g_autoptr(Reply) csv = NULL;
  g_autoptr(Reply) licences = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;
  g_auto(GStrv) lines = NULL;
  gboolean zero_rows = FALSE, other_distributor = FALSE;

  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_true (json_object_has_member (obj (bad), "error"));
  g_assert_cmpuint (good->status, ==, 200);

  t0 = g_get_monotonic_time ();
  slow = api_get (f, "/api/Tax");
  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 150 * 1000);

  g_assert_false (lsn_sandbox_configure (f->sandbox, "nowhere", "{}", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  /* the distributor invoice */
  csv = request (f, "GET", "/_sandbox/invoice.csv", NULL, NULL, FALSE);
  g_assert_cmpuint (csv->status, ==, 200);
  g_assert_true (g_str_has_prefix (csv->body, "Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\r\n"));
  lines = g_strsplit (csv->body, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 10);
  for (guint i = 1; lines[i] && *lines[i]; i++)
    if (strstr (lines[i], ",0,"))
      zero_rows = TRUE;
  g_assert_true (zero_rows);

  licences = api_get (f, "/api/SoftwareLicence");
  {
    JsonArray *rows = json_object_get_array_member (obj (licences), "licences");

    for (guint i = 0; i < json_array_get_length (rows); i++)
      {
        JsonObject *l = json_array_get_object_element (rows, i);

        if (g_strcmp0 (json_object_get_string_member (l, "distributor"), "Converge") != 0)
          {
            other_distributor = TRUE;
            /* that customer is on the invoice */
            g_assert_nonnull (strstr (csv->body, json_object_get_string_member (l, "client_name")));
            break;
          }
      }
  }
  g_assert_true (other_distributor);
}

static guint
open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Clients that close their connection once they have an answer (every POST of libsoup's opens
 * a new one): the server closes its end too, rather than keeping a descriptor per request
 * until the process has none left. */
static void
test_closed_connections (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("%s/api/authinfo", f->url);
  guint before, after = 0;
  gint64 end;

  before = open_fds ();
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    }

  /* the server notices on its own thread */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && (after = open_fds ()) > before + 10)
    g_usleep (20000);
  g_test_message ("open descriptors: %u before, %u after 200 closed connections", before, after);
  g_assert_cmpuint (after, <=, before + 10);
}

int
main (int   argc,
      char *argv[])
{
  /* GSocketClient asks the default proxy resolver, which (GNOME's) reads GSettings schemas the
   * isolated test environment does not have. Loopback needs no proxy. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  lsn_test_init (&argc, &argv);

#define ADD(path, func) g_test_add ("/sandbox/halo/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("auth", test_auth);
  ADD ("token-expiry", test_token_expiry);
  ADD ("paging", test_paging);
  ADD ("envelopes-and-filters", test_envelopes_and_filters);
  ADD ("writes", test_writes);
  ADD ("rate-limit", test_rate_limit);
  ADD ("faults", test_faults);
  ADD ("control-endpoints", test_control_endpoints);
  ADD ("closed-connections", test_closed_connections);
#undef ADD

  return g_test_run ();
}
