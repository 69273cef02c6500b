/* lsn-http-client.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-http"

#include "config.h"

#include <string.h>

#include "lsn-error.h"
#include "lsn-http-client.h"
#include "lsn-util.h"

/* One connection's HTTP: a SoupSession used synchronously from one worker thread at a time,
 * a rolling-window request budget it paces itself within, and the retry rules of DESIGN.md
 * ("Budget and failures"). Only the statistics are shared with other threads (under @mutex).
 *
 * Pacing: every request takes a slot in the window before it is sent. A slot is stamped with
 * the time it was taken and, once the reply is in, with the time the reply arrived: the server
 * counted the request at some moment before that, so the slot frees itself no earlier than the
 * server's own window does.
 */

#define DEFAULT_MAX_RETRIES     3
#define DEFAULT_TIMEOUT_SECONDS 60
#define DEFAULT_BACKOFF_BASE_MS 1000
#define DEFAULT_BACKOFF_CAP_MS  30000
#define MIN_THROTTLE_WAITS      10
#define MAX_RETRY_AFTER_SECONDS 900
#define MAX_QUOTE_CHARS         400

typedef struct
{
  guint64 serial;
  gint64  at;     /* monotonic usec */
} Slot;

struct _LsnHttpClient
{
  GObject              parent_instance;

  char                *base_url;       /* without a trailing slash */
  SoupSession         *session;

  LsnHttpAuthFunc      auth_func;
  gpointer             auth_data;
  LsnHttpErrorFunc     error_func;
  gpointer             error_data;
  LsnHttpObserverFunc  observer_func;
  gpointer             observer_data;

  guint                max_retries;
  guint                timeout;
  guint                backoff_base_ms;
  guint                backoff_cap_ms;

  GMutex               mutex;          /* guards everything below */
  GArray              *slots;          /* (element-type Slot) */
  guint64              next_serial;
  LsnHttpStats         stats;
};

G_DEFINE_FINAL_TYPE (LsnHttpClient, lsn_http_client, G_TYPE_OBJECT)

/**
 * lsn_http_response_free:
 * @response: (transfer full) (nullable): a response
 */
void
lsn_http_response_free (LsnHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

/**
 * lsn_http_response_parse_json:
 * @response: a response
 * @request_summary: the request, as "GET /api/Client", for the message
 * @error: return location for a %LSN_ERROR_MALFORMED
 *
 * Returns: (transfer full) (nullable): the parsed body
 */
JsonNode *
lsn_http_response_parse_json (LsnHttpResponse  *response,
                              const char       *request_summary,
                              GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (response != NULL, NULL);

  data = response->body ? g_bytes_get_data (response->body, &len) : NULL;
  if (data == NULL || len == 0)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "%s returned an empty reply where JSON was expected",
                   request_summary);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, len, &local_error)
      || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_MALFORMED,
                   "%s returned a reply that is not JSON (%s): check that the server address "
                   "points at the API", request_summary,
                   local_error ? local_error->message : "empty document");
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

/**
 * lsn_http_request_summary:
 * @method: the HTTP method
 * @path_and_query: a path with its query, or an absolute URL
 *
 * Names a request for messages: the method and the path, never the query (its values may be
 * secrets) nor the host.
 *
 * Returns: (transfer full): for example "POST /api/Client"
 */
