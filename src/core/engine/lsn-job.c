/* lsn-job.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The base of the engine's jobs (LsnSyncJob: two PSAs; LsnLicenceJob: a billing feed into
 * HaloPSA): one run of one profile. It owns what every run has: the store and the profile, the
 * parsed settings, the run row (started by the subclass, finished here with its outcome and
 * counts), the plan, progress with pause and cancellation, the connectors and the requests they
 * spent, and the outbox: writes are queued with an idempotency key in one transaction, marked
 * "sending" just before they go out, and sent one by one by the subclass's send_write().
 * Subclasses implement run_body(): read, plan, apply.
 *
 * Threading: lsn_job_run() blocks and is called on a worker thread (lsn_job_run_async() runs it
 * in a GTask thread). Everything under "worker" below is touched only by that thread, and so are
 * the connectors. The database is reached through the store's writer thread
 * (lsn_job_in_transaction()). `shared` is guarded by `lock`: progress, pause. Progress reaches
 * the main thread through at most one pending idle (coalesced), as a "progress" signal.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-job.h"

/* How long a request may be in flight when the HTTP client has no timeout. */
#define IN_FLIGHT_FALLBACK_SEC 60

typedef struct
{
  /* set before the run, then read-only */
  LsnStore            *store;
  LsnProfile          *profile;
  char                *trigger;
  gboolean             dry_run;
  gboolean             confirmed;
  gint64               retry_of;
  LsnSyncProgressFunc  progress_func;
  gpointer             progress_data;
  GMainContext        *main_context;
  LsnConnector        *conn[2];          /* by side */
  gboolean             written[2];       /* the job writes to that side */

  /* worker */
  LsnProfileConfig    *config;
  gint64               run_id;
  LsnPlan             *plan;
  LsnRunCounts         counts;
  char                *outcome;
  char                *last_request[2];
  guint64              requests_at_start[2];
  GCancellable        *cancellable;

  /* shared, under lock */
  GMutex               lock;
  GCond                cond;
  gboolean             paused;
  gboolean             idle_pending;
  LsnSyncProgress      progress;
} LsnJobPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LsnJob, lsn_job, G_TYPE_OBJECT)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* -------------------------------------------------------------------------------------------- */

const char *
lsn_sync_phase_to_string (LsnSyncPhase phase)
{
  switch (phase)
    {
    case LSN_SYNC_PHASE_STARTING: return "starting";
    case LSN_SYNC_PHASE_RESUMING: return "finishing an interrupted run";
    case LSN_SYNC_PHASE_PULLING: return "reading";
    case LSN_SYNC_PHASE_PLANNING: return "planning";
    case LSN_SYNC_PHASE_APPLYING: return "writing";
    case LSN_SYNC_PHASE_RECORDING: return "recording";
    case LSN_SYNC_PHASE_DONE: return "done";
    default: return "?";
    }
}

static void
lsn_job_finalize (GObject *object)
{
  LsnJob *self = (LsnJob *) object;
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_clear_object (&priv->store);
  g_clear_object (&priv->profile);
  g_free (priv->trigger);
  g_clear_pointer (&priv->main_context, g_main_context_unref);
  g_clear_pointer (&priv->config, lsn_profile_config_free);
  g_clear_pointer (&priv->plan, lsn_plan_free);
  g_free (priv->outcome);
  for (guint s = 0; s < 2; s++)
    {
      g_clear_object (&priv->conn[s]);
      g_free (priv->last_request[s]);
    }
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->cond);

  G_OBJECT_CLASS (lsn_job_parent_class)->finalize (object);
}

static void
lsn_job_class_init (LsnJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_job_finalize;

  /**
   * LsnJob::progress:
   *
   * Emitted on the main context the job was started from (lsn_job_run_async()), at most once
   * per idle.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lsn_job_init (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_init (&priv->lock);
  g_cond_init (&priv->cond);
  priv->outcome = g_strdup ("running");
}

/**
 * lsn_job_construct:
 * @trigger: (nullable): "manual" (the default), "schedule", "retry" or "cli"
 *
 * For subclasses' constructors: the job runs @profile, reaching the database through @store.
 */
void
lsn_job_construct (LsnJob     *self,
                   LsnStore   *store,
                   LsnProfile *profile,
                   const char *trigger)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_set_object (&priv->store, store);
  g_set_object (&priv->profile, profile);
  g_free (priv->trigger);
  priv->trigger = g_strdup (trigger ? trigger : "manual");
}

