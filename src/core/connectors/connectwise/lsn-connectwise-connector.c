/* lsn-connectwise-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connectwise"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-util.h"
#include "lsn-connectwise-connector.h"
#include "lsn-connectwise-mapping.h"
#include "lsn-connectwise-query.h"

/*
 * The ConnectWise Manage connector: HTTP Basic auth with "<company>+<public key>" and the private
 * key, a clientId header, the model version in Accept, the codebase looked up through
 * /login/companyinfo, list with conditions and both paging styles, a /count check after every
 * list, PATCH with only the changed fields. See reference/connectwise-api.md.
 */

/* A clock further off than this makes incremental pulls miss changes. */
#define MAX_CLOCK_SKEW_SECONDS 120
/* Upper bound of pages in one list, against a server that never stops paging. */
#define MAX_PAGES 100000
/* How many records list_fields reads to find the custom fields. */
#define CUSTOM_FIELD_SAMPLE 25
/* How often a GET whose reply is not JSON is sent before giving up. */
#define MALFORMED_ATTEMPTS 3

struct _LsnConnectwiseConnector
{
  LsnConnector          parent_instance;

  char                 *site_url;        /* scheme://host[:port] of the API */
  char                 *company;
  char                 *public_key;
  char                 *client_id;
  char                 *codebase;        /* "v2025_1/", NULL until looked up */
  char                 *api_version;
  char                 *accept;
  char                 *reference_field;
  char                 *authorization;   /* secret */
  LsnConnectwisePaging  paging;
  guint                 page_size;

  JsonObject           *company_info;    /* the last /login/companyinfo answer */
  GHashTable           *ref_cache;       /* reference kind -> GPtrArray of JsonObject */
  GHashTable           *learned;         /* reference kind -> GPtrArray of JsonObject seen in records */
  GHashTable           *learned_ids;     /* "<kind>:<id>" already in learned */
  GHashTable           *inactive_status_ids;
  GCancellable         *cancellable;     /* of the call in progress, for lookups */
};

G_DEFINE_FINAL_TYPE (LsnConnectwiseConnector, lsn_connectwise_connector, LSN_TYPE_CONNECTOR)

static void
lsn_connectwise_connector_finalize (GObject *object)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (object);

  g_free (self->site_url);
  g_free (self->company);
  g_free (self->public_key);
  g_free (self->client_id);
  g_free (self->codebase);
  g_free (self->api_version);
  g_free (self->accept);
  g_free (self->reference_field);
  if (self->authorization)
    memset (self->authorization, 0, strlen (self->authorization));
  g_free (self->authorization);
  g_clear_pointer (&self->company_info, json_object_unref);
  g_clear_pointer (&self->ref_cache, g_hash_table_unref);
  g_clear_pointer (&self->learned, g_hash_table_unref);
  g_clear_pointer (&self->learned_ids, g_hash_table_unref);
  g_clear_pointer (&self->inactive_status_ids, g_hash_table_unref);

  G_OBJECT_CLASS (lsn_connectwise_connector_parent_class)->finalize (object);
}

/* ---------------------------------------------------------------------------------------------
 * HTTP
 */

static gboolean
auth_func (LsnHttpClient  *client,
           SoupMessage    *msg,
           gboolean        force_renew,
           gpointer        user_data,
           GError        **error)
{
  LsnConnectwiseConnector *self = user_data;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  /* Basic auth has no token to renew: a 401 is sent once more as the client's contract asks,
   * and the second 401 carries the server's reason back to the person. */
  soup_message_headers_replace (headers, "Authorization", self->authorization);
  soup_message_headers_replace (headers, "clientId", self->client_id);
  soup_message_headers_replace (headers, "Accept", self->accept);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  return TRUE;
}

static char *
error_func (guint    status,
            GBytes  *body,
            gpointer user_data)
{
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  return lsn_connectwise_error_message (data, len);
}

static gboolean
ensure_codebase (LsnConnectwiseConnector  *self,
                 GCancellable             *cancellable,
                 GError                  **error);

/* Sends one request to apis/3.0 (@path starts below it, query included). */
static LsnHttpResponse *
api_send (LsnConnectwiseConnector  *self,
          const char               *method,
          const char               *path,
          JsonNode                 *body,
          SoupMessageHeaders       *extra_headers,
          GCancellable             *cancellable,
          GError                  **error)
{
  LsnHttpClient *http = lsn_connector_get_http (LSN_CONNECTOR (self));
  g_autofree char *full = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!ensure_codebase (self, cancellable, error))
    return NULL;

  full = g_strconcat ("/", self->codebase, "apis/3.0", path, NULL);

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      gsize len = 0;
      char *data;

      json_generator_set_root (gen, body);
      data = json_generator_to_data (gen, &len);
      bytes = g_bytes_new_take (data, len);
    }

  /* A PATCH of replace operations by id may be sent twice without harm. */
  return lsn_http_client_send_full (http, method, full,
                                    g_str_equal (method, "PATCH") ? LSN_HTTP_IDEMPOTENT : LSN_HTTP_FLAGS_NONE,
                                    extra_headers, body ? "application/json" : NULL, bytes,
                                    cancellable, error);
}

static JsonNode *
api_get_json (LsnConnectwiseConnector  *self,
              const char               *path,
              SoupMessageHeaders       *extra_headers,
              LsnHttpResponse         **response_out,
              GCancellable             *cancellable,
              GError                  **error)
{
  g_autofree char *summary = lsn_http_request_summary ("GET", path);

  /* A reply cut short or garbled on the way is read again, a bounded number of times: a GET
   * changes nothing. */
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(LsnHttpResponse) response = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonNode *root;

      response = api_send (self, "GET", path, NULL, extra_headers, cancellable, error);
      if (response == NULL)
        return NULL;

      root = lsn_http_response_parse_json (response, summary, &local_error);
      if (root != NULL)
        {
          if (response_out)
            *response_out = g_steal_pointer (&response);
          return root;
        }

      if (attempt >= MALFORMED_ATTEMPTS)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "After %u attempts: ", attempt);
          return NULL;
        }
      g_debug ("%s", local_error->message);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Codebase
 */

static gboolean
codebase_is_valid (const char *codebase)
{
  if (codebase == NULL || *codebase == '\0' || strlen (codebase) > 64)
    return FALSE;
  for (const char *p = codebase; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-' && *p != '/')
      return FALSE;
  return strstr (codebase, "..") == NULL && codebase[0] != '/';
}

static char *
normalize_codebase (const char *codebase)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (codebase));

  while (*trimmed == '/')
    memmove (trimmed, trimmed + 1, strlen (trimmed));
  if (!g_str_has_suffix (trimmed, "/"))
    return g_strconcat (trimmed, "/", NULL);
  return g_steal_pointer (&trimmed);
}

static JsonObject *
fetch_company_info (LsnConnectwiseConnector  *self,
                    LsnHttpResponse         **response_out,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  LsnHttpClient *http = lsn_connector_get_http (LSN_CONNECTOR (self));
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = g_uri_escape_string (self->company, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/login/companyinfo/", escaped, NULL);

  /* companyinfo needs no credentials: they are not sent where they are not needed */
  response = lsn_http_client_send_full (http, "GET", path, LSN_HTTP_NO_AUTH, NULL, NULL, NULL,
                                        cancellable, error);
  if (response == NULL)
    {
      g_prefix_error (error, "Could not look up the ConnectWise company “%s”: ", self->company);
      return NULL;
    }

  root = lsn_http_response_parse_json (response, "GET /login/companyinfo", error);
  if (root == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_NULL (root))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_AUTH,
                   "ConnectWise at %s does not know the company “%s” (companyinfo answered null): "
                   "check the company id, the one you type on the ConnectWise login page",
                   self->site_url, self->company);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise's companyinfo answer for “%s” is not a JSON object", self->company);
      return NULL;
    }

  if (response_out)
    *response_out = g_steal_pointer (&response);
  return json_object_ref (json_node_get_object (root));
}

static gboolean
ensure_codebase (LsnConnectwiseConnector  *self,
                 GCancellable             *cancellable,
                 GError                  **error)
{
  g_autoptr(JsonObject) info = NULL;
  const char *codebase;
  JsonNode *node;

  if (self->codebase != NULL)
    return TRUE;

  info = fetch_company_info (self, NULL, cancellable, error);
  if (info == NULL)
    return FALSE;

  node = json_object_get_member (info, "Codebase");
  codebase = node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node) : NULL;
  if (!codebase_is_valid (codebase))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise's companyinfo answer for “%s” has no usable Codebase%s%s%s: "
                   "enter the codebase in the connection settings (for example v4_6_release)",
                   self->company, codebase ? " (“" : "", codebase ? codebase : "", codebase ? "”)" : "");
      return FALSE;
    }

  self->codebase = normalize_codebase (codebase);
  g_clear_pointer (&self->company_info, json_object_unref);
  self->company_info = g_steal_pointer (&info);
  g_debug ("ConnectWise codebase of %s: %s", self->company, self->codebase);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * Paging
 */

typedef gboolean (*RawFunc) (JsonObject *raw,
                             gpointer    user_data,
                             GError    **error);

typedef struct
{
  const char *collection;  /* below apis/3.0 */
  const char *conditions;
  const char *fields;
  guint       page_size;
  gboolean    count_first;
  const char *what;        /* for messages: "companies" */
} ListRequest;

