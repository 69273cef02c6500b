/* lsn-sandbox-cw-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records of the simulated ConnectWise Manage and the REST API over them, after
 * authentication (reference/connectwise-api.md §2-§5, §7): collections under `/apis/3.0/`,
 * `/count`, conditions, childConditions, customFieldConditions, orderBy, fields, navigable and
 * forward-only paging, POST/PUT/PATCH/DELETE with ConnectWise's validation errors.
 *
 * Records are JsonObjects stored as ConnectWise writes them: camelCase, references embedded as
 * `{"id", "name", "_info": {"<x>_href"}}`, nulls left out, `_info` with `lastUpdated`,
 * `updatedBy`, `dateEntered` and `enteredBy`.
 *
 * Where the reference leaves a behaviour unknown the stricter one is chosen and said so:
 * unknown fields in a body are refused (a real server may ignore them); field names are
 * case-sensitive; a patch path must name a top-level field.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-cw-conditions.h"
#include "lsn-sandbox-cw-query.h"
#include "lsn-sandbox-cw-store.h"

#define DEFAULT_PAGE_SIZE 25
#define MAX_PAGE_SIZE     1000

enum
{
  F_REQUIRED = 1 << 0,
  F_READONLY = 1 << 1,   /* set by the server, ignored in bodies */
};

typedef struct _Field Field;

/* Types: i int, n number, s string, b boolean, d datetime, e enum (string from `target`,
 * values separated by '|'), r reference (to collection `target`, or free when NULL),
 * A list of references, a list of objects (`items`), t list of strings, c customFields. */
struct _Field
{
  const char  *name;
  char         type;
  const char  *target;
  guint        max;
  guint        flags;
  const Field *items;
};

typedef struct
{
  const char  *key;
  const char  *path;          /* may contain one "{pid}" segment */
  const char  *alt_path;      /* another place the same records are listed, or NULL */
  const char  *resource;      /* as named in error bodies */
  const char  *href;          /* `_info` key of references to it */
  const char  *parent_key;
  const char  *parent_field;  /* reference (or int) in the record naming the parent */
  const char  *ref_name;      /* field used as a reference's name; NULL: firstName lastName */
  gboolean     ref_identifier;
  gboolean     no_delete;
  const char  *unique;
  const Field *fields;
} CollectionDef;

typedef struct
{
  const CollectionDef *def;
  GHashTable          *records;  /* gint64* id -> JsonObject */
  gint64               next_id;
} Collection;

struct _LsnCwStore
{
  char       *base_url;
  GHashTable *collections;  /* key -> Collection */
  gint64      next_item_id; /* communication items */
};

/* ---- Schemas ---------------------------------------------------------------------------- */

#define END { NULL, 0, NULL, 0, 0, NULL }

static const Field communication_item_fields[] = {
  { "id", 'i', NULL, 0, F_READONLY, NULL },
  { "type", 'r', NULL, 0, 0, NULL },
  { "value", 's', NULL, 250, 0, NULL },
  { "extension", 's', NULL, 15, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "domain", 's', NULL, 250, 0, NULL },
  { "communicationType", 'e', "Email|Fax|Phone", 0, 0, NULL },
  END
};

static const Field company_fields[] = {
  { "identifier", 's', NULL, 30, F_REQUIRED, NULL },
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "status", 'r', "company_statuses", 0, 0, NULL },
  { "types", 'A', "company_types", 0, 0, NULL },
  { "site", 'r', "sites", 0, 0, NULL },
  { "addressLine1", 's', NULL, 50, 0, NULL },
  { "addressLine2", 's', NULL, 50, 0, NULL },
  { "city", 's', NULL, 50, 0, NULL },
  { "state", 's', NULL, 50, 0, NULL },
  { "zip", 's', NULL, 12, 0, NULL },
  { "country", 'r', NULL, 0, 0, NULL },
  { "phoneNumber", 's', NULL, 30, 0, NULL },
  { "faxNumber", 's', NULL, 30, 0, NULL },
  { "website", 's', NULL, 255, 0, NULL },
  { "territory", 'r', NULL, 0, 0, NULL },
  { "market", 'r', NULL, 0, 0, NULL },
  { "accountNumber", 's', NULL, 30, 0, NULL },
  { "defaultContact", 'r', "contacts", 0, 0, NULL },
  { "dateAcquired", 'd', NULL, 0, 0, NULL },
  { "parentCompany", 'r', "companies", 0, 0, NULL },
  { "annualRevenue", 'n', NULL, 0, 0, NULL },
  { "numberOfEmployees", 'i', NULL, 0, 0, NULL },
  { "leadSource", 's', NULL, 50, 0, NULL },
  { "leadFlag", 'b', NULL, 0, 0, NULL },
  { "unsubscribeFlag", 'b', NULL, 0, 0, NULL },
  { "taxIdentifier", 's', NULL, 50, 0, NULL },
  { "taxCode", 'r', "tax_codes", 0, 0, NULL },
  { "billingTerms", 'r', NULL, 0, 0, NULL },
  { "deletedFlag", 'b', NULL, 0, 0, NULL },
  { "dateDeleted", 'd', NULL, 0, 0, NULL },
  { "deletedBy", 's', NULL, 30, 0, NULL },
  { "mobileGuid", 's', NULL, 36, 0, NULL },
  { "currency", 'r', NULL, 0, 0, NULL },
  { "territoryManager", 'r', "members", 0, 0, NULL },
  { "isVendorFlag", 'b', NULL, 0, 0, NULL },
  { "integratorTags", 't', NULL, 0, 0, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

/* company/communicationTypes: not in the reference; its shape is the one ConnectWise's own
 * OpenAPI gives (CommunicationType: description, phone/fax/email/default flags). */
static const Field communication_type_fields[] = {
  { "description", 's', NULL, 50, F_REQUIRED, NULL },
  { "phoneFlag", 'b', NULL, 0, 0, NULL },
  { "faxFlag", 'b', NULL, 0, 0, NULL },
  { "emailFlag", 'b', NULL, 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  END
};

static const Field company_type_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "vendorFlag", 'b', NULL, 0, 0, NULL },
  { "serviceAlertFlag", 'b', NULL, 0, 0, NULL },
  { "serviceAlertMessage", 's', NULL, 1000, 0, NULL },
  END
};

static const Field company_status_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "notifyFlag", 'b', NULL, 0, 0, NULL },
  { "disallowSavingFlag", 'b', NULL, 0, 0, NULL },
  { "notificationMessage", 's', NULL, 500, 0, NULL },
  { "customNoteFlag", 'b', NULL, 0, 0, NULL },
  { "cancelOpenTracksFlag", 'b', NULL, 0, 0, NULL },
  END
};

static const Field site_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "addressLine1", 's', NULL, 50, 0, NULL },
  { "addressLine2", 's', NULL, 50, 0, NULL },
  { "city", 's', NULL, 50, 0, NULL },
  { "stateReference", 'r', NULL, 0, 0, NULL },
  { "zip", 's', NULL, 12, 0, NULL },
  { "country", 'r', NULL, 0, 0, NULL },
  { "phoneNumber", 's', NULL, 30, 0, NULL },
  { "phoneNumberExt", 's', NULL, 15, 0, NULL },
  { "faxNumber", 's', NULL, 30, 0, NULL },
  { "taxCode", 'r', "tax_codes", 0, 0, NULL },
  { "primaryAddressFlag", 'b', NULL, 0, 0, NULL },
  { "defaultShippingFlag", 'b', NULL, 0, 0, NULL },
  { "defaultBillingFlag", 'b', NULL, 0, 0, NULL },
  { "defaultMailingFlag", 'b', NULL, 0, 0, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "company", 'r', "companies", 0, F_READONLY, NULL },
  END
};

