/* test-licence-rules.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-licence-job.h"
#include "lsn-licence-planner.h"
#include "lsn-names.h"
#include "licence-fixture.h"
#include "lsn-test-util.h"

/* The licence rules, one table row per rule, each run as a real sync against a fresh in-process
 * sandbox over HTTP. The sandbox sets up four customers for the hard cases (k0..k3):
 *   k0: M365-BB 10 × 4.90 Monthly, M365-BS 5 × 10.30 Monthly          (Converge)
 *   k1: M365-BP 3 × 18.10 Monthly, EXO-P1 2 × 3.30 Monthly            (Converge)
 *   k2: M365-BB 4 × 4.90 Monthly (Converge), PBI-PRO 2 × 8.40 Monthly (Pax8)
 *   k3: M365-E3 12 × 30.20 Annual, ENTRA-P1 12 × 5.00 Monthly          (Converge)
 * Writes are counted by the sandbox itself (/_sandbox/stats): "no request" means none reached it.
 * Every run that succeeds is run a second time, which must write nothing.
 * A row's setup changes HaloPSA's licences through the API before the run (not counted):
 *   "deactivate k0 M365-BB" sets is_active false on k0's active M365-BB licence;
 *   "remove k0 M365-BB" deletes it (the sandbox then lists it as "deleted" with includeinactive);
 *   "add k1 MDB 3 2.50 Converge inactive" creates one ('-': no distributor; "inactive": is_active
 *   false). */

typedef struct
{
  const char *name;
  const char *feed;           /* rows after the header; {k0}..{k3}, {K0} (upper case), {unknown};
                               * NULL: the sandbox's own invoice, over HTTP */
  const char *profile_extra;  /* more members of the profile */
  const char *fault;          /* sandbox configuration before the run */
  const char *after;          /* sandbox configuration before the second run */
  gboolean    accept_near;    /* a person accepted {K0} ↔ k0 before the run */
  gboolean    confirmed;
  const char *outcome;        /* "ok", "failed", "guarded" */
  const char *error_words;
  gint        posts;          /* POST /api/SoftwareLicence expected, -1: not checked */
  gint        deletes;        /* DELETE /api/SoftwareLicence/{id} expected, -1: not checked */
  const char *event;          /* "action outcome words…" in the first run's audit events */
  const char *changes;        /* the event's changes contain this ... */
  const char *changes_not;    /* ... and not this */
  const char *present;        /* "k0 M365-BB 10 5.10 Converge; …" ('*' for any, '-' for no
                               * distributor) after the run; a last word "active" or "inactive"
                               * counts only the licences in that state */
  const char *absent;         /* "k1 EXO-P1; k0 M365-BB active; …" */
  gboolean    second_writes;  /* the second run (after `after`) writes: a failed first run */
  guint       min_tokens;     /* at least this many token requests (POST /auth/token) */
  const char *setup;          /* licences changed in HaloPSA before the run (see above) */
  const char *link;           /* a saved product mapping: "BASIC k0 M365-BB" maps k0's row of
                               * product BASIC to k0's M365-BB licence ("… M365-BB k2": k2's) */
  const char *no_event;       /* no audit event of the first run mentions this */
  const char *reject;         /* a rejected product pair, written like link */
} RuleCase;

#define K0_ROWS_SAME "{k0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n" \
                     "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n"

