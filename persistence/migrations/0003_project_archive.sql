-- Archived projects stay readable and editable by their team but leave the default listing.
ALTER TABLE projects ADD COLUMN archived boolean NOT NULL DEFAULT false;
