/* lsn-mapping-editor.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The logic of the client mapping editor, without widgets: the rows of one side's records with
 * what each is mapped to, the filters and searches, the choices a row may be mapped to, the
 * edits a person makes (kept in memory until Save, then written in one transaction with an
 * audit event each), and "Suggest matches": pairs proposed with their evidence and confidence.
 *
 * Rules the editor keeps (see reference/user-needs.md, themes 1 and 2):
 * - a record is mapped to at most one record of the other side, and no edit or suggestion ever
 *   touches a saved mapping without a person asking for it;
 * - suggestions come from indexes (ids, exact names, name keys, letter bigrams, domains), so
 *   10,000 × 10,000 records take well under a second, and running them again proposes nothing
 *   that is mapped or was rejected;
 * - an ambiguous suggestion (two candidates as good, or one candidate as good for two rows) is
 *   never taken by "Accept all confident".
 *
 * Threads: build, filter and edit on one thread (the main thread in the window). Loading runs
 * on a worker thread with its own read-only connection; Save runs the remote creates and the
 * transaction on a worker thread, on a snapshot of the edits.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lsn-connector.h"
#include "lsn-error.h"
#include "lsn-mapping-editor.h"
#include "lsn-names.h"
#include "lsn-sync-job.h"
#include "lsn-sync-store.h"

/* similar names: candidates at or above this Dice score */
#define SIMILAR_MIN 0.72
/* a domain shared by more records than this says nothing (a hosting provider, a group) */
#define DOMAIN_MAX_RECORDS 3

typedef struct
{
  char      *id;
  char      *name;
  char      *trimmed;
  char      *key;
  char      *casefold;
  char      *fold;
  char      *toplevel;
  char      *reference;
  char      *parent_id;
  char      *scope;     /* (nullable) a row may only map to records under this parent */
  GPtrArray *domains;   /* (nullable) of char*, distinct */
  gboolean   deleted;
  gboolean   inactive;  /* still there, switched off (an inactive HaloPSA licence) */
} Rec;

typedef enum
{
  EDIT_MAP,
  EDIT_UNMAP,
  EDIT_CREATE,
  EDIT_INCLUDE,
} EditType;

typedef struct
{
  EditType  type;
  char     *other_id;    /* EDIT_MAP */
  char     *name;        /* EDIT_CREATE: the new record's name */
  gboolean  included;
} Edit;

typedef struct
{
  gint64    link_id;
  char     *other_id;
  gboolean  included;
} Saved;

struct _LsnMappingEditor
{
  GObject           parent_instance;

  char             *kind;
  LsnSide           side;
  char             *side_label[2];
  char             *connector[2];   /* (nullable) "halopsa", "connectwise", "feed" */

  GPtrArray        *recs[2];        /* of Rec */
  GHashTable       *by_id[2];       /* id → Rec */
  GHashTable       *saved;          /* row id → Saved */
  GHashTable       *edits;          /* row id → Edit */
  GHashTable       *taken;          /* other id → row id, as things are with the edits */
  GHashTable       *rejected;       /* "left\nright" */
  GPtrArray        *new_rejections; /* of char* "left\nright", saved on Save */
  GHashTable       *fails[2];       /* id → GUINT count of failed events */

  GListStore       *rows;
  GHashTable       *row_by_id;      /* row id → LsnMappingRow */

  char             *search[2];
  LsnMappingFilter  filter;
  char             *toplevel;

  LsnStore         *store;          /* (nullable) */
  LsnProfile       *profile;        /* (nullable) */
  LsnConnector     *conn[2];        /* (nullable): built from the profile on Save */

  char             *create_refusal; /* (nullable): why "Create new" is not offered */
  gboolean          scoped;         /* rows map only to records under their scope */
  char             *digest;         /* (nullable): of what was read, until a save changes it */
};

G_DEFINE_FINAL_TYPE (LsnMappingEditor, lsn_mapping_editor, G_TYPE_OBJECT)

static void
rec_free (Rec *r)
{
  g_free (r->id);
  g_free (r->name);
  g_free (r->trimmed);
  g_free (r->key);
  g_free (r->casefold);
  g_free (r->fold);
  g_free (r->toplevel);
  g_free (r->reference);
  g_free (r->parent_id);
  g_free (r->scope);
  g_clear_pointer (&r->domains, g_ptr_array_unref);
  g_free (r);
}

static void
edit_free (Edit *e)
{
  g_free (e->other_id);
  g_free (e->name);
  g_free (e);
}

static void
saved_free (Saved *s)
{
  g_free (s->other_id);
  g_free (s);
}

void
lsn_mapping_suggestion_free (LsnMappingSuggestion *s)
{
  if (s == NULL)
    return;
  g_free (s->row_id);
  g_free (s->row_name);
  g_free (s->other_id);
  g_free (s->other_name);
  g_free (s->explanation);
  g_free (s);
}

void
lsn_mapping_choice_free (LsnMappingChoice *c)
{
  if (c == NULL)
    return;
  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static char *
pair_key (LsnMappingEditor *self,
          const char       *row_id,
          const char       *other_id)
{
  return self->side == LSN_SIDE_LEFT ? g_strconcat (row_id, "\n", other_id, NULL)
                                     : g_strconcat (other_id, "\n", row_id, NULL);
}

static char *
casefold_trimmed (const char *name)
{
  g_autofree char *t = g_strstrip (g_strdup (name ? name : ""));
  g_autofree char *n = g_utf8_validate (t, -1, NULL) ? g_utf8_normalize (t, -1, G_NORMALIZE_ALL)
                                                     : g_strdup ("");
  return g_utf8_casefold (n ? n : "", -1);
}

static void
lsn_mapping_editor_finalize (GObject *object)
{
  LsnMappingEditor *self = (LsnMappingEditor *)object;

  g_free (self->digest);
  for (guint s = 0; s < 2; s++)
    {
      g_free (self->side_label[s]);
      g_free (self->connector[s]);
      g_clear_pointer (&self->recs[s], g_ptr_array_unref);
      g_clear_pointer (&self->by_id[s], g_hash_table_unref);
      g_clear_pointer (&self->fails[s], g_hash_table_unref);
      g_free (self->search[s]);
      g_clear_object (&self->conn[s]);
    }
  g_free (self->kind);
  g_clear_pointer (&self->saved, g_hash_table_unref);
  g_clear_pointer (&self->edits, g_hash_table_unref);
  g_clear_pointer (&self->taken, g_hash_table_unref);
  g_clear_pointer (&self->rejected, g_hash_table_unref);
  g_clear_pointer (&self->new_rejections, g_ptr_array_unref);
  g_clear_pointer (&self->row_by_id, g_hash_table_unref);
  g_clear_object (&self->rows);
  g_free (self->toplevel);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);

  g_free (self->create_refusal);
  G_OBJECT_CLASS (lsn_mapping_editor_parent_class)->finalize (object);
}

static void
lsn_mapping_editor_class_init (LsnMappingEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_mapping_editor_finalize;
}

static void
lsn_mapping_editor_init (LsnMappingEditor *self)
{
  for (guint s = 0; s < 2; s++)
    {
      self->recs[s] = g_ptr_array_new_with_free_func ((GDestroyNotify) rec_free);
      self->by_id[s] = g_hash_table_new (g_str_hash, g_str_equal);
      self->fails[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->search[s] = g_strdup ("");
    }
  self->side_label[LSN_SIDE_LEFT] = g_strdup ("left");
  self->side_label[LSN_SIDE_RIGHT] = g_strdup ("right");
  self->saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) saved_free);
  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) edit_free);
  self->taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->new_rejections = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_list_store_new (LSN_TYPE_MAPPING_ROW);
  self->row_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

/**
 * lsn_mapping_editor_new:
 * @kind: the entity kind ("client")
 * @side: the side whose records are the rows
 *
 * An empty editor, to be filled with lsn_mapping_editor_add_record() and friends, then
 * lsn_mapping_editor_finish_loading(). lsn_mapping_editor_load() does all of it from a store.
 *
 * Returns: (transfer full): the editor
 */
LsnMappingEditor *
lsn_mapping_editor_new (const char *kind,
                        LsnSide     side)
{
  LsnMappingEditor *self = g_object_new (LSN_TYPE_MAPPING_EDITOR, NULL);

  self->kind = g_strdup (kind);
  self->side = side;
  return self;
}

/**
 * lsn_mapping_editor_set_parent:
 * @parent_id: (nullable): the record's parent on its side (a licence's client)
 *
 * Sets the parent of a record added with lsn_mapping_editor_add_record().
 */
void
lsn_mapping_editor_set_parent (LsnMappingEditor *self,
                               LsnSide           side,
                               const char       *record_id,
                               const char       *parent_id)
{
  Rec *r;

  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  r = g_hash_table_lookup (self->by_id[side], record_id);
  g_return_if_fail (r != NULL);
  g_free (r->parent_id);
  r->parent_id = g_strdup (parent_id);
}

/**
 * lsn_mapping_editor_set_scope:
 * @record_id: a record of the edited side
 * @scope: (nullable): the parent, on the other side, of the records @record_id may map to
 *
 * Limits a row to the records of the other side under one parent: a product of an invoice
 * customer may only map to the licences of the HaloPSA client that customer matched. Once any
 * scope is set the editor is scoped: a row without one has no choices (its parent matched
 * nothing yet).
 */
void
lsn_mapping_editor_set_scope (LsnMappingEditor *self,
                              const char       *record_id,
                              const char       *scope)
{
  Rec *r;

  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  r = g_hash_table_lookup (self->by_id[self->side], record_id);
  g_return_if_fail (r != NULL);
  g_free (r->scope);
  r->scope = scope && *scope ? g_strdup (scope) : NULL;
  self->scoped = TRUE;
}

/**
 * lsn_mapping_editor_refuse_create:
 * @reason: (nullable): why new records are not made from this editor, for people; %NULL
 *   allows "Create new" again
 *
 * For editors whose profile never creates records of the kind on the other side (a billing
 * feed does not create HaloPSA clients).
 */
void
lsn_mapping_editor_refuse_create (LsnMappingEditor *self,
                                  const char       *reason)
{
  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  g_free (self->create_refusal);
  self->create_refusal = g_strdup (reason);
}

/**
 * lsn_mapping_editor_get_create_refusal:
 *
 * Returns: (nullable): why "Create new" is not offered, or %NULL when it is
 */
const char *
lsn_mapping_editor_get_create_refusal (LsnMappingEditor *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return self->create_refusal;
}

/* Whether the row @mine may map to @o (scoped editors: only to records under the row's scope). */
static gboolean
in_scope (LsnMappingEditor *self,
          Rec              *mine,
          Rec              *o)
{
  if (!self->scoped)
    return TRUE;
  return mine != NULL && mine->scope != NULL && g_strcmp0 (mine->scope, o->parent_id) == 0;
}

/**
 * lsn_domain_of:
 * @url_or_email: (nullable): "https://www.acme.com/x", "acme.com", "jo@acme.com"
 *
 * Returns: (transfer full) (nullable): the domain in lower case without "www.", or %NULL for
 *   none or for a free-mail domain that says nothing about a company
 */
char *
lsn_domain_of (const char *url_or_email)
{
  static const char * const free_mail[] = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "proton.me",
    "protonmail.com", "mail.com", "example.com", "example.org", "example.net", NULL
  };
  g_autofree char *s = NULL;
  const char *p;
  char *end;

  if (url_or_email == NULL)
    return NULL;
  s = g_ascii_strdown (url_or_email, -1);
  g_strstrip (s);
  p = strchr (s, '@');
  if (p != NULL)
    p++;
  else
    {
      p = strstr (s, "://");
      p = p ? p + 3 : s;
    }
  if (g_str_has_prefix (p, "www."))
    p += 4;
  end = (char *) p + strcspn (p, "/:?# ");
  *end = '\0';
  if (*p == '\0' || strchr (p, '.') == NULL)
    return NULL;
  for (guint i = 0; free_mail[i]; i++)
    if (g_str_equal (p, free_mail[i]))
      return NULL;
  return g_strdup (p);
}

