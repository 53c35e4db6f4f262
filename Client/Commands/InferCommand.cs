using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Galaxy.Grains;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy infer --model m (--text "…" | --ids 101,7592,102)</c>: the last hidden state (S, H) of one sequence —
/// a summary per token, or with <c>--json</c> every value and each device's share and time per layer. With
/// <c>--gateway</c>/<c>--redis</c> on a running cluster (the cluster tokenizes <c>--text</c>); without, on this
/// machine (encoder models).
/// </summary>
internal static class InferCommand
{
    /// <summary>Tokens the text summary lists before it stops.</summary>
    private const int SummaryTokens = 16;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Locally: a model directory or 'minilm'. On a cluster: the model id its devices serve.", Required = true };
        var text = new Option<string>("--text") { Description = "The text to run (tokenized by the model's tokenizer)." };
        var ids = new Option<string>("--ids") { Description = "Token ids to run, comma-separated (e.g. 101,7592,102)." };
        var threads = new Option<int>("--threads") { Description = "Local run: compute threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print {\"model\",\"token_ids\",\"hidden_size\",\"hidden\":[[…]],\"wall_ms\",\"devices\":[…]} instead of a summary." };
        var cluster = new ClusterConnectionOptions();
        var command = new Command("infer", "Runs one sequence through a model and reports its last hidden state, on this machine or on a Galaxy cluster.") { model, text, ids, threads, json };
        cluster.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandRunner.RunAsync("infer", error, async () =>
            {
                var connection = cluster.Read(parse);
                var (givenText, givenIds) = ReadInput(parse.GetValue(text), parse.GetValue(ids));
                var modelName = parse.GetRequiredValue(model);
                var asJson = parse.GetValue(json);
                if (connection is null)
                {
                    return await RunLocalAsync(modelName, givenText, givenIds, parse.GetValue(threads), asJson, output).ConfigureAwait(false);
                }

                if (parse.GetResult(threads) is { Implicit: false })
                {
                    throw new CommandException("--threads applies to a local run; on a cluster each device uses its own threads.");
                }

                var (tokenIds, result) = await ClusterCall.RunWithProgressAsync(connection, $"running {modelName} …", output, error, asJson, 1, async (client, progress) =>
                {
                    var tokens = givenIds ?? await client.TokenizeAsync(modelName, givenText!, cancellation).ConfigureAwait(false);
                    return (tokens, await client.InferAsync(modelName, tokens, progress, cancellation).ConfigureAwait(false));
                }, cancellation).ConfigureAwait(false);
                await ReportAsync(output, asJson, modelName, tokenIds, result.HiddenSize, result.Hidden.Values.ToArray(), result.WallMilliseconds, result.Devices).ConfigureAwait(false);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Exactly one of <c>--text</c> and <c>--ids</c>; the ids parsed.</summary>
    /// <exception cref="CommandException">Neither or both, an empty text, or ids that are not whole numbers.</exception>
    public static (string? Text, int[]? Ids) ReadInput(string? text, string? ids)
    {
        if ((text is null) == (ids is null))
        {
            throw new CommandException("give the input as either --text \"…\" or --ids 101,7592,102 (exactly one of them).");
        }

        if (text is not null)
        {
            return string.IsNullOrWhiteSpace(text)
                ? throw new CommandException("--text must contain something other than whitespace.")
                : (text, null);
        }

        var parts = ids!.Split(',', StringSplitOptions.TrimEntries);
        var parsed = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed[i]))
            {
                throw new CommandException($"--ids must be whole numbers separated by commas (e.g. 101,7592,102); '{parts[i]}' is not one.");
            }
        }

        return (null, parsed);
    }

    private static async Task<int> RunLocalAsync(string modelName, string? text, int[]? ids, int threadCount, bool json, TextWriter output)
    {
        if (threadCount < 1)
        {
            throw new CommandException($"--threads must be at least 1, got {threadCount}.");
        }

        var model = ModelLocator.Load(modelName, quiet: json);
        if (model.Config.IsDecoder)
        {
            throw new CommandException($"'{modelName}' is a {model.Config.Architecture} decoder; a local infer runs encoders (bert, distilbert). Run decoders with generate.");
        }

        int[] tokenIds;
        try
        {
            tokenIds = ids ?? model.Tokenizer.Encode(text!, model.Config.MaxPositions);
        }
        catch (ArgumentException e)
        {
            throw new CommandException(ClusterCall.Describe(e));
        }

        if (tokenIds.Length > model.Config.MaxPositions)
        {
            throw new CommandException($"{tokenIds.Length} tokens do not fit '{modelName}', which takes at most {model.Config.MaxPositions}.");
        }

        var outside = Array.FindIndex(tokenIds, id => id < 0 || id >= model.Config.VocabularySize);
        if (outside >= 0)
        {
            throw new CommandException($"token {outside} has id {tokenIds[outside]}, outside the vocabulary 0…{model.Config.VocabularySize - 1} of '{modelName}'.");
        }

        using var threads = new KernelThreads(threadCount);
        var clock = Stopwatch.StartNew();
        var hidden = new Encoder(model.Weights, threads).Forward(tokenIds, default, default);
        await ReportAsync(output, json, modelName, tokenIds, model.Config.HiddenSize, hidden, clock.Elapsed.TotalMilliseconds, []).ConfigureAwait(false);
        return 0;
    }

    private static async Task ReportAsync(TextWriter output, bool json, string model, int[] tokenIds, int hiddenSize, float[] hidden, double wallMs, IReadOnlyList<DeviceTiming> devices)
    {
        if (json)
        {
            await ResultJson.WriteAsync(output, writer =>
            {
                writer.WriteString("model", model);
                writer.WriteNumber("tokens", tokenIds.Length);
                ResultJson.WriteNumbers(writer, "token_ids", tokenIds);
                writer.WriteNumber("hidden_size", hiddenSize);
                writer.WriteStartArray("hidden");
                for (var row = 0; row < tokenIds.Length; row++)
                {
                    writer.WriteStartArray();
                    foreach (var value in hidden.AsSpan(row * hiddenSize, hiddenSize))
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteNumber("wall_ms", Math.Round(wallMs, 3));
                ResultJson.WriteDevices(writer, devices);
            }).ConfigureAwait(false);
            return;
        }

        var where = devices.Count == 0 ? "on this machine" : $"on {devices.Count} device{(devices.Count == 1 ? "" : "s")}";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{model}: {tokenIds.Length} tokens × hidden {hiddenSize}, {wallMs:F1} ms {where}")).ConfigureAwait(false);
        foreach (var d in devices)
        {
            await output.WriteLineAsync(ResultJson.DeviceLine(d)).ConfigureAwait(false);
        }

        await output.WriteLineAsync("  token        id      norm  first values").ConfigureAwait(false);
        for (var row = 0; row < Math.Min(tokenIds.Length, SummaryTokens); row++)
        {
            var values = hidden.AsSpan(row * hiddenSize, hiddenSize);
            var norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(values, values));
            var head = string.Join(", ", values[..Math.Min(4, hiddenSize)].ToArray().Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {row,5}  {tokenIds[row],8}  {norm,8:F3}  [{head}, …]")).ConfigureAwait(false);
        }

        if (tokenIds.Length > SummaryTokens)
        {
            await output.WriteLineAsync($"  … {tokenIds.Length - SummaryTokens} more tokens (--json prints every value)").ConfigureAwait(false);
        }
    }
}
