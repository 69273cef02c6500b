/* lsn-window.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "lsn-activity-page.h"
#include "lsn-add-profile-dialog.h"
#include "lsn-connections-page.h"
#include "lsn-demo-profile.h"
#include "lsn-error.h"
#include "lsn-mappings-page.h"
#include "lsn-overview-page.h"
#include "lsn-profile.h"
#include "lsn-profile-name-dialog.h"
#include "lsn-profile-row.h"
#include "lsn-sync-page.h"
#include "lsn-window.h"

/**
 * LsnWindow:
 *
 * The main window: profiles in a sidebar, the pages of the selected profile on the right, an
 * empty state while there is no profile, and an error state when the database cannot be opened.
 *
 * The pages of a profile: Overview (runs, health, budgets, what needs attention), Connections,
 * Sync; Mappings and Activity are placeholders here. Runs go through the #LsnScheduler the
 * application gives (or one of the window's own); "Try the Demo" through its #LsnDemo.
 *
 * Everything here runs on the main thread; the store does its SQL on its own worker thread and
 * hands results back through the async callbacks. Every operation the window starts uses
 * @cancellable, which dispose cancels, and every callback holds a reference on the window.
 */
struct _LsnWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
  GtkWidget            *empty_add_button;
  GtkWidget            *demo_button;
  GtkSpinner           *demo_spinner;
  GtkLabel             *demo_label;
  AdwStatusPage        *error_page;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  GtkListBox           *profile_list;
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  LsnOverviewPage      *overview_page;
  LsnConnectionsPage   *connections_page;
  LsnSyncPage          *sync_page;
  LsnMappingsPage      *mappings_page;
  LsnActivityPage      *activity_page;

  GSettings            *settings;           /* (nullable): window geometry */
  LsnStore             *store;              /* (nullable): until the database is open */
  LsnScheduler         *scheduler;          /* (nullable): until the database is open */
  LsnDemo              *demo;               /* (nullable): until first needed */
  char                 *activity_filter;    /* what win.show-activity asked for */
  GListStore           *profiles;           /* of LsnProfile, in the store's order */
  GCancellable         *cancellable;        /* everything this window started */
  GCancellable         *reload_cancellable; /* (nullable): the list being loaded */
  guint                 reload_source;
  gint64                selected_id;        /* the profile to keep selected, or 0 */
  guint                 loaded : 1;         /* the first list arrived, or opening failed */
  guint                 show_content : 1;   /* on a folded leaflet, show the new selection */
  guint                 demo_starting : 1;
  guint                 demo_asked : 1;
};

G_DEFINE_FINAL_TYPE (LsnWindow, lsn_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_LOADED,
  PROP_SETTINGS,
  PROP_ACTIVITY_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lsn_window_restart_demo (LsnWindow *self,
                                     GPtrArray *profiles);

static LsnProfile *
lsn_window_get_selected_profile (LsnWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->profile_list);

  if (row == NULL)
    return NULL;

  return lsn_profile_row_get_profile (LSN_PROFILE_ROW (row));
}

static void
lsn_window_set_loaded (LsnWindow *self)
{
  if (self->loaded)
    return;

  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

/* One of "loading", "empty", "error", "profiles". */
static void
lsn_window_set_state (LsnWindow  *self,
                      const char *state)
{
  g_autoptr(GtkSelectionModel) pages = gtk_stack_get_pages (self->main_stack);
  guint n_pages = g_list_model_get_n_items (G_LIST_MODEL (pages));

  gtk_stack_set_visible_child_name (self->main_stack, state);

  /* GTK 4.8 shows the hidden pages of a stack to assistive technologies as if they were on
   * screen (every widget "visible", none "showing"): hide them explicitly. */
  for (guint i = 0; i < n_pages; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkStackPage *page = GTK_STACK_PAGE (item);

      gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_stack_page_get_child (page)),
                                   GTK_ACCESSIBLE_STATE_HIDDEN,
                                   g_strcmp0 (gtk_stack_page_get_name (page), state) != 0,
                                   -1);
    }

  /* With no profile, adding one is the only thing to do: Enter does it. */
  if (g_str_equal (state, "empty"))
    gtk_widget_grab_focus (self->empty_add_button);
}

