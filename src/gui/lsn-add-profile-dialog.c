/* lsn-add-profile-dialog.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "lsn-add-profile-dialog.h"

#define MAX_NAME_CHARS 200

/* In the order of the combo rows' models. */
static const char * const connectors[] = { "halopsa", "connectwise" };

/* In the order of the kind row's model. */
enum {
  PROFILE_KIND_PSAS,
  PROFILE_KIND_FEED,
};

/**
 * LsnAddProfileDialog:
 *
 * Asks for the name of a new profile and the two systems it joins. "Add" stays disabled, with the
 * reason under the rows, while the name is empty, too long or taken, or both sides are the same
 * system. The new profile's settings name the connectors, give each connection an id (the key of
 * its secret) and sync nothing yet: the Connections and Sync pages take it from there.
 *
 * The other profile kind, "Distributor feed → HaloPSA", joins a distributor's invoice (left) to
 * HaloPSA's software licences (right) and syncs licences from left to right.
 *
 * GTK 4.8 gives a combo row no accessible action, so assistive technologies (voice control,
 * AT-SPI scripts) could not change the kind: the kind row also offers one action per kind,
 * "kind.two-psas" and "kind.feed", which GTK lists in the row's AT-SPI Action interface.
 */
struct _LsnAddProfileDialog
{
  AdwMessageDialog  parent_instance;

  /* Template children */
  AdwEntryRow      *name_row;
  AdwComboRow      *kind_row;
  AdwComboRow      *left_row;
  AdwComboRow      *right_row;
  GtkLabel         *problem_label;

  GStrv             taken_names;  /* casefolded */
};

G_DEFINE_FINAL_TYPE (LsnAddProfileDialog, lsn_add_profile_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
casefold_name (const char *name)
{
  g_autofree char *normalized = g_utf8_normalize (name, -1, G_NORMALIZE_DEFAULT);

  return g_utf8_casefold (normalized != NULL ? normalized : name, -1);
}

/**
 * lsn_add_profile_dialog_is_feed:
 *
 * Returns: whether the profile kind chosen is "Distributor feed → HaloPSA"
 */
gboolean
lsn_add_profile_dialog_is_feed (LsnAddProfileDialog *self)
{
  g_return_val_if_fail (LSN_IS_ADD_PROFILE_DIALOG (self), FALSE);

  return adw_combo_row_get_selected (self->kind_row) == PROFILE_KIND_FEED;
}

static void
changed_cb (LsnAddProfileDialog *self)
{
  g_autofree char *name = lsn_add_profile_dialog_dup_name (self);
  g_autofree char *folded = casefold_name (name);
  g_autofree char *problem = NULL;
  gboolean ok = name[0] != '\0';
  gboolean feed = lsn_add_profile_dialog_is_feed (self);

  gtk_widget_set_visible (GTK_WIDGET (self->left_row), !feed);
  gtk_widget_set_visible (GTK_WIDGET (self->right_row), !feed);

  if (g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    {
      problem = g_strdup_printf (_("The name is too long: use at most %d characters."),
                                 MAX_NAME_CHARS);
      ok = FALSE;
    }
  else if (name[0] != '\0' && self->taken_names != NULL
           && g_strv_contains ((const char * const *) self->taken_names, folded))
    {
      /* Translators: %s is a profile name */
      problem = g_strdup_printf (_("A profile called “%s” already exists. Choose another name."),
                                 name);
      ok = FALSE;
    }
  else if (!feed
           && adw_combo_row_get_selected (self->left_row) == adw_combo_row_get_selected (self->right_row))
    {
      problem = g_strdup (_("Choose two different systems."));
      ok = FALSE;
    }

  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  if (problem != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->name_row),
                                 GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                 -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_STATE_INVALID);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self),
                                           LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD, ok);
}

static void
choose_kind_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LsnAddProfileDialog *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  adw_combo_row_set_selected (self->kind_row,
                              g_str_equal (name, "feed") ? PROFILE_KIND_FEED : PROFILE_KIND_PSAS);
}