char *
lsn_http_request_summary (const char *method,
                          const char *path_and_query)
{
  g_autofree char *path = NULL;
  const char *q;

  if (path_and_query == NULL)
    path_and_query = "/";

  if (g_str_has_prefix (path_and_query, "http://") || g_str_has_prefix (path_and_query, "https://"))
    {
      g_autoptr(GUri) uri = g_uri_parse (path_and_query, G_URI_FLAGS_NONE, NULL);
      path = g_strdup (uri && *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/");
    }
  else
    {
      q = strpbrk (path_and_query, "?#");
      path = q ? g_strndup (path_and_query, q - path_and_query) : g_strdup (path_and_query);
    }

  if (path[0] != '/')
    return g_strdup_printf ("%s /%s", method, path);
  return g_strdup_printf ("%s %s", method, path);
}

static void
lsn_http_client_finalize (GObject *object)
{
  LsnHttpClient *self = (LsnHttpClient *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->slots, g_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lsn_http_client_parent_class)->finalize (object);
}

static void
lsn_http_client_class_init (LsnHttpClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lsn_http_client_finalize;
}

static void
lsn_http_client_init (LsnHttpClient *self)
{
  g_mutex_init (&self->mutex);
  self->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
  self->backoff_cap_ms = DEFAULT_BACKOFF_CAP_MS;
}

/**
 * lsn_http_client_new:
 * @base_url: the service address, https (or http on loopback only)
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * The session verifies TLS certificates against the system's trust store, follows no
 * redirects, and times out any read or write that takes longer than the timeout.
 *
 * Returns: (transfer full) (nullable): a new client, with no budget (see
 *   lsn_http_client_set_budget())
 */
LsnHttpClient *
lsn_http_client_new (const char  *base_url,
                     GError     **error)
{
  LsnHttpClient *self;
  gsize len;

  if (!lsn_check_service_url (base_url, "The server address", error))
    return NULL;

  self = g_object_new (LSN_TYPE_HTTP_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';

  self->session = soup_session_new_with_options ("user-agent", "Liaison/" PACKAGE_VERSION,
                                                 "timeout", self->timeout,
                                                 "idle-timeout", 60,
                                                 NULL);
  return self;
}

/**
 * lsn_http_client_get_base_url:
 *
 * Returns: the base URL, without a trailing slash
 */
const char *
lsn_http_client_get_base_url (LsnHttpClient *self)
{
  g_return_val_if_fail (LSN_IS_HTTP_CLIENT (self), NULL);
  return self->base_url;
}

/**
 * lsn_http_client_get_session:
 *
 * Returns: (transfer none): the session; use it from the sending thread only
 */
SoupSession *
lsn_http_client_get_session (LsnHttpClient *self)
{
  g_return_val_if_fail (LSN_IS_HTTP_CLIENT (self), NULL);
  return self->session;
}

/**
 * lsn_http_client_set_budget:
 * @requests: at most this many requests ...
 * @seconds: ... in any window of this many seconds; 0 (either) turns pacing off
 *
 * May be called from any thread.
 */
void
lsn_http_client_set_budget (LsnHttpClient *self,
                            guint          requests,
                            guint          seconds)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));

  g_mutex_lock (&self->mutex);
  self->stats.budget_requests = (seconds > 0) ? requests : 0;
  self->stats.budget_seconds = (requests > 0) ? seconds : 0;
  g_mutex_unlock (&self->mutex);
}

/**
 * lsn_http_client_set_auth_func:
 * @func: (nullable): adds credentials to each message
 *
 * The function may itself send requests through this client (with %LSN_HTTP_NO_AUTH), for
 * example to fetch a token.
 */
void
lsn_http_client_set_auth_func (LsnHttpClient   *self,
                               LsnHttpAuthFunc  func,
                               gpointer         user_data)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->auth_func = func;
  self->auth_data = user_data;
}

/**
 * lsn_http_client_set_error_func:
 * @func: (nullable): extracts the server's message from an error body
 *
 * Without one, a short text body is quoted as it is.
 */
void
lsn_http_client_set_error_func (LsnHttpClient    *self,
                                LsnHttpErrorFunc  func,
                                gpointer          user_data)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->error_func = func;
  self->error_data = user_data;
}

/**
 * lsn_http_client_set_observer:
 * @func: (nullable): called before every attempt
 *
 * A debug hook, see #LsnHttpObserverFunc.
 */
void
lsn_http_client_set_observer (LsnHttpClient       *self,
                              LsnHttpObserverFunc  func,
                              gpointer             user_data)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->observer_func = func;
  self->observer_data = user_data;
}

