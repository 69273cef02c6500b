/* lsn-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LsnStore owns the one writer connection to the database file and the thread it lives on. Work
 * reaches that thread as jobs (an LsnStoreFunc and its data) through a queue: synchronously from
 * other worker threads (lsn_store_run_sync(), which blocks) or asynchronously from the main thread
 * (lsn_store_run_async(), whose callback runs in the caller's main context). Readers that must not
 * wait for the writer (audit log pages, mapping lists) open their own read-only connections with
 * lsn_store_open_reader(); WAL mode lets them read while the writer writes.
 *
 * Threading: every field below the lock is touched only by the writer thread once the store is
 * open; `path` and `thread` are set before the thread starts and never change.
 */

#define G_LOG_DOMAIN "liaison-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "lsn-error.h"
#include "lsn-store.h"
#include "lsn-store-schema.h"

#define BUSY_TIMEOUT_MS 5000

typedef struct
{
  LsnStoreFunc    func;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        transaction;
  gboolean        quit;

  /* asynchronous jobs */
  GTask          *task;

  /* synchronous jobs */
  GMutex          lock;
  GCond           cond;
  gboolean        done;
  gboolean        ok;
  GError         *error;
} StoreJob;

/* What the writer thread needs, shared between it and the store: the last reference to the
 * store may be dropped by a job on the writer thread itself, so the thread must not depend on
 * the store object outliving it. */
typedef struct
{
  gatomicrefcount  ref;
  GAsyncQueue     *queue;  /* (owned) of StoreJob */
  sqlite3         *db;     /* writer thread only */
} Writer;

struct _LsnStore
{
  GObject      parent_instance;

  char        *path;     /* (owned) immutable */
  GThread     *thread;   /* (owned) the writer thread */
  Writer      *writer;   /* (owned) shared with the thread */
};

G_DEFINE_FINAL_TYPE (LsnStore, lsn_store, G_TYPE_OBJECT)

#define assert_in_writer(self) g_assert (g_thread_self () == (self)->thread)

/* -------------------------------------------------------------------------------------------- */
/* Errors                                                                                        */

/**
 * lsn_store_set_error:
 * @db: (nullable): the connection, for its message
 * @rc: an SQLite result code
 * @path: (nullable): the database file, for the message
 * @what: what was being done ("saving the profile")
 * @error: return location
 *
 * Turns an SQLite failure into an %LSN_ERROR that says what to do.
 *
 * Returns: %FALSE, so that `return lsn_store_set_error (...);` reads well
 */
gboolean
lsn_store_set_error (sqlite3    *db,
                     int         rc,
                     const char *path,
                     const char *what,
                     GError    **error)
{
  const char *detail = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  const char *file = path ? path : (db ? sqlite3_db_filename (db, "main") : NULL);

  if (file == NULL || *file == '\0')
    file = "the database";

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT,
                   "The database %s is damaged or is not a Liaison database (%s) while %s. "
                   "Liaison changed nothing in it. Move the file aside or restore a backup, "
                   "then start Liaison again to create a new one.",
                   file, detail, what);
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_READONLY,
                   "Cannot write to the database %s (%s) while %s. Make the file and its folder "
                   "writable, or choose another database with --db PATH.",
                   file, detail, what);
      break;

    case SQLITE_FULL:
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_FULL,
                   "The disk holding %s is full while %s. Nothing was saved by this step and "
                   "nothing saved earlier was lost. Free some space and try again.",
                   file, what);
      break;

    case SQLITE_CONSTRAINT:
      g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                   "Cannot save while %s: %s", what, detail);
      break;

    default:
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE,
                   "Database error while %s in %s: %s", what, file, detail);
      break;
    }

  return FALSE;
}

/**
 * lsn_store_exec:
 *
 * Runs SQL without parameters (schema, pragmas, transaction control). Never pass data here.
 */
gboolean
lsn_store_exec (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return lsn_store_set_error (db, rc, NULL, "updating the database", error);
  return TRUE;
}

/**
 * lsn_store_prepare:
 *
 * Returns: (transfer full) (nullable): a prepared statement, to bind parameters to
 */
sqlite3_stmt *
lsn_store_prepare (sqlite3     *db,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      lsn_store_set_error (db, rc, NULL, "preparing a query", error);
      return NULL;
    }
  return stmt;
}

void
lsn_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