/**
 * lsn_job_set_dry_run:
 *
 * A dry run reads and plans, and writes nothing: no request that changes a system, no run row.
 */
void
lsn_job_set_dry_run (LsnJob   *self,
                     gboolean  dry_run)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  priv->dry_run = dry_run;
}

/**
 * lsn_job_set_confirmed:
 *
 * The person confirmed a mass change: the guard does not stop the run.
 */
void
lsn_job_set_confirmed (LsnJob   *self,
                       gboolean  confirmed)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  priv->confirmed = confirmed;
}

/**
 * lsn_job_set_retry_of:
 * @event_id: a failed audit event
 *
 * Makes the run a "Send again" (trigger "retry"): every audit event it writes points at the
 * original failure.
 */
void
lsn_job_set_retry_of (LsnJob *self,
                      gint64  event_id)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  priv->retry_of = event_id;
  g_free (priv->trigger);
  priv->trigger = g_strdup ("retry");
}

gint64
lsn_job_get_retry_of (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->retry_of;
}

/**
 * lsn_job_set_progress_func:
 * @func: (nullable) (scope notified): called on the worker thread at every step
 */
void
lsn_job_set_progress_func (LsnJob              *self,
                           LsnSyncProgressFunc  func,
                           gpointer             user_data)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  priv->progress_func = func;
  priv->progress_data = user_data;
}

/**
 * lsn_job_get_profile:
 *
 * Returns: (transfer none): the profile the job runs
 */
LsnProfile *
lsn_job_get_profile (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->profile;
}

gint64
lsn_job_get_profile_id (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return lsn_profile_get_id (priv->profile);
}

gboolean
lsn_job_get_dry_run (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->dry_run;
}

gboolean
lsn_job_get_confirmed (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->confirmed;
}

/**
 * lsn_job_get_config:
 *
 * Returns: (transfer none) (nullable): the profile's settings, parsed when the run started; a
 *   subclass may adjust them for its run
 */
LsnProfileConfig *
lsn_job_get_config (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->config;
}

/**
 * lsn_job_get_cancellable:
 *
 * Returns: (transfer none) (nullable): the running job's cancellable
 */
GCancellable *
lsn_job_get_cancellable (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->cancellable;
}

gint64
lsn_job_get_run_id (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->run_id;
}

/**
 * lsn_job_get_outcome:
 *
 * Returns: "running", "ok", "partial" (some writes failed), "failed", "cancelled" or "guarded"
 */
const char *
lsn_job_get_outcome (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->outcome;
}

const LsnRunCounts *
lsn_job_get_counts (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return &priv->counts;
}

/**
 * lsn_job_get_mutable_counts:
 *
 * Returns: (transfer none): the run's counts, for the subclass to add to (worker thread)
 */
LsnRunCounts *
lsn_job_get_mutable_counts (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return &priv->counts;
}

/**
 * lsn_job_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan, once the run planned (also for a dry run)
 */
LsnPlan *
lsn_job_get_plan (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->plan;
}

/**
 * lsn_job_set_plan:
 * @plan: (transfer full): the run's plan
 */
void
lsn_job_set_plan (LsnJob  *self,
                  LsnPlan *plan)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_clear_pointer (&priv->plan, lsn_plan_free);
  priv->plan = plan;
}

/* -------------------------------------------------------------------------------------------- */
/* Connectors                                                                                    */

/**
 * lsn_job_set_connector:
 * @connector: (nullable): the connector of @side
 * @written: whether the job writes to @side: then its rate-limit budget and throttling show in
 *   the progress, and its timeout bounds how long an interrupted create may still land
 *
 * Before the run (callers), or during it, before lsn_job_watch_connectors().
 */
void
lsn_job_set_connector (LsnJob       *self,
                       LsnSide       side,
                       LsnConnector *connector,
                       gboolean      written)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_set_object (&priv->conn[side], connector);
  priv->written[side] = written;
}

