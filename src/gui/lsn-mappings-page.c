/* lsn-mappings-page.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-mappings"

#include "config.h"

#include <glib/gi18n.h>

#include "lsn-error.h"
#include "lsn-gui-util.h"
#include "lsn-mapping-editor.h"
#include "lsn-mapping-row-dialog.h"
#include "lsn-mapping-suggestions-dialog.h"
#include "lsn-mapping-view.h"
#include "lsn-mappings-page.h"

/**
 * LsnMappingsPage:
 *
 * The client mapping editor (modelled on GravityZone's client-mapping table): one side's clients
 * with the record each is mapped to on the other side, whether it is in the sync and its status;
 * searches for both sides, an All / Mapped / Unmapped filter, a top-level filter and sortable
 * columns. Edits, accepted suggestions and rejections stay in #LsnMappingEditor until Save, which
 * writes them in one transaction.
 *
 * A billing-feed profile has two editors behind a switch: the invoice's customers mapped to
 * HaloPSA clients, and its products mapped to the licences of their customer's client.
 *
 * The logic lives in LsnMappingEditor (src/core, tested without widgets); this page only shows
 * it. Loading and saving run on worker threads.
 */
struct _LsnMappingsPage
{
  AdwBin             parent_instance;

  /* Template children */
  GtkDropDown       *kind_dropdown;
  GtkSearchEntry    *search_mine;
  GtkSearchEntry    *search_other;
  GtkDropDown       *filter_dropdown;
  GtkDropDown       *toplevel_dropdown;
  GtkButton         *suggest_button;
  GtkStack          *stack;
  AdwStatusPage     *message_page;
  GtkColumnView     *column_view;
  GtkLabel          *summary_label;
  GtkButton         *save_button;
  GtkButton         *discard_button;

  LsnStore          *store;       /* (nullable) */
  LsnProfile        *profile;     /* (nullable) */
  LsnMappingEditor  *editor;      /* (nullable): until loaded */
  GtkSortListModel  *sorted;
  LsnMappingView    *view;
  GCancellable      *cancellable;
  GStrv              toplevels;
  const char        *kind;        /* "client", or "licence" for a feed profile's products */
  LsnSide            rows_side;   /* the side whose records are the rows */
  guint              feed : 1;    /* a billing-feed profile */
  guint              saving : 1;
  guint              loading : 1;
  guint              refresh_pending : 1;   /* asked while it could not be done */
  guint              n_dialogs;             /* row and suggestion dialogs open on the editor */
  guint              save_serial;           /* saves begun */
  guint              load_serial;           /* save_serial when the reading began */
  guint              updating_kind : 1;
  guint              updating_toplevels : 1;
};

G_DEFINE_FINAL_TYPE (LsnMappingsPage, lsn_mappings_page, ADW_TYPE_BIN)

static const char *
side_connector (LsnMappingsPage *self,
                LsnSide          side)
{
  return self->editor ? lsn_mapping_editor_get_connector (self->editor, side) : NULL;
}

static const char *
rows_noun (LsnMappingsPage *self,
           gboolean         plural)
{
  return lsn_gui_mapping_noun (self->kind, side_connector (self, self->rows_side), plural);
}

static void
update_summary (LsnMappingsPage *self)
{
  guint pending = self->editor ? lsn_mapping_editor_get_n_pending (self->editor) : 0;
  guint shown = self->view ? g_list_model_get_n_items (G_LIST_MODEL (self->view)) : 0;
  guint total = self->editor ? g_list_model_get_n_items (lsn_mapping_editor_get_rows (self->editor)) : 0;
  g_autofree char *text = NULL;
  const char *noun = rows_noun (self, TRUE);

  if (pending > 0)
    /* Translators: shown under the mapping table; the second %s is "clients", "products"... */
    text = g_strdup_printf (ngettext ("%u of %u %s shown · %u unsaved change",
                                      "%u of %u %s shown · %u unsaved changes", pending),
                            shown, total, noun, pending);
  else
    text = g_strdup_printf (_("%u of %u %s shown"), shown, total, noun);
  gtk_label_set_text (self->summary_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), pending > 0 && !self->saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->discard_button), pending > 0 && !self->saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->suggest_button), self->editor != NULL && !self->saving);
}

