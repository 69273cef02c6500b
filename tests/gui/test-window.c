/* test-window.c: the main window over a real store, without assistive technologies
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs a display (run under xvfb-run); skipped without one.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <sqlite3.h>

#include "lsn-add-profile-dialog.h"
#include "lsn-error.h"
#include "lsn-licence-job.h"
#include "lsn-profile-config.h"
#include "lsn-profile.h"
#include "lsn-profile-name-dialog.h"
#include "lsn-store.h"
#include "lsn-test-util.h"
#include "lsn-util.h"
#include "lsn-window.h"

/* Every wait is bounded: a broken window fails the test instead of hanging it. */
#define WAIT_MS 10000
/* liaison --screenshot starts a whole application (llvmpipe on a loaded machine). */
#define SCREENSHOT_TIMEOUT_S 30

static char *system_data_dirs; /* XDG_DATA_DIRS before the tests isolated it */

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition condition,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;

      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }

  return TRUE;
}

typedef struct
{
  char      *dir;
  char      *db_path;
  LsnStore  *store;
  LsnWindow *window;
} Fixture;

static gboolean
window_loaded (gpointer data)
{
  return lsn_window_get_loaded (data);
}

static const char *
window_state (LsnWindow *window)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                              LSN_TYPE_WINDOW,
                                                              "main_stack"));

  return gtk_stack_get_visible_child_name (stack);
}

static void
fixture_open_window (Fixture *fixture)
{
  fixture->window = g_object_ref_sink (lsn_window_new (NULL, NULL));
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_cmpstr (window_state (fixture->window), ==, "loading");
  g_assert_false (lsn_window_get_loaded (fixture->window));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->dir = lsn_test_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "liaison.db", NULL);
}

static void
fixture_open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->store = lsn_store_open (fixture->db_path, &error);
  g_assert_no_error (error);

  fixture_open_window (fixture);
  lsn_window_set_store (fixture->window, fixture->store);
  g_assert_true (wait_until (window_loaded, fixture->window));
}

static void
close_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    g_ptr_array_add (windows, g_list_model_get_item (toplevels, i));

  for (guint i = 0; i < windows->len; i++)
    gtk_window_destroy (g_ptr_array_index (windows, i));
}

