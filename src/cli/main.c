/* main.c: liaisonctl
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync engine without a window: for servers, cron and systemd timers, and for scripting.
 * Output is for people by default and JSON with --json; the exit status is 0 only on success
 * (1: the work failed, 2: bad usage, 3: a mass change waits for confirmation with --yes).
 */

#define G_LOG_DOMAIN "liaisonctl"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lsn-demo-profile.h"
#include "lsn-error.h"
#include "lsn-history.h"
#include "lsn-licence-job.h"
#include "lsn-licence-planner.h"
#include "lsn-profile-config.h"
#include "lsn-profile-io.h"
#include "lsn-profile.h"
#include "lsn-sandbox.h"
#include "lsn-secrets.h"
#include "lsn-store.h"
#include "lsn-sync-job.h"
#include "lsn-util.h"

#define EXIT_USAGE 2
#define EXIT_GUARDED 3

static char *opt_db;
static gboolean opt_json;

static const char usage_text[] =
  "Usage: liaisonctl [--db PATH] [--json] COMMAND ...\n"
  "\n"
  "Commands:\n"
  "  profile list                      the profiles\n"
  "  profile import FILE.json [--replace]\n"
  "  profile export NAME               the profile file, without secrets\n"
  "  sync NAME [--dry-run] [--kind K] [--yes] [--full]\n"
  "                                    run one sync; --dry-run prints the plan and writes nothing\n"
  "  map NAME [--kind K] [--accept-confident] [--accept LEFT=RIGHT] [--reject LEFT=RIGHT]\n"
  "                                    possible matches held for a person, and decisions on them\n"
  "  relink NAME [--kind K]            rebuild links from the reference fields of both sides\n"
  "  runs NAME [--limit N]             the latest runs\n"
  "  audit NAME [--status S] [--run ID] [--kind K] [--search TEXT] [--limit N]\n"
  "  retry EVENT                       send a failed export again\n"
  "  demo [--clients N]                start the sandbox PSAs and a ready \"Demo\" profile\n"
  "\n"
  "The database is --db PATH, else $LIAISON_DB, else ~/.local/share/" APP_ID "/liaison.db.\n";

static int
fail (GError *error)
{
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, FALSE);
      g_print ("%s\n", text);
    }
  g_printerr ("liaisonctl: %s\n", error->message);
  g_error_free (error);
  return 1;
}

