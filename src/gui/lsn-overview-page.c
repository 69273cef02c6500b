/* lsn-overview-page.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-overview"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-error.h"
#include "lsn-gui-util.h"
#include "lsn-history.h"
#include "lsn-licence-job.h"
#include "lsn-licence-preview-dialog.h"
#include "lsn-overview-page.h"
#include "lsn-profile-config.h"
#include "lsn-profile-io.h"

#define N_FAILURES 5
/* Progress is drawn at most this often: a run reports far more often than anyone reads, and
 * every redraw costs the main loop (much more so with software rendering). */
#define PROGRESS_INTERVAL_MS 100

/**
 * LsnOverviewPage:
 *
 * The state of one profile: the run in progress (phase, progress, counts, requests spent) with
 * Sync Now, Pause and Cancel; the last run and the next scheduled one; whether both connections
 * answer, and how much of their request budget is left; and what waits for a person (possible
 * matches, the latest failures, which open the Activity page).
 *
 * Everything that reads the store or the network runs on a worker thread (GTask); results for a
 * profile that is no longer shown are dropped through the per-profile cancellable. Progress
 * arrives through the job's coalesced "progress" signal, at most once per main-loop iteration.
 */
struct _LsnOverviewPage
{
  AdwBin           parent_instance;

  /* Template children */
  GtkWidget       *sync_button;
  GtkWidget       *pause_button;
  GtkWidget       *cancel_button;
  GtkLabel        *phase_label;
  GtkProgressBar  *progress_bar;
  GtkLabel        *counts_label;
  AdwActionRow    *last_run_row;
  AdwActionRow    *next_run_row;
  AdwActionRow    *left_health_row;
  GtkImage        *left_health_icon;
  AdwActionRow    *right_health_row;
  GtkImage        *right_health_icon;
  AdwActionRow    *left_budget_row;
  GtkLevelBar     *left_budget_bar;
  AdwActionRow    *right_budget_row;
  GtkLevelBar     *right_budget_bar;
  AdwActionRow    *matches_row;
  GtkListBox      *failures_list;
  AdwActionRow    *calm_row;

  LsnScheduler    *scheduler;          /* (nullable) */
  LsnProfile      *profile;            /* (nullable) */
  LsnSyncJob      *job;                /* (nullable): the shown profile's running job */
  GCancellable    *cancellable;        /* work for the shown profile */
  GHashTable      *health;             /* profile id → Health */
  GHashTable      *budgets;            /* profile id → LsnSyncProgress, the last one seen */
  gint64           progress_shown_at;  /* monotonic time of the last progress drawn */
  guint            progress_source;    /* a progress waiting to be drawn */
  gboolean         has_real_run;       /* the shown profile ran for real at least once */
  gboolean         last_guarded;       /* its last run was stopped by the mass-change guard */
  gboolean         summary_loaded;
};

G_DEFINE_FINAL_TYPE (LsnOverviewPage, lsn_overview_page, ADW_TYPE_BIN)

/* Health */

typedef struct
{
  char     *signature;   /* the connection settings it was checked with */
  gboolean  done;
  gboolean  ok[2];
  char     *message[2];  /* (nullable) */
} Health;

static void
health_free (Health *health)
{
  g_free (health->signature);
  g_free (health->message[0]);
  g_free (health->message[1]);
  g_free (health);
}

static char *
connection_signature (LsnProfile *profile)
{
  g_autoptr(JsonObject) root = lsn_gui_parse_settings (lsn_profile_get_settings (profile));
  g_autoptr(JsonNode) node = json_node_alloc ();
  g_autoptr(JsonObject) sides = json_object_new ();

  json_object_set_object_member (sides, "left",
                                 json_object_ref (lsn_gui_object_member (root, "left")));
  json_object_set_object_member (sides, "right",
                                 json_object_ref (lsn_gui_object_member (root, "right")));
  json_node_init_object (node, sides);

  return json_to_string (node, FALSE);
}