static const RuleCase cases[] = {
  { "unchanged-licence-sends-nothing", K0_ROWS_SAME,
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, NULL, NULL, NULL,
    "k0 M365-BB 10 4.90 Converge; k0 M365-BS 5 10.30 Converge", NULL, FALSE },
  { "billing-cycle-spelling-is-not-a-change",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,\"4,90\",monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.3,P1M\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, NULL, NULL, NULL,
    "k0 M365-BB 10 4.90 Converge", NULL, FALSE },
  { "price-change-only",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,5.10,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "update ok 1 field", "\"price\"", "quantity",
    "k0 M365-BB 10 5.10 Converge; k0 M365-BS 5 10.30 Converge", NULL, FALSE },
  { "quantity-change",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,7,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "update ok", "\"quantity\"", "price",
    "k0 M365-BS 7 10.30 Converge", NULL, FALSE },
  { "quantity-0-with-licence-deletes",
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),0,3.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 1, "delete ok quantity 0", NULL, NULL,
    "k1 M365-BP 3 18.10 Converge", "k1 EXO-P1", FALSE },
  { "quantity-0-without-licence-does-nothing",
    "{k2},,M365-BB,Microsoft 365 Business Basic,4,4.90,Monthly\n"
    "{k2},,TEAMS-ESS,Microsoft Teams Essentials,0,3.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "skip quantity-0-no-licence nothing to do",
    NULL, NULL, "k2 M365-BB 4 4.90 Converge", "k2 TEAMS-ESS", FALSE },
  { "new-product-creates",
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),2,3.30,Monthly\n"
    "{k1},,MDB,Microsoft Defender for Business,3,2.50,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "create ok created with quantity 3", NULL, NULL,
    "k1 MDB 3 2.50 Converge; k1 EXO-P1 2 3.30 Converge", NULL, FALSE },
  { "clean-up-deletes-what-the-invoice-dropped",
    "{k3},,M365-E3,Microsoft 365 E3,12,30.20,Annual\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 1, "delete ok not on the invoice", NULL, NULL,
    "k3 M365-E3 12 30.20 Converge", "k3 ENTRA-P1", FALSE },
  { "other-distributor-survives-clean-up",
    "{k2},,M365-BB,Microsoft 365 Business Basic,4,4.90,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "skip other-distributor Pax8", NULL, NULL,
    "k2 PBI-PRO 2 8.40 Pax8; k2 M365-BB 4 4.90 Converge", NULL, FALSE },
  { "unmatched-customer-skipped-with-event",
    "{unknown},,M365-BS,Microsoft 365 Business Standard,6,10.30,Monthly\n"
    K0_ROWS_SAME,
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "skip no-client No HaloPSA client matches",
    NULL, NULL, "k0 M365-BB 10 4.90 Converge", NULL, FALSE },
  { "nearest-clients-named",
    "{k0}x,,M365-BB,Microsoft 365 Business Basic,11,4.90,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "skip no-client Nearest clients: “{k0}”",
    NULL, NULL, "k0 M365-BB 10 4.90 Converge", NULL, FALSE },
  { "near-match-held-not-applied",
    "{K0},,M365-BB,Microsoft 365 Business Basic,11,4.90,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "hold held nearly the same", NULL, NULL,
    "k0 M365-BB 10 4.90 Converge; k0 M365-BS 5 10.30 Converge", NULL, FALSE },
  { "near-match-accepted-is-a-mapping",
    "{K0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "{K0},,M365-BS,Microsoft 365 Business Standard,8,10.30,Monthly\n",
    NULL, NULL, NULL, TRUE, FALSE, "ok", NULL, 1, 0, "update ok", NULL, NULL,
    "k0 M365-BS 8 10.30 Converge", NULL, FALSE },
  { "duplicate-feed-rows-refused",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,7,10.30,Monthly\n"
    "{k0},,M365-BB,Microsoft 365 Business Basic,12,4.90,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "failed", "line 4: customer", 0, 0,
    "read invalid already on line 2", NULL, NULL, "k0 M365-BS 5 10.30 Converge", NULL, FALSE },
  { "malformed-row-refused",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,ten,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "failed", "line 3: the quantity “ten” is not a number", 0, 0,
    "read invalid Invoice line 3", NULL, NULL, "k0 M365-BS 5 10.30 Converge", NULL, FALSE },
  { "licence-fetch-failure-leaves-halo-untouched",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,5.10,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,7,10.30,Monthly\n",
    NULL, "{\"fail_next\": {\"count\": 4, \"kind\": \"500\", \"route\": \"GET /api/SoftwareLicence\"}}",
    NULL, FALSE, FALSE, "failed", "Reading the HaloPSA software licences failed, nothing was written",
    0, 0, NULL, NULL, NULL, "k0 M365-BB 10 4.90 Converge", NULL, TRUE },
  { "client-fetch-failure-leaves-halo-untouched",
    "{k3},,M365-E3,Microsoft 365 E3,12,30.20,Annual\n",
    NULL, "{\"fail_next\": {\"count\": 4, \"kind\": \"500\", \"route\": \"GET /api/Client\"}}",
    NULL, FALSE, FALSE, "failed", "Reading the HaloPSA clients failed, nothing was written",
    0, 0, NULL, NULL, NULL, "k3 ENTRA-P1 12 5.00 Converge", NULL, TRUE },
  { "mass-change-guard-stops",
    "{k1},,M365-BP,Microsoft 365 Business Premium,0,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),0,3.30,Monthly\n",
    "\"guard\": {\"share\": 0.1, \"min\": 1}", NULL, NULL, FALSE, FALSE, "guarded", NULL, 0, 0,
    "delete guarded mass-change limit", NULL, NULL, "k1 EXO-P1 2 3.30 Converge; k1 M365-BP 3 18.10 Converge",
    NULL, FALSE },
  { "mass-change-confirmed",
    "{k1},,M365-BP,Microsoft 365 Business Premium,0,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),0,3.30,Monthly\n",
    "\"guard\": {\"share\": 0.1, \"min\": 1}", NULL, NULL, FALSE, TRUE, "ok", NULL, 0, 2,
    "delete ok", NULL, NULL, NULL, "k1 EXO-P1; k1 M365-BP", FALSE },
  { "expired-token-renewed",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,5.10,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,7,10.30,Monthly\n"
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),4,3.30,Monthly\n",
    NULL, "{\"token_lifetime\": 1, \"latency_ms\": 350}", "{\"token_lifetime\": 3600, \"latency_ms\": 0}",
    FALSE, FALSE, "ok", NULL, -1, 0, "update ok", NULL, NULL,
    "k0 M365-BB 10 5.10 Converge; k0 M365-BS 7 10.30 Converge; k1 EXO-P1 4 3.30 Converge", NULL, FALSE, 2 },

  /* inactive licences: never written, never duplicated */
  { "inactive-licence-billed-is-held-not-duplicated",
    "{k0},,M365-BB,Microsoft 365 Business Basic,12,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0,
    "hold held is inactive in HaloPSA, but the invoice bills 12 of M365-BB", NULL, NULL,
    "k0 M365-BB 10 4.90 Converge inactive; k0 M365-BS 5 10.30 Converge active", "k0 M365-BB active",
    FALSE, 0, "deactivate k0 M365-BB" },
  { "inactive-licence-quantity-0-skipped",
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),0,3.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0,
    "skip licence-inactive is already inactive in HaloPSA: nothing to send", NULL, NULL,
    "k1 EXO-P1 2 3.30 Converge inactive; k1 M365-BP 3 18.10 Converge active", NULL,
    FALSE, 0, "deactivate k1 EXO-P1" },
  { "inactive-licence-not-on-invoice-left-alone",
    "{k3},,M365-E3,Microsoft 365 E3,12,30.20,Annual\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, NULL, NULL, NULL,
    "k3 ENTRA-P1 12 5.00 Converge inactive; k3 M365-E3 12 30.20 Converge active", NULL,
    FALSE, 0, "deactivate k3 ENTRA-P1", NULL, "ENTRA-P1" },
  { "active-licence-wins-over-inactive",
    "{k0},,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,7,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "update ok", "\"quantity\"", NULL,
    "k0 M365-BS 7 10.30 Converge active; k0 M365-BS 5 10.30 Converge inactive", NULL,
    FALSE, 0, "deactivate k0 M365-BS; add k0 M365-BS 5 10.30 Converge" },
  { "unowned-inactive-licence-held",
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),2,3.30,Monthly\n"
    "{k1},,MDB,Microsoft Defender for Business,3,2.50,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0,
    "hold held Activate it in HaloPSA to keep it in step with the invoice, or delete it", NULL, NULL,
    "k1 MDB 3 2.50 - inactive", "k1 MDB active",
    FALSE, 0, "add k1 MDB 3 2.50 - inactive" },
  { "other-distributors-inactive-licence-does-not-stop-a-create",
    "{k1},,M365-BP,Microsoft 365 Business Premium,3,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),2,3.30,Monthly\n"
    "{k1},,MDB,Microsoft Defender for Business,3,2.50,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "create ok created with quantity 3", NULL, NULL,
    "k1 MDB 3 2.50 Converge active; k1 MDB 4 2.50 Pax8 inactive", NULL,
    FALSE, 0, "add k1 MDB 4 2.50 Pax8 inactive" },
  { "inactive-licence-of-a-saved-mapping-held",
    "{k0},,BASIC,Basic plan,12,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0, "hold held the invoice bills 12 of BASIC",
    NULL, NULL, "k0 M365-BB 10 4.90 Converge inactive", "k0 BASIC; k0 M365-BB active",
    FALSE, 0, "deactivate k0 M365-BB", "BASIC k0 M365-BB" },
  { "inactive-licences-are-not-guard-records",
    "{k1},,M365-BP,Microsoft 365 Business Premium,0,18.10,Monthly\n"
    "{k1},,EXO-P1,Exchange Online (Plan 1),0,3.30,Monthly\n",
    "\"guard\": {\"share\": 0.5, \"min\": 1}", NULL, NULL, FALSE, FALSE, "guarded", NULL, 0, 0,
    "delete guarded 2 deletes of 2 licences", NULL, NULL,
    "k1 EXO-P1 2 3.30 Converge active; k1 M365-BP 3 18.10 Converge active", NULL,
    FALSE, 0, "add k1 MDB 3 2.50 Converge inactive; add k1 TEAMS-ESS 2 3.30 Converge inactive" },
  { "mapping-to-another-clients-inactive-licence-held",
    "{k0},,BASIC,Basic plan,12,4.90,Monthly\n" K0_ROWS_SAME,
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0,
    "hold held (inactive), which belongs to another HaloPSA client", NULL, NULL,
    "k2 M365-BB 4 4.90 Converge inactive; k0 M365-BB 10 4.90 Converge active", "k0 BASIC",
    FALSE, 0, "deactivate k2 M365-BB", "BASIC k0 M365-BB k2" },
  /* the same, and k2 bills that product after k0 on the invoice: held, not duplicated */
  { "another-clients-mapping-leaves-its-inactive-licence-to-it",
    "{k0},,BASIC,Basic plan,12,4.90,Monthly\n" K0_ROWS_SAME
    "{k2},,M365-BB,Microsoft 365 Business Basic,6,4.90,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 0, 0,
    "hold held is inactive in HaloPSA, but the invoice bills 6 of M365-BB", NULL, NULL,
    "k2 M365-BB 4 4.90 Converge inactive", "k0 BASIC; k2 M365-BB active",
    FALSE, 0, "deactivate k2 M365-BB", "BASIC k0 M365-BB k2" },
  /* a licence deleted in HaloPSA is gone, even when its list shows it: billed again, it is
   * created again (not held as an inactive one) */
  { "deleted-licence-billed-is-created-again", K0_ROWS_SAME,
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "create ok created with quantity 10", NULL, NULL,
    "k0 M365-BB 10 4.90 Converge active; k0 M365-BS 5 10.30 Converge", NULL,
    FALSE, 0, "remove k0 M365-BB", NULL, "inactive" },
  { "inactive-licence-of-a-rejected-pair-not-matched",
    "{k0},,M365-BB,Microsoft 365 Business Basic,12,4.90,Monthly\n"
    "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n",
    NULL, NULL, NULL, FALSE, FALSE, "ok", NULL, 1, 0, "create ok created with quantity 12", NULL, NULL,
    "k0 M365-BB 12 4.90 Converge active; k0 M365-BB 10 4.90 Converge inactive", NULL,
    FALSE, 0, "deactivate k0 M365-BB", NULL, NULL, "M365-BB k0 M365-BB" },
};