static void
rec_add_domain (Rec        *r,
                const char *url_or_email)
{
  g_autofree char *d = lsn_domain_of (url_or_email);

  if (d == NULL)
    return;
  if (r->domains == NULL)
    r->domains = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < r->domains->len; i++)
    if (g_str_equal (g_ptr_array_index (r->domains, i), d))
      return;
  g_ptr_array_add (r->domains, g_steal_pointer (&d));
}

/**
 * lsn_mapping_editor_add_record:
 * @toplevel: (nullable): the top-level client (shown and filtered on)
 * @reference: (nullable): the other side's id, where the record stores it
 * @website: (nullable): its web site, for the domain evidence
 * @deleted: whether the last sync found it gone
 */
void
lsn_mapping_editor_add_record (LsnMappingEditor *self,
                               LsnSide           side,
                               const char       *id,
                               const char       *name,
                               const char       *toplevel,
                               const char       *reference,
                               const char       *website,
                               gboolean          deleted)
{
  Rec *r;

  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  g_return_if_fail (id != NULL);

  if (g_hash_table_contains (self->by_id[side], id))
    return;
  r = g_new0 (Rec, 1);
  r->id = g_strdup (id);
  r->name = g_strdup (name ? name : "");
  r->trimmed = g_strstrip (g_strdup (r->name));
  r->key = lsn_name_key (r->name);
  r->casefold = casefold_trimmed (r->name);
  r->fold = lsn_fold_for_search (r->name);
  r->toplevel = toplevel && *toplevel ? g_strdup (toplevel) : NULL;
  r->reference = reference && *reference && !g_str_equal (reference, "0") ? g_strdup (reference)
                                                                           : NULL;
  r->deleted = deleted;
  rec_add_domain (r, website);
  g_ptr_array_add (self->recs[side], r);
  g_hash_table_insert (self->by_id[side], r->id, r);
}

/**
 * lsn_mapping_editor_add_email:
 * @record_id: the record a contact with @email belongs to
 *
 * Adds the domain of a contact's e-mail address to what @record_id is known by.
 */
void
lsn_mapping_editor_add_email (LsnMappingEditor *self,
                              LsnSide           side,
                              const char       *record_id,
                              const char       *email)
{
  Rec *r;

  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  if (record_id == NULL || email == NULL || strchr (email, '@') == NULL)
    return;
  r = g_hash_table_lookup (self->by_id[side], record_id);
  if (r != NULL)
    rec_add_domain (r, email);
}

/**
 * lsn_mapping_editor_add_link:
 *
 * Adds a saved mapping.
 */
void
lsn_mapping_editor_add_link (LsnMappingEditor *self,
                             gint64            link_id,
                             const char       *left_id,
                             const char       *right_id,
                             gboolean          included)
{
  const char *row_id = self->side == LSN_SIDE_LEFT ? left_id : right_id;
  const char *other_id = self->side == LSN_SIDE_LEFT ? right_id : left_id;
  Saved *s = g_new0 (Saved, 1);

  s->link_id = link_id;
  s->other_id = g_strdup (other_id);
  s->included = included;
  g_hash_table_replace (self->saved, g_strdup (row_id), s);
  g_hash_table_replace (self->taken, g_strdup (other_id), g_strdup (row_id));
}

/**
 * lsn_mapping_editor_add_rejection:
 *
 * Adds a pair a person said is not the same record: it is never suggested again.
 */
void
lsn_mapping_editor_add_rejection (LsnMappingEditor *self,
                                  const char       *left_id,
                                  const char       *right_id)
{
  g_hash_table_add (self->rejected, g_strconcat (left_id, "\n", right_id, NULL));
}

/**
 * lsn_mapping_editor_add_failed_event:
 * @left_id: (nullable): the record's left id
 * @right_id: (nullable): its right id
 *
 * Counts a failed event of a record that has not synced successfully since.
 */
void
lsn_mapping_editor_add_failed_event (LsnMappingEditor *self,
                                     const char       *left_id,
                                     const char       *right_id)
{
  LsnSide s = left_id != NULL ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT;
  const char *id = left_id != NULL ? left_id : right_id;
  guint n;

  if (id == NULL)
    return;
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->fails[s], id));
  g_hash_table_insert (self->fails[s], g_strdup (id), GUINT_TO_POINTER (n + 1));
}

static Rec *
other_rec (LsnMappingEditor *self,
           const char       *other_id)
{
  return other_id ? g_hash_table_lookup (self->by_id[LSN_SIDE_OTHER (self->side)], other_id) : NULL;
}

/* What a row is mapped to with the edits: other id ("" for a record created on Save) or NULL. */
static const char *
effective_other (LsnMappingEditor *self,
                 const char       *row_id,
                 gboolean         *included,
                 const char      **create_name)
{
  Edit *e = g_hash_table_lookup (self->edits, row_id);
  Saved *s = g_hash_table_lookup (self->saved, row_id);

  if (create_name)
    *create_name = NULL;
  if (included)
    *included = s ? s->included : TRUE;
  if (e == NULL)
    return s ? s->other_id : NULL;
  switch (e->type)
    {
    case EDIT_MAP:
      if (included)
        *included = TRUE;
      return e->other_id;
    case EDIT_CREATE:
      if (included)
        *included = TRUE;
      if (create_name)
        *create_name = e->name;
      return "";
    case EDIT_UNMAP:
      return NULL;
    case EDIT_INCLUDE:
      if (included)
        *included = e->included;
      return s ? s->other_id : NULL;
    default:
      g_assert_not_reached ();
    }
}

static void
refresh_row (LsnMappingEditor *self,
             LsnMappingRow    *row)
{
  const char *row_id = lsn_mapping_row_get_id (row);
  const char *create_name = NULL;
  gboolean included = TRUE;
  const char *other_id = effective_other (self, row_id, &included, &create_name);
  Rec *mine = g_hash_table_lookup (self->by_id[self->side], row_id);
  Rec *theirs = other_rec (self, other_id);
  LsnMappingStatus status;
  g_autofree char *other_name = NULL;
  guint n_events = GPOINTER_TO_UINT (g_hash_table_lookup (self->fails[self->side], row_id));

  if (other_id != NULL && *other_id != '\0')
    n_events += GPOINTER_TO_UINT (g_hash_table_lookup (self->fails[LSN_SIDE_OTHER (self->side)],
                                                       other_id));
  if (other_id == NULL)
    status = LSN_MAPPING_STATUS_NOT_MAPPED;
  else if (create_name != NULL)
    status = LSN_MAPPING_STATUS_OK;
  else if (theirs == NULL || theirs->deleted || mine == NULL || mine->deleted)
    status = LSN_MAPPING_STATUS_MISSING;
  else if (n_events > 0)
    status = LSN_MAPPING_STATUS_HAS_EVENTS;
  else
    status = LSN_MAPPING_STATUS_OK;

  if (create_name != NULL)
    other_name = g_strdup (create_name);
  else if (theirs != NULL)
    other_name = g_strdup (theirs->name);
  else if (other_id != NULL)
    other_name = g_strdup_printf ("#%s", other_id);

  lsn_mapping_row_set_mapping (row, other_id, other_name, other_id != NULL && included, status,
                               n_events, g_hash_table_contains (self->edits, row_id));
}

static int
compare_rows_by_name (gconstpointer a,
                      gconstpointer b)
{
  return lsn_mapping_row_compare (*(LsnMappingRow **) a, *(LsnMappingRow **) b,
                                  LSN_MAPPING_COLUMN_NAME);
}

/**
 * lsn_mapping_editor_finish_loading:
 *
 * Builds the rows from what was added: every record of the edited side, and every saved mapping
 * (a mapping whose record is gone shows as Missing).
 */
void
lsn_mapping_editor_finish_loading (LsnMappingEditor *self)
{
  GPtrArray *mine = self->recs[self->side];
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));

  /* top-level by parent, where the system has parents rather than a top-level name */
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < self->recs[s]->len; i++)
      {
        Rec *r = g_ptr_array_index (self->recs[s], i);
        Rec *parent;
        if (r->toplevel == NULL && r->parent_id != NULL
            && (parent = g_hash_table_lookup (self->by_id[s], r->parent_id)) != NULL)
          r->toplevel = g_strdup (parent->name);
      }

  for (guint i = 0; i < mine->len; i++)
    {
      Rec *r = g_ptr_array_index (mine, i);
      if (r->deleted && !g_hash_table_contains (self->saved, r->id))
        continue;
      g_ptr_array_add (rows, lsn_mapping_row_new (r->id, r->name, r->toplevel));
    }
  g_hash_table_iter_init (&iter, self->saved);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->by_id[self->side], key))
      {
        g_autofree char *name = g_strdup_printf ("#%s", (char *) key);
        g_ptr_array_add (rows, lsn_mapping_row_new (key, name, NULL));
      }

  g_ptr_array_sort (rows, compare_rows_by_name);
  for (guint i = 0; i < rows->len; i++)
    {
      LsnMappingRow *row = g_ptr_array_index (rows, i);
      refresh_row (self, row);
      g_hash_table_replace (self->row_by_id, (gpointer) lsn_mapping_row_get_id (row),
                            g_object_ref (row));
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                      */

static const char *
connector_label (const char *connector)
{
  if (g_strcmp0 (connector, "halopsa") == 0)
    return "HaloPSA";
  if (g_strcmp0 (connector, "connectwise") == 0)
    return "ConnectWise";
  if (g_strcmp0 (connector, "feed") == 0)
    return "billing feed";
  return connector;
}

static gboolean
load_records (LsnMappingEditor  *self,
              sqlite3           *db,
              gint64             profile_id,
              GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT side, remote_id, name, deleted, "
                            "coalesce(json_extract(data, '$.fields.toplevel_name'), "
                            "json_extract(data, '$.fields.client_name')), "
                            "CAST(json_extract(data, '$.fields.reference') AS TEXT), "
                            "json_extract(data, '$.fields.website'), "
                            "json_extract(data, '$.fields.email'), parent_id, "
                            "json_extract(data, '$.fields.match_scope'), inactive "
                            "FROM remote_records WHERE profile_id = ?1 AND kind = ?2 "
                            "ORDER BY id",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, self->kind);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnSide side = g_strcmp0 (lsn_store_column_text (stmt, 0), "right") == 0 ? LSN_SIDE_RIGHT
                                                                              : LSN_SIDE_LEFT;
      const char *id = lsn_store_column_text (stmt, 1);
      Rec *r;

      lsn_mapping_editor_add_record (self, side, id, lsn_store_column_text (stmt, 2),
                                     lsn_store_column_text (stmt, 4),
                                     lsn_store_column_text (stmt, 5),
                                     lsn_store_column_text (stmt, 6),
                                     sqlite3_column_int (stmt, 3) != 0);
      r = g_hash_table_lookup (self->by_id[side], id);
      if (r != NULL && lsn_store_column_text (stmt, 7) != NULL)
        rec_add_domain (r, lsn_store_column_text (stmt, 7));
      if (r != NULL && lsn_store_column_text (stmt, 8) != NULL)
        r->parent_id = g_strdup (lsn_store_column_text (stmt, 8));
      if (r != NULL && side == self->side && self->scoped)
        r->scope = g_strdup (lsn_store_column_text (stmt, 9));
      if (r != NULL)
        r->inactive = sqlite3_column_int (stmt, 10) != 0;
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "reading the cached records", error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!g_str_equal (self->kind, LSN_KIND_CLIENT))
    return TRUE;

  /* the e-mail domains of each client's contacts */
  stmt = lsn_store_prepare (db,
                            "SELECT side, CAST(json_extract(data, '$.fields.client_id') AS TEXT), "
                            "json_extract(data, '$.fields.email') FROM remote_records "
                            "WHERE profile_id = ?1 AND kind = 'contact' AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    lsn_mapping_editor_add_email (self,
                                  g_strcmp0 (lsn_store_column_text (stmt, 0), "right") == 0
                                    ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT,
                                  lsn_store_column_text (stmt, 1),
                                  lsn_store_column_text (stmt, 2));
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "reading the cached contacts", error);
  return TRUE;
}

