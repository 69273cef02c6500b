/* test-cw-sandbox-api.c: the simulated ConnectWise Manage over real HTTP
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "lsn-test-util.h"

#define API "/v4_6_release/apis/3.0/"

typedef struct
{
  LsnSandbox  *sandbox;
  SoupSession *session;
  char        *url;
  char        *company;
  char        *public_key;
  char        *private_key;
  char        *client_id;
} Fixture;

typedef struct
{
  guint     status;
  char     *body;
  char     *link;
  char     *retry_after;
  JsonNode *json;
  GError   *error;
} Reply;

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_free (reply->link);
  g_free (reply->retry_after);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* A session that never asks the desktop's proxy settings (no GSettings schemas in tests). */
static SoupSession *
new_session (void)
{
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  return soup_session_new_with_options ("timeout", 10, "proxy-resolver", direct, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  LsnSandboxOptions options;
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) ready = NULL;
  JsonObject *cw;

  lsn_sandbox_options_init (&options);
  options.halo_clients = 0;
  options.cw_clients = 0;         /* the tests make their own companies: known ids */
  options.stall_ms = 300;
  f->sandbox = lsn_test_start_sandbox (&options);
  f->session = new_session ();

  line = lsn_sandbox_ready_line (f->sandbox);
  ready = json_from_string (line, NULL);
  g_assert_nonnull (ready);
  cw = json_object_get_object_member (json_node_get_object (ready), "connectwise");
  g_assert_nonnull (cw);
  f->url = g_strdup (json_object_get_string_member (cw, "url"));
  f->company = g_strdup (json_object_get_string_member (cw, "company"));
  f->public_key = g_strdup (json_object_get_string_member (cw, "public_key"));
  f->private_key = g_strdup (json_object_get_string_member (cw, "private_key"));
  f->client_id = g_strdup (json_object_get_string_member (cw, "client_id"));
  g_assert_true (g_str_has_prefix (f->url, "http://127.0.0.1:"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  lsn_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  g_free (f->url);
  g_free (f->company);
  g_free (f->public_key);
  g_free (f->private_key);
  g_free (f->client_id);
}

static Reply *
request_full (Fixture    *f,
              const char *method,
              const char *path,
              const char *body,
              const char *authorization,  /* NULL: the right one; "": none */
              const char *client_id,      /* NULL: the right one; "": none */
              const char *pagination)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) bytes = NULL;
  Reply *reply = g_new0 (Reply, 1);
  SoupMessageHeaders *headers;
  g_autofree char *basic = NULL;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);

  if (authorization == NULL)
    {
      g_autofree char *plain = g_strdup_printf ("%s+%s:%s", f->company, f->public_key, f->private_key);
      g_autofree char *encoded = g_base64_encode ((const guchar *) plain, strlen (plain));

      basic = g_strdup_printf ("Basic %s", encoded);
      soup_message_headers_append (headers, "Authorization", basic);
    }
  else if (*authorization)
    soup_message_headers_append (headers, "Authorization", authorization);

  if (client_id == NULL)
    soup_message_headers_append (headers, "clientId", f->client_id);
  else if (*client_id)
    soup_message_headers_append (headers, "clientId", client_id);
  if (pagination)
    soup_message_headers_append (headers, "pagination-type", pagination);
  if (body)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
    }

  bytes = soup_session_send_and_read (f->session, msg, NULL, &reply->error);
  if (bytes == NULL)
    return reply;

  reply->status = soup_message_get_status (msg);
  reply->body = g_bytes_get_size (bytes) ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                                         : g_strdup ("");
  reply->link = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Link"));
  reply->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  reply->json = *reply->body ? json_from_string (reply->body, NULL) : NULL;
  return reply;
}

static Reply *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  return request_full (f, method, path, body, NULL, NULL, NULL);
}

static JsonObject *
reply_object (Reply *reply)
{
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

static gint64
create_company (Fixture    *f,
                const char *identifier,
                const char *name,
                const char *extra)
{
  g_autofree char *body = g_strdup_printf ("{\"identifier\":\"%s\",\"name\":\"%s\"%s%s}",
                                           identifier, name, extra ? "," : "", extra ? extra : "");
  g_autoptr(Reply) reply = request (f, "POST", API "company/companies", body);

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 201);
  return json_object_get_int_member (reply_object (reply), "id");
}

static char *
ids_of (Reply *reply)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  JsonArray *array;

  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply->json));
  array = json_node_get_array (reply->json);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, ids->len ? "," : "",
                            json_object_get_int_member (json_array_get_object_element (array, i), "id"));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
