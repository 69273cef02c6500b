/* test-secrets.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real Secret Service (gnome-keyring in the throwaway D-Bus session the test runner
 * starts) and without any keyring at all. Also proves that a saved secret reaches neither the
 * database file nor the logs.
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-profile.h"
#include "lsn-secrets.h"
#include "lsn-store.h"
#include "lsn-test-util.h"

static GString *captured_logs;
static GMutex captured_lock;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&captured_lock);
  for (gsize i = 0; captured_logs != NULL && i < n_fields; i++)
    {
      g_string_append (captured_logs, fields[i].key);
      g_string_append_c (captured_logs, '=');
      if (fields[i].length < 0)
        g_string_append (captured_logs, fields[i].value);
      else
        g_string_append_len (captured_logs, fields[i].value, fields[i].length);
      g_string_append_c (captured_logs, '\n');
    }
  g_mutex_unlock (&captured_lock);

  /* keep fatal criticals fatal */
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static gboolean
keyring_available (void)
{
  g_autoptr(GError) error = NULL;
  LsnSecretsWhere where;

  where = lsn_secrets_store (lsn_secrets_get_default (), "probe", "Liaison test probe", "probe",
                             NULL, &error);
  lsn_secrets_delete (lsn_secrets_get_default (), "probe", NULL, NULL);
  if (where == LSN_SECRETS_KEYRING)
    return TRUE;

  if (g_getenv ("LIAISON_REQUIRE_KEYRING") != NULL)
    g_error ("LIAISON_REQUIRE_KEYRING is set but no keyring is reachable: %s", error->message);
  return FALSE;
}

static void
test_secrets_keyring_roundtrip (void)
{
  LsnSecrets *secrets = lsn_secrets_get_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *id = g_uuid_string_random ();

  if (!keyring_available ())
    {
      g_test_skip ("no Secret Service here; run the suite through the README's test command");
      return;
    }

  g_assert_cmpint (lsn_secrets_store (secrets, id, "Liaison test", "s3cr3t-roundtrip", NULL, &error),
                   ==, LSN_SECRETS_KEYRING);
  g_assert_no_error (error);
  g_assert_false (lsn_secrets_is_memory_only (secrets));

  found = lsn_secrets_lookup (secrets, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "s3cr3t-roundtrip");

  /* a second store replaces the first */
  g_assert_cmpint (lsn_secrets_store (secrets, id, "Liaison test", "replaced", NULL, &error), ==,
                   LSN_SECRETS_KEYRING);
  g_clear_pointer (&found, g_free);
  found = lsn_secrets_lookup (secrets, id, NULL, &error);
  g_assert_cmpstr (found, ==, "replaced");

  g_assert_true (lsn_secrets_delete (secrets, id, NULL, &error));
  g_assert_no_error (error);
  gone = lsn_secrets_lookup (secrets, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
}

static void
test_secrets_never_in_database_or_logs (void)
{
  g_autofree char *dir = lsn_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "liaison.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *settings = NULL;
  g_autoptr(GError) error = NULL;
  /* made at run time, so the bytes appear nowhere in this binary either */
  g_autofree char *secret = g_strdup_printf ("Zx%08x-very-secret-%08x", g_random_int (),
                                             g_random_int ());
  LsnSecretsWhere where;

  g_mutex_lock (&captured_lock);
  captured_logs = g_string_new (NULL);
  g_mutex_unlock (&captured_lock);
  g_log_set_debug_enabled (TRUE);

  {
    g_autoptr(LsnStore) store = lsn_store_open (path, &error);
    g_assert_no_error (error);

    /* what the window does when a person types a client secret: the settings keep only a
     * pointer to the keyring, the secret goes to the Secret Service */
    settings = g_strdup_printf ("{\"left\":{\"connector\":\"halopsa\",\"id\":\"%s\","
                                "\"client_secret\":{\"keyring\":true}}}", id);
    g_assert_cmpint (lsn_store_add_profile (store, "Secretive", settings, &error), >, 0);
    where = lsn_secrets_store (lsn_secrets_get_default (), id, "Liaison: Secretive", secret,
                               NULL, &error);
    if (where == LSN_SECRETS_MEMORY)
      {
        /* the no-keyring message must not quote the secret either */
        g_assert_error (error, LSN_ERROR, LSN_ERROR_NO_KEYRING);
        g_assert_null (strstr (error->message, secret));
        g_clear_error (&error);
      }
    g_assert_no_error (error);

    g_clear_pointer (&settings, g_free);
    {
      g_autofree char *back = lsn_secrets_lookup (lsn_secrets_get_default (), id, NULL, &error);
      g_assert_cmpstr (back, ==, secret);
    }

    g_assert_false (lsn_test_file_contains (path, secret, strlen (secret)));
    g_assert_false (lsn_test_file_contains (wal, secret, strlen (secret)));
  }

  g_assert_false (lsn_test_file_contains (path, secret, strlen (secret)));
  g_mutex_lock (&captured_lock);
  g_assert_cmpuint (captured_logs->len, >, 0); /* the writer saw the debug output */
  g_assert_null (strstr (captured_logs->str, secret));
  g_mutex_unlock (&captured_lock);

  lsn_secrets_delete (lsn_secrets_get_default (), id, NULL, NULL);
  g_mutex_lock (&captured_lock);
  g_string_free (g_steal_pointer (&captured_logs), TRUE);
  g_mutex_unlock (&captured_lock);
}

static void
test_secrets_no_keyring (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) why = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;
      LsnSecrets *secrets;

      /* no session bus at all: nothing may hang, the secret stays in memory */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/liaison-test-bus", TRUE);
      secrets = lsn_secrets_get_default ();

      g_assert_cmpint (lsn_secrets_store (secrets, "conn-1", "test", "memory-only-secret", NULL,
                                          &why), ==, LSN_SECRETS_MEMORY);
      g_assert_error (why, LSN_ERROR, LSN_ERROR_NO_KEYRING);
      g_assert_nonnull (strstr (why->message, "in memory"));
      g_assert_null (strstr (why->message, "memory-only-secret"));
      g_assert_true (lsn_secrets_is_memory_only (secrets));

      back = lsn_secrets_lookup (secrets, "conn-1", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, "memory-only-secret");

      g_clear_pointer (&back, g_free);
      back = lsn_secrets_lookup (secrets, "conn-unknown", NULL, &error);
      g_assert_null (back);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_NO_KEYRING);
      g_clear_error (&error);

      g_assert_true (lsn_secrets_delete (secrets, "conn-1", NULL, &error));
      back = lsn_secrets_lookup (secrets, "conn-1", NULL, NULL);
      g_assert_null (back);
      g_assert_false (lsn_secrets_is_memory_only (secrets));
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/secrets/keyring-roundtrip", test_secrets_keyring_roundtrip);
  g_test_add_func ("/secrets/never-in-database-or-logs", test_secrets_never_in_database_or_logs);
  g_test_add_func ("/secrets/no-keyring", test_secrets_no_keyring);

  return g_test_run ();
}
