/* lsn-sandbox-cw-conditions.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The `conditions` language of ConnectWise Manage (reference/connectwise-api.md §3), as a
 * tokenizer, a recursive-descent parser and an evaluator over JsonObject records:
 *
 *   expr       := and_expr ( OR and_expr )*
 *   and_expr   := unary ( AND unary )*
 *   unary      := NOT unary | '(' expr ')' | comparison
 *   comparison := path ( '=' | '!=' | '<' | '<=' | '>' | '>=' ) scalar
 *               | path [NOT] ( CONTAINS | LIKE ) scalar
 *               | path [NOT] IN '(' scalar ( ',' scalar )* ')'
 *   path       := name ( '/' name )*          name := [A-Za-z_][A-Za-z0-9_]*
 *   scalar     := "string" | 'string' | number | [datetime] | True | False | null
 *
 * Keywords are case-insensitive (the Developer Guide writes both `and` and `AND`, `True` and
 * `false`); field names are case-sensitive (unknown in the reference: the stricter choice).
 * `and` binds tighter than `or`, as in SQL. Inside strings a backslash escapes the next
 * character. String comparisons ignore case, as the SQL Server collation behind ConnectWise does.
 * A comparison with an absent (null) field is false except `= null` and `!= null`, as in SQL.
 * In `like`, `*` and `%` match any run of characters; `_` is taken literally (unknown: stricter).
 * Datetimes are ISO 8601; without an offset they are UTC (the reference notes naive timestamps
 * are accepted); a date without a time is refused (unknown: stricter).
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-cw-conditions.h"

G_DEFINE_QUARK (lsn-cw-query-error-quark, lsn_cw_query_error)

typedef enum
{
  TOK_EOF,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
  TOK_EQ,
  TOK_NE,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE,
  TOK_NAME,
  TOK_STRING,
  TOK_NUMBER,
  TOK_DATE,
} TokenKind;

typedef struct
{
  TokenKind  kind;
  char      *text;   /* NAME: the path; STRING: unescaped; NUMBER, DATE: as written */
  guint      pos;    /* 1-based character position */
} Token;

typedef enum
{
  VALUE_STRING,
  VALUE_NUMBER,
  VALUE_DATE,
  VALUE_BOOL,
  VALUE_NULL,
} ValueKind;

typedef struct
{
  ValueKind  kind;
  char      *string;  /* casefolded */
  double     number;
  gint64     usec;
  gboolean   boolean;
} Value;

typedef enum
{
  NODE_AND,
  NODE_OR,
  NODE_NOT,
  NODE_CMP,
} NodeKind;

typedef enum
{
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_CONTAINS,
  OP_LIKE,
  OP_IN,
} Op;

struct _LsnCwCondition
{
  NodeKind         kind;
  LsnCwCondition  *left;
  LsnCwCondition  *right;

  /* NODE_CMP */
  char            *path;     /* as written (for messages) */
  char            *lookup;   /* where to read it in the record */
  Op               op;
  gboolean         negate;
  GArray          *values;   /* of Value */
  LsnCwFieldType   type;
  guint            pos;
};

typedef struct
{
  GPtrArray *tokens;
  guint      next;
  GError    *error;
} Parser;

static const char *
op_name (Op op)
{
  switch (op)
    {
    case OP_EQ: return "=";
    case OP_NE: return "!=";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_CONTAINS: return "contains";
    case OP_LIKE: return "like";
    case OP_IN: return "in";
    default: return "?";
    }
}

static void
token_free (gpointer data)
{
  Token *token = data;

  g_free (token->text);
  g_free (token);
}

static void
value_clear (gpointer data)
{
  Value *value = data;

  g_clear_pointer (&value->string, g_free);
}

void
lsn_cw_condition_free (LsnCwCondition *condition)
{
  if (condition == NULL)
    return;

  lsn_cw_condition_free (condition->left);
  lsn_cw_condition_free (condition->right);
  g_free (condition->path);
  g_free (condition->lookup);
  g_clear_pointer (&condition->values, g_array_unref);
  g_free (condition);
}

/**
 * lsn_cw_parse_datetime:
 * @text: an ISO 8601 date and time, with or without an offset
 * @usec: (out): microseconds since the Unix epoch
 *
 * Returns: whether @text was a date and time
 */
