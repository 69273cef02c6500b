/* bench-halo-list.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "lsn-test-util.h"
#include "halopsa/lsn-halopsa-connector.h"

/* Lists N HaloPSA clients (10,000 unless given) from the sandbox through the connector and prints
 * the requests it used against the minimum, ceil(N / page_size), for a few page sizes. Prints
 * ratios; never fails because the machine is slow. */

static LsnConnector *
connector_for (LsnSandbox *sandbox,
               guint       page_size)
{
  g_autofree char *line = lsn_sandbox_ready_line (sandbox);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(GList) members = NULL;
  g_autofree char *secret = NULL;
  JsonObject *halo;
  JsonNode *node;
  LsnConnector *connector;

  if (!json_parser_load_from_data (parser, line, -1, &error))
    g_error ("ready line: %s", error->message);
  halo = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "halopsa");
  members = json_object_get_members (halo);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "client_secret"))
      json_object_set_member (settings, l->data, json_node_copy (json_object_get_member (halo, l->data)));
  json_object_set_string_member (settings, "connector", "halopsa");
  json_object_set_int_member (settings, "page_size", page_size);
  node = json_object_get_member (halo, "client_secret");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    secret = g_strdup (json_node_get_string (node));
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    secret = g_strdup (g_getenv (json_object_get_string_member (json_node_get_object (node), "env")));

  connector = lsn_connector_new_from_settings (settings, secret, &error);
  if (connector == NULL)
    g_error ("connector: %s", error->message);
  return connector;
}

static gboolean
count_record (LsnRecord *record,
              gpointer   user_data)
{
  (*(guint64 *) user_data)++;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  LsnSandboxOptions options;
  g_autoptr(LsnSandbox) sandbox = NULL;
  const guint page_sizes[] = { 100, 250, 1000 };
  gint n = argc > 1 ? atoi (argv[1]) : 10000;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  lsn_sandbox_options_init (&options);
  options.seed = 1;
  options.halo_clients = n;
  options.cw_clients = 0;
  /* The server's own limit stays generous: this measures requests, not throttling. */
  options.halo_limit = 100000;
  options.halo_window = 300;
  sandbox = lsn_test_start_sandbox (&options);

  g_print ("HaloPSA client list, %d clients\n", n);
  g_print ("%-10s %-9s %-9s %-9s %-7s %-9s %s\n", "page_size", "records", "list_req", "minimum",
           "ratio", "auth_req", "seconds");

  for (guint i = 0; i < G_N_ELEMENTS (page_sizes); i++)
    {
      g_autoptr(LsnConnector) connector = connector_for (sandbox, page_sizes[i]);
      g_autoptr(GError) error = NULL;
      LsnHttpClient *http = lsn_connector_get_http (connector);
      LsnHttpStats stats;
      LsnListOptions all = { .include_inactive = TRUE };
      guint64 records = 0;
      guint64 setup;
      guint64 minimum = (guint64) ceil ((double) n / page_sizes[i]);
      gint64 start;
      double seconds;

      /* Budget off for the measurement; the sandbox's limit is generous too. */
      lsn_http_client_set_budget (http, 0, 0);

      /* Token and discovery first, counted apart from the list. */
      lsn_connector_list (connector, "tax", NULL, count_record, &records, NULL, &error);
      if (error != NULL)
        g_error ("warm-up: %s", error->message);
      lsn_http_client_get_stats (http, &stats);
      setup = stats.requests - 1;
      lsn_http_client_reset_stats (http);
      records = 0;

      start = g_get_monotonic_time ();
      if (!lsn_connector_list (connector, "client", &all, count_record, &records, NULL, &error))
        g_error ("list: %s", error->message);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      lsn_http_client_get_stats (http, &stats);

      g_print ("%-10u %-9" G_GUINT64_FORMAT " %-9" G_GUINT64_FORMAT " %-9" G_GUINT64_FORMAT
               " %-7.3f %-9" G_GUINT64_FORMAT " %.2f\n",
               page_sizes[i], records, stats.requests, minimum,
               (double) stats.requests / (double) MAX (minimum, 1), setup, seconds);
    }

  lsn_sandbox_stop (sandbox);
  return 0;
}
