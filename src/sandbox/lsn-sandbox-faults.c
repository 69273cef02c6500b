/* lsn-sandbox-faults.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fault injection for the simulated servers. Per request, lsn_sandbox_faults_decide() picks a fault
 * (first from the "fail the next N" queue, then at random from a seeded GRand with the configured
 * rate among the enabled kinds); lsn_sandbox_faults_respond() carries out the ones that need no
 * knowledge of the API (500, stall, drop). 429 bodies are the server's own; a truncated body is made
 * by answering normally and then calling lsn_sandbox_faults_truncate().
 *
 * Everything here runs on the sandbox thread: delays never block it, the message is paused and a
 * timeout on the thread-default main context resumes it.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include "lsn-sandbox-faults.h"

typedef struct
{
  guint                count;
  LsnSandboxFaultKind  kind;
  char                *route;   /* nullable: any route */
} FailNext;

struct _LsnSandboxFaults
{
  GObject              parent_instance;

  GRand               *rand;
  double               rate;
  LsnSandboxFaultKind  kinds;
  guint                stall_ms;
  GQueue               fail_next;   /* of FailNext */
};

G_DEFINE_FINAL_TYPE (LsnSandboxFaults, lsn_sandbox_faults, G_TYPE_OBJECT)

static const struct
{
  LsnSandboxFaultKind  kind;
  const char          *name;
} kind_names[] = {
  { LSN_SANDBOX_FAULT_429, "429" },
  { LSN_SANDBOX_FAULT_500, "500" },
  { LSN_SANDBOX_FAULT_STALL, "stall" },
  { LSN_SANDBOX_FAULT_DROP, "drop" },
  { LSN_SANDBOX_FAULT_TRUNCATE, "truncate" },
  { LSN_SANDBOX_FAULT_403, "403" },
};

static void
fail_next_free (gpointer data)
{
  FailNext *f = data;

  g_free (f->route);
  g_free (f);
}

static void
lsn_sandbox_faults_finalize (GObject *object)
{
  LsnSandboxFaults *self = (LsnSandboxFaults *) object;

  g_queue_clear_full (&self->fail_next, fail_next_free);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (lsn_sandbox_faults_parent_class)->finalize (object);
}

static void
lsn_sandbox_faults_class_init (LsnSandboxFaultsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_sandbox_faults_finalize;
}

static void
lsn_sandbox_faults_init (LsnSandboxFaults *self)
{
  self->kinds = LSN_SANDBOX_FAULT_ALL;
  self->stall_ms = 120 * 1000;
  g_queue_init (&self->fail_next);
}

/**
 * lsn_sandbox_faults_new:
 * @seed: seed of the random choices, so that a run can be repeated
 *
 * Returns: (transfer full): a fault injector with rate 0 (no random faults), every kind enabled
 *   and a stall of 120 seconds
 */
LsnSandboxFaults *
lsn_sandbox_faults_new (guint64 seed)
{
  LsnSandboxFaults *self = g_object_new (LSN_TYPE_SANDBOX_FAULTS, NULL);
  guint32 s[2] = { (guint32) seed, (guint32) (seed >> 32) };

  self->rand = g_rand_new_with_seed_array (s, 2);
  return self;
}

/**
 * lsn_sandbox_faults_set_rate:
 * @rate: probability in [0, 1] that a request gets a random fault
 */
void
lsn_sandbox_faults_set_rate (LsnSandboxFaults *self,
                             double            rate)
{
  g_return_if_fail (LSN_IS_SANDBOX_FAULTS (self));
  self->rate = CLAMP (rate, 0.0, 1.0);
}

double
lsn_sandbox_faults_get_rate (LsnSandboxFaults *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_FAULTS (self), 0.0);
  return self->rate;
}

/**
 * lsn_sandbox_faults_set_kinds:
 * @kinds: the kinds random injection chooses from (equally likely)
 */
void
lsn_sandbox_faults_set_kinds (LsnSandboxFaults    *self,
                              LsnSandboxFaultKind  kinds)
{
  g_return_if_fail (LSN_IS_SANDBOX_FAULTS (self));
  self->kinds = kinds & LSN_SANDBOX_FAULT_ALL;
}

LsnSandboxFaultKind
lsn_sandbox_faults_get_kinds (LsnSandboxFaults *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_FAULTS (self), 0);
  return self->kinds;
}

