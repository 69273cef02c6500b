/* lsn-activity-page.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_ACTIVITY_PAGE (lsn_activity_page_get_type ())

G_DECLARE_FINAL_TYPE (LsnActivityPage, lsn_activity_page, LSN, ACTIVITY_PAGE, AdwBin)

GtkWidget *lsn_activity_page_new         (void);
void       lsn_activity_page_set_profile (LsnActivityPage *self,
                                          LsnStore        *store,
                                          LsnProfile      *profile);
gboolean   lsn_activity_page_show        (LsnActivityPage *self,
                                          const char      *target);
void       lsn_activity_page_refresh     (LsnActivityPage *self);

G_END_DECLS
