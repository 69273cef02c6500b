/* lsn-licence-planner.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "lsn-plan.h"
#include "lsn-sync-store.h"
#include "feed/lsn-feed-parser.h"

G_BEGIN_DECLS

/* Reasons the licence planner gives (LsnPlanAction.reason). */
#define LSN_LICENCE_REASON_NO_CLIENT        "no-client"
#define LSN_LICENCE_REASON_CLIENT_INACTIVE  "client-inactive"
#define LSN_LICENCE_REASON_MAPPED_MISSING   "mapped-client-missing"
#define LSN_LICENCE_REASON_NEAR_MATCH       "near-match"
#define LSN_LICENCE_REASON_AMBIGUOUS        "ambiguous"
#define LSN_LICENCE_REASON_NEW              "new"
#define LSN_LICENCE_REASON_CHANGED          "changed"
#define LSN_LICENCE_REASON_UNCHANGED        "unchanged"
#define LSN_LICENCE_REASON_QUANTITY_ZERO    "quantity-0"
#define LSN_LICENCE_REASON_NOTHING_TO_DO    "quantity-0-no-licence"
#define LSN_LICENCE_REASON_NOT_ON_INVOICE   "not-on-invoice"
#define LSN_LICENCE_REASON_OTHER_VENDOR     "other-distributor"
#define LSN_LICENCE_REASON_DUPLICATE        "duplicate-licence"
#define LSN_LICENCE_REASON_EXCLUDED         "excluded"
#define LSN_LICENCE_REASON_MAPPED_ELSEWHERE "mapped-licence-of-another-client"
#define LSN_LICENCE_REASON_INACTIVE         "licence-inactive"

/**
 * LsnLicencePlanInput:
 * @rows: (element-type LsnFeedRow): the invoice (one without issues)
 * @clients: (element-type LsnRecord): every HaloPSA client, inactive ones included
 * @licences: (element-type LsnRecord): every HaloPSA software licence, inactive ones included
 * @client_links: (nullable) (element-type LsnLink): saved customer mappings, kind "client":
 *   the feed's customer key ↔ a HaloPSA client id (a link that is not "included" leaves the
 *   customer out)
 * @client_decisions: (nullable) (element-type LsnDecision): what people decided on suggested
 *   customer pairs (accepted pairs count as mappings, rejected ones are not suggested again)
 * @licence_links: (nullable) (element-type LsnLink): saved product ↔ licence mappings, kind
 *   "licence": a row key (lsn_feed_row_key()) ↔ a HaloPSA licence id of the customer's client
 *   (a link that is not "included" leaves the row out)
 * @licence_decisions: (nullable) (element-type LsnDecision): decisions on product ↔ licence
 *   pairs: a rejected pair is never matched by name again
 * @distributor: the name this feed writes in the licences' distributor field
 * @feed_side: the side of the profile the feed is on (the links are oriented by it)
 * @guard_share: the mass-change guard: more updates or deletes than this share of the records...
 * @guard_min: ... and than this number stop the run
 * @confirmed: a person confirmed a mass change
 * @matches: (nullable): when set, filled with what each invoice customer matched: customer key
 *   (lsn_feed_row_customer_key()) → HaloPSA client id, both newly allocated strings (the
 *   mapping editor limits a product's choices to the licences of that client); "" for a
 *   customer whose remembered match was dropped and that matched nothing now
 * @licence_matches: (nullable): when set, filled with row key → the HaloPSA licence the row
 *   matched, both newly allocated strings ("" as for @matches)
 *
 * Everything the licence planner decides from: it reads nothing else.
 */
typedef struct
{
  GPtrArray  *rows;
  GPtrArray  *clients;
  GPtrArray  *licences;
  GPtrArray  *client_links;
  GPtrArray  *client_decisions;
  GPtrArray  *licence_links;
  GPtrArray  *licence_decisions;
  const char *distributor;
  LsnSide     feed_side;
  double      guard_share;
  guint       guard_min;
  gboolean    confirmed;
  GHashTable *matches;
  GHashTable *licence_matches;
} LsnLicencePlanInput;

LsnPlan  *lsn_licence_planner_plan          (const LsnLicencePlanInput *input);
char     *lsn_licence_cycle_normalize       (const char                *cycle);
gboolean  lsn_licence_distributor_equal     (const char                *a,
                                             const char                *b);

/* A licence plan's actions, by the invoice customer they are about (see
 * lsn_licence_plan_customers()) */
typedef struct
{
  char      *name;
  guint      creates;
  guint      updates;
  guint      deletes;
  guint      skips;     /* skipped, or held for a person */
  guint      others;
  GPtrArray *actions;   /* (element-type LsnPlanAction) (transfer none) */
} LsnLicenceCustomer;

GPtrArray *lsn_licence_plan_customers (LsnPlan            *plan,
                                       const char         *no_customer,
                                       LsnLicenceCustomer *totals);
char      *lsn_licence_plan_to_text   (LsnPlan            *plan);

G_END_DECLS
