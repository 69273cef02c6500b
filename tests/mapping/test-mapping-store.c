/* test-mapping-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mapping editor over a real store and the sandbox: load what a sync cached, suggest,
 * accept the confident ones, save in one transaction with audit events, load again (nothing new
 * is proposed), create a record on the other side with a prefix (over HTTP), refuse a duplicate
 * name, remove a mapping (the pair is remembered as rejected), and a conflicting save writes
 * nothing.
 */

#include "config.h"

#include <string.h>

#include "../engine/lsn-engine-fixture.h"
#include "lsn-error.h"
#include "lsn-mapping-editor.h"
#include "lsn-sync-store.h"
#include "lsn-test-util.h"

static LsnMappingEditor *
load (EngineFixture *f)
{
  g_autoptr(GError) error = NULL;
  LsnMappingEditor *e = lsn_mapping_editor_load (f->store, f->profile, "client", LSN_SIDE_LEFT,
                                                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (e);
  return e;
}

static guint
count_confident (GPtrArray *s)
{
  guint n = 0;
  for (guint i = 0; i < s->len; i++)
    n += ((LsnMappingSuggestion *) g_ptr_array_index (s, i))->confident;
  return n;
}

static LsnMappingRow *
first_unmapped (LsnMappingEditor *e)
{
  GListModel *rows = lsn_mapping_editor_get_rows (e);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(LsnMappingRow) r = g_list_model_get_item (rows, i);
      if (lsn_mapping_row_get_other_id (r) == NULL)
        return r;
    }
  return NULL;
}

static void
test_suggest_save_reload (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnMappingEditor) e = NULL;
  g_autoptr(LsnMappingEditor) again = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autoptr(GPtrArray) s2 = NULL;
  gint64 links_before;
  guint accepted;

  lsn_sandbox_options_init (&o);
  o.halo_clients = 20;
  o.cw_clients = 20;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}",
                       "\"quiet_window_seconds\": 0");
  g_clear_object (&e);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
  }
  links_before = engine_fixture_count (&f, "SELECT count(*) FROM links");

  e = load (&f);
  g_assert_cmpuint (g_list_model_get_n_items (lsn_mapping_editor_get_rows (e)), >=, 20);
  g_assert_cmpstr (lsn_mapping_editor_get_side_label (e, LSN_SIDE_RIGHT), ==, "ConnectWise");
  s = lsn_mapping_editor_suggest (e);
  g_assert_cmpuint (s->len, >, 0);
  accepted = lsn_mapping_editor_accept_confident (e, s);
  g_assert_cmpuint (accepted, ==, count_confident (s));
  g_assert_cmpuint (accepted, >, 0);

  /* nothing is written before Save */
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==, links_before);
  g_assert_true (lsn_mapping_editor_save (e, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lsn_mapping_editor_get_n_pending (e), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==,
                   links_before + accepted);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links WHERE origin = 'mapping'"),
                   ==, accepted);
  /* one audit event per edit, with who and before → after */
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE action = 'map' "
                                             "AND actor IS NOT NULL AND json_extract(changes, "
                                             "'$[0].before') IS NULL AND json_extract(changes, "
                                             "'$[0].after') IS NOT NULL"), ==, accepted);

  /* load again: the mappings are there, and suggesting again proposes nothing new */
  again = load (&f);
  s2 = lsn_mapping_editor_suggest (again);
  g_assert_cmpuint (count_confident (s2), ==, 0);
  for (guint i = 0; i < s->len; i++)
    {
      LsnMappingSuggestion *x = g_ptr_array_index (s, i);
      LsnMappingRow *r;
      if (!x->confident)
        continue;
      r = lsn_mapping_editor_find_row (again, x->row_id);
      g_assert_cmpstr (lsn_mapping_row_get_other_id (r), ==, x->other_id);
      for (guint k = 0; k < s2->len; k++)
        {
          LsnMappingSuggestion *y = g_ptr_array_index (s2, k);
          g_assert_cmpstr (y->row_id, !=, x->row_id);
          g_assert_cmpstr (y->other_id, !=, x->other_id);
        }
    }
  /* saving nothing writes nothing */
  g_assert_true (lsn_mapping_editor_save (again, NULL, &error));
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==,
                   links_before + accepted);

  /* and the next sync keeps them */
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
  }
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links WHERE origin = 'mapping'"),
                   ==, accepted);
  engine_fixture_clear (&f);
}

