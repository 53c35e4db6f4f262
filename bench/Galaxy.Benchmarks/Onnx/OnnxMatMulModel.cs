namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// The ONNX model of one product, <c>Y (M,N) = MatMul(X (M,K), B (K,N))</c>, with B stored as an fp32
/// initializer and X as the only input.
/// </summary>
public static class OnnxMatMulModel
{
    public const string InputName = "X";
    public const string WeightName = "B";
    public const string OutputName = "Y";

    private const long OpsetVersion = 13;

    /// <summary>The model for an <paramref name="m"/>-row X and the row-major <paramref name="b"/> (<paramref name="k"/> × <paramref name="n"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="b"/> does not hold k × n values, or a size is not positive.</exception>
    public static OnnxSingleNodeModel Create(ReadOnlyMemory<float> b, int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if ((long)k * n != b.Length)
        {
            throw new ArgumentException($"B has {b.Length} values but {k}×{n} = {(long)k * n} were declared.", nameof(b));
        }

        return new OnnxSingleNodeModel
        {
            OpType = "MatMul",
            NodeName = "matmul",
            GraphName = "galaxy_matmul",
            Inputs = [new(InputName, [m, k])],
            Initializers = [new(WeightName, [k, n], b)],
            Output = new(OutputName, [m, n]),
            Opsets = [new(string.Empty, OpsetVersion)],
        };
    }
}
