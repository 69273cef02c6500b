/* lsn-demo.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "lsn-demo.h"
#include "lsn-demo-profile.h"
#include "lsn-sandbox.h"

/**
 * LsnDemo:
 *
 * "Try the Demo": the sandbox's HaloPSA and ConnectWise Manage, started in this process on
 * 127.0.0.1 (on the fixed demo ports when they are free, on any port otherwise) for as long as the
 * application runs, and a ready profile that joins them, with its secrets in the keyring.
 *
 * The sandbox generates its data and starts listening on a worker thread; the profile is written
 * there too. The sandbox itself runs on its own thread (see LsnSandbox).
 */
struct _LsnDemo
{
  GObject     parent_instance;

  GMutex      lock;
  LsnSandbox *sandbox;     /* (mutex lock) (nullable): once started */
  char       *ready_line;  /* (mutex lock) (nullable) */
};

G_DEFINE_FINAL_TYPE (LsnDemo, lsn_demo, G_TYPE_OBJECT)

static LsnSandbox *
start_sandbox (GError **error)
{
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(GError) fixed_error = NULL;
  LsnSandboxOptions options;
  const char *clients = g_getenv (LSN_DEMO_CLIENTS_ENV);

  lsn_sandbox_options_init (&options);
  if (clients != NULL && *clients != '\0')
    options.halo_clients = options.cw_clients = CLAMP (atoi (clients), 0, 100000);

  options.halo_port = LSN_DEMO_HALO_PORT;
  options.cw_port = LSN_DEMO_CW_PORT;
  sandbox = lsn_sandbox_new (&options);
  if (lsn_sandbox_start (sandbox, &fixed_error))
    return g_steal_pointer (&sandbox);

  /* Another program (or another Liaison) has the ports: any free ones will do, the profile
   * follows them. */
  g_debug ("The demo ports are taken (%s): using any free port", fixed_error->message);
  g_clear_object (&sandbox);
  options.halo_port = 0;
  options.cw_port = 0;
  sandbox = lsn_sandbox_new (&options);
  if (!lsn_sandbox_start (sandbox, error))
    return NULL;

  return g_steal_pointer (&sandbox);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LsnDemo *self = source_object;
  LsnStore *store = task_data;
  g_autofree char *ready = NULL;
  LsnProfile *profile;
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  if (self->sandbox == NULL)
    {
      self->sandbox = start_sandbox (&error);
      if (self->sandbox != NULL)
        self->ready_line = lsn_sandbox_ready_line (self->sandbox);
    }
  ready = g_strdup (self->ready_line);
  g_mutex_unlock (&self->lock);

  if (ready == NULL)
    {
      g_prefix_error (&error, "%s", _("The demo’s servers could not be started: "));
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  profile = lsn_demo_profile_install (store, ready, _("Demo: HaloPSA ↔ ConnectWise"), &error);
  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, g_object_unref);
}

/**
 * lsn_demo_start_async:
 * @self: a #LsnDemo
 * @store: where the demo profile goes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: for @callback
 *
 * Starts the sandbox unless it runs already, and creates the demo profile (or points the existing
 * one at the sandbox).
 */
void
lsn_demo_start_async (LsnDemo             *self,
                      LsnStore            *store,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LSN_IS_DEMO (self));
  g_return_if_fail (LSN_IS_STORE (store));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lsn_demo_start_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, start_thread);
}

/**
 * lsn_demo_start_finish:
 *
 * Returns: (transfer full) (nullable): the demo profile
 */
LsnProfile *
lsn_demo_start_finish (LsnDemo       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lsn_demo_get_running:
 *
 * Returns: whether the demo's servers run
 */
gboolean
lsn_demo_get_running (LsnDemo *self)
{
  gboolean running;

  g_return_val_if_fail (LSN_IS_DEMO (self), FALSE);

  g_mutex_lock (&self->lock);
  running = self->sandbox != NULL;
  g_mutex_unlock (&self->lock);

  return running;
}

/**
 * lsn_demo_stop:
 *
 * Stops the demo's servers (the application does on shutdown).
 */
void
lsn_demo_stop (LsnDemo *self)
{
  g_autoptr(LsnSandbox) sandbox = NULL;

  g_return_if_fail (LSN_IS_DEMO (self));

  g_mutex_lock (&self->lock);
  sandbox = g_steal_pointer (&self->sandbox);
  g_clear_pointer (&self->ready_line, g_free);
  g_mutex_unlock (&self->lock);

  if (sandbox != NULL)
    lsn_sandbox_stop (sandbox);
}

static void
lsn_demo_finalize (GObject *object)
{
  LsnDemo *self = LSN_DEMO (object);

  lsn_demo_stop (self);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lsn_demo_parent_class)->finalize (object);
}

static void
lsn_demo_class_init (LsnDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_demo_finalize;
}

static void
lsn_demo_init (LsnDemo *self)
{
  g_mutex_init (&self->lock);
}

/**
 * lsn_demo_new:
 *
 * Returns: (transfer full): a demo, not started
 */
LsnDemo *
lsn_demo_new (void)
{
  return g_object_new (LSN_TYPE_DEMO, NULL);
}
