/* lsn-activity-page.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-activity"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "lsn-activity-page.h"
#include "lsn-audit-model.h"
#include "lsn-error.h"
#include "lsn-event-details-dialog.h"
#include "lsn-history.h"
#include "lsn-sync-job.h"

/**
 * LsnActivityPage:
 *
 * The audit log of a profile (modelled on Zomentum's audit log, without its blind spots): the
 * runs on the left (time, trigger, duration, counts, outcome), and every event on the right in a
 * GtkColumnView over #LsnAuditModel, which reads pages from SQLite on a worker thread. Filters by
 * outcome, kind, run and time range and the free-text search run in SQL; the order is by time.
 * An event opens in #LsnEventDetailsDialog, where a failed export can be sent again; the failed
 * exports of a run can be sent again together. The shown events can be exported as CSV.
 */
struct _LsnActivityPage
{
  AdwBin           parent_instance;

  /* Template children */
  GtkListBox      *runs_list;
  GtkSearchEntry  *search_entry;
  GtkToggleButton *outcome_buttons[6];
  GtkDropDown     *kind_dropdown;
  GtkDropDown     *time_dropdown;
  GtkToggleButton *oldest_button;
  GtkButton       *export_button;
  GtkRevealer     *scope_revealer;
  GtkLabel        *scope_label;
  GtkButton       *resend_run_button;
  GtkColumnView   *column_view;
  GtkLabel        *status_label;
  GtkButton       *details_button;

  LsnStore        *store;       /* (nullable) */
  LsnProfile      *profile;     /* (nullable) */
  LsnAuditModel   *model;       /* (nullable) */
  GtkSingleSelection *selection;
  GCancellable    *cancellable;

  /* the scope set by a run or by win.show-activity */
  gint64           scope_run;
  char            *scope_kind;
  char            *scope_left;
  char            *scope_right;
  guint            updating : 1;
};

G_DEFINE_FINAL_TYPE (LsnActivityPage, lsn_activity_page, ADW_TYPE_BIN)

static const char * const outcomes[] = { NULL, "failed", "ok", "held", "echo", "guarded" };
static const char * const kinds[] = { NULL, "client", "site", "contact", "opportunity", "quote",
                                      "product", "licence" };

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = usec > 0 ? g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC) : NULL;
  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

static void
update_status (LsnActivityPage *self)
{
  g_autofree char *text = NULL;
  guint n = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;

  if (self->model == NULL)
    text = g_strdup ("");
  else if (lsn_audit_model_get_error (self->model) != NULL)
    text = g_strdup_printf (_("Cannot read the events: %s"), lsn_audit_model_get_error (self->model));
  else if (!lsn_audit_model_get_count_known (self->model))
    text = g_strdup_printf (_("%u events shown, counting…"), n);
  else
    text = g_strdup_printf (ngettext ("%u event", "%u events", n), n);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->details_button),
                            gtk_single_selection_get_selected_item (self->selection) != NULL);
}

static void
update_scope (LsnActivityPage *self)
{
  g_autofree char *text = NULL;

  if (self->scope_run > 0)
    /* Translators: %s is a number */
    text = g_strdup_printf (_("Events of run %" G_GINT64_FORMAT), self->scope_run);
  else if (self->scope_left != NULL || self->scope_right != NULL)
    /* Translators: the first %s is a kind (client), the second an id */
    text = g_strdup_printf (_("Events of %s %s"), self->scope_kind ? self->scope_kind : "",
                            self->scope_left ? self->scope_left : self->scope_right);
  gtk_label_set_text (self->scope_label, text ? text : "");
  gtk_revealer_set_reveal_child (self->scope_revealer, text != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->resend_run_button), self->scope_run > 0);
}

