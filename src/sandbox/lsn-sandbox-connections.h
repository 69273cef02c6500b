/* lsn-sandbox-connections.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void lsn_sandbox_close_abandoned_connections (SoupServer *server);

G_END_DECLS
