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

/* Default request budget: 600 requests per rolling minute. */
#define LSN_CONNECTWISE_DEFAULT_BUDGET_REQUESTS 600
#define LSN_CONNECTWISE_DEFAULT_BUDGET_SECONDS  60
/* The model version sent in Accept when the settings name none. */
#define LSN_CONNECTWISE_DEFAULT_API_VERSION     "2025.16"

/**
 * LsnConnectwisePaging:
 * @LSN_CONNECTWISE_PAGING_FORWARD_ONLY: `pagination-type: forward-only` with `pageId` (the
 *   default); falls back to navigable paging where the server does not offer it
 * @LSN_CONNECTWISE_PAGING_NAVIGABLE: `page` and `pageSize`, ordered by id
 */
typedef enum
{
  LSN_CONNECTWISE_PAGING_FORWARD_ONLY,
  LSN_CONNECTWISE_PAGING_NAVIGABLE,
} LsnConnectwisePaging;

LsnConnector *lsn_connectwise_connector_new_from_settings (JsonObject               *settings,
                                                           const char               *secret,
                                                           GError                  **error);

const char   *lsn_connectwise_connector_get_codebase      (LsnConnectwiseConnector  *self);
void          lsn_connectwise_connector_set_paging        (LsnConnectwiseConnector  *self,
                                                           LsnConnectwisePaging      paging);
LsnConnectwisePaging lsn_connectwise_connector_get_paging (LsnConnectwiseConnector  *self);
gboolean      lsn_connectwise_connector_list_where        (LsnConnectwiseConnector  *self,
                                                           const char               *kind,
                                                           const char               *parent_id,
                                                           const char               *conditions,
                                                           guint                     page_size,
                                                           LsnRecordFunc             func,
                                                           gpointer                  user_data,
                                                           GCancellable             *cancellable,
                                                           GError                  **error);
gint64        lsn_connectwise_connector_count_where       (LsnConnectwiseConnector  *self,
                                                           const char               *kind,
                                                           const char               *parent_id,
                                                           const char               *conditions,
                                                           GCancellable             *cancellable,
                                                           GError                  **error);

G_END_DECLS
