/* lsn-application.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-application"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-application.h"
#include "lsn-demo.h"
#include "lsn-error.h"
#include "lsn-scheduler.h"
#include "lsn-store.h"
#include "lsn-util.h"
#include "lsn-window.h"

/* How long --screenshot waits for the profiles before it gives up. */
#define SCREENSHOT_TIMEOUT_SECONDS 30
/* After the profiles arrived, the picture waits for at least this many frames and this long, so
 * that it shows the finished state rather than a transition (disabling animations instead makes
 * libadwaita 1.2's view switcher warn about its size). */
#define SCREENSHOT_SETTLE_FRAMES 3
#define SCREENSHOT_SETTLE_USEC (1000 * G_TIME_SPAN_MILLISECOND)

/**
 * LsnApplication:
 *
 * Opens the database once, on the store's own thread, and hands it to every window with the
 * scheduler that runs the profiles and the demo's servers, all three shared by the windows. While
 * a window is open, profiles run by their schedule; with "Keep Syncing in the Background" on, they
 * go on after the last window is closed (the application holds itself), and a scheduled run that
 * fails sends a desktop notification. Handles
 * `--db FILE` (which database to use; `$LIAISON_DB` works too) and `--screenshot FILE` (draw the
 * window to a PNG and quit, for headless checks).
 */
struct _LsnApplication
{
  AdwApplication  parent_instance;

  char           *db_option;       /* (nullable): --db */
  char           *screenshot_path; /* (nullable): --screenshot, absolute */

  GSettings      *settings;        /* (nullable): when the schema is installed or built */
  GCancellable   *cancellable;
  char           *db_path;         /* (nullable): the database in use, once resolved */
  LsnStore       *store;           /* (nullable): once open */
  GError         *store_error;     /* (nullable): why it could not be opened */
  LsnScheduler   *scheduler;       /* (nullable): once the store is open */
  LsnDemo        *demo;
  gboolean        held;            /* running in the background, without a window */

  guint           screenshot_timeout;
  guint           screenshot_frames;
  gint64          screenshot_first_frame;
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (LsnApplication, lsn_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the database FILE instead of the default one"), N_("FILE") },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Save a picture of the window as a PNG in FILE, then quit"), N_("FILE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and quit"), NULL },
  { NULL }
};

static GSettings *
lsn_application_load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed: the window size will not be kept",
                 APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
lsn_application_foreach_window (LsnApplication *self,
                                void          (*func) (LsnApplication *, LsnWindow *))
{
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  for (const GList *l = windows; l != NULL; l = l->next)
    {
      if (LSN_IS_WINDOW (l->data))
        func (self, LSN_WINDOW (l->data));
    }
}

static void
lsn_application_give_store (LsnApplication *self,
                            LsnWindow      *window)
{
  lsn_window_set_demo (window, self->demo);
  if (self->scheduler != NULL)
    lsn_window_set_scheduler (window, self->scheduler);
  if (self->store != NULL)
    lsn_window_set_store (window, self->store);
  else if (self->store_error != NULL)
    lsn_window_show_store_error (window, self->db_path, self->store_error);
}

/* A scheduled run that failed: say so on the desktop, since nobody may be looking. */
static void
scheduler_job_finished_cb (LsnApplication *self,
                           LsnSyncJob     *job,
                           gint64          profile_id,
                           const char     *trigger,
                           const char     *error_message,
                           LsnScheduler   *scheduler)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  const char *outcome = lsn_sync_job_get_outcome (job);
  LsnProfile *profile;
  const char *body;

  if (g_strcmp0 (trigger, "schedule") != 0)
    return;
  if (error_message == NULL && g_strcmp0 (outcome, "partial") != 0
      && g_strcmp0 (outcome, "guarded") != 0)
    return;

  profile = lsn_scheduler_get_profile (scheduler, profile_id);
  /* Translators: %s is a profile name */
  title = g_strdup_printf (_("The sync of “%s” failed"),
                           profile != NULL ? lsn_profile_get_name (profile) : "?");
  if (error_message != NULL)
    body = error_message;
  else if (g_strcmp0 (outcome, "guarded") == 0)
    body = _("The mass-change guard stopped it: check the plan and run it by hand.");
  else
    body = _("Some records could not be written: see the Activity page.");

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action (notification, "app.activate");
  id = g_strdup_printf ("run-failed-%" G_GINT64_FORMAT, profile_id);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
