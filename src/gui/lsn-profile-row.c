/* lsn-profile-row.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-profile-row"

#include "config.h"

#include "lsn-profile-row.h"

/**
 * LsnProfileRow:
 *
 * A row of the sidebar: the name of one profile. Profiles are immutable, so a rename gives a new
 * row (the window rebuilds the list from the store).
 */
struct _LsnProfileRow
{
  GtkListBoxRow  parent_instance;

  GtkLabel      *name_label;

  LsnProfile    *profile;
};

G_DEFINE_FINAL_TYPE (LsnProfileRow, lsn_profile_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_PROFILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lsn_profile_row_set_profile (LsnProfileRow *self,
                             LsnProfile    *profile)
{
  const char *name;

  g_assert (LSN_IS_PROFILE_ROW (self));
  g_assert (LSN_IS_PROFILE (profile));

  g_set_object (&self->profile, profile);

  name = lsn_profile_get_name (profile);
  gtk_label_set_label (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

static void
lsn_profile_row_dispose (GObject *object)
{
  LsnProfileRow *self = (LsnProfileRow *)object;

  g_clear_object (&self->profile);

  G_OBJECT_CLASS (lsn_profile_row_parent_class)->dispose (object);
}

static void
lsn_profile_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LsnProfileRow *self = LSN_PROFILE_ROW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_profile_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LsnProfileRow *self = LSN_PROFILE_ROW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      lsn_profile_row_set_profile (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_profile_row_class_init (LsnProfileRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_profile_row_dispose;
  object_class->get_property = lsn_profile_row_get_property;
  object_class->set_property = lsn_profile_row_set_property;

  /**
   * LsnProfileRow:profile:
   *
   * The profile shown by the row.
   */
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL,
                         LSN_TYPE_PROFILE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-profile-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnProfileRow, name_label);
}

static void
lsn_profile_row_init (LsnProfileRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * lsn_profile_row_new:
 * @profile: the profile to show
 *
 * Returns: (transfer floating): a new #LsnProfileRow
 */
GtkWidget *
lsn_profile_row_new (LsnProfile *profile)
{
  g_return_val_if_fail (LSN_IS_PROFILE (profile), NULL);

  return g_object_new (LSN_TYPE_PROFILE_ROW, "profile", profile, NULL);
}

/**
 * lsn_profile_row_get_profile:
 * @self: a #LsnProfileRow
 *
 * Returns: (transfer none): the profile shown by the row
 */
LsnProfile *
lsn_profile_row_get_profile (LsnProfileRow *self)
{
  g_return_val_if_fail (LSN_IS_PROFILE_ROW (self), NULL);

  return self->profile;
}
