/* licence-job-child.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "lsn-licence-job.h"

/* Runs one licence sync, as `liaisonctl sync` would, in a process of its own: the kill test
 * (test-licence-faults) SIGKILLs it in the middle of its writes.
 *
 * licence-job-child DATABASE PROFILE */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DATABASE PROFILE\n", argv[0]);
      return 2;
    }

  store = lsn_store_open (argv[1], &error);
  if (store != NULL)
    profile = lsn_store_find_profile (store, argv[2], &error);
  if (profile == NULL)
    {
      fprintf (stderr, "%s\n", error ? error->message : "no such profile");
      return 2;
    }

  job = lsn_licence_job_new (store, profile, "cli");
  if (!lsn_licence_job_run (job, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("%s\n", lsn_licence_job_get_outcome (job));
  lsn_store_close (store);
  return 0;
}
