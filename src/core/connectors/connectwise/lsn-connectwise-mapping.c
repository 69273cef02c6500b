/* lsn-connectwise-mapping.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connectwise"

#include "config.h"

#include <string.h>

#include "lsn-connector.h"
#include "lsn-error.h"
#include "lsn-connectwise-mapping.h"
#include "lsn-connectwise-query.h"

/* ---------------------------------------------------------------------------------------------
 * Kinds
 */

static const LsnConnectwiseKindInfo kind_infos[] = {
  /* Companies: inactive comes from the status and deletedFlag, filtered after reading */
  { LSN_KIND_CLIENT, "/company/companies", NULL, "name", NULL, TRUE, FALSE,
    "Companies › Company Maintenance" },
  { LSN_KIND_SITE, "/company/companies/{parent}/sites", LSN_KIND_CLIENT, "name", "inactiveFlag", TRUE, FALSE,
    "Companies › Company Maintenance" },
  { LSN_KIND_CONTACT, "/company/contacts", NULL, "lastName", "inactiveFlag", TRUE, FALSE,
    "Companies › Contacts" },
  { LSN_KIND_OPPORTUNITY, "/sales/opportunities", NULL, "name", NULL, FALSE, FALSE,
    "Sales › Opportunity" },
  { LSN_KIND_PRODUCT, "/procurement/catalog", NULL, "description", "inactiveFlag", TRUE, FALSE,
    "Procurement › Product Catalog" },
  { LSN_KIND_ADDITION, "/finance/agreements/{parent}/additions", LSN_CONNECTWISE_REF_AGREEMENT, "description", NULL,
    TRUE, FALSE, "Finance › Agreements" },

  { LSN_CONNECTWISE_REF_STAGE, "/sales/stages", NULL, "name", NULL, FALSE, TRUE,
    "Sales › Opportunity" },
  { LSN_CONNECTWISE_REF_OPPORTUNITY_STATUS, "/sales/opportunities/statuses", NULL, "name", "inactiveFlag",
    FALSE, TRUE, "Sales › Opportunity" },
  { LSN_CONNECTWISE_REF_OPPORTUNITY_TYPE, "/sales/opportunities/types", NULL, "description", "inactiveFlag",
    FALSE, TRUE, "Sales › Opportunity" },
  { LSN_CONNECTWISE_REF_OPPORTUNITY_RATING, "/sales/opportunities/ratings", NULL, "name", NULL, FALSE, TRUE,
    "Sales › Opportunity" },
  { LSN_CONNECTWISE_REF_COMPANY_TYPE, "/company/companies/types", NULL, "name", NULL, FALSE, TRUE,
    "Companies › Company Maintenance" },
  { LSN_CONNECTWISE_REF_COMPANY_STATUS, "/company/companies/statuses", NULL, "name", "inactiveFlag", FALSE, TRUE,
    "Companies › Company Maintenance" },
  { LSN_CONNECTWISE_REF_PRODUCT_TYPE, "/procurement/types", NULL, "name", "inactiveFlag", FALSE, TRUE,
    "Procurement › Product Catalog" },
  { LSN_CONNECTWISE_REF_CATEGORY, "/procurement/categories", NULL, "name", "inactiveFlag", FALSE, TRUE,
    "Procurement › Product Catalog" },
  { LSN_CONNECTWISE_REF_SUBCATEGORY, "/procurement/subcategories", NULL, "name", "inactiveFlag", FALSE, TRUE,
    "Procurement › Product Catalog" },
  { LSN_CONNECTWISE_REF_TAXCODE, "/finance/taxCodes", NULL, "description", NULL, FALSE, TRUE,
    "Finance › Table Setup (Tax Code)" },
  { LSN_CONNECTWISE_REF_AGREEMENT, "/finance/agreements", NULL, "name", NULL, FALSE, TRUE,
    "Finance › Agreements" },
  { LSN_CONNECTWISE_REF_MEMBER, "/system/members", NULL, "identifier", "inactiveFlag", FALSE, TRUE,
    "System › Member Maintenance" },
  { LSN_CONNECTWISE_REF_COUNTRY, "/company/countries", NULL, "name", NULL, FALSE, TRUE,
    "System › Table Setup" },
  { LSN_CONNECTWISE_REF_STATE, "/company/states", NULL, "name", NULL, FALSE, TRUE,
    "System › Table Setup" },
  { LSN_CONNECTWISE_REF_COMMUNICATION_TYPE, "/company/communicationTypes", NULL, "description", NULL, FALSE,
    TRUE, "System › Table Setup" },
};

/**
 * lsn_connectwise_kind_info:
 * @kind: (nullable): a kind, or "tax" for tax codes
 *
 * Returns: (nullable): what the connector knows about @kind
 */
const LsnConnectwiseKindInfo *
lsn_connectwise_kind_info (const char *kind)
{
  if (kind == NULL)
    return NULL;

  if (g_str_equal (kind, LSN_KIND_TAX))
    kind = LSN_CONNECTWISE_REF_TAXCODE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_infos); i++)
    if (g_str_equal (kind_infos[i].kind, kind))
      return &kind_infos[i];
  return NULL;
}

/**
 * lsn_connectwise_kinds:
 *
 * Returns: (array zero-terminated=1) (transfer none): the entity kinds that sync
 */
const char * const *
lsn_connectwise_kinds (void)
{
  static const char * const kinds[] = {
    LSN_KIND_CLIENT, LSN_KIND_SITE, LSN_KIND_CONTACT, LSN_KIND_OPPORTUNITY, LSN_KIND_PRODUCT,
    LSN_KIND_ADDITION, NULL
  };
  return kinds;
}

/**
 * lsn_connectwise_reference_kinds:
 *
 * Returns: (array zero-terminated=1) (transfer none): the reference lists a profile maps
 */
const char * const *
lsn_connectwise_reference_kinds (void)
{
  static const char * const kinds[] = {
    LSN_CONNECTWISE_REF_STAGE, LSN_CONNECTWISE_REF_OPPORTUNITY_STATUS,
    LSN_CONNECTWISE_REF_OPPORTUNITY_TYPE, LSN_CONNECTWISE_REF_OPPORTUNITY_RATING,
    LSN_CONNECTWISE_REF_COMPANY_TYPE, LSN_CONNECTWISE_REF_COMPANY_STATUS,
    LSN_CONNECTWISE_REF_PRODUCT_TYPE, LSN_CONNECTWISE_REF_CATEGORY, LSN_CONNECTWISE_REF_SUBCATEGORY,
    LSN_CONNECTWISE_REF_TAXCODE, LSN_CONNECTWISE_REF_AGREEMENT, LSN_CONNECTWISE_REF_MEMBER, NULL
  };
  return kinds;
}

/* ---------------------------------------------------------------------------------------------
 * Field tables
 */

typedef enum
{
  V_STRING,
  V_NUMBER,
  V_BOOL,
  V_DATE,
  V_REF_ID,     /* a reference member; canonical holds its id as text */
  V_REF_NAME,   /* a reference member; canonical holds its name, written through a lookup */
  V_REF_IDENT,  /* a reference member; canonical holds its identifier, written as {"identifier"} */
  V_SPECIAL,    /* handled by code of its own */
} ValueType;

enum
{
  F_READ_ONLY   = 1 << 0,
  F_CREATE_ONLY = 1 << 1,
};

typedef struct
{
  const char *canonical;
  const char *member;
  const char *label;
  ValueType   type;
  const char *lookup;  /* V_REF_NAME: the reference kind to resolve; V_REF_*: key read first */
  guint       flags;
} FieldDef;

