/* lsn-halopsa-kinds.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-halopsa"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-halopsa-kinds.h"

/* What each Halo resource is called, where it lives, and how its properties map onto canonical
 * fields (reference/halopsa-api.md §3, §3a, §7; reference/sales-entities.md §6). Canonical
 * conventions: ids of other records are text ("21", whatever Halo sent: 21, 21.0 or "21"), and
 * Halo's "not set" ids (0, -1) are left out; dates are UTC ISO 8601 with a Z (Halo sends them
 * without an offset, and uses 1899/1900/1901 sentinels for "none", which are left out); custom
 * fields are "custom:<name>"; "inactive" is present on every kind that has an active flag.
 */

static const LsnHalopsaField client_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "website", "website", "Website", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "ref", "reference", "Reference", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "customertype", "type", "Customer type", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "toplevel_id", "toplevel", "Top level", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "toplevel_name", "toplevel_name", "Top level name", LSN_HALOPSA_FIELD_STRING, TRUE },
  { "notes", "notes", "Notes", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "main_site_id", "main_site_id", "Main site", LSN_HALOPSA_FIELD_REFERENCE, TRUE },
  { "accountsid", "accounts_id", "Accounts id", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField site_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "phonenumber", "phone", "Phone", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "delivery_address.line1", "address1", "Address line 1", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "delivery_address.line2", "address2", "Address line 2", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "delivery_address.line3", "address3", "Address line 3", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "delivery_address.line4", "address4", "Address line 4", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "delivery_address.postcode", "postcode", "Postcode", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "ref", "reference", "Reference", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "notes", "notes", "Notes", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField contact_fields[] = {
  { "firstname", "firstname", "First name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "surname", "lastname", "Surname", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "name", "name", "Full name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "emailaddress", "email", "Email", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "phonenumber", "phone", "Phone", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "mobilenumber", "mobile", "Mobile", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "title", "jobtitle", "Job title", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "site_id", "site_id", "Site", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { NULL }
};

static const LsnHalopsaField product_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "description", "description", "Description", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "internalreference", "code", "Internal reference", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "externalreference", "reference", "External reference", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "baseprice", "price", "Sell price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "costprice", "cost", "Cost price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "isrecurringitem", "recurring", "Recurring", LSN_HALOPSA_FIELD_BOOLEAN, FALSE },
  { "recurringprice", "recurring_price", "Recurring price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "recurringcost", "recurring_cost", "Recurring cost", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "item_default_billing_period", "billing_period", "Billing period", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "taxable", "taxable", "Taxable", LSN_HALOPSA_FIELD_BOOLEAN, FALSE },
  { "taxcode", "tax_id", "Tax rate", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "assetgroup_id", "group_id", "Asset group", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "assettype_id", "type_id", "Asset type", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "supplier_part_code", "part_number", "Supplier part code", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField tax_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "code", "code", "Code", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "value", "rate", "Rate", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "is_composite", "composite", "Composite", LSN_HALOPSA_FIELD_BOOLEAN, FALSE },
  { NULL }
};

static const LsnHalopsaField licence_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "site_id", "site_id", "Site", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "count", "quantity", "Quantity", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "price", "price", "Price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "purchase_price", "cost", "Purchase price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "billing_cycle", "billing_cycle", "Billing cycle", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "term_duration", "term", "Term", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "start_date", "start_date", "Start date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "end_date", "end_date", "End date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "autorenew", "autorenew", "Renews automatically", LSN_HALOPSA_FIELD_BOOLEAN, FALSE },
  { "manufacturer", "manufacturer", "Manufacturer", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "vendor", "vendor", "Vendor", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "distributor", "distributor", "Distributor", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "product_sku", "product_sku", "Product SKU", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "vendor_product_sku", "vendor_sku", "Vendor SKU", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "supplier_id", "supplier_id", "Supplier", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "status", "status", "Status", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "type", "type", "Licence type", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "notes", "notes", "Notes", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField opportunity_fields[] = {
  { "summary", "title", "Summary", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "details", "description", "Details", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "site_id", "site_id", "Site", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "user_id", "contact_id", "Contact", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "agent_id", "owner_id", "Agent", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "tickettype_id", "type_id", "Ticket type", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "status_id", "status_id", "Status", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "pipeline_stage_id", "stage_id", "Pipeline stage", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "oppvalue", "value", "Value", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "oppconversionprobability", "probability", "Conversion probability", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "currency", "currency", "Currency", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "dateclosed", "closed_date", "Date closed", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "targetdate", "target_date", "Target date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "opptype", "opportunity_type", "Opportunity type", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "oppcompanyname", "company_name", "Company name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "oppcontactname", "contact_name", "Contact name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "oppemailaddress", "contact_email", "Contact email", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField quote_fields[] = {
  { "title", "title", "Title", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "ticket_id", "opportunity_id", "Opportunity", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "site_id", "site_id", "Site", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "user_id", "contact_id", "Contact", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "status", "status", "Status", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "date", "date", "Date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "expiry_date", "expiry_date", "Expiry date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "po_ref", "po_ref", "PO reference", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "note", "note", "Note", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "total", "total", "Total", LSN_HALOPSA_FIELD_NUMBER, TRUE },
  { "tax_total", "tax_total", "Tax total", LSN_HALOPSA_FIELD_NUMBER, TRUE },
  { NULL }
};

static const LsnHalopsaField quote_line_fields[] = {
  { "id", "id", "Line", LSN_HALOPSA_FIELD_REFERENCE, TRUE },
  { "item_id", "product_id", "Item", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "productcode", "code", "Product code", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "description", "description", "Description", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "quantity", "quantity", "Quantity", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "baseprice", "price", "Unit price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "costprice", "cost", "Unit cost", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "discount_perc", "discount", "Discount %", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "item_tax_code", "tax_id", "Tax rate", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "net_total", "net_total", "Net total", LSN_HALOPSA_FIELD_NUMBER, TRUE },
  { NULL }
};

static const LsnHalopsaField rinvoice_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "client_id", "client_id", "Client", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "contract_id", "contract_id", "Contract", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "total", "total", "Total", LSN_HALOPSA_FIELD_NUMBER, TRUE },
  { "nextcreationdate", "next_date", "Next invoice date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "startdate", "start_date", "Start date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { "enddate", "end_date", "End date", LSN_HALOPSA_FIELD_DATE, FALSE },
  { NULL }
};

static const LsnHalopsaField rinvoice_line_fields[] = {
  { "id", "id", "Line", LSN_HALOPSA_FIELD_REFERENCE, TRUE },
  { "item_code", "code", "Item code", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "item_shortdescription", "name", "Description", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "qty_order", "quantity", "Quantity", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "unit_price", "price", "Unit price", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "unit_cost", "cost", "Unit cost", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "tax_code", "tax_code", "Tax code", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "net_amount", "net_total", "Net amount", LSN_HALOPSA_FIELD_NUMBER, TRUE },
  { NULL }
};

static const LsnHalopsaField status_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "shortname", "shortname", "Short name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "type", "type", "Type", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "sequence", "sequence", "Sequence", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { "colour", "colour", "Colour", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField tickettype_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "use", "use", "Use", LSN_HALOPSA_FIELD_STRING, FALSE },
  { NULL }
};

static const LsnHalopsaField assetgroup_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "sequence", "sequence", "Sequence", LSN_HALOPSA_FIELD_NUMBER, FALSE },
  { NULL }
};

