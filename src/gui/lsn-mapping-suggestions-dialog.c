/* lsn-mapping-suggestions-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-mappings"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-mapping-suggestions-dialog.h"

/* a longer list is accepted in bulk or worked through again after saving */
#define MAX_SHOWN 500

/**
 * LsnMappingSuggestionsDialog:
 *
 * "Suggest matches": every proposed pair with its evidence (a stored id, the exact name, the
 * normalized name, a similar name with its score, the same domain) and its confidence. The
 * confident ones can be accepted together; ambiguous ones never are. Each can be accepted or
 * rejected on its own; a rejected pair is remembered (on Save) and never proposed again.
 * Nothing is written until the page's Save.
 */
struct _LsnMappingSuggestionsDialog
{
  AdwWindow          parent_instance;

  GtkButton         *accept_all_button;
  GtkLabel          *summary_label;
  GtkListBox        *list;

  LsnMappingEditor  *editor;
  GPtrArray         *suggestions;   /* of LsnMappingSuggestion */
  guint              accepted;
  guint              rejected;
};

G_DEFINE_FINAL_TYPE (LsnMappingSuggestionsDialog, lsn_mapping_suggestions_dialog, ADW_TYPE_WINDOW)

static guint
count_open_confident (LsnMappingSuggestionsDialog *self)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      LsnMappingSuggestion *s = g_object_get_data (G_OBJECT (row), "lsn-suggestion");
      if (s != NULL && s->confident)
        n++;
    }
  return n;
}

static void
update_summary (LsnMappingSuggestionsDialog *self)
{
  guint confident = count_open_confident (self);
  g_autofree char *all = NULL;
  g_autofree char *summary = NULL;
  guint open = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    open++;

  /* Translators: %u is a number of suggested pairs */
  all = g_strdup_printf (_("_Accept All Confident (%u)"), confident);
  gtk_button_set_label (self->accept_all_button, all);
  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_all_button), confident > 0);

  if (self->suggestions->len == 0)
    summary = g_strdup (_("Nothing to suggest: every client is mapped, or no record of the other "
                          "side matches by id, name or domain (rejected pairs are not proposed "
                          "again)."));
  else
    summary = g_strdup_printf (_("%u suggestions left, %u of them confident. %u accepted and %u "
                                 "rejected so far: nothing is written until you save. Ambiguous "
                                 "ones (two candidates as good) are never accepted in bulk."),
                               open, confident, self->accepted, self->rejected);
  gtk_label_set_text (self->summary_label, summary);
}

static void
decide (LsnMappingSuggestionsDialog *self,
        GtkWidget                   *row,
        gboolean                     accept)
{
  LsnMappingSuggestion *s = g_object_get_data (G_OBJECT (row), "lsn-suggestion");
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = accept ? lsn_mapping_editor_map (self->editor, s->row_id, s->other_id, &error)
              : lsn_mapping_editor_reject (self->editor, s->row_id, s->other_id, &error);
  if (!ok)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      return;
    }
  if (accept)
    self->accepted++;
  else
    self->rejected++;
  gtk_list_box_remove (self->list, row);
  update_summary (self);
}

static void
accept_clicked_cb (GtkButton *button,
                   GtkWidget *row)
{
  decide (LSN_MAPPING_SUGGESTIONS_DIALOG (gtk_widget_get_root (row)), row, TRUE);
}

static void
reject_clicked_cb (GtkButton *button,
                   GtkWidget *row)
{
  decide (LSN_MAPPING_SUGGESTIONS_DIALOG (gtk_widget_get_root (row)), row, FALSE);
}

static void
accept_all_clicked_cb (LsnMappingSuggestionsDialog *self)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));

  while (row != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (row);
      LsnMappingSuggestion *s = g_object_get_data (G_OBJECT (row), "lsn-suggestion");
      if (s != NULL && s->confident)
        decide (self, row, TRUE);
      row = next;
    }
  update_summary (self);
}

static GtkWidget *
make_row (LsnMappingSuggestionsDialog *self,
          LsnMappingSuggestion        *s)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *accept = gtk_button_new_with_label (_("Accept"));
  GtkWidget *reject = gtk_button_new_with_label (_("Reject"));
  g_autofree char *title = g_strdup_printf ("%s → %s", s->row_name, s->other_name);
  g_autofree char *subtitle = NULL;
  g_autofree char *accept_label = NULL;
  g_autofree char *reject_label = NULL;

  /* Translators: evidence, then a percentage, e.g. "exactly the same name · 95 % confident" */
  subtitle = g_strdup_printf (_("%s · %.0f %% confident%s"), s->explanation, s->confidence * 100.0,
                              s->confident ? _(" · accepted with “Accept All Confident”") : "");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  /* Translators: %s is "Client A → Client B" */
  accept_label = g_strdup_printf (_("Accept %s"), title);
  reject_label = g_strdup_printf (_("Reject %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (accept), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accept_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (reject), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  reject_label, -1);
  gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (reject, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (reject, "flat");
  g_signal_connect (accept, "clicked", G_CALLBACK (accept_clicked_cb), row);
  g_signal_connect (reject, "clicked", G_CALLBACK (reject_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), reject);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), accept);
  g_object_set_data (G_OBJECT (row), "lsn-suggestion", s);
  return row;
}

static void
lsn_mapping_suggestions_dialog_finalize (GObject *object)
{
  LsnMappingSuggestionsDialog *self = (LsnMappingSuggestionsDialog *)object;

  g_clear_object (&self->editor);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);

  G_OBJECT_CLASS (lsn_mapping_suggestions_dialog_parent_class)->finalize (object);
}

static void
lsn_mapping_suggestions_dialog_class_init (LsnMappingSuggestionsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lsn_mapping_suggestions_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-mapping-suggestions-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnMappingSuggestionsDialog, accept_all_button);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingSuggestionsDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingSuggestionsDialog, list);
  gtk_widget_class_bind_template_callback (widget_class, accept_all_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
lsn_mapping_suggestions_dialog_init (LsnMappingSuggestionsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * lsn_mapping_suggestions_dialog_new:
 * @parent: (nullable): the window
 * @editor: whose rows get suggestions
 *
 * Returns: (transfer none): the dialog, with the suggestions computed
 */
GtkWidget *
lsn_mapping_suggestions_dialog_new (GtkWindow        *parent,
                                    LsnMappingEditor *editor)
{
  LsnMappingSuggestionsDialog *self = g_object_new (LSN_TYPE_MAPPING_SUGGESTIONS_DIALOG,
                                                    "transient-for", parent, NULL);

  self->editor = g_object_ref (editor);
  self->suggestions = lsn_mapping_editor_suggest (editor);
  for (guint i = 0; i < self->suggestions->len && i < MAX_SHOWN; i++)
    gtk_list_box_append (self->list, make_row (self, g_ptr_array_index (self->suggestions, i)));
  update_summary (self);
  return GTK_WIDGET (self);
}
