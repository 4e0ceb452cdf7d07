using AlarmInbox.Silo.Hosting;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddAlarmInboxSilo();
await builder.Build().RunAsync();
