/* main.c: liaison-sandbox
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <stdio.h>
#include <glib-unix.h>

#include "lsn-sandbox.h"

static gboolean
on_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *line = NULL;
  LsnSandboxOptions options;
  gint64 seed = 42;
  int halo_port = 0, cw_port = 0;
  const GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated data", "N" },
    { "halo-port", 0, 0, G_OPTION_ARG_INT, &halo_port, "Port of the HaloPSA server (0: any)", "PORT" },
    { "cw-port", 0, 0, G_OPTION_ARG_INT, &cw_port, "Port of the ConnectWise server (0: any)", "PORT" },
    { NULL }
  };

  lsn_sandbox_options_init (&options);

  context = g_option_context_new ("- simulated HaloPSA and ConnectWise Manage servers");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("liaison-sandbox: %s\n", error->message);
      return 2;
    }

  options.seed = (guint64) seed;
  options.halo_port = (guint) halo_port;
  options.cw_port = (guint) cw_port;

  sandbox = lsn_sandbox_new (&options);
  if (!lsn_sandbox_start (sandbox, &error))
    {
      g_printerr ("liaison-sandbox: cannot start: %s\n", error->message);
      return 1;
    }

  line = lsn_sandbox_ready_line (sandbox);
  printf ("%s\n", line);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal_cb, loop);
  g_unix_signal_add (SIGINT, on_signal_cb, loop);
  g_main_loop_run (loop);

  lsn_sandbox_stop (sandbox);
  return 0;
}