static gboolean
load_state (LsnMappingEditor  *self,
            sqlite3           *db,
            gint64             profile_id,
            GError           **error)
{
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GPtrArray) decisions = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!load_records (self, db, profile_id, error))
    return FALSE;

  links = lsn_db_load_links (db, profile_id, self->kind, error);
  if (links == NULL)
    return FALSE;
  for (guint i = 0; i < links->len; i++)
    {
      LsnLink *l = g_ptr_array_index (links, i);
      lsn_mapping_editor_add_link (self, l->id, l->left_id, l->right_id, l->included);
    }

  decisions = lsn_db_load_decisions (db, profile_id, self->kind, error);
  if (decisions == NULL)
    return FALSE;
  for (guint i = 0; i < decisions->len; i++)
    {
      LsnDecision *d = g_ptr_array_index (decisions, i);
      if (!d->accepted)
        lsn_mapping_editor_add_rejection (self, d->left_id, d->right_id);
    }

  /* Failed events of a record that has not synced successfully since (two NOT EXISTS rather
   * than an OR, so that each uses its index). */
  stmt = lsn_store_prepare (db,
                            "SELECT e.left_id, e.right_id FROM audit_events e "
                            "WHERE e.profile_id = ?1 AND e.kind = ?2 AND e.outcome = 'failed' "
                            "AND (e.left_id IS NULL OR NOT EXISTS (SELECT 1 FROM audit_events o "
                            "  WHERE o.profile_id = ?1 AND o.kind = ?2 AND o.left_id = e.left_id "
                            "  AND o.outcome = 'ok' AND o.time > e.time)) "
                            "AND (e.right_id IS NULL OR NOT EXISTS (SELECT 1 FROM audit_events o "
                            "  WHERE o.profile_id = ?1 AND o.kind = ?2 AND o.right_id = e.right_id "
                            "  AND o.outcome = 'ok' AND o.time > e.time))",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, self->kind);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    lsn_mapping_editor_add_failed_event (self, lsn_store_column_text (stmt, 0),
                                         lsn_store_column_text (stmt, 1));
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "reading failed events", error);
  return TRUE;
}

static void
set_profile (LsnMappingEditor *self,
             LsnStore         *store,
             LsnProfile       *profile)
{
  g_autoptr(LsnProfileConfig) config = NULL;

  gboolean feed = FALSE;

  g_set_object (&self->store, store);
  g_set_object (&self->profile, profile);
  config = lsn_profile_config_parse (lsn_profile_get_settings (profile), NULL);
  for (guint s = 0; config != NULL && s < 2; s++)
    {
      JsonObject *o = lsn_profile_config_get_side (config, s);
      const char *c = o ? json_object_get_string_member_with_default (o, "connector", NULL) : NULL;
      if (c != NULL)
        {
          g_free (self->side_label[s]);
          self->side_label[s] = g_strdup (connector_label (c));
          g_free (self->connector[s]);
          self->connector[s] = g_strdup (c);
          feed |= g_str_equal (c, "feed");
        }
    }

  /* A billing feed profile: customers map to HaloPSA clients, an invoice product to a licence
   * of the client its customer matched. Neither is created from here. */
  if (feed && g_strcmp0 (self->kind, LSN_KIND_LICENCE) == 0)
    {
      self->scoped = TRUE;
      lsn_mapping_editor_refuse_create (self, "Apply creates the licence of a product that has "
                                        "none: leave the product unmapped");
    }
  else if (feed)
    lsn_mapping_editor_refuse_create (self, "Liaison does not create HaloPSA clients from a "
                                      "billing feed: create the client in HaloPSA, preview "
                                      "again, then map the customer to it");
}

/* A field of a digest: NUL-terminated, so that "a","bc" differs from "ab","c" */
static void
digest_string (GChecksum  *sum,
               const char *text)
{
  if (text == NULL)
    g_checksum_update (sum, (const guchar *) "\1", 1);
  else
    g_checksum_update (sum, (const guchar *) text, strlen (text) + 1);
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* A table's keys in order, each followed by value_text's words for its value (keys only
 * without it) */
static void
digest_table (GChecksum   *sum,
              GHashTable  *table,
              char      *(*value_text) (gpointer value))
{
  guint n = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (table, &n);

  qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    {
      digest_string (sum, keys[i]);
      if (value_text != NULL)
        {
          g_autofree char *text = value_text (g_hash_table_lookup (table, keys[i]));
          digest_string (sum, text);
        }
    }
}

static char *
saved_text (gpointer value)
{
  Saved *saved = value;

  return g_strdup_printf ("%" G_GINT64_FORMAT " %s %d", saved->link_id,
                          saved->other_id ? saved->other_id : "", saved->included);
}

static char *
count_text (gpointer value)
{
  return g_strdup_printf ("%u", GPOINTER_TO_UINT (value));
}

/* What was read, in a few bytes, on the thread that read it: two readings with the same
 * digest show the same rows and offer the same choices. */
static char *
reading_digest (LsnMappingEditor *self)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *flags = g_strdup_printf ("%d %d", self->side, self->scoped);

  digest_string (sum, self->kind);
  digest_string (sum, flags);
  digest_string (sum, self->create_refusal);
  for (guint s = 0; s < 2; s++)
    {
      for (guint i = 0; i < self->recs[s]->len; i++)
        {
          Rec *r = g_ptr_array_index (self->recs[s], i);
          const char *fields[] = { r->id, r->name, r->toplevel, r->reference, r->parent_id,
                                   r->scope, r->deleted ? "deleted" : "",
                                   r->inactive ? "inactive" : "" };

          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            digest_string (sum, fields[f]);
        }
      digest_string (sum, "--");
      digest_table (sum, self->fails[s], count_text);
    }
  digest_table (sum, self->saved, saved_text);
  digest_table (sum, self->rejected, NULL);
  return g_strdup (g_checksum_get_string (sum));
}

/**
 * lsn_mapping_editor_load:
 * @store: the store
 * @profile: the profile
 * @kind: the kind ("client")
 * @side: the side whose records are the rows
 *
 * Reads what the last sync cached, the saved mappings, the rejected pairs and the failed events,
 * through a read-only connection of the calling thread (call it from a worker thread).
 *
 * Returns: (transfer full) (nullable): the editor
 */
LsnMappingEditor *
lsn_mapping_editor_load (LsnStore    *store,
                         LsnProfile  *profile,
                         const char  *kind,
                         LsnSide      side,
                         GError     **error)
{
  g_autoptr(LsnMappingEditor) self = lsn_mapping_editor_new (kind, side);
  g_autoptr(sqlite3) db = NULL;

  g_return_val_if_fail (LSN_IS_STORE (store), NULL);
  g_return_val_if_fail (LSN_IS_PROFILE (profile), NULL);

  set_profile (self, store, profile);
  db = lsn_store_open_reader (store, error);
  if (db == NULL)
    return NULL;
  /* one snapshot for all the reads */
  if (!lsn_store_exec (db, "BEGIN", error))
    return NULL;
  if (!load_state (self, db, lsn_profile_get_id (profile), error))
    return NULL;
  lsn_store_exec (db, "COMMIT", NULL);
  lsn_mapping_editor_finish_loading (self);
  self->digest = reading_digest (self);
  return g_steal_pointer (&self);
}

typedef struct
{
  LsnStore   *store;
  LsnProfile *profile;
  char       *kind;
  LsnSide     side;
} LoadData;

static void
load_data_free (LoadData *ld)
{
  g_object_unref (ld->store);
  g_object_unref (ld->profile);
  g_free (ld->kind);
  g_free (ld);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  LoadData *ld = data;
  GError *error = NULL;
  LsnMappingEditor *editor = lsn_mapping_editor_load (ld->store, ld->profile, ld->kind, ld->side,
                                                      &error);

  if (editor == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, editor, g_object_unref);
}

/**
 * lsn_mapping_editor_load_async:
 *
 * lsn_mapping_editor_load() on a worker thread.
 */
void
lsn_mapping_editor_load_async (LsnStore            *store,
                               LsnProfile          *profile,
                               const char          *kind,
                               LsnSide              side,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoadData *ld = g_new0 (LoadData, 1);

  ld->store = g_object_ref (store);
  ld->profile = g_object_ref (profile);
  ld->kind = g_strdup (kind);
  ld->side = side;
  g_task_set_source_tag (task, lsn_mapping_editor_load_async);
  g_task_set_task_data (task, ld, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * lsn_mapping_editor_load_finish:
 *
 * Returns: (transfer full) (nullable): the editor
 */
LsnMappingEditor *
lsn_mapping_editor_load_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* What is shown                                                                                */

const char *
lsn_mapping_editor_get_kind (LsnMappingEditor *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return self->kind;
}

LsnSide
lsn_mapping_editor_get_side (LsnMappingEditor *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), LSN_SIDE_LEFT);
  return self->side;
}

/**
 * lsn_mapping_editor_get_side_label:
 *
 * Returns: the name of the system on @side ("HaloPSA"), or "left"/"right"
 */
const char *
lsn_mapping_editor_get_side_label (LsnMappingEditor *self,
                                   LsnSide           side)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return self->side_label[side];
}

/**
 * lsn_mapping_editor_get_connector:
 *
 * Returns: (nullable): the connector of @side in the profile ("feed"), %NULL when the editor
 *   was not loaded from a profile
 */
const char *
lsn_mapping_editor_get_connector (LsnMappingEditor *self,
                                  LsnSide           side)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return self->connector[side];
}

/**
 * lsn_mapping_editor_get_rows:
 *
 * Returns: (transfer none): the rows, a list of #LsnMappingRow sorted by name; an edited row is
 *   announced with items-changed
 */
GListModel *
lsn_mapping_editor_get_rows (LsnMappingEditor *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return G_LIST_MODEL (self->rows);
}

/**
 * lsn_mapping_editor_find_row:
 *
 * Returns: (transfer none) (nullable): the row of @row_id
 */
LsnMappingRow *
lsn_mapping_editor_find_row (LsnMappingEditor *self,
                             const char       *row_id)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), NULL);
  return row_id ? g_hash_table_lookup (self->row_by_id, row_id) : NULL;
}

/**
 * lsn_mapping_editor_list_toplevels:
 *
 * Returns: (transfer full): the distinct top-level clients of the rows, sorted
 */
GStrv
lsn_mapping_editor_list_toplevels (LsnMappingEditor *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GList) keys = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LsnMappingRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
      const char *t = lsn_mapping_row_get_toplevel (row);
      if (t != NULL)
        g_hash_table_add (seen, (gpointer) t);
    }
  keys = g_list_sort (g_hash_table_get_keys (seen), (GCompareFunc) g_utf8_collate);
  for (GList *l = keys; l; l = l->next)
    g_strv_builder_add (b, l->data);
  return g_strv_builder_end (b);
}