static void
lsn_window_update_actions (LsnWindow *self)
{
  LsnProfile *profile = lsn_window_get_selected_profile (self);
  gboolean selected = profile != NULL;
  LsnSyncJob *job = NULL;
  gboolean dry_run = FALSE;

  if (profile != NULL && self->scheduler != NULL)
    {
      job = lsn_scheduler_get_job (self->scheduler, lsn_profile_get_id (profile));
      dry_run = lsn_scheduler_get_job_dry_run (self->scheduler, lsn_profile_get_id (profile));
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-profile", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.try-demo",
                                 self->store != NULL && !self->demo_starting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-profile", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-profile", selected && job == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync-now", selected && job == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.preview-sync", selected && job == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause-sync", job != NULL && !dry_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-sync", job != NULL);
}

/* Errors of an operation on a profile: a dialog that names what failed and quotes the store. */
static void
lsn_window_show_operation_error (LsnWindow    *self,
                                 const char   *heading,
                                 const GError *error)
{
  AdwMessageDialog *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, LSN_ERROR, LSN_ERROR_CANCELLED))
    return;

  g_message ("%s: %s", heading, error->message);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lsn_window_select_profile_id (LsnWindow *self,
                              gint64     id)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->profile_list, 0);

  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->profile_list, i);

      if (row == NULL)
        break;

      if (lsn_profile_get_id (lsn_profile_row_get_profile (LSN_PROFILE_ROW (row))) == id)
        {
          gtk_list_box_select_row (self->profile_list, row);
          return;
        }
    }

  /* The profile is gone (deleted, or never there): fall back to the first one. */
  gtk_list_box_select_row (self->profile_list, first);
}

static void
list_profiles_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LsnStore *store = LSN_STORE (object);
  g_autoptr(LsnWindow) self = user_data;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  guint n_items;

  profiles = lsn_store_list_profiles_finish (store, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, LSN_ERROR, LSN_ERROR_CANCELLED))
    return;

  g_clear_object (&self->reload_cancellable);

  if (profiles == NULL)
    {
      if (!self->loaded)
        lsn_window_show_store_error (self, lsn_store_get_path (store), error);
      else
        lsn_window_show_operation_error (self, _("Cannot Read the Profiles"), error);
      return;
    }

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->profiles));
  g_list_store_splice (self->profiles, 0, n_items, profiles->pdata, profiles->len);

  if (self->scheduler != NULL)
    lsn_scheduler_set_profiles (self->scheduler, profiles);
  lsn_window_restart_demo (self, profiles);

  if (profiles->len == 0)
    {
      lsn_window_set_state (self, "empty");
    }
  else
    {
      lsn_window_set_state (self, "profiles");
      lsn_window_select_profile_id (self, self->selected_id);

      if (self->show_content)
        adw_leaflet_set_visible_child (self->leaflet, self->content);
    }

  self->show_content = FALSE;
  lsn_window_update_actions (self);
  lsn_window_set_loaded (self);
}

