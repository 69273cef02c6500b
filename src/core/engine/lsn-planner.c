/* lsn-planner.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The planner decides, for one kind, what to do with every record of both sides. It is a pure
 * function of its input (records, links, decisions, settings, the time): no network, no
 * database, no clock of its own.
 *
 * Identity: a link is the only truth about which records are the same. Unlinked records are
 * linked by a saved decision or by a stored reference (one side holds the other's id); a name
 * alone never links anything unless the profile opted in for exact names. A record with a
 * possible partner by name is held for a person; a record with no candidate at all is created.
 *
 * Loop prevention: each side's hash over its mapped fields is kept in the link after every
 * write. A pulled record whose hash equals the link's is an echo of our own write (or of nothing)
 * and is skipped. A change pulled from a side within the quiet window after Liaison wrote to it
 * does not flow back.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lsn-names.h"
#include "lsn-planner.h"

static const char *
map_field (LsnFieldMap *map,
           LsnSide      side)
{
  return side == LSN_SIDE_LEFT ? map->left : map->right;
}

/**
 * lsn_planner_side_hash:
 *
 * Returns: (transfer full): the hash of @record over the fields @kind maps on @side
 */
char *
lsn_planner_side_hash (LsnKindConfig *kind,
                       LsnSide        side,
                       LsnRecord     *record)
{
  g_autofree const char **names = g_new0 (const char *, kind->fields->len + 1);
  JsonObject *fields = lsn_record_get_fields (record);
  g_autoptr(JsonObject) normalized = json_object_new ();

  for (guint i = 0; i < kind->fields->len; i++)
    {
      const char *name = map_field (g_ptr_array_index (kind->fields, i), side);
      JsonNode *node = json_object_get_member (fields, name);

      names[i] = name;
      /* "" and null and absent are one value; so are 1 and 1.0 */
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (json_node_get_string (node)));
          if (*trimmed != '\0')
            json_object_set_string_member (normalized, name, trimmed);
        }
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        {
          /* false is the unset value of a flag */
          if (json_node_get_boolean (node))
            json_object_set_boolean_member (normalized, name, TRUE);
        }
      else
        json_object_set_member (normalized, name, json_node_copy (node));
    }

  return lsn_fields_hash (normalized, names);
}

static gboolean
is_empty (JsonNode *n)
{
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (n);
      while (s && g_ascii_isspace (*s))
        s++;
      return s == NULL || *s == '\0';
    }
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    return !json_node_get_boolean (n);
  return FALSE;
}

/**
 * lsn_planner_values_equal:
 *
 * Equality of two canonical values as a person would judge it: absent, null, "" and false are
 * all "not set"; strings compare without surrounding white space; numbers by value; a number and
 * its decimal text are equal (ids travel as text).
 */
gboolean
lsn_planner_values_equal (JsonNode *a,
                          JsonNode *b)
{
  GType ta, tb;

  if (is_empty (a) || is_empty (b))
    return is_empty (a) && is_empty (b);
  if (!JSON_NODE_HOLDS_VALUE (a) || !JSON_NODE_HOLDS_VALUE (b))
    {
      g_autofree char *sa = json_to_string (a, FALSE);
      g_autofree char *sb = json_to_string (b, FALSE);
      return g_str_equal (sa, sb);
    }

  ta = json_node_get_value_type (a);
  tb = json_node_get_value_type (b);

  if (ta == G_TYPE_STRING && tb == G_TYPE_STRING)
    {
      g_autofree char *sa = g_strstrip (g_strdup (json_node_get_string (a)));
      g_autofree char *sb = g_strstrip (g_strdup (json_node_get_string (b)));
      return g_str_equal (sa, sb);
    }
  if (ta == G_TYPE_BOOLEAN || tb == G_TYPE_BOOLEAN)
    return ta == tb && json_node_get_boolean (a) == json_node_get_boolean (b);

  {
    double da, db;
    char *end = NULL;

    if (ta == G_TYPE_STRING)
      {
        da = g_ascii_strtod (json_node_get_string (a), &end);
        if (end == NULL || *end != '\0')
          return FALSE;
      }
    else
      da = json_node_get_double (a);
    end = NULL;
    if (tb == G_TYPE_STRING)
      {
        db = g_ascii_strtod (json_node_get_string (b), &end);
        if (end == NULL || *end != '\0')
          return FALSE;
      }
    else
      db = json_node_get_double (b);
    return fabs (da - db) < 1e-9;
  }
}

