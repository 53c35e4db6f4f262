using System.Globalization;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Ops;

/// <summary>
/// Row-wise softmax of attention scores, (heads, queries, keys) with rows of <c>keys</c> logits uniform in
/// [−8, 8), against ONNX <c>Softmax</c>-13 on axis −1. Galaxy's kernel is single-threaded, so both sides
/// run on one thread.
/// </summary>
public sealed class SoftmaxCase : OpCase
{
    public const string OpName = "softmax";

    private readonly int _heads;
    private readonly int _queries;
    private readonly int _keys;
    private readonly float[] _x;

    public SoftmaxCase(int heads, int queries, int keys)
        : base(OpName, string.Create(CultureInfo.InvariantCulture, $"{heads}x{queries}x{keys}"), threads: 1)
    {
        _heads = heads;
        _queries = queries;
        _keys = keys;
        _x = SeededValues.Uniform(new Random((heads * 7919) + (queries * 31) + keys), heads * queries * keys, -8, 8);
    }

    public override IKernelRunner CreateGalaxy(KernelThreads pool)
    {
        var y = new float[_x.Length];
        return new GalaxyOpRunner(y, () => Softmax.Apply(_x, y, _keys));
    }

    public override IKernelRunner CreateAnchor() =>
        new OrtSingleNodeRunner(OnnxOpModels.Softmax([_heads, _queries, _keys]), [_x], Threads);
}
