/* lsn-sandbox-cw.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated ConnectWise Manage server (reference/connectwise-api.md): the HTTP side.
 *
 *   GET  /login/companyinfo/{company}        no auth; PascalCase; JSON null for an unknown company
 *   *    /v4_6_release/apis/3.0/...          Basic auth (company+public:private) and clientId;
 *                                            served by LsnCwStore
 *   GET  /_sandbox/stats, POST /_sandbox/config   the sandbox's own controls
 *
 * Every request (the sandbox's own controls aside) counts against the rolling-window limit
 * (429 with Retry-After and the Developer Guide's body), may be delayed by the configured latency
 * and may get an injected fault.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "lsn-sandbox-connections.h"
#include "lsn-sandbox-cw.h"
#include "lsn-sandbox-cw-seed.h"
#include "lsn-sandbox-cw-store.h"
#include "lsn-sandbox-faults.h"
#include "lsn-sandbox-limiter.h"
#include "lsn-sandbox-stats.h"

#define CW_CODEBASE     "v4_6_release/"
#define CW_COMPANY      "sandbox"
#define CW_MEMBER       "LiaisonAPI"
#define CW_API_VERSION  "2025.16"

struct _LsnSandboxCw
{
  GObject            parent_instance;

  LsnSandboxOptions  options;
  GPtrArray         *companies;   /* until seeded */
  SoupServer        *server;
  char              *url;
  char              *api_base;
  char              *public_key;
  char              *private_key;
  char              *client_id;
  char              *authorization;

  LsnCwStore        *store;
  LsnSandboxLimiter *limiter;
  LsnSandboxFaults  *faults;
  LsnSandboxStats   *stats;
  guint              latency_ms;
};

G_DEFINE_FINAL_TYPE (LsnSandboxCw, lsn_sandbox_cw, G_TYPE_OBJECT)

static void
lsn_sandbox_cw_finalize (GObject *object)
{
  LsnSandboxCw *self = (LsnSandboxCw *) object;

  lsn_sandbox_cw_disconnect (self);
  g_clear_pointer (&self->companies, g_ptr_array_unref);
  g_clear_pointer (&self->store, lsn_cw_store_free);
  g_free (self->url);
  g_free (self->api_base);
  g_free (self->public_key);
  g_free (self->private_key);
  g_free (self->client_id);
  g_free (self->authorization);
  g_clear_object (&self->limiter);
  g_clear_object (&self->faults);
  g_clear_object (&self->stats);

  G_OBJECT_CLASS (lsn_sandbox_cw_parent_class)->finalize (object);
}

static void
lsn_sandbox_cw_class_init (LsnSandboxCwClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_cw_finalize;
}

static void
lsn_sandbox_cw_init (LsnSandboxCw *self)
{
  self->stats = lsn_sandbox_stats_new ();
}

/* Keys derived from the seed: the same seed gives the same connection settings. */
static char *
derive_hex (guint64     seed,
            const char *purpose,
            guint       length)
{
  g_autofree char *input = g_strdup_printf ("liaison-sandbox-cw:%s:%" G_GUINT64_FORMAT, purpose, seed);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  return g_strndup (digest, length);
}

/**
 * lsn_sandbox_cw_new:
 * @options: the sandbox's options
 * @companies: (element-type LsnSandboxCompany): the shared data set
 *
 * Returns: (transfer full): a new server, not listening yet
 */
