/* test-http-client.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "lsn-error.h"
#include "lsn-http-client.h"
#include "lsn-test-util.h"

/* LsnHttpClient against a tiny SoupServer that runs in its own thread: our own test peer over
 * real HTTP on 127.0.0.1, with routes that misbehave on purpose.
 *
 *   /ok                       200 {"ok":true}
 *   /status/CODE/TIMES[/RA]   CODE (with Retry-After: RA when given) the first TIMES times, then 200
 *   /echo/CODE                CODE with the request body as the reply body
 *   /drop                     closes the connection without a reply
 *   /truncate                 a 200 whose body stops before its Content-Length
 *   /auth                     200 only with "Authorization: Bearer tok<N>" for the current N
 */

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;

  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GHashTable   *counts;   /* path -> count */
  GArray       *arrivals; /* gint64 monotonic usec */
  int           token;
} Peer;

static guint
peer_count (Peer       *peer,
            const char *path)
{
  guint n;

  g_mutex_lock (&peer->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (peer->counts, path));
  g_mutex_unlock (&peer->lock);
  return n;
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Peer *peer = user_data;
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&peer->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (peer->counts, path)) + 1;
  g_hash_table_replace (peer->counts, g_strdup (path), GUINT_TO_POINTER (n));
  g_array_append_val (peer->arrivals, now);
  g_mutex_unlock (&peer->lock);

  if (g_str_equal (path, "/ok"))
    reply_json (msg, 200, "{\"ok\":true}");
  else if (g_str_has_prefix (path, "/status/") && g_strv_length (parts) >= 4)
    {
      guint code = atoi (parts[2]);
      guint times = atoi (parts[3]);

      if (n <= times)
        {
          if (parts[4] != NULL)
            soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                          "Retry-After", parts[4]);
          reply_json (msg, code, "\"Injected failure\"");
        }
      else
        reply_json (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_has_prefix (path, "/echo/") && parts[2] != NULL)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

      soup_server_message_set_status (msg, atoi (parts[2]), NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else if (g_str_equal (path, "/drop") || g_str_equal (path, "/truncate"))
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      if (g_str_equal (path, "/truncate"))
        {
          const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 100\r\n\r\n{\"ok\":";
          g_output_stream_write_all (g_io_stream_get_output_stream (stream), raw, strlen (raw),
                                     NULL, NULL, NULL);
        }
      g_io_stream_close (stream, NULL, NULL);
    }
  else if (g_str_equal (path, "/auth"))
    {
      const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                       "Authorization");
      g_autofree char *want = NULL;

      g_mutex_lock (&peer->lock);
      want = g_strdup_printf ("Bearer tok%d", peer->token);
      g_mutex_unlock (&peer->lock);

      if (auth != NULL && g_str_equal (auth, want))
        reply_json (msg, 200, "{\"ok\":true}");
      else
        soup_server_message_set_status (msg, 401, NULL);
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (peer->context);
  peer->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (peer->server, NULL, handler, peer, NULL);
  soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer->server);
  g_assert_nonnull (uris);
  peer->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&peer->lock);
  peer->ready = TRUE;
  g_cond_signal (&peer->cond);
  g_mutex_unlock (&peer->lock);

  g_main_loop_run (peer->loop);

  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_main_context_pop_thread_default (peer->context);
  return NULL;
}

static Peer *
peer_start (void)
{
  Peer *peer = g_new0 (Peer, 1);

  g_mutex_init (&peer->lock);
  g_cond_init (&peer->cond);
  peer->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->arrivals = g_array_new (FALSE, FALSE, sizeof (gint64));
  peer->context = g_main_context_new ();
  peer->loop = g_main_loop_new (peer->context, FALSE);
  peer->thread = g_thread_new ("peer", peer_thread, peer);

  g_mutex_lock (&peer->lock);
  while (!peer->ready)
    g_cond_wait (&peer->cond, &peer->lock);
  g_mutex_unlock (&peer->lock);
  return peer;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
peer_stop (Peer *peer)
{
  g_main_context_invoke (peer->context, quit_loop, peer->loop);
  g_thread_join (peer->thread);
  g_main_loop_unref (peer->loop);
  g_main_context_unref (peer->context);
  g_hash_table_unref (peer->counts);
  g_array_unref (peer->arrivals);
  g_mutex_clear (&peer->lock);
  g_cond_clear (&peer->cond);
  g_free (peer->url);
  g_free (peer);
}

static LsnHttpClient *
new_client (Peer *peer)
{
  g_autoptr(GError) error = NULL;
  LsnHttpClient *client = lsn_http_client_new (peer->url, &error);

  g_assert_no_error (error);
  lsn_http_client_set_backoff (client, 10, 40);
  lsn_http_client_set_max_retries (client, 2);
  return client;
}

static void
test_refuses_plain_http (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpClient) client = lsn_http_client_new ("http://example.com", &error);

  g_assert_null (client);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  client = lsn_http_client_new ("https://example.com/", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_http_client_get_base_url (client), ==, "https://example.com");
}

