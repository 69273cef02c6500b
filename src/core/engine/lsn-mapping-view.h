/* lsn-mapping-view.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-mapping-editor.h"

G_BEGIN_DECLS

#define LSN_TYPE_MAPPING_VIEW (lsn_mapping_view_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingView, lsn_mapping_view, LSN, MAPPING_VIEW, GObject)

LsnMappingView *lsn_mapping_view_new       (LsnMappingEditor *editor,
                                            GListModel       *source);
void            lsn_mapping_view_refilter  (LsnMappingView   *self,
                                            LsnFilterChange   change);

G_END_DECLS