/**
 * lsn_mapping_editor_count_records:
 *
 * Returns: how many records of @side are known (deleted ones included)
 */
guint
lsn_mapping_editor_count_records (LsnMappingEditor *self,
                                  LsnSide           side)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), 0);
  return self->recs[side]->len;
}

/* ------------------------------------------------------------------------------------------ */
/* Filters                                                                                      */

static LsnFilterChange
change_of_search (const char *before,
                  const char *after)
{
  if (g_str_equal (before, after))
    return LSN_FILTER_CHANGE_MORE_STRICT; /* nothing changes: any hint is right */
  if (strstr (after, before) != NULL)
    return LSN_FILTER_CHANGE_MORE_STRICT;
  if (strstr (before, after) != NULL)
    return LSN_FILTER_CHANGE_LESS_STRICT;
  return LSN_FILTER_CHANGE_DIFFERENT;
}

/**
 * lsn_mapping_editor_set_search:
 * @side: the edited side searches the rows' names, the other side the mapped records' names
 * @text: (nullable): words, case and accents ignored
 *
 * Returns: how the visible rows change
 */
LsnFilterChange
lsn_mapping_editor_set_search (LsnMappingEditor *self,
                               LsnSide           side,
                               const char       *text)
{
  g_autofree char *folded = lsn_fold_for_search (text);
  LsnFilterChange change;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), LSN_FILTER_CHANGE_DIFFERENT);

  g_strstrip (folded);
  change = change_of_search (self->search[side], folded);
  if (side != self->side && (*self->search[side] == '\0') != (*folded == '\0'))
    change = *folded == '\0' ? LSN_FILTER_CHANGE_LESS_STRICT : LSN_FILTER_CHANGE_MORE_STRICT;
  g_free (self->search[side]);
  self->search[side] = g_steal_pointer (&folded);
  return change;
}

/**
 * lsn_mapping_editor_set_filter:
 *
 * Returns: how the visible rows change
 */
LsnFilterChange
lsn_mapping_editor_set_filter (LsnMappingEditor *self,
                               LsnMappingFilter  filter)
{
  LsnMappingFilter before = self->filter;

  self->filter = filter;
  if (before == filter)
    return LSN_FILTER_CHANGE_MORE_STRICT;
  if (filter == LSN_MAPPING_FILTER_ALL)
    return LSN_FILTER_CHANGE_LESS_STRICT;
  if (before == LSN_MAPPING_FILTER_ALL)
    return LSN_FILTER_CHANGE_MORE_STRICT;
  return LSN_FILTER_CHANGE_DIFFERENT;
}

/**
 * lsn_mapping_editor_set_toplevel:
 * @toplevel: (nullable): show only rows with this top-level client; %NULL for all
 *
 * Returns: how the visible rows change
 */
LsnFilterChange
lsn_mapping_editor_set_toplevel (LsnMappingEditor *self,
                                 const char       *toplevel)
{
  gboolean had = self->toplevel != NULL;

  if (g_strcmp0 (self->toplevel, toplevel) == 0)
    return LSN_FILTER_CHANGE_MORE_STRICT;
  g_free (self->toplevel);
  self->toplevel = g_strdup (toplevel);
  if (toplevel == NULL)
    return LSN_FILTER_CHANGE_LESS_STRICT;
  return had ? LSN_FILTER_CHANGE_DIFFERENT : LSN_FILTER_CHANGE_MORE_STRICT;
}

/**
 * lsn_mapping_editor_row_visible:
 *
 * Returns: whether @row passes the searches and filters
 */
gboolean
lsn_mapping_editor_row_visible (LsnMappingEditor *self,
                                LsnMappingRow    *row)
{
  gboolean mapped = lsn_mapping_row_get_other_id (row) != NULL;
  const char *other_search = self->search[LSN_SIDE_OTHER (self->side)];

  if (self->filter == LSN_MAPPING_FILTER_MAPPED && !mapped)
    return FALSE;
  if (self->filter == LSN_MAPPING_FILTER_UNMAPPED && mapped)
    return FALSE;
  if (self->toplevel != NULL && g_strcmp0 (lsn_mapping_row_get_toplevel (row), self->toplevel) != 0)
    return FALSE;
  if (*self->search[self->side] != '\0'
      && strstr (lsn_mapping_row_get_folded_name (row), self->search[self->side]) == NULL)
    return FALSE;
  if (*other_search != '\0'
      && (!mapped || strstr (lsn_mapping_row_get_folded_other (row), other_search) == NULL))
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Edits                                                                                        */

static void
row_changed (LsnMappingEditor *self,
             const char       *row_id)
{
  LsnMappingRow *row = g_hash_table_lookup (self->row_by_id, row_id);
  guint pos;

  if (row == NULL)
    return;
  refresh_row (self, row);
  /* re-filter and re-sort it: the same object, announced as changed */
  if (g_list_store_find (self->rows, row, &pos))
    g_list_store_splice (self->rows, pos, 1, (gpointer *) &row, 1);
}

static LsnMappingRow *
lookup_row (LsnMappingEditor  *self,
            const char        *row_id,
            GError           **error)
{
  LsnMappingRow *row = row_id ? g_hash_table_lookup (self->row_by_id, row_id) : NULL;

  if (row == NULL)
    g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                 "There is no %s %s on the %s side in what the last sync read: run a sync, "
                 "then open the mappings again", self->kind, row_id ? row_id : "(none)",
                 self->side_label[self->side]);
  return row;
}

/* Sets the row's edit (NULL: none) and keeps `taken` in step. */
static void
set_edit (LsnMappingEditor *self,
          const char       *row_id,
          Edit             *edit)
{
  const char *before = effective_other (self, row_id, NULL, NULL);
  Saved *s = g_hash_table_lookup (self->saved, row_id);
  const char *after;

  if (before != NULL && *before != '\0')
    {
      const char *holder = g_hash_table_lookup (self->taken, before);
      if (g_strcmp0 (holder, row_id) == 0)
        g_hash_table_remove (self->taken, before);
    }

  if (edit == NULL)
    g_hash_table_remove (self->edits, row_id);
  else
    g_hash_table_replace (self->edits, g_strdup (row_id), edit);

  /* An edit that restores the saved state is no edit. */
  edit = g_hash_table_lookup (self->edits, row_id);
  if (edit != NULL
      && ((edit->type == EDIT_MAP && s != NULL && g_str_equal (edit->other_id, s->other_id)
           && s->included)
          || (edit->type == EDIT_UNMAP && s == NULL)
          || (edit->type == EDIT_INCLUDE && s != NULL && s->included == edit->included)))
    g_hash_table_remove (self->edits, row_id);

  after = effective_other (self, row_id, NULL, NULL);
  if (after != NULL && *after != '\0')
    g_hash_table_replace (self->taken, g_strdup (after), g_strdup (row_id));
  row_changed (self, row_id);
}

static int
compare_recs_by_name (gconstpointer a,
                      gconstpointer b)
{
  const Rec *ra = *(Rec **) a;
  const Rec *rb = *(Rec **) b;
  int c = strcmp (ra->fold, rb->fold);

  return c != 0 ? c : strcmp (ra->id, rb->id);
}

/**
 * lsn_mapping_editor_list_choices:
 * @row_id: the row being edited
 * @search: (nullable): words the name must contain (case and accents ignored)
 * @limit: at most this many, 0 for all
 *
 * The records of the other side @row_id may be mapped to: those not mapped to any other row
 * (saved or edited) and not deleted, sorted by name.
 *
 * Returns: (transfer full) (element-type LsnMappingChoice): the choices
 */
GPtrArray *
lsn_mapping_editor_list_choices (LsnMappingEditor *self,
                                 const char       *row_id,
                                 const char       *search,
                                 guint             limit)
{
  GPtrArray *others = self->recs[LSN_SIDE_OTHER (self->side)];
  Rec *mine = g_hash_table_lookup (self->by_id[self->side], row_id);
  g_autofree char *folded = lsn_fold_for_search (search);
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_mapping_choice_free);

  g_strstrip (folded);
  for (guint i = 0; i < others->len; i++)
    {
      Rec *r = g_ptr_array_index (others, i);
      const char *holder = g_hash_table_lookup (self->taken, r->id);

      if (r->deleted || (holder != NULL && g_strcmp0 (holder, row_id) != 0)
          || !in_scope (self, mine, r))
        continue;
      if (*folded != '\0' && strstr (r->fold, folded) == NULL)
        continue;
      g_ptr_array_add (found, r);
    }
  g_ptr_array_sort (found, compare_recs_by_name);
  for (guint i = 0; i < found->len && (limit == 0 || i < limit); i++)
    {
      Rec *r = g_ptr_array_index (found, i);
      LsnMappingChoice *c = g_new0 (LsnMappingChoice, 1);
      c->id = g_strdup (r->id);
      /* an inactive record may be chosen (the plan then says what to do about it), but not
       * unknowingly */
      c->name = r->inactive ? g_strdup_printf ("%s (inactive)", r->name) : g_strdup (r->name);
      g_ptr_array_add (out, c);
    }
  return out;
}

/**
 * lsn_mapping_editor_map:
 *
 * Maps @row_id to @other_id (until Save). Refused when @other_id is mapped to another row,
 * deleted or unknown.
 */
gboolean
lsn_mapping_editor_map (LsnMappingEditor  *self,
                        const char        *row_id,
                        const char        *other_id,
                        GError           **error)
{
  LsnSide other = LSN_SIDE_OTHER (self->side);
  const char *holder;
  Rec *r;
  Edit *e;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);

  if (lookup_row (self, row_id, error) == NULL)
    return FALSE;
  r = other_rec (self, other_id);
  if (r == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                   "There is no %s %s on the %s side in what the last sync read: run a sync, "
                   "then choose again", self->kind, other_id ? other_id : "(none)",
                   self->side_label[other]);
      return FALSE;
    }
  if (r->deleted)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                   "The %s %s “%s” was deleted or merged on the %s side: choose another one",
                   self->side_label[other], self->kind, r->name, self->side_label[other]);
      return FALSE;
    }
  holder = g_hash_table_lookup (self->taken, other_id);
  if (holder != NULL && !g_str_equal (holder, row_id))
    {
      LsnMappingRow *h = g_hash_table_lookup (self->row_by_id, holder);
      g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                   "The %s %s “%s” is already mapped to “%s”: remove that mapping first",
                   self->side_label[other], self->kind, r->name,
                   h ? lsn_mapping_row_get_name (h) : holder);
      return FALSE;
    }
  if (!in_scope (self, g_hash_table_lookup (self->by_id[self->side], row_id), r))
    {
      Rec *mine = g_hash_table_lookup (self->by_id[self->side], row_id);
      if (mine == NULL || mine->scope == NULL)
        g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                     "“%s” belongs to no %s record yet: map its parent first (the customer, "
                     "in the customer mappings), preview again, then choose",
                     mine ? mine->name : row_id, self->side_label[other]);
      else
        g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                     "The %s %s “%s” belongs to another parent (#%s) than the one “%s” is "
                     "matched to (#%s): choose one of that one's records",
                     self->side_label[other], self->kind, r->name,
                     r->parent_id ? r->parent_id : "none", mine->name, mine->scope);
      return FALSE;
    }

  e = g_new0 (Edit, 1);
  e->type = EDIT_MAP;
  e->other_id = g_strdup (other_id);
  e->included = TRUE;
  set_edit (self, row_id, e);
  return TRUE;
}

