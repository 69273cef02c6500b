/* lsn-sandbox-cw-seed.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-sandbox-cw-store.h"

G_BEGIN_DECLS

void lsn_cw_seed (LsnCwStore *store,
                  GPtrArray  *companies,
                  guint64     seed);

G_END_DECLS
