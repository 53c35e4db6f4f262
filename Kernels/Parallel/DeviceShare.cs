namespace Galaxy.Kernels.Parallel;

/// <summary>One device's part of every layer: <paramref name="Heads"/> attention heads, <paramref name="MlpColumns"/> MLP columns and <paramref name="Rows"/> sequence rows. Any may be 0.</summary>
public readonly record struct DeviceShare(int Heads, int MlpColumns, int Rows);
