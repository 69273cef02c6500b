/* lsn-audit-model.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Activity page's list of audit events: a GListModel that reads pages from SQLite on demand
 * and never loads the table.
 *
 * - A worker thread with its own read-only connection runs every query, newest request first
 *   (after a fast scroll, the rows on screen are read before the ones scrolled past).
 * - g_list_model_get_item() never blocks: an item whose page is not read yet is handed out empty
 *   and filled in when its page arrives (LsnAuditItem notifies).
 * - A page next to a loaded page is read by keyset (time, id) from the index, so scrolling costs
 *   the same anywhere; a page far from any loaded one is read with OFFSET from the nearer end.
 * - After a new filter, the first page comes first and is shown at once (the old rows stay until
 *   then); the count follows and the list grows to its length.
 * - At most MAX_PAGES pages are kept; the least recently used go first.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-audit-model.h"
#include "lsn-error.h"

#define PAGE LSN_AUDIT_MODEL_PAGE_SIZE
#define MAX_PAGES 64

/* A filter with its own strings, shared by the model and the requests made under it. */
typedef struct
{
  LsnEventFilter f;
  char          *outcome;
  char          *kind;
  char          *text;
  char          *left_id;
  char          *right_id;
} FilterCopy;

static void
filter_copy_clear (FilterCopy *fc)
{
  g_free (fc->outcome);
  g_free (fc->kind);
  g_free (fc->text);
  g_free (fc->left_id);
  g_free (fc->right_id);
}

static FilterCopy *
filter_copy_new (const LsnEventFilter *f)
{
  FilterCopy *fc = g_rc_box_new0 (FilterCopy);

  if (f != NULL)
    {
      fc->f = *f;
      fc->f.outcome = fc->outcome = g_strdup (f->outcome);
      fc->f.kind = fc->kind = g_strdup (f->kind);
      fc->f.text = fc->text = f->text && *f->text ? g_strdup (f->text) : NULL;
      fc->f.left_id = fc->left_id = g_strdup (f->left_id);
      fc->f.right_id = fc->right_id = g_strdup (f->right_id);
    }
  return fc;
}

