/* lsn-profile-row.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "lsn-profile.h"

G_BEGIN_DECLS

#define LSN_TYPE_PROFILE_ROW (lsn_profile_row_get_type ())

G_DECLARE_FINAL_TYPE (LsnProfileRow, lsn_profile_row, LSN, PROFILE_ROW, GtkListBoxRow)

GtkWidget  *lsn_profile_row_new         (LsnProfile    *profile);
LsnProfile *lsn_profile_row_get_profile (LsnProfileRow *self);

G_END_DECLS
