using System.Collections.Concurrent;
using Orleans.Streams;

namespace Galaxy.Grains.Tests;

/// <summary>Per-layer progress reaches a client that subscribed to the request's stream before calling.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ProgressTests(ClusterFixture fixture)
{
    // Events wait up to one polling period (50 ms) in the memory stream; this only bounds a failure.
    private static readonly TimeSpan EventsLimit = TimeSpan.FromSeconds(30);

    private IInferenceGrain MiniLm => fixture.Client.GetGrain<IInferenceGrain>("minilm");

    [Fact]
    public async Task EmbedWithProgress_TwoTexts_EveryDeviceReportsEveryLayerOfEachText()
    {
        var id = Guid.NewGuid();
        var events = new ConcurrentQueue<LayerProgress>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var expectedCount = 2 * ClusterFixture.Devices.Length * 6;
        var stream = fixture.Client.GetStreamProvider(GalaxyStreams.ProviderName).GetStream<LayerProgress>(GalaxyStreams.Progress(id));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            events.Enqueue(e);
            if (events.Count >= expectedCount)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        });
        try
        {
            var result = await MiniLm.EmbedAsync(["Progress arrives layer by layer.", "A second text has its own events."], id);
            await all.Task.WaitAsync(EventsLimit, TestContext.Current.CancellationToken);

            var seen = events.ToArray();
            Assert.Equal(expectedCount, seen.Length);
            Assert.All(seen, e => Assert.Equal((6, 1), (e.Layers, e.Attempt)));
            for (var text = 0; text < 2; text++)
            {
                var devices = result.Texts[text].Devices.Select(d => d.Device).ToArray();
                Assert.Equal(ClusterFixture.Devices, devices);
                foreach (var device in devices)
                {
                    var layers = seen.Where(e => e.Text == text && e.Device == device).Select(e => e.Layer).Order();
                    Assert.Equal(Enumerable.Range(0, 6), layers);
                }

                Assert.Single(seen.Where(e => e.Text == text).Select(e => e.RequestId).Distinct());
            }
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task InferWithProgress_ResultEqualsInferWithout()
    {
        var ids = new[] { 101, 7592, 1010, 2088, 999, 102 };
        var id = Guid.NewGuid();
        var count = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Client.GetStreamProvider(GalaxyStreams.ProviderName).GetStream<LayerProgress>(GalaxyStreams.Progress(id));
        var subscription = await stream.SubscribeAsync((_, _) =>
        {
            if (Interlocked.Increment(ref count) == ClusterFixture.Devices.Length * 6)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        });
        try
        {
            var with = await MiniLm.InferAsync(ids, id);
            var without = await MiniLm.InferAsync(ids);
            await all.Task.WaitAsync(EventsLimit, TestContext.Current.CancellationToken);

            // Same plan, same sums: the two runs agree to fp32 rounding.
            var worst = without.Hidden.ToArray().Zip(with.Hidden.ToArray(), (a, b) => Math.Abs((double)a - b)).Max();
            Assert.True(worst <= 1e-5, $"max |Δ| = {worst:E2}");
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }
}
