using System.Diagnostics;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// The edge testbed (<c>deploy/testbed/testbed</c>) driven from .NET: up, shape, the addresses, processes started inside a
/// device (its namespace and CPU quota) or the client namespace, and down.
/// </summary>
/// <param name="script">The testbed script's path.</param>
public sealed class Testbed(string script)
{
    /// <summary>The script's path.</summary>
    public string Script { get; } = script;

    /// <summary>The namespace name of the unshaped client place.</summary>
    public const string Client = "client";

    /// <summary>Brings the testbed up with <paramref name="devices"/> (each "name:cpu%:rate:delay").</summary>
    /// <exception cref="InvalidOperationException">The script refused or failed; its message is included.</exception>
    public Task UpAsync(IEnumerable<string> devices, CancellationToken cancellation) =>
        RunAsync(["up", "--devices", string.Join(',', devices)], cancellation);

    /// <summary>Sets the link (both ways) of <paramref name="device"/>, or of every device, to <paramref name="rate"/> while everything stays up.</summary>
    public Task ShapeAsync(string rate, string? device, CancellationToken cancellation) =>
        RunAsync(device is null ? ["shape", "--rate", rate] : ["shape", "--rate", rate, "--devices", device], cancellation);

    /// <summary>Removes the testbed and stops what runs in it (safe when it is down).</summary>
    public Task DownAsync(CancellationToken cancellation) => RunAsync(["down"], cancellation);

    /// <summary>Whether a testbed (or what an interrupted one left) is up now.</summary>
    public async Task<bool> IsUpAsync(CancellationToken cancellation)
    {
        var status = await RunAsync(["status"], cancellation).ConfigureAwait(false);
        return status.Trim() != "testbed: down";
    }

    /// <summary>The address of <paramref name="device"/> (or of <see cref="Client"/>).</summary>
    public async Task<string> AddressAsync(string device, CancellationToken cancellation) =>
        (await RunAsync(["ip", device], cancellation).ConfigureAwait(false)).Trim();

    /// <summary>
    /// Starts <paramref name="command"/> inside <paramref name="device"/> (its namespace and cgroup), handing each line it
    /// writes to <paramref name="onOutput"/> (stdout) and <paramref name="onError"/> (stderr).
    /// </summary>
    public Process Start(string device, IReadOnlyList<string> command, Action<string> onOutput, Action<string> onError)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo(Script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(device);
        start.ArgumentList.Add("--");
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onOutput(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onError(e.Data);
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(Script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Script}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        var text = await output.ConfigureAwait(false);
        var problems = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"testbed {arguments[0]} failed (exit {process.ExitCode}): {(problems + text).Trim()}");
        }

        return text;
    }
}
