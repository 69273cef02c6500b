/* lsn-connections-page.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_CONNECTIONS_PAGE (lsn_connections_page_get_type ())

G_DECLARE_FINAL_TYPE (LsnConnectionsPage, lsn_connections_page, LSN, CONNECTIONS_PAGE, AdwBin)

void lsn_connections_page_set_store   (LsnConnectionsPage *self,
                                       LsnStore           *store);
void lsn_connections_page_set_profile (LsnConnectionsPage *self,
                                       LsnProfile         *profile);
void lsn_connections_page_save_now    (LsnConnectionsPage *self);

G_END_DECLS
