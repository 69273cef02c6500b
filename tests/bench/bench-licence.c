/* bench-licence.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "lsn-licence-job.h"
#include "licence-fixture.h"

/* Applies a 3,000-row distributor invoice to the in-process HaloPSA sandbox under a scaled-down
 * budget: Halo's 300 requests per 300 s, scaled by 1/100 to 300 per 3 s, enforced by the sandbox
 * and known to the connection. Prints the requests spent against the minimum the rules need
 * (one token, the pages of clients and licences, one request per licence written) and the wall
 * time against the floor the budget sets (requests ÷ rate), and against a baseline measured in
 * the same run: the same invoice without a budget gives this machine's time per request, and
 * the budget's floor for a client that sends one request at a time at that speed. Never fails
 * because the machine is slow; exits non-zero only when the run breaks.
 *
 * The invoice, built from the sandbox's own clients and licences: every licence of this
 * distributor is on it (80 % unchanged, 10 % a new quantity, 5 % a new price, 3 % quantity 0, 2 %
 * left off: cleaned up), and new products for existing customers fill it up to 3,000 rows. */

#define ROWS           3000
#define CLIENTS        2000
#define BUDGET_N       300
#define BUDGET_SECONDS 3
#define PAGE           100

typedef struct
{
  guint rows;
} Made;

