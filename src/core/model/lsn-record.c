/* lsn-record.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-record"

#include "config.h"

#include <string.h>

#include "lsn-record.h"

struct _LsnRecord
{
  GObject     parent_instance;

  char       *kind;
  char       *remote_id;
  char       *name;
  char       *parent_id;
  JsonObject *fields;   /* (owned) canonical fields */
  JsonObject *raw;      /* (owned) (nullable) the system's own object */
  gboolean    inactive;
  gint64      modified; /* microseconds since the epoch, UTC; 0 when unknown */
  char       *hash;     /* (owned) over every canonical field */
};

G_DEFINE_FINAL_TYPE (LsnRecord, lsn_record, G_TYPE_OBJECT)

static void
lsn_record_finalize (GObject *object)
{
  LsnRecord *self = (LsnRecord *) object;

  g_free (self->kind);
  g_free (self->remote_id);
  g_free (self->name);
  g_free (self->parent_id);
  g_clear_pointer (&self->fields, json_object_unref);
  g_clear_pointer (&self->raw, json_object_unref);
  g_free (self->hash);

  G_OBJECT_CLASS (lsn_record_parent_class)->finalize (object);
}

static void
lsn_record_class_init (LsnRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_record_finalize;
}

static void
lsn_record_init (LsnRecord *self)
{
}

/**
 * lsn_record_new:
 * @kind: one of the `LSN_KIND_*` names
 * @remote_id: the id in its own system, as text
 * @name: (nullable): what a person calls it
 * @fields: (nullable) (transfer none): canonical fields; referenced, not copied
 * @inactive: whether the system marks it inactive
 * @modified_usec: last change in the system, microseconds since the epoch, or 0
 *
 * Returns: (transfer full): a new record
 */
LsnRecord *
lsn_record_new (const char *kind,
                const char *remote_id,
                const char *name,
                JsonObject *fields,
                gboolean    inactive,
                gint64      modified_usec)
{
  LsnRecord *self = g_object_new (LSN_TYPE_RECORD, NULL);

  self->kind = g_strdup (kind);
  self->remote_id = g_strdup (remote_id);
  self->name = g_strdup (name);
  self->fields = fields ? json_object_ref (fields) : json_object_new ();
  self->inactive = inactive;
  self->modified = modified_usec;
  self->hash = lsn_fields_hash (self->fields, NULL);

  return self;
}

const char *lsn_record_get_kind (LsnRecord *self) { return self->kind; }
const char *lsn_record_get_remote_id (LsnRecord *self) { return self->remote_id; }
const char *lsn_record_get_name (LsnRecord *self) { return self->name; }
JsonObject *lsn_record_get_fields (LsnRecord *self) { return self->fields; }
gboolean lsn_record_get_inactive (LsnRecord *self) { return self->inactive; }
gint64 lsn_record_get_modified (LsnRecord *self) { return self->modified; }
const char *lsn_record_get_parent_id (LsnRecord *self) { return self->parent_id; }
const char *lsn_record_get_hash (LsnRecord *self) { return self->hash; }
JsonObject *lsn_record_get_raw (LsnRecord *self) { return self->raw; }

void
lsn_record_set_parent_id (LsnRecord  *self,
                          const char *parent_id)
{
  g_free (self->parent_id);
  self->parent_id = g_strdup (parent_id);
}

void
lsn_record_set_raw (LsnRecord  *self,
                    JsonObject *raw)
{
  g_clear_pointer (&self->raw, json_object_unref);
  self->raw = raw ? json_object_ref (raw) : NULL;
}

/**
 * lsn_record_get_string:
 *
 * Returns: (nullable): a string field, or %NULL when absent, null or not a string
 */
const char *
lsn_record_get_string (LsnRecord  *self,
                       const char *field)
{
  JsonNode *node = json_object_get_member (self->fields, field);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * lsn_fields_hash:
 * @fields: canonical fields
 * @field_names: (nullable) (array zero-terminated=1): the fields to cover, or %NULL for all
 *
 * A stable hash: member order does not matter, absent and null are the same, and numbers are
 * written in one form.
 *
 * Returns: (transfer full): a SHA-256 hex digest
 */
char *
lsn_fields_hash (JsonObject  *fields,
                 const char **field_names)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (field_names != NULL)
    {
      for (guint i = 0; field_names[i] != NULL; i++)
        g_ptr_array_add (names, (gpointer) field_names[i]);
    }
  else if (fields != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (fields);
      for (GList *l = members; l; l = l->next)
        g_ptr_array_add (names, l->data);
    }

  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      JsonNode *node = fields ? json_object_get_member (fields, name) : NULL;
      g_autofree char *value = NULL;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;

      if (JSON_NODE_HOLDS_VALUE (node))
        {
          GType t = json_node_get_value_type (node);
          if (t == G_TYPE_STRING)
            value = g_strdup_printf ("s:%s", json_node_get_string (node));
          else if (t == G_TYPE_BOOLEAN)
            value = g_strdup_printf ("b:%d", json_node_get_boolean (node) ? 1 : 0);
          else if (t == G_TYPE_INT64)
            value = g_strdup_printf ("n:%.17g", (double) json_node_get_int (node));
          else
            value = g_strdup_printf ("n:%.17g", json_node_get_double (node));
        }
      else
        value = json_to_string (node, FALSE);

      g_checksum_update (sum, (const guchar *) name, -1);
      g_checksum_update (sum, (const guchar *) "=", 1);
      g_checksum_update (sum, (const guchar *) value, -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }

  return g_strdup (g_checksum_get_string (sum));
}

char *
lsn_record_compute_hash (LsnRecord   *self,
                         const char **field_names)
{
  return lsn_fields_hash (self->fields, field_names);
}

/**
 * lsn_record_to_json:
 *
 * Returns: (transfer full): the record as one JSON object, for the cache and for `--json`
 */
char *
lsn_record_to_json (LsnRecord *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) fields = json_node_alloc ();

  json_node_init_object (fields, self->fields);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, self->kind);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->remote_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->name);
  if (self->parent_id)
    {
      json_builder_set_member_name (b, "parent_id");
      json_builder_add_string_value (b, self->parent_id);
    }
  json_builder_set_member_name (b, "inactive");
  json_builder_add_boolean_value (b, self->inactive);
  json_builder_set_member_name (b, "modified");
  json_builder_add_int_value (b, self->modified);
  json_builder_set_member_name (b, "hash");
  json_builder_add_string_value (b, self->hash);
  json_builder_set_member_name (b, "fields");
  json_builder_add_value (b, json_node_copy (fields));
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/**
 * lsn_record_new_from_json:
 * @json: what lsn_record_to_json() wrote
 *
 * Returns: (transfer full) (nullable): the record
 */
LsnRecord *
lsn_record_new_from_json (const char  *json,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *obj;
  JsonNode *root;
  JsonNode *fields;
  LsnRecord *self;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "a cached record is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  fields = json_object_get_member (obj, "fields");

  self = lsn_record_new (json_object_get_string_member_with_default (obj, "kind", ""),
                         json_object_get_string_member_with_default (obj, "id", ""),
                         json_object_get_string_member_with_default (obj, "name", NULL),
                         fields && JSON_NODE_HOLDS_OBJECT (fields)
                           ? json_node_get_object (fields) : NULL,
                         json_object_get_boolean_member_with_default (obj, "inactive", FALSE),
                         json_object_get_int_member_with_default (obj, "modified", 0));
  lsn_record_set_parent_id (self, json_object_get_string_member_with_default (obj, "parent_id",
                                                                              NULL));
  return self;
}
