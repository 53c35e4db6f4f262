using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy embed --model &lt;dir|minilm&gt; "text" …</c>: sentence embeddings — tokenize, run the encoder, mean-pool
/// the real tokens and L2-normalise (sentence-transformers style). On this machine alone, or with
/// <c>--gateway</c>/<c>--redis</c> on a running cluster, split across its devices (<c>--model</c> is then the
/// model id the devices serve).
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Locally: a model directory (config.json, model.safetensors, vocab.txt) or 'minilm'. On a cluster: the model id its devices serve.", Required = true };
        var texts = new Argument<string[]>("text") { Description = "The texts to embed.", Arity = ArgumentArity.OneOrMore };
        var threads = new Option<int>("--threads") { Description = "Local run: compute threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print {\"model\",\"results\":[{\"text\",\"tokens\",\"embedding\",…}]} instead of a summary." };
        var truncate = new Option<bool>("--truncate") { Description = "Local run: cut texts longer than the model's positions instead of failing." };
        var cluster = new ClusterConnectionOptions();
        var command = new Command("embed", "Embeds texts with an encoder model, on this machine or on a Galaxy cluster.") { model, texts, threads, json, truncate };
        cluster.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandRunner.RunAsync("embed", error, async () =>
            {
                var connection = cluster.Read(parse);
                var chosen = parse.GetRequiredValue(texts);
                if (chosen.Any(string.IsNullOrWhiteSpace))
                {
                    throw new CommandException("every text must contain something other than whitespace.");
                }

                if (connection is null)
                {
                    return await RunLocalAsync(parse.GetRequiredValue(model), chosen, parse.GetValue(threads), parse.GetValue(json), parse.GetValue(truncate), output).ConfigureAwait(false);
                }

                if (parse.GetResult(threads) is { Implicit: false } || parse.GetValue(truncate))
                {
                    throw new CommandException("--threads and --truncate apply to a local run; on a cluster each device uses its own threads and over-long texts are refused.");
                }

                return await RunOnClusterAsync(connection, parse.GetRequiredValue(model), chosen, parse.GetValue(json), output, error, cancellation).ConfigureAwait(false);
            });
        });
        return command;
    }

    private static async Task<int> RunOnClusterAsync(GalaxyConnection connection, string model, string[] texts, bool json, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var result = await ClusterCall.RunWithProgressAsync(connection, $"embedding {texts.Length} text{(texts.Length == 1 ? "" : "s")} with {model} …", output, error, json, texts.Length,
            (client, progress) => client.EmbedAsync(model, texts, progress, cancellation), cancellation).ConfigureAwait(false);
        if (json)
        {
            await ResultJson.WriteAsync(output, writer =>
            {
                writer.WriteString("model", model);
                writer.WriteString("cluster", connection.ClusterId);
                writer.WriteStartArray("results");
                for (var t = 0; t < texts.Length; t++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", texts[t]);
                    writer.WriteNumber("tokens", result.Texts[t].Tokens);
                    ResultJson.WriteNumbers(writer, "embedding", result.Embedding(t));
                    writer.WriteNumber("wall_ms", Math.Round(result.Texts[t].WallMilliseconds, 3));
                    ResultJson.WriteDevices(writer, result.Texts[t].Devices);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return 0;
        }

        for (var t = 0; t < texts.Length; t++)
        {
            var timing = result.Texts[t];
            var head = string.Join(", ", result.Embedding(t).Take(4).Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{timing.WallMilliseconds,8:F1} ms  {timing.Tokens,4} tokens  [{head}, …] ({result.Dimension} dims) on {timing.Devices.Count} device{(timing.Devices.Count == 1 ? "" : "s")}  {texts[t]}")).ConfigureAwait(false);
            foreach (var d in timing.Devices)
            {
                await output.WriteLineAsync(ResultJson.DeviceLine(d)).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static async Task<int> RunLocalAsync(string modelName, string[] texts, int threadCount, bool json, bool truncate, TextWriter output)
    {
        if (threadCount < 1)
        {
            throw new CommandException($"--threads must be at least 1, got {threadCount}.");
        }

        var loadClock = Stopwatch.StartNew();
        var model = ModelLocator.Load(modelName, quiet: json);
        var loadMs = loadClock.Elapsed.TotalMilliseconds;
        if (model.Config.IsDecoder)
        {
            throw new CommandException($"'{modelName}' is a {model.Config.Architecture} decoder; embed needs an encoder (bert, distilbert).");
        }

        using var threads = new KernelThreads(threadCount);
        var encoder = new Encoder(model.Weights, threads);
        var results = new List<(string Text, int[] Ids, float[] Embedding, double Ms)>();
        foreach (var text in texts)
        {
            int[] ids;
            try
            {
                ids = model.Tokenizer.Encode(text, model.Config.MaxPositions, truncate);
            }
            catch (ArgumentException e)
            {
                throw new CommandException($"{ClusterCall.Describe(e)} (pass --truncate to cut it)");
            }

            var clock = Stopwatch.StartNew();
            var hidden = encoder.Forward(ids, default, default);
            var embedding = Encoder.MeanPool(hidden, default, 1, model.Config.HiddenSize);
            results.Add((text, ids, embedding, clock.Elapsed.TotalMilliseconds));
        }

        if (json)
        {
            await ResultJson.WriteAsync(output, writer =>
            {
                writer.WriteString("model", modelName);
                writer.WriteStartArray("results");
                foreach (var (text, ids, embedding, ms) in results)
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", text);
                    writer.WriteNumber("tokens", ids.Length);
                    ResultJson.WriteNumbers(writer, "token_ids", ids);
                    ResultJson.WriteNumbers(writer, "embedding", embedding);
                    writer.WriteNumber("wall_ms", Math.Round(ms, 3));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return 0;
        }

        await output.WriteLineAsync($"model     {model.Directory} ({model.Config.Architecture}, {model.Config.Layers} layers, hidden {model.Config.HiddenSize}); loaded in {loadMs:F0} ms").ConfigureAwait(false);
        foreach (var (text, ids, embedding, ms) in results)
        {
            var head = string.Join(", ", embedding.Take(4).Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
            await output.WriteLineAsync($"{ms,8:F1} ms  {ids.Length,4} tokens  [{head}, …] ({embedding.Length} dims)  {text}").ConfigureAwait(false);
        }

        if (results.Count > 1)
        {
            await output.WriteLineAsync("cosine similarity:").ConfigureAwait(false);
            for (var i = 0; i < results.Count; i++)
            {
                var row = string.Join("  ", results.Select(r => Dot(results[i].Embedding, r.Embedding).ToString("F3", CultureInfo.InvariantCulture)));
                await output.WriteLineAsync($"  {row}").ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static double Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
