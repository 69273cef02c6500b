/* lsn-halopsa-kinds.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "lsn-record.h"

G_BEGIN_DECLS

/* Liaison's names for Halo's reference lists and for the kinds only Halo has. */
#define LSN_HALOPSA_KIND_RECURRING_INVOICE "recurringinvoice"
#define LSN_HALOPSA_KIND_STATUS            "status"
#define LSN_HALOPSA_KIND_TICKET_TYPE       "tickettype"
#define LSN_HALOPSA_KIND_ASSET_GROUP       "assetgroup"
#define LSN_HALOPSA_KIND_ASSET_TYPE        "assettype"

typedef enum
{
  LSN_HALOPSA_FIELD_STRING,
  LSN_HALOPSA_FIELD_NUMBER,
  LSN_HALOPSA_FIELD_BOOLEAN,
  LSN_HALOPSA_FIELD_DATE,
  LSN_HALOPSA_FIELD_REFERENCE, /* an id of another record: canonical text, Halo int */
} LsnHalopsaFieldType;

/**
 * LsnHalopsaField:
 * @halo: Halo's property; "a.b" is member b of object a
 * @canonical: the canonical field
 * @label: what a person sees
 * @type: how values are converted
 * @read_only: computed by Halo, never written
 */
typedef struct
{
  const char          *halo;
  const char          *canonical;
  const char          *label;
  LsnHalopsaFieldType  type;
  gboolean             read_only;
} LsnHalopsaField;

/**
 * LsnHalopsaKind:
 * @kind: Liaison's kind name
 * @path: the API resource, "/Client"
 * @envelope: (nullable): the array member of a paged list; %NULL for a bare array
 * @label: plural, for messages ("clients")
 * @scope: the scope that grants read access, for hints
 * @name_field: (nullable): Halo's display-name property
 * @modified_field: (nullable): Halo's last-change property
 * @parent_field: (nullable): the property holding the parent client
 * @inactive: how the record says it is inactive ("inactive", "!is_active", ...)
 * @list_query: (nullable): extra query for lists ("includelines=true")
 * @get_query: (nullable): extra query for reading one record
 * @active_flags: the list takes includeactive/includeinactive
 * @writable: create, update and delete are supported
 * @fields: (array zero-terminated=1): the standard fields
 * @line_fields: (nullable) (array zero-terminated=1): the fields of each line, for records with
 *   "lines" (canonical field "lines": an array of objects)
 */
typedef struct
{
  const char            *kind;
  const char            *path;
  const char            *envelope;
  const char            *label;
  const char            *scope;
  const char            *name_field;
  const char            *modified_field;
  const char            *parent_field;
  const char            *inactive;
  const char            *list_query;
  const char            *get_query;
  gboolean               active_flags;
  gboolean               writable;
  const LsnHalopsaField *fields;
  const LsnHalopsaField *line_fields;
} LsnHalopsaKind;

const LsnHalopsaKind  *lsn_halopsa_kind_lookup       (const char           *kind);
const char * const    *lsn_halopsa_kinds             (void);
const char * const    *lsn_halopsa_reference_kinds   (void);
gboolean               lsn_halopsa_kind_is_reference (const char           *kind);

gint64                 lsn_halopsa_parse_date        (const char           *text);
gboolean               lsn_halopsa_flag_true         (JsonObject           *raw,
                                                      const char           *name);
char                  *lsn_halopsa_id_to_string      (JsonNode             *node);

LsnRecord             *lsn_halopsa_normalize         (const LsnHalopsaKind *kind,
                                                      JsonObject           *raw,
                                                      GError              **error);
JsonObject            *lsn_halopsa_denormalize       (const LsnHalopsaKind *kind,
                                                      JsonObject           *fields,
                                                      GError              **error);

G_END_DECLS
