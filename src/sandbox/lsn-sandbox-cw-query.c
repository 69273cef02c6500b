/* lsn-sandbox-cw-query.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The other query parameters of ConnectWise Manage: `orderBy` (`name asc, id desc`), `fields`
 * (a partial response, nested paths with `/`), and the JSON Patch body of PATCH
 * (reference/connectwise-api.md §3, §4).
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-cw-query.h"

typedef struct
{
  char           *lookup;
  LsnCwFieldType  type;
  gboolean        descending;
} OrderKey;

struct _LsnCwOrder
{
  GArray *keys; /* of OrderKey */
};

static void
order_key_clear (gpointer data)
{
  OrderKey *key = data;

  g_free (key->lookup);
}

void
lsn_cw_order_free (LsnCwOrder *order)
{
  if (order == NULL)
    return;

  g_clear_pointer (&order->keys, g_array_unref);
  g_free (order);
}

static gboolean
valid_path (const char *path)
{
  gboolean start = TRUE;

  if (*path == '\0')
    return FALSE;

  for (const char *p = path; *p; p++)
    {
      if (*p == '/')
        {
          if (start)
            return FALSE;
          start = TRUE;
          continue;
        }
      if (!(g_ascii_isalnum (*p) || *p == '_') || (start && g_ascii_isdigit (*p)))
        return FALSE;
      start = FALSE;
    }

  return !start;
}

/**
 * lsn_cw_order_parse:
 * @text: an `orderBy` value such as `name asc, id desc`
 * @resolver: tells the type and place of each field
 * @user_data: closure for @resolver
 * @error: a #LsnCwQueryError
 *
 * Returns: (transfer full) (nullable): the sort order; records that tie are ordered by id
 */
LsnCwOrder *
lsn_cw_order_parse (const char          *text,
                    LsnCwFieldResolver   resolver,
                    gpointer             user_data,
                    GError             **error)
{
  g_autoptr(LsnCwOrder) order = g_new0 (LsnCwOrder, 1);
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  order->keys = g_array_new (FALSE, TRUE, sizeof (OrderKey));
  g_array_set_clear_func (order->keys, order_key_clear);

  for (guint i = 0; parts[i]; i++)
    {
      g_auto(GStrv) words = NULL;
      g_autofree char *canonical = NULL;
      OrderKey key = { 0 };
      guint n;

      g_strstrip (parts[i]);
      words = g_strsplit_set (parts[i], " \t", -1);
      n = 0;
      for (guint j = 0; words[j]; j++)
        if (*words[j] != '\0')
          words[n++] = words[j];
        else
          g_free (words[j]);
      words[n] = NULL;

      if (n == 0 || n > 2 || !valid_path (words[0]))
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "orderBy must be a list of 'field asc' or 'field desc', found '%s'", parts[i]);
          return NULL;
        }
      if (n == 2)
        {
          if (g_ascii_strcasecmp (words[1], "desc") == 0)
            key.descending = TRUE;
          else if (g_ascii_strcasecmp (words[1], "asc") != 0)
            {
              g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "orderBy direction must be asc or desc, found '%s'", words[1]);
              return NULL;
            }
        }

      key.type = resolver (words[0], &canonical, user_data);
      if (key.type == LSN_CW_FIELD_UNKNOWN)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                       "Unknown field '%s' in orderBy", words[0]);
          return NULL;
        }
      if (key.type == LSN_CW_FIELD_OBJECT || key.type == LSN_CW_FIELD_ARRAY
          || key.type == LSN_CW_FIELD_ANY)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_TYPE,
                       "Cannot order by '%s': order by one of its fields, such as %s/name",
                       words[0], words[0]);
          return NULL;
        }
      key.lookup = canonical ? g_steal_pointer (&canonical) : g_strdup (words[0]);
      g_array_append_val (order->keys, key);
    }

  return g_steal_pointer (&order);
}

