-- The server speaks the languages it has catalogues for (http_api/i18n.py) and checks a
-- locale against them itself; the database checks only the shape of the tag
-- (collab.i18n.LOCALE_TAG), so adding a language is a catalogue-only change, with no
-- migration. This replaces 0009's fixed lists.
ALTER TABLE users DROP CONSTRAINT users_locale_supported,
    ADD CONSTRAINT users_locale_tag
    CHECK (locale ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');
ALTER TABLE pending_signups DROP CONSTRAINT pending_signups_locale_supported,
    ADD CONSTRAINT pending_signups_locale_tag
    CHECK (locale ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');
ALTER TABLE projects DROP CONSTRAINT projects_language_supported,
    ADD CONSTRAINT projects_language_tag
    CHECK (language ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');
