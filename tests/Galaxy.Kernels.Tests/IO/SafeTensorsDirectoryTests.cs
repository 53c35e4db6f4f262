using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.IO;

public sealed class SafeTensorsDirectoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_ModelSafetensorsPresent_PrefersItOverIndexAndOtherFiles()
    {
        Write("model.safetensors", "single");
        Write("model-00001-of-00001.safetensors", "shard");
        File.WriteAllText(_directory.File("model.safetensors.index.json"), """{"weight_map": {"shard": "model-00001-of-00001.safetensors"}}""");

        using var source = SafeTensorsDirectory.Open(_directory.Path);

        Assert.Equal(["single"], source.Names);
        Assert.IsType<SafeTensorsFile>(source);
    }

    [Fact]
    public void Open_OnlyIndex_OpensTheShards()
    {
        Write("model-00001-of-00001.safetensors", "shard");
        File.WriteAllText(_directory.File("model.safetensors.index.json"), """{"weight_map": {"shard": "model-00001-of-00001.safetensors"}}""");

        using var source = SafeTensorsDirectory.Open(_directory.Path);

        Assert.Equal(["shard"], source.Names);
        Assert.IsType<ShardedSafeTensors>(source);
    }

    [Fact]
    public void Open_SingleOtherSafetensorsFile_OpensIt()
    {
        Write("pytorch_model.safetensors", "other");
        File.WriteAllText(_directory.File("config.json"), "{}");

        using var source = SafeTensorsDirectory.Open(_directory.Path);

        Assert.Equal(["other"], source.Names);
    }

    [Fact]
    public void Open_NoWeights_ThrowsFileNotFoundListingWhatWasLookedFor()
    {
        File.WriteAllText(_directory.File("config.json"), "{}");

        var error = Assert.Throws<FileNotFoundException>(() => SafeTensorsDirectory.Open(_directory.Path));

        Assert.Contains(_directory.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.safetensors.index.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("*.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SeveralFilesAndNoIndex_ThrowsFileNotFoundNamingThem()
    {
        Write("a.safetensors", "a");
        Write("b.safetensors", "b");

        var error = Assert.Throws<FileNotFoundException>(() => SafeTensorsDirectory.Open(_directory.Path));

        Assert.Contains("a.safetensors, b.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingDirectory_ThrowsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensorsDirectory.Open(_directory.File("absent")));
    }

    private void Write(string fileName, string tensorName) =>
        SafeTensorsWriter.Write(_directory.File(fileName), [new SafeTensor(tensorName, [2], [1f, 2f])]);
}
