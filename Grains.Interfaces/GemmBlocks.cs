namespace Galaxy.Grains;

/// <summary>The names of a layer's four GEMMs in a <see cref="GemmThroughput"/> (H = hidden size, F = MLP width).</summary>
public static class GemmBlocks
{
    /// <summary>Fused Q, K, V projection: (S, H) · (H, 3H).</summary>
    public const string QueryKeyValue = "qkv";

    /// <summary>Attention output projection: (S, H) · (H, H).</summary>
    public const string Output = "out";

    /// <summary>MLP up projection: (S, H) · (H, F).</summary>
    public const string MlpUp = "mlp-up";

    /// <summary>MLP down projection: (S, F) · (F, H).</summary>
    public const string MlpDown = "mlp-down";
}
