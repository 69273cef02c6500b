/* lsn-sync-job.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One sync run of one profile between two PSAs: pull → match/plan → apply → record (DESIGN.md,
 * "Data flow"). An LsnJob (lsn-job.c): the run row, progress, pause, the outbox and the audit
 * events are the base's; this file reads, plans and sends.
 *
 * Threading: as LsnJob. Everything under "worker" below is touched only by the thread running
 * the job, and so are the connectors.
 *
 * Crash safety: every write is first queued in the outbox (with an idempotency key) in one
 * transaction, marked "sending" just before it goes out, and its result, the link and the audit
 * event are committed together. After a kill, the next run finds rows still "sending": a create
 * is looked for on the target (by the reference we wrote, then by exact name) before anything is
 * sent again, so no record is ever created twice.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lsn-error.h"
#include "lsn-planner.h"
#include "lsn-profile-config.h"
#include "lsn-secrets.h"
#include "lsn-sync-job.h"

#define PULL_OVERLAP_USEC (2 * G_USEC_PER_SEC)

struct _LsnSyncJob
{
  LsnJob               parent_instance;

  /* set before the run, then read-only */
  char                *only_kind;
  gboolean             links_only;
  gboolean             full;

  /* worker */
  LsnAuditEvent       *retry_event;
  GHashTable          *records[2];   /* kind → GPtrArray of LsnRecord */
  GHashTable          *fresh[2];     /* kind → GHashTable of ids */
  GHashTable          *complete[2];  /* kinds listed in full */
  GHashTable          *links;        /* kind → GPtrArray of LsnLink (after each apply) */
  GHashTable          *xlate[2];     /* "kind\nid" on side s → id on the other side */
  GHashTable          *catalogue[2];  /* kind → GPtrArray of LsnFieldInfo, or a NULL value */
};

G_DEFINE_FINAL_TYPE (LsnSyncJob, lsn_sync_job, LSN_TYPE_JOB)

static gboolean lsn_sync_job_run_body   (LsnJob       *job,
                                         GError      **error);
static gboolean lsn_sync_job_send_write (LsnJob       *job,
                                         LsnJobWrite  *write,
                                         GError      **error);

/* -------------------------------------------------------------------------------------------- */

static void
lsn_sync_job_finalize (GObject *object)
{
  LsnSyncJob *self = (LsnSyncJob *) object;

  g_free (self->only_kind);
  g_clear_pointer (&self->retry_event, lsn_audit_event_free);
  for (guint s = 0; s < 2; s++)
    {
      g_clear_pointer (&self->records[s], g_hash_table_unref);
      g_clear_pointer (&self->fresh[s], g_hash_table_unref);
      g_clear_pointer (&self->complete[s], g_hash_table_unref);
      g_clear_pointer (&self->xlate[s], g_hash_table_unref);
      g_clear_pointer (&self->catalogue[s], g_hash_table_unref);
    }
  g_clear_pointer (&self->links, g_hash_table_unref);

  G_OBJECT_CLASS (lsn_sync_job_parent_class)->finalize (object);
}

static void
lsn_sync_job_class_init (LsnSyncJobClass *klass)
{
  LsnJobClass *job_class = LSN_JOB_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lsn_sync_job_finalize;
  job_class->run_body = lsn_sync_job_run_body;
  job_class->send_write = lsn_sync_job_send_write;
}

/* The catalogue holds NULL for a kind whose fields could not be listed. */
static void
ptr_array_unref0 (gpointer array)
{
  if (array != NULL)
    g_ptr_array_unref (array);
}