/**
 * lsn_http_client_set_max_retries:
 * @max_retries: attempts after the first, for 5xx, timeouts and dropped connections (default 3)
 *
 * A 429 is waited out at least 10 times (or @max_retries times, whichever is more) before it
 * becomes %LSN_ERROR_RATE_LIMITED; a 401 is retried once after a token renewal. Neither counts
 * against @max_retries.
 */
void
lsn_http_client_set_max_retries (LsnHttpClient *self,
                                 guint          max_retries)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->max_retries = max_retries;
}

/**
 * lsn_http_client_set_timeout:
 * @seconds: how long one read or write may block (default 60); 0 for none
 *
 * A server that accepts the connection and then says nothing for this long fails the attempt
 * with a timeout, which is retried like a dropped connection.
 */
void
lsn_http_client_set_timeout (LsnHttpClient *self,
                             guint          seconds)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->timeout = seconds;
  g_object_set (self->session, "timeout", seconds, NULL);
}

/**
 * lsn_http_client_set_backoff:
 * @base_ms: the first wait after a failure (default 1000)
 * @cap_ms: the longest wait (default 30000)
 *
 * Attempt n waits a random time between half and all of min(@cap_ms, @base_ms × 2^(n−1)).
 */
void
lsn_http_client_set_backoff (LsnHttpClient *self,
                             guint          base_ms,
                             guint          cap_ms)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = MAX (cap_ms, base_ms);
}

/* Must hold the mutex. Drops slots that left the window; returns how many remain. */
static guint
prune_slots_locked (LsnHttpClient *self,
                    gint64         now)
{
  gint64 window = (gint64) self->stats.budget_seconds * G_USEC_PER_SEC;

  for (guint i = self->slots->len; i > 0; i--)
    {
      Slot *slot = &g_array_index (self->slots, Slot, i - 1);

      if (window == 0 || slot->at + window <= now)
        g_array_remove_index_fast (self->slots, i - 1);
    }

  return self->slots->len;
}

/**
 * lsn_http_client_get_stats:
 * @stats: (out caller-allocates): filled in
 *
 * May be called from any thread.
 */
void
lsn_http_client_get_stats (LsnHttpClient *self,
                           LsnHttpStats  *stats)
{
  guint used;

  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  used = prune_slots_locked (self, g_get_monotonic_time ());
  *stats = self->stats;
  stats->budget_left = (self->stats.budget_requests > used) ? self->stats.budget_requests - used : 0;
  g_mutex_unlock (&self->mutex);
}

/**
 * lsn_http_client_reset_stats:
 *
 * Sets the counters back to zero (not the window: what was sent still counts against it).
 */
void
lsn_http_client_reset_stats (LsnHttpClient *self)
{
  g_return_if_fail (LSN_IS_HTTP_CLIENT (self));

  g_mutex_lock (&self->mutex);
  self->stats.requests = 0;
  self->stats.throttled = 0;
  self->stats.retries = 0;
  self->stats.waited_usec = 0;
  self->stats.outcome_unknown = 0;
  g_mutex_unlock (&self->mutex);
}

static void
set_cancelled (GError **error)
{
  g_set_error_literal (error, LSN_ERROR, LSN_ERROR_CANCELLED, "Cancelled");
}

/* Sleeps @usec, waking early when @cancellable fires. Counts the time as waited. */
static gboolean
wait_usec (LsnHttpClient  *self,
           gint64          usec,
           GCancellable   *cancellable,
           GError        **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + usec;
  gint64 now;

  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled (error);
      return FALSE;
    }

  while (usec > 0 && (now = g_get_monotonic_time ()) < end)
    {
      gint64 left = end - now;
      int ms = (int) MIN ((left + 999) / 1000, 1000 * 60);
      GPollFD pfd;

      if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pfd))
        {
          g_poll (&pfd, 1, ms);
          g_cancellable_release_fd (cancellable);
        }
      else
        g_usleep (MIN (left, (gint64) ms * 1000));

      if (g_cancellable_is_cancelled (cancellable))
        break;
    }

  g_mutex_lock (&self->mutex);
  self->stats.waited_usec += g_get_monotonic_time () - start;
  g_mutex_unlock (&self->mutex);

  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled (error);
      return FALSE;
    }
  return TRUE;
}

