/* lsn-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connector"

#include "config.h"

#include "lsn-connector.h"
#include "lsn-error.h"
#include "halopsa/lsn-halopsa-connector.h"
#include "connectwise/lsn-connectwise-connector.h"
#include "feed/lsn-feed-connector.h"

typedef struct
{
  LsnHttpClient *http;
} LsnConnectorPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LsnConnector, lsn_connector, G_TYPE_OBJECT)

LsnCheck *
lsn_check_new (const char *name,
               gboolean    ok,
               const char *message,
               const char *hint)
{
  LsnCheck *check = g_new0 (LsnCheck, 1);

  check->name = g_strdup (name);
  check->ok = ok;
  check->message = g_strdup (message);
  check->hint = g_strdup (hint);
  return check;
}

void
lsn_check_free (LsnCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->name);
  g_free (check->message);
  g_free (check->hint);
  g_free (check);
}

LsnFieldInfo *
lsn_field_info_new (const char *kind,
                    const char *name,
                    const char *label,
                    const char *type,
                    const char *canonical,
                    gboolean    custom)
{
  LsnFieldInfo *info = g_new0 (LsnFieldInfo, 1);

  info->kind = g_strdup (kind);
  info->name = g_strdup (name);
  info->label = g_strdup (label);
  info->type = g_strdup (type);
  info->canonical = g_strdup (canonical);
  info->custom = custom;
  return info;
}

void
lsn_field_info_free (LsnFieldInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->kind);
  g_free (info->name);
  g_free (info->label);
  g_free (info->type);
  g_free (info->canonical);
  g_free (info);
}

static void
lsn_connector_dispose (GObject *object)
{
  LsnConnectorPrivate *priv = lsn_connector_get_instance_private (LSN_CONNECTOR (object));

  g_clear_object (&priv->http);

  G_OBJECT_CLASS (lsn_connector_parent_class)->dispose (object);
}

static gboolean
not_supported (LsnConnector  *self,
               const char    *what,
               const char    *kind,
               GError       **error)
{
  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "%s cannot %s records of kind “%s”",
               lsn_connector_get_name (self), what, kind ? kind : "?");
  return FALSE;
}

static void
lsn_connector_class_init (LsnConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lsn_connector_dispose;
}

static void
lsn_connector_init (LsnConnector *self)
{
}

/**
 * lsn_connector_get_name:
 *
 * Returns: the connector's type name without the prefix, for messages
 */
const char *
lsn_connector_get_name (LsnConnector *self)
{
  return G_OBJECT_TYPE_NAME (self);
}

const char * const *
lsn_connector_get_kinds (LsnConnector *self)
{
  static const char * const none[] = { NULL };

  if (LSN_CONNECTOR_GET_CLASS (self)->get_kinds)
    return LSN_CONNECTOR_GET_CLASS (self)->get_kinds (self);
  return none;
}

/**
 * lsn_connector_get_http:
 *
 * Returns: (transfer none) (nullable): the HTTP client, for its budget and statistics
 */
LsnHttpClient *
lsn_connector_get_http (LsnConnector *self)
{
  LsnConnectorPrivate *priv = lsn_connector_get_instance_private (self);

  return priv->http;
}

void
lsn_connector_set_http (LsnConnector  *self,
                        LsnHttpClient *http)
{
  LsnConnectorPrivate *priv = lsn_connector_get_instance_private (self);

  g_set_object (&priv->http, http);
}

gboolean
lsn_connector_list (LsnConnector          *self,
                    const char            *kind,
                    const LsnListOptions  *options,
                    LsnRecordFunc          func,
                    gpointer               user_data,
                    GCancellable          *cancellable,
                    GError               **error)
{
  static const LsnListOptions defaults = { 0 };

  g_return_val_if_fail (LSN_IS_CONNECTOR (self), FALSE);

  if (LSN_CONNECTOR_GET_CLASS (self)->list == NULL)
    return not_supported (self, "list", kind, error);

  return LSN_CONNECTOR_GET_CLASS (self)->list (self, kind, options ? options : &defaults,
                                               func, user_data, cancellable, error);
}

static gboolean
collect_record (LsnRecord *record,
                gpointer   user_data)
{
  g_ptr_array_add (user_data, g_object_ref (record));
  return TRUE;
}

/**
 * lsn_connector_list_all:
 *
 * Returns: (transfer full) (element-type LsnRecord) (nullable): every listed record
 */