static const FieldDef client_fields[] = {
  { "name", "name", "Name", V_STRING, NULL, 0 },
  { "identifier", "identifier", "Company ID", V_STRING, NULL, 0 },
  { "phone", "phoneNumber", "Phone", V_STRING, NULL, 0 },
  { "fax", "faxNumber", "Fax", V_STRING, NULL, 0 },
  { "website", "website", "Website", V_STRING, NULL, 0 },
  { "address1", "addressLine1", "Address line 1", V_STRING, NULL, 0 },
  { "address2", "addressLine2", "Address line 2", V_STRING, NULL, 0 },
  { "city", "city", "City", V_STRING, NULL, 0 },
  { "state", "state", "State", V_STRING, NULL, 0 },
  { "postcode", "zip", "Zip", V_STRING, NULL, 0 },
  { "country", "country", "Country", V_REF_NAME, LSN_CONNECTWISE_REF_COUNTRY, 0 },
  { "inactive", "status", "Inactive (from the status)", V_SPECIAL, NULL, 0 },
  { "status", "status", "Status", V_REF_NAME, LSN_CONNECTWISE_REF_COMPANY_STATUS, F_READ_ONLY },
  { "status_id", "status", "Status id", V_REF_ID, NULL, 0 },
  { "reference", NULL, "External reference", V_SPECIAL, NULL, 0 },
  { "type", "types", "Type (set on create only)", V_SPECIAL, NULL, F_CREATE_ONLY },
  { "type_id", "types", "Type id (set on create only)", V_SPECIAL, NULL, F_CREATE_ONLY },
  { "toplevel", "parentCompany", "Top level (no parent company)", V_SPECIAL, NULL, F_READ_ONLY },
  { "parent_client_id", "parentCompany", "Parent company id", V_REF_ID, NULL, 0 },
  { "territory", "territory", "Territory", V_REF_NAME, NULL, F_READ_ONLY },
  { "tax_code_id", "taxCode", "Tax code id", V_REF_ID, NULL, 0 },
  { NULL }
};

static const FieldDef site_fields[] = {
  { "name", "name", "Name", V_STRING, NULL, 0 },
  { "client_id", "company", "Company id", V_SPECIAL, NULL, F_CREATE_ONLY },
  { "phone", "phoneNumber", "Phone", V_STRING, NULL, 0 },
  { "fax", "faxNumber", "Fax", V_STRING, NULL, 0 },
  { "address1", "addressLine1", "Address line 1", V_STRING, NULL, 0 },
  { "address2", "addressLine2", "Address line 2", V_STRING, NULL, 0 },
  { "city", "city", "City", V_STRING, NULL, 0 },
  { "state", "stateReference", "State", V_REF_NAME, LSN_CONNECTWISE_REF_STATE, 0 },
  { "postcode", "zip", "Zip", V_STRING, NULL, 0 },
  { "country", "country", "Country", V_REF_NAME, LSN_CONNECTWISE_REF_COUNTRY, 0 },
  { "inactive", "inactiveFlag", "Inactive", V_BOOL, NULL, 0 },
  { "primary", "primaryAddressFlag", "Primary address", V_BOOL, NULL, 0 },
  { NULL }
};

static const FieldDef contact_fields[] = {
  { "firstname", "firstName", "First name", V_STRING, NULL, 0 },
  { "lastname", "lastName", "Last name", V_STRING, NULL, 0 },
  { "email", "communicationItems", "Email (default email item)", V_SPECIAL, NULL, 0 },
  { "phone", "communicationItems", "Phone (default phone item)", V_SPECIAL, NULL, 0 },
  { "mobile", "communicationItems", "Mobile (mobile phone item)", V_SPECIAL, NULL, 0 },
  { "jobtitle", "title", "Title", V_STRING, NULL, 0 },
  { "client_id", "company", "Company id", V_REF_ID, NULL, 0 },
  { "site_id", "site", "Site id", V_SPECIAL, NULL, 0 },
  { "inactive", "inactiveFlag", "Inactive", V_BOOL, NULL, 0 },
  { "address1", "addressLine1", "Address line 1", V_STRING, NULL, 0 },
  { "address2", "addressLine2", "Address line 2", V_STRING, NULL, 0 },
  { "city", "city", "City", V_STRING, NULL, 0 },
  { "state", "state", "State", V_STRING, NULL, 0 },
  { "postcode", "zip", "Zip", V_STRING, NULL, 0 },
  { "country", "country", "Country", V_REF_NAME, LSN_CONNECTWISE_REF_COUNTRY, 0 },
  { NULL }
};

static const FieldDef opportunity_fields[] = {
  { "title", "name", "Name", V_STRING, NULL, 0 },
  { "description", "notes", "Notes", V_STRING, NULL, 0 },
  { "client_id", "company", "Company id", V_REF_ID, NULL, 0 },
  { "contact_id", "contact", "Contact id", V_REF_ID, NULL, 0 },
  { "site_id", "site", "Site id", V_SPECIAL, NULL, 0 },
  { "owner_id", "primarySalesRep", "Sales rep id", V_REF_ID, NULL, 0 },
  { "stage_id", "stage", "Stage id", V_REF_ID, NULL, 0 },
  { "stage", "stage", "Stage", V_REF_NAME, LSN_CONNECTWISE_REF_STAGE, F_READ_ONLY },
  { "status_id", "status", "Status id", V_REF_ID, NULL, 0 },
  { "status", "status", "Status", V_REF_NAME, LSN_CONNECTWISE_REF_OPPORTUNITY_STATUS, F_READ_ONLY },
  { "type_id", "type", "Type id", V_REF_ID, NULL, 0 },
  { "rating_id", "rating", "Rating id", V_REF_ID, NULL, 0 },
  { "probability_id", "probability", "Probability id", V_REF_ID, NULL, 0 },
  { "expected_close", "expectedCloseDate", "Expected close date", V_DATE, NULL, 0 },
  { "closed_date", "closedDate", "Closed date", V_DATE, NULL, 0 },
  { "source", "source", "Source", V_STRING, NULL, 0 },
  { "customer_po", "customerPO", "Customer PO", V_STRING, NULL, 0 },
  { "tax_code_id", "taxCode", "Tax code id", V_REF_ID, NULL, 0 },
  { "currency", "currency", "Currency", V_REF_NAME, NULL, F_READ_ONLY },
  { NULL }
};

static const FieldDef product_fields[] = {
  { "code", "identifier", "Product ID", V_STRING, NULL, 0 },
  { "name", "description", "Description", V_STRING, NULL, 0 },
  { "description", "customerDescription", "Customer description", V_STRING, NULL, 0 },
  { "price", "price", "Price", V_NUMBER, NULL, 0 },
  { "cost", "cost", "Cost", V_NUMBER, NULL, 0 },
  { "taxable", "taxableFlag", "Taxable", V_BOOL, NULL, 0 },
  { "inactive", "inactiveFlag", "Inactive", V_BOOL, NULL, 0 },
  { "type_id", "type", "Product type id", V_REF_ID, NULL, 0 },
  { "type", "type", "Product type", V_REF_NAME, LSN_CONNECTWISE_REF_PRODUCT_TYPE, 0 },
  { "category_id", "category", "Category id", V_REF_ID, NULL, 0 },
  { "category", "category", "Category", V_REF_NAME, LSN_CONNECTWISE_REF_CATEGORY, 0 },
  { "subcategory_id", "subcategory", "Subcategory id", V_REF_ID, NULL, 0 },
  { "subcategory", "subcategory", "Subcategory", V_REF_NAME, LSN_CONNECTWISE_REF_SUBCATEGORY, 0 },
  { "product_class", "productClass", "Product class", V_STRING, NULL, 0 },
  { "manufacturer_part_number", "manufacturerPartNumber", "Manufacturer part number", V_STRING, NULL, 0 },
  { "vendor_sku", "vendorSku", "Vendor SKU", V_STRING, NULL, 0 },
  { "unit_of_measure", "unitOfMeasure", "Unit of measure", V_REF_NAME, NULL, F_READ_ONLY },
  { "recurring", "recurringFlag", "Recurring", V_BOOL, NULL, 0 },
  { "recurring_price", "recurringRevenue", "Recurring revenue", V_NUMBER, NULL, 0 },
  { "recurring_cost", "recurringCost", "Recurring cost", V_NUMBER, NULL, 0 },
  { NULL }
};

static const FieldDef addition_fields[] = {
  { "agreement_id", "agreementId", "Agreement id", V_SPECIAL, NULL, F_CREATE_ONLY },
  { "product_id", "product", "Product id", V_REF_ID, NULL, 0 },
  { "product_code", "product", "Product ID (identifier)", V_REF_IDENT, "identifier", 0 },
  { "quantity", "quantity", "Quantity", V_NUMBER, NULL, 0 },
  { "less_included", "lessIncluded", "Less included", V_NUMBER, NULL, 0 },
  { "unit_price", "unitPrice", "Unit price", V_NUMBER, NULL, 0 },
  { "unit_cost", "unitCost", "Unit cost", V_NUMBER, NULL, 0 },
  { "billing", "billCustomer", "Bill customer", V_STRING, NULL, 0 },
  { "effective_date", "effectiveDate", "Effective date", V_DATE, NULL, 0 },
  { "cancelled_date", "cancelledDate", "Cancelled date", V_DATE, NULL, 0 },
  { "description", "description", "Description", V_STRING, NULL, 0 },
  { "invoice_description", "invoiceDescription", "Invoice description", V_STRING, NULL, 0 },
  { "serial_number", "serialNumber", "Serial number", V_STRING, NULL, 0 },
  { "taxable", "taxableFlag", "Taxable", V_BOOL, NULL, 0 },
  { "inactive", "cancelledDate", "Inactive (cancelled)", V_SPECIAL, NULL, F_READ_ONLY },
  { NULL }
};

