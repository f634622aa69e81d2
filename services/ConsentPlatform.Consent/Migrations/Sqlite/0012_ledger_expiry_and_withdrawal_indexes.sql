-- The expiry sweep (every Consent:ExpirySweepSeconds) and every withdrawal ask "is this grant withdrawn?"
-- (NOT EXISTS ... withdraws = g.id) once per grant. Without an index each question read the whole ledger:
-- with 1M rows and 5,000 expired grants one sweep batch took 89 s inside a write transaction, holding
-- SQLite's one writer (every opt-out) behind it. Both indexes are partial: only withdrawals carry
-- `withdraws`, and only grants with an expiry are swept.
CREATE INDEX ix_consent_ledger_withdraws ON consent_ledger (withdraws) WHERE withdraws IS NOT NULL;
CREATE INDEX ix_consent_ledger_expiry ON consent_ledger (expires_at) WHERE action = 'granted' AND expires_at IS NOT NULL;
