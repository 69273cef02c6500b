/* licence-fixture.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "feed/lsn-feed-connector.h"
#include "licence-fixture.h"

/* What the licence tests and the benchmark share: a sandbox, a database, the sandbox's invoice. */

static char *
fetch_invoice (const char *url)
{
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnConnector) feed = NULL;
  g_autoptr(GBytes) bytes = NULL;

  json_object_set_string_member (settings, "source", url);
  json_object_set_string_member (settings, "distributor", "Converge");
  feed = lsn_feed_connector_new_from_settings (settings, &error);
  g_assert_no_error (error);
  bytes = lsn_feed_connector_fetch (LSN_FEED_CONNECTOR (feed), NULL, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

void
licence_fixture_init (LicenceFixture          *f,
                      const LsnSandboxOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LsnFeedParser) feed_parser = lsn_feed_parser_new ();
  g_autoptr(LsnFeedResult) result = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *db_path = NULL;
  LsnSandboxOptions defaults;
  guint k = 0;

  memset (f, 0, sizeof *f);
  if (options == NULL)
    {
      lsn_sandbox_options_init (&defaults);
      defaults.halo_clients = 40;
      defaults.cw_clients = 0;
      options = &defaults;
    }
  f->sandbox = lsn_test_start_sandbox (options);
  ready = lsn_sandbox_ready_line (f->sandbox);
  g_assert_true (json_parser_load_from_data (parser, ready, -1, &error));
  f->halo = json_object_ref (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                            "halopsa"));
  g_setenv (LICENCE_FIXTURE_SECRET_ENV, json_object_get_string_member (f->halo, "client_secret"), TRUE);

  f->tmpdir = lsn_test_tmpdir ();
  db_path = g_build_filename (f->tmpdir, "liaison.db", NULL);
  f->store = lsn_store_open (db_path, &error);
  g_assert_no_error (error);

  f->invoice_url = g_strconcat (json_object_get_string_member (f->halo, "url"), "/_sandbox/invoice.csv", NULL);
  f->invoice = fetch_invoice (f->invoice_url);

  /* k0..k3: the first four customers of the invoice; the last row is the unknown customer */
  result = lsn_feed_parser_parse (feed_parser, f->invoice, strlen (f->invoice));
  g_assert_cmpuint (result->issues->len, ==, 0);
  for (guint i = 0; i < result->rows->len && k < 4; i++)
    {
      LsnFeedRow *row = g_ptr_array_index (result->rows, i);

      if (k > 0 && g_str_equal (f->customers[k - 1], row->customer))
        continue;
      f->customers[k] = g_strdup (row->customer);
      /* CNV-<10000 + client id> */
      f->client_ids[k] = g_strdup_printf ("%" G_GINT64_FORMAT,
                                          g_ascii_strtoll (row->customer_id + 4, NULL, 10) - 10000);
      k++;
    }
  g_assert_cmpuint (k, ==, 4);
  f->unknown_customer = g_strdup (((LsnFeedRow *) g_ptr_array_index (result->rows, result->rows->len - 1))->customer);
}

void
licence_fixture_clear (LicenceFixture *f)
{
  lsn_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  if (f->store)
    lsn_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_pointer (&f->halo, json_object_unref);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->invoice_url, g_free);
  g_clear_pointer (&f->invoice, g_free);
  g_clear_pointer (&f->unknown_customer, g_free);
  for (guint i = 0; i < 4; i++)
    {
      g_clear_pointer (&f->customers[i], g_free);
      g_clear_pointer (&f->client_ids[i], g_free);
    }
}

/**
 * licence_fixture_profile_json:
 * @source: the feed's source
 * @extra_members: (nullable): more members of the profile object, e.g. "\"guard\": {...}"
 */
char *
licence_fixture_profile_json (LicenceFixture *f,
                              const char     *source,
                              const char     *extra_members)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Converge licences");
  json_builder_set_member_name (b, "left");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "connector");
  json_builder_add_string_value (b, "feed");
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "distributor");
  json_builder_add_string_value (b, "Converge");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "right");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "connector");
  json_builder_add_string_value (b, "halopsa");
  for (guint i = 0; i < 4; i++)
    {
      static const char *keys[] = { "url", "auth_url", "tenant", "client_id" };
      json_builder_set_member_name (b, keys[i]);
      json_builder_add_string_value (b, json_object_get_string_member (f->halo, keys[i]));
    }
  json_builder_set_member_name (b, "client_secret");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "env");
  json_builder_add_string_value (b, LICENCE_FIXTURE_SECRET_ENV);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "licence");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "direction");
  json_builder_add_string_value (b, "left-to-right");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  if (extra_members == NULL)
    return g_steal_pointer (&json);
  /* splice the extra members in before the final brace */
  json[strlen (json) - 1] = '\0';
  return g_strconcat (json, ",", extra_members, "}", NULL);
}