static void
check_health_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LsnProfile *profile = task_data;
  Health *health = g_new0 (Health, 1);
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  health->done = TRUE;
  config = lsn_profile_config_parse (lsn_profile_get_settings (profile), &error);

  for (guint s = 0; s < 2; s++)
    {
      g_autoptr(LsnConnector) connector = NULL;
      g_autoptr(GPtrArray) checks = NULL;
      g_autoptr(GError) side_error = NULL;

      if (config == NULL)
        {
          health->message[s] = g_strdup (error->message);
          continue;
        }

      connector = lsn_sync_build_connector (lsn_profile_config_get_side (config, s), &side_error);
      if (connector == NULL)
        {
          health->message[s] = g_strdup (side_error->message);
          continue;
        }

      checks = lsn_connector_test_connection (connector, NULL, cancellable);
      health->ok[s] = checks->len > 0;
      for (guint i = 0; i < checks->len; i++)
        {
          LsnCheck *check = g_ptr_array_index (checks, i);

          if (!check->ok)
            {
              health->ok[s] = FALSE;
              health->message[s] = g_strdup_printf ("%s: %s", check->name,
                                                    check->message ? check->message : "");
              break;
            }
        }
    }

  g_task_return_pointer (task, health, (GDestroyNotify) health_free);
}

static void lsn_overview_page_update_health (LsnOverviewPage *self);

static void
check_health_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LsnOverviewPage) self = user_data;
  g_autofree char *signature = g_strdup (g_object_get_data (G_OBJECT (result), "signature"));
  gint64 id = lsn_profile_get_id (g_task_get_task_data (G_TASK (result)));
  Health *health;

  health = g_task_propagate_pointer (G_TASK (result), NULL);
  if (health == NULL)
    return;

  health->signature = g_steal_pointer (&signature);
  g_hash_table_insert (self->health, g_memdup2 (&id, sizeof id), health);

  if (self->profile != NULL && lsn_profile_get_id (self->profile) == id)
    lsn_overview_page_update_health (self);
}

/**
 * lsn_overview_page_check_health:
 * @self: a #LsnOverviewPage
 *
 * Tests both connections of the shown profile again (reachable, authenticated), on a worker.
 */
void
lsn_overview_page_check_health (LsnOverviewPage *self)
{
  g_autoptr(GTask) task = NULL;
  gint64 id;
  Health *pending;

  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));

  if (self->profile == NULL)
    return;

  id = lsn_profile_get_id (self->profile);
  pending = g_new0 (Health, 1);
  pending->signature = connection_signature (self->profile);
  g_hash_table_insert (self->health, g_memdup2 (&id, sizeof id), pending);
  lsn_overview_page_update_health (self);

  task = g_task_new (NULL, self->cancellable, check_health_cb, g_object_ref (self));
  g_task_set_source_tag (task, lsn_overview_page_check_health);
  g_task_set_task_data (task, g_object_ref (self->profile), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "signature", g_strdup (pending->signature), g_free);
  g_task_run_in_thread (task, check_health_thread);
}

static void
set_health_row (AdwActionRow *row,
                GtkImage     *icon,
                JsonObject   *side,
                Health       *health,
                guint         s)
{
  const char *connector = json_object_get_string_member_with_default (side, "connector", NULL);
  const char *url = json_object_get_string_member_with_default (side, "url", "");
  g_autofree char *subtitle = NULL;
  const char *icon_name;
  const char *state;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lsn_gui_connector_label (connector));

  if (health == NULL)
    {
      state = _("Not checked yet");
      icon_name = "dialog-question-symbolic";
    }
  else if (!health->done)
    {
      state = _("Checking…");
      icon_name = "content-loading-symbolic";
    }
  else if (health->ok[s])
    {
      state = _("Connected");
      icon_name = "emblem-ok-symbolic";
    }
  else
    {
      state = health->message[s] != NULL ? health->message[s] : _("Cannot connect");
      icon_name = "dialog-warning-symbolic";
    }

  if (*url != '\0')
    subtitle = g_strdup_printf ("%s — %s", state, url);
  else
    subtitle = g_strdup (state);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_image_set_from_icon_name (icon, icon_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, state,
                                  -1);
  if (health != NULL && health->done && !health->ok[s])
    gtk_widget_add_css_class (GTK_WIDGET (icon), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (icon), "error");
  if (health != NULL && health->done && health->ok[s])
    gtk_widget_add_css_class (GTK_WIDGET (icon), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (icon), "success");
}

static void
lsn_overview_page_update_health (LsnOverviewPage *self)
{
  g_autoptr(JsonObject) root = NULL;
  Health *health = NULL;
  gint64 id;

  if (self->profile == NULL)
    return;

  id = lsn_profile_get_id (self->profile);
  health = g_hash_table_lookup (self->health, &id);
  root = lsn_gui_parse_settings (lsn_profile_get_settings (self->profile));

  set_health_row (self->left_health_row, self->left_health_icon,
                  lsn_gui_object_member (root, "left"), health, 0);
  set_health_row (self->right_health_row, self->right_health_icon,
                  lsn_gui_object_member (root, "right"), health, 1);
}

