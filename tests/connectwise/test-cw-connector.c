/* test-cw-connector.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ConnectWise Manage connector over real HTTP against the in-process sandbox: every
 * operation, the conditions grammar, both paging styles, PATCH semantics, incremental pulls,
 * faults, budget and every authentication failure.
 */

#include "config.h"

#include <string.h>

#include "lsn-connector.h"
#include "lsn-error.h"
#include "lsn-http-client.h"
#include "lsn-test-util.h"
#include "connectwise/lsn-connectwise-connector.h"
#include "connectwise/lsn-connectwise-query.h"

typedef struct
{
  LsnSandbox   *sandbox;
  JsonObject   *settings;     /* the "connectwise" part of the ready line, private key removed */
  char         *private_key;
  LsnConnector *cw;
} Fixture;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
copy_settings (JsonObject *settings)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, settings);
  text = json_to_string (node, FALSE);
  return parse_object (text);
}

static LsnConnector *
make_connector (Fixture    *fixture,
                JsonObject *settings,
                const char *private_key)
{
  g_autoptr(GError) error = NULL;
  LsnConnector *cw = lsn_connector_new_from_settings (settings ? settings : fixture->settings,
                                                      private_key ? private_key : fixture->private_key,
                                                      &error);

  g_assert_no_error (error);
  g_assert_true (LSN_IS_CONNECTWISE_CONNECTOR (cw));
  /* keep waits short: the sandbox's faults are not real outages */
  lsn_http_client_set_backoff (lsn_connector_get_http (cw), 5, 50);
  return cw;
}

static void
fixture_setup_with (Fixture                 *fixture,
                    const LsnSandboxOptions *options)
{
  g_autofree char *ready = NULL;
  g_autoptr(JsonObject) line = NULL;
  JsonObject *cw;

  fixture->sandbox = lsn_test_start_sandbox (options);
  ready = lsn_sandbox_ready_line (fixture->sandbox);
  line = parse_object (ready);
  cw = json_object_get_object_member (line, "connectwise");
  g_assert_nonnull (cw);

  fixture->settings = copy_settings (cw);
  fixture->private_key = g_strdup (json_object_get_string_member (cw, "private_key"));
  json_object_remove_member (fixture->settings, "private_key");
  json_object_set_string_member (fixture->settings, "connector", "connectwise");

  fixture->cw = make_connector (fixture, NULL, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  LsnSandboxOptions options;

  lsn_sandbox_options_init (&options);
  options.halo_clients = 0;
  options.cw_limit = 100000;
  options.cw_window = 60;
  options.stall_ms = 2000;
  fixture_setup_with (fixture, &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->cw);
  lsn_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
  g_clear_pointer (&fixture->settings, json_object_unref);
  g_free (fixture->private_key);
}

static void
configure (Fixture    *fixture,
           const char *json)
{
  g_autoptr(GError) error = NULL;

  lsn_sandbox_configure (fixture->sandbox, "connectwise", json, &error);
  g_assert_no_error (error);
}

static guint64
requests_of (LsnConnector *cw)
{
  LsnHttpStats stats;

  lsn_http_client_get_stats (lsn_connector_get_http (cw), &stats);
  return stats.requests;
}

/* What the server received, which also counts what libsoup sends again by itself. */
static gint64
server_requests (Fixture *fixture)
{
  g_autofree char *json = lsn_sandbox_get_stats (fixture->sandbox, "connectwise");
  g_autoptr(JsonObject) stats = parse_object (json);

  return json_object_get_int_member (stats, "requests");
}

static GPtrArray *
list_all (LsnConnector *cw,
          const char   *kind,
          gboolean      include_inactive,
          guint         page_size)
{
  LsnListOptions options = { .include_inactive = include_inactive, .page_size = page_size };
  g_autoptr(GError) error = NULL;
  GPtrArray *records = lsn_connector_list_all (cw, kind, &options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  return records;
}

static LsnRecord *
find_record (GPtrArray  *records,
             const char *remote_id)
{
  for (guint i = 0; i < records->len; i++)
    if (g_str_equal (lsn_record_get_remote_id (g_ptr_array_index (records, i)), remote_id))
      return g_ptr_array_index (records, i);
  return NULL;
}

static const char *
raw_string (LsnRecord  *record,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  JsonObject *obj = lsn_record_get_raw (record);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] && obj; i++)
    {
      node = json_object_get_member (obj, parts[i]);
      obj = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
id_of (LsnRecord *record)
{
  gint64 id = 0;

  g_assert_true (lsn_connectwise_parse_id (lsn_record_get_remote_id (record), &id));
  return id;
}

static void
assert_error_quotes (const GError *error,
                     const char   *needle)
{
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("The error “%s” does not quote “%s”", error->message, needle);
}

/* ---- Listing ---------------------------------------------------------------------------------- */

static void
test_list_clients (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) all = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  g_autoptr(GPtrArray) active = list_all (fixture->cw, LSN_KIND_CLIENT, FALSE, 0);
  g_autoptr(GError) error = NULL;
  gint64 count = lsn_connectwise_connector_count_where (LSN_CONNECTWISE_CONNECTOR (fixture->cw),
                                                        LSN_KIND_CLIENT, NULL, NULL, NULL, &error);
  guint expected_active = 0;

  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 100);
  g_assert_cmpuint (all->len, ==, 100);
  g_assert_cmpstr (lsn_connectwise_connector_get_codebase (LSN_CONNECTWISE_CONNECTOR (fixture->cw)), ==,
                   "v4_6_release/");

  for (guint i = 0; i < all->len; i++)
    {
      LsnRecord *record = g_ptr_array_index (all, i);
      gboolean inactive = g_strcmp0 (raw_string (record, "status/name"), "Inactive") == 0;

      /* canonical fields are what the server holds */
      g_assert_cmpstr (lsn_record_get_name (record), ==, raw_string (record, "name"));
      g_assert_cmpstr (lsn_record_get_string (record, "city"), ==, raw_string (record, "city"));
      g_assert_cmpstr (lsn_record_get_string (record, "country"), ==, raw_string (record, "country/name"));
      g_assert_cmpstr (lsn_record_get_string (record, "phone"), ==, raw_string (record, "phoneNumber"));
      g_assert_cmpint (lsn_record_get_inactive (record), ==, inactive);
      g_assert_cmpint (lsn_record_get_modified (record), >, 0);
      if (!inactive)
        expected_active++;
    }

  g_assert_cmpuint (expected_active, <, all->len);   /* the seed has inactive companies */
  g_assert_cmpuint (active->len, ==, expected_active);
  for (guint i = 0; i < active->len; i++)
    g_assert_false (lsn_record_get_inactive (g_ptr_array_index (active, i)));
}

static void
assert_same_ids (GPtrArray *a,
                 GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (lsn_record_get_remote_id (g_ptr_array_index (a, i)), ==,
                     lsn_record_get_remote_id (g_ptr_array_index (b, i)));
}

