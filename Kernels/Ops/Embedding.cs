using System.Numerics.Tensors;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Input embedding of a run of tokens: row i of E (n, H) is
/// <c>tokens[tokenIds[i]] + types[tokenTypeIds[i]] + positions[positionStart + i]</c>, each term present
/// only when the model has that table.
/// </summary>
/// <remarks>
/// A device that owns sequence rows <c>[s0, s1)</c> embeds just those by passing their ids and
/// <c>positionStart = s0</c>. Terms are added in Hugging Face BERT's order, <c>(token + type) + position</c>,
/// so results match it bit for bit.
/// </remarks>
public static class Embedding
{
    /// <summary>Gathers and sums the embedding rows of <paramref name="tokenIds"/>.</summary>
    /// <param name="tokenIds">n token ids, each in <c>[0, V)</c>.</param>
    /// <param name="tokenTypeIds">
    /// Without a token-type table: empty. With one: n ids in <c>[0, T)</c>, or empty for type 0 everywhere
    /// (BERT's default for a single segment).
    /// </param>
    /// <param name="positionStart">Position of row 0 in the sequence, ≥ 0; rows need positions <c>[positionStart, positionStart + n)</c>.</param>
    /// <param name="tables">The model's embedding tables.</param>
    /// <param name="destination">n × H outputs; must not overlap the ids or the tables.</param>
    public static void Gather(
        ReadOnlySpan<int> tokenIds,
        ReadOnlySpan<int> tokenTypeIds,
        int positionStart,
        EmbeddingTables tables,
        Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tables);
        CheckArguments(tokenIds, tokenTypeIds, positionStart, tables, destination);

        var hidden = tables.HiddenSize;
        var tokens = tables.Tokens.Span;
        var positions = tables.Positions.Span;
        var types = tables.TokenTypes.Span;
        for (var i = 0; i < tokenIds.Length; i++)
        {
            var row = destination.Slice(i * hidden, hidden);
            var token = tokens.Slice(tokenIds[i] * hidden, hidden);
            if (types.IsEmpty)
            {
                token.CopyTo(row);
            }
            else
            {
                var type = tokenTypeIds.IsEmpty ? 0 : tokenTypeIds[i];
                TensorPrimitives.Add(token, types.Slice(type * hidden, hidden), row);
            }

            if (!positions.IsEmpty)
            {
                TensorPrimitives.Add(row, positions.Slice((positionStart + i) * hidden, hidden), row);
            }
        }
    }

    // Every id is checked before anything is written, so a bad id leaves the destination untouched.
    private static void CheckArguments(
        ReadOnlySpan<int> tokenIds,
        ReadOnlySpan<int> tokenTypeIds,
        int positionStart,
        EmbeddingTables tables,
        Span<float> destination)
    {
        var n = tokenIds.Length;
        if (destination.Length != (long)n * tables.HiddenSize)
        {
            throw new ArgumentException(
                $"destination has {destination.Length} elements but {n} tokens × hidden size {tables.HiddenSize} = {(long)n * tables.HiddenSize} are needed.",
                nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(positionStart);
        if (tables.PositionCount > 0 && (long)positionStart + n > tables.PositionCount)
        {
            throw new ArgumentException(
                $"The sequence is longer than the model's {tables.PositionCount} positions: rows at positions [{positionStart}, {(long)positionStart + n}) were asked for.",
                nameof(tokenIds));
        }

        for (var i = 0; i < n; i++)
        {
            if ((uint)tokenIds[i] >= (uint)tables.VocabularySize)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(tokenIds),
                    tokenIds[i],
                    $"Token id {tokenIds[i]} at index {i} is outside the vocabulary of {tables.VocabularySize} tokens.");
            }
        }

        if (tables.TokenTypeCount == 0)
        {
            if (!tokenTypeIds.IsEmpty)
            {
                throw new ArgumentException(
                    $"{tokenTypeIds.Length} token-type ids were given but the model has no token-type table; pass none.",
                    nameof(tokenTypeIds));
            }
        }
        else if (!tokenTypeIds.IsEmpty)
        {
            if (tokenTypeIds.Length != n)
            {
                throw new ArgumentException(
                    $"tokenTypeIds has {tokenTypeIds.Length} ids but tokenIds has {n}; pass one per token, or none for type 0.",
                    nameof(tokenTypeIds));
            }

            for (var i = 0; i < n; i++)
            {
                if ((uint)tokenTypeIds[i] >= (uint)tables.TokenTypeCount)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(tokenTypeIds),
                        tokenTypeIds[i],
                        $"Token-type id {tokenTypeIds[i]} at index {i} is outside the model's {tables.TokenTypeCount} token types.");
                }
            }
        }

        SpanChecks.ThrowIfOverlap(tokenIds, destination, nameof(tokenIds));
        SpanChecks.ThrowIfOverlap(tokenTypeIds, destination, nameof(tokenTypeIds));
        SpanChecks.ThrowIfOverlap(tables.Tokens.Span, destination, "the token table");
        SpanChecks.ThrowIfOverlap(tables.Positions.Span, destination, "the position table");
        SpanChecks.ThrowIfOverlap(tables.TokenTypes.Span, destination, "the token-type table");
    }
}
