/* lsn-sandbox-config.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run-time control format shared by the simulated servers (POST /_sandbox/config).
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "lsn-sandbox-config.h"
#include "lsn-sandbox-limiter.h"

static void
fail_next_clear (gpointer data)
{
  LsnSandboxFailNext *f = data;

  g_clear_pointer (&f->route, g_free);
}

static gboolean
get_number (JsonObject  *obj,
            const char  *name,
            double      *value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  GType type;

  type = json_node_get_value_type (node);
  if (JSON_NODE_HOLDS_VALUE (node) && (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE))
    {
      *value = json_node_get_double (node);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” must be a number", name);
  return FALSE;
}

static gboolean
get_uint (JsonObject  *obj,
          const char  *name,
          guint       *value,
          GError     **error)
{
  double d = 0;

  if (!get_number (obj, name, &d, error))
    return FALSE;

  if (d < 0 || d > G_MAXUINT32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is out of range", name);
      return FALSE;
    }

  *value = (guint) d;
  return TRUE;
}

static gboolean
parse_fail_next (LsnSandboxConfig  *config,
                 JsonNode          *node,
                 GError           **error)
{
  JsonObject *obj;
  LsnSandboxFailNext f = { 1, LSN_SANDBOX_FAULT_NONE, NULL };
  const char *kind;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "“fail_next” must be an object {\"count\", \"kind\", \"route\"} or an array of them");
      return FALSE;
    }

  obj = json_node_get_object (node);
  if (json_object_has_member (obj, "count") && !get_uint (obj, "count", &f.count, error))
    return FALSE;

  kind = json_object_get_string_member_with_default (obj, "kind", NULL);
  f.kind = lsn_sandbox_fault_kind_from_string (kind);
  if (f.kind == LSN_SANDBOX_FAULT_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Unknown fault kind “%s”: use 429, 500, stall, drop or truncate", kind ? kind : "");
      return FALSE;
    }

  if (json_object_has_member (obj, "route"))
    {
      JsonNode *route = json_object_get_member (obj, "route");

      if (JSON_NODE_HOLDS_VALUE (route) && json_node_get_value_type (route) == G_TYPE_STRING)
        f.route = g_strdup (json_node_get_string (route));
      else if (!JSON_NODE_HOLDS_NULL (route))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "“route” must be a string such as \"POST /api/Client\"");
          return FALSE;
        }
    }

  if (config->fail_next == NULL)
    {
      config->fail_next = g_array_new (FALSE, TRUE, sizeof (LsnSandboxFailNext));
      g_array_set_clear_func (config->fail_next, fail_next_clear);
    }
  g_array_append_val (config->fail_next, f);
  return TRUE;
}

/**
 * lsn_sandbox_config_parse:
 * @config: (out caller-allocates): the parsed change; clear it with lsn_sandbox_config_clear()
 * @json: the JSON text
 * @length: its length, or -1 if nul-terminated
 *
 * Unknown members are an error, so that a typo in a test does not go unnoticed.
 *
 * Returns: %TRUE when @json is a valid change
 */
gboolean
lsn_sandbox_config_parse (LsnSandboxConfig  *config,
                          const char        *json,
                          gssize             length,
                          GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *obj;

  memset (config, 0, sizeof *config);

  if (!json_parser_load_from_data (parser, json ? json : "", length, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The sandbox configuration must be a JSON object");
      return FALSE;
    }

  obj = json_node_get_object (root);
  members = json_object_get_members (obj);
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      gboolean ok = TRUE;

      if (g_str_equal (name, "fault_rate"))
        {
          ok = get_number (obj, name, &config->fault_rate, error);
          if (ok && (config->fault_rate < 0 || config->fault_rate > 1))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "“fault_rate” must be between 0 and 1");
              ok = FALSE;
            }
          config->has_fault_rate = ok;
        }
      else if (g_str_equal (name, "fault_kinds"))
        {
          JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

          if (array == NULL)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "“fault_kinds” must be an array of kind names");
              ok = FALSE;
            }
          for (guint i = 0; ok && i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              const char *s = NULL;
              LsnSandboxFaultKind kind;

              if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
                s = json_node_get_string (item);
              kind = lsn_sandbox_fault_kind_from_string (s);
              if (kind == LSN_SANDBOX_FAULT_NONE)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "Unknown fault kind “%s”: use 429, 500, stall, drop or truncate",
                               s ? s : "");
                  ok = FALSE;
                }
              config->fault_kinds |= kind;
            }
          config->has_fault_kinds = ok;
        }
      else if (g_str_equal (name, "stall_ms"))
        ok = config->has_stall_ms = get_uint (obj, name, &config->stall_ms, error);
      else if (g_str_equal (name, "latency_ms"))
        ok = config->has_latency_ms = get_uint (obj, name, &config->latency_ms, error);
      else if (g_str_equal (name, "token_lifetime"))
        ok = config->has_token_lifetime = get_uint (obj, name, &config->token_lifetime, error);
      else if (g_str_equal (name, "limit"))
        {
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            ok = lsn_sandbox_limit_parse (json_node_get_string (node), &config->limit,
                                          &config->window_seconds, error);
          else
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "“limit” must be a string such as \"300/300\"");
              ok = FALSE;
            }
          config->has_limit = ok;
        }
      else if (g_str_equal (name, "reset_stats") || g_str_equal (name, "reset_limit"))
        {
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
            {
              if (g_str_equal (name, "reset_stats"))
                config->reset_stats = json_node_get_boolean (node);
              else
                config->reset_limit = json_node_get_boolean (node);
            }
          else
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” must be true or false", name);
              ok = FALSE;
            }
        }
      else if (g_str_equal (name, "fail_next"))
        {
          if (JSON_NODE_HOLDS_ARRAY (node))
            {
              JsonArray *array = json_node_get_array (node);

              for (guint i = 0; ok && i < json_array_get_length (array); i++)
                ok = parse_fail_next (config, json_array_get_element (array, i), error);
            }
          else
            ok = parse_fail_next (config, node, error);
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Unknown sandbox setting “%s”", name);
          ok = FALSE;
        }

      if (!ok)
        {
          lsn_sandbox_config_clear (config);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * lsn_sandbox_config_clear:
 *
 * Frees what @config holds (not @config itself).
 */
void
lsn_sandbox_config_clear (LsnSandboxConfig *config)
{
  g_clear_pointer (&config->fail_next, g_array_unref);
  memset (config, 0, sizeof *config);
}

/**
 * lsn_sandbox_config_apply_faults:
 *
 * Applies the fault members of @config (rate, kinds, stall, fail_next) to @faults.
 */
void
lsn_sandbox_config_apply_faults (const LsnSandboxConfig *config,
                                 LsnSandboxFaults       *faults)
{
  if (config->has_fault_rate)
    lsn_sandbox_faults_set_rate (faults, config->fault_rate);
  if (config->has_fault_kinds)
    lsn_sandbox_faults_set_kinds (faults, config->fault_kinds);
  if (config->has_stall_ms)
    lsn_sandbox_faults_set_stall_ms (faults, config->stall_ms);
  for (guint i = 0; config->fail_next && i < config->fail_next->len; i++)
    {
      LsnSandboxFailNext *f = &g_array_index (config->fail_next, LsnSandboxFailNext, i);

      lsn_sandbox_faults_fail_next (faults, f->count, f->kind, f->route);
    }
}