static const FieldDef *
fields_of (const char *kind)
{
  if (kind == NULL)
    return NULL;
  if (g_str_equal (kind, LSN_KIND_CLIENT))
    return client_fields;
  if (g_str_equal (kind, LSN_KIND_SITE))
    return site_fields;
  if (g_str_equal (kind, LSN_KIND_CONTACT))
    return contact_fields;
  if (g_str_equal (kind, LSN_KIND_OPPORTUNITY))
    return opportunity_fields;
  if (g_str_equal (kind, LSN_KIND_PRODUCT))
    return product_fields;
  if (g_str_equal (kind, LSN_KIND_ADDITION))
    return addition_fields;
  return NULL;
}

static const FieldDef *
find_field (const char *kind,
            const char *canonical)
{
  const FieldDef *defs = fields_of (kind);

  for (guint i = 0; defs && defs[i].canonical; i++)
    if (g_str_equal (defs[i].canonical, canonical))
      return &defs[i];
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Careful JSON access: the server's JSON is never trusted to have the expected types.
 */

static const char *
obj_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
obj_object (JsonObject *obj,
            const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonArray *
obj_array (JsonObject *obj,
           const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static gboolean
node_is_number (JsonNode *node)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

static gboolean
node_get_int (JsonNode *node,
              gint64   *out)
{
  if (!node_is_number (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else
    {
      double d = json_node_get_double (node);
      if (d != (double) (gint64) d)
        return FALSE;
      *out = (gint64) d;
    }
  return TRUE;
}

static gboolean
obj_int (JsonObject *obj,
         const char *member,
         gint64     *out)
{
  if (obj == NULL)
    return FALSE;
  return node_get_int (json_object_get_member (obj, member), out);
}

static gboolean
obj_bool (JsonObject *obj,
          const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  return json_node_get_boolean (node);
}

static gboolean
obj_has_bool (JsonObject *obj,
              const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return FALSE;
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static void
set_owned_string (JsonObject *obj,
                  const char *member,
                  char       *value)
{
  json_object_set_string_member (obj, member, value);
  g_free (value);
}

static JsonNode *
ref_node (const char *key,
          gint64      id,
          const char *text)
{
  g_autoptr(JsonObject) ref = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (text != NULL)
    json_object_set_string_member (ref, key, text);
  else
    json_object_set_int_member (ref, key, id);
  json_node_set_object (node, ref);
  return node;
}

/* ---------------------------------------------------------------------------------------------
 * Child ids: sites and additions are addressed through their parent, so their remote id is
 * "<parent id>/<id>".
 */

/**
 * lsn_connectwise_make_child_id:
 *
 * Returns: (transfer full): "<parent_id>/<id>"
 */
char *
lsn_connectwise_make_child_id (gint64 parent_id,
                               gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, parent_id, id);
}

/**
 * lsn_connectwise_split_child_id:
 * @remote_id: (nullable): "<parent id>/<id>"
 *
 * Returns: %TRUE when @remote_id has that form with two valid ids
 */
gboolean
lsn_connectwise_split_child_id (const char *remote_id,
                                gint64     *parent_id,
                                gint64     *id)
{
  const char *slash;
  g_autofree char *parent = NULL;

  if (remote_id == NULL || (slash = strchr (remote_id, '/')) == NULL)
    return FALSE;

  parent = g_strndup (remote_id, slash - remote_id);
  return lsn_connectwise_parse_id (parent, parent_id) && lsn_connectwise_parse_id (slash + 1, id);
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 */

static char *
format_date (const char *text)
{
  gint64 usec;
  g_autoptr(GDateTime) dt = NULL;

  if (!lsn_connectwise_parse_datetime (text, &usec))
    return g_strdup (text);
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
communication_is_email (JsonObject *item)
{
  const char *ct = obj_string (item, "communicationType");
  const char *type_name = obj_string (obj_object (item, "type"), "name");

  if (ct != NULL)
    return g_ascii_strcasecmp (ct, "Email") == 0;
  return type_name != NULL && g_ascii_strcasecmp (type_name, "Email") == 0;
}

static gboolean
communication_is_mobile (JsonObject *item)
{
  const char *ct = obj_string (item, "communicationType");
  const char *type_name = obj_string (obj_object (item, "type"), "name");
  g_autofree char *lower = NULL;

  if (ct != NULL && g_ascii_strcasecmp (ct, "Phone") != 0)
    return FALSE;
  if (type_name == NULL)
    return FALSE;
  lower = g_ascii_strdown (type_name, -1);
  return strstr (lower, "mobile") != NULL || strstr (lower, "cell") != NULL;
}

static gboolean
communication_is_phone (JsonObject *item)
{
  const char *ct = obj_string (item, "communicationType");

  if (ct == NULL || g_ascii_strcasecmp (ct, "Phone") != 0)
    return FALSE;
  return !communication_is_mobile (item);
}

typedef gboolean (*ItemTest) (JsonObject *item);

static ItemTest
communication_test (const char *canonical)
{
  if (g_str_equal (canonical, "email"))
    return communication_is_email;
  if (g_str_equal (canonical, "mobile"))
    return communication_is_mobile;
  return communication_is_phone;
}

/* The item that stands for a canonical email/phone/mobile: the default one of its kind, else the
 * first. Returns its index, or -1. */
static int
communication_find (JsonArray  *items,
                    const char *canonical)
{
  ItemTest test = communication_test (canonical);
  int first = -1;

  for (guint i = 0; items && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);
      if (!test (item) || obj_string (item, "value") == NULL)
        continue;
      if (obj_bool (item, "defaultFlag"))
        return i;
      if (first < 0)
        first = i;
    }
  return first;
}

static const char *
communication_value (JsonArray  *items,
                     const char *canonical)
{
  int index = communication_find (items, canonical);

  if (index < 0)
    return NULL;
  return obj_string (json_array_get_object_element (items, index), "value");
}

static gboolean
reference_is_custom (const char *reference_field)
{
  return reference_field != NULL && g_str_has_prefix (reference_field, LSN_CONNECTWISE_CUSTOM_PREFIX);
}

/* Finds a custom field by "<id>" or by caption. */
static JsonObject *
custom_field_find (JsonArray  *custom,
                   const char *id_or_caption)
{
  gint64 wanted = 0;
  gboolean by_id = lsn_connectwise_parse_id (id_or_caption, &wanted);

  for (guint i = 0; custom && i < json_array_get_length (custom); i++)
    {
      JsonNode *node = json_array_get_element (custom, i);
      JsonObject *cf;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      cf = json_node_get_object (node);
      if (by_id && obj_int (cf, "id", &id) && id == wanted)
        return cf;
      if (!by_id && g_strcmp0 (obj_string (cf, "caption"), id_or_caption) == 0)
        return cf;
    }
  return NULL;
}

static void
set_scalar (JsonObject *fields,
            const char *name,
            JsonNode   *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return;
  json_object_set_member (fields, name, json_node_copy (node));
}

static void
read_reference (JsonObject                      *raw,
                JsonObject                      *fields,
                const LsnConnectwiseReadContext *ctx)
{
  const char *member = ctx && ctx->reference_field ? ctx->reference_field : "accountNumber";

  if (reference_is_custom (member))
    {
      JsonObject *cf = custom_field_find (obj_array (raw, "customFields"),
                                          member + strlen (LSN_CONNECTWISE_CUSTOM_PREFIX));
      JsonNode *value = cf ? json_object_get_member (cf, "value") : NULL;

      if (value != NULL && JSON_NODE_HOLDS_VALUE (value))
        {
          if (json_node_get_value_type (value) == G_TYPE_STRING)
            {
              if (*json_node_get_string (value) != '\0')
                json_object_set_string_member (fields, "reference", json_node_get_string (value));
            }
          else
            {
              /* a number field: compare as text, like every remote id */
              gint64 n;
              if (node_get_int (value, &n))
                set_owned_string (fields, "reference", g_strdup_printf ("%" G_GINT64_FORMAT, n));
            }
        }
      return;
    }

  if (obj_string (raw, member) != NULL && *obj_string (raw, member) != '\0')
    json_object_set_string_member (fields, "reference", obj_string (raw, member));
}

static void
read_special (const char                      *kind,
              const FieldDef                  *def,
              JsonObject                      *raw,
              JsonObject                      *fields,
              const LsnConnectwiseReadContext *ctx,
              gboolean                        *inactive)
{
  const char *c = def->canonical;

  if (g_str_equal (kind, LSN_KIND_CLIENT))
    {
      if (g_str_equal (c, "inactive"))
        {
          gint64 status_id;
          gboolean off = obj_bool (raw, "deletedFlag");

          if (ctx && ctx->inactive_status_ids
              && obj_int (obj_object (raw, "status"), "id", &status_id)
              && g_hash_table_contains (ctx->inactive_status_ids, GINT_TO_POINTER ((int) status_id)))
            off = TRUE;
          json_object_set_boolean_member (fields, "inactive", off);
          *inactive = off;
        }
      else if (g_str_equal (c, "reference"))
        read_reference (raw, fields, ctx);
      else if (g_str_equal (c, "type") || g_str_equal (c, "type_id"))
        {
          JsonArray *types = obj_array (raw, "types");
          JsonNode *first = types && json_array_get_length (types) > 0 ? json_array_get_element (types, 0) : NULL;
          JsonObject *t = first && JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
          gint64 id;

          if (t == NULL)
            return;
          if (g_str_equal (c, "type") && obj_string (t, "name"))
            json_object_set_string_member (fields, "type", obj_string (t, "name"));
          else if (g_str_equal (c, "type_id") && obj_int (t, "id", &id))
            set_owned_string (fields, "type_id", g_strdup_printf ("%" G_GINT64_FORMAT, id));
        }
      else if (g_str_equal (c, "toplevel"))
        json_object_set_boolean_member (fields, "toplevel", obj_object (raw, "parentCompany") == NULL);
    }
  else if (g_str_equal (kind, LSN_KIND_CONTACT))
    {
      if (g_str_equal (c, "site_id"))
        {
          gint64 company_id, site_id;
          if (obj_int (obj_object (raw, "company"), "id", &company_id)
              && obj_int (obj_object (raw, "site"), "id", &site_id))
            set_owned_string (fields, "site_id",
                                           lsn_connectwise_make_child_id (company_id, site_id));
        }
      else
        {
          const char *value = communication_value (obj_array (raw, "communicationItems"), c);

          if (value == NULL && g_str_equal (c, "phone"))
            value = obj_string (raw, "defaultPhoneNbr");
          if (value != NULL && *value != '\0')
            json_object_set_string_member (fields, c, value);
        }
    }
  else if (g_str_equal (kind, LSN_KIND_OPPORTUNITY))
    {
      gint64 company_id, site_id;
      if (obj_int (obj_object (raw, "company"), "id", &company_id)
          && obj_int (obj_object (raw, "site"), "id", &site_id))
        set_owned_string (fields, "site_id", lsn_connectwise_make_child_id (company_id, site_id));
    }
  else if (g_str_equal (kind, LSN_KIND_SITE))
    {
      gint64 company_id;
      if (obj_int (obj_object (raw, "company"), "id", &company_id))
        set_owned_string (fields, "client_id", g_strdup_printf ("%" G_GINT64_FORMAT, company_id));
      else if (ctx && ctx->parent_id)
        json_object_set_string_member (fields, "client_id", ctx->parent_id);
    }
  else if (g_str_equal (kind, LSN_KIND_ADDITION))
    {
      if (g_str_equal (c, "agreement_id"))
        {
          gint64 agreement_id;
          if (obj_int (raw, "agreementId", &agreement_id))
            set_owned_string (fields, "agreement_id",
                                           g_strdup_printf ("%" G_GINT64_FORMAT, agreement_id));
          else if (ctx && ctx->parent_id)
            json_object_set_string_member (fields, "agreement_id", ctx->parent_id);
        }
      else if (g_str_equal (c, "inactive"))
        {
          gint64 cancelled;
          gboolean off = lsn_connectwise_parse_datetime (obj_string (raw, "cancelledDate"), &cancelled)
                         && cancelled <= (ctx && ctx->now_usec ? ctx->now_usec : g_get_real_time ());
          json_object_set_boolean_member (fields, "inactive", off);
          *inactive = off;
        }
    }
}

static void
read_custom_fields (JsonObject *raw,
                    JsonObject *fields)
{
  JsonArray *custom = obj_array (raw, "customFields");

  for (guint i = 0; custom && i < json_array_get_length (custom); i++)
    {
      JsonNode *node = json_array_get_element (custom, i);
      JsonObject *cf;
      JsonNode *value;
      gint64 id;
      g_autofree char *name = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      cf = json_node_get_object (node);
      if (!obj_int (cf, "id", &id))
        continue;
      value = json_object_get_member (cf, "value");
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
        continue;
      name = g_strdup_printf (LSN_CONNECTWISE_CUSTOM_PREFIX "%" G_GINT64_FORMAT, id);
      json_object_set_member (fields, name, json_node_copy (value));
    }
}

static char *
record_name (const char *kind,
             JsonObject *raw)
{
  const LsnConnectwiseKindInfo *info = lsn_connectwise_kind_info (kind);

  if (g_str_equal (kind, LSN_KIND_CONTACT))
    {
      const char *first = obj_string (raw, "firstName");
      const char *last = obj_string (raw, "lastName");
      if (first && last && *first && *last)
        return g_strdup_printf ("%s %s", first, last);
      return g_strdup (first && *first ? first : last);
    }
  if (g_str_equal (kind, LSN_KIND_ADDITION))
    {
      const char *product = obj_string (obj_object (raw, "product"), "identifier");
      return g_strdup (product ? product : obj_string (raw, "description"));
    }
  if (g_str_equal (kind, LSN_CONNECTWISE_REF_MEMBER))
    {
      const char *first = obj_string (raw, "firstName");
      const char *last = obj_string (raw, "lastName");
      if (first && last)
        return g_strdup_printf ("%s %s", first, last);
      return g_strdup (obj_string (raw, "identifier"));
    }
  if (g_str_equal (kind, LSN_CONNECTWISE_REF_STAGE) || g_str_equal (kind, LSN_KIND_CLIENT))
    return g_strdup (obj_string (raw, "name"));

  if (info && obj_string (raw, info->name_member))
    return g_strdup (obj_string (raw, info->name_member));
  if (obj_string (raw, "name"))
    return g_strdup (obj_string (raw, "name"));
  if (obj_string (raw, "description"))
    return g_strdup (obj_string (raw, "description"));
  return g_strdup (obj_string (raw, "identifier"));
}

/* Reference lists: the name, a code where there is one, and every flag and scalar as it is. */
static void
read_reference_kind (JsonObject *raw,
                     JsonObject *fields,
                     const char *name,
                     gboolean   *inactive)
{
  g_autoptr(GList) members = json_object_get_members (raw);

  for (GList *l = members; l; l = l->next)
    {
      const char *member = l->data;
      JsonNode *node = json_object_get_member (raw, member);

      if (g_str_equal (member, "id") || member[0] == '_')
        continue;
      if (JSON_NODE_HOLDS_VALUE (node))
        set_scalar (fields, member, node);
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          /* a reference: keep its id and name, as <member>_id and <member> */
          JsonObject *ref = json_node_get_object (node);
          gint64 id;
          g_autofree char *id_name = g_strconcat (member, "_id", NULL);
          if (obj_int (ref, "id", &id))
            set_owned_string (fields, id_name, g_strdup_printf ("%" G_GINT64_FORMAT, id));
          if (obj_string (ref, "name"))
            json_object_set_string_member (fields, member, obj_string (ref, "name"));
          else if (obj_string (ref, "identifier"))
            json_object_set_string_member (fields, member, obj_string (ref, "identifier"));
        }
    }

  if (name)
    json_object_set_string_member (fields, "name", name);
  if (obj_string (raw, "identifier"))
    json_object_set_string_member (fields, "code", obj_string (raw, "identifier"));
  *inactive = obj_bool (raw, "inactiveFlag")
              || g_strcmp0 (obj_string (raw, "agreementStatus"), "Cancelled") == 0
              || g_strcmp0 (obj_string (raw, "agreementStatus"), "Inactive") == 0
              || g_strcmp0 (obj_string (raw, "agreementStatus"), "Expired") == 0;
  json_object_set_boolean_member (fields, "inactive", *inactive);
}

/**
 * lsn_connectwise_normalize:
 * @kind: the kind @raw was listed as
 * @raw: one record as the server sent it
 * @ctx: (nullable): settings and lookups
 * @error: return location for %LSN_ERROR_MALFORMED
 *
 * Returns: (transfer full) (nullable): the canonical record, with @raw attached
 */
LsnRecord *
lsn_connectwise_normalize (const char                      *kind,
                           JsonObject                      *raw,
                           const LsnConnectwiseReadContext *ctx,
                           GError                         **error)
{
  const LsnConnectwiseKindInfo *info = lsn_connectwise_kind_info (kind);
  const FieldDef *defs = fields_of (kind);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *name = NULL;
  g_autofree char *remote_id = NULL;
  g_autofree char *parent = NULL;
  gboolean inactive = FALSE;
  gint64 modified = 0;
  gint64 id;
  LsnRecord *record;

  if (info == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "ConnectWise Manage has no kind “%s”", kind);
      return NULL;
    }

  if (raw == NULL || !obj_int (raw, "id", &id))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "ConnectWise sent a %s without a numeric “id”", kind);
      return NULL;
    }

  name = record_name (kind, raw);

  if (info->reference)
    read_reference_kind (raw, fields, name, &inactive);

  for (guint i = 0; defs && defs[i].canonical; i++)
    {
      const FieldDef *def = &defs[i];
      JsonNode *node = def->member ? json_object_get_member (raw, def->member) : NULL;

      switch (def->type)
        {
        case V_STRING:
          if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
              && *json_node_get_string (node) != '\0')
            json_object_set_string_member (fields, def->canonical, json_node_get_string (node));
          break;

        case V_NUMBER:
          if (node_is_number (node))
            json_object_set_member (fields, def->canonical, json_node_copy (node));
          break;

        case V_BOOL:
          if (obj_has_bool (raw, def->member))
            json_object_set_boolean_member (fields, def->canonical, obj_bool (raw, def->member));
          break;

        case V_DATE:
          if (obj_string (raw, def->member))
            set_owned_string (fields, def->canonical,
                                           format_date (obj_string (raw, def->member)));
          break;

        case V_REF_ID:
          {
            gint64 ref_id;
            if (obj_int (obj_object (raw, def->member), "id", &ref_id))
              set_owned_string (fields, def->canonical,
                                             g_strdup_printf ("%" G_GINT64_FORMAT, ref_id));
          }
          break;

        case V_REF_NAME:
        case V_REF_IDENT:
          {
            JsonObject *ref = obj_object (raw, def->member);
            const char *first_key = def->type == V_REF_IDENT ? "identifier"
                                    : g_strcmp0 (def->member, "stateReference") == 0 ? "identifier"
                                    : g_strcmp0 (def->member, "currency") == 0 ? "currencyCode"
                                    : "name";
            const char *text = obj_string (ref, first_key);

            if (text == NULL && def->type == V_REF_NAME)
              text = obj_string (ref, "name");
            if (text == NULL && def->type == V_REF_NAME)
              text = obj_string (ref, "identifier");
            if (text != NULL && *text != '\0')
              json_object_set_string_member (fields, def->canonical, text);
          }
          break;

        case V_SPECIAL:
          read_special (kind, def, raw, fields, ctx, &inactive);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (defs != NULL)
    {
      if (json_object_has_member (fields, "inactive") && !g_str_equal (kind, LSN_KIND_CLIENT)
          && !g_str_equal (kind, LSN_KIND_ADDITION))
        inactive = json_object_get_boolean_member (fields, "inactive");
      read_custom_fields (raw, fields);
    }

  lsn_connectwise_parse_datetime (obj_string (obj_object (raw, "_info"), "lastUpdated"), &modified);

  if (g_str_equal (kind, LSN_KIND_SITE) || g_str_equal (kind, LSN_KIND_ADDITION))
    {
      const char *parent_field = g_str_equal (kind, LSN_KIND_SITE) ? "client_id" : "agreement_id";
      const char *parent_text = json_object_get_string_member_with_default (fields, parent_field, NULL);
      gint64 parent_id;

      if (!lsn_connectwise_parse_id (parent_text, &parent_id))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                       "ConnectWise sent %s %" G_GINT64_FORMAT " without the id of its %s",
                       kind, id, g_str_equal (kind, LSN_KIND_SITE) ? "company" : "agreement");
          return NULL;
        }
      remote_id = lsn_connectwise_make_child_id (parent_id, id);
      parent = g_strdup (parent_text);
    }
  else
    {
      remote_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      if (g_str_equal (kind, LSN_KIND_CONTACT))
        parent = g_strdup (json_object_get_string_member_with_default (fields, "client_id", NULL));
    }

  record = lsn_record_new (kind, remote_id, name, fields, inactive, modified);
  if (parent)
    lsn_record_set_parent_id (record, parent);
  lsn_record_set_raw (record, raw);
  return record;
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 */

static gboolean
field_error (GError     **error,
             const char  *kind,
             const char  *canonical,
             const char  *problem)
{
  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "Cannot write field “%s” of a ConnectWise %s: %s", canonical, kind, problem);
  return FALSE;
}

/* The text of a canonical value that must be text (numbers are accepted for ids and codes). */
static char *
value_text (JsonNode *node)
{
  gint64 n;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (node_get_int (node, &n))
    return g_strdup_printf ("%" G_GINT64_FORMAT, n);
  return NULL;
}

static gboolean
value_id (JsonNode *node,
          gint64   *id)
{
  g_autofree char *text = value_text (node);
  gint64 parent;

  if (text == NULL)
    return FALSE;
  /* site ids are "<company>/<site>" */
  if (strchr (text, '/'))
    return lsn_connectwise_split_child_id (text, &parent, id);
  return lsn_connectwise_parse_id (text, id);
}

static gboolean
value_bool (JsonNode *node,
            gboolean *out)
{
  gint64 n;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }
  if (node_get_int (node, &n) && (n == 0 || n == 1))
    {
      *out = n == 1;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      if (g_ascii_strcasecmp (s, "true") == 0)
        return (*out = TRUE), TRUE;
      if (g_ascii_strcasecmp (s, "false") == 0)
        return (*out = FALSE), TRUE;
    }
  return FALSE;
}

