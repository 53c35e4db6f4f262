using System.Net;
using System.Net.Sockets;

namespace Galaxy.Silo;

/// <summary>TCP ports on loopback that nothing listens on right now (the OS picks them; a tiny race with other programs remains).</summary>
public static class FreePorts
{
    /// <summary><paramref name="count"/> distinct free ports.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
