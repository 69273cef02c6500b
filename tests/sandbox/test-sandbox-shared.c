/* test-sandbox-shared.c: the sandbox's shared pieces (limiter, faults, stats, config, companies)
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-sandbox-companies.h"
#include "lsn-sandbox-config.h"
#include "lsn-sandbox-faults.h"
#include "lsn-sandbox-limiter.h"
#include "lsn-sandbox-stats.h"
#include "lsn-test-util.h"

#define SEC G_USEC_PER_SEC

static void
test_limiter_window (void)
{
  g_autoptr(LsnSandboxLimiter) limiter = lsn_sandbox_limiter_new (3, 10);
  guint retry = 0;
  gint64 t0 = 1000 * SEC;

  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0, &retry));
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 1 * SEC, &retry));
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 2 * SEC, &retry));
  g_assert_false (lsn_sandbox_limiter_admit (limiter, t0 + 3 * SEC, &retry));
  g_assert_cmpuint (retry, ==, 7);
  /* Refusals do not use up the budget; the oldest leaves the window at t0 + 10 s. */
  g_assert_false (lsn_sandbox_limiter_admit (limiter, t0 + 9 * SEC, &retry));
  g_assert_cmpuint (retry, ==, 1);
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, &retry));
  g_assert_false (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, &retry));
  g_assert_cmpuint (lsn_sandbox_limiter_get_used (limiter, t0 + 10 * SEC), ==, 3);

  /* Reconfigured at run time: a bigger budget has room at once, keeping the recent admissions. */
  lsn_sandbox_limiter_configure (limiter, 5, 10);
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, NULL));
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, NULL));
  g_assert_false (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, NULL));

  lsn_sandbox_limiter_reset (limiter);
  g_assert_true (lsn_sandbox_limiter_admit (limiter, t0 + 10 * SEC, NULL));

  /* 0: no limit */
  lsn_sandbox_limiter_configure (limiter, 0, 1);
  for (guint i = 0; i < 1000; i++)
    g_assert_true (lsn_sandbox_limiter_admit (limiter, t0, NULL));
}