/* Budget */

static void
set_budget_row (AdwActionRow *row,
                GtkLevelBar  *bar,
                JsonObject   *side,
                guint         left,
                guint         limit,
                gboolean      known)
{
  JsonObject *budget = NULL;
  JsonNode *node = json_object_get_member (side, "budget");
  const char *connector = json_object_get_string_member_with_default (side, "connector", NULL);
  guint requests = g_strcmp0 (connector, "connectwise") == 0 ? 600 : 300;
  guint seconds = g_strcmp0 (connector, "connectwise") == 0 ? 60 : 300;
  g_autofree char *subtitle = NULL;
  g_autofree char *window = NULL;
  g_autofree char *title = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    budget = json_node_get_object (node);
  if (budget != NULL)
    {
      requests = (guint) json_object_get_int_member_with_default (budget, "requests", requests);
      seconds = (guint) json_object_get_int_member_with_default (budget, "seconds", seconds);
    }

  if (seconds % 60 == 0)
    window = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", seconds / 60),
                              seconds / 60);
  else
    window = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds),
                              seconds);

  if (!known || limit == 0)
    {
      left = requests;
      limit = requests;
      /* Translators: "300 requests per 5 minutes, all left" */
      subtitle = g_strdup_printf (_("%u requests per %s, all left"), requests, window);
    }
  else
    /* Translators: "250 of 300 requests left (per 5 minutes)" */
    subtitle = g_strdup_printf (_("%u of %u requests left (per %s)"), left, limit, window);

  /* Translators: %s is a system, such as HaloPSA */
  title = g_strdup_printf (_("Request budget of %s"), lsn_gui_connector_label (connector));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_level_bar_set_min_value (bar, 0);
  gtk_level_bar_set_max_value (bar, MAX (limit, 1));
  gtk_level_bar_set_value (bar, MIN (left, limit));
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
}

static void
lsn_overview_page_update_budgets (LsnOverviewPage *self)
{
  g_autoptr(JsonObject) root = NULL;
  LsnSyncProgress *progress;
  gint64 id;

  if (self->profile == NULL)
    return;

  id = lsn_profile_get_id (self->profile);
  progress = g_hash_table_lookup (self->budgets, &id);
  root = lsn_gui_parse_settings (lsn_profile_get_settings (self->profile));

  set_budget_row (self->left_budget_row, self->left_budget_bar, lsn_gui_object_member (root, "left"),
                  progress ? progress->budget_left[0] : 0, progress ? progress->budget_requests[0] : 0,
                  progress != NULL);
  set_budget_row (self->right_budget_row, self->right_budget_bar, lsn_gui_object_member (root, "right"),
                  progress ? progress->budget_left[1] : 0, progress ? progress->budget_requests[1] : 0,
                  progress != NULL);
}

/* The run */

static char *
format_counts (const LsnRunCounts *counts,
               guint64             requests)
{
  /* Translators: the counts of a sync run */
  return g_strdup_printf (_("%d created · %d updated · %d deleted · %d failed · %d skipped · "
                            "%d requests"),
                          (int) counts->created, (int) counts->updated, (int) counts->deleted,
                          (int) counts->failed, (int) counts->skipped, (int) requests);
}

static char *
format_phase (const LsnSyncProgress *progress,
              gboolean               dry_run)
{
  const char *kind = progress->kind[0] != '\0' ? lsn_gui_kind_label (progress->kind) : "";
  g_autofree char *what = NULL;

  switch (progress->phase)
    {
    case LSN_SYNC_PHASE_STARTING:
      what = g_strdup (_("Starting"));
      break;
    case LSN_SYNC_PHASE_RESUMING:
      what = g_strdup (_("Finishing the interrupted run"));
      break;
    case LSN_SYNC_PHASE_PULLING:
      /* Translators: %s is a kind of record, such as "Clients" */
      what = g_strdup_printf (_("Reading %s"), kind);
      break;
    case LSN_SYNC_PHASE_PLANNING:
      /* Translators: %s is a kind of record, such as "Clients" */
      what = g_strdup_printf (_("Planning %s"), kind);
      break;
    case LSN_SYNC_PHASE_APPLYING:
      /* Translators: %s is a kind of record, such as "Clients" */
      what = g_strdup_printf (_("Writing %s"), kind);
      break;
    case LSN_SYNC_PHASE_RECORDING:
      what = g_strdup (_("Recording the run"));
      break;
    case LSN_SYNC_PHASE_DONE:
    default:
      what = g_strdup (_("Done"));
      break;
    }

  if (progress->total > 0 && progress->phase != LSN_SYNC_PHASE_DONE)
    {
      g_autofree char *with_count = g_strdup_printf ("%s (%u/%u)", what, progress->done,
                                                     progress->total);
      g_free (what);
      what = g_steal_pointer (&with_count);
    }

  if (progress->paused)
    /* Translators: %s is what the run does, such as "Reading Clients" */
    return g_strdup_printf (_("Paused: %s"), what);
  if (dry_run)
    /* Translators: %s is what the run does, such as "Reading Clients" */
    return g_strdup_printf (_("Preview: %s"), what);
  return g_steal_pointer (&what);
}

