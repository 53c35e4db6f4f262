using System.Globalization;
using System.Text.Json;
using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Planning;

/// <summary>
/// Reads a profiles file: devices described by their rates, memory and network (measured, or taken from a board's
/// published specs), so plans can be made offline (<c>galaxy plan --profiles file.json</c>). The format is in
/// docs/planner.md; in short:
/// <code>
/// { "devices": [ { "name": "pi5", "memory_budget": "6 GiB", "gemm_gflops": 30,
///                  "attention_gflops": { "32": 6, "128": 10, "512": 12 }, "connective_rows_per_second": 400000,
///                  "link": { "mbit_per_second": 1000, "latency_ms": 0.3 },
///                  "host": "rack-1", "host_cpus": 4, "cpu_quota": 0.5, "threads": 1,
///                  "models": { "bert-large": { "gemm_gflops": 28 } } } ],
///   "links": [ { "from": "pi5", "to": "nano", "mbit_per_second": 100, "latency_ms": 2, "both_ways": true } ],
///   "default_link": { "mbit_per_second": 1000, "latency_ms": 0.5 } }
/// </code>
/// </summary>
public static class ProfileFile
{
    private static readonly string[] DeviceKeys =
        ["name", "description", "source", "memory_budget", "gemm_gflops", "gemm_gflops_by_block", "attention_gflops", "connective_rows_per_second", "link", "models", "host", "host_cpus", "cpu_quota", "threads"];

    private static readonly string[] RateKeys = ["gemm_gflops", "gemm_gflops_by_block", "attention_gflops", "connective_rows_per_second"];

    /// <summary>Reads <paramref name="path"/> as the devices' specs for <paramref name="modelId"/> (per-model rates override the device's defaults).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid profiles file; the message names the file, the device and the field.</exception>
    public static PlanningCluster Load(string path, string modelId, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No profiles file at '{path}'.", path);
        }

        try
        {
            return Parse(File.ReadAllText(path), modelId, config);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses the text of a profiles file (see <see cref="Load"/>).</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, an unknown or missing field, a bad value; the message says which.</exception>
    public static PlanningCluster Parse(string json, string modelId, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(config);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("a profiles file is a JSON object with a \"devices\" array.");
            }

            CheckKeys(root, ["devices", "links", "default_link", "description"], "the file");
            if (!root.TryGetProperty("devices", out var devicesElement) || devicesElement.ValueKind != JsonValueKind.Array || devicesElement.GetArrayLength() == 0)
            {
                throw new InvalidDataException("\"devices\" must be a non-empty array of devices.");
            }

            var devices = new List<DeviceSpec>();
            var index = 0;
            foreach (var element in devicesElement.EnumerateArray())
            {
                devices.Add(ReadDevice(element, index++, modelId, config));
            }

            var duplicate = devices.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidDataException($"device \"{duplicate.Key}\" is listed {duplicate.Count()} times.");
            }

            CheckHosts(devices);

