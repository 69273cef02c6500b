/* lsn-feed-parser.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads a distributor's invoice export: CSV (a header row; comma, semicolon or tab, found from
 * the header; quoted fields with "" escapes, line breaks inside quotes; UTF-8 with or without a
 * BOM) or JSON (an array of objects). Which column holds what is set once per profile; header
 * names and JSON keys are compared without regard to case or surrounding spaces.
 *
 * Nothing here fails on bad input: every problem becomes an LsnFeedIssue with the line it is on,
 * so that a person can fix the file, and a file with any issue is never applied. Problems found:
 * an empty file, a file that is not UTF-8, a mapped column missing from the header (or twice in
 * it), a row with fewer or more values than the header, an empty customer or product code, a
 * quantity that is not a whole number of 0 or more, a unit price that is not a number, and the
 * same customer and product on two rows.
 *
 * Numbers: "1234.50", "1,234.50", "1.234,50", "1234,50" (a single comma is a decimal comma,
 * as in semicolon-separated exports), "€ 4,90", "4.90 EUR". A quantity may be written "10.00".
 *
 * Pure: no I/O, no GLib main loop; safe on any thread.
 */

#define G_LOG_DOMAIN "liaison-feed"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lsn-error.h"
#include "lsn-feed-parser.h"

struct _LsnFeedParser
{
  GObject        parent_instance;

  char          *columns[LSN_FEED_N_COLUMNS];
  gboolean       explicit[LSN_FEED_N_COLUMNS];
  LsnFeedFormat  format;
};

G_DEFINE_FINAL_TYPE (LsnFeedParser, lsn_feed_parser, G_TYPE_OBJECT)

static const struct
{
  const char *key;
  const char *default_name;
  gboolean    required;
  const char *label;
} column_info[LSN_FEED_N_COLUMNS] = {
  { "customer", "Customer", TRUE, "customer name" },
  { "customer_id", "CustomerId", FALSE, "customer id" },
  { "product_code", "ProductCode", TRUE, "product code" },
  { "product_name", "ProductName", FALSE, "product name" },
  { "quantity", "Quantity", TRUE, "quantity" },
  { "unit_price", "UnitPrice", FALSE, "unit price" },
  { "billing_cycle", "BillingCycle", FALSE, "billing cycle" },
};

/* -------------------------------------------------------------------------------------------- */
/* Rows, issues, results                                                                         */

void
lsn_feed_row_free (LsnFeedRow *row)
{
  if (row == NULL)
    return;
  g_free (row->customer);
  g_free (row->customer_id);
  g_free (row->product_code);
  g_free (row->product_name);
  g_free (row->billing_cycle);
  g_free (row);
}

/**
 * lsn_feed_row_customer_key:
 *
 * Returns: (transfer full): what identifies the row's customer: the distributor's customer id
 *   when the invoice has one, else the customer's name
 */
char *
lsn_feed_row_customer_key (const LsnFeedRow *row)
{
  if (row->customer_id != NULL && *row->customer_id != '\0')
    return g_strdup (row->customer_id);
  return g_strdup (row->customer);
}

/**
 * lsn_feed_row_key:
 *
 * Returns: (transfer full): what identifies the row: "customer key|product code"
 */
char *
lsn_feed_row_key (const LsnFeedRow *row)
{
  g_autofree char *customer = lsn_feed_row_customer_key (row);

  return g_strconcat (customer, "|", row->product_code, NULL);
}

void
lsn_feed_issue_free (LsnFeedIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->column);
  g_free (issue->message);
  g_free (issue);
}

void
lsn_feed_result_free (LsnFeedResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->rows, g_ptr_array_unref);
  g_clear_pointer (&result->issues, g_ptr_array_unref);
  g_free (result->format);
  g_free (result);
}

/**
 * lsn_feed_result_summary:
 * @max_issues: how many issues to quote
 *
 * Returns: (transfer full): the issues as one sentence ("line 4: …; line 9: … (and 3 more)")
 */
char *
lsn_feed_result_summary (LsnFeedResult *result,
                         guint          max_issues)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint shown = MIN (result->issues->len, max_issues);

  for (guint i = 0; i < shown; i++)
    {
      LsnFeedIssue *issue = g_ptr_array_index (result->issues, i);

      if (i > 0)
        g_string_append (out, "; ");
      if (issue->line > 0)
        g_string_append_printf (out, "line %u: ", issue->line);
      g_string_append (out, issue->message);
    }
  if (result->issues->len > shown)
    g_string_append_printf (out, " (and %u more)", result->issues->len - shown);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * lsn_feed_column_key:
 *
 * Returns: the profile key of @column ("customer", "quantity", ...)
 */
