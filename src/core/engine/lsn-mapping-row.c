/* lsn-mapping-row.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row of the client mapping editor: a record of the side being edited and what it is mapped
 * to now (saved, or changed and not saved yet). LsnMappingEditor owns and updates the rows; the
 * window shows them in a GtkColumnView. Names are kept folded (lower case, no accents) next to
 * the originals, so that searching and sorting 50,000 rows never allocates.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <string.h>

#include "lsn-mapping-row.h"

struct _LsnMappingRow
{
  GObject           parent_instance;

  char             *id;
  char             *name;
  char             *folded_name;
  char             *toplevel;
  char             *other_id;
  char             *other_name;
  char             *folded_other;
  LsnMappingStatus  status;
  guint             n_events;
  guint             included : 1;
  guint             pending : 1;
};

G_DEFINE_FINAL_TYPE (LsnMappingRow, lsn_mapping_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TOPLEVEL,
  PROP_OTHER_ID,
  PROP_OTHER_NAME,
  PROP_INCLUDED,
  PROP_STATUS,
  PROP_N_EVENTS,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * lsn_fold_for_search:
 * @text: (nullable): a name
 *
 * Returns: (transfer full): @text in lower case without accents, for substring search
 */
char *
lsn_fold_for_search (const char *text)
{
  g_autofree char *ascii = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  ascii = g_str_to_ascii (text, "C");
  return g_ascii_strdown (ascii, -1);
}

static void
lsn_mapping_row_finalize (GObject *object)
{
  LsnMappingRow *self = (LsnMappingRow *)object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->folded_name);
  g_free (self->toplevel);
  g_free (self->other_id);
  g_free (self->other_name);
  g_free (self->folded_other);

  G_OBJECT_CLASS (lsn_mapping_row_parent_class)->finalize (object);
}

static void
lsn_mapping_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LsnMappingRow *self = LSN_MAPPING_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TOPLEVEL:
      g_value_set_string (value, self->toplevel);
      break;
    case PROP_OTHER_ID:
      g_value_set_string (value, self->other_id);
      break;
    case PROP_OTHER_NAME:
      g_value_set_string (value, self->other_name);
      break;
    case PROP_INCLUDED:
      g_value_set_boolean (value, self->included);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_N_EVENTS:
      g_value_set_uint (value, self->n_events);
      break;
    case PROP_PENDING:
      g_value_set_boolean (value, self->pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_mapping_row_class_init (LsnMappingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lsn_mapping_row_finalize;
  object_class->get_property = lsn_mapping_row_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOPLEVEL] =
    g_param_spec_string ("toplevel", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OTHER_ID] =
    g_param_spec_string ("other-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OTHER_NAME] =
    g_param_spec_string ("other-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INCLUDED] =
    g_param_spec_boolean ("included", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, 0, LSN_MAPPING_STATUS_MISSING, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_EVENTS] =
    g_param_spec_uint ("n-events", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_boolean ("pending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lsn_mapping_row_init (LsnMappingRow *self)
{
}

/**
 * lsn_mapping_row_new:
 * @id: the record's id on its side
 * @name: (nullable): its name
 * @toplevel: (nullable): its top-level client, where its system has one
 *
 * Returns: (transfer full): a row that is not mapped
 */
LsnMappingRow *
lsn_mapping_row_new (const char *id,
                     const char *name,
                     const char *toplevel)
{
  LsnMappingRow *self = g_object_new (LSN_TYPE_MAPPING_ROW, NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (name ? name : "");
  self->folded_name = lsn_fold_for_search (name);
  self->toplevel = g_strdup (toplevel);
  self->folded_other = g_strdup ("");
  return self;
}

const char *
lsn_mapping_row_get_id (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), NULL);
  return self->id;
}

const char *
lsn_mapping_row_get_name (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), NULL);
  return self->name;
}

/**
 * lsn_mapping_row_get_toplevel:
 *
 * Returns: (nullable): the top-level client
 */
const char *
lsn_mapping_row_get_toplevel (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), NULL);
  return self->toplevel;
}

/**
 * lsn_mapping_row_get_other_id:
 *
 * Returns: (nullable): the id of the mapped record of the other side; "" for one that is created
 *   on Save
 */
