/* lsn-sandbox.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sandbox runs its SoupServers on a thread of its own, with its own GMainContext, so that it
 * can be started in-process (the demo, the tests) without touching the caller's main loop. All
 * server state lives on that thread: the public calls that reach it (configure, stats) are
 * marshalled there with g_main_context_invoke() and wait for the answer.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "lsn-sandbox.h"
#include "lsn-sandbox-companies.h"
#include "lsn-sandbox-config.h"
#include "lsn-sandbox-cw.h"
#include "lsn-sandbox-halo.h"

struct _LsnSandbox
{
  GObject            parent_instance;

  LsnSandboxOptions  options;
  GThread           *thread;
  GMainContext      *context;
  GMainLoop         *loop;
  LsnSandboxHalo    *halo;
  LsnSandboxCw      *cw;

  GMutex             lock;
  GCond              cond;
  gboolean           ready;
  GError            *start_error;
};

G_DEFINE_FINAL_TYPE (LsnSandbox, lsn_sandbox, G_TYPE_OBJECT)

/**
 * lsn_sandbox_options_init:
 *
 * Fills @options with the defaults.
 */
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

/**
 * lsn_sandbox_get_halo_clients:
 *
 * Returns: how many companies the HaloPSA side holds under @options
 */
guint
lsn_sandbox_get_halo_clients (const LsnSandboxOptions *options)
{
  return options->halo_clients < 0 ? LSN_SANDBOX_DEFAULT_CLIENTS : (guint) options->halo_clients;
}

/**
 * lsn_sandbox_get_cw_clients:
 *
 * Returns: how many companies the ConnectWise side holds under @options
 */
guint
lsn_sandbox_get_cw_clients (const LsnSandboxOptions *options)
{
  return options->cw_clients < 0 ? LSN_SANDBOX_DEFAULT_CLIENTS : (guint) options->cw_clients;
}

