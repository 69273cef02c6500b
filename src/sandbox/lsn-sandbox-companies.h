/* lsn-sandbox-companies.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LsnSandboxNameVariation:
 * @LSN_SANDBOX_NAME_SAME: both systems spell the name the same way
 * @LSN_SANDBOX_NAME_LTD_LIMITED: "Ltd" in one, "Limited" in the other
 * @LSN_SANDBOX_NAME_AMPERSAND: "&" in one, "and" in the other
 * @LSN_SANDBOX_NAME_ACCENTS: accents in Halo, plain ASCII in ConnectWise
 * @LSN_SANDBOX_NAME_CASE: different letter case
 * @LSN_SANDBOX_NAME_PUNCTUATION: punctuation (periods, commas, apostrophes) differs
 *
 * How the ConnectWise name of a company differs from its Halo name.
 */
typedef enum
{
  LSN_SANDBOX_NAME_SAME,
  LSN_SANDBOX_NAME_LTD_LIMITED,
  LSN_SANDBOX_NAME_AMPERSAND,
  LSN_SANDBOX_NAME_ACCENTS,
  LSN_SANDBOX_NAME_CASE,
  LSN_SANDBOX_NAME_PUNCTUATION,
} LsnSandboxNameVariation;

/**
 * LsnSandboxContact:
 *
 * One person at a company. The email address is on the company's domain.
 */
typedef struct
{
  char     *first_name;
  char     *last_name;
  char     *email;
  char     *phone;
  char     *mobile;
  char     *job_title;
  gboolean  in_halo;
  gboolean  in_cw;
  gboolean  inactive;
} LsnSandboxContact;

/**
 * LsnSandboxCompany:
 *
 * One real-world company and how each PSA holds it. @duplicate_of is the index of the company
 * this one is a true duplicate of (the same business entered twice in one system), or -1.
 */
typedef struct
{
  guint                    index;
  char                    *halo_name;
  char                    *cw_name;
  LsnSandboxNameVariation  variation;
  gboolean                 in_halo;
  gboolean                 in_cw;
  gboolean                 halo_inactive;
  gboolean                 cw_inactive;
  gint                     duplicate_of;
  char                    *domain;
  char                    *website;
  char                    *phone;
  char                    *street;
  char                    *city;
  char                    *state;       /* county or state; may be "" */
  char                    *postcode;
  char                    *country;
  char                    *country_code; /* ISO 3166 alpha-2 */
  GPtrArray               *contacts;    /* of LsnSandboxContact */
} LsnSandboxCompany;

void       lsn_sandbox_company_free        (LsnSandboxCompany *company);
void       lsn_sandbox_contact_free        (LsnSandboxContact *contact);
GPtrArray *lsn_sandbox_companies_generate  (guint64            seed,
                                            guint              n_halo,
                                            guint              n_cw);
char      *lsn_sandbox_name_key            (const char        *name);
const char *lsn_sandbox_name_variation_to_string (LsnSandboxNameVariation variation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnSandboxCompany, lsn_sandbox_company_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnSandboxContact, lsn_sandbox_contact_free)

G_END_DECLS