LsnSandboxCw *
lsn_sandbox_cw_new (const LsnSandboxOptions *options,
                    GPtrArray               *companies)
{
  LsnSandboxCw *self = g_object_new (LSN_TYPE_SANDBOX_CW, NULL);
  g_autofree char *guid = NULL;

  self->options = *options;
  self->companies = companies ? g_ptr_array_ref (companies) : NULL;
  self->limiter = lsn_sandbox_limiter_new (options->cw_limit, options->cw_window);
  self->faults = lsn_sandbox_faults_new (options->seed ^ G_GUINT64_CONSTANT (0xc0ec7715e));
  lsn_sandbox_faults_set_rate (self->faults, options->fault_rate);
  if (options->stall_ms)
    lsn_sandbox_faults_set_stall_ms (self->faults, options->stall_ms);
  self->latency_ms = options->latency_ms;

  self->public_key = derive_hex (options->seed, "public", 16);
  self->private_key = derive_hex (options->seed, "private", 16);
  guid = derive_hex (options->seed, "client", 32);
  self->client_id = g_strdup_printf ("%.8s-%.4s-4%.3s-a%.3s-%.12s", guid, guid + 8, guid + 12, guid + 15, guid + 18);

  {
    g_autofree char *plain = g_strdup_printf ("%s+%s:%s", CW_COMPANY, self->public_key, self->private_key);
    g_autofree char *encoded = g_base64_encode ((const guchar *) plain, strlen (plain));

    self->authorization = g_strdup_printf ("Basic %s", encoded);
  }

  return self;
}

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body)
    soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                      body, strlen (body));
}

static void
answer_error (SoupServerMessage *msg,
              guint              status,
              const char        *code,
              const char        *message)
{
  g_autofree char *body = lsn_cw_error_body (code, message, NULL, NULL, NULL);

  set_json (msg, status, body);
}

static void
handle_companyinfo (LsnSandboxCw      *self,
                    SoupServerMessage *msg,
                    const char        *company)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  if (g_ascii_strcasecmp (company, CW_COMPANY) != 0)
    {
      set_json (msg, SOUP_STATUS_OK, "null");
      return;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "CompanyName");
  json_builder_add_string_value (b, "Sandbox MSP");
  json_builder_set_member_name (b, "Codebase");
  json_builder_add_string_value (b, CW_CODEBASE);
  json_builder_set_member_name (b, "VersionCode");
  json_builder_add_string_value (b, "v" CW_API_VERSION);
  json_builder_set_member_name (b, "VersionNumber");
  json_builder_add_string_value (b, "v4.6.2025016");
  json_builder_set_member_name (b, "CompanyID");
  json_builder_add_string_value (b, CW_COMPANY);
  /* The Developer Guide writes IsCloud as a string ("True"); the sandbox follows it. */
  json_builder_set_member_name (b, "IsCloud");
  json_builder_add_string_value (b, "False");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  set_json (msg, SOUP_STATUS_OK, body);
}

/* 401 for missing or wrong credentials, 403 for a missing or unknown clientId. The reference
 * documents 401 = bad credentials and the clientId as required; which status a missing clientId
 * gets is not documented, the sandbox refuses it with 403. */
static gboolean
check_auth (LsnSandboxCw      *self,
            SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *client_id = soup_message_headers_get_one (headers, "clientId");

  if (authorization == NULL || g_strcmp0 (authorization, self->authorization) != 0)
    {
      answer_error (msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized",
                    authorization == NULL
                    ? "Authorization has been denied for this request: no Authorization header (Basic company+publicKey:privateKey)."
                    : "Authorization has been denied for this request: the company, public key or private key is not valid.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"ConnectWise\"");
      return FALSE;
    }

  if (client_id == NULL || g_ascii_strcasecmp (client_id, self->client_id) != 0)
    {
      answer_error (msg, SOUP_STATUS_FORBIDDEN, "Security",
                    client_id == NULL
                    ? "A clientId header is required for all API calls."
                    : "The clientId is not valid.");
      return FALSE;
    }

  return TRUE;
}

