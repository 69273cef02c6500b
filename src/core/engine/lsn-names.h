/* lsn-names.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *lsn_name_key          (const char *name);
gboolean lsn_name_equal_exact  (const char *a,
                                const char *b);
double   lsn_name_similarity   (const char *key_a,
                                const char *key_b);

G_END_DECLS
