/* lsn-scheduler.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-history.h"
#include "lsn-profile-config.h"
#include "lsn-licence-job.h"
#include "lsn-scheduler.h"

#define DEFAULT_TICK_SECONDS 20

/**
 * LsnScheduler:
 *
 * Runs the sync jobs of the profiles it is given: at most one job per profile at a time, started
 * by a person (lsn_scheduler_start()) or, while enabled, every `schedule.every_minutes` after the
 * end of the profile's last run. A profile that never ran is not run by the schedule: its first
 * sync (the initial import) waits for a person.
 *
 * Everything here runs on the main context the scheduler was made on; the jobs run on worker
 * threads (lsn_sync_job_run_async()) and the last run of a new profile is read on one too. A job
 * keeps the profile it started with: settings changed during a run apply to the next one.
 */
struct _LsnScheduler
{
  GObject       parent_instance;

  LsnStore     *store;
  GHashTable   *entries;       /* profile id (gint64 *) → Entry */
  GCancellable *cancellable;   /* the loads of last runs */
  guint         tick_source;
  guint         tick_seconds;
  guint         enabled : 1;
};

typedef struct
{
  gint64        id;
  LsnProfile   *profile;       /* the newest settings */
  gint64        last_finished; /* real time of the end of the last real run; 0: none */
  gint64        next_run;      /* real time; 0: not scheduled */
  LsnSyncJob   *job;           /* (nullable): running */
  GCancellable *job_cancellable;
  char         *job_trigger;
  guint         job_dry_run : 1;
  guint         loaded : 1;    /* last_finished is known */
} Entry;

G_DEFINE_FINAL_TYPE (LsnScheduler, lsn_scheduler, G_TYPE_OBJECT)

enum {
  JOB_STARTED,
  JOB_FINISHED,
  SCHEDULE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  if (entry->job_cancellable != NULL)
    g_cancellable_cancel (entry->job_cancellable);
  g_clear_object (&entry->job_cancellable);
  g_clear_object (&entry->job);
  g_clear_object (&entry->profile);
  g_clear_pointer (&entry->job_trigger, g_free);
  g_free (entry);
}

static guint
every_minutes (LsnProfile *profile)
{
  g_autoptr(LsnProfileConfig) config = NULL;

  /* A distributor's invoice is applied by a person after its preview (it may delete licences):
   * the scheduler leaves feed profiles alone. */
  if (lsn_licence_job_handles_profile (lsn_profile_get_settings (profile)))
    return 0;

  config = lsn_profile_config_parse (lsn_profile_get_settings (profile), NULL);

  return config != NULL ? config->every_minutes : 0;
}

static void
entry_compute_next_run (LsnScheduler *self,
                        Entry        *entry)
{
  gint64 next = 0;
  guint minutes = every_minutes (entry->profile);

  if (entry->last_finished > 0 && minutes > 0)
    next = entry->last_finished + (gint64) minutes * 60 * G_USEC_PER_SEC;

  if (next != entry->next_run)
    {
      entry->next_run = next;
      g_signal_emit (self, signals[SCHEDULE_CHANGED], 0, entry->id);
    }
}

static Entry *
lookup (LsnScheduler *self,
        gint64        profile_id)
{
  return g_hash_table_lookup (self->entries, &profile_id);
}

/* The last run of a new profile */

static void
load_last_run_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  LsnScheduler *self = source_object;
  gint64 profile_id = *(gint64 *) task_data;
  g_autoptr(GPtrArray) runs = NULL;
  GError *error = NULL;
  gint64 last = 0;

  runs = lsn_history_list_runs (self->store, profile_id, 50, &error);
  if (runs == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < runs->len && last == 0; i++)
    {
      LsnRunRow *row = g_ptr_array_index (runs, i);

      if (!row->dry_run && row->finished_at > 0)
        last = row->finished_at;
    }

  g_task_return_int (task, last);
}

static void
load_last_run_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LsnScheduler *self = LSN_SCHEDULER (object);
  gint64 profile_id = *(gint64 *) g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize last;
  Entry *entry;

  last = g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the last run of profile %" G_GINT64_FORMAT ": %s",
                   profile_id, error->message);
      return;
    }

  entry = lookup (self, profile_id);
  if (entry == NULL)
    return;

  entry->loaded = TRUE;
  /* A run that ended while this was read is newer. */
  entry->last_finished = MAX (entry->last_finished, (gint64) last);
  entry_compute_next_run (self, entry);
}

