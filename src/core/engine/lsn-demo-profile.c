/* lsn-demo-profile.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo profile: HaloPSA on the left, ConnectWise Manage on the right, both the in-process
 * sandbox, built from the sandbox's ready line. `liaisonctl demo` and the window's "Try the Demo"
 * share it. A demo profile carries "demo": true, so that it is found again when the sandbox is
 * started anew (on another port, with its data generated afresh). Blocks on the store and the
 * keyring: call from a worker thread.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-demo-profile.h"
#include "lsn-error.h"
#include "lsn-profile-config.h"
#include "lsn-profile-io.h"
#include "lsn-secrets.h"

/* The connection keys of the ready line that a restarted sandbox may change. */
static const char * const address_keys[] = { "url", "auth_url", NULL };

static JsonObject *
parse_object (const char  *json,
              const char  *what,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json ? json : "", -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT, "%s is not a JSON object", what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
ready_side (JsonObject  *ready,
            const char  *connector,
            GError     **error)
{
  JsonNode *node = json_object_get_member (ready, connector);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_FAILED,
                   "The sandbox did not start its %s server", connector);
      return NULL;
    }
  return json_node_get_object (node);
}

/**
 * lsn_demo_profile_json:
 * @ready_line: the sandbox's ready line
 * @name: the profile's name
 * @error: return location
 *
 * Builds a profile file that syncs clients, sites and contacts both ways between the sandbox's
 * HaloPSA (left) and ConnectWise Manage (right), every 15 minutes. Its secrets are written inline:
 * lsn_profile_import() moves them to the keyring.
 *
 * Returns: (transfer full) (nullable): the profile file
 */
char *
lsn_demo_profile_json (const char  *ready_line,
                       const char  *name,
                       GError     **error)
{
  static const char * const sides[2][2] = { { "left", "halopsa" }, { "right", "connectwise" } };
  static const char * const kinds[] = { "client", "site", "contact" };
  g_autoptr(JsonObject) ready = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (ready_line != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  ready = parse_object (ready_line, "The sandbox's ready line", error);
  if (ready == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "demo");
  json_builder_add_boolean_value (b, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sides); s++)
    {
      JsonObject *conn = ready_side (ready, sides[s][1], error);
      g_autoptr(GList) members = NULL;

      if (conn == NULL)
        return NULL;
      members = json_object_get_members (conn);
      json_builder_set_member_name (b, sides[s][0]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "connector");
      json_builder_add_string_value (b, sides[s][1]);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (conn, l->data)));
        }
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_object (b);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      json_builder_set_member_name (b, kinds[k]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, "both");
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, "realtime");
      json_builder_set_member_name (b, "master");
      json_builder_add_string_value (b, "newest");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "schedule");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "every_minutes");
  json_builder_add_int_value (b, 15);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/**
 * lsn_demo_profile_is_demo:
 * @settings_json: (nullable): a profile's settings
 *
 * Returns: whether the settings are those of a demo profile
 */
gboolean
lsn_demo_profile_is_demo (const char *settings_json)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonNode *demo;

  if (settings_json == NULL || !json_parser_load_from_data (parser, settings_json, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  demo = json_object_get_member (json_node_get_object (root), "demo");
  return demo != NULL && JSON_NODE_HOLDS_VALUE (demo)
         && json_node_get_value_type (demo) == G_TYPE_BOOLEAN && json_node_get_boolean (demo);
}

/* The sandbox generates its data afresh at every start: what the profile remembers of the last
 * one (links, cursors, cached records, unsent writes) would only point at records that are gone.
 * Runs, audit events and the person's match decisions stay. */
static gboolean
forget_sync_state (LsnStore  *store,
                   sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  static const char * const statements[] = {
    "DELETE FROM links WHERE profile_id = ?1",
    "DELETE FROM cursors WHERE profile_id = ?1",
    "DELETE FROM remote_records WHERE profile_id = ?1",
    "DELETE FROM outbox WHERE profile_id = ?1",
  };
  gint64 profile_id = *(gint64 *) user_data;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (db, statements[i], error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, profile_id);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        return lsn_store_set_error (db, rc, NULL, "resetting the demo profile", error);
    }
  return TRUE;
}

/* Points an existing demo profile at the sandbox of @ready, and puts back a secret that the
 * keyring lost (a session without a keyring keeps them in memory only). */