static void
show_message (LsnMappingsPage *self,
              const char      *title,
              const char      *description)
{
  adw_status_page_set_title (self->message_page, title);
  adw_status_page_set_description (self->message_page, description);
  gtk_stack_set_visible_child_name (self->stack, "message");
  gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_stack_get_child_by_name (self->stack, "table")),
                               GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

static void
show_error (LsnMappingsPage *self,
            const char      *heading,
            const GError    *error)
{
  AdwMessageDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_message ("%s: %s", heading, error->message);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
apply_filter (LsnMappingsPage *self,
              LsnFilterChange  change)
{
  if (self->view == NULL)
    return;
  lsn_mapping_view_refilter (self->view, change);
  update_summary (self);
}

static void
search_changed_cb (LsnMappingsPage *self,
                   GtkSearchEntry  *entry)
{
  LsnSide side;

  if (self->editor == NULL)
    return;
  side = lsn_mapping_editor_get_side (self->editor);
  if (entry == self->search_other)
    side = side == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT;
  apply_filter (self, lsn_mapping_editor_set_search (self->editor, side,
                                                     gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static void
filter_changed_cb (LsnMappingsPage *self)
{
  static const LsnMappingFilter filters[] = {
    LSN_MAPPING_FILTER_ALL, LSN_MAPPING_FILTER_MAPPED, LSN_MAPPING_FILTER_UNMAPPED,
  };
  guint selected = gtk_drop_down_get_selected (self->filter_dropdown);

  if (self->editor == NULL || selected >= G_N_ELEMENTS (filters))
    return;
  apply_filter (self, lsn_mapping_editor_set_filter (self->editor, filters[selected]));
}

static void
toplevel_changed_cb (LsnMappingsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->toplevel_dropdown);
  const char *toplevel = NULL;

  if (self->editor == NULL || self->updating_toplevels)
    return;
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && self->toplevels != NULL
      && selected <= g_strv_length (self->toplevels))
    toplevel = self->toplevels[selected - 1];
  apply_filter (self, lsn_mapping_editor_set_toplevel (self->editor, toplevel));
}

static void
view_items_changed_cb (LsnMappingsPage *self)
{
  update_summary (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Columns                                                                                      */

static LsnMappingRow *
item_row (GtkListItem *item)
{
  return LSN_MAPPING_ROW (gtk_list_item_get_item (item));
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_name (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      lsn_mapping_row_get_name (item_row (item)));
}

static void
bind_toplevel (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  data)
{
  const char *t = lsn_mapping_row_get_toplevel (item_row (item));
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), t ? t : "");
}

static void
bind_other (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  LsnMappingRow *row = item_row (item);
  const char *id = lsn_mapping_row_get_other_id (row);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  if (id == NULL)
    text = g_strdup (_("Not mapped"));
  else if (*id == '\0')
    /* Translators: %s is the name of a record created when the changes are saved */
    text = g_strdup_printf (_("%s (new)"), lsn_mapping_row_get_other_name (row));
  else
    text = g_strdup (lsn_mapping_row_get_other_name (row));
  if (lsn_mapping_row_get_pending (row))
    {
      /* Translators: a change that is not saved yet */
      char *t = g_strdup_printf (_("%s · unsaved"), text);
      g_free (text);
      text = t;
    }
  gtk_label_set_text (label, text);
  if (id == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
}

static void
included_toggled_cb (GtkCheckButton *check,
                     GtkListItem    *item)
{
  LsnMappingsPage *self = g_object_get_data (G_OBJECT (check), "lsn-page");
  LsnMappingRow *row = item_row (item);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (self == NULL || self->editor == NULL || row == NULL
      || gtk_check_button_get_active (check) == lsn_mapping_row_get_included (row))
    return;
  id = g_strdup (lsn_mapping_row_get_id (row));
  if (!lsn_mapping_editor_set_included (self->editor, id, gtk_check_button_get_active (check),
                                        &error))
    {
      gtk_check_button_set_active (check, lsn_mapping_row_get_included (row));
      show_error (self, _("Cannot Change the Sync of This Client"), error);
    }
  update_summary (self);
}

static void
setup_included (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  page)
{
  GtkWidget *check = gtk_check_button_new ();

  g_object_set_data (G_OBJECT (check), "lsn-page", page);
  g_signal_connect (check, "toggled", G_CALLBACK (included_toggled_cb), item);
  gtk_list_item_set_child (item, check);
}

static void
bind_included (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  data)
{
  LsnMappingRow *row = item_row (item);
  GtkWidget *check = gtk_list_item_get_child (item);
  g_autofree char *label = NULL;

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), lsn_mapping_row_get_included (row));
  gtk_widget_set_sensitive (check, lsn_mapping_row_get_other_id (row) != NULL);
  /* Translators: %s is a client's name */
  label = g_strdup_printf (_("Include %s in the sync"), lsn_mapping_row_get_name (row));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
status_clicked_cb (GtkButton   *button,
                   GtkListItem *item)
{
  LsnMappingsPage *self = g_object_get_data (G_OBJECT (button), "lsn-page");
  LsnMappingRow *row = item_row (item);
  g_autofree char *target = NULL;

  if (self == NULL || self->editor == NULL || row == NULL)
    return;
  target = g_strdup_printf ("record:%s:%s:%s", lsn_mapping_editor_get_kind (self->editor),
                            lsn_mapping_editor_get_side (self->editor) == LSN_SIDE_LEFT ? "left" : "right",
                            lsn_mapping_row_get_id (row));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-activity", "s", target);
}

static void
setup_status (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "lsn-page", page);
  g_signal_connect (button, "clicked", G_CALLBACK (status_clicked_cb), item);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gtk_list_item_set_child (item, box);
}

static void
bind_status (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  LsnMappingRow *row = item_row (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *label = gtk_widget_get_first_child (box);
  GtkWidget *button = gtk_widget_get_last_child (box);
  const char *text = NULL;

  switch (lsn_mapping_row_get_status (row))
    {
    case LSN_MAPPING_STATUS_OK:
      text = _("OK");
      break;
    case LSN_MAPPING_STATUS_NOT_MAPPED:
      text = _("Not mapped");
      break;
    case LSN_MAPPING_STATUS_MISSING:
      /* the mapped record (or this one) was deleted or merged */
      text = _("Missing");
      break;
    case LSN_MAPPING_STATUS_HAS_EVENTS:
    default:
      break;
    }
  gtk_widget_set_visible (label, text != NULL);
  gtk_widget_set_visible (button, text == NULL);
  if (text != NULL)
    gtk_label_set_text (GTK_LABEL (label), text);
  else
    {
      g_autofree char *b = g_strdup_printf (ngettext ("Has %u event", "Has %u events",
                                                      lsn_mapping_row_get_n_events (row)),
                                            lsn_mapping_row_get_n_events (row));
      g_autofree char *tip = g_strdup_printf (_("Show the events of %s"),
                                              lsn_mapping_row_get_name (row));
      gtk_button_set_label (GTK_BUTTON (button), b);
      gtk_widget_set_tooltip_text (button, tip);
    }
  if (lsn_mapping_row_get_status (row) == LSN_MAPPING_STATUS_MISSING)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

/* A reading cannot replace the editor while the person works on it: unsaved changes, a save,
 * or a dialog that holds the editor (what is chosen there goes to that editor). */
static gboolean
refresh_blocked (LsnMappingsPage *self)
{
  return self->loading || self->saving || self->n_dialogs > 0
         || lsn_mappings_page_has_changes (self);
}

static void
refresh_if_pending (LsnMappingsPage *self)
{
  if (self->refresh_pending && !refresh_blocked (self))
    lsn_mappings_page_refresh (self);
}

static void
row_dialog_done_cb (LsnMappingsPage *self)
{
  self->n_dialogs--;
  update_summary (self);
  refresh_if_pending (self);
}

static void
edit_clicked_cb (GtkButton   *button,
                 GtkListItem *item)
{
  LsnMappingsPage *self = g_object_get_data (G_OBJECT (button), "lsn-page");
  LsnMappingRow *row = item_row (item);
  GtkWidget *dialog;
  GtkRoot *root;

  if (self == NULL || self->editor == NULL || row == NULL || self->saving)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = lsn_mapping_row_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       self->editor, lsn_mapping_row_get_id (row));
  self->n_dialogs++;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (row_dialog_done_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
setup_edit (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  page)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("document-edit-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "lsn-page", page);
  g_signal_connect (button, "clicked", G_CALLBACK (edit_clicked_cb), item);
  gtk_list_item_set_child (item, button);
}

static void
bind_edit (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  GtkWidget *button = gtk_list_item_get_child (item);
  /* Translators: %s is a client's name */
  g_autofree char *label = g_strdup_printf (_("Edit Mapping of %s"),
                                            lsn_mapping_row_get_name (item_row (item)));

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      column)
{
  return lsn_mapping_row_compare ((LsnMappingRow *) a, (LsnMappingRow *) b,
                                  GPOINTER_TO_INT (column));
}

static GtkColumnViewColumn *
add_column (LsnMappingsPage   *self,
            const char        *title,
            GCallback          setup,
            GCallback          bind,
            int                sort_column,
            gboolean           expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", setup, self);
  g_signal_connect (factory, "bind", bind, self);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (sort_column >= 0)
    {
      g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows,
                                                                      GINT_TO_POINTER (sort_column),
                                                                      NULL));
      gtk_column_view_column_set_sorter (column, sorter);
    }
  gtk_column_view_append_column (self->column_view, column);
  return column;
}

/* ------------------------------------------------------------------------------------------ */

static void
fill_toplevels (LsnMappingsPage *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  g_clear_pointer (&self->toplevels, g_strfreev);
  self->toplevels = lsn_mapping_editor_list_toplevels (self->editor);
  gtk_string_list_append (list, g_str_equal (self->kind, "licence") ? _("All customers")
                                                                     : _("All top levels"));
  for (guint i = 0; self->toplevels[i]; i++)
    gtk_string_list_append (list, self->toplevels[i]);
  self->updating_toplevels = TRUE;
  gtk_drop_down_set_model (self->toplevel_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->toplevel_dropdown, 0);
  self->updating_toplevels = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->toplevel_dropdown), self->toplevels[0] != NULL);
}