/**
 * lsn_mapping_editor_new_name:
 * @prefix: (nullable): put in front of the row's name ("Branch_")
 *
 * Returns: (transfer full): the name a record created on the other side for @row_id gets
 */
char *
lsn_mapping_editor_new_name (LsnMappingEditor *self,
                             const char       *row_id,
                             const char       *prefix)
{
  LsnMappingRow *row = g_hash_table_lookup (self->row_by_id, row_id);
  g_autofree char *name = NULL;

  g_return_val_if_fail (row != NULL, NULL);
  name = g_strconcat (prefix ? prefix : "", lsn_mapping_row_get_name (row), NULL);
  return g_strstrip (g_steal_pointer (&name));
}

/**
 * lsn_mapping_editor_check_new_name:
 *
 * Whether a record for @row_id may be created on the other side with @prefix: refused when a
 * record of that name (case ignored) exists there, or another row creates one of that name.
 */
gboolean
lsn_mapping_editor_check_new_name (LsnMappingEditor  *self,
                                   const char        *row_id,
                                   const char        *prefix,
                                   GError           **error)
{
  LsnSide other = LSN_SIDE_OTHER (self->side);
  GPtrArray *others = self->recs[other];
  g_autofree char *name = NULL;
  g_autofree char *folded = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (lookup_row (self, row_id, error) == NULL)
    return FALSE;
  if (self->create_refusal != NULL)
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT, self->create_refusal);
      return FALSE;
    }
  if (prefix != NULL && (!g_utf8_validate (prefix, -1, NULL) || strpbrk (prefix, "\n\r\t")))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The prefix may not contain tabs or line breaks");
      return FALSE;
    }
  name = lsn_mapping_editor_new_name (self, row_id, prefix);
  if (*name == '\0')
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The new %s needs a name: the row has none, so give a prefix", self->kind);
      return FALSE;
    }
  folded = casefold_trimmed (name);
  for (guint i = 0; i < others->len; i++)
    {
      Rec *r = g_ptr_array_index (others, i);
      if (!r->deleted && g_str_equal (r->casefold, folded))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                       "A %s %s named “%s” already exists (id %s): map the row to it, or add a "
                       "prefix (such as “Branch_”) so that the new name is unique",
                       self->side_label[other], self->kind, r->name, r->id);
          return FALSE;
        }
    }
  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Edit *e = value;
      g_autofree char *f = NULL;
      if (e->type != EDIT_CREATE || g_str_equal (key, row_id))
        continue;
      f = casefold_trimmed (e->name);
      if (g_str_equal (f, folded))
        {
          LsnMappingRow *h = g_hash_table_lookup (self->row_by_id, key);
          g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                       "“%s” is already going to be created for “%s”: use another prefix",
                       name, h ? lsn_mapping_row_get_name (h) : (char *) key);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lsn_mapping_editor_create:
 * @prefix: (nullable): put in front of the new record's name
 *
 * Maps @row_id to a new record of the other side, created on Save with the row's name behind
 * @prefix. Refused as lsn_mapping_editor_check_new_name() says.
 */
gboolean
lsn_mapping_editor_create (LsnMappingEditor  *self,
                           const char        *row_id,
                           const char        *prefix,
                           GError           **error)
{
  Edit *e;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);

  if (!lsn_mapping_editor_check_new_name (self, row_id, prefix, error))
    return FALSE;
  e = g_new0 (Edit, 1);
  e->type = EDIT_CREATE;
  e->name = lsn_mapping_editor_new_name (self, row_id, prefix);
  e->included = TRUE;
  set_edit (self, row_id, e);
  return TRUE;
}

/**
 * lsn_mapping_editor_unmap:
 *
 * Removes the row's mapping (until Save).
 */
gboolean
lsn_mapping_editor_unmap (LsnMappingEditor  *self,
                          const char        *row_id,
                          GError           **error)
{
  Edit *e;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);

  if (lookup_row (self, row_id, error) == NULL)
    return FALSE;
  e = g_new0 (Edit, 1);
  e->type = EDIT_UNMAP;
  set_edit (self, row_id, e);
  return TRUE;
}

/**
 * lsn_mapping_editor_set_included:
 *
 * Includes a mapped row in the sync, or leaves it out (until Save).
 */
gboolean
lsn_mapping_editor_set_included (LsnMappingEditor  *self,
                                 const char        *row_id,
                                 gboolean           included,
                                 GError           **error)
{
  Edit *e;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);

  if (lookup_row (self, row_id, error) == NULL)
    return FALSE;
  e = g_hash_table_lookup (self->edits, row_id);
  if (e != NULL && (e->type == EDIT_MAP || e->type == EDIT_CREATE))
    {
      if (!included)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "Save the new mapping first, then leave it out of the sync");
          return FALSE;
        }
      return TRUE;
    }
  if (effective_other (self, row_id, NULL, NULL) == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Only a mapped %s can be included in the sync: map it first", self->kind);
      return FALSE;
    }
  e = g_new0 (Edit, 1);
  e->type = EDIT_INCLUDE;
  e->included = !!included;
  set_edit (self, row_id, e);
  return TRUE;
}

/**
 * lsn_mapping_editor_reject:
 *
 * Remembers (on Save) that @row_id and @other_id are not the same record.
 */
gboolean
lsn_mapping_editor_reject (LsnMappingEditor  *self,
                           const char        *row_id,
                           const char        *other_id,
                           GError           **error)
{
  g_autofree char *key = NULL;

  if (lookup_row (self, row_id, error) == NULL)
    return FALSE;
  if (other_rec (self, other_id) == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND, "There is no %s %s on the %s side",
                   self->kind, other_id, self->side_label[LSN_SIDE_OTHER (self->side)]);
      return FALSE;
    }
  key = pair_key (self, row_id, other_id);
  if (!g_hash_table_contains (self->rejected, key))
    {
      g_ptr_array_add (self->new_rejections, g_strdup (key));
      g_hash_table_add (self->rejected, g_steal_pointer (&key));
    }
  return TRUE;
}

/**
 * lsn_mapping_editor_revert:
 *
 * Forgets the row's unsaved edit.
 */
void
lsn_mapping_editor_revert (LsnMappingEditor *self,
                           const char       *row_id)
{
  if (g_hash_table_contains (self->edits, row_id))
    set_edit (self, row_id, NULL);
}

/**
 * lsn_mapping_editor_discard:
 *
 * Forgets every unsaved edit and rejection.
 */
void
lsn_mapping_editor_discard (LsnMappingEditor *self)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (self->edits);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (GList *l = keys; l; l = l->next)
    g_ptr_array_add (ids, g_strdup (l->data));
  for (guint i = 0; i < ids->len; i++)
    set_edit (self, g_ptr_array_index (ids, i), NULL);
  for (guint i = 0; i < self->new_rejections->len; i++)
    g_hash_table_remove (self->rejected, g_ptr_array_index (self->new_rejections, i));
  g_ptr_array_set_size (self->new_rejections, 0);
}

/**
 * lsn_mapping_editor_get_n_pending:
 *
 * Returns: how many edits and rejections wait for Save
 */
guint
lsn_mapping_editor_get_n_pending (LsnMappingEditor *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), 0);
  return g_hash_table_size (self->edits) + self->new_rejections->len;
}

/* ------------------------------------------------------------------------------------------ */
/* Suggestions                                                                                  */

typedef struct
{
  Rec              *o;
  LsnMatchEvidence  evidence;
  double            score;
  gboolean          same_domain;
  char             *domain;  /* (unowned) the shared one */
} Cand;

typedef struct
{
  GPtrArray   *free_o;        /* of Rec: the other side's records that may be suggested */
  GHashTable  *index_of;      /* Rec → index + 1 */
  GHashTable  *by_exact;      /* trimmed name → GPtrArray of Rec */
  GHashTable  *by_key;        /* key → GPtrArray of Rec */
  GHashTable  *by_reference;  /* the id another record stores → Rec */
  GHashTable  *by_domain;     /* domain → GPtrArray of Rec */
  GArray     **postings;      /* bigram → GArray of guint32 index into free_o */
  guint16     *n_bigrams;     /* per free_o */
  guint16     *acc;           /* per free_o, zero between queries */
} Index;

static void
index_clear (Index *ix)
{
  g_clear_pointer (&ix->free_o, g_ptr_array_unref);
  g_clear_pointer (&ix->index_of, g_hash_table_unref);
  g_clear_pointer (&ix->by_exact, g_hash_table_unref);
  g_clear_pointer (&ix->by_key, g_hash_table_unref);
  g_clear_pointer (&ix->by_reference, g_hash_table_unref);
  g_clear_pointer (&ix->by_domain, g_hash_table_unref);
  if (ix->postings != NULL)
    for (guint i = 0; i < 65536; i++)
      if (ix->postings[i] != NULL)
        g_array_unref (ix->postings[i]);
  g_clear_pointer (&ix->postings, g_free);
  g_clear_pointer (&ix->n_bigrams, g_free);
  g_clear_pointer (&ix->acc, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Index, index_clear)

static void
multi_add (GHashTable *table,
           const char *key,
           Rec        *r)
{
  GPtrArray *list = g_hash_table_lookup (table, key);

  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (table, (gpointer) key, list);
    }
  g_ptr_array_add (list, r);
}

/* The distinct bigrams of a key, spaces read as "_" (as lsn_name_similarity() does). */
static guint
key_bigrams (const char *key,
             guint16    *out,
             guint       max,
             guint      *total)
{
  gsize len = strlen (key);
  guint n = 0;

  *total = len > 1 ? (guint) (len - 1) : 0;
  for (gsize i = 0; i + 1 < len && n < max; i++)
    {
      guchar a = key[i] == ' ' ? '_' : (guchar) key[i];
      guchar b = key[i + 1] == ' ' ? '_' : (guchar) key[i + 1];
      guint16 bg = (guint16) ((a << 8) | b);
      gboolean seen = FALSE;
      for (guint k = 0; k < n && !seen; k++)
        seen = out[k] == bg;
      if (!seen)
        out[n++] = bg;
    }
  return n;
}

static void
index_build (LsnMappingEditor *self,
             Index            *ix)
{
  LsnSide other = LSN_SIDE_OTHER (self->side);
  GPtrArray *all = self->recs[other];

  ix->free_o = g_ptr_array_new ();
  ix->index_of = g_hash_table_new (NULL, NULL);
  ix->by_exact = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_ptr_array_unref);
  ix->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) g_ptr_array_unref);
  ix->by_reference = g_hash_table_new (g_str_hash, g_str_equal);
  ix->by_domain = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_ptr_array_unref);
  ix->postings = g_new0 (GArray *, 65536);

  for (guint i = 0; i < all->len; i++)
    {
      Rec *r = g_ptr_array_index (all, i);
      if (r->deleted || g_hash_table_contains (self->taken, r->id))
        continue;
      g_hash_table_insert (ix->index_of, r, GUINT_TO_POINTER (ix->free_o->len + 1));
      g_ptr_array_add (ix->free_o, r);
      if (*r->trimmed != '\0')
        multi_add (ix->by_exact, r->trimmed, r);
      if (*r->key != '\0')
        multi_add (ix->by_key, r->key, r);
      if (r->reference != NULL)
        g_hash_table_insert (ix->by_reference, r->reference, r);
      for (guint d = 0; r->domains && d < r->domains->len; d++)
        multi_add (ix->by_domain, g_ptr_array_index (r->domains, d), r);
    }

  ix->n_bigrams = g_new0 (guint16, ix->free_o->len + 1);
  ix->acc = g_new0 (guint16, ix->free_o->len + 1);
  for (guint i = 0; i < ix->free_o->len; i++)
    {
      Rec *r = g_ptr_array_index (ix->free_o, i);
      guint16 bgs[256];
      guint total;
      guint n = key_bigrams (r->key, bgs, G_N_ELEMENTS (bgs), &total);
      guint32 idx = i;

      ix->n_bigrams[i] = (guint16) MIN (total, G_MAXUINT16);
      for (guint k = 0; k < n; k++)
        {
          if (ix->postings[bgs[k]] == NULL)
            ix->postings[bgs[k]] = g_array_new (FALSE, FALSE, sizeof (guint32));
          g_array_append_val (ix->postings[bgs[k]], idx);
        }
    }
}

