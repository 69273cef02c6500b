/* test-halopsa-replies.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "lsn-error.h"
#include "halopsa/lsn-halopsa-connector.h"
#include "lsn-test-util.h"

/* Replies the sandbox never sends: a server that answers Halo's routes with HTML, with JSON of
 * the wrong shape, or with fewer records than it announced. Our own test peer (a SoupServer in a
 * thread), over real HTTP on 127.0.0.1; the connector under test is the real one. */

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  char         *url;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  char         *client_reply; /* what GET /api/Client answers */
  char         *content_type;
} Peer;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Peer *peer = user_data;
  g_autofree char *reply = NULL;
  g_autofree char *type = NULL;

  if (g_str_equal (path, "/api/AuthInfo"))
    reply = g_strdup_printf ("{\"auth_url\":\"%s/auth\"}", peer->url);
  else if (g_str_equal (path, "/auth/token"))
    reply = g_strdup ("{\"access_token\":\"t0k3n\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
  else if (g_str_equal (path, "/api/Client"))
    {
      const char *page = query ? g_hash_table_lookup (query, "page_no") : NULL;

      g_mutex_lock (&peer->lock);
      /* Only page 1 has records: later pages are empty. */
      reply = g_strdup (page == NULL || g_str_equal (page, "1") ? peer->client_reply
                        : "{\"page_no\":2,\"page_size\":2,\"record_count\":5,\"clients\":[]}");
      type = g_strdup (peer->content_type);
      g_mutex_unlock (&peer->lock);
    }

  if (reply == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, type ? type : "application/json", SOUP_MEMORY_COPY,
                                    reply, strlen (reply));
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (peer->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handler, peer, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&peer->lock);
  peer->ready = TRUE;
  g_cond_signal (&peer->cond);
  g_mutex_unlock (&peer->lock);

  g_main_loop_run (peer->loop);
  soup_server_disconnect (server);
  g_main_context_pop_thread_default (peer->context);
  return NULL;
}

static Peer *
peer_start (void)
{
  Peer *peer = g_new0 (Peer, 1);

  g_mutex_init (&peer->lock);
  g_cond_init (&peer->cond);
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
  g_mutex_clear (&peer->lock);
  g_cond_clear (&peer->cond);
  g_free (peer->client_reply);
  g_free (peer->content_type);
  g_free (peer->url);
  g_free (peer);
}

static void
peer_set_reply (Peer       *peer,
                const char *type,
                const char *reply)
{
  g_mutex_lock (&peer->lock);
  g_free (peer->client_reply);
  g_free (peer->content_type);
  peer->client_reply = g_strdup (reply);
  peer->content_type = g_strdup (type);
  g_mutex_unlock (&peer->lock);
}

static LsnConnector *
connect_to (Peer *peer)
{
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(GError) error = NULL;
  LsnConnector *c;

  json_object_set_string_member (settings, "connector", "halopsa");
  json_object_set_string_member (settings, "url", peer->url);
  json_object_set_string_member (settings, "client_id", "id");
  json_object_set_int_member (settings, "page_size", 2);
  c = lsn_connector_new_from_settings (settings, "secret", &error);
  g_assert_no_error (error);
  lsn_http_client_set_backoff (lsn_connector_get_http (c), 10, 20);
  return c;
}

static void
expect_list_error (LsnConnector *c,
                   int           code,
                   const char   *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = lsn_connector_list_all (c, "client", NULL, NULL, &error);

  g_assert_null (records);
  g_assert_error (error, LSN_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_replies (void)
{
  Peer *peer = peer_start ();
  g_autoptr(LsnConnector) c = connect_to (peer);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  LsnHttpStats stats;

  /* A good page first: the discovery, the token and the list work. */
  peer_set_reply (peer, NULL, "{\"page_no\":1,\"page_size\":2,\"record_count\":2,"
                              "\"clients\":[{\"id\":1,\"name\":\"A\"},{\"id\":2,\"name\":\"B\"}]}");
  records = lsn_connector_list_all (c, "client", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  /* Not JSON (a proxy's login page): read again, then a malformed-reply error. */
  lsn_http_client_reset_stats (lsn_connector_get_http (c));
  peer_set_reply (peer, "text/html", "<html><body>Sign in</body></html>");
  expect_list_error (c, LSN_ERROR_MALFORMED, "not JSON");
  lsn_http_client_get_stats (lsn_connector_get_http (c), &stats);
  g_assert_cmpuint (stats.requests, ==, 3);

  /* JSON of the wrong shapes. */
  peer_set_reply (peer, NULL, "{\"page_no\":1,\"record_count\":1,\"clients\":\"nope\"}");
  expect_list_error (c, LSN_ERROR_MALFORMED, "“clients”");
  peer_set_reply (peer, NULL, "[{\"id\":1,\"name\":\"A\"}]");
  expect_list_error (c, LSN_ERROR_MALFORMED, "“clients”");
  peer_set_reply (peer, NULL, "{\"clients\":[{\"id\":1,\"name\":\"A\"}]}");
  expect_list_error (c, LSN_ERROR_MALFORMED, "record_count");
  peer_set_reply (peer, NULL, "{\"record_count\":1,\"clients\":[42]}");
  expect_list_error (c, LSN_ERROR_MALFORMED, "not records");
  peer_set_reply (peer, NULL, "{\"record_count\":1,\"clients\":[{\"name\":\"no id\"}]}");
  expect_list_error (c, LSN_ERROR_MALFORMED, "no id");

  /* Fewer records than announced. */
  peer_set_reply (peer, NULL, "{\"page_no\":1,\"page_size\":2,\"record_count\":5,"
                              "\"clients\":[{\"id\":1,\"name\":\"A\"},{\"id\":2,\"name\":\"B\"}]}");
  expect_list_error (c, LSN_ERROR_INCOMPLETE, "5 clients but only 2");

  g_clear_object (&c);
  peer_stop (peer);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/halopsa/replies", test_replies);

  return g_test_run ();
}