static void
set_editor (LsnMappingsPage  *self,
            LsnMappingEditor *editor)
{
  LsnSide side, other;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  if (self->view != NULL)
    g_signal_handlers_disconnect_by_func (self->view, view_items_changed_cb, self);
  gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->view);
  g_clear_object (&self->sorted);
  g_clear_object (&self->editor);

  if (editor == NULL)
    {
      update_summary (self);
      return;
    }

  self->editor = g_object_ref (editor);
  side = lsn_mapping_editor_get_side (editor);
  other = side == LSN_SIDE_LEFT ? LSN_SIDE_RIGHT : LSN_SIDE_LEFT;

  /* the column titles name the systems */
  /* Translators: %s is a system, e.g. HaloPSA */
  /* Translators: a column title: a system and what it holds ("HaloPSA Client", "Invoice Product") */
  mine = g_strdup_printf (_("%s %s"), lsn_gui_mapping_system (side_connector (self, side)),
                          lsn_gui_mapping_noun (self->kind, side_connector (self, side), FALSE));
  theirs = g_strdup_printf (_("%s %s"), lsn_gui_mapping_system (side_connector (self, other)),
                            lsn_gui_mapping_noun (self->kind, side_connector (self, other), FALSE));
  {
    g_autoptr(GtkColumnViewColumn) c0 = g_list_model_get_item (columns, 0);
    g_autoptr(GtkColumnViewColumn) c1 = g_list_model_get_item (columns, 1);
    g_autoptr(GtkColumnViewColumn) c2 = g_list_model_get_item (columns, 2);
    gtk_column_view_column_set_title (c0, mine);
    gtk_column_view_column_set_title (c2, theirs);
    /* an invoice's products are grouped by customer; an invoice has no top levels */
    gtk_column_view_column_set_title (c1, g_str_equal (self->kind, "licence") ? _("Customer")
                                                                             : _("Top Level"));
    gtk_column_view_column_set_visible (c1, !self->feed || g_str_equal (self->kind, "licence"));
  }
  {
    /* Translators: "Search HaloPSA clients", "Search Invoice products" */
    g_autofree char *p1 = g_strdup_printf (_("Search %s %s"),
                                           lsn_gui_mapping_system (side_connector (self, side)),
                                           lsn_gui_mapping_noun (self->kind, side_connector (self, side), TRUE));
    g_autofree char *p2 = g_strdup_printf (_("Search %s %s"),
                                           lsn_gui_mapping_system (side_connector (self, other)),
                                           lsn_gui_mapping_noun (self->kind, side_connector (self, other), TRUE));
    g_object_set (self->search_mine, "placeholder-text", p1, NULL);
    g_object_set (self->search_other, "placeholder-text", p2, NULL);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_mine),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, p1, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_other),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, p2, -1);
  }

  /* the searches and filters the person had set stay */
  lsn_mapping_editor_set_search (editor, side, gtk_editable_get_text (GTK_EDITABLE (self->search_mine)));
  lsn_mapping_editor_set_search (editor, other, gtk_editable_get_text (GTK_EDITABLE (self->search_other)));
  fill_toplevels (self);

  self->sorted = gtk_sort_list_model_new (g_object_ref (lsn_mapping_editor_get_rows (editor)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->view = lsn_mapping_view_new (editor, G_LIST_MODEL (self->sorted));
  filter_changed_cb (self);
  g_signal_connect_swapped (self->view, "items-changed", G_CALLBACK (view_items_changed_cb), self);
  {
    GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->view)));
    gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
    g_object_unref (selection);
  }

  if (g_list_model_get_n_items (lsn_mapping_editor_get_rows (editor)) == 0 && self->feed)
    show_message (self, g_str_equal (self->kind, "licence") ? _("No Products Yet")
                                                            : _("No Customers Yet"),
                  _("Preview the invoice first (Overview → Sync Now shows the plan): the mappings are made from "
                    "the customers and products it reads and HaloPSA's clients and licences."));
  else if (g_list_model_get_n_items (lsn_mapping_editor_get_rows (editor)) == 0)
    show_message (self, _("No Clients Yet"),
                  _("Run a sync first: the mappings are made from the clients it reads on both sides."));
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "table");
      gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_stack_get_child_by_name (self->stack, "table")),
                                   GTK_ACCESSIBLE_STATE_HIDDEN, FALSE, -1);
    }
  update_summary (self);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnMappingsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnMappingEditor) editor = lsn_mapping_editor_load_finish (result, &error);

  if (editor == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->loading = FALSE;
      if (self->editor == NULL)
        show_message (self, _("Cannot Read the Mappings"), error->message);
      else
        g_warning ("The mappings were not read again: %s", error->message);
      return;
    }
  self->loading = FALSE;
  if (self->editor != NULL)
    {
      /* one that began before a save read too early: what is shown (the save) is newer */
      if (self->load_serial != self->save_serial)
        return;
      /* one that finished after the person began to edit or opened a dialog: their work stays,
       * and it is read again after */
      if (refresh_blocked (self))
        {
          self->refresh_pending = TRUE;
          return;
        }
      /* nothing changed: the rows, their scroll position and the filters stay as they are */
      if (lsn_mapping_editor_same_reading (self->editor, editor))
        {
          refresh_if_pending (self);
          return;
        }
    }
  set_editor (self, editor);
  /* asked while the person worked or a reading was under way: read again */
  refresh_if_pending (self);
}

