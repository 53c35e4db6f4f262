using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>A plan and the devices it runs on: device <c>Devices[r]</c> is rank r of <see cref="Plan"/>.</summary>
/// <param name="Devices">The devices with a non-empty share, in rank order.</param>
/// <param name="Plan">The split.</param>
/// <param name="Speeds">The relative speed each of <paramref name="Devices"/> was given (what its shares are proportional to).</param>
public sealed record ProportionalPlan(IReadOnlyList<string> Devices, ParallelPlan Plan, IReadOnlyList<double> Speeds);
