/* lsn-connectwise-mapping.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "lsn-record.h"

G_BEGIN_DECLS

/*
 * How ConnectWise Manage records map to canonical records and back, without any I/O: the field
 * table of each kind, normalization of a JSON record, and the bodies of POST (create) and PATCH
 * (update). Lookups that need the server (a country by name, the status that means inactive) go
 * through LsnConnectwiseResolveFunc.
 */

/* Kinds that exist only in ConnectWise: reference lists, readable with list and list_reference. */
#define LSN_CONNECTWISE_REF_STAGE              "stage"
#define LSN_CONNECTWISE_REF_OPPORTUNITY_STATUS "opportunity_status"
#define LSN_CONNECTWISE_REF_OPPORTUNITY_TYPE   "opportunity_type"
#define LSN_CONNECTWISE_REF_OPPORTUNITY_RATING "opportunity_rating"
#define LSN_CONNECTWISE_REF_COMPANY_TYPE       "company_type"
#define LSN_CONNECTWISE_REF_COMPANY_STATUS     "company_status"
#define LSN_CONNECTWISE_REF_PRODUCT_TYPE       "product_type"
#define LSN_CONNECTWISE_REF_CATEGORY           "category"
#define LSN_CONNECTWISE_REF_SUBCATEGORY        "subcategory"
#define LSN_CONNECTWISE_REF_TAXCODE            "taxcode"
#define LSN_CONNECTWISE_REF_AGREEMENT          "agreement"
#define LSN_CONNECTWISE_REF_MEMBER             "member"
#define LSN_CONNECTWISE_REF_COUNTRY            "country"
#define LSN_CONNECTWISE_REF_STATE              "state"
#define LSN_CONNECTWISE_REF_COMMUNICATION_TYPE "communication_type"

/* Canonical name prefix of a custom field: "customField:<id>". */
#define LSN_CONNECTWISE_CUSTOM_PREFIX "customField:"

/**
 * LsnConnectwiseKindInfo:
 * @kind: the kind
 * @path: the collection path below `apis/3.0`; for a child kind it holds `{parent}` for the parent id
 * @parent_kind: (nullable): the kind of the parent, when @path needs one
 * @name_member: the member that names a record (for name filters)
 * @inactive_member: (nullable): a boolean member that conditions may filter on
 * @writable: whether create, update and delete are offered
 * @reference: whether it is a reference list
 * @permission: the security-role entry that grants reading it, for hints
 */
typedef struct
{
  const char *kind;
  const char *path;
  const char *parent_kind;
  const char *name_member;
  const char *inactive_member;
  gboolean    writable;
  gboolean    reference;
  const char *permission;
} LsnConnectwiseKindInfo;

const LsnConnectwiseKindInfo *lsn_connectwise_kind_info (const char *kind);
const char * const           *lsn_connectwise_kinds     (void);
const char * const           *lsn_connectwise_reference_kinds (void);

/**
 * LsnConnectwiseReadContext:
 * @reference_field: the Company member that holds the other side's id ("accountNumber", or
 *   "customField:<id or caption>")
 * @inactive_status_ids: (nullable): company status ids (as GINT_TO_POINTER) whose inactiveFlag is set
 * @parent_id: (nullable): the parent id from the request path (sites, additions)
 * @now_usec: the current time, for additions cancelled in the past
 */
typedef struct
{
  const char *reference_field;
  GHashTable *inactive_status_ids;
  const char *parent_id;
  gint64      now_usec;
} LsnConnectwiseReadContext;

LsnRecord *lsn_connectwise_normalize (const char                      *kind,
                                      JsonObject                      *raw,
                                      const LsnConnectwiseReadContext *ctx,
                                      GError                         **error);

char      *lsn_connectwise_make_child_id  (gint64       parent_id,
                                           gint64       id);
gboolean   lsn_connectwise_split_child_id (const char  *remote_id,
                                           gint64      *parent_id,
                                           gint64      *id);

/**
 * LsnConnectwiseResolveFunc:
 * @what: a reference kind (`country`, `state`, `company_status`, `communication_type`...)
 * @value: what to find: a name or code; for `company_status` "active" or "inactive"; for
 *   `communication_type` "email", "phone" or "mobile"
 * @user_data: closure
 * @error: return location
 *
 * Returns: (transfer full) (nullable): the reference to write, such as `{"id": 7}`
 */
typedef JsonNode *(*LsnConnectwiseResolveFunc) (const char  *what,
                                                const char  *value,
                                                gpointer     user_data,
                                                GError     **error);

typedef struct
{
  const char                *reference_field;
  LsnConnectwiseResolveFunc  resolve;
  gpointer                   user_data;
} LsnConnectwiseWriteContext;

JsonObject *lsn_connectwise_build_create        (const char                       *kind,
                                                 JsonObject                       *fields,
                                                 const LsnConnectwiseWriteContext *ctx,
                                                 gint64                           *parent_id,
                                                 GError                          **error);
gboolean    lsn_connectwise_patch_needs_current (const char                       *kind,
                                                 JsonObject                       *changed,
                                                 const LsnConnectwiseWriteContext *ctx);
JsonArray  *lsn_connectwise_build_patch         (const char                       *kind,
                                                 JsonObject                       *changed,
                                                 JsonObject                       *current,
                                                 const LsnConnectwiseWriteContext *ctx,
                                                 GError                          **error);

GPtrArray  *lsn_connectwise_static_fields       (const char                       *kind);
GPtrArray  *lsn_connectwise_custom_fields       (const char                       *kind,
                                                 JsonObject                       *sample);

char       *lsn_connectwise_company_identifier  (const char                       *name);

G_END_DECLS
