using System.Text.RegularExpressions;
using Galaxy.Grains;
using Galaxy.Kernels.Model;
using Galaxy.Silo;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// Reads an evaluation setup from YAML or JSON (JSON is read as YAML), snake_case keys:
/// <code>
/// name: heterogeneous
/// description: four boards, shares 25–100 %, mixed links
/// devices:
///   - { name: nano, cpu: 25%, link: 100mbit, delay: 2ms, memory: 2GiB }
/// device_counts: [1, 2, 3, 4]      # optional: a scalability sweep over the first k devices
/// models: [bert-large]             # default grid (the command line overrides each key)
/// seq: [128, 256]
/// modes: [local, megatron, sp, galaxy-no-overlap, galaxy]
/// bandwidths: [100mbit, 1gbit]     # optional: every device's link in turn; default each device's own
/// runs: 5
/// warmup: 1
/// </code>
/// Unknown keys, bad values and impossible combinations are refused with the file name and what is wrong.
/// </summary>
public static partial class EvaluationSetupReader
{
    /// <summary>Devices a setup may have.</summary>
    public const int MaxDevices = 8;

    /// <summary>Reads and checks the setup in <paramref name="path"/>.</summary>
    /// <param name="path">A .yaml, .yml or .json file.</param>
    /// <param name="cores">The machine's cores, for the CPU-share limit (default: this machine's).</param>
    /// <exception cref="EvaluationSetupException">The file is missing, unreadable, or not a usable setup.</exception>
    public static EvaluationSetup Read(string path, int? cores = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvaluationSetupException($"setup '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(text, path, cores ?? Environment.ProcessorCount);
    }

    /// <summary>Parses and checks a setup given as text; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="EvaluationSetupException">Not a usable setup.</exception>
    public static EvaluationSetup Parse(string text, string source, int cores)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        SetupFile? file;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            file = deserializer.Deserialize<SetupFile?>(text);
        }
        catch (YamlException e)
        {
            var why = e.InnerException?.Message ?? e.Message;
            throw new EvaluationSetupException($"setup '{source}' line {e.Start.Line}: {why}", e);
        }

        if (file is null)
        {
            throw new EvaluationSetupException($"setup '{source}' is empty.");
        }