static void
test_summary (void)
{
  g_autofree char *a = lsn_http_request_summary ("GET", "/api/Client?search=secret&page_no=2");
  g_autofree char *b = lsn_http_request_summary ("POST", "https://h.example/auth/token?tenant=x");
  g_autofree char *c = lsn_http_request_summary ("DELETE", "api/Site/4");

  g_assert_cmpstr (a, ==, "GET /api/Client");
  g_assert_cmpstr (b, ==, "POST /auth/token");
  g_assert_cmpstr (c, ==, "DELETE /api/Site/4");
}

typedef struct
{
  GPtrArray *seen;
} Observed;

static void
observe (LsnHttpClient *client,
         const char    *method,
         GUri          *uri,
         gpointer       user_data)
{
  Observed *o = user_data;

  g_ptr_array_add (o->seen, g_strdup_printf ("%s %s?%s", method, g_uri_get_path (uri),
                                             g_uri_get_query (uri) ? g_uri_get_query (uri) : ""));
}

static void
test_ok_and_observer (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  Observed o = { g_ptr_array_new_with_free_func (g_free) };
  LsnHttpStats stats;

  lsn_http_client_set_observer (client, observe, &o);
  response = lsn_http_client_send (client, "GET", "/ok?a=1", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  node = lsn_http_response_parse_json (response, "GET /ok", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  g_assert_cmpuint (o.seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (o.seen, 0), ==, "GET /ok?a=1");

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests, ==, 1);
  g_assert_cmpuint (stats.retries, ==, 0);

  g_ptr_array_unref (o.seen);
  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_retry_after (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  LsnHttpStats stats;
  gint64 start = g_get_monotonic_time ();

  response = lsn_http_client_send (client, "GET", "/status/429/1/1", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900000);
  g_assert_cmpuint (peer_count (peer, "/status/429/1/1"), ==, 2);

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.throttled, ==, 1);
  g_assert_cmpuint (stats.retries, ==, 1);
  g_assert_cmpuint (stats.waited_usec, >=, 900000);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_429_backoff_and_give_up (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  LsnHttpStats stats;

  /* No Retry-After: exponential backoff, still goes on. POSTs too: a 429 was not applied. */
  response = lsn_http_client_send (client, "POST", "/status/429/3", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer_count (peer, "/status/429/3"), ==, 4);
  g_clear_pointer (&response, lsn_http_response_free);

  /* For ever: gives up after at least 10 waits. */
  response = lsn_http_client_send (client, "GET", "/status/429/1000", NULL, NULL, NULL, NULL, &error);
  g_assert_null (response);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "GET /status/429/1000"));
  g_assert_nonnull (strstr (error->message, "“Injected failure”"));
  g_assert_cmpuint (peer_count (peer, "/status/429/1000"), ==, 11);

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.throttled, ==, 3 + 11);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_5xx (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;

  /* A GET is retried up to max_retries (2) times. */
  response = lsn_http_client_send (client, "GET", "/status/500/2", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, lsn_http_response_free);

  response = lsn_http_client_send (client, "GET", "/status/502/3", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_SERVER);
  g_assert_true (lsn_error_is_retryable (error));
  g_assert_cmpuint (peer_count (peer, "/status/502/3"), ==, 3);
  g_clear_error (&error);

  /* A POST after a 500 may have been applied: not resent, outcome unknown. */
  response = lsn_http_client_send (client, "POST", "/status/500/1", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
  g_assert_false (lsn_error_is_retryable (error));
  g_assert_cmpuint (peer_count (peer, "/status/500/1"), ==, 1);
  g_clear_error (&error);

  /* ... unless the caller says it is idempotent. */
  response = lsn_http_client_send_full (client, "POST", "/status/500/1/x", LSN_HTTP_IDEMPOTENT,
                                        NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, lsn_http_response_free);

  /* A 503 was not acted on: resent even for a POST. */
  response = lsn_http_client_send (client, "POST", "/status/503/1", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer_count (peer, "/status/503/1"), ==, 2);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_4xx (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("\"Password is mandatory\"", 23);
  LsnHttpStats stats;

  response = lsn_http_client_send (client, "POST", "/echo/400?client_secret=hunter2", NULL,
                                   "application/json", body, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
  g_assert_false (lsn_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "POST /echo/400"));
  g_assert_nonnull (strstr (error->message, "Password is mandatory"));
  g_assert_null (strstr (error->message, "hunter2"));
  g_assert_cmpuint (peer_count (peer, "/echo/400"), ==, 1);
  g_clear_error (&error);

  response = lsn_http_client_send (client, "GET", "/echo/403", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_PERMISSION);
  g_clear_error (&error);

  response = lsn_http_client_send (client, "DELETE", "/echo/404", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "DELETE /echo/404"));
  g_clear_error (&error);

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests, ==, 3);
  g_assert_cmpuint (stats.retries, ==, 0);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_drop_and_truncate (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  LsnHttpStats stats;

  response = lsn_http_client_send (client, "GET", "/drop", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
  g_assert_cmpuint (peer_count (peer, "/drop"), ==, 3);
  g_clear_error (&error);

  response = lsn_http_client_send (client, "GET", "/truncate", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
  g_assert_cmpuint (peer_count (peer, "/truncate"), ==, 3);
  g_clear_error (&error);

  /* A POST dropped after it was sent: the outcome is unknown and it is not resent. */
  response = lsn_http_client_send (client, "POST", "/drop", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "POST /drop"));
  g_assert_cmpuint (peer_count (peer, "/drop"), ==, 4);
  g_clear_error (&error);

  response = lsn_http_client_send (client, "POST", "/truncate", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
  g_assert_cmpuint (peer_count (peer, "/truncate"), ==, 4);
  g_clear_error (&error);

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.outcome_unknown, ==, 2);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpClient) client = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autofree char *url = NULL;
  LsnHttpStats stats;

  /* Take a free port, then close it: nothing listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  client = lsn_http_client_new (url, &error);
  lsn_http_client_set_backoff (client, 10, 20);
  lsn_http_client_set_max_retries (client, 2);

  /* Never sent: a POST is resent like a GET, and the failure is a network error. */
  response = lsn_http_client_send (client, "POST", "/x", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
  g_assert_true (lsn_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "refused"));
  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests, ==, 3);
  g_assert_cmpuint (stats.outcome_unknown, ==, 0);
}

