/* lsn-feed-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-feed"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-util.h"
#include "lsn-feed-connector.h"

/* The billing-feed connector: a distributor's invoice export, read from a file or from an
 * https URL (http only on loopback), CSV or JSON (see lsn-feed-parser.c).
 *
 * Settings (one side of a profile file): "source" (a path, a file:// URI or an http(s) URL),
 * "distributor" (the name written in the distributor field of the licences this feed manages;
 * clean-up only ever deletes licences that carry it), "columns" {"customer", "customer_id",
 * "product_code", "product_name", "quantity", "unit_price", "billing_cycle"} (each value the
 * invoice's column name; defaults "Customer", "CustomerId", "ProductCode", "ProductName",
 * "Quantity", "UnitPrice", "BillingCycle"), "format" ("csv", "json" or "auto", the default).
 *
 * Kind: licence (read only), one record per invoice row: remote id "customer key|product code"
 * (the customer key is the distributor's customer id, or the name when the invoice has none),
 * fields customer, customer_id, product_code, product_name, quantity, price, billing_cycle,
 * line. A file with any problem is refused as a whole: lsn_feed_connector_read() hands the
 * problems over row by row, lsn_connector_list() fails with them.
 */

struct _LsnFeedConnector
{
  LsnConnector   parent_instance;

  char          *source;
  char          *path;           /* a local file, or NULL */
  char          *url_path;       /* path and query on the HTTP client's base URL */
  char          *distributor;
  LsnFeedParser *parser;
};

G_DEFINE_FINAL_TYPE (LsnFeedConnector, lsn_feed_connector, LSN_TYPE_CONNECTOR)

static void
lsn_feed_connector_finalize (GObject *object)
{
  LsnFeedConnector *self = (LsnFeedConnector *) object;

  g_free (self->source);
  g_free (self->path);
  g_free (self->url_path);
  g_free (self->distributor);
  g_clear_object (&self->parser);

  G_OBJECT_CLASS (lsn_feed_connector_parent_class)->finalize (object);
}

static const char * const *
lsn_feed_connector_get_kinds (LsnConnector *connector)
{
  static const char * const kinds[] = { LSN_KIND_LICENCE, NULL };
  return kinds;
}

static gboolean
check_kind (const char  *kind,
            GError     **error)
{
  if (g_strcmp0 (kind, LSN_KIND_LICENCE) == 0)
    return TRUE;
  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "A billing feed holds licences only, not “%s” records", kind ? kind : "");
  return FALSE;
}

static LsnRecord *
record_for_row (LsnFeedRow *row)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *key = lsn_feed_row_key (row);
  g_autofree char *name = g_strdup_printf ("%s: %s", row->customer, row->product_code);

  json_object_set_string_member (fields, "customer", row->customer);
  if (row->customer_id)
    json_object_set_string_member (fields, "customer_id", row->customer_id);
  json_object_set_string_member (fields, "product_code", row->product_code);
  if (row->product_name)
    json_object_set_string_member (fields, "product_name", row->product_name);
  json_object_set_int_member (fields, "quantity", row->quantity);
  if (row->has_price)
    json_object_set_double_member (fields, "price", row->unit_price);
  if (row->billing_cycle)
    json_object_set_string_member (fields, "billing_cycle", row->billing_cycle);
  json_object_set_int_member (fields, "line", row->line);

  return lsn_record_new (LSN_KIND_LICENCE, key, name, fields, row->quantity == 0, 0);
}

static gboolean
lsn_feed_connector_list (LsnConnector          *connector,
                         const char            *kind,
                         const LsnListOptions  *options,
                         LsnRecordFunc          func,
                         gpointer               user_data,
                         GCancellable          *cancellable,
                         GError               **error)
{
  LsnFeedConnector *self = LSN_FEED_CONNECTOR (connector);
  g_autoptr(LsnFeedResult) result = NULL;

  if (!check_kind (kind, error))
    return FALSE;
  if (!(result = lsn_feed_connector_read (self, cancellable, error)))
    return FALSE;

  if (result->issues->len > 0)
    {
      g_autofree char *summary = lsn_feed_result_summary (result, 5);

      g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION,
                   "The invoice %s has %u problem%s, so none of it is used: %s",
                   self->source, result->issues->len, result->issues->len == 1 ? "" : "s",
                   summary);
      return FALSE;
    }

  for (guint i = 0; i < result->rows->len; i++)
    {
      g_autoptr(LsnRecord) record = record_for_row (g_ptr_array_index (result->rows, i));

      if (options && options->name_contains && *options->name_contains
          && strstr (lsn_record_get_name (record), options->name_contains) == NULL)
        continue;
      if (!func (record, user_data))
        break;
    }
  return TRUE;
}

