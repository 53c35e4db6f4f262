namespace Galaxy.Kernels.Model;

/// <summary>A LayerNorm's scale γ and shift β, (H) each.</summary>
public sealed record NormWeights(float[] Gamma, float[] Beta);