static void
apply_filters (LsnActivityPage *self)
{
  static const gint64 ranges[] = { 0, 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600 };
  LsnEventFilter filter = { 0 };
  guint o = 0;
  guint k = gtk_drop_down_get_selected (self->kind_dropdown);
  guint t = gtk_drop_down_get_selected (self->time_dropdown);

  if (self->model == NULL || self->updating)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->outcome_buttons); i++)
    if (gtk_toggle_button_get_active (self->outcome_buttons[i]))
      o = i;
  filter.outcome = o < G_N_ELEMENTS (outcomes) ? outcomes[o] : NULL;
  filter.kind = k < G_N_ELEMENTS (kinds) ? kinds[k] : NULL;
  if (self->scope_kind != NULL && filter.kind == NULL)
    filter.kind = self->scope_kind;
  filter.left_id = self->scope_left;
  filter.right_id = self->scope_right;
  filter.run_id = self->scope_run;
  if (t > 0 && t < G_N_ELEMENTS (ranges))
    filter.since_usec = g_get_real_time () - ranges[t] * G_USEC_PER_SEC;
  filter.text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  lsn_audit_model_set_filter (self->model, &filter);
  update_scope (self);
}

static void
filters_changed_cb (LsnActivityPage *self,
                    GObject         *sender)
{
  /* of a group of toggles, only the one turned on counts */
  if (GTK_IS_TOGGLE_BUTTON (sender) && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (sender)))
    return;
  apply_filters (self);
}

static void
order_toggled_cb (LsnActivityPage *self)
{
  if (self->model != NULL)
    lsn_audit_model_set_ascending (self->model, gtk_toggle_button_get_active (self->oldest_button));
}

static void
clear_scope (LsnActivityPage *self)
{
  self->scope_run = 0;
  g_clear_pointer (&self->scope_kind, g_free);
  g_clear_pointer (&self->scope_left, g_free);
  g_clear_pointer (&self->scope_right, g_free);
}

static void
clear_scope_clicked_cb (LsnActivityPage *self)
{
  clear_scope (self);
  self->updating = TRUE;
  gtk_list_box_unselect_all (self->runs_list);
  self->updating = FALSE;
  apply_filters (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Runs                                                                                         */

typedef struct
{
  LsnStore  *store;
  gint64     profile_id;
  GPtrArray *runs;
} RunsJob;

static void
runs_job_free (RunsJob *job)
{
  g_object_unref (job->store);
  g_clear_pointer (&job->runs, g_ptr_array_unref);
  g_free (job);
}

static void
runs_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  RunsJob *job = data;
  GError *error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (job->store, &error);

  if (db == NULL || (job->runs = lsn_history_list_runs_on (db, job->profile_id, 0, 100, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static const char *
trigger_label (const char *trigger)
{
  if (g_strcmp0 (trigger, "schedule") == 0)
    return _("scheduled");
  if (g_strcmp0 (trigger, "manual") == 0)
    return _("manual");
  if (g_strcmp0 (trigger, "retry") == 0)
    return _("sent again");
  if (g_strcmp0 (trigger, "cli") == 0)
    return _("command line");
  return trigger;
}

static GtkWidget *
run_row_new (LsnRunRow *r)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *started = format_time (r->started_at);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *duration = NULL;

  if (r->finished_at > r->started_at)
    duration = g_strdup_printf (_("%.1f s"), (r->finished_at - r->started_at) / (double) G_USEC_PER_SEC);
  else
    duration = g_strdup (_("unfinished"));
  /* Translators: run number, time, trigger */
  title = g_strdup_printf (_("Run %" G_GINT64_FORMAT " · %s · %s%s"), r->id, started,
                           trigger_label (r->trigger), r->dry_run ? _(" · dry run") : "");
  subtitle = g_strdup_printf (_("%s · %s · %" G_GINT64_FORMAT " created, %" G_GINT64_FORMAT
                                " updated, %" G_GINT64_FORMAT " failed, %" G_GINT64_FORMAT
                                " skipped"),
                              r->outcome, duration, r->counts.created, r->counts.updated,
                              r->counts.failed, r->counts.skipped);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  g_object_set_data (G_OBJECT (row), "lsn-run", GINT_TO_POINTER ((int) r->id));
  g_object_set_data (G_OBJECT (row), "lsn-failed", GINT_TO_POINTER ((int) r->counts.failed));
  return row;
}

static void
runs_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnActivityPage) self = user_data;
  RunsJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Cannot read the runs: %s", error->message);
      return;
    }
  self->updating = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list))) != NULL)
    gtk_list_box_remove (self->runs_list, child);
  for (guint i = 0; i < job->runs->len; i++)
    {
      LsnRunRow *r = g_ptr_array_index (job->runs, i);
      GtkWidget *row = run_row_new (r);
      gtk_list_box_append (self->runs_list, row);
      if (r->id == self->scope_run)
        gtk_list_box_select_row (self->runs_list, GTK_LIST_BOX_ROW (row));
    }
  self->updating = FALSE;
}

