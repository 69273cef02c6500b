/* lsn-connection-group.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-connections"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "lsn-connection-group.h"
#include "lsn-connector.h"
#include "lsn-error.h"
#include "lsn-gui-util.h"
#include "lsn-profile-config.h"
#include "lsn-sync-job.h"
#include "lsn-util.h"

/**
 * LsnConnectionGroup:
 *
 * The settings of one side of a profile: one row per setting of its connector, checked as they
 * are typed (URL form, https except on this computer, GUID form, required values), the secret in
 * a password row (never shown back: it lives in the keyring), the request budget, a short help on
 * what to create in the system, and Test Connection, which runs on a worker thread and shows one
 * row per check with the server's reason and what to change.
 *
 * The rows are made in code: which ones depends on the connector.
 */

typedef enum
{
  FIELD_TEXT,
  FIELD_URL,
  FIELD_GUID,
  FIELD_SECRET,
  FIELD_CODEBASE,
  FIELD_SOURCE,
} FieldType;

typedef struct
{
  const char *key;
  const char *title;
  FieldType   type;
  gboolean    required;
  gboolean    in_columns;     /* kept under the side's "columns" object */
  const char *default_value;  /* shown when the side has no value yet */
} Field;

static const Field halo_fields[] = {
  { "url", N_("Resource server"), FIELD_URL, TRUE },
  { "auth_url", N_("Authorisation server"), FIELD_URL, FALSE },
  { "tenant", N_("Tenant"), FIELD_TEXT, FALSE },
  { "client_id", N_("Client ID"), FIELD_GUID, TRUE },
  { "client_secret", N_("Client secret"), FIELD_SECRET, TRUE },
  { "scopes", N_("Scopes"), FIELD_TEXT, FALSE },
};

static const Field cw_fields[] = {
  { "url", N_("Site"), FIELD_URL, TRUE },
  { "company", N_("Company ID"), FIELD_TEXT, TRUE },
  { "public_key", N_("Public key"), FIELD_TEXT, TRUE },
  { "private_key", N_("Private key"), FIELD_SECRET, TRUE },
  { "client_id", N_("Client ID"), FIELD_GUID, TRUE },
  { "codebase", N_("Codebase"), FIELD_CODEBASE, FALSE },
};

/* The column keys and defaults are the feed connector's (lsn-feed-connector.c). */
static const Field feed_fields[] = {
  { "source", N_("Invoice source"), FIELD_SOURCE, TRUE },
  { "distributor", N_("Distributor"), FIELD_TEXT, TRUE },
  { "customer", N_("Customer column"), FIELD_TEXT, TRUE, TRUE, "Customer" },
  { "customer_id", N_("Customer ID column (optional)"), FIELD_TEXT, FALSE, TRUE, "CustomerId" },
  { "product_code", N_("Product code column"), FIELD_TEXT, TRUE, TRUE, "ProductCode" },
  { "product_name", N_("Product name column"), FIELD_TEXT, TRUE, TRUE, "ProductName" },
  { "quantity", N_("Quantity column"), FIELD_TEXT, TRUE, TRUE, "Quantity" },
  { "unit_price", N_("Unit price column"), FIELD_TEXT, TRUE, TRUE, "UnitPrice" },
  { "billing_cycle", N_("Billing cycle column"), FIELD_TEXT, TRUE, TRUE, "BillingCycle" },
};

struct _LsnConnectionGroup
{
  AdwPreferencesGroup  parent_instance;

  char                *side_name;     /* "left" or "right" */
  JsonObject          *original;      /* the side as loaded (unknown keys are kept) */
  const char          *connector;     /* interned */
  const Field         *fields;
  guint                n_fields;
  GPtrArray           *rows;          /* one AdwEntryRow per field */
  GPtrArray           *extra;         /* the other widgets this group added */
  GtkSpinButton       *budget_requests;
  GtkSpinButton       *budget_seconds;
  GtkWidget           *test_button;
  GtkListBox          *checks_list;
  GtkLabel            *problem_label;
  char               **kinds;
  GCancellable        *cancellable;
  guint                secret_dirty : 1;
  guint                loading : 1;
};

