using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Tests.Model;

public sealed class ModelTokenizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("galaxy-tokenizer-").FullName;

    [Fact]
    public void Gpt2_HelloWorld_HasTheKnownIds()
    {
        var tokenizer = ModelTokenizer.ForGpt2();

        Assert.Equal([15496, 995], tokenizer.Encode("Hello world"));
        Assert.Equal("Hello world", tokenizer.Decode([15496, 995]));
        Assert.Equal(50256, tokenizer.EndOfText);
    }

    [Fact]
    public void Bert_LowerCaseVocabulary_LowerCasesAndWrapsInClsSep()
    {
        var tokenizer = ModelTokenizer.ForBert(WriteVocab("hello", ",", "world", "!", "##s", "ℝ", "X"));

        Assert.Equal([2, 5, 6, 7, 8, 3], tokenizer.Encode("Hello, WORLD!"));
        Assert.Equal([2, 7, 9, 3], tokenizer.Encode("worlds"));
        Assert.True(tokenizer.LowerCases);
    }

    [Fact]
    public void Bert_CasedVocabulary_KeepsCase()
    {
        var tokenizer = ModelTokenizer.ForBert(WriteVocab("Hello", "hello", "world"));

        Assert.Equal([2, 5, 7, 3], tokenizer.Encode("Hello world"));
        Assert.Equal([2, 6, 7, 3], tokenizer.Encode("hello world"));
        Assert.False(tokenizer.LowerCases);
    }

    [Fact]
    public void Encode_TooLong_ThrowsUnlessTruncationAsked()
    {
        var tokenizer = ModelTokenizer.ForBert(WriteVocab("a"));
        var text = string.Join(' ', Enumerable.Repeat("a", 10));

        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode(text, maxTokens: 8));
        Assert.Contains("12 tokens", error.Message, StringComparison.Ordinal);
        Assert.Equal([2, 5, 5, 5, 5, 5, 5, 3], tokenizer.Encode(text, maxTokens: 8, truncate: true));
        Assert.Equal(4, ModelTokenizer.ForGpt2().Encode("one two three four five six", maxTokens: 4, truncate: true).Length);
    }

    [Fact]
    public void ForModel_EncoderWithoutVocab_ThrowsFileNotFound()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ModelTokenizer.ForModel(_directory, TinyModels.Of(ModelArchitecture.Bert)));

        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteVocab(params string[] words)
    {
        var path = Path.Combine(_directory, "vocab.txt");
        File.WriteAllLines(path, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. words]);
        return path;
    }
}