static void
load_runs (LsnActivityPage *self)
{
  g_autoptr(GTask) task = NULL;
  RunsJob *job;

  if (self->store == NULL || self->profile == NULL)
    return;
  job = g_new0 (RunsJob, 1);
  job->store = g_object_ref (self->store);
  job->profile_id = lsn_profile_get_id (self->profile);
  task = g_task_new (NULL, self->cancellable, runs_cb, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) runs_job_free);
  g_task_run_in_thread (task, runs_thread);
}

static void
run_selected_cb (LsnActivityPage *self,
                 GtkListBoxRow   *row)
{
  if (self->updating)
    return;
  clear_scope (self);
  if (row != NULL)
    self->scope_run = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "lsn-run"));
  apply_filters (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Sending the failed exports of a run again                                                    */

typedef struct
{
  LsnActivityPage *page;
  GArray          *ids;     /* gint64 */
  guint            next;
  guint            ok;
  guint            failed;
  char            *last_error;
} ResendAll;

static void
resend_all_free (ResendAll *ra)
{
  g_object_unref (ra->page);
  g_array_unref (ra->ids);
  g_free (ra->last_error);
  g_free (ra);
}

static void resend_next (ResendAll *ra);

static void
show_toast (LsnActivityPage *self,
            const char      *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
resend_one_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  ResendAll *ra = data;
  g_autoptr(GError) error = NULL;
  LsnSyncJob *job = LSN_SYNC_JOB (source);

  if (lsn_sync_job_run_finish (job, result, &error) && lsn_sync_job_get_counts (job)->failed == 0)
    ra->ok++;
  else
    {
      ra->failed++;
      g_free (ra->last_error);
      ra->last_error = g_strdup (error ? error->message : _("the export failed again"));
    }
  g_object_unref (job);
  resend_next (ra);
}

static void
resend_next (ResendAll *ra)
{
  LsnActivityPage *self = ra->page;
  LsnSyncJob *job;

  if (ra->next >= ra->ids->len || self->profile == NULL)
    {
      g_autofree char *text = NULL;
      if (ra->failed == 0)
        text = g_strdup_printf (ngettext ("%u export sent again", "%u exports sent again", ra->ok),
                                ra->ok);
      else
        text = g_strdup_printf (_("%u sent again, %u failed again: %s"), ra->ok, ra->failed,
                                ra->last_error);
      show_toast (self, text);
      gtk_widget_set_sensitive (GTK_WIDGET (self->resend_run_button), TRUE);
      lsn_activity_page_refresh (self);
      resend_all_free (ra);
      return;
    }
  job = lsn_sync_job_new (self->store, self->profile, "retry");
  lsn_sync_job_set_retry_of (job, g_array_index (ra->ids, gint64, ra->next++));
  lsn_sync_job_set_confirmed (job, TRUE);
  lsn_sync_job_run_async (job, self->cancellable, resend_one_cb, ra);
}

typedef struct
{
  LsnStore *store;
  gint64    run_id;
  GArray   *ids;
} FailedJob;

static void
failed_job_free (FailedJob *job)
{
  g_object_unref (job->store);
  g_clear_pointer (&job->ids, g_array_unref);
  g_free (job);
}

/* The failed events of the run that were not sent again successfully since. */
static void
failed_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  FailedJob *job = data;
  GError *error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (job->store, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (db == NULL
      || (stmt = lsn_store_prepare (db, "SELECT id FROM audit_events e WHERE run_id = ?1 AND "
                                        "outcome = 'failed' AND NOT EXISTS (SELECT 1 FROM "
                                        "audit_events r WHERE r.retry_of = e.id AND "
                                        "r.outcome = 'ok') ORDER BY id", &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, job->run_id);
  job->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (job->ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading failed events", &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
resend_confirm_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   ResendAll        *ra)
{
  if (g_strcmp0 (response, "send") != 0)
    {
      resend_all_free (ra);
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (ra->page->resend_run_button), FALSE);
  resend_next (ra);
}

static void
failed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LsnActivityPage) self = user_data;
  FailedJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  ResendAll *ra;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_toast (self, error->message);
      return;
    }
  if (job->ids->len == 0)
    {
      show_toast (self, _("This run has no failed export left to send again"));
      return;
    }
  ra = g_new0 (ResendAll, 1);
  ra->page = g_object_ref (self);
  ra->ids = g_array_ref (job->ids);
  heading = g_strdup_printf (ngettext ("Send %u Failed Export Again?", "Send %u Failed Exports Again?",
                                       job->ids->len), job->ids->len);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading,
                                                       _("Each record is planned again with the "
                                                         "current mappings and settings, sent, and "
                                                         "recorded as a retry of its failure.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send Again"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  g_signal_connect (dialog, "response", G_CALLBACK (resend_confirm_cb), ra);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
resend_run_clicked_cb (LsnActivityPage *self)
{
  g_autoptr(GTask) task = NULL;
  FailedJob *job;

  if (self->store == NULL || self->scope_run <= 0)
    return;
  job = g_new0 (FailedJob, 1);
  job->store = g_object_ref (self->store);
  job->run_id = self->scope_run;
  task = g_task_new (NULL, self->cancellable, failed_cb, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) failed_job_free);
  g_task_run_in_thread (task, failed_thread);
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                       */

static void
details_closed_cb (LsnActivityPage *self,
                   gpointer         dialog)
{
  if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "lsn-sent")))
    lsn_activity_page_refresh (self);
}

