namespace Galaxy.Kernels.Ops;

/// <summary>
/// Sizes of one <see cref="Attention.Apply"/> call: <paramref name="QueryRows"/> queries attend over
/// <paramref name="KeyRows"/> keys in each of <paramref name="Heads"/> heads of <paramref name="HeadDim"/>
/// columns. <paramref name="Heads"/> is the number of heads this device holds (h_d of the model's H), not H.
/// </summary>
/// <param name="QueryRows">Rows of the query and destination (S for a prompt, 1 when decoding a token).</param>
/// <param name="KeyRows">Rows of the key and value (the full sequence so far).</param>
/// <param name="Heads">Heads held by this device, ≥ 0.</param>
/// <param name="HeadDim">Columns per head, ≥ 1.</param>
public readonly record struct AttentionShape(int QueryRows, int KeyRows, int Heads, int HeadDim)
{
    private readonly float? _scale;

    /// <summary>When true, query row i sees only keys j ≤ <see cref="QueryOffset"/> + i (decoders).</summary>
    public bool Causal { get; init; }

    /// <summary>
    /// Absolute position of query row 0 in the sequence, ≥ 0: with a KV cache of P earlier tokens, the
    /// new queries start at P. Only used when <see cref="Causal"/> is set.
    /// </summary>
    public int QueryOffset { get; init; }

    /// <summary>Factor applied to every query·key dot product; 1/√<see cref="HeadDim"/> unless set.</summary>
    public float Scale
    {
        get => _scale ?? (1f / MathF.Sqrt(HeadDim));
        init => _scale = value;
    }

    /// <summary>Columns of every operand: <see cref="Heads"/> · <see cref="HeadDim"/>.</summary>
    public int Width => Heads * HeadDim;
}