static void
lsn_overview_page_update_buttons (LsnOverviewPage *self)
{
  LsnSyncProgress progress = { 0 };
  gboolean running = self->job != NULL;

  if (running)
    lsn_sync_job_get_progress (self->job, &progress);

  gtk_widget_set_visible (self->pause_button, running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            progress.paused ? "media-playback-start-symbolic"
                                            : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (self->pause_button,
                               progress.paused ? _("Resume the Run") : _("Pause the Run"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  progress.paused ? _("Resume the Run") : _("Pause the Run"),
                                  -1);
}

static void
lsn_overview_page_show_progress (LsnOverviewPage *self,
                                 LsnSyncJob      *job)
{
  LsnSyncProgress progress;
  g_autofree char *phase = NULL;
  g_autofree char *counts = NULL;
  gboolean dry_run;
  gint64 id;

  if (job != self->job || self->profile == NULL)
    return;

  lsn_sync_job_get_progress (job, &progress);
  id = lsn_profile_get_id (self->profile);
  dry_run = lsn_scheduler_get_job_dry_run (self->scheduler, id);

  phase = format_phase (&progress, dry_run);
  counts = format_counts (&progress.counts, progress.requests);
  gtk_label_set_label (self->phase_label, phase);
  gtk_label_set_label (self->counts_label, counts);

  /* No pulsing while the total is unknown: GTK animates a pulsing bar at every frame, which costs
   * the main loop a full redraw each time on a software renderer. The label says what happens. */
  if (progress.total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   CLAMP ((double) progress.done / progress.total, 0.0, 1.0));

  if (progress.budget_requests[0] > 0 || progress.budget_requests[1] > 0)
    {
      g_hash_table_insert (self->budgets, g_memdup2 (&id, sizeof id),
                           g_memdup2 (&progress, sizeof progress));
      lsn_overview_page_update_budgets (self);
    }

  lsn_overview_page_update_buttons (self);
  self->progress_shown_at = g_get_monotonic_time ();
}

static gboolean
progress_timeout_cb (gpointer user_data)
{
  LsnOverviewPage *self = user_data;

  self->progress_source = 0;
  if (self->job != NULL)
    lsn_overview_page_show_progress (self, self->job);

  return G_SOURCE_REMOVE;
}

static void
job_progress_cb (LsnOverviewPage *self,
                 LsnSyncJob      *job)
{
  gint64 since;

  if (job != self->job || self->progress_source != 0)
    return;

  since = (g_get_monotonic_time () - self->progress_shown_at) / 1000;
  if (since >= PROGRESS_INTERVAL_MS)
    lsn_overview_page_show_progress (self, job);
  else
    self->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS - since, progress_timeout_cb, self);
}

static void
lsn_overview_page_set_job (LsnOverviewPage *self,
                           LsnSyncJob      *job)
{
  if (self->job == job)
    return;

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_func (self->job, job_progress_cb, self);
  g_clear_handle_id (&self->progress_source, g_source_remove);

  g_set_object (&self->job, job);

  if (job != NULL)
    {
      g_signal_connect_object (job, "progress", G_CALLBACK (job_progress_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      gtk_label_set_label (self->phase_label, _("Starting"));
      gtk_label_set_label (self->counts_label, "");
      lsn_overview_page_show_progress (self, job);
    }

  lsn_overview_page_update_buttons (self);
}

static void
lsn_overview_page_update_next_run (LsnOverviewPage *self)
{
  gint64 next;
  g_autofree char *text = NULL;

  if (self->profile == NULL || self->scheduler == NULL)
    return;

  next = lsn_scheduler_get_next_run (self->scheduler, lsn_profile_get_id (self->profile));
  if (next > 0)
    {
      g_autofree char *when = lsn_gui_format_time (next);

      if (lsn_scheduler_get_enabled (self->scheduler))
        text = g_strdup (when);
      else
        /* Translators: %s is a time */
        text = g_strdup_printf (_("%s, while Liaison runs"), when);
    }
  else if (self->summary_loaded && self->has_real_run)
    text = g_strdup (_("No schedule"));
  else
    text = g_strdup (_("After the first sync, which waits for you"));

  adw_action_row_set_subtitle (self->next_run_row, text);
}

/* Summary: last run, failures, possible matches */

typedef struct
{
  LsnRunRow *last;
  gboolean   has_real_run;
  GPtrArray *failures;   /* of LsnAuditEvent */
  guint      n_matches;
  gint64     failures_total;
} Summary;

static void
summary_free (Summary *summary)
{
  g_clear_pointer (&summary->last, lsn_run_row_free);
  g_clear_pointer (&summary->failures, g_ptr_array_unref);
  g_free (summary);
}

static void
load_summary_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LsnProfile *profile = task_data;
  LsnStore *store = g_object_get_data (G_OBJECT (task), "store");
  gint64 id = lsn_profile_get_id (profile);
  Summary *summary = g_new0 (Summary, 1);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(sqlite3) reader = NULL;
  g_autoptr(LsnProfileConfig) config = NULL;
  GError *error = NULL;

  runs = lsn_history_list_runs (store, id, 50, &error);
  if (runs == NULL)
    {
      summary_free (summary);
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < runs->len; i++)
    {
      LsnRunRow *row = g_ptr_array_index (runs, i);

      if (!row->dry_run && summary->last == NULL)
        summary->last = g_ptr_array_steal_index (runs, i--);
      if (!row->dry_run)
        {
          summary->has_real_run = TRUE;
          break;
        }
    }

  reader = lsn_store_open_reader (store, &error);
  if (reader != NULL)
    {
      LsnEventFilter filter = { .outcome = "failed" };

      summary->failures = lsn_history_list_events (reader, id, &filter, 0, N_FAILURES, &error);
      summary->failures_total = lsn_history_count_events (reader, id, &filter, NULL);
    }
  if (summary->failures == NULL)
    {
      g_message ("Cannot read the latest failures: %s", error ? error->message : "?");
      g_clear_error (&error);
    }

  config = lsn_profile_config_parse (lsn_profile_get_settings (profile), NULL);
  for (guint i = 0; config != NULL && i < config->kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (config->kinds, i);
      g_autoptr(GPtrArray) holds = NULL;

      if (kc->direction == LSN_DIRECTION_OFF || g_cancellable_is_cancelled (cancellable))
        continue;
      holds = lsn_profile_list_matches (store, profile, kc->kind, NULL);
      if (holds != NULL)
        summary->n_matches += holds->len;
    }

  g_task_return_pointer (task, summary, (GDestroyNotify) summary_free);
}

static const char *
outcome_label (const char *outcome)
{
  if (g_strcmp0 (outcome, "ok") == 0)
    return _("Finished");
  if (g_strcmp0 (outcome, "partial") == 0)
    return _("Finished with failures");
  if (g_strcmp0 (outcome, "failed") == 0)
    return _("Failed");
  if (g_strcmp0 (outcome, "cancelled") == 0)
    return _("Cancelled");
  if (g_strcmp0 (outcome, "guarded") == 0)
    return _("Stopped by the mass-change guard");
  if (g_strcmp0 (outcome, "running") == 0)
    return _("Interrupted");
  return outcome;
}

static GtkWidget *
failure_row_new (LsnAuditEvent *event)
{
  const char *name = event->left_name != NULL ? event->left_name : event->right_name;
  g_autofree char *title = NULL;
  g_autofree char *when = lsn_gui_format_time (event->time);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  /* Translators: "client “Acme Ltd”" */
  title = g_strdup_printf (_("%s “%s”"), event->kind ? event->kind : "",
                           name != NULL ? name : "?");
  /* Translators: a time, then the server's message */
  subtitle = g_strdup_printf (_("%s: %s"), when, event->message ? event->message : _("failed"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_widget_add_css_class (icon, "error");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.show-activity");
  /* the events of that record, on the Activity page */
  {
    g_autofree char *target = NULL;
    if (event->left_id != NULL)
      target = g_strdup_printf ("record:%s:left:%s", event->kind, event->left_id);
    else if (event->right_id != NULL)
      target = g_strdup_printf ("record:%s:right:%s", event->kind, event->right_id);
    else
      target = g_strdup ("outcome:failed");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", target);
  }

  return row;
}

static void
load_summary_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LsnOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  Summary *summary;
  GtkWidget *child;
  gboolean attention = FALSE;

  summary = g_task_propagate_pointer (G_TASK (result), &error);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->last_run_row, error->message);
      return;
    }

  self->summary_loaded = TRUE;
  self->has_real_run = summary->has_real_run;
  self->last_guarded = summary->last != NULL && g_strcmp0 (summary->last->outcome, "guarded") == 0;

  if (summary->last != NULL)
    {
      LsnRunRow *last = summary->last;
      g_autofree char *when = lsn_gui_format_time (last->finished_at > 0 ? last->finished_at
                                                                         : last->started_at);
      g_autofree char *counts = format_counts (&last->counts, last->counts.requests);
      g_autofree char *text = NULL;

      if (last->message != NULL && *last->message != '\0')
        text = g_strdup_printf ("%s, %s. %s\n%s", outcome_label (last->outcome), when, counts,
                                last->message);
      else
        text = g_strdup_printf ("%s, %s. %s", outcome_label (last->outcome), when, counts);
      adw_action_row_set_subtitle (self->last_run_row, text);
    }
  else
    adw_action_row_set_subtitle (self->last_run_row, _("None yet"));

  if (summary->n_matches > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u possible match waits for you on the Mappings page",
                                                            "%u possible matches wait for you on the Mappings page",
                                                            summary->n_matches),
                                               summary->n_matches);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->matches_row), text);
      attention = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->matches_row), summary->n_matches > 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failures_list))) != NULL)
    gtk_list_box_remove (self->failures_list, child);
  for (guint i = 0; summary->failures != NULL && i < summary->failures->len; i++)
    gtk_list_box_append (self->failures_list, failure_row_new (g_ptr_array_index (summary->failures, i)));
  if (summary->failures != NULL && summary->failures->len > 0)
    attention = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->failures_list),
                          summary->failures != NULL && summary->failures->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->calm_row), !attention);

  lsn_overview_page_update_next_run (self);
  summary_free (summary);
}

