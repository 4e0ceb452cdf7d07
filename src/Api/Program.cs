using System.Text.Json.Serialization;
using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Audit;
using AlarmInbox.Api.Cluster;
using AlarmInbox.Api.Console;
using AlarmInbox.Api.Dashboard;
using AlarmInbox.Api.Health;
using AlarmInbox.Api.Inbound;
using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Api.Telemetry;
using AlarmInbox.Api.Security;
using AlarmInbox.Api.Tenants;
using AlarmInbox.Api.Tls;
using AlarmInbox.Api.Webhooks;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSystemd();
builder.AddTls();
builder.AddClusterClient();
builder.AddHealth();
builder.AddTelemetry();
builder.AddApiSecurity();
builder.AddConsole();
builder.Services.AddProblemDetails();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
    options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
});

var app = builder.Build();
app.UseTls();
app.UseConsole();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseApiSecurity();
app.MapOpenApi().AllowAnonymousIfPublicDocs(app);
app.MapScalarApiReference("/docs").AllowAnonymousIfPublicDocs(app);
app.MapTenantsApi();
app.MapMailboxesApi();
app.MapAlarmsApi();
app.MapWebhooksApi();
app.MapWebhookDeliveriesApi();
app.MapMailboxTestApi();
app.MapSetupScriptApi();
app.MapHealthApi();
app.MapMetricsApi();
app.MapDashboardApi();
app.MapInboundApi();
app.MapApiKeysApi();
app.MapAuditApi();
app.MapCurrentKeyApi();
app.MapConsole();
app.Run();

/// <summary>The API host; public for <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
