/* lsn-sync-page.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-gui-util.h"
#include "lsn-kind-group.h"
#include "lsn-licence-job.h"
#include "lsn-licence-preview-dialog.h"
#include "lsn-preview-dialog.h"
#include "lsn-sync-page.h"

#define SAVE_DELAY_MS 400

/* The kinds the page offers, in sync order. */
static const char * const shown_kinds[] = {
  "client", "site", "contact", "product", "tax", "opportunity", "quote",
};

/**
 * LsnSyncPage:
 *
 * What a profile syncs: one #LsnKindGroup per kind (direction, mode, master, filters), the schedule,
 * and Preview, which runs a dry run on a worker thread and shows its plan in a
 * #LsnPreviewDialog before anything is written. Changes are saved a moment after they are made,
 * through the store on a worker thread, and apply from the next run.
 */
struct _LsnSyncPage
{
  AdwBin               parent_instance;

  /* Template children */
  AdwPreferencesPage  *page;
  AdwPreferencesGroup *schedule_group;
  GtkSpinButton       *every_spin;

  LsnKindGroup          *rows[G_N_ELEMENTS (shown_kinds)];
  LsnScheduler        *scheduler;      /* (nullable) */
  LsnProfile          *profile;        /* (nullable) */
  JsonObject          *kinds;          /* "kinds" as loaded (kinds not shown are kept) */
  JsonObject          *schedule;       /* "schedule" as loaded */
  char                *signature;      /* "kinds" and "schedule" as shown */
  LsnSyncJob          *preview_job;    /* (nullable): the dry run this page started */
  GCancellable        *cancellable;
  guint                save_source;
  guint                saving;         /* saves under way */
  guint                dirty : 1;
  guint                loading : 1;
  guint                preview_after_save : 1;
};

G_DEFINE_FINAL_TYPE (LsnSyncPage, lsn_sync_page, ADW_TYPE_BIN)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
signature_of (const char *settings_json)
{
  g_autoptr(JsonObject) root = lsn_gui_parse_settings (settings_json);
  g_autoptr(JsonObject) parts = json_object_new ();
  g_autoptr(JsonNode) node = json_node_alloc ();

  json_object_set_object_member (parts, "kinds", json_object_ref (lsn_gui_object_member (root, "kinds")));
  json_object_set_object_member (parts, "schedule", json_object_ref (lsn_gui_object_member (root, "schedule")));
  json_node_init_object (node, parts);

  return json_to_string (node, FALSE);
}

static void
show_error (LsnSyncPage *self,
            const char  *heading,
            const char  *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void lsn_sync_page_start_preview (LsnSyncPage *self);

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnSyncPage) self = user_data;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  self->saving--;
  profile = lsn_gui_save_settings_finish (result, NULL, &error);
  if (profile == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("The Sync Settings Were Not Saved"), error->message);
      self->preview_after_save = FALSE;
      return;
    }

  if (self->profile != NULL && lsn_profile_get_id (self->profile) == lsn_profile_get_id (profile))
    {
      g_free (self->signature);
      self->signature = signature_of (lsn_profile_get_settings (profile));
      g_set_object (&self->profile, profile);
    }

  g_signal_emit (self, signals[SAVED], 0, profile);

  if (self->preview_after_save && !self->dirty)
    {
      self->preview_after_save = FALSE;
      lsn_sync_page_start_preview (self);
    }
}

static void
lsn_sync_page_save_now (LsnSyncPage *self)
{
  g_autoptr(JsonObject) members = NULL;
  JsonObject *kinds;
  JsonObject *schedule;

  g_clear_handle_id (&self->save_source, g_source_remove);

  if (!self->dirty || self->scheduler == NULL || self->profile == NULL)
    return;

  self->dirty = FALSE;
  members = json_object_new ();
  kinds = lsn_gui_copy_object (self->kinds);
  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    {
      const char *kind = shown_kinds[i];

      if (lsn_kind_group_is_enabled (self->rows[i]) || json_object_has_member (kinds, kind))
        json_object_set_object_member (kinds, kind, lsn_kind_group_dup_config (self->rows[i]));
    }
  json_object_set_object_member (members, "kinds", kinds);

  schedule = lsn_gui_copy_object (self->schedule);
  json_object_set_int_member (schedule, "every_minutes",
                              gtk_spin_button_get_value_as_int (self->every_spin));
  json_object_set_object_member (members, "schedule", schedule);

  self->saving++;
  lsn_gui_save_settings_async (lsn_scheduler_get_store (self->scheduler),
                               lsn_profile_get_id (self->profile), members, NULL,
                               self->cancellable, save_cb, g_object_ref (self));
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  LsnSyncPage *self = user_data;

  self->save_source = 0;
  lsn_sync_page_save_now (self);

  return G_SOURCE_REMOVE;
}

