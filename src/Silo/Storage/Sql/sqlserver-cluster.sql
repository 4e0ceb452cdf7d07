-- AlarmInbox: SQL Server schema for Orleans ADO.NET clustering, grain persistence and reminders (invariant
-- "Microsoft.Data.SqlClient"). Written for this project, in the same form as postgresql-cluster.sql: tables are
-- created when missing and each named query is written only when its text differs. One batch, no GO separators.
--
-- NOT TESTED: no SQL Server can run on the project's Linux build machines, so this script has been reviewed but never
-- executed. The PostgreSQL script is the tested one (see docs/cluster.md). Parameters and result shapes are those
-- documented at the top of postgresql-cluster.sql.

SET NOCOUNT ON;
SET XACT_ABORT ON;

DECLARE @lock int;
EXEC @lock = sp_getapplock @Resource = 'alarminbox-schema', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000;
IF @lock < 0 THROW 50001, 'AlarmInbox schema: could not take the schema lock.', 1;

IF OBJECT_ID(N'dbo.OrleansQuery', N'U') IS NULL
CREATE TABLE dbo.OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL CONSTRAINT PK_OrleansQuery PRIMARY KEY,
    QueryText nvarchar(max) NOT NULL
);

IF OBJECT_ID(N'dbo.OrleansStorage', N'U') IS NULL
CREATE TABLE dbo.OrleansStorage
(
    ServiceId              nvarchar(150)  NOT NULL,
    GrainTypeString        nvarchar(512)  NOT NULL,
    GrainIdN0              bigint         NOT NULL,
    GrainIdN1              bigint         NOT NULL,
    GrainIdExtensionString nvarchar(512)  NOT NULL CONSTRAINT DF_OrleansStorage_Ext DEFAULT N'',
    GrainTypeHash          int            NOT NULL,
    GrainIdHash            int            NOT NULL,
    PayloadBinary          varbinary(max) NULL,
    Version                int            NOT NULL,
    ModifiedOn             datetime2(3)   NOT NULL,
    CONSTRAINT PK_OrleansStorage PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

IF OBJECT_ID(N'dbo.OrleansMembershipVersionTable', N'U') IS NULL
CREATE TABLE dbo.OrleansMembershipVersionTable
(
    DeploymentId nvarchar(150) NOT NULL CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY,
    Timestamp    datetime2(3)  NOT NULL CONSTRAINT DF_OrleansMembershipVersionTable_Timestamp DEFAULT SYSUTCDATETIME(),
    Version      int           NOT NULL CONSTRAINT DF_OrleansMembershipVersionTable_Version DEFAULT 0
);

IF OBJECT_ID(N'dbo.OrleansMembershipTable', N'U') IS NULL
CREATE TABLE dbo.OrleansMembershipTable
(
    DeploymentId nvarchar(150)  NOT NULL CONSTRAINT FK_OrleansMembershipTable_Version REFERENCES dbo.OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)    NOT NULL,
    Port         int            NOT NULL,
    Generation   int            NOT NULL,
    SiloName     nvarchar(150)  NOT NULL,
    HostName     nvarchar(150)  NOT NULL,
    Status       int            NOT NULL,
    ProxyPort    int            NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    datetime2(3)   NOT NULL,
    IAmAliveTime datetime2(3)   NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

IF OBJECT_ID(N'dbo.OrleansRemindersTable', N'U') IS NULL
CREATE TABLE dbo.OrleansRemindersTable
(
    ServiceId    nvarchar(150) NOT NULL,
    GrainId      varchar(150)  NOT NULL,
    ReminderName nvarchar(150) NOT NULL,
    StartTime    datetime2(3)  NOT NULL,
    Period       bigint        NOT NULL,
    GrainHash    int           NOT NULL,
    Version      int           NOT NULL,
    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_OrleansRemindersTable_Hash' AND object_id = OBJECT_ID(N'dbo.OrleansRemindersTable'))
CREATE INDEX IX_OrleansRemindersTable_Hash ON dbo.OrleansRemindersTable (ServiceId, GrainHash);

DECLARE @queries TABLE (QueryKey varchar(64) NOT NULL PRIMARY KEY, QueryText nvarchar(max) NOT NULL);

INSERT INTO @queries (QueryKey, QueryText) VALUES

('ReadFromStorageKey', N'
SELECT PayloadBinary, Version
FROM dbo.OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = ISNULL(@GrainIdExtensionString, N'''');
'),

('WriteToStorageKey', N'
SET NOCOUNT ON;
SET XACT_ABORT ON;
BEGIN TRANSACTION;
IF @GrainStateVersion IS NOT NULL
    UPDATE dbo.OrleansStorage
    SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedOn = SYSUTCDATETIME()
    OUTPUT inserted.Version AS NewGrainStateVersion
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = ISNULL(@GrainIdExtensionString, N'''')
      AND Version = @GrainStateVersion;
ELSE
    INSERT INTO dbo.OrleansStorage
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainTypeHash, GrainIdHash, PayloadBinary, Version, ModifiedOn)
    OUTPUT inserted.Version AS NewGrainStateVersion
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, ISNULL(@GrainIdExtensionString, N''''), @GrainTypeHash, @GrainIdHash,
           @PayloadBinary, 1, SYSUTCDATETIME()
    WHERE NOT EXISTS (SELECT 1 FROM dbo.OrleansStorage WITH (UPDLOCK, HOLDLOCK)
                      WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0
                        AND GrainIdN1 = @GrainIdN1 AND GrainIdExtensionString = ISNULL(@GrainIdExtensionString, N''''));
COMMIT TRANSACTION;
'),

('ClearStorageKey', N'
UPDATE dbo.OrleansStorage
SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = SYSUTCDATETIME()
OUTPUT inserted.Version AS NewGrainStateVersion
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = ISNULL(@GrainIdExtensionString, N'''')
  AND Version = @GrainStateVersion;
'),

('DeleteStorageKey', N'
DELETE FROM dbo.OrleansStorage
OUTPUT deleted.Version + 1 AS NewGrainStateVersion
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = ISNULL(@GrainIdExtensionString, N'''')
  AND Version = @GrainStateVersion;
'),

('InsertMembershipVersionKey', N'
SET NOCOUNT ON;
INSERT INTO dbo.OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
SELECT @DeploymentId, SYSUTCDATETIME(), 0
WHERE NOT EXISTS (SELECT 1 FROM dbo.OrleansMembershipVersionTable WITH (UPDLOCK, HOLDLOCK) WHERE DeploymentId = @DeploymentId);
SELECT CAST(@@ROWCOUNT AS bit) AS Inserted;
'),

('InsertMembershipKey', N'
SET NOCOUNT ON;
SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @ok bit = 0;
UPDATE dbo.OrleansMembershipVersionTable
SET Version = Version + 1, Timestamp = SYSUTCDATETIME()
WHERE DeploymentId = @DeploymentId AND Version = @Version
  AND NOT EXISTS (SELECT 1 FROM dbo.OrleansMembershipTable
                  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation);
IF @@ROWCOUNT = 1
BEGIN
    INSERT INTO dbo.OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime);
    SET @ok = 1;
END
COMMIT TRANSACTION;
SELECT @ok AS Inserted;
'),

('UpdateMembershipKey', N'
SET NOCOUNT ON;
SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @ok bit = 0;
UPDATE dbo.OrleansMembershipVersionTable
SET Version = Version + 1, Timestamp = SYSUTCDATETIME()
WHERE DeploymentId = @DeploymentId AND Version = @Version
  AND EXISTS (SELECT 1 FROM dbo.OrleansMembershipTable
              WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation);
IF @@ROWCOUNT = 1
BEGIN
    UPDATE dbo.OrleansMembershipTable
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
    SET @ok = 1;
END
COMMIT TRANSACTION;
SELECT @ok AS Updated;
'),

('UpdateIAmAlivetimeKey', N'
UPDATE dbo.OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
'),

('MembershipReadAllKey', N'
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM dbo.OrleansMembershipVersionTable v
LEFT JOIN dbo.OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
'),

('MembershipReadRowKey', N'
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM dbo.OrleansMembershipVersionTable v
LEFT JOIN dbo.OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
'),

('GatewaysQueryKey', N'
SELECT Address, ProxyPort, Generation
FROM dbo.OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
'),

('DeleteMembershipTableEntriesKey', N'
DELETE FROM dbo.OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM dbo.OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
'),

('CleanupDefunctSiloEntriesKey', N'
DELETE FROM dbo.OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
'),

('UpsertReminderRowKey', N'
SET NOCOUNT ON;
SET XACT_ABORT ON;
BEGIN TRANSACTION;
UPDATE dbo.OrleansRemindersTable WITH (UPDLOCK, SERIALIZABLE)
SET StartTime = @StartTime, Period = @Period, GrainHash = @GrainHash, Version = Version + 1
OUTPUT inserted.Version AS Version
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
IF @@ROWCOUNT = 0
    INSERT INTO dbo.OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    OUTPUT inserted.Version AS Version
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0);
COMMIT TRANSACTION;
'),

('ReadReminderRowsKey', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM dbo.OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
'),

('ReadReminderRowKey', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM dbo.OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
'),

('ReadRangeRows1Key', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM dbo.OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
'),

('ReadRangeRows2Key', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM dbo.OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
'),

('DeleteReminderRowKey', N'
SET NOCOUNT ON;
DELETE FROM dbo.OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version;
SELECT CAST(@@ROWCOUNT AS bit) AS Deleted;
'),

('DeleteReminderRowsKey', N'
DELETE FROM dbo.OrleansRemindersTable WHERE ServiceId = @ServiceId;
');

UPDATE q SET QueryText = n.QueryText
FROM dbo.OrleansQuery q JOIN @queries n ON n.QueryKey = q.QueryKey
WHERE q.QueryText <> n.QueryText;

INSERT INTO dbo.OrleansQuery (QueryKey, QueryText)
SELECT n.QueryKey, n.QueryText FROM @queries n
WHERE NOT EXISTS (SELECT 1 FROM dbo.OrleansQuery q WHERE q.QueryKey = n.QueryKey);