const char *
lsn_feed_column_key (LsnFeedColumn column)
{
  g_return_val_if_fail (column < LSN_FEED_N_COLUMNS, NULL);
  return column_info[column].key;
}

/**
 * lsn_feed_column_default_name:
 *
 * Returns: the header name used when the profile sets none ("Customer", "Quantity", ...)
 */
const char *
lsn_feed_column_default_name (LsnFeedColumn column)
{
  g_return_val_if_fail (column < LSN_FEED_N_COLUMNS, NULL);
  return column_info[column].default_name;
}

/**
 * lsn_feed_column_is_required:
 *
 * Returns: %TRUE for the columns every invoice must have (customer, product code, quantity)
 */
gboolean
lsn_feed_column_is_required (LsnFeedColumn column)
{
  g_return_val_if_fail (column < LSN_FEED_N_COLUMNS, FALSE);
  return column_info[column].required;
}

/* -------------------------------------------------------------------------------------------- */
/* The parser object                                                                             */

static void
lsn_feed_parser_finalize (GObject *object)
{
  LsnFeedParser *self = (LsnFeedParser *) object;

  for (guint i = 0; i < LSN_FEED_N_COLUMNS; i++)
    g_free (self->columns[i]);

  G_OBJECT_CLASS (lsn_feed_parser_parent_class)->finalize (object);
}

static void
lsn_feed_parser_class_init (LsnFeedParserClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_feed_parser_finalize;
}

static void
lsn_feed_parser_init (LsnFeedParser *self)
{
  for (guint i = 0; i < LSN_FEED_N_COLUMNS; i++)
    self->columns[i] = g_strdup (column_info[i].default_name);
}

/**
 * lsn_feed_parser_new:
 *
 * Returns: (transfer full): a parser with the default column names (see
 *   lsn_feed_column_default_name())
 */
LsnFeedParser *
lsn_feed_parser_new (void)
{
  return g_object_new (LSN_TYPE_FEED_PARSER, NULL);
}

/**
 * lsn_feed_parser_set_column:
 * @name: (nullable): the header name (CSV) or key (JSON) of @column; %NULL for the default
 *
 * A column set here must be in the file, even an optional one.
 */
void
lsn_feed_parser_set_column (LsnFeedParser *self,
                            LsnFeedColumn  column,
                            const char    *name)
{
  g_return_if_fail (LSN_IS_FEED_PARSER (self));
  g_return_if_fail (column < LSN_FEED_N_COLUMNS);

  g_free (self->columns[column]);
  if (name != NULL && *name != '\0')
    {
      self->columns[column] = g_strstrip (g_strdup (name));
      self->explicit[column] = TRUE;
    }
  else
    {
      self->columns[column] = g_strdup (column_info[column].default_name);
      self->explicit[column] = FALSE;
    }
}

/**
 * lsn_feed_parser_get_column:
 *
 * Returns: the header name of @column
 */
const char *
lsn_feed_parser_get_column (LsnFeedParser *self,
                            LsnFeedColumn  column)
{
  g_return_val_if_fail (LSN_IS_FEED_PARSER (self), NULL);
  g_return_val_if_fail (column < LSN_FEED_N_COLUMNS, NULL);
  return self->columns[column];
}

/**
 * lsn_feed_parser_set_columns:
 * @columns: the profile's "columns" object: column key → header name
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * Returns: %FALSE when @columns has an unknown key or a value that is not text
 */
gboolean
lsn_feed_parser_set_columns (LsnFeedParser  *self,
                             JsonObject     *columns,
                             GError        **error)
{
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (LSN_IS_FEED_PARSER (self), FALSE);

  members = json_object_get_members (columns);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (columns, key);
      guint column;

      for (column = 0; column < LSN_FEED_N_COLUMNS; column++)
        if (g_str_equal (key, column_info[column].key))
          break;
      if (column == LSN_FEED_N_COLUMNS)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "In the profile, feed column “%s” is unknown: use customer, customer_id, "
                       "product_code, product_name, quantity, unit_price or billing_cycle", key);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_NULL (value))
        {
          lsn_feed_parser_set_column (self, column, NULL);
          continue;
        }
      if (json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "In the profile, feed column “%s” must be the name of a column of the "
                       "invoice (text)", key);
          return FALSE;
        }
      lsn_feed_parser_set_column (self, column, json_node_get_string (value));
    }
  return TRUE;
}