/* Takes a slot in the window, waiting for one to free up if needed. */
static gboolean
reserve_slot (LsnHttpClient  *self,
              guint64        *serial,
              GCancellable   *cancellable,
              GError        **error)
{
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wait = 0;
      guint used;

      g_mutex_lock (&self->mutex);
      used = prune_slots_locked (self, now);
      if (self->stats.budget_requests == 0 || used < self->stats.budget_requests)
        {
          Slot slot = { ++self->next_serial, now };

          if (self->stats.budget_requests > 0)
            g_array_append_val (self->slots, slot);
          *serial = slot.serial;
          g_mutex_unlock (&self->mutex);
          return TRUE;
        }
      else
        {
          gint64 earliest = G_MAXINT64;
          gint64 window = (gint64) self->stats.budget_seconds * G_USEC_PER_SEC;

          for (guint i = 0; i < self->slots->len; i++)
            earliest = MIN (earliest, g_array_index (self->slots, Slot, i).at);
          /* A millisecond more than needed, against clock rounding at the server. */
          wait = earliest + window - now + 1000;
        }
      g_mutex_unlock (&self->mutex);

      g_debug ("Budget used up: waiting %" G_GINT64_FORMAT " ms", wait / 1000);
      if (!wait_usec (self, MAX (wait, 1000), cancellable, error))
        return FALSE;
    }
}

/* Without a Retry-After, a guess of when the server's rolling window frees a request is when ours
 * does: the time until our oldest request leaves the window (0 without a budget). Callers cap it
 * at the longest backoff: another client of the same account may be what filled the window. */
static gint64
window_frees_in (LsnHttpClient *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 window;
  gint64 earliest = G_MAXINT64;

  g_mutex_lock (&self->mutex);
  window = (gint64) self->stats.budget_seconds * G_USEC_PER_SEC;
  prune_slots_locked (self, now);
  for (guint i = 0; i < self->slots->len; i++)
    earliest = MIN (earliest, g_array_index (self->slots, Slot, i).at);
  g_mutex_unlock (&self->mutex);

  if (window == 0 || earliest == G_MAXINT64)
    return 0;
  return CLAMP (earliest + window - now, 0, window);
}

/* The reply is in: the slot's window starts now. */
static void
complete_slot (LsnHttpClient *self,
               guint64        serial)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = &g_array_index (self->slots, Slot, i);

      if (slot->serial == serial)
        {
          slot->at = now;
          break;
        }
    }
  g_mutex_unlock (&self->mutex);
}

/* Nothing went out: give the slot back. */
static void
release_slot (LsnHttpClient *self,
              guint64        serial)
{
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->slots->len; i++)
    {
      if (g_array_index (self->slots, Slot, i).serial == serial)
        {
          g_array_remove_index_fast (self->slots, i);
          break;
        }
    }
  g_mutex_unlock (&self->mutex);
}

static gint64
backoff_usec (LsnHttpClient *self,
              guint          attempt)
{
  double ms = self->backoff_base_ms;

  for (guint i = 1; i < attempt && ms < self->backoff_cap_ms; i++)
    ms *= 2;
  ms = MIN (ms, (double) self->backoff_cap_ms);

  /* Jitter: between half and all of it, so that clients that failed together spread out. */
  return (gint64) (ms * g_random_double_range (0.5, 1.0) * 1000.0);
}

/* Retry-After as seconds or as an HTTP date; -1 when absent or unreadable. */
static gint64
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  char *end = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;

  while (g_ascii_isspace (*value))
    value++;

  if (g_ascii_isdigit (*value))
    {
      seconds = g_ascii_strtoull (value, &end, 10);
      while (end && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0')
        return -1;
      return (gint64) MIN (seconds, (guint64) MAX_RETRY_AFTER_SECONDS) * G_USEC_PER_SEC;
    }

  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return CLAMP (g_date_time_difference (when, now), 0,
                (gint64) MAX_RETRY_AFTER_SECONDS * G_USEC_PER_SEC);
}

