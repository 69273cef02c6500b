/* lsn-sandbox-stats.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_TYPE_SANDBOX_STATS (lsn_sandbox_stats_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxStats, lsn_sandbox_stats, LSN, SANDBOX_STATS, GObject)

LsnSandboxStats *lsn_sandbox_stats_new           (void);
void             lsn_sandbox_stats_count_request (LsnSandboxStats *self,
                                                  const char      *route);
void             lsn_sandbox_stats_count_throttled (LsnSandboxStats *self);
void             lsn_sandbox_stats_count_fault   (LsnSandboxStats *self);
guint            lsn_sandbox_stats_get_requests  (LsnSandboxStats *self);
guint            lsn_sandbox_stats_get_route     (LsnSandboxStats *self,
                                                  const char      *route);
guint            lsn_sandbox_stats_get_throttled (LsnSandboxStats *self);
guint            lsn_sandbox_stats_get_faults    (LsnSandboxStats *self);
void             lsn_sandbox_stats_reset         (LsnSandboxStats *self);
JsonNode        *lsn_sandbox_stats_to_json_node  (LsnSandboxStats *self);
char            *lsn_sandbox_stats_to_json       (LsnSandboxStats *self);

G_END_DECLS