static const Field contact_fields[] = {
  { "firstName", 's', NULL, 30, F_REQUIRED, NULL },
  { "lastName", 's', NULL, 30, 0, NULL },
  { "company", 'r', "companies", 0, 0, NULL },
  { "site", 'r', "sites", 0, 0, NULL },
  { "addressLine1", 's', NULL, 50, 0, NULL },
  { "addressLine2", 's', NULL, 50, 0, NULL },
  { "city", 's', NULL, 50, 0, NULL },
  { "state", 's', NULL, 50, 0, NULL },
  { "zip", 's', NULL, 12, 0, NULL },
  { "country", 'r', NULL, 0, 0, NULL },
  { "relationship", 'r', NULL, 0, 0, NULL },
  { "department", 'r', NULL, 0, 0, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "title", 's', NULL, 100, 0, NULL },
  { "gender", 'e', "Female|Male", 0, 0, NULL },
  { "defaultPhoneType", 's', NULL, 50, 0, NULL },
  { "defaultPhoneNbr", 's', NULL, 30, 0, NULL },
  { "defaultPhoneExtension", 's', NULL, 15, 0, NULL },
  { "defaultBillingFlag", 'b', NULL, 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "communicationItems", 'a', NULL, 0, 0, communication_item_fields },
  { "types", 'A', NULL, 0, 0, NULL },
  { "integratorTags", 't', NULL, 0, 0, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

static const Field opportunity_fields[] = {
  { "name", 's', NULL, 100, F_REQUIRED, NULL },
  { "expectedCloseDate", 'd', NULL, 0, 0, NULL },
  { "type", 'r', "opportunity_types", 0, 0, NULL },
  { "stage", 'r', "stages", 0, 0, NULL },
  { "status", 'r', "opportunity_statuses", 0, 0, NULL },
  { "priority", 'r', NULL, 0, 0, NULL },
  { "notes", 's', NULL, 0, 0, NULL },
  { "probability", 'r', NULL, 0, 0, NULL },
  { "source", 's', NULL, 50, 0, NULL },
  { "rating", 'r', "opportunity_ratings", 0, 0, NULL },
  { "campaign", 'r', NULL, 0, 0, NULL },
  { "primarySalesRep", 'r', "members", 0, F_REQUIRED, NULL },
  { "secondarySalesRep", 'r', "members", 0, 0, NULL },
  { "locationId", 'i', NULL, 0, 0, NULL },
  { "businessUnitId", 'i', NULL, 0, 0, NULL },
  { "company", 'r', "companies", 0, F_REQUIRED, NULL },
  { "contact", 'r', "contacts", 0, F_REQUIRED, NULL },
  { "site", 'r', "sites", 0, 0, NULL },
  { "customerPO", 's', NULL, 25, 0, NULL },
  { "pipelineChangeDate", 'd', NULL, 0, 0, NULL },
  { "dateBecameLead", 'd', NULL, 0, 0, NULL },
  { "closedDate", 'd', NULL, 0, 0, NULL },
  { "closedBy", 'r', "members", 0, 0, NULL },
  { "totalSalesTax", 'n', NULL, 0, 0, NULL },
  { "taxCode", 'r', "tax_codes", 0, 0, NULL },
  { "currency", 'r', NULL, 0, 0, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

static const Field opportunity_status_fields[] = {
  { "name", 's', NULL, 30, F_REQUIRED, NULL },
  { "wonFlag", 'b', NULL, 0, 0, NULL },
  { "lostFlag", 'b', NULL, 0, 0, NULL },
  { "closedFlag", 'b', NULL, 0, 0, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "enteredBy", 's', NULL, 0, F_READONLY, NULL },
  { "dateEntered", 'd', NULL, 0, F_READONLY, NULL },
  END
};

static const Field opportunity_type_fields[] = {
  { "description", 's', NULL, 50, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  END
};

static const Field opportunity_rating_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "sortOrder", 'i', NULL, 0, 0, NULL },
  END
};

static const Field stage_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "probability", 'r', NULL, 0, 0, NULL },
  { "color", 's', NULL, 25, 0, NULL },
  { "sequenceNumber", 'i', NULL, 0, 0, NULL },
  END
};

static const Field catalog_fields[] = {
  { "identifier", 's', NULL, 75, F_REQUIRED, NULL },
  { "description", 's', NULL, 60, F_REQUIRED, NULL },
  { "customerDescription", 's', NULL, 6000, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "subcategory", 'r', "subcategories", 0, F_REQUIRED, NULL },
  { "type", 'r', "product_types", 0, F_REQUIRED, NULL },
  { "productClass", 'e', "Agreement|Bundle|Inventory|NonInventory|Service", 0, 0, NULL },
  { "serializedFlag", 'b', NULL, 0, 0, NULL },
  { "unitOfMeasure", 'r', NULL, 0, 0, NULL },
  { "price", 'n', NULL, 0, 0, NULL },
  { "cost", 'n', NULL, 0, 0, NULL },
  { "priceAttribute", 'e', "FixedFee|NotToExceed|OverrideRate|TimeAndMaterials", 0, 0, NULL },
  { "taxableFlag", 'b', NULL, 0, 0, NULL },
  { "dropShipFlag", 'b', NULL, 0, 0, NULL },
  { "specialOrderFlag", 'b', NULL, 0, 0, NULL },
  { "manufacturer", 'r', NULL, 0, 0, NULL },
  { "manufacturerPartNumber", 's', NULL, 50, 0, NULL },
  { "vendor", 'r', "companies", 0, 0, NULL },
  { "vendorSku", 's', NULL, 50, 0, NULL },
  { "notes", 's', NULL, 0, 0, NULL },
  { "recurringFlag", 'b', NULL, 0, 0, NULL },
  { "recurringRevenue", 'n', NULL, 0, 0, NULL },
  { "recurringCost", 'n', NULL, 0, 0, NULL },
  { "recurringOneTimeFlag", 'b', NULL, 0, 0, NULL },
  { "recurringBillCycle", 'r', NULL, 0, 0, NULL },
  { "recurringCycleType", 'e', "ContractYear|CalendarYear", 0, 0, NULL },
  { "category", 'r', "categories", 0, 0, NULL },
  { "dateEntered", 'd', NULL, 0, F_READONLY, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

static const Field product_type_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "typeXref", 'e', "InventoryPart|NonInventoryPart|OtherCharge|Service", 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  END
};

static const Field category_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "integrationXref", 's', NULL, 50, 0, NULL },
  { "priceLevelXref", 's', NULL, 50, 0, NULL },
  END
};

static const Field subcategory_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "integrationXref", 's', NULL, 50, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "category", 'r', "categories", 0, F_REQUIRED, NULL },
  END
};

static const Field tax_code_fields[] = {
  { "identifier", 's', NULL, 15, F_REQUIRED, NULL },
  { "description", 's', NULL, 50, F_REQUIRED, NULL },
  { "invoiceCaption", 's', NULL, 50, F_REQUIRED, NULL },
  { "effectiveDate", 'd', NULL, 0, F_REQUIRED, NULL },
  { "cancelDate", 'd', NULL, 0, 0, NULL },
  { "country", 'r', NULL, 0, 0, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "displayOnInvoiceFlag", 'b', NULL, 0, 0, NULL },
  { "levelOneRate", 'n', NULL, 0, 0, NULL },
  { "levelOneRateType", 'e', "Amount|Percent", 0, 0, NULL },
  { "levelOneCaption", 's', NULL, 50, 0, NULL },
  { "levelOneServicesFlag", 'b', NULL, 0, 0, NULL },
  { "levelOneExpensesFlag", 'b', NULL, 0, 0, NULL },
  { "levelOneProductsFlag", 'b', NULL, 0, 0, NULL },
  { "levelTwoRate", 'n', NULL, 0, 0, NULL },
  { "levelTwoRateType", 'e', "Amount|Percent", 0, 0, NULL },
  { "levelTwoCaption", 's', NULL, 50, 0, NULL },
  END
};