static gboolean
get_count (LsnConnectwiseConnector  *self,
           const char               *collection,
           const char               *conditions,
           gint64                   *count,
           GCancellable             *cancellable,
           GError                  **error)
{
  LsnConnectwiseQuery query = { .conditions = conditions };
  g_autofree char *base = g_strconcat (collection, "/count", NULL);
  g_autofree char *path = lsn_connectwise_build_path (base, &query);
  g_autoptr(JsonNode) root = NULL;
  JsonNode *node;

  root = api_get_json (self, path, NULL, NULL, cancellable, error);
  if (root == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || (node = json_object_get_member (json_node_get_object (root), "count")) == NULL
      || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise's answer to GET %s/count is not {\"count\": <number>}", collection);
      return FALSE;
    }

  *count = json_node_get_int (node);
  return TRUE;
}

static gboolean
list_pages (LsnConnectwiseConnector  *self,
            const ListRequest        *req,
            RawFunc                   func,
            gpointer                  user_data,
            GCancellable             *cancellable,
            GError                  **error)
{
  gboolean navigable = self->paging == LSN_CONNECTWISE_PAGING_NAVIGABLE;
  guint page_size = req->page_size ? MIN (req->page_size, LSN_CONNECTWISE_MAX_PAGE_SIZE) : self->page_size;
  gint64 count = -1;
  gint64 read = 0;
  gint64 page_id = 0;
  guint page = 1;
  gboolean first_forward = TRUE;

  if (req->count_first)
    {
      if (!get_count (self, req->collection, req->conditions, &count, cancellable, error))
        return FALSE;
      if (count == 0)
        return TRUE;
    }

  for (guint pages = 0; pages < MAX_PAGES; pages++)
    {
      LsnConnectwiseQuery query = {
        .conditions = req->conditions,
        .fields = req->fields,
        .page_size = page_size,
      };
      g_autoptr(SoupMessageHeaders) headers = NULL;
      g_autoptr(LsnHttpResponse) response = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *path = NULL;
      g_autofree char *next = NULL;
      const char *link;
      JsonArray *array;
      guint n;
      gint64 last_id = 0;

      if (navigable)
        {
          query.page = page;
          query.order_by = "id asc";
        }
      else
        {
          query.page_id = page_id;
          headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
          soup_message_headers_append (headers, "pagination-type", "forward-only");
        }

      path = lsn_connectwise_build_path (req->collection, &query);
      root = api_get_json (self, path, headers, &response, cancellable, error);
      if (root == NULL)
        return FALSE;

      if (!JSON_NODE_HOLDS_ARRAY (root))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                       "ConnectWise's answer to GET %s is not a JSON array", req->collection);
          return FALSE;
        }
      array = json_node_get_array (root);
      n = json_array_get_length (array);
      link = soup_message_headers_get_one (response->headers, "Link");

      if (!navigable && first_forward && link == NULL)
        {
          /* No Link header: the endpoint does not do forward-only paging. */
          first_forward = FALSE;
          if (n >= page_size)
            {
              g_debug ("GET %s: no forward-only paging, starting again with page numbers", req->collection);
              navigable = TRUE;
              page = 1;
              continue;
            }
        }
      first_forward = FALSE;

      for (guint i = 0; i < n; i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *raw;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "ConnectWise's answer to GET %s holds something that is not a record",
                           req->collection);
              return FALSE;
            }
          raw = json_node_get_object (node);
          if (json_object_has_member (raw, "id"))
            {
              JsonNode *id_node = json_object_get_member (raw, "id");
              if (JSON_NODE_HOLDS_VALUE (id_node) && json_node_get_value_type (id_node) == G_TYPE_INT64)
                last_id = MAX (last_id, json_node_get_int (id_node));
            }
          if (!func (raw, user_data, error))
            return error == NULL || *error == NULL;
        }

      read += n;

      if (count >= 0 && read >= count)
        break;
      if (n == 0)
        break;

      next = lsn_connectwise_link_find (link, "next");
      if (link != NULL && next == NULL)
        break;
      if (link == NULL && n < page_size)
        break;

      if (navigable)
        page++;
      else
        {
          g_autofree char *next_page_id = lsn_connectwise_url_get_param (next, "pageId");
          g_autofree char *next_page = lsn_connectwise_url_get_param (next, "page");
          gint64 new_id = 0;

          if (next_page_id == NULL && next_page != NULL)
            {
              /* the server pages by number after all */
              guint64 number = g_ascii_strtoull (next_page, NULL, 10);
              if (number <= page)
                {
                  g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                               "ConnectWise's Link header for GET %s does not move forward", req->collection);
                  return FALSE;
                }
              navigable = TRUE;
              page = number;
              continue;
            }

          if (next_page_id == NULL || !lsn_connectwise_parse_id (next_page_id, &new_id))
            new_id = last_id;
          if (new_id <= page_id)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                           "ConnectWise's Link header for GET %s does not move forward (pageId %"
                           G_GINT64_FORMAT ")", req->collection, new_id);
              return FALSE;
            }
          page_id = new_id;
        }
    }

  if (count >= 0 && read < count)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INCOMPLETE,
                   "Read %" G_GINT64_FORMAT " %s from ConnectWise but its /count reported %" G_GINT64_FORMAT
                   ": records were deleted while listing, or the server's paging skipped some; run the "
                   "sync again", read, req->what, count);
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * Reference lookups
 */

static gboolean
collect_raw (JsonObject *raw,
             gpointer    user_data,
             GError    **error)
{
  g_ptr_array_add (user_data, json_object_ref (raw));
  return TRUE;
}

/* @count_first: whether to check the list against /count; lookups for writing skip it (a
 * reference list fits in one page, and a short page with no next link is the whole list). */
static GPtrArray *
fetch_reference (LsnConnectwiseConnector  *self,
                 const char               *kind,
                 gboolean                  count_first,
                 GCancellable             *cancellable,
                 GError                  **error)
{
  const LsnConnectwiseKindInfo *info = lsn_connectwise_kind_info (kind);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  ListRequest req = {
    .collection = info->path,
    .count_first = count_first,
    .what = kind,
  };

  if (!list_pages (self, &req, collect_raw, items, cancellable, error))
    return NULL;

  g_hash_table_replace (self->ref_cache, g_strdup (info->kind), g_ptr_array_ref (items));

  if (g_str_equal (info->kind, LSN_CONNECTWISE_REF_COMPANY_STATUS))
    {
      g_hash_table_remove_all (self->inactive_status_ids);
      for (guint i = 0; i < items->len; i++)
        {
          JsonObject *status = g_ptr_array_index (items, i);
          JsonNode *flag = json_object_get_member (status, "inactiveFlag");
          gint64 id = json_object_get_int_member_with_default (status, "id", 0);

          if (flag && JSON_NODE_HOLDS_VALUE (flag) && json_node_get_value_type (flag) == G_TYPE_BOOLEAN
              && json_node_get_boolean (flag) && id > 0)
            g_hash_table_add (self->inactive_status_ids, GINT_TO_POINTER ((int) id));
        }
    }

  return g_steal_pointer (&items);
}

static GPtrArray *
cached_reference (LsnConnectwiseConnector  *self,
                  const char               *kind,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  GPtrArray *items = g_hash_table_lookup (self->ref_cache, kind);

  if (items != NULL)
    return g_ptr_array_ref (items);
  return fetch_reference (self, kind, FALSE, cancellable, error);
}

static const char *
raw_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
raw_flag (JsonObject *obj,
          const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN
         && json_node_get_boolean (node);
}

static gboolean
text_matches (JsonObject *obj,
              const char *member,
              const char *value)
{
  const char *text = raw_string (obj, member);

  return text != NULL && g_utf8_collate (text, value) == 0
         ? TRUE
         : text != NULL && g_ascii_strcasecmp (text, value) == 0;
}

static gboolean
is_mobile_type (JsonObject *type)
{
  g_autofree char *lower = NULL;
  const char *description = raw_string (type, "description");

  if (description == NULL)
    description = raw_string (type, "name");
  if (description == NULL)
    return FALSE;
  lower = g_ascii_strdown (description, -1);
  return strstr (lower, "mobile") != NULL || strstr (lower, "cell") != NULL;
}

static JsonObject *
pick_reference (const char *what,
                const char *value,
                GPtrArray  *items)
{
  JsonObject *fallback = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      JsonObject *item = g_ptr_array_index (items, i);

      if (g_str_equal (what, LSN_CONNECTWISE_REF_COMPANY_STATUS))
        {
          gboolean inactive = raw_flag (item, "inactiveFlag");

          if (g_str_equal (value, "inactive"))
            {
              if (!inactive)
                continue;
              if (text_matches (item, "name", "Inactive"))
                return item;
            }
          else
            {
              if (inactive)
                continue;
              if (raw_flag (item, "defaultFlag"))
                return item;
            }
          if (fallback == NULL || text_matches (item, "name", value))
            fallback = item;
        }
      else if (g_str_equal (what, LSN_CONNECTWISE_REF_COMMUNICATION_TYPE))
        {
          if (g_str_equal (value, "email"))
            {
              if (!raw_flag (item, "emailFlag") && !text_matches (item, "description", "Email"))
                continue;
              if (text_matches (item, "description", "Email"))
                return item;
              if (fallback == NULL || raw_flag (item, "defaultFlag"))
                fallback = item;
            }
          else if (g_str_equal (value, "mobile"))
            {
              if (is_mobile_type (item))
                return item;
            }
          else
            {
              if (is_mobile_type (item) || (!raw_flag (item, "phoneFlag") && !text_matches (item, "description", "Direct")))
                continue;
              if (text_matches (item, "description", "Direct"))
                return item;
              if (fallback == NULL || raw_flag (item, "defaultFlag"))
                fallback = item;
            }
        }
      else if (g_str_equal (what, LSN_CONNECTWISE_REF_COUNTRY))
        {
          if (text_matches (item, "name", value) || text_matches (item, "countryCode", value)
              || text_matches (item, "identifier", value))
            return item;
        }
      else if (g_str_equal (what, LSN_CONNECTWISE_REF_STATE))
        {
          if (text_matches (item, "identifier", value) || text_matches (item, "name", value))
            return item;
        }
      else
        {
          if (text_matches (item, "name", value) || text_matches (item, "description", value)
              || text_matches (item, "identifier", value))
            return item;
        }
    }

  return fallback;
}

