/* lsn-profile-config.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The profile file (DESIGN.md, "Profile file") parsed and checked. Every message names the key
 * that is wrong and what it may be. Unknown keys are kept, so an export gives back what was
 * imported.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-profile-config.h"
#include "lsn-record.h"

/* The order kinds are synced in: parents before children. */
static const char * const kind_order[] = {
  LSN_KIND_CLIENT, LSN_KIND_SITE, LSN_KIND_CONTACT, LSN_KIND_TAX, LSN_KIND_PRODUCT,
  LSN_KIND_OPPORTUNITY, LSN_KIND_QUOTE, LSN_KIND_LICENCE, LSN_KIND_ADDITION, NULL
};

static const char * const client_fields[] = {
  "name", "phone", "website", "address1", "address2", "city", "state", "postcode", "country",
  "inactive", NULL
};
static const char * const site_fields[] = {
  "name", "client_id", "phone", "address1", "address2", "city", "state", "postcode", "inactive",
  NULL
};
static const char * const contact_fields[] = {
  "firstname", "lastname", "email", "phone", "mobile", "jobtitle", "client_id", "site_id",
  "inactive", NULL
};
static const char * const product_fields[] = {
  "name", "description", "price", "cost", "inactive", NULL
};
static const char * const licence_fields[] = {
  "name", "client_id", "quantity", "price", "billing_cycle", "distributor", NULL
};
static const char * const name_only[] = { "name", NULL };

/**
 * lsn_kind_default_fields:
 *
 * Returns: (array zero-terminated=1): the canonical fields mapped by default for @kind
 */
const char * const *
lsn_kind_default_fields (const char *kind)
{
  if (g_strcmp0 (kind, LSN_KIND_CLIENT) == 0)
    return client_fields;
  if (g_strcmp0 (kind, LSN_KIND_SITE) == 0)
    return site_fields;
  if (g_strcmp0 (kind, LSN_KIND_CONTACT) == 0)
    return contact_fields;
  if (g_strcmp0 (kind, LSN_KIND_PRODUCT) == 0)
    return product_fields;
  if (g_strcmp0 (kind, LSN_KIND_LICENCE) == 0)
    return licence_fields;
  return name_only;
}

/**
 * lsn_kind_reference_of:
 *
 * Returns: (nullable): the kind whose id @field holds in a record of @kind
 */
const char *
lsn_kind_reference_of (const char *kind,
                       const char *field)
{
  if (g_strcmp0 (field, "client_id") == 0)
    return LSN_KIND_CLIENT;
  if (g_strcmp0 (field, "site_id") == 0)
    return LSN_KIND_SITE;
  return NULL;
}

const char *
lsn_side_to_string (LsnSide side)
{
  return side == LSN_SIDE_LEFT ? "left" : "right";
}

const char *
lsn_direction_to_string (LsnDirection direction)
{
  switch (direction)
    {
    case LSN_DIRECTION_LEFT_TO_RIGHT: return "left-to-right";
    case LSN_DIRECTION_RIGHT_TO_LEFT: return "right-to-left";
    case LSN_DIRECTION_BOTH: return "both";
    case LSN_DIRECTION_OFF:
    default: return "off";
    }
}

const char *
lsn_mode_to_string (LsnMode mode)
{
  return mode == LSN_MODE_NEW_ONLY ? "new-only" : "realtime";
}

const char *
lsn_master_to_string (LsnMaster master)
{
  switch (master)
    {
    case LSN_MASTER_LEFT: return "left";
    case LSN_MASTER_RIGHT: return "right";
    case LSN_MASTER_NEWEST:
    default: return "newest";
    }
}

gboolean
lsn_direction_allows (LsnDirection direction,
                      LsnSide      from)
{
  if (direction == LSN_DIRECTION_BOTH)
    return TRUE;
  if (from == LSN_SIDE_LEFT)
    return direction == LSN_DIRECTION_LEFT_TO_RIGHT;
  return direction == LSN_DIRECTION_RIGHT_TO_LEFT;
}

/**
 * lsn_connector_secret_key:
 *
 * Returns: (nullable): the settings key that holds @connector's secret
 */
const char *
lsn_connector_secret_key (const char *connector)
{
  if (g_strcmp0 (connector, "halopsa") == 0)
    return "client_secret";
  if (g_strcmp0 (connector, "connectwise") == 0)
    return "private_key";
  return NULL;
}

static void
field_map_free (LsnFieldMap *map)
{
  g_free (map->left);
  g_free (map->right);
  g_free (map->reference_kind);
  g_free (map);
}

static void
kind_config_free (LsnKindConfig *kc)
{
  g_free (kc->kind);
  g_free (kc->name_contains);
  g_free (kc->type_filter);
  g_free (kc->toplevel_filter);
  g_clear_pointer (&kc->fields, g_ptr_array_unref);
  g_free (kc);
}