static JsonNode *
resolve (const LsnConnectwiseWriteContext  *ctx,
         const char                        *what,
         const char                        *value,
         GError                           **error)
{
  if (ctx == NULL || ctx->resolve == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Cannot look up the ConnectWise %s “%s” here", what, value);
      return NULL;
    }
  return ctx->resolve (what, value, ctx->user_data, error);
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* Converts one canonical value of a plain (non-special) field into the ConnectWise value.
 * Returns a JSON null node for a cleared field. */
static JsonNode *
convert_value (const char                        *kind,
               const FieldDef                    *def,
               JsonNode                          *node,
               const LsnConnectwiseWriteContext  *ctx,
               GError                           **error)
{
  if (is_null (node))
    return json_node_new (JSON_NODE_NULL);

  switch (def->type)
    {
    case V_STRING:
      {
        g_autofree char *text = value_text (node);
        if (text == NULL)
          return field_error (error, kind, def->canonical, "the value is not text"), NULL;
        return json_node_init_string (json_node_alloc (), text);
      }

    case V_NUMBER:
      if (node_is_number (node))
        return json_node_copy (node);
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);
          char *end = NULL;
          double d = g_ascii_strtod (s, &end);
          if (end != s && end && *end == '\0')
            return json_node_init_double (json_node_alloc (), d);
        }
      return field_error (error, kind, def->canonical, "the value is not a number"), NULL;

    case V_BOOL:
      {
        gboolean b;
        if (!value_bool (node, &b))
          return field_error (error, kind, def->canonical, "the value is not true or false"), NULL;
        return json_node_init_boolean (json_node_alloc (), b);
      }

    case V_DATE:
      {
        g_autofree char *text = value_text (node);
        gint64 usec;
        g_autoptr(GDateTime) dt = NULL;
        g_autofree char *formatted = NULL;

        if (!lsn_connectwise_parse_datetime (text, &usec))
          return field_error (error, kind, def->canonical, "the value is not an ISO 8601 date"), NULL;
        dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
        formatted = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
        return json_node_init_string (json_node_alloc (), formatted);
      }

    case V_REF_ID:
      {
        gint64 id;
        if (!value_id (node, &id))
          return field_error (error, kind, def->canonical, "the value is not a ConnectWise id"), NULL;
        return ref_node ("id", id, NULL);
      }

    case V_REF_IDENT:
      {
        g_autofree char *text = value_text (node);
        if (text == NULL || *text == '\0')
          return field_error (error, kind, def->canonical, "the value is not text"), NULL;
        return ref_node ("identifier", 0, text);
      }

    case V_REF_NAME:
      {
        g_autofree char *text = value_text (node);
        if (text == NULL || *text == '\0')
          return field_error (error, kind, def->canonical, "the value is not text"), NULL;
        if (def->lookup == NULL)
          return field_error (error, kind, def->canonical, "it is read-only"), NULL;
        return resolve (ctx, def->lookup, text, error);
      }

    case V_SPECIAL:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* json_node_copy() shares objects and arrays; records taken from @current are changed, so they
 * are copied all the way down. */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node);
      g_autoptr(JsonObject) dst = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (src);

      for (GList *l = members; l; l = l->next)
        json_object_set_member (dst, l->data, deep_copy (json_object_get_member (src, l->data)));
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (copy, dst);
      return copy;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      g_autoptr(JsonArray) dst = json_array_new ();

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, deep_copy (json_array_get_element (src, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (copy, dst);
      return copy;
    }
  return json_node_copy (node);
}

