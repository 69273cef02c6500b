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
