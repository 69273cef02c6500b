/* lsn-licence-planner.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns a distributor's invoice into HaloPSA software-licence actions (the rules of the
 * distributor's own integration, reference/vendor-integrations/converge-halopsa-billing.txt,
 * with these changes):
 *
 * 1. Customers. Each invoice customer (its distributor id, or its name when the invoice has no
 *    ids) is matched by a saved mapping (a "client" link or an accepted decision), then by exact
 *    name among active HaloPSA clients. Of two clients with the exact name, the one that holds
 *    this distributor's licences is taken; when none or both do, the customer is held;
 *    clients whose normalized name is the same (lsn_name_key()) are suggested and held, never
 *    applied. A customer with no match is skipped with an event naming the nearest clients (the
 *    document skips silently). Nothing of a skipped or held customer is written.
 * 2. Products. A licence matches a row when it belongs to the matched client and a saved
 *    licence link says so, or its name or product SKU is the product code, or its name is the
 *    product name. Only licences that carry this feed's distributor, or no distributor at all,
 *    are matched: another distributor's licence of the same product is never touched.
 *    No licence: quantity > 0 creates one, quantity 0 does nothing. A licence: quantity 0
 *    deletes it; quantity > 0 updates it only when the quantity, price or billing cycle differ
 *    (the document updates every licence every time), and then only the fields that differ
 *    (plus the distributor, on a licence that had none).
 *    New licences get: name and product SKU = the product code, client, quantity, price,
 *    billing cycle and the distributor's name.
 * 3. Clean-up. A licence of a matched client that no row claims is deleted only when it carries
 *    this feed's distributor (the document deletes every other licence of the customer). A
 *    second licence of ours for the same product is held, not deleted.
 * 4. The mass-change guard: more updates or deletes than max(guard_min, guard_share × records)
 *    stop the licence kind until a person confirms.
 * 5. Inactive licences (is_active false in HaloPSA) are never written. One that matches a row
 *    (as in 2, and only when no active licence does: an active match always wins) is held when
 *    the invoice bills the product, so that no second licence is created next to it, and skipped
 *    at quantity 0 (it is inactive already). Clean-up leaves them alone, and they are not
 *    records for the guard nor evidence for choosing between two clients of the same name.
 *
 * Billing cycles are compared through lsn_licence_cycle_normalize() ("Yearly" is "Annual"),
 * prices to the cent.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lsn-licence-planner.h"
#include "lsn-names.h"

#define NEAREST_SHOWN 3
#define NEAREST_MIN_SIMILARITY 0.3

/* -------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                 */

static const struct
{
  const char *canonical;
  const char *synonyms[10];
} cycles[] = {
  { "Monthly", { "monthly", "month", "months", "1 month", "per month", "p1m", "mo", "m", "1m", NULL } },
  { "Annual", { "annual", "annually", "yearly", "year", "1 year", "per year", "p1y", "12 months", "y", NULL } },
  { "Quarterly", { "quarterly", "quarter", "3 months", "p3m", "3m", NULL } },
  { "Biennial", { "biennial", "2 years", "p2y", "24 months", NULL } },
  { "Triennial", { "triennial", "3 years", "p3y", "36 months", NULL } },
};

/**
 * lsn_licence_cycle_normalize:
 * @cycle: (nullable): a billing cycle as a distributor or HaloPSA writes it
 *
 * Returns: (transfer full) (nullable): "Monthly", "Annual", "Quarterly", "Biennial" or
 *   "Triennial" for the spellings of those, else @cycle trimmed; %NULL for %NULL or ""
 */
char *
lsn_licence_cycle_normalize (const char *cycle)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *folded = NULL;

  if (cycle == NULL)
    return NULL;
  trimmed = g_strstrip (g_strdup (cycle));
  if (*trimmed == '\0')
    return NULL;
  folded = g_utf8_casefold (trimmed, -1);

  for (guint i = 0; i < G_N_ELEMENTS (cycles); i++)
    for (guint j = 0; cycles[i].synonyms[j] != NULL; j++)
      if (g_str_equal (folded, cycles[i].synonyms[j]))
        return g_strdup (cycles[i].canonical);

  return g_steal_pointer (&trimmed);
}

static gboolean
text_equal_ci (const char *a,
               const char *b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  ta = g_strstrip (g_strdup (a));
  tb = g_strstrip (g_strdup (b));
  if (*ta == '\0' || *tb == '\0')
    return FALSE;
  fa = g_utf8_casefold (ta, -1);
  fb = g_utf8_casefold (tb, -1);
  return g_str_equal (fa, fb);
}

/**
 * lsn_licence_distributor_equal:
 *
 * Returns: %TRUE when two distributor names are the same, ignoring case and surrounding spaces
 */
