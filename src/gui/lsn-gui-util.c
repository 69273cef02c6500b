/* lsn-gui-util.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small helpers the pages share: profile settings as JSON, saving them off the main thread, and
 * words for people.
 */

#define G_LOG_DOMAIN "liaison-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-error.h"
#include "lsn-gui-util.h"
#include "lsn-profile-config.h"
#include "lsn-secrets.h"

/* Two pages may save parts of one profile at once: each save reads, changes and writes the
 * whole settings under this lock, so that neither undoes the other. */
static GMutex save_lock;

/**
 * lsn_gui_parse_settings:
 * @settings_json: (nullable): a profile's settings
 *
 * Returns: (transfer full): the settings as a new object (empty when they are not an object)
 */
JsonObject *
lsn_gui_parse_settings (const char *settings_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (settings_json != NULL
      && json_parser_load_from_data (parser, settings_json, -1, NULL)
      && (root = json_parser_get_root (parser)) != NULL
      && JSON_NODE_HOLDS_OBJECT (root))
    return json_object_ref (json_node_get_object (root));

  return json_object_new ();
}

/**
 * lsn_gui_copy_object:
 * @object: an object
 *
 * Returns: (transfer full): a deep copy of @object, which shares nothing with it
 */
JsonObject *
lsn_gui_copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_alloc ();
  g_autofree char *text = NULL;

  json_node_init_object (node, object);
  text = json_to_string (node, FALSE);

  return lsn_gui_parse_settings (text);
}

/**
 * lsn_gui_object_member:
 * @object: an object
 * @name: a member
 *
 * Returns: (transfer none): the object member @name of @object, made (or replaced) when it is
 *   missing or not an object
 */
JsonObject *
lsn_gui_object_member (JsonObject *object,
                       const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (object, name, json_object_new ());
      node = json_object_get_member (object, name);
    }

  return json_node_get_object (node);
}

typedef struct
{
  LsnStore   *store;
  gint64      profile_id;
  char       *members;   /* serialized: objects are not shared across threads */
  GHashTable *secrets;   /* (nullable) connection id → secret */
  gboolean    memory_only;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->members, g_free);
  g_clear_pointer (&data->secrets, g_hash_table_unref);
  g_free (data);
}


static LsnProfile *
save_locked (SaveData  *data,
             GError   **error)
{
  g_autoptr(LsnProfile) current = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonObject) members = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) names = NULL;
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autofree char *settings = NULL;

  current = lsn_store_get_profile (data->store, data->profile_id, error);
  if (current == NULL)
    return NULL;

  if (data->secrets != NULL)
    {
      GHashTableIter iter;
      const char *conn_id;
      const char *secret;

      g_hash_table_iter_init (&iter, data->secrets);
      while (g_hash_table_iter_next (&iter, (gpointer *) &conn_id, (gpointer *) &secret))
        {
          g_autofree char *label = g_strdup_printf ("Liaison: %s", lsn_profile_get_name (current));
          g_autoptr(GError) why = NULL;

          if (lsn_secrets_store (lsn_secrets_get_default (), conn_id, label, secret, NULL, &why)
              != LSN_SECRETS_KEYRING)
            {
              g_message ("No keyring: a secret is kept for this session only (%s)",
                         why != NULL ? why->message : "unknown reason");
              data->memory_only = TRUE;
            }
        }
    }

  root = lsn_gui_parse_settings (lsn_profile_get_settings (current));
  members = lsn_gui_parse_settings (data->members);
  names = json_object_get_members (members);
  for (const GList *l = names; l != NULL; l = l->next)
    json_object_set_member (root, l->data,
                            json_node_copy (json_object_get_member (members, l->data)));

  config = lsn_profile_config_parse_object (root, error);
  if (config == NULL)
    return NULL;

  node = json_node_alloc ();
  json_node_init_object (node, root);
  settings = json_to_string (node, TRUE);

  if (!lsn_store_update_profile (data->store, data->profile_id, settings, error))
    return NULL;

  return lsn_store_get_profile (data->store, data->profile_id, error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;
  LsnProfile *profile;

  g_mutex_lock (&save_lock);
  profile = save_locked (data, &error);
  g_mutex_unlock (&save_lock);

  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, g_object_unref);
}

/**
 * lsn_gui_save_settings_async:
 * @store: the store
 * @profile_id: the profile
 * @members: the top-level members of the settings to replace ("left", "kinds"...)
 * @secrets: (nullable): connection id → secret, to put in the keyring first
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: for @callback
 *
 * Replaces some members of a profile's settings, on a worker thread: the rest of the settings are
 * read from the store at that moment, so pages that save different members never undo each other.
 * The result is checked as a profile file before it is written.
 */
