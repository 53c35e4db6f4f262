using System.Diagnostics.CodeAnalysis;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// How a plan's tiles are encoded where they cross a link between devices (<see cref="TileCodec"/>). Arithmetic
/// stays fp32 on every device; only the bytes on the wire change. Lossy, so opt-in: for slow links, where the
/// link time, not the arithmetic, bounds a layer.
/// </summary>
public enum LinkPrecision
{
    /// <summary>fp32 as computed: 4 bytes per value, bit-exact (the default).</summary>
    Fp32,

    /// <summary>bfloat16, rounded to nearest even (<see cref="Ops.Bf16Codec"/>): 2 bytes per value, about 3 significant digits.</summary>
    Bf16,

    /// <summary>Symmetric 8-bit in blocks of 32 values of a row, each with an fp32 scale (<see cref="Ops.Int8BlockCodec"/>): 1 byte per value + 4 per block, 1.125 bytes per value.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "int8 is the format's usual name, as on the command line.")]
    Int8,
}