static int
usage (const char *message)
{
  if (message)
    g_printerr ("liaisonctl: %s\n\n", message);
  g_printerr ("%s", usage_text);
  return EXIT_USAGE;
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static LsnStore *
open_store (GError **error)
{
  g_autofree char *path = lsn_resolve_db_path (opt_db);
  return lsn_store_open (path, error);
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

/* -------------------------------------------------------------------------------------------- */

static int
cmd_profile (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  gboolean replace = FALSE;
  const GOptionEntry entries[] = {
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Replace a profile of the same name", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("list | import FILE | export NAME");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("profile: say list, import or export");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));

  if (g_str_equal (argv[1], "list"))
    {
      g_autoptr(GPtrArray) profiles = lsn_store_list_profiles (store, &error);
      g_autoptr(JsonBuilder) b = json_builder_new ();

      if (profiles == NULL)
        return fail (g_steal_pointer (&error));
      json_builder_begin_array (b);
      for (guint i = 0; i < profiles->len; i++)
        {
          LsnProfile *p = g_ptr_array_index (profiles, i);
          if (opt_json)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "id");
              json_builder_add_int_value (b, lsn_profile_get_id (p));
              json_builder_set_member_name (b, "name");
              json_builder_add_string_value (b, lsn_profile_get_name (p));
              json_builder_end_object (b);
            }
          else
            g_print ("%s\n", lsn_profile_get_name (p));
        }
      json_builder_end_array (b);
      if (opt_json)
        {
          g_autoptr(JsonNode) root = json_builder_get_root (b);
          print_json (root);
        }
      else if (profiles->len == 0)
        g_printerr ("No profiles yet: `liaisonctl profile import FILE.json` or `liaisonctl demo`\n");
      return 0;
    }

  if (g_str_equal (argv[1], "import"))
    {
      g_autofree char *contents = NULL;
      g_autofree char *base = NULL;
      g_autoptr(LsnProfile) profile = NULL;
      char *dot;

      if (argc < 3)
        return usage ("profile import: name the file");
      if (!g_file_get_contents (argv[2], &contents, NULL, &error))
        return fail (g_steal_pointer (&error));
      base = g_path_get_basename (argv[2]);
      if ((dot = strrchr (base, '.')) != NULL)
        *dot = '\0';
      profile = lsn_profile_import (store, contents, base, replace, &error);
      if (profile == NULL)
        return fail (g_steal_pointer (&error));
      g_print (opt_json ? "{\"name\": \"%s\"}\n" : "Imported the profile “%s”\n",
               lsn_profile_get_name (profile));
      return 0;
    }

  if (g_str_equal (argv[1], "export"))
    {
      g_autoptr(LsnProfile) profile = NULL;
      g_autofree char *text = NULL;

      if (argc < 3)
        return usage ("profile export: name the profile");
      profile = lsn_store_find_profile (store, argv[2], &error);
      if (profile == NULL)
        return fail (g_steal_pointer (&error));
      text = lsn_profile_export (profile, &error);
      if (text == NULL)
        return fail (g_steal_pointer (&error));
      g_print ("%s\n", text);
      return 0;
    }

  return usage ("profile: say list, import or export");
}

/* -------------------------------------------------------------------------------------------- */

static gboolean progress_on_terminal;

static void
on_progress (const LsnSyncProgress *p,
             gpointer               user_data)
{
  static gint64 last;
  gint64 now = g_get_monotonic_time ();

  if (!progress_on_terminal)
    return;
  if (p->phase != LSN_SYNC_PHASE_DONE && now - last < G_USEC_PER_SEC / 10)
    return;
  last = now;

  if (p->phase == LSN_SYNC_PHASE_DONE)
    {
      g_printerr ("\r\033[K");
      return;
    }
  g_printerr ("\r\033[K%s %s %u/%u · %" G_GUINT64_FORMAT " requests · created %" G_GINT64_FORMAT
              ", updated %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT,
              lsn_sync_phase_to_string (p->phase), p->kind, p->done, p->total, p->requests,
              p->counts.created, p->counts.updated, p->counts.failed);
}

static GCancellable *cancel_on_signal;

static gboolean
on_sigint (gpointer user_data)
{
  g_printerr ("\nliaisonctl: stopping after the current request…\n");
  g_cancellable_cancel (cancel_on_signal);
  return G_SOURCE_CONTINUE;
}

/* Both kinds of run (PSA ↔ PSA, distributor feed → HaloPSA) seen the same way. */
typedef struct
{
  gboolean            (*run)          (gpointer job, GCancellable *cancellable, GError **error);
  void                (*set_progress) (gpointer job, LsnSyncProgressFunc func, gpointer data);
  LsnPlan            *(*get_plan)     (gpointer job);
  const LsnRunCounts *(*get_counts)   (gpointer job);
  const char         *(*get_outcome)  (gpointer job);
  gint64              (*get_run_id)   (gpointer job);
} JobOps;

/* Adapters: each job type keeps its own signatures, the CLI sees one shape. */
static gboolean sync_run (gpointer j, GCancellable *c, GError **e) { return lsn_sync_job_run (j, c, e); }
static void sync_progress (gpointer j, LsnSyncProgressFunc f, gpointer d) { lsn_sync_job_set_progress_func (j, f, d); }
static LsnPlan *sync_plan (gpointer j) { return lsn_sync_job_get_plan (j); }
static const LsnRunCounts *sync_counts (gpointer j) { return lsn_sync_job_get_counts (j); }
static const char *sync_outcome (gpointer j) { return lsn_sync_job_get_outcome (j); }
static gint64 sync_run_id (gpointer j) { return lsn_sync_job_get_run_id (j); }

static gboolean licence_run (gpointer j, GCancellable *c, GError **e) { return lsn_licence_job_run (j, c, e); }
static void licence_progress (gpointer j, LsnSyncProgressFunc f, gpointer d) { lsn_licence_job_set_progress_func (j, f, d); }
static LsnPlan *licence_plan (gpointer j) { return lsn_licence_job_get_plan (j); }
static const LsnRunCounts *licence_counts (gpointer j) { return lsn_licence_job_get_counts (j); }
static const char *licence_outcome (gpointer j) { return lsn_licence_job_get_outcome (j); }
static gint64 licence_run_id (gpointer j) { return lsn_licence_job_get_run_id (j); }

static const JobOps sync_ops = {
  sync_run, sync_progress, sync_plan, sync_counts, sync_outcome, sync_run_id,
};

static const JobOps licence_ops = {
  licence_run, licence_progress, licence_plan, licence_counts, licence_outcome, licence_run_id,
};

typedef struct
{
  const JobOps *ops;
  gpointer      job;
  GError       *error;
  gboolean      ok;
  gboolean      done;
} RunState;

static gpointer
run_thread (gpointer data)
{
  RunState *rs = data;

  rs->ok = rs->ops->run (rs->job, cancel_on_signal, &rs->error);
  g_atomic_int_set (&rs->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Runs the job on a worker thread while the main thread waits for Ctrl+C. */
static gboolean
run_any_job (const JobOps  *ops,
             gpointer       job,
             GError       **error)
{
  RunState rs = { ops, job, NULL, FALSE, FALSE };
  GThread *thread;
  guint sigint, sigterm;

  cancel_on_signal = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_sigint, NULL);
  sigterm = g_unix_signal_add (SIGTERM, on_sigint, NULL);
  progress_on_terminal = !opt_json && isatty (STDERR_FILENO);
  ops->set_progress (job, on_progress, NULL);

  thread = g_thread_new ("liaisonctl-sync", run_thread, &rs);
  while (!g_atomic_int_get (&rs.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&cancel_on_signal);

  if (!rs.ok)
    g_propagate_error (error, rs.error);
  return rs.ok;
}

static gboolean
run_job (LsnSyncJob  *job,
         GError     **error)
{
  return run_any_job (&sync_ops, job, error);
}

static void
print_counts_ops (const JobOps *ops,
                  gpointer      job)
{
  const LsnRunCounts *c = ops->get_counts (job);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "run");
      json_builder_add_int_value (b, ops->get_run_id (job));
      json_builder_set_member_name (b, "outcome");
      json_builder_add_string_value (b, ops->get_outcome (job));
#define ADD(n) json_builder_set_member_name (b, #n); json_builder_add_int_value (b, c->n)
      ADD (created); ADD (updated); ADD (deleted); ADD (skipped); ADD (failed); ADD (echoes);
      ADD (requests);
#undef ADD
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json (root);
      return;
    }

  g_print ("Run %" G_GINT64_FORMAT ": %s. %" G_GINT64_FORMAT " created, %" G_GINT64_FORMAT
           " updated, %" G_GINT64_FORMAT " deleted, %" G_GINT64_FORMAT " skipped, %"
           G_GINT64_FORMAT " failed, %" G_GINT64_FORMAT " echoes suppressed, %" G_GINT64_FORMAT
           " requests.\n",
           ops->get_run_id (job), ops->get_outcome (job), c->created, c->updated,
           c->deleted, c->skipped, c->failed, c->echoes, c->requests);
}

static int
finish_any_job (const JobOps *ops,
                gpointer      job,
                gboolean      ok,
                GError       *error)
{
  const char *outcome = ops->get_outcome (job);
  LsnPlan *plan = ops->get_plan (job);

  if (!ok)
    {
      if (ops->get_run_id (job) > 0 && !opt_json)
        print_counts_ops (ops, job);
      return fail (error);
    }

  print_counts_ops (ops, job);

  if (g_strcmp0 (outcome, "guarded") == 0)
    {
      for (guint i = 0; plan && i < plan->kinds->len; i++)
        {
          LsnKindPlan *kp = g_ptr_array_index (plan->kinds, i);
          if (kp->guarded)
            g_printerr ("liaisonctl: %s\n", kp->guard_message);
        }
      return EXIT_GUARDED;
    }
  if (g_strcmp0 (outcome, "partial") == 0)
    {
      g_printerr ("liaisonctl: some records failed: `liaisonctl audit NAME --status failed` "
                  "shows why, `liaisonctl retry EVENT` sends one again\n");
      return 1;
    }
  return 0;
}

static int
finish_job (LsnSyncJob *job,
            gboolean    ok,
            GError     *error)
{
  return finish_any_job (&sync_ops, job, ok, error);
}

static void
print_plan (LsnPlan *plan)
{
  if (opt_json)
    {
      g_autoptr(JsonNode) node = lsn_plan_to_json (plan);
      print_json (node);
    }
  else
    {
      g_autofree char *text = lsn_plan_to_text (plan, TRUE);
      g_print ("Dry run: nothing was written.\n%s", text);
    }
}

/* A distributor feed → HaloPSA profile: licence reconciliation. */
static int
sync_licences (LsnStore   *store,
               LsnProfile *profile,
               gboolean    dry_run,
               gboolean    yes)
{
  g_autoptr(LsnLicenceJob) job = lsn_licence_job_new (store, profile, "cli");
  g_autoptr(GError) error = NULL;
  gboolean ok;

  lsn_licence_job_set_dry_run (job, dry_run);
  lsn_licence_job_set_confirmed (job, yes);
  ok = run_any_job (&licence_ops, job, &error);
  if (!dry_run || !ok)
    return finish_any_job (&licence_ops, job, ok, g_steal_pointer (&error));

  if (opt_json)
    print_plan (lsn_licence_job_get_plan (job));
  else
    {
      /* by invoice customer, as the window's preview shows it */
      g_autofree char *text = lsn_licence_plan_to_text (lsn_licence_job_get_plan (job));
      g_print ("Dry run: nothing was written.\n%s", text);
    }
  return 0;
}

static int
cmd_sync (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnSyncJob) job = NULL;
  gboolean dry_run = FALSE, yes = FALSE, full = FALSE, ok;
  g_autofree char *kind = NULL;
  const GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the plan, write nothing", NULL },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "Only this kind", "KIND" },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "Confirm a mass change", NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, "Read everything (finds deletions)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("sync: name the profile");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_store_find_profile (store, argv[1], &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));

  if (lsn_licence_job_handles_profile (lsn_profile_get_settings (profile)))
    return sync_licences (store, profile, dry_run, yes);

  job = lsn_sync_job_new (store, profile, "cli");
  lsn_sync_job_set_dry_run (job, dry_run);
  lsn_sync_job_set_confirmed (job, yes);
  lsn_sync_job_set_full (job, full);
  if (kind)
    lsn_sync_job_set_only_kind (job, kind);

  ok = run_job (job, &error);

  if (dry_run && ok)
    {
      print_plan (lsn_sync_job_get_plan (job));
      return 0;
    }

  return finish_job (job, ok, g_steal_pointer (&error));
}