static void
filter_copy_unref (FilterCopy *fc)
{
  g_rc_box_release_full (fc, (GDestroyNotify) filter_copy_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FilterCopy, filter_copy_unref)

typedef enum
{
  REQ_PAGE,
  REQ_COUNT,
} ReqType;

typedef struct _Worker Worker;

typedef struct
{
  Worker         *worker;
  ReqType         type;
  guint           gen;
  guint           page;
  guint           expected;     /* rows the page should have */
  FilterCopy     *filter;
  gint64          profile_id;
  gboolean        ascending;
  gboolean        has_anchor;
  LsnEventAnchor  anchor;
  gint64          offset;
  gboolean        from_end;     /* offset counts from the end of the list */

  GPtrArray      *events;
  gint64          count;
  GError         *error;
} Req;

struct _Worker
{
  gatomicrefcount  ref;
  GMutex           mutex;
  GCond            cond;
  GQueue           queue;       /* of Req, newest at the tail */
  gboolean         quit;
  sqlite3         *db;          /* the thread's, under mutex for sqlite3_interrupt() */
  LsnStore        *store;
  GMainContext    *context;
  GWeakRef         model;
};

struct _LsnAuditModel
{
  GObject      parent_instance;

  Worker      *worker;
  gint64       profile_id;
  FilterCopy  *filter;
  gboolean     ascending;

  guint        gen;          /* what is wanted */
  guint        shown_gen;    /* what the items belong to */
  guint        n_items;
  gint64       count;        /* -1 until counted */
  gint64       pending_count; /* a count of `gen` that came before its first page, or -1 */
  GHashTable  *pages;        /* page number → Page */
  guint64      stamp;
  guint        in_flight;
  char        *error;
};

typedef struct
{
  GPtrArray *items;      /* of LsnAuditItem */
  gboolean   loaded;
  gboolean   requested;
  guint64    used;
} Page;

static void lsn_audit_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LsnAuditModel, lsn_audit_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lsn_audit_model_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_BUSY,
  PROP_COUNT_KNOWN,
  PROP_ERROR,
  PROP_ASCENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (Page *p)
{
  g_ptr_array_unref (p->items);
  g_free (p);
}

static Worker *
worker_ref (Worker *w)
{
  g_atomic_ref_count_inc (&w->ref);
  return w;
}

static void
worker_unref (Worker *w)
{
  if (!g_atomic_ref_count_dec (&w->ref))
    return;
  g_mutex_clear (&w->mutex);
  g_cond_clear (&w->cond);
  g_clear_object (&w->store);
  g_main_context_unref (w->context);
  g_weak_ref_clear (&w->model);
  g_free (w);
}

static void
req_free (Req *r)
{
  g_clear_pointer (&r->filter, filter_copy_unref);
  g_clear_pointer (&r->events, g_ptr_array_unref);
  g_clear_error (&r->error);
  g_clear_pointer (&r->worker, worker_unref);
  g_free (r);
}

static void deliver (LsnAuditModel *self,
                     Req           *req);

static gboolean
deliver_cb (gpointer data)
{
  Req *req = data;
  g_autoptr(LsnAuditModel) self = g_weak_ref_get (&req->worker->model);

  if (self != NULL)
    deliver (self, req);
  return G_SOURCE_REMOVE;
}

static void
run_request (Worker *w,
             Req    *req)
{
  if (w->db == NULL)
    {
      g_set_error (&req->error, LSN_ERROR, LSN_ERROR_STORE, "The database is not open");
      return;
    }
  if (req->type == REQ_COUNT)
    {
      req->count = lsn_history_count_events (w->db, req->profile_id, &req->filter->f, &req->error);
      return;
    }
  if (req->from_end)
    req->events = lsn_history_list_events_page (w->db, req->profile_id, &req->filter->f,
                                                !req->ascending, NULL, req->offset,
                                                req->expected, &req->error);
  else
    req->events = lsn_history_list_events_page (w->db, req->profile_id, &req->filter->f,
                                                req->ascending,
                                                req->has_anchor ? &req->anchor : NULL,
                                                req->offset, req->expected, &req->error);
  if (req->events != NULL && req->from_end)
    for (guint i = 0, j = req->events->len ? req->events->len - 1 : 0; i < j; i++, j--)
      {
        gpointer t = req->events->pdata[i];
        req->events->pdata[i] = req->events->pdata[j];
        req->events->pdata[j] = t;
      }
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = lsn_store_open_reader (w->store, &error);

  if (db == NULL)
    g_warning ("The activity list cannot read the database: %s", error->message);

  g_mutex_lock (&w->mutex);
  w->db = db;
  for (;;)
    {
      Req *req;

      while (!w->quit && g_queue_is_empty (&w->queue))
        g_cond_wait (&w->cond, &w->mutex);
      if (w->quit)
        break;
      /* newest first */
      req = g_queue_pop_tail (&w->queue);
      g_mutex_unlock (&w->mutex);

      run_request (w, req);
      {
        /* always through a source: g_main_context_invoke() would run it right here, on this
         * thread, when nobody owns the context at this moment */
        g_autoptr(GSource) source = g_idle_source_new ();
        g_source_set_priority (source, G_PRIORITY_DEFAULT);
        g_source_set_callback (source, deliver_cb, req, (GDestroyNotify) req_free);
        g_source_set_static_name (source, "[liaison] audit page");
        g_source_attach (source, w->context);
      }

      g_mutex_lock (&w->mutex);
    }
  w->db = NULL;
  while (!g_queue_is_empty (&w->queue))
    req_free (g_queue_pop_head (&w->queue));
  g_mutex_unlock (&w->mutex);

  if (db != NULL)
    sqlite3_close (db);
  worker_unref (w);
  return NULL;
}

static void
submit (LsnAuditModel *self,
        Req           *req)
{
  req->worker = worker_ref (self->worker);
  req->filter = g_rc_box_acquire (self->filter);
  req->profile_id = self->profile_id;
  req->ascending = self->ascending;
  self->in_flight++;
  g_mutex_lock (&self->worker->mutex);
  g_queue_push_tail (&self->worker->queue, req);
  g_cond_signal (&self->worker->cond);
  g_mutex_unlock (&self->worker->mutex);
  if (self->in_flight == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_error (LsnAuditModel *self,
           const GError  *error)
{
  g_autofree char *message = error ? g_strdup (error->message) : NULL;

  if (g_strcmp0 (message, self->error) == 0)
    return;
  g_free (self->error);
  self->error = g_steal_pointer (&message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static Page *
page_new (guint size)
{
  Page *p = g_new0 (Page, 1);

  p->items = g_ptr_array_new_full (size, g_object_unref);
  for (guint i = 0; i < size; i++)
    g_ptr_array_add (p->items, lsn_audit_item_new ());
  return p;
}

static guint
page_size_at (LsnAuditModel *self,
              guint          page)
{
  guint start = page * PAGE;
  return start >= self->n_items ? 0 : MIN (PAGE, self->n_items - start);
}

static void
evict (LsnAuditModel *self)
{
  while (g_hash_table_size (self->pages) > MAX_PAGES)
    {
      GHashTableIter iter;
      gpointer key, value;
      gpointer oldest_key = NULL;
      guint64 oldest = G_MAXUINT64;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Page *p = value;
          if (p->requested && !p->loaded)
            continue;
          if (p->used < oldest)
            {
              oldest = p->used;
              oldest_key = key;
            }
        }
      if (oldest_key == NULL)
        return;
      g_hash_table_remove (self->pages, oldest_key);
    }
}

static void
request_page (LsnAuditModel *self,
              guint          page,
              Page          *p)
{
  Req *req = g_new0 (Req, 1);
  Page *prev = page > 0 ? g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page - 1)) : NULL;
  Page *next = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page + 1));

  req->type = REQ_PAGE;
  req->gen = self->shown_gen;
  req->page = page;
  req->expected = p->items->len;
  if (prev != NULL && prev->loaded && prev->items->len == PAGE)
    {
      const LsnAuditEvent *e = lsn_audit_item_get_event (g_ptr_array_index (prev->items, PAGE - 1));
      req->has_anchor = e != NULL;
      if (e != NULL)
        req->anchor = (LsnEventAnchor) { e->time, e->id, TRUE };
    }
  if (!req->has_anchor && next != NULL && next->loaded && next->items->len > 0)
    {
      const LsnAuditEvent *e = lsn_audit_item_get_event (g_ptr_array_index (next->items, 0));
      req->has_anchor = e != NULL;
      if (e != NULL)
        req->anchor = (LsnEventAnchor) { e->time, e->id, FALSE };
    }
  if (!req->has_anchor)
    {
      gint64 start = (gint64) page * PAGE;
      if (self->count >= 0 && start > self->count / 2)
        {
          req->from_end = TRUE;
          req->offset = MAX (0, self->count - start - (gint64) p->items->len);
        }
      else
        req->offset = start;
    }
  p->requested = TRUE;
  submit (self, req);
}

