/* lsn-halopsa-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-halopsa"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-util.h"
#include "lsn-halopsa-auth.h"
#include "lsn-halopsa-connector.h"
#include "lsn-halopsa-error.h"
#include "lsn-halopsa-kinds.h"

/* The HaloPSA connector (reference/halopsa-api.md).
 *
 * Settings (one side of a profile file): "url" (the resource server, https://acme.halopsa.com;
 * a trailing /api is accepted), "auth_url" (the authorisation server; read from GET /api/AuthInfo
 * when empty), "tenant", "client_id", "scopes" (a string or a list; "all" by default), "budget"
 * {"requests", "seconds"} (300 per 300 s by default), "page_size" (100 by default). The client
 * secret comes separately.
 *
 * Kinds: client (/Client), site (/Site), contact (/Users), opportunity (/Opportunities), quote
 * (/Quotation, with lines), product (/Item), tax (/Tax), licence (/SoftwareLicence),
 * recurringinvoice (/RecurringInvoice, with lines; read only); reference lists: status,
 * tickettype, assetgroup, assettype, tax. Create, update and delete: client, site, contact,
 * product, licence, opportunity, quote. The canonical fields of each kind are the tables in
 * lsn-halopsa-kinds.c; client and site carry "reference" (Halo's "ref"), product carries
 * "reference" (Halo's "externalreference").
 *
 * Incremental pulls: Halo documents no working modified-since filter (lastupdatefromdate is typed
 * bool in its OpenAPI, and described as "include the field in the response"), so a list with
 * since_usec reads the full list and hands on only the records whose last-change field is at or
 * after since_usec (records of kinds without such a field are always handed on).
 *
 * Lists: paged kinds are read with pageinate=true, page_size and a 1-based page_no, ordered by id,
 * until record_count records were read; fewer is %LSN_ERROR_INCOMPLETE. Tax, Status, TicketType,
 * AssetGroup and AssetType are bare arrays read in one request.
 */

struct _LsnHalopsaConnector
{
  LsnConnector    parent_instance;

  char           *url;          /* the resource server, without /api */
  LsnHalopsaAuth *auth;
  guint           page_size;
};

G_DEFINE_FINAL_TYPE (LsnHalopsaConnector, lsn_halopsa_connector, LSN_TYPE_CONNECTOR)

#define DEFAULT_MAX_RETRIES 3
#define MALFORMED_RETRIES   2

static void
lsn_halopsa_connector_dispose (GObject *object)
{
  LsnHalopsaConnector *self = (LsnHalopsaConnector *) object;
  LsnHttpClient *http = lsn_connector_get_http (LSN_CONNECTOR (self));

  /* The client may outlive us (someone reading its statistics): take our callbacks back. */
  if (http != NULL)
    lsn_http_client_set_auth_func (http, NULL, NULL);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (lsn_halopsa_connector_parent_class)->dispose (object);
}

static void
lsn_halopsa_connector_finalize (GObject *object)
{
  LsnHalopsaConnector *self = (LsnHalopsaConnector *) object;

  g_free (self->url);

  G_OBJECT_CLASS (lsn_halopsa_connector_parent_class)->finalize (object);
}

static LsnHttpClient *
http (LsnHalopsaConnector *self)
{
  return lsn_connector_get_http (LSN_CONNECTOR (self));
}

/* Adds what to check to authentication and permission failures. */
static void
explain_error (GError               *error,
               const LsnHalopsaKind *kind)
{
  g_autofree char *old = NULL;

  if (error == NULL || error->domain != LSN_ERROR)
    return;

  if (error->code == LSN_ERROR_AUTH && strstr (error->message, "did not issue a token") == NULL)
    {
      old = error->message;
      error->message = g_strdup_printf ("%s — HaloPSA refused a fresh token: check the Client ID, "
                                        "Client secret, Tenant and Scopes settings, and that the "
                                        "API application's agent may use this area", old);
    }
  else if (error->code == LSN_ERROR_PERMISSION && kind != NULL)
    {
      old = error->message;
      error->message = g_strdup_printf ("%s — give the API application the “%s” scope (or “all”) "
                                        "and make sure the agent it logs in as may see %s",
                                        old, kind->scope, kind->label);
    }
}

