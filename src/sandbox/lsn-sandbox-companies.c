/* lsn-sandbox-companies.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The deterministic company data set both simulated PSAs are seeded from. Each company is made
 * from its own random stream (seed and index), so company i is the same whatever the sizes asked
 * for, as long as both systems still have room for it.
 *
 * The names carry the differences people make when they type the same business into two systems
 * (Ltd/Limited, &/and, accents, case, punctuation). Apart from those deliberate differences and the
 * deliberate true duplicates, no two companies share a matching key (lsn_sandbox_name_key()), so a
 * matcher that gets a pair wrong is wrong, not unlucky.
 */

#define G_LOG_DOMAIN "liaison-sandbox"

#include "config.h"

#include <string.h>

#include "lsn-sandbox-companies.h"

/* splitmix64: small, fast and the same on every platform */
typedef struct
{
  guint64 state;
} Rng;

static guint64
rng_next (Rng *r)
{
  guint64 z = (r->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static guint
rng_int (Rng   *r,
         guint  n)
{
  return n ? (guint) (rng_next (r) % n) : 0;
}

static double
rng_double (Rng *r)
{
  return (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

#define PICK(r, array) (array[rng_int ((r), G_N_ELEMENTS (array))])

static const char *places[] = {
  "Northgate", "Riverside", "Oakwood", "Ashford", "Kingsbridge", "Westfield", "Highland", "Meadowbank",
  "Harbour", "Summit", "Pinewood", "Brookside", "Elmstead", "Fairview", "Greenacre", "Hillcrest",
  "Lakeside", "Millbrook", "Newhaven", "Oldfield", "Parkside", "Queensway", "Redhill", "Southbank",
  "Thornbury", "Upton", "Valley", "Waterside", "Yarrow", "Ambleside", "Birchwood", "Castlegate",
  "Denholme", "Eastleigh", "Foxley", "Glenmore", "Hawthorn", "Ironbridge", "Juniper", "Kestrel",
  "Larchfield", "Moorland", "Norbury", "Orchard", "Penrose", "Quarry", "Rosedale", "Silverdale",
  "Tamworth", "Underhill", "Vernon", "Whitby", "Alder", "Beacon", "Cedar", "Dovecote", "Evergreen",
  "Falcon", "Granite", "Heron", "Atlas", "Pioneer", "Keystone", "Meridian", "Horizon", "Beacon Hill",
  "Sterling", "Crescent", "Crown", "Anchor", "Compass", "Lighthouse", "Bluebell", "Harvest",
};

static const char *adjectives[] = {
  "Blue", "Bright", "Clear", "Swift", "Golden", "Silver", "Green", "Red", "Prime", "First",
  "Smart", "True", "Bold", "Quiet", "Rapid", "Solid", "Noble", "Modern", "Classic", "Open",
  "Central", "United", "Global", "Local", "Premier", "Royal", "Grand", "Little", "Big", "Apex",
};

static const char *nouns[] = {
  "Oak", "River", "Stone", "Bridge", "Arrow", "Tower", "Harbour", "Fox", "Lion", "Star",
  "Leaf", "Wave", "Peak", "Forge", "Mill", "Gate", "Field", "Path", "Spark", "Cloud",
  "Circle", "Square", "Key", "Lantern", "Anchor", "Hive", "Nest", "Orbit", "Quill", "Compass",
};

static const char *industries[] = {
  "Plumbing", "Dental", "Accountants", "Solicitors", "Engineering", "Logistics", "Architects",
  "Veterinary", "Construction", "Consulting", "Electrical", "Estates", "Joinery", "Motors",
  "Catering", "Pharmacy", "Printing", "Roofing", "Surveyors", "Textiles", "Haulage", "Marketing",
  "Media", "Medical", "Opticians", "Physiotherapy", "Recruitment", "Security", "Storage", "Travel",
  "Wealth Management", "Insurance", "Property", "Landscaping", "Bakery", "Brewing", "Clinic",
  "Design", "Education", "Fitness", "Foods", "Freight", "Glazing", "Heating", "Interiors",
  "Laboratories", "Leisure", "Manufacturing", "Nursery", "Packaging", "Software", "Systems",
  "Technologies", "Trading", "Transport", "Ventures", "Waste Services", "Windows", "Wholesale",
};

static const char *suffixes[] = {
  "", "", "", "", " Ltd", " Ltd", " Limited", " LLC", " Inc", " Group", " Partners",
  " Holdings", " PLC", " Services", " Associates",
};

static const char *surnames[] = {
  "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
  "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
  "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis",
  "Harper", "Lowe", "Fletcher", "Gardner", "Hughes", "Kennedy", "Lawson", "Marsh", "Nolan",
  "Palmer", "Quinn", "Reid", "Sutton", "Turner", "Vaughan", "Ward", "Young", "Archer", "Bishop",
  "Carter", "Dixon", "Ellis", "Foster", "Graham", "Hunt", "Irving", "Jennings", "Knight", "Lucas",
  "Morgan", "Norris", "Owen", "Pearce", "Riley", "Stone", "Tucker", "Underwood", "Vincent",
  "Watson", "Yates", "Abbott", "Barker", "Chapman", "Doyle", "Fraser", "Gibson", "Holt", "Kaur",
  "Singh", "Chen", "Nguyen", "Garcia", "Martinez", "Kowalski", "Novak", "Schmidt", "Rossi",
};

static const char *accented_words[] = {
  "Café", "Société", "Müller", "Zürich", "Crème", "Nørre", "Åsa", "Señor", "Léon", "Brasserie Léon",
  "Élan", "Fête", "Garçon", "Hôtel", "Île", "Jäger", "Königs", "Lumière", "Möbel", "Naïve",
  "Øresund", "Pâtisserie", "Québec", "Rêve", "Sœur", "Tête", "Über", "Vélo", "Würth", "Zoë",
  "Ångström", "Bäckerei", "Château", "Doña", "Échelle", "Françoise", "Göteborg", "Häuser",
};

static const char *accented_tails[] = {
  "Conseil", "Studio", "Atelier", "Immobilier", "Technik", "Bau", "Optique", "Design", "Consulting",
  "Dental", "Logistik", "Services", "Traiteur", "Elektro", "Médical", "Café", "Partners", "Systems",
};

static const char *saints[] = {
  "Albans", "Andrews", "Austell", "Ives", "Helens", "Neots", "Davids", "Johns", "Georges",
  "Marys", "Peters", "Pauls", "Bees", "Clements", "Leonards", "Margarets", "Annes", "Catherines",
};

static const char *first_names[] = {
  "Olivia", "Amelia", "Isla", "Ava", "Mia", "Emily", "Sophie", "Grace", "Lily", "Freya", "Chloé",
  "Zoë", "Renée", "José", "Noah", "Oliver", "George", "Leo", "Arthur", "Harry", "Oscar", "Jack",
  "Charlie", "Jacob", "Thomas", "William", "James", "Henry", "Liam", "Mohammed", "Aisha", "Priya",
  "Raj", "Wei", "Mei", "Ana", "Sofia", "Lucas", "Mateo", "Hannah", "Rachel", "Sarah", "David",
  "Daniel", "Michael", "Laura", "Emma", "Anna", "Peter", "Paul", "Sean", "Niamh", "Siobhán", "Ciarán",
  "Björn", "Søren", "Agnès", "François", "Hélène", "Jürgen", "Małgorzata", "Tomás", "Fiona", "Kate",
};

static const char *last_names[] = {
  "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
  "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
  "Clarke", "Patel", "Khan", "Lewis", "O'Brien", "O'Neill", "McDonald", "MacLeod", "Müller",
  "García", "Núñez", "Łukasz", "Dvořák", "Ødegaard", "Fernández", "Nguyen", "Chen", "Kaur",
  "Singh", "Ahmed", "Ali", "Hussain", "Begum", "Murphy", "Kelly", "Byrne", "Ryan", "Walsh",
  "Smith-Jones", "Lloyd", "Price", "Bennett", "Cooper", "Hill", "Ward", "Morris", "Cook", "Bailey",
};

static const char *job_titles[] = {
  "Office Manager", "Managing Director", "Finance Director", "IT Manager", "Practice Manager",
  "Operations Manager", "Accounts Payable", "Director", "Receptionist", "Partner", "Head of IT",
  "Chief Executive", "Administrator", "Purchasing Manager", "Facilities Manager", "Owner",
};

static const char *streets[] = {
  "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue",
  "Queen Street", "King's Road", "London Road", "The Green", "Manor Way", "Bridge Street",
  "Market Place", "Castle Street", "Albert Road", "Chapel Street", "North Street", "Main Street",
};

static const struct
{
  const char *city;
  const char *county;
  const char *postcode_area;
} uk_cities[] = {
  { "Manchester", "Greater Manchester", "M" }, { "Leeds", "West Yorkshire", "LS" },
  { "Bristol", "Bristol", "BS" }, { "Nottingham", "Nottinghamshire", "NG" },
  { "Cambridge", "Cambridgeshire", "CB" }, { "Oxford", "Oxfordshire", "OX" },
  { "Reading", "Berkshire", "RG" }, { "York", "North Yorkshire", "YO" },
  { "Norwich", "Norfolk", "NR" }, { "Exeter", "Devon", "EX" }, { "Leicester", "Leicestershire", "LE" },
  { "Brighton", "East Sussex", "BN" }, { "Cardiff", "", "CF" }, { "Edinburgh", "", "EH" },
  { "Glasgow", "", "G" }, { "Belfast", "", "BT" }, { "London", "Greater London", "EC" },
};

static const struct
{
  const char *city;
  const char *state;
} us_cities[] = {
  { "Austin", "TX" }, { "Denver", "CO" }, { "Portland", "OR" }, { "Columbus", "OH" },
  { "Raleigh", "NC" }, { "Madison", "WI" }, { "Boise", "ID" }, { "Tampa", "FL" },
};

static const struct
{
  const char *city;
  const char *country;
  const char *code;
} eu_cities[] = {
  { "Lyon", "France", "FR" }, { "Bordeaux", "France", "FR" }, { "München", "Germany", "DE" },
  { "Köln", "Germany", "DE" }, { "Zürich", "Switzerland", "CH" }, { "Göteborg", "Sweden", "SE" },
  { "København", "Denmark", "DK" }, { "Sevilla", "Spain", "ES" },
};

/**
 * lsn_sandbox_contact_free:
 */
void
lsn_sandbox_contact_free (LsnSandboxContact *contact)
{
  if (contact == NULL)
    return;

  g_free (contact->first_name);
  g_free (contact->last_name);
  g_free (contact->email);
  g_free (contact->phone);
  g_free (contact->mobile);
  g_free (contact->job_title);
  g_free (contact);
}

/**
 * lsn_sandbox_company_free:
 */
void
lsn_sandbox_company_free (LsnSandboxCompany *company)
{
  if (company == NULL)
    return;

  g_free (company->halo_name);
  g_free (company->cw_name);
  g_free (company->domain);
  g_free (company->website);
  g_free (company->phone);
  g_free (company->street);
  g_free (company->city);
  g_free (company->state);
  g_free (company->postcode);
  g_free (company->country);
  g_free (company->country_code);
  g_clear_pointer (&company->contacts, g_ptr_array_unref);
  g_free (company);
}

/**
 * lsn_sandbox_name_variation_to_string:
 *
 * Returns: a short name for @variation, for test messages
 */
const char *
lsn_sandbox_name_variation_to_string (LsnSandboxNameVariation variation)
{
  switch (variation)
    {
    case LSN_SANDBOX_NAME_SAME: return "same";
    case LSN_SANDBOX_NAME_LTD_LIMITED: return "ltd-limited";
    case LSN_SANDBOX_NAME_AMPERSAND: return "ampersand";
    case LSN_SANDBOX_NAME_ACCENTS: return "accents";
    case LSN_SANDBOX_NAME_CASE: return "case";
    case LSN_SANDBOX_NAME_PUNCTUATION: return "punctuation";
    default: return "unknown";
    }
}

/* Accents off, for ASCII-only keys and e-mail addresses. g_str_to_ascii() turns characters it cannot
 * transliterate into '?', which the callers drop with the other punctuation. */
static char *
fold_ascii (const char *s)
{
  if (g_str_is_ascii (s))
    return g_strdup (s);
  return g_str_to_ascii (s, "C");
}

/**
 * lsn_sandbox_name_key:
 * @name: a company name
 *
 * The key the generator keeps unique between distinct companies: accents folded, case folded,
 * "&" read as "and", punctuation and spaces dropped, "limited" read as "ltd". It is the generator's
 * own notion, exposed for tests; it is not meant as the product's matching rule.
 *
 * Returns: (transfer full): the key
 */
char *
lsn_sandbox_name_key (const char *name)
{
  g_autofree char *ascii = fold_ascii (name);
  g_autoptr(GString) key = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = ascii;; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          g_string_append_c (word, g_ascii_tolower (*p));
          continue;
        }
      if (*p == '.' || *p == '\'' || *p == '?')
        continue;   /* "A.B.C." is "abc", "O'Neill" is "oneill" */

      if (word->len)
        {
          if (g_str_equal (word->str, "limited"))
            g_string_append (key, "ltd");
          else
            g_string_append (key, word->str);
          g_string_truncate (word, 0);
        }
      if (*p == '&')
        g_string_append (key, "and");
      if (*p == '\0')
        break;
    }

  return g_string_free (g_steal_pointer (&key), FALSE);
}

typedef enum
{
  PATTERN_PLACE,         /* "Northgate Plumbing Ltd" */
  PATTERN_ADJ_NOUN,      /* "Blue Oak Consulting" */
  PATTERN_SURNAMES,      /* "Harper & Lowe" */
  PATTERN_ACCENTED,      /* "Café Lumière Studio" */
  PATTERN_PUNCTUATED,    /* "St. Albans Veterinary", "O'Neill's Joinery", "A.B. Electrical" */
} Pattern;

static char *
make_base_name (Rng     *r,
                Pattern  pattern,
                gboolean force_ltd)
{
  const char *suffix = force_ltd ? (rng_int (r, 2) ? " Ltd" : " Limited") : PICK (r, suffixes);
  const char *industry = PICK (r, industries);

  /* No "Waste Services Services". */
  if (g_str_has_suffix (industry, suffix + (suffix[0] == ' ')) && suffix[0])
    suffix = "";

  switch (pattern)
    {
    case PATTERN_PLACE:
      return g_strconcat (PICK (r, places), " ", industry, suffix, NULL);

    case PATTERN_ADJ_NOUN:
      return g_strconcat (PICK (r, adjectives), " ", PICK (r, nouns), " ", industry, suffix, NULL);

    case PATTERN_SURNAMES:
      {
        const char *a = PICK (r, surnames);
        const char *b = PICK (r, surnames);

        while (b == a)
          b = PICK (r, surnames);
        if (rng_int (r, 3) == 0)
          return g_strconcat (a, " & ", b, " ", industry, suffix, NULL);
        return g_strconcat (a, " & ", b, suffix, NULL);
      }

    case PATTERN_ACCENTED:
      return g_strconcat (PICK (r, accented_words), " ", PICK (r, accented_tails),
                          force_ltd ? suffix : "", NULL);

    case PATTERN_PUNCTUATED:
    default:
      switch (rng_int (r, 4))
        {
        case 0:
          return g_strconcat ("St. ", PICK (r, saints), " ", industry, suffix, NULL);
        case 1:
          return g_strconcat (PICK (r, surnames), "'s ", industry, suffix, NULL);
        case 2:
          return g_strdup_printf ("%c.%c. %s%s", 'A' + rng_int (r, 26), 'A' + rng_int (r, 26),
                                  industry, suffix);
        default:
          return g_strconcat (PICK (r, surnames), ", ", PICK (r, surnames), " & Co.", NULL);
        }
    }
}

static char *
replace_all (const char *s,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (s, from, -1);

  return g_strjoinv (to, parts);
}

static char *
strip_punctuation (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p; p++)
    if (*p != '.' && *p != ',' && *p != '\'')
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

/* The ConnectWise spelling of @halo under @variation; NULL when @variation does not apply. */
static char *
vary_name (Rng                     *r,
           const char              *halo,
           LsnSandboxNameVariation  variation)
{
  switch (variation)
    {
    case LSN_SANDBOX_NAME_LTD_LIMITED:
      if (g_str_has_suffix (halo, " Ltd"))
        return g_strdup_printf ("%.*sLimited", (int) strlen (halo) - 3, halo);
      if (g_str_has_suffix (halo, " Limited"))
        return g_strdup_printf ("%.*sLtd", (int) strlen (halo) - 7, halo);
      return NULL;

    case LSN_SANDBOX_NAME_AMPERSAND:
      if (strstr (halo, " & "))
        return replace_all (halo, " & ", " and ");
      return NULL;

    case LSN_SANDBOX_NAME_ACCENTS:
      {
        g_autofree char *ascii = NULL;

        if (g_str_is_ascii (halo))
          return NULL;
        ascii = fold_ascii (halo);
        return replace_all (ascii, "?", "");
      }

    case LSN_SANDBOX_NAME_CASE:
      return rng_int (r, 2) ? g_utf8_strup (halo, -1) : g_utf8_strdown (halo, -1);

    case LSN_SANDBOX_NAME_PUNCTUATION:
      if (strpbrk (halo, ".,'"))
        return strip_punctuation (halo);
      return NULL;

    case LSN_SANDBOX_NAME_SAME:
    default:
      return g_strdup (halo);
    }
}

static Pattern
pattern_for (Rng                     *r,
             LsnSandboxNameVariation  variation)
{
  switch (variation)
    {
    case LSN_SANDBOX_NAME_AMPERSAND: return PATTERN_SURNAMES;
    case LSN_SANDBOX_NAME_ACCENTS: return PATTERN_ACCENTED;
    case LSN_SANDBOX_NAME_PUNCTUATION: return PATTERN_PUNCTUATED;
    case LSN_SANDBOX_NAME_LTD_LIMITED: return rng_int (r, 2) ? PATTERN_PLACE : PATTERN_ADJ_NOUN;
    case LSN_SANDBOX_NAME_SAME:
    case LSN_SANDBOX_NAME_CASE:
    default:
      {
        guint x = rng_int (r, 100);

        if (x < 35)
          return PATTERN_PLACE;
        if (x < 65)
          return PATTERN_ADJ_NOUN;
        if (x < 82)
          return PATTERN_SURNAMES;
        if (x < 90)
          return PATTERN_ACCENTED;
        return PATTERN_PUNCTUATED;
      }
    }
}

static char *
make_domain (Rng        *r,
             const char *name,
             const char *tld,
             GHashTable *domains)
{
  g_autofree char *ascii = fold_ascii (name);
  g_autoptr(GString) label = g_string_new (NULL);
  guint words = 0, used;
  char *domain;

  g_auto(GStrv) tokens = g_strsplit (ascii, " ", -1);

  for (guint i = 0; tokens[i] && words < 2; i++)
    {
      gsize before = label->len;

      if (g_ascii_strcasecmp (tokens[i], "and") == 0 || g_ascii_strcasecmp (tokens[i], "st.") == 0)
        continue;
      for (const char *p = tokens[i]; *p; p++)
        if (g_ascii_isalnum (*p))
          g_string_append_c (label, g_ascii_tolower (*p));
      if (label->len > before)
        words++;
    }
  if (label->len == 0)
    g_string_append (label, "company");

  /* @domains counts the uses of each label and TLD: the second "redtower.com" is "redtower2.com". */
  g_string_append (label, tld);
  used = GPOINTER_TO_UINT (g_hash_table_lookup (domains, label->str));
  g_hash_table_insert (domains, g_strdup (label->str), GUINT_TO_POINTER (used + 1));
  if (used == 0)
    return g_string_free (g_steal_pointer (&label), FALSE);

  g_string_truncate (label, label->len - strlen (tld));
  domain = g_strdup_printf ("%s%u%s", label->str, used + 1, tld);
  return domain;
}

static char *
email_local_part (const char *first,
                  const char *last)
{
  g_autofree char *raw = g_strconcat (first, ".", last, NULL);
  g_autofree char *ascii = fold_ascii (raw);
  GString *out = g_string_new (NULL);

  for (const char *p = ascii; *p; p++)
    if (g_ascii_isalnum (*p) || *p == '.' || *p == '-')
      g_string_append_c (out, g_ascii_tolower (*p));

  return g_string_free (out, FALSE);
}

static void
add_address (Rng               *r,
             LsnSandboxCompany *c,
             gboolean           european)
{
  if (european)
    {
      guint i = rng_int (r, G_N_ELEMENTS (eu_cities));

      c->street = g_strdup_printf ("%s %u", PICK (r, ((const char *[]) { "Rue de la Paix", "Hauptstraße",
                                                                      "Bahnhofstraße", "Avenue Jean Jaurès",
                                                                      "Storgatan", "Calle Mayor" })),
                                   1 + rng_int (r, 120));
      c->city = g_strdup (eu_cities[i].city);
      c->state = g_strdup ("");
      c->postcode = g_strdup_printf ("%05u", 10000 + rng_int (r, 89999));
      c->country = g_strdup (eu_cities[i].country);
      c->country_code = g_strdup (eu_cities[i].code);
      c->phone = g_strdup_printf ("+%u %u %03u %04u", 33 + rng_int (r, 15), 1 + rng_int (r, 9),
                                  rng_int (r, 1000), rng_int (r, 10000));
    }
  else if (rng_int (r, 5) == 0)
    {
      guint i = rng_int (r, G_N_ELEMENTS (us_cities));

      c->street = g_strdup_printf ("%u %s", 100 + rng_int (r, 9800), PICK (r, streets));
      c->city = g_strdup (us_cities[i].city);
      c->state = g_strdup (us_cities[i].state);
      c->postcode = g_strdup_printf ("%05u", 10000 + rng_int (r, 89999));
      c->country = g_strdup ("United States");
      c->country_code = g_strdup ("US");
      c->phone = g_strdup_printf ("(%03u) 555-01%02u", 200 + rng_int (r, 700), rng_int (r, 100));
    }
  else
    {
      guint i = rng_int (r, G_N_ELEMENTS (uk_cities));

      c->street = g_strdup_printf ("%u %s", 1 + rng_int (r, 200), PICK (r, streets));
      c->city = g_strdup (uk_cities[i].city);
      c->state = g_strdup (uk_cities[i].county);
      c->postcode = g_strdup_printf ("%s%u %u%c%c", uk_cities[i].postcode_area, 1 + rng_int (r, 20),
                                     rng_int (r, 10), 'A' + rng_int (r, 26), 'A' + rng_int (r, 26));
      c->country = g_strdup ("United Kingdom");
      c->country_code = g_strdup ("GB");
      c->phone = g_strdup_printf ("01632 960%03u", rng_int (r, 1000));
    }
}

static void
add_contacts (Rng               *r,
              LsnSandboxCompany *c,
              guint              n)
{
  c->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_sandbox_contact_free);

  for (guint i = 0; i < n; i++)
    {
      LsnSandboxContact *p = g_new0 (LsnSandboxContact, 1);
      g_autofree char *local = NULL;
      double x = rng_double (r);

      p->first_name = g_strdup (PICK (r, first_names));
      p->last_name = g_strdup (PICK (r, last_names));
      local = email_local_part (p->first_name, p->last_name);
      /* Two people of the same name at one company: the second gets a number, as mail admins do. */
      for (guint j = 0; j < c->contacts->len; j++)
        {
          LsnSandboxContact *o = g_ptr_array_index (c->contacts, j);

          if (g_str_has_prefix (o->email, local) && o->email[strlen (local)] == '@')
            {
              char *numbered = g_strdup_printf ("%s%u", local, i + 1);

              g_free (local);
              local = numbered;
            }
        }
      p->email = g_strconcat (local, "@", c->domain, NULL);
      p->phone = g_strdup_printf ("%s", c->phone);
      p->mobile = g_strdup_printf ("07700 900%03u", rng_int (r, 1000));
      p->job_title = g_strdup (i == 0 ? "Office Manager" : PICK (r, job_titles));
      p->inactive = rng_double (r) < 0.05;

      if (c->in_halo && c->in_cw)
        {
          p->in_halo = x < 0.925;
          p->in_cw = x >= 0.075;
        }
      else
        {
          p->in_halo = c->in_halo;
          p->in_cw = c->in_cw;
        }

      g_ptr_array_add (c->contacts, p);
    }
}

/* The first companies cover every hard case, so that even a small data set has them. */
static const struct
{
  LsnSandboxNameVariation variation;
  gboolean                halo_inactive;
  gboolean                cw_inactive;
  gint                    duplicate_of;
} forced[] = {
  { LSN_SANDBOX_NAME_SAME, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_LTD_LIMITED, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_AMPERSAND, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_ACCENTS, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_CASE, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_PUNCTUATION, FALSE, FALSE, -1 },
  { LSN_SANDBOX_NAME_SAME, TRUE, FALSE, -1 },
  { LSN_SANDBOX_NAME_SAME, FALSE, TRUE, -1 },
  { LSN_SANDBOX_NAME_SAME, FALSE, FALSE, 0 },
};

/**
 * lsn_sandbox_companies_generate:
 * @seed: the data set's seed
 * @n_halo: how many companies HaloPSA holds (true duplicates count as companies)
 * @n_cw: how many ConnectWise holds
 *
 * Generates companies until each system holds its number: most are in both, about a tenth only in
 * one of them, and once one system is full the rest go to the other only. The same arguments
 * always give the same data.
 *
 * Returns: (transfer full) (element-type LsnSandboxCompany): the companies, index order
 */
GPtrArray *
lsn_sandbox_companies_generate (guint64 seed,
                                guint   n_halo,
                                guint   n_cw)
{
  GPtrArray *companies = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_sandbox_company_free);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint have_halo = 0, have_cw = 0;

  for (guint index = 0; have_halo < n_halo || have_cw < n_cw; index++)
    {
      Rng r = { seed ^ ((guint64) index * G_GUINT64_CONSTANT (0xD1B54A32D192ED03)) };
      LsnSandboxCompany *c = g_new0 (LsnSandboxCompany, 1);
      gboolean want_halo = TRUE, want_cw = TRUE;
      double x;

      rng_next (&r);
      c->index = index;
      c->duplicate_of = -1;

      if (index < G_N_ELEMENTS (forced))
        {
          c->variation = forced[index].variation;
          c->halo_inactive = forced[index].halo_inactive;
          c->cw_inactive = forced[index].cw_inactive;
          c->duplicate_of = forced[index].duplicate_of;
        }
      else
        {
          x = rng_double (&r);
          if (x < 0.55)
            c->variation = LSN_SANDBOX_NAME_SAME;
          else
            c->variation = LSN_SANDBOX_NAME_LTD_LIMITED + rng_int (&r, 5);

          c->halo_inactive = rng_double (&r) < 0.05;
          c->cw_inactive = rng_double (&r) < 0.05;

          x = rng_double (&r);
          if (x < 0.09)
            want_cw = FALSE;
          else if (x < 0.18)
            want_halo = FALSE;

          if (rng_double (&r) < 0.015 && index > 0)
            c->duplicate_of = (gint) rng_int (&r, index);
        }

      if (c->duplicate_of >= 0 && (guint) c->duplicate_of < companies->len)
        {
          /* The same business entered a second time, in one system only. */
          LsnSandboxCompany *o = g_ptr_array_index (companies, c->duplicate_of);

          c->variation = LSN_SANDBOX_NAME_SAME;
          want_halo = o->in_halo;
          want_cw = !o->in_halo && o->in_cw;
          c->halo_name = g_strdup (o->halo_name);
          c->cw_name = g_strdup (o->cw_name);
          c->domain = g_strdup (o->domain);
        }
      else
        {
          c->duplicate_of = -1;
          for (guint attempt = 0; c->halo_name == NULL; attempt++)
            {
              g_autofree char *base = NULL;
              g_autofree char *key = NULL;
              Pattern pattern = pattern_for (&r, c->variation);

              base = make_base_name (&r, pattern, c->variation == LSN_SANDBOX_NAME_LTD_LIMITED);
              if (attempt >= 40)
                {
                  char *numbered = g_strdup_printf ("%s %u", base, index);

                  g_free (base);
                  base = numbered;
                }

              key = lsn_sandbox_name_key (base);
              if (g_hash_table_contains (keys, key))
                continue;

              c->cw_name = vary_name (&r, base, c->variation);
              if (c->cw_name == NULL)
                continue;

              g_hash_table_add (keys, g_steal_pointer (&key));
              c->halo_name = g_steal_pointer (&base);
            }
        }

      /* Room left? */
      if (want_halo && have_halo >= n_halo)
        want_halo = FALSE;
      if (want_cw && have_cw >= n_cw)
        want_cw = FALSE;
      if (!want_halo && !want_cw)
        {
          if (c->duplicate_of >= 0)
            {
              lsn_sandbox_company_free (c);
              continue;
            }
          want_halo = have_halo < n_halo;
          want_cw = !want_halo;
        }
      c->in_halo = want_halo;
      c->in_cw = want_cw;
      have_halo += want_halo;
      have_cw += want_cw;

      {
        gboolean european = !g_str_is_ascii (c->halo_name);

        add_address (&r, c, european);
        if (c->domain == NULL)
          c->domain = make_domain (&r, c->halo_name, european ? (g_strcmp0 (c->country_code, "DE") == 0 ? ".de" : ".eu")
                                                            : g_strcmp0 (c->country_code, "US") == 0 ? ".com" : ".co.uk",
                                   domains);
        c->website = g_strconcat ("https://www.", c->domain, NULL);
        x = rng_double (&r);
        add_contacts (&r, c, index < G_N_ELEMENTS (forced) ? 3 : x < 0.05 ? 0 : 1 + rng_int (&r, 5));
      }

      g_ptr_array_add (companies, c);
    }

  return companies;
}