static void
lsn_sync_job_init (LsnSyncJob *self)
{
  for (guint s = 0; s < 2; s++)
    {
      self->records[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
      self->fresh[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
      self->complete[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->xlate[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      self->catalogue[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  ptr_array_unref0);
    }
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
}

/**
 * lsn_sync_job_new:
 * @trigger: "manual", "schedule", "retry" or "cli"
 *
 * Returns: (transfer full): a job for one run of @profile
 */
LsnSyncJob *
lsn_sync_job_new (LsnStore   *store,
                  LsnProfile *profile,
                  const char *trigger)
{
  LsnSyncJob *self = g_object_new (LSN_TYPE_SYNC_JOB, NULL);

  lsn_job_construct (LSN_JOB (self), store, profile, trigger);
  return self;
}

void
lsn_sync_job_set_dry_run (LsnSyncJob *self,
                          gboolean    dry_run)
{
  lsn_job_set_dry_run (LSN_JOB (self), dry_run);
}

void
lsn_sync_job_set_confirmed (LsnSyncJob *self,
                            gboolean    confirmed)
{
  lsn_job_set_confirmed (LSN_JOB (self), confirmed);
}

void
lsn_sync_job_set_links_only (LsnSyncJob *self,
                             gboolean    links_only)
{
  self->links_only = links_only;
}

/**
 * lsn_sync_job_set_full:
 *
 * Reads both sides in full (a reconcile), which also finds records deleted on one side. The
 * schedule does this once a day by itself.
 */
void
lsn_sync_job_set_full (LsnSyncJob *self,
                       gboolean    full)
{
  self->full = full;
}

/**
 * lsn_sync_job_set_retry_of:
 * @event_id: a failed audit event
 *
 * Makes the run a "Send again": it re-plans only the record of that event, with the current
 * mappings and settings, and links the new events to the original failure.
 */
void
lsn_sync_job_set_retry_of (LsnSyncJob *self,
                           gint64      event_id)
{
  lsn_job_set_retry_of (LSN_JOB (self), event_id);
}

gint64
lsn_sync_job_get_run_id (LsnSyncJob *self)
{
  return lsn_job_get_run_id (LSN_JOB (self));
}

const char *
lsn_sync_job_get_outcome (LsnSyncJob *self)
{
  return lsn_job_get_outcome (LSN_JOB (self));
}

const LsnRunCounts *
lsn_sync_job_get_counts (LsnSyncJob *self)
{
  return lsn_job_get_counts (LSN_JOB (self));
}

/**
 * lsn_sync_job_get_plan:
 *
 * Returns: (transfer none) (nullable): the plan, once the run planned (also for a dry run)
 */
LsnPlan *
lsn_sync_job_get_plan (LsnSyncJob *self)
{
  return lsn_job_get_plan (LSN_JOB (self));
}

void
lsn_sync_job_set_only_kind (LsnSyncJob *self,
                            const char *kind)
{
  g_free (self->only_kind);
  self->only_kind = g_strdup (kind);
}

/**
 * lsn_sync_job_set_connectors:
 *
 * Uses these connectors instead of building them from the profile (tests, the demo).
 */
void
lsn_sync_job_set_connectors (LsnSyncJob   *self,
                             LsnConnector *left,
                             LsnConnector *right)
{
  lsn_job_set_connector (LSN_JOB (self), LSN_SIDE_LEFT, left, TRUE);
  lsn_job_set_connector (LSN_JOB (self), LSN_SIDE_RIGHT, right, TRUE);
}

void
lsn_sync_job_set_progress_func (LsnSyncJob          *self,
                                LsnSyncProgressFunc  func,
                                gpointer             user_data)
{
  lsn_job_set_progress_func (LSN_JOB (self), func, user_data);
}

void
lsn_sync_job_pause (LsnSyncJob *self)
{
  lsn_job_pause (LSN_JOB (self));
}

void
lsn_sync_job_resume (LsnSyncJob *self)
{
  lsn_job_resume (LSN_JOB (self));
}

void
lsn_sync_job_get_progress (LsnSyncJob      *self,
                           LsnSyncProgress *progress)
{
  lsn_job_get_progress (LSN_JOB (self), progress);
}

/* Shorthands for what the base job holds. */

static gint64
profile_id (LsnSyncJob *self)
{
  return lsn_job_get_profile_id (LSN_JOB (self));
}

static LsnProfileConfig *
config (LsnSyncJob *self)
{
  return lsn_job_get_config (LSN_JOB (self));
}

static LsnConnector *
conn (LsnSyncJob *self,
      LsnSide     side)
{
  return lsn_job_get_connector (LSN_JOB (self), side);
}

static LsnRunCounts *
counts (LsnSyncJob *self)
{
  return lsn_job_get_mutable_counts (LSN_JOB (self));
}

static gboolean
dry_run (LsnSyncJob *self)
{
  return lsn_job_get_dry_run (LSN_JOB (self));
}

static GCancellable *
cancellable (LsnSyncJob *self)
{
  return lsn_job_get_cancellable (LSN_JOB (self));
}

static void
report (LsnSyncJob   *self,
        LsnSyncPhase  phase,
        const char   *kind,
        guint         done,
        guint         total)
{
  lsn_job_report (LSN_JOB (self), phase, kind, done, total);
}

static gboolean
in_transaction (LsnSyncJob  *self,
                LsnJobDbOp   op,
                gpointer     data,
                GError     **error)
{
  return lsn_job_in_transaction (LSN_JOB (self), op, data, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Connectors                                                                                    */

/**
 * lsn_sync_build_connector:
 * @side_settings: one side of a profile file
 *
 * Builds the connector, reading its secret from where the settings say: the environment
 * (`{"env": "NAME"}`) or the keyring (`{"keyring": true}`, keyed by the side's "id").
 *
 * Returns: (transfer full) (nullable): the connector
 */
LsnConnector *
lsn_sync_build_connector (JsonObject  *side_settings,
                          GError     **error)
{
  const char *connector = json_object_get_string_member_with_default (side_settings, "connector",
                                                                      NULL);
  const char *key = lsn_connector_secret_key (connector);
  g_autofree char *secret = NULL;
  JsonNode *where = key ? json_object_get_member (side_settings, key) : NULL;

  if (where != NULL && JSON_NODE_HOLDS_OBJECT (where))
    {
      JsonObject *w = json_node_get_object (where);
      const char *env = json_object_get_string_member_with_default (w, "env", NULL);

      if (env != NULL)
        {
          const char *value = g_getenv (env);
          if (value == NULL || *value == '\0')
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_AUTH,
                           "The %s connection reads its %s from the environment variable %s, "
                           "which is not set: export it before running Liaison",
                           connector, key, env);
              return NULL;
            }
          secret = g_strdup (value);
        }
      else if (json_object_get_boolean_member_with_default (w, "keyring", FALSE))
        {
          const char *id = json_object_get_string_member_with_default (side_settings, "id", NULL);
          g_autoptr(GError) local_error = NULL;

          if (id != NULL)
            secret = lsn_secrets_lookup (lsn_secrets_get_default (), id, NULL, &local_error);
          if (secret == NULL)
            {
              if (local_error != NULL)
                g_propagate_error (error, g_steal_pointer (&local_error));
              else
                g_set_error (error, LSN_ERROR, LSN_ERROR_AUTH,
                             "The %s connection keeps its %s in the keyring, but the keyring "
                             "has none for it: enter it again on the Connections page",
                             connector, key);
              return NULL;
            }
        }
    }

  return lsn_connector_new_from_settings (side_settings, secret, error);
}

static gboolean
ensure_connectors (LsnSyncJob  *self,
                   GError     **error)
{
  for (guint s = 0; s < 2; s++)
    {
      LsnHttpClient *http;

      if (conn (self, s) == NULL)
        {
          g_autoptr(LsnConnector) built =
            lsn_sync_build_connector (lsn_profile_config_get_side (config (self), s), error);

          if (built == NULL)
            {
              g_prefix_error (error, "The %s connection cannot be used: ",
                              lsn_side_to_string (s));
              return FALSE;
            }
          lsn_job_set_connector (LSN_JOB (self), s, built, TRUE);
        }
      http = lsn_connector_get_http (conn (self, s));
      if (http != NULL)
        {
          JsonObject *side = lsn_profile_config_get_side (config (self), s);
          JsonNode *timeout = side ? json_object_get_member (side, "timeout_seconds") : NULL;

          /* how long one request may take (a profile may shorten it) */
          if (timeout != NULL && JSON_NODE_HOLDS_VALUE (timeout)
              && json_node_get_value_type (timeout) == G_TYPE_INT64
              && json_node_get_int (timeout) > 0)
            lsn_http_client_set_timeout (http, (guint) json_node_get_int (timeout));
        }
    }
  lsn_job_watch_connectors (LSN_JOB (self));
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* Pull                                                                                          */

typedef struct
{
  LsnSide     side;
  const char *kind;
  char       *cursor;
  gint64      last_full_at;
  GPtrArray  *cached;
  GPtrArray  *pulled;
  gboolean    full;
  char       *new_cursor;
} PullData;

static void
pull_data_clear (PullData *pd)
{
  g_clear_pointer (&pd->cursor, g_free);
  g_clear_pointer (&pd->new_cursor, g_free);
  g_clear_pointer (&pd->cached, g_ptr_array_unref);
  g_clear_pointer (&pd->pulled, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PullData, pull_data_clear)

static gboolean
load_pull_state_op (LsnJob      *job,
                    sqlite3     *db,
                    gpointer     data,
                    GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  PullData *pd = data;

  if (!lsn_db_get_cursor (db, profile_id (self), lsn_side_to_string (pd->side), pd->kind,
                          &pd->cursor, &pd->last_full_at, error))
    return FALSE;
  pd->cached = lsn_db_load_cache (db, profile_id (self), lsn_side_to_string (pd->side), pd->kind,
                                  FALSE, error);
  return pd->cached != NULL;
}

static gboolean
save_pull_op (LsnJob      *job,
              sqlite3     *db,
              gpointer     data,
              GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  PullData *pd = data;
  const char *side = lsn_side_to_string (pd->side);

  if (!lsn_db_cache_records (db, profile_id (self), side, pd->pulled, g_get_real_time (), error))
    return FALSE;

  if (pd->full)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < pd->pulled->len; i++)
        g_hash_table_add (seen, (gpointer) lsn_record_get_remote_id (g_ptr_array_index (pd->pulled, i)));
      for (guint i = 0; i < pd->cached->len; i++)
        {
          LsnRecord *r = g_ptr_array_index (pd->cached, i);
          if (!g_hash_table_contains (seen, lsn_record_get_remote_id (r))
              && !lsn_db_cache_mark_deleted (db, profile_id (self), side, pd->kind,
                                             lsn_record_get_remote_id (r), TRUE, error))
            return FALSE;
        }
    }

  return lsn_db_set_cursor (db, profile_id (self), side, pd->kind, pd->new_cursor,
                            pd->full ? g_get_real_time () : pd->last_full_at, error);
}

static gboolean
pull_side (LsnSyncJob  *self,
           const char  *kind,
           LsnSide      side,
           GError     **error)
{
  g_auto(PullData) pd = { 0 };
  LsnListOptions options = { 0 };
  g_autoptr(GHashTable) merged = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) cached_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time ();
  gint64 cursor = 0, max_modified = 0;

  pd.side = side;
  pd.kind = kind;

  if (!in_transaction (self, load_pull_state_op, &pd, error))
    return FALSE;

  cursor = pd.cursor ? g_ascii_strtoll (pd.cursor, NULL, 10) : 0;
  pd.full = self->full || cursor == 0
            || now - pd.last_full_at
               > (gint64) config (self)->full_every_hours * 3600 * G_USEC_PER_SEC;

  options.include_inactive = TRUE;
  options.since_usec = pd.full ? 0 : MAX (cursor - PULL_OVERLAP_USEC, 1);

  pd.pulled = lsn_connector_list_all (conn (self, side), kind, &options, cancellable (self), error);
  if (pd.pulled == NULL)
    {
      g_prefix_error (error, "Reading %ss from the %s side failed, nothing was written: ",
                      kind, lsn_side_to_string (side));
      return FALSE;
    }

  for (guint i = 0; i < pd.cached->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (pd.cached, i);
      g_hash_table_insert (cached_by_id, (gpointer) lsn_record_get_remote_id (r), r);
      if (!pd.full)
        g_hash_table_insert (merged, (gpointer) lsn_record_get_remote_id (r), r);
    }

  for (guint i = 0; i < pd.pulled->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (pd.pulled, i);
      LsnRecord *old = g_hash_table_lookup (cached_by_id, lsn_record_get_remote_id (r));

      g_hash_table_insert (merged, (gpointer) lsn_record_get_remote_id (r), r);
      max_modified = MAX (max_modified, lsn_record_get_modified (r));
      /* fresh: new to us, or changed since we last saw it */
      if (old == NULL || g_strcmp0 (lsn_record_get_hash (old), lsn_record_get_hash (r)) != 0
          || lsn_record_get_modified (old) != lsn_record_get_modified (r))
        g_hash_table_add (fresh, g_strdup (lsn_record_get_remote_id (r)));
    }

  {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, merged);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (records, g_object_ref (value));
  }

  pd.new_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (cursor, max_modified));

  if (!dry_run (self) && !in_transaction (self, save_pull_op, &pd, error))
    return FALSE;

  g_hash_table_replace (self->records[side], g_strdup (kind), g_steal_pointer (&records));
  g_hash_table_replace (self->fresh[side], g_strdup (kind), g_steal_pointer (&fresh));
  if (pd.full)
    g_hash_table_add (self->complete[side], g_strdup (kind));
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* Links and translation                                                                         */

static gboolean
load_links_op (LsnJob      *job,
               sqlite3     *db,
               gpointer     data,
               GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  const char *kind = data;
  GPtrArray *links = lsn_db_load_links (db, profile_id (self), kind, error);

  if (links == NULL)
    return FALSE;
  g_hash_table_replace (self->links, g_strdup (kind), links);
  return TRUE;
}

static char *
xlate_key (const char *kind,
           const char *id)
{
  return g_strconcat (kind, "\n", id, NULL);
}

static void
index_link (LsnSyncJob *self,
            LsnLink    *link)
{
  g_hash_table_replace (self->xlate[LSN_SIDE_LEFT], xlate_key (link->kind, link->left_id),
                        g_strdup (link->right_id));
  g_hash_table_replace (self->xlate[LSN_SIDE_RIGHT], xlate_key (link->kind, link->right_id),
                        g_strdup (link->left_id));
}

static gboolean
reload_links (LsnSyncJob  *self,
              const char  *kind,
              GError     **error)
{
  GPtrArray *links;

  if (!in_transaction (self, load_links_op, (gpointer) kind, error))
    return FALSE;
  links = g_hash_table_lookup (self->links, kind);
  for (guint i = 0; i < links->len; i++)
    index_link (self, g_ptr_array_index (links, i));
  return TRUE;
}

static const char *
translate_cb (const char *kind,
              LsnSide     from,
              const char *id,
              gpointer    user_data)
{
  LsnSyncJob *self = user_data;
  g_autofree char *key = xlate_key (kind, id);

  return g_hash_table_lookup (self->xlate[from], key);
}

static LsnLink *
find_link (LsnSyncJob *self,
           const char *kind,
           gint64      id)
{
  GPtrArray *links = g_hash_table_lookup (self->links, kind);

  for (guint i = 0; links && i < links->len; i++)
    {
      LsnLink *link = g_ptr_array_index (links, i);
      if (link->id == id)
        return link;
    }
  return NULL;
}

/* -------------------------------------------------------------------------------------------- */
/* Apply                                                                                         */

static const char *
id_on (LsnPlanAction *a,
       LsnSide        side)
{
  return a->source_side == side ? a->source_id : a->target_id;
}

typedef struct
{
  LsnKindPlan *kp;
  GArray      *writes;    /* of LsnJobWrite */
} LocalData;

static gboolean
is_fresh (LsnSyncJob    *self,
          LsnPlanAction *a)
{
  GHashTable *fresh = g_hash_table_lookup (self->fresh[a->source_side], a->kind);

  return fresh == NULL || a->source_id == NULL || g_hash_table_contains (fresh, a->source_id);
}

static gboolean
apply_local_op (LsnJob      *job,
                sqlite3     *db,
                gpointer     data,
                GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  LocalData *ld = data;
  LsnKindPlan *kp = ld->kp;

  for (guint i = 0; i < kp->actions->len; i++)
    {
      LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
      g_autoptr(LsnAuditEvent) e = NULL;

      switch (a->type)
        {
        case LSN_ACTION_LINK:
          {
            g_autoptr(LsnLink) link =
              lsn_link_new (a->kind, id_on (a, LSN_SIDE_LEFT), id_on (a, LSN_SIDE_RIGHT),
                            a->link_origin);
            if (a->source_side == LSN_SIDE_LEFT)
              {
                link->left_hash = g_strdup (a->source_hash);
                link->right_hash = g_strdup (a->target_hash);
              }
            else
              {
                link->right_hash = g_strdup (a->source_hash);
                link->left_hash = g_strdup (a->target_hash);
              }
            if (!lsn_db_save_link (db, profile_id (self), link, error))
              return FALSE;
            e = lsn_job_new_action_event (job, a, "link", "ok");
          }
          break;

        case LSN_ACTION_REFRESH:
          {
            LsnLink *link = find_link (self, a->kind, a->link_id);
            if (link == NULL)
              break;
            if (a->source_side == LSN_SIDE_LEFT)
              {
                g_free (link->left_hash);
                link->left_hash = g_strdup (a->source_hash);
                if (a->target_hash)
                  {
                    g_free (link->right_hash);
                    link->right_hash = g_strdup (a->target_hash);
                  }
              }
            else
              {
                g_free (link->right_hash);
                link->right_hash = g_strdup (a->source_hash);
                if (a->target_hash)
                  {
                    g_free (link->left_hash);
                    link->left_hash = g_strdup (a->target_hash);
                  }
              }
            if (!lsn_db_save_link (db, profile_id (self), link, error))
              return FALSE;
          }
          break;

        case LSN_ACTION_SKIP:
        case LSN_ACTION_HOLD:
          if (g_strcmp0 (a->reason, "echo") != 0 && !is_fresh (self, a))
            {
              /* told already when the record first came in, or last changed */
              counts (self)->skipped++;
              break;
            }
          if (a->type == LSN_ACTION_HOLD)
            {
              counts (self)->skipped++;
              e = lsn_job_new_action_event (job, a, "hold", "held");
            }
          else if (g_strcmp0 (a->reason, "echo") == 0)
            {
              counts (self)->echoes++;
              e = lsn_job_new_action_event (job, a, "skip", "echo");
              g_free (e->message);
              e->message = g_strdup ("the change is Liaison's own write coming back: not sent");
            }
          else
            {
              counts (self)->skipped++;
              e = lsn_job_new_action_event (job, a, "skip", a->reason);
            }
          break;

        case LSN_ACTION_DELETED:
          counts (self)->deleted++;
          e = lsn_job_new_action_event (job, a, "delete", "reported");
          break;

        case LSN_ACTION_CREATE:
        case LSN_ACTION_UPDATE:
        case LSN_ACTION_ARCHIVE:
          if (!lsn_job_queue_write (job, db, kp, a, ld->writes, error))
            return FALSE;
          break;

        default:
          break;
        }

      if (e != NULL && lsn_db_insert_event (db, e, error) == 0)
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  LsnPlanAction *action;
  gint64         row_id;
  LsnRecord     *result;     /* (nullable) the target as it is now */
  const GError  *failure;    /* (nullable) */
  const char    *request;
  const char    *event_action;
  const char    *recovered;  /* (nullable) a note when an interrupted create was found */
} ResultData;

static gboolean
record_result_op (LsnJob      *job,
                  sqlite3     *db,
                  gpointer     data,
                  GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  ResultData *rd = data;
  LsnPlanAction *a = rd->action;
  g_autoptr(LsnAuditEvent) e = NULL;
  const char *state;
  g_autofree char *error_text = NULL;

  if (rd->failure == NULL && rd->result != NULL)
    {
      LsnKindConfig *kc = lsn_profile_config_get_kind (config (self), a->kind);
      g_autofree char *target_hash = lsn_planner_side_hash (kc, a->target_side, rd->result);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      LsnLink *link = a->link_id ? find_link (self, a->kind, a->link_id) : NULL;
      g_autoptr(LsnLink) new_link = NULL;
      gint64 now = g_get_real_time ();

      if (link == NULL)
        {
          const char *tid = lsn_record_get_remote_id (rd->result);
          new_link = lsn_link_new (a->kind,
                                   a->source_side == LSN_SIDE_LEFT ? a->source_id : tid,
                                   a->source_side == LSN_SIDE_LEFT ? tid : a->source_id,
                                   "sync");
          link = new_link;
          g_free (a->target_id);
          a->target_id = g_strdup (tid);
        }

      if (a->source_side == LSN_SIDE_LEFT)
        {
          if (a->source_hash)
            {
              g_free (link->left_hash);
              link->left_hash = g_strdup (a->source_hash);
            }
          g_free (link->right_hash);
          link->right_hash = g_strdup (target_hash);
          link->right_written_at = now;
        }
      else
        {
          if (a->source_hash)
            {
              g_free (link->right_hash);
              link->right_hash = g_strdup (a->source_hash);
            }
          g_free (link->left_hash);
          link->left_hash = g_strdup (target_hash);
          link->left_written_at = now;
        }
      if (!lsn_db_save_link (db, profile_id (self), link, error))
        return FALSE;
      if (new_link != NULL)
        {
          GPtrArray *links = g_hash_table_lookup (self->links, a->kind);
          index_link (self, new_link);
          if (links)
            g_ptr_array_add (links, g_steal_pointer (&new_link));
        }

      g_ptr_array_add (one, rd->result);
      if (!lsn_db_cache_records (db, profile_id (self), lsn_side_to_string (a->target_side), one,
                                 now, error))
        return FALSE;

      e = lsn_job_new_action_event (job, a, rd->event_action, "ok");
      if (rd->recovered)
        {
          g_free (e->message);
          e->message = g_strdup (rd->recovered);
        }
      state = "done";
      if (a->type == LSN_ACTION_CREATE)
        counts (self)->created++;
      else
        counts (self)->updated++;
    }
  else
    {
      gboolean unknown = g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);

      e = lsn_job_new_action_event (job, a, rd->event_action, "failed");
      g_free (e->message);
      if (g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_PERMISSION))
        e->message = g_strdup_printf ("%s — the API account on the %s side may lack permission to "
                                      "change %ss; nothing was created instead",
                                      rd->failure->message, lsn_side_to_string (a->target_side),
                                      a->kind);
      else if (g_error_matches (rd->failure, LSN_ERROR, LSN_ERROR_NOT_FOUND)
               && a->type != LSN_ACTION_CREATE)
        e->message = g_strdup_printf ("%s — the linked record is gone on the %s side (deleted or "
                                      "merged); it was not created again. Fix or remove the "
                                      "mapping.", rd->failure->message,
                                      lsn_side_to_string (a->target_side));
      else
        e->message = g_strdup (rd->failure->message);
      state = unknown ? "unknown" : "failed";
      error_text = g_strdup (rd->failure->message);
      counts (self)->failed++;
    }

  e->request = g_strdup (rd->request);
  if (lsn_db_insert_event (db, e, error) == 0)
    return FALSE;
  if (rd->row_id > 0)
    return lsn_db_outbox_set_state (db, rd->row_id, state, error_text, error);
  return TRUE;
}

static gboolean
resolve_refs (LsnSyncJob     *self,
              LsnPlanAction  *a,
              JsonObject    **out,
              GError        **error)
{
  JsonObject *fields = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (a->fields);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (a->fields, name);
      const char *ref_kind = a->refs ? json_object_get_string_member_with_default (a->refs, name, NULL)
                                     : NULL;

      if (ref_kind != NULL)
        {
          const char *tid = translate_cb (ref_kind, a->source_side, json_node_get_string (value),
                                          self);
          if (tid == NULL)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                           "Its %s (%s on the %s side) is not synced to the %s side yet: sync or "
                           "map that %s first", ref_kind, json_node_get_string (value),
                           lsn_side_to_string (a->source_side),
                           lsn_side_to_string (a->target_side), ref_kind);
              json_object_unref (fields);
              return FALSE;
            }
          json_object_set_string_member (fields, name, tid);
        }
      else
        json_object_set_member (fields, name, json_node_copy (value));
    }

  *out = fields;
  return TRUE;
}

