-- AlarmInbox: PostgreSQL schema for Orleans ADO.NET clustering, grain persistence and reminders (invariant "Npgsql").
-- Written for this project (the Orleans packages ship no SQL). Idempotent: tables and indexes are created when
-- missing and each named query is written only when its text differs, so running it at every silo start keeps an
-- existing database as it is and brings its queries up to date. Run it as the owner of the database (PostgreSQL 15+
-- grants no CREATE on schema public to other users).
--
-- Identifiers are unquoted, so PostgreSQL folds them to lower case; the providers' own lookups (SELECT QueryKey,
-- QueryText FROM OrleansQuery) are unquoted too, and Npgsql matches result column names case-insensitively.
--
-- Parameters the providers bind, and what they read back:
--   Persistence: @ServiceId, @GrainTypeString (the state name), @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
--     @GrainIdExtensionString (string keys; NULL for numeric ones), @GrainStateVersion (the ETag; NULL on the first
--     write), @PayloadBinary. Reads return (PayloadBinary, Version); writes and deletes return one row
--     NewGrainStateVersion on success and no row on a version conflict (InconsistentStateException).
--   Clustering: @DeploymentId (the cluster id), @Address, @Port, @Generation (the silo address), @SiloName, @HostName,
--     @Status (SiloStatus as int, Active = 3), @ProxyPort, @StartTime, @IAmAliveTime, @SuspectTimes, @Version (the
--     table version the writer read). Reads return the version row left-joined with the member rows; inserts and
--     updates return one boolean column: true when the table version matched (and was advanced) and the row changed.
--   Reminders: @ServiceId, @GrainId, @GrainHash, @BeginHash, @EndHash (grain hashes as signed int), @ReminderName,
--     @StartTime, @Period (milliseconds), @Version (the ETag). Reads return (GrainId, ReminderName, StartTime, Period,
--     Version); the upsert returns the new Version; the delete returns one boolean column.

SELECT pg_advisory_xact_lock(4127000001); -- one schema run at a time when several silos start together

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- Grain persistence ------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              varchar(150) NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainIdExtensionString varchar(512) NOT NULL DEFAULT '',
    GrainTypeHash          integer      NOT NULL,
    GrainIdHash            integer      NOT NULL,
    PayloadBinary          bytea        NULL,
    Version                integer      NOT NULL,
    ModifiedOn             timestamptz  NOT NULL,
    CONSTRAINT pk_orleansstorage PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

-- Clustering -------------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    CONSTRAINT pk_orleansmembershiptable PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Reminders --------------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(150) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    CONSTRAINT pk_orleansreminderstable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- The reminder service of each silo reads the rows of its hash range.
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_hash ON OrleansRemindersTable (ServiceId, GrainHash);

-- AlarmInbox history -----------------------------------------------------------------------------------------------
-- Tables of our own next to Orleans' (issue 15): history is appended row by row instead of being rewritten inside one
-- grain state blob. Same tables as in sqlite-persistence.sql (see there for what each holds). Times are UTC ticks.

