/* lsn-sandbox-cw.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PLACEHOLDER: a ConnectWise server that answers 404 to everything, so that LsnSandbox links and
 * starts. The ConnectWise side of the sandbox replaces this file.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <libsoup/soup.h>

#include "lsn-sandbox-cw.h"
#include "lsn-sandbox-stats.h"

struct _LsnSandboxCw
{
  GObject          parent_instance;

  SoupServer      *server;
  char            *url;
  LsnSandboxStats *stats;
};

G_DEFINE_FINAL_TYPE (LsnSandboxCw, lsn_sandbox_cw, G_TYPE_OBJECT)

static void
lsn_sandbox_cw_finalize (GObject *object)
{
  LsnSandboxCw *self = (LsnSandboxCw *) object;

  lsn_sandbox_cw_disconnect (self);
  g_free (self->url);
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

/**
 * lsn_sandbox_cw_new:
 *
 * Returns: (transfer full): a new server, not listening yet
 */
LsnSandboxCw *
lsn_sandbox_cw_new (const LsnSandboxOptions *options,
                    GPtrArray               *companies)
{
  return g_object_new (LSN_TYPE_SANDBOX_CW, NULL);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

gboolean
lsn_sandbox_cw_listen (LsnSandboxCw  *self,
                       guint          port,
                       GError       **error)
{
  g_autoslist(GUri) uris = NULL;

  self->server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", uris ? g_uri_get_port (uris->data) : 0);
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

void
lsn_sandbox_cw_add_ready_json (LsnSandboxCw *self,
                               JsonBuilder  *builder)
{
  json_builder_set_member_name (builder, "connectwise");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  json_builder_end_object (builder);
}

void
lsn_sandbox_cw_configure (LsnSandboxCw           *self,
                          const LsnSandboxConfig *config)
{
}

char *
lsn_sandbox_cw_get_stats_json (LsnSandboxCw *self)
{
  return lsn_sandbox_stats_to_json (self->stats);
}