escape (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Reply) info = request_full (f, "GET", "/login/companyinfo/sandbox", NULL, "", "", NULL);
  g_autoptr(Reply) unknown = request_full (f, "GET", "/login/companyinfo/nosuchcompany", NULL, "", "", NULL);
  g_autoptr(Reply) none = request_full (f, "GET", API "company/companies", NULL, "", NULL, NULL);
  g_autoptr(Reply) wrong = request_full (f, "GET", API "company/companies", NULL, "Basic c2FuZGJveCt4Onk=", NULL, NULL);
  g_autoptr(Reply) no_client = request_full (f, "GET", API "company/companies", NULL, NULL, "", NULL);
  g_autoptr(Reply) bad_client = request_full (f, "GET", API "company/companies", NULL, NULL,
                                              "00000000-0000-4000-a000-000000000000", NULL);
  g_autoptr(Reply) ok = request (f, "GET", API "company/companies", NULL);
  g_autoptr(Reply) codebase = request (f, "GET", "/v2099_1/apis/3.0/company/companies", NULL);
  JsonObject *object;

  g_assert_cmpuint (info->status, ==, 200);
  object = reply_object (info);
  g_assert_cmpstr (json_object_get_string_member (object, "Codebase"), ==, "v4_6_release/");
  g_assert_cmpstr (json_object_get_string_member (object, "CompanyID"), ==, "sandbox");
  g_assert_true (json_object_has_member (object, "CompanyName"));
  g_assert_true (json_object_has_member (object, "VersionCode"));
  g_assert_true (json_object_has_member (object, "IsCloud"));

  g_assert_cmpuint (unknown->status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_NULL (unknown->json));

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpstr (json_object_get_string_member (reply_object (none), "code"), ==, "Unauthorized");
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpstr (json_object_get_string_member (reply_object (wrong), "code"), ==, "Unauthorized");
  g_assert_null (strstr (wrong->body, f->private_key));
  g_assert_cmpuint (no_client->status, ==, 403);
  g_assert_true (json_object_has_member (reply_object (no_client), "message"));
  g_assert_cmpuint (bad_client->status, ==, 403);
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpuint (codebase->status, ==, 404);
}