/* -------------------------------------------------------------------------------------------- */

static gboolean
split_pair (const char  *pair,
            char       **left,
            char       **right)
{
  const char *eq = pair ? strchr (pair, '=') : NULL;

  if (eq == NULL || eq == pair || eq[1] == '\0')
    return FALSE;
  *left = g_strndup (pair, eq - pair);
  *right = g_strdup (eq + 1);
  return TRUE;
}

static int
cmd_map (int    argc,
         char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GPtrArray) holds = NULL;
  g_autofree char *kind = NULL;
  g_auto(GStrv) accept = NULL;
  g_auto(GStrv) reject = NULL;
  gboolean accept_confident = FALSE;
  guint decided = 0;
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "The kind (default: client)", "KIND" },
    { "accept-confident", 0, 0, G_OPTION_ARG_NONE, &accept_confident,
      "Accept every unambiguous exact-name pair", NULL },
    { "accept", 0, 0, G_OPTION_ARG_STRING_ARRAY, &accept, "Map LEFT to RIGHT", "LEFT=RIGHT" },
    { "reject", 0, 0, G_OPTION_ARG_STRING_ARRAY, &reject, "Never suggest this pair again",
      "LEFT=RIGHT" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("map: name the profile");
  if (kind == NULL)
    kind = g_strdup ("client");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_store_find_profile (store, argv[1], &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));

  for (guint pass = 0; pass < 2; pass++)
    {
      char **pairs = pass == 0 ? accept : reject;
      for (guint i = 0; pairs && pairs[i]; i++)
        {
          g_autofree char *l = NULL;
          g_autofree char *r = NULL;
          if (!split_pair (pairs[i], &l, &r))
            return usage ("map: write a pair as LEFT_ID=RIGHT_ID");
          if (!lsn_profile_decide_match (store, profile, kind, l, r, pass == 0, &error))
            return fail (g_steal_pointer (&error));
          decided++;
        }
    }

  holds = lsn_profile_list_matches (store, profile, kind, &error);
  if (holds == NULL)
    return fail (g_steal_pointer (&error));

  if (accept_confident)
    {
      g_autoptr(GPtrArray) confident = g_ptr_array_new ();

      for (guint i = 0; i < holds->len; i++)
        if (lsn_plan_action_is_confident (g_ptr_array_index (holds, i), holds))
          g_ptr_array_add (confident, g_ptr_array_index (holds, i));
      for (guint i = 0; i < confident->len; i++)
        {
          LsnPlanAction *a = g_ptr_array_index (confident, i);
          JsonObject *c = json_array_get_object_element (a->candidates, 0);
          const char *cid = json_object_get_string_member (c, "id");
          if (!lsn_profile_decide_match (store, profile, kind,
                                         a->source_side == LSN_SIDE_LEFT ? a->source_id : cid,
                                         a->source_side == LSN_SIDE_LEFT ? cid : a->source_id,
                                         TRUE, &error))
            return fail (g_steal_pointer (&error));
          decided++;
        }
      g_clear_pointer (&holds, g_ptr_array_unref);
      holds = lsn_profile_list_matches (store, profile, kind, &error);
      if (holds == NULL)
        return fail (g_steal_pointer (&error));
    }

  if (opt_json)
    {
      g_autoptr(LsnPlan) plan = lsn_plan_new ();
      LsnKindPlan *kp = lsn_plan_add_kind (plan, kind);
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < holds->len; i++)
        g_ptr_array_add (kp->actions, g_steal_pointer (&holds->pdata[i]));
      g_ptr_array_set_size (holds, 0);
      node = lsn_plan_to_json (plan);
      print_json (node);
      return 0;
    }

  if (decided > 0)
    g_print ("%u decision%s saved.\n", decided, decided == 1 ? "" : "s");
  if (holds->len == 0)
    {
      g_print ("No possible matches are waiting for a decision.\n");
      return 0;
    }
  g_print ("%u record%s held as possible matches (left=right ids):\n", holds->len,
           holds->len == 1 ? "" : "s");
  for (guint i = 0; i < holds->len; i++)
    {
      LsnPlanAction *a = g_ptr_array_index (holds, i);
      gboolean confident = lsn_plan_action_is_confident (a, holds);

      for (guint c = 0; c < json_array_get_length (a->candidates); c++)
        {
          JsonObject *o = json_array_get_object_element (a->candidates, c);
          const char *cid = json_object_get_string_member (o, "id");
          g_print ("  %s=%s  “%s” ⇄ “%s”  [%s%s]\n",
                   a->source_side == LSN_SIDE_LEFT ? a->source_id : cid,
                   a->source_side == LSN_SIDE_LEFT ? cid : a->source_id,
                   a->source_side == LSN_SIDE_LEFT ? a->source_name
                                                   : json_object_get_string_member (o, "name"),
                   a->source_side == LSN_SIDE_LEFT ? json_object_get_string_member (o, "name")
                                                   : a->source_name,
                   json_object_get_string_member (o, "evidence"),
                   confident ? ", confident" : (json_array_get_length (a->candidates) > 1
                                                ? ", ambiguous" : ""));
        }
    }
  return 0;
}