CREATE TABLE IF NOT EXISTS ai_alarms
(
    tenant_id       text    NOT NULL,
    alarm_id        text    NOT NULL,
    ordinal         bigint  NOT NULL,
    status          integer NOT NULL,
    incident_number text    NULL,
    evaluated_at    bigint  NOT NULL,
    payload         text    NOT NULL,
    CONSTRAINT pk_ai_alarms PRIMARY KEY (tenant_id, alarm_id)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarms_order ON ai_alarms (tenant_id, evaluated_at, ordinal);
CREATE INDEX IF NOT EXISTS ix_ai_alarms_ordinal ON ai_alarms (tenant_id, ordinal);
-- The incident lookup of every mail (newest first): with (tenant_id, incident_number) alone SQLite walked the
-- tenant's whole ordinal index to avoid a sort, one row lookup per stored alarm. Replaces ix_ai_alarms_incident.
CREATE INDEX IF NOT EXISTS ix_ai_alarms_incident_ordinal ON ai_alarms (tenant_id, incident_number, ordinal);
DROP INDEX IF EXISTS ix_ai_alarms_incident;

CREATE TABLE IF NOT EXISTS ai_alarm_revisions
(
    tenant_id    text    NOT NULL,
    alarm_id     text    NOT NULL,
    revision     integer NOT NULL,
    mailbox_id   text    NOT NULL,
    evaluated_at bigint  NOT NULL,
    payload      text    NOT NULL,
    CONSTRAINT pk_ai_alarm_revisions PRIMARY KEY (tenant_id, alarm_id, revision)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_revisions_mailbox ON ai_alarm_revisions (tenant_id, mailbox_id, alarm_id);

CREATE TABLE IF NOT EXISTS ai_alarm_keys
(
    tenant_id text   NOT NULL,
    mail_key  text   NOT NULL,
    ordinal   bigint NOT NULL,
    CONSTRAINT pk_ai_alarm_keys PRIMARY KEY (tenant_id, mail_key)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_keys_ordinal ON ai_alarm_keys (tenant_id, ordinal);

CREATE TABLE IF NOT EXISTS ai_alarm_receipts
(
    tenant_id    text    NOT NULL,
    alarm_id     text    NOT NULL,
    source_id    text    NOT NULL,
    uid_validity bigint  NOT NULL,
    uid          bigint  NOT NULL,
    ordinal      bigint  NOT NULL,
    payload      text    NOT NULL,
    CONSTRAINT pk_ai_alarm_receipts PRIMARY KEY (tenant_id, alarm_id, source_id, uid_validity, uid)
);

CREATE TABLE IF NOT EXISTS ai_alarm_recognition
(
    tenant_id       text   NOT NULL,
    recognition_key text   NOT NULL,
    alarm_id        text   NOT NULL,
    ordinal         bigint NOT NULL,
    CONSTRAINT pk_ai_alarm_recognition PRIMARY KEY (tenant_id, recognition_key)
);
CREATE INDEX IF NOT EXISTS ix_ai_alarm_recognition_ordinal ON ai_alarm_recognition (tenant_id, ordinal);

CREATE TABLE IF NOT EXISTS ai_alarm_handoffs
(
    tenant_id text    NOT NULL,
    alarm_id  text    NOT NULL,
    revision  integer NOT NULL,
    payload   text    NOT NULL,
    CONSTRAINT pk_ai_alarm_handoffs PRIMARY KEY (tenant_id, alarm_id, revision)
);

CREATE TABLE IF NOT EXISTS ai_webhook_deliveries
(
    tenant_id        text    NOT NULL,
    webhook_id       text    NOT NULL,
    alarm_id         text    NOT NULL,
    revision         integer NOT NULL,
    idempotency_key  text    NOT NULL,
    event_name       text    NOT NULL,
    body             bytea   NOT NULL,
    state            integer NOT NULL,
    attempts         integer NOT NULL,
    created_at       bigint  NOT NULL,
    last_attempt_at  bigint  NULL,
    next_attempt_at  bigint  NULL,
    delivered_at     bigint  NULL,
    last_status_code integer NULL,
    last_error       text    NULL,
    CONSTRAINT pk_ai_webhook_deliveries PRIMARY KEY (tenant_id, webhook_id, alarm_id, revision)
);
CREATE INDEX IF NOT EXISTS ix_ai_webhook_deliveries_state ON ai_webhook_deliveries (tenant_id, state, created_at);
-- An alarm's deliveries, and whether a revision has any (checked for every revision queued): without the revision in
-- this index SQLite answered the latter from the primary key, reading every delivery of the tenant. Replaces
-- ix_ai_webhook_deliveries_alarm.
CREATE INDEX IF NOT EXISTS ix_ai_webhook_deliveries_revision ON ai_webhook_deliveries (tenant_id, alarm_id, revision);
DROP INDEX IF EXISTS ix_ai_webhook_deliveries_alarm;

CREATE TABLE IF NOT EXISTS ai_audit
(
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    at         bigint  NOT NULL,
    key_id     text    NULL,
    method     text    NOT NULL,
    route      text    NOT NULL,
    tenant_id  text    NULL,
    mailbox_id text    NULL,
    status     integer NOT NULL,
    CONSTRAINT pk_ai_audit PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_ai_audit_at ON ai_audit (at);

CREATE TABLE IF NOT EXISTS ai_messages
(
    owner_id      text   NOT NULL,
    uid_validity  bigint NOT NULL,
    uid           bigint NOT NULL,
    ordinal       bigint NOT NULL,
    content_key   text   NOT NULL,
    internal_date bigint NULL,
    payload       text   NOT NULL,
    CONSTRAINT pk_ai_messages PRIMARY KEY (owner_id, uid_validity, uid)
);
CREATE INDEX IF NOT EXISTS ix_ai_messages_ordinal ON ai_messages (owner_id, ordinal);
CREATE INDEX IF NOT EXISTS ix_ai_messages_content ON ai_messages (owner_id, content_key);

CREATE TABLE IF NOT EXISTS ai_inbound_uids
(
    address_id text   NOT NULL,
    spool_id   text   NOT NULL,
    uid        bigint NOT NULL,
    CONSTRAINT pk_ai_inbound_uids PRIMARY KEY (address_id, spool_id)
);
CREATE INDEX IF NOT EXISTS ix_ai_inbound_uids_uid ON ai_inbound_uids (address_id, uid);

-- Named queries ----------------------------------------------------------------------------------------------------
-- Loaded into a temporary table first, then merged, so that a query whose text is unchanged is not rewritten.

CREATE TEMPORARY TABLE alarminbox_queries (QueryKey varchar(64) PRIMARY KEY, QueryText text NOT NULL) ON COMMIT DROP;

INSERT INTO alarminbox_queries (QueryKey, QueryText) VALUES

('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '');
$q$),

-- Exactly one branch can succeed: an update needs the caller's version, an insert needs no version and no row.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedOn = now()
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
      AND @GrainStateVersion IS NOT NULL
      AND Version = @GrainStateVersion
    RETURNING Version
), inserted AS (
    INSERT INTO OrleansStorage
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainTypeHash, GrainIdHash, PayloadBinary, Version, ModifiedOn)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @GrainTypeHash, @GrainIdHash,
           @PayloadBinary, 1, now()
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version AS NewGrainStateVersion FROM inserted;
$q$),

('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),

-- Used with DeleteStateOnClear: removes the row and returns its version + 1 (the provider expects a value other
-- than the ETag it sent).
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$),

('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
    VALUES (@DeploymentId, now(), 0)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS Inserted;
$q$),

-- The version row is advanced first: its row lock serialises writers, and a writer that read an old version changes
-- nothing and gets false.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                      WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING 1
), inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    WHERE EXISTS (SELECT 1 FROM bumped)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS Inserted;
$q$),