static int
compare_nodes (JsonNode       *a,
               JsonNode       *b,
               LsnCwFieldType  type)
{
  /* Nulls first, as SQL Server sorts them. */
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  if (!JSON_NODE_HOLDS_VALUE (a) || !JSON_NODE_HOLDS_VALUE (b))
    return 0;

  switch (type)
    {
    case LSN_CW_FIELD_INT:
    case LSN_CW_FIELD_NUMBER:
      {
        double x = json_node_get_value_type (a) == G_TYPE_INT64 ? (double) json_node_get_int (a) : json_node_get_double (a);
        double y = json_node_get_value_type (b) == G_TYPE_INT64 ? (double) json_node_get_int (b) : json_node_get_double (b);

        return x < y ? -1 : x > y ? 1 : 0;
      }
    case LSN_CW_FIELD_BOOL:
      return (int) json_node_get_boolean (a) - (int) json_node_get_boolean (b);
    case LSN_CW_FIELD_DATETIME:
      {
        gint64 x = 0, y = 0;

        lsn_cw_parse_datetime (json_node_get_string (a), &x);
        lsn_cw_parse_datetime (json_node_get_string (b), &y);
        return x < y ? -1 : x > y ? 1 : 0;
      }
    case LSN_CW_FIELD_STRING:
      {
        g_autofree char *x = g_utf8_casefold (json_node_get_string (a), -1);
        g_autofree char *y = g_utf8_casefold (json_node_get_string (b), -1);

        return strcmp (x, y);
      }
    case LSN_CW_FIELD_UNKNOWN:
    case LSN_CW_FIELD_OBJECT:
    case LSN_CW_FIELD_ARRAY:
    case LSN_CW_FIELD_ANY:
    default:
      return 0;
    }
}

/**
 * lsn_cw_order_compare:
 * @order: (nullable): a sort order, %NULL for by id
 * @a: a record
 * @b: another record
 *
 * Returns: <0, 0 or >0 as @a sorts before, with or after @b
 */
int
lsn_cw_order_compare (const LsnCwOrder *order,
                      JsonObject       *a,
                      JsonObject       *b)
{
  for (guint i = 0; order && i < order->keys->len; i++)
    {
      const OrderKey *key = &g_array_index (order->keys, OrderKey, i);
      int cmp = compare_nodes (lsn_cw_json_lookup (a, key->lookup),
                               lsn_cw_json_lookup (b, key->lookup), key->type);

      if (cmp != 0)
        return key->descending ? -cmp : cmp;
    }

  return compare_nodes (lsn_cw_json_lookup (a, "id"), lsn_cw_json_lookup (b, "id"), LSN_CW_FIELD_INT);
}

/**
 * lsn_cw_fields_parse:
 * @text: a `fields` value such as `id,name,status/id`
 * @resolver: tells whether each field exists and where it lives
 * @user_data: closure for @resolver
 * @error: a #LsnCwQueryError
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the paths to keep
 */
GPtrArray *
lsn_cw_fields_parse (const char          *text,
                     LsnCwFieldResolver   resolver,
                     gpointer             user_data,
                     GError             **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i]; i++)
    {
      g_autofree char *canonical = NULL;
      const char *path = g_strstrip (parts[i]);

      if (!valid_path (path))
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "fields must be a comma-separated list of field names, found '%s'", path);
          return NULL;
        }
      if (resolver (path, &canonical, user_data) == LSN_CW_FIELD_UNKNOWN)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                       "Unknown field '%s' in fields", path);
          return NULL;
        }
      g_ptr_array_add (fields, canonical ? g_steal_pointer (&canonical) : g_strdup (path));
    }

  return g_steal_pointer (&fields);
}

/**
 * lsn_cw_fields_project:
 * @record: a record
 * @fields: (element-type utf8): paths from lsn_cw_fields_parse()
 *
 * Returns: (transfer full): a copy of @record with only @fields, nested as in @record
 */
