/* lsn-event-details-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-activity"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-connector.h"
#include "lsn-event-details-dialog.h"
#include "lsn-history.h"
#include "lsn-profile-config.h"
#include "lsn-sync-job.h"

/**
 * LsnEventDetailsDialog:
 *
 * One audit event in full: both records with links that open them in their PSA's web UI, the
 * field changes (before → after), the request summary (method and path; never a secret), the
 * server's message verbatim, and the events of the same record before and after it.
 *
 * "Send Again" on a failed export re-plans that record with the current mappings and settings
 * (a dry run), shows what will be sent, sends it on "Send", and records the new events as
 * retries of this one, which the dialog then shows.
 */
struct _LsnEventDetailsDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkButton      *resend_button;
  GtkBox         *body;
  GtkBox         *resend_box;
  GtkLabel       *resend_label;
  GtkLabel       *plan_label;
  GtkButton      *send_button;

  GtkBox         *details;       /* built from the event */
  GtkBox         *records_box;
  GtkBox         *history_box;
  GtkBox         *retries_box;

  LsnStore       *store;
  LsnProfile     *profile;
  LsnAuditEvent  *event;
  char           *label[2];
  GCancellable   *cancellable;
  LsnSyncJob     *job;           /* (nullable): the retry under way */
};

G_DEFINE_FINAL_TYPE (LsnEventDetailsDialog, lsn_event_details_dialog, ADW_TYPE_WINDOW)

static LsnAuditEvent *
event_copy (const LsnAuditEvent *e)
{
  LsnAuditEvent *c = lsn_audit_event_new ();

  *c = *e;
  c->kind = g_strdup (e->kind);
  c->target_side = g_strdup (e->target_side);
  c->left_id = g_strdup (e->left_id);
  c->right_id = g_strdup (e->right_id);
  c->left_name = g_strdup (e->left_name);
  c->right_name = g_strdup (e->right_name);
  c->action = g_strdup (e->action);
  c->outcome = g_strdup (e->outcome);
  c->changes = g_strdup (e->changes);
  c->request = g_strdup (e->request);
  c->message = g_strdup (e->message);
  c->actor = g_strdup (e->actor);
  return c;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = usec > 0 ? g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC) : NULL;
  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

