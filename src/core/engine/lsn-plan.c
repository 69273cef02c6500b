/* lsn-plan.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-plan.h"

LsnPlanAction *
lsn_plan_action_new (LsnActionType  type,
                     const char    *kind,
                     LsnSide        source_side)
{
  LsnPlanAction *a = g_new0 (LsnPlanAction, 1);

  a->type = type;
  a->kind = g_strdup (kind);
  a->source_side = source_side;
  a->target_side = LSN_SIDE_OTHER (source_side);
  return a;
}

void
lsn_plan_action_free (LsnPlanAction *a)
{
  if (a == NULL)
    return;
  g_free (a->kind);
  g_free (a->source_id);
  g_free (a->target_id);
  g_free (a->source_name);
  g_free (a->target_name);
  g_free (a->reason);
  g_free (a->detail);
  g_clear_pointer (&a->fields, json_object_unref);
  g_clear_pointer (&a->refs, json_object_unref);
  g_clear_pointer (&a->changes, json_array_unref);
  g_clear_pointer (&a->candidates, json_array_unref);
  g_free (a->source_hash);
  g_free (a->target_hash);
  g_free (a->link_origin);
  g_free (a);
}

const char *
lsn_action_type_to_string (LsnActionType type)
{
  switch (type)
    {
    case LSN_ACTION_CREATE: return "create";
    case LSN_ACTION_UPDATE: return "update";
    case LSN_ACTION_ARCHIVE: return "archive";
    case LSN_ACTION_LINK: return "link";
    case LSN_ACTION_REFRESH: return "refresh";
    case LSN_ACTION_HOLD: return "hold";
    case LSN_ACTION_SKIP: return "skip";
    case LSN_ACTION_DELETED: return "deleted";
    case LSN_ACTION_DELETE: return "delete";
    default: return "?";
    }
}

/**
 * lsn_plan_action_sends:
 *
 * Returns: %TRUE when applying the action sends a request to a system
 */
gboolean
lsn_plan_action_sends (LsnPlanAction *a)
{
  return a->type == LSN_ACTION_CREATE || a->type == LSN_ACTION_UPDATE
         || a->type == LSN_ACTION_ARCHIVE || a->type == LSN_ACTION_DELETE;
}

static void
kind_plan_free (LsnKindPlan *kp)
{
  g_free (kp->kind);
  g_clear_pointer (&kp->actions, g_ptr_array_unref);
  g_free (kp->guard_message);
  g_free (kp);
}

LsnPlan *
lsn_plan_new (void)
{
  LsnPlan *plan = g_new0 (LsnPlan, 1);

  plan->kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) kind_plan_free);
  return plan;
}

void
lsn_plan_free (LsnPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->kinds, g_ptr_array_unref);
  g_free (plan);
}

LsnKindPlan *
lsn_plan_add_kind (LsnPlan    *plan,
                   const char *kind)
{
  LsnKindPlan *kp = g_new0 (LsnKindPlan, 1);

  kp->kind = g_strdup (kind);
  kp->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_plan_action_free);
  g_ptr_array_add (plan->kinds, kp);
  return kp;
}

