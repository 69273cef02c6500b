/* lsn-connector.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lsn-record.h"
#include "lsn-http-client.h"

G_BEGIN_DECLS

/**
 * LsnListOptions:
 * @since_usec: only records changed at or after this time (0: everything)
 * @include_inactive: also list inactive records
 * @name_contains: (nullable): initial-import filter on the name
 * @parent_id: (nullable): only children of this record (sites of a client...)
 * @page_size: 0 for the connector's default
 *
 * Filters for lsn_connector_list().
 */
typedef struct
{
  gint64      since_usec;
  gboolean    include_inactive;
  const char *name_contains;
  const char *parent_id;
  guint       page_size;
} LsnListOptions;

/**
 * LsnRecordFunc:
 *
 * Called once per listed record, on the listing thread.
 *
 * Returns: %FALSE to stop listing
 */
typedef gboolean (*LsnRecordFunc) (LsnRecord *record,
                                   gpointer   user_data);

/**
 * LsnCheck:
 * @name: what was checked ("Reachable", "Authenticated", "Read clients", "Clock")
 * @ok: whether it passed
 * @message: (nullable): the reason, quoting the server, when it failed
 * @hint: (nullable): what to change
 */
typedef struct
{
  char     *name;
  gboolean  ok;
  char     *message;
  char     *hint;
} LsnCheck;

LsnCheck *lsn_check_new  (const char *name,
                          gboolean    ok,
                          const char *message,
                          const char *hint);
void      lsn_check_free (LsnCheck   *check);

/**
 * LsnFieldInfo:
 * @kind: the entity kind
 * @name: the system's own field name
 * @label: what a person sees
 * @type: "string", "number", "boolean", "date", "reference"
 * @canonical: (nullable): the canonical field it maps to by default
 * @custom: whether it is a custom field
 */
typedef struct
{
  char     *kind;
  char     *name;
  char     *label;
  char     *type;
  char     *canonical;
  gboolean  custom;
} LsnFieldInfo;

LsnFieldInfo *lsn_field_info_new  (const char *kind,
                                   const char *name,
                                   const char *label,
                                   const char *type,
                                   const char *canonical,
                                   gboolean    custom);
void          lsn_field_info_free (LsnFieldInfo *info);

#define LSN_TYPE_CONNECTOR (lsn_connector_get_type ())

G_DECLARE_DERIVABLE_TYPE (LsnConnector, lsn_connector, LSN, CONNECTOR, GObject)

/**
 * LsnConnectorClass:
 *
 * A connector knows one system. Every method is synchronous and blocking: call them from a worker
 * thread, never from the main thread. One connector instance is used by one thread at a time.
 * Creates and updates take canonical fields and return the record as the system now holds it.
 */
struct _LsnConnectorClass
{
  GObjectClass parent_class;

  const char *const *(*get_kinds)        (LsnConnector          *self);
  gboolean           (*list)             (LsnConnector          *self,
                                          const char            *kind,
                                          const LsnListOptions  *options,
                                          LsnRecordFunc          func,
                                          gpointer               user_data,
                                          GCancellable          *cancellable,
                                          GError               **error);
  LsnRecord         *(*get)              (LsnConnector          *self,
                                          const char            *kind,
                                          const char            *remote_id,
                                          GCancellable          *cancellable,
                                          GError               **error);
  LsnRecord         *(*create)           (LsnConnector          *self,
                                          const char            *kind,
                                          JsonObject            *fields,
                                          GCancellable          *cancellable,
                                          GError               **error);
  LsnRecord         *(*update)           (LsnConnector          *self,
                                          const char            *kind,
                                          const char            *remote_id,
                                          JsonObject            *changed_fields,
                                          GCancellable          *cancellable,
                                          GError               **error);
  gboolean           (*delete)           (LsnConnector          *self,
                                          const char            *kind,
                                          const char            *remote_id,
                                          GCancellable          *cancellable,
                                          GError               **error);
  GPtrArray         *(*list_reference)   (LsnConnector          *self,
                                          const char            *reference_kind,
                                          GCancellable          *cancellable,
                                          GError               **error);
  GPtrArray         *(*list_fields)      (LsnConnector          *self,
                                          const char            *kind,
                                          GCancellable          *cancellable,
                                          GError               **error);
  GPtrArray         *(*test_connection)  (LsnConnector          *self,
                                          const char * const    *kinds,
                                          GCancellable          *cancellable);
  char              *(*record_url)       (LsnConnector          *self,
                                          const char            *kind,
                                          const char            *remote_id);

  gpointer padding[8];
};

const char * const *lsn_connector_get_kinds       (LsnConnector          *self);
const char         *lsn_connector_get_name        (LsnConnector          *self);
LsnHttpClient      *lsn_connector_get_http        (LsnConnector          *self);
void                lsn_connector_set_http        (LsnConnector          *self,
                                                   LsnHttpClient         *http);
gboolean            lsn_connector_list            (LsnConnector          *self,
                                                   const char            *kind,
                                                   const LsnListOptions  *options,
                                                   LsnRecordFunc          func,
                                                   gpointer               user_data,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
GPtrArray          *lsn_connector_list_all        (LsnConnector          *self,
                                                   const char            *kind,
                                                   const LsnListOptions  *options,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
LsnRecord          *lsn_connector_get             (LsnConnector          *self,
                                                   const char            *kind,
                                                   const char            *remote_id,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
LsnRecord          *lsn_connector_create          (LsnConnector          *self,
                                                   const char            *kind,
                                                   JsonObject            *fields,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
LsnRecord          *lsn_connector_update          (LsnConnector          *self,
                                                   const char            *kind,
                                                   const char            *remote_id,
                                                   JsonObject            *changed_fields,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
gboolean            lsn_connector_delete          (LsnConnector          *self,
                                                   const char            *kind,
                                                   const char            *remote_id,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
GPtrArray          *lsn_connector_list_reference  (LsnConnector          *self,
                                                   const char            *reference_kind,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
GPtrArray          *lsn_connector_list_fields     (LsnConnector          *self,
                                                   const char            *kind,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
GPtrArray          *lsn_connector_test_connection (LsnConnector          *self,
                                                   const char * const    *kinds,
                                                   GCancellable          *cancellable);
char               *lsn_connector_record_url      (LsnConnector          *self,
                                                   const char            *kind,
                                                   const char            *remote_id);

/**
 * lsn_connector_new_from_settings:
 * @settings: one side of a profile file ("connector", "url", ...), secrets left out
 * @secret: (nullable): the client secret / private key, from the keyring or the environment
 * @error: return location
 *
 * Builds the connector that @settings names ("halopsa", "connectwise", "feed").
 *
 * Returns: (transfer full) (nullable): the connector
 */
LsnConnector       *lsn_connector_new_from_settings (JsonObject   *settings,
                                                     const char   *secret,
                                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnCheck, lsn_check_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnFieldInfo, lsn_field_info_free)

G_END_DECLS
