/* lsn-sync-page.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-scheduler.h"

G_BEGIN_DECLS

#define LSN_TYPE_SYNC_PAGE (lsn_sync_page_get_type ())

G_DECLARE_FINAL_TYPE (LsnSyncPage, lsn_sync_page, LSN, SYNC_PAGE, AdwBin)

void lsn_sync_page_set_scheduler (LsnSyncPage  *self,
                                  LsnScheduler *scheduler);
void lsn_sync_page_set_profile   (LsnSyncPage  *self,
                                  LsnProfile   *profile);
void lsn_sync_page_preview       (LsnSyncPage  *self);

G_END_DECLS
