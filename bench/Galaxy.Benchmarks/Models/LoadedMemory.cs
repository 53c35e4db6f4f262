namespace Galaxy.Benchmarks.Models;

/// <summary>
/// What loading a model added to a fresh process, in bytes (after minus before, see <see cref="LoadedMemoryProbe"/>).
/// </summary>
/// <param name="Side">Who loaded it: <c>galaxy</c> (<c>LocalModel.Load</c>) or <c>onnxruntime</c> (an <c>InferenceSession</c>).</param>
/// <param name="WeightBytes">Galaxy's <c>TransformerWeights.ByteCount</c>: the fp32 weights held (0 on the ORT side, which does not report it).</param>
/// <param name="PrivateBytes">Growth of resident private memory (RssAnon) once loaded, the weight file unmapped and a full GC done.</param>
/// <param name="MappedFileBytes">Growth of resident mapped-file pages (RssFile) at that point: about 0 when the weight file is unmapped.</param>
/// <param name="ManagedBytes">Growth of the managed heap (GC.GetTotalMemory after a full collection).</param>
/// <param name="PinnedHeapBytes">Growth of the pinned object heap (Galaxy's packed GEMM weights live there).</param>
/// <param name="GcCommittedBytes">Growth of the memory the GC has committed (live objects plus free space it keeps for reuse).</param>
/// <param name="PeakPrivateBytes">Largest RssAnon during the load minus RssAnon before, sampled about every millisecond.</param>
/// <param name="PeakResidentBytes">Largest VmRSS during the load (VmHWM, reset before it) minus VmRSS before: includes the mapped file's pages; −1 when the peak could not be reset.</param>
public sealed record LoadedMemory(
    string Side,
    long WeightBytes,
    long PrivateBytes,
    long MappedFileBytes,
    long ManagedBytes,
    long PinnedHeapBytes,
    long GcCommittedBytes,
    long PeakPrivateBytes,
    long PeakResidentBytes);