static char *
expand (LicenceFixture *f,
        const char     *text)
{
  g_autoptr(GString) out = g_string_new (text);

  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *lower = g_strdup_printf ("{k%u}", k);
      g_autofree char *upper = g_strdup_printf ("{K%u}", k);
      g_autofree char *name = licence_fixture_csv_field (f->customers[k]);
      g_autofree char *up = g_utf8_strup (f->customers[k], -1);
      g_autofree char *up_field = licence_fixture_csv_field (up);

      g_string_replace (out, lower, name, 0);
      g_string_replace (out, upper, up_field, 0);
    }
  {
    g_autofree char *unknown = licence_fixture_csv_field (f->unknown_customer);
    g_string_replace (out, "{unknown}", unknown, 0);
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
licence_is (LsnRecord  *l,
            const char *client_id,
            const char *code)
{
  return g_strcmp0 (lsn_record_get_string (l, "client_id"), client_id) == 0
         && (g_ascii_strcasecmp (lsn_record_get_name (l), code) == 0
             || g_strcmp0 (lsn_record_get_string (l, "product_sku"), code) == 0);
}

static double
number_of (LsnRecord  *l,
           const char *field)
{
  JsonNode *n = json_object_get_member (lsn_record_get_fields (l), field);

  g_assert_nonnull (n);
  return json_node_get_value_type (n) == G_TYPE_INT64 ? (double) json_node_get_int (n)
                                                     : json_node_get_double (n);
}

/* "k0 M365-BB 10 5.10 Converge; ..." */
static void
check_licences (LicenceFixture *f,
                GPtrArray      *licences,
                const char     *spec,
                gboolean        present)
{
  g_auto(GStrv) items = NULL;

  if (spec == NULL)
    return;
  items = g_strsplit (spec, ";", -1);
  for (guint i = 0; items[i]; i++)
    {
      g_auto(GStrv) w = g_strsplit (g_strstrip (items[i]), " ", -1);
      const char *client_id = f->client_ids[w[0][1] - '0'];
      guint n_words = g_strv_length (w);
      gint state = -1;   /* -1: any, 0: active, 1: inactive */
      guint n = 0;

      if (g_str_equal (w[n_words - 1], "active") || g_str_equal (w[n_words - 1], "inactive"))
        {
          state = g_str_equal (w[n_words - 1], "inactive");
          g_clear_pointer (&w[n_words - 1], g_free);
        }

      for (guint j = 0; j < licences->len; j++)
        {
          LsnRecord *l = g_ptr_array_index (licences, j);

          if (!licence_is (l, client_id, w[1])
              || (state >= 0 && lsn_record_get_inactive (l) != state))
            continue;
          n++;
          if (!present)
            continue;
          if (w[2] && !g_str_equal (w[2], "*"))
            g_assert_cmpfloat (number_of (l, "quantity"), ==, g_ascii_strtod (w[2], NULL));
          if (w[2] && w[3] && !g_str_equal (w[3], "*"))
            g_assert_cmpfloat_with_epsilon (number_of (l, "price"), g_ascii_strtod (w[3], NULL), 0.001);
          if (w[2] && w[3] && w[4] && g_str_equal (w[4], "-"))
            g_assert_true (lsn_record_get_string (l, "distributor") == NULL
                           || *lsn_record_get_string (l, "distributor") == '\0');
          else if (w[2] && w[3] && w[4] && !g_str_equal (w[4], "*"))
            g_assert_cmpstr (lsn_record_get_string (l, "distributor"), ==, w[4]);
        }
      g_test_message ("%s %s: %u licence(s)", present ? "present" : "absent", items[i], n);
      g_assert_cmpuint (n, ==, present ? 1 : 0);
    }
}

static void
check_event (LicenceFixture *f,
             const RuleCase *c,
             GPtrArray      *events)
{
  g_auto(GStrv) w = NULL;
  g_autofree char *words = NULL;
  LsnAuditEvent *e;

  for (guint i = 0; c->no_event != NULL && i < events->len; i++)
    {
      LsnAuditEvent *x = g_ptr_array_index (events, i);

      g_test_message ("event: %s %s %s", x->action, x->outcome, x->message);
      g_assert_true (x->message == NULL || strstr (x->message, c->no_event) == NULL);
    }
  if (c->event == NULL)
    return;
  w = g_strsplit (c->event, " ", 3);
  words = w[2] ? expand (f, w[2]) : NULL;
  /* the expansion quotes names for CSV; events quote them with “” */
  if (words && g_str_has_prefix (words, "\""))
    g_strdelimit (words, "\"", ' ');
  e = licence_fixture_find_event (events, w[0], w[1], NULL);
  for (guint i = 0; i < events->len && words; i++)
    {
      LsnAuditEvent *x = g_ptr_array_index (events, i);
      if (g_strcmp0 (x->action, w[0]) == 0 && g_strcmp0 (x->outcome, w[1]) == 0
          && x->message && strstr (x->message, words))
        {
          e = x;
          break;
        }
      if (i + 1 == events->len)
        e = NULL;
    }
  if (e == NULL)
    {
      for (guint i = 0; i < events->len; i++)
        {
          LsnAuditEvent *x = g_ptr_array_index (events, i);
          g_test_message ("event: %s %s %s", x->action, x->outcome, x->message);
        }
      g_error ("no event “%s”", c->event);
    }
  g_test_message ("event: %s %s: %s", e->action, e->outcome, e->message);
  if (c->changes)
    g_assert_nonnull (strstr (e->changes, c->changes));
  if (c->changes_not)
    g_assert_null (strstr (e->changes, c->changes_not));
}

typedef struct
{
  gint64      profile_id;
  const char *left_id;
  const char *right_id;
  const char *kind;
  gboolean    accepted;
} DecisionData;

static gboolean
save_decision_func (LsnStore  *store,
                    sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  DecisionData *dd = user_data;

  return lsn_db_save_decision (db, dd->profile_id, dd->kind, dd->left_id, dd->right_id,
                               dd->accepted, error);
}

typedef struct
{
  gint64      profile_id;
  const char *row_key;
  const char *licence_id;
} LinkData;

static gboolean
save_link_func (LsnStore  *store,
                sqlite3   *db,
                gpointer   user_data,
                GError   **error)
{
  LinkData *ld = user_data;
  g_autoptr(LsnLink) link = lsn_link_new (LSN_KIND_LICENCE, ld->row_key, ld->licence_id, "mapping");

  return lsn_db_save_link (db, ld->profile_id, link, error);
}

/* The id of client kN's first licence of @code (active ones only when @active_only). */
static const char *
find_licence (LicenceFixture *f,
              GPtrArray      *licences,
              const char     *k,
              const char     *code,
              gboolean        active_only)
{
  for (guint i = 0; i < licences->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (licences, i);

      if (licence_is (l, f->client_ids[k[1] - '0'], code)
          && !(active_only && lsn_record_get_inactive (l)))
        return lsn_record_get_remote_id (l);
    }
  g_error ("no licence %s %s", k, code);
  return NULL;
}

/* A row's setup: "deactivate k0 M365-BB; add k1 MDB 3 2.50 Converge inactive", through the API. */
static void
set_up_licences (LicenceFixture *f,
                 const char     *setup)
{
  g_autoptr(LsnConnector) halo = NULL;
  g_auto(GStrv) items = NULL;

  if (setup == NULL)
    return;
  halo = licence_fixture_halo (f);
  items = g_strsplit (setup, ";", -1);
  for (guint i = 0; items[i]; i++)
    {
      g_auto(GStrv) w = g_strsplit (g_strstrip (items[i]), " ", -1);
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autoptr(LsnRecord) record = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (g_strv_length (w), >=, 3);
      if (g_str_equal (w[0], "remove"))
        {
          g_autoptr(GPtrArray) licences = licence_fixture_list (f, LSN_KIND_LICENCE);

          g_assert_true (lsn_connector_delete (halo, LSN_KIND_LICENCE,
                                               find_licence (f, licences, w[1], w[2], TRUE),
                                               NULL, &error));
          g_assert_no_error (error);
          continue;
        }
      if (g_str_equal (w[0], "deactivate"))
        {
          g_autoptr(GPtrArray) licences = licence_fixture_list (f, LSN_KIND_LICENCE);

          json_object_set_boolean_member (fields, "inactive", TRUE);
          record = lsn_connector_update (halo, LSN_KIND_LICENCE,
                                         find_licence (f, licences, w[1], w[2], TRUE), fields,
                                         NULL, &error);
        }
      else
        {
          g_assert_cmpstr (w[0], ==, "add");
          g_assert_cmpuint (g_strv_length (w), >=, 6);
          json_object_set_string_member (fields, "name", w[2]);
          json_object_set_string_member (fields, "product_sku", w[2]);
          json_object_set_string_member (fields, "client_id", f->client_ids[w[1][1] - '0']);
          json_object_set_int_member (fields, "quantity", g_ascii_strtoll (w[3], NULL, 10));
          json_object_set_double_member (fields, "price", g_ascii_strtod (w[4], NULL));
          json_object_set_string_member (fields, "billing_cycle", "Monthly");
          if (!g_str_equal (w[5], "-"))
            json_object_set_string_member (fields, "distributor", w[5]);
          json_object_set_boolean_member (fields, "inactive", w[6] && g_str_equal (w[6], "inactive"));
          record = lsn_connector_create (halo, LSN_KIND_LICENCE, fields, NULL, &error);
        }
      g_assert_no_error (error);
      g_assert_nonnull (record);
    }
}

static gboolean
run_job (LicenceFixture  *f,
         LsnProfile      *profile,
         const RuleCase  *c,
         LsnLicenceJob  **out,
         GError         **error)
{
  g_autoptr(LsnLicenceJob) job = lsn_licence_job_new (f->store, profile, "cli");
  gboolean ok;

  lsn_licence_job_set_confirmed (job, c->confirmed);
  if (c->fault != NULL)
    {
      /* short backoff, so that the retries of a failing read do not take seconds */
      g_autoptr(LsnConnector) halo = licence_fixture_halo (f);
      g_autoptr(LsnConnector) feed = NULL;
      g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (lsn_profile_get_settings (profile), NULL);

      feed = lsn_connector_new_from_settings (config->left, NULL, NULL);
      lsn_http_client_set_backoff (lsn_connector_get_http (halo), 20, 200);
      lsn_licence_job_set_connectors (job, feed, halo);
    }
  ok = lsn_licence_job_run (job, NULL, error);
  *out = g_steal_pointer (&job);
  return ok;
}

static void
test_rule (gconstpointer data)
{
  const RuleCase *c = data;
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnLicenceJob) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_autofree char *source = NULL;
  g_autofree char *json = NULL;
  guint posts, deletes;
  gboolean ok;

  licence_fixture_init (&f, NULL);

  if (c->feed != NULL)
    {
      g_autofree char *rows = expand (&f, c->feed);
      g_autofree char *csv = g_strconcat ("Customer,CustomerId,ProductCode,ProductName,Quantity,"
                                          "UnitPrice,BillingCycle\n", rows, NULL);
      source = licence_fixture_write_file (&f, "invoice.csv", csv);
    }
  else
    source = g_strdup (f.invoice_url);
  json = licence_fixture_profile_json (&f, source, c->profile_extra);
  profile = licence_fixture_add_profile (&f, "licences", json);

  if (c->accept_near)
    {
      g_autofree char *up = g_utf8_strup (f.customers[0], -1);
      DecisionData dd = { lsn_profile_get_id (profile), up, f.client_ids[0], LSN_KIND_CLIENT, TRUE };

      /* what the mapping editor saves when a person accepts the suggestion */
      lsn_store_run_in_transaction (f.store, save_decision_func, &dd, &error);
      g_assert_no_error (error);
    }

  set_up_licences (&f, c->setup);
  if (c->link != NULL)
    {
      g_auto(GStrv) w = g_strsplit (c->link, " ", -1);
      g_autoptr(GPtrArray) now = licence_fixture_list (&f, LSN_KIND_LICENCE);
      g_autofree char *row_key = g_strconcat (f.customers[w[1][1] - '0'], "|", w[0], NULL);
      /* a fourth word names another client whose licence it is */
      LinkData ld = { lsn_profile_get_id (profile), row_key,
                      find_licence (&f, now, w[3] != NULL ? w[3] : w[1], w[2], FALSE) };

      lsn_store_run_in_transaction (f.store, save_link_func, &ld, &error);
      g_assert_no_error (error);
    }
  if (c->reject != NULL)
    {
      /* what the product mapping editor saves when a person removes a pair */
      g_auto(GStrv) w = g_strsplit (c->reject, " ", -1);
      g_autoptr(GPtrArray) now = licence_fixture_list (&f, LSN_KIND_LICENCE);
      g_autofree char *row_key = g_strconcat (f.customers[w[1][1] - '0'], "|", w[0], NULL);
      DecisionData dd = { lsn_profile_get_id (profile), row_key,
                          find_licence (&f, now, w[1], w[2], FALSE), LSN_KIND_LICENCE, FALSE };

      lsn_store_run_in_transaction (f.store, save_decision_func, &dd, &error);
      g_assert_no_error (error);
    }

  if (c->fault)
    licence_fixture_configure (&f, c->fault);
  licence_fixture_configure (&f, "{\"reset_stats\": true}");

  ok = run_job (&f, profile, c, &job, &error);
  g_test_message ("%s: %s (%s)", c->name, lsn_licence_job_get_outcome (job),
                  error ? error->message : "no error");
  if (lsn_licence_job_get_plan (job) != NULL)
    {
      g_autofree char *text = lsn_plan_to_text (lsn_licence_job_get_plan (job), TRUE);
      g_test_message ("plan:\n%s", text);
    }
  g_assert_cmpstr (lsn_licence_job_get_outcome (job), ==, c->outcome);
  if (g_str_equal (c->outcome, "failed"))
    {
      g_assert_false (ok);
      g_assert_nonnull (strstr (error->message, c->error_words));
    }
  else
    g_assert_no_error (error);

  posts = licence_fixture_licence_posts (&f);
  deletes = licence_fixture_licence_deletes (&f);
  if (c->posts >= 0)
    g_assert_cmpuint (posts, ==, c->posts);
  if (c->deletes >= 0)
    g_assert_cmpuint (deletes, ==, c->deletes);
  if (c->min_tokens == 0)
    {
      /* nothing retried: every request the sandbox saw is one write of the run */
      g_assert_cmpuint (posts, ==, lsn_licence_job_get_counts (job)->created
                                   + lsn_licence_job_get_counts (job)->updated);
      g_assert_cmpuint (deletes, ==, lsn_licence_job_get_counts (job)->deleted);
    }
  else
    {
      /* a write sent with an expired token is sent again with a new one */
      g_autoptr(JsonObject) stats = licence_fixture_stats (&f);
      guint tokens = licence_fixture_route_count (stats, "POST /auth/token");

      g_test_message ("token requests: %u, licence POSTs: %u", tokens, posts);
      g_assert_cmpuint (tokens, >=, c->min_tokens);
      g_assert_cmpuint (lsn_licence_job_get_counts (job)->updated, ==, 3);
      g_assert_cmpuint (lsn_licence_job_get_counts (job)->failed, ==, 0);
    }

  events = licence_fixture_events (&f, lsn_licence_job_get_run_id (job));
  check_event (&f, c, events);

  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  check_licences (&f, licences, c->present, TRUE);
  check_licences (&f, licences, c->absent, FALSE);

  /* a second run finishes what a failure left, and changes nothing already right */
  if (c->after)
    licence_fixture_configure (&f, c->after);
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  {
    g_autoptr(GError) error2 = NULL;
    RuleCase second = *c;

    second.fault = NULL;
    run_job (&f, profile, &second, &again, &error2);
    if (g_str_equal (c->outcome, "failed") && !c->second_writes)
      {
        g_assert_nonnull (error2);  /* the invoice is still bad */
        g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);
      }
    else if (c->second_writes)
      {
        g_assert_no_error (error2);
        g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), >, 0);
      }
    else
      {
        g_assert_no_error (error2);
        g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, 0);
        g_assert_cmpuint (licence_fixture_licence_deletes (&f), ==, 0);
      }
  }

  licence_fixture_clear (&f);
}

