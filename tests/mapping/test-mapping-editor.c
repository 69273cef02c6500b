/* test-mapping-editor.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client mapping editor's logic without widgets and without a database: rows and statuses,
 * filters and searches, allowed choices, validation of "Create new", suggestions with their
 * evidence, confidence and ambiguity.
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-mapping-editor.h"
#include "lsn-mapping-view.h"
#include "lsn-test-util.h"

static LsnMappingEditor *
small_editor (void)
{
  LsnMappingEditor *e = lsn_mapping_editor_new ("client", LSN_SIDE_LEFT);

  /* left: HaloPSA-like */
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "1", "Acme Ltd", "North", NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "2", "Müller & Söhne GmbH", "North", NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "3", "Contoso", "South", "c-30", NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "4", "Globex Systems", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "5", "Initech", NULL, NULL, "https://www.initech.example.io/", FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "6", "Umbrella", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "7", "Gone Inc", NULL, NULL, NULL, TRUE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "8", "Hooli", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "9", "Stark Industries", NULL, NULL, NULL, FALSE);

  /* right: ConnectWise-like */
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-10", "Acme Ltd", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-20", "MULLER AND SOHNE", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-30", "Acorn Construction", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-40", "Globex System", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-50", "IT Services North", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_email (e, LSN_SIDE_RIGHT, "c-50", "jo@initech.example.io");
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-60", "Umbrella", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-61", "Umbrella", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-70", "Gone Inc", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-80", "Hooli", NULL, NULL, NULL, TRUE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-90", "Stark Industries", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "c-99", "Wayne Enterprises", NULL, NULL, NULL, FALSE);

  /* saved: Gone ↔ c-70 (left deleted), Hooli ↔ c-80 (right deleted), Stark ↔ c-90 with events */
  lsn_mapping_editor_add_link (e, 100, "7", "c-70", TRUE);
  lsn_mapping_editor_add_link (e, 101, "8", "c-80", TRUE);
  lsn_mapping_editor_add_link (e, 102, "9", "c-90", FALSE);
  lsn_mapping_editor_add_failed_event (e, "9", "c-90");
  lsn_mapping_editor_add_failed_event (e, NULL, "c-90");
  lsn_mapping_editor_finish_loading (e);
  return e;
}

static LsnMappingRow *
row (LsnMappingEditor *e,
     const char       *id)
{
  LsnMappingRow *r = lsn_mapping_editor_find_row (e, id);
  g_assert_nonnull (r);
  return r;
}

static guint
count_visible (LsnMappingEditor *e)
{
  GListModel *rows = lsn_mapping_editor_get_rows (e);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(LsnMappingRow) r = g_list_model_get_item (rows, i);
      n += lsn_mapping_editor_row_visible (e, r);
    }
  return n;
}

static void
test_rows_and_status (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  GListModel *rows = lsn_mapping_editor_get_rows (e);

  /* every left record, the deleted one because it is mapped */
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 9);
  {
    g_autoptr(LsnMappingRow) first = g_list_model_get_item (rows, 0);
    g_assert_cmpstr (lsn_mapping_row_get_name (first), ==, "Acme Ltd");
  }
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "1")), ==, LSN_MAPPING_STATUS_NOT_MAPPED);
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "7")), ==, LSN_MAPPING_STATUS_MISSING);
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "8")), ==, LSN_MAPPING_STATUS_MISSING);
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "9")), ==, LSN_MAPPING_STATUS_HAS_EVENTS);
  g_assert_cmpuint (lsn_mapping_row_get_n_events (row (e, "9")), ==, 2);
  g_assert_false (lsn_mapping_row_get_included (row (e, "9")));
  g_assert_true (lsn_mapping_row_get_included (row (e, "7")));
  g_assert_cmpstr (lsn_mapping_row_get_other_name (row (e, "9")), ==, "Stark Industries");
  g_assert_cmpstr (lsn_mapping_row_get_toplevel (row (e, "2")), ==, "North");
}