static GPtrArray *
lsn_feed_connector_test_connection (LsnConnector        *connector,
                                    const char * const  *kinds,
                                    GCancellable        *cancellable)
{
  LsnFeedConnector *self = LSN_FEED_CONNECTOR (connector);
  GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_check_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = lsn_feed_connector_fetch (self, cancellable, &error);
  g_autoptr(LsnFeedResult) result = NULL;
  g_autofree char *message = NULL;

  if (bytes == NULL)
    {
      g_ptr_array_add (checks, lsn_check_new ("Read the invoice", FALSE, error->message,
                                              self->path ? "Check the file's path and that "
                                                           "you may read it"
                                                         : "Check the address and that the "
                                                           "server is up"));
      return checks;
    }
  message = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes from %s", g_bytes_get_size (bytes),
                             self->source);
  g_ptr_array_add (checks, lsn_check_new ("Read the invoice", TRUE, message, NULL));

  result = lsn_feed_parser_parse (self->parser, g_bytes_get_data (bytes, NULL),
                                  g_bytes_get_size (bytes));
  g_clear_pointer (&message, g_free);
  if (result->issues->len > 0)
    {
      g_autofree char *summary = lsn_feed_result_summary (result, 5);

      message = g_strdup_printf ("%u problem%s: %s", result->issues->len,
                                 result->issues->len == 1 ? "" : "s", summary);
      g_ptr_array_add (checks, lsn_check_new ("Invoice rows", FALSE, message,
                                              "Fix the invoice or the column names of the "
                                              "profile; a file with problems is never applied"));
    }
  else
    {
      message = g_strdup_printf ("%u rows (%s)", result->rows->len, result->format);
      g_ptr_array_add (checks, lsn_check_new ("Invoice rows", TRUE, message, NULL));
    }
  return checks;
}

static void
lsn_feed_connector_class_init (LsnFeedConnectorClass *klass)
{
  LsnConnectorClass *connector_class = LSN_CONNECTOR_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lsn_feed_connector_finalize;

  connector_class->get_kinds = lsn_feed_connector_get_kinds;
  connector_class->list = lsn_feed_connector_list;
  connector_class->test_connection = lsn_feed_connector_test_connection;
}

static void
lsn_feed_connector_init (LsnFeedConnector *self)
{
  self->parser = lsn_feed_parser_new ();
}

static gboolean
set_url_source (LsnFeedConnector  *self,
                const char        *url,
                GError           **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(LsnHttpClient) http = NULL;
  g_autofree char *base = NULL;
  const char *path, *query;

  if (!lsn_check_service_url (url, "The invoice address", error))
    return FALSE;
  if (!(uri = g_uri_parse (url, G_URI_FLAGS_NONE, error)))
    return FALSE;

  base = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), "", NULL, NULL);
  path = g_uri_get_path (uri);
  query = g_uri_get_query (uri);
  self->url_path = g_strconcat (path && *path ? path : "/", query ? "?" : "", query ? query : "",
                                NULL);

  if (!(http = lsn_http_client_new (base, error)))
    return FALSE;
  lsn_connector_set_http (LSN_CONNECTOR (self), http);
  return TRUE;
}

/**
 * lsn_feed_connector_new_from_settings:
 * @settings: the feed side of a profile file
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * Returns: (transfer full) (nullable): the connector
 */
LsnConnector *
lsn_feed_connector_new_from_settings (JsonObject  *settings,
                                      GError     **error)
{
  g_autoptr(LsnFeedConnector) self = g_object_new (LSN_TYPE_FEED_CONNECTOR, NULL);
  const char *source = NULL, *distributor = NULL, *format = NULL;
  JsonNode *node;

  node = json_object_get_member (settings, "source");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    source = json_node_get_string (node);
  if (source == NULL || *source == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The feed connection has no \"source\": set it to the invoice file's "
                           "path or to its https address");
      return NULL;
    }

  node = json_object_get_member (settings, "distributor");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    distributor = json_node_get_string (node);
  {
    g_autofree char *trimmed = distributor ? g_strstrip (g_strdup (distributor)) : NULL;

    if (trimmed == NULL || *trimmed == '\0')
      {
        g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                             "The feed connection has no \"distributor\": set it to the name "
                             "written on the licences this invoice manages (for example "
                             "\"Converge\"); clean-up deletes only licences that carry it");
        return NULL;
      }
    self->distributor = g_steal_pointer (&trimmed);
  }

  node = json_object_get_member (settings, "columns");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                               "In the profile, the feed's \"columns\" must be an object such as "
                               "{\"customer\": \"Customer\", \"quantity\": \"Qty\"}");
          return NULL;
        }
      if (!lsn_feed_parser_set_columns (self->parser, json_node_get_object (node), error))
        return NULL;
    }

  node = json_object_get_member (settings, "format");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    format = json_node_get_string (node);
  if (format == NULL || g_ascii_strcasecmp (format, "auto") == 0)
    lsn_feed_parser_set_format (self->parser, LSN_FEED_FORMAT_AUTO);
  else if (g_ascii_strcasecmp (format, "csv") == 0)
    lsn_feed_parser_set_format (self->parser, LSN_FEED_FORMAT_CSV);
  else if (g_ascii_strcasecmp (format, "json") == 0)
    lsn_feed_parser_set_format (self->parser, LSN_FEED_FORMAT_JSON);
  else
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The feed's \"format\" “%s” is unknown: use \"csv\", \"json\" or \"auto\"",
                   format);
      return NULL;
    }

  self->source = g_strdup (source);
  if (g_str_has_prefix (source, "file:"))
    {
      self->path = g_filename_from_uri (source, NULL, error);
      if (self->path == NULL)
        return NULL;
    }
  else if (strstr (source, "://") != NULL)
    {
      if (!set_url_source (self, source, error))
        return NULL;
    }
  else
    self->path = g_strdup (source);

  return LSN_CONNECTOR (g_steal_pointer (&self));
}

