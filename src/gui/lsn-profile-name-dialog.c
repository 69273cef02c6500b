/* lsn-profile-name-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-profile-name-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-profile-name-dialog.h"

/* Longer names are refused here rather than ellipsized everywhere. */
#define MAX_NAME_CHARS 200

/**
 * LsnProfileNameDialog:
 *
 * Asks for the name of a new profile, or a new name for one. The accept response stays
 * disabled, with the reason shown under the entry, while the name is empty, unchanged, too long
 * or taken by another profile, so most mistakes never reach the store.
 */
struct _LsnProfileNameDialog
{
  AdwMessageDialog   parent_instance;

  AdwEntryRow       *name_row;
  GtkLabel          *problem_label;

  char              *current_name; /* (nullable): the name being changed */
  GStrv              taken_names;  /* casefolded names of the other profiles */
};

G_DEFINE_FINAL_TYPE (LsnProfileNameDialog, lsn_profile_name_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
casefold_name (const char *name)
{
  g_autofree char *normalized = g_utf8_normalize (name, -1, G_NORMALIZE_DEFAULT);

  return g_utf8_casefold (normalized != NULL ? normalized : name, -1);
}

static void
lsn_profile_name_dialog_set_problem (LsnProfileNameDialog *self,
                                     const char           *problem)
{
  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);

  if (problem != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->name_row),
                                 GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                 -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_STATE_INVALID);
}

static void
name_row_changed_cb (LsnProfileNameDialog *self,
                     GtkEditable          *editable)
{
  g_autofree char *name = lsn_profile_name_dialog_dup_name (self);
  g_autofree char *folded = NULL;
  g_autofree char *problem = NULL;
  gboolean ok = FALSE;

  /* An empty or unchanged name gets no complaint, only a disabled button. */
  if (g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    problem = g_strdup_printf (_("The name is too long: use at most %d characters."),
                               MAX_NAME_CHARS);
  else if (name[0] != '\0'
           && (self->current_name == NULL || !g_str_equal (name, self->current_name)))
    {
      ok = TRUE;
      folded = casefold_name (name);

      for (guint i = 0; self->taken_names != NULL && self->taken_names[i] != NULL; i++)
        {
          if (g_str_equal (folded, self->taken_names[i]))
            {
              /* Translators: %s is a profile name */
              problem = g_strdup_printf (_("A profile called “%s” already exists. Choose another name."),
                                         name);
              ok = FALSE;
              break;
            }
        }
    }

  lsn_profile_name_dialog_set_problem (self, problem);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self),
                                           LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT, ok);
}

static void
lsn_profile_name_dialog_finalize (GObject *object)
{
  LsnProfileNameDialog *self = (LsnProfileNameDialog *)object;

  g_clear_pointer (&self->current_name, g_free);
  g_clear_pointer (&self->taken_names, g_strfreev);

  G_OBJECT_CLASS (lsn_profile_name_dialog_parent_class)->finalize (object);
}

static void
lsn_profile_name_dialog_class_init (LsnProfileNameDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lsn_profile_name_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-profile-name-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnProfileNameDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LsnProfileNameDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, name_row_changed_cb);
}

static void
lsn_profile_name_dialog_init (LsnProfileNameDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->problem_label, NULL,
                                  -1);
}

/**
 * lsn_profile_name_dialog_new:
 * @parent: (nullable): the window the dialog belongs to
 * @heading: the dialog's heading, e.g. "New Profile"
 * @accept_label: the label of the accepting button, with a mnemonic, e.g. "_Add"
 * @current_name: (nullable): the name being changed, shown for editing
 * @taken_names: (nullable) (array zero-terminated=1): the names of the other profiles
 *
 * Returns: (transfer floating): a new dialog; connect to #AdwMessageDialog::response and read
 *   the name with lsn_profile_name_dialog_dup_name() on %LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT
 */
GtkWidget *
lsn_profile_name_dialog_new (GtkWindow          *parent,
                             const char         *heading,
                             const char         *accept_label,
                             const char         *current_name,
                             const char * const *taken_names)
{
  LsnProfileNameDialog *self;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (heading != NULL, NULL);
  g_return_val_if_fail (accept_label != NULL, NULL);

  self = g_object_new (LSN_TYPE_PROFILE_NAME_DIALOG,
                       "transient-for", parent,
                       "heading", heading,
                       NULL);

  self->current_name = g_strdup (current_name);
  for (guint i = 0; taken_names != NULL && taken_names[i] != NULL; i++)
    {
      if (current_name == NULL || !g_str_equal (taken_names[i], current_name))
        {
          g_autofree char *folded = casefold_name (taken_names[i]);

          g_strv_builder_add (builder, folded);
        }
    }
  self->taken_names = g_strv_builder_end (builder);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT, accept_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self),
                                              LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self),
                                           LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  if (current_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), current_name);

  /* Sets the accept response's sensitivity for the initial text. */
  name_row_changed_cb (self, GTK_EDITABLE (self->name_row));

  return GTK_WIDGET (self);
}

/**
 * lsn_profile_name_dialog_dup_name:
 * @self: a #LsnProfileNameDialog
 *
 * Returns: (transfer full): the name typed, without leading or trailing white space
 */
char *
lsn_profile_name_dialog_dup_name (LsnProfileNameDialog *self)
{
  g_return_val_if_fail (LSN_IS_PROFILE_NAME_DIALOG (self), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}