static const char *
lookup_hint (const char *what)
{
  if (g_str_equal (what, LSN_CONNECTWISE_REF_COUNTRY))
    return "add it in ConnectWise (System › Setup Tables › Country) or map the value to a country ConnectWise has";
  if (g_str_equal (what, LSN_CONNECTWISE_REF_STATE))
    return "add it in ConnectWise (System › Setup Tables › State) or map the value";
  if (g_str_equal (what, LSN_CONNECTWISE_REF_COMPANY_STATUS))
    return "add a company status with that meaning in ConnectWise (System › Setup Tables › Company Status)";
  if (g_str_equal (what, LSN_CONNECTWISE_REF_COMMUNICATION_TYPE))
    return "add a communication type for it in ConnectWise (System › Setup Tables › Communication Types)";
  return "check the value mapping";
}

/* References seen in records (countries, states, communication types): ConnectWise's own ids,
 * so a value can be written back without a lookup request. */
static void
learn (LsnConnectwiseConnector *self,
       const char              *what,
       JsonObject              *ref,
       const char              *communication_type)
{
  JsonNode *id_node = json_object_get_member (ref, "id");
  g_autofree char *key = NULL;
  GPtrArray *items;
  JsonObject *copy;

  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_INT64)
    return;
  key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, what, json_node_get_int (id_node));
  if (g_hash_table_contains (self->learned_ids, key))
    return;
  g_hash_table_add (self->learned_ids, g_steal_pointer (&key));

  items = g_hash_table_lookup (self->learned, what);
  if (items == NULL)
    {
      items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_hash_table_insert (self->learned, g_strdup (what), items);
    }

  copy = json_object_new ();
  json_object_set_int_member (copy, "id", json_node_get_int (id_node));
  if (raw_string (ref, "name"))
    {
      json_object_set_string_member (copy, "name", raw_string (ref, "name"));
      json_object_set_string_member (copy, "description", raw_string (ref, "name"));
    }
  if (raw_string (ref, "identifier"))
    json_object_set_string_member (copy, "identifier", raw_string (ref, "identifier"));
  if (communication_type)
    {
      json_object_set_boolean_member (copy, "emailFlag", g_str_equal (communication_type, "Email"));
      json_object_set_boolean_member (copy, "phoneFlag", g_str_equal (communication_type, "Phone"));
    }
  g_ptr_array_add (items, copy);
}

static JsonObject *
member_object (JsonObject *obj,
               const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
harvest (LsnConnectwiseConnector *self,
         const char              *kind,
         JsonObject              *raw)
{
  JsonObject *ref;
  JsonNode *items;

  if ((ref = member_object (raw, "country")) != NULL)
    learn (self, LSN_CONNECTWISE_REF_COUNTRY, ref, NULL);
  if ((ref = member_object (raw, "stateReference")) != NULL)
    learn (self, LSN_CONNECTWISE_REF_STATE, ref, NULL);

  items = json_object_get_member (raw, "communicationItems");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *ct = item ? raw_string (item, "communicationType") : NULL;

          if (item && ct && (ref = member_object (item, "type")) != NULL)
            learn (self, LSN_CONNECTWISE_REF_COMMUNICATION_TYPE, ref, ct);
        }
    }
}

static gboolean
looks_like_code (const char *value,
                 gsize       max)
{
  gsize len = strlen (value);

  if (len == 0 || len > max)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static JsonNode *
ref_object_node (const char *key,
                 gint64      id,
                 const char *text)
{
  g_autoptr(JsonObject) ref = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (text)
    json_object_set_string_member (ref, key, text);
  else
    json_object_set_int_member (ref, key, id);
  json_node_set_object (node, ref);
  return node;
}

static JsonNode *
resolve_func (const char  *what,
              const char  *value,
              gpointer     user_data,
              GError     **error)
{
  LsnConnectwiseConnector *self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *learned = g_hash_table_lookup (self->learned, what);
  JsonObject *item = NULL;
  gint64 id;

  if (lsn_connectwise_kind_info (what) == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT, "Unknown ConnectWise list “%s”", what);
      return NULL;
    }

  /* 1. what the server's own records already showed */
  if (learned != NULL)
    item = pick_reference (what, value, learned);

  /* 2. a code: the reference says {"identifier": ...} suffices on write */
  if (item == NULL && g_str_equal (what, LSN_CONNECTWISE_REF_COUNTRY) && looks_like_code (value, 2))
    return ref_object_node ("identifier", 0, value);
  if (item == NULL && g_str_equal (what, LSN_CONNECTWISE_REF_STATE) && looks_like_code (value, 3))
    return ref_object_node ("identifier", 0, value);

  /* 3. the list itself */
  if (item == NULL)
    {
      items = cached_reference (self, what, self->cancellable, &local_error);
      if (items == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Could not look up the ConnectWise %s “%s”: ", what, value);
          return NULL;
        }
      item = pick_reference (what, value, items);
    }

  if (item == NULL || (id = json_object_get_int_member_with_default (item, "id", 0)) <= 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_VALIDATION,
                   "ConnectWise has no %s “%s”: %s", what, value, lookup_hint (what));
      return NULL;
    }

  /* The id is what counts; the name goes along as in every reference ConnectWise sends. */
  {
    JsonNode *node = ref_object_node ("id", id, NULL);
    const char *name = raw_string (item, "name") ? raw_string (item, "name") : raw_string (item, "description");

    if (name != NULL)
      json_object_set_string_member (json_node_get_object (node), "name", name);
    return node;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Paths
 */

static const LsnConnectwiseKindInfo *
kind_or_error (const char  *kind,
               GError     **error)
{
  const LsnConnectwiseKindInfo *info = lsn_connectwise_kind_info (kind);

  if (info == NULL)
    g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                 "ConnectWise Manage has no kind “%s”", kind ? kind : "(none)");
  return info;
}

static char *
collection_path (const LsnConnectwiseKindInfo *info,
                 gint64                        parent_id)
{
  g_autofree char *parent = g_strdup_printf ("%" G_GINT64_FORMAT, parent_id);
  g_auto(GStrv) parts = NULL;

  if (info->parent_kind == NULL)
    return g_strdup (info->path);
  parts = g_strsplit (info->path, "{parent}", 2);
  return g_strjoinv (parent, parts);
}

/* The path of one record from its remote id ("<id>" or "<parent>/<id>"). */
static char *
record_path (const LsnConnectwiseKindInfo  *info,
             const char                    *remote_id,
             char                         **parent_out,
             GError                       **error)
{
  gint64 parent_id = 0, id = 0;
  g_autofree char *collection = NULL;

  if (info->parent_kind != NULL)
    {
      if (!lsn_connectwise_split_child_id (remote_id, &parent_id, &id))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "“%s” is not the id of a ConnectWise %s: it must look like <%s id>/<id>",
                       remote_id ? remote_id : "", info->kind,
                       g_str_equal (info->parent_kind, LSN_KIND_CLIENT) ? "company" : "agreement");
          return NULL;
        }
      if (parent_out)
        *parent_out = g_strdup_printf ("%" G_GINT64_FORMAT, parent_id);
    }
  else if (!lsn_connectwise_parse_id (remote_id, &id))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "“%s” is not the id of a ConnectWise %s", remote_id ? remote_id : "", info->kind);
      return NULL;
    }

  collection = collection_path (info, parent_id);
  return g_strdup_printf ("%s/%" G_GINT64_FORMAT, collection, id);
}

static const char *
plural (const char *kind)
{
  if (g_str_equal (kind, LSN_KIND_CLIENT))
    return "companies";
  if (g_str_equal (kind, LSN_KIND_SITE))
    return "sites";
  if (g_str_equal (kind, LSN_KIND_CONTACT))
    return "contacts";
  if (g_str_equal (kind, LSN_KIND_OPPORTUNITY))
    return "opportunities";
  if (g_str_equal (kind, LSN_KIND_PRODUCT))
    return "catalog items";
  if (g_str_equal (kind, LSN_KIND_ADDITION))
    return "agreement additions";
  return kind;
}

/* ---------------------------------------------------------------------------------------------
 * Listing
 */

typedef struct
{
  LsnConnectwiseConnector   *self;
  const char                *kind;
  LsnConnectwiseReadContext  ctx;
  gboolean                   include_inactive;
  LsnRecordFunc              func;
  gpointer                   user_data;
  gboolean                   stopped;
} ListClosure;

