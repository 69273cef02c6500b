/* lsn-sandbox-cw-store.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _LsnCwStore LsnCwStore;

/**
 * LsnCwRequest:
 * @method: GET, POST, PUT, PATCH or DELETE
 * @path: the part after `/{codebase}apis/3.0/`, without a leading slash
 * @query: (element-type utf8 utf8) (nullable): decoded query parameters
 * @forward_only: whether the request carries `pagination-type: forward-only`
 * @body: (nullable): the request body
 * @body_length: its length
 * @base_url: `http://127.0.0.1:PORT/{codebase}apis/3.0`, for `_href`s and `Link`
 * @member: who writes (the API member's identifier), for `_info.updatedBy`
 *
 * One authenticated API request.
 */
typedef struct
{
  const char *method;
  const char *path;
  GHashTable *query;
  gboolean    forward_only;
  const char *body;
  gsize       body_length;
  const char *base_url;
  const char *member;
} LsnCwRequest;

/**
 * LsnCwResponse:
 * @status: the HTTP status
 * @body: (nullable): the JSON body, %NULL for none (204)
 * @link: (nullable): the value of the `Link` header
 *
 * What the API answers.
 */
typedef struct
{
  guint  status;
  char  *body;
  char  *link;
} LsnCwResponse;

LsnCwStore *lsn_cw_store_new             (const char          *base_url);
void        lsn_cw_store_free            (LsnCwStore          *store);
void        lsn_cw_store_handle          (LsnCwStore          *store,
                                          const LsnCwRequest  *request,
                                          LsnCwResponse       *response);
void        lsn_cw_response_clear        (LsnCwResponse       *response);
char       *lsn_cw_error_body            (const char          *code,
                                          const char          *message,
                                          const char          *resource,
                                          const char          *field,
                                          const char          *detail);

/* Seeding, used by the data generator. Each returns the new record's id, or 0 when the
 * record was refused (a bug in the generator: the refusal is logged). */
gint64      lsn_cw_store_seed            (LsnCwStore          *store,
                                          const char          *collection,
                                          gint64               parent_id,
                                          JsonObject          *record,
                                          gint64               last_updated_usec);
guint       lsn_cw_store_count           (LsnCwStore          *store,
                                          const char          *collection);
JsonObject *lsn_cw_store_lookup          (LsnCwStore          *store,
                                          const char          *collection,
                                          gint64               id);
JsonObject *lsn_cw_store_reference       (LsnCwStore          *store,
                                          const char          *collection,
                                          gint64               id);
char       *lsn_cw_store_route_name      (LsnCwStore          *store,
                                          const char          *method,
                                          const char          *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnCwStore, lsn_cw_store_free)

G_END_DECLS