/**
 * lsn_job_get_connector:
 *
 * Returns: (transfer none) (nullable): the connector of @side
 */
LsnConnector *
lsn_job_get_connector (LsnJob  *self,
                       LsnSide  side)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->conn[side];
}

static void
on_request_cb (LsnHttpClient *client,
               const char    *method,
               GUri          *uri,
               gpointer       user_data)
{
  char **slot = user_data;

  /* method and path only: query values may hold secrets */
  g_free (*slot);
  *slot = g_strdup_printf ("%s %s", method, g_uri_get_path (uri));
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
 * lsn_job_watch_connectors:
 *
 * Starts counting the connectors' requests from here, and remembering the last one each sent
 * (lsn_job_get_last_request()), until the run ends.
 */
void
lsn_job_watch_connectors (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  for (guint s = 0; s < 2; s++)
    {
      LsnHttpClient *http = priv->conn[s] ? lsn_connector_get_http (priv->conn[s]) : NULL;

      if (http != NULL)
        lsn_http_client_set_observer (http, on_request_cb, &priv->last_request[s]);
      priv->requests_at_start[s] = requests_of (priv->conn[s]);
    }
}

static void
unwatch_connectors (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  for (guint s = 0; s < 2; s++)
    {
      LsnHttpClient *http = priv->conn[s] ? lsn_connector_get_http (priv->conn[s]) : NULL;

      if (http != NULL)
        lsn_http_client_set_observer (http, NULL, NULL);
    }
}

/**
 * lsn_job_get_requests:
 *
 * Returns: the requests the connector of @side sent in this run, retries and token requests
 *   included
 */
guint64
lsn_job_get_requests (LsnJob  *self,
                      LsnSide  side)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return requests_of (priv->conn[side]) - priv->requests_at_start[side];
}

static guint64
requests_spent (LsnJob *self)
{
  return lsn_job_get_requests (self, LSN_SIDE_LEFT) + lsn_job_get_requests (self, LSN_SIDE_RIGHT);
}

/**
 * lsn_job_get_last_request:
 *
 * Returns: (nullable): the method and path of the last request sent to @side
 */
const char *
lsn_job_get_last_request (LsnJob  *self,
                          LsnSide  side)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  return priv->last_request[side];
}

void
lsn_job_forget_last_request (LsnJob  *self,
                             LsnSide  side)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_clear_pointer (&priv->last_request[side], g_free);
}

/* -------------------------------------------------------------------------------------------- */
/* Progress, pause and cancellation                                                              */

void
lsn_job_pause (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  priv->paused = TRUE;
  priv->progress.paused = TRUE;
  g_mutex_unlock (&priv->lock);
}

void
lsn_job_resume (LsnJob *self)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  priv->paused = FALSE;
  priv->progress.paused = FALSE;
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

/**
 * lsn_job_get_progress:
 * @progress: (out caller-allocates): where to copy the latest snapshot
 *
 * Any thread.
 */
void
lsn_job_get_progress (LsnJob          *self,
                      LsnSyncProgress *progress)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  *progress = priv->progress;
  g_mutex_unlock (&priv->lock);
}