/* Reads the mappings on a worker (load_cb takes the result); a reading under way is dropped. */
static void
start_reading (LsnMappingsPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  self->load_serial = self->save_serial;
  lsn_mapping_editor_load_async (self->store, self->profile, self->kind, self->rows_side,
                                 self->cancellable, load_cb, g_object_ref (self));
}

/**
 * lsn_mappings_page_reload:
 * @self: a #LsnMappingsPage
 *
 * Reads the mappings again (unsaved changes are dropped).
 */
void
lsn_mappings_page_reload (LsnMappingsPage *self)
{
  g_return_if_fail (LSN_IS_MAPPINGS_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->loading = FALSE;
  self->refresh_pending = FALSE;
  set_editor (self, NULL);
  if (self->store == NULL || self->profile == NULL)
    {
      show_message (self, _("No Profile"), NULL);
      return;
    }
  show_message (self, _("Loading Mappings…"), NULL);
  start_reading (self);
}

/**
 * lsn_mappings_page_refresh:
 * @self: a #LsnMappingsPage
 *
 * Reads the mappings again because a run may have read new records or made matches, keeping
 * what is shown until the new reading replaces it (and keeping it when nothing changed). While
 * there are unsaved changes, an open dialog or a reading under way, it is done after the
 * discard, the dialog or the reading: nothing the person did is dropped. A save makes it
 * unneeded: what is shown is what was written.
 */
void
lsn_mappings_page_refresh (LsnMappingsPage *self)
{
  g_return_if_fail (LSN_IS_MAPPINGS_PAGE (self));

  if (self->store == NULL || self->profile == NULL)
    return;
  if (refresh_blocked (self))
    {
      /* done once the reading, the save, the discard or the dialog is */
      self->refresh_pending = TRUE;
      return;
    }
  self->refresh_pending = FALSE;
  if (self->editor == NULL)
    {
      lsn_mappings_page_reload (self);
      return;
    }
  start_reading (self);
}

static void
suggestions_done_cb (LsnMappingsPage *self)
{
  self->n_dialogs--;
  update_summary (self);
  refresh_if_pending (self);
}

static void
suggest_clicked_cb (LsnMappingsPage *self)
{
  GtkWidget *dialog;
  GtkRoot *root;

  if (self->editor == NULL)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = lsn_mapping_suggestions_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               self->editor);
  self->n_dialogs++;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (suggestions_done_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LsnMappingsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint before = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "lsn-n"));

  self->saving = FALSE;
  if (!lsn_mapping_editor_save_finish (LSN_MAPPING_EDITOR (source), result, &error))
    show_error (self, _("The Mappings Were Not Saved"), error);
  else if (self->editor == LSN_MAPPING_EDITOR (source))
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
      g_autofree char *text = g_strdup (_("Mappings saved"));
      (void) before;

      /* what is shown is what was just written: no need to read it back (replacing every row
       * under a screen reader that is reading them crashes GTK 4.8) */
      self->refresh_pending = FALSE;
      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->column_view), TRUE);
  update_summary (self);
  refresh_if_pending (self);
}

