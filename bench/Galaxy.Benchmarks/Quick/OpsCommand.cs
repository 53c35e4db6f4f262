using System.CommandLine;
using System.CommandLine.Parsing;
using Galaxy.Benchmarks.Ops;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>ops</c> command: Galaxy's LayerNorm, GELU, softmax and attention against ONNX Runtime one-node
/// models, interleaved in this process, printed as a table and optionally written as JSON.
/// </summary>
/// <remarks>Exit codes: 0 measured, 1 Galaxy and the anchor disagreed on some case, 2 bad arguments.</remarks>
public static class OpsCommand
{
    public const int ExitMismatch = 1;

    public static Command Create()
    {
        var quick = CommandOptions.Quick("Fewer, shorter samples (21 batches of ~15 ms per side): the whole suite in about a minute.");
        var json = CommandOptions.Json();
        var threads = CommandOptions.Threads("Thread counts for attention, comma-separated; LayerNorm, GELU and softmax are single-threaded in Galaxy and always run on one thread on both sides.");
        var ops = new Option<string[]>("--ops")
        {
            Description = $"Only these ops, comma-separated: {string.Join(", ", OpSuite.OpNames)}.",
            HelpName = "attention,softmax",
            CustomParser = ParseOps,
            DefaultValueFactory = _ => [.. OpSuite.OpNames],
        };

        var command = new Command("ops", "Galaxy's transformer ops against ONNX Runtime one-node models, interleaved in one process.")
        {
            quick,
            json,
            threads,
            ops,
        };
        command.SetAction(parse => Execute(new OpsComparisonSettings(
            OpSuite.Create(parse.GetRequiredValue(threads), parse.GetRequiredValue(ops)),
            parse.GetValue(quick) ? SamplingPlan.Quick : SamplingPlan.Thorough,
            parse.GetValue(json))));
        return command;
    }

    private static int Execute(OpsComparisonSettings settings)
    {
        var outcome = OpsComparison.Run(settings, Console.Error);

        if (settings.JsonPath is { } path)
        {
            using var file = File.Create(path);
            OpsComparisonReport.WriteJson(outcome.Rows, file);
        }

        var anchor = $"onnxruntime {OrtEnv.Instance().GetVersionString()} one-node models (LayerNormalization-17, Gelu-20, Softmax-13, " +
            "com.microsoft.MultiHeadAttention), constants as initializers, intra-op spinning on; " +
            "layernorm, gelu and softmax at IntraOpNumThreads = 1 as Galaxy's kernels are single-threaded";
        // Spectre assumes 80 columns when the output is redirected, which would wrap this table in logs.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        }

        OpsComparisonReport.WriteTable(outcome.Rows, anchor, AnsiConsole.Console, Console.Out);
        Console.Error.WriteLine(CpuPressure.DescribeContention(outcome.ContendedBatches, outcome.Batches));

        foreach (var mismatch in outcome.Mismatches)
        {
            Console.Error.WriteLine($"warning: Galaxy and ONNX Runtime disagree: {mismatch}");
        }

        return outcome.Mismatches.Count == 0 ? 0 : ExitMismatch;
    }

    private static string[] ParseOps(ArgumentResult result)
    {
        var selected = new List<string>();
        foreach (var item in CommandOptions.Items(result))
        {
            var name = OpSuite.OpNames.FirstOrDefault(op => string.Equals(op, item, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                result.AddError($"'{item}' is not an op; use {string.Join(", ", OpSuite.OpNames)}.");
                return [];
            }

            if (!selected.Contains(name))
            {
                selected.Add(name);
            }
        }

        return [.. selected];
    }
}