static void
test_limit_parse (void)
{
  guint n = 0, s = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (lsn_sandbox_limit_parse ("300/300", &n, &s, NULL));
  g_assert_cmpuint (n, ==, 300);
  g_assert_cmpuint (s, ==, 300);
  g_assert_true (lsn_sandbox_limit_parse ("0", &n, &s, NULL));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (lsn_sandbox_limit_parse ("300", &n, &s, NULL));
  g_assert_false (lsn_sandbox_limit_parse ("a/b", &n, &s, NULL));
  g_assert_false (lsn_sandbox_limit_parse ("10/0", &n, &s, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
}

static void
test_faults (void)
{
  g_autoptr(LsnSandboxFaults) a = lsn_sandbox_faults_new (7);
  g_autoptr(LsnSandboxFaults) b = lsn_sandbox_faults_new (7);
  guint counts[32] = { 0 };

  /* Rate 0: nothing, except what is queued. */
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (lsn_sandbox_faults_decide (a, "GET /api/Client"), ==, LSN_SANDBOX_FAULT_NONE);

  lsn_sandbox_faults_fail_next (a, 2, LSN_SANDBOX_FAULT_500, "POST /api/Client");
  lsn_sandbox_faults_fail_next (a, 1, LSN_SANDBOX_FAULT_DROP, NULL);
  g_assert_cmpint (lsn_sandbox_faults_decide (a, "GET /api/Client"), ==, LSN_SANDBOX_FAULT_DROP);
  g_assert_cmpint (lsn_sandbox_faults_decide (a, "GET /api/Client"), ==, LSN_SANDBOX_FAULT_NONE);
  g_assert_cmpint (lsn_sandbox_faults_decide (a, "post /api/client"), ==, LSN_SANDBOX_FAULT_500);
  g_assert_cmpint (lsn_sandbox_faults_decide (a, "POST /api/Client"), ==, LSN_SANDBOX_FAULT_500);
  g_assert_cmpint (lsn_sandbox_faults_decide (a, "POST /api/Client"), ==, LSN_SANDBOX_FAULT_NONE);

  /* Rate and kinds: only enabled kinds, the same sequence for the same seed. */
  lsn_sandbox_faults_set_rate (a, 0.5);
  lsn_sandbox_faults_set_rate (b, 0.5);
  lsn_sandbox_faults_set_kinds (a, LSN_SANDBOX_FAULT_500 | LSN_SANDBOX_FAULT_STALL);
  lsn_sandbox_faults_set_kinds (b, LSN_SANDBOX_FAULT_500 | LSN_SANDBOX_FAULT_STALL);
  for (guint i = 0; i < 1000; i++)
    {
      LsnSandboxFaultKind k = lsn_sandbox_faults_decide (a, NULL);

      g_assert_cmpint (k, ==, lsn_sandbox_faults_decide (b, NULL));
      g_assert_true (k == LSN_SANDBOX_FAULT_NONE || k == LSN_SANDBOX_FAULT_500 || k == LSN_SANDBOX_FAULT_STALL);
      counts[k]++;
    }
  g_assert_cmpuint (counts[LSN_SANDBOX_FAULT_NONE], >, 350);
  g_assert_cmpuint (counts[LSN_SANDBOX_FAULT_NONE], <, 650);
  g_assert_cmpuint (counts[LSN_SANDBOX_FAULT_500], >, 100);
  g_assert_cmpuint (counts[LSN_SANDBOX_FAULT_STALL], >, 100);

  g_assert_cmpint (lsn_sandbox_fault_kind_from_string ("truncate"), ==, LSN_SANDBOX_FAULT_TRUNCATE);
  g_assert_cmpint (lsn_sandbox_fault_kind_from_string ("nope"), ==, LSN_SANDBOX_FAULT_NONE);
  g_assert_cmpstr (lsn_sandbox_fault_kind_to_string (LSN_SANDBOX_FAULT_STALL), ==, "stall");
}

static void
test_stats (void)
{
  g_autoptr(LsnSandboxStats) stats = lsn_sandbox_stats_new ();
  g_autofree char *json = NULL;

  lsn_sandbox_stats_count_request (stats, "GET /api/Client");
  lsn_sandbox_stats_count_request (stats, "POST /api/Client");
  lsn_sandbox_stats_count_request (stats, "GET /api/Client");
  lsn_sandbox_stats_count_request (stats, NULL);
  lsn_sandbox_stats_count_throttled (stats);
  lsn_sandbox_stats_count_fault (stats);

  json = lsn_sandbox_stats_to_json (stats);
  g_assert_cmpstr (json, ==, "{\"requests\":4,\"by_route\":{\"GET /api/Client\":2,\"POST /api/Client\":1},"
                             "\"throttled\":1,\"faults\":1}");
  lsn_sandbox_stats_reset (stats);
  g_assert_cmpuint (lsn_sandbox_stats_get_requests (stats), ==, 0);
  g_assert_cmpuint (lsn_sandbox_stats_get_route (stats, "GET /api/Client"), ==, 0);
}

static void
test_config_parse (void)
{
  LsnSandboxConfig config;
  g_autoptr(GError) error = NULL;

  g_assert_true (lsn_sandbox_config_parse (&config,
                                           "{\"fault_rate\":0.2,\"fault_kinds\":[\"500\",\"drop\"],\"latency_ms\":20,"
                                           "\"limit\":\"30/60\",\"token_lifetime\":60,\"stall_ms\":100,"
                                           "\"fail_next\":{\"count\":3,\"kind\":\"500\",\"route\":\"POST /api/Client\"}}",
                                           -1, &error));
  g_assert_no_error (error);
  g_assert_true (config.has_fault_rate);
  g_assert_cmpfloat (config.fault_rate, ==, 0.2);
  g_assert_cmpint (config.fault_kinds, ==, LSN_SANDBOX_FAULT_500 | LSN_SANDBOX_FAULT_DROP);
  g_assert_cmpuint (config.latency_ms, ==, 20);
  g_assert_cmpuint (config.limit, ==, 30);
  g_assert_cmpuint (config.window_seconds, ==, 60);
  g_assert_cmpuint (config.token_lifetime, ==, 60);
  g_assert_cmpuint (config.stall_ms, ==, 100);
  g_assert_cmpuint (config.fail_next->len, ==, 1);
  g_assert_cmpstr (g_array_index (config.fail_next, LsnSandboxFailNext, 0).route, ==, "POST /api/Client");
  lsn_sandbox_config_clear (&config);

  g_assert_true (lsn_sandbox_config_parse (&config, "{\"fail_next\":[{\"kind\":\"drop\"},{\"kind\":\"stall\",\"count\":2}]}", -1, NULL));
  g_assert_cmpuint (config.fail_next->len, ==, 2);
  g_assert_false (config.has_fault_rate);
  lsn_sandbox_config_clear (&config);

  g_assert_false (lsn_sandbox_config_parse (&config, "{\"fault_rate\":2}", -1, NULL));
  g_assert_false (lsn_sandbox_config_parse (&config, "{\"fault_kinds\":[\"boom\"]}", -1, NULL));
  g_assert_false (lsn_sandbox_config_parse (&config, "{\"limit\":300}", -1, NULL));
  g_assert_false (lsn_sandbox_config_parse (&config, "{\"falt_rate\":0.1}", -1, NULL));
  g_assert_false (lsn_sandbox_config_parse (&config, "[1,2]", -1, NULL));
  g_assert_false (lsn_sandbox_config_parse (&config, "{\"latency_ms\":\"x\"", -1, NULL));
}

static void
test_companies_deterministic (void)
{
  g_autoptr(GPtrArray) a = lsn_sandbox_companies_generate (1234, 300, 250);
  g_autoptr(GPtrArray) b = lsn_sandbox_companies_generate (1234, 300, 250);
  g_autoptr(GPtrArray) other = lsn_sandbox_companies_generate (99, 300, 250);
  guint n_halo = 0, n_cw = 0, differ = 0;

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      LsnSandboxCompany *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      g_assert_cmpstr (x->halo_name, ==, y->halo_name);
      g_assert_cmpstr (x->cw_name, ==, y->cw_name);
      g_assert_cmpstr (x->domain, ==, y->domain);
      g_assert_cmpint (x->in_halo, ==, y->in_halo);
      g_assert_cmpuint (x->contacts->len, ==, y->contacts->len);
      n_halo += x->in_halo;
      n_cw += x->in_cw;
      if (i < other->len && g_strcmp0 (x->halo_name, ((LsnSandboxCompany *) g_ptr_array_index (other, i))->halo_name) != 0)
        differ++;
    }
  g_assert_cmpuint (n_halo, ==, 300);
  g_assert_cmpuint (n_cw, ==, 250);
  g_assert_cmpuint (differ, >, a->len / 2);
}

static void
test_companies_hard_cases (void)
{
  g_autoptr(GPtrArray) companies = lsn_sandbox_companies_generate (42, 20, 20);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean seen[6] = { FALSE };
  guint duplicates = 0, halo_inactive = 0, cw_inactive = 0;

  for (guint i = 0; i < companies->len; i++)
    {
      LsnSandboxCompany *c = g_ptr_array_index (companies, i);
      g_autofree char *key = lsn_sandbox_name_key (c->halo_name);
      g_autofree char *cw_key = lsn_sandbox_name_key (c->cw_name);

      seen[c->variation] = TRUE;
      duplicates += c->duplicate_of >= 0;
      halo_inactive += c->in_halo && c->halo_inactive;
      cw_inactive += c->in_cw && c->cw_inactive;

      switch (c->variation)
        {
        case LSN_SANDBOX_NAME_SAME:
          g_assert_cmpstr (c->halo_name, ==, c->cw_name);
          break;
        case LSN_SANDBOX_NAME_LTD_LIMITED:
          g_assert_true ((g_str_has_suffix (c->halo_name, " Ltd") && g_str_has_suffix (c->cw_name, " Limited")) ||
                         (g_str_has_suffix (c->halo_name, " Limited") && g_str_has_suffix (c->cw_name, " Ltd")));
          break;
        case LSN_SANDBOX_NAME_AMPERSAND:
          g_assert_nonnull (strstr (c->halo_name, " & "));
          g_assert_nonnull (strstr (c->cw_name, " and "));
          break;
        case LSN_SANDBOX_NAME_ACCENTS:
          g_assert_false (g_str_is_ascii (c->halo_name));
          g_assert_true (g_str_is_ascii (c->cw_name));
          break;
        case LSN_SANDBOX_NAME_CASE:
          g_assert_cmpstr (c->halo_name, !=, c->cw_name);
          {
            g_autofree char *x = g_utf8_casefold (c->halo_name, -1);
            g_autofree char *y = g_utf8_casefold (c->cw_name, -1);

            g_assert_cmpstr (x, ==, y);
          }
          break;
        case LSN_SANDBOX_NAME_PUNCTUATION:
          g_assert_cmpstr (c->halo_name, !=, c->cw_name);
          break;
        default:
          g_assert_not_reached ();
        }

      /* Different spellings of one company share the generator's key; different companies never do. */
      g_assert_cmpstr (key, ==, cw_key);
      if (c->duplicate_of < 0)
        {
          g_assert_false (g_hash_table_contains (keys, key));
          g_hash_table_add (keys, g_steal_pointer (&key));
        }

      for (guint j = 0; j < c->contacts->len; j++)
        {
          LsnSandboxContact *p = g_ptr_array_index (c->contacts, j);

          g_assert_true (g_str_has_suffix (p->email, c->domain));
          g_assert_true (g_str_is_ascii (p->email));
          g_assert_true (p->in_halo || p->in_cw);
          g_assert_true (!p->in_halo || c->in_halo);
        }
    }

  for (guint v = 0; v < G_N_ELEMENTS (seen); v++)
    g_assert_true (seen[v]);
  g_assert_cmpuint (duplicates, >=, 1);
  g_assert_cmpuint (halo_inactive, >=, 1);
  g_assert_cmpuint (cw_inactive, >=, 1);
}

static void
test_companies_sizes (void)
{
  g_autoptr(GPtrArray) none = lsn_sandbox_companies_generate (1, 0, 0);
  g_autoptr(GPtrArray) halo_only = lsn_sandbox_companies_generate (1, 15, 0);
  g_autoptr(GPtrArray) big = NULL;
  gint64 t0;
  double ms;

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (halo_only->len, ==, 15);
  for (guint i = 0; i < halo_only->len; i++)
    g_assert_false (((LsnSandboxCompany *) g_ptr_array_index (halo_only, i))->in_cw);

  t0 = g_get_monotonic_time ();
  big = lsn_sandbox_companies_generate (42, 10000, 10000);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("10,000 + 10,000 companies (%u records) in %.1f ms", big->len, ms);
  /* The target is well under 100 ms; the bound is loose for a loaded test machine. */
  g_assert_cmpfloat (ms, <, 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/limiter/window", test_limiter_window);
  g_test_add_func ("/sandbox/limiter/parse", test_limit_parse);
  g_test_add_func ("/sandbox/faults/decide", test_faults);
  g_test_add_func ("/sandbox/stats/json", test_stats);
  g_test_add_func ("/sandbox/config/parse", test_config_parse);
  g_test_add_func ("/sandbox/companies/deterministic", test_companies_deterministic);
  g_test_add_func ("/sandbox/companies/hard-cases", test_companies_hard_cases);
  g_test_add_func ("/sandbox/companies/sizes", test_companies_sizes);

  return g_test_run ();
}