gboolean
lsn_cw_parse_datetime (const char *text,
                       gint64     *usec)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strchr (text, 'T') == NULL)
    return FALSE;

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static GPtrArray *
tokenize (const char  *text,
          GError     **error)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (token_free);
  const char *p = text;

  for (;;)
    {
      Token *token;
      guint pos;

      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;

      pos = (guint) (p - text) + 1;
      token = g_new0 (Token, 1);
      token->pos = pos;
      g_ptr_array_add (tokens, token);

      if (*p == '\0')
        {
          token->kind = TOK_EOF;
          break;
        }

      switch (*p)
        {
        case '(': token->kind = TOK_LPAREN; p++; continue;
        case ')': token->kind = TOK_RPAREN; p++; continue;
        case ',': token->kind = TOK_COMMA; p++; continue;
        case '=': token->kind = TOK_EQ; p++; continue;
        case '!':
          if (p[1] != '=')
            {
              g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "Unexpected character '!' at position %u (did you mean '!='?)", pos);
              return NULL;
            }
          token->kind = TOK_NE;
          p += 2;
          continue;
        case '<':
          token->kind = p[1] == '=' ? TOK_LE : TOK_LT;
          p += p[1] == '=' ? 2 : 1;
          continue;
        case '>':
          token->kind = p[1] == '=' ? TOK_GE : TOK_GT;
          p += p[1] == '=' ? 2 : 1;
          continue;
        default:
          break;
        }

      if (*p == '"' || *p == '\'')
        {
          char quote = *p++;
          g_autoptr(GString) s = g_string_new (NULL);

          while (*p != quote)
            {
              if (*p == '\0')
                {
                  g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                               "Unterminated string starting at position %u", pos);
                  return NULL;
                }
              if (*p == '\\' && p[1] != '\0')
                p++;
              g_string_append_c (s, *p++);
            }
          p++;
          token->kind = TOK_STRING;
          token->text = g_string_free (g_steal_pointer (&s), FALSE);
          continue;
        }

      if (*p == '[')
        {
          const char *end = strchr (p, ']');

          if (end == NULL)
            {
              g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "Unterminated date starting at position %u (dates are written [2024-01-31T00:00:00Z])",
                           pos);
              return NULL;
            }
          token->kind = TOK_DATE;
          token->text = g_strstrip (g_strndup (p + 1, (gsize) (end - p - 1)));
          p = end + 1;
          continue;
        }

      if (g_ascii_isdigit (*p) || (*p == '-' && g_ascii_isdigit (p[1])) || (*p == '.' && g_ascii_isdigit (p[1])))
        {
          const char *start = p;

          if (*p == '-')
            p++;
          while (g_ascii_isdigit (*p))
            p++;
          if (*p == '.')
            {
              p++;
              if (!g_ascii_isdigit (*p))
                {
                  g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                               "Malformed number at position %u", pos);
                  return NULL;
                }
              while (g_ascii_isdigit (*p))
                p++;
            }
          if (is_name_char (*p))
            {
              g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "Malformed number at position %u", pos);
              return NULL;
            }
          token->kind = TOK_NUMBER;
          token->text = g_strndup (start, (gsize) (p - start));
          continue;
        }

      if (is_name_start (*p))
        {
          const char *start = p;

          for (;;)
            {
              while (is_name_char (*p))
                p++;
              if (*p != '/')
                break;
              p++;
              if (!is_name_start (*p))
                {
                  g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                               "Expected a field name after '/' at position %u",
                               (guint) (p - text) + 1);
                  return NULL;
                }
            }
          token->kind = TOK_NAME;
          token->text = g_strndup (start, (gsize) (p - start));
          continue;
        }

      g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                   "Unexpected character '%c' at position %u", *p, pos);
      return NULL;
    }

  return g_steal_pointer (&tokens);
}

static Token *
peek (Parser *parser)
{
  return g_ptr_array_index (parser->tokens, parser->next);
}

static Token *
advance (Parser *parser)
{
  Token *token = peek (parser);

  if (token->kind != TOK_EOF)
    parser->next++;
  return token;
}

static gboolean
is_keyword (const Token *token,
            const char  *keyword)
{
  return token->kind == TOK_NAME && g_ascii_strcasecmp (token->text, keyword) == 0;
}

