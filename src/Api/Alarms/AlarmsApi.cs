using AlarmInbox.Api.Tenants;
using System.Globalization;
using System.Text;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AlarmInbox.Api.Alarms;

/// <summary>The alarm endpoints under <c>/api/tenants/{tenantId}</c>: alarms, evaluation settings and the rule tester.</summary>
public static class AlarmsApi
{
    /// <summary>Maps the alarm endpoints.</summary>
    public static RouteGroupBuilder MapAlarmsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}").WithTags("Alarms")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/alarms", ListAsync).WithSummary("Lists alarms, newest first (filters: since, mailbox, status, limit).");
        group.MapGet("/alarms/{alarmId}", GetAsync).WithSummary("Returns one alarm with its history and delivery status.");
        group.MapGet("/alarm-settings", GetSettingsAsync).WithSummary("Returns the tenant's default evaluation settings.");
        group.MapPut("/alarm-settings", PutSettingsAsync).WithSummary("Replaces the tenant's default evaluation settings.");
        group.MapGet("/mailboxes/{mailboxId}/alarm-settings", GetMailboxSettingsAsync).WithSummary("Returns a mailbox's override and effective evaluation settings.");
        group.MapPut("/mailboxes/{mailboxId}/alarm-settings", PutMailboxSettingsAsync).WithSummary("Sets a mailbox's override (null or omitted fields inherit the tenant's).");
        group.MapDelete("/mailboxes/{mailboxId}/alarm-settings", DeleteMailboxSettingsAsync).WithSummary("Removes a mailbox's override.");
        group.MapPost("/mailboxes/{mailboxId}/evaluate", EvaluateAsync)
            .Accepts<string>("message/rfc822", "text/plain")
            .WithSummary("Rule tester: evaluates a raw .eml (message/rfc822) or plain text with the mailbox's settings; stores and delivers nothing.");
        return group;
    }

    internal static async Task<Results<Ok<IReadOnlyList<AlarmResponse>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string tenantId, IGrainFactory grains, string? since = null, string? mailbox = null, string? status = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DateTimeOffset? sinceValue = null;
        if (since is not null)
        {
            if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                sinceValue = parsed;
            }
            else
            {
                errors["since"] = [$"since must be an ISO 8601 date-time, e.g. 2026-11-29T20:00:00Z; got '{since}'."];
            }
        }

        AlarmStatus? statusValue = null;
        if (status is not null)
        {
            if (Enum.TryParse<AlarmStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _))
            {
                statusValue = parsed;
            }
            else
            {
                errors["status"] = [$"status must be one of New, Updated, Test, Rejected; got '{status}'."];
            }
        }

        var limitValue = 50;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out limitValue) || limitValue is < 1 or > AlarmLimits.MaxAlarmsPage))
        {
            errors["limit"] = [$"limit must be a whole number between 1 and {AlarmLimits.MaxAlarmsPage}; got '{limit}'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var alarms = await grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery
        {
            Since = sinceValue,
            MailboxId = string.IsNullOrEmpty(mailbox) ? null : mailbox,
            Status = statusValue,
            Limit = limitValue,
        });
        var deliveries = alarms.Count == 0
            ? new Dictionary<string, IReadOnlyList<WebhookDelivery>>()
            : await grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync(alarms.Select(a => a.Id).ToList());
        return TypedResults.Ok<IReadOnlyList<AlarmResponse>>(alarms.Select(a => AlarmResponse.From(a, deliveries.GetValueOrDefault(a.Id))).ToList());
    }

    internal static async Task<Results<Ok<AlarmResponse>, ProblemHttpResult>> GetAsync(string tenantId, string alarmId, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var alarm = await grains.GetGrain<ITenantAlarmsGrain>(tenantId).GetAsync(alarmId);
        if (alarm is null)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "Alarm not found.", $"Tenant '{tenantId}' has no alarm '{alarmId}' (a tenant keeps its newest alarms only).", "alarmId");
        }

        var deliveries = await grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync([alarmId]);
        return TypedResults.Ok(AlarmResponse.From(alarm, deliveries.GetValueOrDefault(alarmId)));
    }

    internal static async Task<Results<Ok<EvaluationSettingsResponse>, ProblemHttpResult>> GetSettingsAsync(string tenantId, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        return TypedResults.Ok(EvaluationSettingsResponse.From(await grains.GetGrain<ITenantAlarmsGrain>(tenantId).GetSettingsAsync()));
    }

    internal static async Task<Results<Ok<EvaluationSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutSettingsAsync(
        string tenantId, EvaluationSettingsRequest request, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var result = await grains.GetGrain<ITenantAlarmsGrain>(tenantId).SetSettingsAsync(request.ToSettings());
        return result.ToHttp(settings => TypedResults.Ok(EvaluationSettingsResponse.From(settings)));
    }

    internal static async Task<Results<Ok<MailboxEvaluationSettingsResponse>, ProblemHttpResult>> GetMailboxSettingsAsync(string tenantId, string mailboxId, IGrainFactory grains)
    {
        if (!await grains.OwnsMailboxAsync(tenantId, mailboxId))
        {
            return Problems.MailboxNotFound(tenantId, mailboxId);
        }

        return TypedResults.Ok(MailboxEvaluationSettingsResponse.From(await grains.GetGrain<ITenantAlarmsGrain>(tenantId).GetMailboxSettingsAsync(mailboxId)));
    }

    internal static async Task<Results<Ok<MailboxEvaluationSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutMailboxSettingsAsync(
        string tenantId, string mailboxId, EvaluationSettingsRequest request, IGrainFactory grains)
    {
        if (!await grains.OwnsMailboxAsync(tenantId, mailboxId))
        {
            return Problems.MailboxNotFound(tenantId, mailboxId);
        }

        return await SetMailboxSettingsAsync(tenantId, mailboxId, request.ToOverride(), grains);
    }

    internal static async Task<Results<Ok<MailboxEvaluationSettingsResponse>, ValidationProblem, ProblemHttpResult>> DeleteMailboxSettingsAsync(string tenantId, string mailboxId, IGrainFactory grains)
    {
        if (!await grains.OwnsMailboxAsync(tenantId, mailboxId))
        {
            return Problems.MailboxNotFound(tenantId, mailboxId);
        }

        return await SetMailboxSettingsAsync(tenantId, mailboxId, null, grains);
    }

    private static async Task<Results<Ok<MailboxEvaluationSettingsResponse>, ValidationProblem, ProblemHttpResult>> SetMailboxSettingsAsync(
        string tenantId, string mailboxId, EvaluationOverride? mailboxOverride, IGrainFactory grains)
    {
        var result = await grains.GetGrain<ITenantAlarmsGrain>(tenantId).SetMailboxSettingsAsync(mailboxId, mailboxOverride);
        return result.ToHttp(settings => TypedResults.Ok(MailboxEvaluationSettingsResponse.From(settings)));
    }

    internal static async Task<Results<Ok<EvaluateResponse>, ValidationProblem, ProblemHttpResult>> EvaluateAsync(
        string tenantId, string mailboxId, HttpRequest request, IGrainFactory grains, string? subject = null, string? from = null)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (mediaType is not ("message/rfc822" or "text/plain"))
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.",
                "Send a raw mail as 'Content-Type: message/rfc822' (an .eml file) or a body as 'Content-Type: text/plain'.", "$");
        }

        if (request.ContentLength > AlarmLimits.MaxTestMessageBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > AlarmLimits.MaxTestMessageBytes)
            {
                return TooLarge();
            }
        }

        if (buffer.Length == 0)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "The request is malformed.", "The body is empty: send the mail to evaluate.", "$");
        }

        if (!await grains.OwnsMailboxAsync(tenantId, mailboxId))
        {
            return Problems.MailboxNotFound(tenantId, mailboxId);
        }

        AlarmTestInput input;
        if (mediaType == "message/rfc822")
        {
            input = new AlarmTestInput { RawMessage = buffer.ToArray() };
        }
        else
        {
            var encoding = Encoding.UTF8;
            if (parsed!.Charset.HasValue)
            {
                try
                {
                    encoding = Encoding.GetEncoding(parsed.Charset.Value!);
                }
                catch (ArgumentException)
                {
                    return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported charset.", $"The charset '{parsed.Charset.Value}' is not known; use utf-8.", "$");
                }
            }

            input = new AlarmTestInput { Text = encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), Subject = subject, From = from };
        }

        var preview = await grains.GetGrain<ITenantAlarmsGrain>(tenantId).PreviewAsync(mailboxId, input);
        return preview.ToHttp(p => TypedResults.Ok(EvaluateResponse.From(p)));
    }

    private static ProblemHttpResult TooLarge() => Problems.Of(StatusCodes.Status413PayloadTooLarge, "The mail is too large.",
        $"The rule tester takes at most {AlarmLimits.MaxTestMessageBytes} bytes.", "$");


}