static void
test_list_paging (Fixture       *fixture,
                  gconstpointer  data)
{
  LsnConnectwiseConnector *cw = LSN_CONNECTWISE_CONNECTOR (fixture->cw);
  g_autoptr(GPtrArray) reference = NULL;
  g_autoptr(GPtrArray) forward = NULL;
  g_autoptr(GPtrArray) navigable = NULL;
  g_autoptr(GPtrArray) contacts_fwd = NULL;
  g_autoptr(GPtrArray) contacts_nav = NULL;
  guint64 before;
  guint n;

  /* warm up: codebase and company statuses are looked up once */
  reference = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  n = reference->len;

  before = requests_of (fixture->cw);
  forward = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 7);
  /* /count, then ceil (n / 7) pages: the last page is not followed by an empty one */
  g_assert_cmpuint (requests_of (fixture->cw) - before, ==, 1 + (n + 6) / 7);
  assert_same_ids (reference, forward);

  lsn_connectwise_connector_set_paging (cw, LSN_CONNECTWISE_PAGING_NAVIGABLE);
  before = requests_of (fixture->cw);
  navigable = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 7);
  g_assert_cmpuint (requests_of (fixture->cw) - before, ==, 1 + (n + 6) / 7);
  assert_same_ids (reference, navigable);

  /* ascending ids, no duplicates */
  for (guint i = 1; i < navigable->len; i++)
    g_assert_cmpint (id_of (g_ptr_array_index (navigable, i - 1)), <, id_of (g_ptr_array_index (navigable, i)));

  contacts_nav = list_all (fixture->cw, LSN_KIND_CONTACT, TRUE, 13);
  lsn_connectwise_connector_set_paging (cw, LSN_CONNECTWISE_PAGING_FORWARD_ONLY);
  contacts_fwd = list_all (fixture->cw, LSN_KIND_CONTACT, TRUE, 1000);
  assert_same_ids (contacts_nav, contacts_fwd);
  g_assert_cmpuint (contacts_fwd->len, >, 100);
}

static gboolean
stop_after_three (LsnRecord *record,
                  gpointer   user_data)
{
  guint *seen = user_data;

  return ++(*seen) < 3;
}

