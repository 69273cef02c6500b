/* halopsa-test-common.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-connector.h"
#include "lsn-sandbox.h"

G_BEGIN_DECLS

/* The HaloPSA side of the sandbox's ready line, as profile settings, and its client secret. */
JsonObject   *halopsa_test_settings      (LsnSandbox   *sandbox,
                                          char        **secret);
LsnConnector *halopsa_test_connector     (LsnSandbox   *sandbox,
                                          const char   *extra_json);
void          halopsa_test_configure     (LsnSandbox   *sandbox,
                                          const char   *json);

/* Every request a connector sent: "METHOD /path?name&name" (query names only). */
void          halopsa_test_record_requests (LsnConnector *connector,
                                            GPtrArray    *sink);

G_END_DECLS
