using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy embed --model &lt;dir|minilm&gt; "text" …</c>: sentence embeddings on this machine alone —
/// tokenize, run the encoder, mean-pool the real tokens and L2-normalise (sentence-transformers style).
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model directory (config.json, model.safetensors, vocab.txt) or 'minilm'.", Required = true };
        var texts = new Argument<string[]>("text") { Description = "The texts to embed.", Arity = ArgumentArity.OneOrMore };
        var threads = new Option<int>("--threads") { Description = "Compute threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print {\"model\",\"results\":[{\"text\",\"token_ids\",\"embedding\"}]} instead of a summary." };
        var truncate = new Option<bool>("--truncate") { Description = "Cut texts longer than the model's positions instead of failing." };
        var command = new Command("embed", "Embeds texts with an encoder model on this machine.") { model, texts, threads, json, truncate };
        command.SetAction(parse => CommandException.Guard("embed", () => Run(
            parse.GetRequiredValue(model),
            parse.GetRequiredValue(texts),
            parse.GetValue(threads),
            parse.GetValue(json),
            parse.GetValue(truncate))));
        return command;
    }

    private static int Run(string modelName, string[] texts, int threadCount, bool json, bool truncate)
    {
        if (threadCount < 1)
        {
            throw new CommandException($"--threads must be at least 1, got {threadCount}.");
        }

        if (texts.Any(string.IsNullOrWhiteSpace))
        {
            throw new CommandException("every text must contain something other than whitespace.");
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
                throw new CommandException($"{e.Message} (pass --truncate to cut it)");
            }

            var clock = Stopwatch.StartNew();
            var hidden = encoder.Forward(ids, default, default);
            var embedding = Encoder.MeanPool(hidden, default, 1, model.Config.HiddenSize);
            results.Add((text, ids, embedding, clock.Elapsed.TotalMilliseconds));
        }

        if (json)
        {
            using var output = Console.OpenStandardOutput();
            using var writer = new Utf8JsonWriter(output);
            writer.WriteStartObject();
            writer.WriteString("model", modelName);
            writer.WriteStartArray("results");
            foreach (var (text, ids, embedding, _) in results)
            {
                writer.WriteStartObject();
                writer.WriteString("text", text);
                writer.WriteStartArray("token_ids");
                foreach (var id in ids)
                {
                    writer.WriteNumberValue(id);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("embedding");
                foreach (var value in embedding)
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            output.WriteByte((byte)'\n');
            return 0;
        }

        Console.WriteLine($"model     {model.Directory} ({model.Config.Architecture}, {model.Config.Layers} layers, hidden {model.Config.HiddenSize}); loaded in {loadMs:F0} ms");
        foreach (var (text, ids, embedding, ms) in results)
        {
            var head = string.Join(", ", embedding.Take(4).Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
            Console.WriteLine($"{ms,8:F1} ms  {ids.Length,4} tokens  [{head}, …] ({embedding.Length} dims)  {text}");
        }

        if (results.Count > 1)
        {
            Console.WriteLine("cosine similarity:");
            for (var i = 0; i < results.Count; i++)
            {
                var row = string.Join("  ", results.Select(r => Dot(results[i].Embedding, r.Embedding).ToString("F3", CultureInfo.InvariantCulture)));
                Console.WriteLine($"  {row}");
            }
        }

        return 0;
    }

    private static double Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