static JsonNode *
api_call (LsnHalopsaConnector   *self,
          const char            *method,
          const char            *path_and_query,
          LsnHttpFlags           flags,
          JsonNode              *body,
          const LsnHalopsaKind  *kind,
          GCancellable          *cancellable,
          GError               **error)
{
  g_autofree char *summary = lsn_http_request_summary (method, path_and_query);

  /* A GET whose reply arrived whole but is not JSON (a body cut short by the server) is read
   * again, like a dropped connection; writes are not. */
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(LsnHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonNode *root;

      lsn_halopsa_auth_set_cancellable (self->auth, cancellable);
      response = lsn_http_client_send_json_full (http (self), method, path_and_query, flags, body,
                                                 cancellable, &local_error);
      lsn_halopsa_auth_set_cancellable (self->auth, NULL);

      if (response == NULL)
        {
          explain_error (local_error, kind);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (g_str_equal (method, "DELETE")
          && (response->body == NULL || g_bytes_get_size (response->body) == 0))
        return json_node_init_null (json_node_alloc ());

      root = lsn_http_response_parse_json (response, summary, &local_error);
      if (root != NULL)
        return root;

      if (!g_str_equal (method, "GET") || attempt >= MALFORMED_RETRIES)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("%s: %s; reading it again", summary, local_error->message);
    }
}

static gboolean
check_remote_id (const char  *remote_id,
                 GError     **error)
{
  char *end = NULL;

  if (remote_id == NULL || *remote_id == '\0'
      || (g_ascii_strtoll (remote_id, &end, 10), end == NULL || *end != '\0'))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a HaloPSA record id (a whole number)",
                   remote_id ? remote_id : "");
      return FALSE;
    }
  return TRUE;
}

static const LsnHalopsaKind *
lookup_kind (const char  *kind,
             GError     **error)
{
  const LsnHalopsaKind *k = lsn_halopsa_kind_lookup (kind);

  if (k == NULL)
    g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                 "HaloPSA has no records of kind “%s” here", kind ? kind : "");
  return k;
}

static void
append_param (GString    *query,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (query, query->len == 0 || strchr (query->str, '?') == NULL ? '?' : '&');
  g_string_append_printf (query, "%s=%s", name, escaped);
}

