namespace Galaxy.SystemTests.Evaluation;

/// <summary>Files of this checkout (the folder with Galaxy.sln above the test binaries).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Galaxy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Galaxy.sln above {AppContext.BaseDirectory}.");
    }
}
