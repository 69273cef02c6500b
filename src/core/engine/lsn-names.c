/* lsn-names.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How Liaison compares the names of companies. Names never link records on their own: they only
 * propose pairs for a person to confirm (or, when a profile opts in, exact names are accepted).
 *
 * - exact: equal once surrounding white space is trimmed;
 * - key (normalized): case folded, accents removed, "&" read as "and", punctuation dropped,
 *   legal suffixes (Ltd, Limited, LLC, Inc, GmbH, Pty...) removed from the end, white space
 *   collapsed: "Müller & Söhne GmbH" and "MULLER AND SOHNE" share the key "muller and sohne";
 * - similarity: Dice coefficient over letter bigrams of two keys, 0 to 1.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include <string.h>

#include "lsn-names.h"

static const char * const legal_suffixes[] = {
  "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co",
  "company", "gmbh", "ag", "kg", "pty", "plc", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
  "oy", "ab", "as", "aps", "kft", "sp", "zoo", "pte", "pvt", "ug", "ev",
  NULL
};

static gboolean
is_legal_suffix (const char *word)
{
  for (guint i = 0; legal_suffixes[i]; i++)
    if (g_str_equal (word, legal_suffixes[i]))
      return TRUE;
  return FALSE;
}

/**
 * lsn_name_key:
 * @name: (nullable): a company or person name
 *
 * Returns: (transfer full): the normalized key of @name ("" for %NULL)
 */
char *
lsn_name_key (const char *name)
{
  g_autofree char *ascii = NULL;
  g_autoptr(GString) cleaned = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  int last;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_strdup ("");

  /* Transliterate accents away ("Müller" → "Muller"); the C locale keeps it deterministic. */
  ascii = g_str_to_ascii (name, "C");

  cleaned = g_string_sized_new (strlen (ascii));
  for (const char *p = ascii; *p; p++)
    {
      char c = g_ascii_tolower (*p);

      if (c == '&' || c == '+')
        g_string_append (cleaned, " and ");
      else if (g_ascii_isalnum (c))
        g_string_append_c (cleaned, c);
      else if (c == '\'' || c == '.')
        ; /* "O'Brien" → "obrien", "L.L.C." → "llc" */
      else
        g_string_append_c (cleaned, ' ');
    }

  words = g_strsplit_set (cleaned->str, " ", -1);
  kept = g_ptr_array_new ();
  for (guint i = 0; words[i]; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (kept, words[i]);

  /* A leading "the" is noise too. */
  if (kept->len > 1 && g_str_equal (g_ptr_array_index (kept, 0), "the"))
    g_ptr_array_remove_index (kept, 0);

  /* Drop legal suffixes from the end, but never the whole name. */
  last = (int) kept->len - 1;
  while (last > 0 && is_legal_suffix (g_ptr_array_index (kept, last)))
    last--;
  /* "... and co" */
  if (last > 0 && g_str_equal (g_ptr_array_index (kept, last), "and")
      && (guint) last + 1 < kept->len)
    last--;
  g_ptr_array_set_size (kept, last + 1 > 0 ? last + 1 : 0);

  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **) kept->pdata);
}

/**
 * lsn_name_equal_exact:
 *
 * Returns: %TRUE when the names are equal once surrounding white space is trimmed
 */
gboolean
lsn_name_equal_exact (const char *a,
                      const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return FALSE;

  while (g_ascii_isspace (*a)) a++;
  while (g_ascii_isspace (*b)) b++;
  la = strlen (a);
  lb = strlen (b);
  while (la > 0 && g_ascii_isspace (a[la - 1])) la--;
  while (lb > 0 && g_ascii_isspace (b[lb - 1])) lb--;

  return la > 0 && la == lb && memcmp (a, b, la) == 0;
}

/**
 * lsn_name_similarity:
 * @key_a: a key from lsn_name_key()
 * @key_b: another
 *
 * Returns: the Dice coefficient of the two keys' letter bigrams (spaces ignored), 0 to 1
 */
double
lsn_name_similarity (const char *key_a,
                     const char *key_b)
{
  guint16 *bigrams_a = NULL;
  gsize na = 0, nb = 0, common = 0;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gsize la, lb;

  if (key_a == NULL || key_b == NULL)
    return 0.0;

  a = g_strdup (key_a);
  b = g_strdup (key_b);
  g_strdelimit (a, " ", '_');
  g_strdelimit (b, " ", '_');
  la = strlen (a);
  lb = strlen (b);

  if (la == 0 || lb == 0)
    return 0.0;
  if (la == lb && memcmp (a, b, la) == 0)
    return 1.0;
  if (la < 2 || lb < 2)
    return 0.0;

  bigrams_a = g_new (guint16, la - 1);
  for (gsize i = 0; i + 1 < la; i++)
    bigrams_a[na++] = (guint16) (((guchar) a[i] << 8) | (guchar) a[i + 1]);

  for (gsize j = 0; j + 1 < lb; j++)
    {
      guint16 bg = (guint16) (((guchar) b[j] << 8) | (guchar) b[j + 1]);
      nb++;
      for (gsize i = 0; i < na; i++)
        if (bigrams_a[i] == bg)
          {
            bigrams_a[i] = 0; /* use each bigram once */
            common++;
            break;
          }
    }

  g_free (bigrams_a);
  return (2.0 * common) / (double) (na + nb);
}