/* Builds the new communicationItems array from @current (nullable) and the changed canonical
 * email/phone/mobile values in @changes. */
static JsonArray *
build_communication_items (JsonArray                         *current,
                           JsonObject                        *changes,
                           const LsnConnectwiseWriteContext  *ctx,
                           GError                           **error)
{
  static const char * const names[] = { "email", "phone", "mobile" };
  g_autoptr(JsonArray) items = json_array_new ();

  for (guint i = 0; current && i < json_array_get_length (current); i++)
    json_array_add_element (items, deep_copy (json_array_get_element (current, i)));

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      const char *canonical = names[n];
      JsonNode *value = json_object_get_member (changes, canonical);
      int index;
      g_autofree char *text = NULL;

      if (value == NULL)
        continue;

      index = communication_find (items, canonical);

      if (is_null (value) || ((text = value_text (value)) != NULL && *text == '\0'))
        {
          if (index >= 0)
            json_array_remove_element (items, index);
          continue;
        }
      if (text == NULL)
        return field_error (error, LSN_KIND_CONTACT, canonical, "the value is not text"), NULL;

      if (index >= 0)
        {
          JsonObject *item = json_array_get_object_element (items, index);
          json_object_set_string_member (item, "value", text);
        }
      else
        {
          g_autoptr(JsonObject) item = json_object_new ();
          JsonNode *type = resolve (ctx, LSN_CONNECTWISE_REF_COMMUNICATION_TYPE, canonical, error);
          const char *ct = g_str_equal (canonical, "email") ? "Email" : "Phone";
          gboolean has_default = FALSE;

          if (type == NULL)
            return NULL;

          for (guint i = 0; i < json_array_get_length (items); i++)
            {
              JsonObject *other = json_array_get_object_element (items, i);
              if (other && g_strcmp0 (obj_string (other, "communicationType"), ct) == 0
                  && obj_bool (other, "defaultFlag"))
                has_default = TRUE;
            }

          json_object_set_member (item, "type", type);
          json_object_set_string_member (item, "value", text);
          json_object_set_string_member (item, "communicationType", ct);
          json_object_set_boolean_member (item, "defaultFlag", !has_default);
          json_array_add_object_element (items, g_steal_pointer (&item));
        }
    }

  return g_steal_pointer (&items);
}

