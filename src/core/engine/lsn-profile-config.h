/* lsn-profile-config.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  LSN_DIRECTION_OFF,
  LSN_DIRECTION_LEFT_TO_RIGHT,
  LSN_DIRECTION_RIGHT_TO_LEFT,
  LSN_DIRECTION_BOTH,
} LsnDirection;

typedef enum
{
  LSN_MODE_NEW_ONLY,
  LSN_MODE_REALTIME,
} LsnMode;

typedef enum
{
  LSN_MASTER_LEFT,
  LSN_MASTER_RIGHT,
  LSN_MASTER_NEWEST,
} LsnMaster;

typedef enum
{
  LSN_SIDE_LEFT,
  LSN_SIDE_RIGHT,
} LsnSide;

#define LSN_SIDE_OTHER(s) ((s) == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT)

/**
 * LsnFieldMap:
 * @left: the canonical field on the left side
 * @right: the canonical field on the right side
 * @reference_kind: (nullable): when the field holds the id of a record of this kind (a site's
 *   client), it is translated through the links of that kind
 */
typedef struct
{
  char         *left;
  char         *right;
  char         *reference_kind;
  LsnDirection  direction;
} LsnFieldMap;

typedef struct
{
  char         *kind;
  LsnDirection  direction;
  LsnMode       mode;
  LsnMaster     master;
  gboolean      active_only;
  char         *name_contains;
  char         *type_filter;
  char         *toplevel_filter;
  gboolean      auto_accept_exact;
  gboolean      archive_deleted;
  GPtrArray    *fields;          /* (element-type LsnFieldMap) */
  gboolean      fields_default;  /* no "fields" in the profile: the defaults, narrowed by the
                                  * engine to what both connectors have */
} LsnKindConfig;

typedef struct
{
  char         *name;
  JsonObject   *root;            /* (owned) the whole profile file, without secrets */
  JsonObject   *left;            /* (unowned) root.left */
  JsonObject   *right;           /* (unowned) root.right */
  GPtrArray    *kinds;           /* (element-type LsnKindConfig) in sync order */
  guint         every_minutes;
  guint         full_every_hours;
  guint         quiet_seconds;
  double        guard_share;
  guint         guard_min;
} LsnProfileConfig;

LsnProfileConfig *lsn_profile_config_parse         (const char        *json,
                                                    GError           **error);
LsnProfileConfig *lsn_profile_config_parse_object  (JsonObject        *root,
                                                    GError           **error);
void              lsn_profile_config_free          (LsnProfileConfig  *self);
LsnKindConfig    *lsn_profile_config_get_kind      (LsnProfileConfig  *self,
                                                    const char        *kind);
JsonObject       *lsn_profile_config_get_side      (LsnProfileConfig  *self,
                                                    LsnSide            side);
char             *lsn_profile_config_to_json       (LsnProfileConfig  *self);

const char       *lsn_side_to_string               (LsnSide            side);
const char       *lsn_direction_to_string          (LsnDirection       direction);
const char       *lsn_mode_to_string               (LsnMode            mode);
const char       *lsn_master_to_string             (LsnMaster          master);
gboolean          lsn_direction_allows             (LsnDirection       direction,
                                                    LsnSide            from);
const char       *lsn_connector_secret_key         (const char        *connector);
const char * const *lsn_kind_default_fields        (const char        *kind);
const char       *lsn_kind_reference_of            (const char        *kind,
                                                    const char        *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnProfileConfig, lsn_profile_config_free)

G_END_DECLS
