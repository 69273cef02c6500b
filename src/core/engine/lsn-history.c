/* lsn-history.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading runs and audit events, for `liaisonctl runs|audit` and the Activity page. Events are
 * read page by page through a read-only connection, newest first, filtered in SQL with bound
 * parameters; the table is never loaded whole.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-history.h"

#include <string.h>

void
lsn_run_row_free (LsnRunRow *row)
{
  if (row == NULL)
    return;
  g_free (row->trigger);
  g_free (row->outcome);
  g_free (row->message);
  g_free (row);
}

typedef struct
{
  gint64     profile_id;
  guint      limit;
  GPtrArray *rows;
} RunsQuery;

static GPtrArray *
query_runs (sqlite3  *db,
            gint64    profile_id,
            gint64    run_id,
            guint     limit,
            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT id, trigger, dry_run, started_at, finished_at, outcome, created, "
                            "updated, deleted, skipped, failed, echoes, requests, message FROM runs "
                            "WHERE profile_id = ?1 AND (?3 = 0 OR id = ?3) "
                            "ORDER BY started_at DESC, id DESC LIMIT ?2",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, run_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_run_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnRunRow *r = g_new0 (LsnRunRow, 1);
      r->id = sqlite3_column_int64 (stmt, 0);
      r->trigger = g_strdup (lsn_store_column_text (stmt, 1));
      r->dry_run = sqlite3_column_int (stmt, 2);
      r->started_at = sqlite3_column_int64 (stmt, 3);
      r->finished_at = sqlite3_column_int64 (stmt, 4);
      r->outcome = g_strdup (lsn_store_column_text (stmt, 5));
      r->counts.created = sqlite3_column_int64 (stmt, 6);
      r->counts.updated = sqlite3_column_int64 (stmt, 7);
      r->counts.deleted = sqlite3_column_int64 (stmt, 8);
      r->counts.skipped = sqlite3_column_int64 (stmt, 9);
      r->counts.failed = sqlite3_column_int64 (stmt, 10);
      r->counts.echoes = sqlite3_column_int64 (stmt, 11);
      r->counts.requests = sqlite3_column_int64 (stmt, 12);
      r->message = g_strdup (lsn_store_column_text (stmt, 13));
      g_ptr_array_add (rows, r);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "listing runs", error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
list_runs_func (LsnStore  *store,
                sqlite3   *db,
                gpointer   data,
                GError   **error)
{
  RunsQuery *q = data;

  q->rows = query_runs (db, q->profile_id, 0, q->limit, error);
  return q->rows != NULL;
}

/**
 * lsn_history_list_runs_on:
 * @reader: a read-only connection of the calling thread
 * @run_id: only this run, or 0 for the newest @limit
 *
 * Returns: (transfer full) (element-type LsnRunRow) (nullable): the newest runs first
 */
GPtrArray *
lsn_history_list_runs_on (sqlite3  *reader,
                          gint64    profile_id,
                          gint64    run_id,
                          guint     limit,
                          GError  **error)
{
  return query_runs (reader, profile_id, run_id, limit ? limit : 50, error);
}

/**
 * lsn_history_list_runs:
 *
 * Returns: (transfer full) (element-type LsnRunRow) (nullable): the newest runs first
 */
GPtrArray *
lsn_history_list_runs (LsnStore  *store,
                       gint64     profile_id,
                       guint      limit,
                       GError   **error)
{
  RunsQuery q = { profile_id, limit ? limit : 50, NULL };

  if (!lsn_store_run_sync (store, list_runs_func, &q, error))
    {
      g_clear_pointer (&q.rows, g_ptr_array_unref);
      return NULL;
    }
  return q.rows;
}

/* The words of @text as an FTS5 query: every word must occur, as a word or the start of one
 * ("acme 42" finds "Acme Ltd" with id 4242). Quotes keep the words literal. */
