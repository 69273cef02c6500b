/* lsn-sandbox-faults.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * LsnSandboxFaultKind:
 * @LSN_SANDBOX_FAULT_NONE: no fault: answer normally
 * @LSN_SANDBOX_FAULT_429: answer as if throttled (the server writes its own 429 body)
 * @LSN_SANDBOX_FAULT_500: an empty 500
 * @LSN_SANDBOX_FAULT_STALL: answer (with a 504) only after the stall delay, without blocking
 * @LSN_SANDBOX_FAULT_DROP: close the connection without answering
 * @LSN_SANDBOX_FAULT_TRUNCATE: a 200 whose JSON body is cut short
 * @LSN_SANDBOX_FAULT_403: an empty 403, as for an API account that lacks a permission (only
 *   through fail_next; random injection never picks it)
 *
 * Kinds are flags so that a set of them can be enabled for random injection.
 */
typedef enum
{
  LSN_SANDBOX_FAULT_NONE     = 0,
  LSN_SANDBOX_FAULT_429      = 1 << 0,
  LSN_SANDBOX_FAULT_500      = 1 << 1,
  LSN_SANDBOX_FAULT_STALL    = 1 << 2,
  LSN_SANDBOX_FAULT_DROP     = 1 << 3,
  LSN_SANDBOX_FAULT_TRUNCATE = 1 << 4,
  LSN_SANDBOX_FAULT_403      = 1 << 5,
} LsnSandboxFaultKind;

#define LSN_SANDBOX_FAULT_ALL (LSN_SANDBOX_FAULT_429 | LSN_SANDBOX_FAULT_500 | LSN_SANDBOX_FAULT_STALL | \
                               LSN_SANDBOX_FAULT_DROP | LSN_SANDBOX_FAULT_TRUNCATE)

/* Called when a deferred message is due; the message is still paused and must be answered. */
typedef void (*LsnSandboxDeferFunc) (SoupServerMessage *msg,
                                     gpointer           user_data);

#define LSN_TYPE_SANDBOX_FAULTS (lsn_sandbox_faults_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxFaults, lsn_sandbox_faults, LSN, SANDBOX_FAULTS, GObject)

LsnSandboxFaults    *lsn_sandbox_faults_new             (guint64              seed);
void                 lsn_sandbox_faults_set_rate        (LsnSandboxFaults    *self,
                                                         double               rate);
double               lsn_sandbox_faults_get_rate        (LsnSandboxFaults    *self);
void                 lsn_sandbox_faults_set_kinds       (LsnSandboxFaults    *self,
                                                         LsnSandboxFaultKind  kinds);
LsnSandboxFaultKind  lsn_sandbox_faults_get_kinds       (LsnSandboxFaults    *self);
void                 lsn_sandbox_faults_set_stall_ms    (LsnSandboxFaults    *self,
                                                         guint                stall_ms);
guint                lsn_sandbox_faults_get_stall_ms    (LsnSandboxFaults    *self);
void                 lsn_sandbox_faults_fail_next       (LsnSandboxFaults    *self,
                                                         guint                count,
                                                         LsnSandboxFaultKind  kind,
                                                         const char          *route);
void                 lsn_sandbox_faults_clear_fail_next (LsnSandboxFaults    *self);
LsnSandboxFaultKind  lsn_sandbox_faults_decide          (LsnSandboxFaults    *self,
                                                         const char          *route);
gboolean             lsn_sandbox_faults_respond         (LsnSandboxFaults    *self,
                                                         SoupServerMessage   *msg,
                                                         LsnSandboxFaultKind  kind);
void                 lsn_sandbox_faults_truncate        (SoupServerMessage   *msg);

LsnSandboxFaultKind  lsn_sandbox_fault_kind_from_string (const char          *name);
const char          *lsn_sandbox_fault_kind_to_string   (LsnSandboxFaultKind  kind);

void                 lsn_sandbox_defer_message          (SoupServerMessage   *msg,
                                                         guint                delay_ms,
                                                         LsnSandboxDeferFunc  func,
                                                         gpointer             user_data,
                                                         GDestroyNotify       destroy);

G_END_DECLS