G_DEFINE_FINAL_TYPE (LsnConnectionGroup, lsn_connection_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
side_has_secret_ref (JsonObject *side,
                     const char *key)
{
  JsonNode *node = json_object_get_member (side, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node)
         && (json_object_get_boolean_member_with_default (json_node_get_object (node), "keyring", FALSE)
             || json_object_has_member (json_node_get_object (node), "env"));
}

static const char *
row_text (LsnConnectionGroup *self,
          guint               i)
{
  return gtk_editable_get_text (GTK_EDITABLE (g_ptr_array_index (self->rows, i)));
}

/* Validation */

static gboolean
codebase_looks_right (const char *text)
{
  /* v4_6_release, v2025_1: a "v", digits and underscores, letters after an underscore */
  if (text[0] != 'v' || !g_ascii_isdigit (text[1]))
    return FALSE;
  for (const char *p = text + 1; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '/')
      return FALSE;
  return TRUE;
}

static char *
source_problem (const char *text,
                const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (g_str_has_prefix (text, "http://") || g_str_has_prefix (text, "https://"))
    {
      if (!lsn_check_service_url (text, title, &error))
        return g_strdup (error->message);
      return NULL;
    }

  if (g_str_has_prefix (text, "file:"))
    {
      path = g_filename_from_uri (text, NULL, NULL);
      if (path == NULL)
        /* Translators: %s is a setting, such as "Invoice source" */
        return g_strdup_printf (_("%s is not a valid file:// address: choose the file instead"),
                                title);
    }
  else if (strstr (text, "://") != NULL)
    /* Translators: %s is a setting, such as "Invoice source" */
    return g_strdup_printf (_("%s must be a file or an https address"), title);
  else
    path = g_strdup (text);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    /* Translators: %s is a file path */
    return g_strdup_printf (_("There is no file “%s”: choose the invoice file, or give its "
                              "https address"), path);
  return NULL;
}

/* The problem with field @i, or NULL. */
static char *
field_problem (LsnConnectionGroup *self,
               guint               i)
{
  const Field *field = &self->fields[i];
  g_autofree char *text = g_strstrip (g_strdup (row_text (self, i)));
  g_autoptr(GError) error = NULL;

  if (*text == '\0')
    {
      if (field->type == FIELD_SECRET && side_has_secret_ref (self->original, field->key))
        return NULL;
      if (field->required)
        /* Translators: %s is a setting, such as "Client ID" */
        return g_strdup_printf (_("%s is required"), _(field->title));
      return NULL;
    }

  switch (field->type)
    {
    case FIELD_URL:
      if (!lsn_check_service_url (text, _(field->title), &error))
        return g_strdup (error->message);
      return NULL;

    case FIELD_GUID:
      if (!lsn_is_guid (text))
        /* Translators: %s is a setting, such as "Client ID" */
        return g_strdup_printf (_("%s must be a GUID, such as 0b5c2f1e-8d3a-4c6b-9e2f-1a2b3c4d5e6f"),
                                _(field->title));
      return NULL;

    case FIELD_SOURCE:
      return source_problem (text, _(field->title));

    case FIELD_CODEBASE:
      if (!codebase_looks_right (text))
        return g_strdup (_("The codebase looks like v4_6_release or v2025_1: leave it empty to "
                           "look it up"));
      return NULL;

    case FIELD_TEXT:
    case FIELD_SECRET:
    default:
      return NULL;
    }
}

static gboolean
lsn_connection_group_validate (LsnConnectionGroup *self)
{
  g_autofree char *first = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      g_autofree char *problem = field_problem (self, i);

      if (problem != NULL)
        {
          gtk_widget_add_css_class (row, "error");
          gtk_widget_set_tooltip_text (row, problem);
          gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                       -1);
          if (first == NULL)
            first = g_steal_pointer (&problem);
        }
      else
        {
          gtk_widget_remove_css_class (row, "error");
          gtk_widget_set_tooltip_text (row, NULL);
          gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
        }
    }

  gtk_label_set_label (self->problem_label, first != NULL ? first : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), first != NULL);

  return first == NULL;
}

