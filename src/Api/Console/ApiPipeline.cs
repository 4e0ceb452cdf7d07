using System.Globalization;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Holds the API's own request pipeline (captured at start-up by <see cref="ConsoleExtensions.UseConsole"/>) so that the
/// console can send its requests through exactly the same authentication, authorization, validation, rate limit and
/// audit as any API client, without a network round trip.
/// </summary>
public sealed class ApiPipeline
{
    private RequestDelegate? _pipeline;

    /// <summary>The culture the API runs in: console pages run in the user's language, API requests never do.</summary>
    internal CultureInfo ApiCulture { get; } = CultureInfo.CurrentCulture;

    /// <summary>The whole pipeline, from routing to the endpoints.</summary>
    /// <exception cref="InvalidOperationException">The application has not been built yet.</exception>
    internal RequestDelegate Pipeline => _pipeline ?? throw new InvalidOperationException("The API pipeline is not built yet.");

    internal void Set(RequestDelegate pipeline) => _pipeline ??= pipeline;
}
