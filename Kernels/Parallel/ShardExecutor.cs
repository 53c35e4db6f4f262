using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Runs one device's part of a request, layer by layer, for any <see cref="ParallelMode"/>: the math of the
/// model on this device's weight slices, with the collectives of <see cref="Ring"/> or <see cref="Direct"/> (the plan's <see cref="ParallelPlan.Exchange"/>) over an
/// <see cref="ICollective"/> between the devices. It does not know whether its peers are threads, processes
/// or silos.
/// </summary>
/// <remarks>
/// Hybrid, per layer (DESIGN.md §3–§4): AllGather the rows ▸ QKV of this device's heads, tile by tile as rows
/// arrive ▸ attention over the whole sequence ▸ out-projection rows produced in ring order inside the
/// ReduceScatter ▸ bias + residual (+ LayerNorm) on this device's rows ▸ the same for the MLP. Biases of the
/// row-split projections are added once, by the row's owner.
/// </remarks>
public sealed class ShardExecutor
{
    private readonly TransformerWeights _weights;
    private readonly ParallelPlan _plan;
    private readonly ICollective _collective;
    private readonly KernelThreads? _threads;
    private readonly ModelConfig _config;
    private readonly int _rank;

    public ShardExecutor(TransformerWeights weights, ParallelPlan plan, ICollective collective, KernelThreads? threads = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(collective);
        if (collective.Size != plan.Devices)
        {
            throw new ArgumentException($"The collective connects {collective.Size} devices but the plan has {plan.Devices}.", nameof(collective));
        }

        _weights = weights;
        _plan = plan;
        _collective = collective;
        _threads = threads;
        _config = weights.Config;
        _rank = collective.Rank;
        var expected = plan.SliceOf(_rank, _config);
        if (weights.Layers.Any(layer => layer.Slice != expected))
        {
            throw new ArgumentException($"Device {_rank}'s weights hold {weights.Layers[0].Slice} but the plan gives it {expected}.", nameof(weights));
        }

        if (plan.Output == ParallelOutput.Pooler && weights.Pooler is null)
        {
            throw new ArgumentException("The plan asks for the Pooler output, but this checkpoint has no pooler (pooler.dense); use MeanPooled.", nameof(plan));
        }
    }

    /// <summary>Runs the request: every device calls this with the same ids and request id.</summary>
    /// <param name="requestId">Names every tile of this request, so concurrent requests never mix.</param>
    /// <param name="tokenIds">The whole sequence's token ids (S).</param>
    /// <param name="tokenTypeIds">Empty, or S token types (BERT).</param>
    /// <param name="keyMask">Empty, or S bytes: 1 = token, 0 = padding (encoders).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ShardResult> RunAsync(long requestId, int[] tokenIds, int[] tokenTypeIds, byte[] keyMask, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        ArgumentNullException.ThrowIfNull(tokenTypeIds);
        ArgumentNullException.ThrowIfNull(keyMask);
        var sequence = tokenIds.Length;
        if (sequence == 0 || sequence > _config.MaxPositions)
        {
            throw new ArgumentException($"A sequence of {sequence} tokens does not fit the model's 1…{_config.MaxPositions} positions.", nameof(tokenIds));
        }

        if (tokenTypeIds.Length is not 0 && tokenTypeIds.Length != sequence)
        {
            throw new ArgumentException($"{tokenTypeIds.Length} token types for {sequence} tokens.", nameof(tokenTypeIds));
        }

        if (keyMask.Length is not 0 && keyMask.Length != sequence)
        {
            throw new ArgumentException($"{keyMask.Length} mask entries for {sequence} tokens.", nameof(keyMask));
        }

        _plan.Validate(_config, sequence);
        var run = new RequestRun(this, requestId, tokenIds, tokenTypeIds, keyMask, cancellationToken);
        return await run.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>The state of one request on this device.</summary>
    private sealed class RequestRun
    {
        private readonly ShardExecutor _owner;
        private readonly long _requestId;
        private readonly int[] _tokenIds;
        private readonly int[] _tokenTypeIds;
        private readonly byte[] _keyMask;
        private readonly CancellationToken _cancellation;
        private readonly ModelConfig _config;
        private readonly int _sequence;
        private readonly int _hidden;
        private readonly int[] _chunks;
        private readonly int _rowStart;
        private readonly int _rows;
        private readonly int _tileRows;
        private readonly Stopwatch _compute = new();

