/* lsn-sandbox-halo-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records of the simulated HaloPSA: one table per resource, each record a JsonObject holding
 * the fields as Halo returns them on GET /api/{Resource}/{id} (list rows are cut down from it by the
 * server). Seeded deterministically from the shared company data set, plus Halo's own catalogue
 * (items, asset groups and types, tax rates, statuses, ticket types), opportunities, quotes,
 * software licences, recurring invoices and a distributor invoice (CSV) over the licences.
 *
 * Field-type quirks are stored as Halo returns them: Site.client_id and Users.site_id are doubles,
 * dates have no offset, -1 means "not set".
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-companies.h"
#include "lsn-sandbox-halo-store.h"

typedef struct
{
  GHashTable *by_id;     /* GINT_TO_POINTER (id) -> JsonObject */
  GPtrArray  *rows;      /* of JsonObject, insertion order */
  gint64      next_id;
} Table;

struct _LsnSandboxHaloStore
{
  GObject     parent_instance;

  GHashTable *tables;    /* canonical resource name -> Table */
  gint64      next_line_id;
  char       *invoice_csv;
};

G_DEFINE_FINAL_TYPE (LsnSandboxHaloStore, lsn_sandbox_halo_store, G_TYPE_OBJECT)

static const char *resources[] = {
  "Client", "Site", "Users", "Opportunities", "Quotation", "Item", "Tax", "SoftwareLicence",
  "RecurringInvoice", "AssetGroup", "AssetType", "Status", "TicketType",
};

static void
table_free (gpointer data)
{
  Table *t = data;

  g_hash_table_unref (t->by_id);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

static void
lsn_sandbox_halo_store_finalize (GObject *object)
{
  LsnSandboxHaloStore *self = (LsnSandboxHaloStore *) object;

  g_hash_table_unref (self->tables);
  g_free (self->invoice_csv);

  G_OBJECT_CLASS (lsn_sandbox_halo_store_parent_class)->finalize (object);
}

static void
lsn_sandbox_halo_store_class_init (LsnSandboxHaloStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_halo_store_finalize;
}

static void
lsn_sandbox_halo_store_init (LsnSandboxHaloStore *self)
{
  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, table_free);
  self->next_line_id = 1;

  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      Table *t = g_new0 (Table, 1);

      t->by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
      t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      t->next_id = 1;
      g_hash_table_insert (self->tables, (gpointer) resources[i], t);
    }
}

static Table *
get_table (LsnSandboxHaloStore *self,
           const char          *resource)
{
  Table *t = g_hash_table_lookup (self->tables, resource);

  g_return_val_if_fail (t != NULL, NULL);
  return t;
}

/**
 * lsn_sandbox_halo_format_date:
 *
 * Returns: (transfer full): @dt in Halo's form, ISO 8601 in UTC with no offset
 */
char *
lsn_sandbox_halo_format_date (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");
}

/**
 * lsn_sandbox_halo_get_id:
 * @member: an id member ("id", "client_id", ...)
 *
 * Reads an id whether it is stored as an integer or (the Halo quirk) a double.
 *
 * Returns: the id, or -1 when absent or not a number
 */
