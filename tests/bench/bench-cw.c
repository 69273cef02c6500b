/* bench-cw.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ConnectWise connector benchmark against the sandbox: list 10,000 companies, change 50, pull
 * what changed, and print the requests used against the minimum (one request per 1,000
 * records, the largest page ConnectWise serves). Never fails because the machine is slow.
 *
 *   bench-cw [--companies N] [--changes N]
 */

#include "config.h"

#include <math.h>

#include "lsn-connector.h"
#include "lsn-http-client.h"
#include "lsn-sandbox.h"
#include "connectwise/lsn-connectwise-connector.h"

static int companies = 10000;
static int changes = 50;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_error ("not a JSON object: %s", json);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
server_requests (LsnSandbox *sandbox)
{
  g_autofree char *json = lsn_sandbox_get_stats (sandbox, "connectwise");
  g_autoptr(JsonObject) stats = parse_object (json);

  return json_object_get_int_member (stats, "requests");
}

static guint64
client_requests (LsnConnector *cw)
{
  LsnHttpStats stats;

  lsn_http_client_get_stats (lsn_connector_get_http (cw), &stats);
  return stats.requests;
}

static gboolean
count_record (LsnRecord *record,
              gpointer   user_data)
{
  (*(guint *) user_data)++;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "companies", 0, 0, G_OPTION_ARG_INT, &companies, "Companies in the sandbox (default 10000)", "N" },
    { "changes", 0, 0, G_OPTION_ARG_INT, &changes, "Companies changed before the incremental pull (default 50)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- ConnectWise connector benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(LsnConnector) cw = NULL;
  g_autoptr(LsnConnector) editor = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *ready = NULL;
  g_autofree char *private_key = NULL;
  LsnSandboxOptions options;
  LsnListOptions full = { .include_inactive = TRUE };
  LsnListOptions since = { .include_inactive = TRUE };
  guint listed = 0, pulled = 0;
  guint64 c0, c1;
  gint64 s0, s1, t0, t1;
  guint minimum;
  JsonObject *cw_line;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  lsn_sandbox_options_init (&options);
  options.halo_clients = 0;
  options.cw_clients = MAX (companies, 1);

  t0 = g_get_monotonic_time ();
  sandbox = lsn_sandbox_new (&options);
  if (!lsn_sandbox_start (sandbox, &error))
    g_error ("sandbox: %s", error->message);
  g_print ("sandbox with %d companies ready in %.1f s\n", companies,
           (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);

  ready = lsn_sandbox_ready_line (sandbox);
  line = parse_object (ready);
  cw_line = json_object_get_object_member (line, "connectwise");
  settings = parse_object ("{\"connector\": \"connectwise\"}");
  json_object_set_string_member (settings, "url", json_object_get_string_member (cw_line, "url"));
  json_object_set_string_member (settings, "company", json_object_get_string_member (cw_line, "company"));
  json_object_set_string_member (settings, "public_key", json_object_get_string_member (cw_line, "public_key"));
  json_object_set_string_member (settings, "client_id", json_object_get_string_member (cw_line, "client_id"));
  private_key = g_strdup (json_object_get_string_member (cw_line, "private_key"));

  /* the default budget: 600 requests a minute, as the sandbox's own limit */
  cw = lsn_connector_new_from_settings (settings, private_key, &error);
  editor = cw ? lsn_connector_new_from_settings (settings, private_key, &error) : NULL;
  if (cw == NULL || editor == NULL)
    g_error ("connector: %s", error->message);

  /* 1. full list */
  c0 = client_requests (cw);
  s0 = server_requests (sandbox);
  t0 = g_get_monotonic_time ();
  if (!lsn_connector_list (cw, LSN_KIND_CLIENT, &full, count_record, &listed, NULL, &error))
    g_error ("full list: %s", error->message);
  t1 = g_get_monotonic_time ();
  c1 = client_requests (cw);
  s1 = server_requests (sandbox);
  minimum = (guint) ceil (listed / 1000.0);
  g_print ("full list: %u companies in %.2f s, %" G_GUINT64_FORMAT " requests (server saw %" G_GINT64_FORMAT
           "), minimum %u, ratio %.2f\n",
           listed, (t1 - t0) / (double) G_USEC_PER_SEC, c1 - c0, s1 - s0, minimum,
           minimum ? (double) (c1 - c0) / minimum : 0.0);
  g_print ("  of which: 1 codebase lookup (companyinfo), 1 company statuses page (inactive flags), 1 /count\n");

  /* 2. changes made elsewhere */
  {
    g_autoptr(GPtrArray) some = NULL;
    LsnListOptions first = { .include_inactive = TRUE, .page_size = (guint) MAX (changes, 1) };
    guint n = 0;

    since.since_usec = g_get_real_time () - G_USEC_PER_SEC;
    some = lsn_connector_list_all (editor, LSN_KIND_CLIENT, &first, NULL, &error);
    if (some == NULL)
      g_error ("list: %s", error->message);
    for (guint i = 0; i < some->len && n < (guint) changes; i += MAX (1, some->len / (guint) MAX (changes, 1)), n++)
      {
        g_autoptr(JsonObject) change = json_object_new ();
        g_autoptr(LsnRecord) record = NULL;
        g_autofree char *phone = g_strdup_printf ("555-%04u", i);

        json_object_set_string_member (change, "phone", phone);
        record = lsn_connector_update (editor, LSN_KIND_CLIENT, lsn_record_get_remote_id (g_ptr_array_index (some, i)),
                                       change, NULL, &error);
        if (record == NULL)
          g_error ("update: %s", error->message);
      }
    g_print ("changed %u companies through another connection\n", n);
  }

  /* 3. incremental pull */
  c0 = client_requests (cw);
  s0 = server_requests (sandbox);
  t0 = g_get_monotonic_time ();
  if (!lsn_connector_list (cw, LSN_KIND_CLIENT, &since, count_record, &pulled, NULL, &error))
    g_error ("incremental pull: %s", error->message);
  t1 = g_get_monotonic_time ();
  c1 = client_requests (cw);
  s1 = server_requests (sandbox);
  minimum = MAX (1, (guint) ceil (pulled / 1000.0));
  g_print ("incremental pull: %u changed companies in %.3f s, %" G_GUINT64_FORMAT " requests (server saw %"
           G_GINT64_FORMAT "), minimum %u, ratio %.2f\n",
           pulled, (t1 - t0) / (double) G_USEC_PER_SEC, c1 - c0, s1 - s0, minimum, (double) (c1 - c0) / minimum);
  g_print ("  of which: 1 /count (the check that every counted record was read)\n");

  lsn_sandbox_stop (sandbox);
  return pulled == (guint) MIN (changes, companies) ? 0 : 1;
}
