/* lsn-test-util.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "lsn-test-util.h"

/**
 * lsn_test_init:
 *
 * g_test_init() with the home, data, config, cache and state directories of the test isolated
 * from the person's own. Normally per test case (%G_TEST_OPTION_ISOLATE_DIRS). Under
 * AddressSanitizer once per process instead: GLib 2.74 leaks the strings of every per-case
 * isolation, and since GLib is built without frame pointers those leaks cannot be told apart
 * from ours by a suppression.
 */
void
lsn_test_init (int    *argc,
               char ***argv)
{
#if defined(__SANITIZE_ADDRESS__)
  static const char * const vars[] = {
    "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"
  };
  g_autofree char *base = g_dir_make_tmp ("lsn-test-home-XXXXXX", NULL);

  g_assert_nonnull (base);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_autofree char *dir = g_build_filename (base, vars[i], NULL);
      g_mkdir_with_parents (dir, 0700);
      g_setenv (vars[i], dir, TRUE);
    }
  g_test_init (argc, argv, NULL);
#else
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#endif

  /* The system's MIME database, whatever the isolation: between test cases GLib points the
   * XDG directories at /dev/null, and a GTK worker that loads an icon (a spinner's SVG) then
   * cannot tell SVG from text. */
  {
    static const char * const mime_dirs[] = { "/usr/local/share/mime", "/usr/share/mime", NULL };
    g_content_type_set_mime_dirs (mime_dirs);
  }
}

/**
 * lsn_test_tmpdir:
 *
 * Returns: (transfer full): a new empty directory under the test's isolated tmp dir
 */
char *
lsn_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lsn-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/**
 * lsn_test_start_sandbox:
 * @options: (nullable): options, or %NULL for the defaults
 *
 * Returns: (transfer full): a started in-process sandbox on 127.0.0.1
 */
LsnSandbox *
lsn_test_start_sandbox (const LsnSandboxOptions *options)
{
  g_autoptr(GError) error = NULL;
  LsnSandbox *sandbox = lsn_sandbox_new (options);

  lsn_sandbox_start (sandbox, &error);
  g_assert_no_error (error);
  return sandbox;
}

/**
 * lsn_test_file_contains:
 *
 * Returns: %TRUE when the bytes @needle occur anywhere in the file at @path
 */
gboolean
lsn_test_file_contains (const char *path,
                        const char *needle,
                        gsize       needle_len)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;

  return needle_len <= len && memmem (contents, len, needle, needle_len) != NULL;
}
