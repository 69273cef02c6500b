/* lsn-connection-group.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_TYPE_CONNECTION_GROUP (lsn_connection_group_get_type ())

G_DECLARE_FINAL_TYPE (LsnConnectionGroup, lsn_connection_group, LSN, CONNECTION_GROUP, AdwPreferencesGroup)

GtkWidget  *lsn_connection_group_new            (const char         *side_name);
void        lsn_connection_group_set_settings   (LsnConnectionGroup *self,
                                                 JsonObject         *side);
void        lsn_connection_group_set_kinds      (LsnConnectionGroup *self,
                                                 const char * const *kinds);
gboolean    lsn_connection_group_is_valid       (LsnConnectionGroup *self);
JsonObject *lsn_connection_group_dup_settings   (LsnConnectionGroup *self);
const char *lsn_connection_group_get_id         (LsnConnectionGroup *self);
char       *lsn_connection_group_take_secret    (LsnConnectionGroup *self);
void        lsn_connection_group_test           (LsnConnectionGroup *self);

G_END_DECLS
