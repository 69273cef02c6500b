/* lsn-connectwise-query.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The query side of the ConnectWise Manage REST API, without any I/O: the `conditions` grammar
 * (strings in double quotes, datetimes in square brackets, booleans True/False, nested fields with
 * `/`), the query string of a list request, and the `Link` header that drives paging.
 */

/* The largest pageSize ConnectWise accepts (hard limit since 2016.2). */
#define LSN_CONNECTWISE_MAX_PAGE_SIZE 1000

char     *lsn_connectwise_quote_string      (const char  *value);
char     *lsn_connectwise_format_datetime   (gint64       usec);
gboolean  lsn_connectwise_parse_datetime    (const char  *text,
                                             gint64      *usec);
gboolean  lsn_connectwise_is_field_path     (const char  *field);

void      lsn_connectwise_conditions_add_string   (GString     *conditions,
                                                   const char  *field,
                                                   const char  *op,
                                                   const char  *value);
void      lsn_connectwise_conditions_add_int      (GString     *conditions,
                                                   const char  *field,
                                                   const char  *op,
                                                   gint64       value);
void      lsn_connectwise_conditions_add_bool     (GString     *conditions,
                                                   const char  *field,
                                                   gboolean     value);
void      lsn_connectwise_conditions_add_datetime (GString     *conditions,
                                                   const char  *field,
                                                   const char  *op,
                                                   gint64       usec);
void      lsn_connectwise_conditions_add_group    (GString     *conditions,
                                                   const char  *group);

/**
 * LsnConnectwiseQuery:
 * @conditions: (nullable): the `conditions` parameter
 * @order_by: (nullable): the `orderBy` parameter
 * @fields: (nullable): the `fields` parameter (partial response)
 * @page: 0 to leave `page` out
 * @page_size: 0 to leave `pageSize` out
 * @page_id: 0 to leave `pageId` out (forward-only paging)
 *
 * The parameters of one list or count request.
 */
typedef struct
{
  const char *conditions;
  const char *order_by;
  const char *fields;
  guint       page;
  guint       page_size;
  gint64      page_id;
} LsnConnectwiseQuery;

char     *lsn_connectwise_build_path        (const char                *path,
                                             const LsnConnectwiseQuery *query);
char     *lsn_connectwise_link_find         (const char  *link_header,
                                             const char  *rel);
char     *lsn_connectwise_url_get_param     (const char  *url,
                                             const char  *name);
gboolean  lsn_connectwise_parse_id          (const char  *text,
                                             gint64      *id);

char     *lsn_connectwise_error_message     (const char  *body,
                                             gsize        length);

G_END_DECLS