static void
handle_api (LsnSandboxCw      *self,
            SoupServerMessage *msg,
            const char        *api_path,
            GHashTable        *query)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
  const char *pagination = soup_message_headers_get_one (request_headers, "pagination-type");
  LsnCwRequest request = { 0 };
  LsnCwResponse response = { 0 };

  if (!check_auth (self, msg))
    return;

  request.method = soup_server_message_get_method (msg);
  request.path = api_path;
  request.query = query;
  request.forward_only = pagination && g_ascii_strcasecmp (pagination, "forward-only") == 0;
  request.body = g_bytes_get_size (body) ? g_bytes_get_data (body, NULL) : NULL;
  request.body_length = g_bytes_get_size (body);
  request.base_url = self->api_base;
  request.member = CW_MEMBER;

  lsn_cw_store_handle (self->store, &request, &response);

  soup_message_headers_replace (response_headers, "api-current-version", CW_API_VERSION);
  soup_message_headers_replace (response_headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (response_headers, "Pragma", "no-cache");
  if (response.link)
    soup_message_headers_replace (response_headers, "Link", response.link);

  if (response.body)
    set_json (msg, response.status, response.body);
  else
    soup_server_message_set_status (msg, response.status, NULL);

  lsn_cw_response_clear (&response);
}

static void
handle_sandbox (LsnSandboxCw      *self,
                SoupServerMessage *msg,
                const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/_sandbox/stats") && g_str_equal (method, "GET"))
    {
      g_autofree char *json = lsn_sandbox_cw_get_stats_json (self);

      set_json (msg, SOUP_STATUS_OK, json);
      return;
    }

  if (g_str_equal (path, "/_sandbox/config") && g_str_equal (method, "POST"))
    {
      SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
      g_autoptr(GError) error = NULL;
      LsnSandboxConfig config;

      if (!lsn_sandbox_config_parse (&config, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), &error))
        {
          answer_error (msg, SOUP_STATUS_BAD_REQUEST, "InvalidObject", error->message);
          return;
        }
      lsn_sandbox_cw_configure (self, &config);
      lsn_sandbox_config_clear (&config);
      set_json (msg, SOUP_STATUS_OK, "{\"ok\":true}");
      return;
    }

  answer_error (msg, SOUP_STATUS_NOT_FOUND, "NotFound", "Unknown sandbox control.");
}

static void
nothing_due (SoupServerMessage *msg,
             gpointer           user_data)
{
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  LsnSandboxCw *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *api_prefix = "/" CW_CODEBASE "apis/3.0/";
  g_autofree char *route = NULL;
  LsnSandboxFaultKind fault;
  guint retry_after = 0;

  if (g_str_has_prefix (path, "/_sandbox/"))
    {
      handle_sandbox (self, msg, path);
      return;
    }

  if (g_str_has_prefix (path, api_prefix))
    route = lsn_cw_store_route_name (self->store, method, path + strlen (api_prefix));
  else if (g_str_has_prefix (path, "/login/companyinfo/"))
    route = g_strdup_printf ("%s /login/companyinfo/{company}", method);
  else
    route = g_strdup_printf ("%s %s", method, path);

  lsn_sandbox_stats_count_request (self->stats, route);

  if (!lsn_sandbox_limiter_admit (self->limiter, g_get_monotonic_time (), &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", MAX (retry_after, 1));
      g_autofree char *body = g_strdup_printf ("{\"error\":\"ConnectWiseAPI\",\"message\":\"Too many requests. Please try again in %u seconds.\"}",
                                               MAX (retry_after, 1));

      lsn_sandbox_stats_count_throttled (self->stats);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
      set_json (msg, 429, body);
      return;
    }

  fault = lsn_sandbox_faults_decide (self->faults, route);
  if (fault != LSN_SANDBOX_FAULT_NONE)
    lsn_sandbox_stats_count_fault (self->stats);

  if (fault == LSN_SANDBOX_FAULT_429)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      set_json (msg, 429,
                "{\"error\":\"ConnectWiseAPI\",\"message\":\"Too many requests. Please try again in 1 seconds.\"}");
      return;
    }
  if (fault == LSN_SANDBOX_FAULT_500)
    {
      answer_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "ConnectWiseApi",
                    "A timeout has occured. Please try again.");
      return;
    }
  if (fault != LSN_SANDBOX_FAULT_TRUNCATE && lsn_sandbox_faults_respond (self->faults, msg, fault))
    return;

  if (g_str_has_prefix (path, api_prefix))
    handle_api (self, msg, path + strlen (api_prefix), query);
  else if (g_str_has_prefix (path, "/login/companyinfo/") && g_str_equal (method, "GET")
           && path[strlen ("/login/companyinfo/")] != '\0' && strchr (path + strlen ("/login/companyinfo/"), '/') == NULL)
    handle_companyinfo (self, msg, path + strlen ("/login/companyinfo/"));
  else
    {
      /* Observed on misrouted calls: a plain-text answer, not JSON. */
      static const char text[] = "Cannot route. Codebase/company is invalid";

      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
    }

  if (fault == LSN_SANDBOX_FAULT_TRUNCATE)
    lsn_sandbox_faults_truncate (msg);

  /* The answer is ready; latency holds it back without blocking the sandbox thread. */
  if (self->latency_ms > 0)
    lsn_sandbox_defer_message (msg, self->latency_ms, nothing_due, NULL, NULL);
}

