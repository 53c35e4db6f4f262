using Galaxy.Kernels.IO;

namespace Galaxy.Models.Tests.IO;

[Collection(MiniLmCollectionDefinition.Name)]
public sealed class MiniLmModelTests(MiniLmFixture miniLm)
{
    [Fact]
    public void Prepare_SecondTime_ReusesTheExtractionAndTheConversion()
    {
        var weights = Path.Combine(miniLm.Files.ModelDirectory, "model.safetensors");
        var converted = File.GetLastWriteTimeUtc(weights);
        var extracted = File.GetLastWriteTimeUtc(miniLm.Files.OnnxPath);

        var again = MiniLmModel.Prepare(Path.Combine(AppContext.BaseDirectory, "models-cache"));

        Assert.Equal(miniLm.Files, again);
        Assert.Equal(converted, File.GetLastWriteTimeUtc(weights));
        Assert.Equal(extracted, File.GetLastWriteTimeUtc(again.OnnxPath));
        Assert.True(File.Exists(Path.Combine(again.ModelDirectory, "config.json")));
        Assert.True(File.Exists(Path.Combine(again.ModelDirectory, "vocab.txt")));
    }
}