static gboolean
deliver_raw (JsonObject *raw,
             gpointer    user_data,
             GError    **error)
{
  ListClosure *closure = user_data;
  g_autoptr(LsnRecord) record = NULL;

  harvest (closure->self, closure->kind, raw);
  record = lsn_connectwise_normalize (closure->kind, raw, &closure->ctx, error);
  if (record == NULL)
    return FALSE;

  if (!closure->include_inactive && lsn_record_get_inactive (record))
    return TRUE;

  if (!closure->func (record, closure->user_data))
    {
      closure->stopped = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_context_prepare (LsnConnectwiseConnector    *self,
                      const char                 *kind,
                      LsnConnectwiseReadContext  *ctx,
                      GCancellable               *cancellable,
                      GError                    **error)
{
  ctx->reference_field = self->reference_field;
  ctx->inactive_status_ids = self->inactive_status_ids;
  ctx->now_usec = g_get_real_time ();

  if (g_str_equal (kind, LSN_KIND_CLIENT))
    {
      g_autoptr(GPtrArray) statuses = cached_reference (self, LSN_CONNECTWISE_REF_COMPANY_STATUS,
                                                        cancellable, error);
      if (statuses == NULL)
        {
          /* credentials, network and the like are not about the statuses: say them as they are */
          if (error && *error && ((*error)->code == LSN_ERROR_MALFORMED || (*error)->code == LSN_ERROR_NOT_FOUND
                                  || (*error)->code == LSN_ERROR_INCOMPLETE))
            g_prefix_error (error, "Could not read the company statuses (they say which companies are inactive): ");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
list_children_of (LsnConnectwiseConnector  *self,
                  ListClosure              *closure,
                  const LsnConnectwiseKindInfo *info,
                  gint64                    parent_id,
                  const char               *conditions,
                  guint                     page_size,
                  gboolean                  count_first,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  g_autofree char *collection = collection_path (info, parent_id);
  g_autofree char *parent_text = g_strdup_printf ("%" G_GINT64_FORMAT, parent_id);
  ListRequest req = {
    .collection = collection,
    .conditions = conditions,
    .page_size = page_size,
    .count_first = count_first,
    .what = plural (info->kind),
  };
  g_autoptr(GError) local_error = NULL;

  closure->ctx.parent_id = parent_text;
  if (!list_pages (self, &req, deliver_raw, closure, cancellable, &local_error))
    {
      closure->ctx.parent_id = NULL;
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  closure->ctx.parent_id = NULL;
  return TRUE;
}

static gboolean
collect_id (JsonObject *raw,
            gpointer    user_data,
            GError    **error)
{
  JsonNode *node = json_object_get_member (raw, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_MALFORMED, "ConnectWise sent a record without an id");
      return FALSE;
    }
  {
    gint64 id = json_node_get_int (node);
    g_array_append_val ((GArray *) user_data, id);
  }
  return TRUE;
}

static gboolean
list_internal (LsnConnectwiseConnector  *self,
               const char               *kind,
               const char               *parent_id,
               const char               *conditions,
               gboolean                  include_inactive,
               guint                     page_size,
               LsnRecordFunc             func,
               gpointer                  user_data,
               GCancellable             *cancellable,
               GError                  **error)
{
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);
  ListClosure closure = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (info == NULL)
    return FALSE;

  closure.self = self;
  closure.kind = info->kind;
  closure.include_inactive = include_inactive;
  closure.func = func;
  closure.user_data = user_data;

  if (!read_context_prepare (self, info->kind, &closure.ctx, cancellable, error))
    return FALSE;

  if (info->parent_kind != NULL)
    {
      gint64 parent = 0;
      const LsnConnectwiseKindInfo *parent_info;
      g_autoptr(GArray) parents = NULL;
      ListRequest parent_req = { 0 };

      if (parent_id != NULL)
        {
          if (!lsn_connectwise_parse_id (parent_id, &parent))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "“%s” is not the id of a ConnectWise %s", parent_id, info->parent_kind);
              return FALSE;
            }
          ok = list_children_of (self, &closure, info, parent, conditions, page_size, TRUE,
                                 cancellable, error);
          if (!ok)
            g_prefix_error (error, "Could not list ConnectWise %s: ", plural (info->kind));
          return ok;
        }

      /* Every parent in turn: ConnectWise has no list of all sites or all additions. */
      parent_info = lsn_connectwise_kind_info (info->parent_kind);
      parents = g_array_new (FALSE, FALSE, sizeof (gint64));
      parent_req.collection = parent_info->path;
      parent_req.fields = "id";
      parent_req.count_first = TRUE;
      parent_req.what = plural (parent_info->kind);
      if (!list_pages (self, &parent_req, collect_id, parents, cancellable, error))
        {
          g_prefix_error (error, "Could not list ConnectWise %s: ", plural (info->kind));
          return FALSE;
        }

      for (guint i = 0; i < parents->len && !closure.stopped; i++)
        {
          /* Per parent, the /count costs a request each; it is asked only when a parent has more
           * than one page (see list_pages: without count_first a short page ends the list). */
          if (!list_children_of (self, &closure, info, g_array_index (parents, gint64, i), conditions,
                                 page_size, FALSE, cancellable, error))
            {
              g_prefix_error (error, "Could not list ConnectWise %s: ", plural (info->kind));
              return FALSE;
            }
        }
      return TRUE;
    }

  {
    ListRequest req = {
      .collection = info->path,
      .conditions = conditions,
      .page_size = page_size,
      .count_first = TRUE,
      .what = plural (info->kind),
    };

    ok = list_pages (self, &req, deliver_raw, &closure, cancellable, &local_error);
    if (!ok && local_error != NULL)
      {
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    "Could not list ConnectWise %s: ", plural (info->kind));
        return FALSE;
      }
  }
  return TRUE;
}

static char *
list_conditions (const LsnConnectwiseKindInfo *info,
                 const LsnListOptions         *options,
                 GError                      **error)
{
  g_autoptr(GString) conditions = g_string_new (NULL);

  if (options->since_usec > 0)
    lsn_connectwise_conditions_add_datetime (conditions, "lastUpdated", ">=", options->since_usec);

  if (!options->include_inactive && info->inactive_member != NULL)
    lsn_connectwise_conditions_add_bool (conditions, info->inactive_member, FALSE);

  if (options->name_contains != NULL && *options->name_contains != '\0')
    {
      if (g_str_equal (info->kind, LSN_KIND_CONTACT))
        {
          g_autoptr(GString) group = g_string_new (NULL);
          g_autofree char *quoted = lsn_connectwise_quote_string (options->name_contains);

          g_string_append_printf (group, "firstName contains %s or lastName contains %s", quoted, quoted);
          lsn_connectwise_conditions_add_group (conditions, group->str);
        }
      else
        lsn_connectwise_conditions_add_string (conditions, info->name_member, "contains",
                                               options->name_contains);
    }

  if (options->parent_id != NULL && info->parent_kind == NULL)
    {
      gint64 parent;

      if (!g_str_equal (info->kind, LSN_KIND_CONTACT) && !g_str_equal (info->kind, LSN_KIND_OPPORTUNITY))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "ConnectWise %s have no parent to filter on", plural (info->kind));
          return NULL;
        }
      if (!lsn_connectwise_parse_id (options->parent_id, &parent))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "“%s” is not the id of a ConnectWise company", options->parent_id);
          return NULL;
        }
      lsn_connectwise_conditions_add_int (conditions, "company/id", "=", parent);
    }

  return g_string_free (g_steal_pointer (&conditions), FALSE);
}

static gboolean
lsn_connectwise_connector_list (LsnConnector          *connector,
                                const char            *kind,
                                const LsnListOptions  *options,
                                LsnRecordFunc          func,
                                gpointer               user_data,
                                GCancellable          *cancellable,
                                GError               **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);
  g_autofree char *conditions = NULL;
  gboolean include_inactive;

  if (info == NULL)
    return FALSE;

  include_inactive = options->include_inactive || info->reference;
  {
    LsnListOptions effective = *options;
    effective.include_inactive = include_inactive;
    conditions = list_conditions (info, &effective, error);
  }
  if (conditions == NULL)
    return FALSE;

  self->cancellable = cancellable;
  {
    gboolean ok = list_internal (self, info->kind, info->parent_kind ? options->parent_id : NULL,
                                 conditions, include_inactive, options->page_size,
                                 func, user_data, cancellable, error);
    self->cancellable = NULL;
    return ok;
  }
}

/**
 * lsn_connectwise_connector_list_where:
 * @self: the connector
 * @kind: a kind
 * @parent_id: (nullable): the parent of a site or an addition
 * @conditions: (nullable): a `conditions` text as ConnectWise's grammar has it, sent as it is
 * @page_size: 0 for the default
 * @func: called for each record
 * @user_data: closure
 * @cancellable: (nullable): a cancellable
 * @error: return location
 *
 * Lists with conditions of the caller's own (inactive records included), with the same paging
 * and /count check as lsn_connector_list().
 *
 * Returns: %TRUE when everything was listed (or @func stopped it)
 */