/* Applies the changed custom fields in @changes ("<id>" -> value) to a copy of @current. */
static JsonArray *
build_custom_fields (JsonArray  *current,
                     GHashTable *changes)
{
  g_autoptr(JsonArray) out = json_array_new ();
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; current && i < json_array_get_length (current); i++)
    {
      JsonNode *node = json_array_get_element (current, i);
      JsonNode *copy = deep_copy (node);
      g_autofree char *id_text = NULL;
      gint64 id;

      if (JSON_NODE_HOLDS_OBJECT (copy) && obj_int (json_node_get_object (copy), "id", &id))
        {
          JsonNode *changed;
          id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
          changed = g_hash_table_lookup (changes, id_text);
          if (changed != NULL)
            {
              json_object_set_member (json_node_get_object (copy), "value", json_node_copy (changed));
              g_hash_table_add (done, (gpointer) g_intern_string (id_text));
            }
        }
      json_array_add_element (out, copy);
    }

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(JsonObject) cf = NULL;
      gint64 id;

      if (g_hash_table_contains (done, g_intern_string (key)) || !lsn_connectwise_parse_id (key, &id))
        continue;
      cf = json_object_new ();
      json_object_set_int_member (cf, "id", id);
      json_object_set_member (cf, "value", json_node_copy (value));
      json_array_add_object_element (out, g_steal_pointer (&cf));
    }

  return g_steal_pointer (&out);
}

/* Resolves a custom field named by caption to its id, from @current. */
static char *
custom_key (const char *id_or_caption,
            JsonArray  *current)
{
  gint64 id;
  JsonObject *cf;

  if (lsn_connectwise_parse_id (id_or_caption, &id))
    return g_strdup (id_or_caption);
  cf = custom_field_find (current, id_or_caption);
  if (cf && obj_int (cf, "id", &id))
    return g_strdup_printf ("%" G_GINT64_FORMAT, id);
  return NULL;
}

typedef struct
{
  JsonObject *plain;     /* member -> ConnectWise value (null to clear) */
  JsonObject *comm;      /* email/phone/mobile -> canonical value */
  GHashTable *custom;    /* "<id>" -> value (owned JsonNode) */
  GPtrArray  *custom_captions; /* custom fields named by caption: (char *caption, JsonNode *value) */
  gint64      parent_id;
} WritePlan;

static void
write_plan_clear (WritePlan *plan)
{
  g_clear_pointer (&plan->plain, json_object_unref);
  g_clear_pointer (&plan->comm, json_object_unref);
  g_clear_pointer (&plan->custom, g_hash_table_unref);
  g_clear_pointer (&plan->custom_captions, g_ptr_array_unref);
}

typedef struct
{
  char     *caption;
  JsonNode *value;
} CaptionValue;

static void
caption_value_free (gpointer data)
{
  CaptionValue *cv = data;

  g_free (cv->caption);
  json_node_unref (cv->value);
  g_free (cv);
}

static void
plan_custom (WritePlan  *plan,
             const char *id_or_caption,
             JsonNode   *value)
{
  gint64 id;

  if (lsn_connectwise_parse_id (id_or_caption, &id))
    g_hash_table_replace (plan->custom, g_strdup (id_or_caption),
                          is_null (value) ? json_node_new (JSON_NODE_NULL) : json_node_copy (value));
  else
    {
      CaptionValue *cv = g_new0 (CaptionValue, 1);
      cv->caption = g_strdup (id_or_caption);
      cv->value = is_null (value) ? json_node_new (JSON_NODE_NULL) : json_node_copy (value);
      g_ptr_array_add (plan->custom_captions, cv);
    }
}