static GtkWidget *
text_label (const char *text,
            const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
add_heading (GtkBox     *box,
             const char *text)
{
  GtkWidget *label = text_label (text, "heading");
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_set_margin_top (label, 6);
  gtk_box_append (box, label);
}

static void
add_field (GtkGrid    *grid,
           int         row,
           const char *name,
           const char *value)
{
  GtkWidget *n = gtk_label_new (name);
  GtkWidget *v = text_label (value ? value : "—", NULL);

  gtk_label_set_xalign (GTK_LABEL (n), 1);
  gtk_widget_add_css_class (n, "dim-label");
  gtk_widget_set_valign (n, GTK_ALIGN_START);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_grid_attach (grid, n, 0, row, 1, 1);
  gtk_grid_attach (grid, v, 1, row, 1, 1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (v), GTK_ACCESSIBLE_RELATION_LABELLED_BY, n, NULL, -1);
}

static char *
describe_value (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("(empty)"));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup_printf ("“%s”", json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static void
add_changes (LsnEventDetailsDialog *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *changes;

  add_heading (self->details, _("Changes"));
  if (self->event->changes == NULL
      || !json_parser_load_from_data (parser, self->event->changes, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      gtk_box_append (self->details, text_label (_("No field changes were recorded."), "dim-label"));
      return;
    }
  changes = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonNode *n = json_array_get_element (changes, i);
      JsonObject *o;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *line = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      o = json_node_get_object (n);
      before = describe_value (json_object_get_member (o, "before"));
      after = describe_value (json_object_get_member (o, "after"));
      /* Translators: field: before → after */
      line = g_strdup_printf (_("%s: %s → %s"),
                              json_object_get_string_member_with_default (o, "field", "?"),
                              before, after);
      gtk_box_append (self->details, text_label (line, NULL));
    }
}

static void
build_details (LsnEventDetailsDialog *self)
{
  const LsnAuditEvent *e = self->event;
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  g_autofree char *when = format_time (e->time);
  g_autofree char *run = e->run_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, e->run_id) : NULL;
  g_autofree char *retry = e->retry_of > 0 ? g_strdup_printf (_("event %" G_GINT64_FORMAT), e->retry_of)
                                           : NULL;
  g_autofree char *target = e->target_side ? g_strdup (self->label[g_str_equal (e->target_side, "right")])
                                           : NULL;
  int row = 0;

  gtk_grid_set_column_spacing (grid, 12);
  gtk_grid_set_row_spacing (grid, 6);
  add_field (grid, row++, _("Time"), when);
  add_field (grid, row++, _("Run"), run);
  add_field (grid, row++, _("Kind"), e->kind);
  add_field (grid, row++, _("Action"), e->action);
  add_field (grid, row++, _("Outcome"), e->outcome);
  add_field (grid, row++, _("Written to"), target);
  add_field (grid, row++, _("By"), e->actor);
  if (retry != NULL)
    add_field (grid, row++, _("Retry of"), retry);
  gtk_box_append (self->details, GTK_WIDGET (grid));

  add_heading (self->details, _("Records"));
  self->records_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_append (self->details, GTK_WIDGET (self->records_box));

  add_changes (self);

  add_heading (self->details, _("Request"));
  gtk_box_append (self->details, text_label (e->request ? e->request : _("No request was sent."),
                                             e->request ? "monospace" : "dim-label"));

  add_heading (self->details, _("Message"));
  gtk_box_append (self->details, text_label (e->message ? e->message : _("No message."), NULL));

  add_heading (self->details, _("Sent Again"));
  self->retries_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_append (self->details, GTK_WIDGET (self->retries_box));

  add_heading (self->details, _("Events of the Same Record"));
  self->history_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_append (self->details, GTK_WIDGET (self->history_box));
}

/* ------------------------------------------------------------------------------------------ */
/* What is read on a worker thread: the record's other events, the retries, the links          */

typedef struct
{
  LsnStore      *store;
  char          *settings;
  LsnAuditEvent *event;
  GPtrArray     *history;
  GPtrArray     *retries;
  char          *url[2];
} Extra;

static void
extra_free (Extra *x)
{
  g_object_unref (x->store);
  g_free (x->settings);
  lsn_audit_event_free (x->event);
  g_clear_pointer (&x->history, g_ptr_array_unref);
  g_clear_pointer (&x->retries, g_ptr_array_unref);
  g_free (x->url[0]);
  g_free (x->url[1]);
  g_free (x);
}

static void
extra_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Extra *x = data;
  GError *error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (x->store, &error);
  g_autoptr(LsnProfileConfig) config = NULL;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  x->history = lsn_history_record_events (db, x->event, 5, &error);
  if (x->history != NULL)
    x->retries = lsn_history_retries_of (db, x->event->id, &error);
  if (x->retries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* links into the PSAs' web UIs; without a usable connection there is simply no link */
  config = lsn_profile_config_parse (x->settings, NULL);
  for (guint s = 0; config != NULL && s < 2; s++)
    {
      const char *id = s == 0 ? x->event->left_id : x->event->right_id;
      JsonObject *side = lsn_profile_config_get_side (config, s);
      g_autoptr(LsnConnector) conn = NULL;
      g_autoptr(GError) local_error = NULL;

      if (id == NULL || side == NULL)
        continue;
      conn = lsn_sync_build_connector (side, &local_error);
      if (conn != NULL)
        x->url[s] = lsn_connector_record_url (conn, x->event->kind, id);
      else
        g_debug ("No link to the %s record: %s", s == 0 ? "left" : "right", local_error->message);
    }
  g_task_return_boolean (task, TRUE);
}

static void
fill_records (LsnEventDetailsDialog *self,
              Extra                 *x)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->records_box))) != NULL)
    gtk_box_remove (self->records_box, child);
  for (guint s = 0; s < 2; s++)
    {
      const char *id = s == 0 ? self->event->left_id : self->event->right_id;
      const char *name = s == 0 ? self->event->left_name : self->event->right_name;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *text = NULL;

      if (id == NULL)
        text = g_strdup_printf (_("%s: not there yet"), self->label[s]);
      else
        /* Translators: system: name (#id) */
        text = g_strdup_printf (_("%s: %s (#%s)"), self->label[s], name ? name : "?", id);
      gtk_box_append (GTK_BOX (box), text_label (text, NULL));
      if (x != NULL && x->url[s] != NULL)
        {
          /* Translators: %s is a system (HaloPSA) */
          g_autofree char *open = g_strdup_printf (_("Open in %s"), self->label[s]);
          GtkWidget *link = gtk_link_button_new_with_label (x->url[s], open);
          gtk_box_append (GTK_BOX (box), link);
        }
      gtk_box_append (self->records_box, box);
    }
}