static void
finish_request (LsnAuditModel *self)
{
  g_assert (self->in_flight > 0);
  self->in_flight--;
  if (self->in_flight == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
apply_count (LsnAuditModel *self,
             gint64         count)
{
  guint old = self->n_items;
  guint n = (guint) MIN (count, (gint64) G_MAXUINT);

  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_KNOWN]);
  if (n == old)
    return;
  self->n_items = n;
  if (n > old)
    g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
  else
    g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
deliver (LsnAuditModel *self,
         Req           *req)
{
  finish_request (self);

  if (req->error != NULL)
    {
      if (!g_error_matches (req->error, LSN_ERROR, LSN_ERROR_CANCELLED))
        set_error (self, req->error);
      if (req->type == REQ_PAGE && req->gen == self->shown_gen)
        {
          Page *p = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (req->page));
          if (p != NULL)
            p->requested = FALSE;
        }
      return;
    }

  if (req->type == REQ_COUNT)
    {
      if (req->gen == self->shown_gen)
        apply_count (self, req->count);
      else if (req->gen == self->gen)
        self->pending_count = req->count;
      return;
    }

  if (req->gen == self->gen && self->shown_gen != self->gen && req->page == 0)
    {
      /* the first page of a new filter: show it now, in place of the old rows */
      guint old = self->n_items;
      Page *p = page_new (req->events->len);

      g_hash_table_remove_all (self->pages);
      self->shown_gen = self->gen;
      self->count = -1;
      self->n_items = req->events->len;
      for (guint i = 0; i < req->events->len; i++)
        lsn_audit_item_set_event (g_ptr_array_index (p->items, i),
                                  g_steal_pointer (&req->events->pdata[i]));
      p->loaded = p->requested = TRUE;
      p->used = ++self->stamp;
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (0), p);
      set_error (self, NULL);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->n_items);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      if (req->events->len < PAGE)
        apply_count (self, req->events->len);
      else if (self->pending_count >= 0)
        apply_count (self, self->pending_count);
      self->pending_count = -1;
      return;
    }

  if (req->gen != self->shown_gen)
    return;
  {
    Page *p = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (req->page));
    if (p == NULL)
      return; /* evicted meanwhile */
    for (guint i = 0; i < req->events->len && i < p->items->len; i++)
      lsn_audit_item_set_event (g_ptr_array_index (p->items, i),
                                g_steal_pointer (&req->events->pdata[i]));
    p->loaded = TRUE;
  }
}