static gboolean
method_is_idempotent (const char *method)
{
  return g_str_equal (method, "GET") || g_str_equal (method, "HEAD")
         || g_str_equal (method, "PUT") || g_str_equal (method, "DELETE")
         || g_str_equal (method, "OPTIONS");
}

/* A short text body, quoted as it is, when no error func is set. */
static char *
default_error_message (GBytes *body)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (data == NULL || len == 0 || memchr (data, '\0', len) != NULL
      || !g_utf8_validate_len (data, len, NULL))
    return NULL;

  text = g_strstrip (g_strndup (data, len));
  if (*text == '\0')
    return NULL;

  /* A body that is one JSON string is quoted without its JSON quotes. */
  if (text[0] == '"')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, text, -1, NULL)
          && (root = json_parser_get_root (parser)) != NULL
          && json_node_get_value_type (root) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (root));
    }

  return g_steal_pointer (&text);
}

static char *
server_message (LsnHttpClient *self,
                guint          status,
                GBytes        *body)
{
  g_autofree char *message = NULL;

  if (self->error_func != NULL)
    message = self->error_func (status, body, self->error_data);
  else
    message = default_error_message (body);

  if (message == NULL)
    return NULL;

  g_strstrip (message);
  if (*message == '\0')
    return NULL;

  if (g_utf8_strlen (message, -1) > MAX_QUOTE_CHARS)
    {
      char *cut = g_utf8_offset_to_pointer (message, MAX_QUOTE_CHARS);
      *cut = '\0';
      return g_strconcat (message, "…", NULL);
    }

  return g_steal_pointer (&message);
}

static const char *
status_phrase (guint status)
{
  if (status == 429)
    return "Too Many Requests"; /* not in libsoup 3.2's table */
  return soup_status_get_phrase (status);
}

static void
set_status_error (LsnHttpClient  *self,
                  GError        **error,
                  LsnError        code,
                  const char     *summary,
                  guint           status,
                  GBytes         *body,
                  const char     *what)
{
  g_autofree char *quote = server_message (self, status, body);

  if (quote != NULL)
    g_set_error (error, LSN_ERROR, code, "%s: %s (HTTP %u %s): “%s”",
                 summary, what, status, status_phrase (status), quote);
  else
    g_set_error (error, LSN_ERROR, code, "%s: %s (HTTP %u %s)",
                 summary, what, status, status_phrase (status));
}

typedef enum
{
  TRANSPORT_NOT_SENT,   /* the request never left: safe to send again */
  TRANSPORT_MAYBE_SENT, /* it may have reached the server */
  TRANSPORT_FATAL,      /* no point trying again (TLS, bad URL) */
} TransportFailure;

static TransportFailure
classify_transport_error (const GError *error)
{
  if (error->domain == G_RESOLVER_ERROR)
    return TRANSPORT_NOT_SENT;

  if (error->domain == G_TLS_ERROR)
    return TRANSPORT_FATAL;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_HOST_NOT_FOUND:
        case G_IO_ERROR_PROXY_FAILED:
          return TRANSPORT_NOT_SENT;
        case G_IO_ERROR_INVALID_ARGUMENT:
        case G_IO_ERROR_NOT_SUPPORTED:
          return TRANSPORT_FATAL;
        default:
          return TRANSPORT_MAYBE_SENT;
        }
    }

  if (error->domain == SOUP_SESSION_ERROR)
    {
      switch (error->code)
        {
        case SOUP_SESSION_ERROR_PARSING:
        case SOUP_SESSION_ERROR_ENCODING:
          return TRANSPORT_MAYBE_SENT;
        default:
          return TRANSPORT_FATAL;
        }
    }

  return TRANSPORT_MAYBE_SENT;
}