('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING 1
), updated AS (
    UPDATE OrleansMembershipTable
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
      AND EXISTS (SELECT 1 FROM bumped)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS Updated;
$q$),

('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- One row per member, each carrying the table version; a single row with NULL member columns when there are none.
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Rows of silos that are not active (dead, or never finished joining) and silent since @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
$q$),

('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = EXCLUDED.StartTime,
    Period = EXCLUDED.Period,
    GrainHash = EXCLUDED.GrainHash,
    Version = OrleansRemindersTable.Version + 1
RETURNING Version;
$q$),

('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
$q$),

('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
$q$),

-- The hash range (@BeginHash, @EndHash] of a silo's share of the ring, when it does not wrap around.
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
$q$),

-- The same when it wraps around (or is the whole ring: @BeginHash = @EndHash).
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),

('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS Deleted;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText)
SELECT QueryKey, QueryText FROM alarminbox_queries
ON CONFLICT (QueryKey) DO UPDATE
SET QueryText = EXCLUDED.QueryText
WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText;

-- BEGIN smtp-spool ---------------------------------------------------------------------------------------------------
-- The SMTP spool of the cluster mode (issue 16 item 5; src/Silo/Smtp/ClusterSpool.cs): one row per accepted mail,
-- committed before the 250 reply, deleted after its hand-off. The silo holding lease_owner (its silo address with
-- generation) hands it off; another silo claims it once the owner is declared dead or lease_until (database time) has
-- passed. Kept in a block of its own so that other additions to this script merge cleanly.

CREATE TABLE IF NOT EXISTS ai_smtp_spool
(
    service_id  varchar(150) NOT NULL,
    spool_id    varchar(64)  NOT NULL,
    tenant_id   text         NOT NULL,  -- tenant of the first inbound address: the hand-off queue it waits in
    envelope    text         NOT NULL,  -- the SMTP envelope as JSON (SpoolEnvelope)
    raw         bytea        NOT NULL,  -- the message as received
    accepted_by text         NOT NULL,  -- the silo that answered 250
    accepted_at timestamptz  NOT NULL,
    lease_owner text         NOT NULL,
    lease_until timestamptz  NOT NULL,
    attempts    integer      NOT NULL DEFAULT 0,  -- failed hand-offs that count against AlarmInbox:Smtp:MaxHandOffAttempts
    parked_at   timestamptz  NULL,                -- set when the mail was moved aside after them; never handed off again
    CONSTRAINT pk_ai_smtp_spool PRIMARY KEY (service_id, spool_id)
);
CREATE INDEX IF NOT EXISTS ix_ai_smtp_spool_lease ON ai_smtp_spool (service_id, lease_until);
CREATE INDEX IF NOT EXISTS ix_ai_smtp_spool_owner ON ai_smtp_spool (service_id, lease_owner);

-- Tables of the release before have no parked_at, and their attempts counted every read of the row (successful
-- hand-offs of a silo that then died included): added once, with those counts set back to 0.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'ai_smtp_spool' AND column_name = 'parked_at') THEN
        ALTER TABLE ai_smtp_spool ADD COLUMN parked_at timestamptz NULL;
        UPDATE ai_smtp_spool SET attempts = 0;
    END IF;
END $$;
-- END smtp-spool -----------------------------------------------------------------------------------------------------