static void
lsn_scheduler_load_last_run (LsnScheduler *self,
                             Entry        *entry)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, load_last_run_cb, NULL);

  g_task_set_source_tag (task, lsn_scheduler_load_last_run);
  g_task_set_task_data (task, g_memdup2 (&entry->id, sizeof entry->id), g_free);
  g_task_run_in_thread (task, load_last_run_thread);
}

/* Jobs */

typedef struct
{
  LsnScheduler *self;
  gint64        profile_id;
} JobData;

static void
job_run_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  LsnSyncJob *job = LSN_SYNC_JOB (object);
  JobData *data = user_data;
  g_autoptr(LsnScheduler) self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSyncJob) finished = NULL;
  g_autofree char *trigger = NULL;
  gint64 profile_id = data->profile_id;
  gboolean dry_run = FALSE;
  Entry *entry;

  g_free (data);

  lsn_sync_job_run_finish (job, result, &error);

  entry = lookup (self, profile_id);
  if (entry != NULL && entry->job == job)
    {
      finished = g_steal_pointer (&entry->job);
      trigger = g_steal_pointer (&entry->job_trigger);
      dry_run = entry->job_dry_run;
      g_clear_object (&entry->job_cancellable);

      if (!dry_run)
        {
          entry->last_finished = g_get_real_time ();
          entry->loaded = TRUE;
          entry_compute_next_run (self, entry);
        }
    }
  else
    {
      /* The profile was removed while its job ran. */
      finished = g_object_ref (job);
      trigger = g_strdup ("manual");
    }

  g_signal_emit (self, signals[JOB_FINISHED], 0, finished, profile_id, trigger,
                 error != NULL ? error->message : NULL);
}

/**
 * lsn_scheduler_start:
 * @self: a #LsnScheduler
 * @profile: the profile to run
 * @trigger: "manual", "schedule"...
 * @flags: what kind of run
 * @error: return location: %LSN_ERROR_FAILED when the profile has a job running
 *
 * Starts a run of @profile on a worker thread. #LsnScheduler::job-started is emitted before this
 * returns, #LsnScheduler::job-finished when it ends.
 *
 * Returns: (transfer none) (nullable): the job, running
 */
LsnSyncJob *
lsn_scheduler_start (LsnScheduler       *self,
                     LsnProfile         *profile,
                     const char         *trigger,
                     LsnSchedulerFlags   flags,
                     GError            **error)
{
  JobData *data;
  Entry *entry;
  gint64 id;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (LSN_IS_PROFILE (profile), NULL);

  id = lsn_profile_get_id (profile);
  entry = lookup (self, id);
  if (entry == NULL)
    {
      /* A profile the scheduler was not told about yet (just added): take it on. */
      entry = g_new0 (Entry, 1);
      entry->id = id;
      entry->profile = g_object_ref (profile);
      g_hash_table_insert (self->entries, g_memdup2 (&id, sizeof id), entry);
      lsn_scheduler_load_last_run (self, entry);
    }
  else if (lsn_profile_get_version (profile) >= lsn_profile_get_version (entry->profile))
    g_set_object (&entry->profile, profile);

  if (entry->job != NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_FAILED,
                   "“%s” is already being synced: wait for the run to end, or cancel it",
                   lsn_profile_get_name (profile));
      return NULL;
    }

  entry->job = lsn_sync_job_new (self->store, profile, trigger);
  entry->job_cancellable = g_cancellable_new ();
  entry->job_trigger = g_strdup (trigger);
  entry->job_dry_run = (flags & LSN_SCHEDULER_DRY_RUN) != 0;
  lsn_sync_job_set_dry_run (entry->job, entry->job_dry_run);
  lsn_sync_job_set_confirmed (entry->job, (flags & LSN_SCHEDULER_CONFIRMED) != 0);

  data = g_new0 (JobData, 1);
  data->self = g_object_ref (self);
  data->profile_id = id;
  lsn_sync_job_run_async (entry->job, entry->job_cancellable, job_run_cb, data);

  g_signal_emit (self, signals[JOB_STARTED], 0, entry->job, id);

  return entry->job;
}

/* The schedule */

