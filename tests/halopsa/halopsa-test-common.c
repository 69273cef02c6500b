/* halopsa-test-common.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "halopsa-test-common.h"

JsonObject *
halopsa_test_settings (LsnSandbox  *sandbox,
                       char       **secret)
{
  g_autofree char *line = lsn_sandbox_ready_line (sandbox);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *halo;
  JsonObject *settings;
  JsonNode *node;
  g_autoptr(GList) members = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  node = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "halopsa");
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  halo = json_node_get_object (node);

  /* A copy without the secret: secrets travel separately. */
  settings = json_object_new ();
  members = json_object_get_members (halo);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "client_secret"))
      json_object_set_member (settings, l->data, json_node_copy (json_object_get_member (halo, l->data)));
  if (!json_object_has_member (settings, "connector"))
    json_object_set_string_member (settings, "connector", "halopsa");

  node = json_object_get_member (halo, "client_secret");
  if (secret != NULL)
    {
      *secret = NULL;
      if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
        *secret = g_strdup (json_node_get_string (node));
      else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
               && json_object_has_member (json_node_get_object (node), "env"))
        *secret = g_strdup (g_getenv (json_object_get_string_member (json_node_get_object (node), "env")));
      g_assert_nonnull (*secret);
    }

  return settings;
}

/**
 * halopsa_test_connector:
 * @extra_json: (nullable): members that replace the sandbox's settings, as a JSON object
 */
LsnConnector *
halopsa_test_connector (LsnSandbox *sandbox,
                        const char *extra_json)
{
  g_autoptr(JsonObject) settings = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  LsnConnector *connector;

  settings = halopsa_test_settings (sandbox, &secret);
  if (extra_json != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *extra;
      g_autoptr(GList) members = NULL;

      json_parser_load_from_data (parser, extra_json, -1, &error);
      g_assert_no_error (error);
      extra = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (extra);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (extra, l->data);

          if (g_str_equal (l->data, "client_secret"))
            {
              g_free (secret);
              secret = g_strdup (json_node_get_string (value));
            }
          else
            json_object_set_member (settings, l->data, json_node_copy (value));
        }
    }

  connector = lsn_connector_new_from_settings (settings, secret, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connector);

  /* Tests must not wait seconds between retries. */
  lsn_http_client_set_backoff (lsn_connector_get_http (connector), 20, 200);
  return connector;
}

void
halopsa_test_configure (LsnSandbox *sandbox,
                        const char *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (sandbox, "halopsa", json, &error);
  g_assert_no_error (error);
}

static void
observe (LsnHttpClient *client,
         const char    *method,
         GUri          *uri,
         gpointer       user_data)
{
  GPtrArray *sink = user_data;
  g_autoptr(GString) line = g_string_new (method);
  const char *query = g_uri_get_query (uri);

  g_string_append_c (line, ' ');
  g_string_append (line, g_uri_get_path (uri));
  if (query != NULL && *query != '\0')
    {
      g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          const char *eq = strchr (pairs[i], '=');

          g_string_append_c (line, i == 0 ? '?' : '&');
          g_string_append_len (line, pairs[i], eq ? eq - pairs[i] : (gssize) strlen (pairs[i]));
        }
    }
  g_ptr_array_add (sink, g_string_free (g_steal_pointer (&line), FALSE));
}

void
halopsa_test_record_requests (LsnConnector *connector,
                              GPtrArray    *sink)
{
  lsn_http_client_set_observer (lsn_connector_get_http (connector), observe, sink);
}
