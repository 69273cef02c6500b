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
 * Threading: lsn_licence_job_run() blocks; call it from a worker thread (or use
 * lsn_licence_job_run_async()). The connectors are used by that thread only; the database is
 * reached through the store's writer thread.
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
/* How long a request may be in flight when the HTTP client has no timeout. */
#define IN_FLIGHT_FALLBACK_SEC 60

typedef struct
{
  LsnPlanAction *action;   /* (unowned) in self->plan */
  gint64         row_id;
} Pending;

struct _LsnLicenceJob
{
  GObject              parent_instance;

  /* set before the run, then read-only */
  LsnStore            *store;
  LsnProfile          *profile;
  char                *trigger;
  gboolean             dry_run;
  gboolean             confirmed;
  LsnConnector        *feed;
  LsnConnector        *halo;
  LsnSyncProgressFunc  progress_func;
  gpointer             progress_data;
  GMainContext        *main_context;

  /* worker */
  LsnProfileConfig    *config;
  LsnSide              feed_side;
  gint64               run_id;
  LsnPlan             *plan;
  LsnFeedResult       *feed_result;
  LsnRunCounts         counts;
  char                *outcome;
  char                *last_request;
  guint64              requests_at_start[2];   /* feed, halo */
  GCancellable        *cancellable;

  /* shared, under lock */
  GMutex               lock;
  gboolean             idle_pending;
  LsnSyncProgress      progress;
};

G_DEFINE_FINAL_TYPE (LsnLicenceJob, lsn_licence_job, G_TYPE_OBJECT)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
lsn_licence_job_finalize (GObject *object)
{
  LsnLicenceJob *self = (LsnLicenceJob *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_free (self->trigger);
  g_clear_object (&self->feed);
  g_clear_object (&self->halo);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->config, lsn_profile_config_free);
  g_clear_pointer (&self->plan, lsn_plan_free);
  g_clear_pointer (&self->feed_result, lsn_feed_result_free);
  g_free (self->outcome);
  g_free (self->last_request);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lsn_licence_job_parent_class)->finalize (object);
}