static char *
event_line (const LsnAuditEvent *e)
{
  g_autofree char *when = format_time (e->time);
  return g_strdup_printf ("%s · #%" G_GINT64_FORMAT " · %s · %s%s%s", when, e->id, e->action,
                          e->outcome, e->message ? " · " : "", e->message ? e->message : "");
}

static void
extra_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LsnEventDetailsDialog) self = user_data;
  Extra *x = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->history_box)
        gtk_box_append (self->history_box, text_label (error->message, "error"));
      return;
    }
  fill_records (self, x);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_box))) != NULL)
    gtk_box_remove (self->history_box, child);
  for (guint i = 0; i < x->history->len; i++)
    {
      LsnAuditEvent *e = g_ptr_array_index (x->history, i);
      g_autofree char *line = event_line (e);
      GtkWidget *label = text_label (line, e->id == self->event->id ? "heading" : NULL);
      gtk_box_append (self->history_box, label);
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->retries_box))) != NULL)
    gtk_box_remove (self->retries_box, child);
  if (x->retries->len == 0)
    gtk_box_append (self->retries_box, text_label (_("Not sent again."), "dim-label"));
  for (guint i = 0; i < x->retries->len; i++)
    {
      LsnAuditEvent *e = g_ptr_array_index (x->retries, i);
      g_autofree char *line = event_line (e);
      /* Translators: %s describes an event; this one is linked to the failure shown */
      g_autofree char *text = g_strdup_printf (_("Sent again: %s"), line);
      gtk_box_append (self->retries_box, text_label (text, NULL));
    }
}

static void
load_extra (LsnEventDetailsDialog *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, extra_cb, g_object_ref (self));
  Extra *x = g_new0 (Extra, 1);

  x->store = g_object_ref (self->store);
  x->settings = g_strdup (lsn_profile_get_settings (self->profile));
  x->event = event_copy (self->event);
  g_task_set_task_data (task, x, (GDestroyNotify) extra_free);
  g_task_run_in_thread (task, extra_thread);
}

/* ------------------------------------------------------------------------------------------ */
/* Send again                                                                                   */

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnEventDetailsDialog) self = user_data;
  g_autoptr(LsnSyncJob) job = LSN_SYNC_JOB (source);
  g_autoptr(GError) error = NULL;
  const LsnRunCounts *counts;
  g_autofree char *text = NULL;

  g_clear_object (&self->job);
  g_object_set_data (G_OBJECT (self), "lsn-sent", GINT_TO_POINTER (TRUE));
  if (!lsn_sync_job_run_finish (job, result, &error))
    text = g_strdup_printf (_("Not sent: %s"), error->message);
  else if ((counts = lsn_sync_job_get_counts (job))->failed > 0)
    text = g_strdup_printf (_("Sent, and it failed again (run %" G_GINT64_FORMAT "): see below"),
                            lsn_sync_job_get_run_id (job));
  else
    text = g_strdup_printf (_("Sent (run %" G_GINT64_FORMAT "): %" G_GINT64_FORMAT " created, %"
                              G_GINT64_FORMAT " updated. The new events are linked to this one."),
                            lsn_sync_job_get_run_id (job), counts->created, counts->updated);
  gtk_label_set_text (self->resend_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), TRUE);
  load_extra (self);
}

static void
send_clicked_cb (LsnEventDetailsDialog *self)
{
  if (self->job != NULL)
    return;
  self->job = lsn_sync_job_new (self->store, self->profile, "retry");
  lsn_sync_job_set_retry_of (self->job, self->event->id);
  lsn_sync_job_set_confirmed (self->job, TRUE);
  gtk_label_set_text (self->resend_label, _("Sending…"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), FALSE);
  lsn_sync_job_run_async (g_object_ref (self->job), self->cancellable, send_cb, g_object_ref (self));
}

static void
plan_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnEventDetailsDialog) self = user_data;
  g_autoptr(LsnSyncJob) job = LSN_SYNC_JOB (source);
  g_autoptr(GError) error = NULL;
  LsnPlan *plan;
  guint sends = 0;
  g_autofree char *text = NULL;

  g_clear_object (&self->job);
  gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), TRUE);
  if (!lsn_sync_job_run_finish (job, result, &error))
    {
      g_autofree char *t = g_strdup_printf (_("Cannot plan it again: %s"), error->message);
      gtk_label_set_text (self->resend_label, t);
      gtk_label_set_text (self->plan_label, "");
      return;
    }
  plan = lsn_sync_job_get_plan (job);
  for (guint k = 0; plan && k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);
      for (guint i = 0; i < kp->actions->len; i++)
        sends += lsn_plan_action_sends (g_ptr_array_index (kp->actions, i));
    }
  text = plan ? lsn_plan_to_text (plan, TRUE) : g_strdup ("");
  gtk_label_set_text (self->plan_label, text);
  if (sends == 0)
    gtk_label_set_text (self->resend_label,
                        _("Nothing to send: with the current mappings and settings the record "
                          "needs no write (it may have been sent meanwhile)."));
  else
    gtk_label_set_text (self->resend_label,
                        _("This will be sent, planned with the current mappings and settings:"));
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), sends > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), sends > 0);
}