static void
save_clicked_cb (LsnMappingsPage *self)
{
  if (self->editor == NULL || self->saving)
    return;
  self->saving = TRUE;
  self->save_serial++;
  gtk_widget_set_sensitive (GTK_WIDGET (self->column_view), FALSE);
  update_summary (self);
  lsn_mapping_editor_save_async (self->editor, self->cancellable, save_cb, g_object_ref (self));
}

static void
kind_changed_cb (LsnMappingsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);
  const char *kind = selected == 1 ? "licence" : "client";

  if (self->updating_kind || g_str_equal (kind, self->kind))
    return;
  if (lsn_mappings_page_has_changes (self) || self->saving)
    {
      g_autoptr(GError) error = g_error_new_literal (LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                                                     _("Save or discard the changes to these "
                                                       "mappings first."));
      self->updating_kind = TRUE;
      gtk_drop_down_set_selected (self->kind_dropdown, selected == 1 ? 0 : 1);
      self->updating_kind = FALSE;
      show_error (self, _("Unsaved Mappings"), error);
      return;
    }
  self->kind = kind;
  lsn_mappings_page_reload (self);
}

static void
discard_clicked_cb (LsnMappingsPage *self)
{
  if (self->editor == NULL)
    return;
  lsn_mapping_editor_discard (self->editor);
  update_summary (self);
  refresh_if_pending (self);
}

