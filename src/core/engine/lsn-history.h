/* lsn-history.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-store.h"
#include "lsn-sync-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64       id;
  char        *trigger;
  gboolean     dry_run;
  gint64       started_at;
  gint64       finished_at;
  char        *outcome;
  LsnRunCounts counts;
  char        *message;
} LsnRunRow;

void lsn_run_row_free (LsnRunRow *row);

/**
 * LsnEventFilter:
 * @outcome: (nullable): "failed", "ok", ...
 * @kind: (nullable): entity kind
 * @run_id: 0 for any run
 * @since_usec: 0 for no lower bound
 * @until_usec: 0 for no upper bound
 * @text: (nullable): words that must occur in the names, ids or message
 * @left_id: (nullable): only events of this left record
 * @right_id: (nullable): only events of this right record
 */
typedef struct
{
  const char *outcome;
  const char *kind;
  gint64      run_id;
  gint64      since_usec;
  gint64      until_usec;
  const char *text;
  const char *left_id;
  const char *right_id;
} LsnEventFilter;

/**
 * LsnEventAnchor:
 * @time: the time of an event next to the wanted page
 * @id: its id
 * @before: %TRUE when the anchor is the row just before the page (in the list's order), %FALSE
 *   when it is the row just after it
 *
 * Keyset paging: a page next to a loaded one is read from the index without OFFSET.
 */
typedef struct
{
  gint64   time;
  gint64   id;
  gboolean before;
} LsnEventAnchor;

GPtrArray *lsn_history_list_runs   (LsnStore              *store,
                                    gint64                 profile_id,
                                    guint                  limit,
                                    GError               **error);
GPtrArray *lsn_history_list_events (sqlite3               *reader,
                                    gint64                 profile_id,
                                    const LsnEventFilter  *filter,
                                    gint64                 offset,
                                    guint                  limit,
                                    GError               **error);
gint64     lsn_history_count_events (sqlite3              *reader,
                                     gint64                profile_id,
                                     const LsnEventFilter *filter,
                                     GError              **error);

GPtrArray *lsn_history_list_runs_on (sqlite3              *reader,
                                     gint64                profile_id,
                                     gint64                run_id,
                                     guint                 limit,
                                     GError              **error);
GPtrArray *lsn_history_list_events_page (sqlite3              *reader,
                                         gint64                profile_id,
                                         const LsnEventFilter *filter,
                                         gboolean              ascending,
                                         const LsnEventAnchor *anchor,
                                         gint64                offset,
                                         guint                 limit,
                                         GError              **error);
GPtrArray *lsn_history_record_events    (sqlite3              *reader,
                                         const LsnAuditEvent  *event,
                                         guint                 each_side,
                                         GError              **error);
GPtrArray *lsn_history_retries_of       (sqlite3              *reader,
                                         gint64                event_id,
                                         GError              **error);
gboolean   lsn_history_write_csv        (sqlite3              *reader,
                                         gint64                profile_id,
                                         const LsnEventFilter *filter,
                                         gboolean              ascending,
                                         GOutputStream        *out,
                                         GCancellable         *cancellable,
                                         guint64              *n_written,
                                         GError              **error);

G_END_DECLS
