/* test-sync.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync engine against the sandbox over real HTTP: HaloPSA on the left, ConnectWise Manage on
 * the right, clients, sites and contacts.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "lsn-engine-fixture.h"
#include "lsn-error.h"
#include "lsn-profile-io.h"
#include "lsn-sync-store.h"
#include "lsn-test-util.h"

#define ALL_BOTH \
  "{\"client\": {\"direction\": \"both\"}, \"site\": {\"direction\": \"both\"}, " \
  "\"contact\": {\"direction\": \"both\"}}"
#define QUIET0 "\"quiet_window_seconds\": 0"

static void
options_for (LsnSandboxOptions *o,
             int                halo,
             int                cw)
{
  lsn_sandbox_options_init (o);
  o->halo_clients = halo;
  o->cw_clients = cw;
}

/* Every record of @from is linked to exactly one record of @to with the same name, and every
 * link points at records that exist. */
static void
assert_mirrored (EngineFixture *f,
                 LsnSide        from,
                 const char    *kind)
{
  g_autoptr(GPtrArray) src = engine_fixture_list (f, from, kind);
  g_autoptr(GPtrArray) dst = engine_fixture_list (f, LSN_SIDE_OTHER (from), kind);
  g_autoptr(GPtrArray) links = engine_fixture_links (f, kind);
  g_autoptr(GHashTable) dst_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < dst->len; i++)
    g_hash_table_insert (dst_by_id, (gpointer) lsn_record_get_remote_id (g_ptr_array_index (dst, i)),
                         g_ptr_array_index (dst, i));

  for (guint i = 0; i < src->len; i++)
    {
      LsnRecord *s = g_ptr_array_index (src, i);
      const char *tid = engine_fixture_linked_id (links, from, lsn_record_get_remote_id (s));
      LsnRecord *t;

      if (tid == NULL)
        g_error ("%s %s “%s” on the %s side has no link", kind, lsn_record_get_remote_id (s),
                 lsn_record_get_name (s), lsn_side_to_string (from));
      t = g_hash_table_lookup (dst_by_id, tid);
      g_assert_nonnull (t);
      g_assert_cmpstr (lsn_record_get_name (t), ==, lsn_record_get_name (s));
      g_assert_false (g_hash_table_contains (used, tid));
      g_hash_table_add (used, (gpointer) tid);
    }
  /* nothing was created twice */
  g_assert_cmpuint (dst->len, ==, src->len);
}

static void
test_first_sync_left_to_right (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  guint64 writes;

  options_for (&o, 8, 0);
  engine_fixture_init (&f, &o, ALL_BOTH, QUIET0);

  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpstr (lsn_sync_job_get_outcome (job), ==, "ok");
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->created, >, 8);
  }
  assert_mirrored (&f, LSN_SIDE_LEFT, "client");
  assert_mirrored (&f, LSN_SIDE_LEFT, "site");
  assert_mirrored (&f, LSN_SIDE_LEFT, "contact");

  /* the second and third runs write nothing */
  writes = engine_fixture_writes (&f, "halopsa") + engine_fixture_writes (&f, "connectwise");
  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
      g_assert_cmpint (lsn_sync_job_get_counts (job)->created, ==, 0);
      g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 0);
      g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
    }
  g_assert_cmpuint (engine_fixture_writes (&f, "halopsa") + engine_fixture_writes (&f, "connectwise"),
                    ==, writes);

  engine_fixture_clear (&f);
}

static void
test_first_sync_right_to_left (void)
{
  EngineFixture f;
  LsnSandboxOptions o;

  options_for (&o, 0, 8);
  engine_fixture_init (&f, &o, ALL_BOTH, QUIET0);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
  }
  assert_mirrored (&f, LSN_SIDE_RIGHT, "client");
  assert_mirrored (&f, LSN_SIDE_RIGHT, "site");
  assert_mirrored (&f, LSN_SIDE_RIGHT, "contact");
  engine_fixture_clear (&f);
}

static const char *
first_client (EngineFixture *f,
              LsnSide        side,
              guint          index)
{
  g_autoptr(GPtrArray) all = engine_fixture_list (f, side, "client");
  static char id[64];

  g_assert_cmpuint (all->len, >, index);
  g_strlcpy (id, lsn_record_get_remote_id (g_ptr_array_index (all, index)), sizeof id);
  return id;
}