static void
test_filters (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  g_auto(GStrv) tops = lsn_mapping_editor_list_toplevels (e);

  g_assert_cmpuint (count_visible (e), ==, 9);
  g_assert_cmpint (lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_MAPPED), ==,
                   LSN_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (count_visible (e), ==, 3);
  g_assert_cmpint (lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_UNMAPPED), ==,
                   LSN_FILTER_CHANGE_DIFFERENT);
  g_assert_cmpuint (count_visible (e), ==, 6);
  g_assert_cmpint (lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_ALL), ==,
                   LSN_FILTER_CHANGE_LESS_STRICT);

  /* case and accents are ignored; typing more is stricter */
  g_assert_cmpint (lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, "mu"), ==,
                   LSN_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpint (lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, "MÜLL"), ==,
                   LSN_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (count_visible (e), ==, 1);
  g_assert_cmpint (lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, "m"), ==,
                   LSN_FILTER_CHANGE_LESS_STRICT);
  g_assert_cmpint (lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, NULL), ==,
                   LSN_FILTER_CHANGE_LESS_STRICT);

  /* the other side's search looks at the mapped record */
  lsn_mapping_editor_set_search (e, LSN_SIDE_RIGHT, "stark");
  g_assert_cmpuint (count_visible (e), ==, 1);
  g_assert_true (lsn_mapping_editor_row_visible (e, row (e, "9")));
  lsn_mapping_editor_set_search (e, LSN_SIDE_RIGHT, "");

  g_assert_cmpuint (g_strv_length (tops), ==, 2);
  g_assert_cmpstr (tops[0], ==, "North");
  g_assert_cmpint (lsn_mapping_editor_set_toplevel (e, "North"), ==, LSN_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (count_visible (e), ==, 2);
  g_assert_cmpint (lsn_mapping_editor_set_toplevel (e, "South"), ==, LSN_FILTER_CHANGE_DIFFERENT);
  g_assert_cmpuint (count_visible (e), ==, 1);
  g_assert_cmpint (lsn_mapping_editor_set_toplevel (e, NULL), ==, LSN_FILTER_CHANGE_LESS_STRICT);
  g_assert_cmpuint (count_visible (e), ==, 9);
}

static gboolean
choices_contain (GPtrArray  *choices,
                 const char *id)
{
  for (guint i = 0; i < choices->len; i++)
    if (g_str_equal (((LsnMappingChoice *) g_ptr_array_index (choices, i))->id, id))
      return TRUE;
  return FALSE;
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *changed)
{
  (*changed)++;
}

