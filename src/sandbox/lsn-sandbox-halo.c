/* lsn-sandbox-halo.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated HaloPSA server, after reference/halopsa-api.md (section numbers below refer to it):
 * OAuth2 token endpoint and bearer tokens (§1), /api/{Resource} routes matched without regard to
 * case (§2), lists with Halo's paging, envelopes and bare arrays (§3, §5), writes as JSON arrays
 * with one validation error at a time in Halo's three 400 body styles (§4, §8), the rolling-window
 * limit with Halo's 429 text (§6). Where the reference says a behaviour is unknown, the stricter
 * choice is made and a comment says so ("Unknown:").
 *
 * Everything runs on the sandbox thread.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "lsn-sandbox-connections.h"
#include "lsn-sandbox-faults.h"
#include "lsn-sandbox-halo.h"
#include "lsn-sandbox-halo-store.h"
#include "lsn-sandbox-limiter.h"
#include "lsn-sandbox-stats.h"

#define TENANT "sandbox"
#define REFRESH_LIFETIME_SECONDS (14 * 86400)

typedef enum
{
  RES_INACTIVE     = 1 << 0,  /* "inactive" flag, includeactive/includeinactive filters */
  RES_IS_ACTIVE    = 1 << 1,  /* "is_active" flag (licences), includeinactive filter */
  RES_CLIENT       = 1 << 2,  /* client_id filter */
  RES_SITE         = 1 << 3,  /* site_id filter */
  RES_TOPLEVEL     = 1 << 4,  /* toplevel_id filter */
  RES_ADVANCED     = 1 << 5,  /* advanced_search */
  RES_LINES        = 1 << 6,  /* lines on the detail record, in lists only with includelines */
  RES_ASSETGROUP   = 1 << 7,  /* assetgroup_id filter */
} ResourceFlags;

typedef struct
{
  const char    *name;        /* as the reference spells it */
  const char    *list_key;    /* NULL: the list is a bare array */
  ResourceFlags  flags;
  const char    *search[3];
  const char    *updated;     /* last-change field, or NULL */
  const char    *created;     /* creation field, or NULL */
} Resource;

static const Resource resource_table[] = {
  { "Client", "clients", RES_INACTIVE | RES_TOPLEVEL | RES_ADVANCED, { "name" }, "alastupdate", "datecreated" },
  { "Site", "sites", RES_INACTIVE | RES_CLIENT | RES_TOPLEVEL, { "name" }, "slastupdate", "datecreated" },
  { "Users", "users", RES_INACTIVE | RES_CLIENT | RES_SITE | RES_TOPLEVEL | RES_ADVANCED,
    { "name", "emailaddress", "login" }, "ulastupdate", "datecreated" },
  { "Opportunities", "tickets", RES_CLIENT | RES_SITE, { "summary", "oppcompanyname" }, "last_update", "datecreated" },
  { "Quotation", "quotes", RES_CLIENT | RES_SITE | RES_LINES, { "title" }, "last_update_time", NULL },
  { "Item", "items", RES_ADVANCED | RES_ASSETGROUP, { "name", "supplier_part_code" }, "lastmodified", "datecreated" },
  { "Tax", NULL, 0, { "name" }, NULL, NULL },
  { "SoftwareLicence", "licences", RES_IS_ACTIVE | RES_CLIENT | RES_SITE | RES_TOPLEVEL, { "name" }, NULL, NULL },
  { "RecurringInvoice", "invoices", RES_CLIENT | RES_SITE | RES_LINES | RES_ADVANCED, { "name", "client_name" },
    "last_modified", "date_created" },
  { "AssetGroup", NULL, 0, { "name" }, NULL, NULL },
  { "AssetType", NULL, RES_ASSETGROUP, { "name" }, NULL, NULL },
  { "Status", NULL, 0, { "name" }, NULL, NULL },
  { "TicketType", NULL, 0, { "name" }, NULL, NULL },
};

/* Members whose type Halo's model binding checks on POST. */
static const char *int_members[] = {
  "id", "client_id", "site_id", "user_id", "agent_id", "toplevel_id", "status_id", "tickettype_id",
  "ticket_id", "item_id", "assetgroup_id", "assettype_id", "taxcode", "supplier_id", "main_site_id",
  "maincontact_id", "linked_agent_id", "parent_id", "qhid", "ihid", "sla_id", "contract_id",
};
static const char *bool_members[] = {
  "inactive", "is_active", "deleted", "disabled", "autorenew", "isrecurringitem", "taxable",
  "is_vip", "isimportantcontact", "isinvoicesite",
};
static const char *date_members[] = {
  "datecreated", "start_date", "end_date", "date", "expiry_date", "targetdate", "dateoccurred",
  "dateclosed", "startdate", "enddate", "nextcreationdate", "invoice_date", "duedate",
};

typedef struct
{
  gint64 expires;       /* monotonic usec */
} Token;

struct _LsnSandboxHalo
{
  GObject              parent_instance;

  SoupServer          *server;
  char                *url;
  char                *client_id;
  char                *client_secret;

  LsnSandboxHaloStore *store;
  LsnSandboxLimiter   *limiter;
  LsnSandboxFaults    *faults;
  LsnSandboxStats     *stats;
  guint                latency_ms;
  guint                token_lifetime;
  GHashTable          *tokens;          /* access token -> Token */
  GHashTable          *refresh_tokens;  /* refresh token -> Token */
};

G_DEFINE_FINAL_TYPE (LsnSandboxHalo, lsn_sandbox_halo, G_TYPE_OBJECT)

static void
lsn_sandbox_halo_finalize (GObject *object)
{
  LsnSandboxHalo *self = (LsnSandboxHalo *) object;

  lsn_sandbox_halo_disconnect (self);
  g_free (self->url);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_clear_object (&self->store);
  g_clear_object (&self->limiter);
  g_clear_object (&self->faults);
  g_clear_object (&self->stats);
  g_hash_table_unref (self->tokens);
  g_hash_table_unref (self->refresh_tokens);

  G_OBJECT_CLASS (lsn_sandbox_halo_parent_class)->finalize (object);
}

static void
lsn_sandbox_halo_class_init (LsnSandboxHaloClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_halo_finalize;
}

static void
lsn_sandbox_halo_init (LsnSandboxHalo *self)
{
  self->stats = lsn_sandbox_stats_new ();
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * lsn_sandbox_halo_new:
 * @options: the sandbox options (limit, latency, faults, token lifetime, seed)
 * @companies: (element-type LsnSandboxCompany): the shared data set
 *
 * Returns: (transfer full): a seeded server, not listening yet
 */
LsnSandboxHalo *
lsn_sandbox_halo_new (const LsnSandboxOptions *options,
                      GPtrArray               *companies)
{
  LsnSandboxHalo *self = g_object_new (LSN_TYPE_SANDBOX_HALO, NULL);
  GRand *rand = g_rand_new_with_seed ((guint32) (options->seed ^ (options->seed >> 32) ^ 0x4861u));
  GString *secret = g_string_new (NULL);
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /* Halo client ids are GUIDs; the credentials follow from the seed so that a profile keeps working. */
  self->client_id = g_strdup_printf ("%08x-%04x-4%03x-%04x-%04x%08x",
                                     g_rand_int (rand), g_rand_int (rand) & 0xffff,
                                     g_rand_int (rand) & 0xfff, (g_rand_int (rand) & 0x3fff) | 0x8000,
                                     g_rand_int (rand) & 0xffff, g_rand_int (rand));
  for (guint i = 0; i < 48; i++)
    g_string_append_c (secret, alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)]);
  self->client_secret = g_string_free (secret, FALSE);
  g_rand_free (rand);

  self->store = lsn_sandbox_halo_store_new (options->seed, companies);
  self->limiter = lsn_sandbox_limiter_new (options->halo_limit, options->halo_window);
  self->faults = lsn_sandbox_faults_new (options->seed);
  lsn_sandbox_faults_set_rate (self->faults, options->fault_rate);
  if (options->stall_ms)
    lsn_sandbox_faults_set_stall_ms (self->faults, options->stall_ms);
  self->latency_ms = options->latency_ms;
  self->token_lifetime = options->token_lifetime ? options->token_lifetime : 3600;

  return self;
}

