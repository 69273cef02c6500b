/* lsn-store.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define LSN_STORE_SCHEMA_VERSION 2

#define LSN_TYPE_STORE (lsn_store_get_type ())

G_DECLARE_FINAL_TYPE (LsnStore, lsn_store, LSN, STORE, GObject)

/**
 * LsnStoreFunc:
 * @store: the store
 * @db: the writer connection; only valid during the call
 * @user_data: closure
 * @error: return location
 *
 * Work run on the store's writer thread.
 */
typedef gboolean (*LsnStoreFunc) (LsnStore  *store,
                                  sqlite3   *db,
                                  gpointer   user_data,
                                  GError   **error);

LsnStore   *lsn_store_open              (const char          *path,
                                         GError             **error);
void        lsn_store_open_async        (const char          *path,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
LsnStore   *lsn_store_open_finish       (GAsyncResult        *result,
                                         GError             **error);
const char *lsn_store_get_path          (LsnStore            *self);
void        lsn_store_close             (LsnStore            *self);

gboolean    lsn_store_run_sync          (LsnStore            *self,
                                         LsnStoreFunc         func,
                                         gpointer             user_data,
                                         GError             **error);
gboolean    lsn_store_run_in_transaction (LsnStore           *self,
                                         LsnStoreFunc         func,
                                         gpointer             user_data,
                                         GError             **error);
void        lsn_store_run_async         (LsnStore            *self,
                                         LsnStoreFunc         func,
                                         gpointer             user_data,
                                         GDestroyNotify       user_data_free,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             callback_data);
gboolean    lsn_store_run_finish        (LsnStore            *self,
                                         GAsyncResult        *result,
                                         GError             **error);
gboolean    lsn_store_is_writer_thread  (LsnStore            *self);

sqlite3    *lsn_store_open_reader       (LsnStore            *self,
                                         GError             **error);

/* Helpers for LsnStoreFunc bodies. */
gboolean    lsn_store_set_error         (sqlite3             *db,
                                         int                  rc,
                                         const char          *path,
                                         const char          *what,
                                         GError             **error);
gboolean    lsn_store_exec              (sqlite3             *db,
                                         const char          *sql,
                                         GError             **error);
sqlite3_stmt *lsn_store_prepare         (sqlite3             *db,
                                         const char          *sql,
                                         GError             **error);
void        lsn_store_bind_text         (sqlite3_stmt        *stmt,
                                         int                  index,
                                         const char          *text);
const char *lsn_store_column_text       (sqlite3_stmt        *stmt,
                                         int                  column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

G_END_DECLS
