/* lsn-store-schema.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* migrations[i] takes a database from user_version i to i + 1. Never edit a released migration:
 * add a new one and bump LSN_STORE_SCHEMA_VERSION. */
extern const char * const lsn_store_migrations[];
extern const guint lsn_store_n_migrations;

G_END_DECLS