const char *
lsn_feed_connector_get_source (LsnFeedConnector *self)
{
  g_return_val_if_fail (LSN_IS_FEED_CONNECTOR (self), NULL);
  return self->source;
}

/**
 * lsn_feed_connector_get_distributor:
 *
 * Returns: the name written in the distributor field of the licences this feed manages
 */
const char *
lsn_feed_connector_get_distributor (LsnFeedConnector *self)
{
  g_return_val_if_fail (LSN_IS_FEED_CONNECTOR (self), NULL);
  return self->distributor;
}

/**
 * lsn_feed_connector_get_parser:
 *
 * Returns: (transfer none): the parser, with the profile's columns
 */
LsnFeedParser *
lsn_feed_connector_get_parser (LsnFeedConnector *self)
{
  g_return_val_if_fail (LSN_IS_FEED_CONNECTOR (self), NULL);
  return self->parser;
}

/**
 * lsn_feed_connector_fetch:
 *
 * Reads the invoice as it is now. Blocks.
 *
 * Returns: (transfer full) (nullable): its bytes
 */
GBytes *
lsn_feed_connector_fetch (LsnFeedConnector  *self,
                          GCancellable      *cancellable,
                          GError           **error)
{
  g_return_val_if_fail (LSN_IS_FEED_CONNECTOR (self), NULL);

  if (self->path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->path);
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GError) local_error = NULL;
      char *contents = NULL;
      gsize length = 0;

      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                                cancellable, &local_error);
      if (info != NULL && g_file_info_get_size (info) > LSN_FEED_MAX_SIZE)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION,
                       "The invoice file “%s” is larger than %d MB: is it the right file?",
                       self->path, LSN_FEED_MAX_SIZE / (1024 * 1024));
          return NULL;
        }
      if (info == NULL
          || !g_file_load_contents (file, cancellable, &contents, &length, NULL, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, LSN_ERROR,
                         g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                           ? LSN_ERROR_NOT_FOUND : LSN_ERROR_FAILED,
                         "The invoice file “%s” cannot be read: %s", self->path,
                         local_error->message);
          return NULL;
        }
      return g_bytes_new_take (contents, length);
    }
  else
    {
      LsnHttpClient *http = lsn_connector_get_http (LSN_CONNECTOR (self));
      g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      g_autoptr(LsnHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;

      soup_message_headers_replace (headers, "Accept",
                                    "text/csv, application/json;q=0.9, */*;q=0.5");
      response = lsn_http_client_send (http, "GET", self->url_path, headers, NULL, NULL,
                                       cancellable, &local_error);
      if (response == NULL)
        {
          if (local_error->domain == LSN_ERROR)
            g_prefix_error (&local_error, "The invoice could not be downloaded: ");
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (response->body == NULL)
        return g_bytes_new (NULL, 0);
      if (g_bytes_get_size (response->body) > LSN_FEED_MAX_SIZE)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION,
                       "The invoice at %s is larger than %d MB: is it the right address?",
                       self->source, LSN_FEED_MAX_SIZE / (1024 * 1024));
          return NULL;
        }
      return g_bytes_ref (response->body);
    }
}

/**
 * lsn_feed_connector_read:
 *
 * Reads and parses the invoice. Problems in the file are not an error: they are in the result's
 * issues, line by line.
 *
 * Returns: (transfer full) (nullable): the rows and issues; %NULL when the invoice could not be
 *   read at all
 */
LsnFeedResult *
lsn_feed_connector_read (LsnFeedConnector  *self,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (LSN_IS_FEED_CONNECTOR (self), NULL);

  if (!(bytes = lsn_feed_connector_fetch (self, cancellable, error)))
    return NULL;
  return lsn_feed_parser_parse (self->parser, g_bytes_get_data (bytes, NULL),
                                g_bytes_get_size (bytes));
}
