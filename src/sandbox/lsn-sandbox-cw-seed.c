/* lsn-sandbox-cw-seed.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ConnectWise side of the deterministic data set: the reference lists (company statuses and
 * types, opportunity statuses, types, ratings, sales stages, product types, categories,
 * subcategories, tax codes, agreement types, members), the catalogue, and, for every company of
 * lsn_sandbox_companies_generate() that ConnectWise has, its company, main site, contacts with
 * communication items, opportunities and agreements with additions. The same seed gives the same
 * records, ids and timestamps.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-companies.h"
#include "lsn-sandbox-cw-seed.h"

/* 2026-01-01T00:00:00Z: seeded records were last updated within the year before. */
#define SEED_EPOCH_USEC (G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC)

typedef struct
{
  LsnCwStore *store;
  GRand      *rand;
} Seeder;

static gint64
past_time (Seeder *s)
{
  return SEED_EPOCH_USEC - (gint64) g_rand_int_range (s->rand, 0, 365 * 24 * 3600) * G_USEC_PER_SEC;
}

static JsonNode *
ref_node (gint64 id)
{
  JsonObject *ref = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (ref, "id", id);
  json_node_take_object (node, ref);
  return node;
}

static void
set_ref (JsonObject *object,
         const char *member,
         gint64      id)
{
  json_object_set_member (object, member, ref_node (id));
}

/* After a fix-up, put `_info` back at the end, where ConnectWise writes it. */
static void
info_last (JsonObject *record)
{
  JsonNode *info = json_node_copy (json_object_get_member (record, "_info"));

  json_object_remove_member (record, "_info");
  json_object_set_member (record, "_info", info);
}

static gint64
add (Seeder     *s,
     const char *collection,
     gint64      parent_id,
     JsonObject *record)
{
  gint64 id = lsn_cw_store_seed (s->store, collection, parent_id, record, past_time (s));

  json_object_unref (record);
  return id;
}

static gint64
add_named (Seeder     *s,
           const char *collection,
           const char *member,
           const char *name,
           const char *flag)
{
  JsonObject *record = json_object_new ();

  json_object_set_string_member (record, member, name);
  if (flag)
    json_object_set_boolean_member (record, flag, TRUE);
  return add (s, collection, 0, record);
}

/* An identifier as ConnectWise users make them: the name's letters and digits, at most 25,
 * made unique with a number. */
