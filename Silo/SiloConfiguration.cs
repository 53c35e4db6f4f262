using Microsoft.Extensions.Configuration;

namespace Galaxy.Silo;

/// <summary>
/// The silo's configuration sources below the command line, lowest priority first: <c>appsettings.json</c> beside
/// the program, <c>appsettings.json</c> in the current directory, then environment variables (the standard
/// binding: <c>Galaxy__Device</c> is <c>Galaxy:Device</c>).
/// </summary>
public static class SiloConfiguration
{
    /// <summary>The settings file looked for beside the program and in the current directory.</summary>
    public const string FileName = "appsettings.json";

    /// <summary>Builds the configuration.</summary>
    /// <param name="programDirectory">The directory of the silo program.</param>
    /// <param name="currentDirectory">The directory the silo was started in.</param>
    /// <param name="includeEnvironment">Read environment variables (off only in tests that must not see the machine's).</param>
    /// <exception cref="SiloSettingsException">A settings file exists but is not valid JSON.</exception>
    public static IConfigurationRoot Build(string programDirectory, string currentDirectory, bool includeEnvironment = true)
    {
        ArgumentNullException.ThrowIfNull(programDirectory);
        ArgumentNullException.ThrowIfNull(currentDirectory);
        var builder = new ConfigurationBuilder();
        var files = new List<string> { Path.GetFullPath(Path.Combine(programDirectory, FileName)) };
        var local = Path.GetFullPath(Path.Combine(currentDirectory, FileName));
        if (!string.Equals(local, files[0], StringComparison.Ordinal))
        {
            files.Add(local);
        }

        foreach (var file in files)
        {
            builder.AddJsonFile(file, optional: true, reloadOnChange: false);
        }

        if (includeEnvironment)
        {
            builder.AddEnvironmentVariables();
        }

        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            // The JSON provider names the file; its inner exception says where the JSON breaks.
            throw new SiloSettingsException($"{e.Message} {e.InnerException?.Message}".Trim(), e);
        }
    }
}
