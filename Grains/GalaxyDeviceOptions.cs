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

    /// <summary>How long a shard waits for a request's tiles before it gives the request up.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Memory the device may use for weights and activations, in bytes; 0 = what the GC reports available to the process.</summary>
    public long MemoryBudgetBytes { get; set; }

    /// <summary>
    /// Time the device's profile may take at silo start, spread over the GEMM and attention shapes of the models it
    /// serves (each shape runs at least twice after a warm-up, so many models can take longer).
    /// </summary>
    public TimeSpan ProfileBudget { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Sequence rows of the GEMMs the profile times (a typical request's length).</summary>
    public int ProfileRows { get; set; } = 128;

    /// <summary>Runs a coordinator on this silo makes of one request before it gives up: the first, then one per re-plan after devices failed.</summary>
    public int RequestAttempts { get; set; } = 3;

    /// <summary>
    /// Whether a coordinator on this silo gives every live device a share (true) instead of letting the planner leave out
    /// devices that would make a request slower (false, default). The demo and the tests that watch every device's part
    /// set it; a share is still sized to the device.
    /// </summary>
    public bool PlanOnAllDevices { get; set; }

    /// <summary>Weight slices of one model a device keeps loaded (least recently used go first).</summary>
    public int SlicesPerModel { get; set; } = 4;

    /// <summary>How this silo's shards send tiles to their peers (<see cref="Grains.TileTransport"/>); every silo accepts both.</summary>
    public TileTransport TileTransport { get; set; } = TileTransport.Sockets;

    /// <summary>The TCP port of this silo's <see cref="TileSocketHub"/> on the silo's address; 0 = any free port (peers learn it from the device agent).</summary>
    public int TilePort { get; set; }
}
