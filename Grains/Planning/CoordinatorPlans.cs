using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Planning;

/// <summary>
/// A coordinator's plans for one model: the heads, columns and device subset planned once at a reference length
/// (kept while the devices, their profiles, the links and the calibration stay the same, so devices do not load a new
/// slice per request), the rows and prediction per request, and a calibration from measured runs.
/// </summary>
/// <remarks>
/// After every run the coordinator reports what each device measured. When the measured latency is off the
/// prediction by more than <see cref="DriftTolerance"/> in <see cref="DriftRuns"/> runs in a row, the same way (all
/// 1.25× slower or all 1.25× faster than predicted), the profiles are refreshed from the measurements: each device's
/// rates are scaled by the median of predicted / measured compute over that streak's last <see cref="CalibrationRuns"/>
/// runs, and the plan is made again — when some device's speed moved by <see cref="SpeedChangeToReplan"/> or more;
/// otherwise the compute is predicted well and the plan stays. Either way the caller is told to re-measure the links.
/// A run within the tolerance, or one off the other way, starts the streak again, so a refresh reflects the
/// conditions that drifted, not older ones: a coordinator's first runs are slow (tier-0 code, slices loading), and
/// once warm a device that profiled on a busy machine runs faster than predicted — the slow runs are not averaged into
/// the fast ones. Refreshes are at least <see cref="RefreshInterval"/> apart, counted from the first recorded run too
/// (so the first runs alone never calibrate), and a noisy neighbour does not make devices reload slices again and again.
/// <para>Whenever the plan is made again (a device joined or left, profiles or links re-measured, a refresh), the
/// previous plan's devices are passed to the planner as a candidate when every one of them is still a candidate
/// device: so a device joining never makes the plan predicted slower than the previous devices under the same
/// profiles and links (at <see cref="ReferenceLength"/>), with 1–16 devices or more, not only where the subset
/// search is exhaustive. A device that left cannot be in the plan, so then that subset is not offered. The candidate
/// devices must keep their relative order (the coordinator sorts them by name): ring order follows it.</para>
/// </remarks>
public sealed class CoordinatorPlans
{
    /// <summary>Relative error of the predicted latency that counts as drift: 25 % (measured / predicted above 1.25 or below 1 / 1.25).</summary>
    public const double DriftTolerance = 0.25;

    /// <summary>Consecutive drifting runs that trigger a refresh.</summary>
    public const int DriftRuns = 3;

    /// <summary>
    /// How far a device's measured speed must be from its calibrated one (10 %) for a refresh to re-plan: a drift that
    /// the compute does not explain (the links, the runtime) would otherwise re-plan every interval, and a re-plan that
    /// moves shares by rounding makes devices load new slices for nothing.
    /// </summary>
    public const double SpeedChangeToReplan = 0.10;

    /// <summary>The most runs of a drift streak a refresh takes its medians from (the latest ones).</summary>
    public const int CalibrationRuns = 32;

    /// <summary>The least time between two refreshes, and between the first recorded run and the first refresh.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly string _modelId;
    private readonly ModelConfig _config;
    private readonly PlannerOptions _options;
    private readonly Dictionary<string, double> _factors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<double>> _speeds = new(StringComparer.Ordinal);

    // The request plans made from the current reference, by sequence length (the same inputs give the same plan).
    private readonly Dictionary<int, PlannedSplit> _perLength = [];
    private readonly Func<DateTimeOffset> _clock;
    private string? _referenceKey;
    private PlannedSplit? _reference;
    private IReadOnlyList<string>? _previousDevices;
    private int _drifting;
    private bool _driftingSlower;
    private DateTimeOffset? _lastRefresh;