/**
 * lsn_feed_parser_set_format:
 *
 * %LSN_FEED_FORMAT_AUTO (the default) reads JSON when the data starts with “[” or “{”.
 */
void
lsn_feed_parser_set_format (LsnFeedParser *self,
                            LsnFeedFormat  format)
{
  g_return_if_fail (LSN_IS_FEED_PARSER (self));
  self->format = format;
}

/* -------------------------------------------------------------------------------------------- */
/* Values                                                                                        */

typedef struct
{
  LsnFeedParser *self;
  LsnFeedResult *result;
  GHashTable    *seen;       /* "customer key\ncasefolded code" → first line */
  guint          dropped;    /* issues beyond LSN_FEED_MAX_ISSUES */
} Ctx;

G_GNUC_PRINTF (4, 5)
static void
add_issue (Ctx           *ctx,
           guint          line,
           LsnFeedColumn  column,
           const char    *format,
           ...)
{
  LsnFeedIssue *issue;
  va_list args;

  if (ctx->result->issues->len >= LSN_FEED_MAX_ISSUES)
    {
      ctx->dropped++;
      return;
    }

  issue = g_new0 (LsnFeedIssue, 1);
  issue->line = line;
  issue->column = column < LSN_FEED_N_COLUMNS ? g_strdup (column_info[column].key) : NULL;
  va_start (args, format);
  issue->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (ctx->result->issues, issue);
}

/* Trims ASCII white space and no-break spaces (U+00A0, U+202F) in place. */
static char *
trim (char *s)
{
  char *end;

  for (;;)
    {
      if (g_ascii_isspace (*s))
        s++;
      else if ((guchar) s[0] == 0xc2 && (guchar) s[1] == 0xa0)
        s += 2;
      else if ((guchar) s[0] == 0xe2 && (guchar) s[1] == 0x80 && (guchar) s[2] == 0xaf)
        s += 3;
      else
        break;
    }
  end = s + strlen (s);
  for (;;)
    {
      if (end > s && g_ascii_isspace (end[-1]))
        end--;
      else if (end - s >= 2 && (guchar) end[-2] == 0xc2 && (guchar) end[-1] == 0xa0)
        end -= 2;
      else if (end - s >= 3 && (guchar) end[-3] == 0xe2 && (guchar) end[-2] == 0x80
               && (guchar) end[-1] == 0xaf)
        end -= 3;
      else
        break;
    }
  *end = '\0';
  return s;
}

