using System.Net.Sockets;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// This silo's persistent outgoing TCP connection to one peer silo's <see cref="TileSocketHub"/>. Frames are written by
/// one sender at a time (a semaphore), so frames of concurrent collectives and requests never interleave; a small
/// tile is copied behind its header, a large one is gathered with it from the caller's buffer (one <c>sendmsg</c>
/// either way when the socket has room, which on a LAN or loopback is the common case).
/// The peer never writes back: a read that ends means the connection is gone (<see cref="Closed"/>).
/// </summary>
internal sealed class TileConnection : IDisposable
{
    // Up to this many payload bytes are copied behind the header so the frame leaves in one send.
    private const int CoalesceBytes = 16 << 10;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly byte[] _frame = new byte[TileFrameHeader.Size + TileFrameHeader.MaxShardKeyBytes + CoalesceBytes];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArraySegment<byte>[] _gather = new ArraySegment<byte>[2];

    public TileConnection(Socket socket, string device, string endpoint)
    {
        _socket = socket;
        Device = device;
        Endpoint = endpoint;
    }

    /// <summary>The peer's device.</summary>
    public string Device { get; }

    /// <summary>The peer's tile endpoint.</summary>
    public string Endpoint { get; }

    /// <summary>Completes when the connection is gone (the peer closed it, it failed, or it was disposed).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Whether the connection can no longer be used.</summary>
    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Sends the hello that names this silo's device and tile endpoint (the first frame of every connection).</summary>
    public async Task SendHelloAsync(string device, string endpoint, CancellationToken cancellationToken)
    {
        var hello = System.Text.Encoding.UTF8.GetBytes($"{device} {endpoint}");
        var header = new byte[TileFrameHeader.Size];
        new TileFrameHeader(TileFrameKind.Hello, 0, 0, 0, 0, 0, 0, 0, hello.Length).Write(header);
        await _socket.SendAsync(header, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        await _socket.SendAsync(hello, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one tile frame; completes when the payload has been handed to the socket (the caller may reuse it).</summary>
    /// <exception cref="IOException">The connection failed; the message names the device and endpoint.</exception>
    public async ValueTask WriteTileAsync(TilePeer peer, TileKey key, int sourceRank, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            var shard = peer.ShardUtf8;
            var headerBytes = TileFrameHeader.Size + shard.Length;
            TileFrameHeader.ForTile(key, sourceRank, shard.Length, payload.Length).Write(_frame);
            shard.CopyTo(_frame, TileFrameHeader.Size);

            // A frame is never cut short by cancellation: half a frame would corrupt the stream for every request.
            if (payload.Length <= CoalesceBytes)
            {
                payload.Span.CopyTo(_frame.AsSpan(headerBytes));
                await SendAllAsync(_frame.AsMemory(0, headerBytes + payload.Length)).ConfigureAwait(false);
            }
            else if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload, out var segment))
            {
                _gather[0] = new ArraySegment<byte>(_frame, 0, headerBytes);
                _gather[1] = segment;
                var sent = await _socket.SendAsync(_gather, SocketFlags.None).ConfigureAwait(false);
                if (sent < headerBytes)
                {
                    await SendAllAsync(_frame.AsMemory(sent, headerBytes - sent)).ConfigureAwait(false);
                    sent = headerBytes;
                }

                await SendAllAsync(payload[(sent - headerBytes)..]).ConfigureAwait(false);
            }
            else
            {
                await SendAllAsync(_frame.AsMemory(0, headerBytes)).ConfigureAwait(false);
                await SendAllAsync(payload).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            Close();
            throw new IOException($"Sending tile {key} to device '{Device}' at tile endpoint {Endpoint} failed: {ex.Message}", ex);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Waits until the peer closes the connection or it fails, then marks it closed.</summary>
    public async Task WatchAsync()
    {
        var one = new byte[1];
        try
        {
            // The peer never sends on this connection; a read returns only when it ends.
            while (await _socket.ReceiveAsync(one, SocketFlags.None).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Close();
    }

    public void Close()
    {
        if (_closed.TrySetResult())
        {
            _socket.Dispose();
        }
    }

    // The semaphore is left to the GC: a sender may still be waiting on it when the connection closes.
    public void Dispose() => Close();

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }
}