static void
start_generation (LsnAuditModel *self)
{
  Req *count = g_new0 (Req, 1);
  Req *first = g_new0 (Req, 1);

  self->gen++;
  self->pending_count = -1;
  count->type = REQ_COUNT;
  count->gen = self->gen;
  first->type = REQ_PAGE;
  first->gen = self->gen;
  first->page = 0;
  first->expected = PAGE;
  /* pushed last, read first */
  submit (self, count);
  submit (self, first);
}

static GType
lsn_audit_model_get_item_type (GListModel *model)
{
  return LSN_TYPE_AUDIT_ITEM;
}

static guint
lsn_audit_model_get_n_items (GListModel *model)
{
  return LSN_AUDIT_MODEL (model)->n_items;
}

static gpointer
lsn_audit_model_get_item (GListModel *model,
                          guint       position)
{
  LsnAuditModel *self = LSN_AUDIT_MODEL (model);
  guint page = position / PAGE;
  Page *p;

  if (position >= self->n_items)
    return NULL;
  p = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (p == NULL)
    {
      p = page_new (page_size_at (self, page));
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), p);
    }
  else if (p->items->len < page_size_at (self, page))
    {
      /* the list grew (its count arrived): the page is read again, into the same items */
      while (p->items->len < page_size_at (self, page))
        g_ptr_array_add (p->items, lsn_audit_item_new ());
      p->loaded = p->requested = FALSE;
    }
  p->used = ++self->stamp;
  /* while a new filter's first page is on its way, the old rows stay as they are */
  if (!p->loaded && !p->requested && self->shown_gen == self->gen)
    request_page (self, page, p);
  {
    gpointer item = g_object_ref (g_ptr_array_index (p->items, position % PAGE));
    evict (self);
    return item;
  }
}

static void
lsn_audit_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lsn_audit_model_get_item_type;
  iface->get_n_items = lsn_audit_model_get_n_items;
  iface->get_item = lsn_audit_model_get_item;
}

static void
lsn_audit_model_dispose (GObject *object)
{
  LsnAuditModel *self = (LsnAuditModel *)object;

  if (self->worker != NULL)
    {
      g_mutex_lock (&self->worker->mutex);
      self->worker->quit = TRUE;
      if (self->worker->db != NULL)
        sqlite3_interrupt (self->worker->db);
      g_cond_signal (&self->worker->cond);
      g_mutex_unlock (&self->worker->mutex);
      g_clear_pointer (&self->worker, worker_unref);
    }

  G_OBJECT_CLASS (lsn_audit_model_parent_class)->dispose (object);
}

static void
lsn_audit_model_finalize (GObject *object)
{
  LsnAuditModel *self = (LsnAuditModel *)object;

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->filter, filter_copy_unref);
  g_free (self->error);

  G_OBJECT_CLASS (lsn_audit_model_parent_class)->finalize (object);
}

