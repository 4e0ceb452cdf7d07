using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Silo.Operations;
using AlarmInbox.Silo.Storage;

OwnerOnlyFiles.RestrictProcessUmask();
if (SchemaCommand.Matches(args))
{
    return await SchemaCommand.RunAsync(args, Console.Out, Console.Error);
}

if (BackupCommand.Matches(args))
{
    return await BackupCommand.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSystemd();
builder.AddAlarmInboxSilo();
builder.AddSiloObservability();

var app = builder.Build();
app.MapSiloObservability();
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (Environment.ExitCode == SiloFatalErrorHandler.ExitCode)
{
    // A fatal error during start-up (e.g. declared dead before it was active) stops the host, which cancels its start:
    // that is the orderly end SiloFatalErrorHandler asked for, not a crash (exit 134 with a core dump).
}

// 0 after an ordinary stop; 75 when the silo stopped itself after a fatal error (see SiloFatalErrorHandler).
return Environment.ExitCode;

/// <summary>The silo host; internal so that it does not clash with the API's public <c>Program</c> in the tests.</summary>
internal sealed partial class Program;
