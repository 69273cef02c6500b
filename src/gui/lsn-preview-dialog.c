/* lsn-preview-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-gui-util.h"
#include "lsn-preview-dialog.h"

/* Records listed per action when it is expanded; the rest are counted. */
#define MAX_RECORDS 100

/**
 * LsnPreviewDialog:
 *
 * The plan of a dry run: per kind, how many records each action would touch; each count expands
 * to the records (the first hundred), and each record to its field changes (before → after).
 * Rows are made when their parent is expanded, so a plan of thousands of records opens at once.
 */
struct _LsnPreviewDialog
{
  AdwWindow            parent_instance;

  /* Template children */
  AdwWindowTitle      *window_title;
  AdwPreferencesPage  *page;
  AdwPreferencesGroup *summary_group;

  LsnSyncJob          *job;      /* keeps the plan alive */
  char                *side_labels[2];
};

G_DEFINE_FINAL_TYPE (LsnPreviewDialog, lsn_preview_dialog, ADW_TYPE_WINDOW)

static const LsnActionType shown_actions[] = {
  LSN_ACTION_CREATE, LSN_ACTION_UPDATE, LSN_ACTION_ARCHIVE, LSN_ACTION_DELETE, LSN_ACTION_LINK,
  LSN_ACTION_HOLD, LSN_ACTION_DELETED, LSN_ACTION_SKIP, LSN_ACTION_REFRESH,
};

static const char *
action_label (LsnActionType type)
{
  switch (type)
    {
    case LSN_ACTION_CREATE: return _("To create");
    case LSN_ACTION_UPDATE: return _("To update");
    case LSN_ACTION_ARCHIVE: return _("To archive");
    case LSN_ACTION_DELETE: return _("To delete");
    case LSN_ACTION_LINK: return _("To link as the same record");
    case LSN_ACTION_HOLD: return _("Possible matches waiting for you");
    case LSN_ACTION_DELETED: return _("Deleted on their side");
    case LSN_ACTION_SKIP: return _("Skipped");
    case LSN_ACTION_REFRESH: return _("Already in step");
    default: return "?";
    }
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
change_row_new (JsonNode *change)
{
  GtkWidget *row = adw_action_row_new ();
  JsonObject *object;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (!JSON_NODE_HOLDS_OBJECT (change))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "?");
      return row;
    }

  object = json_node_get_object (change);
  before = node_text (json_object_get_member (object, "before"));
  after = node_text (json_object_get_member (object, "after"));
  /* Translators: a field's value before and after a change */
  text = g_strdup_printf (_("%s → %s"), before, after);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 json_object_get_string_member_with_default (object, "field", "?"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);

  return row;
}

static GtkWidget *
record_row_new (LsnPreviewDialog *self,
                LsnPlanAction    *action)
{
  const char *name = action->source_name != NULL ? action->source_name : action->target_name;
  guint n_changes = action->changes != NULL ? json_array_get_length (action->changes) : 0;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row;

  if (action->type == LSN_ACTION_CREATE || action->type == LSN_ACTION_UPDATE
      || action->type == LSN_ACTION_ARCHIVE || action->type == LSN_ACTION_DELETE)
    /* Translators: where a record is written, such as "in ConnectWise Manage" */
    g_string_append_printf (subtitle, _("in %s"), self->side_labels[action->target_side]);
  if (action->detail != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, ". ");
      g_string_append (subtitle, action->detail);
    }
  else if (action->reason != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, ". ");
      g_string_append (subtitle, action->reason);
    }

  if (n_changes > 0)
    {
      row = adw_expander_row_new ();
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle->str);
      for (guint i = 0; i < n_changes; i++)
        adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                  change_row_new (json_array_get_element (action->changes, i)));
    }
  else
    {
      row = adw_action_row_new ();
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
    }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? name : "?");

  return row;
}

typedef struct
{
  LsnKindPlan   *kp;
  LsnActionType  type;
  gboolean       filled;
} ActionRowData;

static void
action_row_expanded_cb (AdwExpanderRow   *row,
                        GParamSpec       *pspec,
                        LsnPreviewDialog *self)
{
  ActionRowData *data = g_object_get_data (G_OBJECT (row), "lsn-action");
  guint shown = 0;
  guint total = 0;

  if (data == NULL || data->filled || !adw_expander_row_get_expanded (row))
    return;

  data->filled = TRUE;
  for (guint i = 0; i < data->kp->actions->len; i++)
    {
      LsnPlanAction *action = g_ptr_array_index (data->kp->actions, i);

      if (action->type != data->type)
        continue;
      total++;
      if (shown < MAX_RECORDS)
        {
          adw_expander_row_add_row (row, record_row_new (self, action));
          shown++;
        }
    }

  if (total > shown)
    {
      GtkWidget *more = adw_action_row_new ();
      g_autofree char *text = g_strdup_printf (_("… and %u more"), total - shown);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (more), text);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (more),
                                   _("liaisonctl sync --dry-run lists them all"));
      adw_expander_row_add_row (row, more);
    }
}