static void
test_create_unmap_reject (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnMappingEditor) e = NULL;
  g_autoptr(LsnMappingEditor) again = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autofree char *row_id = NULL;
  g_autofree char *row_name = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *sql = NULL;
  LsnMappingRow *row;
  guint64 writes;

  lsn_sandbox_options_init (&o);
  o.halo_clients = 20;
  o.cw_clients = 20;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}", "\"quiet_window_seconds\": 0");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
  }
  e = load (&f);
  row = first_unmapped (e);
  g_assert_nonnull (row);
  row_id = g_strdup (lsn_mapping_row_get_id (row));
  row_name = g_strdup (lsn_mapping_row_get_name (row));

  /* a name that exists on the other side is refused, before anything is sent */
  {
    GListModel *rows = lsn_mapping_editor_get_rows (e);
    g_autoptr(LsnMappingRow) mapped = NULL;
    for (guint i = 0; i < g_list_model_get_n_items (rows) && mapped == NULL; i++)
      {
        g_autoptr(LsnMappingRow) r = g_list_model_get_item (rows, i);
        if (lsn_mapping_row_get_other_id (r) != NULL
            && g_strcmp0 (lsn_mapping_row_get_name (r), lsn_mapping_row_get_other_name (r)) == 0)
          mapped = g_object_ref (r);
      }
    g_assert_nonnull (mapped);
    g_assert_false (lsn_mapping_editor_create (e, lsn_mapping_row_get_id (mapped), NULL, &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
    g_clear_error (&error);
  }

  writes = engine_fixture_writes (&f, "connectwise");
  g_assert_true (lsn_mapping_editor_create (e, row_id, "Branch_", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (engine_fixture_writes (&f, "connectwise"), ==, writes);
  g_assert_true (lsn_mapping_editor_save (e, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (engine_fixture_writes (&f, "connectwise"), ==, writes + 1);

  new_name = g_strdup_printf ("Branch_%s", row_name);
  row = lsn_mapping_editor_find_row (e, row_id);
  g_assert_cmpstr (lsn_mapping_row_get_other_name (row), ==, new_name);
  g_assert_nonnull (lsn_mapping_row_get_other_id (row));
  g_assert_cmpstr (lsn_mapping_row_get_other_id (row), !=, "");
  g_assert_nonnull (engine_fixture_find (&f, LSN_SIDE_RIGHT, "client",
                                         lsn_mapping_row_get_other_id (row)));
  sql = g_strdup_printf ("SELECT count(*) FROM links WHERE left_id = '%s' AND right_id = '%s'",
                         row_id, lsn_mapping_row_get_other_id (row));
  g_assert_cmpint (engine_fixture_count (&f, sql), ==, 1);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE action = 'create'"
                                             " AND right_name LIKE 'Branch_%'"), ==, 1);

  /* the same prefix again, for the same name: refused (the new record exists now) */
  lsn_mapping_editor_unmap (e, row_id, &error);
  g_assert_false (lsn_mapping_editor_create (e, row_id, "branch_", &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
  g_clear_error (&error);
  /* save the removal: the pair is remembered as rejected and not suggested again */
  g_assert_true (lsn_mapping_editor_save (e, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (engine_fixture_count (&f, sql), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM match_decisions WHERE decision = 'rejected'"),
                   ==, 1);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE action = 'unmap' "
                                             "AND json_extract(changes, '$[0].after') IS NULL"), ==, 1);
  again = load (&f);
  s = lsn_mapping_editor_suggest (again);
  for (guint i = 0; i < s->len; i++)
    g_assert_cmpstr (((LsnMappingSuggestion *) g_ptr_array_index (s, i))->other_id, !=,
                     lsn_mapping_row_get_other_id (row));

  engine_fixture_clear (&f);
}

static void
test_conflicting_save_writes_nothing (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnMappingEditor) a = NULL;
  g_autoptr(LsnMappingEditor) b = NULL;
  g_autoptr(GPtrArray) choices = NULL;
  g_autofree char *row_id = NULL;
  g_autofree char *other_row = NULL;
  const char *target;
  gint64 links, events;

  lsn_sandbox_options_init (&o);
  o.halo_clients = 20;
  o.cw_clients = 20;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}", "\"quiet_window_seconds\": 0");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
  }
  a = load (&f);
  b = load (&f);
  row_id = g_strdup (lsn_mapping_row_get_id (first_unmapped (a)));
  choices = lsn_mapping_editor_list_choices (a, row_id, NULL, 0);
  g_assert_cmpuint (choices->len, >, 0);
  target = ((LsnMappingChoice *) g_ptr_array_index (choices, 0))->id;

  /* two windows map the same record to different rows: the second save is refused whole */
  g_assert_true (lsn_mapping_editor_map (a, row_id, target, &error));
  g_assert_true (lsn_mapping_editor_save (a, NULL, &error));
  g_assert_no_error (error);
  links = engine_fixture_count (&f, "SELECT count(*) FROM links");
  events = engine_fixture_count (&f, "SELECT count(*) FROM audit_events");

  lsn_mapping_editor_unmap (b, row_id, NULL);
  {
    GListModel *rows = lsn_mapping_editor_get_rows (b);
    for (guint i = 0; i < g_list_model_get_n_items (rows) && other_row == NULL; i++)
      {
        g_autoptr(LsnMappingRow) r = g_list_model_get_item (rows, i);
        if (lsn_mapping_row_get_other_id (r) == NULL && !g_str_equal (lsn_mapping_row_get_id (r), row_id))
          other_row = g_strdup (lsn_mapping_row_get_id (r));
      }
  }
  g_assert_true (lsn_mapping_editor_map (b, other_row, target, &error));
  g_assert_false (lsn_mapping_editor_save (b, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "nothing was saved"));
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==, links);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events"), ==, events);
  /* the edit stays, for the person to redo */
  g_assert_cmpuint (lsn_mapping_editor_get_n_pending (b), >, 0);
  engine_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/mapping/store/suggest-save-reload", test_suggest_save_reload);
  g_test_add_func ("/mapping/store/create-unmap-reject", test_create_unmap_reject);
  g_test_add_func ("/mapping/store/conflicting-save", test_conflicting_save_writes_nothing);

  return g_test_run ();
}
