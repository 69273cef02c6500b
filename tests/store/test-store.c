/* test-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store against real SQLite files: migrations from every earlier version, reopening, a
 * reader during writes, and every bad-database case (not SQLite, damaged, newer, read-only, full).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "lsn-error.h"
#include "lsn-profile.h"
#include "lsn-store.h"
#include "lsn-store-schema.h"
#include "lsn-test-util.h"

static char *
new_db_path (void)
{
  g_autofree char *dir = lsn_test_tmpdir ();
  return g_build_filename (dir, "sub", "liaison.db", NULL);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static int
query_int (sqlite3    *db,
           const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int (stmt, 0);
}

static void
test_store_new_database (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (path, &error);
  g_autoptr(sqlite3) reader = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *tables[] = { "profiles", "connections", "field_mappings", "value_mappings", "links",
                           "match_decisions", "cursors", "remote_records", "runs",
                           "audit_events", "outbox" };

  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  reader = lsn_store_open_reader (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (reader, "PRAGMA user_version"), ==, LSN_STORE_SCHEMA_VERSION);
  g_assert_cmpint (LSN_STORE_SCHEMA_VERSION, ==, lsn_store_n_migrations);

  g_assert_cmpint (sqlite3_prepare_v2 (reader, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(sqlite3_stmt) t = NULL;
      g_assert_cmpint (sqlite3_prepare_v2 (reader,
                                           "SELECT count(*) FROM sqlite_master "
                                           "WHERE type = 'table' AND name = ?1",
                                           -1, &t, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (t, 1, tables[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (t), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (t, 0), ==, 1);
    }

  /* The audit log's indexes exist. */
  g_assert_cmpint (query_int (reader, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                      "AND tbl_name = 'audit_events' AND sql IS NOT NULL"), >=, 5);
}

static gboolean
check_foreign_keys_func (LsnStore  *store,
                         sqlite3   *db,
                         gpointer   user_data,
                         GError   **error)
{
  *(int *) user_data = query_int (db, "PRAGMA foreign_keys");
  return TRUE;
}

