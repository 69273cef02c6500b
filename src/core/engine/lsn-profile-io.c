/* lsn-profile-io.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the CLI and the window do with a profile beyond a sync: import and export the profile
 * file, and decide possible matches. These block on the store: call them from a worker thread.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-planner.h"
#include "lsn-profile-config.h"
#include "lsn-profile-io.h"
#include "lsn-secrets.h"
#include "lsn-sync-store.h"

static gboolean
move_inline_secret (JsonObject  *side,
                    const char  *side_name,
                    const char  *profile_name,
                    GError     **error)
{
  const char *connector = json_object_get_string_member_with_default (side, "connector", NULL);
  const char *key = lsn_connector_secret_key (connector);
  JsonNode *node = key ? json_object_get_member (side, key) : NULL;
  g_autofree char *label = NULL;
  g_autoptr(GError) why = NULL;
  JsonObject *ref;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return TRUE;

  /* A secret written in the file goes to the keyring; the profile keeps only where it is. */
  label = g_strdup_printf ("Liaison: %s (%s %s)", profile_name, connector, key);
  if (lsn_secrets_store (lsn_secrets_get_default (),
                         json_object_get_string_member (side, "id"), label,
                         json_node_get_string (node), NULL, &why) != LSN_SECRETS_KEYRING)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NO_KEYRING,
                   "The profile file holds the %s of the %s connection, and no keyring can keep "
                   "it (%s). Put it in an environment variable and write "
                   "\"%s\": {\"env\": \"VARIABLE\"} instead.",
                   key, side_name, why ? why->message : "unknown reason", key);
      return FALSE;
    }

  ref = json_object_new ();
  json_object_set_boolean_member (ref, "keyring", TRUE);
  json_object_set_object_member (side, key, ref);
  return TRUE;
}

/**
 * lsn_profile_import:
 * @json: a profile file
 * @fallback_name: (nullable): the name when the file has none
 * @replace: replace the settings of an existing profile of the same name
 *
 * Checks the file, gives each connection an id (the key of its secret), moves any secret written
 * in the file to the keyring, and saves the profile.
 *
 * Returns: (transfer full) (nullable): the saved profile
 */
LsnProfile *
lsn_profile_import (LsnStore    *store,
                    const char  *json,
                    const char  *fallback_name,
                    gboolean     replace,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autoptr(LsnProfile) existing = NULL;
  g_autofree char *settings = NULL;
  JsonObject *root;
  g_autofree char *name = NULL;

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The profile file is not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The profile file must hold one JSON object");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  name = g_strdup (json_object_get_string_member_with_default (root, "name", NULL));
  if (name == NULL || *name == '\0')
    {
      g_free (name);
      name = g_strdup (fallback_name);
    }
  if (name == NULL || *name == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The profile file has no \"name\": add one");
      return NULL;
    }
  json_object_set_string_member (root, "name", name);

  existing = lsn_store_find_profile (store, name, NULL);
  if (existing != NULL && !replace)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                   "A profile named “%s” already exists: import with --replace to replace its "
                   "settings, or give the file another \"name\"", name);
      return NULL;
    }

  for (guint s = 0; s < 2; s++)
    {
      const char *side_name = s == 0 ? "left" : "right";
      JsonNode *side = json_object_get_member (root, side_name);

      if (side == NULL || !JSON_NODE_HOLDS_OBJECT (side))
        continue;
      if (!json_object_has_member (json_node_get_object (side), "id"))
        {
          g_autofree char *id = g_uuid_string_random ();
          json_object_set_string_member (json_node_get_object (side), "id", id);
        }
    }

  /* check everything but the secrets first, so a bad file stores nothing anywhere */
  {
    /* a deep copy: json_node_copy() would share the object */
    g_autoptr(JsonNode) whole = json_node_alloc ();
    g_autoptr(JsonParser) copy = json_parser_new ();
    g_autofree char *text = NULL;
    JsonObject *p;

    json_node_init_object (whole, root);
    text = json_to_string (whole, FALSE);
    if (!json_parser_load_from_data (copy, text, -1, error))
      return NULL;
    p = json_node_get_object (json_parser_get_root (copy));
    for (guint s = 0; s < 2; s++)
      {
        JsonNode *side = json_object_get_member (p, s == 0 ? "left" : "right");
        if (side && JSON_NODE_HOLDS_OBJECT (side))
          {
            const char *key = lsn_connector_secret_key (
              json_object_get_string_member_with_default (json_node_get_object (side),
                                                          "connector", NULL));
            JsonNode *secret = key ? json_object_get_member (json_node_get_object (side), key)
                                   : NULL;
            /* an inline secret is moved to the keyring below: check the rest first */
            if (secret && JSON_NODE_HOLDS_VALUE (secret))
              json_object_remove_member (json_node_get_object (side), key);
          }
      }
    config = lsn_profile_config_parse_object (p, error);
    if (config == NULL)
      return NULL;
    g_clear_pointer (&config, lsn_profile_config_free);
  }

  for (guint s = 0; s < 2; s++)
    {
      const char *side_name = s == 0 ? "left" : "right";
      if (!move_inline_secret (json_object_get_object_member (root, side_name), side_name, name,
                               error))
        return NULL;
    }

  config = lsn_profile_config_parse_object (root, error);
  if (config == NULL)
    return NULL;
  settings = lsn_profile_config_to_json (config);

  if (existing != NULL)
    {
      if (!lsn_store_update_profile (store, lsn_profile_get_id (existing), settings, error))
        return NULL;
    }
  else if (lsn_store_add_profile (store, name, settings, error) == 0)
    return NULL;

  return lsn_store_find_profile (store, name, error);
}