static const Field agreement_fields[] = {
  { "name", 's', NULL, 100, F_REQUIRED, NULL },
  { "type", 'r', "agreement_types", 0, F_REQUIRED, NULL },
  { "company", 'r', "companies", 0, F_REQUIRED, NULL },
  { "contact", 'r', "contacts", 0, F_REQUIRED, NULL },
  { "site", 'r', "sites", 0, 0, NULL },
  { "customerPO", 's', NULL, 50, 0, NULL },
  { "startDate", 'd', NULL, 0, 0, NULL },
  { "endDate", 'd', NULL, 0, 0, NULL },
  { "noEndingDateFlag", 'b', NULL, 0, 0, NULL },
  { "opportunity", 'r', "opportunities", 0, 0, NULL },
  { "cancelledFlag", 'b', NULL, 0, 0, NULL },
  { "dateCancelled", 'd', NULL, 0, 0, NULL },
  { "reasonCancelled", 's', NULL, 250, 0, NULL },
  { "internalNotes", 's', NULL, 0, 0, NULL },
  { "applicationUnits", 'e', "Amount|Hours|Incidents", 0, 0, NULL },
  { "applicationLimit", 'n', NULL, 0, 0, NULL },
  { "applicationUnlimitedFlag", 'b', NULL, 0, 0, NULL },
  { "billingCycle", 'r', NULL, 0, 0, NULL },
  { "billAmount", 'n', NULL, 0, 0, NULL },
  { "billStartDate", 'd', NULL, 0, 0, NULL },
  { "taxCode", 'r', "tax_codes", 0, 0, NULL },
  { "taxable", 'b', NULL, 0, 0, NULL },
  { "billTime", 'e', "Billable|DoNotBill|NoCharge|NoDefault", 0, 0, NULL },
  { "billExpenses", 'e', "Billable|DoNotBill|NoCharge|NoDefault", 0, 0, NULL },
  { "billProducts", 'e', "Billable|DoNotBill|NoCharge|NoDefault", 0, 0, NULL },
  { "agreementStatus", 'e', "Active|Cancelled|Expired|Inactive", 0, 0, NULL },
  { "parentAgreement", 'r', "agreements", 0, 0, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

static const Field agreement_type_fields[] = {
  { "name", 's', NULL, 50, F_REQUIRED, NULL },
  { "defaultFlag", 'b', NULL, 0, 0, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  END
};

static const Field addition_fields[] = {
  { "product", 'r', "catalog", 0, F_REQUIRED, NULL },
  { "quantity", 'n', NULL, 0, 0, NULL },
  { "lessIncluded", 'n', NULL, 0, 0, NULL },
  { "unitPrice", 'n', NULL, 0, 0, NULL },
  { "unitCost", 'n', NULL, 0, 0, NULL },
  { "billCustomer", 'e', "Billable|DoNotBill|NoCharge", 0, F_REQUIRED, NULL },
  { "effectiveDate", 'd', NULL, 0, 0, NULL },
  { "cancelledDate", 'd', NULL, 0, 0, NULL },
  { "taxableFlag", 'b', NULL, 0, 0, NULL },
  { "serialNumber", 's', NULL, 50, 0, NULL },
  { "invoiceDescription", 's', NULL, 6000, 0, NULL },
  { "purchaseItemFlag", 'b', NULL, 0, 0, NULL },
  { "specialOrderFlag", 'b', NULL, 0, 0, NULL },
  { "agreementId", 'i', NULL, 0, F_READONLY, NULL },
  { "description", 's', NULL, 60, 0, NULL },
  { "billedQuantity", 'n', NULL, 0, F_READONLY, NULL },
  { "uom", 's', NULL, 30, 0, NULL },
  { "extPrice", 'n', NULL, 0, F_READONLY, NULL },
  { "extCost", 'n', NULL, 0, F_READONLY, NULL },
  { "margin", 'n', NULL, 0, F_READONLY, NULL },
  { "sequenceNumber", 'n', NULL, 0, 0, NULL },
  { "opportunity", 'r', "opportunities", 0, 0, NULL },
  { "agreementStatus", 'e', "Active|Cancelled|Expired|Inactive", 0, F_READONLY, NULL },
  { "customFields", 'c', NULL, 0, 0, NULL },
  END
};

static const Field member_fields[] = {
  { "identifier", 's', NULL, 15, F_REQUIRED, NULL },
  { "firstName", 's', NULL, 30, F_REQUIRED, NULL },
  { "lastName", 's', NULL, 30, F_REQUIRED, NULL },
  { "title", 's', NULL, 50, 0, NULL },
  { "licenseClass", 'e', "A|C|F|X", 0, F_REQUIRED, NULL },
  { "inactiveFlag", 'b', NULL, 0, 0, NULL },
  { "inactiveDate", 'd', NULL, 0, 0, NULL },
  { "hireDate", 'd', NULL, 0, F_REQUIRED, NULL },
  { "defaultEmail", 'e', "Office|Mobile|Home", 0, F_REQUIRED, NULL },
  { "defaultPhone", 'e', "Office|Mobile|Home", 0, F_REQUIRED, NULL },
  { "primaryEmail", 's', NULL, 250, 0, NULL },
  { "officeEmail", 's', NULL, 250, 0, NULL },
  { "officePhone", 's', NULL, 30, 0, NULL },
  { "mobilePhone", 's', NULL, 30, 0, NULL },
  { "securityRole", 'r', NULL, 0, F_REQUIRED, NULL },
  { "adminFlag", 'b', NULL, 0, 0, NULL },
  { "dailyCapacity", 'n', NULL, 0, 0, NULL },
  { "hourlyCost", 'n', NULL, 0, 0, NULL },
  { "hourlyRate", 'n', NULL, 0, 0, NULL },
  { "timeZone", 'r', NULL, 0, 0, NULL },
  END
};

static const CollectionDef collection_defs[] = {
  { "companies", "company/companies", NULL, "company", "company_href", NULL, NULL, "name", TRUE, FALSE, "identifier", company_fields },
  { "company_types", "company/companies/types", NULL, "companyType", "type_href", NULL, NULL, "name", FALSE, FALSE, NULL, company_type_fields },
  { "communication_types", "company/communicationTypes", NULL, "type", "type_href", NULL, NULL, "description", FALSE, FALSE, NULL, communication_type_fields },
  { "company_statuses", "company/companies/statuses", NULL, "companyStatus", "status_href", NULL, NULL, "name", FALSE, FALSE, NULL, company_status_fields },
  { "sites", "company/companies/{pid}/sites", NULL, "site", "site_href", "companies", "company", "name", FALSE, FALSE, NULL, site_fields },
  { "contacts", "company/contacts", NULL, "contact", "contact_href", NULL, NULL, NULL, FALSE, FALSE, NULL, contact_fields },
  { "opportunity_statuses", "sales/opportunities/statuses", NULL, "opportunityStatus", "status_href", NULL, NULL, "name", FALSE, FALSE, NULL, opportunity_status_fields },
  { "opportunity_types", "sales/opportunities/types", NULL, "opportunityType", "type_href", NULL, NULL, "description", FALSE, FALSE, NULL, opportunity_type_fields },
  { "opportunity_ratings", "sales/opportunities/ratings", NULL, "opportunityRating", "rating_href", NULL, NULL, "name", FALSE, FALSE, NULL, opportunity_rating_fields },
  { "opportunities", "sales/opportunities", NULL, "opportunity", "opportunity_href", NULL, NULL, "name", FALSE, FALSE, NULL, opportunity_fields },
  { "stages", "sales/stages", NULL, "stage", "stage_href", NULL, NULL, "name", FALSE, FALSE, NULL, stage_fields },
  { "catalog", "procurement/catalog", NULL, "catalogItem", "catalog_href", NULL, NULL, NULL, TRUE, FALSE, "identifier", catalog_fields },
  { "product_types", "procurement/types", NULL, "productType", "type_href", NULL, NULL, "name", FALSE, FALSE, NULL, product_type_fields },
  { "categories", "procurement/categories", NULL, "category", "category_href", NULL, NULL, "name", FALSE, FALSE, NULL, category_fields },
  { "subcategories", "procurement/subcategories", "procurement/categories/{pid}/subcategories", "subcategory", "subcategory_href", "categories", "category", "name", FALSE, FALSE, NULL, subcategory_fields },
  { "tax_codes", "finance/taxCodes", NULL, "taxCode", "taxCode_href", NULL, NULL, "identifier", FALSE, FALSE, "identifier", tax_code_fields },
  { "agreement_types", "finance/agreements/types", NULL, "agreementType", "type_href", NULL, NULL, "name", FALSE, FALSE, NULL, agreement_type_fields },
  { "agreements", "finance/agreements", NULL, "agreement", "agreement_href", NULL, NULL, "name", FALSE, FALSE, NULL, agreement_fields },
  { "additions", "finance/agreements/{pid}/additions", NULL, "addition", "addition_href", "agreements", "agreementId", "description", FALSE, FALSE, NULL, addition_fields },
  { "members", "system/members", NULL, "member", "member_href", NULL, NULL, NULL, TRUE, TRUE, "identifier", member_fields },
};

/* ---- Helpers ------------------------------------------------------------------------------ */

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static char *
object_to_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return to_json (node);
}

/**
 * lsn_cw_error_body:
 * @code: the top-level `code` (`InvalidObject`, `NotFound`, `Unauthorized`...)
 * @message: the top-level `message`
 * @resource: (nullable): with @field and @detail, one entry of `errors`
 * @field: (nullable): the field the entry is about
 * @detail: (nullable): the entry's message; without it `errors` is null
 *
 * Returns: (transfer full): ConnectWise's `ErrorResponseMessage` as JSON
 */
char *
lsn_cw_error_body (const char *code,
                   const char *message,
                   const char *resource,
                   const char *field,
                   const char *detail)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "errors");
  if (detail)
    {
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, "InvalidField");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, detail);
      json_builder_set_member_name (b, "resource");
      json_builder_add_string_value (b, resource);
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return to_json (root);
}

static void
respond_error (LsnCwResponse *response,
               guint          status,
               const char    *code,
               const char    *message)
{
  response->status = status;
  response->body = lsn_cw_error_body (code, message, NULL, NULL, NULL);
}

static void
collection_free (gpointer data)
{
  Collection *collection = data;

  g_hash_table_unref (collection->records);
  g_free (collection);
}

void
lsn_cw_response_clear (LsnCwResponse *response)
{
  g_clear_pointer (&response->body, g_free);
  g_clear_pointer (&response->link, g_free);
}

/**
 * lsn_cw_store_new:
 * @base_url: `http://127.0.0.1:PORT/{codebase}apis/3.0`, used in `_href`s
 *
 * Returns: (transfer full): an empty store
 */
LsnCwStore *
lsn_cw_store_new (const char *base_url)
{
  LsnCwStore *store = g_new0 (LsnCwStore, 1);

  store->base_url = g_strdup (base_url);
  store->collections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, collection_free);
  store->next_item_id = 1;

  for (guint i = 0; i < G_N_ELEMENTS (collection_defs); i++)
    {
      Collection *collection = g_new0 (Collection, 1);

      collection->def = &collection_defs[i];
      collection->records = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                   (GDestroyNotify) json_object_unref);
      collection->next_id = 1;
      g_hash_table_insert (store->collections, (gpointer) collection_defs[i].key, collection);
    }

  return store;
}

void
lsn_cw_store_free (LsnCwStore *store)
{
  if (store == NULL)
    return;

  g_hash_table_unref (store->collections);
  g_free (store->base_url);
  g_free (store);
}

static Collection *
get_collection (LsnCwStore *store,
                const char *key)
{
  return key ? g_hash_table_lookup (store->collections, key) : NULL;
}

static JsonObject *
get_record (Collection *collection,
            gint64      id)
{
  return g_hash_table_lookup (collection->records, &id);
}

static const Field *
find_field (const Field *fields,
            const char  *name,
            gsize        length)
{
  for (guint i = 0; fields[i].name; i++)
    if (strlen (fields[i].name) == length && strncmp (fields[i].name, name, length) == 0)
      return &fields[i];
  return NULL;
}

static char *
record_href (LsnCwStore *store,
             Collection *collection,
             JsonObject *record)
{
  const CollectionDef *def = collection->def;
  gint64 id = json_object_get_int_member_with_default (record, "id", 0);
  g_autofree char *path = NULL;

  if (def->parent_key)
    {
      gint64 pid = 0;
      JsonNode *parent = json_object_get_member (record, def->parent_field);
      g_auto(GStrv) parts = NULL;

      if (parent && JSON_NODE_HOLDS_OBJECT (parent))
        pid = json_object_get_int_member_with_default (json_node_get_object (parent), "id", 0);
      else if (parent && JSON_NODE_HOLDS_VALUE (parent))
        pid = json_node_get_int (parent);

      parts = g_strsplit (def->path, "{pid}", 2);
      path = g_strdup_printf ("%s%" G_GINT64_FORMAT "%s", parts[0], pid, parts[1] ? parts[1] : "");
    }
  else
    path = g_strdup (def->path);

  return g_strdup_printf ("%s/%s/%" G_GINT64_FORMAT, store->base_url, path, id);
}

