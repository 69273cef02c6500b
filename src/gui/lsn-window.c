/* lsn-window.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-window"

#include "config.h"

#include "lsn-window.h"

struct _LsnWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (LsnWindow, lsn_window, ADW_TYPE_APPLICATION_WINDOW)

static void
lsn_window_class_init (LsnWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-window.ui");
}

static void
lsn_window_init (LsnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LsnWindow *
lsn_window_new (LsnApplication *application)
{
  return g_object_new (LSN_TYPE_WINDOW, "application", application, NULL);
}