static void
test_list_stop_and_children (Fixture       *fixture,
                             gconstpointer  data)
{
  LsnListOptions options = { .include_inactive = TRUE, .page_size = 2 };
  LsnListOptions of_company = { .include_inactive = TRUE, .parent_id = "1" };
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GPtrArray) all_sites = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  guint seen = 0;

  /* a callback that stops the list */
  g_assert_true (lsn_connector_list (fixture->cw, LSN_KIND_CLIENT, &options, stop_after_three, &seen, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen, ==, 3);

  sites = lsn_connector_list_all (fixture->cw, LSN_KIND_SITE, &of_company, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sites->len, >=, 1);
  for (guint i = 0; i < sites->len; i++)
    {
      LsnRecord *site = g_ptr_array_index (sites, i);
      g_assert_true (g_str_has_prefix (lsn_record_get_remote_id (site), "1/"));
      g_assert_cmpstr (lsn_record_get_parent_id (site), ==, "1");
      g_assert_cmpstr (lsn_record_get_string (site, "client_id"), ==, "1");
    }

  /* without a parent: every company's sites */
  all_sites = list_all (fixture->cw, LSN_KIND_SITE, TRUE, 0);
  g_assert_cmpuint (all_sites->len, >=, 100);
  g_assert_nonnull (find_record (all_sites, lsn_record_get_remote_id (g_ptr_array_index (sites, 0))));

  /* contacts of one company */
  contacts = lsn_connector_list_all (fixture->cw, LSN_KIND_CONTACT, &of_company, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, >=, 1);
  for (guint i = 0; i < contacts->len; i++)
    g_assert_cmpstr (lsn_record_get_string (g_ptr_array_index (contacts, i), "client_id"), ==, "1");

  /* bad parents */
  {
    LsnListOptions bad = { .parent_id = "1; DROP" };
    g_autoptr(GPtrArray) none = lsn_connector_list_all (fixture->cw, LSN_KIND_SITE, &bad, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    LsnListOptions missing = { .parent_id = "99999" };
    g_autoptr(GPtrArray) none = lsn_connector_list_all (fixture->cw, LSN_KIND_SITE, &missing, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  }
}

static void
test_list_sales (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) opportunities = list_all (fixture->cw, LSN_KIND_OPPORTUNITY, TRUE, 0);
  g_autoptr(GPtrArray) products = list_all (fixture->cw, LSN_KIND_PRODUCT, TRUE, 0);
  g_autoptr(GPtrArray) additions = list_all (fixture->cw, LSN_KIND_ADDITION, TRUE, 0);
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (opportunities->len, >, 0);
  for (guint i = 0; i < opportunities->len; i++)
    {
      LsnRecord *opp = g_ptr_array_index (opportunities, i);
      g_assert_cmpstr (lsn_record_get_string (opp, "title"), ==, raw_string (opp, "name"));
      g_assert_nonnull (lsn_record_get_string (opp, "client_id"));
      g_assert_nonnull (lsn_record_get_string (opp, "owner_id"));
    }

  g_assert_cmpuint (products->len, >, 0);
  for (guint i = 0; i < products->len; i++)
    {
      LsnRecord *product = g_ptr_array_index (products, i);
      g_assert_cmpstr (lsn_record_get_string (product, "code"), ==, raw_string (product, "identifier"));
      g_assert_nonnull (lsn_record_get_string (product, "type_id"));
    }

  g_assert_cmpuint (additions->len, >, 0);
  for (guint i = 0; i < additions->len; i++)
    {
      LsnRecord *addition = g_ptr_array_index (additions, i);
      g_assert_nonnull (strchr (lsn_record_get_remote_id (addition), '/'));
      g_assert_nonnull (lsn_record_get_string (addition, "product_id"));
    }

  stages = lsn_connector_list_reference (fixture->cw, "stage", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stages->len, >, 0);
}

static void
test_reference_lists (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const kinds[] = {
    "stage", "opportunity_status", "opportunity_type", "opportunity_rating", "company_type",
    "company_status", "product_type", "category", "subcategory", "taxcode", "tax", "agreement", "member",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GPtrArray) records = lsn_connector_list_reference (fixture->cw, kinds[i], NULL, &error);

      if (error)
        g_error ("%s: %s", kinds[i], error->message);
      g_assert_cmpuint (records->len, >, 0);
      for (guint j = 0; j < records->len; j++)
        g_assert_nonnull (lsn_record_get_name (g_ptr_array_index (records, j)));
    }

  {
    g_autoptr(GPtrArray) statuses = lsn_connector_list_reference (fixture->cw, "company_status", NULL, &error);
    gboolean saw_inactive = FALSE;
    for (guint i = 0; i < statuses->len; i++)
      {
        LsnRecord *status = g_ptr_array_index (statuses, i);
        if (g_str_equal (lsn_record_get_name (status), "Inactive"))
          {
            g_assert_true (lsn_record_get_inactive (status));
            saw_inactive = TRUE;
          }
      }
    g_assert_true (saw_inactive);
  }

  g_assert_null (lsn_connector_list_reference (fixture->cw, "client", NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lsn_connector_list_reference (fixture->cw, "ticket", NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_fields (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const kinds[] = { "client", "site", "contact", "opportunity", "product", "addition" };
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GPtrArray) fields = lsn_connector_list_fields (fixture->cw, kinds[k], NULL, &error);
      gboolean saw_custom = FALSE;

      g_assert_no_error (error);
      g_assert_cmpuint (fields->len, >, 5);
      for (guint i = 0; i < fields->len; i++)
        {
          LsnFieldInfo *info = g_ptr_array_index (fields, i);
          g_assert_cmpstr (info->kind, ==, kinds[k]);
          if (info->custom)
            {
              saw_custom = TRUE;
              if (g_str_equal (kinds[k], "client"))
                {
                  g_assert_cmpstr (info->name, ==, "customField:4");
                  g_assert_cmpstr (info->label, ==, "Account Tier");
                }
            }
        }
      /* the seed gives companies a custom field */
      if (g_str_equal (kinds[k], "client"))
        g_assert_true (saw_custom);
    }
}

/* ---- The conditions grammar ------------------------------------------------------------------ */

typedef gboolean (*Predicate) (LsnRecord *record, gpointer data);

static gboolean
collect (LsnRecord *record,
         gpointer   user_data)
{
  g_ptr_array_add (user_data, g_object_ref (record));
  return TRUE;
}

static GPtrArray *
list_where (Fixture    *fixture,
            const char *conditions,
            GError    **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);

  if (!lsn_connectwise_connector_list_where (LSN_CONNECTWISE_CONNECTOR (fixture->cw), LSN_KIND_CLIENT, NULL,
                                             conditions, 0, collect, records, NULL, error))
    return NULL;
  return g_steal_pointer (&records);
}

/* Checks that @conditions selects exactly the records of @all that @expected selects. */
static void
check_selects (Fixture    *fixture,
               GPtrArray  *all,
               const char *conditions,
               Predicate   expected,
               gpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = list_where (fixture, conditions, &error);
  guint wanted = 0;

  if (error)
    g_error ("conditions %s: %s", conditions, error->message);

  for (guint i = 0; i < all->len; i++)
    {
      LsnRecord *record = g_ptr_array_index (all, i);
      gboolean want = expected (record, data);
      gboolean have = find_record (got, lsn_record_get_remote_id (record)) != NULL;

      if (want != have)
        g_error ("conditions %s: company %s (%s) %s", conditions, lsn_record_get_remote_id (record),
                 lsn_record_get_name (record), want ? "missing" : "selected but should not be");
      wanted += want;
    }
  g_assert_cmpuint (got->len, ==, wanted);
  g_test_message ("%s: %u of %u", conditions, wanted, all->len);
}

static gboolean p_id_5 (LsnRecord *r, gpointer d) { return id_of (r) == 5; }
static gboolean p_id_in (LsnRecord *r, gpointer d) { gint64 id = id_of (r); return id == 3 || id == 5 || id == 8; }
static gboolean p_id_gt_90 (LsnRecord *r, gpointer d) { return id_of (r) > 90; }
static gboolean p_id_10_12 (LsnRecord *r, gpointer d) { return id_of (r) >= 10 && id_of (r) <= 12; }
static gboolean p_id_not_5 (LsnRecord *r, gpointer d) { return id_of (r) != 5; }

static gboolean
p_edges_not_deleted (LsnRecord *r,
                     gpointer   d)
{
  /* "= False" matches a stored false. (The sandbox leaves deletedFlag out of companies created
   * through the API, where ConnectWise would default it to false.) */
  JsonNode *deleted = json_object_get_member (lsn_record_get_raw (r), "deletedFlag");
  gboolean is_false = deleted && JSON_NODE_HOLDS_VALUE (deleted) && !json_node_get_boolean (deleted);

  return (id_of (r) < 3 || id_of (r) > 98) && is_false;
}

static gboolean
p_name_equals (LsnRecord *r,
               gpointer   d)
{
  return g_strcmp0 (lsn_record_get_name (r), d) == 0;
}

static gboolean
p_name_starts (LsnRecord *r,
               gpointer   d)
{
  const char *name = lsn_record_get_name (r);

  return name && g_ascii_strncasecmp (name, d, strlen (d)) == 0;
}

static gboolean
p_name_contains (LsnRecord *r,
                 gpointer   d)
{
  g_autofree char *name = g_ascii_strdown (lsn_record_get_name (r) ? lsn_record_get_name (r) : "", -1);
  g_autofree char *needle = g_ascii_strdown (d, -1);

  return strstr (name, needle) != NULL;
}

static gboolean
p_city (LsnRecord *r,
        gpointer   d)
{
  return g_strcmp0 (raw_string (r, "city"), d) == 0;
}

static gboolean
p_inactive_status (LsnRecord *r,
                   gpointer   d)
{
  return g_strcmp0 (raw_string (r, "status/name"), "Inactive") == 0;
}

static gboolean
p_country_gb (LsnRecord *r,
              gpointer   d)
{
  return g_strcmp0 (raw_string (r, "country/identifier"), "GB") == 0;
}

static gboolean
p_updated_after (LsnRecord *r,
                 gpointer   d)
{
  return lsn_record_get_modified (r) > *(gint64 *) d;
}

static gboolean
p_gb_or_city (LsnRecord *r,
              gpointer   d)
{
  return p_country_gb (r, NULL) || p_city (r, d);
}

static void
test_conditions_table (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(LsnRecord) odd = NULL;
  g_autoptr(JsonObject) odd_fields = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name7_quoted = NULL;
  g_autofree char *name7_cond = NULL;
  g_autofree char *ne_cond = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *prefix_cond = NULL;
  g_autofree char *city_cond = NULL;
  g_autofree char *odd_cond = NULL;
  g_autofree char *odd_contains = NULL;
  g_autofree char *or_cond = NULL;
  g_autofree char *date_cond = NULL;
  const char *odd_name = "Quote \"Q\" \\ Test & Co's 100% *+";
  const char *name7;
  const char *city1;
  gint64 median = 0;

  /* a company whose name needs every escape */
  odd_fields = json_object_new ();
  json_object_set_string_member (odd_fields, "name", odd_name);
  json_object_set_string_member (odd_fields, "identifier", "QuoteTest");
  json_object_set_string_member (odd_fields, "city", "Escapeville");
  odd = lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, odd_fields, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_name (odd), ==, odd_name);

  all = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  name7 = lsn_record_get_name (find_record (all, "7"));
  city1 = raw_string (find_record (all, "1"), "city");
  prefix = g_strndup (name7, 3);
  for (guint i = 0; i < all->len; i++)
    median += lsn_record_get_modified (g_ptr_array_index (all, i)) / all->len;

  name7_quoted = lsn_connectwise_quote_string (name7);
  name7_cond = g_strdup_printf ("name = %s", name7_quoted);
  ne_cond = g_strdup_printf ("id != 5");
  prefix_cond = g_strdup_printf ("name like \"%s*\"", prefix);
  {
    g_autofree char *q = lsn_connectwise_quote_string (city1);
    city_cond = g_strdup_printf ("city = %s", q);
    or_cond = g_strdup_printf ("country/identifier = \"GB\" or city = %s", q);
  }
  {
    g_autofree char *q = lsn_connectwise_quote_string (odd_name);
    odd_cond = g_strdup_printf ("name = %s", q);
  }
  {
    g_autofree char *q = lsn_connectwise_quote_string ("\"Q\" \\");
    odd_contains = g_strdup_printf ("name contains %s", q);
  }
  {
    g_autofree char *d = lsn_connectwise_format_datetime (median);
    date_cond = g_strdup_printf ("lastUpdated > %s", d);
    median = (median / G_USEC_PER_SEC) * G_USEC_PER_SEC;
  }

  check_selects (fixture, all, "id = 5", p_id_5, NULL);
  check_selects (fixture, all, "id in (3, 5, 8)", p_id_in, NULL);
  check_selects (fixture, all, "id > 90", p_id_gt_90, NULL);
  check_selects (fixture, all, "id >= 10 and id <= 12", p_id_10_12, NULL);
  check_selects (fixture, all, ne_cond, p_id_not_5, NULL);
  check_selects (fixture, all, "(id < 3 or id > 98) and deletedFlag = False", p_edges_not_deleted, NULL);
  check_selects (fixture, all, name7_cond, p_name_equals, (gpointer) name7);
  check_selects (fixture, all, prefix_cond, p_name_starts, prefix);
  check_selects (fixture, all, "name contains \"and\"", p_name_contains, (gpointer) "and");
  check_selects (fixture, all, city_cond, p_city, (gpointer) city1);
  check_selects (fixture, all, "status/name = \"Inactive\"", p_inactive_status, NULL);
  check_selects (fixture, all, "country/identifier = \"GB\"", p_country_gb, NULL);
  check_selects (fixture, all, or_cond, p_gb_or_city, (gpointer) city1);
  check_selects (fixture, all, date_cond, p_updated_after, &median);
  check_selects (fixture, all, odd_cond, p_name_equals, (gpointer) odd_name);
  check_selects (fixture, all, odd_contains, p_name_contains, (gpointer) "\"Q\" \\");
}