        // Activation buffers: allocated on first use, reused by every layer of the request.
        private float[]? _gathered;
        private float[]? _reduced;
        private float[]? _queryKeyValue;
        private float[]? _attended;
        private float[]? _up;
        private float[]? _blockInput;
        private float[]? _partialSum;
        private float[]? _rowInput;
        private float[]? _rowQueryKeyValue;
        private float[]? _rowQuery;
        private float[]? _allKeys;
        private float[]? _allValues;
        private float[]? _rowAttended;
        private float[]? _rowProjected;
        private float[]? _rowUp;
        private float[]? _query;
        private float[]? _key;
        private float[]? _value;

        public RequestRun(ShardExecutor owner, long requestId, int[] tokenIds, int[] tokenTypeIds, byte[] keyMask, CancellationToken cancellation)
        {
            _owner = owner;
            _requestId = requestId;
            _tokenIds = tokenIds;
            _tokenTypeIds = tokenTypeIds;
            _keyMask = keyMask;
            _cancellation = cancellation;
            _config = owner._config;
            _sequence = tokenIds.Length;
            _hidden = _config.HiddenSize;
            _chunks = owner._plan.RowChunks;
            _rowStart = owner._plan.RowStart(owner._rank);
            _rows = _chunks[owner._rank];
            _tileRows = owner._plan.TileRows == 0 ? Math.Max(1, _chunks.Max()) : owner._plan.TileRows;
        }

        private KernelThreads? Threads => _owner._threads;

        private ParallelMode Mode => _owner._plan.Mode;

        private bool Overlap => _owner._plan.Overlap;

        private CollectiveAlgorithm Exchange => _owner._plan.Exchange;

        private LinkPrecision Precision => _owner._plan.Precision;

        public async Task<ShardResult> ExecuteAsync()
        {
            var megatron = Mode == ParallelMode.MegatronTensor;
            var x = megatron ? Embed(0, _sequence) : Embed(_rowStart, _rows);
            var timings = new List<LayerTiming>(_config.Layers);
            for (var layer = 0; layer < _config.Layers; layer++)
            {
                _compute.Reset();
                var wall = Stopwatch.StartNew();
                var weights = _owner._weights.Layers[layer];
                switch (Mode)
                {
                    case ParallelMode.Hybrid:
                        await HybridLayerAsync(layer, weights, x).ConfigureAwait(false);
                        break;
                    case ParallelMode.MegatronTensor:
                        await MegatronLayerAsync(layer, weights, x).ConfigureAwait(false);
                        break;
                    default:
                        await SequenceLayerAsync(layer, weights, x).ConfigureAwait(false);
                        break;
                }

                timings.Add(new LayerTiming(layer, _compute.Elapsed.TotalMilliseconds, wall.Elapsed.TotalMilliseconds));
            }

            if (_owner._weights.FinalNorm is { } final)
            {
                LayerNorm.Apply(x, final.Gamma, final.Beta, x, _config.LayerNormEpsilon);
            }

            // Megatron devices hold every row; each answers for its own rows like the others.
            var own = megatron ? x.AsMemory(_rowStart * _hidden, _rows * _hidden) : x.AsMemory();
            var output = !megatron && _owner._plan.Output == ParallelOutput.HiddenStates ? x : await HeadAsync(own).ConfigureAwait(false);
            return new ShardResult(_rowStart, output, timings);
        }