    /// <summary>Plans for <paramref name="modelId"/> (<paramref name="config"/>) with <paramref name="options"/>.</summary>
    public CoordinatorPlans(string modelId, ModelConfig config, PlannerOptions options, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _modelId = modelId;
        _config = config;
        _options = options;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The sequence length heads, columns and devices are planned at: 128, or the model's positions if fewer.</summary>
    public int ReferenceLength => Math.Min(128, _config.MaxPositions);

    /// <summary>Per device, the factor its profiled rates are scaled by (1 until a refresh measured otherwise).</summary>
    public IReadOnlyDictionary<string, double> SpeedFactors => _factors;

    /// <summary>The plan at <see cref="ReferenceLength"/> the request plans are made from, or null before the first request.</summary>
    public PlannedSplit? Reference => _reference;

    /// <summary>How many times measured runs refreshed the profiles.</summary>
    public int Refreshes { get; private set; }

    /// <summary>
    /// The plan for a request of <paramref name="sequenceLength"/> tokens on <paramref name="candidates"/>: the reference
    /// plan's devices, heads and columns (made again when the inputs changed), this request's rows and prediction.
    /// </summary>
    /// <exception cref="PlanDoesNotFitException">The model fits no subset of the candidates.</exception>
    public PlannedSplit PlanRequest(IReadOnlyList<string> candidates, IReadOnlyList<DeviceProfile> profiles, IReadOnlyList<LinkProfile> links, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(links);
        var key = Key(candidates, profiles, links);
        if (_reference is not null && key == _referenceKey && _perLength.TryGetValue(sequenceLength, out var known))
        {
            return known;
        }

        var cluster = ProfileAdapter.ToCluster(candidates, profiles, links, _modelId, _config, _factors);
        if (_reference is null || key != _referenceKey)
        {
            IReadOnlyList<IReadOnlyList<string>>? previous = _previousDevices is { } devices && devices.All(candidates.Contains) ? [devices] : null;
            _reference = HeterogeneousPlanner.Plan(_config, ReferenceLength, cluster, _options, previous);
            _referenceKey = key;
            _previousDevices = _reference.Devices;
            _perLength.Clear();
        }

        var planned = HeterogeneousPlanner.ForSequence(_reference, _config, sequenceLength, cluster, _options);
        _perLength[sequenceLength] = planned;
        return planned;
    }

    /// <summary>
    /// Records a finished run of <paramref name="split"/>: per device its measured compute, and the request's measured
    /// latency. Returns true when this run completed a drift (re-measure the links); the speeds are recalibrated and the
    /// plan made again only when some device's measured speed moved by <see cref="SpeedChangeToReplan"/> or more
    /// (<see cref="Refreshes"/> counts those).
    /// </summary>
    public bool Record(PlannedSplit split, IReadOnlyList<(string Device, double ComputeMilliseconds)> measured, double wallMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(measured);
        _lastRefresh ??= _clock();
        var ratio = wallMilliseconds / (split.Prediction.TotalSeconds * 1000);
        if (Math.Max(ratio, 1 / ratio) - 1 <= DriftTolerance)
        {
            _drifting = 0;
            _speeds.Clear();
            return false;
        }

        // A drifting run: off the other way than the streak so far, it starts a streak of its own.
        var slower = ratio > 1;
        if (_drifting > 0 && slower != _driftingSlower)
        {
            _drifting = 0;
            _speeds.Clear();
        }

        _driftingSlower = slower;
        foreach (var (device, computeMilliseconds) in measured)
        {
            var predicted = split.Prediction.Devices.FirstOrDefault(d => d.Device == device);
            if (predicted is null || predicted.ComputeSeconds <= 0 || computeMilliseconds <= 0)
            {
                continue;
            }

            if (!_speeds.TryGetValue(device, out var speeds))
            {
                _speeds[device] = speeds = new Queue<double>(CalibrationRuns);
            }

            if (speeds.Count == CalibrationRuns)
            {
                speeds.Dequeue();
            }

            speeds.Enqueue(predicted.ComputeSeconds * 1000 / computeMilliseconds);
        }

        _drifting++;
        if (_drifting < DriftRuns || _clock() - _lastRefresh < RefreshInterval)
        {
            return false;
        }

        var medians = _speeds.ToDictionary(pair => pair.Key, pair => Median(pair.Value), StringComparer.Ordinal);
        if (medians.Values.Any(speed => Math.Abs(speed - 1) >= SpeedChangeToReplan))
        {
            foreach (var (device, speed) in medians)
            {
                _factors[device] = _factors.GetValueOrDefault(device, 1.0) * speed;
            }

            _reference = null;
            Refreshes++;
        }

        _speeds.Clear();
        _drifting = 0;
        _lastRefresh = _clock();
        return true;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private string Key(IReadOnlyList<string> candidates, IReadOnlyList<DeviceProfile> profiles, IReadOnlyList<LinkProfile> links)
    {
        var stamps = candidates.Select(c => profiles.FirstOrDefault(p => p.Device == c)?.MeasuredAt.UtcTicks ?? 0);
        var linkStamp = links.Count == 0 ? 0 : links.Max(l => l.MeasuredAt.UtcTicks);
        return $"{string.Join('/', candidates)}|{string.Join('/', stamps)}|{links.Count}:{linkStamp}|{Refreshes}";
    }
}
