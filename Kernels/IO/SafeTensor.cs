namespace Galaxy.Kernels.IO;

/// <summary>A named fp32 tensor to write: row-major <paramref name="Data"/> of the given <paramref name="Shape"/>.</summary>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data);
