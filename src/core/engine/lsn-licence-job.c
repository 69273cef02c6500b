/* lsn-licence-job.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One run of a licence profile: a distributor's billing feed on one side, HaloPSA on the other
 * (kind "licence"). Read the invoice → read HaloPSA's clients and licences → plan
 * (lsn-licence-planner.c) → apply through the outbox → record, like lsn-sync-job.c.
 *
 * Failures: an invoice with any problem (reported line by line, each as an audit event), or a
 * failure to read the clients or the licences, fails the run before anything is written. Rate
 * limits are paced by the HTTP client (the connection's budget, Retry-After, backoff); a 429
 * that outlives its waits is waited out again here, a few rounds, instead of failing. Expired
 * tokens are renewed by the HaloPSA connector. A write that fails for one licence is recorded
 * and the run goes on; a failure that would fail every write (authentication, the network, a
 * rate limit that does not lift) stops the run, leaving the rest queued.
 *
 * Crash safety: every write is queued in the outbox in one transaction with the run's other
 * events, marked "sending" just before it goes out, and its result and audit event are committed
 * together. The rules match licences by content (client and product), so an interrupted run is
 * finished by planning again from what HaloPSA holds: the next run closes the rows left
 * "pending", "sending" or "unknown" (with an event for the ones that may have been sent), and
 * a create that did reach HaloPSA is found there and not sent twice. A create the previous run
 * was sending when it stopped may still be in HaloPSA's hands and land a moment later: before it
 * reads HaloPSA, the next run waits until such a create has been out as long as a request may
 * take (the HTTP client's timeout), so that it finds the licence instead of creating it again.
 *
 * An LsnJob (lsn-job.c): the run row, progress, the outbox, the audit events and the wait for
 * interrupted creates are the base's. Threading: as LsnJob; the connectors are used only by the
 * thread running the job.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-licence-job.h"
#include "lsn-licence-planner.h"
#include "lsn-profile-config.h"
#include "feed/lsn-feed-connector.h"

/* After the HTTP client gave up waiting out a 429: wait this long, this many more times. */
#define RATE_LIMIT_ROUNDS      4
#define RATE_LIMIT_PAUSE_USEC  (2 * G_USEC_PER_SEC)
#define MAX_ISSUE_EVENTS       LSN_FEED_MAX_ISSUES

struct _LsnLicenceJob
{
  LsnJob               parent_instance;

  /* set before the run, then read-only */
  LsnConnector        *feed;
  LsnConnector        *halo;

  /* worker */
  LsnSide              feed_side;
  LsnFeedResult       *feed_result;
};

G_DEFINE_FINAL_TYPE (LsnLicenceJob, lsn_licence_job, LSN_TYPE_JOB)

static gboolean lsn_licence_job_run_body   (LsnJob       *job,
                                            GError      **error);
static gboolean lsn_licence_job_send_write (LsnJob       *job,
                                            LsnJobWrite  *write,
                                            GError      **error);

static void
lsn_licence_job_finalize (GObject *object)
{
  LsnLicenceJob *self = (LsnLicenceJob *) object;

  g_clear_object (&self->feed);
  g_clear_object (&self->halo);
  g_clear_pointer (&self->feed_result, lsn_feed_result_free);

  G_OBJECT_CLASS (lsn_licence_job_parent_class)->finalize (object);
}

static void
lsn_licence_job_class_init (LsnLicenceJobClass *klass)
{
  LsnJobClass *job_class = LSN_JOB_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lsn_licence_job_finalize;
  job_class->run_body = lsn_licence_job_run_body;
  job_class->send_write = lsn_licence_job_send_write;
}

static void
lsn_licence_job_init (LsnLicenceJob *self)
{
  self->feed_side = LSN_SIDE_LEFT;
}

/**
 * lsn_licence_job_handles_profile:
 * @settings_json: a profile file
 *
 * Returns: %TRUE when the profile is a billing feed into HaloPSA licences (one side's connector
 *   is "feed"): run it with an #LsnLicenceJob, not an #LsnSyncJob
 */
