using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Model;

public sealed class LocalModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("galaxy-localmodel-").FullName;
    private readonly KernelThreads _threads = new(2);

    [Theory]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void Load_SyntheticDecoderWrittenToSafetensors_RunsLikeTheInMemoryWeights(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        SyntheticCheckpoint.Write(config, _directory, seed: 21);
        var ids = TinyModels.Tokens(9, seed: 22);

        var model = LocalModel.Load(_directory);
        var fromFile = new Decoder(model.Weights, _threads).StartSession().Append(ids);
        var inMemory = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 21)), _threads).StartSession().Append(ids);

        Assert.Equal(config, model.Config);
        Assert.Equal(inMemory, fromFile);
        Assert.Equal(50256, model.Tokenizer.EndOfText);
    }

    [Fact]
    public void Load_Bf16Checkpoint_ConvertsOnLoadAndStaysClose()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2);
        SyntheticCheckpoint.Write(config, _directory, seed: 23, SafeTensorsDType.BF16);
        var ids = TinyModels.Tokens(6, seed: 24);

        var narrow = new Decoder(LocalModel.Load(_directory).Weights, _threads).StartSession().Append(ids);
        var wide = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 23)), _threads).StartSession().Append(ids);

        // bf16 keeps 8 bits of mantissa: weights move by ≤ 2⁻⁸ relative, hidden states by a few 1e-2 after the final LayerNorm.
        Assert.True(TestData.MaxAbsDiff(wide, narrow) < 0.1, $"max |Δ| = {TestData.MaxAbsDiff(wide, narrow)}");
        Assert.NotEqual(wide, narrow);
    }

    [Fact]
    public void Load_EncoderWithoutVocab_FailsNamingVocabTxt()
    {
        SyntheticCheckpoint.Write(TinyModels.Of(ModelArchitecture.Bert), _directory, seed: 1);

        Assert.Contains("vocab.txt", Assert.Throws<FileNotFoundException>(() => LocalModel.Load(_directory)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingDirectoryOrWeights_FailsClearly()
    {
        Assert.Throws<DirectoryNotFoundException>(() => LocalModel.Load(Path.Combine(_directory, "nope")));
        File.WriteAllText(Path.Combine(_directory, "config.json"), TinyModels.Of(ModelArchitecture.Gpt2).ToJson());
        Assert.Throws<FileNotFoundException>(() => LocalModel.Load(_directory));
    }

    [Fact]
    public void Load_ConfigContradictsWeights_NamesTheTensor()
    {
        SyntheticCheckpoint.Write(TinyModels.Of(ModelArchitecture.Gpt2), _directory, seed: 1);
        File.WriteAllText(Path.Combine(_directory, "config.json"), (TinyModels.Of(ModelArchitecture.Gpt2) with { IntermediateSize = 96 }).ToJson());

        var error = Assert.Throws<InvalidDataException>(() => LocalModel.Load(_directory));

        Assert.Contains("mlp.c_fc", error.Message, StringComparison.Ordinal);
        Assert.Contains("[48, 80]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[48, 96]", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _threads.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
