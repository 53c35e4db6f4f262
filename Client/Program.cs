using System.CommandLine;
using System.Runtime.InteropServices;
using Galaxy.Kernels.Gemm;

var info = new Command("info", "Shows what this machine contributes: cores, vector width and the GEMM micro-kernel Galaxy runs here.");
info.SetAction(_ =>
{
    var kernel = GemmKernels.Best;
    Console.WriteLine($"machine       {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}");
    Console.WriteLine($"runtime       {RuntimeInformation.FrameworkDescription}");
    Console.WriteLine($"cores         {Environment.ProcessorCount}");
    Console.WriteLine($"gemm kernel   {kernel} ({GemmKernels.TileRows(kernel)}×{GemmKernels.TileColumns(kernel)} register tile)");
    return 0;
});

var root = new RootCommand("galaxy: one Transformer inference across several edge devices.") { info };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
