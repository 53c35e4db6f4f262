using System.CommandLine;
using System.CommandLine.Parsing;
using Galaxy.Benchmarks.Gemm;
using Galaxy.Kernels.Gemm;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>kernels</c> command: Galaxy's GEMM against ONNX Runtime's MatMul, interleaved in this
/// process, printed as a table and optionally written as JSON.
/// </summary>
/// <remarks>Exit codes: 0 measured, 1 Galaxy and the anchor disagreed on a product, 2 bad arguments.</remarks>
public static class KernelsCommand
{
    public const int ExitMismatch = 1;

    private static readonly Dictionary<string, GemmKernelKind> KernelNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["avx512"] = GemmKernelKind.Avx512,
        ["avx2"] = GemmKernelKind.Avx2,
    };

    public static Command Create()
    {
        var quick = CommandOptions.Quick("Fewer, shorter samples (21 batches of ~15 ms per side): the whole default suite in under a minute.");
        var json = CommandOptions.Json();
        var threads = CommandOptions.Threads("Thread counts, comma-separated.");
        var shapes = new Option<GemmShape[]>("--shapes")
        {
            Description = "Products as MxNxK, comma-separated.",
            HelpName = "128x768x768,...",
            CustomParser = ParseShapes,
            DefaultValueFactory = _ => [.. GemmShape.ModelShapes],
        };
        var kernel = new Option<GemmKernelKind?>("--kernel")
        {
            Description = "Force Galaxy's micro-kernel: avx512 or avx2 (default: the best this CPU runs).",
            HelpName = "avx512|avx2",
            CustomParser = ParseKernel,
        };

        var command = new Command("kernels", "Galaxy's GEMM against ONNX Runtime's MatMul, interleaved in one process.")
        {
            quick,
            json,
            threads,
            shapes,
            kernel,
        };
        command.SetAction(parse => Execute(new KernelComparisonSettings(
            parse.GetRequiredValue(shapes),
            parse.GetRequiredValue(threads),
            parse.GetValue(kernel),
            parse.GetValue(quick) ? SamplingPlan.Quick : SamplingPlan.Thorough,
            parse.GetValue(json))));
        return command;
    }

    private static int Execute(KernelComparisonSettings settings)
    {
        var outcome = KernelComparison.Run(settings, Console.Error);

        if (settings.JsonPath is { } path)
        {
            using var file = File.Create(path);
            ComparisonReport.WriteJson(outcome.Rows, file);
        }

        var anchor = $"onnxruntime {OrtEnv.Instance().GetVersionString()} MatMul, B a constant initializer (pre-packed), intra-op spinning on";
        ComparisonReport.WriteTable(outcome.Rows, outcome.Kernel, anchor, AnsiConsole.Console, Console.Out);
        Console.Error.WriteLine(CpuPressure.DescribeContention(outcome.ContendedBatches, outcome.Batches));

        foreach (var mismatch in outcome.Mismatches)
        {
            Console.Error.WriteLine($"warning: Galaxy and ONNX Runtime disagree: {mismatch}");
        }

        return outcome.Mismatches.Count == 0 ? 0 : ExitMismatch;
    }

    private static GemmShape[] ParseShapes(ArgumentResult result)
    {
        var shapes = new List<GemmShape>();
        foreach (var item in CommandOptions.Items(result))
        {
            if (!GemmShape.TryParse(item, out var shape))
            {
                result.AddError($"'{item}' is not a shape; write MxNxK with positive sizes, e.g. 128x768x768.");
                return [];
            }

            shapes.Add(shape);
        }

        return [.. shapes];
    }

    private static GemmKernelKind? ParseKernel(ArgumentResult result)
    {
        var name = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (!KernelNames.TryGetValue(name, out var kind))
        {
            result.AddError($"'{name}' is not a kernel; use avx512 or avx2.");
            return null;
        }

        if (!GemmKernels.IsSupported(kind))
        {
            result.AddError($"The {name} kernel cannot run on this CPU (best here: {GemmKernels.Best}).");
            return null;
        }

        return kind;
    }
}