static gboolean
is_reserved (const char *name)
{
  static const char * const words[] = { "and", "or", "not", "contains", "like", "in",
                                        "true", "false", "null", NULL };

  for (guint i = 0; words[i]; i++)
    if (g_ascii_strcasecmp (name, words[i]) == 0)
      return TRUE;
  return FALSE;
}

static char *
describe (const Token *token)
{
  switch (token->kind)
    {
    case TOK_EOF: return g_strdup ("the end of the conditions");
    case TOK_LPAREN: return g_strdup ("'('");
    case TOK_RPAREN: return g_strdup ("')'");
    case TOK_COMMA: return g_strdup ("','");
    case TOK_EQ: return g_strdup ("'='");
    case TOK_NE: return g_strdup ("'!='");
    case TOK_LT: return g_strdup ("'<'");
    case TOK_LE: return g_strdup ("'<='");
    case TOK_GT: return g_strdup ("'>'");
    case TOK_GE: return g_strdup ("'>='");
    case TOK_NAME: return g_strdup_printf ("'%s'", token->text);
    case TOK_STRING: return g_strdup_printf ("the string \"%s\"", token->text);
    case TOK_NUMBER: return g_strdup_printf ("the number %s", token->text);
    case TOK_DATE: return g_strdup_printf ("the date [%s]", token->text);
    default: return g_strdup ("?");
    }
}

static void
fail (Parser     *parser,
      const char *expected)
{
  Token *token = peek (parser);
  g_autofree char *found = describe (token);

  if (parser->error == NULL)
    g_set_error (&parser->error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                 "Expected %s at position %u, found %s", expected, token->pos, found);
}

static LsnCwCondition *parse_or (Parser *parser);

static gboolean
parse_scalar (Parser *parser,
              Value  *value)
{
  Token *token = peek (parser);

  memset (value, 0, sizeof *value);

  switch (token->kind)
    {
    case TOK_STRING:
      value->kind = VALUE_STRING;
      value->string = g_utf8_casefold (token->text, -1);
      advance (parser);
      return TRUE;

    case TOK_NUMBER:
      value->kind = VALUE_NUMBER;
      value->number = g_ascii_strtod (token->text, NULL);
      advance (parser);
      return TRUE;

    case TOK_DATE:
      if (!lsn_cw_parse_datetime (token->text, &value->usec))
        {
          g_set_error (&parser->error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "Invalid date [%s] at position %u (write [2024-01-31T00:00:00Z])",
                       token->text, token->pos);
          return FALSE;
        }
      value->kind = VALUE_DATE;
      advance (parser);
      return TRUE;

    case TOK_NAME:
      if (is_keyword (token, "true") || is_keyword (token, "false"))
        {
          value->kind = VALUE_BOOL;
          value->boolean = is_keyword (token, "true");
          advance (parser);
          return TRUE;
        }
      if (is_keyword (token, "null"))
        {
          value->kind = VALUE_NULL;
          advance (parser);
          return TRUE;
        }
      if (parser->error == NULL)
        g_set_error (&parser->error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                     "Expected a value at position %u, found '%s' (strings are written in double quotes)",
                     token->pos, token->text);
      return FALSE;

    case TOK_EOF:
    case TOK_LPAREN:
    case TOK_RPAREN:
    case TOK_COMMA:
    case TOK_EQ:
    case TOK_NE:
    case TOK_LT:
    case TOK_LE:
    case TOK_GT:
    case TOK_GE:
    default:
      fail (parser, "a value");
      return FALSE;
    }
}