        /// <summary>This device's part of the plan's output, from its rows (rows, H) of the last hidden state.</summary>
        private async Task<float[]> HeadAsync(ReadOnlyMemory<float> own)
        {
            var plan = _owner._plan;
            var isHead = plan.OutputDevice == _owner._rank;
            switch (plan.Output)
            {
                case ParallelOutput.TokenLogits:
                {
                    var logits = new float[_rows * _config.VocabularySize];
                    Timed(() => BlockMath.TiedLogits(own, _rows, _owner._weights.Embeddings, logits, Threads));
                    return logits;
                }

                case ParallelOutput.NextTokenLogits when isHead:
                {
                    var logits = new float[_config.VocabularySize];
                    Timed(() => BlockMath.TiedLogits(own[((_rows - 1) * _hidden)..], 1, _owner._weights.Embeddings, logits, Threads));
                    return logits;
                }

                case ParallelOutput.Pooler when isHead:
                {
                    // The owner of row 0 holds [CLS] as its first row.
                    var pooler = _owner._weights.Pooler!;
                    var pooled = new float[_hidden];
                    Timed(() =>
                    {
                        BlockMath.Linear(own.Span[.._hidden], pooler.Weight, pooler.Bias, pooled, Threads);
                        TensorPrimitives.Tanh(pooled, pooled);
                    });
                    return pooled;
                }

                case ParallelOutput.MeanPooled:
                    return await MeanPoolAsync(own, plan.OutputDevice ?? 0).ConfigureAwait(false);

                case ParallelOutput.HiddenStates:
                    return own.ToArray();

                default:
                    return [];
            }
        }

        /// <summary>
        /// The mean of the unmasked rows, L2-normalised, on <paramref name="head"/>: every other device with rows sends it
        /// the sum of its unmasked rows and their count (H + 1 floats, fp32); the head adds them in rank order.
        /// </summary>
        private async Task<float[]> MeanPoolAsync(ReadOnlyMemory<float> own, int head)
        {
            var partial = new float[_hidden + 1];
            Timed(() =>
            {
                var rows = own.Span;
                var sum = partial.AsSpan(0, _hidden);
                var count = 0;
                for (var r = 0; r < _rows; r++)
                {
                    if (_keyMask.Length == 0 || _keyMask[_rowStart + r] != 0)
                    {
                        Residual.Add(sum, rows.Slice(r * _hidden, _hidden), sum);
                        count++;
                    }
                }

                partial[_hidden] = count;
            });
            var key = new TileKey(_requestId, _config.Layers - 1, CollectivePhase.Output, 0, 0);
            var collective = _owner._collective;
            if (_owner._rank != head)
            {
                if (_rows > 0)
                {
                    await collective.SendAsync(head, key, MemoryMarshal.AsBytes(partial.AsSpan()).ToArray(), _cancellation).ConfigureAwait(false);
                }

                return [];
            }

            var incoming = new float[_hidden + 1];
            for (var device = 0; device < _chunks.Length; device++)
            {
                if (device != head && _chunks[device] > 0)
                {
                    await collective.ReceiveAsync(device, key, FloatBytes.Of(incoming), _cancellation).ConfigureAwait(false);
                    TensorPrimitives.Add(partial, incoming, partial);
                }
            }

            var mean = partial.AsSpan(0, _hidden).ToArray();
            Timed(() =>
            {
                var total = partial[_hidden];
                if (total > 0)
                {
                    TensorPrimitives.Multiply(mean, 1f / total, mean);
                }

                TensorPrimitives.Multiply(mean, 1f / Math.Max(TensorPrimitives.Norm(mean), 1e-12f), mean);
            });
            return mean;
        }

        /// <summary>Rows [start, start + count) of the embedding (plus the encoder's LayerNorm), (count, H).</summary>
        private float[] Embed(int start, int count)
        {
            var x = new float[count * _hidden];
            if (count == 0)
            {
                return x;
            }

            Embedding.Gather(
                _tokenIds.AsSpan(start, count),
                _tokenTypeIds.Length == 0 ? default : _tokenTypeIds.AsSpan(start, count),
                start + _config.PositionOffset,
                _owner._weights.Embeddings,
                x);
            if (_owner._weights.EmbeddingNorm is { } norm)
            {
                LayerNorm.Apply(x, norm.Gamma, norm.Beta, x, _config.LayerNormEpsilon);
            }

            return x;
        }

        private TileKey Key(int layer, CollectivePhase phase) => new(_requestId, layer, phase, 0, 0);

