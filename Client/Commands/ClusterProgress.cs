using Galaxy.Grains;
using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>
/// A live Spectre progress display of one cluster request: a bar per device that fills as the device reports its
/// layers (<see cref="LayerProgress"/>), texts × layers in all; until the first event, a line saying what runs.
/// </summary>
internal sealed class ClusterProgress : IProgress<LayerProgress>
{
    private readonly ProgressContext _context;
    private readonly int _texts;
    private readonly ProgressTask _waiting;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (ProgressTask Bar, HashSet<(int Text, int Layer)> Done)> _devices = new(StringComparer.Ordinal);

    private ClusterProgress(ProgressContext context, string activity, int texts)
    {
        _context = context;
        _texts = texts;
        _waiting = context.AddTask(Markup.Escape(activity), maxValue: 1);
        _waiting.IsIndeterminate = true;
        _waiting.HideWhenCompleted = true;
    }

    /// <summary>Events taken (each device's layer of each text counts once, whichever run reported it).</summary>
    public int Events { get; private set; }

    /// <summary>
    /// Shows the display on <paramref name="console"/> while <paramref name="body"/> runs with it as its progress, then
    /// stops every bar where it stands; the bars stay on screen.
    /// </summary>
    /// <param name="console">A console that supports live displays (a terminal).</param>
    /// <param name="activity">What runs, shown until the first event.</param>
    /// <param name="texts">Texts (sequences) in the request: a device's bar holds texts × layers.</param>
    /// <param name="body">The request.</param>
    public static Task<T> ShowAsync<T>(IAnsiConsole console, string activity, int texts, Func<ClusterProgress, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(texts, 1);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var display = new ClusterProgress(context, activity, texts);
                try
                {
                    return await body(display).ConfigureAwait(false);
                }
                finally
                {
                    display.Stop();
                }
            });
    }

    /// <summary>Moves the device's bar (adding it on its first event).</summary>
    public void Report(LayerProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (!_waiting.IsFinished)
            {
                _waiting.StopTask();
            }

            if (!_devices.TryGetValue(value.Device, out var device))
            {
                device = (_context.AddTask(Markup.Escape(value.Device), maxValue: _texts * value.Layers), []);
                _devices.Add(value.Device, device);
            }

            // A re-planned text reports its layers again: a layer of a text counts once per device.
            if (device.Done.Add((value.Text, value.Layer)))
            {
                Events++;
                device.Bar.Value = device.Done.Count;
                device.Bar.Description = Markup.Escape($"{value.Device}  {device.Done.Count}/{device.Bar.MaxValue:F0} layers");
            }
        }
    }

    private void Stop()
    {
        lock (_lock)
        {
            // A request that reported nothing (events lost, or none published) leaves its activity line on screen.
            _waiting.HideWhenCompleted = _devices.Count > 0;
            _waiting.StopTask();
            foreach (var (bar, _) in _devices.Values)
            {
                bar.StopTask();
            }
        }
    }
}