static void
lsn_preview_dialog_fill (LsnPreviewDialog *self)
{
  LsnPlan *plan = lsn_sync_job_get_plan (self->job);
  guint n_writes = 0;
  g_autofree char *subtitle = NULL;

  if (plan == NULL || plan->kinds->len == 0)
    {
      adw_preferences_group_set_description (self->summary_group,
                                             _("The run would do nothing: no kind is synced."));
      return;
    }

  for (guint k = 0; k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);
      AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      g_autofree char *description = NULL;

      adw_preferences_group_set_title (group, lsn_gui_kind_label (kp->kind));
      if (kp->guarded)
        description = g_strdup_printf (_("%u records. Stopped by the mass-change guard: %s"),
                                       kp->n_records, kp->guard_message ? kp->guard_message : "");
      else
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record", "%u records",
                                                    kp->n_records),
                                       kp->n_records);
      adw_preferences_group_set_description (group, description);

      for (guint a = 0; a < G_N_ELEMENTS (shown_actions); a++)
        {
          guint count = lsn_kind_plan_count (kp, shown_actions[a]);
          GtkWidget *row;
          ActionRowData *data;
          g_autofree char *title = NULL;

          if (count == 0)
            continue;

          if (shown_actions[a] == LSN_ACTION_CREATE || shown_actions[a] == LSN_ACTION_UPDATE
              || shown_actions[a] == LSN_ACTION_ARCHIVE || shown_actions[a] == LSN_ACTION_DELETE)
            n_writes += count;

          /* Translators: "To create: 12" */
          title = g_strdup_printf (_("%s: %u"), action_label (shown_actions[a]), count);
          row = adw_expander_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          data = g_new0 (ActionRowData, 1);
          data->kp = kp;
          data->type = shown_actions[a];
          g_object_set_data_full (G_OBJECT (row), "lsn-action", data, g_free);
          g_signal_connect_object (row, "notify::expanded", G_CALLBACK (action_row_expanded_cb),
                                   self, 0);
          adw_preferences_group_add (group, row);
        }

      adw_preferences_page_add (self->page, group);
    }

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u write", "%u writes", n_writes),
                              n_writes);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
lsn_preview_dialog_finalize (GObject *object)
{
  LsnPreviewDialog *self = LSN_PREVIEW_DIALOG (object);

  g_clear_object (&self->job);
  g_clear_pointer (&self->side_labels[0], g_free);
  g_clear_pointer (&self->side_labels[1], g_free);

  G_OBJECT_CLASS (lsn_preview_dialog_parent_class)->finalize (object);
}

static void
lsn_preview_dialog_class_init (LsnPreviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lsn_preview_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-preview-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnPreviewDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LsnPreviewDialog, page);
  gtk_widget_class_bind_template_child (widget_class, LsnPreviewDialog, summary_group);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lsn_preview_dialog_init (LsnPreviewDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * lsn_preview_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @job: a finished dry run
 * @profile: the profile it ran, for the names of its systems
 *
 * Returns: (transfer floating): a dialog showing the plan of @job
 */
GtkWidget *
lsn_preview_dialog_new (GtkWindow  *parent,
                        LsnSyncJob *job,
                        LsnProfile *profile)
{
  LsnPreviewDialog *self;
  g_autoptr(JsonObject) root = NULL;

  g_return_val_if_fail (LSN_IS_SYNC_JOB (job), NULL);
  g_return_val_if_fail (LSN_IS_PROFILE (profile), NULL);

  self = g_object_new (LSN_TYPE_PREVIEW_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->job = g_object_ref (job);

  root = lsn_gui_parse_settings (lsn_profile_get_settings (profile));
  for (guint s = 0; s < 2; s++)
    self->side_labels[s] = g_strdup (lsn_gui_connector_label (
      json_object_get_string_member_with_default (lsn_gui_object_member (root, s == 0 ? "left" : "right"),
                                                  "connector", NULL)));

  lsn_preview_dialog_fill (self);

  return GTK_WIDGET (self);
}