static gboolean
rejected_pair (LsnMappingEditor *self,
               Rec              *mine,
               Rec              *theirs)
{
  g_autofree char *key = pair_key (self, mine->id, theirs->id);
  return g_hash_table_contains (self->rejected, key);
}

static const char *
shared_domain (Rec *a,
               Rec *b)
{
  for (guint i = 0; a->domains && i < a->domains->len; i++)
    for (guint j = 0; b->domains && j < b->domains->len; j++)
      if (g_str_equal (g_ptr_array_index (a->domains, i), g_ptr_array_index (b->domains, j)))
        return g_ptr_array_index (a->domains, i);
  return NULL;
}

static void
add_cand (LsnMappingEditor *self,
          GArray           *cands,
          Rec              *mine,
          Rec              *o,
          LsnMatchEvidence  evidence,
          double            score)
{
  Cand c = { o, evidence, score, FALSE, NULL };

  if (o == NULL || o->deleted || g_hash_table_contains (self->taken, o->id)
      || rejected_pair (self, mine, o) || !in_scope (self, mine, o))
    return;
  for (guint i = 0; i < cands->len; i++)
    {
      Cand *have = &g_array_index (cands, Cand, i);
      if (have->o == o)
        {
          if (evidence > have->evidence)
            {
              have->evidence = evidence;
              have->score = MAX (have->score, score);
            }
          return;
        }
    }
  c.domain = (char *) shared_domain (mine, o);
  c.same_domain = c.domain != NULL;
  g_array_append_val (cands, c);
}

static void
add_list (LsnMappingEditor *self,
          GArray           *cands,
          Rec              *mine,
          GPtrArray        *list,
          LsnMatchEvidence  evidence)
{
  for (guint i = 0; list && i < list->len; i++)
    add_cand (self, cands, mine, g_ptr_array_index (list, i), evidence, 1.0);
}

static void
add_similar (LsnMappingEditor *self,
             Index            *ix,
             GArray           *cands,
             Rec              *mine)
{
  guint16 bgs[256];
  guint total;
  guint n;
  g_autoptr(GArray) touched = NULL;

  if (strlen (mine->key) < 3)
    return;
  n = key_bigrams (mine->key, bgs, G_N_ELEMENTS (bgs), &total);
  touched = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint k = 0; k < n; k++)
    {
      GArray *post = ix->postings[bgs[k]];
      for (guint p = 0; post && p < post->len; p++)
        {
          guint32 idx = g_array_index (post, guint32, p);
          if (ix->acc[idx]++ == 0)
            g_array_append_val (touched, idx);
        }
    }
  for (guint t = 0; t < touched->len; t++)
    {
      guint32 idx = g_array_index (touched, guint32, t);
      guint common = ix->acc[idx];
      double estimate = (2.0 * common) / (double) (total + ix->n_bigrams[idx]);

      ix->acc[idx] = 0;
      /* distinct bigrams undercount repeated ones a little: leave some room, then measure */
      if (estimate >= SIMILAR_MIN - 0.08)
        {
          Rec *o = g_ptr_array_index (ix->free_o, idx);
          double score = lsn_name_similarity (mine->key, o->key);
          if (score >= SIMILAR_MIN)
            add_cand (self, cands, mine, o, LSN_MATCH_EVIDENCE_SIMILAR, score);
        }
    }
}

static void
add_domains (LsnMappingEditor *self,
             Index            *ix,
             GArray           *cands,
             Rec              *mine)
{
  for (guint d = 0; mine->domains && d < mine->domains->len; d++)
    {
      GPtrArray *list = g_hash_table_lookup (ix->by_domain, g_ptr_array_index (mine->domains, d));
      if (list != NULL && list->len <= DOMAIN_MAX_RECORDS)
        add_list (self, cands, mine, list, LSN_MATCH_EVIDENCE_DOMAIN);
    }
}

static double
strength (const Cand *c)
{
  /* evidence first; within similar names, the score (and a shared domain) */
  return c->evidence * 10.0 + c->score + (c->same_domain ? 0.5 : 0.0);
}

static int
compare_cands (gconstpointer a,
               gconstpointer b)
{
  double sa = strength (a), sb = strength (b);
  return sa > sb ? -1 : sa < sb ? 1 : strcmp (((Cand *) a)->o->id, ((Cand *) b)->o->id);
}

static double
confidence_of (const Cand *c)
{
  switch (c->evidence)
    {
    case LSN_MATCH_EVIDENCE_REFERENCE:
      return 0.99;
    case LSN_MATCH_EVIDENCE_EXACT:
      return 0.95;
    case LSN_MATCH_EVIDENCE_NORMALIZED:
      return 0.9;
    case LSN_MATCH_EVIDENCE_SIMILAR:
      return MIN (0.85, 0.5 + 0.35 * (c->score - SIMILAR_MIN) / (1.0 - SIMILAR_MIN)
                        + (c->same_domain ? 0.1 : 0.0));
    case LSN_MATCH_EVIDENCE_DOMAIN:
      return 0.5;
    case LSN_MATCH_EVIDENCE_NONE:
    default:
      return 0.0;
    }
}

static char *
explain (LsnMappingEditor *self,
         Rec              *mine,
         const Cand       *c)
{
  LsnSide other = LSN_SIDE_OTHER (self->side);
  GString *s = g_string_new (NULL);

  switch (c->evidence)
    {
    case LSN_MATCH_EVIDENCE_REFERENCE:
      if (g_strcmp0 (mine->reference, c->o->id) == 0)
        g_string_printf (s, "the %s record stores the %s id %s", self->side_label[self->side],
                         self->side_label[other], c->o->id);
      else
        g_string_printf (s, "the %s record stores the %s id %s", self->side_label[other],
                         self->side_label[self->side], mine->id);
      break;
    case LSN_MATCH_EVIDENCE_EXACT:
      g_string_assign (s, "exactly the same name");
      break;
    case LSN_MATCH_EVIDENCE_NORMALIZED:
      g_string_printf (s, "the same name once case, accents, punctuation, “&”/“and” and legal "
                          "suffixes are ignored (“%s”)", mine->key);
      break;
    case LSN_MATCH_EVIDENCE_SIMILAR:
      g_string_printf (s, "similar names (%.0f %% alike)", c->score * 100.0);
      break;
    case LSN_MATCH_EVIDENCE_DOMAIN:
      g_string_printf (s, "the same domain (%s) in the web site or the contacts' e-mail addresses",
                       c->domain);
      break;
    case LSN_MATCH_EVIDENCE_NONE:
    default:
      break;
    }
  if (c->same_domain && c->evidence != LSN_MATCH_EVIDENCE_DOMAIN)
    g_string_append_printf (s, ", and the same domain (%s)", c->domain);
  return g_string_free (s, FALSE);
}

static int
compare_suggestions (gconstpointer a,
                     gconstpointer b)
{
  const LsnMappingSuggestion *sa = *(LsnMappingSuggestion **) a;
  const LsnMappingSuggestion *sb = *(LsnMappingSuggestion **) b;

  if (sa->confident != sb->confident)
    return sa->confident ? -1 : 1;
  if (sa->confidence != sb->confidence)
    return sa->confidence > sb->confidence ? -1 : 1;
  return g_strcmp0 (sa->row_name, sb->row_name);
}

/**
 * lsn_mapping_editor_suggest:
 *
 * Proposes a record of the other side for each row that is not mapped (saved or edited), from
 * the strongest evidence found: a stored id, the exact name, the normalized name, a similar name
 * (with its score), the same web or e-mail domain. Mapped records, deleted ones and rejected
 * pairs are never proposed, so a second run after accepting proposes nothing new.
 *
 * Returns: (transfer full) (element-type LsnMappingSuggestion): the confident ones first, then
 *   by confidence
 */
GPtrArray *
lsn_mapping_editor_suggest (LsnMappingEditor *self)
{
  g_auto(Index) ix = { 0 };
  GPtrArray *mine_all = self->recs[self->side];
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_mapping_suggestion_free);
  g_autoptr(GHashTable) best_of = g_hash_table_new (NULL, NULL); /* Rec → count at top level */
  g_autoptr(GArray) cands = g_array_new (FALSE, FALSE, sizeof (Cand));
  g_autoptr(GPtrArray) best_recs = g_ptr_array_new ();

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), out);

  index_build (self, &ix);

  for (guint i = 0; i < mine_all->len; i++)
    {
      Rec *mine = g_ptr_array_index (mine_all, i);
      LsnMappingSuggestion *s;
      Cand *best;
      guint n_equal = 1;

      if (mine->deleted || effective_other (self, mine->id, NULL, NULL) != NULL)
        continue;

      g_array_set_size (cands, 0);
      if (mine->reference != NULL)
        add_cand (self, cands, mine, other_rec (self, mine->reference),
                  LSN_MATCH_EVIDENCE_REFERENCE, 1.0);
      add_cand (self, cands, mine, g_hash_table_lookup (ix.by_reference, mine->id),
                LSN_MATCH_EVIDENCE_REFERENCE, 1.0);
      if (*mine->trimmed != '\0')
        add_list (self, cands, mine, g_hash_table_lookup (ix.by_exact, mine->trimmed),
                  LSN_MATCH_EVIDENCE_EXACT);
      if (*mine->key != '\0')
        add_list (self, cands, mine, g_hash_table_lookup (ix.by_key, mine->key),
                  LSN_MATCH_EVIDENCE_NORMALIZED);
      if (cands->len == 0)
        {
          add_similar (self, &ix, cands, mine);
          add_domains (self, &ix, cands, mine);
        }
      if (cands->len == 0)
        continue;

      g_array_sort (cands, compare_cands);
      best = &g_array_index (cands, Cand, 0);
      for (guint k = 1; k < cands->len; k++)
        {
          Cand *c = &g_array_index (cands, Cand, k);
          if (c->evidence == best->evidence && c->same_domain == best->same_domain
              && (c->evidence != LSN_MATCH_EVIDENCE_SIMILAR || c->score >= best->score - 0.05))
            n_equal++;
        }

      s = g_new0 (LsnMappingSuggestion, 1);
      s->row_id = g_strdup (mine->id);
      s->row_name = g_strdup (mine->name);
      s->other_id = g_strdup (best->o->id);
      s->other_name = g_strdup (best->o->name);
      s->evidence = best->evidence;
      s->score = best->evidence >= LSN_MATCH_EVIDENCE_NORMALIZED ? 1.0 : best->score;
      if (best->evidence == LSN_MATCH_EVIDENCE_DOMAIN)
        s->score = lsn_name_similarity (mine->key, best->o->key);
      s->same_domain = best->same_domain;
      s->confidence = confidence_of (best);
      s->ambiguous = n_equal > 1;
      s->n_candidates = cands->len;
      s->explanation = explain (self, mine, best);
      if (s->ambiguous)
        {
          char *e = g_strdup_printf ("%s; ambiguous: %u records are as good a match",
                                     s->explanation, n_equal);
          g_free (s->explanation);
          s->explanation = e;
        }
      g_ptr_array_add (out, s);
      g_ptr_array_add (best_recs, best->o);
      g_hash_table_insert (best_of, best->o,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (best_of, best->o)) + 1));
    }

  /* One record proposed for two rows is ambiguous for both. */
  for (guint i = 0; i < out->len; i++)
    {
      LsnMappingSuggestion *s = g_ptr_array_index (out, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (best_of, g_ptr_array_index (best_recs, i)));

      if (n > 1 && !s->ambiguous)
        {
          char *e = g_strdup_printf ("%s; ambiguous: it is also proposed for %u other row%s",
                                     s->explanation, n - 1, n - 1 == 1 ? "" : "s");
          g_free (s->explanation);
          s->explanation = e;
          s->ambiguous = TRUE;
        }
      if (s->ambiguous)
        s->confidence /= 2.0;
      s->confident = !s->ambiguous && s->evidence >= LSN_MATCH_EVIDENCE_NORMALIZED;
    }

  g_ptr_array_sort (out, compare_suggestions);
  return out;
}

