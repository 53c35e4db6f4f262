using System.Globalization;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// A simulated directed link between two devices: messages leave one after another, each occupying the link for
/// <c>bytes / BytesPerSecond</c>, and each arrives <c>LatencyPerMessage</c> after it left. The latency is a delay,
/// not occupancy: the next message may leave while the previous one is still in flight, as on the testbed
/// (<c>tc tbf</c> rate plus a receive-side delay) and on a real network.
/// </summary>
/// <param name="BytesPerSecond">Payload bytes per second while a message is on the link (&gt; 0).</param>
/// <param name="LatencyPerMessage">One-way delay of every message: propagation and the stacks on both ends (≥ 0).</param>
public sealed record LinkModel(double BytesPerSecond, TimeSpan LatencyPerMessage)
{
    /// <summary>Payload bytes per second while a message is on the link (&gt; 0).</summary>
    public double BytesPerSecond { get; init => field = CheckBandwidth(value); } = CheckBandwidth(BytesPerSecond);

    /// <summary>Fixed cost of every message (≥ 0).</summary>
    public TimeSpan LatencyPerMessage { get; init => field = CheckLatency(value); } = CheckLatency(LatencyPerMessage);

    /// <summary>Time from when one message of <paramref name="bytes"/> starts to leave until it has arrived on an idle link: <c>latency + bytes / bandwidth</c>.</summary>
    public TimeSpan TransmissionTime(long bytes) => TimeSpan.FromSeconds(TransmissionSeconds(bytes));

    /// <summary><see cref="TransmissionTime"/> in seconds, without <see cref="TimeSpan"/>'s 100 ns rounding.</summary>
    public double TransmissionSeconds(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return LatencyPerMessage.TotalSeconds + (bytes / BytesPerSecond);
    }

    /// <summary>
    /// Parses a rate in bits per second with an optional per-message latency, in <c>tc</c>'s units:
    /// <c>"100mbit"</c>, <c>"1gbit"</c>, <c>"1gbit+2ms"</c>, <c>"1mbit 500us"</c>. Rate units: <c>bit</c>,
    /// <c>kbit</c>, <c>mbit</c>, <c>gbit</c> (powers of 1000); latency units: <c>us</c>, <c>ms</c>, <c>s</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static LinkModel Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(['+', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2)
        {
            throw new FormatException($"'{text}' is not a link: expected a rate such as \"100mbit\", optionally followed by a latency such as \"+2ms\".");
        }

        var bitsPerSecond = ParseQuantity(text, parts[0], [("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1)]);
        var latencySeconds = parts.Length == 2 ? ParseQuantity(text, parts[1], [("us", 1e-6), ("ms", 1e-3), ("s", 1)]) : 0;
        if (bitsPerSecond <= 0)
        {
            throw new FormatException($"'{text}': a link's rate must be positive.");
        }

        return new LinkModel(bitsPerSecond / 8, TimeSpan.FromSeconds(latencySeconds));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var bits = BytesPerSecond * 8;
        var rate = bits >= 1e9 ? $"{bits / 1e9:G4} Gbit/s" : bits >= 1e6 ? $"{bits / 1e6:G4} Mbit/s" : $"{bits / 1e3:G4} kbit/s";
        return string.Create(CultureInfo.InvariantCulture, $"{rate} + {LatencyPerMessage.TotalMilliseconds:G4} ms per message");
    }

    private static double CheckBandwidth(double bytesPerSecond) =>
        bytesPerSecond > 0 ? bytesPerSecond : throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "A link's bandwidth must be positive.");

    private static TimeSpan CheckLatency(TimeSpan latency) =>
        latency >= TimeSpan.Zero ? latency : throw new ArgumentOutOfRangeException(nameof(latency), latency, "A link's latency cannot be negative.");

    private static double ParseQuantity(string text, string part, (string Unit, double Scale)[] units)
    {
        foreach (var (unit, scale) in units)
        {
            if (part.EndsWith(unit, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(part.AsSpan(0, part.Length - unit.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value * scale;
            }
        }

        var expected = string.Join(", ", units.Select(u => u.Unit));
        throw new FormatException($"'{text}': cannot read '{part}' (a number followed by one of {expected}).");
    }
}