        return Check(file, source, cores);
    }

    private static EvaluationSetup Check(SetupFile file, string source, int cores)
    {
        EvaluationSetupException Bad(string what) => new($"setup '{source}': {what}");

        if (string.IsNullOrWhiteSpace(file.Name) || !NamePattern().IsMatch(file.Name))
        {
            throw Bad($"name must be 1-40 letters, digits, '_' or '-', got '{file.Name}'.");
        }

        if (file.Devices is null || file.Devices.Count == 0)
        {
            throw Bad("devices is missing or empty; list at least one { name, cpu, link }.");
        }

        if (file.Devices.Count > MaxDevices)
        {
            throw Bad($"at most {MaxDevices} devices, got {file.Devices.Count}.");
        }

        var devices = new List<SetupDevice>();
        foreach (var device in file.Devices)
        {
            devices.Add(CheckDevice(device, devices, Bad));
        }

        var cpu = devices.Sum(d => d.CpuPercent);
        if (cpu > 150.0 * cores)
        {
            throw Bad($"the CPU shares sum to {cpu:0.#}% of one core, over 150% of this machine ({cores} cores = {cores * 100}%).");
        }

        var counts = file.DeviceCounts ?? [];
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] < 1 || counts[i] > devices.Count || (i > 0 && counts[i] <= counts[i - 1]))
            {
                throw Bad($"device_counts must rise from 1 to the {devices.Count} devices, got [{string.Join(", ", counts)}].");
            }
        }

        var grid = ReadGrid(file.Models, file.Seq, file.Modes, file.Bandwidths, file.Runs, file.Warmup, Bad);
        return new EvaluationSetup(file.Name, file.Description ?? string.Empty, devices, [.. counts], grid);
    }

    /// <summary>Checks grid values, from a setup file or the command line; a null list or number takes the default.</summary>
    /// <exception cref="EvaluationSetupException">A value is unusable (through <paramref name="bad"/>).</exception>
    internal static EvaluationGrid ReadGrid(
        IReadOnlyList<string>? models,
        IReadOnlyList<int>? sequenceLengths,
        IReadOnlyList<string>? modes,
        IReadOnlyList<string>? bandwidths,
        int? runs,
        int? warmup,
        Func<string, Exception> bad)
    {
        var modelNames = models is { Count: > 0 } ? models : ["bert-large"];
        var configs = new List<ModelConfig>();
        foreach (var model in modelNames)
        {
            try
            {
                configs.Add(ModelPresets.Get(model));
            }
            catch (ArgumentException)
            {
                throw bad($"unknown model '{model}'; the synthetic models are {string.Join(", ", ModelPresets.Names)}.");
            }
        }

        var lengths = sequenceLengths is { Count: > 0 } ? sequenceLengths : [128];
        foreach (var length in lengths)
        {
            var shortest = configs.Min(c => c.MaxPositions);
            if (length < 1 || length > shortest)
            {
                throw bad($"sequence length {length} must be 1-{shortest} (the models' positions).");
            }
        }

        IReadOnlyList<EvaluationMode> parsedModes;
        try
        {
            parsedModes = modes is { Count: > 0 } ? [.. modes.Select(ModeNames.Parse).Distinct()] : ModeNames.All;
        }
        catch (ArgumentException e)
        {
            throw bad(e.Message.Replace($" (Parameter 'name')", string.Empty, StringComparison.Ordinal));
        }

        foreach (var rate in bandwidths ?? [])
        {
            if (rate != EvaluationGrid.SetupLinks && !TestbedUnits.TryParseRate(rate, out _))
            {
                throw bad($"bandwidth '{rate}' is not a link rate like 100mbit or 1gbit (100kbit-100gbit), or '{EvaluationGrid.SetupLinks}' for each device's own link.");
            }
        }

        if (bandwidths is not null && bandwidths.Distinct().Count() != bandwidths.Count)
        {
            throw bad($"bandwidths lists a rate twice: [{string.Join(", ", bandwidths)}].");
        }

        var runCount = runs ?? 3;
        if (runCount is < 1 or > 100)
        {
            throw bad($"runs must be 1-100, got {runCount}.");
        }

        var warmupCount = warmup ?? 1;
        if (warmupCount is < 0 or > 10)
        {
            throw bad($"warmup must be 0-10, got {warmupCount}.");
        }

        return new EvaluationGrid([.. modelNames.Select(m => m.ToLowerInvariant())], [.. lengths], parsedModes, [.. (bandwidths ?? []).Select(b => b.ToLowerInvariant())], runCount, warmupCount);
    }

    private static SetupDevice CheckDevice(DeviceEntry entry, List<SetupDevice> earlier, Func<string, EvaluationSetupException> bad)
    {
        var name = entry.Name ?? string.Empty;
        if (!DeviceNamePattern().IsMatch(name) || name is "client" or "sw")
        {
            throw bad($"device name '{name}' must be 1-20 letters, digits, '_' or '-' and not 'client' or 'sw'.");
        }

        if (earlier.Any(d => d.Name == name))
        {
            throw bad($"device '{name}' is listed twice.");
        }

        if (!TestbedUnits.TryParseCpu(entry.Cpu, out var cpu))
        {
            throw bad($"device '{name}': cpu '{entry.Cpu}' is not a share like 30% (of one core, at least 1%).");
        }

        if (!TestbedUnits.TryParseRate(entry.Link, out var bits))
        {
            throw bad($"device '{name}': link '{entry.Link}' is not a rate like 100mbit or 1gbit (100kbit-100gbit).");
        }

        var delay = string.IsNullOrWhiteSpace(entry.Delay) ? "0" : entry.Delay.Trim();
        if (!TestbedUnits.TryParseDelay(delay, out _))
        {
            throw bad($"device '{name}': delay '{entry.Delay}' is not like 2ms, 500us or 0 (at most 1 s).");
        }

        long? budget = null;
        if (entry.Memory is not null)
        {
            if (!ByteSize.TryParse(entry.Memory, out var bytes) || bytes < 64L << 20)
            {
                throw bad($"device '{name}': memory '{entry.Memory}' is not a size of at least 64MiB (e.g. 2GiB).");
            }

            budget = bytes;
        }

        return new SetupDevice(name, cpu, entry.Link!.Trim().ToLowerInvariant(), bits, delay.ToLowerInvariant(), budget);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceNamePattern();

    // The file's shape for YamlDotNet (snake_case keys; an unknown key is an error).
    private sealed class SetupFile
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public List<DeviceEntry>? Devices { get; set; }

        public List<int>? DeviceCounts { get; set; }

        public List<string>? Models { get; set; }

        public List<int>? Seq { get; set; }

        public List<string>? Modes { get; set; }

        public List<string>? Bandwidths { get; set; }

        public int? Runs { get; set; }

        public int? Warmup { get; set; }
    }

    private sealed class DeviceEntry
    {
        public string? Name { get; set; }

        public string? Cpu { get; set; }

        public string? Link { get; set; }

        public string? Delay { get; set; }

        public string? Memory { get; set; }
    }
}