static void
open_details (LsnActivityPage *self,
              LsnAuditItem    *item)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (item == NULL || !lsn_audit_item_get_loaded (item) || self->profile == NULL)
    return;
  dialog = lsn_event_details_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         self->store, self->profile,
                                         lsn_audit_item_get_event (item));
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (details_closed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
event_activated_cb (LsnActivityPage *self,
                    guint            position)
{
  g_autoptr(LsnAuditItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  open_details (self, item);
}

static void
details_clicked_cb (LsnActivityPage *self)
{
  open_details (self, gtk_single_selection_get_selected_item (self->selection));
}

static char *
time_text (GObject *object,
           gint64   time,
           gpointer data)
{
  return time > 0 ? format_time (time) : g_strdup ("…");
}

static void
add_column (LsnActivityPage *self,
            const char      *title,
            const char      *property,
            gboolean         expand)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkBuilderScope) scope = NULL;
  g_autofree char *xml = NULL;
  GtkColumnViewColumn *column;

  /* a label bound to the item's property: it updates when the item's page arrives */
  if (g_str_equal (property, "time"))
    xml = g_strdup ("<interface><template class=\"GtkListItem\"><property name=\"child\">"
                    "<object class=\"GtkLabel\"><property name=\"xalign\">0</property>"
                    "<binding name=\"label\"><closure type=\"gchararray\" function=\"time_text\">"
                    "<lookup name=\"time\" type=\"LsnAuditItem\"><lookup name=\"item\">GtkListItem"
                    "</lookup></lookup></closure></binding></object></property></template>"
                    "</interface>");
  else
    xml = g_strdup_printf ("<interface><template class=\"GtkListItem\"><property name=\"child\">"
                           "<object class=\"GtkLabel\"><property name=\"xalign\">0</property>"
                           "<property name=\"ellipsize\">end</property>"
                           "<binding name=\"label\"><lookup name=\"%s\" type=\"LsnAuditItem\">"
                           "<lookup name=\"item\">GtkListItem</lookup></lookup></binding>"
                           "</object></property></template></interface>", property);
  scope = gtk_builder_cscope_new ();
  gtk_builder_cscope_add_callback_symbol (GTK_BUILDER_CSCOPE (scope), "time_text",
                                          G_CALLBACK (time_text));
  {
    g_autoptr(GBytes) bytes = g_bytes_new (xml, strlen (xml));
    factory = gtk_builder_list_item_factory_new_from_bytes (scope, bytes);
  }
  column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);
}

