/* lsn-profile.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-store"

#include "config.h"

#include "lsn-error.h"
#include "lsn-profile.h"

struct _LsnProfile
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  char    *settings;
  gint64   version;
};

G_DEFINE_FINAL_TYPE (LsnProfile, lsn_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lsn_profile_finalize (GObject *object)
{
  LsnProfile *self = (LsnProfile *) object;

  g_free (self->name);
  g_free (self->settings);

  G_OBJECT_CLASS (lsn_profile_parent_class)->finalize (object);
}

static void
lsn_profile_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LsnProfile *self = LSN_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_profile_class_init (LsnProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lsn_profile_finalize;
  object_class->get_property = lsn_profile_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lsn_profile_init (LsnProfile *self)
{
}

LsnProfile *
lsn_profile_new (gint64      id,
                 const char *name,
                 const char *settings_json,
                 gint64      version)
{
  LsnProfile *self = g_object_new (LSN_TYPE_PROFILE, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->settings = g_strdup (settings_json ? settings_json : "{}");
  self->version = version;
  return self;
}

gint64 lsn_profile_get_id (LsnProfile *self) { return self->id; }
const char *lsn_profile_get_name (LsnProfile *self) { return self->name; }
const char *lsn_profile_get_settings (LsnProfile *self) { return self->settings; }
gint64 lsn_profile_get_version (LsnProfile *self) { return self->version; }

/* -------------------------------------------------------------------------------------------- */
/* Writer-thread bodies                                                                          */

typedef struct
{
  gint64      id;
  char       *name;
  char       *settings;
  GPtrArray  *profiles;
} ProfileOp;

static void
profile_op_free (ProfileOp *op)
{
  g_free (op->name);
  g_free (op->settings);
  g_clear_pointer (&op->profiles, g_ptr_array_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProfileOp, profile_op_free)

static gboolean
check_name (const char  *name,
            char       **out,
            GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "A profile needs a name: type one, for example “Acme: HaloPSA and "
                           "ConnectWise”");
      return FALSE;
    }
  if (!g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The profile name is not valid UTF-8 text");
      return FALSE;
    }

  *out = g_steal_pointer (&trimmed);
  return TRUE;
}

static gboolean
name_taken_error (sqlite3     *db,
                  int          rc,
                  const char  *name,
                  const char  *what,
                  GError     **error)
{
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                   "A profile named “%s” already exists: choose another name", name);
      return FALSE;
    }
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The profile “%s” was refused by the database: %s", name, sqlite3_errmsg (db));
      return FALSE;
    }
  return lsn_store_set_error (db, rc, NULL, what, error);
}

static gboolean
list_func (LsnStore  *store,
           sqlite3   *db,
           gpointer   user_data,
           GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT id, name, settings, version FROM profiles "
                            "ORDER BY name COLLATE NOCASE, id",
                            error);
  if (stmt == NULL)
    return FALSE;

  op->profiles = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (op->profiles,
                     lsn_profile_new (sqlite3_column_int64 (stmt, 0),
                                      lsn_store_column_text (stmt, 1),
                                      lsn_store_column_text (stmt, 2),
                                      sqlite3_column_int64 (stmt, 3)));

  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "listing profiles", error);
  return TRUE;
}

static gboolean
find_func (LsnStore  *store,
           sqlite3   *db,
           gpointer   user_data,
           GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* by name, or by id when no name is given */
  stmt = lsn_store_prepare (db,
                            op->name != NULL
                              ? "SELECT id, name, settings, version FROM profiles WHERE name = ?1"
                              : "SELECT id, name, settings, version FROM profiles WHERE id = ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  if (op->name != NULL)
    lsn_store_bind_text (stmt, 1, op->name);
  else
    sqlite3_bind_int64 (stmt, 2, op->id);

  op->profiles = g_ptr_array_new_with_free_func (g_object_unref);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    g_ptr_array_add (op->profiles,
                     lsn_profile_new (sqlite3_column_int64 (stmt, 0),
                                      lsn_store_column_text (stmt, 1),
                                      lsn_store_column_text (stmt, 2),
                                      sqlite3_column_int64 (stmt, 3)));
  else if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "looking up a profile", error);

  return TRUE;
}

