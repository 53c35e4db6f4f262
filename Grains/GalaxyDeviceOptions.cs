namespace Galaxy.Grains;

/// <summary>What a silo knows about the device it runs on.</summary>
public sealed class GalaxyDeviceOptions
{
    /// <summary>The device's name (also the silo's <c>galaxy.device</c> metadata).</summary>
    public string Device { get; set; } = "";

    /// <summary>
    /// The device's local model directory: model id "minilm" is prepared under <c>{ModelsDirectory}/minilm</c>
    /// from the MiniLM package beside the program; any other id is the Hugging Face directory <c>{ModelsDirectory}/{id}</c>.
    /// </summary>
    public string ModelsDirectory { get; set; } = "models";

    /// <summary>Compute threads for this device's kernels.</summary>
    public int KernelThreads { get; set; } = 1;

    /// <summary>Memory this device may use for weights and activations, in bytes (configured or detected by the silo); 0 = not known.</summary>
    public long MemoryBudgetBytes { get; set; }

    /// <summary>How long a shard waits for a request's tiles before it gives the request up.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