static void
model_notify_cb (LsnActivityPage *self)
{
  update_status (self);
}

static void
selection_changed_cb (LsnActivityPage *self)
{
  update_status (self);
}

/* ------------------------------------------------------------------------------------------ */
/* CSV                                                                                          */

static void
csv_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LsnActivityPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 n = 0;

  if (!lsn_audit_model_write_csv_finish (LSN_AUDIT_MODEL (source), result, &n, &error))
    text = g_strdup_printf (_("The events were not exported: %s"), error->message);
  else
    text = g_strdup_printf (ngettext ("%" G_GUINT64_FORMAT " event exported",
                                      "%" G_GUINT64_FORMAT " events exported", n), n);
  show_toast (self, text);
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    LsnActivityPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->model != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      lsn_audit_model_write_csv_async (self->model, file, self->cancellable, csv_written_cb,
                                       g_object_ref (self));
    }
  g_object_unref (chooser);
}

static void
export_clicked_cb (LsnActivityPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->model == NULL)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Export Events"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s-events.csv", self->profile ? lsn_profile_get_name (self->profile) : "liaison");
  g_strdelimit (name, "/\\:", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------------------------------------ */

static void
set_model (LsnActivityPage *self,
           LsnAuditModel   *model)
{
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, model_notify_cb, self);
  g_set_object (&self->model, model);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (model));
  if (model != NULL)
    {
      g_signal_connect_swapped (model, "notify::count-known", G_CALLBACK (model_notify_cb), self);
      g_signal_connect_swapped (model, "notify::n-items", G_CALLBACK (model_notify_cb), self);
      g_signal_connect_swapped (model, "notify::error", G_CALLBACK (model_notify_cb), self);
      lsn_audit_model_set_ascending (model, gtk_toggle_button_get_active (self->oldest_button));
      apply_filters (self);
    }
  update_status (self);
}

/* Shown again (another page ran a sync meanwhile): read the newest events and runs. */
static void
lsn_activity_page_map (GtkWidget *widget)
{
  LsnActivityPage *self = LSN_ACTIVITY_PAGE (widget);

  GTK_WIDGET_CLASS (lsn_activity_page_parent_class)->map (widget);
  if (self->model != NULL && !lsn_audit_model_get_busy (self->model))
    lsn_activity_page_refresh (self);
}

static void
lsn_activity_page_dispose (GObject *object)
{
  LsnActivityPage *self = (LsnActivityPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->selection != NULL)
    set_model (self, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  clear_scope (self);

  G_OBJECT_CLASS (lsn_activity_page_parent_class)->dispose (object);
}

static void
lsn_activity_page_class_init (LsnActivityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_activity_page_dispose;
  widget_class->map = lsn_activity_page_map;

  g_type_ensure (LSN_TYPE_AUDIT_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-activity-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, runs_list);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, search_entry);
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_all", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_failed", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_ok", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_held", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[3]));
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_echo", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[4]));
  gtk_widget_class_bind_template_child_full (widget_class, "outcome_guarded", FALSE,
                                             G_STRUCT_OFFSET (LsnActivityPage, outcome_buttons[5]));
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, time_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, oldest_button);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, scope_revealer);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, scope_label);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, resend_run_button);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LsnActivityPage, details_button);
  gtk_widget_class_bind_template_callback (widget_class, run_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, order_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, resend_run_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_scope_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, event_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, details_clicked_cb);
}

