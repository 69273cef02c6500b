/* lsn-audit-item.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row of the Activity page's event list. LsnAuditModel hands out items before their page
 * is read (so scrolling never waits on SQLite) and fills them in when it arrives: the item then
 * notifies every property, and the cells bound to them update.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-audit-item.h"

struct _LsnAuditItem
{
  GObject        parent_instance;

  LsnAuditEvent *event;   /* (nullable): until the page is read */
};

G_DEFINE_FINAL_TYPE (LsnAuditItem, lsn_audit_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  PROP_ID,
  PROP_TIME,
  PROP_KIND,
  PROP_ACTION,
  PROP_OUTCOME,
  PROP_MESSAGE,
  PROP_RECORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lsn_audit_item_finalize (GObject *object)
{
  LsnAuditItem *self = (LsnAuditItem *)object;

  g_clear_pointer (&self->event, lsn_audit_event_free);

  G_OBJECT_CLASS (lsn_audit_item_parent_class)->finalize (object);
}

static void
lsn_audit_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LsnAuditItem *self = LSN_AUDIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->event != NULL);
      break;
    case PROP_ID:
      g_value_set_int64 (value, lsn_audit_item_get_id (self));
      break;
    case PROP_TIME:
      g_value_set_int64 (value, lsn_audit_item_get_time (self));
      break;
    case PROP_KIND:
      g_value_set_string (value, lsn_audit_item_get_kind (self));
      break;
    case PROP_ACTION:
      g_value_set_string (value, lsn_audit_item_get_action (self));
      break;
    case PROP_OUTCOME:
      g_value_set_string (value, lsn_audit_item_get_outcome (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, lsn_audit_item_get_message (self));
      break;
    case PROP_RECORD:
      g_value_take_string (value, lsn_audit_item_dup_record (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lsn_audit_item_class_init (LsnAuditItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lsn_audit_item_finalize;
  object_class->get_property = lsn_audit_item_get_property;

  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TIME] = g_param_spec_int64 ("time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  properties[PROP_ACTION] = g_param_spec_string ("action", NULL, NULL, NULL, flags);
  properties[PROP_OUTCOME] = g_param_spec_string ("outcome", NULL, NULL, NULL, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  properties[PROP_RECORD] = g_param_spec_string ("record", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lsn_audit_item_init (LsnAuditItem *self)
{
}

/**
 * lsn_audit_item_new:
 *
 * Returns: (transfer full): an item whose event is not read yet
 */
LsnAuditItem *
lsn_audit_item_new (void)
{
  return g_object_new (LSN_TYPE_AUDIT_ITEM, NULL);
}

gboolean
lsn_audit_item_get_loaded (LsnAuditItem *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_ITEM (self), FALSE);
  return self->event != NULL;
}

/**
 * lsn_audit_item_get_event:
 *
 * Returns: (transfer none) (nullable): the event, once read
 */
const LsnAuditEvent *
lsn_audit_item_get_event (LsnAuditItem *self)
{
  g_return_val_if_fail (LSN_IS_AUDIT_ITEM (self), NULL);
  return self->event;
}

/**
 * lsn_audit_item_set_event:
 * @event: (transfer full): the event
 *
 * Fills the item in, notifying every property.
 */
void
lsn_audit_item_set_event (LsnAuditItem  *self,
                          LsnAuditEvent *event)
{
  g_return_if_fail (LSN_IS_AUDIT_ITEM (self));

  g_clear_pointer (&self->event, lsn_audit_event_free);
  self->event = event;
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
lsn_audit_item_get_id (LsnAuditItem *self)
{
  return self->event ? self->event->id : 0;
}

gint64
lsn_audit_item_get_time (LsnAuditItem *self)
{
  return self->event ? self->event->time : 0;
}

/**
 * lsn_audit_item_get_kind:
 *
 * Returns: (nullable): the entity kind
 */
const char *
lsn_audit_item_get_kind (LsnAuditItem *self)
{
  return self->event ? self->event->kind : NULL;
}

/**
 * lsn_audit_item_get_action:
 *
 * Returns: (nullable): create, update, map...
 */
const char *
lsn_audit_item_get_action (LsnAuditItem *self)
{
  return self->event ? self->event->action : NULL;
}

/**
 * lsn_audit_item_get_outcome:
 *
 * Returns: (nullable): ok, failed, held...
 */
const char *
lsn_audit_item_get_outcome (LsnAuditItem *self)
{
  return self->event ? self->event->outcome : NULL;
}

/**
 * lsn_audit_item_get_message:
 *
 * Returns: (nullable): the message, the server's words where there are any
 */
const char *
lsn_audit_item_get_message (LsnAuditItem *self)
{
  return self->event ? self->event->message : NULL;
}

/**
 * lsn_audit_item_dup_record:
 *
 * Returns: (transfer full) (nullable): both sides' names, "left ⇄ right"
 */
char *
lsn_audit_item_dup_record (LsnAuditItem *self)
{
  const LsnAuditEvent *e = self->event;

  if (e == NULL)
    return NULL;
  if (e->left_name && e->right_name && g_strcmp0 (e->left_name, e->right_name) != 0)
    return g_strdup_printf ("%s ⇄ %s", e->left_name, e->right_name);
  if (e->left_name || e->right_name)
    return g_strdup (e->left_name ? e->left_name : e->right_name);
  return g_strdup_printf ("#%s", e->left_id ? e->left_id : e->right_id ? e->right_id : "?");
}