/* The reference another record embeds to point at @record. */
static JsonObject *
make_reference (LsnCwStore *store,
                Collection *collection,
                JsonObject *record)
{
  const CollectionDef *def = collection->def;
  JsonObject *ref = json_object_new ();
  JsonObject *info = json_object_new ();
  g_autofree char *href = record_href (store, collection, record);

  json_object_set_int_member (ref, "id", json_object_get_int_member_with_default (record, "id", 0));
  if (def->ref_identifier && json_object_has_member (record, "identifier"))
    json_object_set_string_member (ref, "identifier", json_object_get_string_member (record, "identifier"));

  if (def->ref_name)
    {
      if (json_object_has_member (record, def->ref_name))
        json_object_set_string_member (ref, "name", json_object_get_string_member (record, def->ref_name));
    }
  else if (g_str_equal (def->key, "contacts") || g_str_equal (def->key, "members"))
    {
      g_autofree char *name = g_strstrip (g_strdup_printf ("%s %s",
        json_object_get_string_member_with_default (record, "firstName", ""),
        json_object_get_string_member_with_default (record, "lastName", "")));

      json_object_set_string_member (ref, "name", name);
    }

  json_object_set_string_member (info, def->href, href);
  json_object_set_object_member (ref, "_info", info);
  return ref;
}

/* ---- Field resolution for queries ---------------------------------------------------------- */

typedef struct
{
  LsnCwStore          *store;
  const CollectionDef *def;
  const Field         *fields;      /* for child conditions: the element's fields */
  gboolean             child_refs;  /* child conditions over a list of references */
  gboolean             custom;      /* customFieldConditions */
} Resolver;

static LsnCwFieldType
scalar_type (char type)
{
  switch (type)
    {
    case 'i': return LSN_CW_FIELD_INT;
    case 'n': return LSN_CW_FIELD_NUMBER;
    case 's':
    case 'e': return LSN_CW_FIELD_STRING;
    case 'b': return LSN_CW_FIELD_BOOL;
    case 'd': return LSN_CW_FIELD_DATETIME;
    case 'r': return LSN_CW_FIELD_OBJECT;
    case 'A':
    case 'a':
    case 't':
    case 'c': return LSN_CW_FIELD_ARRAY;
    default: return LSN_CW_FIELD_UNKNOWN;
    }
}

static LsnCwFieldType
reference_member_type (const char *member,
                       const char *target,
                       LsnCwStore *store)
{
  Collection *collection = get_collection (store, target);

  if (g_str_equal (member, "id"))
    return LSN_CW_FIELD_INT;
  if (g_str_equal (member, "name"))
    return LSN_CW_FIELD_STRING;
  if (g_str_equal (member, "identifier") && (collection == NULL || collection->def->ref_identifier))
    return LSN_CW_FIELD_STRING;
  if (g_str_equal (member, "_info"))
    return LSN_CW_FIELD_OBJECT;
  return LSN_CW_FIELD_UNKNOWN;
}

static LsnCwFieldType
resolve_field (const char  *path,
               char       **canonical,
               gpointer     user_data)
{
  Resolver *resolver = user_data;
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  guint n = g_strv_length (segments);
  const Field *field;

  if (resolver->custom)
    {
      static const Field custom_fields[] = {
        { "id", 'i', NULL, 0, 0, NULL }, { "caption", 's', NULL, 0, 0, NULL },
        { "type", 's', NULL, 0, 0, NULL }, { "entryMethod", 's', NULL, 0, 0, NULL },
        { "numberOfDecimals", 'i', NULL, 0, 0, NULL }, END
      };

      if (n == 1 && g_str_equal (path, "value"))
        return LSN_CW_FIELD_ANY;
      field = n == 1 ? find_field (custom_fields, path, strlen (path)) : NULL;
      return field ? scalar_type (field->type) : LSN_CW_FIELD_UNKNOWN;
    }

  if (resolver->child_refs)
    return n == 1 ? reference_member_type (path, NULL, resolver->store) : LSN_CW_FIELD_UNKNOWN;

  if (g_str_equal (segments[0], "id"))
    return n == 1 ? LSN_CW_FIELD_INT : LSN_CW_FIELD_UNKNOWN;

  field = find_field (resolver->fields, segments[0], strlen (segments[0]));

  if (field == NULL && resolver->def != NULL)
    {
      static const char * const info_dates[] = { "lastUpdated", "dateEntered", NULL };
      static const char * const info_names[] = { "updatedBy", "enteredBy", NULL };
      const char *member = NULL;

      if (g_str_equal (segments[0], "_info"))
        {
          if (n == 1)
            return LSN_CW_FIELD_OBJECT;
          if (n != 2)
            return LSN_CW_FIELD_UNKNOWN;
          member = segments[1];
        }
      else if (n == 1)
        {
          member = segments[0];
          if (canonical)
            *canonical = g_strdup_printf ("_info/%s", member);
        }

      if (member && g_strv_contains (info_dates, member))
        return LSN_CW_FIELD_DATETIME;
      if (member && g_strv_contains (info_names, member))
        return LSN_CW_FIELD_STRING;
      if (canonical)
        g_clear_pointer (canonical, g_free);
      return LSN_CW_FIELD_UNKNOWN;
    }

  if (field == NULL)
    return LSN_CW_FIELD_UNKNOWN;
  if (n == 1)
    return scalar_type (field->type);
  if (field->type == 'r' && n == 2)
    return reference_member_type (segments[1], field->target, resolver->store);
  if (field->type == 'r' && n == 3 && g_str_equal (segments[1], "_info"))
    return LSN_CW_FIELD_STRING;
  return LSN_CW_FIELD_UNKNOWN;
}

/* ---- Validation of bodies ------------------------------------------------------------------ */

typedef struct
{
  JsonBuilder *errors;
  guint        n_errors;
  char        *conversion;   /* a JSON type that cannot be converted: a 500, as on a real server */
  const char  *resource;
} Problems;

static void
add_problem (Problems   *problems,
             const char *code,
             const char *field,
             const char *format,
             ...) G_GNUC_PRINTF (4, 5);

static void
add_problem (Problems   *problems,
             const char *code,
             const char *field,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (problems->errors);
  json_builder_set_member_name (problems->errors, "code");
  json_builder_add_string_value (problems->errors, code);
  json_builder_set_member_name (problems->errors, "message");
  json_builder_add_string_value (problems->errors, message);
  json_builder_set_member_name (problems->errors, "resource");
  json_builder_add_string_value (problems->errors, problems->resource);
  json_builder_set_member_name (problems->errors, "field");
  json_builder_add_string_value (problems->errors, field);
  json_builder_end_object (problems->errors);
  problems->n_errors++;
}

static void
conversion_problem (Problems   *problems,
                    JsonNode   *value,
                    const char *type,
                    const char *path)
{
  g_autofree char *text = NULL;

  if (problems->conversion)
    return;
  text = to_json (value);
  problems->conversion = g_strdup_printf ("Error converting value %s to type '%s'. Path '%s'.",
                                          text, type, path);
}

static gboolean
enum_contains (const char *values,
               const char *value)
{
  g_auto(GStrv) list = g_strsplit (values, "|", -1);

  return g_strv_contains ((const char * const *) list, value);
}

static Collection *
find_by_identifier (Collection *collection,
                    const char *identifier,
                    JsonObject **out)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, collection->records);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *candidate = json_object_get_string_member_with_default (value, "identifier", NULL);

      if (candidate && g_ascii_strcasecmp (candidate, identifier) == 0)
        {
          *out = value;
          return collection;
        }
    }

  *out = NULL;
  return collection;
}

/* A reference in a body: `{"id": N}` or `{"identifier": "..."}` suffice. Returns the
 * normalized reference, or NULL after recording a problem. */
static JsonObject *
normalize_reference (LsnCwStore  *store,
                     const Field *field,
                     const char  *path,
                     JsonNode    *value,
                     Problems    *problems)
{
  Collection *target = get_collection (store, field->target);
  JsonObject *given;
  JsonObject *record = NULL;
  JsonNode *id_node;

  if (!JSON_NODE_HOLDS_OBJECT (value))
    {
      conversion_problem (problems, value, "Reference", path);
      return NULL;
    }
  given = json_node_get_object (value);
  id_node = json_object_get_member (given, "id");

  if (id_node && !JSON_NODE_HOLDS_NULL (id_node)
      && (!JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_INT64))
    {
      g_autofree char *id_path = g_strdup_printf ("%s.id", path);

      conversion_problem (problems, id_node, "System.Int32", id_path);
      return NULL;
    }

  if (target == NULL)
    {
      /* A reference to something the sandbox does not simulate: keep what was given. */
      JsonObject *copy = json_object_new ();
      GList *members = json_object_get_members (given);

      for (GList *l = members; l; l = l->next)
        {
          JsonNode *member = json_object_get_member (given, l->data);

          if (!JSON_NODE_HOLDS_NULL (member))
            json_object_set_member (copy, l->data, json_node_copy (member));
        }
      g_list_free (members);
      return copy;
    }

  if (id_node && !JSON_NODE_HOLDS_NULL (id_node))
    record = get_record (target, json_node_get_int (id_node));
  else if (target->def->unique && json_object_get_string_member_with_default (given, "identifier", NULL))
    find_by_identifier (target, json_object_get_string_member (given, "identifier"), &record);
  else
    {
      add_problem (problems, "MissingRequiredField", path,
                   "%s must be given as {\"id\": ...}%s.", path,
                   target->def->unique ? " or {\"identifier\": ...}" : "");
      return NULL;
    }

  if (record == NULL)
    {
      g_autofree char *given_text = NULL;

      given_text = id_node && !JSON_NODE_HOLDS_NULL (id_node)
                   ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id_node))
                   : g_strdup_printf ("'%s'", json_object_get_string_member (given, "identifier"));
      add_problem (problems, "NotFound", path, "%s %s not found.", target->def->resource, given_text);
      return NULL;
    }

  return make_reference (store, target, record);
}

static JsonNode *normalize_value (LsnCwStore *store, const Field *field, const char *path,
                                  JsonNode *value, Problems *problems);