/**
 * lsn_mapping_editor_accept_confident:
 * @suggestions: (element-type LsnMappingSuggestion): from lsn_mapping_editor_suggest()
 *
 * Maps every confident suggestion (until Save); ambiguous ones are left for a person.
 *
 * Returns: how many were accepted
 */
guint
lsn_mapping_editor_accept_confident (LsnMappingEditor *self,
                                     GPtrArray        *suggestions)
{
  guint n = 0;

  for (guint i = 0; i < suggestions->len; i++)
    {
      LsnMappingSuggestion *s = g_ptr_array_index (suggestions, i);
      if (s->confident && lsn_mapping_editor_map (self, s->row_id, s->other_id, NULL))
        n++;
    }
  return n;
}

/**
 * lsn_match_evidence_to_string:
 *
 * Returns: a stable name of @evidence
 */
const char *
lsn_match_evidence_to_string (LsnMatchEvidence evidence)
{
  switch (evidence)
    {
    case LSN_MATCH_EVIDENCE_REFERENCE:
      return "reference";
    case LSN_MATCH_EVIDENCE_EXACT:
      return "exact";
    case LSN_MATCH_EVIDENCE_NORMALIZED:
      return "normalized";
    case LSN_MATCH_EVIDENCE_SIMILAR:
      return "similar";
    case LSN_MATCH_EVIDENCE_DOMAIN:
      return "domain";
    case LSN_MATCH_EVIDENCE_NONE:
    default:
      return "none";
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Save                                                                                         */

typedef struct
{
  EditType   type;
  char      *row_id;
  char      *row_name;
  char      *other_id;       /* MAP; CREATE once created */
  char      *other_name;
  char      *new_name;       /* CREATE */
  gboolean   included;
  gint64     saved_link_id;  /* 0: none */
  char      *saved_other_id;
  char      *saved_other_name;
  gboolean   saved_included;
  LsnRecord *created;        /* CREATE, once created */
  gint64     new_link_id;
} SaveOp;

typedef struct
{
  gint64        profile_id;
  char         *kind;
  LsnSide       side;
  char         *label[2];
  GPtrArray    *ops;          /* of SaveOp */
  GPtrArray    *rejections;   /* of char* "left\nright\nleft name\nright name" */
  LsnConnector *conn;         /* (nullable): the other side's */
  char         *other_settings; /* (nullable): JSON of the other side's settings */
  LsnStore     *store;
} SaveJob;

static void
save_op_free (SaveOp *op)
{
  g_free (op->row_id);
  g_free (op->row_name);
  g_free (op->other_id);
  g_free (op->other_name);
  g_free (op->new_name);
  g_free (op->saved_other_id);
  g_free (op->saved_other_name);
  g_clear_object (&op->created);
  g_free (op);
}

static void
save_job_free (SaveJob *job)
{
  g_free (job->kind);
  g_free (job->label[0]);
  g_free (job->label[1]);
  g_ptr_array_unref (job->ops);
  g_ptr_array_unref (job->rejections);
  g_clear_object (&job->conn);
  g_free (job->other_settings);
  g_clear_object (&job->store);
  g_free (job);
}

static const char *
rec_name (LsnMappingEditor *self,
          LsnSide           side,
          const char       *id)
{
  Rec *r = id ? g_hash_table_lookup (self->by_id[side], id) : NULL;
  return r ? r->name : NULL;
}

static SaveJob *
save_job_new (LsnMappingEditor *self)
{
  SaveJob *job = g_new0 (SaveJob, 1);
  LsnSide other = LSN_SIDE_OTHER (self->side);
  GHashTableIter iter;
  gpointer key, value;

  job->profile_id = self->profile ? lsn_profile_get_id (self->profile) : 0;
  job->kind = g_strdup (self->kind);
  job->side = self->side;
  job->label[0] = g_strdup (self->side_label[0]);
  job->label[1] = g_strdup (self->side_label[1]);
  job->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) save_op_free);
  job->rejections = g_ptr_array_new_with_free_func (g_free);
  job->store = self->store ? g_object_ref (self->store) : NULL;
  if (self->conn[other] != NULL)
    job->conn = g_object_ref (self->conn[other]);
  else if (self->profile != NULL)
    {
      g_autoptr(LsnProfileConfig) config = lsn_profile_config_parse (lsn_profile_get_settings (self->profile),
                                                                     NULL);
      JsonObject *o = config ? lsn_profile_config_get_side (config, other) : NULL;
      if (o != NULL)
        {
          g_autoptr(JsonNode) n = json_node_new (JSON_NODE_OBJECT);
          json_node_set_object (n, o);
          job->other_settings = json_to_string (n, FALSE);
        }
    }

  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Edit *e = value;
      Saved *s = g_hash_table_lookup (self->saved, key);
      SaveOp *op = g_new0 (SaveOp, 1);

      op->type = e->type;
      op->row_id = g_strdup (key);
      op->row_name = g_strdup (rec_name (self, self->side, key));
      op->other_id = g_strdup (e->other_id);
      op->other_name = g_strdup (rec_name (self, other, e->other_id));
      op->new_name = g_strdup (e->name);
      op->included = e->included;
      if (s != NULL)
        {
          op->saved_link_id = s->link_id;
          op->saved_other_id = g_strdup (s->other_id);
          op->saved_other_name = g_strdup (rec_name (self, other, s->other_id));
          op->saved_included = s->included;
        }
      g_ptr_array_add (job->ops, op);
    }

  for (guint i = 0; i < self->new_rejections->len; i++)
    {
      g_auto(GStrv) pair = g_strsplit (g_ptr_array_index (self->new_rejections, i), "\n", 2);
      g_ptr_array_add (job->rejections,
                       g_strdup_printf ("%s\n%s\n%s\n%s", pair[0], pair[1],
                                        rec_name (self, LSN_SIDE_LEFT, pair[0]) ?: "",
                                        rec_name (self, LSN_SIDE_RIGHT, pair[1]) ?: ""));
    }
  return job;
}

static gboolean
exec_bound (sqlite3     *db,
            const char  *sql,
            const char  *what,
            GError     **error,
            int         *changes,
            ...)
{
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (db, sql, error);
  va_list args;
  int rc;

  if (stmt == NULL)
    return FALSE;
  va_start (args, changes);
  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    {
      const char *type = va_arg (args, const char *);
      if (g_str_equal (type, "i"))
        sqlite3_bind_int64 (stmt, i, va_arg (args, gint64));
      else
        lsn_store_bind_text (stmt, i, va_arg (args, const char *));
    }
  va_end (args);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, what, error);
  if (changes != NULL)
    *changes = rc == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : sqlite3_changes (db);
  return TRUE;
}

static char *
describe (const char *name,
          const char *id)
{
  if (id == NULL)
    return NULL;
  return g_strdup_printf ("%s (#%s)", name && *name ? name : "?", id);
}

static char *
changes_json (const char *field,
              JsonNode   *before,
              JsonNode   *after)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "field");
  json_builder_add_string_value (b, field);
  json_builder_set_member_name (b, "before");
  json_builder_add_value (b, before);
  json_builder_set_member_name (b, "after");
  json_builder_add_value (b, after);
  json_builder_end_object (b);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static JsonNode *
string_node (const char *s)
{
  JsonNode *n = json_node_new (s ? JSON_NODE_VALUE : JSON_NODE_NULL);
  if (s)
    json_node_set_string (n, s);
  return n;
}

static JsonNode *
bool_node (gboolean v)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_boolean (n, v);
  return n;
}

static gboolean
insert_edit_event (sqlite3     *db,
                   SaveJob     *job,
                   const char  *row_id,
                   const char  *row_name,
                   const char  *other_id,
                   const char  *other_name,
                   const char  *action,
                   const char  *message,
                   char        *changes,
                   GError     **error)
{
  g_autoptr(LsnAuditEvent) e = lsn_audit_event_new ();
  gboolean left = job->side == LSN_SIDE_LEFT;

  e->profile_id = job->profile_id;
  e->time = g_get_real_time ();
  e->kind = g_strdup (job->kind);
  e->left_id = g_strdup (left ? row_id : other_id);
  e->right_id = g_strdup (left ? other_id : row_id);
  e->left_name = g_strdup (left ? row_name : other_name);
  e->right_name = g_strdup (left ? other_name : row_name);
  e->action = g_strdup (action);
  e->outcome = g_strdup ("ok");
  e->message = g_strdup (message);
  e->actor = g_strdup (g_get_user_name ());
  e->changes = changes;
  return lsn_db_insert_event (db, e, error) != 0;
}

