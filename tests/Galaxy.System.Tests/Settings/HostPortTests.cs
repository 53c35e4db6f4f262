using System.Net;
using Galaxy.Silo;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="HostPort"/>: host:port with a name, IPv4 or bracketed IPv6.</summary>
public sealed class HostPortTests
{
    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1", 30000, true)]
    [InlineData("localhost:6379", "localhost", 6379, true)]
    [InlineData("node-1.lan:11111", "node-1.lan", 11111, false)]
    [InlineData("[::1]:30000", "::1", 30000, true)]
    [InlineData("192.168.1.5:1", "192.168.1.5", 1, false)]
    public void TryParse_Valid_GivesHostAndPort(string text, string host, int port, bool loopback)
    {
        var parsed = HostPort.TryParse(text);

        Assert.Equal(new HostPort(host, port), parsed);
        Assert.Equal(loopback, parsed!.Value.IsLoopback);
        Assert.Equal(text, parsed.Value.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":30000")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("::1:30000")]
    [InlineData("[::1]")]
    [InlineData("[nothost]:1")]
    [InlineData("bad host:1")]
    [InlineData("http://host:1")]
    public void TryParse_Malformed_IsNull(string? text) => Assert.Null(HostPort.TryParse(text));

    [Fact]
    public async Task ResolveAsync_Localhost_IsLoopback()
    {
        var endpoint = await new HostPort("localhost", 1234).ResolveAsync(TestContext.Current.CancellationToken);

        Assert.True(IPAddress.IsLoopback(endpoint.Address));
        Assert.Equal(1234, endpoint.Port);
    }
}