static const LsnHalopsaField assettype_fields[] = {
  { "name", "name", "Name", LSN_HALOPSA_FIELD_STRING, FALSE },
  { "assetgroup_id", "assetgroup_id", "Asset group", LSN_HALOPSA_FIELD_REFERENCE, FALSE },
  { "assetgroup_name", "assetgroup_name", "Asset group name", LSN_HALOPSA_FIELD_STRING, TRUE },
  { NULL }
};
static const LsnHalopsaKind kinds[] = {
  { LSN_KIND_CLIENT, "/Client", "clients", "clients", "read:customers",
    "name", "alastupdate", NULL, "inactive", NULL, NULL, TRUE, TRUE, client_fields, NULL },
  { LSN_KIND_SITE, "/Site", "sites", "sites", "read:customers",
    "name", "slastupdate", "client_id", "inactive", NULL, NULL, TRUE, TRUE, site_fields, NULL },
  { LSN_KIND_CONTACT, "/Users", "users", "users", "read:customers",
    "name", "ulastupdate", "client_id", "inactive", NULL, NULL, TRUE, TRUE, contact_fields, NULL },
  { LSN_KIND_OPPORTUNITY, "/Opportunities", "tickets", "opportunities", "read:crm",
    "summary", "last_update", "client_id", "inactive|deleted", NULL, NULL, FALSE, TRUE,
    opportunity_fields, NULL },
  { LSN_KIND_QUOTE, "/Quotation", "quotes", "quotations", "read:quotes",
    "title", "last_update_time", "client_id", NULL, "includelines=true", NULL, FALSE, TRUE,
    quote_fields, quote_line_fields },
  { LSN_KIND_PRODUCT, "/Item", "items", "items", "read:items",
    "name", "lastmodified", NULL, "inactive", NULL, NULL, TRUE, TRUE, product_fields, NULL },
  { LSN_KIND_TAX, "/Tax", NULL, "tax rates", "read:invoices",
    "name", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, tax_fields, NULL },
  { LSN_KIND_LICENCE, "/SoftwareLicence", "licences", "software licences", "read:softwarelicensing",
    "name", NULL, "client_id", "!is_active|deleted", NULL, NULL, FALSE, TRUE, licence_fields, NULL },
  { LSN_HALOPSA_KIND_RECURRING_INVOICE, "/RecurringInvoice", "invoices", "recurring invoices",
    "read:invoices", "name", "last_modified", "client_id", "disabled", "includelines=true", NULL,
    FALSE, FALSE, rinvoice_fields, rinvoice_line_fields },
  { LSN_HALOPSA_KIND_STATUS, "/Status", NULL, "statuses", "read:tickets",
    "name", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, status_fields, NULL },
  { LSN_HALOPSA_KIND_TICKET_TYPE, "/TicketType", NULL, "ticket types", "read:tickets",
    "name", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, tickettype_fields, NULL },
  { LSN_HALOPSA_KIND_ASSET_GROUP, "/AssetGroup", NULL, "asset groups", "read:assets",
    "name", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, assetgroup_fields, NULL },
  { LSN_HALOPSA_KIND_ASSET_TYPE, "/AssetType", NULL, "asset types", "read:assets",
    "name", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE, assettype_fields, NULL },
};

