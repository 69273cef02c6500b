/* lsn-event-details-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-store.h"
#include "lsn-sync-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_EVENT_DETAILS_DIALOG (lsn_event_details_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnEventDetailsDialog, lsn_event_details_dialog, LSN, EVENT_DETAILS_DIALOG,
                      AdwWindow)

GtkWidget *lsn_event_details_dialog_new (GtkWindow           *parent,
                                         LsnStore            *store,
                                         LsnProfile          *profile,
                                         const LsnAuditEvent *event);

G_END_DECLS