/**
 * lsn_sandbox_cw_listen:
 * @port: the port, 0 for any free one
 *
 * Listens on 127.0.0.1 and seeds the data (its `_href`s carry the address).
 *
 * Returns: %TRUE on success
 */
gboolean
lsn_sandbox_cw_listen (LsnSandboxCw  *self,
                       guint          port,
                       GError       **error)
{
  g_autoslist(GUri) uris = NULL;

  self->server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  lsn_sandbox_close_abandoned_connections (self->server);
  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", uris ? g_uri_get_port (uris->data) : 0);
  self->api_base = g_strdup_printf ("%s/%sapis/3.0", self->url, CW_CODEBASE);

  self->store = lsn_cw_store_new (self->api_base);
  lsn_cw_seed (self->store, self->companies, self->options.seed);
  g_clear_pointer (&self->companies, g_ptr_array_unref);

  return TRUE;
}

void
lsn_sandbox_cw_disconnect (LsnSandboxCw *self)
{
  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

const char *
lsn_sandbox_cw_get_url (LsnSandboxCw *self)
{
  return self->url;
}

/**
 * lsn_sandbox_cw_add_ready_json:
 *
 * Adds `"connectwise": {"url", "company", "public_key", "private_key", "client_id"}` to the
 * ready line, with the keys of a profile's connection.
 */
void
lsn_sandbox_cw_add_ready_json (LsnSandboxCw *self,
                               JsonBuilder  *builder)
{
  json_builder_set_member_name (builder, "connectwise");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  json_builder_set_member_name (builder, "company");
  json_builder_add_string_value (builder, CW_COMPANY);
  json_builder_set_member_name (builder, "public_key");
  json_builder_add_string_value (builder, self->public_key);
  json_builder_set_member_name (builder, "private_key");
  json_builder_add_string_value (builder, self->private_key);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, self->client_id);
  json_builder_end_object (builder);
}

void
lsn_sandbox_cw_configure (LsnSandboxCw           *self,
                          const LsnSandboxConfig *config)
{
  lsn_sandbox_config_apply_faults (config, self->faults);
  if (config->has_latency_ms)
    self->latency_ms = config->latency_ms;
  if (config->has_limit)
    lsn_sandbox_limiter_configure (self->limiter, config->limit, config->window_seconds);
  if (config->reset_limit)
    lsn_sandbox_limiter_reset (self->limiter);
  if (config->reset_stats)
    lsn_sandbox_stats_reset (self->stats);
}

char *
lsn_sandbox_cw_get_stats_json (LsnSandboxCw *self)
{
  return lsn_sandbox_stats_to_json (self->stats);
}
