/* lsn-secrets.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LSN_TYPE_SECRETS (lsn_secrets_get_type ())

G_DECLARE_FINAL_TYPE (LsnSecrets, lsn_secrets, LSN, SECRETS, GObject)

/**
 * LsnSecretsWhere:
 * @LSN_SECRETS_KEYRING: kept in the Secret Service
 * @LSN_SECRETS_MEMORY: no keyring could take it: kept in memory for this session only
 */
typedef enum
{
  LSN_SECRETS_KEYRING,
  LSN_SECRETS_MEMORY,
} LsnSecretsWhere;

LsnSecrets      *lsn_secrets_get_default   (void);
LsnSecretsWhere  lsn_secrets_store         (LsnSecrets    *self,
                                            const char    *connection_id,
                                            const char    *label,
                                            const char    *secret,
                                            GCancellable  *cancellable,
                                            GError       **why_memory);
char            *lsn_secrets_lookup        (LsnSecrets    *self,
                                            const char    *connection_id,
                                            GCancellable  *cancellable,
                                            GError       **error);
gboolean         lsn_secrets_delete        (LsnSecrets    *self,
                                            const char    *connection_id,
                                            GCancellable  *cancellable,
                                            GError       **error);
gboolean         lsn_secrets_is_memory_only (LsnSecrets   *self);

G_END_DECLS
