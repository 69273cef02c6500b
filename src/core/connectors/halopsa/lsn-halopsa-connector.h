/* lsn-halopsa-connector.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-connector.h"

G_BEGIN_DECLS

#define LSN_TYPE_HALOPSA_CONNECTOR (lsn_halopsa_connector_get_type ())

G_DECLARE_FINAL_TYPE (LsnHalopsaConnector, lsn_halopsa_connector, LSN, HALOPSA_CONNECTOR, LsnConnector)

/* Defaults: Halo's observed limit of 300 requests per rolling 5 minutes, 100 records a page. */
#define LSN_HALOPSA_DEFAULT_BUDGET_REQUESTS 300
#define LSN_HALOPSA_DEFAULT_BUDGET_SECONDS  300
#define LSN_HALOPSA_DEFAULT_PAGE_SIZE       100

LsnConnector *lsn_halopsa_connector_new_from_settings (JsonObject           *settings,
                                                       const char           *secret,
                                                       GError              **error);
guint         lsn_halopsa_connector_get_page_size     (LsnHalopsaConnector  *self);
guint         lsn_halopsa_connector_get_token_count   (LsnHalopsaConnector  *self);

G_END_DECLS