static JsonObject *
normalize_object (LsnCwStore  *store,
                  const Field *fields,
                  const char  *prefix,
                  JsonObject  *given,
                  Problems    *problems,
                  gboolean     ignore_readonly)
{
  JsonObject *result = json_object_new ();
  GList *members = json_object_get_members (given);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      const Field *field = find_field (fields, name, strlen (name));
      JsonNode *value = json_object_get_member (given, name);
      g_autofree char *path = prefix ? g_strdup_printf ("%s/%s", prefix, name) : g_strdup (name);
      JsonNode *normalized;

      if (g_str_equal (name, "id") || g_str_equal (name, "_info"))
        continue;
      if (field == NULL)
        {
          add_problem (problems, "UnknownField", path,
                       "The field %s is not a field of %s.", path, problems->resource);
          continue;
        }
      if ((field->flags & F_READONLY) && ignore_readonly)
        continue;
      if (JSON_NODE_HOLDS_NULL (value))
        continue;

      normalized = normalize_value (store, field, path, value, problems);
      if (normalized)
        json_object_set_member (result, name, normalized);
    }
  g_list_free (members);

  return result;
}

static JsonNode *
normalize_value (LsnCwStore  *store,
                 const Field *field,
                 const char  *path,
                 JsonNode    *value,
                 Problems    *problems)
{
  GType gtype = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;
  JsonNode *result = NULL;

  switch (field->type)
    {
    case 'i':
      if (gtype == G_TYPE_INT64)
        return json_node_copy (value);
      conversion_problem (problems, value, "System.Int32", path);
      return NULL;

    case 'n':
      if (gtype == G_TYPE_INT64 || gtype == G_TYPE_DOUBLE)
        {
          result = json_node_new (JSON_NODE_VALUE);
          json_node_set_double (result, gtype == G_TYPE_INT64 ? (double) json_node_get_int (value)
                                                              : json_node_get_double (value));
          return result;
        }
      conversion_problem (problems, value, "System.Double", path);
      return NULL;

    case 'b':
      if (gtype == G_TYPE_BOOLEAN)
        return json_node_copy (value);
      conversion_problem (problems, value, "System.Boolean", path);
      return NULL;

    case 's':
      if (gtype != G_TYPE_STRING)
        {
          conversion_problem (problems, value, "System.String", path);
          return NULL;
        }
      if (field->max && g_utf8_strlen (json_node_get_string (value), -1) > field->max)
        {
          add_problem (problems, "MaxLengthField", path,
                       "The field %s must be a string with a maximum length of %u.", path, field->max);
          return NULL;
        }
      return json_node_copy (value);

    case 'e':
      if (gtype != G_TYPE_STRING || !enum_contains (field->target, json_node_get_string (value)))
        {
          conversion_problem (problems, value, field->name, path);
          return NULL;
        }
      return json_node_copy (value);

    case 'd':
      {
        gint64 usec;
        g_autofree char *text = NULL;

        if (gtype != G_TYPE_STRING || !lsn_cw_parse_datetime (json_node_get_string (value), &usec))
          {
            conversion_problem (problems, value, "System.DateTime", path);
            return NULL;
          }
        text = format_time (usec);
        result = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (result, text);
        return result;
      }

    case 'r':
      {
        JsonObject *ref = normalize_reference (store, field, path, value, problems);

        if (ref == NULL)
          return NULL;
        result = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (result, ref);
        return result;
      }

    case 'A':
    case 'a':
    case 't':
    case 'c':
      {
        JsonArray *given;
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (value))
          {
            conversion_problem (problems, value, "List", path);
            return NULL;
          }
        given = json_node_get_array (value);
        array = json_array_new ();
        for (guint i = 0; i < json_array_get_length (given); i++)
          {
            JsonNode *element = json_array_get_element (given, i);
            g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

            if (field->type == 'A')
              {
                JsonObject *ref = normalize_reference (store, field, element_path, element, problems);

                if (ref)
                  json_array_add_object_element (array, ref);
              }
            else if (field->type == 't')
              {
                if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
                  json_array_add_element (array, json_node_copy (element));
                else
                  conversion_problem (problems, element, "System.String", element_path);
              }
            else if (!JSON_NODE_HOLDS_OBJECT (element))
              conversion_problem (problems, element, "Object", element_path);
            else if (field->type == 'c')
              {
                JsonObject *copy = json_object_new ();
                JsonObject *source = json_node_get_object (element);
                GList *members = json_object_get_members (source);

                for (GList *l = members; l; l = l->next)
                  if (!JSON_NODE_HOLDS_NULL (json_object_get_member (source, l->data)))
                    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (source, l->data)));
                g_list_free (members);
                json_array_add_object_element (array, copy);
              }
            else
              {
                JsonObject *source = json_node_get_object (element);
                g_autoptr(JsonObject) fields = normalize_object (store, field->items, element_path, source, problems, FALSE);
                JsonObject *item = json_object_new ();
                gint64 id = json_object_get_int_member_with_default (source, "id", 0);
                GList *members = json_object_get_members (fields);

                json_object_set_int_member (item, "id", id > 0 ? id : store->next_item_id++);
                for (GList *l = members; l; l = l->next)
                  json_object_set_member (item, l->data, json_node_copy (json_object_get_member (fields, l->data)));
                g_list_free (members);
                json_array_add_object_element (array, item);
              }
          }
        result = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (result, array);
        return result;
      }

    default:
      return NULL;
    }
}

static gboolean
identifier_taken (Collection *collection,
                  const char *identifier,
                  gint64      except_id)
{
  JsonObject *other = NULL;

  find_by_identifier (collection, identifier, &other);
  return other != NULL && json_object_get_int_member_with_default (other, "id", 0) != except_id;
}

/* Builds the record a POST or PUT body describes. On failure fills @response with the 400 (or
 * the 500 of a conversion error) and returns NULL. */
static JsonObject *
build_record (LsnCwStore    *store,
              Collection    *collection,
              JsonObject    *given,
              gint64         id,
              LsnCwResponse *response)
{
  const CollectionDef *def = collection->def;
  g_autoptr(JsonBuilder) errors = json_builder_new ();
  g_autoptr(JsonObject) record = NULL;
  Problems problems = { errors, 0, NULL, def->resource };

  json_builder_begin_array (errors);
  record = normalize_object (store, def->fields, NULL, given, &problems, TRUE);

  for (guint i = 0; def->fields[i].name; i++)
    if ((def->fields[i].flags & F_REQUIRED) && !json_object_has_member (record, def->fields[i].name)
        && !json_object_has_member (given, def->fields[i].name))
      add_problem (&problems, "MissingRequiredField", def->fields[i].name,
                   "The field %s is required.", def->fields[i].name);
    else if ((def->fields[i].flags & F_REQUIRED) && def->fields[i].type == 's'
             && json_object_has_member (record, def->fields[i].name)
             && *json_object_get_string_member (record, def->fields[i].name) == '\0')
      add_problem (&problems, "MissingRequiredField", def->fields[i].name,
                   "The field %s is required.", def->fields[i].name);

  if (def->unique && json_object_has_member (record, def->unique)
      && identifier_taken (collection, json_object_get_string_member (record, def->unique), id))
    add_problem (&problems, "ObjectExists", def->unique, "The %s %s '%s' is already in use.",
                 def->resource, def->unique, json_object_get_string_member (record, def->unique));

  json_builder_end_array (errors);

  if (problems.conversion)
    {
      response->status = 500;
      response->body = lsn_cw_error_body ("ConnectWiseApi", problems.conversion, NULL, NULL, NULL);
      g_free (problems.conversion);
      return NULL;
    }
  if (problems.n_errors > 0)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *message = g_strdup_printf ("%s object is invalid", def->resource);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, "InvalidObject");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_set_member_name (b, "errors");
      json_builder_add_value (b, json_builder_get_root (errors));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      response->status = 400;
      response->body = to_json (root);
      return NULL;
    }

  return g_steal_pointer (&record);
}

/* Fields the server computes. */
static void
compute_fields (Collection *collection,
                JsonObject *record)
{
  if (g_str_equal (collection->def->key, "additions"))
    {
      double quantity = json_object_get_double_member_with_default (record, "quantity", 0);
      double price = json_object_get_double_member_with_default (record, "unitPrice", 0);
      double cost = json_object_get_double_member_with_default (record, "unitCost", 0);

      json_object_set_double_member (record, "extPrice", quantity * price);
      json_object_set_double_member (record, "extCost", quantity * cost);
      json_object_set_double_member (record, "margin", quantity * (price - cost));
    }
}