gboolean
lsn_connectwise_connector_list_where (LsnConnectwiseConnector  *self,
                                      const char               *kind,
                                      const char               *parent_id,
                                      const char               *conditions,
                                      guint                     page_size,
                                      LsnRecordFunc             func,
                                      gpointer                  user_data,
                                      GCancellable             *cancellable,
                                      GError                  **error)
{
  gboolean ok;

  g_return_val_if_fail (LSN_IS_CONNECTWISE_CONNECTOR (self), FALSE);

  self->cancellable = cancellable;
  ok = list_internal (self, kind, parent_id, conditions, TRUE, page_size, func, user_data,
                      cancellable, error);
  self->cancellable = NULL;
  return ok;
}

/**
 * lsn_connectwise_connector_count_where:
 * @self: the connector
 * @kind: a kind
 * @parent_id: (nullable): the parent of a site or an addition (required for those)
 * @conditions: (nullable): a `conditions` text, sent as it is
 * @cancellable: (nullable): a cancellable
 * @error: return location
 *
 * Returns: what `/count` answers, or -1 with @error set
 */
gint64
lsn_connectwise_connector_count_where (LsnConnectwiseConnector  *self,
                                       const char               *kind,
                                       const char               *parent_id,
                                       const char               *conditions,
                                       GCancellable             *cancellable,
                                       GError                  **error)
{
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);
  g_autofree char *collection = NULL;
  gint64 parent = 0;
  gint64 count = 0;

  if (info == NULL)
    return -1;
  if (info->parent_kind != NULL && !lsn_connectwise_parse_id (parent_id, &parent))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Counting ConnectWise %s needs the id of their %s", plural (info->kind), info->parent_kind);
      return -1;
    }

  collection = collection_path (info, parent);
  if (!get_count (self, collection, conditions, &count, cancellable, error))
    return -1;
  return count;
}

/* ---------------------------------------------------------------------------------------------
 * Single records
 */

static LsnRecord *
normalize_root (LsnConnectwiseConnector  *self,
                const char               *kind,
                JsonNode                 *root,
                const char               *summary,
                const char               *parent_id,
                GCancellable             *cancellable,
                GError                  **error)
{
  LsnConnectwiseReadContext ctx = { 0 };

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise's answer to %s is not a JSON object", summary);
      return NULL;
    }

  if (!read_context_prepare (self, kind, &ctx, cancellable, error))
    return NULL;
  ctx.parent_id = parent_id;
  harvest (self, kind, json_node_get_object (root));
  return lsn_connectwise_normalize (kind, json_node_get_object (root), &ctx, error);
}

static LsnRecord *
get_record (LsnConnectwiseConnector  *self,
            const LsnConnectwiseKindInfo *info,
            const char               *remote_id,
            GCancellable             *cancellable,
            GError                  **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *path = record_path (info, remote_id, &parent, error);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *summary = NULL;

  if (path == NULL)
    return NULL;

  root = api_get_json (self, path, NULL, NULL, cancellable, error);
  if (root == NULL)
    {
      g_prefix_error (error, "Could not read ConnectWise %s %s: ", info->kind, remote_id);
      return NULL;
    }

  summary = lsn_http_request_summary ("GET", path);
  return normalize_root (self, info->kind, root, summary, parent, cancellable, error);
}

static LsnRecord *
lsn_connectwise_connector_get (LsnConnector  *connector,
                               const char    *kind,
                               const char    *remote_id,
                               GCancellable  *cancellable,
                               GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);
  LsnRecord *record;

  if (info == NULL)
    return NULL;

  self->cancellable = cancellable;
  record = get_record (self, info, remote_id, cancellable, error);
  self->cancellable = NULL;
  return record;
}

static const LsnConnectwiseKindInfo *
writable_or_error (const char  *kind,
                   const char  *what,
                   GError     **error)
{
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);

  if (info != NULL && !info->writable)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Liaison does not %s ConnectWise %s", what, plural (info->kind));
      return NULL;
    }
  return info;
}

static LsnRecord *
lsn_connectwise_connector_create (LsnConnector  *connector,
                                  const char    *kind,
                                  JsonObject    *fields,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = writable_or_error (kind, "create", error);
  LsnConnectwiseWriteContext wctx = { self->reference_field, resolve_func, self };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) body_node = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autofree char *collection = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *parent_text = NULL;
  gint64 parent = 0;
  LsnRecord *record = NULL;

  if (info == NULL)
    return NULL;

  self->cancellable = cancellable;
  body = lsn_connectwise_build_create (info->kind, fields, &wctx, &parent, error);
  if (body == NULL)
    {
      self->cancellable = NULL;
      return NULL;
    }

  collection = collection_path (info, parent);
  body_node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (body_node, body);

  response = api_send (self, "POST", collection, body_node, NULL, cancellable, error);

  /* The company identifier is required and unique. When we made it up from the name and
   * another company holds it already (two companies with one name, or names that only differ
   * in punctuation), try the next free variant rather than fail. */
  for (guint attempt = 2;
       response == NULL && attempt <= 9 && g_str_equal (info->kind, LSN_KIND_CLIENT)
       && !json_object_has_member (fields, "identifier")
       && g_error_matches (*error, LSN_ERROR, LSN_ERROR_VALIDATION)
       && strstr ((*error)->message, "identifier") != NULL
       && strstr ((*error)->message, "ObjectExists") != NULL;
       attempt++)
    {
      g_autofree char *base = g_strndup (json_object_get_string_member_with_default (body, "identifier", ""), 28);
      g_autofree char *next = NULL;

      if (attempt > 2 && strlen (base) > 0)
        base[strlen (base) - 1] = '\0'; /* drop the previous digit */
      next = g_strdup_printf ("%s%u", base, attempt);
      json_object_set_string_member (body, "identifier", next);
      g_clear_error (error);
      response = api_send (self, "POST", collection, body_node, NULL, cancellable, error);
    }

  if (response == NULL)
    g_prefix_error (error, "Could not create a ConnectWise %s: ", info->kind);
  else
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) local_error = NULL;

      summary = lsn_http_request_summary ("POST", collection);
      root = lsn_http_response_parse_json (response, summary, &local_error);
      if (root == NULL)
        {
          /* It was created, but which record it is cannot be told */
          g_set_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN,
                       "ConnectWise accepted the new %s but its answer could not be read (%s): "
                       "look for the record before creating it again", info->kind, local_error->message);
        }
      else
        {
          if (parent > 0)
            parent_text = g_strdup_printf ("%" G_GINT64_FORMAT, parent);
          record = normalize_root (self, info->kind, root, summary, parent_text, cancellable, error);
        }
    }

  self->cancellable = NULL;
  return record;
}

static LsnRecord *
update_record (LsnConnectwiseConnector      *self,
               const LsnConnectwiseKindInfo *info,
               const char                   *remote_id,
               JsonObject                   *changed_fields,
               GCancellable                 *cancellable,
               GError                      **error)
{
  LsnConnectwiseWriteContext wctx = { self->reference_field, resolve_func, self };
  g_autofree char *parent = NULL;
  g_autofree char *path = record_path (info, remote_id, &parent, error);
  g_autoptr(JsonObject) changed = json_object_new ();
  g_autoptr(JsonArray) ops = NULL;
  g_autoptr(JsonNode) current = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(GList) members = NULL;
  g_autofree char *summary = NULL;

  if (path == NULL)
    return NULL;

  /* A child's parent cannot change; the same parent again is no change. */
  members = changed_fields ? json_object_get_members (changed_fields) : NULL;
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (changed_fields, l->data);

      if (parent != NULL && (g_str_equal (l->data, "client_id") || g_str_equal (l->data, "agreement_id"))
          && JSON_NODE_HOLDS_VALUE (node))
        {
          gint64 value = 0, now = 0;
          g_autoptr(JsonArray) unused = NULL;

          if (json_node_get_value_type (node) == G_TYPE_STRING)
            lsn_connectwise_parse_id (json_node_get_string (node), &value);
          else if (json_node_get_value_type (node) == G_TYPE_INT64)
            value = json_node_get_int (node);
          lsn_connectwise_parse_id (parent, &now);
          if (value == now)
            continue;
        }
      json_object_set_member (changed, l->data, json_node_copy (node));
    }

  if (json_object_get_size (changed) == 0)
    return get_record (self, info, remote_id, cancellable, error);

  if (lsn_connectwise_patch_needs_current (info->kind, changed, &wctx))
    {
      g_autofree char *get_summary = lsn_http_request_summary ("GET", path);

      current = api_get_json (self, path, NULL, NULL, cancellable, error);
      if (current == NULL)
        {
          g_prefix_error (error, "Could not read ConnectWise %s %s before changing it: ", info->kind, remote_id);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_OBJECT (current))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                       "ConnectWise's answer to %s is not a JSON object", get_summary);
          return NULL;
        }
      harvest (self, info->kind, json_node_get_object (current));
    }

  ops = lsn_connectwise_build_patch (info->kind, changed,
                                     current ? json_node_get_object (current) : NULL, &wctx, error);
  if (ops == NULL)
    return NULL;

  if (json_array_get_length (ops) == 0)
    return get_record (self, info, remote_id, cancellable, error);

  body = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (body, ops);

  response = api_send (self, "PATCH", path, body, NULL, cancellable, error);
  if (response == NULL)
    {
      g_prefix_error (error, "Could not update ConnectWise %s %s: ", info->kind, remote_id);
      return NULL;
    }

  summary = lsn_http_request_summary ("PATCH", path);
  {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(JsonNode) root = lsn_http_response_parse_json (response, summary, &local_error);

    /* The change was made; an answer that cannot be read is replaced by reading the record. */
    if (root == NULL)
      {
        g_debug ("%s", local_error->message);
        return get_record (self, info, remote_id, cancellable, error);
      }
    return normalize_root (self, info->kind, root, summary, parent, cancellable, error);
  }
}

