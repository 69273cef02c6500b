/* test-feed-parser.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "lsn-error.h"
#include "lsn-licence-planner.h"
#include "feed/lsn-feed-connector.h"
#include "feed/lsn-feed-parser.h"
#include "lsn-test-util.h"

/* The invoice parser on its own: formats, quoting, numbers, and every kind of bad input with the
 * line it is reported on. */

static LsnFeedResult *
parse_with (LsnFeedParser *parser,
            const char    *data)
{
  return lsn_feed_parser_parse (parser, data, strlen (data));
}

static LsnFeedResult *
parse (const char *data)
{
  g_autoptr(LsnFeedParser) parser = lsn_feed_parser_new ();
  return parse_with (parser, data);
}

static LsnFeedRow *
row_at (LsnFeedResult *result,
        guint          i)
{
  g_assert_cmpuint (i, <, result->rows->len);
  return g_ptr_array_index (result->rows, i);
}

static void
assert_no_issues (LsnFeedResult *result)
{
  if (result->issues->len > 0)
    {
      g_autofree char *summary = lsn_feed_result_summary (result, 10);
      g_error ("unexpected issues: %s", summary);
    }
}

static void
test_comma (void)
{
  g_autoptr(LsnFeedResult) r = parse (
    "Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n"
    "Acme Ltd,CNV-1,M365-BB,Microsoft 365 Business Basic,10,4.90,Monthly\n"
    "\n"
    "Beta GmbH,,EXO-P1,Exchange Online (Plan 1),0,3.30,Annual\n");

  assert_no_issues (r);
  g_assert_cmpstr (r->format, ==, "CSV (comma)");
  g_assert_cmpuint (r->rows->len, ==, 2);
  g_assert_cmpstr (row_at (r, 0)->customer, ==, "Acme Ltd");
  g_assert_cmpstr (row_at (r, 0)->customer_id, ==, "CNV-1");
  g_assert_cmpstr (row_at (r, 0)->product_code, ==, "M365-BB");
  g_assert_cmpstr (row_at (r, 0)->product_name, ==, "Microsoft 365 Business Basic");
  g_assert_cmpint (row_at (r, 0)->quantity, ==, 10);
  g_assert_true (row_at (r, 0)->has_price);
  g_assert_cmpfloat_with_epsilon (row_at (r, 0)->unit_price, 4.90, 1e-9);
  g_assert_cmpstr (row_at (r, 0)->billing_cycle, ==, "Monthly");
  g_assert_cmpuint (row_at (r, 0)->line, ==, 2);
  /* the blank line is skipped but counted */
  g_assert_cmpuint (row_at (r, 1)->line, ==, 4);
  g_assert_null (row_at (r, 1)->customer_id);
  g_assert_cmpint (row_at (r, 1)->quantity, ==, 0);

  {
    g_autofree char *k0 = lsn_feed_row_key (row_at (r, 0));
    g_autofree char *k1 = lsn_feed_row_key (row_at (r, 1));
    g_assert_cmpstr (k0, ==, "CNV-1|M365-BB");
    g_assert_cmpstr (k1, ==, "Beta GmbH|EXO-P1");
  }
}

static void
test_semicolon_crlf_decimal_comma (void)
{
  g_autoptr(LsnFeedResult) r = parse (
    "Customer;CustomerId;ProductCode;ProductName;Quantity;UnitPrice;BillingCycle\r\n"
    "Müller & Söhne GmbH;K-7;M365-BP;Microsoft 365 Business Premium;3;18,10;monatlich\r\n"
    "Gamma SARL;K-8;M365-E3;Microsoft 365 E3;12;\"1.234,50\";Annual\r\n");

  assert_no_issues (r);
  g_assert_cmpstr (r->format, ==, "CSV (semicolon)");
  g_assert_cmpuint (r->rows->len, ==, 2);
  g_assert_cmpstr (row_at (r, 0)->customer, ==, "Müller & Söhne GmbH");
  g_assert_cmpfloat_with_epsilon (row_at (r, 0)->unit_price, 18.10, 1e-9);
  g_assert_cmpfloat_with_epsilon (row_at (r, 1)->unit_price, 1234.50, 1e-9);
  g_assert_cmpuint (row_at (r, 1)->line, ==, 3);
}