store_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LsnApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->store = lsn_store_open_finish (result, &error);

  if (self->store == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      self->store_error = g_steal_pointer (&error);
    }
  else
    {
      self->scheduler = lsn_scheduler_new (self->store);
      g_signal_connect_object (self->scheduler, "job-finished",
                               G_CALLBACK (scheduler_job_finished_cb), self,
                               G_CONNECT_SWAPPED);
      /* A picture changes nothing: no run starts by itself. */
      lsn_scheduler_set_enabled (self->scheduler, self->screenshot_path == NULL);
    }

  lsn_application_foreach_window (self, lsn_application_give_store);
}

static void
lsn_application_open_store (LsnApplication *self)
{
  g_assert (self->db_path == NULL);

  self->db_path = lsn_resolve_db_path (self->db_option);
  g_debug ("Opening the database %s", self->db_path);

  lsn_store_open_async (self->db_path,
                        self->cancellable,
                        store_open_cb,
                        g_object_ref (self));
}

/* --screenshot */

static gboolean
lsn_application_render_window (GtkWidget   *widget,
                               const char  *path,
                               GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
  if (renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_FAILED,
                   "The window was not drawn (%d×%d, renderer %p): is there a display?",
                   width, height, (gpointer)renderer);
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);

  if (node == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_FAILED,
                           "The window drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_FAILED,
                   "Cannot write the screenshot to %s: check that its folder exists and is "
                   "writable", path);
      return FALSE;
    }

  return TRUE;
}

static void
lsn_application_finish_screenshot (LsnApplication *self,
                                   int             exit_status)
{
  g_clear_handle_id (&self->screenshot_timeout, g_source_remove);
  self->exit_status = exit_status;
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *frame_clock,
                    gpointer       user_data)
{
  LsnApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  gint64 frame_time = gdk_frame_clock_get_frame_time (frame_clock);

  if (self->screenshot_frames++ == 0)
    self->screenshot_first_frame = frame_time;

  if (self->screenshot_frames < SCREENSHOT_SETTLE_FRAMES
      || frame_time - self->screenshot_first_frame < SCREENSHOT_SETTLE_USEC)
    return G_SOURCE_CONTINUE;

  if (!lsn_application_render_window (widget, self->screenshot_path, &error))
    {
      g_printerr ("%s\n", error->message);
      lsn_application_finish_screenshot (self, 1);
      return G_SOURCE_REMOVE;
    }

  g_print ("%s\n", self->screenshot_path);

  /* A window that shows a database error is pictured, but the run still failed. */
  lsn_application_finish_screenshot (self, self->store_error != NULL ? 1 : 0);

  return G_SOURCE_REMOVE;
}

static void
window_loaded_cb (LsnApplication *self,
                  GParamSpec     *pspec,
                  LsnWindow      *window)
{
  if (!lsn_window_get_loaded (window))
    return;

  g_signal_handlers_disconnect_by_func (window, window_loaded_cb, self);

  if (self->store_error != NULL)
    g_printerr ("%s\n", self->store_error->message);

  self->screenshot_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (window), screenshot_tick_cb, self, NULL);
}

static gboolean
screenshot_timeout_cb (gpointer user_data)
{
  LsnApplication *self = user_data;

  self->screenshot_timeout = 0;
  g_printerr ("The window was not ready within %d seconds: no screenshot taken\n",
              SCREENSHOT_TIMEOUT_SECONDS);
  lsn_application_finish_screenshot (self, 1);

  return G_SOURCE_REMOVE;
}

/* Pictures for tests: with $LIAISON_SCREENSHOT_DIR set, the action "screenshot" (a name) draws
 * every visible window to NAME.png (the main window) and NAME-N.png (dialogs) in that folder.
 * Without the variable the action does not exist. */