static gboolean
passes_filters (LsnRecord            *record,
                const LsnHalopsaKind *kind,
                const LsnListOptions *options,
                gboolean              server_filtered_name)
{
  JsonObject *raw = lsn_record_get_raw (record);

  /* A software licence HaloPSA marks deleted is gone, whatever its active flag says. Whether a
   * list ever returns one (with includeinactive) is not documented: they are expected, and left
   * out, so that nothing is matched to, updated on or counted from a deleted licence. (Other
   * kinds keep "deleted" as their inactive flag.) */
  if (g_str_equal (kind->kind, LSN_KIND_LICENCE) && raw != NULL
      && lsn_halopsa_flag_true (raw, "deleted"))
    return FALSE;

  if (options->since_usec > 0 && lsn_record_get_modified (record) != 0
      && lsn_record_get_modified (record) < options->since_usec)
    return FALSE;

  /* Kinds whose list has no active filter: drop inactive records here. */
  if (!options->include_inactive && !kind->active_flags && lsn_record_get_inactive (record))
    return FALSE;

  if (!server_filtered_name && options->name_contains != NULL && *options->name_contains != '\0')
    {
      g_autofree char *name = g_utf8_casefold (lsn_record_get_name (record) ? lsn_record_get_name (record) : "", -1);
      g_autofree char *needle = g_utf8_casefold (options->name_contains, -1);

      if (strstr (name, needle) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
get_record_count (JsonObject *page,
                  gint64     *count)
{
  JsonNode *node = json_object_get_member (page, "record_count");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *count = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *count = (gint64) json_node_get_double (node);
  else
    return FALSE;
  return *count >= 0;
}

static gboolean
lsn_halopsa_connector_list (LsnConnector          *connector,
                            const char            *kind_name,
                            const LsnListOptions  *options,
                            LsnRecordFunc          func,
                            gpointer               user_data,
                            GCancellable          *cancellable,
                            GError               **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  const LsnHalopsaKind *kind;
  g_autoptr(GString) base = NULL;
  guint page_size;
  gint64 total = -1;
  guint64 read = 0;
  gboolean server_filtered_name = FALSE;

  if (!(kind = lookup_kind (kind_name, error)))
    return FALSE;

  page_size = options->page_size > 0 ? options->page_size : self->page_size;

  base = g_string_new ("/api");
  g_string_append (base, kind->path);
  if (kind->envelope != NULL)
    {
      if (options->include_inactive && kind->active_flags)
        {
          append_param (base, "includeactive", "true");
          append_param (base, "includeinactive", "true");
        }
      else if (options->include_inactive && g_str_equal (kind->kind, LSN_KIND_LICENCE))
        append_param (base, "includeinactive", "true");
      if (options->parent_id != NULL && kind->parent_field != NULL)
        {
          if (!check_remote_id (options->parent_id, error))
            return FALSE;
          append_param (base, "client_id", options->parent_id);
        }
      if (options->name_contains != NULL && *options->name_contains != '\0')
        {
          append_param (base, "search", options->name_contains);
          server_filtered_name = TRUE;
        }
      if (kind->list_query != NULL)
        g_string_append_printf (base, "%c%s", strchr (base->str, '?') ? '&' : '?', kind->list_query);
    }

  for (guint page_no = 1; ; page_no++)
    {
      g_autoptr(GString) path = g_string_new (base->str);
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *summary = NULL;
      JsonArray *rows;
      guint len;

      if (kind->envelope != NULL)
        {
          g_autofree char *size = g_strdup_printf ("%u", page_size);
          g_autofree char *no = g_strdup_printf ("%u", page_no);

          append_param (path, "pageinate", "true");
          append_param (path, "page_size", size);
          append_param (path, "page_no", no);
          append_param (path, "order", "id");
        }

      summary = lsn_http_request_summary ("GET", path->str);
      if (!(root = api_call (self, "GET", path->str, LSN_HTTP_FLAGS_NONE, NULL, kind,
                             cancellable, error)))
        return FALSE;

      if (kind->envelope == NULL)
        {
          if (!JSON_NODE_HOLDS_ARRAY (root))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "%s returned something other than the list of %s HaloPSA sends",
                           summary, kind->label);
              return FALSE;
            }
          rows = json_node_get_array (root);
        }
      else
        {
          JsonObject *object;
          JsonNode *array;
          gint64 count = 0;

          if (!JSON_NODE_HOLDS_OBJECT (root)
              || !(array = json_object_get_member ((object = json_node_get_object (root)), kind->envelope))
              || !JSON_NODE_HOLDS_ARRAY (array))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "%s returned a reply without the “%s” list HaloPSA sends",
                           summary, kind->envelope);
              return FALSE;
            }
          if (!get_record_count (object, &count))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "%s returned a page without its “record_count”", summary);
              return FALSE;
            }
          total = count;
          rows = json_node_get_array (array);
        }

      len = json_array_get_length (rows);
      for (guint i = 0; i < len; i++)
        {
          JsonNode *row = json_array_get_element (rows, i);
          g_autoptr(LsnRecord) record = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (row))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "%s returned a list whose entries are not records", summary);
              return FALSE;
            }
          if (!(record = lsn_halopsa_normalize (kind, json_node_get_object (row), error)))
            {
              g_prefix_error (error, "%s: ", summary);
              return FALSE;
            }
          if (passes_filters (record, kind, options, server_filtered_name)
              && !func (record, user_data))
            return TRUE;
        }
      read += len;

      if (kind->envelope == NULL)
        return TRUE;

      if (len == 0 || read >= (guint64) total)
        break;

      /* A server that keeps sending pages past what it announced: stop. */
      if (page_no > (guint64) total / page_size + 2)
        break;
    }

  if (read < (guint64) total)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INCOMPLETE,
                   "HaloPSA said it has %" G_GINT64_FORMAT " %s but only %" G_GUINT64_FORMAT
                   " were read: records may have been deleted while they were listed; "
                   "list them again", total, kind->label, read);
      return FALSE;
    }

  return TRUE;
}

