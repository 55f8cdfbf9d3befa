using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Tests;

/// <summary>
/// The app as a real process on a registry that holds a patient identity: started with its key ring moved away, or with
/// another ring in its place, it stops with a message (exit 1, no stack trace); with its own ring back it starts.
/// </summary>
public sealed class IdentityKeyRingStartTests : IDisposable
{
    private const string AdminPassword = "keyring-admin-password";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "lc-ring-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_lost_or_foreign_key_ring_stops_the_start_with_a_message_and_the_right_one_starts()
    {
        await using (var first = ServerProcess.Start(_data, AdminPassword))
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90)); // migrated, ring created in {data}/identity-keys
        }
        var keys = Path.Combine(_data, "identity-keys");
        Assert.True(File.Exists(Path.Combine(keys, PatientIdentityProtector.SearchKeyFile)));

        // One case with an identity, encrypted with the server's own ring (as the case page would).
        var options = new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={Path.Combine(_data, "localcontrol.db")}").Options;
        await using (var db = new SqliteRegistryDbContext(options))
        {
            var registry = new CaseRegistry(db, TimeProvider.System);
            Assert.Equal(WriteOutcome.Done, await registry.CreateAsync(new CaseFileContent("RING-1", "{}", 0, ""), "test"));
            var identity = new PatientIdentityProtector(keys).Protect(new PatientIdentity("KR00112233", "Aalto", "Sini", new DateOnly(1955, 5, 5), "female"));
            Assert.Equal(WriteOutcome.Done, (await registry.SetIdentityAsync("RING-1", 0, identity, ["mrn"], "test")).Outcome);
        }
        SqliteConnection.ClearAllPools();

        // Lost: the key folder moved away.
        var moved = keys + "-backup";
        Directory.Move(keys, moved);
        await using (var lost = ServerProcess.Start(_data, AdminPassword))
        {
            Assert.Equal(1, await lost.WaitExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("LocalControl cannot start: The registry holds patient identities but the key folder", lost.Output, StringComparison.Ordinal);
            Assert.Contains(keys, lost.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", lost.Output, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(keys)); // no fresh ring made beside data it cannot read

        // Foreign: another installation's ring (its own search key) in its place.
        _ = new PatientIdentityProtector(keys);
        await using (var foreign = ServerProcess.Start(_data, AdminPassword))
        {
            Assert.Equal(1, await foreign.WaitExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("LocalControl cannot start: The patient identity cannot be decrypted with the key ring in", foreign.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", foreign.Output, StringComparison.Ordinal);
        }

        // The right ring restored: it starts.
        Directory.Delete(keys, recursive: true);
        Directory.Move(moved, keys);
        await using var restored = ServerProcess.Start(_data, AdminPassword);
        await restored.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }
}