void
lsn_profile_config_free (LsnProfileConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_clear_pointer (&self->root, json_object_unref);
  g_clear_pointer (&self->kinds, g_ptr_array_unref);
  g_free (self);
}

static gboolean
get_string (JsonObject   *obj,
            const char   *key,
            const char   *where,
            const char  **out,
            GError      **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.%s must be a string", where, key);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject   *obj,
          const char   *key,
          const char   *where,
          gboolean     *out,
          GError      **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.%s must be true or false", where, key);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_number (JsonObject   *obj,
            const char   *key,
            const char   *where,
            double        min,
            double        max,
            double       *out,
            GError      **error)
{
  JsonNode *node = json_object_get_member (obj, key);
  GType t;
  double v;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  t = json_node_get_value_type (node);
  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.%s must be a number", where, key);
      return FALSE;
    }
  v = json_node_get_double (node);
  if (v < min || v > max)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.%s must be between %g and %g", where, key, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_enum (const char          *value,
            const char * const  *names,
            int                 *out,
            const char          *where,
            const char          *key,
            GError             **error)
{
  g_autofree char *allowed = NULL;

  if (value == NULL)
    return TRUE;
  for (int i = 0; names[i]; i++)
    if (g_str_equal (value, names[i]))
      {
        *out = i;
        return TRUE;
      }

  allowed = g_strjoinv ("\", \"", (char **) names);
  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "In the profile, %s.%s is “%s”: use one of \"%s\"", where, key, value, allowed);
  return FALSE;
}

