using Galaxy.Silo;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="SiloConfiguration"/>: appsettings.json beside the program, then in the current directory, each optional.</summary>
public sealed class SiloConfigurationTests : IDisposable
{
    private readonly string _program = Directory.CreateTempSubdirectory("galaxy-program-").FullName;
    private readonly string _current = Directory.CreateTempSubdirectory("galaxy-current-").FullName;

    [Fact]
    public void Build_NoFiles_IsEmpty()
    {
        var configuration = SiloConfiguration.Build(_program, _current, includeEnvironment: false);

        Assert.Empty(configuration.GetSection("Galaxy").GetChildren());
    }

    [Fact]
    public void Build_BothFiles_TheCurrentDirectoryWins()
    {
        File.WriteAllText(Path.Combine(_program, "appsettings.json"), """{ "Galaxy": { "Device": "from-program", "Threads": 2, "SiloPort": 12005 } }""");
        File.WriteAllText(Path.Combine(_current, "appsettings.json"), """{ "Galaxy": { "Device": "from-current", "Threads": 3 } }""");

        var configuration = SiloConfiguration.Build(_program, _current, includeEnvironment: false);

        Assert.Equal("from-current", configuration["Galaxy:Device"]);
        Assert.Equal("3", configuration["Galaxy:Threads"]);
        Assert.Equal("12005", configuration["Galaxy:SiloPort"]);
    }

    [Fact]
    public void Build_SameDirectoryTwice_ReadsTheFileOnce()
    {
        File.WriteAllText(Path.Combine(_program, "appsettings.json"), """{ "Galaxy": { "Device": "only" } }""");

        var configuration = SiloConfiguration.Build(_program, _program, includeEnvironment: false);

        Assert.Equal("only", configuration["Galaxy:Device"]);
        Assert.Single(configuration.Providers);
    }

    [Fact]
    public void Build_BrokenJson_SaysWhichFile()
    {
        var file = Path.Combine(_current, "appsettings.json");
        File.WriteAllText(file, """{ "Galaxy": { "Device": "x", } """);

        var error = Assert.Throws<SiloSettingsException>(() => SiloConfiguration.Build(_program, _current, includeEnvironment: false));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public void Dispose()
    {
        Directory.Delete(_program, recursive: true);
        Directory.Delete(_current, recursive: true);
    }
}