JsonObject *
lsn_cw_fields_project (JsonObject *record,
                       GPtrArray  *fields)
{
  JsonObject *result = json_object_new ();

  for (guint i = 0; i < fields->len; i++)
    {
      g_auto(GStrv) segments = g_strsplit (g_ptr_array_index (fields, i), "/", -1);
      JsonObject *source = record;
      JsonObject *target = result;

      for (guint j = 0; segments[j] && source; j++)
        {
          JsonNode *node;

          if (!json_object_has_member (source, segments[j]))
            break;
          node = json_object_get_member (source, segments[j]);
          if (segments[j + 1] == NULL || !JSON_NODE_HOLDS_OBJECT (node))
            {
              if (segments[j + 1] == NULL)
                json_object_set_member (target, segments[j], json_node_copy (node));
              break;
            }
          if (!json_object_has_member (target, segments[j]))
            json_object_set_object_member (target, segments[j], json_object_new ());
          target = json_object_get_object_member (target, segments[j]);
          source = json_node_get_object (node);
        }
    }

  return result;
}

/**
 * lsn_cw_patch_apply:
 * @record: the record to change in place
 * @operations: the PATCH body
 * @error: a %LSN_CW_QUERY_ERROR_SYNTAX error
 *
 * Applies a JSON Patch list of `{op, path, value}` with `op` one of `replace`, `add`,
 * `remove`. Paths may start with `/` or not (both forms are in use). A path names a top-level
 * field: references and lists are replaced whole, as the Developer Guide asks; patching
 * `company/identifier` "may return a false 200" on a real server, the sandbox refuses it
 * (the stricter choice). `id` and `_info` cannot be changed. Nothing is changed when an
 * operation is refused.
 *
 * Returns: whether every operation applied
 */
gboolean
lsn_cw_patch_apply (JsonObject  *record,
                    JsonNode    *operations,
                    GError     **error)
{
  g_autoptr(JsonObject) work = NULL;
  JsonArray *array;
  GList *members;

  if (operations == NULL || !JSON_NODE_HOLDS_ARRAY (operations))
    {
      g_set_error_literal (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "The PATCH body must be a JSON array of {\"op\", \"path\", \"value\"} operations");
      return FALSE;
    }

  work = json_object_new ();
  members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    json_object_set_member (work, l->data, json_node_copy (json_object_get_member (record, l->data)));
  g_list_free (members);

  array = json_node_get_array (operations);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *op_object;
      const char *op;
      const char *path;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "Patch operation %u is not an object", i + 1);
          return FALSE;
        }
      op_object = json_node_get_object (element);
      op = json_object_get_string_member_with_default (op_object, "op", NULL);
      path = json_object_get_string_member_with_default (op_object, "path", NULL);
      if (op == NULL || path == NULL)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "Patch operation %u needs string members \"op\" and \"path\"", i + 1);
          return FALSE;
        }
      if (*path == '/')
        path++;
      if (*path == '\0' || strchr (path, '/') != NULL)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "Patch path '%s' must name a top-level field; replace references and lists whole "
                       "(e.g. {\"op\": \"replace\", \"path\": \"company\", \"value\": {\"id\": 2}})",
                       json_object_get_string_member (op_object, "path"));
          return FALSE;
        }
      if (g_strcmp0 (path, "id") == 0 || g_strcmp0 (path, "_info") == 0)
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_FIELD,
                       "The field '%s' is read-only", path);
          return FALSE;
        }

      if (g_str_equal (op, "replace") || g_str_equal (op, "add"))
        {
          if (!json_object_has_member (op_object, "value"))
            {
              g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                           "Patch operation %u (%s %s) has no \"value\"", i + 1, op, path);
              return FALSE;
            }
          json_object_set_member (work, path, json_node_copy (json_object_get_member (op_object, "value")));
        }
      else if (g_str_equal (op, "remove"))
        json_object_remove_member (work, path);
      else
        {
          g_set_error (error, LSN_CW_QUERY_ERROR, LSN_CW_QUERY_ERROR_SYNTAX,
                       "Unsupported patch op '%s' (use replace, add or remove)", op);
          return FALSE;
        }
    }

  members = json_object_get_members (record);
  for (GList *l = members; l; l = l->next)
    json_object_remove_member (record, l->data);
  g_list_free (members);
  members = json_object_get_members (work);
  for (GList *l = members; l; l = l->next)
    json_object_set_member (record, l->data, json_node_copy (json_object_get_member (work, l->data)));
  g_list_free (members);

  return TRUE;
}
