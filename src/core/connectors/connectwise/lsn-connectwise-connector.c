/* lsn-connectwise-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connectwise"

#include "config.h"

#include "lsn-error.h"
#include "lsn-connectwise-connector.h"

/* Placeholder until the ConnectWise Manage connector lands: it refuses to be built. */

struct _LsnConnectwiseConnector
{
  LsnConnector parent_instance;
};

G_DEFINE_FINAL_TYPE (LsnConnectwiseConnector, lsn_connectwise_connector, LSN_TYPE_CONNECTOR)

static void
lsn_connectwise_connector_class_init (LsnConnectwiseConnectorClass *klass)
{
}

static void
lsn_connectwise_connector_init (LsnConnectwiseConnector *self)
{
}

LsnConnector *
lsn_connectwise_connector_new_from_settings (JsonObject  *settings,
                                       const char  *secret,
                                       GError     **error)
{
  g_set_error_literal (error, LSN_ERROR, LSN_ERROR_FAILED,
                       "The ConnectWise Manage connector is not available in this build");
  return NULL;
}
