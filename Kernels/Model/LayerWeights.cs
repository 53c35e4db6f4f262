using Galaxy.Kernels.Gemm;

namespace Galaxy.Kernels.Model;

/// <summary>
/// One layer's weights, or a device's slice of them (<see cref="Slice"/>), packed for the GEMM.
/// With h = slice heads, d = head width, f = slice MLP columns, H = hidden size:
/// </summary>
public sealed class LayerWeights
{
    public required LayerSlice Slice { get; init; }

    /// <summary>[W_q | W_k | W_v] of the slice's heads, (H, 3·h·d); null when h = 0.</summary>
    public required PackedMatrix? QueryKeyValue { get; init; }

    /// <summary>[b_q | b_k | b_v] of the slice's heads, (3·h·d).</summary>
    public required float[] QueryKeyValueBias { get; init; }

    /// <summary>The rows of W_O that read the slice's heads, (h·d, H); null when h = 0.</summary>
    public required PackedMatrix? Output { get; init; }

    /// <summary>b_O, (H): whole, added once per row by whoever owns the row.</summary>
    public required float[] OutputBias { get; init; }

    /// <summary>LayerNorm next to attention (after it in post-LN encoders, before it in pre-LN decoders), (H) each.</summary>
    public required float[] AttentionNormGamma { get; init; }

    public required float[] AttentionNormBeta { get; init; }

    /// <summary>W_1's columns of the slice, (H, f); null when f = 0.</summary>
    public required PackedMatrix? Up { get; init; }

    /// <summary>b_1 of the slice, (f).</summary>
    public required float[] UpBias { get; init; }

    /// <summary>W_2's rows of the slice, (f, H); null when f = 0.</summary>
    public required PackedMatrix? Down { get; init; }

    /// <summary>b_2, (H): whole, added once per row.</summary>
    public required float[] DownBias { get; init; }

    /// <summary>LayerNorm next to the MLP, (H) each.</summary>
    public required float[] MlpNormGamma { get; init; }

    public required float[] MlpNormBeta { get; init; }
}
