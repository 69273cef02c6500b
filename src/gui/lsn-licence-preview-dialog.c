/* lsn-licence-preview-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-licence-job.h"
#include "lsn-licence-planner.h"
#include "lsn-licence-preview-dialog.h"

/* Licence rows listed per customer when it is expanded; the rest are counted. */
#define MAX_ACTIONS 200

/**
 * LsnLicencePreviewDialog:
 *
 * The plan of a distributor feed → HaloPSA profile: it runs an #LsnLicenceJob dry run on a
 * worker as it opens, then lists the invoice's customers, each with how many licences would be
 * created, updated, deleted and skipped, expanding to the licences with what changes. Apply runs
 * the job for real (confirmed) and shows what was written. Nothing is written before Apply.
 */
struct _LsnLicencePreviewDialog
{
  AdwWindow            parent_instance;

  /* Template children */
  AdwWindowTitle      *window_title;
  GtkButton           *apply_button;
  GtkStack            *stack;
  AdwStatusPage       *working_page;
  GtkSpinner          *spinner;
  AdwPreferencesPage  *page;
  AdwPreferencesGroup *summary_group;
  AdwPreferencesGroup *customers_group;
  AdwStatusPage       *error_page;

  LsnStore            *store;
  LsnProfile          *profile;
  LsnLicenceJob       *job;          /* (nullable): the last run, which keeps its plan alive */
  GPtrArray           *shown;        /* rows added to the two groups */
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             applied;
};

G_DEFINE_FINAL_TYPE (LsnLicencePreviewDialog, lsn_licence_preview_dialog, ADW_TYPE_WINDOW)

static const char *
verb_of (LsnActionType type)
{
  switch (type)
    {
    case LSN_ACTION_CREATE: return _("Create");
    case LSN_ACTION_UPDATE: return _("Update");
    case LSN_ACTION_DELETE: return _("Delete");
    case LSN_ACTION_SKIP: return _("Skip");
    case LSN_ACTION_HOLD: return _("Wait for you");
    case LSN_ACTION_LINK: return _("Link");
    case LSN_ACTION_ARCHIVE: return _("Archive");
    case LSN_ACTION_REFRESH: return _("In step");
    case LSN_ACTION_DELETED: return _("Deleted");
    default: return "?";
    }
}

static char *
counts_text (guint creates,
             guint updates,
             guint deletes,
             guint skips)
{
  /* Translators: counts of a licence plan */
  return g_strdup_printf (_("%u to create, %u to update, %u to delete, %u skipped"),
                          creates, updates, deletes, skips);
}

static char *
node_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("(empty)"));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup_printf ("“%s”", json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static GtkWidget *
action_row_new (LsnPlanAction *a)
{
  GtkWidget *row = adw_action_row_new ();
  const char *what = a->target_name != NULL ? a->target_name : a->source_name;
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (a->detail != NULL ? a->detail
                                              : a->reason != NULL ? a->reason : "");
  guint n_changes = a->changes != NULL ? json_array_get_length (a->changes) : 0;

  for (guint i = 0; i < n_changes; i++)
    {
      JsonNode *change = json_array_get_element (a->changes, i);
      JsonObject *object;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (change))
        continue;
      object = json_node_get_object (change);
      before = node_text (json_object_get_member (object, "before"));
      after = node_text (json_object_get_member (object, "after"));
      if (subtitle->len > 0)
        g_string_append_c (subtitle, '\n');
      /* Translators: a field, its value before and after a change */
      g_string_append_printf (subtitle, _("%s: %s → %s"),
                              json_object_get_string_member_with_default (object, "field", "?"),
                              before, after);
    }

  /* Translators: an action and what it is about, such as "Create: M365-BP" */
  title = g_strdup_printf (_("%s: %s"), verb_of (a->type), what != NULL ? what : "?");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static void
add_shown (LsnLicencePreviewDialog *self,
           AdwPreferencesGroup     *group,
           GtkWidget               *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->shown, row);
}

static void
clear_shown (LsnLicencePreviewDialog *self)
{
  for (guint i = 0; i < self->shown->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->shown, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->shown, 0);
}

static GtkWidget *
text_row_new (const char *title,
              const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
    }
  return row;
}