gboolean
lsn_licence_distributor_equal (const char *a,
                               const char *b)
{
  return text_equal_ci (a, b);
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
record_number (LsnRecord *r,
               const char *field,
               double     *out)
{
  JsonNode *node = json_object_get_member (lsn_record_get_fields (r), field);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

static gint64
id_number (const char *id)
{
  return id ? g_ascii_strtoll (id, NULL, 10) : 0;
}

static gint
compare_records_by_id (gconstpointer a,
                       gconstpointer b)
{
  gint64 x = id_number (lsn_record_get_remote_id (*(LsnRecord **) a));
  gint64 y = id_number (lsn_record_get_remote_id (*(LsnRecord **) b));

  return x < y ? -1 : x > y;
}

/* -------------------------------------------------------------------------------------------- */

typedef struct
{
  const LsnLicencePlanInput *in;
  LsnPlan      *plan;
  LsnKindPlan  *clients_kp;
  LsnKindPlan  *licences_kp;
  GHashTable   *client_by_id;      /* id → LsnRecord */
  GPtrArray    *client_keys;       /* parallel to in->clients: name keys */
  GHashTable   *licence_by_id;     /* id → LsnRecord */
  GHashTable   *inactive_by_id;    /* id → LsnRecord, the inactive licences */
  GHashTable   *licences_of;       /* client id → GPtrArray of LsnRecord, by id */
  GHashTable   *inactive_of;       /* client id → GPtrArray of inactive LsnRecord, by id */
  GHashTable   *mapped_client;     /* feed customer key → client id */
  GHashTable   *rejected;          /* "feed key\nclient id", "row key\nlicence id" */
  GHashTable   *mapped_licence;    /* row key → licence id */
  GHashTable   *auto_mapped;       /* feed ids whose mapping was made by a match, not a person */
  GHashTable   *excluded;          /* customer keys and row keys a person left out */
  GHashTable   *claimed;           /* licence ids claimed by a row */
  guint         n_managed;         /* licences of matched clients */
} Planner;

typedef struct
{
  char       *key;
  const char *name;
  GPtrArray  *rows;    /* of LsnFeedRow (unowned) */
} Customer;

static void
customer_free (Customer *c)
{
  g_free (c->key);
  g_ptr_array_unref (c->rows);
  g_free (c);
}

static const char *
feed_id_of (const Planner *p,
            LsnLink       *link)
{
  return p->in->feed_side == LSN_SIDE_LEFT ? link->left_id : link->right_id;
}

static const char *
halo_id_of (const Planner *p,
            LsnLink       *link)
{
  return p->in->feed_side == LSN_SIDE_LEFT ? link->right_id : link->left_id;
}

static LsnPlanAction *
new_action (Planner       *p,
            LsnKindPlan   *kp,
            LsnActionType  type,
            const char    *reason)
{
  LsnPlanAction *a = lsn_plan_action_new (type, kp->kind, p->in->feed_side);

  a->reason = g_strdup (reason);
  g_ptr_array_add (kp->actions, a);
  return a;
}

static void
add_candidate (JsonArray  *candidates,
               LsnRecord  *client,
               const char *evidence)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", lsn_record_get_remote_id (client));
  json_object_set_string_member (o, "name", lsn_record_get_name (client));
  json_object_set_string_member (o, "evidence", evidence);
  json_array_add_object_element (candidates, o);
}

static void
add_change (JsonArray  *changes,
            const char *field,
            JsonNode   *before,
            JsonNode   *after)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "field", field);
  json_object_set_member (o, "before", before ? before : json_node_new (JSON_NODE_NULL));
  json_object_set_member (o, "after", after ? after : json_node_new (JSON_NODE_NULL));
  json_array_add_object_element (changes, o);
}

static char *
names_list (JsonArray *candidates)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *o = json_array_get_object_element (candidates, i);

      g_string_append_printf (out, "%s“%s” (#%s)", i == 0 ? "" : ", ",
                              json_object_get_string_member (o, "name"),
                              json_object_get_string_member (o, "id"));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
pair_key (const char *feed_key,
          const char *client_id)
{
  return g_strconcat (feed_key, "\n", client_id, NULL);
}

/* -------------------------------------------------------------------------------------------- */
/* Customers                                                                                     */

typedef struct
{
  LsnRecord *client;
  double     score;
} Scored;

static gint
compare_scored (gconstpointer a,
                gconstpointer b)
{
  const Scored *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return compare_records_by_id (&x->client, &y->client);
}

static gboolean
holds_our_licences (Planner   *p,
                    LsnRecord *client)
{
  GPtrArray *licences = g_hash_table_lookup (p->licences_of, lsn_record_get_remote_id (client));

  for (guint i = 0; licences && i < licences->len; i++)
    if (lsn_licence_distributor_equal (lsn_record_get_string (g_ptr_array_index (licences, i),
                                                              "distributor"),
                                       p->in->distributor))
      return TRUE;
  return FALSE;
}