static const char *
field_of (EngineFixture *f,
          LsnSide        side,
          const char    *id,
          const char    *field)
{
  g_autoptr(LsnRecord) r = engine_fixture_find (f, side, "client", id);
  static char value[256];
  const char *v = lsn_record_get_string (r, field);

  g_strlcpy (value, v ? v : "", sizeof value);
  return value;
}

static void
test_updates_each_side (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *left = NULL;
  const char *right;
  guint64 writes;

  options_for (&o, 4, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));

  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right = engine_fixture_linked_id (links, LSN_SIDE_LEFT, left);
  g_assert_nonnull (right);

  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"website\": \"https://left.example.com\"}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 1);
  }
  g_assert_cmpstr (field_of (&f, LSN_SIDE_RIGHT, right, "website"), ==, "https://left.example.com");

  engine_fixture_update (&f, LSN_SIDE_RIGHT, "client", right, "{\"name\": \"Renamed On The Right\"}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 1);
  }
  g_assert_cmpstr (field_of (&f, LSN_SIDE_LEFT, left, "name"), ==, "Renamed On The Right");

  /* echoes: our own writes come back and are not sent again */
  writes = engine_fixture_writes (&f, "halopsa") + engine_fixture_writes (&f, "connectwise");
  g_object_unref (engine_fixture_sync_ok (&f));
  g_object_unref (engine_fixture_sync_ok (&f));
  g_assert_cmpuint (engine_fixture_writes (&f, "halopsa") + engine_fixture_writes (&f, "connectwise"),
                    ==, writes);
  engine_fixture_clear (&f);
}

static void
run_conflict (const char *master,
              LsnSide     expected_winner)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *kinds = g_strdup_printf ("{\"client\": {\"direction\": \"both\", "
                                            "\"master\": \"%s\"}}", master);
  g_autofree char *left = NULL;
  const char *right;
  const char *winner;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, kinds, QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 1));
  right = engine_fixture_linked_id (links, LSN_SIDE_LEFT, left);

  /* for "newest" the right side changes last */
  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"website\": \"https://left.example\"}");
  g_usleep (1100 * 1000);
  engine_fixture_update (&f, LSN_SIDE_RIGHT, "client", right, "{\"website\": \"https://right.example\"}");
  g_object_unref (engine_fixture_sync_ok (&f));

  winner = expected_winner == LSN_SIDE_LEFT ? "https://left.example" : "https://right.example";
  g_assert_cmpstr (field_of (&f, LSN_SIDE_LEFT, left, "website"), ==, winner);
  g_assert_cmpstr (field_of (&f, LSN_SIDE_RIGHT, right, "website"), ==, winner);
  engine_fixture_clear (&f);
}

static void
test_conflict_master_left (void)
{
  run_conflict ("left", LSN_SIDE_LEFT);
}

static void
test_conflict_master_right (void)
{
  run_conflict ("right", LSN_SIDE_RIGHT);
}

static void
test_conflict_newest (void)
{
  run_conflict ("newest", LSN_SIDE_RIGHT);
}

static void
test_inactive_propagates (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *left = NULL;
  g_autoptr(LsnRecord) r = NULL;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));

  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"inactive\": true}");
  g_object_unref (engine_fixture_sync_ok (&f));
  r = engine_fixture_find (&f, LSN_SIDE_RIGHT, "client",
                           engine_fixture_linked_id (links, LSN_SIDE_LEFT, left));
  /* marked inactive on the other side, never deleted */
  g_assert_true (lsn_record_get_inactive (r));
  engine_fixture_clear (&f);
}

