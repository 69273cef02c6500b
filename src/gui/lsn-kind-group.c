/* lsn-kind-group.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-gui-util.h"
#include "lsn-kind-group.h"

/**
 * LsnKindGroup:
 *
 * How one kind of record is synced (a group of rows, titled with the kind): direction (off, one way, both ways), mode (new records only,
 * or real-time with changes), which side wins a conflict, and the initial-import filters. Warns
 * when the kind is on without a filter: what the initial import copies cannot be undone by adding
 * filters later. Unknown keys of the kind (field mappings...) are kept.
 *
 * The rows are made in code, from the kind given at construction.
 */
struct _LsnKindGroup
{
  AdwPreferencesGroup parent_instance;

  char            *kind;
  JsonObject      *original;
  char            *left_label;
  char            *right_label;
  GtkToggleButton *direction_buttons[4];  /* off, left-to-right, right-to-left, both */
  AdwActionRow    *direction_row;
  AdwComboRow     *mode_row;
  AdwComboRow     *master_row;
  GtkStringList   *master_model;
  GtkWidget       *active_row;
  GtkSwitch       *active_switch;
  AdwEntryRow     *name_row;
  AdwActionRow    *warning_row;
  guint            loading : 1;
};

G_DEFINE_FINAL_TYPE (LsnKindGroup, lsn_kind_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const directions[] = { "off", "left-to-right", "right-to-left", "both" };
static const char * const modes[] = { "new-only", "realtime" };
static const char * const masters[] = { "left", "right", "newest" };

static guint
index_of (const char * const *names,
          guint               n_names,
          const char         *value,
          guint               fallback)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], value) == 0)
      return i;
  return fallback;
}

static guint
lsn_kind_group_get_direction (LsnKindGroup *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->direction_buttons); i++)
    if (gtk_toggle_button_get_active (self->direction_buttons[i]))
      return i;
  return 0;
}

static char *
direction_text (LsnKindGroup *self,
                guint       direction)
{
  switch (direction)
    {
    case 1:
      /* Translators: "From HaloPSA to ConnectWise Manage" */
      return g_strdup_printf (_("From %s to %s"), self->left_label, self->right_label);
    case 2:
      /* Translators: "From ConnectWise Manage to HaloPSA" */
      return g_strdup_printf (_("From %s to %s"), self->right_label, self->left_label);
    case 3:
      return g_strdup (_("Both ways"));
    case 0:
    default:
      return g_strdup (_("Not synced"));
    }
}

static gboolean
has_filter (LsnKindGroup *self)
{
  return gtk_switch_get_active (self->active_switch)
         || *gtk_editable_get_text (GTK_EDITABLE (self->name_row)) != '\0';
}

static void
lsn_kind_group_update (LsnKindGroup *self)
{
  guint direction = lsn_kind_group_get_direction (self);
  g_autofree char *text = direction_text (self, direction);
  g_autofree char *subtitle = NULL;
  gboolean on = direction != 0;

  if (on)
    {
      const char *mode = adw_combo_row_get_selected (self->mode_row) == 0
                         ? _("new records only") : _("real-time");
      /* Translators: "Both ways, real-time" */
      subtitle = g_strdup_printf (_("%s, %s"), text, mode);
    }
  else
    subtitle = g_strdup (text);

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), subtitle);
  adw_action_row_set_subtitle (self->direction_row, text);
  /* A kind that is off is one row; its other settings show once it is on. */
  gtk_widget_set_visible (GTK_WIDGET (self->mode_row), on);
  gtk_widget_set_visible (GTK_WIDGET (self->master_row), on && direction == 3);
  gtk_widget_set_visible (self->active_row, on);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), on);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_row), on && !has_filter (self));
}

