/* lsn-sandbox.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sandbox runs its SoupServers on a thread of its own, with its own GMainContext, so that it
 * can be started in-process (the demo, the tests) without touching the caller's main loop.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "lsn-sandbox.h"

struct _LsnSandbox
{
  GObject            parent_instance;

  LsnSandboxOptions  options;
  GThread           *thread;
  GMainContext      *context;
  GMainLoop         *loop;
  SoupServer        *halo_server;
  char              *halo_url;

  GMutex             lock;
  GCond              cond;
  gboolean           ready;
  GError            *start_error;
};

G_DEFINE_FINAL_TYPE (LsnSandbox, lsn_sandbox, G_TYPE_OBJECT)

void
lsn_sandbox_options_init (LsnSandboxOptions *options)
{
  *options = (LsnSandboxOptions) {
    .seed = 42,
    .halo_clients = -1,
    .cw_clients = -1,
    .halo_limit = 300,
    .halo_window = 300,
    .cw_limit = 600,
    .cw_window = 60,
    .latency_ms = 0,
    .fault_rate = 0.0,
    .token_lifetime = 3600,
  };
}

static void
lsn_sandbox_finalize (GObject *object)
{
  LsnSandbox *self = (LsnSandbox *) object;

  lsn_sandbox_stop (self);
  g_free (self->halo_url);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lsn_sandbox_parent_class)->finalize (object);
}

static void
lsn_sandbox_class_init (LsnSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_finalize;
}

static void
lsn_sandbox_init (LsnSandbox *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

LsnSandbox *
lsn_sandbox_new (const LsnSandboxOptions *options)
{
  LsnSandbox *self = g_object_new (LSN_TYPE_SANDBOX, NULL);

  if (options)
    self->options = *options;
  else
    lsn_sandbox_options_init (&self->options);

  return self;
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

static gpointer
sandbox_thread (gpointer data)
{
  LsnSandbox *self = data;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  g_main_context_push_thread_default (self->context);

  self->halo_server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (self->halo_server, NULL, not_found_cb, self, NULL);

  if (soup_server_listen_local (self->halo_server, self->options.halo_port,
                                SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (self->halo_server);
      if (uris)
        self->halo_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
    }

  g_mutex_lock (&self->lock);
  self->start_error = g_steal_pointer (&error);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (self->start_error == NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (self->halo_server);
  g_clear_object (&self->halo_server);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

gboolean
lsn_sandbox_start (LsnSandbox  *self,
                   GError     **error)
{
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("lsn-sandbox", sandbox_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      lsn_sandbox_stop (self);
      return FALSE;
    }

  return TRUE;
}

void
lsn_sandbox_stop (LsnSandbox *self)
{
  if (self->thread == NULL)
    return;

  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

const char *
lsn_sandbox_get_halo_url (LsnSandbox *self)
{
  return self->halo_url;
}

const char *
lsn_sandbox_get_cw_url (LsnSandbox *self)
{
  return NULL;
}

char *
lsn_sandbox_ready_line (LsnSandbox *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "halopsa");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, self->halo_url);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
