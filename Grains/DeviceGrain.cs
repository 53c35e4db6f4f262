using System.Diagnostics;
using Galaxy.Grains.Profiling;
using Microsoft.Extensions.Options;

namespace Galaxy.Grains;

/// <summary>
/// One device's agent on its own silo (<see cref="IDeviceGrain"/>): reports the device's slices and profile, and
/// measures its links by calling the peer's agent — empty calls for the round trip, then calls carrying the
/// payload (the bulk-coded <see cref="TensorPayload"/>, as tiles travel) for the bandwidth.
/// </summary>
[DevicePlacement]
public sealed class DeviceGrain(ModelCatalog catalog, DeviceProfileService profiles, TileSocketHub tiles, IOptions<GalaxyDeviceOptions> options) : Grain, IDeviceGrain
{
    // Enough round trips that one of them runs undisturbed on a busy machine, few enough to keep a link to ~10–20 ms on loopback.
    private const int SmallRounds = 9;
    private const int PayloadRounds = 5;
    private const int MaxPayloadBytes = 64 << 20;

    public Task<IReadOnlyList<LoadedSlice>> GetLoadedAsync() => Task.FromResult(catalog.LoadedSlices());

    public Task<DeviceProfile?> GetProfileAsync() => Task.FromResult(profiles.Current);

    public Task<string> GetTileEndpointAsync() => Task.FromResult(tiles.Endpoint);

    public async Task<LinkProfile> MeasureLinkAsync(string peer, int payloadBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peer);
        var device = options.Value.Device;
        if (peer == device)
        {
            throw new ArgumentException($"A link joins two devices; '{peer}' is this device.", nameof(peer));
        }

        if (payloadBytes is < sizeof(float) or > MaxPayloadBytes || payloadBytes % sizeof(float) != 0)
        {
            throw new ArgumentException($"The link payload must be a multiple of 4 bytes in 4 … {MaxPayloadBytes}, got {payloadBytes}.", nameof(payloadBytes));
        }

        var far = GrainFactory.GetGrain<IDeviceGrain>(DeviceKeys.Agent(peer));
        var empty = TensorPayload.Empty;
        var payload = TensorPayload.FromBytes(new byte[payloadBytes]);

        // The first calls activate the far agent and warm the connection; they are not timed.
        await far.AcceptAsync(empty).ConfigureAwait(true);
        await far.AcceptAsync(payload).ConfigureAwait(true);
        // The fastest call of each kind: noise (other threads, the devices' own requests, which run while a drift refresh
        // measures) only ever adds time, so the fastest is the link's own. A median let one busy link read 5× slower than
        // its twins on loopback, and the planner then chose a ring exchange that avoided it (docs/cluster.md).
        var roundTrip = await FastestMillisecondsAsync(() => far.AcceptAsync(empty), SmallRounds).ConfigureAwait(true);
        var carrying = await FastestMillisecondsAsync(() => far.AcceptAsync(payload), PayloadRounds).ConfigureAwait(true);

        // The payload call is one round trip plus the bytes' transfer; if noise hides the difference, count the whole call.
        var transfer = carrying > roundTrip ? carrying - roundTrip : carrying;
        return new LinkProfile(device, peer, roundTrip / 2, payloadBytes / (transfer / 1000), payloadBytes, DateTimeOffset.UtcNow);
    }

    public Task<int> AcceptAsync(TensorPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Task.FromResult(payload.Bytes.Length);
    }

    private static async Task<double> FastestMillisecondsAsync(Func<Task<int>> call, int rounds)
    {
        var fastest = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call().ConfigureAwait(true);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return fastest;
    }
}
