/* lsn-demo-profile.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

/* The fixed loopback ports of the demo's PSAs, used when they are free. */
#define LSN_DEMO_HALO_PORT 47301
#define LSN_DEMO_CW_PORT   47302

char       *lsn_demo_profile_json    (const char  *ready_line,
                                      const char  *name,
                                      GError     **error);
gboolean    lsn_demo_profile_is_demo (const char  *settings_json);
LsnProfile *lsn_demo_profile_install (LsnStore    *store,
                                      const char  *ready_line,
                                      const char  *name,
                                      GError     **error);

G_END_DECLS
