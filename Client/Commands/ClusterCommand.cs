using System.CommandLine;
using System.Globalization;
using Galaxy.Grains;

namespace Galaxy.Client.Commands;

/// <summary><c>galaxy cluster status --gateway host:port | --redis host:port</c>: a running cluster's devices and the models they hold.</summary>
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
        var model = new Option<string>("--model") { Description = "The model whose coordinator reports which devices it plans over.", DefaultValueFactory = _ => ModelCatalog.MiniLmId };
        var json = new Option<bool>("--json") { Description = "Print {\"cluster\",\"devices\":[{\"device\",\"silo\",\"host\",\"status\",\"started\",\"placeable\",\"models\"}],\"placeable\",\"dead_silos\"}." };
        var cluster = new ClusterConnectionOptions();
        var command = new Command("status", "Lists the cluster's devices (membership), whether the coordinator can place work on them, and the models each holds a shard of.") { model, json };
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
                var status = await ClusterCall.RunAsync(connection, "reading the cluster's membership …", error, asJson, client => client.StatusAsync(modelId, cancellation), cancellation).ConfigureAwait(false);
                if (asJson)
                {
                    await WriteJsonAsync(output, status).ConfigureAwait(false);
                }
                else
                {
                    await WriteTextAsync(output, status).ConfigureAwait(false);
                }

                return 0;
            });
        });
        return command;
    }

    private static Task WriteJsonAsync(TextWriter output, ClusterStatus status) => ResultJson.WriteAsync(output, writer =>
    {
        writer.WriteString("cluster", status.ClusterId);
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
    });

    private static async Task WriteTextAsync(TextWriter output, ClusterStatus status)
    {
        await output.WriteLineAsync($"cluster {status.ClusterId}: {status.Devices.Count} silo{(status.Devices.Count == 1 ? "" : "s")}, coordinator plans over {status.PlaceableDevices.Count} device{(status.PlaceableDevices.Count == 1 ? "" : "s")}").ConfigureAwait(false);
        var width = Math.Max(6, status.Devices.Select(d => d.Device.Length).DefaultIfEmpty(0).Max());
        await output.WriteLineAsync($"  {"device".PadRight(width)}  {"status",-12}  {"silo",-28}  {"host",-16}  {"started (UTC)",-19}  models").ConfigureAwait(false);
        foreach (var d in status.Devices)
        {
            var models = d.Models.Count == 0 ? "-" : string.Join(", ", d.Models);
            var status2 = d.Placeable ? d.Status : $"{d.Status}*";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {d.Device.PadRight(width)}  {status2,-12}  {d.Silo,-28}  {d.Host,-16}  {d.StartedUtc:yyyy-MM-dd HH:mm:ss}  {models}")).ConfigureAwait(false);
        }

        if (status.Devices.Any(d => !d.Placeable))
        {
            await output.WriteLineAsync("  * not (yet) placeable: the coordinator has not seen this silo's device metadata").ConfigureAwait(false);
        }

        if (status.DeadSilos > 0)
        {
            await output.WriteLineAsync($"  ({status.DeadSilos} dead silo{(status.DeadSilos == 1 ? "" : "s")} still listed in the membership table)").ConfigureAwait(false);
        }
    }
}
