/* lsn-kind-row.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_TYPE_KIND_ROW (lsn_kind_row_get_type ())

G_DECLARE_FINAL_TYPE (LsnKindRow, lsn_kind_row, LSN, KIND_ROW, AdwExpanderRow)

GtkWidget  *lsn_kind_row_new        (const char *kind);
const char *lsn_kind_row_get_kind   (LsnKindRow *self);
void        lsn_kind_row_set_config (LsnKindRow *self,
                                     JsonObject *config,
                                     const char *left_label,
                                     const char *right_label);
JsonObject *lsn_kind_row_dup_config (LsnKindRow *self);
gboolean    lsn_kind_row_is_enabled (LsnKindRow *self);

G_END_DECLS
