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
}
