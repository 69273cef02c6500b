/* lsn-connections-page.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connections"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-connection-group.h"
#include "lsn-connections-page.h"
#include "lsn-error.h"
#include "lsn-gui-util.h"
#include "lsn-profile-config.h"

#define SAVE_DELAY_MS 600

/**
 * LsnConnectionsPage:
 *
 * The two connections of a profile, one #LsnConnectionGroup per side. Edits are saved a moment
 * after the typing stops, when both sides have an acceptable form: the settings through the store
 * and the secrets to the keyring, on a worker thread. A run that is under way keeps the settings
 * it started with; the next one uses the new ones.
 */
struct _LsnConnectionsPage
{
  AdwBin              parent_instance;

  /* Template children */
  AdwPreferencesPage *page;

  AdwPreferencesGroup *notice_group;
  GtkLabel           *notice_label;
  LsnConnectionGroup *groups[2];
  LsnStore           *store;         /* (nullable) */
  LsnProfile         *profile;       /* (nullable) */
  char               *signature;     /* the connection settings shown, as saved */
  GCancellable       *cancellable;
  guint               save_source;
  guint               saving;        /* saves under way */
  guint               dirty : 1;
};

G_DEFINE_FINAL_TYPE (LsnConnectionsPage, lsn_connections_page, ADW_TYPE_BIN)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
signature_of (const char *settings_json)
{
  g_autoptr(JsonObject) root = lsn_gui_parse_settings (settings_json);
  g_autoptr(JsonObject) sides = json_object_new ();
  g_autoptr(JsonNode) node = json_node_alloc ();

  json_object_set_object_member (sides, "left", json_object_ref (lsn_gui_object_member (root, "left")));
  json_object_set_object_member (sides, "right", json_object_ref (lsn_gui_object_member (root, "right")));
  json_node_init_object (node, sides);

  return json_to_string (node, FALSE);
}

static void
show_notice (LsnConnectionsPage *self,
             const char         *text)
{
  gtk_label_set_label (self->notice_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_group), text != NULL);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnConnectionsPage) self = user_data;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gboolean memory_only = FALSE;

  self->saving--;
  profile = lsn_gui_save_settings_finish (result, &memory_only, &error);
  if (profile == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("The settings were not saved: %s"),
                                                   error->message);
          show_notice (self, text);
        }
      return;
    }

  if (memory_only)
    show_notice (self, _("No keyring could take the secret: it is kept in memory until Liaison "
                         "quits. Unlock or install a keyring (GNOME Keyring, KWallet) to keep it."));
  else
    show_notice (self, NULL);

  if (self->profile != NULL && lsn_profile_get_id (self->profile) == lsn_profile_get_id (profile))
    {
      g_free (self->signature);
      self->signature = signature_of (lsn_profile_get_settings (profile));
      g_set_object (&self->profile, profile);
    }

  g_signal_emit (self, signals[SAVED], 0, profile);
}

/**
 * lsn_connections_page_save_now:
 *
 * Saves pending edits at once (when both sides are acceptable).
 */
void
lsn_connections_page_save_now (LsnConnectionsPage *self)
{
  g_autoptr(JsonObject) members = NULL;
  g_autoptr(GHashTable) secrets = NULL;

  g_return_if_fail (LSN_IS_CONNECTIONS_PAGE (self));

  g_clear_handle_id (&self->save_source, g_source_remove);

  if (!self->dirty || self->store == NULL || self->profile == NULL)
    return;

  if (!lsn_connection_group_is_valid (self->groups[0])
      || !lsn_connection_group_is_valid (self->groups[1]))
    return;

  self->dirty = FALSE;
  members = json_object_new ();
  secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint s = 0; s < 2; s++)
    {
      char *secret = lsn_connection_group_take_secret (self->groups[s]);

      json_object_set_object_member (members, s == 0 ? "left" : "right",
                                     lsn_connection_group_dup_settings (self->groups[s]));
      if (secret != NULL)
        g_hash_table_insert (secrets, g_strdup (lsn_connection_group_get_id (self->groups[s])),
                             secret);
    }

  self->saving++;
  lsn_gui_save_settings_async (self->store, lsn_profile_get_id (self->profile), members,
                               g_hash_table_size (secrets) > 0 ? secrets : NULL,
                               self->cancellable, save_cb, g_object_ref (self));
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  LsnConnectionsPage *self = user_data;

  self->save_source = 0;
  lsn_connections_page_save_now (self);

  return G_SOURCE_REMOVE;
}