/* Sets id, the parent, `_info`, keeping `_info` last as ConnectWise writes it. */
static void
stamp_record (LsnCwStore  *store,
              Collection  *collection,
              JsonObject  *record,
              gint64       id,
              gint64       parent_id,
              JsonObject  *previous_info,
              gint64       now_usec,
              const char  *member)
{
  const CollectionDef *def = collection->def;
  g_autoptr(JsonObject) reordered = json_object_new ();
  JsonObject *info = json_object_new ();
  g_autofree char *now_text = NULL;
  gint64 previous = 0;
  GList *members;

  json_object_set_int_member (reordered, "id", id);

  if (def->parent_key)
    {
      Collection *parent = get_collection (store, def->parent_key);
      JsonObject *parent_record = get_record (parent, parent_id);

      if (g_str_equal (def->parent_field, "agreementId"))
        json_object_set_int_member (record, "agreementId", parent_id);
      else if (parent_record)
        json_object_set_object_member (record, def->parent_field,
                                       make_reference (store, parent, parent_record));
    }

  /* lastUpdated has a resolution of a second; it moves on every write, even two in a second. */
  if (previous_info
      && lsn_cw_parse_datetime (json_object_get_string_member_with_default (previous_info, "lastUpdated", NULL), &previous)
      && now_usec / G_USEC_PER_SEC <= previous / G_USEC_PER_SEC)
    now_usec = previous + G_USEC_PER_SEC;
  now_text = format_time (now_usec);

  json_object_set_string_member (info, "lastUpdated", now_text);
  json_object_set_string_member (info, "updatedBy", member);
  if (previous_info && json_object_has_member (previous_info, "dateEntered"))
    {
      json_object_set_string_member (info, "dateEntered", json_object_get_string_member (previous_info, "dateEntered"));
      json_object_set_string_member (info, "enteredBy",
                                     json_object_get_string_member_with_default (previous_info, "enteredBy", member));
    }
  else
    {
      json_object_set_string_member (info, "dateEntered", now_text);
      json_object_set_string_member (info, "enteredBy", member);
    }

  compute_fields (collection, record);

  members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    if (!g_str_equal (l->data, "id") && !g_str_equal (l->data, "_info"))
      json_object_set_member (reordered, l->data, json_node_copy (json_object_get_member (record, l->data)));
  g_list_free (members);
  json_object_set_object_member (reordered, "_info", info);

  members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    json_object_remove_member (record, l->data);
  g_list_free (members);
  members = json_object_get_members (reordered);
  for (GList *l = members; l; l = l->next)
    json_object_set_member (record, l->data, json_node_copy (json_object_get_member (reordered, l->data)));
  g_list_free (members);
}

static gint64
record_parent_id (Collection *collection,
                  JsonObject *record)
{
  JsonNode *node;

  if (collection->def->parent_key == NULL)
    return 0;
  node = json_object_get_member (record, collection->def->parent_field);
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_int_member_with_default (json_node_get_object (node), "id", 0);
  if (node && JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_int (node);
  return 0;
}

/**
 * lsn_cw_store_seed:
 * @store: the store
 * @collection: a collection key (`companies`, `sites`, `contacts`...)
 * @parent_id: the parent's id for `sites` and `additions`, else 0
 * @record: the record as a body would give it (references as `{"id": N}`)
 * @last_updated_usec: its `_info.lastUpdated` (and `dateEntered`)
 *
 * Returns: the new record's id, 0 when refused
 */
gint64
lsn_cw_store_seed (LsnCwStore *store,
                   const char *collection_key,
                   gint64      parent_id,
                   JsonObject *record,
                   gint64      last_updated_usec)
{
  Collection *collection = get_collection (store, collection_key);
  LsnCwResponse response = { 0 };
  JsonObject *built;
  gint64 id;

  g_return_val_if_fail (collection != NULL, 0);

  built = build_record (store, collection, record, 0, &response);
  if (built == NULL)
    {
      g_warning ("Seed %s refused: %s", collection_key, response.body);
      lsn_cw_response_clear (&response);
      return 0;
    }

  id = collection->next_id++;
  stamp_record (store, collection, built, id, parent_id, NULL, last_updated_usec, "sandbox");
  g_hash_table_insert (collection->records, g_memdup2 (&id, sizeof id), built);
  return id;
}

guint
lsn_cw_store_count (LsnCwStore *store,
                    const char *collection_key)
{
  Collection *collection = get_collection (store, collection_key);

  return collection ? g_hash_table_size (collection->records) : 0;
}

/**
 * lsn_cw_store_lookup:
 *
 * Returns: (transfer none) (nullable): the stored record, for the data generator's fix-ups
 */
JsonObject *
lsn_cw_store_lookup (LsnCwStore *store,
                     const char *collection_key,
                     gint64      id)
{
  Collection *collection = get_collection (store, collection_key);

  return collection ? get_record (collection, id) : NULL;
}

/**
 * lsn_cw_store_reference:
 *
 * Returns: (transfer full) (nullable): the reference other records embed to point at a record
 */
JsonObject *
lsn_cw_store_reference (LsnCwStore *store,
                        const char *collection_key,
                        gint64      id)
{
  Collection *collection = get_collection (store, collection_key);
  JsonObject *record = collection ? get_record (collection, id) : NULL;

  return record ? make_reference (store, collection, record) : NULL;
}

/* ---- Routing ----------------------------------------------------------------------------- */

typedef enum
{
  TARGET_LIST,
  TARGET_COUNT,
  TARGET_ITEM,
} TargetKind;

typedef struct
{
  Collection *collection;
  TargetKind  kind;
  gint64      parent_id;
  gint64      id;
  char       *list_path;  /* the collection's path with the parent filled in */
} Route;

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

static gboolean
match_template (const char  *template,
                char       **segments,
                guint        n_segments,
                Route       *route)
{
  g_auto(GStrv) parts = g_strsplit (template, "/", -1);
  guint n_parts = g_strv_length (parts);
  g_autoptr(GString) list_path = g_string_new (NULL);
  guint rest;

  if (n_segments < n_parts || n_segments > n_parts + 1)
    return FALSE;

  for (guint i = 0; i < n_parts; i++)
    {
      if (i > 0)
        g_string_append_c (list_path, '/');
      if (g_str_equal (parts[i], "{pid}"))
        {
          if (!parse_id (segments[i], &route->parent_id))
            return FALSE;
          g_string_append_printf (list_path, "%" G_GINT64_FORMAT, route->parent_id);
        }
      else if (g_str_equal (parts[i], segments[i]))
        g_string_append (list_path, parts[i]);
      else
        return FALSE;
    }

  rest = n_segments - n_parts;
  if (rest == 0)
    route->kind = TARGET_LIST;
  else if (g_str_equal (segments[n_parts], "count"))
    route->kind = TARGET_COUNT;
  else if (parse_id (segments[n_parts], &route->id))
    route->kind = TARGET_ITEM;
  else
    return FALSE;

  route->list_path = g_string_free (g_steal_pointer (&list_path), FALSE);
  return TRUE;
}

static gboolean
find_route (LsnCwStore *store,
            const char *path,
            Route      *route)
{
  g_auto(GStrv) raw = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) segments = g_ptr_array_new ();

  for (guint i = 0; raw[i]; i++)
    if (*raw[i] != '\0')
      g_ptr_array_add (segments, raw[i]);

  for (guint i = 0; i < G_N_ELEMENTS (collection_defs); i++)
    {
      const CollectionDef *def = &collection_defs[i];

      memset (route, 0, sizeof *route);
      route->collection = get_collection (store, def->key);
      if (match_template (def->path, (char **) segments->pdata, segments->len, route)
          || (def->alt_path && match_template (def->alt_path, (char **) segments->pdata, segments->len, route)))
        return TRUE;
    }

  return FALSE;
}

/**
 * lsn_cw_store_route_name:
 * @method: the HTTP method
 * @path: the part after `/apis/3.0/`
 *
 * Returns: (transfer full): the route as the reference spells it, e.g.
 *   `GET /company/companies/{id}`, or `METHOD /path` for a path that is none of ours
 */
char *
lsn_cw_store_route_name (LsnCwStore *store,
                         const char *method,
                         const char *path)
{
  Route route = { 0 };
  const CollectionDef *def;
  g_autofree char *template = NULL;
  g_autofree char *result = NULL;

  if (!find_route (store, path, &route))
    return g_strdup_printf ("%s /%s", method, path);

  g_free (route.list_path);
  def = route.collection->def;
  template = g_strdup (route.parent_id && def->alt_path && !strstr (def->path, "{pid}") ? def->alt_path : def->path);
  if (strstr (template, "{pid}"))
    {
      g_auto(GStrv) parts = g_strsplit (template, "{pid}", 2);

      g_free (template);
      template = g_strjoinv ("{parentId}", parts);
    }

  result = g_strdup_printf ("%s /%s%s", method, template,
                            route.kind == TARGET_COUNT ? "/count" : route.kind == TARGET_ITEM ? "/{id}" : "");
  return g_steal_pointer (&result);
}

/* ---- Queries ----------------------------------------------------------------------------- */

typedef struct
{
  LsnCwCondition *conditions;
  LsnCwCondition *child;
  char           *child_list;
  gboolean        child_refs;
  LsnCwCondition *custom;
  LsnCwOrder     *order;
  GPtrArray      *fields;
} Query;

static void
query_clear (Query *query)
{
  g_clear_pointer (&query->conditions, lsn_cw_condition_free);
  g_clear_pointer (&query->child, lsn_cw_condition_free);
  g_clear_pointer (&query->child_list, g_free);
  g_clear_pointer (&query->custom, lsn_cw_condition_free);
  g_clear_pointer (&query->order, lsn_cw_order_free);
  g_clear_pointer (&query->fields, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Query, query_clear)

static void
query_error (LsnCwResponse *response,
             const char    *resource,
             const char    *parameter,
             const GError  *error)
{
  g_autofree char *message = g_strdup_printf ("%s is invalid: %s", parameter, error->message);

  response->status = 400;
  response->body = lsn_cw_error_body ("InvalidObject", message, resource, parameter, error->message);
}

static const char *
query_param (GHashTable *query,
             const char *name)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  return value && *value ? value : NULL;
}

