/* lsn-planner.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-plan.h"
#include "lsn-sync-store.h"

G_BEGIN_DECLS

/**
 * LsnTranslateFunc:
 * @kind: the kind of the referenced record (client, site)
 * @from: the side @id belongs to
 * @id: the id on that side
 *
 * Returns: (nullable): the id of the linked record on the other side
 */
typedef const char *(*LsnTranslateFunc) (const char *kind,
                                         LsnSide     from,
                                         const char *id,
                                         gpointer    user_data);

/**
 * LsnPlanInput:
 *
 * Everything the planner decides from: it reads nothing else, so it is tested without a network.
 */
typedef struct
{
  LsnProfileConfig *config;
  LsnKindConfig    *kind;
  GPtrArray        *records[2];   /* (element-type LsnRecord) all known records of each side */
  GHashTable       *fresh[2];     /* (nullable) ids pulled this run; %NULL: all of them */
  gboolean          complete[2];  /* the side was listed in full: missing means deleted */
  GPtrArray        *links;        /* (element-type LsnLink) */
  GPtrArray        *decisions;    /* (element-type LsnDecision) */
  LsnTranslateFunc  translate;
  gpointer          translate_data;
  gint64            now_usec;
  gboolean          confirmed;    /* the person confirmed a mass change */
  gboolean          defer_references; /* dry run: parents planned for creation are not linked
                                       * yet, keep their children as creates */
} LsnPlanInput;

LsnKindPlan *lsn_planner_plan_kind   (const LsnPlanInput *input,
                                      LsnPlan            *plan);
char        *lsn_planner_side_hash   (LsnKindConfig      *kind,
                                      LsnSide             side,
                                      LsnRecord          *record);
gboolean     lsn_planner_values_equal (JsonNode          *a,
                                       JsonNode          *b);

G_END_DECLS
