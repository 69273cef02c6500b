/* lsn-mapping-editor.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "lsn-mapping-row.h"
#include "lsn-profile.h"
#include "lsn-profile-config.h"
#include "lsn-store.h"

G_BEGIN_DECLS

/**
 * LsnMatchEvidence:
 *
 * Why two records are suggested as the same, strongest last.
 */
typedef enum
{
  LSN_MATCH_EVIDENCE_NONE,
  LSN_MATCH_EVIDENCE_DOMAIN,      /* the same web or e-mail domain */
  LSN_MATCH_EVIDENCE_SIMILAR,     /* similar names (a score), maybe with the same domain */
  LSN_MATCH_EVIDENCE_NORMALIZED,  /* equal once case, accents, punctuation, "&", suffixes go */
  LSN_MATCH_EVIDENCE_EXACT,       /* exactly the same name */
  LSN_MATCH_EVIDENCE_REFERENCE,   /* one side stores the other's id */
} LsnMatchEvidence;

typedef enum
{
  LSN_MAPPING_FILTER_ALL,
  LSN_MAPPING_FILTER_MAPPED,
  LSN_MAPPING_FILTER_UNMAPPED,
} LsnMappingFilter;

/* How a change of the search or filter changes the set of visible rows (as GtkFilterChange). */
typedef enum
{
  LSN_FILTER_CHANGE_DIFFERENT,
  LSN_FILTER_CHANGE_LESS_STRICT,
  LSN_FILTER_CHANGE_MORE_STRICT,
} LsnFilterChange;

/**
 * LsnMappingSuggestion:
 * @row_id: the record of the edited side
 * @other_id: the suggested record of the other side
 * @evidence: the strongest evidence
 * @score: name similarity, 0 to 1 (1 for equal keys)
 * @confidence: 0 to 1
 * @confident: unambiguous and at least as strong as a normalized name: "Accept all confident"
 *   takes it
 * @ambiguous: another candidate is as good, or the candidate is as good a match for another row
 * @n_candidates: how many records of the other side were considered possible
 * @explanation: the evidence in words
 */
typedef struct
{
  char             *row_id;
  char             *row_name;
  char             *other_id;
  char             *other_name;
  LsnMatchEvidence  evidence;
  double            score;
  double            confidence;
  gboolean          confident;
  gboolean          ambiguous;
  gboolean          same_domain;
  guint             n_candidates;
  char             *explanation;
} LsnMappingSuggestion;

void lsn_mapping_suggestion_free (LsnMappingSuggestion *suggestion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LsnMappingSuggestion, lsn_mapping_suggestion_free)

/**
 * LsnMappingChoice:
 *
 * A record of the other side that a row may be mapped to.
 */
typedef struct
{
  char *id;
  char *name;
} LsnMappingChoice;

void lsn_mapping_choice_free (LsnMappingChoice *choice);

#define LSN_TYPE_MAPPING_EDITOR (lsn_mapping_editor_get_type ())

G_DECLARE_FINAL_TYPE (LsnMappingEditor, lsn_mapping_editor, LSN, MAPPING_EDITOR, GObject)

/* Building (the loader, tests and benchmarks) */
LsnMappingEditor *lsn_mapping_editor_new              (const char        *kind,
                                                       LsnSide            side);
void              lsn_mapping_editor_add_record       (LsnMappingEditor  *self,
                                                       LsnSide            side,
                                                       const char        *id,
                                                       const char        *name,
                                                       const char        *toplevel,
                                                       const char        *reference,
                                                       const char        *website,
                                                       gboolean           deleted);
void              lsn_mapping_editor_add_email        (LsnMappingEditor  *self,
                                                       LsnSide            side,
                                                       const char        *record_id,
                                                       const char        *email);
void              lsn_mapping_editor_add_link         (LsnMappingEditor  *self,
                                                       gint64             link_id,
                                                       const char        *left_id,
                                                       const char        *right_id,
                                                       gboolean           included);
void              lsn_mapping_editor_add_rejection    (LsnMappingEditor  *self,
                                                       const char        *left_id,
                                                       const char        *right_id);
void              lsn_mapping_editor_add_failed_event (LsnMappingEditor  *self,
                                                       const char        *left_id,
                                                       const char        *right_id);
void              lsn_mapping_editor_set_parent       (LsnMappingEditor  *self,
                                                       LsnSide            side,
                                                       const char        *record_id,
                                                       const char        *parent_id);
void              lsn_mapping_editor_set_scope        (LsnMappingEditor  *self,
                                                       const char        *record_id,
                                                       const char        *scope);