/* ---- Responses -------------------------------------------------------------------------- */

static void
respond_json_node (SoupServerMessage *msg,
                   guint              status,
                   JsonNode          *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, text, len);
}

static void
respond_empty (SoupServerMessage *msg,
               guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
}

/* 400, style "bare JSON string": "Record not found" */
static void
respond_400_string (SoupServerMessage *msg,
                    const char        *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, message);
  respond_json_node (msg, SOUP_STATUS_BAD_REQUEST, node);
}

/* 400, style "model binding": {"field": ["message"]} */
static void
respond_400_binding (SoupServerMessage *msg,
                     const char        *field,
                     const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, field);
  json_builder_begin_array (b);
  json_builder_add_string_value (b, message);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  respond_json_node (msg, SOUP_STATUS_BAD_REQUEST, root);
}

/* 400, style "serialized .NET exception" */
static void
respond_400_exception (SoupServerMessage *msg,
                       const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  static const char *null_members[] = {
    "Data", "InnerException", "HelpURL", "StackTraceString", "RemoteStackTraceString",
  };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ClassName");
  json_builder_add_string_value (b, "System.Exception");
  json_builder_set_member_name (b, "Message");
  json_builder_add_string_value (b, message);
  for (guint i = 0; i < G_N_ELEMENTS (null_members); i++)
    {
      json_builder_set_member_name (b, null_members[i]);
      json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "RemoteStackIndex");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "ExceptionMethod");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "HResult");
  json_builder_add_int_value (b, -2146233088);
  json_builder_set_member_name (b, "Source");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "WatsonBuckets");
  json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  respond_json_node (msg, SOUP_STATUS_BAD_REQUEST, root);
}

static void
respond_oauth_error (SoupServerMessage *msg,
                     guint              status,
                     const char        *error)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\"}", error);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* Observed text (§6). Unknown: the JSON wrapper and Retry-After; the stricter choice is plain text
 * and no Retry-After header, so a client has to back off on its own. */
static void
respond_429 (LsnSandboxHalo    *self,
             SoupServerMessage *msg)
{
  guint window = lsn_sandbox_limiter_get_window (self->limiter);
  g_autofree char *body = NULL;

  if (window % 60 == 0)
    body = g_strdup_printf ("Rate Limit Reached - %u Requests per rolling %u minute window",
                            lsn_sandbox_limiter_get_limit (self->limiter), window / 60);
  else
    body = g_strdup_printf ("Rate Limit Reached - %u Requests per rolling %u second window",
                            lsn_sandbox_limiter_get_limit (self->limiter), window);

  soup_server_message_set_status (msg, 429, "Too Many Requests");
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, body, strlen (body));
}

/* ---- Authentication --------------------------------------------------------------------- */

static char *
new_token (void)
{
  g_autofree char *a = g_uuid_string_random ();
  g_autofree char *b = g_uuid_string_random ();
  g_autofree char *joined = g_strconcat (a, b, NULL);
  GString *out = g_string_new (NULL);

  for (const char *p = joined; *p; p++)
    if (*p != '-')
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

static void
handle_token (LsnSandboxHalo    *self,
              SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *grant, *client_id, *client_secret, *tenant, *scope;
  Token *token;
  gint64 now = g_get_monotonic_time ();

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      respond_empty (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }

  if (g_strcmp0 (content_type, "application/x-www-form-urlencoded") != 0)
    {
      respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request");
      return;
    }

  bytes = soup_message_body_flatten (body);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  form = soup_form_decode (text);
  query = g_uri_get_query (uri) ? soup_form_decode (g_uri_get_query (uri)) : NULL;

  grant = g_hash_table_lookup (form, "grant_type");
  client_id = g_hash_table_lookup (form, "client_id");
  client_secret = g_hash_table_lookup (form, "client_secret");
  tenant = query ? g_hash_table_lookup (query, "tenant") : NULL;
  scope = g_hash_table_lookup (form, "scope");

  /* Unknown: what a wrong ?tenant= gives. Another tenant does not know this client: invalid_client. */
  if (tenant && g_ascii_strcasecmp (tenant, TENANT) != 0)
    {
      respond_oauth_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client");
      return;
    }

  if (g_strcmp0 (grant, "client_credentials") == 0)
    {
      if (g_strcmp0 (client_id, self->client_id) != 0 || g_strcmp0 (client_secret, self->client_secret) != 0)
        {
          respond_oauth_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client");
          return;
        }
    }
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    {
      const char *old = g_hash_table_lookup (form, "refresh_token");
      Token *t;

      if (g_strcmp0 (client_id, self->client_id) != 0 ||
          (client_secret && g_strcmp0 (client_secret, self->client_secret) != 0))
        {
          respond_oauth_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client");
          return;
        }
      t = old ? g_hash_table_lookup (self->refresh_tokens, old) : NULL;
      if (t == NULL || t->expires <= now)
        {
          respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant");
          return;
        }
      /* Refresh tokens are single use (rotated): the stricter of the OAuth2 options. */
      g_hash_table_remove (self->refresh_tokens, old);
    }
  else
    {
      respond_oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type");
      return;
    }

  access = new_token ();
  refresh = new_token ();
  token = g_new0 (Token, 1);
  token->expires = now + (gint64) self->token_lifetime * G_USEC_PER_SEC;
  g_hash_table_insert (self->tokens, g_strdup (access), token);
  token = g_new0 (Token, 1);
  token->expires = now + (gint64) REFRESH_LIFETIME_SECONDS * G_USEC_PER_SEC;
  g_hash_table_insert (self->refresh_tokens, g_strdup (refresh), token);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_string_value (b, access);
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "Bearer");
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, self->token_lifetime);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, scope && *scope ? scope : "all");
  json_builder_set_member_name (b, "refresh_token");
  json_builder_add_string_value (b, refresh);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  respond_json_node (msg, SOUP_STATUS_OK, root);
}

static gboolean
check_bearer (LsnSandboxHalo    *self,
              SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  Token *token;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return FALSE;

  token = g_hash_table_lookup (self->tokens, auth + 7);
  if (token == NULL)
    return FALSE;

  if (token->expires <= g_get_monotonic_time ())
    {
      g_hash_table_remove (self->tokens, auth + 7);
      return FALSE;
    }

  return TRUE;
}

/* ---- Query parameters ------------------------------------------------------------------- */

static gboolean
param_bool (SoupServerMessage *msg,
            GHashTable        *query,
            const char        *name,
            gboolean           def,
            gboolean          *value)
{
  const char *s = query ? g_hash_table_lookup (query, name) : NULL;

  *value = def;
  if (s == NULL)
    return TRUE;

  if (g_ascii_strcasecmp (s, "true") == 0)
    *value = TRUE;
  else if (g_ascii_strcasecmp (s, "false") == 0)
    *value = FALSE;
  else
    {
      g_autofree char *m = g_strdup_printf ("The value '%s' is not valid.", s);

      respond_400_binding (msg, name, m);
      return FALSE;
    }
  return TRUE;
}