/* Returns the matched client, or NULL after planning the customer's skip or hold. */
static LsnRecord *
match_customer (Planner  *p,
                Customer *c)
{
  const char *mapped = g_hash_table_lookup (p->mapped_client, c->key);

  /* a remembered name match to a client that is gone is matched afresh; a person's mapping is
   * not (below: the person is told) */
  if (mapped != NULL && g_hash_table_lookup (p->client_by_id, mapped) == NULL
      && g_hash_table_contains (p->auto_mapped, c->key))
    {
      mapped = NULL;
      if (p->in->matches != NULL)   /* forgotten, unless matched again below */
        g_hash_table_replace (p->in->matches, g_strdup (c->key), g_strdup (""));
    }
  g_autofree char *key = lsn_name_key (c->name);
  g_autoptr(GPtrArray) exact_active = g_ptr_array_new ();
  g_autoptr(GPtrArray) exact_inactive = g_ptr_array_new ();
  g_autoptr(GPtrArray) near = g_ptr_array_new ();
  g_autoptr(JsonArray) candidates = json_array_new ();
  g_autofree char *names = NULL;
  LsnPlanAction *a;
  guint n = c->rows->len;
  g_autofree char *were = n == 1 ? g_strdup ("its product was")
                                 : g_strdup_printf ("its %u products were", n);
  g_autofree char *are = n == 1 ? g_strdup ("its product is")
                                : g_strdup_printf ("its %u products are", n);

  if (g_hash_table_contains (p->excluded, c->key))
    {
      a = new_action (p, p->clients_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_EXCLUDED);
      a->source_id = g_strdup (c->key);
      a->source_name = g_strdup (c->name);
      a->target_id = g_strdup (mapped);
      a->detail = g_strdup_printf ("The customer is left out of the sync in its mapping: %s not "
                                   "synchronised. Tick it in the customer mappings to include "
                                   "it.", were);
      return NULL;
    }

  if (mapped != NULL)
    {
      LsnRecord *client = g_hash_table_lookup (p->client_by_id, mapped);

      if (client != NULL)
        return client;
      a = new_action (p, p->clients_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_MAPPED_MISSING);
      a->source_id = g_strdup (c->key);
      a->source_name = g_strdup (c->name);
      a->target_id = g_strdup (mapped);
      a->detail = g_strdup_printf ("The customer is mapped to HaloPSA client #%s, which no longer "
                                   "exists: %s not synchronised. Map it to another "
                                   "client.", mapped, were);
      return NULL;
    }

  for (guint i = 0; i < p->in->clients->len; i++)
    {
      LsnRecord *client = g_ptr_array_index (p->in->clients, i);
      g_autofree char *pk = pair_key (c->key, lsn_record_get_remote_id (client));

      if (lsn_name_equal_exact (c->name, lsn_record_get_name (client)))
        {
          /* a person removed this pair in the customer mappings: not matched by name again */
          if (!g_hash_table_contains (p->rejected, pk))
            g_ptr_array_add (lsn_record_get_inactive (client) ? exact_inactive : exact_active,
                             client);
        }
      else if (!lsn_record_get_inactive (client) && *key != '\0'
               && g_str_equal (key, g_ptr_array_index (p->client_keys, i))
               && !g_hash_table_contains (p->rejected, pk))
        g_ptr_array_add (near, client);
    }

  if (exact_active->len == 1)
    return g_ptr_array_index (exact_active, 0);

  /* Two clients with the same name (a duplicate in HaloPSA): the one that already holds this
   * distributor's licences is the customer's; when none or several do, a person decides. */
  if (exact_active->len > 1)
    {
      LsnRecord *holder = NULL;
      guint n_holders = 0;

      for (guint i = 0; i < exact_active->len; i++)
        if (holds_our_licences (p, g_ptr_array_index (exact_active, i)))
          {
            holder = g_ptr_array_index (exact_active, i);
            n_holders++;
          }
      if (n_holders == 1)
        return holder;
    }

  if (exact_active->len > 1)
    {
      g_ptr_array_sort (exact_active, compare_records_by_id);
      for (guint i = 0; i < exact_active->len; i++)
        add_candidate (candidates, g_ptr_array_index (exact_active, i), "same name");
      names = names_list (candidates);
      a = new_action (p, p->clients_kp, LSN_ACTION_HOLD, LSN_LICENCE_REASON_AMBIGUOUS);
      a->detail = g_strdup_printf ("%u HaloPSA clients are called “%s”: %s. Map the customer to "
                                   "one of them; until then %s not synchronised.",
                                   exact_active->len, c->name, names, are);
    }
  else if (near->len > 0)
    {
      g_ptr_array_sort (near, compare_records_by_id);
      for (guint i = 0; i < near->len; i++)
        add_candidate (candidates, g_ptr_array_index (near, i), "same normalized name");
      names = names_list (candidates);
      a = new_action (p, p->clients_kp, LSN_ACTION_HOLD, LSN_LICENCE_REASON_NEAR_MATCH);
      a->detail = g_strdup_printf ("No HaloPSA client is called exactly “%s”; %s %s nearly the "
                                   "same. Confirm the match (or map the customer); until then "
                                   "%s not synchronised.", c->name, names,
                                   near->len == 1 ? "is" : "are", are);
    }
  else if (exact_inactive->len > 0)
    {
      for (guint i = 0; i < exact_inactive->len; i++)
        add_candidate (candidates, g_ptr_array_index (exact_inactive, i), "same name, inactive");
      names = names_list (candidates);
      a = new_action (p, p->clients_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_CLIENT_INACTIVE);
      a->detail = g_strdup_printf ("The HaloPSA client %s is inactive: %s not synchronised. "
                                   "Reactivate the client or map the customer to another one.",
                                   names, were);
    }
  else
    {
      g_autoptr(GArray) scored = g_array_new (FALSE, FALSE, sizeof (Scored));

      for (guint i = 0; i < p->in->clients->len; i++)
        {
          LsnRecord *client = g_ptr_array_index (p->in->clients, i);
          g_autofree char *pk = pair_key (c->key, lsn_record_get_remote_id (client));
          Scored s = { client, 0 };

          if (lsn_record_get_inactive (client) || g_hash_table_contains (p->rejected, pk))
            continue;
          s.score = lsn_name_similarity (key, g_ptr_array_index (p->client_keys, i));
          if (s.score >= NEAREST_MIN_SIMILARITY)
            g_array_append_val (scored, s);
        }
      g_array_sort (scored, compare_scored);
      for (guint i = 0; i < MIN (scored->len, NEAREST_SHOWN); i++)
        {
          Scored *s = &g_array_index (scored, Scored, i);
          g_autofree char *evidence = g_strdup_printf ("name similarity %.2f", s->score);
          add_candidate (candidates, s->client, evidence);
        }
      names = names_list (candidates);
      a = new_action (p, p->clients_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_NO_CLIENT);
      if (json_array_get_length (candidates) > 0)
        a->detail = g_strdup_printf ("No HaloPSA client matches the customer “%s”, so %s not "
                                     "synchronised. Nearest clients: %s. Map the customer to "
                                     "one of them, or create it in HaloPSA.", c->name, were,
                                     names);
      else
        a->detail = g_strdup_printf ("No HaloPSA client matches the customer “%s”, and none has a "
                                     "similar name, so %s not synchronised. Create the "
                                     "client in HaloPSA or map the customer.", c->name, were);
    }

  a->source_id = g_strdup (c->key);
  a->source_name = g_strdup (c->name);
  if (json_array_get_length (candidates) > 0)
    a->candidates = json_array_ref (candidates);
  return NULL;
}

/* -------------------------------------------------------------------------------------------- */
/* Licences                                                                                      */

static gboolean
licence_is_ours (Planner   *p,
                 LsnRecord *licence)
{
  return lsn_licence_distributor_equal (lsn_record_get_string (licence, "distributor"),
                                        p->in->distributor);
}

static gboolean
licence_is_unowned (LsnRecord *licence)
{
  return is_blank (lsn_record_get_string (licence, "distributor"));
}

static gboolean
licence_is_product (LsnRecord  *licence,
                    LsnFeedRow *row)
{
  const char *name = lsn_record_get_name (licence);

  return text_equal_ci (name, row->product_code)
         || text_equal_ci (lsn_record_get_string (licence, "product_sku"), row->product_code)
         || (row->product_name != NULL && text_equal_ci (name, row->product_name));
}

