using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Tests.Model;

/// <summary>
/// A deliberately naive forward in double precision, reading the checkpoint tensors by their Hugging Face
/// names: the oracle for Galaxy's encoder and decoder on synthetic weights.
/// </summary>
internal static class ReferenceTransformer
{
    /// <summary>Final hidden states (n, H) of a decoder (after the final LayerNorm) for the whole sequence.</summary>
    public static double[][] Decoder(ModelConfig config, InMemoryTensorSource w, int[] ids)
    {
        var gpt2 = config.Architecture == ModelArchitecture.Gpt2;
        var h = config.HiddenSize;
        var p = gpt2 ? "" : "model.decoder.";
        var x = new double[ids.Length][];
        for (var i = 0; i < ids.Length; i++)
        {
            x[i] = new double[h];
            var token = w.Get(gpt2 ? "wte.weight" : p + "embed_tokens.weight");
            var position = w.Get(gpt2 ? "wpe.weight" : p + "embed_positions.weight");
            var pos = i + config.PositionOffset;
            for (var c = 0; c < h; c++)
            {
                x[i][c] = token[(ids[i] * h) + c] + (double)position[(pos * h) + c];
            }
        }

        for (var l = 0; l < config.Layers; l++)
        {
            var q = gpt2 ? $"h.{l}." : $"{p}layers.{l}.";
            var n1 = x.Select(r => LayerNorm(r, w.Get(q + (gpt2 ? "ln_1" : "self_attn_layer_norm") + ".weight"), w.Get(q + (gpt2 ? "ln_1" : "self_attn_layer_norm") + ".bias"), config.LayerNormEpsilon)).ToArray();
            double[][] qs, ks, vs;
            if (gpt2)
            {
                var fused = n1.Select(r => Conv1D(r, w.Get(q + "attn.c_attn.weight"), w.Get(q + "attn.c_attn.bias"), 3 * h)).ToArray();
                qs = fused.Select(r => r[..h]).ToArray();
                ks = fused.Select(r => r[h..(2 * h)]).ToArray();
                vs = fused.Select(r => r[(2 * h)..]).ToArray();
            }
            else
            {
                qs = n1.Select(r => LinearLayer(r, w.Get(q + "self_attn.q_proj.weight"), w.Get(q + "self_attn.q_proj.bias"))).ToArray();
                ks = n1.Select(r => LinearLayer(r, w.Get(q + "self_attn.k_proj.weight"), w.Get(q + "self_attn.k_proj.bias"))).ToArray();
                vs = n1.Select(r => LinearLayer(r, w.Get(q + "self_attn.v_proj.weight"), w.Get(q + "self_attn.v_proj.bias"))).ToArray();
            }

            var attended = Attend(config, qs, ks, vs, causal: true, mask: null);
            for (var i = 0; i < x.Length; i++)
            {
                var projected = gpt2
                    ? Conv1D(attended[i], w.Get(q + "attn.c_proj.weight"), w.Get(q + "attn.c_proj.bias"), h)
                    : LinearLayer(attended[i], w.Get(q + "self_attn.out_proj.weight"), w.Get(q + "self_attn.out_proj.bias"));
                Add(x[i], projected);
                var ln2 = gpt2 ? "ln_2" : "final_layer_norm";
                var n2 = LayerNorm(x[i], w.Get(q + ln2 + ".weight"), w.Get(q + ln2 + ".bias"), config.LayerNormEpsilon);
                var up = gpt2
                    ? Conv1D(n2, w.Get(q + "mlp.c_fc.weight"), w.Get(q + "mlp.c_fc.bias"), config.IntermediateSize)
                    : LinearLayer(n2, w.Get(q + "fc1.weight"), w.Get(q + "fc1.bias"));
                Activate(config.Activation, up);
                var down = gpt2
                    ? Conv1D(up, w.Get(q + "mlp.c_proj.weight"), w.Get(q + "mlp.c_proj.bias"), h)
                    : LinearLayer(up, w.Get(q + "fc2.weight"), w.Get(q + "fc2.bias"));
                Add(x[i], down);
            }
        }

        var final = gpt2 ? "ln_f" : p + "final_layer_norm";
        return x.Select(r => LayerNorm(r, w.Get(final + ".weight"), w.Get(final + ".bias"), config.LayerNormEpsilon)).ToArray();
    }

