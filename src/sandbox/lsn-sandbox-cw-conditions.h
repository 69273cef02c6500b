/* lsn-sandbox-cw-conditions.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LSN_CW_QUERY_ERROR (lsn_cw_query_error_quark ())

/**
 * LsnCwQueryError:
 * @LSN_CW_QUERY_ERROR_SYNTAX: the text does not follow the grammar
 * @LSN_CW_QUERY_ERROR_FIELD: a field the resource does not have
 * @LSN_CW_QUERY_ERROR_TYPE: a value or operator that does not fit the field's type
 *
 * Why a `conditions`, `childConditions`, `customFieldConditions`, `orderBy` or `fields`
 * parameter was refused. The sandbox turns every one of them into ConnectWise's 400 body.
 */
typedef enum
{
  LSN_CW_QUERY_ERROR_SYNTAX,
  LSN_CW_QUERY_ERROR_FIELD,
  LSN_CW_QUERY_ERROR_TYPE,
} LsnCwQueryError;

/**
 * LsnCwFieldType:
 *
 * The type of a field as conditions see it. %LSN_CW_FIELD_ANY is a custom field's `value`,
 * whose type depends on the custom field.
 */
typedef enum
{
  LSN_CW_FIELD_UNKNOWN = 0,
  LSN_CW_FIELD_INT,
  LSN_CW_FIELD_NUMBER,
  LSN_CW_FIELD_STRING,
  LSN_CW_FIELD_BOOL,
  LSN_CW_FIELD_DATETIME,
  LSN_CW_FIELD_OBJECT,
  LSN_CW_FIELD_ARRAY,
  LSN_CW_FIELD_ANY,
} LsnCwFieldType;

/**
 * LsnCwFieldResolver:
 * @path: a field path as written in the query, segments separated by `/`
 * @canonical: (out) (optional) (transfer full): where the field lives in the record
 *   (e.g. `_info/lastUpdated` for `lastUpdated`), or %NULL when it is @path itself
 * @user_data: closure
 *
 * Returns: the type of the field, %LSN_CW_FIELD_UNKNOWN when the resource has no such field
 */
typedef LsnCwFieldType (*LsnCwFieldResolver) (const char  *path,
                                              char       **canonical,
                                              gpointer     user_data);

typedef struct _LsnCwCondition LsnCwCondition;

GQuark          lsn_cw_query_error_quark       (void);

LsnCwCondition *lsn_cw_condition_parse         (const char          *text,
                                                GError             **error);
void            lsn_cw_condition_free          (LsnCwCondition      *condition);
gboolean        lsn_cw_condition_strip_prefix  (LsnCwCondition      *condition,
                                                char               **prefix,
                                                GError             **error);
gboolean        lsn_cw_condition_bind          (LsnCwCondition      *condition,
                                                LsnCwFieldResolver   resolver,
                                                gpointer             user_data,
                                                GError             **error);
gboolean        lsn_cw_condition_matches       (const LsnCwCondition *condition,
                                                JsonObject          *record);

JsonNode       *lsn_cw_json_lookup             (JsonObject          *record,
                                                const char          *path);
gboolean        lsn_cw_parse_datetime          (const char          *text,
                                                gint64              *usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnCwCondition, lsn_cw_condition_free)

G_END_DECLS