static char *
row_display (LsnFeedRow *row)
{
  return g_strdup_printf ("%s: %s", row->customer, row->product_code);
}

static void
set_row_source (LsnPlanAction *a,
                LsnFeedRow    *row)
{
  a->source_id = lsn_feed_row_key (row);
  a->source_name = row_display (row);
}

static void
set_target (LsnPlanAction *a,
            LsnRecord     *licence)
{
  a->target_id = g_strdup (lsn_record_get_remote_id (licence));
  a->target_name = g_strdup (lsn_record_get_name (licence));
}

static void
plan_create (Planner    *p,
             LsnRecord  *client,
             LsnFeedRow *row,
             gboolean    other_vendor_has_it)
{
  LsnPlanAction *a = new_action (p, p->licences_kp, LSN_ACTION_CREATE, LSN_LICENCE_REASON_NEW);
  g_autofree char *cycle = lsn_licence_cycle_normalize (row->billing_cycle);

  set_row_source (a, row);
  a->target_name = g_strdup (row->product_code);
  a->fields = json_object_new ();
  json_object_set_string_member (a->fields, "name", row->product_code);
  json_object_set_string_member (a->fields, "client_id", lsn_record_get_remote_id (client));
  json_object_set_int_member (a->fields, "quantity", row->quantity);
  if (row->has_price)
    json_object_set_double_member (a->fields, "price", row->unit_price);
  if (cycle != NULL)
    json_object_set_string_member (a->fields, "billing_cycle", cycle);
  json_object_set_string_member (a->fields, "distributor", p->in->distributor);
  json_object_set_string_member (a->fields, "product_sku", row->product_code);

  a->detail = g_strdup_printf ("%s has no %s licence of %s yet: created with quantity %" G_GINT64_FORMAT
                               "%s", lsn_record_get_name (client), p->in->distributor,
                               row->product_code, row->quantity,
                               other_vendor_has_it ? " (a licence of the same product from another "
                                                     "distributor is left as it is)" : "");
}

static void
plan_existing (Planner    *p,
               LsnRecord  *licence,
               LsnFeedRow *row)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autofree char *feed_cycle = lsn_licence_cycle_normalize (row->billing_cycle);
  g_autofree char *halo_cycle = lsn_licence_cycle_normalize (lsn_record_get_string (licence,
                                                                                    "billing_cycle"));
  LsnPlanAction *a;
  double halo_quantity = 0, halo_price = 0;
  gboolean has_quantity = record_number (licence, "quantity", &halo_quantity);
  gboolean has_price = record_number (licence, "price", &halo_price);

  if (row->quantity == 0)
    {
      a = new_action (p, p->licences_kp, LSN_ACTION_DELETE, LSN_LICENCE_REASON_QUANTITY_ZERO);
      set_row_source (a, row);
      set_target (a, licence);
      a->changes = json_array_new ();
      add_change (a->changes, "quantity",
                  has_quantity ? json_node_init_int (json_node_alloc (), llround (halo_quantity)) : NULL,
                  json_node_init_int (json_node_alloc (), 0));
      a->detail = g_strdup_printf ("The invoice has quantity 0 for %s: licence #%s is deleted",
                                   row->product_code, lsn_record_get_remote_id (licence));
      return;
    }

  if (!has_quantity || (gint64) llround (halo_quantity) != row->quantity)
    {
      json_object_set_int_member (fields, "quantity", row->quantity);
      add_change (changes, "quantity",
                  has_quantity ? json_node_init_int (json_node_alloc (), llround (halo_quantity)) : NULL,
                  json_node_init_int (json_node_alloc (), row->quantity));
    }
  if (row->has_price && (!has_price || fabs (halo_price - row->unit_price) >= 0.005))
    {
      json_object_set_double_member (fields, "price", row->unit_price);
      add_change (changes, "price",
                  has_price ? json_node_init_double (json_node_alloc (), halo_price) : NULL,
                  json_node_init_double (json_node_alloc (), row->unit_price));
    }
  if (feed_cycle != NULL && !text_equal_ci (feed_cycle, halo_cycle))
    {
      const char *before = lsn_record_get_string (licence, "billing_cycle");

      json_object_set_string_member (fields, "billing_cycle", feed_cycle);
      add_change (changes, "billing_cycle",
                  before ? json_node_init_string (json_node_alloc (), before) : NULL,
                  json_node_init_string (json_node_alloc (), feed_cycle));
    }

  if (json_object_get_size (fields) == 0)
    {
      /* nothing differs: no request (the document resends every licence every time) */
      a = new_action (p, p->licences_kp, LSN_ACTION_REFRESH, LSN_LICENCE_REASON_UNCHANGED);
      set_row_source (a, row);
      set_target (a, licence);
      return;
    }

  if (licence_is_unowned (licence))
    {
      json_object_set_string_member (fields, "distributor", p->in->distributor);
      add_change (changes, "distributor", NULL,
                  json_node_init_string (json_node_alloc (), p->in->distributor));
    }

  a = new_action (p, p->licences_kp, LSN_ACTION_UPDATE, LSN_LICENCE_REASON_CHANGED);
  set_row_source (a, row);
  set_target (a, licence);
  a->fields = g_steal_pointer (&fields);
  a->changes = g_steal_pointer (&changes);
  a->detail = g_strdup_printf ("The invoice differs from licence #%s in %u field%s",
                               lsn_record_get_remote_id (licence),
                               json_array_get_length (a->changes),
                               json_array_get_length (a->changes) == 1 ? "" : "s");
}

/* The inactive licence of @client a row matches when no active one does: the one a saved
 * mapping names, else one of this distributor's, else one without a distributor (another
 * distributor's licence is never matched, nor a pair a person rejected, as for active
 * licences). It is not remembered as a mapping (licence_matches): nothing was decided. */
/* Whether @l may be matched to @row by its name: not taken by another row, of the row's
 * product, and not a pair a person removed in the product mappings. */