/* The sandbox's own invoice, read over HTTP, with the connectors built from the profile (the
 * secret from the environment): every hard case at once, then the request count against the
 * minimum, a dry run that writes nothing, and a second run that writes nothing. */
static void
test_sandbox_invoice (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) dry = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnLicenceJob) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  LsnKindPlan *kp;
  guint posts, deletes, n_licences_before, pages, unchanged;
  const LsnRunCounts *counts;

  licence_fixture_init (&f, NULL);
  json = licence_fixture_profile_json (&f, f.invoice_url, NULL);
  profile = licence_fixture_add_profile (&f, "sandbox invoice", json);
  g_assert_true (lsn_licence_job_handles_profile (json));

  clients = licence_fixture_list (&f, LSN_KIND_CLIENT);
  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  n_licences_before = licences->len;
  g_clear_pointer (&licences, g_ptr_array_unref);
  licence_fixture_configure (&f, "{\"reset_stats\": true}");

  /* a dry run plans and writes nothing */
  dry = lsn_licence_job_new (f.store, profile, "cli");
  lsn_licence_job_set_dry_run (dry, TRUE);
  g_assert_true (lsn_licence_job_run (dry, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsn_licence_job_get_run_id (dry), ==, 0);
  text = lsn_plan_to_text (lsn_licence_job_get_plan (dry), TRUE);
  g_test_message ("dry run:\n%s", text);
  g_assert_nonnull (strstr (text, "licence: "));
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);

  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  job = lsn_licence_job_new (f.store, profile, "manual");
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_licence_job_get_outcome (job), ==, "ok");
  counts = lsn_licence_job_get_counts (job);

  /* the dry run's plan is the plan that was applied */
  for (guint k = 0; k < 2; k++)
    for (LsnActionType t = LSN_ACTION_CREATE; t <= LSN_ACTION_DELETE; t++)
      g_assert_cmpuint (lsn_kind_plan_count (g_ptr_array_index (lsn_licence_job_get_plan (dry)->kinds, k), t),
                        ==,
                        lsn_kind_plan_count (g_ptr_array_index (lsn_licence_job_get_plan (job)->kinds, k), t));

  stats = licence_fixture_stats (&f);
  posts = licence_fixture_route_count (stats, "POST /api/SoftwareLicence");
  deletes = licence_fixture_route_count (stats, "DELETE /api/SoftwareLicence/{id}");
  kp = g_ptr_array_index (lsn_licence_job_get_plan (job)->kinds, 1);
  unchanged = lsn_kind_plan_count (kp, LSN_ACTION_REFRESH);
  g_test_message ("created %" G_GINT64_FORMAT ", updated %" G_GINT64_FORMAT ", deleted %"
                  G_GINT64_FORMAT ", skipped %" G_GINT64_FORMAT ", unchanged %u, requests %"
                  G_GINT64_FORMAT, counts->created, counts->updated, counts->deleted,
                  counts->skipped, unchanged, counts->requests);
  g_assert_cmpuint (posts, ==, counts->created + counts->updated);
  g_assert_cmpuint (deletes, ==, counts->deleted);
  g_assert_cmpuint (posts, ==, lsn_kind_plan_count (kp, LSN_ACTION_CREATE)
                               + lsn_kind_plan_count (kp, LSN_ACTION_UPDATE));
  g_assert_cmpuint (unchanged, >, 0);   /* unchanged licences: no request */
  g_assert_cmpint (counts->failed, ==, 0);

  /* requests: one token, the pages of clients and of licences, one per write: the minimum */
  pages = (clients->len + 99) / 100 + (n_licences_before + 99) / 100;
  g_assert_cmpuint (licence_fixture_route_count (stats, "GET /api/Client")
                    + licence_fixture_route_count (stats, "GET /api/SoftwareLicence"), ==, pages);
  g_assert_cmpuint (json_object_get_int_member (stats, "requests"), ==, 1 + pages + posts + deletes);
  g_assert_cmpuint (lsn_licence_job_get_halo_requests (job), ==, 1 + pages + posts + deletes);

  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  check_licences (&f, licences, "k0 M365-BB 10 4.90 Converge; k0 M365-BS 7 10.30 Converge; "
                  "k1 M365-BP 3 19.20 Converge; k1 MDB 3 2.50 Converge; "
                  "k2 M365-BB 4 4.90 Converge; k2 PBI-PRO 2 8.40 Pax8; k3 M365-E3 12 30.20 Converge",
                  TRUE);
  check_licences (&f, licences, "k1 EXO-P1; k2 TEAMS-ESS; k3 ENTRA-P1", FALSE);

  events = licence_fixture_events (&f, lsn_licence_job_get_run_id (job));
  g_assert_nonnull (licence_fixture_find_event (events, "skip", "no-client", f.unknown_customer));
  g_assert_nonnull (licence_fixture_find_event (events, "skip", "other-distributor", "Pax8"));
  g_assert_nonnull (licence_fixture_find_event (events, "delete", "ok", "not on the invoice"));
  g_assert_nonnull (licence_fixture_find_event (events, "delete", "ok", "quantity 0"));
  g_assert_nonnull (licence_fixture_find_event (events, "create", "ok", NULL));
  g_assert_nonnull (licence_fixture_find_event (events, "update", "ok", NULL));
  {
    LsnAuditEvent *e = licence_fixture_find_event (events, "update", "ok", NULL);
    g_assert_cmpstr (e->request, ==, "POST /api/SoftwareLicence");
  }

  /* again: nothing left to write */
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  again = lsn_licence_job_new (f.store, profile, "manual");
  g_assert_true (lsn_licence_job_run (again, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);
  g_assert_cmpint (lsn_licence_job_get_counts (again)->created + lsn_licence_job_get_counts (again)->updated
                   + lsn_licence_job_get_counts (again)->deleted, ==, 0);

  licence_fixture_clear (&f);
}

