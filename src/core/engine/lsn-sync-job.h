/* lsn-sync-job.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-connector.h"
#include "lsn-job.h"
#include "lsn-plan.h"
#include "lsn-profile.h"
#include "lsn-store.h"
#include "lsn-sync-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_SYNC_JOB (lsn_sync_job_get_type ())

G_DECLARE_FINAL_TYPE (LsnSyncJob, lsn_sync_job, LSN, SYNC_JOB, LsnJob)

LsnSyncJob     *lsn_sync_job_new                (LsnStore             *store,
                                                 LsnProfile           *profile,
                                                 const char           *trigger);
void            lsn_sync_job_set_dry_run        (LsnSyncJob           *self,
                                                 gboolean              dry_run);
void            lsn_sync_job_set_confirmed      (LsnSyncJob           *self,
                                                 gboolean              confirmed);
void            lsn_sync_job_set_only_kind      (LsnSyncJob           *self,
                                                 const char           *kind);
void            lsn_sync_job_set_retry_of       (LsnSyncJob           *self,
                                                 gint64                event_id);
void            lsn_sync_job_set_full           (LsnSyncJob           *self,
                                                 gboolean              full);
void            lsn_sync_job_set_links_only     (LsnSyncJob           *self,
                                                 gboolean              links_only);
void            lsn_sync_job_set_connectors     (LsnSyncJob           *self,
                                                 LsnConnector         *left,
                                                 LsnConnector         *right);
void            lsn_sync_job_set_progress_func  (LsnSyncJob           *self,
                                                 LsnSyncProgressFunc   func,
                                                 gpointer              user_data);
gboolean        lsn_sync_job_run                (LsnSyncJob           *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void            lsn_sync_job_run_async          (LsnSyncJob           *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        lsn_sync_job_run_finish         (LsnSyncJob           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void            lsn_sync_job_pause              (LsnSyncJob           *self);
void            lsn_sync_job_resume             (LsnSyncJob           *self);
void            lsn_sync_job_get_progress       (LsnSyncJob           *self,
                                                 LsnSyncProgress      *progress);
LsnPlan        *lsn_sync_job_get_plan           (LsnSyncJob           *self);
gint64          lsn_sync_job_get_run_id         (LsnSyncJob           *self);
const char     *lsn_sync_job_get_outcome        (LsnSyncJob           *self);
const LsnRunCounts *lsn_sync_job_get_counts     (LsnSyncJob           *self);

LsnConnector   *lsn_sync_build_connector        (JsonObject           *side_settings,
                                                 GError              **error);

G_END_DECLS