/**
 * lsn_sandbox_faults_set_stall_ms:
 * @stall_ms: how long a stalled response is held back
 */
void
lsn_sandbox_faults_set_stall_ms (LsnSandboxFaults *self,
                                 guint             stall_ms)
{
  g_return_if_fail (LSN_IS_SANDBOX_FAULTS (self));
  self->stall_ms = stall_ms;
}

guint
lsn_sandbox_faults_get_stall_ms (LsnSandboxFaults *self)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_FAULTS (self), 0);
  return self->stall_ms;
}

/**
 * lsn_sandbox_faults_fail_next:
 * @count: how many requests to fail
 * @kind: a single fault kind
 * @route: (nullable): only requests of this route ("POST /api/Client", compared without regard to
 *   case), or %NULL for any
 *
 * Queues a deterministic fault: the next @count matching requests get @kind, whatever the rate.
 * Several entries may be queued; a request takes the first entry that matches it.
 */
void
lsn_sandbox_faults_fail_next (LsnSandboxFaults    *self,
                              guint                count,
                              LsnSandboxFaultKind  kind,
                              const char          *route)
{
  FailNext *f;

  g_return_if_fail (LSN_IS_SANDBOX_FAULTS (self));

  if (count == 0 || kind == LSN_SANDBOX_FAULT_NONE)
    return;

  f = g_new0 (FailNext, 1);
  f->count = count;
  f->kind = kind;
  f->route = route && *route ? g_strdup (route) : NULL;
  g_queue_push_tail (&self->fail_next, f);
}

void
lsn_sandbox_faults_clear_fail_next (LsnSandboxFaults *self)
{
  g_return_if_fail (LSN_IS_SANDBOX_FAULTS (self));
  g_queue_clear_full (&self->fail_next, fail_next_free);
  g_queue_init (&self->fail_next);
}

/**
 * lsn_sandbox_faults_decide:
 * @route: (nullable): the request's route, as counted in the stats
 *
 * Returns: the fault to inject into this request, or %LSN_SANDBOX_FAULT_NONE
 */
LsnSandboxFaultKind
lsn_sandbox_faults_decide (LsnSandboxFaults *self,
                           const char       *route)
{
  LsnSandboxFaultKind enabled[G_N_ELEMENTS (kind_names)];
  guint n_enabled = 0;

  g_return_val_if_fail (LSN_IS_SANDBOX_FAULTS (self), LSN_SANDBOX_FAULT_NONE);

  for (GList *l = self->fail_next.head; l; l = l->next)
    {
      FailNext *f = l->data;
      LsnSandboxFaultKind kind = f->kind;

      if (f->route && (route == NULL || g_ascii_strcasecmp (f->route, route) != 0))
        continue;

      if (--f->count == 0)
        {
          g_queue_delete_link (&self->fail_next, l);
          fail_next_free (f);
        }
      return kind;
    }

  if (self->rate <= 0.0)
    return LSN_SANDBOX_FAULT_NONE;

  /* Always draw, so that the sequence of random choices depends only on the number of requests. */
  if (g_rand_double (self->rand) >= self->rate)
    return LSN_SANDBOX_FAULT_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (self->kinds & kind_names[i].kind)
      enabled[n_enabled++] = kind_names[i].kind;

  if (n_enabled == 0)
    return LSN_SANDBOX_FAULT_NONE;

  return enabled[g_rand_int_range (self->rand, 0, n_enabled)];
}

typedef struct
{
  SoupServerMessage   *msg;
  LsnSandboxDeferFunc  func;
  gpointer             user_data;
  GDestroyNotify       destroy;
  GSource             *source;
  gulong               finished_id;
  gboolean             done;
} Deferred;

static void
deferred_free (gpointer data)
{
  Deferred *d = data;

  if (d->finished_id)
    g_signal_handler_disconnect (d->msg, d->finished_id);
  if (d->destroy)
    d->destroy (d->user_data);
  g_clear_pointer (&d->source, g_source_unref);
  g_object_unref (d->msg);
  g_free (d);
}

static gboolean
deferred_due_cb (gpointer data)
{
  Deferred *d = data;

  d->done = TRUE;
  d->func (d->msg, d->user_data);
  soup_server_message_unpause (d->msg);
  return G_SOURCE_REMOVE;
}

