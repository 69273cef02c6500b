/* lsn-sandbox-halo-store.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_TYPE_SANDBOX_HALO_STORE (lsn_sandbox_halo_store_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxHaloStore, lsn_sandbox_halo_store, LSN, SANDBOX_HALO_STORE, GObject)

LsnSandboxHaloStore *lsn_sandbox_halo_store_new             (guint64              seed,
                                                             GPtrArray           *companies);
GPtrArray           *lsn_sandbox_halo_store_get_rows        (LsnSandboxHaloStore *self,
                                                             const char          *resource);
JsonObject          *lsn_sandbox_halo_store_lookup          (LsnSandboxHaloStore *self,
                                                             const char          *resource,
                                                             gint64               id);
gint64               lsn_sandbox_halo_store_put             (LsnSandboxHaloStore *self,
                                                             const char          *resource,
                                                             JsonObject          *record);
gboolean             lsn_sandbox_halo_store_remove          (LsnSandboxHaloStore *self,
                                                             const char          *resource,
                                                             gint64               id);
gint64               lsn_sandbox_halo_store_next_id         (LsnSandboxHaloStore *self,
                                                             const char          *resource);
gint64               lsn_sandbox_halo_store_next_line_id    (LsnSandboxHaloStore *self);
const char          *lsn_sandbox_halo_store_get_invoice_csv (LsnSandboxHaloStore *self);

char                *lsn_sandbox_halo_format_date           (GDateTime           *dt);
gint64               lsn_sandbox_halo_get_id                (JsonObject          *record,
                                                             const char          *member);

G_END_DECLS