static void
lsn_sync_page_queue_save (LsnSyncPage *self)
{
  if (self->loading)
    return;

  self->dirty = TRUE;
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
every_changed_cb (LsnSyncPage   *self,
                  GtkSpinButton *spin)
{
  lsn_sync_page_queue_save (self);
}

static void
lsn_sync_page_load (LsnSyncPage *self)
{
  g_autoptr(JsonObject) root = lsn_gui_parse_settings (lsn_profile_get_settings (self->profile));
  JsonObject *kinds = lsn_gui_object_member (root, "kinds");
  JsonObject *schedule = lsn_gui_object_member (root, "schedule");
  const char *left = lsn_gui_connector_label (
    json_object_get_string_member_with_default (lsn_gui_object_member (root, "left"), "connector", "halopsa"));
  const char *right = lsn_gui_connector_label (
    json_object_get_string_member_with_default (lsn_gui_object_member (root, "right"), "connector", "connectwise"));
  gboolean feed;

  self->loading = TRUE;

  g_clear_pointer (&self->kinds, json_object_unref);
  self->kinds = lsn_gui_copy_object (kinds);
  g_clear_pointer (&self->schedule, json_object_unref);
  self->schedule = lsn_gui_copy_object (schedule);
  g_free (self->signature);
  self->signature = signature_of (lsn_profile_get_settings (self->profile));

  /* A distributor feed → HaloPSA profile syncs licences only (kept as loaded): the PSA kinds do
   * not apply to it, and its Preview shows the licence plan. */
  feed = lsn_licence_job_handles_profile (lsn_profile_get_settings (self->profile));

  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    {
      JsonNode *node = json_object_get_member (kinds, shown_kinds[i]);

      gtk_widget_set_visible (GTK_WIDGET (self->rows[i]), !feed);
      lsn_kind_group_set_config (self->rows[i],
                               node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                               left, right);
    }

  gtk_spin_button_set_value (self->every_spin,
                             json_object_get_int_member_with_default (schedule, "every_minutes", 15));

  self->dirty = FALSE;
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->loading = FALSE;
}

/* Preview */

static void
job_finished_cb (LsnSyncPage  *self,
                 LsnSyncJob   *job,
                 gint64        profile_id,
                 const char   *trigger,
                 const char   *error_message,
                 LsnScheduler *scheduler)
{
  g_autoptr(LsnSyncJob) finished = NULL;
  GtkRoot *root;
  GtkWidget *dialog;

  if (job != self->preview_job)
    return;

  finished = g_steal_pointer (&self->preview_job);

  if (error_message != NULL)
    {
      show_error (self, _("The Preview Failed"), error_message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = lsn_preview_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, finished,
                                   self->profile);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lsn_sync_page_start_preview (LsnSyncPage *self)
{
  g_autoptr(GError) error = NULL;
  LsnSyncJob *job;

  if (self->scheduler == NULL || self->profile == NULL || self->preview_job != NULL)
    return;

  /* A distributor feed → HaloPSA profile reconciles licences: its own job and plan. */
  if (lsn_licence_job_handles_profile (lsn_profile_get_settings (self->profile)))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog = lsn_licence_preview_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                          lsn_scheduler_get_store (self->scheduler),
                                                          self->profile);

      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  job = lsn_scheduler_start (self->scheduler, self->profile, "preview", LSN_SCHEDULER_DRY_RUN,
                             &error);
  if (job == NULL)
    {
      show_error (self, _("Cannot Preview"), error->message);
      return;
    }

  g_set_object (&self->preview_job, job);
}

/**
 * lsn_sync_page_preview:
 * @self: a #LsnSyncPage
 *
 * Saves pending changes, then runs a dry run of the shown profile and shows its plan.
 */
void
lsn_sync_page_preview (LsnSyncPage *self)
{
  g_return_if_fail (LSN_IS_SYNC_PAGE (self));

  if (self->dirty)
    {
      self->preview_after_save = TRUE;
      lsn_sync_page_save_now (self);
      return;
    }

  lsn_sync_page_start_preview (self);
}

/* GObject */

static void
lsn_sync_page_dispose (GObject *object)
{
  LsnSyncPage *self = LSN_SYNC_PAGE (object);

  if (self->dirty)
    lsn_sync_page_save_now (self);
  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->profile);
  g_clear_object (&self->preview_job);


  G_OBJECT_CLASS (lsn_sync_page_parent_class)->dispose (object);
}

static void
lsn_sync_page_finalize (GObject *object)
{
  LsnSyncPage *self = LSN_SYNC_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->kinds, json_object_unref);
  g_clear_pointer (&self->schedule, json_object_unref);
  g_clear_pointer (&self->signature, g_free);

  G_OBJECT_CLASS (lsn_sync_page_parent_class)->finalize (object);
}