guint
lsn_kind_plan_count (LsnKindPlan   *kp,
                     LsnActionType  type)
{
  guint n = 0;

  for (guint i = 0; i < kp->actions->len; i++)
    if (((LsnPlanAction *) g_ptr_array_index (kp->actions, i))->type == type)
      n++;
  return n;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_node (JsonBuilder *b,
          const char  *name,
          JsonNode    *node)
{
  json_builder_set_member_name (b, name);
  json_builder_add_value (b, node);
}

/**
 * lsn_plan_to_json:
 *
 * Returns: (transfer full): the plan as JSON, for `--json` and the preview dialog
 */
JsonNode *
lsn_plan_to_json (LsnPlan *plan)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_array (b);
  for (guint k = 0; k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);

      json_builder_begin_object (b);
      add_string (b, "kind", kp->kind);
      json_builder_set_member_name (b, "counts");
      json_builder_begin_object (b);
      for (LsnActionType t = LSN_ACTION_CREATE; t <= LSN_ACTION_DELETE; t++)
        {
          json_builder_set_member_name (b, lsn_action_type_to_string (t));
          json_builder_add_int_value (b, lsn_kind_plan_count (kp, t));
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "guarded");
      json_builder_add_boolean_value (b, kp->guarded);
      add_string (b, "guard_message", kp->guard_message);

      json_builder_set_member_name (b, "actions");
      json_builder_begin_array (b);
      for (guint i = 0; i < kp->actions->len; i++)
        {
          LsnPlanAction *a = g_ptr_array_index (kp->actions, i);

          if (a->type == LSN_ACTION_REFRESH)
            continue;
          json_builder_begin_object (b);
          add_string (b, "action", lsn_action_type_to_string (a->type));
          add_string (b, "source_side", lsn_side_to_string (a->source_side));
          add_string (b, "target_side", lsn_side_to_string (a->target_side));
          add_string (b, "source_id", a->source_id);
          add_string (b, "target_id", a->target_id);
          add_string (b, "source_name", a->source_name);
          add_string (b, "target_name", a->target_name);
          add_string (b, "reason", a->reason);
          add_string (b, "detail", a->detail);
          if (a->fields)
            {
              JsonNode *n = json_node_alloc ();
              json_node_init_object (n, a->fields);
              add_node (b, "fields", n);
            }
          if (a->changes)
            {
              JsonNode *n = json_node_alloc ();
              json_node_init_array (n, a->changes);
              add_node (b, "changes", n);
            }
          if (a->candidates)
            {
              JsonNode *n = json_node_alloc ();
              json_node_init_array (n, a->candidates);
              add_node (b, "candidates", n);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("(empty)");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup_printf ("“%s”", json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      /* 18.1, not 18.100000000000001 */
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", json_node_get_double (node)));
    }
  return json_to_string (node, FALSE);
}

/**
 * lsn_plan_action_append_text:
 * @a: an action
 * @out: where to append it
 *
 * Appends the lines liaisonctl prints for @a: what, which way, the records and the reason, the
 * detail, the field changes (nothing for an unchanged record).
 */
void
lsn_plan_action_append_text (LsnPlanAction *a,
                             GString       *out)
{
  if (a->type == LSN_ACTION_REFRESH)
    return;
  g_string_append_printf (out, "  %-7s %s → %s  %s",
                          lsn_action_type_to_string (a->type),
                          lsn_side_to_string (a->source_side),
                          lsn_side_to_string (a->target_side),
                          a->source_name ? a->source_name : a->source_id);
  if (a->target_id)
    g_string_append_printf (out, " ⇄ %s (%s)",
                            a->target_name ? a->target_name : "", a->target_id);
  if (a->reason)
    g_string_append_printf (out, "  [%s]", a->reason);
  g_string_append_c (out, '\n');
  if (a->detail)
    g_string_append_printf (out, "          %s\n", a->detail);
  if (a->changes)
    for (guint c = 0; c < json_array_get_length (a->changes); c++)
      {
        JsonObject *ch = json_array_get_object_element (a->changes, c);
        g_autofree char *before = value_text (json_object_get_member (ch, "before"));
        g_autofree char *after = value_text (json_object_get_member (ch, "after"));
        g_string_append_printf (out, "          %s: %s → %s\n",
                                json_object_get_string_member (ch, "field"), before, after);
      }
}

/**
 * lsn_plan_to_text:
 * @verbose: list every action, not only the counts
 *
 * Returns: (transfer full): the plan for people
 */
char *
lsn_plan_to_text (LsnPlan  *plan,
                  gboolean  verbose)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint k = 0; k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);

      g_string_append_printf (out, "%s: %u to create, %u to update, %u to archive, %u to link, "
                              "%u held for review, %u skipped, %u deleted, %u to delete\n",
                              kp->kind,
                              lsn_kind_plan_count (kp, LSN_ACTION_CREATE),
                              lsn_kind_plan_count (kp, LSN_ACTION_UPDATE),
                              lsn_kind_plan_count (kp, LSN_ACTION_ARCHIVE),
                              lsn_kind_plan_count (kp, LSN_ACTION_LINK),
                              lsn_kind_plan_count (kp, LSN_ACTION_HOLD),
                              lsn_kind_plan_count (kp, LSN_ACTION_SKIP),
                              lsn_kind_plan_count (kp, LSN_ACTION_DELETED),
                              lsn_kind_plan_count (kp, LSN_ACTION_DELETE));
      if (kp->guarded)
        g_string_append_printf (out, "  STOPPED: %s\n", kp->guard_message);

      if (!verbose)
        continue;

      for (guint i = 0; i < kp->actions->len; i++)
        lsn_plan_action_append_text (g_ptr_array_index (kp->actions, i), out);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