static LsnRecord *
record_from_reply (const LsnHalopsaKind  *kind,
                   JsonNode              *root,
                   const char            *summary,
                   GError               **error)
{
  JsonNode *node = root;
  LsnRecord *record;

  /* Writes answer with the record; some clients have seen it wrapped in an array. */
  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 1)
    node = json_array_get_element (json_node_get_array (node), 0);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "%s returned something other than a HaloPSA record", summary);
      return NULL;
    }

  if (!(record = lsn_halopsa_normalize (kind, json_node_get_object (node), error)))
    g_prefix_error (error, "%s: ", summary);
  return record;
}

static LsnRecord *
lsn_halopsa_connector_get (LsnConnector  *connector,
                           const char    *kind_name,
                           const char    *remote_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  const LsnHalopsaKind *kind;
  g_autofree char *path = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!(kind = lookup_kind (kind_name, error)) || !check_remote_id (remote_id, error))
    return NULL;

  path = g_strdup_printf ("/api%s/%s?includedetails=true", kind->path, remote_id);
  summary = lsn_http_request_summary ("GET", path);
  if (!(root = api_call (self, "GET", path, LSN_HTTP_FLAGS_NONE, NULL, kind, cancellable, error)))
    return NULL;

  return record_from_reply (kind, root, summary, error);
}

static const LsnHalopsaKind *
lookup_writable_kind (LsnConnector  *connector,
                      const char    *kind_name,
                      GError       **error)
{
  const LsnHalopsaKind *kind = lookup_kind (kind_name, error);

  if (kind != NULL && !kind->writable)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Liaison does not write HaloPSA %s", kind->label);
      return NULL;
    }
  return kind;
}

static JsonNode *
array_of (JsonObject *object)
{
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node = json_node_alloc ();

  json_array_add_object_element (array, object);
  return json_node_init_array (node, array);
}

static LsnRecord *
lsn_halopsa_connector_create (LsnConnector  *connector,
                              const char    *kind_name,
                              JsonObject    *fields,
                              GCancellable  *cancellable,
                              GError       **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  const LsnHalopsaKind *kind;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *summary = NULL;

  if (!(kind = lookup_writable_kind (connector, kind_name, error)))
    return NULL;
  if (!(object = lsn_halopsa_denormalize (kind, fields, error)))
    return NULL;
  json_object_remove_member (object, "id");

  path = g_strconcat ("/api", kind->path, NULL);
  summary = lsn_http_request_summary ("POST", path);
  body = array_of (g_steal_pointer (&object));

  /* Not idempotent: a create whose reply was lost is LSN_ERROR_OUTCOME_UNKNOWN, not resent. */
  if (!(root = api_call (self, "POST", path, LSN_HTTP_FLAGS_NONE, body, kind, cancellable, error)))
    return NULL;

  return record_from_reply (kind, root, summary, error);
}

static LsnRecord *
lsn_halopsa_connector_update (LsnConnector  *connector,
                              const char    *kind_name,
                              const char    *remote_id,
                              JsonObject    *changed_fields,
                              GCancellable  *cancellable,
                              GError       **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  const LsnHalopsaKind *kind;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *summary = NULL;

  if (!(kind = lookup_writable_kind (connector, kind_name, error)) || !check_remote_id (remote_id, error))
    return NULL;
  if (!(object = lsn_halopsa_denormalize (kind, changed_fields, error)))
    return NULL;
  json_object_set_int_member (object, "id", g_ascii_strtoll (remote_id, NULL, 10));

  path = g_strconcat ("/api", kind->path, NULL);
  summary = lsn_http_request_summary ("POST", path);
  body = array_of (g_steal_pointer (&object));

  /* An update by id sets the same values again when repeated: safe to resend. Halo answers an
   * unknown id with 400 "Record not found" and never creates: that is a not-found here. */
  root = api_call (self, "POST", path, LSN_HTTP_IDEMPOTENT, body, kind, cancellable, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, LSN_ERROR, LSN_ERROR_VALIDATION)
          && strstr (local_error->message, "Record not found") != NULL)
        local_error->code = LSN_ERROR_NOT_FOUND;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return record_from_reply (kind, root, summary, error);
}

