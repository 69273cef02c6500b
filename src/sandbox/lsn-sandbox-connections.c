/* lsn-sandbox-connections.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "lsn-sandbox-connections.h"

/*
 * libsoup 3.2 (Debian 12) keeps the server's end of a kept-alive connection open after the
 * client closed it while it was idle (fixed in libsoup 3.3, commit d20c6601). Clients close
 * idle connections all the time (libsoup's own opens a fresh one for every POST and drops
 * surplus idle ones), so a sandbox serving a long sync, or the demo in a window left open for
 * days, ran out of file descriptors. Until the fix reaches the platform: once a response is
 * sent, the connection is watched while it is idle, and closed when the client has gone.
 */

static gboolean
idle_socket_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  char byte;
  gssize n;

  if (g_socket_is_closed (socket) || (condition & G_IO_NVAL) != 0)
    return G_SOURCE_REMOVE;

  /* a new request: libsoup reads it; our watch ends here */
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0)
    return G_SOURCE_REMOVE;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      && (condition & (G_IO_HUP | G_IO_ERR)) == 0)
    return G_SOURCE_CONTINUE;

  /* end of stream, or an error: the client is gone */
  g_socket_close (socket, NULL);
  return G_SOURCE_REMOVE;
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autoptr(GSource) source = NULL;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) idle_socket_cb, NULL, NULL);
  g_source_set_static_name (source, "[liaison-sandbox] idle connection");
  g_source_attach (source, g_main_context_get_thread_default ());
}

/**
 * lsn_sandbox_close_abandoned_connections:
 * @server: a server, before it listens
 *
 * Closes the server's end of idle connections the clients closed (see above).
 */
void
lsn_sandbox_close_abandoned_connections (SoupServer *server)
{
  g_return_if_fail (SOUP_IS_SERVER (server));
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), NULL);
}
