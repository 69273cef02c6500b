/* lsn-halopsa-auth.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-halopsa"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-halopsa-auth.h"
#include "lsn-util.h"

/* OAuth2 client credentials against Halo's authorisation server (reference/halopsa-api.md §1):
 * POST {auth_url}/token[?tenant=…], form-encoded grant_type, client_id, client_secret, scope.
 * The token is cached and renewed shortly before it expires, and at once when an API call got a
 * 401 (the HTTP client then asks with force_renew). When the authorisation server URL is not set
 * it is read from the unauthenticated GET /api/AuthInfo.
 *
 * The token and the secret never leave this object except in the Authorization header and the
 * token request body.
 */

#define DEFAULT_LIFETIME_SECONDS 3600
#define MAX_RENEW_MARGIN_USEC    (60 * G_USEC_PER_SEC)

struct _LsnHalopsaAuth
{
  GObject        parent_instance;

  LsnHttpClient *http;          /* (unowned): the client owns us through its auth func */
  GCancellable  *cancellable;   /* (nullable): of the current connector call */

  char          *auth_url;
  char          *tenant;
  char          *client_id;
  char          *client_secret;
  char          *scopes;

  char          *token;
  gint64         renew_at;      /* monotonic usec */
  guint          token_count;
};

G_DEFINE_FINAL_TYPE (LsnHalopsaAuth, lsn_halopsa_auth, G_TYPE_OBJECT)

static void
lsn_halopsa_auth_finalize (GObject *object)
{
  LsnHalopsaAuth *self = (LsnHalopsaAuth *) object;

  g_clear_object (&self->cancellable);
  g_free (self->auth_url);
  g_free (self->tenant);
  g_free (self->client_id);
  if (self->client_secret)
    memset (self->client_secret, 0, strlen (self->client_secret));
  g_free (self->client_secret);
  g_free (self->scopes);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);

  G_OBJECT_CLASS (lsn_halopsa_auth_parent_class)->finalize (object);
}

static void
lsn_halopsa_auth_class_init (LsnHalopsaAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_halopsa_auth_finalize;
}

static void
lsn_halopsa_auth_init (LsnHalopsaAuth *self)
{
}

static char *
strip_trailing_slashes (const char *url)
{
  char *copy = g_strdup (url);
  gsize len = copy ? strlen (copy) : 0;

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

/**
 * lsn_halopsa_auth_new:
 * @auth_url: (nullable): the authorisation server URL, or %NULL / "" to discover it
 * @tenant: (nullable): the tenant, sent as ?tenant= on hosted Halo
 * @client_id: the API application's client id
 * @client_secret: (nullable): its secret
 * @scopes: (nullable): space-separated scopes, "all" when %NULL or empty
 *
 * Returns: (transfer full): a token source; attach it to an HTTP client
 */
LsnHalopsaAuth *
lsn_halopsa_auth_new (const char *auth_url,
                      const char *tenant,
                      const char *client_id,
                      const char *client_secret,
                      const char *scopes)
{
  LsnHalopsaAuth *self = g_object_new (LSN_TYPE_HALOPSA_AUTH, NULL);

  self->auth_url = (auth_url && *auth_url) ? strip_trailing_slashes (auth_url) : NULL;
  self->tenant = (tenant && *tenant) ? g_strdup (tenant) : NULL;
  self->client_id = g_strdup (client_id);
  self->client_secret = g_strdup (client_secret ? client_secret : "");
  self->scopes = g_strdup ((scopes && *scopes) ? scopes : "all");
  return self;
}

const char *
lsn_halopsa_auth_get_auth_url (LsnHalopsaAuth *self)
{
  return self->auth_url;
}

/**
 * lsn_halopsa_auth_get_token_count:
 *
 * Returns: how many tokens were fetched so far
 */
guint
lsn_halopsa_auth_get_token_count (LsnHalopsaAuth *self)
{
  return self->token_count;
}

/**
 * lsn_halopsa_auth_set_cancellable:
 * @cancellable: (nullable): cancels a token request made from the auth func
 */
void
lsn_halopsa_auth_set_cancellable (LsnHalopsaAuth *self,
                                  GCancellable   *cancellable)
{
  g_set_object (&self->cancellable, cancellable);
}

/**
 * lsn_halopsa_auth_discover:
 *
 * Reads the authorisation server URL (and the tenant, when not set) from GET /api/AuthInfo,
 * unless it was given. Needs no credentials.
 */
gboolean
lsn_halopsa_auth_discover (LsnHalopsaAuth  *self,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *summary = "GET /api/AuthInfo";
  JsonObject *object;
  JsonNode *node;

  if (self->auth_url != NULL)
    return TRUE;

  g_return_val_if_fail (self->http != NULL, FALSE);

  response = lsn_http_client_send_full (self->http, "GET", "/api/AuthInfo", LSN_HTTP_NO_AUTH,
                                        NULL, NULL, NULL, cancellable, &local_error);
  if (response == NULL)
    {
      if (local_error->domain == LSN_ERROR && local_error->code == LSN_ERROR_NOT_FOUND)
        g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                     "%s: the server does not say where its authorisation server is: "
                     "enter the Authorisation server URL from Halo's Configuration > "
                     "Integrations > Halo API > API Details", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!(root = lsn_http_response_parse_json (response, summary, error)))
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !(node = json_object_get_member ((object = json_node_get_object (root)), "auth_url"))
      || json_node_get_value_type (node) != G_TYPE_STRING
      || json_node_get_string (node) == NULL
      || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "%s did not return an “auth_url”: enter the Authorisation server URL "
                   "from Halo's API Details yourself", summary);
      return FALSE;
    }

  if (!lsn_check_service_url (json_node_get_string (node), "The authorisation server URL", error))
    return FALSE;

  self->auth_url = strip_trailing_slashes (json_node_get_string (node));

  node = json_object_get_member (object, "tenant_id");
  if (self->tenant == NULL && node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
      && json_node_get_string (node) != NULL && *json_node_get_string (node) != '\0')
    self->tenant = g_strdup (json_node_get_string (node));

  return TRUE;
}