static char *
make_identifier (GHashTable *taken,
                 const char *name)
{
  g_autoptr(GString) base = g_string_new (NULL);
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  char *candidate;

  for (const char *p = ascii; *p && base->len < 25; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (base, *p);
  if (base->len == 0)
    g_string_append (base, "Company");

  candidate = g_strdup (base->str);
  for (guint n = 2; g_hash_table_contains (taken, candidate); n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s%u", base->str, n);
    }
  g_hash_table_add (taken, candidate);
  return g_strdup (candidate);
}

static char *
truncate_utf8 (const char *text,
               guint       max)
{
  if (g_utf8_strlen (text, -1) <= max)
    return g_strdup (text);
  return g_utf8_substring (text, 0, max);
}

static void
add_communication (JsonArray  *items,
                   const char *type_name,
                   gint64      type_id,
                   const char *kind,
                   const char *value,
                   gboolean    is_default)
{
  JsonObject *item = json_object_new ();
  JsonObject *type = json_object_new ();

  json_object_set_int_member (type, "id", type_id);
  json_object_set_string_member (type, "name", type_name);
  json_object_set_object_member (item, "type", type);
  json_object_set_string_member (item, "value", value);
  json_object_set_boolean_member (item, "defaultFlag", is_default);
  json_object_set_string_member (item, "communicationType", kind);
  json_array_add_object_element (items, item);
}

typedef struct
{
  const char *identifier;
  const char *description;
  double      price;
  double      cost;
  guint       subcategory;  /* index in subcategories */
  guint       type;         /* index in product types */
  const char *product_class;
  gboolean    recurring;
} CatalogSeed;

static const CatalogSeed catalog_seeds[] = {
  { "M365-BP", "Microsoft 365 Business Premium", 22.0, 18.7, 3, 2, "NonInventory", TRUE },
  { "M365-BS", "Microsoft 365 Business Standard", 12.5, 10.6, 3, 2, "NonInventory", TRUE },
  { "M365-E3", "Microsoft 365 E3", 36.0, 30.6, 3, 2, "NonInventory", TRUE },
  { "EDR-SEAT", "Endpoint detection and response, per seat", 6.0, 3.1, 4, 2, "NonInventory", TRUE },
  { "BACKUP-TB", "Cloud backup, per TB", 45.0, 21.0, 4, 2, "NonInventory", TRUE },
  { "LAPTOP-14", "Business laptop 14\"", 1150.0, 890.0, 0, 1, "Inventory", FALSE },
  { "DOCK-USBC", "USB-C docking station", 189.0, 121.0, 0, 1, "Inventory", FALSE },
  { "SRV-1U", "Rack server 1U", 4200.0, 3350.0, 1, 1, "Inventory", FALSE },
  { "FW-SMB", "Firewall appliance, small business", 780.0, 560.0, 2, 1, "Inventory", FALSE },
  { "SW-24P", "Managed switch 24 ports", 640.0, 455.0, 2, 1, "Inventory", FALSE },
  { "MSP-SUPPORT", "Managed support, per user", 65.0, 0.0, 5, 0, "Service", TRUE },
  { "PROJ-HOUR", "Project engineering, per hour", 140.0, 0.0, 6, 0, "Service", FALSE },
  { "ONSITE-VISIT", "On-site visit", 95.0, 0.0, 6, 0, "Service", FALSE },
};

static const char * const member_names[][3] = {
  { "jsmith", "Jordan", "Smith" },
  { "apatel", "Asha", "Patel" },
  { "mgarcia", "Marco", "Garcia" },
  { "lnguyen", "Linh", "Nguyen" },
  { "LiaisonAPI", "Liaison", "API" },
};

/**
 * lsn_cw_seed:
 * @store: an empty store
 * @companies: (element-type LsnSandboxCompany): the shared data set
 * @seed: the data seed
 *
 * Fills @store.
 */
void
lsn_cw_seed (LsnCwStore *store,
             GPtrArray  *companies,
             guint64     seed)
{
  Seeder s = { store, g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32) ^ 0x5cc0ffeeu)) };
  g_autoptr(GHashTable) identifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 status_active, status_inactive, type_client, type_prospect, type_vendor;
  gint64 members[G_N_ELEMENTS (member_names)];
  gint64 opp_status[4], opp_type[3], rating[3], stage[5], agreement_type[3];
  gint64 product_type[3], category[3], subcategory[7], catalog[G_N_ELEMENTS (catalog_seeds)];
  gint64 tax[3];

  status_active = add_named (&s, "company_statuses", "name", "Active", "defaultFlag");
  status_inactive = add_named (&s, "company_statuses", "name", "Inactive", "inactiveFlag");
  add_named (&s, "company_statuses", "name", "Not-Approved", "disallowSavingFlag");

  /* ids 1..4 as the contacts' communication items name them */
  add_named (&s, "communication_types", "description", "Email", "emailFlag");
  add_named (&s, "communication_types", "description", "Direct", "phoneFlag");
  add_named (&s, "communication_types", "description", "Fax", "faxFlag");
  add_named (&s, "communication_types", "description", "Mobile", "phoneFlag");
  type_client = add_named (&s, "company_types", "name", "Client", "defaultFlag");
  type_prospect = add_named (&s, "company_types", "name", "Prospect", NULL);
  type_vendor = add_named (&s, "company_types", "name", "Vendor", "vendorFlag");
  add_named (&s, "company_types", "name", "Partner", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (member_names); i++)
    {
      JsonObject *m = json_object_new ();
      g_autofree char *email = g_strdup_printf ("%s@sandbox-msp.example", member_names[i][0]);
      JsonObject *role = json_object_new ();

      json_object_set_string_member (m, "identifier", member_names[i][0]);
      json_object_set_string_member (m, "firstName", member_names[i][1]);
      json_object_set_string_member (m, "lastName", member_names[i][2]);
      json_object_set_string_member (m, "licenseClass", i == G_N_ELEMENTS (member_names) - 1 ? "A" : "F");
      json_object_set_string_member (m, "hireDate", "2019-03-01T00:00:00Z");
      json_object_set_string_member (m, "defaultEmail", "Office");
      json_object_set_string_member (m, "defaultPhone", "Office");
      json_object_set_string_member (m, "officeEmail", email);
      json_object_set_string_member (m, "primaryEmail", email);
      json_object_set_int_member (role, "id", 1);
      json_object_set_string_member (role, "name", "Admin");
      json_object_set_object_member (m, "securityRole", role);
      json_object_set_boolean_member (m, "inactiveFlag", FALSE);
      members[i] = add (&s, "members", 0, m);
    }

  {
    static const struct { const char *id, *desc; double rate; } taxes[] = {
      { "TAX-STD", "Standard rate", 20.0 }, { "TAX-RED", "Reduced rate", 5.0 }, { "EXEMPT", "Exempt", 0.0 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (taxes); i++)
      {
        JsonObject *t = json_object_new ();

        json_object_set_string_member (t, "identifier", taxes[i].id);
        json_object_set_string_member (t, "description", taxes[i].desc);
        json_object_set_string_member (t, "invoiceCaption", taxes[i].desc);
        json_object_set_string_member (t, "effectiveDate", "2020-01-01T00:00:00Z");
        json_object_set_boolean_member (t, "defaultFlag", i == 0);
        json_object_set_double_member (t, "levelOneRate", taxes[i].rate);
        json_object_set_string_member (t, "levelOneRateType", "Percent");
        json_object_set_string_member (t, "levelOneCaption", taxes[i].id);
        json_object_set_boolean_member (t, "levelOneServicesFlag", TRUE);
        json_object_set_boolean_member (t, "levelOneProductsFlag", TRUE);
        tax[i] = add (&s, "tax_codes", 0, t);
      }
  }

  opp_status[0] = add_named (&s, "opportunity_statuses", "name", "Open", "defaultFlag");
  opp_status[1] = add_named (&s, "opportunity_statuses", "name", "Won", "wonFlag");
  opp_status[2] = add_named (&s, "opportunity_statuses", "name", "Lost", "lostFlag");
  opp_status[3] = add_named (&s, "opportunity_statuses", "name", "No Decision", "closedFlag");
  for (guint i = 1; i < 4; i++)
    json_object_set_boolean_member (lsn_cw_store_lookup (store, "opportunity_statuses", opp_status[i]),
                                    "closedFlag", TRUE);

  opp_type[0] = add_named (&s, "opportunity_types", "description", "New Business", NULL);
  opp_type[1] = add_named (&s, "opportunity_types", "description", "Existing Customer", NULL);
  opp_type[2] = add_named (&s, "opportunity_types", "description", "Renewal", NULL);
  rating[0] = add_named (&s, "opportunity_ratings", "name", "Hot", NULL);
  rating[1] = add_named (&s, "opportunity_ratings", "name", "Warm", NULL);
  rating[2] = add_named (&s, "opportunity_ratings", "name", "Cold", NULL);

  {
    static const char * const stages[] = { "1. Prospect", "2. Qualification", "3. Proposal",
                                           "4. Negotiation", "5. Closing" };

    for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
      {
        JsonObject *st = json_object_new ();

        json_object_set_string_member (st, "name", stages[i]);
        json_object_set_int_member (st, "sequenceNumber", i + 1);
        stage[i] = add (&s, "stages", 0, st);
      }
  }

  agreement_type[0] = add_named (&s, "agreement_types", "name", "Managed Services", "defaultFlag");
  agreement_type[1] = add_named (&s, "agreement_types", "name", "Block Time", NULL);
  agreement_type[2] = add_named (&s, "agreement_types", "name", "Licensing", NULL);

  {
    static const char * const xrefs[] = { "Service", "InventoryPart", "NonInventoryPart" };
    static const char * const names[] = { "Service", "Hardware", "Subscription" };
    static const char * const categories[] = { "Hardware", "Software", "Services" };
    static const struct { const char *name; guint category; } subs[] = {
      { "Computers", 0 }, { "Servers", 0 }, { "Networking", 0 }, { "Microsoft 365", 1 },
      { "Security", 1 }, { "Managed Services", 2 }, { "Professional Services", 2 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        JsonObject *pt = json_object_new ();

        json_object_set_string_member (pt, "name", names[i]);
        json_object_set_string_member (pt, "typeXref", xrefs[i]);
        product_type[i] = add (&s, "product_types", 0, pt);
      }
    for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
      category[i] = add_named (&s, "categories", "name", categories[i], NULL);
    for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
      {
        JsonObject *sc = json_object_new ();

        json_object_set_string_member (sc, "name", subs[i].name);
        set_ref (sc, "category", category[subs[i].category]);
        subcategory[i] = add (&s, "subcategories", 0, sc);
      }
  }

  for (guint i = 0; i < G_N_ELEMENTS (catalog_seeds); i++)
    {
      const CatalogSeed *cs = &catalog_seeds[i];
      JsonObject *item = json_object_new ();
      static const guint subcategory_category[] = { 0, 0, 0, 1, 1, 2, 2 };

      json_object_set_string_member (item, "identifier", cs->identifier);
      json_object_set_string_member (item, "description", cs->description);
      json_object_set_string_member (item, "customerDescription", cs->description);
      set_ref (item, "subcategory", subcategory[cs->subcategory]);
      set_ref (item, "category", category[subcategory_category[cs->subcategory]]);
      set_ref (item, "type", product_type[cs->type]);
      json_object_set_string_member (item, "productClass", cs->product_class);
      json_object_set_double_member (item, "price", cs->price);
      json_object_set_double_member (item, "cost", cs->cost);
      json_object_set_boolean_member (item, "taxableFlag", cs->type != 0);
      json_object_set_boolean_member (item, "inactiveFlag", FALSE);
      json_object_set_boolean_member (item, "recurringFlag", cs->recurring);
      if (cs->recurring)
        {
          json_object_set_double_member (item, "recurringRevenue", cs->price);
          json_object_set_double_member (item, "recurringCost", cs->cost);
        }
      catalog[i] = add (&s, "catalog", 0, item);
    }

  for (guint i = 0; companies && i < companies->len; i++)
    {
      LsnSandboxCompany *c = g_ptr_array_index (companies, i);
      g_autofree char *name = NULL;
      g_autofree char *identifier = NULL;
      JsonObject *company;
      JsonObject *site;
      JsonObject *country = NULL;
      JsonArray *types;
      gint64 company_id, site_id, first_contact = 0;
      guint roll;

      if (!c->in_cw)
        continue;

      name = truncate_utf8 (c->cw_name, 50);
      identifier = make_identifier (identifiers, c->cw_name);
      roll = (guint) g_rand_int_range (s.rand, 0, 100);

      company = json_object_new ();
      json_object_set_string_member (company, "identifier", identifier);
      json_object_set_string_member (company, "name", name);
      set_ref (company, "status", c->cw_inactive ? status_inactive : status_active);
      types = json_array_new ();
      json_array_add_element (types, ref_node (roll < 75 ? type_client : roll < 92 ? type_prospect : type_vendor));
      json_object_set_array_member (company, "types", types);
      if (c->street && *c->street)
        json_object_set_string_member (company, "addressLine1", c->street);
      if (c->city && *c->city)
        json_object_set_string_member (company, "city", c->city);
      if (c->state && *c->state)
        json_object_set_string_member (company, "state", c->state);
      if (c->postcode && *c->postcode)
        json_object_set_string_member (company, "zip", c->postcode);
      if (c->country && *c->country)
        {
          country = json_object_new ();
          json_object_set_int_member (country, "id", (gint64) (c->country_code ? (guchar) c->country_code[0] * 256 + (guchar) c->country_code[1] : 1));
          if (c->country_code)
            json_object_set_string_member (country, "identifier", c->country_code);
          json_object_set_string_member (country, "name", c->country);
          json_object_set_object_member (company, "country", json_object_ref (country));
        }
      if (c->phone && *c->phone)
        json_object_set_string_member (company, "phoneNumber", c->phone);
      if (c->website && *c->website)
        json_object_set_string_member (company, "website", c->website);
      json_object_set_boolean_member (company, "leadFlag", FALSE);
      json_object_set_boolean_member (company, "deletedFlag", FALSE);
      json_object_set_boolean_member (company, "isVendorFlag", roll >= 92);
      set_ref (company, "territoryManager", members[roll % 4]);
      if (roll % 3 == 0)
        set_ref (company, "taxCode", tax[roll % 2]);
      if (roll % 4 == 0)
        {
          JsonArray *custom = json_array_new ();
          JsonObject *field = json_object_new ();
          static const char * const tiers[] = { "Gold", "Silver", "Bronze" };

          json_object_set_int_member (field, "id", 4);
          json_object_set_string_member (field, "caption", "Account Tier");
          json_object_set_string_member (field, "type", "Text");
          json_object_set_string_member (field, "entryMethod", "List");
          json_object_set_int_member (field, "numberOfDecimals", 0);
          json_object_set_string_member (field, "value", tiers[roll % 3]);
          json_array_add_object_element (custom, field);
          json_object_set_array_member (company, "customFields", custom);
        }
      company_id = add (&s, "companies", 0, company);
      if (company_id == 0)
        {
          g_clear_pointer (&country, json_object_unref);
          continue;
        }

      site = json_object_new ();
      json_object_set_string_member (site, "name", "Main");
      if (c->street && *c->street)
        json_object_set_string_member (site, "addressLine1", c->street);
      if (c->city && *c->city)
        json_object_set_string_member (site, "city", c->city);
      if (c->postcode && *c->postcode)
        json_object_set_string_member (site, "zip", c->postcode);
      if (country)
        json_object_set_object_member (site, "country", g_steal_pointer (&country));
      if (c->phone && *c->phone)
        json_object_set_string_member (site, "phoneNumber", c->phone);
      json_object_set_boolean_member (site, "primaryAddressFlag", TRUE);
      json_object_set_boolean_member (site, "defaultBillingFlag", TRUE);
      json_object_set_boolean_member (site, "defaultShippingFlag", TRUE);
      json_object_set_boolean_member (site, "inactiveFlag", FALSE);
      site_id = add (&s, "sites", company_id, site);
      json_object_set_object_member (lsn_cw_store_lookup (store, "companies", company_id), "site",
                                     lsn_cw_store_reference (store, "sites", site_id));
      info_last (lsn_cw_store_lookup (store, "companies", company_id));

      for (guint j = 0; c->contacts && j < c->contacts->len; j++)
        {
          LsnSandboxContact *p = g_ptr_array_index (c->contacts, j);
          JsonObject *contact;
          JsonArray *items;
          gint64 contact_id;

          if (!p->in_cw)
            continue;

          contact = json_object_new ();
          json_object_set_string_member (contact, "firstName", p->first_name);
          if (p->last_name && *p->last_name)
            json_object_set_string_member (contact, "lastName", p->last_name);
          set_ref (contact, "company", company_id);
          set_ref (contact, "site", site_id);
          if (p->job_title && *p->job_title)
            json_object_set_string_member (contact, "title", p->job_title);
          json_object_set_boolean_member (contact, "inactiveFlag", p->inactive);
          json_object_set_boolean_member (contact, "defaultFlag", first_contact == 0);
          items = json_array_new ();
          if (p->email && *p->email)
            add_communication (items, "Email", 1, "Email", p->email, TRUE);
          if (p->phone && *p->phone)
            {
              add_communication (items, "Direct", 2, "Phone", p->phone, TRUE);
              json_object_set_string_member (contact, "defaultPhoneType", "Direct");
              json_object_set_string_member (contact, "defaultPhoneNbr", p->phone);
            }
          if (p->mobile && *p->mobile)
            add_communication (items, "Mobile", 4, "Phone", p->mobile, FALSE);
          json_object_set_array_member (contact, "communicationItems", items);
          contact_id = add (&s, "contacts", 0, contact);
          if (first_contact == 0)
            first_contact = contact_id;
        }

      if (first_contact)
        json_object_set_object_member (lsn_cw_store_lookup (store, "companies", company_id), "defaultContact",
                                       lsn_cw_store_reference (store, "contacts", first_contact));
      if (first_contact)
        info_last (lsn_cw_store_lookup (store, "companies", company_id));

      if (first_contact && roll % 2 == 0)
        {
          guint n = 1 + (guint) g_rand_int_range (s.rand, 0, 2);

          for (guint k = 0; k < n; k++)
            {
              JsonObject *opp = json_object_new ();
              guint pick = (guint) g_rand_int_range (s.rand, 0, G_N_ELEMENTS (catalog_seeds));
              guint st = (guint) g_rand_int_range (s.rand, 0, 10);
              g_autofree char *opp_name = g_strdup_printf ("%s for %s", catalog_seeds[pick].description, name);
              g_autofree char *opp_name_cut = truncate_utf8 (opp_name, 100);
              g_autofree char *close = NULL;
              g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (SEED_EPOCH_USEC / G_USEC_PER_SEC
                                                                         + g_rand_int_range (s.rand, -90, 120) * 86400);

              close = g_date_time_format (when, "%Y-%m-%dT00:00:00Z");
              json_object_set_string_member (opp, "name", opp_name_cut);
              json_object_set_string_member (opp, "expectedCloseDate", close);
              set_ref (opp, "type", opp_type[k == 0 ? 0 : 1]);
              set_ref (opp, "stage", stage[st % 5]);
              set_ref (opp, "status", opp_status[st < 6 ? 0 : st < 8 ? 1 : st < 9 ? 2 : 3]);
              set_ref (opp, "rating", rating[st % 3]);
              set_ref (opp, "primarySalesRep", members[(roll + k) % 4]);
              set_ref (opp, "company", company_id);
              set_ref (opp, "contact", first_contact);
              set_ref (opp, "site", site_id);
              json_object_set_string_member (opp, "source", k == 0 ? "Referral" : "Website");
              add (&s, "opportunities", 0, opp);
            }
        }

      if (first_contact && roll % 3 == 1 && !c->cw_inactive)
        {
          JsonObject *agreement = json_object_new ();
          g_autofree char *agreement_name = g_strdup_printf ("Managed Services - %s", name);
          g_autofree char *agreement_name_cut = truncate_utf8 (agreement_name, 100);
          guint n = 1 + (guint) g_rand_int_range (s.rand, 0, 3);
          gint64 agreement_id;

          json_object_set_string_member (agreement, "name", agreement_name_cut);
          set_ref (agreement, "type", agreement_type[roll % 3 == 1 ? 0 : 2]);
          set_ref (agreement, "company", company_id);
          set_ref (agreement, "contact", first_contact);
          set_ref (agreement, "site", site_id);
          json_object_set_string_member (agreement, "startDate", "2025-01-01T00:00:00Z");
          json_object_set_boolean_member (agreement, "noEndingDateFlag", TRUE);
          json_object_set_boolean_member (agreement, "cancelledFlag", FALSE);
          json_object_set_string_member (agreement, "agreementStatus", "Active");
          json_object_set_string_member (agreement, "billProducts", "Billable");
          json_object_set_boolean_member (agreement, "taxable", TRUE);
          agreement_id = add (&s, "agreements", 0, agreement);

          for (guint k = 0; agreement_id && k < n; k++)
            {
              const CatalogSeed *cs = &catalog_seeds[k == 0 ? 10 : (guint) g_rand_int_range (s.rand, 0, 5)];
              JsonObject *addition = json_object_new ();

              set_ref (addition, "product", catalog[cs - catalog_seeds]);
              json_object_set_double_member (addition, "quantity", g_rand_int_range (s.rand, 1, 60));
              json_object_set_double_member (addition, "unitPrice", cs->price);
              json_object_set_double_member (addition, "unitCost", cs->cost);
              json_object_set_string_member (addition, "billCustomer", "Billable");
              json_object_set_string_member (addition, "effectiveDate", "2025-01-01T00:00:00Z");
              json_object_set_boolean_member (addition, "taxableFlag", TRUE);
              json_object_set_string_member (addition, "description", cs->description);
              add (&s, "additions", agreement_id, addition);
            }
        }
    }

  g_rand_free (s.rand);
}
