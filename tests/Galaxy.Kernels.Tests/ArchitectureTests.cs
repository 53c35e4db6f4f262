using Galaxy.Kernels.Gemm;

namespace Galaxy.Kernels.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void KernelsAssembly_ReferencesNoOrleansAssembly()
    {
        var references = typeof(Sgemm).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();

        Assert.Contains(references, name => name.StartsWith("System.", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Orleans", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Microsoft.Orleans", StringComparison.OrdinalIgnoreCase));
    }
}