static void
test_conditions (Fixture       *f,
                 gconstpointer  data)
{
  static const struct { const char *conditions; const char *ids; } table[] = {
    { "id = 3", "3" },
    { "name like \"Acme*\"", "1,2" },
    { "name contains \"SONS\"", "4" },
    { "name = \"beta systems\"", "3" },
    { "identifier in (\"Beta\", \"Delta\")", "3,5" },
    { "status/name = \"Inactive\"", "2,5" },
    { "status/id != 1", "2,5" },
    { "status/name = \"Active\" and (name like \"A*\" or id > 3)", "1,4" },
    { "numberOfEmployees >= 50", "2,4" },
    { "numberOfEmployees = null", "5" },
    { "leadFlag = True", "4" },
    { "annualRevenue < 1000.5 and annualRevenue > 0", "1" },
    { "dateAcquired > [2020-06-01T00:00:00Z]", "3,4" },
    { "website != null and not (id = 1)", "3" },
    { "lastUpdated > [2000-01-01T00:00:00Z]", "1,2,3,4,5" },
    { "lastUpdated < [2000-01-01T00:00:00Z]", "" },
  };
  static const char *bad[] = {
    "name =", "name = \"x", "(id = 1", "name = Acme", "nosuch = 1", "id = \"3\"", "id contains 1", "id = 1 id = 2",
  };
  gint64 status_active = 1, status_inactive = 2;
  g_autofree char *extra1 = g_strdup_printf ("\"status\":{\"id\":%" G_GINT64_FORMAT "},\"annualRevenue\":999,\"numberOfEmployees\":10,\"dateAcquired\":\"2019-01-01T00:00:00Z\",\"website\":\"https://acme.example\"", status_active);
  g_autofree char *extra2 = g_strdup_printf ("\"status\":{\"id\":%" G_GINT64_FORMAT "},\"numberOfEmployees\":50", status_inactive);
  g_autofree char *extra4 = g_strdup_printf ("\"status\":{\"id\":%" G_GINT64_FORMAT "},\"leadFlag\":true,\"numberOfEmployees\":500,\"dateAcquired\":\"2024-02-29T12:00:00Z\"", status_active);
  g_autofree char *extra5 = g_strdup_printf ("\"status\":{\"id\":%" G_GINT64_FORMAT "}", status_inactive);

  g_assert_cmpint (create_company (f, "Acme", "Acme Ltd", extra1), ==, 1);
  g_assert_cmpint (create_company (f, "AcmeOld", "Acme Holdings", extra2), ==, 2);
  g_assert_cmpint (create_company (f, "Beta", "Beta Systems", "\"numberOfEmployees\":5,\"dateAcquired\":\"2021-01-01T00:00:00Z\",\"website\":\"https://beta.example\""), ==, 3);
  g_assert_cmpint (create_company (f, "Gamma", "Gamma & Sons", extra4), ==, 4);
  g_assert_cmpint (create_company (f, "Delta", "Delta", extra5), ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *escaped = escape (table[i].conditions);
      g_autofree char *path = g_strdup_printf (API "company/companies?pageSize=1000&conditions=%s", escaped);
      g_autofree char *count_path = g_strdup_printf (API "company/companies/count?conditions=%s", escaped);
      g_autoptr(Reply) reply = request (f, "GET", path, NULL);
      g_autoptr(Reply) count = request (f, "GET", count_path, NULL);
      g_autofree char *ids = NULL;
      guint expected = 0;

      g_assert_cmpuint (reply->status, ==, 200);
      ids = ids_of (reply);
      g_test_message ("%s -> [%s]", table[i].conditions, ids);
      g_assert_cmpstr (ids, ==, table[i].ids);

      if (*table[i].ids)
        {
          g_auto(GStrv) parts = g_strsplit (table[i].ids, ",", -1);

          expected = g_strv_length (parts);
        }
      g_assert_cmpuint (count->status, ==, 200);
      g_assert_cmpint (json_object_get_int_member (reply_object (count), "count"), ==, expected);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *escaped = escape (bad[i]);
      g_autofree char *path = g_strdup_printf (API "company/companies?conditions=%s", escaped);
      g_autoptr(Reply) reply = request (f, "GET", path, NULL);
      JsonObject *object;
      JsonArray *errors;

      g_test_message ("%s -> %u %s", bad[i], reply->status, reply->body);
      g_assert_cmpuint (reply->status, ==, 400);
      object = reply_object (reply);
      g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, "InvalidObject");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "message"), "conditions is invalid: "));
      errors = json_object_get_array_member (object, "errors");
      g_assert_cmpuint (json_array_get_length (errors), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 0), "field"), ==, "conditions");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 0), "resource"), ==, "company");
    }

  /* orderBy, fields, childConditions, customFieldConditions */
  {
    g_autoptr(Reply) ordered = request (f, "GET", API "company/companies?orderBy=name%20desc", NULL);
    g_autoptr(Reply) partial = request (f, "GET", API "company/companies/1?fields=id,status/name,_info/lastUpdated", NULL);
    g_autoptr(Reply) bad_order = request (f, "GET", API "company/companies?orderBy=nosuch%20asc", NULL);
    g_autofree char *ordered_ids = ids_of (ordered);
    JsonObject *object = reply_object (partial);

    g_assert_cmpstr (ordered_ids, ==, "4,5,3,1,2");   /* Gamma, Delta, Beta, Acme Ltd, Acme Holdings */
    g_assert_cmpuint (json_object_get_size (object), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "status"), "name"), ==, "Active");
    g_assert_false (json_object_has_member (json_object_get_object_member (object, "status"), "id"));
    g_assert_true (json_object_has_member (json_object_get_object_member (object, "_info"), "lastUpdated"));
    g_assert_cmpuint (bad_order->status, ==, 400);
  }
  {
    g_autoptr(Reply) c1 = request (f, "POST", API "company/contacts",
                                   "{\"firstName\":\"Ann\",\"company\":{\"id\":1},\"communicationItems\":["
                                   "{\"type\":{\"id\":1,\"name\":\"Email\"},\"value\":\"ann@acme.example\",\"communicationType\":\"Email\",\"defaultFlag\":true}]}");
    g_autoptr(Reply) c2 = request (f, "POST", API "company/contacts",
                                   "{\"firstName\":\"Bob\",\"company\":{\"identifier\":\"Beta\"},\"communicationItems\":["
                                   "{\"type\":{\"id\":2,\"name\":\"Direct\"},\"value\":\"ann@acme.example\",\"communicationType\":\"Phone\"}],"
                                   "\"customFields\":[{\"id\":4,\"caption\":\"Tier\",\"type\":\"Text\",\"value\":\"Gold\"}]}");
    g_autofree char *child = escape ("communicationItems/value like \"ANN@*\" AND communicationItems/communicationType=\"Email\"");
    g_autofree char *child_path = g_strdup_printf (API "company/contacts?childConditions=%s", child);
    g_autofree char *custom = escape ("caption=\"Tier\" AND value = \"gold\"");
    g_autofree char *custom_path = g_strdup_printf (API "company/contacts?customFieldConditions=%s", custom);
    g_autoptr(Reply) by_child = request (f, "GET", child_path, NULL);
    g_autoptr(Reply) by_custom = request (f, "GET", custom_path, NULL);
    g_autofree char *child_ids = ids_of (by_child);
    g_autofree char *custom_ids = ids_of (by_custom);

    g_assert_cmpuint (c1->status, ==, 201);
    g_assert_cmpuint (c2->status, ==, 201);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply_object (c2), "company"), "name"),
                     ==, "Beta Systems");
    g_assert_cmpstr (child_ids, ==, "1");
    g_assert_cmpstr (custom_ids, ==, "2");
  }
}

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *next = NULL;
  guint pages = 0;

  for (guint i = 1; i <= 7; i++)
    {
      g_autofree char *identifier = g_strdup_printf ("Co%u", i);
      g_autofree char *name = g_strdup_printf ("Company %u", i);

      create_company (f, identifier, name, NULL);
    }

  {
    g_autoptr(Reply) first = request (f, "GET", API "company/companies?pageSize=3&page=1", NULL);
    g_autoptr(Reply) middle = request (f, "GET", API "company/companies?pageSize=3&page=2", NULL);
    g_autoptr(Reply) last = request (f, "GET", API "company/companies?pageSize=3&page=3", NULL);
    g_autoptr(Reply) beyond = request (f, "GET", API "company/companies?pageSize=3&page=9", NULL);
    g_autoptr(Reply) huge = request (f, "GET", API "company/companies?pageSize=5000", NULL);
    g_autoptr(Reply) bad = request (f, "GET", API "company/companies?pageSize=0", NULL);
    g_autofree char *first_ids = ids_of (first);
    g_autofree char *middle_ids = ids_of (middle);
    g_autofree char *last_ids = ids_of (last);
    g_autofree char *beyond_ids = ids_of (beyond);
    g_autofree char *huge_ids = ids_of (huge);

    g_assert_cmpstr (first_ids, ==, "1,2,3");
    g_assert_cmpstr (middle_ids, ==, "4,5,6");
    g_assert_cmpstr (last_ids, ==, "7");
    g_assert_cmpstr (beyond_ids, ==, "");
    g_assert_cmpstr (huge_ids, ==, "1,2,3,4,5,6,7");
    g_assert_cmpuint (bad->status, ==, 400);

    g_assert_nonnull (first->link);
    g_assert_nonnull (strstr (first->link, "page=2>; rel=\"next\""));
    g_assert_nonnull (strstr (first->link, "page=3>; rel=\"last\""));
    g_assert_null (strstr (first->link, "rel=\"prev\""));
    g_assert_null (strstr (first->link, "rel=\"first\""));
    g_assert_nonnull (strstr (middle->link, "page=1>; rel=\"first\""));
    g_assert_nonnull (strstr (middle->link, "page=1>; rel=\"prev\""));
    g_assert_nonnull (strstr (middle->link, "page=3>; rel=\"next\""));
    g_assert_nonnull (strstr (last->link, "page=2>; rel=\"prev\""));
    g_assert_null (strstr (last->link, "rel=\"next\""));
    g_assert_true (g_str_has_prefix (first->link, "<http://127.0.0.1:"));
    g_assert_nonnull (strstr (first->link, "/v4_6_release/apis/3.0/company/companies?"));
  }

  /* Forward-only: follow the Link header until it is empty. */
  next = g_strdup (API "company/companies?pageSize=3");
  while (next && pages < 10)
    {
      g_autoptr(Reply) reply = request_full (f, "GET", next, NULL, NULL, NULL, "forward-only");
      g_autofree char *ids = ids_of (reply);
      const char *start, *end;

      pages++;
      g_string_append_printf (seen, "%s%s", seen->len ? "|" : "", ids);
      g_assert_nonnull (reply->link);   /* always present; empty on the last page */
      g_clear_pointer (&next, g_free);
      if (*reply->link == '\0')
        break;
      g_assert_nonnull (strstr (reply->link, "rel=\"next\""));
      g_assert_null (strstr (reply->link, "page="));
      start = strstr (reply->link, "/v4_6_release/");
      end = strchr (reply->link, '>');
      g_assert_true (start && end && end > start);
      next = g_strndup (start, (gsize) (end - start));
      g_assert_nonnull (strstr (next, "pageId="));
    }
  g_assert_cmpstr (seen->str, ==, "1,2,3|4,5,6|7");

  {
    g_autoptr(Reply) ordered = request_full (f, "GET", API "company/companies?orderBy=name", NULL, NULL, NULL, "forward-only");
    g_autoptr(Reply) after = request_full (f, "GET", API "company/companies?pageId=5&page=1", NULL, NULL, NULL, "forward-only");
    g_autofree char *after_ids = ids_of (after);

    g_assert_cmpuint (ordered->status, ==, 400);
    g_assert_cmpstr (after_ids, ==, "6,7");
  }
}

