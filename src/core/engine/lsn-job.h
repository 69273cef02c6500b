/* lsn-job.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-connector.h"
#include "lsn-plan.h"
#include "lsn-profile.h"
#include "lsn-profile-config.h"
#include "lsn-store.h"
#include "lsn-sync-store.h"

G_BEGIN_DECLS

typedef enum
{
  LSN_SYNC_PHASE_STARTING,
  LSN_SYNC_PHASE_RESUMING,
  LSN_SYNC_PHASE_PULLING,
  LSN_SYNC_PHASE_PLANNING,
  LSN_SYNC_PHASE_APPLYING,
  LSN_SYNC_PHASE_RECORDING,
  LSN_SYNC_PHASE_DONE,
} LsnSyncPhase;

/**
 * LsnSyncProgress:
 *
 * A snapshot of a running job; read it with lsn_job_get_progress() from any thread.
 */
typedef struct
{
  LsnSyncPhase  phase;
  char          kind[32];
  guint         done;
  guint         total;
  gboolean      paused;
  guint64       requests;
  guint         budget_left[2];
  guint         budget_requests[2];
  guint64       throttled;
  LsnRunCounts  counts;
} LsnSyncProgress;

typedef void (*LsnSyncProgressFunc) (const LsnSyncProgress *progress,
                                     gpointer               user_data);

const char     *lsn_sync_phase_to_string        (LsnSyncPhase          phase);

#define LSN_TYPE_JOB (lsn_job_get_type ())

G_DECLARE_DERIVABLE_TYPE (LsnJob, lsn_job, LSN, JOB, GObject)

/**
 * LsnJobWrite:
 * @action: (unowned): the planned action, in the job's plan
 * @row_id: its outbox row
 *
 * One write queued in the outbox, to be sent by #LsnJobClass.send_write.
 */
typedef struct
{
  LsnPlanAction *action;
  gint64         row_id;
} LsnJobWrite;

/**
 * LsnJobClass:
 * @run_body: the run's work, on the worker thread, once the profile's settings are parsed
 *   (lsn_job_get_config()); lsn_job_run() records its outcome
 * @send_write: sends one queued write and records its result; called by lsn_job_send_writes()
 *   with the outbox row already marked "sending"
 */
struct _LsnJobClass
{
  GObjectClass parent_class;

  gboolean (*run_body)   (LsnJob       *self,
                          GError      **error);
  gboolean (*send_write) (LsnJob       *self,
                          LsnJobWrite  *write,
                          GError      **error);

  /*< private >*/
  gpointer padding[8];
};

/* Callers */

void                lsn_job_set_dry_run         (LsnJob               *self,
                                                 gboolean              dry_run);
void                lsn_job_set_confirmed       (LsnJob               *self,
                                                 gboolean              confirmed);
void                lsn_job_set_progress_func   (LsnJob               *self,
                                                 LsnSyncProgressFunc   func,
                                                 gpointer              user_data);
gboolean            lsn_job_run                 (LsnJob               *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void                lsn_job_run_async           (LsnJob               *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean            lsn_job_run_finish          (LsnJob               *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void                lsn_job_pause               (LsnJob               *self);
void                lsn_job_resume              (LsnJob               *self);
void                lsn_job_get_progress        (LsnJob               *self,
                                                 LsnSyncProgress      *progress);
LsnPlan            *lsn_job_get_plan            (LsnJob               *self);
gint64              lsn_job_get_run_id          (LsnJob               *self);
const char         *lsn_job_get_outcome         (LsnJob               *self);
const LsnRunCounts *lsn_job_get_counts          (LsnJob               *self);

/* Subclasses (worker thread, during the run unless said otherwise) */

/**
 * LsnJobDbOp:
 *
 * A body run on the store's writer thread, in one transaction (lsn_job_in_transaction()).
 */
typedef gboolean (*LsnJobDbOp) (LsnJob      *self,
                                sqlite3     *db,
                                gpointer     data,
                                GError     **error);

void                lsn_job_construct           (LsnJob               *self,
                                                 LsnStore             *store,
                                                 LsnProfile           *profile,
                                                 const char           *trigger);
void                lsn_job_set_retry_of        (LsnJob               *self,
                                                 gint64                event_id);
gint64              lsn_job_get_retry_of        (LsnJob               *self);
LsnProfile         *lsn_job_get_profile         (LsnJob               *self);
gint64              lsn_job_get_profile_id      (LsnJob               *self);
gboolean            lsn_job_get_dry_run         (LsnJob               *self);
gboolean            lsn_job_get_confirmed       (LsnJob               *self);
LsnProfileConfig   *lsn_job_get_config          (LsnJob               *self);
GCancellable       *lsn_job_get_cancellable     (LsnJob               *self);
LsnRunCounts       *lsn_job_get_mutable_counts  (LsnJob               *self);
void                lsn_job_set_plan            (LsnJob               *self,
                                                 LsnPlan              *plan);

void                lsn_job_set_connector       (LsnJob               *self,
                                                 LsnSide               side,
                                                 LsnConnector         *connector,
                                                 gboolean              written);
LsnConnector       *lsn_job_get_connector       (LsnJob               *self,
                                                 LsnSide               side);
void                lsn_job_watch_connectors    (LsnJob               *self);
guint64             lsn_job_get_requests        (LsnJob               *self,
                                                 LsnSide               side);
const char         *lsn_job_get_last_request    (LsnJob               *self,
                                                 LsnSide               side);
void                lsn_job_forget_last_request (LsnJob               *self,
                                                 LsnSide               side);

void                lsn_job_report              (LsnJob               *self,
                                                 LsnSyncPhase          phase,
                                                 const char           *kind,
                                                 guint                 done,
                                                 guint                 total);
gboolean            lsn_job_checkpoint          (LsnJob               *self,
                                                 GError              **error);
gboolean            lsn_job_pause_for           (LsnJob               *self,
                                                 gint64                usec,
                                                 GError              **error);

gboolean            lsn_job_in_transaction      (LsnJob               *self,
                                                 LsnJobDbOp            op,
                                                 gpointer              data,
                                                 GError              **error);
gboolean            lsn_job_start_run           (LsnJob               *self,
                                                 gboolean              close_interrupted,
                                                 GError              **error);
gboolean            lsn_job_settle_interrupted_creates (LsnJob        *self,
                                                 const char           *kind,
                                                 GError              **error);

LsnAuditEvent      *lsn_job_new_event           (LsnJob               *self,
                                                 const char           *kind,
                                                 const char           *action,
                                                 const char           *outcome);
LsnAuditEvent      *lsn_job_new_action_event    (LsnJob               *self,
                                                 LsnPlanAction        *action,
                                                 const char           *event_action,
                                                 const char           *outcome);
gboolean            lsn_job_queue_write         (LsnJob               *self,
                                                 sqlite3              *db,
                                                 LsnKindPlan          *kind_plan,
                                                 LsnPlanAction        *action,
                                                 GArray               *writes,
                                                 GError              **error);
gboolean            lsn_job_set_write_state     (LsnJob               *self,
                                                 gint64                row_id,
                                                 const char           *state,
                                                 const char           *error_text,
                                                 GError              **error);
gboolean            lsn_job_send_writes         (LsnJob               *self,
                                                 const char           *kind,
                                                 GArray               *writes,
                                                 GError              **error);

G_END_DECLS