        private AttentionShape Shape(int queryRows, int heads, int queryOffset) =>
            new(queryRows, _sequence, heads, _config.HeadDim) { Causal = _config.IsDecoder, QueryOffset = queryOffset };

        private async Task HybridLayerAsync(int layer, LayerWeights weights, float[] x)
        {
            var width = weights.Slice.HeadCount * _config.HeadDim;
            var gathered = Buffer(ref _gathered, _sequence * _hidden);
            var reduced = Buffer(ref _reduced, _rows * _hidden);

            // Attention: TP over heads, fed by an AllGather of the (pre-LN: normalised) rows.
            Timed(() => WriteBlockInput(x, weights.AttentionNormGamma, weights.AttentionNormBeta, gathered.AsSpan(_rowStart * _hidden, _rows * _hidden)));
            var qkv = Buffer(ref _queryKeyValue, _sequence * 3 * width);
            await Collectives.AllGatherAsync(
                Exchange,
                _owner._collective,
                Key(layer, CollectivePhase.AttentionGather),
                _chunks,
                _hidden,
                gathered,
                (_, start, count) => TimedStep(() => RowsOf(gathered, weights.QueryKeyValue, weights.QueryKeyValueBias, start, count, qkv)),
                _tileRows,
                Overlap,
                Precision,
                _cancellation).ConfigureAwait(false);
            // Attention rows are independent once K and V are gathered, so each tile's attention runs inside
            // the ReduceScatter, right before its out-projection: it overlaps the ring like the GEMM tiles do.
            var attended = Buffer(ref _attended, _sequence * width);
            Timed(() => SplitHeads(qkv, width));
            await Collectives.ReduceScatterAsync(
                Exchange,
                _owner._collective,
                Key(layer, CollectivePhase.AttentionReduce),
                _chunks,
                _hidden,
                (_, start, count, destination) => TimedStep(() =>
                {
                    AttendRows(width, weights.Slice.HeadCount, start, count, attended);
                    PartialRows(attended, weights.Output, start, count, destination.Span);
                }),
                reduced,
                _tileRows,
                Overlap,
                Precision,
                _cancellation).ConfigureAwait(false);
            Timed(() => Connect(x, reduced, weights.OutputBias, weights.AttentionNormGamma, weights.AttentionNormBeta));

            // MLP: TP over columns, the same way.
            Timed(() => WriteBlockInput(x, weights.MlpNormGamma, weights.MlpNormBeta, gathered.AsSpan(_rowStart * _hidden, _rows * _hidden)));
            var columns = weights.Slice.ColumnCount;
            var up = Buffer(ref _up, _sequence * columns);
            await Collectives.AllGatherAsync(
                Exchange,
                _owner._collective,
                Key(layer, CollectivePhase.MlpGather),
                _chunks,
                _hidden,
                gathered,
                (_, start, count) => TimedStep(() =>
                {
                    RowsOf(gathered, weights.Up, weights.UpBias, start, count, up);
                    BlockMath.Activate(_config.Activation, up.AsSpan(start * columns, count * columns));
                }),
                _tileRows,
                Overlap,
                Precision,
                _cancellation).ConfigureAwait(false);
            await Collectives.ReduceScatterAsync(
                Exchange,
                _owner._collective,
                Key(layer, CollectivePhase.MlpReduce),
                _chunks,
                _hidden,
                (_, start, count, destination) => TimedStep(() => PartialRows(up, weights.Down, start, count, destination.Span)),
                reduced,
                _tileRows,
                Overlap,
                Precision,
                _cancellation).ConfigureAwait(false);
            Timed(() => Connect(x, reduced, weights.DownBias, weights.MlpNormGamma, weights.MlpNormBeta));
        }

