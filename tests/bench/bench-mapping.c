/* bench-mapping.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client mapping editor at scale, against the limits of issue 7:
 * - typing in a search box with 50,000 clients per side: every keystroke re-filters all rows
 *   (what the window's GtkFilterListModel does); limit 30 ms per keystroke;
 * - "Suggest matches" for 10,000 × 10,000 clients; limit 1 s.
 * Prints each figure and its ratio to the limit (below 1 is within it). Never fails because the
 * machine is slow.
 */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "lsn-mapping-editor.h"
#include "lsn-mapping-view.h"

static const char *words[] = {
  "Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne",
  "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay", "Dunder", "Mifflin", "Pied",
  "Piper", "Aperture", "Black", "Mesa", "Oscorp", "Gringotts", "Monarch", "Nakatomi", "Zorg",
  "Blue", "Sun", "River", "Oak", "Maple", "Harbor", "Summit", "Pioneer", "Atlas", "Vertex",
  "Quantum", "Nimbus", "Apex",
};
static const char *trades[] = {
  "Dental", "Legal", "Logistics", "Builders", "Accounting", "Clinic", "Bakery", "Motors",
  "Consulting", "Architects", "Pharmacy", "Farms", "Studios", "Insurance", "Engineering",
};
static const char *suffixes[] = { "", " Ltd", " Limited", " LLC", " Inc", " GmbH", " Pty Ltd", "" };

static char *
company_name (GRand *rand,
              guint  i)
{
  return g_strdup_printf ("%s %s %s %u%s", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                          words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                          trades[g_rand_int_range (rand, 0, G_N_ELEMENTS (trades))], i,
                          suffixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (suffixes))]);
}

/* The other side's version of a name: the same, another case or suffix, "&", a typo, or not
 * there at all. */
static char *
variant (GRand      *rand,
         const char *name)
{
  int r = g_rand_int_range (rand, 0, 10);
  g_autofree char *base = g_strdup (name);

  if (r < 4)
    return g_strdup (name);
  if (r < 6)
    return g_ascii_strup (name, -1);
  if (r < 7)
    {
      char *sp = strrchr (base, ' ');
      if (sp != NULL)
        *sp = '\0';
      return g_strdup_printf ("%s & Co", base);
    }
  if (r < 9)
    {
      gsize len = strlen (base);
      if (len > 6)
        base[len / 2] = base[len / 2] == 'e' ? 'a' : 'e';
      return g_steal_pointer (&base);
    }
  return g_strdup_printf ("Unrelated %u", g_rand_int (rand));
}

static LsnMappingEditor *
build (guint n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  LsnMappingEditor *e = lsn_mapping_editor_new ("client", LSN_SIDE_LEFT);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = company_name (rand, i);
      g_autofree char *other = variant (rand, name);
      g_autofree char *lid = g_strdup_printf ("%u", i + 1);
      g_autofree char *rid = g_strdup_printf ("c%u", i + 1);
      lsn_mapping_editor_add_record (e, LSN_SIDE_LEFT, lid, name, words[i % 7], NULL, NULL, FALSE);
      lsn_mapping_editor_add_record (e, LSN_SIDE_RIGHT, rid, other, NULL, NULL, NULL, FALSE);
      /* a third already mapped */
      if (i % 3 == 0)
        lsn_mapping_editor_add_link (e, i + 1, lid, rid, TRUE);
    }
  lsn_mapping_editor_finish_loading (e);
  return e;
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return lsn_mapping_row_compare ((LsnMappingRow *) a, (LsnMappingRow *) b, LSN_MAPPING_COLUMN_NAME);
}

/* The models the Mappings page uses: rows → GtkSortListModel (by a column) →
 * LsnMappingView (lsn_mapping_editor_row_visible() in a tight loop). */