static void
lsn_overview_page_load_summary (LsnOverviewPage *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->profile == NULL || self->scheduler == NULL)
    return;

  task = g_task_new (NULL, self->cancellable, load_summary_cb, g_object_ref (self));
  g_task_set_source_tag (task, lsn_overview_page_load_summary);
  g_task_set_task_data (task, g_object_ref (self->profile), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "store",
                          g_object_ref (lsn_scheduler_get_store (self->scheduler)), g_object_unref);
  g_task_run_in_thread (task, load_summary_thread);
}

/* Scheduler */

static void
job_started_cb (LsnOverviewPage *self,
                LsnSyncJob      *job,
                gint64           profile_id,
                LsnScheduler    *scheduler)
{
  if (self->profile != NULL && lsn_profile_get_id (self->profile) == profile_id)
    lsn_overview_page_set_job (self, job);
}

static void
job_finished_cb (LsnOverviewPage *self,
                 LsnSyncJob      *job,
                 gint64           profile_id,
                 const char      *trigger,
                 const char      *error_message,
                 LsnScheduler    *scheduler)
{
  g_autofree char *counts = NULL;
  g_autofree char *phase = NULL;

  if (self->profile == NULL || lsn_profile_get_id (self->profile) != profile_id)
    return;

  lsn_overview_page_show_progress (self, job);
  lsn_overview_page_set_job (self, NULL);

  counts = format_counts (lsn_sync_job_get_counts (job), lsn_sync_job_get_counts (job)->requests);
  if (error_message != NULL)
    phase = g_strdup_printf ("%s: %s", outcome_label (lsn_sync_job_get_outcome (job)),
                             error_message);
  else if (lsn_sync_job_get_plan (job) != NULL && g_strcmp0 (trigger, "preview") == 0)
    phase = g_strdup (_("Preview finished: nothing was written"));
  else
    phase = g_strdup (outcome_label (lsn_sync_job_get_outcome (job)));

  gtk_label_set_label (self->phase_label, phase);
  gtk_label_set_label (self->counts_label, counts);
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);

  /* A run that could not authenticate says more about the connection than the last check. */
  if (error_message != NULL)
    lsn_overview_page_check_health (self);
  lsn_overview_page_load_summary (self);
  lsn_overview_page_update_next_run (self);
}