static const char * const kind_names[] = {
  LSN_KIND_CLIENT, LSN_KIND_SITE, LSN_KIND_CONTACT, LSN_KIND_OPPORTUNITY, LSN_KIND_QUOTE,
  LSN_KIND_PRODUCT, LSN_KIND_TAX, LSN_KIND_LICENCE, LSN_HALOPSA_KIND_RECURRING_INVOICE, NULL
};

static const char * const reference_kind_names[] = {
  LSN_HALOPSA_KIND_STATUS, LSN_HALOPSA_KIND_TICKET_TYPE, LSN_HALOPSA_KIND_ASSET_GROUP,
  LSN_HALOPSA_KIND_ASSET_TYPE, LSN_KIND_TAX, NULL
};

/**
 * lsn_halopsa_kind_lookup:
 *
 * Returns: (nullable): the description of @kind, or %NULL when Halo has no such kind here
 */
const LsnHalopsaKind *
lsn_halopsa_kind_lookup (const char *kind)
{
  if (kind == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].kind, kind))
      return &kinds[i];
  return NULL;
}

/**
 * lsn_halopsa_kinds:
 *
 * Returns: (array zero-terminated=1): the kinds that can be synced
 */
const char * const *
lsn_halopsa_kinds (void)
{
  return kind_names;
}

/**
 * lsn_halopsa_reference_kinds:
 *
 * Returns: (array zero-terminated=1): the reference lists
 */
const char * const *
lsn_halopsa_reference_kinds (void)
{
  return reference_kind_names;
}

gboolean
lsn_halopsa_kind_is_reference (const char *kind)
{
  return kind != NULL && g_strv_contains (reference_kind_names, kind);
}

/**
 * lsn_halopsa_parse_date:
 * @text: (nullable): a Halo date-time, with or without an offset (none means UTC)
 *
 * Returns: microseconds since the epoch, or 0 when absent, unreadable or a sentinel
 */