static gboolean
param_int (SoupServerMessage *msg,
           GHashTable        *query,
           const char        *name,
           gint64             def,
           gint64            *value)
{
  const char *s = query ? g_hash_table_lookup (query, name) : NULL;

  *value = def;
  if (s == NULL)
    return TRUE;

  if (!g_ascii_string_to_signed (s, 10, G_MININT32, G_MAXINT32, value, NULL))
    {
      g_autofree char *m = g_strdup_printf ("The value '%s' is not valid.", s);

      respond_400_binding (msg, name, m);
      return FALSE;
    }
  return TRUE;
}

/* ---- Lists ------------------------------------------------------------------------------ */

typedef struct
{
  char *name;
  char *value;
} AdvancedFilter;

static void
advanced_filter_clear (gpointer data)
{
  AdvancedFilter *f = data;

  g_free (f->name);
  g_free (f->value);
}

static char *
scalar_to_string (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d == (double) (gint64) d)
        return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);
      return g_strdup_printf ("%g", d);
    }
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return NULL;
}

/* advanced_search: a JSON array of {filter_name, filter_type, filter_value}. Only filter_type 2
 * (exact equality) is documented; unknown: the other types. Stricter: they are refused like an
 * unknown field, with "Invalid advanced search parameter". A field must be a scalar of the record. */
static GArray *
parse_advanced (const char *text,
                JsonObject *sample)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) filters = g_array_new (FALSE, TRUE, sizeof (AdvancedFilter));
  JsonNode *root;
  JsonArray *array;

  g_array_set_clear_func (filters, advanced_filter_clear);

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      JsonObject *o;
      AdvancedFilter f = { NULL, NULL };
      JsonNode *type, *name;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        return NULL;
      o = json_node_get_object (el);
      name = json_object_get_member (o, "filter_name");
      type = json_object_get_member (o, "filter_type");
      if (name == NULL || !JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING ||
          type == NULL || !JSON_NODE_HOLDS_VALUE (type) || json_node_get_value_type (type) != G_TYPE_INT64 ||
          json_node_get_int (type) != 2)
        return NULL;

      f.name = g_strdup (json_node_get_string (name));
      f.value = scalar_to_string (json_object_get_member (o, "filter_value"));
      if (f.value == NULL || (sample && !json_object_has_member (sample, f.name)) ||
          (sample && !JSON_NODE_HOLDS_VALUE (json_object_get_member (sample, f.name))))
        {
          advanced_filter_clear (&f);
          return NULL;
        }
      g_array_append_val (filters, f);
    }

  return g_steal_pointer (&filters);
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle_folded)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle_folded) != NULL;
}

static gint64
client_toplevel (LsnSandboxHalo *self,
                 gint64          client_id)
{
  JsonObject *client = lsn_sandbox_halo_store_lookup (self->store, "Client", client_id);

  return client ? lsn_sandbox_halo_get_id (client, "toplevel_id") : -1;
}

static const char *order_member;

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a;
  JsonObject *y = *(JsonObject **) b;
  JsonNode *nx, *ny;

  if (order_member)
    {
      nx = json_object_get_member (x, order_member);
      ny = json_object_get_member (y, order_member);
      if (nx && ny && JSON_NODE_HOLDS_VALUE (nx) && JSON_NODE_HOLDS_VALUE (ny))
        {
          if (json_node_get_value_type (nx) == G_TYPE_STRING && json_node_get_value_type (ny) == G_TYPE_STRING)
            {
              int c = g_utf8_collate (json_node_get_string (nx), json_node_get_string (ny));

              if (c != 0)
                return c;
            }
          else if (json_node_get_value_type (nx) != G_TYPE_STRING && json_node_get_value_type (ny) != G_TYPE_STRING)
            {
              double dx = json_node_get_double (nx), dy = json_node_get_double (ny);

              if (dx != dy)
                return dx < dy ? -1 : 1;
            }
        }
    }

  {
    gint64 ix = lsn_sandbox_halo_get_id (x, "id"), iy = lsn_sandbox_halo_get_id (y, "id");

    return ix < iy ? -1 : ix > iy;
  }
}

static int
compare_rows_desc (gconstpointer a,
                   gconstpointer b)
{
  return compare_rows (b, a);
}

/* A list row: the record without what only the detail record carries. */
static JsonNode *
row_node (const Resource *res,
          JsonObject     *record,
          gboolean        include_lines)
{
  JsonObject *copy;
  g_autoptr(GList) members = NULL;

  if (!(res->flags & RES_LINES) || include_lines)
    return json_node_init_object (json_node_alloc (), record);

  copy = json_object_new ();
  members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;

      /* Quotation total and lines only come with the detail record (§9.7). */
      if (g_str_equal (name, "lines") || (g_str_equal (res->name, "Quotation") && g_str_equal (name, "total")))
        continue;
      json_object_set_member (copy, name, json_node_copy (json_object_get_member (record, name)));
    }
  return json_node_init_object (json_node_alloc (), copy);
}

