using System.Diagnostics;
using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Grains.Profiling;

/// <summary>
/// Measures a device's speed on the blocks of the models it serves, at those models' shapes, on its kernel
/// threads: the four GEMMs of a layer (<see cref="GemmBlocks"/>, M = a typical request's rows) and attention over
/// all heads at a few sequence lengths. Shapes shared by several models are timed once. Each shape runs once to
/// warm up, then repeatedly until its share of the budget is spent (at least twice); the median counts.
/// </summary>
public static class DeviceProfiler
{
    /// <summary>The sequence lengths attention is timed at: 32, 128 and 512 where the model's positions allow.</summary>
    private static readonly int[] AttentionLengthCandidates = [32, 128, 512];

    // Enough repetitions for a stable median; a budget this generous is only reached by tiny shapes.
    private const int MaxRepetitions = 200;

    /// <summary>The sequence lengths attention is measured at for <paramref name="config"/>, ascending.</summary>
    public static IReadOnlyList<int> AttentionLengths(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var lengths = AttentionLengthCandidates.Where(length => length <= config.MaxPositions).ToArray();
        return lengths.Length > 0 ? lengths : [config.MaxPositions];
    }

    /// <summary>The four GEMMs of one layer of <paramref name="config"/> with M = <paramref name="rows"/>: (block, M, K, N).</summary>
    public static IReadOnlyList<(string Block, int Rows, int Depth, int Columns)> GemmShapes(ModelConfig config, int rows)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hidden = config.HiddenSize;
        var mlp = config.IntermediateSize;
        return
        [
            (GemmBlocks.QueryKeyValue, rows, hidden, 3 * hidden),
            (GemmBlocks.Output, rows, hidden, hidden),
            (GemmBlocks.MlpUp, rows, hidden, mlp),
            (GemmBlocks.MlpDown, rows, mlp, hidden),
        ];
    }

    /// <summary>Measures every model of <paramref name="models"/> within about <paramref name="budget"/>.</summary>
    /// <param name="models">Model ids and configs.</param>
    /// <param name="threads">The device's kernel threads.</param>
    /// <param name="budget">Time to spread over the distinct shapes.</param>
    /// <param name="rows">M of the GEMMs.</param>
    /// <exception cref="ArgumentOutOfRangeException">Rows &lt; 1 or a negative budget.</exception>
    public static IReadOnlyList<ModelThroughput> Measure(IReadOnlyList<(string ModelId, ModelConfig Config)> models, KernelThreads threads, TimeSpan budget, int rows)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, TimeSpan.Zero);
        var gemms = models.SelectMany(m => GemmShapes(m.Config, rows)).Select(s => (s.Rows, s.Depth, s.Columns)).Distinct().ToArray();
        var attentions = models.SelectMany(m => AttentionLengths(m.Config).Select(length => (Length: length, m.Config.Heads, m.Config.HeadDim))).Distinct().ToArray();
        var shapes = gemms.Length + attentions.Length;
        var slot = shapes == 0 ? TimeSpan.Zero : budget / shapes;

        var gemmRates = gemms.ToDictionary(shape => shape, shape => MeasureGemm(shape.Rows, shape.Depth, shape.Columns, threads, slot));
        var attentionRates = attentions.ToDictionary(shape => shape, shape => MeasureAttention(shape.Length, shape.Heads, shape.HeadDim, threads, slot));
        var connectiveRates = models.Select(m => m.Config.HiddenSize).Distinct().ToDictionary(hidden => hidden, hidden => MeasureConnective(rows, hidden, slot / 4));
        return
        [
            .. models.Select(m => new ModelThroughput(
                m.ModelId,
                m.Config.Layers,
                [.. GemmShapes(m.Config, rows).Select(s => new GemmThroughput(s.Block, s.Rows, s.Depth, s.Columns, gemmRates[(s.Rows, s.Depth, s.Columns)]))],
                [.. AttentionLengths(m.Config).Select(length => new AttentionThroughput(length, m.Config.Heads, m.Config.HeadDim, attentionRates[(length, m.Config.Heads, m.Config.HeadDim)]))])
            {
                ConnectiveRowsPerSecond = connectiveRates[m.Config.HiddenSize],
            }),
        ];
    }

    /// <summary>FLOP/s of C (m, n) = A (m, k) · B (k, n) with B packed, on <paramref name="threads"/>.</summary>
    public static double MeasureGemm(int m, int k, int n, KernelThreads threads, TimeSpan slot)
    {
        var a = Filled(m * k, 1);
        var b = PackedMatrix.Pack(Filled(k * n, 2), k, n);
        var c = new float[m * n];
        var seconds = MedianSeconds(() => Sgemm.Multiply(a, b, c, threads: threads), slot);
        return 2.0 * m * k * n / seconds;
    }

    /// <summary>FLOP/s of attention over <paramref name="heads"/> heads of width <paramref name="headDim"/>, S = <paramref name="length"/> queries and keys.</summary>
    public static double MeasureAttention(int length, int heads, int headDim, KernelThreads threads, TimeSpan slot)
    {
        var width = heads * headDim;
        var query = Filled(length * width, 3);
        var key = Filled(length * width, 4);
        var value = Filled(length * width, 5);
        var output = new float[length * width];
        var shape = new AttentionShape(length, length, heads, headDim);
        var seconds = MedianSeconds(() => Attention.Apply(query, key, value, output, shape, threads: threads), slot);
        return 4.0 * length * length * width / seconds;
    }

    /// <summary>Rows per second of the connective block on (<paramref name="rows"/>, <paramref name="hidden"/>): x ← LayerNorm(x + sum + b), one thread.</summary>
    public static double MeasureConnective(int rows, int hidden, TimeSpan slot)
    {
        var x = Filled(rows * hidden, 6);
        var sum = Filled(rows * hidden, 7);
        var bias = Filled(hidden, 8);
        var gamma = Filled(hidden, 9);
        var beta = Filled(hidden, 10);
        var seconds = MedianSeconds(
            () =>
            {
                Residual.Add(x, sum, x);
                Bias.Add(x, bias, x);
                LayerNorm.Apply(x, gamma, beta, x, 1e-5f);
            },
            slot);
        return rows / seconds;
    }

    private static double MedianSeconds(Action run, TimeSpan slot)
    {
        run();
        var times = new List<double>();
        var started = Stopwatch.GetTimestamp();
        while (times.Count < 2 || (Stopwatch.GetElapsedTime(started) < slot && times.Count < MaxRepetitions))
        {
            var one = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(one).TotalSeconds);
        }

        times.Sort();
        var median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;

        // A timer tick is the floor: a shape too small to time still gets a finite speed.
        return Math.Max(median, 1.0 / Stopwatch.Frequency);
    }

    private static float[] Filled(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle() - 0.5f;
        }

        return values;
    }
}