static void
test_timeout (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpClient) client = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autofree char *url = NULL;
  gint64 start;

  /* A server that accepts connections (the kernel does, from the backlog) and never answers. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  any = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, any, TRUE, &error);
  g_socket_set_listen_backlog (socket, 8);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = lsn_http_client_new (url, &error);
  lsn_http_client_set_backoff (client, 10, 20);
  lsn_http_client_set_max_retries (client, 1);
  lsn_http_client_set_timeout (client, 1);

  start = g_get_monotonic_time ();
  response = lsn_http_client_send (client, "GET", "/slow", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "in time"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1900000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_error (&error);

  response = lsn_http_client_send (client, "POST", "/slow", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
  g_socket_close (socket, NULL);
}

static gboolean
auth_func (LsnHttpClient  *client,
           SoupMessage    *msg,
           gboolean        force_renew,
           gpointer        user_data,
           GError        **error)
{
  int *state = user_data; /* [0]: current token number, [1]: renewals */
  g_autofree char *value = NULL;

  if (force_renew)
    {
      state[0]++;
      state[1]++;
    }
  value = g_strdup_printf ("Bearer tok%d", state[0]);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
  return TRUE;
}

static void
test_401 (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  int state[2] = { 1, 0 };

  lsn_http_client_set_auth_func (client, auth_func, state);
  peer->token = 1;
  response = lsn_http_client_send (client, "GET", "/auth", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (state[1], ==, 0);
  g_clear_pointer (&response, lsn_http_response_free);

  /* The server moved on (the token expired): one renewal, then it works. */
  g_mutex_lock (&peer->lock);
  peer->token = 2;
  g_mutex_unlock (&peer->lock);
  response = lsn_http_client_send (client, "GET", "/auth", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (state[1], ==, 1);
  g_clear_pointer (&response, lsn_http_response_free);

  /* The server refuses every token: one renewal, then an authentication error. */
  g_mutex_lock (&peer->lock);
  peer->token = 1000;
  g_mutex_unlock (&peer->lock);
  response = lsn_http_client_send (client, "POST", "/auth", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "POST /auth"));
  g_assert_cmpint (state[1], ==, 2);
  g_assert_cmpuint (peer_count (peer, "/auth"), ==, 1 + 2 + 2);

  g_clear_object (&client);
  peer_stop (peer);
}

static void
test_budget (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  LsnHttpStats stats;
  gint64 start = g_get_monotonic_time ();

  lsn_http_client_set_budget (client, 3, 1);
  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.budget_left, ==, 3);

  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(LsnHttpResponse) response = NULL;

      response = lsn_http_client_send (client, "GET", "/ok", NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  /* 7 requests at 3 per second need at least two full windows. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);

  /* The server never saw more than 3 requests inside any one-second window. */
  g_mutex_lock (&peer->lock);
  g_assert_cmpuint (peer->arrivals->len, ==, 7);
  for (guint i = 3; i < peer->arrivals->len; i++)
    g_assert_cmpint (g_array_index (peer->arrivals, gint64, i)
                     - g_array_index (peer->arrivals, gint64, i - 3), >=, G_USEC_PER_SEC);
  g_mutex_unlock (&peer->lock);

  lsn_http_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests, ==, 7);
  g_assert_cmpuint (stats.throttled, ==, 0);
  g_assert_cmpuint (stats.waited_usec, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (stats.budget_requests, ==, 3);
  g_assert_cmpuint (stats.budget_left, <, 3);

  g_clear_object (&client);
  peer_stop (peer);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (150000);
  cancel_later (data);
  return NULL;
}

static void
test_cancel_waits (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnHttpClient) client = new_client (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnHttpResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  gint64 start;

  /* Waiting on a 30 s Retry-After, cancelled after 150 ms. */
  thread = g_thread_new ("cancel", cancel_thread, cancellable);
  start = g_get_monotonic_time ();
  response = lsn_http_client_send (client, "GET", "/status/429/1/30", NULL, NULL, NULL,
                                   cancellable, &error);
  g_thread_join (thread);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Waiting for the budget, cancelled after 150 ms. */
  g_cancellable_reset (cancellable);
  lsn_http_client_set_budget (client, 1, 30);
  response = lsn_http_client_send (client, "GET", "/ok", NULL, NULL, NULL, cancellable, &error);
  g_assert_no_error (error);
  g_clear_pointer (&response, lsn_http_response_free);
  thread = g_thread_new ("cancel", cancel_thread, cancellable);
  start = g_get_monotonic_time ();
  response = lsn_http_client_send (client, "GET", "/ok", NULL, NULL, NULL, cancellable, &error);
  g_thread_join (thread);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (peer_count (peer, "/ok"), ==, 1);

  g_clear_object (&client);
  peer_stop (peer);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/http/refuses-plain-http", test_refuses_plain_http);
  g_test_add_func ("/http/summary", test_summary);
  g_test_add_func ("/http/ok-and-observer", test_ok_and_observer);
  g_test_add_func ("/http/429-retry-after", test_retry_after);
  g_test_add_func ("/http/429-backoff", test_429_backoff_and_give_up);
  g_test_add_func ("/http/5xx", test_5xx);
  g_test_add_func ("/http/4xx", test_4xx);
  g_test_add_func ("/http/drop-and-truncate", test_drop_and_truncate);
  g_test_add_func ("/http/refused", test_refused);
  g_test_add_func ("/http/timeout", test_timeout);
  g_test_add_func ("/http/401", test_401);
  g_test_add_func ("/http/budget", test_budget);
  g_test_add_func ("/http/cancel-waits", test_cancel_waits);

  return g_test_run ();
}