static void
handle_list (LsnSandboxHalo    *self,
             SoupServerMessage *msg,
             const Resource    *res,
             GHashTable        *query)
{
  GPtrArray *rows = lsn_sandbox_halo_store_get_rows (self->store, res->name);
  g_autoptr(GPtrArray) hits = g_ptr_array_new ();
  g_autoptr(GArray) advanced = NULL;
  g_autofree char *search = NULL;
  gboolean include_active = TRUE, include_inactive = FALSE, pageinate = FALSE, include_lines = FALSE;
  gboolean orderdesc = FALSE;
  gint64 client_id = 0, site_id = 0, toplevel_id = 0, assetgroup_id = 0, page_size = 50, page_no = 1,
         count = -1;
  const char *activeinactive = query ? g_hash_table_lookup (query, "activeinactive") : NULL;
  const char *s;
  JsonArray *array;
  guint start = 0, end;
  g_autoptr(JsonNode) root = NULL;

  if (!param_bool (msg, query, "includeactive", TRUE, &include_active) ||
      !param_bool (msg, query, "includeinactive", FALSE, &include_inactive) ||
      !param_bool (msg, query, "pageinate", FALSE, &pageinate) ||
      !param_bool (msg, query, "includelines", FALSE, &include_lines) ||
      !param_bool (msg, query, "orderdesc", FALSE, &orderdesc) ||
      !param_int (msg, query, "page_size", 50, &page_size) ||
      !param_int (msg, query, "page_no", 1, &page_no) ||
      !param_int (msg, query, "count", -1, &count))
    return;

  if ((res->flags & RES_CLIENT) && !param_int (msg, query, "client_id", 0, &client_id))
    return;
  if ((res->flags & RES_SITE) && !param_int (msg, query, "site_id", 0, &site_id))
    return;
  if ((res->flags & RES_ASSETGROUP) && !param_int (msg, query, "assetgroup_id", 0, &assetgroup_id))
    return;
  if ((res->flags & RES_TOPLEVEL) &&
      !param_int (msg, query, (res->flags & RES_IS_ACTIVE) ? "toplevelid" : "toplevel_id", 0, &toplevel_id))
    return;

  /* "two comma separated values, the first sets includeactive and the second sets includeinactive" */
  if (activeinactive)
    {
      g_auto(GStrv) parts = g_strsplit (activeinactive, ",", 2);

      if (parts[0])
        include_active = g_ascii_strcasecmp (g_strstrip (parts[0]), "true") == 0;
      if (parts[0] && parts[1])
        include_inactive = g_ascii_strcasecmp (g_strstrip (parts[1]), "true") == 0;
    }

  s = query ? g_hash_table_lookup (query, "search") : NULL;
  if (s && *s)
    search = g_utf8_casefold (s, -1);

  s = query ? g_hash_table_lookup (query, "advanced_search") : NULL;
  if ((res->flags & RES_ADVANCED) && s && *s)
    {
      advanced = parse_advanced (s, rows->len ? g_ptr_array_index (rows, 0) : NULL);
      if (advanced == NULL)
        {
          respond_400_string (msg, "Invalid advanced search parameter");
          return;
        }
    }

  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *r = g_ptr_array_index (rows, i);

      if (res->flags & RES_INACTIVE)
        {
          gboolean inactive = json_object_get_boolean_member_with_default (r, "inactive", FALSE);

          if ((inactive && !include_inactive) || (!inactive && !include_active))
            continue;
        }
      if (res->flags & RES_IS_ACTIVE)
        {
          /* Whether HaloPSA lists deleted licences with includeinactive is not documented:
           * the stricter answer for a client is that it does (flagged "deleted": true). */
          if (json_object_get_boolean_member_with_default (r, "deleted", FALSE) && !include_inactive)
            continue;
          if (!json_object_get_boolean_member_with_default (r, "is_active", TRUE) && !include_inactive)
            continue;
        }
      if (client_id > 0 && lsn_sandbox_halo_get_id (r, "client_id") != client_id)
        continue;
      if (site_id > 0 && lsn_sandbox_halo_get_id (r, "site_id") != site_id)
        continue;
      if (assetgroup_id > 0 && lsn_sandbox_halo_get_id (r, "assetgroup_id") != assetgroup_id)
        continue;
      if (toplevel_id > 0)
        {
          gint64 tl = g_str_equal (res->name, "Client") ? lsn_sandbox_halo_get_id (r, "toplevel_id")
                                                        : client_toplevel (self, lsn_sandbox_halo_get_id (r, "client_id"));
          if (tl != toplevel_id)
            continue;
        }
      if (search)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < G_N_ELEMENTS (res->search) && res->search[j] && !found; j++)
            found = contains_casefold (json_object_get_string_member_with_default (r, res->search[j], NULL), search);
          if (!found)
            continue;
        }
      if (advanced)
        {
          gboolean ok = TRUE;

          for (guint j = 0; j < advanced->len && ok; j++)
            {
              AdvancedFilter *f = &g_array_index (advanced, AdvancedFilter, j);
              g_autofree char *v = scalar_to_string (json_object_get_member (r, f->name));

              ok = v && g_ascii_strcasecmp (v, f->value) == 0;
            }
          if (!ok)
            continue;
        }

      g_ptr_array_add (hits, r);
    }

  order_member = query ? g_hash_table_lookup (query, "order") : NULL;
  g_ptr_array_sort (hits, orderdesc ? compare_rows_desc : compare_rows);
  order_member = NULL;

  end = hits->len;
  if (res->list_key && pageinate)
    {
      /* Unknown: the server's maximum page_size; none is imposed. page_no is 1-based. */
      if (page_size < 1)
        page_size = 50;
      if (page_no < 1)
        page_no = 1;
      start = (guint) MIN ((guint64) (page_no - 1) * (guint64) page_size, hits->len);
      end = (guint) MIN ((guint64) start + (guint64) page_size, hits->len);
    }
  else if (res->list_key && count >= 0)
    end = (guint) MIN ((guint64) count, hits->len);
  /* Unknown: the default count without paging; everything is returned. */

  array = json_array_sized_new (end - start);
  for (guint i = start; i < end; i++)
    json_array_add_element (array, row_node (res, g_ptr_array_index (hits, i), include_lines));

  if (res->list_key == NULL)
    {
      root = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }
  else
    {
      JsonObject *env = json_object_new ();

      if (pageinate)
        {
          json_object_set_int_member (env, "page_no", page_no);
          json_object_set_int_member (env, "page_size", page_size);
          json_object_set_int_member (env, "record_count", hits->len);
        }
      else
        json_object_set_int_member (env, "record_count", end - start);
      json_object_set_array_member (env, res->list_key, array);
      root = json_node_init_object (json_node_alloc (), env);
      json_object_unref (env);
    }

  respond_json_node (msg, SOUP_STATUS_OK, root);
}

static void
handle_get_one (LsnSandboxHalo    *self,
                SoupServerMessage *msg,
                const Resource    *res,
                gint64             id)
{
  JsonObject *r = lsn_sandbox_halo_store_lookup (self->store, res->name, id);
  g_autoptr(JsonNode) node = NULL;

  if (r == NULL || json_object_get_boolean_member_with_default (r, "deleted", FALSE))
    {
      respond_empty (msg, SOUP_STATUS_NOT_FOUND);
      return;
    }

  node = json_node_init_object (json_node_alloc (), r);
  respond_json_node (msg, SOUP_STATUS_OK, node);
}

/* ---- Writes ----------------------------------------------------------------------------- */

static gboolean
in_list (const char  *name,
         const char **list,
         gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (name, list[i]))
      return TRUE;
  return FALSE;
}

/* Checks and normalises one member the way Halo's model binding would, or answers the 400. */
static gboolean
bind_member (SoupServerMessage *msg,
             guint              index,
             const char        *name,
             JsonNode          *node,
             JsonNode         **out)
{
  g_autofree char *field = g_strdup_printf ("[%u].%s", index, name);
  g_autofree char *where = g_strdup_printf ("Path '[%u].%s', line 1.", index, name);
  g_autofree char *shown = NULL;
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  *out = NULL;

  if (in_list (name, int_members, G_N_ELEMENTS (int_members)))
    {
      gint64 v;

      if (type == G_TYPE_INT64)
        {
          *out = json_node_copy (node);
          return TRUE;
        }
      if (type == G_TYPE_STRING && g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT32,
                                                              G_MAXINT32, &v, NULL))
        {
          *out = json_node_init_int (json_node_alloc (), v);
          return TRUE;
        }

      /* CIPP: Halo rejects 95.0-style ids on input. */
      shown = JSON_NODE_HOLDS_NULL (node) ? g_strdup ("{null}") : scalar_to_string (node);
      if (type == G_TYPE_DOUBLE)
        {
          g_autofree char *d = g_strdup_printf ("%.1f", json_node_get_double (node));
          g_autofree char *m = g_strdup_printf ("Input string '%s' is not a valid integer. %s", d, where);

          respond_400_binding (msg, field, m);
        }
      else
        {
          g_autofree char *m = g_strdup_printf ("Could not convert string to integer: %s. %s",
                                                shown ? shown : "", where);

          respond_400_binding (msg, field, m);
        }
      return FALSE;
    }

  if (in_list (name, bool_members, G_N_ELEMENTS (bool_members)))
    {
      if (type == G_TYPE_BOOLEAN)
        {
          *out = json_node_copy (node);
          return TRUE;
        }
      if (type == G_TYPE_STRING && (g_ascii_strcasecmp (json_node_get_string (node), "true") == 0 ||
                                    g_ascii_strcasecmp (json_node_get_string (node), "false") == 0))
        {
          *out = json_node_init_boolean (json_node_alloc (),
                                         g_ascii_strcasecmp (json_node_get_string (node), "true") == 0);
          return TRUE;
        }
      shown = scalar_to_string (node);
      {
        g_autofree char *m = g_strdup_printf ("Could not convert string to boolean: %s. %s", shown ? shown : "", where);

        respond_400_binding (msg, field, m);
      }
      return FALSE;
    }

  if (in_list (name, date_members, G_N_ELEMENTS (date_members)))
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) dt = NULL;

      if (JSON_NODE_HOLDS_NULL (node))
        {
          *out = json_node_copy (node);
          return TRUE;
        }
      if (type == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);

          dt = g_date_time_new_from_iso8601 (s, utc);
          if (dt == NULL && strlen (s) == 10)
            {
              /* A date without a time. */
              g_autofree char *full = g_strconcat (s, "T00:00:00", NULL);

              dt = g_date_time_new_from_iso8601 (full, utc);
            }
        }
      if (dt)
        {
          g_autofree char *norm = lsn_sandbox_halo_format_date (dt);

          *out = json_node_init_string (json_node_alloc (), norm);
          return TRUE;
        }
      shown = scalar_to_string (node);
      {
        g_autofree char *m = g_strdup_printf ("Could not convert string to DateTime: %s. %s", shown ? shown : "", where);

        respond_400_binding (msg, field, m);
      }
      return FALSE;
    }

  *out = json_node_copy (node);
  return TRUE;
}

