/* test-pages.c: the profile pages' widgets, over the in-process sandbox and a real store
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "lsn-add-profile-dialog.h"
#include "lsn-connection-group.h"
#include "lsn-kind-group.h"
#include "lsn-licence-job.h"
#include "lsn-licence-preview-dialog.h"
#include "lsn-mappings-page.h"
#include "licence-fixture.h"
#include "lsn-test-util.h"

#define WAIT_SECONDS 30

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition condition,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  return TRUE;
}

/* Runs the main loop for @usec, whatever happens meanwhile. */
static void
iterate_for (gint64 usec)
{
  for (gint64 end = g_get_monotonic_time () + usec; g_get_monotonic_time () < end;)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

static GPtrArray *
find_all (GtkWidget *root,
          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect (root, type, found);
  return found;
}

static JsonObject *
halo_side (LsnSandbox *sandbox,
           char      **secret)
{
  g_autofree char *ready = lsn_sandbox_ready_line (sandbox);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *halo;
  JsonObject *side = json_object_new ();

  g_assert_true (json_parser_load_from_data (parser, ready, -1, NULL));
  halo = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                        "halopsa");
  json_object_set_string_member (side, "connector", "halopsa");
  json_object_set_string_member (side, "id", "test-connection-group");
  for (guint i = 0; i < 4; i++)
    {
      static const char *keys[] = { "url", "auth_url", "tenant", "client_id" };
      json_object_set_string_member (side, keys[i], json_object_get_string_member (halo, keys[i]));
    }
  *secret = g_strdup (json_object_get_string_member (halo, "client_secret"));
  return side;
}

typedef struct
{
  GtkWidget *group;
  GPtrArray *rows;   /* AdwActionRows of the checks */
} Checks;

static gboolean
checks_done (gpointer data)
{
  Checks *checks = data;
  g_autoptr(GPtrArray) lists = find_all (checks->group, GTK_TYPE_LIST_BOX);

  g_clear_pointer (&checks->rows, g_ptr_array_unref);
  for (guint i = 0; i < lists->len; i++)
    {
      GtkWidget *list = g_ptr_array_index (lists, i);

      if (!gtk_widget_has_css_class (list, "boxed-list") || !gtk_widget_get_visible (list))
        continue;
      if (gtk_widget_get_margin_top (list) != 12)
        continue;
      checks->rows = find_all (list, ADW_TYPE_ACTION_ROW);
    }
  if (checks->rows == NULL || checks->rows->len == 0)
    return FALSE;
  return g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (checks->rows, 0)),
                    "Testing…") != 0;
}

static AdwActionRow *
check_row (Checks     *checks,
           const char *title)
{
  for (guint i = 0; i < checks->rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (checks->rows, i)), title) == 0)
      return g_ptr_array_index (checks->rows, i);
  return NULL;
}

static gboolean
row_failed (AdwActionRow *row)
{
  g_autoptr(GPtrArray) images = find_all (GTK_WIDGET (row), GTK_TYPE_IMAGE);

  for (guint i = 0; i < images->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (images, i), "error"))
      return TRUE;
  return FALSE;
}

/* Test Connection with a wrong secret: Authenticated fails with the server's reason and what to
 * change; with the right one every check passes. Runs on a worker: the loop keeps turning. */
