/* lsn-sync-store.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>
#include <glib.h>

#include "lsn-record.h"

G_BEGIN_DECLS

/* The sync engine's tables. Every function here runs SQL on the connection it is given: call
 * them inside an LsnStoreFunc on the store's writer thread (or on a reader for the loads). */

typedef struct
{
  gint64   id;
  char    *kind;
  char    *left_id;
  char    *right_id;
  char    *left_hash;
  char    *right_hash;
  gint64   left_written_at;
  gint64   right_written_at;
  char    *origin;
  gboolean included;
} LsnLink;

LsnLink *lsn_link_new  (const char *kind,
                        const char *left_id,
                        const char *right_id,
                        const char *origin);
void     lsn_link_free (LsnLink    *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnLink, lsn_link_free)

typedef struct
{
  char    *left_id;
  char    *right_id;
  gboolean accepted;
} LsnDecision;

void lsn_decision_free (LsnDecision *decision);

typedef struct
{
  gint64 created;
  gint64 updated;
  gint64 deleted;
  gint64 skipped;
  gint64 failed;
  gint64 echoes;
  gint64 requests;
} LsnRunCounts;

typedef struct
{
  gint64  id;
  gint64  profile_id;
  gint64  run_id;
  gint64  time;
  char   *kind;
  char   *target_side;
  char   *left_id;
  char   *right_id;
  char   *left_name;
  char   *right_name;
  char   *action;
  char   *outcome;
  char   *changes;   /* JSON array of {field, before, after} */
  char   *request;   /* "PATCH /apis/3.0/company/companies/12" */
  char   *message;   /* the server's words, verbatim */
  char   *actor;
  gint64  retry_of;
} LsnAuditEvent;

LsnAuditEvent *lsn_audit_event_new  (void);
void           lsn_audit_event_free (LsnAuditEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnAuditEvent, lsn_audit_event_free)

typedef struct
{
  gint64  id;
  gint64  run_id;
  char   *idem_key;
  char   *kind;
  char   *target_side;
  char   *action;
  char   *source_id;
  char   *target_id;
  char   *payload;   /* JSON: {"fields": {...}, "changes": [...], "names": {...}} */
  char   *state;
  gint64  attempts;
  char   *last_error;
} LsnOutboxRow;

void lsn_outbox_row_free (LsnOutboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnOutboxRow, lsn_outbox_row_free)

GPtrArray *lsn_db_load_links          (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *kind,
                                       GError        **error);
gboolean   lsn_db_save_link           (sqlite3        *db,
                                       gint64          profile_id,
                                       LsnLink        *link,
                                       GError        **error);
gboolean   lsn_db_link_if_free        (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *kind,
                                       const char     *left_id,
                                       const char     *right_id,
                                       GError        **error);
gboolean   lsn_db_unlink_record       (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *kind,
                                       const char     *side,
                                       const char     *remote_id,
                                       GError        **error);
gboolean   lsn_db_delete_link         (sqlite3        *db,
                                       gint64          link_id,
                                       GError        **error);
GPtrArray *lsn_db_load_decisions      (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *kind,
                                       GError        **error);
gboolean   lsn_db_save_decision       (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *kind,
                                       const char     *left_id,
                                       const char     *right_id,
                                       gboolean        accepted,
                                       GError        **error);
gboolean   lsn_db_get_cursor          (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       const char     *kind,
                                       char          **cursor,
                                       gint64         *last_full_at,
                                       GError        **error);
gboolean   lsn_db_set_cursor          (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       const char     *kind,
                                       const char     *cursor,
                                       gint64          last_full_at,
                                       GError        **error);
GPtrArray *lsn_db_load_cache          (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       const char     *kind,
                                       gboolean        include_deleted,
                                       GError        **error);
gboolean   lsn_db_cache_records       (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       GPtrArray      *records,
                                       gint64          seen_at,
                                       GError        **error);
gboolean   lsn_db_cache_replace       (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       const char     *kind,
                                       GPtrArray      *records,
                                       GError        **error);
gboolean   lsn_db_cache_mark_deleted  (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *side,
                                       const char     *kind,
                                       const char     *remote_id,
                                       gboolean        deleted,
                                       GError        **error);
gint64     lsn_db_insert_run          (sqlite3        *db,
                                       gint64          profile_id,
                                       const char     *trigger,
                                       gboolean        dry_run,
                                       gint64          profile_version,
                                       GError        **error);
gboolean   lsn_db_finish_run          (sqlite3        *db,
                                       gint64          run_id,
                                       const LsnRunCounts *counts,
                                       const char     *outcome,
                                       const char     *message,
                                       GError        **error);
gint64     lsn_db_insert_event        (sqlite3        *db,
                                       const LsnAuditEvent *event,
                                       GError        **error);
LsnAuditEvent *lsn_db_load_event      (sqlite3        *db,
                                       gint64          event_id,
                                       GError        **error);
gboolean   lsn_db_outbox_insert       (sqlite3        *db,
                                       gint64          profile_id,
                                       LsnOutboxRow   *row,
                                       GError        **error);
GPtrArray *lsn_db_outbox_unfinished   (sqlite3        *db,
                                       gint64          profile_id,
                                       GError        **error);
gboolean   lsn_db_outbox_set_state    (sqlite3        *db,
                                       gint64          row_id,
                                       const char     *state,
                                       const char     *last_error,
                                       GError        **error);
LsnAuditEvent *lsn_audit_event_from_stmt (sqlite3_stmt *stmt);

#define LSN_AUDIT_EVENT_COLUMNS \
  "id, profile_id, run_id, time, kind, target_side, left_id, right_id, left_name, right_name, " \
  "action, outcome, changes, request, message, actor, retry_of"

G_END_DECLS