static void
lsn_mappings_page_dispose (GObject *object)
{
  LsnMappingsPage *self = (LsnMappingsPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_func (self->view, view_items_changed_cb, self);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->view);
  g_clear_object (&self->sorted);
  g_clear_object (&self->editor);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->toplevels, g_strfreev);

  G_OBJECT_CLASS (lsn_mappings_page_parent_class)->dispose (object);
}

/* Shown again (the person came back to the page): a preview or a sync since may have read
 * records and made matches. */
static void
lsn_mappings_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lsn_mappings_page_parent_class)->map (widget);
  lsn_mappings_page_refresh (LSN_MAPPINGS_PAGE (widget));
}

static void
lsn_mappings_page_class_init (LsnMappingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lsn_mappings_page_dispose;
  widget_class->map = lsn_mappings_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/liaison/Liaison/lsn-mappings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, search_mine);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, search_other);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, toplevel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, suggest_button);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, message_page);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, LsnMappingsPage, discard_button);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, toplevel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, suggest_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, discard_clicked_cb);
}

static void
lsn_mappings_page_init (LsnMappingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->kind = "client";
  self->rows_side = LSN_SIDE_LEFT;

  add_column (self, _("Client"), G_CALLBACK (setup_label), G_CALLBACK (bind_name),
              LSN_MAPPING_COLUMN_NAME, TRUE);
  add_column (self, _("Top Level"), G_CALLBACK (setup_label), G_CALLBACK (bind_toplevel),
              LSN_MAPPING_COLUMN_TOPLEVEL, FALSE);
  add_column (self, _("Mapped To"), G_CALLBACK (setup_label), G_CALLBACK (bind_other),
              LSN_MAPPING_COLUMN_OTHER, TRUE);
  add_column (self, _("In Sync"), G_CALLBACK (setup_included), G_CALLBACK (bind_included),
              LSN_MAPPING_COLUMN_INCLUDED, FALSE);
  add_column (self, _("Status"), G_CALLBACK (setup_status), G_CALLBACK (bind_status),
              LSN_MAPPING_COLUMN_STATUS, FALSE);
  add_column (self, _("Edit"), G_CALLBACK (setup_edit), G_CALLBACK (bind_edit), -1, FALSE);
  update_summary (self);
}

