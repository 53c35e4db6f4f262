namespace Galaxy.Kernels.IO;

/// <summary>Element types of a safetensors file that Galaxy reads as weights (converted to fp32 on load).</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 single precision ("F32").</summary>
    F32,

    /// <summary>IEEE 754 half precision ("F16").</summary>
    F16,

    /// <summary>bfloat16: the upper 16 bits of an fp32 ("BF16").</summary>
    BF16,
}