GPtrArray *
lsn_connector_list_all (LsnConnector          *self,
                        const char            *kind,
                        const LsnListOptions  *options,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);

  if (!lsn_connector_list (self, kind, options, collect_record, records, cancellable, error))
    return NULL;

  return g_steal_pointer (&records);
}

LsnRecord *
lsn_connector_get (LsnConnector  *self,
                   const char    *kind,
                   const char    *remote_id,
                   GCancellable  *cancellable,
                   GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->get == NULL)
    return not_supported (self, "read", kind, error), NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->get (self, kind, remote_id, cancellable, error);
}

LsnRecord *
lsn_connector_create (LsnConnector  *self,
                      const char    *kind,
                      JsonObject    *fields,
                      GCancellable  *cancellable,
                      GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->create == NULL)
    return not_supported (self, "create", kind, error), NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->create (self, kind, fields, cancellable, error);
}

LsnRecord *
lsn_connector_update (LsnConnector  *self,
                      const char    *kind,
                      const char    *remote_id,
                      JsonObject    *changed_fields,
                      GCancellable  *cancellable,
                      GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->update == NULL)
    return not_supported (self, "update", kind, error), NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->update (self, kind, remote_id, changed_fields,
                                                 cancellable, error);
}

gboolean
lsn_connector_delete (LsnConnector  *self,
                      const char    *kind,
                      const char    *remote_id,
                      GCancellable  *cancellable,
                      GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->delete == NULL)
    return not_supported (self, "delete", kind, error);
  return LSN_CONNECTOR_GET_CLASS (self)->delete (self, kind, remote_id, cancellable, error);
}

/**
 * lsn_connector_list_reference:
 *
 * Returns: (transfer full) (element-type LsnRecord) (nullable): statuses, stages, tax rates...
 */
GPtrArray *
lsn_connector_list_reference (LsnConnector  *self,
                              const char    *reference_kind,
                              GCancellable  *cancellable,
                              GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->list_reference == NULL)
    return not_supported (self, "list reference", reference_kind, error), NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->list_reference (self, reference_kind, cancellable, error);
}

/**
 * lsn_connector_list_fields:
 *
 * Returns: (transfer full) (element-type LsnFieldInfo) (nullable): the field catalogue of @kind
 */
GPtrArray *
lsn_connector_list_fields (LsnConnector  *self,
                           const char    *kind,
                           GCancellable  *cancellable,
                           GError       **error)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->list_fields == NULL)
    return not_supported (self, "describe", kind, error), NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->list_fields (self, kind, cancellable, error);
}

/**
 * lsn_connector_test_connection:
 * @kinds: (array zero-terminated=1): the kinds the profile uses
 *
 * Returns: (transfer full) (element-type LsnCheck): one check per line, in order
 */
GPtrArray *
lsn_connector_test_connection (LsnConnector        *self,
                               const char * const  *kinds,
                               GCancellable        *cancellable)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->test_connection == NULL)
    {
      GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_check_free);
      g_ptr_array_add (checks, lsn_check_new ("Test connection", FALSE,
                                              "This connector cannot test its connection", NULL));
      return checks;
    }
  return LSN_CONNECTOR_GET_CLASS (self)->test_connection (self, kinds, cancellable);
}

/**
 * lsn_connector_record_url:
 *
 * Returns: (transfer full) (nullable): where a person opens the record in the system's web UI
 */
char *
lsn_connector_record_url (LsnConnector *self,
                          const char   *kind,
                          const char   *remote_id)
{
  if (LSN_CONNECTOR_GET_CLASS (self)->record_url == NULL)
    return NULL;
  return LSN_CONNECTOR_GET_CLASS (self)->record_url (self, kind, remote_id);
}

LsnConnector *
lsn_connector_new_from_settings (JsonObject  *settings,
                                 const char  *secret,
                                 GError     **error)
{
  const char *name = NULL;

  if (settings != NULL && json_object_has_member (settings, "connector"))
    name = json_object_get_string_member_with_default (settings, "connector", NULL);

  if (name == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The connection does not say which connector it uses: "
                           "set \"connector\" to \"halopsa\", \"connectwise\" or \"feed\"");
      return NULL;
    }

  if (g_str_equal (name, "halopsa"))
    return lsn_halopsa_connector_new_from_settings (settings, secret, error);
  if (g_str_equal (name, "connectwise"))
    return lsn_connectwise_connector_new_from_settings (settings, secret, error);
  if (g_str_equal (name, "feed"))
    return lsn_feed_connector_new_from_settings (settings, error);

  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "Unknown connector “%s”: use \"halopsa\", \"connectwise\" or \"feed\"", name);
  return NULL;
}
