namespace Galaxy.Client.Evaluation;

/// <summary>A log file that lines from several threads are appended to; lines after <see cref="Dispose"/> are dropped.</summary>
/// <param name="path">The file (created or truncated).</param>
public sealed class LineLog(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path) { AutoFlush = true };
    private readonly Lock _gate = new();
    private readonly Queue<string> _tail = new();
    private bool _closed;

    /// <summary>Lines kept for <see cref="Tail"/>.</summary>
    public const int TailLines = 20;

    /// <summary>Appends <paramref name="line"/>.</summary>
    public void Write(string line)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _writer.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    /// <summary>The last lines written, oldest first.</summary>
    public IReadOnlyList<string> Tail()
    {
        lock (_gate)
        {
            return [.. _tail];
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