static const char *
token_hint (const char *message)
{
  g_autofree char *lower = g_ascii_strdown (message ? message : "", -1);

  if (strstr (lower, "tenant") != NULL)
    return "check the Tenant setting (Halo's API Details show it)";
  if (strstr (lower, "invalid_client") != NULL || strstr (lower, "client") != NULL)
    return "check the Client ID and the Client secret of the API application, and the Tenant "
           "(a client id unknown to the tenant gets the same answer)";
  if (strstr (lower, "scope") != NULL)
    return "check the Scopes setting against the API application's permissions";
  return "check the Client ID, Client secret, Tenant and Scopes settings";
}

/**
 * lsn_halopsa_auth_ensure_token:
 * @force_renew: fetch a new token even when the cached one looks valid
 *
 * Fetches a token when there is none, when it is about to expire, or when @force_renew.
 */
gboolean
lsn_halopsa_auth_ensure_token (LsnHalopsaAuth  *self,
                               gboolean         force_renew,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *form = NULL;
  g_autofree char *url = NULL;
  const char *summary = "POST /auth/token";
  JsonObject *object;
  JsonNode *node;
  gint64 lifetime;
  gint64 margin;

  if (!force_renew && self->token != NULL && g_get_monotonic_time () < self->renew_at)
    return TRUE;

  if (!lsn_halopsa_auth_discover (self, cancellable, error))
    return FALSE;

  if (self->client_id == NULL || *self->client_id == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The Client ID is empty: copy it from the API application in Halo");
      return FALSE;
    }

  if (self->tenant != NULL)
    {
      g_autofree char *tenant = g_uri_escape_string (self->tenant, NULL, FALSE);
      url = g_strdup_printf ("%s/token?tenant=%s", self->auth_url, tenant);
    }
  else
    url = g_strdup_printf ("%s/token", self->auth_url);

  form = soup_form_encode ("grant_type", "client_credentials",
                           "client_id", self->client_id,
                           "client_secret", self->client_secret,
                           "scope", self->scopes,
                           NULL);
  body = g_bytes_new_take (form, strlen (form));
  form = NULL;

  response = lsn_http_client_send_full (self->http, "POST", url,
                                        LSN_HTTP_NO_AUTH | LSN_HTTP_IDEMPOTENT, NULL,
                                        "application/x-www-form-urlencoded", body,
                                        cancellable, &local_error);
  if (response == NULL)
    {
      if (local_error->domain == LSN_ERROR
          && (local_error->code == LSN_ERROR_AUTH || local_error->code == LSN_ERROR_VALIDATION
              || local_error->code == LSN_ERROR_PERMISSION))
        g_set_error (error, LSN_ERROR, LSN_ERROR_AUTH,
                     "HaloPSA did not issue a token: %s — %s",
                     local_error->message, token_hint (local_error->message));
      else if (local_error->domain == LSN_ERROR && local_error->code == LSN_ERROR_NOT_FOUND)
        g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                     "HaloPSA did not issue a token: %s — check the Authorisation server URL "
                     "(Halo's API Details show it)", local_error->message);
      else
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "HaloPSA did not issue a token: ");
        }
      return FALSE;
    }

  if (!(root = lsn_http_response_parse_json (response, summary, error)))
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !(node = json_object_get_member ((object = json_node_get_object (root)), "access_token"))
      || json_node_get_value_type (node) != G_TYPE_STRING
      || json_node_get_string (node) == NULL
      || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "%s returned no access_token: check the Authorisation server URL", summary);
      return FALSE;
    }

  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (json_node_get_string (node));
  self->token_count++;

  lifetime = (gint64) DEFAULT_LIFETIME_SECONDS * G_USEC_PER_SEC;
  node = json_object_get_member (object, "expires_in");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);
      double seconds = -1;

      if (t == G_TYPE_INT64)
        seconds = json_node_get_int (node);
      else if (t == G_TYPE_DOUBLE)
        seconds = json_node_get_double (node);
      else if (t == G_TYPE_STRING)
        seconds = g_ascii_strtod (json_node_get_string (node), NULL);
      if (seconds > 0)
        lifetime = (gint64) (seconds * G_USEC_PER_SEC);
    }

  /* Renew early: a minute before, or a fifth of the lifetime for short-lived tokens. */
  margin = MIN (MAX_RENEW_MARGIN_USEC, lifetime / 5);
  self->renew_at = g_get_monotonic_time () + lifetime - margin;
  g_debug ("New token, renewed in %" G_GINT64_FORMAT " s", (lifetime - margin) / G_USEC_PER_SEC);
  return TRUE;
}

static gboolean
auth_func (LsnHttpClient  *http,
           SoupMessage    *msg,
           gboolean        force_renew,
           gpointer        user_data,
           GError        **error)
{
  LsnHalopsaAuth *self = user_data;
  g_autofree char *value = NULL;

  if (!lsn_halopsa_auth_ensure_token (self, force_renew, self->cancellable, error))
    return FALSE;

  value = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
  memset (value, 0, strlen (value));
  return TRUE;
}

/**
 * lsn_halopsa_auth_attach:
 * @http: the client that sends Halo's API requests (and the token requests)
 *
 * Makes @http call us for credentials. @http must not outlive us.
 */
void
lsn_halopsa_auth_attach (LsnHalopsaAuth *self,
                         LsnHttpClient  *http)
{
  self->http = http;
  lsn_http_client_set_auth_func (http, auth_func, self);
}