static gboolean
save_tx (LsnStore  *store,
         sqlite3   *db,
         gpointer   data,
         GError   **error)
{
  SaveJob *job = data;
  LsnSide other = LSN_SIDE_OTHER (job->side);
  gboolean left = job->side == LSN_SIDE_LEFT;
  gint64 now = g_get_real_time ();

  /* 1. unlink what changes */
  for (guint i = 0; i < job->ops->len; i++)
    {
      SaveOp *op = g_ptr_array_index (job->ops, i);
      int changes = 0;

      if (op->type == EDIT_INCLUDE || op->saved_link_id == 0)
        continue;
      if (!exec_bound (db, "DELETE FROM links WHERE id = ?1 AND profile_id = ?2", "removing a mapping",
                       error, &changes, "i", op->saved_link_id, "i", job->profile_id))
        return FALSE;
      if (changes != 1)
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                       "The mapping of “%s” was changed in the meantime (by a sync or another "
                       "window): nothing was saved; open the mappings again and redo the change",
                       op->row_name ? op->row_name : op->row_id);
          return FALSE;
        }
      if (!exec_bound (db, "DELETE FROM match_decisions WHERE profile_id = ?1 AND kind = ?2 "
                           "AND left_id = ?3 AND right_id = ?4 AND decision = 'accepted'",
                       "forgetting a mapping", error, NULL, "i", job->profile_id, "s", job->kind,
                       "s", left ? op->row_id : op->saved_other_id,
                       "s", left ? op->saved_other_id : op->row_id))
        return FALSE;
      if (op->type == EDIT_UNMAP
          && !lsn_db_save_decision (db, job->profile_id, job->kind,
                                    left ? op->row_id : op->saved_other_id,
                                    left ? op->saved_other_id : op->row_id, FALSE, error))
        return FALSE;
    }

  /* 2. link, include, record */
  for (guint i = 0; i < job->ops->len; i++)
    {
      SaveOp *op = g_ptr_array_index (job->ops, i);
      g_autofree char *before = describe (op->saved_other_name, op->saved_other_id);
      g_autofree char *after = NULL;
      int count = 0;

      if (op->type == EDIT_MAP || op->type == EDIT_CREATE)
        {
          g_autoptr(LsnLink) link = NULL;
          const char *action = op->type == EDIT_MAP ? "map" : "create";
          g_autofree char *message = NULL;

          if (!exec_bound (db, "SELECT count(*) FROM links WHERE profile_id = ?1 AND kind = ?2 "
                               "AND (left_id = ?3 OR right_id = ?4)",
                           "checking mappings", error, &count, "i", job->profile_id,
                           "s", job->kind, "s", left ? op->row_id : op->other_id,
                           "s", left ? op->other_id : op->row_id))
            return FALSE;
          if (count > 0)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                           "“%s” or “%s” was mapped in the meantime (by a sync or another "
                           "window): nothing was saved; open the mappings again",
                           op->row_name ? op->row_name : op->row_id,
                           op->other_name ? op->other_name : op->other_id);
              return FALSE;
            }
          link = lsn_link_new (job->kind, left ? op->row_id : op->other_id,
                               left ? op->other_id : op->row_id, "mapping");
          /* the next sync sends what differs, from the side the profile says */
          link->left_hash = g_strdup ("");
          link->right_hash = g_strdup ("");
          link->included = TRUE;
          if (!lsn_db_save_link (db, job->profile_id, link, error))
            return FALSE;
          op->new_link_id = sqlite3_last_insert_rowid (db);
          if (!lsn_db_save_decision (db, job->profile_id, job->kind,
                                     left ? op->row_id : op->other_id,
                                     left ? op->other_id : op->row_id, TRUE, error))
            return FALSE;
          if (op->created != NULL)
            {
              g_autoptr(GPtrArray) recs = g_ptr_array_new ();
              g_ptr_array_add (recs, op->created);
              if (!lsn_db_cache_records (db, job->profile_id, lsn_side_to_string (other), recs, now,
                                         error))
                return FALSE;
            }
          after = describe (op->other_name, op->other_id);
          message = op->type == EDIT_MAP
            ? g_strdup ("mapped in the mapping editor")
            : g_strdup_printf ("created on the %s side and mapped in the mapping editor",
                               job->label[other]);
          if (!insert_edit_event (db, job, op->row_id, op->row_name, op->other_id, op->other_name,
                                  action, message,
                                  changes_json ("mapping", string_node (before), string_node (after)),
                                  error))
            return FALSE;
        }
      else if (op->type == EDIT_UNMAP)
        {
          if (!insert_edit_event (db, job, op->row_id, op->row_name, op->saved_other_id,
                                  op->saved_other_name, "unmap",
                                  "mapping removed in the mapping editor; the pair is not "
                                  "suggested again",
                                  changes_json ("mapping", string_node (before), string_node (NULL)),
                                  error))
            return FALSE;
        }
      else if (op->type == EDIT_INCLUDE)
        {
          int changes = 0;
          if (!exec_bound (db, "UPDATE links SET included = ?1, updated_at = ?2 WHERE id = ?3 "
                               "AND profile_id = ?4",
                           "including a mapping", error, &changes, "i", (gint64) op->included,
                           "i", now, "i", op->saved_link_id, "i", job->profile_id))
            return FALSE;
          if (changes != 1)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                           "The mapping of “%s” was removed in the meantime: nothing was saved; "
                           "open the mappings again",
                           op->row_name ? op->row_name : op->row_id);
              return FALSE;
            }
          if (!insert_edit_event (db, job, op->row_id, op->row_name, op->saved_other_id,
                                  op->saved_other_name, op->included ? "include" : "exclude",
                                  op->included ? "included in the sync in the mapping editor"
                                               : "left out of the sync in the mapping editor",
                                  changes_json ("included", bool_node (op->saved_included),
                                                bool_node (op->included)),
                                  error))
            return FALSE;
        }
    }

  for (guint i = 0; i < job->rejections->len; i++)
    {
      g_auto(GStrv) p = g_strsplit (g_ptr_array_index (job->rejections, i), "\n", 4);
      g_autoptr(LsnAuditEvent) e = lsn_audit_event_new ();

      if (!lsn_db_save_decision (db, job->profile_id, job->kind, p[0], p[1], FALSE, error))
        return FALSE;
      e->profile_id = job->profile_id;
      e->time = now;
      e->kind = g_strdup (job->kind);
      e->left_id = g_strdup (p[0]);
      e->right_id = g_strdup (p[1]);
      e->left_name = g_strdup (p[2]);
      e->right_name = g_strdup (p[3]);
      e->action = g_strdup ("reject");
      e->outcome = g_strdup ("ok");
      e->message = g_strdup ("a person said these are not the same record: not suggested again");
      e->actor = g_strdup (g_get_user_name ());
      e->changes = changes_json ("suggestion", string_node (NULL), string_node ("rejected"));
      if (lsn_db_insert_event (db, e, error) == 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_run (SaveJob       *job,
          GCancellable  *cancellable,
          GError       **error)
{
  LsnSide other = LSN_SIDE_OTHER (job->side);

  for (guint i = 0; i < job->ops->len; i++)
    {
      SaveOp *op = g_ptr_array_index (job->ops, i);
      g_autoptr(JsonObject) fields = NULL;
      g_autoptr(GError) local_error = NULL;

      if (op->type != EDIT_CREATE || op->created != NULL)
        continue;
      if (job->conn == NULL)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonNode *root;

          if (job->other_settings == NULL
              || !json_parser_load_from_data (parser, job->other_settings, -1, error)
              || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
            {
              if (error != NULL && *error == NULL)
                g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                             "The profile has no %s connection: set it up before creating "
                             "records there", job->label[other]);
              return FALSE;
            }
          job->conn = lsn_sync_build_connector (json_node_get_object (root), error);
          if (job->conn == NULL)
            {
              g_prefix_error (error, "The %s connection cannot be used: ", job->label[other]);
              return FALSE;
            }
        }
      fields = json_object_new ();
      json_object_set_string_member (fields, "name", op->new_name);
      op->created = lsn_connector_create (job->conn, job->kind, fields, cancellable, &local_error);
      if (op->created == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "Creating “%s” on the %s side failed, so nothing was saved: %s",
                       op->new_name, job->label[other], local_error->message);
          return FALSE;
        }
      op->other_id = g_strdup (lsn_record_get_remote_id (op->created));
      op->other_name = g_strdup (lsn_record_get_name (op->created));
    }

  if (job->store == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "This editor was not loaded from a database: there is nowhere to save");
      return FALSE;
    }
  return lsn_store_run_in_transaction (job->store, save_tx, job, error);
}

/* On the editor's thread, after save_run(): the saved state becomes what was written; records
 * created before a failure become plain mappings to them, so a second Save never creates twice. */
static void
save_apply (LsnMappingEditor *self,
            SaveJob          *job,
            gboolean          written)
{
  LsnSide other = LSN_SIDE_OTHER (self->side);
  g_autoptr(GPtrArray) touched = g_ptr_array_new_with_free_func (g_free);

  /* no longer what was read */
  g_clear_pointer (&self->digest, g_free);

  for (guint i = 0; i < job->ops->len; i++)
    {
      SaveOp *op = g_ptr_array_index (job->ops, i);

      if (op->created != NULL)
        {
          LsnRecord *r = op->created;
          lsn_mapping_editor_add_record (self, other, lsn_record_get_remote_id (r),
                                         lsn_record_get_name (r), NULL, NULL, NULL, FALSE);
        }
      if (!written)
        {
          if (op->created != NULL)
            {
              Edit *e = g_new0 (Edit, 1);
              e->type = EDIT_MAP;
              e->other_id = g_strdup (op->other_id);
              e->included = TRUE;
              set_edit (self, op->row_id, e);
            }
          continue;
        }

      switch (op->type)
        {
        case EDIT_MAP:
        case EDIT_CREATE:
          {
            Saved *s = g_new0 (Saved, 1);
            s->link_id = op->new_link_id;
            s->other_id = g_strdup (op->other_id);
            s->included = TRUE;
            g_hash_table_replace (self->saved, g_strdup (op->row_id), s);
          }
          break;
        case EDIT_UNMAP:
          {
            g_autofree char *key = pair_key (self, op->row_id, op->saved_other_id);
            g_hash_table_remove (self->saved, op->row_id);
            g_hash_table_add (self->rejected, g_steal_pointer (&key));
          }
          break;
        case EDIT_INCLUDE:
          {
            Saved *s = g_hash_table_lookup (self->saved, op->row_id);
            if (s != NULL)
              s->included = op->included;
          }
          break;
        default:
          break;
        }
      g_ptr_array_add (touched, g_strdup (op->row_id));
    }

  if (!written)
    return;

  g_hash_table_remove_all (self->edits);
  g_ptr_array_set_size (self->new_rejections, 0);
  g_hash_table_remove_all (self->taken);
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, self->saved);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_replace (self->taken, g_strdup (((Saved *) value)->other_id), g_strdup (key));
  }
  for (guint i = 0; i < touched->len; i++)
    row_changed (self, g_ptr_array_index (touched, i));
}

/**
 * lsn_mapping_editor_set_connector:
 * @connector: (nullable): an #LsnConnector for @side
 *
 * The connector "Create new" uses on Save; by default one is built from the profile.
 */
void
lsn_mapping_editor_set_connector (LsnMappingEditor *self,
                                  LsnSide           side,
                                  GObject          *connector)
{
  g_return_if_fail (LSN_IS_MAPPING_EDITOR (self));
  g_return_if_fail (connector == NULL || LSN_IS_CONNECTOR (connector));
  g_set_object (&self->conn[side], (LsnConnector *) connector);
}

/**
 * lsn_mapping_editor_save:
 *
 * Writes every edit: first creates the new records on the other side, then, in one
 * transaction, the mappings, the rejected pairs and an audit event for each change (who, when,
 * before → after). Nothing is written when a create fails or a mapping changed in the meantime.
 * Blocks: use lsn_mapping_editor_save_async() from the main thread.
 */
gboolean
lsn_mapping_editor_save (LsnMappingEditor  *self,
                         GCancellable      *cancellable,
                         GError           **error)
{
  SaveJob *job;
  gboolean ok;

  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);

  job = save_job_new (self);
  ok = save_run (job, cancellable, error);
  save_apply (self, job, ok);
  save_job_free (job);
  return ok;
}

static void
save_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_run (data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lsn_mapping_editor_save_async:
 *
 * lsn_mapping_editor_save() on a worker thread. Do not edit until it finishes.
 */
void
lsn_mapping_editor_save_async (LsnMappingEditor    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lsn_mapping_editor_save_async);
  g_task_set_task_data (task, save_job_new (self), (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_thread);
}

/**
 * lsn_mapping_editor_save_finish:
 *
 * Makes what was written the editor's saved state (call it on the editor's thread).
 */
gboolean
lsn_mapping_editor_save_finish (LsnMappingEditor  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  save_apply (self, g_task_get_task_data (G_TASK (result)), ok);
  return ok;
}

/**
 * lsn_mapping_editor_same_reading:
 * @self: an editor
 * @other: another reading of the same profile and kind
 *
 * Both digests were made on the worker that read them (see reading_digest()), so this costs
 * the main thread nothing.
 *
 * Returns: whether both read the same records, mappings, decisions and failures and @self has
 *   not saved since: showing @other instead of @self would change nothing
 */
gboolean
lsn_mapping_editor_same_reading (LsnMappingEditor *self,
                                 LsnMappingEditor *other)
{
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (self), FALSE);
  g_return_val_if_fail (LSN_IS_MAPPING_EDITOR (other), FALSE);

  return self->digest != NULL && g_strcmp0 (self->digest, other->digest) == 0;
}
