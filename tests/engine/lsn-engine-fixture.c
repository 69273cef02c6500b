/* lsn-engine-fixture.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-engine-fixture.h"
#include "lsn-profile-io.h"
#include "lsn-sync-store.h"
#include "lsn-test-util.h"

/* how long one request may take, in the profiles the fixture writes */
guint engine_fixture_timeout_seconds = 3;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
engine_fixture_profile_json (EngineFixture *f,
                             const char    *kinds_json,
                             const char    *extra_json)
{
  JsonObject *h = json_object_get_object_member (f->ready, "halopsa");
  JsonObject *c = json_object_get_object_member (f->ready, "connectwise");

  /* secrets come from the environment, as a server's profile would have them */
  g_setenv ("LSN_TEST_HALO_SECRET", json_object_get_string_member (h, "client_secret"), TRUE);
  g_setenv ("LSN_TEST_CW_KEY", json_object_get_string_member (c, "private_key"), TRUE);

  return g_strdup_printf (
    "{\"name\": \"Engine\","
    " \"left\": {\"connector\": \"halopsa\", \"id\": \"left-conn\", \"url\": \"%s\", "
    "   \"auth_url\": \"%s\", \"tenant\": \"%s\", \"client_id\": \"%s\", "
    "   \"client_secret\": {\"env\": \"LSN_TEST_HALO_SECRET\"}, \"timeout_seconds\": %u},"
    " \"right\": {\"connector\": \"connectwise\", \"id\": \"right-conn\", \"url\": \"%s\", "
    "   \"company\": \"%s\", \"public_key\": \"%s\", \"client_id\": \"%s\", "
    "   \"private_key\": {\"env\": \"LSN_TEST_CW_KEY\"}, \"timeout_seconds\": %u},"
    " \"kinds\": %s %s%s}",
    json_object_get_string_member (h, "url"), json_object_get_string_member (h, "auth_url"),
    json_object_get_string_member (h, "tenant"), json_object_get_string_member (h, "client_id"),
    engine_fixture_timeout_seconds,
    json_object_get_string_member (c, "url"), json_object_get_string_member (c, "company"),
    json_object_get_string_member (c, "public_key"), json_object_get_string_member (c, "client_id"),
    engine_fixture_timeout_seconds,
    kinds_json, extra_json ? ", " : "", extra_json ? extra_json : "");
}

void
engine_fixture_init (EngineFixture           *f,
                     const LsnSandboxOptions *options,
                     const char              *kinds_json,
                     const char              *extra_json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) root = NULL;

  memset (f, 0, sizeof *f);
  f->dir = lsn_test_tmpdir ();
  f->db_path = g_build_filename (f->dir, "liaison.db", NULL);
  f->sandbox = lsn_test_start_sandbox (options);
  ready = lsn_sandbox_ready_line (f->sandbox);
  f->ready = parse_object (ready);

  f->store = lsn_store_open (f->db_path, &error);
  g_assert_no_error (error);

  json = engine_fixture_profile_json (f, kinds_json, extra_json);
  f->profile = lsn_profile_import (f->store, json, NULL, FALSE, &error);
  g_assert_no_error (error);

  root = parse_object (json);
  for (guint s = 0; s < 2; s++)
    {
      f->outside[s] = lsn_sync_build_connector (json_object_get_object_member (root, s == 0 ? "left" : "right"),
                                                &error);
      g_assert_no_error (error);
    }
}

void
engine_fixture_set_kinds (EngineFixture *f,
                          const char    *kinds_json,
                          const char    *extra_json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = engine_fixture_profile_json (f, kinds_json, extra_json);

  g_clear_object (&f->profile);
  f->profile = lsn_profile_import (f->store, json, NULL, TRUE, &error);
  g_assert_no_error (error);
}

void
engine_fixture_clear (EngineFixture *f)
{
  g_clear_object (&f->outside[0]);
  g_clear_object (&f->outside[1]);
  g_clear_object (&f->profile);
  if (f->store)
    lsn_store_close (f->store);
  g_clear_object (&f->store);
  if (f->sandbox)
    lsn_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  g_clear_pointer (&f->ready, json_object_unref);
  g_free (f->db_path);
  g_free (f->dir);
}

LsnSyncJob *
engine_fixture_sync (EngineFixture  *f,
                     gboolean        dry_run,
                     gboolean        confirmed,
                     GError        **error)
{
  LsnSyncJob *job = lsn_sync_job_new (f->store, f->profile, "cli");

  lsn_sync_job_set_dry_run (job, dry_run);
  lsn_sync_job_set_confirmed (job, confirmed);
  lsn_sync_job_run (job, NULL, error);
  return job;
}

