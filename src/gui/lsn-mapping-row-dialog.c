/* lsn-mapping-row-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-mappings"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-gui-util.h"
#include "lsn-mapping-row-dialog.h"

/* more would only be scrolled past: search instead */
#define MAX_CHOICES 200

/**
 * LsnMappingRowDialog:
 *
 * Edits one row of the mapping table: map it to a record of the other side that is not mapped
 * yet (searchable), create a new record there (with an optional name prefix; a name that exists
 * is refused with the reason), or remove the mapping. The change waits for the page's Save.
 */
struct _LsnMappingRowDialog
{
  AdwWindow          parent_instance;

  AdwWindowTitle    *window_title;
  GtkLabel          *current_label;
  GtkSearchEntry    *choices_search;
  GtkListBox        *choices_list;
  GtkLabel          *choices_note;
  GtkWidget         *create_box;
  GtkEntry          *prefix_entry;
  GtkButton         *create_button;
  GtkLabel          *preview_label;
  GtkLabel          *problem_label;
  GtkButton         *remove_button;

  LsnMappingEditor  *editor;
  char              *row_id;
};

G_DEFINE_FINAL_TYPE (LsnMappingRowDialog, lsn_mapping_row_dialog, ADW_TYPE_WINDOW)

static const char *
other_label (LsnMappingRowDialog *self)
{
  LsnSide side = lsn_mapping_editor_get_side (self->editor);
  return lsn_mapping_editor_get_side_label (self->editor,
                                            side == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT);
}

/* what the records of the other side are called: "clients", "licences" */
static const char *
other_noun (LsnMappingRowDialog *self,
            gboolean             plural)
{
  LsnSide side = lsn_mapping_editor_get_side (self->editor);
  LsnSide other = side == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT;

  if (!plural)
    return lsn_gui_mapping_noun_in_text (lsn_mapping_editor_get_kind (self->editor),
                                         lsn_mapping_editor_get_connector (self->editor, other));
  return lsn_gui_mapping_noun (lsn_mapping_editor_get_kind (self->editor),
                               lsn_mapping_editor_get_connector (self->editor, other), plural);
}

static void
show_problem (LsnMappingRowDialog *self,
              const char          *message)
{
  gtk_label_set_text (self->problem_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
}

static void
choose (LsnMappingRowDialog *self,
        const char          *id)
{
  g_autoptr(GError) error = NULL;

  if (!lsn_mapping_editor_map (self->editor, self->row_id, id, &error))
    {
      show_problem (self, error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
choice_button_clicked_cb (GtkButton           *button,
                          LsnMappingRowDialog *self)
{
  choose (self, g_object_get_data (G_OBJECT (button), "lsn-id"));
}

static void
fill_choices (LsnMappingRowDialog *self)
{
  g_autoptr(GPtrArray) choices = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GtkWidget *child;
  g_autofree char *note = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->choices_list))) != NULL)
    gtk_list_box_remove (self->choices_list, child);

  choices = lsn_mapping_editor_list_choices (self->editor, self->row_id,
                                             gtk_editable_get_text (GTK_EDITABLE (self->choices_search)),
                                             MAX_CHOICES + 1);
  for (guint i = 0; i < choices->len && i < MAX_CHOICES; i++)
    {
      LsnMappingChoice *c = g_ptr_array_index (choices, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_label (_("Map"));
      g_autofree char *subtitle = g_strdup_printf ("#%s", c->id);
      /* Translators: %s is a record's name; what a screen reader says for its "Map" button */
      g_autofree char *map = g_strdup_printf (_("Map to %s"), c->name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), c->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "lsn-id", g_strdup (c->id), g_free);
      /* the row is clicked; the button is what the keyboard and assistive technologies reach
       * (GTK 4.8 gives list rows no action) */
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, map, -1);
      g_object_set_data_full (G_OBJECT (button), "lsn-id", g_strdup (c->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (choice_button_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->choices_list, row);
    }
  if (choices->len > MAX_CHOICES)
    /* Translators: %s is "clients", "licences"... */
    note = g_strdup_printf (_("The first %u unmapped %s are shown: search to find others."),
                            MAX_CHOICES, other_noun (self, TRUE));
  else if (choices->len == 0 && lsn_mapping_editor_get_create_refusal (self->editor) != NULL)
    note = g_strdup_printf (_("No unmapped %s matches. Only those of the client this customer "
                              "matched are offered: map the customer first and preview again "
                              "if there are none."), other_noun (self, FALSE));
  else if (choices->len == 0)
    note = g_strdup_printf (_("No unmapped %s matches: every match is mapped to another one, "
                              "or create a new one below."), other_noun (self, FALSE));
  else
    note = g_strdup_printf (_("Only %s that are not mapped yet are listed."),
                            other_noun (self, TRUE));
  gtk_label_set_text (self->choices_note, note);
}

static void
choices_search_changed_cb (LsnMappingRowDialog *self)
{
  fill_choices (self);
}

static void
choice_activated_cb (LsnMappingRowDialog *self,
                     GtkListBoxRow       *row)
{
  choose (self, g_object_get_data (G_OBJECT (row), "lsn-id"));
}

static void
prefix_changed_cb (LsnMappingRowDialog *self)
{
  const char *prefix = gtk_editable_get_text (GTK_EDITABLE (self->prefix_entry));
  g_autofree char *name = lsn_mapping_editor_new_name (self->editor, self->row_id, prefix);
  g_autofree char *preview = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = lsn_mapping_editor_check_new_name (self->editor, self->row_id, prefix, &error);

  /* Translators: the first %s is a name, the second a system (ConnectWise) */
  preview = g_strdup_printf (_("Creates “%s” in %s when you save"), name, other_label (self));
  gtk_label_set_text (self->preview_label, preview);
  show_problem (self, ok ? NULL : error->message);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), ok);
}

