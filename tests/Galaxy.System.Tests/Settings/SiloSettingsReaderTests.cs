using System.Net;
using Galaxy.Silo;
using Microsoft.Extensions.Configuration;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="SiloSettingsReader"/>: defaults, the command line over configuration, and one clear message per bad setting.</summary>
public sealed class SiloSettingsReaderTests
{
    private const long DetectedMemory = 6L << 30;

    [Fact]
    public void Read_OnlyDevice_GivesTheDefaults()
    {
        var settings = Read(["--device", "phone"]);

        Assert.Equal("phone", settings.Device);
        Assert.Equal("galaxy", settings.ClusterId);
        Assert.Equal(ClusteringMode.Localhost, settings.Clustering);
        Assert.Null(settings.Primary);
        Assert.Null(settings.Redis);
        Assert.Equal(11111, settings.SiloPort);
        Assert.Equal(30000, settings.GatewayPort);
        Assert.Equal(IPAddress.Loopback, settings.Advertise);
        Assert.False(settings.ListenOnAnyAddress);
        Assert.Equal(DetectedMemory, settings.MemoryBudgetBytes);
        Assert.True(settings.MemoryBudgetDetected);
        Assert.Equal(3, settings.Threads);
        Assert.Equal(Path.GetFullPath("models"), settings.ModelsDirectory);
        Assert.Equal("localhost clustering, this silo is the primary", settings.ClusteringDescription);
        Assert.Equal(0, settings.TilePort);
        Assert.Equal(Galaxy.Grains.TileTransport.Sockets, settings.TileTransport);
    }

    [Fact]
    public void Read_EverySettingOnTheCommandLine_IsTaken()
    {
        var settings = Read([
            "--device", "laptop", "--cluster", "home-1", "--clustering", "localhost", "--primary", "192.168.1.10:11111",
            "--silo-port", "12000", "--gateway-port", "31000", "--advertise", "192.168.1.20", "--memory-budget", "512MiB",
            "--threads", "4", "--models", "/srv/models", "--tile-port", "12100", "--tile-transport", "grain-calls",
        ]);

        Assert.Equal("laptop", settings.Device);
        Assert.Equal("home-1", settings.ClusterId);
        Assert.Equal(new HostPort("192.168.1.10", 11111), settings.Primary);
        Assert.Equal(12000, settings.SiloPort);
        Assert.Equal(31000, settings.GatewayPort);
        Assert.Equal(IPAddress.Parse("192.168.1.20"), settings.Advertise);
        Assert.True(settings.ListenOnAnyAddress);
        Assert.Equal(512L << 20, settings.MemoryBudgetBytes);
        Assert.False(settings.MemoryBudgetDetected);
        Assert.Equal(4, settings.Threads);
        Assert.Equal("/srv/models", settings.ModelsDirectory);
        Assert.Equal("localhost clustering, primary 192.168.1.10:11111", settings.ClusteringDescription);
        Assert.Equal(12100, settings.TilePort);
        Assert.Equal(Galaxy.Grains.TileTransport.GrainCalls, settings.TileTransport);
    }

    [Fact]
    public void Read_RedisGiven_MeansRedisClustering()
    {
        var settings = Read(["--device", "board", "--redis", "localhost:6379"]);

        Assert.Equal(ClusteringMode.Redis, settings.Clustering);
        Assert.Equal(new HostPort("localhost", 6379), settings.Redis);
        Assert.Equal(IPAddress.Loopback, settings.Advertise);
        Assert.Equal("redis clustering via localhost:6379", settings.ClusteringDescription);
    }