static gboolean
lsn_halopsa_connector_delete (LsnConnector  *connector,
                              const char    *kind_name,
                              const char    *remote_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  const LsnHalopsaKind *kind;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!(kind = lookup_writable_kind (connector, kind_name, error)) || !check_remote_id (remote_id, error))
    return FALSE;

  path = g_strdup_printf ("/api%s/%s", kind->path, remote_id);
  root = api_call (self, "DELETE", path, LSN_HTTP_FLAGS_NONE, NULL, kind, cancellable, error);
  return root != NULL;
}

static GPtrArray *
lsn_halopsa_connector_list_reference (LsnConnector  *connector,
                                      const char    *reference_kind,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  LsnListOptions options = { 0 };

  if (!lsn_halopsa_kind_is_reference (reference_kind))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "HaloPSA has no reference list “%s”: use status, tickettype, assetgroup, "
                   "assettype or tax", reference_kind ? reference_kind : "");
      return NULL;
    }

  options.include_inactive = TRUE;
  return lsn_connector_list_all (connector, reference_kind, &options, cancellable, error);
}

static const char *
field_type_name (LsnHalopsaFieldType type)
{
  switch (type)
    {
    case LSN_HALOPSA_FIELD_NUMBER:
      return "number";
    case LSN_HALOPSA_FIELD_BOOLEAN:
      return "boolean";
    case LSN_HALOPSA_FIELD_DATE:
      return "date";
    case LSN_HALOPSA_FIELD_REFERENCE:
      return "reference";
    case LSN_HALOPSA_FIELD_STRING:
    default:
      return "string";
    }
}

static gboolean
take_first_record (LsnRecord *record,
                   gpointer   user_data)
{
  LsnRecord **first = user_data;

  *first = g_object_ref (record);
  return FALSE;
}

/* Halo sends every custom field of an entity, set or not, with each record it returns in
 * detail: the catalogue of custom fields is read from one such record. */
static gboolean
add_custom_fields (LsnHalopsaConnector   *self,
                   const LsnHalopsaKind  *kind,
                   GPtrArray             *infos,
                   GCancellable          *cancellable,
                   GError               **error)
{
  LsnListOptions options = { 0 };
  g_autoptr(LsnRecord) first = NULL;
  g_autoptr(LsnRecord) detail = NULL;
  JsonObject *raw;
  JsonNode *node;
  JsonArray *array;

  options.page_size = 1;
  options.include_inactive = TRUE;
  if (!lsn_connector_list (LSN_CONNECTOR (self), kind->kind, &options, take_first_record, &first,
                           cancellable, error))
    return FALSE;
  if (first == NULL)
    return TRUE;

  raw = lsn_record_get_raw (first);
  node = raw ? json_object_get_member (raw, "customfields") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      if (!(detail = lsn_connector_get (LSN_CONNECTOR (self), kind->kind,
                                        lsn_record_get_remote_id (first), cancellable, error)))
        return FALSE;
      raw = lsn_record_get_raw (detail);
      node = raw ? json_object_get_member (raw, "customfields") : NULL;
      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        return TRUE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *cf;
      const char *name;
      const char *label;
      g_autofree char *canonical = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      cf = json_node_get_object (element);
      if (!json_object_has_member (cf, "name")
          || json_node_get_value_type (json_object_get_member (cf, "name")) != G_TYPE_STRING)
        continue;
      name = json_object_get_string_member (cf, "name");
      label = name;
      if (json_object_has_member (cf, "label")
          && json_node_get_value_type (json_object_get_member (cf, "label")) == G_TYPE_STRING)
        label = json_object_get_string_member (cf, "label");

      canonical = g_strconcat ("custom:", name, NULL);
      g_ptr_array_add (infos, lsn_field_info_new (kind->kind, canonical, label, "string",
                                                  canonical, TRUE));
    }

  return TRUE;
}

