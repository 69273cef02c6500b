/* lsn-record.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Entity kinds, as the profile file and the store spell them. */
#define LSN_KIND_CLIENT      "client"
#define LSN_KIND_SITE        "site"
#define LSN_KIND_CONTACT     "contact"
#define LSN_KIND_OPPORTUNITY "opportunity"
#define LSN_KIND_QUOTE       "quote"
#define LSN_KIND_PRODUCT     "product"
#define LSN_KIND_TAX         "tax"
#define LSN_KIND_LICENCE     "licence"
#define LSN_KIND_ADDITION    "addition"

#define LSN_TYPE_RECORD (lsn_record_get_type ())

G_DECLARE_FINAL_TYPE (LsnRecord, lsn_record, LSN, RECORD, GObject)

/**
 * LsnRecord:
 *
 * A canonical record: one remote entity as Liaison sees it, whichever system it came from.
 *
 * Canonical field names (values are JSON scalars; absent means "not set"):
 * - client: name, phone, website, address1..address4, city, state, postcode, country, inactive,
 *   reference (the other side's id when the API has a reference field), type, toplevel
 * - site: name, client_id, phone, address1..address4, city, state, postcode, inactive
 * - contact: firstname, lastname, email, phone, mobile, jobtitle, client_id, site_id, inactive
 *
 * References to other records (client_id, site_id) are the ids of the same system, as JSON
 * strings. Connectors accept them as strings on create and update too (the engine translates
 * them through its links before writing).
 *
 * `reference` is the other system's id, where the system has a field that can hold it (an
 * external reference): the engine writes it on create so that links can be rebuilt.
 *
 * A record is immutable once built and may be handed between threads.
 */
LsnRecord   *lsn_record_new            (const char   *kind,
                                        const char   *remote_id,
                                        const char   *name,
                                        JsonObject   *fields,
                                        gboolean      inactive,
                                        gint64        modified_usec);
const char  *lsn_record_get_kind       (LsnRecord    *self);
const char  *lsn_record_get_remote_id  (LsnRecord    *self);
const char  *lsn_record_get_name       (LsnRecord    *self);
JsonObject  *lsn_record_get_fields     (LsnRecord    *self);
gboolean     lsn_record_get_inactive   (LsnRecord    *self);
gint64       lsn_record_get_modified   (LsnRecord    *self);
const char  *lsn_record_get_parent_id  (LsnRecord    *self);
void         lsn_record_set_parent_id  (LsnRecord    *self,
                                        const char   *parent_id);
JsonObject  *lsn_record_get_raw        (LsnRecord    *self);
void         lsn_record_set_raw        (LsnRecord    *self,
                                        JsonObject   *raw);
const char  *lsn_record_get_string     (LsnRecord    *self,
                                        const char   *field);
char        *lsn_record_compute_hash   (LsnRecord    *self,
                                        const char  **field_names);
const char  *lsn_record_get_hash       (LsnRecord    *self);
char        *lsn_record_to_json        (LsnRecord    *self);
LsnRecord   *lsn_record_new_from_json  (const char   *json,
                                        GError      **error);

char        *lsn_fields_hash           (JsonObject   *fields,
                                        const char  **field_names);

G_END_DECLS