    [Fact]
    public void Read_ConfigurationOnly_IsTakenWithTheSameNames()
    {
        var settings = Read([], new()
        {
            ["Galaxy:Device"] = "server", ["Galaxy:SiloPort"] = "12001", ["Galaxy:GatewayPort"] = "31001",
            ["Galaxy:MemoryBudget"] = "4G", ["Galaxy:Threads"] = "2", ["Galaxy:Clustering"] = "Redis", ["Galaxy:Redis"] = "10.0.0.5:6379",
            ["Galaxy:Advertise"] = "10.0.0.7",
        });

        Assert.Equal("server", settings.Device);
        Assert.Equal(12001, settings.SiloPort);
        Assert.Equal(31001, settings.GatewayPort);
        Assert.Equal(4L << 30, settings.MemoryBudgetBytes);
        Assert.Equal(2, settings.Threads);
        Assert.Equal(ClusteringMode.Redis, settings.Clustering);
        Assert.Equal(IPAddress.Parse("10.0.0.7"), settings.Advertise);
    }

    [Fact]
    public void Read_CommandLineAndConfiguration_CommandLineWins()
    {
        var settings = Read(["--device", "cli", "--threads", "5"], new() { ["Galaxy:Device"] = "config", ["Galaxy:Threads"] = "1", ["Galaxy:SiloPort"] = "12002" });

        Assert.Equal("cli", settings.Device);
        Assert.Equal(5, settings.Threads);
        Assert.Equal(12002, settings.SiloPort);
    }