static void
test_store_profiles_and_reopen (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  gint64 id_a, id_b;
  int fk = 0;

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_no_error (error);

    g_assert_true (lsn_store_run_sync (store, check_foreign_keys_func, &fk, &error));
    g_assert_cmpint (fk, ==, 1);

    id_a = lsn_store_add_profile (store, "  Acme: HaloPSA and ConnectWise ", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (id_a, >, 0);
    id_b = lsn_store_add_profile (store, "Bravo", "{\"schedule\":{\"every_minutes\":15}}", &error);
    g_assert_no_error (error);

    /* duplicate and empty names are refused with a clear error */
    g_assert_cmpint (lsn_store_add_profile (store, "Bravo", NULL, &error), ==, 0);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
    g_assert_nonnull (strstr (error->message, "Bravo"));
    g_clear_error (&error);
    g_assert_cmpint (lsn_store_add_profile (store, "   ", NULL, &error), ==, 0);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    /* invalid settings JSON is refused by the schema */
    g_assert_false (lsn_store_update_profile (store, id_b, "{not json", &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    g_assert_true (lsn_store_rename_profile (store, id_b, "Charlie", &error));
    g_assert_no_error (error);
    g_assert_false (lsn_store_rename_profile (store, id_b, "Acme: HaloPSA and ConnectWise", &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
    g_clear_error (&error);
    g_assert_false (lsn_store_delete_profile (store, 999, &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_autoptr(LsnProfile) found = NULL;

    g_assert_no_error (error);
    profiles = lsn_store_list_profiles (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (profiles->len, ==, 2);
    g_assert_cmpstr (lsn_profile_get_name (g_ptr_array_index (profiles, 0)), ==,
                     "Acme: HaloPSA and ConnectWise");
    g_assert_cmpint (lsn_profile_get_id (g_ptr_array_index (profiles, 0)), ==, id_a);
    g_assert_cmpstr (lsn_profile_get_name (g_ptr_array_index (profiles, 1)), ==, "Charlie");
    g_assert_cmpstr (lsn_profile_get_settings (g_ptr_array_index (profiles, 1)), ==,
                     "{\"schedule\":{\"every_minutes\":15}}");

    found = lsn_store_find_profile (store, "Charlie", &error);
    g_assert_no_error (error);
    g_assert_cmpint (lsn_profile_get_id (found), ==, id_b);
    {
      g_autoptr(LsnProfile) by_id = lsn_store_get_profile (store, id_b, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (lsn_profile_get_name (by_id), ==, "Charlie");
      g_assert_null (lsn_store_get_profile (store, 999, &error));
      g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

    g_assert_true (lsn_store_delete_profile (store, id_a, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_clear_pointer (&profiles, g_ptr_array_unref);
    profiles = lsn_store_list_profiles (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (profiles->len, ==, 1);
    g_assert_cmpstr (lsn_profile_get_name (g_ptr_array_index (profiles, 0)), ==, "Charlie");
  }
}

static void
on_listed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lsn_store_list_profiles_finish (LSN_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
on_added_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **out = user_data;
  gint64 id = lsn_store_add_profile_finish (LSN_STORE (source), result, out);

  if (*out == NULL)
    g_assert_cmpint (id, >, 0);
  else
    g_assert_cmpint (id, ==, 0);
}

static void
test_store_async (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (path, &error);
  g_autoptr(GPtrArray) profiles = NULL;
  GError *add_error = NULL;
  GError *dup_error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_no_error (error);

  lsn_store_add_profile_async (store, "Async", NULL, NULL, on_added_cb, &add_error);
  lsn_store_add_profile_async (store, "Async", NULL, NULL, on_added_cb, &dup_error);
  lsn_store_list_profiles_async (store, NULL, on_listed_cb, &profiles);

  while (profiles == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_nonnull (profiles);
  g_assert_no_error (add_error);
  g_assert_error (dup_error, LSN_ERROR, LSN_ERROR_EXISTS);
  g_clear_error (&dup_error);
  g_assert_cmpuint (profiles->len, ==, 1);
}

/* Build a database at schema version @version by hand, as an older Liaison would have left it. */
static void
make_database_at_version (const char *path,
                          guint       version)
{
  g_autoptr(sqlite3) db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (guint v = 0; v < version; v++)
    {
      g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %u", v + 1);
      g_assert_cmpint (sqlite3_exec (db, lsn_store_migrations[v], NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, set, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  if (version >= 1)
    g_assert_cmpint (sqlite3_exec (db,
                                   "INSERT INTO profiles (name, created_at, updated_at) "
                                   "VALUES ('Kept', 1, 1)", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
test_store_migrations_from_every_version (void)
{
  for (guint v = 0; v <= lsn_store_n_migrations; v++)
    {
      g_autofree char *dir = lsn_test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "old.db", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LsnStore) store = NULL;
      g_autoptr(sqlite3) reader = NULL;

      make_database_at_version (path, v);
      store = lsn_store_open (path, &error);
      g_assert_no_error (error);

      reader = lsn_store_open_reader (store, &error);
      g_assert_no_error (error);
      g_assert_cmpint (query_int (reader, "PRAGMA user_version"), ==, LSN_STORE_SCHEMA_VERSION);
      g_assert_cmpint (query_int (reader, "SELECT count(*) FROM profiles WHERE name = 'Kept'"), ==,
                       v >= 1 ? 1 : 0);
    }
}

typedef struct
{
  LsnStore *store;
  guint     n;
  gint      done;
} WriterData;

static gboolean
insert_run_func (LsnStore  *store,
                 sqlite3   *db,
                 gpointer   user_data,
                 GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    lsn_store_prepare (db, "INSERT INTO runs (profile_id, trigger, started_at) VALUES (1, 'cli', ?1)",
                       error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return lsn_store_set_error (db, SQLITE_ERROR, NULL, "inserting", error);
  return TRUE;
}

static gpointer
writer_loop (gpointer user_data)
{
  WriterData *data = user_data;

  for (guint i = 0; i < data->n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (lsn_store_run_in_transaction (data->store, insert_run_func, NULL, &error));
      g_assert_no_error (error);
    }
  g_atomic_int_set (&data->done, 1);
  return NULL;
}

static void
test_store_reader_while_writing (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (path, &error);
  g_autoptr(sqlite3) reader = NULL;
  WriterData data = { 0 };
  GThread *thread;
  int last = 0;
  guint reads = 0;

  g_assert_no_error (error);
  g_assert_cmpint (lsn_store_add_profile (store, "P", NULL, &error), ==, 1);

  reader = lsn_store_open_reader (store, &error);
  g_assert_no_error (error);

  data.store = store;
  data.n = 400;
  thread = g_thread_new ("writer", writer_loop, &data);

  while (!g_atomic_int_get (&data.done))
    {
      int count = query_int (reader, "SELECT count(*) FROM runs");
      g_assert_cmpint (count, >=, last);
      last = count;
      reads++;
    }
  g_thread_join (thread);

  g_assert_cmpint (query_int (reader, "SELECT count(*) FROM runs"), ==, 400);
  g_assert_cmpuint (reads, >, 1);

  /* the reader cannot write */
  g_assert_cmpint (sqlite3_exec (reader, "DELETE FROM runs", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (query_int (reader, "SELECT count(*) FROM runs"), ==, 400);
}

static void
test_store_not_sqlite (void)
{
  g_autofree char *dir = lsn_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "notes.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;

  g_assert_true (g_file_set_contents (path, "These are my notes, not a database.\n", -1, NULL));
  before = file_checksum (path);

  store = lsn_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "not a Liaison database"));

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_store_corrupt (void)
{
  g_autofree char *path = new_db_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 300; i++)
      {
        g_autofree char *name = g_strdup_printf ("Profile %u with a fairly long name to fill pages", i);
        g_assert_cmpint (lsn_store_add_profile (store, name, NULL, &error), >, 0);
      }
  }
  /* fold the WAL back so the damage lands in the main file */
  {
    g_autoptr(sqlite3) db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==,
                     SQLITE_OK);
  }

  fd = g_open (path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  for (off_t off = 4096; off < 4096 * 6; off += 512)
    {
      static const char garbage[64] = "\xde\xad\xbe\xef garbage garbage garbage garbage garbage!";
      g_assert_cmpint (pwrite (fd, garbage, sizeof garbage, off), ==, sizeof garbage);
    }
  close (fd);
  before = file_checksum (path);

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_null (store);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT);
    g_assert_nonnull (strstr (error->message, "damaged"));
  }

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_store_too_new (void)
{
  g_autofree char *path = new_db_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(sqlite3) db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
  }
  before = file_checksum (path);

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_null (store);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_TOO_NEW);
    g_assert_nonnull (strstr (error->message, "newer version of Liaison"));
  }

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static int
open_and_report (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (path, &error);

  if (store != NULL)
    return 10;
  if (!g_error_matches (error, LSN_ERROR, LSN_ERROR_STORE_READONLY))
    {
      g_printerr ("unexpected error: %s\n", error->message);
      return 11;
    }
  if (strstr (error->message, "--db") == NULL)
    return 12;
  return 0;
}

static void
test_store_read_only (void)
{
  g_autofree char *dir = lsn_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ro.db", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  pid_t pid;

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (lsn_store_add_profile (store, "Kept", NULL, &error), >, 0);
  }
  {
    g_autoptr(sqlite3) db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), ==,
                     SQLITE_OK);
  }

  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);

  /* root may write to any file: drop to "nobody" in a child so the permission is real. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (20);
      _exit (open_and_report (path));
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  /* nothing was lost */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_autoptr(LsnProfile) kept = NULL;
    g_assert_no_error (error);
    kept = lsn_store_find_profile (store, "Kept", &error);
    g_assert_no_error (error);
    g_assert_nonnull (kept);
  }
}

static gboolean
limit_pages_func (LsnStore  *store,
                  sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  int pages = query_int (db, "PRAGMA page_count");
  g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %d", pages + 1);

  return lsn_store_exec (db, sql, error);
}

static void
test_store_disk_full (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (path, &error);
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GString) big = g_string_new ("{\"notes\":\"");
  gboolean saw_full = FALSE;

  g_assert_no_error (error);
  g_assert_cmpint (lsn_store_add_profile (store, "Before", NULL, &error), >, 0);

  /* SQLite reports SQLITE_FULL when the file may not grow: the same path as a full disk. */
  g_assert_true (lsn_store_run_sync (store, limit_pages_func, NULL, &error));
  for (guint i = 0; i < 20000; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}");

  for (guint i = 0; i < 10 && !saw_full; i++)
    {
      g_autofree char *name = g_strdup_printf ("Big %u", i);
      if (lsn_store_add_profile (store, name, big->str, &error) == 0)
        {
          g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_FULL);
          g_assert_nonnull (strstr (error->message, "full"));
          saw_full = TRUE;
          g_clear_error (&error);
        }
    }
  g_assert_true (saw_full);

  /* the store still works and lost nothing */
  profiles = lsn_store_list_profiles (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (profiles->len, >=, 1);
  g_assert_cmpstr (lsn_profile_get_name (g_ptr_array_index (profiles, 0)), ==, "Before");
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/store/new-database", test_store_new_database);
  g_test_add_func ("/store/profiles-and-reopen", test_store_profiles_and_reopen);
  g_test_add_func ("/store/async", test_store_async);
  g_test_add_func ("/store/migrations", test_store_migrations_from_every_version);
  g_test_add_func ("/store/reader-while-writing", test_store_reader_while_writing);
  g_test_add_func ("/store/bad/not-sqlite", test_store_not_sqlite);
  g_test_add_func ("/store/bad/corrupt", test_store_corrupt);
  g_test_add_func ("/store/bad/too-new", test_store_too_new);
  g_test_add_func ("/store/bad/read-only", test_store_read_only);
  g_test_add_func ("/store/bad/disk-full", test_store_disk_full);

  return g_test_run ();
}
