/* lsn-mapping-suggestions-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-mapping-editor.h"

G_BEGIN_DECLS

#define LSN_TYPE_MAPPING_SUGGESTIONS_DIALOG (lsn_mapping_suggestions_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingSuggestionsDialog, lsn_mapping_suggestions_dialog, LSN,
                      MAPPING_SUGGESTIONS_DIALOG, AdwWindow)

GtkWidget *lsn_mapping_suggestions_dialog_new (GtkWindow        *parent,
                                               LsnMappingEditor *editor);

G_END_DECLS
