/* lsn-add-profile-dialog.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The id of the response that adds the profile ("cancel" is the other). */
#define LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD "accept"

#define LSN_TYPE_ADD_PROFILE_DIALOG (lsn_add_profile_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LsnAddProfileDialog, lsn_add_profile_dialog, LSN, ADD_PROFILE_DIALOG, AdwMessageDialog)

GtkWidget *lsn_add_profile_dialog_new           (GtkWindow           *parent,
                                                 const char * const  *taken_names);
char      *lsn_add_profile_dialog_dup_name      (LsnAddProfileDialog *self);
char      *lsn_add_profile_dialog_dup_settings  (LsnAddProfileDialog *self);
gboolean   lsn_add_profile_dialog_is_feed       (LsnAddProfileDialog *self);

G_END_DECLS