static char *
fts_query (const char *text)
{
  g_autoptr(GString) q = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);

  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("\"\"");
  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        g_string_append_unichar (word, c);
      else if (word->len > 0)
        {
          g_string_append_printf (q, "%s\"%s\"*", q->len ? " " : "", word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  /* nothing searchable (only punctuation): match nothing rather than everything */
  return q->len ? g_string_free (g_steal_pointer (&q), FALSE) : g_strdup ("\"\"");
}

/* Free text without the word index, for the newest rows of a list: the same rule as fts_query()
 * and the index's tokenizer (unicode61, diacritics removed): every word of the search must start a
 * word of the names, ids or message, ignoring case and accents. */
static char *
fold_text (const char *text)
{
  g_autofree char *lower = NULL;
  g_autofree char *nfd = NULL;
  GString *out;
  gboolean ascii = TRUE;

  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      {
        ascii = FALSE;
        break;
      }
  if (ascii)
    return g_ascii_strdown (text, -1);
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  lower = g_utf8_casefold (text, -1);
  nfd = g_utf8_normalize (lower, -1, G_NORMALIZE_NFD);
  if (nfd == NULL)
    return g_steal_pointer (&lower);
  out = g_string_sized_new (strlen (nfd));
  for (const char *p = nfd; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_ismark (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* The folded words of @text; an empty array when it has none (which matches nothing). */
static GPtrArray *
text_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) word = g_string_new (NULL);

  if (!g_utf8_validate (text, -1, NULL))
    return words;
  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        g_string_append_unichar (word, c);
      else if (word->len > 0)
        {
          char *folded = fold_text (word->str);

          if (*folded)
            g_ptr_array_add (words, folded);
          else
            g_free (folded);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  return words;
}

static gboolean
starts_a_word (const char *haystack,
               const char *word)
{
  for (const char *p = strstr (haystack, word); p != NULL; p = strstr (p + 1, word))
    {
      const char *prev = p == haystack ? NULL : g_utf8_find_prev_char (haystack, p);

      if (prev == NULL || !g_unichar_isalnum (g_utf8_get_char (prev)))
        return TRUE;
    }
  return FALSE;
}

/* Whether the row of @stmt (LSN_AUDIT_EVENT_COLUMNS) has every word of @words. With @hits, every
 * word is looked for and hits[i] counts the rows that have word i. */
static gboolean
row_has_words (sqlite3_stmt *stmt,
               GPtrArray    *words,
               GString      *buffer,
               guint        *hits)
{
  /* left_id, right_id, left_name, right_name, message */
  static const int columns[] = { 6, 7, 8, 9, 14 };
  g_autofree char *folded = NULL;
  gboolean all = TRUE;

  if (words->len == 0)
    return FALSE;
  g_string_truncate (buffer, 0);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const char *v = (const char *) sqlite3_column_text (stmt, columns[i]);

      if (v != NULL)
        {
          g_string_append (buffer, v);
          g_string_append_c (buffer, ' ');
        }
    }
  folded = fold_text (buffer->str);
  for (guint i = 0; i < words->len && (all || hits != NULL); i++)
    {
      if (starts_a_word (folded, g_ptr_array_index (words, i)))
        {
          if (hits != NULL)
            hits[i]++;
        }
      else
        all = FALSE;
    }
  return all;
}

/* The word-index query for the rarer words of @words (the ones found in at most a half of the
 * @seen newest rows, or else the rarest one): a word found nearly everywhere would make the index
 * list and merge its every occurrence; the rows are checked for all the words afterwards. */
static char *
fts_query_rare (GPtrArray   *words,
                const guint *hits,
                guint        seen)
{
  g_autoptr(GString) q = g_string_new (NULL);
  guint rarest = 0;

  for (guint i = 0; i < words->len; i++)
    {
      if (hits[i] < hits[rarest])
        rarest = i;
      if (hits[i] <= seen / 2)
        g_string_append_printf (q, "%s\"%s\"*", q->len ? " " : "",
                                (const char *) g_ptr_array_index (words, i));
    }
  if (q->len == 0)
    g_string_append_printf (q, "\"%s\"*", (const char *) g_ptr_array_index (words, rarest));
  return g_string_free (g_steal_pointer (&q), FALSE);
}

static GString *
where_clause_full (const LsnEventFilter *f,
                   gboolean              with_text)
{
  GString *w = g_string_new ("WHERE profile_id = ?1");

  if (f && f->outcome)
    g_string_append (w, " AND outcome = ?2");
  if (f && f->kind)
    g_string_append (w, " AND kind = ?3");
  if (f && f->run_id > 0)
    g_string_append (w, " AND run_id = ?4");
  if (f && f->since_usec > 0)
    g_string_append (w, " AND time >= ?5");
  if (f && f->until_usec > 0)
    g_string_append (w, " AND time < ?6");
  if (f && f->left_id)
    g_string_append (w, " AND left_id = ?10");
  if (f && f->right_id)
    g_string_append (w, " AND right_id = ?11");
  if (with_text && f && f->text && *f->text)
    g_string_append (w, " AND id IN (SELECT rowid FROM audit_events_fts "
                        "WHERE audit_events_fts MATCH ?7)");
  return w;
}

static GString *
where_clause (const LsnEventFilter *f)
{
  return where_clause_full (f, TRUE);
}

static void
bind_filter (sqlite3_stmt         *stmt,
             gint64                profile_id,
             const LsnEventFilter *f)
{
  sqlite3_bind_int64 (stmt, 1, profile_id);
  if (f == NULL)
    return;
  if (f->outcome)
    lsn_store_bind_text (stmt, 2, f->outcome);
  if (f->kind)
    lsn_store_bind_text (stmt, 3, f->kind);
  if (f->run_id > 0)
    sqlite3_bind_int64 (stmt, 4, f->run_id);
  if (f->since_usec > 0)
    sqlite3_bind_int64 (stmt, 5, f->since_usec);
  if (f->until_usec > 0)
    sqlite3_bind_int64 (stmt, 6, f->until_usec);
  if (f->text && *f->text)
    {
      g_autofree char *query = fts_query (f->text);
      lsn_store_bind_text (stmt, 7, query);
    }
  if (f->left_id)
    lsn_store_bind_text (stmt, 10, f->left_id);
  if (f->right_id)
    lsn_store_bind_text (stmt, 11, f->right_id);
}

/**
 * lsn_history_count_events:
 *
 * Returns: the number of events matching @filter, or -1 with @error set
 */
gint64
lsn_history_count_events (sqlite3               *reader,
                          gint64                 profile_id,
                          const LsnEventFilter  *filter,
                          GError               **error)
{
  gboolean text = filter && filter->text && *filter->text;
  g_autoptr(GString) where = where_clause_full (filter, FALSE);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* free text: the matches from the word index, each looked up by id, rather than every row of
   * the profile probed against them */
  if (text)
    sql = g_strdup_printf ("WITH m (fts_id) AS MATERIALIZED (SELECT rowid FROM audit_events_fts "
                           "WHERE audit_events_fts MATCH ?7) "
                           "SELECT count(*) FROM m CROSS JOIN audit_events ON id = fts_id %s",
                           where->str);
  else
    sql = g_strdup_printf ("SELECT count(*) FROM audit_events %s", where->str);
  stmt = lsn_store_prepare (reader, sql, error);
  if (stmt == NULL)
    return -1;
  bind_filter (stmt, profile_id, filter);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lsn_store_set_error (reader, rc, NULL, "counting audit events", error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}


static GPtrArray *
read_events (sqlite3_stmt  *stmt,
             sqlite3       *db,
             GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_audit_event_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, lsn_audit_event_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading audit events", error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* The newest rows of a list scanned for free text without the word index: when the words are
 * common, a page fills within a few thousand rows, long before the index would have listed every
 * match. */
#define TEXT_WINDOW 4000

static GPtrArray *
read_page_sql (sqlite3              *reader,
               gint64                profile_id,
               const LsnEventFilter *filter,
               gboolean              asc_sql,
               const LsnEventAnchor *anchor,
               gint64                offset,
               guint                 limit,
               GError              **error)
{
  gboolean text = filter && filter->text && *filter->text;
  g_autoptr(GString) where = where_clause_full (filter, !text);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *dir = asc_sql ? "ASC" : "DESC";

  if (anchor != NULL)
    g_string_append (where, asc_sql ? " AND (time, id) > (?12, ?13)" : " AND (time, id) < (?12, ?13)");

  if (text && offset + limit <= TEXT_WINDOW / 4)
    {
      /* the newest rows first, matched here; the word index only when they are too few */
      g_autoptr(GPtrArray) words = text_words (filter->text);
      g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_audit_event_free);
      g_autoptr(GString) buffer = g_string_new (NULL);
      g_autofree guint *hits = g_new0 (guint, MAX (words->len, 1));
      g_autofree char *rare = NULL;
      gint64 skipped = 0;
      guint seen = 0;
      int rc = SQLITE_DONE;

      if (words->len == 0)
        return g_steal_pointer (&out);

      sql = g_strdup_printf ("SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events %s "
                             "ORDER BY time %s, id %s LIMIT ?14", where->str, dir, dir);
      stmt = lsn_store_prepare (reader, sql, error);
      if (stmt == NULL)
        return NULL;
      bind_filter (stmt, profile_id, filter);
      if (anchor != NULL)
        {
          sqlite3_bind_int64 (stmt, 12, anchor->time);
          sqlite3_bind_int64 (stmt, 13, anchor->id);
        }
      sqlite3_bind_int64 (stmt, 14, TEXT_WINDOW);
      while (out->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          seen++;
          if (!row_has_words (stmt, words, buffer, hits))
            continue;
          if (skipped < offset)
            skipped++;
          else
            g_ptr_array_add (out, lsn_audit_event_from_stmt (stmt));
        }
      if (out->len < limit && rc != SQLITE_DONE)
        {
          lsn_store_set_error (reader, rc, NULL, "reading audit events", error);
          return NULL;
        }
      /* a full page, or the whole list was read */
      if (out->len == limit || seen < TEXT_WINDOW)
        return g_steal_pointer (&out);

      /* few matches among the newest rows: read the matches of the rarer words from the word
       * index, sort them, and check them for every word */
      g_clear_pointer (&stmt, sqlite3_finalize);
      g_clear_pointer (&sql, g_free);
      sql = g_strdup_printf ("WITH m (fts_id) AS MATERIALIZED (SELECT rowid FROM audit_events_fts "
                             "WHERE audit_events_fts MATCH ?7) "
                             "SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM m CROSS JOIN audit_events "
                             "ON id = fts_id %s ORDER BY time %s, id %s",
                             where->str, dir, dir);
      stmt = lsn_store_prepare (reader, sql, error);
      if (stmt == NULL)
        return NULL;
      bind_filter (stmt, profile_id, filter);
      rare = fts_query_rare (words, hits, seen);
      lsn_store_bind_text (stmt, 7, rare);
      if (anchor != NULL)
        {
          sqlite3_bind_int64 (stmt, 12, anchor->time);
          sqlite3_bind_int64 (stmt, 13, anchor->id);
        }
      g_ptr_array_set_size (out, 0);
      skipped = 0;
      rc = SQLITE_DONE;
      while (out->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (!row_has_words (stmt, words, buffer, NULL))
            continue;
          if (skipped < offset)
            skipped++;
          else
            g_ptr_array_add (out, lsn_audit_event_from_stmt (stmt));
        }
      if (out->len < limit && rc != SQLITE_DONE)
        {
          lsn_store_set_error (reader, rc, NULL, "reading audit events", error);
          return NULL;
        }
      return g_steal_pointer (&out);
    }

  if (text)
    {
      /* far from the start: read the list in order, each row checked against the index */
      g_string_free (where, TRUE);
      where = where_clause_full (filter, TRUE);
      if (anchor != NULL)
        g_string_append (where, asc_sql ? " AND (time, id) > (?12, ?13)"
                                        : " AND (time, id) < (?12, ?13)");
    }
  sql = g_strdup_printf ("SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events %s "
                         "ORDER BY time %s, id %s LIMIT ?8 OFFSET ?9", where->str, dir, dir);
  stmt = lsn_store_prepare (reader, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_filter (stmt, profile_id, filter);
  sqlite3_bind_int64 (stmt, 8, limit);
  sqlite3_bind_int64 (stmt, 9, MAX (offset, 0));
  if (anchor != NULL)
    {
      sqlite3_bind_int64 (stmt, 12, anchor->time);
      sqlite3_bind_int64 (stmt, 13, anchor->id);
    }
  return read_events (stmt, reader, error);
}

/**
 * lsn_history_list_events:
 * @reader: a read-only connection of the calling thread (lsn_store_open_reader())
 * @offset: rows to skip, newest first
 *
 * Returns: (transfer full) (element-type LsnAuditEvent) (nullable): one page of events
 */
GPtrArray *
lsn_history_list_events (sqlite3               *reader,
                         gint64                 profile_id,
                         const LsnEventFilter  *filter,
                         gint64                 offset,
                         guint                  limit,
                         GError               **error)
{
  return read_page_sql (reader, profile_id, filter, FALSE, NULL, MAX (offset, 0), limit, error);
}

/**
 * lsn_history_list_events_page:
 * @reader: a read-only connection of the calling thread
 * @ascending: oldest first instead of newest first
 * @anchor: (nullable): a loaded event next to the page: then the page is read from the index
 *   right after (or before) it, and @offset counts from there
 * @offset: rows to skip from the start of the list (or from @anchor)
 *
 * Reads one page of the filtered list. With an anchor the cost does not grow with the position;
 * without one it does (OFFSET): read a page near the end of a long list in the other order.
 *
 * Returns: (transfer full) (element-type LsnAuditEvent) (nullable): the page, in list order
 */
GPtrArray *
lsn_history_list_events_page (sqlite3               *reader,
                              gint64                 profile_id,
                              const LsnEventFilter  *filter,
                              gboolean               ascending,
                              const LsnEventAnchor  *anchor,
                              gint64                 offset,
                              guint                  limit,
                              GError               **error)
{
  g_autoptr(GPtrArray) out = NULL;
  /* read forward in list order, or backward from an anchor after the page */
  gboolean forward = anchor == NULL || anchor->before;
  gboolean asc_sql = forward ? ascending : !ascending;

  out = read_page_sql (reader, profile_id, filter, asc_sql, anchor, MAX (offset, 0), limit, error);
  if (out != NULL && !forward)
    {
      /* read backward: put the page in list order */
      for (guint i = 0, j = out->len ? out->len - 1 : 0; i < j; i++, j--)
        {
          gpointer t = out->pdata[i];
          out->pdata[i] = out->pdata[j];
          out->pdata[j] = t;
        }
    }
  return g_steal_pointer (&out);
}

/**
 * lsn_history_record_events:
 * @event: an event
 * @each_side: how many events to read before it and after it
 *
 * The events of the same record (same kind and left or right id) around @event, oldest first,
 * @event included.
 *
 * Returns: (transfer full) (element-type LsnAuditEvent) (nullable): the events
 */
GPtrArray *
lsn_history_record_events (sqlite3              *reader,
                           const LsnAuditEvent  *event,
                           guint                 each_side,
                           GError              **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_audit_event_free);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GPtrArray) part = NULL;

      /* a UNION of the two indexed lookups rather than an OR */
      sql = g_strdup_printf ("SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM ("
                             "SELECT * FROM audit_events WHERE profile_id = ?1 AND kind = ?2 "
                             "AND left_id = ?3 UNION "
                             "SELECT * FROM audit_events WHERE profile_id = ?1 AND kind = ?2 "
                             "AND right_id = ?4) WHERE (time, id) %s (?5, ?6) "
                             "ORDER BY time %s, id %s LIMIT ?7",
                             pass == 0 ? "<" : ">=", pass == 0 ? "DESC" : "ASC",
                             pass == 0 ? "DESC" : "ASC");
      stmt = lsn_store_prepare (reader, sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, event->profile_id);
      lsn_store_bind_text (stmt, 2, event->kind);
      lsn_store_bind_text (stmt, 3, event->left_id);
      lsn_store_bind_text (stmt, 4, event->right_id);
      sqlite3_bind_int64 (stmt, 5, event->time);
      sqlite3_bind_int64 (stmt, 6, event->id);
      sqlite3_bind_int64 (stmt, 7, pass == 0 ? each_side : each_side + 1);
      part = read_events (stmt, reader, error);
      if (part == NULL)
        return NULL;
      if (pass == 0)
        for (guint i = part->len; i > 0; i--)
          g_ptr_array_add (out, g_steal_pointer (&part->pdata[i - 1]));
      else
        for (guint i = 0; i < part->len; i++)
          g_ptr_array_add (out, g_steal_pointer (&part->pdata[i]));
    }
  return g_steal_pointer (&out);
}

/**
 * lsn_history_retries_of:
 *
 * Returns: (transfer full) (element-type LsnAuditEvent) (nullable): the events recorded by
 *   sending @event_id again, oldest first
 */
GPtrArray *
lsn_history_retries_of (sqlite3  *reader,
                        gint64    event_id,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (reader,
                                                    "SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM "
                                                    "audit_events WHERE retry_of = ?1 ORDER BY id",
                                                    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, event_id);
  return read_events (stmt, reader, error);
}

static void
csv_field (GString    *line,
           const char *value)
{
  if (value == NULL)
    return;
  /* a leading = + - @ would be read as a formula by spreadsheets */
  if (strpbrk (value, ",\"\r\n") != NULL || (value[0] != '\0' && strchr ("=+-@", value[0]) != NULL))
    {
      g_string_append_c (line, '"');
      if (value[0] != '\0' && strchr ("=+-@", value[0]) != NULL)
        g_string_append_c (line, '\'');
      for (const char *p = value; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, value);
}

/**
 * lsn_history_write_csv:
 * @out: where to write
 * @n_written: (out) (optional): how many events were written
 *
 * Writes every event that passes @filter, in the list's order, as CSV (RFC 4180, UTF-8, a header
 * line), streaming: the table is never loaded whole.
 */
gboolean
lsn_history_write_csv (sqlite3               *reader,
                       gint64                 profile_id,
                       const LsnEventFilter  *filter,
                       gboolean               ascending,
                       GOutputStream         *out,
                       GCancellable          *cancellable,
                       guint64               *n_written,
                       GError               **error)
{
  g_autoptr(GString) where = where_clause (filter);
  g_autofree char *sql = g_strdup_printf ("SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events "
                                          "%s ORDER BY time %s, id %s LIMIT ?8 OFFSET ?9",
                                          where->str, ascending ? "ASC" : "DESC",
                                          ascending ? "ASC" : "DESC");
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (reader, sql, error);
  g_autoptr(GString) line = g_string_new (NULL);
  guint64 n = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_filter (stmt, profile_id, filter);
  sqlite3_bind_int64 (stmt, 8, -1);
  sqlite3_bind_int64 (stmt, 9, 0);

  g_string_append (line, "id,time,run,kind,target_side,left_id,left_name,right_id,right_name,"
                         "action,outcome,message,request,changes,actor,retry_of\r\n");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(LsnAuditEvent) e = lsn_audit_event_from_stmt (stmt);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (e->time / G_USEC_PER_SEC);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
      g_autofree char *time = dt ? g_date_time_format_iso8601 (dt) : g_strdup ("");
      g_autofree char *run = e->run_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, e->run_id) : NULL;
      g_autofree char *retry = e->retry_of > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, e->retry_of)
                                               : NULL;
      const char *fields[] = { id, time, run, e->kind, e->target_side, e->left_id, e->left_name,
                               e->right_id, e->right_name, e->action, e->outcome, e->message,
                               e->request, e->changes, e->actor, retry };

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          if (i > 0)
            g_string_append_c (line, ',');
          csv_field (line, fields[i]);
        }
      g_string_append (line, "\r\n");
      n++;
      if (line->len > 64 * 1024)
        {
          if (!g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (line, 0);
        }
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (reader, rc, NULL, "reading audit events", error);
  if (line->len > 0 && !g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error))
    return FALSE;
  if (n_written)
    *n_written = n;
  return TRUE;
}
