namespace Galaxy.Benchmarks.Transport;

/// <summary>How much the transport benchmark sends: sizes, latency samples and burst budget per row.</summary>
public sealed record TransportSettings(
    IReadOnlyList<int> Sizes,
    int LatencySamples,
    int PolledLatencySamples,
    long BurstBytes,
    int MaxBurstCount,
    string? JsonPath)
{
    /// <summary>4 KB, 64 KB, 1 MiB, 4 MiB: one small tile up to a whole 1024 × 1024 fp32 activation block.</summary>
    public static IReadOnlyList<int> DefaultSizes { get; } = [4 << 10, 64 << 10, 1 << 20, 4 << 20];

    public static TransportSettings Quick(string? json) => new(DefaultSizes, 30, 8, 32L << 20, 256, json);

    public static TransportSettings Thorough(string? json) => new(DefaultSizes, 100, 20, 128L << 20, 1024, json);

    /// <summary>How long one isolated payload may take before it counts as lost.</summary>
    public static TimeSpan PayloadTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>A burst ends when nothing arrived for this long …</summary>
    public static TimeSpan BurstIdle { get; } = TimeSpan.FromSeconds(3);

    /// <summary>… or after this long in all.</summary>
    public static TimeSpan BurstDeadline { get; } = TimeSpan.FromSeconds(30);

    public int BurstCount(TransportPath path, int bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        var budget = path.IsPolled ? BurstBytes / 4 : BurstBytes;
        return (int)Math.Clamp(budget / bytes, 8, MaxBurstCount);
    }
}
