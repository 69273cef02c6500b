/* lsn-application.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-application"

#include "config.h"

#include "lsn-application.h"
#include "lsn-window.h"

struct _LsnApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LsnApplication, lsn_application, ADW_TYPE_APPLICATION)

static void
lsn_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (lsn_window_new (LSN_APPLICATION (app)));

  gtk_window_present (window);
}

static void
lsn_application_class_init (LsnApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = lsn_application_activate;
}

static void
lsn_application_init (LsnApplication *self)
{
}

LsnApplication *
lsn_application_new (void)
{
  return g_object_new (LSN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
