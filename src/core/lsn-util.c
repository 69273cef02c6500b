/* lsn-util.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "liaison-util"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "lsn-error.h"
#include "lsn-util.h"

/**
 * lsn_default_db_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/io.github.liaison.Liaison/liaison.db`
 */
char *
lsn_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), APP_ID, "liaison.db", NULL);
}

/**
 * lsn_resolve_db_path:
 * @cli_path: (nullable): the value of `--db`
 *
 * `--db` wins over `$LIAISON_DB`, which wins over the default path.
 *
 * Returns: (transfer full): the database path to use
 */
char *
lsn_resolve_db_path (const char *cli_path)
{
  const char *env;

  if (cli_path != NULL && *cli_path != '\0')
    return g_strdup (cli_path);

  env = g_getenv (LSN_DB_ENV);
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return lsn_default_db_path ();
}

gboolean
lsn_url_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (url == NULL)
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;

  return g_str_equal (host, "localhost")
         || g_str_has_prefix (host, "127.")
         || g_str_equal (host, "::1")
         || g_str_equal (host, "[::1]");
}

/**
 * lsn_check_service_url:
 * @url: the URL a person typed
 * @setting_name: how the setting is called in the window, for the message
 * @error: return location for a %LSN_ERROR_INVALID_ARGUMENT
 *
 * A service URL must be absolute, http(s), with a host; plain http only on loopback.
 */
gboolean
lsn_check_service_url (const char  *url,
                       const char  *setting_name,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "%s is empty: enter the address, for example https://acme.halopsa.com",
                   setting_name);
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "%s “%s” is not a web address: it must look like https://host.example.com",
                   setting_name, url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (lsn_url_is_loopback (url))
        return TRUE;
      g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
                   "%s “%s” uses plain http: use https (plain http is allowed only for 127.0.0.1)",
                   setting_name, url);
      return FALSE;
    }

  g_set_error (error, LSN_ERROR, LSN_ERROR_INVALID_ARGUMENT,
               "%s “%s” must start with https://", setting_name, url);
  return FALSE;
}

/**
 * lsn_is_guid:
 * @text: (nullable): text to check
 *
 * Returns: %TRUE for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits
 */
gboolean
lsn_is_guid (const char *text)
{
  static const int dashes[] = { 8, 13, 18, 23 };
  guint d = 0;

  if (text == NULL || strlen (text) != 36)
    return FALSE;

  for (guint i = 0; i < 36; i++)
    {
      if (d < G_N_ELEMENTS (dashes) && (int) i == dashes[d])
        {
          if (text[i] != '-')
            return FALSE;
          d++;
        }
      else if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}
