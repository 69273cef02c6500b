/* lsn-plan.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "lsn-profile-config.h"
#include "lsn-record.h"

G_BEGIN_DECLS

typedef enum
{
  LSN_ACTION_CREATE,   /* write a new record on the target side */
  LSN_ACTION_UPDATE,   /* write changed fields to the linked record */
  LSN_ACTION_ARCHIVE,  /* mark the linked record inactive: its partner was deleted */
  LSN_ACTION_LINK,     /* record a pair as the same (saved mapping, reference, accepted name) */
  LSN_ACTION_REFRESH,  /* remember what both sides hold now; nothing is sent */
  LSN_ACTION_HOLD,     /* a possible match: wait for a person */
  LSN_ACTION_SKIP,     /* nothing to do, for a reason worth recording */
  LSN_ACTION_DELETED,  /* the record was deleted on its side: reported */
  LSN_ACTION_DELETE,   /* delete the target record (licences whose quantity went to 0) */
} LsnActionType;

/**
 * LsnPlanAction:
 *
 * One decision of the planner. The plan is data: it can be printed, saved and applied.
 */
typedef struct
{
  LsnActionType  type;
  char          *kind;
  LsnSide        source_side;
  LsnSide        target_side;
  char          *source_id;
  char          *target_id;
  char          *source_name;
  char          *target_name;
  char          *reason;       /* skip/hold: "echo", "quiet-window", "filtered", ... */
  char          *detail;       /* a sentence for people */
  JsonObject    *fields;       /* values to write, target canonical names; refs untranslated */
  JsonObject    *refs;         /* field → kind, for fields whose value must be translated */
  JsonArray     *changes;      /* [{field, before, after}] */
  JsonArray     *candidates;   /* hold: [{id, name, evidence}] */
  char          *source_hash;
  char          *target_hash;
  gint64         link_id;
  char          *link_origin;
} LsnPlanAction;

LsnPlanAction *lsn_plan_action_new  (LsnActionType  type,
                                     const char    *kind,
                                     LsnSide        source_side);
void           lsn_plan_action_free (LsnPlanAction *action);
const char    *lsn_action_type_to_string (LsnActionType type);
gboolean       lsn_plan_action_sends     (LsnPlanAction *action);

typedef struct
{
  char        *kind;
  GPtrArray   *actions;          /* (element-type LsnPlanAction) */
  guint        n_records;        /* records of this kind on the larger side */
  gboolean     guarded;          /* the mass-change guard stopped this kind */
  char        *guard_message;
} LsnKindPlan;

typedef struct
{
  GPtrArray   *kinds;            /* (element-type LsnKindPlan) */
} LsnPlan;

LsnPlan     *lsn_plan_new          (void);
void         lsn_plan_free         (LsnPlan      *plan);
LsnKindPlan *lsn_plan_add_kind     (LsnPlan      *plan,
                                    const char   *kind);
guint        lsn_kind_plan_count   (LsnKindPlan  *kp,
                                    LsnActionType type);
JsonNode    *lsn_plan_to_json      (LsnPlan      *plan);
char        *lsn_plan_to_text      (LsnPlan      *plan,
                                    gboolean      verbose);
void         lsn_plan_action_append_text (LsnPlanAction *a,
                                          GString       *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnPlanAction, lsn_plan_action_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnPlan, lsn_plan_free)

G_END_DECLS
