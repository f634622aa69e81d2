-- See the SQLite script: the expiry sweep and every withdrawal look up a grant's withdrawal by `withdraws`.
CREATE INDEX ix_consent_ledger_withdraws ON consent_ledger (withdraws) WHERE withdraws IS NOT NULL;
CREATE INDEX ix_consent_ledger_expiry ON consent_ledger (expires_at) WHERE action = 'granted' AND expires_at IS NOT NULL;