static gboolean
lsn_window_reload_idle (gpointer user_data)
{
  LsnWindow *self = user_data;

  self->reload_source = 0;

  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  self->reload_cancellable = g_cancellable_new ();

  /* Chain the window's cancellable, so dispose stops this one too. */
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), self->reload_cancellable,
                           G_CONNECT_SWAPPED);

  lsn_store_list_profiles_async (self->store,
                                 self->reload_cancellable,
                                 list_profiles_cb,
                                 g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Bursts of changes cause one reload. */
static void
lsn_window_queue_reload (LsnWindow *self)
{
  if (self->reload_source != 0)
    return;

  self->reload_source = g_idle_add_full (G_PRIORITY_LOW, lsn_window_reload_idle, self, NULL);
}

static void
profile_list_row_selected_cb (LsnWindow     *self,
                              GtkListBoxRow *row,
                              GtkListBox    *list_box)
{
  LsnProfile *profile = NULL;

  if (row != NULL)
    {
      profile = lsn_profile_row_get_profile (LSN_PROFILE_ROW (row));
      self->selected_id = lsn_profile_get_id (profile);
    }

  adw_view_switcher_title_set_title (self->switcher_title,
                                     profile != NULL ? lsn_profile_get_name (profile) : "Liaison");
  gtk_window_set_title (GTK_WINDOW (self),
                        profile != NULL ? lsn_profile_get_name (profile) : "Liaison");
  /* A reload empties the list before it fills it again: the pages keep the profile they show
   * (and what is typed in them) until another one is selected. With no profile left, the empty
   * state hides them. */
  if (profile != NULL)
    {
      lsn_overview_page_set_profile (self->overview_page, profile);
      lsn_connections_page_set_profile (self->connections_page, profile);
      lsn_sync_page_set_profile (self->sync_page, profile);
    }
  lsn_mappings_page_set_profile (self->mappings_page, self->store, profile);
  lsn_activity_page_set_profile (self->activity_page, self->store, profile);

  lsn_window_update_actions (self);
}

static void
profile_list_row_activated_cb (LsnWindow     *self,
                               GtkListBoxRow *row,
                               GtkListBox    *list_box)
{
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
back_button_clicked_cb (LsnWindow *self,
                        GtkButton *button)
{
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static GtkWidget *
create_profile_row (gpointer item,
                    gpointer user_data)
{
  return lsn_profile_row_new (LSN_PROFILE (item));
}

static GStrv
lsn_window_dup_profile_names (LsnWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->profiles));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LsnProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), i);

      g_strv_builder_add (builder, lsn_profile_get_name (profile));
    }

  return g_strv_builder_end (builder);
}

/* Add */

static void
add_profile_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LsnWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = lsn_store_add_profile_finish (LSN_STORE (object), result, &error);

  if (id <= 0)
    {
      lsn_window_show_operation_error (self, _("Cannot Add the Profile"), error);
      return;
    }

  self->selected_id = id;
  self->show_content = TRUE;
  lsn_window_queue_reload (self);
}

static void
add_dialog_response_cb (LsnWindow           *self,
                        const char          *response,
                        LsnAddProfileDialog *dialog)
{
  g_autofree char *name = NULL;
  g_autofree char *settings = NULL;

  if (g_strcmp0 (response, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD) != 0 || self->store == NULL)
    return;

  name = lsn_add_profile_dialog_dup_name (dialog);
  settings = lsn_add_profile_dialog_dup_settings (dialog);
  /* A new profile's next stop is its connections. */
  adw_view_stack_set_visible_child_name (self->view_stack, "connections");
  lsn_store_add_profile_async (self->store, name, settings,
                               self->cancellable,
                               add_profile_cb,
                               g_object_ref (self));
}

static void
lsn_window_add_profile_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);
  g_auto(GStrv) names = NULL;
  GtkWidget *dialog;

  if (self->store == NULL)
    return;

  names = lsn_window_dup_profile_names (self);
  dialog = lsn_add_profile_dialog_new (GTK_WINDOW (self), (const char * const *) names);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (add_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Rename */

static void
rename_profile_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LsnWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lsn_store_rename_profile_finish (LSN_STORE (object), result, &error))
    lsn_window_show_operation_error (self, _("Cannot Rename the Profile"), error);

  lsn_window_queue_reload (self);
}

static void
rename_dialog_response_cb (LsnWindow            *self,
                           const char           *response,
                           LsnProfileNameDialog *dialog)
{
  g_autofree char *name = NULL;
  gint64 id;

  if (g_strcmp0 (response, LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT) != 0 || self->store == NULL)
    return;

  id = *(gint64 *)g_object_get_data (G_OBJECT (dialog), "lsn-profile-id");
  name = lsn_profile_name_dialog_dup_name (dialog);
  lsn_store_rename_profile_async (self->store, id, name,
                                  self->cancellable,
                                  rename_profile_cb,
                                  g_object_ref (self));
}

