using Galaxy.Kernels.Model;
using Microsoft.ML.Tokenizers;

namespace Galaxy.Models.Tests;

[Collection(MiniLmCollectionDefinition.Name)]
public sealed class TokenizerTests(MiniLmFixture miniLm)
{
    [Fact]
    public void BertTokenizer_HelloWorldOnMiniLmVocab_GivesTheIdsTheModelExpects()
    {
        using var vocab = File.OpenRead(miniLm.Files.VocabPath);
        var tokenizer = BertTokenizer.Create(vocab);

        Assert.Equal([101, 7592, 1010, 2088, 999, 102], tokenizer.EncodeToIds("Hello, world!"));
    }

    [Fact]
    public void ModelTokenizer_MiniLmDirectory_IsUncasedAndGivesTheIdsTheModelExpects()
    {
        var config = ModelConfig.Load(Path.Combine(miniLm.Import.OutputDirectory, "config.json"));

        var tokenizer = ModelTokenizer.ForModel(miniLm.Import.OutputDirectory, config);

        Assert.True(tokenizer.LowerCases);
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], tokenizer.Encode("Hello, world!"));
    }
}
