/* lsn-profile-io.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "lsn-plan.h"
#include "lsn-profile.h"
#include "lsn-store.h"

G_BEGIN_DECLS

LsnProfile *lsn_profile_import          (LsnStore     *store,
                                         const char   *json,
                                         const char   *fallback_name,
                                         gboolean      replace,
                                         GError      **error);
char       *lsn_profile_export          (LsnProfile   *profile,
                                         GError      **error);
GPtrArray  *lsn_profile_list_matches    (LsnStore     *store,
                                         LsnProfile   *profile,
                                         const char   *kind,
                                         GError      **error);
gboolean    lsn_plan_action_is_confident (LsnPlanAction *hold,
                                          GPtrArray     *all_holds);
gboolean    lsn_profile_decide_match    (LsnStore     *store,
                                         LsnProfile   *profile,
                                         const char   *kind,
                                         const char   *left_id,
                                         const char   *right_id,
                                         gboolean      accept,
                                         GError      **error);

G_END_DECLS
