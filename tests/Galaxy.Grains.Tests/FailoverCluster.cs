using System.Collections.Concurrent;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>
/// A three-device TCP cluster of its own for a test that stops or kills silos. The client talks to the primary's
/// gateway only, so a killed secondary never carries the client's call.
/// </summary>
internal static class FailoverCluster
{
    /// <summary>How many times <see cref="KillDuringRequestAsync"/> runs its scenario before it gives up.</summary>
    public const int KillTries = 3;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Starts the cluster with <typeparamref name="TSettings"/> applied to every silo after the device setup.</summary>
    public static async Task<TestCluster> StartAsync<TSettings>()
        where TSettings : ISiloConfigurator, new()
    {
        return await DeviceClusters.StartAsync(3, builder =>
        {
            builder.Options.GatewayPerSilo = false;
            builder.AddSiloBuilderConfigurator<DeviceSiloConfigurator>();
            builder.AddSiloBuilderConfigurator<TSettings>();
        }).ConfigureAwait(false);
    }

    /// <summary>A secondary silo that does not host <paramref name="coordinator"/>'s activation, and its device.</summary>
    public static async Task<(SiloHandle Handle, string Device)> VictimAsync(TestCluster cluster, IInferenceGrain coordinator)
    {
        var status = await coordinator.GetStatusAsync().ConfigureAwait(false);
        var handle = cluster.SecondarySilos.First(silo => silo.SiloAddress.ToString() != status.Coordinator);
        return (handle, status.Devices.Single(d => d.Silo == handle.SiloAddress.ToString()).Device);
    }

    /// <summary>
    /// Warms every device up with one request, starts a request on <paramref name="ids"/> that reports its progress,
    /// and hard-kills a secondary device (<see cref="VictimAsync"/>) once the request reports its first finished
    /// layer. <paramref name="landed"/> waits for the request and says whether the kill landed while the victim still
    /// had work in it. Under heavy load the report can come after that (the request then finishes in one run, or
    /// fails for its own reasons, which <paramref name="landed"/> lets through): a new device joins in the victim's
    /// place and the scenario runs again, at most <see cref="KillTries"/> times.
    /// </summary>
    /// <returns>The victim's device, the finished request, the progress it reported, the tries it took, and when the kill came.</returns>
    public static async Task<KilledDuringRequest> KillDuringRequestAsync(
        TestCluster cluster, IInferenceGrain coordinator, int[] ids, Func<Task<InferResult>, Task<bool>> landed, CancellationToken cancellation)
    {
        for (var tries = 1; ; tries++)
        {
            await coordinator.InferAsync(ids).WaitAsync(Limit, cancellation).ConfigureAwait(false);
            var victim = await VictimAsync(cluster, coordinator).ConfigureAwait(false);
            var id = Guid.NewGuid();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var events = new ConcurrentQueue<LayerProgress>();
            var stream = cluster.Client.GetStreamProvider(GalaxyStreams.ProviderName).GetStream<LayerProgress>(GalaxyStreams.Progress(id));
            var subscription = await stream.SubscribeAsync((e, _) =>
            {
                events.Enqueue(e);
                started.TrySetResult();
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            try
            {
                var request = coordinator.InferAsync(ids, id);
                await started.Task.WaitAsync(Limit, cancellation).ConfigureAwait(false);
                await cluster.KillSiloAsync(victim.Handle, cancellation).ConfigureAwait(false);
                var killedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                if (await landed(request).ConfigureAwait(false))
                {
                    return new KilledDuringRequest(victim.Device, request, events, tries, killedAt);
                }
            }
            finally
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"try {tries}: {victim.Device} was killed after its part of the request was done (first report at layer {events.Min(e => e.Layer)})");
            if (tries == KillTries)
            {
                Assert.Fail($"In {tries} tries the kill never landed while the victim still had work in the request: the first layer's report came too late each time.");
            }

            await JoinReplacementAsync(cluster, coordinator).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a silo with a new device and returns once the coordinator lists it.</summary>
    private static async Task JoinReplacementAsync(TestCluster cluster, IInferenceGrain coordinator)
    {
        var joined = await cluster.StartAdditionalSiloAsync().ConfigureAwait(false);
        await DeviceMetadata.WaitAsync(cluster, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var device = $"dev{DeviceSiloConfigurator.InstanceOf(joined.Name) + 1}";
        await DeviceMetadata.WaitForDevicesAsync(cluster, coordinator, now => now.Contains(device), $"a list with the joined {device}", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }
}

/// <summary>What <see cref="FailoverCluster.KillDuringRequestAsync"/> ended with.</summary>
/// <param name="Victim">The killed device.</param>
/// <param name="Request">The request the kill landed in (finished).</param>
/// <param name="Events">The progress the request reported.</param>
/// <param name="Tries">How many times the scenario ran.</param>
/// <param name="KilledAt">When the victim was killed (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</param>
internal sealed record KilledDuringRequest(string Victim, Task<InferResult> Request, IReadOnlyCollection<LayerProgress> Events, int Tries, long KilledAt);
