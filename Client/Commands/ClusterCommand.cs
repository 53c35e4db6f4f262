using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Grains;
using Galaxy.Silo;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy cluster status --gateway host:port | --redis host:port [--measure-links]</c>: a running cluster's devices,
/// their measured profiles, the weight slices they hold and the links between them.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var command = new Command("cluster", "Inspects a running Galaxy cluster.");
        command.Subcommands.Add(CreateStatus());
        return command;
    }

    private static Command CreateStatus()
    {
        var model = new Option<string>("--model") { Description = "The model whose coordinator answers; the profile table shows this model's shapes.", DefaultValueFactory = _ => ModelCatalog.MiniLmId };
        var measureLinks = new Option<bool>("--measure-links") { Description = "Measure every directed link between the devices first (ping-pong: latency and bandwidth; needs two devices)." };
        var json = new Option<bool>("--json")
        {
            Description = "Print {\"cluster\",\"model\",\"devices\":[{\"device\",\"silo\",\"host\",\"status\",\"started\",\"placeable\",\"models\",\"profile\",\"slices\",\"error\"}],\"placeable\",\"dead_silos\",\"links\"}.",
        };
        var cluster = new ClusterConnectionOptions();
        var command = new Command("status", "Lists the cluster's devices (membership), whether the coordinator can place work on them, each device's measured profile and loaded weight slices, and the links measured.")
        {
            model, measureLinks, json,
        };
        cluster.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandRunner.RunAsync("cluster status", error, async () =>
            {
                var connection = cluster.Read(parse) ?? throw new CommandException("cluster status needs --gateway host:port or --redis host:port.");
                var asJson = parse.GetValue(json);
                var modelId = parse.GetRequiredValue(model);
                var measure = parse.GetValue(measureLinks);
                var activity = measure ? "measuring the links between the devices …" : "reading the cluster's membership …";
                var status = await ClusterCall.RunAsync(connection, activity, error, asJson, client => ReadAsync(client, modelId, measure, cancellation), cancellation).ConfigureAwait(false);
                if (asJson)
                {
                    await WriteJsonAsync(output, status).ConfigureAwait(false);
                }
                else
                {
                    WriteText(TerminalConsole.For(output), status);
                    await output.FlushAsync(cancellation).ConfigureAwait(false);
                }

                return 0;
            });
        });
        return command;
    }

    private static async Task<ClusterStatus> ReadAsync(GalaxyClient client, string model, bool measureLinks, CancellationToken cancellation)
    {
        if (measureLinks)
        {
            var before = await client.StatusAsync(model, cancellation).ConfigureAwait(false);
            if (before.PlaceableDevices.Count < 2)
            {
                throw new CommandException(
                    $"--measure-links needs at least two devices; the cluster has {before.PlaceableDevices.Count}{(before.PlaceableDevices.Count == 0 ? "" : $" ({string.Join(", ", before.PlaceableDevices)})")}.");
            }

            await client.MeasureLinksAsync(cancellation).ConfigureAwait(false);
        }

        return await client.StatusAsync(model, cancellation).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(TextWriter output, ClusterStatus status) => ResultJson.WriteAsync(output, writer =>
    {
        writer.WriteString("cluster", status.ClusterId);
        writer.WriteString("model", status.Model);
        writer.WriteStartArray("devices");
        foreach (var d in status.Devices)
        {
            writer.WriteStartObject();
            writer.WriteString("device", d.Device);
            writer.WriteString("silo", d.Silo);
            writer.WriteString("host", d.Host);
            writer.WriteString("status", d.Status);
            writer.WriteString("started", d.StartedUtc.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteBoolean("placeable", d.Placeable);
            writer.WriteStartArray("models");
            foreach (var m in d.Models)
            {
                writer.WriteStringValue(m);
            }

            writer.WriteEndArray();
            WriteProfile(writer, d.Profile);
            writer.WriteStartArray("slices");
            foreach (var s in d.Slices)
            {
                writer.WriteStartObject();
                writer.WriteString("model", s.ModelId);
                ResultJson.WriteNumbers(writer, "heads", [s.HeadStart, s.HeadEnd]);
                ResultJson.WriteNumbers(writer, "mlp_columns", [s.ColumnStart, s.ColumnEnd]);
                writer.WriteNumber("bytes", s.Bytes);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("error", d.Error);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("placeable");
        foreach (var device in status.PlaceableDevices)
        {
            writer.WriteStringValue(device);
        }

        writer.WriteEndArray();
        writer.WriteNumber("dead_silos", status.DeadSilos);
        writer.WriteStartArray("links");
        foreach (var link in status.Links)
        {
            writer.WriteStartObject();
            writer.WriteString("from", link.From);
            writer.WriteString("to", link.To);
            writer.WriteNumber("latency_ms", Math.Round(link.LatencyMilliseconds, 4));
            writer.WriteNumber("mb_per_s", Math.Round(link.BytesPerSecond / 1e6, 1));
            writer.WriteNumber("payload_bytes", link.PayloadBytes);
            writer.WriteString("measured_at", link.MeasuredAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary><c>"profile": null | {"processors","kernel_threads","host_id","host_cpus","cpu_quota_cores","memory_budget_bytes","measured_at","measure_ms","models":[{"model","layers","gemms":[{"block","m","k","n","gflops"}],"attention":[{"seq","gflops"}]}]}</c>.</summary>
    private static void WriteProfile(Utf8JsonWriter writer, DeviceProfile? profile)
    {
        if (profile is null)
        {
            writer.WriteNull("profile");
            return;
        }

        writer.WriteStartObject("profile");
        writer.WriteNumber("processors", profile.ProcessorCount);
        writer.WriteNumber("kernel_threads", profile.KernelThreads);
        writer.WriteString("host_id", profile.Host);
        writer.WriteNumber("host_cpus", profile.HostProcessorCount);
        if (profile.CpuQuotaCores is { } quota)
        {
            writer.WriteNumber("cpu_quota_cores", Math.Round(quota, 3));
        }
        else
        {
            writer.WriteNull("cpu_quota_cores");
        }

        writer.WriteNumber("memory_budget_bytes", profile.MemoryBudgetBytes);
        writer.WriteString("measured_at", profile.MeasuredAt.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber("measure_ms", Math.Round(profile.MeasureMilliseconds, 1));
        writer.WriteStartArray("models");
        foreach (var model in profile.Models)
        {
            writer.WriteStartObject();
            writer.WriteString("model", model.ModelId);
            writer.WriteNumber("layers", model.Layers);
            writer.WriteStartArray("gemms");
            foreach (var g in model.Gemms)
            {
                writer.WriteStartObject();
                writer.WriteString("block", g.Block);
                writer.WriteNumber("m", g.Rows);
                writer.WriteNumber("k", g.Depth);
                writer.WriteNumber("n", g.Columns);
                writer.WriteNumber("gflops", Math.Round(g.FlopsPerSecond / 1e9, 2));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("attention");
            foreach (var a in model.Attention)
            {
                writer.WriteStartObject();
                writer.WriteNumber("seq", a.SequenceLength);
                writer.WriteNumber("gflops", Math.Round(a.FlopsPerSecond / 1e9, 2));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Three tables: devices (membership, threads, budget, slices), the profile at the model's shapes, and the links.</summary>
    private static void WriteText(IAnsiConsole console, ClusterStatus status)
    {
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster {status.ClusterId}: {Count(status.Devices.Count, "silo")}, coordinator of {status.Model} plans over {Count(status.PlaceableDevices.Count, "device")}"));

        var devices = NewTable(8, "device", "status", "silo", "host", "started (UTC)", "threads", "memory budget", "slices loaded");
        foreach (var d in status.Devices)
        {
            var threads = d.Profile is { } p
                ? string.Create(CultureInfo.InvariantCulture, $"{p.KernelThreads} of {p.ProcessorCount} cores") + (p.HostProcessorCount > 0 ? string.Create(CultureInfo.InvariantCulture, $"\nhost {p.Host}: {p.HostProcessorCount} CPUs") : "") + (p.CpuQuotaCores is { } quota ? string.Create(CultureInfo.InvariantCulture, $"\nquota {quota:0.##} cores") : "")
                : "-";
            var budget = d.Profile is { } q ? ByteSize.Format(q.MemoryBudgetBytes) : "-";
            var slices = d.Error is { } e ? $"not answering: {e}"
                : d.Slices.Count == 0 ? "-"
                : string.Join("\n", d.Slices.Select(s => string.Create(CultureInfo.InvariantCulture,
                    $"{s.ModelId}: heads [{s.HeadStart},{s.HeadEnd}), MLP columns [{s.ColumnStart},{s.ColumnEnd}), {ByteSize.Format(s.Bytes)}")));
            AddRow(devices, d.Device, d.Placeable ? d.Status : $"{d.Status}*", d.Silo, d.Host, d.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), threads, budget, slices);
        }

        console.Write(devices);
        if (status.Devices.Any(d => !d.Placeable))
        {
            console.WriteLine("  * not (yet) placeable: the coordinator has not seen this silo's device metadata");
        }

        if (status.DeadSilos > 0)
        {
            console.WriteLine($"  ({Count(status.DeadSilos, "dead silo")} still listed in the membership table)");
        }

        WriteProfiles(console, status);
        if (status.Links.Count == 0)
        {
            console.WriteLine("links: not measured yet (galaxy cluster status --measure-links)");
            return;
        }

        console.WriteLine("links, one way (ping-pong between device agents):");
        var links = NewTable(2, "from", "to", "latency ms", "MB/s", "measured (UTC)");
        foreach (var link in status.Links)
        {
            AddRow(links, link.From, link.To, link.LatencyMilliseconds.ToString("F3", CultureInfo.InvariantCulture),
                (link.BytesPerSecond / 1e6).ToString("F0", CultureInfo.InvariantCulture), link.MeasuredAt.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        }

        console.Write(links);
    }

    private static void WriteProfiles(IAnsiConsole console, ClusterStatus status)
    {
        var measured = status.Devices.Select(d => (d.Device, Model: d.Profile?.For(status.Model), d.Profile)).ToList();
        var shapes = measured.Select(m => m.Model).OfType<ModelThroughput>().FirstOrDefault();
        if (shapes is null)
        {
            console.WriteLine($"profiles: no device has measured {status.Model}");
            return;
        }

        var lengths = measured.SelectMany(m => m.Model?.Attention.Select(a => a.SequenceLength) ?? []).Distinct().Order().ToArray();
        var gemm = shapes.Gemms[0];
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profiles at {status.Model}'s layer shapes, GFLOP/s (GEMMs with M = {gemm.Rows} rows; attention over all {shapes.Attention[0].Heads} heads at S tokens):"));
        var blocks = shapes.Gemms.Select(g => g.Block).ToArray();
        var table = NewTable(1, ["device", .. blocks, .. lengths.Select(s => $"attention S={s}"), "measured in"]);
        foreach (var (device, model, profile) in measured)
        {
            if (model is null)
            {
                AddRow(table, [device, .. Enumerable.Repeat("-", blocks.Length + lengths.Length), profile is null ? "no profile yet" : $"{status.Model} not served"]);
                continue;
            }

            var gemms = blocks.Select(b => model.Gemms.FirstOrDefault(g => g.Block == b) is { } g ? DeviceProfileReport.Gflops(g.FlopsPerSecond) : "-");
            var attention = lengths.Select(s => model.Attention.FirstOrDefault(a => a.SequenceLength == s) is { } a ? DeviceProfileReport.Gflops(a.FlopsPerSecond) : "-");
            AddRow(table, [device, .. gemms, .. attention, string.Create(CultureInfo.InvariantCulture, $"{profile!.MeasureMilliseconds / 1000:F1} s")]);
        }

        console.Write(table);
    }

    /// <summary>A table whose first <paramref name="textColumns"/> columns are left-aligned and the rest (numbers) right-aligned.</summary>
    private static Table NewTable(int textColumns, params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(new Text(columns[i]));
            table.AddColumn(i < textColumns ? column : column.RightAligned());
        }

        return table;
    }

    // Text, not markup: device names and error messages may hold brackets.
    private static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
