using Galaxy.Benchmarks.Gemm;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>The GEMM anchor: ONNX Runtime's CPU MatMul on the one-node model of <see cref="OnnxMatMulModel"/>.</summary>
public static class OrtMatMul
{
    /// <param name="operands">A (bound as X) and B (baked into the model, so ORT pre-packs it once as Galaxy does).</param>
    /// <param name="threads">Intra-op threads, the calling thread included (as for Galaxy's pool).</param>
    public static OrtSingleNodeRunner Create(GemmOperands operands, int threads)
    {
        ArgumentNullException.ThrowIfNull(operands);
        var shape = operands.Shape;
        return new OrtSingleNodeRunner(OnnxMatMulModel.Create(operands.B, shape.M, shape.K, shape.N), [operands.A], threads);
    }
}