static void
test_filters (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GPtrArray) right = NULL;
  guint active = 0;

  options_for (&o, 30, 0);
  engine_fixture_init (&f, &o,
                       "{\"client\": {\"direction\": \"left-to-right\", "
                       "\"filters\": {\"active_only\": true}}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));

  left = engine_fixture_list (&f, LSN_SIDE_LEFT, "client");
  right = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");
  for (guint i = 0; i < left->len; i++)
    if (!lsn_record_get_inactive (g_ptr_array_index (left, i)))
      active++;
  g_assert_cmpuint (active, <, left->len); /* the data set has inactive clients */
  g_assert_cmpuint (right->len, ==, active);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = 'filtered'"),
                   ==, left->len - active);

  /* name filter */
  engine_fixture_set_kinds (&f, "{\"client\": {\"direction\": \"left-to-right\", "
                                "\"filters\": {\"name_contains\": \"zzz-no-such-name\"}}}", QUIET0);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->created, ==, 0);
  }
  engine_fixture_clear (&f);
}

static void
test_new_only_ignores_updates (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *left = NULL;
  g_autofree char *before = NULL;
  const char *right;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\", \"mode\": \"new-only\"}}",
                       QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right = engine_fixture_linked_id (links, LSN_SIDE_LEFT, left);
  before = g_strdup (field_of (&f, LSN_SIDE_RIGHT, right, "website"));

  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"website\": \"https://new-only.example\"}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 0);
  }
  g_assert_cmpstr (field_of (&f, LSN_SIDE_RIGHT, right, "website"), ==, before);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = 'new-only'"),
                   ==, 1);
  engine_fixture_clear (&f);
}

static void
test_quiet_window (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;

  options_for (&o, 2, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}",
                       "\"quiet_window_seconds\": 120");
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right = g_strdup (engine_fixture_linked_id (links, LSN_SIDE_LEFT, left));

  /* right after Liaison created it there, a change on the right does not flow back */
  engine_fixture_update (&f, LSN_SIDE_RIGHT, "client", right, "{\"website\": \"https://quiet.example\"}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 0);
  }
  g_assert_cmpstr (field_of (&f, LSN_SIDE_LEFT, left, "website"), !=, "https://quiet.example");

  /* once the window is over it does */
  engine_fixture_set_kinds (&f, "{\"client\": {\"direction\": \"both\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  g_assert_cmpstr (field_of (&f, LSN_SIDE_LEFT, left, "website"), ==, "https://quiet.example");
  engine_fixture_clear (&f);
}

static void
test_mass_change_guard (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) left = NULL;
  guint64 writes;

  options_for (&o, 10, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}",
                       QUIET0 ", \"guard\": {\"share\": 0.2, \"min\": 2}");
  g_object_unref (engine_fixture_sync_ok (&f));

  left = engine_fixture_list (&f, LSN_SIDE_LEFT, "client");
  for (guint i = 0; i < 5; i++)
    engine_fixture_update (&f, LSN_SIDE_LEFT, "client",
                           lsn_record_get_remote_id (g_ptr_array_index (left, i)),
                           "{\"website\": \"https://guard.example\"}");

  writes = engine_fixture_writes (&f, "connectwise");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpstr (lsn_sync_job_get_outcome (job), ==, "guarded");
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 0);
  }
  g_assert_cmpuint (engine_fixture_writes (&f, "connectwise"), ==, writes);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = 'guarded'"),
                   ==, 5);

  /* confirmed: applied */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LsnSyncJob) job = engine_fixture_sync (&f, FALSE, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lsn_sync_job_get_outcome (job), ==, "ok");
    g_assert_cmpint (lsn_sync_job_get_counts (job)->updated, ==, 5);
  }
  engine_fixture_clear (&f);
}

static void
test_dry_run_changes_nothing (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSyncJob) job = NULL;
  LsnPlan *plan;
  guint creates = 0;

  options_for (&o, 5, 0);
  engine_fixture_init (&f, &o, ALL_BOTH, QUIET0);
  job = engine_fixture_sync (&f, TRUE, FALSE, &error);
  g_assert_no_error (error);

  plan = lsn_sync_job_get_plan (job);
  for (guint i = 0; i < plan->kinds->len; i++)
    creates += lsn_kind_plan_count (g_ptr_array_index (plan->kinds, i), LSN_ACTION_CREATE);
  g_assert_cmpuint (creates, >, 5);

  g_assert_cmpuint (engine_fixture_writes (&f, "connectwise"), ==, 0);
  g_assert_cmpuint (engine_fixture_writes (&f, "halopsa"), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events"), ==, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM remote_records"), ==, 0);
  engine_fixture_clear (&f);
}

