using System.Collections.Concurrent;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The seeded values every payload of one size carries, and a fingerprint the receiver checks them by:
/// a path that loses or garbles bytes shows up as corrupt, not as fast.
/// </summary>
public static class TransportValues
{
    private static readonly ConcurrentDictionary<int, float[]> BySize = new();

    /// <summary>Uniform in [−1, 1) from a seed equal to the size; one shared array per size.</summary>
    public static float[] Of(int bytes) => BySize.GetOrAdd(bytes, static size =>
    {
        var values = new float[size / sizeof(float)];
        var random = new Random(size);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    });

    /// <summary>Σ (i + 1) · bits(values[i]) over every 61st element and the last: cheap, order and bit sensitive.</summary>
    public static long Fingerprint(ReadOnlySpan<float> values)
    {
        long sum = values.Length;
        for (var i = 0; i < values.Length; i += 61)
        {
            sum += (i + 1L) * BitConverter.SingleToInt32Bits(values[i]);
        }

        return values.IsEmpty ? sum : sum + BitConverter.SingleToInt32Bits(values[^1]);
    }
}
