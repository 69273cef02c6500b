/* lsn-sandbox-limiter.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LSN_TYPE_SANDBOX_LIMITER (lsn_sandbox_limiter_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandboxLimiter, lsn_sandbox_limiter, LSN, SANDBOX_LIMITER, GObject)

LsnSandboxLimiter *lsn_sandbox_limiter_new        (guint               limit,
                                                   guint               window_seconds);
void               lsn_sandbox_limiter_configure  (LsnSandboxLimiter  *self,
                                                   guint               limit,
                                                   guint               window_seconds);
gboolean           lsn_sandbox_limiter_admit      (LsnSandboxLimiter  *self,
                                                   gint64              now_usec,
                                                   guint              *retry_after_seconds);
void               lsn_sandbox_limiter_reset      (LsnSandboxLimiter  *self);
guint              lsn_sandbox_limiter_get_limit  (LsnSandboxLimiter  *self);
guint              lsn_sandbox_limiter_get_window (LsnSandboxLimiter  *self);
guint              lsn_sandbox_limiter_get_used   (LsnSandboxLimiter  *self,
                                                   gint64              now_usec);
gboolean           lsn_sandbox_limit_parse        (const char         *text,
                                                   guint              *limit,
                                                   guint              *window_seconds,
                                                   GError            **error);

G_END_DECLS