/* "1.234,50" → 1234.5. Returns FALSE when @text is not a plain decimal number. */
static gboolean
parse_decimal (const char *text,
               double     *out)
{
  g_autofree char *copy = g_strdup (text);
  g_autoptr(GString) digits = g_string_new (NULL);
  char *s = trim (copy);
  gsize len;
  guint dots = 0, commas = 0;
  char decimal = 0;
  const char *last_dot, *last_comma;
  char *end = NULL;
  double value;

  /* currency signs and codes at either end: "€ 4,90", "4.90 EUR", "$10" */
  for (gboolean again = TRUE; again; )
    {
      again = FALSE;
      if (g_str_has_prefix (s, "€"))
        s += strlen ("€"), again = TRUE;
      else if (g_str_has_prefix (s, "£"))
        s += strlen ("£"), again = TRUE;
      else if (*s == '$')
        s++, again = TRUE;
      else if (g_ascii_isupper (s[0]) && g_ascii_isupper (s[1]) && g_ascii_isupper (s[2])
               && (s[3] == ' ' || g_ascii_isdigit (s[3]) || s[3] == '-'))
        s += 3, again = TRUE;
      len = strlen (s);
      if (g_str_has_suffix (s, "€"))
        s[len - strlen ("€")] = '\0', again = TRUE;
      else if (g_str_has_suffix (s, "£"))
        s[len - strlen ("£")] = '\0', again = TRUE;
      else if (len >= 1 && s[len - 1] == '$')
        s[len - 1] = '\0', again = TRUE;
      else if (len >= 4 && g_ascii_isupper (s[len - 1]) && g_ascii_isupper (s[len - 2])
               && g_ascii_isupper (s[len - 3]) && (s[len - 4] == ' ' || g_ascii_isdigit (s[len - 4])))
        s[len - 3] = '\0', again = TRUE;
      s = trim (s);
    }

  if (*s == '\0')
    return FALSE;

  /* keep digits, separators and a leading sign; spaces and apostrophes group thousands */
  for (const char *p = s; *p; p++)
    {
      if (g_ascii_isdigit (*p) || *p == '.' || *p == ',')
        g_string_append_c (digits, *p);
      else if ((*p == '-' || *p == '+') && digits->len == 0)
        g_string_append_c (digits, *p);
      else if (*p == ' ' || *p == '\'')
        continue;
      else if ((guchar) p[0] == 0xc2 && (guchar) p[1] == 0xa0)
        p++;
      else
        return FALSE;
    }

  for (const char *p = digits->str; *p; p++)
    {
      if (*p == '.')
        dots++;
      else if (*p == ',')
        commas++;
    }
  last_dot = strrchr (digits->str, '.');
  last_comma = strrchr (digits->str, ',');
  if (dots > 0 && commas > 0)
    decimal = last_dot > last_comma ? '.' : ',';
  else if (dots == 1)
    decimal = '.';
  else if (commas == 1)
    decimal = ',';

  {
    g_autoptr(GString) plain = g_string_new (NULL);
    gint group = -1;   /* digits since the last thousands separator; -1 before the first */
    gboolean in_fraction = FALSE;

    for (const char *p = digits->str; *p; p++)
      {
        if (*p == '.' || *p == ',')
          {
            if (in_fraction)
              return FALSE; /* a separator after the decimal one */
            if (*p == decimal && p == (decimal == '.' ? last_dot : last_comma))
              {
                if (group >= 0 && group != 3)
                  return FALSE;
                g_string_append_c (plain, '.');
                in_fraction = TRUE;
              }
            else if (*p == decimal)
              return FALSE; /* two decimal separators */
            else
              {
                /* a thousands separator: groups of three digits after the first */
                if ((group < 0 && (plain->len == 0 || !g_ascii_isdigit (plain->str[plain->len - 1])))
                    || (group >= 0 && group != 3))
                  return FALSE;
                group = 0;
              }
          }
        else
          {
            g_string_append_c (plain, *p);
            if (group >= 0 && !in_fraction && g_ascii_isdigit (*p))
              group++;
          }
      }
    if (!in_fraction && group >= 0 && group != 3)
      return FALSE;

    if (plain->len == 0 || !g_ascii_isdigit (plain->str[plain->len - 1]))
      return FALSE;
    value = g_ascii_strtod (plain->str, &end);
    if (end == NULL || *end != '\0' || end == plain->str || !isfinite (value))
      return FALSE;
  }

  *out = value;
  return TRUE;
}

