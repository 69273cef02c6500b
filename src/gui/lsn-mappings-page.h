/* lsn-mappings-page.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

#define LSN_TYPE_MAPPINGS_PAGE (lsn_mappings_page_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingsPage, lsn_mappings_page, LSN, MAPPINGS_PAGE, AdwBin)

GtkWidget *lsn_mappings_page_new         (void);
void       lsn_mappings_page_set_profile (LsnMappingsPage *self,
                                          LsnStore        *store,
                                          LsnProfile      *profile);
void       lsn_mappings_page_reload      (LsnMappingsPage *self);
void       lsn_mappings_page_refresh     (LsnMappingsPage *self);
gboolean   lsn_mappings_page_has_changes (LsnMappingsPage *self);

G_END_DECLS