static void
control_changed_cb (LsnKindGroup *self)
{
  if (self->loading)
    return;

  lsn_kind_group_update (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
direction_toggled_cb (LsnKindGroup      *self,
                      GtkToggleButton *button)
{
  /* Grouped buttons toggle twice per change: report the one that became active. */
  if (gtk_toggle_button_get_active (button))
    control_changed_cb (self);
}

static void
lsn_kind_group_finalize (GObject *object)
{
  LsnKindGroup *self = LSN_KIND_GROUP (object);

  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->original, json_object_unref);
  g_clear_pointer (&self->left_label, g_free);
  g_clear_pointer (&self->right_label, g_free);

  G_OBJECT_CLASS (lsn_kind_group_parent_class)->finalize (object);
}

static void
lsn_kind_group_class_init (LsnKindGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_kind_group_finalize;

  /**
   * LsnKindGroup::changed:
   *
   * A setting of the kind was changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lsn_kind_group_init (LsnKindGroup *self)
{
  static const char * const direction_labels[] = { N_("Off"), "→", "←", N_("Both") };
  g_autoptr(GtkStringList) mode_model = gtk_string_list_new (NULL);
  GtkWidget *box;
  GtkWidget *icon;
  GtkWidget *active_row;

  self->loading = TRUE;
  self->original = json_object_new ();
  self->left_label = g_strdup ("HaloPSA");
  self->right_label = g_strdup ("ConnectWise Manage");

  /* Direction: a row of linked toggle buttons, each with a name that says what it does. */
  self->direction_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->direction_row), _("Direction"));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (box, "linked");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  for (guint i = 0; i < G_N_ELEMENTS (self->direction_buttons); i++)
    {
      self->direction_buttons[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (
        i == 0 || i == 3 ? _(direction_labels[i]) : direction_labels[i]));
      if (i > 0)
        gtk_toggle_button_set_group (self->direction_buttons[i], self->direction_buttons[0]);
      g_signal_connect_object (self->direction_buttons[i], "toggled",
                               G_CALLBACK (direction_toggled_cb), self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->direction_buttons[i]));
    }
  gtk_toggle_button_set_active (self->direction_buttons[0], TRUE);
  adw_action_row_add_suffix (self->direction_row, box);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->direction_row));

  gtk_string_list_append (mode_model, _("New records only"));
  gtk_string_list_append (mode_model, _("Real-time (changes too)"));
  self->mode_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->mode_row), _("Mode"));
  adw_combo_row_set_model (self->mode_row, G_LIST_MODEL (mode_model));
  adw_combo_row_set_selected (self->mode_row, 1);
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (control_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->mode_row));

  self->master_model = gtk_string_list_new (NULL);
  self->master_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->master_row), _("When both changed"));
  adw_combo_row_set_model (self->master_row, G_LIST_MODEL (self->master_model));
  g_signal_connect_object (self->master_row, "notify::selected", G_CALLBACK (control_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->master_row));

  active_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (active_row), _("Active records only"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (active_row),
                               _("Filter: leave inactive records out of the initial import"));
  self->active_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->active_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->active_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Active records only"),
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (active_row), GTK_WIDGET (self->active_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (active_row), GTK_WIDGET (self->active_switch));
  g_signal_connect_object (self->active_switch, "notify::active", G_CALLBACK (control_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), active_row);
  self->active_row = active_row;

  self->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row),
                                 _("Filter: name contains"));
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (control_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->name_row));

  self->warning_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->warning_row),
                                 _("No filter: the initial import copies every record"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->warning_row),
                               _("What it copies cannot be undone by adding filters later. "
                                 "Preview the plan before the first sync."));
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (self->warning_row, icon);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->warning_row));

  self->loading = FALSE;
}

/**
 * lsn_kind_group_new:
 * @kind: a kind, such as "client"
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
lsn_kind_group_new (const char *kind)
{
  LsnKindGroup *self = g_object_new (LSN_TYPE_KIND_GROUP, NULL);

  self->kind = g_strdup (kind);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), lsn_gui_kind_label (kind));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, lsn_gui_kind_label (kind),
                                  -1);
  lsn_kind_group_update (self);

  return GTK_WIDGET (self);
}

const char *
lsn_kind_group_get_kind (LsnKindGroup *self)
{
  g_return_val_if_fail (LSN_IS_KIND_GROUP (self), NULL);

  return self->kind;
}

/**
 * lsn_kind_group_set_config:
 * @self: a #LsnKindGroup
 * @config: (nullable): the kind's object of the profile file ("kinds"."client"), copied
 * @left_label: the left system, for the direction names
 * @right_label: the right system
 */