static LsnRecord *
lsn_connectwise_connector_update (LsnConnector  *connector,
                                  const char    *kind,
                                  const char    *remote_id,
                                  JsonObject    *changed_fields,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = writable_or_error (kind, "update", error);
  LsnRecord *record;

  if (info == NULL)
    return NULL;

  self->cancellable = cancellable;
  record = update_record (self, info, remote_id, changed_fields, cancellable, error);
  self->cancellable = NULL;
  return record;
}

static gboolean
lsn_connectwise_connector_delete (LsnConnector  *connector,
                                  const char    *kind,
                                  const char    *remote_id,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = writable_or_error (kind, "delete", error);
  g_autofree char *path = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;

  if (info == NULL)
    return FALSE;
  path = record_path (info, remote_id, NULL, error);
  if (path == NULL)
    return FALSE;

  response = api_send (self, "DELETE", path, NULL, NULL, cancellable, error);
  if (response == NULL)
    {
      g_prefix_error (error, "Could not delete ConnectWise %s %s: ", info->kind, remote_id);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------------
 * Reference lists and field catalogue
 */

static gboolean
collect_record (LsnRecord *record,
                gpointer   user_data)
{
  g_ptr_array_add (user_data, g_object_ref (record));
  return TRUE;
}

static GPtrArray *
lsn_connectwise_connector_list_reference (LsnConnector  *connector,
                                          const char    *reference_kind,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = kind_or_error (reference_kind, error);
  g_autoptr(GPtrArray) raws = NULL;
  g_autoptr(GPtrArray) records = NULL;
  LsnConnectwiseReadContext ctx = { 0 };

  if (info == NULL)
    return NULL;
  if (!info->reference)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a ConnectWise reference list", reference_kind);
      return NULL;
    }

  self->cancellable = cancellable;
  raws = fetch_reference (self, info->kind, TRUE, cancellable, error);
  self->cancellable = NULL;
  if (raws == NULL)
    {
      g_prefix_error (error, "Could not read the ConnectWise %s list: ", info->kind);
      return NULL;
    }

  records = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < raws->len; i++)
    {
      LsnRecord *record = lsn_connectwise_normalize (info->kind, g_ptr_array_index (raws, i), &ctx, error);
      if (record == NULL)
        return NULL;
      collect_record (record, records);
      g_object_unref (record);
    }
  return g_steal_pointer (&records);
}

/* The newest records of @info's kind (of the newest parent for a child kind); an empty array
 * when there are none. */
static JsonArray *
sample_page (LsnConnectwiseConnector      *self,
             const LsnConnectwiseKindInfo *info,
             guint                         size,
             GCancellable                 *cancellable,
             GError                      **error)
{
  LsnConnectwiseQuery query = { .page_size = size, .order_by = "id desc" };
  g_autofree char *collection = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 parent = 0;

  if (info->parent_kind != NULL)
    {
      const LsnConnectwiseKindInfo *parent_info = lsn_connectwise_kind_info (info->parent_kind);
      g_autoptr(JsonArray) parents = sample_page (self, parent_info, 1, cancellable, error);
      JsonNode *first;

      if (parents == NULL)
        return NULL;
      if (json_array_get_length (parents) == 0)
        return json_array_new ();
      first = json_array_get_element (parents, 0);
      if (!JSON_NODE_HOLDS_OBJECT (first)
          || (parent = json_object_get_int_member_with_default (json_node_get_object (first), "id", 0)) <= 0)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                       "ConnectWise sent a %s without a numeric id", parent_info->kind);
          return NULL;
        }
    }

  collection = collection_path (info, parent);
  path = lsn_connectwise_build_path (collection, &query);
  root = api_get_json (self, path, NULL, NULL, cancellable, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise's answer to GET %s is not a JSON array", collection);
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

static GPtrArray *
lsn_connectwise_connector_list_fields (LsnConnector  *connector,
                                       const char    *kind,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  const LsnConnectwiseKindInfo *info = kind_or_error (kind, error);
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) custom = NULL;
  g_autoptr(JsonObject) sample = NULL;
  g_autoptr(JsonArray) page = NULL;
  g_autoptr(JsonArray) all_custom = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GError) local_error = NULL;

  if (info == NULL)
    return NULL;

  if (info->reference)
    {
      fields = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_field_info_free);
      g_ptr_array_add (fields, lsn_field_info_new (info->kind, info->name_member, "Name", "string", "name", FALSE));
      g_ptr_array_add (fields, lsn_field_info_new (info->kind, "identifier", "Identifier", "string", "code", FALSE));
      g_ptr_array_add (fields, lsn_field_info_new (info->kind, "inactiveFlag", "Inactive", "boolean", "inactive", FALSE));
      return g_steal_pointer (&fields);
    }

  fields = lsn_connectwise_static_fields (info->kind);

  /* Custom fields come with the records of a screen (a real server lists every one of them on
   * each record, null where unset): read a page and take them all. */
  page = sample_page (self, info, CUSTOM_FIELD_SAMPLE, cancellable, &local_error);
  if (page == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Could not read the custom fields of ConnectWise %s: ", plural (info->kind));
      return NULL;
    }

  sample = json_object_new ();
  all_custom = json_array_new ();
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (page); i++)
    {
      JsonNode *node = json_array_get_element (page, i);
      JsonNode *cfs = JSON_NODE_HOLDS_OBJECT (node)
                      ? json_object_get_member (json_node_get_object (node), "customFields") : NULL;

      if (cfs == NULL || !JSON_NODE_HOLDS_ARRAY (cfs))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (cfs)); j++)
        {
          JsonNode *cf = json_array_get_element (json_node_get_array (cfs), j);
          JsonNode *id = JSON_NODE_HOLDS_OBJECT (cf) ? json_object_get_member (json_node_get_object (cf), "id") : NULL;
          g_autofree char *key = NULL;

          if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
            continue;
          key = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
          if (g_hash_table_contains (seen, key))
            continue;
          g_hash_table_add (seen, g_steal_pointer (&key));
          json_array_add_element (all_custom, json_node_copy (cf));
        }
    }
  json_object_set_array_member (sample, "customFields", g_steal_pointer (&all_custom));

  custom = lsn_connectwise_custom_fields (info->kind, sample);
  for (guint i = 0; i < custom->len; i++)
    g_ptr_array_add (fields, g_steal_pointer (&g_ptr_array_index (custom, i)));
  g_ptr_array_set_free_func (custom, NULL);

  return g_steal_pointer (&fields);
}

/* ---------------------------------------------------------------------------------------------
 * Test connection
 */

static const char *
error_text (const GError *error)
{
  return error ? error->message : "no reason given";
}

static gboolean
error_mentions (const GError *error,
                const char   *word)
{
  g_autofree char *lower = NULL;
  g_autofree char *word_lower = NULL;

  if (error == NULL)
    return FALSE;
  lower = g_utf8_strdown (error->message, -1);
  word_lower = g_utf8_strdown (word, -1);
  return strstr (lower, word_lower) != NULL;
}

static LsnCheck *
clock_check (SoupMessageHeaders *headers)
{
  const char *date = headers ? soup_message_headers_get_one (headers, "Date") : NULL;
  g_autoptr(GDateTime) server = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *message = NULL;
  gint64 skew;

  if (date == NULL || (server = soup_date_time_new_from_http_string (date)) == NULL)
    return lsn_check_new ("Clock", FALSE, "ConnectWise sent no Date header, so the clocks cannot be compared",
                          "If a proxy sits between Liaison and ConnectWise, let it pass the Date header");

  local = g_date_time_new_now_utc ();
  skew = g_date_time_difference (local, server) / G_USEC_PER_SEC;
  if (ABS (skew) <= MAX_CLOCK_SKEW_SECONDS)
    {
      message = g_strdup_printf ("This computer's clock is %" G_GINT64_FORMAT " s %s ConnectWise's",
                                 ABS (skew), skew >= 0 ? "ahead of" : "behind");
      return lsn_check_new ("Clock", TRUE, message, NULL);
    }

  message = g_strdup_printf ("This computer's clock is %" G_GINT64_FORMAT " s %s ConnectWise's (Date: %s): "
                             "changes made near a pull could be missed",
                             ABS (skew), skew >= 0 ? "ahead of" : "behind", date);
  return lsn_check_new ("Clock", FALSE, message,
                        "Turn on automatic time (NTP) on this computer");
}

static const char *
kind_label (const char *kind)
{
  if (g_str_equal (kind, LSN_KIND_CLIENT))
    return "Read clients";
  if (g_str_equal (kind, LSN_KIND_SITE))
    return "Read sites";
  if (g_str_equal (kind, LSN_KIND_CONTACT))
    return "Read contacts";
  if (g_str_equal (kind, LSN_KIND_OPPORTUNITY))
    return "Read opportunities";
  if (g_str_equal (kind, LSN_KIND_PRODUCT))
    return "Read products";
  if (g_str_equal (kind, LSN_KIND_ADDITION))
    return "Read agreement additions";
  return NULL;
}

