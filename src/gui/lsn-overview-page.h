/* lsn-overview-page.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-scheduler.h"

G_BEGIN_DECLS

#define LSN_TYPE_OVERVIEW_PAGE (lsn_overview_page_get_type ())

G_DECLARE_FINAL_TYPE (LsnOverviewPage, lsn_overview_page, LSN, OVERVIEW_PAGE, AdwBin)

void     lsn_overview_page_set_scheduler (LsnOverviewPage *self,
                                          LsnScheduler    *scheduler);
void     lsn_overview_page_set_profile   (LsnOverviewPage *self,
                                          LsnProfile      *profile);
void     lsn_overview_page_sync_now      (LsnOverviewPage *self);
void     lsn_overview_page_toggle_pause  (LsnOverviewPage *self);
void     lsn_overview_page_cancel        (LsnOverviewPage *self);
void     lsn_overview_page_check_health  (LsnOverviewPage *self);

G_END_DECLS
