/* lsn-gui-util.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

JsonObject *lsn_gui_parse_settings       (const char          *settings_json);
JsonObject *lsn_gui_copy_object          (JsonObject          *object);
JsonObject *lsn_gui_object_member        (JsonObject          *object,
                                          const char          *name);
void        lsn_gui_save_settings_async  (LsnStore            *store,
                                          gint64               profile_id,
                                          JsonObject          *members,
                                          GHashTable          *secrets,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
LsnProfile *lsn_gui_save_settings_finish (GAsyncResult        *result,
                                          gboolean            *memory_only,
                                          GError             **error);
char       *lsn_gui_format_time          (gint64               real_time_usec);
const char *lsn_gui_connector_label      (const char          *connector);
const char *lsn_gui_kind_label           (const char          *kind);
const char *lsn_gui_mapping_system       (const char          *connector);
const char *lsn_gui_mapping_noun         (const char          *kind,
                                          const char          *connector,
                                          gboolean             plural);
const char *lsn_gui_mapping_noun_in_text (const char          *kind,
                                          const char          *connector);

G_END_DECLS
