/* lsn-error.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-error"

#include "config.h"

#include <gio/gio.h>

#include "lsn-error.h"

G_DEFINE_QUARK (lsn-error-quark, lsn_error)

/**
 * lsn_error_is_retryable:
 * @error: an error from a connector or the store
 *
 * Returns: %TRUE when sending the same request again later may succeed
 */
gboolean
lsn_error_is_retryable (const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain == LSN_ERROR)
    {
      switch ((LsnError) error->code)
        {
        case LSN_ERROR_NETWORK:
        case LSN_ERROR_RATE_LIMITED:
        case LSN_ERROR_SERVER:
        case LSN_ERROR_MALFORMED:
        case LSN_ERROR_INCOMPLETE:
          return TRUE;
        default:
          return FALSE;
        }
    }

  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}