static void
row_changed_cb (LsnConnectionGroup *self,
                GtkEditable        *editable)
{
  if (self->loading)
    return;

  if (ADW_IS_PASSWORD_ENTRY_ROW (editable))
    self->secret_dirty = TRUE;

  lsn_connection_group_validate (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
budget_changed_cb (LsnConnectionGroup *self,
                   GtkSpinButton      *spin)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

/* Test connection */

typedef struct
{
  JsonObject *side;
  char       *secret;   /* (nullable): typed, not saved yet */
  char      **kinds;
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_pointer (&data->side, json_object_unref);
  if (data->secret != NULL)
    {
      memset (data->secret, 0, strlen (data->secret));
      g_free (data->secret);
    }
  g_strfreev (data->kinds);
  g_free (data);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  g_autoptr(LsnConnector) connector = NULL;
  GError *error = NULL;

  if (data->secret != NULL)
    connector = lsn_connector_new_from_settings (data->side, data->secret, &error);
  else
    connector = lsn_sync_build_connector (data->side, &error);

  if (connector == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task,
                         lsn_connector_test_connection (connector,
                                                        (const char * const *) data->kinds,
                                                        cancellable),
                         (GDestroyNotify) g_ptr_array_unref);
}

static const char *
check_title (const char *name)
{
  if (g_strcmp0 (name, "Reachable") == 0)
    return _("Reachable");
  if (g_strcmp0 (name, "Authenticated") == 0)
    return _("Authenticated");
  if (g_strcmp0 (name, "Clock") == 0)
    return _("Clock");
  if (g_strcmp0 (name, "Read the invoice") == 0)
    return _("Read the invoice");
  if (g_strcmp0 (name, "Invoice rows") == 0)
    return _("Invoice rows");
  return name;
}

static GtkWidget *
check_row_new (const char *name,
               gboolean    ok,
               const char *message,
               const char *hint)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *state = NULL;

  if (message != NULL)
    g_string_append (subtitle, message);
  if (hint != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, "\n");
      /* Translators: what to change after a failed check */
      g_string_append_printf (subtitle, _("What to do: %s"), hint);
    }
  if (subtitle->len == 0)
    g_string_append (subtitle, ok ? _("Passed") : _("Failed"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), check_title (name));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_add_css_class (icon, ok ? "success" : "error");
  state = g_strdup (ok ? _("Passed") : _("Failed"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, state,
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  /* The check's state is part of what a screen reader says of the row. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state,
                                  -1);

  return row;
}

static void
clear_checks (LsnConnectionGroup *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->checks_list))) != NULL)
    gtk_list_box_remove (self->checks_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->checks_list), FALSE);
}

static void
test_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnConnectionGroup) self = user_data;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;

  checks = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_sensitive (self->test_button, TRUE);
  clear_checks (self);

  if (checks == NULL)
    gtk_list_box_append (self->checks_list,
                         check_row_new (_("Settings"), FALSE, error->message,
                                        _("Correct the settings above, then test again")));
  else
    for (guint i = 0; i < checks->len; i++)
      {
        LsnCheck *check = g_ptr_array_index (checks, i);

        gtk_list_box_append (self->checks_list,
                             check_row_new (check->name, check->ok, check->message, check->hint));
      }

  gtk_widget_set_visible (GTK_WIDGET (self->checks_list), TRUE);
}

/**
 * lsn_connection_group_test:
 * @self: a #LsnConnectionGroup
 *
 * Tests the connection as the rows say now (with the secret typed, or the one in the keyring),
 * on a worker thread; shows one row per check.
 */
void
lsn_connection_group_test (LsnConnectionGroup *self)
{
  g_autoptr(GTask) task = NULL;
  TestData *data;
  guint secret_index = G_MAXUINT;

  g_return_if_fail (LSN_IS_CONNECTION_GROUP (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (TestData, 1);
  data->side = lsn_connection_group_dup_settings (self);
  data->kinds = g_strdupv (self->kinds);
  for (guint i = 0; i < self->n_fields; i++)
    if (self->fields[i].type == FIELD_SECRET)
      secret_index = i;
  if (secret_index != G_MAXUINT && *row_text (self, secret_index) != '\0')
    data->secret = g_strdup (row_text (self, secret_index));

  clear_checks (self);
  gtk_list_box_append (self->checks_list,
                       check_row_new (_("Testing…"), TRUE, _("Asking the server"), NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->checks_list), TRUE);
  gtk_widget_set_sensitive (self->test_button, FALSE);

  task = g_task_new (NULL, self->cancellable, test_cb, g_object_ref (self));
  g_task_set_source_tag (task, lsn_connection_group_test);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  g_task_run_in_thread (task, test_thread);
}

static void
test_button_clicked_cb (LsnConnectionGroup *self,
                        GtkButton          *button)
{
  lsn_connection_group_test (self);
}

/* Choosing the invoice file */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  GtkEditable *row = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (row, path);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (row);
  g_object_unref (chooser);
}

static void
choose_source_clicked_cb (LsnConnectionGroup *self,
                          GtkButton          *button)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "lsn-source-row");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) invoices = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose the Invoice"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (invoices, _("Invoices (CSV, JSON)"));
  gtk_file_filter_add_mime_type (invoices, "text/csv");
  gtk_file_filter_add_mime_type (invoices, "application/json");
  gtk_file_filter_add_suffix (invoices, "csv");
  gtk_file_filter_add_suffix (invoices, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), invoices);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (row));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Building */

