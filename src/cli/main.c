/* main.c: liaisonctl
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaisonctl"

#include "config.h"

#include <stdio.h>
#include <glib.h>

int
main (int   argc,
      char *argv[])
{
  g_print ("liaisonctl %s\n", PACKAGE_VERSION);
  return 0;
}
