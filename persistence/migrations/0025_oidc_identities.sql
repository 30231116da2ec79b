-- Sign-in with OpenID Connect: which issuer's subject is which account. Only the pair that
-- identifies the person at the issuer is kept (no tokens, no copy of the e-mail address or
-- the profile); deleting the account deletes its identities.
CREATE TABLE oidc_identities (
    provider     text        NOT NULL,
    subject      text        NOT NULL,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);