static void
schedule_changed_cb (LsnOverviewPage *self,
                     gint64           profile_id,
                     LsnScheduler    *scheduler)
{
  if (self->profile != NULL && lsn_profile_get_id (self->profile) == profile_id)
    lsn_overview_page_update_next_run (self);
}

/* Actions */

static void
matches_row_activated_cb (LsnOverviewPage *self,
                          AdwActionRow    *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-mappings", NULL);
}

static void
check_button_clicked_cb (LsnOverviewPage *self,
                         GtkButton       *button)
{
  lsn_overview_page_check_health (self);
}

static void
lsn_overview_page_start (LsnOverviewPage   *self,
                         LsnSchedulerFlags  flags)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->profile == NULL || self->scheduler == NULL)
    return;

  if (lsn_scheduler_start (self->scheduler, self->profile, "manual", flags, &error) == NULL)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                           _("Cannot Start the Sync"),
                                                           error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
first_sync_response_cb (LsnOverviewPage  *self,
                        const char       *response,
                        AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "sync") == 0)
    lsn_overview_page_start (self, LSN_SCHEDULER_NONE);
  else if (g_strcmp0 (response, "apply") == 0)
    lsn_overview_page_start (self, LSN_SCHEDULER_CONFIRMED);
  else if (g_strcmp0 (response, "preview") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.preview-sync", NULL);
}