        private async Task MegatronLayerAsync(int layer, LayerWeights weights, float[] x)
        {
            var width = weights.Slice.HeadCount * _config.HeadDim;
            var input = Buffer(ref _blockInput, _sequence * _hidden);
            var partial = Buffer(ref _partialSum, _sequence * _hidden);
            var qkv = Buffer(ref _queryKeyValue, _sequence * 3 * width);
            var attended = Buffer(ref _attended, _sequence * width);
            Timed(() =>
            {
                WriteBlockInput(x, weights.AttentionNormGamma, weights.AttentionNormBeta, input);
                RowsOf(input, weights.QueryKeyValue, weights.QueryKeyValueBias, 0, _sequence, qkv);
                Attend(qkv, width, weights.Slice.HeadCount, _sequence, 0, attended);
                PartialRows(attended, weights.Output, 0, _sequence, partial);
            });
            await Collectives.AllReduceAsync(Exchange, _owner._collective, Key(layer, CollectivePhase.AttentionReduce), _chunks, _hidden, partial, _tileRows, Precision, _cancellation).ConfigureAwait(false);
            Timed(() => Connect(x, partial, weights.OutputBias, weights.AttentionNormGamma, weights.AttentionNormBeta));

            var columns = weights.Slice.ColumnCount;
            var up = Buffer(ref _up, _sequence * columns);
            Timed(() =>
            {
                WriteBlockInput(x, weights.MlpNormGamma, weights.MlpNormBeta, input);
                RowsOf(input, weights.Up, weights.UpBias, 0, _sequence, up);
                BlockMath.Activate(_config.Activation, up);
                PartialRows(up, weights.Down, 0, _sequence, partial);
            });
            await Collectives.AllReduceAsync(Exchange, _owner._collective, Key(layer, CollectivePhase.MlpReduce), _chunks, _hidden, partial, _tileRows, Precision, _cancellation).ConfigureAwait(false);
            Timed(() => Connect(x, partial, weights.DownBias, weights.MlpNormGamma, weights.MlpNormBeta));
        }

        private async Task SequenceLayerAsync(int layer, LayerWeights weights, float[] x)
        {
            var width = _hidden;
            var input = Buffer(ref _rowInput, _rows * _hidden);
            var qkv = Buffer(ref _rowQueryKeyValue, _rows * 3 * width);
            var query = Buffer(ref _rowQuery, _rows * width);
            var keys = Buffer(ref _allKeys, _sequence * width);
            var values = Buffer(ref _allValues, _sequence * width);
            Timed(() =>
            {
                WriteBlockInput(x, weights.AttentionNormGamma, weights.AttentionNormBeta, input);
                RowsOf(input, weights.QueryKeyValue, weights.QueryKeyValueBias, 0, _rows, qkv);
                BlockMath.SplitQueryKeyValue(qkv, _rows, width, query, keys.AsSpan(_rowStart * width, _rows * width), values.AsSpan(_rowStart * width, _rows * width));
            });
            await Task.WhenAll(
                Collectives.AllGatherAsync(Exchange, _owner._collective, Key(layer, CollectivePhase.KeyGather), _chunks, width, keys, null, _tileRows, Overlap, Precision, _cancellation),
                Collectives.AllGatherAsync(Exchange, _owner._collective, Key(layer, CollectivePhase.ValueGather), _chunks, width, values, null, _tileRows, Overlap, Precision, _cancellation)).ConfigureAwait(false);
            Timed(() =>
            {
                var attended = Buffer(ref _rowAttended, _rows * width);
                var projected = Buffer(ref _rowProjected, _rows * _hidden);
                if (_rows > 0)
                {
                    Attention.Apply(query, keys, values, attended, Shape(_rows, _config.Heads, _rowStart), _keyMask, Threads);
                    PartialRows(attended, weights.Output, 0, _rows, projected);
                }

                Connect(x, projected, weights.OutputBias, weights.AttentionNormGamma, weights.AttentionNormBeta);

                var up = Buffer(ref _rowUp, _rows * _config.IntermediateSize);
                WriteBlockInput(x, weights.MlpNormGamma, weights.MlpNormBeta, input);
                RowsOf(input, weights.Up, weights.UpBias, 0, _rows, up);
                BlockMath.Activate(_config.Activation, up);
                PartialRows(up, weights.Down, 0, _rows, projected);
                Connect(x, projected, weights.DownBias, weights.MlpNormGamma, weights.MlpNormBeta);
            });
        }

