/* lsn-sandbox-cw.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated ConnectWise Manage server. The interface is fixed here so that LsnSandbox can start
 * it; its implementation belongs to the ConnectWise side of the sandbox.
 *
 * Every function runs on the sandbox thread (the thread-default main context there is the
 * sandbox's), except lsn_sandbox_cw_get_url() and lsn_sandbox_cw_add_ready_json(), which may be
 * called from any thread after lsn_sandbox_cw_listen() and must only read what listen fixed.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "lsn-sandbox.h"
#include "lsn-sandbox-config.h"

G_BEGIN_DECLS

#define LSN_TYPE_SANDBOX_CW (lsn_sandbox_cw_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxCw, lsn_sandbox_cw, LSN, SANDBOX_CW, GObject)

LsnSandboxCw *lsn_sandbox_cw_new             (const LsnSandboxOptions *options,
                                              GPtrArray               *companies);
gboolean      lsn_sandbox_cw_listen          (LsnSandboxCw            *self,
                                              guint                    port,
                                              GError                 **error);
void          lsn_sandbox_cw_disconnect      (LsnSandboxCw            *self);
const char   *lsn_sandbox_cw_get_url         (LsnSandboxCw            *self);
void          lsn_sandbox_cw_add_ready_json  (LsnSandboxCw            *self,
                                              JsonBuilder             *builder);
void          lsn_sandbox_cw_configure       (LsnSandboxCw            *self,
                                              const LsnSandboxConfig  *config);
char         *lsn_sandbox_cw_get_stats_json  (LsnSandboxCw            *self);

G_END_DECLS
