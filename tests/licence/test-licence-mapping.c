/* test-licence-mapping.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The customer and product mapping editors of a billing-feed profile, over the sandbox: a
 * preview fills them, what a person maps, leaves out or removes is saved through the editor,
 * and the next run follows it.
 */

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-licence-job.h"
#include "lsn-licence-planner.h"
#include "lsn-mapping-editor.h"
#include "lsn-names.h"
#include "licence-fixture.h"
#include "lsn-test-util.h"

static const char *header =
  "Customer,CustomerId,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n";

static LsnProfile *
feed_profile (LicenceFixture *f,
              const char     *name,
              const char     *rows)
{
  g_autofree char *csv = g_strconcat (header, rows, NULL);
  g_autofree char *path = licence_fixture_write_file (f, "invoice.csv", csv);
  g_autofree char *json = licence_fixture_profile_json (f, path, NULL);

  return licence_fixture_add_profile (f, name, json);
}

static LsnLicenceJob *
run_job (LicenceFixture *f,
         LsnProfile     *profile,
         gboolean        dry_run)
{
  g_autoptr(GError) error = NULL;
  LsnLicenceJob *job = lsn_licence_job_new (f->store, profile, "cli");

  lsn_licence_job_set_dry_run (job, dry_run);
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  return job;
}

static LsnMappingEditor *
load_editor (LicenceFixture *f,
             LsnProfile     *profile,
             const char     *kind)
{
  g_autoptr(GError) error = NULL;
  LsnMappingEditor *editor = lsn_mapping_editor_load (f->store, profile, kind, LSN_SIDE_LEFT,
                                                      &error);
  g_assert_no_error (error);
  g_assert_nonnull (editor);
  return editor;
}

static LsnRecord *
find_licence (GPtrArray  *licences,
              const char *client_id,
              const char *name)
{
  for (guint i = 0; i < licences->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (licences, i);
      if (g_strcmp0 (lsn_record_get_string (l, "client_id"), client_id) == 0
          && (g_strcmp0 (lsn_record_get_name (l), name) == 0
              || g_strcmp0 (lsn_record_get_string (l, "product_sku"), name) == 0))
        return l;
    }
  return NULL;
}