/**
 * lsn_overview_page_sync_now:
 * @self: a #LsnOverviewPage
 *
 * Starts a run of the shown profile. Before the first run, when a kind has no filter, asks first:
 * what the initial import brings in cannot be taken back by adding filters later.
 */
void
lsn_overview_page_sync_now (LsnOverviewPage *self)
{
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autoptr(GString) unfiltered = g_string_new (NULL);
  AdwMessageDialog *dialog;
  GtkRoot *root;

  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));

  if (self->profile == NULL || self->scheduler == NULL || self->job != NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));

  /* A distributor feed → HaloPSA profile reconciles licences, deletes included: its plan is
   * shown first, and Apply in that dialog writes it. */
  if (lsn_licence_job_handles_profile (lsn_profile_get_settings (self->profile)))
    {
      GtkWidget *licences = lsn_licence_preview_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                            lsn_scheduler_get_store (self->scheduler),
                                                            self->profile);

      gtk_window_present (GTK_WINDOW (licences));
      return;
    }

  /* The last run found too many changes at once and wrote none of them: this one applies them,
   * once the person has said so. */
  if (self->summary_loaded && self->last_guarded)
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                           _("Apply the Mass Change?"),
                                                           _("The last run found more updates or archives "
                                                             "than the mass-change guard allows, and "
                                                             "wrote none of them. Preview them, or "
                                                             "apply them now.")));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "preview", _("_Preview"),
                                        "apply", _("_Apply"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "preview");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (first_sync_response_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (self->summary_loaded && self->has_real_run)
    {
      lsn_overview_page_start (self, LSN_SCHEDULER_NONE);
      return;
    }

  config = lsn_profile_config_parse (lsn_profile_get_settings (self->profile), NULL);
  for (guint i = 0; config != NULL && i < config->kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (config->kinds, i);

      if (kc->direction == LSN_DIRECTION_OFF || kc->active_only || kc->name_contains != NULL
          || kc->type_filter != NULL || kc->toplevel_filter != NULL)
        continue;
      if (unfiltered->len > 0)
        g_string_append (unfiltered, ", ");
      g_string_append (unfiltered, lsn_gui_kind_label (kc->kind));
    }

  if (unfiltered->len == 0)
    {
      lsn_overview_page_start (self, LSN_SCHEDULER_NONE);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Import Everything?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  /* Translators: %s is a list of kinds, such as "Clients, Sites" */
                                  _("The first sync copies every record of %s between both "
                                    "systems, because these have no filter. What it copies "
                                    "cannot be undone by adding filters later. Preview it to "
                                    "see what it would write, or set filters on the Sync page."),
                                  unfiltered->str);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "preview", _("_Preview"),
                                    "sync", _("_Import All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "sync", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "preview");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (first_sync_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * lsn_overview_page_toggle_pause:
 *
 * Pauses the running job of the shown profile, or resumes it when it is paused.
 */
void
lsn_overview_page_toggle_pause (LsnOverviewPage *self)
{
  LsnSyncProgress progress;

  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));

  if (self->job == NULL)
    return;

  lsn_sync_job_get_progress (self->job, &progress);
  if (progress.paused)
    lsn_sync_job_resume (self->job);
  else
    lsn_sync_job_pause (self->job);

  lsn_overview_page_show_progress (self, self->job);
}