#define SCREENSHOT_DIR_ENV "LIAISON_SCREENSHOT_DIR"

static void
lsn_application_screenshot_action (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  const char *dir = g_getenv (SCREENSHOT_DIR_ENV);
  g_autofree char *name = g_path_get_basename (g_variant_get_string (param, NULL));
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n_dialogs = 0;

  if (dir == NULL || name[0] == '.' || name[0] == '\0')
    return;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      if (!gtk_widget_get_visible (window) || !gtk_widget_get_mapped (window))
        continue;

      if (LSN_IS_WINDOW (window))
        file = g_strdup_printf ("%s.png", name);
      else
        file = g_strdup_printf ("%s-%u.png", name, ++n_dialogs);
      path = g_build_filename (dir, file, NULL);

      if (!lsn_application_render_window (window, path, &error))
        g_warning ("%s", error->message);
    }
}

/* Actions */

static void
lsn_application_close_window (LsnApplication *self,
                              LsnWindow      *window)
{
  gtk_window_close (GTK_WINDOW (window));
}

static void
lsn_application_quit_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  LsnApplication *self = user_data;

  /* Closing the windows keeps their size; quitting then stops whatever is left. */
  lsn_application_foreach_window (self, lsn_application_close_window);
  g_application_quit (G_APPLICATION (self));
}