static GPtrArray *
lsn_halopsa_connector_list_fields (LsnConnector  *connector,
                                   const char    *kind_name,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_field_info_free);
  const LsnHalopsaKind *kind;

  if (!(kind = lookup_kind (kind_name, error)))
    return NULL;

  for (guint i = 0; kind->fields[i].halo != NULL; i++)
    g_ptr_array_add (infos, lsn_field_info_new (kind->kind, kind->fields[i].halo,
                                                kind->fields[i].label,
                                                field_type_name (kind->fields[i].type),
                                                kind->fields[i].canonical, FALSE));
  if (kind->inactive != NULL)
    g_ptr_array_add (infos, lsn_field_info_new (kind->kind, kind->inactive, "Inactive", "boolean",
                                                "inactive", FALSE));
  if (kind->line_fields != NULL)
    for (guint i = 0; kind->line_fields[i].halo != NULL; i++)
      {
        g_autofree char *name = g_strconcat ("lines.", kind->line_fields[i].halo, NULL);
        g_autofree char *canonical = g_strconcat ("lines.", kind->line_fields[i].canonical, NULL);
        g_autofree char *label = g_strconcat ("Line: ", kind->line_fields[i].label, NULL);

        g_ptr_array_add (infos, lsn_field_info_new (kind->kind, name, label,
                                                    field_type_name (kind->line_fields[i].type),
                                                    canonical, FALSE));
      }

  if (kind->envelope != NULL && !add_custom_fields (self, kind, infos, cancellable, error))
    return NULL;

  return g_steal_pointer (&infos);
}

static GPtrArray *
lsn_halopsa_connector_test_connection (LsnConnector        *connector,
                                       const char * const  *kinds,
                                       GCancellable        *cancellable)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);
  GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_check_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  gboolean reachable;
  gboolean authenticated = FALSE;

  /* Fail fast: one retry, not the usual three. */
  lsn_http_client_set_max_retries (http (self), 1);

  /* Reachable: any HTTP answer from the API's unauthenticated route. */
  response = lsn_http_client_send_full (http (self), "GET", "/api/AuthInfo", LSN_HTTP_NO_AUTH,
                                        NULL, NULL, NULL, cancellable, &error);
  reachable = response != NULL
              || (error->domain == LSN_ERROR
                  && (error->code == LSN_ERROR_NOT_FOUND || error->code == LSN_ERROR_VALIDATION
                      || error->code == LSN_ERROR_AUTH || error->code == LSN_ERROR_PERMISSION));
  g_ptr_array_add (checks, lsn_check_new ("Reachable", reachable,
                                          reachable ? NULL : error->message,
                                          reachable ? NULL : "Check the Resource server URL and "
                                          "the network: it is Halo's web address, for example "
                                          "https://acme.halopsa.com"));
  g_clear_error (&error);

  if (reachable)
    {
      lsn_halopsa_auth_set_cancellable (self->auth, cancellable);
      authenticated = lsn_halopsa_auth_ensure_token (self->auth, TRUE, cancellable, &error);
      lsn_halopsa_auth_set_cancellable (self->auth, NULL);
      g_ptr_array_add (checks, lsn_check_new ("Authenticated", authenticated,
                                              authenticated ? NULL : error->message,
                                              authenticated ? NULL : "Check the Client ID, Client "
                                              "secret, Tenant, Scopes and Authorisation server URL "
                                              "against Halo's Configuration > Integrations > Halo API"));
      g_clear_error (&error);
    }
  else
    g_ptr_array_add (checks, lsn_check_new ("Authenticated", FALSE,
                                            "Not tried: the server cannot be reached", NULL));

  for (guint i = 0; kinds != NULL && kinds[i] != NULL; i++)
    {
      const LsnHalopsaKind *kind = lsn_halopsa_kind_lookup (kinds[i]);
      g_autofree char *name = g_strdup_printf ("Read %s", kind ? kind->label : kinds[i]);
      g_autofree char *hint = NULL;
      LsnListOptions options = { 0 };
      g_autoptr(LsnRecord) first = NULL;
      gboolean ok;

      if (kind == NULL)
        {
          g_ptr_array_add (checks, lsn_check_new (name, FALSE, "HaloPSA has no such kind here", NULL));
          continue;
        }
      if (!authenticated)
        {
          g_ptr_array_add (checks, lsn_check_new (name, FALSE, "Not tried: not authenticated", NULL));
          continue;
        }

      options.page_size = 1;
      options.include_inactive = TRUE;
      ok = lsn_connector_list (connector, kind->kind, &options, take_first_record, &first,
                               cancellable, &error);
      if (!ok && g_error_matches (error, LSN_ERROR, LSN_ERROR_PERMISSION))
        hint = g_strdup_printf ("Give the API application the “%s” scope (or “all”) and its "
                                "agent access to %s", kind->scope, kind->label);
      else if (!ok && g_error_matches (error, LSN_ERROR, LSN_ERROR_AUTH))
        hint = g_strdup_printf ("HaloPSA answers 401 also when the API application's agent may "
                                "not use %s: check its permissions", kind->label);
      g_ptr_array_add (checks, lsn_check_new (name, ok, ok ? NULL : error->message, hint));
      g_clear_error (&error);
    }

  lsn_http_client_set_max_retries (http (self), DEFAULT_MAX_RETRIES);
  return checks;
}