/**
 * lsn_overview_page_cancel:
 *
 * Cancels the running job of the shown profile.
 */
void
lsn_overview_page_cancel (LsnOverviewPage *self)
{
  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));

  if (self->job == NULL || self->profile == NULL)
    return;

  gtk_label_set_label (self->phase_label, _("Cancelling…"));
  lsn_scheduler_cancel (self->scheduler, lsn_profile_get_id (self->profile));
}

/* GObject */

static void
lsn_overview_page_dispose (GObject *object)
{
  LsnOverviewPage *self = LSN_OVERVIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  lsn_overview_page_set_job (self, NULL);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->profile);


  G_OBJECT_CLASS (lsn_overview_page_parent_class)->dispose (object);
}

static void
lsn_overview_page_finalize (GObject *object)
{
  LsnOverviewPage *self = LSN_OVERVIEW_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->health, g_hash_table_unref);
  g_clear_pointer (&self->budgets, g_hash_table_unref);

  G_OBJECT_CLASS (lsn_overview_page_parent_class)->finalize (object);
}

static void
lsn_overview_page_class_init (LsnOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_overview_page_dispose;
  object_class->finalize = lsn_overview_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, phase_label);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, last_run_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, next_run_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, left_health_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, left_health_icon);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, right_health_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, right_health_icon);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, left_budget_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, left_budget_bar);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, right_budget_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, right_budget_bar);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, matches_row);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, failures_list);
  gtk_widget_class_bind_template_child (widget_class, LsnOverviewPage, calm_row);
  gtk_widget_class_bind_template_callback (widget_class, matches_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_button_clicked_cb);
}

static void
lsn_overview_page_init (LsnOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->health = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify) health_free);
  self->budgets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/**
 * lsn_overview_page_set_scheduler:
 * @self: a #LsnOverviewPage
 * @scheduler: the scheduler that runs the jobs
 */
void
lsn_overview_page_set_scheduler (LsnOverviewPage *self,
                                 LsnScheduler    *scheduler)
{
  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (LSN_IS_SCHEDULER (scheduler));

  if (self->scheduler == scheduler)
    return;

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_set_object (&self->scheduler, scheduler);

  g_signal_connect_object (scheduler, "job-started", G_CALLBACK (job_started_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "job-finished", G_CALLBACK (job_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "schedule-changed", G_CALLBACK (schedule_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

/**
 * lsn_overview_page_set_profile:
 * @self: a #LsnOverviewPage
 * @profile: (nullable): the profile to show
 *
 * Shows @profile. The same profile with newer settings keeps what is shown and checks the
 * connections again only when their settings changed.
 */
void
lsn_overview_page_set_profile (LsnOverviewPage *self,
                               LsnProfile      *profile)
{
  gboolean same;
  Health *health = NULL;
  gint64 id;

  g_return_if_fail (LSN_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (profile == NULL || LSN_IS_PROFILE (profile));

  same = profile != NULL && self->profile != NULL
         && lsn_profile_get_id (profile) == lsn_profile_get_id (self->profile);

  /* A list read before a page's save arrives late: it is older than what is shown. */
  if (same && lsn_profile_get_version (profile) < lsn_profile_get_version (self->profile))
    return;

  if (!same)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->summary_loaded = FALSE;
      self->has_real_run = FALSE;
      self->last_guarded = FALSE;
      lsn_overview_page_set_job (self, NULL);
      gtk_label_set_label (self->phase_label, _("No run in progress"));
      gtk_label_set_label (self->counts_label, "");
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      adw_action_row_set_subtitle (self->last_run_row, _("Loading…"));
      gtk_widget_set_visible (GTK_WIDGET (self->matches_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->failures_list), FALSE);
    }

  g_set_object (&self->profile, profile);
  if (profile == NULL)
    return;

  id = lsn_profile_get_id (profile);
  if (self->scheduler != NULL)
    lsn_overview_page_set_job (self, lsn_scheduler_get_job (self->scheduler, id));

  health = g_hash_table_lookup (self->health, &id);
  if (health == NULL || !health->done)
    lsn_overview_page_check_health (self);
  else
    {
      g_autofree char *signature = connection_signature (profile);

      if (g_strcmp0 (signature, health->signature) != 0)
        lsn_overview_page_check_health (self);
    }

  lsn_overview_page_update_health (self);
  lsn_overview_page_update_budgets (self);
  lsn_overview_page_update_next_run (self);
  if (!same)
    lsn_overview_page_load_summary (self);
}