static gboolean
lsn_scheduler_tick (gpointer user_data)
{
  LsnScheduler *self = user_data;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time ();
  GHashTableIter iter;
  Entry *entry;

  if (!self->enabled)
    return G_SOURCE_CONTINUE;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->job == NULL && entry->next_run > 0 && entry->next_run <= now)
      g_ptr_array_add (due, g_object_ref (entry->profile));

  for (guint i = 0; i < due->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (lsn_scheduler_start (self, g_ptr_array_index (due, i), "schedule",
                               LSN_SCHEDULER_NONE, &error) == NULL)
        g_warning ("Cannot start the scheduled run: %s", error->message);
    }

  return G_SOURCE_CONTINUE;
}

static void
lsn_scheduler_restart_timer (LsnScheduler *self)
{
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->enabled)
    self->tick_source = g_timeout_add_seconds (self->tick_seconds, lsn_scheduler_tick, self);
}

/* GObject */

static void
lsn_scheduler_dispose (GObject *object)
{
  LsnScheduler *self = LSN_SCHEDULER (object);

  lsn_scheduler_shutdown (self);

  G_OBJECT_CLASS (lsn_scheduler_parent_class)->dispose (object);
}

static void
lsn_scheduler_finalize (GObject *object)
{
  LsnScheduler *self = LSN_SCHEDULER (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (lsn_scheduler_parent_class)->finalize (object);
}

static void
lsn_scheduler_class_init (LsnSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lsn_scheduler_dispose;
  object_class->finalize = lsn_scheduler_finalize;

  /**
   * LsnScheduler::job-started:
   * @job: the job
   * @profile_id: its profile
   */
  signals[JOB_STARTED] =
    g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, LSN_TYPE_SYNC_JOB, G_TYPE_INT64);

  /**
   * LsnScheduler::job-finished:
   * @job: the job, with its outcome, counts and plan
   * @profile_id: its profile
   * @trigger: why it ran ("manual", "schedule"...)
   * @error_message: (nullable): why it could not finish
   */
  signals[JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4, LSN_TYPE_SYNC_JOB, G_TYPE_INT64,
                  G_TYPE_STRING, G_TYPE_STRING);

  /**
   * LsnScheduler::schedule-changed:
   * @profile_id: the profile whose next run moved
   */
  signals[SCHEDULE_CHANGED] =
    g_signal_new ("schedule-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
lsn_scheduler_init (LsnScheduler *self)
{
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) entry_free);
  self->cancellable = g_cancellable_new ();
  self->tick_seconds = DEFAULT_TICK_SECONDS;
}

/**
 * lsn_scheduler_new:
 * @store: the store the profiles live in
 *
 * Returns: (transfer full): a scheduler, disabled until lsn_scheduler_set_enabled()
 */
LsnScheduler *
lsn_scheduler_new (LsnStore *store)
{
  LsnScheduler *self;

  g_return_val_if_fail (LSN_IS_STORE (store), NULL);

  self = g_object_new (LSN_TYPE_SCHEDULER, NULL);
  self->store = g_object_ref (store);

  return self;
}

/**
 * lsn_scheduler_get_store:
 *
 * Returns: (transfer none): the store
 */
LsnStore *
lsn_scheduler_get_store (LsnScheduler *self)
{
  g_return_val_if_fail (LSN_IS_SCHEDULER (self), NULL);

  return self->store;
}

/**
 * lsn_scheduler_set_profiles:
 * @self: a #LsnScheduler
 * @profiles: (element-type LsnProfile): every profile of the store
 *
 * Takes on new profiles and newer settings; forgets (and cancels the run of) profiles that are
 * gone.
 */
void
lsn_scheduler_set_profiles (LsnScheduler *self,
                            GPtrArray    *profiles)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (LSN_IS_SCHEDULER (self));
  g_return_if_fail (profiles != NULL);

  for (guint i = 0; i < profiles->len; i++)
    {
      LsnProfile *profile = g_ptr_array_index (profiles, i);
      gint64 id = lsn_profile_get_id (profile);

      entry = lookup (self, id);
      if (entry == NULL)
        {
          entry = g_new0 (Entry, 1);
          entry->id = id;
          entry->profile = g_object_ref (profile);
          g_hash_table_insert (self->entries, g_memdup2 (&id, sizeof id), entry);
          lsn_scheduler_load_last_run (self, entry);
        }
      else if (lsn_profile_get_version (profile) != lsn_profile_get_version (entry->profile))
        {
          g_set_object (&entry->profile, profile);
          entry_compute_next_run (self, entry);
        }
      g_hash_table_add (seen, &entry->id);
    }

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (!g_hash_table_contains (seen, &entry->id))
      g_hash_table_iter_remove (&iter);
}

