/* bench-activity.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Activity page's event list over 1,000,000 audit events (N from the command line), against
 * the limits of issue 7: opening shows the first rows within 100 ms; jumping to the end and
 * changing a filter each within 200 ms; scrolling never stalls (the main thread never waits on
 * SQLite: get_item() returns at once, and a page arrives within a frame or two).
 * Prints each figure and its ratio to the limit. Never fails because the machine is slow.
 */

#include "config.h"

#include <stdlib.h>

#include "../activity/lsn-activity-fixture.h"
#include "lsn-audit-model.h"

static guint changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  changes++;
}

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
}

/* Runs the main loop until the item at @position is read; returns the milliseconds it took. */
static double
until_loaded (LsnAuditModel *model,
              guint          position,
              double        *call_ms)
{
  gint64 t = g_get_monotonic_time ();
  g_autoptr(LsnAuditItem) item = g_list_model_get_item (G_LIST_MODEL (model), position);
  gint64 end = t + 30 * G_USEC_PER_SEC;

  if (call_ms)
    *call_ms = ms_since (t);
  while (!lsn_audit_item_get_loaded (item) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return ms_since (t);
}

static double
until_changed (LsnAuditModel *model)
{
  gint64 t = g_get_monotonic_time ();
  gint64 end = t + 30 * G_USEC_PER_SEC;
  guint before = changes;

  while (changes == before && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return ms_since (t);
}

static void
report (const char *what,
        double      ms,
        double      limit)
{
  g_print ("%-58s %8.1f ms; limit %4.0f ms: ratio %.2f\n", what, ms, limit, ms / limit);
}

static void
change_filter (LsnAuditModel        *model,
               const char           *what,
               const LsnEventFilter *filter)
{
  gint64 t = g_get_monotonic_time ();
  double first;

  lsn_audit_model_set_filter (model, filter);
  first = until_changed (model);
  report (what, first, 200);
  activity_fixture_wait (model);
  g_print ("%-58s %8.1f ms (then the list has its length: %u)\n", "  count arrived after",
           ms_since (t), g_list_model_get_n_items (G_LIST_MODEL (model)));
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 1000000;
  ActivityFixture f;
  g_autoptr(LsnAuditModel) model = NULL;
  LsnEventFilter filter = { 0 };
  gint64 t;
  double worst_call = 0, worst_fill = 0, call;
  guint last;

  g_setenv ("TMPDIR", g_get_tmp_dir (), FALSE);
  t = g_get_monotonic_time ();
  activity_fixture_init (&f, n);
  g_print ("%u audit events written in %.1f s\n", n, ms_since (t) / 1000.0);

  /* open: the first rows */
  t = g_get_monotonic_time ();
  model = lsn_audit_model_new (f.store, f.profile_id);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), NULL);
  until_changed (model);
  report ("open: first rows shown", ms_since (t), 100);
  activity_fixture_wait (model);
  g_print ("%-58s %8.1f ms (%u events)\n", "  count arrived after", ms_since (t),
           g_list_model_get_n_items (G_LIST_MODEL (model)));

  /* jump to the end */
  last = g_list_model_get_n_items (G_LIST_MODEL (model)) - 1;
  report ("jump to the end: last row shown", until_loaded (model, last, NULL), 200);
  report ("jump to the middle: row shown", until_loaded (model, last / 2, NULL), 200);

  /* scroll: 40 rows on screen, 10 rows per step, 4,000 rows down from the middle and from the
   * top; the main thread's cost per get_item and the wait for a row to be filled */
  for (guint start_at = 0; start_at <= last / 2; start_at += last / 2)
    for (guint top = start_at; top < start_at + 4000 && top + 40 < last; top += 10)
      for (guint i = top; i < top + 40; i++)
        {
          double fill = until_loaded (model, i, &call);
          worst_call = MAX (worst_call, call);
          worst_fill = MAX (worst_fill, fill);
        }
  g_print ("%-58s %8.3f ms (never waits on SQLite)\n", "scroll: worst get_item() on the main thread",
           worst_call);
  report ("scroll: worst wait for a row to be filled", worst_fill, 1000.0 / 60.0 * 2);
  g_print ("%-58s %8u (of %u)\n", "  pages kept", lsn_audit_model_get_n_loaded_pages (model),
           (last + 1) / LSN_AUDIT_MODEL_PAGE_SIZE);

  /* filters */
  filter.outcome = "failed";
  change_filter (model, "filter: outcome failed", &filter);
  filter.kind = "client";
  change_filter (model, "filter: outcome failed, kind client", &filter);
  filter.outcome = NULL;
  filter.kind = NULL;
  filter.run_id = f.run_ids[2];
  change_filter (model, "filter: one run", &filter);
  filter.run_id = 0;
  filter.since_usec = f.t0 + (gint64) (n - 3600) * G_USEC_PER_SEC;
  change_filter (model, "filter: the last hour", &filter);
  filter.since_usec = 0;
  filter.text = "Company 4242";
  change_filter (model, "filter: free text, a rare name (word index)", &filter);
  filter.text = "Company";
  change_filter (model, "filter: free text, in every event (word index)", &filter);
  filter.text = NULL;
  change_filter (model, "filter: none again", &filter);
  lsn_audit_model_set_ascending (model, TRUE);
  t = g_get_monotonic_time ();
  until_changed (model);
  report ("sort: oldest first", ms_since (t), 200);
  activity_fixture_wait (model);

  g_clear_object (&model);
  activity_fixture_clear (&f);
  return 0;
}
