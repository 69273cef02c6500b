/* lsn-window.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-application.h"

G_BEGIN_DECLS

#define LSN_TYPE_WINDOW (lsn_window_get_type ())

G_DECLARE_FINAL_TYPE (LsnWindow, lsn_window, LSN, WINDOW, AdwApplicationWindow)

LsnWindow *lsn_window_new (LsnApplication *application);

G_END_DECLS
