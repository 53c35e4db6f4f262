using Galaxy.Client;
using Galaxy.Grains;

namespace Galaxy.SystemTests.Cli;

/// <summary><see cref="LayerProgressRelay"/>: GalaxyClient's hand-over of progress events to the caller.</summary>
public sealed class LayerProgressRelayTests
{
    [Fact]
    public async Task OnNext_DuplicateEvent_ReportedOnce()
    {
        var seen = new Recorder();
        var relay = new LayerProgressRelay(seen);

        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev1", 0, 6));
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev1", 0, 6));
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev2", 0, 6));

        Assert.Equal(2, relay.Count);
        Assert.Equal([("dev1", 0), ("dev2", 0)], seen.Events.Select(e => (e.Device, e.Layer)));
    }

    [Fact]
    public async Task WaitFor_EventsArriveAfterTheWaitBegan_CompletesWhenTheLastArrives()
    {
        var relay = new LayerProgressRelay(new Recorder());
        (int, int, string, int)[] expected = [(0, 1, "dev1", 2), (0, 1, "dev2", 2)];

        var waiting = relay.WaitForAsync(expected, TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev1", 0, 2));
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev1", 1, 2));
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev2", 0, 2));
        Assert.False(waiting.IsCompleted);
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev2", 1, 2));

        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitFor_OnlyAnEarlierRunReported_FalseOnceTheLimitPasses()
    {
        var relay = new LayerProgressRelay(new Recorder());
        await relay.OnNextAsync(new LayerProgress(7, 1, 0, "dev1", 0, 1));

        // The result came from run 2, whose event never arrives.
        var complete = await relay.WaitForAsync([(0, 2, "dev1", 1)], TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);

        Assert.False(complete);
        Assert.Equal(1, relay.Count);
    }

    private sealed class Recorder : IProgress<LayerProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<LayerProgress> _events = [];

        public IReadOnlyList<LayerProgress> Events
        {
            get
            {
                lock (_lock)
                {
                    return [.. _events];
                }
            }
        }

        public void Report(LayerProgress value)
        {
            lock (_lock)
            {
                _events.Add(value);
            }
        }
    }
}