static gboolean
plan_has (LsnLicenceJob *job,
          guint          kind_index,
          LsnActionType  type,
          const char    *reason,
          const char    *source_id)
{
  LsnKindPlan *kp = g_ptr_array_index (lsn_licence_job_get_plan (job)->kinds, kind_index);

  for (guint i = 0; i < kp->actions->len; i++)
    {
      LsnPlanAction *a = g_ptr_array_index (kp->actions, i);
      if (a->type == type && g_strcmp0 (a->reason, reason) == 0
          && g_strcmp0 (a->source_id, source_id) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Customers: a preview shows the name matches as mappings and the unknown customer unmapped;
 * the person maps the unknown one to a client, leaves k1 out and removes k0's name match.
 * "Create new" is refused (a feed creates no HaloPSA clients). The run follows all three. */
static void
test_customers (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) preview = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnMappingEditor) editor = NULL;
  g_autoptr(LsnMappingEditor) reloaded = NULL;
  g_autoptr(GPtrArray) choices = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *rows = NULL;
  const char *target = NULL;
  LsnMappingRow *row;

  licence_fixture_init (&f, NULL);
  rows = g_strdup_printf ("%s,,MAP-K0,Mapped product,3,2.50,Monthly\n"
                          "%s,,MAP-K1,Left out product,2,2.50,Monthly\n"
                          "%s,,MAP-NEW,Unknown customer's product,7,1.25,Monthly\n",
                          f.customers[0], f.customers[1], f.unknown_customer);
  profile = feed_profile (&f, "customers", rows);

  /* a client no invoice customer is called like: the unknown customer's real client */
  clients = licence_fixture_list (&f, LSN_KIND_CLIENT);
  for (guint i = 0; i < clients->len && target == NULL; i++)
    {
      LsnRecord *c = g_ptr_array_index (clients, i);
      gboolean ours = FALSE;
      for (guint k = 0; k < 4; k++)
        ours |= g_strcmp0 (lsn_record_get_remote_id (c), f.client_ids[k]) == 0;
      if (!ours && !lsn_record_get_inactive (c))
        target = lsn_record_get_remote_id (c);
    }
  g_assert_nonnull (target);

  /* the preview writes nothing to HaloPSA, and fills the editor */
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  preview = run_job (&f, profile, TRUE);
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, 0);
  g_assert_true (plan_has (preview, 0, LSN_ACTION_SKIP, LSN_LICENCE_REASON_NO_CLIENT,
                           f.unknown_customer));

  editor = load_editor (&f, profile, LSN_KIND_CLIENT);
  g_assert_cmpstr (lsn_mapping_editor_get_connector (editor, LSN_SIDE_LEFT), ==, "feed");
  g_assert_cmpuint (g_list_model_get_n_items (lsn_mapping_editor_get_rows (editor)), ==, 3);
  row = lsn_mapping_editor_find_row (editor, f.customers[0]);
  g_assert_nonnull (row);
  g_assert_cmpstr (lsn_mapping_row_get_other_id (row), ==, f.client_ids[0]);
  row = lsn_mapping_editor_find_row (editor, f.unknown_customer);
  g_assert_nonnull (row);
  g_assert_null (lsn_mapping_row_get_other_id (row));

  /* every unmapped HaloPSA client may be chosen; none is created */
  choices = lsn_mapping_editor_list_choices (editor, f.unknown_customer, NULL, 0);
  g_assert_cmpuint (choices->len, >, 0);
  g_assert_false (lsn_mapping_editor_create (editor, f.unknown_customer, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "create the client in HaloPSA"));
  g_clear_error (&error);

  g_assert_true (lsn_mapping_editor_map (editor, f.unknown_customer, target, &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_editor_set_included (editor, f.customers[1], FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_editor_unmap (editor, f.customers[0], &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_editor_save (editor, NULL, &error));
  g_assert_no_error (error);

  reloaded = load_editor (&f, profile, LSN_KIND_CLIENT);
  g_assert_cmpstr (lsn_mapping_row_get_other_id (lsn_mapping_editor_find_row (reloaded, f.unknown_customer)),
                   ==, target);
  g_assert_null (lsn_mapping_row_get_other_id (lsn_mapping_editor_find_row (reloaded, f.customers[0])));

  /* the run: the unknown customer's product is created under the chosen client; k1 is left
   * out; k0's name match was removed, so k0 is not matched again */
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  job = run_job (&f, profile, FALSE);
  g_assert_true (plan_has (job, 0, LSN_ACTION_SKIP, LSN_LICENCE_REASON_EXCLUDED, f.customers[1]));
  g_assert_false (plan_has (job, 0, LSN_ACTION_SKIP, LSN_LICENCE_REASON_NO_CLIENT,
                            f.unknown_customer));
  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  g_assert_nonnull (find_licence (licences, target, "MAP-NEW"));
  g_assert_null (find_licence (licences, f.client_ids[1], "MAP-K1"));
  g_assert_null (find_licence (licences, f.client_ids[0], "MAP-K0"));
  /* (the sandbox has another client of k0's name, which k0 may now match: only the removed
   * pair is never matched again) */
  g_assert_cmpint (lsn_licence_job_get_counts (job)->created, >=, 1);
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, lsn_licence_job_get_counts (job)->created);

  licence_fixture_clear (&f);
}

/* Products: a product may only be mapped to a licence of the client its customer matched; once
 * mapped to k0's M365-BB, the invoice's code updates that licence instead of creating one. */
static void
test_products (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) preview = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnLicenceJob) again = NULL;
  g_autoptr(LsnMappingEditor) editor = NULL;
  g_autoptr(GPtrArray) choices = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *row_key = NULL;
  LsnRecord *mine, *off, *other_clients = NULL;
  gboolean offered = FALSE, off_offered = FALSE;

  licence_fixture_init (&f, NULL);
  before = licence_fixture_list (&f, LSN_KIND_LICENCE);
  mine = find_licence (before, f.client_ids[0], "M365-BB");
  g_assert_nonnull (mine);
  for (guint i = 0; i < before->len && other_clients == NULL; i++)
    {
      LsnRecord *l = g_ptr_array_index (before, i);
      if (g_strcmp0 (lsn_record_get_string (l, "client_id"), f.client_ids[0]) != 0
          && !lsn_record_get_inactive (l))
        other_clients = l;
    }
  g_assert_nonnull (other_clients);

  /* one of k0's other licences is switched off: offered, marked so */
  {
    g_autoptr(LsnConnector) halo = licence_fixture_halo (&f);
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(LsnRecord) updated = NULL;

    off = find_licence (before, f.client_ids[0], "M365-BS");
    g_assert_nonnull (off);
    json_object_set_boolean_member (fields, "inactive", TRUE);
    updated = lsn_connector_update (halo, LSN_KIND_LICENCE, lsn_record_get_remote_id (off), fields,
                                    NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (updated);
  }

  rows = g_strdup_printf ("%s,,BASIC,Basic plan,12,4.90,Monthly\n", f.customers[0]);
  profile = feed_profile (&f, "products", rows);
  row_key = g_strconcat (f.customers[0], "|BASIC", NULL);

  preview = run_job (&f, profile, TRUE);
  g_assert_true (plan_has (preview, 1, LSN_ACTION_CREATE, LSN_LICENCE_REASON_NEW, row_key));

  editor = load_editor (&f, profile, LSN_KIND_LICENCE);
  g_assert_nonnull (lsn_mapping_editor_find_row (editor, row_key));
  g_assert_cmpstr (lsn_mapping_row_get_toplevel (lsn_mapping_editor_find_row (editor, row_key)),
                   ==, f.customers[0]);

  /* only k0's licences are offered */
  choices = lsn_mapping_editor_list_choices (editor, row_key, NULL, 0);
  g_assert_cmpuint (choices->len, >, 0);
  for (guint i = 0; i < choices->len; i++)
    {
      LsnMappingChoice *c = g_ptr_array_index (choices, i);
      g_assert_cmpstr (c->id, !=, lsn_record_get_remote_id (other_clients));
      offered |= g_str_equal (c->id, lsn_record_get_remote_id (mine));
      if (g_str_equal (c->id, lsn_record_get_remote_id (off)))
        {
          g_assert_true (g_str_has_suffix (c->name, " (inactive)"));
          off_offered = TRUE;
        }
      else
        g_assert_false (g_str_has_suffix (c->name, " (inactive)"));
    }
  g_assert_true (offered);
  g_assert_true (off_offered);
  g_assert_false (lsn_mapping_editor_map (editor, row_key, lsn_record_get_remote_id (other_clients),
                                          &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lsn_mapping_editor_create (editor, row_key, NULL, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (lsn_mapping_editor_map (editor, row_key, lsn_record_get_remote_id (mine), &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_editor_save (editor, NULL, &error));
  g_assert_no_error (error);

  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  job = run_job (&f, profile, FALSE);
  g_assert_cmpint (lsn_licence_job_get_counts (job)->created, ==, 0);
  g_assert_cmpint (lsn_licence_job_get_counts (job)->updated, ==, 1);
  after = licence_fixture_list (&f, LSN_KIND_LICENCE);
  g_assert_null (find_licence (after, f.client_ids[0], "BASIC"));
  {
    LsnRecord *updated = find_licence (after, f.client_ids[0], "M365-BB");
    JsonNode *count;
    g_assert_nonnull (updated);
    count = json_object_get_member (lsn_record_get_fields (updated), "quantity");
    g_assert_nonnull (count);
    g_assert_cmpfloat (json_node_get_value_type (count) == G_TYPE_INT64
                         ? (double) json_node_get_int (count) : json_node_get_double (count),
                       ==, 12);
  }

  /* and the next run changes nothing */
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  again = run_job (&f, profile, FALSE);
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);

  /* next month's invoice bills another product: the cached BASIC row is marked gone */
  {
    g_autofree char *next = g_strdup_printf ("%s%s,,NEWCODE,New plan,2,1.00,Monthly\n", header,
                                             f.customers[0]);
    g_autofree char *path = licence_fixture_write_file (&f, "invoice.csv", next);
    g_autoptr(LsnLicenceJob) preview2 = run_job (&f, profile, TRUE);
    g_autoptr(sqlite3) db = lsn_store_open_reader (f.store, &error);
    g_autoptr(sqlite3_stmt) stmt = NULL;
    g_autofree char *new_key = g_strconcat (f.customers[0], "|NEWCODE", NULL);
    guint seen = 0;

    g_assert_no_error (error);
    stmt = lsn_store_prepare (db, "SELECT remote_id, deleted FROM remote_records WHERE "
                              "profile_id = ?1 AND side = 'left' AND kind = 'licence'", &error);
    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, lsn_profile_get_id (profile));
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *id = (const char *) sqlite3_column_text (stmt, 0);
        if (g_str_equal (id, row_key))
          {
            g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
            seen++;
          }
        else if (g_str_equal (id, new_key))
          {
            g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
            seen++;
          }
      }
    g_assert_cmpuint (seen, ==, 2);
  }

  licence_fixture_clear (&f);
}

/* A customer mapped to another client after its products matched by name: the remembered
 * product matches are not followed to the old client's licences (nor held): the products are
 * matched afresh under the new client, and remembered again. */
static void
test_remap_customer (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) preview = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnMappingEditor) customers = NULL;
  g_autoptr(LsnMappingEditor) products = NULL;
  g_autoptr(LsnMappingEditor) after = NULL;
  g_autoptr(GPtrArray) licences = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *row_key = NULL;
  const char *target = NULL;
  LsnRecord *old, *created;

  licence_fixture_init (&f, NULL);
  before = licence_fixture_list (&f, LSN_KIND_LICENCE);
  old = find_licence (before, f.client_ids[0], "M365-BS");
  g_assert_nonnull (old);
  clients = licence_fixture_list (&f, LSN_KIND_CLIENT);
  for (guint i = 0; i < clients->len && target == NULL; i++)
    {
      LsnRecord *c = g_ptr_array_index (clients, i);
      gboolean hard_case = FALSE;
      for (guint k = 0; k < 4; k++)
        hard_case |= g_strcmp0 (lsn_record_get_remote_id (c), f.client_ids[k]) == 0;
      if (!hard_case && !lsn_record_get_inactive (c)
          && find_licence (before, lsn_record_get_remote_id (c), "M365-BS") == NULL)
        target = lsn_record_get_remote_id (c);
    }
  g_assert_nonnull (target);

  rows = g_strdup_printf ("%s,,M365-BS,Microsoft 365 Business Standard,6,10.30,Monthly\n",
                          f.customers[0]);
  profile = feed_profile (&f, "remap", rows);
  row_key = g_strconcat (f.customers[0], "|M365-BS", NULL);

  /* the preview matches the product by name and remembers it */
  preview = run_job (&f, profile, TRUE);
  products = load_editor (&f, profile, LSN_KIND_LICENCE);
  g_assert_cmpstr (lsn_mapping_row_get_other_id (lsn_mapping_editor_find_row (products, row_key)),
                   ==, lsn_record_get_remote_id (old));

  customers = load_editor (&f, profile, LSN_KIND_CLIENT);
  g_assert_true (lsn_mapping_editor_map (customers, f.customers[0], target, &error));
  g_assert_no_error (error);
  g_assert_true (lsn_mapping_editor_save (customers, NULL, &error));
  g_assert_no_error (error);

  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  job = run_job (&f, profile, FALSE);
  g_assert_false (plan_has (job, 1, LSN_ACTION_HOLD, LSN_LICENCE_REASON_MAPPED_ELSEWHERE, row_key));
  g_assert_true (plan_has (job, 1, LSN_ACTION_CREATE, LSN_LICENCE_REASON_NEW, row_key));
  g_assert_cmpint (lsn_licence_job_get_counts (job)->created, ==, 1);
  licences = licence_fixture_list (&f, LSN_KIND_LICENCE);
  created = find_licence (licences, target, "M365-BS");
  g_assert_nonnull (created);
  /* the old client's licence is not this customer's any more: untouched */
  g_assert_nonnull (find_licence (licences, f.client_ids[0], "M365-BS"));

  after = load_editor (&f, profile, LSN_KIND_LICENCE);
  g_assert_cmpstr (lsn_mapping_row_get_other_id (lsn_mapping_editor_find_row (after, row_key)),
                   ==, lsn_record_get_remote_id (created));

  licence_fixture_clear (&f);
}