gboolean
lsn_licence_job_handles_profile (const char *settings_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  if (settings_json == NULL || !json_parser_load_from_data (parser, settings_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));

  for (guint s = 0; s < 2; s++)
    {
      JsonNode *side = json_object_get_member (root, s == 0 ? "left" : "right");
      JsonNode *connector;

      if (side == NULL || !JSON_NODE_HOLDS_OBJECT (side))
        continue;
      connector = json_object_get_member (json_node_get_object (side), "connector");
      if (connector != NULL && json_node_get_value_type (connector) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (connector), "feed") == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * lsn_licence_job_new:
 * @trigger: "manual", "schedule", "retry" or "cli"
 *
 * Returns: (transfer full): a job for one run of @profile
 */
LsnLicenceJob *
lsn_licence_job_new (LsnStore   *store,
                     LsnProfile *profile,
                     const char *trigger)
{
  LsnLicenceJob *self = g_object_new (LSN_TYPE_LICENCE_JOB, NULL);

  lsn_job_construct (LSN_JOB (self), store, profile, trigger);
  return self;
}

/**
 * lsn_licence_job_set_dry_run:
 *
 * A dry run reads and plans, and writes nothing: no request to HaloPSA, no row in the database.
 */
void
lsn_licence_job_set_dry_run (LsnLicenceJob *self,
                             gboolean       dry_run)
{
  lsn_job_set_dry_run (LSN_JOB (self), dry_run);
}

/**
 * lsn_licence_job_set_confirmed:
 *
 * The person confirmed a mass change: the guard does not stop the run.
 */
void
lsn_licence_job_set_confirmed (LsnLicenceJob *self,
                               gboolean       confirmed)
{
  lsn_job_set_confirmed (LSN_JOB (self), confirmed);
}

/**
 * lsn_licence_job_set_connectors:
 * @feed: an #LsnFeedConnector
 * @halo: an #LsnHalopsaConnector
 *
 * Uses these connectors instead of building them from the profile (tests, benchmarks).
 */
void
lsn_licence_job_set_connectors (LsnLicenceJob *self,
                                LsnConnector  *feed,
                                LsnConnector  *halo)
{
  g_set_object (&self->feed, feed);
  g_set_object (&self->halo, halo);
}

void
lsn_licence_job_set_progress_func (LsnLicenceJob       *self,
                                   LsnSyncProgressFunc  func,
                                   gpointer             user_data)
{
  lsn_job_set_progress_func (LSN_JOB (self), func, user_data);
}

/**
 * lsn_licence_job_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan, once the run planned (also for a dry run)
 */
LsnPlan *
lsn_licence_job_get_plan (LsnLicenceJob *self)
{
  return lsn_job_get_plan (LSN_JOB (self));
}

/**
 * lsn_licence_job_get_feed:
 *
 * Returns: (transfer none) (nullable): the invoice as read: its rows and its problems
 */
LsnFeedResult *
lsn_licence_job_get_feed (LsnLicenceJob *self)
{
  return self->feed_result;
}

gint64
lsn_licence_job_get_run_id (LsnLicenceJob *self)
{
  return lsn_job_get_run_id (LSN_JOB (self));
}

/**
 * lsn_licence_job_get_outcome:
 *
 * Returns: "running", "ok", "partial" (some writes failed), "failed", "cancelled" or "guarded"
 */
const char *
lsn_licence_job_get_outcome (LsnLicenceJob *self)
{
  return lsn_job_get_outcome (LSN_JOB (self));
}

const LsnRunCounts *
lsn_licence_job_get_counts (LsnLicenceJob *self)
{
  return lsn_job_get_counts (LSN_JOB (self));
}

void
lsn_licence_job_get_progress (LsnLicenceJob   *self,
                              LsnSyncProgress *progress)
{
  lsn_job_get_progress (LSN_JOB (self), progress);
}

static LsnSide
halo_side (LsnLicenceJob *self)
{
  return LSN_SIDE_OTHER (self->feed_side);
}

/**
 * lsn_licence_job_get_halo_requests:
 *
 * Returns: the requests this run sent to HaloPSA, retries and token requests included
 */
guint64
lsn_licence_job_get_halo_requests (LsnLicenceJob *self)
{
  return lsn_job_get_requests (LSN_JOB (self), halo_side (self));
}

/* Shorthands for what the base job holds. */

static gint64
profile_id (LsnLicenceJob *self)
{
  return lsn_job_get_profile_id (LSN_JOB (self));
}

static LsnProfileConfig *
config (LsnLicenceJob *self)
{
  return lsn_job_get_config (LSN_JOB (self));
}

static LsnRunCounts *
counts (LsnLicenceJob *self)
{
  return lsn_job_get_mutable_counts (LSN_JOB (self));
}

static gboolean
dry_run (LsnLicenceJob *self)
{
  return lsn_job_get_dry_run (LSN_JOB (self));
}

static GCancellable *
cancellable (LsnLicenceJob *self)
{
  return lsn_job_get_cancellable (LSN_JOB (self));
}

static void
report (LsnLicenceJob *self,
        LsnSyncPhase   phase,
        const char    *kind,
        guint          done,
        guint          total)
{
  lsn_job_report (LSN_JOB (self), phase, kind, done, total);
}

static gboolean
in_transaction (LsnLicenceJob  *self,
                LsnJobDbOp      op,
                gpointer        data,
                GError        **error)
{
  return lsn_job_in_transaction (LSN_JOB (self), op, data, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Events                                                                                        */

static gboolean
record_issues_op (LsnJob   *job,
                  sqlite3  *db,
                  gpointer  data,
                  GError  **error)
{
  LsnFeedResult *result = data;

  for (guint i = 0; i < result->issues->len && i < MAX_ISSUE_EVENTS; i++)
    {
      LsnFeedIssue *issue = g_ptr_array_index (result->issues, i);
      g_autoptr(LsnAuditEvent) e = lsn_job_new_event (job, LSN_KIND_LICENCE, "read", "invalid");

      if (issue->line > 0)
        {
          e->left_name = g_strdup_printf ("line %u", issue->line);
          e->message = g_strdup_printf ("Invoice line %u: %s", issue->line, issue->message);
        }
      else
        e->message = g_strdup_printf ("Invoice: %s", issue->message);
      if (lsn_db_insert_event (db, e, error) == 0)
        return FALSE;
    }
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* Connectors and reading                                                                        */

static gboolean
ensure_connectors (LsnLicenceJob  *self,
                   GError        **error)
{
  if (self->feed == NULL)
    {
      self->feed = lsn_sync_build_connector (lsn_profile_config_get_side (config (self),
                                                                          self->feed_side),
                                             error);
      if (self->feed == NULL)
        {
          g_prefix_error (error, "The billing feed cannot be used: ");
          return FALSE;
        }
    }
  if (self->halo == NULL)
    {
      self->halo = lsn_sync_build_connector (lsn_profile_config_get_side (config (self),
                                                                          halo_side (self)),
                                             error);
      if (self->halo == NULL)
        {
          g_prefix_error (error, "The HaloPSA connection cannot be used: ");
          return FALSE;
        }
    }
  if (!LSN_IS_FEED_CONNECTOR (self->feed))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The licence job needs a billing feed (connector \"feed\") on one side");
      return FALSE;
    }

  /* the job writes to HaloPSA only: its budget shows in the progress */
  lsn_job_set_connector (LSN_JOB (self), self->feed_side, self->feed, FALSE);
  lsn_job_set_connector (LSN_JOB (self), halo_side (self), self->halo, TRUE);
  lsn_job_watch_connectors (LSN_JOB (self));
  return TRUE;
}

static gboolean
check_profile (LsnLicenceJob  *self,
               GError        **error)
{
  JsonObject *left = lsn_profile_config_get_side (config (self), LSN_SIDE_LEFT);
  JsonObject *right = lsn_profile_config_get_side (config (self), LSN_SIDE_RIGHT);
  const char *lc = json_object_get_string_member_with_default (left, "connector", "");
  const char *rc = json_object_get_string_member_with_default (right, "connector", "");
  LsnKindConfig *kc;

  if (g_str_equal (lc, "feed") && g_str_equal (rc, "halopsa"))
    self->feed_side = LSN_SIDE_LEFT;
  else if (g_str_equal (rc, "feed") && g_str_equal (lc, "halopsa"))
    self->feed_side = LSN_SIDE_RIGHT;
  else
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "A licence profile connects a billing feed to HaloPSA: set one side's "
                   "connector to \"feed\" and the other to \"halopsa\" (this one has “%s” and "
                   "“%s”)", lc, rc);
      return FALSE;
    }

  /* licences from the feed are all such a profile does: without a word on them, that is what
   * it means; only a direction that leaves the feed out is refused */
  kc = lsn_profile_config_get_kind (config (self), LSN_KIND_LICENCE);
  if (kc != NULL && !lsn_direction_allows (kc->direction, self->feed_side))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The profile does not sync licences from the feed: set "
                   "\"kinds\": {\"licence\": {\"direction\": \"%s\"}}",
                   self->feed_side == LSN_SIDE_LEFT ? "left-to-right" : "right-to-left");
      return FALSE;
    }
  return TRUE;
}

