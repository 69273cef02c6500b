/* lsn-engine-fixture.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A profile joining the in-process sandbox's HaloPSA (left) and ConnectWise (right), a store in a
 * temporary directory, and helpers to run syncs and to change records "from outside".
 */

#pragma once

#include "lsn-connector.h"
#include "lsn-profile.h"
#include "lsn-sandbox.h"
#include "lsn-store.h"
#include "lsn-sync-job.h"

typedef struct
{
  char         *dir;
  char         *db_path;
  LsnSandbox   *sandbox;
  LsnStore     *store;
  LsnProfile   *profile;
  JsonObject   *ready;        /* the sandbox's ready line */
  LsnConnector *outside[2];   /* for changes made "by someone else" */
} EngineFixture;

extern guint engine_fixture_timeout_seconds;

void        engine_fixture_init       (EngineFixture           *f,
                                       const LsnSandboxOptions *options,
                                       const char              *kinds_json,
                                       const char              *extra_json);
void        engine_fixture_clear      (EngineFixture           *f);
void        engine_fixture_set_kinds  (EngineFixture           *f,
                                       const char              *kinds_json,
                                       const char              *extra_json);
char       *engine_fixture_profile_json (EngineFixture         *f,
                                         const char            *kinds_json,
                                         const char            *extra_json);
LsnSyncJob *engine_fixture_sync       (EngineFixture           *f,
                                       gboolean                 dry_run,
                                       gboolean                 confirmed,
                                       GError                 **error);
LsnSyncJob *engine_fixture_sync_ok    (EngineFixture           *f);
GPtrArray  *engine_fixture_list       (EngineFixture           *f,
                                       LsnSide                  side,
                                       const char              *kind);
LsnRecord  *engine_fixture_find       (EngineFixture           *f,
                                       LsnSide                  side,
                                       const char              *kind,
                                       const char              *id);
void        engine_fixture_update     (EngineFixture           *f,
                                       LsnSide                  side,
                                       const char              *kind,
                                       const char              *id,
                                       const char              *fields_json);
guint64     engine_fixture_writes     (EngineFixture           *f,
                                       const char              *server);
void        engine_fixture_configure  (EngineFixture           *f,
                                       const char              *server,
                                       const char              *json);
GPtrArray  *engine_fixture_links      (EngineFixture           *f,
                                       const char              *kind);
gint64      engine_fixture_count      (EngineFixture           *f,
                                       const char              *sql);
const char *engine_fixture_linked_id  (GPtrArray               *links,
                                       LsnSide                  side,
                                       const char              *id);