static gboolean
parse_query (LsnCwStore    *store,
             Collection    *collection,
             GHashTable    *params,
             Query         *query,
             LsnCwResponse *response)
{
  const CollectionDef *def = collection->def;
  Resolver resolver = { store, def, def->fields, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  const char *text;

  if ((text = query_param (params, "conditions")))
    {
      query->conditions = lsn_cw_condition_parse (text, &error);
      if (query->conditions == NULL
          || !lsn_cw_condition_bind (query->conditions, resolve_field, &resolver, &error))
        {
          query_error (response, def->resource, "conditions", error);
          return FALSE;
        }
    }

  if ((text = query_param (params, "childConditions")))
    {
      const Field *list = NULL;
      Resolver child = { store, NULL, NULL, FALSE, FALSE };

      query->child = lsn_cw_condition_parse (text, &error);
      if (query->child && lsn_cw_condition_strip_prefix (query->child, &query->child_list, &error))
        {
          list = find_field (def->fields, query->child_list, strlen (query->child_list));
          if (list == NULL || (list->type != 'a' && list->type != 'A'))
            g_set_error (&error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                         "'%s' is not a list of %s", query->child_list, def->resource);
          else
            {
              child.fields = list->items;
              child.child_refs = list->type == 'A';
              query->child_refs = child.child_refs;
              lsn_cw_condition_bind (query->child, resolve_field, &child, &error);
            }
        }
      if (error)
        {
          query_error (response, def->resource, "childConditions", error);
          return FALSE;
        }
    }

  if ((text = query_param (params, "customFieldConditions")))
    {
      Resolver custom = { store, NULL, NULL, FALSE, TRUE };

      if (find_field (def->fields, "customFields", strlen ("customFields")) == NULL)
        g_set_error (&error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                     "%s has no custom fields", def->resource);
      else
        {
          query->custom = lsn_cw_condition_parse (text, &error);
          if (query->custom)
            lsn_cw_condition_bind (query->custom, resolve_field, &custom, &error);
        }
      if (error)
        {
          query_error (response, def->resource, "customFieldConditions", error);
          return FALSE;
        }
    }

  if ((text = query_param (params, "orderBy")))
    {
      query->order = lsn_cw_order_parse (text, resolve_field, &resolver, &error);
      if (query->order == NULL)
        {
          query_error (response, def->resource, "orderBy", error);
          return FALSE;
        }
    }

  if ((text = query_param (params, "fields")))
    {
      query->fields = lsn_cw_fields_parse (text, resolve_field, &resolver, &error);
      if (query->fields == NULL)
        {
          query_error (response, def->resource, "fields", error);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
any_element_matches (JsonObject     *record,
                     const char     *list,
                     LsnCwCondition *condition)
{
  JsonNode *node = json_object_get_member (record, list);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element)
          && lsn_cw_condition_matches (condition, json_node_get_object (element)))
        return TRUE;
    }

  return FALSE;
}

static gboolean
query_matches (const Query *query,
               JsonObject  *record)
{
  if (query->conditions && !lsn_cw_condition_matches (query->conditions, record))
    return FALSE;
  if (query->child && !any_element_matches (record, query->child_list, query->child))
    return FALSE;
  if (query->custom && !any_element_matches (record, "customFields", query->custom))
    return FALSE;
  return TRUE;
}

static const Query *sort_query;

static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  return lsn_cw_order_compare (sort_query ? sort_query->order : NULL,
                               *(JsonObject **) a, *(JsonObject **) b);
}

static GPtrArray *
select_records (Collection  *collection,
                const Route *route,
                const Query *query)
{
  GPtrArray *result = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, collection->records);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (route->parent_id != 0 && record_parent_id (collection, value) != route->parent_id)
        continue;
      if (query_matches (query, value))
        g_ptr_array_add (result, value);
    }

  /* The store is driven from one thread (the sandbox's); the sort runs there too. */
  sort_query = query;
  g_ptr_array_sort (result, compare_records);
  sort_query = NULL;
  return result;
}

static char *
render_record (JsonObject  *record,
               const Query *query)
{
  if (query && query->fields)
    {
      g_autoptr(JsonObject) projected = lsn_cw_fields_project (record, query->fields);

      return object_to_json (projected);
    }
  return object_to_json (record);
}

static char *
page_url (const LsnCwRequest *request,
          const char         *list_path,
          const char         *replace_key,
          gint64              replace_value,
          const char         *drop_key)
{
  g_autoptr(GString) url = g_string_new (NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  gboolean first = TRUE;

  g_string_append_printf (url, "%s/%s", request->base_url, list_path);

  if (request->query)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, request->query);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (keys, key);
      g_ptr_array_sort (keys, (GCompareFunc) g_strcmp0);
    }

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = *(const char **) &keys->pdata[i];
      g_autofree char *escaped_value = NULL;

      if ((drop_key && g_str_equal (key, drop_key)) || g_str_equal (key, replace_key))
        continue;
      g_string_append_c (url, first ? '?' : '&');
      first = FALSE;
      escaped_value = g_uri_escape_string (g_hash_table_lookup (request->query, key), NULL, FALSE);
      g_string_append_printf (url, "%s=%s", key, escaped_value);
    }

  /* The page (or pageId) comes last, as in the Developer Guide's example. */
  g_string_append_printf (url, "%c%s=%" G_GINT64_FORMAT, first ? '?' : '&', replace_key, replace_value);

  return g_string_free (g_steal_pointer (&url), FALSE);
}

static gboolean
parse_paging (GHashTable    *params,
              const char    *name,
              gint64         fallback,
              gint64         minimum,
              gint64        *value,
              LsnCwResponse *response)
{
  const char *text = query_param (params, name);
  gint64 parsed;

  *value = fallback;
  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_signed (text, 10, minimum, G_MAXINT32, &parsed, NULL))
    {
      g_autofree char *message = g_strdup_printf ("%s must be a whole number of at least %" G_GINT64_FORMAT ", found '%s'.",
                                                  name, minimum, text);

      response->status = 400;
      response->body = lsn_cw_error_body ("InvalidObject", message, NULL, NULL, NULL);
      return FALSE;
    }

  *value = parsed;
  return TRUE;
}

static void
list_records (LsnCwStore         *store,
              const LsnCwRequest *request,
              const Route        *route,
              LsnCwResponse      *response)
{
  g_auto(Query) query = { 0 };
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GString) body = g_string_new ("[");
  g_autoptr(GString) link = g_string_new (NULL);
  gint64 page_size, page, page_id, start, end;

  if (!parse_query (store, route->collection, request->query, &query, response))
    return;
  if (!parse_paging (request->query, "pageSize", DEFAULT_PAGE_SIZE, 1, &page_size, response)
      || !parse_paging (request->query, "page", 1, 1, &page, response)
      || !parse_paging (request->query, "pageId", 0, 0, &page_id, response))
    return;
  /* "pageSize ... max 1,000": a larger value is served as 1,000, not refused. */
  page_size = MIN (page_size, MAX_PAGE_SIZE);

  if (request->forward_only && query.order)
    {
      respond_error (response, 400, "InvalidObject",
                     "orderBy is not supported with forward-only pagination: records come ordered by id.");
      return;
    }

  if (request->forward_only)
    g_clear_pointer (&query.order, lsn_cw_order_free);

  selected = select_records (route->collection, route, &query);

  if (request->forward_only)
    {
      guint first = 0;

      while (first < selected->len
             && json_object_get_int_member (g_ptr_array_index (selected, first), "id") <= page_id)
        first++;
      start = first;
      end = MIN ((gint64) selected->len, start + page_size);
      if (end < (gint64) selected->len)
        {
          gint64 last_id = json_object_get_int_member (g_ptr_array_index (selected, end - 1), "id");
          g_autofree char *next = page_url (request, route->list_path, "pageId", last_id, "page");

          g_string_append_printf (link, "<%s>; rel=\"next\"", next);
        }
      /* The last page carries an empty Link header (inferred in the reference). */
    }
  else
    {
      gint64 total = selected->len;
      gint64 last_page = MAX (1, (total + page_size - 1) / page_size);

      start = MIN (total, (page - 1) * page_size);
      end = MIN (total, start + page_size);

      if (page > 1)
        {
          g_autofree char *first_url = page_url (request, route->list_path, "page", 1, "pageId");
          g_autofree char *prev_url = page_url (request, route->list_path, "page", MIN (page - 1, last_page), "pageId");

          g_string_append_printf (link, "<%s>; rel=\"first\", <%s>; rel=\"prev\"", first_url, prev_url);
        }
      if (page < last_page)
        {
          g_autofree char *next_url = page_url (request, route->list_path, "page", page + 1, "pageId");
          g_autofree char *last_url = page_url (request, route->list_path, "page", last_page, "pageId");

          g_string_append_printf (link, "%s<%s>; rel=\"next\", <%s>; rel=\"last\"",
                                  link->len ? ", " : "", next_url, last_url);
        }
    }

  for (gint64 i = start; i < end; i++)
    {
      g_autofree char *text = render_record (g_ptr_array_index (selected, i), &query);

      if (i > start)
        g_string_append_c (body, ',');
      g_string_append (body, text);
    }
  g_string_append_c (body, ']');

  response->status = 200;
  response->body = g_string_free (g_steal_pointer (&body), FALSE);
  if (link->len > 0 || request->forward_only)
    response->link = g_string_free (g_steal_pointer (&link), FALSE);
}

static void
count_records (LsnCwStore         *store,
               const LsnCwRequest *request,
               const Route        *route,
               LsnCwResponse      *response)
{
  g_auto(Query) query = { 0 };
  g_autoptr(GPtrArray) selected = NULL;

  if (!parse_query (store, route->collection, request->query, &query, response))
    return;

  selected = select_records (route->collection, route, &query);
  response->status = 200;
  response->body = g_strdup_printf ("{\"count\":%u}", selected->len);
}

/* ---- Writes ------------------------------------------------------------------------------ */

