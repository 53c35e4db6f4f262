using System.Collections.Immutable;
using System.Net;
using Orleans.Runtime;

namespace Galaxy.Grains.Tests;

/// <summary>The devices the directory reads from membership and silo metadata, when it reads them again, and reading the table on demand.</summary>
public sealed class DeviceDirectoryTests
{
    private static readonly SiloAddress A = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);
    private static readonly SiloAddress BAgain = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11113), 2);

    [Fact]
    public void ActiveSilos_SortedByDevice_NewestSiloPerDevice()
    {
        var membership = new FakeMembership();
        membership.Set(1, (A, SiloStatus.Active), (B, SiloStatus.Active), (BAgain, SiloStatus.Active));
        var metadata = new FakeMetadata { [A] = "zeta", [B] = "alpha", [BAgain] = "alpha" };
        var directory = new DeviceDirectory(membership, metadata.DeviceOf);

        Assert.Equal([("alpha", BAgain), ("zeta", A)], directory.ActiveSilos());
        Assert.Equal(["alpha", "zeta"], directory.ActiveDevices());
    }

    [Fact]
    public void ActiveSilos_SameMembershipVersion_ReadOnce_NewVersion_ReadAgain()
    {
        var membership = new FakeMembership();
        membership.Set(1, (A, SiloStatus.Active), (B, SiloStatus.Active));
        var metadata = new FakeMetadata { [A] = "a", [B] = "b" };
        var directory = new DeviceDirectory(membership, metadata.DeviceOf);

        var first = directory.ActiveSilos();
        Assert.Same(first, directory.ActiveSilos());
        Assert.Equal(2, metadata.Reads);

        membership.Set(2, (A, SiloStatus.Active), (B, SiloStatus.Dead));
        Assert.Equal([("a", A)], directory.ActiveSilos());
    }

    [Fact]
    public void ActiveSilos_MetadataNotYetArrived_SeenOnceItArrives_WithoutAMembershipChange()
    {
        var membership = new FakeMembership();
        membership.Set(1, (A, SiloStatus.Active), (B, SiloStatus.Active));
        var metadata = new FakeMetadata { [A] = "a" };
        var directory = new DeviceDirectory(membership, metadata.DeviceOf);

        Assert.Equal(["a"], directory.ActiveDevices());

        metadata[B] = "b";
        Assert.Equal(["a", "b"], directory.ActiveDevices());
    }

    [Fact]
    public async Task RefreshAsync_TheTableKnowsMoreThanGossipDid_TheNextAnswerIsTheTables()
    {
        var (membership, directory) = DevicesAAndB();
        Assert.Equal(["a", "b"], directory.ActiveDevices());

        // What the table says while this silo's gossip is behind: b left, c joined.
        membership.OnRefresh = _ =>
        {
            membership.Set(3, (A, SiloStatus.Active), (B, SiloStatus.Dead), (BAgain, SiloStatus.Active));
            return Task.CompletedTask;
        };
        await directory.RefreshAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, membership.Refreshes);
        Assert.Equal(["a", "c"], directory.ActiveDevices());
    }

    [Fact]
    public async Task RefreshAsync_TheTableReadHangs_GivesUpAtTheLimit_AndKeepsTheView()
    {
        var (membership, directory) = DevicesAAndB();
        membership.OnRefresh = cancellation => Task.Delay(Timeout.Infinite, cancellation);

        await directory.RefreshAsync(TimeSpan.FromMilliseconds(50)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(1, membership.Refreshes);
        Assert.Equal(["a", "b"], directory.ActiveDevices());
    }

    [Fact]
    public async Task RefreshAsync_TheTableReadFails_KeepsTheView()
    {
        var (membership, directory) = DevicesAAndB();
        membership.OnRefresh = _ => throw new OrleansException("The membership table's silo is unreachable.");

        await directory.RefreshAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, membership.Refreshes);
        Assert.Equal(["a", "b"], directory.ActiveDevices());
    }

    /// <summary>Silos A and B active as devices "a" and "b"; silo <see cref="BAgain"/> would be device "c" once it joins.</summary>
    private static (FakeMembership Membership, DeviceDirectory Directory) DevicesAAndB()
    {
        var membership = new FakeMembership();
        membership.Set(1, (A, SiloStatus.Active), (B, SiloStatus.Active));
        var metadata = new FakeMetadata { [A] = "a", [B] = "b", [BAgain] = "c" };
        return (membership, new DeviceDirectory(membership, metadata.DeviceOf));
    }

    private sealed class FakeMembership : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; private set; } =
            new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException("The directory reads the current snapshot only.");

        public void Set(long version, params (SiloAddress Silo, SiloStatus Status)[] members) =>
            CurrentSnapshot = new ClusterMembershipSnapshot(
                members.ToImmutableDictionary(m => m.Silo, m => new ClusterMember(m.Silo, m.Status, m.Silo.ToString())),
                new MembershipVersion(version));

        /// <summary>What reading the table does (nothing by default).</summary>
        public Func<CancellationToken, Task> OnRefresh { get; set; } = _ => Task.CompletedTask;

        public int Refreshes { get; private set; }

        public async ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default)
        {
            Refreshes++;
            await OnRefresh(cancellationToken).ConfigureAwait(false);
        }

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }

    private sealed class FakeMetadata
    {
        private readonly Dictionary<SiloAddress, string> _devices = [];

        public int Reads { get; private set; }

        public string this[SiloAddress silo]
        {
            set => _devices[silo] = value;
        }

        public string? DeviceOf(SiloAddress silo)
        {
            Reads++;
            return _devices.GetValueOrDefault(silo);
        }
    }
}
