namespace Galaxy.Kernels.Parallel;

/// <summary>One device's time in one layer: arithmetic on the kernel threads, and wall time from the layer's start to its end (the difference is waiting for tiles and ring overhead).</summary>
public sealed record LayerTiming(int Layer, double ComputeMilliseconds, double WallMilliseconds);