/* The same rules from a JSON export with its own column names, a semicolon CSV with a BOM and
 * decimal commas, each read by the job: one price change each. */
static void
run_export (const char *file_name,
            const char *template,
            const char *columns)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_autoptr(GString) text = g_string_new (template);
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *extra = NULL;

  licence_fixture_init (&f, NULL);
  {
    g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), f.customers[0]);
    g_autofree char *quoted = json_to_string (name, FALSE);
    g_string_replace (text, "{k0json}", quoted, 0);
    g_string_replace (text, "{k0}", f.customers[0], 0);
  }
  path = licence_fixture_write_file (&f, file_name, text->str);
  json = licence_fixture_profile_json (&f, path, NULL);
  if (columns != NULL)
    {
      g_autoptr(GString) s = g_string_new (json);
      g_autofree char *with = g_strdup_printf ("\"distributor\":\"Converge\",\"columns\":%s", columns);
      g_string_replace (s, "\"distributor\":\"Converge\"", with, 1);
      g_free (json);
      json = g_string_free (g_steal_pointer (&s), FALSE);
    }
  profile = licence_fixture_add_profile (&f, "export", json);
  licence_fixture_configure (&f, "{\"reset_stats\": true}");

  job = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, 1);
  g_assert_cmpuint (licence_fixture_licence_deletes (&f), ==, 0);
  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  check_licences (&f, licences, "k0 M365-BB 10 5.25 Converge; k0 M365-BS 5 10.30 Converge", TRUE);
  licence_fixture_clear (&f);
}