/* -------------------------------------------------------------------------------------------- */

static int
cmd_relink (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnSyncJob) job = NULL;
  g_autofree char *kind = NULL;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "Only this kind", "KIND" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("relink: name the profile");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_store_find_profile (store, argv[1], &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));

  job = lsn_sync_job_new (store, profile, "cli");
  lsn_sync_job_set_links_only (job, TRUE);
  if (kind)
    lsn_sync_job_set_only_kind (job, kind);
  ok = run_job (job, &error);
  if (!ok)
    return fail (g_steal_pointer (&error));

  {
    LsnPlan *plan = lsn_sync_job_get_plan (job);
    guint links = 0;
    for (guint i = 0; i < plan->kinds->len; i++)
      links += lsn_kind_plan_count (g_ptr_array_index (plan->kinds, i), LSN_ACTION_LINK);
    g_print (opt_json ? "{\"linked\": %u}\n" : "%u links rebuilt from reference fields.\n", links);
  }
  return 0;
}

static int
cmd_runs (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  int limit = 20;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "How many (default 20)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("runs: name the profile");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_store_find_profile (store, argv[1], &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));
  runs = lsn_history_list_runs (store, lsn_profile_get_id (profile), MAX (limit, 1), &error);
  if (runs == NULL)
    return fail (g_steal_pointer (&error));

  json_builder_begin_array (b);
  for (guint i = 0; i < runs->len; i++)
    {
      LsnRunRow *r = g_ptr_array_index (runs, i);
      g_autofree char *when = format_time (r->started_at);
      double secs = r->finished_at > 0 ? (r->finished_at - r->started_at) / 1e6 : 0;

      if (opt_json)
        {
          json_builder_begin_object (b);
#define S(k, v) json_builder_set_member_name (b, k); json_builder_add_string_value (b, v)
#define I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
          I ("id", r->id); S ("trigger", r->trigger); I ("started_at", r->started_at);
          I ("finished_at", r->finished_at); S ("outcome", r->outcome);
          I ("created", r->counts.created); I ("updated", r->counts.updated);
          I ("deleted", r->counts.deleted); I ("skipped", r->counts.skipped);
          I ("failed", r->counts.failed); I ("echoes", r->counts.echoes);
          I ("requests", r->counts.requests);
          if (r->message) { S ("message", r->message); }
#undef S
#undef I
          json_builder_end_object (b);
        }
      else
        g_print ("%5" G_GINT64_FORMAT "  %s  %-8s %6.1fs  %-9s created %" G_GINT64_FORMAT
                 ", updated %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT ", skipped %"
                 G_GINT64_FORMAT ", echoes %" G_GINT64_FORMAT ", requests %" G_GINT64_FORMAT
                 "%s%s\n",
                 r->id, when, r->trigger, secs, r->outcome, r->counts.created, r->counts.updated,
                 r->counts.failed, r->counts.skipped, r->counts.echoes, r->counts.requests,
                 r->message ? "  " : "", r->message ? r->message : "");
    }
  json_builder_end_array (b);
  if (opt_json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }
  return 0;
}

