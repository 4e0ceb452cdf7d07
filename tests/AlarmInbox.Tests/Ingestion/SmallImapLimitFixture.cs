using System.Globalization;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>The <see cref="IngestionFixture"/> with an IMAP message size limit of <see cref="Limit"/> bytes, so that size tests stay small and fast.</summary>
public sealed class SmallImapLimitFixture : IngestionFixture
{
    /// <summary>The silo's <c>AlarmInbox:Imap:MaxMessageBytes</c>.</summary>
    public const int Limit = 64 * 1024;

    /// <inheritdoc />
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["AlarmInbox:Imap:MaxMessageBytes"] = Limit.ToString(CultureInfo.InvariantCulture);
}