gint64
lsn_halopsa_parse_date (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *copy = NULL;

  if (text == NULL || *text == '\0')
    return 0;

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL && strlen (text) == 10)
    {
      copy = g_strconcat (text, "T00:00:00", NULL);
      dt = g_date_time_new_from_iso8601 (copy, utc);
    }
  if (dt == NULL || g_date_time_get_year (dt) <= 1901)
    return 0;

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static char *
format_date (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/**
 * lsn_halopsa_id_to_string:
 * @node: (nullable): an id as Halo sends it: 21, 21.0 or "21"
 *
 * Returns: (transfer full) (nullable): the id as text, or %NULL when absent or "not set" (≤ 0)
 */
char *
lsn_halopsa_id_to_string (JsonNode *node)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64)
    return json_node_get_int (node) > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)) : NULL;
  if (t == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);
      if (d >= 1 && d < 9.2e18 && d == (double) (gint64) d)
        return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);
      return NULL;
    }
  if (t == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      if (s == NULL || *s == '\0' || g_str_equal (s, "0") || g_str_equal (s, "-1"))
        return NULL;
      return g_strdup (s);
    }
  return NULL;
}

static JsonNode *
lookup_path (JsonObject *object,
             const char *path)
{
  const char *dot = strchr (path, '.');
  g_autofree char *head = NULL;
  JsonNode *node;

  if (dot == NULL)
    return json_object_get_member (object, path);

  head = g_strndup (path, dot - path);
  node = json_object_get_member (object, head);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return lookup_path (json_node_get_object (node), dot + 1);
}

/* Halo value -> canonical value, or NULL when unset. */
static JsonNode *
to_canonical (JsonNode            *node,
              LsnHalopsaFieldType  type)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  t = json_node_get_value_type (node);

  switch (type)
    {
    case LSN_HALOPSA_FIELD_STRING:
      if (t == G_TYPE_STRING)
        return json_node_init_string (json_node_alloc (), json_node_get_string (node));
      if (t == G_TYPE_INT64)
        {
          g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          return json_node_init_string (json_node_alloc (), s);
        }
      return NULL;

    case LSN_HALOPSA_FIELD_NUMBER:
      if (t == G_TYPE_INT64)
        return json_node_init_int (json_node_alloc (), json_node_get_int (node));
      if (t == G_TYPE_DOUBLE)
        return json_node_init_double (json_node_alloc (), json_node_get_double (node));
      if (t == G_TYPE_STRING)
        {
          char *end = NULL;
          double d = g_ascii_strtod (json_node_get_string (node), &end);
          if (end != NULL && end != json_node_get_string (node) && *end == '\0')
            return json_node_init_double (json_node_alloc (), d);
        }
      return NULL;

    case LSN_HALOPSA_FIELD_BOOLEAN:
      if (t == G_TYPE_BOOLEAN)
        return json_node_init_boolean (json_node_alloc (), json_node_get_boolean (node));
      if (t == G_TYPE_INT64)
        return json_node_init_boolean (json_node_alloc (), json_node_get_int (node) != 0);
      return NULL;

    case LSN_HALOPSA_FIELD_DATE:
      if (t == G_TYPE_STRING)
        {
          gint64 usec = lsn_halopsa_parse_date (json_node_get_string (node));
          g_autofree char *s = usec ? format_date (usec) : NULL;
          if (s != NULL)
            return json_node_init_string (json_node_alloc (), s);
        }
      return NULL;

    case LSN_HALOPSA_FIELD_REFERENCE:
      {
        g_autofree char *s = lsn_halopsa_id_to_string (node);
        return s ? json_node_init_string (json_node_alloc (), s) : NULL;
      }

    default:
      return NULL;
    }
}

static void
map_fields (const LsnHalopsaField *table,
            JsonObject            *raw,
            JsonObject            *fields)
{
  for (guint i = 0; table[i].halo != NULL; i++)
    {
      JsonNode *value = to_canonical (lookup_path (raw, table[i].halo), table[i].type);

      if (value != NULL)
        json_object_set_member (fields, table[i].canonical, value);
    }
}

/**
 * lsn_halopsa_flag_true:
 * @raw: a record as HaloPSA sent it
 * @name: one of its flags ("inactive", "deleted"...)
 *
 * Returns: whether the flag is there and set (true, or a non-zero number)
 */