    /// <summary>Last hidden states (n, H) of a BERT or DistilBERT encoder for one sequence.</summary>
    public static double[][] Encoder(ModelConfig config, InMemoryTensorSource w, int[] ids, int[]? types, byte[]? mask)
    {
        var bert = config.Architecture == ModelArchitecture.Bert;
        var h = config.HiddenSize;
        var x = new double[ids.Length][];
        for (var i = 0; i < ids.Length; i++)
        {
            x[i] = new double[h];
            for (var c = 0; c < h; c++)
            {
                x[i][c] = w.Get("embeddings.word_embeddings.weight")[(ids[i] * h) + c]
                    + (double)w.Get("embeddings.position_embeddings.weight")[(i * h) + c]
                    + (bert ? w.Get("embeddings.token_type_embeddings.weight")[((types?[i] ?? 0) * h) + c] : 0);
            }

            x[i] = LayerNorm(x[i], w.Get("embeddings.LayerNorm.weight"), w.Get("embeddings.LayerNorm.bias"), config.LayerNormEpsilon);
        }

        for (var l = 0; l < config.Layers; l++)
        {
            var q = bert ? $"encoder.layer.{l}." : $"transformer.layer.{l}.";
            string N(string bertName, string distilName) => q + (bert ? bertName : distilName);
            var qs = x.Select(r => LinearLayer(r, w.Get(N("attention.self.query", "attention.q_lin") + ".weight"), w.Get(N("attention.self.query", "attention.q_lin") + ".bias"))).ToArray();
            var ks = x.Select(r => LinearLayer(r, w.Get(N("attention.self.key", "attention.k_lin") + ".weight"), w.Get(N("attention.self.key", "attention.k_lin") + ".bias"))).ToArray();
            var vs = x.Select(r => LinearLayer(r, w.Get(N("attention.self.value", "attention.v_lin") + ".weight"), w.Get(N("attention.self.value", "attention.v_lin") + ".bias"))).ToArray();
            var attended = Attend(config, qs, ks, vs, causal: false, mask);
            for (var i = 0; i < x.Length; i++)
            {
                var o = N("attention.output.dense", "attention.out_lin");
                Add(x[i], LinearLayer(attended[i], w.Get(o + ".weight"), w.Get(o + ".bias")));
                var n1 = N("attention.output.LayerNorm", "sa_layer_norm");
                x[i] = LayerNorm(x[i], w.Get(n1 + ".weight"), w.Get(n1 + ".bias"), config.LayerNormEpsilon);
                var u = N("intermediate.dense", "ffn.lin1");
                var up = LinearLayer(x[i], w.Get(u + ".weight"), w.Get(u + ".bias"));
                Activate(config.Activation, up);
                var d = N("output.dense", "ffn.lin2");
                Add(x[i], LinearLayer(up, w.Get(d + ".weight"), w.Get(d + ".bias")));
                var n2 = N("output.LayerNorm", "output_layer_norm");
                x[i] = LayerNorm(x[i], w.Get(n2 + ".weight"), w.Get(n2 + ".bias"), config.LayerNormEpsilon);
            }
        }

        return x;
    }

    private static double[][] Attend(ModelConfig config, double[][] qs, double[][] ks, double[][] vs, bool causal, byte[]? mask)
    {
        var d = config.HeadDim;
        var result = qs.Select(_ => new double[config.HiddenSize]).ToArray();
        for (var head = 0; head < config.Heads; head++)
        {
            for (var i = 0; i < qs.Length; i++)
            {
                var scores = new double[ks.Length];
                var max = double.NegativeInfinity;
                for (var j = 0; j < ks.Length; j++)
                {
                    var visible = (!causal || j <= i) && (mask is null || mask[j] != 0);
                    var dot = 0.0;
                    for (var c = 0; c < d; c++)
                    {
                        dot += qs[i][(head * d) + c] * ks[j][(head * d) + c];
                    }

                    scores[j] = visible ? dot / Math.Sqrt(d) : double.NegativeInfinity;
                    max = Math.Max(max, scores[j]);
                }

                var sum = scores.Sum(s => Math.Exp(s - max));
                for (var j = 0; j < ks.Length; j++)
                {
                    var weight = Math.Exp(scores[j] - max) / sum;
                    for (var c = 0; c < d; c++)
                    {
                        result[i][(head * d) + c] += weight * vs[j][(head * d) + c];
                    }
                }
            }
        }

        return result;
    }

    // PyTorch Linear: y = W x + b with W stored (out, in).
    private static double[] LinearLayer(double[] x, float[] weight, float[] bias)
    {
        var y = new double[bias.Length];
        for (var o = 0; o < y.Length; o++)
        {
            var sum = (double)bias[o];
            for (var i = 0; i < x.Length; i++)
            {
                sum += weight[(o * x.Length) + i] * x[i];
            }

            y[o] = sum;
        }

        return y;
    }

    // GPT-2 Conv1D: y = x W + b with W stored (in, out).
    private static double[] Conv1D(double[] x, float[] weight, float[] bias, int outputs)
    {
        var y = new double[outputs];
        for (var o = 0; o < outputs; o++)
        {
            var sum = (double)bias[o];
            for (var i = 0; i < x.Length; i++)
            {
                sum += x[i] * weight[(i * outputs) + o];
            }

            y[o] = sum;
        }

        return y;
    }

    private static double[] LayerNorm(double[] x, float[] gamma, float[] beta, float epsilon)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        var scale = 1.0 / Math.Sqrt(variance + epsilon);
        return x.Select((v, i) => ((v - mean) * scale * gamma[i]) + beta[i]).ToArray();
    }

    private static void Activate(Activation activation, double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            values[i] = activation switch
            {
                Activation.Relu => Math.Max(0, v),
                Activation.GeluTanh => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v)))),
                _ => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))),
            };
        }
    }

    // erf by its Taylor series (|x| small) or continued fraction complement (|x| large), double precision.
    private static double Erf(double x)
    {
        if (Math.Abs(x) < 3)
        {
            double sum = x, term = x;
            for (var n = 1; n < 100; n++)
            {
                term *= -x * x / n;
                sum += term / ((2 * n) + 1);
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        return Math.Sign(x) * (1 - (Math.Exp(-x * x) / (Math.Abs(x) * Math.Sqrt(Math.PI)) * (1 - (1 / (2 * x * x)))));
    }

    private static void Add(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }
}