static char *
node_id_string (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return g_strdup_printf ("%.0f", json_node_get_double (n));
  return NULL;
}

typedef struct
{
  const LsnPlanInput *in;
  LsnKindPlan        *kp;
  GHashTable         *by_id[2];        /* id → LsnRecord */
  GHashTable         *linked[2];       /* id → LsnLink */
  GHashTable         *claimed[2];      /* ids linked, held or created in this plan */
  GHashTable         *held[2];         /* ids that are candidates of a held record */
  GHashTable         *accepted_by[2];  /* id on a side → its partner in an accepted pair */
  GHashTable         *rejected;        /* "left\nright" */
  GHashTable         *by_exact[2];     /* trimmed name → GPtrArray of LsnRecord (unlinked) */
  GHashTable         *by_key[2];       /* name key → GPtrArray of LsnRecord (unlinked) */
} Planner;

static char *
pair_key (const char *left,
          const char *right)
{
  return g_strconcat (left, "\n", right, NULL);
}

static void
add_to_index (GHashTable *index,
              char       *key,
              LsnRecord  *record)
{
  GPtrArray *list;

  if (key == NULL || *key == '\0')
    {
      g_free (key);
      return;
    }
  list = g_hash_table_lookup (index, key);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (index, key, list);
    }
  else
    g_free (key);
  g_ptr_array_add (list, record);
}

static LsnPlanAction *
add_action (Planner       *p,
            LsnActionType  type,
            LsnSide        from,
            LsnRecord     *source,
            LsnRecord     *target)
{
  LsnPlanAction *a = lsn_plan_action_new (type, p->in->kind->kind, from);

  if (source)
    {
      a->source_id = g_strdup (lsn_record_get_remote_id (source));
      a->source_name = g_strdup (lsn_record_get_name (source));
    }
  if (target)
    {
      a->target_id = g_strdup (lsn_record_get_remote_id (target));
      a->target_name = g_strdup (lsn_record_get_name (target));
    }
  g_ptr_array_add (p->kp->actions, a);
  return a;
}

static void
add_change (JsonArray  *changes,
            const char *field,
            JsonNode   *before,
            JsonNode   *after)
{
  JsonObject *ch = json_object_new ();

  json_object_set_string_member (ch, "field", field);
  json_object_set_member (ch, "before", before ? json_node_copy (before) : json_node_new (JSON_NODE_NULL));
  json_object_set_member (ch, "after", after ? json_node_copy (after) : json_node_new (JSON_NODE_NULL));
  json_array_add_object_element (changes, ch);
}

/* Fills a->fields/refs/changes with what must be written to @target (NULL: a create) so that it
 * holds @source's mapped values. Returns the number of fields to write. */