static void
lsn_sandbox_finalize (GObject *object)
{
  LsnSandbox *self = (LsnSandbox *) object;

  lsn_sandbox_stop (self);
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

/**
 * lsn_sandbox_new:
 * @options: (nullable): options, or %NULL for the defaults
 *
 * Returns: (transfer full): a sandbox, not started
 */
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

static gpointer
sandbox_thread (gpointer data)
{
  LsnSandbox *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) companies = NULL;

  g_main_context_push_thread_default (self->context);

  companies = lsn_sandbox_companies_generate (self->options.seed,
                                              lsn_sandbox_get_halo_clients (&self->options),
                                              lsn_sandbox_get_cw_clients (&self->options));
  self->halo = lsn_sandbox_halo_new (&self->options, companies);
  self->cw = lsn_sandbox_cw_new (&self->options, companies);
  g_clear_pointer (&companies, g_ptr_array_unref);

  if (lsn_sandbox_halo_listen (self->halo, self->options.halo_port, &error))
    lsn_sandbox_cw_listen (self->cw, self->options.cw_port, &error);

  g_mutex_lock (&self->lock);
  self->start_error = g_steal_pointer (&error);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (self->start_error == NULL)
    g_main_loop_run (self->loop);

  lsn_sandbox_halo_disconnect (self->halo);
  lsn_sandbox_cw_disconnect (self->cw);

  /* Let the servers finish closing their connections before the objects go. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_clear_object (&self->halo);
  g_clear_object (&self->cw);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/**
 * lsn_sandbox_start:
 *
 * Generates the data, starts both servers on 127.0.0.1 and returns once they listen.
 *
 * Returns: %TRUE on success
 */
gboolean
lsn_sandbox_start (LsnSandbox  *self,
                   GError     **error)
{
  g_return_val_if_fail (LSN_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->ready = FALSE;
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

/**
 * lsn_sandbox_stop:
 *
 * Stops the servers and joins the sandbox thread. Safe to call more than once.
 */
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

/**
 * lsn_sandbox_get_halo_url:
 *
 * Returns: (nullable): "http://127.0.0.1:PORT" of the HaloPSA server, once started
 */
const char *
lsn_sandbox_get_halo_url (LsnSandbox *self)
{
  return self->halo ? lsn_sandbox_halo_get_url (self->halo) : NULL;
}

/**
 * lsn_sandbox_get_cw_url:
 *
 * Returns: (nullable): the base URL of the ConnectWise server, once started
 */
const char *
lsn_sandbox_get_cw_url (LsnSandbox *self)
{
  return self->cw ? lsn_sandbox_cw_get_url (self->cw) : NULL;
}

/**
 * lsn_sandbox_ready_line:
 *
 * Returns: (transfer full): the one JSON line `liaison-sandbox` prints when ready:
 *   {"halopsa": {...}, "connectwise": {...}}
 */
char *
lsn_sandbox_ready_line (LsnSandbox *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self->halo != NULL && self->cw != NULL, NULL);

  json_builder_begin_object (b);
  lsn_sandbox_halo_add_ready_json (self->halo, b);
  lsn_sandbox_cw_add_ready_json (self->cw, b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

typedef struct
{
  LsnSandbox        *self;
  const char        *server;
  const char        *json;
  char              *result;
  GError            *error;
  gboolean           done;
} Call;

static gboolean
is_halo (const char *server)
{
  return g_ascii_strcasecmp (server, "halopsa") == 0 || g_ascii_strcasecmp (server, "halo") == 0;
}

static gboolean
is_cw (const char *server)
{
  return g_ascii_strcasecmp (server, "connectwise") == 0 || g_ascii_strcasecmp (server, "cw") == 0;
}

static void
call_done (Call *call)
{
  g_mutex_lock (&call->self->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->self->cond);
  g_mutex_unlock (&call->self->lock);
}

static gboolean
configure_cb (gpointer data)
{
  Call *call = data;
  LsnSandboxConfig config;

  if (lsn_sandbox_config_parse (&config, call->json, -1, &call->error))
    {
      if (is_halo (call->server))
        lsn_sandbox_halo_configure (call->self->halo, &config);
      else
        lsn_sandbox_cw_configure (call->self->cw, &config);
      lsn_sandbox_config_clear (&config);
    }

  call_done (call);
  return G_SOURCE_REMOVE;
}

static gboolean
stats_cb (gpointer data)
{
  Call *call = data;

  if (is_halo (call->server))
    call->result = lsn_sandbox_halo_get_stats_json (call->self->halo);
  else
    call->result = lsn_sandbox_cw_get_stats_json (call->self->cw);

  call_done (call);
  return G_SOURCE_REMOVE;
}

static void
run_on_sandbox_thread (LsnSandbox  *self,
                       GSourceFunc  func,
                       Call        *call)
{
  g_main_context_invoke (self->context, func, call);

  g_mutex_lock (&self->lock);
  while (!call->done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/**
 * lsn_sandbox_configure:
 * @server: "halopsa" or "connectwise"
 * @json: a change in the form of POST /_sandbox/config (see #LsnSandboxConfig)
 *
 * Changes faults, latency, limit or token lifetime of a running server, from any thread: the change
 * is made on the sandbox thread and is in force when this returns.
 *
 * Returns: %TRUE on success, %FALSE with @error when @json is invalid
 */
gboolean
lsn_sandbox_configure (LsnSandbox  *self,
                       const char  *server,
                       const char  *json,
                       GError     **error)
{
  Call call = { self, server, json, NULL, NULL, FALSE };

  g_return_val_if_fail (LSN_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (server != NULL && json != NULL, FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "The sandbox is not running");
      return FALSE;
    }
  if (!is_halo (server) && !is_cw (server))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown sandbox server “%s”: use halopsa or connectwise", server);
      return FALSE;
    }

  run_on_sandbox_thread (self, configure_cb, &call);
  if (call.error)
    {
      g_propagate_error (error, call.error);
      return FALSE;
    }
  return TRUE;
}

/**
 * lsn_sandbox_get_stats:
 * @server: "halopsa" or "connectwise"
 *
 * Returns: (transfer full) (nullable): the server's /_sandbox/stats JSON, or %NULL if the sandbox
 *   is not running or @server is unknown
 */
char *
lsn_sandbox_get_stats (LsnSandbox *self,
                       const char *server)
{
  Call call = { self, server, NULL, NULL, NULL, FALSE };

  g_return_val_if_fail (LSN_IS_SANDBOX (self), NULL);

  if (self->thread == NULL || server == NULL || (!is_halo (server) && !is_cw (server)))
    return NULL;

  run_on_sandbox_thread (self, stats_cb, &call);
  return call.result;
}