static char *
last_updated (Reply *reply)
{
  return g_strdup (json_object_get_string_member (json_object_get_object_member (reply_object (reply), "_info"), "lastUpdated"));
}

static void
test_writes (Fixture       *f,
             gconstpointer  data)
{
  gint64 id = create_company (f, "Acme", "Acme Ltd", "\"website\":\"https://acme.example\"");
  g_autoptr(Reply) created = request (f, "GET", API "company/companies/1", NULL);
  g_autofree char *t0 = last_updated (created);
  JsonObject *object;

  g_assert_cmpint (id, ==, 1);
  object = reply_object (created);
  g_assert_true (json_object_has_member (json_object_get_object_member (object, "_info"), "updatedBy"));
  g_assert_false (json_object_has_member (object, "phoneNumber"));   /* nulls left out */

  {
    g_autoptr(Reply) patched = request (f, "PATCH", API "company/companies/1",
                                        "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"Acme Limited\"},"
                                        " {\"op\":\"add\",\"path\":\"/phoneNumber\",\"value\":\"555-0100\"},"
                                        " {\"op\":\"remove\",\"path\":\"website\"},"
                                        " {\"op\":\"replace\",\"path\":\"status\",\"value\":{\"id\":2}}]");
    g_autofree char *t1 = NULL;
    gint64 u0 = 0, u1 = 0;
    g_autoptr(GDateTime) d0 = NULL;
    g_autoptr(GDateTime) d1 = NULL;

    g_assert_cmpuint (patched->status, ==, 200);
    object = reply_object (patched);
    g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Acme Limited");
    g_assert_cmpstr (json_object_get_string_member (object, "phoneNumber"), ==, "555-0100");
    g_assert_false (json_object_has_member (object, "website"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "status"), "name"), ==, "Inactive");
    g_assert_cmpstr (json_object_get_string_member (object, "identifier"), ==, "Acme");
    t1 = last_updated (patched);
    d0 = g_date_time_new_from_iso8601 (t0, NULL);
    d1 = g_date_time_new_from_iso8601 (t1, NULL);
    u0 = g_date_time_to_unix (d0);
    u1 = g_date_time_to_unix (d1);
    g_assert_cmpint (u1, >, u0);   /* moves even within the same second */

    {
      g_autoptr(Reply) again = request (f, "PUT", API "company/companies/1", "{\"identifier\":\"Acme\",\"name\":\"Acme PLC\"}");
      g_autofree char *t2 = last_updated (again);
      g_autoptr(GDateTime) d2 = g_date_time_new_from_iso8601 (t2, NULL);

      g_assert_cmpuint (again->status, ==, 200);
      g_assert_cmpint (g_date_time_to_unix (d2), >, u1);
      /* PUT replaces the whole record: fields it leaves out are gone */
      g_assert_false (json_object_has_member (reply_object (again), "phoneNumber"));
      g_assert_false (json_object_has_member (reply_object (again), "status"));
    }
  }

  {
    g_autoptr(Reply) bad_op = request (f, "PATCH", API "company/companies/1", "[{\"op\":\"move\",\"path\":\"name\"}]");
    g_autoptr(Reply) nested = request (f, "PATCH", API "company/companies/1",
                                       "[{\"op\":\"replace\",\"path\":\"status/id\",\"value\":1}]");
    g_autoptr(Reply) not_list = request (f, "PATCH", API "company/companies/1", "{\"name\":\"x\"}");
    g_autoptr(Reply) missing = request (f, "POST", API "company/companies", "{\"identifier\":\"NoName\"}");
    g_autoptr(Reply) too_long = request (f, "POST", API "company/companies",
                                         "{\"identifier\":\"ThisIdentifierIsFarTooLongForConnectWise\",\"name\":\"X\"}");
    g_autoptr(Reply) duplicate = request (f, "POST", API "company/companies", "{\"identifier\":\"acme\",\"name\":\"Again\"}");
    g_autoptr(Reply) dangling = request (f, "POST", API "company/companies",
                                         "{\"identifier\":\"Dang\",\"name\":\"D\",\"status\":{\"id\":999}}");
    g_autoptr(Reply) unknown = request (f, "POST", API "company/companies",
                                        "{\"identifier\":\"Unk\",\"name\":\"U\",\"nosuchField\":1}");
    g_autoptr(Reply) broken = request (f, "POST", API "company/companies", "{\"identifier\":");
    g_autoptr(Reply) conversion = request (f, "POST", API "company/companies",
                                           "{\"identifier\":\"Conv\",\"name\":\"C\",\"numberOfEmployees\":\"many\"}");
    JsonObject *error;

    g_assert_cmpuint (bad_op->status, ==, 400);
    g_assert_cmpuint (nested->status, ==, 400);
    g_assert_cmpuint (not_list->status, ==, 400);

    g_assert_cmpuint (missing->status, ==, 400);
    object = reply_object (missing);
    g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, "InvalidObject");
    g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "company object is invalid");
    error = json_array_get_object_element (json_object_get_array_member (object, "errors"), 0);
    g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "MissingRequiredField");
    g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "name");
    g_assert_cmpstr (json_object_get_string_member (error, "resource"), ==, "company");

    g_assert_cmpuint (too_long->status, ==, 400);
    error = json_array_get_object_element (json_object_get_array_member (reply_object (too_long), "errors"), 0);
    g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "MaxLengthField");
    g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "identifier");

    g_assert_cmpuint (duplicate->status, ==, 400);
    g_assert_cmpuint (dangling->status, ==, 400);
    error = json_array_get_object_element (json_object_get_array_member (reply_object (dangling), "errors"), 0);
    g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "status");
    g_assert_cmpuint (unknown->status, ==, 400);
    g_assert_cmpuint (broken->status, ==, 400);
    g_assert_cmpuint (conversion->status, ==, 500);
    g_assert_cmpstr (json_object_get_string_member (reply_object (conversion), "code"), ==, "ConnectWiseApi");
  }

  {
    g_autoptr(Reply) site = request (f, "POST", API "company/companies/1/sites", "{\"name\":\"Main\"}");
    g_autoptr(Reply) sites = request (f, "GET", API "company/companies/1/sites", NULL);
    g_autoptr(Reply) other_sites = request (f, "GET", API "company/companies/99/sites", NULL);
    g_autofree char *site_ids = ids_of (sites);
    g_autoptr(Reply) contact = request (f, "POST", API "company/contacts",
                                        "{\"firstName\":\"Ann\",\"company\":{\"id\":1}}");
    g_autoptr(Reply) in_use = request (f, "DELETE", API "company/companies/1", NULL);
    g_autoptr(Reply) delete_contact = request (f, "DELETE", API "company/contacts/1", NULL);
    g_autoptr(Reply) deleted = request (f, "DELETE", API "company/companies/1", NULL);
    g_autoptr(Reply) gone = request (f, "GET", API "company/companies/1", NULL);
    g_autoptr(Reply) gone_site = request (f, "GET", API "company/companies/1/sites/1", NULL);
    g_autoptr(Reply) no_member_delete = request (f, "DELETE", API "system/members/1", NULL);

    g_assert_cmpuint (site->status, ==, 201);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (reply_object (site), "company"), "id"), ==, 1);
    g_assert_cmpstr (site_ids, ==, "1");
    g_assert_cmpuint (other_sites->status, ==, 404);
    g_assert_cmpuint (contact->status, ==, 201);
    g_assert_cmpuint (in_use->status, ==, 409);
    g_assert_cmpuint (delete_contact->status, ==, 204);
    g_assert_cmpstr (delete_contact->body, ==, "");
    g_assert_cmpuint (deleted->status, ==, 204);
    g_assert_cmpuint (gone->status, ==, 404);
    g_assert_cmpstr (json_object_get_string_member (reply_object (gone), "code"), ==, "NotFound");
    g_assert_cmpuint (gone_site->status, ==, 404);
    g_assert_cmpuint (no_member_delete->status, ==, 405);
  }
}

