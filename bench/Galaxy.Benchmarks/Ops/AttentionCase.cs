using System.Globalization;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Ops;

/// <summary>
/// Self-attention of a prompt, S queries over S keys in H heads of d columns, Q, K, V uniform in [−1, 1),
/// no key mask, scale 1/√d, optionally causal; against <c>com.microsoft.MultiHeadAttention</c> on the same
/// (1, S, H·d) tensors. Both sides run on <see cref="OpCase.Threads"/> threads.
/// </summary>
public sealed class AttentionCase : OpCase
{
    public const string OpName = "attention";
    public const string CausalOpName = "attention-causal";

    private readonly AttentionShape _shape;
    private readonly float[] _query;
    private readonly float[] _key;
    private readonly float[] _value;

    public AttentionCase(int sequence, int heads, int headDim, bool causal, int threads)
        : base(
            causal ? CausalOpName : OpName,
            string.Create(CultureInfo.InvariantCulture, $"S{sequence} H{heads} d{headDim}"),
            threads)
    {
        _shape = new AttentionShape(sequence, sequence, heads, headDim) { Causal = causal };
        var random = new Random((sequence * 7919) + (heads * 31) + headDim);
        var length = sequence * heads * headDim;
        _query = SeededValues.Uniform(random, length);
        _key = SeededValues.Uniform(random, length);
        _value = SeededValues.Uniform(random, length);
    }

    public override IKernelRunner CreateGalaxy(KernelThreads pool)
    {
        var output = new float[_query.Length];
        return new GalaxyOpRunner(output, () => Attention.Apply(_query, _key, _value, output, _shape, keyMask: default, pool));
    }

    public override IKernelRunner CreateAnchor() =>
        new OrtSingleNodeRunner(
            OnnxOpModels.MultiHeadAttention(_shape.QueryRows, _shape.Heads, _shape.HeadDim, _shape.Causal),
            [_query, _key, _value],
            Threads);
}