static void
lsn_add_profile_dialog_finalize (GObject *object)
{
  LsnAddProfileDialog *self = LSN_ADD_PROFILE_DIALOG (object);

  g_clear_pointer (&self->taken_names, g_strfreev);

  G_OBJECT_CLASS (lsn_add_profile_dialog_parent_class)->finalize (object);
}

static void
lsn_add_profile_dialog_class_init (LsnAddProfileDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lsn_add_profile_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-add-profile-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnAddProfileDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LsnAddProfileDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, LsnAddProfileDialog, left_row);
  gtk_widget_class_bind_template_child (widget_class, LsnAddProfileDialog, right_row);
  gtk_widget_class_bind_template_child (widget_class, LsnAddProfileDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
}

static void
lsn_add_profile_dialog_init (LsnAddProfileDialog *self)
{
  static const GActionEntry kind_entries[] = {
    { .name = "two-psas", .activate = choose_kind_cb },
    { .name = "feed", .activate = choose_kind_cb },
  };
  g_autoptr(GSimpleActionGroup) kind_actions = g_simple_action_group_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (kind_actions), kind_entries,
                                   G_N_ELEMENTS (kind_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self->kind_row), "kind", G_ACTION_GROUP (kind_actions));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->problem_label, NULL,
                                  -1);
}

/**
 * lsn_add_profile_dialog_new:
 * @parent: (nullable): the window the dialog belongs to
 * @taken_names: (nullable) (array zero-terminated=1): the names of the existing profiles
 *
 * Returns: (transfer floating): a new dialog; on %LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD read
 *   lsn_add_profile_dialog_dup_name() and lsn_add_profile_dialog_dup_settings()
 */
GtkWidget *
lsn_add_profile_dialog_new (GtkWindow          *parent,
                            const char * const *taken_names)
{
  LsnAddProfileDialog *self;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (LSN_TYPE_ADD_PROFILE_DIALOG,
                       "transient-for", parent,
                       NULL);

  for (guint i = 0; taken_names != NULL && taken_names[i] != NULL; i++)
    {
      g_autofree char *folded = casefold_name (taken_names[i]);

      g_strv_builder_add (builder, folded);
    }
  self->taken_names = g_strv_builder_end (builder);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD, _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self),
                                              LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self),
                                           LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  changed_cb (self);

  return GTK_WIDGET (self);
}

/**
 * lsn_add_profile_dialog_dup_name:
 *
 * Returns: (transfer full): the name typed, without leading or trailing white space
 */
char *
lsn_add_profile_dialog_dup_name (LsnAddProfileDialog *self)
{
  g_return_val_if_fail (LSN_IS_ADD_PROFILE_DIALOG (self), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

/**
 * lsn_add_profile_dialog_dup_settings:
 *
 * Returns: (transfer full): the new profile's settings (a profile file without name and secrets)
 */
char *
lsn_add_profile_dialog_dup_settings (LsnAddProfileDialog *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  AdwComboRow *rows[2] = { self->left_row, self->right_row };
  gboolean feed;

  g_return_val_if_fail (LSN_IS_ADD_PROFILE_DIALOG (self), NULL);

  feed = lsn_add_profile_dialog_is_feed (self);
  json_builder_begin_object (b);
  for (guint s = 0; s < 2; s++)
    {
      g_autofree char *id = g_uuid_string_random ();
      guint selected = MIN (adw_combo_row_get_selected (rows[s]), G_N_ELEMENTS (connectors) - 1);
      const char *connector = connectors[selected];

      if (feed)
        connector = s == 0 ? "feed" : "halopsa";

      json_builder_set_member_name (b, s == 0 ? "left" : "right");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "connector");
      json_builder_add_string_value (b, connector);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_object (b);
  if (feed)
    {
      json_builder_set_member_name (b, "licence");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, "left-to-right");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "schedule");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "every_minutes");
  json_builder_add_int_value (b, 15);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}
