using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Silo;

/// <summary>
/// A network address as given on a command line: <c>host:port</c>, where host is a name (<c>node1.lan</c>,
/// <c>localhost</c>), an IPv4 address or a bracketed IPv6 address (<c>[::1]:6379</c>).
/// </summary>
/// <param name="Host">The name or address, without brackets.</param>
/// <param name="Port">1…65535.</param>
public readonly record struct HostPort(string Host, int Port)
{
    /// <summary>Parses <paramref name="text"/>; null when it is not host:port with a port 1…65535.</summary>
    public static HostPort? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        string host;
        string port;
        if (trimmed.StartsWith('['))
        {
            var close = trimmed.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= trimmed.Length || trimmed[close + 1] != ':')
            {
                return null;
            }

            host = trimmed[1..close];
            port = trimmed[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }
        }
        else
        {
            var colon = trimmed.LastIndexOf(':');
            if (colon <= 0 || trimmed.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return null;
            }

            host = trimmed[..colon];
            port = trimmed[(colon + 1)..];
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                return null;
            }
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? new HostPort(host, number)
            : null;
    }

    /// <summary>True when the host is <c>localhost</c> or a loopback address.</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The endpoint, resolving a host name (IPv4 preferred).</summary>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellation = default)
    {
        if (IPAddress.TryParse(Host, out var literal))
        {
            return new IPEndPoint(literal, Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(Host, cancellation).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, Port);
    }

    /// <summary>host:port, IPv6 in brackets.</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