static void
test_connection_group (void)
{
  g_autoptr(LsnSandbox) sandbox = lsn_test_start_sandbox (NULL);
  g_autofree char *secret = NULL;
  g_autoptr(JsonObject) side = halo_side (sandbox, &secret);
  g_autoptr(GPtrArray) secret_rows = NULL;
  const char *kinds[] = { "client", NULL };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *group = lsn_connection_group_new ("left");
  Checks checks = { group, NULL };
  AdwActionRow *row;

  gtk_window_set_child (GTK_WINDOW (window), group);
  gtk_window_present (GTK_WINDOW (window));
  lsn_connection_group_set_settings (LSN_CONNECTION_GROUP (group), side);
  lsn_connection_group_set_kinds (LSN_CONNECTION_GROUP (group), kinds);

  /* No secret yet: the form says so. */
  g_assert_false (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));

  secret_rows = find_all (group, ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_cmpuint (secret_rows->len, ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (secret_rows, 0)), "not-the-secret");
  g_assert_true (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));

  lsn_connection_group_test (LSN_CONNECTION_GROUP (group));
  g_assert_true (wait_until (checks_done, &checks));
  row = check_row (&checks, "Reachable");
  g_assert_nonnull (row);
  g_assert_false (row_failed (row));
  row = check_row (&checks, "Authenticated");
  g_assert_nonnull (row);
  g_assert_true (row_failed (row));
  g_test_message ("wrong secret: %s", adw_action_row_get_subtitle (row));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "What to do:"));

  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (secret_rows, 0)), secret);
  lsn_connection_group_test (LSN_CONNECTION_GROUP (group));
  g_assert_true (wait_until (checks_done, &checks));
  g_assert_cmpuint (checks.rows->len, ==, 3);   /* reachable, authenticated, read clients */
  for (guint i = 0; i < checks.rows->len; i++)
    g_assert_false (row_failed (g_ptr_array_index (checks.rows, i)));

  /* What it would save: the secret stays out of the settings. */
  {
    g_autoptr(JsonObject) saved = lsn_connection_group_dup_settings (LSN_CONNECTION_GROUP (group));
    g_autofree char *taken = lsn_connection_group_take_secret (LSN_CONNECTION_GROUP (group));
    JsonObject *where = json_object_get_object_member (saved, "client_secret");

    g_assert_true (json_object_get_boolean_member (where, "keyring"));
    g_assert_cmpstr (taken, ==, secret);
    g_assert_null (lsn_connection_group_take_secret (LSN_CONNECTION_GROUP (group)));
  }

  g_clear_pointer (&checks.rows, g_ptr_array_unref);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The form refuses plain http away from this computer, and a client id that is not a GUID. */
