using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>The session options the anchor runs with: ORT at its own best settings for back-to-back calls.</summary>
public static class OrtSessionSettings
{
    /// <summary>Options for <paramref name="threads"/> intra-op threads (the caller counts as one).</summary>
    public static SessionOptions Create(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };

        // Spinning is ORT's default on servers and its fastest mode for calls that follow each other
        // closely; it is stated here so the anchor does not change if a build flips the default.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        return options;
    }
}