static void
test_quotes_and_bom (void)
{
  /* a BOM, a comma and doubled quotes inside quotes, a line break inside quotes */
  g_autoptr(LsnFeedResult) r = parse (
    "\xef\xbb\xbf" "Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n"
    "\"Smith, Jones & Co\",C1,PBI-PRO,\"Power BI \"\"Pro\"\"\",2,8.40,Monthly\n"
    "\"Two\nLines Ltd\",C2,MDB,Defender,1,2.50,Monthly\n"
    "Delta Inc,C3,TEAMS-ESS,Teams Essentials,4,3.30,Monthly\n");

  assert_no_issues (r);
  g_assert_cmpuint (r->rows->len, ==, 3);
  g_assert_cmpstr (row_at (r, 0)->customer, ==, "Smith, Jones & Co");
  g_assert_cmpstr (row_at (r, 0)->product_name, ==, "Power BI \"Pro\"");
  g_assert_cmpstr (row_at (r, 1)->customer, ==, "Two\nLines Ltd");
  g_assert_cmpuint (row_at (r, 1)->line, ==, 3);
  /* the row after a quoted line break starts on line 5 */
  g_assert_cmpuint (row_at (r, 2)->line, ==, 5);
}

static void
test_column_mapping (void)
{
  g_autoptr(LsnFeedParser) parser = lsn_feed_parser_new ();
  g_autoptr(JsonParser) jp = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnFeedResult) r = NULL;

  g_assert_true (json_parser_load_from_data (jp,
    "{\"customer\": \"Account Name\", \"customer_id\": \"Account\", \"product_code\": \"SKU\","
    " \"product_name\": \"Description\", \"quantity\": \"Qty\", \"unit_price\": \"Price\","
    " \"billing_cycle\": \"Term\"}", -1, NULL));
  lsn_feed_parser_set_columns (parser, json_node_get_object (json_parser_get_root (jp)), &error);
  g_assert_no_error (error);

  /* header names compared without case and surrounding spaces; extra columns ignored */
  r = parse_with (parser,
                  "Invoice, account name ,ACCOUNT,sku,Description,qty,Price,Term\n"
                  "INV-1,Acme Ltd,A-1,M365-BB,Basic,10,€ 4.90,Yearly\n");
  assert_no_issues (r);
  g_assert_cmpuint (r->rows->len, ==, 1);
  g_assert_cmpstr (row_at (r, 0)->customer, ==, "Acme Ltd");
  g_assert_cmpstr (row_at (r, 0)->customer_id, ==, "A-1");
  g_assert_cmpfloat_with_epsilon (row_at (r, 0)->unit_price, 4.90, 1e-9);

  /* a mapped optional column must be there */
  g_clear_pointer (&r, lsn_feed_result_free);
  r = parse_with (parser, "account name,sku,qty,Price,Term,Description\nAcme,M,1,2,Monthly,x\n");
  g_assert_cmpuint (r->issues->len, ==, 1);
  g_assert_cmpstr (((LsnFeedIssue *) g_ptr_array_index (r->issues, 0))->column, ==, "customer_id");
  g_assert_cmpuint (((LsnFeedIssue *) g_ptr_array_index (r->issues, 0))->line, ==, 1);

  /* unknown keys and values that are not text are refused */
  g_assert_true (json_parser_load_from_data (jp, "{\"qty\": \"Quantity\"}", -1, NULL));
  g_assert_false (lsn_feed_parser_set_columns (parser, json_node_get_object (json_parser_get_root (jp)), &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (json_parser_load_from_data (jp, "{\"quantity\": 4}", -1, NULL));
  g_assert_false (lsn_feed_parser_set_columns (parser, json_node_get_object (json_parser_get_root (jp)), &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_json (void)
{
  g_autoptr(LsnFeedResult) r = parse (
    "[\n"
    "  {\"Customer\": \"Acme Ltd\", \"CustomerId\": \"CNV-1\", \"ProductCode\": \"M365-BB\",\n"
    "   \"ProductName\": \"Basic\", \"Quantity\": 10, \"UnitPrice\": 4.9, \"BillingCycle\": \"Monthly\"},\n"
    "  {\"customer\": \"Beta\", \"productcode\": \"EXO-P1\", \"quantity\": \"3\", \"unitprice\": \"3,30\",\n"
    "   \"billingcycle\": null}\n"
    "]\n");

  assert_no_issues (r);
  g_assert_cmpstr (r->format, ==, "JSON");
  g_assert_cmpuint (r->rows->len, ==, 2);
  g_assert_cmpint (row_at (r, 0)->quantity, ==, 10);
  g_assert_cmpfloat_with_epsilon (row_at (r, 0)->unit_price, 4.9, 1e-9);
  g_assert_cmpuint (row_at (r, 0)->line, ==, 2);
  g_assert_cmpuint (row_at (r, 1)->line, ==, 4);
  g_assert_cmpint (row_at (r, 1)->quantity, ==, 3);
  g_assert_cmpfloat_with_epsilon (row_at (r, 1)->unit_price, 3.30, 1e-9);
  g_assert_null (row_at (r, 1)->billing_cycle);
}

typedef struct
{
  const char *name;
  const char *data;
  guint       n_issues;    /* at least this many */
  guint       line;        /* of the first issue */
  const char *column;      /* of the first issue (nullable) */
  const char *words;       /* in the first issue's message */
} BadCase;

#define HEADER "Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n"

static const BadCase bad_cases[] = {
  { "empty", "", 1, 0, NULL, "empty" },
  { "only-bom-and-space", "\xef\xbb\xbf  \n\n", 1, 0, NULL, "empty" },
  { "header-only", HEADER, 1, 0, NULL, "no rows" },
  { "missing-column", "Customer,ProductCode,UnitPrice\nAcme,M365-BB,4.90\n", 1, 1, "quantity",
    "“Quantity” is not in the header" },
  { "column-twice", "Customer,ProductCode,Quantity,Quantity\nAcme,X,1,2\n", 1, 1, "quantity", "twice" },
  { "quantity-not-a-number", HEADER "Acme,C1,M365-BB,Basic,10,4.90,Monthly\nAcme,C1,EXO-P1,Exo,ten,3.30,Monthly\n",
    1, 3, "quantity", "“ten” is not a number" },
  { "quantity-negative", HEADER "Acme,C1,M365-BB,Basic,-2,4.90,Monthly\n", 1, 2, "quantity", "negative" },
  { "quantity-fraction", HEADER "Acme,C1,M365-BB,Basic,2.5,4.90,Monthly\n", 1, 2, "quantity", "whole number" },
  { "quantity-empty", HEADER "Acme,C1,M365-BB,Basic,,4.90,Monthly\n", 1, 2, "quantity", "no quantity" },
  { "price-not-a-number", HEADER "Acme,C1,M365-BB,Basic,2,four,Monthly\n", 1, 2, "unit_price", "not a number" },
  { "price-missing", HEADER "Acme,C1,M365-BB,Basic,2,,Monthly\n", 1, 2, "unit_price", "no unit price" },
  { "customer-empty", HEADER " ,C1,M365-BB,Basic,2,1,Monthly\n", 1, 2, "customer", "no customer" },
  { "code-empty", HEADER "Acme,C1,,Basic,2,1,Monthly\n", 1, 2, "product_code", "no product code" },
  { "duplicate-row", HEADER "Acme,C1,M365-BB,Basic,10,4.90,Monthly\nBeta,C2,M365-BB,Basic,1,4.90,Monthly\n"
    "Acme,C1,m365-bb,Basic,12,4.90,Monthly\n", 1, 4, "product_code", "already on line 2" },
  { "duplicate-by-name", "Customer,ProductCode,Quantity\nAcme,X,1\nAcme,X,2\n", 1, 3, "product_code", "already on line 2" },
  { "too-many-values", HEADER "Acme,C1,M365-BB,Basic,10,4,90,Monthly\n", 1, 2, NULL, "more than the 7 columns" },
  { "too-few-values", HEADER "Acme,C1,M365-BB,Basic\n", 1, 2, NULL, "fewer than the 7 columns" },
  { "unclosed-quote", HEADER "Acme,C1,M365-BB,Basic,1,1,Monthly\n\"Beta,C2,X,Y,1,1,Monthly\nGamma,C3,Z,Q,1,1,Monthly\n",
    1, 3, NULL, "never closed" },
  { "utf16", "\xff\xfe" "C\0u\0", 1, 0, NULL, "UTF-16" },
  { "not-utf8", HEADER "Acme,C1,M365-BB,Basic,1,1,Monthly\nM\xfcller,C2,X,Y,1,1,Monthly\n", 1, 3, NULL, "not UTF-8" },
  { "json-syntax", "[{\"Customer\": \"A\",}]", 1, 0, NULL, "not valid JSON" },
  { "json-object", "{\"Customer\": \"A\"}", 1, 1, NULL, "JSON array" },
  { "json-empty-array", "[ ]", 1, 0, NULL, "no rows" },
  { "json-not-object", "[\n{\"Customer\":\"A\",\"ProductCode\":\"X\",\"Quantity\":1},\n42\n]", 1, 3, NULL, "not an object" },
  { "json-missing-key", "[\n{\"Customer\":\"A\",\"ProductCode\":\"X\"}\n]", 1, 2, "quantity", "has no “Quantity”" },
  { "json-bad-type", "[\n{\"Customer\":\"A\",\"ProductCode\":\"X\",\"Quantity\":[1]}\n]", 1, 2, "quantity", "text or a number" },
  { "json-duplicate", "[{\"Customer\":\"A\",\"ProductCode\":\"X\",\"Quantity\":1},\n{\"Customer\":\"A\",\"ProductCode\":\"X\",\"Quantity\":1}]",
    1, 2, "product_code", "already on line 1" },
};

static void
test_bad_input (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(LsnFeedParser) parser = lsn_feed_parser_new ();
  g_autoptr(LsnFeedResult) r = NULL;
  LsnFeedIssue *first;
  gsize len = strlen (c->data);

  /* the UTF-16 case holds NULs */
  if (g_str_equal (c->name, "utf16"))
    len = 6;
  r = lsn_feed_parser_parse (parser, c->data, len);

  g_assert_cmpuint (r->issues->len, >=, c->n_issues);
  first = g_ptr_array_index (r->issues, 0);
  g_test_message ("%s: line %u: %s", c->name, first->line, first->message);
  g_assert_cmpuint (first->line, ==, c->line);
  g_assert_cmpstr (first->column, ==, c->column);
  g_assert_nonnull (strstr (first->message, c->words));
}

static void
test_issue_lines_in_order (void)
{
  g_autoptr(LsnFeedResult) r = parse (HEADER
                                      "Acme,C1,A,Basic,1,1,Monthly\n"
                                      "Acme,C1,B,Basic,x,1,Monthly\n"
                                      "Acme,C1,C,Basic,1,1,Monthly\n"
                                      "Acme,C1,A,Basic,2,1,Monthly\n"
                                      "Acme,C1,D,Basic,1,y,Monthly\n");
  g_autofree char *summary = lsn_feed_result_summary (r, 10);

  g_assert_cmpuint (r->issues->len, ==, 3);
  g_assert_cmpuint (((LsnFeedIssue *) g_ptr_array_index (r->issues, 0))->line, ==, 3);
  g_assert_cmpuint (((LsnFeedIssue *) g_ptr_array_index (r->issues, 1))->line, ==, 5);
  g_assert_cmpuint (((LsnFeedIssue *) g_ptr_array_index (r->issues, 2))->line, ==, 6);
  g_assert_nonnull (strstr (summary, "line 3: the quantity “x”"));
  g_assert_nonnull (strstr (summary, "line 6: the unit price “y”"));
}

static void
test_many_issues_capped (void)
{
  g_autoptr(GString) csv = g_string_new (HEADER);
  g_autoptr(LsnFeedResult) r = NULL;
  LsnFeedIssue *last;

  for (guint i = 0; i < LSN_FEED_MAX_ISSUES + 50; i++)
    g_string_append_printf (csv, "Acme,C1,P%u,Basic,lots,1,Monthly\n", i);
  r = parse (csv->str);
  g_assert_cmpuint (r->issues->len, ==, LSN_FEED_MAX_ISSUES + 1);
  last = g_ptr_array_index (r->issues, r->issues->len - 1);
  g_assert_nonnull (strstr (last->message, "50 more problems"));
}

static void
test_numbers (void)
{
  static const struct { const char *text; double value; } good[] = {
    { "4.90", 4.90 }, { "4,90", 4.90 }, { "1,234.50", 1234.50 }, { "1.234,50", 1234.50 },
    { "€ 4,90", 4.90 }, { "4.90 EUR", 4.90 }, { "$10", 10 }, { "£3.30", 3.30 }, { "1 234,5", 1234.5 },
    { "1,234,567", 1234567 }, { "0", 0 }, { "+3", 3 },
  };
  static const char *bad[] = { "four", "1.2.3,4", "4,90,1.5.6", "NaN", "inf", "1e", "--1", "4.90x" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *csv = g_strdup_printf ("Customer;ProductCode;Quantity;UnitPrice\nA;X;1;%s\n",
                                              good[i].text);
      g_autoptr(LsnFeedResult) r = parse (csv);

      g_test_message ("price %s", good[i].text);
      assert_no_issues (r);
      g_assert_cmpfloat_with_epsilon (row_at (r, 0)->unit_price, good[i].value, 1e-9);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *csv = g_strdup_printf ("Customer;ProductCode;Quantity;UnitPrice\nA;X;1;%s\n",
                                              bad[i]);
      g_autoptr(LsnFeedResult) r = parse (csv);

      g_test_message ("price %s", bad[i]);
      g_assert_cmpuint (r->issues->len, ==, 1);
      g_assert_cmpuint (r->rows->len, ==, 0);
    }

  /* "10.00" is a whole quantity */
  {
    g_autoptr(LsnFeedResult) r = parse ("Customer,ProductCode,Quantity\nA,X,10.00\n");
    assert_no_issues (r);
    g_assert_cmpint (row_at (r, 0)->quantity, ==, 10);
    g_assert_false (row_at (r, 0)->has_price);
  }
}

static void
test_cycles (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "Monthly", "Monthly" }, { " monthly ", "Monthly" }, { "P1M", "Monthly" },
    { "Annual", "Annual" }, { "Yearly", "Annual" }, { "annually", "Annual" }, { "12 months", "Annual" },
    { "Quarterly", "Quarterly" }, { "Every blue moon", "Every blue moon" }, { "", NULL }, { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *n = lsn_licence_cycle_normalize (cases[i].in);
      g_assert_cmpstr (n, ==, cases[i].out);
    }
  g_assert_true (lsn_licence_distributor_equal ("Converge", " converge "));
  g_assert_false (lsn_licence_distributor_equal ("Converge", "Pax8"));
  g_assert_false (lsn_licence_distributor_equal ("Converge", ""));
  g_assert_false (lsn_licence_distributor_equal (NULL, "Converge"));
}

static LsnConnector *
connector_for (const char  *json,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return lsn_connector_new_from_settings (json_node_get_object (json_parser_get_root (parser)),
                                          NULL, error);
}

/* The feed connector's settings: what a profile must say, and what it may not. */
static void
test_connector_settings (void)
{
  static const struct { const char *json; const char *words; } bad[] = {
    { "{\"connector\": \"feed\", \"distributor\": \"Converge\"}", "no \"source\"" },
    { "{\"connector\": \"feed\", \"source\": \"/tmp/x.csv\"}", "no \"distributor\"" },
    { "{\"connector\": \"feed\", \"source\": \"/tmp/x.csv\", \"distributor\": \"  \"}", "no \"distributor\"" },
    { "{\"connector\": \"feed\", \"source\": \"http://example.com/inv.csv\", \"distributor\": \"C\"}", "plain http" },
    { "{\"connector\": \"feed\", \"source\": \"ftp://example.com/inv.csv\", \"distributor\": \"C\"}", "https://" },
    { "{\"connector\": \"feed\", \"source\": \"/tmp/x.csv\", \"distributor\": \"C\", \"columns\": [1]}", "must be an object" },
    { "{\"connector\": \"feed\", \"source\": \"/tmp/x.csv\", \"distributor\": \"C\", \"columns\": {\"sku\": \"X\"}}", "“sku” is unknown" },
    { "{\"connector\": \"feed\", \"source\": \"/tmp/x.csv\", \"distributor\": \"C\", \"format\": \"xml\"}", "“xml” is unknown" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LsnConnector) conn = connector_for (bad[i].json, &error);

      g_assert_null (conn);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].words));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LsnConnector) conn = connector_for ("{\"connector\": \"feed\", \"source\": "
                                                  "\"https://distributor.example/invoice?month=5\", "
                                                  "\"distributor\": \" Converge \", \"format\": \"csv\", "
                                                  "\"columns\": {\"quantity\": \"Qty\"}}", &error);

    g_assert_no_error (error);
    g_assert_true (LSN_IS_FEED_CONNECTOR (conn));
    g_assert_cmpstr (lsn_feed_connector_get_distributor (LSN_FEED_CONNECTOR (conn)), ==, "Converge");
    g_assert_cmpstr (lsn_feed_parser_get_column (lsn_feed_connector_get_parser (LSN_FEED_CONNECTOR (conn)),
                                                 LSN_FEED_COLUMN_QUANTITY), ==, "Qty");
    g_assert_cmpstr (lsn_http_client_get_base_url (lsn_connector_get_http (conn)), ==,
                     "https://distributor.example");
    g_assert_cmpstr (lsn_connector_get_kinds (conn)[0], ==, "licence");
    g_assert_null (lsn_connector_get_kinds (conn)[1]);
  }
}

