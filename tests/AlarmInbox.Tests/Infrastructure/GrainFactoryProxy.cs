using System.Reflection;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>An <see cref="IGrainFactory"/> that answers every <c>GetGrain</c> with one object (the session service's tests).</summary>
public class GrainFactoryProxy : DispatchProxy
{
    /// <summary>What <c>GetGrain</c> returns.</summary>
    public object? Grain { get; set; }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? Grain : throw new NotSupportedException(targetMethod?.Name);
}
