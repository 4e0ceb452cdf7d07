using System.Diagnostics.Metrics;

namespace AlarmInbox.Api.Telemetry;

/// <summary>The <c>AlarmInbox.Api</c> meter: requests the API refused (401, 403, 429, and another tenant's 404), by status.</summary>
public sealed class ApiMetrics
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "AlarmInbox.Api";

    private readonly Counter<long> _refused;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refused = meter.CreateCounter<long>("alarminbox.api.requests.refused", "{request}", "Requests refused for a missing, wrong or revoked key, a missing role, another tenant, or the rate limit; by HTTP status.");
    }

    /// <summary>Counts one refused request.</summary>
    public void Refused(int status) => _refused.Add(1, new KeyValuePair<string, object?>("status", status));
}
