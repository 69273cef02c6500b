/* lsn-sandbox-halo.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated HaloPSA server (same interface as LsnSandboxCw).
 *
 * Every function runs on the sandbox thread (the thread-default main context there is the
 * sandbox's), except lsn_sandbox_halo_get_url() and lsn_sandbox_halo_add_ready_json(), which may be
 * called from any thread after lsn_sandbox_halo_listen() and must only read what listen fixed.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "lsn-sandbox.h"
#include "lsn-sandbox-config.h"

G_BEGIN_DECLS

#define LSN_TYPE_SANDBOX_HALO (lsn_sandbox_halo_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxHalo, lsn_sandbox_halo, LSN, SANDBOX_HALO, GObject)

LsnSandboxHalo *lsn_sandbox_halo_new             (const LsnSandboxOptions *options,
                                              GPtrArray               *companies);
gboolean      lsn_sandbox_halo_listen          (LsnSandboxHalo            *self,
                                              guint                    port,
                                              GError                 **error);
void          lsn_sandbox_halo_disconnect      (LsnSandboxHalo            *self);
const char   *lsn_sandbox_halo_get_url         (LsnSandboxHalo            *self);
void          lsn_sandbox_halo_add_ready_json  (LsnSandboxHalo            *self,
                                              JsonBuilder             *builder);
void          lsn_sandbox_halo_configure       (LsnSandboxHalo            *self,
                                              const LsnSandboxConfig  *config);
char         *lsn_sandbox_halo_get_stats_json  (LsnSandboxHalo            *self);

G_END_DECLS
