/* lsn-error.h
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LSN_ERROR (lsn_error_quark ())

/**
 * LsnError:
 *
 * Every failure that reaches a person is one of these, with a message that names the problem and
 * what to do about it. Server failures quote the server's own words.
 */
typedef enum
{
  LSN_ERROR_FAILED,
  LSN_ERROR_INVALID_ARGUMENT, /* a setting or argument is wrong (bad URL, bad GUID...) */
  LSN_ERROR_NETWORK,          /* unreachable host, refused or dropped connection, timeout */
  LSN_ERROR_AUTH,             /* 401 after one token renewal, invalid_client... */
  LSN_ERROR_PERMISSION,       /* 403 */
  LSN_ERROR_NOT_FOUND,        /* 404, Halo's "Record not found" */
  LSN_ERROR_VALIDATION,       /* other 4xx with a body: the server's message is quoted */
  LSN_ERROR_RATE_LIMITED,     /* 429 that outlived the retries */
  LSN_ERROR_SERVER,           /* 5xx that outlived the retries */
  LSN_ERROR_MALFORMED,        /* a reply that is not JSON or not of the expected shape */
  LSN_ERROR_INCOMPLETE,       /* a list read fewer records than the server said it has */
  LSN_ERROR_STORE_CORRUPT,    /* the database file is damaged or not a database */
  LSN_ERROR_STORE_TOO_NEW,    /* the database was written by a newer Liaison */
  LSN_ERROR_STORE_READONLY,   /* the database file or its folder cannot be written */
  LSN_ERROR_STORE_FULL,       /* the disk is full */
  LSN_ERROR_STORE,            /* any other SQLite failure */
  LSN_ERROR_NO_KEYRING,       /* no Secret Service, a locked keyring or a refused prompt */
  LSN_ERROR_EXISTS,           /* a name that must be unique is taken */
  LSN_ERROR_CANCELLED,
  LSN_ERROR_OUTCOME_UNKNOWN,  /* a write may or may not have been applied: check before resending */
} LsnError;

GQuark   lsn_error_quark        (void);
gboolean lsn_error_is_retryable (const GError *error);

G_END_DECLS