static LsnCheck *
kind_check (LsnConnectwiseConnector      *self,
            const LsnConnectwiseKindInfo *info,
            GCancellable                 *cancellable)
{
  g_autofree char *name = kind_label (info->kind) ? g_strdup (kind_label (info->kind))
                                                   : g_strdup_printf ("Read %s", info->kind);
  g_autoptr(GError) error = NULL;
  g_autofree char *collection = NULL;
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;
  gint64 count = 0;
  gint64 parent = 0;

  if (info->parent_kind != NULL)
    {
      const LsnConnectwiseKindInfo *parent_info = lsn_connectwise_kind_info (info->parent_kind);
      g_autoptr(JsonArray) parents = sample_page (self, parent_info, 1, cancellable, &error);

      if (parents != NULL && json_array_get_length (parents) == 0)
        {
          message = g_strdup_printf ("There are no %s to read %s from; reading them could not be tried",
                                     plural (parent_info->kind), plural (info->kind));
          return lsn_check_new (name, TRUE, message, NULL);
        }
      if (parents != NULL && JSON_NODE_HOLDS_OBJECT (json_array_get_element (parents, 0)))
        parent = json_object_get_int_member_with_default (json_array_get_object_element (parents, 0), "id", 0);
    }

  if (error == NULL)
    {
      collection = collection_path (info, parent);
      if (get_count (self, collection, NULL, &count, cancellable, &error))
        {
          message = g_strdup_printf ("%" G_GINT64_FORMAT " %s%s", count, plural (info->kind),
                                     info->parent_kind ? " in the first parent" : "");
          return lsn_check_new (name, TRUE, message, NULL);
        }
    }

  if (g_error_matches (error, LSN_ERROR, LSN_ERROR_PERMISSION))
    hint = g_strdup_printf ("Give the API member's security role “Inquire Level: All” on %s "
                            "(System › Security Roles)", info->permission);
  else if (g_error_matches (error, LSN_ERROR, LSN_ERROR_NOT_FOUND))
    hint = g_strdup ("This ConnectWise version does not offer it at this address: check the codebase "
                     "and the API version in the connection settings");
  else
    hint = g_strdup ("Try again; if it keeps failing, the message above is ConnectWise's own reason");

  return lsn_check_new (name, FALSE, error_text (error), hint);
}

static GPtrArray *
lsn_connectwise_connector_test_connection (LsnConnector        *connector,
                                           const char * const  *kinds,
                                           GCancellable        *cancellable)
{
  LsnConnectwiseConnector *self = LSN_CONNECTWISE_CONNECTOR (connector);
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_check_free);
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) system_info = NULL;
  g_autofree char *message = NULL;
  gboolean authenticated;

  self->cancellable = cancellable;

  /* Reachable: companyinfo needs no credentials */
  info = fetch_company_info (self, &response, cancellable, &error);
  if (info == NULL)
    {
      const char *hint = g_error_matches (error, LSN_ERROR, LSN_ERROR_AUTH)
                         ? "Check the company id: it is the one typed on the ConnectWise login page"
                         : "Check the site URL: for ConnectWise cloud it is the api- address of your region, "
                           "for example https://api-na.myconnectwise.net";
      g_ptr_array_add (checks, lsn_check_new ("Reachable", FALSE, error_text (error), hint));
      g_ptr_array_add (checks, lsn_check_new ("Authenticated", FALSE, "Not tried: ConnectWise was not reached",
                                              NULL));
      self->cancellable = NULL;
      return g_steal_pointer (&checks);
    }

  {
    const char *name = json_object_get_string_member_with_default (info, "CompanyName", NULL);
    const char *codebase = json_object_get_string_member_with_default (info, "Codebase", NULL);
    const char *version = json_object_get_string_member_with_default (info, "VersionCode", NULL);

    if (self->codebase == NULL && codebase_is_valid (codebase))
      self->codebase = normalize_codebase (codebase);

    message = g_strdup_printf ("%s answered for “%s”%s%s%s, codebase %s%s%s",
                               self->site_url, self->company,
                               name ? " (" : "", name ? name : "", name ? ")" : "",
                               self->codebase ? self->codebase : "(none)",
                               version ? ", version " : "", version ? version : "");
    g_ptr_array_add (checks, lsn_check_new ("Reachable", self->codebase != NULL, message,
                                            self->codebase ? NULL
                                            : "Enter the codebase in the connection settings"));
  }

  /* Clock */
  g_ptr_array_add (checks, clock_check (response->headers));

  /* Authenticated */
  system_info = api_get_json (self, "/system/info", NULL, NULL, cancellable, &error);
  if (system_info == NULL && g_error_matches (error, LSN_ERROR, LSN_ERROR_NOT_FOUND))
    {
      /* A server without /system/info: any call that needs the keys tells as much. */
      g_clear_error (&error);
      system_info = api_get_json (self, "/company/companies/count", NULL, NULL, cancellable, &error);
    }
  /* A 403 means the keys were accepted and the role lacks the right, unless it is about the
   * clientId (which ConnectWise may refuse with 403 as well). */
  authenticated = system_info != NULL
                  || (g_error_matches (error, LSN_ERROR, LSN_ERROR_PERMISSION) && !error_mentions (error, "clientid"));
  if (system_info != NULL)
    {
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (system_info) ? json_node_get_object (system_info) : NULL;
      const char *version = obj ? json_object_get_string_member_with_default (obj, "version", NULL) : NULL;
      g_autofree char *text = g_strdup_printf ("Signed in as %s+%s%s%s", self->company, self->public_key,
                                               version ? ", ConnectWise " : "", version ? version : "");
      g_ptr_array_add (checks, lsn_check_new ("Authenticated", TRUE, text, NULL));
    }
  else if (authenticated)
    {
      g_autofree char *text = g_strdup_printf ("The keys were accepted (%s)", error_text (error));
      g_ptr_array_add (checks, lsn_check_new ("Authenticated", TRUE, text, NULL));
    }
  else
    {
      const char *hint;

      if (error_mentions (error, "clientid"))
        hint = "Register a client id for Liaison at https://developer.connectwise.com/ClientID and enter it";
      else if (g_error_matches (error, LSN_ERROR, LSN_ERROR_AUTH))
        hint = "Check the company id, the public key and the private key: ConnectWise › System › Members › "
               "API Members › API Keys (keys of a member who left stop working)";
      else if (g_error_matches (error, LSN_ERROR, LSN_ERROR_NOT_FOUND))
        hint = "Check the codebase (leave it empty to look it up) and the site URL";
      else
        hint = "Try again; if it keeps failing, the message above is ConnectWise's own reason";
      g_ptr_array_add (checks, lsn_check_new ("Authenticated", FALSE, error_text (error), hint));
    }
  g_clear_error (&error);

  /* Read permission per kind */
  for (guint i = 0; kinds && kinds[i]; i++)
    {
      const LsnConnectwiseKindInfo *kinfo = lsn_connectwise_kind_info (kinds[i]);
      g_autofree char *name = NULL;

      if (kinfo == NULL)
        {
          name = g_strdup_printf ("Read %s", kinds[i]);
          g_ptr_array_add (checks, lsn_check_new (name, FALSE, "ConnectWise Manage has no such kind",
                                                  "Turn the kind off in the profile"));
          continue;
        }
      if (!authenticated)
        {
          name = kind_label (kinfo->kind) ? g_strdup (kind_label (kinfo->kind)) : g_strdup_printf ("Read %s", kinfo->kind);
          g_ptr_array_add (checks, lsn_check_new (name, FALSE, "Not tried: the keys were refused", NULL));
          continue;
        }
      g_ptr_array_add (checks, kind_check (self, kinfo, cancellable));
    }

  self->cancellable = NULL;
  return g_steal_pointer (&checks);
}

static const char * const *
lsn_connectwise_connector_get_kinds (LsnConnector *connector)
{
  return lsn_connectwise_kinds ();
}

static char *
lsn_connectwise_connector_record_url (LsnConnector *connector,
                                      const char   *kind,
                                      const char   *remote_id)
{
  /* The reference gives no web UI address for a record (only API _href links). */
  return NULL;
}

static void
lsn_connectwise_connector_class_init (LsnConnectwiseConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LsnConnectorClass *connector_class = LSN_CONNECTOR_CLASS (klass);

  object_class->finalize = lsn_connectwise_connector_finalize;

  connector_class->get_kinds = lsn_connectwise_connector_get_kinds;
  connector_class->list = lsn_connectwise_connector_list;
  connector_class->get = lsn_connectwise_connector_get;
  connector_class->create = lsn_connectwise_connector_create;
  connector_class->update = lsn_connectwise_connector_update;
  connector_class->delete = lsn_connectwise_connector_delete;
  connector_class->list_reference = lsn_connectwise_connector_list_reference;
  connector_class->list_fields = lsn_connectwise_connector_list_fields;
  connector_class->test_connection = lsn_connectwise_connector_test_connection;
  connector_class->record_url = lsn_connectwise_connector_record_url;
}