static void
configure (Fixture    *f,
           const char *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (f->sandbox, "connectwise", json, &error);
  g_assert_no_error (error);
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  const char *path = API "company/companies/count";

  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"500\"}}");
  {
    g_autoptr(Reply) reply = request (f, "GET", path, NULL);

    g_assert_cmpuint (reply->status, ==, 500);
    g_assert_cmpstr (json_object_get_string_member (reply_object (reply), "code"), ==, "ConnectWiseApi");
  }

  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"429\"}}");
  {
    g_autoptr(Reply) reply = request (f, "GET", path, NULL);

    g_assert_cmpuint (reply->status, ==, 429);
    g_assert_nonnull (reply->retry_after);
    g_assert_true (json_object_has_member (reply_object (reply), "message"));
  }

  /* A fresh connection: libsoup silently retries a request whose reused connection closed. */
  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"drop\"}}");
  {
    g_autoptr(SoupSession) previous = g_steal_pointer (&f->session);
    g_autoptr(Reply) reply = NULL;

    f->session = new_session ();
    reply = request (f, "GET", path, NULL);
    g_assert_nonnull (reply->error);
    g_clear_object (&f->session);
    f->session = g_steal_pointer (&previous);
  }

  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"truncate\"}}");
  {
    g_autoptr(Reply) reply = request (f, "GET", API "system/members", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_null (reply->json);
  }

  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"stall\"}}");
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(Reply) reply = request (f, "GET", path, NULL);

    g_assert_cmpuint (reply->status, ==, 504);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  }

  /* fail_next by route: only the named route fails */
  configure (f, "{\"fail_next\":{\"count\":1,\"kind\":\"500\",\"route\":\"GET /system/members/{id}\"}}");
  {
    g_autoptr(Reply) other = request (f, "GET", path, NULL);
    g_autoptr(Reply) named = request (f, "GET", API "system/members/1", NULL);

    g_assert_cmpuint (other->status, ==, 200);
    g_assert_cmpuint (named->status, ==, 500);
  }

  configure (f, "{\"latency_ms\": 200}");
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(Reply) reply = request (f, "GET", path, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  }
  configure (f, "{\"latency_ms\": 0}");

  /* The rolling window: 3 per 60 s, the 4th gets 429 with Retry-After and the Guide's body. */
  configure (f, "{\"limit\": \"3/60\", \"reset_limit\": true, \"reset_stats\": true}");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Reply) reply = request (f, "GET", path, NULL);

      g_assert_cmpuint (reply->status, ==, 200);
    }
  {
    g_autoptr(Reply) reply = request (f, "GET", path, NULL);
    g_autofree char *stats = lsn_sandbox_get_stats (f->sandbox, "connectwise");
    g_autoptr(JsonNode) node = json_from_string (stats, NULL);
    JsonObject *object;
    guint64 retry = 0;

    g_assert_cmpuint (reply->status, ==, 429);
    g_assert_nonnull (reply->retry_after);
    g_assert_true (g_ascii_string_to_unsigned (reply->retry_after, 10, 1, 60, &retry, NULL));
    g_assert_cmpstr (json_object_get_string_member (reply_object (reply), "error"), ==, "ConnectWiseAPI");
    object = json_node_get_object (node);
    g_assert_cmpint (json_object_get_int_member (object, "requests"), ==, 4);
    g_assert_cmpint (json_object_get_int_member (object, "throttled"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "by_route"),
                                                 "GET /company/companies/count"), ==, 4);
  }
  configure (f, "{\"limit\": \"600/60\", \"reset_limit\": true}");

  /* /_sandbox/stats over HTTP too, without credentials */
  {
    g_autoptr(Reply) reply = request_full (f, "GET", "/_sandbox/stats", NULL, "", "", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (json_object_has_member (reply_object (reply), "requests"));
  }
}