static char *
now_string (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return lsn_sandbox_halo_format_date (now);
}

static const char *
string_member (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static gboolean
has_text (JsonObject *o,
          const char *name)
{
  const char *s = string_member (o, name);

  if (s == NULL)
    return FALSE;
  while (*s == ' ')
    s++;
  return *s != '\0';
}

static void
fk_error (SoupServerMessage *msg,
          const char        *table,
          const char        *column)
{
  g_autofree char *m = g_strdup_printf ("A database error occurred (547) - The INSERT statement conflicted with "
                                        "the FOREIGN KEY constraint \"FK_%s_%s\". The conflict occurred in "
                                        "database \"Halo\", column '%s'.", table, column, column);

  respond_400_exception (msg, m);
}

/* The business rules, one error at a time (Unknown: Halo's exact wording; these follow the
 * observed "Username must be entered" / "A Site must be selected"). Fills the derived fields. */
static gboolean
validate_and_derive (LsnSandboxHalo    *self,
                     SoupServerMessage *msg,
                     const Resource    *res,
                     JsonObject        *r)
{
  const char *n = res->name;
  gint64 client_id = lsn_sandbox_halo_get_id (r, "client_id");
  JsonObject *client = client_id > 0 ? lsn_sandbox_halo_store_lookup (self->store, "Client", client_id) : NULL;

  if (g_str_equal (n, "Users"))
    {
      gint64 site_id = lsn_sandbox_halo_get_id (r, "site_id");
      JsonObject *site;

      if (!has_text (r, "name"))
        {
          respond_400_string (msg, "Username must be entered");
          return FALSE;
        }
      if (site_id <= 0)
        {
          respond_400_string (msg, "A Site must be selected");
          return FALSE;
        }
      site = lsn_sandbox_halo_store_lookup (self->store, "Site", site_id);
      if (site == NULL)
        {
          fk_error (msg, "Users", "site_id");
          return FALSE;
        }
      client_id = lsn_sandbox_halo_get_id (site, "client_id");
      client = lsn_sandbox_halo_store_lookup (self->store, "Client", client_id);
      json_object_set_double_member (r, "site_id", (double) site_id);
      json_object_set_string_member (r, "site_name", string_member (site, "name"));
      json_object_set_int_member (r, "client_id", client_id);
      json_object_set_string_member (r, "client_name", client ? string_member (client, "name") : "");
      return TRUE;
    }

  if (g_str_equal (n, "Opportunities"))
    {
      if (!has_text (r, "summary"))
        {
          respond_400_string (msg, "A Summary must be entered");
          return FALSE;
        }
    }
  else if (g_str_equal (n, "Quotation") || g_str_equal (n, "RecurringInvoice"))
    {
      /* lines are checked below */
    }
  else if (!has_text (r, "name"))
    {
      g_autofree char *m = g_strdup_printf ("%s name must be entered",
                                            g_str_equal (n, "Client") ? "Client" :
                                            g_str_equal (n, "Site") ? "Site" :
                                            g_str_equal (n, "SoftwareLicence") ? "Licence" :
                                            g_str_equal (n, "Item") ? "Item" : "A");
      respond_400_string (msg, g_str_equal (m, "A name must be entered") ? "A Name must be entered" : m);
      return FALSE;
    }

  if (g_str_equal (n, "Site") || g_str_equal (n, "Quotation") || g_str_equal (n, "SoftwareLicence") ||
      g_str_equal (n, "RecurringInvoice"))
    {
      if (client_id <= 0)
        {
          respond_400_string (msg, "A Client must be selected");
          return FALSE;
        }
    }

  if (client_id > 0 && client == NULL)
    {
      fk_error (msg, n, "client_id");
      return FALSE;
    }

  if (client)
    {
      json_object_set_string_member (r, "client_name", string_member (client, "name"));
      if (g_str_equal (n, "Site"))
        {
          g_autofree char *cs = g_strdup_printf ("%s / %s", string_member (client, "name"), string_member (r, "name"));

          /* Halo quirk: Site.client_id is a double. */
          json_object_set_double_member (r, "client_id", (double) client_id);
          json_object_set_string_member (r, "clientsite_name", cs);
        }
    }

  if (g_str_equal (n, "Opportunities"))
    {
      gint64 status_id = lsn_sandbox_halo_get_id (r, "status_id");
      JsonObject *status;

      if (status_id <= 0)
        json_object_set_int_member (r, "status_id", status_id = 4);
      status = lsn_sandbox_halo_store_lookup (self->store, "Status", status_id);
      if (status == NULL)
        {
          fk_error (msg, "Faults", "status_id");
          return FALSE;
        }
      json_object_set_string_member (r, "status_name", string_member (status, "name"));
      if (lsn_sandbox_halo_get_id (r, "tickettype_id") <= 0)
        json_object_set_int_member (r, "tickettype_id", 3);
    }

  if (g_str_equal (n, "AssetType"))
    {
      JsonObject *group = lsn_sandbox_halo_store_lookup (self->store, "AssetGroup",
                                                         lsn_sandbox_halo_get_id (r, "assetgroup_id"));
      if (group == NULL)
        {
          respond_400_string (msg, "An Asset Group must be selected");
          return FALSE;
        }
      json_object_set_string_member (r, "assetgroup_name", string_member (group, "name"));
    }

  if (res->flags & RES_LINES)
    {
      JsonNode *lines_node = json_object_get_member (r, "lines");
      gboolean quote = g_str_equal (n, "Quotation");
      double net = 0, tax = 0;
      JsonArray *lines;

      if (lines_node && !JSON_NODE_HOLDS_ARRAY (lines_node) && !JSON_NODE_HOLDS_NULL (lines_node))
        {
          respond_400_binding (msg, "[0].lines", "Cannot deserialize the current JSON object into type "
                               "'System.Collections.Generic.List'. Path '[0].lines', line 1.");
          return FALSE;
        }
      lines = lines_node && JSON_NODE_HOLDS_ARRAY (lines_node) ? json_node_get_array (lines_node) : NULL;
      for (guint i = 0; lines && i < json_array_get_length (lines); i++)
        {
          JsonNode *ln = json_array_get_element (lines, i);
          JsonObject *line;
          const char *qty_member = quote ? "quantity" : "qty_order";
          const char *price_member = quote ? "baseprice" : "unit_price";
          double qty, price;
          gint64 item_id;

          if (!JSON_NODE_HOLDS_OBJECT (ln))
            {
              respond_400_binding (msg, "[0].lines", "Unexpected token in lines. Path '[0].lines', line 1.");
              return FALSE;
            }
          line = json_node_get_object (ln);
          item_id = lsn_sandbox_halo_get_id (line, "item_id");
          if (item_id > 0)
            {
              JsonObject *item = lsn_sandbox_halo_store_lookup (self->store, "Item", item_id);

              if (item == NULL)
                {
                  fk_error (msg, quote ? "QuotationDetail" : "InvoiceDetail", "item_id");
                  return FALSE;
                }
              if (!json_object_has_member (line, quote ? "name" : "item_shortdescription"))
                json_object_set_string_member (line, quote ? "name" : "item_shortdescription", string_member (item, "name"));
              if (!json_object_has_member (line, quote ? "productcode" : "item_code"))
                json_object_set_string_member (line, quote ? "productcode" : "item_code",
                                               string_member (item, "supplier_part_code"));
            }
          if (lsn_sandbox_halo_get_id (line, "id") <= 0)
            json_object_set_int_member (line, "id", lsn_sandbox_halo_store_next_line_id (self->store));
          /* Unknown: quantity and unit price names of quote lines (only in an old template, §10). */
          qty = json_object_get_double_member_with_default (line, qty_member, 1.0);
          price = json_object_get_double_member_with_default (line, price_member, 0.0);
          json_object_set_double_member (line, qty_member, qty);
          json_object_set_double_member (line, price_member, price);
          if (quote)
            {
              json_object_set_double_member (line, "net_total", qty * price);
              json_object_set_double_member (line, "total_tax", qty * price * 0.2);
              json_object_set_double_member (line, "total_price", qty * price * 1.2);
              json_object_set_int_member (line, "sort_seq", i + 1);
            }
          else
            {
              json_object_set_double_member (line, "net_amount", qty * price);
              json_object_set_double_member (line, "tax_amount", qty * price * 0.2);
            }
          net += qty * price;
          tax += qty * price * 0.2;
        }
      if (lines == NULL)
        json_object_set_array_member (r, "lines", json_array_new ());
      json_object_set_double_member (r, "tax_total", tax);
      json_object_set_double_member (r, "total", net + tax);
      if (quote)
        json_object_set_double_member (r, "revenue", net);
    }

  return TRUE;
}

static void
fill_defaults (const Resource *res,
               JsonObject     *r)
{
  const char *n = res->name;

  if (res->flags & RES_INACTIVE && !json_object_has_member (r, "inactive"))
    json_object_set_boolean_member (r, "inactive", FALSE);

  if (g_str_equal (n, "Client"))
    {
      if (!json_object_has_member (r, "toplevel_id"))
        {
          json_object_set_int_member (r, "toplevel_id", 1);
          json_object_set_string_member (r, "toplevel_name", "Customers");
        }
      if (!json_object_has_member (r, "main_site_id"))
        json_object_set_int_member (r, "main_site_id", -1);
    }
  else if (g_str_equal (n, "Site"))
    {
      if (!json_object_has_member (r, "maincontact_id"))
        json_object_set_int_member (r, "maincontact_id", -1);
      if (!json_object_has_member (r, "sla_id"))
        json_object_set_int_member (r, "sla_id", -1);
    }
  else if (g_str_equal (n, "Users"))
    {
      if (!json_object_has_member (r, "linked_agent_id"))
        json_object_set_int_member (r, "linked_agent_id", -1);
      if (!json_object_has_member (r, "name") && (has_text (r, "firstname") || has_text (r, "surname")))
        {
          g_autofree char *name = g_strdup_printf ("%s %s", string_member (r, "firstname") ? string_member (r, "firstname") : "",
                                                   string_member (r, "surname") ? string_member (r, "surname") : "");

          json_object_set_string_member (r, "name", g_strstrip (name));
        }
    }
  else if (g_str_equal (n, "SoftwareLicence"))
    {
      if (!json_object_has_member (r, "is_active"))
        json_object_set_boolean_member (r, "is_active", TRUE);
      if (!json_object_has_member (r, "deleted"))
        json_object_set_boolean_member (r, "deleted", FALSE);
      if (!json_object_has_member (r, "site_id"))
        json_object_set_int_member (r, "site_id", -1);
      if (!json_object_has_member (r, "count"))
        json_object_set_int_member (r, "count", 0);
    }
  else if (g_str_equal (n, "Opportunities"))
    {
      if (!json_object_has_member (r, "agent_id"))
        json_object_set_int_member (r, "agent_id", -1);
      if (!json_object_has_member (r, "deleted"))
        json_object_set_boolean_member (r, "deleted", FALSE);
      if (!json_object_has_member (r, "inactive"))
        json_object_set_boolean_member (r, "inactive", FALSE);
    }
  else if (g_str_equal (n, "RecurringInvoice"))
    {
      if (!json_object_has_member (r, "disabled"))
        json_object_set_boolean_member (r, "disabled", FALSE);
      json_object_set_boolean_member (r, "is_recurring_invoice", TRUE);
    }
  else if (g_str_equal (n, "Item"))
    {
      if (!json_object_has_member (r, "status"))
        json_object_set_int_member (r, "status", 0);
    }
}

/* A client's new name reaches the records that show it. */
static void
propagate_client_name (LsnSandboxHalo *self,
                       gint64          client_id,
                       const char     *name)
{
  static const char *dependants[] = {
    "Site", "Users", "Opportunities", "Quotation", "SoftwareLicence", "RecurringInvoice",
  };

  for (guint i = 0; i < G_N_ELEMENTS (dependants); i++)
    {
      GPtrArray *rows = lsn_sandbox_halo_store_get_rows (self->store, dependants[i]);

      for (guint j = 0; j < rows->len; j++)
        {
          JsonObject *r = g_ptr_array_index (rows, j);

          if (lsn_sandbox_halo_get_id (r, "client_id") != client_id)
            continue;
          json_object_set_string_member (r, "client_name", name);
          if (g_str_equal (dependants[i], "Site"))
            {
              g_autofree char *cs = g_strdup_printf ("%s / %s", name, string_member (r, "name"));

              json_object_set_string_member (r, "clientsite_name", cs);
            }
        }
    }
}

static void
handle_post (LsnSandboxHalo    *self,
             SoupServerMessage *msg,
             const Resource    *res)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) last = NULL;
  gboolean last_created = FALSE;
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error) ||
      (root = json_parser_get_root (parser)) == NULL)
    {
      respond_400_binding (msg, "", "Unexpected character encountered while parsing value. Path '', line 1.");
      return;
    }

  /* Every POST body is an array (§4). */
  if (!JSON_NODE_HOLDS_ARRAY (root) || json_array_get_length (json_node_get_array (root)) == 0)
    {
      respond_400_binding (msg, "", "Cannot deserialize the current JSON object into type "
                           "'System.Collections.Generic.List`1' because the type requires a JSON array. "
                           "Path '', line 1.");
      return;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      g_autoptr(JsonObject) merged = json_object_new ();
      g_autoptr(GList) members = NULL;
      JsonObject *sent, *existing = NULL;
      gint64 id = 0;
      gboolean validate_only = FALSE;
      g_autofree char *now = now_string ();
      const char *old_name = NULL;
      g_autofree char *old_name_copy = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        {
          g_autofree char *field = g_strdup_printf ("[%u]", i);

          respond_400_binding (msg, field, "Unexpected token when deserializing object. Path '', line 1.");
          return;
        }
      sent = json_node_get_object (el);

      /* Type checks first, like model binding. */
      members = json_object_get_members (sent);
      for (GList *l = members; l; l = l->next)
        {
          const char *name = l->data;
          JsonNode *bound = NULL;

          if (!bind_member (msg, i, name, json_object_get_member (sent, name), &bound))
            return;
          if (g_str_equal (name, "id"))
            id = json_node_get_int (bound);
          if (g_str_equal (name, "_validateonly") && JSON_NODE_HOLDS_VALUE (bound) &&
              json_node_get_value_type (bound) == G_TYPE_BOOLEAN)
            validate_only = json_node_get_boolean (bound);
          /* Underscore members are write-only control flags (§4). */
          if (name[0] == '_')
            {
              json_node_unref (bound);
              continue;
            }
          json_object_set_member (merged, name, bound);
        }

      if (id != 0)
        {
          existing = lsn_sandbox_halo_store_lookup (self->store, res->name, id);
          if (existing == NULL || json_object_get_boolean_member_with_default (existing, "deleted", FALSE))
            {
              /* A strict update: Halo never inserts for an unknown id (§4). */
              respond_400_string (msg, "Record not found");
              return;
            }
          old_name = string_member (existing, "name");
          old_name_copy = g_strdup (old_name);

          /* Only the members sent change. */
          {
            g_autoptr(GList) old_members = json_object_get_members (existing);

            for (GList *l = old_members; l; l = l->next)
              if (!json_object_has_member (merged, l->data))
                json_object_set_member (merged, l->data,
                                        json_node_copy (json_object_get_member (existing, l->data)));
          }
        }
      else
        {
          json_object_remove_member (merged, "id");
          fill_defaults (res, merged);
          if (res->created)
            json_object_set_string_member (merged, res->created, now);
        }

      if (!validate_and_derive (self, msg, res, merged))
        return;

      if (res->updated)
        json_object_set_string_member (merged, res->updated, now);
      if (g_str_equal (res->name, "Site"))
        json_object_set_string_member (merged, "uptimestamp", now);

      if (!validate_only)
        {
          if (id == 0)
            json_object_set_int_member (merged, "id", lsn_sandbox_halo_store_next_id (self->store, res->name));
          lsn_sandbox_halo_store_put (self->store, res->name, merged);

          {
            gint64 rid = lsn_sandbox_halo_get_id (merged, "id");
            JsonNode *lines = json_object_get_member (merged, "lines");

            for (guint j = 0; lines && JSON_NODE_HOLDS_ARRAY (lines) && j < json_array_get_length (json_node_get_array (lines)); j++)
              {
                JsonNode *ln = json_array_get_element (json_node_get_array (lines), j);

                if (JSON_NODE_HOLDS_OBJECT (ln))
                  json_object_set_int_member (json_node_get_object (ln),
                                              g_str_equal (res->name, "Quotation") ? "qhid" : "ihid", rid);
              }

            if (g_str_equal (res->name, "Client") && existing &&
                g_strcmp0 (old_name_copy, string_member (merged, "name")) != 0)
              propagate_client_name (self, rid, string_member (merged, "name"));
          }
        }

      g_clear_pointer (&last, json_object_unref);
      last = json_object_ref (merged);
      last_created = id == 0;
    }

  /* Unknown: the answer to several objects in one POST; the last record is returned, as an object
   * (the documented answer is the written record as an object). Creates answer 201 (SPEC2),
   * updates 200 (SPEC1): clients must take any 2xx. */
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), last);

    respond_json_node (msg, last_created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, node);
  }
}