static void
lsn_window_rename_profile_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);
  LsnProfile *profile = lsn_window_get_selected_profile (self);
  g_auto(GStrv) names = NULL;
  GtkWidget *dialog;

  if (self->store == NULL || profile == NULL)
    return;

  names = lsn_window_dup_profile_names (self);
  dialog = lsn_profile_name_dialog_new (GTK_WINDOW (self),
                                        _("Rename Profile"),
                                        _("_Rename"),
                                        lsn_profile_get_name (profile),
                                        (const char * const *)names);
  g_object_set_data_full (G_OBJECT (dialog), "lsn-profile-id",
                          g_memdup2 (&(gint64) { lsn_profile_get_id (profile) }, sizeof (gint64)),
                          g_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (rename_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Delete */

typedef struct
{
  LsnWindow *self;
  char      *name;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->name, g_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeleteData, delete_data_free)

static void
delete_profile_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DeleteData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  if (!lsn_store_delete_profile_finish (LSN_STORE (object), result, &error))
    {
      lsn_window_show_operation_error (data->self, _("Cannot Delete the Profile"), error);
      return;
    }

  /* Translators: %s is a profile name */
  title = g_strdup_printf (_("Profile “%s” deleted"), data->name);
  adw_toast_overlay_add_toast (data->self->toast_overlay, adw_toast_new (title));
  lsn_window_queue_reload (data->self);
}

static void
delete_dialog_response_cb (LsnWindow        *self,
                           const char       *response,
                           AdwMessageDialog *dialog)
{
  DeleteData *data;
  gint64 id;

  if (g_strcmp0 (response, "delete") != 0 || self->store == NULL)
    return;

  id = *(gint64 *)g_object_get_data (G_OBJECT (dialog), "lsn-profile-id");

  data = g_new0 (DeleteData, 1);
  data->self = g_object_ref (self);
  data->name = g_strdup (g_object_get_data (G_OBJECT (dialog), "lsn-profile-name"));

  lsn_store_delete_profile_async (self->store, id,
                                  self->cancellable,
                                  delete_profile_cb,
                                  data);
}

static void
lsn_window_delete_profile_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);
  LsnProfile *profile = lsn_window_get_selected_profile (self);
  AdwMessageDialog *dialog;

  if (self->store == NULL || profile == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  /* Translators: %s is a profile name */
  adw_message_dialog_format_heading (dialog, _("Delete “%s”?"), lsn_profile_get_name (profile));
  adw_message_dialog_set_body (dialog,
                               _("Its connections, mappings and activity are deleted from this "
                                 "computer. The systems it connects are not changed. This cannot "
                                 "be undone."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "lsn-profile-id",
                          g_memdup2 (&(gint64) { lsn_profile_get_id (profile) }, sizeof (gint64)),
                          g_free);
  g_object_set_data_full (G_OBJECT (dialog), "lsn-profile-name",
                          g_strdup (lsn_profile_get_name (profile)), g_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (delete_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Demo */

static LsnDemo *
lsn_window_ensure_demo (LsnWindow *self)
{
  if (self->demo == NULL)
    self->demo = lsn_demo_new ();

  return self->demo;
}

static void
lsn_window_set_demo_starting (LsnWindow *self,
                              gboolean   starting)
{
  self->demo_starting = starting;
  gtk_widget_set_visible (GTK_WIDGET (self->demo_spinner), starting);
  gtk_spinner_set_spinning (self->demo_spinner, starting);
  gtk_label_set_label (self->demo_label, starting ? _("Starting the Demo…") : _("_Try the Demo"));
  lsn_window_update_actions (self);
}

static void
demo_started_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LsnWindow) self = user_data;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gboolean asked = self->demo_asked;

  profile = lsn_demo_start_finish (LSN_DEMO (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->demo_asked = FALSE;
  lsn_window_set_demo_starting (self, FALSE);

  if (profile == NULL)
    {
      lsn_window_show_operation_error (self, _("Cannot Start the Demo"), error);
      return;
    }

  if (asked)
    {
      self->selected_id = lsn_profile_get_id (profile);
      self->show_content = TRUE;
      adw_view_stack_set_visible_child_name (self->view_stack, "overview");
    }

  lsn_window_queue_reload (self);

  /* The connections were checked before the demo's servers listened. */
  if (self->selected_id == lsn_profile_get_id (profile))
    lsn_overview_page_check_health (self->overview_page);
}

/* @asked: a person asked for it (rather than a demo profile found at start): show it. */
static void
lsn_window_start_demo (LsnWindow *self,
                       gboolean   asked)
{
  if (self->store == NULL)
    return;

  self->demo_asked |= asked;
  if (self->demo_starting)
    return;

  lsn_window_set_demo_starting (self, TRUE);
  lsn_demo_start_async (lsn_window_ensure_demo (self), self->store, self->cancellable,
                        demo_started_cb, g_object_ref (self));
}

/* A demo profile found in the store gets its servers back: they run only as long as Liaison. */
static void
lsn_window_restart_demo (LsnWindow *self,
                         GPtrArray *profiles)
{
  if (self->demo_starting || (self->demo != NULL && lsn_demo_get_running (self->demo)))
    return;

  for (guint i = 0; i < profiles->len; i++)
    {
      if (lsn_demo_profile_is_demo (lsn_profile_get_settings (g_ptr_array_index (profiles, i))))
        {
          lsn_window_start_demo (self, FALSE);
          return;
        }
    }
}

static void
lsn_window_try_demo_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  lsn_window_start_demo (LSN_WINDOW (widget), TRUE);
}

/* Runs */

static void
lsn_window_sync_now_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "overview");
  lsn_overview_page_sync_now (self->overview_page);
}

static void
lsn_window_pause_sync_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  lsn_overview_page_toggle_pause (LSN_WINDOW (widget)->overview_page);
}

