/* test-cli.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * liaisonctl as a person or a script uses it: real processes, the real database file, the
 * in-process sandbox over HTTP. Exit codes, --json, and secrets that never leave the keyring or
 * the environment.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "../engine/lsn-engine-fixture.h"
#include "lsn-test-util.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static CliResult
run (const char *db,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *cli = g_build_filename (g_getenv ("LIAISON_BUILD_DIR"), "src", "cli",
                                           "liaisonctl", NULL);
  CliResult r = { 0 };
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, cli);
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  va_start (ap, db);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (proc);
  return r;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_cli_usage_and_errors (void)
{
  g_autofree char *dir = lsn_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "l.db", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);

  {
    g_auto(CliResult) r = run (db, "--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "sync NAME"));
  }
  {
    g_auto(CliResult) r = run (db, "frobnicate", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(CliResult) r = run (db, "sync", "Nobody", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "no profile named “Nobody”"));
  }
  g_assert_true (g_file_set_contents (bad, "{\"name\": \"Broken\", \"left\": ", -1, NULL));
  {
    g_auto(CliResult) r = run (db, "profile", "import", bad, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "not valid JSON"));
  }
  g_assert_true (g_file_set_contents (bad, "{\"name\": \"Wrong\", \"left\": {\"connector\": \"halopsa\"}, "
                                           "\"right\": {\"connector\": \"connectwise\"}, "
                                           "\"kinds\": {\"client\": {\"direction\": \"sideways\"}}}",
                                      -1, NULL));
  {
    g_auto(CliResult) r = run (db, "profile", "import", bad, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "kinds.client.direction"));
  }
  {
    g_auto(CliResult) r = run (db, "--json", "profile", "list", NULL);
    g_autoptr(JsonNode) n = parse (r.out);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (n)), ==, 0);
  }
}

static void
test_cli_sync_flow (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *db = NULL;
  const char *secret;
  gint64 failed_id = 0;

  lsn_sandbox_options_init (&o);
  o.halo_clients = 4;
  o.cw_clients = 0;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}",
                       "\"quiet_window_seconds\": 0");
  db = g_strdup (f.db_path);
  secret = g_getenv ("LSN_TEST_CW_KEY");
  lsn_store_close (f.store);

  /* export: settings, never the secret, only where it is */
  {
    g_auto(CliResult) r = run (db, "profile", "export", "Engine", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_null (strstr (r.out, secret));
    g_assert_nonnull (strstr (r.out, "LSN_TEST_CW_KEY"));
    /* and it imports again under another name */
    json = g_strdup (r.out);
  }
  file = g_build_filename (f.dir, "copy.json", NULL);
  {
    g_autoptr(JsonNode) n = parse (json);
    g_autofree char *text = NULL;
    json_object_set_string_member (json_node_get_object (n), "name", "Copy");
    text = json_to_string (n, TRUE);
    g_assert_true (g_file_set_contents (file, text, -1, NULL));
  }
  {
    g_auto(CliResult) r = run (db, "profile", "import", file, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(CliResult) r = run (db, "profile", "import", file, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "--replace"));
  }

  /* a dry run prints the plan and writes nothing */
  {
    g_auto(CliResult) r = run (db, "sync", "Engine", "--dry-run", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Dry run: nothing was written"));
    g_assert_nonnull (strstr (r.out, "client: 4 to create"));
  }
  g_assert_cmpuint (engine_fixture_writes (&f, "connectwise"), ==, 0);

  /* a real run, with one create refused by the server */
  engine_fixture_configure (&f, "connectwise",
                            "{\"fail_next\": {\"count\": 1, \"kind\": \"500\", "
                            "\"route\": \"POST /company/companies\"}}");
  {
    g_auto(CliResult) r = run (db, "--json", "sync", "Engine", NULL);
    g_autoptr(JsonNode) n = parse (r.out);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (n), "outcome"), ==, "partial");
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (n), "created"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (n), "failed"), ==, 1);
  }
  {
    g_auto(CliResult) r = run (db, "--json", "audit", "Engine", "--status", "failed", NULL);
    g_autoptr(JsonNode) n = parse (r.out);
    JsonArray *a = json_node_get_array (n);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpuint (json_array_get_length (a), ==, 1);
    failed_id = json_object_get_int_member (json_array_get_object_element (a, 0), "id");
    g_assert_nonnull (json_object_get_string_member (json_array_get_object_element (a, 0), "request"));
    g_assert_null (strstr (r.out, secret));
  }
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, failed_id);
    g_auto(CliResult) r = run (db, "retry", id, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "1 created"));
  }
  {
    g_auto(CliResult) r = run (db, "--json", "runs", "Engine", NULL);
    g_autoptr(JsonNode) n = parse (r.out);
    JsonArray *a = json_node_get_array (n);
    g_assert_cmpuint (json_array_get_length (a), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0), "trigger"),
                     ==, "retry");
  }
  /* a second run writes nothing and succeeds */
  {
    g_auto(CliResult) r = run (db, "sync", "Engine", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "0 created, 0 updated"));
  }
  /* the secret is in no file Liaison wrote */
  g_assert_false (lsn_test_file_contains (db, secret, strlen (secret)));

  f.store = lsn_store_open (db, NULL);
  engine_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/cli/usage-and-errors", test_cli_usage_and_errors);
  g_test_add_func ("/cli/sync-flow", test_cli_sync_flow);

  return g_test_run ();
}