static void
lsn_connectwise_connector_init (LsnConnectwiseConnector *self)
{
  self->paging = LSN_CONNECTWISE_PAGING_FORWARD_ONLY;
  self->page_size = LSN_CONNECTWISE_MAX_PAGE_SIZE;
  self->ref_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->inactive_status_ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->learned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->learned_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Settings
 */

static gboolean
settings_string (JsonObject   *settings,
                 const char   *key,
                 const char   *label,
                 gboolean      required,
                 const char  **out,
                 GError      **error)
{
  JsonNode *node = json_object_get_member (settings, key);

  *out = NULL;
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "The ConnectWise setting “%s” must be text", key);
          return FALSE;
        }
      *out = json_node_get_string (node);
      if (**out == '\0')
        *out = NULL;
    }

  if (required && *out == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "%s is empty: enter it in the ConnectWise connection settings (“%s”)", label, key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
settings_uint (JsonObject  *object,
               const char  *key,
               guint        fallback,
               guint       *out,
               GError     **error)
{
  JsonNode *node = object ? json_object_get_member (object, key) : NULL;
  gint64 value;

  *out = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || (value = json_node_get_int (node)) <= 0 || value > G_MAXINT32)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The ConnectWise budget setting “%s” must be a whole number above 0", key);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* The API host of ConnectWise cloud: the UI hosts need the api- prefix. */
static char *
api_site_url (const char  *url,
              char       **codebase_from_url,
              GError     **error)
{
  static const char * const cloud_hosts[] = {
    "na.myconnectwise.net", "eu.myconnectwise.net", "au.myconnectwise.net", "aus.myconnectwise.net",
    "za.myconnectwise.net", "staging.connectwisedev.com", NULL
  };
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  g_autofree char *host = NULL;
  const char *path;

  if (uri == NULL)
    return NULL;

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  if (g_strv_contains (cloud_hosts, host))
    {
      char *api_host = g_strconcat ("api-", host, NULL);
      g_free (host);
      host = api_host;
    }

  /* A pasted API address such as https://host/v4_6_release/apis/3.0 names the codebase. */
  path = g_uri_get_path (uri);
  if (codebase_from_url && path && path[0] == '/' && path[1] == 'v' && g_ascii_isdigit (path[2]))
    {
      const char *end = strchr (path + 1, '/');
      g_autofree char *segment = end ? g_strndup (path + 1, end - path - 1) : g_strdup (path + 1);
      if (codebase_is_valid (segment))
        *codebase_from_url = g_strconcat (segment, "/", NULL);
    }

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), host, g_uri_get_port (uri));
  return g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), host);
}

/**
 * lsn_connectwise_connector_new_from_settings:
 * @settings: one side of a profile file: "url", "company", "public_key", "client_id", and
 *   optionally "codebase", "api_version", "budget" {"requests", "seconds"}, "reference_field",
 *   "paging" ("forward-only" or "navigable")
 * @secret: (nullable): the private key
 * @error: return location
 *
 * Nothing is sent until the first call: the codebase is looked up then when it is not set.
 *
 * Returns: (transfer full) (nullable): the connector
 */
LsnConnector *
lsn_connectwise_connector_new_from_settings (JsonObject  *settings,
                                             const char  *secret,
                                             GError     **error)
{
  g_autoptr(LsnConnectwiseConnector) self = NULL;
  g_autoptr(LsnHttpClient) http = NULL;
  const char *url, *company, *public_key, *client_id, *codebase, *api_version, *reference_field, *paging;
  g_autofree char *codebase_from_url = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *encoded = NULL;
  JsonNode *budget_node;
  JsonObject *budget = NULL;
  guint requests, seconds;

  if (settings == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT, "The ConnectWise connection has no settings");
      return NULL;
    }

  if (!settings_string (settings, "url", "The site URL", TRUE, &url, error)
      || !settings_string (settings, "company", "The company id", TRUE, &company, error)
      || !settings_string (settings, "public_key", "The public key", TRUE, &public_key, error)
      || !settings_string (settings, "client_id", "The client id", TRUE, &client_id, error)
      || !settings_string (settings, "codebase", "The codebase", FALSE, &codebase, error)
      || !settings_string (settings, "api_version", "The API version", FALSE, &api_version, error)
      || !settings_string (settings, "reference_field", "The reference field", FALSE, &reference_field, error)
      || !settings_string (settings, "paging", "The paging style", FALSE, &paging, error))
    return NULL;

  if (!lsn_check_service_url (url, "The ConnectWise site URL", error))
    return NULL;

  if (secret == NULL || *secret == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The ConnectWise private key is missing: enter it in the connection settings "
                           "(it is kept in the keyring)");
      return NULL;
    }

  if (!lsn_is_guid (client_id))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The ConnectWise client id “%s” is not a GUID: register one at "
                   "https://developer.connectwise.com/ClientID", client_id);
      return NULL;
    }

  if (strchr (company, '+') || strchr (company, ':') || strchr (public_key, ':'))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The ConnectWise company id and public key cannot contain “+” or “:”");
      return NULL;
    }

  if (codebase != NULL && !codebase_is_valid (codebase))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The ConnectWise codebase “%s” is not valid: it looks like v4_6_release or v2025_1, "
                   "or leave it empty to look it up", codebase);
      return NULL;
    }

  if (api_version != NULL)
    {
      gboolean ok = strlen (api_version) <= 16 && g_ascii_isdigit (api_version[0]);
      for (const char *p = api_version; ok && *p; p++)
        ok = g_ascii_isdigit (*p) || *p == '.';
      if (!ok || strchr (api_version, '.') == NULL)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "The ConnectWise API version “%s” is not valid: it looks like 2025.16", api_version);
          return NULL;
        }
    }

  if (reference_field != NULL
      && !(g_str_has_prefix (reference_field, LSN_CONNECTWISE_CUSTOM_PREFIX)
           && reference_field[strlen (LSN_CONNECTWISE_CUSTOM_PREFIX)] != '\0')
      && !lsn_connectwise_is_field_path (reference_field))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The ConnectWise reference field “%s” must be a company field name such as "
                   "accountNumber, or customField:<id or caption>", reference_field);
      return NULL;
    }

  budget_node = json_object_get_member (settings, "budget");
  if (budget_node != NULL && JSON_NODE_HOLDS_OBJECT (budget_node))
    budget = json_node_get_object (budget_node);
  else if (budget_node != NULL && !JSON_NODE_HOLDS_NULL (budget_node))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The ConnectWise setting “budget” must look like {\"requests\": 600, \"seconds\": 60}");
      return NULL;
    }
  if (!settings_uint (budget, "requests", LSN_CONNECTWISE_DEFAULT_BUDGET_REQUESTS, &requests, error)
      || !settings_uint (budget, "seconds", LSN_CONNECTWISE_DEFAULT_BUDGET_SECONDS, &seconds, error))
    return NULL;

  self = g_object_new (LSN_TYPE_CONNECTWISE_CONNECTOR, NULL);

  self->site_url = api_site_url (url, &codebase_from_url, error);
  if (self->site_url == NULL)
    return NULL;

  self->company = g_strdup (company);
  self->public_key = g_strdup (public_key);
  self->client_id = g_strdup (client_id);
  if (codebase != NULL)
    self->codebase = normalize_codebase (codebase);
  else if (codebase_from_url != NULL)
    self->codebase = g_steal_pointer (&codebase_from_url);
  self->api_version = g_strdup (api_version ? api_version : LSN_CONNECTWISE_DEFAULT_API_VERSION);
  self->accept = g_strdup_printf ("application/vnd.connectwise.com+json; version=%s", self->api_version);
  self->reference_field = g_strdup (reference_field ? reference_field : "accountNumber");

  if (paging == NULL || g_str_equal (paging, "forward-only"))
    self->paging = LSN_CONNECTWISE_PAGING_FORWARD_ONLY;
  else if (g_str_equal (paging, "navigable"))
    self->paging = LSN_CONNECTWISE_PAGING_NAVIGABLE;
  else
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The ConnectWise paging style “%s” is unknown: use \"forward-only\" or \"navigable\"", paging);
      return NULL;
    }

  credentials = g_strdup_printf ("%s+%s:%s", company, public_key, secret);
  encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  self->authorization = g_strconcat ("Basic ", encoded, NULL);
  memset (credentials, 0, strlen (credentials));
  memset (encoded, 0, strlen (encoded));

  http = lsn_http_client_new (self->site_url, error);
  if (http == NULL)
    return NULL;
  lsn_http_client_set_budget (http, requests, seconds);
  lsn_http_client_set_auth_func (http, auth_func, self);
  lsn_http_client_set_error_func (http, error_func, self);
  lsn_connector_set_http (LSN_CONNECTOR (self), http);

  return LSN_CONNECTOR (g_steal_pointer (&self));
}

/**
 * lsn_connectwise_connector_get_codebase:
 *
 * Returns: (nullable): the codebase in use ("v2025_1/"), %NULL before it was looked up
 */
const char *
lsn_connectwise_connector_get_codebase (LsnConnectwiseConnector *self)
{
  g_return_val_if_fail (LSN_IS_CONNECTWISE_CONNECTOR (self), NULL);
  return self->codebase;
}

void
lsn_connectwise_connector_set_paging (LsnConnectwiseConnector *self,
                                      LsnConnectwisePaging     paging)
{
  g_return_if_fail (LSN_IS_CONNECTWISE_CONNECTOR (self));
  self->paging = paging;
}

LsnConnectwisePaging
lsn_connectwise_connector_get_paging (LsnConnectwiseConnector *self)
{
  g_return_val_if_fail (LSN_IS_CONNECTWISE_CONNECTOR (self), LSN_CONNECTWISE_PAGING_FORWARD_ONLY);
  return self->paging;
}