static void
row_from_values (Ctx         *ctx,
                 guint        line,
                 char * const values[LSN_FEED_N_COLUMNS],
                 const gboolean present[LSN_FEED_N_COLUMNS])
{
  g_autoptr(LsnFeedRow) row = g_new0 (LsnFeedRow, 1);
  guint issues_before = ctx->result->issues->len + ctx->dropped;
  const char *v;
  double number = 0;

  row->line = line;

  v = values[LSN_FEED_COLUMN_CUSTOMER] ? values[LSN_FEED_COLUMN_CUSTOMER] : "";
  if (*v == '\0')
    add_issue (ctx, line, LSN_FEED_COLUMN_CUSTOMER, "no customer name (column “%s”)",
               ctx->self->columns[LSN_FEED_COLUMN_CUSTOMER]);
  else
    row->customer = g_strdup (v);

  v = values[LSN_FEED_COLUMN_CUSTOMER_ID];
  if (v != NULL && *v != '\0')
    row->customer_id = g_strdup (v);

  v = values[LSN_FEED_COLUMN_PRODUCT_CODE] ? values[LSN_FEED_COLUMN_PRODUCT_CODE] : "";
  if (*v == '\0')
    add_issue (ctx, line, LSN_FEED_COLUMN_PRODUCT_CODE, "no product code (column “%s”)",
               ctx->self->columns[LSN_FEED_COLUMN_PRODUCT_CODE]);
  else
    row->product_code = g_strdup (v);

  v = values[LSN_FEED_COLUMN_PRODUCT_NAME];
  if (v != NULL && *v != '\0')
    row->product_name = g_strdup (v);

  v = values[LSN_FEED_COLUMN_QUANTITY] ? values[LSN_FEED_COLUMN_QUANTITY] : "";
  if (*v == '\0')
    add_issue (ctx, line, LSN_FEED_COLUMN_QUANTITY, "no quantity (column “%s”)",
               ctx->self->columns[LSN_FEED_COLUMN_QUANTITY]);
  else if (!parse_decimal (v, &number))
    add_issue (ctx, line, LSN_FEED_COLUMN_QUANTITY, "the quantity “%s” is not a number", v);
  else if (number < 0)
    add_issue (ctx, line, LSN_FEED_COLUMN_QUANTITY, "the quantity “%s” is negative", v);
  else if (number != floor (number))
    add_issue (ctx, line, LSN_FEED_COLUMN_QUANTITY, "the quantity “%s” is not a whole number", v);
  else if (number > G_MAXINT32)
    add_issue (ctx, line, LSN_FEED_COLUMN_QUANTITY, "the quantity “%s” is too large", v);
  else
    row->quantity = (gint64) number;

  v = values[LSN_FEED_COLUMN_UNIT_PRICE];
  if (v != NULL && *v != '\0')
    {
      if (!parse_decimal (v, &number))
        add_issue (ctx, line, LSN_FEED_COLUMN_UNIT_PRICE, "the unit price “%s” is not a number", v);
      else if (number < 0)
        add_issue (ctx, line, LSN_FEED_COLUMN_UNIT_PRICE, "the unit price “%s” is negative", v);
      else
        {
          row->has_price = TRUE;
          row->unit_price = number;
        }
    }
  else if (present[LSN_FEED_COLUMN_UNIT_PRICE] && row->quantity > 0)
    add_issue (ctx, line, LSN_FEED_COLUMN_UNIT_PRICE, "no unit price (column “%s”)",
               ctx->self->columns[LSN_FEED_COLUMN_UNIT_PRICE]);

  v = values[LSN_FEED_COLUMN_BILLING_CYCLE];
  if (v != NULL && *v != '\0')
    row->billing_cycle = g_strdup (v);

  if (ctx->result->issues->len + ctx->dropped != issues_before)
    return;

  /* one row per customer and product */
  {
    g_autofree char *customer = lsn_feed_row_customer_key (row);
    g_autofree char *code = g_utf8_casefold (row->product_code, -1);
    char *key = g_strconcat (customer, "\n", code, NULL);
    gpointer first = g_hash_table_lookup (ctx->seen, key);

    if (first != NULL)
      {
        add_issue (ctx, line, LSN_FEED_COLUMN_PRODUCT_CODE,
                   "customer “%s” and product “%s” are already on line %u: the invoice must "
                   "have one row per customer and product (merge the two rows)",
                   row->customer, row->product_code, GPOINTER_TO_UINT (first));
        g_free (key);
        return;
      }
    g_hash_table_insert (ctx->seen, key, GUINT_TO_POINTER (line));
  }

  g_ptr_array_add (ctx->result->rows, g_steal_pointer (&row));
}

static gboolean
names_equal (const char *a,
             const char *b)
{
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  g_autofree char *ta = g_strdup (a);
  g_autofree char *tb = g_strdup (b);

  ca = g_utf8_casefold (trim (ta), -1);
  cb = g_utf8_casefold (trim (tb), -1);
  return g_str_equal (ca, cb);
}

/* -------------------------------------------------------------------------------------------- */
/* CSV                                                                                           */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;   /* the line p is on */
  char        delimiter;
} CsvReader;