static void
lsn_window_cancel_sync_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  lsn_overview_page_cancel (LSN_WINDOW (widget)->overview_page);
}

static void
lsn_window_preview_sync_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);

  lsn_sync_page_preview (self->sync_page);
}

static void
scheduler_jobs_changed_cb (LsnWindow *self)
{
  lsn_window_update_actions (self);
}

/* A run read records and made matches: the Mappings page, when it is what the person looks at,
 * reads again (it does so by itself when shown; it waits for unsaved changes and dialogs). */
static void
scheduler_job_finished_cb (LsnWindow   *self,
                           LsnSyncJob  *job,
                           gint64       profile_id,
                           const char  *trigger,
                           const char  *error_message)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self->mappings_page)))
    lsn_mappings_page_refresh (self->mappings_page);
}

/* Pages */

static void
lsn_window_show_activity_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  LsnWindow *self = LSN_WINDOW (widget);
  const char *filter = param != NULL ? g_variant_get_string (param, NULL) : "";

  g_free (self->activity_filter);
  self->activity_filter = g_strdup (filter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVITY_FILTER]);

  /* ("record:client:left:12", "run:5", "outcome:failed" or ""): the events the Overview or the
   * Mappings page point at */
  if (!lsn_activity_page_show (self->activity_page, filter))
    g_warning ("win.show-activity: cannot show “%s”", filter);
  adw_view_stack_set_visible_child_name (self->view_stack, "activity");
}

static void
lsn_window_show_mappings_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  adw_view_stack_set_visible_child_name (LSN_WINDOW (widget)->view_stack, "mappings");
}

/* As with the main stack: GTK 4.8 would show the hidden pages to assistive technologies. */
static void
view_stack_visible_child_cb (LsnWindow    *self,
                             GParamSpec   *pspec,
                             AdwViewStack *view_stack)
{
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (view_stack);
  GtkWidget *visible = adw_view_stack_get_visible_child (view_stack);
  guint n_pages = g_list_model_get_n_items (G_LIST_MODEL (pages));

  for (guint i = 0; i < n_pages; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkWidget *child = adw_view_stack_page_get_child (page);

      gtk_accessible_update_state (GTK_ACCESSIBLE (child),
                                   GTK_ACCESSIBLE_STATE_HIDDEN, child != visible,
                                   -1);
    }
}

static void
page_saved_cb (LsnWindow  *self,
               LsnProfile *profile)
{
  lsn_window_queue_reload (self);
}

/* Geometry */