static void
deferred_finished_cb (SoupServerMessage *msg,
                      gpointer           data)
{
  Deferred *d = data;

  /* The client went away (or the server shut down) before the message was due. */
  if (!d->done && d->source)
    g_source_destroy (d->source);
}

/**
 * lsn_sandbox_defer_message:
 * @msg: a message being handled
 * @delay_ms: the delay
 * @func: answers @msg when it is due
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Pauses @msg and calls @func after @delay_ms on the thread-default main context, without blocking
 * it. If the connection closes first, @func is never called.
 */
void
lsn_sandbox_defer_message (SoupServerMessage   *msg,
                           guint                delay_ms,
                           LsnSandboxDeferFunc  func,
                           gpointer             user_data,
                           GDestroyNotify       destroy)
{
  Deferred *d = g_new0 (Deferred, 1);

  d->msg = g_object_ref (msg);
  d->func = func;
  d->user_data = user_data;
  d->destroy = destroy;

  soup_server_message_pause (msg);
  d->source = g_timeout_source_new (delay_ms);
  g_source_set_callback (d->source, deferred_due_cb, d, deferred_free);
  d->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (deferred_finished_cb), d);
  g_source_attach (d->source, g_main_context_get_thread_default ());
}

static void
stall_due (SoupServerMessage *msg,
           gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_GATEWAY_TIMEOUT, NULL);
}

/**
 * lsn_sandbox_faults_respond:
 * @msg: the message being handled
 * @kind: what lsn_sandbox_faults_decide() returned
 *
 * Carries out the faults that need no knowledge of the API: %LSN_SANDBOX_FAULT_500 (an empty 500),
 * %LSN_SANDBOX_FAULT_STALL (a 504 after the stall delay, the server thread stays free) and
 * %LSN_SANDBOX_FAULT_DROP (the connection is closed with no answer).
 *
 * Returns: %TRUE when @msg has been dealt with; %FALSE for the other kinds, which the server
 *   handles itself (its own 429 body; a normal answer then lsn_sandbox_faults_truncate())
 */
gboolean
lsn_sandbox_faults_respond (LsnSandboxFaults    *self,
                            SoupServerMessage   *msg,
                            LsnSandboxFaultKind  kind)
{
  g_return_val_if_fail (LSN_IS_SANDBOX_FAULTS (self), FALSE);

  switch ((int) kind)
    {
    case LSN_SANDBOX_FAULT_500:
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return TRUE;

    case LSN_SANDBOX_FAULT_403:
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      return TRUE;

    case LSN_SANDBOX_FAULT_STALL:
      soup_server_message_set_status (msg, SOUP_STATUS_GATEWAY_TIMEOUT, NULL);
      lsn_sandbox_defer_message (msg, self->stall_ms, stall_due, NULL, NULL);
      return TRUE;

    case LSN_SANDBOX_FAULT_DROP:
      {
        g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

        if (stream)
          g_io_stream_close (stream, NULL, NULL);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

/**
 * lsn_sandbox_faults_truncate:
 * @msg: a message whose response body has been set
 *
 * Cuts the response body to half its length (at least one byte shorter), keeping the status, so
 * that the client receives a well-formed HTTP answer with malformed JSON.
 */
void
lsn_sandbox_faults_truncate (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len = g_bytes_get_size (bytes);
  gsize cut = len > 1 ? len / 2 : 0;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));

  if (len == 0)
    {
      /* Nothing to cut: send the start of a JSON document and nothing more. */
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"", 2);
      return;
    }

  soup_server_message_set_response (msg, content_type ? content_type : "application/json",
                                    SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL), cut);
}

/**
 * lsn_sandbox_fault_kind_from_string:
 * @name: "429", "500", "stall", "drop" or "truncate"
 *
 * Returns: the kind, or %LSN_SANDBOX_FAULT_NONE when @name is none of those
 */
LsnSandboxFaultKind
lsn_sandbox_fault_kind_from_string (const char *name)
{
  if (name == NULL)
    return LSN_SANDBOX_FAULT_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (name, kind_names[i].name) == 0)
      return kind_names[i].kind;

  return LSN_SANDBOX_FAULT_NONE;
}

/**
 * lsn_sandbox_fault_kind_to_string:
 *
 * Returns: the name of a single @kind, or "none"
 */
const char *
lsn_sandbox_fault_kind_to_string (LsnSandboxFaultKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (kind == kind_names[i].kind)
      return kind_names[i].name;

  return "none";
}