/* The connector's field catalogue of @kind, asked once per run; %NULL when it cannot say. */
static GPtrArray *
catalogue (LsnSyncJob *self,
           LsnSide     side,
           const char *kind)
{
  GPtrArray *fields;
  g_autoptr(GError) error = NULL;

  if (g_hash_table_lookup_extended (self->catalogue[side], kind, NULL, (gpointer *) &fields))
    return fields;

  fields = lsn_connector_list_fields (conn (self, side), kind, cancellable (self), &error);
  if (fields == NULL)
    g_message ("The %s side cannot list the fields of %ss: %s", lsn_side_to_string (side), kind,
               error->message);
  g_hash_table_insert (self->catalogue[side], g_strdup (kind), fields);
  return fields;
}

static gboolean
has_canonical (GPtrArray  *fields,
               const char *canonical)
{
  for (guint i = 0; fields && i < fields->len; i++)
    {
      LsnFieldInfo *f = g_ptr_array_index (fields, i);
      if (g_strcmp0 (f->canonical, canonical) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether the target side has a field that can hold the other side's id for @kind. */
static gboolean
writes_reference (LsnSyncJob *self,
                  LsnSide     side,
                  const char *kind)
{
  return has_canonical (catalogue (self, side, kind), "reference");
}

/* Default mappings cover only the canonical fields both systems have: HaloPSA keeps a client's
 * phone and address on its sites, ConnectWise on the company. A profile that lists its fields
 * gets exactly those. */
static void
narrow_default_fields (LsnSyncJob    *self,
                       LsnKindConfig *kc)
{
  GPtrArray *left, *right;

  if (!kc->fields_default)
    return;
  left = catalogue (self, LSN_SIDE_LEFT, kc->kind);
  right = catalogue (self, LSN_SIDE_RIGHT, kc->kind);
  if (left == NULL || right == NULL)
    return;

  for (guint i = kc->fields->len; i > 0; i--)
    {
      LsnFieldMap *map = g_ptr_array_index (kc->fields, i - 1);
      if (!has_canonical (left, map->left) || !has_canonical (right, map->right))
        g_ptr_array_remove_index (kc->fields, i - 1);
    }
}

/* Sends one queued write (its outbox row is "sending") and records its result. */
static gboolean
lsn_sync_job_send_write (LsnJob       *job,
                         LsnJobWrite  *write,
                         GError      **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  LsnPlanAction *a = write->action;
  LsnConnector *target = conn (self, a->target_side);
  ResultData rd = { 0 };
  g_autoptr(GError) failure = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(LsnRecord) result = NULL;

  lsn_job_forget_last_request (job, a->target_side);

  if (resolve_refs (self, a, &fields, &failure))
    {
      if (json_object_has_member (fields, "reference")
          && !writes_reference (self, a->target_side, a->kind))
        json_object_remove_member (fields, "reference");

      switch (a->type)
        {
        case LSN_ACTION_CREATE:
          result = lsn_connector_create (target, a->kind, fields, cancellable (self), &failure);
          break;
        case LSN_ACTION_UPDATE:
        case LSN_ACTION_ARCHIVE:
        default:
          result = lsn_connector_update (target, a->kind, a->target_id, fields, cancellable (self),
                                         &failure);
          break;
        }
    }

  if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The row stays "sending": the next run checks the target before sending again. */
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }

  rd.action = a;
  rd.row_id = write->row_id;
  rd.result = result;
  rd.failure = failure;
  rd.request = lsn_job_get_last_request (job, a->target_side);
  rd.event_action = lsn_action_type_to_string (a->type);
  return in_transaction (self, record_result_op, &rd, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Resuming an interrupted run                                                                   */

static LsnRecord *
find_created (LsnSyncJob   *self,
              LsnOutboxRow *row,
              JsonObject   *payload)
{
  LsnSide target = g_strcmp0 (row->target_side, "left") == 0 ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT;
  GPtrArray *records = g_hash_table_lookup (self->records[target], row->kind);
  const char *name = json_object_get_string_member_with_default (payload, "source_name", NULL);
  GPtrArray *links = g_hash_table_lookup (self->links, row->kind);
  g_autoptr(GHashTable) linked = g_hash_table_new (g_str_hash, g_str_equal);
  LsnRecord *by_name = NULL;
  guint n_by_name = 0;
  JsonObject *fields = json_object_get_object_member (payload, "fields");
  /* a child (site, contact) is looked for under the client it was sent with */
  const char *parent = fields ? json_object_get_string_member_with_default (fields, "client_id",
                                                                           NULL)
                              : NULL;
  g_autofree char *parent_translated = NULL;

  if (parent != NULL && json_object_has_member (payload, "refs")
      && json_object_has_member (json_object_get_object_member (payload, "refs"), "client_id"))
    {
      LsnSide source = target == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT;
      parent_translated = g_strdup (translate_cb (LSN_KIND_CLIENT, source, parent, self));
      parent = parent_translated;
    }

  for (guint i = 0; links && i < links->len; i++)
    {
      LsnLink *l = g_ptr_array_index (links, i);
      g_hash_table_add (linked, target == LSN_SIDE_LEFT ? l->left_id : l->right_id);
    }

  for (guint i = 0; records && i < records->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (records, i);

      if (g_hash_table_contains (linked, lsn_record_get_remote_id (r)))
        continue;
      if (g_strcmp0 (lsn_record_get_string (r, "reference"), row->source_id) == 0)
        return r;
      if (name != NULL && g_strcmp0 (lsn_record_get_name (r), name) == 0
          && (parent == NULL
              || g_strcmp0 (lsn_record_get_string (r, "client_id"), parent) == 0))
        {
          by_name = r;
          n_by_name++;
        }
    }

  /* without a reference, only an unambiguous exact name counts */
  return n_by_name == 1 ? by_name : NULL;
}

static gboolean
resume_outbox_op (LsnJob      *job,
                  sqlite3     *db,
                  gpointer     data,
                  GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  GPtrArray **rows = data;

  *rows = lsn_db_outbox_unfinished (db, profile_id (self), error);
  return *rows != NULL;
}

static gboolean
resume_outbox (LsnSyncJob  *self,
               GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  if (!in_transaction (self, resume_outbox_op, &rows, error))
    return FALSE;

  for (guint i = 0; i < rows->len; i++)
    {
      LsnOutboxRow *row = g_ptr_array_index (rows, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *payload = NULL;
      const char *error_text = NULL;

      report (self, LSN_SYNC_PHASE_RESUMING, row->kind, i, rows->len);

      if (row->payload && json_parser_load_from_data (parser, row->payload, -1, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        payload = json_node_get_object (json_parser_get_root (parser));

      if (g_strcmp0 (row->state, "pending") == 0)
        {
          /* never sent: this run plans it again from what the systems hold now */
          error_text = "not sent before the previous run stopped; planned again";
        }
      else if (g_strcmp0 (row->action, "create") == 0 && payload != NULL
               && g_hash_table_contains (self->records[g_strcmp0 (row->target_side, "left") == 0
                                                         ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT],
                                         row->kind))
        {
          LsnRecord *found = find_created (self, row, payload);

          if (found != NULL)
            {
              g_autoptr(LsnPlanAction) a = NULL;
              LsnSide source = g_strcmp0 (row->target_side, "left") == 0 ? LSN_SIDE_RIGHT
                                                                           : LSN_SIDE_LEFT;
              ResultData rd = { 0 };
              GPtrArray *src_records = g_hash_table_lookup (self->records[source], row->kind);
              LsnKindConfig *kc = lsn_profile_config_get_kind (config (self), row->kind);

              a = lsn_plan_action_new (LSN_ACTION_CREATE, row->kind, source);
              a->source_id = g_strdup (row->source_id);
              a->source_name = g_strdup (json_object_get_string_member_with_default (payload,
                                                                                   "source_name",
                                                                                   NULL));
              a->target_name = g_strdup (lsn_record_get_name (found));
              for (guint k = 0; kc && src_records && k < src_records->len; k++)
                if (g_strcmp0 (lsn_record_get_remote_id (g_ptr_array_index (src_records, k)),
                               row->source_id) == 0)
                  a->source_hash = lsn_planner_side_hash (kc, source,
                                                          g_ptr_array_index (src_records, k));
              if (kc == NULL)
                continue;
              rd.action = a;
              rd.row_id = row->id;
              rd.result = found;
              rd.event_action = "create";
              rd.recovered = "sent before the previous run was interrupted: found on the target "
                             "and linked, not sent again";
              if (!in_transaction (self, record_result_op, &rd, error))
                return FALSE;
              continue;
            }
          error_text = "interrupted while sending; not found on the target, so planned again";
        }
      else
        error_text = "interrupted while sending; planned again from what the systems hold now";

      if (!lsn_job_set_write_state (LSN_JOB (self), row->id, "failed", error_text, error))
        return FALSE;
    }

  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* The run                                                                                       */

static gboolean
load_decisions_op (LsnJob      *job,
                   sqlite3     *db,
                   gpointer     data,
                   GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  gpointer *io = data;
  GPtrArray *decisions = lsn_db_load_decisions (db, profile_id (self), io[0], error);

  io[1] = decisions;
  return decisions != NULL;
}

static gboolean
plan_and_apply_kind (LsnSyncJob     *self,
                     LsnKindConfig  *kc,
                     GError        **error)
{
  LsnPlanInput in = { 0 };
  g_autoptr(GPtrArray) decisions = NULL;
  g_autoptr(GArray) writes = g_array_new (FALSE, FALSE, sizeof (LsnJobWrite));
  LocalData ld = { 0 };
  gpointer io[2] = { kc->kind, NULL };
  LsnKindPlan *kp;

  report (self, LSN_SYNC_PHASE_PLANNING, kc->kind, 0, 0);

  if (!reload_links (self, kc->kind, error))
    return FALSE;
  if (!in_transaction (self, load_decisions_op, io, error))
    return FALSE;
  decisions = io[1];

  in.config = config (self);
  in.kind = kc;
  for (guint s = 0; s < 2; s++)
    {
      in.records[s] = g_hash_table_lookup (self->records[s], kc->kind);
      in.fresh[s] = g_hash_table_lookup (self->fresh[s], kc->kind);
      in.complete[s] = g_hash_table_contains (self->complete[s], kc->kind);
    }
  in.links = g_hash_table_lookup (self->links, kc->kind);
  in.decisions = decisions;
  in.translate = translate_cb;
  in.translate_data = self;
  in.now_usec = g_get_real_time ();
  in.confirmed = lsn_job_get_confirmed (LSN_JOB (self));
  in.defer_references = dry_run (self);

  kp = lsn_planner_plan_kind (&in, lsn_job_get_plan (LSN_JOB (self)));

  /* "Send again" and "relink" apply only part of the plan. */
  for (guint i = kp->actions->len; i > 0; i--)
    {
      LsnPlanAction *a = g_ptr_array_index (kp->actions, i - 1);
      gboolean keep = TRUE;

      if (self->links_only)
        keep = a->type == LSN_ACTION_LINK;
      if (keep && self->retry_event != NULL)
        {
          LsnAuditEvent *e = self->retry_event;
          keep = (e->left_id && g_strcmp0 (id_on (a, LSN_SIDE_LEFT), e->left_id) == 0)
                 || (e->right_id && g_strcmp0 (id_on (a, LSN_SIDE_RIGHT), e->right_id) == 0);
        }
      if (!keep)
        g_ptr_array_remove_index (kp->actions, i - 1);
    }

  if (dry_run (self))
    return TRUE;

  report (self, LSN_SYNC_PHASE_APPLYING, kc->kind, 0, 0);
  ld.kp = kp;
  ld.writes = writes;
  if (!in_transaction (self, apply_local_op, &ld, error))
    return FALSE;
  return lsn_job_send_writes (LSN_JOB (self), kc->kind, writes, error);
}

static gboolean
load_retry_event_op (LsnJob      *job,
                     sqlite3     *db,
                     gpointer     data,
                     GError     **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  self->retry_event = lsn_db_load_event (db, lsn_job_get_retry_of (job), error);
  return self->retry_event != NULL;
}

/* Pull → match/plan → apply, kind by kind. */
static gboolean
lsn_sync_job_run_body (LsnJob  *job,
                       GError **error)
{
  LsnSyncJob *self = LSN_SYNC_JOB (job);
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  guint step = 0;

  if (lsn_job_get_retry_of (job) > 0)
    {
      if (!in_transaction (self, load_retry_event_op, NULL, error))
        return FALSE;
      if (self->retry_event->profile_id != profile_id (self))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "Event %" G_GINT64_FORMAT " belongs to another profile",
                       lsn_job_get_retry_of (job));
          return FALSE;
        }
      lsn_sync_job_set_only_kind (self, self->retry_event->kind);
    }

  for (guint i = 0; i < config (self)->kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (config (self)->kinds, i);
      if (kc->direction == LSN_DIRECTION_OFF)
        continue;
      if (self->only_kind && !g_str_equal (self->only_kind, kc->kind))
        continue;
      g_ptr_array_add (kinds, kc);
    }
  if (kinds->len == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   self->only_kind
                     ? "The profile does not sync %ss: turn the kind on (set a direction) first"
                     : "The profile syncs nothing yet%s: set a direction for at least one kind",
                   self->only_kind ? self->only_kind : "");
      return FALSE;
    }

  if (!ensure_connectors (self, error))
    return FALSE;

  for (guint i = 0; i < kinds->len; i++)
    narrow_default_fields (self, g_ptr_array_index (kinds, i));

  lsn_job_set_plan (job, lsn_plan_new ());

  if (!dry_run (self) && !lsn_job_start_run (job, TRUE, error))
    return FALSE;

  /* Parents' links are needed to translate references of children. */
  for (guint i = 0; i < kinds->len; i++)
    if (!reload_links (self, ((LsnKindConfig *) g_ptr_array_index (kinds, i))->kind, error))
      return FALSE;
  if (self->only_kind && !g_str_equal (self->only_kind, LSN_KIND_CLIENT)
      && !reload_links (self, LSN_KIND_CLIENT, error))
    return FALSE;
  if (self->only_kind && g_str_equal (self->only_kind, LSN_KIND_CONTACT)
      && !reload_links (self, LSN_KIND_SITE, error))
    return FALSE;

  if (!dry_run (self) && !lsn_job_settle_interrupted_creates (job, NULL, error))
    return FALSE;

  /* Pull everything first: a failure to read leaves both systems untouched. */
  for (guint i = 0; i < kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (kinds, i);
      for (guint s = 0; s < 2; s++)
        {
          report (self, LSN_SYNC_PHASE_PULLING, kc->kind, step++, kinds->len * 2);
          if (!lsn_job_checkpoint (job, error) || !pull_side (self, kc->kind, s, error))
            return FALSE;
        }
    }

  if (!dry_run (self) && !resume_outbox (self, error))
    return FALSE;

  for (guint i = 0; i < kinds->len; i++)
    if (!lsn_job_checkpoint (job, error)
        || !plan_and_apply_kind (self, g_ptr_array_index (kinds, i), error))
      return FALSE;

  return TRUE;
}

/**
 * lsn_sync_job_run:
 *
 * See lsn_job_run().
 */
gboolean
lsn_sync_job_run (LsnSyncJob    *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return lsn_job_run (LSN_JOB (self), cancellable, error);
}

/**
 * lsn_sync_job_run_async:
 *
 * See lsn_job_run_async().
 */
void
lsn_sync_job_run_async (LsnSyncJob          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  lsn_job_run_async (LSN_JOB (self), cancellable, callback, user_data);
}

gboolean
lsn_sync_job_run_finish (LsnSyncJob    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return lsn_job_run_finish (LSN_JOB (self), result, error);
}
