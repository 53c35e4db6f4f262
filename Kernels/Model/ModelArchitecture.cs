namespace Galaxy.Kernels.Model;

/// <summary>The Transformer families Galaxy runs.</summary>
public enum ModelArchitecture
{
    /// <summary>BERT and MiniLM: post-LN encoder with token types (Hugging Face <c>model_type: bert</c>).</summary>
    Bert,

    /// <summary>DistilBERT: post-LN encoder without token types (<c>model_type: distilbert</c>).</summary>
    DistilBert,

    /// <summary>GPT-2: pre-LN decoder, fused QKV, GELU-tanh (<c>model_type: gpt2</c>).</summary>
    Gpt2,

    /// <summary>OPT: pre-LN decoder, ReLU, learned positions offset by 2 (<c>model_type: opt</c>).</summary>
    Opt,
}