/* Reads one record into @fields. Returns FALSE at the end of the data. */
static gboolean
csv_next_record (CsvReader  *r,
                 GPtrArray  *fields,
                 guint      *start_line,
                 guint      *open_quote_line)
{
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE, was_quoted = FALSE;

  g_ptr_array_set_size (fields, 0);
  *open_quote_line = 0;

  if (r->p >= r->end)
    {
      g_string_free (field, TRUE);
      return FALSE;
    }

  *start_line = r->line;

  while (r->p < r->end)
    {
      char c = *r->p;

      if (quoted)
        {
          if (c == '"')
            {
              if (r->p + 1 < r->end && r->p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  r->p += 2;
                  continue;
                }
              quoted = FALSE;
              r->p++;
              continue;
            }
          if (c == '\n' || (c == '\r' && (r->p + 1 >= r->end || r->p[1] != '\n')))
            r->line++;
          g_string_append_c (field, c);
          r->p++;
          continue;
        }

      if (c == '"' && field->len == 0 && !was_quoted)
        {
          quoted = was_quoted = TRUE;
          *open_quote_line = r->line;
          r->p++;
          continue;
        }
      if (c == r->delimiter)
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          was_quoted = FALSE;
          r->p++;
          continue;
        }
      if (c == '\r' || c == '\n')
        {
          r->p++;
          if (c == '\r' && r->p < r->end && *r->p == '\n')
            r->p++;
          r->line++;
          break;
        }
      /* spaces after a closing quote are tolerated; other text after it is kept */
      g_string_append_c (field, c);
      r->p++;
    }

  g_ptr_array_add (fields, g_string_free (field, FALSE));
  if (!quoted)
    *open_quote_line = 0;
  return TRUE;
}

static char
csv_detect_delimiter (const char *p,
                      const char *end)
{
  guint commas = 0, semicolons = 0, tabs = 0;
  gboolean quoted = FALSE;

  for (; p < end; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (*p == '\n' || *p == '\r')
        break;
      else if (*p == ',')
        commas++;
      else if (*p == ';')
        semicolons++;
      else if (*p == '\t')
        tabs++;
    }

  if (semicolons > commas && semicolons >= tabs)
    return ';';
  if (tabs > commas && tabs > semicolons)
    return '\t';
  return ',';
}

static gboolean
record_is_blank (GPtrArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *copy = g_strdup (g_ptr_array_index (fields, i));
      if (*trim (copy) != '\0')
        return FALSE;
    }
  return TRUE;
}

static void
parse_csv (Ctx        *ctx,
           const char *data,
           const char *end)
{
  CsvReader r = { data, end, 1, ',' };
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  gint index[LSN_FEED_N_COLUMNS];
  gboolean present[LSN_FEED_N_COLUMNS] = { 0 };
  guint header_len, start_line = 0, open_quote = 0;
  gboolean header_ok = TRUE;
  guint n_rows = 0;

  r.delimiter = csv_detect_delimiter (data, end);
  g_free (ctx->result->format);
  ctx->result->format = g_strdup (r.delimiter == ';' ? "CSV (semicolon)"
                                  : r.delimiter == '\t' ? "CSV (tab)" : "CSV (comma)");

  /* the header: the first record that is not blank */
  do
    {
      if (!csv_next_record (&r, fields, &start_line, &open_quote))
        {
          add_issue (ctx, 0, LSN_FEED_N_COLUMNS, "The invoice is empty: export it again");
          return;
        }
    }
  while (record_is_blank (fields));

  header_len = fields->len;
  for (guint c = 0; c < LSN_FEED_N_COLUMNS; c++)
    {
      index[c] = -1;
      for (guint i = 0; i < fields->len; i++)
        if (names_equal (g_ptr_array_index (fields, i), ctx->self->columns[c]))
          {
            if (index[c] >= 0)
              {
                add_issue (ctx, start_line, c,
                           "the column “%s” is in the header twice (columns %d and %u): "
                           "rename one of them in the export", ctx->self->columns[c],
                           index[c] + 1, i + 1);
                header_ok = FALSE;
                break;
              }
            index[c] = (gint) i;
          }
      present[c] = index[c] >= 0;

      if (index[c] < 0 && (column_info[c].required || ctx->self->explicit[c]))
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint i = 0; i < fields->len; i++)
            {
              g_autofree char *copy = g_strdup (g_ptr_array_index (fields, i));
              g_string_append_printf (names, "%s“%s”", i ? ", " : "", trim (copy));
            }
          add_issue (ctx, start_line, c,
                     "the %s column “%s” is not in the header, which has %s: set the right "
                     "column name in the profile's feed columns (%s)", column_info[c].label,
                     ctx->self->columns[c], names->str, column_info[c].key);
          header_ok = FALSE;
        }
    }
  if (!header_ok)
    return;

  for (;;)
    {
      char *values[LSN_FEED_N_COLUMNS] = { 0 };
      guint line;
      gboolean extra = FALSE;

      if (!csv_next_record (&r, fields, &start_line, &open_quote))
        break;
      line = start_line;

      if (open_quote > 0)
        {
          add_issue (ctx, open_quote, LSN_FEED_N_COLUMNS,
                     "a quoted value opened here is never closed: the rest of the file was read "
                     "as one value; check the quotes on this line");
          break;
        }
      if (record_is_blank (fields))
        continue;
      n_rows++;

      for (guint i = header_len; i < fields->len; i++)
        {
          g_autofree char *copy = g_strdup (g_ptr_array_index (fields, i));
          if (*trim (copy) != '\0')
            extra = TRUE;
        }
      if (extra)
        {
          add_issue (ctx, line, LSN_FEED_N_COLUMNS,
                     "%u values, more than the %u columns of the header: is there a “%c” "
                     "inside a value that is not quoted?", fields->len, header_len,
                     r.delimiter == '\t' ? ' ' : r.delimiter);
          continue;
        }
      if (fields->len < header_len)
        {
          gboolean missing = FALSE;

          for (guint c = 0; c < LSN_FEED_N_COLUMNS; c++)
            if (index[c] >= (gint) fields->len)
              missing = TRUE;
          if (missing)
            {
              add_issue (ctx, line, LSN_FEED_N_COLUMNS,
                         "%u values, fewer than the %u columns of the header: the row is cut "
                         "short", fields->len, header_len);
              continue;
            }
        }

      for (guint c = 0; c < LSN_FEED_N_COLUMNS; c++)
        if (index[c] >= 0 && (guint) index[c] < fields->len)
          values[c] = trim (g_ptr_array_index (fields, index[c]));

      row_from_values (ctx, line, values, present);
    }

  if (n_rows == 0 && ctx->result->issues->len == 0)
    add_issue (ctx, 0, LSN_FEED_N_COLUMNS,
               "The invoice has a header but no rows: applying it would delete every licence "
               "of this distributor, so it is refused; export it again");
}