static const char *
help_text (const char *connector)
{
  if (g_strcmp0 (connector, "halopsa") == 0)
    return _("In HaloPSA, open Configuration › Integrations › HaloPSA API. Copy the Resource "
             "Server, the Authorisation Server and the Tenant from there. Then choose View "
             "Applications › New: name it Liaison, set the Authentication Method to “Client ID "
             "and Secret (Services)”, the Login Type to Agent, and choose an agent to log in as. "
             "Give the application the scope “all”, or at least read:customers and "
             "edit:customers (clients, sites and contacts) plus read:/edit: items, crm, sales "
             "and quotes for the other kinds you sync; the agent needs the same access. Save, "
             "then copy its Client ID and Client Secret here (the secret is shown once).");
  if (g_strcmp0 (connector, "connectwise") == 0)
    return _("In ConnectWise Manage, open System › Members › API Members and add a member (for "
             "example LiaisonAPI) with a security role that may inquire, add and edit Companies, "
             "Company Sites and Contacts (and Products, Opportunities, Sales and Finance for the "
             "other kinds you sync). Save, open its API Keys tab and add a key: copy the public "
             "and the private key here; the private key is shown only once. The Site is your API "
             "address, such as https://api-na.myconnectwise.net; the Company ID is the one you "
             "log in with. The Client ID comes from developer.connectwise.com/ClientID. Leave "
             "the Codebase empty to look it up.");
  if (g_strcmp0 (connector, "feed") == 0)
    return _("Export the invoice from your distributor’s portal as CSV or JSON, one row per "
             "licence line, and choose the file here, or give the https address it is "
             "published at. The distributor name is written on every licence this feed "
             "creates; a clean-up only deletes licences that carry it. Under the columns, give "
             "the invoice’s own column names.");
  return _("This system has no settings Liaison can edit here.");
}

static void
add_extra (LsnConnectionGroup *self,
           GtkWidget          *widget)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), widget);
  g_ptr_array_add (self->extra, widget);
}

static void
lsn_connection_group_clear (LsnConnectionGroup *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->rows, i));
  for (guint i = 0; i < self->extra->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->extra, i));
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->extra, 0);
  self->budget_requests = NULL;
  self->budget_seconds = NULL;
  self->checks_list = NULL;
  self->problem_label = NULL;
}

static GtkWidget *
spin_new (double      min,
          double      max,
          double      value,
          const char *accessible_name)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  -1);
  return spin;
}