static gboolean
licence_may_match (Planner    *p,
                   LsnRecord  *l,
                   LsnFeedRow *row,
                   const char *row_key)
{
  g_autofree char *pk = NULL;

  if (g_hash_table_contains (p->claimed, lsn_record_get_remote_id (l))
      || !licence_is_product (l, row))
    return FALSE;
  pk = pair_key (row_key, lsn_record_get_remote_id (l));
  return !g_hash_table_contains (p->rejected, pk);
}

static LsnRecord *
match_inactive (Planner    *p,
                LsnRecord  *client,
                LsnFeedRow *row)
{
  GPtrArray *inactive = g_hash_table_lookup (p->inactive_of, lsn_record_get_remote_id (client));
  g_autofree char *row_key = NULL;
  const char *mapped;
  LsnRecord *unowned = NULL;

  if (inactive == NULL)
    return NULL;

  row_key = lsn_feed_row_key (row);
  mapped = g_hash_table_lookup (p->mapped_licence, row_key);
  for (guint i = 0; mapped != NULL && i < inactive->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (inactive, i);

      if (g_str_equal (lsn_record_get_remote_id (l), mapped)
          && !g_hash_table_contains (p->claimed, mapped))
        return l;
    }

  for (guint i = 0; i < inactive->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (inactive, i);

      if (!licence_may_match (p, l, row, row_key))
        continue;
      if (licence_is_ours (p, l))
        return l;
      if (unowned == NULL && licence_is_unowned (l))
        unowned = l;
    }
  return unowned;
}

static void
plan_inactive (Planner    *p,
               LsnRecord  *client,
               LsnRecord  *licence,
               LsnFeedRow *row)
{
  LsnPlanAction *a;

  if (row->quantity == 0)
    {
      a = new_action (p, p->licences_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_INACTIVE);
      a->detail = g_strdup_printf ("The invoice has quantity 0 for %s and licence #%s (%s) of %s "
                                   "is already inactive in HaloPSA: nothing to send",
                                   row->product_code, lsn_record_get_remote_id (licence),
                                   lsn_record_get_name (licence), lsn_record_get_name (client));
    }
  else
    {
      a = new_action (p, p->licences_kp, LSN_ACTION_HOLD, LSN_LICENCE_REASON_INACTIVE);
      a->detail = g_strdup_printf ("Licence #%s (%s) of %s is inactive in HaloPSA, but the invoice "
                                   "bills %" G_GINT64_FORMAT " of %s: it is not updated, and no "
                                   "second licence is created. Activate it in HaloPSA to keep it "
                                   "in step with the invoice, or delete it (the next run then "
                                   "creates a new one).", lsn_record_get_remote_id (licence),
                                   lsn_record_get_name (licence), lsn_record_get_name (client),
                                   row->quantity, row->product_code);
    }
  set_row_source (a, row);
  set_target (a, licence);
}