/* Sorts the canonical fields into plain members, communication items and custom fields. */
static gboolean
make_plan (const char                        *kind,
           JsonObject                        *fields,
           gboolean                           creating,
           const LsnConnectwiseWriteContext  *ctx,
           WritePlan                         *plan,
           GError                           **error)
{
  g_autoptr(GList) members = NULL;
  const LsnConnectwiseKindInfo *info = lsn_connectwise_kind_info (kind);

  plan->plain = json_object_new ();
  plan->comm = json_object_new ();
  plan->custom = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  plan->custom_captions = g_ptr_array_new_with_free_func (caption_value_free);
  plan->parent_id = 0;

  if (info == NULL || !info->writable || fields_of (kind) == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Liaison does not write ConnectWise records of kind “%s”", kind);
      return FALSE;
    }

  members = fields ? json_object_get_members (fields) : NULL;
  members = g_list_sort (members, (GCompareFunc) strcmp);

  for (GList *l = members; l; l = l->next)
    {
      const char *canonical = l->data;
      JsonNode *value = json_object_get_member (fields, canonical);
      const FieldDef *def;

      if (g_str_has_prefix (canonical, LSN_CONNECTWISE_CUSTOM_PREFIX))
        {
          plan_custom (plan, canonical + strlen (LSN_CONNECTWISE_CUSTOM_PREFIX), value);
          continue;
        }

      def = find_field (kind, canonical);
      if (def == NULL)
        return field_error (error, kind, canonical, "ConnectWise has no such field");

      if (def->flags & F_READ_ONLY)
        {
          g_debug ("Not writing read-only field %s of a %s", canonical, kind);
          continue;
        }
      if ((def->flags & F_CREATE_ONLY) && !creating)
        {
          if (g_str_equal (canonical, "type") || g_str_equal (canonical, "type_id"))
            {
              g_debug ("Not changing the type of an existing company: ConnectWise sets it on create only");
              continue;
            }
          return field_error (error, kind, canonical, "ConnectWise sets it only when the record is created");
        }

      if (def->type != V_SPECIAL)
        {
          JsonNode *converted;

          /* Prefer the id field when both the id and the name of one reference are given. */
          if (def->type == V_REF_NAME)
            {
              g_autofree char *id_name = g_strconcat (canonical, "_id", NULL);
              if (json_object_has_member (fields, id_name) && find_field (kind, id_name))
                continue;
            }

          converted = convert_value (kind, def, value, ctx, error);
          if (converted == NULL)
            return FALSE;
          json_object_set_member (plan->plain, def->member, converted);
          continue;
        }

      /* Special fields */
      if (g_str_equal (kind, LSN_KIND_CONTACT) && g_strcmp0 (def->member, "communicationItems") == 0)
        json_object_set_member (plan->comm, canonical, json_node_copy (value));
      else if (g_str_equal (canonical, "site_id"))
        {
          gint64 id;
          if (is_null (value))
            json_object_set_null_member (plan->plain, "site");
          else if (!value_id (value, &id))
            return field_error (error, kind, canonical, "the value is not a ConnectWise site id");
          else
            json_object_set_member (plan->plain, "site", ref_node ("id", id, NULL));
        }
      else if (g_str_equal (canonical, "client_id") || g_str_equal (canonical, "agreement_id"))
        {
          if (!value_id (value, &plan->parent_id))
            return field_error (error, kind, canonical, "the value is not a ConnectWise id");
        }
      else if (g_str_equal (kind, LSN_KIND_CLIENT) && g_str_equal (canonical, "inactive"))
        {
          gboolean off;
          JsonNode *status;

          if (is_null (value))
            continue;
          if (!value_bool (value, &off))
            return field_error (error, kind, canonical, "the value is not true or false");
          if (json_object_has_member (fields, "status_id"))
            continue; /* an explicit status wins */
          if (creating && !off)
            continue; /* a new company gets the default status */
          status = resolve (ctx, LSN_CONNECTWISE_REF_COMPANY_STATUS, off ? "inactive" : "active", error);
          if (status == NULL)
            return FALSE;
          json_object_set_member (plan->plain, "status", status);
        }
      else if (g_str_equal (kind, LSN_KIND_CLIENT) && g_str_equal (canonical, "reference"))
        {
          const char *member = ctx && ctx->reference_field ? ctx->reference_field : "accountNumber";

          if (reference_is_custom (member))
            plan_custom (plan, member + strlen (LSN_CONNECTWISE_CUSTOM_PREFIX), value);
          else if (is_null (value))
            json_object_set_null_member (plan->plain, member);
          else
            {
              g_autofree char *text = value_text (value);
              if (text == NULL)
                return field_error (error, kind, canonical, "the value is not text");
              json_object_set_string_member (plan->plain, member, text);
            }
        }
      else if (g_str_equal (kind, LSN_KIND_CLIENT) && g_str_equal (canonical, "type_id"))
        {
          gint64 id;
          g_autoptr(JsonArray) types = json_array_new ();
          if (is_null (value))
            continue;
          if (!value_id (value, &id))
            return field_error (error, kind, canonical, "the value is not a ConnectWise id");
          json_array_add_element (types, ref_node ("id", id, NULL));
          json_object_set_array_member (plan->plain, "types", g_steal_pointer (&types));
        }
      else if (g_str_equal (kind, LSN_KIND_CLIENT) && g_str_equal (canonical, "type"))
        {
          g_autofree char *text = value_text (value);
          g_autoptr(JsonArray) types = json_array_new ();
          JsonNode *type;

          if (is_null (value) || json_object_has_member (fields, "type_id"))
            continue;
          if (text == NULL)
            return field_error (error, kind, canonical, "the value is not text");
          type = resolve (ctx, LSN_CONNECTWISE_REF_COMPANY_TYPE, text, error);
          if (type == NULL)
            return FALSE;
          json_array_add_element (types, type);
          json_object_set_array_member (plan->plain, "types", g_steal_pointer (&types));
        }
      else
        {
          g_debug ("Not writing field %s of a %s", canonical, kind);
        }
    }

  return TRUE;
}

/**
 * lsn_connectwise_build_create:
 * @kind: a writable kind
 * @fields: canonical fields
 * @ctx: lookups and settings
 * @parent_id: (out): the parent (company of a site, agreement of an addition), or 0
 * @error: return location
 *
 * Returns: (transfer full) (nullable): the POST body
 */
JsonObject *
lsn_connectwise_build_create (const char                       *kind,
                              JsonObject                       *fields,
                              const LsnConnectwiseWriteContext *ctx,
                              gint64                           *parent_id,
                              GError                          **error)
{
  WritePlan plan = { 0 };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GList) members = NULL;

  if (!make_plan (kind, fields, TRUE, ctx, &plan, error))
    {
      write_plan_clear (&plan);
      return NULL;
    }

  body = json_object_new ();
  members = json_object_get_members (plan.plain);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (plan.plain, l->data);
      if (!JSON_NODE_HOLDS_NULL (node))
        json_object_set_member (body, l->data, json_node_copy (node));
    }

  if (json_object_get_size (plan.comm) > 0)
    {
      JsonArray *items = build_communication_items (NULL, plan.comm, ctx, error);
      if (items == NULL)
        {
          write_plan_clear (&plan);
          return NULL;
        }
      json_object_set_array_member (body, "communicationItems", items);
    }

  if (plan.custom_captions->len > 0)
    {
      CaptionValue *cv = g_ptr_array_index (plan.custom_captions, 0);
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Cannot set the ConnectWise custom field “%s” by its caption when creating a %s: "
                   "use customField:<id> (the field list shows the ids)", cv->caption, kind);
      write_plan_clear (&plan);
      return NULL;
    }

  if (g_hash_table_size (plan.custom) > 0)
    json_object_set_array_member (body, "customFields", build_custom_fields (NULL, plan.custom));

  /* Defaults for what ConnectWise requires */
  if (g_str_equal (kind, LSN_KIND_CLIENT) && !json_object_has_member (body, "identifier"))
    {
      g_autofree char *identifier = lsn_connectwise_company_identifier (obj_string (body, "name"));
      json_object_set_string_member (body, "identifier", identifier);
    }
  if (g_str_equal (kind, LSN_KIND_PRODUCT) && !json_object_has_member (body, "customerDescription")
      && obj_string (body, "description"))
    json_object_set_string_member (body, "customerDescription", obj_string (body, "description"));
  if (g_str_equal (kind, LSN_KIND_ADDITION) && !json_object_has_member (body, "billCustomer"))
    json_object_set_string_member (body, "billCustomer", "Billable");

  if ((g_str_equal (kind, LSN_KIND_SITE) || g_str_equal (kind, LSN_KIND_ADDITION)) && plan.parent_id == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "A ConnectWise %s needs its %s: set “%s”", kind,
                   g_str_equal (kind, LSN_KIND_SITE) ? "company" : "agreement",
                   g_str_equal (kind, LSN_KIND_SITE) ? "client_id" : "agreement_id");
      write_plan_clear (&plan);
      return NULL;
    }

  if (parent_id)
    *parent_id = plan.parent_id;
  write_plan_clear (&plan);
  return g_steal_pointer (&body);
}

/**
 * lsn_connectwise_patch_needs_current:
 *
 * Arrays are replaced whole in a PATCH (communication items, custom fields), so changing one of
 * their entries needs the record as it is now.
 *
 * Returns: %TRUE when lsn_connectwise_build_patch() needs @current for @changed
 */
