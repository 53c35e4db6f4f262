using Galaxy.Kernels.Gemm;

namespace Galaxy.Kernels.Model;

/// <summary>BERT's pooler: <c>tanh(h_[CLS] · W + b)</c> with W packed (H, H).</summary>
public sealed record PoolerWeights(PackedMatrix Weight, float[] Bias);