LsnSyncJob *
engine_fixture_sync_ok (EngineFixture *f)
{
  g_autoptr(GError) error = NULL;
  LsnSyncJob *job = engine_fixture_sync (f, FALSE, FALSE, &error);

  g_assert_no_error (error);
  return job;
}

GPtrArray *
engine_fixture_list (EngineFixture *f,
                     LsnSide        side,
                     const char    *kind)
{
  g_autoptr(GError) error = NULL;
  LsnListOptions options = { .include_inactive = TRUE };
  GPtrArray *all = lsn_connector_list_all (f->outside[side], kind, &options, NULL, &error);

  g_assert_no_error (error);
  return all;
}

LsnRecord *
engine_fixture_find (EngineFixture *f,
                     LsnSide        side,
                     const char    *kind,
                     const char    *id)
{
  g_autoptr(GError) error = NULL;
  LsnRecord *r = lsn_connector_get (f->outside[side], kind, id, NULL, &error);

  g_assert_no_error (error);
  return r;
}

void
engine_fixture_update (EngineFixture *f,
                       LsnSide        side,
                       const char    *kind,
                       const char    *id,
                       const char    *fields_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = parse_object (fields_json);
  g_autoptr(LsnRecord) r = lsn_connector_update (f->outside[side], kind, id, fields, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
}

/* Requests that change something (POST, PUT, PATCH, DELETE) the server has answered. */
guint64
engine_fixture_writes (EngineFixture *f,
                       const char    *server)
{
  g_autofree char *stats = lsn_sandbox_get_stats (f->sandbox, server);
  g_autoptr(JsonObject) obj = parse_object (stats);
  JsonObject *by_route = json_object_get_object_member (obj, "by_route");
  g_autoptr(GList) routes = json_object_get_members (by_route);
  guint64 n = 0;

  for (GList *l = routes; l; l = l->next)
    {
      const char *route = l->data;
      if ((g_str_has_prefix (route, "POST ") && strstr (route, "/auth/token") == NULL
           && strstr (route, "/token") == NULL)
          || g_str_has_prefix (route, "PUT ") || g_str_has_prefix (route, "PATCH ")
          || g_str_has_prefix (route, "DELETE "))
        n += json_object_get_int_member (by_route, route);
    }
  return n;
}

void
engine_fixture_configure (EngineFixture *f,
                          const char    *server,
                          const char    *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (f->sandbox, server, json, &error);
  g_assert_no_error (error);
}

typedef struct
{
  gint64      profile_id;
  const char *kind;
  GPtrArray  *links;
  const char *sql;
  gint64      count;
} Query;

static gboolean
links_func (LsnStore  *store,
            sqlite3   *db,
            gpointer   data,
            GError   **error)
{
  Query *q = data;
  q->links = lsn_db_load_links (db, q->profile_id, q->kind, error);
  return q->links != NULL;
}

GPtrArray *
engine_fixture_links (EngineFixture *f,
                      const char    *kind)
{
  g_autoptr(GError) error = NULL;
  Query q = { lsn_profile_get_id (f->profile), kind, NULL, NULL, 0 };

  g_assert_true (lsn_store_run_sync (f->store, links_func, &q, &error));
  return q.links;
}

static gboolean
count_func (LsnStore  *store,
            sqlite3   *db,
            gpointer   data,
            GError   **error)
{
  Query *q = data;
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (db, q->sql, error);

  if (stmt == NULL)
    return FALSE;
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  q->count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* For assertions only: @sql is a constant of the test. */
gint64
engine_fixture_count (EngineFixture *f,
                      const char    *sql)
{
  g_autoptr(GError) error = NULL;
  Query q = { 0 };

  q.sql = sql;
  g_assert_true (lsn_store_run_sync (f->store, count_func, &q, &error));
  return q.count;
}

const char *
engine_fixture_linked_id (GPtrArray  *links,
                          LsnSide     side,
                          const char *id)
{
  for (guint i = 0; i < links->len; i++)
    {
      LsnLink *l = g_ptr_array_index (links, i);
      if (side == LSN_SIDE_LEFT && g_strcmp0 (l->left_id, id) == 0)
        return l->right_id;
      if (side == LSN_SIDE_RIGHT && g_strcmp0 (l->right_id, id) == 0)
        return l->left_id;
    }
  return NULL;
}
