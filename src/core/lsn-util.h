/* lsn-util.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The environment variable that overrides the database path (tests use it). */
#define LSN_DB_ENV "LIAISON_DB"

char     *lsn_default_db_path        (void);
char     *lsn_resolve_db_path        (const char  *cli_path);
gboolean  lsn_check_service_url      (const char  *url,
                                      const char  *setting_name,
                                      GError     **error);
gboolean  lsn_url_is_loopback        (const char  *url);
gboolean  lsn_is_guid                (const char  *text);

G_END_DECLS
