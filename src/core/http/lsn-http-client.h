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
} LsnHttpStats;

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
void             lsn_http_client_get_stats       (LsnHttpClient     *self,
                                                  LsnHttpStats      *stats);
SoupSession     *lsn_http_client_get_session     (LsnHttpClient     *self);

LsnHttpResponse *lsn_http_client_send            (LsnHttpClient     *self,
                                                  const char        *method,
                                                  const char        *path_and_query,
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

G_END_DECLS