            var links = new List<KeyValuePair<(string, string), LinkSpec>>();
            if (root.TryGetProperty("links", out var linksElement))
            {
                if (linksElement.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDataException("\"links\" must be an array.");
                }

                var names = devices.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var link in linksElement.EnumerateArray())
                {
                    CheckKeys(link, ["from", "to", "mbit_per_second", "latency_ms", "both_ways"], "a link");
                    var from = String(link, "from", "a link");
                    var to = String(link, "to", "a link");
                    foreach (var end in new[] { from, to })
                    {
                        if (!names.Contains(end))
                        {
                            throw new InvalidDataException($"link {from} → {to} names device \"{end}\", which is not in \"devices\".");
                        }
                    }

                    var spec = ReadLink(link, $"link {from} → {to}");
                    links.Add(KeyValuePair.Create((from, to), spec));
                    if (link.TryGetProperty("both_ways", out var both) && both.ValueKind == JsonValueKind.True)
                    {
                        links.Add(KeyValuePair.Create((to, from), spec));
                    }
                }
            }

            var defaultLink = root.TryGetProperty("default_link", out var defaultElement) ? ReadLink(defaultElement, "\"default_link\"") : null;
            return new PlanningCluster(devices, links, defaultLink);
        }
    }

    /// <summary>Parses a size: a number of bytes, or a number with B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).</summary>
    /// <exception cref="InvalidDataException">Not a size.</exception>
    public static long ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        (string Unit, double Scale)[] units = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1L << 40), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)];
        foreach (var (unit, scale) in units)
        {
            if (trimmed.EndsWith(unit, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(trimmed.AsSpan(0, trimmed.Length - unit.Length).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0 && double.IsFinite(value * scale) && value * scale < long.MaxValue)
            {
                return (long)(value * scale);
            }
        }

        if (long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes >= 0)
        {
            return bytes;
        }

        throw new InvalidDataException($"\"{text}\" is not a size: use bytes or a number with KB, MB, GB, KiB, MiB or GiB, e.g. \"6 GiB\".");
    }

    private static DeviceSpec ReadDevice(JsonElement element, int index, string modelId, ModelConfig config)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"device {index} is not an object.");
        }

        var name = String(element, "name", $"device {index}");
        var where = $"device \"{name}\"";
        CheckKeys(element, DeviceKeys, where);
        var rates = element;
        if (element.TryGetProperty("models", out var models))
        {
            if (models.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{where}: \"models\" must be an object of model id → rates.");
            }

            foreach (var model in models.EnumerateObject())
            {
                CheckKeys(model.Value, RateKeys, $"{where}, model \"{model.Name}\"");
            }
        }

        JsonElement? overrides = element.TryGetProperty("models", out var m) && m.TryGetProperty(modelId, out var forModel) ? forModel : null;
        double? Number(string key) => overrides is { } o && o.TryGetProperty(key, out var value) ? PositiveNumber(value, key, where) : rates.TryGetProperty(key, out var own) ? PositiveNumber(own, key, where) : null;
        JsonElement? Element(string key) => overrides is { } o && o.TryGetProperty(key, out var value) ? value : rates.TryGetProperty(key, out var own) ? own : null;

        var gemm = Number("gemm_gflops");
        var byBlock = Element("gemm_gflops_by_block");
        GemmRates rates4;
        if (byBlock is { } blocks)
        {
            if (blocks.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{where}: \"gemm_gflops_by_block\" must be an object with qkv, out, mlp_up, mlp_down.");
            }

            CheckKeys(blocks, [GemmBlocks.QueryKeyValue, GemmBlocks.Output, "mlp_up", "mlp_down"], $"{where}, gemm_gflops_by_block");
            double Block(string key) => blocks.TryGetProperty(key, out var v) ? PositiveNumber(v, key, where) * 1e9
                : gemm * 1e9 ?? throw new InvalidDataException($"{where}: gemm_gflops_by_block lacks \"{key}\" and there is no \"gemm_gflops\" to fall back on.");
            rates4 = new GemmRates(Block(GemmBlocks.QueryKeyValue), Block(GemmBlocks.Output), Block("mlp_up"), Block("mlp_down"));
        }
        else
        {
            rates4 = GemmRates.All((gemm ?? throw new InvalidDataException($"{where}: needs \"gemm_gflops\" (GEMM rate in GFLOP/s) or \"gemm_gflops_by_block\".")) * 1e9);
        }

        var attention = new List<AttentionRate>();
        switch (Element("attention_gflops"))
        {
            case null:
                throw new InvalidDataException($"{where}: needs \"attention_gflops\", an object of sequence length → GFLOP/s, e.g. {{\"128\": 10}}.");
            case { ValueKind: JsonValueKind.Number } single:
                attention.Add(new AttentionRate(128, PositiveNumber(single, "attention_gflops", where) * 1e9));
                break;
            case { ValueKind: JsonValueKind.Object } byLength:
                foreach (var entry in byLength.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 1)
                    {
                        throw new InvalidDataException($"{where}: attention_gflops key \"{entry.Name}\" is not a sequence length ≥ 1.");
                    }

                    attention.Add(new AttentionRate(length, PositiveNumber(entry.Value, $"attention_gflops[{entry.Name}]", where) * 1e9));
                }

                if (attention.Count == 0)
                {
                    throw new InvalidDataException($"{where}: \"attention_gflops\" is empty.");
                }

                break;
            default:
                throw new InvalidDataException($"{where}: \"attention_gflops\" must be a number or an object of sequence length → GFLOP/s.");
        }

        var connective = Number("connective_rows_per_second") ?? ProfileAdapter.EstimatedConnectiveRowsPerSecond(rates4.Output, config.HiddenSize);
        if (!element.TryGetProperty("memory_budget", out var budgetElement))
        {
            throw new InvalidDataException($"{where}: needs \"memory_budget\" (bytes, or a size such as \"6 GiB\").");
        }

        long budget;
        try
        {
            budget = budgetElement.ValueKind switch
            {
                JsonValueKind.Number when budgetElement.TryGetInt64(out var bytes) && bytes >= 0 => bytes,
                JsonValueKind.String => ParseBytes(budgetElement.GetString()!),
                _ => throw new InvalidDataException($"\"memory_budget\" must be bytes ≥ 0 or a size string, got {budgetElement.GetRawText()}."),
            };
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{where}: {ex.Message}", ex);
        }

        var uplink = element.TryGetProperty("link", out var linkElement) ? ReadLink(linkElement, $"{where}'s \"link\"") : null;
        string? host = null;
        if (element.TryGetProperty("host", out var hostElement))
        {
            host = hostElement.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(hostElement.GetString())
                ? hostElement.GetString()
                : throw new InvalidDataException($"{where}: \"host\" must be a non-empty string (the machine it shares with other devices), got {hostElement.GetRawText()}.");
        }

        var hostCpus = element.TryGetProperty("host_cpus", out var cpusElement) ? PositiveInteger(cpusElement, "host_cpus", where) : (int?)null;
        if (hostCpus is not null && host is null)
        {
            throw new InvalidDataException($"{where}: \"host_cpus\" needs \"host\" (which machine has those CPUs).");
        }

        var quota = element.TryGetProperty("cpu_quota", out var quotaElement) ? PositiveNumber(quotaElement, "cpu_quota", where) : (double?)null;
        var threads = element.TryGetProperty("threads", out var threadsElement) ? PositiveInteger(threadsElement, "threads", where) : (int?)null;
        return new DeviceSpec(name, rates4, attention, connective, budget)
        {
            Uplink = uplink,
            Host = host,
            HostProcessorCount = hostCpus,
            CpuQuotaCores = quota,
            KernelThreads = threads,
        };
    }

    /// <summary>Devices on one host agree on its CPUs, and at least one of them gives the count.</summary>
    private static void CheckHosts(List<DeviceSpec> devices)
    {
        foreach (var host in devices.Where(d => d.Host is not null).GroupBy(d => d.Host!, StringComparer.Ordinal))
        {
            var counts = host.Where(d => d.HostProcessorCount is not null).Select(d => d.HostProcessorCount!.Value).Distinct().ToArray();
            if (counts.Length == 0)
            {
                throw new InvalidDataException($"host \"{host.Key}\" ({string.Join(", ", host.Select(d => d.Name))}): give its CPUs as \"host_cpus\" on at least one of its devices.");
            }

            if (counts.Length > 1)
            {
                throw new InvalidDataException($"host \"{host.Key}\": its devices disagree on \"host_cpus\" ({string.Join(", ", host.Where(d => d.HostProcessorCount is not null).Select(d => $"{d.Name} {d.HostProcessorCount}"))}).");
            }
        }
    }

    private static int PositiveInteger(JsonElement value, string key, string where)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 1)
        {
            throw new InvalidDataException($"{where}: \"{key}\" must be a whole number ≥ 1, got {value.GetRawText()}.");
        }

        return number;
    }

    private static LinkSpec ReadLink(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where} must be an object with \"mbit_per_second\" and \"latency_ms\".");
        }

        CheckKeys(element, ["from", "to", "mbit_per_second", "latency_ms", "both_ways", "description"], where);
        if (!element.TryGetProperty("mbit_per_second", out var rate))
        {
            throw new InvalidDataException($"{where} needs \"mbit_per_second\".");
        }

        var mbit = PositiveNumber(rate, "mbit_per_second", where);
        var latency = 0.0;
        if (element.TryGetProperty("latency_ms", out var latencyElement))
        {
            if (latencyElement.ValueKind != JsonValueKind.Number || !latencyElement.TryGetDouble(out latency) || latency < 0 || !double.IsFinite(latency))
            {
                throw new InvalidDataException($"{where}: \"latency_ms\" must be a number ≥ 0, got {latencyElement.GetRawText()}.");
            }
        }

        return new LinkSpec(mbit * 1e6 / 8, latency / 1000);
    }

    private static double PositiveNumber(JsonElement value, string key, string where)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !(number > 0) || !double.IsFinite(number))
        {
            throw new InvalidDataException($"{where}: \"{key}\" must be a number > 0, got {value.GetRawText()}.");
        }

        return number;
    }

    private static string String(JsonElement element, string key, string where)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new InvalidDataException($"{where} needs a non-empty string \"{key}\".");
        }

        return value.GetString()!;
    }

    private static void CheckKeys(JsonElement element, string[] allowed, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where} must be a JSON object.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"{where}: unknown field \"{property.Name}\" (known: {string.Join(", ", allowed)}).");
            }
        }
    }
}