gboolean
lsn_connectwise_patch_needs_current (const char                       *kind,
                                     JsonObject                       *changed,
                                     const LsnConnectwiseWriteContext *ctx)
{
  g_autoptr(GList) members = changed ? json_object_get_members (changed) : NULL;

  for (GList *l = members; l; l = l->next)
    {
      const char *canonical = l->data;

      if (g_str_has_prefix (canonical, LSN_CONNECTWISE_CUSTOM_PREFIX))
        return TRUE;
      if (g_str_equal (kind, LSN_KIND_CONTACT)
          && (g_str_equal (canonical, "email") || g_str_equal (canonical, "phone")
              || g_str_equal (canonical, "mobile")))
        return TRUE;
      if (g_str_equal (kind, LSN_KIND_CLIENT) && g_str_equal (canonical, "reference")
          && reference_is_custom (ctx ? ctx->reference_field : NULL))
        return TRUE;
    }
  return FALSE;
}

static void
add_op (JsonArray  *ops,
        const char *op,
        const char *path,
        JsonNode   *value)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "op", op);
  json_object_set_string_member (o, "path", path);
  if (value)
    json_object_set_member (o, "value", value);
  json_array_add_object_element (ops, g_steal_pointer (&o));
}

/**
 * lsn_connectwise_build_patch:
 * @kind: a writable kind
 * @changed: only the canonical fields that changed; a null value clears the field
 * @current: (nullable): the record as it is now, when lsn_connectwise_patch_needs_current() says so
 * @ctx: lookups and settings
 * @error: return location
 *
 * One `replace` operation per changed member (a `remove` for a cleared one), paths without a
 * leading slash as in ConnectWise's examples; references are replaced whole (`{"id": N}`), and
 * arrays (communication items, custom fields) are replaced whole, built from @current.
 *
 * Returns: (transfer full) (nullable): the PATCH body, possibly empty
 */
JsonArray *
lsn_connectwise_build_patch (const char                       *kind,
                             JsonObject                       *changed,
                             JsonObject                       *current,
                             const LsnConnectwiseWriteContext *ctx,
                             GError                          **error)
{
  WritePlan plan = { 0 };
  g_autoptr(JsonArray) ops = NULL;
  g_autoptr(GList) members = NULL;

  if (!make_plan (kind, changed, FALSE, ctx, &plan, error))
    {
      write_plan_clear (&plan);
      return NULL;
    }

  if (plan.parent_id != 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "ConnectWise cannot move a %s to another %s", kind,
                   g_str_equal (kind, LSN_KIND_SITE) ? "company" : "agreement");
      write_plan_clear (&plan);
      return NULL;
    }

  ops = json_array_new ();
  members = json_object_get_members (plan.plain);
  members = g_list_sort (members, (GCompareFunc) strcmp);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (plan.plain, l->data);
      if (JSON_NODE_HOLDS_NULL (node))
        add_op (ops, "remove", l->data, NULL);
      else
        add_op (ops, "replace", l->data, json_node_copy (node));
    }

  if (json_object_get_size (plan.comm) > 0)
    {
      JsonArray *items;

      if (current == NULL)
        {
          g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                               "Changing a contact's email or phone needs the contact as it is now");
          write_plan_clear (&plan);
          return NULL;
        }
      items = build_communication_items (obj_array (current, "communicationItems"), plan.comm, ctx, error);
      if (items == NULL)
        {
          write_plan_clear (&plan);
          return NULL;
        }
      add_op (ops, "replace", "communicationItems", json_node_init_array (json_node_alloc (), items));
      json_array_unref (items);
    }

  if (g_hash_table_size (plan.custom) > 0 || plan.custom_captions->len > 0)
    {
      JsonArray *now = obj_array (current, "customFields");

      if (current == NULL)
        {
          g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                               "Changing a custom field needs the record as it is now");
          write_plan_clear (&plan);
          return NULL;
        }

      for (guint i = 0; i < plan.custom_captions->len; i++)
        {
          CaptionValue *cv = g_ptr_array_index (plan.custom_captions, i);
          g_autofree char *key = custom_key (cv->caption, now);

          if (key == NULL)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "This ConnectWise %s has no custom field “%s”", kind, cv->caption);
              write_plan_clear (&plan);
              return NULL;
            }
          g_hash_table_replace (plan.custom, g_steal_pointer (&key), json_node_copy (cv->value));
        }

      {
        JsonArray *custom = build_custom_fields (now, plan.custom);
        add_op (ops, "replace", "customFields", json_node_init_array (json_node_alloc (), custom));
        json_array_unref (custom);
      }
    }

  write_plan_clear (&plan);
  return g_steal_pointer (&ops);
}

/* ---------------------------------------------------------------------------------------------
 * Field catalogue
 */

static const char *
type_name (ValueType type)
{
  switch (type)
    {
    case V_NUMBER:
      return "number";
    case V_BOOL:
      return "boolean";
    case V_DATE:
      return "date";
    case V_REF_ID:
      return "reference";
    case V_STRING:
    case V_REF_NAME:
    case V_REF_IDENT:
    case V_SPECIAL:
    default:
      return "string";
    }
}

/**
 * lsn_connectwise_static_fields:
 * @kind: a kind
 *
 * Returns: (transfer full) (element-type LsnFieldInfo) (nullable): the built-in fields of @kind
 */
GPtrArray *
lsn_connectwise_static_fields (const char *kind)
{
  const FieldDef *defs = fields_of (kind);
  GPtrArray *out;

  if (defs == NULL)
    return NULL;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_field_info_free);
  for (guint i = 0; defs[i].canonical; i++)
    {
      const FieldDef *def = &defs[i];
      const char *type = type_name (def->type);
      g_autofree char *system_name = NULL;

      if (g_str_equal (def->canonical, "inactive") || g_str_equal (def->canonical, "toplevel"))
        type = "boolean";
      if (g_str_has_suffix (def->canonical, "_id"))
        type = "reference";

      if (def->member == NULL)
        system_name = g_strdup ("reference");
      else if (def->type == V_REF_ID)
        system_name = g_strconcat (def->member, "/id", NULL);
      else if (def->type == V_REF_NAME)
        system_name = g_strconcat (def->member, "/name", NULL);
      else if (def->type == V_REF_IDENT)
        system_name = g_strconcat (def->member, "/identifier", NULL);
      else if (g_strcmp0 (def->member, "communicationItems") == 0)
        system_name = g_strdup_printf ("communicationItems/%s", def->canonical);
      else
        system_name = g_strdup (def->member);

      g_ptr_array_add (out, lsn_field_info_new (kind, system_name, def->label, type, def->canonical, FALSE));
    }
  return out;
}

/**
 * lsn_connectwise_custom_fields:
 * @kind: a kind
 * @sample: (nullable): one record of @kind: ConnectWise lists every custom field of a screen on
 *   each record, with a null value where it is not set
 *
 * Returns: (transfer full) (element-type LsnFieldInfo): the custom fields, named "customField:<id>"
 */
GPtrArray *
lsn_connectwise_custom_fields (const char *kind,
                               JsonObject *sample)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_field_info_free);
  JsonArray *custom = obj_array (sample, "customFields");

  for (guint i = 0; custom && i < json_array_get_length (custom); i++)
    {
      JsonNode *node = json_array_get_element (custom, i);
      JsonObject *cf;
      const char *cw_type;
      const char *type = "string";
      g_autofree char *name = NULL;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      cf = json_node_get_object (node);
      if (!obj_int (cf, "id", &id))
        continue;

      cw_type = obj_string (cf, "type");
      if (cw_type && (g_str_equal (cw_type, "Number") || g_str_equal (cw_type, "Currency")
                      || g_str_equal (cw_type, "Percent")))
        type = "number";
      else if (cw_type && g_str_equal (cw_type, "Checkbox"))
        type = "boolean";
      else if (cw_type && g_str_equal (cw_type, "Date"))
        type = "date";

      name = g_strdup_printf (LSN_CONNECTWISE_CUSTOM_PREFIX "%" G_GINT64_FORMAT, id);
      g_ptr_array_add (out, lsn_field_info_new (kind, name,
                                                obj_string (cf, "caption") ? obj_string (cf, "caption") : name,
                                                type, name, TRUE));
    }
  return out;
}

/**
 * lsn_connectwise_company_identifier:
 * @name: (nullable): a company name
 *
 * ConnectWise requires a short unique Company ID on every company; this makes one from the name:
 * its letters and digits, at most 25 of them.
 *
 * Returns: (transfer full): the identifier
 */
char *
lsn_connectwise_company_identifier (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name ? name : ""; *p && out->len < 25; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, *p);

  if (out->len == 0)
    g_string_append (out, "Company");
  return g_string_free (out, FALSE);
}