gboolean
lsn_halopsa_flag_true (JsonObject *raw,
                       const char *name)
{
  JsonNode *node = json_object_get_member (raw, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return FALSE;
}

/* "inactive", "!is_active|deleted": true when any term holds; a negated term holds when its
 * flag is present and false. */
static gboolean
evaluate_inactive (const char *rule,
                   JsonObject *raw)
{
  g_auto(GStrv) terms = NULL;

  if (rule == NULL)
    return FALSE;

  terms = g_strsplit (rule, "|", -1);
  for (guint i = 0; terms[i] != NULL; i++)
    {
      if (terms[i][0] == '!')
        {
          JsonNode *node = json_object_get_member (raw, terms[i] + 1);
          if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
              && !lsn_halopsa_flag_true (raw, terms[i] + 1))
            return TRUE;
        }
      else if (lsn_halopsa_flag_true (raw, terms[i]))
        return TRUE;
    }
  return FALSE;
}

static void
map_custom_fields (JsonObject *raw,
                   JsonObject *fields)
{
  JsonNode *node = json_object_get_member (raw, "customfields");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *cf;
      JsonNode *name, *value;
      g_autofree char *key = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      cf = json_node_get_object (element);
      name = json_object_get_member (cf, "name");
      if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING)
        continue;

      value = json_object_get_member (cf, "value");
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
        value = json_object_get_member (cf, "display");
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
        continue;

      key = g_strconcat ("custom:", json_node_get_string (name), NULL);
      json_object_set_member (fields, key, json_node_copy (value));
    }
}

/**
 * lsn_halopsa_normalize:
 * @kind: the kind @raw is
 * @raw: one Halo record
 * @error: return location for a %LSN_ERROR_MALFORMED
 *
 * Returns: (transfer full) (nullable): the canonical record, with @raw attached
 */
LsnRecord *
lsn_halopsa_normalize (const LsnHalopsaKind  *kind,
                       JsonObject            *raw,
                       GError               **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *parent = NULL;
  JsonNode *node;
  gboolean inactive;
  gint64 modified = 0;
  LsnRecord *record;

  node = json_object_get_member (raw, "id");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64
          && json_node_get_value_type (node) != G_TYPE_STRING
          && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "A record in HaloPSA's list of %s has no id", kind->label);
      return NULL;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)); /* negative ids exist */
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) json_node_get_double (node));
  else
    id = g_strdup (json_node_get_string (node));

  map_fields (kind->fields, raw, fields);
  map_custom_fields (raw, fields);

  if (kind->line_fields != NULL)
    {
      JsonNode *lines = json_object_get_member (raw, "lines");

      if (lines != NULL && JSON_NODE_HOLDS_ARRAY (lines))
        {
          JsonArray *in = json_node_get_array (lines);
          g_autoptr(JsonArray) out = json_array_new ();

          for (guint i = 0; i < json_array_get_length (in); i++)
            {
              JsonNode *line = json_array_get_element (in, i);
              JsonObject *canonical;

              if (!JSON_NODE_HOLDS_OBJECT (line))
                continue;
              canonical = json_object_new ();
              map_fields (kind->line_fields, json_node_get_object (line), canonical);
              json_array_add_object_element (out, canonical);
            }
          json_object_set_array_member (fields, "lines", g_steal_pointer (&out));
        }
    }

  inactive = evaluate_inactive (kind->inactive, raw);
  if (kind->inactive != NULL)
    json_object_set_boolean_member (fields, "inactive", inactive);

  if (kind->name_field != NULL
      && (node = json_object_get_member (raw, kind->name_field)) != NULL
      && json_node_get_value_type (node) == G_TYPE_STRING)
    name = g_strdup (json_node_get_string (node));
  if (name == NULL && g_str_equal (kind->kind, LSN_KIND_CONTACT))
    name = g_strstrip (g_strdup_printf ("%s %s",
                                        json_object_get_string_member_with_default (raw, "firstname", ""),
                                        json_object_get_string_member_with_default (raw, "surname", "")));

  if (kind->modified_field != NULL
      && (node = json_object_get_member (raw, kind->modified_field)) != NULL
      && json_node_get_value_type (node) == G_TYPE_STRING)
    modified = lsn_halopsa_parse_date (json_node_get_string (node));
  if (modified == 0 && g_str_equal (kind->kind, LSN_KIND_SITE)
      && (node = json_object_get_member (raw, "uptimestamp")) != NULL
      && json_node_get_value_type (node) == G_TYPE_STRING)
    modified = lsn_halopsa_parse_date (json_node_get_string (node));

  record = lsn_record_new (kind->kind, id, name, fields, inactive, modified);
  if (kind->parent_field != NULL)
    {
      parent = lsn_halopsa_id_to_string (json_object_get_member (raw, kind->parent_field));
      lsn_record_set_parent_id (record, parent);
    }
  lsn_record_set_raw (record, raw);
  return record;
}

