/* lsn-application.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LSN_TYPE_APPLICATION (lsn_application_get_type ())

G_DECLARE_FINAL_TYPE (LsnApplication, lsn_application, LSN, APPLICATION, AdwApplication)

LsnApplication *lsn_application_new             (void);
int             lsn_application_get_exit_status (LsnApplication *self);

G_END_DECLS