static void
resend_clicked_cb (LsnEventDetailsDialog *self)
{
  if (self->job != NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->resend_box), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), FALSE);
  gtk_label_set_text (self->resend_label, _("Planning it again…"));
  gtk_label_set_text (self->plan_label, "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), FALSE);
  self->job = lsn_sync_job_new (self->store, self->profile, "retry");
  lsn_sync_job_set_retry_of (self->job, self->event->id);
  lsn_sync_job_set_dry_run (self->job, TRUE);
  lsn_sync_job_set_confirmed (self->job, TRUE);
  lsn_sync_job_run_async (g_object_ref (self->job), self->cancellable, plan_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------------------------------ */

static void
lsn_event_details_dialog_dispose (GObject *object)
{
  LsnEventDetailsDialog *self = (LsnEventDetailsDialog *)object;

  /* a send under way finishes on its own (it must record its result); only reading stops */
  if (self->job == NULL)
    g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (lsn_event_details_dialog_parent_class)->dispose (object);
}

static void
lsn_event_details_dialog_finalize (GObject *object)
{
  LsnEventDetailsDialog *self = (LsnEventDetailsDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->event, lsn_audit_event_free);
  g_free (self->label[0]);
  g_free (self->label[1]);

  G_OBJECT_CLASS (lsn_event_details_dialog_parent_class)->finalize (object);
}

static void
lsn_event_details_dialog_class_init (LsnEventDetailsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_event_details_dialog_dispose;
  object_class->finalize = lsn_event_details_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-event-details-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, resend_button);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, body);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, resend_box);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, resend_label);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, plan_label);
  gtk_widget_class_bind_template_child (widget_class, LsnEventDetailsDialog, send_button);
  gtk_widget_class_bind_template_callback (widget_class, resend_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
lsn_event_details_dialog_init (LsnEventDetailsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

static const char *
connector_label (const char *connector)
{
  if (g_strcmp0 (connector, "halopsa") == 0)
    return "HaloPSA";
  if (g_strcmp0 (connector, "connectwise") == 0)
    return "ConnectWise";
  return connector;
}

/**
 * lsn_event_details_dialog_new:
 * @parent: (nullable): the window
 * @store: the store
 * @profile: the event's profile
 * @event: the event (copied)
 *
 * Returns: (transfer none): the dialog
 */
GtkWidget *
lsn_event_details_dialog_new (GtkWindow           *parent,
                              LsnStore            *store,
                              LsnProfile          *profile,
                              const LsnAuditEvent *event)
{
  LsnEventDetailsDialog *self = g_object_new (LSN_TYPE_EVENT_DETAILS_DIALOG,
                                              "transient-for", parent, NULL);
  g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (lsn_profile_get_settings (profile),
                                                                 NULL);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  self->store = g_object_ref (store);
  self->profile = g_object_ref (profile);
  self->event = event_copy (event);
  for (guint s = 0; s < 2; s++)
    {
      JsonObject *side = config ? lsn_profile_config_get_side (config, s) : NULL;
      const char *c = side ? json_object_get_string_member_with_default (side, "connector", NULL) : NULL;
      self->label[s] = g_strdup (c ? connector_label (c) : s == 0 ? _("Left") : _("Right"));
    }

  /* Translators: %s is a number */
  title = g_strdup_printf (_("Event %" G_GINT64_FORMAT), event->id);
  subtitle = g_strdup_printf ("%s · %s · %s", event->kind, event->action, event->outcome);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  /* failed exports, and any export of an opportunity (a won one is sent again the same way) */
  gtk_widget_set_visible (GTK_WIDGET (self->resend_button),
                          event->target_side != NULL
                          && (g_strcmp0 (event->outcome, "failed") == 0
                              || g_strcmp0 (event->kind, "opportunity") == 0));

  self->details = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_prepend (self->body, GTK_WIDGET (self->details));
  build_details (self);
  fill_records (self, NULL);
  load_extra (self);
  return GTK_WIDGET (self);
}
