using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Egress;

/// <summary>
/// The outbound policy for targets given through the API (issue 16, finding 9): resolves a host name, drops every
/// address the policy refuses and connects to the first allowed one, so the check holds at connect time whatever DNS
/// answers (also for numeric forms such as <c>127.1</c>, <c>2130706433</c> or <c>[::ffff:127.0.0.1]</c>, which the
/// resolver turns into addresses first). Refused by default: loopback, unspecified, this host's own addresses (and so
/// the product's own ports), link-local (169.254.0.0/16, fe80::/10), the cloud metadata addresses, multicast and
/// broadcast. Private networks are allowed unless the operator turns them off (see <see cref="EgressOptions"/>).
/// </summary>
public sealed class EgressPolicy
{
    /// <summary>The error code of a refused target.</summary>
    public const string DeniedCode = "egress_denied";

    // Metadata services that are not link-local: AWS over IPv6 (fd00:ec2::254), Alibaba (100.100.100.200).
    private static readonly IPAddress[] Metadata = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];
    private static readonly IPNetwork[] Private =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fc00::/7"),
    ];

    // RFC 6052 section 2.1: 64:ff9b::/96.
    private static readonly byte[] Nat64WellKnownPrefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly IPNetwork[] LinkLocal = [IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fe80::/10")];

    private readonly EgressOptions _options;
    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _denied;
    private readonly Lazy<HashSet<IPAddress>> _own = new(OwnAddresses);

    /// <summary>Creates the policy from validated options.</summary>
    /// <exception cref="FormatException">A network in <see cref="EgressOptions.AllowedNetworks"/> or <see cref="EgressOptions.DeniedNetworks"/> is not CIDR.</exception>
    public EgressPolicy(IOptions<EgressOptions> options)
    {
        _options = options.Value;
        _allowed = [.. _options.AllowedNetworks.Select(IPNetwork.Parse)];
        _denied = [.. _options.DeniedNetworks.Select(IPNetwork.Parse)];
    }

    /// <summary>Why <paramref name="address"/>:<paramref name="port"/> is refused, or <see langword="null"/> when it is allowed.</summary>
    /// <returns>A short reason for people, e.g. <c>loopback or this host itself</c>, <c>link-local</c>, <c>a cloud metadata address</c>.</returns>
    public string? Refusal(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = EmbeddedIPv4(address) ?? address;

        if (Metadata.Contains(address))
        {
            return "a cloud metadata address";
        }

        if (_allowed.Any(n => n.Contains(address)))
        {
            return null;
        }

        if (_options.DeniedPorts.Contains(port))
        {
            return $"port {port}, a port of this product";
        }

        if (_denied.Any(n => n.Contains(address)))
        {
            return "a network the operator denied (AlarmInbox:Egress:DeniedNetworks)";
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || _own.Value.Contains(address))
        {
            return _options.AllowLoopback ? null : "loopback or this host itself";
        }

        if (LinkLocal.Any(n => n.Contains(address)))
        {
            return _options.AllowLinkLocal ? null : "link-local";
        }

        if (address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] >= 224 || address.Equals(IPAddress.Broadcast))))
        {
            return "multicast or broadcast";
        }

        if (Private.Any(n => n.Contains(address)))
        {
            return _options.AllowPrivateNetworks ? null : "a private network (AlarmInbox:Egress:AllowPrivateNetworks is off)";
        }

        return null;
    }

    /// <summary>
    /// Resolves <paramref name="host"/> and opens a TCP connection to the first address the policy allows.
    /// </summary>
    /// <returns>The connected socket; the caller owns it.</returns>
    /// <exception cref="EgressDeniedException">Every address of the host is refused.</exception>
    /// <exception cref="SocketException">The name did not resolve, or no allowed address accepted the connection.</exception>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = new List<IPAddress>();
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (Refusal(address, port) is { } why)
            {
                refusal ??= why;
            }
            else
            {
                allowed.Add(address);
            }
        }

        if (allowed.Count == 0)
        {
            throw new EgressDeniedException(DeniedCode,
                $"Connections to {host}:{port} are not allowed: the target is {refusal ?? "not resolvable"}. Use a public host name, or ask the operator to allow it (AlarmInbox:Egress).");
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>
    /// The IPv4 address an IPv6 address stands for, so that the IPv4 rules apply to it: IPv4-mapped (<c>::ffff:a.b.c.d</c>,
    /// RFC 4291 section 2.5.5.2), IPv4-compatible (<c>::a.b.c.d</c>, section 2.5.5.1, deprecated), the NAT64 well-known
    /// prefix (<c>64:ff9b::a.b.c.d</c>, RFC 6052 section 2.1; a NAT64 gateway on the silo's network connects to the IPv4
    /// address) and 6to4 (<c>2002:AABB:CCDD::</c>, RFC 3056 section 2). <see langword="null"/> for every other address.
    /// </summary>
    internal static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes.AsSpan(0, 12).SequenceEqual(Nat64WellKnownPrefix))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }

    private static HashSet<IPAddress> OwnAddresses()
    {
        var own = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    own.Add(unicast.Address.IsIPv4MappedToIPv6 ? unicast.Address.MapToIPv4() : unicast.Address);
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the interface list only loopback is known to be this host.
        }

        return own;
    }
}
