/* lsn-kind-group.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_TYPE_KIND_GROUP (lsn_kind_group_get_type ())

G_DECLARE_FINAL_TYPE (LsnKindGroup, lsn_kind_group, LSN, KIND_GROUP, AdwPreferencesGroup)

GtkWidget  *lsn_kind_group_new        (const char *kind);
const char *lsn_kind_group_get_kind   (LsnKindGroup *self);
void        lsn_kind_group_set_config (LsnKindGroup *self,
                                     JsonObject *config,
                                     const char *left_label,
                                     const char *right_label);
JsonObject *lsn_kind_group_dup_config (LsnKindGroup *self);
gboolean    lsn_kind_group_is_enabled (LsnKindGroup *self);

G_END_DECLS
