/* lsn-secrets.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connection secrets (client secrets, private keys) live only in the Secret Service, under a
 * schema named after the application id and keyed by connection id. When no keyring can take a
 * secret (no Secret Service, a locked keyring, a refused prompt) the secret is kept in this
 * process's memory for the session only, and the caller is told why so it can say so.
 *
 * Every call may block on D-Bus: call them from a worker thread. The memory table is guarded by
 * a mutex; the singleton may be used from any thread.
 */

#define G_LOG_DOMAIN "liaison-secrets"

#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "lsn-error.h"
#include "lsn-secrets.h"

struct _LsnSecrets
{
  GObject     parent_instance;

  GMutex      lock;
  GHashTable *memory;       /* (mutex lock) connection id → secret */
  gboolean    memory_only;  /* (mutex lock) the keyring refused at least once */
};

G_DEFINE_FINAL_TYPE (LsnSecrets, lsn_secrets, G_TYPE_OBJECT)

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { "connection-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "generation", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* Bump when the stored value's form changes. */
#define SCHEMA_GENERATION 1

static void
wipe_string (gpointer data)
{
  char *s = data;

  if (s == NULL)
    return;
  memset (s, 0, strlen (s));
  g_free (s);
}

static void
lsn_secrets_finalize (GObject *object)
{
  LsnSecrets *self = (LsnSecrets *) object;

  g_clear_pointer (&self->memory, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lsn_secrets_parent_class)->finalize (object);
}

static void
lsn_secrets_class_init (LsnSecretsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_secrets_finalize;
}

static void
lsn_secrets_init (LsnSecrets *self)
{
  g_mutex_init (&self->lock);
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_string);
}

/**
 * lsn_secrets_get_default:
 *
 * Returns: (transfer none): the process's secrets
 */
LsnSecrets *
lsn_secrets_get_default (void)
{
  static LsnSecrets *instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, g_object_new (LSN_TYPE_SECRETS, NULL));

  return instance;
}

static char *
explain (const GError *error)
{
  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_strdup ("the keyring is locked and was not unlocked");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup ("the keyring prompt was dismissed");
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    return g_strdup ("no Secret Service (such as GNOME Keyring or KWallet) is running");
  return g_strdup_printf ("the keyring could not be reached (%s)", error->message);
}

/**
 * lsn_secrets_store:
 * @connection_id: the connection's id (the key)
 * @label: what the keyring shows, e.g. "Liaison: Acme HaloPSA client secret"
 * @secret: the secret
 * @why_memory: (nullable): set when the secret was kept in memory only, saying why
 *
 * Returns: where the secret is now kept
 */
LsnSecretsWhere
lsn_secrets_store (LsnSecrets    *self,
                   const char    *connection_id,
                   const char    *label,
                   const char    *secret,
                   GCancellable  *cancellable,
                   GError       **why_memory)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;

  g_return_val_if_fail (connection_id != NULL && secret != NULL, LSN_SECRETS_MEMORY);

  if (secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                                  cancellable, &error,
                                  "connection-id", connection_id,
                                  "generation", SCHEMA_GENERATION,
                                  NULL))
    {
      g_mutex_lock (&self->lock);
      g_hash_table_remove (self->memory, connection_id);
      g_mutex_unlock (&self->lock);
      return LSN_SECRETS_KEYRING;
    }

  why = explain (error);
  g_message ("Keeping a secret in memory for this session only: %s", why);

  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->memory, g_strdup (connection_id), g_strdup (secret));
  self->memory_only = TRUE;
  g_mutex_unlock (&self->lock);

  g_set_error (why_memory, LSN_ERROR, LSN_ERROR_NO_KEYRING,
               "The secret could not be saved in the keyring: %s. Liaison keeps it in memory "
               "until you quit, and will ask for it again next time. Start or unlock your "
               "keyring to keep it.", why);
  return LSN_SECRETS_MEMORY;
}

/**
 * lsn_secrets_lookup:
 *
 * Returns: (transfer full) (nullable): the secret; %NULL without error when none is stored
 */
char *
lsn_secrets_lookup (LsnSecrets    *self,
                    const char    *connection_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (get_schema (), cancellable, &local_error,
                                        "connection-id", connection_id,
                                        "generation", SCHEMA_GENERATION,
                                        NULL);
  if (secret != NULL)
    {
      char *copy = g_strdup (secret);
      secret_password_free (secret);
      return copy;
    }

  g_mutex_lock (&self->lock);
  secret = g_strdup (g_hash_table_lookup (self->memory, connection_id));
  g_mutex_unlock (&self->lock);

  if (secret != NULL)
    return secret;

  if (local_error != NULL)
    {
      g_autofree char *why = explain (local_error);
      g_set_error (error, LSN_ERROR, LSN_ERROR_NO_KEYRING,
                   "The secret of this connection cannot be read: %s. Start or unlock your "
                   "keyring, or enter the secret again.", why);
    }

  return NULL;
}

/**
 * lsn_secrets_delete:
 *
 * Forgets the secret everywhere. Deleting a secret that does not exist succeeds.
 */
gboolean
lsn_secrets_delete (LsnSecrets    *self,
                    const char    *connection_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean had_memory;

  g_mutex_lock (&self->lock);
  had_memory = g_hash_table_remove (self->memory, connection_id);
  g_mutex_unlock (&self->lock);

  secret_password_clear_sync (get_schema (), cancellable, &local_error,
                              "connection-id", connection_id,
                              "generation", SCHEMA_GENERATION,
                              NULL);
  if (local_error != NULL && !had_memory)
    {
      g_autofree char *why = explain (local_error);
      g_set_error (error, LSN_ERROR, LSN_ERROR_NO_KEYRING,
                   "The secret could not be removed from the keyring: %s", why);
      return FALSE;
    }

  return TRUE;
}

/**
 * lsn_secrets_is_memory_only:
 *
 * Returns: %TRUE when at least one secret is kept in memory only, because the keyring refused it
 */
gboolean
lsn_secrets_is_memory_only (LsnSecrets *self)
{
  gboolean ret;

  g_mutex_lock (&self->lock);
  ret = self->memory_only && g_hash_table_size (self->memory) > 0;
  g_mutex_unlock (&self->lock);
  return ret;
}