static void
test_rate_limit_storm (void)
{
  EngineFixture f;
  LsnSandboxOptions o;

  /* the server allows far less than the profile's budget believes: 429s, waited out */
  options_for (&o, 0, 5);
  o.halo_limit = 12;
  o.halo_window = 1;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}, \"site\": {\"direction\": \"both\"}}",
                       QUIET0);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    LsnSyncProgress p;
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
    lsn_sync_job_get_progress (job, &p);
    g_assert_cmpuint (p.throttled, >, 0);
  }
  assert_mirrored (&f, LSN_SIDE_RIGHT, "client");
  assert_mirrored (&f, LSN_SIDE_RIGHT, "site");
  engine_fixture_clear (&f);
}

static void
test_token_expiry_mid_run (void)
{
  EngineFixture f;
  LsnSandboxOptions o;

  options_for (&o, 0, 6);
  o.token_lifetime = 1;
  o.latency_ms = 40;
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}, \"site\": {\"direction\": \"both\"}}",
                       QUIET0);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
  }
  assert_mirrored (&f, LSN_SIDE_RIGHT, "client");
  engine_fixture_clear (&f);
}

static void
test_faults_then_recovery (void)
{
  EngineFixture f;
  LsnSandboxOptions o;

  options_for (&o, 10, 0);
  o.stall_ms = 2500;
  engine_fixture_init (&f, &o, ALL_BOTH, QUIET0);

  /* 5xx, dropped connections, cut bodies and stalls on the writing side */
  engine_fixture_configure (&f, "connectwise",
                            "{\"fault_rate\": 0.25, \"fault_kinds\": [\"500\", \"drop\", "
                            "\"truncate\", \"stall\"]}");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LsnSyncJob) job = engine_fixture_sync (&f, FALSE, FALSE, &error);
    /* it may finish with failures, or fail to read at all: never crash, never duplicate */
    g_clear_error (&error);
  }

  engine_fixture_configure (&f, "connectwise", "{\"fault_rate\": 0}");
  for (guint i = 0; i < 2; i++)
    g_object_unref (engine_fixture_sync_ok (&f));

  assert_mirrored (&f, LSN_SIDE_LEFT, "client");
  assert_mirrored (&f, LSN_SIDE_LEFT, "site");
  assert_mirrored (&f, LSN_SIDE_LEFT, "contact");
  engine_fixture_clear (&f);
}

static void
test_not_found_on_update (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GPtrArray) right_before = NULL;
  g_autoptr(GPtrArray) right_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *left = NULL;
  const char *right;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  /* a second run reads what the first created: from now on the right side is read
   * incrementally, which cannot see deletions */
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right = engine_fixture_linked_id (links, LSN_SIDE_LEFT, left);

  /* someone deletes the record on the right, then the left one changes */
  g_assert_true (lsn_connector_delete (f.outside[LSN_SIDE_RIGHT], "client", right, NULL, &error));
  g_assert_no_error (error);
  right_before = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");
  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"website\": \"https://gone.example\"}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    /* incremental pulls do not see deletions: the update meets a 404 */
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 1);
  }
  right_after = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");
  g_assert_cmpuint (right_after->len, ==, right_before->len); /* never created again */
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = "
                                             "'failed' AND message LIKE '%not created again%'"),
                   ==, 1);
  engine_fixture_clear (&f);
}