static void
lsn_activity_page_init (LsnActivityPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  /* the first event is selected: "Details" opens it without a click in the list */
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb),
                            self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, _("Time"), "time", FALSE);
  add_column (self, _("Kind"), "kind", FALSE);
  add_column (self, _("Record"), "record", TRUE);
  add_column (self, _("Action"), "action", FALSE);
  add_column (self, _("Outcome"), "outcome", FALSE);
  add_column (self, _("Message"), "message", TRUE);
  update_scope (self);
  update_status (self);
}

/**
 * lsn_activity_page_new:
 *
 * Returns: (transfer floating): a new page
 */
GtkWidget *
lsn_activity_page_new (void)
{
  return g_object_new (LSN_TYPE_ACTIVITY_PAGE, NULL);
}

/**
 * lsn_activity_page_set_profile:
 * @store: (nullable): the store
 * @profile: (nullable): whose activity to show
 */
void
lsn_activity_page_set_profile (LsnActivityPage *self,
                               LsnStore        *store,
                               LsnProfile      *profile)
{
  g_return_if_fail (LSN_IS_ACTIVITY_PAGE (self));

  if (self->profile != NULL && profile != NULL && self->store == store
      && lsn_profile_get_id (self->profile) == lsn_profile_get_id (profile))
    {
      /* the same profile, maybe with new settings: keep the view */
      g_set_object (&self->profile, profile);
      return;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->store, store);
  g_set_object (&self->profile, profile);
  clear_scope (self);
  if (store != NULL && profile != NULL)
    {
      g_autoptr(LsnAuditModel) model = lsn_audit_model_new (store, lsn_profile_get_id (profile));
      set_model (self, model);
      load_runs (self);
    }
  else
    set_model (self, NULL);
}

/**
 * lsn_activity_page_refresh:
 *
 * Reads the runs and the events again.
 */
void
lsn_activity_page_refresh (LsnActivityPage *self)
{
  g_return_if_fail (LSN_IS_ACTIVITY_PAGE (self));

  if (self->model != NULL)
    lsn_audit_model_refresh (self->model);
  load_runs (self);
}

/**
 * lsn_activity_page_show:
 * @target: "record:KIND:SIDE:ID", "run:ID", "outcome:OUTCOME", or "" for every event
 *
 * Shows the events @target names (the parameter of the window's "win.show-activity").
 *
 * Returns: %FALSE when @target is not understood
 */
gboolean
lsn_activity_page_show (LsnActivityPage *self,
                        const char      *target)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (LSN_IS_ACTIVITY_PAGE (self), FALSE);

  parts = g_strsplit (target ? target : "", ":", 4);
  clear_scope (self);
  self->updating = TRUE;
  gtk_list_box_unselect_all (self->runs_list);
  if (parts[0] == NULL || *parts[0] == '\0')
    ;
  else if (g_str_equal (parts[0], "record") && g_strv_length (parts) == 4
           && (g_str_equal (parts[2], "left") || g_str_equal (parts[2], "right")))
    {
      self->scope_kind = g_strdup (parts[1]);
      if (g_str_equal (parts[2], "left"))
        self->scope_left = g_strdup (parts[3]);
      else
        self->scope_right = g_strdup (parts[3]);
      gtk_drop_down_set_selected (self->kind_dropdown, 0);
    }
  else if (g_str_equal (parts[0], "run") && parts[1] != NULL)
    self->scope_run = g_ascii_strtoll (parts[1], NULL, 10);
  else if (g_str_equal (parts[0], "outcome") && parts[1] != NULL)
    {
      guint i;
      for (i = 1; i < G_N_ELEMENTS (outcomes) && !g_str_equal (outcomes[i], parts[1]); i++)
        ;
      gtk_toggle_button_set_active (self->outcome_buttons[i < G_N_ELEMENTS (outcomes) ? i : 0], TRUE);
    }
  else
    {
      self->updating = FALSE;
      return FALSE;
    }
  self->updating = FALSE;
  apply_filters (self);
  load_runs (self);
  return TRUE;
}
