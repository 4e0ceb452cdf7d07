using System.Globalization;
using AlarmInbox.Api.Console.Feed;
using AlarmInbox.Api.Console.Sessions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Wires the web console (Razor Pages at <c>/</c>, assets at <c>/assets</c>, the live alarm feed): a cookie session that
/// holds an API key on the server, German and English texts, and the in-process client of the REST API.
/// </summary>
public static class ConsoleExtensions
{
    /// <summary>The languages of the console; the first is the default.</summary>
    public static IReadOnlyList<CultureInfo> Cultures { get; } = [new("de"), new("en")];

    /// <summary>Adds the console's services; options from section <c>AlarmInbox:Console</c> (<see cref="ConsoleOptions"/>), validated at start.</summary>
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName)
            .Validate(o => o.IdleTimeout >= TimeSpan.FromMinutes(1), "AlarmInbox:Console:IdleTimeout must be at least 00:01:00.")
            .Validate(o => o.FeedInterval >= TimeSpan.FromMilliseconds(200) && o.FeedInterval <= TimeSpan.FromSeconds(60),
                "AlarmInbox:Console:FeedInterval must be between 00:00:00.2 and 00:01:00.")
            .Validate(o => o.FeedKeyCheckInterval >= TimeSpan.FromSeconds(1) && o.FeedKeyCheckInterval <= TimeSpan.FromMinutes(10),
                "AlarmInbox:Console:FeedKeyCheckInterval must be between 00:00:01 and 00:10:00.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiPipeline>();
        builder.Services.AddSingleton<ConsoleApiFactory>();
        builder.Services.AddSingleton<ConsoleSessionStore>();
        builder.Services.AddSingleton<KeptSecrets>();
        builder.Services.AddSingleton<AlarmFeedHub>();
        builder.Services.AddLocalization();
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/Console/Pages";
            options.Conventions.AuthorizeFolder("/", ConsoleAuth.Policy);
            options.Conventions.AllowAnonymousToPage("/SignIn");
            options.Conventions.AllowAnonymousToPage("/Language");
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "alarminbox.antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__RequestVerificationToken";
            options.HeaderName = "X-Console-Token";
        });
        builder.Services.AddAuthentication().AddCookie(ConsoleAuth.Scheme);
        builder.Services.AddOptions<CookieAuthenticationOptions>(ConsoleAuth.Scheme)
            .Configure<IOptions<ConsoleOptions>, ConsoleSessionStore>((options, console, store) =>
            {
                options.Cookie.Name = ConsoleAuth.CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = console.Value.IdleTimeout;
                options.SlidingExpiration = true;
                options.LoginPath = "/signin";
                options.LogoutPath = "/signout";
                options.AccessDeniedPath = "/signin";
                options.ReturnUrlParameter = "returnUrl";
                options.SessionStore = store;
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuth.Policy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>
    /// Captures the API pipeline for the console's in-process calls and adds routing, the console's assets and its
    /// language. Call before the API's own middleware (only transport middleware such as HSTS may come first), so that the
    /// captured pipeline is the whole API.
    /// </summary>
    public static WebApplication UseConsole(this WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<ApiPipeline>();
        app.Use(next =>
        {
            pipeline.Set(next);
            return next;
        });
        app.Use(DashboardSession.ForwardKeyAsync);
        app.UseRouting();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(ConsoleText).Assembly, "AlarmInbox.Api.Console.Assets"),
            RequestPath = "/assets",
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/api"),
            branch => branch.UseRequestLocalization(new RequestLocalizationOptions
            {
                DefaultRequestCulture = new RequestCulture(Cultures[0]),
                SupportedCultures = [.. Cultures],
                SupportedUICultures = [.. Cultures],
                RequestCultureProviders = [new CookieRequestCultureProvider()],
            }));
        return app;
    }

    /// <summary>Maps the console's pages and its live alarm feed.</summary>
    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapAlarmFeed();
        return app;
    }
}