static void
lsn_window_restore_geometry (LsnWindow *self)
{
  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
lsn_window_save_geometry (LsnWindow *self)
{
  int width = 0;
  int height = 0;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
lsn_window_close_request (GtkWindow *window)
{
  lsn_window_save_geometry (LSN_WINDOW (window));

  return GTK_WINDOW_CLASS (lsn_window_parent_class)->close_request (window);
}

static void
lsn_window_constructed (GObject *object)
{
  LsnWindow *self = (LsnWindow *)object;

  G_OBJECT_CLASS (lsn_window_parent_class)->constructed (object);

  lsn_window_restore_geometry (self);
}

static void
lsn_window_dispose (GObject *object)
{
  LsnWindow *self = (LsnWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  /* The list empties while the window is destroyed: nothing to show for that any more. */
  if (self->profile_list != NULL)
    g_signal_handlers_disconnect_by_data (self->profile_list, self);

  g_clear_object (&self->reload_cancellable);
  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->demo);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lsn_window_parent_class)->dispose (object);
}

static void
lsn_window_finalize (GObject *object)
{
  LsnWindow *self = (LsnWindow *)object;

  g_clear_object (&self->profiles);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->activity_filter, g_free);

  G_OBJECT_CLASS (lsn_window_parent_class)->finalize (object);
}

static void
lsn_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LsnWindow *self = LSN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_ACTIVITY_FILTER:
      g_value_set_string (value, self->activity_filter);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LsnWindow *self = LSN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_window_class_init (LsnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = lsn_window_constructed;
  object_class->dispose = lsn_window_dispose;
  object_class->finalize = lsn_window_finalize;
  object_class->get_property = lsn_window_get_property;
  object_class->set_property = lsn_window_set_property;

  window_class->close_request = lsn_window_close_request;

  /**
   * LsnWindow:loaded:
   *
   * Whether the first list of profiles is shown, or the error that kept it from loading.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * LsnWindow:settings:
   *
   * Where the window keeps its size, or %NULL to keep nothing.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * LsnWindow:activity-filter:
   *
   * The words the Activity page was last asked to show (win.show-activity), such as the name of
   * a record whose write failed; empty for everything.
   */
  properties[PROP_ACTIVITY_FILTER] =
    g_param_spec_string ("activity-filter", NULL, NULL,
                         "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LSN_TYPE_OVERVIEW_PAGE);
  g_type_ensure (LSN_TYPE_CONNECTIONS_PAGE);
  g_type_ensure (LSN_TYPE_SYNC_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-window.ui");
  g_type_ensure (LSN_TYPE_MAPPINGS_PAGE);
  g_type_ensure (LSN_TYPE_ACTIVITY_PAGE);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, empty_add_button);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, demo_spinner);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, demo_label);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, content);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, profile_list);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, connections_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, sync_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, mappings_page);
  gtk_widget_class_bind_template_child (widget_class, LsnWindow, activity_page);
  gtk_widget_class_bind_template_callback (widget_class, page_saved_cb);
  gtk_widget_class_bind_template_callback (widget_class, profile_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, profile_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.add-profile", NULL,
                                   lsn_window_add_profile_action);
  gtk_widget_class_install_action (widget_class, "win.rename-profile", NULL,
                                   lsn_window_rename_profile_action);
  gtk_widget_class_install_action (widget_class, "win.delete-profile", NULL,
                                   lsn_window_delete_profile_action);
  gtk_widget_class_install_action (widget_class, "win.try-demo", NULL,
                                   lsn_window_try_demo_action);
  gtk_widget_class_install_action (widget_class, "win.sync-now", NULL,
                                   lsn_window_sync_now_action);
  gtk_widget_class_install_action (widget_class, "win.pause-sync", NULL,
                                   lsn_window_pause_sync_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-sync", NULL,
                                   lsn_window_cancel_sync_action);
  gtk_widget_class_install_action (widget_class, "win.preview-sync", NULL,
                                   lsn_window_preview_sync_action);
  gtk_widget_class_install_action (widget_class, "win.show-activity", "s",
                                   lsn_window_show_activity_action);
  gtk_widget_class_install_action (widget_class, "win.show-mappings", NULL,
                                   lsn_window_show_mappings_action);
}