static gboolean
add_func (LsnStore  *store,
          sqlite3   *db,
          gpointer   user_data,
          GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 now = g_get_real_time ();
  int rc;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO profiles (name, settings, created_at, updated_at) "
                            "VALUES (?1, ?2, ?3, ?3)",
                            error);
  if (stmt == NULL)
    return FALSE;

  lsn_store_bind_text (stmt, 1, op->name);
  lsn_store_bind_text (stmt, 2, op->settings ? op->settings : "{}");
  sqlite3_bind_int64 (stmt, 3, now);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return name_taken_error (db, rc, op->name, "adding a profile", error);

  op->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

static gboolean
expect_one_row (sqlite3     *db,
                gint64       id,
                GError     **error)
{
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                   "The profile %" G_GINT64_FORMAT " no longer exists: it may have been deleted "
                   "by another Liaison window or by liaisonctl", id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
rename_func (LsnStore  *store,
             sqlite3   *db,
             gpointer   user_data,
             GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "UPDATE profiles SET name = ?1, updated_at = ?2, version = version + 1 "
                            "WHERE id = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;

  lsn_store_bind_text (stmt, 1, op->name);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, op->id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return name_taken_error (db, rc, op->name, "renaming a profile", error);

  return expect_one_row (db, op->id, error);
}

static gboolean
update_func (LsnStore  *store,
             sqlite3   *db,
             gpointer   user_data,
             GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "UPDATE profiles SET settings = ?1, updated_at = ?2, "
                            "version = version + 1 WHERE id = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;

  lsn_store_bind_text (stmt, 1, op->settings);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, op->id);

  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The profile settings are not valid JSON");
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "saving the profile", error);

  return expect_one_row (db, op->id, error);
}

static gboolean
delete_func (LsnStore  *store,
             sqlite3   *db,
             gpointer   user_data,
             GError   **error)
{
  ProfileOp *op = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db, "DELETE FROM profiles WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, op->id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "deleting a profile", error);

  return expect_one_row (db, op->id, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Synchronous API                                                                               */

/**
 * lsn_store_list_profiles:
 *
 * Returns: (transfer full) (element-type LsnProfile) (nullable): every profile, by name
 */
GPtrArray *
lsn_store_list_profiles (LsnStore  *store,
                         GError   **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  if (!lsn_store_run_sync (store, list_func, op, error))
    return NULL;
  return g_steal_pointer (&op->profiles);
}

/**
 * lsn_store_find_profile:
 *
 * Returns: (transfer full) (nullable): the profile called @name; %NULL with
 *   %LSN_ERROR_NOT_FOUND when there is none
 */
LsnProfile *
lsn_store_find_profile (LsnStore    *store,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  op->name = g_strdup (name);
  if (!lsn_store_run_sync (store, find_func, op, error))
    return NULL;

  if (op->profiles->len == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                   "There is no profile named “%s”: `liaisonctl profile list` shows them", name);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (op->profiles, 0));
}

/**
 * lsn_store_add_profile:
 * @settings_json: (nullable): profile-file JSON without secrets
 *
 * Returns: the new profile's id, or 0 with @error set
 */
/**
 * lsn_store_get_profile:
 *
 * Returns: (transfer full) (nullable): the profile with @id; %NULL with %LSN_ERROR_NOT_FOUND
 *   when there is none
 */
LsnProfile *
lsn_store_get_profile (LsnStore  *store,
                       gint64     id,
                       GError   **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  op->id = id;
  if (!lsn_store_run_sync (store, find_func, op, error))
    return NULL;

  if (op->profiles->len == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                   "The profile %" G_GINT64_FORMAT " no longer exists: it may have been deleted",
                   id);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (op->profiles, 0));
}

gint64
lsn_store_add_profile (LsnStore    *store,
                       const char  *name,
                       const char  *settings_json,
                       GError     **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  if (!check_name (name, &op->name, error))
    return 0;
  op->settings = g_strdup (settings_json);

  if (!lsn_store_run_in_transaction (store, add_func, op, error))
    return 0;
  return op->id;
}