static void
handle_delete (LsnSandboxHalo    *self,
               SoupServerMessage *msg,
               const Resource    *res,
               gint64             id)
{
  JsonObject *r = lsn_sandbox_halo_store_lookup (self->store, res->name, id);

  if (r == NULL || json_object_get_boolean_member_with_default (r, "deleted", FALSE))
    {
      respond_empty (msg, SOUP_STATUS_NOT_FOUND);
      return;
    }

  /* Unknown: whether a deleted software licence is kept and flagged. It is (the stricter case
   * for a client): gone from GET and writes, still listed with includeinactive. */
  if (res->flags & RES_IS_ACTIVE)
    {
      json_object_set_boolean_member (r, "deleted", TRUE);
      respond_empty (msg, SOUP_STATUS_OK);
      return;
    }

  if (g_str_equal (res->name, "Client"))
    {
      GPtrArray *sites = lsn_sandbox_halo_store_get_rows (self->store, "Site");

      for (guint i = 0; i < sites->len; i++)
        if (lsn_sandbox_halo_get_id (g_ptr_array_index (sites, i), "client_id") == id)
          {
            /* Unknown: Halo's wording; a business refusal is a bare string (§4). */
            respond_400_string (msg, "This Client has Sites linked to it and cannot be deleted. "
                                     "Mark the Client as inactive instead");
            return;
          }
    }

  lsn_sandbox_halo_store_remove (self->store, res->name, id);
  /* Unknown: the body of a DELETE answer; none is sent (stricter than an {"id"} body). */
  respond_empty (msg, SOUP_STATUS_OK);
}

