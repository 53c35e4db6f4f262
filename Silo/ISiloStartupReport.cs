namespace Galaxy.Silo;

/// <summary>
/// Something a device's silo logs once it is up, such as the device's measured profile. Register implementations in
/// the silo's services (<c>silo.Services.AddSingleton&lt;ISiloStartupReport, …&gt;()</c>, e.g. from
/// <see cref="GalaxySiloBuilderExtensions.AddGalaxyDevice"/>); the silo awaits each after start and logs its line.
/// </summary>
public interface ISiloStartupReport
{
    /// <summary>A one-line description, or null for nothing to say.</summary>
    Task<string?> DescribeAsync(CancellationToken cancellation);
}