static void
lsn_connection_group_build (LsnConnectionGroup *self)
{
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  JsonNode *budget_node;
  JsonObject *budget = NULL;
  GtkWidget *expander;
  GtkWidget *help_row;
  GtkWidget *help_label;
  GtkWidget *budget_row;
  GtkWidget *box;
  gboolean cw = g_strcmp0 (self->connector, "connectwise") == 0;
  gboolean feed = g_strcmp0 (self->connector, "feed") == 0;
  JsonNode *columns_node = json_object_get_member (self->original, "columns");
  JsonObject *columns = NULL;
  double requests = cw ? 600 : 300;
  double seconds = cw ? 60 : 300;

  lsn_connection_group_clear (self);

  /* Translators: "Left: HaloPSA" */
  title = g_strdup_printf (g_str_equal (self->side_name, "left") ? _("Left: %s") : _("Right: %s"),
                           lsn_gui_connector_label (self->connector));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("Changes are saved as you type and apply from the next run."));

  if (cw)
    {
      self->fields = cw_fields;
      self->n_fields = G_N_ELEMENTS (cw_fields);
    }
  else if (g_strcmp0 (self->connector, "halopsa") == 0)
    {
      self->fields = halo_fields;
      self->n_fields = G_N_ELEMENTS (halo_fields);
    }
  else if (feed)
    {
      self->fields = feed_fields;
      self->n_fields = G_N_ELEMENTS (feed_fields);
    }
  else
    {
      self->fields = NULL;
      self->n_fields = 0;
    }

  expander = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                 feed ? _("How to get the invoice")
                                 : cw ? _("How to create the API member")
                                 : _("How to create the API application"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander),
                                 feed ? _("Where the invoice comes from, and what its columns are called")
                                 : _("What to set up in the system, and the permissions Liaison needs"));
  help_label = gtk_label_new (help_text (self->connector));
  gtk_label_set_wrap (GTK_LABEL (help_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (help_label), 0);
  gtk_label_set_selectable (GTK_LABEL (help_label), TRUE);
  gtk_widget_set_margin_top (help_label, 12);
  gtk_widget_set_margin_bottom (help_label, 12);
  gtk_widget_set_margin_start (help_label, 12);
  gtk_widget_set_margin_end (help_label, 12);
  help_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (help_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (help_row), help_label);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), help_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), expander);
  g_ptr_array_add (self->extra, expander);

  if (columns_node != NULL && JSON_NODE_HOLDS_OBJECT (columns_node))
    columns = json_node_get_object (columns_node);

  self->loading = TRUE;
  for (guint i = 0; i < self->n_fields; i++)
    {
      const Field *field = &self->fields[i];
      GtkWidget *row;
      JsonNode *node;
      g_autofree char *value = NULL;

      if (field->in_columns)
        node = columns != NULL ? json_object_get_member (columns, field->key) : NULL;
      else
        node = json_object_get_member (self->original, field->key);

      if (field->type == FIELD_SECRET)
        {
          g_autofree char *secret_title = NULL;

          row = adw_password_entry_row_new ();
          if (side_has_secret_ref (self->original, field->key))
            /* Translators: %s is a setting, such as "Client secret" */
            secret_title = g_strdup_printf (_("%s (saved in the keyring; type to replace)"),
                                            _(field->title));
          else
            secret_title = g_strdup (_(field->title));
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), secret_title);
        }
      else
        {
          row = adw_entry_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(field->title));
          if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
              && json_node_get_value_type (node) == G_TYPE_STRING)
            value = g_strdup (json_node_get_string (node));
          else if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
            {
              JsonArray *array = json_node_get_array (node);
              g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
              g_auto(GStrv) words = NULL;

              for (guint k = 0; k < json_array_get_length (array); k++)
                {
                  JsonNode *element = json_array_get_element (array, k);

                  if (JSON_NODE_HOLDS_VALUE (element)
                      && json_node_get_value_type (element) == G_TYPE_STRING)
                    g_strv_builder_add (builder, json_node_get_string (element));
                }
              words = g_strv_builder_end (builder);
              value = g_strjoinv (" ", words);
            }
          else if (node == NULL && field->default_value != NULL)
            value = g_strdup (field->default_value);
          gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
        }
      /* The row is labelled by its title: a label property too would make GTK 4.8 say the
       * name twice ("Tenant Tenant"). */
      g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), self,
                               G_CONNECT_SWAPPED);
      if (field->type == FIELD_SOURCE)
        {
          GtkWidget *choose = gtk_button_new_from_icon_name ("document-open-symbolic");

          gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (choose, "flat");
          gtk_widget_set_tooltip_text (choose, _("Choose the invoice file"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (choose),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Choose the invoice file"),
                                          -1);
          g_object_set_data (G_OBJECT (choose), "lsn-source-row", row);
          g_signal_connect_object (choose, "clicked", G_CALLBACK (choose_source_clicked_cb), self,
                                   G_CONNECT_SWAPPED);
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), choose);
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
      g_ptr_array_add (self->rows, row);
    }

  budget_node = feed ? NULL : json_object_get_member (self->original, "budget");
  if (budget_node != NULL && JSON_NODE_HOLDS_OBJECT (budget_node))
    budget = json_node_get_object (budget_node);
  if (budget != NULL)
    {
      requests = json_object_get_int_member_with_default (budget, "requests", (gint64) requests);
      seconds = json_object_get_int_member_with_default (budget, "seconds", (gint64) seconds);
    }

  /* A feed is one file read: it has no request budget. */
  if (!feed)
    {
      budget_row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (budget_row), _("Request budget"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (budget_row),
                                   _("Requests per rolling window of seconds; Liaison paces itself "
                                     "to stay inside it"));
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      self->budget_requests = GTK_SPIN_BUTTON (spin_new (1, 100000, requests, _("Requests")));
      self->budget_seconds = GTK_SPIN_BUTTON (spin_new (1, 86400, seconds, _("Seconds")));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->budget_requests));
      /* Translators: between the requests and the seconds of a budget: "300 per 300 s" */
      gtk_box_append (GTK_BOX (box), gtk_label_new (_("per")));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->budget_seconds));
      gtk_box_append (GTK_BOX (box), gtk_label_new (_("s")));
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (budget_row), box);
      g_signal_connect_object (self->budget_requests, "value-changed", G_CALLBACK (budget_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->budget_seconds, "value-changed", G_CALLBACK (budget_changed_cb),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), budget_row);
      g_ptr_array_add (self->extra, budget_row);
    }

  self->problem_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->problem_label, TRUE);
  gtk_label_set_xalign (self->problem_label, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->problem_label), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
  add_extra (self, GTK_WIDGET (self->problem_label));

  self->checks_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->checks_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->checks_list), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (self->checks_list), 12);
  gtk_widget_set_visible (GTK_WIDGET (self->checks_list), FALSE);
  /* Translators: %s is a system, such as HaloPSA */
  description = g_strdup_printf (_("Test results of %s"), lsn_gui_connector_label (self->connector));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->checks_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  add_extra (self, GTK_WIDGET (self->checks_list));

  gtk_widget_set_sensitive (self->test_button, self->n_fields > 0);
  self->loading = FALSE;
  self->secret_dirty = FALSE;
  lsn_connection_group_validate (self);
}