static LsnCwCondition *
parse_comparison (Parser *parser)
{
  g_autoptr(LsnCwCondition) node = NULL;
  Token *name = peek (parser);
  Token *token;

  if (name->kind != TOK_NAME || is_reserved (name->text))
    {
      fail (parser, "a field name");
      return NULL;
    }
  advance (parser);

  node = g_new0 (LsnCwCondition, 1);
  node->kind = NODE_CMP;
  node->path = g_strdup (name->text);
  node->pos = name->pos;
  node->values = g_array_new (FALSE, TRUE, sizeof (Value));
  g_array_set_clear_func (node->values, value_clear);

  token = peek (parser);
  switch (token->kind)
    {
    case TOK_EQ: node->op = OP_EQ; break;
    case TOK_NE: node->op = OP_NE; break;
    case TOK_LT: node->op = OP_LT; break;
    case TOK_LE: node->op = OP_LE; break;
    case TOK_GT: node->op = OP_GT; break;
    case TOK_GE: node->op = OP_GE; break;
    case TOK_NAME:
      if (is_keyword (token, "not"))
        {
          node->negate = TRUE;
          advance (parser);
          token = peek (parser);
        }
      if (is_keyword (token, "contains"))
        node->op = OP_CONTAINS;
      else if (is_keyword (token, "like"))
        node->op = OP_LIKE;
      else if (is_keyword (token, "in"))
        node->op = OP_IN;
      else
        {
          fail (parser, node->negate ? "'contains', 'like' or 'in' after 'not'"
                                     : "an operator (=, !=, <, <=, >, >=, contains, like, in)");
          return NULL;
        }
      break;
    case TOK_EOF:
    case TOK_LPAREN:
    case TOK_RPAREN:
    case TOK_COMMA:
    case TOK_STRING:
    case TOK_NUMBER:
    case TOK_DATE:
    default:
      fail (parser, "an operator (=, !=, <, <=, >, >=, contains, like, in)");
      return NULL;
    }
  advance (parser);

  if (node->op == OP_IN)
    {
      if (peek (parser)->kind != TOK_LPAREN)
        {
          fail (parser, "'(' after 'in'");
          return NULL;
        }
      advance (parser);
      for (;;)
        {
          Value value;

          if (!parse_scalar (parser, &value))
            return NULL;
          g_array_append_val (node->values, value);
          if (peek (parser)->kind == TOK_COMMA)
            {
              advance (parser);
              continue;
            }
          if (peek (parser)->kind == TOK_RPAREN)
            {
              advance (parser);
              break;
            }
          fail (parser, "',' or ')' in the list after 'in'");
          return NULL;
        }
    }
  else
    {
      Value value;

      if (!parse_scalar (parser, &value))
        return NULL;
      g_array_append_val (node->values, value);
    }

  return g_steal_pointer (&node);
}

static LsnCwCondition *
parse_unary (Parser *parser)
{
  Token *token = peek (parser);

  if (is_keyword (token, "not"))
    {
      LsnCwCondition *node;
      LsnCwCondition *operand;

      advance (parser);
      operand = parse_unary (parser);
      if (operand == NULL)
        return NULL;
      node = g_new0 (LsnCwCondition, 1);
      node->kind = NODE_NOT;
      node->left = operand;
      return node;
    }

  if (token->kind == TOK_LPAREN)
    {
      g_autoptr(LsnCwCondition) inner = NULL;

      advance (parser);
      inner = parse_or (parser);
      if (inner == NULL)
        return NULL;
      if (peek (parser)->kind != TOK_RPAREN)
        {
          fail (parser, "')'");
          return NULL;
        }
      advance (parser);
      return g_steal_pointer (&inner);
    }

  return parse_comparison (parser);
}

static LsnCwCondition *
parse_binary (Parser     *parser,
              const char *keyword,
              NodeKind    kind)
{
  g_autoptr(LsnCwCondition) left = NULL;

  left = kind == NODE_OR ? parse_binary (parser, "and", NODE_AND) : parse_unary (parser);
  if (left == NULL)
    return NULL;

  while (is_keyword (peek (parser), keyword))
    {
      LsnCwCondition *node;
      LsnCwCondition *right;

      advance (parser);
      right = kind == NODE_OR ? parse_binary (parser, "and", NODE_AND) : parse_unary (parser);
      if (right == NULL)
        return NULL;
      node = g_new0 (LsnCwCondition, 1);
      node->kind = kind;
      node->left = g_steal_pointer (&left);
      node->right = right;
      left = node;
    }

  return g_steal_pointer (&left);
}

static LsnCwCondition *
parse_or (Parser *parser)
{
  return parse_binary (parser, "or", NODE_OR);
}

/**
 * lsn_cw_condition_parse:
 * @text: a `conditions` (or `childConditions`, `customFieldConditions`) value
 * @error: a %LSN_CW_QUERY_ERROR_SYNTAX error naming the position
 *
 * Returns: (transfer full) (nullable): the parsed conditions
 */
