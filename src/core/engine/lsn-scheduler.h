/* lsn-scheduler.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-profile.h"
#include "lsn-store.h"
#include "lsn-sync-job.h"

G_BEGIN_DECLS

/**
 * LsnSchedulerFlags:
 * @LSN_SCHEDULER_NONE: a real run
 * @LSN_SCHEDULER_DRY_RUN: plan only, write nothing (a preview)
 * @LSN_SCHEDULER_CONFIRMED: the person confirmed a mass change
 */
typedef enum
{
  LSN_SCHEDULER_NONE      = 0,
  LSN_SCHEDULER_DRY_RUN   = 1 << 0,
  LSN_SCHEDULER_CONFIRMED = 1 << 1,
} LsnSchedulerFlags;

#define LSN_TYPE_SCHEDULER (lsn_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (LsnScheduler, lsn_scheduler, LSN, SCHEDULER, GObject)

LsnScheduler *lsn_scheduler_new              (LsnStore          *store);
LsnStore     *lsn_scheduler_get_store        (LsnScheduler      *self);
void          lsn_scheduler_set_profiles     (LsnScheduler      *self,
                                              GPtrArray         *profiles);
void          lsn_scheduler_set_enabled      (LsnScheduler      *self,
                                              gboolean           enabled);
gboolean      lsn_scheduler_get_enabled      (LsnScheduler      *self);
void          lsn_scheduler_set_tick_seconds (LsnScheduler      *self,
                                              guint              seconds);
LsnSyncJob   *lsn_scheduler_start            (LsnScheduler      *self,
                                              LsnProfile        *profile,
                                              const char        *trigger,
                                              LsnSchedulerFlags  flags,
                                              GError           **error);
LsnSyncJob   *lsn_scheduler_get_job          (LsnScheduler      *self,
                                              gint64             profile_id);
LsnProfile   *lsn_scheduler_get_profile      (LsnScheduler      *self,
                                              gint64             profile_id);
gboolean      lsn_scheduler_get_job_dry_run  (LsnScheduler      *self,
                                              gint64             profile_id);
void          lsn_scheduler_cancel           (LsnScheduler      *self,
                                              gint64             profile_id);
gint64        lsn_scheduler_get_next_run     (LsnScheduler      *self,
                                              gint64             profile_id);
guint         lsn_scheduler_get_n_scheduled  (LsnScheduler      *self);
guint         lsn_scheduler_get_n_running    (LsnScheduler      *self);
void          lsn_scheduler_shutdown         (LsnScheduler      *self);

G_END_DECLS