static void
test_json_export (void)
{
  run_export ("invoice.json",
              "[\n"
              "  {\"Account\": {k0json}, \"Sku\": \"M365-BB\", \"Seats\": 10, \"Price\": 5.25, \"Term\": \"Monthly\"},\n"
              "  {\"Account\": {k0json}, \"Sku\": \"M365-BS\", \"Seats\": \"5\", \"Price\": \"10.30\", \"Term\": \"monthly\"}\n"
              "]\n",
              "{\"customer\":\"Account\",\"product_code\":\"Sku\",\"quantity\":\"Seats\","
              "\"unit_price\":\"Price\",\"billing_cycle\":\"Term\"}");
}

static void
test_semicolon_export (void)
{
  run_export ("invoice.csv",
              "\xef\xbb\xbf" "Customer;CustomerId;ProductCode;ProductName;Quantity;UnitPrice;BillingCycle\r\n"
              "{k0};;M365-BB;Microsoft 365 Business Basic;10;5,25;Monthly\r\n"
              "{k0};;M365-BS;Microsoft 365 Business Standard;5;10,30;Monthly\r\n",
              NULL);
}

/* A saved product ↔ licence mapping: the distributor's code "BASIC" is k0's M365-BB licence,
 * whose name and SKU say otherwise. It is updated, not created again, and not cleaned up. */
