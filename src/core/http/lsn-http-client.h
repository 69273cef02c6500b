/* lsn-http-client.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define LSN_TYPE_HTTP_CLIENT (lsn_http_client_get_type ())

G_DECLARE_FINAL_TYPE (LsnHttpClient, lsn_http_client, LSN, HTTP_CLIENT, GObject)

/**
 * LsnHttpResponse:
 * @status: the HTTP status (2xx when returned from lsn_http_client_send())
 * @headers: (transfer full): response headers
 * @body: (transfer full): the body, possibly empty
 *
 * One successful exchange.
 */
typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
} LsnHttpResponse;

void lsn_http_response_free (LsnHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnHttpResponse, lsn_http_response_free)

JsonNode *lsn_http_response_parse_json (LsnHttpResponse  *response,
                                        const char       *request_summary,
                                        GError          **error);

/**
 * LsnHttpAuthFunc:
 * @client: the client
 * @msg: the message about to be sent: add the Authorization (and any other) header
 * @force_renew: %TRUE after a 401: get a fresh token before adding it
 * @user_data: closure
 * @error: return location
 *
 * Called on the thread that sends, before every attempt.
 *
 * Returns: %FALSE with @error set when no credentials can be had
 */
typedef gboolean (*LsnHttpAuthFunc) (LsnHttpClient  *client,
                                     SoupMessage    *msg,
                                     gboolean        force_renew,
                                     gpointer        user_data,
                                     GError        **error);

/**
 * LsnHttpErrorFunc:
 * @status: the HTTP status
 * @body: (nullable): the response body
 * @user_data: closure
 *
 * Turns an error body into the server's own message, quoted verbatim.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL when the body has none
 */
typedef char *(*LsnHttpErrorFunc) (guint        status,
                                   GBytes      *body,
                                   gpointer     user_data);

/**
 * LsnHttpStats:
 *
 * What a client spent; read with lsn_http_client_get_stats() from any thread.
 */
typedef struct
{
  guint64 requests;        /* every request sent, retries included */
  guint64 throttled;       /* 429 received */
  guint64 retries;         /* attempts after the first */
  guint64 waited_usec;     /* time spent pacing or waiting for Retry-After */
  guint   budget_requests; /* the rolling window: this many requests ... */
  guint   budget_seconds;  /* ... per this many seconds */
  guint   budget_left;     /* requests still free in the current window */
  guint64 outcome_unknown; /* requests that failed with %LSN_ERROR_OUTCOME_UNKNOWN */
} LsnHttpStats;

/**
 * LsnHttpFlags:
 * @LSN_HTTP_FLAGS_NONE: the defaults
 * @LSN_HTTP_IDEMPOTENT: the request may be sent twice without harm even though its method is
 *   POST (a token request, an update of a record by id): it is retried like a GET
 * @LSN_HTTP_NO_AUTH: do not call the auth func (token requests, unauthenticated discovery)
 *
 * How lsn_http_client_send_full() treats one request.
 *
 * Retries and non-idempotent requests: GET, HEAD, PUT, DELETE and OPTIONS (and any request
 * flagged %LSN_HTTP_IDEMPOTENT) are retried after 5xx, timeouts, dropped connections and
 * truncated bodies. Any other request (POST, PATCH) is retried only when the server cannot have
 * acted on it: a 429, a 503, or a connection that could not be opened (refused, unreachable, name
 * not resolved). When such a request fails after it may have reached the server (a dropped
 * connection or a timeout after sending, a truncated reply, a 5xx other than 503), it is not sent
 * again: the error is %LSN_ERROR_OUTCOME_UNKNOWN and LsnHttpStats.outcome_unknown goes up, so the
 * caller can look at the target before it sends the request again.
 */
typedef enum
{
  LSN_HTTP_FLAGS_NONE = 0,
  LSN_HTTP_IDEMPOTENT = 1 << 0,
  LSN_HTTP_NO_AUTH    = 1 << 1,
} LsnHttpFlags;

/**
 * LsnHttpObserverFunc:
 * @client: the client
 * @method: the HTTP method
 * @uri: the full URI about to be sent, query included
 * @user_data: closure
 *
 * A debug hook called on the sending thread just before every attempt goes out (retries
 * included). Tests use it to check every request against the server's API description. Never log
 * query values from it: they may hold secrets.
 */
typedef void (*LsnHttpObserverFunc) (LsnHttpClient *client,
                                     const char    *method,
                                     GUri          *uri,
                                     gpointer       user_data);

LsnHttpClient   *lsn_http_client_new             (const char        *base_url,
                                                  GError           **error);
const char      *lsn_http_client_get_base_url    (LsnHttpClient     *self);
void             lsn_http_client_set_budget      (LsnHttpClient     *self,
                                                  guint              requests,
                                                  guint              seconds);
void             lsn_http_client_set_auth_func   (LsnHttpClient     *self,
                                                  LsnHttpAuthFunc    func,
                                                  gpointer           user_data);
void             lsn_http_client_set_error_func  (LsnHttpClient     *self,
                                                  LsnHttpErrorFunc   func,
                                                  gpointer           user_data);
void             lsn_http_client_set_max_retries (LsnHttpClient     *self,
                                                  guint              max_retries);
void             lsn_http_client_set_timeout     (LsnHttpClient     *self,
                                                  guint              seconds);
void             lsn_http_client_set_backoff     (LsnHttpClient     *self,
                                                  guint              base_ms,
                                                  guint              cap_ms);
void             lsn_http_client_set_observer    (LsnHttpClient     *self,
                                                  LsnHttpObserverFunc func,
                                                  gpointer           user_data);
void             lsn_http_client_get_stats       (LsnHttpClient     *self,
                                                  LsnHttpStats      *stats);
void             lsn_http_client_reset_stats     (LsnHttpClient     *self);
SoupSession     *lsn_http_client_get_session     (LsnHttpClient     *self);

LsnHttpResponse *lsn_http_client_send            (LsnHttpClient     *self,
                                                  const char        *method,
                                                  const char        *path_and_query,
                                                  SoupMessageHeaders *extra_headers,
                                                  const char        *content_type,
                                                  GBytes            *body,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
LsnHttpResponse *lsn_http_client_send_full       (LsnHttpClient     *self,
                                                  const char        *method,
                                                  const char        *path_and_query,
                                                  LsnHttpFlags       flags,
                                                  SoupMessageHeaders *extra_headers,
                                                  const char        *content_type,
                                                  GBytes            *body,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
LsnHttpResponse *lsn_http_client_send_json       (LsnHttpClient     *self,
                                                  const char        *method,
                                                  const char        *path_and_query,
                                                  JsonNode          *body,
                                                  GCancellable      *cancellable,
                                                  GError           **error);

LsnHttpResponse *lsn_http_client_send_json_full  (LsnHttpClient     *self,
                                                  const char        *method,
                                                  const char        *path_and_query,
                                                  LsnHttpFlags       flags,
                                                  JsonNode          *body,
                                                  GCancellable      *cancellable,
                                                  GError           **error);

char            *lsn_http_request_summary        (const char        *method,
                                                  const char        *path_and_query);

G_END_DECLS
