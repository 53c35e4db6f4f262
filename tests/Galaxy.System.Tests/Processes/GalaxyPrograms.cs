using System.Reflection;

namespace Galaxy.SystemTests.Processes;

/// <summary>Where the build put the silo and the CLI (recorded by the project's RecordGalaxyPrograms target).</summary>
internal static class GalaxyPrograms
{
    /// <summary>Galaxy.Silo.dll in the Silo project's own output directory.</summary>
    public static string Silo => Find("Galaxy.Silo");

    /// <summary>galaxy.dll in the Client project's own output directory.</summary>
    public static string Cli => Find("galaxy");

    private static string Find(string assembly)
    {
        var key = $"GalaxyProgram:{assembly}";
        var path = typeof(GalaxyPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The test assembly has no {key} metadata: build it with its project file (RecordGalaxyPrograms).");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{assembly}.dll is not where the build put it; rebuild the solution.", path);
    }
}
