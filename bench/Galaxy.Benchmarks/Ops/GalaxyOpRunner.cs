namespace Galaxy.Benchmarks.Ops;

/// <summary>Galaxy's side of an <see cref="OpCase"/>: one call of a kernel on inputs and an output allocated once.</summary>
/// <param name="output">The array <paramref name="run"/> writes.</param>
/// <param name="run">The kernel call; captures its inputs, so invoking it allocates nothing.</param>
public sealed class GalaxyOpRunner(float[] output, Action run) : IKernelRunner
{
    public string Name => "galaxy";

    public ReadOnlySpan<float> Output => output;

    public void Run() => run();

    /// <summary>Nothing to release: the buffers are managed and any pool belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
