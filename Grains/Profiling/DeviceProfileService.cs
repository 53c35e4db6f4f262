using System.Diagnostics;
using Galaxy.Kernels.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Galaxy.Grains.Profiling;

/// <summary>
/// Measures the device's <see cref="DeviceProfile"/> while its silo starts (before it joins the cluster, so a live
/// device always has one) and publishes it to the <see cref="IDeviceRegistryGrain"/> once the silo is active and
/// again on every membership change, so a registry that lost its state (its silo died) fills up again.
/// </summary>
public sealed class DeviceProfileService(
    ModelCatalog catalog,
    IOptions<GalaxyDeviceOptions> options,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILogger<DeviceProfileService> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    // Silos of one process (the demo, the tests) share the cores: measuring one at a time keeps them from timing each other.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private const int PublishAttempts = 5;

    private readonly CancellationTokenSource _stopping = new();
    private Task? _publishing;
    private int _disposed;

    /// <summary>The profile measured at start, or null before the measurement finished.</summary>
    public DeviceProfile? Current { get; private set; }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(DeviceProfileService), ServiceLifecycleStage.ApplicationServices, MeasureAsync);
        lifecycle.Subscribe(nameof(DeviceProfileService), ServiceLifecycleStage.Active, StartPublishingAsync, StopPublishingAsync);
    }

    /// <summary>Measures the profile now (at silo start; callable again to re-measure).</summary>
    public async Task<DeviceProfile> MeasureAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var models = new List<(string, ModelConfig)>();
            foreach (var id in catalog.ServedModelIds())
            {
                try
                {
                    // A model that does not load is left out of the profile; it must not keep the device from starting.
                    models.Add((id, catalog.Get(id).Config));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    DeviceProfileServiceLog.ModelSkipped(logger, ex, settings.Device, id);
                }
            }

            // On a thread of its own: the kernels' calling thread works alongside the pool and must not be a scheduler's.
            var throughput = await Task.Factory.StartNew(
                () => DeviceProfiler.Measure(models, catalog.Threads, settings.ProfileBudget, settings.ProfileRows),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var budget = settings.MemoryBudgetBytes > 0 ? settings.MemoryBudgetBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            var host = HostProbe.Read();
            var profile = new DeviceProfile(
                settings.Device,
                silo.SiloAddress.ToString(),
                Environment.ProcessorCount,
                catalog.Threads.Count,
                budget,
                DateTimeOffset.UtcNow,
                elapsed,
                throughput)
            {
                Host = host.Host,
                HostProcessorCount = host.HostProcessorCount,
                CpuQuotaCores = host.CpuQuotaCores,
            };
            Current = profile;
            foreach (var model in throughput)
            {
                var slowest = model.Gemms.Min(g => g.FlopsPerSecond) / 1e9;
                var fastest = model.Gemms.Max(g => g.FlopsPerSecond) / 1e9;
                var attention = model.Attention.Max(a => a.FlopsPerSecond) / 1e9;
                DeviceProfileServiceLog.Measured(logger, settings.Device, model.ModelId, slowest, fastest, attention);
            }

            DeviceProfileServiceLog.Profiled(logger, settings.Device, throughput.Count, catalog.Threads.Count, budget / (double)(1 << 30), elapsed);
            DeviceProfileServiceLog.Placed(logger, settings.Device, host.Host, host.HostProcessorCount, host.CpuQuotaCores ?? 0);
            return profile;
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    private Task StartPublishingAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _publishing = Task.Run(() => PublishOnMembershipChangesAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopPublishingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The host disposed the service before the silo's lifecycle stopped it: the loop was cancelled then.
        }

        if (_publishing is not null)
        {
            try
            {
                await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the loop ends with the silo.
            }
        }
    }

    private async Task PublishOnMembershipChangesAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key);
        MembershipVersion? published = null;
        try
        {
            // The first snapshot is the current one: publish at once, then again whenever membership changes.
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (snapshot.Version == published || Current is not { } profile)
                {
                    continue;
                }

                published = snapshot.Version;
                await PublishAsync(registry, profile, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task PublishAsync(IDeviceRegistryGrain registry, DeviceProfile profile, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= PublishAttempts; attempt++)
        {
            try
            {
                await registry.PublishAsync(profile).WaitAsync(PublishTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The registry may be moving off a silo that just died; the registry also asks devices without a profile.
                DeviceProfileServiceLog.PublishFailed(logger, ex, profile.Device, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