LsnProfile *
licence_fixture_add_profile (LicenceFixture *f,
                             const char     *name,
                             const char     *json)
{
  g_autoptr(GError) error = NULL;
  LsnProfile *profile;

  lsn_store_add_profile (f->store, name, json, &error);
  g_assert_no_error (error);
  profile = lsn_store_find_profile (f->store, name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

/* A HaloPSA connector of its own (it counts in the sandbox's stats). */
LsnConnector *
licence_fixture_halo (LicenceFixture *f)
{
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(GError) error = NULL;
  LsnConnector *conn;

  json_object_set_string_member (settings, "connector", "halopsa");
  for (guint i = 0; i < 4; i++)
    {
      static const char *keys[] = { "url", "auth_url", "tenant", "client_id" };
      json_object_set_string_member (settings, keys[i], json_object_get_string_member (f->halo, keys[i]));
    }
  conn = lsn_connector_new_from_settings (settings,
                                          json_object_get_string_member (f->halo, "client_secret"),
                                          &error);
  g_assert_no_error (error);
  return conn;
}

char *
licence_fixture_write_file (LicenceFixture *f,
                            const char     *name,
                            const char     *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->tmpdir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

void
licence_fixture_configure (LicenceFixture *f,
                           const char     *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (f->sandbox, "halopsa", json, &error);
  g_assert_no_error (error);
}

JsonObject *
licence_fixture_stats (LicenceFixture *f)
{
  g_autofree char *json = lsn_sandbox_get_stats (f->sandbox, "halopsa");
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

guint
licence_fixture_route_count (JsonObject *stats,
                             const char *route)
{
  JsonObject *by_route = json_object_get_object_member (stats, "by_route");

  return by_route ? (guint) json_object_get_int_member_with_default (by_route, route, 0) : 0;
}

guint
licence_fixture_licence_posts (LicenceFixture *f)
{
  g_autoptr(JsonObject) stats = licence_fixture_stats (f);
  return licence_fixture_route_count (stats, "POST /api/SoftwareLicence");
}

guint
licence_fixture_licence_deletes (LicenceFixture *f)
{
  g_autoptr(JsonObject) stats = licence_fixture_stats (f);
  return licence_fixture_route_count (stats, "DELETE /api/SoftwareLicence/{id}");
}

GPtrArray *
licence_fixture_list (LicenceFixture *f,
                      const char     *kind)
{
  g_autoptr(LsnConnector) halo = licence_fixture_halo (f);
  g_autoptr(GError) error = NULL;
  LsnListOptions options = { 0 };
  GPtrArray *records;

  options.include_inactive = TRUE;
  records = lsn_connector_list_all (halo, kind, &options, NULL, &error);
  g_assert_no_error (error);
  return records;
}

GPtrArray *
licence_fixture_events (LicenceFixture *f,
                        gint64          run_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (f->store, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_audit_event_free);

  g_assert_no_error (error);
  stmt = lsn_store_prepare (db, "SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events "
                            "WHERE run_id = ?1 ORDER BY id", &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, run_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (events, lsn_audit_event_from_stmt (stmt));
  return events;
}

/**
 * licence_fixture_find_event:
 * @words: (nullable): words the event's message must contain
 *
 * Returns: (transfer none) (nullable): the first matching event
 */
LsnAuditEvent *
licence_fixture_find_event (GPtrArray  *events,
                            const char *action,
                            const char *outcome,
                            const char *words)
{
  for (guint i = 0; i < events->len; i++)
    {
      LsnAuditEvent *e = g_ptr_array_index (events, i);

      if (g_strcmp0 (e->action, action) == 0 && g_strcmp0 (e->outcome, outcome) == 0
          && (words == NULL || (e->message != NULL && strstr (e->message, words) != NULL)))
        return e;
    }
  return NULL;
}

char *
licence_fixture_csv_field (const char *value)
{
  GString *out;

  if (strpbrk (value, ",\"\n\r") == NULL)
    return g_strdup (value);
  out = g_string_new ("\"");
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}
