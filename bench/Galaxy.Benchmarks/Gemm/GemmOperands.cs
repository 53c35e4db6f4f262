namespace Galaxy.Benchmarks.Gemm;

/// <summary>
/// Seeded inputs for one product: A (M,K) and B (K,N), row-major, uniform in [−1, 1).
/// The same shape and seed give the same numbers on every machine.
/// </summary>
public sealed class GemmOperands
{
    private const int DefaultSeed = 20_240_601;

    private GemmOperands(GemmShape shape, float[] a, float[] b)
    {
        Shape = shape;
        A = a;
        B = b;
    }

    public GemmShape Shape { get; }

    /// <summary>A, row-major (M, K): the activations.</summary>
    public float[] A { get; }

    /// <summary>B, row-major (K, N): the constant weight.</summary>
    public float[] B { get; }

    public static GemmOperands Create(GemmShape shape, int seed = DefaultSeed)
    {
        var random = new Random(seed);
        return new GemmOperands(shape, SeededValues.Uniform(random, shape.M * shape.K), SeededValues.Uniform(random, shape.K * shape.N));
    }
}