static LsnProfile *
refresh_profile (LsnStore    *store,
                 LsnProfile  *profile,
                 JsonObject  *ready,
                 GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autofree char *settings = NULL;
  gint64 id = lsn_profile_get_id (profile);

  root = parse_object (lsn_profile_get_settings (profile), "The demo profile", error);
  if (root == NULL)
    return NULL;

  for (guint s = 0; s < 2; s++)
    {
      JsonNode *node = json_object_get_member (root, s == 0 ? "left" : "right");
      JsonObject *side;
      JsonObject *conn;
      const char *connector;
      const char *key;
      const char *conn_id;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      side = json_node_get_object (node);
      connector = json_object_get_string_member_with_default (side, "connector", NULL);
      if (connector == NULL || (conn = ready_side (ready, connector, NULL)) == NULL)
        continue;

      for (guint k = 0; address_keys[k] != NULL; k++)
        if (json_object_has_member (conn, address_keys[k]))
          json_object_set_string_member (side, address_keys[k],
                                         json_object_get_string_member_with_default (conn, address_keys[k], ""));

      key = lsn_connector_secret_key (connector);
      conn_id = json_object_get_string_member_with_default (side, "id", NULL);
      if (key != NULL && conn_id != NULL && json_object_has_member (conn, key))
        {
          LsnSecrets *secrets = lsn_secrets_get_default ();
          g_autofree char *known = lsn_secrets_lookup (secrets, conn_id, NULL, NULL);

          if (known == NULL)
            {
              g_autofree char *label = g_strdup_printf ("Liaison: %s (%s %s)",
                                                        lsn_profile_get_name (profile),
                                                        connector, key);
              JsonObject *where = json_object_new ();

              lsn_secrets_store (secrets, conn_id, label,
                                 json_object_get_string_member_with_default (conn, key, ""),
                                 NULL, NULL);
              json_object_set_boolean_member (where, "keyring", TRUE);
              json_object_set_object_member (side, key, where);
            }
        }
    }

  config = lsn_profile_config_parse_object (root, error);
  if (config == NULL)
    return NULL;
  settings = lsn_profile_config_to_json (config);

  if (!lsn_store_run_in_transaction (store, forget_sync_state, &id, error)
      || !lsn_store_update_profile (store, id, settings, error))
    return NULL;

  return lsn_store_find_profile (store, lsn_profile_get_name (profile), error);
}

/**
 * lsn_demo_profile_install:
 * @store: the store
 * @ready_line: the ready line of a running sandbox
 * @name: the name of a new demo profile
 * @error: return location
 *
 * Makes the store hold a demo profile that reaches the sandbox of @ready_line: a new one named
 * @name (or "@name (2)"... when that name is taken by another profile), with its secrets in the
 * keyring; or, when there is one already, the same one pointed at the sandbox's current addresses
 * (its sync settings kept, its links forgotten, since the sandbox's data is new).
 *
 * Returns: (transfer full) (nullable): the demo profile
 */
LsnProfile *
lsn_demo_profile_install (LsnStore    *store,
                          const char  *ready_line,
                          const char  *name,
                          GError     **error)
{
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(JsonObject) ready = NULL;
  g_autofree char *json = NULL;
  g_autofree char *free_name = NULL;

  g_return_val_if_fail (LSN_IS_STORE (store), NULL);
  g_return_val_if_fail (ready_line != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  ready = parse_object (ready_line, "The sandbox's ready line", error);
  if (ready == NULL)
    return NULL;

  profiles = lsn_store_list_profiles (store, error);
  if (profiles == NULL)
    return NULL;

  for (guint i = 0; i < profiles->len; i++)
    {
      LsnProfile *profile = g_ptr_array_index (profiles, i);

      if (lsn_demo_profile_is_demo (lsn_profile_get_settings (profile)))
        return refresh_profile (store, profile, ready, error);
    }

  free_name = g_strdup (name);
  for (guint n = 2; n < 100; n++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < profiles->len && !taken; i++)
        taken = g_strcmp0 (lsn_profile_get_name (g_ptr_array_index (profiles, i)), free_name) == 0;
      if (!taken)
        break;
      g_free (free_name);
      free_name = g_strdup_printf ("%s (%u)", name, n);
    }

  json = lsn_demo_profile_json (ready_line, free_name, error);
  if (json == NULL)
    return NULL;

  return lsn_profile_import (store, json, free_name, FALSE, error);
}
