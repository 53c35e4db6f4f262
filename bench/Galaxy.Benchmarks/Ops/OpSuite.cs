namespace Galaxy.Benchmarks.Ops;

/// <summary>The op cases both the quick mode and the BenchmarkDotNet suite measure.</summary>
public static class OpSuite
{
    /// <summary>Every op name a case can have, in suite order.</summary>
    public static IReadOnlyList<string> OpNames { get; } =
    [
        LayerNormCase.OpName,
        GeluCase.ErfOpName,
        GeluCase.TanhOpName,
        SoftmaxCase.OpName,
        AttentionCase.OpName,
        AttentionCase.CausalOpName,
    ];

    /// <summary>
    /// LayerNorm and GELU on the hidden (768, 1024) and FFN (3072, 4096) activations of BERT-base- and
    /// BERT-large-sized layers on 128- and 256-token batches, softmax over their attention scores, and
    /// attention itself, plain and causal. Only attention is threaded in Galaxy, so only it is measured at
    /// each of <paramref name="attentionThreads"/>; the rest run on one thread on both sides.
    /// </summary>
    /// <param name="attentionThreads">Thread counts for the attention cases.</param>
    /// <param name="ops">Op names to include (see <see cref="OpNames"/>), or null for all; others are not even built.</param>
    public static IReadOnlyList<OpCase> Create(IReadOnlyList<int> attentionThreads, IReadOnlyCollection<string>? ops = null)
    {
        ArgumentNullException.ThrowIfNull(attentionThreads);
        var cases = new List<OpCase>();
        void Add(string op, Func<OpCase> create)
        {
            if (ops is null || ops.Contains(op))
            {
                cases.Add(create());
            }
        }

        Add(LayerNormCase.OpName, () => new LayerNormCase(128, 768));
        Add(LayerNormCase.OpName, () => new LayerNormCase(256, 1024));
        Add(GeluCase.ErfOpName, () => GeluCase.Erf(128, 3072));
        Add(GeluCase.ErfOpName, () => GeluCase.Erf(256, 4096));
        Add(GeluCase.TanhOpName, () => GeluCase.Tanh(128, 3072));
        Add(GeluCase.TanhOpName, () => GeluCase.Tanh(256, 4096));
        Add(SoftmaxCase.OpName, () => new SoftmaxCase(12, 128, 128));
        Add(SoftmaxCase.OpName, () => new SoftmaxCase(16, 256, 256));
        foreach (var (sequence, heads, headDim) in new[] { (128, 12, 64), (256, 16, 64) })
        {
            foreach (var causal in new[] { false, true })
            {
                foreach (var threads in attentionThreads)
                {
                    Add(causal ? AttentionCase.CausalOpName : AttentionCase.OpName, () => new AttentionCase(sequence, heads, headDim, causal, threads));
                }
            }
        }

        return cases;
    }
}
