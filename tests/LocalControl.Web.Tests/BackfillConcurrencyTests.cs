using System.Text.Json.Nodes;
using LocalControl.Registry;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LocalControl.Web.Tests;

/// <summary>
/// Several app instances starting at once on one PostgreSQL registry each run the start-up backfill. The test holds
/// the writers' lock itself, lets two backfills (two scopes, as two instances) queue behind it, then lets them go:
/// the rows must be written once. (SQLite needs no such test: every transaction there starts with BEGIN IMMEDIATE,
/// which is the same lock.) Without the lock taken before the first read, both backfills read "no rows yet" before
/// they block and both insert: 6 treatment rows instead of 3.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBackfillConcurrencyTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task Two_instances_starting_at_once_fill_the_rows_once()
    {
        var clinician = await app.SignInAsync("clinician1");
        var caseId = $"BF-{Guid.NewGuid().ToString("N")[..8]}";
        var caseFile = TestCases.Liver(caseId);
        caseFile["treatments"] = new JsonArray(
            new JsonObject { ["id"] = "T1", ["date"] = "2025-01-10", ["therapy"] = "rfa", ["lesionIds"] = new JsonArray("L1", "L2") },
            new JsonObject { ["id"] = "T2", ["date"] = "2025-01-20", ["therapy"] = "systemic", ["regimen"] = "FOLFOX" });
        await FollowUpWebTests.CreateAsync(clinician, caseFile);
        long recordId;
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            recordId = await db.Cases.Where(c => c.CaseId == caseId).Select(c => c.Id).SingleAsync();
            Assert.Equal(3, await db.Treatments.Where(t => t.CaseRecordId == recordId).ExecuteDeleteAsync()); // as before the migration
        }
        var auditBefore = await CountBackfillAuditAsync();

        await using var holder = new NpgsqlConnection(app.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AuditChain.PostgresChainLock})", holder, held))
        {
            await take.ExecuteNonQueryAsync();
        }

        var first = BackfillAsync();
        var second = BackfillAsync();
        // Both must be queued on the lock before it is released, or the test proves nothing.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await WaitingOnAdvisoryLocksAsync(holder, held) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two backfills never queued on the writers' lock");
            Assert.False(first.IsCompleted || second.IsCompleted, "a backfill finished while the writers' lock was held");
            await Task.Delay(20);
        }
        await held.CommitAsync();
        var results = await Task.WhenAll(first, second);

        Assert.Equal(1, results.Sum(r => r.Filled));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            Assert.Equal(3, await db.Treatments.CountAsync(t => t.CaseRecordId == recordId));
        }
        Assert.Equal(auditBefore + 1, await CountBackfillAuditAsync());
    }

    private async Task<(int Filled, int Unreadable)> BackfillAsync()
    {
        await Task.Yield();
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<CaseRegistry>().BackfillCaseRowsAsync();
    }

    private async Task<int> CountBackfillAuditAsync()
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        return await db.Audit.CountAsync(a => a.EntityKey == "treatments+follow_up_lesions");
    }

    private static async Task<long> WaitingOnAdvisoryLocksAsync(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        await using var q = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", connection, tx);
        return (long)(await q.ExecuteScalarAsync())!;
    }
}