/* A file source: read, listed as records, refused as a whole when a row is bad. */
static void
test_connector_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lsn-feed-XXXXXX", NULL);
  g_autofree char *good = g_build_filename (dir, "good.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnConnector) conn = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  LsnListOptions options = { 0 };

  g_assert_true (g_file_set_contents (good, "[{\"Customer\": \"Acme\", \"CustomerId\": \"A1\", "
                                      "\"ProductCode\": \"M365-BB\", \"Quantity\": 3, \"UnitPrice\": 4.9}]",
                                      -1, NULL));
  g_assert_true (g_file_set_contents (bad, "Customer,ProductCode,Quantity\nAcme,X,three\n", -1, NULL));

  json = g_strdup_printf ("{\"connector\": \"feed\", \"source\": \"%s\", \"distributor\": \"C\"}", good);
  conn = connector_for (json, &error);
  g_assert_no_error (error);
  records = lsn_connector_list_all (conn, LSN_KIND_LICENCE, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (lsn_record_get_remote_id (g_ptr_array_index (records, 0)), ==, "A1|M365-BB");
  g_assert_cmpstr (lsn_record_get_string (g_ptr_array_index (records, 0), "product_code"), ==, "M365-BB");
  g_clear_pointer (&records, g_ptr_array_unref);
  records = lsn_connector_list_all (conn, LSN_KIND_CLIENT, &options, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&conn);
  g_free (json);

  json = g_strdup_printf ("{\"connector\": \"feed\", \"source\": \"%s\", \"distributor\": \"C\"}", bad);
  conn = connector_for (json, &error);
  g_assert_no_error (error);
  records = lsn_connector_list_all (conn, LSN_KIND_LICENCE, &options, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
  g_assert_nonnull (strstr (error->message, "line 2: the quantity “three” is not a number"));
  g_clear_error (&error);
  checks = lsn_connector_test_connection (conn, NULL, NULL);
  g_assert_cmpuint (checks->len, ==, 2);
  g_assert_true (((LsnCheck *) g_ptr_array_index (checks, 0))->ok);
  g_assert_false (((LsnCheck *) g_ptr_array_index (checks, 1))->ok);
  g_clear_object (&conn);
  g_free (json);

  json = g_strdup_printf ("{\"connector\": \"feed\", \"source\": \"%s\", \"distributor\": \"C\"}", missing);
  conn = connector_for (json, &error);
  g_assert_no_error (error);
  g_assert_null (lsn_feed_connector_read (LSN_FEED_CONNECTOR (conn), NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "cannot be read"));

  g_remove (good);
  g_remove (bad);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/feed-parser/comma", test_comma);
  g_test_add_func ("/feed-parser/semicolon-crlf-decimal-comma", test_semicolon_crlf_decimal_comma);
  g_test_add_func ("/feed-parser/quotes-and-bom", test_quotes_and_bom);
  g_test_add_func ("/feed-parser/column-mapping", test_column_mapping);
  g_test_add_func ("/feed-parser/json", test_json);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/feed-parser/bad/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_bad_input);
    }
  g_test_add_func ("/feed-parser/issue-lines-in-order", test_issue_lines_in_order);
  g_test_add_func ("/feed-parser/many-issues-capped", test_many_issues_capped);
  g_test_add_func ("/feed-parser/numbers", test_numbers);
  g_test_add_func ("/feed-parser/cycles", test_cycles);
  g_test_add_func ("/feed-connector/settings", test_connector_settings);
  g_test_add_func ("/feed-connector/file", test_connector_file);

  return g_test_run ();
}
