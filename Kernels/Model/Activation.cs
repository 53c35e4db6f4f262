namespace Galaxy.Kernels.Model;

/// <summary>The MLP's activation function.</summary>
public enum Activation
{
    /// <summary>Exact GELU, <c>0.5·x·(1 + erf(x/√2))</c> (BERT's "gelu").</summary>
    GeluErf,

    /// <summary>GELU's tanh approximation (GPT-2's "gelu_new").</summary>
    GeluTanh,

    /// <summary><c>max(0, x)</c> (OPT).</summary>
    Relu,
}
