/* lsn-test-util.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "lsn-sandbox.h"

G_BEGIN_DECLS

void        lsn_test_init            (int         *argc,
                                      char      ***argv);
char       *lsn_test_tmpdir          (void);
LsnSandbox *lsn_test_start_sandbox   (const LsnSandboxOptions *options);
gboolean    lsn_test_file_contains   (const char *path,
                                      const char *needle,
                                      gsize       needle_len);

G_END_DECLS
