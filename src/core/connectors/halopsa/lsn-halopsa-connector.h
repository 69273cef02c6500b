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

LsnConnector *lsn_halopsa_connector_new_from_settings (JsonObject  *settings,
                                                     const char  *secret,
                                                     GError     **error);

G_END_DECLS