static void
lsn_sync_page_class_init (LsnSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_sync_page_dispose;
  object_class->finalize = lsn_sync_page_finalize;

  /**
   * LsnSyncPage::saved:
   * @profile: the profile as saved
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, LSN_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnSyncPage, page);
  gtk_widget_class_bind_template_child (widget_class, LsnSyncPage, schedule_group);
  gtk_widget_class_bind_template_child (widget_class, LsnSyncPage, every_spin);
  gtk_widget_class_bind_template_callback (widget_class, every_changed_cb);
}

static void
lsn_sync_page_init (LsnSyncPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->kinds = json_object_new ();
  self->schedule = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (shown_kinds); i++)
    {
      self->rows[i] = LSN_KIND_GROUP (lsn_kind_group_new (shown_kinds[i]));
      g_signal_connect_object (self->rows[i], "changed", G_CALLBACK (lsn_sync_page_queue_save),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->rows[i]));
    }

  /* The schedule comes after the kinds. */
  g_object_ref (self->schedule_group);
  adw_preferences_page_remove (self->page, self->schedule_group);
  adw_preferences_page_add (self->page, self->schedule_group);
  g_object_unref (self->schedule_group);
}

/**
 * lsn_sync_page_set_scheduler:
 * @self: a #LsnSyncPage
 * @scheduler: the scheduler that runs the previews
 */
void
lsn_sync_page_set_scheduler (LsnSyncPage  *self,
                             LsnScheduler *scheduler)
{
  g_return_if_fail (LSN_IS_SYNC_PAGE (self));
  g_return_if_fail (LSN_IS_SCHEDULER (scheduler));

  if (self->scheduler == scheduler)
    return;

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_set_object (&self->scheduler, scheduler);
  g_signal_connect_object (scheduler, "job-finished", G_CALLBACK (job_finished_cb), self,
                           G_CONNECT_SWAPPED);
}

/**
 * lsn_sync_page_set_profile:
 * @self: a #LsnSyncPage
 * @profile: (nullable): the profile to show
 *
 * Shows the sync settings of @profile. Newer settings of the profile shown replace the rows only
 * when they differ from what the page shows and no change is waiting to be saved.
 */
void
lsn_sync_page_set_profile (LsnSyncPage *self,
                           LsnProfile  *profile)
{
  gboolean same;

  g_return_if_fail (LSN_IS_SYNC_PAGE (self));

  same = profile != NULL && self->profile != NULL
         && lsn_profile_get_id (profile) == lsn_profile_get_id (self->profile);

  if (!same && self->dirty)
    lsn_sync_page_save_now (self);

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
    }

  g_set_object (&self->profile, profile);
  self->preview_after_save = FALSE;
  if (profile != NULL)
    lsn_sync_page_load (self);
}
