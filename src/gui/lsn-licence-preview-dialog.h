/* lsn-licence-preview-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_LICENCE_PREVIEW_DIALOG (lsn_licence_preview_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnLicencePreviewDialog, lsn_licence_preview_dialog, LSN, LICENCE_PREVIEW_DIALOG, AdwWindow)

GtkWidget  *lsn_licence_preview_dialog_new         (GtkWindow               *parent,
                                                    LsnStore                *store,
                                                    LsnProfile              *profile);
void        lsn_licence_preview_dialog_apply       (LsnLicencePreviewDialog *self);
gboolean    lsn_licence_preview_dialog_is_busy     (LsnLicencePreviewDialog *self);
const char *lsn_licence_preview_dialog_get_outcome (LsnLicencePreviewDialog *self);

G_END_DECLS