/* GObject */

static void
lsn_connection_group_dispose (GObject *object)
{
  LsnConnectionGroup *self = LSN_CONNECTION_GROUP (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (lsn_connection_group_parent_class)->dispose (object);
}

static void
lsn_connection_group_finalize (GObject *object)
{
  LsnConnectionGroup *self = LSN_CONNECTION_GROUP (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->original, json_object_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->extra, g_ptr_array_unref);
  g_clear_pointer (&self->kinds, g_strfreev);
  g_clear_pointer (&self->side_name, g_free);

  G_OBJECT_CLASS (lsn_connection_group_parent_class)->finalize (object);
}

static void
lsn_connection_group_class_init (LsnConnectionGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lsn_connection_group_dispose;
  object_class->finalize = lsn_connection_group_finalize;

  /**
   * LsnConnectionGroup::changed:
   *
   * A setting was edited.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lsn_connection_group_init (LsnConnectionGroup *self)
{
  GtkWidget *label;

  self->rows = g_ptr_array_new ();
  self->extra = g_ptr_array_new ();
  self->original = json_object_new ();
  self->cancellable = g_cancellable_new ();

  self->test_button = gtk_button_new ();
  label = gtk_label_new_with_mnemonic (_("_Test Connection"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->test_button);
  gtk_button_set_child (GTK_BUTTON (self->test_button), label);
  gtk_widget_set_valign (self->test_button, GTK_ALIGN_CENTER);
  g_signal_connect_object (self->test_button, "clicked", G_CALLBACK (test_button_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self), self->test_button);
}

/**
 * lsn_connection_group_new:
 * @side_name: "left" or "right"
 *
 * Returns: (transfer floating): a new group, empty until lsn_connection_group_set_settings()
 */
GtkWidget *
lsn_connection_group_new (const char *side_name)
{
  LsnConnectionGroup *self = g_object_new (LSN_TYPE_CONNECTION_GROUP, NULL);

  self->side_name = g_strdup (side_name);

  return GTK_WIDGET (self);
}

/**
 * lsn_connection_group_set_settings:
 * @self: a #LsnConnectionGroup
 * @side: one side of a profile file (copied)
 *
 * Shows @side. A side without a connector is shown as HaloPSA on the left, ConnectWise Manage on
 * the right; a side without an id gets one (the key of its secret in the keyring).
 */
void
lsn_connection_group_set_settings (LsnConnectionGroup *self,
                                   JsonObject         *side)
{
  const char *connector;

  g_return_if_fail (LSN_IS_CONNECTION_GROUP (self));
  g_return_if_fail (side != NULL);

  g_clear_pointer (&self->original, json_object_unref);
  self->original = lsn_gui_copy_object (side);

  connector = json_object_get_string_member_with_default (self->original, "connector", NULL);
  if (connector == NULL)
    {
      connector = g_str_equal (self->side_name, "left") ? "halopsa" : "connectwise";
      json_object_set_string_member (self->original, "connector", connector);
    }
  self->connector = g_intern_string (connector);

  if (!json_object_has_member (self->original, "id"))
    {
      g_autofree char *id = g_uuid_string_random ();

      json_object_set_string_member (self->original, "id", id);
    }

  g_cancellable_cancel (self->cancellable);
  lsn_connection_group_build (self);
}

/**
 * lsn_connection_group_set_kinds:
 * @kinds: (array zero-terminated=1) (nullable): the kinds the profile syncs, whose read
 *   permission Test Connection checks
 */
void
lsn_connection_group_set_kinds (LsnConnectionGroup *self,
                                const char * const *kinds)
{
  g_return_if_fail (LSN_IS_CONNECTION_GROUP (self));

  g_strfreev (self->kinds);
  self->kinds = g_strdupv ((char **) kinds);
}

/**
 * lsn_connection_group_is_valid:
 *
 * Returns: whether every setting has an acceptable form
 */
gboolean
lsn_connection_group_is_valid (LsnConnectionGroup *self)
{
  g_return_val_if_fail (LSN_IS_CONNECTION_GROUP (self), FALSE);

  return lsn_connection_group_validate (self);
}

/**
 * lsn_connection_group_get_id:
 *
 * Returns: the connection id, the key of its secret
 */
const char *
lsn_connection_group_get_id (LsnConnectionGroup *self)
{
  g_return_val_if_fail (LSN_IS_CONNECTION_GROUP (self), NULL);

  return json_object_get_string_member_with_default (self->original, "id", NULL);
}

/**
 * lsn_connection_group_dup_settings:
 *
 * Returns: (transfer full): the side as edited, without the secret (a keyring reference when one
 *   was typed)
 */
JsonObject *
lsn_connection_group_dup_settings (LsnConnectionGroup *self)
{
  JsonObject *side;
  JsonObject *budget;

  g_return_val_if_fail (LSN_IS_CONNECTION_GROUP (self), NULL);

  side = lsn_gui_copy_object (self->original);

  for (guint i = 0; i < self->n_fields; i++)
    {
      const Field *field = &self->fields[i];
      g_autofree char *text = g_strstrip (g_strdup (row_text (self, i)));

      if (field->in_columns)
        {
          JsonNode *node = json_object_get_member (side, "columns");
          JsonObject *columns;

          if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
            json_object_set_object_member (side, "columns", json_object_new ());
          columns = json_object_get_object_member (side, "columns");
          if (*text == '\0')
            json_object_remove_member (columns, field->key);
          else
            json_object_set_string_member (columns, field->key, text);
          continue;
        }

      if (field->type == FIELD_SECRET)
        {
          if (*text != '\0')
            {
              JsonObject *where = json_object_new ();

              json_object_set_boolean_member (where, "keyring", TRUE);
              json_object_set_object_member (side, field->key, where);
            }
          continue;
        }

      if (*text == '\0')
        json_object_remove_member (side, field->key);
      else
        json_object_set_string_member (side, field->key, text);
    }

  if (self->budget_requests != NULL)
    {
      budget = json_object_new ();
      json_object_set_int_member (budget, "requests",
                                  gtk_spin_button_get_value_as_int (self->budget_requests));
      json_object_set_int_member (budget, "seconds",
                                  gtk_spin_button_get_value_as_int (self->budget_seconds));
      json_object_set_object_member (side, "budget", budget);
    }

  return side;
}

/**
 * lsn_connection_group_take_secret:
 *
 * Returns: (transfer full) (nullable): the secret typed since it was last taken, to be saved
 */
char *
lsn_connection_group_take_secret (LsnConnectionGroup *self)
{
  g_return_val_if_fail (LSN_IS_CONNECTION_GROUP (self), NULL);

  if (!self->secret_dirty)
    return NULL;

  for (guint i = 0; i < self->n_fields; i++)
    if (self->fields[i].type == FIELD_SECRET && *row_text (self, i) != '\0')
      {
        self->secret_dirty = FALSE;
        return g_strdup (row_text (self, i));
      }

  return NULL;
}