static void
show_plan (LsnLicencePreviewDialog *self,
           LsnPlan                 *plan)
{
  LsnLicenceCustomer totals;
  g_autoptr(GPtrArray) customers = lsn_licence_plan_customers (plan, _("(no customer)"), &totals);
  guint sends = 0;
  g_autofree char *total = NULL;

  clear_shown (self);

  for (guint k = 0; plan != NULL && k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);

      if (kp->guarded && kp->guard_message != NULL)
        add_shown (self, self->summary_group,
                   text_row_new (_("Held back by the mass-change guard"), kp->guard_message));
      for (guint i = 0; i < kp->actions->len; i++)
        if (lsn_plan_action_sends (g_ptr_array_index (kp->actions, i)))
          sends++;
    }

  total = counts_text (totals.creates, totals.updates, totals.deletes, totals.skips);
  add_shown (self, self->summary_group,
             text_row_new (self->applied ? _("Written to HaloPSA") : _("Nothing has been written yet"),
                           total));
  adw_window_title_set_subtitle (self->window_title, total);

  if (customers->len == 0)
    add_shown (self, self->customers_group,
               text_row_new (_("The invoice has no customers"), NULL));

  for (guint i = 0; i < customers->len; i++)
    {
      LsnLicenceCustomer *c = g_ptr_array_index (customers, i);
      GtkWidget *expander = adw_expander_row_new ();
      g_autofree char *counts = counts_text (c->creates, c->updates, c->deletes, c->skips);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), c->name);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), counts);
      /* libadwaita 1.2 leaves an expander row without an accessible name: give it the
       * customer's, so that a screen reader says whose counts these are. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (expander),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, c->name,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, counts,
                                      -1);
      for (guint j = 0; j < c->actions->len && j < MAX_ACTIONS; j++)
        adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                                  action_row_new (g_ptr_array_index (c->actions, j)));
      if (c->actions->len > MAX_ACTIONS)
        {
          g_autofree char *more = g_strdup_printf (_("And %u more"), c->actions->len - MAX_ACTIONS);

          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), text_row_new (more, NULL));
        }
      add_shown (self, self->customers_group, expander);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), !self->applied && sends > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->apply_button), !self->applied);
  gtk_stack_set_visible_child_name (self->stack, "plan");
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(LsnLicencePreviewDialog) self = user_data;
  LsnLicenceJob *job = LSN_LICENCE_JOB (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = lsn_licence_job_run_finish (job, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  gtk_spinner_stop (self->spinner);

  if (!ok)
    {
      adw_status_page_set_title (self->error_page,
                                 self->applied ? _("Applying Failed") : _("The Preview Failed"));
      adw_status_page_set_description (self->error_page, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->apply_button), FALSE);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  show_plan (self, lsn_licence_job_get_plan (job));
}

static void
start (LsnLicencePreviewDialog *self,
       gboolean                 dry_run)
{
  g_clear_object (&self->job);
  self->job = lsn_licence_job_new (self->store, self->profile, dry_run ? "preview" : "manual");
  lsn_licence_job_set_dry_run (self->job, dry_run);
  lsn_licence_job_set_confirmed (self->job, !dry_run);

  self->busy = TRUE;
  self->applied = !dry_run;
  adw_status_page_set_title (self->working_page,
                             dry_run ? _("Reading the Invoice…") : _("Writing to HaloPSA…"));
  gtk_spinner_start (self->spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "working");

  lsn_licence_job_run_async (self->job, self->cancellable, run_cb, g_object_ref (self));
}

/**
 * lsn_licence_preview_dialog_apply:
 * @self: a #LsnLicencePreviewDialog
 *
 * Runs the profile for real, confirmed (past the mass-change guard), and shows what it wrote.
 * Does nothing while a run is under way or once applied.
 */
void
lsn_licence_preview_dialog_apply (LsnLicencePreviewDialog *self)
{
  g_return_if_fail (LSN_IS_LICENCE_PREVIEW_DIALOG (self));

  if (self->busy || self->applied)
    return;
  start (self, FALSE);
}

static void
apply_clicked_cb (LsnLicencePreviewDialog *self,
                  GtkButton               *button)
{
  lsn_licence_preview_dialog_apply (self);
}

/**
 * lsn_licence_preview_dialog_is_busy:
 *
 * Returns: whether a run (the preview or Apply) is under way
 */
gboolean
lsn_licence_preview_dialog_is_busy (LsnLicencePreviewDialog *self)
{
  g_return_val_if_fail (LSN_IS_LICENCE_PREVIEW_DIALOG (self), FALSE);

  return self->busy;
}

/**
 * lsn_licence_preview_dialog_get_outcome:
 *
 * Returns: (nullable): the outcome of the last run ("ok", "partial", "guarded", "failed"), or
 *   %NULL before one finished
 */
const char *
lsn_licence_preview_dialog_get_outcome (LsnLicencePreviewDialog *self)
{
  g_return_val_if_fail (LSN_IS_LICENCE_PREVIEW_DIALOG (self), NULL);

  if (self->busy || self->job == NULL)
    return NULL;
  return lsn_licence_job_get_outcome (self->job);
}

static void
lsn_licence_preview_dialog_dispose (GObject *object)
{
  LsnLicencePreviewDialog *self = LSN_LICENCE_PREVIEW_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (lsn_licence_preview_dialog_parent_class)->dispose (object);
}

static void
lsn_licence_preview_dialog_finalize (GObject *object)
{
  LsnLicencePreviewDialog *self = LSN_LICENCE_PREVIEW_DIALOG (object);

  g_clear_object (&self->job);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->shown, g_ptr_array_unref);

  G_OBJECT_CLASS (lsn_licence_preview_dialog_parent_class)->finalize (object);
}

static void
lsn_licence_preview_dialog_class_init (LsnLicencePreviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_licence_preview_dialog_dispose;
  object_class->finalize = lsn_licence_preview_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-licence-preview-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, working_page);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, page);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, summary_group);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, customers_group);
  gtk_widget_class_bind_template_child (widget_class, LsnLicencePreviewDialog, error_page);
  gtk_widget_class_bind_template_callback (widget_class, apply_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lsn_licence_preview_dialog_init (LsnLicencePreviewDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

/**
 * lsn_licence_preview_dialog_new:
 * @parent: (nullable): the window the dialog belongs to
 * @store: the store
 * @profile: a distributor feed → HaloPSA profile (see lsn_licence_job_handles_profile())
 *
 * Returns: (transfer floating): a new dialog, already running the dry run
 */
GtkWidget *
lsn_licence_preview_dialog_new (GtkWindow  *parent,
                                LsnStore   *store,
                                LsnProfile *profile)
{
  LsnLicencePreviewDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LSN_IS_STORE (store), NULL);
  g_return_val_if_fail (LSN_IS_PROFILE (profile), NULL);

  self = g_object_new (LSN_TYPE_LICENCE_PREVIEW_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->profile = g_object_ref (profile);

  /* Translators: %s is a profile name */
  title = g_strdup_printf (_("Licences of “%s”"), lsn_profile_get_name (profile));
  adw_window_title_set_title (self->window_title, title);

  start (self, TRUE);

  return GTK_WIDGET (self);
}
