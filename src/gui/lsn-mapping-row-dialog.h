/* lsn-mapping-row-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-mapping-editor.h"

G_BEGIN_DECLS

#define LSN_TYPE_MAPPING_ROW_DIALOG (lsn_mapping_row_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingRowDialog, lsn_mapping_row_dialog, LSN, MAPPING_ROW_DIALOG, AdwWindow)

GtkWidget *lsn_mapping_row_dialog_new (GtkWindow        *parent,
                                       LsnMappingEditor *editor,
                                       const char       *row_id);

G_END_DECLS