/* Runs the main loop for a moment: long enough for a dialog to be presented. */
static void
settle (void)
{
  gint64 end = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  close_toplevels ();
  g_clear_object (&fixture->window);

  if (fixture->store != NULL)
    lsn_store_close (fixture->store);
  g_clear_object (&fixture->store);

  /* Let the last callbacks run before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_free (fixture->db_path);
  g_free (fixture->dir);
}

static AdwMessageDialog *
find_dialog (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
name_dialog_shown (gpointer data)
{
  return find_dialog (LSN_TYPE_PROFILE_NAME_DIALOG) != NULL;
}

static gboolean
add_dialog_shown (gpointer data)
{
  return find_dialog (LSN_TYPE_ADD_PROFILE_DIALOG) != NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_dialog (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
no_dialog_shown (gpointer data)
{
  return find_dialog (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

typedef struct
{
  LsnWindow  *window;
  const char *name;
  guint       n_profiles;
} ListCondition;

static gboolean
list_is (gpointer data)
{
  ListCondition *condition = data;
  GListModel *profiles = lsn_window_get_profiles (condition->window);
  guint n_items = g_list_model_get_n_items (profiles);

  if (n_items != condition->n_profiles)
    return FALSE;

  if (condition->name == NULL)
    return TRUE;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LsnProfile) profile = g_list_model_get_item (profiles, i);

      if (g_str_equal (lsn_profile_get_name (profile), condition->name))
        return TRUE;
    }

  return FALSE;
}

/* What clicking a response button does: the response, then the dialog closes. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static GtkWidget *
dialog_child (AdwMessageDialog *dialog,
              const char       *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                   G_OBJECT_TYPE (dialog), name));
}

static GPtrArray *
list_profiles (LsnStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *profiles = lsn_store_list_profiles (store, &error);

  g_assert_no_error (error);
  return profiles;
}

static gboolean
window_state_is_profiles (gpointer data)
{
  return g_strcmp0 (window_state (data), "profiles") == 0;
}

static gboolean
window_state_is_empty (gpointer data)
{
  return g_strcmp0 (window_state (data), "empty") == 0;
}

/* A new database: the empty state, with its button; add a profile with it. */
static void
test_empty_then_add (Fixture       *fixture,
                     gconstpointer  user_data)
{
  GtkWidget *add_button;
  AdwMessageDialog *dialog;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  ListCondition added = { NULL, "Acme: HaloPSA and ConnectWise", 1 };

  fixture_open_store (fixture);

  g_assert_cmpstr (window_state (fixture->window), ==, "empty");
  g_assert_cmpuint (g_list_model_get_n_items (lsn_window_get_profiles (fixture->window)), ==, 0);

  add_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                          LSN_TYPE_WINDOW, "empty_add_button"));
  g_assert_true (gtk_widget_is_sensitive (add_button));
  g_assert_true (gtk_widget_activate (add_button));
  g_assert_true (wait_until (add_dialog_shown, NULL));

  dialog = find_dialog (LSN_TYPE_ADD_PROFILE_DIALOG);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));

  /* Blanks only: still nothing to add. */
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")),
                         "  Acme: HaloPSA and ConnectWise ");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));
  respond (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD);

  added.window = fixture->window;
  g_assert_true (wait_until (list_is, &added));
  g_assert_true (wait_until (window_state_is_profiles, fixture->window));

  /* The store has it, trimmed. */
  profiles = list_profiles (fixture->store);
  g_assert_cmpuint (profiles->len, ==, 1);
  g_assert_cmpstr (lsn_profile_get_name (g_ptr_array_index (profiles, 0)), ==,
                   "Acme: HaloPSA and ConnectWise");
  /* With the two systems chosen (the defaults), each connection with the id of its secret. */
  {
    const char *settings = lsn_profile_get_settings (g_ptr_array_index (profiles, 0));
    g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (settings, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (config->left, "connector"), ==, "halopsa");
    g_assert_cmpstr (json_object_get_string_member (config->right, "connector"), ==, "connectwise");
    g_assert_true (lsn_is_guid (json_object_get_string_member (config->left, "id")));
  }

  /* And it is the selected profile. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==,
                   "Acme: HaloPSA and ConnectWise");
}

static GtkWidget *
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
feed_rows_shown (gpointer data)
{
  return find_entry_row (data, "Invoice source") != NULL;
}

/* The second kind of profile: a distributor feed into HaloPSA licences. The store takes it as a
 * valid profile, and the Connections page shows the feed's settings. */
static void
test_add_feed_profile (Fixture       *fixture,
                       gconstpointer  user_data)
{
  AdwMessageDialog *dialog;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  ListCondition added = { NULL, "Converge licences", 1 };

  fixture_open_store (fixture);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-profile", NULL);
  g_assert_true (wait_until (add_dialog_shown, NULL));

  dialog = find_dialog (LSN_TYPE_ADD_PROFILE_DIALOG);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Converge licences");
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "kind_row")), 1);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));
  respond (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD);

  added.window = fixture->window;
  g_assert_true (wait_until (list_is, &added));
  profiles = list_profiles (fixture->store);
  g_assert_cmpuint (profiles->len, ==, 1);
  {
    const char *settings = lsn_profile_get_settings (g_ptr_array_index (profiles, 0));
    g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (settings, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (config->left, "connector"), ==, "feed");
    g_assert_cmpstr (json_object_get_string_member (config->right, "connector"), ==, "halopsa");
    g_assert_true (lsn_licence_job_handles_profile (settings));
  }

  g_assert_true (wait_until (feed_rows_shown, fixture->window));
  g_assert_nonnull (find_entry_row (GTK_WIDGET (fixture->window), "Quantity column"));
  g_assert_nonnull (find_entry_row (GTK_WIDGET (fixture->window), "Resource server"));
}

/* A name already taken (in any case) cannot be added, and the dialog says why. */
static void
test_duplicate_name (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (fixture->db_path, &error);
  AdwMessageDialog *dialog;
  GtkWidget *problem;

  g_assert_no_error (error);
  g_assert_cmpint (lsn_store_add_profile (store, "Acme", NULL, &error), >, 0);
  g_assert_no_error (error);
  lsn_store_close (store);

  fixture_open_store (fixture);
  g_assert_cmpstr (window_state (fixture->window), ==, "profiles");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-profile", NULL));
  g_assert_true (wait_until (add_dialog_shown, NULL));
  dialog = find_dialog (LSN_TYPE_ADD_PROFILE_DIALOG);
  problem = dialog_child (dialog, "problem_label");

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "ACME");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));
  g_assert_true (gtk_widget_get_visible (problem));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (problem)), "already exists"));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Acme 2");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, LSN_ADD_PROFILE_DIALOG_RESPONSE_ADD));
  g_assert_false (gtk_widget_get_visible (problem));
}