/* ---- Routing ---------------------------------------------------------------------------- */

static const Resource *
find_resource (const char *name,
               gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (resource_table); i++)
    if (strlen (resource_table[i].name) == len && g_ascii_strncasecmp (resource_table[i].name, name, len) == 0)
      return &resource_table[i];
  return NULL;
}

typedef enum
{
  KIND_UNKNOWN,
  KIND_TOKEN,
  KIND_AUTHINFO,
  KIND_INSTANCEINFO,
  KIND_COLLECTION,
  KIND_RECORD,
} RouteKind;

typedef struct
{
  RouteKind       kind;
  const Resource *res;
  char           *id_text;
  char           *name;    /* for the stats: "GET /api/Client/{id}" */
} Route;

static void
route_clear (Route *route)
{
  g_free (route->id_text);
  g_free (route->name);
}

static void
parse_route (const char *method,
             const char *path,
             Route      *route)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  memset (route, 0, sizeof *route);
  parts = g_strsplit (path[0] == '/' ? path + 1 : path, "/", -1);
  n = g_strv_length (parts);
  if (n > 0 && parts[n - 1][0] == '\0')
    n--;   /* trailing slash */

  if (n == 2 && g_ascii_strcasecmp (parts[0], "auth") == 0 && g_ascii_strcasecmp (parts[1], "token") == 0)
    {
      route->kind = KIND_TOKEN;
      route->name = g_strdup_printf ("%s /auth/token", method);
      return;
    }

  if (n >= 2 && g_ascii_strcasecmp (parts[0], "api") == 0)
    {
      if (n == 2 && g_ascii_strcasecmp (parts[1], "authinfo") == 0)
        {
          route->kind = KIND_AUTHINFO;
          route->name = g_strdup_printf ("%s /api/authinfo", method);
          return;
        }
      if (n == 2 && g_ascii_strcasecmp (parts[1], "InstanceInfo") == 0)
        {
          route->kind = KIND_INSTANCEINFO;
          route->name = g_strdup_printf ("%s /api/InstanceInfo", method);
          return;
        }

      route->res = find_resource (parts[1], strlen (parts[1]));
      if (route->res && n == 2)
        {
          route->kind = KIND_COLLECTION;
          route->name = g_strdup_printf ("%s /api/%s", method, route->res->name);
          return;
        }
      if (route->res && n == 3)
        {
          route->kind = KIND_RECORD;
          route->id_text = g_strdup (parts[2]);
          route->name = g_strdup_printf ("%s /api/%s/{id}", method, route->res->name);
          return;
        }
    }

  route->kind = KIND_UNKNOWN;
  route->name = g_strdup_printf ("%s %s", method, path);
}

