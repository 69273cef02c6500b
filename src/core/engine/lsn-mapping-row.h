/* lsn-mapping-row.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * LsnMappingStatus:
 * @LSN_MAPPING_STATUS_NOT_MAPPED: no record of the other side is mapped
 * @LSN_MAPPING_STATUS_OK: mapped, both records exist, no failed events
 * @LSN_MAPPING_STATUS_HAS_EVENTS: mapped, but syncing it failed since it last succeeded
 * @LSN_MAPPING_STATUS_MISSING: the mapped record (or this one) was deleted or merged away
 */
typedef enum
{
  LSN_MAPPING_STATUS_NOT_MAPPED,
  LSN_MAPPING_STATUS_OK,
  LSN_MAPPING_STATUS_HAS_EVENTS,
  LSN_MAPPING_STATUS_MISSING,
} LsnMappingStatus;

/**
 * LsnMappingColumn:
 *
 * The columns rows can be sorted by.
 */
typedef enum
{
  LSN_MAPPING_COLUMN_NAME,
  LSN_MAPPING_COLUMN_TOPLEVEL,
  LSN_MAPPING_COLUMN_OTHER,
  LSN_MAPPING_COLUMN_INCLUDED,
  LSN_MAPPING_COLUMN_STATUS,
} LsnMappingColumn;

#define LSN_TYPE_MAPPING_ROW (lsn_mapping_row_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingRow, lsn_mapping_row, LSN, MAPPING_ROW, GObject)

LsnMappingRow    *lsn_mapping_row_new             (const char       *id,
                                                   const char       *name,
                                                   const char       *toplevel);
const char       *lsn_mapping_row_get_id          (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_name        (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_toplevel    (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_other_id    (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_other_name  (LsnMappingRow    *self);
gboolean          lsn_mapping_row_get_included    (LsnMappingRow    *self);
LsnMappingStatus  lsn_mapping_row_get_status      (LsnMappingRow    *self);
guint             lsn_mapping_row_get_n_events    (LsnMappingRow    *self);
gboolean          lsn_mapping_row_get_pending     (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_folded_name (LsnMappingRow    *self);
const char       *lsn_mapping_row_get_folded_other (LsnMappingRow   *self);
void              lsn_mapping_row_set_mapping     (LsnMappingRow    *self,
                                                   const char       *other_id,
                                                   const char       *other_name,
                                                   gboolean          included,
                                                   LsnMappingStatus  status,
                                                   guint             n_events,
                                                   gboolean          pending);
int               lsn_mapping_row_compare         (LsnMappingRow    *a,
                                                   LsnMappingRow    *b,
                                                   LsnMappingColumn  column);
const char       *lsn_mapping_status_to_string    (LsnMappingStatus  status);

char             *lsn_fold_for_search             (const char       *text);

G_END_DECLS