static gboolean
parse_side (JsonObject  *root,
            const char  *side,
            GError     **error)
{
  JsonNode *node = json_object_get_member (root, side);
  JsonObject *obj;
  const char *connector = NULL;
  const char *secret_key;
  JsonNode *secret;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The profile has no \"%s\" connection: add {\"connector\": \"halopsa\", ...}",
                   side);
      return FALSE;
    }
  obj = json_node_get_object (node);
  if (!get_string (obj, "connector", side, &connector, error))
    return FALSE;
  if (connector == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.connector is missing: use \"halopsa\", \"connectwise\" or "
                   "\"feed\"", side);
      return FALSE;
    }
  {
    static const char * const connectors[] = { "halopsa", "connectwise", "feed", NULL };
    int ignored = 0;
    if (!parse_enum (connector, connectors, &ignored, side, "connector", error))
      return FALSE;
  }

  secret_key = lsn_connector_secret_key (connector);
  secret = secret_key ? json_object_get_member (obj, secret_key) : NULL;
  if (secret != NULL && !JSON_NODE_HOLDS_NULL (secret))
    {
      JsonObject *ref;
      if (!JSON_NODE_HOLDS_OBJECT (secret))
        {
          /* never echo the value back: it may be the secret itself */
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "In the profile, %s.%s must say where the secret is: "
                       "{\"env\": \"VARIABLE\"} or {\"keyring\": true}. A profile never holds "
                       "the secret itself.", side, secret_key);
          return FALSE;
        }
      ref = json_node_get_object (secret);
      if (!json_object_has_member (ref, "env") && !json_object_has_member (ref, "keyring"))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "In the profile, %s.%s must be {\"env\": \"VARIABLE\"} or "
                       "{\"keyring\": true}", side, secret_key);
          return FALSE;
        }
    }

  if (json_object_has_member (obj, "budget"))
    {
      JsonNode *b = json_object_get_member (obj, "budget");
      double requests = 1, seconds = 1;
      g_autofree char *where = g_strdup_printf ("%s.budget", side);

      if (!JSON_NODE_HOLDS_OBJECT (b))
        {
          g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                       "In the profile, %s.budget must be {\"requests\": N, \"seconds\": S}", side);
          return FALSE;
        }
      if (!get_number (json_node_get_object (b), "requests", where, 1, 1e6, &requests, error)
          || !get_number (json_node_get_object (b), "seconds", where, 1, 86400, &seconds, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_kind (const char        *kind,
            JsonObject        *obj,
            LsnKindConfig    **out,
            GError           **error)
{
  static const char * const directions[] = { "off", "left-to-right", "right-to-left", "both", NULL };
  static const char * const modes[] = { "new-only", "realtime", NULL };
  static const char * const masters[] = { "left", "right", "newest", NULL };
  g_autofree char *where = g_strdup_printf ("kinds.%s", kind);
  LsnKindConfig *kc = g_new0 (LsnKindConfig, 1);
  const char *s = NULL;
  int v;
  JsonNode *filters;
  JsonNode *fields;

  kc->kind = g_strdup (kind);
  kc->direction = LSN_DIRECTION_OFF;
  kc->mode = LSN_MODE_REALTIME;
  kc->master = LSN_MASTER_NEWEST;
  kc->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_map_free);
  *out = kc;

  v = kc->direction;
  if (!get_string (obj, "direction", where, &s, error)
      || !parse_enum (s, directions, &v, where, "direction", error))
    return FALSE;
  kc->direction = v;

  v = kc->mode;
  if (!get_string (obj, "mode", where, &s, error)
      || !parse_enum (s, modes, &v, where, "mode", error))
    return FALSE;
  kc->mode = v;

  v = kc->master;
  if (!get_string (obj, "master", where, &s, error)
      || !parse_enum (s, masters, &v, where, "master", error))
    return FALSE;
  kc->master = v;

  if (!get_bool (obj, "auto_accept_exact", where, &kc->auto_accept_exact, error)
      || !get_bool (obj, "archive_deleted", where, &kc->archive_deleted, error))
    return FALSE;

  filters = json_object_get_member (obj, "filters");
  if (filters != NULL && JSON_NODE_HOLDS_OBJECT (filters))
    {
      JsonObject *f = json_node_get_object (filters);
      g_autofree char *fwhere = g_strdup_printf ("%s.filters", where);

      if (!get_bool (f, "active_only", fwhere, &kc->active_only, error))
        return FALSE;
      if (!get_string (f, "name_contains", fwhere, &s, error))
        return FALSE;
      kc->name_contains = g_strdup (s && *s ? s : NULL);
      if (!get_string (f, "type", fwhere, &s, error))
        return FALSE;
      kc->type_filter = g_strdup (s && *s ? s : NULL);
      if (!get_string (f, "toplevel", fwhere, &s, error))
        return FALSE;
      kc->toplevel_filter = g_strdup (s && *s ? s : NULL);
    }
  else if (filters != NULL && !JSON_NODE_HOLDS_NULL (filters))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.filters must be an object", where);
      return FALSE;
    }

  fields = json_object_get_member (obj, "fields");
  if (fields != NULL && JSON_NODE_HOLDS_ARRAY (fields))
    {
      JsonArray *arr = json_node_get_array (fields);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *n = json_array_get_element (arr, i);
          LsnFieldMap *map;
          const char *l = NULL, *r = NULL, *d = NULL;
          g_autofree char *fwhere = g_strdup_printf ("%s.fields[%u]", where, i);

          if (!JSON_NODE_HOLDS_OBJECT (n))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "In the profile, %s must be {\"left\": FIELD, \"right\": FIELD}",
                           fwhere);
              return FALSE;
            }
          if (!get_string (json_node_get_object (n), "left", fwhere, &l, error)
              || !get_string (json_node_get_object (n), "right", fwhere, &r, error)
              || !get_string (json_node_get_object (n), "direction", fwhere, &d, error))
            return FALSE;
          if (l == NULL || r == NULL)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "In the profile, %s needs both \"left\" and \"right\"", fwhere);
              return FALSE;
            }
          map = g_new0 (LsnFieldMap, 1);
          map->left = g_strdup (l);
          map->right = g_strdup (r);
          map->reference_kind = g_strdup (lsn_kind_reference_of (kind, l));
          v = LSN_DIRECTION_BOTH;
          if (!parse_enum (d, directions, &v, fwhere, "direction", error))
            {
              field_map_free (map);
              return FALSE;
            }
          map->direction = v;
          g_ptr_array_add (kc->fields, map);
        }
    }
  else if (fields != NULL && !JSON_NODE_HOLDS_NULL (fields))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "In the profile, %s.fields must be a list", where);
      return FALSE;
    }

  if (kc->fields->len == 0)
    {
      const char * const *defaults = lsn_kind_default_fields (kind);
      kc->fields_default = TRUE;
      for (guint i = 0; defaults[i]; i++)
        {
          LsnFieldMap *map = g_new0 (LsnFieldMap, 1);
          map->left = g_strdup (defaults[i]);
          map->right = g_strdup (defaults[i]);
          map->reference_kind = g_strdup (lsn_kind_reference_of (kind, defaults[i]));
          map->direction = LSN_DIRECTION_BOTH;
          g_ptr_array_add (kc->fields, map);
        }
    }

  return TRUE;
}

/**
 * lsn_profile_config_parse_object:
 * @root: (transfer none): the profile file's object; copied
 *
 * Returns: (transfer full) (nullable): the checked profile
 */
