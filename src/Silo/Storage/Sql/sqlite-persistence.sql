-- AlarmInbox: SQLite schema for Orleans ADO.NET grain persistence (invariant "System.Data.SQLite").
-- Written for this project. Idempotent: tables are created when missing and the named queries are replaced,
-- so running it at every start keeps an existing database and brings its queries up to date.
--
-- The provider looks its statements up in OrleansQuery by key and binds these parameters:
--   @ServiceId, @GrainTypeString (the state name), @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
--   @GrainIdExtensionString (string keys; may be NULL), @GrainStateVersion (the ETag; NULL for a first write),
--   @PayloadBinary (the serialized state).
-- Reads return (PayloadBinary, Version); writes and clears return one row NewGrainStateVersion on success and
-- no row on a version conflict, which the provider reports as InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              TEXT    NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL DEFAULT '',
    GrainTypeHash          INTEGER NOT NULL,
    GrainIdHash            INTEGER NOT NULL,
    PayloadBinary          BLOB    NULL,
    Version                INTEGER NOT NULL,
    ModifiedOn             TEXT    NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
) WITHOUT ROWID;

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''');
');

-- Exactly one of the two statements can match: an update needs the caller's version, an insert needs no version
-- and no existing row. Each returns the new version, or nothing on a conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    Version = Version + 1,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
  AND @GrainStateVersion IS NOT NULL
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

INSERT INTO OrleansStorage
    (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainTypeHash, GrainIdHash, PayloadBinary, Version, ModifiedOn)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''), @GrainTypeHash, @GrainIdHash,
       @PayloadBinary, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    Version = Version + 1,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
');

-- Used when DeleteStateOnClear is on: removes the row and returns its version + 1 (the provider expects a value
-- that differs from the ETag it sent).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
');

-- AlarmInbox history -----------------------------------------------------------------------------------------------
-- Tables of our own next to Orleans' (issue 15): history is appended row by row instead of being rewritten inside one
-- grain state blob, so storing one more alarm, delivery, message or audit entry costs the same whatever is stored.
-- Times are UTC ticks (100 ns since 0001-01-01); payloads are the records as JSON. Read and written only by
-- AlarmInbox.Silo.Storage.Sql*Store; retention (HistoryRetentionService) deletes old rows.

-- One row per alarm: its latest state (payload = AlarmRecord without History). ordinal grows per tenant with every
-- stored revision and orders alarms evaluated at the same instant.
CREATE TABLE IF NOT EXISTS ai_alarms
(
    tenant_id       TEXT    NOT NULL,
    alarm_id        TEXT    NOT NULL,
    ordinal         INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    incident_number TEXT    NULL,
    evaluated_at    INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, alarm_id)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarms_order ON ai_alarms (tenant_id, evaluated_at, ordinal);
CREATE INDEX IF NOT EXISTS ix_ai_alarms_ordinal ON ai_alarms (tenant_id, ordinal);
-- The incident lookup of every mail (newest first): with (tenant_id, incident_number) alone SQLite walked the
-- tenant's whole ordinal index to avoid a sort, one row lookup per stored alarm. Replaces ix_ai_alarms_incident.
CREATE INDEX IF NOT EXISTS ix_ai_alarms_incident_ordinal ON ai_alarms (tenant_id, incident_number, ordinal);
DROP INDEX IF EXISTS ix_ai_alarms_incident;

-- One row per mail of an alarm (payload = AlarmRevision).
CREATE TABLE IF NOT EXISTS ai_alarm_revisions
(
    tenant_id    TEXT    NOT NULL,
    alarm_id     TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    mailbox_id   TEXT    NOT NULL,
    evaluated_at INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, alarm_id, revision)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_revisions_mailbox ON ai_alarm_revisions (tenant_id, mailbox_id, alarm_id);

-- Keys of handled mails (idempotency and content keys), newest ordinal last; a bounded window per tenant.
CREATE TABLE IF NOT EXISTS ai_alarm_keys
(
    tenant_id TEXT    NOT NULL,
    mail_key  TEXT    NOT NULL,
    ordinal   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, mail_key)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_keys_ordinal ON ai_alarm_keys (tenant_id, ordinal);

-- One row per arrival of an alarm's mails (payload = AlarmReceipt): the first mail, each update and each repeat over
-- any path; at most AlarmLimits.MaxReceipts per alarm (the grain stops adding). ordinal orders them per alarm.
CREATE TABLE IF NOT EXISTS ai_alarm_receipts
(
    tenant_id    TEXT    NOT NULL,
    alarm_id     TEXT    NOT NULL,
    source_id    TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    ordinal      INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, alarm_id, source_id, uid_validity, uid)
);

-- Tenant-wide recognition keys (Message-ID or content hash, RecognitionKeys) -> the alarm of that mail; a key seen
-- again is re-pointed and gets a new ordinal; a bounded window per tenant (AlarmInbox:Alarms:ProcessedKeyWindow).
CREATE TABLE IF NOT EXISTS ai_alarm_recognition
(
    tenant_id       TEXT    NOT NULL,
    recognition_key TEXT    NOT NULL,
    alarm_id        TEXT    NOT NULL,
    ordinal         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, recognition_key)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_recognition_ordinal ON ai_alarm_recognition (tenant_id, ordinal);

-- Alarm revisions stored but not yet confirmed by the webhook outbox (payload = AlarmRecord as of that revision).
CREATE TABLE IF NOT EXISTS ai_alarm_handoffs
(
    tenant_id TEXT    NOT NULL,
    alarm_id  TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    payload   TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, alarm_id, revision)
);

-- One row per delivery of an alarm revision to a webhook, with the exact body signed and sent on every attempt.
CREATE TABLE IF NOT EXISTS ai_webhook_deliveries
(
    tenant_id        TEXT    NOT NULL,
    webhook_id       TEXT    NOT NULL,
    alarm_id         TEXT    NOT NULL,
    revision         INTEGER NOT NULL,
    idempotency_key  TEXT    NOT NULL,
    event_name       TEXT    NOT NULL,
    body             BLOB    NOT NULL,
    state            INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_attempt_at  INTEGER NULL,
    next_attempt_at  INTEGER NULL,
    delivered_at     INTEGER NULL,
    last_status_code INTEGER NULL,
    last_error       TEXT    NULL,
    PRIMARY KEY (tenant_id, webhook_id, alarm_id, revision)
);
CREATE INDEX IF NOT EXISTS ix_ai_webhook_deliveries_state ON ai_webhook_deliveries (tenant_id, state, created_at);
-- An alarm's deliveries, and whether a revision has any (checked for every revision queued): without the revision in
-- this index SQLite answered the latter from the primary key, reading every delivery of the tenant. Replaces
-- ix_ai_webhook_deliveries_alarm.
CREATE INDEX IF NOT EXISTS ix_ai_webhook_deliveries_revision ON ai_webhook_deliveries (tenant_id, alarm_id, revision);
DROP INDEX IF EXISTS ix_ai_webhook_deliveries_alarm;

-- The API audit log, one row per audited request; retention by age (AlarmInbox:Retention:AuditMaxAge).
CREATE TABLE IF NOT EXISTS ai_audit
(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    key_id     TEXT    NULL,
    method     TEXT    NOT NULL,
    route      TEXT    NOT NULL,
    tenant_id  TEXT    NULL,
    mailbox_id TEXT    NULL,
    status     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_ai_audit_at ON ai_audit (at);

-- Stored messages of mailboxes and inbound addresses (owner_id = mailbox or address id), payload = MailMessage as
-- JSON. ordinal grows per owner (retention keeps the newest).
CREATE TABLE IF NOT EXISTS ai_messages
(
    owner_id      TEXT    NOT NULL,
    uid_validity  INTEGER NOT NULL,
    uid           INTEGER NOT NULL,
    ordinal       INTEGER NOT NULL,
    content_key   TEXT    NOT NULL,
    internal_date INTEGER NULL,
    payload       TEXT    NOT NULL,
    PRIMARY KEY (owner_id, uid_validity, uid)
);
CREATE INDEX IF NOT EXISTS ix_ai_messages_ordinal ON ai_messages (owner_id, ordinal);
CREATE INDEX IF NOT EXISTS ix_ai_messages_content ON ai_messages (owner_id, content_key);

-- The UID given to each spooled SMTP mail of an inbound address (so a retried hand-off keeps it); the newest 5,000 per
-- address are kept (retention by uid).
CREATE TABLE IF NOT EXISTS ai_inbound_uids
(
    address_id TEXT    NOT NULL,
    spool_id   TEXT    NOT NULL,
    uid        INTEGER NOT NULL,
    PRIMARY KEY (address_id, spool_id)
);
CREATE INDEX IF NOT EXISTS ix_ai_inbound_uids_uid ON ai_inbound_uids (address_id, uid);
