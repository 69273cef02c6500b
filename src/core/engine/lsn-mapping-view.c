/* lsn-mapping-view.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows of a mapping editor that pass its searches and filters, in the order of a source
 * model (the editor's rows, or a GtkSortListModel over them). It keeps the source's rows in a
 * plain array, so a keystroke in a search box re-checks 50,000 rows in a tight loop (about a
 * millisecond) instead of one model call per row; when the search only got stricter, only the
 * rows still shown are checked.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <string.h>

#include "lsn-mapping-view.h"

struct _LsnMappingView
{
  GObject           parent_instance;

  LsnMappingEditor *editor;
  GListModel       *source;
  GPtrArray        *all;       /* of LsnMappingRow, the source's order */
  GPtrArray        *shown;     /* of LsnMappingRow (unowned: `all` holds them) */
};

static void lsn_mapping_view_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LsnMappingView, lsn_mapping_view, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lsn_mapping_view_list_model_init))

static GType
lsn_mapping_view_get_item_type (GListModel *model)
{
  return LSN_TYPE_MAPPING_ROW;
}

static guint
lsn_mapping_view_get_n_items (GListModel *model)
{
  return LSN_MAPPING_VIEW (model)->shown->len;
}

static gpointer
lsn_mapping_view_get_item (GListModel *model,
                           guint       position)
{
  LsnMappingView *self = LSN_MAPPING_VIEW (model);

  if (position >= self->shown->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->shown, position));
}

static void
lsn_mapping_view_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lsn_mapping_view_get_item_type;
  iface->get_n_items = lsn_mapping_view_get_n_items;
  iface->get_item = lsn_mapping_view_get_item;
}

static void
reload_source (LsnMappingView *self)
{
  guint n = g_list_model_get_n_items (self->source);

  g_ptr_array_set_size (self->all, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->all, g_list_model_get_item (self->source, i));
}

static void
source_items_changed_cb (LsnMappingView *self,
                         guint           position,
                         guint           removed,
                         guint           added,
                         GListModel     *source)
{
  /* an edited row may now pass or fail the filter, or sit elsewhere in the order */
  reload_source (self);
  lsn_mapping_view_refilter (self, LSN_FILTER_CHANGE_DIFFERENT);
}

static void
lsn_mapping_view_dispose (GObject *object)
{
  LsnMappingView *self = (LsnMappingView *)object;

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, source_items_changed_cb, self);
  g_clear_object (&self->source);
  g_clear_object (&self->editor);

  G_OBJECT_CLASS (lsn_mapping_view_parent_class)->dispose (object);
}

static void
lsn_mapping_view_finalize (GObject *object)
{
  LsnMappingView *self = (LsnMappingView *)object;

  g_ptr_array_unref (self->shown);
  g_ptr_array_unref (self->all);

  G_OBJECT_CLASS (lsn_mapping_view_parent_class)->finalize (object);
}

static void
lsn_mapping_view_class_init (LsnMappingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lsn_mapping_view_dispose;
  object_class->finalize = lsn_mapping_view_finalize;
}

static void
lsn_mapping_view_init (LsnMappingView *self)
{
  self->all = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown = g_ptr_array_new ();
}

/**
 * lsn_mapping_view_new:
 * @editor: whose filters apply
 * @source: rows of @editor, in the order to show
 *
 * Returns: (transfer full): the filtered rows
 */
LsnMappingView *
lsn_mapping_view_new (LsnMappingEditor *editor,
                      GListModel       *source)
{
  LsnMappingView *self = g_object_new (LSN_TYPE_MAPPING_VIEW, NULL);

  self->editor = g_object_ref (editor);
  self->source = g_object_ref (source);
  g_signal_connect_object (source, "items-changed", G_CALLBACK (source_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  reload_source (self);
  lsn_mapping_view_refilter (self, LSN_FILTER_CHANGE_DIFFERENT);
  return self;
}

/**
 * lsn_mapping_view_refilter:
 * @change: what the editor's lsn_mapping_editor_set_search() (or another filter) returned
 *
 * Applies the editor's filters again.
 */
void
lsn_mapping_view_refilter (LsnMappingView  *self,
                           LsnFilterChange  change)
{
  GPtrArray *from = change == LSN_FILTER_CHANGE_MORE_STRICT ? self->shown : self->all;
  g_autoptr(GPtrArray) shown = g_ptr_array_sized_new (from->len);
  guint removed = self->shown->len;

  g_return_if_fail (LSN_IS_MAPPING_VIEW (self));

  for (guint i = 0; i < from->len; i++)
    {
      LsnMappingRow *row = g_ptr_array_index (from, i);
      if (lsn_mapping_editor_row_visible (self->editor, row))
        g_ptr_array_add (shown, row);
    }
  if (shown->len == removed && (shown->len == 0 || memcmp (shown->pdata, self->shown->pdata,
                                                           shown->len * sizeof (gpointer)) == 0))
    return;
  g_ptr_array_unref (self->shown);
  self->shown = g_steal_pointer (&shown);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->shown->len);
}
