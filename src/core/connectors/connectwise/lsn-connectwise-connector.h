/* lsn-connectwise-connector.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-connector.h"

G_BEGIN_DECLS

#define LSN_TYPE_CONNECTWISE_CONNECTOR (lsn_connectwise_connector_get_type ())

G_DECLARE_FINAL_TYPE (LsnConnectwiseConnector, lsn_connectwise_connector, LSN, CONNECTWISE_CONNECTOR, LsnConnector)

LsnConnector *lsn_connectwise_connector_new_from_settings (JsonObject  *settings,
                                                     const char  *secret,
                                                     GError     **error);

G_END_DECLS