static void
test_connection_group_validation (void)
{
  g_autoptr(JsonObject) side = json_object_new ();
  g_autoptr(GPtrArray) rows = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *group = lsn_connection_group_new ("right");

  gtk_window_set_child (GTK_WINDOW (window), group);
  json_object_set_string_member (side, "connector", "connectwise");
  json_object_set_string_member (side, "url", "http://api-na.myconnectwise.net");
  json_object_set_string_member (side, "company", "acme");
  json_object_set_string_member (side, "public_key", "pub");
  json_object_set_string_member (side, "client_id", "not-a-guid");
  json_object_set_object_member (side, "private_key", json_object_new ());
  json_object_set_boolean_member (json_object_get_object_member (side, "private_key"), "keyring", TRUE);
  lsn_connection_group_set_settings (LSN_CONNECTION_GROUP (group), side);

  g_assert_false (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));
  rows = find_all (group, ADW_TYPE_ENTRY_ROW);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

      if (g_str_equal (title, "Site"))
        {
          g_assert_true (gtk_widget_has_css_class (row, "error"));
          gtk_editable_set_text (GTK_EDITABLE (row), "https://api-na.myconnectwise.net");
          g_assert_false (gtk_widget_has_css_class (row, "error"));
        }
      else if (g_str_equal (title, "Client ID"))
        {
          g_assert_true (gtk_widget_has_css_class (row, "error"));
          gtk_editable_set_text (GTK_EDITABLE (row), "6d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f");
          g_assert_false (gtk_widget_has_css_class (row, "error"));
        }
    }
  /* The private key is in the keyring already: nothing else is missing. */
  g_assert_true (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
row_titled (GtkWidget  *group,
            const char *title)
{
  g_autoptr(GPtrArray) rows = find_all (group, ADW_TYPE_ENTRY_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

/* A feed side: source, distributor and one row per invoice column, checked as typed; the
 * columns are saved under "columns"; Test Connection reads the file and reports its row
 * problems, and passes once the invoice is right. */
static void
test_feed_connection_group (void)
{
  g_autoptr(JsonObject) side = json_object_new ();
  g_autoptr(JsonObject) saved = NULL;
  g_autofree char *dir = g_dir_make_tmp ("feed-group-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "invoice.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such.csv", NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *group = lsn_connection_group_new ("left");
  Checks checks = { group, NULL };
  GtkWidget *row;
  JsonObject *columns;
  AdwActionRow *check;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (path,
                                      "Client,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n"
                                      "Acme,M365-BP,Microsoft 365 Business Premium,many,22.00,Monthly\n",
                                      -1, NULL));
  gtk_window_set_child (GTK_WINDOW (window), group);
  gtk_window_present (GTK_WINDOW (window));
  json_object_set_string_member (side, "connector", "feed");
  json_object_set_string_member (side, "source", missing);
  lsn_connection_group_set_settings (LSN_CONNECTION_GROUP (group), side);

  /* A file that is not there, no distributor: both rows say so; no request budget. */
  g_assert_false (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));
  {
    g_autoptr(GPtrArray) spins = find_all (group, GTK_TYPE_SPIN_BUTTON);

    g_assert_cmpuint (spins->len, ==, 0);
  }
  row = row_titled (group, "Invoice source");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (row), "http://invoices.example.com/x.csv");
  g_assert_true (gtk_widget_has_css_class (row, "error"));   /* plain http away from here */
  gtk_editable_set_text (GTK_EDITABLE (row), "ftp://invoices.example.com/x.csv");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (row), "https://invoices.example.com/x.csv");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (row), path);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_false (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));

  row = row_titled (group, "Distributor");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (row), "Converge");
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  /* Columns start at the connector's defaults; a required one left empty is refused, the
   * optional customer id is not. */
  row = row_titled (group, "Quantity column");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "Quantity");
  g_assert_true (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));
  row = row_titled (group, "Customer column");
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_false (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));
  gtk_editable_set_text (GTK_EDITABLE (row), "Client");
  gtk_editable_set_text (GTK_EDITABLE (row_titled (group, "Customer ID column (optional)")), "");
  g_assert_true (lsn_connection_group_is_valid (LSN_CONNECTION_GROUP (group)));

  saved = lsn_connection_group_dup_settings (LSN_CONNECTION_GROUP (group));
  g_assert_cmpstr (json_object_get_string_member (saved, "source"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (saved, "distributor"), ==, "Converge");
  g_assert_false (json_object_has_member (saved, "budget"));
  columns = json_object_get_object_member (saved, "columns");
  g_assert_cmpstr (json_object_get_string_member (columns, "customer"), ==, "Client");
  g_assert_cmpstr (json_object_get_string_member (columns, "quantity"), ==, "Quantity");
  g_assert_false (json_object_has_member (columns, "customer_id"));

  /* The invoice has a quantity that is not a number: the row check fails and says where. */
  lsn_connection_group_test (LSN_CONNECTION_GROUP (group));
  g_assert_true (wait_until (checks_done, &checks));
  check = check_row (&checks, "Read the invoice");
  g_assert_nonnull (check);
  g_assert_false (row_failed (check));
  check = check_row (&checks, "Invoice rows");
  g_assert_nonnull (check);
  g_assert_true (row_failed (check));
  g_test_message ("bad row: %s", adw_action_row_get_subtitle (check));

  g_assert_true (g_file_set_contents (path,
                                      "Client,ProductCode,ProductName,Quantity,UnitPrice,BillingCycle\n"
                                      "Acme,M365-BP,Microsoft 365 Business Premium,3,22.00,Monthly\n",
                                      -1, NULL));
  lsn_connection_group_test (LSN_CONNECTION_GROUP (group));
  g_assert_true (wait_until (checks_done, &checks));
  g_assert_cmpuint (checks.rows->len, ==, 2);
  for (guint i = 0; i < checks.rows->len; i++)
    g_assert_false (row_failed (g_ptr_array_index (checks.rows, i)));

  g_clear_pointer (&checks.rows, g_ptr_array_unref);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

/* The add dialog's second kind: a feed on the left, HaloPSA on the right, licences left to
 * right; the two system rows are hidden, and the same-system rule does not apply. */
static void
test_add_profile_feed (void)
{
  GtkWidget *dialog = lsn_add_profile_dialog_new (NULL, NULL);
  g_autoptr(GPtrArray) combos = find_all (dialog, ADW_TYPE_COMBO_ROW);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *settings = NULL;
  AdwComboRow *kind_row = NULL;
  JsonObject *root;
  JsonObject *kinds;

  for (guint i = 0; i < combos->len; i++)
    if (g_str_equal (adw_preferences_row_get_title (g_ptr_array_index (combos, i)), "Profile kind"))
      kind_row = g_ptr_array_index (combos, i);
  g_assert_nonnull (kind_row);
  g_assert_false (lsn_add_profile_dialog_is_feed (LSN_ADD_PROFILE_DIALOG (dialog)));

  /* Two PSAs: both the same system is refused. */
  gtk_editable_set_text (GTK_EDITABLE (row_titled (dialog, "Name")), "Converge licences");
  for (guint i = 0; i < combos->len; i++)
    if (g_ptr_array_index (combos, i) != kind_row)
      adw_combo_row_set_selected (g_ptr_array_index (combos, i), 0);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                           LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));

  adw_combo_row_set_selected (kind_row, 1);
  g_assert_true (lsn_add_profile_dialog_is_feed (LSN_ADD_PROFILE_DIALOG (dialog)));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                          LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));
  for (guint i = 0; i < combos->len; i++)
    if (g_ptr_array_index (combos, i) != kind_row)
      g_assert_false (gtk_widget_get_visible (g_ptr_array_index (combos, i)));

  settings = lsn_add_profile_dialog_dup_settings (LSN_ADD_PROFILE_DIALOG (dialog));
  g_assert_true (json_parser_load_from_data (parser, settings, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "left"),
                                                  "connector"), ==, "feed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "right"),
                                                  "connector"), ==, "halopsa");
  kinds = json_object_get_object_member (root, "kinds");
  g_assert_cmpuint (json_object_get_size (kinds), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (kinds, "licence"),
                                                  "direction"), ==, "left-to-right");

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
dialog_idle (gpointer data)
{
  return !lsn_licence_preview_dialog_is_busy (LSN_LICENCE_PREVIEW_DIALOG (data));
}

