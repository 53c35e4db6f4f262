using System.CommandLine;
using System.Runtime.InteropServices;
using Galaxy.Kernels.Gemm;

namespace Galaxy.Client.Commands;

/// <summary><c>galaxy info</c>: what this machine contributes.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
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
        return info;
    }
}
