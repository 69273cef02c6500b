/* lsn-halopsa-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-halopsa"

#include "config.h"

#include "lsn-error.h"
#include "lsn-halopsa-connector.h"

/* Placeholder until the HaloPSA connector lands: it refuses to be built. */

struct _LsnHalopsaConnector
{
  LsnConnector parent_instance;
};

G_DEFINE_FINAL_TYPE (LsnHalopsaConnector, lsn_halopsa_connector, LSN_TYPE_CONNECTOR)

static void
lsn_halopsa_connector_class_init (LsnHalopsaConnectorClass *klass)
{
}

static void
lsn_halopsa_connector_init (LsnHalopsaConnector *self)
{
}

LsnConnector *
lsn_halopsa_connector_new_from_settings (JsonObject  *settings,
                                       const char  *secret,
                                       GError     **error)
{
  g_set_error_literal (error, LSN_ERROR, LSN_ERROR_FAILED,
                       "The HaloPSA connector is not available in this build");
  return NULL;
}
