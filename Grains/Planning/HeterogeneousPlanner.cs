using System.Globalization;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>
/// Galaxy's heterogeneity-aware planner (DESIGN.md §5): for a model, a sequence length and a set of devices it chooses
/// the device subset and each device's heads, MLP columns and rows that the <see cref="CostModel"/> predicts fastest,
/// within every device's memory budget.
/// </summary>
/// <remarks>
/// <para>For one subset: each device's time per head (QKV + attention + out-projection of one head over S rows) and per
/// MLP column (up + down) come from its rates. Memory caps come from water-filling: fractions of the model in
/// proportion to speed, a device whose fraction exceeds what its budget holds is capped there and the rest spread over
/// the others, repeatedly. Heads are then assigned by an exact DP that minimises the slowest device's attention time
/// (heads are few: N·H² steps); MLP columns, in units of <see cref="PlannerOptions.ColumnGranularity"/>, each to the
/// device whose MLP time grows least (optimal for this min–max, since each device's time is linear in its columns).
/// Rows: split evenly and in proportion to speed (largest remainder); the even split of everything is a candidate too
/// when it fits; ring and direct exchange both when the options leave it open. The cost model picks among them.</para>
/// <para>Subsets: up to <see cref="PlannerOptions.ExhaustiveSubsetLimit"/> devices every subset is planned, so the
/// choice is exact for the cost model (and adding a device can never make it worse); above that a deterministic
/// search: every single device, every prefix of the devices ordered by speed, each prefix without one of its devices,
/// then from the best, moves to a better neighbour (one device more, one fewer, one swapped) until none is better. Every single device that fits is always a candidate, and so is the
/// even split over all devices, so the plan is never predicted slower than either.</para>
/// <para>A subset is planned and predicted from its own devices and the links between them only (rates, budgets,
/// hosts and their CPU counts as its devices report them), never from the devices around it. So a caller that adds
/// devices can pass the smaller plan's devices as a candidate (<c>alsoConsider</c>): the larger plan is then never
/// predicted slower than the smaller one, whatever the number of devices, at the cost of one more subset.</para>
/// </remarks>
public static class HeterogeneousPlanner
{
    private const double Epsilon = 1e-12;

    /// <summary>Plans <paramref name="config"/> at <paramref name="sequenceLength"/> rows on <paramref name="cluster"/>.</summary>
    /// <param name="config">The model.</param>
    /// <param name="sequenceLength">The rows to plan for.</param>
    /// <param name="cluster">The devices and links.</param>
    /// <param name="options">The options (default <see cref="PlannerOptions"/>).</param>
    /// <param name="alsoConsider">
    /// Device subsets (by name) to plan besides the search's own, e.g. the devices of the plan before a device joined:
    /// each is planned exactly as the search plans a subset (its own split, and the even split over it) and chosen when
    /// predicted faster, so the result is never predicted slower than any of them. Names not in the cluster are
    /// ignored (a subset left empty is skipped). Used by the strategies that choose a subset (Galaxy and planned
    /// Megatron with <see cref="PlannerOptions.SelectDevices"/>); the others ignore it.
    /// </param>
    /// <exception cref="ArgumentException">A bad option or sequence length, or a null subset or name.</exception>
    /// <exception cref="PlanDoesNotFitException">No subset of the devices holds the model (the message gives needed vs available bytes).</exception>
    public static PlannedSplit Plan(ModelConfig config, int sequenceLength, PlanningCluster cluster, PlannerOptions? options = null, IReadOnlyList<IReadOnlyList<string>>? alsoConsider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cluster);
        options ??= new PlannerOptions();
        options.Validate();
        config.Validate();
        if (sequenceLength < 1 || sequenceLength > config.MaxPositions)
        {
            throw new ArgumentException($"The sequence length must be 1 … {config.MaxPositions} (the model's positions), got {sequenceLength}.", nameof(sequenceLength));
        }

        var hints = new List<int[]>();
        foreach (var subset in alsoConsider ?? [])
        {
            if (subset is null || subset.Any(name => name is null))
            {
                throw new ArgumentException("A subset to also consider is null or has a null device name.", nameof(alsoConsider));
            }

            var indices = subset.Select(cluster.IndexOf).Where(i => i >= 0).Distinct().Order().ToArray();
            if (indices.Length > 0)
            {
                hints.Add(indices);
            }
        }