void              lsn_mapping_editor_refuse_create    (LsnMappingEditor  *self,
                                                       const char        *reason);
const char       *lsn_mapping_editor_get_create_refusal (LsnMappingEditor *self);
void              lsn_mapping_editor_finish_loading   (LsnMappingEditor  *self);

/* Loading from and saving to the store */
LsnMappingEditor *lsn_mapping_editor_load             (LsnStore          *store,
                                                       LsnProfile        *profile,
                                                       const char        *kind,
                                                       LsnSide            side,
                                                       GError           **error);
void              lsn_mapping_editor_load_async       (LsnStore          *store,
                                                       LsnProfile        *profile,
                                                       const char        *kind,
                                                       LsnSide            side,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
LsnMappingEditor *lsn_mapping_editor_load_finish      (GAsyncResult      *result,
                                                       GError           **error);
gboolean          lsn_mapping_editor_save             (LsnMappingEditor  *self,
                                                       GCancellable      *cancellable,
                                                       GError           **error);
void              lsn_mapping_editor_save_async       (LsnMappingEditor  *self,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
gboolean          lsn_mapping_editor_save_finish      (LsnMappingEditor  *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);
void              lsn_mapping_editor_set_connector    (LsnMappingEditor  *self,
                                                       LsnSide            side,
                                                       GObject           *connector);

/* What is shown */
const char       *lsn_mapping_editor_get_kind         (LsnMappingEditor  *self);
LsnSide           lsn_mapping_editor_get_side         (LsnMappingEditor  *self);
const char       *lsn_mapping_editor_get_side_label   (LsnMappingEditor  *self,
                                                       LsnSide            side);
const char       *lsn_mapping_editor_get_connector    (LsnMappingEditor  *self,
                                                       LsnSide            side);
GListModel       *lsn_mapping_editor_get_rows         (LsnMappingEditor  *self);
LsnMappingRow    *lsn_mapping_editor_find_row         (LsnMappingEditor  *self,
                                                       const char        *row_id);
GStrv             lsn_mapping_editor_list_toplevels   (LsnMappingEditor  *self);
guint             lsn_mapping_editor_count_records    (LsnMappingEditor  *self,
                                                       LsnSide            side);

/* Filters */
LsnFilterChange   lsn_mapping_editor_set_search       (LsnMappingEditor  *self,
                                                       LsnSide            side,
                                                       const char        *text);
LsnFilterChange   lsn_mapping_editor_set_filter       (LsnMappingEditor  *self,
                                                       LsnMappingFilter   filter);
LsnFilterChange   lsn_mapping_editor_set_toplevel     (LsnMappingEditor  *self,
                                                       const char        *toplevel);
gboolean          lsn_mapping_editor_row_visible      (LsnMappingEditor  *self,
                                                       LsnMappingRow     *row);

/* Edits, kept until Save */
GPtrArray        *lsn_mapping_editor_list_choices     (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *search,
                                                       guint              limit);
gboolean          lsn_mapping_editor_map              (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *other_id,
                                                       GError           **error);
char             *lsn_mapping_editor_new_name         (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *prefix);
gboolean          lsn_mapping_editor_check_new_name   (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *prefix,
                                                       GError           **error);
gboolean          lsn_mapping_editor_create           (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *prefix,
                                                       GError           **error);
gboolean          lsn_mapping_editor_unmap            (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       GError           **error);
gboolean          lsn_mapping_editor_set_included     (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       gboolean           included,
                                                       GError           **error);
gboolean          lsn_mapping_editor_reject           (LsnMappingEditor  *self,
                                                       const char        *row_id,
                                                       const char        *other_id,
                                                       GError           **error);
void              lsn_mapping_editor_revert           (LsnMappingEditor  *self,
                                                       const char        *row_id);
void              lsn_mapping_editor_discard          (LsnMappingEditor  *self);
guint             lsn_mapping_editor_get_n_pending    (LsnMappingEditor  *self);
gboolean          lsn_mapping_editor_same_reading     (LsnMappingEditor  *self,
                                                       LsnMappingEditor  *other);

/* Suggestions */
GPtrArray        *lsn_mapping_editor_suggest          (LsnMappingEditor  *self);
guint             lsn_mapping_editor_accept_confident (LsnMappingEditor  *self,
                                                       GPtrArray         *suggestions);
const char       *lsn_match_evidence_to_string        (LsnMatchEvidence   evidence);

/* Helpers */
char             *lsn_domain_of                       (const char        *url_or_email);

G_END_DECLS
