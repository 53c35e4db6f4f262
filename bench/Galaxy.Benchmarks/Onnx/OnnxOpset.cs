namespace Galaxy.Benchmarks.Onnx;

/// <summary>An operator set the model imports (onnx.proto's OperatorSetIdProto).</summary>
/// <param name="Domain">Empty for the default ONNX domain (<c>ai.onnx</c>), else e.g. <c>com.microsoft</c>.</param>
/// <param name="Version">The operator set version, e.g. 13.</param>
public sealed record OnnxOpset(string Domain, long Version)
{
    /// <summary>The domain of ONNX Runtime's contrib operators.</summary>
    public const string MicrosoftDomain = "com.microsoft";
}