/* Rename the selected profile, then delete it after confirming: back to the empty state. */
static void
test_rename_and_delete (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = lsn_store_open (fixture->db_path, &error);
  g_autoptr(GPtrArray) profiles = NULL;
  AdwMessageDialog *dialog;
  ListCondition renamed = { NULL, "Globex", 1 };
  ListCondition emptied = { NULL, NULL, 0 };

  g_assert_no_error (error);
  g_assert_cmpint (lsn_store_add_profile (store, "Initech", NULL, &error), >, 0);
  g_assert_no_error (error);
  lsn_store_close (store);

  fixture_open_store (fixture);
  renamed.window = emptied.window = fixture->window;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename-profile", NULL));
  g_assert_true (wait_until (name_dialog_shown, NULL));
  dialog = find_dialog (LSN_TYPE_PROFILE_NAME_DIALOG);

  /* The current name is offered, and keeping it is no rename. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dialog_child (dialog, "name_row"))), ==, "Initech");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "name_row")), "Globex");
  respond (dialog, LSN_PROFILE_NAME_DIALOG_RESPONSE_ACCEPT);
  g_assert_true (wait_until (list_is, &renamed));
  g_assert_true (wait_until (no_dialog_shown, NULL));

  /* Delete asks first; cancelling keeps the profile. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-profile", NULL));
  g_assert_true (wait_until (message_dialog_shown, NULL));
  dialog = find_dialog (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Globex"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "delete"), ==, ADW_RESPONSE_DESTRUCTIVE);
  respond (dialog, "cancel");
  g_assert_true (wait_until (no_dialog_shown, NULL));
  profiles = list_profiles (fixture->store);
  g_assert_cmpuint (profiles->len, ==, 1);
  g_clear_pointer (&profiles, g_ptr_array_unref);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-profile", NULL));
  g_assert_true (wait_until (message_dialog_shown, NULL));
  respond (find_dialog (ADW_TYPE_MESSAGE_DIALOG), "delete");
  g_assert_true (wait_until (list_is, &emptied));
  g_assert_true (wait_until (window_state_is_empty, fixture->window));

  profiles = list_profiles (fixture->store);
  g_assert_cmpuint (profiles->len, ==, 0);

  /* Nothing selected, nothing to rename or delete. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename-profile", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-profile", NULL);
  settle ();
  g_assert_null (find_dialog (ADW_TYPE_MESSAGE_DIALOG));
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_too_new (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 9999;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* A database that cannot be opened: the error state, and a dialog that says what to do. The file
 * is left exactly as it was. */
static void
test_store_error (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char *kind = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len = 0;
  gsize after_len = 0;
  AdwMessageDialog *dialog;
  const char *body;
  GtkWidget *error_page;

  if (g_str_equal (kind, "corrupt"))
    write_file (fixture->db_path, "These are not the tables you are looking for.\n");
  else
    make_too_new (fixture->db_path);

  g_assert_true (g_file_get_contents (fixture->db_path, &before, &before_len, NULL));

  g_assert_null (lsn_store_open (fixture->db_path, &error));
  if (g_str_equal (kind, "corrupt"))
    g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT);
  else
    g_assert_error (error, LSN_ERROR, LSN_ERROR_STORE_TOO_NEW);

  fixture_open_window (fixture);
  lsn_window_show_store_error (fixture->window, fixture->db_path, error);
  g_assert_true (lsn_window_get_loaded (fixture->window));
  g_assert_cmpstr (window_state (fixture->window), ==, "error");

  g_assert_true (wait_until (message_dialog_shown, NULL));
  dialog = find_dialog (ADW_TYPE_MESSAGE_DIALOG);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("%s: %s", adw_message_dialog_get_heading (dialog), body);

  /* The store's own words, then what to do, and which file. */
  g_assert_nonnull (strstr (body, error->message));
  g_assert_nonnull (strstr (body, fixture->db_path));
  if (g_str_equal (kind, "corrupt"))
    {
      g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Database Is Damaged");
      g_assert_nonnull (strstr (body, "backup"));
    }
  else
    {
      g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Database Is From a Newer Liaison");
      g_assert_nonnull (strstr (body, "Update Liaison"));
    }
  g_assert_true (adw_message_dialog_has_response (dialog, "quit"));

  error_page = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                          LSN_TYPE_WINDOW, "error_page"));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (error_page)), ==,
                   adw_message_dialog_get_heading (dialog));

  /* No profile can be added without a database. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-profile", NULL);
  settle ();
  g_assert_null (find_dialog (LSN_TYPE_ADD_PROFILE_DIALOG));

  g_assert_true (g_file_get_contents (fixture->db_path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

/* liaison --screenshot, the program itself: a PNG of the window, or a failure status. */

