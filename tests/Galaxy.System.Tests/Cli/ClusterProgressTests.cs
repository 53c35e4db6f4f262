using Galaxy.Client.Commands;
using Galaxy.Grains;
using Spectre.Console.Testing;

namespace Galaxy.SystemTests.Cli;

/// <summary><see cref="ClusterProgress"/>: the CLI's progress bars, one per device, driven by layer events.</summary>
public sealed class ClusterProgressTests
{
    [Fact]
    public async Task Show_EveryLayerOfTwoTexts_EachDeviceBarIsFull()
    {
        using var console = new TestConsole().Interactive().Width(100);
        string[] devices = ["dev1", "dev2", "dev3"];

        var events = await ClusterProgress.ShowAsync(console, "embedding 2 texts with minilm …", 2, progress =>
        {
            for (var text = 0; text < 2; text++)
            {
                for (var layer = 0; layer < 6; layer++)
                {
                    foreach (var device in devices)
                    {
                        progress.Report(new LayerProgress(10 + text, 1, text, device, layer, 6));
                    }
                }
            }

            return Task.FromResult(progress.Events);
        });

        Assert.Equal(36, events);
        var last = LastFrame(console.Output, devices);
        Assert.All(devices, device => Assert.Contains($"{device}  12/12 layers", last, StringComparison.Ordinal));
        Assert.Equal(3, CountOf(last, "100%"));
        Assert.DoesNotContain("embedding 2 texts", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_DuplicatesAndARePlannedRun_CountEachLayerOnceAndStopWhereTheyStand()
    {
        using var console = new TestConsole().Interactive().Width(100);

        var events = await ClusterProgress.ShowAsync(console, "running minilm …", 1, progress =>
        {
            // dev3 dies after layer 1 of run 1; dev1 and dev2 finish the text in run 2. dev1's layer 0 arrives twice.
            foreach (var device in new[] { "dev1", "dev2", "dev3" })
            {
                progress.Report(new LayerProgress(1, 1, 0, device, 0, 6));
                progress.Report(new LayerProgress(1, 1, 0, device, 1, 6));
            }

            progress.Report(new LayerProgress(1, 1, 0, "dev1", 0, 6));
            for (var layer = 0; layer < 6; layer++)
            {
                progress.Report(new LayerProgress(2, 2, 0, "dev1", layer, 6));
                progress.Report(new LayerProgress(2, 2, 0, "dev2", layer, 6));
            }

            return Task.FromResult(progress.Events);
        });

        Assert.Equal(14, events);
        var last = LastFrame(console.Output, ["dev1", "dev2", "dev3"]);
        Assert.Contains("dev1  6/6 layers", last, StringComparison.Ordinal);
        Assert.Contains("dev2  6/6 layers", last, StringComparison.Ordinal);
        Assert.Contains("dev3  2/6 layers", last, StringComparison.Ordinal);
        Assert.Contains("33%", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_NoEventYet_ShowsTheActivity()
    {
        using var console = new TestConsole().Interactive().Width(100);

        var events = await ClusterProgress.ShowAsync(console, "running minilm [on 3 devices] …", 1, progress => Task.FromResult(progress.Events));

        Assert.Equal(0, events);
        Assert.Contains("running minilm [on 3 devices] …", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_NoTexts_Throws()
    {
        using var console = new TestConsole().Interactive();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ClusterProgress.ShowAsync(console, "x", 0, progress => Task.FromResult(0)));
    }

    /// <summary>The text from the last rendering that names every device (a live display redraws in place).</summary>
    private static string LastFrame(string output, string[] devices)
    {
        var start = devices.Select(d => output.LastIndexOf($"{d}  ", StringComparison.Ordinal)).Min();
        Assert.True(start >= 0, $"no frame names every device:\n{output}");
        return output[start..];
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