/* Lists one kind, waiting out rate limits that outlive the HTTP client's own waits. */
static GPtrArray *
list_halo (LsnLicenceJob  *self,
           const char     *kind,
           gboolean        include_inactive,
           GError        **error)
{
  LsnListOptions options = { 0 };

  options.include_inactive = include_inactive;
  for (guint round = 0; ; round++)
    {
      g_autoptr(GError) local_error = NULL;
      GPtrArray *records = lsn_connector_list_all (self->halo, kind, &options, cancellable (self),
                                                   &local_error);

      if (records != NULL)
        return records;
      if (g_error_matches (local_error, LSN_ERROR, LSN_ERROR_RATE_LIMITED)
          && round < RATE_LIMIT_ROUNDS)
        {
          g_debug ("Listing %ss: still rate limited, waiting (round %u)", kind, round + 1);
          if (!lsn_job_pause_for (LSN_JOB (self), RATE_LIMIT_PAUSE_USEC * (round + 1), error))
            return NULL;
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
}

typedef struct
{
  GPtrArray *client_links;
  GPtrArray *licence_links;
  GPtrArray *decisions;
  GPtrArray *licence_decisions;
} Mappings;

static void
mappings_clear (Mappings *m)
{
  g_clear_pointer (&m->client_links, g_ptr_array_unref);
  g_clear_pointer (&m->licence_links, g_ptr_array_unref);
  g_clear_pointer (&m->decisions, g_ptr_array_unref);
  g_clear_pointer (&m->licence_decisions, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Mappings, mappings_clear)

static gboolean
load_mappings_op (LsnJob   *job,
                  sqlite3  *db,
                  gpointer  data,
                  GError  **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  Mappings *m = data;

  m->client_links = lsn_db_load_links (db, profile_id (self), LSN_KIND_CLIENT, error);
  if (m->client_links == NULL)
    return FALSE;
  m->licence_links = lsn_db_load_links (db, profile_id (self), LSN_KIND_LICENCE, error);
  if (m->licence_links == NULL)
    return FALSE;
  m->decisions = lsn_db_load_decisions (db, profile_id (self), LSN_KIND_CLIENT, error);
  if (m->decisions == NULL)
    return FALSE;
  m->licence_decisions = lsn_db_load_decisions (db, profile_id (self), LSN_KIND_LICENCE, error);
  return m->licence_decisions != NULL;
}

/* -------------------------------------------------------------------------------------------- */
/* What the mapping editor shows                                                                 */

typedef struct
{
  GPtrArray  *clients;
  GPtrArray  *licences;
  GHashTable *matches;          /* customer key → HaloPSA client id */
  GHashTable *licence_matches;  /* row key → HaloPSA licence id */
  GPtrArray  *client_links;
  GPtrArray  *licence_links;
} CacheData;

/* The invoice's customers (kind "client") and products (kind "licence", one per customer and
 * product, under the customer) as records of the feed side. A product carries "match_scope",
 * the HaloPSA client its customer matched: the product mapping editor offers only that
 * client's licences. */
static void
feed_records (LsnLicenceJob  *self,
              GHashTable     *matches,
              GPtrArray     **customers_out,
              GPtrArray     **products_out)
{
  GPtrArray *rows = self->feed_result->rows;
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      LsnFeedRow *row = g_ptr_array_index (rows, i);
      g_autofree char *customer_key = lsn_feed_row_customer_key (row);
      g_autofree char *row_key = lsn_feed_row_key (row);
      const char *scope = g_hash_table_lookup (matches, customer_key);
      JsonObject *fields;
      LsnRecord *r;

      if (scope != NULL && *scope == '\0')   /* a dropped match */
        scope = NULL;

      if (!g_hash_table_contains (seen, customer_key))
        {
          fields = json_object_new ();
          if (row->customer_id != NULL)
            json_object_set_string_member (fields, "customer_id", row->customer_id);
          r = lsn_record_new (LSN_KIND_CLIENT, customer_key, row->customer, fields, FALSE, 0);
          json_object_unref (fields);
          g_ptr_array_add (customers, r);
          g_hash_table_add (seen, g_strdup (customer_key));
        }
      if (g_hash_table_contains (seen, row_key))
        continue;
      g_hash_table_add (seen, g_strdup (row_key));

      fields = json_object_new ();
      json_object_set_string_member (fields, "toplevel_name", row->customer);
      if (row->product_name != NULL)
        json_object_set_string_member (fields, "product_name", row->product_name);
      json_object_set_int_member (fields, "quantity", row->quantity);
      if (scope != NULL)
        json_object_set_string_member (fields, "match_scope", scope);
      r = lsn_record_new (LSN_KIND_LICENCE, row_key, row->product_code, fields, FALSE, 0);
      json_object_unref (fields);
      lsn_record_set_parent_id (r, customer_key);
      g_ptr_array_add (products, r);
    }
  *customers_out = g_steal_pointer (&customers);
  *products_out = g_steal_pointer (&products);
}

static gboolean
link_if_free (LsnLicenceJob  *self,
              sqlite3        *db,
              const char     *kind,
              const char     *feed_id,
              const char     *halo_id,
              GError        **error)
{
  gboolean left = self->feed_side == LSN_SIDE_LEFT;

  return lsn_db_link_if_free (db, profile_id (self), kind, left ? feed_id : halo_id,
                              left ? halo_id : feed_id, error);
}

static gboolean
forget_stale_matches (LsnLicenceJob  *self,
                      sqlite3        *db,
                      GPtrArray      *links,
                      GHashTable     *matches,
                      GError        **error)
{
  gboolean left = self->feed_side == LSN_SIDE_LEFT;

  for (guint i = 0; links != NULL && i < links->len; i++)
    {
      LsnLink *l = g_ptr_array_index (links, i);
      const char *matched = g_hash_table_lookup (matches, left ? l->left_id : l->right_id);

      if (g_strcmp0 (l->origin, "auto") == 0 && matched != NULL
          && !g_str_equal (matched, left ? l->right_id : l->left_id)
          && !lsn_db_delete_link (db, l->id, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
cache_op (LsnJob   *job,
          sqlite3  *db,
          gpointer  data,
          GError  **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  CacheData *cd = data;
  const char *feed = lsn_side_to_string (self->feed_side);
  const char *halo = lsn_side_to_string (LSN_SIDE_OTHER (self->feed_side));
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(GPtrArray) products = NULL;

  g_autoptr(GHashTable) licence_ids = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  feed_records (self, cd->matches, &customers, &products);
  if (!lsn_db_cache_replace (db, profile_id (self), feed, LSN_KIND_CLIENT, customers, error)
      || !lsn_db_cache_replace (db, profile_id (self), feed, LSN_KIND_LICENCE, products, error)
      || !lsn_db_cache_replace (db, profile_id (self), halo, LSN_KIND_CLIENT, cd->clients, error)
      || !lsn_db_cache_replace (db, profile_id (self), halo, LSN_KIND_LICENCE, cd->licences,
                                error))
    return FALSE;

  /* a product mapped to a licence that is gone (deleted in HaloPSA) is matched afresh */
  for (guint i = 0; i < cd->licences->len; i++)
    g_hash_table_add (licence_ids,
                      (gpointer) lsn_record_get_remote_id (g_ptr_array_index (cd->licences, i)));
  for (guint i = 0; cd->licence_links && i < cd->licence_links->len; i++)
    {
      LsnLink *l = g_ptr_array_index (cd->licence_links, i);
      const char *halo_id = self->feed_side == LSN_SIDE_LEFT ? l->right_id : l->left_id;

      if (!g_hash_table_contains (licence_ids, halo_id)
          && !lsn_db_delete_link (db, l->id, error))
        return FALSE;
    }

  /* A remembered match the planner matched afresh (its client or licence is gone, or the
   * customer was mapped to another client since) is replaced. */
  if (!forget_stale_matches (self, db, cd->client_links, cd->matches, error)
      || !forget_stale_matches (self, db, cd->licence_links, cd->licence_matches, error))
    return FALSE;

  /* What matched by name is remembered as a mapping (origin "auto"), so that the mapping
   * editors show it and a person can undo it; a rejected pair is never matched again. */
  g_hash_table_iter_init (&iter, cd->matches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(char *) value != '\0' && !link_if_free (self, db, LSN_KIND_CLIENT, key, value, error))
      return FALSE;
  g_hash_table_iter_init (&iter, cd->licence_matches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(char *) value != '\0' && !link_if_free (self, db, LSN_KIND_LICENCE, key, value, error))
      return FALSE;
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* Resuming an interrupted run                                                                   */

static gboolean
resume_outbox_op (LsnJob   *job,
                  sqlite3  *db,
                  gpointer  data,
                  GError  **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  g_autoptr(GPtrArray) rows = lsn_db_outbox_unfinished (db, profile_id (self), error);
  guint *n_resumed = data;

  if (rows == NULL)
    return FALSE;

  for (guint i = 0; i < rows->len; i++)
    {
      LsnOutboxRow *row = g_ptr_array_index (rows, i);
      gboolean maybe_sent = g_strcmp0 (row->state, "pending") != 0;
      const char *note = maybe_sent
        ? "interrupted while sending; HaloPSA was read again and the licence planned from what "
          "it holds now, so nothing is written twice"
        : "not sent before the previous run stopped; planned again";

      if (!lsn_db_outbox_set_state (db, row->id, "failed", note, error))
        return FALSE;

      if (maybe_sent)
        {
          g_autoptr(LsnAuditEvent) e = lsn_job_new_event (job, row->kind, row->action,
                                                          "interrupted");
          g_autoptr(JsonParser) parser = json_parser_new ();

          e->target_side = g_strdup (row->target_side);
          if (g_strcmp0 (row->target_side, "right") == 0)
            {
              e->left_id = g_strdup (row->source_id);
              e->right_id = g_strdup (row->target_id);
            }
          else
            {
              e->right_id = g_strdup (row->source_id);
              e->left_id = g_strdup (row->target_id);
            }
          if (row->payload && json_parser_load_from_data (parser, row->payload, -1, NULL)
              && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
            {
              JsonObject *payload = json_node_get_object (json_parser_get_root (parser));
              const char *source_name =
                json_object_get_string_member_with_default (payload, "source_name", NULL);
              const char *target_name =
                json_object_get_string_member_with_default (payload, "target_name", NULL);

              if (g_strcmp0 (row->target_side, "right") == 0)
                {
                  e->left_name = g_strdup (source_name);
                  e->right_name = g_strdup (target_name);
                }
              else
                {
                  e->right_name = g_strdup (source_name);
                  e->left_name = g_strdup (target_name);
                }
            }
          e->message = g_strdup_printf ("The run of %s stopped while this %s was being sent: %s",
                                        row->run_id > 0 ? "an earlier sync" : "a sync",
                                        row->action, note);
          if (lsn_db_insert_event (db, e, error) == 0)
            return FALSE;
          (*n_resumed)++;
        }
    }
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* Apply                                                                                         */

static gboolean
apply_local_op (LsnJob   *job,
                sqlite3  *db,
                gpointer  data,
                GError  **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  LsnPlan *plan = lsn_job_get_plan (job);
  GArray *writes = data;

  for (guint k = 0; k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);

      for (guint i = 0; i < kp->actions->len; i++)
        {
          LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
          g_autoptr(LsnAuditEvent) e = NULL;

          switch (a->type)
            {
            case LSN_ACTION_SKIP:
              counts (self)->skipped++;
              e = lsn_job_new_action_event (job, a, "skip", a->reason);
              break;

            case LSN_ACTION_HOLD:
              counts (self)->skipped++;
              e = lsn_job_new_action_event (job, a, "hold", "held");
              break;

            case LSN_ACTION_CREATE:
            case LSN_ACTION_UPDATE:
            case LSN_ACTION_DELETE:
              if (!lsn_job_queue_write (job, db, kp, a, writes, error))
                return FALSE;
              break;

            case LSN_ACTION_REFRESH:   /* unchanged: nothing is sent, nothing to record */
            case LSN_ACTION_ARCHIVE:
            case LSN_ACTION_LINK:
            case LSN_ACTION_DELETED:
            default:
              break;
            }

          if (e != NULL && lsn_db_insert_event (db, e, error) == 0)
            return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  LsnPlanAction *action;
  gint64         row_id;
  LsnRecord     *result;      /* (nullable) a created or updated licence */
  const GError  *failure;     /* (nullable) */
  const char    *note;        /* (nullable) replaces the action's detail on success */
} ResultData;

static gboolean
record_result_op (LsnJob   *job,
                  sqlite3  *db,
                  gpointer  data,
                  GError  **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  ResultData *rd = data;
  LsnPlanAction *a = rd->action;
  const char *action = lsn_action_type_to_string (a->type);
  g_autoptr(LsnAuditEvent) e = NULL;
  const char *state;
  g_autofree char *error_text = NULL;

  if (rd->failure == NULL)
    {
      if (rd->result != NULL && a->type == LSN_ACTION_CREATE)
        {
          g_free (a->target_id);
          a->target_id = g_strdup (lsn_record_get_remote_id (rd->result));
        }
      e = lsn_job_new_action_event (job, a, action, "ok");
      if (rd->note != NULL)
        {
          g_free (e->message);
          e->message = g_strdup (rd->note);
        }
      state = "done";
      /* the mappings follow: a new licence is the row's, a deleted one nobody's */
      if (a->type == LSN_ACTION_CREATE && a->source_id != NULL
          && !link_if_free (self, db, LSN_KIND_LICENCE, a->source_id, a->target_id, error))
        return FALSE;
      if (a->type == LSN_ACTION_DELETE && a->target_id != NULL
          && !lsn_db_unlink_record (db, profile_id (self), LSN_KIND_LICENCE,
                                    lsn_side_to_string (LSN_SIDE_OTHER (self->feed_side)),
                                    a->target_id, error))
        return FALSE;
      if (a->type == LSN_ACTION_CREATE)
        counts (self)->created++;
      else if (a->type == LSN_ACTION_UPDATE)
        counts (self)->updated++;
      else
        counts (self)->deleted++;
    }
  else
    {
      e = lsn_job_new_action_event (job, a, action, "failed");
      g_free (e->message);
      if (g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_NOT_FOUND))
        e->message = g_strdup_printf ("%s — licence #%s is gone from HaloPSA; it was not created "
                                      "again now (the next run creates it if the invoice still "
                                      "bills it)", rd->failure->message, a->target_id);
      else if (g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_PERMISSION))
        e->message = g_strdup_printf ("%s — the API application may lack the right to change "
                                      "software licences (scope edit:softwarelicensing or all)",
                                      rd->failure->message);
      else
        e->message = g_strdup (rd->failure->message);
      state = g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN) ? "unknown"
                                                                                   : "failed";
      error_text = g_strdup (rd->failure->message);
      counts (self)->failed++;
    }

  e->request = g_strdup (lsn_job_get_last_request (job, halo_side (self)));
  if (lsn_db_insert_event (db, e, error) == 0)
    return FALSE;
  return lsn_db_outbox_set_state (db, rd->row_id, state, error_text, error);
}

/* Failures that would fail every following write too: stop the run instead. */
static gboolean
stops_the_run (const GError *failure)
{
  return g_error_matches (failure, LSN_ERROR, LSN_ERROR_AUTH)
         || g_error_matches (failure, LSN_ERROR, LSN_ERROR_NETWORK)
         || g_error_matches (failure, LSN_ERROR, LSN_ERROR_RATE_LIMITED);
}

/* Sends one queued write (its outbox row is "sending"), waiting out rate limits that outlive
 * the HTTP client's own waits, and records its result. */
static gboolean
lsn_licence_job_send_write (LsnJob       *job,
                            LsnJobWrite  *write,
                            GError      **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  LsnPlanAction *a = write->action;
  ResultData rd = { 0 };
  g_autoptr(GError) failure = NULL;
  g_autoptr(LsnRecord) result = NULL;
  const char *note = NULL;

  for (guint round = 0; ; round++)
    {
      g_clear_error (&failure);
      g_clear_object (&result);
      lsn_job_forget_last_request (job, halo_side (self));

      switch (a->type)
        {
        case LSN_ACTION_CREATE:
          result = lsn_connector_create (self->halo, LSN_KIND_LICENCE, a->fields,
                                         cancellable (self), &failure);
          break;
        case LSN_ACTION_UPDATE:
          result = lsn_connector_update (self->halo, LSN_KIND_LICENCE, a->target_id, a->fields,
                                         cancellable (self), &failure);
          break;
        case LSN_ACTION_DELETE:
          if (!lsn_connector_delete (self->halo, LSN_KIND_LICENCE, a->target_id,
                                     cancellable (self), &failure)
              && g_error_matches (failure, LSN_ERROR, LSN_ERROR_NOT_FOUND))
            {
              g_clear_error (&failure);
              note = "the licence was already gone from HaloPSA: nothing left to delete";
            }
          break;
        case LSN_ACTION_ARCHIVE:
        case LSN_ACTION_LINK:
        case LSN_ACTION_REFRESH:
        case LSN_ACTION_HOLD:
        case LSN_ACTION_SKIP:
        case LSN_ACTION_DELETED:
        default:
          g_assert_not_reached ();
        }

      if (g_error_matches (failure, LSN_ERROR, LSN_ERROR_RATE_LIMITED) && round < RATE_LIMIT_ROUNDS)
        {
          g_debug ("Licence %s: still rate limited, waiting (round %u)", a->source_id, round + 1);
          if (!lsn_job_pause_for (job, RATE_LIMIT_PAUSE_USEC * (round + 1), error))
            return FALSE;
          continue;
        }
      break;
    }

  if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The row stays "sending": the next run plans it again from what HaloPSA holds. */
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }

  rd.action = a;
  rd.row_id = write->row_id;
  rd.result = result;
  rd.failure = failure;
  rd.note = note;
  if (!in_transaction (self, record_result_op, &rd, error))
    return FALSE;

  if (failure != NULL && stops_the_run (failure))
    {
      g_set_error (error, LSN_ERROR, failure->code,
                   "Writing to HaloPSA stopped: %s. The licences not written yet stay queued; "
                   "run the sync again to finish (nothing already right is changed)",
                   failure->message);
      return FALSE;
    }
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* The run                                                                                       */

static gboolean
read_feed (LsnLicenceJob  *self,
           GError        **error)
{
  LsnFeedResult *result;

  report (self, LSN_SYNC_PHASE_PULLING, "invoice", 0, 3);
  result = lsn_feed_connector_read (LSN_FEED_CONNECTOR (self->feed), cancellable (self), error);
  if (result == NULL)
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "Reading the invoice failed, nothing was written: ");
      return FALSE;
    }
  self->feed_result = result;

  if (result->issues->len > 0)
    {
      g_autofree char *summary = lsn_feed_result_summary (result, 5);
      g_autoptr(GError) db_error = NULL;

      counts (self)->failed = result->issues->len;
      if (!dry_run (self) && !in_transaction (self, record_issues_op, result, &db_error))
        g_warning ("Could not record the invoice's problems: %s", db_error->message);
      g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION,
                   "The invoice (%s) has %u problem%s, so nothing was written: %s. Fix the "
                   "invoice or the profile's column names and run the sync again.",
                   lsn_feed_connector_get_source (LSN_FEED_CONNECTOR (self->feed)),
                   result->issues->len, result->issues->len == 1 ? "" : "s", summary);
      return FALSE;
    }
  return TRUE;
}

/* Read the invoice and HaloPSA → plan → apply. */
static gboolean
lsn_licence_job_run_body (LsnJob  *job,
                          GError **error)
{
  LsnLicenceJob *self = LSN_LICENCE_JOB (job);
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_auto(Mappings) mappings = { 0 };
  g_autoptr(GArray) writes = g_array_new (FALSE, FALSE, sizeof (LsnJobWrite));
  LsnLicencePlanInput in = { 0 };
  g_autoptr(GHashTable) matches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) licence_matches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                 g_free);
  guint n_resumed = 0;

  if (!check_profile (self, error) || !ensure_connectors (self, error))
    return FALSE;

  if (!dry_run (self) && !lsn_job_start_run (job, FALSE, error))
    return FALSE;

  /* Read everything first: a failure to read leaves HaloPSA untouched. */
  if (!read_feed (self, error))
    return FALSE;

  if (!dry_run (self) && !lsn_job_settle_interrupted_creates (job, LSN_KIND_LICENCE, error))
    return FALSE;

  report (self, LSN_SYNC_PHASE_PULLING, LSN_KIND_CLIENT, 1, 3);
  clients = list_halo (self, LSN_KIND_CLIENT, TRUE, error);
  if (clients == NULL)
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "Reading the HaloPSA clients failed, nothing was written: ");
      return FALSE;
    }
  report (self, LSN_SYNC_PHASE_PULLING, LSN_KIND_LICENCE, 2, 3);
  /* inactive ones too (includeinactive=true, in the same pages): the planner holds a row whose
   * licence was deactivated, instead of creating a second one next to it */
  licences = list_halo (self, LSN_KIND_LICENCE, TRUE, error);
  if (licences == NULL)
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "Reading the HaloPSA software licences failed, nothing was "
                        "written: ");
      return FALSE;
    }

  if (!in_transaction (self, load_mappings_op, &mappings, error))
    return FALSE;

  if (!dry_run (self))
    {
      report (self, LSN_SYNC_PHASE_RESUMING, LSN_KIND_LICENCE, 0, 0);
      if (!in_transaction (self, resume_outbox_op, &n_resumed, error))
        return FALSE;
      if (n_resumed > 0)
        g_debug ("%u writes of an interrupted run are planned again", n_resumed);
    }

  report (self, LSN_SYNC_PHASE_PLANNING, LSN_KIND_LICENCE, 0, 0);
  in.rows = self->feed_result->rows;
  in.clients = clients;
  in.licences = licences;
  in.client_links = mappings.client_links;
  in.client_decisions = mappings.decisions;
  in.licence_links = mappings.licence_links;
  in.licence_decisions = mappings.licence_decisions;
  in.distributor = lsn_feed_connector_get_distributor (LSN_FEED_CONNECTOR (self->feed));
  in.feed_side = self->feed_side;
  in.guard_share = config (self)->guard_share;
  in.guard_min = config (self)->guard_min;
  in.confirmed = lsn_job_get_confirmed (job);
  in.matches = matches;
  in.licence_matches = licence_matches;
  lsn_job_set_plan (job, lsn_licence_planner_plan (&in));

  /* what was read, for the customer and product mapping editors (dry runs too: a person
   * previews, maps what did not match, and previews again) */
  {
    CacheData cd = { clients, licences, matches, licence_matches, mappings.client_links,
                     mappings.licence_links };
    g_autoptr(GError) cache_error = NULL;

    if (!in_transaction (self, cache_op, &cd, &cache_error))
      g_warning ("The records read could not be kept for the mapping editor: %s",
                 cache_error->message);
  }

  if (dry_run (self))
    return TRUE;

  report (self, LSN_SYNC_PHASE_APPLYING, LSN_KIND_LICENCE, 0, 0);
  if (!in_transaction (self, apply_local_op, writes, error))
    return FALSE;
  return lsn_job_send_writes (job, LSN_KIND_LICENCE, writes, error);
}

/**
 * lsn_licence_job_run:
 *
 * See lsn_job_run().
 */
gboolean
lsn_licence_job_run (LsnLicenceJob  *self,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (LSN_IS_LICENCE_JOB (self), FALSE);

  return lsn_job_run (LSN_JOB (self), cancellable, error);
}

/**
 * lsn_licence_job_run_async:
 *
 * See lsn_job_run_async().
 */
void
lsn_licence_job_run_async (LsnLicenceJob       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  lsn_job_run_async (LSN_JOB (self), cancellable, callback, user_data);
}

gboolean
lsn_licence_job_run_finish (LsnLicenceJob  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return lsn_job_run_finish (LSN_JOB (self), result, error);
}