static void
add_event_json (JsonBuilder   *b,
                LsnAuditEvent *e)
{
  json_builder_begin_object (b);
#define S(k, v) if (v) { json_builder_set_member_name (b, k); json_builder_add_string_value (b, v); }
#define I(k, v) json_builder_set_member_name (b, k); json_builder_add_int_value (b, v)
  I ("id", e->id); I ("run", e->run_id); I ("time", e->time);
  S ("kind", e->kind); S ("target_side", e->target_side);
  S ("left_id", e->left_id); S ("right_id", e->right_id);
  S ("left_name", e->left_name); S ("right_name", e->right_name);
  S ("action", e->action); S ("outcome", e->outcome); S ("request", e->request);
  S ("message", e->message); S ("actor", e->actor);
  if (e->retry_of) { I ("retry_of", e->retry_of); }
  if (e->changes)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      if (json_parser_load_from_data (p, e->changes, -1, NULL))
        {
          json_builder_set_member_name (b, "changes");
          json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
        }
    }
#undef S
#undef I
  json_builder_end_object (b);
}

static int
cmd_audit (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *status = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *search = NULL;
  gint64 run = 0;
  int limit = 100;
  LsnEventFilter filter = { 0 };
  sqlite3 *reader;
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, "Outcome: failed, ok, held, echo...", "S" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, "Only this run", "ID" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "Only this kind", "KIND" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, "Text in names, ids or message", "TEXT" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "How many (default 100)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);
  if (argc < 2)
    return usage ("audit: name the profile");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_store_find_profile (store, argv[1], &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));

  filter.outcome = status;
  filter.kind = kind;
  filter.run_id = run;
  filter.text = search;
  reader = lsn_store_open_reader (store, &error);
  if (reader == NULL)
    return fail (g_steal_pointer (&error));
  events = lsn_history_list_events (reader, lsn_profile_get_id (profile), &filter, 0,
                                    MAX (limit, 1), &error);
  sqlite3_close (reader);
  if (events == NULL)
    return fail (g_steal_pointer (&error));

  json_builder_begin_array (b);
  for (guint i = 0; i < events->len; i++)
    {
      LsnAuditEvent *e = g_ptr_array_index (events, i);
      g_autofree char *when = format_time (e->time);

      if (opt_json)
        add_event_json (b, e);
      else
        g_print ("%6" G_GINT64_FORMAT "  %s  run %-4" G_GINT64_FORMAT " %-8s %-7s %-9s %s ⇄ %s%s%s%s%s\n",
                 e->id, when, e->run_id, e->kind, e->action, e->outcome,
                 e->left_name ? e->left_name : (e->left_id ? e->left_id : "-"),
                 e->right_name ? e->right_name : (e->right_id ? e->right_id : "-"),
                 e->message ? "\n        " : "", e->message ? e->message : "",
                 e->request ? "  · " : "", e->request ? e->request : "");
    }
  json_builder_end_array (b);
  if (opt_json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      print_json (root);
    }
  return 0;
}

