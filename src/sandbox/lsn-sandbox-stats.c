/* lsn-sandbox-stats.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Request counters of one simulated server, served as /_sandbox/stats:
 * {"requests": N, "by_route": {"GET /api/Client": n, ...}, "throttled": n, "faults": n}
 * Routes are counted under the spelling the caller passes (the resource names as the API
 * reference spells them), in the order they were first seen.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include "lsn-sandbox-stats.h"

struct _LsnSandboxStats
{
  GObject     parent_instance;

  guint       requests;
  guint       throttled;
  guint       faults;
  GHashTable *by_route;   /* route -> GUINT_TO_POINTER (count) */
  GPtrArray  *order;      /* routes, first seen first (owned by by_route) */
};

G_DEFINE_FINAL_TYPE (LsnSandboxStats, lsn_sandbox_stats, G_TYPE_OBJECT)

static void
lsn_sandbox_stats_finalize (GObject *object)
{
  LsnSandboxStats *self = (LsnSandboxStats *) object;

  g_ptr_array_unref (self->order);
  g_hash_table_unref (self->by_route);

  G_OBJECT_CLASS (lsn_sandbox_stats_parent_class)->finalize (object);
}

static void
lsn_sandbox_stats_class_init (LsnSandboxStatsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_stats_finalize;
}

static void
lsn_sandbox_stats_init (LsnSandboxStats *self)
{
  self->by_route = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->order = g_ptr_array_new ();
}

/**
 * lsn_sandbox_stats_new:
 *
 * Returns: (transfer full): empty counters
 */
LsnSandboxStats *
lsn_sandbox_stats_new (void)
{
  return g_object_new (LSN_TYPE_SANDBOX_STATS, NULL);
}

/**
 * lsn_sandbox_stats_count_request:
 * @route: "METHOD /path" with the resource spelled as the reference spells it
 *
 * Counts one request (whatever its outcome: throttled and faulted requests count too).
 */
void
lsn_sandbox_stats_count_request (LsnSandboxStats *self,
                                 const char      *route)
{
  gpointer key = NULL, value = NULL;

  g_return_if_fail (LSN_IS_SANDBOX_STATS (self));

  self->requests++;
  if (route == NULL)
    return;

  if (g_hash_table_lookup_extended (self->by_route, route, &key, &value))
    {
      g_hash_table_insert (self->by_route, g_strdup (route),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
      /* insert () keeps the old key, so @order stays valid */
    }
  else
    {
      char *copy = g_strdup (route);

      g_hash_table_insert (self->by_route, copy, GUINT_TO_POINTER (1));
      g_ptr_array_add (self->order, copy);
    }
}

void
lsn_sandbox_stats_count_throttled (LsnSandboxStats *self)
{
  g_return_if_fail (LSN_IS_SANDBOX_STATS (self));
  self->throttled++;
}

void
lsn_sandbox_stats_count_fault (LsnSandboxStats *self)
{
  g_return_if_fail (LSN_IS_SANDBOX_STATS (self));
  self->faults++;
}

guint
lsn_sandbox_stats_get_requests (LsnSandboxStats *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_STATS (self), 0);
  return self->requests;
}

guint
lsn_sandbox_stats_get_route (LsnSandboxStats *self,
                             const char      *route)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_STATS (self), 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->by_route, route));
}

guint
lsn_sandbox_stats_get_throttled (LsnSandboxStats *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_STATS (self), 0);
  return self->throttled;
}

guint
lsn_sandbox_stats_get_faults (LsnSandboxStats *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_STATS (self), 0);
  return self->faults;
}

void
lsn_sandbox_stats_reset (LsnSandboxStats *self)
{
  g_return_if_fail (LSN_IS_SANDBOX_STATS (self));

  self->requests = self->throttled = self->faults = 0;
  g_ptr_array_set_size (self->order, 0);
  g_hash_table_remove_all (self->by_route);
}

/**
 * lsn_sandbox_stats_to_json_node:
 *
 * Returns: (transfer full): the counters as a JSON object
 */
JsonNode *
lsn_sandbox_stats_to_json_node (LsnSandboxStats *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (LSN_IS_SANDBOX_STATS (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "requests");
  json_builder_add_int_value (b, self->requests);
  json_builder_set_member_name (b, "by_route");
  json_builder_begin_object (b);
  for (guint i = 0; i < self->order->len; i++)
    {
      const char *route = g_ptr_array_index (self->order, i);

      json_builder_set_member_name (b, route);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (self->by_route, route)));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "throttled");
  json_builder_add_int_value (b, self->throttled);
  json_builder_set_member_name (b, "faults");
  json_builder_add_int_value (b, self->faults);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/**
 * lsn_sandbox_stats_to_json:
 *
 * Returns: (transfer full): the counters as JSON text
 */
char *
lsn_sandbox_stats_to_json (LsnSandboxStats *self)
{
  g_autoptr(JsonNode) node = lsn_sandbox_stats_to_json_node (self);

  return json_to_string (node, FALSE);
}