static void
test_relink_after_losing_the_database (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSyncJob) relink = NULL;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *json = NULL;
  gint64 n_links;

  options_for (&o, 6, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  n_links = engine_fixture_count (&f, "SELECT count(*) FROM links");
  g_assert_cmpint (n_links, ==, 6);

  /* a new, empty database with the same profile */
  lsn_store_close (f.store);
  g_clear_object (&f.store);
  g_clear_object (&f.profile);
  g_remove (f.db_path);
  {
    g_autofree char *wal = g_strconcat (f.db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (f.db_path, "-shm", NULL);
    g_remove (wal);
    g_remove (shm);
  }
  f.store = lsn_store_open (f.db_path, &error);
  g_assert_no_error (error);
  json = engine_fixture_profile_json (&f, "{\"client\": {\"direction\": \"both\"}}", QUIET0);
  f.profile = lsn_profile_import (f.store, json, NULL, FALSE, &error);
  g_assert_no_error (error);

  relink = lsn_sync_job_new (f.store, f.profile, "cli");
  lsn_sync_job_set_links_only (relink, TRUE);
  g_assert_true (lsn_sync_job_run (relink, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links"), ==, n_links);

  /* and a sync after it creates nothing */
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->created, ==, 0);
  }
  assert_mirrored (&f, LSN_SIDE_LEFT, "client");
  engine_fixture_clear (&f);
}

static void
test_retry_failed_export (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSyncJob) retry = NULL;
  gint64 failed_id;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}", QUIET0);
  /* the next company create is refused with a validation error */
  engine_fixture_configure (&f, "connectwise",
                            "{\"fail_next\": {\"count\": 1, \"kind\": \"500\", "
                            "\"route\": \"POST /company/companies\"}}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 1);
    g_assert_cmpstr (lsn_sync_job_get_outcome (job), ==, "partial");
  }
  failed_id = engine_fixture_count (&f, "SELECT max(id) FROM audit_events WHERE outcome = 'failed'");
  g_assert_cmpint (failed_id, >, 0);

  retry = lsn_sync_job_new (f.store, f.profile, "retry");
  lsn_sync_job_set_retry_of (retry, failed_id);
  g_assert_true (lsn_sync_job_run (retry, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsn_sync_job_get_counts (retry)->created, ==, 1);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = 'ok' "
                                             "AND action = 'create' AND retry_of IS NOT NULL"), ==, 1);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT trigger = 'retry' FROM runs ORDER BY id DESC LIMIT 1"),
                   ==, 1);
  assert_mirrored (&f, LSN_SIDE_LEFT, "client");
  engine_fixture_clear (&f);
}

static void
test_held_matches_and_decisions (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) holds = NULL;
  guint confident = 0;

  /* the same MSP's two systems: most companies in both, named a little differently */
  options_for (&o, 20, 20);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\"}}", QUIET0);
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
  }

  holds = lsn_profile_list_matches (f.store, f.profile, "client", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (holds->len, >, 5);
  /* names alone linked nothing */
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links WHERE origin != 'sync'"), ==, 0);

  for (guint i = 0; i < holds->len; i++)
    {
      LsnPlanAction *a = g_ptr_array_index (holds, i);
      JsonObject *c;

      if (!lsn_plan_action_is_confident (a, holds))
        continue;
      c = json_array_get_object_element (a->candidates, 0);
      g_assert_true (lsn_profile_decide_match (f.store, f.profile, "client",
                                               a->source_side == LSN_SIDE_LEFT ? a->source_id
                                                 : json_object_get_string_member (c, "id"),
                                               a->source_side == LSN_SIDE_LEFT
                                                 ? json_object_get_string_member (c, "id") : a->source_id,
                                               TRUE, &error));
      g_assert_no_error (error);
      confident++;
    }
  g_assert_cmpuint (confident, >, 0);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM links WHERE origin = 'mapping'"),
                   ==, confident);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE action = 'map'"),
                   ==, confident);

  /* the accepted pairs are no longer suggested; the sync does not duplicate them */
  {
    g_autoptr(GPtrArray) again = lsn_profile_list_matches (f.store, f.profile, "client", &error);
    g_assert_cmpuint (again->len, ==, holds->len - confident);
  }
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 0);
  }
  engine_fixture_clear (&f);
}