static void
test_seeded (void)
{
  LsnSandboxOptions options;
  g_autoptr(LsnSandbox) a = NULL;
  g_autoptr(LsnSandbox) b = NULL;
  g_autofree char *line_a = NULL;
  g_autofree char *line_b = NULL;
  Fixture fa = { 0 }, fb = { 0 };

  /* The same seed gives the same records (apart from the port in the hrefs). */
  lsn_sandbox_options_init (&options);
  options.halo_clients = 0;
  options.cw_clients = 30;
  a = lsn_test_start_sandbox (&options);
  b = lsn_test_start_sandbox (&options);
  line_a = lsn_sandbox_ready_line (a);
  line_b = lsn_sandbox_ready_line (b);

  fa.sandbox = a;
  fb.sandbox = b;
  fa.session = new_session ();
  fb.session = new_session ();
  {
    g_autoptr(JsonNode) ra = json_from_string (line_a, NULL);
    g_autoptr(JsonNode) rb = json_from_string (line_b, NULL);
    JsonObject *ca = json_object_get_object_member (json_node_get_object (ra), "connectwise");
    JsonObject *cb = json_object_get_object_member (json_node_get_object (rb), "connectwise");

    fa.url = g_strdup (json_object_get_string_member (ca, "url"));
    fb.url = g_strdup (json_object_get_string_member (cb, "url"));
    fa.company = g_strdup ("sandbox");
    fb.company = g_strdup ("sandbox");
    fa.public_key = g_strdup (json_object_get_string_member (ca, "public_key"));
    fb.public_key = g_strdup (json_object_get_string_member (cb, "public_key"));
    fa.private_key = g_strdup (json_object_get_string_member (ca, "private_key"));
    fb.private_key = g_strdup (json_object_get_string_member (cb, "private_key"));
    fa.client_id = g_strdup (json_object_get_string_member (ca, "client_id"));
    fb.client_id = g_strdup (json_object_get_string_member (cb, "client_id"));
    g_assert_cmpstr (fa.client_id, ==, fb.client_id);
  }

  {
    static const char * const lists[] = { "company/companies", "company/contacts", "sales/opportunities",
                                          "finance/agreements", "procurement/catalog", "finance/taxCodes",
                                          "sales/stages", "system/members", "company/companies/types",
                                          "company/companies/statuses", "sales/opportunities/statuses",
                                          "sales/opportunities/types", "sales/opportunities/ratings",
                                          "procurement/types", "procurement/categories",
                                          "procurement/subcategories", "finance/agreements/types" };

    for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
      {
        g_autofree char *path = g_strdup_printf (API "%s?pageSize=1000", lists[i]);
        g_autoptr(Reply) ra = request (&fa, "GET", path, NULL);
        g_autoptr(Reply) rb = request (&fb, "GET", path, NULL);
        g_auto(GStrv) pa = g_strsplit (ra->body, fa.url, -1);
        g_auto(GStrv) pb = g_strsplit (rb->body, fb.url, -1);
        g_autofree char *ja = g_strjoinv ("URL", pa);
        g_autofree char *jb = g_strjoinv ("URL", pb);

        g_assert_cmpuint (ra->status, ==, 200);
        g_assert_cmpstr (ja, ==, jb);
        g_assert_cmpuint (json_array_get_length (json_node_get_array (ra->json)), >, 0);
        /* every record has _info with lastUpdated and updatedBy; references are {id, name, _info} */
        for (guint j = 0; j < json_array_get_length (json_node_get_array (ra->json)); j++)
          {
            JsonObject *record = json_array_get_object_element (json_node_get_array (ra->json), j);
            JsonObject *info = json_object_get_object_member (record, "_info");

            g_assert_nonnull (info);
            g_assert_true (json_object_has_member (info, "lastUpdated"));
            g_assert_true (json_object_has_member (info, "updatedBy"));
          }
        g_assert_null (strstr (ra->body, ":null"));
      }
  }

  {
    g_autoptr(Reply) additions = request (&fa, "GET", API "finance/agreements/1/additions", NULL);
    g_autoptr(Reply) sites = request (&fa, "GET", API "company/companies/1/sites", NULL);
    g_autoptr(Reply) opportunity = request (&fa, "GET", API "sales/opportunities/1", NULL);
    JsonObject *company;

    g_assert_cmpuint (additions->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (additions->json)), >, 0);
    g_assert_cmpuint (sites->status, ==, 200);
    g_assert_cmpuint (opportunity->status, ==, 200);
    company = json_object_get_object_member (reply_object (opportunity), "company");
    g_assert_true (json_object_has_member (company, "id"));
    g_assert_true (json_object_has_member (company, "name"));
    g_assert_true (json_object_has_member (json_object_get_object_member (company, "_info"), "company_href"));
  }

  g_clear_object (&fa.session);
  g_clear_object (&fb.session);
  lsn_sandbox_stop (a);
  lsn_sandbox_stop (b);
  fa.sandbox = NULL;
  fb.sandbox = NULL;
  g_free (fa.url); g_free (fa.company); g_free (fa.public_key); g_free (fa.private_key); g_free (fa.client_id);
  g_free (fb.url); g_free (fb.company); g_free (fb.public_key); g_free (fb.private_key); g_free (fb.client_id);
}

int
main (int   argc,
      char *argv[])
{
  /* The desktop proxy resolver reads GSettings schemas the test environment does not have. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  lsn_test_init (&argc, &argv);

  g_test_add ("/cw-sandbox/api/auth", Fixture, NULL, fixture_set_up, test_auth, fixture_tear_down);
  g_test_add ("/cw-sandbox/api/conditions", Fixture, NULL, fixture_set_up, test_conditions, fixture_tear_down);
  g_test_add ("/cw-sandbox/api/paging", Fixture, NULL, fixture_set_up, test_paging, fixture_tear_down);
  g_test_add ("/cw-sandbox/api/writes", Fixture, NULL, fixture_set_up, test_writes, fixture_tear_down);
  g_test_add ("/cw-sandbox/api/faults", Fixture, NULL, fixture_set_up, test_faults, fixture_tear_down);
  g_test_add_func ("/cw-sandbox/api/seeded", test_seeded);

  return g_test_run ();
}