LsnCwCondition *
lsn_cw_condition_parse (const char  *text,
                        GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(LsnCwCondition) root = NULL;
  Parser parser = { 0 };

  g_return_val_if_fail (text != NULL, NULL);

  tokens = tokenize (text, error);
  if (tokens == NULL)
    return NULL;

  parser.tokens = tokens;
  if (peek (&parser)->kind == TOK_EOF)
    {
      g_set_error_literal (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "The conditions are empty");
      return NULL;
    }

  root = parse_or (&parser);
  if (root != NULL && peek (&parser)->kind != TOK_EOF)
    {
      fail (&parser, "'and', 'or' or the end of the conditions");
      g_clear_pointer (&root, lsn_cw_condition_free);
    }

  if (root == NULL)
    {
      g_propagate_error (error, parser.error);
      return NULL;
    }

  g_clear_error (&parser.error);
  return g_steal_pointer (&root);
}

static gboolean
strip_walk (LsnCwCondition  *node,
            char           **prefix,
            GError         **error)
{
  const char *slash;

  if (node == NULL)
    return TRUE;
  if (node->kind != NODE_CMP)
    return strip_walk (node->left, prefix, error) && strip_walk (node->right, prefix, error);

  slash = strchr (node->path, '/');
  if (slash == NULL)
    {
      g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                   "Child conditions name fields of a list, such as communicationItems/value; "
                   "'%s' at position %u is not one", node->path, node->pos);
      return FALSE;
    }

  if (*prefix == NULL)
    *prefix = g_strndup (node->path, (gsize) (slash - node->path));
  else if (strncmp (*prefix, node->path, (gsize) (slash - node->path)) != 0
           || strlen (*prefix) != (gsize) (slash - node->path))
    {
      g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                   "Child conditions may name one list only: '%s' and '%s' at position %u",
                   *prefix, node->path, node->pos);
      return FALSE;
    }

  {
    char *rest = g_strdup (slash + 1);

    g_free (node->path);
    node->path = rest;
  }

  return TRUE;
}

/**
 * lsn_cw_condition_strip_prefix:
 * @condition: parsed `childConditions`
 * @prefix: (out) (transfer full): the list field every comparison names
 * @error: a %LSN_CW_QUERY_ERROR_FIELD error when they name several lists or none
 *
 * Rewrites `communicationItems/value` into `value` so that @condition can be matched against
 * each element of the list.
 *
 * Returns: whether every comparison named the same list
 */
gboolean
lsn_cw_condition_strip_prefix (LsnCwCondition  *condition,
                               char           **prefix,
                               GError         **error)
{
  g_autofree char *found = NULL;

  if (!strip_walk (condition, &found, error))
    return FALSE;

  *prefix = g_steal_pointer (&found);
  return TRUE;
}

static const char *
type_name (LsnCwFieldType type)
{
  switch (type)
    {
    case LSN_CW_FIELD_INT: return "an integer";
    case LSN_CW_FIELD_NUMBER: return "a number";
    case LSN_CW_FIELD_STRING: return "a string";
    case LSN_CW_FIELD_BOOL: return "a boolean";
    case LSN_CW_FIELD_DATETIME: return "a date";
    case LSN_CW_FIELD_OBJECT: return "a reference";
    case LSN_CW_FIELD_ARRAY: return "a list";
    case LSN_CW_FIELD_ANY: return "a custom value";
    case LSN_CW_FIELD_UNKNOWN:
    default: return "unknown";
    }
}

static gboolean
value_fits (LsnCwFieldType type,
            ValueKind      kind)
{
  if (kind == VALUE_NULL || type == LSN_CW_FIELD_ANY)
    return TRUE;

  switch (type)
    {
    case LSN_CW_FIELD_INT:
    case LSN_CW_FIELD_NUMBER:
      return kind == VALUE_NUMBER;
    case LSN_CW_FIELD_STRING:
      return kind == VALUE_STRING;
    case LSN_CW_FIELD_BOOL:
      return kind == VALUE_BOOL;
    case LSN_CW_FIELD_DATETIME:
      return kind == VALUE_DATE;
    case LSN_CW_FIELD_UNKNOWN:
    case LSN_CW_FIELD_OBJECT:
    case LSN_CW_FIELD_ARRAY:
    case LSN_CW_FIELD_ANY:
    default:
      return FALSE;
    }
}