static JsonNode *
parse_body (const LsnCwRequest *request,
            const char         *resource,
            LsnCwResponse      *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (request->body == NULL || request->body_length == 0
      || !json_parser_load_from_data (parser, request->body, (gssize) request->body_length, &error))
    {
      g_autofree char *message = g_strdup_printf ("The request body is not valid JSON: %s",
                                                  error ? error->message : "it is empty");

      respond_error (response, 400, "InvalidObject", message);
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
check_parent (LsnCwStore    *store,
              const Route   *route,
              LsnCwResponse *response)
{
  const CollectionDef *def = route->collection->def;
  Collection *parent;

  if (def->parent_key == NULL || route->parent_id == 0)
    return TRUE;

  parent = get_collection (store, def->parent_key);
  if (get_record (parent, route->parent_id) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s with id %" G_GINT64_FORMAT " was not found.",
                                                  parent->def->resource, route->parent_id);

      respond_error (response, 404, "NotFound", message);
      return FALSE;
    }

  return TRUE;
}

static void
create_record (LsnCwStore         *store,
               const LsnCwRequest *request,
               const Route        *route,
               LsnCwResponse      *response)
{
  const CollectionDef *def = route->collection->def;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *record;
  gint64 id;

  if (def->parent_key && route->parent_id == 0)
    {
      g_autofree char *message = g_strdup_printf ("Create a %s under its parent: POST %s.",
                                                  def->resource, def->alt_path ? def->alt_path : def->path);

      respond_error (response, 405, "MethodNotAllowed", message);
      return;
    }

  body = parse_body (request, def->resource, response);
  if (body == NULL)
    return;
  if (!JSON_NODE_HOLDS_OBJECT (body))
    {
      g_autofree char *message = g_strdup_printf ("%s object is invalid", def->resource);

      respond_error (response, 400, "InvalidObject", message);
      return;
    }

  record = build_record (store, route->collection, json_node_get_object (body), 0, response);
  if (record == NULL)
    return;

  id = route->collection->next_id++;
  stamp_record (store, route->collection, record, id, route->parent_id, NULL,
                g_get_real_time (), request->member);
  g_hash_table_insert (route->collection->records, g_memdup2 (&id, sizeof id), record);

  response->status = 201;
  response->body = render_record (record, NULL);
}

static JsonObject *
lookup_item (LsnCwStore    *store,
             const Route   *route,
             LsnCwResponse *response)
{
  JsonObject *record = get_record (route->collection, route->id);

  if (record == NULL
      || (route->parent_id != 0 && record_parent_id (route->collection, record) != route->parent_id))
    {
      g_autofree char *message = g_strdup_printf ("%s with id %" G_GINT64_FORMAT " was not found.",
                                                  route->collection->def->resource, route->id);

      respond_error (response, 404, "NotFound", message);
      return NULL;
    }

  return record;
}

static void
replace_record (LsnCwStore         *store,
                const LsnCwRequest *request,
                const Route        *route,
                JsonObject         *current,
                JsonObject         *given,
                LsnCwResponse      *response)
{
  JsonObject *record;
  g_autoptr(JsonObject) previous_info = NULL;
  gint64 parent_id = route->parent_id ? route->parent_id : record_parent_id (route->collection, current);

  record = build_record (store, route->collection, given, route->id, response);
  if (record == NULL)
    return;

  previous_info = json_object_ref (json_object_get_object_member (current, "_info"));
  stamp_record (store, route->collection, record, route->id, parent_id, previous_info,
                g_get_real_time (), request->member);
  g_hash_table_insert (route->collection->records, g_memdup2 (&route->id, sizeof route->id), record);

  response->status = 200;
  response->body = render_record (record, NULL);
}

static void
patch_record (LsnCwStore         *store,
              const LsnCwRequest *request,
              const Route        *route,
              JsonObject         *current,
              LsnCwResponse      *response)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonObject) work = json_object_new ();
  g_autoptr(GError) error = NULL;
  GList *members;

  body = parse_body (request, route->collection->def->resource, response);
  if (body == NULL)
    return;

  members = json_object_get_members (current);
  for (GList *l = members; l; l = l->next)
    json_object_set_member (work, l->data, json_node_copy (json_object_get_member (current, l->data)));
  g_list_free (members);

  if (!lsn_cw_patch_apply (work, body, &error))
    {
      g_autofree char *message = g_strdup_printf ("%s object is invalid", route->collection->def->resource);

      response->status = 400;
      response->body = lsn_cw_error_body ("InvalidObject", message, route->collection->def->resource,
                                          "patch", error->message);
      return;
    }

  replace_record (store, request, route, current, work, response);
}

static gboolean
references_record (JsonNode   *node,
                   const char *href)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *info = json_object_get_member (object, "_info");
      GList *members;
      gboolean found = FALSE;

      if (info && JSON_NODE_HOLDS_OBJECT (info))
        {
          members = json_object_get_members (json_node_get_object (info));
          for (GList *l = members; l && !found; l = l->next)
            {
              const char *value = json_object_get_string_member_with_default (json_node_get_object (info), l->data, "");

              found = g_str_has_suffix (l->data, "_href") && g_str_equal (value, href);
            }
          g_list_free (members);
          if (found)
            return TRUE;
        }

      members = json_object_get_members (object);
      for (GList *l = members; l && !found; l = l->next)
        if (!g_str_equal (l->data, "_info"))
          found = references_record (json_object_get_member (object, l->data), href);
      g_list_free (members);
      return found;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (references_record (json_array_get_element (array, i), href))
          return TRUE;
    }

  return FALSE;
}

static void
delete_record (LsnCwStore         *store,
               const LsnCwRequest *request,
               const Route        *route,
               JsonObject         *current,
               LsnCwResponse      *response)
{
  const CollectionDef *def = route->collection->def;
  g_autofree char *href = record_href (store, route->collection, current);
  GHashTableIter collections;
  gpointer value;

  if (def->no_delete)
    {
      g_autofree char *message = g_strdup_printf ("DELETE is not supported on %s.", def->path);

      respond_error (response, 405, "MethodNotAllowed", message);
      return;
    }

  /* A record other records point at is in use: 409, as the status table says. Children that
   * live under it (sites of a company, additions of an agreement) go with it. */
  g_hash_table_iter_init (&collections, store->collections);
  while (g_hash_table_iter_next (&collections, NULL, &value))
    {
      Collection *other = value;
      gboolean child_of_it = other->def->parent_key && g_str_equal (other->def->parent_key, def->key);
      GHashTableIter records;
      gpointer record;

      if (child_of_it)
        continue;

      g_hash_table_iter_init (&records, other->records);
      while (g_hash_table_iter_next (&records, NULL, &record))
        {
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          if (record == current)
            continue;
          json_node_set_object (node, record);
          if (references_record (node, href))
            {
              g_autofree char *message = g_strdup_printf ("This %s is in use by %s %" G_GINT64_FORMAT " and cannot be deleted.",
                                                          def->resource, other->def->resource,
                                                          json_object_get_int_member (record, "id"));

              respond_error (response, 409, "Conflict", message);
              return;
            }
        }
    }

  g_hash_table_iter_init (&collections, store->collections);
  while (g_hash_table_iter_next (&collections, NULL, &value))
    {
      Collection *other = value;
      GHashTableIter records;
      gpointer record;

      if (!other->def->parent_key || !g_str_equal (other->def->parent_key, def->key))
        continue;
      g_hash_table_iter_init (&records, other->records);
      while (g_hash_table_iter_next (&records, NULL, &record))
        if (record_parent_id (other, record) == route->id)
          g_hash_table_iter_remove (&records);
    }

  g_hash_table_remove (route->collection->records, &route->id);
  response->status = 204;
}

/**
 * lsn_cw_store_handle:
 * @store: the store
 * @request: an authenticated request
 * @response: (out caller-allocates): the answer; clear it with lsn_cw_response_clear()
 *
 * Serves one request of the REST API.
 */
void
lsn_cw_store_handle (LsnCwStore         *store,
                     const LsnCwRequest *request,
                     LsnCwResponse      *response)
{
  Route route = { 0 };
  g_autofree char *list_path = NULL;
  const char *method = request->method;
  JsonObject *current;

  memset (response, 0, sizeof *response);

  if (!find_route (store, request->path, &route))
    {
      g_autofree char *message = g_strdup_printf ("The resource /%s was not found.", request->path);

      respond_error (response, 404, "NotFound", message);
      return;
    }
  list_path = route.list_path;

  if (!check_parent (store, &route, response))
    return;

  switch (route.kind)
    {
    case TARGET_LIST:
      if (g_str_equal (method, "GET"))
        list_records (store, request, &route, response);
      else if (g_str_equal (method, "POST"))
        create_record (store, request, &route, response);
      else
        respond_error (response, 405, "MethodNotAllowed",
                       "The requested resource does not support this HTTP method.");
      return;

    case TARGET_COUNT:
      if (g_str_equal (method, "GET"))
        count_records (store, request, &route, response);
      else
        respond_error (response, 405, "MethodNotAllowed",
                       "The requested resource does not support this HTTP method.");
      return;

    case TARGET_ITEM:
    default:
      break;
    }

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "PUT")
      && !g_str_equal (method, "PATCH") && !g_str_equal (method, "DELETE"))
    {
      respond_error (response, 405, "MethodNotAllowed",
                     "The requested resource does not support this HTTP method.");
      return;
    }

  current = lookup_item (store, &route, response);
  if (current == NULL)
    return;

  if (g_str_equal (method, "GET"))
    {
      g_auto(Query) query = { 0 };

      if (!parse_query (store, route.collection, request->query, &query, response))
        return;
      response->status = 200;
      response->body = render_record (current, &query);
    }
  else if (g_str_equal (method, "PUT"))
    {
      g_autoptr(JsonNode) body = parse_body (request, route.collection->def->resource, response);

      if (body == NULL)
        return;
      if (!JSON_NODE_HOLDS_OBJECT (body))
        {
          g_autofree char *message = g_strdup_printf ("%s object is invalid", route.collection->def->resource);

          respond_error (response, 400, "InvalidObject", message);
          return;
        }
      replace_record (store, request, &route, current, json_node_get_object (body), response);
    }
  else if (g_str_equal (method, "PATCH"))
    patch_record (store, request, &route, current, response);
  else
    delete_record (store, request, &route, current, response);
}
