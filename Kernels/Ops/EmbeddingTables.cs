namespace Galaxy.Kernels.Ops;

/// <summary>
/// A model's input embedding tables, all row-major with <see cref="HiddenSize"/> columns: tokens
/// (V, H), and optionally learned positions (P, H) and token types (T, H). BERT has all three;
/// GPT-2 and OPT have no token-type table.
/// </summary>
public sealed class EmbeddingTables
{
    /// <summary>Wraps the tables; nothing is copied.</summary>
    /// <param name="hiddenSize">H, the width of every row, ≥ 1.</param>
    /// <param name="tokens">V × H token embeddings, V ≥ 1.</param>
    /// <param name="positions">Empty, or P × H position embeddings.</param>
    /// <param name="tokenTypes">Empty, or T × H token-type (segment) embeddings.</param>
    public EmbeddingTables(
        int hiddenSize,
        ReadOnlyMemory<float> tokens,
        ReadOnlyMemory<float> positions = default,
        ReadOnlyMemory<float> tokenTypes = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("The token table is empty; a model needs at least one token row.", nameof(tokens));
        }

        HiddenSize = hiddenSize;
        VocabularySize = SpanChecks.RowsOf(tokens.Length, hiddenSize, nameof(tokens), "hidden size");
        PositionCount = SpanChecks.RowsOf(positions.Length, hiddenSize, nameof(positions), "hidden size");
        TokenTypeCount = SpanChecks.RowsOf(tokenTypes.Length, hiddenSize, nameof(tokenTypes), "hidden size");
        Tokens = tokens;
        Positions = positions;
        TokenTypes = tokenTypes;
    }

    /// <summary>H, the width of every embedding row.</summary>
    public int HiddenSize { get; }

    /// <summary>V, the number of token rows.</summary>
    public int VocabularySize { get; }

    /// <summary>P, the number of position rows; 0 when the model has no learned position table.</summary>
    public int PositionCount { get; }

    /// <summary>T, the number of token-type rows; 0 when the model has no token-type table.</summary>
    public int TokenTypeCount { get; }

    /// <summary>V × H token embeddings.</summary>
    public ReadOnlyMemory<float> Tokens { get; }

    /// <summary>P × H position embeddings, or empty.</summary>
    public ReadOnlyMemory<float> Positions { get; }

    /// <summary>T × H token-type embeddings, or empty.</summary>
    public ReadOnlyMemory<float> TokenTypes { get; }
}
