/* lsn-sandbox-config.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "lsn-sandbox-faults.h"

G_BEGIN_DECLS

/**
 * LsnSandboxConfig:
 *
 * A run-time change to one simulated server, as POSTed to /_sandbox/config or passed to
 * lsn_sandbox_configure(). Only the members whose has_ flag is set are changed.
 *
 * JSON form (every member optional):
 * |[
 * {"fault_rate": 0.2, "fault_kinds": ["500", "drop"], "stall_ms": 5000, "latency_ms": 20,
 *  "limit": "300/300", "token_lifetime": 60, "reset_stats": true, "reset_limit": true,
 *  "fail_next": {"count": 3, "kind": "500", "route": "POST /api/Client"}}
 * ]|
 * "fail_next" may also be an array of such objects; "limit" may be "0" for no limit.
 */
typedef struct
{
  gboolean             has_fault_rate;
  double               fault_rate;
  gboolean             has_fault_kinds;
  LsnSandboxFaultKind  fault_kinds;
  gboolean             has_stall_ms;
  guint                stall_ms;
  gboolean             has_latency_ms;
  guint                latency_ms;
  gboolean             has_limit;
  guint                limit;
  guint                window_seconds;
  gboolean             has_token_lifetime;
  guint                token_lifetime;
  gboolean             reset_stats;
  gboolean             reset_limit;
  GArray              *fail_next;   /* of LsnSandboxFailNext; nullable */
} LsnSandboxConfig;

typedef struct
{
  guint                count;
  LsnSandboxFaultKind  kind;
  char                *route;       /* nullable */
} LsnSandboxFailNext;

gboolean lsn_sandbox_config_parse (LsnSandboxConfig *config,
                                   const char       *json,
                                   gssize            length,
                                   GError          **error);
void     lsn_sandbox_config_clear (LsnSandboxConfig *config);
void     lsn_sandbox_config_apply_faults (const LsnSandboxConfig *config,
                                          LsnSandboxFaults       *faults);

G_END_DECLS