static const char *
describe_transport_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return "the server did not answer in time";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return "the connection was refused: check the server address and that the server is running";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    return "the reply was cut off before its end";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    return "the connection was dropped";
  if (error->domain == G_RESOLVER_ERROR)
    return "the host name could not be resolved: check the server address";
  if (error->domain == G_TLS_ERROR)
    return "the server's TLS certificate could not be verified";
  return "the request failed";
}

static GUri *
build_uri (LsnHttpClient  *self,
           const char     *path_and_query,
           GError        **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) local_error = NULL;
  GUri *uri;

  if (g_str_has_prefix (path_and_query, "http://") || g_str_has_prefix (path_and_query, "https://"))
    {
      if (!lsn_check_service_url (path_and_query, "The request address", error))
        return NULL;
      url = g_strdup (path_and_query);
    }
  else
    url = g_strconcat (self->base_url, path_and_query[0] == '/' ? "" : "/", path_and_query, NULL);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_autofree char *summary = lsn_http_request_summary ("", path_and_query);
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "Cannot build the request address for%s: %s", summary, local_error->message);
    }
  return uri;
}

/**
 * lsn_http_client_send_full:
 * @method: "GET", "POST", "DELETE"...
 * @path_and_query: a path under the base URL (query values escaped by the caller), or an
 *   absolute https URL (http only on loopback), for example a separate authorisation server
 * @flags: see #LsnHttpFlags
 * @extra_headers: (nullable): headers to add to every attempt
 * @content_type: (nullable): the body's type
 * @body: (nullable): the request body
 * @cancellable: (nullable): stops the request and any wait
 * @error: return location
 *
 * Sends one request within the budget, with the retries of #LsnHttpFlags. Blocks: call it from
 * a worker thread. Errors are in %LSN_ERROR: %LSN_ERROR_AUTH (a 401 even after the auth func
 * renewed the token), %LSN_ERROR_PERMISSION (403), %LSN_ERROR_NOT_FOUND (404),
 * %LSN_ERROR_VALIDATION (other 4xx), %LSN_ERROR_RATE_LIMITED, %LSN_ERROR_SERVER (5xx),
 * %LSN_ERROR_NETWORK, %LSN_ERROR_OUTCOME_UNKNOWN, %LSN_ERROR_CANCELLED. Messages name the request
 * ("POST /api/Client") and quote the server; they never hold query values or headers.
 *
 * Returns: (transfer full) (nullable): the 2xx response
 */