const char *
lsn_store_column_text (sqlite3_stmt *stmt,
                       int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* -------------------------------------------------------------------------------------------- */
/* Opening and migrating (writer thread)                                                         */

static gboolean
check_header (const char  *path,
              GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  char header[16] = { 0 };
  gsize n_read = 0;

  in = g_file_read (file, NULL, &local_error);
  if (in == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_READONLY,
                       "Cannot read the database %s: %s. Fix its permissions, or choose another "
                       "database with --db PATH.", path, local_error->message);
          return FALSE;
        }
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE, "Cannot open the database %s: %s",
                   path, local_error->message);
      return FALSE;
    }

  if (!g_input_stream_read_all (G_INPUT_STREAM (in), header, sizeof header, &n_read, NULL,
                                &local_error))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE, "Cannot read the database %s: %s",
                   path, local_error->message);
      return FALSE;
    }

  /* An empty file is a new database; anything else must be SQLite. */
  if (n_read == 0)
    return TRUE;

  if (n_read < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT,
                   "The file %s is not a Liaison database (it is not an SQLite file). Liaison "
                   "changed nothing in it. Choose the right file with --db PATH, or move this "
                   "one aside to start with a new database.", path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
get_user_version (sqlite3  *db,
                  int      *version,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, "reading the schema version", error);

  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
quick_check (sqlite3  *db,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *result;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, "checking the database", error);

  result = (const char *) sqlite3_column_text (stmt, 0);
  if (result == NULL || !g_str_equal (result, "ok"))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_CORRUPT,
                   "The database %s is damaged (%s). Liaison changed nothing in it. Move the file "
                   "aside or restore a backup, then start Liaison again to create a new one.",
                   sqlite3_db_filename (db, "main"), result ? result : "unknown damage");
      return FALSE;
    }

  return TRUE;
}

static gboolean
migrate (sqlite3  *db,
         int       from,
         GError  **error)
{
  for (guint v = (guint) from; v < lsn_store_n_migrations; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", v + 1);

      if (!lsn_store_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!lsn_store_exec (db, lsn_store_migrations[v], error)
          || !lsn_store_exec (db, set_version, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "Upgrading the database to version %u failed, nothing changed: ",
                          v + 1);
          return FALSE;
        }

      if (!lsn_store_exec (db, "COMMIT", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }

      g_debug ("Database migrated to version %u", v + 1);
    }

  return TRUE;
}

static gboolean
prepare_writer (sqlite3     *db,
                const char  *path,
                GError     **error)
{
  int version = 0;

  /* Read the version before writing anything: a newer database is left exactly as it is. */
  if (!get_user_version (db, &version, error))
    return FALSE;

  if (version > (int) lsn_store_n_migrations)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_TOO_NEW,
                   "The database %s was written by a newer version of Liaison (schema %d; this "
                   "version knows up to %u). Liaison changed nothing in it. Update Liaison, or "
                   "choose another database with --db PATH.",
                   path, version, lsn_store_n_migrations);
      return FALSE;
    }

  if (version > 0 && !quick_check (db, error))
    return FALSE;

  if (!lsn_store_exec (db, "PRAGMA journal_mode = WAL", error)
      || !lsn_store_exec (db, "PRAGMA synchronous = NORMAL", error)
      || !lsn_store_exec (db, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  if (!migrate (db, version, error))
    return FALSE;

  return TRUE;
}

static gboolean
open_writer (LsnStore  *self,
             GError   **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  sqlite3 *db = NULL;
  int rc;

  assert_in_writer (self);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_READONLY,
                   "Cannot create the folder %s for the database: %s. Choose another database "
                   "with --db PATH.", dir, g_strerror (saved));
      return FALSE;
    }

  if (!check_header (self->path, error))
    return FALSE;

  rc = sqlite3_open_v2 (self->path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      lsn_store_set_error (db, rc, self->path, "opening the database", error);
      sqlite3_close (db);
      return FALSE;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if (sqlite3_db_readonly (db, "main") == 1)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_STORE_READONLY,
                   "The database %s is read-only. Make the file and its folder writable, or "
                   "choose another database with --db PATH.", self->path);
      sqlite3_close (db);
      return FALSE;
    }

  if (!prepare_writer (db, self->path, error))
    {
      sqlite3_close (db);
      return FALSE;
    }

  self->writer->db = db;
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */
/* The writer thread                                                                             */

