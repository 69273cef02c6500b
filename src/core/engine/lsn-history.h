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
 */
typedef struct
{
  const char *outcome;
  const char *kind;
  gint64      run_id;
  gint64      since_usec;
  gint64      until_usec;
  const char *text;
} LsnEventFilter;

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

G_END_DECLS