LsnHttpResponse *
lsn_http_client_send_full (LsnHttpClient       *self,
                           const char          *method,
                           const char          *path_and_query,
                           LsnHttpFlags         flags,
                           SoupMessageHeaders  *extra_headers,
                           const char          *content_type,
                           GBytes              *body,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *summary = NULL;
  gboolean idempotent;
  gboolean renewed = FALSE;
  gboolean force_renew = FALSE;
  guint failures = 0;
  guint throttles = 0;
  guint max_throttles;

  g_return_val_if_fail (LSN_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_and_query != NULL, NULL);

  if (!(uri = build_uri (self, path_and_query, error)))
    return NULL;

  summary = lsn_http_request_summary (method, path_and_query);
  idempotent = method_is_idempotent (method) || (flags & LSN_HTTP_IDEMPOTENT) != 0;
  max_throttles = MAX (self->max_retries, MIN_THROTTLE_WAITS);

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) local_error = NULL;
      guint64 serial = 0;
      guint status;
      gint64 wait;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_cancelled (error);
          return NULL;
        }

      msg = soup_message_new_from_uri (method, uri);
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      if ((flags & LSN_HTTP_IDEMPOTENT) != 0)
        soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Accept", "application/json");
      if (extra_headers != NULL)
        {
          SoupMessageHeadersIter iter;
          const char *name, *value;

          soup_message_headers_iter_init (&iter, extra_headers);
          while (soup_message_headers_iter_next (&iter, &name, &value))
            soup_message_headers_replace (soup_message_get_request_headers (msg), name, value);
        }
      if (body != NULL)
        soup_message_set_request_body_from_bytes (msg, content_type, body);

      if (!reserve_slot (self, &serial, cancellable, error))
        return NULL;

      /* After the wait, so that a token that expired while we waited gets renewed. */
      if (self->auth_func != NULL && (flags & LSN_HTTP_NO_AUTH) == 0
          && !self->auth_func (self, msg, force_renew, self->auth_data, &local_error))
        {
          release_slot (self, serial);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      force_renew = FALSE;

      if (self->observer_func != NULL)
        self->observer_func (self, method, uri, self->observer_data);

      g_mutex_lock (&self->mutex);
      self->stats.requests++;
      if (attempt > 1)
        self->stats.retries++;
      g_mutex_unlock (&self->mutex);

      reply = soup_session_send_and_read (self->session, msg, cancellable, &local_error);
      complete_slot (self, serial);

      if (reply == NULL)
        {
          TransportFailure failure;

          if (g_cancellable_is_cancelled (cancellable))
            {
              set_cancelled (error);
              return NULL;
            }

          failure = classify_transport_error (local_error);
          g_debug ("%s: attempt %u failed: %s", summary, attempt, local_error->message);

          if (failure == TRANSPORT_FATAL)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_NETWORK, "%s: %s (%s)",
                           summary, describe_transport_error (local_error), local_error->message);
              return NULL;
            }

          if (failure == TRANSPORT_MAYBE_SENT && !idempotent)
            {
              g_mutex_lock (&self->mutex);
              self->stats.outcome_unknown++;
              g_mutex_unlock (&self->mutex);
              g_set_error (error, LSN_ERROR, LSN_ERROR_OUTCOME_UNKNOWN,
                           "%s: %s, and the server may or may not have applied it: "
                           "check the record before sending it again (%s)",
                           summary, describe_transport_error (local_error), local_error->message);
              return NULL;
            }

          if (++failures > self->max_retries)
            {
              g_set_error (error, LSN_ERROR, LSN_ERROR_NETWORK, "%s: %s, after %u attempts (%s)",
                           summary, describe_transport_error (local_error), attempt,
                           local_error->message);
              return NULL;
            }

          if (!wait_usec (self, backoff_usec (self, failures), cancellable, error))
            return NULL;
          continue;
        }

      status = soup_message_get_status (msg);

      if (SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          LsnHttpResponse *response = g_new0 (LsnHttpResponse, 1);

          response->status = status;
          response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
          response->body = g_steal_pointer (&reply);
          return response;
        }

      if (status == SOUP_STATUS_UNAUTHORIZED)
        {
          if (self->auth_func != NULL && (flags & LSN_HTTP_NO_AUTH) == 0 && !renewed)
            {
              /* The next attempt asks the auth func for a fresh token. */
              renewed = TRUE;
              force_renew = TRUE;
              continue;
            }

          set_status_error (self, error, LSN_ERROR_AUTH, summary, status, reply,
                            "the server does not accept the credentials");
          return NULL;
        }

      if (status == 429 /* Too Many Requests */)
        {
          g_mutex_lock (&self->mutex);
          self->stats.throttled++;
          g_mutex_unlock (&self->mutex);

          if (++throttles > max_throttles)
            {
              set_status_error (self, error, LSN_ERROR_RATE_LIMITED, summary, status, reply,
                                "the rate limit was still reached after waiting");
              return NULL;
            }

          wait = parse_retry_after (soup_message_get_response_headers (msg));
          if (wait < 0)
            wait = MAX (backoff_usec (self, throttles),
                        MIN (window_frees_in (self), (gint64) self->backoff_cap_ms * 1000));
          g_debug ("%s: 429, waiting %" G_GINT64_FORMAT " ms", summary, wait / 1000);
          if (!wait_usec (self, wait, cancellable, error))
            return NULL;
          continue;
        }

      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == SOUP_STATUS_REQUEST_TIMEOUT
          || (SOUP_STATUS_IS_SERVER_ERROR (status) && idempotent))
        {
          if (++failures > self->max_retries)
            {
              g_autofree char *what = g_strdup_printf ("server error, after %u attempts", attempt);
              set_status_error (self, error,
                                status == SOUP_STATUS_REQUEST_TIMEOUT ? LSN_ERROR_NETWORK
                                                                      : LSN_ERROR_SERVER,
                                summary, status, reply, what);
              return NULL;
            }

          wait = parse_retry_after (soup_message_get_response_headers (msg));
          if (wait < 0)
            wait = backoff_usec (self, failures);
          g_debug ("%s: attempt %u got HTTP %u, waiting %" G_GINT64_FORMAT " ms",
                   summary, attempt, status, wait / 1000);
          if (!wait_usec (self, wait, cancellable, error))
            return NULL;
          continue;
        }

      if (SOUP_STATUS_IS_SERVER_ERROR (status))
        {
          g_mutex_lock (&self->mutex);
          self->stats.outcome_unknown++;
          g_mutex_unlock (&self->mutex);
          set_status_error (self, error, LSN_ERROR_OUTCOME_UNKNOWN, summary, status, reply,
                            "server error; the change may or may not have been applied, "
                            "so check the record before sending it again");
          return NULL;
        }

      if (status == SOUP_STATUS_FORBIDDEN)
        set_status_error (self, error, LSN_ERROR_PERMISSION, summary, status, reply,
                          "permission denied");
      else if (status == SOUP_STATUS_NOT_FOUND)
        set_status_error (self, error, LSN_ERROR_NOT_FOUND, summary, status, reply, "not found");
      else if (SOUP_STATUS_IS_CLIENT_ERROR (status))
        set_status_error (self, error, LSN_ERROR_VALIDATION, summary, status, reply, "rejected");
      else if (SOUP_STATUS_IS_REDIRECTION (status))
        set_status_error (self, error, LSN_ERROR_INVALID_ARGUMENT, summary, status, NULL,
                          "the server redirects elsewhere: check the server address");
      else
        set_status_error (self, error, LSN_ERROR_FAILED, summary, status, reply,
                          "unexpected reply");
      return NULL;
    }
}

