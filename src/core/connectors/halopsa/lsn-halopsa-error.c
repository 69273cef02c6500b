/* lsn-halopsa-error.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-halopsa"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "lsn-halopsa-error.h"

/* Halo's error bodies (reference/halopsa-api.md §8), tried in this order:
 * - a bare JSON string: "Record not found"
 * - a serialized .NET exception: {"ClassName": "System.Exception", "Message": "Password is mandatory", ...}
 * - {"resultCode": ..., "errorMessage": "..."} and {"Message": "..."} / {"message": "..."}
 * - OAuth errors: {"error": "invalid_client", "error_description": "..."}
 * - model binding: {"id": ["The value 'probe' is not valid."], "[0].outcome_id": ["..."]}
 * - plain text ("Rate Limit Reached - 300 Requests per rolling 5 minute window")
 */

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  if (json_node_get_string (node) == NULL || *json_node_get_string (node) == '\0')
    return NULL;
  return json_node_get_string (node);
}

static char *
model_binding_message (JsonObject *object)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      JsonArray *messages;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        continue;
      messages = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *m = json_array_get_element (messages, i);

          if (json_node_get_value_type (m) != G_TYPE_STRING)
            continue;
          if (text->len > 0)
            g_string_append (text, "; ");
          g_string_append_printf (text, "%s: %s", (const char *) l->data, json_node_get_string (m));
        }
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/**
 * lsn_halopsa_error_message:
 * @status: the HTTP status
 * @body: (nullable): the error body
 * @user_data: unused
 *
 * An #LsnHttpErrorFunc for Halo.
 *
 * Returns: (transfer full) (nullable): Halo's own message, verbatim
 */
char *
lsn_halopsa_error_message (guint     status,
                           GBytes   *body,
                           gpointer  user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  const char *data;
  gsize len = 0;
  JsonNode *root;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (data == NULL || len == 0 || memchr (data, '\0', len) != NULL
      || !g_utf8_validate_len (data, len, NULL))
    return NULL;

  text = g_strstrip (g_strndup (data, len));
  if (*text == '\0')
    return NULL;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL)
    {
      /* Not JSON: an HTML error page says nothing useful; short plain text does. */
      if (text[0] == '<')
        return NULL;
      return g_steal_pointer (&text);
    }

  if (json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      const char *message;
      const char *error;

      if ((message = string_member (object, "errorMessage"))
          || (message = string_member (object, "Message"))
          || (message = string_member (object, "message")))
        return g_strdup (message);

      if ((error = string_member (object, "error")))
        {
          const char *description = string_member (object, "error_description");

          if (description != NULL)
            return g_strdup_printf ("%s: %s", error, description);
          return g_strdup (error);
        }

      return model_binding_message (object);
    }

  return NULL;
}