static void
store_job_free (StoreJob *job)
{
  if (job->destroy)
    job->destroy (job->data);
  g_clear_object (&job->task);
  g_clear_error (&job->error);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

static StoreJob *
store_job_new (LsnStoreFunc   func,
               gpointer       data,
               GDestroyNotify destroy)
{
  StoreJob *job = g_new0 (StoreJob, 1);

  job->func = func;
  job->data = data;
  job->destroy = destroy;
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  return job;
}

static gboolean
open_func (LsnStore  *self,
           sqlite3   *db,
           gpointer   user_data,
           GError   **error)
{
  return open_writer (self, error);
}

static gboolean
run_job (LsnStore  *self,
         StoreJob  *job,
         GError   **error)
{
  gboolean ok;

  if (job->func == open_func)
    return open_writer (self, error);

  if (self->writer->db == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_STORE, "The database is closed");
      return FALSE;
    }

  if (!job->transaction)
    return job->func (self, self->writer->db, job->data, error);

  if (!lsn_store_exec (self->writer->db, "BEGIN IMMEDIATE", error))
    return FALSE;

  ok = job->func (self, self->writer->db, job->data, error);

  if (ok)
    ok = lsn_store_exec (self->writer->db, "COMMIT", error);

  if (!ok && !sqlite3_get_autocommit (self->writer->db))
    sqlite3_exec (self->writer->db, "ROLLBACK", NULL, NULL, NULL);

  return ok;
}

static Writer *
writer_ref (Writer *w)
{
  g_atomic_ref_count_inc (&w->ref);
  return w;
}

static void
writer_unref (Writer *w)
{
  if (g_atomic_ref_count_dec (&w->ref))
    {
      g_async_queue_unref (w->queue);
      g_free (w);
    }
}

typedef struct
{
  LsnStore *store;   /* (unowned) only while a job that holds it runs */
  Writer   *writer;  /* (owned) */
} ThreadData;

static gpointer
writer_thread (gpointer data)
{
  ThreadData *td = data;
  Writer *writer = td->writer;
  LsnStore *self = td->store;

  for (;;)
    {
      StoreJob *job = g_async_queue_pop (writer->queue);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (job->quit)
        {
          g_clear_pointer (&writer->db, sqlite3_close);
          store_job_free (job);
          break;
        }

      if (job->task != NULL)
        {
          if (g_task_return_error_if_cancelled (job->task))
            {
              store_job_free (job);
              continue;
            }

          ok = run_job (self, job, &error);
          if (ok)
            g_task_return_boolean (job->task, TRUE);
          else
            g_task_return_error (job->task, g_steal_pointer (&error));
          store_job_free (job);
          continue;
        }

      ok = run_job (self, job, &error);

      g_mutex_lock (&job->lock);
      job->ok = ok;
      job->error = g_steal_pointer (&error);
      job->done = TRUE;
      g_cond_signal (&job->cond);
      g_mutex_unlock (&job->lock);
      /* the waiting thread frees a synchronous job */
    }

  writer_unref (writer);
  g_free (td);
  return NULL;
}

static gboolean
run_sync_internal (LsnStore      *self,
                   StoreJob      *job,
                   GError       **error)
{
  gboolean ok;

  if (g_thread_self () == self->thread)
    {
      /* Nested call from a job: run it inline. */
      ok = run_job (self, job, error);
      store_job_free (job);
      return ok;
    }

  g_async_queue_push (self->writer->queue, job);

  g_mutex_lock (&job->lock);
  while (!job->done)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);

  ok = job->ok;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&job->error));
  store_job_free (job);
  return ok;
}

/* -------------------------------------------------------------------------------------------- */
/* GObject                                                                                       */

static void
lsn_store_finalize (GObject *object)
{
  LsnStore *self = (LsnStore *) object;

  lsn_store_close (self);
  g_clear_pointer (&self->writer, writer_unref);
  g_free (self->path);

  G_OBJECT_CLASS (lsn_store_parent_class)->finalize (object);
}

static void
lsn_store_class_init (LsnStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_store_finalize;
}

static void
lsn_store_init (LsnStore *self)
{
  self->writer = g_new0 (Writer, 1);
  g_atomic_ref_count_init (&self->writer->ref);
  self->writer->queue = g_async_queue_new ();
}

/**
 * lsn_store_open:
 * @path: the database file; created with its folder when missing
 * @error: return location for an %LSN_ERROR_STORE_* error
 *
 * Opens (and if needed creates and migrates) the database and starts its writer thread. Blocks:
 * call it from a worker thread, or use lsn_store_open_async() on the main thread.
 *
 * Returns: (transfer full) (nullable): the store
 */