static void
lsn_application_about_action (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  LsnApplication *self = user_data;
  static const char *developers[] = { "The Liaison authors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", "Liaison",
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", "The Liaison authors",
                         "developers", developers,
                         "comments", _("Keep your PSA and the systems around it in step"),
                         "website", "https://github.com/liaison/liaison",
                         "issue-url", "https://github.com/liaison/liaison/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Liaison authors",
                         /* Translators: your name(s), one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
lsn_application_activate_action (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static void
lsn_application_toggle_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  g_simple_action_set_state (action, g_variant_new_boolean (!g_variant_get_boolean (state)));
}

static const GActionEntry app_actions[] = {
  { "quit", lsn_application_quit_action },
  { "about", lsn_application_about_action },
  { "activate", lsn_application_activate_action },
};

static gboolean
lsn_application_get_run_in_background (LsnApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "run-in-background");
  g_autoptr(GVariant) state = action != NULL ? g_action_get_state (action) : NULL;

  return state != NULL && g_variant_get_boolean (state);
}

/* The last window closed: stay, running the schedule, when the person allowed it. */
static void
lsn_application_window_removed (GtkApplication *app,
                                GtkWindow      *window)
{
  LsnApplication *self = LSN_APPLICATION (app);

  if (!self->held && self->scheduler != NULL
      && gtk_application_get_windows (app)->next == NULL
      && lsn_application_get_run_in_background (self)
      && (lsn_scheduler_get_n_scheduled (self->scheduler) > 0
          || lsn_scheduler_get_n_running (self->scheduler) > 0))
    {
      g_debug ("No window left: going on in the background");
      self->held = TRUE;
      g_application_hold (G_APPLICATION (app));
    }

  GTK_APPLICATION_CLASS (lsn_application_parent_class)->window_removed (app, window);
}

/* GApplication */

static int
lsn_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  LsnApplication *self = LSN_APPLICATION (app);
  g_autofree char *screenshot = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("liaison %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "db", "^ay", &self->db_option);
  g_variant_dict_lookup (options, "screenshot", "^ay", &screenshot);

  if (screenshot != NULL)
    self->screenshot_path = g_canonicalize_filename (screenshot, NULL);

  /* Another database, or a picture: run here, not in an instance already running. */
  if (self->db_option != NULL || self->screenshot_path != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
lsn_application_startup (GApplication *app)
{
  LsnApplication *self = LSN_APPLICATION (app);
  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.add-profile", { "<Control>n", NULL } },
    { "win.rename-profile", { "F2", NULL } },
    { "win.delete-profile", { "Delete", NULL } },
    { "win.sync-now", { "F5", NULL } },
  };

  G_APPLICATION_CLASS (lsn_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);

  /* A picture shows the default size, and changes nothing. */
  if (self->screenshot_path == NULL)
    self->settings = lsn_application_load_settings ();

  if (g_getenv (SCREENSHOT_DIR_ENV) != NULL)
    {
      const GActionEntry entry = { "screenshot", lsn_application_screenshot_action, "s", NULL, NULL };

      g_action_map_add_action_entries (G_ACTION_MAP (self), &entry, 1, self);
    }

  if (self->settings != NULL)
    {
      g_autoptr(GAction) background = g_settings_create_action (self->settings,
                                                                "run-in-background");

      g_action_map_add_action (G_ACTION_MAP (self), background);
    }
  else
    {
      const GActionEntry entry = { "run-in-background", lsn_application_toggle_action, NULL,
                                   "false", NULL };

      g_action_map_add_action_entries (G_ACTION_MAP (self), &entry, 1, self);
    }

  lsn_application_open_store (self);
}

static void
lsn_application_activate (GApplication *app)
{
  LsnApplication *self = LSN_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (lsn_window_new (self, self->settings));
      lsn_application_give_store (self, LSN_WINDOW (window));

      /* Back from the background: the window keeps the application alive again. */
      if (self->held)
        {
          self->held = FALSE;
          g_application_release (app);
        }

      if (self->screenshot_path != NULL)
        {
          self->screenshot_timeout = g_timeout_add_seconds (SCREENSHOT_TIMEOUT_SECONDS,
                                                            screenshot_timeout_cb, self);
          g_signal_connect_object (window, "notify::loaded",
                                   G_CALLBACK (window_loaded_cb), self,
                                   G_CONNECT_SWAPPED);
          window_loaded_cb (self, NULL, LSN_WINDOW (window));
        }
    }

  gtk_window_present (window);
}

static void
lsn_application_shutdown (GApplication *app)
{
  LsnApplication *self = LSN_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->screenshot_timeout, g_source_remove);

  /* Cancelled runs end at their next step; wait (a bounded while) so that none still writes to
   * the store or talks to the demo's servers while they close. */
  if (self->scheduler != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      lsn_scheduler_shutdown (self->scheduler);
      while (lsn_scheduler_get_n_running (self->scheduler) > 0
             && g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (10 * G_TIME_SPAN_MILLISECOND);
        }
    }

  lsn_demo_stop (self->demo);

  if (self->store != NULL)
    lsn_store_close (self->store);

  G_APPLICATION_CLASS (lsn_application_parent_class)->shutdown (app);
}

static void
lsn_application_finalize (GObject *object)
{
  LsnApplication *self = (LsnApplication *)object;

  g_clear_pointer (&self->db_option, g_free);
  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->demo);
  g_clear_object (&self->store);
  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (lsn_application_parent_class)->finalize (object);
}

static void
lsn_application_class_init (LsnApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->finalize = lsn_application_finalize;

  app_class->handle_local_options = lsn_application_handle_local_options;
  app_class->startup = lsn_application_startup;
  app_class->activate = lsn_application_activate;
  app_class->shutdown = lsn_application_shutdown;

  gtk_app_class->window_removed = lsn_application_window_removed;
}

static void
lsn_application_init (LsnApplication *self)
{
  self->cancellable = g_cancellable_new ();
  self->demo = lsn_demo_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Keep your PSA and the systems around it in step."));
}

/**
 * lsn_application_new:
 *
 * Returns: (transfer full): a new #LsnApplication
 */
LsnApplication *
lsn_application_new (void)
{
  return g_object_new (LSN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/liaison/Liaison",
                       NULL);
}

/**
 * lsn_application_get_exit_status:
 * @self: a #LsnApplication
 *
 * Returns: the status the process should exit with when g_application_run() returned 0:
 *   non-zero when `--screenshot` failed or the database could not be opened for it
 */
int
lsn_application_get_exit_status (LsnApplication *self)
{
  g_return_val_if_fail (LSN_IS_APPLICATION (self), 1);

  return self->exit_status;
}
