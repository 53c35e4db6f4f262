using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

// Each output element is one or two correctly rounded float adds done in the same order as the reference,
// so every comparison here is exact.
public sealed class EmbeddingTests
{
    private const int Vocabulary = 50;
    private const int Positions = 40;
    private const int TokenTypes = 2;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(768)]
    public void Gather_TokensAndPositions_EqualsSumOfRows(int hidden)
    {
        var tables = Tables(hidden, withTypes: false);
        var ids = Ids(count: 33, Vocabulary, seed: 91);
        var actual = new float[ids.Length * hidden];

        Embedding.Gather(ids, [], 0, tables, actual);

        Assert.Equal(Reference(ids, [], 0, tables), actual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(33)]
    [InlineData(384)]
    public void Gather_WithTokenTypes_EqualsSumOfRows(int hidden)
    {
        var tables = Tables(hidden, withTypes: true);
        var ids = Ids(count: 20, Vocabulary, seed: 92);
        var types = Ids(count: 20, TokenTypes, seed: 93);
        var actual = new float[ids.Length * hidden];

        Embedding.Gather(ids, types, 0, tables, actual);

        Assert.Equal(Reference(ids, types, 0, tables), actual);
    }

    [Fact]
    public void Gather_TypeTableWithoutTypeIds_UsesTypeZero()
    {
        var tables = Tables(16, withTypes: true);
        var ids = Ids(count: 9, Vocabulary, seed: 94);
        var actual = new float[ids.Length * 16];

        Embedding.Gather(ids, [], 0, tables, actual);

        Assert.Equal(Reference(ids, new int[ids.Length], 0, tables), actual);
    }

    [Fact]
    public void Gather_NoPositionTable_AddsNoPosition()
    {
        var tokens = TestData.Uniform(Vocabulary * 8, seed: 95);
        var tables = new EmbeddingTables(8, tokens);
        var ids = Ids(count: 5, Vocabulary, seed: 96);
        var actual = new float[ids.Length * 8];

        Embedding.Gather(ids, [], 1000, tables, actual);

        Assert.Equal(ids.SelectMany(id => tokens.AsSpan(id * 8, 8).ToArray()), actual);
    }

    [Fact]
    public void Gather_RowSliceWithPositionStart_EqualsSameRowsOfFullGather()
    {
        const int Hidden = 32;
        var tables = Tables(Hidden, withTypes: true);
        var ids = Ids(count: 30, Vocabulary, seed: 97);
        var types = Ids(count: 30, TokenTypes, seed: 98);
        var full = new float[ids.Length * Hidden];
        Embedding.Gather(ids, types, 0, tables, full);
        var slice = new float[(19 - 7) * Hidden];

        Embedding.Gather(ids.AsSpan(7, 12), types.AsSpan(7, 12), 7, tables, slice);

        Assert.Equal(full.AsSpan(7 * Hidden, 12 * Hidden).ToArray(), slice);
    }

    [Fact]
    public void Gather_LastPositions_Fit()
    {
        var tables = Tables(4, withTypes: false);
        var actual = new float[3 * 4];

        Embedding.Gather([1, 2, 3], [], Positions - 3, tables, actual);

        Assert.Equal(Reference([1, 2, 3], [], Positions - 3, tables), actual);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Vocabulary)]
    public void Gather_TokenIdOutOfRange_ThrowsNamingIndexValueAndVocabulary(int badId)
    {
        var tables = Tables(4, withTypes: false);
        var destination = new float[3 * 4];

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Gather([1, badId, 2], [], 0, tables, destination));

        Assert.Equal("tokenIds", ex.ParamName);
        Assert.Equal(badId, ex.ActualValue);
        Assert.Contains($"Token id {badId} at index 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Vocabulary} tokens", ex.Message, StringComparison.Ordinal);
        Assert.All(destination, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(TokenTypes)]
    public void Gather_TokenTypeIdOutOfRange_ThrowsNamingIndexValueAndTypeCount(int badType)
    {
        var tables = Tables(4, withTypes: true);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Gather([1, 2, 3], [0, 1, badType], 0, tables, new float[3 * 4]));

        Assert.Equal("tokenTypeIds", ex.ParamName);
        Assert.Contains($"Token-type id {badType} at index 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{TokenTypes} token types", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_PastLastPosition_ThrowsSequenceTooLong()
    {
        var tables = Tables(4, withTypes: false);

        var ex = Assert.Throws<ArgumentException>(() => Embedding.Gather([1, 2, 3], [], Positions - 2, tables, new float[3 * 4]));

        Assert.Contains($"longer than the model's {Positions} positions", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"[{Positions - 2}, {Positions + 1})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_NegativePositionStart_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Gather([1], [], -1, Tables(4, withTypes: false), new float[4]));
        Assert.Equal("positionStart", ex.ParamName);
    }

    [Fact]
    public void Gather_TypeIdsWithoutTypeTable_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Embedding.Gather([1, 2], [0, 0], 0, Tables(4, withTypes: false), new float[8]));
        Assert.Equal("tokenTypeIds", ex.ParamName);
        Assert.Contains("no token-type table", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_TypeIdCountDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Embedding.Gather([1, 2], [0], 0, Tables(4, withTypes: true), new float[8]));
        Assert.Equal("tokenTypeIds", ex.ParamName);
        Assert.Contains("1 ids but tokenIds has 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_DestinationLengthWrong_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Embedding.Gather([1, 2], [], 0, Tables(4, withTypes: false), new float[7]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("2 tokens × hidden size 4 = 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_DestinationOverlapsTable_Throws()
    {
        var tokens = new float[Vocabulary * 4];
        var tables = new EmbeddingTables(4, tokens);

        var ex = Assert.Throws<ArgumentException>(() => Embedding.Gather([1, 2], [], 0, tables, tokens.AsSpan(0, 8)));

        Assert.Contains("overlaps the token table", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gather_NullTables_Throws() =>
        Assert.Throws<ArgumentNullException>(() => Embedding.Gather([1], [], 0, null!, new float[4]));

    [Fact]
    public void Tables_ZeroHiddenSize_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingTables(0, new float[8]));

    [Fact]
    public void Tables_EmptyTokenTable_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EmbeddingTables(4, ReadOnlyMemory<float>.Empty));
        Assert.Equal("tokens", ex.ParamName);
    }

    [Theory]
    [InlineData("tokens", 10, 8, 8)]
    [InlineData("positions", 8, 6, 8)]
    [InlineData("tokenTypes", 8, 8, 3)]
    public void Tables_LengthNotMultipleOfHidden_Throws(string table, int tokens, int positions, int types)
    {
        var ex = Assert.Throws<ArgumentException>(() => new EmbeddingTables(4, new float[tokens], new float[positions], new float[types]));
        Assert.Equal(table, ex.ParamName);
        Assert.Contains("rows of 4", ex.Message, StringComparison.Ordinal);
    }

    private static EmbeddingTables Tables(int hidden, bool withTypes) => new(
        hidden,
        TestData.Uniform(Vocabulary * hidden, seed: 100),
        TestData.Uniform(Positions * hidden, seed: 101),
        withTypes ? TestData.Uniform(TokenTypes * hidden, seed: 102) : default);

    private static int[] Ids(int count, int range, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(range))];
    }

    private static float[] Reference(int[] ids, int[] types, int positionStart, EmbeddingTables tables)
    {
        var hidden = tables.HiddenSize;
        var output = new float[ids.Length * hidden];
        for (var i = 0; i < ids.Length; i++)
        {
            for (var c = 0; c < hidden; c++)
            {
                var value = tables.Tokens.Span[(ids[i] * hidden) + c];
                if (tables.TokenTypeCount > 0)
                {
                    value += tables.TokenTypes.Span[(types[i] * hidden) + c];
                }

                value += tables.Positions.Span[((positionStart + i) * hidden) + c];
                output[(i * hidden) + c] = value;
            }
        }

        return output;
    }
}
