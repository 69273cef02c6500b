/* lsn-feed-parser.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * LsnFeedColumn:
 *
 * The columns of a distributor's invoice that Liaison reads. Their keys ("customer",
 * "customer_id", ...) are the keys of the profile's "columns" object.
 */
typedef enum
{
  LSN_FEED_COLUMN_CUSTOMER,
  LSN_FEED_COLUMN_CUSTOMER_ID,
  LSN_FEED_COLUMN_PRODUCT_CODE,
  LSN_FEED_COLUMN_PRODUCT_NAME,
  LSN_FEED_COLUMN_QUANTITY,
  LSN_FEED_COLUMN_UNIT_PRICE,
  LSN_FEED_COLUMN_BILLING_CYCLE,
  LSN_FEED_N_COLUMNS
} LsnFeedColumn;

typedef enum
{
  LSN_FEED_FORMAT_AUTO,
  LSN_FEED_FORMAT_CSV,
  LSN_FEED_FORMAT_JSON,
} LsnFeedFormat;

/**
 * LsnFeedRow:
 * @line: where the row starts in the file (1-based; the header is line 1 of a CSV)
 * @customer: the customer's name as the distributor spells it
 * @customer_id: (nullable): the distributor's id of the customer
 * @product_code: the distributor's product code
 * @product_name: (nullable): the product's name
 * @quantity: how many, 0 or more
 * @has_price: whether the row has a unit price
 * @unit_price: the unit price
 * @billing_cycle: (nullable): the billing cycle as written ("Monthly", "Annual", ...)
 *
 * One product of one customer on the invoice.
 */
typedef struct
{
  guint     line;
  char     *customer;
  char     *customer_id;
  char     *product_code;
  char     *product_name;
  gint64    quantity;
  gboolean  has_price;
  double    unit_price;
  char     *billing_cycle;
} LsnFeedRow;

/**
 * LsnFeedIssue:
 * @line: the line of the problem, 0 for the file as a whole
 * @column: (nullable): the column key ("quantity") when the problem is one value
 * @message: what is wrong and what to do, for people
 */
typedef struct
{
  guint  line;
  char  *column;
  char  *message;
} LsnFeedIssue;

/**
 * LsnFeedResult:
 * @rows: (element-type LsnFeedRow): the rows read, in file order (only meaningful when @issues
 *   is empty: a file with problems is never applied)
 * @issues: (element-type LsnFeedIssue): every problem found, in line order
 * @format: what was read: "CSV (comma)", "CSV (semicolon)", "CSV (tab)" or "JSON"
 */
typedef struct
{
  GPtrArray *rows;
  GPtrArray *issues;
  char      *format;
} LsnFeedResult;

#define LSN_FEED_MAX_ISSUES 200

void           lsn_feed_row_free            (LsnFeedRow     *row);
char          *lsn_feed_row_customer_key    (const LsnFeedRow *row);
char          *lsn_feed_row_key             (const LsnFeedRow *row);
void           lsn_feed_issue_free          (LsnFeedIssue   *issue);
void           lsn_feed_result_free         (LsnFeedResult  *result);
char          *lsn_feed_result_summary      (LsnFeedResult  *result,
                                             guint           max_issues);
const char    *lsn_feed_column_key          (LsnFeedColumn   column);
const char    *lsn_feed_column_default_name (LsnFeedColumn   column);
gboolean       lsn_feed_column_is_required  (LsnFeedColumn   column);

#define LSN_TYPE_FEED_PARSER (lsn_feed_parser_get_type ())

G_DECLARE_FINAL_TYPE (LsnFeedParser, lsn_feed_parser, LSN, FEED_PARSER, GObject)

LsnFeedParser *lsn_feed_parser_new          (void);
void           lsn_feed_parser_set_column   (LsnFeedParser  *self,
                                             LsnFeedColumn   column,
                                             const char     *name);
const char    *lsn_feed_parser_get_column   (LsnFeedParser  *self,
                                             LsnFeedColumn   column);
gboolean       lsn_feed_parser_set_columns  (LsnFeedParser  *self,
                                             JsonObject     *columns,
                                             GError        **error);
void           lsn_feed_parser_set_format   (LsnFeedParser  *self,
                                             LsnFeedFormat   format);
LsnFeedResult *lsn_feed_parser_parse        (LsnFeedParser  *self,
                                             const char     *data,
                                             gsize           length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnFeedRow, lsn_feed_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnFeedResult, lsn_feed_result_free)

G_END_DECLS
