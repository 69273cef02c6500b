/* lsn-window.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-application.h"
#include "lsn-demo.h"
#include "lsn-scheduler.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_WINDOW (lsn_window_get_type ())

G_DECLARE_FINAL_TYPE (LsnWindow, lsn_window, LSN, WINDOW, AdwApplicationWindow)

LsnWindow *lsn_window_new              (LsnApplication *application,
                                        GSettings      *settings);
LsnStore  *lsn_window_get_store        (LsnWindow      *self);
void       lsn_window_set_store        (LsnWindow      *self,
                                        LsnStore       *store);
void       lsn_window_show_store_error (LsnWindow      *self,
                                        const char     *path,
                                        const GError   *error);
gboolean   lsn_window_get_loaded       (LsnWindow      *self);
GListModel *lsn_window_get_profiles    (LsnWindow      *self);
void        lsn_window_set_scheduler   (LsnWindow      *self,
                                        LsnScheduler   *scheduler);
LsnScheduler *lsn_window_get_scheduler (LsnWindow      *self);
void        lsn_window_set_demo        (LsnWindow      *self,
                                        LsnDemo        *demo);
const char *lsn_window_get_activity_filter (LsnWindow  *self);

G_END_DECLS