        /// <summary>The rows a TP block starts from: this device's rows as they are (post-LN) or normalised (pre-LN).</summary>
        private void WriteBlockInput(float[] x, float[] gamma, float[] beta, Span<float> destination)
        {
            if (_config.PreLayerNorm)
            {
                LayerNorm.Apply(x, gamma, beta, destination, _config.LayerNormEpsilon);
            }
            else
            {
                x.CopyTo(destination);
            }
        }

        /// <summary>The connective block on this device's rows: x ← LN(x + sum + b) (post-LN) or x ← x + sum + b (pre-LN).</summary>
        private void Connect(float[] x, ReadOnlySpan<float> sum, float[] bias, float[] gamma, float[] beta)
        {
            Residual.Add(x, sum[..x.Length], x);
            Bias.Add(x, bias, x);
            if (!_config.PreLayerNorm)
            {
                LayerNorm.Apply(x, gamma, beta, x, _config.LayerNormEpsilon);
            }
        }

        /// <summary>Rows [start, start + count) of Y = X · W + b into Y's rows; nothing when W is empty.</summary>
        private void RowsOf(float[] x, PackedMatrix? weight, float[] bias, int start, int count, float[] y)
        {
            if (weight is null || count == 0)
            {
                return;
            }

            Sgemm.MultiplyRows(x, weight, start, start + count, y.AsSpan(start * weight.Columns, count * weight.Columns), bias, threads: Threads);
        }

        /// <summary>This device's partial sum of rows [start, start + count) of X · W (no bias: the row owner adds it once).</summary>
        private void PartialRows(float[] x, PackedMatrix? weight, int start, int count, Span<float> destination)
        {
            if (weight is null || count == 0)
            {
                destination[..(count * _hidden)].Clear();
                return;
            }

            Sgemm.MultiplyRows(x, weight, start, start + count, destination[..(count * _hidden)], threads: Threads);
        }

        /// <summary>Attention of this device's heads over the whole sequence, from fused [Q | K | V] rows.</summary>
        private void Attend(float[] qkv, int width, int heads, int queryRows, int queryOffset, float[] attended)
        {
            SplitHeads(qkv, width);
            AttendRows(width, heads, queryOffset, queryRows, attended);
        }

        /// <summary>Splits fused [Q | K | V] rows of the whole sequence into the request's Q, K and V buffers (S, W) each.</summary>
        private void SplitHeads(float[] qkv, int width)
        {
            if (width == 0)
            {
                return;
            }

            BlockMath.SplitQueryKeyValue(
                qkv,
                _sequence,
                width,
                Buffer(ref _query, _sequence * width),
                Buffer(ref _key, _sequence * width),
                Buffer(ref _value, _sequence * width));
        }

        /// <summary>Attention of this device's heads for query rows [start, start + count) over all keys, into those rows of <paramref name="attended"/>.</summary>
        private void AttendRows(int width, int heads, int start, int count, float[] attended)
        {
            if (width == 0 || count == 0)
            {
                return;
            }

            Attention.Apply(
                _query.AsSpan(start * width, count * width),
                _key.AsSpan(0, _sequence * width),
                _value.AsSpan(0, _sequence * width),
                attended.AsSpan(start * width, count * width),
                Shape(count, heads, start),
                _keyMask,
                Threads);
        }

        /// <summary>The request's buffer in <paramref name="slot"/>, allocated on first use; every layer needs the same sizes.</summary>
        private static float[] Buffer(ref float[]? slot, int length)
        {
            if (slot is null || slot.Length != length)
            {
                slot = new float[length];
            }

            return slot;
        }

        /// <summary>Runs compute on this thread, adding its time to the layer's compute time.</summary>
        private void Timed(Action action)
        {
            _cancellation.ThrowIfCancellationRequested();
            _compute.Start();
            try
            {
                action();
            }
            finally
            {
                _compute.Stop();
            }
        }

        /// <summary><see cref="Timed"/> as a ring callback.</summary>
        private ValueTask TimedStep(Action action)
        {
            Timed(action);
            return ValueTask.CompletedTask;
        }
    }
}