typedef struct
{
  gint64         id;
  LsnAuditEvent *event;
} EventLookup;

static gboolean
load_event_func (LsnStore  *store,
                 sqlite3   *db,
                 gpointer   data,
                 GError   **error)
{
  EventLookup *el = data;
  el->event = lsn_db_load_event (db, el->id, error);
  return el->event != NULL;
}

static int
cmd_retry (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnSyncJob) job = NULL;
  EventLookup el = { 0 };
  gboolean ok;

  if (argc < 2)
    return usage ("retry: give the id of a failed event (`liaisonctl audit NAME --status failed`)");
  el.id = g_ascii_strtoll (argv[1], NULL, 10);
  if (el.id <= 0)
    return usage ("retry: the event id is a number");

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));
  if (!lsn_store_run_sync (store, load_event_func, &el, &error))
    return fail (g_steal_pointer (&error));
  if (g_strcmp0 (el.event->outcome, "failed") != 0)
    {
      g_autoptr(GError) e = g_error_new (LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                                         "Event %" G_GINT64_FORMAT " did not fail (it is “%s”): "
                                         "there is nothing to send again", el.id,
                                         el.event->outcome);
      lsn_audit_event_free (el.event);
      return fail (g_steal_pointer (&e));
    }
  profile = lsn_store_get_profile (store, el.event->profile_id, &error);
  if (profile == NULL)
    {
      lsn_audit_event_free (el.event);
      return fail (g_steal_pointer (&error));
    }
  lsn_audit_event_free (el.event);

  job = lsn_sync_job_new (store, profile, "retry");
  lsn_sync_job_set_retry_of (job, el.id);
  lsn_sync_job_set_confirmed (job, TRUE);
  ok = run_job (job, &error);
  return finish_job (job, ok, g_steal_pointer (&error));
}