void
lsn_gui_save_settings_async (LsnStore            *store,
                             gint64               profile_id,
                             JsonObject          *members,
                             GHashTable          *secrets,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(JsonNode) node = json_node_alloc ();
  SaveData *data = g_new0 (SaveData, 1);

  json_node_init_object (node, members);
  data->store = g_object_ref (store);
  data->profile_id = profile_id;
  data->members = json_to_string (node, FALSE);
  data->secrets = secrets != NULL ? g_hash_table_ref (secrets) : NULL;

  g_task_set_source_tag (task, lsn_gui_save_settings_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

/**
 * lsn_gui_save_settings_finish:
 * @result: the result
 * @memory_only: (out) (optional): whether a secret could only be kept in memory
 * @error: return location
 *
 * Returns: (transfer full) (nullable): the profile as saved
 */
LsnProfile *
lsn_gui_save_settings_finish (GAsyncResult  *result,
                              gboolean      *memory_only,
                              GError       **error)
{
  SaveData *data = g_task_get_task_data (G_TASK (result));

  if (memory_only != NULL)
    *memory_only = data->memory_only;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lsn_gui_format_time:
 * @real_time_usec: a g_get_real_time()
 *
 * Returns: (transfer full): "14:05" today, "Tue 14:05" this week, "12 Mar 14:05" before
 */
char *
lsn_gui_format_time (gint64 real_time_usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (real_time_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GTimeSpan ago;

  if (when == NULL)
    return g_strdup ("?");

  ago = g_date_time_difference (now, when);
  if (g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now)
      && g_date_time_get_year (when) == g_date_time_get_year (now))
    return g_date_time_format (when, "%H:%M");
  if (ago > -6 * G_TIME_SPAN_DAY && ago < 6 * G_TIME_SPAN_DAY)
    return g_date_time_format (when, "%a %H:%M");
  return g_date_time_format (when, "%e %b %H:%M");
}

/**
 * lsn_gui_connector_label:
 *
 * Returns: the name people know @connector by
 */
const char *
lsn_gui_connector_label (const char *connector)
{
  if (g_strcmp0 (connector, "halopsa") == 0)
    return "HaloPSA";
  if (g_strcmp0 (connector, "connectwise") == 0)
    return "ConnectWise Manage";
  if (g_strcmp0 (connector, "feed") == 0)
    return _("Billing feed");
  return connector != NULL ? connector : _("No system");
}

/**
 * lsn_gui_mapping_system:
 * @connector: (nullable): the connector of one side of a profile
 *
 * Returns: how the mapping editor names the side ("HaloPSA"; "Invoice" for a billing feed)
 */
const char *
lsn_gui_mapping_system (const char *connector)
{
  if (g_strcmp0 (connector, "feed") == 0)
    return _("Invoice");
  return lsn_gui_connector_label (connector);
}

/**
 * lsn_gui_mapping_noun:
 * @kind: "client" or "licence"
 * @connector: (nullable): the connector of the side
 * @plural: the plural, in lower case, instead of the singular, capitalised
 *
 * Returns: what the records of @kind are called on a side of a mapping: an invoice has
 *   customers and products, HaloPSA clients and licences
 */
const char *
lsn_gui_mapping_noun (const char *kind,
                      const char *connector,
                      gboolean    plural)
{
  gboolean feed = g_strcmp0 (connector, "feed") == 0;

  if (g_strcmp0 (kind, "licence") == 0)
    {
      if (feed)
        return plural ? _("products") : _("Product");
      return plural ? _("licences") : _("Licence");
    }
  if (feed)
    return plural ? _("customers") : _("Customer");
  return plural ? _("clients") : _("Client");
}

/**
 * lsn_gui_mapping_noun_in_text:
 * @kind: "client" or "licence"
 * @connector: (nullable): the connector of the side
 *
 * Returns: the singular of lsn_gui_mapping_noun() as written inside a sentence ("Choose a
 *   client.")
 */
const char *
lsn_gui_mapping_noun_in_text (const char *kind,
                              const char *connector)
{
  gboolean feed = g_strcmp0 (connector, "feed") == 0;

  /* Translators: these four are one record inside a sentence, "Choose a client." */
  if (g_strcmp0 (kind, "licence") == 0)
    return feed ? C_("in a sentence", "product") : C_("in a sentence", "licence");
  return feed ? C_("in a sentence", "customer") : C_("in a sentence", "client");
}

/**
 * lsn_gui_kind_label:
 *
 * Returns: the plural people use for records of @kind ("Clients")
 */
const char *
lsn_gui_kind_label (const char *kind)
{
  static const struct { const char *kind; const char *label; } labels[] = {
    { "client", N_("Clients") },
    { "site", N_("Sites") },
    { "contact", N_("Contacts") },
    { "product", N_("Products") },
    { "tax", N_("Tax Rates") },
    { "opportunity", N_("Opportunities") },
    { "quote", N_("Quotes") },
    { "licence", N_("Licences") },
    { "addition", N_("Agreement Additions") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (kind, labels[i].kind) == 0)
      return _(labels[i].label);

  return kind;
}