/* Canonical value -> Halo value. */
static JsonNode *
to_halo (JsonNode             *node,
         const LsnHalopsaField *field,
         GError              **error)
{
  GType t;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return json_node_init_null (json_node_alloc ());
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The value of “%s” must be a single value", field->canonical);
      return NULL;
    }
  t = json_node_get_value_type (node);

  switch (field->type)
    {
    case LSN_HALOPSA_FIELD_STRING:
      if (t == G_TYPE_STRING)
        return json_node_copy (node);
      if (t == G_TYPE_INT64)
        {
          g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          return json_node_init_string (json_node_alloc (), s);
        }
      if (t == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          return json_node_init_string (json_node_alloc (),
                                        g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
        }
      break;

    case LSN_HALOPSA_FIELD_NUMBER:
      if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
        return json_node_copy (node);
      if (t == G_TYPE_STRING)
        {
          char *end = NULL;
          double d = g_ascii_strtod (json_node_get_string (node), &end);
          if (end != NULL && end != json_node_get_string (node) && *end == '\0')
            return json_node_init_double (json_node_alloc (), d);
        }
      break;

    case LSN_HALOPSA_FIELD_BOOLEAN:
      if (t == G_TYPE_BOOLEAN)
        return json_node_copy (node);
      if (t == G_TYPE_STRING && (g_str_equal (json_node_get_string (node), "true")
                                 || g_str_equal (json_node_get_string (node), "false")))
        return json_node_init_boolean (json_node_alloc (),
                                       g_str_equal (json_node_get_string (node), "true"));
      break;

    case LSN_HALOPSA_FIELD_DATE:
      if (t == G_TYPE_STRING)
        {
          gint64 usec = lsn_halopsa_parse_date (json_node_get_string (node));
          g_autofree char *s = usec ? format_date (usec) : NULL;
          if (s != NULL)
            return json_node_init_string (json_node_alloc (), s);
        }
      break;

    case LSN_HALOPSA_FIELD_REFERENCE:
      /* Halo rejects 95.0 on input: always a whole number. */
      if (t == G_TYPE_INT64)
        return json_node_copy (node);
      if (t == G_TYPE_DOUBLE && json_node_get_double (node) == (double) (gint64) json_node_get_double (node))
        return json_node_init_int (json_node_alloc (), (gint64) json_node_get_double (node));
      if (t == G_TYPE_STRING)
        {
          char *end = NULL;
          gint64 v = g_ascii_strtoll (json_node_get_string (node), &end, 10);
          if (end != NULL && end != json_node_get_string (node) && *end == '\0')
            return json_node_init_int (json_node_alloc (), v);
        }
      break;

    default:
      break;
    }

  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "“%s” cannot be written to HaloPSA's “%s”: the value has the wrong type",
               field->canonical, field->halo);
  return NULL;
}

static const LsnHalopsaField *
find_canonical (const LsnHalopsaField *table,
                const char            *canonical)
{
  for (guint i = 0; table[i].halo != NULL; i++)
    if (g_str_equal (table[i].canonical, canonical))
      return &table[i];
  return NULL;
}

static void
set_path (JsonObject *object,
          const char *path,
          JsonNode   *value)
{
  const char *dot = strchr (path, '.');
  g_autofree char *head = NULL;
  JsonNode *node;

  if (dot == NULL)
    {
      json_object_set_member (object, path, value);
      return;
    }

  head = g_strndup (path, dot - path);
  node = json_object_get_member (object, head);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (object, head, json_object_new ());
      node = json_object_get_member (object, head);
    }
  set_path (json_node_get_object (node), dot + 1, value);
}

