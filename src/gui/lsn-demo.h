/* lsn-demo.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

/* The number of companies in each of the demo's PSAs, when set; 100 otherwise. */
#define LSN_DEMO_CLIENTS_ENV "LIAISON_DEMO_CLIENTS"

#define LSN_TYPE_DEMO (lsn_demo_get_type ())

G_DECLARE_FINAL_TYPE (LsnDemo, lsn_demo, LSN, DEMO, GObject)

LsnDemo    *lsn_demo_new          (void);
void        lsn_demo_start_async  (LsnDemo             *self,
                                   LsnStore            *store,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
LsnProfile *lsn_demo_start_finish (LsnDemo             *self,
                                   GAsyncResult        *result,
                                   GError             **error);
gboolean    lsn_demo_get_running  (LsnDemo             *self);
void        lsn_demo_stop         (LsnDemo             *self);

G_END_DECLS