/**
 * lsn_profile_export:
 *
 * Returns: (transfer full) (nullable): the profile file, without secrets
 */
char *
lsn_profile_export (LsnProfile  *profile,
                    GError     **error)
{
  g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (lsn_profile_get_settings (profile),
                                                                 error);
  if (config == NULL)
    return NULL;
  json_object_set_string_member (config->root, "name", lsn_profile_get_name (profile));
  return lsn_profile_config_to_json (config);
}

/* -------------------------------------------------------------------------------------------- */

typedef struct
{
  gint64      profile_id;
  const char *kind;
  GPtrArray  *records[2];
  GPtrArray  *links;
  GPtrArray  *decisions;
} MatchState;

static void
match_state_clear (MatchState *ms)
{
  g_clear_pointer (&ms->records[0], g_ptr_array_unref);
  g_clear_pointer (&ms->records[1], g_ptr_array_unref);
  g_clear_pointer (&ms->links, g_ptr_array_unref);
  g_clear_pointer (&ms->decisions, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MatchState, match_state_clear)

static gboolean
load_match_state (LsnStore  *store,
                  sqlite3   *db,
                  gpointer   data,
                  GError   **error)
{
  MatchState *ms = data;

  ms->records[0] = lsn_db_load_cache (db, ms->profile_id, "left", ms->kind, FALSE, error);
  if (ms->records[0] == NULL)
    return FALSE;
  ms->records[1] = lsn_db_load_cache (db, ms->profile_id, "right", ms->kind, FALSE, error);
  if (ms->records[1] == NULL)
    return FALSE;
  ms->links = lsn_db_load_links (db, ms->profile_id, ms->kind, error);
  if (ms->links == NULL)
    return FALSE;
  ms->decisions = lsn_db_load_decisions (db, ms->profile_id, ms->kind, error);
  return ms->decisions != NULL;
}

static gboolean
is_feed (LsnProfileConfig *config)
{
  for (guint s = 0; s < 2; s++)
    {
      JsonObject *side = lsn_profile_config_get_side (config, s);
      if (side != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (side, "connector", NULL),
                        "feed") == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * lsn_profile_list_matches:
 *
 * Lists the pairs held for a person: records without a link whose name matches a record of the
 * other side, from what the last sync read.
 *
 * Returns: (transfer full) (element-type LsnPlanAction) (nullable): one HOLD action per record
 */
GPtrArray *
lsn_profile_list_matches (LsnStore    *store,
                          LsnProfile  *profile,
                          const char  *kind,
                          GError     **error)
{
  g_autoptr(LsnProfileConfig) config = NULL;
  g_auto(MatchState) ms = { 0 };
  g_autoptr(LsnPlan) plan = lsn_plan_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_plan_action_free);
  LsnPlanInput in = { 0 };
  LsnKindConfig *kc;
  LsnKindConfig feed_clients = { 0 };
  g_autoptr(GPtrArray) no_fields = NULL;
  LsnDirection saved;
  LsnKindPlan *kp;

  config = lsn_profile_config_parse (lsn_profile_get_settings (profile), error);
  kc = config != NULL ? lsn_profile_config_get_kind (config, kind) : NULL;
  if (kc == NULL && config != NULL && g_strcmp0 (kind, LSN_KIND_CLIENT) == 0 && is_feed (config))
    {
      /* A billing-feed profile matches its customers to HaloPSA clients without syncing
       * clients: the held pairs come from what its last preview or run read. */
      feed_clients.kind = (char *) LSN_KIND_CLIENT;
      feed_clients.direction = LSN_DIRECTION_BOTH;
      feed_clients.fields = no_fields = g_ptr_array_new ();
      kc = &feed_clients;
    }
  if (kc == NULL)
    {
      if (config != NULL)
        g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                     "The profile does not sync %ss", kind);
      g_ptr_array_unref (out);
      return NULL;
    }

  ms.profile_id = lsn_profile_get_id (profile);
  ms.kind = kind;
  if (!lsn_store_run_sync (store, load_match_state, &ms, error))
    {
      g_ptr_array_unref (out);
      return NULL;
    }

  /* Suggestions are wanted from both sides, whatever the direction. */
  saved = kc->direction;
  kc->direction = LSN_DIRECTION_BOTH;
  in.config = config;
  in.kind = kc;
  in.records[0] = ms.records[0];
  in.records[1] = ms.records[1];
  in.links = ms.links;
  in.decisions = ms.decisions;
  in.now_usec = g_get_real_time ();
  in.confirmed = TRUE;
  kp = lsn_planner_plan_kind (&in, plan);
  kc->direction = saved;

  for (guint i = 0; i < kp->actions->len; i++)
    {
      LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
      if (a->type == LSN_ACTION_HOLD)
        g_ptr_array_add (out, g_steal_pointer (&kp->actions->pdata[i]));
    }
  /* the stolen slots are NULL now */
  g_ptr_array_set_free_func (kp->actions, NULL);
  for (guint i = 0; i < kp->actions->len; i++)
    if (kp->actions->pdata[i] != NULL)
      lsn_plan_action_free (kp->actions->pdata[i]);
  g_ptr_array_set_size (kp->actions, 0);

  return out;
}

/**
 * lsn_plan_action_is_confident:
 * @hold: a HOLD from lsn_profile_list_matches()
 * @all_holds: all of them, to see ambiguity from the other side
 *
 * Confident: exactly one candidate, by exact name, and no other held record of the same side
 * names that candidate. Ambiguous pairs are never confident.
 */
gboolean
lsn_plan_action_is_confident (LsnPlanAction *hold,
                              GPtrArray     *all_holds)
{
  JsonObject *only;
  const char *cid;

  if (hold->candidates == NULL || json_array_get_length (hold->candidates) != 1)
    return FALSE;
  only = json_array_get_object_element (hold->candidates, 0);
  if (g_strcmp0 (json_object_get_string_member_with_default (only, "evidence", ""),
                 "exact name") != 0)
    return FALSE;
  cid = json_object_get_string_member (only, "id");

  for (guint i = 0; i < all_holds->len; i++)
    {
      LsnPlanAction *other = g_ptr_array_index (all_holds, i);
      if (other == hold || other->candidates == NULL)
        continue;
      for (guint c = 0; c < json_array_get_length (other->candidates); c++)
        {
          JsonObject *o = json_array_get_object_element (other->candidates, c);
          if (other->source_side == hold->source_side
              && g_strcmp0 (json_object_get_string_member (o, "id"), cid) == 0)
            return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  gint64            profile_id;
  const char       *kind;
  const char       *left_id;
  const char       *right_id;
  gboolean          accept;
  LsnKindConfig    *kc;
} DecideData;

static LsnRecord *
find_cached (sqlite3     *db,
             gint64       profile_id,
             const char  *side,
             const char  *kind,
             const char  *id,
             GError     **error)
{
  g_autoptr(GPtrArray) all = lsn_db_load_cache (db, profile_id, side, kind, FALSE, error);

  for (guint i = 0; all && i < all->len; i++)
    if (g_strcmp0 (lsn_record_get_remote_id (g_ptr_array_index (all, i)), id) == 0)
      return g_object_ref (g_ptr_array_index (all, i));
  if (all != NULL)
    g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                 "There is no %s %s on the %s side in what the last sync read: run a sync first, "
                 "or check the id", kind, id, side);
  return NULL;
}

static gboolean
decide_func (LsnStore  *store,
             sqlite3   *db,
             gpointer   data,
             GError   **error)
{
  DecideData *dd = data;
  g_autoptr(LsnRecord) l = NULL;
  g_autoptr(LsnRecord) r = NULL;
  g_autoptr(LsnAuditEvent) e = lsn_audit_event_new ();

  l = find_cached (db, dd->profile_id, "left", dd->kind, dd->left_id, error);
  if (l == NULL)
    return FALSE;
  r = find_cached (db, dd->profile_id, "right", dd->kind, dd->right_id, error);
  if (r == NULL)
    return FALSE;

  if (!lsn_db_save_decision (db, dd->profile_id, dd->kind, dd->left_id, dd->right_id, dd->accept,
                             error))
    return FALSE;

  if (dd->accept)
    {
      g_autoptr(LsnLink) link = lsn_link_new (dd->kind, dd->left_id, dd->right_id, "mapping");
      /* The link remembers what each side holds now: the next sync sends what differs, from
       * the side the profile's direction and master say. */
      link->left_hash = g_strdup ("");
      link->right_hash = g_strdup ("");
      if (!lsn_db_save_link (db, dd->profile_id, link, error))
        return FALSE;
    }

  e->profile_id = dd->profile_id;
  e->time = g_get_real_time ();
  e->kind = g_strdup (dd->kind);
  e->left_id = g_strdup (dd->left_id);
  e->right_id = g_strdup (dd->right_id);
  e->left_name = g_strdup (lsn_record_get_name (l));
  e->right_name = g_strdup (lsn_record_get_name (r));
  e->action = g_strdup ("map");
  e->outcome = g_strdup (dd->accept ? "accepted" : "rejected");
  e->actor = g_strdup (g_get_user_name ());
  e->message = g_strdup (dd->accept ? "mapped as the same record by a person"
                                    : "a person said these are not the same record");
  e->changes = g_strdup_printf ("[{\"field\":\"mapping\",\"before\":null,\"after\":\"%s\"}]",
                                dd->accept ? "mapped" : "rejected");
  return lsn_db_insert_event (db, e, error) != 0;
}

/**
 * lsn_profile_decide_match:
 * @accept: %TRUE to map the pair, %FALSE to reject it (it is never suggested again)
 *
 * Saves a person's decision on a pair, as one transaction with its audit event.
 */
gboolean
lsn_profile_decide_match (LsnStore    *store,
                          LsnProfile  *profile,
                          const char  *kind,
                          const char  *left_id,
                          const char  *right_id,
                          gboolean     accept,
                          GError     **error)
{
  DecideData dd = { lsn_profile_get_id (profile), kind, left_id, right_id, accept, NULL };

  return lsn_store_run_in_transaction (store, decide_func, &dd, error);
}