static int
run_screenshot (const char *db_path,
                const char *png_path)
{
  g_autofree char *liaison = g_build_filename (BUILD_DIR, "src", "gui", "liaison", NULL);
  g_autofree char *timeout = g_strdup_printf ("%d", SCREENSHOT_TIMEOUT_S);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  /* The icon theme and the MIME database, which the test's own XDG_DATA_DIRS lacks. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", system_data_dirs, TRUE);

  /* timeout(1) bounds the run: 124 if liaison hangs. */
  subprocess = g_subprocess_launcher_spawn (launcher, &error,
                                            "timeout", timeout,
                                            liaison, "--db", db_path, "--screenshot", png_path,
                                            NULL);
  g_assert_no_error (error);

  g_subprocess_wait (subprocess, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));

  return g_subprocess_get_exit_status (subprocess);
}

static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *png = g_build_filename (fixture->dir, "window.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(LsnStore) store = NULL;

  store = lsn_store_open (fixture->db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lsn_store_add_profile (store, "Acme", NULL, &error), >, 0);
  lsn_store_close (store);

  g_assert_cmpint (run_screenshot (fixture->db_path, png), ==, 0);

  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 360);
  g_assert_cmpint (gdk_texture_get_height (texture), >=, 294);
}

static void
test_screenshot_bad_database (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *png = g_build_filename (fixture->dir, "window.png", NULL);
  const char *garbage = "not a database, and it must stay so\n";
  g_autofree char *after = NULL;

  write_file (fixture->db_path, garbage);

  /* The window with the error is pictured, but the run fails. */
  g_assert_cmpint (run_screenshot (fixture->db_path, png), ==, 1);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));

  g_assert_true (g_file_get_contents (fixture->db_path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);
}

static void
test_no_display (void)
{
  g_test_skip ("No display: run under xvfb-run -a");
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) data_dirs = g_strdupv ((char **)g_get_system_data_dirs ());

  system_data_dirs = g_strjoinv (":", data_dirs);

  /* Each test gets an empty XDG_DATA_DIRS, without the MIME database (SVG icons do not load
   * without it) or the icon theme: keep using the system's. */
  g_content_type_set_mime_dirs (NULL);
  lsn_test_init (&argc, &argv);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/gui/no-display", test_no_display);
      return g_test_run ();
    }
  adw_init ();

  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      g_autofree char *icons = g_build_filename (data_dirs[i], "icons", NULL);

      gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      icons);
    }

  g_test_add ("/gui/window/empty-then-add", Fixture, NULL,
              fixture_set_up, test_empty_then_add, fixture_tear_down);
  g_test_add ("/gui/window/add-feed-profile", Fixture, NULL,
              fixture_set_up, test_add_feed_profile, fixture_tear_down);
  g_test_add ("/gui/window/duplicate-name", Fixture, NULL,
              fixture_set_up, test_duplicate_name, fixture_tear_down);
  g_test_add ("/gui/window/rename-and-delete", Fixture, NULL,
              fixture_set_up, test_rename_and_delete, fixture_tear_down);
  g_test_add ("/gui/window/store-error/corrupt", Fixture, "corrupt",
              fixture_set_up, test_store_error, fixture_tear_down);
  g_test_add ("/gui/window/store-error/too-new", Fixture, "too-new",
              fixture_set_up, test_store_error, fixture_tear_down);
  g_test_add ("/gui/screenshot/profiles", Fixture, NULL,
              fixture_set_up, test_screenshot, fixture_tear_down);
  g_test_add ("/gui/screenshot/bad-database", Fixture, NULL,
              fixture_set_up, test_screenshot_bad_database, fixture_tear_down);

  return g_test_run ();
}
