using System.Text.Json;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// Where ONNX Runtime's time goes in a model, from its own profiler: the kernel time of every node, summed per
/// operator type within each run, then the median over runs. Nodes that work on per-head (rank-4) tensors are
/// counted apart, as "(in attention)", so attention's MatMuls are not mixed up with the projections. Runs with profiling on are a little slower than
/// without, so the split is for attribution, not for the headline ratio.
/// </summary>
public static class OrtOperatorProfile
{
    /// <summary>Profiles <paramref name="runs"/> runs after <paramref name="warmUpRuns"/> unrecorded ones.</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="tokenIds">One sequence of ids.</param>
    /// <param name="threads">Intra-op threads, the caller included.</param>
    /// <param name="warmUpRuns">Runs whose events are dropped.</param>
    /// <param name="runs">Runs whose events are kept.</param>
    /// <returns>Median milliseconds per run for each operator type, and the median of the whole run (ORT's <c>model_run</c> event).</returns>
    public static (IReadOnlyDictionary<string, double> OperatorMilliseconds, double RunMilliseconds) Measure(
        string onnxPath, int[] tokenIds, int threads, int warmUpRuns, int runs)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"galaxy-ort-profile-{Guid.NewGuid():N}");
        string trace;
        using (var runner = new OrtEncoderRunner(onnxPath, tokenIds, threads, options =>
        {
            // The prefix is read when profiling is switched on, so it must be set first.
            options.ProfileOutputPathPrefix = prefix;
            options.EnableProfiling = true;
        }))
        {
            for (var i = 0; i < warmUpRuns + runs; i++)
            {
                runner.Run();
            }

            trace = runner.EndProfiling();
        }

        try
        {
            using var stream = File.OpenRead(trace);
            using var document = JsonDocument.Parse(stream);
            return Summarize(document.RootElement, warmUpRuns);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    private static (IReadOnlyDictionary<string, double>, double) Summarize(JsonElement events, int warmUpRuns)
    {
        // A run is the span of a model_run event; node kernel times are attributed to the run that contains them.
        var runSpans = events.EnumerateArray()
            .Where(e => e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), End: e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64()))
            .OrderBy(span => span.Start)
            .Skip(warmUpRuns)
            .ToList();
        if (runSpans.Count == 0)
        {
            throw new InvalidDataException("ONNX Runtime's profile has no model_run event after the warm-up runs.");
        }

        var perRun = runSpans.Select(_ => new Dictionary<string, double>(StringComparer.Ordinal)).ToList();
        foreach (var e in events.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node"
                || e.GetProperty("name").GetString() is not { } name || !name.EndsWith("_kernel_time", StringComparison.Ordinal)
                || !e.TryGetProperty("args", out var args) || !args.TryGetProperty("op_name", out var opName))
            {
                continue;
            }

            var start = e.GetProperty("ts").GetInt64();
            var run = runSpans.FindIndex(span => span.Start <= start && start < span.End);
            if (run >= 0)
            {
                var op = (opName.GetString() ?? "?") + (ReadsPerHeadTensor(args) ? " (in attention)" : string.Empty);
                perRun[run][op] = perRun[run].GetValueOrDefault(op) + (e.GetProperty("dur").GetInt64() / 1e3);
            }
        }

        var operators = perRun.SelectMany(run => run.Keys).Distinct(StringComparer.Ordinal)
            .ToDictionary(op => op, op => MedianOf(perRun.Select(run => run.GetValueOrDefault(op))), StringComparer.Ordinal);
        return (operators, MedianOf(runSpans.Select(span => (span.End - span.Start) / 1e3)));
    }

    /// <summary>
    /// True when a node reads a rank-4 tensor, i.e. (batch, heads, rows, ·): the unfused attention's QKᵀ, mask add,
    /// softmax and P·V, as opposed to the projections and element-wise ops on (batch, seq, hidden).
    /// </summary>
    private static bool ReadsPerHeadTensor(JsonElement args) =>
        args.TryGetProperty("input_type_shape", out var inputs)
        && inputs.EnumerateArray().Any(input => input.EnumerateObject().Any(typed => typed.Value.GetArrayLength() == 4));

    private static double MedianOf(IEnumerable<double> values) => Quick.InterleavedSampler.Median([.. values]);
}