/* The licence preview of a feed profile over the sandbox's invoice: one expandable row per
 * customer with its counts, nothing written; Apply writes the creates and updates to HaloPSA. */
static void
test_licence_preview (void)
{
  LicenceFixture f;
  g_autofree char *json = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GPtrArray) expanders = NULL;
  GtkWidget *dialog;
  GtkWidget *first = NULL;
  GtkStack *stack;
  guint creates_listed = 0;
  guint writes_listed = 0;
  guint deletes_listed = 0;

  licence_fixture_init (&f, NULL);
  json = licence_fixture_profile_json (&f, f.invoice_url, NULL);
  profile = licence_fixture_add_profile (&f, "Converge licences", json);

  dialog = lsn_licence_preview_dialog_new (NULL, f.store, profile);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_until (dialog_idle, dialog));
  g_assert_cmpstr (lsn_licence_preview_dialog_get_outcome (LSN_LICENCE_PREVIEW_DIALOG (dialog)), ==, "ok");
  {
    g_autoptr(GPtrArray) stacks = find_all (dialog, GTK_TYPE_STACK);

    stack = g_ptr_array_index (stacks, 0);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "plan");
  }
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, 0);
  g_assert_cmpuint (licence_fixture_licence_deletes (&f), ==, 0);

  expanders = find_all (dialog, ADW_TYPE_EXPANDER_ROW);
  g_assert_cmpuint (expanders->len, >=, 4);
  for (guint i = 0; i < expanders->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (expanders, i);
      const char *subtitle = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));
      guint n = 0, u = 0, d = 0;

      g_assert_nonnull (strstr (subtitle, "to create"));
      g_assert_nonnull (strstr (subtitle, "to delete"));
      if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), f.customers[0]))
        first = row;
      g_assert_cmpint (sscanf (subtitle, "%u to create, %u to update, %u to delete", &n, &u, &d), ==, 3);
      creates_listed += n;
      writes_listed += n + u;
      deletes_listed += d;
    }
  g_test_message ("%u customers, %u creates, %u creates and updates", expanders->len,
                  creates_listed, writes_listed);
  g_assert_nonnull (first);
  g_assert_cmpuint (creates_listed, >, 0);

  lsn_licence_preview_dialog_apply (LSN_LICENCE_PREVIEW_DIALOG (dialog));
  g_assert_true (lsn_licence_preview_dialog_is_busy (LSN_LICENCE_PREVIEW_DIALOG (dialog)));
  g_assert_true (wait_until (dialog_idle, dialog));
  g_assert_cmpstr (lsn_licence_preview_dialog_get_outcome (LSN_LICENCE_PREVIEW_DIALOG (dialog)), ==, "ok");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "plan");
  /* HaloPSA takes creates and updates of licences as POSTs. */
  g_assert_cmpuint (licence_fixture_licence_posts (&f), ==, writes_listed);
  g_assert_cmpuint (licence_fixture_licence_deletes (&f), ==, deletes_listed);

  gtk_window_destroy (GTK_WINDOW (dialog));
  licence_fixture_clear (&f);
}