static guint
compute_writes (Planner       *p,
                LsnPlanAction *a,
                LsnSide        from,
                LsnRecord     *source,
                LsnRecord     *target)
{
  LsnKindConfig *kc = p->in->kind;
  JsonObject *sf = lsn_record_get_fields (source);
  JsonObject *tf = target ? lsn_record_get_fields (target) : NULL;
  LsnSide to = LSN_SIDE_OTHER (from);
  guint n = 0;

  a->fields = json_object_new ();
  a->refs = json_object_new ();
  a->changes = json_array_new ();

  for (guint i = 0; i < kc->fields->len; i++)
    {
      LsnFieldMap *map = g_ptr_array_index (kc->fields, i);
      const char *sname = map_field (map, from);
      const char *tname = map_field (map, to);
      JsonNode *value = json_object_get_member (sf, sname);
      JsonNode *current = tf ? json_object_get_member (tf, tname) : NULL;
      g_autoptr(JsonNode) translated = NULL;

      if (!lsn_direction_allows (map->direction, from))
        continue;

      if (map->reference_kind != NULL && !is_empty (value))
        {
          g_autofree char *sid = node_id_string (value);
          const char *tid = p->in->translate
            ? p->in->translate (map->reference_kind, from, sid, p->in->translate_data)
            : NULL;

          if (tid == NULL)
            {
              /* The parent is not linked yet (it may be created by this run): keep the source
               * id and translate when applying. */
              json_object_set_string_member (a->refs, tname, map->reference_kind);
              translated = json_node_new (JSON_NODE_VALUE);
              json_node_set_string (translated, sid);
              if (target != NULL)
                continue; /* an update cannot compare an untranslated reference */
            }
          else
            {
              translated = json_node_new (JSON_NODE_VALUE);
              json_node_set_string (translated, tid);
            }
          value = translated;
        }

      if (target == NULL)
        {
          if (!is_empty (value))
            {
              json_object_set_member (a->fields, tname, json_node_copy (value));
              add_change (a->changes, tname, NULL, value);
              n++;
            }
          continue;
        }

      if (!lsn_planner_values_equal (value, current))
        {
          json_object_set_member (a->fields, tname,
                                  value ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
          add_change (a->changes, tname, current, value);
          n++;
        }
    }

  return n;
}

static gboolean
passes_filters (LsnKindConfig  *kc,
                LsnRecord      *r,
                const char    **why)
{
  if (kc->active_only && lsn_record_get_inactive (r))
    {
      *why = "the record is inactive and the profile imports active records only";
      return FALSE;
    }
  if (kc->name_contains)
    {
      g_autofree char *name = g_utf8_casefold (lsn_record_get_name (r) ? lsn_record_get_name (r) : "", -1);
      g_autofree char *needle = g_utf8_casefold (kc->name_contains, -1);
      if (strstr (name, needle) == NULL)
        {
          *why = "the name does not contain the profile's filter";
          return FALSE;
        }
    }
  if (kc->type_filter)
    {
      const char *type = lsn_record_get_string (r, "type");
      if (type == NULL || g_ascii_strcasecmp (type, kc->type_filter) != 0)
        {
          *why = "the record's type is not the profile's type filter";
          return FALSE;
        }
    }
  if (kc->toplevel_filter)
    {
      const char *top = lsn_record_get_string (r, "toplevel");
      if (top == NULL || g_ascii_strcasecmp (top, kc->toplevel_filter) != 0)
        {
          *why = "the record's top level is not the profile's top-level filter";
          return FALSE;
        }
    }
  return TRUE;
}

static void
plan_linked (Planner *p,
             LsnLink *link)
{
  const LsnPlanInput *in = p->in;
  LsnKindConfig *kc = in->kind;
  LsnRecord *l = g_hash_table_lookup (p->by_id[LSN_SIDE_LEFT], link->left_id);
  LsnRecord *r = g_hash_table_lookup (p->by_id[LSN_SIDE_RIGHT], link->right_id);
  g_autofree char *lh = NULL;
  g_autofree char *rh = NULL;
  gboolean lchanged, rchanged;
  gint64 quiet = (gint64) in->config->quiet_seconds * G_USEC_PER_SEC;
  LsnSide from;
  LsnRecord *src, *dst;
  LsnPlanAction *a;

  g_hash_table_add (p->claimed[LSN_SIDE_LEFT], link->left_id);
  g_hash_table_add (p->claimed[LSN_SIDE_RIGHT], link->right_id);

  if (l == NULL || r == NULL)
    {
      LsnSide gone = l == NULL ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT;
      LsnRecord *survivor = l == NULL ? r : l;

      if (!in->complete[gone] || (l == NULL && r == NULL))
        return;

      a = add_action (p, LSN_ACTION_DELETED, gone, NULL, survivor);
      a->source_id = g_strdup (gone == LSN_SIDE_LEFT ? link->left_id : link->right_id);
      a->link_id = link->id;
      a->detail = g_strdup_printf ("deleted on the %s side; the linked record on the %s side is "
                                   "kept", lsn_side_to_string (gone),
                                   lsn_side_to_string (LSN_SIDE_OTHER (gone)));

      if (kc->archive_deleted && lsn_direction_allows (kc->direction, gone)
          && !lsn_record_get_inactive (survivor))
        {
          a = add_action (p, LSN_ACTION_ARCHIVE, gone, NULL, survivor);
          a->source_id = g_strdup (gone == LSN_SIDE_LEFT ? link->left_id : link->right_id);
          a->link_id = link->id;
          a->fields = json_object_new ();
          json_object_set_boolean_member (a->fields, "inactive", TRUE);
          a->changes = json_array_new ();
          {
            g_autoptr(JsonNode) t = json_node_new (JSON_NODE_VALUE);
            json_node_set_boolean (t, TRUE);
            add_change (a->changes, "inactive", NULL, t);
          }
          a->detail = g_strdup ("its partner was deleted: marked inactive, never deleted");
        }
      return;
    }

  if (!link->included)
    {
      /* left out of the sync by a person in the mapping editor: linked, never written */
      return;
    }

  lh = lsn_planner_side_hash (kc, LSN_SIDE_LEFT, l);
  rh = lsn_planner_side_hash (kc, LSN_SIDE_RIGHT, r);
  lchanged = g_strcmp0 (lh, link->left_hash) != 0;
  rchanged = g_strcmp0 (rh, link->right_hash) != 0;

  if (!lchanged && !rchanged)
    {
      gboolean lfresh = in->fresh[LSN_SIDE_LEFT] == NULL
                        || g_hash_table_contains (in->fresh[LSN_SIDE_LEFT], link->left_id);
      gboolean rfresh = in->fresh[LSN_SIDE_RIGHT] == NULL
                        || g_hash_table_contains (in->fresh[LSN_SIDE_RIGHT], link->right_id);

      /* Pulled again although nothing we map changed: our own write coming back, or a change
       * to fields we don't map. Only count it when the record came in this run. */
      if ((lfresh && in->fresh[LSN_SIDE_LEFT] != NULL)
          || (rfresh && in->fresh[LSN_SIDE_RIGHT] != NULL))
        {
          a = add_action (p, LSN_ACTION_SKIP, lfresh ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT,
                          lfresh ? l : r, lfresh ? r : l);
          a->reason = g_strdup ("echo");
          a->link_id = link->id;
        }
      return;
    }

  /* Within the quiet window after our own write to a side, that side's changes do not flow
   * back. The link keeps the old hash, so the change flows once the window is over. */
  if (lchanged && link->left_written_at > 0 && in->now_usec - link->left_written_at < quiet)
    lchanged = FALSE;
  if (rchanged && link->right_written_at > 0 && in->now_usec - link->right_written_at < quiet)
    rchanged = FALSE;
  if (!lchanged && !rchanged)
    {
      a = add_action (p, LSN_ACTION_SKIP, LSN_SIDE_LEFT, l, r);
      a->reason = g_strdup ("quiet-window");
      a->detail = g_strdup_printf ("changed within %u s after Liaison wrote to it: not sent back",
                                   in->config->quiet_seconds);
      a->link_id = link->id;
      return;
    }

  if (lchanged && rchanged)
    {
      switch (kc->master)
        {
        case LSN_MASTER_LEFT:
          from = LSN_SIDE_LEFT;
          break;
        case LSN_MASTER_RIGHT:
          from = LSN_SIDE_RIGHT;
          break;
        case LSN_MASTER_NEWEST:
        default:
          from = lsn_record_get_modified (r) > lsn_record_get_modified (l)
                 ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT;
          break;
        }
    }
  else
    from = lchanged ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT;

  src = from == LSN_SIDE_LEFT ? l : r;
  dst = from == LSN_SIDE_LEFT ? r : l;

  if (!lsn_direction_allows (kc->direction, from) || kc->mode == LSN_MODE_NEW_ONLY)
    {
      /* Not ours to send: remember what the side holds, so it is not planned again. */
      a = add_action (p, LSN_ACTION_REFRESH, from, src, dst);
      a->link_id = link->id;
      a->source_hash = g_strdup (from == LSN_SIDE_LEFT ? lh : rh);
      a->reason = g_strdup (kc->mode == LSN_MODE_NEW_ONLY ? "new-only" : "direction");
      if (kc->mode == LSN_MODE_NEW_ONLY && lsn_direction_allows (kc->direction, from))
        {
          LsnPlanAction *skip = add_action (p, LSN_ACTION_SKIP, from, src, dst);
          skip->reason = g_strdup ("new-only");
          skip->detail = g_strdup ("changed, but this kind syncs new records only");
          skip->link_id = link->id;
        }
      return;
    }

  a = add_action (p, LSN_ACTION_UPDATE, from, src, dst);
  a->link_id = link->id;
  a->source_hash = g_strdup (from == LSN_SIDE_LEFT ? lh : rh);
  a->target_hash = g_strdup (from == LSN_SIDE_LEFT ? rh : lh);
  if (lchanged && rchanged)
    a->detail = g_strdup_printf ("changed on both sides: the %s side wins (%s)",
                                 lsn_side_to_string (from),
                                 kc->master == LSN_MASTER_NEWEST ? "newest" : "master");

  if (compute_writes (p, a, from, src, dst) == 0)
    {
      /* Both sides already agree: only the link's memory changes. */
      a->type = LSN_ACTION_REFRESH;
      g_free (a->target_hash);
      a->target_hash = g_strdup (from == LSN_SIDE_LEFT ? rh : lh);
    }
}

static LsnRecord *
reference_partner (Planner   *p,
                   LsnSide    from,
                   LsnRecord *s)
{
  LsnSide to = LSN_SIDE_OTHER (from);
  const char *ref = lsn_record_get_string (s, "reference");
  LsnRecord *t;

  if (ref != NULL && (t = g_hash_table_lookup (p->by_id[to], ref)) != NULL
      && !g_hash_table_contains (p->claimed[to], ref))
    return t;
  return NULL;
}

static LsnRecord *
reverse_reference_partner (Planner   *p,
                           LsnSide    from,
                           LsnRecord *s,
                           GHashTable *ref_index)
{
  LsnRecord *t = g_hash_table_lookup (ref_index, lsn_record_get_remote_id (s));

  if (t != NULL
      && !g_hash_table_contains (p->claimed[LSN_SIDE_OTHER (from)], lsn_record_get_remote_id (t)))
    return t;
  return NULL;
}

static gboolean
pair_rejected (Planner    *p,
               LsnSide     from,
               const char *sid,
               const char *tid)
{
  g_autofree char *key = from == LSN_SIDE_LEFT ? pair_key (sid, tid) : pair_key (tid, sid);
  return g_hash_table_contains (p->rejected, key);
}

/* For a kind that belongs to a client (sites, contacts), the partner of a record must belong to
 * the partner of its client: every company has a "Head Office". Returns FALSE when the record
 * has a client that is not linked yet (then nothing can be its partner). */
static gboolean
parent_scope (Planner     *p,
              LsnSide      from,
              LsnRecord   *s,
              const char **field_out,
              const char **parent_out)
{
  LsnKindConfig *kc = p->in->kind;

  *field_out = NULL;
  *parent_out = NULL;
  for (guint i = 0; i < kc->fields->len; i++)
    {
      LsnFieldMap *map = g_ptr_array_index (kc->fields, i);
      JsonNode *value;
      g_autofree char *sid = NULL;

      if (g_strcmp0 (map->reference_kind, LSN_KIND_CLIENT) != 0)
        continue;
      value = json_object_get_member (lsn_record_get_fields (s), map_field (map, from));
      sid = node_id_string (value);
      if (sid == NULL)
        return TRUE;
      *field_out = map_field (map, LSN_SIDE_OTHER (from));
      *parent_out = p->in->translate ? p->in->translate (LSN_KIND_CLIENT, from, sid,
                                                         p->in->translate_data)
                                     : NULL;
      return *parent_out != NULL;
    }
  return TRUE;
}

static void
add_candidates (Planner    *p,
                GPtrArray  *out,
                GPtrArray  *list,
                LsnSide     from,
                LsnRecord  *s)
{
  const char *parent_field, *parent;

  if (list == NULL)
    return;
  if (!parent_scope (p, from, s, &parent_field, &parent))
    return;
  for (guint i = 0; i < list->len; i++)
    {
      LsnRecord *t = g_ptr_array_index (list, i);
      const char *tid = lsn_record_get_remote_id (t);

      if (parent_field != NULL)
        {
          g_autofree char *tparent = node_id_string (json_object_get_member (lsn_record_get_fields (t),
                                                                             parent_field));
          if (g_strcmp0 (tparent, parent) != 0)
            continue;
        }

      if (g_hash_table_contains (p->claimed[LSN_SIDE_OTHER (from)], tid)
          || pair_rejected (p, from, lsn_record_get_remote_id (s), tid)
          || g_ptr_array_find (out, t, NULL))
        continue;
      g_ptr_array_add (out, t);
    }
}

static void
link_action (Planner    *p,
             LsnSide     from,
             LsnRecord  *s,
             LsnRecord  *t,
             const char *origin,
             const char *why)
{
  LsnKindConfig *kc = p->in->kind;
  LsnPlanAction *a = add_action (p, LSN_ACTION_LINK, from, s, t);

  a->link_origin = g_strdup (origin);
  a->detail = g_strdup (why);
  a->source_hash = lsn_planner_side_hash (kc, from, s);
  a->target_hash = lsn_planner_side_hash (kc, LSN_SIDE_OTHER (from), t);
  g_hash_table_add (p->claimed[from], (gpointer) lsn_record_get_remote_id (s));
  g_hash_table_add (p->claimed[LSN_SIDE_OTHER (from)], (gpointer) lsn_record_get_remote_id (t));
}

static void
plan_unlinked (Planner    *p,
               LsnSide     from,
               GHashTable *reverse_refs)
{
  const LsnPlanInput *in = p->in;
  LsnKindConfig *kc = in->kind;
  GPtrArray *records = in->records[from];
  LsnSide to = LSN_SIDE_OTHER (from);

  for (guint i = 0; i < records->len; i++)
    {
      LsnRecord *s = g_ptr_array_index (records, i);
      const char *sid = lsn_record_get_remote_id (s);
      g_autoptr(GPtrArray) exact = g_ptr_array_new ();
      g_autoptr(GPtrArray) similar = g_ptr_array_new ();
      LsnRecord *t;
      const char *why = NULL;
      LsnPlanAction *a;

      if (g_hash_table_contains (p->claimed[from], sid))
        continue;

      /* 1. a saved decision */
      {
        const char *theirs = g_hash_table_lookup (p->accepted_by[from], sid);

        if (theirs != NULL && (t = g_hash_table_lookup (p->by_id[to], theirs)) != NULL
            && !g_hash_table_contains (p->claimed[to], theirs))
          {
            link_action (p, from, s, t, "mapping", "a saved mapping says these are the same");
            continue;
          }
      }

      /* 2. a stored reference: one side holds the other's id (unless a person said no) */
      if (((t = reference_partner (p, from, s)) != NULL
           || (t = reverse_reference_partner (p, from, s, reverse_refs)) != NULL)
          && !pair_rejected (p, from, sid, lsn_record_get_remote_id (t)))
        {
          link_action (p, from, s, t, "relink",
                       "one side holds the other's id in its reference field");
          continue;
        }

      if (!lsn_direction_allows (kc->direction, from))
        continue;

      /* the candidate of a pair held for a person: wait for the decision */
      if (g_hash_table_contains (p->held[from], sid))
        continue;

      if (!passes_filters (kc, s, &why))
        {
          a = add_action (p, LSN_ACTION_SKIP, from, s, NULL);
          a->reason = g_strdup ("filtered");
          a->detail = g_strdup (why);
          continue;
        }

      /* 3. names: exact, then normalized: suggestions, never links (unless opted in) */
      {
        g_autofree char *trimmed = g_strstrip (g_strdup (lsn_record_get_name (s) ? lsn_record_get_name (s) : ""));
        g_autofree char *key = lsn_name_key (lsn_record_get_name (s));

        add_candidates (p, exact, g_hash_table_lookup (p->by_exact[to], trimmed), from, s);
        add_candidates (p, similar, g_hash_table_lookup (p->by_key[to], key), from, s);
        for (guint k = 0; k < exact->len; k++)
          g_ptr_array_remove (similar, g_ptr_array_index (exact, k));
      }

      if (exact->len == 1 && kc->auto_accept_exact)
        {
          link_action (p, from, s, g_ptr_array_index (exact, 0), "auto",
                       "the names are exactly equal and the profile accepts exact names");
          continue;
        }

      if (exact->len > 0 || similar->len > 0)
        {
          a = add_action (p, LSN_ACTION_HOLD, from, s, NULL);
          a->reason = g_strdup (exact->len > 0 ? "exact-name" : "similar-name");
          a->candidates = json_array_new ();
          for (guint pass = 0; pass < 2; pass++)
            {
              GPtrArray *list = pass == 0 ? exact : similar;
              for (guint k = 0; k < list->len; k++)
                {
                  LsnRecord *c = g_ptr_array_index (list, k);
                  JsonObject *o = json_object_new ();
                  json_object_set_string_member (o, "id", lsn_record_get_remote_id (c));
                  json_object_set_string_member (o, "name", lsn_record_get_name (c));
                  json_object_set_string_member (o, "evidence",
                                                 pass == 0 ? "exact name" : "normalized name");
                  json_array_add_object_element (a->candidates, o);
                  /* a candidate of a held pair is not created from its side either, but it
                   * stays a candidate of other records (duplicates make a pair ambiguous) */
                  g_hash_table_add (p->held[to], (gpointer) lsn_record_get_remote_id (c));
                }
            }
          a->detail = g_strdup_printf ("%u possible match%s on the %s side: not created until a "
                                       "person accepts or rejects the pair",
                                       exact->len + similar->len,
                                       exact->len + similar->len == 1 ? "" : "es",
                                       lsn_side_to_string (to));
          g_hash_table_add (p->claimed[from], (gpointer) sid);
          continue;
        }

      /* 4. no candidate at all: create it on the other side */
      a = add_action (p, LSN_ACTION_CREATE, from, s, NULL);
      a->source_hash = lsn_planner_side_hash (kc, from, s);
      compute_writes (p, a, from, s, NULL);
      if (!in->defer_references && json_object_get_size (a->refs) > 0)
        {
          /* Its parent is not linked (held for a person, filtered, or failed): wait for it
           * rather than fail every run. */
          g_autoptr(GList) names = json_object_get_members (a->refs);
          a->type = LSN_ACTION_SKIP;
          a->reason = g_strdup ("waiting-for-parent");
          a->detail = g_strdup_printf ("its %s is not synced to the %s side yet (held, filtered "
                                       "or failed): it is created once that %s is mapped",
                                       json_object_get_string_member (a->refs, names->data),
                                       lsn_side_to_string (to),
                                       json_object_get_string_member (a->refs, names->data));
        }
      /* write our id into the other side's reference field, so links can be rebuilt */
      json_object_set_string_member (a->fields, "reference", sid);
      g_hash_table_add (p->claimed[from], (gpointer) sid);
    }
}

static void
free_list (gpointer data)
{
  g_ptr_array_unref (data);
}

/**
 * lsn_planner_plan_kind:
 * @input: the records, links and settings of one kind
 * @plan: the plan to add the kind to
 *
 * Returns: (transfer none): the kind's part of @plan
 */
LsnKindPlan *
lsn_planner_plan_kind (const LsnPlanInput *input,
                       LsnPlan            *plan)
{
  Planner p = { 0 };
  LsnKindConfig *kc = input->kind;
  GHashTable *reverse_refs[2] = { NULL, NULL };
  guint updates = 0, archives = 0, limit;

  p.in = input;
  p.kp = lsn_plan_add_kind (plan, kc->kind);
  p.kp->n_records = MAX (input->records[0]->len, input->records[1]->len);
  p.accepted_by[0] = g_hash_table_new (g_str_hash, g_str_equal);
  p.accepted_by[1] = g_hash_table_new (g_str_hash, g_str_equal);
  p.rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint s = 0; s < 2; s++)
    {
      p.by_id[s] = g_hash_table_new (g_str_hash, g_str_equal);
      p.linked[s] = g_hash_table_new (g_str_hash, g_str_equal);
      p.claimed[s] = g_hash_table_new (g_str_hash, g_str_equal);
      p.held[s] = g_hash_table_new (g_str_hash, g_str_equal);
      p.by_exact[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_list);
      p.by_key[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_list);
      reverse_refs[s] = g_hash_table_new (g_str_hash, g_str_equal);
    }

  for (guint i = 0; i < input->links->len; i++)
    {
      LsnLink *link = g_ptr_array_index (input->links, i);
      g_hash_table_insert (p.linked[LSN_SIDE_LEFT], link->left_id, link);
      g_hash_table_insert (p.linked[LSN_SIDE_RIGHT], link->right_id, link);
    }

  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < input->records[s]->len; i++)
      {
        LsnRecord *r = g_ptr_array_index (input->records[s], i);
        const char *id = lsn_record_get_remote_id (r);
        const char *ref = lsn_record_get_string (r, "reference");

        g_hash_table_insert (p.by_id[s], (gpointer) id, r);
        if (g_hash_table_contains (p.linked[s], id))
          continue;
        add_to_index (p.by_exact[s],
                      g_strstrip (g_strdup (lsn_record_get_name (r) ? lsn_record_get_name (r) : "")),
                      r);
        add_to_index (p.by_key[s], lsn_name_key (lsn_record_get_name (r)), r);
        /* record on side s holds the other side's id: index it by that id, for the other side */
        if (ref != NULL)
          g_hash_table_insert (reverse_refs[LSN_SIDE_OTHER (s)], (gpointer) ref, r);
      }

  for (guint i = 0; input->decisions && i < input->decisions->len; i++)
    {
      LsnDecision *d = g_ptr_array_index (input->decisions, i);
      if (d->accepted)
        {
          g_hash_table_insert (p.accepted_by[LSN_SIDE_LEFT], d->left_id, d->right_id);
          g_hash_table_insert (p.accepted_by[LSN_SIDE_RIGHT], d->right_id, d->left_id);
        }
      else
        g_hash_table_add (p.rejected, pair_key (d->left_id, d->right_id));
    }

  for (guint i = 0; i < input->links->len; i++)
    plan_linked (&p, g_ptr_array_index (input->links, i));

  if (kc->direction != LSN_DIRECTION_OFF)
    {
      plan_unlinked (&p, LSN_SIDE_LEFT, reverse_refs[LSN_SIDE_LEFT]);
      plan_unlinked (&p, LSN_SIDE_RIGHT, reverse_refs[LSN_SIDE_RIGHT]);
    }

  /* The mass-change guard: too many updates or archives of one kind at once stop the kind. */
  updates = lsn_kind_plan_count (p.kp, LSN_ACTION_UPDATE);
  archives = lsn_kind_plan_count (p.kp, LSN_ACTION_ARCHIVE);
  limit = MAX (input->config->guard_min,
               (guint) ceil (input->config->guard_share * p.kp->n_records));
  if (!input->confirmed && (updates > limit || archives > limit))
    {
      p.kp->guarded = TRUE;
      p.kp->guard_message =
        g_strdup_printf ("%u updates and %u archives of %u %s records exceed the mass-change "
                         "limit of %u (%.0f %%, at least %u). Nothing of this kind was written. "
                         "Check the plan, then confirm (liaisonctl sync --yes, or Sync in the "
                         "window) to apply it.",
                         updates, archives, p.kp->n_records, kc->kind, limit,
                         input->config->guard_share * 100, input->config->guard_min);
    }

  for (guint s = 0; s < 2; s++)
    {
      g_hash_table_unref (p.by_id[s]);
      g_hash_table_unref (p.linked[s]);
      g_hash_table_unref (p.claimed[s]);
      g_hash_table_unref (p.held[s]);
      g_hash_table_unref (p.by_exact[s]);
      g_hash_table_unref (p.by_key[s]);
      g_hash_table_unref (reverse_refs[s]);
    }
  g_hash_table_unref (p.accepted_by[0]);
  g_hash_table_unref (p.accepted_by[1]);
  g_hash_table_unref (p.rejected);

  return p.kp;
}
