/* lsn-profile-name-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The id of the response that accepts the name ("cancel" is the other). */
#define LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT "accept"

#define LSN_TYPE_PROFILE_NAME_DIALOG (lsn_profile_name_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnProfileNameDialog, lsn_profile_name_dialog, LSN, PROFILE_NAME_DIALOG, AdwMessageDialog)

GtkWidget *lsn_profile_name_dialog_new      (GtkWindow            *parent,
                                             const char           *heading,
                                             const char           *accept_label,
                                             const char           *current_name,
                                             const char * const   *taken_names);
char      *lsn_profile_name_dialog_dup_name (LsnProfileNameDialog *self);

G_END_DECLS