/* -------------------------------------------------------------------------------------------- */
/* JSON                                                                                          */

/* The line each element of the top-level array starts on. */
static GArray *
json_element_lines (const char *p,
                    const char *end)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (guint));
  guint line = 1, depth = 0;
  gboolean in_string = FALSE, expect_value = FALSE;

  for (; p < end; p++)
    {
      char c = *p;

      if (c == '\n')
        line++;
      if (in_string)
        {
          if (c == '\\' && p + 1 < end)
            p++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (g_ascii_isspace (c))
        continue;

      if (depth == 1 && expect_value && c != ']')
        {
          g_array_append_val (lines, line);
          expect_value = FALSE;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          depth++;
          if (depth == 1 && c == '[')
            expect_value = TRUE;
        }
      else if (c == ']' || c == '}')
        {
          if (depth > 0)
            depth--;
        }
      else if (c == ',' && depth == 1)
        expect_value = TRUE;
    }

  return lines;
}

static char *
json_value_text (JsonNode *node,
                 gboolean *bad)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  *bad = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      *bad = TRUE;
      return NULL;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));

  *bad = TRUE;
  return NULL;
}

static void
parse_json (Ctx        *ctx,
            const char *data,
            const char *end)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lines = NULL;
  JsonNode *root;
  JsonArray *array;
  guint n;

  g_free (ctx->result->format);
  ctx->result->format = g_strdup ("JSON");

  if (!json_parser_load_from_data (parser, data, end - data, &error))
    {
      add_issue (ctx, 0, LSN_FEED_N_COLUMNS, "The invoice is not valid JSON: %s", error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      add_issue (ctx, 0, LSN_FEED_N_COLUMNS, "The invoice is empty: export it again");
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      add_issue (ctx, 1, LSN_FEED_N_COLUMNS,
                 "The invoice must be a JSON array of rows ([{…}, {…}]), not a single %s",
                 JSON_NODE_HOLDS_OBJECT (root) ? "object" : "value");
      return;
    }

  array = json_node_get_array (root);
  n = json_array_get_length (array);
  lines = json_element_lines (data, end);
  if (n == 0)
    {
      add_issue (ctx, 0, LSN_FEED_N_COLUMNS,
                 "The invoice has no rows: applying it would delete every licence of this "
                 "distributor, so it is refused; export it again");
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      guint line = i < lines->len ? g_array_index (lines, guint, i) : 0;
      char *values[LSN_FEED_N_COLUMNS] = { 0 };
      gboolean present[LSN_FEED_N_COLUMNS] = { 0 };
      g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GList) members = NULL;
      JsonObject *object;
      gboolean ok = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          add_issue (ctx, line, LSN_FEED_N_COLUMNS, "row %u is not an object {\"%s\": …}",
                     i + 1, ctx->self->columns[LSN_FEED_COLUMN_CUSTOMER]);
          continue;
        }
      object = json_node_get_object (element);
      members = json_object_get_members (object);

      for (guint c = 0; c < LSN_FEED_N_COLUMNS && ok; c++)
        {
          for (GList *l = members; l != NULL; l = l->next)
            {
              gboolean bad = FALSE;
              char *text;

              if (!names_equal (l->data, ctx->self->columns[c]))
                continue;
              text = json_value_text (json_object_get_member (object, l->data), &bad);
              if (bad)
                {
                  add_issue (ctx, line, c, "“%s” must be text or a number",
                             (const char *) l->data);
                  ok = FALSE;
                  break;
                }
              present[c] = TRUE;
              if (text != NULL)
                {
                  g_ptr_array_add (owned, text);
                  values[c] = trim (text);
                }
              break;
            }
          if (ok && !present[c] && (column_info[c].required || ctx->self->explicit[c]))
            {
              add_issue (ctx, line, c, "the row has no “%s” (the %s)", ctx->self->columns[c],
                         column_info[c].label);
              ok = FALSE;
            }
        }

      if (ok)
        row_from_values (ctx, line, values, present);
    }
}

