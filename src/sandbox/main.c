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
#include "lsn-sandbox-limiter.h"

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
  int clients = -1, halo_clients = -1, cw_clients = -1;
  int latency_ms = 0, token_lifetime = 3600, stall_ms = 0;
  double fault_rate = 0.0;
  g_autofree char *halo_limit = NULL;
  g_autofree char *cw_limit = NULL;
  const GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated data", "N" },
    { "clients", 0, 0, G_OPTION_ARG_INT, &clients, "Companies in each PSA (default 100)", "N" },
    { "halo-clients", 0, 0, G_OPTION_ARG_INT, &halo_clients, "Companies in HaloPSA (0: none)", "N" },
    { "cw-clients", 0, 0, G_OPTION_ARG_INT, &cw_clients, "Companies in ConnectWise (0: none)", "N" },
    { "halo-limit", 0, 0, G_OPTION_ARG_STRING, &halo_limit, "HaloPSA rate limit (default 300/300)", "N/SECONDS" },
    { "cw-limit", 0, 0, G_OPTION_ARG_STRING, &cw_limit, "ConnectWise rate limit (default 600/60)", "N/SECONDS" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms, "Delay before every answer", "MS" },
    { "fault-rate", 0, 0, G_OPTION_ARG_DOUBLE, &fault_rate, "Share of requests that get a fault (0 to 1)", "P" },
    { "stall-ms", 0, 0, G_OPTION_ARG_INT, &stall_ms, "How long a stalled answer is held back (default 120000)", "MS" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT, &token_lifetime, "Lifetime of access tokens (default 3600)", "SECONDS" },
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

  if (clients < -1 || halo_clients < -1 || cw_clients < -1 || latency_ms < 0 || stall_ms < 0 ||
      token_lifetime < 1 || fault_rate < 0 || fault_rate > 1 || halo_port < 0 || cw_port < 0 ||
      halo_port > 65535 || cw_port > 65535)
    {
      g_printerr ("liaison-sandbox: a numeric option is out of range (see --help)\n");
      return 2;
    }
  if ((halo_limit && !lsn_sandbox_limit_parse (halo_limit, &options.halo_limit, &options.halo_window, &error)) ||
      (cw_limit && !lsn_sandbox_limit_parse (cw_limit, &options.cw_limit, &options.cw_window, &error)))
    {
      g_printerr ("liaison-sandbox: %s\n", error->message);
      return 2;
    }

  options.seed = (guint64) seed;
  options.halo_clients = halo_clients >= 0 ? halo_clients : clients;
  options.cw_clients = cw_clients >= 0 ? cw_clients : clients;
  options.latency_ms = (guint) latency_ms;
  options.fault_rate = fault_rate;
  options.stall_ms = (guint) stall_ms;
  options.token_lifetime = (guint) token_lifetime;
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
