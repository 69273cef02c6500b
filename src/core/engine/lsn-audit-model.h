/* lsn-audit-model.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-audit-item.h"
#include "lsn-history.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_AUDIT_MODEL_PAGE_SIZE 200

#define LSN_TYPE_AUDIT_MODEL (lsn_audit_model_get_type ())

G_DECLARE_FINAL_TYPE (LsnAuditModel, lsn_audit_model, LSN, AUDIT_MODEL, GObject)

LsnAuditModel *lsn_audit_model_new            (LsnStore              *store,
                                               gint64                 profile_id);
void           lsn_audit_model_set_filter     (LsnAuditModel         *self,
                                               const LsnEventFilter  *filter);
void           lsn_audit_model_set_ascending  (LsnAuditModel         *self,
                                               gboolean               ascending);
gboolean       lsn_audit_model_get_ascending  (LsnAuditModel         *self);
void           lsn_audit_model_refresh        (LsnAuditModel         *self);
gboolean       lsn_audit_model_get_busy       (LsnAuditModel         *self);
gboolean       lsn_audit_model_get_count_known (LsnAuditModel        *self);
const char    *lsn_audit_model_get_error      (LsnAuditModel         *self);
guint          lsn_audit_model_get_n_loaded_pages (LsnAuditModel     *self);
void           lsn_audit_model_write_csv_async (LsnAuditModel        *self,
                                                GFile                *file,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       lsn_audit_model_write_csv_finish (LsnAuditModel       *self,
                                                 GAsyncResult        *result,
                                                 guint64             *n_written,
                                                 GError             **error);

G_END_DECLS
