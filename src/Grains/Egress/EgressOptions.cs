namespace AlarmInbox.Grains.Egress;

/// <summary>
/// Which addresses the silo may connect to for targets that come from the API (webhook URLs, IMAP hosts of mailboxes
/// and connection tests); section <c>AlarmInbox:Egress</c>. Checked after DNS resolution, for every connection
/// (redirects included), by <see cref="EgressPolicy"/>.
/// </summary>
public sealed class EgressOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Egress";

    /// <summary>
    /// Whether loopback (127.0.0.0/8, ::1), the unspecified address (0.0.0.0, ::) and this host's own addresses may be
    /// targets. Off by default: they reach the product's own ports and services that trust local callers. Turn it on
    /// for development and tests, where Dovecot and webhook receivers run on 127.0.0.1.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Whether link-local addresses (169.254.0.0/16, fe80::/10) may be targets. Off by default: cloud metadata services live there.</summary>
    public bool AllowLinkLocal { get; set; }

    /// <summary>
    /// Whether private networks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7) may be targets.
    /// On by default: an on-premises mail server is a legitimate IMAP host. Turn it off where the silos' network holds
    /// services tenant admins must not reach, and list the mail servers in <see cref="AllowedNetworks"/>.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; } = true;

    /// <summary>Networks in CIDR notation (<c>10.1.2.0/24</c>, <c>2001:db8::/32</c>) that are always allowed, before every other rule except the metadata addresses.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Networks in CIDR notation that are always refused (after <see cref="AllowedNetworks"/>).</summary>
    public List<string> DeniedNetworks { get; set; } = [];

    /// <summary>
    /// TCP ports refused on every host outside <see cref="AllowedNetworks"/>. The silo adds its own ports (silo, gateway,
    /// SMTP) at start, so a tenant admin cannot aim the product at another silo of the cluster.
    /// </summary>
    public List<int> DeniedPorts { get; set; } = [];
}
