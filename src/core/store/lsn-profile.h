/* lsn-profile.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_PROFILE (lsn_profile_get_type ())

G_DECLARE_FINAL_TYPE (LsnProfile, lsn_profile, LSN, PROFILE, GObject)

/**
 * LsnProfile:
 *
 * A row of the profiles table: an id, a name and the settings as profile-file JSON (without
 * secrets). Immutable; the store hands out new objects after a change.
 */
LsnProfile *lsn_profile_new          (gint64       id,
                                      const char  *name,
                                      const char  *settings_json,
                                      gint64       version);
gint64      lsn_profile_get_id       (LsnProfile  *self);
const char *lsn_profile_get_name     (LsnProfile  *self);
const char *lsn_profile_get_settings (LsnProfile  *self);
gint64      lsn_profile_get_version  (LsnProfile  *self);

/* Synchronous: call from a worker thread (the CLI, the engine, tests). */
GPtrArray  *lsn_store_list_profiles      (LsnStore     *store,
                                          GError      **error);
LsnProfile *lsn_store_find_profile       (LsnStore     *store,
                                          const char   *name,
                                          GError      **error);
LsnProfile *lsn_store_get_profile        (LsnStore     *store,
                                          gint64        id,
                                          GError      **error);
gint64      lsn_store_add_profile        (LsnStore     *store,
                                          const char   *name,
                                          const char   *settings_json,
                                          GError      **error);
gboolean    lsn_store_rename_profile     (LsnStore     *store,
                                          gint64        id,
                                          const char   *new_name,
                                          GError      **error);
gboolean    lsn_store_update_profile     (LsnStore     *store,
                                          gint64        id,
                                          const char   *settings_json,
                                          GError      **error);
gboolean    lsn_store_delete_profile     (LsnStore     *store,
                                          gint64        id,
                                          GError      **error);

/* Asynchronous forms for the main thread. */
void        lsn_store_list_profiles_async  (LsnStore            *store,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray  *lsn_store_list_profiles_finish (LsnStore            *store,
                                            GAsyncResult        *result,
                                            GError             **error);
void        lsn_store_add_profile_async    (LsnStore            *store,
                                            const char          *name,
                                            const char          *settings_json,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64      lsn_store_add_profile_finish   (LsnStore            *store,
                                            GAsyncResult        *result,
                                            GError             **error);
void        lsn_store_rename_profile_async (LsnStore            *store,
                                            gint64               id,
                                            const char          *new_name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    lsn_store_rename_profile_finish (LsnStore           *store,
                                             GAsyncResult       *result,
                                             GError            **error);
void        lsn_store_delete_profile_async (LsnStore            *store,
                                            gint64               id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    lsn_store_delete_profile_finish (LsnStore           *store,
                                             GAsyncResult       *result,
                                             GError            **error);

G_END_DECLS
