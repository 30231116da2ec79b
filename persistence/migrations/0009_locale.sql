-- The language a person reads the product in (BCP 47 tag): e-mails are written in it, and
-- errors when a request names none (Accept-Language). A sign-up keeps the one it was asked
-- in until its account exists. A project's language is the one its team works in.
-- The tags are collab/i18n.py's LOCALES; a language added there needs a migration here.
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en'
    CONSTRAINT users_locale_supported CHECK (locale IN ('en', 'pt-BR'));
ALTER TABLE pending_signups ADD COLUMN locale text NOT NULL DEFAULT 'en'
    CONSTRAINT pending_signups_locale_supported CHECK (locale IN ('en', 'pt-BR'));
ALTER TABLE projects ADD COLUMN language text NOT NULL DEFAULT 'en'
    CONSTRAINT projects_language_supported CHECK (language IN ('en', 'pt-BR'));