static void
lsn_audit_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LsnAuditModel *self = LSN_AUDIT_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, lsn_audit_model_get_busy (self));
      break;
    case PROP_COUNT_KNOWN:
      g_value_set_boolean (value, lsn_audit_model_get_count_known (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_ASCENDING:
      g_value_set_boolean (value, self->ascending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_audit_model_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LsnAuditModel *self = LSN_AUDIT_MODEL (object);

  switch (prop_id)
    {
    case PROP_ASCENDING:
      lsn_audit_model_set_ascending (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_audit_model_class_init (LsnAuditModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lsn_audit_model_dispose;
  object_class->finalize = lsn_audit_model_finalize;
  object_class->get_property = lsn_audit_model_get_property;
  object_class->set_property = lsn_audit_model_set_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT_KNOWN] =
    g_param_spec_boolean ("count-known", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ASCENDING] =
    g_param_spec_boolean ("ascending", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lsn_audit_model_init (LsnAuditModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  self->count = -1;
  self->pending_count = -1;
}

/**
 * lsn_audit_model_new:
 * @store: the store
 * @profile_id: whose events
 *
 * Starts reading the newest events at once. Results arrive in the thread-default main context
 * of the caller.
 *
 * Returns: (transfer full): the model
 */
LsnAuditModel *
lsn_audit_model_new (LsnStore *store,
                     gint64    profile_id)
{
  LsnAuditModel *self = g_object_new (LSN_TYPE_AUDIT_MODEL, NULL);
  Worker *w = g_new0 (Worker, 1);
  GThread *thread;

  g_return_val_if_fail (LSN_IS_STORE (store), NULL);

  g_atomic_ref_count_init (&w->ref);
  g_mutex_init (&w->mutex);
  g_cond_init (&w->cond);
  g_queue_init (&w->queue);
  w->store = g_object_ref (store);
  w->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&w->model, self);
  self->worker = w;
  self->profile_id = profile_id;
  self->filter = filter_copy_new (NULL);

  thread = g_thread_new ("lsn-audit-model", worker_thread, worker_ref (w));
  g_thread_unref (thread);

  start_generation (self);
  return self;
}

/**
 * lsn_audit_model_set_filter:
 * @filter: (nullable): what to show; %NULL for every event of the profile
 *
 * The old rows stay until the first page of the new list arrives.
 */
void
lsn_audit_model_set_filter (LsnAuditModel        *self,
                            const LsnEventFilter *filter)
{
  g_return_if_fail (LSN_IS_AUDIT_MODEL (self));

  g_clear_pointer (&self->filter, filter_copy_unref);
  self->filter = filter_copy_new (filter);
  start_generation (self);
}

/**
 * lsn_audit_model_set_ascending:
 *
 * Oldest first (%TRUE) or newest first.
 */
void
lsn_audit_model_set_ascending (LsnAuditModel *self,
                               gboolean       ascending)
{
  g_return_if_fail (LSN_IS_AUDIT_MODEL (self));

  if (self->ascending == !!ascending)
    return;
  self->ascending = !!ascending;
  start_generation (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASCENDING]);
}

gboolean
lsn_audit_model_get_ascending (LsnAuditModel *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_MODEL (self), FALSE);
  return self->ascending;
}

/**
 * lsn_audit_model_refresh:
 *
 * Reads the list again (new events were written).
 */
void
lsn_audit_model_refresh (LsnAuditModel *self)
{
  g_return_if_fail (LSN_IS_AUDIT_MODEL (self));
  start_generation (self);
}

/**
 * lsn_audit_model_get_busy:
 *
 * Returns: whether a query is running or waiting
 */
gboolean
lsn_audit_model_get_busy (LsnAuditModel *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_MODEL (self), FALSE);
  return self->in_flight > 0;
}

/**
 * lsn_audit_model_get_count_known:
 *
 * Returns: whether the list has its full length (the count arrived)
 */
gboolean
lsn_audit_model_get_count_known (LsnAuditModel *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_MODEL (self), FALSE);
  return self->shown_gen == self->gen && self->count >= 0;
}

/**
 * lsn_audit_model_get_error:
 *
 * Returns: (nullable): why the last query failed
 */
const char *
lsn_audit_model_get_error (LsnAuditModel *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_MODEL (self), NULL);
  return self->error;
}

/**
 * lsn_audit_model_get_n_loaded_pages:
 *
 * Returns: how many pages are kept (for tests: the table is never loaded whole)
 */
guint
lsn_audit_model_get_n_loaded_pages (LsnAuditModel *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_MODEL (self), 0);
  return g_hash_table_size (self->pages);
}

typedef struct
{
  LsnStore   *store;
  gint64      profile_id;
  FilterCopy *filter;
  gboolean    ascending;
  GFile      *file;
  guint64     n_written;
} CsvJob;

static void
csv_job_free (CsvJob *job)
{
  g_object_unref (job->store);
  filter_copy_unref (job->filter);
  g_object_unref (job->file);
  g_free (job);
}

static void
csv_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  CsvJob *job = data;
  GError *error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (job->store, &error);
  g_autoptr(GFileOutputStream) out = NULL;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_file_replace (job->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable,
                        &error);
  if (out == NULL
      || !lsn_history_write_csv (db, job->profile_id, &job->filter->f, job->ascending,
                                 G_OUTPUT_STREAM (out), cancellable, &job->n_written, &error)
      || !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * lsn_audit_model_write_csv_async:
 * @file: where to write
 *
 * Writes every event the model's filter lets through, in its order, as CSV, on a worker thread.
 */
void
lsn_audit_model_write_csv_async (LsnAuditModel       *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  CsvJob *job = g_new0 (CsvJob, 1);

  job->store = g_object_ref (self->worker->store);
  job->profile_id = self->profile_id;
  job->filter = g_rc_box_acquire (self->filter);
  job->ascending = self->ascending;
  job->file = g_object_ref (file);
  g_task_set_source_tag (task, lsn_audit_model_write_csv_async);
  g_task_set_task_data (task, job, (GDestroyNotify) csv_job_free);
  g_task_run_in_thread (task, csv_thread);
}

/**
 * lsn_audit_model_write_csv_finish:
 * @n_written: (out) (optional): how many events were written
 */
gboolean
lsn_audit_model_write_csv_finish (LsnAuditModel  *self,
                                  GAsyncResult   *result,
                                  guint64        *n_written,
                                  GError        **error)
{
  CsvJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (n_written)
    *n_written = job->n_written;
  return TRUE;
}