gboolean
lsn_store_rename_profile (LsnStore    *store,
                          gint64       id,
                          const char  *new_name,
                          GError     **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  if (!check_name (new_name, &op->name, error))
    return FALSE;
  op->id = id;
  return lsn_store_run_in_transaction (store, rename_func, op, error);
}

gboolean
lsn_store_update_profile (LsnStore    *store,
                          gint64       id,
                          const char  *settings_json,
                          GError     **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  op->id = id;
  op->settings = g_strdup (settings_json ? settings_json : "{}");
  return lsn_store_run_in_transaction (store, update_func, op, error);
}

gboolean
lsn_store_delete_profile (LsnStore  *store,
                          gint64     id,
                          GError   **error)
{
  g_autoptr(ProfileOp) op = g_new0 (ProfileOp, 1);

  op->id = id;
  return lsn_store_run_in_transaction (store, delete_func, op, error);
}

/* -------------------------------------------------------------------------------------------- */
/* Asynchronous API: the job runs on the writer thread, the callback in the caller's context.    */

static void
on_op_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProfileOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!lsn_store_run_finish (LSN_STORE (source), result, &error))
    g_task_return_error (task, error);
  else if (op->profiles != NULL)
    g_task_return_pointer (task, g_ptr_array_ref (op->profiles),
                           (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_int (task, op->id);
}

static void
run_op_async (LsnStore            *store,
              LsnStoreFunc         func,
              ProfileOp           *op,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* The op lives as task data: the writer fills it before the job's task returns. */
  g_task_set_task_data (task, op, (GDestroyNotify) profile_op_free);
  lsn_store_run_async (store, func, op, NULL, cancellable, on_op_done_cb, task);
}

static gboolean
fail_async (LsnStore            *store,
            GError              *error,
            gpointer             source_tag,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, error);
  return FALSE;
}

void
lsn_store_list_profiles_async (LsnStore            *store,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  run_op_async (store, list_func, g_new0 (ProfileOp, 1), lsn_store_list_profiles_async,
                cancellable, callback, user_data);
}

/**
 * lsn_store_list_profiles_finish:
 *
 * Returns: (transfer full) (element-type LsnProfile) (nullable): every profile, by name
 */
GPtrArray *
lsn_store_list_profiles_finish (LsnStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lsn_store_add_profile_async (LsnStore            *store,
                             const char          *name,
                             const char          *settings_json,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ProfileOp *op = g_new0 (ProfileOp, 1);
  GError *error = NULL;

  if (!check_name (name, &op->name, &error))
    {
      profile_op_free (op);
      fail_async (store, error, lsn_store_add_profile_async, callback, user_data);
      return;
    }
  op->settings = g_strdup (settings_json);
  run_op_async (store, add_func, op, lsn_store_add_profile_async, cancellable, callback,
                user_data);
}

/**
 * lsn_store_add_profile_finish:
 *
 * Returns: the new profile's id, or 0 with @error set
 */
gint64
lsn_store_add_profile_finish (LsnStore      *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  gssize id = g_task_propagate_int (G_TASK (result), error);

  return id < 0 ? 0 : id;
}

void
lsn_store_rename_profile_async (LsnStore            *store,
                                gint64               id,
                                const char          *new_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ProfileOp *op = g_new0 (ProfileOp, 1);
  GError *error = NULL;

  op->id = id;
  if (!check_name (new_name, &op->name, &error))
    {
      profile_op_free (op);
      fail_async (store, error, lsn_store_rename_profile_async, callback, user_data);
      return;
    }
  run_op_async (store, rename_func, op, lsn_store_rename_profile_async, cancellable, callback,
                user_data);
}

gboolean
lsn_store_rename_profile_finish (LsnStore      *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error) >= 0;
}

void
lsn_store_delete_profile_async (LsnStore            *store,
                                gint64               id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ProfileOp *op = g_new0 (ProfileOp, 1);

  op->id = id;
  run_op_async (store, delete_func, op, lsn_store_delete_profile_async, cancellable, callback,
                user_data);
}

gboolean
lsn_store_delete_profile_finish (LsnStore      *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error) >= 0;
}
