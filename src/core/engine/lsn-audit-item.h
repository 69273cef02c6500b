/* lsn-audit-item.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "lsn-sync-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_AUDIT_ITEM (lsn_audit_item_get_type ())

G_DECLARE_FINAL_TYPE (LsnAuditItem, lsn_audit_item, LSN, AUDIT_ITEM, GObject)

LsnAuditItem        *lsn_audit_item_new          (void);
gboolean             lsn_audit_item_get_loaded   (LsnAuditItem   *self);
const LsnAuditEvent *lsn_audit_item_get_event    (LsnAuditItem   *self);
void                 lsn_audit_item_set_event    (LsnAuditItem   *self,
                                                  LsnAuditEvent  *event);
gint64               lsn_audit_item_get_id       (LsnAuditItem   *self);
gint64               lsn_audit_item_get_time     (LsnAuditItem   *self);
const char          *lsn_audit_item_get_kind     (LsnAuditItem   *self);
const char          *lsn_audit_item_get_action   (LsnAuditItem   *self);
const char          *lsn_audit_item_get_outcome  (LsnAuditItem   *self);
const char          *lsn_audit_item_get_message  (LsnAuditItem   *self);
char                *lsn_audit_item_dup_record   (LsnAuditItem   *self);

G_END_DECLS