static void
create_clicked_cb (LsnMappingRowDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (!lsn_mapping_editor_create (self->editor, self->row_id,
                                  gtk_editable_get_text (GTK_EDITABLE (self->prefix_entry)), &error))
    {
      show_problem (self, error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
remove_clicked_cb (LsnMappingRowDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (!lsn_mapping_editor_unmap (self->editor, self->row_id, &error))
    {
      show_problem (self, error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
lsn_mapping_row_dialog_finalize (GObject *object)
{
  LsnMappingRowDialog *self = (LsnMappingRowDialog *)object;

  g_clear_object (&self->editor);
  g_free (self->row_id);

  G_OBJECT_CLASS (lsn_mapping_row_dialog_parent_class)->finalize (object);
}

static void
lsn_mapping_row_dialog_class_init (LsnMappingRowDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lsn_mapping_row_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-mapping-row-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, current_label);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, choices_search);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, choices_list);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, choices_note);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, prefix_entry);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, create_box);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, preview_label);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingRowDialog, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, choices_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choice_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, prefix_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
}

static void
lsn_mapping_row_dialog_init (LsnMappingRowDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->prefix_entry),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->problem_label, NULL,
                                  -1);
}

/**
 * lsn_mapping_row_dialog_new:
 * @parent: (nullable): the window
 * @editor: the editor the change goes to
 * @row_id: the row to edit
 *
 * Returns: (transfer none): the dialog
 */
GtkWidget *
lsn_mapping_row_dialog_new (GtkWindow        *parent,
                            LsnMappingEditor *editor,
                            const char       *row_id)
{
  LsnMappingRowDialog *self = g_object_new (LSN_TYPE_MAPPING_ROW_DIALOG,
                                            "transient-for", parent, NULL);
  LsnMappingRow *row = lsn_mapping_editor_find_row (editor, row_id);
  g_autofree char *title = NULL;
  g_autofree char *current = NULL;
  g_autofree char *search = NULL;
  g_autofree char *list = NULL;
  g_autofree char *create = NULL;

  self->editor = g_object_ref (editor);
  self->row_id = g_strdup (row_id);

  /* Translators: %s is a client's name */
  title = g_strdup_printf (_("Map “%s”"), lsn_mapping_row_get_name (row));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  if (lsn_mapping_row_get_other_id (row) != NULL)
    /* Translators: %s is the name of the mapped record */
    current = g_strdup_printf (_("Mapped to “%s”. Choose another one, or remove the mapping."),
                               lsn_mapping_row_get_other_name (row));
  else if (lsn_mapping_editor_get_create_refusal (self->editor) != NULL)
    current = g_strdup_printf (_("Not mapped. Choose a %s."), other_noun (self, FALSE));
  else
    current = g_strdup_printf (_("Not mapped. Choose a %s, or create a new one."),
                               other_noun (self, FALSE));
  gtk_label_set_text (self->current_label, current);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button),
                          lsn_mapping_row_get_other_id (row) != NULL);

  /* Translators: %s is a system (ConnectWise) */
  search = g_strdup_printf (_("Search %s %s"), other_label (self), other_noun (self, TRUE));
  list = g_strdup_printf (_("Unmapped %s %s"), other_label (self), other_noun (self, TRUE));
  create = g_strdup_printf (_("_Create New in %s"), other_label (self));
  g_object_set (self->choices_search, "placeholder-text", search, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->choices_search),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, search, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->choices_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, list, -1);
  gtk_button_set_label (self->create_button, create);
  gtk_button_set_use_underline (self->create_button, TRUE);

  /* a billing feed creates no HaloPSA clients, and licences only by Apply */
  gtk_widget_set_visible (self->create_box,
                          lsn_mapping_editor_get_create_refusal (editor) == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_label),
                          lsn_mapping_editor_get_create_refusal (editor) == NULL);

  fill_choices (self);
  if (lsn_mapping_editor_get_create_refusal (editor) == NULL)
    prefix_changed_cb (self);
  return GTK_WIDGET (self);
}
