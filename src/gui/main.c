/* main.c: liaison
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "lsn-application.h"

/* Whether this is build/src/gui/liaison, run without meson install. */
static gboolean
running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, BUILD_DIR G_DIR_SEPARATOR_S);
}

/* Run from the build directory, find the compiled schema and the translations there. The schema
 * must be set up before anything reads GSettings: the schema source is looked up only once. */
static void
use_build_directory (void)
{
  g_autofree char *compiled = g_build_filename (BUILD_DATADIR, "gschemas.compiled", NULL);
  g_autofree char *locale_dir = g_build_filename (BUILD_DIR, "po", NULL);

  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL
      && g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    g_setenv ("GSETTINGS_SCHEMA_DIR", BUILD_DATADIR, TRUE);

  if (g_file_test (locale_dir, G_FILE_TEST_IS_DIR))
    bindtextdomain (GETTEXT_PACKAGE, locale_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LsnApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (running_uninstalled ())
    use_build_directory ();

  app = lsn_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  if (status == 0)
    status = lsn_application_get_exit_status (app);

  return status;
}
