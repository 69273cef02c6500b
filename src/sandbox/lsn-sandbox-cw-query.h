/* lsn-sandbox-cw-query.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-sandbox-cw-conditions.h"

G_BEGIN_DECLS

typedef struct _LsnCwOrder LsnCwOrder;

LsnCwOrder *lsn_cw_order_parse    (const char          *text,
                                   LsnCwFieldResolver   resolver,
                                   gpointer             user_data,
                                   GError             **error);
void        lsn_cw_order_free     (LsnCwOrder          *order);
int         lsn_cw_order_compare  (const LsnCwOrder    *order,
                                   JsonObject          *a,
                                   JsonObject          *b);

GPtrArray  *lsn_cw_fields_parse   (const char          *text,
                                   LsnCwFieldResolver   resolver,
                                   gpointer             user_data,
                                   GError             **error);
JsonObject *lsn_cw_fields_project (JsonObject          *record,
                                   GPtrArray           *fields);

gboolean    lsn_cw_patch_apply    (JsonObject          *record,
                                   JsonNode            *operations,
                                   GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnCwOrder, lsn_cw_order_free)

G_END_DECLS