/* -------------------------------------------------------------------------------------------- */

static guint
line_of (const char *data,
         const char *at)
{
  guint line = 1;

  for (const char *p = data; p < at; p++)
    if (*p == '\n')
      line++;
  return line;
}

/**
 * lsn_feed_parser_parse:
 * @data: the file as read (any encoding; only UTF-8 is accepted)
 * @length: its length in bytes
 *
 * Returns: (transfer full): the rows and the issues; never %NULL
 */
LsnFeedResult *
lsn_feed_parser_parse (LsnFeedParser *self,
                       const char    *data,
                       gsize          length)
{
  LsnFeedResult *result = g_new0 (LsnFeedResult, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Ctx ctx = { self, result, seen, 0 };
  const char *p = data, *end = data + length;
  const char *bad = NULL;
  LsnFeedFormat format;

  g_return_val_if_fail (LSN_IS_FEED_PARSER (self), NULL);

  result->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_feed_row_free);
  result->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_feed_issue_free);
  result->format = g_strdup (self->format == LSN_FEED_FORMAT_JSON ? "JSON" : "CSV");

  if (data == NULL)
    length = 0, p = end = "";

  if (length >= 2 && (((guchar) p[0] == 0xff && (guchar) p[1] == 0xfe)
                      || ((guchar) p[0] == 0xfe && (guchar) p[1] == 0xff)))
    {
      add_issue (&ctx, 0, LSN_FEED_N_COLUMNS,
                 "The invoice is saved as UTF-16: export or save it as UTF-8");
      return result;
    }
  if (length >= 3 && (guchar) p[0] == 0xef && (guchar) p[1] == 0xbb && (guchar) p[2] == 0xbf)
    p += 3;

  if (!g_utf8_validate_len (p, end - p, &bad))
    {
      add_issue (&ctx, line_of (p, bad), LSN_FEED_N_COLUMNS,
                 "the text is not UTF-8 (a %s byte at offset %" G_GSIZE_FORMAT "): export or "
                 "save the invoice as UTF-8", *bad == '\0' ? "NUL" : "stray",
                 (gsize) (bad - data));
      return result;
    }

  {
    const char *q = p;
    while (q < end && g_ascii_isspace (*q))
      q++;
    if (q == end)
      {
        add_issue (&ctx, 0, LSN_FEED_N_COLUMNS, "The invoice is empty: export it again");
        return result;
      }
    format = self->format;
    if (format == LSN_FEED_FORMAT_AUTO)
      format = (*q == '[' || *q == '{') ? LSN_FEED_FORMAT_JSON : LSN_FEED_FORMAT_CSV;
  }

  if (format == LSN_FEED_FORMAT_JSON)
    parse_json (&ctx, p, end);
  else
    parse_csv (&ctx, p, end);

  if (ctx.dropped > 0)
    {
      LsnFeedIssue *issue = g_new0 (LsnFeedIssue, 1);

      issue->message = g_strdup_printf ("%u more problems were not listed", ctx.dropped);
      g_ptr_array_add (result->issues, issue);
    }

  return result;
}
