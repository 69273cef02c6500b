/* lsn-sandbox-limiter.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rolling-window request limiter: at most N requests admitted in any window of S seconds, as the
 * PSAs enforce it ("300 Requests per rolling 5 minute window"). The timestamps of admitted requests
 * are kept in a ring of N slots: a request is admitted when the oldest of the last N admissions is
 * at least S seconds old. Rejected requests do not use up the budget.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-limiter.h"

struct _LsnSandboxLimiter
{
  GObject  parent_instance;

  guint    limit;           /* 0: unlimited */
  guint    window_seconds;
  gint64  *ring;            /* limit slots */
  guint    head;            /* index of the oldest admission */
  guint    used;            /* slots holding an admission */
};

G_DEFINE_FINAL_TYPE (LsnSandboxLimiter, lsn_sandbox_limiter, G_TYPE_OBJECT)

static void
lsn_sandbox_limiter_finalize (GObject *object)
{
  LsnSandboxLimiter *self = (LsnSandboxLimiter *) object;

  g_free (self->ring);

  G_OBJECT_CLASS (lsn_sandbox_limiter_parent_class)->finalize (object);
}

static void
lsn_sandbox_limiter_class_init (LsnSandboxLimiterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_limiter_finalize;
}

static void
lsn_sandbox_limiter_init (LsnSandboxLimiter *self)
{
}

/**
 * lsn_sandbox_limiter_new:
 * @limit: requests admitted per window, 0 for no limit
 * @window_seconds: the length of the rolling window
 *
 * Returns: (transfer full): a new limiter
 */
LsnSandboxLimiter *
lsn_sandbox_limiter_new (guint limit,
                         guint window_seconds)
{
  LsnSandboxLimiter *self = g_object_new (LSN_TYPE_SANDBOX_LIMITER, NULL);

  lsn_sandbox_limiter_configure (self, limit, window_seconds);
  return self;
}

/**
 * lsn_sandbox_limiter_configure:
 *
 * Changes the limit at run time. Admissions already recorded still count, as far as the new
 * limit has room for them (the most recent ones are kept).
 */
void
lsn_sandbox_limiter_configure (LsnSandboxLimiter *self,
                               guint              limit,
                               guint              window_seconds)
{
  g_autofree gint64 *old = NULL;
  guint old_limit, old_head, old_used, keep;

  g_return_if_fail (LSN_IS_SANDBOX_LIMITER (self));

  old = g_steal_pointer (&self->ring);
  old_limit = self->limit;
  old_head = self->head;
  old_used = self->used;

  self->limit = limit;
  self->window_seconds = MAX (window_seconds, 1);
  self->ring = limit ? g_new0 (gint64, limit) : NULL;
  self->head = 0;
  self->used = 0;

  keep = MIN (old_used, limit);
  for (guint i = old_used - keep; i < old_used; i++)
    self->ring[self->used++] = old[(old_head + i) % old_limit];
}

/**
 * lsn_sandbox_limiter_admit:
 * @now_usec: the current monotonic time in microseconds
 * @retry_after_seconds: (out) (optional): when refused, whole seconds until a slot frees up
 *
 * Returns: %TRUE when the request is admitted (and counted), %FALSE when it must be refused
 */
gboolean
lsn_sandbox_limiter_admit (LsnSandboxLimiter *self,
                           gint64             now_usec,
                           guint             *retry_after_seconds)
{
  gint64 window_usec;

  g_return_val_if_fail (LSN_IS_SANDBOX_LIMITER (self), TRUE);

  if (retry_after_seconds)
    *retry_after_seconds = 0;

  if (self->limit == 0)
    return TRUE;

  window_usec = (gint64) self->window_seconds * G_USEC_PER_SEC;

  /* Forget admissions that left the window. */
  while (self->used > 0 && self->ring[self->head] <= now_usec - window_usec)
    {
      self->head = (self->head + 1) % self->limit;
      self->used--;
    }

  if (self->used < self->limit)
    {
      self->ring[(self->head + self->used) % self->limit] = now_usec;
      self->used++;
      return TRUE;
    }

  if (retry_after_seconds)
    {
      gint64 wait = self->ring[self->head] + window_usec - now_usec;

      *retry_after_seconds = (guint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }

  return FALSE;
}

/**
 * lsn_sandbox_limiter_reset:
 *
 * Forgets every admission.
 */
void
lsn_sandbox_limiter_reset (LsnSandboxLimiter *self)
{
  g_return_if_fail (LSN_IS_SANDBOX_LIMITER (self));

  self->head = 0;
  self->used = 0;
}

guint
lsn_sandbox_limiter_get_limit (LsnSandboxLimiter *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_LIMITER (self), 0);
  return self->limit;
}

guint
lsn_sandbox_limiter_get_window (LsnSandboxLimiter *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_LIMITER (self), 0);
  return self->window_seconds;
}

/**
 * lsn_sandbox_limiter_get_used:
 *
 * Returns: how many admissions fall inside the window ending at @now_usec
 */
guint
lsn_sandbox_limiter_get_used (LsnSandboxLimiter *self,
                              gint64             now_usec)
{
  gint64 window_usec;
  guint n = 0;

  g_return_val_if_fail (LSN_IS_SANDBOX_LIMITER (self), 0);

  window_usec = (gint64) self->window_seconds * G_USEC_PER_SEC;
  for (guint i = 0; i < self->used; i++)
    if (self->ring[(self->head + i) % self->limit] > now_usec - window_usec)
      n++;

  return n;
}

/**
 * lsn_sandbox_limit_parse:
 * @text: "N/SECONDS", for example "300/300"; "0/1" (or "0") means no limit
 *
 * Returns: %TRUE when @text was understood
 */
gboolean
lsn_sandbox_limit_parse (const char  *text,
                         guint       *limit,
                         guint       *window_seconds,
                         GError     **error)
{
  guint64 n = 0, s = 1;
  const char *slash;
  g_autofree char *left = NULL;

  if (text == NULL)
    text = "";

  slash = strchr (text, '/');
  left = slash ? g_strndup (text, slash - text) : g_strdup (text);

  if (!g_ascii_string_to_unsigned (left, 10, 0, G_MAXUINT32, &n, NULL) ||
      (slash && !g_ascii_string_to_unsigned (slash + 1, 10, 1, 86400 * 7, &s, NULL)) ||
      (slash == NULL && n != 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Invalid limit “%s”: expected REQUESTS/SECONDS, for example 300/300", text);
      return FALSE;
    }

  *limit = (guint) n;
  *window_seconds = (guint) s;
  return TRUE;
}