static gboolean
emit_progress_idle (gpointer data)
{
  LsnJob *self = data;
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  priv->idle_pending = FALSE;
  g_mutex_unlock (&priv->lock);
  g_signal_emit (self, signals[PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

/**
 * lsn_job_report:
 * @kind: (nullable): what the step is about
 *
 * Publishes a step: to the progress function at once, and as "progress" on the main context
 * the job was started from.
 */
void
lsn_job_report (LsnJob       *self,
                LsnSyncPhase  phase,
                const char   *kind,
                guint         done,
                guint         total)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  LsnSyncProgress snapshot;
  gboolean schedule = FALSE;

  g_mutex_lock (&priv->lock);
  priv->progress.phase = phase;
  g_strlcpy (priv->progress.kind, kind ? kind : "", sizeof priv->progress.kind);
  priv->progress.done = done;
  priv->progress.total = total;
  priv->progress.counts = priv->counts;
  priv->progress.requests = requests_spent (self);
  priv->progress.throttled = 0;
  for (guint s = 0; s < 2; s++)
    {
      LsnHttpClient *http = priv->conn[s] ? lsn_connector_get_http (priv->conn[s]) : NULL;

      if (http != NULL && priv->written[s])
        {
          LsnHttpStats stats;
          lsn_http_client_get_stats (http, &stats);
          priv->progress.throttled += stats.throttled;
          priv->progress.budget_left[s] = stats.budget_left;
          priv->progress.budget_requests[s] = stats.budget_requests;
        }
    }
  snapshot = priv->progress;
  if (priv->main_context && !priv->idle_pending)
    priv->idle_pending = schedule = TRUE;
  g_mutex_unlock (&priv->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_LOW);
      g_source_set_callback (source, emit_progress_idle, g_object_ref (self), g_object_unref);
      g_source_attach (source, priv->main_context);
      g_source_unref (source);
    }

  if (priv->progress_func)
    priv->progress_func (&snapshot, priv->progress_data);
}

/**
 * lsn_job_checkpoint:
 *
 * Blocks while the job is paused.
 *
 * Returns: %FALSE when the run was cancelled
 */
gboolean
lsn_job_checkpoint (LsnJob  *self,
                    GError **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  while (priv->paused && !g_cancellable_is_cancelled (priv->cancellable))
    {
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;
      g_cond_wait_until (&priv->cond, &priv->lock, until);
    }
  g_mutex_unlock (&priv->lock);

  return !g_cancellable_set_error_if_cancelled (priv->cancellable, error);
}

/**
 * lsn_job_pause_for:
 *
 * Sleeps @usec, waking for cancellation.
 *
 * Returns: %FALSE when the run was cancelled
 */
gboolean
lsn_job_pause_for (LsnJob  *self,
                   gint64   usec,
                   GError **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  gint64 until = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (priv->cancellable, error))
        return FALSE;
      g_usleep (MIN (100 * 1000, MAX (until - g_get_monotonic_time (), 0)));
    }
  return !g_cancellable_set_error_if_cancelled (priv->cancellable, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Store access: every op runs on the store's writer thread, in one transaction.                 */

typedef struct
{
  LsnJob     *self;
  LsnJobDbOp  op;
  gpointer    data;
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

/**
 * lsn_job_in_transaction:
 * @op: (scope call): the body
 *
 * Runs @op on the store's writer thread, in one transaction, and waits for it.
 */
gboolean
lsn_job_in_transaction (LsnJob      *self,
                        LsnJobDbOp   op,
                        gpointer     data,
                        GError     **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  DbCall call = { self, op, data };

  return lsn_store_run_in_transaction (priv->store, db_call_func, &call, error);
}

static gboolean
start_run_op (LsnJob   *self,
              sqlite3  *db,
              gpointer  data,
              GError  **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  const gboolean *close_interrupted = data;

  if (*close_interrupted)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      /* a run still "running" was stopped by a crash or a kill: this run finishes its work */
      stmt = lsn_store_prepare (db,
                                "UPDATE runs SET outcome = 'interrupted', finished_at = ?2, "
                                "message = 'stopped before it finished; the next run completed "
                                "its work' WHERE profile_id = ?1 AND outcome = 'running'",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, lsn_job_get_profile_id (self));
      sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return lsn_store_set_error (db, sqlite3_errcode (db), NULL, "closing interrupted runs",
                                    error);
    }

  priv->run_id = lsn_db_insert_run (db, lsn_job_get_profile_id (self), priv->trigger,
                                    priv->dry_run, lsn_profile_get_version (priv->profile), error);
  return priv->run_id != 0;
}

/**
 * lsn_job_start_run:
 * @close_interrupted: whether runs of the profile still "running" (stopped by a crash or a
 *   kill) are closed as "interrupted" first, in the same transaction
 *
 * Writes the run row; lsn_job_run() finishes it.
 */
gboolean
lsn_job_start_run (LsnJob    *self,
                   gboolean   close_interrupted,
                   GError   **error)
{
  return lsn_job_in_transaction (self, start_run_op, &close_interrupted, error);
}

typedef struct
{
  const char *outcome;
  const char *message;
} FinishData;

static gboolean
finish_run_op (LsnJob   *self,
               sqlite3  *db,
               gpointer  data,
               GError  **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  FinishData *fd = data;

  priv->counts.requests = requests_spent (self);
  return lsn_db_finish_run (db, priv->run_id, &priv->counts, fd->outcome, fd->message, error);
}

typedef struct
{
  const char *kind;
  gint64      last;
} LastCreate;

/* The latest time (µs, wall clock) a create of this profile was marked "sending" by a run that
 * never learnt its outcome; 0 when there is none. */
static gboolean
last_interrupted_create_op (LsnJob   *self,
                            sqlite3  *db,
                            gpointer  data,
                            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LastCreate *lc = data;
  int rc;

  stmt = lsn_store_prepare (db, "SELECT max(updated_at) FROM outbox WHERE profile_id = ?1 "
                            "AND (?2 IS NULL OR kind = ?2) AND action = 'create' "
                            "AND state = 'sending'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lsn_job_get_profile_id (self));
  lsn_store_bind_text (stmt, 2, lc->kind);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, "reading the interrupted writes", error);
  lc->last = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * lsn_job_settle_interrupted_creates:
 * @kind: (nullable): the kind of record, or %NULL for any
 *
 * A create that a stopped run was sending may have reached the target and be applied a moment
 * after the process died. Read too early, the target does not show it yet, the record is created
 * again, and the late one makes a duplicate. So before the target is read, this waits until the
 * latest such create has been out for as long as a request may take (the HTTP client's timeout
 * on the written sides): by then it has landed or never will. Updates and deletes need no wait:
 * sent twice, they give the same result.
 *
 * Returns: %FALSE when the run was cancelled or the outbox could not be read
 */
gboolean
lsn_job_settle_interrupted_creates (LsnJob      *self,
                                    const char  *kind,
                                    GError     **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  LastCreate lc = { kind, 0 };
  gint64 window = 0, wait;

  if (!lsn_job_in_transaction (self, last_interrupted_create_op, &lc, error))
    return FALSE;
  if (lc.last == 0)
    return TRUE;

  for (guint s = 0; s < 2; s++)
    {
      LsnHttpClient *http = priv->conn[s] ? lsn_connector_get_http (priv->conn[s]) : NULL;
      guint timeout = 0;

      if (!priv->written[s])
        continue;
      if (http != NULL)
        g_object_get (lsn_http_client_get_session (http), "timeout", &timeout, NULL);
      window = MAX (window, (gint64) (timeout > 0 ? timeout : IN_FLIGHT_FALLBACK_SEC)
                            * G_USEC_PER_SEC);
    }
  wait = CLAMP (lc.last + window - g_get_real_time (), 0, window);
  if (wait == 0)
    return TRUE;

  g_debug ("A create of the interrupted run may still be in flight: waiting %.1f s before "
           "reading the target", wait / (double) G_USEC_PER_SEC);
  lsn_job_report (self, LSN_SYNC_PHASE_RESUMING, kind, 0, 0);
  return lsn_job_pause_for (self, wait, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Audit events and the outbox                                                                   */

/**
 * lsn_job_new_event:
 *
 * Returns: (transfer full): an audit event of this run, by whoever started it
 */
LsnAuditEvent *
lsn_job_new_event (LsnJob     *self,
                   const char *kind,
                   const char *action,
                   const char *outcome)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  LsnAuditEvent *e = lsn_audit_event_new ();

  e->profile_id = lsn_job_get_profile_id (self);
  e->run_id = priv->run_id;
  e->time = g_get_real_time ();
  e->kind = g_strdup (kind);
  e->action = g_strdup (action);
  e->outcome = g_strdup (outcome);
  e->actor = g_strdup (g_strcmp0 (priv->trigger, "schedule") == 0 ? "scheduler"
                                                                  : g_get_user_name ());
  e->retry_of = priv->retry_of;
  return e;
}

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

/**
 * lsn_job_new_action_event:
 *
 * Returns: (transfer full): an audit event about @action: its records on both sides, its detail
 *   as the message and its changes
 */
LsnAuditEvent *
lsn_job_new_action_event (LsnJob        *self,
                          LsnPlanAction *action,
                          const char    *event_action,
                          const char    *outcome)
{
  LsnAuditEvent *e = lsn_job_new_event (self, action->kind, event_action, outcome);

  e->target_side = g_strdup (lsn_side_to_string (action->target_side));
  e->left_id = g_strdup (id_on (action, LSN_SIDE_LEFT));
  e->right_id = g_strdup (id_on (action, LSN_SIDE_RIGHT));
  e->left_name = g_strdup (name_on (action, LSN_SIDE_LEFT));
  e->right_name = g_strdup (name_on (action, LSN_SIDE_RIGHT));
  e->message = g_strdup (action->detail);
  if (action->changes)
    {
      g_autoptr(JsonNode) n = json_node_alloc ();
      json_node_init_array (n, action->changes);
      e->changes = json_to_string (n, FALSE);
    }
  return e;
}

static char *
idem_key (LsnJob        *self,
          LsnPlanAction *a)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  g_autofree char *raw = NULL;

  raw = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%s|%s|%s|%s|%s",
                         lsn_job_get_profile_id (self), priv->run_id, a->kind,
                         lsn_action_type_to_string (a->type), lsn_side_to_string (a->target_side),
                         a->source_id ? a->source_id : "", a->target_id ? a->target_id : "");
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
  if (a->refs && json_object_get_size (a->refs) > 0)
    {
      JsonNode *n = json_node_alloc ();
      json_node_init_object (n, a->refs);
      json_builder_set_member_name (b, "refs");
      json_builder_add_value (b, n);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/**
 * lsn_job_queue_write:
 * @db: the database, in a transaction (an #LsnJobDbOp)
 * @kind_plan: the plan of @action's kind
 * @action: a write (create, update, archive, delete) in the job's plan
 * @writes: (element-type LsnJobWrite): where a queued write is appended
 *
 * Queues @action in the outbox, once (its idempotency key is the run's and the action's), or,
 * when the mass-change guard stopped @kind_plan, counts it skipped and records a "guarded" event.
 */
gboolean
lsn_job_queue_write (LsnJob         *self,
                     sqlite3        *db,
                     LsnKindPlan    *kind_plan,
                     LsnPlanAction  *action,
                     GArray         *writes,
                     GError        **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  g_autoptr(LsnOutboxRow) row = NULL;

  if (kind_plan->guarded)
    {
      g_autoptr(LsnAuditEvent) e =
        lsn_job_new_action_event (self, action, lsn_action_type_to_string (action->type),
                                  "guarded");

      priv->counts.skipped++;
      g_free (e->message);
      e->message = g_strdup (kind_plan->guard_message);
      return lsn_db_insert_event (db, e, error) != 0;
    }

  row = g_new0 (LsnOutboxRow, 1);
  row->run_id = priv->run_id;
  row->idem_key = idem_key (self, action);
  row->kind = g_strdup (action->kind);
  row->target_side = g_strdup (lsn_side_to_string (action->target_side));
  row->action = g_strdup (lsn_action_type_to_string (action->type));
  row->source_id = g_strdup (action->source_id);
  row->target_id = g_strdup (action->target_id);
  row->payload = payload_for (action);
  if (!lsn_db_outbox_insert (db, lsn_job_get_profile_id (self), row, error))
    return FALSE;
  if (row->id != 0)
    {
      LsnJobWrite w = { action, row->id };
      g_array_append_val (writes, w);
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
set_row_state_op (LsnJob   *self,
                  sqlite3  *db,
                  gpointer  data,
                  GError  **error)
{
  RowState *rs = data;
  return lsn_db_outbox_set_state (db, rs->row_id, rs->state, rs->error_text, error);
}

/**
 * lsn_job_set_write_state:
 * @state: "sending", "done", "failed" or "unknown"
 * @error_text: (nullable): why it failed
 *
 * Sets the state of one outbox row, in its own transaction.
 */
gboolean
lsn_job_set_write_state (LsnJob      *self,
                         gint64       row_id,
                         const char  *state,
                         const char  *error_text,
                         GError     **error)
{
  RowState rs = { row_id, state, error_text };

  return lsn_job_in_transaction (self, set_row_state_op, &rs, error);
}

/**
 * lsn_job_send_writes:
 * @kind: (nullable): what is written, for the progress
 * @writes: (element-type LsnJobWrite): writes queued by lsn_job_queue_write()
 *
 * Sends the writes one by one with the class's send_write(), each marked "sending" in the
 * outbox first. The run's outcome becomes "guarded" when the guard stopped a kind of the plan.
 *
 * Returns: %FALSE when the run stops (cancelled, or a failure that stops it)
 */
gboolean
lsn_job_send_writes (LsnJob      *self,
                     const char  *kind,
                     GArray      *writes,
                     GError     **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  LsnJobClass *klass = LSN_JOB_GET_CLASS (self);

  for (guint k = 0; priv->plan && k < priv->plan->kinds->len; k++)
    if (((LsnKindPlan *) g_ptr_array_index (priv->plan->kinds, k))->guarded)
      {
        g_free (priv->outcome);
        priv->outcome = g_strdup ("guarded");
      }

  for (guint i = 0; i < writes->len; i++)
    {
      LsnJobWrite *w = &g_array_index (writes, LsnJobWrite, i);

      lsn_job_report (self, LSN_SYNC_PHASE_APPLYING, kind, i, writes->len);
      if (!lsn_job_checkpoint (self, error)
          || !lsn_job_set_write_state (self, w->row_id, "sending", NULL, error)
          || !klass->send_write (self, w, error))
        return FALSE;
    }
  lsn_job_report (self, LSN_SYNC_PHASE_APPLYING, kind, writes->len, writes->len);
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* The run                                                                                       */

static gboolean
run_inner (LsnJob  *self,
           GError **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);

  lsn_job_report (self, LSN_SYNC_PHASE_STARTING, NULL, 0, 0);

  priv->config = lsn_profile_config_parse (lsn_profile_get_settings (priv->profile), error);
  if (priv->config == NULL)
    return FALSE;

  return LSN_JOB_GET_CLASS (self)->run_body (self, error);
}

/**
 * lsn_job_run:
 *
 * Runs the job on the calling thread, which must not be the main thread of a window. A run that
 * fails still leaves its run row (outcome "failed", with the reason), unless it is a dry run.
 *
 * Returns: %FALSE when the run could not finish (it may still have written part of its work,
 *   each piece with its audit event); the error says why and what to do
 */
gboolean
lsn_job_run (LsnJob        *self,
             GCancellable  *cancellable,
             GError       **error)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) finish_error = NULL;
  FinishData fd = { 0 };
  gboolean ok;

  g_return_val_if_fail (LSN_IS_JOB (self), FALSE);

  priv->cancellable = cancellable;
  ok = run_inner (self, &local_error);

  if (!ok)
    fd.outcome = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                                                                                 : "failed";
  else if (g_strcmp0 (priv->outcome, "guarded") == 0)
    fd.outcome = "guarded";
  else
    fd.outcome = priv->counts.failed > 0 ? "partial" : "ok";
  fd.message = local_error ? local_error->message : NULL;

  g_free (priv->outcome);
  priv->outcome = g_strdup (fd.outcome);

  lsn_job_report (self, LSN_SYNC_PHASE_RECORDING, NULL, 0, 0);
  if (priv->run_id != 0 && !lsn_job_in_transaction (self, finish_run_op, &fd, &finish_error))
    g_warning ("Could not record the end of run %" G_GINT64_FORMAT ": %s", priv->run_id,
               finish_error->message);
  priv->counts.requests = requests_spent (self);
  lsn_job_report (self, LSN_SYNC_PHASE_DONE, NULL, 0, 0);
  unwatch_connectors (self);
  priv->cancellable = NULL;

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

  if (lsn_job_run (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lsn_job_run_async:
 *
 * Runs the job on a worker thread; "progress" is emitted on the caller's main context.
 */
void
lsn_job_run_async (LsnJob              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  LsnJobPrivate *priv = lsn_job_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lsn_job_run_async);
  g_clear_pointer (&priv->main_context, g_main_context_unref);
  priv->main_context = g_main_context_ref_thread_default ();
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
lsn_job_run_finish (LsnJob        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
