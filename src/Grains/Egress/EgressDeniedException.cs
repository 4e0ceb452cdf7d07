namespace AlarmInbox.Grains.Egress;

/// <summary>
/// A connection was refused by the <see cref="EgressPolicy"/> before it was opened. The message names the host and the
/// rule (<see cref="Code"/>) and never carries anything the target sent.
/// </summary>
public sealed class EgressDeniedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The stable code, <c>egress_denied</c>.</param>
    /// <param name="message">What was refused and why, for tenant admins.</param>
    public EgressDeniedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates the exception with the default code.</summary>
    public EgressDeniedException()
        : this(EgressPolicy.DeniedCode, "The target is not allowed by the egress policy.")
    {
    }

    /// <summary>Creates the exception with the default code.</summary>
    public EgressDeniedException(string message)
        : this(EgressPolicy.DeniedCode, message)
    {
    }

    /// <summary>Creates the exception with the default code and an inner exception.</summary>
    public EgressDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = EgressPolicy.DeniedCode;
    }

    /// <summary>The stable code, <c>egress_denied</c>.</summary>
    public string Code { get; }
}