static void
test_saved_product_mapping (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *row_key = NULL;
  const char *licence_id = NULL;

  licence_fixture_init (&f, NULL);
  before = licence_fixture_list (&f, LSN_KIND_LICENCE);
  for (guint i = 0; i < before->len; i++)
    if (licence_is (g_ptr_array_index (before, i), f.client_ids[0], "M365-BB"))
      licence_id = lsn_record_get_remote_id (g_ptr_array_index (before, i));
  g_assert_nonnull (licence_id);

  rows = expand (&f, "{k0},,BASIC,Basic plan,12,4.90,Monthly\n"
                     "{k0},,M365-BS,Microsoft 365 Business Standard,5,10.30,Monthly\n");
  csv = g_strconcat ("Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n",
                     rows, NULL);
  path = licence_fixture_write_file (&f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&f, path, NULL);
  profile = licence_fixture_add_profile (&f, "mapped", json);
  row_key = g_strconcat (f.customers[0], "|BASIC", NULL);
  {
    LinkData ld = { lsn_profile_get_id (profile), row_key, licence_id };
    lsn_store_run_in_transaction (f.store, save_link_func, &ld, &error);
    g_assert_no_error (error);
  }
  licence_fixture_configure (&f, "{\"reset_stats\": true}");

  job = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, 1);
  g_assert_cmpuint (licence_fixture_licence_deletes (&f), ==, 0);
  g_assert_cmpint (lsn_licence_job_get_counts (job)->updated, ==, 1);
  g_assert_cmpint (lsn_licence_job_get_counts (job)->created, ==, 0);

  after = licence_fixture_list (&f, LSN_KIND_LICENCE);
  check_licences (&f, after, "k0 M365-BB 12 4.90 Converge; k0 M365-BS 5 10.30 Converge", TRUE);
  check_licences (&f, after, "k0 BASIC", FALSE);
  licence_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/licence-rules/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_rule);
    }
  g_test_add_func ("/licence-rules/sandbox-invoice", test_sandbox_invoice);
  g_test_add_func ("/licence-rules/json-export", test_json_export);
  g_test_add_func ("/licence-rules/saved-product-mapping", test_saved_product_mapping);
  g_test_add_func ("/licence-rules/semicolon-export", test_semicolon_export);

  return g_test_run ();
}