LsnStore *
lsn_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(LsnStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LSN_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  {
    ThreadData *td = g_new0 (ThreadData, 1);
    td->store = self;
    td->writer = writer_ref (self->writer);
    self->thread = g_thread_new ("lsn-store-writer", writer_thread, td);
  }

  if (!run_sync_internal (self, store_job_new (open_func, NULL, NULL), error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  LsnStore *store = lsn_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
lsn_store_open_async (const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lsn_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_in_thread);
}

/**
 * lsn_store_open_finish:
 *
 * Returns: (transfer full) (nullable): the store
 */
LsnStore *
lsn_store_open_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
lsn_store_get_path (LsnStore *self)
{
  return self->path;
}

/**
 * lsn_store_close:
 *
 * Finishes the queued jobs, closes the writer connection and stops its thread. Idempotent.
 */
void
lsn_store_close (LsnStore *self)
{
  StoreJob *job;

  if (self->thread == NULL)
    return;

  job = store_job_new (NULL, NULL, NULL);
  job->quit = TRUE;
  g_async_queue_push (self->writer->queue, job);

  if (g_thread_self () == self->thread)
    {
      /* The last reference went away in a job on the writer thread: it finishes the queue,
       * closes the connection and exits on its own. */
      g_thread_unref (self->thread);
    }
  else
    g_thread_join (self->thread);
  self->thread = NULL;
}

gboolean
lsn_store_is_writer_thread (LsnStore *self)
{
  return g_thread_self () == self->thread;
}

/**
 * lsn_store_run_sync:
 * @self: the store
 * @func: work to run on the writer thread
 * @user_data: its data
 * @error: return location
 *
 * Runs @func on the writer thread and waits for it. Never call this from the main thread.
 *
 * Returns: what @func returned
 */
gboolean
lsn_store_run_sync (LsnStore      *self,
                    LsnStoreFunc   func,
                    gpointer       user_data,
                    GError       **error)
{
  g_return_val_if_fail (LSN_IS_STORE (self), FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_STORE, "The database is closed");
      return FALSE;
    }

  return run_sync_internal (self, store_job_new (func, user_data, NULL), error);
}

/**
 * lsn_store_run_in_transaction:
 *
 * Like lsn_store_run_sync(), inside `BEGIN IMMEDIATE` … `COMMIT`; rolled back when @func fails.
 */
gboolean
lsn_store_run_in_transaction (LsnStore      *self,
                              LsnStoreFunc   func,
                              gpointer       user_data,
                              GError       **error)
{
  StoreJob *job;

  g_return_val_if_fail (LSN_IS_STORE (self), FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_STORE, "The database is closed");
      return FALSE;
    }

  job = store_job_new (func, user_data, NULL);
  job->transaction = TRUE;
  return run_sync_internal (self, job, error);
}

/**
 * lsn_store_run_async:
 * @user_data_free: (nullable): frees @user_data on the writer thread after the job
 *
 * Queues @func on the writer thread, inside a transaction; @callback runs in the thread-default
 * main context of the caller.
 */
void
lsn_store_run_async (LsnStore            *self,
                     LsnStoreFunc         func,
                     gpointer             user_data,
                     GDestroyNotify       user_data_free,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             callback_data)
{
  StoreJob *job;
  GTask *task;

  g_return_if_fail (LSN_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, callback_data);
  g_task_set_source_tag (task, lsn_store_run_async);

  if (self->thread == NULL)
    {
      if (user_data_free)
        user_data_free (user_data);
      g_task_return_new_error (task, LSN_ERROR, LSN_ERROR_STORE, "The database is closed");
      g_object_unref (task);
      return;
    }

  job = store_job_new (func, user_data, user_data_free);
  job->transaction = TRUE;
  job->task = task;
  g_async_queue_push (self->writer->queue, job);
}

gboolean
lsn_store_run_finish (LsnStore      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lsn_store_open_reader:
 *
 * Opens a read-only connection for the calling thread (the caller closes it with
 * sqlite3_close()). It sees every committed write and never blocks the writer.
 *
 * Returns: (transfer full) (nullable): the connection
 */
sqlite3 *
lsn_store_open_reader (LsnStore  *self,
                       GError   **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      lsn_store_set_error (db, rc, self->path, "opening a reader", error);
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  sqlite3_exec (db, "PRAGMA query_only = ON", NULL, NULL, NULL);
  return db;
}
