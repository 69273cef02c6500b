/* lsn-licence-job.h
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
#include "lsn-sync-job.h"
#include "lsn-sync-store.h"
#include "feed/lsn-feed-parser.h"

G_BEGIN_DECLS

#define LSN_TYPE_LICENCE_JOB (lsn_licence_job_get_type ())

G_DECLARE_FINAL_TYPE (LsnLicenceJob, lsn_licence_job, LSN, LICENCE_JOB, LsnJob)

gboolean        lsn_licence_job_handles_profile   (const char           *settings_json);

LsnLicenceJob  *lsn_licence_job_new               (LsnStore             *store,
                                                   LsnProfile           *profile,
                                                   const char           *trigger);
void            lsn_licence_job_set_dry_run       (LsnLicenceJob        *self,
                                                   gboolean              dry_run);
void            lsn_licence_job_set_confirmed     (LsnLicenceJob        *self,
                                                   gboolean              confirmed);
void            lsn_licence_job_set_connectors    (LsnLicenceJob        *self,
                                                   LsnConnector         *feed,
                                                   LsnConnector         *halo);
void            lsn_licence_job_set_progress_func (LsnLicenceJob        *self,
                                                   LsnSyncProgressFunc   func,
                                                   gpointer              user_data);
gboolean        lsn_licence_job_run               (LsnLicenceJob        *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
void            lsn_licence_job_run_async         (LsnLicenceJob        *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        lsn_licence_job_run_finish        (LsnLicenceJob        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void            lsn_licence_job_get_progress      (LsnLicenceJob        *self,
                                                   LsnSyncProgress      *progress);
LsnPlan        *lsn_licence_job_get_plan          (LsnLicenceJob        *self);
LsnFeedResult  *lsn_licence_job_get_feed          (LsnLicenceJob        *self);
gint64          lsn_licence_job_get_run_id        (LsnLicenceJob        *self);
const char     *lsn_licence_job_get_outcome       (LsnLicenceJob        *self);
const LsnRunCounts *lsn_licence_job_get_counts    (LsnLicenceJob        *self);
guint64         lsn_licence_job_get_halo_requests (LsnLicenceJob        *self);

G_END_DECLS