static void
group_changed_cb (LsnConnectionsPage *self,
                  LsnConnectionGroup *group)
{
  self->dirty = TRUE;
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
lsn_connections_page_load (LsnConnectionsPage *self)
{
  g_autoptr(JsonObject) root = lsn_gui_parse_settings (lsn_profile_get_settings (self->profile));
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autoptr(GStrvBuilder) kinds = g_strv_builder_new ();
  g_auto(GStrv) kind_list = NULL;

  g_debug ("Showing the connections of “%s”, version %" G_GINT64_FORMAT,
           lsn_profile_get_name (self->profile), lsn_profile_get_version (self->profile));

  config = lsn_profile_config_parse (lsn_profile_get_settings (self->profile), NULL);
  for (guint i = 0; config != NULL && i < config->kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (config->kinds, i);

      if (kc->direction != LSN_DIRECTION_OFF)
        g_strv_builder_add (kinds, kc->kind);
    }
  kind_list = g_strv_builder_end (kinds);

  g_free (self->signature);
  self->signature = signature_of (lsn_profile_get_settings (self->profile));
  self->dirty = FALSE;
  g_clear_handle_id (&self->save_source, g_source_remove);

  for (guint s = 0; s < 2; s++)
    {
      lsn_connection_group_set_settings (self->groups[s],
                                         lsn_gui_object_member (root, s == 0 ? "left" : "right"));
      lsn_connection_group_set_kinds (self->groups[s], (const char * const *) kind_list);
    }
}

/* GObject */

static void
lsn_connections_page_dispose (GObject *object)
{
  LsnConnectionsPage *self = LSN_CONNECTIONS_PAGE (object);

  /* Whatever was typed is kept. */
  if (self->dirty)
    lsn_connections_page_save_now (self);

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_object (&self->profile);
  g_clear_object (&self->store);


  G_OBJECT_CLASS (lsn_connections_page_parent_class)->dispose (object);
}

static void
lsn_connections_page_finalize (GObject *object)
{
  LsnConnectionsPage *self = LSN_CONNECTIONS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->signature, g_free);

  G_OBJECT_CLASS (lsn_connections_page_parent_class)->finalize (object);
}

static void
lsn_connections_page_class_init (LsnConnectionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_connections_page_dispose;
  object_class->finalize = lsn_connections_page_finalize;

  /**
   * LsnConnectionsPage::saved:
   * @profile: the profile as saved
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, LSN_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-connections-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnConnectionsPage, page);
}

static void
lsn_connections_page_init (LsnConnectionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  self->notice_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->notice_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->notice_label, TRUE);
  gtk_label_set_xalign (self->notice_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->notice_label), "warning");
  adw_preferences_group_add (self->notice_group, GTK_WIDGET (self->notice_label));
  gtk_widget_set_visible (GTK_WIDGET (self->notice_group), FALSE);
  adw_preferences_page_add (self->page, self->notice_group);

  for (guint s = 0; s < 2; s++)
    {
      self->groups[s] = LSN_CONNECTION_GROUP (lsn_connection_group_new (s == 0 ? "left" : "right"));
      g_signal_connect_object (self->groups[s], "changed", G_CALLBACK (group_changed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->groups[s]));
    }
}

/**
 * lsn_connections_page_set_store:
 * @self: a #LsnConnectionsPage
 * @store: where the settings are saved
 */
void
lsn_connections_page_set_store (LsnConnectionsPage *self,
                                LsnStore           *store)
{
  g_return_if_fail (LSN_IS_CONNECTIONS_PAGE (self));

  g_set_object (&self->store, store);
}

/**
 * lsn_connections_page_set_profile:
 * @self: a #LsnConnectionsPage
 * @profile: (nullable): the profile to show
 *
 * Shows the connections of @profile. Newer settings of the profile shown replace the rows only
 * when they differ from what the page shows and nothing typed is waiting to be saved.
 */
void
lsn_connections_page_set_profile (LsnConnectionsPage *self,
                                  LsnProfile         *profile)
{
  gboolean same;

  g_return_if_fail (LSN_IS_CONNECTIONS_PAGE (self));

  same = profile != NULL && self->profile != NULL
         && lsn_profile_get_id (profile) == lsn_profile_get_id (self->profile);

  if (!same && self->dirty)
    lsn_connections_page_save_now (self);

  if (same)
    {
      g_autofree char *signature = NULL;

      /* A list read before the page's own save arrives late: it is older than what is shown. */
      if (lsn_profile_get_version (profile) < lsn_profile_get_version (self->profile))
        return;

      signature = signature_of (lsn_profile_get_settings (profile));
      g_set_object (&self->profile, profile);
      /* What is typed, or being saved, wins over what the list says. */
      if (self->dirty || self->saving > 0 || g_strcmp0 (signature, self->signature) == 0)
        return;

      g_debug ("The connections changed elsewhere: %s → %s", self->signature, signature);
    }

  g_set_object (&self->profile, profile);
  show_notice (self, NULL);
  if (profile != NULL)
    lsn_connections_page_load (self);
}