static void
plan_customer_licences (Planner   *p,
                        Customer  *c,
                        LsnRecord *client)
{
  GPtrArray *licences = g_hash_table_lookup (p->licences_of, lsn_record_get_remote_id (client));
  guint n_licences = licences ? licences->len : 0;

  p->n_managed += n_licences;

  for (guint r = 0; r < c->rows->len; r++)
    {
      LsnFeedRow *row = g_ptr_array_index (c->rows, r);
      g_autofree char *row_key = lsn_feed_row_key (row);
      const char *mapped = g_hash_table_lookup (p->mapped_licence, row_key);
      LsnRecord *match = NULL, *unowned = NULL;
      gboolean other_vendor = FALSE;

      if (g_hash_table_contains (p->excluded, row_key))
        {
          LsnPlanAction *a = new_action (p, p->licences_kp, LSN_ACTION_SKIP,
                                         LSN_LICENCE_REASON_EXCLUDED);
          set_row_source (a, row);
          a->detail = g_strdup_printf ("%s of %s is left out of the sync in its product mapping: "
                                       "nothing is written for it", row->product_code,
                                       lsn_record_get_name (client));
          /* its licence is not the clean-up's either */
          if (mapped != NULL && g_hash_table_lookup (p->licence_by_id, mapped) != NULL)
            {
              LsnRecord *l = g_hash_table_lookup (p->licence_by_id, mapped);
              g_hash_table_add (p->claimed, (gpointer) lsn_record_get_remote_id (l));
            }
          continue;
        }

      if (mapped != NULL)
        {
          LsnRecord *l = g_hash_table_lookup (p->licence_by_id, mapped);
          /* an inactive licence of another client is held the same way (one of this client is
           * match_inactive's) */
          LsnRecord *elsewhere = l != NULL ? NULL : g_hash_table_lookup (p->inactive_by_id, mapped);

          if (elsewhere != NULL && g_strcmp0 (lsn_record_get_string (elsewhere, "client_id"),
                                              lsn_record_get_remote_id (client)) != 0)
            l = elsewhere;

          /* a mapping to a licence of another client (the customer was mapped to another client
           * since) is not followed: writing would move quantities between customers */
          if (l != NULL && g_strcmp0 (lsn_record_get_string (l, "client_id"),
                                      lsn_record_get_remote_id (client)) != 0
              && g_hash_table_contains (p->auto_mapped, row_key))
            {
              /* a remembered name match from before the customer was mapped elsewhere: matched
               * afresh under the new client */
              l = NULL;
              mapped = NULL;
              if (p->in->licence_matches != NULL)   /* forgotten, unless matched again */
                g_hash_table_replace (p->in->licence_matches, g_strdup (row_key), g_strdup (""));
            }
          else if (l != NULL && g_strcmp0 (lsn_record_get_string (l, "client_id"),
                                           lsn_record_get_remote_id (client)) != 0)
            {
              LsnPlanAction *a = new_action (p, p->licences_kp, LSN_ACTION_HOLD,
                                             LSN_LICENCE_REASON_MAPPED_ELSEWHERE);
              set_row_source (a, row);
              set_target (a, l);
              a->detail = g_strdup_printf ("%s is mapped to licence #%s%s, which belongs to another "
                                           "HaloPSA client (%s), not %s: nothing is written. Map "
                                           "the product again.", row->product_code, mapped,
                                           lsn_record_get_inactive (l) ? " (inactive)" : "",
                                           lsn_record_get_string (l, "client_name")
                                             ? lsn_record_get_string (l, "client_name")
                                             : lsn_record_get_string (l, "client_id"),
                                           lsn_record_get_name (client));
              /* an active one is not the clean-up's; an inactive one stays its own client's
               * (its row is held, not duplicated) */
              if (!lsn_record_get_inactive (l))
                g_hash_table_add (p->claimed, (gpointer) lsn_record_get_remote_id (l));
              continue;
            }
          if (l != NULL && !lsn_record_get_inactive (l) && !g_hash_table_contains (p->claimed, mapped))
            match = l;
        }

      for (guint i = 0; match == NULL && i < n_licences; i++)
        {
          LsnRecord *l = g_ptr_array_index (licences, i);

          if (!licence_may_match (p, l, row, row_key))
            continue;
          if (licence_is_ours (p, l))
            match = l;
          else if (licence_is_unowned (l))
            {
              if (unowned == NULL)
                unowned = l;
            }
          else
            other_vendor = TRUE;
        }
      if (match == NULL)
        match = unowned;

      /* no active licence: an inactive one of the product stops a duplicate from being created */
      if (match == NULL)
        {
          LsnRecord *inactive = match_inactive (p, client, row);

          if (inactive != NULL)
            {
              g_hash_table_add (p->claimed, (gpointer) lsn_record_get_remote_id (inactive));
              plan_inactive (p, client, inactive, row);
              continue;
            }
        }

      if (match == NULL)
        {
          if (row->quantity > 0)
            plan_create (p, client, row, other_vendor);
          else
            {
              LsnPlanAction *a = new_action (p, p->licences_kp, LSN_ACTION_SKIP,
                                             LSN_LICENCE_REASON_NOTHING_TO_DO);
              set_row_source (a, row);
              a->detail = g_strdup_printf ("Quantity 0 and %s has no %s licence of %s: nothing "
                                           "to do", lsn_record_get_name (client),
                                           p->in->distributor, row->product_code);
            }
          continue;
        }

      g_hash_table_add (p->claimed, (gpointer) lsn_record_get_remote_id (match));
      if (p->in->licence_matches != NULL)
        g_hash_table_replace (p->in->licence_matches, g_strdup (row_key),
                              g_strdup (lsn_record_get_remote_id (match)));
      plan_existing (p, match, row);

      /* a second licence of ours for the same product: a person decides (an inactive one next
       * to the active match is left as it is, without an action) */
      for (guint i = 0; i < n_licences; i++)
        {
          LsnRecord *l = g_ptr_array_index (licences, i);
          LsnPlanAction *a;

          if (g_hash_table_contains (p->claimed, lsn_record_get_remote_id (l))
              || !licence_is_ours (p, l) || !licence_is_product (l, row))
            continue;
          g_hash_table_add (p->claimed, (gpointer) lsn_record_get_remote_id (l));
          a = new_action (p, p->licences_kp, LSN_ACTION_HOLD, LSN_LICENCE_REASON_DUPLICATE);
          set_row_source (a, row);
          set_target (a, l);
          a->detail = g_strdup_printf ("%s has two %s licences of %s (#%s, kept in step with the "
                                       "invoice, and #%s): #%s is neither updated nor deleted; "
                                       "merge them by hand",
                                       lsn_record_get_name (client), p->in->distributor,
                                       row->product_code, lsn_record_get_remote_id (match),
                                       lsn_record_get_remote_id (l), lsn_record_get_remote_id (l));
        }
    }

  /* clean-up: what the invoice no longer bills. Only active licences are here: an inactive
   * licence of ours that the invoice no longer bills is left alone, without an action (neither
   * deleted nor reported: deactivating a licence is how a person ends it in HaloPSA, and a skip
   * for it on every run would bury the actions that need someone) */
  for (guint i = 0; i < n_licences; i++)
    {
      LsnRecord *l = g_ptr_array_index (licences, i);
      LsnPlanAction *a;
      const char *distributor = lsn_record_get_string (l, "distributor");

      if (g_hash_table_contains (p->claimed, lsn_record_get_remote_id (l)))
        continue;

      if (licence_is_ours (p, l))
        {
          a = new_action (p, p->licences_kp, LSN_ACTION_DELETE, LSN_LICENCE_REASON_NOT_ON_INVOICE);
          a->detail = g_strdup_printf ("%s licence #%s (%s) of %s is not on the invoice any more: "
                                       "deleted", p->in->distributor, lsn_record_get_remote_id (l),
                                       lsn_record_get_name (l), lsn_record_get_name (client));
        }
      else if (!is_blank (distributor))
        {
          a = new_action (p, p->licences_kp, LSN_ACTION_SKIP, LSN_LICENCE_REASON_OTHER_VENDOR);
          a->detail = g_strdup_printf ("Licence #%s (%s) of %s comes from %s, not %s: kept",
                                       lsn_record_get_remote_id (l), lsn_record_get_name (l),
                                       lsn_record_get_name (client), distributor,
                                       p->in->distributor);
        }
      else
        continue; /* no distributor: entered by hand, not this feed's */

      a->source_id = g_strdup (c->key);
      a->source_name = g_strdup (c->name);
      set_target (a, l);
    }
}

/* -------------------------------------------------------------------------------------------- */

/**
 * lsn_licence_planner_plan:
 *
 * Returns: (transfer full): the plan, with a "client" kind (customers skipped or held) and a
 *   "licence" kind (creates, updates, deletes, skips, holds; unchanged licences as refreshes,
 *   which send nothing)
 */