/* With LSN_TEST_PICTURES=DIR, a picture of @widget's window goes to DIR/NAME.png (for people
 * reviewing the pages; nothing is checked on it). */
static void
picture (GtkWidget  *widget,
         const char *name)
{
  const char *dir = g_getenv ("LSN_TEST_PICTURES");
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL || native == NULL)
    return;
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  paintable = gtk_widget_paintable_new (GTK_WIDGET (native));
  width = gdk_paintable_get_intrinsic_width (paintable);
  height = gdk_paintable_get_intrinsic_height (paintable);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  if (!gdk_texture_save_to_png (texture, path))
    g_test_message ("could not write %s", path);
}

typedef struct
{
  GtkColumnView *view;
  GtkStack      *stack;
  const char    *title;     /* the first column's title to wait for */
} TableWait;

static const char *
column_title (GtkColumnView *view,
              guint          position)
{
  g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (gtk_column_view_get_columns (view),
                                                                 position);
  return gtk_column_view_column_get_title (column);
}

static gboolean
column_visible (GtkColumnView *view,
                guint          position)
{
  g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (gtk_column_view_get_columns (view),
                                                                 position);
  return gtk_column_view_column_get_visible (column);
}

static gboolean
table_shown (gpointer data)
{
  TableWait *w = data;
  GtkSelectionModel *model = gtk_column_view_get_model (w->view);

  return model != NULL && g_list_model_get_n_items (G_LIST_MODEL (model)) > 0
         && g_strcmp0 (gtk_stack_get_visible_child_name (w->stack), "table") == 0
         && g_strcmp0 (column_title (w->view, 0), w->title) == 0;
}

/* A preview of the feed profile (a dry run: HaloPSA untouched, the local cache filled) */
static LsnLicenceJob *
preview_feed (LicenceFixture *f,
              LsnProfile     *profile)
{
  g_autoptr(GError) error = NULL;
  LsnLicenceJob *preview = lsn_licence_job_new (f->store, profile, "preview");

  lsn_licence_job_set_dry_run (preview, TRUE);
  g_assert_true (lsn_licence_job_run (preview, NULL, &error));
  g_assert_no_error (error);
  return preview;
}