static void
handle_api (LsnSandboxHalo    *self,
            SoupServerMessage *msg,
            Route             *route)
{
  const char *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) query = g_uri_get_query (uri) ? soup_form_decode (g_uri_get_query (uri)) : NULL;

  switch (route->kind)
    {
    case KIND_TOKEN:
      handle_token (self, msg);
      return;

    case KIND_AUTHINFO:
      {
        g_autofree char *body = g_strdup_printf ("{\"auth_url\":\"%s/auth\",\"tenant_id\":\"%s\"}", self->url, TENANT);

        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY, body, strlen (body));
        return;
      }

    case KIND_INSTANCEINFO:
      {
        static const char body[] = "{\"version\":\"2.250.32\",\"name\":\"Liaison sandbox\"}";

        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_STATIC, body, strlen (body));
        return;
      }

    case KIND_UNKNOWN:
    case KIND_COLLECTION:
    case KIND_RECORD:
    default:
      break;
    }

  if (!check_bearer (self, msg))
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  if (route->kind == KIND_UNKNOWN)
    {
      respond_empty (msg, SOUP_STATUS_NOT_FOUND);
      return;
    }

  if (route->kind == KIND_COLLECTION)
    {
      if (g_str_equal (method, "GET"))
        handle_list (self, msg, route->res, query);
      else if (g_str_equal (method, "POST"))
        handle_post (self, msg, route->res);
      else
        respond_empty (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }

  {
    gint64 id;

    if (!g_ascii_string_to_signed (route->id_text, 10, G_MININT32, G_MAXINT32, &id, NULL))
      {
        g_autofree char *m = g_strdup_printf ("The value '%s' is not valid.", route->id_text);

        respond_400_binding (msg, "id", m);
        return;
      }

    if (g_str_equal (method, "GET"))
      handle_get_one (self, msg, route->res, id);
    else if (g_str_equal (method, "DELETE"))
      handle_delete (self, msg, route->res, id);
    else
      respond_empty (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
  }
}

/* ---- Control endpoints (/_sandbox/): outside the limit, not counted --------------------- */

static void
handle_control (LsnSandboxHalo    *self,
                SoupServerMessage *msg,
                const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_ascii_strcasecmp (path, "/_sandbox/stats") == 0 && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) node = lsn_sandbox_stats_to_json_node (self->stats);

      respond_json_node (msg, SOUP_STATUS_OK, node);
    }
  else if (g_ascii_strcasecmp (path, "/_sandbox/config") == 0 && g_str_equal (method, "POST"))
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      g_autoptr(GError) error = NULL;
      LsnSandboxConfig config;

      if (!lsn_sandbox_config_parse (&config, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error))
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, error->message);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          respond_json_node (msg, SOUP_STATUS_BAD_REQUEST, root);
          return;
        }
      lsn_sandbox_halo_configure (self, &config);
      lsn_sandbox_config_clear (&config);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"ok\":true}", 11);
    }
  else if (g_ascii_strcasecmp (path, "/_sandbox/invoice.csv") == 0 && g_str_equal (method, "GET"))
    {
      const char *csv = lsn_sandbox_halo_store_get_invoice_csv (self->store);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_COPY, csv, strlen (csv));
    }
  else
    respond_empty (msg, SOUP_STATUS_NOT_FOUND);
}

typedef struct
{
  LsnSandboxHalo      *self;
  Route                route;
  LsnSandboxFaultKind  fault;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;

  route_clear (&p->route);
  g_object_unref (p->self);
  g_free (p);
}

static void
finish_request (LsnSandboxHalo      *self,
                SoupServerMessage   *msg,
                Route               *route,
                LsnSandboxFaultKind  fault)
{
  handle_api (self, msg, route);

  if (fault == LSN_SANDBOX_FAULT_TRUNCATE && SOUP_STATUS_IS_SUCCESSFUL (soup_server_message_get_status (msg)))
    lsn_sandbox_faults_truncate (msg);
}

static void
deferred_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  Pending *p = user_data;

  finish_request (p->self, msg, &p->route, p->fault);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  LsnSandboxHalo *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  Route route;
  LsnSandboxFaultKind fault;

  if (g_ascii_strncasecmp (path, "/_sandbox/", 10) == 0)
    {
      handle_control (self, msg, path);
      return;
    }

  parse_route (method, path, &route);
  lsn_sandbox_stats_count_request (self->stats, route.name);

  if (!lsn_sandbox_limiter_admit (self->limiter, g_get_monotonic_time (), NULL))
    {
      lsn_sandbox_stats_count_throttled (self->stats);
      respond_429 (self, msg);
      route_clear (&route);
      return;
    }

  fault = lsn_sandbox_faults_decide (self->faults, route.name);
  if (fault != LSN_SANDBOX_FAULT_NONE)
    {
      lsn_sandbox_stats_count_fault (self->stats);
      if (fault == LSN_SANDBOX_FAULT_429)
        {
          respond_429 (self, msg);
          route_clear (&route);
          return;
        }
      if (lsn_sandbox_faults_respond (self->faults, msg, fault))
        {
          route_clear (&route);
          return;
        }
    }

  if (self->latency_ms > 0)
    {
      Pending *p = g_new0 (Pending, 1);

      p->self = g_object_ref (self);
      p->route = route;
      p->fault = fault;
      lsn_sandbox_defer_message (msg, self->latency_ms, deferred_cb, p, pending_free);
      return;
    }

  finish_request (self, msg, &route, fault);
  route_clear (&route);
}

/* ---- Public ----------------------------------------------------------------------------- */

/**
 * lsn_sandbox_halo_listen:
 * @port: the port, or 0 for any free one
 *
 * Returns: %TRUE when the server listens on 127.0.0.1
 */
gboolean
lsn_sandbox_halo_listen (LsnSandboxHalo  *self,
                         guint            port,
                         GError         **error)
{
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (LSN_IS_SANDBOX_HALO (self), FALSE);

  self->server = soup_server_new ("server-header", "Liaison-Sandbox-HaloPSA ", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  lsn_sandbox_close_abandoned_connections (self->server);
  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", uris ? g_uri_get_port (uris->data) : 0);
  return TRUE;
}

/**
 * lsn_sandbox_halo_disconnect:
 *
 * Stops listening and closes the connections.
 */
void
lsn_sandbox_halo_disconnect (LsnSandboxHalo *self)
{
  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

/**
 * lsn_sandbox_halo_get_url:
 *
 * Returns: (nullable): "http://127.0.0.1:PORT"
 */
const char *
lsn_sandbox_halo_get_url (LsnSandboxHalo *self)
{
  return self->url;
}

/**
 * lsn_sandbox_halo_add_ready_json:
 * @builder: a builder inside an object
 *
 * Adds the "halopsa" member of the ready line: url, auth_url, tenant, client_id, client_secret.
 */
void
lsn_sandbox_halo_add_ready_json (LsnSandboxHalo *self,
                                 JsonBuilder    *builder)
{
  g_autofree char *auth_url = g_strconcat (self->url, "/auth", NULL);

  json_builder_set_member_name (builder, "halopsa");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  json_builder_set_member_name (builder, "auth_url");
  json_builder_add_string_value (builder, auth_url);
  json_builder_set_member_name (builder, "tenant");
  json_builder_add_string_value (builder, TENANT);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, self->client_id);
  json_builder_set_member_name (builder, "client_secret");
  json_builder_add_string_value (builder, self->client_secret);
  json_builder_end_object (builder);
}

/**
 * lsn_sandbox_halo_configure:
 *
 * Applies a run-time change (see #LsnSandboxConfig). A new token lifetime applies to tokens issued
 * from now on.
 */
void
lsn_sandbox_halo_configure (LsnSandboxHalo         *self,
                            const LsnSandboxConfig *config)
{
  g_return_if_fail (LSN_IS_SANDBOX_HALO (self));

  lsn_sandbox_config_apply_faults (config, self->faults);
  if (config->has_latency_ms)
    self->latency_ms = config->latency_ms;
  if (config->has_limit)
    lsn_sandbox_limiter_configure (self->limiter, config->limit, config->window_seconds);
  if (config->reset_limit)
    lsn_sandbox_limiter_reset (self->limiter);
  if (config->has_token_lifetime)
    self->token_lifetime = MAX (config->token_lifetime, 1);
  if (config->reset_stats)
    lsn_sandbox_stats_reset (self->stats);
}

/**
 * lsn_sandbox_halo_get_stats_json:
 *
 * Returns: (transfer full): the /_sandbox/stats JSON
 */
char *
lsn_sandbox_halo_get_stats_json (LsnSandboxHalo *self)
{
  return lsn_sandbox_stats_to_json (self->stats);
}