static void
bench_search (void)
{
  const char *typed = "northwind dental";
  g_autoptr(LsnMappingEditor) e = NULL;
  g_autoptr(GtkSortListModel) sorted = NULL;
  g_autoptr(LsnMappingView) filtered = NULL;
  gint64 t;
  double worst = 0, total = 0, first = 0;
  guint keys = 0;

  t = g_get_monotonic_time ();
  e = build (50000);
  g_print ("mapping editor with 50,000 clients per side built in %.0f ms (on a worker thread "
           "in the window)\n", (g_get_monotonic_time () - t) / 1000.0);

  t = g_get_monotonic_time ();
  sorted = gtk_sort_list_model_new (g_object_ref (lsn_mapping_editor_get_rows (e)),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_names, NULL, NULL)));
  filtered = lsn_mapping_view_new (e, G_LIST_MODEL (sorted));
  g_print ("sorted and filtered models over 50,000 rows set up in %.0f ms\n",
           (g_get_monotonic_time () - t) / 1000.0);

  for (gsize len = 1; len <= strlen (typed) + 4; len++, keys++)
    {
      /* type the words, then delete four characters */
      g_autofree char *text = g_strndup (typed, len <= strlen (typed) ? len : 2 * strlen (typed) - len);
      double ms;

      t = g_get_monotonic_time ();
      lsn_mapping_view_refilter (filtered, lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, text));
      (void) g_list_model_get_n_items (G_LIST_MODEL (filtered));
      ms = (g_get_monotonic_time () - t) / 1000.0;
      if (len == 1)
        first = ms;
      worst = MAX (worst, ms);
      total += ms;
    }
  g_print ("search, 50,000 rows: %u keystrokes (typing, then deleting), mean %.1f ms, "
           "first %.1f ms, worst %.1f ms per keystroke (%u rows left); limit 30 ms: ratio %.2f\n",
           keys, total / keys, first, worst, g_list_model_get_n_items (G_LIST_MODEL (filtered)),
           worst / 30.0);

  /* the other side's search, then the Unmapped filter: full passes */
  worst = 0;
  {
    const LsnFilterChange changes[] = {
      lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, ""),
      lsn_mapping_editor_set_search (e, LSN_SIDE_RIGHT, "dent"),
      lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_UNMAPPED),
    };
    lsn_mapping_editor_set_search (e, LSN_SIDE_RIGHT, "");
    lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_ALL);
    lsn_mapping_editor_set_search (e, LSN_SIDE_LEFT, "");
    lsn_mapping_view_refilter (filtered, LSN_FILTER_CHANGE_DIFFERENT);
    (void) changes;
  }
  t = g_get_monotonic_time ();
  lsn_mapping_view_refilter (filtered, lsn_mapping_editor_set_search (e, LSN_SIDE_RIGHT, "dent"));
  worst = MAX (worst, (g_get_monotonic_time () - t) / 1000.0);
  t = g_get_monotonic_time ();
  lsn_mapping_view_refilter (filtered, lsn_mapping_editor_set_filter (e, LSN_MAPPING_FILTER_UNMAPPED));
  worst = MAX (worst, (g_get_monotonic_time () - t) / 1000.0);
  g_print ("other side's search and the Unmapped filter: worst %.1f ms; limit 30 ms: ratio %.2f\n",
           worst, worst / 30.0);
}

static void
bench_suggest (void)
{
  g_autoptr(LsnMappingEditor) e = build (10000);
  g_autoptr(GPtrArray) s = NULL;
  guint counts[LSN_MATCH_EVIDENCE_REFERENCE + 1] = { 0 };
  guint confident = 0, ambiguous = 0;
  double best = G_MAXDOUBLE;

  /* best of three runs (the machine is shared) */
  for (guint run = 0; run < 3; run++)
    {
      gint64 t = g_get_monotonic_time ();
      g_clear_pointer (&s, g_ptr_array_unref);
      s = lsn_mapping_editor_suggest (e);
      best = MIN (best, (g_get_monotonic_time () - t) / 1000.0);
    }
  for (guint i = 0; i < s->len; i++)
    {
      LsnMappingSuggestion *x = g_ptr_array_index (s, i);
      counts[x->evidence]++;
      confident += x->confident;
      ambiguous += x->ambiguous;
    }
  g_print ("suggest matches, 10,000 x 10,000 (a third mapped): %.0f ms; limit 1000 ms: ratio %.2f\n"
           "  %u suggestions: %u exact, %u normalized, %u similar, %u domain; %u confident, "
           "%u ambiguous\n",
           best, best / 1000.0, s->len, counts[LSN_MATCH_EVIDENCE_EXACT],
           counts[LSN_MATCH_EVIDENCE_NORMALIZED], counts[LSN_MATCH_EVIDENCE_SIMILAR],
           counts[LSN_MATCH_EVIDENCE_DOMAIN], confident, ambiguous);
}

int
main (int   argc,
      char *argv[])
{
  bench_search ();
  bench_suggest ();
  return 0;
}