        var search = new Search(config, sequenceLength, cluster, options);
        return search.Run(hints);
    }

    /// <summary>
    /// The same devices, heads and columns as <paramref name="split"/> (so no device loads a new slice) with the rows
    /// of a request of <paramref name="sequenceLength"/> tokens (even or by speed, whichever the cost model predicts
    /// faster) and its prediction at that length.
    /// </summary>
    public static PlannedSplit ForSequence(PlannedSplit split, ModelConfig config, int sequenceLength, PlanningCluster cluster, PlannerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cluster);
        options ??= new PlannerOptions();
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var indices = split.Devices.Select(name =>
        {
            var index = cluster.IndexOf(name);
            return index >= 0 ? index : throw new ArgumentException($"Device '{name}' of the plan is not in the cluster.", nameof(cluster));
        }).ToArray();
        var search = new Search(config, sequenceLength, cluster, options);
        var speeds = search.Speeds(indices);
        var best = (Plan: (ParallelPlan?)null, Prediction: (Prediction?)null);
        var rowSplits = split.Plan.Mode == ParallelMode.Sequence
            ? [ProportionalSplit.Split(sequenceLength, speeds)]
            : new[] { ProportionalSplit.Split(sequenceLength, [.. speeds.Select(_ => 1.0)]), ProportionalSplit.Split(sequenceLength, speeds) };
        foreach (var rows in rowSplits)
        {
            var plan = split.Plan with { Shares = [.. split.Plan.Shares.Select((s, d) => s with { Rows = rows[d] })] };
            var prediction = CostModel.Predict(config, sequenceLength, cluster, indices, plan, options);
            if (best.Prediction is null || prediction.TotalSeconds < best.Prediction.TotalSeconds - Epsilon)
            {
                best = (plan, prediction);
            }
        }

        return split with { SequenceLength = sequenceLength, Plan = best.Plan!, Prediction = best.Prediction! };
    }

    /// <summary>One planning run: per-device unit costs and memory, the per-subset plans (cached by subset) and the subset search.</summary>
    private sealed class Search
    {
        private readonly ModelConfig _config;
        private readonly int _sequence;
        private readonly PlanningCluster _cluster;
        private readonly PlannerOptions _options;
        private readonly int _n;
        private readonly double[] _perHead;
        private readonly double[] _perColumn;
        private readonly double[] _speed;
        private readonly double[] _available;
        private readonly double _headBytes;
        private readonly double _columnBytes;
        private readonly long _fixedBytes;
        private readonly Dictionary<ulong, Candidate?> _planned = [];

        public Search(ModelConfig config, int sequenceLength, PlanningCluster cluster, PlannerOptions options)
        {
            _config = config;
            _sequence = sequenceLength;
            _cluster = cluster;
            _options = options;
            _n = cluster.Devices.Count;
            if (_n > 64)
            {
                throw new ArgumentException($"The planner handles up to 64 devices, got {_n}.", nameof(cluster));
            }

            double s = sequenceLength;
            double h = config.HiddenSize;
            double d = config.HeadDim;
            _perHead = new double[_n];
            _perColumn = new double[_n];
            _speed = new double[_n];
            _available = new double[_n];
            for (var i = 0; i < _n; i++)
            {
                var spec = cluster.Devices[i];
                _perHead[i] = (2 * s * h * 3 * d / spec.Gemm.QueryKeyValue) + (4 * s * s * d / spec.AttentionFlopsPerSecond(sequenceLength)) + (2 * s * d * h / spec.Gemm.Output);
                _perColumn[i] = (2 * s * h / spec.Gemm.MlpUp) + (2 * s * h / spec.Gemm.MlpDown);
                _speed[i] = 1 / ((config.Heads * _perHead[i]) + (config.IntermediateSize * _perColumn[i]) + (2 * s / spec.ConnectiveRowsPerSecond));
            }

            // Memory is linear in a device's heads and columns: fixed + h·headBytes + f·columnBytes (MemoryModel, hybrid, s ≤ S).
            var empty = MemoryModel.Estimate(config, ParallelMode.Hybrid, new DeviceShare(0, 0, sequenceLength), sequenceLength, options);
            var oneHead = MemoryModel.Estimate(config, ParallelMode.Hybrid, new DeviceShare(1, 0, sequenceLength), sequenceLength, options);
            var oneColumn = MemoryModel.Estimate(config, ParallelMode.Hybrid, new DeviceShare(0, 1, sequenceLength), sequenceLength, options);
            _fixedBytes = empty.Total;
            _headBytes = oneHead.Total - empty.Total;
            _columnBytes = oneColumn.Total - empty.Total;
            for (var i = 0; i < _n; i++)
            {
                _available[i] = cluster.Devices[i].MemoryBudgetBytes - (double)_fixedBytes;
            }
        }

        private double LayerBytes => (_config.Heads * _headBytes) + (_config.IntermediateSize * _columnBytes);

        /// <summary>Layers per second of each device of <paramref name="indices"/> when they run together: alone, slowed by sharing a host's cores.</summary>
        public double[] Speeds(int[] indices)
        {
            var slowdown = CostModel.Slowdowns(_cluster, indices);
            return [.. indices.Select((i, d) => _speed[i] / slowdown[d])];
        }

        public PlannedSplit Run(IReadOnlyList<int[]> hints)
        {
            return _options.Strategy switch
            {
                PlanStrategy.Local => Finish(BestOf(Enumerable.Range(0, _n).Select(i => Evaluate(1UL << i)))),
                PlanStrategy.UniformMegatron => Finish(Uniform(ParallelMode.MegatronTensor)),
                PlanStrategy.UniformHybrid => Finish(Uniform(ParallelMode.Hybrid)),
                PlanStrategy.Sequence => Finish(SequenceParallel()),
                _ when !_options.SelectDevices => Finish(SearchSubsets()),
                _ => Finish(WithHints(SearchSubsets(), hints)),
            };
        }

        /// <summary>
        /// <paramref name="chosen"/>, or a hinted subset planned as the search plans any subset (its split, or the
        /// even split over it — the search's even split over all devices is that of the whole set) when it is predicted
        /// strictly faster. No tolerance here, so the result is never slower than a hint, to the last bit.
        /// </summary>
        private Candidate? WithHints(Candidate? chosen, IReadOnlyList<int[]> hints)
        {
            foreach (var indices in hints)
            {
                var mask = indices.Aggregate(0UL, (m, i) => m | (1UL << i));
                foreach (var hinted in new[] { Evaluate(mask), Uniform(ParallelMode.Hybrid, indices) })
                {
                    if (hinted is not null && (chosen is null || hinted.Prediction.TotalSeconds < chosen.Prediction.TotalSeconds))
                    {
                        chosen = hinted;
                    }
                }
            }

            return chosen;
        }

        private Candidate? SearchSubsets()
        {
            var usable = Enumerable.Range(0, _n).Where(i => _available[i] >= 0).ToArray();
            if (!_options.SelectDevices)
            {
                return BestOf([Evaluate((1UL << _n) - 1), Uniform(ParallelMode.Hybrid)]);
            }

            if (_n <= _options.ExhaustiveSubsetLimit)
            {
                var all = new List<Candidate?>();
                for (var mask = 1UL; mask < (1UL << _n); mask++)
                {
                    all.Add(Evaluate(mask));
                }

                return BestOf(all.Append(Uniform(ParallelMode.Hybrid)));
            }

            var order = usable.OrderByDescending(i => _speed[i]).ThenBy(i => i).ToArray();
            var candidates = new List<Candidate?> { Uniform(ParallelMode.Hybrid) };
            candidates.AddRange(order.Select(i => Evaluate(1UL << i)));
            var prefix = 0UL;
            foreach (var i in order)
            {
                prefix |= 1UL << i;
                candidates.Add(Evaluate(prefix));
                foreach (var j in Members(prefix).Where(j => j != i))
                {
                    candidates.Add(Evaluate(prefix & ~(1UL << j)));
                }
            }

            var best = BestOf(candidates);
            if (best is null)
            {
                return null;
            }

            // Local search from the best: the best neighbour while it is better.
            for (var improved = true; improved;)
            {
                improved = false;
                var mask = MaskOf(best);
                if (mask == 0)
                {
                    break;
                }

                // Neighbours: one device more, one fewer, or one swapped for another.
                var inside = usable.Where(i => (mask & (1UL << i)) != 0).ToArray();
                var outside = usable.Where(i => (mask & (1UL << i)) == 0).ToArray();
                var neighbours = inside.Select(i => mask & ~(1UL << i))
                    .Concat(outside.Select(i => mask | (1UL << i)))
                    .Concat(inside.SelectMany(i => outside.Select(j => (mask & ~(1UL << i)) | (1UL << j))))
                    .Where(m => m != 0)
                    .Select(Evaluate);
                var next = BestOf(neighbours.Append(best));
                if (next is not null && next != best && next.Prediction.TotalSeconds < best.Prediction.TotalSeconds - Epsilon)
                {
                    best = next;
                    improved = true;
                }
            }

            return best;
        }

        private static ulong MaskOf(Candidate candidate) => candidate.Indices.Aggregate(0UL, (mask, i) => mask | (1UL << i));

        private static IEnumerable<int> Members(ulong mask)
        {
            for (var i = 0; mask != 0; i++, mask >>= 1)
            {
                if ((mask & 1) != 0)
                {
                    yield return i;
                }
            }
        }

        private static Candidate? BestOf(IEnumerable<Candidate?> candidates)
        {
            Candidate? best = null;
            foreach (var candidate in candidates)
            {
                if (candidate is null)
                {
                    continue;
                }

                if (best is null
                    || candidate.Prediction.TotalSeconds < best.Prediction.TotalSeconds - Epsilon
                    || (Math.Abs(candidate.Prediction.TotalSeconds - best.Prediction.TotalSeconds) <= Epsilon && candidate.Indices.Length < best.Indices.Length))
                {
                    best = candidate;
                }
            }

            return best;
        }

        /// <summary>The best split of the subset <paramref name="mask"/>, or null when it cannot hold the model.</summary>
        private Candidate? Evaluate(ulong mask)
        {
            if (_planned.TryGetValue(mask, out var known))
            {
                return known;
            }

            var indices = Members(mask).ToArray();
            var result = indices.Length == 1 ? Single(indices[0]) : Split(indices);
            _planned[mask] = result;
            return result;
        }

        private Candidate? Single(int device)
        {
            var plan = ParallelPlan.Local(_config, _sequence);
            return Best([device], [plan]);
        }

        private Candidate? Split(int[] indices)
        {
            if (indices.Any(i => _available[i] < 0) || indices.Sum(i => _available[i]) < LayerBytes)
            {
                return null;
            }

            var mode = _options.Strategy == PlanStrategy.PlannedMegatron ? ParallelMode.MegatronTensor : ParallelMode.Hybrid;

            // Devices sharing a host's cores are slower together than alone: size their shares to that.
            var slowdown = CostModel.Slowdowns(_cluster, indices);
            var heads = AssignHeads(indices, [.. indices.Select((i, d) => _perHead[i] * slowdown[d])]);
            if (heads is null)
            {
                return null;
            }

            var columns = AssignColumns(indices, heads, [.. indices.Select((i, d) => _perColumn[i] * slowdown[d])]);
            if (columns is null)
            {
                return null;
            }

            var speeds = Speeds(indices);
            var even = ProportionalSplit.Split(_sequence, [.. speeds.Select(_ => 1.0)]);
            var bySpeed = ProportionalSplit.Split(_sequence, speeds);
            var plans = new List<ParallelPlan>
            {
                Make(mode, heads, columns, even),
                Make(mode, heads, columns, bySpeed),

                // The subset's own even split too, so a subset is planned the same whichever devices are around it
                // (adding a device to the cluster then never loses a plan the smaller cluster had).
                ParallelPlan.Uniform(mode, indices.Length, _config, _sequence, _options.Overlap),
            };
            return Best(indices, plans);
        }

        private ParallelPlan Make(ParallelMode mode, int[] heads, int[] columns, int[] rows) =>
            new(mode, [.. heads.Select((h, d) => new DeviceShare(h, columns[d], rows[d]))], _options.Overlap);

        /// <summary>Predicts every plan with each allowed exchange and keeps the fastest that fits, or null when none fits.</summary>
        private Candidate? Best(int[] indices, IEnumerable<ParallelPlan> plans)
        {
            Candidate? best = null;
            var exchanges = indices.Length == 1
                ? [CollectiveAlgorithm.Ring]
                : _options.Exchange is { } fixedExchange ? [fixedExchange] : new[] { CollectiveAlgorithm.Direct, CollectiveAlgorithm.Ring };
            foreach (var plan in plans)
            {
                foreach (var exchange in exchanges)
                {
                    var withExchange = plan with { Exchange = exchange };
                    var prediction = CostModel.Predict(_config, _sequence, _cluster, indices, withExchange, _options);
                    if (!prediction.Fits)
                    {
                        continue;
                    }

                    if (best is null || prediction.TotalSeconds < best.Prediction.TotalSeconds - Epsilon)
                    {
                        best = new Candidate(indices, withExchange, prediction);
                    }
                }
            }

            return best;
        }

        private Candidate? Uniform(ParallelMode mode) => Uniform(mode, [.. Enumerable.Range(0, _n)]);

        /// <summary>The even split of everything over <paramref name="indices"/>, with each allowed exchange; null when it does not fit.</summary>
        private Candidate? Uniform(ParallelMode mode, int[] indices)
        {
            var plan = ParallelPlan.Uniform(mode, indices.Length, _config, _sequence, _options.Overlap);
            return Best(indices, [plan]);
        }

        private Candidate? SequenceParallel()
        {
            var whole = MemoryModel.Estimate(_config, ParallelMode.Sequence, new DeviceShare(_config.Heads, _config.IntermediateSize, _sequence), _sequence, _options).Total;
            var holders = Enumerable.Range(0, _n).Where(i => _cluster.Devices[i].MemoryBudgetBytes >= whole).ToArray();
            if (holders.Length == 0)
            {
                return null;
            }

            var rows = ProportionalSplit.Split(_sequence, [.. holders.Select(i => _speed[i])]);
            var plan = new ParallelPlan(ParallelMode.Sequence, [.. rows.Select(r => new DeviceShare(_config.Heads, _config.IntermediateSize, r))], _options.Overlap);
            return Best(holders, [plan]);
        }

        /// <summary>
        /// Heads by an exact min–max DP (fewest heads → slowest attention block): best[k][u] = the least possible
        /// slowest time of the first k devices holding u heads, within each device's memory cap.
        /// </summary>
        private int[]? AssignHeads(int[] indices, double[] perHeadSeconds)
        {
            var total = _config.Heads;
            var caps = HeadCaps(indices);
            if (caps.Sum() < total)
            {
                return null;
            }

            var k = indices.Length;
            var best = new double[k + 1, total + 1];
            var choice = new int[k + 1, total + 1];
            for (var u = 1; u <= total; u++)
            {
                best[0, u] = double.PositiveInfinity;
            }

            for (var d = 1; d <= k; d++)
            {
                var perHead = perHeadSeconds[d - 1];
                for (var u = 0; u <= total; u++)
                {
                    var value = double.PositiveInfinity;
                    var chosen = -1;
                    for (var h = 0; h <= Math.Min(caps[d - 1], u); h++)
                    {
                        var candidate = Math.Max(best[d - 1, u - h], h * perHead);
                        if (candidate < value - Epsilon)
                        {
                            value = candidate;
                            chosen = h;
                        }
                    }

                    best[d, u] = value;
                    choice[d, u] = chosen;
                }
            }

            if (double.IsPositiveInfinity(best[k, total]))
            {
                return null;
            }

            var heads = new int[k];
            for (int d = k, u = total; d >= 1; d--)
            {
                heads[d - 1] = choice[d, u];
                u -= heads[d - 1];
            }

            return heads;
        }

        /// <summary>
        /// Per device the most heads its memory allows next to its water-filled share of the columns; when rounding
        /// leaves too few, the most heads its whole budget holds (the columns then go elsewhere).
        /// </summary>
        private int[] HeadCaps(int[] indices)
        {
            var fractions = WaterFill([.. indices.Select(i => _speed[i])], [.. indices.Select(i => _available[i] / LayerBytes)]);
            var caps = new int[indices.Length];
            for (var d = 0; d < indices.Length; d++)
            {
                var left = _available[indices[d]] - (fractions[d] * _config.IntermediateSize * _columnBytes);
                caps[d] = (int)Math.Clamp(Math.Floor((left / _headBytes) + 1e-9), 0, _config.Heads);
            }

            if (caps.Sum() < _config.Heads)
            {
                for (var d = 0; d < indices.Length; d++)
                {
                    caps[d] = (int)Math.Clamp(Math.Floor((_available[indices[d]] / _headBytes) + 1e-9), 0, _config.Heads);
                }
            }

            return caps;
        }

        /// <summary>
        /// Water-filling: fractions proportional to <paramref name="weights"/>; any above its cap is set to the cap and
        /// the remainder spread over the uncapped in proportion, until none exceeds its cap. Σ = 1 when Σ caps ≥ 1.
        /// </summary>
        internal static double[] WaterFill(double[] weights, double[] caps)
        {
            var fractions = new double[weights.Length];
            var capped = new bool[weights.Length];
            var left = 1.0;
            while (true)
            {
                var weight = 0.0;
                for (var d = 0; d < weights.Length; d++)
                {
                    if (!capped[d])
                    {
                        weight += weights[d];
                    }
                }

                if (weight <= 0 || left <= 0)
                {
                    return fractions;
                }

                var changed = false;
                for (var d = 0; d < weights.Length; d++)
                {
                    if (!capped[d] && left * weights[d] / weight > caps[d])
                    {
                        fractions[d] = Math.Max(0, caps[d]);
                        capped[d] = true;
                        changed = true;
                    }
                }

                if (!changed)
                {
                    for (var d = 0; d < weights.Length; d++)
                    {
                        if (!capped[d])
                        {
                            fractions[d] = left * weights[d] / weight;
                        }
                    }

                    return fractions;
                }

                left = 1.0 - fractions.Where((_, d) => capped[d]).Sum();
            }
        }

        /// <summary>
        /// MLP columns in units of the granularity, each to the device whose MLP time after taking it is least (and whose
        /// memory has room); the F mod g columns left go the same way as one smaller unit.
        /// </summary>
        private int[]? AssignColumns(int[] indices, int[] heads, double[] perColumnSeconds)
        {
            var k = indices.Length;
            var caps = new long[k];
            for (var d = 0; d < k; d++)
            {
                caps[d] = (long)Math.Floor(((_available[indices[d]] - (heads[d] * _headBytes)) / _columnBytes) + 1e-9);
            }

            var columns = new int[k];
            var unit = _options.ColumnGranularity;
            var units = _config.IntermediateSize / unit;
            var remainder = _config.IntermediateSize % unit;
            for (var step = 0; step < units + (remainder > 0 ? 1 : 0); step++)
            {
                var size = step < units ? unit : remainder;
                var target = -1;
                var targetTime = double.PositiveInfinity;
                for (var d = 0; d < k; d++)
                {
                    if (columns[d] + size > caps[d])
                    {
                        continue;
                    }

                    var time = (columns[d] + size) * perColumnSeconds[d];
                    if (time < targetTime - Epsilon)
                    {
                        target = d;
                        targetTime = time;
                    }
                }

                if (target < 0)
                {
                    return null;
                }

                columns[target] += size;
            }

            return columns;
        }

        private PlannedSplit Finish(Candidate? chosen)
        {
            if (chosen is null)
            {
                throw NotFitting();
            }

            var used = chosen.Indices.ToHashSet();
            var excluded = new List<ExcludedDevice>();
            for (var i = 0; i < _n; i++)
            {
                if (!used.Contains(i))
                {
                    excluded.Add(new ExcludedDevice(_cluster.Devices[i].Name, WhyLeftOut(i, chosen)));
                }
            }

            return new PlannedSplit(_sequence, [.. chosen.Indices.Select(i => _cluster.Devices[i].Name)], chosen.Plan, chosen.Prediction, excluded)
            {
                Strategy = _options.Strategy,
                CandidatesEvaluated = _planned.Count,
            };
        }

        private string WhyLeftOut(int device, Candidate chosen)
        {
            var spec = _cluster.Devices[device];
            if (_available[device] < 0)
            {
                return Format(
                    $"memory: its budget {Bytes(spec.MemoryBudgetBytes)} is below what any share needs, {Bytes(_fixedBytes)} (tables every device keeps {Bytes(MemoryModel.SharedWeightBytes(_config, _options))}, activations, runtime {Bytes(_options.RuntimeOverheadBytes)})");
            }

            if (_options.Strategy is PlanStrategy.Local)
            {
                return Format($"local plan: one device only (alone it would take {Evaluate(1UL << device)?.Prediction.TotalSeconds * 1000 ?? double.NaN:F1} ms)");
            }

            if (_options.Strategy is PlanStrategy.Sequence)
            {
                return Format($"memory: sequence parallelism needs the whole model on every device, more than its budget {Bytes(spec.MemoryBudgetBytes)}");
            }

            var with = Evaluate(MaskOf(chosen) | (1UL << device));
            var slowest = chosen.Indices.Select(i => _cluster.Link(device, i)).MinBy(l => l.BytesPerSecond)!;
            var links = Format($"its slowest link to them {slowest.BytesPerSecond * 8 / 1e6:G3} Mbit/s + {slowest.LatencySeconds * 1000:G3} ms");
            var alone = Format($"a layer alone takes it {1000 / _speed[device]:F1} ms vs {chosen.Indices.Min(i => 1000 / _speed[i]):F1} ms on the fastest device used");
            var host = SharedHost(device, chosen);
            if (with is null)
            {
                return Format($"adding it gives no split that fits ({alone}; {links}{host})");
            }

            return Format($"slower with it: {with.Prediction.TotalSeconds * 1000:F1} ms vs {chosen.Prediction.TotalSeconds * 1000:F1} ms without ({alone}; {links}{host})");
        }

        /// <summary>"; it shares host h's P CPUs with a, b: …" when the device would share a host's cores with chosen devices, else "".</summary>
        private string SharedHost(int device, Candidate chosen)
        {
            var spec = _cluster.Devices[device];
            if (spec.Host is null || _cluster.HostProcessorCount(device, [.. chosen.Indices, device]) is not { } processors)
            {
                return "";
            }

            var mates = chosen.Indices.Where(i => _cluster.Devices[i].Host == spec.Host).ToArray();
            if (mates.Length == 0)
            {
                return "";
            }

            var before = mates.Sum(i => _cluster.Devices[i].CoreDemand(processors));
            var after = before + spec.CoreDemand(processors);
            var names = string.Join(", ", mates.Select(i => _cluster.Devices[i].Name));
            return after > processors
                ? Format($"; it shares host {spec.Host}'s {processors} CPU{(processors == 1 ? "" : "s")} with {names}: together they would ask {after:G3} cores, so each would compute {after / Math.Max(before, processors):G3}× slower than now")
                : Format($"; it shares host {spec.Host}'s {processors} CPU{(processors == 1 ? "" : "s")} with {names}, within them ({after:G3} cores asked)");
        }

        private PlanDoesNotFitException NotFitting()
        {
            var budget = _cluster.Devices.Sum(d => d.MemoryBudgetBytes);
            var whole = MemoryModel.ModelBytes(_config, _options);
            var layers = (long)LayerBytes;
            var message = _options.Strategy switch
            {
                PlanStrategy.Local or PlanStrategy.Sequence => Format(
                    $"No device can hold the whole model ({Bytes(whole)} of weights, {Bytes(_fixedBytes + layers)} with activations and runtime at {_sequence} rows); the largest budget is {Bytes(_cluster.Devices.Max(d => d.MemoryBudgetBytes))}."),
                _ => Format(
                    $"The model does not fit these devices: its layers need {Bytes(layers)} in all, plus {Bytes(_fixedBytes)} on every device used (tables {Bytes(MemoryModel.SharedWeightBytes(_config, _options))}, activations at {_sequence} rows, runtime {Bytes(_options.RuntimeOverheadBytes)}); the {_n} device budgets add up to {Bytes(budget)} and leave {Bytes((long)_available.Where(a => a > 0).Sum())} after the per-device part ({string.Join(", ", _cluster.Devices.Select(d => $"{d.Name} {Bytes(d.MemoryBudgetBytes)}"))})."),
            };
            return new PlanDoesNotFitException(message) { NeededBytes = layers + _fixedBytes, AvailableBytes = budget };
        }

        private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        private static string Bytes(double bytes) => bytes switch
        {
            >= 1L << 30 => Format($"{bytes / (1L << 30):F2} GiB"),
            >= 1L << 20 => Format($"{bytes / (1L << 20):F1} MiB"),
            _ => Format($"{bytes / 1024:F0} KiB"),
        };

        private sealed record Candidate(int[] Indices, ParallelPlan Plan, Prediction Prediction);
    }
}
