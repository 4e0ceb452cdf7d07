using System.Diagnostics.Metrics;

namespace AlarmInbox.Api.Telemetry;

/// <summary>The <c>AlarmInbox.Api</c> meter: requests the API refused (401, 403, 429, and another tenant's 404), by status, and audit entries lost.</summary>
public sealed class ApiMetrics
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "AlarmInbox.Api";

    private readonly Counter<long> _refused;
    private readonly Counter<long> _auditLost;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refused = meter.CreateCounter<long>("alarminbox.api.requests.refused", "{request}", "Requests refused for a missing, wrong or revoked key, a missing role, another tenant, or the rate limit; by HTTP status.");
        _auditLost = meter.CreateCounter<long>("alarminbox.api.audit.lost", "{entry}", "Audit entries lost because the queue for an unreachable silo was full.");
    }

    /// <summary>Counts one refused request.</summary>
    public void Refused(int status) => _refused.Add(1, new KeyValuePair<string, object?>("status", status));

    /// <summary>Counts one audit entry lost (<see cref="Audit.AuditWriter"/>'s queue was full).</summary>
    public void AuditLost() => _auditLost.Add(1);
}
