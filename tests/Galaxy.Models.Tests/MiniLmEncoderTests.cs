using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Models.Tests;

/// <summary>Galaxy's encoder on the real all-MiniLM-L6-v2 weights against ONNX Runtime on the original ONNX file.</summary>
[Collection(MiniLmCollectionDefinition.Name)]
public sealed class MiniLmEncoderTests(MiniLmFixture fixture) : IDisposable
{
    /// <summary>The bar: last_hidden_state within 1e-4 of ONNX Runtime.</summary>
    private const double HiddenStateTolerance = 1e-4;

    /// <summary>Pooled sentence embeddings must agree in direction to within 1e-5.</summary>
    private const double MinimumCosine = 0.99999;

    private static readonly string[] Sentences =
    [
        "Hello, world!",
        "A",
        "The quick brown fox jumps over the lazy dog.",
        "Galaxy runs one Transformer inference across several edge devices on a local network.",
        "What time is it?",
        "¿Dónde está la biblioteca?",
        "Übermäßig große Straßenbahnhaltestelle — naïve café résumé.",
        "東京は日本の首都です。",
        "Emoji test 🚀🔥 and symbols: $100, 50% off, #hashtag @user",
        "Punctuation!!! ... ??? ;;; --- (parentheses) [brackets] {braces}",
        "numbers 3.14159 2.71828 1e-12 42 007",
        "UPPER CASE SENTENCE SHOULD BE LOWER-CASED BY THE TOKENIZER",
        "tabs\tand\nnewlines\r\nare whitespace",
        "The cat sat on the mat. The dog sat on the log. The bird sat on the word.",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "   leading and trailing spaces   ",
        "Привет, как дела?",
        "مرحبا بالعالم",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        string.Join(' ', Enumerable.Repeat("This is a long sentence that repeats to make a sequence of a few hundred tokens.", 14)),
        "Sentence embeddings place similar meanings close together.",
        "x",
    ];

    private readonly KernelThreads _threads = new(2);
    private readonly Lazy<LocalModel> _model = new(() => LocalModel.Load(fixture.Import.OutputDirectory));

    public static TheoryData<int> SentenceIndexes() => new(Enumerable.Range(0, Sentences.Length));

    [Theory]
    [MemberData(nameof(SentenceIndexes))]
    public void Forward_Sentence_MatchesOnnxRuntime(int index)
    {
        var ids = _model.Value.Tokenizer.Encode(Sentences[index]);
        var ones = Enumerable.Repeat(1, ids.Length).ToArray();

        var expected = fixture.RunOnnx(ids, ones, new int[ids.Length], 1, ids.Length);
        var actual = new Encoder(_model.Value.Weights, _threads).Forward(ids, default, default);

        var worst = MaxAbsDiff(expected, actual);
        Assert.True(worst <= HiddenStateTolerance, $"'{Sentences[index]}' ({ids.Length} tokens): max |Δ| = {worst:E2}");
        var cosine = Cosine(
            Encoder.MeanPool(expected, default, 1, MiniLmFixture.Hidden),
            Encoder.MeanPool(actual, default, 1, MiniLmFixture.Hidden));
        Assert.True(cosine >= MinimumCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Forward_PaddedBatch_MatchesOnnxRuntimeAndPoolsLikeSentenceTransformers()
    {
        var encoder = new Encoder(_model.Value.Weights, _threads);
        var tokenizer = _model.Value.Tokenizer;
        var texts = Sentences.Take(8).ToArray();
        var encoded = texts.Select(t => tokenizer.Encode(t)).ToArray();
        var seq = encoded.Max(e => e.Length);
        var ids = new int[texts.Length * seq];
        var mask = new int[texts.Length * seq];
        for (var b = 0; b < texts.Length; b++)
        {
            encoded[b].CopyTo(ids, b * seq);
            Array.Fill(mask, 1, b * seq, encoded[b].Length);
        }

        var expected = fixture.RunOnnx(ids, mask, new int[ids.Length], texts.Length, seq);
        var byteMask = mask.Select(m => (byte)m).ToArray();
        var actual = encoder.Forward(ids, default, byteMask, texts.Length);

        Assert.True(MaxAbsDiff(expected, actual) <= HiddenStateTolerance, $"max |Δ| = {MaxAbsDiff(expected, actual):E2}");
        var pooledExpected = Encoder.MeanPool(expected, byteMask, texts.Length, MiniLmFixture.Hidden);
        var pooledActual = Encoder.MeanPool(actual, byteMask, texts.Length, MiniLmFixture.Hidden);
        for (var b = 0; b < texts.Length; b++)
        {
            var cosine = Cosine(pooledExpected.AsSpan(b * MiniLmFixture.Hidden, MiniLmFixture.Hidden), pooledActual.AsSpan(b * MiniLmFixture.Hidden, MiniLmFixture.Hidden));
            Assert.True(cosine >= MinimumCosine, $"'{texts[b]}': cosine {cosine}");
        }
    }

    [Fact]
    public void Embeddings_SimilarSentencesAreCloserThanUnrelatedOnes()
    {
        var encoder = new Encoder(_model.Value.Weights, _threads);
        var tokenizer = _model.Value.Tokenizer;
        float[] Embed(string text)
        {
            var ids = tokenizer.Encode(text);
            return Encoder.MeanPool(encoder.Forward(ids, default, default), default, 1, MiniLmFixture.Hidden);
        }

        var cat = Embed("A cat sits on the mat.");
        var kitten = Embed("A kitten is sitting on a rug.");
        var stocks = Embed("Stock markets fell sharply on Tuesday.");

        Assert.True(Cosine(cat, kitten) > Cosine(cat, stocks) + 0.2, $"cat/kitten {Cosine(cat, kitten)}, cat/stocks {Cosine(cat, stocks)}");
    }

    public void Dispose() => _threads.Dispose();

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        var worst = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        }

        return worst;
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