const char *
lsn_mapping_row_get_other_id (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), NULL);
  return self->other_id;
}

/**
 * lsn_mapping_row_get_other_name:
 *
 * Returns: (nullable): the name of the mapped record
 */
const char *
lsn_mapping_row_get_other_name (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), NULL);
  return self->other_name;
}

gboolean
lsn_mapping_row_get_included (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), FALSE);
  return self->included;
}

LsnMappingStatus
lsn_mapping_row_get_status (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), LSN_MAPPING_STATUS_NOT_MAPPED);
  return self->status;
}

guint
lsn_mapping_row_get_n_events (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), 0);
  return self->n_events;
}

/**
 * lsn_mapping_row_get_pending:
 *
 * Returns: whether the row has a change that is not saved yet
 */
gboolean
lsn_mapping_row_get_pending (LsnMappingRow *self)
{
  g_return_val_if_fail (LSN_IS_MAPPING_ROW (self), FALSE);
  return self->pending;
}

const char *
lsn_mapping_row_get_folded_name (LsnMappingRow *self)
{
  return self->folded_name;
}

const char *
lsn_mapping_row_get_folded_other (LsnMappingRow *self)
{
  return self->folded_other;
}

/**
 * lsn_mapping_row_set_mapping:
 * @other_id: (nullable): the mapped record, %NULL for none
 * @other_name: (nullable): its name
 *
 * Sets what the row is mapped to (for #LsnMappingEditor), notifying what changed.
 */
void
lsn_mapping_row_set_mapping (LsnMappingRow    *self,
                             const char       *other_id,
                             const char       *other_name,
                             gboolean          included,
                             LsnMappingStatus  status,
                             guint             n_events,
                             gboolean          pending)
{
  g_return_if_fail (LSN_IS_MAPPING_ROW (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (set_str (&self->other_id, other_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OTHER_ID]);
  if (set_str (&self->other_name, other_name))
    {
      g_free (self->folded_other);
      self->folded_other = lsn_fold_for_search (other_name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OTHER_NAME]);
    }
  if (self->included != !!included)
    {
      self->included = !!included;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCLUDED]);
    }
  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (self->n_events != n_events)
    {
      self->n_events = n_events;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVENTS]);
    }
  if (self->pending != !!pending)
    {
      self->pending = !!pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * lsn_mapping_row_compare:
 *
 * Returns: the order of @a and @b by @column (ties broken by name, then id)
 */
int
lsn_mapping_row_compare (LsnMappingRow    *a,
                         LsnMappingRow    *b,
                         LsnMappingColumn  column)
{
  int c = 0;

  switch (column)
    {
    case LSN_MAPPING_COLUMN_NAME:
      break;
    case LSN_MAPPING_COLUMN_TOPLEVEL:
      c = g_strcmp0 (a->toplevel, b->toplevel);
      break;
    case LSN_MAPPING_COLUMN_OTHER:
      /* unmapped rows last */
      if ((a->other_id == NULL) != (b->other_id == NULL))
        return a->other_id == NULL ? 1 : -1;
      c = strcmp (a->folded_other, b->folded_other);
      break;
    case LSN_MAPPING_COLUMN_INCLUDED:
      c = (int) b->included - (int) a->included;
      break;
    case LSN_MAPPING_COLUMN_STATUS:
      c = (int) a->status - (int) b->status;
      break;
    default:
      g_assert_not_reached ();
    }
  if (c == 0)
    c = strcmp (a->folded_name, b->folded_name);
  if (c == 0)
    c = strcmp (a->id, b->id);
  return c;
}

/**
 * lsn_mapping_status_to_string:
 *
 * Returns: a stable name of @status, for tests and the CLI
 */
const char *
lsn_mapping_status_to_string (LsnMappingStatus status)
{
  switch (status)
    {
    case LSN_MAPPING_STATUS_NOT_MAPPED:
      return "not-mapped";
    case LSN_MAPPING_STATUS_OK:
      return "ok";
    case LSN_MAPPING_STATUS_HAS_EVENTS:
      return "has-events";
    case LSN_MAPPING_STATUS_MISSING:
      return "missing";
    default:
      return "unknown";
    }
}