/* The column view and the stack of the Mappings page */
static void
find_table (GtkWidget *page,
            TableWait *w)
{
  g_autoptr(GPtrArray) views = find_all (page, GTK_TYPE_COLUMN_VIEW);
  g_autoptr(GPtrArray) stacks = find_all (page, GTK_TYPE_STACK);

  w->view = g_ptr_array_index (views, 0);
  for (guint i = 0; i < stacks->len && w->stack == NULL; i++)
    if (gtk_stack_get_child_by_name (g_ptr_array_index (stacks, i), "table") != NULL)
      w->stack = g_ptr_array_index (stacks, i);
  g_assert_nonnull (w->stack);
}

/* The Mappings page of a billing-feed profile, after a preview: the invoice's customers against
 * HaloPSA's clients, then (switched) its products against their client's licences. */
static void
test_feed_mappings_page (void)
{
  LicenceFixture f;
  g_autofree char *json = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) preview = NULL;
  g_autoptr(GPtrArray) dropdowns = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = lsn_mappings_page_new ();
  GtkDropDown *kind = NULL;
  TableWait w = { 0 };
  gboolean summary_named = FALSE;
  guint customers;

  licence_fixture_init (&f, NULL);
  json = licence_fixture_profile_json (&f, f.invoice_url, NULL);
  profile = licence_fixture_add_profile (&f, "Converge licences", json);
  preview = preview_feed (&f, profile);
  customers = lsn_kind_plan_count (g_ptr_array_index (lsn_licence_job_get_plan (preview)->kinds, 0),
                                   LSN_ACTION_SKIP);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  lsn_mappings_page_set_profile (LSN_MAPPINGS_PAGE (page), f.store, profile);

  dropdowns = find_all (page, GTK_TYPE_DROP_DOWN);
  for (guint i = 0; i < dropdowns->len && kind == NULL; i++)
    if (gtk_widget_get_visible (g_ptr_array_index (dropdowns, i))
        && g_list_model_get_n_items (gtk_drop_down_get_model (g_ptr_array_index (dropdowns, i))) == 2)
      kind = g_ptr_array_index (dropdowns, i);
  g_assert_nonnull (kind);
  find_table (page, &w);

  w.title = "Invoice Customer";
  g_assert_true (wait_until (table_shown, &w));
  g_assert_cmpstr (column_title (w.view, 2), ==, "HaloPSA Client");
  g_assert_false (column_visible (w.view, 1));
  picture (page, "feed-mappings-customers");
  /* every customer of the invoice is a row, the unknown one too */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (w.view))),
                    >, customers);

  gtk_drop_down_set_selected (kind, 1);
  w.title = "Invoice Product";
  g_assert_true (wait_until (table_shown, &w));
  g_assert_cmpstr (column_title (w.view, 2), ==, "HaloPSA Licence");
  g_assert_true (column_visible (w.view, 1));
  g_assert_cmpstr (column_title (w.view, 1), ==, "Customer");
  labels = find_all (page, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    summary_named |= strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), " products shown") != NULL;
  g_assert_true (summary_named);
  picture (page, "feed-mappings-products");

  gtk_window_destroy (GTK_WINDOW (window));
  licence_fixture_clear (&f);
}

static gboolean
message_shown (gpointer data)
{
  TableWait *w = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (w->stack), "message") == 0;
}

/* The page was shown before the first preview ("No Customers Yet"); after a preview, showing
 * it again shows the customers the preview read, without choosing the profile again. */