static guint32
next_random (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

static char *
make_invoice (GPtrArray *clients,
              GPtrArray *licences,
              Made      *made)
{
  g_autoptr(GString) csv = g_string_new ("Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\r\n");
  g_autoptr(GHashTable) name_count = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  guint32 rng = 7;
  guint extra = 0;

  memset (made, 0, sizeof *made);

  /* customers whose name is theirs alone, active */
  for (guint i = 0; i < clients->len; i++)
    {
      LsnRecord *c = g_ptr_array_index (clients, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (name_count, lsn_record_get_name (c)));
      g_hash_table_insert (name_count, (gpointer) lsn_record_get_name (c), GUINT_TO_POINTER (n + 1));
    }
  for (guint i = 0; i < clients->len; i++)
    {
      LsnRecord *c = g_ptr_array_index (clients, i);
      if (!lsn_record_get_inactive (c)
          && GPOINTER_TO_UINT (g_hash_table_lookup (name_count, lsn_record_get_name (c))) == 1)
        {
          g_hash_table_insert (by_id, (gpointer) lsn_record_get_remote_id (c), c);
          g_ptr_array_add (usable, c);
        }
    }

  for (guint i = 0; i < licences->len && made->rows < ROWS; i++)
    {
      LsnRecord *l = g_ptr_array_index (licences, i);
      LsnRecord *c = g_hash_table_lookup (by_id, lsn_record_get_string (l, "client_id") ?: "");
      JsonObject *f = lsn_record_get_fields (l);
      g_autofree char *name = NULL;
      const char *code = lsn_record_get_string (l, "product_sku");
      gint64 qty;
      double price;
      guint x;
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      if (c == NULL || code == NULL || lsn_record_get_inactive (l)
          || g_strcmp0 (lsn_record_get_string (l, "distributor"), "Converge") != 0)
        continue;
      qty = (gint64) json_node_get_double (json_object_get_member (f, "quantity"));
      price = json_node_get_double (json_object_get_member (f, "price"));
      x = next_random (&rng) % 100;
      if (x < 80)
        ;
      else if (x < 90)
        qty += 1 + x % 4;
      else if (x < 95)
        price += 0.5;
      else if (x < 98)
        qty = 0;
      else
        {
          continue;   /* left off the invoice: cleaned up */
        }
      name = licence_fixture_csv_field (lsn_record_get_name (c));
      g_string_append_printf (csv, "%s,,%s,%s,%" G_GINT64_FORMAT ",%s,%s\r\n", name, code,
                              lsn_record_get_name (l), qty,
                              g_ascii_formatd (num, sizeof num, "%.2f", price),
                              lsn_record_get_string (l, "billing_cycle"));
      made->rows++;
    }

  /* new products for existing customers, up to ROWS */
  for (guint i = 0; made->rows < ROWS && usable->len > 0; i++)
    {
      LsnRecord *c = g_ptr_array_index (usable, i % usable->len);
      g_autofree char *name = licence_fixture_csv_field (lsn_record_get_name (c));

      g_string_append_printf (csv, "%s,,NEW-%u,New service %u,%u,9.90,Monthly\r\n", name,
                              extra, extra, 1 + extra % 20);
      extra++;
      made->rows++;
    }

  return g_string_free (g_steal_pointer (&csv), FALSE);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* One first run of the invoice against a fresh sandbox; budget_n 0: no budget on either end. */
typedef struct
{
  LicenceFixture  f;
  LsnProfile     *profile;
  LsnLicenceJob  *job;
  GPtrArray      *clients;
  GPtrArray      *licences;
  Made            made;
  double          seconds;
  guint64         requests;
} Run;

static gboolean
run_first (Run     *r,
           guint    budget_n,
           GError **error)
{
  LsnSandboxOptions options;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  gint64 start;

  lsn_sandbox_options_init (&options);
  options.halo_clients = CLIENTS;
  options.cw_clients = 0;
  if (budget_n > 0)
    {
      options.halo_limit = budget_n;
      options.halo_window = BUDGET_SECONDS;
    }
  else
    options.halo_limit = 0;   /* the sandbox limits nothing */
  licence_fixture_init (&r->f, &options);

  /* the invoice, from what the sandbox holds (read before the clock starts) */
  r->clients = licence_fixture_list (&r->f, LSN_KIND_CLIENT);
  r->licences = licence_fixture_list (&r->f, LSN_KIND_LICENCE);
  csv = make_invoice (r->clients, r->licences, &r->made);
  path = licence_fixture_write_file (&r->f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&r->f, path, "\"guard\": {\"min\": 100000}");
  {
    /* the connection knows the scaled-down budget (without one it would pace itself to
     * HaloPSA's own 300 per 300 s) */
    g_autofree char *budget = g_strdup_printf ("\"budget\": {\"requests\": %u, \"seconds\": %u}, "
                                               "\"connector\": \"halopsa\"",
                                               budget_n > 0 ? budget_n : 1000000,
                                               budget_n > 0 ? BUDGET_SECONDS : 1);
    g_autoptr(GString) s = g_string_new (json);
    g_string_replace (s, "\"connector\":\"halopsa\"", budget, 1);
    g_free (json);
    json = g_string_free (g_steal_pointer (&s), FALSE);
  }
  r->profile = licence_fixture_add_profile (&r->f, "bench", json);

  /* a fresh window: the listing above spent part of it */
  licence_fixture_configure (&r->f, "{\"reset_stats\": true, \"reset_limit\": true}");

  r->job = lsn_licence_job_new (r->f.store, r->profile, "cli");
  start = g_get_monotonic_time ();
  if (!lsn_licence_job_run (r->job, NULL, error))
    return FALSE;
  r->seconds = (g_get_monotonic_time () - start) / 1e6;
  r->requests = lsn_licence_job_get_halo_requests (r->job);
  return TRUE;
}

static void
run_clear (Run *r)
{
  g_autofree char *dir = g_strdup (r->f.tmpdir);

  g_clear_object (&r->job);
  g_clear_object (&r->profile);
  g_clear_pointer (&r->clients, g_ptr_array_unref);
  g_clear_pointer (&r->licences, g_ptr_array_unref);
  licence_fixture_clear (&r->f);
  remove_tree (dir);
}

/* The shortest time a client that sends one request at a time, each taking @each seconds, needs
 * for @n requests within a rolling window of @budget_n per BUDGET_SECONDS: request i leaves
 * @each after request i-1, and not before request i-budget_n left the window. */
static double
one_at_a_time_floor (guint  n,
                     guint  budget_n,
                     double each)
{
  g_autofree double *t = g_new0 (double, n + 1);

  for (guint i = 1; i <= n; i++)
    {
      t[i] = t[i - 1] + each;
      if (i > budget_n)
        t[i] = MAX (t[i], t[i - budget_n] + BUDGET_SECONDS);
    }
  return t[n];
}

int
main (int   argc,
      char *argv[])
{
  Run unpaced = { 0 }, paced = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnLicenceJob) again = NULL;
  g_autoptr(JsonObject) stats = NULL;
  LicenceFixture *f;
  const LsnRunCounts *c;
  LsnKindPlan *kp;
  guint pages, writes, minimum, unchanged, document;
  guint64 requests;
  double rate, floor_seconds, sequential_floor, seconds_again;
  gint64 start;
  int status;

  /* only 127.0.0.1 is reached: no system proxy settings needed */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);

  /* the baseline, in this run on this machine: the same invoice with no budget at all */
  if (!run_first (&unpaced, 0, &error))
    {
      fprintf (stderr, "bench-licence: the run without a budget failed: %s\n", error->message);
      return 1;
    }
  run_clear (&unpaced);
  if (!run_first (&paced, BUDGET_N, &error))
    {
      fprintf (stderr, "bench-licence: the run failed: %s\n", error->message);
      return 1;
    }
  f = &paced.f;

  c = lsn_licence_job_get_counts (paced.job);
  kp = g_ptr_array_index (lsn_licence_job_get_plan (paced.job)->kinds, 1);
  unchanged = lsn_kind_plan_count (kp, LSN_ACTION_REFRESH);
  stats = licence_fixture_stats (f);
  requests = lsn_licence_job_get_halo_requests (paced.job);
  pages = (paced.clients->len + PAGE - 1) / PAGE + (paced.licences->len + PAGE - 1) / PAGE;
  writes = lsn_kind_plan_count (kp, LSN_ACTION_CREATE) + lsn_kind_plan_count (kp, LSN_ACTION_UPDATE)
           + lsn_kind_plan_count (kp, LSN_ACTION_DELETE);
  minimum = 1 + pages + writes;
  rate = (double) BUDGET_N / BUDGET_SECONDS;
  /* a rolling window lets the first BUDGET_N requests go at once; every further one waits its
   * turn: R requests need at least (R - N) / rate seconds */
  floor_seconds = minimum > BUDGET_N ? (minimum - BUDGET_N) / rate : 0.0;
  /* the same, for a client as fast as the unpaced run but one request at a time */
  sequential_floor = one_at_a_time_floor (minimum, BUDGET_N,
                                          unpaced.seconds / MAX (unpaced.requests, 1));
  /* the distributor's own rules: every licence on the invoice is written, every other licence
   * of a customer deleted */
  document = 1 + pages + writes + unchanged;

  printf ("invoice: %u rows, HaloPSA: %u clients, %u licences\n",
          paced.made.rows, paced.clients->len, paced.licences->len);
  printf ("budget: %u requests per %u s (HaloPSA's 300 per 300 s scaled by 1/100)\n",
          BUDGET_N, BUDGET_SECONDS);
  printf ("outcome %s: %" G_GINT64_FORMAT " created, %" G_GINT64_FORMAT " updated, %"
          G_GINT64_FORMAT " deleted, %u unchanged (not sent), %" G_GINT64_FORMAT " skipped, %"
          G_GINT64_FORMAT " failed\n", lsn_licence_job_get_outcome (paced.job), c->created,
          c->updated, c->deleted, unchanged, c->skipped, c->failed);
  printf ("requests: %" G_GUINT64_FORMAT " (sandbox saw %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
          " throttled) vs minimum %u (1 token + %u pages + %u writes): ratio %.3f\n",
          requests, json_object_get_int_member (stats, "requests"),
          json_object_get_int_member (stats, "throttled"), minimum, pages, writes,
          (double) requests / minimum);
  printf ("the distributor's own rules would send %u: ours is %.2f of that\n", document,
          (double) requests / document);
  printf ("time: %.2f s vs budget floor %.2f s ((%u requests - %u in the first window) / %.0f per s): "
          "ratio %.2f\n", paced.seconds, floor_seconds, minimum, BUDGET_N, rate,
          floor_seconds > 0 ? paced.seconds / floor_seconds : 0.0);
  printf ("baseline: the same run without a budget took %.2f s (%.2f ms a request, one at a "
          "time, reading and planning included); at that speed the budget allows %.2f s: "
          "ratio %.2f\n", unpaced.seconds,
          1000 * unpaced.seconds / MAX (unpaced.requests, 1), sequential_floor,
          paced.seconds / sequential_floor);

  /* the same invoice again: nothing to write */
  licence_fixture_configure (f, "{\"reset_stats\": true}");
  again = lsn_licence_job_new (f->store, paced.profile, "cli");
  start = g_get_monotonic_time ();
  if (!lsn_licence_job_run (again, NULL, &error))
    {
      fprintf (stderr, "bench-licence: the second run failed: %s\n", error->message);
      return 1;
    }
  seconds_again = (g_get_monotonic_time () - start) / 1e6;
  g_clear_pointer (&stats, json_object_unref);
  stats = licence_fixture_stats (f);
  printf ("second run: %" G_GUINT64_FORMAT " requests (%" G_GINT64_FORMAT " throttled: the window "
          "still held the first run's requests), %" G_GINT64_FORMAT " writes, %.2f s\n",
          lsn_licence_job_get_halo_requests (again), json_object_get_int_member (stats, "throttled"),
          lsn_licence_job_get_counts (again)->created + lsn_licence_job_get_counts (again)->updated
          + lsn_licence_job_get_counts (again)->deleted, seconds_again);

  status = g_strcmp0 (lsn_licence_job_get_outcome (paced.job), "ok") == 0 && c->failed == 0 ? 0 : 1;
  g_clear_object (&again);
  run_clear (&paced);
  return status;
}
