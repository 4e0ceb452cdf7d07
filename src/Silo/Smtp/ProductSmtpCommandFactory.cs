using SmtpServer;
using SmtpServer.Protocol;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// The SmtpServer package's commands with plain replies: the 220 greeting names the host and the product only (no
/// library version), and the HELO/EHLO reply is "&lt;host&gt; Hello &lt;client&gt;" (RFC 5321 section 4.1.1.1)
/// without the package's joke.
/// </summary>
public sealed class ProductSmtpCommandFactory : SmtpCommandFactory
{
    /// <summary>The whole greeting line for <paramref name="context"/>: "220 &lt;host&gt; ESMTP AlarmInbox" (RFC 5321 section 4.2).</summary>
    public static string Greeting(ISessionContext context) => $"220 {context.ServerOptions.ServerName} ESMTP AlarmInbox";

    /// <inheritdoc />
    public override SmtpCommand CreateEhlo(string domainOrAddress) => new PlainEhloCommand(domainOrAddress);

    /// <inheritdoc />
    public override SmtpCommand CreateHelo(string domainOrAddress) => new PlainHeloCommand(domainOrAddress);

    private sealed class PlainEhloCommand(string domainOrAddress) : EhloCommand(domainOrAddress)
    {
        protected override string GetGreeting(ISessionContext context) => $"{context.ServerOptions.ServerName} Hello {DomainOrAddress}";
    }

    private sealed class PlainHeloCommand(string domainOrAddress) : HeloCommand(domainOrAddress)
    {
        protected override string GetGreeting(ISessionContext context) => $"{context.ServerOptions.ServerName} Hello {DomainOrAddress}";
    }
}