static void
lsn_licence_job_class_init (LsnLicenceJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_licence_job_finalize;

  /**
   * LsnLicenceJob::progress:
   *
   * Emitted on the main context the job was started from (lsn_licence_job_run_async()), at most
   * once per idle.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lsn_licence_job_init (LsnLicenceJob *self)
{
  g_mutex_init (&self->lock);
  self->outcome = g_strdup ("running");
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

  self->store = g_object_ref (store);
  self->profile = g_object_ref (profile);
  self->trigger = g_strdup (trigger ? trigger : "manual");
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
  self->dry_run = dry_run;
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
  self->confirmed = confirmed;
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
  self->progress_func = func;
  self->progress_data = user_data;
}

/**
 * lsn_licence_job_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan, once the run planned (also for a dry run)
 */
LsnPlan *
lsn_licence_job_get_plan (LsnLicenceJob *self)
{
  return self->plan;
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
  return self->run_id;
}

/**
 * lsn_licence_job_get_outcome:
 *
 * Returns: "running", "ok", "partial" (some writes failed), "failed", "cancelled" or "guarded"
 */
const char *
lsn_licence_job_get_outcome (LsnLicenceJob *self)
{
  return self->outcome;
}

const LsnRunCounts *
lsn_licence_job_get_counts (LsnLicenceJob *self)
{
  return &self->counts;
}

void
lsn_licence_job_get_progress (LsnLicenceJob   *self,
                              LsnSyncProgress *progress)
{
  g_mutex_lock (&self->lock);
  *progress = self->progress;
  g_mutex_unlock (&self->lock);
}

static guint64
requests_of (LsnConnector *conn)
{
  LsnHttpClient *http = conn ? lsn_connector_get_http (conn) : NULL;
  LsnHttpStats stats = { 0 };

  if (http != NULL)
    lsn_http_client_get_stats (http, &stats);
  return stats.requests;
}

/**
 * lsn_licence_job_get_halo_requests:
 *
 * Returns: the requests this run sent to HaloPSA, retries and token requests included
 */
guint64
lsn_licence_job_get_halo_requests (LsnLicenceJob *self)
{
  return requests_of (self->halo) - self->requests_at_start[1];
}

static guint64
requests_spent (LsnLicenceJob *self)
{
  return requests_of (self->feed) - self->requests_at_start[0]
         + requests_of (self->halo) - self->requests_at_start[1];
}

static gboolean
emit_progress_idle (gpointer data)
{
  LsnLicenceJob *self = data;

  g_mutex_lock (&self->lock);
  self->idle_pending = FALSE;
  g_mutex_unlock (&self->lock);
  g_signal_emit (self, signals[PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

static void
report (LsnLicenceJob *self,
        LsnSyncPhase   phase,
        const char    *kind,
        guint          done,
        guint          total)
{
  LsnSyncProgress snapshot;
  LsnHttpClient *http = self->halo ? lsn_connector_get_http (self->halo) : NULL;
  gboolean schedule = FALSE;

  g_mutex_lock (&self->lock);
  self->progress.phase = phase;
  g_strlcpy (self->progress.kind, kind ? kind : "", sizeof self->progress.kind);
  self->progress.done = done;
  self->progress.total = total;
  self->progress.counts = self->counts;
  self->progress.requests = requests_spent (self);
  if (http != NULL)
    {
      LsnHttpStats stats;
      LsnSide halo_side = LSN_SIDE_OTHER (self->feed_side);

      lsn_http_client_get_stats (http, &stats);
      self->progress.throttled = stats.throttled;
      self->progress.budget_left[halo_side] = stats.budget_left;
      self->progress.budget_requests[halo_side] = stats.budget_requests;
    }
  snapshot = self->progress;
  if (self->main_context && !self->idle_pending)
    self->idle_pending = schedule = TRUE;
  g_mutex_unlock (&self->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_LOW);
      g_source_set_callback (source, emit_progress_idle, g_object_ref (self), g_object_unref);
      g_source_attach (source, self->main_context);
      g_source_unref (source);
    }

  if (self->progress_func)
    self->progress_func (&snapshot, self->progress_data);
}

/* Sleeps, waking for cancellation. */
static gboolean
pause_for (LsnLicenceJob  *self,
           gint64          usec,
           GError        **error)
{
  gint64 until = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
      g_usleep (MIN (100 * 1000, MAX (until - g_get_monotonic_time (), 0)));
    }
  return !g_cancellable_set_error_if_cancelled (self->cancellable, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Store access: every op runs on the store's writer thread, in one transaction.                 */

typedef gboolean (*DbOp) (LsnLicenceJob  *self,
                          sqlite3        *db,
                          gpointer        data,
                          GError        **error);

typedef struct
{
  LsnLicenceJob *self;
  DbOp           op;
  gpointer       data;
} DbCall;

static gboolean
db_call_func (LsnStore  *store,
              sqlite3   *db,
              gpointer   user_data,
              GError   **error)
{
  DbCall *call = user_data;
  return call->op (call->self, db, call->data, error);
}

static gboolean
in_transaction (LsnLicenceJob  *self,
                DbOp            op,
                gpointer        data,
                GError        **error)
{
  DbCall call = { self, op, data };
  return lsn_store_run_in_transaction (self->store, db_call_func, &call, error);
}

static gint64
profile_id (LsnLicenceJob *self)
{
  return lsn_profile_get_id (self->profile);
}

/* -------------------------------------------------------------------------------------------- */
/* Events                                                                                        */

static const char *
id_on (LsnPlanAction *a,
       LsnSide        side)
{
  return a->source_side == side ? a->source_id : a->target_id;
}

static const char *
name_on (LsnPlanAction *a,
         LsnSide        side)
{
  return a->source_side == side ? a->source_name : a->target_name;
}

static LsnAuditEvent *
event_new (LsnLicenceJob *self,
           const char    *kind,
           const char    *action,
           const char    *outcome)
{
  LsnAuditEvent *e = lsn_audit_event_new ();

  e->profile_id = profile_id (self);
  e->run_id = self->run_id;
  e->time = g_get_real_time ();
  e->kind = g_strdup (kind);
  e->target_side = g_strdup (lsn_side_to_string (LSN_SIDE_OTHER (self->feed_side)));
  e->action = g_strdup (action);
  e->outcome = g_strdup (outcome);
  e->actor = g_strdup (g_strcmp0 (self->trigger, "schedule") == 0 ? "scheduler"
                                                                  : g_get_user_name ());
  return e;
}

static LsnAuditEvent *
event_for (LsnLicenceJob *self,
           LsnPlanAction *a,
           const char    *action,
           const char    *outcome)
{
  LsnAuditEvent *e = event_new (self, a->kind, action, outcome);

  e->left_id = g_strdup (id_on (a, LSN_SIDE_LEFT));
  e->right_id = g_strdup (id_on (a, LSN_SIDE_RIGHT));
  e->left_name = g_strdup (name_on (a, LSN_SIDE_LEFT));
  e->right_name = g_strdup (name_on (a, LSN_SIDE_RIGHT));
  e->message = g_strdup (a->detail);
  if (a->changes)
    {
      g_autoptr(JsonNode) n = json_node_alloc ();
      json_node_init_array (n, a->changes);
      e->changes = json_to_string (n, FALSE);
    }
  return e;
}

static gboolean
record_issues_op (LsnLicenceJob  *self,
                  sqlite3        *db,
                  gpointer        data,
                  GError        **error)
{
  LsnFeedResult *result = data;

  for (guint i = 0; i < result->issues->len && i < MAX_ISSUE_EVENTS; i++)
    {
      LsnFeedIssue *issue = g_ptr_array_index (result->issues, i);
      g_autoptr(LsnAuditEvent) e = event_new (self, LSN_KIND_LICENCE, "read", "invalid");

      g_clear_pointer (&e->target_side, g_free);
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

static void
on_request_cb (LsnHttpClient *client,
               const char    *method,
               GUri          *uri,
               gpointer       user_data)
{
  LsnLicenceJob *self = user_data;

  /* method and path only: query values may hold secrets */
  g_free (self->last_request);
  self->last_request = g_strdup_printf ("%s %s", method, g_uri_get_path (uri));
}

static gboolean
ensure_connectors (LsnLicenceJob  *self,
                   GError        **error)
{
  LsnSide halo_side = LSN_SIDE_OTHER (self->feed_side);

  if (self->feed == NULL)
    {
      self->feed = lsn_sync_build_connector (lsn_profile_config_get_side (self->config,
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
      self->halo = lsn_sync_build_connector (lsn_profile_config_get_side (self->config, halo_side),
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

  if (lsn_connector_get_http (self->halo) != NULL)
    lsn_http_client_set_observer (lsn_connector_get_http (self->halo), on_request_cb, self);
  self->requests_at_start[0] = requests_of (self->feed);
  self->requests_at_start[1] = requests_of (self->halo);
  return TRUE;
}

static gboolean
check_profile (LsnLicenceJob  *self,
               GError        **error)
{
  JsonObject *left = lsn_profile_config_get_side (self->config, LSN_SIDE_LEFT);
  JsonObject *right = lsn_profile_config_get_side (self->config, LSN_SIDE_RIGHT);
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

  kc = lsn_profile_config_get_kind (self->config, LSN_KIND_LICENCE);
  if (kc == NULL || !lsn_direction_allows (kc->direction, self->feed_side))
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
      GPtrArray *records = lsn_connector_list_all (self->halo, kind, &options, self->cancellable,
                                                   &local_error);

      if (records != NULL)
        return records;
      if (g_error_matches (local_error, LSN_ERROR, LSN_ERROR_RATE_LIMITED)
          && round < RATE_LIMIT_ROUNDS)
        {
          g_debug ("Listing %ss: still rate limited, waiting (round %u)", kind, round + 1);
          if (!pause_for (self, RATE_LIMIT_PAUSE_USEC * (round + 1), error))
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
load_mappings_op (LsnLicenceJob  *self,
                  sqlite3        *db,
                  gpointer        data,
                  GError        **error)
{
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
cache_op (LsnLicenceJob  *self,
          sqlite3        *db,
          gpointer        data,
          GError        **error)
{
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
resume_outbox_op (LsnLicenceJob  *self,
                  sqlite3        *db,
                  gpointer        data,
                  GError        **error)
{
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
          g_autoptr(LsnAuditEvent) e = event_new (self, row->kind, row->action, "interrupted");
          g_autoptr(JsonParser) parser = json_parser_new ();

          g_free (e->target_side);
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

/* The latest time (µs, wall clock) a create of this profile was marked "sending" by a run that
 * never learnt its outcome; 0 when there is none. */
static gboolean
last_interrupted_create_op (LsnLicenceJob  *self,
                            sqlite3        *db,
                            gpointer        data,
                            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 *last = data;
  int rc;

  stmt = lsn_store_prepare (db, "SELECT max(updated_at) FROM outbox WHERE profile_id = ?1 "
                            "AND kind = ?2 AND action = 'create' AND state = 'sending'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id (self));
  lsn_store_bind_text (stmt, 2, LSN_KIND_LICENCE);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, "reading the interrupted writes", error);
  *last = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* A create that a stopped run was sending may have reached HaloPSA and be applied a moment after
 * the process died. Read too early, HaloPSA does not show it yet, the licence is created again,
 * and the late one makes a duplicate. Waits until the latest such create has been out for as
 * long as a request may take (the HTTP client's timeout): by then it has landed or never will.
 * Updates and deletes need no wait: sent twice, they give the same result. */
static gboolean
settle_interrupted_creates (LsnLicenceJob  *self,
                            GError        **error)
{
  LsnHttpClient *http = lsn_connector_get_http (self->halo);
  guint timeout = 0;
  gint64 last = 0, window, wait;

  if (!in_transaction (self, last_interrupted_create_op, &last, error))
    return FALSE;
  if (last == 0)
    return TRUE;

  if (http != NULL)
    g_object_get (lsn_http_client_get_session (http), "timeout", &timeout, NULL);
  window = (gint64) (timeout > 0 ? timeout : IN_FLIGHT_FALLBACK_SEC) * G_USEC_PER_SEC;
  wait = CLAMP (last + window - g_get_real_time (), 0, window);
  if (wait == 0)
    return TRUE;

  g_debug ("A licence create of the interrupted run may still be in flight: waiting %.1f s "
           "before reading HaloPSA", wait / (double) G_USEC_PER_SEC);
  report (self, LSN_SYNC_PHASE_RESUMING, LSN_KIND_LICENCE, 0, 0);
  return pause_for (self, wait, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Apply                                                                                         */

static char *
idem_key (LsnLicenceJob *self,
          LsnPlanAction *a)
{
  g_autofree char *raw = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%s|%s|%s|%s",
                                          profile_id (self), self->run_id, a->kind,
                                          lsn_action_type_to_string (a->type),
                                          a->source_id ? a->source_id : "",
                                          a->target_id ? a->target_id : "");
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, raw, -1);
}

static char *
payload_for (LsnPlanAction *a)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source_side");
  json_builder_add_string_value (b, lsn_side_to_string (a->source_side));
  json_builder_set_member_name (b, "source_name");
  json_builder_add_string_value (b, a->source_name);
  json_builder_set_member_name (b, "target_name");
  json_builder_add_string_value (b, a->target_name);
  if (a->fields)
    {
      JsonNode *n = json_node_alloc ();
      json_node_init_object (n, a->fields);
      json_builder_set_member_name (b, "fields");
      json_builder_add_value (b, n);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
apply_local_op (LsnLicenceJob  *self,
                sqlite3        *db,
                gpointer        data,
                GError        **error)
{
  GArray *pending = data;

  for (guint k = 0; k < self->plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (self->plan->kinds, k);

      for (guint i = 0; i < kp->actions->len; i++)
        {
          LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
          g_autoptr(LsnAuditEvent) e = NULL;

          switch (a->type)
            {
            case LSN_ACTION_SKIP:
              self->counts.skipped++;
              e = event_for (self, a, "skip", a->reason);
              break;

            case LSN_ACTION_HOLD:
              self->counts.skipped++;
              e = event_for (self, a, "hold", "held");
              break;

            case LSN_ACTION_CREATE:
            case LSN_ACTION_UPDATE:
            case LSN_ACTION_DELETE:
              if (kp->guarded)
                {
                  self->counts.skipped++;
                  e = event_for (self, a, lsn_action_type_to_string (a->type), "guarded");
                  g_free (e->message);
                  e->message = g_strdup (kp->guard_message);
                }
              else
                {
                  g_autoptr(LsnOutboxRow) row = g_new0 (LsnOutboxRow, 1);

                  row->run_id = self->run_id;
                  row->idem_key = idem_key (self, a);
                  row->kind = g_strdup (a->kind);
                  row->target_side = g_strdup (lsn_side_to_string (a->target_side));
                  row->action = g_strdup (lsn_action_type_to_string (a->type));
                  row->source_id = g_strdup (a->source_id);
                  row->target_id = g_strdup (a->target_id);
                  row->payload = payload_for (a);
                  if (!lsn_db_outbox_insert (db, profile_id (self), row, error))
                    return FALSE;
                  if (row->id != 0)
                    {
                      Pending p = { a, row->id };
                      g_array_append_val (pending, p);
                    }
                }
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
  gint64      row_id;
  const char *state;
  const char *error_text;
} RowState;

static gboolean
set_row_state_op (LsnLicenceJob  *self,
                  sqlite3        *db,
                  gpointer        data,
                  GError        **error)
{
  RowState *rs = data;
  return lsn_db_outbox_set_state (db, rs->row_id, rs->state, rs->error_text, error);
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
record_result_op (LsnLicenceJob  *self,
                  sqlite3        *db,
                  gpointer        data,
                  GError        **error)
{
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
      e = event_for (self, a, action, "ok");
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
        self->counts.created++;
      else if (a->type == LSN_ACTION_UPDATE)
        self->counts.updated++;
      else
        self->counts.deleted++;
    }
  else
    {
      e = event_for (self, a, action, "failed");
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
      self->counts.failed++;
    }

  e->request = g_strdup (self->last_request);
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

static gboolean
send_one (LsnLicenceJob  *self,
          Pending        *p,
          GError        **error)
{
  LsnPlanAction *a = p->action;
  RowState rs = { p->row_id, "sending", NULL };
  ResultData rd = { 0 };
  g_autoptr(GError) failure = NULL;
  g_autoptr(LsnRecord) result = NULL;
  const char *note = NULL;

  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (!in_transaction (self, set_row_state_op, &rs, error))
    return FALSE;

  for (guint round = 0; ; round++)
    {
      g_clear_error (&failure);
      g_clear_object (&result);
      g_clear_pointer (&self->last_request, g_free);

      switch (a->type)
        {
        case LSN_ACTION_CREATE:
          result = lsn_connector_create (self->halo, LSN_KIND_LICENCE, a->fields,
                                         self->cancellable, &failure);
          break;
        case LSN_ACTION_UPDATE:
          result = lsn_connector_update (self->halo, LSN_KIND_LICENCE, a->target_id, a->fields,
                                         self->cancellable, &failure);
          break;
        case LSN_ACTION_DELETE:
          if (!lsn_connector_delete (self->halo, LSN_KIND_LICENCE, a->target_id,
                                     self->cancellable, &failure)
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
          if (!pause_for (self, RATE_LIMIT_PAUSE_USEC * (round + 1), error))
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
  rd.row_id = p->row_id;
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

typedef struct
{
  const char *outcome;
  const char *message;
} FinishData;

static gboolean
start_run_op (LsnLicenceJob  *self,
              sqlite3        *db,
              gpointer        data,
              GError        **error)
{
  self->run_id = lsn_db_insert_run (db, profile_id (self), self->trigger, FALSE,
                                    lsn_profile_get_version (self->profile), error);
  return self->run_id != 0;
}

static gboolean
finish_run_op (LsnLicenceJob  *self,
               sqlite3        *db,
               gpointer        data,
               GError        **error)
{
  FinishData *fd = data;

  self->counts.requests = requests_spent (self);
  return lsn_db_finish_run (db, self->run_id, &self->counts, fd->outcome, fd->message, error);
}

static gboolean
read_feed (LsnLicenceJob  *self,
           GError        **error)
{
  LsnFeedResult *result;

  report (self, LSN_SYNC_PHASE_PULLING, "invoice", 0, 3);
  result = lsn_feed_connector_read (LSN_FEED_CONNECTOR (self->feed), self->cancellable, error);
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

      self->counts.failed = result->issues->len;
      if (!self->dry_run && !in_transaction (self, record_issues_op, result, &db_error))
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

static gboolean
run_inner (LsnLicenceJob  *self,
           GError        **error)
{
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_auto(Mappings) mappings = { 0 };
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  LsnLicencePlanInput in = { 0 };
  g_autoptr(GHashTable) matches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) licence_matches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                 g_free);
  guint n_resumed = 0;

  report (self, LSN_SYNC_PHASE_STARTING, NULL, 0, 0);

  self->config = lsn_profile_config_parse (lsn_profile_get_settings (self->profile), error);
  if (self->config == NULL || !check_profile (self, error) || !ensure_connectors (self, error))
    return FALSE;

  if (!self->dry_run && !in_transaction (self, start_run_op, NULL, error))
    return FALSE;

  /* Read everything first: a failure to read leaves HaloPSA untouched. */
  if (!read_feed (self, error))
    return FALSE;

  if (!self->dry_run && !settle_interrupted_creates (self, error))
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

  if (!self->dry_run)
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
  in.guard_share = self->config->guard_share;
  in.guard_min = self->config->guard_min;
  in.confirmed = self->confirmed;
  in.matches = matches;
  in.licence_matches = licence_matches;
  self->plan = lsn_licence_planner_plan (&in);

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

  if (self->dry_run)
    return TRUE;

  report (self, LSN_SYNC_PHASE_APPLYING, LSN_KIND_LICENCE, 0, 0);
  if (!in_transaction (self, apply_local_op, pending, error))
    return FALSE;

  for (guint k = 0; k < self->plan->kinds->len; k++)
    if (((LsnKindPlan *) g_ptr_array_index (self->plan->kinds, k))->guarded)
      {
        g_free (self->outcome);
        self->outcome = g_strdup ("guarded");
      }

  for (guint i = 0; i < pending->len; i++)
    {
      report (self, LSN_SYNC_PHASE_APPLYING, LSN_KIND_LICENCE, i, pending->len);
      if (!send_one (self, &g_array_index (pending, Pending, i), error))
        return FALSE;
    }
  report (self, LSN_SYNC_PHASE_APPLYING, LSN_KIND_LICENCE, pending->len, pending->len);

  return TRUE;
}

/**
 * lsn_licence_job_run:
 *
 * Runs the job on the calling thread (not the main thread of a window). A run that fails still
 * leaves its run row (outcome "failed", with the reason), unless it is a dry run.
 *
 * Returns: %FALSE when the run could not finish; the error says why and what to do
 */
gboolean
lsn_licence_job_run (LsnLicenceJob  *self,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) finish_error = NULL;
  FinishData fd = { 0 };
  gboolean ok;

  g_return_val_if_fail (LSN_IS_LICENCE_JOB (self), FALSE);

  self->cancellable = cancellable;
  ok = run_inner (self, &local_error);

  if (!ok)
    fd.outcome = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                                                                                 : "failed";
  else if (g_strcmp0 (self->outcome, "guarded") == 0)
    fd.outcome = "guarded";
  else
    fd.outcome = self->counts.failed > 0 ? "partial" : "ok";
  fd.message = local_error ? local_error->message : NULL;

  g_free (self->outcome);
  self->outcome = g_strdup (fd.outcome);

  report (self, LSN_SYNC_PHASE_RECORDING, NULL, 0, 0);
  if (self->run_id != 0 && !in_transaction (self, finish_run_op, &fd, &finish_error))
    g_warning ("Could not record the end of run %" G_GINT64_FORMAT ": %s", self->run_id,
               finish_error->message);
  self->counts.requests = requests_spent (self);
  report (self, LSN_SYNC_PHASE_DONE, NULL, 0, 0);
  if (self->halo != NULL && lsn_connector_get_http (self->halo) != NULL)
    lsn_http_client_set_observer (lsn_connector_get_http (self->halo), NULL, NULL);
  self->cancellable = NULL;

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (lsn_licence_job_run (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lsn_licence_job_run_async:
 *
 * Runs the job on a worker thread; "progress" is emitted on the caller's main context.
 */
void
lsn_licence_job_run_async (LsnLicenceJob       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lsn_licence_job_run_async);
  self->main_context = g_main_context_ref_thread_default ();
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
lsn_licence_job_run_finish (LsnLicenceJob  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