static void
test_mappings_page_refresh (void)
{
  LicenceFixture f;
  g_autofree char *json = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) preview = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = lsn_mappings_page_new ();
  TableWait w = { 0 };

  licence_fixture_init (&f, NULL);
  json = licence_fixture_profile_json (&f, f.invoice_url, NULL);
  profile = licence_fixture_add_profile (&f, "Converge licences", json);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  lsn_mappings_page_set_profile (LSN_MAPPINGS_PAGE (page), f.store, profile);
  find_table (page, &w);
  w.title = "Invoice Customer";
  /* nothing read yet: the message, and it stays when nothing changed */
  g_assert_true (wait_until (message_shown, &w));
  iterate_for (G_USEC_PER_SEC / 2);
  g_assert_true (message_shown (&w));

  preview = preview_feed (&f, profile);

  /* the person goes to another page and comes back */
  gtk_widget_set_visible (page, FALSE);
  gtk_widget_set_visible (page, TRUE);
  g_assert_true (wait_until (table_shown, &w));
  g_assert_false (lsn_mappings_page_has_changes (LSN_MAPPINGS_PAGE (page)));

  /* and again, with nothing changed since: the rows stay the very same (no new model, so the
   * scroll position, the filters and what a screen reader holds stay) */
  {
    GtkSelectionModel *model = gtk_column_view_get_model (w.view);

    gtk_widget_set_visible (page, FALSE);
    gtk_widget_set_visible (page, TRUE);
    iterate_for (G_USEC_PER_SEC);
    g_assert_true (gtk_column_view_get_model (w.view) == model);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  licence_fixture_clear (&f);
}

/* A kind's row gives back what it was given, with the changes made, and keeps unknown keys. */
static void
test_kind_row (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *row = g_object_ref_sink (lsn_kind_group_new ("contact"));
  JsonObject *config;

  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"direction\": \"both\", \"mode\": \"new-only\", "
                                             "\"master\": \"right\", \"fields\": [{\"left\": \"email\", "
                                             "\"right\": \"email\"}]}", -1, NULL));
  config = json_node_get_object (json_parser_get_root (parser));
  lsn_kind_group_set_config (LSN_KIND_GROUP (row), config, "HaloPSA", "ConnectWise Manage");
  g_assert_true (lsn_kind_group_is_enabled (LSN_KIND_GROUP (row)));

  buttons = find_all (row, GTK_TYPE_TOGGLE_BUTTON);
  g_assert_cmpuint (buttons->len, ==, 4);
  gtk_toggle_button_set_active (g_ptr_array_index (buttons, 2), TRUE);   /* right to left */

  out = lsn_kind_group_dup_config (LSN_KIND_GROUP (row));
  g_assert_cmpstr (json_object_get_string_member (out, "direction"), ==, "right-to-left");
  g_assert_cmpstr (json_object_get_string_member (out, "mode"), ==, "new-only");
  g_assert_cmpstr (json_object_get_string_member (out, "master"), ==, "right");
  g_assert_true (json_object_has_member (out, "fields"));

  gtk_toggle_button_set_active (g_ptr_array_index (buttons, 0), TRUE);
  g_assert_false (lsn_kind_group_is_enabled (LSN_KIND_GROUP (row)));
  g_object_unref (row);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  if (!gtk_init_check ())
    {
      g_test_skip ("No display: run under xvfb-run -a");
      return g_test_run ();
    }
  adw_init ();

  g_test_add_func ("/gui/pages/connection-group", test_connection_group);
  g_test_add_func ("/gui/pages/connection-group-validation", test_connection_group_validation);
  g_test_add_func ("/gui/pages/kind-row", test_kind_row);
  g_test_add_func ("/gui/pages/feed-connection-group", test_feed_connection_group);
  g_test_add_func ("/gui/pages/add-profile-feed", test_add_profile_feed);
  g_test_add_func ("/gui/pages/licence-preview", test_licence_preview);
  g_test_add_func ("/gui/pages/feed-mappings", test_feed_mappings_page);
  g_test_add_func ("/gui/pages/mappings-refresh", test_mappings_page_refresh);

  return g_test_run ();
}