static void
test_conditions_malformed (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const malformed[] = {
    "name = \"unterminated",
    "(id > 1",
    "id > 1)",
    "nosuchfield = 1",
    "name = ",
    "id = \"abc\"",
    "lastUpdated > 2020-01-01",
    "id >> 3",
    "name = \"a\" andd id = 1",
    "= 5",
  };

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) got = list_where (fixture, malformed[i], &error);
      gint64 count;

      if (got != NULL)
        g_error ("conditions %s were accepted (%u records)", malformed[i], got->len);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
      /* the server's reason, and the field it names */
      assert_error_quotes (error, "conditions");
      assert_error_quotes (error, "HTTP 400");
      g_test_message ("%s → %s", malformed[i], error->message);
      g_clear_error (&error);

      count = lsn_connectwise_connector_count_where (LSN_CONNECTWISE_CONNECTOR (fixture->cw), LSN_KIND_CLIENT,
                                                     NULL, malformed[i], NULL, &error);
      g_assert_cmpint (count, ==, -1);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
    }
}

/* ---- Writes ---------------------------------------------------------------------------------- */

static void
test_client_crud (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LsnConnector) other = make_connector (fixture, NULL, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) change = json_object_new ();
  g_autoptr(JsonObject) someone_else = json_object_new ();
  g_autoptr(JsonObject) off = json_object_new ();
  g_autoptr(LsnRecord) created = NULL;
  g_autoptr(LsnRecord) fetched = NULL;
  g_autoptr(LsnRecord) updated = NULL;
  g_autoptr(LsnRecord) by_other = NULL;
  g_autoptr(LsnRecord) deactivated = NULL;
  g_autoptr(LsnRecord) gone = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  json_object_set_string_member (fields, "name", "Liaison Test Ltd");
  json_object_set_string_member (fields, "phone", "0161 496 0000");
  json_object_set_string_member (fields, "address1", "1 Test Street");
  json_object_set_string_member (fields, "city", "Manchester");
  json_object_set_string_member (fields, "postcode", "M1 1AA");
  json_object_set_string_member (fields, "country", "GB");
  json_object_set_string_member (fields, "reference", "HALO-4242");
  json_object_set_string_member (fields, "type", "Client");
  json_object_set_string_member (fields, "customField:4", "Gold");

  created = lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, fields, NULL, &error);
  g_assert_no_error (error);
  id = lsn_record_get_remote_id (created);
  g_assert_cmpstr (lsn_record_get_name (created), ==, "Liaison Test Ltd");
  g_assert_cmpstr (lsn_record_get_string (created, "identifier"), ==, "LiaisonTestLtd");
  g_assert_cmpstr (lsn_record_get_string (created, "reference"), ==, "HALO-4242");
  g_assert_cmpstr (lsn_record_get_string (created, "type"), ==, "Client");
  g_assert_cmpstr (lsn_record_get_string (created, "customField:4"), ==, "Gold");
  g_assert_cmpstr (raw_string (created, "country/identifier"), ==, "GB");
  g_assert_false (lsn_record_get_inactive (created));

  fetched = lsn_connector_get (fixture->cw, LSN_KIND_CLIENT, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_hash (fetched), ==, lsn_record_get_hash (created));

  /* PATCH sends only what changed: a change made by someone else meanwhile survives */
  json_object_set_string_member (someone_else, "city", "Salford");
  by_other = lsn_connector_update (other, LSN_KIND_CLIENT, id, someone_else, NULL, &error);
  g_assert_no_error (error);
  json_object_set_string_member (change, "phone", "0161 496 0001");
  json_object_set_null_member (change, "address1");
  updated = lsn_connector_update (fixture->cw, LSN_KIND_CLIENT, id, change, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_string (updated, "phone"), ==, "0161 496 0001");
  g_assert_cmpstr (lsn_record_get_string (updated, "city"), ==, "Salford");
  g_assert_null (lsn_record_get_string (updated, "address1"));
  g_assert_cmpstr (lsn_record_get_string (updated, "postcode"), ==, "M1 1AA");
  g_assert_cmpstr (lsn_record_get_string (updated, "reference"), ==, "HALO-4242");
  g_assert_cmpint (lsn_record_get_modified (updated), >=, lsn_record_get_modified (created));

  /* inactive goes through the company status */
  json_object_set_boolean_member (off, "inactive", TRUE);
  deactivated = lsn_connector_update (fixture->cw, LSN_KIND_CLIENT, id, off, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lsn_record_get_inactive (deactivated));
  g_assert_cmpstr (lsn_record_get_string (deactivated, "status"), ==, "Inactive");

  g_assert_true (lsn_connector_delete (fixture->cw, LSN_KIND_CLIENT, id, NULL, &error));
  g_assert_no_error (error);
  gone = lsn_connector_get (fixture->cw, LSN_KIND_CLIENT, id, NULL, &error);
  g_assert_null (gone);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an update of a deleted record never creates one */
  g_assert_null (lsn_connector_update (fixture->cw, LSN_KIND_CLIENT, id, change, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lsn_connector_delete (fixture->cw, LSN_KIND_CLIENT, id, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* bad ids never reach the server */
  g_assert_null (lsn_connector_get (fixture->cw, LSN_KIND_CLIENT, "../system/members", NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_client_validation (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) too_long = json_object_new ();
  g_autoptr(JsonObject) duplicate = json_object_new ();
  g_autoptr(JsonObject) bad_type = json_object_new ();
  g_autoptr(GPtrArray) all = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (80, 'x');

  json_object_set_string_member (too_long, "name", long_name);
  json_object_set_string_member (too_long, "identifier", "LongName");
  g_assert_null (lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, too_long, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
  assert_error_quotes (error, "field name");
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  json_object_set_string_member (duplicate, "name", "Another");
  json_object_set_string_member (duplicate, "identifier",
                                 lsn_record_get_string (g_ptr_array_index (all, 0), "identifier"));
  g_assert_null (lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, duplicate, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
  assert_error_quotes (error, "field identifier");
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  json_object_set_string_member (bad_type, "name", "Typed");
  json_object_set_string_member (bad_type, "type", "No Such Type");
  g_assert_null (lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, bad_type, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_VALIDATION);
  assert_error_quotes (error, "No Such Type");
  g_clear_error (&error);

  /* opportunities are read-only here */
  g_assert_null (lsn_connector_create (fixture->cw, LSN_KIND_OPPORTUNITY, bad_type, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_site_crud (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) change = json_object_new ();
  g_autoptr(JsonObject) same_parent = json_object_new ();
  g_autoptr(JsonObject) move = json_object_new ();
  g_autoptr(LsnRecord) created = NULL;
  g_autoptr(LsnRecord) updated = NULL;
  g_autoptr(LsnRecord) unchanged = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GError) error = NULL;
  LsnListOptions of_company = { .include_inactive = TRUE, .parent_id = "2" };
  const char *id;

  json_object_set_string_member (fields, "name", "Warehouse");
  json_object_set_string_member (fields, "client_id", "2");
  json_object_set_string_member (fields, "address1", "2 Dock Road");
  json_object_set_string_member (fields, "city", "Hull");
  json_object_set_string_member (fields, "postcode", "HU1 1AA");
  json_object_set_string_member (fields, "country", "GB");
  json_object_set_string_member (fields, "phone", "01482 000000");

  created = lsn_connector_create (fixture->cw, LSN_KIND_SITE, fields, NULL, &error);
  g_assert_no_error (error);
  id = lsn_record_get_remote_id (created);
  g_assert_true (g_str_has_prefix (id, "2/"));
  g_assert_cmpstr (lsn_record_get_string (created, "client_id"), ==, "2");
  g_assert_cmpstr (lsn_record_get_string (created, "city"), ==, "Hull");

  sites = lsn_connector_list_all (fixture->cw, LSN_KIND_SITE, &of_company, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_record (sites, id));

  json_object_set_string_member (change, "city", "Grimsby");
  json_object_set_boolean_member (change, "inactive", TRUE);
  updated = lsn_connector_update (fixture->cw, LSN_KIND_SITE, id, change, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_string (updated, "city"), ==, "Grimsby");
  g_assert_cmpstr (lsn_record_get_string (updated, "address1"), ==, "2 Dock Road");
  g_assert_true (lsn_record_get_inactive (updated));

  /* the same parent is no change; another one is refused */
  json_object_set_string_member (same_parent, "client_id", "2");
  unchanged = lsn_connector_update (fixture->cw, LSN_KIND_SITE, id, same_parent, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_hash (unchanged), ==, lsn_record_get_hash (updated));
  json_object_set_string_member (move, "client_id", "3");
  g_assert_null (lsn_connector_update (fixture->cw, LSN_KIND_SITE, id, move, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (lsn_connector_delete (fixture->cw, LSN_KIND_SITE, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (lsn_connector_get (fixture->cw, LSN_KIND_SITE, id, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (lsn_connector_get (fixture->cw, LSN_KIND_SITE, "77", NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
}

static void
test_contact_crud (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) existing = list_all (fixture->cw, LSN_KIND_CONTACT, TRUE, 0);
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) change = json_object_new ();
  g_autoptr(JsonObject) drop_mobile = json_object_new ();
  g_autoptr(LsnRecord) created = NULL;
  g_autoptr(LsnRecord) updated = NULL;
  g_autoptr(LsnRecord) dropped = NULL;
  g_autoptr(GError) error = NULL;
  LsnListOptions of_company = { .include_inactive = TRUE, .parent_id = "3" };
  const char *site_id;
  const char *id;

  sites = lsn_connector_list_all (fixture->cw, LSN_KIND_SITE, &of_company, NULL, &error);
  g_assert_no_error (error);
  site_id = lsn_record_get_remote_id (g_ptr_array_index (sites, 0));

  json_object_set_string_member (fields, "firstname", "Ada");
  json_object_set_string_member (fields, "lastname", "Lovelace");
  json_object_set_string_member (fields, "email", "ada@example.com");
  json_object_set_string_member (fields, "phone", "020 7946 0000");
  json_object_set_string_member (fields, "mobile", "07700 900000");
  json_object_set_string_member (fields, "jobtitle", "Analyst");
  json_object_set_string_member (fields, "client_id", "3");
  json_object_set_string_member (fields, "site_id", site_id);

  created = lsn_connector_create (fixture->cw, LSN_KIND_CONTACT, fields, NULL, &error);
  g_assert_no_error (error);
  id = lsn_record_get_remote_id (created);
  g_assert_cmpstr (lsn_record_get_name (created), ==, "Ada Lovelace");
  g_assert_cmpstr (lsn_record_get_string (created, "email"), ==, "ada@example.com");
  g_assert_cmpstr (lsn_record_get_string (created, "phone"), ==, "020 7946 0000");
  g_assert_cmpstr (lsn_record_get_string (created, "mobile"), ==, "07700 900000");
  g_assert_cmpstr (lsn_record_get_string (created, "client_id"), ==, "3");
  g_assert_cmpstr (lsn_record_get_string (created, "site_id"), ==, site_id);
  g_assert_cmpstr (lsn_record_get_string (created, "jobtitle"), ==, "Analyst");

  /* one communication item changes, the others stay as they were */
  json_object_set_string_member (change, "email", "ada.lovelace@example.com");
  updated = lsn_connector_update (fixture->cw, LSN_KIND_CONTACT, id, change, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_string (updated, "email"), ==, "ada.lovelace@example.com");
  g_assert_cmpstr (lsn_record_get_string (updated, "phone"), ==, "020 7946 0000");
  g_assert_cmpstr (lsn_record_get_string (updated, "mobile"), ==, "07700 900000");

  json_object_set_null_member (drop_mobile, "mobile");
  json_object_set_string_member (drop_mobile, "lastname", "King");
  dropped = lsn_connector_update (fixture->cw, LSN_KIND_CONTACT, id, drop_mobile, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (lsn_record_get_string (dropped, "mobile"));
  g_assert_cmpstr (lsn_record_get_string (dropped, "email"), ==, "ada.lovelace@example.com");
  g_assert_cmpstr (lsn_record_get_name (dropped), ==, "Ada King");

  g_assert_true (lsn_connector_delete (fixture->cw, LSN_KIND_CONTACT, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (existing->len, >, 0);
}

static const char *
first_id (GPtrArray *records)
{
  g_assert_cmpuint (records->len, >, 0);
  return lsn_record_get_remote_id (g_ptr_array_index (records, 0));
}

static void
test_product_and_addition_crud (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) types = lsn_connector_list_reference (fixture->cw, "product_type", NULL, &error);
  g_autoptr(GPtrArray) subcategories = lsn_connector_list_reference (fixture->cw, "subcategory", NULL, &error);
  g_autoptr(GPtrArray) agreements = lsn_connector_list_reference (fixture->cw, "agreement", NULL, &error);
  g_autoptr(JsonObject) product_fields = json_object_new ();
  g_autoptr(JsonObject) price = json_object_new ();
  g_autoptr(JsonObject) addition_fields = json_object_new ();
  g_autoptr(JsonObject) quantity = json_object_new ();
  g_autoptr(LsnRecord) product = NULL;
  g_autoptr(LsnRecord) repriced = NULL;
  g_autoptr(LsnRecord) addition = NULL;
  g_autoptr(LsnRecord) more = NULL;
  g_autoptr(GPtrArray) additions = NULL;
  LsnListOptions of_agreement = { .include_inactive = TRUE };
  const char *agreement_id;

  g_assert_no_error (error);
  agreement_id = first_id (agreements);

  json_object_set_string_member (product_fields, "code", "LIAISON-TEST-1");
  json_object_set_string_member (product_fields, "name", "Liaison test licence");
  json_object_set_string_member (product_fields, "type_id", first_id (types));
  json_object_set_string_member (product_fields, "subcategory_id", first_id (subcategories));
  json_object_set_double_member (product_fields, "price", 12.5);
  json_object_set_double_member (product_fields, "cost", 7.25);
  json_object_set_boolean_member (product_fields, "taxable", TRUE);
  product = lsn_connector_create (fixture->cw, LSN_KIND_PRODUCT, product_fields, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_string (product, "code"), ==, "LIAISON-TEST-1");
  g_assert_cmpstr (lsn_record_get_string (product, "description"), ==, "Liaison test licence");

  json_object_set_double_member (price, "price", 13.0);
  repriced = lsn_connector_update (fixture->cw, LSN_KIND_PRODUCT, lsn_record_get_remote_id (product), price,
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (lsn_record_get_fields (repriced), "price"), ==, 13.0);
  g_assert_cmpfloat (json_object_get_double_member (lsn_record_get_fields (repriced), "cost"), ==, 7.25);

  json_object_set_string_member (addition_fields, "agreement_id", agreement_id);
  json_object_set_string_member (addition_fields, "product_id", lsn_record_get_remote_id (product));
  json_object_set_double_member (addition_fields, "quantity", 5);
  json_object_set_double_member (addition_fields, "unit_price", 13.0);
  addition = lsn_connector_create (fixture->cw, LSN_KIND_ADDITION, addition_fields, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (lsn_record_get_remote_id (addition), agreement_id));
  g_assert_cmpstr (lsn_record_get_string (addition, "agreement_id"), ==, agreement_id);
  g_assert_cmpstr (lsn_record_get_string (addition, "billing"), ==, "Billable");
  g_assert_cmpstr (lsn_record_get_name (addition), ==, "LIAISON-TEST-1");

  json_object_set_double_member (quantity, "quantity", 7);
  more = lsn_connector_update (fixture->cw, LSN_KIND_ADDITION, lsn_record_get_remote_id (addition), quantity,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (lsn_record_get_fields (more), "quantity"), ==, 7);
  g_assert_cmpfloat (json_object_get_double_member (lsn_record_get_fields (more), "unit_price"), ==, 13.0);

  of_agreement.parent_id = agreement_id;
  additions = lsn_connector_list_all (fixture->cw, LSN_KIND_ADDITION, &of_agreement, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_record (additions, lsn_record_get_remote_id (addition)));

  g_assert_true (lsn_connector_delete (fixture->cw, LSN_KIND_ADDITION, lsn_record_get_remote_id (addition), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lsn_connector_delete (fixture->cw, LSN_KIND_PRODUCT, lsn_record_get_remote_id (product), NULL, &error));
  g_assert_no_error (error);
}

/* ---- Incremental pulls ------------------------------------------------------------------------ */

static void
test_incremental (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) all = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;
  LsnListOptions since = { .include_inactive = TRUE };
  guint64 before;

  /* the cursor is the time the previous pull started */
  since.since_usec = g_get_real_time () - G_USEC_PER_SEC;
  before = requests_of (fixture->cw);
  none = lsn_connector_list_all (fixture->cw, LSN_KIND_CLIENT, &since, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  /* nothing changed: only the /count */
  g_assert_cmpuint (requests_of (fixture->cw) - before, ==, 1);

  for (guint i = 10; i < 13; i++)
    {
      g_autoptr(JsonObject) change = json_object_new ();
      g_autoptr(LsnRecord) record = NULL;
      g_autofree char *phone = g_strdup_printf ("555-01%02u", i);

      json_object_set_string_member (change, "phone", phone);
      record = lsn_connector_update (fixture->cw, LSN_KIND_CLIENT,
                                     lsn_record_get_remote_id (g_ptr_array_index (all, i)), change, NULL, &error);
      g_assert_no_error (error);
    }

  before = requests_of (fixture->cw);
  changed = lsn_connector_list_all (fixture->cw, LSN_KIND_CLIENT, &since, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 3);
  g_assert_cmpuint (requests_of (fixture->cw) - before, ==, 2);
  for (guint i = 10; i < 13; i++)
    {
      LsnRecord *record = find_record (changed, lsn_record_get_remote_id (g_ptr_array_index (all, i)));
      g_autofree char *phone = g_strdup_printf ("555-01%02u", i);

      g_assert_nonnull (record);
      g_assert_cmpstr (lsn_record_get_string (record, "phone"), ==, phone);
      g_assert_cmpint (lsn_record_get_modified (record), >=, since.since_usec - G_USEC_PER_SEC);
    }
}

/* ---- Faults and budget ------------------------------------------------------------------------ */

static void
test_faults_recovered (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const kinds[] = { "429", "500", "drop", "truncate", "stall" };
  LsnHttpClient *http = lsn_connector_get_http (fixture->cw);
  g_autoptr(GPtrArray) reference = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 50);
  guint64 clean;

  lsn_http_client_set_timeout (http, 1);
  clean = requests_of (fixture->cw);
  g_clear_pointer (&reference, g_ptr_array_unref);
  reference = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 50);
  clean = requests_of (fixture->cw) - clean;
  g_assert_cmpuint (clean, ==, 3);  /* /count and two pages */

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"fail_next\": {\"count\": 2, \"kind\": \"%s\","
                                               " \"route\": \"GET /company/companies\"}}", kinds[i]);
      g_autoptr(GPtrArray) again = NULL;
      LsnHttpStats before, after;
      gint64 server_before;

      lsn_http_client_get_stats (http, &before);
      configure (fixture, json);
      server_before = server_requests (fixture);
      again = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 50);
      lsn_http_client_get_stats (http, &after);

      assert_same_ids (reference, again);
      /* each fault costs exactly one more request */
      g_assert_cmpint (server_requests (fixture) - server_before, ==, (gint64) clean + 2);
      if (g_str_equal (kinds[i], "429"))
        g_assert_cmpuint (after.throttled - before.throttled, ==, 2);
      g_test_message ("%s: %" G_GUINT64_FORMAT " requests counted by the client", kinds[i],
                      after.requests - before.requests);
    }
}

static void
test_faults_reported (Fixture       *fixture,
                      gconstpointer  data)
{
  LsnHttpClient *http = lsn_connector_get_http (fixture->cw);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(LsnRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  lsn_http_client_set_max_retries (http, 2);

  /* a 500 that does not go away: bounded retries, then the server's message */
  configure (fixture, "{\"fail_next\": {\"count\": 10, \"kind\": \"500\", \"route\": \"GET /company/companies/{id}\"}}");
  record = lsn_connector_get (fixture->cw, LSN_KIND_CLIENT, "1", NULL, &error);
  g_assert_null (record);
  g_assert_error (error, LSN_ERROR, LSN_ERROR_SERVER);
  assert_error_quotes (error, "A timeout has occured. Please try again.");
  g_clear_error (&error);
  configure (fixture, "{\"fail_next\": {\"count\": 0, \"kind\": \"500\"}}");

  /* a POST that may have arrived is not sent again */
  json_object_set_string_member (fields, "name", "Maybe Ltd");
  configure (fixture, "{\"fail_next\": {\"count\": 1, \"kind\": \"500\", \"route\": \"POST /company/companies\"}}");
  g_assert_null (lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, fields, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  /* a 429 on a POST is safe to send again */
  configure (fixture, "{\"fail_next\": {\"count\": 1, \"kind\": \"429\", \"route\": \"POST /company/companies\"}}");
  record = lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, fields, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_record_get_name (record), ==, "Maybe Ltd");

  /* a truncated answer to a PATCH: idempotent, sent again */
  {
    g_autoptr(JsonObject) change = json_object_new ();
    g_autoptr(LsnRecord) updated = NULL;

    json_object_set_string_member (change, "city", "Retryton");
    configure (fixture, "{\"fail_next\": {\"count\": 1, \"kind\": \"drop\", \"route\": \"PATCH /company/companies/{id}\"}}");
    updated = lsn_connector_update (fixture->cw, LSN_KIND_CLIENT, lsn_record_get_remote_id (record), change, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lsn_record_get_string (updated, "city"), ==, "Retryton");
  }
}

typedef struct
{
  LsnConnector *deleter;
  const char   *victim;
  gboolean      done;
} DeleteDuringList;

static gboolean
delete_during_list (LsnRecord *record,
                    gpointer   user_data)
{
  DeleteDuringList *d = user_data;

  if (!d->done)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true (lsn_connector_delete (d->deleter, LSN_KIND_CLIENT, d->victim, NULL, &error));
      g_assert_no_error (error);
      d->done = TRUE;
    }
  return TRUE;
}

static void
test_incomplete (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(LsnConnector) deleter = make_connector (fixture, NULL, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(LsnRecord) victim = NULL;
  LsnListOptions options = { .include_inactive = TRUE, .page_size = 10 };
  g_autoptr(GError) error = NULL;
  DeleteDuringList d = { deleter, NULL, FALSE };

  json_object_set_string_member (fields, "name", "Short Lived Ltd");
  victim = lsn_connector_create (fixture->cw, LSN_KIND_CLIENT, fields, NULL, &error);
  g_assert_no_error (error);
  d.victim = lsn_record_get_remote_id (victim);

  /* a record deleted between the /count and the last page: the list says it is short */
  g_assert_false (lsn_connector_list (fixture->cw, LSN_KIND_CLIENT, &options, delete_during_list, &d, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INCOMPLETE);
  assert_error_quotes (error, "Read 100 companies");
  assert_error_quotes (error, "reported 101");
  g_test_message ("%s", error->message);
}

static void
test_budget (Fixture       *fixture,
             gconstpointer  data)
{
  LsnHttpClient *http = lsn_connector_get_http (fixture->cw);
  g_autoptr(GPtrArray) warm = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 0);
  g_autoptr(GPtrArray) paced = NULL;
  g_autoptr(GPtrArray) throttled = NULL;
  LsnHttpStats before, after;

  /* the server allows 10 requests a second */
  configure (fixture, "{\"limit\": \"10/1\", \"reset_limit\": true}");

  /* inside its own budget, the connector is never throttled */
  lsn_http_client_set_budget (http, 10, 1);
  lsn_http_client_get_stats (http, &before);
  paced = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 5);
  lsn_http_client_get_stats (http, &after);
  assert_same_ids (warm, paced);
  g_assert_cmpuint (after.throttled - before.throttled, ==, 0);
  g_assert_cmpuint (after.requests - before.requests, ==, 21);
  g_assert_cmpuint (after.waited_usec - before.waited_usec, >, 0);

  /* with a budget larger than the server's limit, 429s are waited out */
  configure (fixture, "{\"reset_limit\": true}");
  lsn_http_client_set_budget (http, 600, 60);
  lsn_http_client_get_stats (http, &before);
  throttled = list_all (fixture->cw, LSN_KIND_CLIENT, TRUE, 5);
  lsn_http_client_get_stats (http, &after);
  assert_same_ids (warm, throttled);
  g_assert_cmpuint (after.throttled - before.throttled, >, 0);
}

/* ---- Authentication and settings ---------------------------------------------------------------- */

static LsnConnector *
connector_with (Fixture    *fixture,
                const char *key,
                const char *value,
                const char *private_key)
{
  g_autoptr(JsonObject) settings = copy_settings (fixture->settings);

  if (key)
    json_object_set_string_member (settings, key, value);
  return make_connector (fixture, settings, private_key);
}

static LsnCheck *
find_check (GPtrArray  *checks,
            const char *name)
{
  for (guint i = 0; i < checks->len; i++)
    if (g_str_equal (((LsnCheck *) g_ptr_array_index (checks, i))->name, name))
      return g_ptr_array_index (checks, i);
  g_error ("no check “%s”", name);
  return NULL;
}

static GPtrArray *
list_all_or_null (LsnConnector  *cw,
                  GError       **error)
{
  LsnListOptions options = { .include_inactive = TRUE };

  return lsn_connector_list_all (cw, LSN_KIND_CLIENT, &options, NULL, error);
}

static void
test_auth_failures (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const kinds[] = { "client", NULL };
  static const struct {
    const char *key;
    const char *value;
    const char *private_key;
    LsnError    code;
    const char *quote;       /* the server's own words */
    const char *check;       /* the check that fails */
    const char *hint;        /* a word of its hint */
  } cases[] = {
    { NULL, NULL, "wrong-private-key", LSN_ERROR_AUTH, "Authorization has been denied", "Authenticated", "API Members" },
    { "public_key", "0000000000000000", NULL, LSN_ERROR_AUTH, "Authorization has been denied", "Authenticated", "public key" },
    { "company", "nosuchcompany", NULL, LSN_ERROR_AUTH, "nosuchcompany", "Reachable", "company id" },
    { "client_id", "00000000-0000-4000-8000-000000000000", NULL, LSN_ERROR_PERMISSION, "clientId is not valid", "Authenticated", "client id" },
    { "codebase", "v2099_1", NULL, LSN_ERROR_NOT_FOUND, "Cannot route. Codebase/company is invalid", "Authenticated", "codebase" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LsnConnector) cw = connector_with (fixture, cases[i].key, cases[i].value, cases[i].private_key);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) records = list_all_or_null (cw, &error);
      g_autoptr(GPtrArray) checks = NULL;
      LsnCheck *check;

      g_assert_null (records);
      g_assert_error (error, LSN_ERROR, (gint) cases[i].code);
      assert_error_quotes (error, cases[i].quote);
      /* secrets never show */
      g_assert_null (strstr (error->message, fixture->private_key));
      g_test_message ("%s → %s", cases[i].key ? cases[i].key : "private_key", error->message);

      checks = lsn_connector_test_connection (cw, kinds, NULL);
      check = find_check (checks, cases[i].check);
      g_assert_false (check->ok);
      g_assert_nonnull (check->message);
      g_assert_nonnull (strstr (check->message, cases[i].quote));
      g_assert_nonnull (check->hint);
      if (strstr (check->hint, cases[i].hint) == NULL)
        g_error ("hint “%s” does not mention “%s”", check->hint, cases[i].hint);
      /* what depends on it is not tried */
      if (g_str_equal (cases[i].check, "Authenticated"))
        g_assert_false (find_check (checks, "Read clients")->ok);
      else
        g_assert_false (find_check (checks, "Authenticated")->ok);
    }
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const kinds[] = { "client", NULL };
  g_autoptr(LsnConnector) cw = connector_with (fixture, "url", "http://127.0.0.1:9", NULL);
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  LsnCheck *check;

  lsn_http_client_set_max_retries (lsn_connector_get_http (cw), 1);
  g_assert_null (list_all_or_null (cw, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_NETWORK);
  g_clear_error (&error);

  checks = lsn_connector_test_connection (cw, kinds, NULL);
  check = find_check (checks, "Reachable");
  g_assert_false (check->ok);
  g_assert_nonnull (strstr (check->hint, "site URL"));
  g_assert_false (find_check (checks, "Authenticated")->ok);
}

static void
test_settings_refused (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct { const char *key; const char *value; const char *needle; } cases[] = {
    { "client_id", "not-a-guid", "GUID" },
    { "url", "http://example.com", "https" },
    { "url", "", "site URL" },
    { "company", "", "company id" },
    { "public_key", "", "public key" },
    { "codebase", "../etc", "codebase" },
    { "api_version", "latest", "API version" },
    { "paging", "sideways", "paging" },
    { "reference_field", "name; drop", "reference field" },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) settings = copy_settings (fixture->settings);
      g_autoptr(LsnConnector) cw = NULL;

      json_object_set_string_member (settings, cases[i].key, cases[i].value);
      cw = lsn_connector_new_from_settings (settings, fixture->private_key, &error);
      g_assert_null (cw);
      g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
      assert_error_quotes (error, cases[i].needle);
      g_clear_error (&error);
    }

  g_assert_null (lsn_connector_new_from_settings (fixture->settings, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  assert_error_quotes (error, "private key");
  g_clear_error (&error);

  {
    g_autoptr(JsonObject) settings = copy_settings (fixture->settings);
    g_autoptr(JsonObject) budget = parse_object ("{\"requests\": 0, \"seconds\": 60}");

    json_object_set_object_member (settings, "budget", g_steal_pointer (&budget));
    g_assert_null (lsn_connector_new_from_settings (settings, fixture->private_key, &error));
    g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* the budget and a configured codebase are used as given */
  {
    g_autoptr(JsonObject) settings = copy_settings (fixture->settings);
    g_autoptr(JsonObject) budget = parse_object ("{\"requests\": 120, \"seconds\": 30}");
    g_autoptr(LsnConnector) cw = NULL;
    LsnHttpStats stats;

    json_object_set_object_member (settings, "budget", g_steal_pointer (&budget));
    json_object_set_string_member (settings, "codebase", "v4_6_release");
    cw = make_connector (fixture, settings, NULL);
    lsn_http_client_get_stats (lsn_connector_get_http (cw), &stats);
    g_assert_cmpuint (stats.budget_requests, ==, 120);
    g_assert_cmpuint (stats.budget_seconds, ==, 30);
    g_assert_cmpstr (lsn_connectwise_connector_get_codebase (LSN_CONNECTWISE_CONNECTOR (cw)), ==, "v4_6_release/");
  }
  {
    g_autoptr(LsnConnector) cw = make_connector (fixture, NULL, NULL);
    LsnHttpStats stats;

    lsn_http_client_get_stats (lsn_connector_get_http (cw), &stats);
    g_assert_cmpuint (stats.budget_requests, ==, 600);
    g_assert_cmpuint (stats.budget_seconds, ==, 60);
    g_assert_null (lsn_connector_record_url (cw, LSN_KIND_CLIENT, "1"));
  }
}

static void
test_connection_ok (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const kinds[] = { "client", "site", "contact", "opportunity", "product", "addition",
                                        "stage", NULL };
  g_autoptr(GPtrArray) checks = lsn_connector_test_connection (fixture->cw, kinds, NULL);

  g_assert_cmpuint (checks->len, ==, 3 + 7);
  for (guint i = 0; i < checks->len; i++)
    {
      LsnCheck *check = g_ptr_array_index (checks, i);
      g_test_message ("%s: %s — %s", check->name, check->ok ? "ok" : "FAILED", check->message);
      if (!check->ok)
        g_error ("check %s failed: %s", check->name, check->message);
    }
  g_assert_nonnull (strstr (find_check (checks, "Reachable")->message, "Sandbox MSP"));
  g_assert_nonnull (find_check (checks, "Clock"));
  g_assert_nonnull (find_check (checks, "Read clients"));
  g_assert_nonnull (find_check (checks, "Read agreement additions"));
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

#define ADD(path, func) g_test_add ("/connectwise/connector/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("list/clients", test_list_clients);
  ADD ("list/paging", test_list_paging);
  ADD ("list/stop-and-children", test_list_stop_and_children);
  ADD ("list/sales", test_list_sales);
  ADD ("list/reference", test_reference_lists);
  ADD ("list/fields", test_fields);
  ADD ("conditions/table", test_conditions_table);
  ADD ("conditions/malformed", test_conditions_malformed);
  ADD ("write/client", test_client_crud);
  ADD ("write/client-validation", test_client_validation);
  ADD ("write/site", test_site_crud);
  ADD ("write/contact", test_contact_crud);
  ADD ("write/product-addition", test_product_and_addition_crud);
  ADD ("incremental", test_incremental);
  ADD ("faults/recovered", test_faults_recovered);
  ADD ("faults/reported", test_faults_reported);
  ADD ("faults/incomplete", test_incomplete);
  ADD ("budget", test_budget);
  ADD ("auth/failures", test_auth_failures);
  ADD ("auth/unreachable", test_unreachable);
  ADD ("settings", test_settings_refused);
  ADD ("test-connection", test_connection_ok);
#undef ADD

  return g_test_run ();
}