static char *
lsn_halopsa_connector_record_url (LsnConnector *connector,
                                  const char   *kind,
                                  const char   *remote_id)
{
  LsnHalopsaConnector *self = LSN_HALOPSA_CONNECTOR (connector);

  if (kind == NULL || !check_remote_id (remote_id, NULL))
    return NULL;

  /* The agent web app's routes for these records. */
  if (g_str_equal (kind, LSN_KIND_CLIENT))
    return g_strdup_printf ("%s/customers?clientid=%s", self->url, remote_id);
  if (g_str_equal (kind, LSN_KIND_SITE))
    return g_strdup_printf ("%s/customers?siteid=%s", self->url, remote_id);
  if (g_str_equal (kind, LSN_KIND_CONTACT))
    return g_strdup_printf ("%s/customers?userid=%s", self->url, remote_id);
  if (g_str_equal (kind, LSN_KIND_OPPORTUNITY))
    return g_strdup_printf ("%s/tickets?id=%s", self->url, remote_id);
  return NULL;
}

static const char * const *
lsn_halopsa_connector_get_kinds (LsnConnector *connector)
{
  return lsn_halopsa_kinds ();
}

static void
lsn_halopsa_connector_class_init (LsnHalopsaConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LsnConnectorClass *connector_class = LSN_CONNECTOR_CLASS (klass);

  object_class->dispose = lsn_halopsa_connector_dispose;
  object_class->finalize = lsn_halopsa_connector_finalize;

  connector_class->get_kinds = lsn_halopsa_connector_get_kinds;
  connector_class->list = lsn_halopsa_connector_list;
  connector_class->get = lsn_halopsa_connector_get;
  connector_class->create = lsn_halopsa_connector_create;
  connector_class->update = lsn_halopsa_connector_update;
  connector_class->delete = lsn_halopsa_connector_delete;
  connector_class->list_reference = lsn_halopsa_connector_list_reference;
  connector_class->list_fields = lsn_halopsa_connector_list_fields;
  connector_class->test_connection = lsn_halopsa_connector_test_connection;
  connector_class->record_url = lsn_halopsa_connector_record_url;
}

static void
lsn_halopsa_connector_init (LsnHalopsaConnector *self)
{
  self->page_size = LSN_HALOPSA_DEFAULT_PAGE_SIZE;
}

static const char *
setting_string (JsonObject *settings,
                const char *name)
{
  JsonNode *node = json_object_get_member (settings, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
setting_uint (JsonObject  *object,
              const char  *name,
              const char  *label,
              guint        fallback,
              guint       *out,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0
      || json_node_get_int (node) > G_MAXINT32)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "%s must be a whole number", label);
      return FALSE;
    }
  *out = (guint) json_node_get_int (node);
  return TRUE;
}

static char *
setting_scopes (JsonObject *settings)
{
  JsonNode *node = json_object_get_member (settings, "scopes");

  if (node == NULL)
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          if (json_node_get_value_type (e) != G_TYPE_STRING)
            continue;
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, json_node_get_string (e));
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return NULL;
}