/**
 * lsn_scheduler_set_enabled:
 *
 * Whether profiles are run by their schedule (runs started by lsn_scheduler_start() always run).
 */
void
lsn_scheduler_set_enabled (LsnScheduler *self,
                           gboolean      enabled)
{
  g_return_if_fail (LSN_IS_SCHEDULER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  lsn_scheduler_restart_timer (self);
}

gboolean
lsn_scheduler_get_enabled (LsnScheduler *self)
{
  g_return_val_if_fail (LSN_IS_SCHEDULER (self), FALSE);

  return self->enabled;
}

/**
 * lsn_scheduler_set_tick_seconds:
 *
 * How often the schedule is looked at (20 s by default).
 */
void
lsn_scheduler_set_tick_seconds (LsnScheduler *self,
                                guint         seconds)
{
  g_return_if_fail (LSN_IS_SCHEDULER (self));
  g_return_if_fail (seconds > 0);

  self->tick_seconds = seconds;
  lsn_scheduler_restart_timer (self);
}

/**
 * lsn_scheduler_get_job:
 *
 * Returns: (transfer none) (nullable): the job of @profile_id that is running
 */
LsnSyncJob *
lsn_scheduler_get_job (LsnScheduler *self,
                       gint64        profile_id)
{
  Entry *entry;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), NULL);

  entry = lookup (self, profile_id);
  return entry != NULL ? entry->job : NULL;
}

/**
 * lsn_scheduler_get_profile:
 *
 * Returns: (transfer none) (nullable): the newest settings of @profile_id the scheduler knows
 */
LsnProfile *
lsn_scheduler_get_profile (LsnScheduler *self,
                           gint64        profile_id)
{
  Entry *entry;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), NULL);

  entry = lookup (self, profile_id);
  return entry != NULL ? entry->profile : NULL;
}

/**
 * lsn_scheduler_get_job_dry_run:
 *
 * Returns: whether the running job of @profile_id is a preview
 */
gboolean
lsn_scheduler_get_job_dry_run (LsnScheduler *self,
                               gint64        profile_id)
{
  Entry *entry;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), FALSE);

  entry = lookup (self, profile_id);
  return entry != NULL && entry->job != NULL && entry->job_dry_run;
}

/**
 * lsn_scheduler_cancel:
 *
 * Cancels the running job of @profile_id, if any; it ends soon after with outcome "cancelled".
 */
void
lsn_scheduler_cancel (LsnScheduler *self,
                      gint64        profile_id)
{
  Entry *entry;

  g_return_if_fail (LSN_IS_SCHEDULER (self));

  entry = lookup (self, profile_id);
  if (entry == NULL || entry->job == NULL)
    return;

  /* A paused job waits on its condition: wake it so that it sees the cancellation. */
  g_cancellable_cancel (entry->job_cancellable);
  lsn_sync_job_resume (entry->job);
}

/**
 * lsn_scheduler_get_next_run:
 *
 * Returns: the real time (g_get_real_time()) of the next scheduled run of @profile_id, or 0 when
 *   none is scheduled (the profile never ran, or has no schedule)
 */
gint64
lsn_scheduler_get_next_run (LsnScheduler *self,
                            gint64        profile_id)
{
  Entry *entry;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), 0);

  entry = lookup (self, profile_id);
  return entry != NULL ? entry->next_run : 0;
}

/**
 * lsn_scheduler_get_n_scheduled:
 *
 * Returns: how many profiles have a next run
 */
guint
lsn_scheduler_get_n_scheduled (LsnScheduler *self)
{
  GHashTableIter iter;
  Entry *entry;
  guint n = 0;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), 0);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    n += entry->next_run > 0;

  return n;
}

/**
 * lsn_scheduler_get_n_running:
 *
 * Returns: how many jobs are running
 */
guint
lsn_scheduler_get_n_running (LsnScheduler *self)
{
  GHashTableIter iter;
  Entry *entry;
  guint n = 0;

  g_return_val_if_fail (LSN_IS_SCHEDULER (self), 0);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    n += entry->job != NULL;

  return n;
}

/**
 * lsn_scheduler_shutdown:
 *
 * Stops the schedule and cancels every job. The jobs end on their threads soon after.
 */
void
lsn_scheduler_shutdown (LsnScheduler *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (LSN_IS_SCHEDULER (self));

  self->enabled = FALSE;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  if (self->entries == NULL)
    return;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->job != NULL)
      {
        g_cancellable_cancel (entry->job_cancellable);
        lsn_sync_job_resume (entry->job);
      }
}