static char *
cli (LicenceFixture *f,
     int            *status,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("LIAISON_BUILD_DIR"), "src", "cli",
                                           "liaisonctl", NULL));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_build_filename (f->tmpdir, "liaison.db", NULL));
  va_start (ap, status);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (proc);
  if (*status != 0)
    g_test_message ("liaisonctl: %s", err);
  return out;
}

/* liaisonctl map on a feed profile: the customer whose name is only nearly a HaloPSA client's
 * is listed with that client after a preview; accepting the pair maps it, and the next preview
 * plans its licence. */
static void
test_cli_map (void)
{
  LicenceFixture f;
  g_autoptr(LsnProfile) profile = NULL;
  g_autofree char *near = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pair = NULL;
  g_autofree char *key = NULL;
  g_autofree char *group = NULL;
  static const struct { const char *before, *after; } variants[] = {
    { "", " Ltd" }, { "", " Inc" }, { "", " GmbH" }, { "The ", "" }, { "", " Limited" },
  };
  int status;

  licence_fixture_init (&f, NULL);
  key = lsn_name_key (f.customers[2]);
  for (guint i = 0; i < G_N_ELEMENTS (variants) && near == NULL; i++)
    {
      g_autofree char *v = g_strconcat (variants[i].before, f.customers[2], variants[i].after,
                                        NULL);
      g_autofree char *k = lsn_name_key (v);
      if (g_str_equal (k, key))
        near = g_steal_pointer (&v);
    }
  g_assert_nonnull (near);
  rows = g_strdup_printf ("\"%s\",,CLI-MAP,Mapped from the command line,4,3.00,Monthly\n", near);
  profile = feed_profile (&f, "cli", rows);

  out = cli (&f, &status, "sync", "cli", "--dry-run", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "[near-match]"));
  /* by invoice customer, with its counts, as the window's preview */
  group = g_strdup_printf ("\n%s: 0 to create, 0 to update, 0 to delete, 1 skipped\n", near);
  g_assert_nonnull (strstr (out, group));
  g_clear_pointer (&group, g_free);
  g_clear_pointer (&out, g_free);

  out = cli (&f, &status, "map", "cli", NULL);
  g_assert_cmpint (status, ==, 0);
  pair = g_strdup_printf ("%s=%s", near, f.client_ids[2]);
  g_assert_nonnull (strstr (out, pair));
  g_clear_pointer (&out, g_free);

  out = cli (&f, &status, "map", "cli", "--accept", pair, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "1 decision saved"));
  g_clear_pointer (&out, g_free);

  out = cli (&f, &status, "sync", "cli", "--dry-run", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "[near-match]"));
  g_assert_nonnull (strstr (out, "CLI-MAP"));
  /* (and the clean-up of the client's other licences of this distributor) */
  group = g_strdup_printf ("\n%s: 1 to create, 0 to update, ", near);
  g_assert_nonnull (strstr (out, group));
  g_assert_true (g_str_has_prefix (out, "Dry run: nothing was written.\n1 to create, 0 to update, "));

  licence_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/licence-mapping/customers", test_customers);
  g_test_add_func ("/licence-mapping/products", test_products);
  g_test_add_func ("/licence-mapping/remap-customer", test_remap_customer);
  g_test_add_func ("/licence-mapping/cli-map", test_cli_map);
  return g_test_run ();
}