static void
lsn_window_init (LsnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->profiles = g_list_store_new (LSN_TYPE_PROFILE);
  self->activity_filter = g_strdup ("");

  gtk_list_box_bind_model (self->profile_list,
                           G_LIST_MODEL (self->profiles),
                           create_profile_row,
                           NULL, NULL);

  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (view_stack_visible_child_cb), self, G_CONNECT_SWAPPED);
  view_stack_visible_child_cb (self, NULL, self->view_stack);

  lsn_window_set_state (self, "loading");
  lsn_window_update_actions (self);
}

/**
 * lsn_window_new:
 * @application: (nullable): the application
 * @settings: (nullable): where to keep the window size, or %NULL to keep nothing
 *
 * Returns: (transfer floating): a new main window, showing a spinner until
 *   lsn_window_set_store() or lsn_window_show_store_error() is called
 */
LsnWindow *
lsn_window_new (LsnApplication *application,
                GSettings      *settings)
{
  g_return_val_if_fail (application == NULL || LSN_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (LSN_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

/**
 * lsn_window_get_store:
 * @self: a #LsnWindow
 *
 * Returns: (transfer none) (nullable): the store, once open
 */
LsnStore *
lsn_window_get_store (LsnWindow *self)
{
  g_return_val_if_fail (LSN_IS_WINDOW (self), NULL);

  return self->store;
}

/**
 * lsn_window_set_store:
 * @self: a #LsnWindow
 * @store: the open store
 *
 * Shows the profiles of @store, loading them on the store's thread.
 */
void
lsn_window_set_store (LsnWindow *self,
                      LsnStore  *store)
{
  g_return_if_fail (LSN_IS_WINDOW (self));
  g_return_if_fail (LSN_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  /* Without an application to share one, the window runs its own jobs. */
  if (self->scheduler == NULL || lsn_scheduler_get_store (self->scheduler) != store)
    {
      g_autoptr(LsnScheduler) scheduler = lsn_scheduler_new (store);

      lsn_window_set_scheduler (self, scheduler);
    }
  lsn_connections_page_set_store (self->connections_page, store);

  lsn_window_update_actions (self);
  lsn_window_queue_reload (self);
}

static const char *
store_error_heading (const GError *error)
{
  if (error->domain == LSN_ERROR)
    {
      switch ((LsnError)error->code)
        {
        case LSN_ERROR_STORE_CORRUPT:
          return _("The Database Is Damaged");
        case LSN_ERROR_STORE_TOO_NEW:
          return _("The Database Is From a Newer Liaison");
        case LSN_ERROR_STORE_READONLY:
          return _("The Database Cannot Be Changed");
        case LSN_ERROR_STORE_FULL:
          return _("The Disk Is Full");
        default:
          break;
        }
    }

  return _("Cannot Open the Database");
}

/* What to do, in addition to what the store's message says. */
static const char *
store_error_advice (const GError *error)
{
  if (error->domain == LSN_ERROR)
    {
      switch ((LsnError)error->code)
        {
        case LSN_ERROR_STORE_CORRUPT:
          return _("Restore the file from a backup, or move it aside (for example rename it to "
                   "liaison.db.damaged) and start Liaison again: it then begins with a new, "
                   "empty database.");
        case LSN_ERROR_STORE_TOO_NEW:
          return _("Update Liaison to the newest version to open it, or start Liaison with "
                   "--db PATH to use another file.");
        case LSN_ERROR_STORE_READONLY:
          return _("Make the file and its folder writable for your user, or start Liaison with "
                   "--db PATH to use another file.");
        case LSN_ERROR_STORE_FULL:
          return _("Free some space on the disk that holds the database, then start Liaison "
                   "again.");
        default:
          break;
        }
    }

  return _("Check that the file is a Liaison database and that its folder exists, or start "
           "Liaison with --db PATH to use another file.");
}

static void
store_error_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         gpointer          user_data)
{
  GApplication *app = g_application_get_default ();

  if (g_strcmp0 (response, "quit") == 0 && app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

/**
 * lsn_window_show_store_error:
 * @self: a #LsnWindow
 * @path: (nullable): the database file
 * @error: why it could not be opened or read
 *
 * Shows the error state and a dialog that says what went wrong and what to do about it.
 */
void
lsn_window_show_store_error (LsnWindow    *self,
                             const char   *path,
                             const GError *error)
{
  g_autofree char *body = NULL;
  g_autofree char *description = NULL;
  AdwMessageDialog *dialog;
  const char *heading;
  const char *advice;

  g_return_if_fail (LSN_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  heading = store_error_heading (error);
  advice = store_error_advice (error);

  if (path != NULL && strstr (error->message, path) == NULL)
    /* Translators: the first %s is an error message, the second what to do, the third a file */
    body = g_strdup_printf (_("%s\n\n%s\n\nDatabase: %s"), error->message, advice, path);
  else
    body = g_strdup_printf ("%s\n\n%s", error->message, advice);

  g_message ("%s: %s", heading, error->message);

  adw_status_page_set_title (self->error_page, heading);
  adw_status_page_set_description (self->error_page, body);
  lsn_window_set_state (self, "error");

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "close", _("_Close"),
                                    "quit", _("_Quit"),
                                    NULL);
  adw_message_dialog_set_default_response (dialog, "quit");
  adw_message_dialog_set_close_response (dialog, "close");
  g_signal_connect (dialog, "response", G_CALLBACK (store_error_response_cb), NULL);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (dialog));
  else
    g_signal_connect_object (self, "map", G_CALLBACK (gtk_window_present), dialog,
                             G_CONNECT_SWAPPED);

  lsn_window_update_actions (self);
  lsn_window_set_loaded (self);
}

/**
 * lsn_window_get_loaded:
 * @self: a #LsnWindow
 *
 * Returns: whether the first list of profiles (or the error that kept it from loading) is shown
 */
gboolean
lsn_window_get_loaded (LsnWindow *self)
{
  g_return_val_if_fail (LSN_IS_WINDOW (self), FALSE);

  return self->loaded;
}

/**
 * lsn_window_get_profiles:
 * @self: a #LsnWindow
 *
 * Returns: (transfer none): the profiles shown in the sidebar, a list of #LsnProfile
 */
GListModel *
lsn_window_get_profiles (LsnWindow *self)
{
  g_return_val_if_fail (LSN_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->profiles);
}

/**
 * lsn_window_set_scheduler:
 * @self: a #LsnWindow
 * @scheduler: the scheduler that runs the jobs, shared by the windows of the application
 *
 * Call before lsn_window_set_store(), with a scheduler on the same store.
 */
void
lsn_window_set_scheduler (LsnWindow    *self,
                          LsnScheduler *scheduler)
{
  g_return_if_fail (LSN_IS_WINDOW (self));
  g_return_if_fail (LSN_IS_SCHEDULER (scheduler));

  if (self->scheduler == scheduler)
    return;

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_set_object (&self->scheduler, scheduler);

  g_signal_connect_object (scheduler, "job-started", G_CALLBACK (scheduler_jobs_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "job-finished", G_CALLBACK (scheduler_jobs_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "job-finished", G_CALLBACK (scheduler_job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  lsn_overview_page_set_scheduler (self->overview_page, scheduler);
  lsn_sync_page_set_scheduler (self->sync_page, scheduler);
  lsn_window_update_actions (self);
}

/**
 * lsn_window_set_demo:
 * @self: a #LsnWindow
 * @demo: the demo, shared by the windows of the application
 */
void
lsn_window_set_demo (LsnWindow *self,
                     LsnDemo   *demo)
{
  g_return_if_fail (LSN_IS_WINDOW (self));
  g_return_if_fail (LSN_IS_DEMO (demo));

  g_set_object (&self->demo, demo);
}

/**
 * lsn_window_get_scheduler:
 * @self: a #LsnWindow
 *
 * Returns: (transfer none) (nullable): the scheduler, once the store is set
 */
LsnScheduler *
lsn_window_get_scheduler (LsnWindow *self)
{
  g_return_val_if_fail (LSN_IS_WINDOW (self), NULL);

  return self->scheduler;
}

/**
 * lsn_window_get_activity_filter:
 * @self: a #LsnWindow
 *
 * Returns: (transfer none): see #LsnWindow:activity-filter
 */
const char *
lsn_window_get_activity_filter (LsnWindow *self)
{
  g_return_val_if_fail (LSN_IS_WINDOW (self), NULL);

  return self->activity_filter;
}
