using System.Diagnostics.CodeAnalysis;

namespace Galaxy.Grains;

/// <summary>How a plan's tiles are encoded on the links, on the wire (mirrors the kernels' <c>LinkPrecision</c>).</summary>
[GenerateSerializer, Alias("galaxy.plan-link-precision")]
public enum PlanLinkPrecision
{
    /// <summary>fp32 as computed (exact).</summary>
    Fp32,

    /// <summary>bfloat16, rounded to nearest even.</summary>
    Bf16,

    /// <summary>Symmetric 8-bit in blocks of 32 values of a row, each with an fp32 scale.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "int8 is the format's usual name.")]
    Int8,
}