/**
 * lsn_http_client_send:
 *
 * lsn_http_client_send_full() without flags.
 *
 * Returns: (transfer full) (nullable): the 2xx response
 */
LsnHttpResponse *
lsn_http_client_send (LsnHttpClient       *self,
                      const char          *method,
                      const char          *path_and_query,
                      SoupMessageHeaders  *extra_headers,
                      const char          *content_type,
                      GBytes              *body,
                      GCancellable        *cancellable,
                      GError             **error)
{
  return lsn_http_client_send_full (self, method, path_and_query, LSN_HTTP_FLAGS_NONE,
                                    extra_headers, content_type, body, cancellable, error);
}

/**
 * lsn_http_client_send_json_full:
 * @body: (nullable): sent as application/json
 *
 * Returns: (transfer full) (nullable): the 2xx response
 */
LsnHttpResponse *
lsn_http_client_send_json_full (LsnHttpClient  *self,
                                const char     *method,
                                const char     *path_and_query,
                                LsnHttpFlags    flags,
                                JsonNode       *body,
                                GCancellable   *cancellable,
                                GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      gsize len = 0;
      char *text;

      json_generator_set_root (gen, body);
      text = json_generator_to_data (gen, &len);
      bytes = g_bytes_new_take (text, len);
    }

  return lsn_http_client_send_full (self, method, path_and_query, flags, NULL,
                                    bytes ? "application/json" : NULL, bytes,
                                    cancellable, error);
}

/**
 * lsn_http_client_send_json:
 * @body: (nullable): sent as application/json
 *
 * Returns: (transfer full) (nullable): the 2xx response
 */
LsnHttpResponse *
lsn_http_client_send_json (LsnHttpClient  *self,
                           const char     *method,
                           const char     *path_and_query,
                           JsonNode       *body,
                           GCancellable   *cancellable,
                           GError        **error)
{
  return lsn_http_client_send_json_full (self, method, path_and_query, LSN_HTTP_FLAGS_NONE,
                                         body, cancellable, error);
}