    [Theory]
    [InlineData("", "No device name: give --device <name> (or Galaxy:Device in appsettings.json, or the environment variable Galaxy__Device).")]
    [InlineData("--device a/b", "--device must be 1–100 letters, digits, '.', '_' or '-', got 'a/b'.")]
    [InlineData("--device dev --cluster x!y", "--cluster must be 1–100 letters, digits, '.', '_' or '-', got 'x!y'.")]
    [InlineData("--device dev --clustering adonet", "--clustering must be 'localhost' or 'redis', got 'adonet'.")]
    [InlineData("--device dev --clustering redis", "--clustering redis needs --redis host:port (the Redis server that holds the membership table).")]
    [InlineData("--device dev --clustering localhost --redis 127.0.0.1:6379", "--redis is only used with --clustering redis, but clustering is localhost.")]
    [InlineData("--device dev --redis 127.0.0.1:6379 --primary 127.0.0.1:11111", "--primary is only used with --clustering localhost; with redis every silo finds the others through Redis.")]
    [InlineData("--device dev --primary 127.0.0.1", "--primary must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '127.0.0.1'.")]
    [InlineData("--device dev --redis host:99999", "--redis must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got 'host:99999'.")]
    [InlineData("--device dev --silo-port 0", "--silo-port must be a port number 1–65535, got '0'.")]
    [InlineData("--device dev --gateway-port http", "--gateway-port must be a port number 1–65535, got 'http'.")]
    [InlineData("--device dev --silo-port 30000", "--silo-port and --gateway-port must be two different ports, both are 30000.")]
    [InlineData("--device dev --advertise my-laptop", "--advertise must be this machine's IP address that the other devices reach (not a name, not 0.0.0.0), got 'my-laptop'.")]
    [InlineData("--device dev --advertise 0.0.0.0", "--advertise must be this machine's IP address that the other devices reach (not a name, not 0.0.0.0), got '0.0.0.0'.")]
    [InlineData("--device dev --primary 192.168.1.10:11111", "--advertise <ip> is needed when the cluster is reached over the network (--primary 192.168.1.10:11111): give this machine's address that the other devices reach.")]
    [InlineData("--device dev --redis redis.lan:6379", "--advertise <ip> is needed when the cluster is reached over the network (--redis redis.lan:6379): give this machine's address that the other devices reach.")]
    [InlineData("--device dev --redis redis.lan:6379 --advertise 127.0.0.1", "--advertise 127.0.0.1 is a loopback address, but the cluster is reached over the network (--redis redis.lan:6379): the other devices could not reach this silo.")]
    [InlineData("--device dev --memory-budget lots", "--memory-budget must be a size such as 512MiB, 4GiB or 4G, got 'lots'.")]
    [InlineData("--device dev --memory-budget 4XB", "--memory-budget must be a size such as 512MiB, 4GiB or 4G, got '4XB'.")]
    [InlineData("--device dev --memory-budget 1MiB", "--memory-budget must be at least 64 MiB, got '1MiB'.")]
    [InlineData("--device dev --threads 0", "--threads must be a whole number 1–1024, got '0'.")]
    [InlineData("--device dev --threads two", "--threads must be a whole number 1–1024, got 'two'.")]
    [InlineData("--device dev --plan-on-all-devices yes", "--plan-on-all-devices must be true or false, got 'yes'.")]
    [InlineData("--device dev --tile-transport udp", "--tile-transport must be sockets or grain-calls, got 'udp'.")]
    [InlineData("--device dev --tile-port 70000", "--tile-port must be a port number 1–65535, got '70000'.")]
    [InlineData("--device dev --tile-port 11111", "--tile-port 11111 is also the silo or gateway port; give another port, or 0 for any free one.")]
    [InlineData("--device dev --models ' '", "--models must name a directory.")]
    public void Read_BadCommandLine_SaysWhichSettingAndWhy(string commandLine, string expected)
    {
        var error = Assert.Throws<SiloSettingsException>(() => Read(Split(commandLine)));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("Galaxy:SiloPort", "eleven", "Galaxy:SiloPort must be a port number 1–65535, got 'eleven'.")]
    [InlineData("Galaxy:MemoryBudget", "-1GiB", "Galaxy:MemoryBudget must be a size such as 512MiB, 4GiB or 4G, got '-1GiB'.")]
    [InlineData("Galaxy:Primary", "no-port", "Galaxy:Primary must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got 'no-port'.")]
    [InlineData("Galaxy:Threds", "2", "Unknown setting Galaxy:Threds in appsettings.json or the environment; the known ones are Advertise, Cluster, Clustering, Device, GatewayPort, MemoryBudget, Models, PlanOnAllDevices, Primary, Redis, SiloPort, Threads, TilePort, TileTransport.")]
    public void Read_BadConfiguration_NamesTheConfigurationKey(string key, string value, string expected)
    {
        var error = Assert.Throws<SiloSettingsException>(() => Read(["--device", "dev"], new() { [key] = value }));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Read_ModelsIsAFile_IsRefused()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<SiloSettingsException>(() => Read(["--device", "dev", "--models", file]));

            Assert.Equal($"--models '{file}' is a file; it must name a directory.", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Read_DetectedMemoryTooSmall_AsksForABudget()
    {
        var error = Assert.Throws<SiloSettingsException>(() => SiloSettingsReader.Read(
            new Dictionary<string, string?> { ["--device"] = "dev" }, new ConfigurationBuilder().Build(), () => 16L << 20, 2));

        Assert.Equal("This process may use only 16 MiB of memory (detected), less than the 64 MiB a device needs; give --memory-budget if the detection is wrong.", error.Message);
    }

    [Theory]
    [InlineData("--device", "Device")]
    [InlineData("--silo-port", "SiloPort")]
    [InlineData("--memory-budget", "MemoryBudget")]
    public void KeyOf_OptionName_IsThePascalCaseConfigurationKey(string option, string key) => Assert.Equal(key, SiloSettingsReader.KeyOf(option));

    private static SiloSettings Read(string[] arguments, Dictionary<string, string?>? configuration = null)
    {
        var commandLine = new Dictionary<string, string?>();
        for (var i = 0; i < arguments.Length; i += 2)
        {
            commandLine[arguments[i]] = arguments[i + 1];
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build();
        return SiloSettingsReader.Read(commandLine, config, () => DetectedMemory, 3);
    }

    /// <summary>Splits on spaces; '…' quotes one argument (e.g. a blank one).</summary>
    private static string[] Split(string commandLine)
    {
        var parts = new List<string>();
        var rest = commandLine.Trim();
        while (rest.Length > 0)
        {
            if (rest[0] == '\'')
            {
                var close = rest.IndexOf('\'', 1);
                parts.Add(rest[1..close]);
                rest = rest[(close + 1)..].TrimStart();
            }
            else
            {
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                parts.Add(space < 0 ? rest : rest[..space]);
                rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
            }
        }

        return [.. parts];
    }
}