/* -------------------------------------------------------------------------------------------- */

static gboolean
on_demo_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int
cmd_demo (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *json = NULL;
  LsnSandboxOptions options;
  int clients = -1;
  const GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &clients, "Companies in each PSA", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage (error->message);

  store = open_store (&error);
  if (store == NULL)
    return fail (g_steal_pointer (&error));

  lsn_sandbox_options_init (&options);
  /* fixed ports, so the profile stays valid when the demo is started again */
  options.halo_port = LSN_DEMO_HALO_PORT;
  options.cw_port = LSN_DEMO_CW_PORT;
  if (clients >= 0)
    options.halo_clients = options.cw_clients = clients;
  sandbox = lsn_sandbox_new (&options);
  if (!lsn_sandbox_start (sandbox, &error))
    {
      /* the usual ports are taken (another demo?): any free ones will do */
      g_clear_error (&error);
      g_clear_object (&sandbox);
      options.halo_port = options.cw_port = 0;
      sandbox = lsn_sandbox_new (&options);
      if (!lsn_sandbox_start (sandbox, &error))
        return fail (g_steal_pointer (&error));
    }

  ready = lsn_sandbox_ready_line (sandbox);
  json = lsn_demo_profile_json (ready, "Demo", &error);
  if (json == NULL)
    return fail (g_steal_pointer (&error));
  profile = lsn_profile_import (store, json, "Demo", TRUE, &error);
  if (profile == NULL)
    return fail (g_steal_pointer (&error));

  g_print ("The sandbox HaloPSA runs at %s and ConnectWise Manage at %s.\n"
           "The profile “Demo” joins them; its secrets are in your keyring.\n\n"
           "In another terminal:\n"
           "  liaisonctl sync Demo --dry-run   # what a sync would do\n"
           "  liaisonctl sync Demo             # do it\n"
           "  liaisonctl map Demo              # possible matches waiting for you\n"
           "  liaisonctl runs Demo; liaisonctl audit Demo\n\n"
           "Press Ctrl+C to stop the sandbox.\n",
           lsn_sandbox_get_halo_url (sandbox), lsn_sandbox_get_cw_url (sandbox));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_demo_signal, loop);
  g_unix_signal_add (SIGTERM, on_demo_signal, loop);
  g_main_loop_run (loop);
  lsn_sandbox_stop (sandbox);
  return 0;
}