static void
test_deleted_reported_and_archived (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnRecord) partner = NULL;
  g_autoptr(LsnSyncJob) job = NULL;
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;
  g_autoptr(GPtrArray) left_all = NULL;
  guint before;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"both\", \"archive_deleted\": true}}",
                       QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  links = engine_fixture_links (&f, "client");
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right = g_strdup (engine_fixture_linked_id (links, LSN_SIDE_LEFT, left));
  left_all = engine_fixture_list (&f, LSN_SIDE_LEFT, "client");
  before = left_all->len;

  /* someone deletes the company in ConnectWise */
  g_assert_true (lsn_connector_delete (f.outside[LSN_SIDE_RIGHT], "client", right, NULL, &error));
  g_assert_no_error (error);

  /* a full read finds the deletion: reported, and the partner archived, never deleted */
  job = lsn_sync_job_new (f.store, f.profile, "cli");
  lsn_sync_job_set_full (job, TRUE);
  g_assert_true (lsn_sync_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsn_sync_job_get_counts (job)->deleted, ==, 1);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE action = 'delete' "
                                             "AND outcome = 'reported'"), ==, 1);
  partner = engine_fixture_find (&f, LSN_SIDE_LEFT, "client", left);
  g_assert_true (lsn_record_get_inactive (partner));
  g_clear_pointer (&left_all, g_ptr_array_unref);
  left_all = engine_fixture_list (&f, LSN_SIDE_LEFT, "client");
  g_assert_cmpuint (left_all->len, ==, before);

  /* and it is not recreated on the right by the next runs */
  g_object_unref (engine_fixture_sync_ok (&f));
  {
    g_autoptr(GPtrArray) right_all = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");
    g_assert_cmpuint (right_all->len, ==, 2);
  }
  engine_fixture_clear (&f);
}

static void
test_forbidden_update (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  g_autoptr(GPtrArray) links = NULL;
  g_autofree char *left = NULL;
  g_autoptr(GPtrArray) right_before = NULL;
  g_autoptr(GPtrArray) right_after = NULL;

  options_for (&o, 3, 0);
  engine_fixture_init (&f, &o, "{\"client\": {\"direction\": \"left-to-right\"}}", QUIET0);
  g_object_unref (engine_fixture_sync_ok (&f));
  left = g_strdup (first_client (&f, LSN_SIDE_LEFT, 0));
  right_before = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");

  engine_fixture_update (&f, LSN_SIDE_LEFT, "client", left, "{\"website\": \"https://denied.example\"}");
  engine_fixture_configure (&f, "connectwise",
                            "{\"fail_next\": {\"count\": 1, \"kind\": \"403\", "
                            "\"route\": \"PATCH /company/companies/{id}\"}}");
  {
    g_autoptr(LsnSyncJob) job = engine_fixture_sync_ok (&f);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->failed, ==, 1);
    g_assert_cmpint (lsn_sync_job_get_counts (job)->created, ==, 0);
  }
  right_after = engine_fixture_list (&f, LSN_SIDE_RIGHT, "client");
  g_assert_cmpuint (right_after->len, ==, right_before->len);
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = "
                                             "'failed' AND message LIKE '%permission%' AND request "
                                             "LIKE 'PATCH %'"), ==, 1);
  engine_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/engine/first-sync/left-to-right", test_first_sync_left_to_right);
  g_test_add_func ("/engine/first-sync/right-to-left", test_first_sync_right_to_left);
  g_test_add_func ("/engine/updates-each-side", test_updates_each_side);
  g_test_add_func ("/engine/conflict/master-left", test_conflict_master_left);
  g_test_add_func ("/engine/conflict/master-right", test_conflict_master_right);
  g_test_add_func ("/engine/conflict/newest", test_conflict_newest);
  g_test_add_func ("/engine/inactive", test_inactive_propagates);
  g_test_add_func ("/engine/filters", test_filters);
  g_test_add_func ("/engine/new-only", test_new_only_ignores_updates);
  g_test_add_func ("/engine/quiet-window", test_quiet_window);
  g_test_add_func ("/engine/guard", test_mass_change_guard);
  g_test_add_func ("/engine/dry-run", test_dry_run_changes_nothing);
  g_test_add_func ("/engine/rate-limit-storm", test_rate_limit_storm);
  g_test_add_func ("/engine/token-expiry", test_token_expiry_mid_run);
  g_test_add_func ("/engine/faults", test_faults_then_recovery);
  g_test_add_func ("/engine/not-found-on-update", test_not_found_on_update);
  g_test_add_func ("/engine/relink", test_relink_after_losing_the_database);
  g_test_add_func ("/engine/retry", test_retry_failed_export);
  g_test_add_func ("/engine/held-matches", test_held_matches_and_decisions);
  g_test_add_func ("/engine/deleted", test_deleted_reported_and_archived);
  g_test_add_func ("/engine/forbidden-update", test_forbidden_update);

  return g_test_run ();
}
