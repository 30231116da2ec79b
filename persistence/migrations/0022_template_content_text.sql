-- A template's content is kept as JSON text, not jsonb: jsonb refuses the NUL character
-- (\u0000), which a project's text may hold (REST accepts any Unicode text), so saving such
-- a project as a template failed. The server only ever reads the content whole.
ALTER TABLE project_templates
    ALTER COLUMN document TYPE text USING document::text,
    ALTER COLUMN clusters TYPE text USING clusters::text;