static gboolean
is_identifier (const char *name)
{
  if (name == NULL || *name == '\0' || *name == '_')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
denormalize_into (const LsnHalopsaField  *table,
                  JsonObject             *fields,
                  JsonObject             *out,
                  GError                **error)
{
  g_autoptr(GList) members = json_object_get_members (fields);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (fields, name);
      const LsnHalopsaField *field = find_canonical (table, name);
      JsonNode *converted;

      if (field != NULL)
        {
          if (field->read_only && !g_str_equal (field->halo, "id"))
            continue;
          if (!(converted = to_halo (value, field, error)))
            return FALSE;
          set_path (out, field->halo, converted);
        }
      else if (is_identifier (name) && !g_str_equal (name, "id")
               && !g_str_equal (name, "lines") && !g_str_equal (name, "inactive"))
        {
          /* A Halo property from the field catalogue, written under its own name. */
          json_object_set_member (out, name, json_node_copy (value));
        }
    }

  return TRUE;
}

/**
 * lsn_halopsa_denormalize:
 * @kind: the kind to write
 * @fields: canonical fields (and Halo property names from the field catalogue)
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * Returns: (transfer full) (nullable): the Halo object to POST (without an id)
 */
JsonObject *
lsn_halopsa_denormalize (const LsnHalopsaKind  *kind,
                         JsonObject            *fields,
                         GError               **error)
{
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(GPtrArray) custom = g_ptr_array_new ();
  g_autoptr(GList) members = NULL;
  JsonNode *node;

  if (!denormalize_into (kind->fields, fields, out, error))
    return NULL;

  /* custom:<name> -> customfields [{name, value}] */
  members = json_object_get_members (fields);
  for (GList *l = members; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, "custom:") && ((const char *) l->data)[7] != '\0')
      g_ptr_array_add (custom, l->data);
  if (custom->len > 0)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < custom->len; i++)
        {
          const char *key = g_ptr_array_index (custom, i);
          JsonObject *cf = json_object_new ();

          json_object_set_string_member (cf, "name", key + 7);
          json_object_set_member (cf, "value", json_node_copy (json_object_get_member (fields, key)));
          json_array_add_object_element (array, cf);
        }
      json_object_set_array_member (out, "customfields", g_steal_pointer (&array));
    }

  node = json_object_get_member (fields, "inactive");
  if (node != NULL && kind->inactive != NULL && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      gboolean inactive = json_node_get_boolean (node);

      if (g_str_has_prefix (kind->inactive, "!is_active"))
        json_object_set_boolean_member (out, "is_active", !inactive);
      else if (g_str_has_prefix (kind->inactive, "disabled"))
        json_object_set_boolean_member (out, "disabled", inactive);
      else
        json_object_set_boolean_member (out, "inactive", inactive);
    }

  node = json_object_get_member (fields, "lines");
  if (node != NULL && kind->line_fields != NULL)
    {
      g_autoptr(JsonArray) lines = json_array_new ();
      JsonArray *in;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                               "“lines” must be a list of objects");
          return NULL;
        }
      in = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (in); i++)
        {
          JsonNode *line = json_array_get_element (in, i);
          g_autoptr(JsonObject) halo_line = json_object_new ();

          if (!JSON_NODE_HOLDS_OBJECT (line))
            {
              g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                                   "“lines” must be a list of objects");
              return NULL;
            }
          if (!denormalize_into (kind->line_fields, json_node_get_object (line), halo_line, error))
            return NULL;
          json_array_add_object_element (lines, g_steal_pointer (&halo_line));
        }
      json_object_set_array_member (out, "lines", g_steal_pointer (&lines));
    }

  /* Halo needs a contact's full name: make one when only its parts are given. */
  if (g_str_equal (kind->kind, LSN_KIND_CONTACT) && !json_object_has_member (out, "name")
      && (json_object_has_member (out, "firstname") || json_object_has_member (out, "surname")))
    {
      const char *first = json_object_get_string_member_with_default (out, "firstname", "");
      const char *last = json_object_get_string_member_with_default (out, "surname", "");
      g_autofree char *full = g_strstrip (g_strdup_printf ("%s %s", first ? first : "", last ? last : ""));

      json_object_set_string_member (out, "name", full);
    }

  return g_steal_pointer (&out);
}
