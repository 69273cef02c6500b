/* lsn-connectwise-query.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connectwise"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lsn-connectwise-query.h"

/**
 * lsn_connectwise_quote_string:
 * @value: any text
 *
 * Writes @value as a `conditions` string literal: in double quotes, with `\` and `"` escaped by a
 * backslash so that the value can never end the literal early.
 *
 * Returns: (transfer full): the literal, quotes included
 */
char *
lsn_connectwise_quote_string (const char *value)
{
  GString *out = g_string_new ("\"");

  for (const char *p = value ? value : ""; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/**
 * lsn_connectwise_format_datetime:
 * @usec: microseconds since the epoch
 *
 * Returns: (transfer full): the `conditions` datetime literal, `[yyyy-MM-ddTHH:mm:ssZ]` in UTC,
 *   rounded down to the second
 */
char *
lsn_connectwise_format_datetime (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 seconds = usec >= 0 ? usec / G_USEC_PER_SEC : -((-usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  dt = g_date_time_new_from_unix_utc (seconds);
  if (dt == NULL)
    dt = g_date_time_new_from_unix_utc (0);
  return g_date_time_format (dt, "[%Y-%m-%dT%H:%M:%SZ]");
}

/**
 * lsn_connectwise_parse_datetime:
 * @text: (nullable): an ISO 8601 date-time as ConnectWise writes it (`2018-05-17T00:00:00Z`),
 *   with or without fraction or offset; a bare date counts as midnight UTC
 * @usec: (out): microseconds since the epoch
 *
 * Returns: %TRUE when @text is a date-time
 */
gboolean
lsn_connectwise_parse_datetime (const char *text,
                                gint64     *usec)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;

  if (strlen (text) == 10)
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (full, utc);
    }
  else
    dt = g_date_time_new_from_iso8601 (text, utc);

  if (dt == NULL)
    return FALSE;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/**
 * lsn_connectwise_is_field_path:
 * @field: (nullable): a field name such as `name` or `company/id`
 *
 * Field names go into conditions unquoted, so only letters, digits, `_` and `/` are allowed.
 *
 * Returns: %TRUE when @field is safe to write into conditions
 */
gboolean
lsn_connectwise_is_field_path (const char *field)
{
  gsize len;

  if (field == NULL || (!g_ascii_isalpha (*field) && *field != '_'))
    return FALSE;

  for (const char *p = field; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '/')
      return FALSE;

  len = strlen (field);
  return field[len - 1] != '/' && strstr (field, "//") == NULL;
}

static void
append_clause (GString    *conditions,
               const char *clause)
{
  if (conditions->len > 0)
    g_string_append (conditions, " and ");
  g_string_append (conditions, clause);
}

/**
 * lsn_connectwise_conditions_add_string:
 * @conditions: the conditions built so far (clauses are joined with `and`)
 * @field: a field path, see lsn_connectwise_is_field_path()
 * @op: `=`, `!=`, `<`, `<=`, `>`, `>=`, `contains`, `like` or `not like`
 * @value: the value, quoted and escaped here
 */
void
lsn_connectwise_conditions_add_string (GString    *conditions,
                                       const char *field,
                                       const char *op,
                                       const char *value)
{
  g_autofree char *quoted = lsn_connectwise_quote_string (value);
  g_autofree char *clause = NULL;

  g_return_if_fail (lsn_connectwise_is_field_path (field));

  clause = g_strdup_printf ("%s %s %s", field, op, quoted);
  append_clause (conditions, clause);
}

void
lsn_connectwise_conditions_add_int (GString    *conditions,
                                    const char *field,
                                    const char *op,
                                    gint64      value)
{
  g_autofree char *clause = NULL;

  g_return_if_fail (lsn_connectwise_is_field_path (field));

  clause = g_strdup_printf ("%s %s %" G_GINT64_FORMAT, field, op, value);
  append_clause (conditions, clause);
}

void
lsn_connectwise_conditions_add_bool (GString    *conditions,
                                     const char *field,
                                     gboolean    value)
{
  g_autofree char *clause = NULL;

  g_return_if_fail (lsn_connectwise_is_field_path (field));

  clause = g_strdup_printf ("%s = %s", field, value ? "True" : "False");
  append_clause (conditions, clause);
}

void
lsn_connectwise_conditions_add_datetime (GString    *conditions,
                                         const char *field,
                                         const char *op,
                                         gint64      usec)
{
  g_autofree char *literal = lsn_connectwise_format_datetime (usec);
  g_autofree char *clause = NULL;

  g_return_if_fail (lsn_connectwise_is_field_path (field));

  clause = g_strdup_printf ("%s %s %s", field, op, literal);
  append_clause (conditions, clause);
}

/**
 * lsn_connectwise_conditions_add_group:
 * @group: conditions of their own (for example two clauses joined with `or`); they are put in
 *   parentheses so that `and` and `or` keep their meaning
 */
void
lsn_connectwise_conditions_add_group (GString    *conditions,
                                      const char *group)
{
  g_autofree char *clause = g_strdup_printf ("(%s)", group);

  append_clause (conditions, clause);
}

static void
append_param (GString    *out,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (out, strchr (out->str, '?') ? '&' : '?');
  g_string_append (out, name);
  g_string_append_c (out, '=');
  g_string_append (out, escaped);
}

/**
 * lsn_connectwise_build_path:
 * @path: the resource path, for example `/v2025_1/apis/3.0/company/companies`
 * @query: (nullable): the parameters
 *
 * Every value is percent-encoded, so `&`, `"`, `'`, `*`, `%` and `+` in conditions reach the
 * server as written.
 *
 * Returns: (transfer full): @path with its query string
 */
char *
lsn_connectwise_build_path (const char                *path,
                            const LsnConnectwiseQuery *query)
{
  GString *out = g_string_new (path);

  if (query == NULL)
    return g_string_free (out, FALSE);

  if (query->conditions != NULL && *query->conditions != '\0')
    append_param (out, "conditions", query->conditions);
  if (query->order_by != NULL && *query->order_by != '\0')
    append_param (out, "orderBy", query->order_by);
  if (query->fields != NULL && *query->fields != '\0')
    append_param (out, "fields", query->fields);
  if (query->page > 0)
    {
      g_autofree char *v = g_strdup_printf ("%u", query->page);
      append_param (out, "page", v);
    }
  if (query->page_size > 0)
    {
      g_autofree char *v = g_strdup_printf ("%u", query->page_size);
      append_param (out, "pageSize", v);
    }
  if (query->page_id > 0)
    {
      g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, query->page_id);
      append_param (out, "pageId", v);
    }

  return g_string_free (out, FALSE);
}

/**
 * lsn_connectwise_link_find:
 * @link_header: (nullable): the value of a `Link` header (RFC 5988)
 * @rel: the relation wanted: `next`, `prev`, `first` or `last`
 *
 * Returns: (transfer full) (nullable): the target URL of the first link with relation @rel
 */
char *
lsn_connectwise_link_find (const char *link_header,
                           const char *rel)
{
  const char *p = link_header;

  if (p == NULL)
    return NULL;

  while (*p)
    {
      const char *url_start;
      const char *url_end;
      gboolean matches = FALSE;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p != '<')
        return NULL;
      url_start = p + 1;
      url_end = strchr (url_start, '>');
      if (url_end == NULL)
        return NULL;
      p = url_end + 1;

      /* Parameters: ; name=value or ; name="value", up to the next comma. */
      while (*p)
        {
          const char *name_start;
          g_autofree char *name = NULL;
          g_autofree char *value = NULL;

          while (*p == ' ' || *p == '\t')
            p++;
          if (*p != ';')
            break;
          p++;
          while (*p == ' ' || *p == '\t')
            p++;
          name_start = p;
          while (*p && *p != '=' && *p != ';' && *p != ',')
            p++;
          name = g_strstrip (g_strndup (name_start, p - name_start));
          if (*p != '=')
            continue;
          p++;
          while (*p == ' ' || *p == '\t')
            p++;
          if (*p == '"')
            {
              const char *v = ++p;
              while (*p && *p != '"')
                p++;
              value = g_strndup (v, p - v);
              if (*p == '"')
                p++;
            }
          else
            {
              const char *v = p;
              while (*p && *p != ';' && *p != ',' && *p != ' ')
                p++;
              value = g_strndup (v, p - v);
            }

          if (g_ascii_strcasecmp (name, "rel") == 0)
            {
              /* rel may hold several space-separated relations */
              g_auto(GStrv) rels = g_strsplit (value, " ", -1);
              for (guint i = 0; rels[i]; i++)
                if (g_ascii_strcasecmp (rels[i], rel) == 0)
                  matches = TRUE;
            }
        }

      if (matches)
        return g_strndup (url_start, url_end - url_start);

      while (*p && *p != ',')
        p++;
    }

  return NULL;
}

/**
 * lsn_connectwise_url_get_param:
 * @url: (nullable): an absolute or relative URL
 * @name: a query parameter name (matched without regard to case)
 *
 * Returns: (transfer full) (nullable): the decoded value of @name
 */
char *
lsn_connectwise_url_get_param (const char *url,
                               const char *name)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *query = NULL;
  const char *q;
  const char *hash;
  GHashTableIter iter;
  gpointer key, value;

  if (url == NULL || (q = strchr (url, '?')) == NULL)
    return NULL;

  hash = strchr (q, '#');
  query = hash ? g_strndup (q + 1, hash - q - 1) : g_strdup (q + 1);
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_ascii_strcasecmp (key, name) == 0)
      return g_strdup (value);

  return NULL;
}

