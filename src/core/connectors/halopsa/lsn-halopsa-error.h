/* lsn-halopsa-error.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *lsn_halopsa_error_message (guint     status,
                                 GBytes   *body,
                                 gpointer  user_data);

G_END_DECLS