gint64
lsn_sandbox_halo_get_id (JsonObject *record,
                         const char *member)
{
  JsonNode *node = json_object_get_member (record, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return -1;
}

/**
 * lsn_sandbox_halo_store_get_rows:
 *
 * Returns: (transfer none) (element-type JsonObject): the records of @resource, oldest first
 */
GPtrArray *
lsn_sandbox_halo_store_get_rows (LsnSandboxHaloStore *self,
                                 const char          *resource)
{
  return get_table (self, resource)->rows;
}

/**
 * lsn_sandbox_halo_store_lookup:
 *
 * Returns: (transfer none) (nullable): the record
 */
JsonObject *
lsn_sandbox_halo_store_lookup (LsnSandboxHaloStore *self,
                               const char          *resource,
                               gint64               id)
{
  if (id < G_MININT32 || id > G_MAXINT32)
    return NULL;
  return g_hash_table_lookup (get_table (self, resource)->by_id, GINT_TO_POINTER ((gint) id));
}

/**
 * lsn_sandbox_halo_store_next_id:
 *
 * Returns: the id the next new record of @resource gets (and reserves it)
 */
gint64
lsn_sandbox_halo_store_next_id (LsnSandboxHaloStore *self,
                                const char          *resource)
{
  return get_table (self, resource)->next_id++;
}

/**
 * lsn_sandbox_halo_store_next_line_id:
 *
 * Returns: a new id for a quotation or invoice line
 */
gint64
lsn_sandbox_halo_store_next_line_id (LsnSandboxHaloStore *self)
{
  return self->next_line_id++;
}

/**
 * lsn_sandbox_halo_store_put:
 * @record: (transfer none): a record; without an "id" member (or with 0) it gets a new id
 *
 * Inserts @record, or replaces the record with the same id.
 *
 * Returns: the record's id
 */
gint64
lsn_sandbox_halo_store_put (LsnSandboxHaloStore *self,
                            const char          *resource,
                            JsonObject          *record)
{
  Table *t = get_table (self, resource);
  gint64 id = lsn_sandbox_halo_get_id (record, "id");
  JsonObject *old;

  if (id == 0 || id == -1)
    {
      id = t->next_id++;
      json_object_set_int_member (record, "id", id);
    }
  else if (id >= t->next_id)
    t->next_id = id + 1;

  old = g_hash_table_lookup (t->by_id, GINT_TO_POINTER ((gint) id));
  if (old == record)
    return id;

  g_hash_table_insert (t->by_id, GINT_TO_POINTER ((gint) id), record);
  if (old)
    {
      guint index;

      if (g_ptr_array_find (t->rows, old, &index))
        {
          json_object_unref (g_ptr_array_index (t->rows, index));
          t->rows->pdata[index] = json_object_ref (record);
        }
    }
  else
    g_ptr_array_add (t->rows, json_object_ref (record));

  return id;
}

/**
 * lsn_sandbox_halo_store_remove:
 *
 * Returns: %TRUE when the record existed
 */
gboolean
lsn_sandbox_halo_store_remove (LsnSandboxHaloStore *self,
                               const char          *resource,
                               gint64               id)
{
  Table *t = get_table (self, resource);
  JsonObject *old = lsn_sandbox_halo_store_lookup (self, resource, id);

  if (old == NULL)
    return FALSE;

  g_hash_table_remove (t->by_id, GINT_TO_POINTER ((gint) id));
  g_ptr_array_remove (t->rows, old);
  return TRUE;
}

/**
 * lsn_sandbox_halo_store_get_invoice_csv:
 *
 * Returns: (transfer none): the distributor invoice generated with the data
 */
const char *
lsn_sandbox_halo_store_get_invoice_csv (LsnSandboxHaloStore *self)
{
  return self->invoice_csv;
}

/* ---- Seeding ---------------------------------------------------------------------------- */

typedef struct
{
  guint64 state;
} Rng;

static guint64
rng_next (Rng *r)
{
  guint64 z = (r->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static guint
rng_int (Rng   *r,
         guint  n)
{
  return n ? (guint) (rng_next (r) % n) : 0;
}

static double
rng_double (Rng *r)
{
  return (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct
{
  const char *code;
  const char *name;
  gint64      assetgroup_id;
  gint64      assettype_id;
  double      sell;
  double      cost;
  gboolean    recurring;
  gboolean    licence;     /* sold as a software licence by the distributors */
} Product;

/* Fictitious catalogue codes: the sandbox does not claim to know real distributor SKUs. */
static const Product products[] = {
  { "M365-BB", "Microsoft 365 Business Basic", 1, 1, 4.90, 4.50, TRUE, TRUE },
  { "M365-BS", "Microsoft 365 Business Standard", 1, 1, 10.30, 9.40, TRUE, TRUE },
  { "M365-BP", "Microsoft 365 Business Premium", 1, 1, 18.10, 16.60, TRUE, TRUE },
  { "EXO-P1", "Exchange Online (Plan 1)", 1, 1, 3.30, 3.00, TRUE, TRUE },
  { "M365-E3", "Microsoft 365 E3", 1, 1, 30.20, 27.70, TRUE, TRUE },
  { "MDB", "Microsoft Defender for Business", 1, 1, 2.50, 2.30, TRUE, TRUE },
  { "ENTRA-P1", "Microsoft Entra ID P1", 1, 1, 5.00, 4.60, TRUE, TRUE },
  { "TEAMS-ESS", "Microsoft Teams Essentials", 1, 1, 3.30, 3.00, TRUE, TRUE },
  { "PBI-PRO", "Power BI Pro", 1, 1, 8.40, 7.70, TRUE, TRUE },
  { "M365-APPS", "Microsoft 365 Apps for business", 1, 1, 8.20, 7.50, TRUE, TRUE },
  { "MSP-USER", "Managed Service - per User", 3, 6, 35.00, 0.00, TRUE, FALSE },
  { "MSP-DEV", "Managed Service - per Device", 3, 6, 15.00, 0.00, TRUE, FALSE },
  { "MSP-SRV", "Server Management", 3, 6, 60.00, 0.00, TRUE, FALSE },
  { "BKP-100", "Cloud Backup 100 GB", 3, 6, 12.00, 6.50, TRUE, FALSE },
  { "LAT-5440", "Dell Latitude 5440 Laptop", 2, 2, 949.00, 780.00, FALSE, FALSE },
  { "HP-800G9", "HP EliteDesk 800 G9", 2, 3, 799.00, 655.00, FALSE, FALSE },
  { "FG-40F", "Fortinet FortiGate 40F", 2, 4, 520.00, 410.00, FALSE, FALSE },
  { "UAP-U6", "Ubiquiti U6 Pro Access Point", 2, 5, 165.00, 129.00, FALSE, FALSE },
  { "CONS-HR", "Consultancy (hour)", 3, 7, 95.00, 0.00, FALSE, FALSE },
  { "PROJ-DAY", "Project Engineer (day)", 3, 7, 650.00, 0.00, FALSE, FALSE },
};

static JsonObject *
new_record (gint64 id)
{
  JsonObject *o = json_object_new ();

  /* 0 is a placeholder until the store gives the id; it keeps "id" the first member. */
  json_object_set_int_member (o, "id", id);
  return o;
}

static void
put_new (LsnSandboxHaloStore *self,
         const char          *resource,
         JsonObject          *record)
{
  lsn_sandbox_halo_store_put (self, resource, record);
  json_object_unref (record);
}

static char *
date_string (GDateTime *base,
             gint       days,
             gint       seconds)
{
  g_autoptr(GDateTime) a = g_date_time_add_days (base, days);
  g_autoptr(GDateTime) b = g_date_time_add_seconds (a, seconds);

  return lsn_sandbox_halo_format_date (b);
}

static void
set_date (JsonObject *o,
          const char *member,
          GDateTime  *base,
          gint        days,
          gint        seconds)
{
  g_autofree char *s = date_string (base, days, seconds);

  json_object_set_string_member (o, member, s);
}

static void
seed_catalogue (LsnSandboxHaloStore *self,
                GDateTime           *base)
{
  static const struct { const char *name; const char *code; double value; } taxes[] = {
    { "Standard Rate", "S", 20.0 }, { "Reduced Rate", "R", 5.0 }, { "Zero Rated", "Z", 0.0 },
    { "Exempt", "E", 0.0 }, { "Sales Tax (TX)", "TX", 8.25 },
  };
  static const char *groups[] = { "Software Licences", "Hardware", "Services" };
  static const struct { const char *name; gint64 group; } types[] = {
    { "Cloud Subscription", 1 }, { "Laptop", 2 }, { "Desktop", 2 }, { "Firewall", 2 },
    { "Network Device", 2 }, { "Managed Service", 3 }, { "Professional Services", 3 },
  };
  static const struct { const char *name; const char *shortname; gint64 type; const char *colour; } statuses[] = {
    { "New", "New", 0, "#2f80ed" }, { "In Progress", "Prog", 0, "#f2994a" }, { "Closed", "Closed", 1, "#828282" },
    { "Lead", "Lead", 0, "#56ccf2" }, { "Qualified", "Qual", 0, "#27ae60" },
    { "Proposal Sent", "Prop", 0, "#9b51e0" }, { "Negotiation", "Neg", 0, "#f2c94c" },
    { "Won", "Won", 1, "#219653" }, { "Lost", "Lost", 1, "#eb5757" },
  };
  static const struct { const char *name; const char *use; } ticket_types[] = {
    { "Incident", "ticket" }, { "Service Request", "ticket" }, { "Opportunity", "opp" }, { "Project", "prj" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (taxes); i++)
    {
      JsonObject *o = new_record (i + 1);

      json_object_set_string_member (o, "name", taxes[i].name);
      json_object_set_string_member (o, "code", taxes[i].code);
      json_object_set_double_member (o, "value", taxes[i].value);
      json_object_set_boolean_member (o, "is_composite", FALSE);
      json_object_set_array_member (o, "linked_rates", json_array_new ());
      json_object_set_string_member (o, "third_party_desc", "");
      put_new (self, "Tax", o);
    }

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      JsonObject *o = new_record (i + 1);
      g_autofree char *guid = g_strdup_printf ("6a1f0c3e-0000-4000-8000-%012u", i + 1);

      json_object_set_string_member (o, "guid", guid);
      json_object_set_string_member (o, "name", groups[i]);
      json_object_set_int_member (o, "sequence", i + 1);
      json_object_set_int_member (o, "tax_id", 1);
      json_object_set_string_member (o, "tax_name", taxes[0].name);
      put_new (self, "AssetGroup", o);
    }

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      JsonObject *o = new_record (i + 1);
      g_autofree char *guid = g_strdup_printf ("7b2e1d4f-0000-4000-8000-%012u", i + 1);

      json_object_set_string_member (o, "guid", guid);
      json_object_set_string_member (o, "name", types[i].name);
      json_object_set_int_member (o, "assetgroup_id", types[i].group);
      json_object_set_string_member (o, "assetgroup_name", groups[types[i].group - 1]);
      json_object_set_int_member (o, "keyfield_id", -1);
      json_object_set_string_member (o, "tagprefix", "");
      put_new (self, "AssetType", o);
    }

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      JsonObject *o = new_record (i + 1);

      json_object_set_string_member (o, "name", statuses[i].name);
      json_object_set_string_member (o, "shortname", statuses[i].shortname);
      json_object_set_int_member (o, "type", statuses[i].type);
      json_object_set_int_member (o, "sequence", i + 1);
      json_object_set_string_member (o, "colour", statuses[i].colour);
      put_new (self, "Status", o);
    }

  for (guint i = 0; i < G_N_ELEMENTS (ticket_types); i++)
    {
      JsonObject *o = new_record (i + 1);

      json_object_set_string_member (o, "name", ticket_types[i].name);
      json_object_set_string_member (o, "use", ticket_types[i].use);
      put_new (self, "TicketType", o);
    }

  for (guint i = 0; i < G_N_ELEMENTS (products); i++)
    {
      const Product *p = &products[i];
      JsonObject *o = new_record (i + 1);

      json_object_set_string_member (o, "name", p->name);
      json_object_set_int_member (o, "status", 0);
      json_object_set_string_member (o, "description", p->name);
      json_object_set_int_member (o, "assetgroup_id", p->assetgroup_id);
      json_object_set_string_member (o, "assetgroup_name", groups[p->assetgroup_id - 1]);
      json_object_set_int_member (o, "assettype_id", p->assettype_id);
      json_object_set_string_member (o, "assettype_name", types[p->assettype_id - 1].name);
      json_object_set_int_member (o, "supplier_id", -1);
      json_object_set_string_member (o, "supplier_part_code", p->code);
      json_object_set_string_member (o, "internalreference", p->code);
      json_object_set_string_member (o, "externalreference", "");
      json_object_set_double_member (o, "baseprice", p->recurring ? 0.0 : p->sell);
      json_object_set_double_member (o, "costprice", p->recurring ? 0.0 : p->cost);
      json_object_set_double_member (o, "recurringprice", p->recurring ? p->sell : 0.0);
      json_object_set_double_member (o, "recurringcost", p->recurring ? p->cost : 0.0);
      json_object_set_boolean_member (o, "isrecurringitem", p->recurring);
      json_object_set_int_member (o, "item_default_billing_period", p->recurring ? 1 : 0);
      json_object_set_int_member (o, "taxcode", 1);
      json_object_set_string_member (o, "taxcode_name", taxes[0].name);
      json_object_set_boolean_member (o, "taxable", TRUE);
      json_object_set_boolean_member (o, "dontinvoice", FALSE);
      json_object_set_string_member (o, "accountsid", "");
      json_object_set_string_member (o, "nominalcode", p->recurring ? "4000" : "4100");
      set_date (o, "datecreated", base, (gint) i, 36000);
      set_date (o, "lastmodified", base, (gint) i + 30, 36000);
      put_new (self, "Item", o);
    }
}

static JsonObject *
make_address (const LsnSandboxCompany *c)
{
  JsonObject *a = json_object_new ();

  json_object_set_string_member (a, "line1", c->street);
  json_object_set_string_member (a, "line2", c->city);
  json_object_set_string_member (a, "line3", c->state);
  json_object_set_string_member (a, "line4", c->country);
  json_object_set_string_member (a, "postcode", c->postcode);
  json_object_set_boolean_member (a, "primary", TRUE);
  json_object_set_boolean_member (a, "inactive", FALSE);
  return a;
}

static JsonObject *
make_site (gint64                   client_id,
           const LsnSandboxCompany *c,
           const char              *name,
           gboolean                 inactive,
           GDateTime               *created)
{
  JsonObject *o = new_record (0);
  g_autofree char *clientsite = g_strdup_printf ("%s / %s", c->halo_name, name);
  g_autofree char *date = lsn_sandbox_halo_format_date (created);

  json_object_set_string_member (o, "name", name);
  /* Halo quirk (spec number/double, observed "21.0"). */
  json_object_set_double_member (o, "client_id", (double) client_id);
  json_object_set_string_member (o, "client_name", c->halo_name);
  json_object_set_string_member (o, "clientsite_name", clientsite);
  json_object_set_boolean_member (o, "inactive", inactive);
  json_object_set_int_member (o, "sla_id", -1);
  json_object_set_string_member (o, "phonenumber", c->phone);
  json_object_set_string_member (o, "timezone", g_str_equal (c->country_code, "US") ? "Central Standard Time"
                                                                                    : "GMT Standard Time");
  json_object_set_string_member (o, "notes", "");
  json_object_set_boolean_member (o, "isinvoicesite", TRUE);
  json_object_set_int_member (o, "maincontact_id", -1);
  json_object_set_string_member (o, "maincontact_name", "");
  json_object_set_string_member (o, "emaildomain", c->domain);
  json_object_set_object_member (o, "delivery_address", make_address (c));
  json_object_set_object_member (o, "invoice_address", make_address (c));
  json_object_set_string_member (o, "datecreated", date);
  json_object_set_string_member (o, "uptimestamp", date);
  json_object_set_string_member (o, "slastupdate", date);
  return o;
}

typedef struct
{
  gint64       client_id;
  const char  *client_name;
  gboolean     usable;       /* active, not a duplicate: a customer a distributor bills */
} SeededClient;

static void
add_licence (LsnSandboxHaloStore *self,
             const SeededClient  *sc,
             const Product       *p,
             const char          *distributor,
             gint64               count,
             double               price,
             const char          *billing_cycle,
             GDateTime           *base,
             gint                 day)
{
  JsonObject *o = new_record (0);

  json_object_set_int_member (o, "type", 0);
  json_object_set_string_member (o, "name", p->name);
  json_object_set_int_member (o, "count", count);
  json_object_set_int_member (o, "client_id", sc->client_id);
  json_object_set_string_member (o, "client_name", sc->client_name);
  json_object_set_int_member (o, "site_id", -1);
  json_object_set_string_member (o, "site_name", "");
  json_object_set_double_member (o, "price", price);
  json_object_set_double_member (o, "purchase_price", p->cost);
  json_object_set_string_member (o, "billing_cycle", billing_cycle);
  json_object_set_string_member (o, "term_duration", g_str_equal (billing_cycle, "Annual") ? "P1Y" : "P1M");
  set_date (o, "start_date", base, day, 0);
  set_date (o, "end_date", base, day + 365, 0);
  json_object_set_boolean_member (o, "autorenew", TRUE);
  json_object_set_string_member (o, "status", "Active");
  json_object_set_boolean_member (o, "is_active", TRUE);
  json_object_set_boolean_member (o, "deleted", FALSE);
  json_object_set_string_member (o, "manufacturer", "Microsoft");
  json_object_set_string_member (o, "vendor", "Microsoft");
  json_object_set_string_member (o, "distributor", distributor);
  json_object_set_int_member (o, "supplier_id", -1);
  json_object_set_string_member (o, "supplier_name", "");
  json_object_set_string_member (o, "product_sku", p->code);
  json_object_set_string_member (o, "vendor_product_sku", p->code);
  json_object_set_string_member (o, "tenant_id", "");
  json_object_set_string_member (o, "tenant_name", "");
  json_object_set_int_member (o, "licences_in_use", count);
  json_object_set_int_member (o, "licences_available", 0);
  json_object_set_string_member (o, "notes", "");
  put_new (self, "SoftwareLicence", o);
}

static void
csv_field (GString    *out,
           const char *value)
{
  if (strpbrk (value, ",\"\n\r"))
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
}

static void
csv_row (GString            *out,
         const char         *customer,
         gint64              customer_id,
         const Product      *p,
         gint64              quantity,
         double              price,
         const char         *cycle)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  csv_field (out, customer);
  g_string_append_printf (out, ",CNV-%05" G_GINT64_FORMAT ",", 10000 + customer_id);
  csv_field (out, p->code);
  g_string_append_c (out, ',');
  csv_field (out, p->name);
  g_string_append_printf (out, ",%" G_GINT64_FORMAT ",%s,%s\r\n", quantity,
                          g_ascii_formatd (num, sizeof num, "%.2f", price), cycle);
}

#define CONVERGE "Converge"
#define OTHER_DISTRIBUTOR "Pax8"

/* The licences and, from the same decisions, the distributor's invoice. The first usable customers
 * get fixed set-ups so that every case exists even in a small data set:
 *   0: one licence unchanged, one with a new quantity
 *   1: a price-only change, a quantity 0 row for an existing licence, a new product
 *   2: an unchanged licence, a licence from ANOTHER distributor (absent from the invoice),
 *      a quantity 0 row for a product the customer has no licence of
 *   3: a licence the invoice does not mention (the distributor no longer bills it)
 * plus a customer the PSA does not know. */
static void
seed_licences (LsnSandboxHaloStore *self,
               Rng                 *r,
               GArray              *clients,
               const char          *unknown_customer,
               GDateTime           *base)
{
  GString *csv = g_string_new ("Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\r\n");
  guint k = 0;

  for (guint i = 0; i < clients->len; i++)
    {
      const SeededClient *sc = &g_array_index (clients, SeededClient, i);
      const char *name = sc->client_name;
      gint64 cid = sc->client_id;

      if (!sc->usable)
        continue;

      switch (k++)
        {
        case 0:
          add_licence (self, sc, &products[0], CONVERGE, 10, 4.90, "Monthly", base, 10);
          add_licence (self, sc, &products[1], CONVERGE, 5, 10.30, "Monthly", base, 12);
          csv_row (csv, name, cid, &products[0], 10, 4.90, "Monthly");
          csv_row (csv, name, cid, &products[1], 7, 10.30, "Monthly");
          continue;

        case 1:
          add_licence (self, sc, &products[2], CONVERGE, 3, 18.10, "Monthly", base, 20);
          add_licence (self, sc, &products[3], CONVERGE, 2, 3.30, "Monthly", base, 21);
          csv_row (csv, name, cid, &products[2], 3, 19.20, "Monthly");
          csv_row (csv, name, cid, &products[3], 0, 3.30, "Monthly");
          csv_row (csv, name, cid, &products[5], 3, 2.50, "Monthly");
          continue;

        case 2:
          add_licence (self, sc, &products[0], CONVERGE, 4, 4.90, "Monthly", base, 30);
          add_licence (self, sc, &products[8], OTHER_DISTRIBUTOR, 2, 8.40, "Monthly", base, 31);
          csv_row (csv, name, cid, &products[0], 4, 4.90, "Monthly");
          csv_row (csv, name, cid, &products[7], 0, 3.30, "Monthly");
          continue;

        case 3:
          add_licence (self, sc, &products[4], CONVERGE, 12, 30.20, "Annual", base, 40);
          add_licence (self, sc, &products[6], CONVERGE, 12, 5.00, "Monthly", base, 41);
          csv_row (csv, name, cid, &products[4], 12, 30.20, "Annual");
          continue;

        default:
          break;
        }

      /* The rest: most customers have one to three licences, mostly unchanged on the invoice. */
      if (rng_double (r) < 0.3)
        continue;

      for (guint n = 1 + rng_int (r, 3), first = rng_int (r, 10), j = 0; j < n; j++)
        {
          const Product *p = &products[(first + j * 3) % 10];
          gint64 count = 1 + rng_int (r, 40);
          const char *cycle = rng_int (r, 4) == 0 ? "Annual" : "Monthly";
          const char *distributor = rng_double (r) < 0.1 ? OTHER_DISTRIBUTOR : CONVERGE;
          double x = rng_double (r);

          add_licence (self, sc, p, distributor, count, p->sell, cycle, base, 50 + (gint) rng_int (r, 300));
          if (!g_str_equal (distributor, CONVERGE))
            continue;

          if (x < 0.8)
            csv_row (csv, name, cid, p, count, p->sell, cycle);
          else if (x < 0.9)
            csv_row (csv, name, cid, p, count + 1 + rng_int (r, 5), p->sell, cycle);
          else if (x < 0.95)
            csv_row (csv, name, cid, p, count, p->sell + 0.50, cycle);
          else
            csv_row (csv, name, cid, p, 0, p->sell, cycle);
        }
    }

  {
    const Product *p = &products[1];

    csv_field (csv, unknown_customer);
    g_string_append (csv, ",CNV-99999,");
    g_string_append_printf (csv, "%s,%s,6,10.30,Monthly\r\n", p->code, p->name);
  }

  self->invoice_csv = g_string_free (csv, FALSE);
}

static void
seed_opportunities (LsnSandboxHaloStore *self,
                    Rng                 *r,
                    GArray              *clients,
                    GDateTime           *base)
{
  static const char *topics[] = {
    "Microsoft 365 migration", "Firewall replacement", "Laptop refresh", "Managed services renewal",
    "Backup and disaster recovery", "Office move", "Wi-Fi upgrade", "Security assessment",
    "Server replacement", "Teams telephony",
  };
  static const gint64 open_statuses[] = { 4, 5, 6, 7 };

  for (guint i = 0; i < clients->len; i++)
    {
      const SeededClient *sc = &g_array_index (clients, SeededClient, i);
      GPtrArray *users = lsn_sandbox_halo_store_get_rows (self, "Users");
      JsonObject *contact = NULL;
      JsonObject *o, *q;
      JsonArray *lines;
      gint64 status, opp_id, user_id = -1, site_id = -1;
      double value = 0, tax = 0;
      gint day = 200 + (gint) rng_int (r, 400);
      const char *topic;

      if (rng_double (r) >= 0.5)
        continue;

      /* Users are seeded in client order: look back for one of this client's. */
      for (guint u = users->len; u > 0 && u + 40 > users->len; u--)
        {
          JsonObject *candidate = g_ptr_array_index (users, u - 1);

          if (lsn_sandbox_halo_get_id (candidate, "client_id") == sc->client_id)
            {
              contact = candidate;
              break;
            }
        }
      if (contact)
        {
          user_id = lsn_sandbox_halo_get_id (contact, "id");
          site_id = lsn_sandbox_halo_get_id (contact, "site_id");
        }

      topic = topics[rng_int (r, G_N_ELEMENTS (topics))];
      status = rng_double (r) < 0.7 ? open_statuses[rng_int (r, 4)] : 8 + rng_int (r, 2);

      o = new_record (0);
      json_object_set_string_member (o, "summary", topic);
      json_object_set_string_member (o, "details", topic);
      json_object_set_int_member (o, "tickettype_id", 3);
      json_object_set_int_member (o, "status_id", status);
      json_object_set_string_member (o, "status_name",
                                     json_object_get_string_member (lsn_sandbox_halo_store_lookup (self, "Status", status), "name"));
      json_object_set_int_member (o, "client_id", sc->client_id);
      json_object_set_string_member (o, "client_name", sc->client_name);
      json_object_set_int_member (o, "site_id", site_id);
      json_object_set_int_member (o, "user_id", user_id);
      json_object_set_string_member (o, "user_name", contact ? json_object_get_string_member (contact, "name") : "");
      json_object_set_int_member (o, "agent_id", rng_int (r, 3) == 0 ? -1 : 1 + rng_int (r, 4));
      json_object_set_int_member (o, "team_id", -1);
      set_date (o, "dateoccurred", base, day, 32400);
      set_date (o, "datecreated", base, day, 32400);
      set_date (o, "last_update", base, day + (gint) rng_int (r, 30), 50000);
      set_date (o, "targetdate", base, day + 60, 0);
      if (status >= 8)
        set_date (o, "dateclosed", base, day + 45, 0);
      json_object_set_boolean_member (o, "inactive", FALSE);
      json_object_set_boolean_member (o, "deleted", FALSE);
      json_object_set_string_member (o, "currency", "GBP");
      json_object_set_string_member (o, "oppcompanyname", sc->client_name);
      json_object_set_string_member (o, "oppcontactname", contact ? json_object_get_string_member (contact, "name") : "");
      json_object_set_string_member (o, "oppemailaddress", contact ? json_object_get_string_member (contact, "emailaddress") : "");
      json_object_set_string_member (o, "opptel", contact ? json_object_get_string_member (contact, "phonenumber") : "");
      json_object_set_int_member (o, "oppconversionprobability", 10 * (1 + rng_int (r, 9)));
      json_object_set_int_member (o, "pipeline_stage_id", -1);
      json_object_set_string_member (o, "pipeline_stage_name", "");
      opp_id = lsn_sandbox_halo_store_put (self, "Opportunities", o);

      /* Most opportunities have a quote. */
      if (rng_double (r) < 0.3)
        {
          json_object_set_double_member (o, "oppvalue", 1000.0 * (1 + rng_int (r, 20)));
          json_object_unref (o);
          continue;
        }

      q = new_record (0);
      lines = json_array_new ();
      for (guint n = 1 + rng_int (r, 4), first = rng_int (r, G_N_ELEMENTS (products)), j = 0; j < n; j++)
        {
          const Product *p = &products[(first + j * 7) % G_N_ELEMENTS (products)];
          JsonObject *line = json_object_new ();
          gint64 qty = 1 + rng_int (r, 25);
          double net = qty * p->sell;

          json_object_set_int_member (line, "id", lsn_sandbox_halo_store_next_line_id (self));
          json_object_set_int_member (line, "sort_seq", j + 1);
          json_object_set_int_member (line, "item_id", (p - products) + 1);
          json_object_set_string_member (line, "productcode", p->code);
          json_object_set_string_member (line, "name", p->name);
          json_object_set_string_member (line, "description", p->name);
          json_object_set_double_member (line, "quantity", (double) qty);
          json_object_set_double_member (line, "baseprice", p->sell);
          json_object_set_double_member (line, "costprice", p->cost);
          json_object_set_double_member (line, "net_total", net);
          json_object_set_double_member (line, "total_tax", net * 0.2);
          json_object_set_double_member (line, "total_price", net * 1.2);
          json_object_set_string_member (line, "item_tax_code", "1");
          json_object_set_string_member (line, "tax_name", "Standard Rate");
          json_object_set_double_member (line, "discount_perc", 0);
          json_object_set_int_member (line, "billingperiod", p->recurring ? 1 : 0);
          json_object_set_boolean_member (line, "item_recurring", p->recurring);
          json_object_set_boolean_member (line, "item_taxable", TRUE);
          json_object_set_boolean_member (line, "optional", FALSE);
          json_object_set_boolean_member (line, "isgroupdesc", FALSE);
          json_array_add_object_element (lines, line);
          value += net;
          tax += net * 0.2;
        }
      json_object_set_double_member (o, "oppvalue", value);
      json_object_unref (o);

      json_object_set_string_member (q, "title", topic);
      json_object_set_int_member (q, "ticket_id", opp_id);
      json_object_set_int_member (q, "status", status >= 8 ? (status == 8 ? 1 : 2) : 0);
      set_date (q, "date", base, day + 5, 0);
      set_date (q, "expiry_date", base, day + 35, 0);
      json_object_set_int_member (q, "client_id", sc->client_id);
      json_object_set_string_member (q, "client_name", sc->client_name);
      json_object_set_int_member (q, "site_id", site_id);
      json_object_set_int_member (q, "user_id", user_id);
      json_object_set_int_member (q, "agent_id", 1);
      json_object_set_double_member (q, "revenue", value);
      json_object_set_double_member (q, "tax_total", tax);
      json_object_set_double_member (q, "total", value + tax);
      json_object_set_string_member (q, "currency_code", "GBP");
      json_object_set_string_member (q, "note", "");
      json_object_set_string_member (q, "po_ref", "");
      set_date (q, "last_update_time", base, day + 6, 3600);
      json_object_set_array_member (q, "lines", lines);
      {
        gint64 qid = lsn_sandbox_halo_store_put (self, "Quotation", q);

        for (guint j = 0; j < json_array_get_length (lines); j++)
          json_object_set_int_member (json_array_get_object_element (lines, j), "qhid", qid);
      }
      json_object_unref (q);
    }
}

static void
seed_recurring_invoices (LsnSandboxHaloStore *self,
                         Rng                 *r,
                         GArray              *clients,
                         GDateTime           *base)
{
  guint made = 0;

  for (guint i = 0; i < clients->len; i++)
    {
      const SeededClient *sc = &g_array_index (clients, SeededClient, i);
      JsonObject *o;
      JsonArray *lines;
      double total = 0;

      if (!sc->usable || rng_double (r) >= 0.3)
        continue;

      /* Halo has been seen returning negative recurring invoice ids. */
      o = new_record (made == 0 ? -240 : made == 1 ? -237 : 0);
      made++;
      lines = json_array_new ();
      for (guint n = 1 + rng_int (r, 3), j = 0; j < n; j++)
        {
          const Product *p = &products[10 + (j + i) % 4];
          JsonObject *line = json_object_new ();
          gint64 qty = 1 + rng_int (r, 30);

          json_object_set_int_member (line, "id", lsn_sandbox_halo_store_next_line_id (self));
          json_object_set_string_member (line, "item_code", p->code);
          json_object_set_string_member (line, "item_shortdescription", p->name);
          json_object_set_string_member (line, "item_longdescription", "");
          json_object_set_double_member (line, "qty_order", (double) qty);
          json_object_set_double_member (line, "unit_price", p->sell);
          json_object_set_double_member (line, "unit_cost", p->cost);
          json_object_set_double_member (line, "net_amount", qty * p->sell);
          json_object_set_double_member (line, "tax_amount", qty * p->sell * 0.2);
          json_object_set_double_member (line, "tax_rate", 20.0);
          json_object_set_int_member (line, "tax_code", 1);
          json_object_set_string_member (line, "nominal_code", "4000");
          json_object_set_int_member (line, "billingperiod", 1);
          json_array_add_object_element (lines, line);
          total += qty * p->sell;
        }

      json_object_set_int_member (o, "client_id", sc->client_id);
      json_object_set_string_member (o, "client_name", sc->client_name);
      json_object_set_string_member (o, "name", "Monthly services");
      json_object_set_boolean_member (o, "is_recurring_invoice", TRUE);
      json_object_set_boolean_member (o, "disabled", FALSE);
      json_object_set_boolean_member (o, "posted", FALSE);
      json_object_set_int_member (o, "period", 1);
      json_object_set_int_member (o, "period_type", 1);
      json_object_set_string_member (o, "periodname", "Monthly");
      set_date (o, "startdate", base, 100, 0);
      set_date (o, "nextcreationdate", base, 700, 0);
      set_date (o, "invoice_date", base, 100, 0);
      json_object_set_double_member (o, "total", total * 1.2);
      json_object_set_double_member (o, "tax_total", total * 0.2);
      json_object_set_int_member (o, "contract_id", -1);
      set_date (o, "date_created", base, 100, 0);
      set_date (o, "last_modified", base, 100 + (gint) rng_int (r, 300), 0);
      json_object_set_array_member (o, "lines", lines);
      {
        gint64 id = lsn_sandbox_halo_store_put (self, "RecurringInvoice", o);

        for (guint j = 0; j < json_array_get_length (lines); j++)
          json_object_set_int_member (json_array_get_object_element (lines, j), "ihid", id);
      }
      json_object_unref (o);
    }

  /* Negative ids must not hold the counter back. */
  if (get_table (self, "RecurringInvoice")->next_id < 1)
    get_table (self, "RecurringInvoice")->next_id = 1;
}

/**
 * lsn_sandbox_halo_store_new:
 * @seed: the data set's seed
 * @companies: (element-type LsnSandboxCompany): the shared companies; those in Halo are seeded
 *
 * Returns: (transfer full): a seeded store
 */
LsnSandboxHaloStore *
lsn_sandbox_halo_store_new (guint64    seed,
                            GPtrArray *companies)
{
  LsnSandboxHaloStore *self = g_object_new (LSN_TYPE_SANDBOX_HALO_STORE, NULL);
  g_autoptr(GDateTime) base = g_date_time_new_utc (2024, 1, 8, 9, 0, 0);
  g_autoptr(GArray) clients = g_array_new (FALSE, FALSE, sizeof (SeededClient));
  const char *unknown_customer = "Quokka Analytics Pty Ltd";
  Rng r = { seed ^ G_GUINT64_CONSTANT (0x48414C4F) };

  seed_catalogue (self, base);

  for (guint i = 0; companies && i < companies->len; i++)
    {
      const LsnSandboxCompany *c = g_ptr_array_index (companies, i);
      g_autoptr(GDateTime) created = NULL;
      g_autofree char *created_s = NULL;
      g_autofree char *updated_s = NULL;
      JsonObject *client;
      JsonObject *main_site, *second_site = NULL;
      gint64 client_id, main_site_id, second_site_id = -1;
      gint64 first_user = -1;
      SeededClient sc;

      if (!c->in_halo)
        {
          /* A customer of the distributor that the PSA does not have. */
          if (c->in_cw && !c->cw_inactive && g_str_equal (unknown_customer, "Quokka Analytics Pty Ltd"))
            unknown_customer = c->cw_name;
          continue;
        }

      created = g_date_time_add_seconds (base, (gdouble) (i * 3600 * 7 % (86400 * 500)));
      created_s = lsn_sandbox_halo_format_date (created);
      updated_s = date_string (created, (gint) rng_int (&r, 200), (gint) rng_int (&r, 86400));

      client = new_record (0);
      json_object_set_string_member (client, "name", c->halo_name);
      json_object_set_int_member (client, "toplevel_id", 1);
      json_object_set_string_member (client, "toplevel_name", "Customers");
      json_object_set_boolean_member (client, "inactive", c->halo_inactive);
      json_object_set_string_member (client, "colour", "");
      json_object_set_string_member (client, "notes", "");
      json_object_set_string_member (client, "website", c->website);
      json_object_set_string_member (client, "accountsid", "");
      json_object_set_boolean_member (client, "is_vip", rng_int (&r, 20) == 0);
      json_object_set_boolean_member (client, "taxable", TRUE);
      json_object_set_int_member (client, "customertype", 0);
      json_object_set_string_member (client, "ref", "");
      json_object_set_string_member (client, "default_currency_code",
                                     g_str_equal (c->country_code, "US") ? "USD"
                                     : g_str_equal (c->country_code, "GB") ? "GBP" : "EUR");
      json_object_set_int_member (client, "item_tax_code", -1);
      json_object_set_int_member (client, "service_tax_code", -1);
      json_object_set_string_member (client, "datecreated", created_s);
      json_object_set_string_member (client, "alastupdate", updated_s);
      json_object_set_array_member (client, "customfields", json_array_new ());
      client_id = lsn_sandbox_halo_store_put (self, "Client", client);

      main_site = make_site (client_id, c, "Head Office", FALSE, created);
      main_site_id = lsn_sandbox_halo_store_put (self, "Site", main_site);
      if (rng_int (&r, 5) == 0)
        {
          second_site = make_site (client_id, c, rng_int (&r, 2) ? "Warehouse" : "Branch Office",
                                   rng_int (&r, 10) == 0, created);
          second_site_id = lsn_sandbox_halo_store_put (self, "Site", second_site);
        }

      json_object_set_int_member (client, "main_site_id", main_site_id);
      json_object_set_string_member (client, "main_site_name", "Head Office");

      for (guint j = 0; j < c->contacts->len; j++)
        {
          const LsnSandboxContact *p = g_ptr_array_index (c->contacts, j);
          JsonObject *u;
          g_autofree char *name = NULL;
          gint64 site_id, user_id;
          JsonObject *site;

          if (!p->in_halo)
            continue;

          site_id = (second_site_id > 0 && j % 3 == 2) ? second_site_id : main_site_id;
          site = site_id == main_site_id ? main_site : second_site;
          name = g_strdup_printf ("%s %s", p->first_name, p->last_name);

          u = new_record (0);
          json_object_set_string_member (u, "name", name);
          json_object_set_string_member (u, "firstname", p->first_name);
          json_object_set_string_member (u, "surname", p->last_name);
          json_object_set_string_member (u, "title", p->job_title);
          json_object_set_string_member (u, "emailaddress", p->email);
          json_object_set_string_member (u, "email2", "");
          json_object_set_string_member (u, "phonenumber", p->phone);
          json_object_set_string_member (u, "mobilenumber", p->mobile);
          json_object_set_string_member (u, "login", "");
          /* Halo quirk (spec number/double). */
          json_object_set_double_member (u, "site_id", (double) site_id);
          json_object_set_string_member (u, "site_name", json_object_get_string_member (site, "name"));
          json_object_set_int_member (u, "client_id", client_id);
          json_object_set_string_member (u, "client_name", c->halo_name);
          json_object_set_boolean_member (u, "inactive", p->inactive);
          json_object_set_boolean_member (u, "isimportantcontact", j == 0);
          json_object_set_int_member (u, "linked_agent_id", -1);
          json_object_set_string_member (u, "azureoid", "");
          json_object_set_string_member (u, "datecreated", created_s);
          json_object_set_string_member (u, "ulastupdate", updated_s);
          user_id = lsn_sandbox_halo_store_put (self, "Users", u);
          if (first_user < 0)
            {
              first_user = user_id;
              json_object_set_int_member (main_site, "maincontact_id", user_id);
              json_object_set_string_member (main_site, "maincontact_name", name);
            }
          json_object_unref (u);
        }

      sc.client_id = client_id;
      sc.client_name = json_object_get_string_member (client, "name");
      sc.usable = !c->halo_inactive && c->duplicate_of < 0;
      g_array_append_val (clients, sc);

      json_object_unref (main_site);
      g_clear_pointer (&second_site, json_object_unref);
      json_object_unref (client);
    }

  seed_opportunities (self, &r, clients, base);
  seed_recurring_invoices (self, &r, clients, base);
  seed_licences (self, &r, clients, unknown_customer, base);

  return self;
}