/**
 * lsn_connectwise_parse_id:
 * @text: (nullable): a record id as text
 * @id: (out): the id
 *
 * ConnectWise ids are positive 32-bit integers; anything else (signs, spaces, letters) is
 * refused, so an id can be put into a path without escaping.
 *
 * Returns: %TRUE when @text is an id
 */
gboolean
lsn_connectwise_parse_id (const char *text,
                          gint64     *id)
{
  guint64 value = 0;

  if (text == NULL || *text == '\0' || strlen (text) > 10)
    return FALSE;

  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (*p - '0');
    }

  if (value == 0 || value > G_MAXINT32)
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

static void
append_text (GString    *out,
             const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append (out, g_strstrip (valid));
}

static const char *
member_string (JsonObject *obj,
               const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * lsn_connectwise_error_message:
 * @body: (nullable): an error response body
 * @length: its length
 *
 * Turns ConnectWise's error body (`{"code", "message", "errors": [{code, message, resource,
 * field}]}`, the 429 form with `error` instead of `code`, or plain text such as "Cannot route.
 * Codebase/company is invalid") into one line that quotes the server's message and every field
 * it names: `company object is invalid (InvalidObject); field identifier: The identifier is in
 * use (ObjectExists)`. The HTTP client puts it in quotes after the request and the status.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL when the body says nothing
 */
char *
lsn_connectwise_error_message (const char *body,
                               gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *text = NULL;
  JsonNode *root;

  if (body == NULL || length == 0)
    return NULL;

  text = g_strndup (body, length);
  if (json_parser_load_from_data (parser, text, -1, NULL)
      && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *obj = json_node_get_object (root);
      const char *message = member_string (obj, "message");
      const char *code = member_string (obj, "code");
      JsonNode *errors = json_object_get_member (obj, "errors");

      if (code == NULL)
        code = member_string (obj, "error");
      if (message == NULL)
        message = member_string (obj, "Message");

      if (message != NULL)
        append_text (out, message);
      if (code != NULL)
        g_string_append_printf (out, "%s(%s)", out->len ? " " : "", code);

      if (errors != NULL && JSON_NODE_HOLDS_ARRAY (errors))
        {
          JsonArray *array = json_node_get_array (errors);

          for (guint i = 0; i < json_array_get_length (array) && i < 10; i++)
            {
              JsonNode *node = json_array_get_element (array, i);
              JsonObject *e;
              const char *field, *emsg, *ecode;

              if (!JSON_NODE_HOLDS_OBJECT (node))
                continue;
              e = json_node_get_object (node);
              field = member_string (e, "field");
              emsg = member_string (e, "message");
              ecode = member_string (e, "code");

              g_string_append (out, out->len ? "; " : "");
              if (field != NULL && *field != '\0')
                g_string_append_printf (out, "field %s: ", field);
              if (emsg != NULL)
                append_text (out, emsg);
              if (ecode != NULL)
                g_string_append_printf (out, " (%s)", ecode);
            }
        }

      if (out->len == 0)
        return NULL;
      return g_string_free (g_steal_pointer (&out), FALSE);
    }

  /* Plain text (or HTML from a proxy): quote its start. */
  g_strstrip (text);
  if (*text == '\0')
    return NULL;
  if (g_utf8_strlen (text, -1) > 300)
    {
      char *end = g_utf8_offset_to_pointer (text, 300);
      *end = '\0';
      append_text (out, text);
      g_string_append (out, "…");
    }
  else
    append_text (out, text);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