static gboolean
bind_walk (LsnCwCondition      *node,
           LsnCwFieldResolver   resolver,
           gpointer             user_data,
           GError             **error)
{
  g_autofree char *canonical = NULL;

  if (node == NULL)
    return TRUE;
  if (node->kind != NODE_CMP)
    return bind_walk (node->left, resolver, user_data, error)
           && bind_walk (node->right, resolver, user_data, error);

  node->type = resolver (node->path, &canonical, user_data);
  if (node->type == LSN_CW_FIELD_UNKNOWN)
    {
      g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                   "Unknown field '%s' at position %u", node->path, node->pos);
      return FALSE;
    }
  if (node->type == LSN_CW_FIELD_OBJECT || node->type == LSN_CW_FIELD_ARRAY)
    {
      g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                   "'%s' at position %u is %s: compare one of its fields, such as %s/id%s",
                   node->path, node->pos, type_name (node->type), node->path,
                   node->type == LSN_CW_FIELD_ARRAY ? ", in childConditions" : "");
      return FALSE;
    }

  g_free (node->lookup);
  node->lookup = canonical ? g_steal_pointer (&canonical) : g_strdup (node->path);

  switch (node->op)
    {
    case OP_CONTAINS:
    case OP_LIKE:
      if (node->type != LSN_CW_FIELD_STRING && node->type != LSN_CW_FIELD_ANY)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                       "'%s' cannot be used on '%s' at position %u, which is %s",
                       op_name (node->op), node->path, node->pos, type_name (node->type));
          return FALSE;
        }
      break;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
      if (node->type == LSN_CW_FIELD_BOOL)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                       "'%s' cannot be used on '%s' at position %u, which is a boolean",
                       op_name (node->op), node->path, node->pos);
          return FALSE;
        }
      break;
    case OP_EQ:
    case OP_NE:
    case OP_IN:
    default:
      break;
    }

  for (guint i = 0; i < node->values->len; i++)
    {
      const Value *value = &g_array_index (node->values, Value, i);

      if (value->kind == VALUE_NULL && node->op != OP_EQ && node->op != OP_NE)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                       "null can only be compared with = or != ('%s' at position %u)",
                       node->path, node->pos);
          return FALSE;
        }
      if (!value_fits (node->type, value->kind))
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                       "'%s' at position %u is %s; the value does not fit it%s",
                       node->path, node->pos, type_name (node->type),
                       node->type == LSN_CW_FIELD_DATETIME ? " (write dates as [2024-01-31T00:00:00Z])"
                       : node->type == LSN_CW_FIELD_STRING ? " (write strings in double quotes)" : "");
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * lsn_cw_condition_bind:
 * @condition: parsed conditions
 * @resolver: tells the type (and the place) of each field
 * @user_data: closure for @resolver
 * @error: a %LSN_CW_QUERY_ERROR_FIELD or %LSN_CW_QUERY_ERROR_TYPE error
 *
 * Checks every field name against the resource, and every value and operator against the
 * field's type. Must succeed before lsn_cw_condition_matches() is called.
 *
 * Returns: whether the conditions fit the resource
 */
gboolean
lsn_cw_condition_bind (LsnCwCondition      *condition,
                       LsnCwFieldResolver   resolver,
                       gpointer             user_data,
                       GError             **error)
{
  return bind_walk (condition, resolver, user_data, error);
}

/**
 * lsn_cw_json_lookup:
 * @record: a record
 * @path: a path such as `company/id`
 *
 * Returns: (transfer none) (nullable): the node at @path, %NULL when absent or null
 */
