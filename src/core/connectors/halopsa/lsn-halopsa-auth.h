/* lsn-halopsa-auth.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-http-client.h"

G_BEGIN_DECLS

#define LSN_TYPE_HALOPSA_AUTH (lsn_halopsa_auth_get_type ())

G_DECLARE_FINAL_TYPE (LsnHalopsaAuth, lsn_halopsa_auth, LSN, HALOPSA_AUTH, GObject)

LsnHalopsaAuth *lsn_halopsa_auth_new             (const char      *auth_url,
                                                  const char      *tenant,
                                                  const char      *client_id,
                                                  const char      *client_secret,
                                                  const char      *scopes);
void            lsn_halopsa_auth_attach          (LsnHalopsaAuth  *self,
                                                  LsnHttpClient   *http);
void            lsn_halopsa_auth_set_cancellable (LsnHalopsaAuth  *self,
                                                  GCancellable    *cancellable);
gboolean        lsn_halopsa_auth_discover        (LsnHalopsaAuth  *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
gboolean        lsn_halopsa_auth_ensure_token    (LsnHalopsaAuth  *self,
                                                  gboolean         force_renew,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
const char     *lsn_halopsa_auth_get_auth_url    (LsnHalopsaAuth  *self);
guint           lsn_halopsa_auth_get_token_count (LsnHalopsaAuth  *self);

G_END_DECLS