/* -------------------------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  int i = 1;

  setlocale (LC_ALL, "");

  /* global options come before the command */
  while (i < argc && argv[i][0] == '-')
    {
      if (g_str_equal (argv[i], "--json"))
        opt_json = TRUE;
      else if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        opt_db = argv[++i];
      else if (g_str_has_prefix (argv[i], "--db="))
        opt_db = argv[i] + 5;
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          g_print ("%s", usage_text);
          return 0;
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          g_print ("liaisonctl %s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        return usage ("unknown option");
      i++;
    }

  if (i >= argc)
    return usage (NULL);

  /* the command's own options may also carry --json */
  for (int j = i; j < argc; j++)
    if (g_str_equal (argv[j], "--json"))
      {
        opt_json = TRUE;
        for (int k = j; k < argc - 1; k++)
          argv[k] = argv[k + 1];
        argc--;
        j--;
      }

  {
    const char *cmd = argv[i];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;

    if (g_str_equal (cmd, "profile"))
      return cmd_profile (sub_argc, sub_argv);
    if (g_str_equal (cmd, "sync"))
      return cmd_sync (sub_argc, sub_argv);
    if (g_str_equal (cmd, "map"))
      return cmd_map (sub_argc, sub_argv);
    if (g_str_equal (cmd, "relink"))
      return cmd_relink (sub_argc, sub_argv);
    if (g_str_equal (cmd, "runs"))
      return cmd_runs (sub_argc, sub_argv);
    if (g_str_equal (cmd, "audit"))
      return cmd_audit (sub_argc, sub_argv);
    if (g_str_equal (cmd, "retry"))
      return cmd_retry (sub_argc, sub_argv);
    if (g_str_equal (cmd, "demo"))
      return cmd_demo (sub_argc, sub_argv);
  }

  return usage ("unknown command");
}
