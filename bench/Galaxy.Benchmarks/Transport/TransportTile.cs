namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// One tile of fp32 activations as the transport benchmark moves it: run and sequence number, the
/// sender's <see cref="System.Diagnostics.Stopwatch"/> timestamp (both silos share this process, so the
/// receiver can subtract it), and the values. Serialized by <see cref="TransportTileCodec"/> as raw bytes.
/// </summary>
/// <remarks>[Immutable]: neither side writes to <see cref="Values"/> after sending, so Orleans skips the deep copy.</remarks>
[Immutable]
public sealed class TransportTile(int runId, int sequence, long sentTimestamp, float[] values)
{
    public int RunId { get; } = runId;

    public int Sequence { get; } = sequence;

    public long SentTimestamp { get; } = sentTimestamp;

    public float[] Values { get; } = values;
}