LsnProfileConfig *
lsn_profile_config_parse_object (JsonObject  *root,
                                 GError     **error)
{
  g_autoptr(LsnProfileConfig) self = g_new0 (LsnProfileConfig, 1);
  g_autoptr(JsonNode) copy = NULL;
  g_autoptr(JsonNode) wrap = json_node_alloc ();
  const char *name = NULL;
  JsonNode *kinds;
  JsonNode *schedule;
  JsonNode *guard;
  double n;

  json_node_init_object (wrap, root);
  copy = json_node_copy (wrap);
  self->root = json_object_ref (json_node_get_object (copy));
  self->kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) kind_config_free);
  self->every_minutes = 15;
  self->full_every_hours = 24;
  self->quiet_seconds = 120;
  self->guard_share = 0.20;
  self->guard_min = 25;

  if (!get_string (self->root, "name", "profile", &name, error))
    return NULL;
  self->name = g_strdup (name);

  if (!parse_side (self->root, "left", error) || !parse_side (self->root, "right", error))
    return NULL;
  self->left = json_object_get_object_member (self->root, "left");
  self->right = json_object_get_object_member (self->root, "right");

  kinds = json_object_get_member (self->root, "kinds");
  if (kinds != NULL && !JSON_NODE_HOLDS_OBJECT (kinds))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "In the profile, \"kinds\" must be an object such as "
                           "{\"client\": {\"direction\": \"both\"}}");
      return NULL;
    }
  if (kinds != NULL)
    {
      JsonObject *k = json_node_get_object (kinds);
      g_autoptr(GList) members = json_object_get_members (k);

      for (GList *l = members; l; l = l->next)
        {
          gboolean known = FALSE;
          for (guint i = 0; kind_order[i]; i++)
            known |= g_str_equal (kind_order[i], l->data);
          if (!known)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "In the profile, kinds.%s is not a kind Liaison knows: use client, "
                           "site, contact, product, tax, opportunity, quote, licence or addition",
                           (const char *) l->data);
              return NULL;
            }
          if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (k, l->data)))
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "In the profile, kinds.%s must be an object",
                           (const char *) l->data);
              return NULL;
            }
        }

      for (guint i = 0; kind_order[i]; i++)
        {
          LsnKindConfig *kc = NULL;
          if (!json_object_has_member (k, kind_order[i]))
            continue;
          if (!parse_kind (kind_order[i], json_object_get_object_member (k, kind_order[i]), &kc,
                           error))
            {
              kind_config_free (kc);
              return NULL;
            }
          g_ptr_array_add (self->kinds, kc);
        }
    }

  schedule = json_object_get_member (self->root, "schedule");
  if (schedule != NULL && JSON_NODE_HOLDS_OBJECT (schedule))
    {
      n = self->every_minutes;
      if (!get_number (json_node_get_object (schedule), "every_minutes", "schedule", 1, 10080, &n,
                       error))
        return NULL;
      self->every_minutes = (guint) n;
      n = self->full_every_hours;
      if (!get_number (json_node_get_object (schedule), "full_every_hours", "schedule", 1, 8760,
                       &n, error))
        return NULL;
      self->full_every_hours = (guint) n;
    }

  n = self->quiet_seconds;
  if (!get_number (self->root, "quiet_window_seconds", "profile", 0, 86400, &n, error))
    return NULL;
  self->quiet_seconds = (guint) n;

  guard = json_object_get_member (self->root, "guard");
  if (guard != NULL && JSON_NODE_HOLDS_OBJECT (guard))
    {
      n = self->guard_share;
      if (!get_number (json_node_get_object (guard), "share", "guard", 0, 1, &n, error))
        return NULL;
      self->guard_share = n;
      n = self->guard_min;
      if (!get_number (json_node_get_object (guard), "min", "guard", 0, 1e9, &n, error))
        return NULL;
      self->guard_min = (guint) n;
    }

  return g_steal_pointer (&self);
}

/**
 * lsn_profile_config_parse:
 *
 * Returns: (transfer full) (nullable): the checked profile
 */
LsnProfileConfig *
lsn_profile_config_parse (const char  *json,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json ? json : "", -1, &local_error))
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "The profile is not valid JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                           "The profile must be a JSON object with \"left\", \"right\" and "
                           "\"kinds\"");
      return NULL;
    }
  return lsn_profile_config_parse_object (json_node_get_object (root), error);
}

LsnKindConfig *
lsn_profile_config_get_kind (LsnProfileConfig *self,
                             const char       *kind)
{
  for (guint i = 0; i < self->kinds->len; i++)
    {
      LsnKindConfig *kc = g_ptr_array_index (self->kinds, i);
      if (g_str_equal (kc->kind, kind))
        return kc;
    }
  return NULL;
}

JsonObject *
lsn_profile_config_get_side (LsnProfileConfig *self,
                             LsnSide           side)
{
  return side == LSN_SIDE_LEFT ? self->left : self->right;
}

/**
 * lsn_profile_config_to_json:
 *
 * Returns: (transfer full): the profile file, pretty-printed, without secrets
 */
char *
lsn_profile_config_to_json (LsnProfileConfig *self)
{
  g_autoptr(JsonNode) node = json_node_alloc ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_node_init_object (node, self->root);
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}