/**
 * lsn_halopsa_connector_new_from_settings:
 * @settings: one side of a profile file
 * @secret: (nullable): the API application's client secret
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * Makes no request: use lsn_connector_test_connection() to check the settings.
 *
 * Returns: (transfer full) (nullable): the connector
 */
LsnConnector *
lsn_halopsa_connector_new_from_settings (JsonObject  *settings,
                                         const char  *secret,
                                         GError     **error)
{
  g_autoptr(LsnHalopsaConnector) self = NULL;
  g_autoptr(LsnHttpClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree char *scopes = NULL;
  const char *auth_url;
  const char *client_id;
  guint requests = LSN_HALOPSA_DEFAULT_BUDGET_REQUESTS;
  guint seconds = LSN_HALOPSA_DEFAULT_BUDGET_SECONDS;
  guint page_size;
  JsonNode *budget;
  gsize len;

  g_return_val_if_fail (settings != NULL, NULL);

  url = g_strdup (setting_string (settings, "url"));
  if (url != NULL)
    {
      len = strlen (url);
      while (len > 0 && url[len - 1] == '/')
        url[--len] = '\0';
      if (len >= 4 && g_ascii_strcasecmp (url + len - 4, "/api") == 0)
        url[len - 4] = '\0';
    }
  if (!lsn_check_service_url (url, "The Resource server URL", error))
    return NULL;

  auth_url = setting_string (settings, "auth_url");
  if (auth_url != NULL && *auth_url != '\0'
      && !lsn_check_service_url (auth_url, "The Authorisation server URL", error))
    return NULL;

  client_id = setting_string (settings, "client_id");
  if (client_id == NULL || *client_id == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The Client ID is empty: copy it from the API application in Halo's "
                           "Configuration > Integrations > Halo API");
      return NULL;
    }

  budget = json_object_get_member (settings, "budget");
  if (budget != NULL && JSON_NODE_HOLDS_OBJECT (budget))
    {
      if (!setting_uint (json_node_get_object (budget), "requests", "The request budget",
                         LSN_HALOPSA_DEFAULT_BUDGET_REQUESTS, &requests, error)
          || !setting_uint (json_node_get_object (budget), "seconds", "The budget window",
                            LSN_HALOPSA_DEFAULT_BUDGET_SECONDS, &seconds, error))
        return NULL;
    }
  if (!setting_uint (settings, "page_size", "The page size", LSN_HALOPSA_DEFAULT_PAGE_SIZE,
                     &page_size, error))
    return NULL;

  if (!(client = lsn_http_client_new (url, error)))
    return NULL;
  lsn_http_client_set_budget (client, requests, seconds);
  lsn_http_client_set_max_retries (client, DEFAULT_MAX_RETRIES);
  lsn_http_client_set_error_func (client, lsn_halopsa_error_message, NULL);

  scopes = setting_scopes (settings);

  self = g_object_new (LSN_TYPE_HALOPSA_CONNECTOR, NULL);
  self->url = g_steal_pointer (&url);
  self->page_size = page_size > 0 ? page_size : LSN_HALOPSA_DEFAULT_PAGE_SIZE;
  self->auth = lsn_halopsa_auth_new (auth_url, setting_string (settings, "tenant"), client_id,
                                     secret, scopes);
  lsn_connector_set_http (LSN_CONNECTOR (self), client);
  lsn_halopsa_auth_attach (self->auth, client);

  return LSN_CONNECTOR (g_steal_pointer (&self));
}

/**
 * lsn_halopsa_connector_get_page_size:
 *
 * Returns: the default number of records asked for per page
 */
guint
lsn_halopsa_connector_get_page_size (LsnHalopsaConnector *self)
{
  g_return_val_if_fail (LSN_IS_HALOPSA_CONNECTOR (self), 0);
  return self->page_size;
}

/**
 * lsn_halopsa_connector_get_token_count:
 *
 * Returns: how many access tokens were fetched so far
 */
guint
lsn_halopsa_connector_get_token_count (LsnHalopsaConnector *self)
{
  g_return_val_if_fail (LSN_IS_HALOPSA_CONNECTOR (self), 0);
  return lsn_halopsa_auth_get_token_count (self->auth);
}
