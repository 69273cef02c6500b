/* licence-fixture.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-connector.h"
#include "lsn-profile.h"
#include "lsn-store.h"
#include "lsn-sync-store.h"
#include "lsn-test-util.h"

G_BEGIN_DECLS

/* The environment variable the test profiles read the HaloPSA secret from. */
#define LICENCE_FIXTURE_SECRET_ENV "LSN_TEST_HALO_SECRET"

/**
 * LicenceFixture:
 *
 * An in-process sandbox, a fresh database, and what the sandbox's own invoice says about the
 * four customers it sets up for the hard cases (k0..k3, see lsn-sandbox-halo-store.c).
 */
typedef struct
{
  LsnSandbox  *sandbox;
  char        *tmpdir;
  LsnStore    *store;
  JsonObject  *halo;            /* the ready line's "halopsa" object */
  char        *invoice_url;
  char        *invoice;         /* the sandbox's invoice, as served */
  char        *customers[4];    /* k0..k3: names */
  char        *client_ids[4];   /* their HaloPSA client ids */
  char        *unknown_customer;
} LicenceFixture;

void          licence_fixture_init          (LicenceFixture          *f,
                                             const LsnSandboxOptions *options);
void          licence_fixture_clear         (LicenceFixture          *f);
char         *licence_fixture_profile_json  (LicenceFixture          *f,
                                             const char              *source,
                                             const char              *extra_members);
LsnProfile   *licence_fixture_add_profile   (LicenceFixture          *f,
                                             const char              *name,
                                             const char              *json);
LsnConnector *licence_fixture_halo          (LicenceFixture          *f);
char         *licence_fixture_write_file    (LicenceFixture          *f,
                                             const char              *name,
                                             const char              *contents);
void          licence_fixture_configure     (LicenceFixture          *f,
                                             const char              *json);
JsonObject   *licence_fixture_stats         (LicenceFixture          *f);
guint         licence_fixture_route_count   (JsonObject              *stats,
                                             const char              *route);
guint         licence_fixture_licence_posts (LicenceFixture          *f);
guint         licence_fixture_licence_deletes (LicenceFixture        *f);
GPtrArray    *licence_fixture_list          (LicenceFixture          *f,
                                             const char              *kind);
GPtrArray    *licence_fixture_events        (LicenceFixture          *f,
                                             gint64                   run_id);
LsnAuditEvent *licence_fixture_find_event   (GPtrArray               *events,
                                             const char              *action,
                                             const char              *outcome,
                                             const char              *words);
char         *licence_fixture_csv_field     (const char              *value);

G_END_DECLS