/**
 * lsn_mappings_page_new:
 *
 * Returns: (transfer floating): a new page
 */
GtkWidget *
lsn_mappings_page_new (void)
{
  return g_object_new (LSN_TYPE_MAPPINGS_PAGE, NULL);
}

/**
 * lsn_mappings_page_set_profile:
 * @store: (nullable): the store
 * @profile: (nullable): whose mappings to edit
 *
 * Shows the mappings of @profile (unsaved changes of the previous profile are dropped).
 */
void
lsn_mappings_page_set_profile (LsnMappingsPage *self,
                               LsnStore        *store,
                               LsnProfile      *profile)
{
  g_return_if_fail (LSN_IS_MAPPINGS_PAGE (self));

  if (self->profile != NULL && profile != NULL && self->store == store
      && lsn_profile_get_id (self->profile) == lsn_profile_get_id (profile)
      && g_strcmp0 (lsn_profile_get_settings (self->profile), lsn_profile_get_settings (profile)) == 0)
    return;
  g_set_object (&self->store, store);
  g_set_object (&self->profile, profile);

  /* a billing-feed profile maps from the feed's side, customers or products */
  self->feed = FALSE;
  self->rows_side = LSN_SIDE_LEFT;
  if (profile != NULL)
    {
      g_autoptr(JsonObject) settings = lsn_gui_parse_settings (lsn_profile_get_settings (profile));
      for (guint s = 0; settings != NULL && s < 2; s++)
        {
          JsonObject *side = lsn_gui_object_member (settings, s == 0 ? "left" : "right");
          if (side != NULL && g_strcmp0 (json_object_get_string_member_with_default (side, "connector", NULL),
                                         "feed") == 0)
            {
              self->feed = TRUE;
              self->rows_side = s == 0 ? LSN_SIDE_LEFT : LSN_SIDE_RIGHT;
            }
        }
    }
  self->updating_kind = TRUE;
  gtk_drop_down_set_selected (self->kind_dropdown, 0);
  self->updating_kind = FALSE;
  self->kind = "client";
  gtk_widget_set_visible (GTK_WIDGET (self->kind_dropdown), self->feed);
  lsn_mappings_page_reload (self);
}

/**
 * lsn_mappings_page_has_changes:
 *
 * Returns: whether there are unsaved changes
 */
gboolean
lsn_mappings_page_has_changes (LsnMappingsPage *self)
{
  g_return_val_if_fail (LSN_IS_MAPPINGS_PAGE (self), FALSE);
  return self->editor != NULL && lsn_mapping_editor_get_n_pending (self->editor) > 0;
}
