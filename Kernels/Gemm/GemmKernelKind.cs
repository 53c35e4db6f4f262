namespace Galaxy.Kernels.Gemm;

/// <summary>The SGEMM micro-kernel a packed matrix is laid out for.</summary>
public enum GemmKernelKind
{
    /// <summary>8×32 tiles on 512-bit vectors (x64 with AVX-512F).</summary>
    Avx512,

    /// <summary>6×16 tiles on 256-bit vectors (x64 with AVX2 + FMA).</summary>
    Avx2,

    /// <summary>8×8 tiles on 128-bit vectors (ARM64 AdvSimd, or any CPU in software).</summary>
    Vector128,
}
