/* lsn-feed-connector.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-connector.h"
#include "lsn-feed-parser.h"

G_BEGIN_DECLS

#define LSN_TYPE_FEED_CONNECTOR (lsn_feed_connector_get_type ())

G_DECLARE_FINAL_TYPE (LsnFeedConnector, lsn_feed_connector, LSN, FEED_CONNECTOR, LsnConnector)

/* The largest invoice read, in bytes. */
#define LSN_FEED_MAX_SIZE (64 * 1024 * 1024)

LsnConnector  *lsn_feed_connector_new_from_settings (JsonObject        *settings,
                                                     GError           **error);
const char    *lsn_feed_connector_get_source        (LsnFeedConnector  *self);
const char    *lsn_feed_connector_get_distributor   (LsnFeedConnector  *self);
LsnFeedParser *lsn_feed_connector_get_parser        (LsnFeedConnector  *self);
GBytes        *lsn_feed_connector_fetch             (LsnFeedConnector  *self,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
LsnFeedResult *lsn_feed_connector_read              (LsnFeedConnector  *self,
                                                     GCancellable      *cancellable,
                                                     GError           **error);

G_END_DECLS
