/* lsn-activity-fixture.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A store in a temporary directory with one profile and many audit events, for the audit model's
 * tests and benchmark.
 */

#pragma once

#include "lsn-store.h"

typedef struct
{
  char     *dir;
  LsnStore *store;
  gint64    profile_id;
  gint64    run_ids[4];
  gint64    t0;          /* time of the oldest event */
} ActivityFixture;

void   activity_fixture_init   (ActivityFixture *f,
                                guint            n_events);
void   activity_fixture_clear  (ActivityFixture *f);
gint64 activity_fixture_count  (ActivityFixture *f,
                                const char      *sql);
void   activity_fixture_wait   (gpointer         model);