JsonNode *
lsn_cw_json_lookup (JsonObject *record,
                    const char *path)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  JsonObject *object = record;
  JsonNode *node = NULL;

  for (guint i = 0; segments[i]; i++)
    {
      if (object == NULL || !json_object_has_member (object, segments[i]))
        return NULL;
      node = json_object_get_member (object, segments[i]);
      if (segments[i + 1] == NULL)
        break;
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

/* `*` and `%` match any run of characters; both strings are casefolded. */
static gboolean
like_match (const char *pattern,
            const char *text)
{
  while (*pattern)
    {
      if (*pattern == '*' || *pattern == '%')
        {
          while (*pattern == '*' || *pattern == '%')
            pattern++;
          if (*pattern == '\0')
            return TRUE;
          for (const char *t = text; *t; t++)
            if (like_match (pattern, t))
              return TRUE;
          return FALSE;
        }
      if (*text != *pattern)
        return FALSE;
      pattern++;
      text++;
    }

  return *text == '\0';
}

static int
compare_numbers (double a,
                 double b)
{
  return a < b ? -1 : a > b ? 1 : 0;
}

/* Whether one value satisfies the comparison; values of another kind than the record's never
 * do (only a custom field's value can differ in kind from the query's). */
static gboolean
compare_one (const LsnCwCondition *node,
             JsonNode             *field,
             const Value          *value)
{
  int cmp = 0;
  GType gtype;

  if (value->kind == VALUE_NULL)
    return node->op == OP_EQ ? field == NULL : field != NULL;
  if (field == NULL || !JSON_NODE_HOLDS_VALUE (field))
    return FALSE;

  gtype = json_node_get_value_type (field);

  switch (value->kind)
    {
    case VALUE_NUMBER:
      if (gtype == G_TYPE_INT64)
        cmp = compare_numbers ((double) json_node_get_int (field), value->number);
      else if (gtype == G_TYPE_DOUBLE)
        cmp = compare_numbers (json_node_get_double (field), value->number);
      else if (gtype == G_TYPE_STRING && node->type == LSN_CW_FIELD_ANY)
        {
          const char *s = json_node_get_string (field);
          char *end = NULL;
          double d = g_ascii_strtod (s, &end);

          if (end == s || *end != '\0')
            return FALSE;
          cmp = compare_numbers (d, value->number);
        }
      else
        return FALSE;
      break;

    case VALUE_BOOL:
      if (gtype != G_TYPE_BOOLEAN)
        return FALSE;
      cmp = (json_node_get_boolean (field) ? 1 : 0) - (value->boolean ? 1 : 0);
      break;

    case VALUE_DATE:
      {
        gint64 usec;

        if (gtype != G_TYPE_STRING || !lsn_cw_parse_datetime (json_node_get_string (field), &usec))
          return FALSE;
        cmp = usec < value->usec ? -1 : usec > value->usec ? 1 : 0;
      }
      break;

    case VALUE_STRING:
      {
        g_autofree char *folded = NULL;

        if (gtype != G_TYPE_STRING)
          return FALSE;
        folded = g_utf8_casefold (json_node_get_string (field), -1);
        if (node->op == OP_CONTAINS)
          return strstr (folded, value->string) != NULL;
        if (node->op == OP_LIKE)
          return like_match (value->string, folded);
        cmp = strcmp (folded, value->string);
      }
      break;

    case VALUE_NULL:
    default:
      return FALSE;
    }

  switch (node->op)
    {
    case OP_EQ:
    case OP_IN:
    case OP_LIKE:
      return cmp == 0;
    case OP_NE: return cmp != 0;
    case OP_LT: return cmp < 0;
    case OP_LE: return cmp <= 0;
    case OP_GT: return cmp > 0;
    case OP_GE: return cmp >= 0;
    case OP_CONTAINS:
    default:
      return FALSE;
    }
}

/**
 * lsn_cw_condition_matches:
 * @condition: bound conditions
 * @record: a record
 *
 * Returns: whether @record satisfies @condition
 */
gboolean
lsn_cw_condition_matches (const LsnCwCondition *condition,
                          JsonObject           *record)
{
  JsonNode *field;
  gboolean result = FALSE;

  switch (condition->kind)
    {
    case NODE_AND:
      return lsn_cw_condition_matches (condition->left, record)
             && lsn_cw_condition_matches (condition->right, record);
    case NODE_OR:
      return lsn_cw_condition_matches (condition->left, record)
             || lsn_cw_condition_matches (condition->right, record);
    case NODE_NOT:
      return !lsn_cw_condition_matches (condition->left, record);
    case NODE_CMP:
    default:
      break;
    }

  g_return_val_if_fail (condition->lookup != NULL, FALSE);

  field = lsn_cw_json_lookup (record, condition->lookup);

  /* SQL: a null field satisfies nothing but `= null` / `!= null`, not even a negated operator. */
  if (field == NULL && g_array_index (condition->values, Value, 0).kind != VALUE_NULL)
    return FALSE;

  for (guint i = 0; i < condition->values->len && !result; i++)
    result = compare_one (condition, field, &g_array_index (condition->values, Value, i));

  return condition->negate ? !result : result;
}
