using System.CommandLine;
using BenchmarkDotNet.Running;
using Galaxy.Benchmarks.Quick;
using Galaxy.Benchmarks.Transport;

namespace Galaxy.Benchmarks;

/// <summary>
/// <c>kernels [--quick] [--json path] …</c>: the interleaved GEMM comparison with ONNX Runtime;
/// <c>ops [--quick] [--json path] …</c>: the same for LayerNorm, GELU, softmax and attention;
/// <c>model [--quick] [--json path] …</c>: all-MiniLM-L6-v2 end to end against ONNX Runtime on its ONNX file;
/// <c>transport [--quick] [--json path]</c>: tiles between grains on two silos over TCP, by five Orleans data paths;
/// <c>hmp [--quick] [--json path] …</c>: hybrid model parallelism on simulated devices against one device, Megatron TP and SP;
/// <c>cluster [--quick] [--json path] …</c>: MiniLM and BERT-large layers on three device silos against the same plan in process;
/// <c>plan [--devices …]</c>: how long the heterogeneity-aware planner takes for N devices, against proportional shares;
/// <c>bdn …</c>: hands everything after it to BenchmarkDotNet's switcher.
/// </summary>
internal static class Program
{
    private const int ExitBadArguments = 2;

    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bdn")
        {
            return RunBenchmarkDotNet(args[1..]);
        }

        var root = new RootCommand(
            "Galaxy kernel benchmarks, always against an ONNX Runtime anchor in the same process. " +
            "'bdn <BenchmarkDotNet arguments>' runs the BenchmarkDotNet suites, e.g. bdn --filter '*Gemm*', '*Ops*' or '*Model*'.")
        {
            KernelsCommand.Create(),
            OpsCommand.Create(),
            ModelCommand.Create(),
            ModelCommand.CreateMemoryProbe(),
            TransportCommand.Create(),
            HmpCommand.Create(),
            ClusterCommand.Create(),
            Planning.PlanBenchmark.Create(),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run with --help for usage.");
            return ExitBadArguments;
        }

        return parse.Invoke();
    }

    private static int RunBenchmarkDotNet(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        var failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
        return failed ? 1 : 0;
    }
}
