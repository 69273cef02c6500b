/* lsn-preview-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-sync-job.h"

G_BEGIN_DECLS

#define LSN_TYPE_PREVIEW_DIALOG (lsn_preview_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnPreviewDialog, lsn_preview_dialog, LSN, PREVIEW_DIALOG, AdwWindow)

GtkWidget *lsn_preview_dialog_new (GtkWindow  *parent,
                                   LsnSyncJob *job,
                                   LsnProfile *profile);

G_END_DECLS