LsnPlan *
lsn_licence_planner_plan (const LsnLicencePlanInput *in)
{
  Planner p = { 0 };
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func ((GDestroyNotify) customer_free);
  g_autoptr(GHashTable) customer_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  LsnPlan *plan = lsn_plan_new ();
  guint updates, deletes, limit, n_records;

  g_return_val_if_fail (in != NULL && in->rows != NULL && in->clients != NULL
                        && in->licences != NULL && in->distributor != NULL, plan);

  p.in = in;
  p.plan = plan;
  p.clients_kp = lsn_plan_add_kind (plan, LSN_KIND_CLIENT);
  p.licences_kp = lsn_plan_add_kind (plan, LSN_KIND_LICENCE);
  p.client_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  p.client_keys = g_ptr_array_new_with_free_func (g_free);
  p.licence_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  p.inactive_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  p.licences_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_ptr_array_unref);
  p.inactive_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_ptr_array_unref);
  p.mapped_client = g_hash_table_new (g_str_hash, g_str_equal);
  p.rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p.mapped_licence = g_hash_table_new (g_str_hash, g_str_equal);
  p.excluded = g_hash_table_new (g_str_hash, g_str_equal);
  p.auto_mapped = g_hash_table_new (g_str_hash, g_str_equal);
  p.claimed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < in->clients->len; i++)
    {
      LsnRecord *client = g_ptr_array_index (in->clients, i);
      g_hash_table_insert (p.client_by_id, (gpointer) lsn_record_get_remote_id (client), client);
      g_ptr_array_add (p.client_keys, lsn_name_key (lsn_record_get_name (client)));
    }

  /* Inactive licences are kept apart (inactive_of, inactive_by_id), out of licence_by_id and
   * licences_of: they are only ever matched as the last resort for a row (plan_customer_licences),
   * so the clean-up, the duplicate check and the choice between two clients of the same name see
   * active licences only (a saved mapping to another client's inactive one is held). Nor do they
   * count for the mass-change guard's record count (n_managed): the planner never updates or
   * deletes them, so counting them would let a larger share of the active licences change
   * without a confirmation. */
  for (guint i = 0; i < in->licences->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (in->licences, i);
      const char *client_id = lsn_record_get_string (l, "client_id");
      GHashTable *of = lsn_record_get_inactive (l) ? p.inactive_of : p.licences_of;
      GPtrArray *list;

      g_hash_table_insert (lsn_record_get_inactive (l) ? p.inactive_by_id : p.licence_by_id,
                           (gpointer) lsn_record_get_remote_id (l), l);
      if (client_id == NULL)
        continue;
      list = g_hash_table_lookup (of, client_id);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (of, (gpointer) client_id, list);
        }
      g_ptr_array_add (list, l);
    }
  {
    GHashTable *tables[] = { p.licences_of, p.inactive_of };

    for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
      {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init (&iter, tables[t]);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          g_ptr_array_sort (value, compare_records_by_id);
      }
  }

  for (guint i = 0; in->client_links && i < in->client_links->len; i++)
    {
      LsnLink *link = g_ptr_array_index (in->client_links, i);
      g_hash_table_insert (p.mapped_client, (gpointer) feed_id_of (&p, link),
                           (gpointer) halo_id_of (&p, link));
      if (!link->included)
        g_hash_table_add (p.excluded, (gpointer) feed_id_of (&p, link));
      if (g_strcmp0 (link->origin, "auto") == 0)
        g_hash_table_add (p.auto_mapped, (gpointer) feed_id_of (&p, link));
    }
  for (guint i = 0; in->client_decisions && i < in->client_decisions->len; i++)
    {
      LsnDecision *d = g_ptr_array_index (in->client_decisions, i);
      const char *feed_id = in->feed_side == LSN_SIDE_LEFT ? d->left_id : d->right_id;
      const char *halo_id = in->feed_side == LSN_SIDE_LEFT ? d->right_id : d->left_id;

      if (d->accepted)
        {
          if (!g_hash_table_contains (p.mapped_client, feed_id))
            g_hash_table_insert (p.mapped_client, (gpointer) feed_id, (gpointer) halo_id);
        }
      else
        g_hash_table_add (p.rejected, pair_key (feed_id, halo_id));
    }
  for (guint i = 0; in->licence_decisions && i < in->licence_decisions->len; i++)
    {
      LsnDecision *d = g_ptr_array_index (in->licence_decisions, i);

      if (!d->accepted)
        g_hash_table_add (p.rejected,
                          in->feed_side == LSN_SIDE_LEFT ? pair_key (d->left_id, d->right_id)
                                                         : pair_key (d->right_id, d->left_id));
    }
  for (guint i = 0; in->licence_links && i < in->licence_links->len; i++)
    {
      LsnLink *link = g_ptr_array_index (in->licence_links, i);
      g_hash_table_insert (p.mapped_licence, (gpointer) feed_id_of (&p, link),
                           (gpointer) halo_id_of (&p, link));
      if (!link->included)
        g_hash_table_add (p.excluded, (gpointer) feed_id_of (&p, link));
      if (g_strcmp0 (link->origin, "auto") == 0)
        g_hash_table_add (p.auto_mapped, (gpointer) feed_id_of (&p, link));
    }

  /* customers, in invoice order */
  for (guint i = 0; i < in->rows->len; i++)
    {
      LsnFeedRow *row = g_ptr_array_index (in->rows, i);
      g_autofree char *key = lsn_feed_row_customer_key (row);
      Customer *c = g_hash_table_lookup (customer_by_key, key);

      if (c == NULL)
        {
          c = g_new0 (Customer, 1);
          c->key = g_steal_pointer (&key);
          c->name = row->customer;
          c->rows = g_ptr_array_new ();
          g_ptr_array_add (customers, c);
          g_hash_table_insert (customer_by_key, c->key, c);
        }
      g_ptr_array_add (c->rows, row);
    }

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);
      LsnRecord *client = match_customer (&p, c);

      if (client != NULL)
        {
          if (in->matches != NULL)
            g_hash_table_replace (in->matches, g_strdup (c->key),
                                  g_strdup (lsn_record_get_remote_id (client)));
          plan_customer_licences (&p, c, client);
        }
    }

  /* the mass-change guard */
  n_records = MAX (in->rows->len, p.n_managed);
  p.clients_kp->n_records = customers->len;
  p.licences_kp->n_records = n_records;
  updates = lsn_kind_plan_count (p.licences_kp, LSN_ACTION_UPDATE);
  deletes = lsn_kind_plan_count (p.licences_kp, LSN_ACTION_DELETE);
  limit = MAX (in->guard_min, (guint) ceil (in->guard_share * n_records));
  if (!in->confirmed && (updates > limit || deletes > limit))
    {
      p.licences_kp->guarded = TRUE;
      p.licences_kp->guard_message =
        g_strdup_printf ("%u updates and %u deletes of %u licences exceed the mass-change limit "
                         "of %u (%.0f %%, at least %u). No licence was written. Check the plan, "
                         "then confirm (liaisonctl sync --yes, or Sync in the window) to apply "
                         "it.", updates, deletes, n_records, limit, in->guard_share * 100,
                         in->guard_min);
    }

  g_hash_table_unref (p.client_by_id);
  g_ptr_array_unref (p.client_keys);
  g_hash_table_unref (p.licence_by_id);
  g_hash_table_unref (p.inactive_by_id);
  g_hash_table_unref (p.licences_of);
  g_hash_table_unref (p.inactive_of);
  g_hash_table_unref (p.mapped_client);
  g_hash_table_unref (p.rejected);
  g_hash_table_unref (p.mapped_licence);
  g_hash_table_unref (p.excluded);
  g_hash_table_unref (p.auto_mapped);
  g_hash_table_unref (p.claimed);

  return plan;
}

