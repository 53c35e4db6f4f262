using System.CommandLine;
using System.Globalization;
using System.Net;
using Galaxy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy cluster-embed --gateway host:port "text" …</c>: sentence embeddings computed by a running Galaxy cluster
/// (device silos started with <c>galaxy-silo</c>), through its <see cref="IInferenceGrain"/>.
/// </summary>
internal static class ClusterEmbedCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "host:port of a device silo's gateway.", DefaultValueFactory = _ => "127.0.0.1:30000" };
        var cluster = new Option<string>("--cluster") { Description = "The cluster id the silos were started with.", DefaultValueFactory = _ => "galaxy" };
        var model = new Option<string>("--model") { Description = "The model id the devices serve.", DefaultValueFactory = _ => "minilm" };
        var texts = new Argument<string[]>("text") { Description = "The texts to embed.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("cluster-embed", "Embeds texts on a running Galaxy cluster, split across its devices.") { gateway, cluster, model, texts };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await RunAsync(parse.GetRequiredValue(gateway), parse.GetRequiredValue(cluster), parse.GetRequiredValue(model), parse.GetRequiredValue(texts), cancellation).ConfigureAwait(false);
            }
            catch (CommandException e)
            {
                await Console.Error.WriteLineAsync($"galaxy cluster-embed: {e.Message}").ConfigureAwait(false);
                return CommandException.ExitCode;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string gateway, string cluster, string model, string[] texts, CancellationToken cancellation)
    {
        if (!IPEndPoint.TryParse(gateway, out var endpoint))
        {
            throw new CommandException($"--gateway must be host:port with a numeric address, got '{gateway}'.");
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoint);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster;
                o.ServiceId = cluster;
            });
        });
        using var host = builder.Build();
        await host.StartAsync(cancellation).ConfigureAwait(false);
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            EmbedResult result;
            try
            {
                result = await grains.GetGrain<IInferenceGrain>(model).EmbedAsync(texts).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CommandException(e.Message);
            }

            for (var t = 0; t < texts.Length; t++)
            {
                var timing = result.Texts[t];
                var head = string.Join(", ", result.Embedding(t).Take(4).Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\"{texts[t]}\": {timing.Tokens} tokens, {timing.WallMilliseconds:F1} ms, [{head}, …]"));
                foreach (var d in timing.Devices)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {d.Device}: {d.Share.Heads} heads, {d.Share.MlpColumns} MLP columns, {d.Share.Rows} rows · compute {d.ComputeMilliseconds:F1} ms · wall {d.WallMilliseconds:F1} ms"));
                }
            }

            return 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
