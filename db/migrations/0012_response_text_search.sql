-- Text search over the open answers of a response (its `comment`, migration 0013), stated once:
-- which configuration reads a response's language, and when a response matches a search term.
--
-- Dutch and English answers are stemmed by their own language ("klanten" and "klant" are one
-- word); any other language is indexed word for word ('simple'), since a wrong stemmer mangles.

CREATE OR REPLACE FUNCTION response_text_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE language
  WHEN 'nl' THEN 'pg_catalog.dutch'::regconfig
  WHEN 'en' THEN 'pg_catalog.english'::regconfig
  ELSE 'pg_catalog.simple'::regconfig
END;
--> statement-breakpoint

-- A response matches when the term, parsed in its language's configuration (web search syntax:
-- "a phrase", or, -word), matches its comment's lexemes. Written as one arm per configuration so
-- that, once inlined, every parse is a constant: each arm can use the GIN index (a BitmapOr for
-- rare terms), and the planner estimates each from the column statistics, which lets it walk
-- the newest rows instead when a term is common and only the first page is wanted.
CREATE OR REPLACE FUNCTION response_text_matches(document tsvector, language text, term text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (response_text_config(language) = 'pg_catalog.dutch'::regconfig AND document @@ websearch_to_tsquery('pg_catalog.dutch', term))
    OR (response_text_config(language) = 'pg_catalog.english'::regconfig AND document @@ websearch_to_tsquery('pg_catalog.english', term))
    OR (response_text_config(language) = 'pg_catalog.simple'::regconfig AND document @@ websearch_to_tsquery('pg_catalog.simple', term));