static void
test_choices_and_edits (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  g_autoptr(GPtrArray) choices = lsn_mapping_editor_list_choices (e, "1", NULL, 0);
  g_autoptr(GPtrArray) some = lsn_mapping_editor_list_choices (e, "1", "UMB", 0);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  /* not the mapped ones (c-70, c-90), not the deleted one (c-80) */
  g_assert_cmpuint (choices->len, ==, 8);
  g_assert_false (choices_contain (choices, "c-70"));
  g_assert_false (choices_contain (choices, "c-80"));
  g_assert_false (choices_contain (choices, "c-90"));
  g_assert_cmpstr (((LsnMappingChoice *) g_ptr_array_index (choices, 0))->name, ==, "Acme Ltd");
  g_assert_cmpuint (some->len, ==, 2);

  g_signal_connect (lsn_mapping_editor_get_rows (e), "items-changed",
                    G_CALLBACK (count_changes), &changed);

  /* a record mapped elsewhere is refused, with who holds it */
  g_assert_false (lsn_mapping_editor_map (e, "1", "c-90", &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "Stark Industries"));
  g_clear_error (&error);
  g_assert_false (lsn_mapping_editor_map (e, "1", "c-80", &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (lsn_mapping_editor_map (e, "1", "c-10", &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_row_get_pending (row (e, "1")));
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "1")), ==, LSN_MAPPING_STATUS_OK);
  g_assert_cmpuint (lsn_mapping_editor_get_n_pending (e), ==, 1);
  /* the edited row is announced, so filters and sorters see it */
  g_assert_cmpuint (changed, ==, 1);
  /* now taken for the others */
  after = lsn_mapping_editor_list_choices (e, "2", NULL, 0);
  g_assert_false (choices_contain (after, "c-10"));
  g_clear_pointer (&after, g_ptr_array_unref);
  after = lsn_mapping_editor_list_choices (e, "1", NULL, 0);
  g_assert_true (choices_contain (after, "c-10"));
  g_assert_false (lsn_mapping_editor_map (e, "2", "c-10", &error));
  g_clear_error (&error);

  /* removing a mapping frees its record */
  g_assert_true (lsn_mapping_editor_unmap (e, "9", &error));
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "9")), ==, LSN_MAPPING_STATUS_NOT_MAPPED);
  g_assert_true (lsn_mapping_editor_map (e, "2", "c-90", &error));
  g_assert_no_error (error);
  /* reverting the unmap now conflicts... the editor keeps it unmapped rather than duplicate */
  lsn_mapping_editor_revert (e, "2");
  lsn_mapping_editor_revert (e, "9");
  g_assert_cmpstr (lsn_mapping_row_get_other_id (row (e, "9")), ==, "c-90");

  /* included only for mapped rows */
  g_assert_false (lsn_mapping_editor_set_included (e, "3", TRUE, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (lsn_mapping_editor_set_included (e, "9", TRUE, &error));
  g_assert_true (lsn_mapping_row_get_included (row (e, "9")));
  /* back to the saved state: no edit left */
  g_assert_true (lsn_mapping_editor_set_included (e, "9", FALSE, &error));
  g_assert_false (lsn_mapping_row_get_pending (row (e, "9")));

  lsn_mapping_editor_discard (e);
  g_assert_cmpuint (lsn_mapping_editor_get_n_pending (e), ==, 0);
  g_assert_null (lsn_mapping_row_get_other_id (row (e, "1")));
}

static void
test_create_new (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = lsn_mapping_editor_new_name (e, "1", "Branch_");

  g_assert_cmpstr (name, ==, "Branch_Acme Ltd");

  /* the same name exists on the other side: refused, saying which and what to do */
  g_assert_false (lsn_mapping_editor_create (e, "1", NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "already exists"));
  g_assert_nonnull (strstr (error->message, "c-10"));
  g_assert_nonnull (strstr (error->message, "prefix"));
  g_clear_error (&error);
  /* case does not make a name unique */
  g_assert_false (lsn_mapping_editor_create (e, "6", "", &error));
  g_clear_error (&error);

  g_assert_true (lsn_mapping_editor_create (e, "1", "Branch_", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_mapping_row_get_other_name (row (e, "1")), ==, "Branch_Acme Ltd");
  g_assert_cmpstr (lsn_mapping_row_get_other_id (row (e, "1")), ==, "");
  g_assert_cmpint (lsn_mapping_row_get_status (row (e, "1")), ==, LSN_MAPPING_STATUS_OK);

  /* two rows cannot create the same name */
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "x", "x", NULL, NULL, NULL, FALSE);
  g_assert_true (lsn_mapping_editor_check_new_name (e, "4", "Branch_", &error));
  g_assert_false (lsn_mapping_editor_check_new_name (e, "4", "Branch_\n", &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static LsnMappingSuggestion *
suggestion_for (GPtrArray  *s,
                const char *row_id)
{
  for (guint i = 0; i < s->len; i++)
    if (g_str_equal (((LsnMappingSuggestion *) g_ptr_array_index (s, i))->row_id, row_id))
      return g_ptr_array_index (s, i);
  return NULL;
}

static void
test_suggestions (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  g_autoptr(GPtrArray) s = lsn_mapping_editor_suggest (e);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  LsnMappingSuggestion *x;
  guint accepted;

  /* exact */
  x = suggestion_for (s, "1");
  g_assert_nonnull (x);
  g_assert_cmpstr (x->other_id, ==, "c-10");
  g_assert_cmpint (x->evidence, ==, LSN_MATCH_EVIDENCE_EXACT);
  g_assert_true (x->confident);
  g_assert_nonnull (strstr (x->explanation, "exactly"));
  /* normalized: case, accents, & / and, GmbH */
  x = suggestion_for (s, "2");
  g_assert_cmpstr (x->other_id, ==, "c-20");
  g_assert_cmpint (x->evidence, ==, LSN_MATCH_EVIDENCE_NORMALIZED);
  g_assert_true (x->confident);
  /* a stored id beats a name that does not match at all */
  x = suggestion_for (s, "3");
  g_assert_cmpstr (x->other_id, ==, "c-30");
  g_assert_cmpint (x->evidence, ==, LSN_MATCH_EVIDENCE_REFERENCE);
  g_assert_true (x->confident);
  /* similar names, with a score; never confident */
  x = suggestion_for (s, "4");
  g_assert_cmpstr (x->other_id, ==, "c-40");
  g_assert_cmpint (x->evidence, ==, LSN_MATCH_EVIDENCE_SIMILAR);
  g_assert_cmpfloat (x->score, >, 0.8);
  g_assert_cmpfloat (x->score, <, 1.0);
  g_assert_false (x->confident);
  g_assert_nonnull (strstr (x->explanation, "%"));
  /* a domain shared by the web site and a contact's e-mail */
  x = suggestion_for (s, "5");
  g_assert_cmpstr (x->other_id, ==, "c-50");
  g_assert_cmpint (x->evidence, ==, LSN_MATCH_EVIDENCE_DOMAIN);
  g_assert_nonnull (strstr (x->explanation, "initech.example.io"));
  g_assert_false (x->confident);
  /* two candidates as good: ambiguous, never confident */
  x = suggestion_for (s, "6");
  g_assert_true (x->ambiguous);
  g_assert_false (x->confident);
  g_assert_cmpuint (x->n_candidates, ==, 2);
  /* mapped rows get nothing; deleted records are never proposed */
  g_assert_null (suggestion_for (s, "7"));
  g_assert_null (suggestion_for (s, "8"));
  g_assert_null (suggestion_for (s, "9"));
  /* confident ones first */
  g_assert_true (((LsnMappingSuggestion *) g_ptr_array_index (s, 0))->confident);

  accepted = lsn_mapping_editor_accept_confident (e, s);
  g_assert_cmpuint (accepted, ==, 3);
  g_assert_cmpstr (lsn_mapping_row_get_other_id (row (e, "1")), ==, "c-10");
  g_assert_null (lsn_mapping_row_get_other_id (row (e, "6")));

  /* a rejected pair is not proposed again, and accepted ones are not proposed at all */
  g_assert_true (lsn_mapping_editor_reject (e, "4", "c-40", &error));
  again = lsn_mapping_editor_suggest (e);
  g_assert_null (suggestion_for (again, "1"));
  g_assert_null (suggestion_for (again, "2"));
  g_assert_null (suggestion_for (again, "3"));
  x = suggestion_for (again, "4");
  g_assert_true (x == NULL || !g_str_equal (x->other_id, "c-40"));
  g_assert_cmpuint (lsn_mapping_editor_accept_confident (e, again), ==, 0);
}

static void
test_cross_ambiguity (void)
{
  g_autoptr(LsnMappingEditor) e = lsn_mapping_editor_new ("client", LSN_SIDE_RIGHT);
  g_autoptr(GPtrArray) s = NULL;

  /* two rows whose one candidate is the same record */
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "a", "Northwind", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, "b", "Northwind", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, "1", "Northwind", NULL, NULL, NULL, FALSE);
  lsn_mapping_editor_finish_loading (e);
  s = lsn_mapping_editor_suggest (e);
  g_assert_cmpuint (s->len, ==, 2);
  for (guint i = 0; i < s->len; i++)
    {
      LsnMappingSuggestion *x = g_ptr_array_index (s, i);
      g_assert_true (x->ambiguous);
      g_assert_false (x->confident);
    }
  g_assert_cmpuint (lsn_mapping_editor_accept_confident (e, s), ==, 0);
}

static void
test_domains (void)
{
  g_autofree char *a = lsn_domain_of ("https://www.Acme.com/about");
  g_autofree char *b = lsn_domain_of ("jo@acme.com");
  g_autofree char *c = lsn_domain_of ("jo@gmail.com");
  g_autofree char *d = lsn_domain_of ("not a domain");

  g_assert_cmpstr (a, ==, "acme.com");
  g_assert_cmpstr (b, ==, "acme.com");
  g_assert_null (c);
  g_assert_null (d);
}

static void
test_view (void)
{
  g_autoptr(LsnMappingEditor) e = small_editor ();
  g_autoptr(LsnMappingView) view = lsn_mapping_view_new (e, lsn_mapping_editor_get_rows (e));
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 9);
  g_signal_connect (view, "items-changed", G_CALLBACK (count_changes), &changed);
  lsn_mapping_view_refilter (view, lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_UNMAPPED));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 6);
  g_assert_cmpuint (changed, ==, 1);
  lsn_mapping_view_refilter (view, lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, "acme"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 1);
  /* mapping the row takes it out of the Unmapped view by itself */
  g_assert_true (lsn_mapping_editor_map (e, "1", "c-10", &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (view)), ==, 0);
  lsn_mapping_view_refilter (view, lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_ALL));
  {
    g_autoptr(LsnMappingRow) r = g_list_model_get_item (G_LIST_MODEL (view), 0);
    g_assert_cmpstr (lsn_mapping_row_get_other_id (r), ==, "c-10");
  }
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/mapping/editor/rows-and-status", test_rows_and_status);
  g_test_add_func ("/mapping/editor/filters", test_filters);
  g_test_add_func ("/mapping/editor/choices-and-edits", test_choices_and_edits);
  g_test_add_func ("/mapping/editor/create-new", test_create_new);
  g_test_add_func ("/mapping/editor/suggestions", test_suggestions);
  g_test_add_func ("/mapping/editor/cross-ambiguity", test_cross_ambiguity);
  g_test_add_func ("/mapping/editor/domains", test_domains);
  g_test_add_func ("/mapping/editor/view", test_view);

  return g_test_run ();
}
