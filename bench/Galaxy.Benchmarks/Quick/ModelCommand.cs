using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Galaxy.Benchmarks.Models;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>model</c> command: all-MiniLM-L6-v2 end to end (token ids → last hidden state), Galaxy's encoder
/// against ONNX Runtime on the original ONNX file, interleaved in this process, printed as a table and
/// optionally written as JSON. <c>--phases</c> instead splits both sides' time by phase and operator;
/// <c>--memory</c> instead measures what the loaded model holds, in child processes.
/// </summary>
/// <remarks>
/// Exit codes: 0 measured, 1 Galaxy and the anchor disagreed on some case, 2 bad arguments (or <c>--memory</c>
/// off Linux). <c>--memory</c> reports whether the target is met but exits 0 either way.
/// </remarks>
public static class ModelCommand
{
    public const int ExitMismatch = 1;

    private const int ExitBadArguments = 2;

    public static Command Create()
    {
        var quick = CommandOptions.Quick("Fewer, shorter samples (21 batches per side): the default cases in a minute or two.");
        var json = CommandOptions.Json();
        var threads = CommandOptions.Threads("Thread counts, comma-separated.");
        var sequences = new Option<int[]>("--sequences")
        {
            Description = "Sequence lengths in tokens ([CLS] and [SEP] included), comma-separated; at most the model's 512 positions.",
            HelpName = "128,512",
            CustomParser = ParseSequences,
            DefaultValueFactory = _ => [.. ModelCase.DefaultSequences],
        };

        var phases = new Option<bool>("--phases")
        {
            Description = "Instead of the comparison: where the time goes, Galaxy's forward split into GEMMs, attention, GELU, LayerNorm, " +
                "allocation … (a bench-side copy of the encoder loop, checked against Encoder.Forward) next to ONNX Runtime's per-operator profile.",
        };

        var memory = new Option<bool>("--memory")
        {
            Description = "Instead of the comparison: the memory a loaded MiniLM holds against its weight bytes (target < 1.5x), " +
                "measured in a fresh child process for Galaxy and for ONNX Runtime.",
        };

        var command = new Command("model", "all-MiniLM-L6-v2 end to end (token ids to last hidden state): Galaxy's encoder against ONNX Runtime, interleaved in one process.")
        {
            quick,
            json,
            threads,
            sequences,
            phases,
            memory,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(phases) && result.GetValue(memory))
            {
                result.AddError("--phases and --memory are separate measurements; pick one.");
            }
        });
        command.SetAction(parse =>
        {
            if (parse.GetValue(memory))
            {
                return ExecuteMemory();
            }

            var cases = ModelCase.Cross(parse.GetRequiredValue(sequences), parse.GetRequiredValue(threads));
            return parse.GetValue(phases)
                ? ExecutePhases(cases)
                : Execute(new ModelComparisonSettings(cases, parse.GetValue(quick) ? SamplingPlan.Quick : SamplingPlan.Thorough, parse.GetValue(json)));
        });
        return command;
    }

    /// <summary>The hidden command <c>model --memory</c> starts in a child process: one side's load, printed as a JSON line.</summary>
    public static Command CreateMemoryProbe()
    {
        var side = new Option<string>("--side") { Required = true };
        var modelDirectory = new Option<string>("--model-directory") { Required = true };
        var onnx = new Option<string>("--onnx") { Required = true };
        var command = new Command(LoadedMemoryProbe.CommandName, "Internal: measures one side's model load for model --memory.")
        {
            side,
            modelDirectory,
            onnx,
        };
        command.Hidden = true; // not in --help: model --memory starts it with the cache's paths
        command.SetAction(parse =>
        {
            LoadedMemoryProbe.RunInThisProcess(parse.GetRequiredValue(side), parse.GetRequiredValue(modelDirectory), parse.GetRequiredValue(onnx), Console.Out);
            return 0;
        });
        return command;
    }

    private static int ExecuteMemory()
    {
        if (!ResidentMemory.IsAvailable)
        {
            Console.Error.WriteLine("error: model --memory reads /proc/self/status, so it runs on Linux only.");
            return ExitBadArguments;
        }

        var files = MiniLmCache.Prepare();
        var rows = LoadedMemoryProbe.Sides.Select(side =>
        {
            Console.Error.WriteLine($"loading {MiniLmWorkload.Name} in a fresh process: {side}");
            return LoadedMemoryProbe.MeasureInChildProcess(side, files);
        }).ToList();
        WidenRedirectedConsole(columns: 150);
        ModelMemoryReport.Write(rows, AnsiConsole.Console, Console.Out);
        return 0;
    }

    private static int ExecutePhases(IReadOnlyList<ModelCase> cases)
    {
        var workload = MiniLmWorkload.Load();
        var rows = ModelPhaseBreakdown.Run(workload, cases, Console.Error);
        WidenRedirectedConsole();
        ModelPhaseReport.Write(rows, workload.Model.Config.Layers, AnsiConsole.Console, Console.Out);
        return 0;
    }

    private static int Execute(ModelComparisonSettings settings)
    {
        var workload = MiniLmWorkload.Load();
        var outcome = ModelComparison.Run(workload, settings, Console.Error);

        if (settings.JsonPath is { } path)
        {
            using var file = File.Create(path);
            ModelComparisonReport.WriteJson(outcome.Rows, file);
        }

        var anchor = $"onnxruntime {OrtEnv.Instance().GetVersionString()} on the original ONNX file (graph optimisation ORT_ENABLE_ALL, " +
            "IntraOpNumThreads = threads, intra-op spinning on, inputs and outputs bound once); tokenization excluded on both sides";

        WidenRedirectedConsole();
        ModelComparisonReport.WriteTable(outcome.Rows, anchor, AnsiConsole.Console, Console.Out);
        Console.Error.WriteLine(CpuPressure.DescribeContention(outcome.ContendedBatches, outcome.Batches));

        foreach (var mismatch in outcome.Mismatches)
        {
            Console.Error.WriteLine($"warning: Galaxy and ONNX Runtime disagree: {mismatch}");
        }

        return outcome.Mismatches.Count == 0 ? 0 : ExitMismatch;
    }

    /// <summary>Spectre assumes 80 columns when the output is redirected, which would wrap the tables in logs.</summary>
    private static void WidenRedirectedConsole(int columns = 120)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, columns);
        }
    }

    private static int[] ParseSequences(ArgumentResult result)
    {
        var lengths = new List<int>();
        foreach (var item in CommandOptions.Items(result))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 2 || length > 512)
            {
                result.AddError($"'{item}' is not a sequence length (a whole number from 2, [CLS] and [SEP], to 512, the model's positions).");
                return [];
            }

            if (!lengths.Contains(length))
            {
                lengths.Add(length);
            }
        }

        return [.. lengths];
    }
}