static void
licence_customer_free (LsnLicenceCustomer *c)
{
  g_free (c->name);
  g_ptr_array_unref (c->actions);
  g_free (c);
}

/* The customer an action is about. Licence rows are named "Customer: PRODUCT" and have the id
 * "customer key|product code"; the other actions are named after the customer. */
static char *
action_customer (LsnPlanAction *a,
                 const char    *no_customer)
{
  const char *name = a->source_name != NULL ? a->source_name : a->target_name;
  const char *colon;

  if (name == NULL)
    return g_strdup (no_customer);
  if (a->source_id != NULL && strchr (a->source_id, '|') != NULL
      && (colon = g_strrstr (name, ": ")) != NULL)
    return g_strndup (name, colon - name);
  return g_strdup (name);
}

static void
count_action (LsnLicenceCustomer *c,
              LsnActionType       type)
{
  switch (type)
    {
    case LSN_ACTION_CREATE: c->creates++; break;
    case LSN_ACTION_UPDATE: c->updates++; break;
    case LSN_ACTION_DELETE: c->deletes++; break;
    case LSN_ACTION_SKIP: case LSN_ACTION_HOLD: c->skips++; break;
    default: c->others++; break;
    }
}

/**
 * lsn_licence_plan_customers:
 * @plan: a licence plan
 * @no_customer: the name of the group of actions about no customer
 * @totals: (out caller-allocates) (optional): the counts of the whole plan (its name and actions
 *   are left unset)
 *
 * The plan as the preview shows it: by invoice customer, in the plan's order, each with its
 * actions (unchanged licences included, for the caller to leave out) and how many of each.
 *
 * Returns: (transfer container) (element-type LsnLicenceCustomer): the customers
 */
GPtrArray *
lsn_licence_plan_customers (LsnPlan            *plan,
                            const char         *no_customer,
                            LsnLicenceCustomer *totals)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *customers = g_ptr_array_new_with_free_func ((GDestroyNotify) licence_customer_free);
  LsnLicenceCustomer all = { 0 };

  for (guint k = 0; plan != NULL && k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);

      for (guint i = 0; i < kp->actions->len; i++)
        {
          LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
          g_autofree char *name = action_customer (a, no_customer);
          LsnLicenceCustomer *c = g_hash_table_lookup (by_name, name);

          if (c == NULL)
            {
              c = g_new0 (LsnLicenceCustomer, 1);
              c->name = g_steal_pointer (&name);
              c->actions = g_ptr_array_new ();
              g_ptr_array_add (customers, c);
              g_hash_table_insert (by_name, c->name, c);
            }
          g_ptr_array_add (c->actions, a);
          count_action (c, a->type);
          count_action (&all, a->type);
        }
    }
  if (totals != NULL)
    *totals = all;
  return customers;
}

static void
append_counts (GString                  *out,
               const LsnLicenceCustomer *c)
{
  g_string_append_printf (out, "%u to create, %u to update, %u to delete, %u skipped",
                          c->creates, c->updates, c->deletes, c->skips);
}

/**
 * lsn_licence_plan_to_text:
 * @plan: a licence plan
 *
 * Returns: (transfer full): what liaisonctl prints for a licence plan: the totals, then each
 *   invoice customer with its counts and its actions, as the window's preview groups them
 */
char *
lsn_licence_plan_to_text (LsnPlan *plan)
{
  g_autoptr(GString) out = g_string_new (NULL);
  LsnLicenceCustomer totals;
  g_autoptr(GPtrArray) customers = lsn_licence_plan_customers (plan, "(no customer)", &totals);

  append_counts (out, &totals);
  g_string_append_c (out, '\n');
  for (guint k = 0; plan != NULL && k < plan->kinds->len; k++)
    {
      LsnKindPlan *kp = g_ptr_array_index (plan->kinds, k);
      if (kp->guarded)
        g_string_append_printf (out, "STOPPED by the mass-change guard: %s\n", kp->guard_message);
    }
  for (guint i = 0; i < customers->len; i++)
    {
      LsnLicenceCustomer *c = g_ptr_array_index (customers, i);

      g_string_append_printf (out, "\n%s: ", c->name);
      append_counts (out, c);
      g_string_append_c (out, '\n');
      for (guint j = 0; j < c->actions->len; j++)
        lsn_plan_action_append_text (g_ptr_array_index (c->actions, j), out);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
