/* main.c: liaison
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-application.h"

/* Run from the build directory (without meson install), find the compiled schema there. This
 * must happen before anything reads GSettings: the schema source is looked up only once. */
static void
use_build_schemas_when_uninstalled (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *compiled = NULL;

  if (g_getenv ("GSETTINGS_SCHEMA_DIR") != NULL)
    return;

  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL || !g_str_has_prefix (exe, BUILD_DIR G_DIR_SEPARATOR_S))
    return;

  compiled = g_build_filename (BUILD_DATADIR, "gschemas.compiled", NULL);
  if (g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    g_setenv ("GSETTINGS_SCHEMA_DIR", BUILD_DATADIR, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LsnApplication) app = NULL;
  int status;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  use_build_schemas_when_uninstalled ();

  app = lsn_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  if (status == 0)
    status = lsn_application_get_exit_status (app);

  return status;
}
