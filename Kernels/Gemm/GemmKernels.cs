namespace Galaxy.Kernels.Gemm;

/// <summary>Which SGEMM micro-kernels this machine can run, and their tile shapes.</summary>
public static unsafe class GemmKernels
{
    /// <summary>The fastest kernel this machine runs in hardware.</summary>
    public static GemmKernelKind Best { get; } =
        Avx512MicroKernel.IsSupported ? GemmKernelKind.Avx512
        : Avx2MicroKernel.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Vector128;

    /// <summary>True when <paramref name="kind"/> can run here (<see cref="GemmKernelKind.Vector128"/> always can).</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => Avx512MicroKernel.IsSupported,
        GemmKernelKind.Avx2 => Avx2MicroKernel.IsSupported,
        GemmKernelKind.Vector128 => true,
        _ => false,
    };

    /// <summary>Rows of C one micro-kernel call computes.</summary>
    public static int TileRows(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => Avx512MicroKernel.Rows,
        GemmKernelKind.Avx2 => Avx2MicroKernel.Rows,
        GemmKernelKind.Vector128 => Vector128MicroKernel.Rows,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown GEMM kernel."),
    };

    /// <summary>Columns of C one micro-kernel call computes: the width of a packed panel of B.</summary>
    public static int TileColumns(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => Avx512MicroKernel.Columns,
        GemmKernelKind.Avx2 => Avx2MicroKernel.Columns,
        GemmKernelKind.Vector128 => Vector128MicroKernel.Columns,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown GEMM kernel."),
    };

    /// <summary>The micro-kernel of <paramref name="kind"/>: <c>C (rows,cols) = [C +] A (rows,kc) · panel (kc,cols)</c>.</summary>
    internal static delegate*<float*, nint, float*, int, float*, nint, bool, void> MicroKernel(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => &Avx512MicroKernel.Multiply,
        GemmKernelKind.Avx2 => &Avx2MicroKernel.Multiply,
        _ => &Vector128MicroKernel.Multiply,
    };

    /// <summary>The one-row kernel of <paramref name="kind"/>: <c>C (1,cols) = [C +] A (1,kc) · panel (kc,cols)</c>.</summary>
    internal static delegate*<float*, float*, int, float*, bool, void> RowKernel(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => &Avx512MicroKernel.MultiplyRow,
        GemmKernelKind.Avx2 => &Avx2MicroKernel.MultiplyRow,
        _ => &Vector128MicroKernel.MultiplyRow,
    };
}
