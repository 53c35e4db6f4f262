using System.Net.Sockets;
using System.Text;

namespace Galaxy.SystemTests.Processes;

/// <summary>A throwaway redis-server on 127.0.0.1 (no persistence), killed on dispose.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly RunningProcess _process;

    private RedisServer(RunningProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Output => _process.Output;

    /// <summary>The redis-server program on PATH.</summary>
    /// <exception cref="InvalidOperationException">It is not installed; the message says how to install it.</exception>
    public static string FindProgram()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            "redis-server is not installed, so the Redis clustering system test cannot run. Install it with `apt-get install -y redis-server` (.ci/run does).");
    }

    public static async Task<RedisServer> StartAsync(CancellationToken cancellation)
    {
        var program = FindProgram();
        var port = Galaxy.Silo.FreePorts.Take(1)[0];
        var process = RunningProcess.Start("redis-server", program,
            ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"]);
        var server = new RedisServer(process, port);
        try
        {
            await server.WaitForPongAsync(TimeSpan.FromSeconds(20), cancellation).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitForPongAsync(TimeSpan limit, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, cancellation).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellation).ConfigureAwait(false);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port} within {limit.TotalSeconds:F0} s:\n{_process.Output}");
            }

            await Task.Delay(100, cancellation).ConfigureAwait(false);
        }
    }
}
