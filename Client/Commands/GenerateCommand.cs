using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy generate --model &lt;dir&gt; --prompt "…" --max-tokens N</c>: text continuation with a decoder on
/// this machine alone, streaming tokens as they are chosen.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A decoder model directory (config.json + model.safetensors; gpt2 or opt).", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The text to continue.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 32 };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); > 0 samples.", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Sample only among the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { Description = "Sample only among the most likely tokens covering probability p.", DefaultValueFactory = _ => 1f };
        var seed = new Option<int>("--seed") { Description = "Seed for sampling, so a run can be repeated.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Compute threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of streaming text." };
        var command = new Command("generate", "Continues a prompt with a decoder model on this machine.") { model, prompt, maxTokens, temperature, topK, topP, seed, threads, json };
        command.SetAction(parse => CommandException.Guard("generate", () => Run(
            parse.GetRequiredValue(model),
            parse.GetRequiredValue(prompt),
            parse.GetValue(maxTokens),
            new SamplingOptions(parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP), parse.GetValue(seed)),
            parse.GetValue(threads),
            parse.GetValue(json))));
        return command;
    }

    private static int Run(string modelName, string prompt, int maxTokens, SamplingOptions sampling, int threadCount, bool json)
    {
        if (maxTokens < 1)
        {
            throw new CommandException($"--max-tokens must be at least 1, got {maxTokens}.");
        }

        if (threadCount < 1)
        {
            throw new CommandException($"--threads must be at least 1, got {threadCount}.");
        }

        try
        {
            sampling.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CommandException(e.Message);
        }

        if (string.IsNullOrEmpty(prompt))
        {
            throw new CommandException("--prompt must not be empty.");
        }

        var model = ModelLocator.Load(modelName, quiet: json);
        if (!model.Config.IsDecoder)
        {
            throw new CommandException($"'{modelName}' is a {model.Config.Architecture} encoder; generate needs a decoder (gpt2, opt).");
        }

        var promptIds = model.Tokenizer.Encode(prompt);
        if (promptIds.Any(id => id >= model.Config.VocabularySize))
        {
            throw new CommandException($"the prompt's token ids exceed the model's vocabulary of {model.Config.VocabularySize}.");
        }

        if (promptIds.Length + maxTokens > model.Config.MaxPositions)
        {
            throw new CommandException($"{promptIds.Length} prompt tokens + {maxTokens} new tokens exceed the model's {model.Config.MaxPositions} positions.");
        }

        using var threads = new KernelThreads(threadCount);
        var decoder = new Decoder(model.Weights, threads);
        if (!json)
        {
            Console.Write(prompt);
        }

        var clock = Stopwatch.StartNew();
        var firstTokenMs = 0.0;
        var generated = decoder.Generate(promptIds, maxTokens, sampling, model.Tokenizer.EndOfText, token =>
        {
            if (firstTokenMs == 0)
            {
                firstTokenMs = clock.Elapsed.TotalMilliseconds;
            }

            if (!json)
            {
                Console.Write(model.Tokenizer.Decode([token]));
            }
        });
        var totalMs = clock.Elapsed.TotalMilliseconds;
        var perToken = generated.Count > 1 ? (totalMs - firstTokenMs) / (generated.Count - 1) : 0;
        if (json)
        {
            var result = new
            {
                model = modelName,
                prompt,
                prompt_ids = promptIds,
                generated_ids = generated,
                text = model.Tokenizer.Decode(generated),
                prefill_ms = firstTokenMs,
                ms_per_token = perToken,
            };
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine($"[{promptIds.Length} prompt tokens, {generated.Count} generated; first token {firstTokenMs:F0} ms, then {perToken:F1} ms/token]");
        return 0;
    }
}