void
lsn_kind_group_set_config (LsnKindGroup *self,
                         JsonObject *config,
                         const char *left_label,
                         const char *right_label)
{
  JsonNode *filters_node;
  JsonObject *filters = NULL;
  const char *value;
  guint direction;

  g_return_if_fail (LSN_IS_KIND_GROUP (self));

  self->loading = TRUE;

  g_clear_pointer (&self->original, json_object_unref);
  self->original = config != NULL ? lsn_gui_copy_object (config) : json_object_new ();
  g_free (self->left_label);
  self->left_label = g_strdup (left_label);
  g_free (self->right_label);
  self->right_label = g_strdup (right_label);

  for (guint i = 1; i < G_N_ELEMENTS (self->direction_buttons); i++)
    {
      g_autofree char *name = direction_text (self, i);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->direction_buttons[i]), name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->direction_buttons[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->direction_buttons[0]),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not synced"),
                                  -1);

  direction = index_of (directions, G_N_ELEMENTS (directions),
                        json_object_get_string_member_with_default (self->original, "direction", "off"),
                        0);
  gtk_toggle_button_set_active (self->direction_buttons[direction], TRUE);

  adw_combo_row_set_selected (self->mode_row,
                              index_of (modes, G_N_ELEMENTS (modes),
                                        json_object_get_string_member_with_default (self->original, "mode", "realtime"),
                                        1));

  gtk_string_list_splice (self->master_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->master_model)), NULL);
  {
    g_autofree char *left_wins = g_strdup_printf (_("%s wins"), left_label);
    g_autofree char *right_wins = g_strdup_printf (_("%s wins"), right_label);

    gtk_string_list_append (self->master_model, left_wins);
    gtk_string_list_append (self->master_model, right_wins);
    gtk_string_list_append (self->master_model, _("The newest change wins"));
  }
  adw_combo_row_set_selected (self->master_row,
                              index_of (masters, G_N_ELEMENTS (masters),
                                        json_object_get_string_member_with_default (self->original, "master", "newest"),
                                        2));

  filters_node = json_object_get_member (self->original, "filters");
  if (filters_node != NULL && JSON_NODE_HOLDS_OBJECT (filters_node))
    filters = json_node_get_object (filters_node);
  gtk_switch_set_active (self->active_switch,
                         filters != NULL
                         && json_object_get_boolean_member_with_default (filters, "active_only", FALSE));
  value = filters != NULL ? json_object_get_string_member_with_default (filters, "name_contains", "") : "";
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), value);

  self->loading = FALSE;
  lsn_kind_group_update (self);
}

/**
 * lsn_kind_group_dup_config:
 *
 * Returns: (transfer full): the kind's object of the profile file, as set
 */
JsonObject *
lsn_kind_group_dup_config (LsnKindGroup *self)
{
  JsonObject *config;
  JsonObject *filters;
  const char *name;

  g_return_val_if_fail (LSN_IS_KIND_GROUP (self), NULL);

  config = lsn_gui_copy_object (self->original);
  json_object_set_string_member (config, "direction", directions[lsn_kind_group_get_direction (self)]);
  json_object_set_string_member (config, "mode",
                                 modes[MIN (adw_combo_row_get_selected (self->mode_row), 1)]);
  json_object_set_string_member (config, "master",
                                 masters[MIN (adw_combo_row_get_selected (self->master_row), 2)]);

  filters = lsn_gui_object_member (config, "filters");
  json_object_set_boolean_member (filters, "active_only", gtk_switch_get_active (self->active_switch));
  name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  if (*name != '\0')
    json_object_set_string_member (filters, "name_contains", name);
  else
    json_object_remove_member (filters, "name_contains");

  return config;
}

/**
 * lsn_kind_group_is_enabled:
 *
 * Returns: whether the kind is synced in some direction
 */
gboolean
lsn_kind_group_is_enabled (LsnKindGroup *self)
{
  g_return_val_if_fail (LSN_IS_KIND_GROUP (self), FALSE);

  return lsn_kind_group_get_direction (self) != 0;
}
