/* lsn-sandbox.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LSN_SANDBOX_DEFAULT_CLIENTS 100

#define LSN_TYPE_SANDBOX (lsn_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (LsnSandbox, lsn_sandbox, LSN, SANDBOX, GObject)

/**
 * LsnSandboxOptions:
 *
 * What `liaison-sandbox` takes on its command line. Zero values mean the defaults.
 */
typedef struct
{
  guint64 seed;
  gint    halo_clients;     /* -1: default (LSN_SANDBOX_DEFAULT_CLIENTS); 0: none */
  gint    cw_clients;       /* -1: default; 0: none */
  guint   halo_limit;       /* requests per halo_window seconds */
  guint   halo_window;
  guint   cw_limit;
  guint   cw_window;
  guint   latency_ms;
  double  fault_rate;
  guint   token_lifetime;   /* seconds */
  guint   halo_port;        /* 0: any free port */
  guint   cw_port;
  guint   stall_ms;         /* how long a stalled response is held; 0: the default (120 s) */
} LsnSandboxOptions;

void        lsn_sandbox_options_init (LsnSandboxOptions  *options);
LsnSandbox *lsn_sandbox_new          (const LsnSandboxOptions *options);
gboolean    lsn_sandbox_start        (LsnSandbox         *self,
                                      GError            **error);
void        lsn_sandbox_stop         (LsnSandbox         *self);
char       *lsn_sandbox_ready_line   (LsnSandbox         *self);
const char *lsn_sandbox_get_halo_url (LsnSandbox         *self);
const char *lsn_sandbox_get_cw_url   (LsnSandbox         *self);
guint       lsn_sandbox_get_halo_clients (const LsnSandboxOptions *options);
guint       lsn_sandbox_get_cw_clients   (const LsnSandboxOptions *options);
gboolean    lsn_sandbox_configure    (LsnSandbox         *self,
                                      const char         *server,
                                      const char         *json,
                                      GError            **error);
char       *lsn_sandbox_get_stats    (LsnSandbox         *self,
                                      const char         *server);

G_END_DECLS
